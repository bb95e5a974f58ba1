/* mem.chase: follows a random cyclic permutation of 2M indexes (8 MiB, far
 * larger than caches and than any TLB's reach), so every load depends on the
 * one before and most miss: memory latency, and an emulator's address
 * translation on every access. */
#include <stdlib.h>

#include "suite.h"

#define SLOTS (2u * 1024 * 1024)
#define STEPS 2000000

static uint64_t run(void)
{
	uint32_t *next = must_alloc(SLOTS * sizeof(*next));
	uint64_t state = 0xC4A5EC4A5EULL;
	uint64_t sum = 0;
	uint32_t at = 0;

	for (uint32_t i = 0; i < SLOTS; i++)
		next[i] = i;
	/* Sattolo's algorithm: a random permutation that is one single cycle,
	 * so the chase never falls into a short loop. */
	for (uint32_t i = SLOTS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(next_random(&state) % i);
		uint32_t t = next[i];
		next[i] = next[j];
		next[j] = t;
	}
	for (uint32_t step = 0; step < STEPS; step++) {
		at = next[at];
		sum += at;
	}
	free(next);
	return mix(sum, at);
}

const struct kernel kernel_mem_chase = { "mem.chase", run };
