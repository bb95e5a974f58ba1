/* Image locks as QEMU takes them (its block/file-posix.c), so that doppel
 * and QEMU (qemu-system-*, qemu-img, qemu-io) refuse each other's
 * conflicting opens of an image file.
 *
 * The locks are open file description locks (F_OFD_SETLK), all shared, on
 * single bytes of the file: byte 100 + p is held by whoever uses permission
 * p, byte 200 + p by whoever lets nobody else use it, where p is QEMU's
 * permission bit (include/block/block-common.h: 0 consistent read, 1 write,
 * 2 unchanging write, 3 resize). A conflict shows as a byte another open
 * holds, found by asking whether an exclusive lock on it would be granted.
 *
 * An open file description never conflicts with itself, but does with
 * another one of this process: an image opened twice conflicts as it would
 * between two processes. */
#ifndef DOPPEL_BLOCK_LOCK_H
#define DOPPEL_BLOCK_LOCK_H

#include "util/error.h"

enum image_lock_mode {
	IMAGE_UNLOCKED,
	/* Reads, and lets nobody write or resize: QEMU's read-only qcow2
	 * images and backing files take the same. Readers share. */
	IMAGE_LOCK_READ,
	/* Reads, writes and resizes, and lets nobody else write or resize. */
	IMAGE_LOCK_WRITE,
};

/* Changes the locks the open file fd holds on the image at path from mode
 * from to mode to. If another open holds conflicting locks, fails with
 * -EBUSY and one line in err, holding from's locks as before. */
int image_lock(int fd, const char *path, enum image_lock_mode from, enum image_lock_mode to,
	       struct error *err);

#endif
