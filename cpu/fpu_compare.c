/* Comparisons, fmin/fmax and fclass of the software FPU. */
#include "cpu/fpu_internal.h"

/* a < b for non-NaN values, with -0 < +0 when order_zeros is set. Sign-
 * magnitude encodings order like integers within one sign. */
static bool less_than(const struct fpu_format *f, uint64_t a, uint64_t b, bool order_zeros)
{
	bool sa = fp_sign(f, a), sb = fp_sign(f, b);

	if (!order_zeros && fp_is_zero(f, a) && fp_is_zero(f, b))
		return false;
	if (sa != sb)
		return sa;
	return sa ? a > b : a < b;
}

static bool either_nan(const struct fpu_format *f, uint64_t a, uint64_t b)
{
	return fp_is_nan(f, a) || fp_is_nan(f, b);
}

/* FEQ is a quiet comparison: NV only for signalling NaNs. */
static int fp_eq(const struct fpu_format *f, uint64_t a, uint64_t b, unsigned *flags)
{
	if (either_nan(f, a, b)) {
		if (fp_is_snan(f, a) || fp_is_snan(f, b))
			*flags |= FPU_NV;
		return 0;
	}
	return a == b || (fp_is_zero(f, a) && fp_is_zero(f, b));
}

/* FLT and FLE are signalling comparisons: NV for any NaN. */
static int fp_lt(const struct fpu_format *f, uint64_t a, uint64_t b, unsigned *flags)
{
	if (either_nan(f, a, b)) {
		*flags |= FPU_NV;
		return 0;
	}
	return less_than(f, a, b, false);
}

static int fp_le(const struct fpu_format *f, uint64_t a, uint64_t b, unsigned *flags)
{
	if (either_nan(f, a, b)) {
		*flags |= FPU_NV;
		return 0;
	}
	return !less_than(f, b, a, false);
}

/* FMIN/FMAX are IEEE 754-2019 minimumNumber/maximumNumber (spec 2.2+): a
 * single NaN operand is ignored, two give the canonical NaN, signalling
 * NaNs raise NV even when the result is a number, and -0 < +0. */
static uint64_t fp_min_max(const struct fpu_format *f, uint64_t a, uint64_t b, bool max,
			   unsigned *flags)
{
	if (fp_is_snan(f, a) || fp_is_snan(f, b))
		*flags |= FPU_NV;
	if (fp_is_nan(f, a) && fp_is_nan(f, b))
		return fp_canonical_nan(f);
	if (fp_is_nan(f, a))
		return b;
	if (fp_is_nan(f, b))
		return a;
	return less_than(f, a, b, true) != max ? a : b;
}

/* The fclass bit positions (spec "Floating-Point Classify Instruction"). */
enum {
	CLASS_NEG_INF = 1 << 0,
	CLASS_NEG_NORMAL = 1 << 1,
	CLASS_NEG_SUBNORMAL = 1 << 2,
	CLASS_NEG_ZERO = 1 << 3,
	CLASS_POS_ZERO = 1 << 4,
	CLASS_POS_SUBNORMAL = 1 << 5,
	CLASS_POS_NORMAL = 1 << 6,
	CLASS_POS_INF = 1 << 7,
	CLASS_SNAN = 1 << 8,
	CLASS_QNAN = 1 << 9,
};

static uint32_t fp_classify(const struct fpu_format *f, uint64_t a)
{
	bool neg = fp_sign(f, a);

	if (fp_is_nan(f, a))
		return fp_is_snan(f, a) ? CLASS_SNAN : CLASS_QNAN;
	if (fp_is_inf(f, a))
		return neg ? CLASS_NEG_INF : CLASS_POS_INF;
	if (fp_is_zero(f, a))
		return neg ? CLASS_NEG_ZERO : CLASS_POS_ZERO;
	if (fp_exp_field(f, a) == 0)
		return neg ? CLASS_NEG_SUBNORMAL : CLASS_POS_SUBNORMAL;
	return neg ? CLASS_NEG_NORMAL : CLASS_POS_NORMAL;
}

uint32_t f32_min(uint32_t a, uint32_t b, unsigned *flags)
{
	return (uint32_t)fp_min_max(&fpu_f32, a, b, false, flags);
}

uint32_t f32_max(uint32_t a, uint32_t b, unsigned *flags)
{
	return (uint32_t)fp_min_max(&fpu_f32, a, b, true, flags);
}

int f32_eq(uint32_t a, uint32_t b, unsigned *flags)
{
	return fp_eq(&fpu_f32, a, b, flags);
}

int f32_lt(uint32_t a, uint32_t b, unsigned *flags)
{
	return fp_lt(&fpu_f32, a, b, flags);
}

int f32_le(uint32_t a, uint32_t b, unsigned *flags)
{
	return fp_le(&fpu_f32, a, b, flags);
}

uint32_t f32_classify(uint32_t a)
{
	return fp_classify(&fpu_f32, a);
}

uint64_t f64_min(uint64_t a, uint64_t b, unsigned *flags)
{
	return fp_min_max(&fpu_f64, a, b, false, flags);
}

uint64_t f64_max(uint64_t a, uint64_t b, unsigned *flags)
{
	return fp_min_max(&fpu_f64, a, b, true, flags);
}

int f64_eq(uint64_t a, uint64_t b, unsigned *flags)
{
	return fp_eq(&fpu_f64, a, b, flags);
}

int f64_lt(uint64_t a, uint64_t b, unsigned *flags)
{
	return fp_lt(&fpu_f64, a, b, flags);
}

int f64_le(uint64_t a, uint64_t b, unsigned *flags)
{
	return fp_le(&fpu_f64, a, b, flags);
}

uint32_t f64_classify(uint64_t a)
{
	return fp_classify(&fpu_f64, a);
}
