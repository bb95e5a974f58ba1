/* F and D instructions (unprivileged spec chapters 11 and 12): register
 * access with NaN-boxing, rounding-mode selection, fflags accumulation and
 * FS dirty tracking around the arithmetic in fpu.c. */
#include "cpu/exec.h"

#include "cpu/csr.h"
#include "cpu/fpu.h"
#include "cpu/fpu_host.h"
#include "cpu/mmu.h"
#include "cpu/trap.h"

#define F32_SIGN 0x80000000u
#define F64_SIGN 0x8000000000000000ull
#define BOX32 0xffffffff00000000ull

/* A single-precision operand is valid only if NaN-boxed; anything else
 * reads as the canonical NaN (spec 12.2). */
static uint32_t unbox(uint64_t f)
{
	return (f & BOX32) == BOX32 ? (uint32_t)f : F32_CANONICAL_NAN;
}

static uint64_t sext32(uint32_t v)
{
	return (uint64_t)(int64_t)(int32_t)v;
}

static bool uses_rm(unsigned op)
{
	switch (op) {
	case OP_FSGNJ_S: case OP_FSGNJN_S: case OP_FSGNJX_S: case OP_FMIN_S: case OP_FMAX_S:
	case OP_FSGNJ_D: case OP_FSGNJN_D: case OP_FSGNJX_D: case OP_FMIN_D: case OP_FMAX_D:
	case OP_FEQ_S: case OP_FLT_S: case OP_FLE_S: case OP_FEQ_D: case OP_FLT_D: case OP_FLE_D:
	case OP_FMV_X_W: case OP_FMV_W_X: case OP_FMV_X_D: case OP_FMV_D_X:
	case OP_FCLASS_S: case OP_FCLASS_D:
	case OP_FLW: case OP_FSW: case OP_FLD: case OP_FSD:
		return false;
	default:
		return true;
	}
}

static bool fp_memory(struct hart *h, const struct insn *in)
{
	struct hart_state *s = &h->s;
	uint64_t addr = s->x[in->rs1] + (uint64_t)in->imm, v;

	switch (in->op) {
	case OP_FLW:
		if (!mmu_load(h, addr, 4, &v))
			return false;
		s->f[in->rd] = BOX32 | v;
		break;
	case OP_FLD:
		if (!mmu_load(h, addr, 8, &v))
			return false;
		s->f[in->rd] = v;
		break;
	case OP_FSW:
		return mmu_store(h, addr, 4, (uint32_t)s->f[in->rs2]);
	default: /* FSD */
		return mmu_store(h, addr, 8, s->f[in->rs2]);
	}
	fs_dirty(h);
	return true;
}

/* Operations on single-precision values. Returns true if the result goes to
 * f[rd] (boxed), false if *xres goes to x[rd]. */
static bool fp_single(const struct insn *in, const uint64_t *f, uint64_t xval, int rm,
		      unsigned *fl, uint64_t *res)
{
	uint32_t a = unbox(f[in->rs1]), b = unbox(f[in->rs2]), c = unbox(f[in->rs3]);
	uint32_t r;

	switch (in->op) {
	case OP_FADD_S: r = f32_add(a, b, rm, fl); break;
	case OP_FSUB_S: r = f32_sub(a, b, rm, fl); break;
	case OP_FMUL_S: r = f32_mul(a, b, rm, fl); break;
	case OP_FDIV_S: r = f32_div(a, b, rm, fl); break;
	case OP_FSQRT_S: r = f32_sqrt(a, rm, fl); break;
	case OP_FMADD_S: r = f32_fma(a, b, c, rm, fl); break;
	case OP_FMSUB_S: r = f32_fma(a, b, c ^ F32_SIGN, rm, fl); break;
	case OP_FNMSUB_S: r = f32_fma(a ^ F32_SIGN, b, c, rm, fl); break;
	case OP_FNMADD_S: r = f32_fma(a ^ F32_SIGN, b, c ^ F32_SIGN, rm, fl); break;
	case OP_FSGNJ_S: r = (a & ~F32_SIGN) | (b & F32_SIGN); break;
	case OP_FSGNJN_S: r = (a & ~F32_SIGN) | (~b & F32_SIGN); break;
	case OP_FSGNJX_S: r = a ^ (b & F32_SIGN); break;
	case OP_FMIN_S: r = f32_min(a, b, fl); break;
	case OP_FMAX_S: r = f32_max(a, b, fl); break;
	case OP_FCVT_S_W: r = i32_to_f32((int32_t)xval, rm, fl); break;
	case OP_FCVT_S_WU: r = u32_to_f32((uint32_t)xval, rm, fl); break;
	case OP_FCVT_S_L: r = i64_to_f32((int64_t)xval, rm, fl); break;
	case OP_FCVT_S_LU: r = u64_to_f32(xval, rm, fl); break;
	case OP_FMV_W_X: r = (uint32_t)xval; break;
	/* Results for x[rd]: */
	case OP_FCVT_W_S: *res = sext32((uint32_t)f32_to_i32(a, rm, fl)); return false;
	case OP_FCVT_WU_S: *res = sext32(f32_to_u32(a, rm, fl)); return false;
	case OP_FCVT_L_S: *res = (uint64_t)f32_to_i64(a, rm, fl); return false;
	case OP_FCVT_LU_S: *res = f32_to_u64(a, rm, fl); return false;
	/* fmv.x.w moves the raw low bits, boxed or not (spec 11.7). */
	case OP_FMV_X_W: *res = sext32((uint32_t)f[in->rs1]); return false;
	case OP_FCLASS_S: *res = f32_classify(a); return false;
	case OP_FEQ_S: *res = (uint64_t)f32_eq(a, b, fl); return false;
	case OP_FLT_S: *res = (uint64_t)f32_lt(a, b, fl); return false;
	default: /* FLE_S */ *res = (uint64_t)f32_le(a, b, fl); return false;
	}
	*res = BOX32 | r;
	return true;
}

static bool fp_double(const struct insn *in, const uint64_t *f, uint64_t xval, int rm,
		      unsigned *fl, uint64_t *res)
{
	uint64_t a = f[in->rs1], b = f[in->rs2], c = f[in->rs3];
	uint64_t r;

	switch (in->op) {
	case OP_FADD_D: r = f64_add(a, b, rm, fl); break;
	case OP_FSUB_D: r = f64_sub(a, b, rm, fl); break;
	case OP_FMUL_D: r = f64_mul(a, b, rm, fl); break;
	case OP_FDIV_D: r = f64_div(a, b, rm, fl); break;
	case OP_FSQRT_D: r = f64_sqrt(a, rm, fl); break;
	case OP_FMADD_D: r = f64_fma(a, b, c, rm, fl); break;
	case OP_FMSUB_D: r = f64_fma(a, b, c ^ F64_SIGN, rm, fl); break;
	case OP_FNMSUB_D: r = f64_fma(a ^ F64_SIGN, b, c, rm, fl); break;
	case OP_FNMADD_D: r = f64_fma(a ^ F64_SIGN, b, c ^ F64_SIGN, rm, fl); break;
	case OP_FSGNJ_D: r = (a & ~F64_SIGN) | (b & F64_SIGN); break;
	case OP_FSGNJN_D: r = (a & ~F64_SIGN) | (~b & F64_SIGN); break;
	case OP_FSGNJX_D: r = a ^ (b & F64_SIGN); break;
	case OP_FMIN_D: r = f64_min(a, b, fl); break;
	case OP_FMAX_D: r = f64_max(a, b, fl); break;
	case OP_FCVT_D_S: r = f32_to_f64(unbox(a), fl); break;
	case OP_FCVT_S_D: r = BOX32 | f64_to_f32(a, rm, fl); break;
	case OP_FCVT_D_W: r = i32_to_f64((int32_t)xval, rm, fl); break;
	case OP_FCVT_D_WU: r = u32_to_f64((uint32_t)xval, rm, fl); break;
	case OP_FCVT_D_L: r = i64_to_f64((int64_t)xval, rm, fl); break;
	case OP_FCVT_D_LU: r = u64_to_f64(xval, rm, fl); break;
	case OP_FMV_D_X: r = xval; break;
	case OP_FCVT_W_D: *res = sext32((uint32_t)f64_to_i32(a, rm, fl)); return false;
	case OP_FCVT_WU_D: *res = sext32(f64_to_u32(a, rm, fl)); return false;
	case OP_FCVT_L_D: *res = (uint64_t)f64_to_i64(a, rm, fl); return false;
	case OP_FCVT_LU_D: *res = f64_to_u64(a, rm, fl); return false;
	case OP_FMV_X_D: *res = a; return false;
	case OP_FCLASS_D: *res = f64_classify(a); return false;
	case OP_FEQ_D: *res = (uint64_t)f64_eq(a, b, fl); return false;
	case OP_FLT_D: *res = (uint64_t)f64_lt(a, b, fl); return false;
	default: /* FLE_D */ *res = (uint64_t)f64_le(a, b, fl); return false;
	}
	*res = r;
	return true;
}

/* The arithmetic fpu_host.h can do on the host, with f[rd] as the result;
 * false leaves the instruction to fpu.c. */
static bool fp_on_host(const struct insn *in, const uint64_t *f, uint64_t *res)
{
	uint64_t a = f[in->rs1], b = f[in->rs2], c = f[in->rs3];
	uint32_t r32;

	switch (in->op) {
	case OP_FADD_D: return f64_host(FPU_HOST_ADD, a, b, 0, res);
	case OP_FSUB_D: return f64_host(FPU_HOST_SUB, a, b, 0, res);
	case OP_FMUL_D: return f64_host(FPU_HOST_MUL, a, b, 0, res);
	case OP_FDIV_D: return f64_host(FPU_HOST_DIV, a, b, 0, res);
	case OP_FSQRT_D: return f64_host(FPU_HOST_SQRT, a, 0, 0, res);
	case OP_FMADD_D: return f64_host(FPU_HOST_FMA, a, b, c, res);
	case OP_FMSUB_D: return f64_host(FPU_HOST_FMA, a, b, c ^ F64_SIGN, res);
	case OP_FNMSUB_D: return f64_host(FPU_HOST_FMA, a ^ F64_SIGN, b, c, res);
	case OP_FNMADD_D: return f64_host(FPU_HOST_FMA, a ^ F64_SIGN, b, c ^ F64_SIGN, res);
	default: break;
	}
	uint32_t sa = unbox(a), sb = unbox(b), sc = unbox(c);
	bool ok;
	switch (in->op) {
	case OP_FADD_S: ok = f32_host(FPU_HOST_ADD, sa, sb, 0, &r32); break;
	case OP_FSUB_S: ok = f32_host(FPU_HOST_SUB, sa, sb, 0, &r32); break;
	case OP_FMUL_S: ok = f32_host(FPU_HOST_MUL, sa, sb, 0, &r32); break;
	case OP_FDIV_S: ok = f32_host(FPU_HOST_DIV, sa, sb, 0, &r32); break;
	case OP_FSQRT_S: ok = f32_host(FPU_HOST_SQRT, sa, 0, 0, &r32); break;
	case OP_FMADD_S: ok = f32_host(FPU_HOST_FMA, sa, sb, sc, &r32); break;
	case OP_FMSUB_S: ok = f32_host(FPU_HOST_FMA, sa, sb, sc ^ F32_SIGN, &r32); break;
	case OP_FNMSUB_S: ok = f32_host(FPU_HOST_FMA, sa ^ F32_SIGN, sb, sc, &r32); break;
	case OP_FNMADD_S:
		ok = f32_host(FPU_HOST_FMA, sa ^ F32_SIGN, sb, sc ^ F32_SIGN, &r32);
		break;
	default: return false;
	}
	*res = BOX32 | r32;
	return ok;
}

/* The D group starts at FLD in the instruction list; fcvt.s.d is in it. */
static bool is_double(unsigned op)
{
	return op >= OP_FLD;
}

bool exec_fp(struct hart *h, const struct insn *in)
{
	struct hart_state *s = &h->s;
	unsigned fl = 0;
	int rm = 0;
	uint64_t res;

	/* With FS = Off every F/D instruction is illegal (priv spec 3.1.6.6). */
	if (fs_off(h))
		goto illegal;
	if (in->op == OP_FLW || in->op == OP_FSW || in->op == OP_FLD || in->op == OP_FSD)
		return fp_memory(h, in);
	if (uses_rm(in->op)) {
		/* rm 7 selects frm; 5 and 6, or frm > 4, are reserved (spec 11.2). */
		rm = in->rm == 7 ? (int)((s->fcsr >> 5) & 7) : in->rm;
		if (rm > FPU_RMM)
			goto illegal;
	}

	if (rm == FPU_RNE && (s->fcsr & FPU_NX) && fp_on_host(in, s->f, &res)) {
		s->f[in->rd] = res;
		fs_dirty(h);
		return true;
	}
	bool to_f = is_double(in->op) ? fp_double(in, s->f, s->x[in->rs1], rm, &fl, &res)
				       : fp_single(in, s->f, s->x[in->rs1], rm, &fl, &res);
	if (to_f) {
		s->f[in->rd] = res;
		fs_dirty(h);
	} else {
		exec_write_x(s, in->rd, res);
	}
	if (fl) {
		s->fcsr |= fl;
		fs_dirty(h);
	}
	return true;
illegal:
	hart_illegal(h, in);
	return false;
}
