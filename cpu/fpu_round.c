/* Unpacking and the shared round-and-pack step of the software FPU. */
#include "cpu/fpu_internal.h"

const struct fpu_format fpu_f32 = { .frac_bits = 23, .exp_bits = 8 };
const struct fpu_format fpu_f64 = { .frac_bits = 52, .exp_bits = 11 };

struct fp_value fp_unpack(const struct fpu_format *f, uint64_t x)
{
	struct fp_value v = { .sign = fp_sign(f, x) };
	unsigned field = fp_exp_field(f, x);
	uint64_t frac = fp_frac(f, x);

	if (field == 0) {
		/* Subnormal: same scale as exponent field 1, no hidden bit. */
		unsigned lead = 63 - (unsigned)__builtin_clzll(frac);
		unsigned shift = f->frac_bits - lead;
		v.sig = frac << shift;
		v.exp = 1 - fp_bias(f) - (int)f->frac_bits - (int)shift;
	} else {
		v.sig = frac | (1ull << f->frac_bits);
		v.exp = (int)field - fp_bias(f) - (int)f->frac_bits;
	}
	return v;
}

bool fp_round_increment(bool sign, bool lsb_odd, uint64_t lost, uint64_t half, int rm)
{
	switch (rm) {
	case FPU_RTZ:
		return false;
	case FPU_RDN:
		return sign && lost;
	case FPU_RUP:
		return !sign && lost;
	case FPU_RMM:
		return lost >= half;
	default:
		return lost > half || (lost == half && lsb_odd);
	}
}

/* IEEE 754 7.4: an overflow rounds to infinity or to the largest finite
 * number, whichever the rounding direction points at. */
static uint64_t overflow_result(const struct fpu_format *f, bool sign, int rm)
{
	bool to_inf = rm == FPU_RNE || rm == FPU_RMM || (rm == FPU_RDN && sign) ||
		      (rm == FPU_RUP && !sign);

	if (to_inf)
		return fp_inf(f, sign);
	return fp_pack(f, sign, fp_exp_all_ones(f) - 1, fp_frac_mask(f));
}

uint64_t fp_round_pack(const struct fpu_format *f, bool sign, int exp, u128 sig, int rm,
		       unsigned *flags)
{
	/* Normalize to a 64-bit significand with its leading one at bit 63 and
	 * everything below folded into a sticky bit 0. */
	unsigned lz = clz128(sig);
	u128 top = sig << lz;
	uint64_t s = (uint64_t)(top >> 64) | ((uint64_t)top != 0);
	int e = exp + 127 - (int)lz + fp_bias(f); /* biased exponent of bit 63 */
	unsigned drop = 63 - f->frac_bits;        /* bits below the precision */
	uint64_t drop_mask = (1ull << drop) - 1;
	uint64_t half = 1ull << (drop - 1);
	uint64_t kept, lost;

	if (e <= 0) {
		/* RISC-V detects tininess after rounding (spec "Floating-Point
		 * Control and Status Register"): the result is tiny unless rounding
		 * to full precision with an unbounded exponent would reach the
		 * smallest normal number, which only a value just below it can. */
		bool carries = (s >> drop) == (~0ull >> drop) &&
			       fp_round_increment(sign, true, s & drop_mask, half, rm);
		bool tiny = e < 0 || !carries;
		unsigned denorm = 1 - e > 64 ? 64 : (unsigned)(1 - e);

		s = (uint64_t)shift_right_jam128(s, denorm);
		kept = s >> drop;
		lost = s & drop_mask;
		kept += fp_round_increment(sign, kept & 1, lost, half, rm);
		if (lost) {
			*flags |= FPU_NX;
			if (tiny)
				*flags |= FPU_UF;
		}
		/* A carry out of the fraction lands in the exponent field as 1:
		 * the smallest normal number. */
		return fp_pack(f, sign, 0, kept);
	}

	kept = s >> drop;
	lost = s & drop_mask;
	kept += fp_round_increment(sign, kept & 1, lost, half, rm);
	if (kept >> (f->frac_bits + 1)) {
		kept >>= 1;
		e++;
	}
	if (e >= (int)fp_exp_all_ones(f)) {
		*flags |= FPU_OF | FPU_NX;
		return overflow_result(f, sign, rm);
	}
	if (lost)
		*flags |= FPU_NX;
	return fp_pack(f, sign, (uint64_t)e, kept & fp_frac_mask(f));
}

uint64_t fp_nan_result(const struct fpu_format *f, uint64_t a, uint64_t b, unsigned *flags)
{
	if (fp_is_snan(f, a) || fp_is_snan(f, b))
		*flags |= FPU_NV;
	return fp_canonical_nan(f);
}
