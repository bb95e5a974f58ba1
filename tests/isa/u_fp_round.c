/* F/D rounding modes (unprivileged spec, F extension, "Floating-Point Control
 * and Status Register", table "Rounding mode encoding"): every mode through the
 * instruction's rm field and through frm with rm=DYN, on inputs where the modes
 * give different results; reserved rm values (101, 110 in the instruction;
 * 101-111 in frm under DYN) raise an illegal-instruction exception, which the
 * ratified F 2.2 spec mandates and the current text still allows. */
#include "u_fp.h"
#include "u_trap.h"

enum { RNE, RTZ, RDN, RUP, RMM, MODES };

/* One operation, its result in each of the five modes in enum order, and the
 * flags every mode raises. */
struct row {
	struct fp_res got[MODES];
	uint64_t want[MODES];
	uint64_t flags;
};

#define STATIC_MODES(OP, ...) { OP(RM_RNE, __VA_ARGS__), OP(RM_RTZ, __VA_ARGS__), \
	OP(RM_RDN, __VA_ARGS__), OP(RM_RUP, __VA_ARGS__), OP(RM_RMM, __VA_ARGS__) }

#define FADD_S(rm, a, b) FP_OP2("fadd.s", rm, BOX(a), BOX(b))
#define FADD_D(rm, a, b) FP_OP2("fadd.d", rm, a, b)
#define FSQRT_S(rm, a) FP_OP1("fsqrt.s", rm, BOX(a))
#define FCVT_W_D(rm, a) FP_TO_X("fcvt.w.d", rm, a)
#define FCVT_S_W(rm, x) FP_FROM_X("fcvt.s.w", rm, x)
#define FMADD_D(rm, a, b, c) FP_OP3("fmadd.d", rm, a, b, c)

/* The same operation with rm=DYN, frm set to each mode in turn. */
#define DYN_MODES(r, OP, ...) do { \
	for (int m_ = 0; m_ < MODES; m_++) { \
		csr_write(frm, m_); \
		(r).got[m_] = OP(RM_DYN, __VA_ARGS__); \
	} \
	csr_write(frm, 0); \
} while (0)

static void check_row(int n, const struct row *r)
{
	for (int m = 0; m < MODES; m++) {
		if (r->got[m].v == r->want[m] && r->got[m].flags == r->flags)
			continue;
		test_puts("rounding mode ");
		test_puthex(m);
		test_putchar('\n');
		fp_check(n, r->got[m], r->want[m], r->flags);
	}
}

/* Each operation once with static modes (check n) and once dynamic (n + 1). */
#define ROW(n, flags_, want_, OP, ...) do { \
	struct row r_ = { STATIC_MODES(OP, __VA_ARGS__), want_, flags_ }; \
	check_row(n, &r_); \
	DYN_MODES(r_, OP, __VA_ARGS__); \
	check_row((n) + 1, &r_); \
} while (0)

#define W5(a, b, c, d, e) { a, b, c, d, e }
#define S5(a, b, c, d, e) { BOX(a), BOX(b), BOX(c), BOX(d), BOX(e) }

static void rounding_modes(void)
{
	/* 1 + 2^-24 is half an ulp above 1.0: a tie, and 1.0 is the even
	 * neighbour. Modes in order RNE RTZ RDN RUP RMM. */
	ROW(1, NX, S5(0x3f800000, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001),
	    FADD_S, 0x3f800000, 0x33800000);
	/* The same tie, negative: RDN and RMM go away from zero. */
	ROW(3, NX, S5(0xbf800000, 0xbf800000, 0xbf800001, 0xbf800000, 0xbf800001),
	    FADD_S, 0xbf800000, 0xb3800000);
	/* A tie whose lower neighbour 1+2^-23 is odd: RNE rounds up. */
	ROW(5, NX, S5(0x3f800002, 0x3f800001, 0x3f800001, 0x3f800002, 0x3f800002),
	    FADD_S, 0x3f800001, 0x33800000);
	/* 1 + 3*2^-25 is 0.75 ulp above 1.0: not a tie. */
	ROW(7, NX, S5(0x3f800001, 0x3f800000, 0x3f800000, 0x3f800001, 0x3f800001),
	    FADD_S, 0x3f800000, 0x33c00000);
	/* Double: 1 + 2^-53 is a tie between 1.0 and 1 + 2^-52. */
	ROW(9, NX, W5(0x3ff0000000000000ull, 0x3ff0000000000000ull, 0x3ff0000000000000ull,
		      0x3ff0000000000001ull, 0x3ff0000000000001ull),
	    FADD_D, 0x3ff0000000000000ull, 0x3ca0000000000000ull);
	ROW(11, NX, W5(0xbff0000000000000ull, 0xbff0000000000000ull, 0xbff0000000000001ull,
		       0xbff0000000000000ull, 0xbff0000000000001ull),
	    FADD_D, 0xbff0000000000000ull, 0xbca0000000000000ull);
	/* sqrt(2) = 1.41421356...: 0x3fb504f3 (1.41421353...) lies below it
	 * and is the nearest; 0x3fb504f4 lies above. */
	ROW(13, NX, S5(0x3fb504f3, 0x3fb504f3, 0x3fb504f3, 0x3fb504f4, 0x3fb504f3),
	    FSQRT_S, 0x40000000);
	/* Float to integer: 2.5, -2.5 (ties) and -1.5 (a tie whose even
	 * neighbour is -2). Results are sign-extended to 64 bits. */
	ROW(15, NX, W5(2, 2, 2, 3, 3), FCVT_W_D, 0x4004000000000000ull);
	ROW(17, NX, W5(-2ull, -2ull, -3ull, -2ull, -3ull), FCVT_W_D, 0xc004000000000000ull);
	ROW(19, NX, W5(-2ull, -1ull, -2ull, -1ull, -2ull), FCVT_W_D, 0xbff8000000000000ull);
	/* Integer to float: 2^24 + 1 is a tie between 2^24 and 2^24 + 2. */
	ROW(21, NX, S5(0x4b800000, 0x4b800000, 0x4b800000, 0x4b800001, 0x4b800001),
	    FCVT_S_W, 0x01000001);
	/* Fused: 1.0 * 1.0 + 2^-53 rounds once, like the addition above. */
	ROW(23, NX, W5(0x3ff0000000000000ull, 0x3ff0000000000000ull, 0x3ff0000000000000ull,
		       0x3ff0000000000001ull, 0x3ff0000000000001ull),
	    FMADD_D, 0x3ff0000000000000ull, 0x3ff0000000000000ull, 0x3ca0000000000000ull);
}

/* Runs one instruction text that must raise an illegal-instruction exception
 * and checks the trap: cause 2, mepc at the instruction, mtval the
 * instruction's bits (privileged spec, "Machine Trap Value Register", allows
 * 0 or the bits; doppel reports the bits). The destination ft2 and fflags
 * must be left untouched. */
#define EXPECT_ILLEGAL(n, insn) do { \
	uint64_t pc_, ft2_, flags_; \
	trap_expect(); \
	__asm__ volatile( \
		"fmv.d.x ft0, %3\n\tfmv.d.x ft1, %3\n\tfmv.d.x ft2, %4\n\tcsrw fflags, zero\n\t" \
		"la %0, 1f\n" \
		"1:\t" insn "\n\t" \
		"fmv.x.d %1, ft2\n\tcsrr %2, fflags" \
		: "=&r"(pc_), "=&r"(ft2_), "=&r"(flags_) \
		: "r"(0x3ff8000000000000ull), "r"(0x5a5a5a5a5a5a5a5aull) \
		: "ft0", "ft1", "ft2", "ft3", "a0", "memory"); \
	check_illegal(n, pc_, ft2_, flags_); \
} while (0)

static void check_illegal(int n, uint64_t pc, uint64_t ft2, uint64_t flags)
{
	uint32_t bits = *(volatile uint32_t *)pc;

	if (trap_count == 1 && trap_cause == CAUSE_ILLEGAL_INSN && trap_epc == pc &&
	    trap_tval == bits &&
	    ft2 == 0x5a5a5a5a5a5a5a5aull && flags == 0)
		return;
	test_puts("illegal-instruction check: count ");
	test_puthex(trap_count);
	test_puts(" cause ");
	test_puthex(trap_cause);
	test_puts(" epc ");
	test_puthex(trap_epc);
	test_puts(" tval ");
	test_puthex(trap_tval);
	test_puts(" ft2 ");
	test_puthex(ft2);
	test_puts(" fflags ");
	test_puthex(flags);
	test_putchar('\n');
	test_exit(n);
}

/* Static reserved rounding modes 101 and 110, in instructions of several
 * shapes. .insn spells out funct3 = rm since the assembler rejects them. */
static void reserved_static_rm(void)
{
	EXPECT_ILLEGAL(30, ".insn r OP_FP, 5, 0x00, ft2, ft0, ft1");   /* fadd.s */
	EXPECT_ILLEGAL(31, ".insn r OP_FP, 6, 0x01, ft2, ft0, ft1");   /* fadd.d */
	EXPECT_ILLEGAL(32, ".insn r OP_FP, 6, 0x09, ft2, ft0, ft1");   /* fmul.d */
	EXPECT_ILLEGAL(33, ".insn r OP_FP, 5, 0x2d, ft2, ft0, f0");    /* fsqrt.d */
	EXPECT_ILLEGAL(34, ".insn r4 MADD, 6, 0, ft2, ft0, ft1, ft3"); /* fmadd.s */
	EXPECT_ILLEGAL(35, ".insn r4 NMSUB, 5, 1, ft2, ft0, ft1, ft3"); /* fnmsub.d */
	EXPECT_ILLEGAL(36, ".insn r OP_FP, 5, 0x60, a0, ft0, f0");     /* fcvt.w.s */
	EXPECT_ILLEGAL(37, ".insn r OP_FP, 6, 0x69, ft2, a0, f0");     /* fcvt.d.w */
	/* fcvt.d.s is exact whatever the mode, but the rm field still decodes
	 * as usual (F extension, "Floating-Point Control and Status Register"). */
	EXPECT_ILLEGAL(38, ".insn r OP_FP, 5, 0x21, ft2, ft0, f0");    /* fcvt.d.s */
}

/* frm = 101, 110, 111 with rm = DYN: illegal; instructions without a rounding
 * mode, and those with a static one, still execute. */
static void reserved_dynamic_rm(void)
{
	for (unsigned mode = 5; mode <= 7; mode++) {
		csr_write(frm, mode);
		CHECK(csr_read(frm) == mode, 40);
		CHECK(csr_read(fcsr) >> 5 == mode, 41);
		EXPECT_ILLEGAL(42, "fadd.s ft2, ft0, ft1, dyn");
		EXPECT_ILLEGAL(43, "fmul.d ft2, ft0, ft1, dyn");
		EXPECT_ILLEGAL(44, "fmadd.d ft2, ft0, ft1, ft3, dyn");
		EXPECT_ILLEGAL(45, "fcvt.w.d a0, ft0, dyn");
		EXPECT_ILLEGAL(46, ".insn r OP_FP, 7, 0x21, ft2, ft0, f0"); /* fcvt.d.s, dyn */
		EXPECT_ILLEGAL(47, "fsqrt.s ft2, ft0, dyn");

		fp_check(48, FP_OP2("fsgnjn.d", RM_NONE, 0x3ff0000000000000ull, 0),
			 0xbff0000000000000ull, 0);
		fp_check(49, FP_OP2("fmin.s", RM_NONE, BOX(0x3f800000), BOX(0x40000000)),
			 BOX(0x3f800000), 0);
		fp_check(50, FP_CMP("flt.d", 0x3ff0000000000000ull, 0x4000000000000000ull), 1, 0);
		fp_check(51, FP_TO_X("fclass.d", RM_NONE, 0x3ff0000000000000ull), 1 << 6, 0);
		fp_check(52, FP_OP2("fadd.s", RM_RUP, BOX(0x3f800000), BOX(0x33800000)),
			 BOX(0x3f800001), NX);
		CHECK(csr_read(frm) == mode, 53);
	}
	csr_write(frm, 0);
}

int main(void)
{
	rounding_modes();
	reserved_static_rm();
	reserved_dynamic_rm();
	return 0;
}
