/* Snapshots of a whole machine (vm/snapshot.c, vm/restore.c, state/): a
 * machine running a small S-mode program is saved, loaded into a second
 * machine, and both must then be identical and run on identically; a
 * damaged, truncated or foreign file is refused; disks are frozen under
 * overlays; a snapshot never replaces a file the machine uses, and is
 * refused while a migration is under way. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "block/block.h"
#include "block/qcow2.h"
#include "util/tcp.h"
#include "vm/migrate.h"
#include "vm/snapshot.h"

/* auipc a2,0; loop: t0 += 1; t1 += t0; store t1 and t0 into two RAM
 * words, one of them at an index that moves; j loop. */
static const uint8_t program[] = {
	0x17, 0x06, 0x00, 0x00, 0x85, 0x02, 0x16, 0x93, 0x23, 0x30, 0x66, 0x40, 0x93, 0xf3,
	0xf2, 0x0f, 0x8e, 0x03, 0x33, 0x0e, 0x76, 0x00, 0x23, 0x30, 0x5e, 0x60, 0xed, 0xb7,
};

struct fixture {
	char dir[64], kernel[96], snap[96], disk[96];
	struct machine a, b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/doppel-snap-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->kernel, sizeof(f->kernel), "%s/kernel.bin", f->dir);
	snprintf(f->snap, sizeof(f->snap), "%s/s1.snap", f->dir);
	snprintf(f->disk, sizeof(f->disk), "%s/disk.img", f->dir);
	int fd = open(f->kernel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, program, sizeof(program)) != (ssize_t)sizeof(program) || close(fd))
		return -1;
	fd = open(f->disk, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 1 << 20) || pwrite(fd, "frozen", 6, 0) != 6 || close(fd))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	machine_destroy(&f->a);
	machine_destroy(&f->b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static const struct machine_config host_cfg = { .console_in = -1, .console_out = -1 };

static void start_harts(struct fixture *f, bool disk, unsigned nharts)
{
	struct error err = { 0 };
	struct machine_config cfg = {
		.ram_size = 32u << 20, .ncpus = nharts, .kernel = f->kernel, .rng = true,
		.console_in = -1, .console_out = -1,
	};
	if (disk) {
		cfg.disks[0] = (struct disk_config){ .path = f->disk, .format = BLOCK_FMT_RAW };
		cfg.ndisks = 1;
	}
	assert_int_equal(machine_create(&f->a, &cfg, &err), 0);
	hart_run(f->a.harts[0], 100000);
}

static void start(struct fixture *f, bool disk)
{
	start_harts(f, disk, 2);
}

static int load(struct fixture *f, const char *path, struct machine *m, struct error *err)
{
	struct state_reader r;
	struct load_opts o = { .host = &host_cfg, .map_ram = true, .disk_overlays = true,
			       .snapshot_path = path };
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	int ret = state_reader_init(&r, fd, path, err);
	if (ret == 0)
		ret = machine_load(m, &r, &o, err);
	close(fd);
	return ret;
}

/* Everything a guest can observe, but time. */
static void assert_same_machine(struct machine *a, struct machine *b)
{
	struct machine_state sa, sb;
	machine_state_capture(a, &sa);
	machine_state_capture(b, &sb);
	sa.core.time = sb.core.time = 0;
	assert_memory_equal(&sa, &sb, sizeof(sa));
	assert_int_equal(a->cfg.ram_size, b->cfg.ram_size);
	assert_memory_equal(a->ram, b->ram, a->cfg.ram_size);
}

static void snapshot_and_restore(struct fixture *f, int zstd_level)
{
	struct error err = { 0 };
	struct snapshot_opts o = { .zstd_level = zstd_level };
	struct snapshot_info info;

	start(f, false);
	uint64_t before = timebase_now(&f->a.time);
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), 0);
	assert_int_equal(load(f, f->snap, &f->b, &err), 0);
	/* The guest's clock never goes back. */
	assert_true(timebase_now(&f->b.time) >= before);
	assert_same_machine(&f->a, &f->b);
	/* Both run on exactly alike. */
	hart_run(f->a.harts[0], 54321);
	hart_run(f->b.harts[0], 54321);
	assert_same_machine(&f->a, &f->b);
	assert_int_not_equal(f->b.harts[0]->s.x[5], 0);
}

/* Every hart's state, its SBI state and its CLINT and PLIC registers come
 * back as they were, each hart's its own: hart 9 (whose sections once
 * shared their bookkeeping with the virtio slots') and the last hart. */
static void many_harts_survive_a_snapshot(struct fixture *f, unsigned nharts)
{
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;

	start_harts(f, false, nharts);
	for (unsigned i = 1; i < nharts; i++) {
		struct hart *h = f->a.harts[i];
		h->s.x[5] = 0x1000 + i;
		h->s.sscratch = 0xdead0000 + i;
		f->a.hsm[i] = i % 2 ? HSM_STARTED : HSM_STOPPED;
		f->a.clint.s.mtimecmp[i] = 0x5000 + i;
		f->a.plic.s.threshold[2 * i + 1] = i % 8;
		f->a.plic.s.enable[2 * i][1] = i;
	}
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), 0);
	assert_int_equal(load(f, f->snap, &f->b, &err), 0);
	assert_same_machine(&f->a, &f->b);
	assert_int_equal(f->b.nharts, nharts);
	assert_int_equal(f->b.harts[9]->s.x[5], 0x1009);
	assert_int_equal(f->b.harts[9]->s.sscratch, 0xdead0009);
	assert_int_equal(f->b.hsm[9], HSM_STARTED);
	assert_int_equal(f->b.clint.s.mtimecmp[9], 0x5009);
	assert_int_equal(f->b.plic.s.enable[18][1], 9);
	unsigned last = nharts - 1;
	assert_int_equal(f->b.harts[last]->s.x[5], 0x1000 + last);
	assert_int_equal(f->b.clint.s.mtimecmp[last], 0x5000 + last);
	assert_int_equal(f->b.plic.s.threshold[2 * last + 1], last % 8);
	assert_true(machine_hart_started(&f->b, 9));
	assert_false(machine_hart_started(&f->b, 8));
	/* The restored virtio slots are the saved ones, not harts'. */
	assert_memory_equal(&f->a.virtio[0].s, &f->b.virtio[0].s, sizeof(f->a.virtio[0].s));
}

static void ten_harts_survive_a_snapshot(void **state)
{
	many_harts_survive_a_snapshot(*state, 10);
}

static void sixteen_harts_survive_a_snapshot(void **state)
{
	many_harts_survive_a_snapshot(*state, 16);
}

static void sixty_four_harts_survive_a_snapshot(void **state)
{
	many_harts_survive_a_snapshot(*state, 64);
}

/* A stream written when machines had at most 8 harts (MACH layout 1: 8
 * HSM states) is refused with one line, before anything is built. */
static void stream_of_the_8_hart_layout_is_refused(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct state_writer w;
	struct machine_config cfg = { .ram_size = 32u << 20, .ncpus = 2, .kernel = f->kernel };
	int fd = open(f->snap, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	state_writer_init(&w, fd, STATE_F_FILE);
	machine_config_save(&w, &cfg);
	state_begin(&w, STATE_ID('M', 'A', 'C', 'H'), 0, 1);
	state_put_u64(&w, 0);
	state_put_u32(&w, 2);
	for (unsigned i = 0; i < 8; i++)
		state_put_u32(&w, i ? HSM_STOPPED : HSM_STARTED);
	state_end(&w);
	state_begin(&w, SEC_END, 0, 1);
	state_end(&w);
	assert_int_equal(state_writer_status(&w), 0);
	state_writer_destroy(&w);
	close(fd);
	assert_true(load(f, f->snap, &f->b, &err) < 0);
	assert_non_null(strstr(err.msg, "section MACH has layout version 1, this doppel reads 2"));
	assert_null(strchr(err.msg, '\n'));
}

static void restored_machine_runs_on_identically(void **state)
{
	snapshot_and_restore(*state, 0);
}

static void compressed_snapshot_restores_identically(void **state)
{
	snapshot_and_restore(*state, 3);
}

/* Zero pages are skipped: a 32 MiB guest that touched a few pages makes a
 * small file. */
static void snapshot_is_sparse(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;
	struct stat st;

	start(f, false);
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), 0);
	assert_int_equal(stat(f->snap, &st), 0);
	assert_true(st.st_size < (1 << 20));
}

/* A restored machine's RAM is mapped from its snapshot: the pages it never
 * touched hold the file's data, and its own snapshot must carry them. */
static void restored_machine_snapshots_whole(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;
	struct machine c;
	char snap2[160];

	start(f, false);
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), 0);
	assert_int_equal(load(f, f->snap, &f->b, &err), 0);
	/* As the host would under memory pressure, drop the file's pages from
	 * b's page tables (b has not run: nothing of its own is lost). */
	assert_int_equal(madvise(f->b.ram, f->b.cfg.ram_size, MADV_DONTNEED), 0);
	snprintf(snap2, sizeof(snap2), "%s/s2.snap", f->dir);
	assert_int_equal(machine_snapshot(&f->b, snap2, &o, &info, &err), 0);
	assert_int_equal(load(f, snap2, &c, &err), 0);
	assert_same_machine(&f->b, &c);
	machine_destroy(&c);
}

static void corrupt_at(const char *path, off_t off)
{
	int fd = open(path, O_RDWR);
	uint8_t b;
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x40;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

/* A byte changed anywhere (header, configuration, page data, device
 * state), the file cut short anywhere, or another format version: refused
 * with a message naming the reason. */
static void damaged_snapshots_are_refused(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;
	struct stat st;
	char copy[128], cmd[512];

	start(f, false);
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), 0);
	assert_int_equal(stat(f->snap, &st), 0);
	snprintf(copy, sizeof(copy), "%s/bad.snap", f->dir);
	const off_t offsets[] = { 0, 9, 40, 100, 4096 + 100, st.st_size / 2, st.st_size - 200,
				  st.st_size - 1 };
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cp %s %s", f->snap, copy);
		assert_int_equal(system(cmd), 0);
		corrupt_at(copy, offsets[i]);
		if (load(f, copy, &f->b, &err) == 0)
			fail_msg("a byte changed at %lld went unnoticed", (long long)offsets[i]);
		if (offsets[i] == 9)
			assert_non_null(strstr(err.msg, "format version"));
		machine_destroy(&f->b);
	}
	const off_t cuts[] = { 0, 10, 100, 5000, st.st_size / 2, st.st_size - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cp %s %s && truncate -s %lld %s", f->snap, copy,
			 (long long)cuts[i], copy);
		assert_int_equal(system(cmd), 0);
		assert_true(load(f, copy, &f->b, &err) < 0);
		assert_non_null(strstr(err.msg, "truncated"));
		machine_destroy(&f->b);
	}
}

static void read_disk(struct machine *m, char *buf, size_t n)
{
	assert_int_equal(block_read(m->disks[0].bd, 0, buf, n), 0);
}

/* The snapshot's disk state stays frozen: the machine goes on writing to a
 * new overlay, and a restore writes to one of its own. */
static void disks_are_frozen_under_overlays(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;
	char buf[8] = { 0 }, path[160];

	start(f, true);
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), 0);
	snprintf(path, sizeof(path), "%s/disk.s1.qcow2", f->dir);
	assert_string_equal(f->a.cfg.disks[0].path, path);
	assert_int_equal(block_write(f->a.disks[0].bd, 0, "after!", 6), 0);

	assert_int_equal(load(f, f->snap, &f->b, &err), 0);
	snprintf(path, sizeof(path), "%s/disk.s1-1.qcow2", f->dir);
	assert_string_equal(f->b.cfg.disks[0].path, path);
	read_disk(&f->b, buf, 6);
	assert_memory_equal(buf, "frozen", 6);
	read_disk(&f->a, buf, 6);
	assert_memory_equal(buf, "after!", 6);

	/* A second restore (a clone) gets the next overlay. */
	struct machine c;
	assert_int_equal(load(f, f->snap, &c, &err), 0);
	snprintf(path, sizeof(path), "%s/disk.s1-2.qcow2", f->dir);
	assert_string_equal(c.cfg.disks[0].path, path);
	machine_destroy(&c);

	/* An existing file is never overwritten: a snapshot whose overlay
	 * name is taken fails and changes nothing. */
	char snap2[160];
	snprintf(path, sizeof(path), "%s/disk.s1.s2.qcow2", f->dir);
	snprintf(snap2, sizeof(snap2), "%s/s2.snap", f->dir);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_true(machine_snapshot(&f->a, snap2, &o, &info, &err) < 0);
	assert_int_equal(access(snap2, F_OK), -1);
	read_disk(&f->a, buf, 6);
	assert_memory_equal(buf, "after!", 6);
}

/* The names in dir, sorted, joined by spaces, into out. */
static void list_dir(const char *dir, char *out, size_t size)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		strncat(out, names[i]->d_name, size - strlen(out) - 2);
		strcat(out, " ");
		free(names[i]);
	}
	free(names);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void assert_starts_with(const char *path, const char *text)
{
	char buf[16] = { 0 };
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, strlen(text), 0), (ssize_t)strlen(text));
	close(fd);
	assert_memory_equal(buf, text, strlen(text));
}

/* A machine on files that a snapshot must never replace: its kernel named
 * through a symbolic link, an initrd, a raw disk (with another hard link
 * and a symbolic link to it) and a qcow2 disk over a backing file. */
enum { KERNEL_LINK, INITRD, TOP, BASE, DISK_LINK, DISK_HARD, NFILES };

static void start_on_files(struct fixture *f, char paths[NFILES][160])
{
	struct error err = { 0 };
	static const char *const names[NFILES] = {
		[KERNEL_LINK] = "kernel-link", [INITRD] = "initrd.img", [TOP] = "top.qcow2",
		[BASE] = "base.img", [DISK_LINK] = "disk-link.img", [DISK_HARD] = "disk-hard.img",
	};
	for (size_t i = 0; i < NFILES; i++)
		snprintf(paths[i], 160, "%s/%s", f->dir, names[i]);
	assert_int_equal(symlink("kernel.bin", paths[KERNEL_LINK]), 0);
	write_file(paths[INITRD], "initrd");
	int fd = open(paths[BASE], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0 && ftruncate(fd, 1 << 20) == 0 && pwrite(fd, "base", 4, 0) == 4);
	close(fd);
	struct qcow2_create_opts q = { .size = 1 << 20, .cluster_bits = 16, .backing_name = "base.img",
				       .backing_format = "raw" };
	assert_int_equal(qcow2_create(paths[TOP], &q, &err), 0);
	assert_int_equal(symlink("disk.img", paths[DISK_LINK]), 0);
	assert_int_equal(link(f->disk, paths[DISK_HARD]), 0);

	struct machine_config cfg = {
		.ram_size = 32u << 20, .ncpus = 1, .kernel = paths[KERNEL_LINK], .initrd = paths[INITRD],
		.console_in = -1, .console_out = -1, .ndisks = 2,
		.disks = { { .path = f->disk, .format = BLOCK_FMT_RAW },
			   { .path = paths[TOP], .format = BLOCK_FMT_QCOW2 } },
	};
	assert_int_equal(machine_create(&f->a, &cfg, &err), 0);
	hart_run(f->a.harts[0], 1000);
}

/* A snapshot renamed over a file the machine uses would take its place:
 * each is refused with a reason, and nothing changes (no overlay, no
 * temporary file, the machine on its disks). */
static void snapshot_never_replaces_a_file_the_machine_uses(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;
	char files[NFILES][160], respelt[200], before[1024], after[1024];

	start_on_files(f, files);
	snprintf(respelt, sizeof(respelt), "%s/./disk.img", f->dir);
	const char *refused[] = { f->disk, respelt, files[DISK_LINK], files[DISK_HARD], files[TOP],
				  files[BASE], f->kernel, files[KERNEL_LINK], files[INITRD] };
	list_dir(f->dir, before, sizeof(before));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int ret = machine_snapshot(&f->a, refused[i], &o, &info, &err);
		if (ret != -EBUSY)
			fail_msg("a snapshot to %s: %d (%s)", refused[i], ret, err.msg);
		assert_non_null(strstr(err.msg, refused[i]));
		list_dir(f->dir, after, sizeof(after));
		assert_string_equal(before, after);
	}
	assert_int_equal(machine_snapshot(&f->a, f->dir, &o, &info, &err), -EISDIR);
	assert_starts_with(f->disk, "frozen");
	assert_starts_with(files[BASE], "base");
	assert_starts_with(f->kernel, "\x17\x06");
	assert_starts_with(files[INITRD], "initrd");
	assert_string_equal(f->a.cfg.disks[0].path, f->disk);
	assert_string_equal(f->a.cfg.disks[1].path, files[TOP]);
	assert_string_equal(f->a.cfg.kernel, files[KERNEL_LINK]);

	/* The temporary file is a new one: a symbolic link at the old
	 * temporary name (s3.snap.tmp) is not followed. */
	char snap3[160], tmp_link[200];
	snprintf(snap3, sizeof(snap3), "%s/s3.snap", f->dir);
	snprintf(tmp_link, sizeof(tmp_link), "%s.tmp", snap3);
	assert_int_equal(symlink("disk.img", tmp_link), 0);
	assert_int_equal(machine_snapshot(&f->a, snap3, &o, &info, &err), 0);
	assert_starts_with(f->disk, "frozen");
	assert_starts_with(snap3, "DOPPELVM");

	/* An overlay is never made over an existing file, nor through a
	 * symbolic link there. */
	char snap4[160], overlay[200];
	snprintf(snap4, sizeof(snap4), "%s/s4.snap", f->dir);
	snprintf(overlay, sizeof(overlay), "%s/disk.s3.s4.qcow2", f->dir);
	assert_int_equal(symlink("kernel.bin", overlay), 0);
	assert_true(machine_snapshot(&f->a, snap4, &o, &info, &err) < 0);
	assert_starts_with(f->kernel, "\x17\x06");
	assert_int_equal(access(snap4, F_OK), -1);
}

/* A migration's target opens the disks it was told of when it began: a
 * snapshot freezing them meanwhile would lose the writes made after. */
static void snapshot_is_refused_while_migrating(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct snapshot_opts o = { 0 };
	struct snapshot_info info;
	char where[64], key[160], uri[256], before[1024], after[1024];

	start(f, true);
	snprintf(key, sizeof(key), "%s/migration.key", f->dir);
	int kfd = open(key, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(kfd >= 0);
	assert_int_equal(write(kfd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(kfd);
	/* A target that never accepts: the migration stays under way. */
	int lfd = tcp_listen("tcp:127.0.0.1:0", &err);
	assert_true(lfd >= 0);
	assert_int_equal(tcp_local_uri(lfd, where, sizeof(where), &err), 0);
	snprintf(uri, sizeof(uri), "%s,key-file=%s", where, key);
	assert_int_equal(migrate_start(&f->a, uri, NULL, NULL, &err), 0);
	list_dir(f->dir, before, sizeof(before));
	assert_int_equal(machine_snapshot(&f->a, f->snap, &o, &info, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "migration"));
	list_dir(f->dir, after, sizeof(after));
	assert_string_equal(before, after);
	assert_string_equal(f->a.cfg.disks[0].path, f->disk);
	machine_destroy(&f->a);
	close(lfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(restored_machine_runs_on_identically, setup, teardown),
		cmocka_unit_test_setup_teardown(compressed_snapshot_restores_identically, setup, teardown),
		cmocka_unit_test_setup_teardown(ten_harts_survive_a_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(sixteen_harts_survive_a_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(sixty_four_harts_survive_a_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(stream_of_the_8_hart_layout_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshot_is_sparse, setup, teardown),
		cmocka_unit_test_setup_teardown(restored_machine_snapshots_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(damaged_snapshots_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(disks_are_frozen_under_overlays, setup, teardown),
		cmocka_unit_test_setup_teardown(snapshot_never_replaces_a_file_the_machine_uses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(snapshot_is_refused_while_migrating, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
