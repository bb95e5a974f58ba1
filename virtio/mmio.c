#include "virtio/mmio.h"

#include <errno.h>
#include <string.h>

/* Register offsets (4.2.2). */
enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_LEN_LOW = 0x0b0,
	REG_SHM_LEN_HIGH = 0x0b4,
	REG_SHM_BASE_LOW = 0x0b8,
	REG_SHM_BASE_HIGH = 0x0bc,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

#define TRANSPORT_FEATURES ((1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX) | \
			    (1ull << VIRTIO_F_VERSION_1))

static uint64_t device_features(const struct virtio_mmio *t)
{
	return t->ops->features(t->dev) | TRANSPORT_FEATURES;
}

/* An empty slot: device ID 0, no queues, no configuration space. */
static uint64_t no_features(const void *dev)
{
	return 0;
}

static const struct virtio_device_ops no_device = { .device_id = 0, .features = no_features };

void virtio_mmio_update_irq(struct virtio_mmio *t)
{
	irq_line_set(&t->irq, t->s.interrupt_status != 0);
}

static void reset(struct virtio_mmio *t)
{
	memset(&t->s, 0, sizeof(t->s));
	virtio_mmio_update_irq(t);
}

/* The driver broke the rules: stop serving it until it resets the device,
 * and tell it through a configuration change notification (2.1.2). */
static void needs_reset(struct virtio_mmio *t)
{
	t->s.status |= VIRTIO_STATUS_NEEDS_RESET;
	t->s.interrupt_status |= VIRTIO_INT_CONFIG_CHANGE;
	virtio_mmio_update_irq(t);
}

void virtio_mmio_init(struct virtio_mmio *t, struct bus *bus,
		      const struct virtio_device_ops *ops, void *dev)
{
	memset(t, 0, sizeof(*t));
	t->bus = bus;
	t->ops = ops ? ops : &no_device;
	t->dev = dev;
}

/* The selected queue, or NULL if the device has no such queue. */
static struct virtq_state *selected_queue(struct virtio_mmio *t)
{
	return t->s.queue_sel < t->ops->num_queues ? &t->s.queue[t->s.queue_sel] : NULL;
}

/* The queue, if the driver has it ready and the device is live. */
static struct virtq_state *live_queue(struct virtio_mmio *t, unsigned queue)
{
	if (queue >= t->ops->num_queues ||
	    (t->s.status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET)) != VIRTIO_STATUS_DRIVER_OK)
		return NULL;
	return t->s.queue[queue].ready ? &t->s.queue[queue] : NULL;
}

void virtio_mmio_signal(struct virtio_mmio *t, unsigned queue)
{
	struct virtq_state *q = live_queue(t, queue);
	if (q && virtq_should_interrupt(t->bus, q)) {
		t->s.interrupt_status |= VIRTIO_INT_USED_BUFFER;
		virtio_mmio_update_irq(t);
	}
}

void virtio_mmio_process(struct virtio_mmio *t, unsigned queue)
{
	struct virtq_state *q = live_queue(t, queue);
	if (!q || (t->ops->device_driven_queues & (1u << queue)))
		return;
	int ret;
	/* Bounded: the driver adds nothing while this runs, and the ring
	 * holds at most num entries. */
	while ((ret = virtq_pop(t->bus, q, &t->chain)) > 0) {
		uint32_t written = 0;
		ret = t->ops->handle(t->dev, queue, &t->chain, &written);
		if (ret == 0)
			ret = virtq_push(t->bus, q, t->chain.head, written);
		if (ret < 0)
			break;
	}
	virtio_mmio_signal(t, queue);
	if (ret < 0)
		needs_reset(t);
}

bool virtio_mmio_has_avail(struct virtio_mmio *t, unsigned queue)
{
	const struct virtq_state *q = live_queue(t, queue);
	return q && virtq_has_avail(t->bus, q);
}

int virtio_mmio_pop(struct virtio_mmio *t, unsigned queue, struct virtq_chain *c)
{
	struct virtq_state *q = live_queue(t, queue);
	if (!q)
		return 0;
	int ret = virtq_pop(t->bus, q, c);
	if (ret < 0)
		needs_reset(t);
	return ret;
}

void virtio_mmio_unpop(struct virtio_mmio *t, unsigned queue, unsigned n)
{
	t->s.queue[queue].last_avail_idx -= (uint16_t)n;
}

int virtio_mmio_push(struct virtio_mmio *t, unsigned queue, uint16_t head, uint32_t written)
{
	struct virtq_state *q = live_queue(t, queue);
	int ret = q ? virtq_push(t->bus, q, head, written) : -EINVAL;
	if (ret < 0)
		needs_reset(t);
	return ret;
}

static uint32_t read_queue_reg(struct virtio_mmio *t, uint64_t off)
{
	const struct virtq_state *q = selected_queue(t);
	if (!q)
		return 0;
	switch (off) {
	case REG_QUEUE_NUM_MAX: return VIRTQ_MAX_SIZE;
	case REG_QUEUE_NUM: return q->num;
	case REG_QUEUE_READY: return q->ready;
	case REG_QUEUE_DESC_LOW: return (uint32_t)q->desc;
	case REG_QUEUE_DESC_HIGH: return (uint32_t)(q->desc >> 32);
	case REG_QUEUE_DRIVER_LOW: return (uint32_t)q->driver;
	case REG_QUEUE_DRIVER_HIGH: return (uint32_t)(q->driver >> 32);
	case REG_QUEUE_DEVICE_LOW: return (uint32_t)q->device;
	case REG_QUEUE_DEVICE_HIGH: return (uint32_t)(q->device >> 32);
	default: return 0;
	}
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t off)
{
	switch (off) {
	case REG_MAGIC: return VIRTIO_MMIO_MAGIC;
	case REG_VERSION: return VIRTIO_MMIO_VERSION;
	case REG_DEVICE_ID: return t->ops->device_id;
	case REG_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
	case REG_DEVICE_FEATURES:
		return t->s.device_features_sel < 2 ?
			(uint32_t)(device_features(t) >> (32 * t->s.device_features_sel)) : 0;
	case REG_INTERRUPT_STATUS: return t->s.interrupt_status;
	case REG_STATUS: return t->s.status;
	/* No shared memory regions, whichever SHMSel picks: a length of -1
	 * says so (4.2.2). */
	case REG_SHM_LEN_LOW: case REG_SHM_LEN_HIGH:
	case REG_SHM_BASE_LOW: case REG_SHM_BASE_HIGH:
		return 0xffffffffu;
	/* The configuration space never changes under the driver. */
	case REG_CONFIG_GENERATION: return 0;
	default: return read_queue_reg(t, off);
	}
}

/* Sets the low or high half of a 64-bit queue address. */
static void set_half(uint64_t *v, bool high, uint32_t val)
{
	*v = high ? (*v & 0xffffffffull) | ((uint64_t)val << 32) : (*v & ~0xffffffffull) | val;
}

/* The queue's layout can change only while it is not ready (4.2.3.2). */
static void write_queue_reg(struct virtio_mmio *t, uint64_t off, uint32_t val)
{
	struct virtq_state *q = selected_queue(t);
	if (!q)
		return;
	if (off == REG_QUEUE_READY) {
		if (!val) {
			q->ready = false;
		} else if (!q->ready) {
			q->event_idx = t->s.driver_features & (1ull << VIRTIO_F_EVENT_IDX);
			q->indirect = t->s.driver_features & (1ull << VIRTIO_F_INDIRECT_DESC);
			q->ready = virtq_valid(t->bus, q);
			if (!q->ready)
				needs_reset(t);
		}
		return;
	}
	if (q->ready)
		return;
	switch (off) {
	/* A size the device cannot take becomes 0, which QueueReady refuses. */
	case REG_QUEUE_NUM: q->num = val <= VIRTQ_MAX_SIZE ? (uint16_t)val : 0; break;
	case REG_QUEUE_DESC_LOW: case REG_QUEUE_DESC_HIGH:
		set_half(&q->desc, off == REG_QUEUE_DESC_HIGH, val);
		break;
	case REG_QUEUE_DRIVER_LOW: case REG_QUEUE_DRIVER_HIGH:
		set_half(&q->driver, off == REG_QUEUE_DRIVER_HIGH, val);
		break;
	case REG_QUEUE_DEVICE_LOW: case REG_QUEUE_DEVICE_HIGH:
		set_half(&q->device, off == REG_QUEUE_DEVICE_HIGH, val);
		break;
	default:
		break;
	}
}

/* FEATURES_OK sticks only if the driver accepted a subset of what the
 * device offers (3.1.1); the driver reads the status back to find out.
 *
 * A driver that leaves out VERSION_1 keeps FEATURES_OK, as on QEMU. Virtio
 * 1.2 says a device should refuse it (6.1: VERSION_1 "indicates compliance
 * with this specification"; 4.2: version 2 of this transport is the
 * non-legacy one), but QEMU checks features at FEATURES_OK only for a
 * driver that accepted VERSION_1 (hw/virtio/virtio.c, virtio_set_status),
 * and guests written for it rely on that: xv6 accepts only device-specific
 * bits and panics when FEATURES_OK does not stick. On a little-endian
 * machine such a driver lays out its rings and requests as a VERSION_1 one
 * does; the one difference our devices see is the network header's size
 * (virtio/net.c). QEMU also takes features it did not offer, silently
 * dropping them; we refuse those still, since a driver that asked for them
 * cannot work on either. */
static void write_status(struct virtio_mmio *t, uint32_t val)
{
	if (val == 0) {
		reset(t);
		return;
	}
	bool accepting = (val & VIRTIO_STATUS_FEATURES_OK) && !(t->s.status & VIRTIO_STATUS_FEATURES_OK);
	if (accepting && (t->s.driver_features & ~device_features(t)))
		val &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	t->s.status = val | (t->s.status & VIRTIO_STATUS_NEEDS_RESET);
}

static void write_reg(struct virtio_mmio *t, uint64_t off, uint32_t val)
{
	switch (off) {
	case REG_DEVICE_FEATURES_SEL: t->s.device_features_sel = val; break;
	case REG_DRIVER_FEATURES_SEL: t->s.driver_features_sel = val; break;
	case REG_DRIVER_FEATURES:
		if (t->s.driver_features_sel < 2 && !(t->s.status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&t->s.driver_features, t->s.driver_features_sel == 1, val);
		break;
	case REG_QUEUE_SEL: t->s.queue_sel = val; break;
	case REG_QUEUE_NOTIFY: virtio_mmio_process(t, val); break;
	case REG_INTERRUPT_ACK:
		t->s.interrupt_status &= ~val;
		virtio_mmio_update_irq(t);
		break;
	case REG_STATUS: write_status(t, val); break;
	default: write_queue_reg(t, off, val); break;
	}
}

/* Registers are 32-bit, aligned (4.2.2.2); the configuration space takes
 * any access size within it. */
static bool virtio_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct virtio_mmio *t = opaque;
	if (off >= REG_CONFIG) {
		if (off - REG_CONFIG + size > t->ops->config_size)
			return false;
		uint8_t buf[8] = { 0 };
		t->ops->config_read(t->dev, (uint32_t)(off - REG_CONFIG), buf, size);
		uint64_t v = 0;
		memcpy(&v, buf, size);
		*val = v;
		return true;
	}
	if (size != 4 || (off & 3))
		return false;
	*val = read_reg(t, off);
	return true;
}

/* The configuration spaces of the devices here are read-only: writes to
 * them are ignored. */
static bool virtio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_mmio *t = opaque;
	if (off >= REG_CONFIG)
		return off - REG_CONFIG + size <= t->ops->config_size;
	if (size != 4 || (off & 3))
		return false;
	write_reg(t, off, (uint32_t)val);
	return true;
}

const struct mmio_ops virtio_mmio_ops = { .read = virtio_read, .write = virtio_write };

static bool virtio_mmio_state_valid(const void *state)
{
	const struct virtio_mmio_state *s = state;
	for (unsigned i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		uint16_t num = s->queue[i].num;
		if (num > VIRTQ_MAX_SIZE || (num & (num - 1)) || (s->queue[i].ready && !num))
			return false;
	}
	return s->interrupt_status <= (VIRTIO_INT_USED_BUFFER | VIRTIO_INT_CONFIG_CHANGE);
}

static const struct state_field virtq_fields[] = {
	STATE_INT(struct virtq_state, desc),
	STATE_INT(struct virtq_state, driver),
	STATE_INT(struct virtq_state, device),
	STATE_INT(struct virtq_state, num),
	STATE_INT(struct virtq_state, last_avail_idx),
	STATE_INT(struct virtq_state, used_idx),
	STATE_INT(struct virtq_state, signalled_used),
	STATE_BOOL(struct virtq_state, ready),
	STATE_BOOL(struct virtq_state, event_idx),
	STATE_BOOL(struct virtq_state, indirect),
};

static const struct state_field virtio_mmio_fields[] = {
	STATE_INT(struct virtio_mmio_state, driver_features),
	STATE_INT(struct virtio_mmio_state, status),
	STATE_INT(struct virtio_mmio_state, device_features_sel),
	STATE_INT(struct virtio_mmio_state, driver_features_sel),
	STATE_INT(struct virtio_mmio_state, queue_sel),
	STATE_INT(struct virtio_mmio_state, interrupt_status),
	STATE_STRUCTS(struct virtio_mmio_state, queue, virtq_fields),
};

const struct state_desc virtio_mmio_state_desc =
	STATE_DESC(STATE_ID('V', 'M', 'I', 'O'), 1, virtio_mmio_fields, virtio_mmio_state_valid);
