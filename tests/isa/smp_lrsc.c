/* LR/SC between harts (unprivileged spec, A extension, "Load-Reserved/
 * Store-Conditional Instructions"): an SC must fail when another hart's
 * store to the reservation set can be seen between the LR and the SC, and
 * then it does not store. Harts work in pairs (2k, 2k+1; an odd one out only
 * joins the barriers): in every round the even hart takes a reservation,
 * the odd one stores a new value there, and the even hart's SC must fail
 * and leave that value. The other hart's value always differs from the one
 * the LR loaded: an SC done as a compare-and-swap against the loaded value
 * (which the issue allows, documented) passes this, but not a store of the
 * same value. */
#include "smp_lib.h"

#define LRSC_ROUNDS 200u

enum {
	FAIL_SC_SUCCEEDED = 1,   /* SC stored after another hart's store */
	FAIL_SC_STORED = 2,      /* the failed SC changed memory anyway */
	FAIL_WAIT = 3,
};

#define MAX_PAIRS (ISA_MAX_HARTS / 2)

static struct {
	volatile uint64_t cell SMP_ALIGNED;       /* the reservation set */
	volatile uint64_t reserved SMP_ALIGNED;   /* round whose LR is done */
	volatile uint64_t stored SMP_ALIGNED;     /* round whose store is done */
} pairs[MAX_PAIRS];

/* The odd hart's value in round r: never the even hart's, which adds 1. */
#define OTHER_VALUE(r) (0x1000000ull * ((r) + 1))

static void wait_for(volatile uint64_t *p, uint64_t v)
{
	uint64_t tries = 0;
	while (*p != v)
		smp_spin(&tries, FAIL_WAIT);
}

static void reserve_then_fail(unsigned pair, uint64_t r)
{
	uint64_t old, fail;
	volatile uint64_t *cell = &pairs[pair].cell;
	__asm__ volatile("lr.d %0, (%1)" : "=r"(old) : "r"(cell) : "memory");
	pairs[pair].reserved = r;
	wait_for(&pairs[pair].stored, r);
	__asm__ volatile("sc.d %0, %2, (%1)"
			 : "=&r"(fail) : "r"(cell), "r"(old + 1) : "memory");
	SMP_CHECK(fail != 0, FAIL_SC_SUCCEEDED);
	SMP_CHECK(*cell == OTHER_VALUE(r), FAIL_SC_STORED);
}

static void store_between(unsigned pair, uint64_t r)
{
	wait_for(&pairs[pair].reserved, r);
	pairs[pair].cell = OTHER_VALUE(r);
	__asm__ volatile("fence w, w" ::: "memory");
	pairs[pair].stored = r;
}

int main(uint64_t hartid, const void *fdt)
{
	smp_start(hartid, fdt);
	unsigned me = (unsigned)hartid, pair = me / 2;
	unsigned npairs = smp_nharts() / 2;

	for (uint64_t r = 1; r <= LRSC_ROUNDS; r++) {
		smp_barrier();
		if (pair >= npairs)
			continue;
		if (me & 1)
			store_between(pair, r);
		else
			reserve_then_fail(pair, r);
	}
	return smp_finish();
}
