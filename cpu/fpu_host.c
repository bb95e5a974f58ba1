#include "cpu/fpu_host.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Only where C's double and float arithmetic is the IEEE operation itself,
 * rounded once (SSE2 on x86-64; not x87's extended precision). */
#if FLT_EVAL_METHOD == 0

static bool f64_normal_or_zero(uint64_t v)
{
	unsigned exp = (unsigned)(v >> 52) & 0x7ff;
	return exp != 0x7ff && (exp != 0 || (v << 1) == 0);
}

static bool f32_normal_or_zero(uint32_t v)
{
	unsigned exp = (v >> 23) & 0xff;
	return exp != 0xff && (exp != 0 || (v << 1) == 0);
}

/* Results are taken when normal, but not of the smallest exponent: a value
 * just below the smallest normal may have rounded up to it, and RISC-V
 * detects tininess after rounding with an unbounded exponent, so that
 * result may owe an underflow flag (spec 11.2, IEEE 754 7.5). */

/* Whether a result that is zero is exact: no rounding of a tiny value
 * (which would raise underflow) can have produced it. */
static bool zero_is_exact(enum fpu_host_op op, bool a_zero, bool b_zero)
{
	switch (op) {
	case FPU_HOST_ADD:
	case FPU_HOST_SUB:
		return true;            /* normal operands cancel exactly */
	case FPU_HOST_MUL:
		return a_zero || b_zero;
	case FPU_HOST_DIV:
	case FPU_HOST_SQRT:
		return a_zero;
	default:
		return false;
	}
}

bool f64_host(enum fpu_host_op op, uint64_t a, uint64_t b, uint64_t c, uint64_t *r)
{
	double da, db, dc, dr;
	bool b_zero = (b << 1) == 0;

	if (!f64_normal_or_zero(a) || !f64_normal_or_zero(b) || !f64_normal_or_zero(c))
		return false;
	/* x / 0 raises DZ; the square root of a negative number is invalid. */
	if ((op == FPU_HOST_DIV && b_zero) || (op == FPU_HOST_SQRT && (a >> 63) && (a << 1)))
		return false;
	memcpy(&da, &a, 8);
	memcpy(&db, &b, 8);
	memcpy(&dc, &c, 8);
	switch (op) {
	case FPU_HOST_ADD: dr = da + db; break;
	case FPU_HOST_SUB: dr = da - db; break;
	case FPU_HOST_MUL: dr = da * db; break;
	case FPU_HOST_DIV: dr = da / db; break;
	case FPU_HOST_SQRT: dr = sqrt(da); break;
	default: dr = fma(da, db, dc); break;
	}
	uint64_t v;
	memcpy(&v, &dr, 8);
	unsigned exp = (unsigned)(v >> 52) & 0x7ff;
	if (exp == 0x7ff || exp == 1 ||
	    (exp == 0 && ((v << 1) != 0 || !zero_is_exact(op, (a << 1) == 0, b_zero))))
		return false;
	*r = v;
	return true;
}

bool f32_host(enum fpu_host_op op, uint32_t a, uint32_t b, uint32_t c, uint32_t *r)
{
	float fa, fb, fc, fr;
	bool b_zero = (uint32_t)(b << 1) == 0;

	if (!f32_normal_or_zero(a) || !f32_normal_or_zero(b) || !f32_normal_or_zero(c))
		return false;
	if ((op == FPU_HOST_DIV && b_zero) ||
	    (op == FPU_HOST_SQRT && (a >> 31) && (uint32_t)(a << 1)))
		return false;
	memcpy(&fa, &a, 4);
	memcpy(&fb, &b, 4);
	memcpy(&fc, &c, 4);
	switch (op) {
	case FPU_HOST_ADD: fr = fa + fb; break;
	case FPU_HOST_SUB: fr = fa - fb; break;
	case FPU_HOST_MUL: fr = fa * fb; break;
	case FPU_HOST_DIV: fr = fa / fb; break;
	case FPU_HOST_SQRT: fr = sqrtf(fa); break;
	default: fr = fmaf(fa, fb, fc); break;
	}
	uint32_t v;
	memcpy(&v, &fr, 4);
	unsigned exp = (v >> 23) & 0xff;
	if (exp == 0xff || exp == 1 ||
	    (exp == 0 && ((uint32_t)(v << 1) != 0 ||
			  !zero_is_exact(op, (uint32_t)(a << 1) == 0, b_zero))))
		return false;
	*r = v;
	return true;
}

#else

bool f64_host(enum fpu_host_op op, uint64_t a, uint64_t b, uint64_t c, uint64_t *r)
{
	return false;
}

bool f32_host(enum fpu_host_op op, uint32_t a, uint32_t b, uint32_t c, uint32_t *r)
{
	return false;
}

#endif
