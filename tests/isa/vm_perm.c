/* Leaf-PTE permission rules (privileged spec 1.12: 4.3.1 "Addressing and
 * Memory Protection", step 5 of 4.3.2, and SUM/MXR in 4.1.1.2) for loads, LR,
 * stores, AMOs and fetches from S and U mode, under Sv39, Sv48 and Sv57. A
 * refused access raises the page fault of its kind (12 fetch, 13 load/LR,
 * 15 store/AMO) with tval = the virtual address and epc = the instruction. */
#include "vm_lib.h"

#define S PRIV_S
#define U PRIV_U
#define OK false
#define FAULT true
#define SUM MSTATUS_SUM
#define MXR MSTATUS_MXR

struct perm_case {
	const char *rule; /* ends in ", " to be followed by the kind's name */
	int priv;
	uint64_t flags; /* of the leaf; A and D are added to every case */
	uint64_t status;
	enum vm_kind kind;
	bool faults;
};

static const struct perm_case cases[] = {
	/* 4.3.2 step 3: V=0 faults whatever the other bits say. */
	{ "V=0, ", S, PTE_R | PTE_W | PTE_X, 0, VM_LOAD, FAULT },
	{ "V=0, ", S, PTE_R | PTE_W | PTE_X, 0, VM_STORE, FAULT },
	{ "V=0, ", S, PTE_R | PTE_W | PTE_X, 0, VM_AMO, FAULT },
	{ "V=0, ", S, PTE_R | PTE_W | PTE_X, 0, VM_FETCH, FAULT },
	{ "V=0, ", U, PTE_R | PTE_W | PTE_X | PTE_U, 0, VM_LOAD, FAULT },
	/* Step 3: W=1 with R=0 is reserved, even with X=1 and MXR=1. */
	{ "W without R, ", S, PTE_V | PTE_W, 0, VM_LOAD, FAULT },
	{ "W without R, ", S, PTE_V | PTE_W, 0, VM_STORE, FAULT },
	{ "W without R, ", S, PTE_V | PTE_W, 0, VM_AMO, FAULT },
	{ "W without R, ", S, PTE_V | PTE_W | PTE_X, 0, VM_FETCH, FAULT },
	{ "W without R, ", S, PTE_V | PTE_W | PTE_X, MXR, VM_LOAD, FAULT },
	{ "W without R, ", U, PTE_V | PTE_W | PTE_U, 0, VM_STORE, FAULT },
	/* Read-only: stores and AMOs fault with the store cause, fetches too. */
	{ "read-only, ", S, PTE_V | PTE_R, 0, VM_LOAD, OK },
	{ "read-only, ", S, PTE_V | PTE_R, 0, VM_LR, OK },
	{ "read-only, ", S, PTE_V | PTE_R, 0, VM_STORE, FAULT },
	{ "read-only, ", S, PTE_V | PTE_R, 0, VM_AMO, FAULT },
	{ "read-only, ", S, PTE_V | PTE_R, 0, VM_FETCH, FAULT },
	{ "read-write, ", S, PTE_V | PTE_R | PTE_W, 0, VM_LOAD, OK },
	{ "read-write, ", S, PTE_V | PTE_R | PTE_W, 0, VM_STORE, OK },
	{ "read-write, ", S, PTE_V | PTE_R | PTE_W, 0, VM_AMO, OK },
	{ "read-write, no X, ", S, PTE_V | PTE_R | PTE_W, 0, VM_FETCH, FAULT },
	/* Execute-only: readable only with MXR=1; AMOs never raise load page
	 * faults (4.3.1), so an AMO there is a store fault. */
	{ "X-only, ", S, PTE_V | PTE_X, 0, VM_FETCH, OK },
	{ "X-only, ", S, PTE_V | PTE_X, 0, VM_LOAD, FAULT },
	{ "X-only, ", S, PTE_V | PTE_X, 0, VM_LR, FAULT },
	{ "X-only, ", S, PTE_V | PTE_X, 0, VM_AMO, FAULT },
	{ "X-only, MXR, ", S, PTE_V | PTE_X, MXR, VM_LOAD, OK },
	{ "X-only, MXR, ", S, PTE_V | PTE_X, MXR, VM_STORE, FAULT },
	{ "read-execute, ", S, PTE_V | PTE_R | PTE_X, 0, VM_LOAD, OK },
	{ "read-execute, ", S, PTE_V | PTE_R | PTE_X, 0, VM_FETCH, OK },
	/* 4.1.1.2: S mode may touch U pages only with SUM=1, and may never
	 * execute from them. */
	{ "U page from S, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, VM_LOAD, FAULT },
	{ "U page from S, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, VM_STORE, FAULT },
	{ "U page from S, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, VM_AMO, FAULT },
	{ "U page from S, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, 0, VM_FETCH, FAULT },
	{ "U page from S, SUM, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, SUM, VM_LOAD, OK },
	{ "U page from S, SUM, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, SUM, VM_STORE, OK },
	{ "U page from S, SUM, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, SUM, VM_AMO, OK },
	{ "U page from S, SUM, ", S, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U, SUM, VM_FETCH, FAULT },
	{ "U X-only from S, SUM+MXR, ", S, PTE_V | PTE_X | PTE_U, SUM | MXR, VM_LOAD, OK },
	{ "U X-only from S, SUM, ", S, PTE_V | PTE_X | PTE_U, SUM, VM_LOAD, FAULT },
	{ "U X-only from S, MXR, ", S, PTE_V | PTE_X | PTE_U, MXR, VM_LOAD, FAULT },
	/* U mode: only U pages, whatever SUM says. */
	{ "U page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_U, 0, VM_LOAD, OK },
	{ "U page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_U, 0, VM_STORE, OK },
	{ "U page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_U, 0, VM_AMO, OK },
	{ "U page from U, ", U, PTE_V | PTE_R | PTE_X | PTE_U, 0, VM_FETCH, OK },
	{ "S page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_X, 0, VM_LOAD, FAULT },
	{ "S page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_X, 0, VM_STORE, FAULT },
	{ "S page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_X, 0, VM_AMO, FAULT },
	{ "S page from U, ", U, PTE_V | PTE_R | PTE_W | PTE_X, 0, VM_FETCH, FAULT },
	{ "S page from U, SUM, ", U, PTE_V | PTE_R | PTE_W | PTE_X, SUM, VM_LOAD, FAULT },
	{ "U read-only from U, ", U, PTE_V | PTE_R | PTE_U, 0, VM_STORE, FAULT },
	{ "U read-only from U, ", U, PTE_V | PTE_R | PTE_U, 0, VM_AMO, FAULT },
	{ "U read-only from U, ", U, PTE_V | PTE_R | PTE_U, 0, VM_FETCH, FAULT },
	{ "U X-only from U, ", U, PTE_V | PTE_X | PTE_U, 0, VM_FETCH, OK },
	{ "U X-only from U, ", U, PTE_V | PTE_X | PTE_U, 0, VM_LOAD, FAULT },
	{ "U X-only from U, MXR, ", U, PTE_V | PTE_X | PTE_U, MXR, VM_LOAD, OK },
};

static uint64_t data_page[512] __attribute__((aligned(4096)));

#define DATA_INITIAL 0x00ff00ff12345678ul
#define STORE_VALUE 0x8000000000000a0bul

static void run_case(const struct vm_space *s, const struct perm_case *c)
{
	bool fetch = c->kind == VM_FETCH;
	uint64_t va = fetch ? VM_CODE_VA : VM_DATA_VA;
	uint64_t pa = fetch ? (uint64_t)vm_probe_page : (uint64_t)data_page;
	uint64_t probe_base = c->priv == PRIV_U ? VM_UCODE_VA : (uint64_t)vm_probe_page;

	vm_set_context(vm_mode_name(s->mode), ": ", c->rule, vm_kind_name(c->kind));
	vm_map(s, va, pa, 0, c->flags | PTE_A | PTE_D);
	vm_sfence_all();
	data_page[0] = DATA_INITIAL;

	struct vm_trap t = vm_access(c->priv, c->status, c->kind, va, STORE_VALUE, probe_base);
	csr_clear(mstatus, MSTATUS_SUM | MSTATUS_MXR);
	vm_check_access(&t, c->priv, c->kind, va, probe_base, c->faults, __LINE__);

	uint64_t expect_data = DATA_INITIAL;
	if (!c->faults && c->kind == VM_STORE)
		expect_data = STORE_VALUE;
	if (!c->faults && c->kind == VM_AMO)
		expect_data = DATA_INITIAL | STORE_VALUE;
	VM_CHECK(data_page[0] == expect_data);
	if (!c->faults && c->kind != VM_FETCH && c->kind != VM_STORE)
		VM_CHECK(t.a0 == DATA_INITIAL);
}

int main(void)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };

	vm_setup();
	for (unsigned m = 0; m < 3; m++) {
		vm_reset_pool();
		struct vm_space s = vm_space_standard(modes[m]);
		vm_activate(&s);
		for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&s, &cases[i]);
	}
	csr_write(satp, 0);
	return 0;
}
