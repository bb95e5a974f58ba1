/* New qcow2 overlays over frozen disk images (vm/overlay.c). */
#ifndef DOPPEL_VM_OVERLAY_H
#define DOPPEL_VM_OVERLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "block/block.h"
#include "util/error.h"

/* The stem of a path's last component: "dir/disk.qcow2" -> "disk". */
void overlay_stem(const char *path, char *out, size_t size);

/* Creates an empty qcow2 overlay of size bytes over image (of format fmt),
 * beside it: IMAGE-STEM.TAG.qcow2, or with numbered the first free
 * IMAGE-STEM.TAG-N.qcow2. Never overwrites a file. *out is the new path
 * (malloc'd). */
int overlay_create(const char *image, enum block_format fmt, uint64_t size, const char *tag,
		   bool numbered, char **out, struct error *err);

#endif
