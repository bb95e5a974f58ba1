/* Control and status registers (privileged spec 2 and 3, Zicsr, Zicntr,
 * Zihpm, Sstc). */
#ifndef DOPPEL_CPU_CSR_H
#define DOPPEL_CPU_CSR_H

#include "cpu/hart.h"

enum csr_num {
	CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
	CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
	CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
	CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
	CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
	CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_STIMECMP = 0x14d, CSR_SATP = 0x180,
	CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
	CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
	CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
	CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af, CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
	CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
	CSR_MHPMCOUNTER3 = 0xb03, CSR_MHPMCOUNTER31 = 0xb1f,
};

/* misa: RV64 (MXL=2) with I, M, A, F, D, C, S, U. */
#define MISA_VALUE ((2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | \
		    (1u << 8) | (1u << 12) | (1u << 18) | (1u << 20))

/* Reads or writes a CSR with the access rules of the current privilege level.
 * Returns false if the access is illegal (the caller raises the exception). */
bool csr_read(struct hart *h, unsigned csr, uint64_t *val);
bool csr_write(struct hart *h, unsigned csr, uint64_t val);

/* mstatus.FS is Off: floating-point instructions are illegal. */
static inline bool fs_off(const struct hart *h)
{
	return (h->s.mstatus & MSTATUS_FS) == 0;
}

static inline void fs_dirty(struct hart *h)
{
	h->s.mstatus |= MSTATUS_FS | MSTATUS_SD;
}

#endif
