/* A small x86-64 machine-code writer for the translator (cpu/jit.c): just the
 * instruction forms it emits, each a function named after the instruction.
 * Encodings follow the Intel SDM volume 2 (REX prefix 2.2.1, ModRM/SIB 2.1.5).
 * Writing past the end of the buffer sets full instead, so a translation
 * that does not fit is detected once, at its end. */
#ifndef DOPPEL_CPU_X86_EMIT_H
#define DOPPEL_CPU_X86_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum x86_reg {
	RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
};

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum x86_cc {
	CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
	CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};

/* ALU operations: the /digit of opcodes 81/83, and the 8-bit base opcode
 * (op * 8) of the register forms. */
enum x86_alu { ALU_ADD = 0, ALU_OR = 1, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7 };

/* Shift and rotate operations: the /digit of opcodes C1/D3. */
enum x86_shift { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct emit {
	uint8_t *p, *end;
	bool full;
};

static inline void emit_u8(struct emit *e, uint8_t b)
{
	if (e->p < e->end)
		*e->p++ = b;
	else
		e->full = true;
}

static inline void emit_u32(struct emit *e, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		emit_u8(e, (uint8_t)(v >> (8 * i)));
}

static inline void emit_u64(struct emit *e, uint64_t v)
{
	emit_u32(e, (uint32_t)v);
	emit_u32(e, (uint32_t)(v >> 32));
}

static inline bool fits_i8(int64_t v)
{
	return v >= -128 && v <= 127;
}

static inline bool fits_i32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* REX.W R X B; omitted when it would be 0x40 and force is false. */
static inline void emit_rex(struct emit *e, bool w, unsigned reg, unsigned index, unsigned base,
			    bool force)
{
	uint8_t rex = (uint8_t)(0x40 | (w << 3) | ((reg >> 3) << 2) | ((index >> 3) << 1) |
				(base >> 3));
	if (rex != 0x40 || force)
		emit_u8(e, rex);
}

/* ModRM for a register operand pair. */
static inline void emit_modrm_rr(struct emit *e, unsigned reg, unsigned rm)
{
	emit_u8(e, (uint8_t)(0xc0 | ((reg & 7) << 3) | (rm & 7)));
}

/* ModRM (+SIB) + displacement for [base + disp]. Always with a displacement,
 * so RBP/R13 need no special case; RSP/R12 as a base need a SIB byte. */
static inline void emit_modrm_mem(struct emit *e, unsigned reg, unsigned base, int32_t disp)
{
	uint8_t mod = fits_i8(disp) ? 0x40 : 0x80;
	emit_u8(e, (uint8_t)(mod | ((reg & 7) << 3) | (base & 7)));
	if ((base & 7) == RSP)
		emit_u8(e, 0x24);
	if (mod == 0x40)
		emit_u8(e, (uint8_t)disp);
	else
		emit_u32(e, (uint32_t)disp);
}

/* opcode reg, [base + disp] (or [base + disp], reg by opcode direction). */
static inline void emit_op_mem(struct emit *e, bool w, const uint8_t *op, unsigned oplen,
			       unsigned reg, unsigned base, int32_t disp, bool force_rex)
{
	emit_rex(e, w, reg, 0, base, force_rex);
	for (unsigned i = 0; i < oplen; i++)
		emit_u8(e, op[i]);
	emit_modrm_mem(e, reg, base, disp);
}

static inline void emit_op_rr(struct emit *e, bool w, const uint8_t *op, unsigned oplen,
			      unsigned reg, unsigned rm)
{
	emit_rex(e, w, reg, 0, rm, false);
	for (unsigned i = 0; i < oplen; i++)
		emit_u8(e, op[i]);
	emit_modrm_rr(e, reg, rm);
}

/* mov r64, [base + disp] */
static inline void x86_load64(struct emit *e, unsigned r, unsigned base, int32_t disp)
{
	emit_op_mem(e, true, (const uint8_t[]){ 0x8b }, 1, r, base, disp, false);
}

/* mov [base + disp], r64 */
static inline void x86_store64(struct emit *e, unsigned base, int32_t disp, unsigned r)
{
	emit_op_mem(e, true, (const uint8_t[]){ 0x89 }, 1, r, base, disp, false);
}

/* Loads of 1, 2, 4 or 8 bytes from [base + disp] into r, zero- or
 * sign-extended to 64 bits. */
static inline void x86_load_ext(struct emit *e, unsigned r, unsigned base, int32_t disp,
				unsigned size, bool sign)
{
	switch (size) {
	case 1:
		emit_op_mem(e, sign, (const uint8_t[]){ 0x0f, sign ? 0xbe : 0xb6 }, 2, r, base,
			    disp, false);
		break;
	case 2:
		emit_op_mem(e, sign, (const uint8_t[]){ 0x0f, sign ? 0xbf : 0xb7 }, 2, r, base,
			    disp, false);
		break;
	case 4:
		/* movsxd r64, m32, or mov r32, m32 which zero-extends */
		emit_op_mem(e, sign, (const uint8_t[]){ sign ? 0x63 : 0x8b }, 1, r, base, disp,
			    false);
		break;
	default:
		x86_load64(e, r, base, disp);
	}
}

/* Stores the low size bytes of r to [base + disp]. A byte store of
 * RSI/RDI/RSP/RBP needs a REX prefix to name the low byte. */
static inline void x86_store_sized(struct emit *e, unsigned base, int32_t disp, unsigned r,
				   unsigned size)
{
	switch (size) {
	case 1:
		emit_op_mem(e, false, (const uint8_t[]){ 0x88 }, 1, r, base, disp, r >= RSP);
		break;
	case 2:
		emit_u8(e, 0x66);
		emit_op_mem(e, false, (const uint8_t[]){ 0x89 }, 1, r, base, disp, false);
		break;
	case 4:
		emit_op_mem(e, false, (const uint8_t[]){ 0x89 }, 1, r, base, disp, false);
		break;
	default:
		x86_store64(e, base, disp, r);
	}
}

/* op r64, [base + disp] */
static inline void x86_alu_rm(struct emit *e, bool w, enum x86_alu op, unsigned r, unsigned base,
			      int32_t disp)
{
	emit_op_mem(e, w, (const uint8_t[]){ (uint8_t)(op * 8 + 3) }, 1, r, base, disp, false);
}

/* op dst, src */
static inline void x86_alu_rr(struct emit *e, bool w, enum x86_alu op, unsigned dst, unsigned src)
{
	emit_op_rr(e, w, (const uint8_t[]){ (uint8_t)(op * 8 + 1) }, 1, src, dst);
}

/* op r, imm32 (sign-extended to 64 bits when w) */
static inline void x86_alu_ri(struct emit *e, bool w, enum x86_alu op, unsigned r, int32_t imm)
{
	emit_rex(e, w, 0, 0, r, false);
	if (fits_i8(imm)) {
		emit_u8(e, 0x83);
		emit_modrm_rr(e, op, r);
		emit_u8(e, (uint8_t)imm);
	} else {
		emit_u8(e, 0x81);
		emit_modrm_rr(e, op, r);
		emit_u32(e, (uint32_t)imm);
	}
}

/* op qword [base + disp], r */
static inline void x86_alu_mr(struct emit *e, enum x86_alu op, unsigned base, int32_t disp,
			      unsigned r)
{
	emit_op_mem(e, true, (const uint8_t[]){ (uint8_t)(op * 8 + 1) }, 1, r, base, disp, false);
}

/* op qword [base + disp], imm32 */
static inline void x86_alu_mi(struct emit *e, enum x86_alu op, unsigned base, int32_t disp,
			      int32_t imm)
{
	bool small = fits_i8(imm);
	emit_op_mem(e, true, (const uint8_t[]){ small ? 0x83 : 0x81 }, 1, op, base, disp, false);
	if (small)
		emit_u8(e, (uint8_t)imm);
	else
		emit_u32(e, (uint32_t)imm);
}

/* shift r by imm */
static inline void x86_shift_ri(struct emit *e, bool w, enum x86_shift op, unsigned r, uint8_t imm)
{
	emit_op_rr(e, w, (const uint8_t[]){ 0xc1 }, 1, op, r);
	emit_u8(e, imm);
}

/* shift r by cl (the count is masked to 5 or 6 bits by the hardware, as
 * RISC-V's shifts mask theirs) */
static inline void x86_shift_cl(struct emit *e, bool w, enum x86_shift op, unsigned r)
{
	emit_op_rr(e, w, (const uint8_t[]){ 0xd3 }, 1, op, r);
}

/* mov dst, src (64 bits, or 32 bits zero-extending) */
static inline void x86_mov_rr(struct emit *e, bool w, unsigned dst, unsigned src)
{
	emit_op_rr(e, w, (const uint8_t[]){ 0x89 }, 1, src, dst);
}

/* movsxd dst, src32 */
static inline void x86_movsxd_rr(struct emit *e, unsigned dst, unsigned src)
{
	emit_op_rr(e, true, (const uint8_t[]){ 0x63 }, 1, dst, src);
}

/* imul dst, [base + disp] (64 or 32 bits) */
static inline void x86_imul_rm(struct emit *e, bool w, unsigned dst, unsigned base, int32_t disp)
{
	emit_op_mem(e, w, (const uint8_t[]){ 0x0f, 0xaf }, 2, dst, base, disp, false);
}

/* imul dst, src (64 bits) */
static inline void x86_imul_rr(struct emit *e, unsigned dst, unsigned src)
{
	emit_op_rr(e, true, (const uint8_t[]){ 0x0f, 0xaf }, 2, dst, src);
}

/* One-operand F7 group on a qword in memory: mul (/4) or imul (/5) into
 * rdx:rax. */
static inline void x86_f7_m(struct emit *e, unsigned digit, unsigned base, int32_t disp)
{
	emit_op_mem(e, true, (const uint8_t[]){ 0xf7 }, 1, digit, base, disp, false);
}

/* not r (/2) or neg r (/3) */
static inline void x86_f7_r(struct emit *e, unsigned digit, unsigned r)
{
	emit_op_rr(e, true, (const uint8_t[]){ 0xf7 }, 1, digit, r);
}

/* lea dst, [base + index * 2^scale + disp] */
static inline void x86_lea_sib(struct emit *e, unsigned dst, unsigned base, unsigned index,
			       unsigned scale, int32_t disp)
{
	emit_rex(e, true, dst, index, base, false);
	emit_u8(e, 0x8d);
	emit_u8(e, (uint8_t)(0x84 | ((dst & 7) << 3)));          /* mod 10, rm = SIB */
	emit_u8(e, (uint8_t)((scale << 6) | ((index & 7) << 3) | (base & 7)));
	emit_u32(e, (uint32_t)disp);
}

/* lea dst, [base + disp] */
static inline void x86_lea(struct emit *e, unsigned dst, unsigned base, int32_t disp)
{
	emit_op_mem(e, true, (const uint8_t[]){ 0x8d }, 1, dst, base, disp, false);
}

/* mov r, imm: the shortest form for the 64-bit value. */
static inline void x86_mov_ri(struct emit *e, unsigned r, uint64_t imm)
{
	if (imm <= UINT32_MAX) {            /* mov r32, imm32 zero-extends */
		emit_rex(e, false, 0, 0, r, false);
		emit_u8(e, (uint8_t)(0xb8 + (r & 7)));
		emit_u32(e, (uint32_t)imm);
	} else if (fits_i32((int64_t)imm)) { /* mov r64, simm32 */
		emit_rex(e, true, 0, 0, r, false);
		emit_u8(e, 0xc7);
		emit_modrm_rr(e, 0, r);
		emit_u32(e, (uint32_t)imm);
	} else {                            /* movabs */
		emit_rex(e, true, 0, 0, r, false);
		emit_u8(e, (uint8_t)(0xb8 + (r & 7)));
		emit_u64(e, imm);
	}
}

/* setcc r8 (RAX, RCX, RDX or RBX only) then movzx r32, r8 */
static inline void x86_setcc_zx(struct emit *e, enum x86_cc cc, unsigned r)
{
	emit_u8(e, 0x0f);
	emit_u8(e, (uint8_t)(0x90 | cc));
	emit_modrm_rr(e, 0, r);
	emit_u8(e, 0x0f);
	emit_u8(e, 0xb6);
	emit_modrm_rr(e, r, r);
}

/* cmovcc dst, src */
static inline void x86_cmov(struct emit *e, enum x86_cc cc, unsigned dst, unsigned src)
{
	emit_op_rr(e, true, (const uint8_t[]){ 0x0f, (uint8_t)(0x40 | cc) }, 2, dst, src);
}

static inline void x86_bswap(struct emit *e, unsigned r)
{
	emit_rex(e, true, 0, 0, r, false);
	emit_u8(e, 0x0f);
	emit_u8(e, (uint8_t)(0xc8 + (r & 7)));
}

/* lock or dword [rsp], 0: a full fence (Intel SDM vol. 3A 9.2.2: locked
 * instructions order all earlier loads and stores before all later ones),
 * cheaper than mfence and changing nothing: [rsp] is this thread's own
 * stack. */
static inline void x86_full_fence(struct emit *e)
{
	emit_u8(e, 0xf0);
	emit_u8(e, 0x83);
	emit_u8(e, 0x0c);
	emit_u8(e, 0x24);
	emit_u8(e, 0x00);
}

/* test qword [base + disp], imm32 */
static inline void x86_test_mi(struct emit *e, unsigned base, int32_t disp, int32_t imm)
{
	emit_op_mem(e, true, (const uint8_t[]){ 0xf7 }, 1, 0, base, disp, false);
	emit_u32(e, (uint32_t)imm);
}

/* mov dword [base + disp], imm32 */
static inline void x86_mov_mi32(struct emit *e, unsigned base, int32_t disp, int32_t imm)
{
	emit_op_mem(e, false, (const uint8_t[]){ 0xc7 }, 1, 0, base, disp, false);
	emit_u32(e, (uint32_t)imm);
}

/* cmp byte [base + disp], imm8 */
static inline void x86_cmp8_mi(struct emit *e, unsigned base, int32_t disp, uint8_t imm)
{
	emit_op_mem(e, false, (const uint8_t[]){ 0x80 }, 1, ALU_CMP, base, disp, false);
	emit_u8(e, imm);
}

/* test r8, r8 on the low byte of RAX..RBX */
static inline void x86_test8(struct emit *e, unsigned r)
{
	emit_u8(e, 0x84);
	emit_modrm_rr(e, r, r);
}

/* call r */
static inline void x86_call_r(struct emit *e, unsigned r)
{
	emit_rex(e, false, 0, 0, r, false);
	emit_u8(e, 0xff);
	emit_modrm_rr(e, 2, r);
}

/* jmp r */
static inline void x86_jmp_r(struct emit *e, unsigned r)
{
	emit_rex(e, false, 0, 0, r, false);
	emit_u8(e, 0xff);
	emit_modrm_rr(e, 4, r);
}

static inline void x86_push(struct emit *e, unsigned r)
{
	emit_rex(e, false, 0, 0, r, false);
	emit_u8(e, (uint8_t)(0x50 + (r & 7)));
}

static inline void x86_pop(struct emit *e, unsigned r)
{
	emit_rex(e, false, 0, 0, r, false);
	emit_u8(e, (uint8_t)(0x58 + (r & 7)));
}

static inline void x86_ret(struct emit *e)
{
	emit_u8(e, 0xc3);
}

/* Jumps with a 32-bit displacement. They return where the displacement
 * sits, for x86_patch once the target is known (or the target is given). */
static inline uint8_t *x86_jcc(struct emit *e, enum x86_cc cc)
{
	emit_u8(e, 0x0f);
	emit_u8(e, (uint8_t)(0x80 | cc));
	uint8_t *at = e->p;
	emit_u32(e, 0);
	return at;
}

static inline uint8_t *x86_jmp(struct emit *e)
{
	emit_u8(e, 0xe9);
	uint8_t *at = e->p;
	emit_u32(e, 0);
	return at;
}

/* Points the displacement at `at` (from x86_jcc/x86_jmp) to target. */
static inline void x86_patch(struct emit *e, uint8_t *at, const uint8_t *target)
{
	if (e->full)
		return;
	int32_t rel = (int32_t)(target - (at + 4));
	memcpy(at, &rel, 4);
}

#endif
