#include "virtio/net.h"

#include <string.h>

#define VIRTIO_ID_NET 1

/* Feature bits (5.1.3). */
#define NET_F_MAC 5
#define NET_F_MRG_RXBUF 15
#define NET_F_STATUS 16
#define NET_S_LINK_UP 1

/* struct virtio_net_hdr (5.1.6): flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers. With VERSION_1 it always has
 * num_buffers, mergeable buffers or not; a driver that accepted neither
 * VERSION_1 nor MRG_RXBUF (the transport keeps FEATURES_OK for it, as
 * QEMU does) uses the legacy header without it (5.1.6.1, QEMU's
 * guest_hdr_len). */
#define HDR_SIZE 12
#define LEGACY_HDR_SIZE 10
#define HDR_GSO_TYPE 1
#define HDR_NUM_BUFFERS 10
#define ETH_HEADER 14

/* mac and status; the fields after them belong to features not offered. */
#define CONFIG_SIZE 8

static uint64_t net_features(const void *dev)
{
	return (1ull << NET_F_MAC) | (1ull << NET_F_MRG_RXBUF) | (1ull << NET_F_STATUS);
}

static void net_config_read(const void *dev, uint32_t off, uint8_t *buf, unsigned len)
{
	const struct virtio_net *n = dev;
	uint8_t cfg[CONFIG_SIZE] = { 0 };
	memcpy(cfg, n->s.mac, 6);
	cfg[6] = NET_S_LINK_UP;
	memcpy(buf, cfg + off, len);
}

static bool accepted(const struct virtio_net *n, unsigned feature)
{
	return n->transport->s.driver_features & (1ull << feature);
}

static bool mergeable(const struct virtio_net *n)
{
	return accepted(n, NET_F_MRG_RXBUF);
}

static unsigned hdr_size(const struct virtio_net *n)
{
	return accepted(n, VIRTIO_F_VERSION_1) || mergeable(n) ? HDR_SIZE : LEGACY_HDR_SIZE;
}

/* Transmit: a header, then the frame, all readable (5.1.6.2). Nothing
 * the driver sends can hurt the host: a malformed chain is returned unsent
 * and counted. */
static int net_handle(void *dev, unsigned queue, const struct virtq_chain *c, uint32_t *written)
{
	struct virtio_net *n = dev;
	uint8_t hdr[HDR_SIZE];
	unsigned hdr_len = hdr_size(n);
	uint64_t len = c->readable_len >= hdr_len ? c->readable_len - hdr_len : 0;

	*written = 0;
	/* No offloads are offered, so a frame needing segmentation is one the
	 * device cannot send (5.1.6.2.1). */
	if (c->writable_len || len < ETH_HEADER || len > VIRTIO_NET_MAX_FRAME ||
	    !virtq_chain_read(c, 0, hdr, hdr_len) || hdr[HDR_GSO_TYPE] ||
	    !virtq_chain_read(c, hdr_len, n->tx_frame, len)) {
		n->s.tx_malformed++;
		return 0;
	}
	n->s.tx_frames++;
	if (n->backend)
		n->backend->ops->send(n->backend, n->tx_frame, len);
	return 0;
}

/* Places the header and frame into as many receive chains as it takes (one
 * without mergeable buffers, 5.1.6.3.1). Returns how many, or 0 if they
 * are not there, with every chain taken given back. */
static unsigned fill_rx_chains(struct virtio_net *n, const uint8_t *frame, size_t len)
{
	unsigned taken = 0, hdr_len = hdr_size(n);
	size_t done = 0;

	while (taken == 0 || done < len) {
		struct virtq_chain *c = taken ? &n->rx_next : &n->rx_first;
		uint64_t off = taken ? 0 : hdr_len;
		if (taken == VIRTQ_MAX_SIZE || virtio_mmio_pop(n->transport, VIRTIO_NET_RX_QUEUE, c) <= 0)
			goto give_back;
		taken++;
		if (c->writable_len < off || (!mergeable(n) && c->writable_len < hdr_len + len))
			goto give_back;
		size_t part = c->writable_len - off < len - done ? (size_t)(c->writable_len - off) : len - done;
		if (part && !virtq_chain_write(c, off, frame + done, part))
			goto give_back;
		n->rx_heads[taken - 1] = c->head;
		n->rx_lens[taken - 1] = (uint32_t)(off + part);
		done += part;
	}
	return taken;
give_back:
	virtio_mmio_unpop(n->transport, VIRTIO_NET_RX_QUEUE, taken);
	return 0;
}

void virtio_net_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct virtio_net *n = opaque;
	unsigned chains = len <= VIRTIO_NET_MAX_FRAME ? fill_rx_chains(n, frame, len) : 0;
	if (!chains) {
		n->s.rx_dropped++;
		return;
	}
	uint8_t hdr[HDR_SIZE] = { 0 };
	hdr[HDR_NUM_BUFFERS] = (uint8_t)chains;
	hdr[HDR_NUM_BUFFERS + 1] = (uint8_t)(chains >> 8);
	virtq_chain_write(&n->rx_first, 0, hdr, hdr_size(n));
	for (unsigned i = 0; i < chains; i++) {
		if (virtio_mmio_push(n->transport, VIRTIO_NET_RX_QUEUE, n->rx_heads[i], n->rx_lens[i]) < 0)
			return;
	}
	n->s.rx_frames++;
	virtio_mmio_signal(n->transport, VIRTIO_NET_RX_QUEUE);
}

bool virtio_net_can_receive(void *opaque)
{
	struct virtio_net *n = opaque;
	return virtio_mmio_has_avail(n->transport, VIRTIO_NET_RX_QUEUE);
}

void virtio_net_init(struct virtio_net *n, struct virtio_mmio *transport, const uint8_t mac[6])
{
	memset(&n->s, 0, sizeof(n->s));
	memcpy(n->s.mac, mac, 6);
	n->transport = transport;
	n->backend = NULL;
}

void virtio_net_close(struct virtio_net *n)
{
	if (n->backend)
		n->backend->ops->close(n->backend);
	n->backend = NULL;
}

const struct virtio_device_ops virtio_net_ops = {
	.device_id = VIRTIO_ID_NET,
	.num_queues = 2,
	.features = net_features,
	.config_size = CONFIG_SIZE,
	.config_read = net_config_read,
	.handle = net_handle,
	.device_driven_queues = 1u << VIRTIO_NET_RX_QUEUE,
};

static const struct state_field virtio_net_fields[] = {
	STATE_INTS(struct virtio_net_state, mac, uint8_t),
	STATE_INT(struct virtio_net_state, rx_frames),
	STATE_INT(struct virtio_net_state, tx_frames),
	STATE_INT(struct virtio_net_state, rx_dropped),
	STATE_INT(struct virtio_net_state, tx_malformed),
};

const struct state_desc virtio_net_state_desc =
	STATE_DESC(STATE_ID('V', 'N', 'E', 'T'), 1, virtio_net_fields, NULL);
