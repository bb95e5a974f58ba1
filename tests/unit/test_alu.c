/* The integer arithmetic the M and B extensions define differently from C:
 * expected values from the unprivileged spec (13.1 multiplication, table
 * 13.1 division by zero and overflow, 28 bit manipulation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cpu/alu.h"

static void test_mulh_signs(void **state)
{
	(void)state;
	/* (-1) * (-1) = 1: high half 0. */
	assert_int_equal(mulh(-1, -1), 0);
	/* INT64_MIN * INT64_MIN = 2^126: high half 2^62. */
	assert_int_equal(mulh(INT64_MIN, INT64_MIN), 1ull << 62);
	/* INT64_MIN * INT64_MAX = -2^126 + 2^63: high half -2^62. */
	assert_int_equal(mulh(INT64_MIN, INT64_MAX), (uint64_t)-(1ll << 62));
	/* mulhu: (2^64-1)^2 = 2^128 - 2^65 + 1: high half 2^64 - 2. */
	assert_int_equal(mulhu(~0ull, ~0ull), ~0ull - 1);
	/* mulhsu: -1 (signed) * (2^64-1) (unsigned) = -(2^64-1): high -1. */
	assert_int_equal(mulhsu(-1, ~0ull), ~0ull);
	/* mulhsu: 2 * 2^63 = 2^64: high half 1. */
	assert_int_equal(mulhsu(2, 1ull << 63), 1);
	/* mulh of small values has a zero or all-ones high half. */
	assert_int_equal(mulh(-3, 5), ~0ull);
	assert_int_equal(mulhu(3, 5), 0);
}

static void test_division_by_zero(void **state)
{
	(void)state;
	/* Quotient all ones, remainder the dividend (table 13.1). */
	assert_int_equal(div64(42, 0), ~0ull);
	assert_int_equal(div64(-42, 0), ~0ull);
	assert_int_equal(rem64(42, 0), 42);
	assert_int_equal(rem64(-42, 0), (uint64_t)-42);
	assert_int_equal(div32(7, 0), ~0ull);
	assert_int_equal(rem32(-7, 0), (uint64_t)-7);
	assert_int_equal(rem32(INT32_MIN, 0), (uint64_t)(int64_t)INT32_MIN);
}

static void test_division_overflow(void **state)
{
	(void)state;
	/* The most negative value divided by -1: the dividend, remainder 0. */
	assert_int_equal(div64(INT64_MIN, -1), (uint64_t)INT64_MIN);
	assert_int_equal(rem64(INT64_MIN, -1), 0);
	/* The W forms sign-extend their 32-bit result. */
	assert_int_equal(div32(INT32_MIN, -1), 0xffffffff80000000ull);
	assert_int_equal(rem32(INT32_MIN, -1), 0);
}

static void test_division_rounds_towards_zero(void **state)
{
	(void)state;
	assert_int_equal(div64(-7, 2), (uint64_t)-3);
	assert_int_equal(rem64(-7, 2), (uint64_t)-1);
	assert_int_equal(div64(7, -2), (uint64_t)-3);
	assert_int_equal(rem64(7, -2), 1);
	assert_int_equal(div32(-7, 2), (uint64_t)-3);
}

static void test_sext32(void **state)
{
	(void)state;
	assert_int_equal(sext32(0x80000000u), 0xffffffff80000000ull);
	assert_int_equal(sext32(0x7fffffffu), 0x7fffffffull);
	assert_int_equal(sext32(0x123456789abcdef0ull), 0xffffffff9abcdef0ull);
}

static void test_rotates(void **state)
{
	(void)state;
	assert_int_equal(rol64(0x8000000000000001ull, 1), 3);
	assert_int_equal(rol64(0x1234, 64), 0x1234);          /* amount is mod 64 */
	assert_int_equal(rol64(1, 0), 1);
	/* rolw works on the low word and sign-extends. */
	assert_int_equal(rol32(0x40000000u, 1), 0xffffffff80000000ull);
	assert_int_equal(rol32(0xffffffff80000000ull, 1), 1);
	assert_int_equal(rol32(0x1, 33), 2);                 /* amount is mod 32 */
}

static void test_orc_b(void **state)
{
	(void)state;
	assert_int_equal(orc_b(0), 0);
	assert_int_equal(orc_b(0x0100000000008000ull), 0xff0000000000ff00ull);
	assert_int_equal(orc_b(0x0102030405060708ull), ~0ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mulh_signs),
		cmocka_unit_test(test_division_by_zero),
		cmocka_unit_test(test_division_overflow),
		cmocka_unit_test(test_division_rounds_towards_zero),
		cmocka_unit_test(test_sext32),
		cmocka_unit_test(test_rotates),
		cmocka_unit_test(test_orc_b),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
