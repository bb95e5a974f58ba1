/* Tests of the instruction decoder (cpu/decode.h) on hand-assembled encodings:
 * operations, register fields and sign-extended immediates of every 32-bit
 * format at their extremes (unprivileged spec, "Base Instruction Formats" and
 * "Immediate Encoding Variants"), compressed instructions and their 32-bit
 * expansions (C extension, "RVC Instruction Set Listings"), reserved
 * encodings, and the mnemonic and format tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/decode.h"

#define ANY (-1)             /* a register field the check ignores */
#define IMM_ANY INT64_MIN    /* no immediate to check (R-type and the like) */

/* Decodes raw and checks the operation (by mnemonic, for readable failures),
 * rd, rs1, rs2, imm and the length; ANY and IMM_ANY skip a field. */
#define EXPECT(raw_, op_, rd_, rs1_, rs2_, imm_) do { \
	struct insn d_; \
	insn_decode((raw_), &d_); \
	assert_string_equal(insn_mnemonic(d_.op), insn_mnemonic(op_)); \
	if ((rd_) != ANY) assert_int_equal(d_.rd, (rd_)); \
	if ((rs1_) != ANY) assert_int_equal(d_.rs1, (rs1_)); \
	if ((rs2_) != ANY) assert_int_equal(d_.rs2, (rs2_)); \
	if ((int64_t)(imm_) != IMM_ANY) assert_int_equal(d_.imm, (int64_t)(imm_)); \
	assert_int_equal(d_.len, insn_is_compressed(raw_) ? 2 : 4); \
} while (0)

/* A compressed encoding: the upper half of the fetched word must not
 * matter, and raw keeps the 16 bits only. */
#define EXPECT_C(hw_, op_, rd_, rs1_, rs2_, imm_) do { \
	struct insn c_; \
	EXPECT((uint32_t)(hw_), op_, rd_, rs1_, rs2_, imm_); \
	EXPECT(0xa5a50000u | (hw_), op_, rd_, rs1_, rs2_, imm_); \
	insn_decode(0xa5a50000u | (hw_), &c_); \
	assert_int_equal(c_.raw, (hw_)); \
} while (0)

static void expect_illegal(uint32_t raw, unsigned len)
{
	struct insn d;

	insn_decode(raw, &d);
	if (d.op != OP_ILLEGAL)
		fail_msg("%#x decoded as %s, want illegal", raw, insn_mnemonic(d.op));
	assert_int_equal(d.len, len);
	assert_int_equal(d.raw, len == 2 ? (raw & 0xffff) : raw);
}

static void i_type(void **state)
{
	(void)state;
	EXPECT(0x80010093, OP_ADDI, 1, 2, ANY, -2048);      /* addi x1, x2, -2048 */
	EXPECT(0x7fff8f93, OP_ADDI, 31, 31, ANY, 2047);     /* addi x31, x31, 2047 */
	EXPECT(0xfff280e7, OP_JALR, 1, 5, ANY, -1);         /* jalr x1, -1(x5) */
	EXPECT(0xffc12087, OP_FLW, 1, 2, ANY, -4);          /* flw f1, -4(x2) */
	EXPECT(0x80034283, OP_LBU, 5, 6, ANY, -2048);       /* lbu x5, -2048(x6) */
	EXPECT(0x00000003, OP_LB, 0, 0, ANY, 0);            /* lb x0, 0(x0) */
	/* Shift amounts are the immediate; 6 bits on RV64. */
	EXPECT(0x43f15093, OP_SRAI, 1, 2, ANY, 63);         /* srai x1, x2, 63 */
	EXPECT(0x03f11093, OP_SLLI, 1, 2, ANY, 63);         /* slli x1, x2, 63 */
	EXPECT(0x41f1509b, OP_SRAIW, 1, 2, ANY, 31);        /* sraiw x1, x2, 31 */
}

static void s_type(void **state)
{
	(void)state;
	EXPECT(0x80553023, OP_SD, ANY, 10, 5, -2048);       /* sd x5, -2048(x10) */
	EXPECT(0x7e112fa3, OP_SW, ANY, 2, 1, 2047);         /* sw x1, 2047(x2) */
	EXPECT(0xfe111fa3, OP_SH, ANY, 2, 1, -1);           /* sh x1, -1(x2) */
	EXPECT(0x0081b027, OP_FSD, ANY, 3, 8, 0);           /* fsd f8, 0(x3) */
}

static void b_type(void **state)
{
	(void)state;
	EXPECT(0x80208063, OP_BEQ, ANY, 1, 2, -4096);       /* beq x1, x2, -4096 */
	EXPECT(0x7e41efe3, OP_BLTU, ANY, 3, 4, 4094);       /* bltu x3, x4, +4094 */
	/* One immediate bit at a time: imm[11] sits in bit 7, imm[1] in 8. */
	EXPECT(0x000000e3, OP_BEQ, ANY, 0, 0, 2048);
	EXPECT(0x00000163, OP_BEQ, ANY, 0, 0, 2);
	EXPECT(0x02001063, OP_BNE, ANY, 0, 0, 32);          /* imm[5] in bit 25 */
	EXPECT(0xfe0fdee3, OP_BGE, ANY, 31, 0, -4);         /* bge x31, x0, -4 */
}

static void u_type(void **state)
{
	(void)state;
	EXPECT(0x800002b7, OP_LUI, 5, ANY, ANY, -2147483648LL); /* lui x5, 0x80000 */
	EXPECT(0x7ffff317, OP_AUIPC, 6, ANY, ANY, 0x7ffff000); /* auipc x6, 0x7ffff */
	EXPECT(0xfffff037, OP_LUI, 0, ANY, ANY, -4096);
}

static void j_type(void **state)
{
	(void)state;
	EXPECT(0x800000ef, OP_JAL, 1, ANY, ANY, -1048576);  /* jal x1, -2^20 */
	EXPECT(0x7ffff06f, OP_JAL, 0, ANY, ANY, 1048574);   /* jal x0, 2^20 - 2 */
	EXPECT(0x002000ef, OP_JAL, 1, ANY, ANY, 2);         /* imm[1] in bit 21 */
	EXPECT(0x0010006f, OP_JAL, 0, ANY, ANY, 2048);      /* imm[11] in bit 20 */
	EXPECT(0x0000106f, OP_JAL, 0, ANY, ANY, 4096);      /* imm[12] in bit 12 */
}

static void r_type_and_extensions(void **state)
{
	struct insn d;

	(void)state;
	EXPECT(0x023120b3, OP_MULHSU, 1, 2, 3, IMM_ANY);    /* mulhsu x1, x2, x3 */
	EXPECT(0x03df7fbb, OP_REMUW, 31, 30, 29, IMM_ANY);  /* remuw x31, x30, x29 */
	EXPECT(0x063120af, OP_AMOADD_W, 1, 2, 3, IMM_ANY);  /* amoadd.w.aqrl x1, x3, (x2) */
	EXPECT(0x100332af, OP_LR_D, 5, 6, ANY, IMM_ANY);    /* lr.d x5, (x6) */
	EXPECT(0x1a3122af, OP_SC_W, 5, 2, 3, IMM_ANY);      /* sc.w.rl x5, x3, (x2) */
	EXPECT(0xe03120af, OP_AMOMAXU_W, 1, 2, 3, IMM_ANY); /* amomaxu.w x1, x3, (x2) */
	EXPECT(0x60011093, OP_CLZ, 1, 2, ANY, IMM_ANY);     /* clz x1, x2 */
	EXPECT(0x6b815093, OP_REV8, 1, 2, ANY, IMM_ANY);    /* rev8 x1, x2 */
	insn_decode(0x28715093, &d);                        /* orc.b x1, x2 */
	assert_int_equal(d.op, OP_ORC_B);
	EXPECT(0x63f15093, OP_RORI, 1, 2, ANY, 63);         /* rori x1, x2, 63 */
	EXPECT(0x0bf1109b, OP_SLLI_UW, 1, 2, ANY, 63);      /* slli.uw x1, x2, 63 */
	EXPECT(0x4a115093, OP_BEXTI, 1, 2, ANY, 33);        /* bexti x1, x2, 33 */
	insn_decode(0x080140bb, &d);                        /* zext.h x1, x2 */
	assert_int_equal(d.op, OP_ZEXT_H);
	assert_int_equal(d.rd, 1);
	assert_int_equal(d.rs1, 2);
	insn_decode(0x203120b3, &d);                        /* sh1add x1, x2, x3 */
	assert_int_equal(d.op, OP_SH1ADD);
	insn_decode(0x0a3170b3, &d);                        /* maxu x1, x2, x3 */
	assert_int_equal(d.op, OP_MAXU);
}

static void system_and_csr(void **state)
{
	static const struct { uint32_t raw; unsigned op; } sys[] = {
		{ 0x00000073, OP_ECALL }, { 0x00100073, OP_EBREAK },
		{ 0x30200073, OP_MRET }, { 0x10200073, OP_SRET },
		{ 0x10500073, OP_WFI }, { 0x0000100f, OP_FENCE_I },
		{ 0x0ff0000f, OP_FENCE },
	};
	struct insn d;

	(void)state;
	/* The CSR number is not sign-extended. */
	EXPECT(0x300110f3, OP_CSRRW, 1, 2, ANY, 0x300);     /* csrrw x1, mstatus, x2 */
	EXPECT(0xc0002073, OP_CSRRS, 0, 0, ANY, 0xc00);     /* csrr x0, cycle */
	EXPECT(0xffffd073, OP_CSRRWI, 0, 31, ANY, 0xfff);   /* csrrwi x0, 0xfff, 31 */
	EXPECT(0x12208073, OP_SFENCE_VMA, 0, 1, 2, IMM_ANY); /* sfence.vma x1, x2 */
	assert_int_equal(insn_format(OP_SFENCE_VMA), FMT_SFENCE);
	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		insn_decode(sys[i].raw, &d);
		assert_string_equal(insn_mnemonic(d.op), insn_mnemonic(sys[i].op));
	}
}

static void floating_point(void **state)
{
	struct insn d;

	(void)state;
	insn_decode(0x223170c3, &d);      /* fmadd.d f1, f2, f3, f4, dyn */
	assert_int_equal(d.op, OP_FMADD_D);
	assert_int_equal(d.rd, 1);
	assert_int_equal(d.rs1, 2);
	assert_int_equal(d.rs2, 3);
	assert_int_equal(d.rs3, 4);
	assert_int_equal(d.rm, 7);
	insn_decode(0xc0059553, &d);      /* fcvt.w.s x10, f11, rtz */
	assert_int_equal(d.op, OP_FCVT_W_S);
	assert_int_equal(d.rd, 10);
	assert_int_equal(d.rs1, 11);
	assert_int_equal(d.rm, 1);
	insn_decode(0x42058553, &d);      /* fcvt.d.s f10, f11 */
	assert_int_equal(d.op, OP_FCVT_D_S);
	insn_decode(0x40158553, &d);      /* fcvt.s.d f10, f11 */
	assert_int_equal(d.op, OP_FCVT_S_D);
	insn_decode(0xe2058553, &d);      /* fmv.x.d x10, f11 */
	assert_int_equal(d.op, OP_FMV_X_D);
	insn_decode(0xe0059553, &d);      /* fclass.s x10, f11 */
	assert_int_equal(d.op, OP_FCLASS_S);
	insn_decode(0xa2b5a553, &d);      /* feq.d x10, f11, f11 */
	assert_int_equal(d.op, OP_FEQ_D);
}

static void illegal_32bit(void **state)
{
	(void)state;
	expect_illegal(0xffffffff, 4);
	expect_illegal(0x0000000b, 4);    /* custom-0 */
	expect_illegal(0x00002063, 4);    /* branch funct3 010 */
	expect_illegal(0x00007003, 4);    /* load funct3 111 */
	expect_illegal(0x00004023, 4);    /* store funct3 100 */
	expect_illegal(0x0201109b, 4);    /* slliw with shamt[5] set */
	expect_illegal(0x101322af, 4);    /* lr.w with rs2 != 0 */
	expect_illegal(0x00001067, 4);    /* jalr funct3 001 */
	expect_illegal(0x06000053, 4);    /* OP-FP fmt 11 (Q, not supported) */
	expect_illegal(0x00004073, 4);    /* SYSTEM funct3 100 */
}

static void compressed(void **state)
{
	(void)state;
	EXPECT_C(0x7101, OP_ADDI, 2, 2, ANY, -512);         /* c.addi16sp sp, -512 */
	EXPECT_C(0x617d, OP_ADDI, 2, 2, ANY, 496);          /* c.addi16sp sp, 496 */
	EXPECT_C(0x1fe0, OP_ADDI, 8, 2, ANY, 1020);         /* c.addi4spn x8, sp, 1020 */
	EXPECT_C(0x50fe, OP_LW, 1, 2, ANY, 252);            /* c.lwsp x1, 252(sp) */
	EXPECT_C(0x70fe, OP_LD, 1, 2, ANY, 504);            /* c.ldsp x1, 504(sp) */
	EXPECT_C(0xdffe, OP_SW, ANY, 2, 31, 252);           /* c.swsp x31, 252(sp) */
	EXPECT_C(0xff86, OP_SD, ANY, 2, 1, 504);            /* c.sdsp x1, 504(sp) */
	EXPECT_C(0x5fe0, OP_LW, 8, 15, ANY, 124);           /* c.lw x8, 124(x15) */
	EXPECT_C(0x3fe0, OP_FLD, 8, 15, ANY, 248);          /* c.fld f8, 248(x15) */
	EXPECT_C(0xb001, OP_JAL, 0, ANY, ANY, -2048);       /* c.j -2048 */
	EXPECT_C(0xaffd, OP_JAL, 0, ANY, ANY, 2046);        /* c.j +2046 */
	EXPECT_C(0xd001, OP_BEQ, ANY, 8, 0, -256);          /* c.beqz x8, -256 */
	EXPECT_C(0xeffd, OP_BNE, ANY, 15, 0, 254);          /* c.bnez x15, +254 */
	EXPECT_C(0x30fd, OP_ADDIW, 1, 1, ANY, -1);          /* c.addiw x1, -1 */
	EXPECT_C(0x7281, OP_LUI, 5, ANY, ANY, -131072);     /* c.lui x5, 0xfffe0 */
	EXPECT_C(0x5501, OP_ADDI, 10, 0, ANY, -32);         /* c.li x10, -32 */
	EXPECT_C(0x0001, OP_ADDI, 0, 0, ANY, 0);            /* c.nop */
	EXPECT_C(0x947d, OP_SRAI, 8, 8, ANY, 63);           /* c.srai x8, 63 */
	EXPECT_C(0x10fe, OP_SLLI, 1, 1, ANY, 63);           /* c.slli x1, 63 */
	EXPECT_C(0x98fd, OP_ANDI, 9, 9, ANY, -1);           /* c.andi x9, -1 */
	EXPECT_C(0x8c05, OP_SUB, 8, 8, 9, IMM_ANY);         /* c.sub x8, x9 */
	EXPECT_C(0x9c3d, OP_ADDW, 8, 8, 15, IMM_ANY);       /* c.addw x8, x15 */
	/* c.mv is add rd, x0, rs2; c.jr/c.jalr are jalr x0/x1, 0(rs1). */
	EXPECT_C(0x808a, OP_ADD, 1, 0, 2, IMM_ANY);         /* c.mv x1, x2 */
	EXPECT_C(0x9206, OP_ADD, 4, 4, 1, IMM_ANY);         /* c.add x4, x1 */
	EXPECT_C(0x8082, OP_JALR, 0, 1, ANY, 0);            /* c.jr x1 */
	EXPECT_C(0x9282, OP_JALR, 1, 5, ANY, 0);            /* c.jalr x5 */
	EXPECT_C(0x9002, OP_EBREAK, ANY, ANY, ANY, IMM_ANY); /* c.ebreak */
}

/* Reserved RV64C encodings (C extension, "RVC Instruction Set Listings"). */
static void compressed_reserved(void **state)
{
	static const uint16_t reserved[] = {
		0x0000, /* the defined illegal instruction */
		0x0004, /* c.addi4spn, nzuimm = 0 */
		0x8000, /* quadrant 0, funct3 100 */
		0x2001, /* c.addiw x0 */
		0x6101, /* c.addi16sp, nzimm = 0 */
		0x6081, /* c.lui x1, nzimm = 0 */
		0x6001, /* c.lui x0, nzimm = 0 */
		0x9c41, /* quadrant 1, funct6 100111, funct2 10 */
		0x9c61, /* quadrant 1, funct6 100111, funct2 11 */
		0x4002, /* c.lwsp x0 */
		0x6002, /* c.ldsp x0 */
		0x8002, /* c.jr x0 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		expect_illegal(reserved[i], 2);
		expect_illegal(0xbeef0000u | reserved[i], 2);
	}
}

static void mnemonics_and_formats(void **state)
{
	(void)state;
	assert_string_equal(insn_mnemonic(OP_ILLEGAL), "illegal");
	assert_string_equal(insn_mnemonic(OP_ADDI), "addi");
	assert_string_equal(insn_mnemonic(OP_FMADD_D), "fmadd.d");
	assert_string_equal(insn_mnemonic(OP_SH1ADD_UW), "sh1add.uw");
	assert_string_equal(insn_mnemonic(OP_AMOMAXU_D), "amomaxu.d");
	assert_string_equal(insn_mnemonic(OP_SFENCE_VMA), "sfence.vma");
	assert_string_equal(insn_mnemonic(OP_FCVT_LU_S), "fcvt.lu.s");
	assert_string_equal(insn_mnemonic(OP_BSETI), "bseti");
	assert_int_equal(insn_format(OP_BEQ), FMT_B);
	assert_int_equal(insn_format(OP_LW), FMT_LOAD);
	assert_int_equal(insn_format(OP_FMADD_S), FMT_FR4);
	assert_int_equal(insn_format(OP_CSRRWI), FMT_CSRI);
	/* Every operation has a name of its own. */
	for (unsigned a = 0; a < OP_COUNT; a++) {
		const char *name = insn_mnemonic(a);

		assert_non_null(name);
		assert_true(name[0] != '\0');
		for (unsigned b = 0; b < a; b++)
			if (strcmp(name, insn_mnemonic(b)) == 0)
				fail_msg("ops %u and %u are both \"%s\"", b, a, name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(i_type),
		cmocka_unit_test(s_type),
		cmocka_unit_test(b_type),
		cmocka_unit_test(u_type),
		cmocka_unit_test(j_type),
		cmocka_unit_test(r_type_and_extensions),
		cmocka_unit_test(system_and_csr),
		cmocka_unit_test(floating_point),
		cmocka_unit_test(illegal_32bit),
		cmocka_unit_test(compressed),
		cmocka_unit_test(compressed_reserved),
		cmocka_unit_test(mnemonics_and_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
