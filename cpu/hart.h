/* One RISC-V RV64GC hart: architectural state as plain data (so a snapshot
 * can copy it), plus the caches that make it fast (decoded instructions, TLBs)
 * which are derived state and rebuilt on demand. */
#ifndef DOPPEL_CPU_HART_H
#define DOPPEL_CPU_HART_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "cpu/decode.h"
#include "cpu/jit.h"
#include "state/fields.h"
#include "util/timebase.h"

enum priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

enum access { ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2 };

/* Exception causes (privileged spec 3.1.15, table 3.6). */
enum exc_cause {
	EXC_INSN_MISALIGNED = 0,
	EXC_INSN_ACCESS = 1,
	EXC_ILLEGAL = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8,
	EXC_ECALL_S = 9,
	EXC_ECALL_M = 11,
	EXC_INSN_PAGE = 12,
	EXC_LOAD_PAGE = 13,
	EXC_STORE_PAGE = 15,
};

/* Interrupt numbers, also the bit positions in mip/mie. */
enum irq {
	IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11,
};

#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)

/* mstatus fields (privileged spec 3.1.6) */
#define MSTATUS_SIE   (1ull << 1)
#define MSTATUS_MIE   (1ull << 3)
#define MSTATUS_SPIE  (1ull << 5)
#define MSTATUS_MPIE  (1ull << 7)
#define MSTATUS_SPP   (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP   (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS    (3ull << MSTATUS_FS_SHIFT)
#define MSTATUS_MPRV  (1ull << 17)
#define MSTATUS_SUM   (1ull << 18)
#define MSTATUS_MXR   (1ull << 19)
#define MSTATUS_TVM   (1ull << 20)
#define MSTATUS_TW    (1ull << 21)
#define MSTATUS_TSR   (1ull << 22)
#define MSTATUS_UXL   (3ull << 32)
#define MSTATUS_SXL   (3ull << 34)
#define MSTATUS_SD    (1ull << 63)

#define MENVCFG_FIOM  (1ull << 0)
#define MENVCFG_STCE  (1ull << 63)

#define PMP_ENTRIES 16
#define TLB_SIZE 1024
#define TLB_FILL_LOG 512
/* The block cache: up to BLOCK_MAX decoded instructions per block, blocks
 * found through a direct-mapped table, their instructions in an arena that
 * is emptied whole when full. */
#define BLOCK_MAX 32
#define BLOCK_TABLE 65536
#define BLOCK_ARENA (1u << 20)

/* A TLB entry maps one virtual page to host memory: host = vaddr + addend.
 * tag is the virtual page address, or TLB_INVALID. */
#define TLB_INVALID (~0ull)
struct tlb_entry {
	uint64_t tag;
	uintptr_t addend;
};

/* Per privilege level, one TLB for each access type: a hit means translation,
 * permission and PMP checks already passed for that page at that level. */
struct tlb {
	struct tlb_entry e[3][TLB_SIZE];
};

/* A run of straight-line instructions within one page, ending at the first
 * instruction that jumps, traps by design, or changes how code is fetched.
 * Keyed by the host address of its first instruction, so every virtual
 * mapping of the same code shares it; valid while its page's generation in
 * the code map is unchanged. */
struct block {
	const uint8_t *host;
	uint32_t gen;
	uint32_t first;      /* index into the arena */
	uint32_t count;
	uint32_t runs;       /* times run by the interpreter */
	void *code;          /* translated code (cpu/jit.h), or NULL */
};

/* Architectural state: everything a snapshot must carry. */
struct hart_state {
	uint64_t x[32];
	uint64_t f[32];
	uint64_t pc;
	uint64_t priv;
	uint64_t mstatus;      /* sstatus is a view of it */
	uint64_t mip;          /* software-writable bits; device lines are in irq_lines */
	uint64_t mie, medeleg, mideleg, mtvec, mscratch, mepc, mcause, mtval;
	uint64_t mcounteren, mcountinhibit, menvcfg;
	uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg, satp;
	uint64_t stimecmp;
	uint64_t fcsr;
	uint64_t mcycle, minstret;
	uint64_t pmpaddr[PMP_ENTRIES];
	uint8_t pmpcfg[PMP_ENTRIES];
	/* LR/SC: the reserved physical address (or RESERVATION_NONE), the
	 * size and the value LR loaded (exec.c, exec_sc). */
	uint64_t reservation;
	uint64_t reservation_size;
	uint64_t reservation_value;
	uint64_t wfi;          /* stalled in WFI until an interrupt is pending */
};

#define RESERVATION_NONE (~0ull)

struct hart {
	struct hart_state s;
	uint64_t hartid;

	/* Interrupt lines driven by devices (MSIP, MTIP, MEIP, SEIP) through
	 * irq_word_set: read by the hart, written by the CLINT and PLIC. Atomic
	 * because devices may run on another thread. */
	_Atomic uint64_t irq_lines;

	struct bus *bus;
	const struct timebase *time;
	/* The machine's stop request: the hart returns from hart_run soon after
	 * it is set (checked whenever break_loop is). */
	const _Atomic bool *stop;

	/* Set to leave the inner loop at the next instruction boundary: an
	 * interrupt may have become pending, or the machine wants control. */
	bool break_loop;
	/* Set with break_loop to return from hart_run (the hart was stopped). */
	bool yield;
	bool trace;

	/* When set, ECALL from S-mode is served by the VMM (the built-in SBI)
	 * instead of trapping to M-mode; returns false if the call itself
	 * trapped. */
	bool (*ecall_hook)(struct hart *h, void *opaque);
	void *ecall_opaque;

	/* Derived state, rebuilt after any change that affects it. */
	struct tlb tlb[4];             /* indexed by privilege (2 unused) */
	struct tlb *itlb, *dtlb;       /* fetch at priv; loads/stores at the MPRV priv */
	/* Virtual addresses of the superpages walked since the last full
	 * flush of the S and U TLBs: [super_lo, super_hi). */
	uint64_t super_lo, super_hi;
	/* The S and U TLB entries filled since that flush, so that the next
	 * one (a context switch writes satp) clears just those; more than
	 * TLB_FILL_LOG fills and it clears everything. */
	uint32_t tlb_fills;
	uint32_t tlb_fill_log[TLB_FILL_LOG];
	uint64_t code_epoch;           /* the code map epoch the write TLBs agree with */
	struct block blocks[BLOCK_TABLE];
	struct insn *arena;            /* BLOCK_ARENA entries, touched as used */
	uint32_t arena_used;
	/* Blocks are translated on their jit_threshold-th run (0: never), so
	 * that code run once (boot, initialisation) is not translated. */
	uint32_t jit_threshold;
	struct jit jit;
};

/* Returns 0, or -ENOMEM. */
int hart_init(struct hart *h, uint64_t hartid, struct bus *bus, const struct timebase *tb);
void hart_reset(struct hart *h, uint64_t pc);
void hart_destroy(struct hart *h);

/* Runs up to budget instructions; returns how many retired. Stops early when
 * the hart enters WFI or something sets break_loop. */
uint64_t hart_run(struct hart *h, uint64_t budget);

/* The value of mip as software sees it: software bits, device lines, Sstc. */
uint64_t hart_mip(const struct hart *h);

/* Takes a pending, enabled interrupt if there is one; clears WFI if anything
 * is pending at all. Returns true if the hart can run. */
bool hart_poll_interrupts(struct hart *h);

/* Recomputes itlb/dtlb after priv, MPRV or MPP change; hart_tlb_flush after
 * PMP changes; hart_tlb_flush_vm after satp, sfence.vma, SUM or MXR
 * changes; hart_tlb_flush_page for sfence.vma of one address;
 * hart_tlb_flush_writes when a page became code. */
void hart_tlb_select(struct hart *h);
void hart_tlb_flush(struct hart *h);
void hart_tlb_flush_vm(struct hart *h);
void hart_tlb_flush_page(struct hart *h, uint64_t va);
void hart_tlb_flush_writes(struct hart *h);
/* The same, keeping no account of stores to page (-1: none), which this
 * hart is itself turning into code. */
void hart_tlb_flush_writes_but(struct hart *h, int64_t page);

/* Drops the write TLB entries if another hart turned a page into code (or
 * the dirty log was collected) since they were filled (codemap.h). */
static inline void hart_code_sync(struct hart *h)
{
	if (h->code_epoch != code_map_epoch(&h->bus->code))
		hart_tlb_flush_writes(h);
}

/* Takes a saved architectural state (a snapshot's): the caches derived
 * from the old one are dropped. */
void hart_set_state(struct hart *h, const struct hart_state *s);

extern const struct state_desc hart_state_desc;

#endif
