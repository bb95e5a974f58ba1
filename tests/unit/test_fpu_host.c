/* The host fast path (cpu/fpu_host.h) against the software FPU: whenever
 * the fast path answers, its result must be the software's, and the
 * software must have raised no flag but inexact (which the fast path may
 * only be used with, as it is already set). Operands are drawn to hit the
 * edges: zeros, subnormals, infinities, NaNs, huge and tiny exponents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cpu/fpu.h"
#include "cpu/fpu_host.h"

#define CASES 400000

static uint64_t state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: a fixed seed, so a failure repeats. */
static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

static uint64_t f64_operand(void)
{
	static const unsigned exps[] = { 0, 1, 2, 0x3fe, 0x3ff, 0x400, 0x7fd, 0x7fe, 0x7ff };
	uint64_t r = next();
	unsigned exp = (r & 1) ? exps[(r >> 1) % 9] : (unsigned)((r >> 8) % 0x7ff);
	uint64_t frac = (r >> 4) & 2 ? 0 : next() >> 12;
	return (next() & (1ull << 63)) | ((uint64_t)exp << 52) | frac;
}

static uint32_t f32_operand(void)
{
	static const unsigned exps[] = { 0, 1, 2, 0x7e, 0x7f, 0x80, 0xfd, 0xfe, 0xff };
	uint64_t r = next();
	unsigned exp = (r & 1) ? exps[(r >> 1) % 9] : (unsigned)((r >> 8) % 0xff);
	uint32_t frac = (r >> 4) & 2 ? 0 : (uint32_t)(next() >> 41);
	return (uint32_t)(next() & 0x80000000u) | (exp << 23) | frac;
}

static uint64_t f64_soft(enum fpu_host_op op, uint64_t a, uint64_t b, uint64_t c, unsigned *fl)
{
	switch (op) {
	case FPU_HOST_ADD: return f64_add(a, b, FPU_RNE, fl);
	case FPU_HOST_SUB: return f64_sub(a, b, FPU_RNE, fl);
	case FPU_HOST_MUL: return f64_mul(a, b, FPU_RNE, fl);
	case FPU_HOST_DIV: return f64_div(a, b, FPU_RNE, fl);
	case FPU_HOST_SQRT: return f64_sqrt(a, FPU_RNE, fl);
	default: return f64_fma(a, b, c, FPU_RNE, fl);
	}
}

static uint32_t f32_soft(enum fpu_host_op op, uint32_t a, uint32_t b, uint32_t c, unsigned *fl)
{
	switch (op) {
	case FPU_HOST_ADD: return f32_add(a, b, FPU_RNE, fl);
	case FPU_HOST_SUB: return f32_sub(a, b, FPU_RNE, fl);
	case FPU_HOST_MUL: return f32_mul(a, b, FPU_RNE, fl);
	case FPU_HOST_DIV: return f32_div(a, b, FPU_RNE, fl);
	case FPU_HOST_SQRT: return f32_sqrt(a, FPU_RNE, fl);
	default: return f32_fma(a, b, c, FPU_RNE, fl);
	}
}

static void test_f64_host_matches_software(void **unused)
{
	unsigned long answered = 0;

	for (unsigned long i = 0; i < CASES; i++) {
		enum fpu_host_op op = (enum fpu_host_op)(i % 6);
		uint64_t a = f64_operand(), b = f64_operand();
		uint64_t c = op == FPU_HOST_FMA ? f64_operand() : 0, r, want;
		unsigned fl = 0;
		if (!f64_host(op, a, b, c, &r))
			continue;
		answered++;
		want = f64_soft(op, a, b, c, &fl);
		if (r != want || (fl & ~FPU_NX)) {
			print_error("f64 op %d (%#llx, %#llx, %#llx): host %#llx, software %#llx flags %#x\n",
				    op, (unsigned long long)a, (unsigned long long)b,
				    (unsigned long long)c, (unsigned long long)r,
				    (unsigned long long)want, fl);
			fail();
		}
	}
	/* The fast path must be taken often, or it is not a fast path. */
	assert_true(answered > CASES / 10);
}

static void test_f32_host_matches_software(void **unused)
{
	unsigned long answered = 0;

	for (unsigned long i = 0; i < CASES; i++) {
		enum fpu_host_op op = (enum fpu_host_op)(i % 6);
		uint32_t a = f32_operand(), b = f32_operand();
		uint32_t c = op == FPU_HOST_FMA ? f32_operand() : 0, r, want;
		unsigned fl = 0;
		if (!f32_host(op, a, b, c, &r))
			continue;
		answered++;
		want = f32_soft(op, a, b, c, &fl);
		if (r != want || (fl & ~FPU_NX)) {
			print_error("f32 op %d (%#x, %#x, %#x): host %#x, software %#x flags %#x\n",
				    op, a, b, c, r, want, fl);
			fail();
		}
	}
	assert_true(answered > CASES / 10);
}

/* The cases the fast path must leave alone. */
static void test_host_declines_flagged_cases(void **unused)
{
	uint64_t r;
	uint32_t r32;
	const uint64_t one = 0x3ff0000000000000ull, max = 0x7fefffffffffffffull;
	const uint64_t min_normal = 0x0010000000000000ull, subnormal = 1;

	assert_false(f64_host(FPU_HOST_DIV, one, 0, 0, &r));              /* DZ */
	assert_false(f64_host(FPU_HOST_SQRT, one | (1ull << 63), 0, 0, &r)); /* NV */
	assert_false(f64_host(FPU_HOST_MUL, max, max, 0, &r));            /* OF */
	assert_false(f64_host(FPU_HOST_MUL, min_normal, min_normal, 0, &r)); /* UF */
	assert_false(f64_host(FPU_HOST_ADD, subnormal, one, 0, &r));      /* subnormal in */
	assert_false(f64_host(FPU_HOST_ADD, F64_CANONICAL_NAN, one, 0, &r));
	assert_false(f32_host(FPU_HOST_DIV, 0x3f800000u, 0, 0, &r32));
	assert_true(f64_host(FPU_HOST_ADD, one, one, 0, &r));
	assert_int_equal(r, 0x4000000000000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f64_host_matches_software),
		cmocka_unit_test(test_f32_host_matches_software),
		cmocka_unit_test(test_host_declines_flagged_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
