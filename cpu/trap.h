/* Trap entry and return (privileged spec 3.1.6.1, 3.1.7-3.1.9, 3.3.2, 4.1.1). */
#ifndef DOPPEL_CPU_TRAP_H
#define DOPPEL_CPU_TRAP_H

#include "cpu/hart.h"

#define CAUSE_INTERRUPT (1ull << 63)

/* Takes exception cause at the current pc, with tval. */
void hart_raise(struct hart *h, uint64_t cause, uint64_t tval);

/* Illegal instruction: tval is the instruction's encoding. */
void hart_illegal(struct hart *h, const struct insn *in);

void hart_mret(struct hart *h);
void hart_sret(struct hart *h);

/* Prints a trap for --trace. */
void trace_trap(const struct hart *h, uint64_t cause, uint64_t tval);

/* Sets the privilege level and reselects the TLBs. */
void hart_set_priv(struct hart *h, unsigned priv);

#endif
