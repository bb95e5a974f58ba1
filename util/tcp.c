#include "util/tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The highest TCP port: a port is 16 bits (RFC 793). */
#define TCP_PORT_MAX 65535

/* A port as digits only, 0 (any, for a listener) to TCP_PORT_MAX: no sign,
 * no spaces, no service name, nothing after. getaddrinfo would take
 * "99999" and keep its low 16 bits. */
static int parse_port(const char *uri, const char *s, bool passive, unsigned *port,
		      struct error *err)
{
	unsigned long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && v <= TCP_PORT_MAX; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == s || *p || v > TCP_PORT_MAX || (v == 0 && !passive))
		return error_set(err, EINVAL, "'%s': the port must be a number from %d to %d", uri,
				 passive ? 0 : 1, TCP_PORT_MAX);
	*port = (unsigned)v;
	return 0;
}

/* Splits "tcp:HOST:PORT" and resolves it. */
static int resolve(const char *uri, bool passive, struct addrinfo **out, struct error *err)
{
	char host[256], service[8];
	const char *h, *colon, *end;
	unsigned port = 0;

	if (strncmp(uri, "tcp:", 4) != 0)
		return error_set(err, EINVAL, "'%s': not tcp:HOST:PORT", uri);
	h = uri + 4;
	if (*h == '[') {
		end = strchr(h, ']');
		colon = end ? end + 1 : NULL;
		h++;
	} else {
		colon = strrchr(h, ':');
		end = colon;
	}
	if (!end || !colon || *colon != ':' || !colon[1] || (size_t)(end - h) >= sizeof(host))
		return error_set(err, EINVAL, "'%s': not tcp:HOST:PORT", uri);
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	int ret = parse_port(uri, colon + 1, passive, &port, err);
	if (ret < 0)
		return ret;
	snprintf(service, sizeof(service), "%u", port);

	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0) };
	ret = getaddrinfo(host[0] ? host : NULL, service, &hints, out);
	if (ret != 0)
		return error_set(err, EINVAL, "'%s': %s", uri, gai_strerror(ret));
	return 0;
}

/* A socket for uri's (first) address, which *ai returns for the caller to
 * free; -errno with a message. */
static int tcp_socket(const char *uri, bool passive, int flags, struct addrinfo **ai,
		      struct error *err)
{
	int ret = resolve(uri, passive, ai, err);
	if (ret < 0)
		return ret;
	int fd = socket((*ai)->ai_family, (*ai)->ai_socktype | SOCK_CLOEXEC | flags, (*ai)->ai_protocol);
	if (fd < 0) {
		ret = error_set(err, errno, "%s: %s", uri, strerror(errno));
		freeaddrinfo(*ai);
		return ret;
	}
	return fd;
}

int tcp_connect_start(const char *uri, struct error *err)
{
	struct addrinfo *ai;
	int fd = tcp_socket(uri, false, SOCK_NONBLOCK, &ai, err);
	if (fd < 0)
		return fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		int ret = error_set(err, errno, "cannot connect to %s: %s", uri, strerror(errno));
		close(fd);
		fd = ret;
	}
	freeaddrinfo(ai);
	return fd;
}

int tcp_connect_done(int fd, const char *uri, struct error *err)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (poll(&p, 1, 0) == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr)
		return error_set(err, soerr, "cannot connect to %s: %s", uri, strerror(soerr));
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return error_set(err, errno, "%s: %s", uri, strerror(errno));
	return 1;
}

int tcp_listen(const char *uri, struct error *err)
{
	struct addrinfo *ai;
	int one = 1;
	int fd = tcp_socket(uri, true, 0, &ai, err);
	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		int ret = error_set(err, errno, "cannot listen on %s: %s", uri, strerror(errno));
		close(fd);
		fd = ret;
	}
	freeaddrinfo(ai);
	return fd;
}

int tcp_local_uri(int fd, char *buf, size_t len, struct error *err)
{
	struct sockaddr_storage sa;
	socklen_t salen = sizeof(sa);
	char host[INET6_ADDRSTRLEN];
	bool v6;
	unsigned port;

	if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		return error_set(err, errno, "getsockname: %s", strerror(errno));
	v6 = sa.ss_family == AF_INET6;
	if (v6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&sa;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&sa;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	}
	snprintf(buf, len, v6 ? "tcp:[%s]:%u" : "tcp:%s:%u", host, port);
	return 0;
}
