/* Guest time: a counter at a fixed frequency derived from the host's
 * monotonic clock, with an offset so it can be set (mtime writes) and carried
 * across snapshots without jumping backwards. */
#ifndef DOPPEL_UTIL_TIMEBASE_H
#define DOPPEL_UTIL_TIMEBASE_H

#include <stdint.h>

#define TIMEBASE_HZ 10000000ull

struct timebase {
	int64_t offset;   /* guest ticks minus host ticks */
};

void timebase_init(struct timebase *tb);
uint64_t timebase_now(const struct timebase *tb);
void timebase_set(struct timebase *tb, uint64_t ticks);
/* Host monotonic nanoseconds at which guest time reaches ticks. */
uint64_t timebase_host_ns_at(const struct timebase *tb, uint64_t ticks);
uint64_t host_monotonic_ns(void);

#endif
