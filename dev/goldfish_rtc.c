#include "dev/goldfish_rtc.h"

#include <string.h>
#include <time.h>

/* Registers (Linux drivers/rtc/rtc-goldfish.c). */
#define REG_TIME_LOW        0x00
#define REG_TIME_HIGH       0x04
#define REG_ALARM_LOW       0x08
#define REG_ALARM_HIGH      0x0c
#define REG_IRQ_ENABLED     0x10
#define REG_CLEAR_ALARM     0x14
#define REG_ALARM_STATUS    0x18
#define REG_CLEAR_INTERRUPT 0x1c

#define LOW_HALF 0xffffffffull

static uint64_t host_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t guest_now(const struct goldfish_rtc *rtc)
{
	return rtc->host_ns() + rtc->s.offset_ns;
}

static void set_guest_time(struct goldfish_rtc *rtc, uint64_t now, uint64_t t)
{
	rtc->s.offset_ns += t - now;
}

static bool irq_asserted(const struct goldfish_rtc *rtc)
{
	return rtc->s.irq_pending && rtc->s.irq_enabled;
}

static void drive_irq(struct goldfish_rtc *rtc)
{
	irq_line_set(&rtc->irq, irq_asserted(rtc));
}

/* A due alarm disarms itself and latches the interrupt, which stays pending
 * until CLEAR_INTERRUPT even if IRQ_ENABLED masks it meanwhile. Returns
 * whether it fired. */
static bool check_alarm(struct goldfish_rtc *rtc)
{
	if (!rtc->s.alarm_armed || guest_now(rtc) < rtc->s.alarm_ns)
		return false;
	rtc->s.alarm_armed = false;
	rtc->s.irq_pending = true;
	return true;
}

/* The line is driven when the alarm fires or its level changed, not at
 * every poll: the PLIC takes each assertion as a new request (util/irq.h). */
static void update(struct goldfish_rtc *rtc, bool was_asserted)
{
	bool fired = check_alarm(rtc);
	if (fired || irq_asserted(rtc) != was_asserted)
		drive_irq(rtc);
}

void goldfish_rtc_init(struct goldfish_rtc *rtc)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->host_ns = host_realtime_ns;
}

void goldfish_rtc_reset(struct goldfish_rtc *rtc)
{
	rtc->s.alarm_ns = 0;
	rtc->s.alarm_high = 0;
	rtc->s.alarm_armed = false;
	rtc->s.irq_enabled = false;
	rtc->s.irq_pending = false;
	drive_irq(rtc);
}

void goldfish_rtc_update(struct goldfish_rtc *rtc)
{
	update(rtc, irq_asserted(rtc));
}

/* Unassigned offsets read as zero. */
static uint32_t read_reg(struct goldfish_rtc *rtc, uint64_t off)
{
	uint64_t now;

	switch (off) {
	case REG_TIME_LOW:
		/* The driver reads TIME_LOW then TIME_HIGH: latching the high half
		 * here makes the pair one consistent 64-bit sample. */
		now = guest_now(rtc);
		rtc->s.time_high = (uint32_t)(now >> 32);
		return (uint32_t)now;
	case REG_TIME_HIGH:
		return rtc->s.time_high;
	case REG_ALARM_LOW:
		return (uint32_t)rtc->s.alarm_ns;
	case REG_ALARM_HIGH:
		return rtc->s.alarm_high;
	case REG_IRQ_ENABLED:
		return rtc->s.irq_enabled;
	case REG_ALARM_STATUS:
		return rtc->s.alarm_armed;
	default:
		return 0;
	}
}

/* Each half of the time can be written on its own, keeping the other half
 * of the current time (QEMU's behaviour; Linux writes HIGH, then LOW).
 * ALARM_HIGH only stages the high half, so that an alarm still armed does
 * not fire early at a half-written time; ALARM_LOW completes and arms it. */
static void write_reg(struct goldfish_rtc *rtc, uint64_t off, uint32_t val)
{
	uint64_t now = guest_now(rtc);

	switch (off) {
	case REG_TIME_LOW:
		set_guest_time(rtc, now, (now & ~LOW_HALF) | val);
		break;
	case REG_TIME_HIGH:
		set_guest_time(rtc, now, (now & LOW_HALF) | (uint64_t)val << 32);
		break;
	case REG_ALARM_LOW:
		rtc->s.alarm_ns = (uint64_t)rtc->s.alarm_high << 32 | val;
		rtc->s.alarm_armed = true;
		break;
	case REG_ALARM_HIGH:
		rtc->s.alarm_high = val;
		break;
	case REG_IRQ_ENABLED:
		rtc->s.irq_enabled = val & 1;
		break;
	case REG_CLEAR_ALARM:
		rtc->s.alarm_armed = false;
		break;
	case REG_CLEAR_INTERRUPT:
		rtc->s.irq_pending = false;
		break;
	default:
		break;
	}
}

/* Registers are 32 bits wide; other widths and misaligned accesses fault,
 * as on QEMU virt. */
static bool rtc_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct goldfish_rtc *rtc = dev;

	if (size != 4 || (off & 3))
		return false;
	*val = read_reg(rtc, off);
	return true;
}

static bool rtc_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct goldfish_rtc *rtc = dev;
	bool was_asserted = irq_asserted(rtc);

	if (size != 4 || (off & 3))
		return false;
	write_reg(rtc, off, (uint32_t)val);
	/* An alarm set in the past, or time moved past it, fires at once. */
	update(rtc, was_asserted);
	return true;
}

const struct mmio_ops goldfish_rtc_ops = { .read = rtc_read, .write = rtc_write };

static const struct state_field goldfish_rtc_fields[] = {
	STATE_INT(struct goldfish_rtc_state, offset_ns),
	STATE_INT(struct goldfish_rtc_state, alarm_ns),
	STATE_INT(struct goldfish_rtc_state, alarm_high),
	STATE_INT(struct goldfish_rtc_state, time_high),
	STATE_BOOL(struct goldfish_rtc_state, alarm_armed),
	STATE_BOOL(struct goldfish_rtc_state, irq_enabled),
	STATE_BOOL(struct goldfish_rtc_state, irq_pending),
};

const struct state_desc goldfish_rtc_state_desc =
	STATE_DESC(STATE_ID('R', 'T', 'C', ' '), 1, goldfish_rtc_fields, NULL);
