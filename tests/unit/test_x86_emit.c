/* The x86-64 machine-code writer (cpu/x86_emit.h) against GNU as: each
 * case is one emitter call and the bytes the assembler makes of the same
 * instruction (taken once from `as --64`, with {disp8} where the emitter
 * always writes a displacement), so that an encoding slip on a rarely
 * taken path (the SIB byte of RSP and R12, REX for SIL, the 16-bit prefix)
 * shows here rather than as a wrong guest result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/x86_emit.h"

struct encoding {
	const char *assembly;
	uint8_t bytes[16];
	size_t len;
};

static const struct encoding encodings[] = {
	{ "mov rax, qword ptr [rbx-128]", { 0x48, 0x8b, 0x43, 0x80 }, 4 },
	{ "mov r14, qword ptr [rdi+0x1234]", { 0x4c, 0x8b, 0xb7, 0x34, 0x12, 0x00, 0x00 }, 7 },
	{ "mov rcx, qword ptr [rsp+0]", { 0x48, 0x8b, 0x4c, 0x24, 0x00 }, 5 },
	{ "mov rax, qword ptr [r12+8]", { 0x49, 0x8b, 0x44, 0x24, 0x08 }, 5 },
	{ "mov rax, qword ptr [r13+0]", { 0x49, 0x8b, 0x45, 0x00 }, 4 },
	{ "mov qword ptr [rbx+120], rdx", { 0x48, 0x89, 0x53, 0x78 }, 4 },
	{ "movsx rcx, byte ptr [rax+0]", { 0x48, 0x0f, 0xbe, 0x48, 0x00 }, 5 },
	{ "movzx ecx, byte ptr [rax+0]", { 0x0f, 0xb6, 0x48, 0x00 }, 4 },
	{ "movsx rcx, word ptr [rax+0]", { 0x48, 0x0f, 0xbf, 0x48, 0x00 }, 5 },
	{ "movzx ecx, word ptr [rax+0]", { 0x0f, 0xb7, 0x48, 0x00 }, 4 },
	{ "movsxd rcx, dword ptr [rax+0]", { 0x48, 0x63, 0x48, 0x00 }, 4 },
	{ "mov ecx, dword ptr [rax+0]", { 0x8b, 0x48, 0x00 }, 3 },
	{ "mov r9, qword ptr [r8+16]", { 0x4d, 0x8b, 0x48, 0x10 }, 4 },
	{ "mov byte ptr [rax+0], cl", { 0x88, 0x48, 0x00 }, 3 },
	{ "mov byte ptr [rax+0], sil", { 0x40, 0x88, 0x70, 0x00 }, 4 },
	{ "mov word ptr [rax+0], cx", { 0x66, 0x89, 0x48, 0x00 }, 4 },
	{ "mov dword ptr [rax+0], ecx", { 0x89, 0x48, 0x00 }, 3 },
	{ "mov qword ptr [r10+4], r11", { 0x4d, 0x89, 0x5a, 0x04 }, 4 },
	{ "add rax, qword ptr [rbx-120]", { 0x48, 0x03, 0x43, 0x88 }, 4 },
	{ "sub eax, dword ptr [rbx+8]", { 0x2b, 0x43, 0x08 }, 3 },
	{ "cmp r15, qword ptr [rbp+0x4000]", { 0x4c, 0x3b, 0xbd, 0x00, 0x40, 0x00, 0x00 }, 7 },
	{ "xor rcx, rdx", { 0x48, 0x31, 0xd1 }, 3 },
	{ "add rdx, r14", { 0x4c, 0x01, 0xf2 }, 3 },
	{ "xor r15d, r15d", { 0x45, 0x31, 0xff }, 3 },
	{ "add rax, 5", { 0x48, 0x83, 0xc0, 0x05 }, 4 },
	{ "and rcx, -4096", { 0x48, 0x81, 0xe1, 0x00, 0xf0, 0xff, 0xff }, 7 },
	{ "and edx, 1023", { 0x81, 0xe2, 0xff, 0x03, 0x00, 0x00 }, 6 },
	{ "sub rsp, 8", { 0x48, 0x83, 0xec, 0x08 }, 4 },
	{ "add qword ptr [rbx+384], 6", { 0x48, 0x83, 0x83, 0x80, 0x01, 0x00, 0x00, 0x06 }, 8 },
	{ "or qword ptr [rbx+400], 0x6000", { 0x48, 0x81, 0x8b, 0x90, 0x01, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00 }, 11 },
	{ "shr rdx, 12", { 0x48, 0xc1, 0xea, 0x0c }, 4 },
	{ "shl edx, 4", { 0xc1, 0xe2, 0x04 }, 3 },
	{ "ror rax, 7", { 0x48, 0xc1, 0xc8, 0x07 }, 4 },
	{ "sar rax, cl", { 0x48, 0xd3, 0xf8 }, 3 },
	{ "rol eax, cl", { 0xd3, 0xc0 }, 2 },
	{ "mov rdi, rbp", { 0x48, 0x89, 0xef }, 3 },
	{ "mov rcx, rsp", { 0x48, 0x89, 0xe1 }, 3 },
	{ "movsxd rax, eax", { 0x48, 0x63, 0xc0 }, 3 },
	{ "imul rax, qword ptr [rbx+16]", { 0x48, 0x0f, 0xaf, 0x43, 0x10 }, 5 },
	{ "imul eax, dword ptr [rbx+16]", { 0x0f, 0xaf, 0x43, 0x10 }, 4 },
	{ "mul qword ptr [rbx+24]", { 0x48, 0xf7, 0x63, 0x18 }, 4 },
	{ "imul qword ptr [rbx+24]", { 0x48, 0xf7, 0x6b, 0x18 }, 4 },
	{ "not rax", { 0x48, 0xf7, 0xd0 }, 3 },
	{ "lea rax, [rcx+rax*8+0x7fffffff]", { 0x48, 0x8d, 0x84, 0xc1, 0xff, 0xff, 0xff, 0x7f }, 8 },
	{ "lea rcx, [rax+7]", { 0x48, 0x8d, 0x48, 0x07 }, 4 },
	{ "mov eax, 0x12345678", { 0xb8, 0x78, 0x56, 0x34, 0x12 }, 5 },
	{ "mov r9, -2147483648", { 0x49, 0xc7, 0xc1, 0x00, 0x00, 0x00, 0x80 }, 7 },
	{ "movabs rax, 0x123456789abcdef0", { 0x48, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12 }, 10 },
	{ "setl al; movzx eax, al", { 0x0f, 0x9c, 0xc0, 0x0f, 0xb6, 0xc0 }, 6 },
	{ "cmovg rax, rcx", { 0x48, 0x0f, 0x4f, 0xc1 }, 4 },
	{ "bswap rax", { 0x48, 0x0f, 0xc8 }, 3 },
	{ "test al, al", { 0x84, 0xc0 }, 2 },
	{ "test qword ptr [rbx+400], 0x6000", { 0x48, 0xf7, 0x83, 0x90, 0x01, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00 }, 11 },
	{ "mov dword ptr [rbx+200], -1", { 0xc7, 0x83, 0xc8, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff }, 10 },
	{ "or qword ptr [rbx+400], rdx", { 0x48, 0x09, 0x93, 0x90, 0x01, 0x00, 0x00 }, 7 },
	{ "cmp byte ptr [rbp+64], 0", { 0x80, 0x7d, 0x40, 0x00 }, 4 },
	{ "call rax", { 0xff, 0xd0 }, 2 },
	{ "jmp rsi", { 0xff, 0xe6 }, 2 },
	{ "push r14", { 0x41, 0x56 }, 2 },
	{ "pop rbx", { 0x5b }, 1 },
	{ "ret", { 0xc3 }, 1 },
	{ "imul rax, rcx", { 0x48, 0x0f, 0xaf, 0xc1 }, 4 },
	{ "mov r8, rax", { 0x49, 0x89, 0xc0 }, 3 },
	{ "mov byte ptr [rax+0], r8b", { 0x44, 0x88, 0x40, 0x00 }, 4 },
	{ "lock or dword ptr [rsp], 0", { 0xf0, 0x83, 0x0c, 0x24, 0x00 }, 5 },
};

#define CASES (sizeof(encodings) / sizeof(encodings[0]))

/* Emits case i of the table above. */
static void emit_case(struct emit *e, unsigned i)
{
	switch (i) {
	case 0: x86_load64(e, RAX, RBX, -128); break;
	case 1: x86_load64(e, R14, RDI, 0x1234); break;
	case 2: x86_load64(e, RCX, RSP, 0); break;
	case 3: x86_load64(e, RAX, R12, 8); break;
	case 4: x86_load64(e, RAX, R13, 0); break;
	case 5: x86_store64(e, RBX, 120, RDX); break;
	case 6: x86_load_ext(e, RCX, RAX, 0, 1, true); break;
	case 7: x86_load_ext(e, RCX, RAX, 0, 1, false); break;
	case 8: x86_load_ext(e, RCX, RAX, 0, 2, true); break;
	case 9: x86_load_ext(e, RCX, RAX, 0, 2, false); break;
	case 10: x86_load_ext(e, RCX, RAX, 0, 4, true); break;
	case 11: x86_load_ext(e, RCX, RAX, 0, 4, false); break;
	case 12: x86_load_ext(e, R9, R8, 16, 8, false); break;
	case 13: x86_store_sized(e, RAX, 0, RCX, 1); break;
	case 14: x86_store_sized(e, RAX, 0, RSI, 1); break;
	case 15: x86_store_sized(e, RAX, 0, RCX, 2); break;
	case 16: x86_store_sized(e, RAX, 0, RCX, 4); break;
	case 17: x86_store_sized(e, R10, 4, R11, 8); break;
	case 18: x86_alu_rm(e, true, ALU_ADD, RAX, RBX, -120); break;
	case 19: x86_alu_rm(e, false, ALU_SUB, RAX, RBX, 8); break;
	case 20: x86_alu_rm(e, true, ALU_CMP, R15, RBP, 0x4000); break;
	case 21: x86_alu_rr(e, true, ALU_XOR, RCX, RDX); break;
	case 22: x86_alu_rr(e, true, ALU_ADD, RDX, R14); break;
	case 23: x86_alu_rr(e, false, ALU_XOR, R15, R15); break;
	case 24: x86_alu_ri(e, true, ALU_ADD, RAX, 5); break;
	case 25: x86_alu_ri(e, true, ALU_AND, RCX, -4096); break;
	case 26: x86_alu_ri(e, false, ALU_AND, RDX, 1023); break;
	case 27: x86_alu_ri(e, true, ALU_SUB, RSP, 8); break;
	case 28: x86_alu_mi(e, ALU_ADD, RBX, 384, 6); break;
	case 29: x86_alu_mi(e, ALU_OR, RBX, 400, 0x6000); break;
	case 30: x86_shift_ri(e, true, SH_SHR, RDX, 12); break;
	case 31: x86_shift_ri(e, false, SH_SHL, RDX, 4); break;
	case 32: x86_shift_ri(e, true, SH_ROR, RAX, 7); break;
	case 33: x86_shift_cl(e, true, SH_SAR, RAX); break;
	case 34: x86_shift_cl(e, false, SH_ROL, RAX); break;
	case 35: x86_mov_rr(e, true, RDI, RBP); break;
	case 36: x86_mov_rr(e, true, RCX, RSP); break;
	case 37: x86_movsxd_rr(e, RAX, RAX); break;
	case 38: x86_imul_rm(e, true, RAX, RBX, 16); break;
	case 39: x86_imul_rm(e, false, RAX, RBX, 16); break;
	case 40: x86_f7_m(e, 4, RBX, 24); break;
	case 41: x86_f7_m(e, 5, RBX, 24); break;
	case 42: x86_f7_r(e, 2, RAX); break;
	case 43: x86_lea_sib(e, RAX, RCX, RAX, 3, 0x7fffffff); break;
	case 44: x86_lea(e, RCX, RAX, 7); break;
	case 45: x86_mov_ri(e, RAX, 0x12345678); break;
	case 46: x86_mov_ri(e, R9, 0xffffffff80000000ull); break;
	case 47: x86_mov_ri(e, RAX, 0x123456789abcdef0ull); break;
	case 48: x86_setcc_zx(e, CC_L, RAX); break;
	case 49: x86_cmov(e, CC_G, RAX, RCX); break;
	case 50: x86_bswap(e, RAX); break;
	case 51: x86_test8(e, RAX); break;
	case 52: x86_test_mi(e, RBX, 400, 0x6000); break;
	case 53: x86_mov_mi32(e, RBX, 200, -1); break;
	case 54: x86_alu_mr(e, ALU_OR, RBX, 400, RDX); break;
	case 55: x86_cmp8_mi(e, RBP, 64, 0); break;
	case 56: x86_call_r(e, RAX); break;
	case 57: x86_jmp_r(e, RSI); break;
	case 58: x86_push(e, R14); break;
	case 59: x86_pop(e, RBX); break;
	case 60: x86_ret(e); break;
	case 61: x86_imul_rr(e, RAX, RCX); break;
	case 62: x86_mov_rr(e, true, R8, RAX); break;
	case 63: x86_store_sized(e, RAX, 0, R8, 1); break;
	case 64: x86_full_fence(e); break;
	default: fail_msg("no case %u", i);
	}
}

static void test_encodings_match_the_assembler(void **unused)
{
	for (unsigned i = 0; i < CASES; i++) {
		uint8_t buf[32];
		struct emit e = { buf, buf + sizeof(buf), false };
		emit_case(&e, i);
		size_t len = (size_t)(e.p - buf);
		if (len != encodings[i].len || memcmp(buf, encodings[i].bytes, len) != 0) {
			print_error("%s: emitted", encodings[i].assembly);
			for (size_t k = 0; k < len; k++)
				print_error(" %02x", buf[k]);
			print_error("\n");
			fail();
		}
	}
}

/* Jumps: a displacement patched to its target counts from the end of the
 * jump; a buffer too small for an instruction is reported, not overrun. */
static void test_jumps_and_overflow(void **unused)
{
	uint8_t buf[16];
	struct emit e = { buf, buf + sizeof(buf), false };
	uint8_t *at = x86_jcc(&e, CC_NE);
	x86_ret(&e);
	x86_patch(&e, at, e.p - 1);
	const uint8_t want[] = { 0x0f, 0x85, 0x00, 0x00, 0x00, 0x00, 0xc3 };
	assert_memory_equal(buf, want, sizeof(want));

	uint8_t small[4];
	struct emit s = { small, small + sizeof(small), false };
	x86_mov_ri(&s, RAX, 0x123456789abcdef0ull);
	assert_true(s.full);
	assert_ptr_equal(s.p, small + sizeof(small));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encodings_match_the_assembler),
		cmocka_unit_test(test_jumps_and_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
