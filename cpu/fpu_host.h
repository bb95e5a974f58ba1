/* Host floating point for the common case, as QEMU's "hardfloat" does:
 * when every operand is zero or normal, the rounding mode is to nearest
 * and the inexact flag is already set, the host's IEEE arithmetic gives
 * the very result the software in fpu.c would, and the only flag it could
 * raise is already raised, provided the result is normal too (or an exact
 * zero). Anything else returns false, and fpu.c does the work. */
#ifndef DOPPEL_CPU_FPU_HOST_H
#define DOPPEL_CPU_FPU_HOST_H

#include <stdbool.h>
#include <stdint.h>

enum fpu_host_op { FPU_HOST_ADD, FPU_HOST_SUB, FPU_HOST_MUL, FPU_HOST_DIV, FPU_HOST_SQRT,
		   FPU_HOST_FMA };

/* r = a op b (sqrt: of a; fma: a * b + c), raw bit patterns. */
bool f64_host(enum fpu_host_op op, uint64_t a, uint64_t b, uint64_t c, uint64_t *r);
bool f32_host(enum fpu_host_op op, uint32_t a, uint32_t b, uint32_t c, uint32_t *r);

#endif
