/* Tests of the Goldfish RTC (dev/goldfish_rtc.h) through its MMIO callbacks,
 * on a fake host clock: reading the time in latched halves, setting it the
 * way Linux's rtc-goldfish does, the alarm (arming, firing on update or at
 * once when already due, disarming), the interrupt enable and clear, reset,
 * and rejected access widths. One test checks the real host clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dev/goldfish_rtc.h"

enum {
	TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c,
	IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c,
};

static uint64_t fake_host_ns;

static uint64_t fake_clock(void)
{
	return fake_host_ns;
}

struct fake_line {
	bool level;
	unsigned asserts;     /* calls driving it high: requests to a PLIC */
	unsigned index;
};

struct fixture {
	struct goldfish_rtc rtc;
	struct fake_line line;
};

static void fake_line_set(void *target, unsigned index, bool level)
{
	struct fake_line *l = target;
	l->level = level;
	l->asserts += level;
	l->index = index;
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	fake_host_ns = 0x123456789abcdef0ull;
	goldfish_rtc_init(&f.rtc);
	f.rtc.host_ns = fake_clock;
	f.rtc.irq = (struct irq_line){ .set = fake_line_set, .target = &f.line, .index = 11 };
	*state = &f;
	return 0;
}

static uint32_t rd(struct fixture *f, uint64_t off)
{
	uint64_t v = 0xdeadbeefcafe;
	assert_true(goldfish_rtc_ops.read(&f->rtc, off, 4, &v));
	assert_true(v <= 0xffffffffu);
	return (uint32_t)v;
}

static void wr(struct fixture *f, uint64_t off, uint32_t v)
{
	assert_true(goldfish_rtc_ops.write(&f->rtc, off, 4, v));
}

/* As the driver reads it: TIME_LOW, then TIME_HIGH. */
static uint64_t read_time(struct fixture *f)
{
	uint64_t low = rd(f, TIME_LOW);
	return (uint64_t)rd(f, TIME_HIGH) << 32 | low;
}

/* As the driver sets it: HIGH, then LOW. */
static void set_time(struct fixture *f, uint64_t t)
{
	wr(f, TIME_HIGH, (uint32_t)(t >> 32));
	wr(f, TIME_LOW, (uint32_t)t);
}

static void set_alarm(struct fixture *f, uint64_t t)
{
	wr(f, ALARM_HIGH, (uint32_t)(t >> 32));
	wr(f, ALARM_LOW, (uint32_t)t);
}

static void time_follows_host_clock(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(read_time(f), 0x123456789abcdef0ull);
	fake_host_ns += 12345;
	assert_int_equal(read_time(f), 0x123456789abcdef0ull + 12345);
}

static void time_low_read_latches_high(void **state)
{
	struct fixture *f = *state;
	fake_host_ns = 0x00000001fffffff0ull;
	assert_int_equal(rd(f, TIME_LOW), 0xfffffff0);
	fake_host_ns += 0x20;   /* the low half wraps between the two reads */
	assert_int_equal(rd(f, TIME_HIGH), 1);
	assert_int_equal(rd(f, TIME_HIGH), 1);
	assert_int_equal(rd(f, TIME_LOW), 0x10);
	assert_int_equal(rd(f, TIME_HIGH), 2);
}

static void guest_sets_time(void **state)
{
	struct fixture *f = *state;
	set_time(f, 1700000000ull * 1000000000ull);
	assert_int_equal(read_time(f), 1700000000ull * 1000000000ull);
	fake_host_ns += 1000;
	assert_int_equal(read_time(f), 1700000000ull * 1000000000ull + 1000);
	/* Earlier than the host clock works too. */
	set_time(f, 5);
	assert_int_equal(read_time(f), 5);
	fake_host_ns += 7;
	assert_int_equal(read_time(f), 12);
	/* Each half can be written alone. */
	wr(f, TIME_HIGH, 3);
	assert_int_equal(read_time(f), (3ull << 32) | 12);
	wr(f, TIME_LOW, 100);
	assert_int_equal(read_time(f), (3ull << 32) | 100);
}

static void alarm_fires_on_update(void **state)
{
	struct fixture *f = *state;
	uint64_t now = read_time(f);
	set_alarm(f, now + 500);
	wr(f, IRQ_ENABLED, 1);
	assert_int_equal(rd(f, ALARM_STATUS), 1);
	assert_int_equal(rd(f, IRQ_ENABLED), 1);
	assert_int_equal(rd(f, ALARM_LOW), (uint32_t)(now + 500));
	assert_int_equal(rd(f, ALARM_HIGH), (uint32_t)((now + 500) >> 32));
	fake_host_ns += 499;
	goldfish_rtc_update(&f->rtc);
	assert_false(f->line.level);
	assert_int_equal(rd(f, ALARM_STATUS), 1);
	fake_host_ns += 1;
	goldfish_rtc_update(&f->rtc);
	assert_true(f->line.level);
	assert_int_equal(f->line.index, 11);
	assert_int_equal(rd(f, ALARM_STATUS), 0);
	/* Stays raised until cleared, not re-armed, and the polls meanwhile
	 * are no new requests. */
	assert_int_equal(f->line.asserts, 1);
	fake_host_ns += 1000000;
	goldfish_rtc_update(&f->rtc);
	rd(f, TIME_LOW);
	goldfish_rtc_update(&f->rtc);
	assert_true(f->line.level);
	assert_int_equal(f->line.asserts, 1);
	wr(f, CLEAR_INTERRUPT, 1);
	assert_false(f->line.level);
	goldfish_rtc_update(&f->rtc);
	assert_false(f->line.level);
}

static void past_alarm_fires_at_once(void **state)
{
	struct fixture *f = *state;
	wr(f, IRQ_ENABLED, 1);
	set_alarm(f, read_time(f) - 1);
	assert_true(f->line.level);
	assert_int_equal(rd(f, ALARM_STATUS), 0);
}

static void masked_alarm_stays_pending(void **state)
{
	struct fixture *f = *state;
	set_alarm(f, read_time(f));
	assert_int_equal(rd(f, ALARM_STATUS), 0);   /* fired */
	assert_false(f->line.level);                /* but masked */
	wr(f, IRQ_ENABLED, 1);
	assert_true(f->line.level);
	wr(f, IRQ_ENABLED, 0);
	assert_false(f->line.level);
	wr(f, CLEAR_INTERRUPT, 1);
	wr(f, IRQ_ENABLED, 1);
	assert_false(f->line.level);
}

static void clear_alarm_disarms(void **state)
{
	struct fixture *f = *state;
	wr(f, IRQ_ENABLED, 1);
	set_alarm(f, read_time(f) + 10);
	wr(f, CLEAR_ALARM, 1);
	assert_int_equal(rd(f, ALARM_STATUS), 0);
	fake_host_ns += 100;
	goldfish_rtc_update(&f->rtc);
	assert_false(f->line.level);
}

/* Rewriting an armed alarm: the staged high half alone must not move it. */
static void alarm_high_is_staged(void **state)
{
	struct fixture *f = *state;
	wr(f, IRQ_ENABLED, 1);
	uint64_t now = read_time(f);
	set_alarm(f, now + 0x100000000ull);
	wr(f, ALARM_HIGH, (uint32_t)(now >> 32) - 1);   /* with the old low half: past */
	assert_int_equal(rd(f, ALARM_HIGH), (uint32_t)(now >> 32) - 1);
	goldfish_rtc_update(&f->rtc);
	assert_false(f->line.level);
	assert_int_equal(rd(f, ALARM_STATUS), 1);
	wr(f, ALARM_LOW, 0);                            /* now armed in the past */
	assert_true(f->line.level);
}

static void moving_time_past_the_alarm_fires_it(void **state)
{
	struct fixture *f = *state;
	wr(f, IRQ_ENABLED, 1);
	set_alarm(f, 2000000000ull * 1000000000ull);
	assert_false(f->line.level);
	set_time(f, 2000000001ull * 1000000000ull);
	assert_true(f->line.level);
}

static void widths_and_offsets(void **state)
{
	struct fixture *f = *state;
	uint64_t v;
	assert_false(goldfish_rtc_ops.read(&f->rtc, TIME_LOW, 8, &v));
	assert_false(goldfish_rtc_ops.read(&f->rtc, TIME_LOW, 1, &v));
	assert_false(goldfish_rtc_ops.read(&f->rtc, 2, 4, &v));
	assert_false(goldfish_rtc_ops.write(&f->rtc, TIME_LOW, 2, 0));
	assert_false(goldfish_rtc_ops.write(&f->rtc, ALARM_LOW + 1, 4, 0));
	assert_int_equal(rd(f, ALARM_STATUS), 0);   /* the rejected write did nothing */
	assert_int_equal(rd(f, 0x20), 0);
	assert_int_equal(rd(f, 0xffc), 0);
	wr(f, 0xffc, 0xffffffff);
	assert_int_equal(rd(f, CLEAR_ALARM), 0);
	assert_int_equal(rd(f, CLEAR_INTERRUPT), 0);
	wr(f, IRQ_ENABLED, 0xfffffffe);               /* only bit 0 counts */
	assert_int_equal(rd(f, IRQ_ENABLED), 0);
}

static void reset_keeps_time(void **state)
{
	struct fixture *f = *state;
	set_time(f, 42);
	wr(f, IRQ_ENABLED, 1);
	set_alarm(f, 41);
	assert_true(f->line.level);
	set_alarm(f, 100);
	goldfish_rtc_reset(&f->rtc);
	assert_false(f->line.level);
	assert_int_equal(rd(f, ALARM_STATUS), 0);
	assert_int_equal(rd(f, IRQ_ENABLED), 0);
	assert_int_equal(rd(f, ALARM_HIGH), 0);
	assert_int_equal(read_time(f), 42);
}

static void real_clock_is_wall_time(void **state)
{
	struct goldfish_rtc rtc;
	struct timespec ts;
	uint64_t lo, hi;
	(void)state;
	goldfish_rtc_init(&rtc);
	clock_gettime(CLOCK_REALTIME, &ts);
	assert_true(goldfish_rtc_ops.read(&rtc, TIME_LOW, 4, &lo));
	assert_true(goldfish_rtc_ops.read(&rtc, TIME_HIGH, 4, &hi));
	uint64_t host = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	uint64_t guest = hi << 32 | lo;
	assert_true(guest >= host);
	assert_true(guest - host < 5000000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(time_follows_host_clock, setup),
		cmocka_unit_test_setup(time_low_read_latches_high, setup),
		cmocka_unit_test_setup(guest_sets_time, setup),
		cmocka_unit_test_setup(alarm_fires_on_update, setup),
		cmocka_unit_test_setup(past_alarm_fires_at_once, setup),
		cmocka_unit_test_setup(masked_alarm_stays_pending, setup),
		cmocka_unit_test_setup(clear_alarm_disarms, setup),
		cmocka_unit_test_setup(alarm_high_is_staged, setup),
		cmocka_unit_test_setup(moving_time_past_the_alarm_fires_it, setup),
		cmocka_unit_test_setup(widths_and_offsets, setup),
		cmocka_unit_test_setup(reset_keeps_time, setup),
		cmocka_unit_test(real_clock_is_wall_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
