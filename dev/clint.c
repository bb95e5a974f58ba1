#include "dev/clint.h"

#include <string.h>

#define MSIP_BASE 0x0
#define MTIMECMP_BASE 0x4000
#define MTIME_OFF 0xbff8

/* Each hart's registers lie below the next block's (ACLINT spec: 4095
 * MSWI harts, 4095 MTIMER harts). */
_Static_assert(MSIP_BASE + 4 * CLINT_MAX_HARTS <= MTIMECMP_BASE, "msip overlaps mtimecmp");
_Static_assert(MTIMECMP_BASE + 8 * CLINT_MAX_HARTS <= MTIME_OFF, "mtimecmp overlaps mtime");

void clint_init(struct clint *c, unsigned nharts, struct timebase *tb)
{
	memset(c, 0, sizeof(*c));
	if (nharts < 1)
		nharts = 1;
	if (nharts > CLINT_MAX_HARTS)
		nharts = CLINT_MAX_HARTS;
	c->nharts = nharts;
	c->time = tb;
	for (unsigned i = 0; i < CLINT_MAX_HARTS; i++)
		c->s.mtimecmp[i] = ~0ull;
}

void clint_update(struct clint *c)
{
	uint64_t now = timebase_now(c->time);
	for (unsigned i = 0; i < c->nharts; i++)
		irq_line_set(&c->mti[i], now >= c->s.mtimecmp[i]);
}

uint64_t clint_next_deadline(const struct clint *c)
{
	uint64_t next = ~0ull;
	for (unsigned i = 0; i < c->nharts; i++)
		if (c->s.mtimecmp[i] < next)
			next = c->s.mtimecmp[i];
	return next;
}

/* Reads or writes size bytes at byte offset off of a 64-bit register. */
static uint64_t reg_read(uint64_t reg, uint64_t off, unsigned size)
{
	uint64_t v = reg >> (8 * (off & 7));
	return size == 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static uint64_t reg_write(uint64_t reg, uint64_t off, unsigned size, uint64_t val)
{
	unsigned shift = 8 * (off & 7);
	uint64_t mask = (size == 8 ? ~0ull : (1ull << (8 * size)) - 1) << shift;
	return (reg & ~mask) | ((val << shift) & mask);
}

static bool clint_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct clint *c = dev;

	if (off < MSIP_BASE + 4ull * c->nharts) {
		*val = size <= 4 ? c->s.msip[off / 4] >> (8 * (off & 3)) : 0;
		return size <= 4;
	}
	if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + 8ull * c->nharts) {
		*val = reg_read(c->s.mtimecmp[(off - MTIMECMP_BASE) / 8], off, size);
		return true;
	}
	if (off >= MTIME_OFF && off < MTIME_OFF + 8) {
		*val = reg_read(timebase_now(c->time), off, size);
		return true;
	}
	*val = 0;   /* unassigned offsets read as zero (ACLINT spec) */
	return true;
}

static bool clint_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct clint *c = dev;

	if (off < MSIP_BASE + 4ull * c->nharts) {
		if (size > 4 || (off & 3))
			return size <= 4;
		unsigned hart = (unsigned)(off / 4);
		c->s.msip[hart] = (uint32_t)val & 1;   /* only bit 0 is writable */
		irq_line_set(&c->msi[hart], c->s.msip[hart]);
		return true;
	}
	if (off >= MTIMECMP_BASE && off < MTIMECMP_BASE + 8ull * c->nharts) {
		uint64_t *cmp = &c->s.mtimecmp[(off - MTIMECMP_BASE) / 8];
		*cmp = reg_write(*cmp, off, size, val);
		clint_update(c);
		return true;
	}
	if (off >= MTIME_OFF && off < MTIME_OFF + 8) {
		timebase_set(c->time, reg_write(timebase_now(c->time), off, size, val));
		clint_update(c);
	}
	return true;
}

const struct mmio_ops clint_ops = { .read = clint_read, .write = clint_write };

void clint_drive_lines(struct clint *c)
{
	for (unsigned i = 0; i < c->nharts; i++)
		irq_line_set(&c->msi[i], c->s.msip[i] & 1);
	clint_update(c);
}

static bool clint_state_valid(const void *state)
{
	const struct clint_state *s = state;
	for (unsigned i = 0; i < CLINT_MAX_HARTS; i++)
		if (s->msip[i] > 1)
			return false;
	return true;
}

static const struct state_field clint_fields[] = {
	STATE_INTS(struct clint_state, msip, uint32_t),
	STATE_INTS(struct clint_state, mtimecmp, uint64_t),
};

const struct state_desc clint_state_desc =
	STATE_DESC(STATE_ID('C', 'L', 'N', 'T'), 2, clint_fields, clint_state_valid);
