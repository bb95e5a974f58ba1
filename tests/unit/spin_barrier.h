/* A barrier that lets test threads go on at the same moment: a pthread
 * barrier wakes its waiters microseconds apart, too far for two harts'
 * updates (page walks, code-map writes) to meet. Spins, then yields, since
 * the machine may have fewer free cores than threads. */
#ifndef DOPPEL_TESTS_UNIT_SPIN_BARRIER_H
#define DOPPEL_TESTS_UNIT_SPIN_BARRIER_H

#include <sched.h>
#include <stdatomic.h>

#define SPIN_BARRIER_SPINS 4096u

struct spin_barrier {
	_Atomic unsigned arrived, phase;
};

static inline void spin_wait(struct spin_barrier *b, unsigned threads)
{
	unsigned phase = atomic_load(&b->phase);
	if (atomic_fetch_add(&b->arrived, 1) + 1 == threads) {
		atomic_store(&b->arrived, 0);
		atomic_fetch_add(&b->phase, 1);
		return;
	}
	for (unsigned spins = 0; atomic_load(&b->phase) == phase; spins++)
		if (spins >= SPIN_BARRIER_SPINS)
			sched_yield();
}

#endif
