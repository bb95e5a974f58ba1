/* The code map's bookkeeping (cpu/codemap.h) with several host threads at
 * once, as harts on their own threads and device threads use it: threads
 * that log pages sharing one word of the dirty log (at write TLB fills and
 * through code_map_written) lose no page's bit; threads that turn one page
 * into code and write it again, over and over, lose no change of epoch or
 * generation: every time the page became code (a mark that returned true)
 * bumped the epoch once, and every time it stopped being code bumped its
 * generation once. Each case runs many rounds: plain read-modify-writes
 * lose updates here on some rounds, not on every one. */
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

#include "cpu/codemap.h"

#define THREADS     4                /* more than the cores: some preempted mid-update */
#define PAGES       4096u            /* 64 words of the dirty log */
#define RAM_SIZE    (PAGES * 4096u)
#define LOG_ROUNDS  500u
#define MARK_ROUNDS 20u
#define MARKS       20000u           /* per thread and round */
#define SHARED_PAGE 7u

struct worker {
	struct code_map *cm;
	uint8_t *ram;
	struct spin_barrier *start;
	unsigned index;
	uint64_t became_code;         /* marks that returned true */
};

static void run_threads(struct worker *w, void *(*fn)(void *))
{
	pthread_t threads[THREADS];

	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, fn, &w[i]), 0);
	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(threads[i], NULL), 0);
}

/* Thread i logs the pages p with p % THREADS == i, so that every word of
 * the log is shared by all threads: odd pages at a write TLB fill, even
 * ones as a store seen by code_map_written (a device's DMA, say). */
static void *log_pages(void *arg)
{
	struct worker *w = arg;

	spin_wait(w->start, THREADS);
	for (uint64_t p = w->index; p < PAGES; p += THREADS) {
		if (p & 1)
			code_map_log_fill(w->cm, p);
		else
			code_map_written(w->cm, w->ram + p * 4096, 8);
	}
	return NULL;
}

static void concurrent_logging_loses_no_page(void **state)
{
	(void)state;
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct code_map cm;
	uint64_t out[PAGES / 64];
	struct spin_barrier start = { 0, 0 };
	struct worker w[THREADS];

	assert_non_null(ram);
	assert_int_equal(code_map_init(&cm, ram, RAM_SIZE), 0);
	assert_int_equal(code_map_log_start(&cm), 0);
	for (unsigned round = 0; round < LOG_ROUNDS; round++) {
		for (unsigned i = 0; i < THREADS; i++)
			w[i] = (struct worker){ &cm, ram, &start, i, 0 };
		run_threads(w, log_pages);
		assert_int_equal(code_map_log_collect(&cm, out), PAGES);
		for (unsigned i = 0; i < PAGES / 64; i++)
			assert_int_equal(out[i], ~0ull);
	}
	code_map_log_stop(&cm);
	code_map_destroy(&cm);
	free(ram);
}

/* One page, made code (as a hart decoding it does) and written (as a store
 * to it does) by every thread in turn. */
static void *mark_and_write(void *arg)
{
	struct worker *w = arg;

	spin_wait(w->start, THREADS);
	for (unsigned i = 0; i < MARKS; i++) {
		if (code_map_mark(w->cm, SHARED_PAGE))
			w->became_code++;
		code_map_written(w->cm, w->ram + SHARED_PAGE * 4096 + 8 * w->index, 8);
	}
	return NULL;
}

static void concurrent_marks_lose_no_epoch_or_generation(void **state)
{
	(void)state;
	uint8_t *ram = calloc(1, RAM_SIZE);
	struct code_map cm;
	struct spin_barrier start = { 0, 0 };
	struct worker w[THREADS];

	assert_non_null(ram);
	assert_int_equal(code_map_init(&cm, ram, RAM_SIZE), 0);
	for (unsigned round = 0; round < MARK_ROUNDS; round++) {
		uint64_t epoch = cm.epoch, gen = cm.gen[SHARED_PAGE], became_code = 0;
		bool was_code = cm.is_code[SHARED_PAGE];

		for (unsigned i = 0; i < THREADS; i++)
			w[i] = (struct worker){ &cm, ram, &start, i, 0 };
		run_threads(w, mark_and_write);
		for (unsigned i = 0; i < THREADS; i++)
			became_code += w[i].became_code;
		assert_true(became_code > 0);
		assert_int_equal(cm.epoch - epoch, became_code);
		/* Each time it stopped being code, it had become code before. */
		assert_int_equal((uint32_t)(cm.gen[SHARED_PAGE] - gen),
				 became_code + was_code - cm.is_code[SHARED_PAGE]);
	}
	code_map_destroy(&cm);
	free(ram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(concurrent_logging_loses_no_page),
		cmocka_unit_test(concurrent_marks_lose_no_epoch_or_generation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
