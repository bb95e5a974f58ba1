/* Code written by one hart and run by another (cpu/codemap.h, the
 * cross-hart contract): hart A, on its own thread, holds a write TLB entry
 * for a page when hart B decodes code from it; A then stores new code there
 * through that entry, in the same run, and executes FENCE.I. B, entering
 * the code after that, must run the new code, under the interpreter and
 * under the translator. A store through a write TLB entry is not observed,
 * so only A's FENCE.I can tell the code map the page was written. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/hart.h"
#include "cpu/trap.h"

#define RAM_BASE     0x80000000ull
#define RAM_SIZE     (1u << 20)
#define TRAP_VECTOR  RAM_BASE                /* holds wfi */
#define WRITER_PAGE  1u                      /* hart A's program */
#define CODE_PAGE    2u                      /* hart B's code, written by A */
#define FLAG_PAGE    3u                      /* A's progress, and the go-ahead */
#define FAR_OFFSET   0x7f8                   /* in CODE_PAGE, away from the code */
#define RUN_BUDGET   (1ull << 40)            /* A's whole program in one run */

enum flag { A_HOLDS_ENTRY = 0, B_DECODED = 4, A_FENCED = 8 };

#define ENC_WFI     0x10500073u
#define ENC_FENCE_I 0x0000100fu

struct machine_under_test {
	struct timebase time;
	struct bus bus;
	uint8_t *ram;
	struct hart *a, *b;
};

static uint32_t enc_addi(unsigned rd, unsigned rs1, int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | rd << 7 | 0x13;
}

static uint32_t enc_sw(int32_t imm, unsigned rs2, unsigned rs1)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | 2u << 12 | (u & 0x1f) << 7 | 0x23;
}

static uint32_t enc_lw(unsigned rd, int32_t imm, unsigned rs1)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | 2u << 12 | rd << 7 | 0x03;
}

/* beq rs1, x0, off (backwards branches only: off < 0, even) */
static uint32_t enc_beqz(unsigned rs1, int32_t off)
{
	uint32_t u = (uint32_t)off;
	return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs1 << 15 |
	       (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63;
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

static uint32_t *flag(struct machine_under_test *m, enum flag f)
{
	return (uint32_t *)(void *)(m->ram + (page_addr(FLAG_PAGE) - RAM_BASE) + f);
}

static void wait_flag(struct machine_under_test *m, enum flag f)
{
	while (!__atomic_load_n(flag(m, f), __ATOMIC_ACQUIRE))
		sched_yield();
}

static struct hart *hart_new(struct machine_under_test *m, uint64_t id, uint32_t jit_threshold)
{
	struct hart *h = malloc(sizeof(*h));

	assert_non_null(h);
	assert_int_equal(hart_init(h, id, &m->bus, &m->time), 0);
	h->jit_threshold = jit_threshold;
	h->s.mtvec = TRAP_VECTOR;
	return h;
}

static void *run_writer(void *arg)
{
	struct hart *a = arg;
	while (!a->s.wfi)
		hart_run(a, RUN_BUDGET);
	return NULL;
}

static void run_from(struct hart *h, uint64_t pc)
{
	h->s.pc = pc;
	h->s.wfi = 0;
	while (!h->s.wfi)
		hart_run(h, RUN_BUDGET);
}

static void new_code_seen_after_fence_i(uint32_t jit_threshold)
{
	struct machine_under_test m;
	const uint32_t wfi = ENC_WFI;
	/* The nop runs alone too, so B's block starts at the li. */
	const uint32_t old_code[] = { enc_addi(0, 0, 0), enc_addi(10, 0, 1), ENC_WFI };
	const uint32_t writer[] = {
		/* Run alone (the fetch misses the TLB): the block after it is
		 * decoded, flushing A's write entries, before the store. */
		enc_addi(0, 0, 0),
		enc_sw(FAR_OFFSET, 11, 5),       /* fills A's write entry for CODE_PAGE */
		enc_sw(A_HOLDS_ENTRY, 11, 9),
		enc_lw(8, B_DECODED, 9),
		enc_beqz(8, -4),
		enc_sw(0, 6, 5),                 /* li a0, 2 over li a0, 1 */
		ENC_FENCE_I,
		enc_sw(A_FENCED, 11, 9),
		ENC_WFI,
	};
	const uint64_t b_block = page_addr(CODE_PAGE) + 4;
	pthread_t thread;

	memset(&m, 0, sizeof(m));
	timebase_init(&m.time);
	m.ram = calloc(1, RAM_SIZE);
	assert_non_null(m.ram);
	assert_int_equal(bus_add_ram(&m.bus, RAM_BASE, RAM_SIZE, m.ram), 0);
	assert_int_equal(code_map_init(&m.bus.code, m.ram, RAM_SIZE), 0);
	m.a = hart_new(&m, 0, jit_threshold);
	m.b = hart_new(&m, 1, jit_threshold);
	ram_put(&m, TRAP_VECTOR, &wfi, sizeof(wfi));
	ram_put(&m, page_addr(WRITER_PAGE), writer, sizeof(writer));
	ram_put(&m, page_addr(CODE_PAGE), old_code, sizeof(old_code));

	m.a->s.pc = page_addr(WRITER_PAGE);
	m.a->s.x[5] = b_block;
	m.a->s.x[6] = enc_addi(10, 0, 2);
	m.a->s.x[9] = page_addr(FLAG_PAGE);
	m.a->s.x[11] = 1;
	assert_int_equal(pthread_create(&thread, NULL, run_writer, m.a), 0);
	wait_flag(&m, A_HOLDS_ENTRY);
	run_from(m.b, page_addr(CODE_PAGE));
	assert_int_equal(m.b->s.x[10], 1);
	__atomic_store_n(flag(&m, B_DECODED), 1, __ATOMIC_RELEASE);
	wait_flag(&m, A_FENCED);
	run_from(m.b, b_block);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(m.a->s.mcause, 0);           /* neither trapped */
	assert_int_equal(m.b->s.mcause, 0);
	assert_int_equal(m.b->s.x[10], 2);

	hart_destroy(m.a);
	hart_destroy(m.b);
	free(m.a);
	free(m.b);
	code_map_destroy(&m.bus.code);
	free(m.ram);
}

static void test_interpreted(void **unused) { new_code_seen_after_fence_i(0); }
static void test_translated(void **unused) { new_code_seen_after_fence_i(1); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpreted),
		cmocka_unit_test(test_translated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
