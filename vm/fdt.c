/* The device tree (Devicetree Specification v0.4, with the bindings Linux
 * documents under Documentation/devicetree/bindings) describing exactly the
 * board: QEMU virt's layout, the devices doppel has, and what to boot. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "vm/machine.h"

/* Extensions the hart implements in full, in canonical order. */
static const char *const isa_extensions[] = {
	"i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", "zihpm",
	"zba", "zbb", "zbs", "sstc",
};
#define ISA_STRING "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb_zbs_sstc"

enum {
	PHANDLE_PLIC = 1,
	PHANDLE_SYSCON = 2,
	PHANDLE_INTC0 = 16,   /* + hart id */
};

struct fdt_writer {
	void *fdt;
	int err;
};

static void check(struct fdt_writer *w, int ret)
{
	if (ret < 0 && !w->err)
		w->err = ret;
}

static void begin(struct fdt_writer *w, const char *fmt, unsigned long long addr)
{
	char name[64];
	snprintf(name, sizeof(name), fmt, addr);
	check(w, fdt_begin_node(w->fdt, name));
}

static void end(struct fdt_writer *w)
{
	check(w, fdt_end_node(w->fdt));
}

static void prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	check(w, fdt_property_u32(w->fdt, name, v));
}

static void prop_str(struct fdt_writer *w, const char *name, const char *v)
{
	check(w, fdt_property_string(w->fdt, name, v));
}

/* A string list is the strings back to back, each with its NUL. */
static void prop_strs(struct fdt_writer *w, const char *name, const char *const *v, unsigned n)
{
	char buf[256];
	int len = 0;
	for (unsigned i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s", v[i]) + 1;
	check(w, fdt_property(w->fdt, name, buf, len));
}

static void prop_empty(struct fdt_writer *w, const char *name)
{
	check(w, fdt_property(w->fdt, name, NULL, 0));
}

static void prop_reg(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	check(w, fdt_property(w->fdt, "reg", reg, sizeof(reg)));
}

static void prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	check(w, fdt_property_u64(w->fdt, name, v));
}

static void cpus_node(struct fdt_writer *w, unsigned nharts)
{
	begin(w, "cpus", 0);
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	prop_u32(w, "timebase-frequency", (uint32_t)TIMEBASE_HZ);
	for (unsigned i = 0; i < nharts; i++) {
		begin(w, "cpu@%llx", i);
		prop_str(w, "device_type", "cpu");
		prop_u32(w, "reg", i);
		prop_str(w, "status", "okay");
		prop_str(w, "compatible", "riscv");
		prop_str(w, "riscv,isa", ISA_STRING);
		prop_str(w, "riscv,isa-base", "rv64i");
		prop_strs(w, "riscv,isa-extensions", isa_extensions,
			  sizeof(isa_extensions) / sizeof(isa_extensions[0]));
		prop_str(w, "mmu-type", "riscv,sv57");
		begin(w, "interrupt-controller", 0);
		prop_u32(w, "#address-cells", 0);
		prop_u32(w, "#interrupt-cells", 1);
		prop_empty(w, "interrupt-controller");
		prop_str(w, "compatible", "riscv,cpu-intc");
		prop_u32(w, "phandle", PHANDLE_INTC0 + i);
		end(w);
		end(w);
	}
	end(w);
}

/* The interrupts of one hart a device has (the CLINT's MSI and MTI, the
 * PLIC's MEI and SEI). */
#define IRQS_PER_HART 2

/* interrupts-extended: for each hart, its intc phandle and each of irqs. */
static void prop_per_hart_irqs(struct fdt_writer *w, unsigned nharts,
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

static void device_irq(struct fdt_writer *w, uint32_t irq)
{
	prop_u32(w, "interrupt-parent", PHANDLE_PLIC);
	prop_u32(w, "interrupts", irq);
}

static void soc_node(struct fdt_writer *w, unsigned nharts)
{
	static const char *const clint_compat[] = { "sifive,clint0", "riscv,clint0" };
	static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
	static const char *const test_compat[] = { "sifive,test1", "sifive,test0", "syscon" };
	static const uint32_t clint_irqs[IRQS_PER_HART] = { IRQ_MSI, IRQ_MTI };
	static const uint32_t plic_irqs[IRQS_PER_HART] = { IRQ_MEI, IRQ_SEI };

	begin(w, "soc", 0);
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_str(w, "compatible", "simple-bus");
	prop_empty(w, "ranges");

	begin(w, "test@%llx", SYSCON_BASE);
	prop_strs(w, "compatible", test_compat, 3);
	prop_reg(w, SYSCON_BASE, SYSCON_SIZE);
	prop_u32(w, "phandle", PHANDLE_SYSCON);
	end(w);

	begin(w, "rtc@%llx", RTC_BASE);
	prop_str(w, "compatible", "google,goldfish-rtc");
	prop_reg(w, RTC_BASE, RTC_SIZE);
	device_irq(w, RTC_IRQ);
	end(w);

	begin(w, "clint@%llx", CLINT_BASE);
	prop_strs(w, "compatible", clint_compat, 2);
	prop_reg(w, CLINT_BASE, CLINT_SIZE);
	prop_per_hart_irqs(w, nharts, clint_irqs);
	end(w);

	begin(w, "plic@%llx", PLIC_BASE);
	prop_strs(w, "compatible", plic_compat, 2);
	prop_reg(w, PLIC_BASE, PLIC_SIZE);
	prop_u32(w, "#interrupt-cells", 1);
	prop_u32(w, "#address-cells", 0);
	prop_empty(w, "interrupt-controller");
	prop_u32(w, "riscv,ndev", PLIC_NDEV);
	prop_per_hart_irqs(w, nharts, plic_irqs);
	prop_u32(w, "phandle", PHANDLE_PLIC);
	end(w);

	begin(w, "serial@%llx", UART_BASE);
	prop_str(w, "compatible", "ns16550a");
	prop_reg(w, UART_BASE, UART_SIZE);
	prop_u32(w, "clock-frequency", UART_CLOCK_HZ);
	device_irq(w, UART_IRQ);
	end(w);

	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		uint64_t base = VIRTIO_BASE + i * VIRTIO_SIZE;
		begin(w, "virtio_mmio@%llx", base);
		prop_str(w, "compatible", "virtio,mmio");
		prop_reg(w, base, VIRTIO_SIZE);
		device_irq(w, VIRTIO_IRQ(i));
		end(w);
	}
	end(w);
}

/* syscon-poweroff and syscon-reboot drive the test device's finisher. */
static void power_nodes(struct fdt_writer *w)
{
	begin(w, "poweroff", 0);
	prop_str(w, "compatible", "syscon-poweroff");
	prop_u32(w, "regmap", PHANDLE_SYSCON);
	prop_u32(w, "offset", 0);
	prop_u32(w, "value", 0x5555);
	end(w);
	begin(w, "reboot", 0);
	prop_str(w, "compatible", "syscon-reboot");
	prop_u32(w, "regmap", PHANDLE_SYSCON);
	prop_u32(w, "offset", 0);
	prop_u32(w, "value", 0x7777);
	end(w);
}

static void chosen_node(struct fdt_writer *w, const struct machine *m)
{
	char path[64];
	begin(w, "chosen", 0);
	if (m->cfg.append)
		prop_str(w, "bootargs", m->cfg.append);
	snprintf(path, sizeof(path), "/soc/serial@%llx", UART_BASE);
	prop_str(w, "stdout-path", path);
	if (m->initrd_end) {
		prop_u64(w, "linux,initrd-start", m->initrd_start);
		prop_u64(w, "linux,initrd-end", m->initrd_end);
	}
	end(w);
}

int fdt_build(const struct machine *m, void *fdt, int size, struct error *err)
{
	struct fdt_writer w = { .fdt = fdt };

	check(&w, fdt_create(fdt, size));
	check(&w, fdt_finish_reservemap(fdt));
	begin(&w, "", 0);
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	prop_str(&w, "compatible", "riscv-virtio");
	prop_str(&w, "model", "riscv-virtio,qemu");
	chosen_node(&w, m);
	begin(&w, "memory@%llx", RAM_BASE);
	prop_str(&w, "device_type", "memory");
	prop_reg(&w, RAM_BASE, m->cfg.ram_size);
	end(&w);
	cpus_node(&w, m->nharts);
	soc_node(&w, m->nharts);
	power_nodes(&w);
	end(&w);
	check(&w, fdt_finish(fdt));
	if (w.err)
		return error_set(err, ENOSPC, "cannot build the device tree: %s", fdt_strerror(w.err));
	return 0;
}
