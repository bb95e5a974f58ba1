/* virtio-rng, the entropy device (virtio 1.2, section 5.4): one queue whose
 * writable buffers it fills from the host's getrandom. No features, no
 * configuration space, no state. */
#ifndef DOPPEL_VIRTIO_RNG_H
#define DOPPEL_VIRTIO_RNG_H

#include "virtio/mmio.h"

extern const struct virtio_device_ops virtio_rng_ops;

#endif
