/* Which pages of guest RAM hold decoded code, and a generation number per
 * page that changes whenever such a page is written: a cached block of
 * decoded instructions is valid while its page's generation is unchanged.
 * Pages holding code are kept out of the write TLBs, so every store to them
 * takes the slow path, which calls code_map_written. Anything else that
 * writes guest RAM directly (device DMA, firmware calls) must call it too.
 *
 * Shared between threads: every hart thread and any device thread reads and
 * writes the map at once, so its words are host atomics. Who writes what:
 * - is_code goes 0 -> 1 in code_map_mark (a hart decoding the page) and
 *   1 -> 0 in code_map_written (any store that misses the write TLB, an
 *   AMO, the page walker's A/D update, device DMA, firmware), each by an
 *   atomic exchange, so that exactly one caller sees each transition;
 * - the epoch goes up with each 0 -> 1 transition and each collect of the
 *   dirty log; gen[page] goes up with each 1 -> 0 transition of its page;
 * - dirty bits are set by atomic OR (code_map_log_fill at a write TLB fill,
 *   code_map_written) and taken by atomic exchange (code_map_log_collect).
 *
 * What a hart sees of another hart's code changes, and when (the contract
 * of cpu/exec.c and cpu/mmu.c; the architecture asks for no more: a hart
 * must see new code after its own FENCE.I, unprivileged spec chapter 6,
 * and Linux follows a store to code another hart may run with a remote
 * FENCE.I):
 * - A hart checks each block's generation whenever it enters the block
 *   from its dispatch loop (after FENCE.I, a trap, a jump out of the page,
 *   or the end of its slice): a store that bumped gen before that makes it
 *   decode the block again. Translated code chained within one page does
 *   not check, which is why FENCE.I ends a translation.
 * - A store through a write TLB entry is not observed. A hart that another
 *   hart's decoding made code of a page it holds a write entry for learns it
 *   from the epoch, which it compares at the start of each hart_run, at
 *   each FENCE.I it executes and before each write TLB fill; it then drops
 *   its write entries and bumps gen of every page among them that is now
 *   code, as if it had just written those pages (cpu/mmu.c). So a store is
 *   seen by the other hart no later than its next block entry after the
 *   writing hart's next FENCE.I (or slice end) and the FENCE.I the other
 *   hart executes after that; on one hart, stores to code are exact.
 * - Starting, stopping and collecting the dirty log: only while no hart
 *   runs (the world stopped), so that every hart checks the epoch before its
 *   next store and no write entry filled before a collect stores after it. */
#ifndef DOPPEL_CPU_CODEMAP_H
#define DOPPEL_CPU_CODEMAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct code_map {
	const uint8_t *host;       /* RAM the map covers */
	uint64_t pages;
	/* Per page. Translated code loads a page's gen inline as a plain
	 * 32-bit load (cpu/jit_flow.c), which is an acquire load on x86-64. */
	_Atomic uint32_t *gen;
	_Atomic uint8_t *is_code;  /* per page: blocks were decoded from it */
	/* Bumped when a page becomes code, or the dirty log is collected:
	 * harts then drop their write TLB entries (see above). */
	_Atomic uint64_t epoch;
	/* While logging (live migration): one bit per page written since the
	 * last collect; NULL otherwise. */
	_Atomic uint64_t *dirty;
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

/* Acquire: a block decoded after reading the generation sees every store
 * made before the bump that produced it. */
static inline uint32_t code_map_gen(const struct code_map *cm, uint64_t page)
{
	return atomic_load_explicit(&cm->gen[page], memory_order_acquire);
}

static inline bool code_map_is_code(const struct code_map *cm, uint64_t page)
{
	return atomic_load_explicit(&cm->is_code[page], memory_order_acquire) != 0;
}

static inline uint64_t code_map_epoch(const struct code_map *cm)
{
	return atomic_load_explicit(&cm->epoch, memory_order_acquire);
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
 * store to any page is logged afresh. Returns 0 or -ENOMEM. Start, stop
 * and collect only while no hart runs (see above). */
int code_map_log_start(struct code_map *cm);
void code_map_log_stop(struct code_map *cm);

/* Moves the pages written since the last collect (or the start) into out
 * (one bit per page, (pages + 63) / 64 words) and clears the log; returns
 * how many there are. */
uint64_t code_map_log_collect(struct code_map *cm, uint64_t *out);

/* Release: whoever collects the bit sees the store that set it. */
static inline void code_map_log_page(struct code_map *cm, uint64_t page)
{
	atomic_fetch_or_explicit(&cm->dirty[page >> 6], 1ull << (page & 63),
				 memory_order_release);
}

/* A write TLB entry for page is being filled: stores to it go unobserved
 * from now on until the next collect. Logging starts and stops only while
 * no hart runs, so the pointer needs no atomic load. */
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
