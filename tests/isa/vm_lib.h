/* Helpers for the virtual-memory tests (privileged spec 1.12, chapter 4,
 * "Supervisor-Level ISA"): page tables built from a pool in .bss, probes that
 * make one access from S or U mode, and vm_run, which drops from M mode to S
 * or U mode at a given pc and comes back at the first trap taken into M mode
 * with its mcause, mtval and mepc. Each test program includes this once. */
#ifndef DOPPEL_VM_LIB_H
#define DOPPEL_VM_LIB_H

#include <stdbool.h>
#include <stdint.h>

#include "test.h"

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_RSW (3ul << 8)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ul << 44) - 1)

#define SATP_MODE_SHIFT 60
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK 0xfffful
#define SATP_MODE_SV39 8ul
#define SATP_MODE_SV48 9ul
#define SATP_MODE_SV57 10ul

#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_ECALL_U 8
#define CAUSE_ECALL_S 9
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

#define PRIV_U 0
#define PRIV_S 1
#define PRIV_M 3
#define MSTATUS_MPP_SHIFT 11

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_NAPOT 0x18

#define PAGE_SIZE 4096ul
#define RAM_BASE 0x80000000ul
#define RAM_SIZE (512ul << 20)

/* Test addresses in the top GiB, canonical in Sv39, Sv48 and Sv57 alike and
 * far from the identity map of RAM; each sits in its own 2 MiB region so a
 * test may map any of them with a 2 MiB leaf. */
#define VM_TOP_GIB 0xffffffffc0000000ul
#define VM_UCODE_VA (VM_TOP_GIB + 0x000000ul) /* U-mode alias of the probe page */
#define VM_DATA_VA (VM_TOP_GIB + 0x200000ul)
#define VM_CODE_VA (VM_TOP_GIB + 0x400000ul)
#define VM_SPARE_VA (VM_TOP_GIB + 0x600000ul)

#define VM_POOL_PAGES 40

extern char _end[];

/* The probe page (assembled below): one page holding only the probes, so a
 * test can map it, and nothing else, at a U-mode address. Every probe ends in
 * ecall, which brings a successful access back to M mode. The page starts with
 * an ecall so that mapping it at a virtual address and jumping there probes an
 * instruction fetch. */
extern char vm_probe_page[], vm_probe_load[], vm_probe_store[], vm_probe_amo[],
	vm_probe_lr[];

/* What came back to M mode: the trap's cause, tval and epc and the guest's a0
 * at the moment of the trap. */
struct vm_trap {
	uint64_t cause, tval, epc, a0;
};

/* Enters the privilege mode in mstatus.MPP at pc with a0 and a1 after setting
 * the mstatus bits in status (last, so MPRV there cannot touch the saved
 * context); returns here at the next trap into M mode, described in *out. */
void vm_enter(uint64_t a0, uint64_t a1, uint64_t pc, struct vm_trap *out, uint64_t status);

__asm__(
	"	.pushsection .text.vm_probe, \"ax\", @progbits\n"
	"	.balign 4096\n"
	"	.option push\n"
	"	.option norvc\n"
	"	.globl vm_probe_page, vm_probe_load, vm_probe_store, vm_probe_amo, vm_probe_lr\n"
	"vm_probe_page:\n"
	"	ecall\n"
	"vm_probe_load:\n"
	"	ld	a0, 0(a0)\n"
	"	ecall\n"
	"vm_probe_store:\n"
	"	sd	a1, 0(a0)\n"
	"	ecall\n"
	"vm_probe_amo:\n"
	"	amoor.d	a0, a1, (a0)\n"
	"	ecall\n"
	"vm_probe_lr:\n"
	"	lr.d	a0, (a0)\n"
	"	ecall\n"
	"	.option pop\n"
	"	.balign 4096\n"
	"	.popsection\n"
	"\n"
	"	.pushsection .text.vm_enter, \"ax\", @progbits\n"
	"	.balign 4\n"
	"	.globl vm_enter\n"
	"vm_enter:\n"
	"	la	t0, vm_host\n"
	"	sd	ra, 0(t0)\n"
	"	sd	sp, 8(t0)\n"
	"	sd	s0, 16(t0)\n"
	"	sd	s1, 24(t0)\n"
	"	sd	s2, 32(t0)\n"
	"	sd	s3, 40(t0)\n"
	"	sd	s4, 48(t0)\n"
	"	sd	s5, 56(t0)\n"
	"	sd	s6, 64(t0)\n"
	"	sd	s7, 72(t0)\n"
	"	sd	s8, 80(t0)\n"
	"	sd	s9, 88(t0)\n"
	"	sd	s10, 96(t0)\n"
	"	sd	s11, 104(t0)\n"
	"	sd	a3, 112(t0)\n"
	"	csrr	t1, mtvec\n"
	"	sd	t1, 120(t0)\n"
	"	la	t1, vm_exit_trap\n"
	"	csrw	mtvec, t1\n"
	"	csrw	mepc, a2\n"
	"	csrs	mstatus, a4\n"
	"	mret\n"
	"	.balign 4\n"
	"vm_exit_trap:\n"
	"	la	t0, vm_host\n"
	"	ld	t1, 112(t0)\n"
	"	csrr	t2, mcause\n"
	"	sd	t2, 0(t1)\n"
	"	csrr	t2, mtval\n"
	"	sd	t2, 8(t1)\n"
	"	csrr	t2, mepc\n"
	"	sd	t2, 16(t1)\n"
	"	sd	a0, 24(t1)\n"
	"	ld	t2, 120(t0)\n"
	"	csrw	mtvec, t2\n"
	"	ld	ra, 0(t0)\n"
	"	ld	sp, 8(t0)\n"
	"	ld	s0, 16(t0)\n"
	"	ld	s1, 24(t0)\n"
	"	ld	s2, 32(t0)\n"
	"	ld	s3, 40(t0)\n"
	"	ld	s4, 48(t0)\n"
	"	ld	s5, 56(t0)\n"
	"	ld	s6, 64(t0)\n"
	"	ld	s7, 72(t0)\n"
	"	ld	s8, 80(t0)\n"
	"	ld	s9, 88(t0)\n"
	"	ld	s10, 96(t0)\n"
	"	ld	s11, 104(t0)\n"
	"	ret\n"
	"	.popsection\n"
	"	.pushsection .bss.vm_host, \"aw\", @nobits\n"
	"	.balign 8\n"
	"vm_host:\n"
	"	.space 128\n"
	"	.popsection\n");

/* ---- failure reports ---- */

/* Printed in front of every failure, e.g. the mode and level under test. */
static char vm_context[64];

/* Sets the context to the concatenation of up to four strings (NULL ends). */
static inline void vm_set_context(const char *a, const char *b, const char *c, const char *d)
{
	const char *parts[] = { a, b, c, d };
	unsigned n = 0;
	for (unsigned p = 0; p < 4 && parts[p]; p++)
		for (const char *ch = parts[p]; *ch && n < sizeof(vm_context) - 1; ch++)
			vm_context[n++] = *ch;
	vm_context[n] = 0;
}

static inline void vm_put_dec(uint64_t v)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		test_putchar(buf[--n]);
}

static inline __attribute__((noreturn)) void vm_fail(int line, const char *what)
{
	test_puts("FAIL line ");
	vm_put_dec((uint64_t)line);
	test_puts(" [");
	test_puts(vm_context);
	test_puts("]: ");
	test_puts(what);
	test_putchar('\n');
	test_exit(1);
}

#define VM_CHECK(cond) do { if (!(cond)) vm_fail(__LINE__, #cond); } while (0)

static inline void vm_put_trap(const char *label, uint64_t cause, uint64_t tval, uint64_t epc)
{
	test_puts(label);
	test_puts(" cause=");
	vm_put_dec(cause);
	test_puts(" tval=");
	test_puthex(tval);
	test_puts(" epc=");
	test_puthex(epc);
	test_putchar('\n');
}

static inline void vm_check_trap(const struct vm_trap *t, uint64_t cause, uint64_t tval,
				 uint64_t epc, int line)
{
	if (t->cause == cause && t->tval == tval && t->epc == epc)
		return;
	vm_put_trap("  got:     ", t->cause, t->tval, t->epc);
	vm_put_trap("  expected:", cause, tval, epc);
	vm_fail(line, "wrong trap");
}

/* The access came back through the probe's ecall: it did not fault. An
 * ecall's tval is zero (spec 3.1.16: mtval is zero for traps that do not
 * define it). */
#define VM_EXPECT_ECALL(t, priv, epc) \
	vm_check_trap(&(t), (priv) == PRIV_U ? CAUSE_ECALL_U : CAUSE_ECALL_S, 0, (epc), __LINE__)
#define VM_EXPECT_TRAP(t, cause, tval, epc) vm_check_trap(&(t), (cause), (tval), (epc), __LINE__)

/* ---- running S- and U-mode code ---- */

/* Runs the code at pc in privilege mode priv with mstatus bits status (SUM,
 * MXR, MPRV) set on the way down; they stay set until the caller clears them. */
static inline struct vm_trap vm_run_status(int priv, uint64_t status, uint64_t pc, uint64_t a0,
					   uint64_t a1)
{
	struct vm_trap t;
	csr_clear(mstatus, MSTATUS_MPP | MSTATUS_MPRV);
	vm_enter(a0, a1, pc, &t, status | ((uint64_t)priv << MSTATUS_MPP_SHIFT));
	return t;
}

static inline struct vm_trap vm_run(int priv, uint64_t pc, uint64_t a0, uint64_t a1)
{
	return vm_run_status(priv, 0, pc, a0, a1);
}

/* Ends an S- or U-mode function: ecall with a0 = result back to M mode. */
static inline __attribute__((noreturn)) void vm_ecall(uint64_t result)
{
	register uint64_t a0 __asm__("a0") = result;
	__asm__ volatile("ecall" : : "r"(a0) : "memory");
	__builtin_unreachable();
}

enum vm_kind { VM_LOAD, VM_STORE, VM_AMO, VM_LR, VM_FETCH };

static inline const char *vm_kind_name(enum vm_kind kind)
{
	static const char *const names[] = {
		[VM_LOAD] = "load", [VM_STORE] = "store", [VM_AMO] = "AMO",
		[VM_LR] = "LR", [VM_FETCH] = "fetch",
	};
	return names[kind];
}

/* The probe for kind as seen at probe_base, the virtual address where the
 * probe page is mapped for the running mode. */
static inline uint64_t vm_probe_pc(enum vm_kind kind, uint64_t probe_base)
{
	static char *const probes[] = {
		[VM_LOAD] = vm_probe_load, [VM_STORE] = vm_probe_store,
		[VM_AMO] = vm_probe_amo, [VM_LR] = vm_probe_lr, [VM_FETCH] = vm_probe_page,
	};
	return probe_base + (uint64_t)(probes[kind] - vm_probe_page);
}

/* Spec 4.3.1: a fetch from a page that forbids it raises an instruction page
 * fault, a load or LR a load page fault, a store, SC or AMO a store/AMO page
 * fault ("AMOs never raise load page-fault exceptions"). */
static inline uint64_t vm_fault_cause(enum vm_kind kind)
{
	switch (kind) {
	case VM_LOAD:
	case VM_LR:
		return CAUSE_LOAD_PAGE_FAULT;
	case VM_STORE:
	case VM_AMO:
		return CAUSE_STORE_PAGE_FAULT;
	default:
		return CAUSE_FETCH_PAGE_FAULT;
	}
}

/* One access of kind at va from priv; a fetch jumps to va (which must hold an
 * ecall if it succeeds), the others run the probe found at probe_base. Stores
 * and AMOs write (or OR in) value. */
static inline struct vm_trap vm_access(int priv, uint64_t status, enum vm_kind kind, uint64_t va,
				       uint64_t value, uint64_t probe_base)
{
	uint64_t pc = kind == VM_FETCH ? va : vm_probe_pc(kind, probe_base);
	return vm_run_status(priv, status, pc, va, value);
}

/* Checks the outcome of vm_access: either the probe's ecall, or the page
 * fault of the access's kind with tval = the faulting virtual address and
 * epc = the faulting instruction (spec 4.1.9, 4.1.7). */
static inline void vm_check_access(const struct vm_trap *t, int priv, enum vm_kind kind,
				   uint64_t va, uint64_t probe_base, bool faults, int line)
{
	uint64_t pc = kind == VM_FETCH ? va : vm_probe_pc(kind, probe_base);
	if (faults) {
		vm_check_trap(t, vm_fault_cause(kind), va, pc, line);
		return;
	}
	/* The ecall is the fetched instruction itself, or the one after the
	 * probe's access. */
	uint64_t ecall_pc = kind == VM_FETCH ? pc : pc + 4;
	vm_check_trap(t, priv == PRIV_U ? CAUSE_ECALL_U : CAUSE_ECALL_S, 0, ecall_pc, line);
}

/* ---- page tables ---- */

static uint64_t vm_pool[VM_POOL_PAGES][512] __attribute__((aligned(4096)));
static unsigned vm_pool_used;

static inline uint64_t *vm_new_table(void)
{
	if (vm_pool_used == VM_POOL_PAGES)
		vm_fail(__LINE__, "page-table pool exhausted");
	uint64_t *t = vm_pool[vm_pool_used++];
	for (int i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

struct vm_space {
	uint64_t mode;
	int levels;
	uint64_t *root;
};

static inline int vm_levels(uint64_t mode)
{
	return mode == SATP_MODE_SV57 ? 5 : mode == SATP_MODE_SV48 ? 4 : 3;
}

/* Number of virtual-address bits: 39, 48 or 57 (spec 4.4.1, 4.5.1, 4.6.1). */
static inline int vm_va_bits(uint64_t mode)
{
	return 12 + 9 * vm_levels(mode);
}

static inline const char *vm_mode_name(uint64_t mode)
{
	return mode == SATP_MODE_SV57 ? "Sv57" : mode == SATP_MODE_SV48 ? "Sv48" : "Sv39";
}

/* Bytes mapped by one leaf at level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, ...). */
static inline uint64_t vm_level_size(int level)
{
	return PAGE_SIZE << (9 * level);
}

static inline uint64_t vm_pte(uint64_t pa, uint64_t flags)
{
	return (pa >> 12) << PTE_PPN_SHIFT | flags;
}

static inline uint64_t vm_pte_pa(uint64_t pte)
{
	return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << 12;
}

static inline unsigned vm_vpn(uint64_t va, int level)
{
	return (unsigned)(va >> (12 + 9 * level)) & 511;
}

/* A fresh address space; the pool is shared by all spaces of a program and
 * vm_reset_pool starts it over. */
static inline struct vm_space vm_space_new(uint64_t mode)
{
	struct vm_space s = { mode, vm_levels(mode), vm_new_table() };
	return s;
}

static inline void vm_reset_pool(void)
{
	vm_pool_used = 0;
}

/* The PTE slot for va at level, creating pointer PTEs (V only) above it. */
static inline uint64_t *vm_slot(const struct vm_space *s, uint64_t va, int level)
{
	uint64_t *table = s->root;
	for (int i = s->levels - 1; i > level; i--) {
		uint64_t *e = &table[vm_vpn(va, i)];
		if (!(*e & PTE_V))
			*e = vm_pte((uint64_t)vm_new_table(), PTE_V);
		else if (*e & (PTE_R | PTE_W | PTE_X))
			vm_fail(__LINE__, "vm_slot: a leaf is in the way");
		table = (uint64_t *)vm_pte_pa(*e);
	}
	return &table[vm_vpn(va, level)];
}

/* Maps the leaf at level holding va to pa; returns the leaf PTE. */
static inline uint64_t *vm_map(const struct vm_space *s, uint64_t va, uint64_t pa, int level,
			       uint64_t flags)
{
	uint64_t *pte = vm_slot(s, va, level);
	*pte = vm_pte(pa, flags);
	return pte;
}

/* Maps RAM one-to-one with leaves of the given level and flags. Leaves of a
 * GiB and more cover all of RAM with one PTE. At level 0 only the first
 * 2 MiB (the test image: code, data, page tables, stack) gets 4 KiB pages, and
 * the rest 2 MiB leaves, which keeps the table count small. */
static inline void vm_map_ram(const struct vm_space *s, int level, uint64_t flags)
{
	uint64_t size = vm_level_size(level);
	if (size >= vm_level_size(2)) {
		uint64_t base = RAM_BASE & ~(size - 1);
		vm_map(s, base, base, level, flags);
		return;
	}
	uint64_t from = RAM_BASE;
	if (level == 0) {
		if ((uint64_t)_end > RAM_BASE + vm_level_size(1))
			vm_fail(__LINE__, "test image larger than 2 MiB");
		for (; from < RAM_BASE + vm_level_size(1); from += PAGE_SIZE)
			vm_map(s, from, from, 0, flags);
	}
	for (; from < RAM_BASE + RAM_SIZE; from += vm_level_size(1))
		vm_map(s, from, from, 1, flags);
}

#define VM_KERNEL_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

static inline uint64_t vm_satp(const struct vm_space *s, uint64_t asid)
{
	return s->mode << SATP_MODE_SHIFT | asid << SATP_ASID_SHIFT | (uint64_t)s->root >> 12;
}

static inline void vm_sfence_all(void)
{
	__asm__ volatile("sfence.vma" : : : "memory");
}

/* Switches satp to s (ASID 0) and fences, from M mode: translations made
 * from now on by S, U or MPRV accesses see the tables as they are now. */
static inline void vm_activate(const struct vm_space *s)
{
	csr_write(satp, vm_satp(s, 0));
	vm_sfence_all();
}

/* The usual space for the permission tests: RAM identity-mapped for S mode
 * with 1 GiB leaves, and the probe page at VM_UCODE_VA for U mode. */
static inline struct vm_space vm_space_standard(uint64_t mode)
{
	struct vm_space s = vm_space_new(mode);
	vm_map_ram(&s, 2, VM_KERNEL_RWX);
	vm_map(&s, VM_UCODE_VA, (uint64_t)vm_probe_page, 0, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
	return s;
}

/* M-mode set-up every test needs: PMP entry 0 grants S and U access to all
 * of memory (spec 3.7.1: NAPOT with all address bits set covers the whole
 * physical space; without a matching entry S/U accesses fail once PMP is
 * implemented), traps stay in M, S traps go to the runtime's S entry, and
 * translation starts off. */
static inline void vm_setup(void)
{
	csr_write(pmpaddr0, -1ul >> 10);
	csr_write(pmpcfg0, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
	csr_write(medeleg, 0);
	csr_write(stvec, (uint64_t)__strap_entry);
	csr_write(satp, 0);
	csr_clear(mstatus, MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM);
	vm_sfence_all();
	vm_reset_pool();
}

#endif
