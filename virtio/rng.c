#include "virtio/rng.h"

#include <errno.h>
#include <sys/random.h>

#define VIRTIO_ID_ENTROPY 4
/* The device may fill less than offered (5.4.6.1); a bound keeps one
 * request from holding the vCPU. */
#define MAX_BYTES_PER_REQUEST 65536

static uint64_t rng_features(const void *dev)
{
	return 0;
}

static int fill_random(void *ctx, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0 && errno != EINTR)
			return -errno;
		if (got > 0) {
			p += got;
			n -= (size_t)got;
		}
	}
	return 0;
}

static int rng_handle(void *dev, unsigned queue, const struct virtq_chain *c, uint32_t *written)
{
	uint64_t len = c->writable_len < MAX_BYTES_PER_REQUEST ? c->writable_len : MAX_BYTES_PER_REQUEST;
	/* A host without entropy to give answers with nothing written. */
	*written = virtq_chain_for_each(c, true, 0, len, fill_random, NULL) == 0 ? (uint32_t)len : 0;
	return 0;
}

const struct virtio_device_ops virtio_rng_ops = {
	.device_id = VIRTIO_ID_ENTROPY,
	.num_queues = 1,
	.features = rng_features,
	.handle = rng_handle,
};
