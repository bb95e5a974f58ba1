/* Text form of decoded instructions, for --trace. */
#ifndef DOPPEL_CPU_DISASM_H
#define DOPPEL_CPU_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/decode.h"

extern const char *const reg_abi_names[32];

/* Writes "mnemonic operands" for in at pc into buf. */
void disasm(char *buf, size_t len, uint64_t pc, const struct insn *in);

/* Whether the instruction writes f[rd] (else x[rd], if it writes anything). */
int disasm_writes_fp(const struct insn *in);
int disasm_writes_x(const struct insn *in);

#endif
