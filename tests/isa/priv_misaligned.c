/* Misaligned memory accesses. The privileged spec lets a hart either perform
 * a misaligned load or store or raise address-misaligned with mtval the
 * address (3.1.15-3.1.16); doppel performs them, also across a page boundary.
 * Misaligned LR/SC must raise an exception, and if a misaligned LR/SC or AMO
 * raises address-misaligned, so must every load and store of that address and
 * width (3.6.3.3 "Alignment"): where the plain access succeeded, the atomic
 * must raise an access fault (or, for an AMO under Zam, complete). */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

/* Two pages, so accesses can straddle the boundary in the middle. */
static uint8_t buf[8192] __attribute__((aligned(4096)));
#define PAGE_END 4096

static uint8_t pattern(unsigned i)
{
	return (uint8_t)(i * 37 + 11);
}

static void fill(void)
{
	for (unsigned i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
}

static uint64_t expected(unsigned off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)pattern(off + i) << (8 * i);
	return v;
}

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	unsigned shift = 64 - 8 * size;
	return (uint64_t)((int64_t)(v << shift) >> shift);
}

/* Offsets that are misaligned for every width, in the middle of a page and
 * across its end. */
static const unsigned offsets[] = { 1, 3, 5, 6, 7, 101, PAGE_END - 1, PAGE_END - 2,
				    PAGE_END - 3, PAGE_END - 5, PAGE_END - 7 };
#define N_OFFSETS (sizeof(offsets) / sizeof(offsets[0]))

/* Which (offset, width) pairs trapped as address-misaligned on a plain load,
 * for the atomics' rule. */
static int load_trapped[N_OFFSETS][9];

#define LOAD(insn, addr) ({ uint64_t v__ = 0xdeadull; \
	__asm__ volatile(insn " %0, 0(%1)" : "+r"(v__) : "r"(addr) : "memory"); v__; })

/* One misaligned load: either the right value, or a load-address-misaligned
 * trap at the address. Returns whether it trapped. */
static int check_load(uint64_t got, unsigned off, unsigned size, int is_signed, int n)
{
	uint64_t addr = (uint64_t)&buf[off];
	if (mtrap.count) {
		CHECK_EQ(mtrap.count, 1, n);
		CHECK_EQ(mtrap.cause, CAUSE_LOAD_MISALIGNED, n);
		CHECK_EQ(mtrap.tval, addr, n);
		CHECK_EQ(got, 0xdead, n);
		trap_record_clear(&mtrap);
		return 1;
	}
	uint64_t want = expected(off, size);
	CHECK_EQ(got, is_signed ? sign_extend(want, size) : want, n);
	return 0;
}

static void check_loads(void)
{
	fill();
	trap_record_clear(&mtrap);
	for (unsigned i = 0; i < N_OFFSETS; i++) {
		unsigned off = offsets[i];
		uint8_t *p = &buf[off];
		if (off % 2) {
			load_trapped[i][2] = check_load(LOAD("lh", p), off, 2, 1, 1);
			check_load(LOAD("lhu", p), off, 2, 0, 2);
		}
		if (off % 4) {
			load_trapped[i][4] = check_load(LOAD("lw", p), off, 4, 1, 3);
			check_load(LOAD("lwu", p), off, 4, 0, 4);
		}
		load_trapped[i][8] = check_load(LOAD("ld", p), off, 8, 0, 5);
	}
}

/* A misaligned store writes exactly its bytes, or traps and writes none
 * (the target here is all RAM, so nothing can fault part-way). */
static void check_store(unsigned off, unsigned size, uint64_t value, int n)
{
	uint64_t addr = (uint64_t)&buf[off];
	if (mtrap.count) {
		CHECK_EQ(mtrap.count, 1, n);
		CHECK_EQ(mtrap.cause, CAUSE_STORE_MISALIGNED, n);
		CHECK_EQ(mtrap.tval, addr, n);
		for (unsigned i = off - 1; i < off + size + 1; i++)
			CHECK_EQ(buf[i], pattern(i), n);
		trap_record_clear(&mtrap);
		return;
	}
	for (unsigned i = off - 1; i < off + size + 1; i++) {
		uint8_t want = i >= off && i < off + size ? (uint8_t)(value >> (8 * (i - off)))
							   : pattern(i);
		CHECK_EQ(buf[i], want, n);
	}
}

/* FP loads and stores move raw bits, so they show misalignment the same way. */
static void check_fp(void)
{
	for (unsigned i = 0; i < N_OFFSETS; i++) {
		unsigned off = offsets[i];
		uint8_t *p = &buf[off];
		uint64_t bits;
		fill();
		trap_record_clear(&mtrap);
		__asm__ volatile("fmv.d.x ft0, zero\n\tfld ft0, 0(%1)\n\tfmv.x.d %0, ft0"
				 : "=r"(bits) : "r"(p) : "ft0", "memory");
		if (mtrap.count) {
			CHECK_EQ(mtrap.cause, CAUSE_LOAD_MISALIGNED, 10);
			CHECK_EQ(mtrap.tval, (uint64_t)p, 10);
		} else {
			CHECK_EQ(bits, expected(off, 8), 10);
		}
		trap_record_clear(&mtrap);
		__asm__ volatile("fmv.d.x ft1, %0\n\tfsd ft1, 0(%1)"
				 :: "r"(0x0102030405060708ull), "r"(p) : "ft1", "memory");
		if (mtrap.count) {
			CHECK_EQ(mtrap.cause, CAUSE_STORE_MISALIGNED, 11);
			CHECK_EQ(mtrap.tval, (uint64_t)p, 11);
		} else {
			for (unsigned b = 0; b < 8; b++)
				CHECK_EQ(buf[off + b], 8 - b, 11);
		}
		if (off % 4 == 0)
			continue;
		fill();
		trap_record_clear(&mtrap);
		__asm__ volatile("fmv.w.x ft1, %0\n\tfsw ft1, 0(%1)"
				 :: "r"(0x05060708ull), "r"(p) : "ft1", "memory");
		int fsw_trapped = mtrap.count != 0;
		check_store(off, 4, 0x05060708, 12);
		trap_record_clear(&mtrap);
		__asm__ volatile("fmv.w.x ft2, zero\n\tflw ft2, 0(%1)\n\tfmv.x.w %0, ft2"
				 : "=r"(bits) : "r"(p) : "ft2", "memory");
		if (mtrap.count) {
			CHECK_EQ(mtrap.cause, CAUSE_LOAD_MISALIGNED, 13);
			CHECK_EQ(mtrap.tval, (uint64_t)p, 13);
		} else {
			CHECK_EQ(bits, fsw_trapped ? sign_extend(expected(off, 4), 4) : 0x05060708, 13);
		}
	}
}

static void check_stores(void)
{
	const uint64_t value = 0xf1e2d3c4b5a69788ull;
	for (unsigned i = 0; i < N_OFFSETS; i++) {
		unsigned off = offsets[i];
		uint8_t *p = &buf[off];
		trap_record_clear(&mtrap);
		if (off % 2) {
			fill();
			__asm__ volatile("sh %0, 0(%1)" :: "r"(value), "r"(p) : "memory");
			check_store(off, 2, value, 20);
		}
		if (off % 4) {
			fill();
			__asm__ volatile("sw %0, 0(%1)" :: "r"(value), "r"(p) : "memory");
			check_store(off, 4, value, 21);
		}
		fill();
		__asm__ volatile("sd %0, 0(%1)" :: "r"(value), "r"(p) : "memory");
		check_store(off, 8, value, 22);
	}
}

/* Compressed loads and stores follow the same rules (their offsets are
 * scaled, so a misaligned base register makes them misaligned). */
static void check_compressed(void)
{
	register uint8_t *base __asm__("a1") = &buf[PAGE_END - 3];
	register uint64_t value __asm__("a0") = 0;
	fill();
	trap_record_clear(&mtrap);
	__asm__ volatile("c.ld %0, 0(%1)" : "+r"(value) : "r"(base) : "memory");
	if (!mtrap.count)
		CHECK_EQ(value, expected(PAGE_END - 3, 8), 30);
	else
		CHECK_EQ(mtrap.cause, CAUSE_LOAD_MISALIGNED, 30);
	value = 0x1122334455667788ull;
	trap_record_clear(&mtrap);
	__asm__ volatile("c.sw %0, 4(%1)" :: "r"(value), "r"(base) : "memory");
	check_store(PAGE_END + 1, 4, value, 31);
}

/* The atomic at addr must not have completed as a misaligned exception
 * where the plain access of that width succeeded. */
static void check_atomic_fault(int plain_trapped, uint64_t addr, uint64_t access_cause, int n)
{
	CHECK_EQ(mtrap.count, 1, n);
	if (plain_trapped)
		CHECK(mtrap.cause == access_cause || mtrap.cause == access_cause - 1, n);
	else
		CHECK_EQ(mtrap.cause, access_cause, n);
	CHECK_EQ(mtrap.tval, addr, n);
	trap_record_clear(&mtrap);
}

static void check_atomics(void)
{
	for (unsigned i = 0; i < N_OFFSETS; i++) {
		unsigned off = offsets[i];
		uint8_t *p = &buf[off];
		uint64_t old = 0x77;
		fill();
		trap_record_clear(&mtrap);
		/* LR and SC: always an exception when misaligned. */
		__asm__ volatile("lr.d %0, (%1)" : "+r"(old) : "r"(p) : "memory");
		check_atomic_fault(load_trapped[i][8], (uint64_t)p, CAUSE_LOAD_ACCESS, 40);
		CHECK_EQ(old, 0x77, 40);
		__asm__ volatile("sc.d %0, %1, (%2)" : "+r"(old) : "r"(0ull), "r"(p) : "memory");
		check_atomic_fault(load_trapped[i][8], (uint64_t)p, CAUSE_STORE_ACCESS, 41);
		if (off % 4) {
			__asm__ volatile("lr.w %0, (%1)" : "+r"(old) : "r"(p) : "memory");
			check_atomic_fault(load_trapped[i][4], (uint64_t)p, CAUSE_LOAD_ACCESS, 42);
			__asm__ volatile("sc.w %0, %1, (%2)" : "+r"(old) : "r"(0ull), "r"(p) : "memory");
			check_atomic_fault(load_trapped[i][4], (uint64_t)p, CAUSE_STORE_ACCESS, 43);
		}
		for (unsigned b = 0; b < 16 && off + b < sizeof(buf); b++)
			CHECK_EQ(buf[off + b], pattern(off + b), 44);

		/* AMOs: an access fault, or (Zam) the operation done right. */
		__asm__ volatile("amoadd.d %0, %1, (%2)" : "=r"(old) : "r"(1ull), "r"(p) : "memory");
		if (mtrap.count) {
			check_atomic_fault(load_trapped[i][8], (uint64_t)p, CAUSE_STORE_ACCESS, 45);
			CHECK_EQ(buf[off], pattern(off), 45);
		} else {
			CHECK_EQ(old, expected(off, 8), 45);
			CHECK_EQ(buf[off], (uint8_t)(pattern(off) + 1), 45);
		}
		if (off % 4) {
			fill();
			__asm__ volatile("amoswap.w %0, %1, (%2)" : "=r"(old) : "r"(0ull), "r"(p)
					 : "memory");
			if (mtrap.count) {
				check_atomic_fault(load_trapped[i][4], (uint64_t)p,
						   CAUSE_STORE_ACCESS, 46);
				CHECK_EQ(buf[off], pattern(off), 46);
			} else {
				CHECK_EQ(old, sign_extend(expected(off, 4), 4), 46);
				CHECK_EQ(buf[off], 0, 46);
			}
		}
	}
}

int main(void)
{
	check_loads();
	check_fp();
	check_stores();
	check_compressed();
	check_atomics();
	return 0;
}
