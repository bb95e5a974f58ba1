/* The SiFive CLINT layout of ACLINT MSWI + MTIMER (ACLINT spec; QEMU virt
 * places it at 0x2000000): per-hart msip at 0x0, mtimecmp at 0x4000, and the
 * shared mtime at 0xbff8, counting at TIMEBASE_HZ. */
#ifndef DOPPEL_DEV_CLINT_H
#define DOPPEL_DEV_CLINT_H

#include "cpu/bus.h"
#include "state/fields.h"
#include "util/irq.h"
#include "util/timebase.h"

#define CLINT_MAX_HARTS 64
#define CLINT_SIZE 0x10000

/* Saved state: plain data. */
struct clint_state {
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
};

struct clint {
	struct clint_state s;
	unsigned nharts;
	struct timebase *time;
	struct irq_line msi[CLINT_MAX_HARTS], mti[CLINT_MAX_HARTS];
};

extern const struct mmio_ops clint_ops;

/* nharts is clamped to 1..CLINT_MAX_HARTS. */
void clint_init(struct clint *c, unsigned nharts, struct timebase *tb);
/* Re-evaluates the timer lines against the current time. */
void clint_update(struct clint *c);
/* The earliest mtimecmp of any hart (guest ticks). */
uint64_t clint_next_deadline(const struct clint *c);

/* Drives every output line from the state (after restoring a snapshot). */
void clint_drive_lines(struct clint *c);

extern const struct state_desc clint_state_desc;

#endif
