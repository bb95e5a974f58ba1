/* Interrupts (spec 3.1.6.1, 3.1.7, 3.1.9, 4.1.3): which mip bits software may
 * set, when a pending and enabled interrupt is taken (global enables per mode,
 * delegation), the fixed priority order, sip/sie as views of mip/mie, and the
 * vectored mode of mtvec and stvec. */
#include "priv_harness.h"

static volatile struct trap_record mtrap, strap;

/* The interrupts taken, in order, each with the mode it went to (M or S)
 * and the vector slot it arrived through. */
struct taken {
	uint64_t cause, to, slot;
};
static volatile struct taken taken[16];
static volatile unsigned n_taken;

/* Set by the vector table stubs below: which slot was entered. */
#define NO_SLOT 31
static volatile uint64_t last_m_slot;

static void note_taken(uint64_t cause, uint64_t to, uint64_t slot)
{
	if (n_taken < 16) {
		taken[n_taken].cause = cause;
		taken[n_taken].to = to;
		taken[n_taken].slot = slot;
	}
	n_taken++;
}

/* Stops interrupt irq from being taken again: its enable bit off and, where
 * software can, its source cleared. */
static void silence_from_m(uint64_t irq)
{
	csr_clear(mie, IRQ_BIT(irq));
	if (irq == IRQ_MSI)
		*CLINT_MSIP = 0;
	else if (irq == IRQ_MTI)
		*CLINT_MTIMECMP = ~0ull;
	else
		csr_clear(mip, IRQ_BIT(irq));
}

void mtrap_handler(struct trap_frame *f)
{
	uint64_t slot = csr_read(mscratch);
	csr_write(mscratch, NO_SLOT);
	last_m_slot = slot;
	if (priv_call_returned(f))
		return;
	if (f->cause & CAUSE_INTERRUPT) {
		note_taken(f->cause, PRIV_M, slot);
		silence_from_m(f->cause & 63);
	}
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

void strap_handler(struct trap_frame *f)
{
	uint64_t slot = csr_read(sscratch);
	csr_write(sscratch, NO_SLOT);
	if (f->cause & CAUSE_INTERRUPT) {
		note_taken(f->cause, PRIV_S, slot);
		/* S-mode can clear its enable bit, and SSIP, through the views. */
		csr_clear(sie, IRQ_BIT(f->cause & 63));
		csr_clear(sip, IRQ_BIT(IRQ_SSI) & IRQ_BIT(f->cause & 63));
	}
	trap_record(&strap, f, csr_read(sstatus));
	trap_step_over(f);
}

/* Vector tables for vectored mtvec and stvec: slot i notes i in mscratch
 * (sscratch) and enters the common trap entry. Slot 0 also takes exceptions. */
#define VECTOR_TABLE(name, scratch, entry) \
	"	.balign 256\n" \
	"	.globl " name "\n" \
	name ":\n" \
	"	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n" \
	"	j	" name "_\\i\n" \
	"	.endr\n" \
	"	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n" \
	name "_\\i:\n" \
	"	csrwi	" scratch ", \\i\n" \
	"	j	" entry "\n" \
	"	.endr\n"

__asm__(".text\n"
	".option push\n.option norvc\n"
	VECTOR_TABLE("m_vectors", "mscratch", "__mtrap_entry")
	VECTOR_TABLE("s_vectors", "sscratch", "__strap_entry")
	".option pop\n");
extern char m_vectors[], s_vectors[];

static void reset_state(void)
{
	csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
	csr_write(mie, 0);
	csr_write(mideleg, 0);
	csr_clear(mip, IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI) | IRQ_BIT(IRQ_SEI));
	*CLINT_MSIP = 0;
	*CLINT_MTIMECMP = ~0ull;
	n_taken = 0;
	trap_record_clear(&mtrap);
	trap_record_clear(&strap);
	csr_write(mscratch, NO_SLOT);
	csr_write(sscratch, NO_SLOT);
}

/* Writes to the CLINT reach mip "eventually" (3.2.1): wait for them. */
static void wait_mip(uint64_t bits, uint64_t want)
{
	for (unsigned i = 0; i < 1000000 && (csr_read(mip) & bits) != want; i++)
		;
	CHECK_EQ(csr_read(mip) & bits, want, 99);
}

#define S_IRQS (IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI) | IRQ_BIT(IRQ_SEI))
#define M_IRQS (IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI) | IRQ_BIT(IRQ_MEI))

/* M-mode software may set SSIP, STIP and SEIP in mip (3.1.9; STIP only
 * while Sstc's STCE is 0); MSIP, MTIP and MEIP are read-only there. */
static void check_mip_writable_bits(void)
{
	reset_state();
	wait_mip(M_IRQS, 0);
	csr_set(mip, S_IRQS | M_IRQS);
	CHECK_EQ(csr_read(mip) & (S_IRQS | M_IRQS), S_IRQS, 1);
	csr_clear(mip, S_IRQS);
	CHECK_EQ(csr_read(mip) & (S_IRQS | M_IRQS), 0, 2);
	/* mie has a writable bit for each interrupt that can become pending. */
	csr_write(mie, S_IRQS | M_IRQS);
	CHECK_EQ(csr_read(mie) & (S_IRQS | M_IRQS), S_IRQS | M_IRQS, 3);
	csr_write(mie, 0);
}

/* In M-mode a pending, enabled, not delegated interrupt is taken exactly
 * when MIE is set, right after the CSR write that set it (3.1.9). */
static void check_taken_in_m(void)
{
	reset_state();
	csr_write(mie, IRQ_BIT(IRQ_SSI));
	csr_set(mip, IRQ_BIT(IRQ_SSI));
	for (int i = 0; i < 100; i++)
		__asm__ volatile("nop");
	CHECK_EQ(n_taken, 0, 10);
	uint64_t after;
	__asm__ volatile("lla %0, 1f\n\tcsrsi mstatus, 1 << 3\n1:\tnop" : "=&r"(after) :: "memory");
	CHECK_EQ(n_taken, 1, 11);
	CHECK_EQ(taken[0].cause, CAUSE_INTERRUPT | IRQ_SSI, 11);
	CHECK_TRAP(mtrap, CAUSE_INTERRUPT | IRQ_SSI, after, 0, 12);
	/* The trap stacked MIE into MPIE and M into MPP. */
	CHECK_EQ(mtrap.status & (MSTATUS_MIE | MSTATUS_MPIE), MSTATUS_MPIE, 13);
	CHECK_EQ(mtrap.status & MSTATUS_MPP, MSTATUS_MPP_M, 13);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_MIE, MSTATUS_MIE, 14);
	reset_state();
}

/* Several pending at once go in the order MEI, MSI, MTI, SEI, SSI, STI. */
static void check_priority(void)
{
	static const uint64_t order[] = { IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };
	reset_state();
	*CLINT_MSIP = 1;
	*CLINT_MTIMECMP = 0;
	csr_set(mip, S_IRQS);
	wait_mip(IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI), IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI));
	csr_write(mie, S_IRQS | IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI));
	csr_set(mstatus, MSTATUS_MIE);
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ(n_taken, 5, 20);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(taken[i].cause, CAUSE_INTERRUPT | order[i], 21 + (int)i);
	reset_state();
}

static uint64_t nothing(uint64_t arg)
{
	return arg;
}

static uint64_t read_sip(uint64_t arg)
{
	return csr_read(sip);
}

static uint64_t enable_sie(uint64_t arg)
{
	csr_set(sstatus, MSTATUS_SIE);
	for (int i = 0; i < 10; i++)
		__asm__ volatile("nop");
	csr_clear(sstatus, MSTATUS_SIE);
	return arg;
}

/* M-level interrupts are taken in S and U whatever MIE is (3.1.6.1). */
static void check_m_irq_below_m(unsigned priv, int n)
{
	reset_state();
	csr_write(mie, IRQ_BIT(IRQ_STI));
	csr_set(mip, IRQ_BIT(IRQ_STI));
	CHECK_EQ(priv_call(priv, nothing, 7), 7, n);
	CHECK_EQ(n_taken, 1, n);
	CHECK_EQ(taken[0].to, PRIV_M, n);
	CHECK_EQ(mtrap.cause, CAUSE_INTERRUPT | IRQ_STI, n);
	/* Taken before fn's first instruction, from priv. */
	CHECK_EQ(mtrap.epc, (uint64_t)nothing, n);
	CHECK_EQ((mtrap.status >> MSTATUS_MPP_SHIFT) & 3, priv, n);
	reset_state();
}

/* A delegated interrupt is never taken in M, is taken in S only with SIE,
 * and always in U (3.1.6.1, 3.1.8). */
static void check_delegated(void)
{
	reset_state();
	csr_write(mideleg, IRQ_BIT(IRQ_SSI));
	csr_write(mie, IRQ_BIT(IRQ_SSI));
	csr_set(mip, IRQ_BIT(IRQ_SSI));
	csr_set(mstatus, MSTATUS_MIE | MSTATUS_SIE);
	for (int i = 0; i < 100; i++)
		__asm__ volatile("nop");
	csr_clear(mstatus, MSTATUS_MIE | MSTATUS_SIE);
	CHECK_EQ(n_taken, 0, 30);

	/* In S with SIE = 0: pending and visible in sip, not taken. */
	uint64_t sip = priv_call(PRIV_S, read_sip, 0);
	CHECK_EQ(n_taken, 0, 31);
	CHECK_EQ(sip & IRQ_BIT(IRQ_SSI), IRQ_BIT(IRQ_SSI), 31);

	/* In S, setting SIE lets it in, to S. */
	priv_call(PRIV_S, enable_sie, 0);
	CHECK_EQ(n_taken, 1, 32);
	CHECK_EQ(taken[0].to, PRIV_S, 32);
	CHECK_EQ(strap.cause, CAUSE_INTERRUPT | IRQ_SSI, 32);
	CHECK_EQ(strap.tval, 0, 32);
	CHECK_EQ(strap.status & (MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE),
		 MSTATUS_SPP | MSTATUS_SPIE, 33);
	CHECK_EQ(mtrap.count, 0, 33);

	/* In U it is taken even with SIE = 0, with SPP = U. */
	reset_state();
	csr_write(mideleg, IRQ_BIT(IRQ_STI));
	csr_write(mie, IRQ_BIT(IRQ_STI));
	csr_set(mip, IRQ_BIT(IRQ_STI));
	priv_call(PRIV_U, nothing, 0);
	CHECK_EQ(n_taken, 1, 34);
	CHECK_EQ(taken[0].to, PRIV_S, 34);
	CHECK_EQ(strap.cause, CAUSE_INTERRUPT | IRQ_STI, 34);
	CHECK_EQ(strap.epc, (uint64_t)nothing, 34);
	CHECK_EQ(strap.status & (MSTATUS_SPP | MSTATUS_SIE), 0, 35);
	csr_clear(mip, IRQ_BIT(IRQ_STI));
	reset_state();
}

/* Interrupts for M come before those for S whatever their numbers: in U with
 * SSI delegated and STI not, STI (to M) goes first (3.1.9). */
static void check_m_before_s(void)
{
	reset_state();
	csr_write(mideleg, IRQ_BIT(IRQ_SSI));
	csr_write(mie, IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI));
	csr_set(mip, IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI));
	priv_call(PRIV_U, nothing, 0);
	CHECK_EQ(n_taken, 2, 40);
	CHECK_EQ(taken[0].cause, CAUSE_INTERRUPT | IRQ_STI, 41);
	CHECK_EQ(taken[0].to, PRIV_M, 41);
	CHECK_EQ(taken[1].cause, CAUSE_INTERRUPT | IRQ_SSI, 42);
	CHECK_EQ(taken[1].to, PRIV_S, 42);
	reset_state();
}

static uint64_t s_writes_sie_sip(uint64_t arg)
{
	csr_write(sie, ~0ull);
	csr_set(sip, ~0ull);
	return csr_read(sip);
}

/* sip and sie show only the delegated bits; through sip, S-mode can set SSIP
 * but not STIP or SEIP (4.1.3). */
static void check_views(void)
{
	reset_state();
	csr_write(mideleg, IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI));
	/* SEI pending but not enabled (it is not delegated, so it would be
	 * taken in S), MSI and MTI enabled but not pending. */
	csr_write(mie, IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI));
	csr_set(mip, IRQ_BIT(IRQ_SEI));
	CHECK_EQ(csr_read(sie), 0, 50);
	CHECK_EQ(csr_read(sip), 0, 50);
	priv_call(PRIV_S, s_writes_sie_sip, 0);
	CHECK_EQ(csr_read(mie), IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI) | IRQ_BIT(IRQ_SSI) |
		 IRQ_BIT(IRQ_STI), 51);
	CHECK_EQ(csr_read(mip) & (S_IRQS | M_IRQS), IRQ_BIT(IRQ_SEI) | IRQ_BIT(IRQ_SSI), 52);
	CHECK_EQ(csr_read(sip), IRQ_BIT(IRQ_SSI), 53);
	CHECK_EQ(csr_read(sie), IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI), 53);
	/* M sets STIP; S sees it in sip. */
	csr_set(mip, IRQ_BIT(IRQ_STI));
	CHECK_EQ(csr_read(sip), IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI), 54);
	csr_clear(mip, S_IRQS);
	reset_state();
}

/* Vectored mode: interrupts enter at BASE + 4 * cause, exceptions at BASE
 * (3.1.7, 4.1.2). */
static void check_vectored(void)
{
	reset_state();
	csr_write(mtvec, (uint64_t)m_vectors | 1);
	CHECK_EQ(csr_read(mtvec), (uint64_t)m_vectors | 1, 60);
	*CLINT_MSIP = 1;
	*CLINT_MTIMECMP = 0;
	csr_set(mip, S_IRQS);
	wait_mip(IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI), IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI));
	csr_write(mie, S_IRQS | IRQ_BIT(IRQ_MSI) | IRQ_BIT(IRQ_MTI));
	csr_set(mstatus, MSTATUS_MIE);
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ(n_taken, 5, 61);
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(taken[i].slot, taken[i].cause & 63, 62 + (int)i);
	trap_record_clear(&mtrap);
	__asm__ volatile("ebreak");
	CHECK_EQ(mtrap.cause, CAUSE_BREAKPOINT, 67);
	CHECK_EQ(last_m_slot, 0, 67);

	reset_state();
	csr_write(stvec, (uint64_t)s_vectors | 1);
	CHECK_EQ(csr_read(stvec), (uint64_t)s_vectors | 1, 70);
	csr_write(mideleg, S_IRQS);
	csr_write(mie, S_IRQS);
	csr_set(mip, S_IRQS);
	priv_call(PRIV_U, nothing, 0);
	CHECK_EQ(n_taken, 3, 71);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_EQ(taken[i].to, PRIV_S, 72 + (int)i);
		CHECK_EQ(taken[i].slot, taken[i].cause & 63, 72 + (int)i);
	}
	csr_clear(mip, S_IRQS);
	reset_state();
	csr_write(mtvec, (uint64_t)__mtrap_entry);
	csr_write(stvec, (uint64_t)__strap_entry);
}

int main(void)
{
	pmp_grant_all();
	csr_write(stvec, (uint64_t)__strap_entry);
	/* Without Sstc's STCE, STIP in mip is software-writable. */
	csr_clear(menvcfg, MENVCFG_STCE);
	check_mip_writable_bits();
	check_taken_in_m();
	check_priority();
	check_m_irq_below_m(PRIV_S, 80);
	check_m_irq_below_m(PRIV_U, 81);
	check_delegated();
	check_m_before_s();
	check_views();
	check_vectored();
	return 0;
}
