/* Tests of the software FPU (cpu/fpu.h): hand-picked edge cases with their
 * exact results and flags, then a randomized comparison with the host's own
 * IEEE arithmetic in the four rounding modes the host has. */
#include <fenv.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/fpu.h"

static unsigned long hand_picked_cases;
static unsigned long random_cases;
static unsigned long random_flag_counts[5]; /* by fflags bit */

/* Evaluates `call`, which passes `&fl` as its flags argument, and checks both
 * the raw result and the exact set of flags raised. */
#define EXPECT(call, want, want_flags)                                                     \
	do {                                                                                \
		unsigned fl = 0;                                                            \
		uint64_t got_ = (uint64_t)(call);                                           \
		hand_picked_cases++;                                                        \
		if (got_ != (uint64_t)(want) || fl != (unsigned)(want_flags)) {             \
			print_error("%s: got %#llx flags %#x, want %#llx flags %#x\n", #call, \
				    (unsigned long long)got_, fl,                           \
				    (unsigned long long)(uint64_t)(want),                   \
				    (unsigned)(want_flags));                                \
			fail();                                                             \
		}                                                                           \
	} while (0)

#define F32_ONE 0x3f800000u
#define F32_NEG_ONE 0xbf800000u
#define F32_TWO 0x40000000u
#define F32_THREE 0x40400000u
#define F32_HALF 0x3f000000u
#define F32_POS_ZERO 0x00000000u
#define F32_NEG_ZERO 0x80000000u
#define F32_POS_INF 0x7f800000u
#define F32_NEG_INF 0xff800000u
#define F32_MAX 0x7f7fffffu
#define F32_MIN_NORMAL 0x00800000u
#define F32_MIN_SUBNORMAL 0x00000001u
#define F32_QNAN_PAYLOAD 0x7fc12345u
#define F32_SNAN 0x7f800001u
#define F32_NEG_SNAN 0xffa00000u
#define F32_TWO_POW_M24 0x33800000u /* half an ulp of 1.0 */
#define F32_TWO_POW_63 0x5f000000u

#define F64_ONE 0x3ff0000000000000ull
#define F64_NEG_ONE 0xbff0000000000000ull
#define F64_TWO 0x4000000000000000ull
#define F64_THREE 0x4008000000000000ull
#define F64_FOUR 0x4010000000000000ull
#define F64_HALF 0x3fe0000000000000ull
#define F64_NEG_HALF 0xbfe0000000000000ull
#define F64_POS_ZERO 0x0000000000000000ull
#define F64_NEG_ZERO 0x8000000000000000ull
#define F64_POS_INF 0x7ff0000000000000ull
#define F64_NEG_INF 0xfff0000000000000ull
#define F64_MAX 0x7fefffffffffffffull
#define F64_MIN_NORMAL 0x0010000000000000ull
#define F64_MIN_SUBNORMAL 0x0000000000000001ull
#define F64_QNAN_PAYLOAD 0x7ff8000000000123ull
#define F64_SNAN 0x7ff0000000000001ull
#define F64_TWO_POW_63 0x43e0000000000000ull
#define F64_NEG_TWO_POW_63 0xc3e0000000000000ull
#define F64_TWO_POW_64 0x43f0000000000000ull

/* ---- hand-picked cases ---- */

static void test_one_third_every_mode(void **state)
{
	(void)state;
	EXPECT(f32_div(F32_ONE, F32_THREE, FPU_RNE, &fl), 0x3eaaaaab, FPU_NX);
	EXPECT(f32_div(F32_ONE, F32_THREE, FPU_RTZ, &fl), 0x3eaaaaaa, FPU_NX);
	EXPECT(f32_div(F32_ONE, F32_THREE, FPU_RDN, &fl), 0x3eaaaaaa, FPU_NX);
	EXPECT(f32_div(F32_ONE, F32_THREE, FPU_RUP, &fl), 0x3eaaaaab, FPU_NX);
	EXPECT(f32_div(F32_ONE, F32_THREE, FPU_RMM, &fl), 0x3eaaaaab, FPU_NX);
	EXPECT(f32_div(F32_NEG_ONE, F32_THREE, FPU_RTZ, &fl), 0xbeaaaaaa, FPU_NX);
	EXPECT(f32_div(F32_NEG_ONE, F32_THREE, FPU_RDN, &fl), 0xbeaaaaab, FPU_NX);
	EXPECT(f32_div(F32_NEG_ONE, F32_THREE, FPU_RUP, &fl), 0xbeaaaaaa, FPU_NX);

	/* In binary64 the discarded part is 1/3 ulp, so only RUP rounds up. */
	EXPECT(f64_div(F64_ONE, F64_THREE, FPU_RNE, &fl), 0x3fd5555555555555, FPU_NX);
	EXPECT(f64_div(F64_ONE, F64_THREE, FPU_RTZ, &fl), 0x3fd5555555555555, FPU_NX);
	EXPECT(f64_div(F64_ONE, F64_THREE, FPU_RDN, &fl), 0x3fd5555555555555, FPU_NX);
	EXPECT(f64_div(F64_ONE, F64_THREE, FPU_RUP, &fl), 0x3fd5555555555556, FPU_NX);
	EXPECT(f64_div(F64_ONE, F64_THREE, FPU_RMM, &fl), 0x3fd5555555555555, FPU_NX);
	EXPECT(f64_div(F64_THREE, F64_THREE, FPU_RUP, &fl), F64_ONE, 0);
}

static void test_ties(void **state)
{
	(void)state;
	/* 1 + 2^-24 lies exactly between 1.0 (even) and its successor. */
	EXPECT(f32_add(F32_ONE, F32_TWO_POW_M24, FPU_RNE, &fl), F32_ONE, FPU_NX);
	EXPECT(f32_add(F32_ONE, F32_TWO_POW_M24, FPU_RMM, &fl), 0x3f800001, FPU_NX);
	EXPECT(f32_add(F32_ONE, F32_TWO_POW_M24, FPU_RTZ, &fl), F32_ONE, FPU_NX);
	EXPECT(f32_add(F32_ONE, F32_TWO_POW_M24, FPU_RUP, &fl), 0x3f800001, FPU_NX);
	EXPECT(f32_sub(F32_NEG_ONE, F32_TWO_POW_M24, FPU_RMM, &fl), 0xbf800001, FPU_NX);
	EXPECT(f32_sub(F32_NEG_ONE, F32_TWO_POW_M24, FPU_RNE, &fl), F32_NEG_ONE, FPU_NX);
	EXPECT(f32_sub(F32_NEG_ONE, F32_TWO_POW_M24, FPU_RDN, &fl), 0xbf800001, FPU_NX);
	EXPECT(f32_sub(F32_NEG_ONE, F32_TWO_POW_M24, FPU_RUP, &fl), F32_NEG_ONE, FPU_NX);
	/* 1 + 3 * 2^-24: a tie whose even neighbour is the larger one. */
	EXPECT(f32_add(0x3f800001, F32_TWO_POW_M24, FPU_RNE, &fl), 0x3f800002, FPU_NX);
	EXPECT(f32_add(0x3f800001, F32_TWO_POW_M24, FPU_RMM, &fl), 0x3f800002, FPU_NX);
	EXPECT(f32_add(0x3f800001, F32_TWO_POW_M24, FPU_RTZ, &fl), 0x3f800001, FPU_NX);

	/* 2^24 + 1 and 2^53 + 1 are ties between two representable integers. */
	EXPECT(i32_to_f32(16777217, FPU_RNE, &fl), 0x4b800000, FPU_NX);
	EXPECT(i32_to_f32(16777217, FPU_RMM, &fl), 0x4b800001, FPU_NX);
	EXPECT(i32_to_f32(-16777217, FPU_RMM, &fl), 0xcb800001, FPU_NX);
	EXPECT(u64_to_f64((1ull << 53) + 1, FPU_RNE, &fl), 0x4340000000000000, FPU_NX);
	EXPECT(u64_to_f64((1ull << 53) + 1, FPU_RMM, &fl), 0x4340000000000001, FPU_NX);
	EXPECT(u64_to_f64((1ull << 53) + 3, FPU_RNE, &fl), 0x4340000000000002, FPU_NX);

	/* 1 + 2^-24 narrowed from binary64. */
	EXPECT(f64_to_f32(0x3ff0000010000000, FPU_RNE, &fl), F32_ONE, FPU_NX);
	EXPECT(f64_to_f32(0x3ff0000010000000, FPU_RMM, &fl), 0x3f800001, FPU_NX);
}

static void test_overflow(void **state)
{
	(void)state;
	EXPECT(f32_mul(F32_MAX, F32_TWO, FPU_RNE, &fl), F32_POS_INF, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX, F32_TWO, FPU_RMM, &fl), F32_POS_INF, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX, F32_TWO, FPU_RTZ, &fl), F32_MAX, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX, F32_TWO, FPU_RDN, &fl), F32_MAX, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX, F32_TWO, FPU_RUP, &fl), F32_POS_INF, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX | 0x80000000, F32_TWO, FPU_RUP, &fl), 0xff7fffff, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX | 0x80000000, F32_TWO, FPU_RDN, &fl), F32_NEG_INF, FPU_OF | FPU_NX);
	EXPECT(f32_mul(F32_MAX | 0x80000000, F32_TWO, FPU_RTZ, &fl), 0xff7fffff, FPU_OF | FPU_NX);

	EXPECT(f64_add(F64_MAX, F64_MAX, FPU_RTZ, &fl), F64_MAX, FPU_OF | FPU_NX);
	EXPECT(f64_add(F64_MAX, F64_MAX, FPU_RNE, &fl), F64_POS_INF, FPU_OF | FPU_NX);
	/* F64_MAX + 2^970 is a tie between F64_MAX (odd) and 2^1024: rounding to
	 * nearest goes up and overflows, truncation stays finite and exact-free. */
	EXPECT(f64_add(F64_MAX, 0x7c90000000000000, FPU_RNE, &fl), F64_POS_INF, FPU_OF | FPU_NX);
	EXPECT(f64_add(F64_MAX, 0x7c90000000000000, FPU_RMM, &fl), F64_POS_INF, FPU_OF | FPU_NX);
	EXPECT(f64_add(F64_MAX, 0x7c90000000000000, FPU_RTZ, &fl), F64_MAX, FPU_NX);
	EXPECT(f64_add(F64_MAX, 0x7c80000000000000, FPU_RNE, &fl), F64_MAX, FPU_NX);

	EXPECT(f64_to_f32(F64_MAX, FPU_RNE, &fl), F32_POS_INF, FPU_OF | FPU_NX);
	EXPECT(f64_to_f32(F64_MAX, FPU_RTZ, &fl), F32_MAX, FPU_OF | FPU_NX);
	EXPECT(f32_div(F32_MAX, 0x3f000000, FPU_RDN, &fl), F32_MAX, FPU_OF | FPU_NX);
	EXPECT(u64_to_f32(UINT64_MAX, FPU_RNE, &fl), 0x5f800000, FPU_NX);
	EXPECT(u64_to_f32(UINT64_MAX, FPU_RTZ, &fl), 0x5f7fffff, FPU_NX);
}

static void test_underflow(void **state)
{
	(void)state;
	/* 2^-150 is half the smallest subnormal. */
	EXPECT(f32_mul(F32_MIN_SUBNORMAL, F32_HALF, FPU_RNE, &fl), F32_POS_ZERO, FPU_UF | FPU_NX);
	EXPECT(f32_mul(F32_MIN_SUBNORMAL, F32_HALF, FPU_RTZ, &fl), F32_POS_ZERO, FPU_UF | FPU_NX);
	EXPECT(f32_mul(F32_MIN_SUBNORMAL, F32_HALF, FPU_RUP, &fl), F32_MIN_SUBNORMAL, FPU_UF | FPU_NX);
	EXPECT(f32_mul(F32_MIN_SUBNORMAL, F32_HALF, FPU_RMM, &fl), F32_MIN_SUBNORMAL, FPU_UF | FPU_NX);
	EXPECT(f32_mul(F32_MIN_SUBNORMAL | 0x80000000, F32_HALF, FPU_RDN, &fl), 0x80000001,
	       FPU_UF | FPU_NX);
	EXPECT(f32_mul(F32_MIN_SUBNORMAL | 0x80000000, F32_HALF, FPU_RNE, &fl), F32_NEG_ZERO,
	       FPU_UF | FPU_NX);
	/* Tiny but exact: no flag at all. */
	EXPECT(f32_mul(0x00000002, F32_HALF, FPU_RNE, &fl), F32_MIN_SUBNORMAL, 0);
	EXPECT(f64_div(F64_MIN_NORMAL, F64_FOUR, FPU_RNE, &fl), 0x0004000000000000, 0);
	EXPECT(f64_mul(F64_MIN_SUBNORMAL, F64_HALF, FPU_RUP, &fl), F64_MIN_SUBNORMAL,
	       FPU_UF | FPU_NX);
	EXPECT(f64_to_f32(F64_MIN_SUBNORMAL, FPU_RNE, &fl), F32_POS_ZERO, FPU_UF | FPU_NX);
	EXPECT(f64_to_f32(F64_MIN_SUBNORMAL, FPU_RUP, &fl), F32_MIN_SUBNORMAL, FPU_UF | FPU_NX);

	/* Tininess after rounding: 2^-126 - 2^-151 needs 25 bits; rounded to 24
	 * bits with an unbounded exponent it becomes 2^-126, so it is not tiny
	 * when rounding to nearest or up, and no UF is raised... */
	EXPECT(f64_to_f32(0x380ffffff0000000, FPU_RNE, &fl), F32_MIN_NORMAL, FPU_NX);
	EXPECT(f64_to_f32(0x380ffffff0000000, FPU_RUP, &fl), F32_MIN_NORMAL, FPU_NX);
	EXPECT(f64_to_f32(0x380ffffff0000000, FPU_RMM, &fl), F32_MIN_NORMAL, FPU_NX);
	EXPECT(f64_to_f32(0x380ffffff0000000, FPU_RTZ, &fl), 0x007fffff, FPU_UF | FPU_NX);
	/* ...while 2^-126 - 2^-150 is exact in 24 bits, so stays tiny even
	 * though it rounds to the smallest normal. */
	EXPECT(f64_to_f32(0x380fffffe0000000, FPU_RNE, &fl), F32_MIN_NORMAL, FPU_UF | FPU_NX);
	EXPECT(f64_to_f32(0x380fffffe0000000, FPU_RTZ, &fl), 0x007fffff, FPU_UF | FPU_NX);
	/* The same boundary in binary64: (2^-1022 - 2^-1076) from a product. */
	EXPECT(f64_mul(0x001fffffffffffff, F64_HALF, FPU_RNE, &fl), F64_MIN_NORMAL,
	       FPU_UF | FPU_NX);
	EXPECT(f64_mul(0x001fffffffffffff, F64_HALF, FPU_RDN, &fl), 0x000fffffffffffff,
	       FPU_UF | FPU_NX);
}

static void test_signed_zero_results(void **state)
{
	(void)state;
	EXPECT(f32_sub(F32_ONE, F32_ONE, FPU_RNE, &fl), F32_POS_ZERO, 0);
	EXPECT(f32_sub(F32_ONE, F32_ONE, FPU_RDN, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_add(F32_NEG_ZERO, F32_POS_ZERO, FPU_RNE, &fl), F32_POS_ZERO, 0);
	EXPECT(f32_add(F32_NEG_ZERO, F32_POS_ZERO, FPU_RDN, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_add(F32_NEG_ZERO, F32_NEG_ZERO, FPU_RUP, &fl), F32_NEG_ZERO, 0);
	EXPECT(f64_sub(F64_POS_ZERO, F64_POS_ZERO, FPU_RDN, &fl), F64_NEG_ZERO, 0);
	EXPECT(f64_mul(F64_NEG_ZERO, F64_THREE, FPU_RNE, &fl), F64_NEG_ZERO, 0);
	EXPECT(f64_div(F64_POS_ZERO, F64_NEG_ONE, FPU_RNE, &fl), F64_NEG_ZERO, 0);
	EXPECT(i32_to_f32(0, FPU_RDN, &fl), F32_POS_ZERO, 0);
	EXPECT(u64_to_f64(0, FPU_RDN, &fl), F64_POS_ZERO, 0);
}

static void test_invalid_and_divide_by_zero(void **state)
{
	(void)state;
	EXPECT(f32_sub(F32_POS_INF, F32_POS_INF, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_add(F32_POS_INF, F32_ONE, FPU_RNE, &fl), F32_POS_INF, 0);
	EXPECT(f32_mul(F32_POS_INF, F32_NEG_ZERO, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_div(F32_POS_ZERO, F32_NEG_ZERO, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_div(F32_NEG_INF, F32_POS_INF, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_div(F32_ONE, F32_POS_ZERO, FPU_RNE, &fl), F32_POS_INF, FPU_DZ);
	EXPECT(f32_div(F32_ONE, F32_NEG_ZERO, FPU_RNE, &fl), F32_NEG_INF, FPU_DZ);
	EXPECT(f32_div(F32_POS_INF, F32_POS_ZERO, FPU_RNE, &fl), F32_POS_INF, 0);
	EXPECT(f64_div(F64_NEG_ONE, F64_POS_ZERO, FPU_RNE, &fl), F64_NEG_INF, FPU_DZ);
	EXPECT(f64_div(F64_ONE, F64_POS_INF, FPU_RNE, &fl), F64_POS_ZERO, 0);

	/* Any NaN result is the canonical NaN; only signalling inputs raise NV. */
	EXPECT(f32_add(F32_QNAN_PAYLOAD, F32_ONE, FPU_RNE, &fl), F32_CANONICAL_NAN, 0);
	EXPECT(f32_mul(F32_ONE, F32_SNAN, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_div(F32_NEG_SNAN, F32_QNAN_PAYLOAD, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f64_sub(F64_QNAN_PAYLOAD, F64_POS_INF, FPU_RNE, &fl), F64_CANONICAL_NAN, 0);
	EXPECT(f64_add(F64_SNAN, F64_ONE, FPU_RNE, &fl), F64_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_to_f64(F32_SNAN, &fl), F64_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_to_f64(F32_QNAN_PAYLOAD, &fl), F64_CANONICAL_NAN, 0);
	EXPECT(f64_to_f32(F64_SNAN, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f64_to_f32(F64_QNAN_PAYLOAD, FPU_RNE, &fl), F32_CANONICAL_NAN, 0);
}

static void test_sqrt(void **state)
{
	(void)state;
	EXPECT(f32_sqrt(F32_NEG_ZERO, FPU_RNE, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_sqrt(F32_NEG_ONE, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_sqrt(F32_NEG_INF, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_sqrt(F32_POS_INF, FPU_RNE, &fl), F32_POS_INF, 0);
	EXPECT(f32_sqrt(F32_SNAN, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_sqrt(0x40800000, FPU_RNE, &fl), F32_TWO, 0);
	/* sqrt(2^-149) = sqrt(2) * 2^-75 */
	EXPECT(f32_sqrt(F32_MIN_SUBNORMAL, FPU_RNE, &fl), 0x1a3504f3, FPU_NX);
	EXPECT(f32_sqrt(F32_MIN_SUBNORMAL, FPU_RUP, &fl), 0x1a3504f4, FPU_NX);
	EXPECT(f64_sqrt(F64_NEG_ZERO, FPU_RNE, &fl), F64_NEG_ZERO, 0);
	EXPECT(f64_sqrt(F64_NEG_ONE, FPU_RNE, &fl), F64_CANONICAL_NAN, FPU_NV);
	EXPECT(f64_sqrt(F64_FOUR, FPU_RUP, &fl), F64_TWO, 0);
	EXPECT(f64_sqrt(F64_TWO, FPU_RNE, &fl), 0x3ff6a09e667f3bcd, FPU_NX);
	EXPECT(f64_sqrt(F64_TWO, FPU_RMM, &fl), 0x3ff6a09e667f3bcd, FPU_NX);
	EXPECT(f64_sqrt(F64_TWO, FPU_RTZ, &fl), 0x3ff6a09e667f3bcc, FPU_NX);
	EXPECT(f64_sqrt(F64_TWO, FPU_RDN, &fl), 0x3ff6a09e667f3bcc, FPU_NX);
	EXPECT(f64_sqrt(F64_TWO, FPU_RUP, &fl), 0x3ff6a09e667f3bcd, FPU_NX);
}

static void test_fma(void **state)
{
	(void)state;
	/* inf * 0 is invalid even when the addend is a quiet NaN. */
	EXPECT(f32_fma(F32_POS_ZERO, F32_POS_INF, F32_QNAN_PAYLOAD, FPU_RNE, &fl),
	       F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_fma(F32_NEG_INF, F32_POS_ZERO, F32_ONE, FPU_RNE, &fl), F32_CANONICAL_NAN,
	       FPU_NV);
	EXPECT(f64_fma(F64_POS_INF, F64_NEG_ZERO, F64_QNAN_PAYLOAD, FPU_RNE, &fl),
	       F64_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_fma(F32_QNAN_PAYLOAD, F32_POS_ZERO, F32_POS_INF, FPU_RNE, &fl),
	       F32_CANONICAL_NAN, 0);
	EXPECT(f32_fma(F32_ONE, F32_ONE, F32_SNAN, FPU_RNE, &fl), F32_CANONICAL_NAN, FPU_NV);
	EXPECT(f32_fma(F32_POS_INF, F32_ONE, F32_NEG_INF, FPU_RNE, &fl), F32_CANONICAL_NAN,
	       FPU_NV);
	EXPECT(f32_fma(F32_POS_INF, F32_NEG_ONE, F32_NEG_INF, FPU_RNE, &fl), F32_NEG_INF, 0);

	/* (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 exactly; a separately rounded
	 * product would have lost the 2^-24. */
	EXPECT(f32_fma(0x3f800800, 0x3f800800, F32_NEG_ONE, FPU_RNE, &fl), 0x3a000400, 0);
	EXPECT(f32_mul(0x3f800800, 0x3f800800, FPU_RNE, &fl), 0x3f801000, FPU_NX);
	/* (1 + 2^-52)(1 - 2^-52) - 1 = -2^-104 */
	EXPECT(f64_fma(0x3ff0000000000001, 0x3feffffffffffffe, F64_NEG_ONE, FPU_RNE, &fl),
	       0xb970000000000000, 0);
	/* A tiny product beside a large addend only nudges the rounding. */
	EXPECT(f64_fma(F64_MIN_SUBNORMAL, F64_MIN_SUBNORMAL, F64_ONE, FPU_RUP, &fl),
	       0x3ff0000000000001, FPU_NX);
	EXPECT(f64_fma(F64_MIN_SUBNORMAL, F64_MIN_SUBNORMAL, F64_ONE, FPU_RNE, &fl), F64_ONE,
	       FPU_NX);
	EXPECT(f64_fma(F64_MIN_SUBNORMAL, F64_NEG_ONE, F64_ONE, FPU_RTZ, &fl),
	       0x3fefffffffffffff, FPU_NX);

	/* Exact zero sums take the sign of the rounding mode. */
	EXPECT(f32_fma(F32_ONE, F32_ONE, F32_NEG_ONE, FPU_RNE, &fl), F32_POS_ZERO, 0);
	EXPECT(f32_fma(F32_ONE, F32_ONE, F32_NEG_ONE, FPU_RDN, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_fma(F32_POS_ZERO, F32_ONE, F32_NEG_ZERO, FPU_RNE, &fl), F32_POS_ZERO, 0);
	EXPECT(f32_fma(F32_POS_ZERO, F32_ONE, F32_NEG_ZERO, FPU_RDN, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_fma(F32_NEG_ZERO, F32_ONE, F32_NEG_ZERO, FPU_RNE, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_fma(F32_POS_ZERO, F32_ONE, F32_MIN_SUBNORMAL, FPU_RNE, &fl), F32_MIN_SUBNORMAL,
	       0);
	EXPECT(f32_fma(F32_MAX, F32_TWO, F32_NEG_INF, FPU_RNE, &fl), F32_NEG_INF, 0);
}

static void test_float_to_int_saturation(void **state)
{
	(void)state;
	EXPECT(f32_to_i32(F32_CANONICAL_NAN, FPU_RNE, &fl), INT32_MAX, FPU_NV);
	EXPECT(f32_to_i32(F32_NEG_SNAN, FPU_RNE, &fl), INT32_MAX, FPU_NV);
	EXPECT(f32_to_i32(F32_POS_INF, FPU_RNE, &fl), INT32_MAX, FPU_NV);
	EXPECT(f32_to_i32(F32_NEG_INF, FPU_RNE, &fl), INT32_MIN, FPU_NV);
	EXPECT(f32_to_u32(F32_CANONICAL_NAN, FPU_RNE, &fl), UINT32_MAX, FPU_NV);
	EXPECT(f32_to_u32(F32_NEG_INF, FPU_RNE, &fl), 0, FPU_NV);
	EXPECT(f32_to_u32(F32_NEG_ONE, FPU_RNE, &fl), 0, FPU_NV);
	EXPECT(f32_to_i64(F32_TWO_POW_63, FPU_RNE, &fl), INT64_MAX, FPU_NV);
	EXPECT(f32_to_i64(F32_TWO_POW_63 | 0x80000000, FPU_RNE, &fl), INT64_MIN, 0);
	EXPECT(f32_to_u64(F32_TWO_POW_63, FPU_RNE, &fl), 1ull << 63, 0);
	EXPECT(f32_to_u64(F32_QNAN_PAYLOAD, FPU_RNE, &fl), UINT64_MAX, FPU_NV);

	EXPECT(f64_to_i64(F64_CANONICAL_NAN, FPU_RTZ, &fl), INT64_MAX, FPU_NV);
	EXPECT(f64_to_i64(F64_POS_INF, FPU_RTZ, &fl), INT64_MAX, FPU_NV);
	EXPECT(f64_to_i64(F64_NEG_INF, FPU_RTZ, &fl), INT64_MIN, FPU_NV);
	EXPECT(f64_to_i64(F64_TWO_POW_63, FPU_RTZ, &fl), INT64_MAX, FPU_NV);
	EXPECT(f64_to_i64(F64_NEG_TWO_POW_63, FPU_RTZ, &fl), INT64_MIN, 0);
	/* -2^63 - 2048 is the binary64 just below -2^63 (no -2^63 - 1 exists). */
	EXPECT(f64_to_i64(0xc3e0000000000001, FPU_RTZ, &fl), INT64_MIN, FPU_NV);
	EXPECT(f64_to_i64(0x43dfffffffffffff, FPU_RTZ, &fl), 0x7ffffffffffffc00, 0);
	EXPECT(f64_to_u64(F64_TWO_POW_64, FPU_RNE, &fl), UINT64_MAX, FPU_NV);
	EXPECT(f64_to_u64(F64_NEG_INF, FPU_RNE, &fl), 0, FPU_NV);
	EXPECT(f64_to_u64(F64_CANONICAL_NAN, FPU_RNE, &fl), UINT64_MAX, FPU_NV);

	/* -2^31 - 0.5: rounding decides whether it is in range. */
	EXPECT(f64_to_i32(0xc1e0000000100000, FPU_RTZ, &fl), INT32_MIN, FPU_NX);
	EXPECT(f64_to_i32(0xc1e0000000100000, FPU_RNE, &fl), INT32_MIN, FPU_NX);
	EXPECT(f64_to_i32(0xc1e0000000100000, FPU_RDN, &fl), INT32_MIN, FPU_NV);
	EXPECT(f64_to_i32(0xc1e0000000100000, FPU_RMM, &fl), INT32_MIN, FPU_NV);
	/* 2^32 - 0.5 */
	EXPECT(f64_to_u32(0x41effffffff00000, FPU_RTZ, &fl), UINT32_MAX, FPU_NX);
	EXPECT(f64_to_u32(0x41effffffff00000, FPU_RNE, &fl), UINT32_MAX, FPU_NV);
	/* Small negatives convert to unsigned 0 when they round to zero. */
	EXPECT(f64_to_u32(F64_NEG_HALF, FPU_RTZ, &fl), 0, FPU_NX);
	EXPECT(f64_to_u32(F64_NEG_HALF, FPU_RNE, &fl), 0, FPU_NX);
	EXPECT(f64_to_u32(F64_NEG_HALF, FPU_RMM, &fl), 0, FPU_NV);
	EXPECT(f64_to_u32(F64_NEG_HALF, FPU_RDN, &fl), 0, FPU_NV);
	EXPECT(f64_to_u64(F64_NEG_ZERO, FPU_RDN, &fl), 0, 0);
}

static void test_float_to_int_rounding(void **state)
{
	(void)state;
	/* 2.5 and -2.5 in every mode */
	EXPECT(f32_to_i32(0x40200000, FPU_RNE, &fl), 2, FPU_NX);
	EXPECT(f32_to_i32(0x40200000, FPU_RMM, &fl), 3, FPU_NX);
	EXPECT(f32_to_i32(0x40200000, FPU_RTZ, &fl), 2, FPU_NX);
	EXPECT(f32_to_i32(0x40200000, FPU_RDN, &fl), 2, FPU_NX);
	EXPECT(f32_to_i32(0x40200000, FPU_RUP, &fl), 3, FPU_NX);
	EXPECT(f32_to_i32(0xc0200000, FPU_RNE, &fl), -2, FPU_NX);
	EXPECT(f32_to_i32(0xc0200000, FPU_RMM, &fl), -3, FPU_NX);
	EXPECT(f32_to_i32(0xc0200000, FPU_RDN, &fl), -3, FPU_NX);
	EXPECT(f32_to_i32(0xc0200000, FPU_RUP, &fl), -2, FPU_NX);
	EXPECT(f32_to_i32(F32_MIN_SUBNORMAL, FPU_RUP, &fl), 1, FPU_NX);
	EXPECT(f32_to_i32(F32_MIN_SUBNORMAL | 0x80000000, FPU_RDN, &fl), -1, FPU_NX);
	EXPECT(f32_to_i32(F32_MIN_SUBNORMAL, FPU_RNE, &fl), 0, FPU_NX);
	EXPECT(f64_to_i64(0x4340000000000001, FPU_RNE, &fl), (1ll << 53) + 2, 0);
	EXPECT(f64_to_u64(0x43efffffffffffff, FPU_RNE, &fl), 0xfffffffffffff800, 0);
}

static void test_int_to_float(void **state)
{
	(void)state;
	EXPECT(i64_to_f32(INT64_MIN, FPU_RNE, &fl), 0xdf000000, 0);
	EXPECT(i32_to_f64(INT32_MIN, FPU_RNE, &fl), 0xc1e0000000000000, 0);
	EXPECT(u32_to_f64(UINT32_MAX, FPU_RNE, &fl), 0x41efffffffe00000, 0);
	EXPECT(i64_to_f64(INT64_MAX, FPU_RNE, &fl), F64_TWO_POW_63, FPU_NX);
	EXPECT(i64_to_f64(INT64_MAX, FPU_RTZ, &fl), 0x43dfffffffffffff, FPU_NX);
	EXPECT(i64_to_f64(-INT64_MAX, FPU_RDN, &fl), F64_NEG_TWO_POW_63, FPU_NX);
	EXPECT(u32_to_f32(UINT32_MAX, FPU_RUP, &fl), 0x4f800000, FPU_NX);
	EXPECT(u32_to_f32(UINT32_MAX, FPU_RDN, &fl), 0x4f7fffff, FPU_NX);
	EXPECT(i32_to_f32(-3, FPU_RNE, &fl), 0xc0400000, 0);
}

static void test_f32_f64_conversion(void **state)
{
	(void)state;
	EXPECT(f32_to_f64(F32_MIN_SUBNORMAL, &fl), 0x36a0000000000000, 0);
	EXPECT(f32_to_f64(F32_NEG_INF, &fl), F64_NEG_INF, 0);
	EXPECT(f32_to_f64(F32_NEG_ZERO, &fl), F64_NEG_ZERO, 0);
	EXPECT(f32_to_f64(F32_MAX, &fl), 0x47efffffe0000000, 0);
	EXPECT(f64_to_f32(0x36a0000000000000, FPU_RNE, &fl), F32_MIN_SUBNORMAL, 0);
	EXPECT(f64_to_f32(F64_NEG_INF, FPU_RTZ, &fl), F32_NEG_INF, 0);
	EXPECT(f64_to_f32(F64_NEG_ZERO, FPU_RUP, &fl), F32_NEG_ZERO, 0);
	/* 1/3 narrowed: the binary64 value is already below 1/3. */
	EXPECT(f64_to_f32(0x3fd5555555555555, FPU_RNE, &fl), 0x3eaaaaab, FPU_NX);
	EXPECT(f64_to_f32(0x3fd5555555555555, FPU_RDN, &fl), 0x3eaaaaaa, FPU_NX);
}

static void test_min_max(void **state)
{
	(void)state;
	EXPECT(f32_min(F32_NEG_ZERO, F32_POS_ZERO, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_min(F32_POS_ZERO, F32_NEG_ZERO, &fl), F32_NEG_ZERO, 0);
	EXPECT(f32_max(F32_NEG_ZERO, F32_POS_ZERO, &fl), F32_POS_ZERO, 0);
	EXPECT(f32_max(F32_POS_ZERO, F32_NEG_ZERO, &fl), F32_POS_ZERO, 0);
	EXPECT(f32_min(F32_NEG_ONE, F32_ONE, &fl), F32_NEG_ONE, 0);
	EXPECT(f32_max(F32_NEG_INF, F32_NEG_ONE, &fl), F32_NEG_ONE, 0);
	EXPECT(f32_min(0xc0000000, F32_NEG_ONE, &fl), 0xc0000000, 0);
	EXPECT(f32_min(F32_QNAN_PAYLOAD, F32_ONE, &fl), F32_ONE, 0);
	EXPECT(f32_max(F32_ONE, F32_QNAN_PAYLOAD, &fl), F32_ONE, 0);
	EXPECT(f32_min(F32_SNAN, F32_ONE, &fl), F32_ONE, FPU_NV);
	EXPECT(f32_max(F32_NEG_ONE, F32_NEG_SNAN, &fl), F32_NEG_ONE, FPU_NV);
	EXPECT(f32_max(F32_QNAN_PAYLOAD, F32_QNAN_PAYLOAD, &fl), F32_CANONICAL_NAN, 0);
	EXPECT(f32_min(F32_SNAN, F32_QNAN_PAYLOAD, &fl), F32_CANONICAL_NAN, FPU_NV);

	EXPECT(f64_min(F64_POS_ZERO, F64_NEG_ZERO, &fl), F64_NEG_ZERO, 0);
	EXPECT(f64_max(F64_NEG_ZERO, F64_POS_ZERO, &fl), F64_POS_ZERO, 0);
	EXPECT(f64_max(F64_MAX, F64_POS_INF, &fl), F64_POS_INF, 0);
	EXPECT(f64_min(F64_QNAN_PAYLOAD, F64_NEG_INF, &fl), F64_NEG_INF, 0);
	EXPECT(f64_max(F64_SNAN, F64_NEG_ZERO, &fl), F64_NEG_ZERO, FPU_NV);
	EXPECT(f64_min(F64_QNAN_PAYLOAD, F64_SNAN, &fl), F64_CANONICAL_NAN, FPU_NV);
}

static void test_compares(void **state)
{
	(void)state;
	EXPECT(f32_eq(F32_NEG_ZERO, F32_POS_ZERO, &fl), 1, 0);
	EXPECT(f32_lt(F32_NEG_ZERO, F32_POS_ZERO, &fl), 0, 0);
	EXPECT(f32_le(F32_POS_ZERO, F32_NEG_ZERO, &fl), 1, 0);
	EXPECT(f32_lt(F32_NEG_ONE, 0xbf000000, &fl), 1, 0);
	EXPECT(f32_lt(0xbf000000, F32_NEG_ONE, &fl), 0, 0);
	EXPECT(f32_le(F32_NEG_INF, F32_NEG_ONE, &fl), 1, 0);
	EXPECT(f32_eq(F32_QNAN_PAYLOAD, F32_QNAN_PAYLOAD, &fl), 0, 0);
	EXPECT(f32_eq(F32_SNAN, F32_ONE, &fl), 0, FPU_NV);
	EXPECT(f32_lt(F32_QNAN_PAYLOAD, F32_ONE, &fl), 0, FPU_NV);
	EXPECT(f32_le(F32_ONE, F32_QNAN_PAYLOAD, &fl), 0, FPU_NV);
	EXPECT(f32_le(F32_SNAN, F32_ONE, &fl), 0, FPU_NV);

	EXPECT(f64_eq(F64_ONE, F64_ONE, &fl), 1, 0);
	EXPECT(f64_eq(F64_ONE, F64_NEG_ONE, &fl), 0, 0);
	EXPECT(f64_lt(F64_MIN_SUBNORMAL, F64_MIN_NORMAL, &fl), 1, 0);
	EXPECT(f64_le(F64_NEG_ZERO, F64_POS_ZERO, &fl), 1, 0);
	EXPECT(f64_lt(F64_POS_INF, F64_POS_INF, &fl), 0, 0);
	EXPECT(f64_le(F64_POS_INF, F64_POS_INF, &fl), 1, 0);
	EXPECT(f64_eq(F64_QNAN_PAYLOAD, F64_ONE, &fl), 0, 0);
	EXPECT(f64_eq(F64_ONE, F64_SNAN, &fl), 0, FPU_NV);
	EXPECT(f64_lt(F64_ONE, F64_QNAN_PAYLOAD, &fl), 0, FPU_NV);
}

static void test_classify(void **state)
{
	(void)state;
	static const struct {
		uint32_t f32;
		uint64_t f64;
		uint32_t mask;
	} classes[] = {
		{ F32_NEG_INF, F64_NEG_INF, 1 << 0 },
		{ F32_NEG_ONE, F64_NEG_ONE, 1 << 1 },
		{ 0x807fffff, 0x800fffffffffffff, 1 << 2 },
		{ F32_NEG_ZERO, F64_NEG_ZERO, 1 << 3 },
		{ F32_POS_ZERO, F64_POS_ZERO, 1 << 4 },
		{ F32_MIN_SUBNORMAL, F64_MIN_SUBNORMAL, 1 << 5 },
		{ F32_MIN_NORMAL, F64_MIN_NORMAL, 1 << 6 },
		{ F32_POS_INF, F64_POS_INF, 1 << 7 },
		{ F32_SNAN, F64_SNAN, 1 << 8 },
		{ F32_NEG_SNAN, 0xfff4000000000000, 1 << 8 },
		{ F32_CANONICAL_NAN, F64_CANONICAL_NAN, 1 << 9 },
		{ 0xffffffff, 0xffffffffffffffff, 1 << 9 },
	};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		assert_int_equal(f32_classify(classes[i].f32), classes[i].mask);
		assert_int_equal(f64_classify(classes[i].f64), classes[i].mask);
		hand_picked_cases += 2;
	}
}

/* ---- randomized comparison with the host ---- */

/* The comparison needs a host that detects tininess after rounding, as
 * RISC-V does: x86-64 SSE does (Intel SDM vol. 1, 4.9.1.5). */
#if defined(__x86_64__)
#define HOST_MATCHES_RISCV_TININESS 1
#else
#define HOST_MATCHES_RISCV_TININESS 0
#endif

enum { RANDOM_CASES_PER_OP_AND_MODE = 25000 };

static const int host_modes[] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };
static const int fpu_modes[] = { FPU_RNE, FPU_RTZ, FPU_RDN, FPU_RUP };

enum op {
	OP_ADD,
	OP_SUB,
	OP_MUL,
	OP_DIV,
	OP_SQRT,
	OP_FMA,
	OP_TO_OTHER_FORMAT,
	OP_TO_I32,
	OP_TO_U32,
	OP_TO_I64,
	OP_TO_U64,
	OP_FROM_I32,
	OP_FROM_U32,
	OP_FROM_I64,
	OP_FROM_U64,
	OP_COUNT
};

static const char *const op_names[] = {
	"add", "sub", "mul", "div", "sqrt", "fma", "convert", "to_i32",
	"to_u32", "to_i64", "to_u64", "from_i32", "from_u32", "from_i64", "from_u64",
};

struct test_format {
	unsigned frac_bits, exp_bits;
};

static const struct test_format fmt32 = { 23, 8 };
static const struct test_format fmt64 = { 52, 11 };

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: fixed seed, so a failure repeats. */
static uint64_t rand64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rand_below(uint64_t n)
{
	return rand64() % n;
}

static int64_t exp_max(const struct test_format *f)
{
	return (1 << f->exp_bits) - 1;
}

static int64_t exp_bias(const struct test_format *f)
{
	return (1 << (f->exp_bits - 1)) - 1;
}

/* Fractions with long runs of ones or zeros make ties and carries likely. */
static uint64_t random_frac(const struct test_format *f)
{
	uint64_t mask = (1ull << f->frac_bits) - 1;

	switch (rand_below(6)) {
	case 0:
		return 0;
	case 1:
		return mask;
	case 2:
		return mask >> rand_below(f->frac_bits);
	case 3:
		return (mask << rand_below(f->frac_bits)) & mask;
	case 4:
		return 1ull << rand_below(f->frac_bits);
	default:
		return rand64() & mask;
	}
}

/* Exponent fields biased towards zero/subnormal, overflow and 1.0. */
static int64_t random_exp_field(const struct test_format *f)
{
	int64_t max = exp_max(f), bias = exp_bias(f);

	switch (rand_below(16)) {
	case 0:
		return max;
	case 1:
	case 2:
		return 0;
	case 3:
	case 4:
		return 1 + (int64_t)rand_below(4);
	case 5:
	case 6:
		return max - 4 + (int64_t)rand_below(4);
	case 7:
	case 8:
	case 9:
		return bias - 8 + (int64_t)rand_below(17);
	default:
		return 1 + (int64_t)rand_below((uint64_t)max - 1);
	}
}

static uint64_t make_float(const struct test_format *f, int64_t exp_field, uint64_t frac)
{
	int64_t max = exp_max(f);

	if (exp_field < 0)
		exp_field = 0;
	if (exp_field > max)
		exp_field = max;
	return (rand64() & 1) << (f->frac_bits + f->exp_bits) |
	       (uint64_t)exp_field << f->frac_bits | frac;
}

static uint64_t random_float(const struct test_format *f)
{
	int64_t exp_field = random_exp_field(f);

	return make_float(f, exp_field, random_frac(f));
}

static int64_t field_of(const struct test_format *f, uint64_t x)
{
	return (int64_t)(x >> f->frac_bits) & exp_max(f);
}

/* A second operand whose exponent puts the result of `op` with `a` near a
 * cancellation, the subnormal range or overflow, or anywhere. */
static uint64_t related_float(const struct test_format *f, enum op op, uint64_t a)
{
	int64_t ea = field_of(f, a), bias = exp_bias(f), max = exp_max(f);
	int64_t target, e;

	switch (rand_below(4)) {
	case 0:
		target = -(int64_t)f->frac_bits - 2 + (int64_t)rand_below(f->frac_bits + 6);
		break;
	case 1:
		target = max - 3 + (int64_t)rand_below(5);
		break;
	case 2:
		target = ea - 3 + (int64_t)rand_below(7);
		break;
	default:
		return random_float(f);
	}
	if (op == OP_MUL)
		e = target - ea + bias;
	else if (op == OP_DIV)
		e = ea - target + bias;
	else
		e = target;
	if (e > max - 1)
		e = max - 1;
	return make_float(f, e, random_frac(f));
}

/* An addend near the size of a * b, so that the sum may cancel. */
static uint64_t related_addend(const struct test_format *f, uint64_t a, uint64_t b)
{
	int64_t e = field_of(f, a) + field_of(f, b) - exp_bias(f);

	if (rand_below(3) == 0)
		return random_float(f);
	e += -(int64_t)f->frac_bits - 3 + (int64_t)rand_below(f->frac_bits + 7);
	if (e > exp_max(f) - 1)
		e = exp_max(f) - 1;
	return make_float(f, e, random_frac(f));
}

/* Values around the integer ranges, for float-to-integer conversions. */
static uint64_t random_float_near_integers(const struct test_format *f)
{
	if (rand_below(4) == 0)
		return random_float(f);
	int64_t exp_field = exp_bias(f) - 3 + (int64_t)rand_below(70);
	return make_float(f, exp_field, random_frac(f));
}

static uint64_t random_integer(void)
{
	uint64_t v = rand64();

	switch (rand_below(4)) {
	case 0:
		return v >> rand_below(64);
	case 1:
		return -(v >> rand_below(64));
	case 2: {
		uint64_t power = 1ull << rand_below(64);
		return power + rand_below(5) - 2;
	}
	default:
		return v;
	}
}

struct outcome {
	uint64_t bits;
	unsigned flags;
};

static unsigned host_flags(void)
{
	int raised = fetestexcept(FE_ALL_EXCEPT);

	return (raised & FE_INEXACT ? FPU_NX : 0u) | (raised & FE_UNDERFLOW ? FPU_UF : 0u) |
	       (raised & FE_OVERFLOW ? FPU_OF : 0u) | (raised & FE_DIVBYZERO ? FPU_DZ : 0u) |
	       (raised & FE_INVALID ? FPU_NV : 0u);
}

/* Volatile operands and results pin every host operation between the
 * feclearexcept and fetestexcept calls, without -frounding-math. */
static volatile float hf_a, hf_b, hf_c, hf_r;
static volatile double hd_a, hd_b, hd_c, hd_r;

static float as_float(uint32_t bits)
{
	float v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

static uint32_t float_bits(float v)
{
	uint32_t bits;
	memcpy(&bits, &v, sizeof(bits));
	return bits;
}

static double as_double(uint64_t bits)
{
	double v;
	memcpy(&v, &bits, sizeof(v));
	return v;
}

static uint64_t double_bits(double v)
{
	uint64_t bits;
	memcpy(&bits, &v, sizeof(bits));
	return bits;
}

static bool is_nan_bits(const struct test_format *f, uint64_t x)
{
	return field_of(f, x) == exp_max(f) && (x & ((1ull << f->frac_bits) - 1)) != 0;
}

/* rint() in the host's current mode. Not rint() itself: gcc without
 * -frounding-math inlines it as copysign(rint(|x|), x), which rounds negative
 * values the wrong way in RDN and RUP. Adding 2^52 of x's sign moves the
 * binary point to the last significand bit, so the hardware rounds there and
 * raises NX exactly when x was not integral; the subtraction is exact. */
static double host_round_to_integral(double x)
{
	if (fabs(x) >= 0x1p52)
		return x;
	hd_a = x;
	hd_b = copysign(0x1p52, x);
	hd_r = hd_a + hd_b;
	hd_r = hd_r - hd_b;
	return hd_r;
}

/* The host has no float-to-integer conversion with saturation, so round to
 * an integral value in the current mode and apply the spec's range rules
 * (its table "NV behavior of FCVT.int.fmt") to that. */
static struct outcome host_to_int(const struct test_format *f, uint64_t a, double value,
				  bool is_signed, unsigned width)
{
	uint64_t max = is_signed ? (1ull << (width - 1)) - 1 : ~0ull >> (64 - width);
	uint64_t min = is_signed ? -(1ull << (width - 1)) : 0;
	uint64_t mask = ~0ull >> (64 - width);
	double limit = width == 64 ? 18446744073709551616.0 : 4294967296.0;

	if (is_nan_bits(f, a))
		return (struct outcome){ max, FPU_NV };
	feclearexcept(FE_ALL_EXCEPT);
	double r = host_round_to_integral(value);
	unsigned flags = host_flags();
	if (is_signed ? (r >= limit / 2 || r < -limit / 2) : (r >= limit || r <= -1.0))
		return (struct outcome){ (r < 0 ? min : max) & mask, FPU_NV };
	uint64_t v = is_signed ? (uint64_t)(int64_t)r : (uint64_t)r;
	return (struct outcome){ v & mask, flags };
}

/* unsigned 64 -> float through the signed conversion: halving with a sticky
 * bit keeps the rounding, so the host's mode applies exactly once. */
static float host_u64_to_float(uint64_t v)
{
	if ((int64_t)v >= 0)
		return (float)(int64_t)v;
	return (float)(int64_t)((v >> 1) | (v & 1)) * 2.0f;
}

static double host_u64_to_double(uint64_t v)
{
	if ((int64_t)v >= 0)
		return (double)(int64_t)v;
	return (double)(int64_t)((v >> 1) | (v & 1)) * 2.0;
}

static struct outcome host_f32(enum op op, uint32_t a, uint32_t b, uint32_t c, uint64_t n)
{
	hf_a = as_float(a);
	hf_b = as_float(b);
	hf_c = as_float(c);
	switch (op) {
	case OP_TO_I32:
		return host_to_int(&fmt32, a, hf_a, true, 32);
	case OP_TO_U32:
		return host_to_int(&fmt32, a, hf_a, false, 32);
	case OP_TO_I64:
		return host_to_int(&fmt32, a, hf_a, true, 64);
	case OP_TO_U64:
		return host_to_int(&fmt32, a, hf_a, false, 64);
	default:
		break;
	}
	feclearexcept(FE_ALL_EXCEPT);
	switch (op) {
	case OP_ADD:
		hf_r = hf_a + hf_b;
		break;
	case OP_SUB:
		hf_r = hf_a - hf_b;
		break;
	case OP_MUL:
		hf_r = hf_a * hf_b;
		break;
	case OP_DIV:
		hf_r = hf_a / hf_b;
		break;
	case OP_SQRT:
		hf_r = sqrtf(hf_a);
		break;
	case OP_FMA:
		hf_r = fmaf(hf_a, hf_b, hf_c);
		break;
	case OP_TO_OTHER_FORMAT:
		hd_r = hf_a;
		return (struct outcome){ double_bits(hd_r), host_flags() };
	case OP_FROM_I32:
		hf_r = (float)(int32_t)n;
		break;
	case OP_FROM_U32:
		hf_r = (float)(int64_t)(uint32_t)n;
		break;
	case OP_FROM_I64:
		hf_r = (float)(int64_t)n;
		break;
	default:
		hf_r = host_u64_to_float(n);
		break;
	}
	return (struct outcome){ float_bits(hf_r), host_flags() };
}

static struct outcome host_f64(enum op op, uint64_t a, uint64_t b, uint64_t c, uint64_t n)
{
	hd_a = as_double(a);
	hd_b = as_double(b);
	hd_c = as_double(c);
	switch (op) {
	case OP_TO_I32:
		return host_to_int(&fmt64, a, hd_a, true, 32);
	case OP_TO_U32:
		return host_to_int(&fmt64, a, hd_a, false, 32);
	case OP_TO_I64:
		return host_to_int(&fmt64, a, hd_a, true, 64);
	case OP_TO_U64:
		return host_to_int(&fmt64, a, hd_a, false, 64);
	default:
		break;
	}
	feclearexcept(FE_ALL_EXCEPT);
	switch (op) {
	case OP_ADD:
		hd_r = hd_a + hd_b;
		break;
	case OP_SUB:
		hd_r = hd_a - hd_b;
		break;
	case OP_MUL:
		hd_r = hd_a * hd_b;
		break;
	case OP_DIV:
		hd_r = hd_a / hd_b;
		break;
	case OP_SQRT:
		hd_r = sqrt(hd_a);
		break;
	case OP_FMA:
		hd_r = fma(hd_a, hd_b, hd_c);
		break;
	case OP_TO_OTHER_FORMAT:
		hf_r = (float)hd_a;
		return (struct outcome){ float_bits(hf_r), host_flags() };
	case OP_FROM_I32:
		hd_r = (double)(int32_t)n;
		break;
	case OP_FROM_U32:
		hd_r = (double)(uint32_t)n;
		break;
	case OP_FROM_I64:
		hd_r = (double)(int64_t)n;
		break;
	default:
		hd_r = host_u64_to_double(n);
		break;
	}
	return (struct outcome){ double_bits(hd_r), host_flags() };
}

static struct outcome soft_f32(enum op op, uint32_t a, uint32_t b, uint32_t c, uint64_t n,
			       int rm)
{
	struct outcome o = { 0, 0 };
	unsigned *fl = &o.flags;

	switch (op) {
	case OP_ADD: o.bits = f32_add(a, b, rm, fl); break;
	case OP_SUB: o.bits = f32_sub(a, b, rm, fl); break;
	case OP_MUL: o.bits = f32_mul(a, b, rm, fl); break;
	case OP_DIV: o.bits = f32_div(a, b, rm, fl); break;
	case OP_SQRT: o.bits = f32_sqrt(a, rm, fl); break;
	case OP_FMA: o.bits = f32_fma(a, b, c, rm, fl); break;
	case OP_TO_OTHER_FORMAT: o.bits = f32_to_f64(a, fl); break;
	case OP_TO_I32: o.bits = (uint32_t)f32_to_i32(a, rm, fl); break;
	case OP_TO_U32: o.bits = f32_to_u32(a, rm, fl); break;
	case OP_TO_I64: o.bits = (uint64_t)f32_to_i64(a, rm, fl); break;
	case OP_TO_U64: o.bits = f32_to_u64(a, rm, fl); break;
	case OP_FROM_I32: o.bits = i32_to_f32((int32_t)n, rm, fl); break;
	case OP_FROM_U32: o.bits = u32_to_f32((uint32_t)n, rm, fl); break;
	case OP_FROM_I64: o.bits = i64_to_f32((int64_t)n, rm, fl); break;
	default: o.bits = u64_to_f32(n, rm, fl); break;
	}
	return o;
}

static struct outcome soft_f64(enum op op, uint64_t a, uint64_t b, uint64_t c, uint64_t n,
			       int rm)
{
	struct outcome o = { 0, 0 };
	unsigned *fl = &o.flags;

	switch (op) {
	case OP_ADD: o.bits = f64_add(a, b, rm, fl); break;
	case OP_SUB: o.bits = f64_sub(a, b, rm, fl); break;
	case OP_MUL: o.bits = f64_mul(a, b, rm, fl); break;
	case OP_DIV: o.bits = f64_div(a, b, rm, fl); break;
	case OP_SQRT: o.bits = f64_sqrt(a, rm, fl); break;
	case OP_FMA: o.bits = f64_fma(a, b, c, rm, fl); break;
	case OP_TO_OTHER_FORMAT: o.bits = f64_to_f32(a, rm, fl); break;
	case OP_TO_I32: o.bits = (uint32_t)f64_to_i32(a, rm, fl); break;
	case OP_TO_U32: o.bits = f64_to_u32(a, rm, fl); break;
	case OP_TO_I64: o.bits = (uint64_t)f64_to_i64(a, rm, fl); break;
	case OP_TO_U64: o.bits = f64_to_u64(a, rm, fl); break;
	case OP_FROM_I32: o.bits = i32_to_f64((int32_t)n, rm, fl); break;
	case OP_FROM_U32: o.bits = u32_to_f64((uint32_t)n, rm, fl); break;
	case OP_FROM_I64: o.bits = i64_to_f64((int64_t)n, rm, fl); break;
	default: o.bits = u64_to_f64(n, rm, fl); break;
	}
	return o;
}

/* The format of op's result, or NULL for an integer result. */
static const struct test_format *result_format(const struct test_format *f, enum op op)
{
	if (op == OP_TO_OTHER_FORMAT)
		return f == &fmt32 ? &fmt64 : &fmt32;
	if (op >= OP_TO_I32 && op <= OP_TO_U64)
		return NULL;
	return f;
}

static uint64_t canonical_nan_of(const struct test_format *f)
{
	return f == &fmt32 ? F32_CANONICAL_NAN : F64_CANONICAL_NAN;
}

/* RISC-V raises NV for inf * 0 + qNaN (spec "Single-Precision Floating-Point
 * Computational Instructions"); IEEE 754 leaves it to the implementation and
 * x86 does not, so the host is no reference there. */
static bool fma_differs_by_design(const struct test_format *f, uint64_t a, uint64_t b,
				  uint64_t c)
{
	uint64_t frac_mask = (1ull << f->frac_bits) - 1;
	bool a_inf = field_of(f, a) == exp_max(f) && !(a & frac_mask);
	bool b_inf = field_of(f, b) == exp_max(f) && !(b & frac_mask);
	bool a_zero = !field_of(f, a) && !(a & frac_mask);
	bool b_zero = !field_of(f, b) && !(b & frac_mask);
	bool c_qnan = is_nan_bits(f, c) && ((c >> (f->frac_bits - 1)) & 1);

	return ((a_inf && b_zero) || (a_zero && b_inf)) && c_qnan;
}

static void compare_random_cases(const struct test_format *f, enum op op)
{
	const struct test_format *rf = result_format(f, op);

	for (size_t m = 0; m < sizeof(host_modes) / sizeof(host_modes[0]); m++) {
		assert_int_equal(fesetround(host_modes[m]), 0);
		for (int i = 0; i < RANDOM_CASES_PER_OP_AND_MODE; i++) {
			bool to_int = op >= OP_TO_I32 && op <= OP_TO_U64;
			uint64_t a = to_int ? random_float_near_integers(f) : random_float(f);
			uint64_t b = related_float(f, op, a);
			uint64_t c = related_addend(f, a, b);
			uint64_t n = random_integer();
			struct outcome soft, host;

			if (op == OP_FMA && fma_differs_by_design(f, a, b, c))
				continue;
			if (f == &fmt32) {
				host = host_f32(op, (uint32_t)a, (uint32_t)b, (uint32_t)c, n);
				soft = soft_f32(op, (uint32_t)a, (uint32_t)b, (uint32_t)c, n,
						fpu_modes[m]);
			} else {
				host = host_f64(op, a, b, c, n);
				soft = soft_f64(op, a, b, c, n, fpu_modes[m]);
			}
			/* RISC-V always produces the canonical NaN. */
			if (rf && is_nan_bits(rf, host.bits))
				host.bits = canonical_nan_of(rf);
			random_cases++;
			for (unsigned bit = 0; bit < 5; bit++)
				random_flag_counts[bit] += (host.flags >> bit) & 1;
			if (soft.bits != host.bits || soft.flags != host.flags) {
				fesetround(FE_TONEAREST);
				fail_msg("f%u %s rm=%d a=%#llx b=%#llx c=%#llx n=%#llx: got %#llx "
					 "flags %#x, host %#llx flags %#x",
					 f == &fmt32 ? 32 : 64, op_names[op], fpu_modes[m],
					 (unsigned long long)a, (unsigned long long)b,
					 (unsigned long long)c, (unsigned long long)n,
					 (unsigned long long)soft.bits, soft.flags,
					 (unsigned long long)host.bits, host.flags);
			}
		}
	}
	fesetround(FE_TONEAREST);
}

static void compare_all_ops(const struct test_format *f)
{
	if (!HOST_MATCHES_RISCV_TININESS)
		skip();
	for (int op = 0; op < OP_COUNT; op++)
		compare_random_cases(f, (enum op)op);
}

static void test_random_f32_against_host(void **state)
{
	(void)state;
	compare_all_ops(&fmt32);
}

static void test_random_f64_against_host(void **state)
{
	(void)state;
	compare_all_ops(&fmt64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_third_every_mode),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_underflow),
		cmocka_unit_test(test_signed_zero_results),
		cmocka_unit_test(test_invalid_and_divide_by_zero),
		cmocka_unit_test(test_sqrt),
		cmocka_unit_test(test_fma),
		cmocka_unit_test(test_float_to_int_saturation),
		cmocka_unit_test(test_float_to_int_rounding),
		cmocka_unit_test(test_int_to_float),
		cmocka_unit_test(test_f32_f64_conversion),
		cmocka_unit_test(test_min_max),
		cmocka_unit_test(test_compares),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_random_f32_against_host),
		cmocka_unit_test(test_random_f64_against_host),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	printf("fpu: %lu hand-picked cases, %lu random cases (with NX %lu, UF %lu, OF %lu, "
	       "DZ %lu, NV %lu)\n", hand_picked_cases, random_cases, random_flag_counts[0],
	       random_flag_counts[1], random_flag_counts[2], random_flag_counts[3],
	       random_flag_counts[4]);
	return failed;
}
