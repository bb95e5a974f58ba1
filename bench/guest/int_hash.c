/* int.hash: a 64-bit multiply-xorshift hash over a 64 KiB buffer (it stays
 * in cache, so this measures integer arithmetic), many times over. */
#include <stdlib.h>

#include "suite.h"

#define BUFFER_WORDS (64 * 1024 / 8)
#define PASSES 20000

static uint64_t hash_words(const uint64_t *words, size_t count, uint64_t seed)
{
	uint64_t h = seed;

	for (size_t i = 0; i < count; i++) {
		h ^= words[i];
		h *= 0xFF51AFD7ED558CCDULL;
		h ^= h >> 33;
		h = (h << 13) | (h >> 51);
	}
	return h;
}

static uint64_t run(void)
{
	uint64_t *words = must_alloc(BUFFER_WORDS * sizeof(*words));
	uint64_t state = 0x1234567887654321ULL;
	uint64_t h = 0;

	for (size_t i = 0; i < BUFFER_WORDS; i++)
		words[i] = next_random(&state);
	for (int pass = 0; pass < PASSES; pass++)
		h = hash_words(words, BUFFER_WORDS, h + (uint64_t)pass);
	free(words);
	return h;
}

const struct kernel kernel_int_hash = { "int.hash", run };
