/* A page-table change on one hart, then SFENCE.VMA on another (privileged
 * spec 10.2.1 and 10.3.2, Sv39): all harts share one page table in which a
 * test address maps to one of two data pages. For every ordered pair of
 * harts, every hart first loads through the mapping in S-mode (so that each
 * has the translation cached), then the writer points the leaf PTE at the
 * other page and sends the reader a machine software interrupt; the reader,
 * after the interrupt, executes SFENCE.VMA itself (what SBI's remote fence
 * asks of a hart) and must then load from the new page. */
#include "smp_vm.h"

/* Times every ordered pair changes the mapping and looks. */
#define SFENCE_ROUNDS 2u

enum {
	FAIL_TRAP = 1,     /* a trap other than the interrupt or the ending ECALL */
	FAIL_OLD = 2,      /* after a barrier and SFENCE.VMA: not the last mapping */
	FAIL_OWN = 3,      /* the writer, after its own SFENCE.VMA: the old mapping */
	FAIL_STALE = 4,    /* the reader, after the IPI and SFENCE.VMA: the old page */
	FAIL_IPI_WAIT = 5,
};

/* TEST_VA goes through a level-1 and a level-0 table to a 4 KiB leaf. */
#define TEST_VA SMP_TEST_GIB

static uint64_t root[512] __attribute__((aligned(SMP_PAGE_SIZE)));
static uint64_t mid[512] __attribute__((aligned(SMP_PAGE_SIZE)));
static volatile uint64_t leaf[512] __attribute__((aligned(SMP_PAGE_SIZE)));
/* The two targets, each holding its tag in its first word. */
static volatile uint64_t data[2][512] __attribute__((aligned(SMP_PAGE_SIZE)));
#define TAG(page) (0x5fe0c000ull + (page))

static struct { volatile uint64_t count; } SMP_ALIGNED interrupts[ISA_MAX_HARTS];

/* Interrupts are counted; the ECALL that ends an S-mode access returns. */
void mtrap_handler(struct trap_frame *f)
{
	unsigned me = smp_hartid();
	if (f->cause == SMP_CAUSE_MSI) {
		smp_msip(me, 0);
		interrupts[me].count++;
		return;
	}
	SMP_CHECK(smp_s_access_returned(f), FAIL_TRAP);
}

static void wait_ipi(unsigned me, uint64_t before)
{
	uint64_t tries = 0;
	while (interrupts[me].count == before) {
		smp_wfi_step();
		smp_spin(&tries, FAIL_IPI_WAIT);
	}
}

static void build_tables(void)
{
	for (unsigned p = 0; p < 2; p++)
		data[p][0] = TAG(p);
	smp_map_ram(root);
	root[TEST_VA >> SMP_GIB_SHIFT] = smp_table_pte(mid);
	mid[0] = smp_table_pte(leaf);
	leaf[0] = smp_leaf_pte((uintptr_t)data[0], PTE_V | PTE_R | PTE_A);
}

int main(uint64_t hartid, const void *fdt)
{
	unsigned me = (unsigned)hartid;
	if (me == 0)
		build_tables();
	smp_start(hartid, fdt);
	unsigned n = smp_nharts();

	smp_vm_setup(root);
	csr_write(mie, 1ull << SMP_IRQ_MSI);

	unsigned page = 0;
	for (unsigned r = 0; r < SFENCE_ROUNDS; r++) {
		for (unsigned writer = 0; writer < n; writer++) {
			for (unsigned j = 1; j < n; j++) {
				unsigned reader = (writer + j) % n;
				unsigned next = page ^ 1;

				smp_sfence_vma();
				SMP_CHECK(smp_s_load(TEST_VA) == TAG(page), FAIL_OLD);
				uint64_t before = interrupts[me].count;
				smp_barrier();
				if (me == writer) {
					leaf[0] = smp_leaf_pte((uintptr_t)data[next], PTE_V | PTE_R | PTE_A);
					smp_sfence_vma();
					SMP_CHECK(smp_s_load(TEST_VA) == TAG(next), FAIL_OWN);
					__asm__ volatile("fence w, o" ::: "memory");
					smp_msip(reader, 1);
				} else if (me == reader) {
					wait_ipi(me, before);
					smp_sfence_vma();
					SMP_CHECK(smp_s_load(TEST_VA) == TAG(next), FAIL_STALE);
				}
				smp_barrier();
				page = next;
			}
		}
	}
	csr_write(satp, 0);
	return smp_finish();
}
