/* Shared by the cpu/fpu*.c files only: the format descriptions, bit-field
 * helpers and the one rounding routine every operation ends in. Raw values of
 * both formats travel as uint64_t so each operation is written once and the
 * public f32_ and f64_ functions are thin wrappers. */
#ifndef DOPPEL_CPU_FPU_INTERNAL_H
#define DOPPEL_CPU_FPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/fpu.h"

typedef unsigned __int128 u128;

struct fpu_format {
	unsigned frac_bits; /* stored fraction bits: 23 or 52 */
	unsigned exp_bits;  /* exponent field bits: 8 or 11 */
};

extern const struct fpu_format fpu_f32;
extern const struct fpu_format fpu_f64;

/* A finite value sign * sig * 2^exp. unpack() leaves sig with its leading one
 * at bit frac_bits; operations widen it into the rest of the 128 bits. */
struct fp_value {
	bool sign;
	int exp;
	u128 sig;
};

static inline int fp_bias(const struct fpu_format *f)
{
	return (1 << (f->exp_bits - 1)) - 1;
}

static inline unsigned fp_exp_all_ones(const struct fpu_format *f)
{
	return (1u << f->exp_bits) - 1;
}

static inline uint64_t fp_frac_mask(const struct fpu_format *f)
{
	return (1ull << f->frac_bits) - 1;
}

static inline bool fp_sign(const struct fpu_format *f, uint64_t x)
{
	return (x >> (f->frac_bits + f->exp_bits)) & 1;
}

static inline unsigned fp_exp_field(const struct fpu_format *f, uint64_t x)
{
	return (unsigned)(x >> f->frac_bits) & fp_exp_all_ones(f);
}

static inline uint64_t fp_frac(const struct fpu_format *f, uint64_t x)
{
	return x & fp_frac_mask(f);
}

static inline uint64_t fp_pack(const struct fpu_format *f, bool sign, uint64_t exp_field,
			       uint64_t frac)
{
	return ((uint64_t)sign << (f->frac_bits + f->exp_bits)) | (exp_field << f->frac_bits) | frac;
}

static inline bool fp_is_nan(const struct fpu_format *f, uint64_t x)
{
	return fp_exp_field(f, x) == fp_exp_all_ones(f) && fp_frac(f, x) != 0;
}

/* The quiet bit is the fraction's top bit (spec "NaN Generation and Propagation"). */
static inline bool fp_is_snan(const struct fpu_format *f, uint64_t x)
{
	return fp_is_nan(f, x) && !((x >> (f->frac_bits - 1)) & 1);
}

static inline bool fp_is_inf(const struct fpu_format *f, uint64_t x)
{
	return fp_exp_field(f, x) == fp_exp_all_ones(f) && fp_frac(f, x) == 0;
}

static inline bool fp_is_zero(const struct fpu_format *f, uint64_t x)
{
	return fp_exp_field(f, x) == 0 && fp_frac(f, x) == 0;
}

static inline uint64_t fp_inf(const struct fpu_format *f, bool sign)
{
	return fp_pack(f, sign, fp_exp_all_ones(f), 0);
}

static inline uint64_t fp_zero(const struct fpu_format *f, bool sign)
{
	return fp_pack(f, sign, 0, 0);
}

static inline uint64_t fp_canonical_nan(const struct fpu_format *f)
{
	return fp_pack(f, false, fp_exp_all_ones(f), 1ull << (f->frac_bits - 1));
}

static inline unsigned clz128(u128 v)
{
	uint64_t hi = (uint64_t)(v >> 64);
	return hi ? (unsigned)__builtin_clzll(hi) : 64 + (unsigned)__builtin_clzll((uint64_t)v);
}

/* v >> n with every shifted-out one bit ORed into bit 0 (a "sticky" bit), so
 * the result still tells an exact value from an inexact one. */
static inline u128 shift_right_jam128(u128 v, unsigned n)
{
	if (n == 0)
		return v;
	if (n >= 128)
		return v != 0;
	return (v >> n) | ((v << (128 - n)) != 0);
}

/* Finite and non-zero x only; subnormals come back normalized. */
struct fp_value fp_unpack(const struct fpu_format *f, uint64_t x);

/* Whether rounding must add one unit to the kept part whose lowest bit is
 * `lsb_odd`, when `lost` (out of a unit worth 2 * half) was discarded. */
bool fp_round_increment(bool sign, bool lsb_odd, uint64_t lost, uint64_t half, int rm);

/* Rounds sign * sig * 2^exp (sig != 0) to the format and packs it, raising
 * NX/UF/OF. If sig carries a sticky bit in bit 0 it must have at least
 * frac_bits + 3 significant bits, so the sticky bit stays below the round bit. */
uint64_t fp_round_pack(const struct fpu_format *f, bool sign, int exp, u128 sig, int rm,
		       unsigned *flags);

/* The canonical NaN, raising NV if a or b is signalling. */
uint64_t fp_nan_result(const struct fpu_format *f, uint64_t a, uint64_t b, unsigned *flags);

#endif
