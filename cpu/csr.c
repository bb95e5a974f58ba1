#include "cpu/csr.h"

#include "cpu/pmp.h"

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | \
		      MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | \
			  MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | \
			  MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define MIE_WRITABLE (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define MIDELEG_WRITABLE (MIP_SSIP | MIP_STIP | MIP_SEIP)
/* Every synchronous cause but ecall from M (read-only zero, spec 3.1.8). */
#define MEDELEG_WRITABLE 0xb3ffull
#define SATP_MODE_SHIFT 60

/* Counters cycle, time, instret, hpmcounter3..31 below M-mode are gated by
 * mcounteren and, for U-mode, scounteren (spec 3.1.11, 4.1.5). */
static bool counter_allowed(const struct hart *h, unsigned idx)
{
	if (h->s.priv < PRIV_M && !((h->s.mcounteren >> idx) & 1))
		return false;
	if (h->s.priv < PRIV_S && !((h->s.scounteren >> idx) & 1))
		return false;
	return true;
}

/* stimecmp exists below M only with menvcfg.STCE, and needs mcounteren.TM
 * (Sstc spec, 3.1). */
static bool stimecmp_allowed(const struct hart *h)
{
	if (h->s.priv == PRIV_M)
		return true;
	return (h->s.menvcfg & MENVCFG_STCE) && (h->s.mcounteren & 2);
}

static uint64_t mstatus_read(const struct hart *h)
{
	uint64_t m = h->s.mstatus & ~(MSTATUS_SD | MSTATUS_UXL | MSTATUS_SXL);
	m |= (2ull << 32) | (2ull << 34);
	if ((m & MSTATUS_FS) == MSTATUS_FS)
		m |= MSTATUS_SD;
	return m;
}

bool csr_read(struct hart *h, unsigned csr, uint64_t *val)
{
	struct hart_state *s = &h->s;

	/* Bits 9:8 give the lowest privilege that may access a CSR (spec 2.1). */
	if (((csr >> 8) & 3) > s->priv)
		return false;

	switch (csr) {
	case CSR_FFLAGS: case CSR_FRM: case CSR_FCSR:
		if (fs_off(h))
			return false;
		*val = csr == CSR_FFLAGS ? s->fcsr & 0x1f :
		       csr == CSR_FRM ? (s->fcsr >> 5) & 7 : s->fcsr & 0xff;
		return true;
	case CSR_CYCLE: case CSR_TIME: case CSR_INSTRET:
	case CSR_HPMCOUNTER3 ... CSR_HPMCOUNTER31:
		if (!counter_allowed(h, csr - CSR_CYCLE))
			return false;
		*val = csr == CSR_CYCLE ? s->mcycle :
		       csr == CSR_TIME ? timebase_now(h->time) :
		       csr == CSR_INSTRET ? s->minstret : 0;
		return true;
	case CSR_SSTATUS: *val = mstatus_read(h) & SSTATUS_MASK; return true;
	case CSR_SIE: *val = s->mie & s->mideleg; return true;
	case CSR_STVEC: *val = s->stvec; return true;
	case CSR_SCOUNTEREN: *val = s->scounteren; return true;
	case CSR_SENVCFG: *val = s->senvcfg; return true;
	case CSR_SSCRATCH: *val = s->sscratch; return true;
	case CSR_SEPC: *val = s->sepc; return true;
	case CSR_SCAUSE: *val = s->scause; return true;
	case CSR_STVAL: *val = s->stval; return true;
	case CSR_SIP: *val = hart_mip(h) & s->mideleg; return true;
	case CSR_STIMECMP:
		if (!stimecmp_allowed(h))
			return false;
		*val = s->stimecmp;
		return true;
	case CSR_SATP:
		if (s->priv == PRIV_S && (s->mstatus & MSTATUS_TVM))
			return false;
		*val = s->satp;
		return true;
	case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
		*val = 0;
		return true;
	case CSR_MHARTID: *val = h->hartid; return true;
	case CSR_MSTATUS: *val = mstatus_read(h); return true;
	case CSR_MISA: *val = MISA_VALUE; return true;
	case CSR_MEDELEG: *val = s->medeleg; return true;
	case CSR_MIDELEG: *val = s->mideleg; return true;
	case CSR_MIE: *val = s->mie; return true;
	case CSR_MTVEC: *val = s->mtvec; return true;
	case CSR_MCOUNTEREN: *val = s->mcounteren; return true;
	case CSR_MENVCFG: *val = s->menvcfg; return true;
	case CSR_MCOUNTINHIBIT: *val = s->mcountinhibit; return true;
	case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31: *val = 0; return true;
	case CSR_MSCRATCH: *val = s->mscratch; return true;
	case CSR_MEPC: *val = s->mepc; return true;
	case CSR_MCAUSE: *val = s->mcause; return true;
	case CSR_MTVAL: *val = s->mtval; return true;
	case CSR_MIP: *val = hart_mip(h); return true;
	case CSR_PMPCFG0 ... CSR_PMPCFG15:
		/* Odd pmpcfg registers do not exist on RV64 (spec 3.7.1). */
		if (csr & 1)
			return false;
		*val = pmp_read_cfg(s, csr - CSR_PMPCFG0);
		return true;
	case CSR_PMPADDR0 ... CSR_PMPADDR63: {
		unsigned i = csr - CSR_PMPADDR0;
		*val = i < PMP_ENTRIES ? s->pmpaddr[i] : 0;
		return true;
	}
	case CSR_MCYCLE: *val = s->mcycle; return true;
	case CSR_MINSTRET: *val = s->minstret; return true;
	case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31: *val = 0; return true;
	default:
		return false;
	}
}

static void mstatus_write(struct hart *h, uint64_t val)
{
	struct hart_state *s = &h->s;
	uint64_t old = s->mstatus;

	/* MPP is WARL: the reserved value 2 is replaced by U. */
	if (((val & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
		val &= ~MSTATUS_MPP;
	s->mstatus = (old & ~MSTATUS_WRITABLE) | (val & MSTATUS_WRITABLE);
	if ((old ^ s->mstatus) & (MSTATUS_SUM | MSTATUS_MXR))
		hart_tlb_flush_vm(h);
	hart_tlb_select(h);
	h->break_loop = true;
}

static void counter_write(struct hart *h, uint64_t *counter, unsigned inhibit_bit, uint64_t val)
{
	/* A write to a counter replaces the increment of the writing
	 * instruction, which the run loop adds after executing it. */
	bool counts = !((h->s.mcountinhibit >> inhibit_bit) & 1);
	*counter = val - (counts ? 1 : 0);
}

bool csr_write(struct hart *h, unsigned csr, uint64_t val)
{
	struct hart_state *s = &h->s;

	/* Bits 11:10 == 3 mark read-only CSRs (spec 2.1). */
	if (((csr >> 8) & 3) > s->priv || (csr >> 10) == 3)
		return false;

	switch (csr) {
	case CSR_FFLAGS: case CSR_FRM: case CSR_FCSR:
		if (fs_off(h))
			return false;
		if (csr == CSR_FFLAGS)
			s->fcsr = (s->fcsr & ~0x1full) | (val & 0x1f);
		else if (csr == CSR_FRM)
			s->fcsr = (s->fcsr & 0x1f) | ((val & 7) << 5);
		else
			s->fcsr = val & 0xff;
		fs_dirty(h);
		return true;
	case CSR_SSTATUS:
		mstatus_write(h, (s->mstatus & ~SSTATUS_MASK) | (val & SSTATUS_MASK));
		return true;
	case CSR_SIE:
		s->mie = (s->mie & ~s->mideleg) | (val & s->mideleg & MIE_WRITABLE);
		h->break_loop = true;
		return true;
	case CSR_STVEC:
		if ((val & 3) >= 2)
			val = (val & ~3ull) | (s->stvec & 3);
		s->stvec = val;
		return true;
	case CSR_SCOUNTEREN: s->scounteren = val & 0xffffffff; return true;
	case CSR_SENVCFG: s->senvcfg = val & MENVCFG_FIOM; return true;
	case CSR_SSCRATCH: s->sscratch = val; return true;
	case CSR_SEPC: s->sepc = val & ~1ull; return true;
	case CSR_SCAUSE: s->scause = val; return true;
	case CSR_STVAL: s->stval = val; return true;
	case CSR_SIP:
		/* Only SSIP is writable through sip, and only when delegated. */
		s->mip = (s->mip & ~(s->mideleg & MIP_SSIP)) | (val & s->mideleg & MIP_SSIP);
		h->break_loop = true;
		return true;
	case CSR_STIMECMP:
		if (!stimecmp_allowed(h))
			return false;
		s->stimecmp = val;
		h->break_loop = true;
		return true;
	case CSR_SATP: {
		if (s->priv == PRIV_S && (s->mstatus & MSTATUS_TVM))
			return false;
		uint64_t mode = val >> SATP_MODE_SHIFT;
		/* Writing an unsupported mode has no effect at all (spec 10.1.11). */
		if (mode != 0 && mode != 8 && mode != 9 && mode != 10)
			return true;
		s->satp = val;
		hart_tlb_flush_vm(h);
		return true;
	}
	case CSR_MSTATUS: mstatus_write(h, val); return true;
	case CSR_MISA: return true;
	case CSR_MEDELEG: s->medeleg = val & MEDELEG_WRITABLE; return true;
	case CSR_MIDELEG:
		s->mideleg = val & MIDELEG_WRITABLE;
		h->break_loop = true;
		return true;
	case CSR_MIE:
		s->mie = val & MIE_WRITABLE;
		h->break_loop = true;
		return true;
	case CSR_MTVEC:
		if ((val & 3) >= 2)
			val = (val & ~3ull) | (s->mtvec & 3);
		s->mtvec = val;
		return true;
	case CSR_MCOUNTEREN: s->mcounteren = val & 0xffffffff; return true;
	case CSR_MENVCFG:
		s->menvcfg = val & (MENVCFG_FIOM | MENVCFG_STCE);
		h->break_loop = true;
		return true;
	case CSR_MCOUNTINHIBIT: s->mcountinhibit = val & 0xfffffffd; return true;
	case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31: return true;
	case CSR_MSCRATCH: s->mscratch = val; return true;
	case CSR_MEPC: s->mepc = val & ~1ull; return true;
	case CSR_MCAUSE: s->mcause = val; return true;
	case CSR_MTVAL: s->mtval = val; return true;
	case CSR_MIP: {
		uint64_t writable = MIP_SSIP | MIP_SEIP |
				    ((s->menvcfg & MENVCFG_STCE) ? 0 : MIP_STIP);
		s->mip = (s->mip & ~writable) | (val & writable);
		h->break_loop = true;
		return true;
	}
	case CSR_PMPCFG0 ... CSR_PMPCFG15:
		if (csr & 1)
			return false;
		pmp_write_cfg(s, csr - CSR_PMPCFG0, val);
		hart_tlb_flush(h);
		return true;
	case CSR_PMPADDR0 ... CSR_PMPADDR63:
		pmp_write_addr(s, csr - CSR_PMPADDR0, val);
		hart_tlb_flush(h);
		return true;
	case CSR_MCYCLE: counter_write(h, &s->mcycle, 0, val); return true;
	case CSR_MINSTRET: counter_write(h, &s->minstret, 2, val); return true;
	case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31: return true;
	default:
		return false;
	}
}
