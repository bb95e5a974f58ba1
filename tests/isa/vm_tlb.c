/* What a cached translation must not allow (privileged spec 1.12, 4.3.1,
 * 4.3.2 step 5): the permission check applies to every access, with the
 * current privilege and access type, so a translation used a moment ago by
 * S mode does not open the page to U mode (or the reverse), one used by a
 * load does not permit a store or a fetch, and one used by a fetch does not
 * permit a load. No PTE changes here, so no SFENCE.VMA is involved. Also:
 * a misaligned access that crosses into another page translates both pages
 * (3.1.16: a fault reports the virtual address of the faulting portion). */
#include "vm_lib.h"

static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));

#define PROBE_BASE ((uint64_t)vm_probe_page)
#define AD (PTE_A | PTE_D)

/* Runs the accesses in order on va, from the privilege and with the outcome
 * given for each. */
struct step {
	int priv;
	enum vm_kind kind;
	bool faults;
};

static void run_steps(uint64_t va, const struct step *steps, unsigned n, int line)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = steps[i].priv == PRIV_U ? VM_UCODE_VA : PROBE_BASE;
		struct vm_trap t = vm_access(steps[i].priv, 0, steps[i].kind, va, 0, base);
		vm_check_access(&t, steps[i].priv, steps[i].kind, va, base, steps[i].faults, line);
	}
}

#define RUN_STEPS(va, ...) do { \
	static const struct step steps_[] = { __VA_ARGS__ }; \
	run_steps((va), steps_, sizeof(steps_) / sizeof(steps_[0]), __LINE__); \
} while (0)

static void map_fresh(const struct vm_space *s, uint64_t va, uint64_t pa, uint64_t flags)
{
	vm_map(s, va, pa, 0, flags);
	vm_sfence_all();
}

static void check_privilege_reuse(const struct vm_space *s)
{
	vm_set_context(vm_mode_name(s->mode), ": S page used by S, then U", 0, 0);
	map_fresh(s, VM_DATA_VA, (uint64_t)page_a, PTE_V | PTE_R | PTE_W | AD);
	RUN_STEPS(VM_DATA_VA, { PRIV_S, VM_LOAD, false }, { PRIV_S, VM_STORE, false },
		  { PRIV_U, VM_LOAD, true }, { PRIV_U, VM_STORE, true }, { PRIV_U, VM_AMO, true },
		  { PRIV_S, VM_LOAD, false });

	vm_set_context(vm_mode_name(s->mode), ": U page used by U, then S", 0, 0);
	map_fresh(s, VM_DATA_VA, (uint64_t)page_a, PTE_V | PTE_R | PTE_W | PTE_U | AD);
	RUN_STEPS(VM_DATA_VA, { PRIV_U, VM_LOAD, false }, { PRIV_U, VM_STORE, false },
		  { PRIV_S, VM_LOAD, true }, { PRIV_S, VM_STORE, true }, { PRIV_U, VM_LOAD, false });

	vm_set_context(vm_mode_name(s->mode), ": U code run by U, then S", 0, 0);
	map_fresh(s, VM_CODE_VA, (uint64_t)vm_probe_page, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);
	RUN_STEPS(VM_CODE_VA, { PRIV_U, VM_FETCH, false }, { PRIV_S, VM_FETCH, true },
		  { PRIV_U, VM_FETCH, false });

	vm_set_context(vm_mode_name(s->mode), ": S code run by S, then U", 0, 0);
	map_fresh(s, VM_CODE_VA, (uint64_t)vm_probe_page, PTE_V | PTE_R | PTE_X | PTE_A);
	RUN_STEPS(VM_CODE_VA, { PRIV_S, VM_FETCH, false }, { PRIV_U, VM_FETCH, true });
}

static void check_access_type_reuse(const struct vm_space *s)
{
	vm_set_context(vm_mode_name(s->mode), ": read-only page loaded, then written", 0, 0);
	map_fresh(s, VM_DATA_VA, (uint64_t)page_a, PTE_V | PTE_R | AD);
	RUN_STEPS(VM_DATA_VA, { PRIV_S, VM_LOAD, false }, { PRIV_S, VM_STORE, true },
		  { PRIV_S, VM_AMO, true }, { PRIV_S, VM_LR, false });

	vm_set_context(vm_mode_name(s->mode), ": data page loaded, then run", 0, 0);
	map_fresh(s, VM_CODE_VA, (uint64_t)vm_probe_page, PTE_V | PTE_R | PTE_W | AD);
	RUN_STEPS(VM_CODE_VA, { PRIV_S, VM_LOAD, false }, { PRIV_S, VM_FETCH, true });

	vm_set_context(vm_mode_name(s->mode), ": X-only page run, then loaded", 0, 0);
	map_fresh(s, VM_CODE_VA, (uint64_t)vm_probe_page, PTE_V | PTE_X | PTE_A);
	RUN_STEPS(VM_CODE_VA, { PRIV_S, VM_FETCH, false }, { PRIV_S, VM_LOAD, true },
		  { PRIV_S, VM_FETCH, false });
}

/* An 8-byte access 4 bytes before the end of a page. The two virtual pages
 * map to physical pages in reverse order, so the bytes must come from the
 * end of page_b and the start of page_a. The privileged spec allows the hart
 * to raise address-misaligned instead (3.1.16); doppel performs the access. */
static void check_page_crossing(const struct vm_space *s)
{
	const uint64_t va = VM_DATA_VA + PAGE_SIZE - 4;
	uint64_t *first = vm_map(s, VM_DATA_VA, (uint64_t)page_b, 0, PTE_V | PTE_R | PTE_W | AD);
	uint64_t *second = vm_map(s, VM_DATA_VA + PAGE_SIZE, (uint64_t)page_a, 0,
				  PTE_V | PTE_R | PTE_W | AD);
	vm_sfence_all();

	vm_set_context(vm_mode_name(s->mode), ": misaligned load across pages", 0, 0);
	page_b[511] = 0x4444333322221111ul;
	page_a[0] = 0x8888777766665555ul;
	struct vm_trap t = vm_access(PRIV_S, 0, VM_LOAD, va, 0, PROBE_BASE);
	if (t.cause == 4) {
		VM_EXPECT_TRAP(t, 4, va, vm_probe_pc(VM_LOAD, PROBE_BASE));
		return;
	}
	vm_check_access(&t, PRIV_S, VM_LOAD, va, PROBE_BASE, false, __LINE__);
	VM_CHECK(t.a0 == 0x6666555544443333ul);

	vm_set_context(vm_mode_name(s->mode), ": misaligned store across pages", 0, 0);
	t = vm_access(PRIV_S, 0, VM_STORE, va, 0xddddccccbbbbaaaaul, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_STORE, va, PROBE_BASE, false, __LINE__);
	VM_CHECK(page_b[511] == 0xbbbbaaaa22221111ul);
	VM_CHECK(page_a[0] == 0x88887777ddddccccul);

	/* The second page refuses: the fault names its first byte. */
	vm_set_context(vm_mode_name(s->mode), ": misaligned access, second page invalid", 0, 0);
	*second &= ~PTE_V;
	vm_sfence_all();
	t = vm_access(PRIV_S, 0, VM_LOAD, va, 0, PROBE_BASE);
	VM_EXPECT_TRAP(t, CAUSE_LOAD_PAGE_FAULT, VM_DATA_VA + PAGE_SIZE,
		       vm_probe_pc(VM_LOAD, PROBE_BASE));
	vm_set_context(vm_mode_name(s->mode), ": misaligned store, second page read-only", 0, 0);
	*second = vm_pte((uint64_t)page_a, PTE_V | PTE_R | AD);
	vm_sfence_all();
	t = vm_access(PRIV_S, 0, VM_STORE, va, 1, PROBE_BASE);
	VM_EXPECT_TRAP(t, CAUSE_STORE_PAGE_FAULT, VM_DATA_VA + PAGE_SIZE,
		       vm_probe_pc(VM_STORE, PROBE_BASE));
	VM_CHECK(page_a[0] == 0x88887777ddddccccul);

	/* The first page refuses: the fault names the access's own address. */
	vm_set_context(vm_mode_name(s->mode), ": misaligned load, first page invalid", 0, 0);
	*second = vm_pte((uint64_t)page_a, PTE_V | PTE_R | PTE_W | AD);
	*first &= ~PTE_V;
	vm_sfence_all();
	t = vm_access(PRIV_S, 0, VM_LOAD, va, 0, PROBE_BASE);
	VM_EXPECT_TRAP(t, CAUSE_LOAD_PAGE_FAULT, va, vm_probe_pc(VM_LOAD, PROBE_BASE));
}

int main(void)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };

	vm_setup();
	for (unsigned m = 0; m < 3; m++) {
		vm_reset_pool();
		struct vm_space s = vm_space_standard(modes[m]);
		vm_activate(&s);
		check_privilege_reuse(&s);
		check_access_type_reuse(&s);
		check_page_crossing(&s);
	}
	csr_write(satp, 0);
	return 0;
}
