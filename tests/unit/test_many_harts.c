/* Machines of more than 8 harts, up to MACHINE_MAX_HARTS (64): the device
 * tree describes every hart and wires each to the CLINT and the PLIC, the
 * CLINT's registers of the last hart drive its lines, and
 * the built-in SBI's IPI, RFENCE and HSM calls reach the harts that a
 * (hart_mask, hart_mask_base) pair names for any base, and for base -1
 * every hart (SBI spec 2.0, 3.1), as well as the legacy calls' masks. A
 * machine is built from a one-instruction flat kernel; only SBI calls run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "vm/machine.h"

#define EXT_IPI 0x735049
#define EXT_RFENCE 0x52464e43
#define EXT_HSM 0x48534d
#define EXT_LEGACY_SEND_IPI 0x04
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define ALL_HARTS (~0ull)       /* hart_mask_base -1 */
#define FDT_SIZE 0x10000

struct fixture {
	struct machine m;
	char kernel[32];
};

static int setup_harts(void **state, unsigned nharts)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const uint8_t wfi[4] = { 0x73, 0x00, 0x50, 0x10 };
	struct error err = { 0 };

	if (!f)
		return -1;
	strcpy(f->kernel, "/tmp/doppel-harts-XXXXXX");
	int fd = mkstemp(f->kernel);
	if (fd < 0 || write(fd, wfi, sizeof(wfi)) != (ssize_t)sizeof(wfi) || close(fd) != 0)
		return -1;
	struct machine_config cfg = {
		.ram_size = 16u << 20, .ncpus = nharts, .kernel = f->kernel,
		.console_in = -1, .console_out = -1,
	};
	if (machine_create(&f->m, &cfg, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int setup_64(void **state)
{
	return setup_harts(state, 64);
}

static int setup_16(void **state)
{
	return setup_harts(state, 16);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	machine_destroy(&f->m);
	unlink(f->kernel);
	free(f);
	return 0;
}

/* An SBI call from hart 0: returns the error, *value the value. */
static int64_t call(struct fixture *f, uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t *value)
{
	struct hart *h = f->m.harts[0];
	h->s.x[17] = ext;
	h->s.x[16] = fid;
	h->s.x[10] = a0;
	h->s.x[11] = a1;
	h->s.x[12] = a2;
	assert_true(sbi_ecall(h, &f->m));
	if (value)
		*value = h->s.x[11];
	return (int64_t)h->s.x[10];
}

/* The harts with SSIP pending, one bit each; clears them. */
static uint64_t take_ssips(struct fixture *f)
{
	uint64_t harts = 0;
	for (unsigned i = 0; i < f->m.nharts; i++) {
		if (f->m.harts[i]->s.mip & MIP_SSIP)
			harts |= 1ull << i;
		f->m.harts[i]->s.mip &= ~MIP_SSIP;
	}
	return harts;
}

static void machine_has_64_harts(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->m.nharts, 64);
	assert_int_equal(f->m.plic.ncontexts, 128);
	assert_int_equal(f->m.clint.nharts, 64);
}

/* Hart 63's msip at 0x0 + 4 * 63 and mtimecmp at 0x4000 + 8 * 63 drive
 * its own lines; the offsets of a 65th hart are unassigned. */
static void clint_reaches_the_last_hart(void **state)
{
	struct fixture *f = *state;
	struct clint *c = &f->m.clint;
	uint64_t v;

	assert_true(clint_ops.write(c, 4 * 63, 4, 1));
	assert_true(f->m.harts[63]->irq_lines & (1ull << IRQ_MSI));
	assert_false(f->m.harts[62]->irq_lines & (1ull << IRQ_MSI));
	assert_true(clint_ops.read(c, 4 * 63, 4, &v));
	assert_int_equal(v, 1);
	assert_true(clint_ops.write(c, 0x4000 + 8 * 63, 8, 0));
	assert_true(f->m.harts[63]->irq_lines & (1ull << IRQ_MTI));
	assert_false(f->m.harts[0]->irq_lines & (1ull << IRQ_MTI));
	assert_true(clint_ops.read(c, 0x4000 + 8 * 63, 8, &v));
	assert_int_equal(v, 0);

	assert_true(clint_ops.write(c, 4 * 64, 4, 1));
	assert_true(clint_ops.read(c, 4 * 64, 4, &v));
	assert_int_equal(v, 0);
	assert_true(clint_ops.write(c, 0x4000 + 8 * 64, 8, 0));
	assert_true(clint_ops.read(c, 0x4000 + 8 * 64, 8, &v));
	assert_int_equal(v, 0);
}

static int count_cells(const void *fdt, const char *path, const char *prop)
{
	int len, node = fdt_path_offset(fdt, path);
	assert_true(node >= 0);
	const fdt32_t *cells = fdt_getprop(fdt, node, prop, &len);
	assert_non_null(cells);
	return len / (int)sizeof(fdt32_t);
}

/* Every hart a cpu node with its interrupt controller; the CLINT's and
 * the PLIC's interrupts-extended list (phandle, irq) for each hart in
 * order: MSI and MTI, MEI and SEI. */
static void device_tree_describes_64_harts(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	void *fdt = malloc(FDT_SIZE);
	char path[64];

	assert_non_null(fdt);
	assert_int_equal(fdt_build(&f->m, fdt, FDT_SIZE, &err), 0);
	int cpus = fdt_path_offset(fdt, "/cpus"), n = 0, node;
	assert_true(cpus >= 0);
	fdt_for_each_subnode(node, fdt, cpus)
		n++;
	assert_int_equal(n, 64);
	for (unsigned i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%x", i);
		node = fdt_path_offset(fdt, path);
		assert_true(node >= 0);
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", NULL);
		assert_non_null(reg);
		assert_int_equal(fdt32_to_cpu(*reg), i);
	}

	snprintf(path, sizeof(path), "/soc/plic@%llx", PLIC_BASE);
	assert_int_equal(count_cells(fdt, path, "interrupts-extended"), 2 * 128);
	int plic = fdt_path_offset(fdt, path), len;
	const fdt32_t *cells = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	/* Contexts 126 and 127: hart 63's M and S external interrupts. */
	snprintf(path, sizeof(path), "/cpus/cpu@%x/interrupt-controller", 63);
	uint32_t intc63 = fdt_get_phandle(fdt, fdt_path_offset(fdt, path));
	assert_int_not_equal(intc63, 0);
	assert_int_equal(fdt32_to_cpu(cells[2 * 126]), intc63);
	assert_int_equal(fdt32_to_cpu(cells[2 * 126 + 1]), IRQ_MEI);
	assert_int_equal(fdt32_to_cpu(cells[2 * 127]), intc63);
	assert_int_equal(fdt32_to_cpu(cells[2 * 127 + 1]), IRQ_SEI);
	const fdt64_t *reg = fdt_getprop(fdt, plic, "reg", NULL);
	assert_non_null(reg);
	assert_true(fdt64_to_cpu(reg[1]) >= PLIC_MMIO_SIZE(64));

	snprintf(path, sizeof(path), "/soc/clint@%llx", CLINT_BASE);
	assert_int_equal(count_cells(fdt, path, "interrupts-extended"), 2 * 128);
	free(fdt);
}

/* IPIs through hart_mask and hart_mask_base: harts 60 and 62 from base 60;
 * every hart from base -1; a mask that runs past hart 63, or a base past
 * it, is refused and reaches nobody. */
static void ipi_masks_with_a_base(void **state)
{
	struct fixture *f = *state;
	take_ssips(f);
	assert_int_equal(call(f, EXT_IPI, 0, 0x5, 60, 0, NULL), 0);
	assert_true(take_ssips(f) == ((1ull << 60) | (1ull << 62)));
	assert_int_equal(call(f, EXT_IPI, 0, 1ull << 8, 1, 0, NULL), 0);
	assert_true(take_ssips(f) == 1ull << 9);
	assert_int_equal(call(f, EXT_IPI, 0, 0, ALL_HARTS, 0, NULL), 0);
	assert_true(take_ssips(f) == ~0ull);
	assert_int_equal(call(f, EXT_IPI, 0, 0x3, 63, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(call(f, EXT_IPI, 0, 0x1, 64, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(call(f, EXT_IPI, 0, 1ull << 63, ~0ull - 1, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_true(take_ssips(f) == 0);
}

/* The remote fences take the same masks. */
static void rfence_masks_with_a_base(void **state)
{
	struct fixture *f = *state;
	for (uint64_t fid = 0; fid <= 2; fid++) {
		assert_int_equal(call(f, EXT_RFENCE, fid, 1ull << 31, 32, 0, NULL), 0);
		assert_int_equal(call(f, EXT_RFENCE, fid, 0, ALL_HARTS, 0, NULL), 0);
		assert_int_equal(call(f, EXT_RFENCE, fid, 0x2, 63, 0, NULL), SBI_ERR_INVALID_PARAM);
	}
}

/* HSM: hart 63 starts at the address given, with a0 = its id and a1 the
 * opaque value, and its state reads back. */
static void hsm_starts_the_last_hart(void **state)
{
	struct fixture *f = *state;
	uint64_t status, entry = RAM_BASE + 0x1000;

	assert_int_equal(call(f, EXT_HSM, 2, 63, 0, 0, &status), 0);
	assert_int_equal(status, HSM_STOPPED);
	assert_false(machine_hart_started(&f->m, 63));
	assert_int_equal(call(f, EXT_HSM, 0, 63, entry, 0xabc, NULL), 0);
	assert_int_equal(call(f, EXT_HSM, 2, 63, 0, 0, &status), 0);
	assert_int_equal(status, HSM_STARTED);
	assert_true(machine_hart_started(&f->m, 63));
	assert_int_equal(f->m.harts[63]->s.pc, entry);
	assert_int_equal(f->m.harts[63]->s.x[10], 63);
	assert_int_equal(f->m.harts[63]->s.x[11], 0xabc);
	assert_false(machine_hart_started(&f->m, 62));
	assert_int_equal(call(f, EXT_HSM, 0, 63, entry, 0, NULL), SBI_ERR_ALREADY_AVAILABLE);
	assert_int_equal(call(f, EXT_HSM, 0, 64, entry, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(call(f, EXT_HSM, 2, 64, 0, 0, NULL), SBI_ERR_INVALID_PARAM);
}

/* The legacy send_ipi: with no mask address every hart (as OpenSBI); a
 * mask in memory names harts from 0, bits beyond the last hart ignored. */
static void legacy_ipi_masks(void **state)
{
	struct fixture *f = *state;
	uint64_t mask_addr = RAM_BASE + 0x2000, mask = (1ull << 9) | (1ull << 15) | (0xffull << 40);

	take_ssips(f);
	assert_int_equal(call(f, EXT_LEGACY_SEND_IPI, 0, 0, 0, 0, NULL), 0);
	assert_true(take_ssips(f) == 0xffff);
	memcpy(f->m.ram + (mask_addr - RAM_BASE), &mask, sizeof(mask));
	assert_int_equal(call(f, EXT_LEGACY_SEND_IPI, 0, mask_addr, 0, 0, NULL), 0);
	assert_true(take_ssips(f) == ((1ull << 9) | (1ull << 15)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(machine_has_64_harts, setup_64, teardown),
		cmocka_unit_test_setup_teardown(clint_reaches_the_last_hart, setup_64, teardown),
		cmocka_unit_test_setup_teardown(device_tree_describes_64_harts, setup_64, teardown),
		cmocka_unit_test_setup_teardown(ipi_masks_with_a_base, setup_64, teardown),
		cmocka_unit_test_setup_teardown(rfence_masks_with_a_base, setup_64, teardown),
		cmocka_unit_test_setup_teardown(hsm_starts_the_last_hart, setup_64, teardown),
		cmocka_unit_test_setup_teardown(legacy_ipi_masks, setup_16, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
