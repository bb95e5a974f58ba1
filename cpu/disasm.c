#include "cpu/disasm.h"

#include <stdio.h>

const char *const reg_abi_names[32] = {
	"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
	"a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
	"t3", "t4", "t5", "t6",
};

static const char *const fp_names[32] = {
	"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1",
	"fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
	"fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};

int disasm_writes_fp(const struct insn *in)
{
	switch (insn_format(in->op)) {
	case FMT_FR: case FMT_FR1: case FMT_FR4: case FMT_FLOAD: case FMT_X2F:
		return 1;
	default:
		return 0;
	}
}

int disasm_writes_x(const struct insn *in)
{
	switch (insn_format(in->op)) {
	case FMT_NONE: case FMT_B: case FMT_STORE: case FMT_FSTORE: case FMT_SFENCE:
		return 0;
	default:
		return !disasm_writes_fp(in) && in->rd != 0;
	}
}

void disasm(char *buf, size_t len, uint64_t pc, const struct insn *in)
{
	const char *m = insn_mnemonic(in->op);
	const char *const *x = reg_abi_names, *const *f = fp_names;
	long long imm = (long long)in->imm;
	unsigned long long target = (unsigned long long)(pc + (uint64_t)in->imm);

	switch (insn_format(in->op)) {
	case FMT_NONE:
		if (in->op == OP_ILLEGAL)
			snprintf(buf, len, "illegal 0x%x", in->raw);
		else
			snprintf(buf, len, "%s", m);
		break;
	case FMT_R: snprintf(buf, len, "%s %s, %s, %s", m, x[in->rd], x[in->rs1], x[in->rs2]); break;
	case FMT_I: snprintf(buf, len, "%s %s, %s, %lld", m, x[in->rd], x[in->rs1], imm); break;
	case FMT_U:
		snprintf(buf, len, "%s %s, 0x%llx", m, x[in->rd],
			 (unsigned long long)((uint64_t)in->imm >> 12) & 0xfffff);
		break;
	case FMT_J: snprintf(buf, len, "%s %s, 0x%llx", m, x[in->rd], target); break;
	case FMT_B:
		snprintf(buf, len, "%s %s, %s, 0x%llx", m, x[in->rs1], x[in->rs2], target);
		break;
	case FMT_LOAD: snprintf(buf, len, "%s %s, %lld(%s)", m, x[in->rd], imm, x[in->rs1]); break;
	case FMT_STORE: snprintf(buf, len, "%s %s, %lld(%s)", m, x[in->rs2], imm, x[in->rs1]); break;
	case FMT_R1: snprintf(buf, len, "%s %s, %s", m, x[in->rd], x[in->rs1]); break;
	case FMT_AMO:
		snprintf(buf, len, "%s %s, %s, (%s)", m, x[in->rd], x[in->rs2], x[in->rs1]);
		break;
	case FMT_LR: snprintf(buf, len, "%s %s, (%s)", m, x[in->rd], x[in->rs1]); break;
	case FMT_CSR:
		snprintf(buf, len, "%s %s, 0x%llx, %s", m, x[in->rd], imm & 0xfffll, x[in->rs1]);
		break;
	case FMT_CSRI:
		snprintf(buf, len, "%s %s, 0x%llx, %u", m, x[in->rd], imm & 0xfffll, in->rs1);
		break;
	case FMT_FR: snprintf(buf, len, "%s %s, %s, %s", m, f[in->rd], f[in->rs1], f[in->rs2]); break;
	case FMT_FR1: snprintf(buf, len, "%s %s, %s", m, f[in->rd], f[in->rs1]); break;
	case FMT_FR4:
		snprintf(buf, len, "%s %s, %s, %s, %s", m, f[in->rd], f[in->rs1], f[in->rs2],
			 f[in->rs3]);
		break;
	case FMT_FLOAD: snprintf(buf, len, "%s %s, %lld(%s)", m, f[in->rd], imm, x[in->rs1]); break;
	case FMT_FSTORE: snprintf(buf, len, "%s %s, %lld(%s)", m, f[in->rs2], imm, x[in->rs1]); break;
	case FMT_F2X: snprintf(buf, len, "%s %s, %s", m, x[in->rd], f[in->rs1]); break;
	case FMT_X2F: snprintf(buf, len, "%s %s, %s", m, f[in->rd], x[in->rs1]); break;
	case FMT_FCMP:
		snprintf(buf, len, "%s %s, %s, %s", m, x[in->rd], f[in->rs1], f[in->rs2]);
		break;
	case FMT_SFENCE: snprintf(buf, len, "%s %s, %s", m, x[in->rs1], x[in->rs2]); break;
	}
}
