/* Tests of the PLIC (dev/plic.h) through its MMIO callbacks and input lines:
 * the register map of QEMU virt's PLIC (priorities, pending, per-context
 * enables, thresholds, claim/complete), the claim order, QEMU's gateway
 * rules around claim and completion (each assertion is a request, held
 * while the source is in service; completion does not re-sample the line,
 * which xv6 relies on), the context outputs, and the
 * accesses and source ids that must be ignored or rejected (RISC-V PLIC
 * spec). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "dev/plic.h"

#define PENDING(w)          (0x1000u + 4 * (w))
#define ENABLE(ctx, w)      (0x2000u + 0x80 * (ctx) + 4 * (w))
#define THRESHOLD(ctx)      (0x200000u + 0x1000 * (ctx))
#define CLAIM(ctx)          (0x200004u + 0x1000 * (ctx))

struct fake_line {
	bool level;
	unsigned sets;
};

struct fixture {
	struct plic p;
	struct fake_line out[PLIC_MAX_CONTEXTS];
};

static void fake_line_set(void *target, unsigned index, bool level)
{
	struct fake_line *lines = target;
	lines[index].level = level;
	lines[index].sets++;
}

static struct fixture fx;

static int setup_harts(void **state, unsigned nharts)
{
	memset(&fx, 0, sizeof(fx));
	plic_init(&fx.p, nharts);
	for (unsigned c = 0; c < PLIC_MAX_CONTEXTS; c++)
		fx.p.ctx_irq[c] = (struct irq_line){ .set = fake_line_set, .target = fx.out, .index = c };
	*state = &fx;
	return 0;
}

static int setup_one_hart(void **state)
{
	return setup_harts(state, 1);
}

static int setup_two_harts(void **state)
{
	return setup_harts(state, 2);
}

/* The most harts a machine can have (vm/machine.h MACHINE_MAX_HARTS). */
static int setup_64_harts(void **state)
{
	return setup_harts(state, 64);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	plic_destroy(&f->p);
	return 0;
}

static uint32_t rd(struct fixture *f, uint64_t off)
{
	uint64_t v = 0xdeadbeefcafe;
	assert_true(plic_ops.read(&f->p, off, 4, &v));
	assert_true(v <= 0xffffffffu);
	return (uint32_t)v;
}

static void wr(struct fixture *f, uint64_t off, uint32_t v)
{
	assert_true(plic_ops.write(&f->p, off, 4, v));
}

/* Source src at priority prio, enabled for ctx. */
static void route(struct fixture *f, unsigned src, uint32_t prio, unsigned ctx)
{
	wr(f, 4 * src, prio);
	wr(f, ENABLE(ctx, src / 32), rd(f, ENABLE(ctx, src / 32)) | 1u << (src % 32));
}

static void priorities_are_three_bits(void **state)
{
	struct fixture *f = *state;
	wr(f, 4 * 1, 0xffffffff);
	assert_int_equal(rd(f, 4 * 1), 7);
	wr(f, 4 * 95, 5);
	assert_int_equal(rd(f, 4 * 95), 5);
	wr(f, 0, 3);                   /* source 0 does not exist */
	assert_int_equal(rd(f, 0), 0);
	wr(f, 4 * 96, 3);              /* past the last source */
	assert_int_equal(rd(f, 4 * 96), 0);
	wr(f, 0xffc, 3);
	assert_int_equal(rd(f, 0xffc), 0);
}

static void only_aligned_words(void **state)
{
	struct fixture *f = *state;
	uint64_t v;
	assert_false(plic_ops.read(&f->p, 4, 1, &v));
	assert_false(plic_ops.read(&f->p, 4, 2, &v));
	assert_false(plic_ops.read(&f->p, 4, 8, &v));
	assert_false(plic_ops.read(&f->p, 6, 4, &v));
	assert_false(plic_ops.write(&f->p, 4, 8, 1));
	assert_false(plic_ops.write(&f->p, 5, 4, 1));
	assert_false(plic_ops.read(&f->p, CLAIM(0) + 2, 4, &v));
	/* Unassigned but aligned offsets read zero and take writes. */
	assert_int_equal(rd(f, 0x5ffffc), 0);
	wr(f, 0x5ffffc, 1);
	assert_int_equal(rd(f, 0x1f0000), 0);
}

static void claim_and_complete(void **state)
{
	struct fixture *f = *state;
	route(f, 10, 1, 1);
	plic_set_irq(&f->p, 10, true);
	assert_int_equal(rd(f, PENDING(0)), 1u << 10);
	assert_true(f->out[1].level);
	assert_false(f->out[0].level);          /* not enabled for M-mode */

	assert_int_equal(rd(f, CLAIM(1)), 10);
	assert_int_equal(rd(f, PENDING(0)), 0);
	assert_false(f->out[1].level);
	assert_int_equal(rd(f, CLAIM(1)), 0);   /* in service: not claimed twice */

	/* The line stayed high, asserted no more: nothing new to forward. */
	wr(f, CLAIM(1), 10);
	assert_int_equal(rd(f, PENDING(0)), 0);
	assert_false(f->out[1].level);

	/* Asserted again: a new request. */
	plic_set_irq(&f->p, 10, true);
	assert_int_equal(rd(f, PENDING(0)), 1u << 10);
	assert_true(f->out[1].level);

	/* Lowering the line withdraws a request not yet claimed. */
	plic_set_irq(&f->p, 10, false);
	assert_int_equal(rd(f, PENDING(0)), 0);
	assert_false(f->out[1].level);
	assert_int_equal(rd(f, CLAIM(1)), 0);
}

static void in_service_source_waits_for_completion(void **state)
{
	struct fixture *f = *state;
	route(f, 3, 1, 0);
	plic_set_irq(&f->p, 3, true);
	assert_int_equal(rd(f, CLAIM(0)), 3);
	plic_set_irq(&f->p, 3, false);
	plic_set_irq(&f->p, 3, true);
	assert_int_equal(rd(f, PENDING(0)), 0);
	assert_false(f->out[0].level);
	wr(f, CLAIM(0), 3);
	assert_int_equal(rd(f, PENDING(0)), 1u << 3);
	assert_true(f->out[0].level);
}

/* A device that asserts its line again while its handler runs, the line
 * never having dropped (a virtio device finishing another request before
 * the driver acknowledged the first): that request is not lost. */
static void reassertion_during_service_is_forwarded_after(void **state)
{
	struct fixture *f = *state;
	route(f, 3, 1, 0);
	plic_set_irq(&f->p, 3, true);
	assert_int_equal(rd(f, CLAIM(0)), 3);
	plic_set_irq(&f->p, 3, true);
	assert_false(f->out[0].level);
	assert_int_equal(rd(f, CLAIM(0)), 0);
	wr(f, CLAIM(0), 3);
	assert_true(f->out[0].level);
	assert_int_equal(rd(f, CLAIM(0)), 3);
	wr(f, CLAIM(0), 3);
	assert_false(f->out[0].level);
}

/* xv6's pattern, as QEMU runs it: the 16550 keeps its line asserted (the
 * THR-empty interrupt is never acknowledged through IIR), and the handler
 * claims and completes without asserting it anew. The source is not
 * claimable again until the device asserts its line again. */
static void still_asserted_line_is_not_a_new_request(void **state)
{
	struct fixture *f = *state;
	route(f, 10, 1, 1);
	plic_set_irq(&f->p, 10, true);
	for (unsigned i = 0; i < 3; i++) {
		assert_true(f->out[1].level);
		assert_int_equal(rd(f, CLAIM(1)), 10);
		wr(f, CLAIM(1), 10);
		assert_false(f->out[1].level);
		assert_int_equal(rd(f, CLAIM(1)), 0);
		plic_set_irq(&f->p, 10, true);   /* the next byte written to THR */
	}
}

static void line_dropped_during_service_is_not_pending_after(void **state)
{
	struct fixture *f = *state;
	route(f, 3, 1, 0);
	plic_set_irq(&f->p, 3, true);
	assert_int_equal(rd(f, CLAIM(0)), 3);
	plic_set_irq(&f->p, 3, false);
	wr(f, CLAIM(0), 3);
	assert_int_equal(rd(f, PENDING(0)), 0);
	assert_false(f->out[0].level);
}

static void claim_order_priority_then_lowest_id(void **state)
{
	struct fixture *f = *state;
	route(f, 5, 2, 0);
	route(f, 3, 2, 0);
	route(f, 70, 5, 0);
	route(f, 40, 1, 0);
	plic_set_irq(&f->p, 5, true);
	plic_set_irq(&f->p, 3, true);
	plic_set_irq(&f->p, 70, true);
	plic_set_irq(&f->p, 40, true);
	assert_int_equal(rd(f, PENDING(2)), 1u << (70 - 64));
	assert_int_equal(rd(f, CLAIM(0)), 70);
	assert_int_equal(rd(f, CLAIM(0)), 3);
	assert_int_equal(rd(f, CLAIM(0)), 5);
	assert_true(f->out[0].level);           /* 40 is still waiting */
	assert_int_equal(rd(f, CLAIM(0)), 40);
	assert_false(f->out[0].level);
	assert_int_equal(rd(f, CLAIM(0)), 0);
}

static void threshold_masks_notification_not_claim(void **state)
{
	struct fixture *f = *state;
	route(f, 9, 3, 0);
	wr(f, THRESHOLD(0), 0xff);
	assert_int_equal(rd(f, THRESHOLD(0)), 7);
	wr(f, THRESHOLD(0), 3);
	plic_set_irq(&f->p, 9, true);
	assert_false(f->out[0].level);          /* priority must exceed it */
	wr(f, THRESHOLD(0), 2);
	assert_true(f->out[0].level);
	wr(f, THRESHOLD(0), 7);
	assert_false(f->out[0].level);
	/* The claim is not affected by the threshold (spec, claim process). */
	assert_int_equal(rd(f, CLAIM(0)), 9);
}

static void priority_zero_never_interrupts(void **state)
{
	struct fixture *f = *state;
	route(f, 4, 0, 0);
	plic_set_irq(&f->p, 4, true);
	assert_int_equal(rd(f, PENDING(0)), 1u << 4);
	assert_false(f->out[0].level);
	assert_int_equal(rd(f, CLAIM(0)), 0);
	wr(f, 4 * 4, 1);
	assert_true(f->out[0].level);
	assert_int_equal(rd(f, CLAIM(0)), 4);
}

static void enables(void **state)
{
	struct fixture *f = *state;
	wr(f, ENABLE(0, 0), 0xffffffff);
	assert_int_equal(rd(f, ENABLE(0, 0)), 0xfffffffe);   /* source 0 */
	wr(f, ENABLE(0, 2), 0x80000000);
	assert_int_equal(rd(f, ENABLE(0, 2)), 0x80000000);
	wr(f, ENABLE(0, 3), 0xffffffff);                      /* no source 96.. */
	assert_int_equal(rd(f, ENABLE(0, 3)), 0);
	assert_int_equal(rd(f, ENABLE(1, 0)), 0);             /* per context */

	wr(f, 4 * 95, 1);
	plic_set_irq(&f->p, 95, true);
	assert_true(f->out[0].level);
	wr(f, ENABLE(0, 2), 0);
	assert_false(f->out[0].level);
	assert_int_equal(rd(f, CLAIM(0)), 0);
	assert_int_equal(rd(f, PENDING(2)), 0x80000000);
}

/* A completion for a source not enabled on the context is ignored (spec,
 * "Interrupt Completion"). */
static void completion_needs_enable(void **state)
{
	struct fixture *f = *state;
	route(f, 12, 1, 1);
	plic_set_irq(&f->p, 12, true);
	assert_int_equal(rd(f, CLAIM(1)), 12);
	wr(f, CLAIM(0), 12);                    /* not enabled for context 0 */
	assert_int_equal(rd(f, PENDING(0)), 0);
	wr(f, ENABLE(1, 0), 0);
	wr(f, CLAIM(1), 12);
	assert_int_equal(rd(f, PENDING(0)), 0);
	wr(f, CLAIM(1), 0);
	wr(f, CLAIM(1), 96);
	wr(f, CLAIM(1), 0xffffffff);
	wr(f, ENABLE(1, 0), 1u << 12);
	plic_set_irq(&f->p, 12, true);
	assert_int_equal(rd(f, PENDING(0)), 0);   /* held until completion */
	wr(f, CLAIM(1), 12);
	assert_int_equal(rd(f, PENDING(0)), 1u << 12);
	assert_true(f->out[1].level);
}

static void pending_is_read_only(void **state)
{
	struct fixture *f = *state;
	wr(f, PENDING(0), 0xffffffff);
	assert_int_equal(rd(f, PENDING(0)), 0);
	plic_set_irq(&f->p, 1, true);
	wr(f, PENDING(0), 0);
	assert_int_equal(rd(f, PENDING(0)), 2);
}

static void out_of_range_sources_ignored(void **state)
{
	struct fixture *f = *state;
	wr(f, ENABLE(0, 0), 0xffffffff);
	wr(f, 0, 7);
	plic_set_irq(&f->p, 0, true);
	plic_set_irq(&f->p, 96, true);
	plic_set_irq(&f->p, 0xffffffffu, true);
	for (unsigned w = 0; w < 3; w++)
		assert_int_equal(rd(f, PENDING(w)), 0);
	assert_int_equal(rd(f, CLAIM(0)), 0);
	assert_false(f->out[0].level);
}

/* One hart: contexts 0 and 1 exist; the registers of context 2 and above
 * read zero, ignore writes, and their outputs are never driven. */
static void contexts_beyond_the_harts(void **state)
{
	struct fixture *f = *state;
	wr(f, ENABLE(2, 0), 0xffffffff);
	assert_int_equal(rd(f, ENABLE(2, 0)), 0);
	wr(f, THRESHOLD(2), 5);
	assert_int_equal(rd(f, THRESHOLD(2)), 0);
	wr(f, THRESHOLD(15), 5);
	assert_int_equal(rd(f, THRESHOLD(15)), 0);
	wr(f, 4 * 1, 1);
	plic_set_irq(&f->p, 1, true);
	assert_int_equal(rd(f, CLAIM(2)), 0);
	assert_int_equal(rd(f, PENDING(0)), 2);
	for (unsigned c = 2; c < PLIC_MAX_CONTEXTS; c++)
		assert_int_equal(f->out[c].sets, 0);
}

/* Hart 63's contexts are 126 (M) and 127 (S): QEMU virt's layout, the
 * enables at 0x2000 + 0x80 * ctx, the thresholds and claims at 0x200000 +
 * 0x1000 * ctx; context 128 is past the last hart. */
static void last_of_64_harts_claims_and_completes(void **state)
{
	struct fixture *f = *state;
	route(f, 40, 2, 127);
	route(f, 41, 3, 126);
	assert_int_equal(rd(f, 0x2000 + 0x80 * 127 + 4), 1u << 8);
	plic_set_irq(&f->p, 40, true);
	plic_set_irq(&f->p, 41, true);
	assert_true(f->out[127].level);
	assert_true(f->out[126].level);
	for (unsigned c = 0; c < 126; c++)
		assert_false(f->out[c].level);
	wr(f, THRESHOLD(127), 2);
	assert_int_equal(rd(f, THRESHOLD(127)), 2);
	assert_false(f->out[127].level);
	/* The claim is not affected by the threshold. */
	assert_int_equal(rd(f, CLAIM(127)), 40);
	assert_int_equal(rd(f, CLAIM(126)), 41);
	assert_false(f->out[126].level);
	assert_int_equal(rd(f, PENDING(1)), 0);
	wr(f, CLAIM(127), 40);
	wr(f, CLAIM(126), 41);
	plic_set_irq(&f->p, 41, false);
	plic_set_irq(&f->p, 41, true);
	assert_true(f->out[126].level);
	assert_int_equal(rd(f, CLAIM(126)), 41);

	wr(f, ENABLE(128, 0), 0xffffffff);
	assert_int_equal(rd(f, ENABLE(128, 0)), 0);
	wr(f, THRESHOLD(128), 5);
	assert_int_equal(rd(f, THRESHOLD(128)), 0);
	assert_int_equal(rd(f, CLAIM(128)), 0);
}

static void second_hart_supervisor_context(void **state)
{
	struct fixture *f = *state;
	route(f, 10, 1, 3);
	assert_int_equal(rd(f, 0x2180), 1u << 10);
	plic_set_irq(&f->p, 10, true);
	assert_true(f->out[3].level);
	assert_false(f->out[0].level || f->out[1].level || f->out[2].level);
	wr(f, 0x203000, 1);
	assert_false(f->out[3].level);
	assert_int_equal(rd(f, 0x203004), 10);
	assert_int_equal(rd(f, CLAIM(1)), 0);
}

/* A source enabled on two contexts is claimed by one of them only. */
static void one_claim_per_request(void **state)
{
	struct fixture *f = *state;
	route(f, 7, 1, 1);
	route(f, 7, 1, 3);
	plic_set_irq(&f->p, 7, true);
	assert_true(f->out[1].level && f->out[3].level);
	assert_int_equal(rd(f, CLAIM(3)), 7);
	assert_false(f->out[1].level || f->out[3].level);
	assert_int_equal(rd(f, CLAIM(1)), 0);
	/* Either context may complete it; then a new request goes to both. */
	wr(f, CLAIM(1), 7);
	assert_false(f->out[1].level || f->out[3].level);
	assert_int_equal(rd(f, CLAIM(3)), 0);
	plic_set_irq(&f->p, 7, true);
	assert_true(f->out[1].level && f->out[3].level);
}

static void reset_keeps_input_levels(void **state)
{
	struct fixture *f = *state;
	route(f, 2, 4, 0);
	route(f, 6, 4, 0);
	wr(f, THRESHOLD(0), 1);
	plic_set_irq(&f->p, 2, true);
	plic_set_irq(&f->p, 6, true);
	assert_int_equal(rd(f, CLAIM(0)), 2);
	plic_reset(&f->p);
	assert_int_equal(rd(f, 4 * 2), 0);
	assert_int_equal(rd(f, ENABLE(0, 0)), 0);
	assert_int_equal(rd(f, THRESHOLD(0)), 0);
	assert_int_equal(rd(f, PENDING(0)), (1u << 2) | (1u << 6));
	assert_false(f->out[0].level);
	route(f, 2, 1, 0);
	assert_int_equal(rd(f, CLAIM(0)), 2);   /* no longer in service */
}

static void update_redrives_outputs(void **state)
{
	struct fixture *f = *state;
	route(f, 8, 1, 0);
	plic_set_irq(&f->p, 8, true);
	f->out[0].level = false;
	plic_update(&f->p);
	assert_true(f->out[0].level);
}

#define TOGGLES 200000

/* Raises and lowers its own source, counting the times the pending bit read
 * back disagrees: another thread's update of the shared word must never
 * undo this one's. */
static void *toggle_source(void *arg)
{
	unsigned src = *(unsigned *)arg;
	uintptr_t mismatches = 0;
	for (unsigned i = 0; i < TOGGLES; i++) {
		bool level = i % 2 == 0;
		uint64_t pending;
		plic_set_irq(&fx.p, src, level);
		plic_ops.read(&fx.p, 0x1000, 4, &pending);
		mismatches += ((pending >> src) & 1) != level;
	}
	return (void *)mismatches;
}

static void concurrent_inputs(void **state)
{
	struct fixture *f = *state;
	unsigned srcs[2] = { 1, 2 };
	pthread_t t[2];
	plic_set_irq(&f->p, 3, true);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, toggle_source, &srcs[i]), 0);
	for (unsigned i = 0; i < 2; i++) {
		void *mismatches;
		pthread_join(t[i], &mismatches);
		assert_int_equal((uintptr_t)mismatches, 0);
	}
	assert_int_equal(rd(f, PENDING(0)), 1u << 3);
}

#define T1(fn) cmocka_unit_test_setup_teardown(fn, setup_one_hart, teardown)
#define T2(fn) cmocka_unit_test_setup_teardown(fn, setup_two_harts, teardown)
#define T64(fn) cmocka_unit_test_setup_teardown(fn, setup_64_harts, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T1(priorities_are_three_bits),
		T1(only_aligned_words),
		T1(claim_and_complete),
		T1(in_service_source_waits_for_completion),
		T1(line_dropped_during_service_is_not_pending_after),
		T1(reassertion_during_service_is_forwarded_after),
		T1(still_asserted_line_is_not_a_new_request),
		T1(claim_order_priority_then_lowest_id),
		T1(threshold_masks_notification_not_claim),
		T1(priority_zero_never_interrupts),
		T1(enables),
		T1(completion_needs_enable),
		T1(pending_is_read_only),
		T1(out_of_range_sources_ignored),
		T1(contexts_beyond_the_harts),
		T2(second_hart_supervisor_context),
		T2(one_claim_per_request),
		T64(last_of_64_harts_claims_and_completes),
		T1(reset_keeps_input_levels),
		T1(update_redrives_outputs),
		T1(concurrent_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
