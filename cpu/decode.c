/* Decoding of RV64GC encodings (unprivileged spec chapters 2, 5, 7-8, 11-13,
 * 16 "C", 28 "Bitmanip" and its opcode map). */
#include "cpu/decode.h"

#include <stdbool.h>
#include <string.h>

static const char *const mnemonics[OP_COUNT] = {
#define INSN_NAME(name, mnem, fmt) [OP_##name] = mnem,
	INSN_LIST(INSN_NAME)
#undef INSN_NAME
};

static const unsigned char formats[OP_COUNT] = {
#define INSN_FMT(name, mnem, fmt) [OP_##name] = fmt,
	INSN_LIST(INSN_FMT)
#undef INSN_FMT
};

const char *insn_mnemonic(unsigned op)
{
	return op < OP_COUNT ? mnemonics[op] : "?";
}

enum insn_fmt insn_format(unsigned op)
{
	return op < OP_COUNT ? (enum insn_fmt)formats[op] : FMT_NONE;
}

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int64_t sext(uint64_t v, unsigned width)
{
	return (int64_t)(v << (64 - width)) >> (64 - width);
}

static int64_t imm_i(uint32_t r) { return sext(r >> 20, 12); }
static int64_t imm_s(uint32_t r) { return sext((bits(r, 31, 25) << 5) | bits(r, 11, 7), 12); }
static int64_t imm_b(uint32_t r)
{
	return sext((bits(r, 31, 31) << 12) | (bits(r, 7, 7) << 11) |
		    (bits(r, 30, 25) << 5) | (bits(r, 11, 8) << 1), 13);
}
static int64_t imm_u(uint32_t r) { return sext(r & 0xfffff000u, 32); }
static int64_t imm_j(uint32_t r)
{
	return sext((bits(r, 31, 31) << 20) | (bits(r, 19, 12) << 12) |
		    (bits(r, 20, 20) << 11) | (bits(r, 30, 21) << 1), 21);
}

static uint16_t op_load(unsigned f3)
{
	static const uint16_t ops[8] = { OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU, OP_ILLEGAL };
	return ops[f3];
}

static uint16_t op_store(unsigned f3)
{
	static const uint16_t ops[8] = { OP_SB, OP_SH, OP_SW, OP_SD,
					 OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL };
	return ops[f3];
}

static uint16_t op_branch(unsigned f3)
{
	static const uint16_t ops[8] = { OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL,
					 OP_BLT, OP_BGE, OP_BLTU, OP_BGEU };
	return ops[f3];
}

/* OP-IMM: shifts take a 6-bit shamt; funct6 selects the Zbb/Zbs forms. */
static uint16_t op_imm(uint32_t r, struct insn *d)
{
	unsigned f3 = bits(r, 14, 12), f6 = bits(r, 31, 26);
	unsigned shamt = bits(r, 25, 20), f12 = bits(r, 31, 20);

	switch (f3) {
	case 0: return OP_ADDI;
	case 2: return OP_SLTI;
	case 3: return OP_SLTIU;
	case 4: return OP_XORI;
	case 6: return OP_ORI;
	case 7: return OP_ANDI;
	case 1:
		d->imm = shamt;
		switch (f6) {
		case 0x00: return OP_SLLI;
		case 0x12: return OP_BCLRI;
		case 0x1a: return OP_BINVI;
		case 0x0a: return OP_BSETI;
		case 0x18:
			switch (f12) {
			case 0x600: return OP_CLZ;
			case 0x601: return OP_CTZ;
			case 0x602: return OP_CPOP;
			case 0x604: return OP_SEXT_B;
			case 0x605: return OP_SEXT_H;
			}
		}
		return OP_ILLEGAL;
	default: /* 5 */
		d->imm = shamt;
		switch (f6) {
		case 0x00: return OP_SRLI;
		case 0x10: return OP_SRAI;
		case 0x12: return OP_BEXTI;
		case 0x18: return OP_RORI;
		}
		if (f12 == 0x287)
			return OP_ORC_B;
		if (f12 == 0x6b8)
			return OP_REV8;
		return OP_ILLEGAL;
	}
}

static uint16_t op_imm32(uint32_t r, struct insn *d)
{
	unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25), f6 = bits(r, 31, 26);
	unsigned shamt = bits(r, 24, 20);

	switch (f3) {
	case 0: return OP_ADDIW;
	case 1:
		d->imm = shamt;
		if (f7 == 0x00) return OP_SLLIW;
		if (f6 == 0x02) { d->imm = bits(r, 25, 20); return OP_SLLI_UW; }
		if (f7 == 0x30) {
			switch (shamt) {
			case 0: return OP_CLZW;
			case 1: return OP_CTZW;
			case 2: return OP_CPOPW;
			}
		}
		return OP_ILLEGAL;
	case 5:
		d->imm = shamt;
		if (f7 == 0x00) return OP_SRLIW;
		if (f7 == 0x20) return OP_SRAIW;
		if (f7 == 0x30) return OP_RORIW;
		return OP_ILLEGAL;
	}
	return OP_ILLEGAL;
}

static uint16_t op_reg(uint32_t r)
{
	unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25);

	switch (f7) {
	case 0x00: {
		static const uint16_t ops[8] = { OP_ADD, OP_SLL, OP_SLT, OP_SLTU,
						 OP_XOR, OP_SRL, OP_OR, OP_AND };
		return ops[f3];
	}
	case 0x01: {
		static const uint16_t ops[8] = { OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU,
						 OP_DIV, OP_DIVU, OP_REM, OP_REMU };
		return ops[f3];
	}
	case 0x20:
		switch (f3) {
		case 0: return OP_SUB;
		case 5: return OP_SRA;
		case 4: return OP_XNOR;
		case 6: return OP_ORN;
		case 7: return OP_ANDN;
		}
		return OP_ILLEGAL;
	case 0x10:
		switch (f3) {
		case 2: return OP_SH1ADD;
		case 4: return OP_SH2ADD;
		case 6: return OP_SH3ADD;
		}
		return OP_ILLEGAL;
	case 0x05:
		switch (f3) {
		case 4: return OP_MIN;
		case 5: return OP_MINU;
		case 6: return OP_MAX;
		case 7: return OP_MAXU;
		}
		return OP_ILLEGAL;
	case 0x30:
		return f3 == 1 ? OP_ROL : f3 == 5 ? OP_ROR : OP_ILLEGAL;
	case 0x24:
		return f3 == 1 ? OP_BCLR : f3 == 5 ? OP_BEXT : OP_ILLEGAL;
	case 0x34:
		return f3 == 1 ? OP_BINV : OP_ILLEGAL;
	case 0x14:
		return f3 == 1 ? OP_BSET : OP_ILLEGAL;
	}
	return OP_ILLEGAL;
}

static uint16_t op_reg32(uint32_t r)
{
	unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25), rs2 = bits(r, 24, 20);

	switch (f7) {
	case 0x00:
		return f3 == 0 ? OP_ADDW : f3 == 1 ? OP_SLLW : f3 == 5 ? OP_SRLW : OP_ILLEGAL;
	case 0x20:
		return f3 == 0 ? OP_SUBW : f3 == 5 ? OP_SRAW : OP_ILLEGAL;
	case 0x01: {
		static const uint16_t ops[8] = { OP_MULW, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL,
						 OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW };
		return ops[f3];
	}
	case 0x04:
		if (f3 == 0) return OP_ADD_UW;
		if (f3 == 4 && rs2 == 0) return OP_ZEXT_H;
		return OP_ILLEGAL;
	case 0x10:
		switch (f3) {
		case 2: return OP_SH1ADD_UW;
		case 4: return OP_SH2ADD_UW;
		case 6: return OP_SH3ADD_UW;
		}
		return OP_ILLEGAL;
	case 0x30:
		return f3 == 1 ? OP_ROLW : f3 == 5 ? OP_RORW : OP_ILLEGAL;
	}
	return OP_ILLEGAL;
}

static uint16_t op_amo(uint32_t r)
{
	unsigned f3 = bits(r, 14, 12), f5 = bits(r, 31, 27), rs2 = bits(r, 24, 20);
	unsigned d;

	if (f3 == 2)
		d = 0;
	else if (f3 == 3)
		d = 1;
	else
		return OP_ILLEGAL;
	switch (f5) {
	case 0x02: return rs2 ? OP_ILLEGAL : (d ? OP_LR_D : OP_LR_W);
	case 0x03: return d ? OP_SC_D : OP_SC_W;
	case 0x01: return d ? OP_AMOSWAP_D : OP_AMOSWAP_W;
	case 0x00: return d ? OP_AMOADD_D : OP_AMOADD_W;
	case 0x04: return d ? OP_AMOXOR_D : OP_AMOXOR_W;
	case 0x0c: return d ? OP_AMOAND_D : OP_AMOAND_W;
	case 0x08: return d ? OP_AMOOR_D : OP_AMOOR_W;
	case 0x10: return d ? OP_AMOMIN_D : OP_AMOMIN_W;
	case 0x14: return d ? OP_AMOMAX_D : OP_AMOMAX_W;
	case 0x18: return d ? OP_AMOMINU_D : OP_AMOMINU_W;
	case 0x1c: return d ? OP_AMOMAXU_D : OP_AMOMAXU_W;
	}
	return OP_ILLEGAL;
}

static uint16_t op_system(uint32_t r)
{
	unsigned f3 = bits(r, 14, 12);
	static const uint16_t csr_ops[8] = { OP_ILLEGAL, OP_CSRRW, OP_CSRRS, OP_CSRRC,
					     OP_ILLEGAL, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI };
	if (f3)
		return csr_ops[f3];
	if (bits(r, 11, 7) != 0)
		return OP_ILLEGAL;
	if (bits(r, 31, 25) == 0x09)
		return OP_SFENCE_VMA;
	if (bits(r, 19, 15) != 0)
		return OP_ILLEGAL;
	switch (r >> 20) {
	case 0x000: return OP_ECALL;
	case 0x001: return OP_EBREAK;
	case 0x102: return OP_SRET;
	case 0x302: return OP_MRET;
	case 0x105: return OP_WFI;
	}
	return OP_ILLEGAL;
}

/* OP-FP: funct7 holds the operation in bits 31:27 and the format (0 = S,
 * 1 = D) in bits 26:25. */
static uint16_t op_fp(uint32_t r)
{
	unsigned f5 = bits(r, 31, 27), fmt = bits(r, 26, 25);
	unsigned rm = bits(r, 14, 12), rs2 = bits(r, 24, 20);
	bool dbl = fmt == 1;

	if (fmt > 1)
		return OP_ILLEGAL;
	switch (f5) {
	case 0x00: return dbl ? OP_FADD_D : OP_FADD_S;
	case 0x01: return dbl ? OP_FSUB_D : OP_FSUB_S;
	case 0x02: return dbl ? OP_FMUL_D : OP_FMUL_S;
	case 0x03: return dbl ? OP_FDIV_D : OP_FDIV_S;
	case 0x0b: return rs2 ? OP_ILLEGAL : dbl ? OP_FSQRT_D : OP_FSQRT_S;
	case 0x04:
		switch (rm) {
		case 0: return dbl ? OP_FSGNJ_D : OP_FSGNJ_S;
		case 1: return dbl ? OP_FSGNJN_D : OP_FSGNJN_S;
		case 2: return dbl ? OP_FSGNJX_D : OP_FSGNJX_S;
		}
		return OP_ILLEGAL;
	case 0x05:
		switch (rm) {
		case 0: return dbl ? OP_FMIN_D : OP_FMIN_S;
		case 1: return dbl ? OP_FMAX_D : OP_FMAX_S;
		}
		return OP_ILLEGAL;
	case 0x08:
		if (dbl && rs2 == 0) return OP_FCVT_D_S;
		if (!dbl && rs2 == 1) return OP_FCVT_S_D;
		return OP_ILLEGAL;
	case 0x14:
		switch (rm) {
		case 0: return dbl ? OP_FLE_D : OP_FLE_S;
		case 1: return dbl ? OP_FLT_D : OP_FLT_S;
		case 2: return dbl ? OP_FEQ_D : OP_FEQ_S;
		}
		return OP_ILLEGAL;
	case 0x18: {
		static const uint16_t s[4] = { OP_FCVT_W_S, OP_FCVT_WU_S, OP_FCVT_L_S, OP_FCVT_LU_S };
		static const uint16_t d[4] = { OP_FCVT_W_D, OP_FCVT_WU_D, OP_FCVT_L_D, OP_FCVT_LU_D };
		return rs2 < 4 ? (dbl ? d : s)[rs2] : OP_ILLEGAL;
	}
	case 0x1a: {
		static const uint16_t s[4] = { OP_FCVT_S_W, OP_FCVT_S_WU, OP_FCVT_S_L, OP_FCVT_S_LU };
		static const uint16_t d[4] = { OP_FCVT_D_W, OP_FCVT_D_WU, OP_FCVT_D_L, OP_FCVT_D_LU };
		return rs2 < 4 ? (dbl ? d : s)[rs2] : OP_ILLEGAL;
	}
	case 0x1c:
		if (rs2 != 0) return OP_ILLEGAL;
		if (rm == 0) return dbl ? OP_FMV_X_D : OP_FMV_X_W;
		if (rm == 1) return dbl ? OP_FCLASS_D : OP_FCLASS_S;
		return OP_ILLEGAL;
	case 0x1e:
		if (rs2 != 0 || rm != 0) return OP_ILLEGAL;
		return dbl ? OP_FMV_D_X : OP_FMV_W_X;
	}
	return OP_ILLEGAL;
}

static void decode32(uint32_t r, struct insn *d)
{
	unsigned f3 = bits(r, 14, 12);
	uint16_t op = OP_ILLEGAL;

	d->rd = (uint8_t)bits(r, 11, 7);
	d->rs1 = (uint8_t)bits(r, 19, 15);
	d->rs2 = (uint8_t)bits(r, 24, 20);
	d->rs3 = (uint8_t)bits(r, 31, 27);
	d->rm = (uint8_t)f3;
	d->imm = imm_i(r);

	switch (bits(r, 6, 2)) {
	case 0x0d: op = OP_LUI; d->imm = imm_u(r); break;
	case 0x05: op = OP_AUIPC; d->imm = imm_u(r); break;
	case 0x1b: op = OP_JAL; d->imm = imm_j(r); break;
	case 0x19: op = f3 == 0 ? OP_JALR : OP_ILLEGAL; break;
	case 0x18: op = op_branch(f3); d->imm = imm_b(r); break;
	case 0x00: op = op_load(f3); break;
	case 0x08: op = op_store(f3); d->imm = imm_s(r); break;
	case 0x04: op = op_imm(r, d); break;
	case 0x06: op = op_imm32(r, d); break;
	case 0x0c: op = op_reg(r); break;
	case 0x0e: op = op_reg32(r); break;
	case 0x03:
		/* FENCE ignores its unused fields (spec 2.7); FENCE.I likewise. */
		op = f3 == 0 ? OP_FENCE : f3 == 1 ? OP_FENCE_I : OP_ILLEGAL;
		break;
	case 0x1c:
		op = op_system(r);
		d->imm = r >> 20;
		break;
	case 0x0b: op = op_amo(r); break;
	case 0x01: op = f3 == 2 ? OP_FLW : f3 == 3 ? OP_FLD : OP_ILLEGAL; break;
	case 0x09:
		op = f3 == 2 ? OP_FSW : f3 == 3 ? OP_FSD : OP_ILLEGAL;
		d->imm = imm_s(r);
		break;
	case 0x10: case 0x11: case 0x12: case 0x13: {
		static const uint16_t s[4] = { OP_FMADD_S, OP_FMSUB_S, OP_FNMSUB_S, OP_FNMADD_S };
		static const uint16_t dd[4] = { OP_FMADD_D, OP_FMSUB_D, OP_FNMSUB_D, OP_FNMADD_D };
		unsigned fmt = bits(r, 26, 25), which = bits(r, 3, 2);
		op = fmt == 0 ? s[which] : fmt == 1 ? dd[which] : OP_ILLEGAL;
		break;
	}
	case 0x14: op = op_fp(r); break;
	}
	d->op = op;
}

/* Compressed register fields name x8..x15 (spec 16.2). */
static uint8_t creg(uint32_t v) { return (uint8_t)(8 + v); }

static void c_set(struct insn *d, uint16_t op, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm)
{
	d->op = op;
	d->rd = (uint8_t)rd;
	d->rs1 = (uint8_t)rs1;
	d->rs2 = (uint8_t)rs2;
	d->imm = imm;
}

/* Quadrant 0: stack-pointer-based addi and register-based loads/stores. */
static void decode_c0(uint32_t r, struct insn *d)
{
	unsigned rdp = creg(bits(r, 4, 2)), rs1p = creg(bits(r, 9, 7));
	uint64_t off_w = (bits(r, 12, 10) << 3) | (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 6);
	uint64_t off_d = (bits(r, 12, 10) << 3) | (bits(r, 6, 5) << 6);

	switch (bits(r, 15, 13)) {
	case 0: {
		uint64_t nz = (bits(r, 12, 11) << 4) | (bits(r, 10, 7) << 6) |
			      (bits(r, 6, 6) << 2) | (bits(r, 5, 5) << 3);
		/* c.addi4spn with a zero immediate is reserved (the all-zero
		 * halfword is the canonical illegal instruction). */
		if (nz)
			c_set(d, OP_ADDI, rdp, 2, 0, (int64_t)nz);
		break;
	}
	case 1: c_set(d, OP_FLD, rdp, rs1p, 0, (int64_t)off_d); break;
	case 2: c_set(d, OP_LW, rdp, rs1p, 0, (int64_t)off_w); break;
	case 3: c_set(d, OP_LD, rdp, rs1p, 0, (int64_t)off_d); break;
	case 5: c_set(d, OP_FSD, 0, rs1p, rdp, (int64_t)off_d); break;
	case 6: c_set(d, OP_SW, 0, rs1p, rdp, (int64_t)off_w); break;
	case 7: c_set(d, OP_SD, 0, rs1p, rdp, (int64_t)off_d); break;
	}
}

static int64_t cj_offset(uint32_t r)
{
	return sext((bits(r, 12, 12) << 11) | (bits(r, 11, 11) << 4) | (bits(r, 10, 9) << 8) |
		    (bits(r, 8, 8) << 10) | (bits(r, 7, 7) << 6) | (bits(r, 6, 6) << 7) |
		    (bits(r, 5, 3) << 1) | (bits(r, 2, 2) << 5), 12);
}

/* Quadrant 1: immediates, arithmetic, jumps and branches. */
static void decode_c1(uint32_t r, struct insn *d)
{
	unsigned rd = bits(r, 11, 7), rs1p = creg(bits(r, 9, 7)), rs2p = creg(bits(r, 4, 2));
	int64_t imm6 = sext((bits(r, 12, 12) << 5) | bits(r, 6, 2), 6);
	unsigned shamt = (bits(r, 12, 12) << 5) | bits(r, 6, 2);

	switch (bits(r, 15, 13)) {
	case 0: c_set(d, OP_ADDI, rd, rd, 0, imm6); break;           /* c.nop, c.addi */
	case 1: if (rd) c_set(d, OP_ADDIW, rd, rd, 0, imm6); break;  /* rd=0 reserved */
	case 2: c_set(d, OP_ADDI, rd, 0, 0, imm6); break;            /* c.li */
	case 3:
		if (rd == 2) {
			int64_t nz = sext((bits(r, 12, 12) << 9) | (bits(r, 6, 6) << 4) |
					  (bits(r, 5, 5) << 6) | (bits(r, 4, 3) << 7) |
					  (bits(r, 2, 2) << 5), 10);
			if (nz)
				c_set(d, OP_ADDI, 2, 2, 0, nz);       /* c.addi16sp */
		} else if (imm6) {
			c_set(d, OP_LUI, rd, 0, 0, (int64_t)((uint64_t)imm6 << 12)); /* c.lui */
		}
		break;
	case 4:
		switch (bits(r, 11, 10)) {
		case 0: c_set(d, OP_SRLI, rs1p, rs1p, 0, shamt); break;
		case 1: c_set(d, OP_SRAI, rs1p, rs1p, 0, shamt); break;
		case 2: c_set(d, OP_ANDI, rs1p, rs1p, 0, imm6); break;
		case 3: {
			static const uint16_t ops[8] = { OP_SUB, OP_XOR, OP_OR, OP_AND,
							 OP_SUBW, OP_ADDW, OP_ILLEGAL, OP_ILLEGAL };
			uint16_t op = ops[(bits(r, 12, 12) << 2) | bits(r, 6, 5)];
			if (op != OP_ILLEGAL)
				c_set(d, op, rs1p, rs1p, rs2p, 0);
			break;
		}
		}
		break;
	case 5: c_set(d, OP_JAL, 0, 0, 0, cj_offset(r)); break;
	case 6: case 7: {
		int64_t off = sext((bits(r, 12, 12) << 8) | (bits(r, 11, 10) << 3) |
				   (bits(r, 6, 5) << 6) | (bits(r, 4, 3) << 1) |
				   (bits(r, 2, 2) << 5), 9);
		c_set(d, bits(r, 13, 13) ? OP_BNE : OP_BEQ, 0, rs1p, 0, off);
		break;
	}
	}
}

/* Quadrant 2: stack-pointer loads/stores, shifts, moves, jumps. */
static void decode_c2(uint32_t r, struct insn *d)
{
	unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
	unsigned shamt = (bits(r, 12, 12) << 5) | bits(r, 6, 2);
	uint64_t lwsp = (bits(r, 12, 12) << 5) | (bits(r, 6, 4) << 2) | (bits(r, 3, 2) << 6);
	uint64_t ldsp = (bits(r, 12, 12) << 5) | (bits(r, 6, 5) << 3) | (bits(r, 4, 2) << 6);
	uint64_t swsp = (bits(r, 12, 9) << 2) | (bits(r, 8, 7) << 6);
	uint64_t sdsp = (bits(r, 12, 10) << 3) | (bits(r, 9, 7) << 6);

	switch (bits(r, 15, 13)) {
	case 0: c_set(d, OP_SLLI, rd, rd, 0, shamt); break;
	case 1: c_set(d, OP_FLD, rd, 2, 0, (int64_t)ldsp); break;
	case 2: if (rd) c_set(d, OP_LW, rd, 2, 0, (int64_t)lwsp); break;
	case 3: if (rd) c_set(d, OP_LD, rd, 2, 0, (int64_t)ldsp); break;
	case 4:
		if (!bits(r, 12, 12)) {
			if (rs2)
				c_set(d, OP_ADD, rd, 0, rs2, 0);              /* c.mv */
			else if (rd)
				c_set(d, OP_JALR, 0, rd, 0, 0);               /* c.jr */
		} else {
			if (rs2)
				c_set(d, OP_ADD, rd, rd, rs2, 0);             /* c.add */
			else if (rd)
				c_set(d, OP_JALR, 1, rd, 0, 0);               /* c.jalr */
			else
				c_set(d, OP_EBREAK, 0, 0, 0, 0);
		}
		break;
	case 5: c_set(d, OP_FSD, 0, 2, rs2, (int64_t)sdsp); break;
	case 6: c_set(d, OP_SW, 0, 2, rs2, (int64_t)swsp); break;
	case 7: c_set(d, OP_SD, 0, 2, rs2, (int64_t)sdsp); break;
	}
}

void insn_decode(uint32_t raw, struct insn *out)
{
	memset(out, 0, sizeof(*out));
	if (insn_is_compressed(raw)) {
		raw &= 0xffff;
		out->raw = raw;
		out->len = 2;
		out->op = OP_ILLEGAL;
		switch (raw & 3) {
		case 0: decode_c0(raw, out); break;
		case 1: decode_c1(raw, out); break;
		case 2: decode_c2(raw, out); break;
		}
		/* Compressed FP operations use the dynamic rounding mode. */
		out->rm = 7;
		return;
	}
	out->raw = raw;
	out->len = 4;
	decode32(raw, out);
}
