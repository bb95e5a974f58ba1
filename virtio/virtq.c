#include "virtio/virtq.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

/* Descriptor flags (2.7.5). */
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define DESC_SIZE 16

/* Ring flags (2.7.6, 2.7.8). */
#define AVAIL_F_NO_INTERRUPT 1

/* Ring layouts (2.7.6, 2.7.8): a 4-byte header (flags, idx), the ring, then
 * the other side's event index. */
#define RING_HEADER 4
#define AVAIL_ENTRY 2
#define USED_ENTRY 8

/* The rings are little-endian, as is every host doppel runs on. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "virtqueues are little-endian");

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint16_t load16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void store(struct bus *bus, uint8_t *p, const void *v, size_t len)
{
	memcpy(p, v, len);
	code_map_written(&bus->code, p, len);
}

static uint64_t avail_size(uint16_t num)
{
	return RING_HEADER + (uint64_t)num * AVAIL_ENTRY + 2;
}

static uint64_t used_size(uint16_t num)
{
	return RING_HEADER + (uint64_t)num * USED_ENTRY + 2;
}

bool virtq_valid(const struct bus *bus, const struct virtq_state *q)
{
	return q->num && q->num <= VIRTQ_MAX_SIZE && !(q->num & (q->num - 1)) &&
	       !(q->desc & 15) && !(q->driver & 1) && !(q->device & 3) &&
	       bus_ram_ptr(bus, q->desc, (uint64_t)q->num * DESC_SIZE) &&
	       bus_ram_ptr(bus, q->driver, avail_size(q->num)) &&
	       bus_ram_ptr(bus, q->device, used_size(q->num));
}

/* The rings are looked up on each use rather than kept as host pointers,
 * so the state stays plain data; virtq_valid vouched for them. */
static uint8_t *avail_ring(const struct bus *bus, const struct virtq_state *q)
{
	return bus_ram_ptr(bus, q->driver, avail_size(q->num));
}

static uint8_t *used_ring(const struct bus *bus, const struct virtq_state *q)
{
	return bus_ram_ptr(bus, q->device, used_size(q->num));
}

static void load_desc(const uint8_t *table, uint16_t i, struct desc *d)
{
	const uint8_t *p = table + (size_t)i * DESC_SIZE;
	memcpy(&d->addr, p, 8);
	memcpy(&d->len, p + 8, 4);
	memcpy(&d->flags, p + 12, 2);
	memcpy(&d->next, p + 14, 2);
}

/* Adds one buffer to the chain. Writable buffers must follow readable ones
 * (2.7.4.2), and the totals must fit the used ring's 32-bit length. */
static int add_buf(struct virtq_chain *c, const struct desc *d)
{
	bool writable = d->flags & DESC_F_WRITE;
	uint8_t *host = bus_ram_ptr(c->bus, d->addr, d->len);

	if (!host || c->n == VIRTQ_MAX_CHAIN || (!writable && c->writable_len))
		return -EINVAL;
	uint64_t *total = writable ? &c->writable_len : &c->readable_len;
	*total += d->len;
	if (c->readable_len + c->writable_len > UINT32_MAX)
		return -EINVAL;
	c->buf[c->n++] = (struct virtq_buf){ host, d->addr, d->len, writable };
	return 0;
}

/* Walks an indirect table (2.7.5.3): its own descriptors, linked by next
 * within the table, none of them indirect again. */
static int walk_indirect(struct virtq_chain *c, const struct desc *ind)
{
	if (ind->len == 0 || ind->len % DESC_SIZE || (ind->flags & DESC_F_NEXT))
		return -EINVAL;
	uint32_t count = ind->len / DESC_SIZE;
	const uint8_t *table = bus_ram_ptr(c->bus, ind->addr, ind->len);
	if (!table)
		return -EINVAL;
	struct desc d;
	uint16_t i = 0;
	/* A chain visits each entry at most once: more steps mean a loop. */
	for (uint32_t steps = 0; steps < count; steps++) {
		load_desc(table, i, &d);
		if ((d.flags & DESC_F_INDIRECT) || add_buf(c, &d) < 0)
			return -EINVAL;
		if (!(d.flags & DESC_F_NEXT))
			return 0;
		if (d.next >= count)
			return -EINVAL;
		i = d.next;
	}
	return -EINVAL;
}

bool virtq_has_avail(const struct bus *bus, const struct virtq_state *q)
{
	const uint8_t *avail = avail_ring(bus, q);
	return q->ready && avail && load16(avail + 2) != q->last_avail_idx;
}

int virtq_pop(struct bus *bus, struct virtq_state *q, struct virtq_chain *c)
{
	const uint8_t *avail = avail_ring(bus, q);
	const uint8_t *table = bus_ram_ptr(bus, q->desc, (uint64_t)q->num * DESC_SIZE);
	if (!q->ready || !avail || !table)
		return -EINVAL;

	uint16_t avail_idx = load16(avail + 2);
	if (avail_idx == q->last_avail_idx && q->event_idx) {
		/* Empty: ask to be notified of the next entry (avail_event,
		 * 2.7.10), then look again for one made meanwhile. */
		uint8_t *used = used_ring(bus, q);
		if (!used)
			return -EINVAL;
		store(bus, used + RING_HEADER + (size_t)q->num * USED_ENTRY, &q->last_avail_idx, 2);
		atomic_thread_fence(memory_order_seq_cst);
		avail_idx = load16(avail + 2);
	}
	if (avail_idx == q->last_avail_idx)
		return 0;
	/* The driver can never be more than a ring ahead (2.7.13.3). */
	if ((uint16_t)(avail_idx - q->last_avail_idx) > q->num)
		return -EINVAL;
	/* Read the ring entry only after seeing idx move (2.7.13.3.1). */
	atomic_thread_fence(memory_order_acquire);
	uint16_t head = load16(avail + RING_HEADER + (q->last_avail_idx % q->num) * AVAIL_ENTRY);
	if (head >= q->num)
		return -EINVAL;
	q->last_avail_idx++;

	c->bus = bus;
	c->head = head;
	c->n = 0;
	c->readable_len = c->writable_len = 0;
	struct desc d;
	uint16_t i = head;
	for (unsigned steps = 0; steps < q->num; steps++) {
		load_desc(table, i, &d);
		if (d.flags & DESC_F_INDIRECT) {
			/* The table's own flags decide direction: the
			 * indirect descriptor's WRITE is ignored (2.7.5.3.2). */
			if (!q->indirect || walk_indirect(c, &d) < 0)
				return -EINVAL;
			return 1;
		}
		if (add_buf(c, &d) < 0)
			return -EINVAL;
		if (!(d.flags & DESC_F_NEXT))
			return 1;
		if (d.next >= q->num)
			return -EINVAL;
		i = d.next;
	}
	return -EINVAL;   /* more descriptors than the table holds: a loop */
}

int virtq_push(struct bus *bus, struct virtq_state *q, uint16_t head, uint32_t written)
{
	uint8_t *used = used_ring(bus, q);
	if (!used)
		return -EINVAL;
	uint32_t elem[2] = { head, written };
	store(bus, used + RING_HEADER + (size_t)(q->used_idx % q->num) * USED_ENTRY, elem, sizeof(elem));
	/* The element must be visible before the index that publishes it. */
	atomic_thread_fence(memory_order_release);
	q->used_idx++;
	store(bus, used + 2, &q->used_idx, 2);
	return 0;
}

bool virtq_should_interrupt(struct bus *bus, struct virtq_state *q)
{
	const uint8_t *avail = avail_ring(bus, q);
	uint16_t old = q->signalled_used, now = q->used_idx;

	if (!avail || old == now)
		return false;
	q->signalled_used = now;
	if (!q->event_idx)
		return !(load16(avail) & AVAIL_F_NO_INTERRUPT);

	atomic_thread_fence(memory_order_seq_cst);
	/* Interrupt if used_event lies among the entries added since the last
	 * decision, in 16-bit ring arithmetic (2.7.10.1). */
	uint16_t used_event = load16(avail + RING_HEADER + (size_t)q->num * AVAIL_ENTRY);
	return (uint16_t)(now - used_event - 1) < (uint16_t)(now - old);
}

int virtq_chain_for_each(const struct virtq_chain *c, bool writable, uint64_t off, uint64_t len,
			 int (*fn)(void *ctx, uint8_t *p, size_t n), void *ctx)
{
	uint64_t part = writable ? c->writable_len : c->readable_len;
	if (off > part || len > part - off)
		return -EINVAL;
	for (unsigned i = 0; i < c->n && len; i++) {
		const struct virtq_buf *b = &c->buf[i];
		if (b->writable != writable)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		size_t n = b->len - off < len ? b->len - off : len;
		int ret = fn(ctx, b->host + off, n);
		if (writable)
			code_map_written(&c->bus->code, b->host + off, n);
		if (ret < 0)
			return ret;
		len -= n;
		off = 0;
	}
	return 0;
}

struct copy {
	uint8_t *mem;
	bool to_guest;
};

static int copy_range(void *ctx, uint8_t *p, size_t n)
{
	struct copy *cp = ctx;
	if (cp->to_guest)
		memcpy(p, cp->mem, n);
	else
		memcpy(cp->mem, p, n);
	cp->mem += n;
	return 0;
}

bool virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len)
{
	struct copy cp = { dst, false };
	return virtq_chain_for_each(c, false, off, len, copy_range, &cp) == 0;
}

bool virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len)
{
	struct copy cp = { (uint8_t *)src, true };
	return virtq_chain_for_each(c, true, off, len, copy_range, &cp) == 0;
}
