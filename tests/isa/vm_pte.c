/* PTE formats that must fault, and bits that must be ignored (privileged spec
 * 1.12, 4.3.2 "Virtual Address Translation Process", 4.4.1 Sv39 PTE format):
 * reserved bits 60-54 set in a leaf or a pointer PTE; A, D or U set in a
 * pointer PTE (reserved there); a pointer PTE at level 0 (no level is left to
 * walk to); a superpage leaf whose low PPN fields are not zero (misaligned
 * superpage) at every superpage level of Sv39, Sv48 and Sv57; an invalid
 * pointer PTE. RSW and G bits change nothing. */
#include "vm_lib.h"

static uint64_t data_page[512] __attribute__((aligned(4096)));

#define DATA_INITIAL 0x0badc0de5eed1e55ul
#define RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

#define PROBE_BASE ((uint64_t)vm_probe_page)

/* Load, store and AMO at data_va and a fetch at code_va from S mode, all
 * either faulting or not. */
static void check_accesses(uint64_t data_va, uint64_t code_va, bool faults, int line)
{
	static const enum vm_kind kinds[] = { VM_LOAD, VM_STORE, VM_AMO };
	for (unsigned i = 0; i < 3; i++) {
		data_page[0] = DATA_INITIAL;
		struct vm_trap t = vm_access(PRIV_S, 0, kinds[i], data_va, 0, PROBE_BASE);
		vm_check_access(&t, PRIV_S, kinds[i], data_va, PROBE_BASE, faults, line);
		if (!faults && kinds[i] != VM_STORE)
			VM_CHECK(t.a0 == DATA_INITIAL);
	}
	struct vm_trap t = vm_access(PRIV_S, 0, VM_FETCH, code_va, 0, PROBE_BASE);
	vm_check_access(&t, PRIV_S, VM_FETCH, code_va, PROBE_BASE, faults, line);
}

static struct vm_space fresh_space(uint64_t mode)
{
	vm_reset_pool();
	struct vm_space s = vm_space_standard(mode);
	vm_activate(&s);
	return s;
}

/* Bits 60-54 "are reserved for future standard use ... If any of these bits
 * are set, a page-fault exception is raised" (4.4.1, 1.12), and step 3 of
 * 4.3.2 stops at any PTE with reserved bits set, pointer or leaf. Bits 63-61
 * belong to Svnapot and Svpbmt and are not tested here. RSW (bits 9-8) is
 * for software and "the implementation shall ignore this field". */
static void check_reserved_bits(uint64_t mode)
{
	static const int reserved[] = { 54, 55, 57, 60 };
	struct vm_space s = fresh_space(mode);
	uint64_t *data_pte = vm_map(&s, VM_DATA_VA, (uint64_t)data_page, 0, RWX_AD);
	uint64_t *code_pte = vm_map(&s, VM_CODE_VA, (uint64_t)vm_probe_page, 0, RWX_AD);
	uint64_t *data_ptr = vm_slot(&s, VM_DATA_VA, 1);
	uint64_t *code_ptr = vm_slot(&s, VM_CODE_VA, 1);
	const uint64_t data_leaf = *data_pte, code_leaf = *code_pte;
	const uint64_t data_table = *data_ptr, code_table = *code_ptr;

	vm_set_context(vm_mode_name(mode), ": RSW and G bits set", 0, 0);
	*data_pte = data_leaf | PTE_RSW | PTE_G;
	*code_pte = code_leaf | PTE_RSW | PTE_G;
	*data_ptr = data_table | PTE_RSW;
	*code_ptr = code_table | PTE_RSW;
	vm_sfence_all();
	check_accesses(VM_DATA_VA, VM_CODE_VA, false, __LINE__);
	*data_ptr = data_table;
	*code_ptr = code_table;

	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		uint64_t bit = 1ul << reserved[i];
		vm_set_context(vm_mode_name(mode), ": reserved bit in a leaf", 0, 0);
		*data_pte = data_leaf | bit;
		*code_pte = code_leaf | bit;
		vm_sfence_all();
		check_accesses(VM_DATA_VA, VM_CODE_VA, true, __LINE__);
		*data_pte = data_leaf;
		*code_pte = code_leaf;

		vm_set_context(vm_mode_name(mode), ": reserved bit in a pointer PTE", 0, 0);
		*data_ptr = data_table | bit;
		*code_ptr = code_table | bit;
		vm_sfence_all();
		check_accesses(VM_DATA_VA, VM_CODE_VA, true, __LINE__);
		*data_ptr = data_table;
		*code_ptr = code_table;
	}
	/* 4.3.1: "For non-leaf PTEs, the D, A, and U bits are reserved for
	 * future standard use" — so step 3 stops at a pointer with any set. */
	static const uint64_t leaf_only[] = { PTE_A, PTE_D, PTE_U };
	for (unsigned i = 0; i < 3; i++) {
		vm_set_context(vm_mode_name(mode), ": A, D or U in a pointer PTE", 0, 0);
		*data_ptr = data_table | leaf_only[i];
		*code_ptr = code_table | leaf_only[i];
		vm_sfence_all();
		check_accesses(VM_DATA_VA, VM_CODE_VA, true, __LINE__);
		*data_ptr = data_table;
		*code_ptr = code_table;
	}
	vm_set_context(vm_mode_name(mode), ": restored PTEs", 0, 0);
	vm_sfence_all();
	check_accesses(VM_DATA_VA, VM_CODE_VA, false, __LINE__);
}

/* Step 4 of 4.3.2: a pointer PTE (V=1, R=W=X=0) found at level 0 leaves
 * nothing to walk, "stop and raise a page-fault exception". An invalid pointer
 * PTE above the leaf faults at step 3. */
static void check_bad_pointers(uint64_t mode)
{
	struct vm_space s = fresh_space(mode);
	uint64_t *data_pte = vm_map(&s, VM_DATA_VA, (uint64_t)vm_pool[0], 0, PTE_V);
	uint64_t *code_pte = vm_map(&s, VM_CODE_VA, (uint64_t)vm_pool[0], 0, PTE_V);
	vm_sfence_all();
	vm_set_context(vm_mode_name(mode), ": pointer PTE at level 0", 0, 0);
	check_accesses(VM_DATA_VA, VM_CODE_VA, true, __LINE__);

	*data_pte = vm_pte((uint64_t)data_page, RWX_AD);
	*code_pte = vm_pte((uint64_t)vm_probe_page, RWX_AD);
	uint64_t *data_ptr = vm_slot(&s, VM_DATA_VA, 1);
	uint64_t *code_ptr = vm_slot(&s, VM_CODE_VA, 1);
	*data_ptr &= ~PTE_V;
	*code_ptr &= ~PTE_V;
	vm_sfence_all();
	vm_set_context(vm_mode_name(mode), ": invalid pointer PTE", 0, 0);
	check_accesses(VM_DATA_VA, VM_CODE_VA, true, __LINE__);
}

/* Step 6 of 4.3.2: a leaf at level i > 0 whose pte.ppn[i-1:0] is not zero is
 * a misaligned superpage and faults (4.4.1: superpages "must be virtually and
 * physically aligned to a boundary equal to its size"). Each level first
 * maps an aligned superpage and reads through it, then sets the lowest and
 * the highest bit of ppn[i-1:0] in turn. */
static void check_superpages(uint64_t mode)
{
	for (int level = 1; level < vm_levels(mode); level++) {
		static const char *const names[] = { "", "2 MiB", "1 GiB", "512 GiB", "256 TiB" };
		uint64_t size = vm_level_size(level);
		struct vm_space s = fresh_space(mode);
		/* VM_DATA_VA and VM_CODE_VA share every region of a GiB or more, so
		 * one leaf serves both there; below that each gets its own. */
		uint64_t data_base = (uint64_t)data_page & ~(size - 1);
		uint64_t code_base = (uint64_t)vm_probe_page & ~(size - 1);
		uint64_t data_va = (VM_DATA_VA & ~(size - 1)) + ((uint64_t)data_page - data_base);
		uint64_t code_va = (VM_CODE_VA & ~(size - 1)) + ((uint64_t)vm_probe_page - code_base);
		bool shared = (VM_DATA_VA & ~(size - 1)) == (VM_CODE_VA & ~(size - 1));
		uint64_t *data_pte = vm_map(&s, VM_DATA_VA, data_base, level, RWX_AD);
		uint64_t *code_pte = shared ? data_pte : vm_map(&s, VM_CODE_VA, code_base, level, RWX_AD);
		vm_sfence_all();
		vm_set_context(vm_mode_name(mode), ": aligned superpage of ", names[level], 0);
		check_accesses(data_va, code_va, false, __LINE__);

		const uint64_t offsets[] = { PAGE_SIZE, vm_level_size(level - 1) };
		for (unsigned i = 0; i < 2; i++) {
			vm_set_context(vm_mode_name(mode), ": misaligned superpage of ", names[level], 0);
			*data_pte = vm_pte(data_base + offsets[i], RWX_AD);
			if (!shared)
				*code_pte = vm_pte(code_base + offsets[i], RWX_AD);
			vm_sfence_all();
			check_accesses(data_va, code_va, true, __LINE__);
		}
	}
}

int main(void)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };

	vm_setup();
	for (unsigned m = 0; m < 3; m++) {
		check_reserved_bits(modes[m]);
		check_bad_pointers(modes[m]);
		check_superpages(modes[m]);
	}
	csr_write(satp, 0);
	return 0;
}
