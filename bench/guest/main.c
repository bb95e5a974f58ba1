/* Runs the suite's kernels (all, or those named on the command line) and
 * prints one line per kernel, "bench NAME SECONDS CHECKSUM", between a start
 * and a "bench-suite done" line that bench/run.py waits for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suite.h"

static const struct kernel *const kernels[] = {
	&kernel_int_hash,   &kernel_int_sort,     &kernel_int_interp,
	&kernel_mem_chase,  &kernel_mem_copy,     &kernel_fp_matrix,
	&kernel_os_forkexec, &kernel_os_syscall,  &kernel_os_pagefault,
};
#define KERNEL_COUNT (sizeof(kernels) / sizeof(kernels[0]))

_Noreturn void die(const char *what)
{
	fprintf(stderr, "bench-suite: %s: %s\n", what, strerror(errno));
	exit(1);
}

void *must_alloc(size_t bytes)
{
	void *p = malloc(bytes);

	if (!p)
		die("malloc");
	return p;
}

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_one(const struct kernel *k)
{
	double start = now();
	uint64_t checksum = k->run();
	double seconds = now() - start;

	printf("bench %s %.6f %016llx\n", k->name, seconds, (unsigned long long)checksum);
	fflush(stdout);
}

static const struct kernel *find(const char *name)
{
	for (size_t i = 0; i < KERNEL_COUNT; i++)
		if (strcmp(kernels[i]->name, name) == 0)
			return kernels[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], CHILD_ARG) == 0)
		return CHILD_STATUS;
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (size_t i = 0; i < KERNEL_COUNT; i++)
			printf("%s\n", kernels[i]->name);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (!find(argv[i])) {
			fprintf(stderr, "bench-suite: no kernel '%s' (--list lists them)\n", argv[i]);
			return 2;
		}
	}
	printf("bench-suite start\n");
	fflush(stdout);
	if (argc == 1) {
		for (size_t i = 0; i < KERNEL_COUNT; i++)
			run_one(kernels[i]);
	} else {
		for (int i = 1; i < argc; i++)
			run_one(find(argv[i]));
	}
	printf("bench-suite done\n");
	return 0;
}
