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
	free(cm->dirty);
	free(cm->gen);
	free(cm->is_code);
	memset(cm, 0, sizeof(*cm));
}

bool code_map_mark(struct code_map *cm, uint64_t page)
{
	if (cm->is_code[page])
		return false;
	cm->is_code[page] = 1;
	cm->epoch++;
	return true;
}

void code_map_written(struct code_map *cm, const uint8_t *p, uint64_t len)
{
	if (!cm->pages || !len)
		return;
	int64_t first = code_map_page(cm, p), last = code_map_page(cm, p + len - 1);
	if (first < 0 || last < 0)
		return;
	for (int64_t i = first; i <= last; i++) {
		if (cm->dirty)
			code_map_log_page(cm, (uint64_t)i);
		if (cm->is_code[i]) {
			/* Until decoded again the page may take fast stores. */
			cm->is_code[i] = 0;
			cm->gen[i]++;
		}
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
	cm->epoch++;
	return 0;
}

void code_map_log_stop(struct code_map *cm)
{
	free(cm->dirty);
	cm->dirty = NULL;
}

uint64_t code_map_log_collect(struct code_map *cm, uint64_t *out)
{
	uint64_t words = code_map_bitmap_words(cm), count = 0;

	for (uint64_t i = 0; i < words; i++) {
		out[i] = cm->dirty[i];
		count += (uint64_t)__builtin_popcountll(out[i]);
	}
	memset(cm->dirty, 0, words * sizeof(*cm->dirty));
	cm->epoch++;
	return count;
}
