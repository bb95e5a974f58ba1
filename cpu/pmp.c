#include "cpu/pmp.h"

/* pmpaddr holds bits 55:2 of a physical address (RV64, spec 3.7.1). */
#define PMPADDR_MASK ((1ull << 54) - 1)

/* The byte range [lo, hi) entry i matches, or false if it is OFF. */
static bool pmp_range(const struct hart_state *s, unsigned i, uint64_t *lo, uint64_t *hi)
{
	uint8_t cfg = s->pmpcfg[i];
	uint64_t a = s->pmpaddr[i];

	switch ((cfg & PMP_A) >> PMP_A_SHIFT) {
	case PMP_TOR:
		*lo = i ? s->pmpaddr[i - 1] << 2 : 0;
		*hi = a << 2;
		return *lo < *hi;
	case PMP_NA4:
		*lo = a << 2;
		*hi = *lo + 4;
		return true;
	case PMP_NAPOT: {
		/* Trailing ones of pmpaddr give the size: 2^(ones + 3) bytes. */
		unsigned ones = (unsigned)__builtin_ctzll(~a);
		if (ones >= 54) {
			*lo = 0;
			*hi = 1ull << 56;
		} else {
			uint64_t size = 1ull << (ones + 3);
			*lo = (a << 2) & ~(size - 1);
			*hi = *lo + size;
		}
		return true;
	}
	default:
		return false;
	}
}

static bool pmp_perm(uint8_t cfg, enum access acc, unsigned priv)
{
	static const uint8_t need[] = { [ACC_READ] = PMP_R, [ACC_WRITE] = PMP_W, [ACC_EXEC] = PMP_X };
	/* Unlocked entries do not restrict M-mode (spec 3.7.1.2). */
	if (priv == PRIV_M && !(cfg & PMP_L))
		return true;
	return (cfg & need[acc]) != 0;
}

bool pmp_allows(const struct hart_state *s, uint64_t pa, uint64_t len,
		enum access acc, unsigned priv)
{
	for (unsigned i = 0; i < PMP_ENTRIES; i++) {
		uint64_t lo, hi;
		if (!pmp_range(s, i, &lo, &hi))
			continue;
		if (pa + len <= lo || pa >= hi)
			continue;
		/* The lowest-numbered entry matching any byte decides, and it must
		 * match every byte of the access. */
		if (pa < lo || pa + len > hi)
			return false;
		return pmp_perm(s->pmpcfg[i], acc, priv);
	}
	return priv == PRIV_M;
}

bool pmp_page_uniform(const struct hart_state *s, uint64_t page, unsigned priv)
{
	for (unsigned i = 0; i < PMP_ENTRIES; i++) {
		uint64_t lo, hi;
		if (!pmp_range(s, i, &lo, &hi))
			continue;
		if (page + 4096 <= lo || page >= hi)
			continue;
		return page >= lo && page + 4096 <= hi;
	}
	return true;
}

static bool pmp_locked(const struct hart_state *s, unsigned i)
{
	return (s->pmpcfg[i] & PMP_L) != 0;
}

void pmp_write_cfg(struct hart_state *s, unsigned reg, uint64_t val)
{
	/* On RV64 only even pmpcfg registers exist; each holds eight entries. */
	for (unsigned b = 0; b < 8; b++) {
		unsigned i = reg * 4 + b;
		if (i >= PMP_ENTRIES || pmp_locked(s, i))
			continue;
		uint8_t cfg = (uint8_t)(val >> (8 * b)) & (PMP_L | PMP_A | PMP_X | PMP_W | PMP_R);
		/* R=0 W=1 is reserved (spec 3.7.1): keep such an entry without W. */
		if ((cfg & (PMP_R | PMP_W)) == PMP_W)
			cfg &= (uint8_t)~PMP_W;
		s->pmpcfg[i] = cfg;
	}
}

uint64_t pmp_read_cfg(const struct hart_state *s, unsigned reg)
{
	uint64_t v = 0;
	for (unsigned b = 0; b < 8; b++) {
		unsigned i = reg * 4 + b;
		if (i < PMP_ENTRIES)
			v |= (uint64_t)s->pmpcfg[i] << (8 * b);
	}
	return v;
}

void pmp_write_addr(struct hart_state *s, unsigned i, uint64_t val)
{
	if (i >= PMP_ENTRIES || pmp_locked(s, i))
		return;
	/* A locked TOR entry also locks the address below it (spec 3.7.1.2). */
	if (i + 1 < PMP_ENTRIES && pmp_locked(s, i + 1) &&
	    ((s->pmpcfg[i + 1] & PMP_A) >> PMP_A_SHIFT) == PMP_TOR)
		return;
	s->pmpaddr[i] = val & PMPADDR_MASK;
}
