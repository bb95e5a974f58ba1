/* For the multi-hart paging tests (included once, after smp_lib.h): Sv39
 * page-table bits, per-hart set-up, and single S-mode accesses from M-mode.
 * Every hart has its own stack and no shared state here, unlike vm_lib.h
 * (whose helpers keep one hart's state in globals). */
#ifndef SMP_VM_H
#define SMP_VM_H

#include "smp_lib.h"

#define SMP_PAGE_SIZE 4096u
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_RSW_LOW (1ull << 8)   /* for software (privileged spec 10.3.1) */
#define PTE_PPN_SHIFT 10
#define SATP_SV39 (8ull << 60)
#define PMP_NAPOT_RWX 0x1f        /* A = NAPOT, R, W, X */
#define CAUSE_ECALL_S 9

/* RAM is identity-mapped by one 1 GiB leaf of the root table, so S-mode runs
 * the same code at the same addresses; test addresses are in the next GiB. */
#define SMP_RAM_BASE  0x80000000ull
#define SMP_GIB_SHIFT 30
#define SMP_TEST_GIB  0xc0000000ull

static inline uint64_t smp_table_pte(const volatile void *table)
{
	return ((uint64_t)(uintptr_t)table >> 12) << PTE_PPN_SHIFT | PTE_V;
}

static inline uint64_t smp_leaf_pte(uint64_t pa, uint64_t flags)
{
	return (pa >> 12) << PTE_PPN_SHIFT | flags;
}

/* The identity map of RAM in a root table. */
static inline void smp_map_ram(uint64_t *root)
{
	root[SMP_RAM_BASE >> SMP_GIB_SHIFT] =
		smp_leaf_pte(SMP_RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
}

static inline void smp_sfence_vma(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* On each hart: S-mode may reach all memory (PMP, 3.7.1), its traps stay in
 * M-mode, and root is the page table. */
static inline void smp_vm_setup(const uint64_t *root)
{
	csr_write(pmpaddr0, -1ull >> 10);
	csr_write(pmpcfg0, PMP_NAPOT_RWX);
	csr_write(medeleg, 0);
	csr_write(satp, SATP_SV39 | (uint64_t)(uintptr_t)root >> 12);
	smp_sfence_vma();
}

/* For mtrap_handler: true (and the trap consumed) if f is the ECALL that
 * ends an smp_s_load or smp_s_store: it returns to the next instruction in
 * M-mode. */
static inline int smp_s_access_returned(struct trap_frame *f)
{
	if (f->cause != CAUSE_ECALL_S)
		return 0;
	csr_set(mstatus, MSTATUS_MPP);
	f->epc += 4;
	return 1;
}

/* MRET to S-mode at the next instruction, one access, ECALL back. */
#define SMP_TO_S_MODE \
	"lla t0, 1f\n\tcsrw mepc, t0\n\tli t0, %[mpp]\n\tcsrc mstatus, t0\n\t" \
	"li t0, %[mpp_s]\n\tcsrs mstatus, t0\n\tmret\n1:\t"

static inline uint64_t smp_s_load(uint64_t va)
{
	uint64_t v;
	__asm__ volatile(SMP_TO_S_MODE "ld %0, 0(%1)\n\tecall"
			 : "=&r"(v) : "r"(va), [mpp] "i"(MSTATUS_MPP), [mpp_s] "i"(MSTATUS_MPP_S)
			 : "t0", "memory");
	return v;
}

static inline void smp_s_store(uint64_t va, uint64_t v)
{
	__asm__ volatile(SMP_TO_S_MODE "sd %1, 0(%0)\n\tecall"
			 :: "r"(va), "r"(v), [mpp] "i"(MSTATUS_MPP), [mpp_s] "i"(MSTATUS_MPP_S)
			 : "t0", "memory");
}

#endif
