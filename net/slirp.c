/* User-mode NAT through libslirp (the library QEMU's user networking uses):
 * DHCP, DNS, TCP and UDP to the host and beyond, host ports forwarded to the
 * guest, all without privileges. Everything runs on the caller's thread:
 * the run loop polls slirp's sockets with the rest between run slices and
 * drives its timers from the same loop. */
#include "net/net.h"

#include <errno.h>
#include <slirp/libslirp.h>
#include <stdlib.h>
#include <string.h>

#include "util/timebase.h"

#define NS_PER_MS 1000000ull

struct slirp_timer {
	struct slirp_timer *next;
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms;              /* -1: not armed */
};

struct slirp_backend {
	struct net_backend nb;
	Slirp *slirp;
	struct slirp_timer *timers;
};

/* The poll array being filled or read back. */
struct poll_set {
	struct pollfd *fds;
	unsigned n, max;
};

static struct slirp_backend *to_slirp(struct net_backend *nb)
{
	return (struct slirp_backend *)nb;
}

static ssize_t deliver_to_guest(const void *buf, size_t len, void *opaque)
{
	struct slirp_backend *s = opaque;
	s->nb.receive(s->nb.opaque, buf, len);
	return (ssize_t)len;
}

/* A misbehaving guest is its own problem: slirp drops what it cannot use. */
static void ignore_guest_error(const char *msg, void *opaque)
{
}

static int64_t clock_ns(void *opaque)
{
	return (int64_t)host_monotonic_ns();
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct slirp_backend *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct slirp_timer){ .next = s->timers, .cb = cb, .cb_opaque = cb_opaque, .expire_ms = -1 };
	s->timers = t;
	return t;
}

static void timer_free(void *timer, void *opaque)
{
	struct slirp_backend *s = opaque;
	for (struct slirp_timer **p = &s->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = ((struct slirp_timer *)timer)->next;
			free(timer);
			return;
		}
	}
}

static void timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

/* Descriptors are collected afresh before every poll, so slirp's
 * registrations and wake-ups need nothing more. */
static void poll_fd_change(int fd, void *opaque)
{
}

static void notify(void *opaque)
{
}

static const SlirpCb callbacks = {
	.send_packet = deliver_to_guest,
	.guest_error = ignore_guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = poll_fd_change,
	.unregister_poll_fd = poll_fd_change,
	.notify = notify,
};

static void slirp_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	slirp_input(to_slirp(nb)->slirp, frame, (int)len);
}

static int add_poll(int fd, int events, void *opaque)
{
	struct poll_set *set = opaque;
	if (set->n == set->max)
		return -1;
	short ev = 0;
	ev |= (events & SLIRP_POLL_IN) ? POLLIN : 0;
	ev |= (events & SLIRP_POLL_OUT) ? POLLOUT : 0;
	ev |= (events & SLIRP_POLL_PRI) ? POLLPRI : 0;
	set->fds[set->n] = (struct pollfd){ .fd = fd, .events = ev };
	return (int)set->n++;
}

static int get_revents(int idx, void *opaque)
{
	const struct poll_set *set = opaque;
	if (idx < 0 || (unsigned)idx >= set->n)
		return 0;
	short re = set->fds[idx].revents;
	return ((re & POLLIN) ? SLIRP_POLL_IN : 0) | ((re & POLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((re & POLLPRI) ? SLIRP_POLL_PRI : 0) | ((re & POLLERR) ? SLIRP_POLL_ERR : 0) |
	       ((re & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

static unsigned slirp_poll_fill(struct net_backend *nb, struct pollfd *fds, unsigned max,
				uint64_t *timeout_ns)
{
	struct slirp_backend *s = to_slirp(nb);
	struct poll_set set = { .fds = fds, .max = max };
	uint64_t ms = (*timeout_ns + NS_PER_MS - 1) / NS_PER_MS;
	uint32_t timeout_ms = ms < UINT32_MAX ? (uint32_t)ms : UINT32_MAX;

	slirp_pollfds_fill(s->slirp, &timeout_ms, add_poll, &set);
	int64_t now_ms = (int64_t)(host_monotonic_ns() / NS_PER_MS);
	for (const struct slirp_timer *t = s->timers; t; t = t->next) {
		if (t->expire_ms >= 0 && t->expire_ms - now_ms < (int64_t)timeout_ms)
			timeout_ms = t->expire_ms > now_ms ? (uint32_t)(t->expire_ms - now_ms) : 0;
	}
	if ((uint64_t)timeout_ms * NS_PER_MS < *timeout_ns)
		*timeout_ns = (uint64_t)timeout_ms * NS_PER_MS;
	return set.n;
}

static void slirp_poll_done(struct net_backend *nb, const struct pollfd *fds, unsigned n, int error)
{
	struct slirp_backend *s = to_slirp(nb);
	struct poll_set set = { .fds = (struct pollfd *)fds, .n = n, .max = n };

	slirp_pollfds_poll(s->slirp, error, get_revents, &set);
	/* A timer's callback may re-arm or free timers: start over after each. */
	int64_t now_ms = (int64_t)(host_monotonic_ns() / NS_PER_MS);
	bool fired = true;
	while (fired) {
		fired = false;
		for (struct slirp_timer *t = s->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now_ms) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				fired = true;
				break;
			}
		}
	}
}

static void slirp_close(struct net_backend *nb)
{
	struct slirp_backend *s = to_slirp(nb);
	if (s->slirp)
		slirp_cleanup(s->slirp);
	while (s->timers)
		timer_free(s->timers, s);
	free(s);
}

static const struct net_backend_ops slirp_ops = {
	.send = slirp_send,
	.poll_fill = slirp_poll_fill,
	.poll_done = slirp_poll_done,
	.close = slirp_close,
};

static struct in_addr ipv4(const char *dotted)
{
	struct in_addr a;
	inet_pton(AF_INET, dotted, &a);
	return a;
}

static int add_forwards(struct slirp_backend *s, const struct net_config *cfg, struct error *err)
{
	for (unsigned i = 0; i < cfg->nfwd; i++) {
		const struct net_hostfwd *f = &cfg->fwd[i];
		struct in_addr host = { f->host_addr }, guest = { f->guest_addr };
		/* slirp takes guest address 0 as its first DHCP address. */
		if (slirp_add_hostfwd(s->slirp, f->udp, host, f->host_port, guest, f->guest_port) < 0) {
			char addr[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &host, addr, sizeof(addr));
			return error_set(err, EADDRINUSE, "--net: hostfwd: cannot listen on %s %s:%u "
					 "(in use, or not an address of this host)",
					 f->udp ? "udp" : "tcp", addr, f->host_port);
		}
	}
	return 0;
}

int net_slirp_open(const struct net_config *cfg, net_receive_fn receive, void *opaque,
		   struct net_backend **out, struct error *err)
{
	struct slirp_backend *s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(err, ENOMEM, "out of memory");
	s->nb = (struct net_backend){ .ops = &slirp_ops, .receive = receive, .opaque = opaque };

	SlirpConfig sc = {
		.version = 1,
		.in_enabled = true,
		.vnetwork = ipv4("10.0.2.0"),
		.vnetmask = ipv4("255.255.255.0"),
		.vhost = ipv4("10.0.2.2"),
		.vdhcp_start = ipv4("10.0.2.15"),
		.vnameserver = ipv4("10.0.2.3"),
		/* The guest reaches the host's 127.0.0.1 as 10.0.2.2 only when
		 * asked (as slirp4netns and podman do): services listening there
		 * are meant for this host's users, not for a guest. */
		.disable_host_loopback = !cfg->host_loopback,
	};
	s->slirp = slirp_new(&sc, &callbacks, s);
	if (!s->slirp) {
		slirp_close(&s->nb);
		return error_set(err, ENOMEM, "--net user: cannot start libslirp");
	}
	int ret = add_forwards(s, cfg, err);
	if (ret < 0) {
		slirp_close(&s->nb);
		return ret;
	}
	*out = &s->nb;
	return 0;
}
