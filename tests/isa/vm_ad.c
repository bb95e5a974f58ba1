/* Accessed and dirty bits (privileged spec 1.12, 4.3.1 and step 7 of 4.3.2).
 * The spec allows either a page fault or a hardware update when A or D needs
 * setting; doppel updates them in hardware, so here every access succeeds and
 * the PTE in memory shows A after any access and D after a store or AMO,
 * never D after a load, LR or fetch, never D for a store that faulted (the D
 * update "must be exact"), and pointer PTEs never change. Note: A may
 * be set speculatively, so no test asserts that A stayed clear. */
#include "vm_lib.h"

static uint64_t data_page[512] __attribute__((aligned(4096)));

#define DATA_INITIAL 0x5555aaaa3333ccccul

struct walk {
	uint64_t *leaf;
	uint64_t pointers[5]; /* pointer PTEs above the leaf, root first */
	uint64_t *pointer_slots[5];
	int count;
};

/* Maps va to pa at level with flags and remembers the pointer PTEs above it. */
static struct walk map_leaf(const struct vm_space *s, uint64_t va, uint64_t pa, int level,
			    uint64_t flags)
{
	struct walk w = { .leaf = vm_map(s, va, pa, level, flags) };
	for (int i = s->levels - 1; i > level; i--) {
		w.pointer_slots[w.count] = vm_slot(s, va, i);
		w.pointers[w.count] = *w.pointer_slots[w.count];
		w.count++;
	}
	vm_sfence_all();
	return w;
}

/* Non-leaf PTEs: "the D, A, and U bits are reserved for future standard use"
 * (4.3.1); the hardware updates only the leaf. */
static void check_pointers_unchanged(const struct walk *w, int line)
{
	for (int i = 0; i < w->count; i++)
		if (*w->pointer_slots[i] != w->pointers[i])
			vm_fail(line, "a pointer PTE changed");
}

/* One access from priv; expects it to succeed and the leaf to read
 * expected_pte afterwards. */
static void access_expect(const struct walk *w, int priv, enum vm_kind kind, uint64_t va,
			  uint64_t probe_base, uint64_t expected_pte, int line)
{
	data_page[0] = DATA_INITIAL;
	struct vm_trap t = vm_access(priv, 0, kind, va, 0, probe_base);
	vm_check_access(&t, priv, kind, va, probe_base, false, line);
	if (*w->leaf != expected_pte) {
		test_puts("  leaf PTE ");
		test_puthex(*w->leaf);
		test_puts(" expected ");
		test_puthex(expected_pte);
		test_putchar('\n');
		vm_fail(line, "A/D bits wrong");
	}
	check_pointers_unchanged(w, line);
}

static void check_mode(uint64_t mode)
{
	const uint64_t sprobe = (uint64_t)vm_probe_page;
	const uint64_t rw = PTE_V | PTE_R | PTE_W;
	vm_reset_pool();
	struct vm_space s = vm_space_standard(mode);
	vm_activate(&s);

	vm_set_context(vm_mode_name(mode), ": load, then store", 0, 0);
	struct walk w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, rw);
	uint64_t pte = *w.leaf;
	access_expect(&w, PRIV_S, VM_LOAD, VM_DATA_VA, sprobe, pte | PTE_A, __LINE__);
	/* The load may have cached the translation with D clear; the store must
	 * still set D in memory. */
	access_expect(&w, PRIV_S, VM_STORE, VM_DATA_VA, sprobe, pte | PTE_A | PTE_D, __LINE__);
	access_expect(&w, PRIV_S, VM_LOAD, VM_DATA_VA, sprobe, pte | PTE_A | PTE_D, __LINE__);

	vm_set_context(vm_mode_name(mode), ": store first", 0, 0);
	w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, rw);
	access_expect(&w, PRIV_S, VM_STORE, VM_DATA_VA, sprobe, pte | PTE_A | PTE_D, __LINE__);

	vm_set_context(vm_mode_name(mode), ": AMO", 0, 0);
	w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, rw);
	access_expect(&w, PRIV_S, VM_AMO, VM_DATA_VA, sprobe, pte | PTE_A | PTE_D, __LINE__);

	vm_set_context(vm_mode_name(mode), ": LR", 0, 0);
	w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, rw);
	access_expect(&w, PRIV_S, VM_LR, VM_DATA_VA, sprobe, pte | PTE_A, __LINE__);

	vm_set_context(vm_mode_name(mode), ": A set, D clear, load", 0, 0);
	w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, rw | PTE_A);
	access_expect(&w, PRIV_S, VM_LOAD, VM_DATA_VA, sprobe, pte | PTE_A, __LINE__);

	vm_set_context(vm_mode_name(mode), ": fetch", 0, 0);
	w = map_leaf(&s, VM_CODE_VA, (uint64_t)vm_probe_page, 0, PTE_V | PTE_R | PTE_X);
	uint64_t code_pte = *w.leaf;
	access_expect(&w, PRIV_S, VM_FETCH, VM_CODE_VA, sprobe, code_pte | PTE_A, __LINE__);

	vm_set_context(vm_mode_name(mode), ": U-mode load, then store", 0, 0);
	w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, rw | PTE_U);
	uint64_t upte = *w.leaf;
	access_expect(&w, PRIV_U, VM_LOAD, VM_DATA_VA, VM_UCODE_VA, upte | PTE_A, __LINE__);
	access_expect(&w, PRIV_U, VM_STORE, VM_DATA_VA, VM_UCODE_VA, upte | PTE_A | PTE_D,
		      __LINE__);

	vm_set_context(vm_mode_name(mode), ": 2 MiB leaf", 0, 0);
	uint64_t mega = vm_level_size(1);
	uint64_t mega_base = (uint64_t)data_page & ~(mega - 1);
	uint64_t mega_va = VM_SPARE_VA + ((uint64_t)data_page - mega_base);
	w = map_leaf(&s, VM_SPARE_VA, mega_base, 1, rw);
	uint64_t mpte = *w.leaf;
	access_expect(&w, PRIV_S, VM_LOAD, mega_va, sprobe, mpte | PTE_A, __LINE__);
	access_expect(&w, PRIV_S, VM_STORE, mega_va, sprobe, mpte | PTE_A | PTE_D, __LINE__);

	/* A store refused by the permission check (step 5 of 4.3.2 comes before
	 * the A/D update of step 7) leaves D clear. */
	vm_set_context(vm_mode_name(mode), ": faulting stores", 0, 0);
	static const uint64_t refusing[] = {
		PTE_V | PTE_R,                 /* read-only */
		PTE_V | PTE_R | PTE_W | PTE_U, /* U page from S without SUM */
	};
	for (unsigned i = 0; i < 2; i++) {
		w = map_leaf(&s, VM_DATA_VA, (uint64_t)data_page, 0, refusing[i]);
		data_page[0] = DATA_INITIAL;
		struct vm_trap t = vm_access(PRIV_S, 0, VM_STORE, VM_DATA_VA, 1, sprobe);
		vm_check_access(&t, PRIV_S, VM_STORE, VM_DATA_VA, sprobe, true, __LINE__);
		VM_CHECK((*w.leaf & PTE_D) == 0);
		VM_CHECK(data_page[0] == DATA_INITIAL);
		check_pointers_unchanged(&w, __LINE__);
	}
}

int main(void)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };

	vm_setup();
	for (unsigned m = 0; m < 3; m++)
		check_mode(modes[m]);
	csr_write(satp, 0);
	return 0;
}
