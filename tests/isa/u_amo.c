/* A extension on one hart (unprivileged spec, A extension, "Load-Reserved/
 * Store-Conditional Instructions" and "Atomic Memory Operations"): SC writes 0
 * to rd and stores only with a valid reservation for its address, and any SC
 * gives up the reservation; AMOs return the old value (sign-extended for .W),
 * store op(old, rs2), and the .W forms touch only their word; LR and AMOs at
 * an address that is not naturally aligned raise an exception instead of
 * being performed, even though ordinary misaligned accesses are. */
#include "u_check.h"
#include "u_trap.h"

#define CAUSE_LOAD_MISALIGNED   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_STORE_MISALIGNED  6
#define CAUSE_STORE_ACCESS      7

/* Separate pages, so that no plausible reservation set covers two of them. */
static volatile uint64_t cell_a __attribute__((aligned(4096)));
static volatile uint64_t cell_b __attribute__((aligned(4096)));

#define LR_D(addr) ({ uint64_t v_; \
	__asm__ volatile("lr.d %0, (%1)" : "=r"(v_) : "r"(addr) : "memory"); v_; })
#define LR_W(addr) ({ uint64_t v_; \
	__asm__ volatile("lr.w %0, (%1)" : "=r"(v_) : "r"(addr) : "memory"); v_; })
#define SC_D(addr, val) ({ uint64_t r_; \
	__asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(r_) : "r"(addr), "r"((uint64_t)(val)) : "memory"); r_; })
#define SC_W(addr, val) ({ uint64_t r_; \
	__asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(r_) : "r"(addr), "r"((uint64_t)(val)) : "memory"); r_; })
#define AMO(mn, addr, val) ({ uint64_t r_; \
	__asm__ volatile(mn " %0, %2, (%1)" : "=&r"(r_) : "r"(addr), "r"((uint64_t)(val)) : "memory"); r_; })

static void lr_sc(void)
{
	volatile uint32_t *word_a = (volatile uint32_t *)&cell_a;

	/* No LR has run yet: no reservation, so SC fails and does not store. */
	cell_a = 0x1111;
	CHECK(SC_D(&cell_a, 0x2222) != 0, 1);
	check_eq(2, cell_a, 0x1111);

	/* LR then SC to the same address succeeds and stores. */
	check_eq(3, LR_D(&cell_a), 0x1111);
	check_eq(4, SC_D(&cell_a, 0x3333), 0);
	check_eq(5, cell_a, 0x3333);

	/* That SC consumed the reservation: a second SC fails. */
	CHECK(SC_D(&cell_a, 0x4444) != 0, 6);
	check_eq(7, cell_a, 0x3333);

	/* A reservation on one address does not cover another; the failed
	 * SC still gives up the reservation on the first. */
	cell_b = 0x5555;
	LR_D(&cell_a);
	CHECK(SC_D(&cell_b, 0x6666) != 0, 8);
	check_eq(9, cell_b, 0x5555);
	CHECK(SC_D(&cell_a, 0x7777) != 0, 10);
	check_eq(11, cell_a, 0x3333);

	/* lr.w sign-extends; sc.w stores 32 bits and leaves the next word. */
	cell_a = 0x0123456780000000ull;
	check_eq(12, LR_W(word_a), 0xffffffff80000000ull);
	check_eq(13, SC_W(word_a, 0xaaaaaaaa7fffffffull), 0);
	check_eq(14, cell_a, 0x012345677fffffffull);
	/* sc.w after it consumed the reservation: no store. */
	CHECK(SC_W(word_a, 0x5) != 0, 15);
	check_eq(16, cell_a, 0x012345677fffffffull);
}

/* Each .W AMO on the low word of a doubleword whose high word is a sentinel:
 * old 0x80000001 (negative as a signed word), rs2 with garbage in its upper
 * half, which a .W operation must ignore. */
#define AMO_W(n, mn, want_mem) do { \
	cell_a = 0x5a5a5a5a80000001ull; \
	check_eq(n, AMO(mn, &cell_a, 0xffffffff00000003ull), 0xffffffff80000001ull); \
	check_eq((n) + 1, cell_a, 0x5a5a5a5a00000000ull | (uint32_t)(want_mem)); \
} while (0)

#define AMO_D(n, mn, want_mem) do { \
	cell_a = 0x8000000000000001ull; \
	check_eq(n, AMO(mn, &cell_a, 3), 0x8000000000000001ull); \
	check_eq((n) + 1, cell_a, want_mem); \
} while (0)

static void amo_word(void)
{
	AMO_W(20, "amoswap.w", 0x00000003);
	AMO_W(22, "amoadd.w", 0x80000004);
	AMO_W(24, "amoxor.w", 0x80000002);
	AMO_W(26, "amoand.w", 0x00000001);
	AMO_W(28, "amoor.w", 0x80000003);
	AMO_W(30, "amomin.w", 0x80000001);    /* -2147483647 < 3 */
	AMO_W(32, "amomax.w", 0x00000003);
	AMO_W(34, "amominu.w", 0x00000003);   /* 3 < 0x80000001 unsigned */
	AMO_W(36, "amomaxu.w", 0x80000001);
	AMO_W(38, "amoswap.w.aqrl", 0x00000003);
	AMO_W(40, "amoadd.w.aq", 0x80000004);

	/* A carry out of bit 31 does not reach the high word. */
	cell_a = 0x5a5a5a5affffffffull;
	check_eq(42, AMO("amoadd.w", &cell_a, 1), 0xffffffffffffffffull);
	check_eq(43, cell_a, 0x5a5a5a5a00000000ull);
	/* Two negative words: signed and unsigned order agree here. */
	cell_a = 0xfffffffe;
	check_eq(44, AMO("amomin.w", &cell_a, 0xffffffff), 0xfffffffffffffffeull);
	check_eq(45, cell_a, 0xfffffffe);
	check_eq(46, AMO("amomaxu.w", &cell_a, 0x7fffffff), 0xfffffffffffffffeull);
	check_eq(47, cell_a, 0xfffffffe);
	/* A positive word is returned zero-extended, i.e. sign-extended. */
	cell_a = 0x7fffffff;
	check_eq(48, AMO("amomax.w", &cell_a, 0x80000000), 0x7fffffff);
	check_eq(49, cell_a, 0x7fffffff);
}

static void amo_double(void)
{
	AMO_D(50, "amoswap.d", 3);
	AMO_D(52, "amoadd.d", 0x8000000000000004ull);
	AMO_D(54, "amoxor.d", 0x8000000000000002ull);
	AMO_D(56, "amoand.d", 1);
	AMO_D(58, "amoor.d", 0x8000000000000003ull);
	AMO_D(60, "amomin.d", 0x8000000000000001ull);
	AMO_D(62, "amomax.d", 3);
	AMO_D(64, "amominu.d", 3);
	AMO_D(66, "amomaxu.d", 0x8000000000000001ull);
	AMO_D(68, "amoor.d.rl", 0x8000000000000003ull);

	/* rd = x0 still stores; rd = rs2 gets the old value. */
	cell_a = 10;
	__asm__ volatile("amoadd.d x0, %1, (%0)" :: "r"(&cell_a), "r"(5ull) : "memory");
	check_eq(70, cell_a, 15);
	{
		uint64_t v = 7;
		__asm__ volatile("amoswap.d %0, %0, (%1)" : "+r"(v) : "r"(&cell_a) : "memory");
		check_eq(71, v, 15);
		check_eq(72, cell_a, 7);
	}
}

/* One misaligned atomic access: it must trap with a load cause (LR) or a
 * store/AMO cause (AMOs) -- address-misaligned or access-fault, both allowed
 * by the A extension -- with mtval the address (the privileged spec allows 0
 * or the address; doppel reports the address), and change neither rd nor
 * memory. Failures n..n+4. */
#define MISALIGNED(n, insn, addr, is_load) do { \
	uint64_t rd_ = 0xdeadbeef; \
	uint64_t cause_a_ = (is_load) ? CAUSE_LOAD_MISALIGNED : CAUSE_STORE_MISALIGNED; \
	uint64_t cause_b_ = (is_load) ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS; \
	cell_b = 0x1122334455667788ull; \
	trap_expect(); \
	__asm__ volatile(insn : "+r"(rd_) : "r"(addr), "r"(1ull) : "memory"); \
	check_eq(n, trap_count, 1); \
	if (trap_cause != cause_a_ && trap_cause != cause_b_) \
		check_eq((n) + 1, trap_cause, cause_a_); \
	check_eq((n) + 2, trap_tval, (uint64_t)(addr)); \
	check_eq((n) + 3, rd_, 0xdeadbeef); \
	check_eq((n) + 4, cell_b, 0x1122334455667788ull); \
} while (0)

static void misaligned(void)
{
	volatile uint8_t *base = (volatile uint8_t *)&cell_b;

	MISALIGNED(80, "lr.w %0, (%1)", base + 2, 1);
	MISALIGNED(85, "lr.d %0, (%1)", base + 4, 1);
	MISALIGNED(90, "amoswap.w %0, %2, (%1)", base + 1, 0);
	MISALIGNED(95, "amoadd.d %0, %2, (%1)", base + 4, 0);
	MISALIGNED(100, "amomaxu.w %0, %2, (%1)", base + 3, 0);
}

int main(void)
{
	lr_sc();
	amo_word();
	amo_double();
	misaligned();
	return 0;
}
