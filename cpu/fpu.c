/* Software IEEE 754 arithmetic for the F and D extensions: add, subtract,
 * multiply, divide, square root and fused multiply-add. Each operation deals
 * with NaN, infinity and zero operands, computes the exact (or sticky-jammed)
 * result wide, and leaves rounding to fp_round_pack. */
#include "cpu/fpu_internal.h"

/* An exact zero sum of operands of opposite sign is +0, except -0 when
 * rounding down (IEEE 754 6.3). */
static uint64_t exact_zero_sum(const struct fpu_format *f, int rm)
{
	return fp_zero(f, rm == FPU_RDN);
}

/* Puts the leading one at bit 125: two such values can be added without
 * overflowing, and an operand of at most 106 significant bits keeps bit 0
 * clear, which shift_right_jam128 on the other operand relies on. */
static struct fp_value align_high(struct fp_value v)
{
	unsigned shift = clz128(v.sig) - 2;

	v.sig <<= shift;
	v.exp -= (int)shift;
	return v;
}

/* x + y for non-zero finite values of at most 106 significant bits; rounds
 * the sum, or returns the exact zero of a cancellation. */
static uint64_t round_sum(const struct fpu_format *f, struct fp_value x, struct fp_value y,
			  int rm, unsigned *flags)
{
	x = align_high(x);
	y = align_high(y);
	if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
		struct fp_value t = x;
		x = y;
		y = t;
	}
	/* x has the larger magnitude; its sign is the sum's. */
	y.sig = shift_right_jam128(y.sig, (unsigned)(x.exp - y.exp));
	if (x.sign == y.sign)
		x.sig += y.sig;
	else
		x.sig -= y.sig;
	if (x.sig == 0)
		return exact_zero_sum(f, rm);
	return fp_round_pack(f, x.sign, x.exp, x.sig, rm, flags);
}

static uint64_t fp_add(const struct fpu_format *f, uint64_t a, uint64_t b, int rm,
		       unsigned *flags)
{
	if (fp_is_nan(f, a) || fp_is_nan(f, b))
		return fp_nan_result(f, a, b, flags);
	if (fp_is_inf(f, a)) {
		if (fp_is_inf(f, b) && fp_sign(f, a) != fp_sign(f, b)) {
			*flags |= FPU_NV;
			return fp_canonical_nan(f);
		}
		return a;
	}
	if (fp_is_inf(f, b))
		return b;
	if (fp_is_zero(f, a) && fp_is_zero(f, b))
		return fp_sign(f, a) == fp_sign(f, b) ? a : exact_zero_sum(f, rm);
	if (fp_is_zero(f, a))
		return b;
	if (fp_is_zero(f, b))
		return a;
	return round_sum(f, fp_unpack(f, a), fp_unpack(f, b), rm, flags);
}

static uint64_t negate(const struct fpu_format *f, uint64_t x)
{
	return x ^ fp_pack(f, true, 0, 0);
}

/* a - b is a + (-b): flipping a NaN's sign cannot change what it produces. */
static uint64_t fp_sub(const struct fpu_format *f, uint64_t a, uint64_t b, int rm,
		       unsigned *flags)
{
	return fp_add(f, a, negate(f, b), rm, flags);
}

static uint64_t fp_mul(const struct fpu_format *f, uint64_t a, uint64_t b, int rm,
		       unsigned *flags)
{
	bool sign = fp_sign(f, a) != fp_sign(f, b);

	if (fp_is_nan(f, a) || fp_is_nan(f, b))
		return fp_nan_result(f, a, b, flags);
	if (fp_is_inf(f, a) || fp_is_inf(f, b)) {
		if (fp_is_zero(f, a) || fp_is_zero(f, b)) {
			*flags |= FPU_NV;
			return fp_canonical_nan(f);
		}
		return fp_inf(f, sign);
	}
	if (fp_is_zero(f, a) || fp_is_zero(f, b))
		return fp_zero(f, sign);

	struct fp_value x = fp_unpack(f, a), y = fp_unpack(f, b);
	return fp_round_pack(f, sign, x.exp + y.exp, x.sig * y.sig, rm, flags);
}

static uint64_t fp_div(const struct fpu_format *f, uint64_t a, uint64_t b, int rm,
		       unsigned *flags)
{
	bool sign = fp_sign(f, a) != fp_sign(f, b);

	if (fp_is_nan(f, a) || fp_is_nan(f, b))
		return fp_nan_result(f, a, b, flags);
	if ((fp_is_inf(f, a) && fp_is_inf(f, b)) || (fp_is_zero(f, a) && fp_is_zero(f, b))) {
		*flags |= FPU_NV;
		return fp_canonical_nan(f);
	}
	if (fp_is_inf(f, a))
		return fp_inf(f, sign);
	if (fp_is_inf(f, b) || fp_is_zero(f, a))
		return fp_zero(f, sign);
	if (fp_is_zero(f, b)) {
		*flags |= FPU_DZ;
		return fp_inf(f, sign);
	}

	/* Both significands have frac_bits + 1 bits, so the quotient of the
	 * dividend scaled by 2^64 has at least 64 bits: enough for the
	 * precision, a round bit and, from the remainder, a sticky bit. */
	struct fp_value x = fp_unpack(f, a), y = fp_unpack(f, b);
	u128 dividend = x.sig << 64;
	u128 quotient = dividend / y.sig;
	bool remainder = dividend % y.sig != 0;
	return fp_round_pack(f, sign, x.exp - y.exp - 64, quotient | remainder, rm, flags);
}

/* floor(sqrt(n)) by the digit-by-digit method, two bits of n per root bit. */
static u128 isqrt128(u128 n, bool *inexact)
{
	u128 root = 0, rem = 0;

	for (int i = 0; i < 64; i++) {
		rem = (rem << 2) | (n >> 126);
		n <<= 2;
		u128 trial = (root << 2) | 1;
		root <<= 1;
		if (rem >= trial) {
			rem -= trial;
			root |= 1;
		}
	}
	*inexact = rem != 0;
	return root;
}

static uint64_t fp_sqrt(const struct fpu_format *f, uint64_t a, int rm, unsigned *flags)
{
	if (fp_is_nan(f, a))
		return fp_nan_result(f, a, a, flags);
	/* IEEE 754 6.3: sqrt(-0) is -0. */
	if (fp_is_zero(f, a))
		return a;
	if (fp_sign(f, a)) {
		*flags |= FPU_NV;
		return fp_canonical_nan(f);
	}
	if (fp_is_inf(f, a))
		return a;

	struct fp_value x = fp_unpack(f, a);
	/* Make the exponent even so it halves exactly, then widen the
	 * significand by an even shift to 125 or 126 bits: its root then has 63
	 * bits, enough for the precision, a round bit and a sticky bit. */
	if (x.exp & 1) {
		x.sig <<= 1;
		x.exp -= 1;
	}
	unsigned shift = (clz128(x.sig) - 2) & ~1u;
	x.sig <<= shift;
	x.exp -= (int)shift;

	bool inexact;
	u128 root = isqrt128(x.sig, &inexact);
	return fp_round_pack(f, false, x.exp / 2, root | inexact, rm, flags);
}

static uint64_t fp_fma(const struct fpu_format *f, uint64_t a, uint64_t b, uint64_t c, int rm,
		       unsigned *flags)
{
	bool product_sign = fp_sign(f, a) != fp_sign(f, b);
	bool product_invalid = (fp_is_inf(f, a) && fp_is_zero(f, b)) ||
			       (fp_is_zero(f, a) && fp_is_inf(f, b));

	if (fp_is_nan(f, a) || fp_is_nan(f, b) || fp_is_nan(f, c) || product_invalid) {
		if (fp_is_snan(f, c))
			*flags |= FPU_NV;
		/* Spec "Single-Precision Floating-Point Computational
		 * Instructions": inf * 0 raises NV even when c is a quiet NaN. */
		if (product_invalid)
			*flags |= FPU_NV;
		return fp_nan_result(f, a, b, flags);
	}
	if (fp_is_inf(f, a) || fp_is_inf(f, b)) {
		if (fp_is_inf(f, c) && fp_sign(f, c) != product_sign) {
			*flags |= FPU_NV;
			return fp_canonical_nan(f);
		}
		return fp_inf(f, product_sign);
	}
	if (fp_is_inf(f, c))
		return c;
	if (fp_is_zero(f, a) || fp_is_zero(f, b)) {
		if (!fp_is_zero(f, c))
			return c;
		return fp_sign(f, c) == product_sign ? c : exact_zero_sum(f, rm);
	}

	struct fp_value x = fp_unpack(f, a), y = fp_unpack(f, b);
	struct fp_value product = {
		.sign = product_sign,
		.exp = x.exp + y.exp,
		.sig = x.sig * y.sig,
	};
	if (fp_is_zero(f, c))
		return fp_round_pack(f, product.sign, product.exp, product.sig, rm, flags);
	return round_sum(f, product, fp_unpack(f, c), rm, flags);
}

uint32_t f32_add(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
	return (uint32_t)fp_add(&fpu_f32, a, b, rm, flags);
}

uint32_t f32_sub(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
	return (uint32_t)fp_sub(&fpu_f32, a, b, rm, flags);
}

uint32_t f32_mul(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
	return (uint32_t)fp_mul(&fpu_f32, a, b, rm, flags);
}

uint32_t f32_div(uint32_t a, uint32_t b, int rm, unsigned *flags)
{
	return (uint32_t)fp_div(&fpu_f32, a, b, rm, flags);
}

uint32_t f32_sqrt(uint32_t a, int rm, unsigned *flags)
{
	return (uint32_t)fp_sqrt(&fpu_f32, a, rm, flags);
}

uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, int rm, unsigned *flags)
{
	return (uint32_t)fp_fma(&fpu_f32, a, b, c, rm, flags);
}

uint64_t f64_add(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
	return fp_add(&fpu_f64, a, b, rm, flags);
}

uint64_t f64_sub(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
	return fp_sub(&fpu_f64, a, b, rm, flags);
}

uint64_t f64_mul(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
	return fp_mul(&fpu_f64, a, b, rm, flags);
}

uint64_t f64_div(uint64_t a, uint64_t b, int rm, unsigned *flags)
{
	return fp_div(&fpu_f64, a, b, rm, flags);
}

uint64_t f64_sqrt(uint64_t a, int rm, unsigned *flags)
{
	return fp_sqrt(&fpu_f64, a, rm, flags);
}

uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, int rm, unsigned *flags)
{
	return fp_fma(&fpu_f64, a, b, c, rm, flags);
}
