/* The built-in SBI (RISC-V Supervisor Binary Interface 2.0): the firmware
 * calls of a kernel running in S-mode, served by the VMM itself, as a
 * hypervisor serves hypercalls. Extensions: BASE, TIME, IPI, RFENCE, HSM,
 * SRST, DBCN and the legacy (0.1) console, timer, IPI and shutdown calls. */
#ifndef DOPPEL_VM_SBI_H
#define DOPPEL_VM_SBI_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct hart;

/* HSM hart states (SBI spec, chapter 9). */
enum hsm_state {
	HSM_STARTED = 0,
	HSM_STOPPED = 1,
	HSM_START_PENDING = 2,
	HSM_STOP_PENDING = 3,
	HSM_SUSPENDED = 4,
};

/* Routes every hart's ECALLs from S-mode to the built-in SBI. */
void sbi_attach(struct machine *m);

/* Puts the M-mode state of every hart where firmware would leave it before
 * entering the kernel, and starts the boot hart in S-mode at entry. */
void sbi_boot(struct machine *m, uint64_t entry, uint64_t fdt_addr);

/* Serves an ECALL from S-mode on hart h; always handled. */
bool sbi_ecall(struct hart *h, void *machine);

#endif
