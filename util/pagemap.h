/* Which pages of a private anonymous mapping were ever touched, from
 * /proc/self/pagemap (Linux's Documentation/admin-guide/mm/pagemap.rst): a
 * page neither present nor swapped out was never written and reads as
 * zeroes, so a scan for non-zero pages can skip it without reading it
 * (reading it would fault in the zero page, which costs more than the
 * check). Without pagemap every page counts as touched. Not for file
 * mappings, whose untouched pages hold the file's data. */
#ifndef DOPPEL_UTIL_PAGEMAP_H
#define DOPPEL_UTIL_PAGEMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PAGEMAP_BATCH 512

struct pagemap {
	int fd;                         /* -1: unavailable, every page touched */
	const uint8_t *base;            /* the mapping */
	uint64_t first;                 /* page index of entries[0] */
	uint64_t count;                 /* entries held */
	uint64_t entries[PAGEMAP_BATCH];
};

/* base NULL: no mapping to look at, every page counts as touched. */
void pagemap_open(struct pagemap *pm, const uint8_t *base);
void pagemap_close(struct pagemap *pm);

/* Whether page index (of 4 KiB pages from base) may hold data. */
bool pagemap_touched(struct pagemap *pm, uint64_t index);

#endif
