/* Shared by the priv_* tests (each program includes it once): constants of the
 * privileged spec, running a function at a lower privilege level, and trap
 * bookkeeping for handlers that record a trap and step over it. */
#ifndef PRIV_HARNESS_H
#define PRIV_HARNESS_H

#include "test.h"

enum { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* Exception causes (privileged spec 3.1.15, table "mcause values"). */
enum {
	CAUSE_INSN_MISALIGNED = 0,
	CAUSE_INSN_ACCESS = 1,
	CAUSE_ILLEGAL = 2,
	CAUSE_BREAKPOINT = 3,
	CAUSE_LOAD_MISALIGNED = 4,
	CAUSE_LOAD_ACCESS = 5,
	CAUSE_STORE_MISALIGNED = 6,
	CAUSE_STORE_ACCESS = 7,
	CAUSE_ECALL_U = 8,
	CAUSE_ECALL_S = 9,
	CAUSE_ECALL_M = 11,
};
#define CAUSE_INTERRUPT (1ull << 63)

/* Interrupt numbers: the cause code and the bit in mip/mie (spec 3.1.9). */
enum { IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11 };
#define IRQ_BIT(irq) (1ull << (irq))

#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP_M     (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS_CLEAN  (2ull << 13)
#define MSTATUS_FS_DIRTY  (3ull << 13)
#define MSTATUS_SD        (1ull << 63)
#define MENVCFG_STCE      (1ull << 63)

/* PMP configuration bits (spec 3.7.1). */
#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

/* The CLINT of the doppel board (QEMU's spike board has it at the same place). */
#define CLINT_MSIP     ((volatile uint32_t *)0x2000000)
#define CLINT_MTIMECMP ((volatile uint64_t *)0x2004000)
#define CLINT_MTIME    ((volatile uint64_t *)0x200bff8)

/* Physical addresses where nothing answers on the doppel board (and on QEMU's
 * spike board): accesses there are access faults (spec 3.6, "vacant"). */
#define VACANT_LOW  0x70000000ull
#define VACANT_HIGH 0x100000000ull

/* priv_call(priv, fn, arg) runs fn(arg) at privilege priv (through MRET with
 * MPP = priv) and returns fn's result. fn returns to a stub that makes an
 * ECALL; the M-mode handler must start with priv_call_returned(f), which turns
 * that ECALL into a return to M-mode, to priv_call's caller. mstatus.MIE is
 * kept (MPIE is set from it before the MRET). */
uint64_t priv_call(unsigned priv, uint64_t (*fn)(uint64_t), uint64_t arg);
extern char priv_call_ecall[], priv_call_escape[], priv_call_resume[];

/* In a7 at the ending ECALL, so it cannot be mistaken for a test's own. */
#define PRIV_CALL_MAGIC_STR "0x5052495643414c4c"
#define PRIV_CALL_MAGIC 0x5052495643414c4cull

__asm__(
	"	.text\n"
	"	.balign 4\n"
	"	.globl priv_call\n"
	"priv_call:\n"
	"	addi	sp, sp, -112\n"
	"	sd	ra, 0(sp)\n"
	"	sd	s0, 8(sp)\n"
	"	sd	s1, 16(sp)\n"
	"	sd	s2, 24(sp)\n"
	"	sd	s3, 32(sp)\n"
	"	sd	s4, 40(sp)\n"
	"	sd	s5, 48(sp)\n"
	"	sd	s6, 56(sp)\n"
	"	sd	s7, 64(sp)\n"
	"	sd	s8, 72(sp)\n"
	"	sd	s9, 80(sp)\n"
	"	sd	s10, 88(sp)\n"
	"	sd	s11, 96(sp)\n"
	"	la	t0, priv_call_sp\n"
	"	sd	sp, 0(t0)\n"
	"	csrw	mepc, a1\n"
	"	li	t0, (3 << 11) | (1 << 7)\n"
	"	csrc	mstatus, t0\n"
	"	slli	t1, a0, 11\n"
	"	csrs	mstatus, t1\n"
	"	csrr	t0, mstatus\n"
	"	andi	t0, t0, 1 << 3\n"
	"	slli	t0, t0, 4\n"
	"	csrs	mstatus, t0\n"
	"	mv	a0, a2\n"
	"	la	ra, priv_call_ret\n"
	"	mret\n"
	"priv_call_ret:\n"
	"	li	a7, " PRIV_CALL_MAGIC_STR "\n"
	"	.globl priv_call_ecall\n"
	"priv_call_ecall:\n"
	"	ecall\n"
	/* S-mode way out when the ECALL above was delegated to S: an M-mode
	 * CSR access, illegal in S, reaches M unless cause 2 is delegated. */
	"	.globl priv_call_escape\n"
	"priv_call_escape:\n"
	"	csrr	t0, mscratch\n"
	"	.globl priv_call_resume\n"
	"priv_call_resume:\n"
	"	la	t0, priv_call_sp\n"
	"	ld	sp, 0(t0)\n"
	"	ld	ra, 0(sp)\n"
	"	ld	s0, 8(sp)\n"
	"	ld	s1, 16(sp)\n"
	"	ld	s2, 24(sp)\n"
	"	ld	s3, 32(sp)\n"
	"	ld	s4, 40(sp)\n"
	"	ld	s5, 48(sp)\n"
	"	ld	s6, 56(sp)\n"
	"	ld	s7, 64(sp)\n"
	"	ld	s8, 72(sp)\n"
	"	ld	s9, 80(sp)\n"
	"	ld	s10, 88(sp)\n"
	"	ld	s11, 96(sp)\n"
	"	addi	sp, sp, 112\n"
	"	ret\n"
	"	.data\n"
	"	.balign 8\n"
	"priv_call_sp:\n"
	"	.dword 0\n"
	"	.text\n");

/* Ends the running priv_call with result: the M-mode handler's MRET goes to
 * priv_call_resume in M-mode, with a0 = result. */
static inline void priv_call_abort(struct trap_frame *f, uint64_t result)
{
	f->x[10] = result;
	f->epc = (uint64_t)priv_call_resume;
	csr_set(mstatus, MSTATUS_MPP_M);
}

/* For mtrap_handler: true (and the trap consumed) if f is the ECALL, or the
 * S-mode escape, that ends a priv_call. */
static inline int priv_call_returned(struct trap_frame *f)
{
	if (f->x[17] != PRIV_CALL_MAGIC)
		return 0;
	if (!((f->cause == CAUSE_ECALL_U || f->cause == CAUSE_ECALL_S ||
	       f->cause == CAUSE_ECALL_M) && f->epc == (uint64_t)priv_call_ecall) &&
	    !(f->cause == CAUSE_ILLEGAL && f->epc == (uint64_t)priv_call_escape))
		return 0;
	priv_call_abort(f, f->x[10]);
	return 1;
}

/* For strap_handler, in tests that delegate ECALLs: the ending ECALL of a
 * priv_call arrived in S-mode, so continue at the escape, in S-mode. */
static inline int priv_call_returned_to_s(struct trap_frame *f)
{
	if (f->x[17] != PRIV_CALL_MAGIC || f->epc != (uint64_t)priv_call_ecall)
		return 0;
	f->epc = (uint64_t)priv_call_escape;
	csr_set(sstatus, MSTATUS_SPP);
	return 1;
}

/* The last trap a handler recorded, and how many it has seen. */
struct trap_record {
	uint64_t count, cause, epc, tval, status;
};

static inline void trap_record(volatile struct trap_record *r, const struct trap_frame *f,
			       uint64_t status)
{
	r->count++;
	r->cause = f->cause;
	r->epc = f->epc;
	r->tval = f->tval;
	r->status = status;
}

static inline void trap_record_clear(volatile struct trap_record *r)
{
	r->count = 0;
	r->cause = r->epc = r->tval = r->status = ~0ull;
}

/* Length of the instruction at pc: 2 for a compressed encoding, else 4. */
static inline uint64_t insn_length_at(uint64_t pc)
{
	return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

/* Where a handler resumes after a recorded trap: after the trapping
 * instruction, or, for a fault on fetching it (whose bytes cannot be read),
 * at the return address of the jump that led there; interrupts resume the
 * interrupted instruction. (A misaligned target traps on the jump itself,
 * spec 3.1.15, so that one is stepped over like any other.) */
static inline void trap_step_over(struct trap_frame *f)
{
	if (f->cause & CAUSE_INTERRUPT)
		return;
	if (f->cause == CAUSE_INSN_ACCESS)
		f->epc = f->x[1];
	else
		f->epc += insn_length_at(f->epc);
}

/* Grants S and U full access to memory through the last PMP entry (lowest
 * priority, so tests can put narrower entries in front of it): NAPOT over
 * the whole address space. */
static inline void pmp_grant_all(void)
{
	csr_write(pmpaddr15, ~0ull);
	csr_clear(pmpcfg2, 0xffull << 56);
	csr_set(pmpcfg2, (uint64_t)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56);
}

static inline void put_decimal(unsigned v)
{
	if (v >= 10)
		put_decimal(v / 10);
	test_putchar('0' + (int)(v % 10));
}

/* Fails with status n, printing both values, unless got == want. */
#define CHECK_EQ(got, want, n) do { \
	uint64_t got__ = (got), want__ = (want); \
	if (got__ != want__) { \
		test_puts("FAIL "); put_decimal((unsigned)(n)); \
		test_puts(": " #got " = "); test_puthex(got__); \
		test_puts(", expected "); test_puthex(want__); test_putchar('\n'); \
		test_exit(n); } } while (0)

/* Exactly one trap was recorded, with this cause, epc and tval. */
#define CHECK_TRAP(rec, cause_, epc_, tval_, n) do { \
	CHECK_EQ((rec).count, 1, n); \
	CHECK_EQ((rec).cause, (cause_), n); \
	CHECK_EQ((rec).epc, (epc_), n); \
	CHECK_EQ((rec).tval, (tval_), n); } while (0)

#endif
