#include "cpu/codemap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int code_map_init(struct code_map *cm, const uint8_t *host, uint64_t size)
{
	memset(cm, 0, sizeof(*cm));
	cm->host = host;
	cm->pages = size >> 12;
	cm->gen = calloc(cm->pages, sizeof(*cm->gen));
	cm->is_code = calloc(cm->pages, 1);
	if (!cm->gen || !cm->is_code) {
		code_map_destroy(cm);
		return -ENOMEM;
	}
	return 0;
}

void code_map_destroy(struct code_map *cm)
{
	free((void *)cm->dirty);
	free((void *)cm->gen);
	free((void *)cm->is_code);
	memset(cm, 0, sizeof(*cm));
}

/* The exchange is a full barrier: either a concurrent code_map_written
 * sees the page as code (and bumps gen), or this hart's decoding, after
 * it, reads what that store wrote. */
bool code_map_mark(struct code_map *cm, uint64_t page)
{
	if (code_map_is_code(cm, page) ||
	    atomic_exchange_explicit(&cm->is_code[page], 1, memory_order_seq_cst))
		return false;
	atomic_fetch_add_explicit(&cm->epoch, 1, memory_order_acq_rel);
	return true;
}

void code_map_written(struct code_map *cm, const uint8_t *p, uint64_t len)
{
	if (!cm->pages || !len)
		return;
	int64_t first = code_map_page(cm, p), last = code_map_page(cm, p + len - 1);
	if (first < 0 || last < 0)
		return;
	/* The store went before; against code_map_mark's exchange on another
	 * hart this is the store-then-load pair a host may reorder. */
	atomic_thread_fence(memory_order_seq_cst);
	for (int64_t i = first; i <= last; i++) {
		if (cm->dirty)
			code_map_log_page(cm, (uint64_t)i);
		/* Until decoded again the page may take fast stores. Release:
		 * a hart that reads the new gen decodes what was stored. */
		if (code_map_is_code(cm, (uint64_t)i) &&
		    atomic_exchange_explicit(&cm->is_code[i], 0, memory_order_acq_rel))
			atomic_fetch_add_explicit(&cm->gen[i], 1, memory_order_release);
	}
}

int code_map_log_start(struct code_map *cm)
{
	if (cm->dirty)
		return 0;
	cm->dirty = calloc(code_map_bitmap_words(cm), sizeof(*cm->dirty));
	if (!cm->dirty)
		return -ENOMEM;
	/* Write TLB entries filled before now would keep stores unlogged. */
	atomic_fetch_add_explicit(&cm->epoch, 1, memory_order_acq_rel);
	return 0;
}

void code_map_log_stop(struct code_map *cm)
{
	free((void *)cm->dirty);
	cm->dirty = NULL;
}

uint64_t code_map_log_collect(struct code_map *cm, uint64_t *out)
{
	uint64_t words = code_map_bitmap_words(cm), count = 0;

	/* Acquire: the caller copies the pages after the stores that set
	 * their bits (a device thread's DMA, say, while the harts stand). */
	for (uint64_t i = 0; i < words; i++) {
		out[i] = atomic_exchange_explicit(&cm->dirty[i], 0, memory_order_acquire);
		count += (uint64_t)__builtin_popcountll(out[i]);
	}
	atomic_fetch_add_explicit(&cm->epoch, 1, memory_order_acq_rel);
	return count;
}
