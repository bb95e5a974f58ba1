/* The device tree (Devicetree Specification v0.4, with the bindings Linux
 * documents under Documentation/devicetree/bindings) describing exactly the
 * board: QEMU virt's layout, the devices doppel has, and what to boot. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "dev/syscon.h"
#include "vm/device.h"
#include "vm/fdt.h"
#include "vm/machine.h"

/* Extensions the hart implements in full, in canonical order. */
static const char *const isa_extensions[] = {
	"i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", "zihpm",
	"zba", "zbb", "zbs", "sstc",
};
#define ISA_STRING "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb_zbs_sstc"

static void check(struct fdt_writer *w, int ret)
{
	if (ret < 0 && !w->err)
		w->err = ret;
}

void fdtw_begin(struct fdt_writer *w, const char *fmt, unsigned long long addr)
{
	char name[64];
	snprintf(name, sizeof(name), fmt, addr);
	check(w, fdt_begin_node(w->fdt, name));
}

void fdtw_end(struct fdt_writer *w)
{
	check(w, fdt_end_node(w->fdt));
}

void fdtw_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	check(w, fdt_property_u32(w->fdt, name, v));
}

void fdtw_str(struct fdt_writer *w, const char *name, const char *v)
{
	check(w, fdt_property_string(w->fdt, name, v));
}

/* A string list is the strings back to back, each with its NUL. */
void fdtw_strs(struct fdt_writer *w, const char *name, const char *const *v, unsigned n)
{
	char buf[256];
	int len = 0;
	for (unsigned i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s", v[i]) + 1;
	check(w, fdt_property(w->fdt, name, buf, len));
}

void fdtw_empty(struct fdt_writer *w, const char *name)
{
	check(w, fdt_property(w->fdt, name, NULL, 0));
}

void fdtw_reg(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	check(w, fdt_property(w->fdt, "reg", reg, sizeof(reg)));
}

void fdtw_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	check(w, fdt_property_u64(w->fdt, name, v));
}

static void cpus_node(struct fdt_writer *w, unsigned nharts)
{
	fdtw_begin(w, "cpus", 0);
	fdtw_u32(w, "#address-cells", 1);
	fdtw_u32(w, "#size-cells", 0);
	fdtw_u32(w, "timebase-frequency", (uint32_t)TIMEBASE_HZ);
	for (unsigned i = 0; i < nharts; i++) {
		fdtw_begin(w, "cpu@%llx", i);
		fdtw_str(w, "device_type", "cpu");
		fdtw_u32(w, "reg", i);
		fdtw_str(w, "status", "okay");
		fdtw_str(w, "compatible", "riscv");
		fdtw_str(w, "riscv,isa", ISA_STRING);
		fdtw_str(w, "riscv,isa-base", "rv64i");
		fdtw_strs(w, "riscv,isa-extensions", isa_extensions,
			  sizeof(isa_extensions) / sizeof(isa_extensions[0]));
		fdtw_str(w, "mmu-type", "riscv,sv57");
		fdtw_begin(w, "interrupt-controller", 0);
		fdtw_u32(w, "#address-cells", 0);
		fdtw_u32(w, "#interrupt-cells", 1);
		fdtw_empty(w, "interrupt-controller");
		fdtw_str(w, "compatible", "riscv,cpu-intc");
		fdtw_u32(w, "phandle", PHANDLE_INTC0 + i);
		fdtw_end(w);
		fdtw_end(w);
	}
	fdtw_end(w);
}

void fdtw_per_hart_irqs(struct fdt_writer *w, unsigned nharts,
			       const uint32_t irqs[IRQS_PER_HART])
{
	fdt32_t cells[2 * IRQS_PER_HART * MACHINE_MAX_HARTS];
	unsigned k = 0;
	for (unsigned i = 0; i < nharts; i++)
		for (unsigned j = 0; j < IRQS_PER_HART; j++) {
			cells[k++] = cpu_to_fdt32(PHANDLE_INTC0 + i);
			cells[k++] = cpu_to_fdt32(irqs[j]);
		}
	check(w, fdt_property(w->fdt, "interrupts-extended", cells, (int)(k * sizeof(fdt32_t))));
}

void fdtw_device_irq(struct fdt_writer *w, uint32_t irq)
{
	fdtw_u32(w, "interrupt-parent", PHANDLE_PLIC);
	fdtw_u32(w, "interrupts", irq);
}

/* The next class after those based below floor, in address order (QEMU
 * virt's order of nodes), or NULL. */
static const struct device_class *next_node_class(unsigned long long floor)
{
	const struct device_class *next = NULL;
	for (size_t i = 0; i < board_ndevices; i++) {
		const struct device_class *c = board_devices[i];
		if (c->fdt_nodes && c->base >= floor && (!next || c->base < next->base))
			next = c;
	}
	return next;
}

static void soc_node(struct fdt_writer *w, const struct machine *m)
{
	fdtw_begin(w, "soc", 0);
	fdtw_u32(w, "#address-cells", 2);
	fdtw_u32(w, "#size-cells", 2);
	fdtw_str(w, "compatible", "simple-bus");
	fdtw_empty(w, "ranges");
	for (const struct device_class *c = next_node_class(0); c; c = next_node_class(c->base + 1))
		c->fdt_nodes(w, m);
	fdtw_end(w);
}

/* syscon-poweroff and syscon-reboot drive the test device's finisher. */
static void power_nodes(struct fdt_writer *w)
{
	static const struct {
		const char *name, *compatible;
		uint32_t value;
	} nodes[] = {
		{ "poweroff", "syscon-poweroff", SYSCON_FINISHER_PASS },
		{ "reboot", "syscon-reboot", SYSCON_FINISHER_RESET },
	};
	for (unsigned i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		fdtw_begin(w, nodes[i].name, 0);
		fdtw_str(w, "compatible", nodes[i].compatible);
		fdtw_u32(w, "regmap", PHANDLE_SYSCON);
		fdtw_u32(w, "offset", 0);
		fdtw_u32(w, "value", nodes[i].value);
		fdtw_end(w);
	}
}

static void chosen_node(struct fdt_writer *w, const struct machine *m)
{
	char path[64];
	fdtw_begin(w, "chosen", 0);
	if (m->cfg.append)
		fdtw_str(w, "bootargs", m->cfg.append);
	snprintf(path, sizeof(path), "/soc/serial@%llx", UART_BASE);
	fdtw_str(w, "stdout-path", path);
	if (m->initrd_end) {
		fdtw_u64(w, "linux,initrd-start", m->initrd_start);
		fdtw_u64(w, "linux,initrd-end", m->initrd_end);
	}
	fdtw_end(w);
}

int fdt_build(const struct machine *m, void *fdt, int size, struct error *err)
{
	struct fdt_writer w = { .fdt = fdt };

	check(&w, fdt_create(fdt, size));
	check(&w, fdt_finish_reservemap(fdt));
	fdtw_begin(&w, "", 0);
	fdtw_u32(&w, "#address-cells", 2);
	fdtw_u32(&w, "#size-cells", 2);
	fdtw_str(&w, "compatible", "riscv-virtio");
	fdtw_str(&w, "model", "riscv-virtio,qemu");
	chosen_node(&w, m);
	fdtw_begin(&w, "memory@%llx", RAM_BASE);
	fdtw_str(&w, "device_type", "memory");
	fdtw_reg(&w, RAM_BASE, m->cfg.ram_size);
	fdtw_end(&w);
	cpus_node(&w, m->nharts);
	soc_node(&w, m);
	power_nodes(&w);
	fdtw_end(&w);
	check(&w, fdt_finish(fdt));
	if (w.err)
		return error_set(err, ENOSPC, "cannot build the device tree: %s", fdt_strerror(w.err));
	return 0;
}
