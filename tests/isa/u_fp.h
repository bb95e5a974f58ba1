/* Raw-bit floating-point helpers for the u_fp_* tests. Each operation clears
 * fflags, moves its operands into f registers with fmv.d.x (a transfer, so a
 * single-precision test controls the NaN-boxing of the upper 32 bits), runs one
 * instruction and returns the whole 64-bit destination register (or integer
 * result) together with the fflags it raised. */
#ifndef U_FP_H
#define U_FP_H

#include "u_check.h"

/* fflags bits (unprivileged spec, F extension, "Accrued exception flag encoding") */
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

/* Rounding-mode operand strings appended to an instruction. */
#define RM_RNE ", rne"
#define RM_RTZ ", rtz"
#define RM_RDN ", rdn"
#define RM_RUP ", rup"
#define RM_RMM ", rmm"
#define RM_DYN ", dyn"
#define RM_NONE ""

/* A single-precision value as an f register holds it: NaN-boxed, upper 32
 * bits all ones (D extension, "NaN Boxing of Narrower Values"). */
#define BOX(x) (0xffffffff00000000ull | (uint32_t)(x))

#define F32_QNAN  0x7fc00000u
#define F64_QNAN  0x7ff8000000000000ull

struct fp_res {
	uint64_t v;
	uint64_t flags;
};

/* fd = op(fs1, fs2) */
#define FP_OP2(mn, rm, a, b) ({ struct fp_res r_; __asm__ volatile( \
	"fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tcsrw fflags, zero\n\t" \
	mn " ft2, ft0, ft1" rm "\n\t" \
	"csrr %1, fflags\n\tfmv.x.d %0, ft2" \
	: "=&r"(r_.v), "=&r"(r_.flags) : "r"((uint64_t)(a)), "r"((uint64_t)(b)) \
	: "ft0", "ft1", "ft2"); r_; })

/* fd = op(fs1) */
#define FP_OP1(mn, rm, a) ({ struct fp_res r_; __asm__ volatile( \
	"fmv.d.x ft0, %2\n\tcsrw fflags, zero\n\t" \
	mn " ft2, ft0" rm "\n\t" \
	"csrr %1, fflags\n\tfmv.x.d %0, ft2" \
	: "=&r"(r_.v), "=&r"(r_.flags) : "r"((uint64_t)(a)) : "ft0", "ft2"); r_; })

/* fd = op(fs1, fs2, fs3): the fused multiply-adds */
#define FP_OP3(mn, rm, a, b, c) ({ struct fp_res r_; __asm__ volatile( \
	"fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft3, %4\n\tcsrw fflags, zero\n\t" \
	mn " ft2, ft0, ft1, ft3" rm "\n\t" \
	"csrr %1, fflags\n\tfmv.x.d %0, ft2" \
	: "=&r"(r_.v), "=&r"(r_.flags) \
	: "r"((uint64_t)(a)), "r"((uint64_t)(b)), "r"((uint64_t)(c)) \
	: "ft0", "ft1", "ft2", "ft3"); r_; })

/* rd = op(fs1, fs2): the comparisons */
#define FP_CMP(mn, a, b) ({ struct fp_res r_; __asm__ volatile( \
	"fmv.d.x ft0, %2\n\tfmv.d.x ft1, %3\n\tcsrw fflags, zero\n\t" \
	mn " %0, ft0, ft1\n\t" \
	"csrr %1, fflags" \
	: "=&r"(r_.v), "=&r"(r_.flags) : "r"((uint64_t)(a)), "r"((uint64_t)(b)) \
	: "ft0", "ft1"); r_; })

/* rd = op(fs1): conversions to integer, fclass, fmv.x.* */
#define FP_TO_X(mn, rm, a) ({ struct fp_res r_; __asm__ volatile( \
	"fmv.d.x ft0, %2\n\tcsrw fflags, zero\n\t" \
	mn " %0, ft0" rm "\n\t" \
	"csrr %1, fflags" \
	: "=&r"(r_.v), "=&r"(r_.flags) : "r"((uint64_t)(a)) : "ft0"); r_; })

/* fd = op(rs1): conversions from integer, fmv.*.x */
#define FP_FROM_X(mn, rm, x) ({ struct fp_res r_; __asm__ volatile( \
	"csrw fflags, zero\n\t" \
	mn " ft2, %2" rm "\n\t" \
	"csrr %1, fflags\n\tfmv.x.d %0, ft2" \
	: "=&r"(r_.v), "=&r"(r_.flags) : "r"((uint64_t)(x)) : "ft2"); r_; })

/* Fails with status n (printing what differs) unless the result and the
 * raised flags are exactly as expected. */
static inline void fp_check(int n, struct fp_res got, uint64_t want, uint64_t flags)
{
	if (got.v == want && got.flags == flags)
		return;
	put_fail(n);
	test_puts(": got ");
	test_puthex(got.v);
	test_puts(" flags ");
	test_puthex(got.flags);
	test_puts(", want ");
	test_puthex(want);
	test_puts(" flags ");
	test_puthex(flags);
	test_putchar('\n');
	test_exit(n);
}

#endif
