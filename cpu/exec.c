/* The interpreter: instructions are decoded once into blocks (cpu/hart.h,
 * struct block) found by the host address of their code, and executed with
 * one switch. Every case either sets next and breaks (the instruction
 * retires) or returns false after a trap. */
#include "cpu/exec.h"

#include "cpu/alu.h"
#include "cpu/csr.h"
#include "cpu/mmu.h"
#include "cpu/trap.h"

static uint64_t amo_op(unsigned op, uint64_t old, uint64_t src, bool word)
{
	int64_t so = word ? (int32_t)old : (int64_t)old;
	int64_t ss = word ? (int32_t)src : (int64_t)src;
	uint64_t uo = word ? (uint32_t)old : old;
	uint64_t us = word ? (uint32_t)src : src;

	switch (op) {
	case OP_AMOSWAP_W: case OP_AMOSWAP_D: return src;
	case OP_AMOADD_W: case OP_AMOADD_D: return old + src;
	case OP_AMOXOR_W: case OP_AMOXOR_D: return old ^ src;
	case OP_AMOAND_W: case OP_AMOAND_D: return old & src;
	case OP_AMOOR_W: case OP_AMOOR_D: return old | src;
	case OP_AMOMIN_W: case OP_AMOMIN_D: return so < ss ? old : src;
	case OP_AMOMAX_W: case OP_AMOMAX_D: return so > ss ? old : src;
	case OP_AMOMINU_W: case OP_AMOMINU_D: return uo < us ? old : src;
	default: return uo > us ? old : src;   /* AMOMAXU */
	}
}

/* The host side of the A extension (unprivileged spec chapter 8) under
 * RVWMO (chapter 17): guest RAM is shared by harts that may run on
 * different host threads, so each AMO is one host atomic read-modify-write
 * of its width, and SC a host compare-and-swap. Every one is sequentially
 * consistent, which satisfies any aq/rl combination; on x86-64 it is one
 * locked instruction (lock xadd, xchg, lock cmpxchg...), already a full
 * fence, so aq and rl cost nothing more. Atomics reach RAM only:
 * mmu_atomic_ptr faults them elsewhere. */
#define AMO_ORDER __ATOMIC_SEQ_CST
/* The rl bit of an LR, SC or AMO encoding (aq is bit 26). */
#define AMO_RL (1u << 25)

static uint32_t amo_word(unsigned op, uint32_t *p, uint32_t src)
{
	uint32_t old;

	switch (op) {
	case OP_AMOSWAP_W: return __atomic_exchange_n(p, src, AMO_ORDER);
	case OP_AMOADD_W: return __atomic_fetch_add(p, src, AMO_ORDER);
	case OP_AMOXOR_W: return __atomic_fetch_xor(p, src, AMO_ORDER);
	case OP_AMOAND_W: return __atomic_fetch_and(p, src, AMO_ORDER);
	case OP_AMOOR_W: return __atomic_fetch_or(p, src, AMO_ORDER);
	default:   /* MIN, MAX, MINU, MAXU: x86 has no instruction for them */
		old = __atomic_load_n(p, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(p, &old, (uint32_t)amo_op(op, old, src, true),
						    false, AMO_ORDER, __ATOMIC_RELAXED))
			;
		return old;
	}
}

static uint64_t amo_double(unsigned op, uint64_t *p, uint64_t src)
{
	uint64_t old;

	switch (op) {
	case OP_AMOSWAP_D: return __atomic_exchange_n(p, src, AMO_ORDER);
	case OP_AMOADD_D: return __atomic_fetch_add(p, src, AMO_ORDER);
	case OP_AMOXOR_D: return __atomic_fetch_xor(p, src, AMO_ORDER);
	case OP_AMOAND_D: return __atomic_fetch_and(p, src, AMO_ORDER);
	case OP_AMOOR_D: return __atomic_fetch_or(p, src, AMO_ORDER);
	default:
		old = __atomic_load_n(p, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(p, &old, amo_op(op, old, src, false), false,
						    AMO_ORDER, __ATOMIC_RELAXED))
			;
		return old;
	}
}

/* The reservation is the physical address and size LR loaded, and the value
 * it loaded there; SC succeeds only with the same address and size and only
 * if memory still holds that value, which it checks and stores in one host
 * compare-and-swap. That is weaker than the spec (8.3) in one way: a store by
 * another hart that leaves the same value behind (ABA) does not break the
 * reservation (lock-free code that needs to notice such a store, such as
 * an LR/SC stack pop, is rare; Linux uses LR/SC only for compare-and-swap
 * and counters). A store by this hart of a different value makes the SC
 * fail, which the spec allows. Any SC, and any trap (trap.c), clears the
 * reservation. */
static bool exec_lr(struct hart *h, const struct insn *in, unsigned size)
{
	struct hart_state *s = &h->s;
	uint64_t pa, v;
	uint8_t *p = mmu_atomic_ptr(h, s->x[in->rs1], size, ACC_READ, &pa);

	if (!p)
		return false;
	/* LR.aqrl is sequentially consistent (spec 8.2): earlier stores must
	 * be visible before it loads, which x86 does not keep by itself. */
	if (in->raw & AMO_RL)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	v = size == 4 ? __atomic_load_n((uint32_t *)(void *)p, __ATOMIC_ACQUIRE)
		      : __atomic_load_n((uint64_t *)(void *)p, __ATOMIC_ACQUIRE);
	s->reservation = pa;
	s->reservation_size = size;
	s->reservation_value = v;
	exec_write_x(s, in->rd, size == 4 ? sext32(v) : v);
	return true;
}

static bool exec_sc(struct hart *h, const struct insn *in, unsigned size)
{
	struct hart_state *s = &h->s;
	uint64_t pa;
	uint8_t *p = mmu_atomic_ptr(h, s->x[in->rs1], size, ACC_WRITE, &pa);

	if (!p)
		return false;
	bool ok = s->reservation == pa && s->reservation_size == size;
	if (ok && size == 4) {
		uint32_t expect = (uint32_t)s->reservation_value;
		ok = __atomic_compare_exchange_n((uint32_t *)(void *)p, &expect,
						 (uint32_t)s->x[in->rs2], false, AMO_ORDER,
						 __ATOMIC_RELAXED);
	} else if (ok) {
		uint64_t expect = s->reservation_value;
		ok = __atomic_compare_exchange_n((uint64_t *)(void *)p, &expect, s->x[in->rs2],
						 false, AMO_ORDER, __ATOMIC_RELAXED);
	}
	s->reservation = RESERVATION_NONE;
	exec_write_x(s, in->rd, ok ? 0 : 1);
	return true;
}

/* LR, SC and the AMOs (spec 8.2-8.4). Returns false if it trapped. */
static bool exec_atomic(struct hart *h, const struct insn *in)
{
	struct hart_state *s = &h->s;
	bool word = in->op <= OP_AMOMAXU_W;
	unsigned size = word ? 4 : 8;

	if (in->op == OP_LR_W || in->op == OP_LR_D)
		return exec_lr(h, in, size);
	if (in->op == OP_SC_W || in->op == OP_SC_D)
		return exec_sc(h, in, size);
	uint8_t *p = mmu_atomic_ptr(h, s->x[in->rs1], size, ACC_WRITE, NULL);
	if (!p)
		return false;
	uint64_t old = word ? sext32(amo_word(in->op, (uint32_t *)(void *)p, (uint32_t)s->x[in->rs2]))
			    : amo_double(in->op, (uint64_t *)(void *)p, s->x[in->rs2]);
	exec_write_x(s, in->rd, old);
	return true;
}

/* Zicsr (spec chapter 9). A CSR is not written when CSRRS/CSRRC have rs1 = x0
 * or a zero immediate, and not read when CSRRW has rd = x0, so read-only
 * CSRs can be read and write-only side effects are avoided. */
static bool exec_csr(struct hart *h, const struct insn *in)
{
	struct hart_state *s = &h->s;
	unsigned csr = (unsigned)in->imm & 0xfff;
	bool imm_form = in->op >= OP_CSRRWI;
	uint64_t src = imm_form ? in->rs1 : s->x[in->rs1];
	uint64_t old = 0;
	unsigned kind = imm_form ? in->op - OP_CSRRWI : in->op - OP_CSRRW;  /* 0 W, 1 S, 2 C */
	bool do_write = kind == 0 || in->rs1 != 0;
	bool do_read = kind != 0 || in->rd != 0;

	if (do_read && !csr_read(h, csr, &old))
		goto illegal;
	if (do_write) {
		/* Read-modify-write of mip uses the software-written bits only,
		 * not the device lines ORed in (spec 3.1.9). */
		uint64_t base = csr == CSR_MIP ? s->mip : old;
		uint64_t val = kind == 0 ? src : kind == 1 ? base | src : base & ~src;
		if (!csr_write(h, csr, val))
			goto illegal;
	}
	exec_write_x(s, in->rd, old);
	return true;
illegal:
	hart_illegal(h, in);
	return false;
}

enum sys_result { SYS_TRAPPED, SYS_NEXT, SYS_JUMPED };

/* ECALL, EBREAK, xRET, WFI, SFENCE.VMA (privileged spec 3.3, 4.2.1). xRET
 * retires having set the pc itself. */
static enum sys_result exec_system(struct hart *h, const struct insn *in)
{
	struct hart_state *s = &h->s;

	switch (in->op) {
	case OP_ECALL:
		if (s->priv == PRIV_S && h->ecall_hook)
			return h->ecall_hook(h, h->ecall_opaque) ? SYS_NEXT : SYS_TRAPPED;
		hart_raise(h, s->priv == PRIV_U ? EXC_ECALL_U :
			      s->priv == PRIV_S ? EXC_ECALL_S : EXC_ECALL_M, 0);
		return SYS_TRAPPED;
	case OP_EBREAK:
		hart_raise(h, EXC_BREAKPOINT, s->pc);
		return SYS_TRAPPED;
	case OP_MRET:
		if (s->priv < PRIV_M)
			break;
		hart_mret(h);
		return SYS_JUMPED;
	case OP_SRET:
		if (s->priv < PRIV_S || (s->priv == PRIV_S && (s->mstatus & MSTATUS_TSR)))
			break;
		hart_sret(h);
		return SYS_JUMPED;
	case OP_WFI:
		/* U-mode WFI is illegal since S-mode exists; TW makes it illegal
		 * in S-mode too (spec 3.1.6.5). */
		if (s->priv == PRIV_U || (s->priv == PRIV_S && (s->mstatus & MSTATUS_TW)))
			break;
		s->wfi = 1;
		h->break_loop = true;
		return SYS_NEXT;
	case OP_SFENCE_VMA:
		if (s->priv == PRIV_U || (s->priv == PRIV_S && (s->mstatus & MSTATUS_TVM)))
			break;
		if (in->rs1)
			hart_tlb_flush_page(h, s->x[in->rs1]);
		else
			hart_tlb_flush_vm(h);
		return SYS_NEXT;
	}
	hart_illegal(h, in);
	return SYS_TRAPPED;
}

static inline bool load(struct hart *h, const struct insn *in, unsigned size, uint64_t *v)
{
	return mmu_load(h, h->s.x[in->rs1] + (uint64_t)in->imm, size, v);
}

static inline bool store(struct hart *h, const struct insn *in, unsigned size)
{
	return mmu_store(h, h->s.x[in->rs1] + (uint64_t)in->imm, size, h->s.x[in->rs2]);
}

/* Executes in at s->pc. Returns true if it retired. Inlined into the block
 * loop, which is the hot path. */
static inline __attribute__((always_inline)) bool exec_one(struct hart *h, const struct insn *in)
{
	struct hart_state *s = &h->s;
	uint64_t *x = s->x;
	uint64_t pc = s->pc;
	uint64_t next = pc + in->len;
	uint64_t a = x[in->rs1], b = x[in->rs2];
	int64_t imm = in->imm;
	uint64_t v;

	switch (in->op) {
	case OP_LUI: x[in->rd] = (uint64_t)imm; break;
	case OP_AUIPC: x[in->rd] = pc + (uint64_t)imm; break;
	case OP_JAL: x[in->rd] = next; next = pc + (uint64_t)imm; break;
	case OP_JALR: {
		uint64_t target = (a + (uint64_t)imm) & ~1ull;
		x[in->rd] = next;
		next = target;
		break;
	}
	case OP_BEQ: if (a == b) next = pc + (uint64_t)imm; break;
	case OP_BNE: if (a != b) next = pc + (uint64_t)imm; break;
	case OP_BLT: if ((int64_t)a < (int64_t)b) next = pc + (uint64_t)imm; break;
	case OP_BGE: if ((int64_t)a >= (int64_t)b) next = pc + (uint64_t)imm; break;
	case OP_BLTU: if (a < b) next = pc + (uint64_t)imm; break;
	case OP_BGEU: if (a >= b) next = pc + (uint64_t)imm; break;

	case OP_LB: if (!load(h, in, 1, &v)) return false; x[in->rd] = (uint64_t)(int8_t)v; break;
	case OP_LH: if (!load(h, in, 2, &v)) return false; x[in->rd] = (uint64_t)(int16_t)v; break;
	case OP_LW: if (!load(h, in, 4, &v)) return false; x[in->rd] = sext32(v); break;
	case OP_LD: if (!load(h, in, 8, &v)) return false; x[in->rd] = v; break;
	case OP_LBU: if (!load(h, in, 1, &v)) return false; x[in->rd] = v; break;
	case OP_LHU: if (!load(h, in, 2, &v)) return false; x[in->rd] = v; break;
	case OP_LWU: if (!load(h, in, 4, &v)) return false; x[in->rd] = v; break;
	case OP_SB: if (!store(h, in, 1)) return false; break;
	case OP_SH: if (!store(h, in, 2)) return false; break;
	case OP_SW: if (!store(h, in, 4)) return false; break;
	case OP_SD: if (!store(h, in, 8)) return false; break;

	case OP_ADDI: x[in->rd] = a + (uint64_t)imm; break;
	case OP_SLTI: x[in->rd] = (int64_t)a < imm; break;
	case OP_SLTIU: x[in->rd] = a < (uint64_t)imm; break;
	case OP_XORI: x[in->rd] = a ^ (uint64_t)imm; break;
	case OP_ORI: x[in->rd] = a | (uint64_t)imm; break;
	case OP_ANDI: x[in->rd] = a & (uint64_t)imm; break;
	case OP_SLLI: x[in->rd] = a << (imm & 63); break;
	case OP_SRLI: x[in->rd] = a >> (imm & 63); break;
	case OP_SRAI: x[in->rd] = (uint64_t)((int64_t)a >> (imm & 63)); break;
	case OP_ADD: x[in->rd] = a + b; break;
	case OP_SUB: x[in->rd] = a - b; break;
	case OP_SLL: x[in->rd] = a << (b & 63); break;
	case OP_SLT: x[in->rd] = (int64_t)a < (int64_t)b; break;
	case OP_SLTU: x[in->rd] = a < b; break;
	case OP_XOR: x[in->rd] = a ^ b; break;
	case OP_SRL: x[in->rd] = a >> (b & 63); break;
	case OP_SRA: x[in->rd] = (uint64_t)((int64_t)a >> (b & 63)); break;
	case OP_OR: x[in->rd] = a | b; break;
	case OP_AND: x[in->rd] = a & b; break;
	case OP_ADDIW: x[in->rd] = sext32(a + (uint64_t)imm); break;
	case OP_SLLIW: x[in->rd] = sext32((uint32_t)a << (imm & 31)); break;
	case OP_SRLIW: x[in->rd] = sext32((uint32_t)a >> (imm & 31)); break;
	case OP_SRAIW: x[in->rd] = sext32((uint32_t)((int32_t)a >> (imm & 31))); break;
	case OP_ADDW: x[in->rd] = sext32(a + b); break;
	case OP_SUBW: x[in->rd] = sext32(a - b); break;
	case OP_SLLW: x[in->rd] = sext32((uint32_t)a << (b & 31)); break;
	case OP_SRLW: x[in->rd] = sext32((uint32_t)a >> (b & 31)); break;
	case OP_SRAW: x[in->rd] = sext32((uint32_t)((int32_t)a >> (b & 31))); break;

	case OP_FENCE:
		/* A host fence where the host could reorder what the guest
		 * ordered (decode.h); elsewhere only the compiler must not move
		 * this hart's guest loads and stores across it. */
		if (insn_fence_orders_store_load(in))
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
		else
			__atomic_signal_fence(__ATOMIC_SEQ_CST);
		break;
	case OP_FENCE_I:
		/* This hart's stores to code already made its blocks stale;
		 * another hart's are seen from here on (codemap.h). */
		hart_code_sync(h);
		break;
	case OP_ECALL: case OP_EBREAK: case OP_MRET: case OP_SRET: case OP_WFI:
	case OP_SFENCE_VMA:
		switch (exec_system(h, in)) {
		case SYS_TRAPPED:
			return false;
		case SYS_JUMPED:
			next = s->pc;
			break;
		case SYS_NEXT:
			break;
		}
		break;
	case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
	case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
		if (!exec_csr(h, in))
			return false;
		break;

	case OP_MUL: x[in->rd] = a * b; break;
	case OP_MULH: x[in->rd] = mulh((int64_t)a, (int64_t)b); break;
	case OP_MULHSU: x[in->rd] = mulhsu((int64_t)a, b); break;
	case OP_MULHU: x[in->rd] = mulhu(a, b); break;
	case OP_DIV: x[in->rd] = div64((int64_t)a, (int64_t)b); break;
	case OP_DIVU: x[in->rd] = b ? a / b : ~0ull; break;
	case OP_REM: x[in->rd] = rem64((int64_t)a, (int64_t)b); break;
	case OP_REMU: x[in->rd] = b ? a % b : a; break;
	case OP_MULW: x[in->rd] = sext32(a * b); break;
	case OP_DIVW: x[in->rd] = div32((int32_t)a, (int32_t)b); break;
	case OP_DIVUW:
		x[in->rd] = (uint32_t)b ? sext32((uint32_t)a / (uint32_t)b) : ~0ull;
		break;
	case OP_REMW: x[in->rd] = rem32((int32_t)a, (int32_t)b); break;
	case OP_REMUW:
		x[in->rd] = sext32((uint32_t)b ? (uint32_t)a % (uint32_t)b : (uint32_t)a);
		break;

	case OP_LR_W ... OP_AMOMAXU_D:
		if (!exec_atomic(h, in))
			return false;
		break;

	case OP_FLW ... OP_FMV_D_X:
		if (!exec_fp(h, in))
			return false;
		break;

	case OP_SH1ADD: x[in->rd] = (a << 1) + b; break;
	case OP_SH2ADD: x[in->rd] = (a << 2) + b; break;
	case OP_SH3ADD: x[in->rd] = (a << 3) + b; break;
	case OP_ADD_UW: x[in->rd] = (uint32_t)a + b; break;
	case OP_SH1ADD_UW: x[in->rd] = ((uint64_t)(uint32_t)a << 1) + b; break;
	case OP_SH2ADD_UW: x[in->rd] = ((uint64_t)(uint32_t)a << 2) + b; break;
	case OP_SH3ADD_UW: x[in->rd] = ((uint64_t)(uint32_t)a << 3) + b; break;
	case OP_SLLI_UW: x[in->rd] = (uint64_t)(uint32_t)a << (imm & 63); break;
	case OP_ANDN: x[in->rd] = a & ~b; break;
	case OP_ORN: x[in->rd] = a | ~b; break;
	case OP_XNOR: x[in->rd] = ~(a ^ b); break;
	case OP_CLZ: x[in->rd] = a ? (uint64_t)__builtin_clzll(a) : 64; break;
	case OP_CLZW: x[in->rd] = (uint32_t)a ? (uint64_t)__builtin_clz((uint32_t)a) : 32; break;
	case OP_CTZ: x[in->rd] = a ? (uint64_t)__builtin_ctzll(a) : 64; break;
	case OP_CTZW: x[in->rd] = (uint32_t)a ? (uint64_t)__builtin_ctz((uint32_t)a) : 32; break;
	case OP_CPOP: x[in->rd] = (uint64_t)__builtin_popcountll(a); break;
	case OP_CPOPW: x[in->rd] = (uint64_t)__builtin_popcount((uint32_t)a); break;
	case OP_MAX: x[in->rd] = (int64_t)a > (int64_t)b ? a : b; break;
	case OP_MAXU: x[in->rd] = a > b ? a : b; break;
	case OP_MIN: x[in->rd] = (int64_t)a < (int64_t)b ? a : b; break;
	case OP_MINU: x[in->rd] = a < b ? a : b; break;
	case OP_SEXT_B: x[in->rd] = (uint64_t)(int8_t)a; break;
	case OP_SEXT_H: x[in->rd] = (uint64_t)(int16_t)a; break;
	case OP_ZEXT_H: x[in->rd] = (uint16_t)a; break;
	case OP_ROL: x[in->rd] = rol64(a, (unsigned)b); break;
	case OP_ROLW: x[in->rd] = rol32(a, (unsigned)b); break;
	case OP_ROR: x[in->rd] = rol64(a, 64 - (unsigned)(b & 63)); break;
	case OP_RORW: x[in->rd] = rol32(a, 32 - (unsigned)(b & 31)); break;
	case OP_RORI: x[in->rd] = rol64(a, 64 - (unsigned)(imm & 63)); break;
	case OP_RORIW: x[in->rd] = rol32(a, 32 - (unsigned)(imm & 31)); break;
	case OP_ORC_B: x[in->rd] = orc_b(a); break;
	case OP_REV8: x[in->rd] = __builtin_bswap64(a); break;
	case OP_BCLR: x[in->rd] = a & ~(1ull << (b & 63)); break;
	case OP_BCLRI: x[in->rd] = a & ~(1ull << (imm & 63)); break;
	case OP_BEXT: x[in->rd] = (a >> (b & 63)) & 1; break;
	case OP_BEXTI: x[in->rd] = (a >> (imm & 63)) & 1; break;
	case OP_BINV: x[in->rd] = a ^ (1ull << (b & 63)); break;
	case OP_BINVI: x[in->rd] = a ^ (1ull << (imm & 63)); break;
	case OP_BSET: x[in->rd] = a | (1ull << (b & 63)); break;
	case OP_BSETI: x[in->rd] = a | (1ull << (imm & 63)); break;

	default:
		hart_illegal(h, in);
		return false;
	}
	/* The cases above write x[rd] even when rd is x0, and this undoes it;
	 * bodies outside the switch use exec_write_x, since translated code may
	 * call them without passing through here. */
	x[0] = 0;
	s->pc = next;
	return true;
}

bool hart_exec_insn(struct hart *h, const struct insn *in)
{
	return exec_one(h, in);
}

/* hart_run must return to its caller: the hart was asked to yield, or the
 * machine to stop. Both the interpreter's loop and translated code's
 * breaks test it. */
static bool stop_requested(const struct hart *h)
{
	return h->yield || (h->stop && atomic_load(h->stop));
}

bool hart_break_check(struct hart *h)
{
	if (h->s.wfi || stop_requested(h))
		return false;
	if (hart_mip(h) & h->s.mie)
		return false;
	h->break_loop = false;
	return true;
}

/* Instructions after which the next one cannot be assumed to follow in
 * the same block: jumps, traps by design, and anything that may change the
 * privilege, the mapping of code or the interrupt state. */
static bool ends_block(unsigned op)
{
	switch (op) {
	case OP_JAL: case OP_JALR:
	case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE: case OP_BLTU: case OP_BGEU:
	case OP_ECALL: case OP_EBREAK: case OP_MRET: case OP_SRET: case OP_WFI:
	case OP_SFENCE_VMA: case OP_FENCE_I:
	case OP_CSRRW: case OP_CSRRS: case OP_CSRRC: case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
	case OP_ILLEGAL:
		return true;
	default:
		return false;
	}
}

/* Drops every decoded block and its translation: the arena or the code
 * buffer is full. */
static void blocks_forget(struct hart *h)
{
	memset(h->blocks, 0, sizeof(h->blocks));
	h->arena_used = 0;
	jit_reset(&h->jit);
}

/* Decodes the block starting at host address p (guest pc), within one page.
 * It may come out empty when the first instruction crosses into the next
 * page; such instructions run one at a time through step(). */
static void block_build(struct hart *h, struct block *b, const uint8_t *p, int64_t page)
{
	struct code_map *cm = &h->bus->code;
	const uint8_t *page_end = cm->host + ((uint64_t)page + 1) * 4096;

	/* The generation before the mark: a store that turns the page back
	 * into data after the mark bumps it past this, so the block cannot
	 * stay valid on a page that is no longer code (codemap.h). */
	uint32_t gen = code_map_gen(cm, (uint64_t)page);

	if (code_map_mark(cm, (uint64_t)page))
		hart_tlb_flush_writes_but(h, page);
	if (h->arena_used + BLOCK_MAX > BLOCK_ARENA)
		blocks_forget(h);
	b->host = p;
	b->gen = gen;
	b->first = h->arena_used;
	b->count = 0;
	b->runs = 0;
	b->code = NULL;
	while (b->count < BLOCK_MAX && page_end - p >= 2) {
		uint16_t lo;
		uint32_t raw;
		memcpy(&lo, p, 2);
		raw = lo;
		if (!insn_is_compressed(lo)) {
			if (page_end - p < 4)
				break;
			memcpy(&raw, p, 4);
		}
		struct insn *in = &h->arena[b->first + b->count++];
		insn_decode(raw, in);
		p += in->len;
		if (ends_block(in->op))
			break;
	}
	h->arena_used += b->count;
}

/* Adds to the cycle and instret counters unless mcountinhibit stops them. */
static inline void count(struct hart *h, uint64_t cycles, uint64_t retired)
{
	if (!(h->s.mcountinhibit & 1))
		h->s.mcycle += cycles;
	if (!(h->s.mcountinhibit & 4))
		h->s.minstret += retired;
}

/* One instruction outside the block cache: fetched through the full fetch
 * path (which takes the fault if there is one), decoded, executed. */
static bool step(struct hart *h)
{
	uint64_t pc = h->s.pc;
	unsigned priv = (unsigned)h->s.priv;
	uint32_t raw;
	struct insn in;

	if (!mmu_fetch(h, pc, &raw) || (insn_decode(raw, &in), !exec_one(h, &in))) {
		count(h, 1, 0);
		return false;
	}
	count(h, 1, 1);
	if (unlikely(h->trace))
		trace_insn(h, pc, priv, &in);
	return true;
}

/* Runs a block from its start until its end, a trap, or break_loop.
 * Counters are brought up to date before the block's last instruction,
 * the only one that can read them (CSR instructions end blocks). */
static inline uint64_t run_block(struct hart *h, const struct insn *in, uint32_t n)
{
	struct hart_state *s = &h->s;
	uint32_t done = 0;

	for (uint32_t i = 0; i < n; i++, in++) {
		uint64_t pc = s->pc;
		if (i == n - 1) {
			count(h, done, done);
			done = 0;
		}
		if (!exec_one(h, in)) {
			count(h, done + 1, done);
			return i;
		}
		done++;
		if (unlikely(h->trace))
			trace_insn(h, pc, (unsigned)s->priv, in);
		if (unlikely(h->break_loop)) {
			count(h, done, done);
			return i + 1;
		}
	}
	count(h, done, done);
	return n;
}

/* Translates b to host code (cpu/jit.h). When the code buffer is full,
 * every block is forgotten, b with them, and the next run decodes again. */
static bool translate(struct hart *h, struct block *b)
{
	b->code = jit_translate(&h->jit, b->host, &h->arena[b->first], b->count);
	if (b->code)
		return true;
	if (jit_full(&h->jit))
		blocks_forget(h);
	return false;
}

/* Runs b's translation and the translations it chains to. Where one stops
 * short of its block's end, the dispatcher finds the rest as a block of its
 * own, which the interpreter runs. */
static uint64_t run_translated(struct hart *h, const struct block *b, uint64_t budget)
{
	jit_link(&h->jit, b->host, b->code);
	uint64_t r = jit_run(&h->jit, h, b->code, budget);
	uint64_t done = r >> 1;
	count(h, done + (r & 1), done);
	return done;
}

/* Folds the page number into the index, so that code at the same offset
 * of different pages does not always collide. */
static inline unsigned block_index(const uint8_t *p)
{
	uintptr_t v = (uintptr_t)p;
	return (unsigned)((v >> 1) ^ (v >> 13)) & (BLOCK_TABLE - 1);
}

uint64_t hart_run(struct hart *h, uint64_t budget)
{
	struct hart_state *s = &h->s;
	struct code_map *cm = &h->bus->code;
	uint64_t n = 0, retired = 0;

	if (!hart_poll_interrupts(h))
		return 0;
	hart_code_sync(h);
	h->break_loop = false;
	while (n < budget) {
		const uint8_t *p = tlb_lookup(h->itlb, ACC_EXEC, s->pc, 2);
		int64_t page = p ? code_map_page(cm, p) : -1;
		struct block *b = page >= 0 ? &h->blocks[block_index(p)] : NULL;

		if (b && unlikely(b->host != p || b->gen != code_map_gen(cm, (uint64_t)page)))
			block_build(h, b, p, page);
		if (!b || b->count == 0) {
			n++;
			retired += step(h);
		} else if (b->code || (h->jit_threshold && ++b->runs == h->jit_threshold &&
					translate(h, b))) {
			uint64_t done = run_translated(h, b, budget - n);
			retired += done;
			n += done + 1;
		} else {
			uint64_t done = run_block(h, &h->arena[b->first], b->count);
			retired += done;
			n += done + 1;
		}
		if (unlikely(h->break_loop)) {
			h->break_loop = false;
			if (stop_requested(h) || !hart_poll_interrupts(h)) {
				h->yield = false;
				break;
			}
		}
	}
	return retired;
}
