/* virtio-net (virtio 1.2, section 5.1): one receive and one transmit queue
 * between the guest and a network backend (net/net.h); a MAC address, link
 * status, mergeable receive buffers. Malformed frames from the guest are
 * dropped and counted; frames that find no receive buffer are dropped and
 * counted, as on a real wire (TCP retransmits), unless the backend can hold
 * them back and asks virtio_net_can_receive first (the switch port). */
#ifndef DOPPEL_VIRTIO_NET_H
#define DOPPEL_VIRTIO_NET_H

#include <stdint.h>

#include "net/net.h"
#include "state/fields.h"
#include "virtio/mmio.h"

#define VIRTIO_NET_RX_QUEUE 0
#define VIRTIO_NET_TX_QUEUE 1
/* The largest frame: what fits the 65562-byte receive buffers the spec
 * asks for with segmentation offloads, less the 12-byte header (5.1.6.3.1). */
#define VIRTIO_NET_MAX_FRAME 65550

/* Saved state: plain data. */
struct virtio_net_state {
	uint8_t mac[6];
	uint64_t rx_frames, tx_frames;
	uint64_t rx_dropped;        /* no (big enough) receive buffer */
	uint64_t tx_malformed;      /* short header, oversize or short frame, offload not negotiated */
};

struct virtio_net {
	struct virtio_net_state s;
	struct virtio_mmio *transport;
	struct net_backend *backend;
	/* Scratch for one received frame: its first chain (which gets the
	 * header last), the chain being filled, and what goes to the used ring. */
	struct virtq_chain rx_first, rx_next;
	uint16_t rx_heads[VIRTQ_MAX_SIZE];
	uint32_t rx_lens[VIRTQ_MAX_SIZE];
	uint8_t tx_frame[VIRTIO_NET_MAX_FRAME];
};

extern const struct virtio_device_ops virtio_net_ops;

/* The device behind transport (whose ops and dev are set to it elsewhere),
 * with no backend yet. */
void virtio_net_init(struct virtio_net *n, struct virtio_mmio *transport, const uint8_t mac[6]);

/* The backend's receive callback (opaque: the struct virtio_net): copies the
 * frame into the guest's receive buffers and interrupts the guest. */
void virtio_net_receive(void *opaque, const uint8_t *frame, size_t len);

/* The backend's can_receive callback: whether the guest has a receive
 * buffer now, so that a backend able to hold frames back keeps them until
 * then rather than have them dropped. */
bool virtio_net_can_receive(void *opaque);

/* Closes the backend. */
void virtio_net_close(struct virtio_net *n);

extern const struct state_desc virtio_net_state_desc;

#endif
