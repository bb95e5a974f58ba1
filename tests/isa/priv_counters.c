/* Counters (spec 3.1.10-3.1.12, 4.1.5, unprivileged Zicntr/Zihpm): cycle,
 * time and instret read in every mode the counter-enable registers allow and
 * are illegal elsewhere; minstret counts retired instructions and can be
 * written; mcountinhibit stops mcycle and minstret. */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

#define COUNTEREN_CY (1u << 0)
#define COUNTEREN_TM (1u << 1)
#define COUNTEREN_IR (1u << 2)
#define COUNTEREN_HPM3 (1u << 3)

#define NOPS_100 ".rept 100\n\tnop\n\t.endr"

/* Each reads one counter; the ones that are not allowed trap and return 0
 * (the handler steps over the read, leaving the register as it was). */
#define READER(name, csr) static uint64_t name(uint64_t u) { \
	uint64_t v = 0; __asm__ volatile("csrr %0, " #csr : "+r"(v) :: "memory"); return v; }
READER(read_cycle, cycle)
READER(read_time, time)
READER(read_instret, instret)
READER(read_hpm3, hpmcounter3)
READER(read_hpm31, hpmcounter31)

struct counter {
	uint64_t (*read)(uint64_t);
	uint32_t bit;
};
static const struct counter counters[] = {
	{ read_cycle, COUNTEREN_CY }, { read_time, COUNTEREN_TM },
	{ read_instret, COUNTEREN_IR }, { read_hpm3, COUNTEREN_HPM3 },
	{ read_hpm31, 1u << 31 },
};
#define N_COUNTERS (sizeof(counters) / sizeof(counters[0]))

/* A counter read from priv succeeds iff the enable bits of every level above
 * priv allow it (3.1.11, 4.1.5). */
static void check_gating(unsigned priv, uint32_t men, uint32_t sen, int n)
{
	csr_write(mcounteren, men);
	csr_write(scounteren, sen);
	uint32_t m_got = (uint32_t)csr_read(mcounteren);
	uint32_t s_got = (uint32_t)csr_read(scounteren);
	for (unsigned i = 0; i < N_COUNTERS; i++) {
		uint32_t bit = counters[i].bit;
		/* Enable bits are WARL and may be read-only zero: go by what stuck. */
		int allowed = (m_got & bit) && (priv == PRIV_S || (s_got & bit));
		trap_record_clear(&mtrap);
		priv_call(priv, counters[i].read, 0);
		if (allowed) {
			CHECK_EQ(mtrap.count, 0, n + (int)i);
		} else {
			CHECK_EQ(mtrap.count, 1, n + (int)i);
			CHECK_EQ(mtrap.cause, CAUSE_ILLEGAL, n + (int)i);
		}
	}
}

static void check_counteren(void)
{
	/* The enable bits the hart must have: CY, TM and IR are writable since
	 * those counters exist. */
	csr_write(mcounteren, ~0ull);
	CHECK_EQ(csr_read(mcounteren) & 7, 7, 1);
	CHECK_EQ(csr_read(mcounteren) >> 32, 0, 2);
	csr_write(scounteren, ~0ull);
	CHECK_EQ(csr_read(scounteren) & 7, 7, 3);
	CHECK_EQ(csr_read(scounteren) >> 32, 0, 4);

	check_gating(PRIV_S, 0, ~0u, 10);
	check_gating(PRIV_U, 0, ~0u, 20);
	check_gating(PRIV_S, ~0u, 0, 30);
	check_gating(PRIV_U, ~0u, 0, 40);
	check_gating(PRIV_U, ~0u, ~0u, 50);
	check_gating(PRIV_S, COUNTEREN_TM, 0, 60);
	check_gating(PRIV_U, COUNTEREN_CY | COUNTEREN_IR, COUNTEREN_IR | COUNTEREN_TM, 70);
	csr_write(mcounteren, 0);
	csr_write(scounteren, 0);
}

/* The counters themselves read in M-mode, and the unprivileged names are
 * shadows of the machine ones. */
static void check_reads_in_m(void)
{
	uint64_t c0 = csr_read(mcycle), c1 = csr_read(cycle), c2 = csr_read(mcycle);
	CHECK(c0 <= c1 && c1 <= c2, 80);
	uint64_t i0 = csr_read(minstret), i1 = csr_read(instret), i2 = csr_read(minstret);
	CHECK(i0 < i1 && i1 < i2, 81);
	uint64_t t0 = *CLINT_MTIME, t1 = csr_read(time), t2 = *CLINT_MTIME;
	CHECK(t0 <= t1 && t1 <= t2, 82);
	/* hpmcounter3 shadows mhpmcounter3, whatever it counts (maybe nothing). */
	csr_write(mhpmevent3, 0);
	uint64_t h = csr_read(mhpmcounter3);
	CHECK_EQ(csr_read(hpmcounter3), h, 83);
}

/* minstret counts retired instructions: 100 NOPs add 100, give or take the
 * CSR reads around them; a write sets it (3.1.10). */
static void check_minstret(void)
{
	uint64_t a, b;
	__asm__ volatile("csrr %0, minstret\n\t" NOPS_100 "\n\tcsrr %1, minstret"
			 : "=&r"(a), "=r"(b));
	CHECK(b - a >= 100 && b - a <= 102, 90);

	uint64_t after_write;
	__asm__ volatile("csrw minstret, %1\n\tcsrr %0, minstret"
			 : "=r"(after_write) : "r"(1000000ull));
	CHECK(after_write >= 1000000 && after_write <= 1000001, 91);

	__asm__ volatile("csrw mcycle, %1\n\tcsrr %0, mcycle"
			 : "=r"(after_write) : "r"(1ull << 40));
	CHECK(after_write >= 1ull << 40 && after_write < (1ull << 40) + 1000, 92);
}

/* mcountinhibit: CY and IR stop mcycle and minstret; TM (bit 1) is always
 * zero, time cannot be inhibited (3.1.12). */
static void check_countinhibit(void)
{
	csr_write(mcountinhibit, 0x5);
	CHECK_EQ(csr_read(mcountinhibit) & 0x7, 0x5, 100);
	uint64_t i0 = csr_read(minstret), c0 = csr_read(mcycle);
	__asm__ volatile(NOPS_100);
	uint64_t i1 = csr_read(minstret), c1 = csr_read(mcycle);
	CHECK_EQ(i1, i0, 101);
	CHECK_EQ(c1, c0, 102);
	/* Still writable while inhibited. */
	csr_write(minstret, 42);
	CHECK_EQ(csr_read(minstret), 42, 103);

	csr_write(mcountinhibit, 0x2);
	CHECK_EQ(csr_read(mcountinhibit) & 0x2, 0, 104);
	i0 = csr_read(minstret);
	__asm__ volatile(NOPS_100);
	CHECK(csr_read(minstret) - i0 >= 100, 105);
	csr_write(mcountinhibit, 0);
}

int main(void)
{
	pmp_grant_all();
	check_reads_in_m();
	check_minstret();
	check_countinhibit();
	check_counteren();
	return 0;
}
