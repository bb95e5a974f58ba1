/* IPI ping-pong between every ordered pair of harts through the CLINT's MSIP
 * registers (privileged spec 3.1.9, machine software interrupts): each hart
 * pings every other in turn and waits in WFI for the pong; the pinged hart's
 * interrupt handler answers. A message is a count in a mailbox that only its
 * sender writes: stored before the MSIP write (FENCE W,O), read after the
 * receiver has cleared its own MSIP (FENCE O,R), so no message is lost
 * however the interrupts of several senders merge. */
#include "smp_lib.h"

/* Pings from each hart to each other hart. While harts take turns on one
 * host thread a ping-pong costs milliseconds (the loop may sleep although
 * the interrupt is already pending), so this is small. */
#define IPI_ROUNDS 10u

enum {
	FAIL_CAUSE = 1,       /* a trap other than the software interrupt */
	FAIL_PING_SKIP = 2,   /* a ping count jumped */
	FAIL_PONG_WAIT = 3,
	FAIL_PONG_WRONG = 4,  /* a pong answering a ping not sent */
	FAIL_PINGS = 5,       /* not every ping arrived */
};

/* mail[from][to]: written only by hart from, one line per sender. */
static struct {
	volatile uint64_t to[ISA_MAX_HARTS];
} SMP_ALIGNED ping[ISA_MAX_HARTS], pong[ISA_MAX_HARTS];

/* What hart me has taken from each sender (only me touches its row). */
static struct {
	uint64_t ping_from[ISA_MAX_HARTS];
	uint64_t pong_from[ISA_MAX_HARTS];
} SMP_ALIGNED seen[ISA_MAX_HARTS];

static void send(unsigned to)
{
	__asm__ volatile("fence w, o" ::: "memory");
	smp_msip(to, 1);
}

void mtrap_handler(struct trap_frame *f)
{
	unsigned me = smp_hartid();
	SMP_CHECK(f->cause == SMP_CAUSE_MSI, FAIL_CAUSE);
	smp_msip(me, 0);
	__asm__ volatile("fence o, r" ::: "memory");
	for (unsigned s = 0; s < smp_nharts(); s++) {
		if (s == me)
			continue;
		uint64_t p = ping[s].to[me];
		if (p != seen[me].ping_from[s]) {
			SMP_CHECK(p == seen[me].ping_from[s] + 1, FAIL_PING_SKIP);
			seen[me].ping_from[s] = p;
			pong[me].to[s] = p;
			send(s);
		}
		seen[me].pong_from[s] = pong[s].to[me];
	}
}

/* Waits in WFI (smp_wfi_step) for the pong. */
static void wait_pong(unsigned me, unsigned from, uint64_t count)
{
	uint64_t tries = 0;
	while (seen[me].pong_from[from] != count) {
		SMP_CHECK(seen[me].pong_from[from] < count, FAIL_PONG_WRONG);
		smp_wfi_step();
		smp_spin(&tries, FAIL_PONG_WAIT);
	}
}

int main(uint64_t hartid, const void *fdt)
{
	smp_start(hartid, fdt);
	unsigned me = (unsigned)hartid, n = smp_nharts();

	csr_write(mie, 1ull << SMP_IRQ_MSI);
	for (uint64_t r = 1; r <= IPI_ROUNDS; r++) {
		/* Each hart starts with its next neighbour, so the pings
		 * spread over all harts at once. */
		for (unsigned j = 1; j < n; j++) {
			unsigned to = (me + j) % n;
			ping[me].to[to] = r;
			send(to);
			wait_pong(me, to, r);
		}
	}
	/* Others may still ping this hart: answer while waiting for them. */
	csr_set(mstatus, MSTATUS_MIE);
	smp_barrier();
	csr_clear(mstatus, MSTATUS_MIE);

	for (unsigned s = 0; s < n; s++)
		if (s != me)
			SMP_CHECK(seen[me].ping_from[s] == IPI_ROUNDS, FAIL_PINGS);
	return smp_finish();
}
