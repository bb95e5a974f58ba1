/* Which pages of guest RAM hold decoded code, and a generation number per
 * page that changes whenever such a page is written: a cached block of
 * decoded instructions is valid while its page's generation is unchanged.
 * Pages holding code are kept out of the write TLBs, so every store to them
 * takes the slow path, which calls code_map_written. Anything else that
 * writes guest RAM directly (device DMA, firmware calls) must call it too. */
#ifndef DOPPEL_CPU_CODEMAP_H
#define DOPPEL_CPU_CODEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct code_map {
	const uint8_t *host;       /* RAM the map covers */
	uint64_t pages;
	uint32_t *gen;             /* per page */
	uint8_t *is_code;          /* per page: blocks were decoded from it */
	/* Bumped when a page becomes code, or the dirty log is collected:
	 * harts then drop their write TLB entries at their next run. */
	uint64_t epoch;
	/* While logging (live migration): one bit per page written since the
	 * last collect; NULL otherwise. */
	uint64_t *dirty;
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

/* [p, p + len) was written: blocks decoded from those pages are stale,
 * and the pages are dirty. */
void code_map_written(struct code_map *cm, const uint8_t *p, uint64_t len);

/* Dirty-page logging. A store through the write TLB is not observed, so a
 * page is logged when a write TLB entry for it is filled (code_map_log_fill)
 * and whenever code_map_written sees it; collecting the log bumps the epoch,
 * so that every hart drops its write TLB before it runs again and its next
 * store to any page is logged afresh. Returns 0 or -ENOMEM. */
int code_map_log_start(struct code_map *cm);
void code_map_log_stop(struct code_map *cm);

/* Moves the pages written since the last collect (or the start) into out
 * (one bit per page, (pages + 63) / 64 words) and clears the log; returns
 * how many there are. */
uint64_t code_map_log_collect(struct code_map *cm, uint64_t *out);

static inline void code_map_log_page(struct code_map *cm, uint64_t page)
{
	cm->dirty[page >> 6] |= 1ull << (page & 63);
}

/* A write TLB entry for page is being filled: stores to it go unobserved
 * from now on until the next collect. */
static inline void code_map_log_fill(struct code_map *cm, uint64_t page)
{
	if (__builtin_expect(cm->dirty != NULL, 0))
		code_map_log_page(cm, page);
}

/* Words of a bitmap with one bit per page of the map. */
static inline uint64_t code_map_bitmap_words(const struct code_map *cm)
{
	return (cm->pages + 63) / 64;
}

#endif
