/* The virtio-mmio transport, version 2 (virtio 1.2, section 4.2): the
 * register file a driver uses to find a device, negotiate features, set up
 * its virtqueues, notify it and acknowledge its interrupts, with the
 * device's configuration space above 0x100. The device behind it is an ops
 * table; a slot without one reads as device ID 0, which drivers skip
 * (4.2.3.1.1). Requests are processed on QUEUE_NOTIFY, on the caller's
 * thread. */
#ifndef DOPPEL_VIRTIO_MMIO_H
#define DOPPEL_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "state/fields.h"
#include "util/irq.h"
#include "virtio/virtq.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VERSION 2
/* QEMU's vendor ID ("QEMU"), not one of our own: guests written for QEMU's
 * virt board check it (xv6 panics on any other), and Linux's driver ignores
 * it (4.2.2 leaves its value to the device). */
#define VIRTIO_MMIO_VENDOR 0x554d4551u
#define VIRTIO_MAX_QUEUES 2

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_INT_USED_BUFFER 1
#define VIRTIO_INT_CONFIG_CHANGE 2

/* Reserved feature bits the transport offers for every device (6). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

/* A device type: what it offers and how it serves one request. */
struct virtio_device_ops {
	uint32_t device_id;
	unsigned num_queues;                 /* at most VIRTIO_MAX_QUEUES */
	uint64_t (*features)(const void *dev);
	/* Configuration space, read-only for the driver here. */
	uint32_t config_size;
	void (*config_read)(const void *dev, uint32_t off, uint8_t *buf, unsigned len);
	/* Serves one chain taken from queue; *written is the number of bytes
	 * written into its writable buffers. A negative return (a request no
	 * driver would make) marks the device DEVICE_NEEDS_RESET. */
	int (*handle)(void *dev, unsigned queue, const struct virtq_chain *c, uint32_t *written);
	/* Queues the device fills on its own initiative (bit n: queue n), such
	 * as a network card's receive queue: a notification on them only says
	 * that buffers were added, and the device takes them with
	 * virtio_mmio_pop when it has something to put in them. */
	uint32_t device_driven_queues;
};

/* Saved state: plain data. */
struct virtio_mmio_state {
	uint64_t driver_features;
	uint32_t status;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t interrupt_status;
	struct virtq_state queue[VIRTIO_MAX_QUEUES];
};

struct virtio_mmio {
	struct virtio_mmio_state s;
	const struct virtio_device_ops *ops;
	void *dev;
	struct bus *bus;                        /* guest RAM the queues live in */
	struct irq_line irq;
	struct virtq_chain chain;               /* the request being served */
};

extern const struct mmio_ops virtio_mmio_ops;

/* ops and dev may be NULL for an empty slot; the irq line starts unconnected. */
void virtio_mmio_init(struct virtio_mmio *t, struct bus *bus,
		      const struct virtio_device_ops *ops, void *dev);

/* Serves everything the driver has made available on queue, then raises the
 * interrupt if the driver wants one. QUEUE_NOTIFY calls it. */
void virtio_mmio_process(struct virtio_mmio *t, unsigned queue);

/* For device-driven queues. virtio_mmio_pop takes the next chain: 1, or 0
 * if there is none or the driver has not set the queue up, or -EINVAL after
 * marking the device DEVICE_NEEDS_RESET for a malformed ring.
 * virtio_mmio_unpop gives the last n chains taken back to the available
 * ring (nothing was pushed since). virtio_mmio_push returns a chain through
 * the used ring, and virtio_mmio_signal raises the interrupt if the driver
 * wants one for what was pushed. virtio_mmio_has_avail says whether a
 * virtio_mmio_pop would find a chain. */
bool virtio_mmio_has_avail(struct virtio_mmio *t, unsigned queue);
int virtio_mmio_pop(struct virtio_mmio *t, unsigned queue, struct virtq_chain *c);
void virtio_mmio_unpop(struct virtio_mmio *t, unsigned queue, unsigned n);
int virtio_mmio_push(struct virtio_mmio *t, unsigned queue, uint16_t head, uint32_t written);
void virtio_mmio_signal(struct virtio_mmio *t, unsigned queue);

/* Drives the interrupt line from the state (after restoring a snapshot). */
void virtio_mmio_update_irq(struct virtio_mmio *t);

/* The transport's saved state; a queue marked ready must also pass
 * virtq_valid against the machine's RAM before the device runs from it. */
extern const struct state_desc virtio_mmio_state_desc;

#endif
