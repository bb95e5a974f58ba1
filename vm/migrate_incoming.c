/* The target side of a live migration: the first connection that proves it
 * holds the key (vm/migrate_auth.h), one stream, checked against what the
 * operator expects and loaded whole before a byte of it is used
 * (vm/restore.c), then acknowledged. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/tcp.h"
#include "util/unix_listen.h"
#include "vm/migrate.h"
#include "vm/snapshot.h"

/* How long the target waits for the source to stop once acknowledged. */
#define CLOSE_TIMEOUT_MS 30000
#define RECEIVE_BUFFER (256 << 10)
/* A peer that has not proved it holds the key within this long is dropped:
 * a connection that says nothing must not keep the source out for good. */
#define AUTH_TIMEOUT_S 5

/* Reads exactly len bytes (the socket's timeout bounds the wait). */
static int read_exact(int fd, void *buf, size_t len, struct error *err)
{
	ssize_t got;
	do
		got = recv(fd, buf, len, MSG_WAITALL);
	while (got < 0 && errno == EINTR);
	if (got == (ssize_t)len)
		return 0;
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return error_set(err, ETIMEDOUT, "no proof of the key within %d s", AUTH_TIMEOUT_S);
	if (got < 0)
		return error_set(err, errno, "%s", strerror(errno));
	return error_set(err, EPROTO, "closed before proving it holds the key");
}

static int set_timeouts(int fd, int seconds, struct error *err)
{
	struct timeval tv = { seconds, 0 };
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return error_set(err, errno, "%s", strerror(errno));
	return 0;
}

/* The target's half of the exchange: the peer must prove it holds key
 * before anything it sends is read as a stream. */
static int authenticate(int fd, const struct migrate_key *key, struct error *err)
{
	uint8_t hello[MIGRATE_AUTH_HELLO_SIZE], challenge[MIGRATE_AUTH_CHALLENGE_SIZE];
	uint8_t proof[MIGRATE_AUTH_PROOF_SIZE];
	const uint8_t *source_nonce = hello + MIGRATE_AUTH_MAGIC_SIZE;
	int ret = set_timeouts(fd, AUTH_TIMEOUT_S, err);

	if (ret == 0)
		ret = read_exact(fd, hello, sizeof(hello), err);
	if (ret < 0)
		return ret;
	if (memcmp(hello, MIGRATE_AUTH_MAGIC, MIGRATE_AUTH_MAGIC_SIZE) != 0)
		return error_set(err, EPROTO, "not a doppel migration source with a key");
	ret = migrate_nonce(challenge, err);
	if (ret < 0)
		return ret;
	migrate_auth_mac(key, MIGRATE_ROLE_TARGET, source_nonce, challenge,
			 challenge + MIGRATE_NONCE_SIZE);
	ssize_t sent = send(fd, challenge, sizeof(challenge), MSG_NOSIGNAL);
	if (sent != (ssize_t)sizeof(challenge))
		return error_set(err, sent < 0 ? errno : EIO, "%s",
				 sent < 0 ? strerror(errno) : "short write");
	ret = read_exact(fd, proof, sizeof(proof), err);
	if (ret < 0)
		return ret;
	if (!migrate_auth_check(key, MIGRATE_ROLE_SOURCE, source_nonce, challenge, proof))
		return error_set(err, EACCES, "wrong proof of the key");
	/* The stream is read without a deadline, as before. */
	return set_timeouts(fd, 0, err);
}

/* The peer, for the line that says a connection was dropped: its address,
 * or over a Unix socket its process. */
static void peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char host[NI_MAXHOST], port[NI_MAXSERV];
	struct ucred cred;
	socklen_t cl = sizeof(cred);

	if (getpeername(fd, (struct sockaddr *)&sa, &sl) < 0)
		snprintf(buf, len, "an unknown peer");
	else if (sa.ss_family == AF_UNIX && getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		snprintf(buf, len, "process %d (uid %u)", (int)cred.pid, (unsigned)cred.uid);
	else if (sa.ss_family == AF_UNIX)
		snprintf(buf, len, "a local process");
	else if (getnameinfo((struct sockaddr *)&sa, sl, host, sizeof(host), port, sizeof(port),
			     NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, len, "an unknown peer");
	else
		snprintf(buf, len, sa.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* Waits for the first connection that proves it holds key (any, for a
 * unix: socket without one); every other is dropped, with a line, and the
 * wait goes on. */
static int accept_authenticated(int lfd, const char *where, const struct migrate_key *key,
				struct error *err)
{
	for (;;) {
		struct error why = { 0 };
		char peer[NI_MAXHOST + NI_MAXSERV + 4];
		int fd;

		do
			fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		while (fd < 0 && errno == EINTR);
		if (fd < 0)
			return error_set(err, errno, "%s: %s", where, strerror(errno));
		/* A unix: socket without a key: its mode (0600) let in only
		 * this user. */
		if (!key->len || authenticate(fd, key, &why) == 0)
			return fd;
		peer_name(fd, peer, sizeof(peer));
		fprintf(stderr, "doppel run: %s: dropped a connection from %s: %s\n", where, peer,
			why.msg);
		close(fd);
	}
}

/* Acknowledges the stream and waits for the source to close the
 * connection, which it does once it has stopped for good. */
static int handed_over(int fd, const char *uri, struct error *err)
{
	const uint8_t ack = MIGRATE_ACK;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t reply;

	if (write(fd, &ack, 1) != 1)
		return error_set(err, errno, "%s: cannot acknowledge: %s", uri, strerror(errno));
	int ready = poll(&p, 1, CLOSE_TIMEOUT_MS);
	if (ready == 0)
		return error_set(err, ETIMEDOUT, "%s: the source did not hand over within %d s", uri,
				 CLOSE_TIMEOUT_MS / 1000);
	ssize_t got = ready > 0 ? read(fd, &reply, 1) : -1;
	if (got == 0)
		return 0;
	if (got < 0)
		return error_set(err, errno, "%s: %s", uri, strerror(errno));
	return error_set(err, ECANCELED, "%s: the source cancelled the migration", uri);
}

int migrate_incoming(struct machine *m, const char *uri, const struct machine_config *host,
		     struct error *err)
{
	struct state_reader r;
	struct migrate_endpoint *ep;
	char where[MIGRATE_ADDR_MAX];
	/* The source hands its disks over as they are: no overlays. The stream
	 * must name what the operator expects (host's disks, kernel...). */
	struct load_opts o = { .host = host, .map_ram = false, .disk_overlays = false,
			       .expect_host_files = true };
	int fd = -1, lfd = -1, ret;

	ret = migrate_endpoint_new(uri, &ep, err);
	if (ret < 0)
		return ret;
	if (ep->unix_path) {
		ret = lfd = unix_listen(ep->unix_path, SOCK_STREAM, 1, err);
		if (lfd < 0)
			goto out;
		/* This side waits for the source and nothing else. */
		int flags = fcntl(lfd, F_GETFL);
		if (flags < 0 || fcntl(lfd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
			ret = error_set(err, errno, "%s: %s", ep->addr, strerror(errno));
			goto out;
		}
		snprintf(where, sizeof(where), "%s", ep->addr);
	} else {
		ret = lfd = tcp_listen(ep->addr, err);
		if (lfd < 0)
			goto out;
		/* A small receive buffer (set before the connection, so that the
		 * window follows it): what the source has sent but this side has
		 * not read is then little, and the source's downtime estimate right. */
		setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &(int){ RECEIVE_BUFFER }, sizeof(int));
		ret = tcp_local_uri(lfd, where, sizeof(where), err);
		if (ret < 0)
			goto out;
	}
	/* Port 0 picks a free port: this line names it. */
	fprintf(stderr, "doppel run: waiting for a migration on %s\n", where);
	ret = fd = accept_authenticated(lfd, where, &ep->key, err);
	if (fd < 0)
		goto out;
	migrate_key_wipe(&ep->key);
	ret = state_reader_init(&r, fd, where, err);
	if (ret == 0)
		ret = machine_load(m, &r, &o, err);
	if (ret == 0) {
		ret = handed_over(fd, where, err);
		/* The source goes on: this machine must not run too. */
		if (ret < 0)
			machine_destroy(m);
	}
out:
	if (fd >= 0)
		close(fd);
	if (lfd >= 0) {
		close(lfd);
		if (ep->unix_path)
			unlink(ep->unix_path);
	}
	migrate_endpoint_free(ep);
	return ret;
}
