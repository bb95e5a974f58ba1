#include "vm/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int loader_read_file(const char *path, uint8_t **data, uint64_t *len, struct error *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	int ret = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return error_set(err, errno, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = error_set(err, errno, "cannot stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error_set(err, EINVAL, "%s is not a regular file", path);
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		ret = error_set(err, ENOMEM, "out of memory reading %s", path);
		goto out;
	}
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = read(fd, buf + done, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = error_set(err, n < 0 ? errno : EIO, "cannot read %s: %s", path,
					n < 0 ? strerror(errno) : "file shrank while reading");
			goto out;
		}
		done += n;
	}
	*data = buf;
	*len = (uint64_t)st.st_size;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}
