/* The mstatus fields that make S-mode operations trap for virtualization
 * (spec 3.1.6.5): TVM (satp, SFENCE.VMA), TW (WFI), TSR (SRET); and WFI in
 * U-mode (3.3.3). */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

#define AT(pc, insn) __asm__ volatile("lla %0, 1f\n1:\t" insn : "=&r"(pc) :: "t0", "memory")

static uint64_t insn_bits(uint64_t pc)
{
	return insn_length_at(pc) == 4 ? *(volatile uint32_t *)pc : *(volatile uint16_t *)pc;
}

static uint64_t read_satp(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, satp"); return pc; }
static uint64_t write_satp(uint64_t u) { uint64_t pc; AT(pc, "csrw satp, zero"); return pc; }
static uint64_t sfence_all(uint64_t u) { uint64_t pc; AT(pc, "sfence.vma"); return pc; }
static uint64_t sfence_addr(uint64_t u) { uint64_t pc; AT(pc, "sfence.vma t0, zero"); return pc; }
static uint64_t run_wfi(uint64_t u) { uint64_t pc; AT(pc, "wfi"); return pc; }
static uint64_t run_sret_in_u(uint64_t u) { uint64_t pc; AT(pc, "sret"); return pc; }
static uint64_t run_sret(uint64_t u)
{
	uint64_t pc;
	/* If SRET is allowed it returns here, in S-mode (SPP = S). */
	__asm__ volatile(
		"	li	t0, 1 << 8\n"
		"	csrs	sstatus, t0\n"
		"	lla	%0, 1f\n"
		"	addi	t0, %0, 4\n"
		"	csrw	sepc, t0\n"
		"1:	sret\n"
		: "=&r"(pc) :: "t0", "memory");
	return pc;
}

/* Runs fn at priv; it must raise illegal instruction if trap is set, and
 * run without a trap otherwise. */
static void check(unsigned priv, uint64_t (*fn)(uint64_t), int trap, int n)
{
	trap_record_clear(&mtrap);
	uint64_t pc = priv_call(priv, fn, 0);
	if (trap) {
		CHECK_TRAP(mtrap, CAUSE_ILLEGAL, pc, insn_bits(pc), n);
		CHECK_EQ((mtrap.status >> MSTATUS_MPP_SHIFT) & 3, priv, n);
	} else {
		CHECK_EQ(mtrap.count, 0, n);
	}
}

/* TVM: satp accesses and SFENCE.VMA in S-mode are illegal; M is unaffected. */
static void check_tvm(void)
{
	csr_write(satp, 0);
	check(PRIV_S, read_satp, 0, 1);
	check(PRIV_S, write_satp, 0, 2);
	check(PRIV_S, sfence_all, 0, 3);
	csr_set(mstatus, MSTATUS_TVM);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_TVM, MSTATUS_TVM, 4);
	check(PRIV_S, read_satp, 1, 5);
	check(PRIV_S, write_satp, 1, 6);
	check(PRIV_S, sfence_all, 1, 7);
	check(PRIV_S, sfence_addr, 1, 8);
	check(PRIV_M, read_satp, 0, 9);
	check(PRIV_M, sfence_all, 0, 10);
	csr_clear(mstatus, MSTATUS_TVM);
}

/* A WFI that has something to wake it: SSI pending and enabled in mie but
 * delegated and masked by SIE = 0, so it is not taken in S or M (3.3.3:
 * WFI resumes for a locally enabled pending interrupt even if globally
 * disabled). */
static void wake_source_on(void)
{
	csr_clear(mstatus, MSTATUS_SIE | MSTATUS_MIE);
	csr_write(mideleg, IRQ_BIT(IRQ_SSI));
	csr_write(mie, IRQ_BIT(IRQ_SSI));
	csr_set(mip, IRQ_BIT(IRQ_SSI));
}

static void wake_source_off(void)
{
	csr_clear(mip, IRQ_BIT(IRQ_SSI));
	csr_write(mie, 0);
	csr_write(mideleg, 0);
}

/* TW = 1: WFI in S-mode raises illegal instruction unless it completes in a
 * bounded time; an implementation may raise it always (3.1.6.5). With no
 * interrupt enabled it cannot complete, so it must trap. TW does not apply
 * to M-mode. */
static void check_tw(void)
{
	wake_source_on();
	check(PRIV_S, run_wfi, 0, 20);
	check(PRIV_M, run_wfi, 0, 21);
	wake_source_off();

	csr_set(mstatus, MSTATUS_TW);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_TW, MSTATUS_TW, 22);
	check(PRIV_S, run_wfi, 1, 23);
	check(PRIV_U, run_wfi, 1, 24);
	wake_source_on();
	check(PRIV_M, run_wfi, 0, 25);
	wake_source_off();
	csr_clear(mstatus, MSTATUS_TW);
}

/* With S-mode implemented, WFI in U-mode is illegal unless it completes in
 * a bounded time (3.1.6.5): with nothing enabled it cannot complete. */
static void check_wfi_in_u(void)
{
	csr_write(mie, 0);
	check(PRIV_U, run_wfi, 1, 30);
}

/* TSR: SRET in S-mode is illegal (3.1.6.5, 3.3.2). */
static void check_tsr(void)
{
	check(PRIV_S, run_sret, 0, 40);
	csr_set(mstatus, MSTATUS_TSR);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_TSR, MSTATUS_TSR, 41);
	check(PRIV_S, run_sret, 1, 42);
	/* It stays illegal in U-mode, for the usual reason. */
	check(PRIV_U, run_sret_in_u, 1, 43);
	csr_clear(mstatus, MSTATUS_TSR);
}

int main(void)
{
	pmp_grant_all();
	check_tvm();
	check_tw();
	check_wfi_in_u();
	check_tsr();
	return 0;
}
