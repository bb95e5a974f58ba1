/* Console helpers and default trap handlers for the bare-metal tests. */
#include "test.h"

void test_puts(const char *s)
{
	while (*s)
		test_putchar(*s++);
}

void test_puthex(uint64_t v)
{
	test_puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		test_putchar("0123456789abcdef"[(v >> i) & 15]);
}

static void unexpected(const char *who, struct trap_frame *f)
{
	test_puts(who);
	test_puts(": unexpected trap cause=");
	test_puthex(f->cause);
	test_puts(" epc=");
	test_puthex(f->epc);
	test_puts(" tval=");
	test_puthex(f->tval);
	test_putchar('\n');
	test_exit(250);
}

__attribute__((weak)) void mtrap_handler(struct trap_frame *f)
{
	unexpected("M", f);
}

__attribute__((weak)) void strap_handler(struct trap_frame *f)
{
	unexpected("S", f);
}
