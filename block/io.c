#include "block/io.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

int file_read_at(int fd, uint64_t off, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		if (off > (uint64_t)INT64_MAX - len)
			return -EINVAL;
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0) {
			memset(p, 0, len);
			return 0;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int file_write_at(int fd, uint64_t off, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		if (off > (uint64_t)INT64_MAX - len)
			return -EINVAL;
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int file_size(int fd, uint64_t *size)
{
	/* SEEK_END works for block devices too, where st_size is 0. */
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}
