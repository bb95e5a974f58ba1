/* mstatus.FS and SD (spec 3.1.6.6): with FS = Off every floating-point
 * instruction and every access to fcsr/frm/fflags is illegal; an instruction
 * that writes FP state makes FS Dirty, and SD reads 1 exactly when FS (the
 * only extension state here) is Dirty. */
#include "priv_harness.h"

static volatile struct trap_record mtrap;

void mtrap_handler(struct trap_frame *f)
{
	if (priv_call_returned(f))
		return;
	trap_record(&mtrap, f, csr_read(mstatus));
	trap_step_over(f);
}

#define AT(pc, insn) __asm__ volatile("lla %0, 1f\n1:\t" insn : "=&r"(pc) :: "t0", "memory")

static uint64_t insn_bits(uint64_t pc)
{
	return insn_length_at(pc) == 4 ? *(volatile uint32_t *)pc : *(volatile uint16_t *)pc;
}

/* Memory the FP loads and stores below touch (named from assembly). */
uint64_t scratch[2];

static void set_fs(uint64_t fs)
{
	csr_clear(mstatus, MSTATUS_FS);
	csr_set(mstatus, fs);
}

static uint64_t fs(void)
{
	return csr_read(mstatus) & MSTATUS_FS;
}

/* One FP instruction per function, each reading or writing FP state; the
 * base register a1 points at scratch where they touch memory. */
#define FP_OP(name, insn) \
	static uint64_t name(uint64_t u) { uint64_t pc; \
		__asm__ volatile("lla a1, scratch\n\tlla %0, 1f\n1:\t" insn \
				 : "=&r"(pc) :: "a1", "t1", "ft0", "fa0", "memory"); \
		return pc; }
FP_OP(op_fadd, "fadd.d ft0, ft0, ft0")
FP_OP(op_fmv_to_x, "fmv.x.d t1, ft0")
FP_OP(op_fmv_from_x, "fmv.d.x ft0, zero")
FP_OP(op_fld, "fld ft0, 0(a1)")
FP_OP(op_fsd, "fsd ft0, 0(a1)")
FP_OP(op_flw, "flw ft0, 0(a1)")
FP_OP(op_c_fld, "c.fld fa0, 0(a1)")
FP_OP(op_c_fsd, "c.fsd fa0, 8(a1)")
FP_OP(op_fcvt, "fcvt.d.l ft0, zero")
FP_OP(op_feq, "feq.s t1, ft0, ft0")
FP_OP(op_fmadd, "fmadd.s ft0, ft0, ft0, ft0")
FP_OP(op_read_fcsr, "csrr t1, fcsr")
FP_OP(op_write_frm, "csrwi frm, 0")
FP_OP(op_read_fflags, "frflags t1")
FP_OP(op_write_fflags, "fsflags zero")

static uint64_t (*const fp_ops[])(uint64_t) = {
	op_fadd, op_fmv_to_x, op_fmv_from_x, op_fld, op_fsd, op_flw, op_c_fld, op_c_fsd,
	op_fcvt, op_feq, op_fmadd, op_read_fcsr, op_write_frm, op_read_fflags, op_write_fflags,
};
#define N_FP_OPS (sizeof(fp_ops) / sizeof(fp_ops[0]))

/* FS = Off: each one is illegal in every mode, and FS stays Off. */
static void check_off(unsigned priv, int n)
{
	set_fs(0);
	for (unsigned i = 0; i < N_FP_OPS; i++) {
		trap_record_clear(&mtrap);
		uint64_t pc = priv_call(priv, fp_ops[i], 0);
		CHECK_TRAP(mtrap, CAUSE_ILLEGAL, pc, insn_bits(pc), n + (int)i);
		CHECK_EQ(fs(), 0, n + (int)i);
		CHECK_EQ(csr_read(mstatus) & MSTATUS_SD, 0, n + (int)i);
	}
}

/* Instructions that write FP registers or fcsr make FS Dirty, from any
 * state but Off, and from any mode (3.1.6.6, "FS and XS state transitions");
 * SD follows. */
static uint64_t (*const fp_writes[])(uint64_t) = {
	op_fadd, op_fmv_from_x, op_fld, op_flw, op_c_fld, op_fcvt, op_fmadd,
	op_write_frm, op_write_fflags,
};
#define N_FP_WRITES (sizeof(fp_writes) / sizeof(fp_writes[0]))

static void check_writes_dirty(unsigned priv, int n)
{
	const uint64_t start[] = { MSTATUS_FS_INITIAL, MSTATUS_FS_CLEAN };
	for (unsigned s = 0; s < 2; s++) {
		for (unsigned i = 0; i < N_FP_WRITES; i++) {
			set_fs(start[s]);
			CHECK_EQ(csr_read(mstatus) & MSTATUS_SD, 0, n);
			CHECK_EQ(csr_read(sstatus) & MSTATUS_SD, 0, n);
			trap_record_clear(&mtrap);
			priv_call(priv, fp_writes[i], 0);
			CHECK_EQ(mtrap.count, 0, n + (int)i);
			CHECK_EQ(fs(), MSTATUS_FS_DIRTY, n + (int)i);
			CHECK_EQ(csr_read(mstatus) & MSTATUS_SD, MSTATUS_SD, n + (int)i);
			CHECK_EQ(csr_read(sstatus) & MSTATUS_SD, MSTATUS_SD, n + (int)i);
		}
	}
}

/* FS is writable to all four states (a hart with F cannot have it read-only
 * zero; one that tracks nothing may turn Initial/Clean into Dirty); SD is
 * read-only. */
static void check_fs_field(void)
{
	for (uint64_t state = 0; state < 4; state++) {
		set_fs(state << 13);
		uint64_t got = fs();
		if (state == 0 || state == 3)
			CHECK_EQ(got, state << 13, 60);
		else
			CHECK(got == state << 13 || got == MSTATUS_FS_DIRTY, 60);
		CHECK_EQ(!!(csr_read(mstatus) & MSTATUS_SD), got == MSTATUS_FS_DIRTY, 61);
	}
	set_fs(MSTATUS_FS_INITIAL);
	csr_set(mstatus, MSTATUS_SD);
	CHECK_EQ(csr_read(mstatus) & MSTATUS_SD, 0, 62);
}

/* Turning FP off and on again keeps the registers and fcsr (3.1.6.6). */
static void check_state_kept(void)
{
	uint64_t back, flags;
	set_fs(MSTATUS_FS_INITIAL);
	__asm__ volatile("fmv.d.x ft3, %0\n\tcsrwi fflags, 0x15" :: "r"(0x400921fb54442d18ull)
			 : "ft3");
	set_fs(0);
	set_fs(MSTATUS_FS_INITIAL);
	__asm__ volatile("fmv.x.d %0, ft3\n\tfrflags %1" : "=r"(back), "=r"(flags) :: "ft3");
	CHECK_EQ(back, 0x400921fb54442d18ull, 70);
	CHECK_EQ(flags, 0x15, 71);
	__asm__ volatile("csrwi fflags, 0");
}

int main(void)
{
	pmp_grant_all();
	check_off(PRIV_M, 100);
	check_off(PRIV_S, 120);
	check_off(PRIV_U, 140);
	check_writes_dirty(PRIV_M, 160);
	check_writes_dirty(PRIV_S, 180);
	check_writes_dirty(PRIV_U, 200);
	check_fs_field();
	check_state_kept();
	return 0;
}
