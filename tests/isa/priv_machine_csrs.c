/* Identification and configuration CSRs (spec 3.1.1-3.1.5, 3.1.7, 3.1.14,
 * 3.1.17-3.1.18, 4.1.2, 4.1.10-4.1.11): misa, the ID registers, mhartid,
 * mconfigptr, menvcfg/senvcfg, and the WARL rules of mtvec, mepc and satp. */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

#define MISA_EXT(c) (1ull << ((c) - 'A'))

/* misa: MXL = 2 (RV64), the I, M, A, F, D, C, S and U extensions, not E
 * (E is the complement of I), and the reserved bits 61:26 zero (3.1.1). */
static void check_misa(void)
{
	uint64_t misa = csr_read(misa);
	CHECK_EQ(misa >> 62, 2, 1);
	const uint64_t need = MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A') | MISA_EXT('F') |
			      MISA_EXT('D') | MISA_EXT('C') | MISA_EXT('S') | MISA_EXT('U');
	CHECK_EQ(misa & need, need, 2);
	CHECK_EQ(misa & MISA_EXT('E'), 0, 3);
	CHECK_EQ(misa & (((1ull << 62) - 1) & ~((1ull << 26) - 1)), 0, 4);
	/* Not H: its CSRs are illegal (checked in priv_exceptions). */
	CHECK_EQ(misa & MISA_EXT('H'), 0, 5);
}

/* mhartid is the hart's ID, which the boot code passed in a0, and the only
 * hart of the machine is hart 0 (3.1.5). The ID registers read without
 * trapping; mvendorid is 32 bits (3.1.2-3.1.4). */
static void check_ids(uint64_t boot_hartid)
{
	CHECK_EQ(csr_read(mhartid), boot_hartid, 10);
	CHECK_EQ(csr_read(mhartid), 0, 11);
	trap_record_clear(&mtrap);
	uint64_t vendor = csr_read(mvendorid);
	uint64_t arch = csr_read(marchid);
	uint64_t impl = csr_read(mimpid);
	CHECK_EQ(mtrap.count, 0, 12);
	CHECK_EQ(vendor >> 32, 0, 13);
	/* Reading twice gives the same (read-only) values. */
	CHECK_EQ(csr_read(marchid), arch, 14);
	CHECK_EQ(csr_read(mimpid), impl, 14);
	/* mconfigptr (1.12) exists and is MXLEN-aligned (3.1.17). */
	uint64_t config = csr_read(mconfigptr);
	CHECK_EQ(mtrap.count, 0, 15);
	CHECK_EQ(config & 7, 0, 15);
}

/* menvcfg and senvcfg: FIOM is writable (S-mode and paging exist), the WPRI
 * fields of this hart read zero (3.1.18, 4.1.10). senvcfg is S-level. */
static uint64_t s_rw_senvcfg(uint64_t v)
{
	uint64_t old = csr_read(senvcfg);
	csr_write(senvcfg, v);
	return old;
}

static uint64_t u_reads_senvcfg(uint64_t v)
{
	return csr_read(senvcfg);
}

static uint64_t s_reads_menvcfg(uint64_t v)
{
	return csr_read(menvcfg);
}

static void check_envcfg(void)
{
	const uint64_t wpri = 0xe | 0xffffff00ull;
	csr_write(menvcfg, ~0ull);
	uint64_t m = csr_read(menvcfg);
	CHECK_EQ(m & 1, 1, 20);
	CHECK_EQ(m & wpri, 0, 21);
	csr_write(menvcfg, 0);
	CHECK_EQ(csr_read(menvcfg), 0, 22);

	csr_write(senvcfg, ~0ull);
	uint64_t s = csr_read(senvcfg);
	CHECK_EQ(s & 1, 1, 23);
	CHECK_EQ(s & wpri, 0, 24);
	csr_write(senvcfg, 0);
	CHECK_EQ(csr_read(senvcfg), 0, 25);

	trap_record_clear(&mtrap);
	CHECK_EQ(priv_call(PRIV_S, s_rw_senvcfg, 1), 0, 26);
	CHECK_EQ(csr_read(senvcfg), 1, 26);
	CHECK_EQ(mtrap.count, 0, 26);
	priv_call(PRIV_U, u_reads_senvcfg, 0);
	CHECK_EQ(mtrap.count, 1, 27);
	CHECK_EQ(mtrap.cause, CAUSE_ILLEGAL, 27);
	trap_record_clear(&mtrap);
	priv_call(PRIV_S, s_reads_menvcfg, 0);
	CHECK_EQ(mtrap.count, 1, 28);
	CHECK_EQ(mtrap.cause, CAUSE_ILLEGAL, 28);
	csr_write(senvcfg, 0);
}

/* mtvec/stvec: BASE is 4-byte aligned and the MODE values 2 and 3 are
 * reserved, so they never read back (3.1.7, WARL). */
static void check_tvec(void)
{
	uint64_t base = (uint64_t)__mtrap_entry;
	for (uint64_t mode = 2; mode < 4; mode++) {
		csr_write(mtvec, base | mode);
		uint64_t got = csr_read(mtvec);
		csr_write(mtvec, base);
		CHECK((got & 3) < 2, 30);
		csr_write(stvec, base | mode);
		got = csr_read(stvec);
		CHECK((got & 3) < 2, 31);
	}
	csr_write(stvec, (uint64_t)__strap_entry);
	CHECK_EQ(csr_read(stvec), (uint64_t)__strap_entry, 32);
	CHECK_EQ(csr_read(mtvec), base, 33);
}

/* mepc/sepc: bit 0 is always zero; with C, bit 1 is kept (3.1.14, 4.1.7).
 * mscratch, sscratch, mtval and stval hold any 64-bit value. */
static void check_epc_and_scratch(void)
{
	csr_write(mepc, 0x80001237ull);
	CHECK_EQ(csr_read(mepc), 0x80001236ull, 40);
	csr_write(sepc, 0x80004567ull);
	CHECK_EQ(csr_read(sepc), 0x80004566ull, 41);
	const uint64_t v = 0xfedcba9876543210ull;
	csr_write(mscratch, v);
	CHECK_EQ(csr_read(mscratch), v, 42);
	csr_write(sscratch, ~v);
	CHECK_EQ(csr_read(sscratch), ~v, 43);
	csr_write(mtval, 0x123456789abcull);
	CHECK_EQ(csr_read(mtval), 0x123456789abcull, 44);
	csr_write(stval, 0x3456789abcdeull);
	CHECK_EQ(csr_read(stval), 0x3456789abcdeull, 45);
	/* mcause holds the codes of the exceptions and interrupts the hart has. */
	csr_write(mcause, CAUSE_INTERRUPT | IRQ_MTI);
	CHECK_EQ(csr_read(mcause), CAUSE_INTERRUPT | IRQ_MTI, 46);
	csr_write(scause, CAUSE_ECALL_U);
	CHECK_EQ(csr_read(scause), CAUSE_ECALL_U, 47);
}

/* satp: Sv39 is accepted; a write with an unsupported MODE has no effect at
 * all (4.1.11). Bare with a nonzero PPN/ASID: those fields may be kept. */
static void check_satp(void)
{
	const uint64_t sv39 = (8ull << 60) | 0x80000ull;
	csr_write(satp, sv39);
	CHECK_EQ(csr_read(satp) & ((0xfull << 60) | 0xfffffffffffull), sv39, 50);
	for (uint64_t mode = 1; mode < 8; mode++) {
		csr_write(satp, (mode << 60) | 0x1234ull);
		CHECK_EQ(csr_read(satp) & ((0xfull << 60) | 0xfffffffffffull), sv39, 51);
	}
	csr_write(satp, 0);
	CHECK_EQ(csr_read(satp) >> 60, 0, 52);
}

int main(uint64_t boot_hartid)
{
	pmp_grant_all();
	check_misa();
	check_ids(boot_hartid);
	check_envcfg();
	check_tvec();
	check_epc_and_scratch();
	check_satp();
	return 0;
}
