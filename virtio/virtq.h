/* Split virtqueues (virtio 1.2, section 2.7): the device's side of the
 * descriptor table, the available ring and the used ring in guest RAM.
 *
 * Guest RAM is hostile: every ring, descriptor and buffer is checked against
 * RAM before use, and a malformed chain (a buffer outside RAM, a loop, a
 * chain longer than VIRTQ_MAX_CHAIN, a nested indirect table, a length that
 * overflows) makes virtq_pop fail, so that the transport can mark the device
 * DEVICE_NEEDS_RESET. */
#ifndef DOPPEL_VIRTIO_VIRTQ_H
#define DOPPEL_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/bus.h"

/* The largest queue the transport offers (QueueNumMax). */
#define VIRTQ_MAX_SIZE 256
/* The most buffers one chain may have, direct or through an indirect table. */
#define VIRTQ_MAX_CHAIN 256

/* Saved state: plain data. Addresses are guest-physical. */
struct virtq_state {
	uint64_t desc, driver, device;  /* descriptor table, available ring, used ring */
	uint16_t num;                   /* queue size, a power of two */
	uint16_t last_avail_idx;        /* next available entry the device takes */
	uint16_t used_idx;              /* next used entry the device fills */
	uint16_t signalled_used;        /* used_idx when the driver was last considered for an interrupt */
	bool ready;
	bool event_idx;                 /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;                  /* VIRTIO_F_INDIRECT_DESC negotiated */
};

/* One buffer of a chain, already checked to lie in guest RAM. */
struct virtq_buf {
	uint8_t *host;
	uint64_t addr;
	uint32_t len;
	bool writable;
};

/* A chain taken from the available ring: its readable buffers first, then
 * its writable ones (the order the spec requires of drivers, 2.7.4.2). */
struct virtq_chain {
	struct bus *bus;
	uint16_t head;
	unsigned n;
	uint64_t readable_len, writable_len;
	struct virtq_buf buf[VIRTQ_MAX_CHAIN];
};

/* Checks that the three rings of a queue lie in guest RAM, aligned as
 * section 2.7 requires, and that num is a power of two up to VIRTQ_MAX_SIZE. */
bool virtq_valid(const struct bus *bus, const struct virtq_state *q);

/* Takes the next available chain. Returns 1 with *c filled, 0 if the driver
 * has made nothing available (with VIRTIO_F_EVENT_IDX, after asking it to
 * notify on the next entry), -EINVAL if the ring or chain is malformed. */
int virtq_pop(struct bus *bus, struct virtq_state *q, struct virtq_chain *c);

/* Whether the driver has made a chain available that virtq_pop has not
 * taken (false for a queue not set up or whose rings left RAM). */
bool virtq_has_avail(const struct bus *bus, const struct virtq_state *q);

/* Returns the chain to the driver through the used ring, with written bytes
 * written into its writable buffers. */
int virtq_push(struct bus *bus, struct virtq_state *q, uint16_t head, uint32_t written);

/* Whether the driver wants an interrupt for what was pushed since the last
 * call (the available ring's NO_INTERRUPT flag, or its used_event with
 * VIRTIO_F_EVENT_IDX, section 2.7.10). */
bool virtq_should_interrupt(struct bus *bus, struct virtq_state *q);

/* Copies len bytes at offset off of the chain's readable part into dst.
 * Returns false if the readable part is shorter. */
bool virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len);

/* Copies len bytes into the chain's writable part at offset off. Returns
 * false if the writable part is shorter. */
bool virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len);

/* Calls fn on each host range holding bytes [off, off + len) of the chain's
 * readable or writable part, in order; stops at the first negative return.
 * Ranges of the writable part are reported to the code map as written.
 * Returns -EINVAL if the part is shorter than off + len. */
int virtq_chain_for_each(const struct virtq_chain *c, bool writable, uint64_t off, uint64_t len,
			 int (*fn)(void *ctx, uint8_t *p, size_t n), void *ctx);

#endif
