/* A page-table change on one hart, then SFENCE.VMA on another (privileged
 * spec 10.2.1 and 10.3.2, Sv39): all harts share one page table in which a
 * test address maps to one of two data pages. For every ordered pair of
 * harts, every hart first loads through the mapping in S-mode (so that each
 * has the translation cached), then the writer points the leaf PTE at the
 * other page and sends the reader a machine software interrupt; the reader,
 * after the interrupt, executes SFENCE.VMA itself (what SBI's remote fence
 * asks of a hart) and must then load from the new page. */
#include "smp_lib.h"

/* Times every ordered pair changes the mapping and looks. */
#define SFENCE_ROUNDS 2u

enum {
	FAIL_TRAP = 1,     /* a trap other than the interrupt or the ending ECALL */
	FAIL_OLD = 2,      /* after a barrier and SFENCE.VMA: not the last mapping */
	FAIL_OWN = 3,      /* the writer, after its own SFENCE.VMA: the old mapping */
	FAIL_STALE = 4,    /* the reader, after the IPI and SFENCE.VMA: the old page */
	FAIL_IPI_WAIT = 5,
};

#define CAUSE_ECALL_S 9
#define PAGE_SIZE     4096u
#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PTE_PPN_SHIFT 10
#define SATP_SV39     (8ull << 60)
#define PMP_NAPOT_RWX 0x1f   /* A = NAPOT, R, W, X */

/* RAM is identity-mapped by one 1 GiB leaf; TEST_VA, in the next GiB, goes
 * through a level-1 and a level-0 table to a 4 KiB leaf. */
#define RAM_BASE 0x80000000ull
#define GIB_SHIFT 30
#define TEST_VA  0xc0000000ull

static uint64_t root[512] __attribute__((aligned(PAGE_SIZE)));
static uint64_t mid[512] __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t leaf[512] __attribute__((aligned(PAGE_SIZE)));
/* The two targets, each holding its tag in its first word. */
static volatile uint64_t data[2][512] __attribute__((aligned(PAGE_SIZE)));
#define TAG(page) (0x5fe0c000ull + (page))

static struct { volatile uint64_t count; } SMP_ALIGNED interrupts[ISA_MAX_HARTS];

static uint64_t table_pte(const volatile void *table)
{
	return ((uint64_t)(uintptr_t)table >> 12) << PTE_PPN_SHIFT | PTE_V;
}

static uint64_t leaf_pte(uint64_t pa, uint64_t flags)
{
	return (pa >> 12) << PTE_PPN_SHIFT | flags;
}

/* Interrupts are counted; the ECALL that ends s_load returns to the
 * instruction after it in M-mode (MPP = M). */
void mtrap_handler(struct trap_frame *f)
{
	unsigned me = smp_hartid();
	if (f->cause == SMP_CAUSE_MSI) {
		smp_msip(me, 0);
		interrupts[me].count++;
		return;
	}
	SMP_CHECK(f->cause == CAUSE_ECALL_S, FAIL_TRAP);
	csr_set(mstatus, MSTATUS_MPP);
	f->epc += 4;
}

/* One load of va in S-mode: MRET to S-mode (the code runs through the
 * identity map), load, then ECALL back to M-mode. */
static uint64_t s_load(uint64_t va)
{
	uint64_t v;
	__asm__ volatile("lla t0, 1f\n\t"
			 "csrw mepc, t0\n\t"
			 "li t0, %2\n\t"
			 "csrc mstatus, t0\n\t"
			 "li t0, %3\n\t"
			 "csrs mstatus, t0\n\t"
			 "mret\n"
			 "1:\tld %0, 0(%1)\n\t"
			 "ecall"
			 : "=&r"(v) : "r"(va), "i"(MSTATUS_MPP), "i"(MSTATUS_MPP_S)
			 : "t0", "memory");
	return v;
}

static void sfence_vma(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void wait_ipi(unsigned me, uint64_t before)
{
	uint64_t tries = 0;
	while (interrupts[me].count == before) {
		__asm__ volatile("wfi");
		csr_set(mstatus, MSTATUS_MIE);
		csr_clear(mstatus, MSTATUS_MIE);
		smp_spin(&tries, FAIL_IPI_WAIT);
	}
}

static void build_tables(void)
{
	for (unsigned p = 0; p < 2; p++)
		data[p][0] = TAG(p);
	root[RAM_BASE >> GIB_SHIFT] =
		leaf_pte(RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	root[TEST_VA >> GIB_SHIFT] = table_pte(mid);
	mid[0] = table_pte(leaf);
	leaf[0] = leaf_pte((uintptr_t)data[0], PTE_V | PTE_R | PTE_A);
}

int main(uint64_t hartid, const void *fdt)
{
	unsigned me = (unsigned)hartid;
	if (me == 0)
		build_tables();
	smp_start(hartid, fdt);
	unsigned n = smp_nharts();

	/* Per hart: S-mode may reach all memory (PMP, 3.7.1), traps stay in
	 * M-mode, and the shared table is in use. */
	csr_write(pmpaddr0, -1ull >> 10);
	csr_write(pmpcfg0, PMP_NAPOT_RWX);
	csr_write(medeleg, 0);
	csr_write(satp, SATP_SV39 | (uint64_t)(uintptr_t)root >> 12);
	sfence_vma();
	csr_write(mie, 1ull << SMP_IRQ_MSI);

	unsigned page = 0;
	for (unsigned r = 0; r < SFENCE_ROUNDS; r++) {
		for (unsigned writer = 0; writer < n; writer++) {
			for (unsigned j = 1; j < n; j++) {
				unsigned reader = (writer + j) % n;
				unsigned next = page ^ 1;

				sfence_vma();
				SMP_CHECK(s_load(TEST_VA) == TAG(page), FAIL_OLD);
				uint64_t before = interrupts[me].count;
				smp_barrier();
				if (me == writer) {
					leaf[0] = leaf_pte((uintptr_t)data[next], PTE_V | PTE_R | PTE_A);
					sfence_vma();
					SMP_CHECK(s_load(TEST_VA) == TAG(next), FAIL_OWN);
					__asm__ volatile("fence w, o" ::: "memory");
					smp_msip(reader, 1);
				} else if (me == reader) {
					wait_ipi(me, before);
					sfence_vma();
					SMP_CHECK(s_load(TEST_VA) == TAG(next), FAIL_STALE);
				}
				smp_barrier();
				page = next;
			}
		}
	}
	csr_write(satp, 0);
	return smp_finish();
}
