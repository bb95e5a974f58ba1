/* F and D conversions (unprivileged spec, F extension, "Single-Precision
 * Floating-Point Conversion and Move Instructions", table "Domains of
 * float-to-integer conversions and behavior for invalid inputs"; D extension,
 * "Double-Precision Floating-Point Conversion and Move Instructions"):
 * float-to-integer results saturate with NV (NaN gives the largest value),
 * the rounded value decides whether an input is in range (so -0.5 converts
 * to unsigned 0 with NX only unless it rounds to -1), NX is raised only
 * without NV, 32-bit results are sign-extended (also FCVT.WU), the W forms
 * read only rs1[31:0], and fcvt.s.d rounds by rm with OF, UF and NX. */
#include "u_fp.h"

#define S_QNAN   0x7fc00000u
#define S_SNAN   0x7f800001u
#define S_INF    0x7f800000u
#define S_M_INF  0xff800000u
#define S_M_ONE  0xbf800000u
#define S_M_HALF 0xbf000000u
#define S_2P31   0x4f000000u      /* 2^31 */
#define S_M2P31  0xcf000000u      /* -2^31 */
#define S_3P2P31 0x4f400000u      /* 1.5 * 2^31 = 0xc0000000 */
#define S_2P32   0x4f800000u
#define S_2P32M  0x4f7fffffu      /* 2^32 - 256 */
#define S_2P63   0x5f000000u
#define S_M2P63  0xdf000000u
#define S_2P64   0x5f800000u

#define D_QNAN   0x7ff8000000000000ull
#define D_INF    0x7ff0000000000000ull
#define D_M_INF  0xfff0000000000000ull
#define D_M_ONE  0xbff0000000000000ull
#define D_M_HALF 0xbfe0000000000000ull
#define D_W_MAX_HALF  0x41dfffffffe00000ull  /* 2^31 - 0.5 */
#define D_W_MIN_HALF  0xc1e0000000100000ull  /* -2^31 - 0.5 */
#define D_WU_MAX_HALF 0x41effffffff00000ull  /* 2^32 - 0.5 */
#define D_2P63   0x43e0000000000000ull
#define D_M2P63  0xc3e0000000000000ull
#define D_2P63M  0x43dfffffffffffffull       /* 2^63 - 1024 */
#define D_2P64   0x43f0000000000000ull
#define D_2P64M  0x43efffffffffffffull       /* 2^64 - 2048 */

#define I32_MAX  0x7fffffffull
#define I32_MIN  0xffffffff80000000ull       /* -2^31 sign-extended */
#define U32_MAX  0xffffffffffffffffull       /* 2^32 - 1 sign-extended */
#define I64_MAX  0x7fffffffffffffffull
#define I64_MIN  0x8000000000000000ull
#define U64_MAX  0xffffffffffffffffull

static void single_to_int(void)
{
	fp_check(1, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_QNAN)), I32_MAX, NV);
	fp_check(2, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_SNAN | 0x80000000u)), I32_MAX, NV);
	fp_check(3, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_INF)), I32_MAX, NV);
	fp_check(4, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_M_INF)), I32_MIN, NV);
	fp_check(5, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_2P31)), I32_MAX, NV);
	fp_check(6, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_M2P31)), I32_MIN, 0);
	fp_check(7, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_M2P31 + 1)), I32_MIN, NV);
	fp_check(8, FP_TO_X("fcvt.w.s", RM_RTZ, BOX(S_3P2P31)), I32_MAX, NV);

	fp_check(10, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_QNAN)), U32_MAX, NV);
	fp_check(11, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_INF)), U32_MAX, NV);
	fp_check(12, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_M_INF)), 0, NV);
	fp_check(13, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_M_ONE)), 0, NV);
	fp_check(14, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_2P32)), U32_MAX, NV);
	/* In range, with bit 31 set: still sign-extended. */
	fp_check(15, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_3P2P31)), 0xffffffffc0000000ull, 0);
	fp_check(16, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_2P32M)), 0xffffffffffffff00ull, 0);
	/* -0.5 rounds to -0 (RTZ, RNE, RUP): representable, NX only; to -1
	 * (RDN, RMM): out of range, 0 with NV only. */
	fp_check(17, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(S_M_HALF)), 0, NX);
	fp_check(18, FP_TO_X("fcvt.wu.s", RM_RNE, BOX(S_M_HALF)), 0, NX);
	fp_check(19, FP_TO_X("fcvt.wu.s", RM_RUP, BOX(S_M_HALF)), 0, NX);
	fp_check(20, FP_TO_X("fcvt.wu.s", RM_RDN, BOX(S_M_HALF)), 0, NV);
	fp_check(21, FP_TO_X("fcvt.wu.s", RM_RMM, BOX(S_M_HALF)), 0, NV);
	fp_check(22, FP_TO_X("fcvt.wu.s", RM_RTZ, BOX(0x80000000u)), 0, 0);

	fp_check(25, FP_TO_X("fcvt.l.s", RM_RTZ, BOX(S_QNAN)), I64_MAX, NV);
	fp_check(26, FP_TO_X("fcvt.l.s", RM_RTZ, BOX(S_M_INF)), I64_MIN, NV);
	fp_check(27, FP_TO_X("fcvt.l.s", RM_RTZ, BOX(S_2P63)), I64_MAX, NV);
	fp_check(28, FP_TO_X("fcvt.l.s", RM_RTZ, BOX(S_M2P63)), I64_MIN, 0);
	fp_check(29, FP_TO_X("fcvt.l.s", RM_RNE, BOX(S_M_HALF)), 0, NX);

	fp_check(30, FP_TO_X("fcvt.lu.s", RM_RTZ, BOX(S_SNAN)), U64_MAX, NV);
	fp_check(31, FP_TO_X("fcvt.lu.s", RM_RTZ, BOX(S_M_INF)), 0, NV);
	fp_check(32, FP_TO_X("fcvt.lu.s", RM_RTZ, BOX(S_M_ONE)), 0, NV);
	fp_check(33, FP_TO_X("fcvt.lu.s", RM_RTZ, BOX(S_2P64)), U64_MAX, NV);
	fp_check(34, FP_TO_X("fcvt.lu.s", RM_RTZ, BOX(S_2P63)), 0x8000000000000000ull, 0);
	fp_check(35, FP_TO_X("fcvt.lu.s", RM_RTZ, BOX(S_M_HALF)), 0, NX);
}

static void double_to_int(void)
{
	fp_check(40, FP_TO_X("fcvt.w.d", RM_RTZ, D_QNAN), I32_MAX, NV);
	fp_check(41, FP_TO_X("fcvt.w.d", RM_RTZ, D_M_INF), I32_MIN, NV);
	/* 2^31 - 0.5: truncates into range, rounds to nearest out of it. */
	fp_check(42, FP_TO_X("fcvt.w.d", RM_RTZ, D_W_MAX_HALF), I32_MAX, NX);
	fp_check(43, FP_TO_X("fcvt.w.d", RM_RNE, D_W_MAX_HALF), I32_MAX, NV);
	/* -2^31 - 0.5: a tie whose even neighbour -2^31 is in range. */
	fp_check(44, FP_TO_X("fcvt.w.d", RM_RNE, D_W_MIN_HALF), I32_MIN, NX);
	fp_check(45, FP_TO_X("fcvt.w.d", RM_RMM, D_W_MIN_HALF), I32_MIN, NV);
	fp_check(46, FP_TO_X("fcvt.w.d", RM_RDN, D_W_MIN_HALF), I32_MIN, NV);

	fp_check(50, FP_TO_X("fcvt.wu.d", RM_RTZ, D_M_HALF), 0, NX);
	fp_check(51, FP_TO_X("fcvt.wu.d", RM_RDN, D_M_HALF), 0, NV);
	fp_check(52, FP_TO_X("fcvt.wu.d", RM_RTZ, D_WU_MAX_HALF), U32_MAX, NX);
	fp_check(53, FP_TO_X("fcvt.wu.d", RM_RUP, D_WU_MAX_HALF), U32_MAX, NV);
	fp_check(54, FP_TO_X("fcvt.wu.d", RM_RTZ, D_INF), U32_MAX, NV);
	fp_check(55, FP_TO_X("fcvt.wu.d", RM_RTZ, D_M_ONE), 0, NV);

	fp_check(60, FP_TO_X("fcvt.l.d", RM_RTZ, D_QNAN), I64_MAX, NV);
	fp_check(61, FP_TO_X("fcvt.l.d", RM_RTZ, D_2P63), I64_MAX, NV);
	fp_check(62, FP_TO_X("fcvt.l.d", RM_RTZ, D_M2P63), I64_MIN, 0);
	fp_check(63, FP_TO_X("fcvt.l.d", RM_RTZ, D_2P63M), 0x7ffffffffffffc00ull, 0);
	fp_check(64, FP_TO_X("fcvt.l.d", RM_RTZ, D_M_INF), I64_MIN, NV);

	fp_check(70, FP_TO_X("fcvt.lu.d", RM_RTZ, D_QNAN), U64_MAX, NV);
	fp_check(71, FP_TO_X("fcvt.lu.d", RM_RTZ, D_M_INF), 0, NV);
	fp_check(72, FP_TO_X("fcvt.lu.d", RM_RTZ, D_2P64), U64_MAX, NV);
	fp_check(73, FP_TO_X("fcvt.lu.d", RM_RTZ, D_2P64M), 0xfffffffffffff800ull, 0);
	fp_check(74, FP_TO_X("fcvt.lu.d", RM_RTZ, D_M_ONE), 0, NV);
	fp_check(75, FP_TO_X("fcvt.lu.d", RM_RTZ, D_M_HALF), 0, NX);
}

static void int_to_float(void)
{
	/* 2^31 - 1 needs 31 bits: single precision rounds it. */
	fp_check(80, FP_FROM_X("fcvt.s.w", RM_RNE, 0x7fffffff), BOX(0x4f000000), NX);
	fp_check(81, FP_FROM_X("fcvt.s.w", RM_RTZ, 0x7fffffff), BOX(0x4effffff), NX);
	/* The W forms read rs1[31:0] only. */
	fp_check(82, FP_FROM_X("fcvt.s.w", RM_RNE, 0x0000000080000000ull), BOX(0xcf000000), 0);
	fp_check(83, FP_FROM_X("fcvt.s.wu", RM_RNE, 0xffffffffffffffffull), BOX(0x4f800000), NX);
	fp_check(84, FP_FROM_X("fcvt.s.wu", RM_RTZ, 0xffffffffffffffffull), BOX(0x4f7fffff), NX);
	fp_check(85, FP_FROM_X("fcvt.s.wu", RM_RNE, 0x1234567800000001ull), BOX(0x3f800000), 0);
	fp_check(86, FP_FROM_X("fcvt.s.w", RM_RNE, 0), BOX(0), 0);
	fp_check(87, FP_FROM_X("fcvt.s.l", RM_RNE, -1ull), BOX(0xbf800000), 0);
	fp_check(88, FP_FROM_X("fcvt.s.l", RM_RNE, 0x8000000000000000ull), BOX(0xdf000000), 0);
	fp_check(89, FP_FROM_X("fcvt.s.lu", RM_RNE, 0xffffffffffffffffull), BOX(0x5f800000), NX);
	fp_check(90, FP_FROM_X("fcvt.s.lu", RM_RTZ, 0xffffffffffffffffull), BOX(0x5f7fffff), NX);
	/* 2^53 + 1 needs 54 bits: a tie between 2^53 and 2^53 + 2. */
	fp_check(91, FP_FROM_X("fcvt.d.l", RM_RNE, 0x0020000000000001ull), 0x4340000000000000ull, NX);
	fp_check(92, FP_FROM_X("fcvt.d.l", RM_RUP, 0x0020000000000001ull), 0x4340000000000001ull, NX);
	fp_check(93, FP_FROM_X("fcvt.d.lu", RM_RNE, 0xffffffffffffffffull), D_2P64, NX);
	fp_check(94, FP_FROM_X("fcvt.d.lu", RM_RTZ, 0xffffffffffffffffull), D_2P64M, NX);
	fp_check(95, FP_FROM_X("fcvt.d.w", RM_NONE, 0x1234567880000000ull), 0xc1e0000000000000ull, 0);
	fp_check(96, FP_FROM_X("fcvt.d.wu", RM_NONE, 0xffffffff80000000ull), 0x41e0000000000000ull, 0);
	fp_check(97, FP_FROM_X("fcvt.d.l", RM_RNE, 0x8000000000000000ull), D_M2P63, 0);
}

/* Narrowing rounds by rm and can overflow or underflow; widening is exact. */
static void between_formats(void)
{
	/* 1 + 2^-24: a tie between 1.0 and 1 + 2^-23 */
	fp_check(100, FP_OP1("fcvt.s.d", RM_RNE, 0x3ff0000010000000ull), BOX(0x3f800000), NX);
	fp_check(101, FP_OP1("fcvt.s.d", RM_RUP, 0x3ff0000010000000ull), BOX(0x3f800001), NX);
	fp_check(102, FP_OP1("fcvt.s.d", RM_RMM, 0x3ff0000010000000ull), BOX(0x3f800001), NX);
	fp_check(103, FP_OP1("fcvt.s.d", RM_RNE, 0x3ff0000010000001ull), BOX(0x3f800001), NX);
	fp_check(104, FP_OP1("fcvt.s.d", RM_RDN, 0xbff0000010000000ull), BOX(0xbf800001), NX);
	/* 2^128 overflows: inf or the largest finite value by mode. */
	fp_check(105, FP_OP1("fcvt.s.d", RM_RNE, 0x47f0000000000000ull), BOX(0x7f800000), OF | NX);
	fp_check(106, FP_OP1("fcvt.s.d", RM_RTZ, 0x47f0000000000000ull), BOX(0x7f7fffff), OF | NX);
	fp_check(107, FP_OP1("fcvt.s.d", RM_RUP, 0xc7f0000000000000ull), BOX(0xff7fffff), OF | NX);
	fp_check(108, FP_OP1("fcvt.s.d", RM_RDN, 0xc7f0000000000000ull), BOX(0xff800000), OF | NX);
	/* 2^-150 is half the smallest subnormal: tiny and inexact. */
	fp_check(109, FP_OP1("fcvt.s.d", RM_RNE, 0x3690000000000000ull), BOX(0), UF | NX);
	fp_check(110, FP_OP1("fcvt.s.d", RM_RUP, 0x3690000000000000ull), BOX(1), UF | NX);
	/* 2^-140 is a subnormal single, exact: tiny but no UF. */
	fp_check(111, FP_OP1("fcvt.s.d", RM_RNE, 0x3730000000000000ull), BOX(0x200), 0);
	fp_check(112, FP_OP1("fcvt.s.d", RM_RNE, D_M_INF), BOX(0xff800000), 0);
	fp_check(113, FP_OP1("fcvt.s.d", RM_RNE, 0x8000000000000000ull), BOX(0x80000000), 0);

	fp_check(120, FP_OP1("fcvt.d.s", RM_NONE, BOX(0x00000001)), 0x36a0000000000000ull, 0);
	fp_check(121, FP_OP1("fcvt.d.s", RM_NONE, BOX(0x3fb504f3)), 0x3ff6a09e60000000ull, 0);
	fp_check(122, FP_OP1("fcvt.d.s", RM_NONE, BOX(S_M_INF)), D_M_INF, 0);
	fp_check(123, FP_OP1("fcvt.d.s", RM_NONE, BOX(0x80000000)), 0x8000000000000000ull, 0);
}

int main(void)
{
	single_to_int();
	double_to_int();
	int_to_float();
	between_formats();
	return 0;
}
