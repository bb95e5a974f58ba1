/* Integer result checks for the u_* tests: the instruction under test runs in
 * inline assembly, and check_eq reports what differs before failing. */
#ifndef U_CHECK_H
#define U_CHECK_H

#include "test.h"

/* rd = op(rs1, rs2) and rd = op(rs1, imm) for one named instruction. */
#define RR(mn, a, b) ({ uint64_t r_; \
	__asm__ volatile(mn " %0, %1, %2" : "=r"(r_) : "r"((uint64_t)(a)), "r"((uint64_t)(b))); r_; })
#define RI(mn, a, imm) ({ uint64_t r_; \
	__asm__ volatile(mn " %0, %1, %2" : "=r"(r_) : "r"((uint64_t)(a)), "i"(imm)); r_; })
#define R1(mn, a) ({ uint64_t r_; \
	__asm__ volatile(mn " %0, %1" : "=r"(r_) : "r"((uint64_t)(a))); r_; })

/* Fails with status n unless got == want. */
static inline void check_eq(int n, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	test_puts("FAIL ");
	test_puthex(n);
	test_puts(": got ");
	test_puthex(got);
	test_puts(", want ");
	test_puthex(want);
	test_putchar('\n');
	test_exit(n);
}

#endif
