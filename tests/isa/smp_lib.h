/* Shared by the multi-hart smp_* tests (each program includes it once): how
 * many harts there are (from the device tree), a sense-reversing barrier,
 * bounded waits, CLINT software interrupts, and failure reporting.
 *
 * Every hart enters main(hartid, fdt). A program calls smp_start() first and
 * ends with `return smp_finish();`: hart 0 returns (and so reports through
 * tohost) only when every hart has finished, with the code of the first
 * failure on any hart, or 0. Only hart 0 prints or writes tohost. No test
 * relies on timing: every wait gives up with a code after SMP_SPIN_LIMIT
 * tries, far more than any correct run needs (a hung wait ends after about
 * 10 s on the translator, a minute on the interpreter; the runner's
 * --timeout may end it first). */
#ifndef SMP_LIB_H
#define SMP_LIB_H

#include <stdbool.h>

#include "test.h"

#define SMP_SPIN_LIMIT (1ull << 30)

/* The CLINT of the doppel board: one MSIP word per hart, whose bit 0 is the
 * hart's machine software interrupt (the SiFive CLINT / ACLINT MSWI layout). */
#define SMP_CLINT_MSIP ((volatile uint32_t *)0x2000000)
#define SMP_IRQ_MSI    3
#define SMP_CAUSE_MSI  ((1ull << 63) | SMP_IRQ_MSI)

/* The harness's own failure codes, above those of the programs (< 200). */
enum {
	SMP_FAIL_FDT = 200,        /* no device tree, or no cpu in it */
	SMP_FAIL_TOO_MANY = 201,   /* more harts than the runtime has stacks for */
	SMP_FAIL_ARRIVE = 202,     /* not every hart reached main */
	SMP_FAIL_BARRIER = 203,    /* a barrier waited for ever */
};

/* Cache-line sized slots keep one hart's data off another's line. */
#define SMP_LINE 64
#define SMP_ALIGNED __attribute__((aligned(SMP_LINE)))

static struct {
	volatile uint32_t count SMP_ALIGNED;   /* harts arrived at the barrier */
	volatile uint32_t sense SMP_ALIGNED;   /* flips when the last arrives */
	volatile uint32_t arrived SMP_ALIGNED; /* harts that reached main */
	volatile uint32_t failed SMP_ALIGNED;  /* first failure, 0 if none */
	volatile uint32_t nharts SMP_ALIGNED;
	struct { uint32_t sense; } SMP_ALIGNED local[ISA_MAX_HARTS];
} smp;

static inline unsigned smp_hartid(void)
{
	return (unsigned)csr_read(mhartid);
}

static inline unsigned smp_nharts(void)
{
	return smp.nharts;
}

/* Waits for ever without spinning (a hart that is done or has failed). */
static void __attribute__((noreturn)) smp_park(void)
{
	csr_clear(mstatus, MSTATUS_MIE);
	for (;;)
		__asm__ volatile("wfi");
}

/* Records the first failure; hart 0 reports it at once, any other hart
 * wakes hart 0 (which may be waiting in WFI) and parks. */
static void __attribute__((noreturn)) smp_fail(uint32_t code)
{
	__atomic_compare_exchange_n(&smp.failed, &(uint32_t){ 0 }, code, false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	if (smp_hartid() == 0)
		test_exit((int)smp.failed);
	__asm__ volatile("fence w, o" ::: "memory");
	SMP_CLINT_MSIP[0] = 1;
	smp_park();
}

#define SMP_CHECK(cond, code) do { if (!(cond)) smp_fail(code); } while (0)

/* One more try of a wait: fails with code after SMP_SPIN_LIMIT tries, and
 * gives up (reporting or parking) once another hart has failed. */
static inline void smp_spin(uint64_t *tries, uint32_t code)
{
	if (++*tries > SMP_SPIN_LIMIT)
		smp_fail(code);
	uint32_t f = __atomic_load_n(&smp.failed, __ATOMIC_RELAXED);
	if (f)
		smp_fail(f);
}

/* Sense-reversing barrier over all harts: the last to arrive resets the
 * count and flips the sense; the acquire-release AMOADD on the count and the
 * release store / acquire loads of the sense order each hart's accesses
 * before the barrier before every hart's accesses after it. */
static void smp_barrier(void)
{
	unsigned me = smp_hartid();
	uint32_t sense = !smp.local[me].sense;
	smp.local[me].sense = sense;
	if (__atomic_add_fetch(&smp.count, 1, __ATOMIC_ACQ_REL) == smp.nharts) {
		smp.count = 0;
		__atomic_store_n(&smp.sense, sense, __ATOMIC_RELEASE);
		return;
	}
	uint64_t tries = 0;
	while (__atomic_load_n(&smp.sense, __ATOMIC_ACQUIRE) != sense)
		smp_spin(&tries, SMP_FAIL_BARRIER);
}

static inline uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Counts the /cpus/cpu@N nodes of the flattened device tree (devicetree
 * spec 5.4: a header, then tokens in the structure block). */
static unsigned smp_count_cpus(const uint8_t *fdt)
{
	enum { FDT_MAGIC = 0xd00dfeed, BEGIN_NODE = 1, END_NODE = 2, PROP = 3, NOP = 4 };
	if (!fdt || be32(fdt) != FDT_MAGIC)
		return 0;
	const uint8_t *p = fdt + be32(fdt + 8);
	const uint8_t *end = p + be32(fdt + 36);
	unsigned depth = 0, cpus_depth = 0, n = 0;
	while (p < end) {
		uint32_t token = be32(p);
		p += 4;
		if (token == BEGIN_NODE) {
			const char *name = (const char *)p;
			unsigned len = 0;
			while (name[len])
				len++;
			depth++;
			if (depth == 2 && len == 4 && name[0] == 'c' && name[1] == 'p' &&
			    name[2] == 'u' && name[3] == 's')
				cpus_depth = depth;
			else if (cpus_depth && depth == cpus_depth + 1 && len > 4 &&
				 name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@')
				n++;
			p += (len + 1 + 3) & ~3u;
		} else if (token == END_NODE) {
			if (depth == cpus_depth)
				cpus_depth = 0;
			depth--;
		} else if (token == PROP) {
			p += 8 + ((be32(p) + 3) & ~3u);
		} else if (token != NOP) {
			break;
		}
	}
	return n;
}

/* Learns the number of harts from the device tree and waits until every
 * hart has arrived. */
static void smp_start(uint64_t hartid, const void *fdt)
{
	unsigned n = smp_count_cpus(fdt);
	if (hartid == 0) {
		SMP_CHECK(n > 0, SMP_FAIL_FDT);
		SMP_CHECK(n <= ISA_MAX_HARTS, SMP_FAIL_TOO_MANY);
	}
	__atomic_add_fetch(&smp.arrived, 1, __ATOMIC_ACQ_REL);
	uint64_t tries = 0;
	while (__atomic_load_n(&smp.arrived, __ATOMIC_ACQUIRE) != n)
		smp_spin(&tries, SMP_FAIL_ARRIVE);
	smp.nharts = n;
	smp_barrier();
}

/* The end of main: hart 0 returns the result once all harts are here;
 * the others park. */
static int smp_finish(void)
{
	smp_barrier();
	if (smp_hartid() != 0)
		smp_park();
	return (int)smp.failed;
}

/* One step of waiting for an interrupt, called with mstatus.MIE clear: WFI
 * wakes on a pending enabled interrupt even then (privileged spec 3.3.3),
 * and MIE set for one instruction takes it. A caller tests its condition
 * between steps; an interrupt between the test and the WFI is not missed,
 * as it would be with MIE set throughout. */
static inline void smp_wfi_step(void)
{
	__asm__ volatile("wfi");
	csr_set(mstatus, MSTATUS_MIE);
	csr_clear(mstatus, MSTATUS_MIE);
}

/* Raises (1) or clears (0) the machine software interrupt of a hart. */
static inline void smp_msip(unsigned hart, uint32_t v)
{
	SMP_CLINT_MSIP[hart] = v;
}

#endif
