/* A NIC's port on the virtual switch (`doppel switch PATH`, cli/switch.c):
 * a SOCK_SEQPACKET connection to the switch's Unix socket, where one message
 * is one Ethernet frame, so frames need no framing. Sends never block the
 * harts: a frame the socket cannot take now is dropped, as on a busy wire.
 * Frames for a guest with no free receive buffer wait in the socket. */
#include "net/net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/switch_core.h"

/* Frames taken from the socket per poll, so a flood cannot stall the harts. */
#define RECV_BATCH 64

struct switch_backend {
	struct net_backend nb;
	net_can_receive_fn can_receive;
	int fd;                                 /* -1 once the switch has gone */
	uint8_t frame[SWITCH_MAX_FRAME];
};

static struct switch_backend *to_switch(struct net_backend *nb)
{
	return (struct switch_backend *)nb;
}

/* The switch went away: the card stays, with no link, like an unplugged cable. */
static void disconnect(struct switch_backend *s)
{
	close(s->fd);
	s->fd = -1;
}

static void switch_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	struct switch_backend *s = to_switch(nb);
	if (s->fd < 0)
		return;
	if (send(s->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
	    errno != EWOULDBLOCK && errno != ENOBUFS && errno != EMSGSIZE)
		disconnect(s);
}

static unsigned switch_poll_fill(struct net_backend *nb, struct pollfd *fds, unsigned max,
				 uint64_t *timeout_ns)
{
	struct switch_backend *s = to_switch(nb);
	/* A frame the guest has no buffer for stays in the socket: dropped
	 * now, it would cost a TCP stream a retransmission; waiting there, it
	 * is taken once the guest gives buffers back. */
	if (s->fd < 0 || max == 0 || !s->can_receive(s->nb.opaque))
		return 0;
	fds[0] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	return 1;
}

static void switch_poll_done(struct net_backend *nb, const struct pollfd *fds, unsigned n, int error)
{
	struct switch_backend *s = to_switch(nb);
	if (s->fd < 0 || n == 0 || !(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	for (unsigned i = 0; i < RECV_BATCH && s->can_receive(s->nb.opaque); i++) {
		/* MSG_TRUNC: the message's real length, to drop an oversized one. */
		ssize_t got = recv(s->fd, s->frame, sizeof(s->frame), MSG_DONTWAIT | MSG_TRUNC);
		if (got < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				disconnect(s);
			return;
		}
		if (got == 0) {
			disconnect(s);
			return;
		}
		if ((size_t)got <= sizeof(s->frame))
			s->nb.receive(s->nb.opaque, s->frame, (size_t)got);
	}
}

static void switch_close(struct net_backend *nb)
{
	struct switch_backend *s = to_switch(nb);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

static const struct net_backend_ops switch_ops = {
	.send = switch_send,
	.poll_fill = switch_poll_fill,
	.poll_done = switch_poll_done,
	.close = switch_close,
};

int net_switch_open(const struct net_config *cfg, net_receive_fn receive,
		    net_can_receive_fn can_receive, void *opaque, struct net_backend **out,
		    struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int ret = 0;
	struct switch_backend *s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(err, ENOMEM, "out of memory");
	s->nb = (struct net_backend){ .ops = &switch_ops, .receive = receive, .opaque = opaque };
	s->can_receive = can_receive;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		ret = error_set(err, errno, "--net switch: socket: %s", strerror(errno));
		goto out;
	}
	int sndbuf = SWITCH_SOCKET_BUFFER;
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0) {
		ret = error_set(err, errno, "--net switch: SO_SNDBUF: %s", strerror(errno));
		goto out;
	}
	strcpy(addr.sun_path, cfg->switch_path);
	if (connect(s->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = error_set(err, errno, "--net switch:%s: no switch listens there (%s); "
				"start one with 'doppel switch %s'", cfg->switch_path, strerror(errno),
				cfg->switch_path);
		goto out;
	}
	*out = &s->nb;
out:
	if (ret < 0)
		switch_close(&s->nb);
	return ret;
}
