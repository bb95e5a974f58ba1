/* A minimal virtio-mmio driver for unit tests: guest RAM on a bus, one
 * device behind the transport, and helpers to negotiate, lay out queue 0,
 * write descriptors and rings as a (possibly hostile) driver would, notify,
 * and read back the used ring and the interrupt line. */
#ifndef DOPPEL_TESTS_UNIT_VIRTIO_DRIVER_H
#define DOPPEL_TESTS_UNIT_VIRTIO_DRIVER_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "virtio/mmio.h"

#define GUEST_RAM 0x80000000ull
#define QUEUE_SIZE 16
#define DESC_TABLE (GUEST_RAM + 0x1000)
#define AVAIL_RING (GUEST_RAM + 0x2000)
#define USED_RING (GUEST_RAM + 0x3000)
#define DATA (GUEST_RAM + 0x10000)       /* free RAM for buffers and tables */

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4

#define REG_DEVICE_ID 0x008
#define REG_VENDOR_ID 0x00c
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0
#define REG_QUEUE_DEVICE_HIGH 0x0a4
#define REG_CONFIG 0x100

struct driver {
	struct bus bus;
	uint8_t *ram;
	uint64_t ram_size;
	struct virtio_mmio t;
	bool irq;
	uint16_t avail_idx;
};

static inline void driver_irq_set(void *target, unsigned index, bool level)
{
	((struct driver *)target)->irq = level;
}

static inline uint32_t reg_read(struct driver *d, uint64_t off)
{
	uint64_t v = ~0ull;
	assert_true(virtio_mmio_ops.read(&d->t, off, 4, &v));
	return (uint32_t)v;
}

static inline void reg_write(struct driver *d, uint64_t off, uint32_t v)
{
	assert_true(virtio_mmio_ops.write(&d->t, off, 4, v));
}

static inline uint8_t *guest(struct driver *d, uint64_t addr)
{
	assert_true(addr >= GUEST_RAM && addr - GUEST_RAM < d->ram_size);
	return d->ram + (addr - GUEST_RAM);
}

/* Guest RAM of ram_size bytes (untouched pages cost nothing) and a device
 * behind the transport; nothing negotiated yet. */
static inline void driver_attach(struct driver *d, uint64_t ram_size,
				 const struct virtio_device_ops *ops, void *dev)
{
	memset(d, 0, sizeof(*d));
	d->ram_size = ram_size;
	d->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(d->ram != MAP_FAILED);
	assert_int_equal(bus_add_ram(&d->bus, GUEST_RAM, ram_size, d->ram), 0);
	assert_int_equal(code_map_init(&d->bus.code, d->ram, ram_size), 0);
	virtio_mmio_init(&d->t, &d->bus, ops, dev);
	d->t.irq = (struct irq_line){ driver_irq_set, d, 0 };
}

/* Negotiates features (returning whether FEATURES_OK stuck) */
static inline bool driver_negotiate(struct driver *d, uint64_t features)
{
	reg_write(d, REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	reg_write(d, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(d, REG_DRIVER_FEATURES, (uint32_t)features);
	reg_write(d, REG_DRIVER_FEATURES_SEL, 1);
	reg_write(d, REG_DRIVER_FEATURES, (uint32_t)(features >> 32));
	reg_write(d, REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		  VIRTIO_STATUS_FEATURES_OK);
	return reg_read(d, REG_STATUS) & VIRTIO_STATUS_FEATURES_OK;
}

/* Queue index at the given ring addresses. */
static inline void driver_setup_queue_at(struct driver *d, uint32_t index, uint64_t desc,
					 uint64_t avail, uint64_t used)
{
	reg_write(d, REG_QUEUE_SEL, index);
	reg_write(d, REG_QUEUE_NUM, QUEUE_SIZE);
	reg_write(d, REG_QUEUE_DESC_LOW, (uint32_t)desc);
	reg_write(d, REG_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	reg_write(d, REG_QUEUE_DRIVER_LOW, (uint32_t)avail);
	reg_write(d, REG_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	reg_write(d, REG_QUEUE_DEVICE_LOW, (uint32_t)used);
	reg_write(d, REG_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	reg_write(d, REG_QUEUE_READY, 1);
}

/* Queue 0 at the given ring addresses. */
static inline void driver_setup_queue(struct driver *d, uint64_t desc, uint64_t avail, uint64_t used)
{
	driver_setup_queue_at(d, 0, desc, avail, used);
}

/* The whole initialisation (3.1.1) with exactly the given features. */
static inline void driver_start_exact(struct driver *d, uint64_t ram_size,
				      const struct virtio_device_ops *ops, void *dev, uint64_t features)
{
	driver_attach(d, ram_size, ops, dev);
	assert_true(driver_negotiate(d, features));
	driver_setup_queue(d, DESC_TABLE, AVAIL_RING, USED_RING);
	assert_int_equal(reg_read(d, REG_QUEUE_READY), 1);
	reg_write(d, REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* The whole initialisation with the given features and VERSION_1. */
static inline void driver_start(struct driver *d, uint64_t ram_size,
				const struct virtio_device_ops *ops, void *dev, uint64_t features)
{
	driver_start_exact(d, ram_size, ops, dev, features | (1ull << VIRTIO_F_VERSION_1));
}

static inline void driver_detach(struct driver *d)
{
	code_map_destroy(&d->bus.code);
	munmap(d->ram, d->ram_size);
}

/* Writes descriptor i of the table at table. */
static inline void put_desc(struct driver *d, uint64_t table, uint16_t i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = guest(d, table + 16ull * i);
	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static inline void set_avail_idx(struct driver *d, uint16_t idx)
{
	memcpy(guest(d, AVAIL_RING + 2), &idx, 2);
}

/* Puts head in the available ring and publishes it. */
static inline void make_avail(struct driver *d, uint16_t head)
{
	memcpy(guest(d, AVAIL_RING + 4 + 2 * (d->avail_idx % QUEUE_SIZE)), &head, 2);
	set_avail_idx(d, ++d->avail_idx);
}

static inline void notify(struct driver *d)
{
	reg_write(d, REG_QUEUE_NOTIFY, 0);
}

static inline uint16_t used_idx(struct driver *d)
{
	uint16_t v;
	memcpy(&v, guest(d, USED_RING + 2), 2);
	return v;
}

/* Entry i of the used ring: the chain's head and the length written. */
static inline void used_elem(struct driver *d, uint16_t i, uint32_t *id, uint32_t *len)
{
	const uint8_t *p = guest(d, USED_RING + 4 + 8 * (i % QUEUE_SIZE));
	memcpy(id, p, 4);
	memcpy(len, p + 4, 4);
}

static inline bool needs_reset(struct driver *d)
{
	return reg_read(d, REG_STATUS) & VIRTIO_STATUS_NEEDS_RESET;
}

#endif
