/* util/pagemap: pages of an anonymous mapping count as touched once
 * written, and not before (where the kernel offers /proc/self/pagemap). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/pagemap.h"

#define PAGES 4096

static void written_pages_are_touched(void **state)
{
	uint8_t *m = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct pagemap pm;

	assert_true(m != MAP_FAILED);
	/* No huge pages: one write must touch exactly one page. */
	madvise(m, PAGES * 4096, MADV_NOHUGEPAGE);
	m[5 * 4096] = 1;
	m[2000 * 4096 + 17] = 1;
	m[(PAGES - 1) * 4096] = 1;
	pagemap_open(&pm, m);
	if (pm.fd < 0) {
		munmap(m, PAGES * 4096);
		skip();
	}
	unsigned touched = 0;
	for (uint64_t i = 0; i < PAGES; i++)
		touched += pagemap_touched(&pm, i);
	assert_true(pagemap_touched(&pm, 5));
	assert_true(pagemap_touched(&pm, 2000));
	assert_true(pagemap_touched(&pm, PAGES - 1));
	assert_int_equal(touched, 3);
	pagemap_close(&pm);
	munmap(m, PAGES * 4096);
}

static void without_a_mapping_every_page_counts(void **state)
{
	struct pagemap pm;
	pagemap_open(&pm, NULL);
	assert_true(pagemap_touched(&pm, 0));
	assert_true(pagemap_touched(&pm, 123456));
	pagemap_close(&pm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(written_pages_are_touched),
		cmocka_unit_test(without_a_mapping_every_page_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
