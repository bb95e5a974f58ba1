/* Privilege modes: entering S and U with MRET and SRET, the privilege and
 * interrupt-enable stack in mstatus (spec 3.1.6.1), MPP/SPP as WARL fields,
 * sstatus as a view of mstatus (4.1.1), ECALL causes per mode (3.3.1), and
 * the instructions and CSRs a lower mode may not use (2.1, 3.3.2). */
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

static uint64_t mpp_of(uint64_t status)
{
	return (status >> MSTATUS_MPP_SHIFT) & 3;
}

static uint64_t insn_bits(uint64_t pc)
{
	return insn_length_at(pc) == 4 ? *(volatile uint32_t *)pc : *(volatile uint16_t *)pc;
}

static uint64_t do_ecall(uint64_t unused)
{
	uint64_t pc;
	AT(pc, "ecall");
	return pc;
}

/* ECALL's cause names the mode it came from; MPP records that mode, MPIE
 * the MIE bit before the trap, and MIE is cleared (3.1.6.1). */
static void check_ecall_from(unsigned priv, uint64_t cause, int n)
{
	for (unsigned mie = 0; mie < 2; mie++) {
		/* No interrupt is enabled in mie, so MIE = 1 cannot let one in. */
		csr_write(mie, 0);
		if (mie)
			csr_set(mstatus, MSTATUS_MIE);
		else
			csr_clear(mstatus, MSTATUS_MIE);
		trap_record_clear(&mtrap);
		uint64_t pc = priv_call(priv, do_ecall, 0);
		CHECK_TRAP(mtrap, cause, pc, 0, n);
		CHECK_EQ(mpp_of(mtrap.status), priv, n);
		CHECK_EQ(!!(mtrap.status & MSTATUS_MPIE), mie, n);
		CHECK_EQ(mtrap.status & MSTATUS_MIE, 0, n);
	}
	csr_clear(mstatus, MSTATUS_MIE);
}

/* MRET to M-mode: MIE = MPIE, MPIE = 1, MPP = U (the least privileged mode),
 * MPRV kept because the new mode is M (3.1.6.1, 3.1.6.3). */
static void check_mret_to_m(void)
{
	uint64_t after;
	csr_clear(mstatus, MSTATUS_MPIE | MSTATUS_MIE);
	csr_set(mstatus, MSTATUS_MPP_M | MSTATUS_MPRV);
	__asm__ volatile(
		"	lla	t0, 1f\n"
		"	csrw	mepc, t0\n"
		"	mret\n"
		"1:	csrr	%0, mstatus\n"
		"	csrc	mstatus, %1\n"
		: "=&r"(after) : "r"(MSTATUS_MPRV) : "t0", "memory");
	CHECK_EQ(after & MSTATUS_MIE, 0, 1);
	CHECK_EQ(after & MSTATUS_MPIE, MSTATUS_MPIE, 2);
	CHECK_EQ(mpp_of(after), PRIV_U, 3);
	CHECK_EQ(after & MSTATUS_MPRV, MSTATUS_MPRV, 4);

	csr_set(mstatus, MSTATUS_MPP_M | MSTATUS_MPIE);
	__asm__ volatile(
		"	lla	t0, 1f\n"
		"	csrw	mepc, t0\n"
		"	mret\n"
		"1:	csrr	%0, mstatus\n"
		"	csrci	mstatus, 1 << 3\n"
		: "=&r"(after) :: "t0", "memory");
	CHECK_EQ(after & MSTATUS_MIE, MSTATUS_MIE, 5);
	CHECK_EQ(after & MSTATUS_MPIE, MSTATUS_MPIE, 5);
}

/* MRET to a lower mode clears MPRV (3.1.6.3). */
static void check_mret_clears_mprv(void)
{
	csr_set(mstatus, MSTATUS_MPRV);
	trap_record_clear(&mtrap);
	priv_call(PRIV_S, do_ecall, 0);
	CHECK_EQ(mtrap.status & MSTATUS_MPRV, 0, 6);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_MPRV, 0, 6);
}

/* MPP can hold M, S and U but not the reserved 2; SPP holds S or U. */
static void check_pp_warl(void)
{
	for (uint64_t mode = 0; mode < 4; mode++) {
		csr_clear(mstatus, MSTATUS_MPP);
		csr_set(mstatus, mode << MSTATUS_MPP_SHIFT);
		uint64_t got = mpp_of(csr_read(mstatus));
		if (mode == 2)
			CHECK(got != 2, 10);
		else
			CHECK_EQ(got, mode, 10);
	}
	csr_set(mstatus, MSTATUS_SPP);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_SPP, MSTATUS_SPP, 11);
	csr_clear(mstatus, MSTATUS_SPP);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_SPP, 0, 11);
	/* A hart that only runs RV64 has UXL = SXL = 2 (3.1.6.2). */
	CHECK_EQ((csr_read(mstatus) >> 32) & 0xf, 0xa, 12);
}

/* Runs in S-mode: SRET to the code right after it, in U-mode (SPP = 0),
 * which then makes an ECALL. */
static uint64_t sret_to_u_then_ecall(uint64_t unused)
{
	uint64_t pc;
	__asm__ volatile(
		"	lla	t0, 1f\n"
		"	csrw	sepc, t0\n"
		"	li	t0, 1 << 8\n"
		"	csrc	sstatus, t0\n"
		"	sret\n"
		"1:	lla	%0, 2f\n"
		"2:	ecall\n"
		: "=&r"(pc) :: "t0", "memory");
	return pc;
}

/* Runs in S-mode: SRET with SPP = S stays in S-mode. */
static uint64_t sret_to_s_then_ecall(uint64_t unused)
{
	uint64_t pc;
	__asm__ volatile(
		"	lla	t0, 1f\n"
		"	csrw	sepc, t0\n"
		"	li	t0, 1 << 8\n"
		"	csrs	sstatus, t0\n"
		"	sret\n"
		"1:	lla	%0, 2f\n"
		"2:	ecall\n"
		: "=&r"(pc) :: "t0", "memory");
	return pc;
}

/* SRET: privilege = SPP, SIE = SPIE, SPIE = 1, SPP = U (3.1.6.1). */
static void check_sret(void)
{
	for (unsigned spie = 0; spie < 2; spie++) {
		csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SPIE);
		if (spie)
			csr_set(mstatus, MSTATUS_SPIE);
		trap_record_clear(&mtrap);
		uint64_t pc = priv_call(PRIV_S, sret_to_u_then_ecall, 0);
		CHECK_TRAP(mtrap, CAUSE_ECALL_U, pc, 0, 20);
		CHECK_EQ(!!(mtrap.status & MSTATUS_SIE), spie, 21);
		CHECK_EQ(mtrap.status & MSTATUS_SPIE, MSTATUS_SPIE, 22);
		CHECK_EQ(mtrap.status & MSTATUS_SPP, 0, 23);
	}
	csr_clear(mstatus, MSTATUS_SIE | MSTATUS_SPIE);
	trap_record_clear(&mtrap);
	uint64_t pc = priv_call(PRIV_S, sret_to_s_then_ecall, 0);
	CHECK_TRAP(mtrap, CAUSE_ECALL_S, pc, 0, 24);
	CHECK_EQ(mtrap.status & (MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE), MSTATUS_SPIE, 25);
	csr_clear(mstatus, MSTATUS_SPIE);
}

/* sstatus shows and changes only the S-level fields of mstatus (4.1.1). */
static void check_sstatus_view(void)
{
	const uint64_t m_only = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV |
				MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
	const uint64_t s_fields = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM |
				  MSTATUS_MXR | MSTATUS_FS;
	uint64_t saved = csr_read(mstatus);

	csr_write(mie, 0);
	csr_clear(mstatus, m_only);
	csr_set(mstatus, MSTATUS_MPIE | MSTATUS_TW | MSTATUS_MPP_M);
	uint64_t s = csr_read(sstatus);
	CHECK_EQ(s & m_only, 0, 30);

	csr_write(sstatus, ~0ull);
	uint64_t m = csr_read(mstatus);
	CHECK_EQ(m & m_only, MSTATUS_MPIE | MSTATUS_TW | MSTATUS_MPP_M, 31);
	CHECK_EQ(m & s_fields, s_fields, 32);
	CHECK_EQ(csr_read(sstatus) & s_fields, s_fields, 33);
	/* SD summarises FS = Dirty in both views (3.1.6.6). */
	CHECK_EQ(csr_read(sstatus) & MSTATUS_SD, MSTATUS_SD, 34);

	csr_write(sstatus, 0);
	m = csr_read(mstatus);
	CHECK_EQ(m & s_fields, 0, 35);
	CHECK_EQ(m & m_only, MSTATUS_MPIE | MSTATUS_TW | MSTATUS_MPP_M, 35);
	/* UXL is visible in sstatus and unchanged by the write of 0. */
	CHECK_EQ((csr_read(sstatus) >> 32) & 3, 2, 36);

	csr_set(mstatus, MSTATUS_SIE | MSTATUS_SUM);
	CHECK_EQ(csr_read(sstatus) & (MSTATUS_SIE | MSTATUS_SUM), MSTATUS_SIE | MSTATUS_SUM, 37);
	csr_write(mstatus, saved);
}

/* An instruction a lower mode may not execute: illegal instruction in
 * M-mode, mepc the instruction, mtval its encoding. */
static uint64_t s_reads_mstatus(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, mstatus"); return pc; }
static uint64_t s_writes_mscratch(uint64_t u) { uint64_t pc; AT(pc, "csrw mscratch, zero"); return pc; }
static uint64_t s_reads_mhartid(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, mhartid"); return pc; }
static uint64_t s_reads_pmpaddr0(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, pmpaddr0"); return pc; }
static uint64_t u_reads_sstatus(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, sstatus"); return pc; }
static uint64_t u_writes_sscratch(uint64_t u) { uint64_t pc; AT(pc, "csrw sscratch, zero"); return pc; }
static uint64_t u_reads_satp(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, satp"); return pc; }
static uint64_t u_reads_mepc(uint64_t u) { uint64_t pc; AT(pc, "csrr t0, mepc"); return pc; }
static uint64_t run_mret(uint64_t u) { uint64_t pc; AT(pc, "mret"); return pc; }
static uint64_t run_sret(uint64_t u) { uint64_t pc; AT(pc, "sret"); return pc; }
static uint64_t run_sfence(uint64_t u) { uint64_t pc; AT(pc, "sfence.vma"); return pc; }

static void check_illegal_in(unsigned priv, uint64_t (*fn)(uint64_t), int n)
{
	trap_record_clear(&mtrap);
	uint64_t pc = priv_call(priv, fn, 0);
	CHECK_TRAP(mtrap, CAUSE_ILLEGAL, pc, insn_bits(pc), n);
	CHECK_EQ(mpp_of(mtrap.status), priv, n);
}

static void check_lower_mode_restrictions(void)
{
	check_illegal_in(PRIV_S, s_reads_mstatus, 40);
	check_illegal_in(PRIV_S, s_writes_mscratch, 41);
	check_illegal_in(PRIV_S, s_reads_mhartid, 42);
	check_illegal_in(PRIV_S, s_reads_pmpaddr0, 43);
	check_illegal_in(PRIV_S, run_mret, 44);
	check_illegal_in(PRIV_U, u_reads_sstatus, 45);
	check_illegal_in(PRIV_U, u_writes_sscratch, 46);
	check_illegal_in(PRIV_U, u_reads_satp, 47);
	check_illegal_in(PRIV_U, u_reads_mepc, 48);
	check_illegal_in(PRIV_U, run_mret, 49);
	check_illegal_in(PRIV_U, run_sret, 50);
	check_illegal_in(PRIV_U, run_sfence, 51);
}

/* S-mode may use its own CSRs; they are the same registers M sees. */
static uint64_t s_uses_sscratch(uint64_t v)
{
	uint64_t old = csr_read(sscratch);
	csr_write(sscratch, v);
	return old;
}

static void check_s_csrs(void)
{
	csr_write(sscratch, 0x1234);
	trap_record_clear(&mtrap);
	CHECK_EQ(priv_call(PRIV_S, s_uses_sscratch, 0xabcd), 0x1234, 60);
	CHECK_EQ(mtrap.count, 0, 60);
	CHECK_EQ(csr_read(sscratch), 0xabcd, 60);
}

int main(void)
{
	pmp_grant_all();
	check_ecall_from(PRIV_U, CAUSE_ECALL_U, 70);
	check_ecall_from(PRIV_S, CAUSE_ECALL_S, 71);
	check_ecall_from(PRIV_M, CAUSE_ECALL_M, 72);
	check_mret_to_m();
	check_mret_clears_mprv();
	check_pp_warl();
	check_sret();
	check_sstatus_view();
	check_lower_mode_restrictions();
	check_s_csrs();
	return 0;
}
