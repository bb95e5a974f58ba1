/* The qcow2 backend's state, shared by its files: qcow2.c (open, close, the
 * guest's reads and writes), qcow2_refcount.c (cluster allocation) and
 * qcow2_check.c (consistency check and repair). */
#ifndef DOPPEL_BLOCK_QCOW2_INTERNAL_H
#define DOPPEL_BLOCK_QCOW2_INTERNAL_H

#include "block/block.h"
#include "block/qcow2_check.h"
#include "block/qcow2_header.h"
#include "block/table_cache.h"

struct qcow2 {
	struct block_dev bd;
	struct qcow2_header h;

	/* Geometry derived from the header. */
	uint64_t cluster_size;
	unsigned l2_bits;         /* log2 of entries per L2 table */
	unsigned refblock_bits;   /* log2 of refcounts per refcount block */

	/* Metadata kept in memory, in host byte order; the file is updated
	 * entry by entry as they change. */
	uint64_t *l1;             /* h.l1_size entries */
	uint64_t *reftable;
	uint64_t reftable_entries;

	uint64_t file_end;        /* bytes; clusters at or after it are free */
	uint64_t free_hint;       /* no free cluster below this cluster index */

	/* Host resources. */
	int fd;
	char *path;
	struct table_cache l2_cache;
	struct table_cache refblock_cache;
	uint8_t *cow_buf;         /* one cluster: copy-on-write staging */
	uint8_t *zero_buf;        /* one cluster of zeroes */
	uint8_t *compressed_buf;  /* two clusters: a compressed cluster's bytes */
	uint8_t *inflated_buf;    /* one cluster: the last compressed cluster read, */
	uint64_t inflated_entry;  /* by its L2 entry (0: none) */
};

/* Refcounts (qcow2_refcount.c). Clusters are counted by index. */
int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *count);
/* Sets a refcount, creating refcount blocks (and growing the refcount table)
 * as needed, always in an order that leaves the image consistent. */
int qcow2_refcount_set(struct qcow2 *q, uint64_t cluster, uint64_t count);
/* Finds n contiguous free clusters, gives them refcount 1 and returns the
 * file offset of the first. */
int qcow2_alloc_clusters(struct qcow2 *q, uint64_t n, uint64_t *offset);
/* Drops one reference from each cluster of [offset, offset + len). */
int qcow2_free_range(struct qcow2 *q, uint64_t offset, uint64_t len);

/* Opens an image for qcow2_check: a dirty or corrupt-marked image opens
 * writable too (to be repaired), and its backing file is not opened. */
int qcow2_open_for_check(const char *path, bool writable, struct block_dev **out,
			 struct error *err);
/* The check itself on an open image (qcow2_check.c). */
int qcow2_check_open_image(struct qcow2 *q, enum qcow2_repair repair, qcow2_report_fn *report,
			   void *ctx, struct qcow2_check_result *res);
/* Clears incompatible feature bits in the header (after fdatasync). */
int qcow2_clear_incompat(struct qcow2 *q, uint64_t bits);

/* The host bytes a compressed L2 entry points at (spec: "Compressed
 * Clusters Descriptor"). */
void qcow2_compressed_extent(const struct qcow2 *q, uint64_t entry, uint64_t *offset,
			     uint64_t *len);

#endif
