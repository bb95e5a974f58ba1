/* virtio-blk (virtio 1.2, section 5.2): a disk of 512-byte sectors on a
 * block backend (block/block.h), one request queue; read, write, flush,
 * discard, write-zeroes and get-id; read-only disks. */
#ifndef DOPPEL_VIRTIO_BLK_H
#define DOPPEL_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "block/block.h"
#include "util/error.h"
#include "virtio/mmio.h"

#define VIRTIO_BLK_ID_BYTES 20

/* What the disk served, for users (query-stats): host-side counters,
 * not device state the guest sees. */
struct virtio_blk_stats {
	uint64_t reads, writes, flushes;    /* requests of each type */
	uint64_t bytes_read, bytes_written; /* by requests that succeeded */
	uint64_t failed;                    /* requests answered with an error status */
};

struct virtio_blk {
	char id[VIRTIO_BLK_ID_BYTES];   /* the serial number GET_ID answers */
	struct block_dev *bd;
	struct virtio_blk_stats stats;
	uint8_t bounce[64 * 1024];      /* data on its way between guest and disk */
};

extern const struct virtio_device_ops virtio_blk_ops;

/* Serves bd (taking ownership of it) with the given serial number, which
 * is cut to VIRTIO_BLK_ID_BYTES. */
void virtio_blk_init(struct virtio_blk *b, struct block_dev *bd, const char *id);
/* Closes the backend, which flushes it: -errno if that failed. */
int virtio_blk_close(struct virtio_blk *b);

#endif
