/* The qcow2 format (QEMU's docs/interop/qcow2.txt), version 3 read-write and
 * version 2 read-only: L1/L2 tables, refcounts of 1 to 64 bits, clusters of
 * 512 B to 2 MiB, zero clusters, backing files, zlib-compressed clusters
 * (read; a write to one moves it to a new plain cluster).
 *
 * Metadata is written through as it changes, in an order that keeps the
 * image consistent if the process dies at any point (see qcow2_refcount.c);
 * doppel therefore never sets the dirty bit. flush is fdatasync. */
#ifndef DOPPEL_BLOCK_QCOW2_H
#define DOPPEL_BLOCK_QCOW2_H

#include "block/chain.h"
#include "block/qcow2_header.h"

int qcow2_open(const char *path, bool readonly, const struct block_chain *above,
	       struct block_dev **out, struct error *err);

/* The header of an open qcow2 image (bd->format == BLOCK_FMT_QCOW2). */
const struct qcow2_header *qcow2_header_of(const struct block_dev *bd);

/* Where a backing file name recorded in the image at overlay_path points:
 * relative names are relative to the overlay's directory. */
int qcow2_backing_path(const char *overlay_path, const char *name, char *out, size_t size);

struct qcow2_create_opts {
	uint64_t size;
	unsigned cluster_bits;
	const char *backing_name;     /* as recorded in the image, or NULL */
	const char *backing_format;   /* "raw"/"qcow2", or NULL */
};

/* Creates (or truncates) path as an empty qcow2 image. */
int qcow2_create(const char *path, const struct qcow2_create_opts *opts, struct error *err);

#endif
