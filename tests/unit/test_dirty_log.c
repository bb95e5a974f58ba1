/* Dirty-page logging for live migration (cpu/codemap.h): a guest program
 * stores to known pages, with a plain store, a narrower one and an AMO,
 * under the interpreter and under the translator (every block translated),
 * in M-mode and in S-mode under Sv39 (where the page walker's D update
 * writes the leaf page table too); the log must report exactly the physical
 * pages written, and after a collect the same stores, now through write TLB
 * entries filled before it (and, translated, through inline code), must be
 * reported again. Stores by devices (code_map_written) are logged too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/hart.h"
#include "cpu/pmp.h"
#include "cpu/trap.h"

#define RAM_BASE    0x80000000ull
#define RAM_SIZE    (1u << 20)
#define RAM_PAGES   (RAM_SIZE / 4096)
#define TRAP_VECTOR RAM_BASE                 /* holds wfi */
#define CODE_PAGE   1u
#define ROOT_TABLE  0x40u                    /* Sv39: root, middle, leaf pages */
#define LEAF_TABLE  0x42u
#define VA_BASE     0x40000000ull
#define SATP_SV39   (8ull << 60)
#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_A 0x40u
#define PTE_D 0x80u

/* The pages the program stores to: a doubleword, a word at an odd offset,
 * an AMO. Under Sv39, VA_BASE + page * 4096 maps to the physical page
 * mapped_page(page), so that virtual and physical page numbers differ. */
static const unsigned data_pages[] = { 0x10, 0x13, 0x17 };
#define NDATA (sizeof(data_pages) / sizeof(data_pages[0]))

static unsigned mapped_page(unsigned page)
{
	return 0x80 - page;
}

struct machine_under_test {
	struct timebase time;
	struct bus bus;
	uint8_t *ram;
	struct hart *hart;
	uint64_t log[RAM_PAGES / 64];
};

static uint32_t enc_s(int32_t imm, unsigned rs2, unsigned rs1, uint32_t f3)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | 0x23;
}

static uint32_t enc_amoadd_d(unsigned rd, unsigned rs2, unsigned rs1)
{
	return 0u << 27 | rs2 << 20 | rs1 << 15 | 3u << 12 | rd << 7 | 0x2f;
}

#define ENC_ECALL 0x00000073u
#define ENC_WFI   0x10500073u

static void ram_put(struct machine_under_test *m, uint64_t addr, const void *src, size_t len)
{
	memcpy(m->ram + (addr - RAM_BASE), src, len);
	code_map_written(&m->bus.code, m->ram + (addr - RAM_BASE), len);
}

static uint64_t page_addr(unsigned page)
{
	return RAM_BASE + (uint64_t)page * 4096;
}

static void set_pte(struct machine_under_test *m, unsigned table, uint64_t index, uint64_t pa,
		    uint64_t flags)
{
	uint64_t pte = (pa >> 12) << 10 | flags | PTE_V;
	ram_put(m, page_addr(table) + 8 * (index & 511), &pte, 8);
}

/* Code executable, data writable but not yet dirty (the first store makes
 * the walker set D in the leaf table). */
static void map_pages(struct machine_under_test *m)
{
	set_pte(m, ROOT_TABLE, VA_BASE >> 30, page_addr(ROOT_TABLE + 1), 0);
	set_pte(m, ROOT_TABLE + 1, VA_BASE >> 21, page_addr(LEAF_TABLE), 0);
	set_pte(m, LEAF_TABLE, (VA_BASE >> 12) + CODE_PAGE, page_addr(CODE_PAGE), PTE_R | PTE_X | PTE_A);
	for (unsigned i = 0; i < NDATA; i++)
		set_pte(m, LEAF_TABLE, (VA_BASE >> 12) + data_pages[i], page_addr(mapped_page(data_pages[i])),
			PTE_R | PTE_W | PTE_A);
}

static int setup(struct machine_under_test **out, uint32_t jit_threshold)
{
	struct machine_under_test *m = calloc(1, sizeof(*m));
	const uint32_t wfi = ENC_WFI;
	const uint32_t code[] = {
		enc_s(0, 5, 10, 3),             /* sd x5, 0(x10) */
		enc_s(0x7f5, 5, 11, 2),         /* sw x5, 0x7f5(x11) */
		enc_amoadd_d(6, 5, 12),         /* amoadd.d x6, x5, (x12) */
		ENC_ECALL,
	};

	if (!m)
		return -1;
	*out = m;
	timebase_init(&m->time);
	m->ram = calloc(1, RAM_SIZE);
	m->hart = malloc(sizeof(*m->hart));
	if (!m->ram || !m->hart || bus_add_ram(&m->bus, RAM_BASE, RAM_SIZE, m->ram) < 0 ||
	    code_map_init(&m->bus.code, m->ram, RAM_SIZE) < 0 ||
	    hart_init(m->hart, 0, &m->bus, &m->time) < 0)
		return -1;
	m->hart->jit_threshold = jit_threshold;
	ram_put(m, TRAP_VECTOR, &wfi, sizeof(wfi));
	ram_put(m, page_addr(CODE_PAGE), code, sizeof(code));
	map_pages(m);
	return 0;
}

static void destroy(struct machine_under_test *m)
{
	if (m->hart)
		hart_destroy(m->hart);
	free(m->hart);
	code_map_destroy(&m->bus.code);
	free(m->ram);
	free(m);
}

/* Runs the program from its start until it waits in the trap vector. */
static void run_program(struct machine_under_test *m, bool supervisor)
{
	struct hart *h = m->hart;
	uint64_t base = supervisor ? VA_BASE : RAM_BASE;

	memset(&h->s, 0, sizeof(h->s));
	h->s.reservation = RESERVATION_NONE;
	h->s.mtvec = TRAP_VECTOR;
	h->s.pc = base + CODE_PAGE * 4096;
	h->s.x[5] = 0x0101010101010101ull;
	h->s.x[10] = base + (uint64_t)data_pages[0] * 4096;
	h->s.x[11] = base + (uint64_t)data_pages[1] * 4096;
	h->s.x[12] = base + (uint64_t)data_pages[2] * 4096 + 0x800;
	if (supervisor) {
		pmp_write_addr(&h->s, 0, ~0ull);
		pmp_write_cfg(&h->s, 0, (PMP_NAPOT << PMP_A_SHIFT) | PMP_R | PMP_W | PMP_X);
		h->s.satp = SATP_SV39 | (page_addr(ROOT_TABLE) >> 12);
	}
	/* Unlike hart_restart in test_jit_diff, the TLBs are kept: entries
	 * filled by the last run must not hide this run's stores. */
	hart_set_priv(h, supervisor ? PRIV_S : PRIV_M);
	for (unsigned i = 0; i < 100 && !h->s.wfi; i++)
		hart_run(h, 1000);
	assert_true(h->s.wfi);
	assert_int_equal(h->s.mcause, supervisor ? EXC_ECALL_S : EXC_ECALL_M);
}

/* Collects the log and checks that it holds exactly the given pages. */
static void expect_logged(struct machine_under_test *m, const unsigned *pages, unsigned n)
{
	uint64_t want[RAM_PAGES / 64] = { 0 };

	for (unsigned i = 0; i < n; i++)
		want[pages[i] / 64] |= 1ull << (pages[i] % 64);
	assert_int_equal(code_map_log_collect(&m->bus.code, m->log), n);
	for (unsigned w = 0; w < RAM_PAGES / 64; w++) {
		if (m->log[w] != want[w])
			print_error("pages %u..%u: logged %#llx, written %#llx\n", w * 64, w * 64 + 63,
				    (unsigned long long)m->log[w], (unsigned long long)want[w]);
		assert_int_equal(m->log[w], want[w]);
	}
}

static void stores_are_logged(uint32_t jit_threshold, bool supervisor)
{
	struct machine_under_test *m;
	unsigned written[NDATA + 1];

	assert_int_equal(setup(&m, jit_threshold), 0);
	for (unsigned i = 0; i < NDATA; i++)
		written[i] = supervisor ? mapped_page(data_pages[i]) : data_pages[i];
	assert_int_equal(code_map_log_start(&m->bus.code), 0);

	run_program(m, supervisor);
	/* Under Sv39 the first stores also set D in their leaf PTEs. */
	written[NDATA] = LEAF_TABLE;
	expect_logged(m, written, supervisor ? NDATA + 1 : NDATA);

	/* The same stores again, through the write TLB entries the first run
	 * filled: the collect must have made the hart drop them. */
	run_program(m, supervisor);
	expect_logged(m, written, NDATA);

	/* Nothing ran, nothing written. */
	expect_logged(m, written, 0);
	code_map_log_stop(&m->bus.code);
	destroy(m);
}

static void interpreter_m_mode(void **state)
{
	stores_are_logged(0, false);
}

static void interpreter_sv39(void **state)
{
	stores_are_logged(0, true);
}

static void translator_m_mode(void **state)
{
	stores_are_logged(1, false);
}

static void translator_sv39(void **state)
{
	stores_are_logged(1, true);
}

/* A device's write (virtqueue, SBI call) across a page boundary logs both
 * pages; nothing is logged before logging starts or after it stops. */
static void device_writes_are_logged(void **state)
{
	struct machine_under_test *m;
	const unsigned pages[] = { 0x20, 0x21 };
	uint8_t bytes[200] = { 1 };

	assert_int_equal(setup(&m, 0), 0);
	ram_put(m, page_addr(0x30), bytes, sizeof(bytes));
	assert_int_equal(code_map_log_start(&m->bus.code), 0);
	ram_put(m, page_addr(0x21) - 100, bytes, sizeof(bytes));
	expect_logged(m, pages, 2);
	code_map_log_stop(&m->bus.code);
	ram_put(m, page_addr(0x30), bytes, sizeof(bytes));
	assert_null(m->bus.code.dirty);
	destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(interpreter_m_mode),
		cmocka_unit_test(interpreter_sv39),
		cmocka_unit_test(translator_m_mode),
		cmocka_unit_test(translator_sv39),
		cmocka_unit_test(device_writes_are_logged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
