/* The qcow2 header as plain data, read and validated from an image file:
 * everything later code relies on (table positions and sizes against the
 * file, cluster size, feature bits) is checked here once. */
#ifndef DOPPEL_BLOCK_QCOW2_HEADER_H
#define DOPPEL_BLOCK_QCOW2_HEADER_H

#include <stdbool.h>
#include <stdint.h>

#include "block/qcow2_format.h"
#include "util/error.h"

struct qcow2_header {
	uint32_t version;
	uint32_t cluster_bits;
	uint64_t size;
	uint32_t l1_size;
	uint64_t l1_offset;
	uint64_t reftable_offset;
	uint32_t reftable_clusters;
	uint32_t nb_snapshots;
	uint64_t incompat;
	uint64_t compat;
	uint64_t autoclear;
	uint32_t refcount_order;
	uint32_t header_length;
	char backing_name[QCOW2_MAX_BACKING_NAME + 1];   /* "" if none */
	char backing_format[16];                         /* "" if not recorded */
};

/* Reads the header of the qcow2 image open as fd (file_size bytes) and checks
 * it; a problem is one line in err, prefixed with path. */
int qcow2_header_read(int fd, uint64_t file_size, const char *path, struct qcow2_header *h,
		      struct error *err);

/* L1 entries needed to map size bytes with clusters of 2^cluster_bits. */
uint64_t qcow2_l1_entries_for(uint64_t size, uint32_t cluster_bits);

#endif
