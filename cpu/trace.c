/* --trace output: one line per retired instruction and per trap, on stderr. */
#include <stdio.h>

#include "cpu/disasm.h"
#include "cpu/exec.h"
#include "cpu/trap.h"

static const char priv_letter[4] = { 'U', 'S', '?', 'M' };

void trace_insn(const struct hart *h, uint64_t pc, unsigned priv, const struct insn *in)
{
	char text[96];
	disasm(text, sizeof(text), pc, in);
	fprintf(stderr, "%c %016llx %0*x  %-40s", priv_letter[priv & 3],
		(unsigned long long)pc, in->len * 2, in->raw, text);
	if (disasm_writes_x(in))
		fprintf(stderr, " %s=%016llx", reg_abi_names[in->rd],
			(unsigned long long)h->s.x[in->rd]);
	else if (disasm_writes_fp(in))
		fprintf(stderr, " f%u=%016llx", in->rd, (unsigned long long)h->s.f[in->rd]);
	fputc('\n', stderr);
}

void trace_trap(const struct hart *h, uint64_t cause, uint64_t tval)
{
	fprintf(stderr, "%c %016llx trap %s %llu tval=%016llx\n", priv_letter[h->s.priv & 3],
		(unsigned long long)h->s.pc,
		(cause & CAUSE_INTERRUPT) ? "interrupt" : "exception",
		(unsigned long long)(cause & ~CAUSE_INTERRUPT), (unsigned long long)tval);
}
