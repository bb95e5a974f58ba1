/* The run loop: harts take turns on this thread in slices; between slices
 * the timer lines are updated, the timeout is checked, and the console,
 * the control socket and the network backends are polled: without
 * waiting, at most every millisecond, while a hart runs; when every hart
 * waits in WFI, sleeping in that poll until the next timer deadline (the
 * harts' or a backend's), console input, a request or a packet. While
 * paused, the loop only sleeps in a poll of the console and the control
 * socket. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "vm/machine.h"
#include "vm/migrate.h"

#define SLICE 20000
#define MAX_SLEEP_NS 10000000ull
/* A paused machine has no timers: it sleeps until a request, a key or its
 * --timeout, waking this often at most. */
#define PAUSED_SLEEP_NS 1000000000ull
/* While a hart runs, the console and the network backends are polled at
 * most this often: soon enough that packets and keys arrive on time, and
 * rarely enough that a flood of packets (slirp reads one datagram per
 * socket per poll) cannot interrupt the guest after every slice and take
 * all its time. */
#define BUSY_POLL_INTERVAL_NS 1000000ull
/* The console, the control socket and its clients, and every socket of
 * every backend. */
#define MAX_POLL_FDS 1024

bool machine_hart_started(const struct machine *m, unsigned i)
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

/* Whether every started hart waits in WFI with nothing to end the wait.
 * Asked once all have had their slice: a hart's WFI flag clears only when
 * it runs again, so one that a later hart sent an IPI to (or that a device
 * interrupted) still looks asleep, and the loop would sleep up to
 * MAX_SLEEP_NS before running it. WFI ends on any pending interrupt that
 * mie enables, whatever the global enables (privileged spec 3.3.3). */
static bool all_harts_waiting(const struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++) {
		const struct hart *h = m->harts[i];
		if (machine_hart_started(m, i) && (!h->s.wfi || (hart_mip(h) & h->s.mie)))
			return false;
	}
	return true;
}

/* One poll over the console, the control socket and (with_net) the
 * network backends, waiting up to timeout_ns (0: not at all), then serving
 * what is ready. */
static void poll_events(struct machine *m, uint64_t timeout_ns, bool with_net)
{
	struct pollfd fds[MAX_POLL_FDS];
	unsigned first[VIRTIO_SLOTS], count[VIRTIO_SLOTS];
	bool console = console_poll_fd(&m->console, &fds[0]);
	unsigned n = console;
	unsigned nnics = with_net ? m->nnics_open : 0;
	unsigned control_first = n, control_count = 0;

	if (m->cfg.control) {
		control_count = control_poll_fill(m->cfg.control, fds + n, MAX_POLL_FDS - n);
		n += control_count;
	}
	for (unsigned i = 0; i < nnics; i++) {
		struct net_backend *nb = m->nics[i].backend;
		first[i] = n;
		count[i] = nb->ops->poll_fill(nb, fds + n, MAX_POLL_FDS - n, &timeout_ns);
		n += count[i];
	}
	struct timespec ts = { (time_t)(timeout_ns / 1000000000ull), (long)(timeout_ns % 1000000000ull) };
	int ready = ppoll(fds, n, &ts, NULL);
	if (console && ready > 0 && fds[0].revents)
		console_read_ready(&m->console);
	for (unsigned i = 0; i < nnics; i++) {
		struct net_backend *nb = m->nics[i].backend;
		nb->ops->poll_done(nb, fds + first[i], count[i], ready < 0 && errno != EINTR);
	}
	/* Requests last: after a pause (or a snapshot) nothing more reaches
	 * guest RAM in this round. */
	if (m->cfg.control && ready > 0)
		control_poll_done(m->cfg.control, m, fds + control_first, control_count);
}

void machine_pause(struct machine *m)
{
	if (m->paused)
		return;
	m->paused = true;
	m->paused_time = timebase_now(&m->time);
	if (m->cfg.control)
		control_event(m->cfg.control, "STOP", NULL);
}

uint64_t machine_guest_time(const struct machine *m)
{
	return m->paused ? m->paused_time : timebase_now(&m->time);
}

void machine_resume(struct machine *m)
{
	if (!m->paused)
		return;
	/* Guest time goes on from where it stopped, as QEMU's virtual clock:
	 * the guest sees no jump, and its timers fire as many guest ticks
	 * after the pause as they were due before it. */
	timebase_set(&m->time, m->paused_time);
	m->paused = false;
	if (m->cfg.control)
		control_event(m->cfg.control, "RESUME", NULL);
}

/* Why the machine stopped, for the control socket's event. */
static const char *exit_reason(const struct machine *m)
{
	switch (m->exit.kind) {
	case EXIT_RESET: return "reset";
	case EXIT_TIMEOUT: return "timeout";
	case EXIT_QUIT: return "quit";
	case EXIT_MIGRATED: return "migrated";
	default: return m->console.quit ? "console-quit" : "poweroff";
	}
}

/* Ctrl-A x and the timeout end the run whether or not the guest runs.
 * Returns whether the run ends. */
static bool host_stop_requested(struct machine *m, uint64_t now, uint64_t deadline)
{
	if (m->console.quit)
		exit_request_raise(&m->exit, EXIT_POWEROFF, 0);
	else if (deadline && now >= deadline)
		exit_request_raise(&m->exit, EXIT_TIMEOUT, 0);
	return atomic_load(&m->exit.pending);
}

/* The run's deadline on the host's clock, 0 for none. A timeout the
 * nanosecond clock cannot reach is no limit: converting it would be
 * undefined (C11 6.3.1.4). */
static uint64_t run_deadline(double timeout_s)
{
	if (!(timeout_s > 0) || timeout_s > MACHINE_MAX_TIMEOUT_S)
		return 0;
	return host_monotonic_ns() + (uint64_t)(timeout_s * 1e9);
}

void machine_run(struct machine *m)
{
	uint64_t deadline = run_deadline(m->cfg.timeout);
	uint64_t last_poll = 0;

	while (!atomic_load(&m->exit.pending)) {

		if (m->paused) {
			/* Network backends are not polled: a frame they deliver
			 * would be written into guest RAM. A migration goes on
			 * without waiting. */
			uint64_t now = host_monotonic_ns();
			uint64_t sleep = migrate_active(m) ? 0 : PAUSED_SLEEP_NS;
			if (migrate_active(m))
				migrate_step(m);
			if (!host_stop_requested(m, now, deadline))
				poll_events(m, deadline && deadline - now < sleep ? deadline - now : sleep,
					    false);
			continue;
		}
		clint_update(&m->clint);
		for (unsigned i = 0; i < m->nharts; i++) {
			if (!machine_hart_started(m, i))
				continue;
			m->retired[i] += hart_run(m->harts[i], SLICE);
			/* Other harts run next and may store to the reserved
			 * address; dropping the reservation makes a pending SC
			 * fail, which is always allowed (unprivileged spec 8.2). */
			if (m->nharts > 1)
				m->harts[i]->s.reservation = RESERVATION_NONE;
		}
		machine_devices_poll(m);
		if (migrate_active(m))
			migrate_step(m);
		uint64_t now = host_monotonic_ns();
		if (host_stop_requested(m, now, deadline))
			break;
		bool all_waiting = all_harts_waiting(m);
		if (all_waiting || now - last_poll >= BUSY_POLL_INTERVAL_NS) {
			poll_events(m, all_waiting ? time_to_next_timer(m) : 0, true);
			last_poll = now;
		}
	}
	if (m->cfg.control) {
		const char *reason = exit_reason(m);
		control_event(m->cfg.control, m->exit.kind == EXIT_RESET ? "RESET" : "SHUTDOWN",
			      json_pack("{s:s}", "reason", reason));
	}
}
