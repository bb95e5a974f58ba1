/* Machine timer and software interrupts from the CLINT (spec 3.2.1, 3.1.9),
 * WFI waking on them (3.3.3), and the Sstc stimecmp that drives STIP. */
#include "priv_harness.h"

static volatile struct trap_record mtrap;
static volatile uint64_t mtime_at_trap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	mtime_at_trap = *CLINT_MTIME;
	trap_record(&mtrap, f, csr_read(mstatus));
	if (f->cause == (CAUSE_INTERRUPT | IRQ_MTI))
		*CLINT_MTIMECMP = ~0ull;
	else if (f->cause == (CAUSE_INTERRUPT | IRQ_MSI))
		*CLINT_MSIP = 0;
	else if (f->cause == (CAUSE_INTERRUPT | IRQ_STI))
		csr_write(stimecmp, ~0ull);
	/* Writes to the CLINT reach mip only eventually (3.2.1): the enable bit
	 * makes sure the same interrupt is not taken twice. */
	if (f->cause & CAUSE_INTERRUPT)
		csr_clear(mie, IRQ_BIT(f->cause & 63));
	trap_step_over(f);
}

static void reset_state(void)
{
	csr_clear(mstatus, MSTATUS_MIE);
	csr_write(mie, 0);
	*CLINT_MSIP = 0;
	*CLINT_MTIMECMP = ~0ull;
	trap_record_clear(&mtrap);
}

static int wait_mip(uint64_t bits, uint64_t want)
{
	for (unsigned i = 0; i < 2000000; i++)
		if ((csr_read(mip) & bits) == want)
			return 1;
	return 0;
}

/* mtime counts up, and the time CSR reads the same clock (3.2.1, Zicntr). */
static void check_time(void)
{
	uint64_t a = *CLINT_MTIME;
	uint64_t t = csr_read(time);
	for (int i = 0; i < 1000; i++)
		__asm__ volatile("nop");
	uint64_t b = *CLINT_MTIME;
	CHECK(a <= t && t <= b, 1);
	CHECK(b > a, 2);
}

/* msip: writing 1 makes MSIP pending, taken when enabled; writing 0 clears
 * it. MSIP itself is read-only in mip (3.1.9). */
static void check_msip(void)
{
	reset_state();
	*CLINT_MSIP = 1;
	CHECK_EQ(*CLINT_MSIP, 1, 10);
	CHECK(wait_mip(IRQ_BIT(IRQ_MSI), IRQ_BIT(IRQ_MSI)), 10);
	csr_clear(mip, IRQ_BIT(IRQ_MSI));
	CHECK_EQ(csr_read(mip) & IRQ_BIT(IRQ_MSI), IRQ_BIT(IRQ_MSI), 11);
	CHECK_EQ(mtrap.count, 0, 12);
	csr_write(mie, IRQ_BIT(IRQ_MSI));
	CHECK_EQ(mtrap.count, 0, 12);
	csr_set(mstatus, MSTATUS_MIE);
	CHECK_EQ(mtrap.count, 1, 13);
	CHECK_EQ(mtrap.cause, CAUSE_INTERRUPT | IRQ_MSI, 13);
	CHECK_EQ(*CLINT_MSIP, 0, 14);
	CHECK(wait_mip(IRQ_BIT(IRQ_MSI), 0), 14);
	reset_state();
}

/* mtimecmp: MTIP is pending while mtime >= mtimecmp; a WFI loop with the
 * interrupt enabled ends in the trap, no earlier than mtimecmp. */
static void check_timer_interrupt(void)
{
	reset_state();
	CHECK(wait_mip(IRQ_BIT(IRQ_MTI), 0), 20);
	uint64_t deadline = *CLINT_MTIME + 2000;
	*CLINT_MTIMECMP = deadline;
	csr_write(mie, IRQ_BIT(IRQ_MTI));
	csr_set(mstatus, MSTATUS_MIE);
	while (mtrap.count == 0)
		__asm__ volatile("wfi");
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ(mtrap.count, 1, 21);
	CHECK_EQ(mtrap.cause, CAUSE_INTERRUPT | IRQ_MTI, 21);
	CHECK(mtime_at_trap >= deadline, 22);
	CHECK(wait_mip(IRQ_BIT(IRQ_MTI), 0), 23);
	reset_state();
}

/* Masked by mie: MTIP shows in mip but nothing is taken, even with MIE set;
 * MTIP is read-only in mip; setting MTIE then takes it at once. */
static void check_timer_masked(void)
{
	reset_state();
	*CLINT_MTIMECMP = *CLINT_MTIME + 1000;
	csr_set(mstatus, MSTATUS_MIE);
	CHECK(wait_mip(IRQ_BIT(IRQ_MTI), IRQ_BIT(IRQ_MTI)), 30);
	csr_clear(mip, IRQ_BIT(IRQ_MTI));
	CHECK_EQ(csr_read(mip) & IRQ_BIT(IRQ_MTI), IRQ_BIT(IRQ_MTI), 31);
	CHECK_EQ(mtrap.count, 0, 32);
	uint64_t after;
	__asm__ volatile("lla %0, 1f\n\tcsrw mie, %1\n1:\tnop" : "=&r"(after)
			 : "r"(IRQ_BIT(IRQ_MTI)) : "memory");
	CHECK_EQ(mtrap.count, 1, 33);
	CHECK_EQ(mtrap.cause, CAUSE_INTERRUPT | IRQ_MTI, 33);
	CHECK_EQ(mtrap.epc, after, 33);
	reset_state();
}

/* WFI resumes when an enabled interrupt becomes pending even with MIE = 0,
 * and then nothing is taken: execution goes on after the WFI (3.3.3). */
static void check_wfi_wakes_disabled(void)
{
	reset_state();
	uint64_t deadline = *CLINT_MTIME + 2000;
	*CLINT_MTIMECMP = deadline;
	csr_write(mie, IRQ_BIT(IRQ_MTI));
	while (!(csr_read(mip) & IRQ_BIT(IRQ_MTI)))
		__asm__ volatile("wfi");
	CHECK(*CLINT_MTIME >= deadline, 40);
	CHECK_EQ(mtrap.count, 0, 41);
	/* Rewriting mtimecmp above mtime clears MTIP. */
	*CLINT_MTIMECMP = ~0ull;
	CHECK(wait_mip(IRQ_BIT(IRQ_MTI), 0), 42);
	reset_state();
}

/* Runs in S-mode: waits with WFI (allowed there with TW = 0) until the M
 * handler has seen the timer interrupt, which M-level enables let in
 * whatever MIE is (3.1.6.1). */
static uint64_t s_waits(uint64_t unused)
{
	while (mtrap.count == 0)
		__asm__ volatile("wfi");
	return mtrap.count;
}

static void check_timer_from_s(void)
{
	reset_state();
	*CLINT_MTIMECMP = *CLINT_MTIME + 2000;
	csr_write(mie, IRQ_BIT(IRQ_MTI));
	CHECK_EQ(priv_call(PRIV_S, s_waits, 0), 1, 50);
	CHECK_EQ(mtrap.cause, CAUSE_INTERRUPT | IRQ_MTI, 51);
	CHECK_EQ((mtrap.status >> MSTATUS_MPP_SHIFT) & 3, PRIV_S, 52);
	reset_state();
}

/* Sstc: with menvcfg.STCE = 1, STIP is pending while time >= stimecmp and
 * is not writable in mip (Sstc 2.1). */
static void check_sstc(void)
{
	reset_state();
	csr_set(menvcfg, MENVCFG_STCE);
	CHECK_EQ(csr_read(menvcfg) & MENVCFG_STCE, MENVCFG_STCE, 60);
	csr_write(stimecmp, ~0ull);
	CHECK(wait_mip(IRQ_BIT(IRQ_STI), 0), 61);
	csr_set(mip, IRQ_BIT(IRQ_STI));
	CHECK_EQ(csr_read(mip) & IRQ_BIT(IRQ_STI), 0, 62);
	uint64_t deadline = csr_read(time) + 2000;
	csr_write(stimecmp, deadline);
	CHECK_EQ(csr_read(stimecmp), deadline, 63);
	csr_write(mie, IRQ_BIT(IRQ_STI));
	while (!(csr_read(mip) & IRQ_BIT(IRQ_STI)))
		__asm__ volatile("wfi");
	CHECK(csr_read(time) >= deadline, 64);
	/* Not delegated, so it is an M-level interrupt here. */
	csr_set(mstatus, MSTATUS_MIE);
	CHECK_EQ(mtrap.count, 1, 65);
	CHECK_EQ(mtrap.cause, CAUSE_INTERRUPT | IRQ_STI, 65);
	CHECK(wait_mip(IRQ_BIT(IRQ_STI), 0), 66);
	csr_clear(menvcfg, MENVCFG_STCE);
	reset_state();
}

int main(void)
{
	pmp_grant_all();
	check_time();
	check_msip();
	check_timer_interrupt();
	check_timer_masked();
	check_wfi_wakes_disabled();
	check_timer_from_s();
	check_sstc();
	return 0;
}
