/* Where page faults go and what the trap CSRs say (privileged spec 1.12,
 * 3.1.8 medeleg, 4.1.7 sepc, 4.1.8 scause, 4.1.9 stval, 3.1.16 mtval).
 * Delegated through medeleg, a page fault from S or U mode arrives in S mode
 * with scause, stval = the faulting virtual address, sepc = the instruction
 * and sstatus.SPP = the mode it came from, and an S handler can map the page
 * and retry (demand paging). Only the delegated causes go to S; the others,
 * and all faults with medeleg clear, go to M and leave the S CSRs alone. A
 * 4-byte instruction straddling into an unmapped page faults with tval = the
 * start of that page and epc = the start of the instruction. */
#include "vm_lib.h"

#define PAGE_FAULTS \
	(1ul << CAUSE_FETCH_PAGE_FAULT | 1ul << CAUSE_LOAD_PAGE_FAULT | \
	 1ul << CAUSE_STORE_PAGE_FAULT)
#define PROBE_BASE ((uint64_t)vm_probe_page)

/* What the S-mode handler saw of its last trap. It either maps demand_va
 * (demand paging) and returns to retry, or reports back to M with ecall. */
static volatile unsigned s_traps;
static volatile uint64_t s_cause, s_tval, s_epc, s_status;
static volatile uint64_t demand_va;
static uint64_t *volatile demand_slot;
static volatile uint64_t demand_pte;

void strap_handler(struct trap_frame *f)
{
	s_traps++;
	s_cause = f->cause;
	s_tval = f->tval;
	s_epc = f->epc;
	s_status = csr_read(sstatus);
	if (demand_slot && (f->tval & ~(PAGE_SIZE - 1)) == demand_va) {
		*demand_slot = demand_pte;
		__asm__ volatile("sfence.vma %0, zero" : : "r"(f->tval) : "memory");
		demand_slot = 0;
		return;
	}
	vm_ecall(0);
}

static uint64_t data_page[512] __attribute__((aligned(4096)));
#define DATA_INITIAL 0x1357924680aceb09ul

/* Two pages of code written at run time: an ecall whose first half ends the
 * first page and whose second half starts the second. */
static uint16_t straddle[4096] __attribute__((aligned(4096)));

static void expect_in_s(const struct vm_trap *t, uint64_t cause, uint64_t tval, uint64_t epc,
			int from_priv, int line)
{
	/* The handler ended in an ecall from S mode back to M. */
	if (t->cause != CAUSE_ECALL_S) {
		vm_put_trap("  M got:", t->cause, t->tval, t->epc);
		vm_fail(line, "the fault did not reach the S handler");
	}
	struct vm_trap seen = { s_cause, s_tval, s_epc, 0 };
	vm_check_trap(&seen, cause, tval, epc, line);
	if (!!(s_status & MSTATUS_SPP) != (from_priv == PRIV_S))
		vm_fail(line, "sstatus.SPP does not name the mode the fault came from");
}

static void check_delegated(void)
{
	vm_set_context("delegated", 0, 0, 0);
	csr_write(medeleg, PAGE_FAULTS);
	VM_CHECK((csr_read(medeleg) & PAGE_FAULTS) == PAGE_FAULTS);

	struct vm_trap t = vm_access(PRIV_S, 0, VM_LOAD, VM_DATA_VA, 0, PROBE_BASE);
	expect_in_s(&t, CAUSE_LOAD_PAGE_FAULT, VM_DATA_VA, vm_probe_pc(VM_LOAD, PROBE_BASE),
		    PRIV_S, __LINE__);
	t = vm_access(PRIV_S, 0, VM_AMO, VM_DATA_VA, 0, PROBE_BASE);
	expect_in_s(&t, CAUSE_STORE_PAGE_FAULT, VM_DATA_VA, vm_probe_pc(VM_AMO, PROBE_BASE),
		    PRIV_S, __LINE__);
	t = vm_access(PRIV_S, 0, VM_FETCH, VM_CODE_VA, 0, PROBE_BASE);
	expect_in_s(&t, CAUSE_FETCH_PAGE_FAULT, VM_CODE_VA, VM_CODE_VA, PRIV_S, __LINE__);
	t = vm_access(PRIV_U, 0, VM_STORE, VM_DATA_VA + 8, 0, VM_UCODE_VA);
	expect_in_s(&t, CAUSE_STORE_PAGE_FAULT, VM_DATA_VA + 8,
		    vm_probe_pc(VM_STORE, VM_UCODE_VA), PRIV_U, __LINE__);
	t = vm_access(PRIV_U, 0, VM_FETCH, VM_CODE_VA + 0x40, 0, VM_UCODE_VA);
	expect_in_s(&t, CAUSE_FETCH_PAGE_FAULT, VM_CODE_VA + 0x40, VM_CODE_VA + 0x40, PRIV_U,
		    __LINE__);
	/* A U-mode access to an S page is a page fault delegated the same way. */
	t = vm_access(PRIV_U, 0, VM_LOAD, (uint64_t)data_page, 0, VM_UCODE_VA);
	expect_in_s(&t, CAUSE_LOAD_PAGE_FAULT, (uint64_t)data_page,
		    vm_probe_pc(VM_LOAD, VM_UCODE_VA), PRIV_U, __LINE__);
}

/* Only the load page fault delegated: a store page fault goes to M with
 * mcause/mtval/mepc and must not touch scause/stval/sepc. */
static void check_partial_delegation(void)
{
	vm_set_context("only load faults delegated", 0, 0, 0);
	csr_write(medeleg, 1ul << CAUSE_LOAD_PAGE_FAULT);
	struct vm_trap t = vm_access(PRIV_S, 0, VM_LOAD, VM_DATA_VA, 0, PROBE_BASE);
	expect_in_s(&t, CAUSE_LOAD_PAGE_FAULT, VM_DATA_VA, vm_probe_pc(VM_LOAD, PROBE_BASE),
		    PRIV_S, __LINE__);

	csr_write(scause, 0x11);
	csr_write(stval, 0x22);
	csr_write(sepc, 0x30);
	unsigned before = s_traps;
	t = vm_access(PRIV_S, 0, VM_STORE, VM_DATA_VA, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_STORE, VM_DATA_VA, PROBE_BASE, true, __LINE__);
	t = vm_access(PRIV_U, 0, VM_FETCH, VM_CODE_VA, 0, VM_UCODE_VA);
	vm_check_access(&t, PRIV_U, VM_FETCH, VM_CODE_VA, VM_UCODE_VA, true, __LINE__);
	VM_CHECK(s_traps == before);
	VM_CHECK(csr_read(scause) == 0x11);
	VM_CHECK(csr_read(stval) == 0x22);
	VM_CHECK(csr_read(sepc) == 0x30);

	vm_set_context("nothing delegated", 0, 0, 0);
	csr_write(medeleg, 0);
	t = vm_access(PRIV_U, 0, VM_LOAD, VM_DATA_VA, 0, VM_UCODE_VA);
	vm_check_access(&t, PRIV_U, VM_LOAD, VM_DATA_VA, VM_UCODE_VA, true, __LINE__);
	VM_CHECK(s_traps == before);
	VM_CHECK(csr_read(scause) == 0x11);
}

/* The S handler maps the missing page and returns to the faulting
 * instruction, which then completes. */
static void check_demand_paging(const struct vm_space *s)
{
	csr_write(medeleg, PAGE_FAULTS);
	static const struct {
		const char *name;
		int priv;
		enum vm_kind kind;
		uint64_t flags;
	} cases[] = {
		{ "demand paging, S load", PRIV_S, VM_LOAD, 0 },
		{ "demand paging, S store", PRIV_S, VM_STORE, 0 },
		{ "demand paging, U load", PRIV_U, VM_LOAD, PTE_U },
		{ "demand paging, U AMO", PRIV_U, VM_AMO, PTE_U },
	};
	for (unsigned i = 0; i < 4; i++) {
		vm_set_context(cases[i].name, 0, 0, 0);
		uint64_t *slot = vm_slot(s, VM_SPARE_VA, 0);
		*slot = 0;
		vm_sfence_all();
		data_page[2] = DATA_INITIAL;
		demand_va = VM_SPARE_VA;
		demand_pte = vm_pte((uint64_t)data_page,
				    PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | cases[i].flags);
		demand_slot = slot;
		unsigned before = s_traps;
		uint64_t probe_base = cases[i].priv == PRIV_U ? VM_UCODE_VA : PROBE_BASE;
		struct vm_trap t = vm_access(cases[i].priv, 0, cases[i].kind, VM_SPARE_VA + 16, 4,
					     probe_base);
		vm_check_access(&t, cases[i].priv, cases[i].kind, VM_SPARE_VA + 16, probe_base,
				false, __LINE__);
		VM_CHECK(s_traps == before + 1);
		VM_CHECK(s_cause == vm_fault_cause(cases[i].kind));
		VM_CHECK(s_epc == vm_probe_pc(cases[i].kind, probe_base));
		VM_CHECK(demand_slot == 0);
		if (cases[i].kind == VM_STORE) {
			VM_CHECK(data_page[2] == 4);
		} else {
			VM_CHECK(t.a0 == DATA_INITIAL);
			VM_CHECK(data_page[2] == (DATA_INITIAL | (cases[i].kind == VM_AMO ? 4 : 0)));
		}
	}
	csr_write(medeleg, 0);
}

/* 3.1.16/4.1.9: for a fetch page fault on a hart with variable-length
 * instructions, tval is "the virtual address of the portion of the
 * instruction that caused the fault" while epc points to its beginning. */
static void check_straddling_fetch(const struct vm_space *s)
{
	straddle[2047] = 0x0073; /* ecall, low half: last halfword of page 0 */
	straddle[2048] = 0x0000; /* ecall, high half: first halfword of page 1 */
	__asm__ volatile("fence.i" : : : "memory");
	uint64_t start = VM_CODE_VA + PAGE_SIZE - 2;
	vm_map(s, VM_CODE_VA, (uint64_t)straddle, 0, PTE_V | PTE_R | PTE_X | PTE_A);
	uint64_t *second = vm_slot(s, VM_CODE_VA + PAGE_SIZE, 0);
	*second = 0;
	vm_sfence_all();

	vm_set_context("straddling fetch, to M", 0, 0, 0);
	struct vm_trap t = vm_run(PRIV_S, start, 0, 0);
	VM_EXPECT_TRAP(t, CAUSE_FETCH_PAGE_FAULT, VM_CODE_VA + PAGE_SIZE, start);

	vm_set_context("straddling fetch, to S", 0, 0, 0);
	csr_write(medeleg, PAGE_FAULTS);
	t = vm_run(PRIV_S, start, 0, 0);
	expect_in_s(&t, CAUSE_FETCH_PAGE_FAULT, VM_CODE_VA + PAGE_SIZE, start, PRIV_S, __LINE__);
	csr_write(medeleg, 0);

	vm_set_context("straddling fetch, both pages mapped", 0, 0, 0);
	*second = vm_pte((uint64_t)&straddle[2048], PTE_V | PTE_R | PTE_X | PTE_A);
	vm_sfence_all();
	t = vm_run(PRIV_S, start, 0, 0);
	VM_EXPECT_TRAP(t, CAUSE_ECALL_S, 0, start);
}

int main(void)
{
	vm_setup();
	struct vm_space s = vm_space_standard(SATP_MODE_SV39);
	vm_activate(&s);
	check_delegated();
	check_partial_delegation();
	check_demand_paging(&s);
	check_straddling_fetch(&s);
	csr_write(satp, 0);
	return 0;
}
