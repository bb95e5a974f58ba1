/* Conversions of the software FPU: float <-> integer and binary32 <->
 * binary64. */
#include "cpu/fpu_internal.h"

/* The magnitude of x rounded to an integer (at most 2^117 for an exponent
 * below 64), with *inexact telling whether rounding changed it. */
static u128 round_to_integer(struct fp_value x, int rm, bool *inexact)
{
	if (x.exp >= 0) {
		*inexact = false;
		return x.sig << x.exp;
	}
	/* The significand has at most 53 bits, so from this shift on the value
	 * is below one quarter and rounds exactly as one quarter does. */
	unsigned shift = (unsigned)-x.exp;
	uint64_t sig = (uint64_t)x.sig;
	if (shift >= 55) {
		sig = 1;
		shift = 2;
	}
	uint64_t kept = sig >> shift;
	uint64_t lost = sig & ((1ull << shift) - 1);
	*inexact = lost != 0;
	return kept + fp_round_increment(x.sign, kept & 1, lost, 1ull << (shift - 1), rm);
}

/* Float to a `width`-bit integer, returned as its two's complement bits.
 * Out-of-range inputs saturate and raise NV alone, NaN counting as the
 * largest positive value (spec table "NV behavior of FCVT.int.fmt"). */
static uint64_t fp_to_int(const struct fpu_format *f, uint64_t a, int rm, bool is_signed,
			  unsigned width, unsigned *flags)
{
	uint64_t max = is_signed ? (1ull << (width - 1)) - 1 : ~0ull >> (64 - width);
	uint64_t min = is_signed ? -(1ull << (width - 1)) : 0;
	bool sign = fp_sign(f, a);

	if (fp_is_nan(f, a)) {
		*flags |= FPU_NV;
		return max;
	}
	if (fp_is_zero(f, a))
		return 0;

	bool inexact = false;
	struct fp_value x = { .sign = sign };
	if (!fp_is_inf(f, a))
		x = fp_unpack(f, a);
	/* Infinity and anything of 2^64 or more are out of range of every width. */
	bool huge = fp_is_inf(f, a) || x.exp >= 64;
	u128 magnitude = huge ? 0 : round_to_integer(x, rm, &inexact);
	u128 limit = sign ? (is_signed ? (u128)max + 1 : 0) : max;

	if (huge || magnitude > limit) {
		*flags |= FPU_NV;
		return sign ? min : max;
	}
	if (inexact)
		*flags |= FPU_NX;
	return sign ? -(uint64_t)magnitude : (uint64_t)magnitude;
}

static uint64_t fp_from_int(const struct fpu_format *f, bool sign, uint64_t magnitude, int rm,
			    unsigned *flags)
{
	if (magnitude == 0)
		return fp_zero(f, false);
	return fp_round_pack(f, sign, 0, magnitude, rm, flags);
}

/* Between formats a NaN becomes the canonical NaN (spec "Double-Precision
 * Floating-Point Conversion and Move Instructions"); finite values round. */
static uint64_t fp_convert(const struct fpu_format *to, const struct fpu_format *from,
			   uint64_t a, int rm, unsigned *flags)
{
	bool sign = fp_sign(from, a);

	if (fp_is_nan(from, a)) {
		if (fp_is_snan(from, a))
			*flags |= FPU_NV;
		return fp_canonical_nan(to);
	}
	if (fp_is_inf(from, a))
		return fp_inf(to, sign);
	if (fp_is_zero(from, a))
		return fp_zero(to, sign);
	struct fp_value x = fp_unpack(from, a);
	return fp_round_pack(to, sign, x.exp, x.sig, rm, flags);
}

static uint64_t magnitude_of(int64_t v)
{
	return v < 0 ? -(uint64_t)v : (uint64_t)v;
}

int32_t f32_to_i32(uint32_t a, int rm, unsigned *flags)
{
	return (int32_t)(uint32_t)fp_to_int(&fpu_f32, a, rm, true, 32, flags);
}

uint32_t f32_to_u32(uint32_t a, int rm, unsigned *flags)
{
	return (uint32_t)fp_to_int(&fpu_f32, a, rm, false, 32, flags);
}

int64_t f32_to_i64(uint32_t a, int rm, unsigned *flags)
{
	return (int64_t)fp_to_int(&fpu_f32, a, rm, true, 64, flags);
}

uint64_t f32_to_u64(uint32_t a, int rm, unsigned *flags)
{
	return fp_to_int(&fpu_f32, a, rm, false, 64, flags);
}

int32_t f64_to_i32(uint64_t a, int rm, unsigned *flags)
{
	return (int32_t)(uint32_t)fp_to_int(&fpu_f64, a, rm, true, 32, flags);
}

uint32_t f64_to_u32(uint64_t a, int rm, unsigned *flags)
{
	return (uint32_t)fp_to_int(&fpu_f64, a, rm, false, 32, flags);
}

int64_t f64_to_i64(uint64_t a, int rm, unsigned *flags)
{
	return (int64_t)fp_to_int(&fpu_f64, a, rm, true, 64, flags);
}

uint64_t f64_to_u64(uint64_t a, int rm, unsigned *flags)
{
	return fp_to_int(&fpu_f64, a, rm, false, 64, flags);
}

uint32_t i32_to_f32(int32_t v, int rm, unsigned *flags)
{
	return (uint32_t)fp_from_int(&fpu_f32, v < 0, magnitude_of(v), rm, flags);
}

uint32_t u32_to_f32(uint32_t v, int rm, unsigned *flags)
{
	return (uint32_t)fp_from_int(&fpu_f32, false, v, rm, flags);
}

uint32_t i64_to_f32(int64_t v, int rm, unsigned *flags)
{
	return (uint32_t)fp_from_int(&fpu_f32, v < 0, magnitude_of(v), rm, flags);
}

uint32_t u64_to_f32(uint64_t v, int rm, unsigned *flags)
{
	return (uint32_t)fp_from_int(&fpu_f32, false, v, rm, flags);
}

/* Every binary32 value is exact in binary64, so no rounding mode applies. */
uint64_t f32_to_f64(uint32_t a, unsigned *flags)
{
	return fp_convert(&fpu_f64, &fpu_f32, a, FPU_RNE, flags);
}

uint64_t i32_to_f64(int32_t v, int rm, unsigned *flags)
{
	return fp_from_int(&fpu_f64, v < 0, magnitude_of(v), rm, flags);
}

uint64_t u32_to_f64(uint32_t v, int rm, unsigned *flags)
{
	return fp_from_int(&fpu_f64, false, v, rm, flags);
}

uint64_t i64_to_f64(int64_t v, int rm, unsigned *flags)
{
	return fp_from_int(&fpu_f64, v < 0, magnitude_of(v), rm, flags);
}

uint64_t u64_to_f64(uint64_t v, int rm, unsigned *flags)
{
	return fp_from_int(&fpu_f64, false, v, rm, flags);
}

uint32_t f64_to_f32(uint64_t a, int rm, unsigned *flags)
{
	return (uint32_t)fp_convert(&fpu_f32, &fpu_f64, a, rm, flags);
}
