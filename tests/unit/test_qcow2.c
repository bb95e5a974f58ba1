/* Tests of the qcow2 backend (block/qcow2.h) on real files: data across
 * cluster boundaries and reopens, copy-on-write from a backing file, zero
 * clusters hiding backing data, discard, refcount table growth, the check,
 * and malformed headers refused with one line. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "block/qcow2.h"
#include "block/qcow2_check.h"

struct fixture {
	char dir[64];
	char img[96];
	char base[96];
};

static int setup(void **state)
{
	static struct fixture f;
	snprintf(f.dir, sizeof(f.dir), "/tmp/doppel-qcow2-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.img, sizeof(f.img), "%s/disk.qcow2", f.dir);
	snprintf(f.base, sizeof(f.base), "%s/base.raw", f.dir);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->img);
	unlink(f->base);
	rmdir(f->dir);
	return 0;
}

static void create_with(const char *path, uint64_t size, unsigned cluster_bits,
			const char *backing, const char *backing_format)
{
	struct qcow2_create_opts o = {
		.size = size, .cluster_bits = cluster_bits,
		.backing_name = backing, .backing_format = backing_format,
	};
	struct error err = { 0 };
	assert_int_equal(qcow2_create(path, &o, &err), 0);
}

static void create(const char *path, uint64_t size, unsigned cluster_bits, const char *backing)
{
	create_with(path, size, cluster_bits, backing, backing ? "raw" : NULL);
}

static struct block_dev *open_rw(const char *path)
{
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	int rc = block_open(path, BLOCK_FMT_AUTO, false, &bd, &err);
	if (rc)
		fail_msg("%s", err.msg);
	return bd;
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

static void expect_clean(const char *path)
{
	struct qcow2_check_result res;
	struct error err = { 0 };
	assert_int_equal(qcow2_check(path, QCOW2_REPAIR_NONE, NULL, NULL, &res, &err), 0);
	assert_int_equal(res.corruptions, 0);
	assert_int_equal(res.leaks, 0);
}

static void new_image_reads_zeroes(void **state)
{
	struct fixture *f = *state;
	create(f->img, 10 << 20, 16, NULL);
	struct block_dev *bd = open_rw(f->img);
	uint8_t buf[4096], zero[4096] = { 0 };
	assert_int_equal(bd->format, BLOCK_FMT_QCOW2);
	assert_int_equal(bd->size, 10 << 20);
	assert_int_equal(block_read(bd, (10 << 20) - 4096, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, zero, sizeof(buf));
	assert_int_equal(block_read(bd, 10 << 20, buf, 1), -EINVAL);
	block_close(bd);
	expect_clean(f->img);
}

static void data_survives_reopen_across_clusters(void **state)
{
	struct fixture *f = *state;
	static uint8_t out[20000], in[20000];
	create(f->img, 1 << 20, 12, NULL);
	struct block_dev *bd = open_rw(f->img);
	fill(out, sizeof(out), 3);
	assert_int_equal(block_write(bd, 4000, out, sizeof(out)), 0);
	block_close(bd);
	bd = open_rw(f->img);
	assert_int_equal(block_read(bd, 4000, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(in));
	block_close(bd);
	expect_clean(f->img);
}

static void make_base(struct fixture *f, size_t size, unsigned seed)
{
	uint8_t *b = malloc(size);
	fill(b, size, seed);
	FILE *fp = fopen(f->base, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(b, 1, size, fp), size);
	fclose(fp);
	free(b);
}

static void partial_write_copies_the_rest_from_backing(void **state)
{
	struct fixture *f = *state;
	static uint8_t base[65536], in[65536];
	uint8_t patch[100];
	make_base(f, sizeof(base), 9);
	fill(base, sizeof(base), 9);
	create(f->img, sizeof(base), 14, "base.raw");
	struct block_dev *bd = open_rw(f->img);
	assert_non_null(bd->backing);
	memset(patch, 0xee, sizeof(patch));
	assert_int_equal(block_write(bd, 16384 + 50, patch, sizeof(patch)), 0);
	memcpy(base + 16384 + 50, patch, sizeof(patch));
	assert_int_equal(block_read(bd, 0, in, sizeof(in)), 0);
	assert_memory_equal(in, base, sizeof(in));
	block_close(bd);
	expect_clean(f->img);
}

static void zero_clusters_hide_backing_data(void **state)
{
	struct fixture *f = *state;
	static uint8_t in[65536], zero[16384];
	make_base(f, sizeof(in), 5);
	create(f->img, sizeof(in), 14, "base.raw");
	struct block_dev *bd = open_rw(f->img);
	assert_int_equal(block_write_zeroes(bd, 16384, 16384, true), 0);
	assert_int_equal(block_read(bd, 0, in, sizeof(in)), 0);
	assert_memory_equal(in + 16384, zero, sizeof(zero));
	assert_int_not_equal(in[0] | in[1], 0);
	block_close(bd);
	expect_clean(f->img);
}

static void discard_frees_whole_clusters_only(void **state)
{
	struct fixture *f = *state;
	static uint8_t out[3 * 4096], in[3 * 4096];
	create(f->img, 1 << 20, 12, NULL);
	struct block_dev *bd = open_rw(f->img);
	fill(out, sizeof(out), 1);
	assert_int_equal(block_write(bd, 0, out, sizeof(out)), 0);
	/* Covers the middle cluster entirely, the others in part. */
	assert_int_equal(block_discard(bd, 2048, 8192), 0);
	assert_int_equal(block_read(bd, 0, in, sizeof(in)), 0);
	assert_memory_equal(in, out, 4096);
	assert_memory_equal(in + 8192, out + 8192, 4096);
	for (int i = 4096; i < 8192; i++)
		assert_int_equal(in[i], 0);
	block_close(bd);
	expect_clean(f->img);
}

static void refcount_table_grows(void **state)
{
	struct fixture *f = *state;
	static uint8_t out[1 << 20], in[1 << 20];
	/* 512-byte clusters: one refcount table cluster covers 64 blocks of
	 * 256 clusters = 8 MiB of file; 12 MiB of data needs more. */
	create(f->img, 16 << 20, 9, NULL);
	struct block_dev *bd = open_rw(f->img);
	for (unsigned i = 0; i < 12; i++) {
		fill(out, sizeof(out), i);
		assert_int_equal(block_write(bd, (uint64_t)i << 20, out, sizeof(out)), 0);
	}
	block_close(bd);
	bd = open_rw(f->img);
	for (unsigned i = 0; i < 12; i++) {
		fill(out, sizeof(out), i);
		assert_int_equal(block_read(bd, (uint64_t)i << 20, in, sizeof(in)), 0);
		assert_memory_equal(in, out, sizeof(in));
	}
	assert_true(qcow2_header_of(bd)->reftable_clusters > 1);
	block_close(bd);
	expect_clean(f->img);
}

/* Overwrites bytes of the image file. */
static void poke(const char *path, long off, const void *bytes, size_t len)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, len, off), (ssize_t)len);
	close(fd);
}

static void expect_refused(const char *path, const char *words)
{
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	assert_true(block_open(path, BLOCK_FMT_AUTO, true, &bd, &err) < 0);
	assert_null(bd);
	if (!strstr(err.msg, words))
		fail_msg("'%s' does not say '%s'", err.msg, words);
	assert_null(strchr(err.msg, '\n'));
}

static void malformed_headers_are_refused(void **state)
{
	struct fixture *f = *state;
	static const struct {
		long offset;
		uint8_t bytes[8];
		size_t len;
		const char *says;
	} cases[] = {
		{ 40, { 0, 0, 1, 0, 0, 0, 0, 0 }, 8, "L1 table past the end" },
		{ 96, { 0, 0, 0, 7 }, 4, "overflows" },
		{ 72, { 0, 0, 1, 0, 0, 0, 0, 0 }, 8, "unsupported qcow2 feature" },
		{ 20, { 0, 0, 0, 22 }, 4, "cluster size" },
		{ 56, { 0xff, 0xff, 0xff, 0xff }, 4, "refcount table size" },
	};
	create(f->img, 1 << 20, 16, NULL);
	assert_int_equal(truncate(f->img, 50), 0);
	expect_refused(f->img, "truncated");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		create(f->img, 1 << 20, 16, NULL);
		poke(f->img, cases[i].offset, cases[i].bytes, cases[i].len);
		expect_refused(f->img, cases[i].says);
	}
}

/* doppel's layout for a new image with 64 KiB clusters: header, refcount
 * table, refcount block (16-bit entries), L1 table; the first write adds
 * the L2 table and then the data cluster. */
#define CS 65536
enum { REFTABLE = 1 * CS, REFBLOCK = 2 * CS, L1 = 3 * CS, L2 = 4 * CS, DATA = 5 * CS };
#define METADATA_BYTES (5 * CS)

/* An image with one written cluster (or none), then the given bytes poked
 * into it. */
static void hostile_image_of(const char *path, bool written, long off, const void *bytes,
			     size_t len)
{
	static uint8_t data[CS];
	create(path, 1 << 20, 16, NULL);
	struct block_dev *bd = open_rw(path);
	fill(data, sizeof(data), 7);
	if (written)
		assert_int_equal(block_write(bd, 0, data, sizeof(data)), 0);
	assert_int_equal(block_close(bd), 0);
	poke(path, off, bytes, len);
}

static void hostile_image(const char *path, long off, const void *bytes, size_t len)
{
	hostile_image_of(path, true, off, bytes, len);
}

/* The first len bytes of the file. */
static uint8_t *read_file(const char *path, size_t len)
{
	uint8_t *b = calloc(1, len);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(pread(fd, b, len, 0) > 0);  /* a shorter file reads as zeroes after */
	close(fd);
	return b;
}

/* A corrupt image: opening it for writing is refused with one line, nothing
 * of its header and tables is rewritten, and it still opens read-only. */
static void expect_refused_for_writing(const char *path)
{
	uint8_t *before = read_file(path, METADATA_BYTES);
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	uint8_t buf[512];
	assert_int_equal(block_open(path, BLOCK_FMT_AUTO, false, &bd, &err), -EIO);
	assert_null(bd);
	if (!strstr(err.msg, "corrupt qcow2 image"))
		fail_msg("'%s' does not say it is corrupt", err.msg);
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(block_open(path, BLOCK_FMT_AUTO, true, &bd, &err), 0);
	int rc = block_read(bd, 0, buf, sizeof(buf));
	assert_true(rc == 0 || rc == -EIO);
	block_close(bd);
	uint8_t *after = read_file(path, METADATA_BYTES);
	assert_memory_equal(before, after, METADATA_BYTES);
	free(before);
	free(after);
}

/* The header's refcount is 0: the first allocation used to make it an L2
 * table, zero it and crash on the missing table. */
static void header_without_refcount_is_refused(void **state)
{
	struct fixture *f = *state;
	static const uint8_t zero[2];
	hostile_image(f->img, REFBLOCK, zero, sizeof(zero));
	expect_refused_for_writing(f->img);
	hostile_image_of(f->img, false, REFBLOCK, zero, sizeof(zero));
	expect_refused_for_writing(f->img);
}

/* No refcount block for the first range (which holds all the metadata): a
 * new one used to go over the header, for ever. */
static void missing_first_refcount_block_is_refused(void **state)
{
	struct fixture *f = *state;
	static const uint8_t zero[8];
	hostile_image(f->img, REFTABLE, zero, sizeof(zero));
	expect_refused_for_writing(f->img);
}

/* An L2 entry naming the refcount table (written in place: COPIED), and an
 * L1 entry naming the refcount block: guest writes would rewrite them. */
static void metadata_used_as_data_is_refused(void **state)
{
	struct fixture *f = *state;
	uint8_t entry[8] = { 0x80, 0, 0, 0, 0, 0x01, 0, 0 };  /* COPIED | 64 KiB */
	hostile_image(f->img, L2, entry, sizeof(entry));
	expect_refused_for_writing(f->img);
	entry[5] = 0x02;                                         /* the refcount block */
	hostile_image(f->img, L1, entry, sizeof(entry));
	expect_refused_for_writing(f->img);
	/* A compressed cluster inside the header (offset 512, one sector). */
	uint8_t compressed[8] = { 0x40, 0, 0, 0, 0, 0, 0x02, 0 };
	hostile_image(f->img, L2, compressed, sizeof(compressed));
	expect_refused_for_writing(f->img);
}

/* Entries that point nowhere fail the guest's request with EIO. */
static void bad_l2_entries_are_io_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		uint8_t entry[8];
	} cases[] = {
		{ { 0x80, 0, 0, 0, 0, 0x05, 0x10, 0 } },     /* misaligned data cluster */
		{ { 0x80, 0, 0, 0x10, 0, 0, 0, 0 } },        /* past the end of the file */
	};
	uint8_t buf[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct block_dev *bd = NULL;
		struct error err = { 0 };
		hostile_image(f->img, L2, cases[i].entry, sizeof(cases[i].entry));
		assert_int_equal(block_open(f->img, BLOCK_FMT_AUTO, true, &bd, &err), 0);
		assert_int_equal(block_read(bd, 0, buf, sizeof(buf)), -EIO);
		block_close(bd);
		expect_refused_for_writing(f->img);
	}
}

static void self_backing_loops(void **state)
{
	struct fixture *f = *state;
	create_with(f->img, 1 << 20, 16, "disk.qcow2", "qcow2");
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	assert_int_equal(block_open(f->img, BLOCK_FMT_QCOW2, true, &bd, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "loops"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(new_image_reads_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(data_survives_reopen_across_clusters, setup, teardown),
		cmocka_unit_test_setup_teardown(partial_write_copies_the_rest_from_backing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(zero_clusters_hide_backing_data, setup, teardown),
		cmocka_unit_test_setup_teardown(discard_frees_whole_clusters_only, setup, teardown),
		cmocka_unit_test_setup_teardown(refcount_table_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_headers_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(self_backing_loops, setup, teardown),
		cmocka_unit_test_setup_teardown(header_without_refcount_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_first_refcount_block_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(metadata_used_as_data_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_l2_entries_are_io_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
