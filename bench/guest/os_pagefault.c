/* os.pagefault: maps 16 MiB of anonymous memory, touches every page (one
 * page fault each: the kernel allocates and zeroes a page and maps it),
 * reads it back and unmaps it, again and again. */
#include <sys/mman.h>
#include <unistd.h>

#include "suite.h"

#define REGION_BYTES (16u * 1024 * 1024)
#define ROUNDS 8

static uint64_t run(void)
{
	/* 4 KiB is the page size on both riscv64 and x86-64 Linux; a fixed
	 * stride keeps the work (and the checksum) the same on every host. */
	const size_t page = 4096;
	uint64_t sum = 0;

	for (int round = 0; round < ROUNDS; round++) {
		uint8_t *region = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (region == MAP_FAILED)
			die("mmap");
		for (size_t off = 0; off < REGION_BYTES; off += page)
			region[off + (off / page) % page] = (uint8_t)(off / page + (size_t)round);
		for (size_t off = 0; off < REGION_BYTES; off += page)
			sum += region[off + (off / page) % page] + region[off + page - 1];
		if (munmap(region, REGION_BYTES) != 0)
			die("munmap");
	}
	return mix(sum, ROUNDS);
}

const struct kernel kernel_os_pagefault = { "os.pagefault", run };
