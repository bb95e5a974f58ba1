/* Hardware A/D updates racing software on another hart (privileged spec
 * 10.3.1 and step 7 of 10.3.2, Sv39): the update of A and D in a PTE must be
 * atomic with the check of the PTE it was made from, so it never writes back
 * a PTE another hart has changed meanwhile. Harts work in pairs (2k, 2k+1;
 * an odd one out only joins the barriers), each pair with its own leaf PTE,
 * all in one leaf table. The even hart stores through its page in S-mode
 * after SFENCE.VMA, over and over, so that each store walks the table and
 * sets A and D again; the odd hart clears A and D and flips a software bit
 * of the same PTE with AMOs, and each AMO's old value must show the bit as
 * it last left it: a walk that wrote back a stale PTE would undo a flip. */
#include "smp_vm.h"

/* Stores and AMO pairs per hart. */
#define AD_ROUNDS 20000u

enum {
	FAIL_TRAP = 1,       /* a trap other than the ending ECALL */
	FAIL_LOST_FLIP = 2,  /* the software bit not as last left */
	FAIL_DATA = 3,       /* the last store not in the page */
	FAIL_NO_UPDATE = 4,  /* a store through a fresh walk left A or D clear */
};

#define MAX_PAIRS (ISA_MAX_HARTS / 2)
#define LEAF_FLAGS (PTE_V | PTE_R | PTE_W)

static uint64_t root[512] __attribute__((aligned(SMP_PAGE_SIZE)));
static uint64_t mid[512] __attribute__((aligned(SMP_PAGE_SIZE)));
static volatile uint64_t leaf[512] __attribute__((aligned(SMP_PAGE_SIZE)));
static volatile uint64_t data[MAX_PAIRS][512] __attribute__((aligned(SMP_PAGE_SIZE)));

static uint64_t pair_va(unsigned pair)
{
	return SMP_TEST_GIB + (uint64_t)pair * SMP_PAGE_SIZE;
}

void mtrap_handler(struct trap_frame *f)
{
	SMP_CHECK(smp_s_access_returned(f), FAIL_TRAP);
}

static void build_tables(void)
{
	smp_map_ram(root);
	root[SMP_TEST_GIB >> SMP_GIB_SHIFT] = smp_table_pte(mid);
	mid[0] = smp_table_pte(leaf);
	for (unsigned p = 0; p < MAX_PAIRS; p++)
		leaf[p] = smp_leaf_pte((uintptr_t)data[p], LEAF_FLAGS);
}

static void walker(unsigned pair)
{
	for (uint64_t i = 1; i <= AD_ROUNDS; i++) {
		smp_sfence_vma();
		smp_s_store(pair_va(pair), i);
	}
	SMP_CHECK(data[pair][0] == AD_ROUNDS, FAIL_DATA);
}

#define AMO(insn, p, v) ({ uint64_t old_; \
	__asm__ volatile(insn " %0, %2, (%1)" : "=r"(old_) : "r"(p), "r"(v) : "memory"); old_; })

static void modifier(unsigned pair)
{
	volatile uint64_t *pte = &leaf[pair];
	uint64_t flip = 0;
	for (unsigned i = 0; i < AD_ROUNDS; i++) {
		uint64_t old = AMO("amoand.d", pte, ~(PTE_A | PTE_D));
		SMP_CHECK((old & PTE_RSW_LOW) == flip, FAIL_LOST_FLIP);
		old = AMO("amoxor.d", pte, PTE_RSW_LOW);
		SMP_CHECK((old & PTE_RSW_LOW) == flip, FAIL_LOST_FLIP);
		flip ^= PTE_RSW_LOW;
	}
	SMP_CHECK((*pte & PTE_RSW_LOW) == flip, FAIL_LOST_FLIP);
}

int main(uint64_t hartid, const void *fdt)
{
	unsigned me = (unsigned)hartid, pair = me / 2;
	if (me == 0)
		build_tables();
	smp_start(hartid, fdt);
	unsigned npairs = smp_nharts() / 2;

	smp_vm_setup(root);
	if (pair < npairs) {
		if (me & 1)
			modifier(pair);
		else
			walker(pair);
	}
	smp_barrier();
	/* Alone now: a store sets A and D in the PTE in memory. */
	if (pair < npairs && !(me & 1)) {
		smp_sfence_vma();
		smp_s_store(pair_va(pair), 0);
		SMP_CHECK((leaf[pair] & (PTE_A | PTE_D)) == (PTE_A | PTE_D), FAIL_NO_UPDATE);
	}
	csr_write(satp, 0);
	return smp_finish();
}
