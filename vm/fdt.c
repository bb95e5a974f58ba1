/* The device tree (Devicetree Specification v0.4, and the RISC-V bindings in
 * Linux's Documentation/devicetree/bindings/riscv) describing the board. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>

#include "vm/machine.h"

/* Extensions the hart implements in full, in canonical order. */
static const char *const isa_extensions[] = {
	"i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", "zihpm",
	"zba", "zbb", "zbs", "sstc",
};
#define ISA_STRING "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb_zbs_sstc"

#define INTC_PHANDLE(hart) (1 + (hart))

static int cpu_node(const struct machine *m, void *fdt, unsigned i)
{
	char name[32];
	int err = 0;

	snprintf(name, sizeof(name), "cpu@%u", i);
	err |= fdt_begin_node(fdt, name);
	err |= fdt_property_string(fdt, "device_type", "cpu");
	err |= fdt_property_u32(fdt, "reg", i);
	err |= fdt_property_string(fdt, "status", "okay");
	err |= fdt_property_string(fdt, "compatible", "riscv");
	err |= fdt_property_string(fdt, "riscv,isa", ISA_STRING);
	err |= fdt_property_string(fdt, "riscv,isa-base", "rv64i");
	err |= fdt_property_string(fdt, "mmu-type", "riscv,sv57");
	/* A string list is the strings back to back with their NULs. */
	char exts[256];
	int len = 0;
	for (unsigned k = 0; k < sizeof(isa_extensions) / sizeof(isa_extensions[0]); k++)
		len += snprintf(exts + len, sizeof(exts) - (size_t)len, "%s", isa_extensions[k]) + 1;
	err |= fdt_property(fdt, "riscv,isa-extensions", exts, len);
	err |= fdt_begin_node(fdt, "interrupt-controller");
	err |= fdt_property_u32(fdt, "#interrupt-cells", 1);
	err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
	err |= fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
	err |= fdt_property_u32(fdt, "phandle", INTC_PHANDLE(i));
	err |= fdt_end_node(fdt);
	err |= fdt_end_node(fdt);
	(void)m;
	return err;
}

static int reg_property(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int clint_node(const struct machine *m, void *fdt)
{
	fdt32_t ints[4 * MACHINE_MAX_HARTS];
	int err = 0;

	for (unsigned i = 0; i < m->nharts; i++) {
		ints[4 * i + 0] = cpu_to_fdt32(INTC_PHANDLE(i));
		ints[4 * i + 1] = cpu_to_fdt32(IRQ_MSI);
		ints[4 * i + 2] = cpu_to_fdt32(INTC_PHANDLE(i));
		ints[4 * i + 3] = cpu_to_fdt32(IRQ_MTI);
	}
	err |= fdt_begin_node(fdt, "clint@2000000");
	err |= fdt_property(fdt, "compatible", "sifive,clint0\0riscv,clint0",
			    sizeof("sifive,clint0\0riscv,clint0"));
	err |= reg_property(fdt, CLINT_BASE, CLINT_SIZE);
	err |= fdt_property(fdt, "interrupts-extended", ints, (int)(16 * m->nharts));
	err |= fdt_end_node(fdt);
	return err;
}

int fdt_build(const struct machine *m, void *fdt, int size, struct error *err)
{
	int e = 0;
	char name[32];

	e |= fdt_create(fdt, size);
	e |= fdt_finish_reservemap(fdt);
	e |= fdt_begin_node(fdt, "");
	e |= fdt_property_u32(fdt, "#address-cells", 2);
	e |= fdt_property_u32(fdt, "#size-cells", 2);
	e |= fdt_property_string(fdt, "compatible", "riscv-virtio");
	e |= fdt_property_string(fdt, "model", "riscv-virtio,qemu");

	e |= fdt_begin_node(fdt, "chosen");
	e |= fdt_end_node(fdt);

	e |= fdt_begin_node(fdt, "cpus");
	e |= fdt_property_u32(fdt, "#address-cells", 1);
	e |= fdt_property_u32(fdt, "#size-cells", 0);
	e |= fdt_property_u32(fdt, "timebase-frequency", (uint32_t)TIMEBASE_HZ);
	for (unsigned i = 0; i < m->nharts; i++)
		e |= cpu_node(m, fdt, i);
	e |= fdt_end_node(fdt);

	snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)RAM_BASE);
	e |= fdt_begin_node(fdt, name);
	e |= fdt_property_string(fdt, "device_type", "memory");
	e |= reg_property(fdt, RAM_BASE, m->cfg.ram_size);
	e |= fdt_end_node(fdt);

	e |= fdt_begin_node(fdt, "soc");
	e |= fdt_property_u32(fdt, "#address-cells", 2);
	e |= fdt_property_u32(fdt, "#size-cells", 2);
	e |= fdt_property_string(fdt, "compatible", "simple-bus");
	e |= fdt_property(fdt, "ranges", NULL, 0);
	e |= clint_node(m, fdt);
	e |= fdt_end_node(fdt);

	e |= fdt_end_node(fdt);
	e |= fdt_finish(fdt);
	if (e)
		return error_set(err, ENOSPC, "device tree does not fit in %d bytes", size);
	return 0;
}
