/* The run loop: harts take turns on this thread in slices; between slices
 * the timer lines are updated, the timeout checked, and when every hart waits
 * in WFI the thread sleeps until the next timer deadline. */
#include <time.h>

#include "vm/machine.h"

#define SLICE 20000
#define MAX_SLEEP_NS 10000000ull

static void sleep_until_event(struct machine *m)
{
	uint64_t deadline = clint_next_deadline(&m->clint);
	for (unsigned i = 0; i < m->nharts; i++) {
		const struct hart *h = m->harts[i];
		if ((h->s.menvcfg & MENVCFG_STCE) && h->s.stimecmp < deadline)
			deadline = h->s.stimecmp;
	}
	uint64_t now = host_monotonic_ns();
	uint64_t wake = timebase_host_ns_at(&m->time, deadline);
	uint64_t ns = wake > now ? wake - now : 0;
	if (ns > MAX_SLEEP_NS || deadline == ~0ull)
		ns = MAX_SLEEP_NS;
	if (ns) {
		struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };
		nanosleep(&ts, NULL);
	}
}

void machine_run(struct machine *m)
{
	uint64_t deadline = m->cfg.timeout > 0 ?
		host_monotonic_ns() + (uint64_t)(m->cfg.timeout * 1e9) : 0;

	while (!atomic_load(&m->exit.pending)) {
		bool all_waiting = true;
		clint_update(&m->clint);
		for (unsigned i = 0; i < m->nharts; i++) {
			hart_run(m->harts[i], SLICE);
			if (!m->harts[i]->s.wfi)
				all_waiting = false;
		}
		if (deadline && host_monotonic_ns() >= deadline)
			exit_request_raise(&m->exit, EXIT_TIMEOUT, 0);
		else if (all_waiting)
			sleep_until_event(m);
	}
}
