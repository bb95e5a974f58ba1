/* Expected traps for the u_* tests. A test calls trap_expect() just before an
 * instruction that must trap; the handler records cause, tval and epc and
 * resumes after the trapping instruction (2 or 4 bytes, from its encoding).
 * A trap that was not expected fails the test with status 250. */
#ifndef U_TRAP_H
#define U_TRAP_H

#include "test.h"

#define CAUSE_ILLEGAL_INSN 2

static volatile int trap_armed;
static volatile uint64_t trap_count, trap_cause, trap_tval, trap_epc;

static inline void trap_expect(void)
{
	trap_count = 0;
	trap_cause = trap_tval = trap_epc = ~0ull;
	trap_armed = 1;
	__asm__ volatile("" ::: "memory");
}

void mtrap_handler(struct trap_frame *f)
{
	uint16_t low = *(volatile uint16_t *)f->epc;

	if (!trap_armed) {
		test_puts("unexpected trap cause=");
		test_puthex(f->cause);
		test_puts(" epc=");
		test_puthex(f->epc);
		test_puts(" tval=");
		test_puthex(f->tval);
		test_putchar('\n');
		test_exit(250);
	}
	trap_armed = 0;
	trap_count++;
	trap_cause = f->cause;
	trap_tval = f->tval;
	trap_epc = f->epc;
	f->epc += (low & 3) == 3 ? 4 : 2;
}

#endif
