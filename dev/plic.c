#include "dev/plic.h"

#include <string.h>

/* Memory map (RISC-V PLIC spec, "Memory Map"). */
#define PRIORITY_BASE     0x0
#define PENDING_BASE      0x1000
#define ENABLE_BASE       0x2000
#define ENABLE_STRIDE     0x80
#define CONTEXT_BASE      0x200000
#define CONTEXT_STRIDE    0x1000
#define CONTEXT_THRESHOLD 0x0
#define CONTEXT_CLAIM     0x4

/* Every context's enables lie below the first context's threshold, and
 * the contexts' blocks end where PLIC_MMIO_SIZE says. */
_Static_assert(ENABLE_BASE + ENABLE_STRIDE * PLIC_MAX_CONTEXTS <= CONTEXT_BASE,
	       "the enable blocks overlap the context blocks");
_Static_assert(CONTEXT_BASE + CONTEXT_STRIDE * PLIC_MAX_CONTEXTS == PLIC_MMIO_SIZE(PLIC_MAX_HARTS),
	       "PLIC_MMIO_SIZE does not match the context blocks");

/* Three priority bits, WARL: higher bits are dropped, as QEMU virt does. */
#define PRIORITY_MASK 7u

static bool bit_get(const uint32_t *words, unsigned src)
{
	return (words[src / 32] >> (src % 32)) & 1;
}

static void bit_put(uint32_t *words, unsigned src, bool on)
{
	if (on)
		words[src / 32] |= 1u << (src % 32);
	else
		words[src / 32] &= ~(1u << (src % 32));
}

/* The pending, enabled source with the highest priority for ctx (ties: the
 * lowest id), or 0. Priority 0 means "never interrupt" (spec, "Interrupt
 * Priorities"). A claimed source's pending bit is the request its gateway
 * holds until completion, so it is not chosen. */
static unsigned best_source(const struct plic *p, unsigned ctx, uint32_t *prio)
{
	unsigned best = 0;
	uint32_t best_prio = 0;

	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t candidates = p->s.pending[w] & ~p->s.claimed[w] & p->s.enable[ctx][w];
		while (candidates) {
			unsigned src = w * 32 + (unsigned)__builtin_ctz(candidates);
			candidates &= candidates - 1;
			if (p->s.priority[src] > best_prio) {
				best = src;
				best_prio = p->s.priority[src];
			}
		}
	}
	*prio = best_prio;
	return best;
}

/* A context's notification: some pending, enabled source above its
 * threshold (spec, "Priority Thresholds"). Called with the lock held. */
static void update_outputs(struct plic *p)
{
	for (unsigned ctx = 0; ctx < p->ncontexts; ctx++) {
		uint32_t prio;
		unsigned src = best_source(p, ctx, &prio);
		irq_line_set(&p->ctx_irq[ctx], src != 0 && prio > p->s.threshold[ctx]);
	}
}

void plic_init(struct plic *p, unsigned nharts)
{
	memset(p, 0, sizeof(*p));
	if (nharts < 1)
		nharts = 1;
	if (nharts > PLIC_MAX_HARTS)
		nharts = PLIC_MAX_HARTS;
	p->ncontexts = 2 * nharts;
	pthread_mutex_init(&p->lock, NULL);
}

void plic_destroy(struct plic *p)
{
	pthread_mutex_destroy(&p->lock);
}

void plic_reset(struct plic *p)
{
	pthread_mutex_lock(&p->lock);
	uint32_t level[PLIC_WORDS];
	memcpy(level, p->s.level, sizeof(level));
	memset(&p->s, 0, sizeof(p->s));
	memcpy(p->s.level, level, sizeof(level));
	memcpy(p->s.pending, level, sizeof(level));
	update_outputs(p);
	pthread_mutex_unlock(&p->lock);
}

void plic_update(struct plic *p)
{
	pthread_mutex_lock(&p->lock);
	update_outputs(p);
	pthread_mutex_unlock(&p->lock);
}

/* The gateway (spec, "Interrupt Gateways") is QEMU's (hw/intc/sifive_plic.c),
 * not the spec's level-triggered one. Every assertion of the line is a
 * request (devices assert it when they have a new reason to interrupt,
 * util/irq.h), and a deassertion withdraws a request not yet claimed, as in
 * QEMU 7.2 (Debian 12's; later QEMU keeps such a request until it is
 * claimed). A request made while the source is in service waits in its
 * pending bit until completion, so one that comes while the handler runs
 * is not lost; completion itself does not look at the line (complete), in
 * every QEMU version. The spec's level-triggered gateway forwards a new
 * request at completion whenever the line is still asserted; guests
 * written for QEMU's virt board rely on it not doing so: xv6 enables the
 * 16550's THR-empty interrupt and never reads IIR to acknowledge it, so
 * that line stays asserted, and under the spec's gateway its handler would
 * run for ever. Linux's drivers remove the cause in their handlers (8250
 * reads IIR, virtio-mmio acknowledges INTERRUPT_STATUS), and what comes
 * after that is a new assertion. */
void plic_set_irq(void *plic, unsigned src, bool level)
{
	struct plic *p = plic;

	if (src == 0 || src >= PLIC_NSOURCES)
		return;
	pthread_mutex_lock(&p->lock);
	bit_put(p->s.level, src, level);
	bit_put(p->s.pending, src, level);
	update_outputs(p);
	pthread_mutex_unlock(&p->lock);
}

/* Claim (spec, "Interrupt Claim Process"): the claim is not affected by the
 * threshold; it clears the pending bit and puts the source in service. */
static uint32_t claim(struct plic *p, unsigned ctx)
{
	uint32_t prio;
	unsigned src = best_source(p, ctx, &prio);

	if (src) {
		bit_put(p->s.pending, src, false);
		bit_put(p->s.claimed, src, true);
	}
	return src;
}

/* Completion (spec, "Interrupt Completion"): ignored unless the id is a
 * source enabled for the context. A request the gateway held meanwhile
 * becomes pending; a line still asserted since the claim is not a new
 * request (plic_set_irq). */
static void complete(struct plic *p, unsigned ctx, uint32_t id)
{
	if (id == 0 || id >= PLIC_NSOURCES || !bit_get(p->s.enable[ctx], id))
		return;
	bit_put(p->s.claimed, id, false);
}

/* Which context's block an offset falls in, given the block base and
 * stride; false for offsets outside every existing context. */
static bool context_of(const struct plic *p, uint64_t off, uint64_t base, uint64_t stride,
		       unsigned *ctx, uint64_t *rel)
{
	if (off < base || off >= base + stride * p->ncontexts)
		return false;
	*ctx = (unsigned)((off - base) / stride);
	*rel = (off - base) % stride;
	return true;
}

/* Unimplemented offsets read as zero and ignore writes. */
static uint32_t read_reg(struct plic *p, uint64_t off)
{
	unsigned ctx;
	uint64_t rel;

	if (off < PRIORITY_BASE + 4 * PLIC_NSOURCES)
		return p->s.priority[off / 4];
	/* A request held for a source in service is not in the core yet. */
	if (off >= PENDING_BASE && off < PENDING_BASE + 4 * PLIC_WORDS)
		return p->s.pending[(off - PENDING_BASE) / 4] & ~p->s.claimed[(off - PENDING_BASE) / 4];
	if (context_of(p, off, ENABLE_BASE, ENABLE_STRIDE, &ctx, &rel))
		return rel < 4 * PLIC_WORDS ? p->s.enable[ctx][rel / 4] : 0;
	if (context_of(p, off, CONTEXT_BASE, CONTEXT_STRIDE, &ctx, &rel)) {
		if (rel == CONTEXT_THRESHOLD)
			return p->s.threshold[ctx];
		if (rel == CONTEXT_CLAIM)
			return claim(p, ctx);
	}
	return 0;
}

static void write_reg(struct plic *p, uint64_t off, uint32_t val)
{
	unsigned ctx;
	uint64_t rel;

	if (off < PRIORITY_BASE + 4 * PLIC_NSOURCES) {
		/* Source 0 does not exist: its priority stays 0. */
		if (off >= 4)
			p->s.priority[off / 4] = val & PRIORITY_MASK;
	} else if (context_of(p, off, ENABLE_BASE, ENABLE_STRIDE, &ctx, &rel)) {
		if (rel < 4 * PLIC_WORDS)
			p->s.enable[ctx][rel / 4] = rel == 0 ? val & ~1u : val;
	} else if (context_of(p, off, CONTEXT_BASE, CONTEXT_STRIDE, &ctx, &rel)) {
		if (rel == CONTEXT_THRESHOLD)
			p->s.threshold[ctx] = val & PRIORITY_MASK;
		else if (rel == CONTEXT_CLAIM)
			complete(p, ctx, val);
	}
	/* The pending bits are read-only (spec, "Interrupt Pending Bits"). */
}

/* Registers are 32 bits wide; other widths and misaligned accesses fault,
 * as on QEMU virt. */
static bool plic_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct plic *p = dev;

	if (size != 4 || (off & 3))
		return false;
	pthread_mutex_lock(&p->lock);
	*val = read_reg(p, off);
	update_outputs(p);
	pthread_mutex_unlock(&p->lock);
	return true;
}

static bool plic_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct plic *p = dev;

	if (size != 4 || (off & 3))
		return false;
	pthread_mutex_lock(&p->lock);
	write_reg(p, off, (uint32_t)val);
	update_outputs(p);
	pthread_mutex_unlock(&p->lock);
	return true;
}

const struct mmio_ops plic_ops = { .read = plic_read, .write = plic_write };

/* Priorities and thresholds hold 0..7 (PRIORITY_MASK); source 0 does
 * not exist and is never pending. */
static bool plic_state_valid(const void *state)
{
	const struct plic_state *s = state;
	for (unsigned i = 0; i < PLIC_NSOURCES; i++)
		if (s->priority[i] > PRIORITY_MASK)
			return false;
	for (unsigned c = 0; c < PLIC_MAX_CONTEXTS; c++)
		if (s->threshold[c] > PRIORITY_MASK)
			return false;
	return !((s->pending[0] | s->claimed[0]) & 1);
}

static const struct state_field plic_fields[] = {
	STATE_INTS(struct plic_state, priority, uint32_t),
	STATE_INTS(struct plic_state, pending, uint32_t),
	STATE_INTS(struct plic_state, claimed, uint32_t),
	STATE_INTS(struct plic_state, level, uint32_t),
	STATE_INTS(struct plic_state, enable, uint32_t),
	STATE_INTS(struct plic_state, threshold, uint32_t),
};

const struct state_desc plic_state_desc =
	STATE_DESC(STATE_ID('P', 'L', 'I', 'C'), 2, plic_fields, plic_state_valid);
