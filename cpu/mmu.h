/* Virtual memory for loads, stores and fetches: the TLB fast path inline, the
 * page walk (Sv39/Sv48/Sv57, privileged spec 10.3-10.6), PMP and MMIO behind
 * it. A failing access has already taken its trap when these return false. */
#ifndef DOPPEL_CPU_MMU_H
#define DOPPEL_CPU_MMU_H

#include <string.h>

#include "cpu/hart.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

bool mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val);
bool mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val);
bool mmu_fetch_slow(struct hart *h, uint64_t pc, uint32_t *raw);

/* Host pointer for an access of size bytes at va if the TLB already holds a
 * translation for it and it stays within one page; NULL otherwise. */
static inline uint8_t *tlb_lookup(struct tlb *t, enum access acc, uint64_t va, unsigned size)
{
	const struct tlb_entry *e = &t->e[acc][(va >> 12) & (TLB_SIZE - 1)];
	if (likely(e->tag == (va & ~0xfffull) && ((va & 0xfff) + size) <= 4096))
		return (uint8_t *)(uintptr_t)(va + e->addend);
	return NULL;
}

/* Loads size bytes, zero-extended. */
static inline bool mmu_load(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
	uint8_t *p = tlb_lookup(h->dtlb, ACC_READ, va, size);
	if (likely(p != NULL)) {
		*val = ram_load(p, size);
		return true;
	}
	return mmu_load_slow(h, va, size, val);
}

static inline bool mmu_store(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
	uint8_t *p = tlb_lookup(h->dtlb, ACC_WRITE, va, size);
	if (likely(p != NULL)) {
		ram_store(p, size, val);
		return true;
	}
	return mmu_store_slow(h, va, size, val);
}

/* Fetches the (up to) 32 bits of the instruction at pc. */
static inline bool mmu_fetch(struct hart *h, uint64_t pc, uint32_t *raw)
{
	uint8_t *p = tlb_lookup(h->itlb, ACC_EXEC, pc, 4);
	if (likely(p != NULL)) {
		memcpy(raw, p, 4);
		return true;
	}
	return mmu_fetch_slow(h, pc, raw);
}

/* Translates va for an access of the given type at the effective privilege,
 * without taking a trap: returns 0 and the physical address, or the exception
 * cause. Used by the slow paths and by atomics. */
int mmu_translate(struct hart *h, uint64_t va, enum access acc, uint64_t *pa);

/* Host pointer for an aligned atomic access (LR/SC/AMO) of size bytes, after
 * translating for a store (AMOs need write permission, spec 10.3.1). Takes
 * the trap and returns NULL on failure; misaligned atomics and atomics to
 * MMIO raise an access fault. *pa, if pa is not NULL, receives the
 * physical address (the LR/SC reservation is kept by physical address). */
uint8_t *mmu_atomic_ptr(struct hart *h, uint64_t va, unsigned size, enum access acc,
		       uint64_t *pa);

#endif
