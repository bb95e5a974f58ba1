/* Tests of the image locks (block/lock.h) through block_open, in one
 * process, which conflicts with itself as two processes would: one writer or
 * any number of readers, backing files read-locked, image creation refused
 * on an image in use, and the lock changes of snapshots and migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "block/block.h"
#include "block/qcow2.h"
#include "block/raw.h"

struct fixture {
	char dir[64];
	char raw[96];
	char qcow2[96];
};

static int setup(void **state)
{
	static struct fixture f;
	struct error err = { 0 };
	snprintf(f.dir, sizeof(f.dir), "/tmp/doppel-lock-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.raw, sizeof(f.raw), "%s/base.raw", f.dir);
	snprintf(f.qcow2, sizeof(f.qcow2), "%s/disk.qcow2", f.dir);
	assert_int_equal(raw_create(f.raw, 1 << 20, &err), 0);
	struct qcow2_create_opts o = { .size = 1 << 20, .cluster_bits = 16,
				       .backing_name = "base.raw", .backing_format = "raw" };
	assert_int_equal(qcow2_create(f.qcow2, &o, &err), 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->raw);
	unlink(f->qcow2);
	rmdir(f->dir);
	return 0;
}

static struct block_dev *open_ok(const char *path, bool readonly)
{
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	if (block_open(path, BLOCK_FMT_AUTO, readonly, &bd, &err))
		fail_msg("%s", err.msg);
	return bd;
}

/* The open is refused with one line saying the image is in use, and how. */
static void expect_busy(const char *path, bool readonly, const char *how)
{
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	assert_int_equal(block_open(path, BLOCK_FMT_AUTO, readonly, &bd, &err), -EBUSY);
	assert_null(bd);
	if (!strstr(err.msg, "in use by another process") || !strstr(err.msg, how))
		fail_msg("'%s' does not say in use, %s", err.msg, how);
	assert_non_null(strstr(err.msg, path));
	assert_null(strchr(err.msg, '\n'));
}

static void one_writer_at_a_time(void **state)
{
	struct fixture *f = *state;
	const char *paths[] = { f->raw, f->qcow2 };
	for (int i = 0; i < 2; i++) {
		struct block_dev *w = open_ok(paths[i], false);
		expect_busy(paths[i], false, "locked for writing");
		expect_busy(paths[i], true, "locked for writing");
		block_close(w);
		block_close(open_ok(paths[i], false));
	}
}

static void readers_share_and_refuse_writers(void **state)
{
	struct fixture *f = *state;
	struct block_dev *r1 = open_ok(f->qcow2, true);
	struct block_dev *r2 = open_ok(f->qcow2, true);
	expect_busy(f->qcow2, false, "locked for reading");
	block_close(r1);
	expect_busy(f->qcow2, false, "locked for reading");
	block_close(r2);
	block_close(open_ok(f->qcow2, false));
}

/* An overlay's backing file is read-locked while the overlay is open. */
static void backing_files_are_read_locked(void **state)
{
	struct fixture *f = *state;
	struct block_dev *top = open_ok(f->qcow2, false);
	expect_busy(f->raw, false, "locked for reading");
	block_close(open_ok(f->raw, true));
	block_close(top);
	block_close(open_ok(f->raw, false));
}

/* Creating an image over one in use changes nothing. */
static void creating_over_an_image_in_use_is_refused(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct stat before, after;
	struct block_dev *top = open_ok(f->qcow2, true);
	assert_int_equal(stat(f->raw, &before), 0);
	assert_int_equal(raw_create(f->raw, 4096, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "in use"));
	struct qcow2_create_opts o = { .size = 4096, .cluster_bits = 16 };
	assert_int_equal(qcow2_create(f->qcow2, &o, &err), -EBUSY);
	assert_int_equal(stat(f->raw, &after), 0);
	assert_int_equal(after.st_size, before.st_size);
	block_close(top);
	assert_int_equal(raw_create(f->raw, 4096, &err), 0);
}

/* A snapshot drops its writer to a read lock for the new overlay to open the
 * image as its backing file; a migration source unlocks for the target. */
static void locks_change_and_come_back(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct block_dev *w = open_ok(f->raw, false);
	assert_int_equal(block_set_lock(w, IMAGE_LOCK_READ, &err), 0);
	struct block_dev *r = open_ok(f->raw, true);
	assert_int_equal(block_relock(w, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "locked for reading"));
	assert_int_equal(w->lock, IMAGE_LOCK_READ);
	block_close(r);
	assert_int_equal(block_relock(w, &err), 0);
	expect_busy(f->raw, true, "locked for writing");

	assert_int_equal(block_set_lock(w, IMAGE_UNLOCKED, &err), 0);
	struct block_dev *target = open_ok(f->raw, false);
	assert_int_equal(block_relock(w, &err), -EBUSY);
	block_close(target);
	assert_int_equal(block_relock(w, &err), 0);
	block_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(one_writer_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(readers_share_and_refuse_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(backing_files_are_read_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(creating_over_an_image_in_use_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(locks_change_and_come_back, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
