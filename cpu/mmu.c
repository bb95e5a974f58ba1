#include "cpu/mmu.h"

#include "cpu/pmp.h"
#include "cpu/trap.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ull << 44) - 1)
/* Bits 63:54: Svpbmt and Svnapot are not implemented, so all are reserved and
 * must be zero in a valid PTE (spec 10.3.1, 10.4.1). */
#define PTE_RESERVED (0x3ffull << 54)

static const uint64_t fault_page[] = {
	[ACC_READ] = EXC_LOAD_PAGE, [ACC_WRITE] = EXC_STORE_PAGE, [ACC_EXEC] = EXC_INSN_PAGE,
};
static const uint64_t fault_access[] = {
	[ACC_READ] = EXC_LOAD_ACCESS, [ACC_WRITE] = EXC_STORE_ACCESS, [ACC_EXEC] = EXC_INSN_ACCESS,
};

/* The privilege loads and stores are checked at: MPP when MPRV is set in
 * M-mode (spec 3.1.6.3); fetches always use the current privilege. */
static unsigned effective_priv(const struct hart *h, enum access acc)
{
	const struct hart_state *s = &h->s;
	if (acc != ACC_EXEC && s->priv == PRIV_M && (s->mstatus & MSTATUS_MPRV))
		return (unsigned)((s->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
	return (unsigned)s->priv;
}

void hart_tlb_select(struct hart *h)
{
	h->itlb = &h->tlb[h->s.priv];
	h->dtlb = &h->tlb[effective_priv(h, ACC_READ)];
}

/* All-ones bytes make every tag TLB_INVALID. */
void hart_tlb_flush(struct hart *h)
{
	hart_code_sync(h);
	memset(h->tlb, 0xff, sizeof(h->tlb));
	h->super_lo = ~0ull;
	h->super_hi = 0;
	h->tlb_fills = 0;
}

/* M-mode addresses are physical: only the S and U TLBs (adjacent) hold
 * translations through satp. */
void hart_tlb_flush_vm(struct hart *h)
{
	struct tlb_entry *first = &h->tlb[PRIV_U].e[0][0];

	hart_code_sync(h);
	if (h->tlb_fills <= TLB_FILL_LOG) {
		for (uint32_t i = 0; i < h->tlb_fills; i++)
			first[h->tlb_fill_log[i]].tag = TLB_INVALID;
	} else {
		memset(&h->tlb[PRIV_U], 0xff, sizeof(h->tlb[0]) * 2);
	}
	h->super_lo = ~0ull;
	h->super_hi = 0;
	h->tlb_fills = 0;
}

/* sfence.vma with an address drops the translations of its leaf PTE. The
 * TLBs hold superpages as 4 KiB pieces, so an address inside a superpage
 * that was walked since the last full flush drops everything; otherwise
 * the page's own entries go (spec 10.2.1). */
void hart_tlb_flush_page(struct hart *h, uint64_t va)
{
	uint64_t page = va & ~0xfffull;

	hart_code_sync(h);
	if (va >= h->super_lo && va < h->super_hi) {
		hart_tlb_flush_vm(h);
		return;
	}
	for (unsigned p = PRIV_U; p <= PRIV_S; p++) {
		for (unsigned a = 0; a < 3; a++) {
			struct tlb_entry *e = &h->tlb[p].e[a][(va >> 12) & (TLB_SIZE - 1)];
			if (e->tag == page)
				e->tag = TLB_INVALID;
		}
	}
}

/* A page that became code while this hart held a write entry for it may
 * have taken stores the code map never saw: they count as written now, so
 * that blocks another hart decoded from it are decoded again (codemap.h).
 * Every flush and fill settles this first (hart_code_sync), so that no
 * such entry is dropped unaccounted. The epoch is read first: a page that
 * becomes code after that bumps it again, and the next check catches it. */
void hart_tlb_flush_writes_but(struct hart *h, int64_t page)
{
	struct code_map *cm = &h->bus->code;
	uint64_t epoch = code_map_epoch(cm);

	for (unsigned p = 0; p < 4; p++) {
		for (unsigned i = 0; i < TLB_SIZE; i++) {
			struct tlb_entry *e = &h->tlb[p].e[ACC_WRITE][i];
			if (e->tag == TLB_INVALID)
				continue;
			const uint8_t *host = (const uint8_t *)(uintptr_t)(e->tag + e->addend);
			int64_t idx = code_map_page(cm, host);
			if (idx >= 0 && idx != page && code_map_is_code(cm, (uint64_t)idx))
				code_map_written(cm, host, 1);
			e->tag = TLB_INVALID;
		}
	}
	h->code_epoch = epoch;
}

void hart_tlb_flush_writes(struct hart *h)
{
	hart_tlb_flush_writes_but(h, -1);
}

static bool pte_permits(const struct hart_state *s, uint64_t pte, enum access acc, unsigned priv)
{
	/* U pages: only U-mode, or S-mode loads/stores with SUM; S-mode never
	 * executes them. S pages: never from U (spec 10.3.2 step 5). */
	if (pte & PTE_U) {
		if (priv == PRIV_S && (acc == ACC_EXEC || !(s->mstatus & MSTATUS_SUM)))
			return false;
	} else if (priv == PRIV_U) {
		return false;
	}
	switch (acc) {
	case ACC_READ:
		return (pte & PTE_R) || ((s->mstatus & MSTATUS_MXR) && (pte & PTE_X));
	case ACC_WRITE:
		return (pte & PTE_W) != 0;
	default:
		return (pte & PTE_X) != 0;
	}
}

/* After a store that missed the write TLB (or a page walk's A/D update):
 * code on the page is stale and the page dirty; a device may have raised an
 * interrupt line. */
static void written(struct hart *h, uint64_t pa, unsigned len)
{
	uint8_t *host = bus_ram_ptr(h->bus, pa, len);
	if (host)
		code_map_written(&h->bus->code, host, len);
	else
		h->break_loop = true;
}

/* Page tables live in main RAM nearly always: read there inline, as one
 * host access (another hart may be writing the PTE). */
static bool pte_read(const struct bus *bus, uint64_t addr, uint64_t *pte)
{
	const uint8_t *p = bus_main_ram(bus, addr, 8);
	if (p) {
		*pte = __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED);
		return true;
	}
	return bus_read(bus, addr, 8, pte);
}

enum pte_update { PTE_UPDATED, PTE_CHANGED, PTE_UNWRITABLE };

/* Sets the A/D bits of a PTE the walk read as old, atomically with that
 * read (spec 10.3.2 step 8): a compare-and-swap, so that a bit another hart
 * set, or a PTE software rewrote, since the read is never lost or undone.
 * PTE_CHANGED: the PTE no longer holds old, and the walk step must read it
 * again. A PTE in a device (no RAM behind it) is written as before. */
static enum pte_update pte_update(const struct bus *bus, uint64_t addr, uint64_t old,
				  uint64_t new)
{
	uint8_t *p = bus_ram_ptr(bus, addr, 8);
	if (p)
		return __atomic_compare_exchange_n((uint64_t *)(void *)p, &old, new, false,
						   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)
			       ? PTE_UPDATED : PTE_CHANGED;
	return bus_write(bus, addr, 8, new) ? PTE_UPDATED : PTE_UNWRITABLE;
}

/* The page walk of spec 10.3.2 for Sv39 (3 levels), Sv48 (4), Sv57 (5). */
static int page_walk(struct hart *h, uint64_t va, enum access acc, unsigned priv, uint64_t *pa)
{
	struct hart_state *s = &h->s;
	unsigned levels = (unsigned)(s->satp >> 60) - 5;
	unsigned va_bits = 12 + 9 * levels;

	/* Bits above the mode's width must all equal the top bit. */
	int64_t canon = (int64_t)(va << (64 - va_bits)) >> (64 - va_bits);
	if ((uint64_t)canon != va)
		return (int)fault_page[acc];

	uint64_t table = (s->satp & PTE_PPN_MASK) << 12;
	for (int level = (int)levels - 1; level >= 0; level--) {
		uint64_t pte_addr = table + ((va >> (12 + 9 * level)) & 511) * 8;
		uint64_t pte;

	read_pte:
		/* Implicit page-table accesses are checked by PMP as S-mode. */
		if (!pmp_allows(s, pte_addr, 8, ACC_READ, PRIV_S) || !pte_read(h->bus, pte_addr, &pte))
			return (int)fault_access[acc];
		if (!(pte & PTE_V) || ((pte & (PTE_R | PTE_W)) == PTE_W) || (pte & PTE_RESERVED))
			return (int)fault_page[acc];

		uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
		if (!(pte & (PTE_R | PTE_X))) {
			/* A pointer to the next level; there is none below level 0. */
			if (level == 0 || (pte & (PTE_A | PTE_D | PTE_U)))
				return (int)fault_page[acc];
			table = ppn << 12;
			continue;
		}
		if (!pte_permits(s, pte, acc, priv))
			return (int)fault_page[acc];
		/* A superpage must be aligned to its size. */
		uint64_t low_mask = (1ull << (9 * level)) - 1;
		if (ppn & low_mask)
			return (int)fault_page[acc];
		/* Hardware updates A, and D on stores (spec 10.3.2 step 8). */
		uint64_t want = PTE_A | (acc == ACC_WRITE ? PTE_D : 0);
		if ((pte & want) != want) {
			if (!pmp_allows(s, pte_addr, 8, ACC_WRITE, PRIV_S))
				return (int)fault_access[acc];
			switch (pte_update(h->bus, pte_addr, pte, pte | want)) {
			case PTE_UNWRITABLE:
				return (int)fault_access[acc];
			case PTE_CHANGED:
				goto read_pte;
			case PTE_UPDATED:
				break;
			}
			written(h, pte_addr, 8);
		}
		uint64_t page = ((ppn & ~low_mask) | ((va >> 12) & low_mask)) << 12;
		*pa = page | (va & 0xfff);
		if (level > 0) {
			uint64_t span = 1ull << (12 + 9 * level);
			uint64_t base = va & ~(span - 1);
			if (base < h->super_lo)
				h->super_lo = base;
			if (base + span > h->super_hi)
				h->super_hi = base + span;
		}
		return 0;
	}
	return (int)fault_page[acc];
}

static int translate_at(struct hart *h, uint64_t va, enum access acc, unsigned priv, uint64_t *pa)
{
	if (priv == PRIV_M || (h->s.satp >> 60) == 0) {
		*pa = va;
		return 0;
	}
	return page_walk(h, va, acc, priv, pa);
}

int mmu_translate(struct hart *h, uint64_t va, enum access acc, uint64_t *pa)
{
	return translate_at(h, va, acc, effective_priv(h, acc), pa);
}

/* Translates and checks PMP for [va, va + size) within one page; on success
 * caches the page in the TLB when the whole page is RAM with one PMP answer. */
static int access_page(struct hart *h, uint64_t va, unsigned size, enum access acc, uint64_t *pa)
{
	unsigned priv = effective_priv(h, acc);
	int cause = translate_at(h, va, acc, priv, pa);
	if (cause)
		return cause;
	if (!pmp_allows(&h->s, *pa, size, acc, priv))
		return (int)fault_access[acc];

	uint64_t page = *pa & ~0xfffull;
	uint8_t *host = bus_ram_page(h->bus, page);
	int64_t idx = -1;
	/* Pages holding decoded code stay out of the write TLB, so that stores
	 * to them reach code_map_written. */
	if (host && acc == ACC_WRITE) {
		/* Before the entry it replaces is lost (as in every flush). */
		hart_code_sync(h);
		idx = code_map_page(&h->bus->code, host);
		if (idx >= 0 && code_map_is_code(&h->bus->code, (uint64_t)idx))
			host = NULL;
	}
	if (host && pmp_page_uniform(&h->s, page, priv)) {
		/* Stores through this entry go unobserved: log the page now. */
		if (idx >= 0)
			code_map_log_fill(&h->bus->code, (uint64_t)idx);
		struct tlb *t = acc == ACC_EXEC ? h->itlb : h->dtlb;
		struct tlb_entry *e = &t->e[acc][(va >> 12) & (TLB_SIZE - 1)];
		e->tag = va & ~0xfffull;
		e->addend = (uintptr_t)host - (uintptr_t)(va & ~0xfffull);
		if (t <= &h->tlb[PRIV_S]) {
			uint32_t index = (uint32_t)(e - &h->tlb[PRIV_U].e[0][0]);
			if (h->tlb_fills < TLB_FILL_LOG)
				h->tlb_fill_log[h->tlb_fills] = index;
			if (h->tlb_fills <= TLB_FILL_LOG)
				h->tlb_fills++;
		}
	}
	return 0;
}

/* An access of size bytes, split into one part per page it touches. Both
 * pages are checked before any byte is written, so a store that faults on its
 * second page writes nothing. */
static bool access_slow(struct hart *h, uint64_t va, unsigned size, enum access acc, uint64_t *val)
{
	unsigned first = 4096 - (unsigned)(va & 0xfff);
	unsigned len[2] = { size < first ? size : first, 0 };
	uint64_t vpart[2] = { va, va + len[0] };
	uint64_t pa[2];
	len[1] = size - len[0];

	for (unsigned i = 0; i < 2 && len[i]; i++) {
		int cause = access_page(h, vpart[i], len[i], acc, &pa[i]);
		if (cause) {
			/* mtval is the address of the part that faulted (spec 3.1.16). */
			hart_raise(h, (uint64_t)cause, vpart[i]);
			return false;
		}
	}

	/* Naturally aligned accesses go to the bus whole, so devices see their
	 * natural width; others byte by byte. */
	if ((va & (size - 1)) == 0) {
		bool ok = acc == ACC_WRITE ? bus_write(h->bus, pa[0], size, *val)
					   : bus_read(h->bus, pa[0], size, val);
		if (!ok)
			hart_raise(h, fault_access[acc], va);
		if (ok && acc == ACC_WRITE)
			written(h, pa[0], size);
		return ok;
	}
	uint64_t v = acc == ACC_WRITE ? *val : 0;
	for (unsigned i = 0, n = 0; i < 2 && len[i]; i++) {
		for (unsigned b = 0; b < len[i]; b++, n++) {
			uint64_t byte = (v >> (8 * n)) & 0xff;
			bool ok = acc == ACC_WRITE ? bus_write(h->bus, pa[i] + b, 1, byte)
						   : bus_read(h->bus, pa[i] + b, 1, &byte);
			if (!ok) {
				hart_raise(h, fault_access[acc], vpart[i] + b);
				return false;
			}
			if (acc != ACC_WRITE)
				v |= byte << (8 * n);
		}
		if (acc == ACC_WRITE)
			written(h, pa[i], len[i]);
	}
	*val = v;
	return true;
}

bool mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *val)
{
	return access_slow(h, va, size, ACC_READ, val);
}

bool mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t val)
{
	return access_slow(h, va, size, ACC_WRITE, &val);
}

/* Fetches 16 bits, then 16 more if the instruction is not compressed, so an
 * instruction crossing into an unmapped page faults on the second half only
 * when it really has one (spec 3.1.16: mtval is the faulting portion). */
static bool fetch_half(struct hart *h, uint64_t pc, uint32_t *half)
{
	uint64_t pa, v;
	int cause = access_page(h, pc, 2, ACC_EXEC, &pa);
	if (!cause && !bus_ram_ptr(h->bus, pa, 2))
		cause = EXC_INSN_ACCESS;   /* no execution from devices */
	if (cause || !bus_read(h->bus, pa, 2, &v)) {
		hart_raise(h, cause ? (uint64_t)cause : EXC_INSN_ACCESS, pc);
		return false;
	}
	*half = (uint32_t)v;
	return true;
}

bool mmu_fetch_slow(struct hart *h, uint64_t pc, uint32_t *raw)
{
	uint32_t lo, hi = 0;
	if (!fetch_half(h, pc, &lo))
		return false;
	if (!insn_is_compressed(lo) && !fetch_half(h, pc + 2, &hi))
		return false;
	*raw = lo | (hi << 16);
	return true;
}

uint8_t *mmu_atomic_ptr(struct hart *h, uint64_t va, unsigned size, enum access acc,
		       uint64_t *pa)
{
	/* Plain loads and stores may be misaligned here, so a misaligned
	 * atomic must raise an access fault, not address-misaligned (priv
	 * spec 3.6.3.3: the two must agree for an address and width). */
	if (va & (size - 1)) {
		hart_raise(h, fault_access[acc], va);
		return NULL;
	}
	/* A TLB hit means RAM with the permission already checked. */
	uint8_t *p = tlb_lookup(h->dtlb, acc, va, size);
	if (p) {
		if (pa)
			*pa = bus_ram_phys(h->bus, p);
		return p;
	}
	uint64_t phys;
	int cause = access_page(h, va, size, acc, &phys);
	p = cause ? NULL : bus_ram_ptr(h->bus, phys, size);
	if (!p) {
		hart_raise(h, cause ? (uint64_t)cause : fault_access[acc], va);
		return NULL;
	}
	if (pa)
		*pa = phys;
	/* The page may hold code (so it missed the write TLB). */
	if (acc == ACC_WRITE)
		code_map_written(&h->bus->code, p, size);
	return p;
}
