/* Opening an image as part of a backing chain: each image records the files
 * below it, so a chain that comes back to one of them is refused instead of
 * recursing forever. */
#ifndef DOPPEL_BLOCK_CHAIN_H
#define DOPPEL_BLOCK_CHAIN_H

#include <sys/types.h>

#include "block/block.h"

/* Longest backing chain doppel opens (QEMU has no fixed limit; this one
 * keeps a crafted chain from exhausting file descriptors or the stack). */
#define BLOCK_MAX_CHAIN_DEPTH 64

struct block_chain {
	dev_t dev;
	ino_t ino;
	unsigned depth;                  /* 0 for the image the user named */
	const struct block_chain *above; /* the overlay that names this image */
};

int block_open_in_chain(const char *path, enum block_format fmt, bool readonly,
			const struct block_chain *above, struct block_dev **out,
			struct error *err);

#endif
