/* IEEE 754-2008 binary32/binary64 arithmetic as the RISC-V F and D extensions
 * define it (unprivileged spec, chapters "F" and "D"): every operation takes the
 * operands as raw bit patterns and a resolved rounding mode, returns the raw
 * result, and ORs the exception flags it raises into *flags. The functions are
 * pure software, so results and flags are the same on every host.
 *
 * RISC-V specifics followed here: a NaN result is always the canonical NaN
 * (0x7fc00000 / 0x7ff8000000000000); tininess is detected after rounding;
 * float-to-integer conversions saturate and raise NV (NaN converts to the
 * largest positive integer); fmin/fmax return the non-NaN operand when only one
 * is NaN, raise NV only for signalling NaNs, and order -0 below +0. */
#ifndef DOPPEL_CPU_FPU_H
#define DOPPEL_CPU_FPU_H

#include <stdint.h>

enum fpu_rm {
	FPU_RNE = 0, /* to nearest, ties to even */
	FPU_RTZ = 1, /* towards zero */
	FPU_RDN = 2, /* down, towards -inf */
	FPU_RUP = 3, /* up, towards +inf */
	FPU_RMM = 4, /* to nearest, ties to max magnitude */
};

/* fflags bits (fcsr[4:0]) */
enum {
	FPU_NX = 1 << 0, /* inexact */
	FPU_UF = 1 << 1, /* underflow */
	FPU_OF = 1 << 2, /* overflow */
	FPU_DZ = 1 << 3, /* divide by zero */
	FPU_NV = 1 << 4, /* invalid */
};

#define F32_CANONICAL_NAN 0x7fc00000u
#define F64_CANONICAL_NAN 0x7ff8000000000000ull

uint32_t f32_add(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_sub(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_mul(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_div(uint32_t a, uint32_t b, int rm, unsigned *flags);
uint32_t f32_sqrt(uint32_t a, int rm, unsigned *flags);
/* a * b + c with a single rounding; the negated forms of fmsub/fnmadd/fnmsub
 * are made by the caller flipping sign bits of a product operand or c. */
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, int rm, unsigned *flags);
uint32_t f32_min(uint32_t a, uint32_t b, unsigned *flags);
uint32_t f32_max(uint32_t a, uint32_t b, unsigned *flags);
int f32_eq(uint32_t a, uint32_t b, unsigned *flags); /* quiet: NV on sNaN only */
int f32_lt(uint32_t a, uint32_t b, unsigned *flags); /* signalling: NV on any NaN */
int f32_le(uint32_t a, uint32_t b, unsigned *flags);
uint32_t f32_classify(uint32_t a); /* the 10-bit fclass mask */
int32_t f32_to_i32(uint32_t a, int rm, unsigned *flags);
uint32_t f32_to_u32(uint32_t a, int rm, unsigned *flags);
int64_t f32_to_i64(uint32_t a, int rm, unsigned *flags);
uint64_t f32_to_u64(uint32_t a, int rm, unsigned *flags);
uint32_t i32_to_f32(int32_t v, int rm, unsigned *flags);
uint32_t u32_to_f32(uint32_t v, int rm, unsigned *flags);
uint32_t i64_to_f32(int64_t v, int rm, unsigned *flags);
uint32_t u64_to_f32(uint64_t v, int rm, unsigned *flags);
uint64_t f32_to_f64(uint32_t a, unsigned *flags);

uint64_t f64_add(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_sub(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_mul(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_div(uint64_t a, uint64_t b, int rm, unsigned *flags);
uint64_t f64_sqrt(uint64_t a, int rm, unsigned *flags);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, int rm, unsigned *flags);
uint64_t f64_min(uint64_t a, uint64_t b, unsigned *flags);
uint64_t f64_max(uint64_t a, uint64_t b, unsigned *flags);
int f64_eq(uint64_t a, uint64_t b, unsigned *flags);
int f64_lt(uint64_t a, uint64_t b, unsigned *flags);
int f64_le(uint64_t a, uint64_t b, unsigned *flags);
uint32_t f64_classify(uint64_t a);
int32_t f64_to_i32(uint64_t a, int rm, unsigned *flags);
uint32_t f64_to_u32(uint64_t a, int rm, unsigned *flags);
int64_t f64_to_i64(uint64_t a, int rm, unsigned *flags);
uint64_t f64_to_u64(uint64_t a, int rm, unsigned *flags);
uint64_t i32_to_f64(int32_t v, int rm, unsigned *flags);
uint64_t u32_to_f64(uint32_t v, int rm, unsigned *flags);
uint64_t i64_to_f64(int64_t v, int rm, unsigned *flags);
uint64_t u64_to_f64(uint64_t v, int rm, unsigned *flags);
uint32_t f64_to_f32(uint64_t a, int rm, unsigned *flags);

#endif
