/* int.sort: quicksort (median of three, insertion sort for short ranges) of
 * random 32-bit keys; compares, swaps and unpredictable branches. */
#include <stdlib.h>

#include "suite.h"

#define KEYS 200000
#define ROUNDS 30
#define SHORT_RANGE 16

static void swap(uint32_t *a, uint32_t *b)
{
	uint32_t t = *a;
	*a = *b;
	*b = t;
}

static void insertion_sort(uint32_t *keys, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint32_t key = keys[i];
		size_t j = i;

		while (j > 0 && keys[j - 1] > key) {
			keys[j] = keys[j - 1];
			j--;
		}
		keys[j] = key;
	}
}

static void quicksort(uint32_t *keys, size_t n)
{
	/* Recurse into the smaller part and loop on the larger: the stack stays
	 * O(log n) deep whatever the input. */
	while (n > SHORT_RANGE) {
		size_t mid = n / 2;

		if (keys[mid] < keys[0])
			swap(&keys[mid], &keys[0]);
		if (keys[n - 1] < keys[0])
			swap(&keys[n - 1], &keys[0]);
		if (keys[n - 1] < keys[mid])
			swap(&keys[n - 1], &keys[mid]);
		uint32_t pivot = keys[mid];
		size_t i = 0, j = n - 1;

		for (;;) {
			while (keys[i] < pivot)
				i++;
			while (keys[j] > pivot)
				j--;
			if (i >= j)
				break;
			swap(&keys[i], &keys[j]);
			i++;
			j--;
		}
		size_t left = j + 1;
		if (left < n - left) {
			quicksort(keys, left);
			keys += left;
			n -= left;
		} else {
			quicksort(keys + left, n - left);
			n = left;
		}
	}
	insertion_sort(keys, n);
}

static uint64_t run(void)
{
	uint32_t *keys = must_alloc(KEYS * sizeof(*keys));
	uint64_t state = 0x0DDBA11CAFEF00DULL;
	uint64_t sum = 0;

	for (int round = 0; round < ROUNDS; round++) {
		for (size_t i = 0; i < KEYS; i++)
			keys[i] = (uint32_t)next_random(&state);
		quicksort(keys, KEYS);
		for (size_t i = 0; i < KEYS; i += 997)
			sum = mix(sum, keys[i]);
		for (size_t i = 1; i < KEYS; i++)
			if (keys[i - 1] > keys[i])
				sum = mix(sum, 0xBAD);  /* unsorted: a checksum nobody else gets */
	}
	free(keys);
	return sum;
}

const struct kernel kernel_int_sort = { "int.sort", run };
