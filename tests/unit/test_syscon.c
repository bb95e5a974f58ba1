/* Tests of the sifive,test finisher (dev/syscon.h) through its MMIO
 * callbacks: the pass, fail-with-status and reset commands raise the right
 * exit request; other values, offsets and widths do not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/syscon.h"

struct fixture {
	struct syscon sc;
	struct exit_request exit;
};

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	syscon_init(&f.sc, &f.exit);
	*state = &f;
	return 0;
}

static void expect_exit(struct fixture *f, enum exit_kind kind, uint64_t code)
{
	assert_true(atomic_load(&f->exit.pending));
	assert_int_equal(f->exit.kind, kind);
	assert_int_equal(f->exit.code, code);
}

static void pass_powers_off_with_zero(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0x5555));
	expect_exit(f, EXIT_POWEROFF, 0);
}

static void fail_carries_status(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, (42u << 16) | 0x3333));
	expect_exit(f, EXIT_POWEROFF, 42);
}

static void fail_status_is_sixteen_bits(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0xffff3333));
	expect_exit(f, EXIT_POWEROFF, 0xffff);
}

static void reset(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0x7777));
	expect_exit(f, EXIT_RESET, 0);
}

/* OpenSBI's sifive_test driver writes 16 bits. */
static void halfword_write(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 2, 0x5555));
	expect_exit(f, EXIT_POWEROFF, 0);
}

/* The value handed over holds the whole source register; only the bytes
 * the store writes count. */
static void bytes_beyond_the_store_ignored(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0xffffffff00053333ull));
	expect_exit(f, EXIT_POWEROFF, 5);
}

static void halfword_fail_has_no_status(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 2, 0xffffffffffff3333ull));
	expect_exit(f, EXIT_POWEROFF, 0);
}

static void ignored_writes(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0));
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0x5556));
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0x1234));
	assert_true(syscon_ops.write(&f->sc, 4, 4, 0x5555));     /* not offset 0 */
	assert_true(syscon_ops.write(&f->sc, 0xffc, 4, 0x7777));
	assert_true(syscon_ops.write(&f->sc, 2, 2, 0x3333));
	assert_false(atomic_load(&f->exit.pending));
}

static void bad_widths_fault(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 1;
	assert_false(syscon_ops.write(&f->sc, 0, 1, 0x55));
	assert_false(syscon_ops.write(&f->sc, 0, 8, 0x5555));
	assert_false(syscon_ops.read(&f->sc, 0, 1, &v));
	assert_false(syscon_ops.read(&f->sc, 0, 8, &v));
	assert_false(atomic_load(&f->exit.pending));
}

static void reads_are_zero(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 1;
	assert_true(syscon_ops.read(&f->sc, 0, 4, &v));
	assert_int_equal(v, 0);
	v = 1;
	assert_true(syscon_ops.read(&f->sc, 0x800, 2, &v));
	assert_int_equal(v, 0);
}

/* The first request wins (util/exitreq.h): a later reset does not undo a
 * power-off already asked for. */
static void first_request_wins(void **state)
{
	struct fixture *f = *state;
	assert_true(syscon_ops.write(&f->sc, 0, 4, (3u << 16) | 0x3333));
	assert_true(syscon_ops.write(&f->sc, 0, 4, 0x7777));
	expect_exit(f, EXIT_POWEROFF, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(pass_powers_off_with_zero, setup),
		cmocka_unit_test_setup(fail_carries_status, setup),
		cmocka_unit_test_setup(fail_status_is_sixteen_bits, setup),
		cmocka_unit_test_setup(reset, setup),
		cmocka_unit_test_setup(halfword_write, setup),
		cmocka_unit_test_setup(bytes_beyond_the_store_ignored, setup),
		cmocka_unit_test_setup(halfword_fail_has_no_status, setup),
		cmocka_unit_test_setup(ignored_writes, setup),
		cmocka_unit_test_setup(bad_widths_fault, setup),
		cmocka_unit_test_setup(reads_are_zero, setup),
		cmocka_unit_test_setup(first_request_wins, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
