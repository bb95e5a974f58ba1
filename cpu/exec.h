/* Execution of decoded instructions. */
#ifndef DOPPEL_CPU_EXEC_H
#define DOPPEL_CPU_EXEC_H

#include "cpu/hart.h"

/* x[rd] = v, where a write to x0 is dropped (x0 is hardwired to zero,
 * unprivileged spec 2.1). Every instruction body outside exec_one's switch
 * writes its integer result through here: translated code calls exec_fp
 * directly, and no x[0] = 0 follows it there. */
static inline void exec_write_x(struct hart_state *s, unsigned rd, uint64_t v)
{
	if (rd != 0)
		s->x[rd] = v;
}

/* F and D instructions (OP_FLW .. OP_FMV_D_X). Returns false if the
 * instruction trapped; otherwise the caller advances pc. */
bool exec_fp(struct hart *h, const struct insn *in);

/* Executes one decoded instruction at s->pc through the interpreter and, if
 * it retired, advances s->pc; returns false if it trapped. The translator
 * calls it for instructions it has no native code for. */
bool hart_exec_insn(struct hart *h, const struct insn *in);

/* Translated code calls this when an instruction it ran through the
 * interpreter set break_loop: true (and break_loop cleared) if the run can
 * go on because no interrupt is pending and enabled and the hart was not
 * asked to stop or to wait; false leaves it to the dispatcher. */
bool hart_break_check(struct hart *h);

/* Prints one executed instruction for --trace. */
void trace_insn(const struct hart *h, uint64_t pc, unsigned priv, const struct insn *in);

#endif
