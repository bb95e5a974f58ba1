/* The smallest guest program: prints through the HTIF console and exits 0. */
#include "test.h"

int main(void)
{
	test_puts("hello\n");
	return 0;
}
