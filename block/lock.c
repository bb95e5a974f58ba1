#include "block/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* QEMU's lock bytes and permission bits (see lock.h). */
#define PERM_BYTE_BASE   100
#define SHARED_BYTE_BASE 200
#define BIT_CONSISTENT_READ 0
#define BIT_WRITE           1
#define BIT_RESIZE          3
#define PERM_BITS           4
#define PERM_CONSISTENT_READ (1u << BIT_CONSISTENT_READ)
#define PERM_WRITE           (1u << BIT_WRITE)
#define PERM_RESIZE          (1u << BIT_RESIZE)

/* What a mode uses, and what it lets nobody else use. */
struct perms {
	unsigned used, unshared;
};

static struct perms perms_of(enum image_lock_mode mode)
{
	switch (mode) {
	case IMAGE_LOCK_READ:
		return (struct perms){ PERM_CONSISTENT_READ, PERM_WRITE | PERM_RESIZE };
	case IMAGE_LOCK_WRITE:
		return (struct perms){ PERM_CONSISTENT_READ | PERM_WRITE | PERM_RESIZE,
				       PERM_WRITE | PERM_RESIZE };
	case IMAGE_UNLOCKED:
		break;
	}
	return (struct perms){ 0, 0 };
}

static int set_byte(int fd, int byte, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };
	return fcntl(fd, F_OFD_SETLK, &fl) ? -errno : 0;
}

/* Whether another open holds a lock on the byte: 1 yes, 0 no, or -errno.
 * *pid is the holder's process for a classic POSIX lock (older QEMUs fall
 * back to them), -1 for an open file description lock, which has none. */
static int held_elsewhere(int fd, int byte, pid_t *pid)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1 };
	if (fcntl(fd, F_OFD_GETLK, &fl))
		return -errno;
	*pid = fl.l_pid;
	return fl.l_type != F_UNLCK;
}

/* Locks or unlocks the bytes of p (bit i: bytes 100 + i and 200 + i). */
static int apply(int fd, struct perms p, short type)
{
	for (int i = 0; i < PERM_BITS; i++) {
		int rc = 0;
		if (p.used & (1u << i))
			rc = set_byte(fd, PERM_BYTE_BASE + i, type);
		if (!rc && p.unshared & (1u << i))
			rc = set_byte(fd, SHARED_BYTE_BASE + i, type);
		if (rc)
			return rc;
	}
	return 0;
}

/* Whether another open conflicts with p (1 yes, 0 no, or -errno): refuses
 * what p uses, or uses what p refuses. */
static int conflict(int fd, struct perms p, pid_t *pid)
{
	for (int i = 0; i < PERM_BITS; i++) {
		int rc = 0;
		if (p.used & (1u << i))
			rc = held_elsewhere(fd, SHARED_BYTE_BASE + i, pid);
		if (!rc && p.unshared & (1u << i))
			rc = held_elsewhere(fd, PERM_BYTE_BASE + i, pid);
		if (rc)
			return rc;
	}
	return 0;
}

/* Says what the holder does: writing if another open holds the write or
 * resize byte, else reading (it refuses writers). */
static const char *holder_use(int fd)
{
	pid_t pid;
	if (held_elsewhere(fd, PERM_BYTE_BASE + BIT_WRITE, &pid) > 0 ||
	    held_elsewhere(fd, PERM_BYTE_BASE + BIT_RESIZE, &pid) > 0)
		return "locked for writing";
	return "locked for reading, allowing no writer";
}

static int report(int fd, const char *path, pid_t pid, struct error *err)
{
	if (pid > 0)
		return error_set(err, EBUSY, "%s: in use by process %d (%s)", path, (int)pid,
				 holder_use(fd));
	return error_set(err, EBUSY, "%s: in use by another process, or opened twice (%s)", path,
			 holder_use(fd));
}

int image_lock(int fd, const char *path, enum image_lock_mode from, enum image_lock_mode to,
	       struct error *err)
{
	struct perms old = perms_of(from), new = perms_of(to);
	struct perms both = { old.used | new.used, old.unshared | new.unshared };
	struct perms dropped = { old.used & ~new.used, old.unshared & ~new.unshared };
	struct perms added = { new.used & ~old.used, new.unshared & ~old.unshared };
	pid_t pid = -1;

	/* As QEMU: take the union, check, then drop what the new mode does not
	 * hold (or, on a conflict, what the old one did not). */
	int rc = apply(fd, both, F_RDLCK);
	if (!rc)
		rc = conflict(fd, new, &pid);
	if (rc == 0) {
		apply(fd, dropped, F_UNLCK);
		return 0;
	}
	if (rc > 0)
		rc = report(fd, path, pid, err);
	else
		error_set(err, -rc, "%s: cannot lock: %s", path, strerror(-rc));
	apply(fd, added, F_UNLCK);
	return rc;
}
