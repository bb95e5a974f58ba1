/* mem.copy: memcpy of 8 MiB between two buffers, back and forth: memory
 * bandwidth, through the C library's own memcpy. */
#include <stdlib.h>
#include <string.h>

#include "suite.h"

#define BUFFER_BYTES (8u * 1024 * 1024)
#define COPIES 30

static uint64_t run(void)
{
	uint8_t *a = must_alloc(BUFFER_BYTES);
	uint8_t *b = must_alloc(BUFFER_BYTES);
	uint64_t state = 0xC0FFEEULL;
	uint64_t sum = 0;

	for (size_t i = 0; i < BUFFER_BYTES; i += 8) {
		uint64_t r = next_random(&state);
		memcpy(a + i, &r, sizeof(r));
	}
	for (int copy = 0; copy < COPIES; copy++) {
		uint8_t *from = copy % 2 ? b : a;
		uint8_t *to = copy % 2 ? a : b;

		/* Misaligned by a different amount each time, so that the copy is
		 * not always the aligned fast path; the first byte changes so that no
		 * copy can be skipped. */
		size_t shift = (size_t)copy % 8;
		from[shift] ^= (uint8_t)copy;
		memcpy(to, from + shift, BUFFER_BYTES - shift);
		sum = mix(sum, to[(size_t)copy * 4099 % BUFFER_BYTES]);
	}
	for (size_t i = 0; i < BUFFER_BYTES; i += 4096)
		sum = mix(sum, a[i] ^ b[i + 7]);
	free(a);
	free(b);
	return sum;
}

const struct kernel kernel_mem_copy = { "mem.copy", run };
