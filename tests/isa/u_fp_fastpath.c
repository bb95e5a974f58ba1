/* The host fast path for F/D arithmetic (cpu/fpu_host.c in the interpreter,
 * SSE code in the translator) is taken only when the inexact flag is
 * already set. Each operation here runs twice on the same operands, once
 * with fflags clear (the software FPU answers) and once with NX set (the
 * fast path may answer): the results must be the same bits and the flags
 * the same but for NX. Operands cover zeros, subnormals, the smallest and
 * largest exponents, infinities and NaNs, so the fast path's refusals are
 * exercised as well as its answers. Run in a loop, the operations are also
 * translated. */
#include "u_fp.h"

/* The same operation as FP_OP2 with fflags preset to `pre`. */
#define FP_OP2_PRE(mn, rm, a, b, pre) ({ struct fp_res r_; __asm__ volatile( \
	"fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tcsrw fflags, %4\n\t" \
	mn " ft2, ft0, ft1" rm "\n\t" \
	"csrr %1, fflags\n\tfmv.x.d %0, ft2" \
	: "=&r"(r_.v), "=&r"(r_.flags) : "r"((uint64_t)(a)), "r"((uint64_t)(b)), "r"(pre) \
	: "ft0", "ft1", "ft2"); r_; })

static uint64_t state = 0x243f6a8885a308d3ull;

static uint64_t next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dull;
}

static uint64_t operand(void)
{
	static const uint64_t exps[] = { 0, 1, 2, 0x3fe, 0x3ff, 0x400, 0x7fd, 0x7fe, 0x7ff };
	uint64_t r = next();
	uint64_t exp = (r & 1) ? exps[(r >> 1) % 9] : (r >> 8) % 0x7ff;
	uint64_t frac = (r >> 4) & 2 ? 0 : next() >> 12;
	return (next() & (1ull << 63)) | (exp << 52) | frac;
}

static void compare(int n, struct fp_res slow, struct fp_res fast)
{
	check_eq(n, fast.v, slow.v);
	check_eq(n + 1, fast.flags, slow.flags | NX);
}

#define BOTH(n, mn, rm, a, b) \
	compare(n, FP_OP2_PRE(mn, rm, a, b, 0ull), FP_OP2_PRE(mn, rm, a, b, (uint64_t)NX))

int main(void)
{
	/* Just below the smallest normal, rounding up to it: tiny before
	 * rounding is not tiny after, but RISC-V raises UF for it (tininess
	 * after rounding with an unbounded exponent), so the fast path must
	 * refuse results with the smallest exponent. */
	for (int i = 0; i < 8; i++) {
		BOTH(15, "fmul.d", RM_RNE, 0x0010000000000000ull, 0x3fefffffffffffffull);
		BOTH(17, "fdiv.d", RM_RNE, 0x0010000000000000ull, 0x3ff0000000000001ull);
	}
	for (int i = 0; i < 3000; i++) {
		uint64_t a = operand(), b = operand();
		BOTH(1, "fadd.d", RM_RNE, a, b);
		BOTH(3, "fsub.d", RM_DYN, a, b);
		BOTH(5, "fmul.d", RM_RNE, a, b);
		BOTH(7, "fdiv.d", RM_DYN, a, b);
		BOTH(9, "fmul.d", RM_RTZ, a, b);
		BOTH(11, "fadd.s", RM_RNE, BOX(a), BOX(b >> 32));
		BOTH(13, "fdiv.s", RM_RNE, BOX(b), BOX(a >> 32));
	}
	return 0;
}
