/* Saving a machine: guest RAM as page sections, and a whole snapshot file
 * with its disks frozen under new overlays. */
#include "vm/snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/pagemap.h"
#include "vm/machine_files.h"
#include "vm/migrate.h"
#include "vm/overlay.h"

/* The snapshot is written aside, at path with this suffix made unique
 * (mkostemp), and renamed to path once complete. */
#define TMP_SUFFIX ".tmp-XXXXXX"

bool ram_page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t acc = 0;
	for (unsigned i = 0; i < STATE_PAGE_SIZE / 8; i++)
		acc |= w[i];
	return acc == 0;
}

uint64_t ram_save(struct state_writer *w, const uint8_t *ram, uint64_t pages, const uint64_t *bitmap,
		  bool anonymous, int zstd_level)
{
	uint64_t pfns[STATE_PAGES_PER_SECTION], total = 0;
	uint32_t n = 0;
	struct pagemap pm;

	pagemap_open(&pm, anonymous && !bitmap ? ram : NULL);
	for (uint64_t pfn = 0; pfn < pages && !w->error; pfn++) {
		if (bitmap ? !(bitmap[pfn / 64] >> (pfn % 64) & 1)
			   : !pagemap_touched(&pm, pfn) || ram_page_is_zero(ram + pfn * STATE_PAGE_SIZE))
			continue;
		pfns[n++] = pfn;
		if (n == STATE_PAGES_PER_SECTION) {
			state_write_pages(w, SEC_PAGE, pfns, n, ram, zstd_level);
			total += n;
			n = 0;
		}
	}
	if (n) {
		state_write_pages(w, SEC_PAGE, pfns, n, ram, zstd_level);
		total += n;
	}
	pagemap_close(&pm);
	return total;
}

void machine_config_saved(const struct machine *m, struct machine_config *cfg)
{
	*cfg = m->cfg;
	for (unsigned i = 0; i < m->ndisks_open; i++)
		cfg->disks[i].format = m->disks[i].bd->format;
}

static int write_snapshot(struct machine *m, int fd, const char *path, int zstd_level,
			  struct snapshot_info *info, struct error *err)
{
	struct state_writer w;
	struct machine_state st;
	struct machine_config cfg;

	machine_config_saved(m, &cfg);
	machine_state_capture(m, &st);
	state_writer_init(&w, fd, zstd_level > 0 ? 0 : STATE_F_FILE);
	machine_config_save(&w, &cfg);
	info->pages = ram_save(&w, m->ram, m->cfg.ram_size / STATE_PAGE_SIZE, NULL, !m->ram_file_backed,
			       zstd_level);
	machine_state_save(&w, &st);
	state_begin(&w, SEC_END, 0, 1);
	state_end(&w);
	int ret = state_writer_status(&w);
	info->bytes = w.offset;
	state_writer_destroy(&w);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (ret < 0)
		return error_set(err, -ret, "cannot write %s: %s", path, strerror(-ret));
	return 0;
}

/* A snapshot of a disk must stay as it is: writable disks, flushed, are
 * given new overlays to go on with, opened before anything is written so
 * that a failure changes nothing. */
static int open_new_overlays(struct machine *m, const char *tag, char **paths,
			     struct block_dev **bds, struct error *err)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		struct block_dev *bd = m->disks[i].bd;
		if (bd->readonly)
			continue;
		int ret = overlay_create(m->cfg.disks[i].path, bd->format, bd->size, tag, false,
				     &paths[i], err);
		if (ret < 0)
			return ret;
		/* The overlay opens the image again, as its backing file, which
		 * this open's write lock would refuse (block/lock.h). */
		ret = block_set_lock(bd, IMAGE_LOCK_READ, err);
		if (ret == 0)
			ret = block_open(paths[i], BLOCK_FMT_QCOW2, false, &bds[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int machine_snapshot(struct machine *m, const char *path, const struct snapshot_opts *o,
		     struct snapshot_info *info, struct error *err)
{
	char *paths[VIRTIO_SLOTS] = { 0 }, tag[256], tmp[4200];
	struct block_dev *bds[VIRTIO_SLOTS] = { 0 };
	int ret, fd = -1;

	if (m->cfg.bios && strcmp(m->cfg.bios, "none") == 0)
		return error_set(err, ENOTSUP, "a machine run with --bios none cannot be snapshotted");
	/* The target of a migration opens the disks it was told of at the
	 * start: frozen by a snapshot, they would lack the writes made after. */
	if (migrate_active(m))
		return error_set(err, EBUSY, "a migration is under way: snapshot once it is over");
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s" TMP_SUFFIX, path) >= sizeof(tmp))
		return error_set(err, ENAMETOOLONG, "%s: the path is too long", path);
	overlay_stem(path, tag, sizeof(tag));

	ret = machine_flush_disks(m, err);
	if (ret == 0)
		ret = open_new_overlays(m, tag, paths, bds, err);
	/* Checked with the new overlays open, as they are files the machine
	 * then uses. */
	if (ret == 0)
		ret = machine_files_check_dest(m, path, err);
	if (ret < 0)
		goto out;
	/* Written aside and renamed: a failure never leaves half a snapshot.
	 * The temporary name is a new file (O_EXCL): never one already there,
	 * nor what a symbolic link there points to. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = error_set(err, errno, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	ret = write_snapshot(m, fd, path, o->zstd_level, info, err);
	if (ret == 0 && rename(tmp, path) < 0)
		ret = error_set(err, errno, "cannot create %s: %s", path, strerror(errno));
	if (ret < 0)
		goto out;
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		if (!bds[i])
			continue;
		block_close(m->disks[i].bd);
		m->disks[i].bd = bds[i];
		free(m->disk_paths[i]);
		m->disk_paths[i] = paths[i];
		m->cfg.disks[i].path = paths[i];
		m->cfg.disks[i].format = BLOCK_FMT_QCOW2;
		bds[i] = NULL;
		paths[i] = NULL;
	}
out:
	if (fd >= 0) {
		close(fd);
		if (ret < 0)
			unlink(tmp);
	}
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		block_close(bds[i]);
		if (paths[i])
			unlink(paths[i]);
		free(paths[i]);
	}
	/* Nothing changed: the disks are written on as they were. Only a
	 * process that opened one meanwhile can keep the write lock away. */
	for (unsigned i = 0; ret < 0 && i < m->ndisks_open; i++) {
		struct error ignored;
		block_relock(m->disks[i].bd, &ignored);
	}
	return ret;
}
