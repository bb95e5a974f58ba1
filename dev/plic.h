/* The SiFive-compatible PLIC of QEMU's virt board (RISC-V PLIC spec): 96
 * sources (0 is reserved), priorities 0..7, and two contexts per hart:
 * context 2h takes hart h's M-mode external interrupt, 2h+1 its S-mode one.
 * Each assertion of a source's line is an interrupt request, as on QEMU's
 * virt board (plic.c, plic_set_irq). Harts and devices reach it from
 * several threads, so every entry point takes the PLIC's lock. */
#ifndef DOPPEL_DEV_PLIC_H
#define DOPPEL_DEV_PLIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "state/fields.h"
#include "util/irq.h"

#define PLIC_NSOURCES 96
#define PLIC_WORDS (PLIC_NSOURCES / 32)   /* 32-bit words of one bit per source */
#define PLIC_MAX_HARTS 64
#define PLIC_MAX_CONTEXTS (2 * PLIC_MAX_HARTS)
/* The register space of the contexts of nharts harts (QEMU virt's
 * VIRT_PLIC_SIZE): the window a board maps must hold at least this. */
#define PLIC_MMIO_SIZE(nharts) (0x200000ull + 0x1000ull * 2 * (nharts))

/* Saved state: plain data. */
struct plic_state {
	uint32_t priority[PLIC_NSOURCES];
	uint32_t pending[PLIC_WORDS];      /* of a claimed source: held until completion */
	uint32_t claimed[PLIC_WORDS];      /* claimed and not yet completed */
	uint32_t level[PLIC_WORDS];        /* input line levels */
	uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CONTEXTS];
};

struct plic {
	struct plic_state s;
	unsigned ncontexts;
	pthread_mutex_t lock;
	/* Outputs, one per context: wire them to the harts' MEIP / SEIP. */
	struct irq_line ctx_irq[PLIC_MAX_CONTEXTS];
};

extern const struct mmio_ops plic_ops;

/* nharts is clamped to 1..PLIC_MAX_HARTS. Outputs start unconnected. */
void plic_init(struct plic *p, unsigned nharts);
void plic_destroy(struct plic *p);
/* Registers back to zero; the input levels belong to the devices and stay,
 * so a line that is high is pending again. Drives the outputs. */
void plic_reset(struct plic *p);
/* Re-drives every output from the state (after restoring a snapshot). */
void plic_update(struct plic *p);

/* An input line (the util/irq.h target signature): plic is a struct plic,
 * src the source id; ids 0 and >= PLIC_NSOURCES are ignored. */
void plic_set_irq(void *plic, unsigned src, bool level);

extern const struct state_desc plic_state_desc;

#endif
