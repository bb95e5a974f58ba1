/* Start-up for the project's bare-metal tests: a stack, trap entries for M and
 * S mode that call C handlers with a register frame, then main(). main's return
 * value is the exit status reported through tohost (0 = pass). Every hart
 * starts here (a0 = hart id, a1 = device tree, both passed on to main) and
 * gets its own stack; a hart beyond ISA_MAX_HARTS has none and waits for
 * ever. */
#include "test.h"

	.section .text.init
	.globl _start
_start:
	csrr	t0, mhartid
	li	t1, ISA_MAX_HARTS
	bgeu	t0, t1, 2f
	la	sp, __stack_top
	beqz	t0, 1f
	/* Hart i > 0: sp = __stack_top - ISA_HART0_STACK - (i - 1) * stack. */
	slli	t0, t0, ISA_STACK_SHIFT
	sub	sp, sp, t0
	li	t1, ISA_HART0_STACK - (1 << ISA_STACK_SHIFT)
	sub	sp, sp, t1
1:
	la	t0, __mtrap_entry
	csrw	mtvec, t0
	li	t0, MSTATUS_FS_INITIAL
	csrs	mstatus, t0
	csrwi	fcsr, 0
	call	main
	j	test_exit
2:	wfi
	j	2b

/* A frame of TRAP_FRAME_SIZE bytes: x0..x31 at 8*i, then epc, cause, tval. A
 * handler may change epc (to skip the trapping instruction) or any register. */
.macro TRAP_ENTRY name, handler, epc, cause, tval, ret
	.balign 4
	.globl \name
\name:
	addi	sp, sp, -TRAP_FRAME_SIZE
	.irp	r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\r, (8 * \r)(sp)
	.endr
	addi	t0, sp, TRAP_FRAME_SIZE
	sd	t0, 16(sp)
	csrr	t0, \epc
	sd	t0, TF_EPC(sp)
	csrr	t0, \cause
	sd	t0, TF_CAUSE(sp)
	csrr	t0, \tval
	sd	t0, TF_TVAL(sp)
	mv	a0, sp
	call	\handler
	ld	t0, TF_EPC(sp)
	csrw	\epc, t0
	.irp	r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\r, (8 * \r)(sp)
	.endr
	addi	sp, sp, TRAP_FRAME_SIZE
	\ret
.endm

	.text
	TRAP_ENTRY __mtrap_entry, mtrap_handler, mepc, mcause, mtval, mret
	TRAP_ENTRY __strap_entry, strap_handler, sepc, scause, stval, sret

/* test_exit(a0): report a0 through tohost and stop. */
	.globl test_exit
test_exit:
	slli	a0, a0, 1
	ori	a0, a0, 1
	la	t0, tohost
1:	sd	a0, 0(t0)
	j	1b

/* test_putchar(a0): HTIF console write (device 1, command 1); the host
 * clears tohost when it has taken the byte. */
	.globl test_putchar
test_putchar:
	andi	a0, a0, 0xff
	li	t1, 0x0101
	slli	t1, t1, 48
	or	a0, a0, t1
	la	t0, tohost
	sd	a0, 0(t0)
1:	ld	t1, 0(t0)
	bnez	t1, 1b
	ret

	.section .tohost, "aw", @progbits
	.balign 64
	.globl tohost
tohost: .dword 0
	.size	tohost, 8
	.balign 64
	.globl fromhost
fromhost: .dword 0
	.size	fromhost, 8
