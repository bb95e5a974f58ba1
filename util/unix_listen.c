#include "util/unix_listen.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A socket file nobody listens on (connect is refused) is stale: removed.
 * Anything else at path is left alone. */
static int remove_stale_socket(const char *path, int type)
{
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return -EADDRINUSE;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int refused = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno == ECONNREFUSED;
	close(fd);
	if (!refused)
		return -EADDRINUSE;
	return unlink(path) < 0 ? -errno : 0;
}

int unix_listen(const char *path, int type, int backlog, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret;

	if (!*path || strlen(path) >= sizeof(addr.sun_path))
		return error_set(err, EINVAL, "socket path must be 1 to %zu bytes", sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return error_set(err, errno, "socket: %s", strerror(errno));
	/* The socket is the server's only access control: owner only. The
	 * file's mode comes from the umask at bind (fchmod before bind does
	 * not reach the file on Linux). */
	mode_t old_mask = umask(0177);
	ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (ret < 0 && errno == EADDRINUSE && remove_stale_socket(path, type) == 0)
		ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	int bind_errno = errno;
	umask(old_mask);
	if (ret < 0) {
		ret = error_set(err, bind_errno, "%s: %s", path,
				bind_errno == EADDRINUSE ? "already in use (a live server, or not a socket)"
							 : strerror(bind_errno));
		goto fail;
	}
	if (listen(fd, backlog) < 0) {
		ret = error_set(err, errno, "%s: listen: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

int unix_connect_start(const char *path, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (!*path || strlen(path) >= sizeof(addr.sun_path))
		return error_set(err, EINVAL, "socket path must be 1 to %zu bytes", sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return error_set(err, errno, "socket: %s", strerror(errno));
	/* EAGAIN: the listener's backlog is full, which is as good as busy. */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno != EINPROGRESS) {
		int ret = error_set(err, errno, "cannot connect to unix:%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}
