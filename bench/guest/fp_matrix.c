/* fp.matrix: dense double-precision matrix multiply, C = A x B, repeated with
 * B changing between rounds. Built with -ffp-contract=off so that no compiler
 * fuses a multiply and an add on one host and not on another: the checksum
 * (the bits of C's sum) is then the same everywhere. */
#include <stdlib.h>
#include <string.h>

#include "suite.h"

#define N 96
#define ROUNDS 100

static void multiply(const double *a, const double *b, double *c)
{
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j++)
			c[i * N + j] = 0.0;
		for (int k = 0; k < N; k++) {
			double aik = a[i * N + k];

			for (int j = 0; j < N; j++)
				c[i * N + j] += aik * b[k * N + j];
		}
	}
}

static uint64_t run(void)
{
	double *a = must_alloc(N * N * sizeof(*a));
	double *b = must_alloc(N * N * sizeof(*b));
	double *c = must_alloc(N * N * sizeof(*c));
	uint64_t state = 0xF10A7ULL;
	uint64_t sum = 0;

	for (int i = 0; i < N * N; i++) {
		/* Values in [-1, 1) with 53 random bits. */
		a[i] = (double)(next_random(&state) >> 11) / 4503599627370496.0 - 1.0;
		b[i] = (double)(next_random(&state) >> 11) / 4503599627370496.0 - 1.0;
	}
	for (int round = 0; round < ROUNDS; round++) {
		multiply(a, b, c);
		double total = 0.0;

		for (int i = 0; i < N * N; i++)
			total += c[i];
		uint64_t bits;
		memcpy(&bits, &total, sizeof(bits));
		sum = mix(sum, bits);
		b[round % (N * N)] += 0.5;
	}
	free(a);
	free(b);
	free(c);
	return sum;
}

const struct kernel kernel_fp_matrix = { "fp.matrix", run };
