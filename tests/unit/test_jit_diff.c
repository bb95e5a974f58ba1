/* Differential test of the translator (cpu/jit.c) against the interpreter
 * (cpu/exec.c): the same random program runs on harts that differ only in
 * jit_threshold (0: interpreted, 1: every block translated, 2: interpreted
 * first, translated from the second run on), and everything a program can
 * observe must come out identical: x and f registers, pc, the counters, the
 * trap CSRs, fcsr (fflags and frm), mstatus, mscratch and sscratch, and the
 * data it stored.
 *
 * Programs are RV64IMAFD + Zba/Zbb/Zbs + C, encoded here: ALU operations on
 * interesting values, loads and stores of every width (misaligned, crossing
 * a page), forward branches, bounded loops, jal/jalr to computed targets
 * (also across pages, where translated blocks are not chained), scratch,
 * floating-point and counter CSR accesses, atomics, every F and D
 * instruction with every rounding mode (static, dynamic with any frm, and
 * the reserved ones, which trap), and now and then an instruction that traps
 * in the middle of a block (a load from a wild address among them). Every
 * instruction that writes an x register may name x0, and one that reads the
 * register just written often follows, so that a write to x0 shows at once.
 * One program in eight runs with mstatus.FS off, where every F and D
 * instruction traps. Half of them run in M-mode, half in
 * S-mode under Sv39 with their pages in another order in RAM. Each program
 * ends with ecall into an M-mode trap vector holding wfi, which stops
 * hart_run; it runs twice on the same harts, the second time through the
 * translations (and chains) the first left, and in slices of random length.
 *
 * The seed and the number of programs can be changed through the
 * environment: DOPPEL_JIT_DIFF_SEED, DOPPEL_JIT_DIFF_PROGRAMS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/csr.h"
#include "cpu/disasm.h"
#include "cpu/fpu.h"
#include "cpu/hart.h"
#include "cpu/pmp.h"
#include "cpu/trap.h"

#define RAM_BASE    0x80000000ull
#define RAM_SIZE    (1u << 20)
#define TRAP_VECTOR RAM_BASE                 /* holds wfi */
/* Offsets in a program's view of RAM: at RAM_BASE in M-mode, at VA_BASE
 * through Sv39 in S-mode (see ram_page). */
#define CODE_OFF    0x1000u
#define CODE_MAX    0x8000u                  /* 8 pages of program */
#define DATA_OFF    0x10000u
#define DATA_SIZE   0x2000u                  /* 2 pages that stores may touch */
#define DATA_MID    (DATA_OFF + 0x1000)
#define CODE_BASE   (RAM_BASE + CODE_OFF)    /* M-mode addresses */
#define DATA_BASE   (RAM_BASE + DATA_OFF)
#define VA_BASE     0x40000000ull
#define PAGE_TABLES (RAM_BASE + 0x40000)     /* Sv39 root, then one table per level */
#define PTE_VALID   0x01u
#define PTE_RWX_AD  0xceu                    /* R, W, X, accessed, dirty */
#define SATP_SV39   (8ull << 60)

/* Registers programs never overwrite: two data pointers (x8 and x9, so
 * compressed loads and stores can use them) and the loop counter (x15, so
 * c.bnez can test it). x31 holds computed jump targets. */
enum { REG_DATA = 8, REG_DATA_ODD = 9, REG_COUNTER = 15, REG_TARGET = 31 };
#define DATA_PTR     (DATA_MID - 64)         /* 8-aligned offsets */
#define DATA_PTR_ODD (DATA_MID - 0x43)

#define SLICE_MAX  100                       /* hart_run budgets are 1..SLICE_MAX */
#define RUN_LIMIT  100000                    /* hart_run calls before a program "hangs" */

enum { ENGINE_INTERP, ENGINE_JIT, ENGINE_JIT_LATE, ENGINES };
static const uint32_t engine_threshold[ENGINES] = { 0, 1, 2 };
static const char *const engine_name[ENGINES] = {
	"interpreter", "translator (threshold 1)", "translator (threshold 2)",
};

struct machine_under_test {
	struct bus bus;
	uint8_t *ram;
	struct hart *hart;
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* splitmix64: small, and the same sequence on every host. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

static int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* ---- Encoders (unprivileged spec, "Instruction Formats" and "RVC") ---- */

#define ENC_ECALL   0x00000073u
#define ENC_EBREAK  0x00100073u
#define ENC_C_EBREAK 0x9002u
#define ENC_WFI     0x10500073u
#define ENC_FENCE   0x0ff0000fu
#define ENC_FENCE_I 0x0000100fu
#define OPC_OP      0x33u
#define OPC_OP_32   0x3bu
#define OPC_OP_IMM  0x13u
#define OPC_IMM_32  0x1bu
#define OPC_LOAD    0x03u
#define OPC_STORE   0x23u
#define OPC_JAL     0x6fu
#define OPC_JALR    0x67u
#define OPC_AMO     0x2fu
#define OPC_FP      0x53u
#define OPC_LOAD_FP 0x07u
#define OPC_STORE_FP 0x27u
#define OPC_FMADD   0x43u                    /* fmsub, fnmsub, fnmadd: + 4, 8, 12 */
#define OPC_BRANCH  0x63u
#define OPC_SYSTEM  0x73u

static uint32_t enc_r(uint32_t f7, unsigned rs2, unsigned rs1, uint32_t f3, unsigned rd,
		      uint32_t opcode)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_i(int64_t imm, unsigned rs1, uint32_t f3, unsigned rd, uint32_t opcode)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_s(int64_t imm, unsigned rs2, unsigned rs1, uint32_t f3)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | OPC_STORE;
}

static uint32_t imm_b(int64_t imm)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7;
}

static uint32_t imm_j(int64_t imm)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 20 & 1) << 31 | (u >> 1 & 0x3ff) << 21 | (u >> 11 & 1) << 20 |
	       (u >> 12 & 0xff) << 12;
}

static uint32_t imm_cj(int64_t imm)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 11 & 1) << 12 | (u >> 4 & 1) << 11 | (u >> 8 & 3) << 9 | (u >> 10 & 1) << 8 |
	       (u >> 6 & 1) << 7 | (u >> 7 & 1) << 6 | (u >> 1 & 7) << 3 | (u >> 5 & 1) << 2;
}

static uint32_t imm_cb(int64_t imm)
{
	uint32_t u = (uint32_t)imm;
	return (u >> 8 & 1) << 12 | (u >> 3 & 3) << 10 | (u >> 6 & 3) << 5 | (u >> 1 & 3) << 3 |
	       (u >> 5 & 1) << 2;
}

/* CI format: funct3, imm[5], rd, imm[4:0], quadrant. */
static uint32_t enc_ci(uint32_t f3, unsigned rd, int64_t imm, uint32_t quadrant)
{
	uint32_t u = (uint32_t)imm;
	return f3 << 13 | (u >> 5 & 1) << 12 | rd << 7 | (u & 0x1f) << 2 | quadrant;
}

static uint32_t enc_lui(unsigned rd, uint32_t imm20)
{
	return (imm20 & 0xfffff) << 12 | rd << 7 | 0x37;
}

static uint32_t enc_auipc(unsigned rd, uint32_t imm20)
{
	return (imm20 & 0xfffff) << 12 | rd << 7 | 0x17;
}

/* ---- Programs: code, a listing of where each instruction is, labels ---- */

#define MAX_INSNS  4096
#define MAX_LABELS 512

enum fixup_kind { FIX_B, FIX_J, FIX_CB, FIX_CJ, FIX_AUIPC_PAIR };

struct fixup {
	uint32_t at;            /* offset of the instruction (of auipc for a pair) */
	uint32_t label;
	enum fixup_kind kind;
	int32_t bias;           /* added to the distance (an odd jalr target) */
};

struct program {
	uint64_t base;                  /* RAM_BASE, or VA_BASE for S-mode under Sv39 */
	bool supervisor;
	unsigned fs;                    /* mstatus.FS it runs with: 0 is Off */
	uint8_t code[CODE_MAX];
	uint32_t entry, len;            /* offsets from base + CODE_OFF */
	uint32_t insn_at[MAX_INSNS];
	uint32_t ninsns;
	uint32_t label_at[MAX_LABELS];
	uint32_t nlabels;
	struct fixup fix[MAX_LABELS];
	uint32_t nfix;
};

static void emit(struct program *p, uint32_t raw, unsigned len)
{
	assert_true(p->len + len <= CODE_MAX && p->ninsns < MAX_INSNS);
	p->insn_at[p->ninsns++] = p->len;
	memcpy(p->code + p->len, &raw, len);
	p->len += len;
}

static void emit32(struct program *p, uint32_t raw)
{
	emit(p, raw, 4);
}

static void emit16(struct program *p, uint32_t raw)
{
	emit(p, raw, 2);
}

static uint32_t new_label(struct program *p)
{
	assert_true(p->nlabels < MAX_LABELS);
	p->label_at[p->nlabels] = UINT32_MAX;
	return p->nlabels++;
}

static void place_label(struct program *p, uint32_t label)
{
	p->label_at[label] = p->len;
}

/* Records that the instruction about to be emitted refers to label. */
static void refer(struct program *p, uint32_t label, enum fixup_kind kind, int32_t bias)
{
	assert_true(p->nfix < MAX_LABELS);
	p->fix[p->nfix++] = (struct fixup){ p->len, label, kind, bias };
}

static void patch32(struct program *p, uint32_t at, uint32_t bits)
{
	uint32_t raw;
	memcpy(&raw, p->code + at, 4);
	raw |= bits;
	memcpy(p->code + at, &raw, 4);
}

static void patch16(struct program *p, uint32_t at, uint32_t bits)
{
	uint16_t raw;
	memcpy(&raw, p->code + at, 2);
	raw = (uint16_t)(raw | bits);
	memcpy(p->code + at, &raw, 2);
}

/* Fills in the distances of every reference, now that labels are placed. */
static void resolve(struct program *p)
{
	for (uint32_t i = 0; i < p->nfix; i++) {
		const struct fixup *f = &p->fix[i];
		assert_true(p->label_at[f->label] != UINT32_MAX);
		int64_t d = (int64_t)p->label_at[f->label] - f->at + f->bias;
		switch (f->kind) {
		case FIX_B:
			assert_true(d >= -4096 && d < 4096);
			patch32(p, f->at, imm_b(d));
			break;
		case FIX_J:
			assert_true(d >= -(1 << 20) && d < (1 << 20));
			patch32(p, f->at, imm_j(d));
			break;
		case FIX_CB:
			assert_true(d >= -256 && d < 256);
			patch16(p, f->at, imm_cb(d));
			break;
		case FIX_CJ:
			assert_true(d >= -2048 && d < 2048);
			patch16(p, f->at, imm_cj(d));
			break;
		case FIX_AUIPC_PAIR: {
			/* auipc + an I-type (jalr or addi) whose immediate completes it. */
			int64_t hi = (d + 0x800) >> 12, lo = d - hi * 4096;
			patch32(p, f->at, (uint32_t)hi << 12);
			patch32(p, f->at + 4, ((uint32_t)lo & 0xfff) << 20);
			break;
		}
		}
	}
}

/* ---- The generator ---- */

static const uint64_t interesting[] = {
	0, 1, 2, ~0ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0x80000000ull,
	0x7fffffffull, 0xffffffffull, 0xffffffff80000000ull, 31, 32, 63, 64,
	0x0123456789abcdefull, 0xfffffffffffff800ull,
};

static uint64_t random_value(struct rng *r)
{
	switch (rng_below(r, 3)) {
	case 0: return interesting[rng_below(r, ARRAY_LEN(interesting))];
	case 1: return (uint64_t)rng_range(r, -40, 40);
	default: return rng_next(r);
	}
}

/* A register a program may write: any but the reserved ones, x0 included. */
static unsigned dest_reg(struct rng *r)
{
	for (;;) {
		unsigned rd = rng_below(r, 8) == 0 ? 0 : rng_below(r, 32);
		if (rd != REG_DATA && rd != REG_DATA_ODD && rd != REG_COUNTER)
			return rd;
	}
}

static unsigned src_reg(struct rng *r)
{
	return rng_below(r, 8) == 0 ? 0 : rng_below(r, 32);
}

/* x10..x14: writable registers a compressed instruction can name. */
static unsigned dest_creg(struct rng *r)
{
	return 10 + rng_below(r, 5);
}

static unsigned shift_amount(struct rng *r, unsigned max)
{
	static const unsigned edge[] = { 0, 1, 31, 32, 63 };
	unsigned s = rng_below(r, 2) ? edge[rng_below(r, 5)] : rng_below(r, max + 1);
	return s > max ? max : s;
}

struct r_op {
	uint32_t f7, f3, opcode;
};

static const struct r_op r_ops[] = {
	{ 0x00, 0, OPC_OP }, { 0x20, 0, OPC_OP }, { 0x00, 1, OPC_OP }, { 0x00, 2, OPC_OP },
	{ 0x00, 3, OPC_OP }, { 0x00, 4, OPC_OP }, { 0x00, 5, OPC_OP }, { 0x20, 5, OPC_OP },
	{ 0x00, 6, OPC_OP }, { 0x00, 7, OPC_OP },
	/* M */
	{ 0x01, 0, OPC_OP }, { 0x01, 1, OPC_OP }, { 0x01, 2, OPC_OP }, { 0x01, 3, OPC_OP },
	{ 0x01, 4, OPC_OP }, { 0x01, 5, OPC_OP }, { 0x01, 6, OPC_OP }, { 0x01, 7, OPC_OP },
	/* Zba */
	{ 0x10, 2, OPC_OP }, { 0x10, 4, OPC_OP }, { 0x10, 6, OPC_OP },
	/* Zbb: andn orn xnor max maxu min minu rol ror */
	{ 0x20, 7, OPC_OP }, { 0x20, 6, OPC_OP }, { 0x20, 4, OPC_OP }, { 0x05, 6, OPC_OP },
	{ 0x05, 7, OPC_OP }, { 0x05, 4, OPC_OP }, { 0x05, 5, OPC_OP }, { 0x30, 1, OPC_OP },
	{ 0x30, 5, OPC_OP },
	/* Zbs: bclr bext binv bset */
	{ 0x24, 1, OPC_OP }, { 0x24, 5, OPC_OP }, { 0x34, 1, OPC_OP }, { 0x14, 1, OPC_OP },
	/* W forms: addw subw sllw srlw sraw, mulw divw divuw remw remuw */
	{ 0x00, 0, OPC_OP_32 }, { 0x20, 0, OPC_OP_32 }, { 0x00, 1, OPC_OP_32 },
	{ 0x00, 5, OPC_OP_32 }, { 0x20, 5, OPC_OP_32 }, { 0x01, 0, OPC_OP_32 },
	{ 0x01, 4, OPC_OP_32 }, { 0x01, 5, OPC_OP_32 }, { 0x01, 6, OPC_OP_32 },
	{ 0x01, 7, OPC_OP_32 },
	/* add.uw sh1add.uw sh2add.uw sh3add.uw rolw rorw */
	{ 0x04, 0, OPC_OP_32 }, { 0x10, 2, OPC_OP_32 }, { 0x10, 4, OPC_OP_32 },
	{ 0x10, 6, OPC_OP_32 }, { 0x30, 1, OPC_OP_32 }, { 0x30, 5, OPC_OP_32 },
};

/* Register-immediate operations other than shifts: addi slti sltiu xori ori
 * andi (OP-IMM) and addiw. */
static const struct r_op i_ops[] = {
	{ 0, 0, OPC_OP_IMM }, { 0, 2, OPC_OP_IMM }, { 0, 3, OPC_OP_IMM }, { 0, 4, OPC_OP_IMM },
	{ 0, 6, OPC_OP_IMM }, { 0, 7, OPC_OP_IMM }, { 0, 0, OPC_IMM_32 },
};

/* Shifts by an immediate: imm[11:6] (f7 here, shifted as imm[11:5]), f3,
 * opcode; the W forms take 5 bits. slli srli srai rori bclri bseti binvi
 * bexti slli.uw, then slliw srliw sraiw roriw. */
static const struct r_op shift_ops[] = {
	{ 0x00, 1, OPC_OP_IMM }, { 0x00, 5, OPC_OP_IMM }, { 0x20, 5, OPC_OP_IMM },
	{ 0x30, 5, OPC_OP_IMM }, { 0x24, 1, OPC_OP_IMM }, { 0x14, 1, OPC_OP_IMM },
	{ 0x34, 1, OPC_OP_IMM }, { 0x24, 5, OPC_OP_IMM }, { 0x04, 1, OPC_IMM_32 },
	{ 0x00, 1, OPC_IMM_32 }, { 0x00, 5, OPC_IMM_32 }, { 0x20, 5, OPC_IMM_32 },
	{ 0x30, 5, OPC_IMM_32 },
};
#define SHIFT_W_FIRST 9

/* One-operand Zbb: clz ctz cpop sext.b sext.h (imm 0x60x, f3 1), orc.b and
 * rev8 (f3 5), clzw ctzw cpopw, zext.h. */
static const struct r_op unary_ops[] = {
	{ 0x600, 1, OPC_OP_IMM }, { 0x601, 1, OPC_OP_IMM }, { 0x602, 1, OPC_OP_IMM },
	{ 0x604, 1, OPC_OP_IMM }, { 0x605, 1, OPC_OP_IMM }, { 0x287, 5, OPC_OP_IMM },
	{ 0x6b8, 5, OPC_OP_IMM }, { 0x600, 1, OPC_IMM_32 }, { 0x601, 1, OPC_IMM_32 },
	{ 0x602, 1, OPC_IMM_32 }, { 0x080, 4, OPC_OP_32 },
};

static void gen_alu(struct program *p, struct rng *r)
{
	unsigned rd = dest_reg(r), rs1 = src_reg(r), rs2 = src_reg(r);

	switch (rng_below(r, 6)) {
	case 0: case 1: {
		const struct r_op *o = &r_ops[rng_below(r, ARRAY_LEN(r_ops))];
		emit32(p, enc_r(o->f7, rs2, rs1, o->f3, rd, o->opcode));
		break;
	}
	case 2: {
		const struct r_op *o = &i_ops[rng_below(r, ARRAY_LEN(i_ops))];
		emit32(p, enc_i(rng_range(r, -2048, 2047), rs1, o->f3, rd, o->opcode));
		break;
	}
	case 3: {
		unsigned k = rng_below(r, ARRAY_LEN(shift_ops));
		const struct r_op *o = &shift_ops[k];
		unsigned sh = shift_amount(r, k >= SHIFT_W_FIRST ? 31 : 63);
		emit32(p, enc_i((int64_t)(o->f7 << 5 | sh), rs1, o->f3, rd, o->opcode));
		break;
	}
	case 4: {
		const struct r_op *o = &unary_ops[rng_below(r, ARRAY_LEN(unary_ops))];
		if (o->opcode == OPC_OP_32)
			emit32(p, enc_r(0x04, 0, rs1, o->f3, rd, o->opcode));
		else
			emit32(p, enc_i(o->f7, rs1, o->f3, rd, o->opcode));
		break;
	}
	default:
		if (rng_below(r, 2))
			emit32(p, enc_lui(rd, (uint32_t)rng_next(r)));
		else
			emit32(p, enc_auipc(rd, (uint32_t)rng_next(r)));
		break;
	}
}

/* Compressed ALU instructions, only in their non-hint encodings. */
static void gen_compressed_alu(struct program *p, struct rng *r)
{
	unsigned rd = dest_reg(r), rdc = dest_creg(r) - 8, rs2c = rng_below(r, 8);
	int64_t imm = rng_range(r, -32, 31);

	if (rd == 0)
		rd = 10;
	switch (rng_below(r, 10)) {
	case 0: emit16(p, enc_ci(0, rd, imm ? imm : 1, 1)); break;          /* c.addi */
	case 1: emit16(p, enc_ci(1, rd, imm, 1)); break;                    /* c.addiw */
	case 2: emit16(p, enc_ci(2, rd, imm, 1)); break;                    /* c.li */
	case 3:                                                             /* c.lui */
		emit16(p, enc_ci(3, rd == 2 ? 10 : rd, imm ? imm : 1, 1));
		break;
	case 4: emit16(p, enc_ci(0, rd, 1 + rng_below(r, 63), 2)); break;  /* c.slli */
	case 5: {                                                           /* c.srli c.srai c.andi */
		uint32_t f2 = rng_below(r, 3);
		int64_t v = f2 == 2 ? imm : 1 + rng_below(r, 63);
		emit16(p, enc_ci(4, rdc, v, 1) | f2 << 10);
		break;
	}
	case 6: case 7: {                  /* c.sub c.xor c.or c.and c.subw c.addw */
		uint32_t f2 = rng_below(r, 4), word = rng_below(r, 2);
		emit16(p, 4u << 13 | word << 12 | 3u << 10 | rdc << 7 | (word ? f2 & 1 : f2) << 5 |
			  rs2c << 2 | 1);
		break;
	}
	default: {                         /* c.mv c.add */
		unsigned rs2 = src_reg(r);
		emit16(p, 4u << 13 | rng_below(r, 2) << 12 | rd << 7 | (rs2 ? rs2 : 1) << 2 | 2);
		break;
	}
	}
}

/* Loads and stores of every width through the data pointers, with offsets
 * near the page boundary between the data pages half of the time. */
static void gen_memory(struct program *p, struct rng *r)
{
	unsigned base = rng_below(r, 2) ? REG_DATA : REG_DATA_ODD;
	int64_t off = rng_below(r, 2) ? rng_range(r, 40, 90) : rng_range(r, -2048, 2047);
	bool store = rng_below(r, 2);

	if (rng_below(r, 4) == 0) {
		/* c.lw c.ld c.sw c.sd: offsets 0..124 (words) or 0..248 (doublewords). */
		bool dword = rng_below(r, 2);
		uint32_t u = dword ? rng_below(r, 32) * 8 : rng_below(r, 32) * 4;
		unsigned reg = store ? rng_below(r, 8) : dest_creg(r) - 8;
		uint32_t f3 = (store ? 6 : 2) + dword;
		uint32_t mid = dword ? (u >> 6 & 3) << 5 : ((u >> 2 & 1) << 6 | (u >> 6 & 1) << 5);
		emit16(p, f3 << 13 | (u >> 3 & 7) << 10 | (base - 8) << 7 | mid | reg << 2);
		return;
	}
	if (store)
		emit32(p, enc_s(off, src_reg(r), base, rng_below(r, 4)));
	else
		emit32(p, enc_i(off, base, rng_below(r, 7), dest_reg(r), OPC_LOAD));
}

/* An atomic on the 8-aligned data pointer (A extension): LR/SC or an AMO
 * of either width. */
static void gen_atomic(struct program *p, struct rng *r)
{
	static const uint32_t amo[] = { 0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c };
	uint32_t width = 2 + rng_below(r, 2), order = rng_below(r, 4);
	unsigned rd = dest_reg(r);

	switch (rng_below(r, 3)) {
	case 0:                     /* lr */
		emit32(p, enc_r(0x02 << 2 | order, 0, REG_DATA, width, rd, OPC_AMO));
		break;
	case 1:                     /* sc, succeeding after an lr just before or not */
		emit32(p, enc_r(0x03 << 2 | order, src_reg(r), REG_DATA, width, rd, OPC_AMO));
		break;
	default:
		emit32(p, enc_r(amo[rng_below(r, ARRAY_LEN(amo))] << 2 | order, src_reg(r), REG_DATA,
				width, rd, OPC_AMO));
		break;
	}
}

/* An instruction that reads x[rs] right after it was written, in the same
 * block: a write to x0 that was not dropped shows in its result. add into
 * a writable register, a store of it, a CSR write of it (which ends the
 * block through the interpreter), or a move into an F register. */
static void gen_read_back(struct program *p, struct rng *r, unsigned rs)
{
	switch (rng_below(r, p->fs ? 4 : 3)) {
	case 0:
		emit32(p, enc_r(0, rs, src_reg(r), 0, dest_reg(r), OPC_OP));
		break;
	case 1:
		emit32(p, enc_s(rng_range(r, -256, 255) * 8, rs, REG_DATA, 3));
		break;
	case 2:
		emit32(p, enc_i(p->supervisor ? CSR_SSCRATCH : CSR_MSCRATCH, rs, 1, 0, OPC_SYSTEM));
		break;
	default:                                                /* fmv.d.x */
		emit32(p, enc_r(0x79, 0, rs, 0, rng_below(r, 32), OPC_FP));
		break;
	}
}

/* ---- F and D (unprivileged spec chapters 11 and 12) ---- */

enum fp_file { FILE_NONE, FILE_F, FILE_X };

/* An F or D instruction: its fixed fields, where its registers are, and
 * whether funct3 is its rounding mode (else it is part of the operation). */
struct fp_op {
	uint32_t raw;
	uint8_t rd, rs1, rs2;
	bool rs3, rm;
};

#define RM_DYN    7                          /* funct3: the rounding mode in frm */
#define FRM_SHIFT 5                          /* frm in fcsr */
#define FP_OP(f5, fmt, rs2, f3, rd, rs1, r2, rm) \
	{ (f5) << 27 | (fmt) << 25 | (rs2) << 20 | (f3) << 12 | OPC_FP, rd, rs1, r2, false, rm }
/* The single- (fmt 0) and double-precision (fmt 1) forms. */
#define FP_SD(f5, rs2, f3, rd, rs1, r2, rm) \
	FP_OP(f5, 0, rs2, f3, rd, rs1, r2, rm), FP_OP(f5, 1, rs2, f3, rd, rs1, r2, rm)
#define FP_FMA(which) \
	{ OPC_FMADD + 4 * (which), FILE_F, FILE_F, FILE_F, true, true }, \
	{ 1u << 25 | (OPC_FMADD + 4 * (which)), FILE_F, FILE_F, FILE_F, true, true }

static const struct fp_op fp_ops[] = {
	/* fadd fsub fmul fdiv fsqrt */
	FP_SD(0x00, 0, 0, FILE_F, FILE_F, FILE_F, true),
	FP_SD(0x01, 0, 0, FILE_F, FILE_F, FILE_F, true),
	FP_SD(0x02, 0, 0, FILE_F, FILE_F, FILE_F, true),
	FP_SD(0x03, 0, 0, FILE_F, FILE_F, FILE_F, true),
	FP_SD(0x0b, 0, 0, FILE_F, FILE_F, FILE_NONE, true),
	/* fmadd fmsub fnmsub fnmadd */
	FP_FMA(0), FP_FMA(1), FP_FMA(2), FP_FMA(3),
	/* fcvt.s.d fcvt.d.s */
	FP_OP(0x08, 0, 1, 0, FILE_F, FILE_F, FILE_NONE, true),
	FP_OP(0x08, 1, 0, 0, FILE_F, FILE_F, FILE_NONE, true),
	/* fcvt.{w,wu,l,lu}.{s,d} */
	FP_SD(0x18, 0, 0, FILE_X, FILE_F, FILE_NONE, true),
	FP_SD(0x18, 1, 0, FILE_X, FILE_F, FILE_NONE, true),
	FP_SD(0x18, 2, 0, FILE_X, FILE_F, FILE_NONE, true),
	FP_SD(0x18, 3, 0, FILE_X, FILE_F, FILE_NONE, true),
	/* fcvt.{s,d}.{w,wu,l,lu} */
	FP_SD(0x1a, 0, 0, FILE_F, FILE_X, FILE_NONE, true),
	FP_SD(0x1a, 1, 0, FILE_F, FILE_X, FILE_NONE, true),
	FP_SD(0x1a, 2, 0, FILE_F, FILE_X, FILE_NONE, true),
	FP_SD(0x1a, 3, 0, FILE_F, FILE_X, FILE_NONE, true),
	/* fsgnj fsgnjn fsgnjx fmin fmax */
	FP_SD(0x04, 0, 0, FILE_F, FILE_F, FILE_F, false),
	FP_SD(0x04, 0, 1, FILE_F, FILE_F, FILE_F, false),
	FP_SD(0x04, 0, 2, FILE_F, FILE_F, FILE_F, false),
	FP_SD(0x05, 0, 0, FILE_F, FILE_F, FILE_F, false),
	FP_SD(0x05, 0, 1, FILE_F, FILE_F, FILE_F, false),
	/* fle flt feq */
	FP_SD(0x14, 0, 0, FILE_X, FILE_F, FILE_F, false),
	FP_SD(0x14, 0, 1, FILE_X, FILE_F, FILE_F, false),
	FP_SD(0x14, 0, 2, FILE_X, FILE_F, FILE_F, false),
	/* fmv.x.{w,d} fclass, fmv.{w,d}.x */
	FP_SD(0x1c, 0, 0, FILE_X, FILE_F, FILE_NONE, false),
	FP_SD(0x1c, 0, 1, FILE_X, FILE_F, FILE_NONE, false),
	FP_SD(0x1e, 0, 0, FILE_F, FILE_X, FILE_NONE, false),
};

/* A register of the given file: x0 (for destinations) a quarter of the time. */
static unsigned fp_reg(struct rng *r, uint8_t file, bool dest)
{
	if (file == FILE_F)
		return rng_below(r, 32);
	if (file == FILE_X)
		return dest ? (rng_below(r, 4) == 0 ? 0 : dest_reg(r)) : src_reg(r);
	return 0;
}

/* o with the registers and the rounding mode (ignored unless o takes one). */
static uint32_t fp_encode(const struct fp_op *o, unsigned rd, unsigned rs1, unsigned rs2,
			  unsigned rs3, unsigned rm)
{
	return o->raw | (o->rs3 ? rs3 << 27 : 0) | (o->rs2 != FILE_NONE ? rs2 << 20 : 0) |
	       rs1 << 15 | (o->rm ? rm << 12 : 0) | rd << 7;
}

/* Mostly a valid rounding mode, static or dynamic, now and then a reserved
 * one (5 or 6), which traps. */
static unsigned random_rm(struct rng *r)
{
	unsigned k = rng_below(r, 20);
	return k == 0 ? 5 + rng_below(r, 2) : k < 8 ? RM_DYN : rng_below(r, 5);
}

/* flw fld fsw fsd through the data pointers (misaligned through the odd
 * one), or c.fld c.fsd. */
static void gen_fp_memory(struct program *p, struct rng *r)
{
	unsigned base = rng_below(r, 2) ? REG_DATA : REG_DATA_ODD, freg = rng_below(r, 32);
	int64_t off = rng_range(r, -2048, 2047);
	uint32_t width = 2 + rng_below(r, 2);

	switch (rng_below(r, 3)) {
	case 0:
		emit32(p, enc_i(off, base, width, freg, OPC_LOAD_FP));
		break;
	case 1:
		emit32(p, enc_s(off, freg, base, width) ^ OPC_STORE ^ OPC_STORE_FP);
		break;
	default: {
		uint32_t u = rng_below(r, 32) * 8, f3 = rng_below(r, 2) ? 5 : 1;
		emit16(p, f3 << 13 | (u >> 3 & 7) << 10 | (base - 8) << 7 | (u >> 6 & 3) << 5 |
			  rng_below(r, 8) << 2);
		break;
	}
	}
}

/* Any F or D instruction; after one that writes an x register, often an
 * instruction that reads it. */
static void gen_fp(struct program *p, struct rng *r)
{
	unsigned k = rng_below(r, ARRAY_LEN(fp_ops) + 8);
	if (k >= ARRAY_LEN(fp_ops)) {
		gen_fp_memory(p, r);
		return;
	}
	const struct fp_op *o = &fp_ops[k];
	unsigned rd = fp_reg(r, o->rd, true);
	emit32(p, fp_encode(o, rd, fp_reg(r, o->rs1, false), fp_reg(r, o->rs2, false),
			    rng_below(r, 32), random_rm(r)));
	if (o->rd == FILE_X && rng_below(r, 2))
		gen_read_back(p, r, rd);
}

/* An instruction that traps by design, in the middle of a block: ebreak,
 * c.ebreak, a floating-point add (which traps only when mstatus.FS is off),
 * a CSR the mode may not access, an atomic on the odd data pointer
 * (misaligned). */
static void gen_trap(struct program *p, struct rng *r)
{
	switch (rng_below(r, 5)) {
	case 0: emit32(p, ENC_EBREAK); break;
	case 1: emit16(p, ENC_C_EBREAK); break;
	case 2: emit32(p, enc_r(0x01, 3, 2, 7, 1, OPC_FP)); break;   /* fadd.d f1, f2, f3 */
	case 3:
		emit32(p, enc_i(p->supervisor ? CSR_MSCRATCH : 0x7c0, 0, 2, dest_reg(r), OPC_SYSTEM));
		break;
	default:
		emit32(p, enc_r(0x00, src_reg(r), REG_DATA_ODD, 2 + rng_below(r, 2), dest_reg(r),
				OPC_AMO));
		break;
	}
}

/* The scratch CSR or a floating-point one (fflags, frm, fcsr) read and
 * written by every CSR form, or a counter read or (M-mode) written, which
 * the translator leaves to the interpreter. */
static void gen_csr(struct program *p, struct rng *r)
{
	/* S-mode reads the unprivileged counters only (mcounteren allows them). */
	static const uint32_t counters[] = { CSR_INSTRET, CSR_CYCLE, CSR_MINSTRET, CSR_MCYCLE };
	unsigned rd = dest_reg(r);

	if (rng_below(r, 3) == 0) {
		emit32(p, enc_i(counters[rng_below(r, p->supervisor ? 2 : 4)], 0, 2, rd, OPC_SYSTEM));
		return;
	}
	if (!p->supervisor && rng_below(r, 8) == 0) {      /* csrrw rd, minstret/mcycle, rs1 */
		emit32(p, enc_i(counters[2 + rng_below(r, 2)], src_reg(r), 1, rd, OPC_SYSTEM));
		return;
	}
	uint32_t f3 = 1 + rng_below(r, 3) + (rng_below(r, 2) ? 4 : 0);
	unsigned rs1 = f3 >= 5 ? rng_below(r, 32) : src_reg(r);
	uint32_t csr = p->supervisor ? CSR_SSCRATCH : CSR_MSCRATCH;
	if (rng_below(r, 3) == 0)
		csr = CSR_FFLAGS + rng_below(r, 3);
	emit32(p, enc_i(csr, rs1, f3, rd, OPC_SYSTEM));
}

/* A register set to an edge value (for the M extension in particular). */
static void gen_edge_value(struct program *p, struct rng *r)
{
	unsigned rd = dest_reg(r);
	switch (rng_below(r, 4)) {
	case 0: emit32(p, enc_i(-1, 0, 0, rd, OPC_OP_IMM)); break;
	case 1: emit32(p, enc_lui(rd, 0x80000)); break;       /* 0xffffffff80000000 */
	case 2:                                                /* INT64_MIN */
		emit32(p, enc_i(1, 0, 0, rd, OPC_OP_IMM));
		emit32(p, enc_i(63, rd, 1, rd, OPC_OP_IMM));
		break;
	default: emit32(p, enc_i(0, 0, 0, rd, OPC_OP_IMM)); break;
	}
}

/* An instruction without control flow. */
static void gen_simple(struct program *p, struct rng *r)
{
	/* F and D: one in eight or so, but rarely with FS off, where each traps
	 * and so ends the program. */
	unsigned k = rng_below(r, p->fs ? 1150 : 1003);
	if (k >= 1000)
		gen_fp(p, r);
	else if (k < 400)
		gen_alu(p, r);
	else if (k < 550)
		gen_compressed_alu(p, r);
	else if (k < 800)
		gen_memory(p, r);
	else if (k < 870)
		gen_edge_value(p, r);
	else if (k < 930)
		gen_csr(p, r);
	else if (k < 950)
		emit32(p, ENC_FENCE);
	else if (k < 970)
		emit32(p, ENC_FENCE_I);
	else if (k < 993)
		gen_atomic(p, r);
	else if (k < 995)
		gen_trap(p, r);
	else   /* a load from wherever a register points: usually a fault */
		emit32(p, enc_i(rng_range(r, -2048, 2047), src_reg(r), rng_below(r, 7),
				dest_reg(r), OPC_LOAD));
	/* x0 read right after an instruction that may have named it. */
	if (rng_below(r, 8) == 0)
		gen_read_back(p, r, 0);
}

/* A conditional branch over a few instructions. */
static void gen_forward_branch(struct program *p, struct rng *r)
{
	uint32_t over = new_label(p);
	if (rng_below(r, 3) == 0) {
		refer(p, over, FIX_CB, 0);
		emit16(p, (6u + rng_below(r, 2)) << 13 | rng_below(r, 8) << 7 | 1);
	} else {
		static const uint32_t conds[] = { 0, 1, 4, 5, 6, 7 };
		refer(p, over, FIX_B, 0);
		emit32(p, enc_r(0, src_reg(r), src_reg(r), conds[rng_below(r, 6)], 0, OPC_BRANCH));
	}
	for (unsigned n = 1 + rng_below(r, 4); n; n--)
		gen_simple(p, r);
	place_label(p, over);
}

/* A jump forward over a gap of never executed bytes, up to most of a page,
 * so programs spread over pages and jumps cross them: jal, c.j, or a
 * computed target (auipc + jalr, or auipc + addi + c.jr/c.jalr), sometimes
 * with bit 0 set, which jalr ignores. A quarter of the targets are the last
 * two bytes of a page, holding a 4-byte instruction that straddles into the
 * next one (no block holds it: it is fetched in halves). */
static void gen_jump(struct program *p, struct rng *r)
{
	uint32_t to = new_label(p);
	bool room = p->len < CODE_MAX / 2, straddle = rng_below(r, 4) == 0;
	uint32_t gap = room ? rng_below(r, 1500) * 2 : 0, max_gap = 4094;
	int32_t odd = (int32_t)rng_below(r, 2);

	switch (rng_below(r, 4)) {
	case 0:
		refer(p, to, FIX_J, 0);
		emit32(p, enc_r(0, 0, 0, 0, dest_reg(r), OPC_JAL));
		break;
	case 1:
		max_gap = 2000;      /* c.j reaches 2 KiB */
		gap = gap > max_gap ? max_gap : gap;
		refer(p, to, FIX_CJ, 0);
		emit16(p, 5u << 13 | 1);
		break;
	case 2:
		refer(p, to, FIX_AUIPC_PAIR, odd);
		emit32(p, enc_auipc(REG_TARGET, 0));
		emit32(p, enc_i(0, REG_TARGET, 0, dest_reg(r), OPC_JALR));
		break;
	default:
		refer(p, to, FIX_AUIPC_PAIR, odd);
		emit32(p, enc_auipc(REG_TARGET, 0));
		emit32(p, enc_i(0, REG_TARGET, 0, REG_TARGET, OPC_OP_IMM));
		emit16(p, 4u << 13 | rng_below(r, 2) << 12 | REG_TARGET << 7 | 2);
		break;
	}
	uint32_t to_page_end = (0xffe - ((CODE_OFF + p->len) & 0xfff)) & 0xfff;
	straddle = straddle && room && to_page_end <= max_gap;
	if (straddle)
		gap = to_page_end;
	p->len += gap;   /* zeros: illegal if ever run */
	place_label(p, to);
	if (straddle)
		gen_alu(p, r);
}

static void gen_item(struct program *p, struct rng *r, bool in_loop);

/* counter = 1..4; body; counter -= 1; back while non-zero. The way back is
 * c.bnez, bne, or beqz over a jal, whichever reaches. */
static void gen_loop(struct program *p, struct rng *r)
{
	emit32(p, enc_i(rng_range(r, 1, 4), 0, 0, REG_COUNTER, OPC_OP_IMM));
	uint32_t top = p->len;
	for (unsigned n = 1 + rng_below(r, 10); n; n--)
		gen_item(p, r, true);
	emit16(p, enc_ci(0, REG_COUNTER, -1, 1));        /* c.addi a5, -1 */
	int64_t back = (int64_t)top - p->len;
	if (back >= -256 && rng_below(r, 2)) {
		emit16(p, 7u << 13 | (REG_COUNTER - 8) << 7 | imm_cb(back) | 1);
	} else if (back >= -4096) {
		emit32(p, enc_r(0, 0, REG_COUNTER, 1, 0, OPC_BRANCH) | imm_b(back));
	} else {
		emit32(p, enc_r(0, 0, REG_COUNTER, 0, 0, OPC_BRANCH) | imm_b(8));
		emit32(p, OPC_JAL | imm_j(back - 4));
	}
}

static void gen_item(struct program *p, struct rng *r, bool in_loop)
{
	unsigned k = rng_below(r, 100);
	if (k < 75)
		gen_simple(p, r);
	else if (k < 87)
		gen_forward_branch(p, r);
	else if (k < 95 || in_loop)
		gen_jump(p, r);
	else
		gen_loop(p, r);
}

static void generate(struct program *p, struct rng *r)
{
	memset(p, 0, sizeof(*p));
	p->supervisor = rng_below(r, 2);
	p->fs = rng_below(r, 8) == 0 ? 0 : 1 + rng_below(r, 3);
	p->base = p->supervisor ? VA_BASE : RAM_BASE;
	/* Any 2-byte aligned start: 4-byte instructions then straddle pages. */
	p->entry = p->len = rng_below(r, 2048) * 2;
	for (unsigned n = 10 + rng_below(r, 60); n; n--)
		gen_item(p, r, false);
	emit32(p, ENC_ECALL);
	resolve(p);
}

/* ---- Running ---- */

struct start_state {
	uint64_t x[32], f[32];
	uint64_t fcsr;
	uint8_t data[DATA_SIZE];
	uint64_t slice_seed;    /* how hart_run's budgets are chosen */
};

struct fixture {
	struct timebase time;
	struct machine_under_test m[ENGINES];
	struct program prog;
	struct start_state start;
};

/* Doubles and singles at the edges of rounding, conversion and
 * classification: zeros, ones, ties, integer limits, subnormals, the
 * largest finite values, infinities, quiet and signalling NaNs. */
static const uint64_t interesting_f64[] = {
	0, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
	0x3ff8000000000000ull, 0x4004000000000000ull, 0xc004000000000000ull,
	0x3fe0000000000000ull, 0x400921fb54442d18ull, 0x3fd5555555555555ull,
	0x41dfffffffe00000ull, 0x41e0000000000000ull, 0xc1e0000000000000ull,
	0x41f0000000000000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
	0x43f0000000000000ull, 0x0000000000000001ull, 0x000fffffffffffffull,
	0x0010000000000000ull, 0x7fefffffffffffffull, 0x7ff0000000000000ull,
	0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull,
};
static const uint32_t interesting_f32[] = {
	0, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x3fc00000u, 0x40200000u, 0xc0200000u,
	0x3f000000u, 0x3eaaaaabu, 0x4f000000u, 0xcf000000u, 0x4f800000u, 0x5f000000u,
	0xdf000000u, 0x5f800000u, 0x00000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu,
	0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u,
};
#define F32_BOX 0xffffffff00000000ull        /* a single in an F register (spec 12.2) */

static uint64_t random_fp_value(struct rng *r)
{
	switch (rng_below(r, 6)) {
	case 0: return interesting_f64[rng_below(r, ARRAY_LEN(interesting_f64))];
	case 1: return F32_BOX | interesting_f32[rng_below(r, ARRAY_LEN(interesting_f32))];
	case 2: {   /* quarters: halfway cases, inexact as integers */
		double d = (double)rng_range(r, -(1 << 26), 1 << 26) / 4;
		uint64_t v;
		memcpy(&v, &d, 8);
		return v;
	}
	case 3: return F32_BOX | (uint32_t)rng_next(r);
	case 4: return (uint32_t)rng_next(r);     /* not NaN-boxed: reads as the canonical NaN */
	default: return rng_next(r);
	}
}

/* frm: one of the five rounding modes mostly, now and then a reserved one,
 * with which an instruction using the dynamic mode traps. */
static uint64_t random_fcsr(struct rng *r)
{
	uint64_t frm = rng_below(r, 10) ? rng_below(r, 5) : 5 + rng_below(r, 3);
	return frm << FRM_SHIFT | rng_below(r, 32);
}

static void random_start(struct start_state *st, const struct program *p, struct rng *r)
{
	for (unsigned i = 1; i < 32; i++)
		st->x[i] = random_value(r);
	for (unsigned i = 0; i < 32; i++)
		st->f[i] = random_fp_value(r);
	st->fcsr = random_fcsr(r);
	st->x[REG_DATA] = p->base + DATA_PTR;
	st->x[REG_DATA_ODD] = p->base + DATA_PTR_ODD;
	st->slice_seed = rng_next(r);
	for (unsigned i = 0; i < DATA_SIZE; i += 8) {
		uint64_t v = rng_next(r);
		memcpy(st->data + i, &v, 8);
	}
}

/* Copies bytes into guest RAM the way a device would: blocks decoded from
 * those pages become stale. */
static void ram_write(struct machine_under_test *m, uint64_t addr, const void *src, size_t len)
{
	memcpy(m->ram + (addr - RAM_BASE), src, len);
	code_map_written(&m->bus.code, m->ram + (addr - RAM_BASE), len);
}

static uint64_t code_address(const struct program *p, uint32_t off)
{
	return p->base + CODE_OFF + off;
}

/* Where the page at offset off of a program's view of RAM is in RAM: the
 * same offset in M-mode; under paging, the pages of the code and those of
 * the data each in reverse order, so that pages next to each other in a
 * program's view are not in RAM. */
static uint64_t ram_page(bool paged, uint64_t off)
{
	if (paged && off >= CODE_OFF && off < CODE_OFF + CODE_MAX)
		return 2 * CODE_OFF + CODE_MAX - 0x1000 - off;
	if (paged && off >= DATA_OFF && off < DATA_OFF + DATA_SIZE)
		return 2 * DATA_OFF + DATA_SIZE - 0x1000 - off;
	return off;
}

/* Copies len bytes (whole pages) to offset off of the program's view. */
static void view_write(struct machine_under_test *m, const struct program *p, uint64_t off,
		       const uint8_t *src, size_t len)
{
	for (size_t done = 0; done < len; done += 4096)
		ram_write(m, RAM_BASE + ram_page(p->supervisor, off + done), src + done, 4096);
}

/* Points entry index of the table at table to the page at pa. */
static void set_pte(struct machine_under_test *m, uint64_t table, uint64_t index, uint64_t pa,
		    uint64_t flags)
{
	uint64_t pte = (pa >> 12) << 10 | flags | PTE_VALID;
	ram_write(m, table + 8 * (index & 511), &pte, 8);
}

/* The page tables (privileged spec 10.6, Sv39): VA_BASE + off maps to
 * ram_page(off) for the pages of code and data, and the page at DATA_BASE,
 * an address that is RAM too, to DATA_MID (for modify_privilege). Each
 * mapping has a table per level of its own. */
static void map_pages(struct machine_under_test *m)
{
	const uint64_t mid = PAGE_TABLES + 0x1000, leaf = PAGE_TABLES + 0x2000;
	const uint64_t alias_mid = PAGE_TABLES + 0x3000, alias_leaf = PAGE_TABLES + 0x4000;
	const uint64_t regions[2][2] = { { CODE_OFF, CODE_MAX }, { DATA_OFF, DATA_SIZE } };

	set_pte(m, PAGE_TABLES, VA_BASE >> 30, mid, 0);
	set_pte(m, mid, VA_BASE >> 21, leaf, 0);
	for (unsigned i = 0; i < 2; i++) {
		for (uint64_t off = regions[i][0]; off < regions[i][0] + regions[i][1]; off += 4096)
			set_pte(m, leaf, (VA_BASE + off) >> 12, RAM_BASE + ram_page(true, off),
				PTE_RWX_AD);
	}
	set_pte(m, PAGE_TABLES, DATA_BASE >> 30, alias_mid, 0);
	set_pte(m, alias_mid, DATA_BASE >> 21, alias_leaf, 0);
	set_pte(m, alias_leaf, DATA_BASE >> 12, RAM_BASE + DATA_MID, PTE_RWX_AD);
}

/* Architectural state as after reset, but the block cache and translations
 * are kept: the code map makes those of earlier programs stale, so running
 * program after program also checks that nothing stale is run. S-mode
 * programs run under Sv39 and may read cycle and instret. */
static void hart_restart(struct hart *h, const struct program *p)
{
	memset(&h->s, 0, sizeof(h->s));
	h->s.reservation = RESERVATION_NONE;
	h->s.pc = code_address(p, p->entry);
	h->s.mtvec = TRAP_VECTOR;
	if (p->supervisor) {
		/* PMP open to S-mode, as firmware leaves it: one NAPOT entry over
		 * everything (privileged spec 3.7.1). */
		pmp_write_addr(&h->s, 0, ~0ull);
		pmp_write_cfg(&h->s, 0, (PMP_NAPOT << PMP_A_SHIFT) | PMP_R | PMP_W | PMP_X);
		h->s.satp = SATP_SV39 | PAGE_TABLES >> 12;
		h->s.mcounteren = 5;
	}
	hart_tlb_flush(h);
	hart_set_priv(h, p->supervisor ? PRIV_S : PRIV_M);
}

static void load_program(struct machine_under_test *m, const struct program *p)
{
	view_write(m, p, CODE_OFF, p->code, CODE_MAX);
	hart_restart(m->hart, p);
}

/* Sets registers, fcsr, mstatus.FS and data for a run, and the pc and
 * privilege level (the last run left it in the trap vector, in M-mode,
 * waiting). */
static void prepare_run(struct machine_under_test *m, const struct program *p,
			const struct start_state *st)
{
	struct hart_state *s = &m->hart->s;

	memcpy(s->x, st->x, sizeof(st->x));
	memcpy(s->f, st->f, sizeof(st->f));
	s->fcsr = st->fcsr;
	s->mstatus &= ~(MSTATUS_FS | MSTATUS_SD);
	s->mstatus |= (uint64_t)p->fs << MSTATUS_FS_SHIFT | (p->fs == 3 ? MSTATUS_SD : 0);
	m->hart->s.pc = code_address(p, p->entry);
	m->hart->s.wfi = 0;
	hart_set_priv(m->hart, p->supervisor ? PRIV_S : PRIV_M);
	view_write(m, p, DATA_OFF, st->data, DATA_SIZE);
}

/* Runs until the hart waits in the trap vector's wfi, in slices of random
 * length, so that translated code also stops where its budget runs out;
 * false if it never waits. */
static bool run_to_wfi(struct hart *h, uint64_t slice_seed)
{
	struct rng slices = { slice_seed };
	for (unsigned i = 0; i < RUN_LIMIT && !h->s.wfi; i++)
		hart_run(h, 1 + rng_below(&slices, SLICE_MAX));
	return h->s.wfi != 0;
}

struct field {
	const char *name;
	size_t off;
};

#define FIELD(f) { #f, offsetof(struct hart_state, f) }
static const struct field compared[] = {
	FIELD(pc), FIELD(priv), FIELD(mstatus), FIELD(mepc), FIELD(mcause), FIELD(mtval),
	FIELD(mscratch), FIELD(sscratch), FIELD(minstret), FIELD(mcycle), FIELD(reservation),
	FIELD(fcsr),
};

static uint64_t field_value(const struct hart_state *s, const struct field *f)
{
	uint64_t v;
	memcpy(&v, (const uint8_t *)s + f->off, sizeof(v));
	return v;
}

/* Prints every difference between engine e and the interpreter; returns
 * how many there are. */
static unsigned report_differences(const struct fixture *fx, unsigned e)
{
	const struct hart_state *a = &fx->m[ENGINE_INTERP].hart->s, *b = &fx->m[e].hart->s;
	const uint8_t *da = fx->m[ENGINE_INTERP].ram + (DATA_BASE - RAM_BASE);
	const uint8_t *db = fx->m[e].ram + (DATA_BASE - RAM_BASE);
	unsigned n = 0;

	for (unsigned i = 0; i < 32; i++) {
		if (a->x[i] == b->x[i])
			continue;
		fprintf(stderr, "  x%-2u %-4s interpreter 0x%016llx, %s 0x%016llx\n", i,
			reg_abi_names[i], (unsigned long long)a->x[i], engine_name[e],
			(unsigned long long)b->x[i]);
		n++;
	}
	for (unsigned i = 0; i < 32; i++) {
		if (a->f[i] == b->f[i])
			continue;
		fprintf(stderr, "  f%-2u interpreter 0x%016llx, %s 0x%016llx\n", i,
			(unsigned long long)a->f[i], engine_name[e], (unsigned long long)b->f[i]);
		n++;
	}
	for (size_t i = 0; i < ARRAY_LEN(compared); i++) {
		uint64_t va = field_value(a, &compared[i]), vb = field_value(b, &compared[i]);
		if (va == vb)
			continue;
		fprintf(stderr, "  %-9s interpreter 0x%016llx, %s 0x%016llx\n", compared[i].name,
			(unsigned long long)va, engine_name[e], (unsigned long long)vb);
		n++;
	}
	for (unsigned i = 0; i < DATA_SIZE; i++) {
		if (da[i] == db[i])
			continue;
		fprintf(stderr, "  data %#llx interpreter %02x, %s %02x\n",
			(unsigned long long)(DATA_BASE + i), da[i], engine_name[e], db[i]);
		n++;
	}
	return n;
}

static void print_program(const struct program *p)
{
	for (uint32_t i = 0; i < p->ninsns; i++) {
		uint32_t raw = 0;
		struct insn in;
		char text[96];
		uint64_t pc = code_address(p, p->insn_at[i]);

		memcpy(&raw, p->code + p->insn_at[i], p->insn_at[i] + 4 <= CODE_MAX ? 4 : 2);
		insn_decode(raw, &in);
		disasm(text, sizeof(text), pc, &in);
		fprintf(stderr, "  %#llx: %0*x  %s\n", (unsigned long long)pc, in.len * 2,
			in.raw, text);
	}
}

/* Runs the loaded program on every engine from st and compares. */
static bool run_and_compare(struct fixture *fx, const struct program *p,
			    const struct start_state *st, const char *what)
{
	bool ok = true;

	for (unsigned e = 0; e < ENGINES; e++) {
		prepare_run(&fx->m[e], p, st);
		if (!run_to_wfi(fx->m[e].hart, st->slice_seed + e)) {
			fprintf(stderr, "%s: the %s never reached the trap vector (pc %#llx)\n",
				what, engine_name[e],
				(unsigned long long)fx->m[e].hart->s.pc);
			ok = false;
		}
	}
	for (unsigned e = ENGINE_JIT; e < ENGINES; e++) {
		if (report_differences(fx, e) == 0)
			continue;
		fprintf(stderr, "%s: the %s differs from the interpreter (above)\n", what,
			engine_name[e]);
		ok = false;
	}
	if (!ok) {
		fprintf(stderr, "program (%s, entry %#llx):\n",
			p->supervisor ? "S-mode, Sv39" : "M-mode",
			(unsigned long long)code_address(p, p->entry));
		print_program(p);
	}
	return ok;
}

/* ---- Fixture ---- */

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	static const uint32_t trap_vector = ENC_WFI;

	if (!fx)
		return -1;
	timebase_init(&fx->time);
	for (unsigned e = 0; e < ENGINES; e++) {
		struct machine_under_test *m = &fx->m[e];
		m->ram = calloc(1, RAM_SIZE);
		m->hart = malloc(sizeof(*m->hart));
		if (!m->ram || !m->hart || bus_add_ram(&m->bus, RAM_BASE, RAM_SIZE, m->ram) < 0 ||
		    code_map_init(&m->bus.code, m->ram, RAM_SIZE) < 0 ||
		    hart_init(m->hart, 0, &m->bus, &fx->time) < 0)
			return -1;
		m->hart->jit_threshold = engine_threshold[e];
		ram_write(m, TRAP_VECTOR, &trap_vector, sizeof(trap_vector));
		map_pages(m);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	for (unsigned e = 0; e < ENGINES; e++) {
		struct machine_under_test *m = &fx->m[e];
		if (m->hart)
			hart_destroy(m->hart);
		free(m->hart);
		code_map_destroy(&m->bus.code);
		free(m->ram);
	}
	free(fx);
	return 0;
}

static uint64_t env_number(const char *name, uint64_t fallback)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : fallback;
}

/* ---- Tests ---- */

static void random_programs(void **state)
{
	struct fixture *fx = *state;
	uint64_t base = env_number("DOPPEL_JIT_DIFF_SEED", 0x646f7070656cull);
	uint64_t count = env_number("DOPPEL_JIT_DIFF_PROGRAMS", 3000);
	struct program *prog = &fx->prog;
	unsigned failures = 0;

	for (uint64_t i = 0; i < count && failures < 3; i++) {
		uint64_t seed = base + i;
		struct rng r = { seed };

		generate(prog, &r);
		random_start(&fx->start, prog, &r);
		for (unsigned e = 0; e < ENGINES; e++)
			load_program(&fx->m[e], prog);
		char first[64], second[64];
		snprintf(first, sizeof(first), "seed %#llx, first run", (unsigned long long)seed);
		snprintf(second, sizeof(second), "seed %#llx, second run", (unsigned long long)seed);
		if (!run_and_compare(fx, prog, &fx->start, first) ||
		    !run_and_compare(fx, prog, &fx->start, second))
			failures++;
	}
	if (failures)
		fail_msg("%u program(s) ran differently: seeds above. DOPPEL_JIT_DIFF_SEED=seed "
			 "DOPPEL_JIT_DIFF_PROGRAMS=1 runs one alone, on harts without the "
			 "translations of the programs before it", failures);
}

/* Assembles a fixed program from its encodings (4-byte ones unless the low
 * bits say compressed) at CODE_BASE + entry. */
static void assemble(struct program *p, uint32_t entry, const uint32_t *raw, size_t n)
{
	memset(p, 0, sizeof(*p));
	p->base = RAM_BASE;
	p->entry = p->len = entry;
	for (size_t i = 0; i < n; i++)
		emit(p, raw[i], (raw[i] & 3) == 3 ? 4 : 2);
}

/* Loads a fixed program on every engine. */
static void load_fixed(struct fixture *fx, const struct program *p)
{
	for (unsigned e = 0; e < ENGINES; e++)
		load_program(&fx->m[e], p);
}

/* The start of a fixed program: x and f registers, fcsr and data zero, but
 * for the data pointers. */
static struct start_state *fixed_start(struct fixture *fx)
{
	struct start_state *st = &fx->start;

	memset(st, 0, sizeof(*st));
	st->x[REG_DATA] = RAM_BASE + DATA_PTR;
	st->x[REG_DATA_ODD] = RAM_BASE + DATA_PTR_ODD;
	return st;
}

/* Runs the loaded fixed program on every engine from fx->start; returns
 * the interpreter's final state. A second call runs the translations the
 * first one left. */
static const struct hart_state *run_started(struct fixture *fx, const struct program *p,
					    const char *name)
{
	assert_true(run_and_compare(fx, p, &fx->start, name));
	return &fx->m[ENGINE_INTERP].hart->s;
}

/* run_started from fixed_start. */
static const struct hart_state *run_fixed(struct fixture *fx, const struct program *p,
					  const char *name)
{
	fixed_start(fx);
	return run_started(fx, p, name);
}

/* The F and D instructions that write an x register, with x0 as their
 * destination, each followed by instructions that read x0 (add, sd, csrw)
 * in the same translation: x0 reads as zero, and fflags is what the
 * instructions raised (issue 12, item 8: translated code called the F/D
 * body, which wrote x[0], and nothing cleared it). */
static void fp_result_to_x0(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	const uint64_t pi = 0x400921fb54442d18ull, one = 0x3ff0000000000000ull;
	const uint32_t code[] = {
		/* The first instruction runs alone (it fills the fetch TLB); the
		 * block, and the translation, start after it. */
		enc_i(1, 0, 0, 13, OPC_OP_IMM),                 /* li a3, 1 */
		enc_r(0x71, 0, 28, 0, 0, OPC_FP),               /* fmv.x.d zero, ft8 */
		enc_r(0, 0, 0, 0, 10, OPC_OP),                  /* add a0, zero, zero */
		enc_s(0, 0, REG_DATA, 3),                       /* sd zero, 0(s0) */
		enc_i(CSR_FFLAGS, 0, 1, 0, OPC_SYSTEM),         /* csrw fflags, zero */
		enc_r(0x61, 2, 28, 1, 0, OPC_FP),               /* fcvt.l.d zero, ft8, rtz: NX */
		enc_r(0x61, 3, 28, RM_DYN, 0, OPC_FP),          /* fcvt.lu.d zero, ft8 */
		enc_r(0x61, 0, 28, 2, 0, OPC_FP),               /* fcvt.w.d zero, ft8, rdn */
		enc_r(0x61, 1, 28, 3, 0, OPC_FP),               /* fcvt.wu.d zero, ft8, rup */
		enc_r(0x71, 0, 28, 1, 0, OPC_FP),               /* fclass.d zero, ft8 */
		enc_r(0x51, 28, 29, 1, 0, OPC_FP),              /* flt.d zero, ft9, ft8 */
		enc_r(0x51, 28, 28, 0, 0, OPC_FP),              /* fle.d zero, ft8, ft8 */
		enc_r(0x51, 28, 29, 2, 0, OPC_FP),              /* feq.d zero, ft9, ft8 */
		enc_r(0x70, 0, 28, 0, 0, OPC_FP),               /* fmv.x.w zero, ft8 */
		enc_r(0x60, 2, 30, 4, 0, OPC_FP),               /* fcvt.l.s zero, ft10, rmm */
		enc_r(0x70, 0, 30, 1, 0, OPC_FP),               /* fclass.s zero, ft10 */
		enc_r(0x50, 30, 30, 0, 0, OPC_FP),              /* fle.s zero, ft10, ft10 */
		enc_r(0, 0, 0, 0, 11, OPC_OP),                  /* add a1, zero, zero */
		enc_s(8, 0, REG_DATA, 3),                       /* sd zero, 8(s0) */
		enc_i(CSR_MSCRATCH, 0, 1, 0, OPC_SYSTEM),       /* csrw mscratch, zero */
		enc_i(CSR_FFLAGS, 0, 2, 12, OPC_SYSTEM),        /* frflags a2 */
		ENC_ECALL,
	};
	const uint8_t ones[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t zero[16] = { 0 };
	const uint8_t *data = fx->m[ENGINE_INTERP].ram + (DATA_BASE - RAM_BASE) +
			      (DATA_PTR - DATA_OFF);

	assemble(p, 0x400, code, ARRAY_LEN(code));
	p->fs = 1;
	load_fixed(fx, p);
	for (unsigned run = 1; run <= 2; run++) {
		struct start_state *st = fixed_start(fx);
		st->f[28] = pi;
		st->f[29] = one;
		st->f[30] = F32_BOX | 0x40200000u;              /* 2.5f */
		st->fcsr = 0x1f;
		memcpy(st->data + (DATA_PTR - DATA_OFF), ones, sizeof(ones));
		const struct hart_state *s = run_started(fx, p, "F/D results to x0");
		assert_int_equal(s->mcause, EXC_ECALL_M);
		assert_int_equal(s->x[0], 0);
		assert_int_equal(s->x[10], 0);
		assert_int_equal(s->x[11], 0);
		assert_int_equal(s->x[12], FPU_NX);
		assert_int_equal(s->fcsr, FPU_NX);
		assert_int_equal(s->mscratch, 0);
		assert_memory_equal(data, zero, sizeof(zero));
	}
}

/* Every F and D instruction with every value of its rounding-mode field
 * (static 0-4, dynamic with each frm 0-7, and the reserved 5 and 6) and,
 * for those without one, with each frm. Its destination is x0 where it
 * writes an x register, read back in the same translation. The reserved
 * modes, and dynamic with frm 5-7, are illegal instructions (spec 11.2),
 * in both engines alike. */
static void fp_every_rounding_mode(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	struct rng r = { 0x666373723a726d00ull };
	char name[96];

	for (unsigned k = 0; k < ARRAY_LEN(fp_ops); k++) {
		const struct fp_op *o = &fp_ops[k];
		for (unsigned rm = 0; rm < (o->rm ? 8 : 1); rm++) {
			for (unsigned frm = 0; frm < 8; frm++) {
				if (o->rm && rm != RM_DYN && frm != rm % 5)
					continue;
				unsigned rd = o->rd == FILE_X ? 0 : rng_below(&r, 32);
				const uint32_t code[] = {
					enc_i(1, 0, 0, 13, OPC_OP_IMM),         /* li a3, 1: runs alone */
					fp_encode(o, rd, fp_reg(&r, o->rs1, false),
						  fp_reg(&r, o->rs2, false), rng_below(&r, 32), rm),
					enc_r(0, 0, 0, 0, 10, OPC_OP),          /* add a0, zero, zero */
					enc_s(0, 0, REG_DATA, 3),               /* sd zero, 0(s0) */
					enc_i(CSR_MSCRATCH, 0, 1, 0, OPC_SYSTEM), /* csrw mscratch, zero */
					ENC_ECALL,
				};
				bool illegal = o->rm && (rm == 5 || rm == 6 || (rm == RM_DYN && frm > 4));

				assemble(p, 0x200, code, ARRAY_LEN(code));
				p->fs = 1 + rng_below(&r, 3);
				load_fixed(fx, p);
				snprintf(name, sizeof(name), "%08x with frm %u", code[1], frm);
				for (unsigned run = 0; run < 2; run++) {
					struct start_state *st = fixed_start(fx);
					for (unsigned i = 1; i < 32; i++) {
						if (i != REG_DATA)
							st->x[i] = random_value(&r);
					}
					for (unsigned i = 0; i < 32; i++)
						st->f[i] = random_fp_value(&r);
					st->fcsr = (uint64_t)frm << FRM_SHIFT | rng_below(&r, 32);
					const struct hart_state *s = run_started(fx, p, name);
					if (illegal) {
						assert_int_equal(s->mcause, EXC_ILLEGAL);
						assert_int_equal(s->mepc, CODE_BASE + 0x204);
						continue;
					}
					assert_int_equal(s->mcause, EXC_ECALL_M);
					assert_int_equal(s->x[10], 0);
					assert_int_equal(s->mscratch, 0);
				}
			}
		}
	}
}

/* A load from an address nothing answers at, in the middle of a block:
 * the instructions before it have retired, it and those after have not. */
static void load_fault_mid_block(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	const uint32_t code[] = {
		enc_i(5, 0, 0, 10, OPC_OP_IMM),          /* addi a0, zero, 5 */
		enc_lui(5, 0x90000),                      /* lui t0, 0x90000 */
		enc_i(7, 0, 0, 11, OPC_OP_IMM),          /* addi a1, zero, 7 */
		enc_i(8, 5, 3, 12, OPC_LOAD),            /* ld a2, 8(t0) */
		enc_i(9, 0, 0, 13, OPC_OP_IMM),          /* addi a3, zero, 9 */
		ENC_ECALL,
	};
	assemble(p, 0x10, code, ARRAY_LEN(code));
	load_fixed(fx, p);
	for (unsigned run = 1; run <= 2; run++) {
		const struct hart_state *s = run_fixed(fx, p, "load fault");
		assert_int_equal(s->mcause, EXC_LOAD_ACCESS);
		assert_int_equal(s->mtval, 0xffffffff90000008ull);
		assert_int_equal(s->mepc, CODE_BASE + 0x10 + 12);
		assert_int_equal(s->x[10], 5);
		assert_int_equal(s->x[11], 7);
		assert_int_equal(s->x[12], 0);
		assert_int_equal(s->x[13], 0);
		/* Three instructions and the trap vector's wfi per run. */
		assert_int_equal(s->minstret, run * 4);
	}
}

/* A misaligned store whose second half falls in a page a locked PMP entry
 * denies to M-mode: it faults on that half (mtval its address) and writes
 * nothing, not even the allowed half (privileged spec 3.7.1). */
static void store_fault_on_second_page(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	/* NAPOT over the 4 KiB at RAM_BASE + DATA_MID: pmpaddr = (base + size/2 - 1) >> 2. */
	const uint32_t napot = (uint32_t)((RAM_BASE + DATA_MID + 0x7ff) >> 2);
	const uint32_t hi = (napot + 0x800) >> 12;
	const uint32_t code[] = {
		enc_lui(5, hi),                             /* li t0, napot */
		enc_i((int64_t)napot - (int64_t)(hi << 12), 5, 0, 5, OPC_IMM_32),
		enc_i(CSR_PMPADDR0, 5, 1, 0, OPC_SYSTEM),   /* csrw pmpaddr0, t0 */
		enc_i(0x98, 0, 0, 5, OPC_OP_IMM),           /* li t0, L | NAPOT */
		enc_i(CSR_PMPCFG0, 5, 1, 0, OPC_SYSTEM),    /* csrw pmpcfg0, t0 */
		enc_i(-1, 0, 0, 10, OPC_OP_IMM),            /* li a0, -1 */
		enc_i(1, 0, 0, 11, OPC_OP_IMM),             /* li a1, 1 */
		enc_s(60, 10, REG_DATA, 3),                 /* sd a0, 60(s0): 4 bytes each side */
		enc_i(2, 0, 0, 11, OPC_OP_IMM),             /* li a1, 2 */
		ENC_ECALL,
	};
	const uint8_t *data = fx->m[ENGINE_INTERP].ram + (DATA_BASE - RAM_BASE);
	const uint8_t zero[8] = { 0 };

	/* The program starts 6 bytes before a page end: its second
	 * instruction straddles two pages. */
	assemble(p, 0xffa, code, ARRAY_LEN(code));
	load_fixed(fx, p);
	for (unsigned run = 1; run <= 2; run++) {
		const struct hart_state *s = run_fixed(fx, p, "store fault");
		assert_int_equal(s->mcause, EXC_STORE_ACCESS);
		assert_int_equal(s->mtval, RAM_BASE + DATA_MID);
		assert_int_equal(s->mepc, CODE_BASE + 0xffa + 7 * 4);
		assert_int_equal(s->x[11], 1);
		assert_memory_equal(data + 0x1000 - 4, zero, 8);
	}
}

/* mstatus.MPRV with MPP = S (privileged spec 3.1.6.3): M-mode loads and
 * stores go through Sv39 while it is set. It is set and cleared between
 * translated blocks, which must then use the data TLB of the right level:
 * the page at DATA_BASE, in the M-mode TLB already, maps to DATA_MID
 * under Sv39 (map_pages), and so does VA_BASE + DATA_OFF (ram_page). */
static void modify_privilege(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	const uint32_t code[] = {
		enc_i(-1, 0, 0, 6, OPC_OP_IMM),                 /* PMP open to S-mode */
		enc_i(CSR_PMPADDR0, 6, 1, 0, OPC_SYSTEM),
		enc_i(0x1f, 0, 0, 6, OPC_OP_IMM),
		enc_i(CSR_PMPCFG0, 6, 1, 0, OPC_SYSTEM),
		enc_i(8, 0, 0, 6, OPC_OP_IMM),                  /* t1 = Sv39 | PAGE_TABLES >> 12 */
		enc_i(60, 6, 1, 6, OPC_OP_IMM),
		enc_lui(28, (uint32_t)(PAGE_TABLES >> 24)),
		enc_i((PAGE_TABLES >> 12) & 0xfff, 28, 0, 28, OPC_OP_IMM),
		enc_r(0, 28, 6, 6, 6, OPC_OP),
		enc_i(CSR_SATP, 6, 1, 0, OPC_SYSTEM),           /* csrw satp, t1 */
		enc_lui(5, 0x20),                               /* t0 = MPRV | MPP = S */
		enc_i(0x400, 5, 0, 5, OPC_OP_IMM),
		enc_i(0x400, 5, 0, 5, OPC_OP_IMM),
		enc_i(0x5a5, 0, 0, 13, OPC_OP_IMM),             /* li a3, 0x5a5 */
		enc_s(64, 13, REG_DATA, 3),                     /* sd a3, 64(s0): at DATA_MID */
		enc_i(0x33, 0, 0, 16, OPC_OP_IMM),              /* li a6, 0x33 */
		enc_i(-2016, REG_DATA, 0, 29, OPC_OP_IMM),      /* t4 = s0 - 0xfc0 = DATA_BASE */
		enc_i(-2016, 29, 0, 29, OPC_OP_IMM),
		enc_s(0, 16, 29, 3),                            /* sd a6, 0(t4) */
		enc_i(0, 29, 3, 17, OPC_LOAD),                  /* ld a7, 0(t4): 0x33 */
		enc_i(CSR_MSTATUS, 5, 1, 0, OPC_SYSTEM),        /* csrw mstatus, t0 */
		enc_i(0, 29, 3, 12, OPC_LOAD),                  /* ld a2, 0(t4): 0x5a5 */
		enc_lui(30, (uint32_t)((VA_BASE + DATA_OFF) >> 12)),   /* t5 = VA_BASE + DATA_OFF */
		enc_i(0, 30, 3, 10, OPC_LOAD),                  /* ld a0, 0(t5): 0x5a5 */
		enc_i(0x77, 0, 0, 14, OPC_OP_IMM),              /* li a4, 0x77 */
		enc_s(8, 14, 30, 3),                            /* sd a4, 8(t5) */
		enc_i(CSR_MSTATUS, 0, 1, 0, OPC_SYSTEM),        /* csrw mstatus, zero */
		enc_i(72, REG_DATA, 3, 11, OPC_LOAD),           /* ld a1, 72(s0): 0x77 */
		enc_i(0, 30, 3, 13, OPC_LOAD),                  /* ld a3, 0(t5): nothing there */
		ENC_ECALL,
	};

	assemble(p, 0x80, code, ARRAY_LEN(code));
	load_fixed(fx, p);
	for (unsigned run = 1; run <= 2; run++) {
		const struct hart_state *s = run_fixed(fx, p, "mstatus.MPRV");
		assert_int_equal(s->x[17], 0x33);
		assert_int_equal(s->x[12], 0x5a5);
		assert_int_equal(s->x[10], 0x5a5);
		assert_int_equal(s->x[11], 0x77);
		assert_int_equal(s->mcause, EXC_LOAD_ACCESS);
		assert_int_equal(s->mtval, VA_BASE + DATA_OFF);
	}
}

/* An interrupt that a CSR write enables (mip.SSIP pending, mie.SSIE set
 * in the loop's second round, mstatus.MIE set) is taken right after it
 * (privileged spec 3.1.9), though the code after it was translated in the
 * first round. The handler at entry + 0x40 records mcause and mepc, clears
 * SSIP and ends the program through the usual trap vector. */
static void interrupt_after_csr_write(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	const uint32_t code[] = {
		enc_auipc(5, 0),                                /* t0 = the handler */
		enc_i(0x40, 5, 0, 5, OPC_OP_IMM),
		enc_i(CSR_MTVEC, 5, 1, 0, OPC_SYSTEM),          /* csrw mtvec, t0 */
		enc_i(CSR_MSTATUS, 8, 6, 0, OPC_SYSTEM),        /* csrsi mstatus, MIE */
		enc_i(2, 0, 0, REG_COUNTER, OPC_OP_IMM),        /* li a5, 2 */
		enc_i(CSR_MIE, 6, 1, 0, OPC_SYSTEM),            /* csrw mie, t1: the interrupt */
		enc_i(CSR_MIP, 2, 6, 0, OPC_SYSTEM),            /* csrsi mip, SSIP */
		enc_i(1, 11, 0, 11, OPC_OP_IMM),                /* addi a1, a1, 1 */
		enc_i(2, 0, 0, 6, OPC_OP_IMM),                  /* li t1, SSIE */
		enc_i(-1, REG_COUNTER, 0, REG_COUNTER, OPC_OP_IMM),
		enc_r(0, 0, REG_COUNTER, 1, 0, OPC_BRANCH) | imm_b(-20),   /* bnez a5, csrw mie */
		ENC_ECALL,
	};
	const uint32_t handler[] = {
		enc_i(CSR_MCAUSE, 0, 2, 12, OPC_SYSTEM),        /* csrr a2, mcause */
		enc_i(CSR_MEPC, 0, 2, 13, OPC_SYSTEM),          /* csrr a3, mepc */
		enc_i(CSR_MIP, 2, 7, 0, OPC_SYSTEM),            /* csrci mip, SSIP */
		enc_i(1, 0, 0, 7, OPC_OP_IMM),                  /* t2 = TRAP_VECTOR */
		enc_i(31, 7, 1, 7, OPC_OP_IMM),
		enc_i(CSR_MTVEC, 7, 1, 0, OPC_SYSTEM),          /* csrw mtvec, t2 */
		ENC_ECALL,
	};

	assemble(p, 0x300, code, ARRAY_LEN(code));
	p->len = 0x340;
	for (size_t i = 0; i < ARRAY_LEN(handler); i++)
		emit32(p, handler[i]);
	load_fixed(fx, p);
	for (unsigned run = 1; run <= 2; run++) {
		const struct hart_state *s = run_fixed(fx, p, "interrupt after a CSR write");
		assert_int_equal(s->x[11], 1);
		assert_int_equal(s->x[REG_COUNTER], 1);
		assert_int_equal(s->x[12], CAUSE_INTERRUPT | IRQ_SSI);
		assert_int_equal(s->x[13], CODE_BASE + 0x300 + 0x18);
		assert_int_equal(s->mcause, EXC_ECALL_M);
	}
}

/* mcountinhibit written in the middle of a run (privileged spec 3.1.12):
 * instructions retired before the write that stops minstret and mcycle
 * count, those between it and the write that restarts them do not. The
 * interpreter brings the counters up to date before each CSR instruction;
 * translated code must count the same instructions. */
static void counter_inhibit(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	const uint32_t code[] = {
		enc_i(1, 0, 0, 10, OPC_OP_IMM),                 /* li a0, 1 */
		enc_i(2, 0, 0, 11, OPC_OP_IMM),                 /* li a1, 2 */
		enc_i(3, 0, 0, 12, OPC_OP_IMM),                 /* li a2, 3 */
		enc_i(CSR_MCOUNTINHIBIT, 5, 5, 0, OPC_SYSTEM),  /* csrwi mcountinhibit, CY | IR */
		enc_i(4, 0, 0, 13, OPC_OP_IMM),                 /* li a3, 4 */
		enc_i(CSR_MCOUNTINHIBIT, 0, 5, 0, OPC_SYSTEM),  /* csrwi mcountinhibit, 0 */
		enc_i(5, 0, 0, 14, OPC_OP_IMM),                 /* li a4, 5 */
		ENC_ECALL,
	};

	assemble(p, 0x40, code, ARRAY_LEN(code));
	load_fixed(fx, p);
	const struct hart_state *s = run_fixed(fx, p, "mcountinhibit");
	/* The three before, li a4 and the trap vector's wfi at least; not li a3. */
	assert_in_range(s->minstret, 5, 7);
	run_fixed(fx, p, "mcountinhibit");
}

/* Code that rewrites an instruction it has already run (and translated),
 * with fence.i before running it again (unprivileged spec, "Zifencei"):
 * addi a0, a0, k with k = 2, 3, 4 on the way, so a stale translation shows
 * in a0. The instruction is first in the storing block's own page, then in
 * a routine on another page, called through jal (a chained jump once both
 * ends are translated). */
static void self_modifying_code(void **state)
{
	struct fixture *fx = *state;
	struct program *p = &fx->prog;
	const uint32_t patched = enc_i(2, 10, 0, 10, OPC_OP_IMM);     /* addi a0, a0, 2 */
	const uint32_t hi = (patched + 0x800) >> 12;
	const int64_t lo = (int64_t)patched - (int64_t)(hi << 12);
	const uint32_t same_page[] = {
		enc_i(4, 0, 0, REG_COUNTER, OPC_OP_IMM),  /* li a5, 4 */
		enc_lui(6, hi),                           /* li t1, patched */
		enc_i(lo, 6, 0, 6, OPC_IMM_32),
		enc_lui(28, 0x100),                       /* t3 = 1 in the I-immediate */
		enc_auipc(7, 0),                          /* t2 = here */
		enc_i(1, 10, 0, 10, OPC_OP_IMM),          /* addi a0, a0, 1: rewritten */
		enc_s(4, 6, 7, 2),                        /* sw t1, 4(t2) */
		enc_r(0, 28, 6, 0, 6, OPC_OP),            /* add t1, t1, t3 */
		ENC_FENCE_I,
		enc_i(-1, REG_COUNTER, 0, REG_COUNTER, OPC_OP_IMM),
		enc_r(0, 0, REG_COUNTER, 1, 0, OPC_BRANCH) | imm_b(-20),   /* bnez a5, rewritten */
		ENC_ECALL,
	};
	const uint32_t other_page[] = {
		enc_i(4, 0, 0, REG_COUNTER, OPC_OP_IMM),  /* li a5, 4 */
		enc_lui(6, hi),                           /* li t1, patched */
		enc_i(lo, 6, 0, 6, OPC_IMM_32),
		enc_lui(28, 0x100),                       /* t3 = 1 in the I-immediate */
		enc_lui(7, 1),                            /* t2 = the routine, at entry + 0x1000 */
		enc_auipc(29, 0),
		enc_r(0, 29, 7, 0, 7, OPC_OP),            /* add t2, t2, t4 */
		enc_i(-0x14, 7, 0, 7, OPC_OP_IMM),
		OPC_JAL | 1u << 7 | imm_j(0x1000 - 0x20), /* jal ra, routine */
		enc_s(0, 6, 7, 2),                        /* sw t1, 0(t2) */
		enc_r(0, 28, 6, 0, 6, OPC_OP),            /* add t1, t1, t3 */
		ENC_FENCE_I,
		enc_i(-1, REG_COUNTER, 0, REG_COUNTER, OPC_OP_IMM),
		enc_r(0, 0, REG_COUNTER, 1, 0, OPC_BRANCH) | imm_b(-20),   /* bnez a5, jal */
		ENC_ECALL,
	};

	assemble(p, 0x100, same_page, ARRAY_LEN(same_page));
	load_fixed(fx, p);
	assert_int_equal(run_fixed(fx, p, "self-modifying code, same page")->x[10], 1 + 2 + 3 + 4);
	/* Again: the code starts with k = 5, left by the last rewrite. */
	assert_int_equal(run_fixed(fx, p, "self-modifying code, same page")->x[10], 5 + 2 + 3 + 4);

	assemble(p, 0x200, other_page, ARRAY_LEN(other_page));
	p->len = 0x1200;
	emit32(p, enc_i(1, 10, 0, 10, OPC_OP_IMM));   /* routine: addi a0, a0, 1 */
	emit32(p, enc_i(0, 1, 0, 0, OPC_JALR));       /* ret */
	load_fixed(fx, p);
	assert_int_equal(run_fixed(fx, p, "self-modifying code, other page")->x[10], 1 + 2 + 3 + 4);
	assert_int_equal(run_fixed(fx, p, "self-modifying code, other page")->x[10], 5 + 2 + 3 + 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_fault_mid_block),
		cmocka_unit_test(store_fault_on_second_page),
		cmocka_unit_test(self_modifying_code),
		cmocka_unit_test(modify_privilege),
		cmocka_unit_test(interrupt_after_csr_write),
		cmocka_unit_test(counter_inhibit),
		cmocka_unit_test(fp_result_to_x0),
		cmocka_unit_test(fp_every_rounding_mode),
		cmocka_unit_test(random_programs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
