/* Spinlocks built from the A extension guard plain loads and stores: a
 * ticket lock (AMOADD.W takes a ticket; FENCE orders the critical section
 * after the acquiring load and before the releasing store) and a
 * test-and-set lock (LR.W.AQ/SC.W, released by AMOSWAP.W.RL). Under each,
 * all harts increment one counter with an ordinary load and store: the
 * total is exact, and no hart ever finds another inside the critical
 * section (unprivileged spec, A extension and RVWMO, "Code Porting and
 * Mapping Guidelines"). */
#include "smp_lib.h"

/* Critical sections per hart and lock. A ticket lock hands the lock to
 * each waiting hart in turn, so when harts take turns on one host thread
 * every hand-over costs a whole scheduling slice: these counts keep 8 harts
 * on the interpreter near a second, and are to be raised once harts run
 * on their own host threads. */
#define TICKET_ROUNDS 1000u
#define TAS_ROUNDS    100000u

enum {
	FAIL_TICKET_OVERLAP = 1,   /* two harts inside the ticket lock at once */
	FAIL_TICKET_SPIN = 2,
	FAIL_TICKET_TOTAL = 3,
	FAIL_TICKET_NEXT = 4,      /* tickets taken != tickets served */
	FAIL_TAS_OVERLAP = 5,
	FAIL_TAS_SPIN = 6,
	FAIL_TAS_TOTAL = 7,
	FAIL_TAS_HELD = 8,         /* the lock still taken at the end */
};

#define NO_OWNER 0xffffffffu

static struct {
	volatile uint32_t next SMP_ALIGNED;      /* the next ticket to take */
	volatile uint32_t serving SMP_ALIGNED;   /* the ticket holding the lock */
	volatile uint32_t owner SMP_ALIGNED;
	volatile uint64_t counter SMP_ALIGNED;
} ticket = { .owner = NO_OWNER };

static struct {
	volatile uint32_t word SMP_ALIGNED;      /* 1 while held */
	volatile uint32_t owner SMP_ALIGNED;
	volatile uint64_t counter SMP_ALIGNED;
} tas = { .owner = NO_OWNER };

static void ticket_lock(void)
{
	uint32_t mine;
	__asm__ volatile("amoadd.w %0, %2, (%1)"
			 : "=r"(mine) : "r"(&ticket.next), "r"(1) : "memory");
	uint64_t tries = 0;
	while (ticket.serving != mine)
		smp_spin(&tries, FAIL_TICKET_SPIN);
	/* Acquire: nothing in the critical section before the load that saw
	 * our ticket served. */
	__asm__ volatile("fence r, rw" ::: "memory");
}

static void ticket_unlock(void)
{
	uint32_t next = ticket.serving + 1;
	/* Release: the critical section before the store that passes the lock
	 * on; only the holder writes serving, so a plain store is enough. */
	__asm__ volatile("fence rw, w" ::: "memory");
	ticket.serving = next;
}

/* One try at the test-and-set lock: LR.W.AQ sees it free and SC.W takes it. */
static int tas_try_lock(void)
{
	uint32_t seen, fail;
	__asm__ volatile("lr.w.aq %0, (%2)\n\t"
			 "bnez %0, 1f\n\t"
			 "sc.w %1, %3, (%2)\n\t"
			 "j 2f\n"
			 "1:\tli %1, 1\n"
			 "2:"
			 : "=&r"(seen), "=&r"(fail) : "r"(&tas.word), "r"(1) : "memory");
	return fail == 0;
}

static void tas_lock(void)
{
	uint64_t tries = 0;
	while (!tas_try_lock())
		smp_spin(&tries, FAIL_TAS_SPIN);
}

static void tas_unlock(void)
{
	__asm__ volatile("amoswap.w.rl zero, zero, (%0)" :: "r"(&tas.word) : "memory");
}

/* The critical section: a plain read-modify-write, and a check that no
 * other hart is inside. */
static void critical(volatile uint32_t *owner, volatile uint64_t *counter, uint32_t me,
		     uint32_t overlap)
{
	SMP_CHECK(*owner == NO_OWNER, overlap);
	*owner = me;
	*counter = *counter + 1;
	SMP_CHECK(*owner == me, overlap);
	*owner = NO_OWNER;
}

int main(uint64_t hartid, const void *fdt)
{
	smp_start(hartid, fdt);
	uint32_t me = (uint32_t)hartid;
	uint64_t n = smp_nharts();

	for (unsigned i = 0; i < TICKET_ROUNDS; i++) {
		ticket_lock();
		critical(&ticket.owner, &ticket.counter, me, FAIL_TICKET_OVERLAP);
		ticket_unlock();
	}
	for (unsigned i = 0; i < TAS_ROUNDS; i++) {
		tas_lock();
		critical(&tas.owner, &tas.counter, me, FAIL_TAS_OVERLAP);
		tas_unlock();
	}
	smp_barrier();

	if (hartid == 0) {
		SMP_CHECK(ticket.counter == n * TICKET_ROUNDS, FAIL_TICKET_TOTAL);
		SMP_CHECK(ticket.next == n * TICKET_ROUNDS && ticket.serving == ticket.next,
			  FAIL_TICKET_NEXT);
		SMP_CHECK(tas.counter == n * TAS_ROUNDS, FAIL_TAS_TOTAL);
		SMP_CHECK(tas.word == 0, FAIL_TAS_HELD);
	}
	return smp_finish();
}
