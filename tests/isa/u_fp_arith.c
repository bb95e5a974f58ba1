/* F and D arithmetic exceptions and fused multiply-add (unprivileged spec, F
 * extension, "Single-Precision Floating-Point Computational Instructions" and
 * "Subnormal Arithmetic"; D extension likewise): the fused forms round once,
 * inf * 0 + qNaN raises NV, x / 0 raises DZ, overflow gives OF|NX with a
 * result set by the rounding mode, tiny inexact results give UF|NX with
 * tininess detected after rounding, and sqrt of a negative number raises NV. */
#include "u_fp.h"

#define D_ONE_PLUS  0x3ff0000000000001ull  /* 1 + 2^-52 */
#define D_ONE_MINUS 0x3feffffffffffffeull  /* 1 - 2^-52 */
#define D_ONE       0x3ff0000000000000ull
#define D_M_ONE     0xbff0000000000000ull
#define D_2P_104    0x3970000000000000ull  /* 2^-104 */
#define D_MAX       0x7fefffffffffffffull
#define D_TWO       0x4000000000000000ull
#define D_INF       0x7ff0000000000000ull
#define D_M_INF     0xfff0000000000000ull
#define D_M_ZERO    0x8000000000000000ull
#define D_QNAN      0x7ff8000000000000ull

#define S_ONE_PLUS  0x3f800001u            /* 1 + 2^-23 */
#define S_ONE_MINUS 0x3f7ffffeu            /* 1 - 2^-23 */
#define S_ONE       0x3f800000u
#define S_M_ONE     0xbf800000u
#define S_HALF      0x3f000000u
#define S_TWO       0x40000000u
#define S_MAX       0x7f7fffffu
#define S_M_MAX     0xff7fffffu
#define S_INF       0x7f800000u
#define S_M_INF     0xff800000u
#define S_M_ZERO    0x80000000u
#define S_QNAN      0x7fc00000u

/* (1 + 2^-52)(1 - 2^-52) = 1 - 2^-104 exactly. Rounded on its own it is 1.0,
 * so mul-then-add gives 0; fused gives -2^-104 exactly, with no flag. */
static void fused(void)
{
	struct fp_res prod = FP_OP2("fmul.d", RM_RNE, D_ONE_PLUS, D_ONE_MINUS);

	fp_check(1, prod, D_ONE, NX);
	fp_check(2, FP_OP2("fadd.d", RM_RNE, prod.v, D_M_ONE), 0, 0);
	fp_check(3, FP_OP3("fmadd.d", RM_RNE, D_ONE_PLUS, D_ONE_MINUS, D_M_ONE),
		 D_2P_104 | D_M_ZERO, 0);
	fp_check(4, FP_OP3("fmsub.d", RM_RNE, D_ONE_PLUS, D_ONE_MINUS, D_ONE),
		 D_2P_104 | D_M_ZERO, 0);
	/* fnmsub: -(a*b) + c; fnmadd: -(a*b) - c */
	fp_check(5, FP_OP3("fnmsub.d", RM_RNE, D_ONE_PLUS, D_ONE_MINUS, D_ONE), D_2P_104, 0);
	fp_check(6, FP_OP3("fnmadd.d", RM_RNE, D_ONE_PLUS, D_ONE_MINUS, D_M_ONE), D_2P_104, 0);
	/* Single: (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 = 0xa8800000. */
	fp_check(7, FP_OP3("fmadd.s", RM_RNE, BOX(S_ONE_PLUS), BOX(S_ONE_MINUS), BOX(S_M_ONE)),
		 BOX(0xa8800000), 0);
	fp_check(8, FP_OP3("fnmadd.s", RM_RNE, BOX(S_ONE_PLUS), BOX(S_ONE_MINUS), BOX(S_M_ONE)),
		 BOX(0x28800000), 0);
	fp_check(9, FP_OP3("fmsub.s", RM_RNE, BOX(S_ONE_PLUS), BOX(S_ONE_MINUS), BOX(S_ONE)),
		 BOX(0xa8800000), 0);
	fp_check(10, FP_OP3("fnmsub.s", RM_RNE, BOX(S_ONE_PLUS), BOX(S_ONE_MINUS), BOX(S_ONE)),
		 BOX(0x28800000), 0);
	/* An exact zero sum is +0 except when rounding down (IEEE 754 6.3). */
	fp_check(11, FP_OP3("fmadd.d", RM_RNE, D_ONE, D_ONE, D_M_ONE), 0, 0);
	fp_check(12, FP_OP3("fmadd.d", RM_RDN, D_ONE, D_ONE, D_M_ONE), D_M_ZERO, 0);
	/* inf * 0 + qNaN must raise NV (F, fused multiply-add paragraph). */
	fp_check(13, FP_OP3("fmadd.d", RM_RNE, D_INF, 0, D_QNAN), D_QNAN, NV);
	fp_check(14, FP_OP3("fmadd.s", RM_RNE, BOX(0), BOX(S_M_INF), BOX(S_QNAN)),
		 BOX(S_QNAN), NV);
	/* inf - inf inside a fused operation */
	fp_check(15, FP_OP3("fmadd.d", RM_RNE, D_INF, D_ONE, D_M_INF), D_QNAN, NV);
	/* The product overflows on its own but the fused result does not:
	 * max * 2 - max = max. */
	fp_check(16, FP_OP3("fmsub.d", RM_RNE, D_MAX, D_TWO, D_MAX), D_MAX, 0);
}

static void divide_by_zero(void)
{
	fp_check(20, FP_OP2("fdiv.s", RM_RNE, BOX(S_ONE), BOX(0)), BOX(S_INF), DZ);
	fp_check(21, FP_OP2("fdiv.s", RM_RNE, BOX(S_M_ONE), BOX(0)), BOX(S_M_INF), DZ);
	fp_check(22, FP_OP2("fdiv.d", RM_RNE, D_ONE, D_M_ZERO), D_M_INF, DZ);
	fp_check(23, FP_OP2("fdiv.d", RM_RTZ, D_M_ONE, D_M_ZERO), D_INF, DZ);
	/* 0/0 is invalid, not a division by zero; inf/0 is exact inf. */
	fp_check(24, FP_OP2("fdiv.d", RM_RNE, 0, 0), D_QNAN, NV);
	fp_check(25, FP_OP2("fdiv.d", RM_RNE, D_INF, 0), D_INF, 0);
}

/* The largest finite value times 2, in each mode (IEEE 754 7.4): to nearest
 * gives inf; towards zero the largest finite; directed modes depend on sign. */
static void overflow(void)
{
	fp_check(30, FP_OP2("fmul.s", RM_RNE, BOX(S_MAX), BOX(S_TWO)), BOX(S_INF), OF | NX);
	fp_check(31, FP_OP2("fmul.s", RM_RTZ, BOX(S_MAX), BOX(S_TWO)), BOX(S_MAX), OF | NX);
	fp_check(32, FP_OP2("fmul.s", RM_RDN, BOX(S_MAX), BOX(S_TWO)), BOX(S_MAX), OF | NX);
	fp_check(33, FP_OP2("fmul.s", RM_RUP, BOX(S_MAX), BOX(S_TWO)), BOX(S_INF), OF | NX);
	fp_check(34, FP_OP2("fmul.s", RM_RMM, BOX(S_MAX), BOX(S_TWO)), BOX(S_INF), OF | NX);
	fp_check(35, FP_OP2("fmul.s", RM_RDN, BOX(S_M_MAX), BOX(S_TWO)), BOX(S_M_INF), OF | NX);
	fp_check(36, FP_OP2("fmul.s", RM_RUP, BOX(S_M_MAX), BOX(S_TWO)), BOX(S_M_MAX), OF | NX);
	fp_check(37, FP_OP2("fmul.s", RM_RTZ, BOX(S_M_MAX), BOX(S_TWO)), BOX(S_M_MAX), OF | NX);
	fp_check(38, FP_OP2("fadd.d", RM_RNE, D_MAX, D_MAX), D_INF, OF | NX);
	fp_check(39, FP_OP2("fadd.d", RM_RTZ, D_MAX, D_MAX), D_MAX, OF | NX);
	fp_check(40, FP_OP2("fmul.d", RM_RDN, D_MAX | D_M_ZERO, D_TWO), D_M_INF, OF | NX);
	fp_check(41, FP_OP2("fdiv.d", RM_RUP, D_MAX | D_M_ZERO, 0x3fe0000000000000ull),
		 D_MAX | D_M_ZERO, OF | NX);
	/* The largest value plus 1.0 is inexact but does not overflow. */
	fp_check(42, FP_OP2("fadd.s", RM_RTZ, BOX(S_MAX), BOX(S_ONE)), BOX(S_MAX), NX);
}

static void underflow(void)
{
	/* 2^-126 (1 + 2^-23) * 0.5 = 2^-127 + 2^-150: half way between two
	 * subnormals (grid 2^-149), tiny and inexact. */
	fp_check(50, FP_OP2("fmul.s", RM_RNE, BOX(0x00800001), BOX(S_HALF)), BOX(0x00400000), UF | NX);
	fp_check(51, FP_OP2("fmul.s", RM_RUP, BOX(0x00800001), BOX(S_HALF)), BOX(0x00400001), UF | NX);
	/* 2^-100 * 2^-30 = 2^-130 is a subnormal, exact: tiny but no UF. */
	fp_check(52, FP_OP2("fmul.s", RM_RNE, BOX(0x0d800000), BOX(0x30800000)), BOX(0x00080000), 0);
	/* Smallest subnormal / 2: rounds to 0 or back to it. */
	fp_check(53, FP_OP2("fmul.d", RM_RNE, 1, 0x3fe0000000000000ull), 0, UF | NX);
	fp_check(54, FP_OP2("fmul.d", RM_RUP, 1, 0x3fe0000000000000ull), 1, UF | NX);
	fp_check(55, FP_OP2("fdiv.d", RM_RDN, 0x8000000000000001ull, D_TWO), 0x8000000000000001ull,
		 UF | NX);
	/* 2^-63 (1 + 2^-13) * 2^-63 (1 - 2^-13) = 2^-126 (1 - 2^-26). With an
	 * unbounded exponent it rounds to nearest as 2^-126, which is not tiny:
	 * NX only, result the smallest normal. Truncated it is 2^-126 - 2^-150,
	 * tiny: UF|NX, result the largest subnormal. */
	fp_check(56, FP_OP2("fmul.s", RM_RNE, BOX(0x20000400), BOX(0x1ffff800)), BOX(0x00800000), NX);
	fp_check(57, FP_OP2("fmul.s", RM_RTZ, BOX(0x20000400), BOX(0x1ffff800)), BOX(0x007fffff), UF | NX);
	/* Subnormal operands are not flushed: 2^-149 + 2^-149. */
	fp_check(58, FP_OP2("fadd.s", RM_RNE, BOX(1), BOX(1)), BOX(2), 0);
	fp_check(59, FP_OP2("fsub.d", RM_RNE, 0x0010000000000000ull, 1), 0x000fffffffffffffull, 0);
}

static void square_root(void)
{
	fp_check(60, FP_OP1("fsqrt.s", RM_RNE, BOX(S_M_ONE)), BOX(S_QNAN), NV);
	fp_check(61, FP_OP1("fsqrt.d", RM_RNE, D_M_INF), D_QNAN, NV);
	fp_check(62, FP_OP1("fsqrt.d", RM_RNE, 0x8000000000000001ull), D_QNAN, NV);
	/* sqrt(-0) = -0 without a flag (IEEE 754 5.4.1). */
	fp_check(63, FP_OP1("fsqrt.d", RM_RNE, D_M_ZERO), D_M_ZERO, 0);
	fp_check(64, FP_OP1("fsqrt.s", RM_RNE, BOX(S_M_ZERO)), BOX(S_M_ZERO), 0);
	fp_check(65, FP_OP1("fsqrt.d", RM_RNE, 0x4010000000000000ull), D_TWO, 0);
	fp_check(66, FP_OP1("fsqrt.d", RM_RNE, D_INF), D_INF, 0);
	/* sqrt(2) lies between 0x3ff6a09e667f3bcc and ...bcd, nearer ...bcd. */
	fp_check(67, FP_OP1("fsqrt.d", RM_RNE, D_TWO), 0x3ff6a09e667f3bcdull, NX);
	fp_check(68, FP_OP1("fsqrt.d", RM_RTZ, D_TWO), 0x3ff6a09e667f3bccull, NX);
	/* sqrt(0.25) = 0.5 exactly */
	fp_check(69, FP_OP1("fsqrt.s", RM_RNE, BOX(0x3e800000)), BOX(S_HALF), 0);
}

int main(void)
{
	fused();
	divide_by_zero();
	overflow();
	underflow();
	square_root();
	return 0;
}
