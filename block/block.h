/* Disk backends: a virtual disk as a byte-addressed device of a fixed size,
 * stored in a host file of some format (raw, qcow2). Knows nothing of virtio:
 * the device model above it turns guest requests into these calls.
 *
 * Every call returns 0 or a negative errno; a failing call leaves the image
 * consistent (at worst with leaked clusters, which `img check` reports and
 * QEMU tolerates). Offsets and lengths are in bytes; a range reaching past
 * the end of the disk fails with -EINVAL before the backend sees it.
 * A block_dev is not thread-safe: one thread at a time uses it. */
#ifndef DOPPEL_BLOCK_BLOCK_H
#define DOPPEL_BLOCK_BLOCK_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/lock.h"
#include "util/error.h"

enum block_format { BLOCK_FMT_AUTO, BLOCK_FMT_RAW, BLOCK_FMT_QCOW2 };

struct block_dev;

struct block_ops {
	int (*read)(struct block_dev *bd, uint64_t off, void *buf, size_t len);
	int (*write)(struct block_dev *bd, uint64_t off, const void *buf, size_t len);
	/* Everything written so far reaches stable storage (fdatasync). */
	int (*flush)(struct block_dev *bd);
	/* The range may read back as anything afterwards; space may be freed. */
	int (*discard)(struct block_dev *bd, uint64_t off, uint64_t len);
	/* The range reads back as zeroes; may_unmap allows freeing space. */
	int (*write_zeroes)(struct block_dev *bd, uint64_t off, uint64_t len, bool may_unmap);
	/* Flushes, marks the image clean where the format has such a mark,
	 * and frees bd; fails if the flush did (the data may be lost). */
	int (*close)(struct block_dev *bd);
};

/* The common part of every backend; a backend embeds it first. */
struct block_dev {
	const struct block_ops *ops;
	enum block_format format;
	uint64_t size;        /* virtual size in bytes */
	bool readonly;
	struct block_dev *backing;  /* the image below in a backing chain, or NULL;
				     * opened read-only and closed with this one */
	const char *path;           /* as opened (the backend owns it) */
	int fd;                     /* the image file, which holds the locks */
	enum image_lock_mode lock;  /* the locks it holds now (block/lock.h) */
};

/* Opens path as fmt (BLOCK_FMT_AUTO probes the qcow2 magic, else raw).
 * A malformed image fails with one clear line in err, and so does one that
 * another open holds conflicting locks on: a writable image takes
 * IMAGE_LOCK_WRITE, a read-only one and every backing file IMAGE_LOCK_READ
 * (QEMU's locks; block/lock.h). */
int block_open(const char *path, enum block_format fmt, bool readonly,
	       struct block_dev **out, struct error *err);

static inline bool block_in_range(const struct block_dev *bd, uint64_t off, uint64_t len)
{
	return off <= bd->size && len <= bd->size - off;
}

static inline int block_read(struct block_dev *bd, uint64_t off, void *buf, size_t len)
{
	return block_in_range(bd, off, len) ? bd->ops->read(bd, off, buf, len) : -EINVAL;
}

static inline int block_write(struct block_dev *bd, uint64_t off, const void *buf, size_t len)
{
	if (bd->readonly)
		return -EROFS;
	return block_in_range(bd, off, len) ? bd->ops->write(bd, off, buf, len) : -EINVAL;
}

static inline int block_flush(struct block_dev *bd)
{
	return bd->ops->flush(bd);
}

static inline int block_discard(struct block_dev *bd, uint64_t off, uint64_t len)
{
	if (bd->readonly)
		return -EROFS;
	return block_in_range(bd, off, len) ? bd->ops->discard(bd, off, len) : -EINVAL;
}

static inline int block_write_zeroes(struct block_dev *bd, uint64_t off, uint64_t len,
				     bool may_unmap)
{
	if (bd->readonly)
		return -EROFS;
	return block_in_range(bd, off, len) ? bd->ops->write_zeroes(bd, off, len, may_unmap)
					    : -EINVAL;
}

static inline int block_close(struct block_dev *bd)
{
	return bd ? bd->ops->close(bd) : 0;
}

/* Changes the locks of the image itself (not of its backing chain): a
 * snapshot's writer drops to IMAGE_LOCK_READ while its new overlay opens it
 * again as a backing file; a migration source unlocks its disks for a
 * target on the same host to open. Fails, changing nothing, if another
 * open holds conflicting locks. */
int block_set_lock(struct block_dev *bd, enum image_lock_mode mode, struct error *err);
/* Back to the locks the image was opened with. */
int block_relock(struct block_dev *bd, struct error *err);

/* Opens path for creating an image in it: created if missing, locked for
 * writing (so that an image in use is refused before anything changes),
 * then emptied. *fd is the open file. */
int block_create_file(const char *path, int *fd, struct error *err);

/* Whether path names a file of bd's backing chain, bd included. */
bool block_chain_has_file(const struct block_dev *bd, const char *path);

/* The format of the image at path: qcow2 if it starts with qcow2's magic,
 * else raw. */
int block_probe(const char *path, enum block_format *fmt, struct error *err);

/* "raw" / "qcow2" to a format; returns -1 for anything else. */
int block_format_parse(const char *name);
const char *block_format_name(enum block_format fmt);

#endif
