/* The x86-64 code generator (see cpu/jit.h). One guest instruction at a
 * time, guest registers in memory: RBX points at x[16] so every x register
 * is one byte of displacement away, RBP holds the hart, R14 the data TLB of
 * the current privilege (which only instructions ending a block can
 * change), R15 the instructions retired since jit_run entered. Loads and stores look up the TLB inline and call the MMU's slow
 * path out of line; instructions without a native translation call the
 * interpreter's body for that one instruction. */
#include "cpu/jit.h"

#include <stddef.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/csr.h"
#include "cpu/exec.h"
#include "cpu/fpu_host.h"
#include "cpu/hart.h"
#include "cpu/mmu.h"

#if defined(__x86_64__)

#include "cpu/x86_emit.h"

#define JIT_BUFFER_SIZE (64u << 20)
/* Room one block's code can never exceed (BLOCK_MAX instructions of at most
 * ~120 bytes each, plus their slow paths). */
#define JIT_BLOCK_ROOM (BLOCK_MAX * 256)

#define X_BASE   ((int32_t)offsetof(struct hart, s.x) + 16 * 8)
#define XOFF(r)  ((int32_t)(r) * 8 - 16 * 8)
#define PC_OFF   ((int32_t)offsetof(struct hart, s.pc) - X_BASE)
#define FOFF(r)  ((int32_t)offsetof(struct hart, s.f) + (int32_t)(r) * 8 - X_BASE)
#define MSTATUS_OFF ((int32_t)offsetof(struct hart, s.mstatus) - X_BASE)
#define FCSR_OFF ((int32_t)offsetof(struct hart, s.fcsr) - X_BASE)

/* Where a slow path returns to and what it needs. */
struct slow_path {
	uint8_t *branch;          /* the jump into it */
	uint8_t *resume;
	const struct insn *in;
	uint32_t index, off;      /* instruction number and byte offset in the block */
	unsigned size;
	bool sign, store;
	/* The whole instruction through the interpreter's F/D body instead. */
	bool fp;
	/* Further jumps into the same slow path. */
	uint8_t *more[4];
	unsigned nmore;
};

/* A direct jump not yet linked to its target's translation. */
struct unlinked {
	uint8_t *site;            /* the jump's displacement */
	const uint8_t *target;    /* host address of the target's code */
};

struct translation {
	struct emit e;
	struct jit *j;
	const uint8_t *host;      /* the block's code */
	struct slow_path slow[2 * BLOCK_MAX];   /* at most two per instruction */
	unsigned nslow;
	struct unlinked unlinked[2];
	unsigned nunlinked;
	/* The x registers RAX and RCX hold (-1: none) while the instruction
	 * being translated starts (was) and once it is done (now), so that an
	 * instruction reading what the one before wrote or read needs no load
	 * from memory. Emitters that use them load through load_cached before
	 * anything else, and declare what they leave; the rest leave nothing. */
	int rax_was, rcx_was, rax_now, rcx_now;
};

#define JIT_FIELD(f) ((int32_t)offsetof(struct hart, jit.f))
#define HART_FIELD(f) ((int32_t)offsetof(struct hart, f))

/* The lookup in host code indexes blocks by shifting. */
_Static_assert(sizeof(struct block) == 32, "struct block is 32 bytes");

static void load_x(struct emit *e, unsigned hreg, unsigned r)
{
	x86_load64(e, hreg, RBX, XOFF(r));
}

static void store_x(struct emit *e, unsigned r, unsigned hreg)
{
	if (r != 0)
		x86_store64(e, RBX, XOFF(r), hreg);
}

/* hreg (RAX or RCX) = x[r], from the other of the two if it holds x[r],
 * not at all if hreg does. */
static void load_cached(struct translation *t, unsigned hreg, unsigned r)
{
	int *held = hreg == RAX ? &t->rax_was : &t->rcx_was;
	int other = hreg == RAX ? t->rcx_was : t->rax_was;

	if (*held != (int)r) {
		if (other == (int)r)
			x86_mov_rr(&t->e, true, hreg, hreg == RAX ? RCX : RAX);
		else
			load_x(&t->e, hreg, r);
	}
	*held = (int)r;
}

/* The second operand of an ALU operation on dst: RCX or RAX when one holds
 * x[r], else x[r] in memory. */
static void alu_operand(struct translation *t, bool w, enum x86_alu op, unsigned dst, unsigned r)
{
	if (dst != RCX && t->rcx_was == (int)r)
		x86_alu_rr(&t->e, w, op, dst, RCX);
	else if (dst != RAX && t->rax_was == (int)r)
		x86_alu_rr(&t->e, w, op, dst, RAX);
	else
		x86_alu_rm(&t->e, w, op, dst, RBX, XOFF(r));
}

/* x[rd] = RAX, which then holds x[rd]; RCX, untouched, keeps what it held
 * unless that was x[rd]. */
static void result_rax(struct translation *t, unsigned rd)
{
	store_x(&t->e, rd, RAX);
	t->rax_now = rd ? (int)rd : -1;
	t->rcx_now = t->rcx_was != (int)rd ? t->rcx_was : -1;
}

/* s->pc += delta (s->pc -= -delta). */
static void add_pc(struct emit *e, int64_t delta)
{
	if (delta)
		x86_alu_mi(e, ALU_ADD, RBX, PC_OFF, (int32_t)delta);
}

/* rax = the 64-bit sum of rax and v. */
static void add_rax(struct emit *e, int64_t v)
{
	if (v == 0)
		return;
	if (fits_i32(v)) {
		x86_alu_ri(e, true, ALU_ADD, RAX, (int32_t)v);
	} else {
		x86_mov_ri(e, RCX, (uint64_t)v);
		x86_alu_rr(e, true, ALU_ADD, RAX, RCX);
	}
}

/* Leaves the block: rax = the jit_run result, then the exit trampoline. */
static void emit_exit(struct translation *t, uint32_t retired, bool trapped)
{
	struct emit *e = &t->e;
	x86_lea(e, RAX, R15, (int32_t)retired);
	x86_alu_rr(e, true, ALU_ADD, RAX, RAX);
	if (trapped)
		x86_alu_ri(e, true, ALU_OR, RAX, 1);
	x86_patch(e, x86_jmp(e), t->j->exit);
}

/* The dispatcher's fast path in host code, for jumps whose target is not
 * known when they are translated (jalr, jumps to another page): s->pc's
 * page in the fetch TLB, its block in the block table, the page's
 * generation, the block's translation. Anything missing, the budget spent
 * or break_loop set leaves for the dispatcher in C, which fills what is
 * missing or takes the interrupt. It is
 * emitted at each such jump, so that each has an indirect branch of its own
 * for the host's branch predictor to learn. */
static void emit_lookup(struct emit *e, const struct jit *j)
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

/* Leaves the block for the one at s->pc, which starts off bytes after this
 * block's start: straight into its translation when it lies in the same
 * page, the budget allows and nothing asked for the dispatcher (an MMIO
 * store that may have raised an interrupt line sets break_loop, so
 * interrupts are taken at the next block boundary), else through the
 * dispatcher. */
static void emit_exit_to(struct translation *t, uint32_t retired, int64_t off)
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

/* Where an unlinked jump goes until jit_link points it at its target. */
static void emit_unlinked_stub(struct translation *t, const struct unlinked *u)
{
	struct emit *e = &t->e;
	x86_patch(e, u->site, e->p);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)u->site);
	x86_store64(e, RBP, JIT_FIELD(link_site), RAX);
	x86_mov_ri(e, RAX, (uint64_t)(uintptr_t)u->target);
	x86_store64(e, RBP, JIT_FIELD(link_target), RAX);
	x86_patch(e, x86_jmp(e), t->j->exit_chained);
}

/* Calls fn(rbp, ...) with the arguments already in RSI, RDX, RCX. A helper
 * that may trap sees s->pc at the instruction; false from it leaves the
 * block as trapped. */
static void emit_call(struct translation *t, const void *fn, uint32_t index, uint32_t off)
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

/* An instruction executed by the interpreter's body, which advances s->pc
 * past it; s->pc is then brought back to the block start. */
static void emit_interpret(struct translation *t, const struct insn *in, uint32_t index,
			   uint32_t off)
{
	x86_mov_ri(&t->e, RSI, (uint64_t)(uintptr_t)in);
	emit_call(t, (const void *)hart_exec_insn, index, off);
	add_pc(&t->e, -(int64_t)(off + in->len));
}

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

static void emit_load(struct translation *t, const struct insn *in, uint32_t index, uint32_t off,
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

static void emit_store(struct translation *t, const struct insn *in, uint32_t index,
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

/* The out-of-line half of a load or store: the MMU's full path, with the
 * virtual address still in RAX. */
static void emit_slow_path(struct translation *t, const struct slow_path *sp)
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

static void emit_fp_load(struct translation *t, const struct insn *in, uint32_t index,
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

static void emit_fp_store(struct translation *t, const struct insn *in, uint32_t index,
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

/* fadd.d, fsub.d, fmul.d, fdiv.d, fmadd.d: when FS is on, rounding is to
 * nearest and NX already set (checked here), f64_host (cpu/fpu_host.h) is
 * called directly with the operands and may answer; when it declines, or
 * any check fails, the interpreter's F/D body runs the instruction, flags
 * and traps included. */
static void emit_fp_host(struct translation *t, const struct insn *in, uint32_t index,
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

/* Other F and D instructions go straight to the interpreter's F/D body,
 * which leaves s->pc alone. */
static void emit_fp_op(struct translation *t, const struct insn *in, uint32_t index,
		       uint32_t off)
{
	x86_mov_ri(&t->e, RSI, (uint64_t)(uintptr_t)in);
	emit_call(t, (const void *)exec_fp, index, off);
	add_pc(&t->e, -(int64_t)off);
}

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

/* A conditional branch ends the block: s->pc moves to the target or past
 * the branch. */
static void emit_branch(struct translation *t, const struct insn *in, enum x86_cc cc,
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

/* jal and jalr: rd = the next pc, then s->pc = the target. */
static void emit_jump(struct translation *t, const struct insn *in, uint32_t retired,
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

/* Instructions that end a translation through the interpreter's body: CSR
 * accesses other than those that read or stop the counters (which are
 * brought up to date only when jit_run returns), xRET, SFENCE.VMA and
 * FENCE.I. Then the next block is looked up afresh, since translation or
 * privilege may have changed; if the instruction asked for the
 * dispatcher's attention, hart_break_check decides whether the run goes on
 * (nothing to take) or ends (an interrupt to take, a stop, a wait). */
static bool ends_through_helper(const struct insn *in)
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

static void emit_helper_end(struct translation *t, const struct insn *in, uint32_t index,
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

/* Emits one instruction that does not end the block, natively where the
 * translator knows it and through the interpreter otherwise. */
static void emit_insn(struct translation *t, const struct insn *in, uint32_t i, uint32_t off)
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

/* Instructions that end a block and that the translator can end it with. */
static bool ends_translation(const struct insn *in)
{
	switch (in->op) {
	case OP_JAL: case OP_JALR:
	case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE: case OP_BLTU: case OP_BGEU:
		return true;
	default:
		return false;
	}
}

/* Block-ending instructions the interpreter must run: they trap, wait, or
 * read or stop the counters. */
static bool left_to_interpreter(const struct insn *in)
{
	switch (in->op) {
	case OP_ECALL: case OP_EBREAK: case OP_WFI: case OP_ILLEGAL:
	case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
	case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
		return true;
	default:
		return false;
	}
}

static enum x86_cc branch_cc(unsigned op)
{
	switch (op) {
	case OP_BEQ: return CC_E;
	case OP_BNE: return CC_NE;
	case OP_BLT: return CC_L;
	case OP_BGE: return CC_GE;
	case OP_BLTU: return CC_B;
	default: return CC_AE;
	}
}

/* The trampolines: jit_run(h, code) enters through `enter`, which saves the
 * callee-saved registers it uses, keeps the stack 16-byte aligned with one
 * 8-byte scratch slot at [rsp] (slow loads return their value there), and
 * jumps to the code; every exit path jumps to `exit` with the result in
 * RAX, or to `exit_chained`, which makes it from R15. */
static void emit_trampolines(struct jit *j)
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

/* The code buffer is mapped twice from one memory file: writable where the
 * translator writes, executable where the host runs it, never both at one
 * address (W^X), so a stray host write cannot become host code. */
static bool jit_map(struct jit *j)
{
	void *rw = MAP_FAILED, *rx = MAP_FAILED;
	int fd = memfd_create("doppel-jit", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, JIT_BUFFER_SIZE) == 0) {
		rw = mmap(NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		rx = mmap(NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	}
	if (fd >= 0)
		close(fd);
	if (rw == MAP_FAILED || rx == MAP_FAILED) {
		if (rw != MAP_FAILED)
			munmap(rw, JIT_BUFFER_SIZE);
		if (rx != MAP_FAILED)
			munmap(rx, JIT_BUFFER_SIZE);
		j->unavailable = true;
		return false;
	}
	j->buf = rw;
	j->exec = rx;
	j->size = JIT_BUFFER_SIZE;
	emit_trampolines(j);
	return true;
}

/* Where code written at p in the writable view runs. */
static void *exec_address(const struct jit *j, const uint8_t *p)
{
	return j->exec + (p - j->buf);
}

void jit_reset(struct jit *j)
{
	j->link_site = NULL;
	if (j->buf)
		emit_trampolines(j);
}

void jit_link(struct jit *j, const uint8_t *host, void *code)
{
	if (j->link_site && j->link_target == host) {
		/* Both ends in the writable view: the displacement is the same. */
		const uint8_t *target = j->buf + ((const uint8_t *)code - j->exec);
		int32_t rel = (int32_t)(target - (j->link_site + 4));
		memcpy(j->link_site, &rel, 4);
	}
	j->link_site = NULL;
}

bool jit_full(const struct jit *j)
{
	return j->buf && j->size - j->used < JIT_BLOCK_ROOM;
}

void *jit_translate(struct jit *j, const uint8_t *host, const struct insn *in, uint32_t n)
{
	if (j->unavailable || (!j->buf && !jit_map(j)) || jit_full(j))
		return NULL;

	struct translation t = {
		.e = { j->buf + j->used, j->buf + j->size, false }, .j = j, .host = host,
	};
	uint8_t *code = t.e.p;
	uint32_t i, off = 0;

	t.rax_now = t.rcx_now = -1;
	for (i = 0; i < n; off += in[i].len, i++) {
		t.rax_was = t.rax_now;
		t.rcx_was = t.rcx_now;
		t.rax_now = t.rcx_now = -1;
		if (ends_through_helper(&in[i])) {
			emit_helper_end(&t, &in[i], i, off);
			i++;
			goto done;
		}
		if (left_to_interpreter(&in[i]))
			break;
		if (ends_translation(&in[i])) {
			if (in[i].op == OP_JAL || in[i].op == OP_JALR)
				emit_jump(&t, &in[i], i + 1, off);
			else
				emit_branch(&t, &in[i], branch_cc(in[i].op), i + 1, off);
			i++;
			goto done;
		}
		emit_insn(&t, &in[i], i, off);
	}
	if (i == 0)
		return NULL;
	/* The block was cut short (by its length or its page), or the rest is
	 * the interpreter's: on to the block at instruction i. */
	add_pc(&t.e, off);
	emit_exit_to(&t, i, off);
done:
	for (unsigned k = 0; k < t.nslow; k++)
		emit_slow_path(&t, &t.slow[k]);
	for (unsigned k = 0; k < t.nunlinked; k++)
		emit_unlinked_stub(&t, &t.unlinked[k]);
	if (t.e.full)
		return NULL;
	j->used = (size_t)(t.e.p - j->buf);
	return exec_address(j, code);
}

uint64_t jit_run(struct jit *j, struct hart *h, void *code, uint64_t budget)
{
	uint64_t (*enter)(struct hart *, void *) =
		(uint64_t (*)(struct hart *, void *))(uintptr_t)exec_address(j, j->enter);
	j->budget = budget;
	return enter(h, code);
}

void jit_destroy(struct jit *j)
{
	if (j->buf) {
		munmap(j->buf, j->size);
		munmap(j->exec, j->size);
	}
	j->buf = j->exec = NULL;
}

#else

void *jit_translate(struct jit *j, const uint8_t *host, const struct insn *in, uint32_t n)
{
	j->unavailable = true;
	return NULL;
}

bool jit_full(const struct jit *j)
{
	return false;
}

void jit_reset(struct jit *j)
{
}

uint64_t jit_run(struct jit *j, struct hart *h, void *code, uint64_t budget)
{
	return 0;
}

void jit_link(struct jit *j, const uint8_t *host, void *code)
{
}

void jit_destroy(struct jit *j)
{
}

#endif
