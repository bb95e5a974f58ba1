/* The guest CPU suite: small kernels, each timing itself inside whatever runs
 * it (doppel, QEMU, or the host itself) and returning a checksum, so that the
 * three answers can be compared. Sizes are fixed at build time: the same
 * work everywhere, the same checksum everywhere. */
#ifndef BENCH_SUITE_H
#define BENCH_SUITE_H

#include <stddef.h>
#include <stdint.h>

struct kernel {
	const char *name;      /* "group.name", e.g. "int.hash" */
	uint64_t (*run)(void); /* does the work once; returns its checksum */
};

extern const struct kernel kernel_int_hash;
extern const struct kernel kernel_int_sort;
extern const struct kernel kernel_int_interp;
extern const struct kernel kernel_mem_chase;
extern const struct kernel kernel_mem_copy;
extern const struct kernel kernel_fp_matrix;
extern const struct kernel kernel_os_forkexec;
extern const struct kernel kernel_os_syscall;
extern const struct kernel kernel_os_pagefault;

/* The argument that makes the suite exit at once with CHILD_STATUS: what
 * os.forkexec runs. */
#define CHILD_ARG "--child"
#define CHILD_STATUS 42

/* xorshift64*: a fast generator with the same sequence on every host. */
static inline uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Folds a value into a running checksum (order matters, as it should). */
static inline uint64_t mix(uint64_t sum, uint64_t value)
{
	sum ^= value + 0x9E3779B97F4A7C15ULL + (sum << 6) + (sum >> 2);
	return sum;
}

/* Exits with a message on stderr: a kernel that cannot get its resources has
 * no answer to give. */
_Noreturn void die(const char *what);

/* malloc that dies instead of returning NULL. */
void *must_alloc(size_t bytes);

#endif
