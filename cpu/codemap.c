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
		if (cm->is_code[i]) {
			/* Until decoded again the page may take fast stores. */
			cm->is_code[i] = 0;
			cm->gen[i]++;
		}
	}
}
