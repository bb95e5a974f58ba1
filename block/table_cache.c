#include "block/table_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "block/io.h"

int table_cache_init(struct table_cache *tc, size_t table_size, unsigned count)
{
	*tc = (struct table_cache){ .table_size = table_size, .count = count };
	tc->slots = calloc(count, sizeof(*tc->slots));
	tc->data = malloc(table_size * count);
	if (!tc->slots || !tc->data) {
		table_cache_free(tc);
		return -ENOMEM;
	}
	return 0;
}

void table_cache_free(struct table_cache *tc)
{
	free(tc->slots);
	free(tc->data);
	tc->slots = NULL;
	tc->data = NULL;
}

static uint8_t *slot_data(struct table_cache *tc, unsigned i)
{
	return tc->data + (size_t)i * tc->table_size;
}

static int find(const struct table_cache *tc, uint64_t off)
{
	for (unsigned i = 0; i < tc->count; i++)
		if (tc->slots[i].offset == off)
			return (int)i;
	return -1;
}

static unsigned least_recent(const struct table_cache *tc)
{
	unsigned victim = 0;
	for (unsigned i = 1; i < tc->count; i++)
		if (tc->slots[i].last_use < tc->slots[victim].last_use)
			victim = i;
	return victim;
}

int table_cache_get(struct table_cache *tc, int fd, uint64_t off, uint8_t **table)
{
	int i = find(tc, off);
	if (i < 0) {
		unsigned v = least_recent(tc);
		tc->slots[v].offset = 0;
		int rc = file_read_at(fd, off, slot_data(tc, v), tc->table_size);
		if (rc)
			return rc;
		tc->slots[v].offset = off;
		i = (int)v;
	}
	tc->slots[i].last_use = ++tc->clock;
	*table = slot_data(tc, (unsigned)i);
	return 0;
}

uint8_t *table_cache_install_zeroed(struct table_cache *tc, uint64_t off)
{
	int i = find(tc, off);
	unsigned v = i < 0 ? least_recent(tc) : (unsigned)i;
	tc->slots[v].offset = off;
	tc->slots[v].last_use = ++tc->clock;
	memset(slot_data(tc, v), 0, tc->table_size);
	return slot_data(tc, v);
}

void table_cache_drop(struct table_cache *tc, uint64_t off)
{
	int i = find(tc, off);
	if (i >= 0)
		tc->slots[i].offset = 0;
}
