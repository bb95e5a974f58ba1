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

/* Prints "FAIL n" with n in decimal, as the exit status shows it. */
static inline void put_fail(int n)
{
	char digits[12];
	int i = 0;

	test_puts("FAIL ");
	do
		digits[i++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (i > 0)
		test_putchar(digits[--i]);
}

/* Fails with status n unless got == want. */
static inline void check_eq(int n, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	put_fail(n);
	test_puts(": got ");
	test_puthex(got);
	test_puts(", want ");
	test_puthex(want);
	test_putchar('\n');
	test_exit(n);
}

#endif
