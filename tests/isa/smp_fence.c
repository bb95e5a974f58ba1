/* FENCE between harts (unprivileged spec, RVWMO, and its litmus tests
 * "MP" and "SB"). Harts work in pairs (2k, 2k+1; an odd one out only joins
 * the barriers).
 *  - Message passing: the producer stores the data, FENCE W,W, then the flag;
 *    the consumer loads the flag, FENCE R,R, then the data: it never sees a
 *    round's flag without that round's data. Both directions of each pair.
 *  - Store buffering: each hart of a pair stores 1 to its own variable,
 *    FENCE RW,RW, then loads the other's: the two loads are never both 0.
 * Neither outcome can happen while harts take turns on one host thread; a
 * host that reorders a store after a later load (x86-64 does) shows the
 * second unless FENCE RW,RW becomes a host fence. */
#include "smp_lib.h"

/* Rounds of each test. Message passing streams without waiting; store
 * buffering has a barrier in every round, which costs a scheduling slice
 * per hart when harts take turns on one host thread (to be raised once
 * they run on their own threads). */
#define MP_ROUNDS 100000u
#define SB_ROUNDS 1000u
#define MP_WORDS  4   /* data words per message, each in its own line */

enum {
	FAIL_MP_STALE = 1,   /* a flag seen before its data */
	FAIL_MP_SPIN = 2,
	FAIL_MP_FLAG = 3,    /* the flag went backwards */
	FAIL_SB_BOTH_ZERO = 4,
};

#define MAX_PAIRS (ISA_MAX_HARTS / 2)

struct channel {
	struct { volatile uint64_t v; } SMP_ALIGNED data[MP_WORDS];
	volatile uint64_t flag SMP_ALIGNED;
};

/* One channel per pair and direction. */
static struct channel channels[2][MAX_PAIRS];

/* Store buffering: the variables of round r, and what each side loaded. */
static struct {
	volatile uint32_t x[SB_ROUNDS] SMP_ALIGNED;
	volatile uint32_t y[SB_ROUNDS] SMP_ALIGNED;
	volatile uint32_t seen_by_x[SB_ROUNDS] SMP_ALIGNED;   /* y as loaded by x's hart */
	volatile uint32_t seen_by_y[SB_ROUNDS] SMP_ALIGNED;
} sb[MAX_PAIRS];

static void produce(struct channel *c)
{
	for (uint64_t r = 1; r <= MP_ROUNDS; r++) {
		for (unsigned k = 0; k < MP_WORDS; k++)
			c->data[k].v = r;
		__asm__ volatile("fence w, w" ::: "memory");
		c->flag = r;
	}
}

static void consume(struct channel *c)
{
	uint64_t last = 0, tries = 0;
	while (last < MP_ROUNDS) {
		uint64_t f = c->flag;
		__asm__ volatile("fence r, r" ::: "memory");
		for (unsigned k = 0; k < MP_WORDS; k++)
			SMP_CHECK(c->data[k].v >= f, FAIL_MP_STALE);
		SMP_CHECK(f >= last, FAIL_MP_FLAG);
		last = f;
		smp_spin(&tries, FAIL_MP_SPIN);
	}
}

static void message_passing(unsigned me, unsigned pairs)
{
	unsigned pair = me / 2;
	for (unsigned dir = 0; dir < 2; dir++) {
		if (pair < pairs) {
			/* dir 0: the even hart produces; dir 1: the odd one. */
			if ((me & 1) == dir)
				produce(&channels[dir][pair]);
			else
				consume(&channels[dir][pair]);
		}
		smp_barrier();
	}
}

static void store_buffering(unsigned me, unsigned pairs)
{
	unsigned pair = me / 2;
	for (unsigned r = 0; r < SB_ROUNDS; r++) {
		smp_barrier();
		if (pair >= pairs)
			continue;
		if (me & 1) {
			sb[pair].y[r] = 1;
			__asm__ volatile("fence rw, rw" ::: "memory");
			sb[pair].seen_by_y[r] = sb[pair].x[r];
		} else {
			sb[pair].x[r] = 1;
			__asm__ volatile("fence rw, rw" ::: "memory");
			sb[pair].seen_by_x[r] = sb[pair].y[r];
		}
	}
	smp_barrier();
	if (pair < pairs && !(me & 1))
		for (unsigned r = 0; r < SB_ROUNDS; r++)
			SMP_CHECK(sb[pair].seen_by_x[r] | sb[pair].seen_by_y[r], FAIL_SB_BOTH_ZERO);
}

int main(uint64_t hartid, const void *fdt)
{
	smp_start(hartid, fdt);
	unsigned me = (unsigned)hartid;
	unsigned pairs = smp_nharts() / 2;

	message_passing(me, pairs);
	store_buffering(me, pairs);
	return smp_finish();
}
