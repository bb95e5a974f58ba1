/* Control flow in translated code: leaving a block, chaining to the next,
 * the lookup of the next translation in host code, calls into C, the
 * instructions that end a block, and the trampolines between C and
 * translated code (declared, with their comments, in cpu/jit_x86.h). */
#if defined(__x86_64__)

#include "cpu/jit_x86.h"

#include "cpu/csr.h"
#include "cpu/exec.h"

void emit_exit(struct translation *t, uint32_t retired, bool trapped)
{
	struct emit *e = &t->e;
	x86_lea(e, RAX, R15, (int32_t)retired);
	x86_alu_rr(e, true, ALU_ADD, RAX, RAX);
	if (trapped)
		x86_alu_ri(e, true, ALU_OR, RAX, 1);
	x86_patch(e, x86_jmp(e), t->j->exit);
}

void emit_lookup(struct emit *e, const struct jit *j)
{
	int32_t fetch = (int32_t)(ACC_EXEC * sizeof(((struct tlb *)0)->e[0]));
	int32_t blocks = HART_FIELD(blocks);
	uint8_t *miss[7];
	unsigned n = 0;

	x86_alu_rm(e, true, ALU_CMP, R15, RBP, JIT_FIELD(budget));
	miss[n++] = x86_jcc(e, CC_AE);
	x86_cmp8_mi(e, RBP, HART_FIELD(break_loop), 0);
	miss[n++] = x86_jcc(e, CC_NE);
	/* A CSR write may have changed the data TLB in use. */
	x86_load64(e, R14, RBP, HART_FIELD(dtlb));
	x86_load64(e, RAX, RBX, PC_OFF);
	x86_mov_rr(e, true, RDX, RAX);
	x86_shift_ri(e, true, SH_SHR, RDX, 12);
	x86_alu_ri(e, false, ALU_AND, RDX, TLB_SIZE - 1);
	x86_shift_ri(e, false, SH_SHL, RDX, 4);
	x86_alu_rm(e, true, ALU_ADD, RDX, RBP, HART_FIELD(itlb));
	x86_mov_rr(e, true, RCX, RAX);
	x86_alu_ri(e, true, ALU_AND, RCX, -4096);
	x86_alu_rm(e, true, ALU_CMP, RCX, RDX, fetch);
	miss[n++] = x86_jcc(e, CC_NE);
	x86_alu_rm(e, true, ALU_ADD, RAX, RDX, fetch + (int32_t)offsetof(struct tlb_entry, addend));
	/* rax = host address of the code; rcx = its block (block_index). */
	x86_mov_rr(e, true, RCX, RAX);
	x86_shift_ri(e, true, SH_SHR, RCX, 1);
	x86_mov_rr(e, true, RDX, RAX);
	x86_shift_ri(e, true, SH_SHR, RDX, 13);
	x86_alu_rr(e, false, ALU_XOR, RCX, RDX);
	x86_alu_ri(e, false, ALU_AND, RCX, BLOCK_TABLE - 1);
	x86_shift_ri(e, true, SH_SHL, RCX, 5);
	x86_alu_rr(e, true, ALU_ADD, RCX, RBP);
	x86_alu_rm(e, true, ALU_CMP, RAX, RCX, blocks + (int32_t)offsetof(struct block, host));
	miss[n++] = x86_jcc(e, CC_NE);
	/* The page's generation: cm->gen[(host - cm->host) >> 12]. */
	x86_load64(e, R8, RBP, HART_FIELD(bus));
	x86_alu_rm(e, true, ALU_SUB, RAX, R8, (int32_t)offsetof(struct bus, code.host));
	x86_shift_ri(e, true, SH_SHR, RAX, 12);
	x86_alu_rm(e, true, ALU_CMP, RAX, R8, (int32_t)offsetof(struct bus, code.pages));
	miss[n++] = x86_jcc(e, CC_AE);
	x86_shift_ri(e, true, SH_SHL, RAX, 2);
	x86_alu_rm(e, true, ALU_ADD, RAX, R8, (int32_t)offsetof(struct bus, code.gen));
	x86_load_ext(e, RDX, RAX, 0, 4, false);
	x86_alu_rm(e, false, ALU_CMP, RDX, RCX, blocks + (int32_t)offsetof(struct block, gen));
	miss[n++] = x86_jcc(e, CC_NE);
	x86_load64(e, RAX, RCX, blocks + (int32_t)offsetof(struct block, code));
	x86_alu_rr(e, true, ALU_AND, RAX, RAX);
	miss[n++] = x86_jcc(e, CC_E);
	x86_jmp_r(e, RAX);
	for (unsigned k = 0; k < n; k++)
		x86_patch(e, miss[k], j->exit_chained);
}

void emit_exit_to(struct translation *t, uint32_t retired, int64_t off)
{
	struct emit *e = &t->e;
	int64_t in_page = (int64_t)((uintptr_t)t->host & 0xfff) + off;

	x86_alu_ri(e, true, ALU_ADD, R15, (int32_t)retired);
	if (in_page < 0 || in_page >= 4096) {
		emit_lookup(e, t->j);
		return;
	}
	x86_alu_rm(e, true, ALU_CMP, R15, RBP, JIT_FIELD(budget));
	x86_patch(e, x86_jcc(e, CC_AE), t->j->exit_chained);
	x86_cmp8_mi(e, RBP, HART_FIELD(break_loop), 0);
	x86_patch(e, x86_jcc(e, CC_NE), t->j->exit_chained);
	t->unlinked[t->nunlinked++] = (struct unlinked){ x86_jmp(e), t->host + off };
}

void emit_unlinked_stub(struct translation *t, const struct unlinked *u)
{
	struct emit *e = &t->e;
	x86_patch(e, u->site, e->p);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)u->site);
	x86_store64(e, RBP, JIT_FIELD(link_site), RAX);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)u->target);
	x86_store64(e, RBP, JIT_FIELD(link_target), RAX);
	x86_patch(e, x86_jmp(e), t->j->exit_chained);
}

void emit_call(struct translation *t, const void *fn, uint32_t index, uint32_t off)
{
	struct emit *e = &t->e;
	add_pc(e, off);
	x86_mov_rr(e, true, RDI, RBP);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)fn);
	x86_call_r(e, RAX);
	x86_test8(e, RAX);
	uint8_t *ok = x86_jcc(e, CC_NE);
	emit_exit(t, index, true);
	x86_patch(e, ok, e->p);
}

void emit_interpret(struct translation *t, const struct insn *in, uint32_t index,
		    uint32_t off)
{
	x86_mov_ri(&t->e, RSI, (uint64_t)(uintptr_t)in);
	emit_call(t, (const void *)hart_exec_insn, index, off);
	add_pc(&t->e, -(int64_t)(off + in->len));
}

void emit_branch(struct translation *t, const struct insn *in, enum x86_cc cc,
		 uint32_t retired, uint32_t off)
{
	struct emit *e = &t->e;
	load_cached(t, RAX, in->rs1);
	alu_operand(t, true, ALU_CMP, RAX, in->rs2);
	uint8_t *taken = x86_jcc(e, cc);
	add_pc(e, off + in->len);
	emit_exit_to(t, retired, off + in->len);
	x86_patch(e, taken, e->p);
	add_pc(e, off + in->imm);
	emit_exit_to(t, retired, off + in->imm);
}

void emit_jump(struct translation *t, const struct insn *in, uint32_t retired,
	       uint32_t off)
{
	struct emit *e = &t->e;
	if (in->op == OP_JALR) {
		load_x(e, RCX, in->rs1);
		if (in->imm)
			x86_alu_ri(e, true, ALU_ADD, RCX, (int32_t)in->imm);
		x86_alu_ri(e, true, ALU_AND, RCX, -2);
	} else {
		x86_load64(e, RCX, RBX, PC_OFF);
		x86_alu_ri(e, true, ALU_ADD, RCX, (int32_t)(off + in->imm));
	}
	if (in->rd) {
		x86_load64(e, RAX, RBX, PC_OFF);
		x86_alu_ri(e, true, ALU_ADD, RAX, (int32_t)(off + in->len));
		store_x(e, in->rd, RAX);
	}
	x86_store64(e, RBX, PC_OFF, RCX);
	if (in->op == OP_JAL) {
		emit_exit_to(t, retired, off + in->imm);
	} else {
		x86_alu_ri(e, true, ALU_ADD, R15, (int32_t)retired);
		emit_lookup(e, t->j);
	}
}

bool ends_through_helper(const struct insn *in)
{
	unsigned csr = (unsigned)in->imm & 0xfff;

	switch (in->op) {
	case OP_MRET: case OP_SRET: case OP_SFENCE_VMA: case OP_FENCE_I:
		return true;
	case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
	case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
		if (csr == CSR_MCOUNTINHIBIT)
			return false;
		return csr == CSR_TIME || (!(csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31) &&
					   !(csr >= CSR_MCYCLE && csr <= CSR_MHPMCOUNTER31));
	default:
		return false;
	}
}

void emit_helper_end(struct translation *t, const struct insn *in, uint32_t index,
		     uint32_t off)
{
	struct emit *e = &t->e;
	x86_mov_ri(e, RSI, (uint64_t)(uintptr_t)in);
	emit_call(t, (const void *)hart_exec_insn, index, off);
	x86_alu_ri(e, true, ALU_ADD, R15, (int32_t)index + 1);
	x86_cmp8_mi(e, RBP, HART_FIELD(break_loop), 0);
	uint8_t *quiet = x86_jcc(e, CC_E);
	x86_mov_rr(e, true, RDI, RBP);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)hart_break_check);
	x86_call_r(e, RAX);
	x86_test8(e, RAX);
	x86_patch(e, x86_jcc(e, CC_E), t->j->exit_chained);
	x86_patch(e, quiet, e->p);
	emit_lookup(e, t->j);
}

void emit_trampolines(struct jit *j)
{
	struct emit e = { j->buf, j->buf + j->size, false };

	j->enter = e.p;
	x86_push(&e, RBX);
	x86_push(&e, RBP);
	x86_push(&e, R14);
	x86_push(&e, R15);
	x86_alu_ri(&e, true, ALU_SUB, RSP, 8);
	x86_mov_rr(&e, true, RBP, RDI);
	x86_lea(&e, RBX, RDI, X_BASE);
	x86_load64(&e, R14, RDI, (int32_t)offsetof(struct hart, dtlb));
	x86_alu_rr(&e, false, ALU_XOR, R15, R15);
	x86_jmp_r(&e, RSI);

	j->exit_chained = e.p;
	x86_lea(&e, RAX, R15, 0);
	x86_alu_rr(&e, true, ALU_ADD, RAX, RAX);
	j->exit = e.p;
	x86_alu_ri(&e, true, ALU_ADD, RSP, 8);
	x86_pop(&e, R15);
	x86_pop(&e, R14);
	x86_pop(&e, RBP);
	x86_pop(&e, RBX);
	x86_ret(&e);
	j->used = (size_t)(e.p - j->buf);
}

#endif
