/* Zba, Zbb and Zbs, every RV64 instruction (unprivileged spec, "B" extension
 * chapter, one section per instruction): .uw forms zero-extend rs1[31:0], W
 * forms sign-extend their 32-bit result, register shift and bit-index amounts
 * use rs2[5:0] (rs2[4:0] for W forms), counts of zero give 64 or 32. */
#include "u_check.h"

#define ALL1 0xffffffffffffffffull

static void zba(void)
{
	check_eq(1, RR("sh1add", 0x8000000000000001ull, 5), 7);
	check_eq(2, RR("sh2add", 0x4000000000000003ull, 1), 13);
	check_eq(3, RR("sh3add", 0x2000000000000001ull, 5), 13);
	check_eq(4, RR("sh3add", ALL1, 8), 0);
	check_eq(5, RR("add.uw", 0xffffffff80000000ull, 1), 0x80000001);
	check_eq(6, RR("add.uw", 0x12345678ffffffffull, ALL1), 0xfffffffeull);
	check_eq(7, RR("sh1add.uw", ALL1, 0), 0x1fffffffeull);
	check_eq(8, RR("sh2add.uw", 0x100000001ull, 3), 7);
	check_eq(9, RR("sh3add.uw", 0xffffffff80000000ull, 1), 0x400000001ull);
	check_eq(10, RI("slli.uw", 0xffffffff87654321ull, 4), 0x876543210ull);
	check_eq(11, RI("slli.uw", 0xffffffffffffffffull, 32), 0xffffffff00000000ull);
	check_eq(12, RI("slli.uw", 0xffffffff00000001ull, 63), 0x8000000000000000ull);
	check_eq(13, RI("slli.uw", 0x80000000, 0), 0x80000000);
}

static void zbb_logic_count(void)
{
	check_eq(20, RR("andn", 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull), 0xf000f000f000f000ull);
	check_eq(21, RR("orn", 0x1, 0xfffffffffffffff0ull), 0xf);
	check_eq(22, RR("xnor", 0xf0f0, 0xff00), 0xfffffffffffff00full);

	check_eq(23, R1("clz", 0), 64);
	check_eq(24, R1("clz", 1), 63);
	check_eq(25, R1("clz", 0x8000000000000000ull), 0);
	check_eq(26, R1("clz", 0x00000000ffffffffull), 32);
	check_eq(27, R1("clzw", 0), 32);
	check_eq(28, R1("clzw", 0xffffffff00000001ull), 31);
	check_eq(29, R1("clzw", 0x80000000), 0);
	check_eq(30, R1("ctz", 0), 64);
	check_eq(31, R1("ctz", 0x8000000000000000ull), 63);
	check_eq(32, R1("ctz", 0x100000000ull), 32);
	check_eq(33, R1("ctzw", 0), 32);
	check_eq(34, R1("ctzw", 0x100000000ull), 32);
	check_eq(35, R1("ctzw", 0x80000000), 31);
	check_eq(36, R1("cpop", 0), 0);
	check_eq(37, R1("cpop", ALL1), 64);
	check_eq(38, R1("cpop", 0x8000000100000001ull), 3);
	check_eq(39, R1("cpopw", ALL1), 32);
	check_eq(40, R1("cpopw", 0xffffffff00000000ull), 0);
	check_eq(41, R1("cpopw", 0x0000000080000001ull), 2);
}

static void zbb_minmax_ext(void)
{
	check_eq(50, RR("max", ALL1, 1), 1);
	check_eq(51, RR("maxu", ALL1, 1), ALL1);
	check_eq(52, RR("min", ALL1, 1), ALL1);
	check_eq(53, RR("minu", ALL1, 1), 1);
	check_eq(54, RR("min", 0x8000000000000000ull, 0x7fffffffffffffffull), 0x8000000000000000ull);
	check_eq(55, RR("maxu", 0x8000000000000000ull, 0x7fffffffffffffffull), 0x8000000000000000ull);
	check_eq(56, RR("max", 0x8000000000000000ull, 0x7fffffffffffffffull), 0x7fffffffffffffffull);

	check_eq(57, R1("sext.b", 0x80), 0xffffffffffffff80ull);
	check_eq(58, R1("sext.b", 0x17f), 0x7f);
	check_eq(59, R1("sext.h", 0x8000), 0xffffffffffff8000ull);
	check_eq(60, R1("sext.h", 0xffffffffffff7fffull), 0x7fff);
	check_eq(61, R1("zext.h", 0xffffffffffff8001ull), 0x8001);
}

static void zbb_rotate_bytes(void)
{
	check_eq(70, RR("rol", 0x8000000000000001ull, 1), 3);
	check_eq(71, RR("rol", 0x8000000000000001ull, 65), 3);
	check_eq(72, RR("ror", 1, 1), 0x8000000000000000ull);
	check_eq(73, RR("ror", 0x0123456789abcdefull, 0x44), 0xf0123456789abcdeull);
	check_eq(74, RR("rolw", 0x80000001, 1), 3);
	check_eq(75, RR("rolw", 0xffffffff40000000ull, 1), 0xffffffff80000000ull);
	check_eq(76, RR("rolw", 0x12345678, 36), 0x23456781);
	check_eq(77, RR("rorw", 1, 1), 0xffffffff80000000ull);
	check_eq(78, RR("rorw", 0xffffffff00000002ull, 33), 1);
	check_eq(79, RI("rori", 1, 63), 2);
	check_eq(80, RI("rori", 0x123456789abcdef0ull, 4), 0x0123456789abcdefull);
	check_eq(81, RI("rori", 0x123456789abcdef0ull, 0), 0x123456789abcdef0ull);
	check_eq(82, RI("roriw", 0x12345678, 4), 0xffffffff81234567ull);
	check_eq(83, RI("roriw", 0xabcdef0080000000ull, 0), 0xffffffff80000000ull);
	check_eq(84, RI("roriw", 0x00000001, 31), 2);

	check_eq(85, R1("orc.b", 0x0100000000ff0080ull), 0xff00000000ff00ffull);
	check_eq(86, R1("orc.b", 0), 0);
	check_eq(87, R1("rev8", 0x0102030405060708ull), 0x0807060504030201ull);
	check_eq(88, R1("rev8", 0xff), 0xff00000000000000ull);
}

static void zbs(void)
{
	check_eq(90, RR("bset", 0, 63), 0x8000000000000000ull);
	check_eq(91, RR("bset", 0, 32), 0x100000000ull);
	check_eq(92, RR("bset", 0, 64 + 3), 8);
	check_eq(93, RI("bseti", 0x1, 40), 0x10000000001ull);
	check_eq(94, RR("bclr", ALL1, 40), 0xfffffeffffffffffull);
	check_eq(95, RR("bclr", ALL1, 128 + 33), 0xfffffffdffffffffull);
	check_eq(96, RI("bclri", ALL1, 63), 0x7fffffffffffffffull);
	check_eq(97, RR("binv", 0x100000000ull, 32), 0);
	check_eq(98, RR("binv", 0, 50), 0x4000000000000ull);
	check_eq(99, RI("binvi", 0x8000000000000000ull, 63), 0);
	check_eq(100, RR("bext", 0x8000000000000000ull, 63), 1);
	check_eq(101, RR("bext", 1ull << 33, 33), 1);
	check_eq(102, RR("bext", 1ull << 33, 32), 0);
	check_eq(103, RR("bext", 1ull << 33, 64 + 33), 1);
	check_eq(104, RI("bexti", 1ull << 47, 47), 1);
	check_eq(105, RI("bexti", ~(1ull << 47), 47), 0);
}

int main(void)
{
	zba();
	zbb_logic_count();
	zbb_minmax_ext();
	zbb_rotate_bytes();
	zbs();
	return 0;
}
