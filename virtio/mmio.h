/* The virtio-mmio transport, version 2 (virtio 1.2, section 4.2.2). For now a
 * slot with no device behind it: the registers that let a driver see that
 * (magic, version, device ID 0) and nothing else. */
#ifndef DOPPEL_VIRTIO_MMIO_H
#define DOPPEL_VIRTIO_MMIO_H

#include "cpu/bus.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VERSION 2
#define VIRTIO_MMIO_VENDOR 0x70706f64u  /* "dopp" */

extern const struct mmio_ops virtio_mmio_empty_ops;

#endif
