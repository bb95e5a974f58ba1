/* Every RV64C instruction with its boundary immediates, the reserved
 * encodings that must raise an illegal-instruction exception with mtval = the
 * 16-bit encoding, HINT encodings that must execute as no-ops, and a 32-bit
 * instruction straddling a page boundary, legal with IALIGN=16 (unprivileged
 * spec, "C" extension: "Compressed Instruction Formats" through "RVC
 * Instruction Set Listings"; mtval: privileged spec, "Machine Trap Value
 * Register"). Explicit c.* mnemonics and .hword encodings fix the exact
 * instruction; .option norelax keeps the padding of the jump tests exact. */
#include "test.h"

	.option norelax

/* Fails with status n unless registers a and b are equal. */
.macro EQ a, b, n
	beq	\a, \b, 1f
	li	a0, \n
	j	test_exit
1:
.endm

/* Arms the trap handler for one expected trap. */
.macro ARM
	lla	t0, trap_armed
	li	t1, 1
	sd	t1, 0(t0)
.endm

/* Checks the recorded trap: it happened (disarmed), with this cause, and
 * mepc equal to register epc_reg. Failures n, n+1, n+2. */
.macro TRAPPED cause, epc_reg, n
	lla	t0, trap_armed
	ld	t1, 0(t0)
	CHECK	t1, 0, \n
	lla	t0, trap_cause
	ld	t1, 0(t0)
	CHECK	t1, \cause, \n+1
	lla	t0, trap_epc
	ld	t1, 0(t0)
	EQ	t1, \epc_reg, \n+2
.endm

/* A reserved 16-bit encoding, followed by c.nop so that a hart reading it as
 * 32 bits would report a different mtval. Failures n..n+3. */
.macro RESERVED hw, n
	ARM
	lla	t2, 2f
2:	.hword	\hw
	.hword	0x0001
	TRAPPED	2, t2, \n
	lla	t0, trap_tval
	ld	t1, 0(t0)
	CHECK	t1, \hw, \n+3
.endm

	.text
	.globl main
main:
	mv	s11, sp
	lla	sp, sp_area + 2048
	lla	s10, sp_area + 2048	/* the value sp must have */

/* --- Quadrant 0 ------------------------------------------------------- */

	c.addi4spn s0, sp, 1020
	addi	t0, s10, 1020
	EQ	s0, t0, 1
	c.addi4spn a5, sp, 4
	addi	t0, s10, 4
	EQ	a5, t0, 2

	/* c.lw/c.sw: uimm 0 and 124; loads sign-extend. */
	lla	s1, data
	li	t0, 0x80000001
	sw	t0, 124(s1)
	li	t0, 0x7ffffffe
	sw	t0, 0(s1)
	c.lw	a0, 124(s1)
	CHECK	a0, 0xffffffff80000001, 3
	c.lw	a1, 0(s1)
	CHECK	a1, 0x7ffffffe, 4
	li	a2, 0x12345678
	c.sw	a2, 120(s1)
	lw	t0, 120(s1)
	CHECK	t0, 0x12345678, 5
	lw	t0, 124(s1)
	CHECK	t0, 0xffffffff80000001, 6
	/* rd' = x8, rs1' = x15 */
	mv	a5, s1
	c.lw	s0, 124(a5)
	CHECK	s0, 0xffffffff80000001, 7

	/* c.ld/c.sd: uimm 0 and 248. */
	li	t0, 0x8877665544332211
	sd	t0, 248(s1)
	c.ld	a3, 248(s1)
	CHECK	a3, 0x8877665544332211, 8
	li	a4, 0x0123456789abcdef
	c.sd	a4, 0(s1)
	ld	t0, 0(s1)
	CHECK	t0, 0x0123456789abcdef, 9
	c.sd	a4, 240(s1)
	ld	t0, 248(s1)
	CHECK	t0, 0x8877665544332211, 10

	/* c.fld/c.fsd: uimm 0 and 248. */
	li	t0, 0x7ff0000000000001	/* a signalling NaN: moved unchanged */
	sd	t0, 248(s1)
	c.fld	fa0, 248(s1)
	fmv.x.d	t1, fa0
	EQ	t1, t0, 11
	c.fsd	fa0, 0(s1)
	ld	t1, 0(s1)
	EQ	t1, t0, 12
	li	t0, 0x400921fb54442d18
	fmv.d.x	fs0, t0
	mv	a5, s1
	c.fsd	fs0, 248(a5)
	ld	t1, 248(s1)
	EQ	t1, t0, 13

	/* Compressed loads from a misaligned address. */
	li	t0, 0x0807060504030201
	sd	t0, 0(s1)
	li	t0, 0x100f0e0d0c0b0a09
	sd	t0, 8(s1)
	addi	a5, s1, 1
	c.lw	a0, 4(a5)
	CHECK	a0, 0x09080706, 14
	addi	a5, s1, 3
	c.ld	a0, 0(a5)
	CHECK	a0, 0x0b0a090807060504, 15

/* --- Quadrant 1 ------------------------------------------------------- */

	li	a0, 17
	c.nop
	CHECK	a0, 17, 16

	li	a0, 100
	c.addi	a0, -32
	CHECK	a0, 68, 17
	c.addi	a0, 31
	CHECK	a0, 99, 18
	li	t5, -1
	c.addi	t5, 1
	CHECK	t5, 0, 19

	li	a0, 0x7fffffff
	c.addiw	a0, 1
	CHECK	a0, 0xffffffff80000000, 20
	li	a0, 0
	c.addiw	a0, -32
	CHECK	a0, -32, 21
	li	a1, 0x180000000
	c.addiw	a1, 0			/* sext.w */
	CHECK	a1, 0xffffffff80000000, 22
	li	a1, 0x12345678ffffffe1
	c.addiw	a1, 31
	CHECK	a1, 0, 23

	c.li	a0, -32
	CHECK	a0, -32, 24
	c.li	t4, 31
	CHECK	t4, 31, 25

	c.addi16sp sp, -512
	addi	t0, s10, -512
	EQ	sp, t0, 26
	c.addi16sp sp, 496
	addi	t0, s10, -16
	EQ	sp, t0, 27
	c.addi16sp sp, 16
	EQ	sp, s10, 28

	c.lui	a0, 0xfffe0		/* nzimm = -32 */
	CHECK	a0, 0xfffffffffffe0000, 29
	c.lui	a0, 31
	CHECK	a0, 0x1f000, 30
	c.lui	t3, 1
	CHECK	t3, 0x1000, 31
	c.lui	a0, 0xfffff		/* nzimm = -1 */
	CHECK	a0, 0xfffffffffffff000, 32

	li	a0, 0x8000000000000000
	c.srli	a0, 63
	CHECK	a0, 1, 33
	li	a0, -1
	c.srli	a0, 1
	CHECK	a0, 0x7fffffffffffffff, 34
	li	a0, 0xffffffff00000000
	c.srli	a0, 32
	CHECK	a0, 0xffffffff, 35

	li	a0, 0x8000000000000000
	c.srai	a0, 63
	CHECK	a0, -1, 36
	li	a0, 0x8000000000000000
	c.srai	a0, 1
	CHECK	a0, 0xc000000000000000, 37
	li	s1, 0x8000000100000000
	c.srai	s1, 32
	CHECK	s1, 0xffffffff80000001, 38

	li	a0, -1
	c.andi	a0, -32
	CHECK	a0, 0xffffffffffffffe0, 39
	li	a0, -1
	c.andi	a0, 31
	CHECK	a0, 31, 40
	li	a0, -1
	c.andi	a0, 0
	CHECK	a0, 0, 41

	li	a0, 5
	li	a1, 7
	c.sub	a0, a1
	CHECK	a0, -2, 42
	li	a0, 0xff00
	li	a1, 0x0ff0
	c.xor	a0, a1
	CHECK	a0, 0xf0f0, 43
	li	a0, 0xff00
	c.or	a0, a1
	CHECK	a0, 0xfff0, 44
	li	a0, 0xff00
	c.and	a0, a1
	CHECK	a0, 0x0f00, 45

	li	s0, 0x80000000
	li	a5, 1
	c.subw	s0, a5
	CHECK	s0, 0x7fffffff, 46
	li	s0, 0
	c.subw	s0, a5
	CHECK	s0, -1, 47
	li	s0, 0x7fffffff
	li	a5, -1
	c.subw	s0, a5
	CHECK	s0, 0xffffffff80000000, 48
	li	a0, 0x7fffffff
	li	a1, 1
	c.addw	a0, a1
	CHECK	a0, 0xffffffff80000000, 49
	li	a0, 0x100000000
	c.addw	a0, a1
	CHECK	a0, 1, 50

	/* c.j with the largest forward offset, +2046 ... */
	c.j	3f
	.fill	1022, 2, 0		/* 2044 bytes of illegal 0x0000 */
3:
	/* ... and the most negative, -2048. */
	.option push
	.option norvc
	jal	x0, 5f
4:	jal	x0, 6f			/* 4 bytes, then 2044: 4 is 2048 before 5 */
	.option pop
	.fill	1022, 2, 0
5:	c.j	4b
	FAIL	51
6:

	/* c.beqz/c.bnez: taken at +254 and -256, and not taken. */
	li	s0, 0
	c.beqz	s0, 3f
	.fill	126, 2, 0		/* 2 + 252 = 254 */
3:	li	a5, 1
	c.beqz	a5, 7f
	c.bnez	s0, 7f
	.option push
	.option norvc
	jal	x0, 5f
4:	jal	x0, 6f
	.option pop
	.fill	126, 2, 0		/* 4 + 252 = 256 */
5:	c.bnez	a5, 4b
7:	FAIL	52
6:
	li	a5, 0
	c.bnez	a5, 7b

/* --- Quadrant 2 ------------------------------------------------------- */

	li	a0, 1
	c.slli	a0, 63
	CHECK	a0, 0x8000000000000000, 53
	li	t6, 0x40000001
	c.slli	t6, 1
	li	a0, 0x80000002
	EQ	t6, a0, 54
	li	a0, 0xffffffff
	c.slli	a0, 32
	CHECK	a0, 0xffffffff00000000, 55

	/* sp-relative: lw/sw uimm 0 and 252, ld/sd and fld/fsd 0 and 504. */
	li	t0, 0x80000000
	sw	t0, 252(sp)
	li	t0, 0x7fffffff
	sw	t0, 0(sp)
	c.lwsp	s2, 252(sp)
	CHECK	s2, 0xffffffff80000000, 56
	c.lwsp	s2, 0(sp)
	CHECK	s2, 0x7fffffff, 57
	li	s3, 0x1122334455667788
	c.sdsp	s3, 504(sp)
	ld	t0, 504(sp)
	EQ	t0, s3, 58
	c.sdsp	s3, 8(sp)
	c.ldsp	s4, 504(sp)
	EQ	s4, s3, 59
	c.ldsp	s4, 0(sp)
	CHECK	s4, 0x7fffffff, 60
	li	s5, 0xcafef00d
	c.swsp	s5, 252(sp)
	lwu	t0, 252(sp)
	CHECK	t0, 0xcafef00d, 61
	lw	t0, 248(sp)
	CHECK	t0, 0, 62		/* c.swsp 252(sp) left 248 alone */
	li	t0, 0xfff0000000000000
	fmv.d.x	ft11, t0
	c.fsdsp	ft11, 504(sp)
	ld	t1, 504(sp)
	EQ	t1, t0, 63
	c.fldsp	ft10, 504(sp)
	fmv.x.d	t1, ft10
	EQ	t1, t0, 64
	c.fsdsp	ft10, 0(sp)
	c.fldsp	ft9, 0(sp)
	fmv.x.d	t1, ft9
	EQ	t1, t0, 65

	/* c.jr: jumps, links nothing. */
	li	ra, 0x5a
	lla	t0, 3f
	c.jr	t0
	FAIL	66
3:	CHECK	ra, 0x5a, 67

	li	s6, 0
	c.mv	a0, s6
	CHECK	a0, 0, 68
	li	s6, -77
	c.mv	t6, s6
	EQ	t6, s6, 69

	li	a0, 40
	li	a1, 2
	c.add	a0, a1
	CHECK	a0, 42, 70
	li	t5, -1
	c.add	t5, t5
	CHECK	t5, -2, 71

	/* c.jalr: links the address of the next instruction (pc + 2). */
	lla	t0, 3f
	lla	t1, 4f
	c.jalr	t0
4:	FAIL	72
3:	EQ	ra, t1, 73
	/* c.jalr ra: the target is read before ra is written. */
	lla	ra, 5f
	lla	t1, 6f
	c.jalr	ra
6:	FAIL	74
5:	EQ	ra, t1, 75

	/* c.ebreak: breakpoint, mepc at the instruction. */
	ARM
	lla	t2, 3f
3:	c.ebreak
	TRAPPED	3, t2, 76

/* --- HINTs: legal, no architectural effect ------------------------------ */

	li	a0, 0x1234
	mv	t3, a0
	.hword	0x0005			/* c.nop with nzimm = 1 */
	.hword	0x0501			/* c.addi a0, 0 */
	.hword	0x4015			/* c.li x0, 5 */
	.hword	0x6005			/* c.lui x0, 1 */
	.hword	0x802a			/* c.mv x0, a0 */
	.hword	0x902a			/* c.add x0, a0 */
	.hword	0x0502			/* c.slli a0, 0 */
	.hword	0x0006			/* c.slli x0, 1 */
	.hword	0x8001 | (2 << 7)	/* c.srli a0, 0 */
	.hword	0x8401 | (2 << 7)	/* c.srai a0, 0 */
	EQ	a0, t3, 79

/* --- Reserved encodings ----------------------------------------------- */

	RESERVED 0x0000, 80		/* defined illegal instruction */
	RESERVED 0x0004, 84		/* c.addi4spn, nzuimm = 0 */
	RESERVED 0x0018, 88		/* c.addi4spn a4, sp, 0 */
	RESERVED 0x8000, 92		/* quadrant 0, funct3 100 */
	RESERVED 0x2001, 96		/* c.addiw x0, 0 */
	RESERVED 0x307d, 100		/* c.addiw x0, -1 */
	RESERVED 0x6101, 104		/* c.addi16sp, nzimm = 0 */
	RESERVED 0x6081, 108		/* c.lui ra, nzimm = 0 */
	RESERVED 0x6001, 112		/* c.lui x0, nzimm = 0 */
	RESERVED 0x9c41, 116		/* quadrant 1 funct6 100111, funct2 10 */
	RESERVED 0x9c61, 120		/* quadrant 1 funct6 100111, funct2 11 */
	RESERVED 0x4002, 124		/* c.lwsp x0 */
	RESERVED 0x6002, 128		/* c.ldsp x0 */
	RESERVED 0x8002, 132		/* c.jr x0 */

/* --- A 32-bit instruction across a page boundary (IALIGN = 16) ---------- */

	lla	t0, straddle
	jalr	ra, t0
	CHECK	a0, 0x5a5, 140

	mv	sp, s11
	PASS

/* The handler the runtime calls (a0 = trap frame). An armed trap is recorded
 * and skipped (all expected traps here are 2-byte instructions); any other
 * trap fails the test. */
	.globl mtrap_handler
mtrap_handler:
	lla	t0, trap_armed
	ld	t1, 0(t0)
	beqz	t1, 3f
	sd	zero, 0(t0)
	ld	t1, TF_CAUSE(a0)
	lla	t0, trap_cause
	sd	t1, 0(t0)
	ld	t1, TF_TVAL(a0)
	lla	t0, trap_tval
	sd	t1, 0(t0)
	ld	t1, TF_EPC(a0)
	lla	t0, trap_epc
	sd	t1, 0(t0)
	addi	t1, t1, 2
	sd	t1, TF_EPC(a0)
	ret
3:	mv	s0, a0
	lla	a0, unexpected_msg
	call	test_puts
	ld	a0, TF_CAUSE(s0)
	call	test_puthex
	lla	a0, epc_msg
	call	test_puts
	ld	a0, TF_EPC(s0)
	call	test_puthex
	li	a0, '\n'
	call	test_putchar
	li	a0, 250
	j	test_exit

/* The last two bytes of a page and the first two of the next hold one addi. */
	.balign	4096
	.fill	2047, 2, 0
	.option push
	.option norvc
straddle:
	addi	a0, zero, 0x5a5
	.option pop
	c.jr	ra

	.data
	.balign	8
trap_armed:	.dword	0
trap_cause:	.dword	0
trap_tval:	.dword	0
trap_epc:	.dword	0
unexpected_msg:	.asciz	"unexpected trap cause="
epc_msg:	.asciz	" epc="

	.balign	8
data:	.fill	256, 1, 0
	.balign	16
sp_area: .fill	4096, 1, 0
