/* Sv39, Sv48 and Sv57 (privileged spec 1.12, sections 4.4-4.6): for every
 * leaf level the mode has (4 KiB up to 1 GiB, 512 GiB, 256 TiB), S mode runs
 * the test's own C code through an identity map built from leaves of that
 * level, writes through an alias leaf at the top of the address space and
 * reads back through the identity map, fetches and loads through an alias at
 * the top of the positive half, and every non-canonical address faults. */
#include "vm_lib.h"

static uint64_t words[9] __attribute__((aligned(128)));

/* Runs in S mode through the identity map: fetches, stack and data all
 * translate. Returns a weighted sum of words[0..7] and stores it in words[8]. */
static void __attribute__((noreturn, noinline)) s_weighted_sum(uint64_t *w)
{
	uint64_t sum = 0;
	for (int i = 0; i < 8; i++)
		sum += w[i] * (uint64_t)(i + 1);
	w[8] = sum;
	vm_ecall(sum);
}

static void check_identity(void)
{
	uint64_t expected = 0;
	for (int i = 0; i < 8; i++) {
		words[i] = 0x1111ul * (uint64_t)(i + 3);
		expected += words[i] * (uint64_t)(i + 1);
	}
	words[8] = 0;
	struct vm_trap t = vm_run(PRIV_S, (uint64_t)s_weighted_sum, (uint64_t)words, 0);
	VM_CHECK(t.cause == CAUSE_ECALL_S);
	VM_CHECK(t.a0 == expected);
	VM_CHECK(words[8] == expected);
}

/* The leaf-sized region holding pa, mapped at va_base; returns where pa is. */
static uint64_t map_alias(const struct vm_space *s, uint64_t va_base, uint64_t pa, int level,
			  uint64_t flags)
{
	uint64_t size = vm_level_size(level);
	uint64_t pa_base = pa & ~(size - 1);
	vm_map(s, va_base, pa_base, level, flags);
	return va_base + (pa - pa_base);
}

static void check_mode_level(uint64_t mode, int level)
{
	uint64_t size = vm_level_size(level);
	int va_bits = vm_va_bits(mode);
	uint64_t probe_base = (uint64_t)vm_probe_page;

	vm_reset_pool();
	struct vm_space s = vm_space_new(mode);
	vm_map_ram(&s, level, VM_KERNEL_RWX);
	/* The last leaf of the negative half and the last of the positive half:
	 * both need every VPN field, and the positive one is only canonical in
	 * this mode and wider ones. */
	uint64_t neg_base = -size;
	uint64_t pos_base = (1ul << (va_bits - 1)) - size;
	uint64_t word_alias = map_alias(&s, neg_base, (uint64_t)&words[0], level,
					PTE_V | PTE_R | PTE_W | PTE_A | PTE_D);
	uint64_t probe_alias = map_alias(&s, pos_base, (uint64_t)vm_probe_page, level,
					 PTE_V | PTE_R | PTE_X | PTE_A);
	vm_activate(&s);

	check_identity();

	/* A different virtual page, same physical page: write through the alias,
	 * read back through the identity map, and the other way round. */
	words[0] = 0;
	struct vm_trap t = vm_access(PRIV_S, 0, VM_STORE, word_alias, 0x5a5a1234c3c3beeful,
				     probe_base);
	vm_check_access(&t, PRIV_S, VM_STORE, word_alias, probe_base, false, __LINE__);
	t = vm_access(PRIV_S, 0, VM_LOAD, (uint64_t)&words[0], 0, probe_base);
	vm_check_access(&t, PRIV_S, VM_LOAD, (uint64_t)&words[0], probe_base, false, __LINE__);
	VM_CHECK(t.a0 == 0x5a5a1234c3c3beeful);
	VM_CHECK(words[0] == 0x5a5a1234c3c3beeful);
	words[1] = 0x0123456789abcdeful;
	t = vm_access(PRIV_S, 0, VM_LOAD, word_alias + 8, 0, probe_base);
	vm_check_access(&t, PRIV_S, VM_LOAD, word_alias + 8, probe_base, false, __LINE__);
	VM_CHECK(t.a0 == 0x0123456789abcdeful);

	/* Fetch and load through the positive-half alias of the probe page. */
	t = vm_access(PRIV_S, 0, VM_FETCH, probe_alias, 0, probe_base);
	vm_check_access(&t, PRIV_S, VM_FETCH, probe_alias, probe_base, false, __LINE__);
	t = vm_access(PRIV_S, 0, VM_LOAD, probe_alias, 0, probe_base);
	VM_CHECK(t.cause == CAUSE_ECALL_S);
	VM_CHECK(t.a0 == *(volatile uint64_t *)vm_probe_page);

	/* Spec 4.4.1/4.5.1/4.6.1: bits 63..va_bits must all equal bit va_bits-1,
	 * "or else a page-fault exception will occur" — even where the low bits
	 * would select a valid mapping. */
	uint64_t low_mask = (1ul << va_bits) - 1;
	const uint64_t noncanonical[] = {
		(uint64_t)&words[0] ^ (1ul << va_bits),
		(uint64_t)&words[0] ^ (1ul << 63),
		word_alias & low_mask,
		word_alias ^ (1ul << (va_bits - 1)),
	};
	for (unsigned i = 0; i < sizeof(noncanonical) / sizeof(noncanonical[0]); i++) {
		uint64_t va = noncanonical[i];
		t = vm_access(PRIV_S, 0, VM_LOAD, va, 0, probe_base);
		vm_check_access(&t, PRIV_S, VM_LOAD, va, probe_base, true, __LINE__);
		t = vm_access(PRIV_S, 0, VM_STORE, va, 1, probe_base);
		vm_check_access(&t, PRIV_S, VM_STORE, va, probe_base, true, __LINE__);
		t = vm_access(PRIV_S, 0, VM_AMO, va, 1, probe_base);
		vm_check_access(&t, PRIV_S, VM_AMO, va, probe_base, true, __LINE__);
	}
	uint64_t bad_pcs[] = {
		probe_base ^ (1ul << va_bits),
		probe_base ^ (1ul << 63),
		probe_alias ^ (1ul << (va_bits - 1)) ^ (1ul << 63),
	};
	for (unsigned i = 0; i < sizeof(bad_pcs) / sizeof(bad_pcs[0]); i++) {
		t = vm_access(PRIV_S, 0, VM_FETCH, bad_pcs[i], 0, probe_base);
		vm_check_access(&t, PRIV_S, VM_FETCH, bad_pcs[i], probe_base, true, __LINE__);
	}
	VM_CHECK(words[0] == 0x5a5a1234c3c3beeful);
}

static const char *const level_names[] = { "4 KiB", "2 MiB", "1 GiB", "512 GiB", "256 TiB" };

int main(void)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };

	vm_setup();
	for (unsigned m = 0; m < 3; m++) {
		for (int level = 0; level < vm_levels(modes[m]); level++) {
			vm_set_context(vm_mode_name(modes[m]), " leaves of ", level_names[level], 0);
			check_mode_level(modes[m], level);
		}
	}
	csr_write(satp, 0);
	return 0;
}
