/* mstatus.MPRV (privileged spec 1.12, 3.1.6.3): with MPRV=1, M-mode loads
 * and stores are translated and protected as though the privilege were MPP,
 * with SUM and MXR applying; instruction fetches are not (this program's M
 * code is not mapped in the page tables at all, yet runs with MPRV=1 and
 * MPP=S). A refused access traps to M mode, even with page faults delegated
 * (3.1.8: traps never go to a less privileged mode), with mcause, mtval = the
 * virtual address and mepc = the load or store. MRET to M keeps MPRV; MRET to
 * S clears it (3.1.6.1). MPP=M, or satp Bare, means no translation. */
#include "vm_lib.h"

struct mprv_result {
	uint64_t value;       /* loaded value */
	uint64_t status_after; /* mstatus right after the access */
};

/* One M-mode load or store with the mstatus bits in status set around it.
 * No stack and no other memory access happen while they are set. */
struct mprv_result mprv_load(uint64_t va, uint64_t status);
struct mprv_result mprv_store(uint64_t va, uint64_t status, uint64_t value);
extern char mprv_load_insn[], mprv_store_insn[];

__asm__(
	"	.pushsection .text.mprv, \"ax\", @progbits\n"
	"	.balign 4\n"
	"	.option push\n"
	"	.option norvc\n"
	"	.globl mprv_load, mprv_store, mprv_load_insn, mprv_store_insn\n"
	"mprv_load:\n"
	"	csrs	mstatus, a1\n"
	"mprv_load_insn:\n"
	"	ld	a0, 0(a0)\n"
	"	csrr	t0, mstatus\n"
	"	csrc	mstatus, a1\n"
	"	mv	a1, t0\n"
	"	ret\n"
	"mprv_store:\n"
	"	csrs	mstatus, a1\n"
	"mprv_store_insn:\n"
	"	sd	a2, 0(a0)\n"
	"	csrr	t0, mstatus\n"
	"	csrc	mstatus, a1\n"
	"	mv	a1, t0\n"
	"	li	a0, 0\n"
	"	ret\n"
	"	.option pop\n"
	"	.popsection\n");

/* What the M-mode handler saw of the last expected fault. */
static volatile bool expecting_fault;
static volatile unsigned faults_seen;
static volatile uint64_t fault_cause, fault_tval, fault_epc, fault_mpp;

void mtrap_handler(struct trap_frame *f)
{
	if (!expecting_fault) {
		vm_put_trap("  unexpected M trap:", f->cause, f->tval, f->epc);
		vm_fail(__LINE__, "unexpected trap");
	}
	faults_seen++;
	fault_cause = f->cause;
	fault_tval = f->tval;
	fault_epc = f->epc;
	fault_mpp = (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
	f->epc += 4;
}

static uint64_t s_page[512] __attribute__((aligned(4096)));
static uint64_t u_page[512] __attribute__((aligned(4096)));
static uint64_t x_page[512] __attribute__((aligned(4096)));
static uint64_t ux_page[512] __attribute__((aligned(4096)));
static uint64_t ad_page[512] __attribute__((aligned(4096)));

#define S_VA (VM_DATA_VA + 0 * PAGE_SIZE)
#define U_VA (VM_DATA_VA + 1 * PAGE_SIZE)
#define X_VA (VM_DATA_VA + 2 * PAGE_SIZE)
#define UX_VA (VM_DATA_VA + 3 * PAGE_SIZE)
#define AD_VA (VM_DATA_VA + 4 * PAGE_SIZE)

#define MPP_S ((uint64_t)PRIV_S << MSTATUS_MPP_SHIFT)
#define MPP_U ((uint64_t)PRIV_U << MSTATUS_MPP_SHIFT)
#define MPP_M ((uint64_t)PRIV_M << MSTATUS_MPP_SHIFT)

static void expect_load(uint64_t va, uint64_t status, uint64_t value, int line)
{
	unsigned before = faults_seen;
	struct mprv_result r = mprv_load(va, status);
	if (faults_seen != before) {
		vm_put_trap("  faulted:", fault_cause, fault_tval, fault_epc);
		vm_fail(line, "MPRV load faulted");
	}
	if (r.value != value)
		vm_fail(line, "MPRV load read the wrong value");
	if ((r.status_after & MSTATUS_MPRV) == 0)
		vm_fail(line, "MPRV cleared by a load");
}

static void expect_store(uint64_t va, uint64_t status, uint64_t value, const uint64_t *target,
			 int line)
{
	unsigned before = faults_seen;
	mprv_store(va, status, value);
	if (faults_seen != before) {
		vm_put_trap("  faulted:", fault_cause, fault_tval, fault_epc);
		vm_fail(line, "MPRV store faulted");
	}
	if (*target != value)
		vm_fail(line, "MPRV store did not reach the page");
}

static void expect_fault(bool store, uint64_t va, uint64_t status, int line)
{
	unsigned before = faults_seen;
	struct mprv_result r = store ? mprv_store(va, status, 0xdead) : mprv_load(va, status);
	struct vm_trap t = { fault_cause, fault_tval, fault_epc, 0 };
	if (faults_seen != before + 1)
		vm_fail(line, "MPRV access did not fault");
	vm_check_trap(&t, store ? CAUSE_STORE_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT, va,
		      (uint64_t)(store ? mprv_store_insn : mprv_load_insn), line);
	if (fault_mpp != PRIV_M)
		vm_fail(line, "mstatus.MPP is not M in the handler of a fault from M");
	/* The handler's MRET returned to M: MPRV must have survived it. */
	if ((r.status_after & MSTATUS_MPRV) == 0)
		vm_fail(line, "MRET to M mode cleared MPRV");
}

static void check_mode(uint64_t mode)
{
	vm_reset_pool();
	struct vm_space s = vm_space_new(mode);
	const uint64_t ad = PTE_A | PTE_D;
	vm_map(&s, S_VA, (uint64_t)s_page, 0, PTE_V | PTE_R | PTE_W | ad);
	vm_map(&s, U_VA, (uint64_t)u_page, 0, PTE_V | PTE_R | PTE_W | PTE_U | ad);
	vm_map(&s, X_VA, (uint64_t)x_page, 0, PTE_V | PTE_X | ad);
	vm_map(&s, UX_VA, (uint64_t)ux_page, 0, PTE_V | PTE_X | PTE_U | ad);
	uint64_t *ad_pte = vm_map(&s, AD_VA, (uint64_t)ad_page, 0, PTE_V | PTE_R | PTE_W);
	vm_activate(&s);
	s_page[0] = 0x5;
	u_page[0] = 0x7;
	x_page[0] = 0x9;
	ux_page[0] = 0xb;
	const uint64_t mprv = MSTATUS_MPRV, sum = MSTATUS_SUM, mxr = MSTATUS_MXR;

	vm_set_context(vm_mode_name(mode), ": MPRV, MPP=S", 0, 0);
	expect_load(S_VA, mprv | MPP_S, 0x5, __LINE__);
	expect_store(S_VA, mprv | MPP_S, 0x55, s_page, __LINE__);
	expect_fault(false, U_VA, mprv | MPP_S, __LINE__);
	expect_fault(true, U_VA, mprv | MPP_S, __LINE__);
	expect_load(U_VA, mprv | MPP_S | sum, 0x7, __LINE__);
	expect_store(U_VA, mprv | MPP_S | sum, 0x77, u_page, __LINE__);
	expect_fault(false, X_VA, mprv | MPP_S, __LINE__);
	expect_load(X_VA, mprv | MPP_S | mxr, 0x9, __LINE__);
	expect_fault(true, X_VA, mprv | MPP_S | mxr, __LINE__);
	expect_fault(false, UX_VA, mprv | MPP_S | mxr, __LINE__);
	expect_load(UX_VA, mprv | MPP_S | mxr | sum, 0xb, __LINE__);
	expect_fault(false, VM_SPARE_VA, mprv | MPP_S, __LINE__);

	vm_set_context(vm_mode_name(mode), ": MPRV, MPP=U", 0, 0);
	expect_load(U_VA, mprv | MPP_U, 0x77, __LINE__);
	expect_store(U_VA, mprv | MPP_U, 0x777, u_page, __LINE__);
	expect_fault(false, S_VA, mprv | MPP_U, __LINE__);
	expect_fault(true, S_VA, mprv | MPP_U, __LINE__);
	expect_fault(false, S_VA, mprv | MPP_U | sum, __LINE__);
	expect_fault(false, UX_VA, mprv | MPP_U, __LINE__);
	expect_load(UX_VA, mprv | MPP_U | mxr, 0xb, __LINE__);

	/* Hardware A/D updates apply to MPRV accesses too. */
	vm_set_context(vm_mode_name(mode), ": MPRV A/D", 0, 0);
	ad_page[0] = 0x3;
	expect_load(AD_VA, mprv | MPP_S, 0x3, __LINE__);
	VM_CHECK((*ad_pte & (PTE_A | PTE_D)) == PTE_A);
	expect_store(AD_VA, mprv | MPP_S, 0x33, ad_page, __LINE__);
	VM_CHECK((*ad_pte & (PTE_A | PTE_D)) == (PTE_A | PTE_D));

	/* MPP=M: the effective privilege is M, nothing is translated; the
	 * physical address of s_page is not mapped in these tables. */
	vm_set_context(vm_mode_name(mode), ": MPRV, MPP=M", 0, 0);
	expect_load((uint64_t)s_page, mprv | MPP_M, 0x55, __LINE__);
	expect_store((uint64_t)s_page, mprv | MPP_M, 0x555, s_page, __LINE__);

	/* satp Bare: MPRV with MPP=S accesses physical memory. */
	vm_set_context(vm_mode_name(mode), ": MPRV, MPP=S, satp Bare", 0, 0);
	csr_write(satp, 0);
	vm_sfence_all();
	expect_load((uint64_t)s_page, mprv | MPP_S, 0x555, __LINE__);
	expect_store((uint64_t)s_page, mprv | MPP_S, 0x5555, s_page, __LINE__);
}

/* MRET to a mode below M clears MPRV (3.1.6.1 "If y≠M, xRET also sets
 * MPRV=0"): enter S mode with MPRV set and look after the ecall back. */
static void check_mret_clears_mprv(void)
{
	vm_set_context("MRET to S", 0, 0, 0);
	vm_reset_pool();
	struct vm_space s = vm_space_standard(SATP_MODE_SV39);
	vm_activate(&s);
	struct vm_trap t = vm_run_status(PRIV_S, MSTATUS_MPRV, (uint64_t)vm_probe_page, 0, 0);
	VM_EXPECT_ECALL(t, PRIV_S, (uint64_t)vm_probe_page);
	VM_CHECK((csr_read(mstatus) & MSTATUS_MPRV) == 0);
	csr_write(satp, 0);
}

int main(void)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };

	vm_setup();
	csr_write(medeleg, 1 << CAUSE_FETCH_PAGE_FAULT | 1 << CAUSE_LOAD_PAGE_FAULT |
				   1 << CAUSE_STORE_PAGE_FAULT);
	expecting_fault = true;
	for (unsigned m = 0; m < 3; m++)
		check_mode(modes[m]);
	expecting_fault = false;
	csr_write(medeleg, 0);
	check_mret_clears_mprv();
	VM_CHECK(faults_seen == 3 * 10);
	return 0;
}
