/* M extension edge cases (unprivileged spec, M extension, "Multiplication
 * Operations" and "Division Operations", table "Semantics for division by
 * zero and division overflow"): high halves of 128-bit products of signed and
 * unsigned extremes, x / 0 = all ones and x % 0 = x, -2^(L-1) / -1 =
 * -2^(L-1) with remainder 0, quotients rounding towards zero, and the W forms
 * using rs1[31:0], rs2[31:0] and sign-extending their 32-bit result. */
#include "u_check.h"

#define I64_MIN 0x8000000000000000ull
#define I64_MAX 0x7fffffffffffffffull
#define ALL1    0xffffffffffffffffull

static void multiply(void)
{
	/* (-2^63)^2 = 2^126 */
	check_eq(1, RR("mulh", I64_MIN, I64_MIN), 0x4000000000000000ull);
	check_eq(2, RR("mul", I64_MIN, I64_MIN), 0);
	/* -2^63 (2^63 - 1) = -2^126 + 2^63: high -2^62, low 2^63 */
	check_eq(3, RR("mulh", I64_MIN, I64_MAX), 0xc000000000000000ull);
	check_eq(4, RR("mul", I64_MIN, I64_MAX), I64_MIN);
	check_eq(5, RR("mulh", ALL1, ALL1), 0);
	check_eq(6, RR("mulh", I64_MAX, I64_MAX), 0x3fffffffffffffffull);
	/* (2^64 - 1)^2 = 2^128 - 2^65 + 1 */
	check_eq(7, RR("mulhu", ALL1, ALL1), 0xfffffffffffffffeull);
	check_eq(8, RR("mul", ALL1, ALL1), 1);
	check_eq(9, RR("mulhu", I64_MIN, 2), 1);
	/* mulhsu: rs1 signed, rs2 unsigned. -1 * (2^64 - 1) = -2^64 + 1 */
	check_eq(10, RR("mulhsu", ALL1, ALL1), ALL1);
	/* -2^63 (2^64 - 1) = -2^127 + 2^63: high -2^63 */
	check_eq(11, RR("mulhsu", I64_MIN, ALL1), I64_MIN);
	/* (2^63 - 1)(2^64 - 1) = 2^127 - 2^64 - 2^63 + 1: high 2^63 - 2 */
	check_eq(12, RR("mulhsu", I64_MAX, ALL1), 0x7ffffffffffffffeull);
	check_eq(13, RR("mulhsu", 2, I64_MIN), 1);
	check_eq(14, RR("mulhsu", -2ull, I64_MIN), ALL1);
	/* mulw: low 32 bits of the product, sign-extended; upper input bits
	 * are ignored. */
	check_eq(15, RR("mulw", 0x7fffffff, 2), 0xfffffffffffffffeull);
	check_eq(16, RR("mulw", 0x0000000100000003ull, 0xffffffff00000005ull), 15);
	check_eq(17, RR("mulw", 0x10000, 0x8000), 0xffffffff80000000ull);
}

static void divide(void)
{
	/* Signed quotients round towards zero; the remainder has the
	 * dividend's sign. */
	check_eq(20, RR("div", -7ull, 2), -3ull);
	check_eq(21, RR("rem", -7ull, 2), -1ull);
	check_eq(22, RR("div", 7, -2ull), -3ull);
	check_eq(23, RR("rem", 7, -2ull), 1);
	check_eq(24, RR("divu", -7ull, 2), 0x7ffffffffffffffcull);
	check_eq(25, RR("remu", -7ull, 2), 1);
	/* Division by zero: quotient all ones, remainder the dividend. */
	check_eq(26, RR("div", 0x1234, 0), ALL1);
	check_eq(27, RR("div", I64_MIN, 0), ALL1);
	check_eq(28, RR("divu", 0x1234, 0), ALL1);
	check_eq(29, RR("rem", -5ull, 0), -5ull);
	check_eq(30, RR("remu", I64_MIN, 0), I64_MIN);
	/* Signed overflow. */
	check_eq(31, RR("div", I64_MIN, ALL1), I64_MIN);
	check_eq(32, RR("rem", I64_MIN, ALL1), 0);
	check_eq(33, RR("divu", I64_MIN, ALL1), 0);
	check_eq(34, RR("remu", I64_MIN, ALL1), I64_MIN);
}

static void divide_word(void)
{
	check_eq(40, RR("divw", 0x00000001fffffff9ull, 2), -3ull);
	check_eq(41, RR("remw", 0x00000001fffffff9ull, 2), -1ull);
	check_eq(42, RR("divw", 0x80000000, ALL1), 0xffffffff80000000ull);
	check_eq(43, RR("remw", 0x80000000, ALL1), 0);
	/* By zero: the 32-bit all-ones quotient and the 32-bit dividend,
	 * both sign-extended. */
	check_eq(44, RR("divw", 5, 0xffffffff00000000ull), ALL1);
	check_eq(45, RR("divuw", 5, 0), ALL1);
	check_eq(46, RR("remw", 0x1234567880000000ull, 0), 0xffffffff80000000ull);
	check_eq(47, RR("remuw", 0x123456787ffffffeull, 0), 0x7ffffffe);
	check_eq(48, RR("remuw", 0x00000000fffffffeull, 0), 0xfffffffffffffffeull);
	/* divuw treats 0x80000000 as 2^31, and its result is sign-extended. */
	check_eq(49, RR("divuw", 0x80000000, 1), 0xffffffff80000000ull);
	check_eq(50, RR("divuw", 0xffffffff80000000ull, 2), 0x40000000);
	check_eq(51, RR("divuw", 0xfffffffe, 1), 0xfffffffffffffffeull);
	check_eq(52, RR("divuw", 0xffffffff, 0x10), 0x0fffffff);
	check_eq(53, RR("remuw", 0x80000001, 0x80000000), 1);
	check_eq(54, RR("remuw", 0xffffffff, 0x10), 0xf);
	/* divw sees 0xffffffff as -1; divuw as 2^32 - 1. */
	check_eq(55, RR("divw", 0xffffffff, 0xffffffff), 1);
	check_eq(56, RR("divw", 0x10, 0xffffffff), -16ull);
	check_eq(57, RR("divuw", 0x10, 0xffffffff), 0);
	check_eq(58, RR("remuw", 0x10, 0xffffffff), 0x10);
	check_eq(59, RR("remw", 0xfffffff9, 0x100000002ull), -1ull);
}

int main(void)
{
	multiply();
	divide();
	divide_word();
	return 0;
}
