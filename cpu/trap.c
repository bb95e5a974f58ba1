#include "cpu/trap.h"

#include "cpu/mmu.h"

void hart_set_priv(struct hart *h, unsigned priv)
{
	h->s.priv = priv;
	hart_tlb_select(h);
}

static uint64_t trap_vector(uint64_t tvec, uint64_t cause)
{
	uint64_t base = tvec & ~3ull;
	/* Vectored mode sends interrupts to base + 4 * cause (spec 3.1.7). */
	if ((tvec & 1) && (cause & CAUSE_INTERRUPT))
		return base + 4 * (cause & 63);
	return base;
}

/* Enters the trap handler for cause, in S-mode if delegated, else M-mode. */
static void trap_enter(struct hart *h, uint64_t cause, uint64_t tval)
{
	struct hart_state *s = &h->s;
	uint64_t deleg = (cause & CAUSE_INTERRUPT) ? s->mideleg : s->medeleg;
	unsigned from = (unsigned)s->priv;

	if (h->trace)
		trace_trap(h, cause, tval);
	s->reservation = RESERVATION_NONE;
	s->wfi = 0;
	if (from <= PRIV_S && ((deleg >> (cause & 63)) & 1)) {
		s->scause = cause;
		s->sepc = s->pc;
		s->stval = tval;
		s->mstatus = (s->mstatus & ~(MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SIE)) |
			     ((s->mstatus & MSTATUS_SIE) ? MSTATUS_SPIE : 0) |
			     (from == PRIV_S ? MSTATUS_SPP : 0);
		s->pc = trap_vector(s->stvec, cause);
		hart_set_priv(h, PRIV_S);
	} else {
		s->mcause = cause;
		s->mepc = s->pc;
		s->mtval = tval;
		s->mstatus = (s->mstatus & ~(MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MIE)) |
			     ((s->mstatus & MSTATUS_MIE) ? MSTATUS_MPIE : 0) |
			     ((uint64_t)from << MSTATUS_MPP_SHIFT);
		s->pc = trap_vector(s->mtvec, cause);
		hart_set_priv(h, PRIV_M);
	}
	h->break_loop = true;
}

void hart_raise(struct hart *h, uint64_t cause, uint64_t tval)
{
	trap_enter(h, cause, tval);
}

void hart_illegal(struct hart *h, const struct insn *in)
{
	hart_raise(h, EXC_ILLEGAL, in->raw);
}

void hart_mret(struct hart *h)
{
	struct hart_state *s = &h->s;
	unsigned mpp = (unsigned)((s->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);

	s->mstatus &= ~(MSTATUS_MIE | MSTATUS_MPP);
	s->mstatus |= MSTATUS_MPIE | ((s->mstatus & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
	/* Returning to a less privileged mode clears MPRV (spec 3.1.6.3). */
	if (mpp != PRIV_M)
		s->mstatus &= ~MSTATUS_MPRV;
	s->pc = s->mepc;
	hart_set_priv(h, mpp);
	h->break_loop = true;
}

void hart_sret(struct hart *h)
{
	struct hart_state *s = &h->s;
	unsigned spp = (s->mstatus & MSTATUS_SPP) ? PRIV_S : PRIV_U;

	s->mstatus &= ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
	s->mstatus |= MSTATUS_SPIE | ((s->mstatus & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
	s->pc = s->sepc;
	hart_set_priv(h, spp);
	h->break_loop = true;
}

uint64_t hart_mip(const struct hart *h)
{
	const struct hart_state *s = &h->s;
	uint64_t mip = s->mip | atomic_load_explicit(&h->irq_lines, memory_order_relaxed);

	/* With Sstc, STIP reflects stimecmp alone (Sstc spec, 2.1). */
	if (s->menvcfg & MENVCFG_STCE) {
		mip &= ~MIP_STIP;
		if (timebase_now(h->time) >= s->stimecmp)
			mip |= MIP_STIP;
	}
	return mip;
}

/* The highest-priority interrupt in mask, in the order of spec 3.1.9. */
static int highest_irq(uint64_t mask)
{
	static const int order[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (mask & (1ull << order[i]))
			return order[i];
	return -1;
}

bool hart_poll_interrupts(struct hart *h)
{
	struct hart_state *s = &h->s;
	uint64_t pending = hart_mip(h) & s->mie;

	if (!pending)
		return !s->wfi;
	/* WFI ends when any enabled interrupt is pending, even if globally
	 * disabled (spec 3.3.3). */
	s->wfi = 0;

	/* M-level interrupts are enabled below M, or in M with MIE; delegated
	 * ones below S, or in S with SIE, and never in M (spec 3.1.6.1). */
	uint64_t m_pending = pending & ~s->mideleg;
	uint64_t s_pending = pending & s->mideleg;
	bool m_on = s->priv < PRIV_M || (s->mstatus & MSTATUS_MIE);
	bool s_on = s->priv < PRIV_S || (s->priv == PRIV_S && (s->mstatus & MSTATUS_SIE));
	uint64_t take = (m_on ? m_pending : 0) | (s_on ? s_pending : 0);
	int irq = m_on && m_pending ? highest_irq(m_pending) : highest_irq(take);

	if (irq >= 0)
		trap_enter(h, CAUSE_INTERRUPT | (uint64_t)irq, 0);
	return true;
}
