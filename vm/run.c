/* The run loop: harts take turns on this thread in slices; between slices
 * the timer lines are updated, the timeout is checked, and the console and
 * the network backends are polled: without waiting, at most every
 * millisecond, while a hart runs; when every hart waits in WFI, sleeping in
 * that poll until the next timer deadline (the harts' or a backend's),
 * console input or a packet. */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "vm/machine.h"
#include "vm/migrate.h"

#define SLICE 20000
#define MAX_SLEEP_NS 10000000ull
/* While a hart runs, the console and the network backends are polled at
 * most this often: soon enough that packets and keys arrive on time, and
 * rarely enough that a flood of packets (slirp reads one datagram per
 * socket per poll) cannot interrupt the guest after every slice and take
 * all its time. */
#define BUSY_POLL_INTERVAL_NS 1000000ull
/* The console and every socket of every backend. */
#define MAX_POLL_FDS 1024

static bool hart_running(const struct machine *m, unsigned i)
{
	return !m->builtin_sbi || m->hsm[i] == HSM_STARTED;
}

/* Nanoseconds until the earliest timer of any hart, at most MAX_SLEEP_NS. */
static uint64_t time_to_next_timer(const struct machine *m)
{
	uint64_t deadline = clint_next_deadline(&m->clint);
	for (unsigned i = 0; i < m->nharts; i++) {
		const struct hart *h = m->harts[i];
		if ((h->s.menvcfg & MENVCFG_STCE) && h->s.stimecmp < deadline)
			deadline = h->s.stimecmp;
	}
	if (deadline == ~0ull)
		return MAX_SLEEP_NS;
	uint64_t now = host_monotonic_ns();
	uint64_t wake = timebase_host_ns_at(&m->time, deadline);
	uint64_t ns = wake > now ? wake - now : 0;
	return ns < MAX_SLEEP_NS ? ns : MAX_SLEEP_NS;
}

/* One poll over the console and the network backends, waiting up to
 * timeout_ns (0: not at all), then serving what is ready. */
static void poll_events(struct machine *m, uint64_t timeout_ns)
{
	struct pollfd fds[MAX_POLL_FDS];
	unsigned first[VIRTIO_SLOTS], count[VIRTIO_SLOTS];
	bool console = console_poll_fd(&m->console, &fds[0]);
	unsigned n = console;

	for (unsigned i = 0; i < m->nnics_open; i++) {
		struct net_backend *nb = m->nics[i].backend;
		first[i] = n;
		count[i] = nb->ops->poll_fill(nb, fds + n, MAX_POLL_FDS - n, &timeout_ns);
		n += count[i];
	}
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };
	int ready = ppoll(fds, n, &ts, NULL);
	if (console && ready > 0 && fds[0].revents)
		console_read_ready(&m->console);
	for (unsigned i = 0; i < m->nnics_open; i++) {
		struct net_backend *nb = m->nics[i].backend;
		nb->ops->poll_done(nb, fds + first[i], count[i], ready < 0 && errno != EINTR);
	}
}

void machine_run(struct machine *m)
{
	uint64_t deadline = m->cfg.timeout > 0 ?
		host_monotonic_ns() + (uint64_t)(m->cfg.timeout * 1e9) : 0;
	uint64_t last_poll = 0;

	while (!atomic_load(&m->exit.pending)) {
		bool all_waiting = true;

		clint_update(&m->clint);
		for (unsigned i = 0; i < m->nharts; i++) {
			if (!hart_running(m, i))
				continue;
			hart_run(m->harts[i], SLICE);
			/* Other harts run next and may store to the reserved
			 * address; dropping the reservation makes a pending SC
			 * fail, which is always allowed (unprivileged spec 8.2). */
			if (m->nharts > 1)
				m->harts[i]->s.reservation = RESERVATION_NONE;
			if (!m->harts[i]->s.wfi && hart_running(m, i))
				all_waiting = false;
		}
		machine_devices_poll(m);
		/* TEMPHOOK */ { static bool tmp_started; const char *tmp_uri = getenv("DOPPEL_TMP_MIGRATE"); if (tmp_uri && !tmp_started && access("/tmp/mig/go", F_OK) == 0) { struct error e; tmp_started = true; unlink("/tmp/mig/go"); if (migrate_start(m, tmp_uri, &e) < 0) fprintf(stderr, "migrate: %s\n", e.msg); } }
		if (migrate_active(m))
			migrate_step(m);
		uint64_t now = host_monotonic_ns();
		if (m->console.quit) {
			exit_request_raise(&m->exit, EXIT_POWEROFF, 0);
		} else if (deadline && now >= deadline) {
			exit_request_raise(&m->exit, EXIT_TIMEOUT, 0);
		} else if (all_waiting || now - last_poll >= BUSY_POLL_INTERVAL_NS) {
			poll_events(m, all_waiting ? time_to_next_timer(m) : 0);
			last_poll = now;
		}
	}
}
