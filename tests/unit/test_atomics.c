/* The A extension and FENCE under RVWMO with harts on several host threads
 * (unprivileged spec chapters 8 and 17; cpu/exec.c, cpu/mmu.c): harts on
 * one shared RAM, each on its own pthread, increment one word with AMOADD
 * and with LR/SC loops, under the interpreter and the translator, and the
 * total must be exact; two harts walking the same page table for loads and
 * for stores must leave every A and D bit set. Single-threaded: the LR/SC
 * reservation (address, size, the value loaded), and which fences become a
 * host fence, in the interpreter's decision and in translated code.
 *
 * Each hart's TLBs, blocks and translations are its own; the bus's code
 * map is shared through host atomics (its concurrency is tested in
 * test_codemap_threads and test_cross_code). Every hart runs its program
 * once alone first (decoding and translating it), so that the threads
 * then race on the counter only. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/spin_barrier.h"

#include "cpu/exec.h"
#include "cpu/hart.h"
#include "cpu/mmu.h"
#include "cpu/pmp.h"
#include "cpu/trap.h"

#define RAM_BASE     0x80000000ull
#define RAM_SIZE     (1u << 20)
#define TRAP_VECTOR  RAM_BASE                /* holds wfi */
#define CODE_PAGE    1u                      /* hart i's program at CODE_PAGE + i */
#define COUNTER_PAGE 0x20u
#define HARTS        4                       /* more than the cores: some preempted mid-loop */
#define TOTAL        1000000u                /* increments over all harts */
#define SLICE        100000u

#define ENC_WFI 0x10500073u

enum width { WORD = 2, DOUBLE = 3 };         /* the funct3 of .w and .d */
enum { AMO_ADD = 0x00, AMO_LR = 0x02, AMO_SC = 0x03 };

struct machine_under_test {
	struct timebase time;
	struct bus bus;
	uint8_t *ram;
	struct hart *harts[HARTS];
};

static uint32_t enc_amo(unsigned funct5, bool aqrl, enum width w, unsigned rd, unsigned rs2,
			unsigned rs1)
{
	return funct5 << 27 | (aqrl ? 3u : 0u) << 25 | rs2 << 20 | rs1 << 15 | (unsigned)w << 12 |
	       rd << 7 | 0x2f;
}

static uint32_t enc_addi(unsigned rd, unsigned rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
}

/* bne rs1, x0, off (backwards branches only: off < 0, even) */
static uint32_t enc_bnez(unsigned rs1, int32_t off)
{
	uint32_t u = (uint32_t)off;
	return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs1 << 15 | 1u << 12 |
	       (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63;
}

static uint32_t enc_fence(unsigned fm, unsigned pred, unsigned succ)
{
	return fm << 28 | pred << 24 | succ << 20 | 0x0f;
}

static uint64_t page_addr(unsigned page)
{
	return RAM_BASE + (uint64_t)page * 4096;
}

static void ram_put(struct machine_under_test *m, uint64_t addr, const void *src, size_t len)
{
	memcpy(m->ram + (addr - RAM_BASE), src, len);
	code_map_written(&m->bus.code, m->ram + (addr - RAM_BASE), len);
}

static struct machine_under_test *machine_new(uint32_t jit_threshold)
{
	struct machine_under_test *m = calloc(1, sizeof(*m));
	const uint32_t wfi = ENC_WFI;

	assert_non_null(m);
	timebase_init(&m->time);
	m->ram = calloc(1, RAM_SIZE);
	assert_non_null(m->ram);
	assert_int_equal(bus_add_ram(&m->bus, RAM_BASE, RAM_SIZE, m->ram), 0);
	assert_int_equal(code_map_init(&m->bus.code, m->ram, RAM_SIZE), 0);
	for (unsigned i = 0; i < HARTS; i++) {
		m->harts[i] = malloc(sizeof(*m->harts[i]));
		assert_non_null(m->harts[i]);
		assert_int_equal(hart_init(m->harts[i], i, &m->bus, &m->time), 0);
		m->harts[i]->jit_threshold = jit_threshold;
		m->harts[i]->s.mtvec = TRAP_VECTOR;
	}
	ram_put(m, TRAP_VECTOR, &wfi, sizeof(wfi));
	return m;
}

static void machine_free(struct machine_under_test *m)
{
	for (unsigned i = 0; i < HARTS; i++) {
		hart_destroy(m->harts[i]);
		free(m->harts[i]);
	}
	code_map_destroy(&m->bus.code);
	free(m->ram);
	free(m);
}

/* Points hart i at the start of its program with x10 = the counter's
 * address, x11 = 1 and x12 = iterations, keeping its blocks and
 * translations. */
static void hart_start(struct machine_under_test *m, unsigned i, uint64_t iterations)
{
	struct hart *h = m->harts[i];

	h->s.pc = page_addr(CODE_PAGE + i);
	h->s.wfi = 0;
	h->s.x[10] = page_addr(COUNTER_PAGE);
	h->s.x[11] = 1;
	h->s.x[12] = iterations;
}

static void run_to_wfi(struct hart *h)
{
	while (!h->s.wfi)
		hart_run(h, SLICE);
}

struct runner {
	struct hart *h;
	struct spin_barrier *start;   /* all harts start together */
};

static void *hart_thread(void *arg)
{
	struct runner *r = arg;
	spin_wait(r->start, HARTS);
	run_to_wfi(r->h);
	return NULL;
}

static uint64_t counter(const struct machine_under_test *m)
{
	uint64_t v;
	memcpy(&v, m->ram + (page_addr(COUNTER_PAGE) - RAM_BASE), sizeof(v));
	return v;
}

/* Loads each hart's program, runs it alone for two iterations (decoding,
 * and translating, its blocks: see the top of this file), then all harts at
 * once on their own threads for TOTAL / HARTS iterations each; returns the
 * counter. */
static uint64_t count_on_threads(uint32_t jit_threshold, const uint32_t *code, size_t len)
{
	struct machine_under_test *m = machine_new(jit_threshold);
	pthread_t threads[HARTS];
	struct runner runners[HARTS];
	struct spin_barrier start = { 0, 0 };
	const uint64_t zero = 0;

	for (unsigned i = 0; i < HARTS; i++) {
		ram_put(m, page_addr(CODE_PAGE + i), code, len);
		hart_start(m, i, 2);
		run_to_wfi(m->harts[i]);
		assert_int_equal(m->harts[i]->s.mcause, 0);   /* no trap */
	}
	assert_int_equal(counter(m), 2 * HARTS);
	memcpy(m->ram + (page_addr(COUNTER_PAGE) - RAM_BASE), &zero, sizeof(zero));

	for (unsigned i = 0; i < HARTS; i++) {
		hart_start(m, i, TOTAL / HARTS);
		runners[i] = (struct runner){ m->harts[i], &start };
	}
	for (unsigned i = 0; i < HARTS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, hart_thread, &runners[i]), 0);
	for (unsigned i = 0; i < HARTS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	for (unsigned i = 0; i < HARTS; i++)
		assert_int_equal(m->harts[i]->s.x[12], 0);
	uint64_t total = counter(m);
	machine_free(m);
	return total;
}

static void amoadd_counts_exactly(uint32_t jit_threshold, enum width w)
{
	const uint32_t code[] = {
		enc_amo(AMO_ADD, false, w, 13, 11, 10),   /* amoadd x13, x11, (x10) */
		enc_addi(12, 12, -1),
		enc_bnez(12, -8),
		ENC_WFI,
	};
	assert_int_equal(count_on_threads(jit_threshold, code, sizeof(code)), TOTAL);
}

static void lr_sc_counts_exactly(uint32_t jit_threshold, enum width w)
{
	const uint32_t code[] = {
		enc_amo(AMO_LR, false, w, 5, 0, 10),      /* lr x5, (x10) */
		enc_addi(5, 5, 1),
		enc_amo(AMO_SC, true, w, 6, 5, 10),       /* sc.aqrl x6, x5, (x10) */
		enc_bnez(6, -12),
		enc_addi(12, 12, -1),
		enc_bnez(12, -20),
		ENC_WFI,
	};
	assert_int_equal(count_on_threads(jit_threshold, code, sizeof(code)), TOTAL);
}

static void test_amoadd_w_interpreted(void **unused) { amoadd_counts_exactly(0, WORD); }
static void test_amoadd_d_interpreted(void **unused) { amoadd_counts_exactly(0, DOUBLE); }
static void test_amoadd_w_translated(void **unused) { amoadd_counts_exactly(1, WORD); }
static void test_amoadd_d_translated(void **unused) { amoadd_counts_exactly(1, DOUBLE); }
static void test_lr_sc_w_interpreted(void **unused) { lr_sc_counts_exactly(0, WORD); }
static void test_lr_sc_d_interpreted(void **unused) { lr_sc_counts_exactly(0, DOUBLE); }
static void test_lr_sc_w_translated(void **unused) { lr_sc_counts_exactly(1, WORD); }
static void test_lr_sc_d_translated(void **unused) { lr_sc_counts_exactly(1, DOUBLE); }

/* Runs one instruction on hart h through the interpreter's entry point;
 * returns false if it trapped. */
static bool exec(struct hart *h, uint32_t raw)
{
	struct insn in;
	insn_decode(raw, &in);
	return hart_exec_insn(h, &in);
}

static uint64_t *word_at(struct machine_under_test *m, unsigned page)
{
	return (uint64_t *)(void *)(m->ram + (page_addr(page) - RAM_BASE));
}

/* The reservation holds the address, the size and the value LR loaded: an
 * SC succeeds once after its LR, and fails after any SC, at another
 * address, with another size, after a trap, or when another hart stored a
 * different value in between. */
static void test_reservation(void **unused)
{
	struct machine_under_test *m = machine_new(0);
	struct hart *h = m->harts[0], *other = m->harts[1];
	uint64_t *mem = word_at(m, COUNTER_PAGE);
	const uint32_t lr_d = enc_amo(AMO_LR, false, DOUBLE, 5, 0, 10);
	const uint32_t lr_w = enc_amo(AMO_LR, false, WORD, 5, 0, 10);
	const uint32_t sc_d = enc_amo(AMO_SC, false, DOUBLE, 6, 7, 10);
	const uint32_t sc_d_next = enc_amo(AMO_SC, false, DOUBLE, 6, 7, 11);
	const uint32_t amoadd_d = enc_amo(AMO_ADD, false, DOUBLE, 0, 7, 10);

	*mem = 41;
	h->s.x[10] = page_addr(COUNTER_PAGE);
	h->s.x[11] = page_addr(COUNTER_PAGE) + 8;
	h->s.x[7] = 1000;
	other->s.x[10] = h->s.x[10];
	other->s.x[7] = 7;

	assert_true(exec(h, lr_d));
	assert_int_equal(h->s.x[5], 41);
	assert_true(exec(h, sc_d));
	assert_int_equal(h->s.x[6], 0);
	assert_int_equal(*mem, 1000);
	assert_true(exec(h, sc_d));                    /* after an SC */
	assert_int_equal(h->s.x[6], 1);

	assert_true(exec(h, lr_d));
	assert_true(exec(h, sc_d_next));               /* another address */
	assert_int_equal(h->s.x[6], 1);

	assert_true(exec(h, lr_w));
	assert_true(exec(h, sc_d));                    /* another size */
	assert_int_equal(h->s.x[6], 1);
	assert_int_equal(*mem, 1000);

	assert_true(exec(h, lr_d));
	assert_true(exec(other, amoadd_d));            /* 1000 -> 1007 */
	assert_true(exec(h, sc_d));
	assert_int_equal(h->s.x[6], 1);
	assert_int_equal(*mem, 1007);

	assert_true(exec(h, lr_d));
	h->s.x[10] += 1;                               /* a misaligned AMO traps */
	assert_false(exec(h, amoadd_d));
	assert_int_equal(h->s.mcause, EXC_STORE_ACCESS);
	h->s.x[10] -= 1;
	assert_true(exec(h, sc_d));                    /* after the trap */
	assert_int_equal(h->s.x[6], 1);
	assert_int_equal(*mem, 1007);
	machine_free(m);
}

/* A reservation is architectural state: a snapshot carries all of it, and
 * a restore takes only a word or doubleword one. */
static void test_reservation_is_saved(void **unused)
{
	bool found[3] = { false, false, false };
	const char *names[3] = { "reservation", "reservation_size", "reservation_value" };
	struct hart_state s = { .priv = PRIV_M, .reservation = RESERVATION_NONE };

	for (unsigned i = 0; i < hart_state_desc.nfields; i++)
		for (unsigned k = 0; k < 3; k++)
			if (strcmp(hart_state_desc.fields[i].name, names[k]) == 0)
				found[k] = true;
	for (unsigned k = 0; k < 3; k++)
		assert_true(found[k]);

	assert_true(hart_state_desc.valid(&s));
	s.reservation = page_addr(COUNTER_PAGE);
	s.reservation_size = 8;
	assert_true(hart_state_desc.valid(&s));
	s.reservation_size = 3;
	assert_false(hart_state_desc.valid(&s));
}

/* Store-then-load is the one order x86-64 does not keep (TSO), so exactly
 * the fences whose predecessors include a store (W or O) and successors a
 * load (R or I) need a host fence; FENCE.TSO never does. */
static void test_fence_mapping(void **unused)
{
	static const struct {
		uint32_t raw;
		bool host_fence;
	} fences[] = {
		{ 0x0330000f, true },    /* fence rw,rw */
		{ 0x0120000f, true },    /* fence w,r */
		{ 0x0ff0000f, true },    /* fence iorw,iorw */
		{ 0x0480000f, true },    /* fence o,i */
		{ 0x0230000f, false },   /* fence r,rw: acquire */
		{ 0x0310000f, false },   /* fence rw,w: release */
		{ 0x0110000f, false },   /* fence w,w */
		{ 0x0220000f, false },   /* fence r,r */
		{ 0x0550000f, false },   /* fence ow,ow: Linux's wmb */
		{ 0x0100000f, false },   /* pause */
		{ 0x8330000f, false },   /* fence.tso */
	};
	for (size_t i = 0; i < sizeof(fences) / sizeof(fences[0]); i++) {
		struct insn in;
		insn_decode(fences[i].raw, &in);
		assert_int_equal(in.op, OP_FENCE);
		if (insn_fence_orders_store_load(&in) != fences[i].host_fence)
			fail_msg("fence %#x: host fence %d", fences[i].raw, !fences[i].host_fence);
	}
	assert_int_equal(enc_fence(0, 3, 3), 0x0330000fu);
}

/* Translated code has the host fence (lock or [rsp], 0) for fence rw,rw,
 * and none for fence r,rw. */
static void test_translated_fence(void **unused)
{
	static const uint8_t host_fence[] = { 0xf0, 0x83, 0x0c, 0x24, 0x00 };
	const uint32_t raws[2][2] = {
		{ enc_addi(5, 5, 1), enc_fence(0, 2, 3) },
		{ enc_addi(5, 5, 1), enc_fence(0, 3, 3) },
	};
	bool found[2];

	for (unsigned k = 0; k < 2; k++) {
		struct jit j = { 0 };
		struct insn in[3];
		uint8_t host[12] = { 0 };
		insn_decode(raws[k][0], &in[0]);
		insn_decode(raws[k][1], &in[1]);
		insn_decode(ENC_WFI, &in[2]);
		void *code = jit_translate(&j, host, in, 3);
		if (!code || j.unavailable) {
			jit_destroy(&j);
			skip();
		}
		found[k] = memmem(j.buf, j.used, host_fence, sizeof(host_fence)) != NULL;
		jit_destroy(&j);
	}
	assert_false(found[0]);
	assert_true(found[1]);
}

/* Sv39 for the A/D test: a root and a middle table, and a leaf table of
 * PTES valid, readable and writable pages, A and D clear. */
#define ROOT_TABLE 0x40u
#define LEAF_TABLE 0x42u
#define VA_BASE    0x40000000ull
#define SATP_SV39  (8ull << 60)
#define PTES       512u
#define ROUNDS     100000u
#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_A 0x40u
#define PTE_D 0x80u

struct walker {
	struct machine_under_test *m;
	struct hart *h;
	enum access acc;
	struct spin_barrier *barrier;
	unsigned faults, lost;   /* counted here: cmocka asserts on its own thread only */
};

static uint64_t pte_for(unsigned table)
{
	return (page_addr(table) >> 12) << 10 | PTE_V;
}

static uint64_t leaf_pte(void)
{
	return (page_addr(COUNTER_PAGE) >> 12) << 10 | PTE_V | PTE_R | PTE_W;
}

/* Each round both walkers translate the same page at once, one for a load
 * (setting A), one for a store (setting A and D); then the loader checks
 * that the leaf has both. */
static void *walk_thread(void *arg)
{
	struct walker *w = arg;
	uint64_t *leaf = word_at(w->m, LEAF_TABLE);

	for (unsigned r = 0; r < ROUNDS; r++) {
		uint64_t pa;
		unsigned i = r % PTES;

		spin_wait(w->barrier, 2);
		if (mmu_translate(w->h, VA_BASE + i * 4096ull, w->acc, &pa) != 0)
			w->faults++;
		spin_wait(w->barrier, 2);
		if (w->acc == ACC_READ) {
			if ((leaf[i] & (PTE_A | PTE_D)) != (PTE_A | PTE_D))
				w->lost++;
			leaf[i] = leaf_pte();
		}
		spin_wait(w->barrier, 2);
	}
	return NULL;
}

static void test_ad_bits_never_lost(void **unused)
{
	struct machine_under_test *m = machine_new(0);
	struct spin_barrier barrier = { 0, 0 };
	struct walker w[2];
	pthread_t threads[2];
	uint64_t *root = word_at(m, ROOT_TABLE), *middle = word_at(m, ROOT_TABLE + 1);
	uint64_t *leaf = word_at(m, LEAF_TABLE);

	root[(VA_BASE >> 30) & 511] = pte_for(ROOT_TABLE + 1);
	middle[(VA_BASE >> 21) & 511] = pte_for(LEAF_TABLE);
	for (unsigned i = 0; i < PTES; i++)
		leaf[i] = leaf_pte();
	for (unsigned i = 0; i < 2; i++) {
		struct hart *h = m->harts[i];
		pmp_write_addr(&h->s, 0, ~0ull);
		pmp_write_cfg(&h->s, 0, (PMP_NAPOT << PMP_A_SHIFT) | PMP_R | PMP_W | PMP_X);
		h->s.satp = SATP_SV39 | (page_addr(ROOT_TABLE) >> 12);
		hart_set_priv(h, PRIV_S);
		w[i] = (struct walker){ m, h, i ? ACC_WRITE : ACC_READ, &barrier, 0, 0 };
	}
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, walk_thread, &w[i]), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
	assert_int_equal(w[0].faults, 0);
	assert_int_equal(w[1].faults, 0);
	assert_int_equal(w[0].lost, 0);
	machine_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amoadd_w_interpreted),
		cmocka_unit_test(test_amoadd_d_interpreted),
		cmocka_unit_test(test_amoadd_w_translated),
		cmocka_unit_test(test_amoadd_d_translated),
		cmocka_unit_test(test_lr_sc_w_interpreted),
		cmocka_unit_test(test_lr_sc_d_interpreted),
		cmocka_unit_test(test_lr_sc_w_translated),
		cmocka_unit_test(test_lr_sc_d_translated),
		cmocka_unit_test(test_reservation),
		cmocka_unit_test(test_reservation_is_saved),
		cmocka_unit_test(test_fence_mapping),
		cmocka_unit_test(test_translated_fence),
		cmocka_unit_test(test_ad_bits_never_lost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
