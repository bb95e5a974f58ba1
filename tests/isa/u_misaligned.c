/* Misaligned loads and stores of every width, integer and floating-point,
 * including accesses that straddle a 4 KiB page boundary. The unprivileged
 * spec ("Load and Store Instructions") lets the execution environment either
 * perform them or trap; doppel performs them, so the values must be exactly
 * those of the bytes, little-endian. Any trap fails the test. */
#include "u_check.h"

/* Two pages; byte i holds (i + 0x80) & 0xff, so the bytes at the page
 * boundary (offset 0x1000) are ... 0x7e 0x7f | 0x80 0x81 ... */
static volatile uint8_t buf[8192] __attribute__((aligned(4096)));

#define LOAD(mn, off) ({ uint64_t v_; \
	__asm__ volatile(mn " %0, 0(%1)" : "=r"(v_) : "r"(&buf[off]) : "memory"); v_; })
#define FLOAD(mn, off) ({ uint64_t v_; \
	__asm__ volatile(mn " ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(v_) : "r"(&buf[off]) : "ft0", "memory"); v_; })
#define STORE(mn, off, val) \
	__asm__ volatile(mn " %1, 0(%0)" :: "r"(&buf[off]), "r"((uint64_t)(val)) : "memory")
#define FSTORE(mn, off, val) \
	__asm__ volatile("fmv.d.x ft0, %1\n\t" mn " ft0, 0(%0)" :: "r"(&buf[off]), "r"((uint64_t)(val)) : "ft0", "memory")

static void fill(void)
{
	for (int i = 0; i < 8192; i++)
		buf[i] = (uint8_t)(i + 0x80);
}

/* The little-endian value of n bytes at off, read a byte at a time. */
static uint64_t bytes_at(int off, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | buf[off + i];
	return v;
}

static uint64_t sext(uint64_t v, int bits)
{
	uint64_t sign = 1ull << (bits - 1);

	return (v ^ sign) - sign;
}

static void loads_by_hand(void)
{
	/* Values written out from the byte pattern. */
	check_eq(1, LOAD("lh", 0xfff), 0xffffffffffff807full);
	check_eq(2, LOAD("lhu", 0xfff), 0x807f);
	check_eq(3, LOAD("lh", 0x1001), 0xffffffffffff8281ull);
	check_eq(4, LOAD("lw", 0xffd), 0xffffffff807f7e7dull);
	check_eq(5, LOAD("lwu", 0xffd), 0x807f7e7d);
	check_eq(6, LOAD("lw", 0xfff), 0xffffffff8281807full);
	check_eq(7, LOAD("lw", 0x0f1), 0x74737271);
	check_eq(8, LOAD("ld", 0xff9), 0x807f7e7d7c7b7a79ull);
	check_eq(9, LOAD("ld", 0xffc), 0x838281807f7e7d7cull);
	check_eq(10, LOAD("ld", 0xfff), 0x868584838281807full);
	check_eq(11, LOAD("ld", 0x003), 0x8a89888786858483ull);
	check_eq(12, FLOAD("flw", 0xffe), 0xffffffff81807f7eull);
	check_eq(13, FLOAD("fld", 0xffb), 0x8281807f7e7d7c7bull);
}

static void check_at(int n, int off, uint64_t got, uint64_t want)
{
	if (got != want) {
		test_puts("at offset ");
		test_puthex(off);
		test_putchar('\n');
	}
	check_eq(n, got, want);
}

static void loads_everywhere(void)
{
	/* Every offset within the 8 bytes before and after the boundary, and a
	 * few within the first page. */
	static const int base[] = { 0x0f8, 0xff8, 0x1000 };

	for (unsigned b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
		for (int k = 1; k < 8; k++) {
			int off = base[b] + k;

			check_at(20, off, LOAD("lh", off), sext(bytes_at(off, 2), 16));
			check_at(21, off, LOAD("lhu", off), bytes_at(off, 2));
			check_at(22, off, LOAD("lw", off), sext(bytes_at(off, 4), 32));
			check_at(23, off, LOAD("lwu", off), bytes_at(off, 4));
			check_at(24, off, LOAD("ld", off), bytes_at(off, 8));
			check_at(25, off, FLOAD("flw", off), 0xffffffff00000000ull | bytes_at(off, 4));
			check_at(26, off, FLOAD("fld", off), bytes_at(off, 8));
		}
	}
}

/* A store must write exactly its bytes: compare the 24 bytes around it. */
static void expect_bytes(int n, int off, const uint8_t *want, int len)
{
	for (int i = -8; i < len + 8; i++) {
		uint8_t expect = (i >= 0 && i < len) ? want[i] : (uint8_t)(off + i + 0x80);

		if (buf[off + i] != expect) {
			test_puts("byte at offset ");
			test_puthex(off + i);
			test_putchar('\n');
			check_eq(n, buf[off + i], expect);
		}
	}
}

static void stores(void)
{
	static const uint8_t le8[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };

	STORE("sh", 0xfff, 0x1122334455667788ull);
	expect_bytes(30, 0xfff, le8, 2);
	fill();
	STORE("sw", 0xffe, 0x1122334455667788ull);
	expect_bytes(31, 0xffe, le8, 4);
	fill();
	STORE("sw", 0xffd, 0x1122334455667788ull);
	expect_bytes(32, 0xffd, le8, 4);
	fill();
	STORE("sd", 0xffb, 0x1122334455667788ull);
	expect_bytes(33, 0xffb, le8, 8);
	fill();
	STORE("sd", 0x0f9, 0x1122334455667788ull);
	expect_bytes(34, 0x0f9, le8, 8);
	fill();
	STORE("sd", 0xfff, 0x1122334455667788ull);
	expect_bytes(35, 0xfff, le8, 8);
	fill();
	/* fsw stores the low 32 bits of the register, boxed or not. */
	FSTORE("fsw", 0xfff, 0x1122334455667788ull);
	expect_bytes(36, 0xfff, le8, 4);
	fill();
	FSTORE("fsd", 0xffd, 0x1122334455667788ull);
	expect_bytes(37, 0xffd, le8, 8);
	fill();
	FSTORE("fsd", 0x101, 0x1122334455667788ull);
	expect_bytes(38, 0x101, le8, 8);
	fill();
	/* A store then a load of a different width across the boundary. */
	STORE("sd", 0xffa, 0x0102030405060708ull);
	check_eq(39, LOAD("lw", 0xffd), 0x02030405);
	check_eq(40, LOAD("lhu", 0xfff), 0x0203);
	check_eq(41, LOAD("lh", 0xffb), 0x0607);
	fill();
}

int main(void)
{
	fill();
	loads_by_hand();
	loads_everywhere();
	stores();
	return 0;
}
