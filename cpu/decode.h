/* Instruction decoding: raw RISC-V encodings (32-bit and compressed) become one
 * struct insn that the executor switches on. Compressed instructions expand to
 * the same operations as their 32-bit equivalents, so execute has one body per
 * operation. */
#ifndef DOPPEL_CPU_DECODE_H
#define DOPPEL_CPU_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Operand shapes, used by the disassembler to print an instruction. */
enum insn_fmt {
	FMT_NONE,    /* mnemonic only: ecall, mret, ...            */
	FMT_R,       /* rd, rs1, rs2                               */
	FMT_I,       /* rd, rs1, imm                               */
	FMT_U,       /* rd, imm (upper immediate, shown >> 12)     */
	FMT_J,       /* rd, target (pc + imm)                      */
	FMT_B,       /* rs1, rs2, target (pc + imm)                */
	FMT_LOAD,    /* rd, imm(rs1)                               */
	FMT_STORE,   /* rs2, imm(rs1)                              */
	FMT_R1,      /* rd, rs1                                    */
	FMT_AMO,     /* rd, rs2, (rs1)                             */
	FMT_LR,      /* rd, (rs1)                                  */
	FMT_CSR,     /* rd, csr, rs1                               */
	FMT_CSRI,    /* rd, csr, uimm (in rs1)                     */
	FMT_FR,      /* fd, fs1, fs2                               */
	FMT_FR1,     /* fd, fs1                                    */
	FMT_FR4,     /* fd, fs1, fs2, fs3                          */
	FMT_FLOAD,   /* fd, imm(rs1)                               */
	FMT_FSTORE,  /* fs2, imm(rs1)                              */
	FMT_F2X,     /* rd, fs1                                    */
	FMT_X2F,     /* fd, rs1                                    */
	FMT_FCMP,    /* rd, fs1, fs2                               */
	FMT_SFENCE,  /* rs1, rs2                                   */
};

/* X(name, mnemonic, format). One list keeps the enum and the disassembler's
 * name table in step; the execute bodies are ordinary switch cases. */
#define INSN_LIST(X) \
	X(ILLEGAL, "illegal", FMT_NONE) \
	X(LUI, "lui", FMT_U) X(AUIPC, "auipc", FMT_U) \
	X(JAL, "jal", FMT_J) X(JALR, "jalr", FMT_LOAD) \
	X(BEQ, "beq", FMT_B) X(BNE, "bne", FMT_B) X(BLT, "blt", FMT_B) \
	X(BGE, "bge", FMT_B) X(BLTU, "bltu", FMT_B) X(BGEU, "bgeu", FMT_B) \
	X(LB, "lb", FMT_LOAD) X(LH, "lh", FMT_LOAD) X(LW, "lw", FMT_LOAD) \
	X(LD, "ld", FMT_LOAD) X(LBU, "lbu", FMT_LOAD) X(LHU, "lhu", FMT_LOAD) \
	X(LWU, "lwu", FMT_LOAD) \
	X(SB, "sb", FMT_STORE) X(SH, "sh", FMT_STORE) X(SW, "sw", FMT_STORE) \
	X(SD, "sd", FMT_STORE) \
	X(ADDI, "addi", FMT_I) X(SLTI, "slti", FMT_I) X(SLTIU, "sltiu", FMT_I) \
	X(XORI, "xori", FMT_I) X(ORI, "ori", FMT_I) X(ANDI, "andi", FMT_I) \
	X(SLLI, "slli", FMT_I) X(SRLI, "srli", FMT_I) X(SRAI, "srai", FMT_I) \
	X(ADD, "add", FMT_R) X(SUB, "sub", FMT_R) X(SLL, "sll", FMT_R) \
	X(SLT, "slt", FMT_R) X(SLTU, "sltu", FMT_R) X(XOR, "xor", FMT_R) \
	X(SRL, "srl", FMT_R) X(SRA, "sra", FMT_R) X(OR, "or", FMT_R) \
	X(AND, "and", FMT_R) \
	X(ADDIW, "addiw", FMT_I) X(SLLIW, "slliw", FMT_I) X(SRLIW, "srliw", FMT_I) \
	X(SRAIW, "sraiw", FMT_I) \
	X(ADDW, "addw", FMT_R) X(SUBW, "subw", FMT_R) X(SLLW, "sllw", FMT_R) \
	X(SRLW, "srlw", FMT_R) X(SRAW, "sraw", FMT_R) \
	X(FENCE, "fence", FMT_NONE) X(FENCE_I, "fence.i", FMT_NONE) \
	X(ECALL, "ecall", FMT_NONE) X(EBREAK, "ebreak", FMT_NONE) \
	X(MRET, "mret", FMT_NONE) X(SRET, "sret", FMT_NONE) X(WFI, "wfi", FMT_NONE) \
	X(SFENCE_VMA, "sfence.vma", FMT_SFENCE) \
	X(CSRRW, "csrrw", FMT_CSR) X(CSRRS, "csrrs", FMT_CSR) X(CSRRC, "csrrc", FMT_CSR) \
	X(CSRRWI, "csrrwi", FMT_CSRI) X(CSRRSI, "csrrsi", FMT_CSRI) \
	X(CSRRCI, "csrrci", FMT_CSRI) \
	X(MUL, "mul", FMT_R) X(MULH, "mulh", FMT_R) X(MULHSU, "mulhsu", FMT_R) \
	X(MULHU, "mulhu", FMT_R) X(DIV, "div", FMT_R) X(DIVU, "divu", FMT_R) \
	X(REM, "rem", FMT_R) X(REMU, "remu", FMT_R) \
	X(MULW, "mulw", FMT_R) X(DIVW, "divw", FMT_R) X(DIVUW, "divuw", FMT_R) \
	X(REMW, "remw", FMT_R) X(REMUW, "remuw", FMT_R) \
	X(LR_W, "lr.w", FMT_LR) X(SC_W, "sc.w", FMT_AMO) \
	X(AMOSWAP_W, "amoswap.w", FMT_AMO) X(AMOADD_W, "amoadd.w", FMT_AMO) \
	X(AMOXOR_W, "amoxor.w", FMT_AMO) X(AMOAND_W, "amoand.w", FMT_AMO) \
	X(AMOOR_W, "amoor.w", FMT_AMO) X(AMOMIN_W, "amomin.w", FMT_AMO) \
	X(AMOMAX_W, "amomax.w", FMT_AMO) X(AMOMINU_W, "amominu.w", FMT_AMO) \
	X(AMOMAXU_W, "amomaxu.w", FMT_AMO) \
	X(LR_D, "lr.d", FMT_LR) X(SC_D, "sc.d", FMT_AMO) \
	X(AMOSWAP_D, "amoswap.d", FMT_AMO) X(AMOADD_D, "amoadd.d", FMT_AMO) \
	X(AMOXOR_D, "amoxor.d", FMT_AMO) X(AMOAND_D, "amoand.d", FMT_AMO) \
	X(AMOOR_D, "amoor.d", FMT_AMO) X(AMOMIN_D, "amomin.d", FMT_AMO) \
	X(AMOMAX_D, "amomax.d", FMT_AMO) X(AMOMINU_D, "amominu.d", FMT_AMO) \
	X(AMOMAXU_D, "amomaxu.d", FMT_AMO) \
	X(FLW, "flw", FMT_FLOAD) X(FSW, "fsw", FMT_FSTORE) \
	X(FMADD_S, "fmadd.s", FMT_FR4) X(FMSUB_S, "fmsub.s", FMT_FR4) \
	X(FNMSUB_S, "fnmsub.s", FMT_FR4) X(FNMADD_S, "fnmadd.s", FMT_FR4) \
	X(FADD_S, "fadd.s", FMT_FR) X(FSUB_S, "fsub.s", FMT_FR) \
	X(FMUL_S, "fmul.s", FMT_FR) X(FDIV_S, "fdiv.s", FMT_FR) \
	X(FSQRT_S, "fsqrt.s", FMT_FR1) \
	X(FSGNJ_S, "fsgnj.s", FMT_FR) X(FSGNJN_S, "fsgnjn.s", FMT_FR) \
	X(FSGNJX_S, "fsgnjx.s", FMT_FR) \
	X(FMIN_S, "fmin.s", FMT_FR) X(FMAX_S, "fmax.s", FMT_FR) \
	X(FCVT_W_S, "fcvt.w.s", FMT_F2X) X(FCVT_WU_S, "fcvt.wu.s", FMT_F2X) \
	X(FCVT_L_S, "fcvt.l.s", FMT_F2X) X(FCVT_LU_S, "fcvt.lu.s", FMT_F2X) \
	X(FMV_X_W, "fmv.x.w", FMT_F2X) X(FCLASS_S, "fclass.s", FMT_F2X) \
	X(FEQ_S, "feq.s", FMT_FCMP) X(FLT_S, "flt.s", FMT_FCMP) X(FLE_S, "fle.s", FMT_FCMP) \
	X(FCVT_S_W, "fcvt.s.w", FMT_X2F) X(FCVT_S_WU, "fcvt.s.wu", FMT_X2F) \
	X(FCVT_S_L, "fcvt.s.l", FMT_X2F) X(FCVT_S_LU, "fcvt.s.lu", FMT_X2F) \
	X(FMV_W_X, "fmv.w.x", FMT_X2F) \
	X(FLD, "fld", FMT_FLOAD) X(FSD, "fsd", FMT_FSTORE) \
	X(FMADD_D, "fmadd.d", FMT_FR4) X(FMSUB_D, "fmsub.d", FMT_FR4) \
	X(FNMSUB_D, "fnmsub.d", FMT_FR4) X(FNMADD_D, "fnmadd.d", FMT_FR4) \
	X(FADD_D, "fadd.d", FMT_FR) X(FSUB_D, "fsub.d", FMT_FR) \
	X(FMUL_D, "fmul.d", FMT_FR) X(FDIV_D, "fdiv.d", FMT_FR) \
	X(FSQRT_D, "fsqrt.d", FMT_FR1) \
	X(FSGNJ_D, "fsgnj.d", FMT_FR) X(FSGNJN_D, "fsgnjn.d", FMT_FR) \
	X(FSGNJX_D, "fsgnjx.d", FMT_FR) \
	X(FMIN_D, "fmin.d", FMT_FR) X(FMAX_D, "fmax.d", FMT_FR) \
	X(FCVT_S_D, "fcvt.s.d", FMT_FR1) X(FCVT_D_S, "fcvt.d.s", FMT_FR1) \
	X(FCVT_W_D, "fcvt.w.d", FMT_F2X) X(FCVT_WU_D, "fcvt.wu.d", FMT_F2X) \
	X(FCVT_L_D, "fcvt.l.d", FMT_F2X) X(FCVT_LU_D, "fcvt.lu.d", FMT_F2X) \
	X(FMV_X_D, "fmv.x.d", FMT_F2X) X(FCLASS_D, "fclass.d", FMT_F2X) \
	X(FEQ_D, "feq.d", FMT_FCMP) X(FLT_D, "flt.d", FMT_FCMP) X(FLE_D, "fle.d", FMT_FCMP) \
	X(FCVT_D_W, "fcvt.d.w", FMT_X2F) X(FCVT_D_WU, "fcvt.d.wu", FMT_X2F) \
	X(FCVT_D_L, "fcvt.d.l", FMT_X2F) X(FCVT_D_LU, "fcvt.d.lu", FMT_X2F) \
	X(FMV_D_X, "fmv.d.x", FMT_X2F) \
	X(SH1ADD, "sh1add", FMT_R) X(SH2ADD, "sh2add", FMT_R) X(SH3ADD, "sh3add", FMT_R) \
	X(ADD_UW, "add.uw", FMT_R) X(SH1ADD_UW, "sh1add.uw", FMT_R) \
	X(SH2ADD_UW, "sh2add.uw", FMT_R) X(SH3ADD_UW, "sh3add.uw", FMT_R) \
	X(SLLI_UW, "slli.uw", FMT_I) \
	X(ANDN, "andn", FMT_R) X(ORN, "orn", FMT_R) X(XNOR, "xnor", FMT_R) \
	X(CLZ, "clz", FMT_R1) X(CLZW, "clzw", FMT_R1) X(CTZ, "ctz", FMT_R1) \
	X(CTZW, "ctzw", FMT_R1) X(CPOP, "cpop", FMT_R1) X(CPOPW, "cpopw", FMT_R1) \
	X(MAX, "max", FMT_R) X(MAXU, "maxu", FMT_R) X(MIN, "min", FMT_R) X(MINU, "minu", FMT_R) \
	X(SEXT_B, "sext.b", FMT_R1) X(SEXT_H, "sext.h", FMT_R1) X(ZEXT_H, "zext.h", FMT_R1) \
	X(ROL, "rol", FMT_R) X(ROLW, "rolw", FMT_R) X(ROR, "ror", FMT_R) X(RORW, "rorw", FMT_R) \
	X(RORI, "rori", FMT_I) X(RORIW, "roriw", FMT_I) \
	X(ORC_B, "orc.b", FMT_R1) X(REV8, "rev8", FMT_R1) \
	X(BCLR, "bclr", FMT_R) X(BCLRI, "bclri", FMT_I) X(BEXT, "bext", FMT_R) \
	X(BEXTI, "bexti", FMT_I) X(BINV, "binv", FMT_R) X(BINVI, "binvi", FMT_I) \
	X(BSET, "bset", FMT_R) X(BSETI, "bseti", FMT_I)

enum insn_op {
#define INSN_ENUM(name, mnem, fmt) OP_##name,
	INSN_LIST(INSN_ENUM)
#undef INSN_ENUM
	OP_COUNT
};

struct insn {
	uint16_t op;      /* enum insn_op */
	uint8_t rd, rs1, rs2, rs3;
	uint8_t rm;       /* FP rounding mode field (funct3) */
	uint8_t len;      /* 2 or 4 bytes */
	uint32_t raw;     /* the encoding as fetched (16 bits for compressed) */
	int64_t imm;      /* sign-extended immediate; CSR number for Zicsr */
};

/* Decodes one instruction. raw holds 32 bits fetched at pc (the upper half is
 * ignored for a compressed encoding). Unknown or reserved encodings decode to
 * OP_ILLEGAL with len and raw set, so mtval can report them. */
void insn_decode(uint32_t raw, struct insn *out);

static inline int insn_is_compressed(uint32_t raw)
{
	return (raw & 3) != 3;
}

/* FENCE's fields (unprivileged spec 2.7): fm in bits 31:28, the
 * predecessor set PI PO PR PW in 27:24, the successor set SI SO SR SW in
 * 23:20. */
#define FENCE_FM_TSO 0x8u
#define FENCE_SET_W 0x1u
#define FENCE_SET_R 0x2u
#define FENCE_SET_O 0x4u
#define FENCE_SET_I 0x8u

/* Whether a FENCE orders an earlier store (to memory or a device) before a
 * later load: the one ordering a TSO host such as x86-64 does not keep by
 * itself (a store may wait in the store buffer while a later load goes
 * ahead), so only such a fence needs a host fence. FENCE.TSO orders
 * everything but store-then-load (spec 2.7), whatever its sets say. */
static inline bool insn_fence_orders_store_load(const struct insn *in)
{
	unsigned fm = in->raw >> 28, pred = (in->raw >> 24) & 0xf, succ = (in->raw >> 20) & 0xf;
	return fm != FENCE_FM_TSO && (pred & (FENCE_SET_W | FENCE_SET_O)) &&
	       (succ & (FENCE_SET_R | FENCE_SET_I));
}

const char *insn_mnemonic(unsigned op);
enum insn_fmt insn_format(unsigned op);

#endif
