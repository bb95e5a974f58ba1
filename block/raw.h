/* The raw format: the virtual disk is the host file (or block device) byte
 * for byte. */
#ifndef DOPPEL_BLOCK_RAW_H
#define DOPPEL_BLOCK_RAW_H

#include "block/block.h"

/* probed: the format was guessed, not given. Such an image refuses guest
 * writes that would put a qcow2 magic at offset 0, so that a guest cannot
 * turn its disk into a qcow2 image naming a host file as backing file on the
 * next probing open (QEMU has the same guard). */
int raw_open(const char *path, bool readonly, bool probed, struct block_dev **out,
	     struct error *err);

/* Creates (or empties) path as a raw image of size bytes of zeroes. */
int raw_create(const char *path, uint64_t size, struct error *err);

#endif
