/* NaNs in F and D: NaN-boxing of single-precision values in 64-bit registers
 * (D extension, "NaN Boxing of Narrower Values"), canonical NaN results (F and
 * D, "NaN Generation and Propagation"), fmin/fmax as IEEE 754-2019
 * minimumNumber/maximumNumber (F, "Single-Precision Floating-Point
 * Computational Instructions"), quiet and signalling comparisons (F,
 * "Single-Precision Floating-Point Compare Instructions") and the ten fclass
 * classes (F, table "Format of result of FCLASS instruction"). */
#include "u_fp.h"

#define S_ONE     0x3f800000u
#define S_TWO     0x40000000u
#define S_M_ONE   0xbf800000u
#define S_INF     0x7f800000u
#define S_M_INF   0xff800000u
#define S_SNAN    0x7f800001u
#define S_QNAN_PL 0x7fc12345u      /* a quiet NaN with a payload */
#define S_M_QNAN  0xffc00000u      /* a negative quiet NaN */
#define S_M_ZERO  0x80000000u

#define D_ONE     0x3ff0000000000000ull
#define D_TWO     0x4000000000000000ull
#define D_INF     0x7ff0000000000000ull
#define D_M_INF   0xfff0000000000000ull
#define D_SNAN    0x7ff0000000000001ull
#define D_QNAN_PL 0x7ff8000012345678ull
#define D_M_ZERO  0x8000000000000000ull

/* A single-precision operand that is not NaN-boxed must be read as the
 * canonical NaN; transfers (flw, fsw, fmv.w.x, fmv.x.w) move bits unchecked
 * and box what they write. */
static void nan_boxing(void)
{
	uint32_t word = 0x3f800000, stored = 0;
	uint64_t reg;

	/* Upper half zero, or one bit short of all ones: not boxed. */
	fp_check(1, FP_OP2("fadd.s", RM_RNE, 0x000000003f800000ull, BOX(S_ONE)), BOX(F32_QNAN), 0);
	fp_check(2, FP_OP2("fadd.s", RM_RNE, 0xfffffffe3f800000ull, BOX(S_ONE)), BOX(F32_QNAN), 0);
	fp_check(3, FP_OP2("fmul.s", RM_RNE, BOX(S_TWO), 0x7fffffff40000000ull), BOX(F32_QNAN), 0);
	/* A boxed operand is used as is. */
	fp_check(4, FP_OP2("fadd.s", RM_RNE, BOX(S_ONE), BOX(S_ONE)), BOX(S_TWO), 0);
	/* fsgnj.s: an unboxed rs1 becomes the canonical NaN, which then takes
	 * rs2's sign; an unboxed rs2 gives the canonical NaN's positive sign. */
	fp_check(5, FP_OP2("fsgnj.s", RM_NONE, 0x000000003f800000ull, BOX(S_M_ONE)),
		 BOX(0xffc00000), 0);
	fp_check(6, FP_OP2("fsgnj.s", RM_NONE, BOX(S_M_ONE), 0x00000000bf800000ull),
		 BOX(S_ONE), 0);
	fp_check(7, FP_OP2("fsgnjx.s", RM_NONE, BOX(S_M_ONE), 0x12345678ffffffffull),
		 BOX(S_M_ONE), 0);
	/* fclass.s, fcvt.d.s, fcvt.w.s and feq.s see the canonical NaN too. */
	fp_check(8, FP_TO_X("fclass.s", RM_NONE, 0x00000000ff800000ull), 1 << 9, 0);
	fp_check(9, FP_OP1("fcvt.d.s", RM_NONE, 0x0000000000000000ull), F64_QNAN, 0);
	fp_check(10, FP_TO_X("fcvt.w.s", RM_RTZ, 0x0000000000000000ull), 0x7fffffff, NV);
	fp_check(11, FP_CMP("feq.s", 0x000000003f800000ull, 0x000000003f800000ull), 0, 0);

	/* flw and fmv.w.x write a boxed value; fmv.w.x uses rs1[31:0]. */
	__asm__ volatile("flw ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(reg) : "m"(word) : "ft0");
	CHECK(reg == BOX(0x3f800000), 12);
	fp_check(13, FP_FROM_X("fmv.w.x", RM_NONE, 0x123456783f800000ull), BOX(S_ONE), 0);
	fp_check(14, FP_FROM_X("fmv.w.x", RM_NONE, 0x7f800001u), BOX(S_SNAN), 0);
	/* Single-precision results are boxed (checked by every BOX() above);
	 * fsw and fmv.x.w transfer the low 32 bits of an unboxed register. */
	__asm__ volatile("fmv.d.x ft0, %1\n\tfsw ft0, %0" : "=m"(stored)
			 : "r"(0x000000003f800000ull) : "ft0");
	CHECK(stored == 0x3f800000, 15);
	/* fmv.x.w fills the upper half with the value's sign (F, "Single-
	 * Precision Floating-Point Conversion and Move Instructions"). */
	fp_check(16, FP_TO_X("fmv.x.w", RM_NONE, 0x123456789abcdef0ull), 0xffffffff9abcdef0ull, 0);
	fp_check(17, FP_TO_X("fmv.x.w", RM_NONE, BOX(0x7fffffff)), 0x7fffffff, 0);
	fp_check(18, FP_TO_X("fmv.x.w", RM_NONE, BOX(S_M_ZERO)), 0xffffffff80000000ull, 0);
	/* fmv.x.w does not canonicalise a signalling NaN. */
	fp_check(19, FP_TO_X("fmv.x.w", RM_NONE, BOX(S_SNAN)), S_SNAN, 0);
}

/* Every NaN result is the canonical NaN: positive, payload cleared. */
static void canonical_nan(void)
{
	fp_check(20, FP_OP2("fadd.s", RM_RNE, BOX(S_INF), BOX(S_M_INF)), BOX(F32_QNAN), NV);
	fp_check(21, FP_OP2("fsub.d", RM_RNE, D_INF, D_INF), F64_QNAN, NV);
	fp_check(22, FP_OP2("fmul.d", RM_RNE, 0, D_M_INF), F64_QNAN, NV);
	fp_check(23, FP_OP2("fdiv.s", RM_RNE, BOX(0), BOX(S_M_ZERO)), BOX(F32_QNAN), NV);
	fp_check(24, FP_OP2("fdiv.d", RM_RNE, D_INF, D_M_INF), F64_QNAN, NV);
	/* Quiet NaN operands propagate as the canonical NaN, without NV... */
	fp_check(25, FP_OP2("fadd.s", RM_RNE, BOX(S_QNAN_PL), BOX(S_ONE)), BOX(F32_QNAN), 0);
	fp_check(26, FP_OP2("fmul.s", RM_RNE, BOX(S_ONE), BOX(S_M_QNAN)), BOX(F32_QNAN), 0);
	fp_check(27, FP_OP2("fsub.d", RM_RNE, D_ONE, D_QNAN_PL), F64_QNAN, 0);
	fp_check(28, FP_OP1("fsqrt.d", RM_RNE, D_QNAN_PL | D_M_ZERO), F64_QNAN, 0);
	/* ...signalling ones with NV. */
	fp_check(29, FP_OP2("fadd.s", RM_RNE, BOX(S_SNAN), BOX(S_ONE)), BOX(F32_QNAN), NV);
	fp_check(30, FP_OP2("fdiv.d", RM_RNE, D_ONE, D_SNAN), F64_QNAN, NV);
	fp_check(31, FP_OP3("fmadd.s", RM_RNE, BOX(S_ONE), BOX(S_ONE), BOX(S_SNAN)),
		 BOX(F32_QNAN), NV);
	/* Conversions between formats do not keep the payload either. */
	fp_check(32, FP_OP1("fcvt.s.d", RM_RNE, D_QNAN_PL), BOX(F32_QNAN), 0);
	fp_check(33, FP_OP1("fcvt.d.s", RM_NONE, BOX(S_QNAN_PL)), F64_QNAN, 0);
	fp_check(34, FP_OP1("fcvt.d.s", RM_NONE, BOX(S_SNAN)), F64_QNAN, NV);
	fp_check(35, FP_OP1("fcvt.s.d", RM_RNE, D_SNAN), BOX(F32_QNAN), NV);
	/* Sign injection is not arithmetic: NaN bits pass through untouched,
	 * signalling or not, and no flag is raised. */
	fp_check(36, FP_OP2("fsgnjn.s", RM_NONE, BOX(S_SNAN), BOX(S_SNAN)), BOX(0xff800001), 0);
	fp_check(37, FP_OP2("fsgnjx.d", RM_NONE, D_QNAN_PL, D_M_ZERO), D_QNAN_PL | D_M_ZERO, 0);
}

/* minimumNumber/maximumNumber: a lone NaN loses, two NaNs give the canonical
 * NaN, signalling NaNs raise NV whatever the result, -0 < +0. */
static void min_max(void)
{
	fp_check(40, FP_OP2("fmin.s", RM_NONE, BOX(S_ONE), BOX(S_QNAN_PL)), BOX(S_ONE), 0);
	fp_check(41, FP_OP2("fmax.s", RM_NONE, BOX(S_QNAN_PL), BOX(S_M_ONE)), BOX(S_M_ONE), 0);
	fp_check(42, FP_OP2("fmin.s", RM_NONE, BOX(S_SNAN), BOX(S_ONE)), BOX(S_ONE), NV);
	fp_check(43, FP_OP2("fmax.s", RM_NONE, BOX(S_ONE), BOX(S_SNAN)), BOX(S_ONE), NV);
	fp_check(44, FP_OP2("fmin.s", RM_NONE, BOX(S_QNAN_PL), BOX(S_M_QNAN)), BOX(F32_QNAN), 0);
	fp_check(45, FP_OP2("fmax.s", RM_NONE, BOX(S_SNAN), BOX(S_QNAN_PL)), BOX(F32_QNAN), NV);
	fp_check(46, FP_OP2("fmin.s", RM_NONE, BOX(0), BOX(S_M_ZERO)), BOX(S_M_ZERO), 0);
	fp_check(47, FP_OP2("fmin.s", RM_NONE, BOX(S_M_ZERO), BOX(0)), BOX(S_M_ZERO), 0);
	fp_check(48, FP_OP2("fmax.s", RM_NONE, BOX(S_M_ZERO), BOX(0)), BOX(0), 0);
	fp_check(49, FP_OP2("fmax.s", RM_NONE, BOX(0), BOX(S_M_ZERO)), BOX(0), 0);
	fp_check(50, FP_OP2("fmin.s", RM_NONE, BOX(S_M_INF), BOX(S_ONE)), BOX(S_M_INF), 0);
	/* An unboxed operand is a (quiet) NaN, so the other one wins. */
	fp_check(51, FP_OP2("fmax.s", RM_NONE, 0x000000007f800000ull, BOX(S_ONE)), BOX(S_ONE), 0);

	fp_check(52, FP_OP2("fmin.d", RM_NONE, D_QNAN_PL, D_TWO), D_TWO, 0);
	fp_check(53, FP_OP2("fmax.d", RM_NONE, D_SNAN, D_TWO), D_TWO, NV);
	fp_check(54, FP_OP2("fmin.d", RM_NONE, D_SNAN, D_SNAN), F64_QNAN, NV);
	fp_check(55, FP_OP2("fmax.d", RM_NONE, D_QNAN_PL, D_QNAN_PL), F64_QNAN, 0);
	fp_check(56, FP_OP2("fmin.d", RM_NONE, 0, D_M_ZERO), D_M_ZERO, 0);
	fp_check(57, FP_OP2("fmax.d", RM_NONE, D_M_ZERO, 0), 0, 0);
	fp_check(58, FP_OP2("fmax.d", RM_NONE, D_ONE, D_INF), D_INF, 0);
	fp_check(59, FP_OP2("fmin.d", RM_NONE, D_ONE, D_TWO), D_ONE, 0);
}

/* feq is quiet (NV on sNaN only); flt and fle signal (NV on any NaN); any
 * NaN operand gives 0. */
static void compares(void)
{
	fp_check(60, FP_CMP("feq.s", BOX(S_QNAN_PL), BOX(S_ONE)), 0, 0);
	fp_check(61, FP_CMP("feq.s", BOX(S_QNAN_PL), BOX(S_QNAN_PL)), 0, 0);
	fp_check(62, FP_CMP("feq.s", BOX(S_ONE), BOX(S_SNAN)), 0, NV);
	fp_check(63, FP_CMP("flt.s", BOX(S_QNAN_PL), BOX(S_ONE)), 0, NV);
	fp_check(64, FP_CMP("flt.s", BOX(S_ONE), BOX(S_M_QNAN)), 0, NV);
	fp_check(65, FP_CMP("fle.s", BOX(S_QNAN_PL), BOX(S_ONE)), 0, NV);
	fp_check(66, FP_CMP("fle.s", BOX(S_SNAN), BOX(S_ONE)), 0, NV);
	fp_check(67, FP_CMP("feq.s", BOX(S_M_ZERO), BOX(0)), 1, 0);
	fp_check(68, FP_CMP("flt.s", BOX(S_M_ZERO), BOX(0)), 0, 0);
	fp_check(69, FP_CMP("fle.s", BOX(0), BOX(S_M_ZERO)), 1, 0);
	fp_check(70, FP_CMP("flt.s", BOX(S_M_INF), BOX(S_M_ONE)), 1, 0);
	fp_check(71, FP_CMP("fle.s", BOX(S_TWO), BOX(S_ONE)), 0, 0);

	fp_check(72, FP_CMP("feq.d", D_QNAN_PL, D_QNAN_PL), 0, 0);
	fp_check(73, FP_CMP("feq.d", D_SNAN, D_ONE), 0, NV);
	fp_check(74, FP_CMP("flt.d", D_ONE, D_QNAN_PL), 0, NV);
	fp_check(75, FP_CMP("fle.d", D_QNAN_PL, D_QNAN_PL), 0, NV);
	fp_check(76, FP_CMP("feq.d", D_M_ZERO, 0), 1, 0);
	fp_check(77, FP_CMP("fle.d", D_M_ZERO, 0), 1, 0);
	fp_check(78, FP_CMP("flt.d", D_ONE, D_TWO), 1, 0);
	fp_check(79, FP_CMP("flt.d", D_TWO, D_TWO), 0, 0);
	fp_check(80, FP_CMP("fle.d", D_TWO, D_TWO), 1, 0);
	fp_check(81, FP_CMP("feq.d", D_INF, D_INF), 1, 0);
}

/* fclass sets exactly one of ten bits and never raises a flag. */
static void classify(void)
{
	static const struct { uint32_t s; uint64_t d; } value[10] = {
		{ 0xff800000, 0xfff0000000000000ull }, /* -inf */
		{ 0xbf800000, 0xbff0000000000000ull }, /* negative normal */
		{ 0x807fffff, 0x800fffffffffffffull }, /* negative subnormal */
		{ 0x80000000, 0x8000000000000000ull }, /* -0 */
		{ 0x00000000, 0x0000000000000000ull }, /* +0 */
		{ 0x00000001, 0x0000000000000001ull }, /* positive subnormal */
		{ 0x00800000, 0x0010000000000000ull }, /* positive normal (smallest) */
		{ 0x7f800000, 0x7ff0000000000000ull }, /* +inf */
		{ 0x7fbfffff, 0x7ff7ffffffffffffull }, /* signalling NaN */
		{ 0xffc00001, 0xfff8000000000001ull }, /* quiet NaN (negative) */
	};

	for (int i = 0; i < 10; i++) {
		fp_check(90 + i, FP_TO_X("fclass.s", RM_NONE, BOX(value[i].s)), 1u << i, 0);
		fp_check(100 + i, FP_TO_X("fclass.d", RM_NONE, value[i].d), 1u << i, 0);
	}
}

int main(void)
{
	nan_boxing();
	canonical_nan();
	min_max();
	compares();
	classify();
	return 0;
}
