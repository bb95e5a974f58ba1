/* SFENCE.VMA and what needs no fence (privileged spec 1.12, 4.2.1 and
 * 4.1.11). After a PTE changes, the old translation may still be used until
 * a fence that covers it; after SFENCE.VMA from S mode (by address, by ASID,
 * both, or neither) the new one must be. Only the new one after the fence is
 * asserted. Needing no fence: satp MODE changes between Bare and a paged mode,
 * a switch to an ASID that never mapped anything, and SUM and MXR changes.
 * Code follows its mapping too, and FENCE.I makes code stored through a data
 * alias visible to fetches through the code mapping. */
#include "vm_lib.h"

extern char fence_va_load[], fence_all_load[], fence_asid_load[], fence_va_asid_load[],
	fence_va_store[];

/* S-mode probes: fence, then access a0; a1 is the ASID operand or the value
 * to store. */
__asm__(
	"	.pushsection .text.fence_probes, \"ax\", @progbits\n"
	"	.balign 4\n"
	"	.option push\n"
	"	.option norvc\n"
	"	.globl fence_va_load, fence_all_load, fence_asid_load, fence_va_asid_load\n"
	"	.globl fence_va_store\n"
	"fence_va_load:\n"
	"	sfence.vma	a0, zero\n"
	"	ld	a0, 0(a0)\n"
	"	ecall\n"
	"fence_all_load:\n"
	"	sfence.vma	zero, zero\n"
	"	ld	a0, 0(a0)\n"
	"	ecall\n"
	"fence_asid_load:\n"
	"	sfence.vma	zero, a1\n"
	"	ld	a0, 0(a0)\n"
	"	ecall\n"
	"fence_va_asid_load:\n"
	"	sfence.vma	a0, a1\n"
	"	ld	a0, 0(a0)\n"
	"	ecall\n"
	"fence_va_store:\n"
	"	sfence.vma	a0, zero\n"
	"	sd	a1, 0(a0)\n"
	"	ecall\n"
	"	.option pop\n"
	"	.popsection\n");

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));

#define VALUE_A 0xaaaa0000000000a1ul
#define VALUE_B 0xbbbb0000000000b2ul
#define VALUE_C 0xcccc0000000000c3ul
#define RW_AD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PROBE_BASE ((uint64_t)vm_probe_page)

/* A plain S-mode load through whatever translation the hart holds. */
static uint64_t s_load(uint64_t va, int line)
{
	struct vm_trap t = vm_access(PRIV_S, 0, VM_LOAD, va, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_LOAD, va, PROBE_BASE, false, line);
	return t.a0;
}

/* Runs one of the fence probes and returns what it loaded. */
static uint64_t s_fence_load(const char *probe, uint64_t va, uint64_t asid, int line)
{
	struct vm_trap t = vm_run(PRIV_S, (uint64_t)probe, va, asid);
	vm_check_trap(&t, CAUSE_ECALL_S, 0, (uint64_t)probe + 8, line);
	return t.a0;
}

/* For each form of SFENCE.VMA: warm the translation of VM_DATA_VA (page A),
 * repoint the leaf to page B and load once unfenced (either page is allowed),
 * then fence in S mode and load: page B it must be. */
static void check_fence_forms(const struct vm_space *s, uint64_t asid)
{
	static const struct {
		const char *name;
		char *probe;
	} forms[] = {
		{ "sfence.vma va, x0", fence_va_load },
		{ "sfence.vma x0, x0", fence_all_load },
		{ "sfence.vma x0, asid", fence_asid_load },
		{ "sfence.vma va, asid", fence_va_asid_load },
	};
	uint64_t *leaf = vm_map(s, VM_DATA_VA, (uint64_t)page_a, 0, RW_AD);
	csr_write(satp, vm_satp(s, asid));
	vm_sfence_all();
	for (unsigned i = 0; i < 4; i++) {
		vm_set_context(forms[i].name, 0, 0, 0);
		*leaf = vm_pte((uint64_t)page_a, RW_AD);
		VM_CHECK(s_fence_load(forms[i].probe, VM_DATA_VA, asid, __LINE__) == VALUE_A);
		VM_CHECK(s_load(VM_DATA_VA, __LINE__) == VALUE_A);
		*leaf = vm_pte((uint64_t)page_b, RW_AD);
		uint64_t unfenced = s_load(VM_DATA_VA, __LINE__);
		VM_CHECK(unfenced == VALUE_A || unfenced == VALUE_B);
		VM_CHECK(s_fence_load(forms[i].probe, VM_DATA_VA, asid, __LINE__) == VALUE_B);
	}

	/* Invalidated leaf: after the fence the access faults. */
	vm_set_context("leaf made invalid", 0, 0, 0);
	*leaf = vm_pte((uint64_t)page_a, RW_AD);
	VM_CHECK(s_fence_load(fence_va_load, VM_DATA_VA, 0, __LINE__) == VALUE_A);
	*leaf &= ~PTE_V;
	struct vm_trap t = vm_run(PRIV_S, (uint64_t)fence_va_load, VM_DATA_VA, 0);
	VM_EXPECT_TRAP(t, CAUSE_LOAD_PAGE_FAULT, VM_DATA_VA, (uint64_t)fence_va_load + 4);
	*leaf |= PTE_V;
	VM_CHECK(s_fence_load(fence_va_load, VM_DATA_VA, 0, __LINE__) == VALUE_A);

	/* Write permission taken away: after the fence a store faults. */
	vm_set_context("write permission removed", 0, 0, 0);
	t = vm_run(PRIV_S, (uint64_t)fence_va_store, VM_DATA_VA, VALUE_A);
	VM_EXPECT_TRAP(t, CAUSE_ECALL_S, 0, (uint64_t)fence_va_store + 8);
	*leaf &= ~PTE_W;
	t = vm_run(PRIV_S, (uint64_t)fence_va_store, VM_DATA_VA, 0x666);
	VM_EXPECT_TRAP(t, CAUSE_STORE_PAGE_FAULT, VM_DATA_VA, (uint64_t)fence_va_store + 4);
	VM_CHECK(page_a[0] == VALUE_A);

	/* A pointer PTE replaced: "If software modifies a non-leaf PTE, it should
	 * execute SFENCE.VMA with rs1=x0" (4.2.1). */
	vm_set_context("pointer PTE replaced", 0, 0, 0);
	*leaf = vm_pte((uint64_t)page_a, RW_AD);
	VM_CHECK(s_fence_load(fence_all_load, VM_DATA_VA, 0, __LINE__) == VALUE_A);
	uint64_t *table = vm_new_table();
	table[vm_vpn(VM_DATA_VA, 0)] = vm_pte((uint64_t)page_c, RW_AD);
	*vm_slot(s, VM_DATA_VA, 1) = vm_pte((uint64_t)table, PTE_V);
	VM_CHECK(s_fence_load(fence_all_load, VM_DATA_VA, 0, __LINE__) == VALUE_C);
}

/* 4.2.1: "Changing satp.MODE from Bare to other modes and vice versa also
 * takes effect immediately, without the need to execute an SFENCE.VMA", and
 * cached entries "may only satisfy implicit reads for entries that have been
 * established for the ASID currently loaded into satp". RAM is mapped
 * one-to-one except that the virtual page of page_b shows page_a. */
static void check_unfenced_switches(uint64_t asid_mask)
{
	const uint64_t twisted = (uint64_t)page_b;
	struct vm_space p = vm_space_new(SATP_MODE_SV39);
	vm_map_ram(&p, 0, VM_KERNEL_RWX);
	vm_map(&p, twisted, (uint64_t)page_a, 0, RW_AD);
	struct vm_space q = vm_space_new(SATP_MODE_SV39);
	vm_map_ram(&q, 0, VM_KERNEL_RWX);
	vm_map(&q, twisted, (uint64_t)page_c, 0, RW_AD);

	vm_set_context("Bare to Sv39 and back", 0, 0, 0);
	csr_write(satp, 0);
	vm_sfence_all();
	VM_CHECK(s_load(twisted, __LINE__) == VALUE_B);
	csr_write(satp, vm_satp(&p, 0));
	VM_CHECK(s_load(twisted, __LINE__) == VALUE_A);
	csr_write(satp, 0);
	VM_CHECK(s_load(twisted, __LINE__) == VALUE_B);

	/* The second space gets an ASID that no translation was ever made
	 * under; without ASIDs, a fence is needed and done. */
	vm_set_context("switch to a fresh ASID", 0, 0, 0);
	csr_write(satp, vm_satp(&p, 0));
	VM_CHECK(s_load(twisted, __LINE__) == VALUE_A);
	csr_write(satp, vm_satp(&q, 2 & asid_mask));
	if ((2 & asid_mask) == 0)
		vm_sfence_all();
	VM_CHECK(s_load(twisted, __LINE__) == VALUE_C);
	csr_write(satp, vm_satp(&p, 0));
	if ((2 & asid_mask) == 0)
		vm_sfence_all();
	VM_CHECK(s_load(twisted, __LINE__) == VALUE_A);
}

/* 4.2.1: "Changes to the sstatus fields SUM and MXR take effect
 * immediately, without the need to execute an SFENCE.VMA instruction." */
static void check_sum_mxr_unfenced(const struct vm_space *s)
{
	vm_set_context("SUM cleared", 0, 0, 0);
	vm_map(s, VM_DATA_VA, (uint64_t)page_a, 0, RW_AD | PTE_U);
	vm_map(s, VM_SPARE_VA, (uint64_t)page_b, 0, PTE_V | PTE_X | PTE_A);
	csr_write(satp, vm_satp(s, 0));
	vm_sfence_all();
	struct vm_trap t = vm_access(PRIV_S, MSTATUS_SUM, VM_LOAD, VM_DATA_VA, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_LOAD, VM_DATA_VA, PROBE_BASE, false, __LINE__);
	csr_clear(mstatus, MSTATUS_SUM);
	t = vm_access(PRIV_S, 0, VM_LOAD, VM_DATA_VA, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_LOAD, VM_DATA_VA, PROBE_BASE, true, __LINE__);

	vm_set_context("MXR cleared", 0, 0, 0);
	t = vm_access(PRIV_S, MSTATUS_MXR, VM_LOAD, VM_SPARE_VA, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_LOAD, VM_SPARE_VA, PROBE_BASE, false, __LINE__);
	VM_CHECK(t.a0 == VALUE_B);
	csr_clear(mstatus, MSTATUS_MXR);
	t = vm_access(PRIV_S, 0, VM_LOAD, VM_SPARE_VA, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_LOAD, VM_SPARE_VA, PROBE_BASE, true, __LINE__);
}

/* Two code pages, filled at run time: "li a0, n; ecall". */
static uint32_t code_one[1024] __attribute__((aligned(4096)));
static uint32_t code_two[1024] __attribute__((aligned(4096)));
#define INSN_ECALL 0x00000073u

static uint32_t insn_li_a0(unsigned n)
{
	return n << 20 | 10 << 7 | 0x13; /* addi a0, zero, n */
}

/* Whatever a hart caches of instructions must follow the translation: after
 * the code page behind VM_CODE_VA is swapped and fenced, the new page's code
 * runs. And code stored through a data alias of the page, then FENCE.I
 * (unprivileged spec, Zifencei), runs through the code mapping. */
static void check_code_remap(const struct vm_space *s)
{
	vm_set_context("code page remapped", 0, 0, 0);
	code_one[0] = insn_li_a0(1);
	code_one[1] = INSN_ECALL;
	code_two[0] = insn_li_a0(2);
	code_two[1] = INSN_ECALL;
	__asm__ volatile("fence.i" : : : "memory");
	uint64_t *leaf = vm_map(s, VM_CODE_VA, (uint64_t)code_one, 0,
				PTE_V | PTE_R | PTE_X | PTE_A);
	vm_map(s, VM_SPARE_VA, (uint64_t)code_one, 0, RW_AD);
	csr_write(satp, vm_satp(s, 0));
	vm_sfence_all();
	struct vm_trap t = vm_run(PRIV_S, VM_CODE_VA, 0, 0);
	VM_EXPECT_TRAP(t, CAUSE_ECALL_S, 0, VM_CODE_VA + 4);
	VM_CHECK(t.a0 == 1);
	*leaf = vm_pte((uint64_t)code_two, PTE_V | PTE_R | PTE_X | PTE_A);
	vm_sfence_all();
	t = vm_run(PRIV_S, VM_CODE_VA, 0, 0);
	VM_EXPECT_TRAP(t, CAUSE_ECALL_S, 0, VM_CODE_VA + 4);
	VM_CHECK(t.a0 == 2);

	vm_set_context("code rewritten through a data alias", 0, 0, 0);
	*leaf = vm_pte((uint64_t)code_one, PTE_V | PTE_R | PTE_X | PTE_A);
	vm_sfence_all();
	t = vm_run(PRIV_S, VM_CODE_VA, 0, 0);
	VM_CHECK(t.cause == CAUSE_ECALL_S && t.a0 == 1);
	uint64_t new_code = (uint64_t)INSN_ECALL << 32 | insn_li_a0(3);
	t = vm_access(PRIV_S, 0, VM_STORE, VM_SPARE_VA, new_code, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_STORE, VM_SPARE_VA, PROBE_BASE, false, __LINE__);
	__asm__ volatile("fence.i" : : : "memory");
	t = vm_run(PRIV_S, VM_CODE_VA, 0, 0);
	VM_EXPECT_TRAP(t, CAUSE_ECALL_S, 0, VM_CODE_VA + 4);
	VM_CHECK(t.a0 == 3);
}

int main(void)
{
	vm_setup();
	page_a[0] = VALUE_A;
	page_b[0] = VALUE_B;
	page_c[0] = VALUE_C;
	/* ASIDLEN: the ASID bits that hold a one written to all of them. */
	struct vm_space probe = vm_space_new(SATP_MODE_SV39);
	csr_write(satp, vm_satp(&probe, SATP_ASID_MASK));
	uint64_t asid_mask = csr_read(satp) >> SATP_ASID_SHIFT & SATP_ASID_MASK;
	csr_write(satp, 0);

	check_unfenced_switches(asid_mask);

	vm_reset_pool();
	struct vm_space s = vm_space_standard(SATP_MODE_SV39);
	check_fence_forms(&s, 1 & asid_mask);
	check_sum_mxr_unfenced(&s);
	check_code_remap(&s);
	csr_write(satp, 0);
	return 0;
}
