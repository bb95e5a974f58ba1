/* A small cache of cluster-sized metadata tables (qcow2 L2 tables, refcount
 * blocks) read from an image file, keyed by file offset, least recently used
 * out. Tables are kept as on disk (big-endian). The cache is write-through:
 * whoever changes an entry in a cached table also writes it to the file, so
 * there is never anything to write back. */
#ifndef DOPPEL_BLOCK_TABLE_CACHE_H
#define DOPPEL_BLOCK_TABLE_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct table_cache_slot {
	uint64_t offset;   /* 0: empty (no table lives in cluster 0, the header) */
	uint64_t last_use;
};

struct table_cache {
	size_t table_size;
	unsigned count;
	uint64_t clock;
	struct table_cache_slot *slots;
	uint8_t *data;     /* count tables of table_size bytes */
};

int table_cache_init(struct table_cache *tc, size_t table_size, unsigned count);
void table_cache_free(struct table_cache *tc);

/* The table at file offset off, read from fd if not cached. */
int table_cache_get(struct table_cache *tc, int fd, uint64_t off, uint8_t **table);
/* A slot for a new table at off, zero-filled, without reading the file. */
uint8_t *table_cache_install_zeroed(struct table_cache *tc, uint64_t off);
/* Forgets the table at off (its cluster was freed or rewritten elsewhere). */
void table_cache_drop(struct table_cache *tc, uint64_t off);

#endif
