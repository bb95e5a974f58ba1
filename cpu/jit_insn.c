/* Integer instructions in translated code, and the choice of an emitter
 * for each instruction that does not end a block (emit_insn, declared in
 * cpu/jit_x86.h). */
#if defined(__x86_64__)

#include "cpu/jit_x86.h"

#include "cpu/exec.h"

/* rd = x[rs1] op x[rs2] (64-bit), or op with imm when use_imm. */
static void emit_alu(struct translation *t, const struct insn *in, enum x86_alu op, bool use_imm)
{
	load_cached(t, RAX, in->rs1);
	if (use_imm)
		x86_alu_ri(&t->e, true, op, RAX, (int32_t)in->imm);
	else
		alu_operand(t, true, op, RAX, in->rs2);
	result_rax(t, in->rd);
}

/* The 32-bit forms: operate on the low words, sign-extend the result. */
static void emit_alu_w(struct translation *t, const struct insn *in, enum x86_alu op,
		       bool use_imm)
{
	load_cached(t, RAX, in->rs1);
	if (use_imm)
		x86_alu_ri(&t->e, false, op, RAX, (int32_t)in->imm);
	else
		alu_operand(t, false, op, RAX, in->rs2);
	x86_movsxd_rr(&t->e, RAX, RAX);
	result_rax(t, in->rd);
}

/* Shifts by an immediate or by x[rs2]; x86 masks the count as RISC-V does
 * (to 6 bits, or 5 for the W forms). */
static void emit_shift(struct translation *t, const struct insn *in, enum x86_shift op,
		       bool word, bool use_imm)
{
	struct emit *e = &t->e;
	load_cached(t, RAX, in->rs1);
	if (use_imm) {
		x86_shift_ri(e, !word, op, RAX, (uint8_t)(in->imm & (word ? 31 : 63)));
	} else {
		load_cached(t, RCX, in->rs2);
		x86_shift_cl(e, !word, op, RAX);
	}
	if (word)
		x86_movsxd_rr(e, RAX, RAX);
	result_rax(t, in->rd);
}

/* rd = (x[rs1] < x[rs2] or imm) as 0 or 1. */
static void emit_set_less(struct translation *t, const struct insn *in, enum x86_cc cc,
			  bool use_imm)
{
	load_cached(t, RCX, in->rs1);
	if (use_imm)
		x86_alu_ri(&t->e, true, ALU_CMP, RCX, (int32_t)in->imm);
	else
		alu_operand(t, true, ALU_CMP, RCX, in->rs2);
	x86_setcc_zx(&t->e, cc, RAX);
	result_rax(t, in->rd);
}

/* sh{1,2,3}add[.uw]: rd = (x[rs1] (zero-extended word for .uw) << n) + x[rs2]. */
static void emit_shadd(struct emit *e, const struct insn *in, unsigned n, bool uw)
{
	if (uw)
		x86_load_ext(e, RAX, RBX, XOFF(in->rs1), 4, false);
	else
		load_x(e, RAX, in->rs1);
	load_x(e, RCX, in->rs2);
	x86_lea_sib(e, RAX, RCX, RAX, n, 0);
	store_x(e, in->rd, RAX);
}

/* min/max: rd = x[rs1], replaced by x[rs2] when cc holds on the compare. */
static void emit_minmax(struct emit *e, const struct insn *in, enum x86_cc cc)
{
	load_x(e, RAX, in->rs1);
	load_x(e, RCX, in->rs2);
	x86_alu_rr(e, true, ALU_CMP, RAX, RCX);
	x86_cmov(e, cc, RAX, RCX);
	store_x(e, in->rd, RAX);
}

static enum fpu_host_op fp_host_op(unsigned op)
{
	switch (op) {
	case OP_FADD_D: return FPU_HOST_ADD;
	case OP_FSUB_D: return FPU_HOST_SUB;
	case OP_FMUL_D: return FPU_HOST_MUL;
	case OP_FDIV_D: return FPU_HOST_DIV;
	default: return FPU_HOST_FMA;
	}
}

void emit_insn(struct translation *t, const struct insn *in, uint32_t i, uint32_t off)
{
	struct emit *e = &t->e;

	switch (in->op) {
	case OP_LUI:
		x86_mov_ri(e, RAX, (uint64_t)in->imm);
		result_rax(t, in->rd);
		break;
	case OP_AUIPC:
		x86_load64(e, RAX, RBX, PC_OFF);
		add_rax(e, (int64_t)off + in->imm);
		result_rax(t, in->rd);
		break;
	case OP_LB: emit_load(t, in, i, off, 1, true); break;
	case OP_LH: emit_load(t, in, i, off, 2, true); break;
	case OP_LW: emit_load(t, in, i, off, 4, true); break;
	case OP_LD: emit_load(t, in, i, off, 8, false); break;
	case OP_LBU: emit_load(t, in, i, off, 1, false); break;
	case OP_LHU: emit_load(t, in, i, off, 2, false); break;
	case OP_LWU: emit_load(t, in, i, off, 4, false); break;
	case OP_SB: emit_store(t, in, i, off, 1); break;
	case OP_SH: emit_store(t, in, i, off, 2); break;
	case OP_SW: emit_store(t, in, i, off, 4); break;
	case OP_SD: emit_store(t, in, i, off, 8); break;
	case OP_ADDI: emit_alu(t, in, ALU_ADD, true); break;
	case OP_XORI: emit_alu(t, in, ALU_XOR, true); break;
	case OP_ORI: emit_alu(t, in, ALU_OR, true); break;
	case OP_ANDI: emit_alu(t, in, ALU_AND, true); break;
	case OP_ADD: emit_alu(t, in, ALU_ADD, false); break;
	case OP_SUB: emit_alu(t, in, ALU_SUB, false); break;
	case OP_XOR: emit_alu(t, in, ALU_XOR, false); break;
	case OP_OR: emit_alu(t, in, ALU_OR, false); break;
	case OP_AND: emit_alu(t, in, ALU_AND, false); break;
	case OP_SLTI: emit_set_less(t, in, CC_L, true); break;
	case OP_SLTIU: emit_set_less(t, in, CC_B, true); break;
	case OP_SLT: emit_set_less(t, in, CC_L, false); break;
	case OP_SLTU: emit_set_less(t, in, CC_B, false); break;
	case OP_SLLI: emit_shift(t, in, SH_SHL, false, true); break;
	case OP_SRLI: emit_shift(t, in, SH_SHR, false, true); break;
	case OP_SRAI: emit_shift(t, in, SH_SAR, false, true); break;
	case OP_SLL: emit_shift(t, in, SH_SHL, false, false); break;
	case OP_SRL: emit_shift(t, in, SH_SHR, false, false); break;
	case OP_SRA: emit_shift(t, in, SH_SAR, false, false); break;
	case OP_ADDIW: emit_alu_w(t, in, ALU_ADD, true); break;
	case OP_ADDW: emit_alu_w(t, in, ALU_ADD, false); break;
	case OP_SUBW: emit_alu_w(t, in, ALU_SUB, false); break;
	case OP_SLLIW: emit_shift(t, in, SH_SHL, true, true); break;
	case OP_SRLIW: emit_shift(t, in, SH_SHR, true, true); break;
	case OP_SRAIW: emit_shift(t, in, SH_SAR, true, true); break;
	case OP_SLLW: emit_shift(t, in, SH_SHL, true, false); break;
	case OP_SRLW: emit_shift(t, in, SH_SHR, true, false); break;
	case OP_SRAW: emit_shift(t, in, SH_SAR, true, false); break;
	case OP_RORI: emit_shift(t, in, SH_ROR, false, true); break;
	case OP_RORIW: emit_shift(t, in, SH_ROR, true, true); break;
	case OP_ROR: emit_shift(t, in, SH_ROR, false, false); break;
	case OP_ROL: emit_shift(t, in, SH_ROL, false, false); break;
	case OP_RORW: emit_shift(t, in, SH_ROR, true, false); break;
	case OP_ROLW: emit_shift(t, in, SH_ROL, true, false); break;
	case OP_MUL:
		load_cached(t, RAX, in->rs1);
		if (t->rcx_was == (int)in->rs2)
			x86_imul_rr(e, RAX, RCX);
		else
			x86_imul_rm(e, true, RAX, RBX, XOFF(in->rs2));
		result_rax(t, in->rd);
		break;
	case OP_MULW:
		load_x(e, RAX, in->rs1);
		x86_imul_rm(e, false, RAX, RBX, XOFF(in->rs2));
		x86_movsxd_rr(e, RAX, RAX);
		store_x(e, in->rd, RAX);
		break;
	case OP_MULH:
	case OP_MULHU:
		load_x(e, RAX, in->rs1);
		x86_f7_m(e, in->op == OP_MULH ? 5 : 4, RBX, XOFF(in->rs2));
		store_x(e, in->rd, RDX);
		break;
	case OP_SH1ADD: emit_shadd(e, in, 1, false); break;
	case OP_SH2ADD: emit_shadd(e, in, 2, false); break;
	case OP_SH3ADD: emit_shadd(e, in, 3, false); break;
	case OP_SH1ADD_UW: emit_shadd(e, in, 1, true); break;
	case OP_SH2ADD_UW: emit_shadd(e, in, 2, true); break;
	case OP_SH3ADD_UW: emit_shadd(e, in, 3, true); break;
	case OP_ADD_UW: emit_shadd(e, in, 0, true); break;
	case OP_ANDN:
	case OP_ORN:
		load_x(e, RAX, in->rs2);
		x86_f7_r(e, 2, RAX);
		x86_alu_rm(e, true, in->op == OP_ANDN ? ALU_AND : ALU_OR, RAX, RBX, XOFF(in->rs1));
		store_x(e, in->rd, RAX);
		break;
	case OP_XNOR:
		load_x(e, RAX, in->rs1);
		x86_alu_rm(e, true, ALU_XOR, RAX, RBX, XOFF(in->rs2));
		x86_f7_r(e, 2, RAX);
		store_x(e, in->rd, RAX);
		break;
	case OP_MIN: emit_minmax(e, in, CC_G); break;
	case OP_MAX: emit_minmax(e, in, CC_L); break;
	case OP_MINU: emit_minmax(e, in, CC_A); break;
	case OP_MAXU: emit_minmax(e, in, CC_B); break;
	case OP_SEXT_B:
	case OP_SEXT_H:
	case OP_ZEXT_H:
		/* The low bytes of a register slot are its low bits (little-endian). */
		x86_load_ext(e, RAX, RBX, XOFF(in->rs1), in->op == OP_SEXT_B ? 1 : 2,
			     in->op != OP_ZEXT_H);
		store_x(e, in->rd, RAX);
		break;
	case OP_REV8:
		load_x(e, RAX, in->rs1);
		x86_bswap(e, RAX);
		store_x(e, in->rd, RAX);
		break;
	case OP_FENCE:
		/* x86-64 keeps every order but store-then-load by itself (TSO):
		 * only a fence that asks for that one costs anything (decode.h). */
		if (insn_fence_orders_store_load(in))
			x86_full_fence(e);
		break;
	case OP_FLW: emit_fp_load(t, in, i, off, 4); break;
	case OP_FLD: emit_fp_load(t, in, i, off, 8); break;
	case OP_FSW: emit_fp_store(t, in, i, off, 4); break;
	case OP_FSD: emit_fp_store(t, in, i, off, 8); break;
	case OP_FADD_D: case OP_FSUB_D: case OP_FMUL_D: case OP_FDIV_D: case OP_FMADD_D:
		if (in->rm == 0 || in->rm == 7)
			emit_fp_host(t, in, i, off, fp_host_op(in->op));
		else
			emit_fp_op(t, in, i, off);
		break;
	case OP_FMADD_S ... OP_FMV_W_X:
	case OP_FMSUB_D ... OP_FNMADD_D:
	case OP_FSQRT_D ... OP_FMV_D_X:
		emit_fp_op(t, in, i, off);
		break;
	default:
		emit_interpret(t, in, i, off);
		break;
	}
}

#endif
