/* Writing the device tree: the helpers fdt.c and the device classes
 * (vm/devices.c) write their nodes with. The first error sticks in err. */
#ifndef DOPPEL_VM_FDT_H
#define DOPPEL_VM_FDT_H

#include <stdint.h>

enum {
	PHANDLE_PLIC = 1,
	PHANDLE_SYSCON = 2,
	PHANDLE_INTC0 = 16,   /* + hart id */
};

/* The interrupts of one hart a device has (the CLINT's MSI and MTI, the
 * PLIC's MEI and SEI). */
#define IRQS_PER_HART 2

struct fdt_writer {
	void *fdt;
	int err;
};

/* A node named fmt with addr formatted in (unit addresses are hex). */
void fdtw_begin(struct fdt_writer *w, const char *fmt, unsigned long long addr);
void fdtw_end(struct fdt_writer *w);
void fdtw_u32(struct fdt_writer *w, const char *name, uint32_t v);
void fdtw_u64(struct fdt_writer *w, const char *name, uint64_t v);
void fdtw_str(struct fdt_writer *w, const char *name, const char *v);
void fdtw_strs(struct fdt_writer *w, const char *name, const char *const *v, unsigned n);
void fdtw_empty(struct fdt_writer *w, const char *name);
void fdtw_reg(struct fdt_writer *w, uint64_t base, uint64_t size);
/* interrupts-extended: for each hart, its intc phandle and each of irqs. */
void fdtw_per_hart_irqs(struct fdt_writer *w, unsigned nharts, const uint32_t irqs[IRQS_PER_HART]);
/* A device's interrupt: source irq of the PLIC. */
void fdtw_device_irq(struct fdt_writer *w, uint32_t irq);

#endif
