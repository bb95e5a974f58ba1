/* Tests of the raw backend and the format helpers (block/block.h) on real
 * files: data round trips, read-only refusals, write-zeroes, the guard
 * against a probed raw image turning itself into qcow2; and size parsing
 * (util/size.h) for the image commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "block/block.h"
#include "util/size.h"

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	static struct fixture f;
	snprintf(f.dir, sizeof(f.dir), "/tmp/doppel-raw-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/disk.raw", f.dir);
	FILE *fp = fopen(f.path, "w");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), 1 << 20), 0);
	fclose(fp);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->path);
	rmdir(f->dir);
	return 0;
}

static struct block_dev *open_raw(struct fixture *f, enum block_format fmt, bool readonly)
{
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	assert_int_equal(block_open(f->path, fmt, readonly, &bd, &err), 0);
	return bd;
}

static void size_and_round_trip(void **state)
{
	struct fixture *f = *state;
	struct block_dev *bd = open_raw(f, BLOCK_FMT_RAW, false);
	uint8_t out[1000], in[1000];
	assert_int_equal(bd->format, BLOCK_FMT_RAW);
	assert_int_equal(bd->size, 1 << 20);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7);
	assert_int_equal(block_write(bd, 4095, out, sizeof(out)), 0);
	assert_int_equal(block_flush(bd), 0);
	block_close(bd);
	bd = open_raw(f, BLOCK_FMT_AUTO, true);
	assert_int_equal(block_read(bd, 4095, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(in));
	block_close(bd);
}

static void read_only_refuses_changes(void **state)
{
	struct fixture *f = *state;
	struct block_dev *bd = open_raw(f, BLOCK_FMT_RAW, true);
	uint8_t b[512] = { 1 };
	assert_int_equal(block_write(bd, 0, b, sizeof(b)), -EROFS);
	assert_int_equal(block_discard(bd, 0, 4096), -EROFS);
	assert_int_equal(block_write_zeroes(bd, 0, 4096, true), -EROFS);
	assert_int_equal(block_flush(bd), 0);
	block_close(bd);
}

static void requests_past_the_end_are_refused(void **state)
{
	struct fixture *f = *state;
	struct block_dev *bd = open_raw(f, BLOCK_FMT_RAW, false);
	uint8_t b[512] = { 0 };
	assert_int_equal(block_write(bd, (1 << 20) - 256, b, sizeof(b)), -EINVAL);
	assert_int_equal(block_read(bd, UINT64_MAX - 100, b, sizeof(b)), -EINVAL);
	assert_int_equal(block_write_zeroes(bd, 1 << 20, 1, false), -EINVAL);
	assert_int_equal(block_discard(bd, 4096, UINT64_MAX), -EINVAL);
	assert_int_equal(block_write(bd, (1 << 20) - 512, b, sizeof(b)), 0);
	block_close(bd);
	bd = open_raw(f, BLOCK_FMT_RAW, true);
	assert_int_equal(bd->size, 1 << 20);
	block_close(bd);
}

static void write_zeroes_reads_back_zero(void **state)
{
	struct fixture *f = *state;
	struct block_dev *bd = open_raw(f, BLOCK_FMT_RAW, false);
	uint8_t ones[65536], back[65536], zero[65536] = { 0 };
	memset(ones, 0xff, sizeof(ones));
	for (int unmap = 0; unmap < 2; unmap++) {
		assert_int_equal(block_write(bd, 8192, ones, sizeof(ones)), 0);
		assert_int_equal(block_write_zeroes(bd, 8192 + 512, 4096, unmap), 0);
		assert_int_equal(block_read(bd, 8192, back, sizeof(back)), 0);
		assert_memory_equal(back, ones, 512);
		assert_memory_equal(back + 512, zero, 4096);
		assert_memory_equal(back + 4608, ones, sizeof(back) - 4608);
	}
	block_close(bd);
}

static void probed_raw_cannot_become_qcow2(void **state)
{
	struct fixture *f = *state;
	uint8_t sector[512] = { 'Q', 'F', 'I', 0xfb };
	struct block_dev *bd = open_raw(f, BLOCK_FMT_AUTO, false);
	assert_int_equal(block_write(bd, 0, sector, sizeof(sector)), -EPERM);
	assert_int_equal(block_write(bd, 512, sector, sizeof(sector)), 0);
	block_close(bd);
	bd = open_raw(f, BLOCK_FMT_RAW, false);
	assert_int_equal(block_write(bd, 0, sector, sizeof(sector)), 0);
	block_close(bd);
}

static void missing_file_is_one_line(void **state)
{
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	(void)state;
	assert_int_equal(block_open("/nonexistent/disk", BLOCK_FMT_AUTO, true, &bd, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/disk"));
	assert_null(strchr(err.msg, '\n'));
}

static void format_names(void **state)
{
	(void)state;
	assert_int_equal(block_format_parse("raw"), BLOCK_FMT_RAW);
	assert_int_equal(block_format_parse("qcow2"), BLOCK_FMT_QCOW2);
	assert_int_equal(block_format_parse("vmdk"), -1);
	assert_string_equal(block_format_name(BLOCK_FMT_QCOW2), "qcow2");
	assert_string_equal(block_format_name(BLOCK_FMT_RAW), "raw");
}

static void sizes(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(size_parse("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(size_parse("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(size_parse("10g", &v), 0);
	assert_int_equal(v, 10ull << 30);
	assert_int_equal(size_parse("2T", &v), 0);
	assert_int_equal(v, 2ull << 40);
	assert_int_equal(size_parse("12Q", &v), -EINVAL);
	assert_int_equal(size_parse("", &v), -EINVAL);
	assert_int_equal(size_parse("-1", &v), -EINVAL);
	assert_int_equal(size_parse("1GB", &v), -EINVAL);
	assert_int_equal(size_parse("17179869184G", &v), -EINVAL);

	char buf[32];
	size_format(65536, buf, sizeof(buf));
	assert_string_equal(buf, "64 KiB");
	size_format(3ull << 29, buf, sizeof(buf));
	assert_string_equal(buf, "1.5 GiB");
	size_format(100, buf, sizeof(buf));
	assert_string_equal(buf, "100 B");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(size_and_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(read_only_refuses_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(requests_past_the_end_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(write_zeroes_reads_back_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(probed_raw_cannot_become_qcow2, setup, teardown),
		cmocka_unit_test(missing_file_is_one_line),
		cmocka_unit_test(format_names),
		cmocka_unit_test(sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
