#include "util/timebase.h"

#include <time.h>

uint64_t host_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t host_ticks(void)
{
	return host_monotonic_ns() / (1000000000ull / TIMEBASE_HZ);
}

void timebase_init(struct timebase *tb)
{
	tb->offset = -(int64_t)host_ticks();
}

uint64_t timebase_now(const struct timebase *tb)
{
	return host_ticks() + (uint64_t)tb->offset;
}

void timebase_set(struct timebase *tb, uint64_t ticks)
{
	tb->offset = (int64_t)(ticks - host_ticks());
}

uint64_t timebase_host_ns_at(const struct timebase *tb, uint64_t ticks)
{
	uint64_t host = ticks - (uint64_t)tb->offset;
	return host * (1000000000ull / TIMEBASE_HZ);
}
