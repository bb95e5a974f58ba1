/* The Goldfish RTC (Android emulator hardware; Linux drivers/rtc/
 * rtc-goldfish.c) as on QEMU's virt board: a 64-bit count of nanoseconds
 * since the Unix epoch, read in two 32-bit halves, and one alarm that raises
 * an interrupt. Guest time is the host's wall clock plus an offset the guest
 * sets by writing the time registers. */
#ifndef DOPPEL_DEV_GOLDFISH_RTC_H
#define DOPPEL_DEV_GOLDFISH_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "state/fields.h"
#include "util/irq.h"

/* Saved state: plain data. */
struct goldfish_rtc_state {
	uint64_t offset_ns;     /* guest time minus host time, modulo 2^64 */
	uint64_t alarm_ns;      /* guest time of the armed (or last) alarm */
	uint32_t alarm_high;    /* ALARM_HIGH as written, applied by ALARM_LOW */
	uint32_t time_high;     /* latched by the last TIME_LOW read */
	bool alarm_armed;
	bool irq_enabled;
	bool irq_pending;
};

struct goldfish_rtc {
	struct goldfish_rtc_state s;
	struct irq_line irq;
	/* Host wall-clock nanoseconds: CLOCK_REALTIME after init; tests
	 * substitute their own clock. */
	uint64_t (*host_ns)(void);
};

extern const struct mmio_ops goldfish_rtc_ops;

/* Guest time starts at host time; the irq line starts unconnected. */
void goldfish_rtc_init(struct goldfish_rtc *rtc);
/* Disarms the alarm and clears the interrupt; the time keeps running. */
void goldfish_rtc_reset(struct goldfish_rtc *rtc);
/* Fires the alarm if its time has come, driving the irq line when it fires
 * or its level changed; the run loop calls it between slices (and after
 * restoring a snapshot). */
void goldfish_rtc_update(struct goldfish_rtc *rtc);

extern const struct state_desc goldfish_rtc_state_desc;

#endif
