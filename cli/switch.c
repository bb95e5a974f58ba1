/* doppel switch PATH: a virtual Ethernet switch joining VMs on this host.
 * VMs started with --net switch:PATH connect to the Unix socket at PATH
 * (SOCK_SEQPACKET: one message is one frame); the switch learns which port
 * each MAC address is behind (net/switch_core.c) and forwards accordingly.
 * A VM that goes away only closes its port. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/commands.h"
#include "net/switch_core.h"
#include "util/error.h"
#include "util/unix_listen.h"

/* Poll slots before the ports: the listening socket and the signalfd. */
enum { SLOT_LISTEN, SLOT_SIGNAL, FIXED_SLOTS };

struct switch_process {
	struct switch_core core;
	int listen_fd, signal_fd;
	int port_fd[SWITCH_MAX_PORTS];          /* -1: port closed */
	uint64_t forwarded, dropped_busy;
	uint8_t frame[SWITCH_MAX_FRAME + 1];    /* +1: to see a frame too long */
};

static void switch_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel switch PATH\n\n"
		"Runs a virtual Ethernet switch listening on the Unix socket PATH (created\n"
		"with mode 0600, removed on exit). VMs started with --net switch:PATH join\n"
		"it and share a LAN; the switch learns their MAC addresses, sends unicast\n"
		"frames to the port the address was seen on and floods the others. At most\n"
		"%d ports. Runs until SIGINT or SIGTERM, then prints its counters.\n\n"
		"  -h, --help   show this help\n", SWITCH_MAX_PORTS);
}

/* SIGINT and SIGTERM arrive through a descriptor, so the poll loop ends
 * cleanly and removes the socket. */
static int catch_signals(struct switch_process *sp, struct error *err)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return error_set(err, errno, "sigprocmask: %s", strerror(errno));
	sp->signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sp->signal_fd < 0)
		return error_set(err, errno, "signalfd: %s", strerror(errno));
	return 0;
}

static void close_port(struct switch_process *sp, unsigned port)
{
	close(sp->port_fd[port]);
	sp->port_fd[port] = -1;
	switch_core_remove_port(&sp->core, port);
}

static void accept_port(struct switch_process *sp)
{
	int fd = accept4(sp->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	int sndbuf = SWITCH_SOCKET_BUFFER;
	if (fd < 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0) {
		close(fd);
		return;
	}
	int port = switch_core_add_port(&sp->core);
	if (port < 0) {
		close(fd);
		return;
	}
	sp->port_fd[port] = fd;
}

/* A port that cannot take a frame now loses it (a full queue, as on a real
 * switch); a port whose VM has gone is closed. */
static void send_to_port(struct switch_process *sp, unsigned port, size_t len)
{
	if (send(sp->port_fd[port], sp->frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		sp->forwarded++;
	else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		sp->dropped_busy++;
	else
		close_port(sp, port);
}

static void serve_port(struct switch_process *sp, unsigned in)
{
	bool out[SWITCH_MAX_PORTS];
	/* MSG_TRUNC: the frame's real length, so an oversized one is seen as such. */
	ssize_t len = recv(sp->port_fd[in], sp->frame, sizeof(sp->frame), MSG_DONTWAIT | MSG_TRUNC);
	if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (len <= 0) {
		close_port(sp, in);
		return;
	}
	if (!switch_core_forward(&sp->core, in, sp->frame, (size_t)len, out))
		return;
	for (unsigned p = 0; p < SWITCH_MAX_PORTS; p++)
		if (out[p] && sp->port_fd[p] >= 0)
			send_to_port(sp, p, (size_t)len);
}

static int serve(struct switch_process *sp, struct error *err)
{
	struct pollfd fds[FIXED_SLOTS + SWITCH_MAX_PORTS];
	unsigned port_of[SWITCH_MAX_PORTS];

	for (;;) {
		unsigned n = FIXED_SLOTS;
		fds[SLOT_LISTEN] = (struct pollfd){ .fd = sp->listen_fd, .events = POLLIN };
		fds[SLOT_SIGNAL] = (struct pollfd){ .fd = sp->signal_fd, .events = POLLIN };
		for (unsigned p = 0; p < SWITCH_MAX_PORTS; p++) {
			if (sp->port_fd[p] >= 0) {
				port_of[n - FIXED_SLOTS] = p;
				fds[n++] = (struct pollfd){ .fd = sp->port_fd[p], .events = POLLIN };
			}
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return error_set(err, errno, "poll: %s", strerror(errno));
		}
		if (fds[SLOT_SIGNAL].revents)
			return 0;
		for (unsigned i = FIXED_SLOTS; i < n; i++) {
			unsigned p = port_of[i - FIXED_SLOTS];
			/* An earlier frame's send may have closed this port. */
			if (fds[i].revents && sp->port_fd[p] == fds[i].fd)
				serve_port(sp, p);
		}
		if (fds[SLOT_LISTEN].revents & POLLIN)
			accept_port(sp);
	}
}

int cmd_switch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct error err = { 0 };
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			switch_usage(stdout);
			return 0;
		}
		switch_usage(stderr);
		return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "doppel switch: expected one socket PATH (try 'doppel switch --help')\n");
		return 2;
	}
	const char *path = argv[optind];
	struct switch_process *sp = calloc(1, sizeof(*sp));
	if (!sp) {
		fprintf(stderr, "doppel switch: out of memory\n");
		return 1;
	}
	switch_core_init(&sp->core);
	sp->listen_fd = sp->signal_fd = -1;
	for (unsigned p = 0; p < SWITCH_MAX_PORTS; p++)
		sp->port_fd[p] = -1;

	ret = catch_signals(sp, &err);
	if (ret < 0)
		goto out;
	ret = unix_listen(path, SOCK_SEQPACKET, SWITCH_MAX_PORTS, &err);
	if (ret < 0)
		goto out;
	sp->listen_fd = ret;
	fprintf(stderr, "doppel switch: listening on %s\n", path);
	ret = serve(sp, &err);
	unlink(path);
	fprintf(stderr, "doppel switch: %llu frames forwarded, %llu dropped (bad length), "
		"%llu dropped (port busy)\n", (unsigned long long)sp->forwarded,
		(unsigned long long)sp->core.dropped_bad_length, (unsigned long long)sp->dropped_busy);
out:
	for (unsigned p = 0; p < SWITCH_MAX_PORTS; p++)
		if (sp->port_fd[p] >= 0)
			close(sp->port_fd[p]);
	if (sp->listen_fd >= 0)
		close(sp->listen_fd);
	if (sp->signal_fd >= 0)
		close(sp->signal_fd);
	free(sp);
	if (ret < 0) {
		fprintf(stderr, "doppel switch: %s\n", err.msg);
		return 1;
	}
	return 0;
}
