/* The satp register (privileged spec 1.12, 4.1.11) and the trap controls on
 * it: Sv39, Sv48 and Sv57 read back as written (how a kernel probes for the
 * widest mode); a write with an unsupported MODE has no effect at all; ASID
 * bits are implemented from the least significant up; mstatus.TVM=1 makes
 * satp accesses and sfence.vma illegal in S mode (3.1.6.5); U mode may do
 * neither (2.1, 4.2.1). */
#include "vm_lib.h"

extern char probe_read_satp[], probe_write_satp[], probe_sfence[];

__asm__(
	"	.pushsection .text.satp_probes, \"ax\", @progbits\n"
	"	.balign 4\n"
	"	.option push\n"
	"	.option norvc\n"
	"probe_read_satp:\n"
	"	csrr	a0, satp\n"
	"	ecall\n"
	"probe_write_satp:\n"
	"	csrw	satp, a0\n"
	"	ecall\n"
	"probe_sfence:\n"
	"	sfence.vma\n"
	"	ecall\n"
	"	.option pop\n"
	"	.popsection\n");

static uint64_t satp_write_read(uint64_t value)
{
	csr_write(satp, value);
	return csr_read(satp);
}

static void check_supported_modes(const struct vm_space *s)
{
	static const uint64_t modes[] = { SATP_MODE_SV39, SATP_MODE_SV48, SATP_MODE_SV57 };
	uint64_t ppn = (uint64_t)s->root >> 12;
	for (unsigned i = 0; i < 3; i++) {
		vm_set_context(vm_mode_name(modes[i]), " read-back", 0, 0);
		uint64_t value = modes[i] << SATP_MODE_SHIFT | ppn;
		VM_CHECK(satp_write_read(value) == value);
	}
	vm_set_context("Bare", 0, 0, 0);
	VM_CHECK(satp_write_read(0) == 0);
}

/* ASIDLEN may be zero; when not, ASID[ASIDLEN-1:0] are the writable bits
 * (4.1.11), and the rest of satp keeps what was written. */
static uint64_t check_asid_bits(const struct vm_space *s)
{
	vm_set_context("ASID", 0, 0, 0);
	uint64_t value = vm_satp(s, SATP_ASID_MASK);
	uint64_t got = satp_write_read(value);
	uint64_t asid = got >> SATP_ASID_SHIFT & SATP_ASID_MASK;
	VM_CHECK((asid & (asid + 1)) == 0);
	VM_CHECK((got & ~(SATP_ASID_MASK << SATP_ASID_SHIFT)) ==
		 (value & ~(SATP_ASID_MASK << SATP_ASID_SHIFT)));
	return asid;
}

/* "If satp is written with an unsupported MODE, the entire write has no
 * effect; no fields in satp are modified" (4.1.11). doppel implements Bare,
 * Sv39, Sv48 and Sv57 only: 1-7 and 12-13 are reserved, 11 is Sv64, 14-15
 * are custom. */
static void check_unsupported_modes(const struct vm_space *s, uint64_t asid_mask)
{
	static const uint64_t bad_modes[] = { 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15 };
	uint64_t before = vm_satp(s, 1 & asid_mask);
	for (unsigned i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		vm_set_context("unsupported MODE", 0, 0, 0);
		csr_write(satp, before);
		uint64_t bad = bad_modes[i] << SATP_MODE_SHIFT | asid_mask << SATP_ASID_SHIFT | 0x12345;
		VM_CHECK(satp_write_read(bad) == before);
	}
	/* From Bare too: a reserved MODE must not switch translation on. */
	csr_write(satp, 0);
	VM_CHECK(satp_write_read(11ul << SATP_MODE_SHIFT | 0x80001) == 0);
}

static void check_supervisor_access(const struct vm_space *s)
{
	vm_set_context("S mode, TVM=0", 0, 0, 0);
	vm_activate(s);
	uint64_t current = vm_satp(s, 0);
	struct vm_trap t = vm_run(PRIV_S, (uint64_t)probe_read_satp, 0, 0);
	VM_EXPECT_ECALL(t, PRIV_S, (uint64_t)probe_read_satp + 4);
	VM_CHECK(t.a0 == current);
	t = vm_run(PRIV_S, (uint64_t)probe_sfence, 0, 0);
	VM_EXPECT_ECALL(t, PRIV_S, (uint64_t)probe_sfence + 4);
	/* S mode writes satp; an unsupported MODE is ignored there too. */
	t = vm_run(PRIV_S, (uint64_t)probe_write_satp, 11ul << SATP_MODE_SHIFT | 0x80001, 0);
	VM_EXPECT_ECALL(t, PRIV_S, (uint64_t)probe_write_satp + 4);
	VM_CHECK(csr_read(satp) == current);
	t = vm_run(PRIV_S, (uint64_t)probe_write_satp, current, 0);
	VM_EXPECT_ECALL(t, PRIV_S, (uint64_t)probe_write_satp + 4);
	VM_CHECK(csr_read(satp) == current);

	/* 3.1.6.5: with TVM=1, S-mode satp reads/writes and SFENCE.VMA raise
	 * illegal-instruction exceptions; M mode is not affected. */
	vm_set_context("S mode, TVM=1", 0, 0, 0);
	csr_set(mstatus, MSTATUS_TVM);
	t = vm_run(PRIV_S, (uint64_t)probe_read_satp, 0, 0);
	VM_CHECK(t.cause == CAUSE_ILLEGAL_INSN && t.epc == (uint64_t)probe_read_satp);
	t = vm_run(PRIV_S, (uint64_t)probe_write_satp, 0, 0);
	VM_CHECK(t.cause == CAUSE_ILLEGAL_INSN && t.epc == (uint64_t)probe_write_satp);
	t = vm_run(PRIV_S, (uint64_t)probe_sfence, 0, 0);
	VM_CHECK(t.cause == CAUSE_ILLEGAL_INSN && t.epc == (uint64_t)probe_sfence);
	VM_CHECK(csr_read(satp) == current);
	csr_write(satp, current);
	vm_sfence_all();
	csr_clear(mstatus, MSTATUS_TVM);
	VM_CHECK((csr_read(mstatus) & MSTATUS_TVM) == 0);
}

/* satp is a supervisor CSR and SFENCE.VMA a supervisor instruction: both are
 * illegal in U mode. U runs untranslated here (satp Bare). */
static void check_user_access(void)
{
	vm_set_context("U mode", 0, 0, 0);
	csr_write(satp, 0);
	struct vm_trap t = vm_run(PRIV_U, (uint64_t)probe_read_satp, 0, 0);
	VM_CHECK(t.cause == CAUSE_ILLEGAL_INSN && t.epc == (uint64_t)probe_read_satp);
	t = vm_run(PRIV_U, (uint64_t)probe_write_satp, 0, 0);
	VM_CHECK(t.cause == CAUSE_ILLEGAL_INSN && t.epc == (uint64_t)probe_write_satp);
	t = vm_run(PRIV_U, (uint64_t)probe_sfence, 0, 0);
	VM_CHECK(t.cause == CAUSE_ILLEGAL_INSN && t.epc == (uint64_t)probe_sfence);
	VM_CHECK(csr_read(satp) == 0);
}

int main(void)
{
	vm_setup();
	struct vm_space s = vm_space_standard(SATP_MODE_SV39);
	check_supported_modes(&s);
	uint64_t asid_mask = check_asid_bits(&s);
	check_unsupported_modes(&s, asid_mask);
	check_supervisor_access(&s);
	check_user_access();
	return 0;
}
