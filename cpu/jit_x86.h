/* The x86-64 translator's shared parts (cpu/jit.h is its interface): the
 * translation in progress, where guest state sits relative to the host
 * registers, and the emitters its files share. cpu/jit.c drives a
 * translation and owns the code buffer; cpu/jit_flow.c emits control flow
 * (exits, chaining, the lookup, block-ending instructions), cpu/jit_mem.c
 * loads, stores and F/D, cpu/jit_insn.c the rest.
 *
 * Host registers while translated code runs: RBX points at x[16] so every
 * x register is one byte of displacement away, RBP holds the hart, R14 the
 * data TLB of the current privilege (which only instructions ending a block
 * can change), R15 the instructions retired since jit_run entered. */
#ifndef DOPPEL_CPU_JIT_X86_H
#define DOPPEL_CPU_JIT_X86_H

#include <stddef.h>

#include "cpu/fpu_host.h"
#include "cpu/hart.h"
#include "cpu/jit.h"
#include "cpu/x86_emit.h"

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

static inline void load_x(struct emit *e, unsigned hreg, unsigned r)
{
	x86_load64(e, hreg, RBX, XOFF(r));
}

static inline void store_x(struct emit *e, unsigned r, unsigned hreg)
{
	if (r != 0)
		x86_store64(e, RBX, XOFF(r), hreg);
}

/* hreg (RAX or RCX) = x[r], from the other of the two if it holds x[r],
 * not at all if hreg does. */
static inline void load_cached(struct translation *t, unsigned hreg, unsigned r)
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
static inline void alu_operand(struct translation *t, bool w, enum x86_alu op, unsigned dst, unsigned r)
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
static inline void result_rax(struct translation *t, unsigned rd)
{
	store_x(&t->e, rd, RAX);
	t->rax_now = rd ? (int)rd : -1;
	t->rcx_now = t->rcx_was != (int)rd ? t->rcx_was : -1;
}

/* s->pc += delta (s->pc -= -delta). */
static inline void add_pc(struct emit *e, int64_t delta)
{
	if (delta)
		x86_alu_mi(e, ALU_ADD, RBX, PC_OFF, (int32_t)delta);
}

/* rax = the 64-bit sum of rax and v. */
static inline void add_rax(struct emit *e, int64_t v)
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
void emit_exit(struct translation *t, uint32_t retired, bool trapped);

/* The dispatcher's fast path in host code, for jumps whose target is not
 * known when they are translated (jalr, jumps to another page): s->pc's
 * page in the fetch TLB, its block in the block table, the page's
 * generation, the block's translation. Anything missing, the budget spent
 * or break_loop set leaves for the dispatcher in C, which fills what is
 * missing or takes the interrupt. It is
 * emitted at each such jump, so that each has an indirect branch of its own
 * for the host's branch predictor to learn. */
void emit_lookup(struct emit *e, const struct jit *j);

/* Leaves the block for the one at s->pc, which starts off bytes after this
 * block's start: straight into its translation when it lies in the same
 * page, the budget allows and nothing asked for the dispatcher (an MMIO
 * store that may have raised an interrupt line sets break_loop, so
 * interrupts are taken at the next block boundary), else through the
 * dispatcher. */
void emit_exit_to(struct translation *t, uint32_t retired, int64_t off);

/* Where an unlinked jump goes until jit_link points it at its target. */
void emit_unlinked_stub(struct translation *t, const struct unlinked *u);

/* Calls fn(rbp, ...) with the arguments already in RSI, RDX, RCX. A helper
 * that may trap sees s->pc at the instruction; false from it leaves the
 * block as trapped. */
void emit_call(struct translation *t, const void *fn, uint32_t index, uint32_t off);

/* An instruction executed by the interpreter's body, which advances s->pc
 * past it; s->pc is then brought back to the block start. */
void emit_interpret(struct translation *t, const struct insn *in, uint32_t index,
		    uint32_t off);

/* A conditional branch ends the block: s->pc moves to the target or past
 * the branch. */
void emit_branch(struct translation *t, const struct insn *in, enum x86_cc cc,
		 uint32_t retired, uint32_t off);

/* jal and jalr: rd = the next pc, then s->pc = the target. */
void emit_jump(struct translation *t, const struct insn *in, uint32_t retired,
	       uint32_t off);

/* Instructions that end a translation through the interpreter's body: CSR
 * accesses other than those that read or stop the counters (which are
 * brought up to date only when jit_run returns), xRET, SFENCE.VMA and
 * FENCE.I. Then the next block is looked up afresh, since translation or
 * privilege may have changed; if the instruction asked for the
 * dispatcher's attention, hart_break_check decides whether the run goes on
 * (nothing to take) or ends (an interrupt to take, a stop, a wait). */
bool ends_through_helper(const struct insn *in);

void emit_helper_end(struct translation *t, const struct insn *in, uint32_t index,
		     uint32_t off);

/* The trampolines: jit_run(h, code) enters through `enter`, which saves the
 * callee-saved registers it uses, keeps the stack 16-byte aligned with one
 * 8-byte scratch slot at [rsp] (slow loads return their value there), and
 * jumps to the code; every exit path jumps to `exit` with the result in
 * RAX, or to `exit_chained`, which makes it from R15. */
void emit_trampolines(struct jit *j);

void emit_load(struct translation *t, const struct insn *in, uint32_t index, uint32_t off,
	       unsigned size, bool sign);

void emit_store(struct translation *t, const struct insn *in, uint32_t index,
		uint32_t off, unsigned size);

/* The out-of-line half of a load or store: the MMU's full path, with the
 * virtual address still in RAX. */
void emit_slow_path(struct translation *t, const struct slow_path *sp);

void emit_fp_load(struct translation *t, const struct insn *in, uint32_t index,
		  uint32_t off, unsigned size);

void emit_fp_store(struct translation *t, const struct insn *in, uint32_t index,
		   uint32_t off, unsigned size);

/* fadd.d, fsub.d, fmul.d, fdiv.d, fmadd.d: when FS is on, rounding is to
 * nearest and NX already set (checked here), f64_host (cpu/fpu_host.h) is
 * called directly with the operands and may answer; when it declines, or
 * any check fails, the interpreter's F/D body runs the instruction, flags
 * and traps included. */
void emit_fp_host(struct translation *t, const struct insn *in, uint32_t index,
		  uint32_t off, enum fpu_host_op op);

/* Other F and D instructions go straight to the interpreter's F/D body,
 * which leaves s->pc alone. */
void emit_fp_op(struct translation *t, const struct insn *in, uint32_t index,
		uint32_t off);

/* Emits one instruction that does not end the block, natively where the
 * translator knows it and through the interpreter otherwise. */
void emit_insn(struct translation *t, const struct insn *in, uint32_t i, uint32_t off);

#endif
