/* Loads and stores in translated code, the inline TLB lookup and the
 * MMU's slow path behind it, and the F/D instructions (declared, with
 * their comments, in cpu/jit_x86.h). */
#if defined(__x86_64__)

#include "cpu/jit_x86.h"

#include "cpu/exec.h"
#include "cpu/mmu.h"

/* rax = x[rs1] + imm, the virtual address; the TLB entry for its page at
 * [rdx + acc * sizeof e[acc]]; jumps to a slow path unless the entry maps
 * the page and the access stays in it (the last byte's page is compared
 * with the tag, so a crossing access misses). */
static void emit_tlb_lookup(struct translation *t, const struct insn *in, uint32_t index,
			    uint32_t off, unsigned size, bool store, bool sign)
{
	struct emit *e = &t->e;
	int32_t entries = (int32_t)((store ? ACC_WRITE : ACC_READ) * sizeof(((struct tlb *)0)->e[0]));

	load_cached(t, RAX, in->rs1);
	if (in->imm)
		x86_alu_ri(e, true, ALU_ADD, RAX, (int32_t)in->imm);
	x86_mov_rr(e, true, RDX, RAX);
	x86_shift_ri(e, true, SH_SHR, RDX, 12);
	x86_alu_ri(e, false, ALU_AND, RDX, TLB_SIZE - 1);
	x86_shift_ri(e, false, SH_SHL, RDX, 4);
	x86_alu_rr(e, true, ALU_ADD, RDX, R14);
	x86_lea(e, RCX, RAX, (int32_t)size - 1);
	x86_alu_ri(e, true, ALU_AND, RCX, -4096);
	x86_alu_rm(e, true, ALU_CMP, RCX, RDX, entries);
	t->slow[t->nslow] = (struct slow_path){
		.branch = x86_jcc(e, CC_NE), .in = in, .index = index, .off = off,
		.size = size, .sign = sign, .store = store,
	};
	x86_alu_rm(e, true, ALU_ADD, RAX, RDX, entries + (int32_t)offsetof(struct tlb_entry, addend));
}

void emit_load(struct translation *t, const struct insn *in, uint32_t index, uint32_t off,
	       unsigned size, bool sign)
{
	struct emit *e = &t->e;
	emit_tlb_lookup(t, in, index, off, size, false, sign);
	x86_load_ext(e, RCX, RAX, 0, size, sign);
	store_x(e, in->rd, RCX);
	t->slow[t->nslow++].resume = e->p;
	/* Both paths arrive with the loaded value in RCX. */
	t->rcx_now = in->rd ? (int)in->rd : -1;
}

void emit_store(struct translation *t, const struct insn *in, uint32_t index,
		uint32_t off, unsigned size)
{
	struct emit *e = &t->e;
	unsigned value = RCX;

	/* A value RAX or RCX carries is kept in R8 across the TLB lookup,
	 * which needs both. */
	if (in->rs2 && (t->rax_was == (int)in->rs2 || t->rcx_was == (int)in->rs2)) {
		x86_mov_rr(e, true, R8, t->rax_was == (int)in->rs2 ? RAX : RCX);
		value = R8;
	}
	emit_tlb_lookup(t, in, index, off, size, true, false);
	if (value == RCX)
		load_x(e, RCX, in->rs2);
	x86_store_sized(e, RAX, 0, value, size);
	t->slow[t->nslow++].resume = e->p;
}

void emit_slow_path(struct translation *t, const struct slow_path *sp)
{
	struct emit *e = &t->e;

	x86_patch(e, sp->branch, e->p);
	for (unsigned k = 0; k < sp->nmore; k++)
		x86_patch(e, sp->more[k], e->p);
	if (sp->fp) {
		x86_mov_ri(e, RSI, (uint64_t)(uintptr_t)sp->in);
		emit_call(t, (const void *)exec_fp, sp->index, sp->off);
		add_pc(e, -(int64_t)sp->off);
		x86_patch(e, x86_jmp(e), sp->resume);
		return;
	}
	x86_mov_rr(e, true, RSI, RAX);
	x86_mov_ri(e, RDX, sp->size);
	if (sp->store) {
		load_x(e, RCX, sp->in->rs2);
		emit_call(t, (const void *)mmu_store_slow, sp->index, sp->off);
		add_pc(e, -(int64_t)sp->off);
	} else {
		x86_mov_rr(e, true, RCX, RSP);
		emit_call(t, (const void *)mmu_load_slow, sp->index, sp->off);
		add_pc(e, -(int64_t)sp->off);
		x86_load_ext(e, RCX, RSP, 0, sp->size, sp->sign);
		store_x(e, sp->in->rd, RCX);
	}
	x86_patch(e, x86_jmp(e), sp->resume);
}

/* F and D loads and stores (spec 11.5, 12.4) natively while mstatus.FS is
 * not Off; with FS Off, or on a TLB miss, the interpreter's body runs the
 * whole instruction (and takes the trap, if there is one). */
static void emit_fs_check(struct translation *t, const struct insn *in, uint32_t index,
			  uint32_t off)
{
	struct emit *e = &t->e;
	x86_test_mi(e, RBX, MSTATUS_OFF, (int32_t)MSTATUS_FS);
	t->slow[t->nslow++] = (struct slow_path){
		.branch = x86_jcc(e, CC_E), .in = in, .index = index, .off = off, .fp = true,
	};
}

/* FS Dirty, and SD with it; written only when it was not, so that a run
 * of F/D instructions does not chain through stores to mstatus. */
static void emit_fs_dirty(struct emit *e)
{
	x86_mov_ri(e, RDX, MSTATUS_FS | MSTATUS_SD);
	x86_mov_rr(e, true, RAX, RDX);
	x86_alu_rm(e, true, ALU_AND, RAX, RBX, MSTATUS_OFF);
	x86_alu_rr(e, true, ALU_CMP, RAX, RDX);
	uint8_t *dirty = x86_jcc(e, CC_E);
	x86_alu_mr(e, ALU_OR, RBX, MSTATUS_OFF, RDX);
	x86_patch(e, dirty, e->p);
}

void emit_fp_load(struct translation *t, const struct insn *in, uint32_t index,
		  uint32_t off, unsigned size)
{
	struct emit *e = &t->e;
	unsigned first = t->nslow;

	emit_fs_check(t, in, index, off);
	emit_tlb_lookup(t, in, index, off, size, false, false);
	t->slow[t->nslow].fp = true;
	t->nslow++;
	x86_load_ext(e, RCX, RAX, 0, size, false);
	if (size == 4) {
		/* NaN-boxed: the upper half all ones (spec 12.2). */
		x86_store_sized(e, RBX, FOFF(in->rd), RCX, 4);
		x86_mov_mi32(e, RBX, FOFF(in->rd) + 4, -1);
	} else {
		x86_store64(e, RBX, FOFF(in->rd), RCX);
	}
	emit_fs_dirty(e);
	for (unsigned k = first; k < t->nslow; k++)
		t->slow[k].resume = e->p;
}

void emit_fp_store(struct translation *t, const struct insn *in, uint32_t index,
		   uint32_t off, unsigned size)
{
	struct emit *e = &t->e;
	unsigned first = t->nslow;

	emit_fs_check(t, in, index, off);
	emit_tlb_lookup(t, in, index, off, size, true, false);
	t->slow[t->nslow].fp = true;
	t->nslow++;
	x86_load64(e, RCX, RBX, FOFF(in->rs2));
	x86_store_sized(e, RAX, 0, RCX, size);
	for (unsigned k = first; k < t->nslow; k++)
		t->slow[k].resume = e->p;
}

void emit_fp_host(struct translation *t, const struct insn *in, uint32_t index,
		  uint32_t off, enum fpu_host_op op)
{
	struct emit *e = &t->e;
	unsigned first = t->nslow;

	emit_fs_check(t, in, index, off);
	struct slow_path *sp = &t->slow[first];
	x86_load_ext(e, RAX, RBX, FCSR_OFF, 4, false);
	/* frm (bits 7:5) must be RNE when the instruction says dynamic. */
	x86_alu_ri(e, false, ALU_AND, RAX, in->rm == 7 ? 0xe1 : 0x01);
	x86_alu_ri(e, false, ALU_CMP, RAX, 1);
	sp->more[sp->nmore++] = x86_jcc(e, CC_NE);
	x86_mov_ri(e, RDI, op);
	x86_load64(e, RSI, RBX, FOFF(in->rs1));
	x86_load64(e, RDX, RBX, FOFF(in->rs2));
	if (op == FPU_HOST_FMA)
		x86_load64(e, RCX, RBX, FOFF(in->rs3));
	else
		x86_mov_ri(e, RCX, 0);
	x86_mov_rr(e, true, R8, RSP);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)f64_host);
	x86_call_r(e, RAX);
	x86_test8(e, RAX);
	sp->more[sp->nmore++] = x86_jcc(e, CC_E);
	x86_load64(e, RCX, RSP, 0);
	x86_store64(e, RBX, FOFF(in->rd), RCX);
	emit_fs_dirty(e);
	sp->resume = e->p;
}

void emit_fp_op(struct translation *t, const struct insn *in, uint32_t index,
		uint32_t off)
{
	x86_mov_ri(&t->e, RSI, (uint64_t)(uintptr_t)in);
	emit_call(t, (const void *)exec_fp, index, off);
	add_pc(&t->e, -(int64_t)off);
}

#endif
