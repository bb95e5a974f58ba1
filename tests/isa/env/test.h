/* Shared definitions for the project's bare-metal tests (assembly and C). */
#ifndef DOPPEL_TEST_H
#define DOPPEL_TEST_H

#define MSTATUS_SIE  (1 << 1)
#define MSTATUS_MIE  (1 << 3)
#define MSTATUS_SPIE (1 << 5)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_SPP  (1 << 8)
#define MSTATUS_MPP  (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define MSTATUS_FS   (3 << 13)
#define MSTATUS_FS_INITIAL (1 << 13)
#define MSTATUS_MPRV (1 << 17)
#define MSTATUS_SUM  (1 << 18)
#define MSTATUS_MXR  (1 << 19)
#define MSTATUS_TVM  (1 << 20)
#define MSTATUS_TW   (1 << 21)
#define MSTATUS_TSR  (1 << 22)

/* Each of the first ISA_MAX_HARTS harts has its own stack below __stack_top
 * (link.ld reserves them): hart 0's, of ISA_HART0_STACK bytes, at the top,
 * then one of 1 << ISA_STACK_SHIFT bytes for each other hart. */
#define ISA_MAX_HARTS   64
#define ISA_HART0_STACK 0x10000
#define ISA_STACK_SHIFT 14

#define TF_EPC   256
#define TF_CAUSE 264
#define TF_TVAL  272
#define TRAP_FRAME_SIZE 288

#ifdef __ASSEMBLER__

/* Fails the test with status n when reg != expected (expected: an immediate). */
.macro CHECK reg, expected, n
	li	t6, \expected
	beq	\reg, t6, 1f
	li	a0, \n
	j	test_exit
1:
.endm

.macro PASS
	li	a0, 0
	j	test_exit
.endm

.macro FAIL n
	li	a0, \n
	j	test_exit
.endm

#else

#include <stdint.h>

struct trap_frame {
	uint64_t x[32];
	uint64_t epc, cause, tval, pad;
};

void test_exit(int code) __attribute__((noreturn));
void test_putchar(int c);
void test_puts(const char *s);
void test_puthex(uint64_t v);
/* Handlers called by the trap entries; the defaults report the trap and fail.
 * A test overrides them by defining its own. */
void mtrap_handler(struct trap_frame *f);
void strap_handler(struct trap_frame *f);
extern char __mtrap_entry[], __strap_entry[];

#define CHECK(cond, n) do { if (!(cond)) { \
	test_puts("FAIL " #n ": " #cond "\n"); test_exit(n); } } while (0)

#define csr_read(csr) ({ uint64_t v__; \
	__asm__ volatile("csrr %0, " #csr : "=r"(v__)); v__; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")

#endif
#endif
