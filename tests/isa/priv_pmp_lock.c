/* The PMP lock bit (spec 3.7.1.2): a locked entry ignores writes to its
 * pmpcfg byte and pmpaddr (and, for TOR, to the pmpaddr below it), even with
 * A = OFF, and its permissions then apply to M-mode too. Locks last until
 * reset, so this is a program of its own. */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

static uint8_t region[4 * 4096] __attribute__((aligned(4096)));
#define PAGE(n) ((uint64_t)&region[(n) * 4096])

static uint64_t napot(uint64_t base, uint64_t size)
{
	return (base >> 2) | ((size >> 3) - 1);
}

#define CFG(i, v) ((uint64_t)(v) << (8 * (i)))

/* The layout, entries 0-7 (entry 15 grants S and U everything else):
 *  0 unlocked NAPOT page 2, no permissions
 *  1 locked   NAPOT page 2, no permissions (entry 0 has priority)
 *  2 locked   NAPOT page 0, R
 *  3 locked   NAPOT page 1, R W (holds code: not executable)
 *  4 unlocked OFF, the bottom of entry 5
 *  5 locked   TOR [page 3, page 3 + 4096), R
 *  6 locked   OFF
 *  7 unlocked NAPOT page 3, R W X (below entry 5 in priority) */
static const uint64_t layout_cfg =
	CFG(0, PMP_NAPOT) | CFG(1, PMP_L | PMP_NAPOT) | CFG(2, PMP_L | PMP_NAPOT | PMP_R) |
	CFG(3, PMP_L | PMP_NAPOT | PMP_R | PMP_W) | CFG(4, 0) | CFG(5, PMP_L | PMP_TOR | PMP_R) |
	CFG(6, PMP_L) | CFG(7, PMP_NAPOT | PMP_R | PMP_W | PMP_X);

static void set_layout(void)
{
	csr_write(pmpaddr0, napot(PAGE(2), 4096));
	csr_write(pmpaddr1, napot(PAGE(2), 4096));
	csr_write(pmpaddr2, napot(PAGE(0), 4096));
	csr_write(pmpaddr3, napot(PAGE(1), 4096));
	csr_write(pmpaddr4, PAGE(3) >> 2);
	csr_write(pmpaddr5, (PAGE(3) + 4096) >> 2);
	csr_write(pmpaddr6, 0x1000);
	csr_write(pmpaddr7, napot(PAGE(3), 4096));
	csr_write(pmpcfg0, layout_cfg);
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* Locked entries and their addresses ignore writes; unlocked bytes of the
 * same pmpcfg register still change. */
static void check_writes_ignored(void)
{
	CHECK_EQ(csr_read(pmpcfg0), layout_cfg, 1);
	csr_write(pmpcfg0, 0);
	uint64_t locked = 0xffull << 8 | 0xffull << 16 | 0xffull << 24 | 0xffull << 40 |
			  0xffull << 48;
	CHECK_EQ(csr_read(pmpcfg0), layout_cfg & locked, 2);
	csr_write(pmpcfg0, layout_cfg);
	CHECK_EQ(csr_read(pmpcfg0), layout_cfg, 3);

	/* The unlocked entry 0 changes; the locked ones keep their address. */
	csr_write(pmpaddr0, 0x123);
	CHECK_EQ(csr_read(pmpaddr0), 0x123, 4);
	csr_write(pmpaddr0, napot(PAGE(2), 4096));
	csr_write(pmpaddr1, 0);
	CHECK_EQ(csr_read(pmpaddr1), napot(PAGE(2), 4096), 5);
	csr_write(pmpaddr2, 0);
	CHECK_EQ(csr_read(pmpaddr2), napot(PAGE(0), 4096), 6);
	/* Entry 4 is not locked, but entry 5 above it is a locked TOR. */
	csr_write(pmpaddr4, 0);
	CHECK_EQ(csr_read(pmpaddr4), PAGE(3) >> 2, 7);
	csr_write(pmpaddr5, 0);
	CHECK_EQ(csr_read(pmpaddr5), (PAGE(3) + 4096) >> 2, 8);
	/* L with A = OFF still locks. */
	csr_write(pmpaddr6, 0x2000);
	CHECK_EQ(csr_read(pmpaddr6), 0x1000, 9);
	/* CSRRS/CSRRC cannot clear or set L either. */
	csr_clear(pmpcfg0, CFG(2, PMP_L));
	csr_set(pmpcfg0, CFG(2, PMP_W | PMP_X));
	CHECK_EQ(csr_read(pmpcfg0), layout_cfg, 10);
	csr_write(pmpaddr7, 0x456);
	CHECK_EQ(csr_read(pmpaddr7), 0x456, 11);
	csr_write(pmpaddr7, napot(PAGE(3), 4096));
}

static void jump_to(uint64_t target)
{
	__asm__ volatile("jalr ra, 0(%0)" :: "r"(target) : "ra", "memory");
}

/* M-mode accesses now obey the locked entries' R, W and X. */
static void check_m_restricted(void)
{
	volatile uint64_t *p0 = (volatile uint64_t *)PAGE(0);
	volatile uint64_t *p3 = (volatile uint64_t *)(PAGE(3) + 8);
	trap_record_clear(&mtrap);
	uint64_t v = *p0;
	CHECK_EQ(mtrap.count, 0, 20);
	CHECK_EQ(v, 0x1111, 20);
	*p0 = 5;
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, mtrap.epc, PAGE(0), 21);
	CHECK_EQ(*p0, 0x1111, 21);
	trap_record_clear(&mtrap);
	uint64_t old = 0;
	__asm__ volatile("amoadd.d %0, %1, (%2)" : "+r"(old) : "r"(1ull), "r"(p0) : "memory");
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, mtrap.epc, PAGE(0), 22);

	/* Page 1 is RW but not X for everyone, M included. */
	trap_record_clear(&mtrap);
	*(volatile uint64_t *)(PAGE(1) + 16) = 9;
	CHECK_EQ(mtrap.count, 0, 23);
	jump_to(PAGE(1));
	CHECK_TRAP(mtrap, CAUSE_INSN_ACCESS, PAGE(1), PAGE(1), 24);

	/* TOR entry 5 (R) takes priority over entry 7 (RWX) for page 3. */
	trap_record_clear(&mtrap);
	CHECK_EQ(*p3, 0x3333, 25);
	*p3 = 1;
	CHECK_TRAP(mtrap, CAUSE_STORE_ACCESS, mtrap.epc, PAGE(3) + 8, 26);

	/* Page 2: the unlocked entry 0 matches first, so M is not restricted
	 * although locked entry 1 denies everything. */
	trap_record_clear(&mtrap);
	*(volatile uint64_t *)PAGE(2) = 0x2222;
	CHECK_EQ(*(volatile uint64_t *)PAGE(2), 0x2222, 27);
	CHECK_EQ(mtrap.count, 0, 27);
}

static uint64_t s_load(uint64_t addr)
{
	uint64_t v = 0;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(addr) : "memory");
	return v;
}

static uint64_t s_store(uint64_t addr)
{
	__asm__ volatile("sd zero, 0(%0)" :: "r"(addr) : "memory");
	return 0;
}

/* S-mode sees the same permissions. */
static void check_s_restricted(void)
{
	trap_record_clear(&mtrap);
	CHECK_EQ(priv_call(PRIV_S, s_load, PAGE(0)), 0x1111, 30);
	CHECK_EQ(mtrap.count, 0, 30);
	priv_call(PRIV_S, s_store, PAGE(0) + 8);
	CHECK_EQ(mtrap.count, 1, 31);
	CHECK_EQ(mtrap.cause, CAUSE_STORE_ACCESS, 31);
	CHECK_EQ(mtrap.tval, PAGE(0) + 8, 31);
	trap_record_clear(&mtrap);
	priv_call(PRIV_S, s_load, PAGE(2));
	CHECK_EQ(mtrap.count, 1, 32);
	CHECK_EQ(mtrap.cause, CAUSE_LOAD_ACCESS, 32);
}

int main(void)
{
	pmp_grant_all();
	*(volatile uint64_t *)PAGE(0) = 0x1111;
	*(volatile uint64_t *)(PAGE(3) + 8) = 0x3333;
	/* Page 1 gets code (ret), so a fetch fault there is the only failure. */
	*(volatile uint32_t *)PAGE(1) = 0x00008067;
	__asm__ volatile("fence.i" ::: "memory");
	set_layout();
	check_writes_ignored();
	check_m_restricted();
	check_s_restricted();
	return 0;
}
