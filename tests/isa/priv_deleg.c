/* Exception delegation (spec 3.1.8): a trap delegated with medeleg from S or
 * U goes to stvec and writes scause, sepc, stval, SPP, SPIE and SIE, leaving
 * the M-mode trap registers alone; a trap from M is never delegated. Also the
 * vectored mode of mtvec and stvec, where exceptions still go to the base
 * (3.1.7, 4.1.2). */
#include "priv_harness.h"

static volatile struct trap_record mtrap, strap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

void strap_handler(struct trap_frame *f)
{
	if (priv_call_returned_to_s(f))
		return;
	trap_record(&strap, f, csr_read(sstatus));
	trap_step_over(f);
}

#define AT(pc, insn) __asm__ volatile("lla %0, 1f\n1:\t" insn : "=&r"(pc) :: "t0", "memory")

static uint64_t insn_bits(uint64_t pc)
{
	return insn_length_at(pc) == 4 ? *(volatile uint32_t *)pc : *(volatile uint16_t *)pc;
}

static uint64_t run_illegal(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, mscratch"); return pc; }
static uint64_t run_m_illegal(uint64_t u) { uint64_t pc; AT(pc, "csrw mhartid, zero"); return pc; }
static uint64_t run_ecall(uint64_t u) { uint64_t pc; AT(pc, "ecall"); return pc; }
static uint64_t run_ebreak(uint64_t u) { uint64_t pc; AT(pc, "ebreak"); return pc; }
static uint64_t run_vacant_load(uint64_t u)
{
	uint64_t pc;
	__asm__ volatile("lla %0, 1f\n1:\tld t0, 0(%1)" : "=&r"(pc) : "r"(VACANT_LOW)
			 : "t0", "memory");
	return pc;
}
static uint64_t run_vacant_fetch(uint64_t u)
{
	__asm__ volatile("jalr ra, 0(%0)" :: "r"(VACANT_LOW) : "ra", "memory");
	return VACANT_LOW;
}

static void clear_records(void)
{
	trap_record_clear(&mtrap);
	trap_record_clear(&strap);
	csr_write(scause, 0x55);
	csr_write(sepc, 0x66);
	csr_write(stval, 0x77);
}

/* medeleg has no read-only-one bits, and bit 11 (ECALL from M, which cannot
 * come from a lower mode) is read-only zero. The exceptions this test
 * delegates must be delegatable. */
static void check_medeleg_warl(void)
{
	const uint64_t used = (1u << CAUSE_INSN_ACCESS) | (1u << CAUSE_ILLEGAL) |
			      (1u << CAUSE_BREAKPOINT) | (1u << CAUSE_LOAD_ACCESS) |
			      (1u << CAUSE_ECALL_U) | (1u << CAUSE_ECALL_S);
	csr_write(medeleg, ~0ull);
	uint64_t got = csr_read(medeleg);
	CHECK_EQ(got & used, used, 1);
	CHECK_EQ(got & (1u << CAUSE_ECALL_M), 0, 2);
	csr_write(medeleg, 0);
	CHECK_EQ(csr_read(medeleg), 0, 3);

	/* The S-level interrupt bits of mideleg are writable (3.1.8). */
	const uint64_t s_irqs = IRQ_BIT(IRQ_SSI) | IRQ_BIT(IRQ_STI) | IRQ_BIT(IRQ_SEI);
	csr_write(mideleg, s_irqs);
	CHECK_EQ(csr_read(mideleg) & s_irqs, s_irqs, 4);
	csr_write(mideleg, 0);
	CHECK_EQ(csr_read(mideleg), 0, 5);
}

/* A delegated exception from priv goes to the S-mode handler only. (That
 * the M-mode trap registers stay unwritten cannot be seen from here: the
 * ECALL ending priv_call writes them.) */
static void check_delegated(unsigned priv, uint64_t (*fn)(uint64_t), uint64_t cause, int n)
{
	for (unsigned sie = 0; sie < 2; sie++) {
		csr_write(mie, 0);
		if (sie)
			csr_set(mstatus, MSTATUS_SIE);
		else
			csr_clear(mstatus, MSTATUS_SIE);
		csr_clear(mstatus, MSTATUS_SPIE);
		csr_write(medeleg, 1ull << cause);
		clear_records();
		uint64_t pc = priv_call(priv, fn, 0);
		csr_write(medeleg, 0);

		CHECK_EQ(mtrap.count, 0, n);
		CHECK_EQ(strap.count, 1, n);
		CHECK_EQ(strap.cause, cause, n);
		CHECK_EQ(strap.epc, pc, n);
		CHECK_EQ(csr_read(scause), cause, n);
		if (cause == CAUSE_ILLEGAL)
			CHECK_EQ(strap.tval, insn_bits(pc), n);
		else if (cause == CAUSE_BREAKPOINT)
			CHECK(strap.tval == 0 || strap.tval == pc, n);
		else if (cause == CAUSE_LOAD_ACCESS)
			CHECK_EQ(strap.tval, VACANT_LOW, n);
		else if (cause == CAUSE_INSN_ACCESS)
			CHECK_EQ(strap.tval, VACANT_LOW, n);
		else
			CHECK_EQ(strap.tval, 0, n);
		/* SPP = the mode trapped from, SPIE = SIE before, SIE = 0. */
		CHECK_EQ(!!(strap.status & MSTATUS_SPP), priv == PRIV_S, n);
		CHECK_EQ(!!(strap.status & MSTATUS_SPIE), sie, n);
		CHECK_EQ(strap.status & MSTATUS_SIE, 0, n);
		/* SRET from the handler restored SIE. */
		CHECK_EQ(!!(csr_read(mstatus) & MSTATUS_SIE), sie, n);
	}
	csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SPIE);
}

/* Without its medeleg bit an exception goes to M even when others are
 * delegated, and leaves the S-mode registers alone. */
static void check_not_delegated(unsigned priv, uint64_t (*fn)(uint64_t), uint64_t cause, int n)
{
	csr_write(medeleg, ((1ull << CAUSE_ILLEGAL) | (1ull << CAUSE_BREAKPOINT) |
			    (1ull << CAUSE_LOAD_ACCESS)) & ~(1ull << cause));
	clear_records();
	uint64_t pc = priv_call(priv, fn, 0);
	csr_write(medeleg, 0);
	CHECK_EQ(strap.count, 0, n);
	CHECK_EQ(mtrap.count, 1, n);
	CHECK_EQ(mtrap.cause, cause, n);
	CHECK_EQ(mtrap.epc, pc, n);
	CHECK_EQ(csr_read(scause), 0x55, n);
	CHECK_EQ(csr_read(sepc), 0x66, n);
	CHECK_EQ(csr_read(stval), 0x77, n);
}

/* Traps never go from a more to a less privileged mode: with everything
 * delegated, M-mode exceptions still go to M (3.1.8). */
static void check_m_never_delegated(void)
{
	csr_write(medeleg, ~0ull);
	clear_records();
	uint64_t pc = run_m_illegal(0);
	CHECK_EQ(strap.count, 0, 40);
	CHECK_TRAP(mtrap, CAUSE_ILLEGAL, pc, insn_bits(pc), 40);
	clear_records();
	pc = run_ebreak(0);
	CHECK_EQ(strap.count, 0, 41);
	CHECK_EQ(mtrap.count, 1, 41);
	CHECK_EQ(mtrap.cause, CAUSE_BREAKPOINT, 41);
	clear_records();
	pc = run_vacant_load(0);
	CHECK_EQ(strap.count, 0, 42);
	CHECK_TRAP(mtrap, CAUSE_LOAD_ACCESS, pc, VACANT_LOW, 42);
	clear_records();
	pc = priv_call(PRIV_M, run_ecall, 0);
	CHECK_EQ(strap.count, 0, 43);
	CHECK_TRAP(mtrap, CAUSE_ECALL_M, pc, 0, 43);
	csr_write(medeleg, 0);
}

/* In vectored mode, synchronous exceptions still go to BASE (3.1.7). */
static void check_vectored_exceptions(void)
{
	csr_write(stvec, (uint64_t)__strap_entry | 1);
	CHECK_EQ(csr_read(stvec), (uint64_t)__strap_entry | 1, 50);
	check_delegated(PRIV_U, run_illegal, CAUSE_ILLEGAL, 51);
	csr_write(stvec, (uint64_t)__strap_entry);

	csr_write(mtvec, (uint64_t)__mtrap_entry | 1);
	CHECK_EQ(csr_read(mtvec), (uint64_t)__mtrap_entry | 1, 52);
	check_not_delegated(PRIV_S, run_illegal, CAUSE_ILLEGAL, 53);
	clear_records();
	uint64_t pc = run_ebreak(0);
	CHECK_EQ(mtrap.count, 1, 54);
	CHECK_EQ(mtrap.epc, pc, 54);
	csr_write(mtvec, (uint64_t)__mtrap_entry);
}

int main(void)
{
	pmp_grant_all();
	csr_write(stvec, (uint64_t)__strap_entry);
	check_medeleg_warl();

	check_delegated(PRIV_S, run_illegal, CAUSE_ILLEGAL, 10);
	check_delegated(PRIV_U, run_illegal, CAUSE_ILLEGAL, 11);
	check_delegated(PRIV_U, run_ecall, CAUSE_ECALL_U, 12);
	check_delegated(PRIV_S, run_ecall, CAUSE_ECALL_S, 13);
	check_delegated(PRIV_S, run_ebreak, CAUSE_BREAKPOINT, 14);
	check_delegated(PRIV_U, run_ebreak, CAUSE_BREAKPOINT, 15);
	check_delegated(PRIV_S, run_vacant_load, CAUSE_LOAD_ACCESS, 16);
	check_delegated(PRIV_U, run_vacant_fetch, CAUSE_INSN_ACCESS, 17);

	check_not_delegated(PRIV_S, run_illegal, CAUSE_ILLEGAL, 20);
	check_not_delegated(PRIV_U, run_ebreak, CAUSE_BREAKPOINT, 21);
	check_not_delegated(PRIV_S, run_ecall, CAUSE_ECALL_S, 22);
	check_not_delegated(PRIV_U, run_ecall, CAUSE_ECALL_U, 23);

	check_m_never_delegated();
	check_vectored_exceptions();
	return 0;
}
