/* Tests of the hart state the built-in SBI hands to the kernel (vm/sbi.c
 * sbi_boot): it must match what OpenSBI leaves, because Linux relies on it.
 * A machine is built from a one-instruction flat kernel; no code runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpu/csr.h"
#include "cpu/trap.h"
#include "vm/machine.h"

struct fixture {
	struct machine m;
	char kernel[32];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const uint8_t wfi[4] = { 0x73, 0x00, 0x50, 0x10 };
	struct error err = { 0 };

	if (!f)
		return -1;
	strcpy(f->kernel, "/tmp/doppel-sbi-XXXXXX");
	int fd = mkstemp(f->kernel);
	if (fd < 0 || write(fd, wfi, sizeof(wfi)) != (ssize_t)sizeof(wfi) || close(fd) != 0)
		return -1;
	struct machine_config cfg = {
		.ram_size = 16u << 20, .ncpus = 1, .kernel = f->kernel,
		.console_in = -1, .console_out = -1,
	};
	if (machine_create(&f->m, &cfg, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	machine_destroy(&f->m);
	unlink(f->kernel);
	free(f);
	return 0;
}

static bool readable(struct hart *h, unsigned csr)
{
	uint64_t value;
	return csr_read(h, csr, &value);
}

/* The vDSO's clock_gettime reads `time` from U-mode; Linux opens it itself
 * only through the SBI PMU driver, which the built-in SBI does not offer. */
static void user_mode_reads_cycle_time_instret(void **state)
{
	struct fixture *f = *state;
	struct hart *h = f->m.harts[0];

	hart_set_priv(h, PRIV_U);
	assert_true(readable(h, CSR_CYCLE));
	assert_true(readable(h, CSR_TIME));
	assert_true(readable(h, CSR_INSTRET));
	/* Firmware leaves the event counters to the kernel's PMU driver. */
	assert_false(readable(h, CSR_HPMCOUNTER3));
}

static void kernel_starts_in_s_mode_with_counters_open(void **state)
{
	struct fixture *f = *state;
	struct hart *h = f->m.harts[0];

	assert_int_equal(h->s.priv, PRIV_S);
	assert_true(readable(h, CSR_TIME));
	assert_true(readable(h, CSR_HPMCOUNTER3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(user_mode_reads_cycle_time_instret, setup, teardown),
		cmocka_unit_test_setup_teardown(kernel_starts_in_s_mode_with_counters_open, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
