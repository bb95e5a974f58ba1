/* The target side of a live migration: one connection, one stream, loaded
 * whole before a byte of it is used (vm/restore.c), then acknowledged. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/tcp.h"
#include "vm/migrate.h"
#include "vm/snapshot.h"

/* How long the target waits for the source to stop once acknowledged. */
#define CLOSE_TIMEOUT_MS 30000
#define RECEIVE_BUFFER (256 << 10)

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
	char where[128];
	/* The source hands its disks over as they are: no overlays. */
	struct load_opts o = { .host = host, .map_ram = false, .disk_overlays = false };
	int fd = -1, ret;

	int lfd = tcp_listen(uri, err);
	if (lfd < 0)
		return lfd;
	/* A small receive buffer (set before the connection, so that the
	 * window follows it): what the source has sent but this side has not
	 * read is then little, and the source's downtime estimate right. */
	setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &(int){ RECEIVE_BUFFER }, sizeof(int));
	ret = tcp_local_uri(lfd, where, sizeof(where), err);
	if (ret < 0)
		goto out;
	/* Port 0 picks a free port: this line names it. */
	fprintf(stderr, "doppel run: waiting for a migration on %s\n", where);
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		ret = error_set(err, errno, "%s: %s", where, strerror(errno));
		goto out;
	}
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
	close(lfd);
	return ret;
}
