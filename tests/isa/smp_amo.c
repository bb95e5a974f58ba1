/* All harts increment one counter at once, with AMOADD.D, AMOADD.W, an
 * LR.D/SC.D loop and an LR.W/SC.W loop (unprivileged spec, A extension): an
 * AMO is one indivisible read-modify-write, and an SC succeeds only if no
 * other hart stored to the reservation set since the LR, so no increment
 * is lost and every total is exact. The old values that the AMOs return
 * are each seen by exactly one hart, so their sum is known too. */
#include "smp_lib.h"

/* Increments per hart and counter (about 1.4 s for 8 harts on the
 * interpreter when harts take turns on one host thread). */
#define AMO_INCREMENTS 1000000u

static volatile uint64_t counter_d SMP_ALIGNED;
static volatile uint32_t counter_w SMP_ALIGNED;
static volatile uint64_t counter_lr_d SMP_ALIGNED;
static volatile uint32_t counter_lr_w SMP_ALIGNED;
/* The sum of the old values each hart's AMOADDs returned. */
static volatile uint64_t returned_sum SMP_ALIGNED;

static uint64_t amoadd_d(volatile uint64_t *p, uint64_t v)
{
	uint64_t old;
	__asm__ volatile("amoadd.d %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
	return old;
}

static uint64_t amoadd_w(volatile uint32_t *p, uint64_t v)
{
	uint64_t old;
	__asm__ volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
	return old;
}

static void lr_sc_inc_d(volatile uint64_t *p)
{
	uint64_t old, fail;
	__asm__ volatile("1:\tlr.d %0, (%2)\n\t"
			 "addi %0, %0, 1\n\t"
			 "sc.d %1, %0, (%2)\n\t"
			 "bnez %1, 1b"
			 : "=&r"(old), "=&r"(fail) : "r"(p) : "memory");
}

static void lr_sc_inc_w(volatile uint32_t *p)
{
	uint64_t old, fail;
	__asm__ volatile("1:\tlr.w %0, (%2)\n\t"
			 "addiw %0, %0, 1\n\t"
			 "sc.w %1, %0, (%2)\n\t"
			 "bnez %1, 1b"
			 : "=&r"(old), "=&r"(fail) : "r"(p) : "memory");
}

int main(uint64_t hartid, const void *fdt)
{
	smp_start(hartid, fdt);
	uint64_t n = smp_nharts();
	uint64_t total = n * AMO_INCREMENTS;

	uint64_t sum = 0;
	for (unsigned i = 0; i < AMO_INCREMENTS; i++)
		sum += amoadd_d(&counter_d, 1);
	amoadd_d(&returned_sum, sum);
	for (unsigned i = 0; i < AMO_INCREMENTS; i++)
		amoadd_w(&counter_w, 1);
	for (unsigned i = 0; i < AMO_INCREMENTS; i++)
		lr_sc_inc_d(&counter_lr_d);
	for (unsigned i = 0; i < AMO_INCREMENTS; i++)
		lr_sc_inc_w(&counter_lr_w);
	smp_barrier();

	if (hartid == 0) {
		SMP_CHECK(counter_d == total, 1);
		/* The values 0 .. total-1, each returned once. */
		SMP_CHECK(returned_sum == total * (total - 1) / 2, 2);
		SMP_CHECK(counter_w == total, 3);
		SMP_CHECK(counter_lr_d == total, 4);
		SMP_CHECK(counter_lr_w == total, 5);
	}
	return smp_finish();
}
