/* Access faults during translation (privileged spec 1.12, 4.3.2 steps 2 and
 * 7, 3.7.2 "Physical Memory Protection and Paging"): the page-table walk's
 * own reads and its A/D writes are checked by PMA and PMP like S-mode
 * accesses, and a failing one raises the access fault of the original access
 * type (1 fetch, 5 load, 7 store/AMO), not a page fault; so does a leaf that
 * translates to a physical address PMP denies or where nothing exists. tval
 * is the virtual address. */
#include "vm_lib.h"

#define CAUSE_FETCH_ACCESS 1
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7
#define PROBE_BASE ((uint64_t)vm_probe_page)
/* A physical address well above RAM with nothing behind it. */
#define NOWHERE 0x1000000000ul

/* PMP entry 0 denies S/U everything in denied[] (a data page and a page
 * table); entry 1 makes ro_table read-only; entry 2 grants the rest. */
static uint64_t denied[2][512] __attribute__((aligned(8192)));
static uint64_t ro_table[512] __attribute__((aligned(4096)));
static uint64_t data_page[512] __attribute__((aligned(4096)));

#define DENIED_VA VM_DATA_VA
#define DENIED_TABLE_VA VM_SPARE_VA
#define RO_TABLE_VA VM_CODE_VA
#define NOWHERE_VA (VM_DATA_VA + PAGE_SIZE)
#define RW_AD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

static uint64_t napot(const void *base, uint64_t size)
{
	return ((uint64_t)base >> 2) | ((size >> 3) - 1);
}

static void setup_pmp(void)
{
	csr_write(pmpaddr0, napot(denied, sizeof(denied)));
	csr_write(pmpaddr1, napot(ro_table, sizeof(ro_table)));
	csr_write(pmpaddr2, -1ul >> 10);
	csr_write(pmpcfg0, (uint64_t)PMP_NAPOT | (uint64_t)(PMP_NAPOT | PMP_R) << 8 |
				   (uint64_t)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 16);
	/* 3.7.2: after a PMP change, SFENCE.VMA x0, x0 flushes translations
	 * that may have cached the old settings. */
	vm_sfence_all();
}

static void expect_access_fault(enum vm_kind kind, uint64_t va, int line)
{
	static const uint64_t causes[] = {
		[VM_LOAD] = CAUSE_LOAD_ACCESS, [VM_LR] = CAUSE_LOAD_ACCESS,
		[VM_STORE] = CAUSE_STORE_ACCESS, [VM_AMO] = CAUSE_STORE_ACCESS,
		[VM_FETCH] = CAUSE_FETCH_ACCESS,
	};
	struct vm_trap t = vm_access(PRIV_S, 0, kind, va, 0, PROBE_BASE);
	uint64_t pc = kind == VM_FETCH ? va : vm_probe_pc(kind, PROBE_BASE);
	vm_check_trap(&t, causes[kind], va, pc, line);
}

static void expect_ok(enum vm_kind kind, uint64_t va, int line)
{
	struct vm_trap t = vm_access(PRIV_S, 0, kind, va, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, kind, va, PROBE_BASE, false, line);
}

int main(void)
{
	vm_setup();
	setup_pmp();
	struct vm_space s = vm_space_standard(SATP_MODE_SV39);

	/* The leaf is fine; the physical page behind it is not. */
	vm_map(&s, DENIED_VA, (uint64_t)denied[0], 0, RW_AD | PTE_X);
	vm_map(&s, NOWHERE_VA, NOWHERE, 0, RW_AD | PTE_X);
	/* A level-0 table in PMP-denied memory, holding a good leaf. */
	*vm_slot(&s, DENIED_TABLE_VA, 1) = vm_pte((uint64_t)denied[1], PTE_V);
	denied[1][vm_vpn(DENIED_TABLE_VA, 0)] = vm_pte((uint64_t)data_page, RW_AD);
	/* A level-0 table PMP lets S read but not write. */
	*vm_slot(&s, RO_TABLE_VA, 1) = vm_pte((uint64_t)ro_table, PTE_V);
	uint64_t *ro_leaf = &ro_table[vm_vpn(RO_TABLE_VA, 0)];
	vm_activate(&s);

	vm_set_context("PMP denies the page", 0, 0, 0);
	expect_access_fault(VM_LOAD, DENIED_VA, __LINE__);
	expect_access_fault(VM_STORE, DENIED_VA, __LINE__);
	expect_access_fault(VM_AMO, DENIED_VA, __LINE__);
	expect_access_fault(VM_FETCH, DENIED_VA, __LINE__);

	vm_set_context("no memory behind the page", 0, 0, 0);
	expect_access_fault(VM_LOAD, NOWHERE_VA, __LINE__);
	expect_access_fault(VM_STORE, NOWHERE_VA, __LINE__);
	expect_access_fault(VM_FETCH, NOWHERE_VA, __LINE__);

	vm_set_context("PMP denies the page table", 0, 0, 0);
	expect_access_fault(VM_LOAD, DENIED_TABLE_VA, __LINE__);
	expect_access_fault(VM_STORE, DENIED_TABLE_VA, __LINE__);
	expect_access_fault(VM_FETCH, DENIED_TABLE_VA, __LINE__);

	/* Step 7: the A/D update is a write to the PTE; where PMP forbids it, the
	 * access faults with the access fault of its own type. */
	vm_set_context("read-only page table, A and D already set", 0, 0, 0);
	*ro_leaf = vm_pte((uint64_t)data_page, RW_AD);
	vm_sfence_all();
	expect_ok(VM_LOAD, RO_TABLE_VA, __LINE__);
	expect_ok(VM_STORE, RO_TABLE_VA, __LINE__);
	vm_set_context("read-only page table, A clear", 0, 0, 0);
	*ro_leaf = vm_pte((uint64_t)data_page, PTE_V | PTE_R | PTE_W);
	vm_sfence_all();
	expect_access_fault(VM_LOAD, RO_TABLE_VA, __LINE__);
	VM_CHECK(*ro_leaf == vm_pte((uint64_t)data_page, PTE_V | PTE_R | PTE_W));
	vm_set_context("read-only page table, D clear", 0, 0, 0);
	*ro_leaf = vm_pte((uint64_t)data_page, PTE_V | PTE_R | PTE_W | PTE_A);
	vm_sfence_all();
	expect_ok(VM_LOAD, RO_TABLE_VA, __LINE__);
	expect_access_fault(VM_STORE, RO_TABLE_VA, __LINE__);
	VM_CHECK((*ro_leaf & PTE_D) == 0);

	/* satp pointing at a root table where nothing exists: the very first
	 * fetch in S mode fails its walk. */
	vm_set_context("root table in no memory", 0, 0, 0);
	csr_write(satp, SATP_MODE_SV39 << SATP_MODE_SHIFT | NOWHERE >> 12);
	vm_sfence_all();
	struct vm_trap t = vm_run(PRIV_S, PROBE_BASE, 0, 0);
	VM_EXPECT_TRAP(t, CAUSE_FETCH_ACCESS, PROBE_BASE, PROBE_BASE);

	csr_write(satp, 0);
	return 0;
}
