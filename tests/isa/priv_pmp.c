/* Physical memory protection without the lock bit (spec 3.7): after reset S
 * and U can access nothing; entries grant R, W and X separately over TOR, NA4
 * and NAPOT ranges; the lowest-numbered matching entry decides and must cover
 * the whole access; unlocked entries do not restrict M-mode, except for
 * loads and stores made with MPRV = 1 at MPP's privilege (3.1.6.3). */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

/* What a function run in S or U returns when fetching it, or code it
 * jumped to, faulted. */
#define FETCH_FAULTED 0xfe7c4fa1ull

void mtrap_handler(struct trap_frame *f)
{
	uint64_t status = csr_read(mstatus);
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, status);
	if (f->cause == CAUSE_INSN_ACCESS && (status & MSTATUS_MPP) != MSTATUS_MPP_M)
		priv_call_abort(f, FETCH_FAULTED);
	else
		trap_step_over(f);
}

/* Four pages the tests protect: 0 and 1 data, 2 code, 3 for NA4. */
static uint8_t region[4 * 4096] __attribute__((aligned(4096)));
#define PAGE(n) ((uint64_t)&region[(n) * 4096])

/* Code placed in page 2: a0 = 0x5a; ret. */
static const uint32_t page_code[] = { 0x05a00513, 0x00008067 };

#define SENTINEL 0x5e5e5e5e5e5e5e5eull

static uint64_t napot(uint64_t base, uint64_t size)
{
	return (base >> 2) | ((size >> 3) - 1);
}

static void pmpaddr_write(unsigned i, uint64_t v)
{
	switch (i) {
	case 0: csr_write(pmpaddr0, v); break;
	case 1: csr_write(pmpaddr1, v); break;
	case 2: csr_write(pmpaddr2, v); break;
	default: csr_write(pmpaddr3, v); break;
	}
}

/* Sets entry i (0-3) and synchronizes, as 3.7.2 asks after PMP changes. */
static void pmp_set(unsigned i, uint64_t addr, uint8_t cfg)
{
	csr_clear(pmpcfg0, 0xffull << (8 * i));
	pmpaddr_write(i, addr);
	csr_set(pmpcfg0, (uint64_t)cfg << (8 * i));
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void pmp_clear_front(void)
{
	csr_write(pmpcfg0, 0);
	for (unsigned i = 0; i < 4; i++)
		pmpaddr_write(i, 0);
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Accessors run in S or U; a faulting access leaves SENTINEL. */
static uint64_t do_ld(uint64_t addr)
{
	uint64_t v = SENTINEL;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory");
	return v;
}

static uint64_t do_lw(uint64_t addr)
{
	uint64_t v = SENTINEL;
	__asm__ volatile("lw %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory");
	return v;
}

static uint64_t do_sd(uint64_t addr)
{
	__asm__ volatile("sd %0, 0(%1)" :: "r"(addr), "r"(addr) : "memory");
	return 0;
}

static uint64_t do_sw(uint64_t addr)
{
	__asm__ volatile("sw %0, 0(%1)" :: "r"(addr), "r"(addr) : "memory");
	return 0;
}

static uint64_t do_amo(uint64_t addr)
{
	uint64_t old = SENTINEL;
	__asm__ volatile("amoor.d %0, zero, (%1)" : "+r"(old) : "r"(addr) : "memory");
	return old;
}

static uint64_t do_exec(uint64_t addr)
{
	register uint64_t a0 __asm__("a0") = 0;
	__asm__ volatile("jalr ra, 0(%1)" : "+r"(a0) : "r"(addr) : "ra", "memory");
	return a0;
}

static uint64_t nothing(uint64_t arg)
{
	return arg;
}

/* Runs fn(addr) at priv and checks it either worked or took access fault
 * cause at addr. */
static void expect(unsigned priv, uint64_t (*fn)(uint64_t), uint64_t addr, int ok, int n)
{
	trap_record_clear(&mtrap);
	uint64_t r = priv_call(priv, fn, addr);
	if (ok) {
		CHECK_EQ(mtrap.count, 0, n);
		if (fn == do_exec)
			CHECK_EQ(r, 0x5a, n);
		if (fn == do_ld)
			CHECK_EQ(r, *(volatile uint64_t *)addr, n);
		return;
	}
	uint64_t cause = fn == do_exec ? CAUSE_INSN_ACCESS :
			 fn == do_ld || fn == do_lw ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS;
	CHECK_EQ(mtrap.count, 1, n);
	CHECK_EQ(mtrap.cause, cause, n);
	CHECK_EQ(mtrap.tval, addr, n);
	if (fn == do_exec)
		CHECK_EQ(r, FETCH_FAULTED, n);
	else if (fn != do_sd && fn != do_sw)
		CHECK_EQ(r, SENTINEL, n);
}

/* After reset no entry is active (A = L = 0, 3.4), so S and U cannot even
 * fetch (3.7.1: no match with entries implemented fails), while M can. */
static void check_reset_state(void)
{
	const uint64_t a_and_l = 0x9898989898989898ull;
	CHECK_EQ(csr_read(pmpcfg0) & a_and_l, 0, 1);
	CHECK_EQ(csr_read(pmpcfg2) & a_and_l, 0, 1);
	trap_record_clear(&mtrap);
	CHECK_EQ(priv_call(PRIV_S, nothing, 1), FETCH_FAULTED, 2);
	CHECK_EQ(mtrap.count, 1, 2);
	CHECK_EQ(mtrap.cause, CAUSE_INSN_ACCESS, 2);
	CHECK_EQ(mtrap.epc, (uint64_t)nothing, 2);
	CHECK_EQ(mtrap.tval, (uint64_t)nothing, 2);
	trap_record_clear(&mtrap);
	CHECK_EQ(priv_call(PRIV_U, nothing, 1), FETCH_FAULTED, 3);
	CHECK_EQ(mtrap.cause, CAUSE_INSN_ACCESS, 3);
	CHECK_EQ(mtrap.tval, (uint64_t)nothing, 3);
	/* M-mode has full access when nothing matches. */
	CHECK_EQ(priv_call(PRIV_M, nothing, 1), 1, 4);
}

/* pmpaddr holds bits 55:2 (so bits 63:54 read zero), at 4-byte granularity
 * here (G = 0: writing all ones with the entry OFF reads back bit 0 set,
 * 3.7.1.1); R = 0, W = 1 is a reserved combination that never reads back. */
static void check_warl(void)
{
	pmp_set(0, ~0ull, 0);
	CHECK_EQ(csr_read(pmpaddr0), (1ull << 54) - 1, 10);
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_W);
	CHECK((csr_read(pmpcfg0) & (PMP_R | PMP_W)) != PMP_W, 11);
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_W | PMP_X);
	CHECK((csr_read(pmpcfg0) & (PMP_R | PMP_W)) != PMP_W, 12);
	/* Each entry's byte is independent. */
	pmp_set(1, 0x1234, PMP_TOR | PMP_R);
	CHECK_EQ((csr_read(pmpcfg0) >> 8) & 0xff, PMP_TOR | PMP_R, 13);
	CHECK_EQ(csr_read(pmpaddr1), 0x1234, 13);
	pmp_clear_front();
}

/* Sixteen entries: pmpaddr0-15 and their pmpcfg bytes (in pmpcfg0 and
 * pmpcfg2 on RV64) hold values; the CSRs of entries 16-63 exist but, with no
 * entry behind them, are read-only zero (3.7.1: "all PMP CSR fields are WARL
 * and may be read-only zero"). */
#define PMPADDR_HOLDS(i) do { \
	csr_write(pmpaddr##i, 0x1000 + i); \
	CHECK_EQ(csr_read(pmpaddr##i), 0x1000 + i, 15); } while (0)

static void check_sixteen_entries(void)
{
	PMPADDR_HOLDS(0); PMPADDR_HOLDS(1); PMPADDR_HOLDS(2); PMPADDR_HOLDS(3);
	PMPADDR_HOLDS(4); PMPADDR_HOLDS(5); PMPADDR_HOLDS(6); PMPADDR_HOLDS(7);
	PMPADDR_HOLDS(8); PMPADDR_HOLDS(9); PMPADDR_HOLDS(10); PMPADDR_HOLDS(11);
	PMPADDR_HOLDS(12); PMPADDR_HOLDS(13); PMPADDR_HOLDS(14);
	/* With A = OFF the entries match nothing, whatever R, W and X say. */
	const uint64_t rwx = 0x0707070707070707ull;
	csr_write(pmpcfg0, rwx);
	CHECK_EQ(csr_read(pmpcfg0), rwx, 16);
	csr_set(pmpcfg2, rwx >> 8);
	CHECK_EQ(csr_read(pmpcfg2), (rwx >> 8) | (uint64_t)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56,
		 16);
	csr_clear(pmpcfg2, rwx >> 8);
	trap_record_clear(&mtrap);
	csr_write(pmpaddr16, 0x1234);
	csr_write(pmpaddr63, 0x1234);
	csr_write(pmpcfg4, rwx);
	csr_write(pmpcfg14, rwx);
	CHECK_EQ(csr_read(pmpaddr16), 0, 17);
	CHECK_EQ(csr_read(pmpaddr63), 0, 17);
	CHECK_EQ(csr_read(pmpcfg4), 0, 17);
	CHECK_EQ(csr_read(pmpcfg14), 0, 17);
	CHECK_EQ(mtrap.count, 0, 17);
	pmp_clear_front();
}

/* NAPOT pages with one permission each: only that access type works, for S
 * and U alike, and loads of the instruction words fail without R. */
static void check_napot_permissions(void)
{
	for (unsigned priv = PRIV_U; priv <= PRIV_S; priv++) {
		int n = priv == PRIV_S ? 20 : 40;
		pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_R);
		expect(priv, do_ld, PAGE(0) + 8, 1, n + 0);
		expect(priv, do_sd, PAGE(0) + 8, 0, n + 1);
		expect(priv, do_amo, PAGE(0) + 8, 0, n + 2);
		expect(priv, do_exec, PAGE(2), 1, n + 3);

		pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_R | PMP_W);
		expect(priv, do_sd, PAGE(0) + 16, 1, n + 4);
		CHECK_EQ(*(volatile uint64_t *)(PAGE(0) + 16), PAGE(0) + 16, n + 4);
		expect(priv, do_amo, PAGE(0) + 16, 1, n + 5);

		pmp_set(0, napot(PAGE(2), 4096), PMP_NAPOT | PMP_X);
		expect(priv, do_exec, PAGE(2), 1, n + 6);
		expect(priv, do_ld, PAGE(2), 0, n + 7);
		expect(priv, do_sw, PAGE(2) + 64, 0, n + 8);

		pmp_set(0, napot(PAGE(2), 4096), PMP_NAPOT | PMP_R | PMP_W);
		expect(priv, do_exec, PAGE(2), 0, n + 9);
		expect(priv, do_ld, PAGE(2), 1, n + 10);

		pmp_set(0, napot(PAGE(0), 8192), PMP_NAPOT);
		expect(priv, do_ld, PAGE(0), 0, n + 11);
		expect(priv, do_ld, PAGE(1) + 4088, 0, n + 12);
		expect(priv, do_sw, PAGE(1), 0, n + 13);
		/* The byte after the 8 KiB range is back to entry 15's grant. */
		expect(priv, do_ld, PAGE(2), 1, n + 14);
	}
	pmp_clear_front();
}

/* TOR: entry i covers [pmpaddr(i-1), pmpaddr(i)) whatever entry i-1's own
 * mode; entry 0 in TOR mode starts at 0; an empty range matches nothing. */
static void check_tor(void)
{
	pmp_set(0, PAGE(1) >> 2, 0);
	pmp_set(1, PAGE(2) >> 2, PMP_TOR | PMP_R);
	expect(PRIV_S, do_ld, PAGE(1), 1, 60);
	expect(PRIV_S, do_sd, PAGE(1), 0, 61);
	expect(PRIV_S, do_sd, PAGE(1) + 4088, 0, 62);
	expect(PRIV_S, do_sd, PAGE(3), 1, 63);
	expect(PRIV_S, do_sd, PAGE(0) + 4088, 1, 64);

	/* Entry 0 itself TOR: [0, pmpaddr0), which holds this program. */
	pmp_set(1, 0, 0);
	pmp_set(0, PAGE(3) >> 2, PMP_TOR | PMP_R | PMP_X);
	expect(PRIV_U, do_ld, PAGE(1), 1, 65);
	expect(PRIV_U, do_sd, PAGE(1), 0, 66);
	expect(PRIV_U, do_sd, PAGE(3), 1, 67);

	/* pmpaddr(i-1) >= pmpaddr(i): entry i matches nothing. */
	pmp_set(0, PAGE(2) >> 2, 0);
	pmp_set(1, PAGE(1) >> 2, PMP_TOR);
	expect(PRIV_S, do_sd, PAGE(1), 1, 68);
	pmp_clear_front();
}

/* NA4 and priority: the lowest-numbered entry matching any byte decides,
 * and fails the access unless it matches all of it (3.7.1.3). */
static void check_na4_and_priority(void)
{
	uint64_t word = PAGE(3) + 12;
	pmp_set(0, word >> 2, PMP_NA4 | PMP_R | PMP_W);
	pmp_set(1, napot(PAGE(3), 4096), PMP_NAPOT);
	expect(PRIV_S, do_lw, word, 1, 70);
	expect(PRIV_S, do_sw, word, 1, 71);
	expect(PRIV_S, do_lw, word - 4, 0, 72);
	expect(PRIV_S, do_lw, word + 4, 0, 73);
	/* 8 bytes from word - 4: entry 0 matches only half of them. */
	expect(PRIV_S, do_ld, word - 4, 0, 74);

	/* Two entries for one page: the lower number wins either way round. */
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT);
	pmp_set(1, napot(PAGE(0), 4096), PMP_NAPOT | PMP_R | PMP_W);
	expect(PRIV_S, do_ld, PAGE(0), 0, 76);
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_R | PMP_W);
	pmp_set(1, napot(PAGE(0), 4096), PMP_NAPOT);
	expect(PRIV_S, do_ld, PAGE(0), 1, 77);

	/* A misaligned access across two pages with different rights fails
	 * as a whole; mtval is its address or that of the failing part. */
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_R);
	pmp_set(1, napot(PAGE(1), 4096), PMP_NAPOT);
	trap_record_clear(&mtrap);
	CHECK_EQ(priv_call(PRIV_S, do_ld, PAGE(1) - 4), SENTINEL, 78);
	CHECK_EQ(mtrap.count, 1, 78);
	CHECK(mtrap.cause == CAUSE_LOAD_ACCESS || mtrap.cause == CAUSE_LOAD_MISALIGNED, 78);
	CHECK(mtrap.tval == PAGE(1) - 4 || mtrap.tval == PAGE(1), 78);
	pmp_clear_front();
}

/* Unlocked entries do not restrict M-mode (3.7.1.2) ... */
static void check_m_unrestricted(void)
{
	for (unsigned p = 0; p < 4096; p += 4)
		*(volatile uint32_t *)(PAGE(2) + p) = 0;
	for (unsigned i = 0; i < 2; i++)
		*(volatile uint32_t *)(PAGE(2) + 4 * i) = page_code[i];
	__asm__ volatile("fence.i" ::: "memory");
	pmp_set(0, napot(PAGE(0), 4 * 4096), PMP_NAPOT);
	trap_record_clear(&mtrap);
	*(volatile uint64_t *)PAGE(1) = 7;
	CHECK_EQ(*(volatile uint64_t *)PAGE(1), 7, 80);
	CHECK_EQ(do_exec(PAGE(2)), 0x5a, 81);
	CHECK_EQ(mtrap.count, 0, 82);
	pmp_clear_front();
}

/* ... except loads and stores under MPRV = 1 with MPP = S or U, which are
 * checked at MPP's privilege; fetches are not affected (3.1.6.3, 3.7). */
static uint64_t mprv_load(uint64_t mpp, uint64_t addr)
{
	uint64_t v = SENTINEL;
	csr_clear(mstatus, MSTATUS_MPP);
	csr_set(mstatus, mpp << MSTATUS_MPP_SHIFT);
	/* Nothing but the load runs with MPRV set. */
	__asm__ volatile("csrs mstatus, %2\n\tld %0, 0(%1)\n\tcsrc mstatus, %2"
			 : "+&r"(v) : "r"(addr), "r"(MSTATUS_MPRV) : "memory");
	return v;
}

static void check_mprv(void)
{
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_X);
	for (uint64_t mpp = 0; mpp < 4; mpp++) {
		if (mpp == 2)
			continue;
		trap_record_clear(&mtrap);
		uint64_t v = mprv_load(mpp, PAGE(0) + 24);
		if (mpp == PRIV_M) {
			CHECK_EQ(mtrap.count, 0, 90);
			CHECK_EQ(v, *(volatile uint64_t *)(PAGE(0) + 24), 90);
		} else {
			CHECK_EQ(mtrap.count, 1, 91 + (int)mpp);
			CHECK_EQ(mtrap.cause, CAUSE_LOAD_ACCESS, 91 + (int)mpp);
			CHECK_EQ(mtrap.tval, PAGE(0) + 24, 91 + (int)mpp);
			CHECK_EQ(v, SENTINEL, 91 + (int)mpp);
		}
	}
	CHECK_EQ(csr_read(mstatus) & MSTATUS_MPRV, 0, 94);

	/* Stores too: with MPP = U the page, now R only, cannot be written. */
	pmp_set(0, napot(PAGE(0), 4096), PMP_NAPOT | PMP_R);
	csr_clear(mstatus, MSTATUS_MPP);
	trap_record_clear(&mtrap);
	__asm__ volatile("csrs mstatus, %1\n\tsd zero, 0(%0)\n\tcsrc mstatus, %1"
			 :: "r"(PAGE(0) + 32), "r"(MSTATUS_MPRV) : "memory");
	CHECK_EQ(mtrap.count, 1, 96);
	CHECK_EQ(mtrap.cause, CAUSE_STORE_ACCESS, 96);
	CHECK_EQ(mtrap.tval, PAGE(0) + 32, 96);

	/* Code in a page S could not fetch runs in M with MPRV = 1, MPP = S. */
	pmp_set(0, napot(PAGE(2), 4096), PMP_NAPOT | PMP_R | PMP_W);
	uint64_t r;
	csr_clear(mstatus, MSTATUS_MPP);
	csr_set(mstatus, MSTATUS_MPP_S);
	__asm__ volatile("csrs mstatus, %2\n\tli a0, 0\n\tjalr ra, 0(%1)\n\tmv %0, a0\n\t"
			 "csrc mstatus, %2"
			 : "=r"(r) : "r"(PAGE(2)), "r"(MSTATUS_MPRV) : "a0", "ra", "memory");
	CHECK_EQ(r, 0x5a, 95);
	pmp_clear_front();
}

int main(void)
{
	check_reset_state();
	pmp_grant_all();
	__asm__ volatile("sfence.vma" ::: "memory");
	check_warl();
	check_sixteen_entries();
	check_m_unrestricted();
	check_napot_permissions();
	check_tor();
	check_na4_and_priority();
	check_mprv();
	return 0;
}
