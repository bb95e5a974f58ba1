/* The run loop: harts take turns on this thread in slices; between slices
 * the timer lines are updated, console input is moved in, the timeout is
 * checked, and when every hart waits in WFI the thread sleeps until the next
 * timer deadline or console input. */
#include "vm/machine.h"

#define SLICE 20000
#define MAX_SLEEP_NS 10000000ull
#define BUSY_POLL_NS 1000000ull

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

void machine_run(struct machine *m)
{
	uint64_t last_poll = 0;
	uint64_t deadline = m->cfg.timeout > 0 ?
		host_monotonic_ns() + (uint64_t)(m->cfg.timeout * 1e9) : 0;

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
		if (m->console.quit)
			exit_request_raise(&m->exit, EXIT_POWEROFF, 0);
		else if (deadline && host_monotonic_ns() >= deadline)
			exit_request_raise(&m->exit, EXIT_TIMEOUT, 0);
		else if (all_waiting)
			console_poll(&m->console, time_to_next_timer(m));
		else if (host_monotonic_ns() - last_poll >= BUSY_POLL_NS) {
			/* A busy guest looks for input every millisecond, not
			 * every slice: a system call each time costs more. */
			console_poll(&m->console, 0);
			last_poll = host_monotonic_ns();
		}
	}
}
