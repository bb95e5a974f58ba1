/* Synchronous exceptions taken in M-mode: each cause with the mcause, mepc
 * and mtval the privileged spec (3.1.15-3.1.16) requires. */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

/* Jumps to target with ra = the return address; a fetch fault there comes
 * back to the caller through trap_step_over. */
static void jump_to(uint64_t target)
{
	__asm__ volatile("jalr ra, 0(%0)" :: "r"(target) : "ra", "memory");
}

static void check_fetch_faults(void)
{
	/* Instruction access fault: mepc and mtval are the target (3.1.16). */
	static const uint64_t targets[] = { 0, VACANT_LOW, VACANT_HIGH };
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		trap_record_clear(&mtrap);
		jump_to(targets[i]);
		CHECK_TRAP(mtrap, CAUSE_INSN_ACCESS, targets[i], targets[i], 1);
	}
}

/* JALR clears bit 0 of its target (unprivileged spec 2.5.1), and with C a
 * 2-byte aligned target is legal, so neither traps. */
static void check_jump_alignment(void)
{
	uint64_t reached;
	trap_record_clear(&mtrap);
	__asm__ volatile(
		".option push\n.option norvc\n"
		"	li	%0, 0\n"
		"	lla	t0, 1f\n"
		"	addi	t0, t0, 1\n"
		"	jr	t0\n"
		"	li	%0, 99\n"
		"	.balign 4\n"
		"1:	addi	%0, %0, 1\n"
		"	lla	t0, 2f\n"
		"	jr	t0\n"
		"	li	%0, 99\n"
		"	.balign 4\n"
		"	.half	0x0001\n" /* c.nop: puts label 2 at 4n + 2 */
		"2:	addi	%0, %0, 1\n"
		".option pop\n"
		: "=&r"(reached) :: "t0", "memory");
	CHECK_EQ(reached, 2, 2);
	CHECK_EQ(mtrap.count, 0, 2);
}

/* If misa.C can be cleared (it is WARL, 3.1.1), a jump to a 2-byte aligned
 * target must raise instruction-address-misaligned on the jump, with mtval
 * the target. The write is done from a 4-byte aligned place, else it would be
 * suppressed. */
static void check_misaligned_target_without_c(void)
{
	uint64_t jump_pc = 0, target = 0, c_cleared;
	trap_record_clear(&mtrap);
	__asm__ volatile(
		".option push\n.option norvc\n"
		"	.balign 4\n"
		"	li	t1, 1 << 2\n"
		"	csrc	misa, t1\n"
		"	csrr	%2, misa\n"
		"	andi	%2, %2, 1 << 2\n"
		"	seqz	%2, %2\n"
		"	beqz	%2, 3f\n"
		"	lla	%1, 2f\n"
		"	lla	%0, 1f\n"
		"1:	jalr	ra, 0(%1)\n"
		"	j	3f\n"
		"	.balign 4\n"
		"	.word	0x00000013\n"
		"	.half	0x0001\n"
		"2:	j	3f\n"
		"	.balign 4\n"
		"3:	csrs	misa, t1\n"
		".option pop\n"
		: "+&r"(jump_pc), "+&r"(target), "=&r"(c_cleared) :: "t1", "ra", "memory");
	if (c_cleared)
		CHECK_TRAP(mtrap, CAUSE_INSN_MISALIGNED, jump_pc, target, 3);
	else
		CHECK_EQ(mtrap.count, 0, 3);
	CHECK(csr_read(misa) & (1 << 2), 3);
}

/* Runs one instruction given as assembler text at a label and returns the
 * label's address. */
#define AT(pc, insn) __asm__ volatile("lla %0, 1f\n1:\t" insn : "=&r"(pc) :: "t0", "memory")

/* Illegal instruction: mepc is the instruction, mtval its encoding,
 * right-justified with the upper bits zero (3.1.16). doppel, like QEMU and
 * spike, reports the encoding rather than 0. */
static void check_illegal(uint64_t pc, uint64_t bits, int n)
{
	CHECK_TRAP(mtrap, CAUSE_ILLEGAL, pc, bits, n);
	trap_record_clear(&mtrap);
}

static uint64_t insn_bits(uint64_t pc)
{
	return insn_length_at(pc) == 4 ? *(volatile uint32_t *)pc : *(volatile uint16_t *)pc;
}

static void check_illegal_encodings(void)
{
	uint64_t pc;
	trap_record_clear(&mtrap);
	AT(pc, ".half 0x0000");          /* all-zero 16-bit: defined illegal */
	check_illegal(pc, 0, 10);
	AT(pc, ".half 0x0004");          /* c.addi4spn with nzuimm = 0: reserved */
	check_illegal(pc, 0x0004, 11);
	AT(pc, ".half 0x4002");          /* c.lwsp with rd = 0: reserved */
	check_illegal(pc, 0x4002, 12);
	AT(pc, ".word 0xffffffff");      /* all ones: reserved length encoding */
	check_illegal(pc, 0xffffffff, 13);
	AT(pc, ".word 0x0200101b");      /* slliw with shamt[5] set: reserved on RV64 */
	check_illegal(pc, 0x0200101b, 14);
	AT(pc, ".word 0x30500073");      /* SYSTEM with an unassigned funct12 */
	check_illegal(pc, 0x30500073, 15);
}

static void check_illegal_csr_accesses(void)
{
	uint64_t pc;
	trap_record_clear(&mtrap);
	/* An unallocated standard CSR, a hypervisor CSR (no H extension) and the
	 * odd pmpcfg registers, which do not exist on RV64 (3.7.1). */
	AT(pc, "csrr t0, 0x0ff");
	check_illegal(pc, insn_bits(pc), 20);
	AT(pc, "csrr t0, 0x600");
	check_illegal(pc, insn_bits(pc), 21);
	AT(pc, "csrr t0, 0x3a1"); /* pmpcfg1 */
	check_illegal(pc, insn_bits(pc), 22);
	/* Writing a read-only CSR (bits 11:10 = 3, Zicsr 2.1): CSRRW always
	 * writes, CSRRS/CSRRC write whenever rs1 is not x0, even if the value is
	 * zero, and the immediate forms whenever uimm is not 0. */
	AT(pc, "csrw mhartid, zero");
	check_illegal(pc, insn_bits(pc), 23);
	__asm__ volatile("li t0, 0\n\tlla %0, 1f\n1:\tcsrrs t0, mhartid, t0"
			 : "=&r"(pc) :: "t0", "memory");
	check_illegal(pc, insn_bits(pc), 24);
	AT(pc, "csrrci t0, mimpid, 1");
	check_illegal(pc, insn_bits(pc), 25);
	AT(pc, "csrw cycle, zero");
	check_illegal(pc, insn_bits(pc), 26);
	AT(pc, "csrrwi t0, instret, 0");
	check_illegal(pc, insn_bits(pc), 27);
	AT(pc, "csrw time, zero");
	check_illegal(pc, insn_bits(pc), 28);
	/* Reading them, or a set/clear with x0 / uimm 0, does not write. */
	AT(pc, "csrrs t0, mhartid, zero");
	AT(pc, "csrrsi t0, marchid, 0");
	AT(pc, "csrrc t0, cycle, zero");
	AT(pc, "csrrci t0, instret, 0");
	CHECK_EQ(mtrap.count, 0, 29);
}

/* EBREAK and C.EBREAK: breakpoint, mepc the instruction. mtval is either
 * zero or the faulting virtual address, the pc (3.1.16). */
static void check_breakpoints(void)
{
	uint64_t pc;
	trap_record_clear(&mtrap);
	AT(pc, ".option push\n.option norvc\n\tebreak\n.option pop");
	CHECK_EQ(mtrap.count, 1, 30);
	CHECK_EQ(mtrap.cause, CAUSE_BREAKPOINT, 30);
	CHECK_EQ(mtrap.epc, pc, 30);
	CHECK(mtrap.tval == 0 || mtrap.tval == pc, 30);
	CHECK(insn_length_at(pc) == 4, 30);

	trap_record_clear(&mtrap);
	AT(pc, "c.ebreak");
	CHECK_EQ(mtrap.count, 1, 31);
	CHECK_EQ(mtrap.cause, CAUSE_BREAKPOINT, 31);
	CHECK_EQ(mtrap.epc, pc, 31);
	CHECK(mtrap.tval == 0 || mtrap.tval == pc, 31);
	CHECK(insn_length_at(pc) == 2, 31);
}

/* ECALL from M: cause 11, mepc the ECALL itself, mtval zero ("for other
 * traps, mtval is set to zero", 3.1.16). */
static void check_ecall(void)
{
	uint64_t pc;
	csr_write(mtval, 0x1234);
	trap_record_clear(&mtrap);
	AT(pc, "ecall");
	CHECK_TRAP(mtrap, CAUSE_ECALL_M, pc, 0, 40);
	/* The trap left MPP = M and MIE = 0 (3.1.6.1). */
	CHECK_EQ(mtrap.status & MSTATUS_MPP, MSTATUS_MPP_M, 41);
	CHECK_EQ(mtrap.status & MSTATUS_MIE, 0, 41);
}

/* Loads, stores and AMOs to vacant addresses: access faults with mtval the
 * address; LR counts as a load, AMOs as stores (3.1.15). */
static void check_data_access_faults(void)
{
	uint64_t pc;
	register uint64_t addr __asm__("t1");
	trap_record_clear(&mtrap);

	addr = VACANT_LOW;
	__asm__ volatile("lla %0, 1f\n1: ld t0, 0(%1)" : "=&r"(pc) : "r"(addr) : "t0", "memory");
	CHECK_TRAP(mtrap, CAUSE_LOAD_ACCESS, pc, VACANT_LOW, 50);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: lbu t0, 5(%1)" : "=&r"(pc) : "r"(addr) : "t0", "memory");
	CHECK_TRAP(mtrap, CAUSE_LOAD_ACCESS, pc, VACANT_LOW + 5, 51);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: sw zero, 8(%1)" : "=&r"(pc) : "r"(addr) : "memory");
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, pc, VACANT_LOW + 8, 52);
	trap_record_clear(&mtrap);

	addr = VACANT_HIGH;
	__asm__ volatile("lla %0, 1f\n1: sd zero, -16(%1)" : "=&r"(pc) : "r"(addr) : "memory");
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, pc, VACANT_HIGH - 16, 53);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: fld ft0, 0(%1)" : "=&r"(pc) : "r"(addr) : "ft0", "memory");
	CHECK_TRAP(mtrap, CAUSE_LOAD_ACCESS, pc, VACANT_HIGH, 54);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: fsw ft0, 4(%1)" : "=&r"(pc) : "r"(addr) : "memory");
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, pc, VACANT_HIGH + 4, 55);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: lr.d t0, (%1)" : "=&r"(pc) : "r"(addr) : "t0", "memory");
	CHECK_TRAP(mtrap, CAUSE_LOAD_ACCESS, pc, VACANT_HIGH, 56);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: amoadd.w t0, zero, (%1)" : "=&r"(pc) : "r"(addr) : "t0", "memory");
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, pc, VACANT_HIGH, 57);
	trap_record_clear(&mtrap);
	__asm__ volatile("lla %0, 1f\n1: amoswap.d t0, zero, (%1)" : "=&r"(pc) : "r"(addr) : "t0", "memory");
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, pc, VACANT_HIGH, 58);
}

/* A faulting load leaves its destination register unwritten. */
static void check_fault_has_no_side_effect(void)
{
	uint64_t value = 0x1122334455667788ull;
	register uint64_t addr __asm__("t1") = VACANT_LOW;
	trap_record_clear(&mtrap);
	__asm__ volatile("ld %0, 0(%1)" : "+r"(value) : "r"(addr) : "memory");
	CHECK_EQ(mtrap.count, 1, 60);
	CHECK_EQ(value, 0x1122334455667788ull, 60);
}

int main(void)
{
	check_fetch_faults();
	check_jump_alignment();
	check_misaligned_target_without_c();
	check_illegal_encodings();
	check_illegal_csr_accesses();
	check_breakpoints();
	check_ecall();
	check_data_access_faults();
	check_fault_has_no_side_effect();
	return 0;
}
