/* Integer arithmetic whose RISC-V definition differs from C's or needs
 * care: the high halves of products, division that never traps, rotates,
 * orc.b (unprivileged spec chapters 2, 13 "M", 28 "B"). Pure functions, so
 * the unit tests call them directly. */
#ifndef DOPPEL_CPU_ALU_H
#define DOPPEL_CPU_ALU_H

#include <stdint.h>

static inline uint64_t sext32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

static inline uint64_t mulh(int64_t a, int64_t b)
{
	return (uint64_t)(((__int128)a * b) >> 64);
}

static inline uint64_t mulhu(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static inline uint64_t mulhsu(int64_t a, uint64_t b)
{
	return (uint64_t)(((__int128)a * (unsigned __int128)b) >> 64);
}

/* Division never traps: by zero gives all ones (quotient) or the dividend
 * (remainder); the one signed overflow gives the dividend and 0 (spec 13.2). */
static inline uint64_t div64(int64_t a, int64_t b)
{
	if (b == 0)
		return ~0ull;
	if (a == INT64_MIN && b == -1)
		return (uint64_t)a;
	return (uint64_t)(a / b);
}

static inline uint64_t rem64(int64_t a, int64_t b)
{
	if (b == 0)
		return (uint64_t)a;
	if (a == INT64_MIN && b == -1)
		return 0;
	return (uint64_t)(a % b);
}

static inline uint64_t div32(int32_t a, int32_t b)
{
	if (b == 0)
		return ~0ull;
	if (a == INT32_MIN && b == -1)
		return sext32((uint32_t)a);
	return sext32((uint32_t)(a / b));
}

static inline uint64_t rem32(int32_t a, int32_t b)
{
	if (b == 0)
		return sext32((uint32_t)a);
	if (a == INT32_MIN && b == -1)
		return 0;
	return sext32((uint32_t)(a % b));
}

static inline uint64_t rol64(uint64_t v, unsigned n)
{
	n &= 63;
	return n ? (v << n) | (v >> (64 - n)) : v;
}

static inline uint64_t rol32(uint64_t v, unsigned n)
{
	uint32_t w = (uint32_t)v;
	n &= 31;
	return sext32(n ? (w << n) | (w >> (32 - n)) : w);
}

static inline uint64_t orc_b(uint64_t v)
{
	uint64_t r = 0;
	for (unsigned i = 0; i < 64; i += 8)
		if ((v >> i) & 0xff)
			r |= 0xffull << i;
	return r;
}

#endif
