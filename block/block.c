#include "block/block.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/chain.h"
#include "block/io.h"
#include "block/qcow2.h"
#include "block/qcow2_format.h"
#include "block/raw.h"

int block_format_parse(const char *name)
{
	if (!strcmp(name, "raw"))
		return BLOCK_FMT_RAW;
	if (!strcmp(name, "qcow2"))
		return BLOCK_FMT_QCOW2;
	return -1;
}

const char *block_format_name(enum block_format fmt)
{
	switch (fmt) {
	case BLOCK_FMT_RAW: return "raw";
	case BLOCK_FMT_QCOW2: return "qcow2";
	case BLOCK_FMT_AUTO: break;
	}
	return "auto";
}

int block_probe(const char *path, enum block_format *fmt, struct error *err)
{
	uint8_t magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	/* A file shorter than the magic reads it as zeroes: raw. */
	int rc = file_read_at(fd, 0, magic, sizeof(magic));
	close(fd);
	if (rc)
		return error_set(err, -rc, "%s: %s", path, strerror(-rc));
	*fmt = be32_get(magic) == QCOW2_MAGIC ? BLOCK_FMT_QCOW2 : BLOCK_FMT_RAW;
	return 0;
}

int block_open(const char *path, enum block_format fmt, bool readonly,
	       struct block_dev **out, struct error *err)
{
	return block_open_in_chain(path, fmt, readonly, NULL, out, err);
}

int block_open_in_chain(const char *path, enum block_format fmt, bool readonly,
			const struct block_chain *above, struct block_dev **out,
			struct error *err)
{
	bool probed = fmt == BLOCK_FMT_AUTO;
	if (probed) {
		int rc = block_probe(path, &fmt, err);
		if (rc)
			return rc;
	}
	switch (fmt) {
	case BLOCK_FMT_RAW:
		return raw_open(path, readonly, probed, out, err);
	case BLOCK_FMT_QCOW2:
		return qcow2_open(path, readonly, above, out, err);
	case BLOCK_FMT_AUTO:
		break;
	}
	return error_set(err, EINVAL, "%s: unknown image format", path);
}

int block_set_lock(struct block_dev *bd, enum image_lock_mode mode, struct error *err)
{
	if (mode == bd->lock)
		return 0;
	int rc = image_lock(bd->fd, bd->path, bd->lock, mode, err);
	if (!rc)
		bd->lock = mode;
	return rc;
}

int block_relock(struct block_dev *bd, struct error *err)
{
	return block_set_lock(bd, bd->readonly ? IMAGE_LOCK_READ : IMAGE_LOCK_WRITE, err);
}

bool block_chain_has_file(const struct block_dev *bd, const char *path)
{
	struct stat target, st;
	if (stat(path, &target))
		return false;
	for (; bd; bd = bd->backing)
		if (!fstat(bd->fd, &st) && st.st_dev == target.st_dev && st.st_ino == target.st_ino)
			return true;
	return false;
}

int block_create_file(const char *path, int *fd, struct error *err)
{
	/* Not O_TRUNC: the lock comes first. */
	int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (f < 0)
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	int rc = image_lock(f, path, IMAGE_UNLOCKED, IMAGE_LOCK_WRITE, err);
	if (!rc && ftruncate(f, 0))
		rc = error_set(err, errno, "%s: %s", path, strerror(errno));
	if (rc) {
		close(f);
		return rc;
	}
	*fd = f;
	return 0;
}
