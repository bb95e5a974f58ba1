#include "block/raw.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/io.h"
#include "block/qcow2_format.h"

struct raw_dev {
	struct block_dev bd;
	int fd;
	bool probed;
	char *path;
};

static struct raw_dev *to_raw(struct block_dev *bd)
{
	return (struct raw_dev *)bd;
}

static int raw_read(struct block_dev *bd, uint64_t off, void *buf, size_t len)
{
	return file_read_at(to_raw(bd)->fd, off, buf, len);
}

static int raw_write(struct block_dev *bd, uint64_t off, const void *buf, size_t len)
{
	struct raw_dev *r = to_raw(bd);
	if (r->probed && qcow2_magic_at(buf, len, off))
		return -EPERM;
	return file_write_at(r->fd, off, buf, len);
}

static int raw_flush(struct block_dev *bd)
{
	if (bd->readonly)
		return 0;
	return fdatasync(to_raw(bd)->fd) ? -errno : 0;
}

static int raw_discard(struct block_dev *bd, uint64_t off, uint64_t len)
{
	/* A hint: a file system without hole punching simply keeps the data. */
	if (fallocate(to_raw(bd)->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) && errno != EOPNOTSUPP)
		return -errno;
	return 0;
}

static int write_zero_bytes(int fd, uint64_t off, uint64_t len)
{
	static const char zeroes[65536];
	while (len) {
		size_t n = len < sizeof(zeroes) ? (size_t)len : sizeof(zeroes);
		int rc = file_write_at(fd, off, zeroes, n);
		if (rc)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

static int raw_write_zeroes(struct block_dev *bd, uint64_t off, uint64_t len, bool may_unmap)
{
	int fd = to_raw(bd)->fd;
	/* A punched hole reads back as zeroes; ZERO_RANGE keeps the space
	 * allocated. Either may be unsupported by the host file system. */
	int mode = may_unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
			     : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (!fallocate(fd, mode, (off_t)off, (off_t)len))
		return 0;
	if (errno != EOPNOTSUPP && errno != ENODEV)
		return -errno;
	return write_zero_bytes(fd, off, len);
}

static int raw_close(struct block_dev *bd)
{
	struct raw_dev *r = to_raw(bd);
	int ret = !bd->readonly && fdatasync(r->fd) ? -errno : 0;
	if (close(r->fd) && !ret)
		ret = -errno;
	free(r->path);
	free(r);
	return ret;
}

static const struct block_ops raw_ops = {
	.read = raw_read,
	.write = raw_write,
	.flush = raw_flush,
	.discard = raw_discard,
	.write_zeroes = raw_write_zeroes,
	.close = raw_close,
};

int raw_open(const char *path, bool readonly, bool probed, struct block_dev **out,
	     struct error *err)
{
	struct raw_dev *r = NULL;
	struct stat st;
	int rc;
	int fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		rc = error_set(err, EINVAL, "%s: not a regular file or block device", path);
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		rc = error_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	enum image_lock_mode lock = readonly ? IMAGE_LOCK_READ : IMAGE_LOCK_WRITE;
	rc = image_lock(fd, path, IMAGE_UNLOCKED, lock, err);
	if (rc)
		goto out;
	rc = file_size(fd, &r->bd.size);
	if (rc) {
		error_set(err, -rc, "%s: cannot find its size: %s", path, strerror(-rc));
		goto out;
	}
	r->bd.ops = &raw_ops;
	r->bd.format = BLOCK_FMT_RAW;
	r->bd.readonly = readonly;
	r->bd.path = r->path;
	r->bd.fd = fd;
	r->bd.lock = lock;
	r->fd = fd;
	r->probed = probed;
	*out = &r->bd;
	return 0;
out:
	if (r)
		free(r->path);
	free(r);
	close(fd);
	return rc;
}

int raw_create(const char *path, uint64_t size, struct error *err)
{
	int fd;
	int rc = block_create_file(path, &fd, err);
	if (rc)
		return rc;
	if (ftruncate(fd, (off_t)size) || fsync(fd))
		rc = error_set(err, errno, "%s: %s", path, strerror(errno));
	close(fd);
	return rc;
}
