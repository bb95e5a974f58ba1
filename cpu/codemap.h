/* Which pages of guest RAM hold decoded code, and a generation number per
 * page that changes whenever such a page is written: a cached block of
 * decoded instructions is valid while its page's generation is unchanged.
 * Pages holding code are kept out of the write TLBs, so every store to them
 * takes the slow path, which calls code_map_written. Anything else that
 * writes guest RAM directly (device DMA, firmware calls) must call it too. */
#ifndef DOPPEL_CPU_CODEMAP_H
#define DOPPEL_CPU_CODEMAP_H

#include <stdbool.h>
#include <stdint.h>

struct code_map {
	const uint8_t *host;       /* RAM the map covers */
	uint64_t pages;
	uint32_t *gen;             /* per page */
	uint8_t *is_code;          /* per page: blocks were decoded from it */
	/* Bumped when a page becomes code: harts then drop their write TLB
	 * entries, one of which may map that page. */
	uint64_t epoch;
};

int code_map_init(struct code_map *cm, const uint8_t *host, uint64_t size);
void code_map_destroy(struct code_map *cm);

/* The page index of a host pointer into the map's RAM, or -1. */
static inline int64_t code_map_page(const struct code_map *cm, const uint8_t *p)
{
	/* Integer arithmetic: p need not point into the map's RAM. */
	uint64_t off = (uint64_t)((uintptr_t)p - (uintptr_t)cm->host);
	return (off >> 12) < cm->pages ? (int64_t)(off >> 12) : -1;
}

/* Records that blocks are being decoded from page; true if it was not
 * code before (the caller's write TLB must then be flushed). */
bool code_map_mark(struct code_map *cm, uint64_t page);

/* [p, p + len) was written: blocks decoded from those pages are stale. */
void code_map_written(struct code_map *cm, const uint8_t *p, uint64_t len);

#endif
