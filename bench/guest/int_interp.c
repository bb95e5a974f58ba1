/* int.interp: a stack-machine bytecode interpreter (one switch per
 * instruction, as in many scripting languages) running a small program:
 * for i in 1..n: acc = (acc * 31 + i * i) mod 1000003, with a branch on i's
 * parity. Indirect branches and data-dependent control flow. */
#include "suite.h"

#define ITERATIONS 2000000

enum op { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, AND, JZ, JNZ, JMP, HALT };

struct insn {
	uint8_t op;
	int32_t arg;
};

enum { VAR_I, VAR_ACC, VAR_COUNT };

static const struct insn program[] = {
	/* 0 */ { LOAD, VAR_ACC }, { PUSH, 31 }, { MUL, 0 },
	/* 3 */ { LOAD, VAR_I }, { LOAD, VAR_I }, { MUL, 0 }, { ADD, 0 },
	/* 7 */ { PUSH, 1000003 }, { MOD, 0 }, { STORE, VAR_ACC },
	/* 10: odd i also adds 7 */
	{ LOAD, VAR_I }, { PUSH, 1 }, { AND, 0 }, { JZ, 19 },
	/* 14 */ { LOAD, VAR_ACC }, { PUSH, 7 }, { ADD, 0 }, { STORE, VAR_ACC }, { JMP, 19 },
	/* 19: i = i - 1; loop while i != 0 */
	{ LOAD, VAR_I }, { PUSH, 1 }, { SUB, 0 }, { STORE, VAR_I }, { LOAD, VAR_I }, { JNZ, 0 },
	/* 25 */ { HALT, 0 },
};

static int64_t interpret(const struct insn *code, int64_t *vars)
{
	int64_t stack[16];
	int sp = 0;
	int pc = 0;

	for (;;) {
		const struct insn *in = &code[pc++];

		switch (in->op) {
		case PUSH: stack[sp++] = in->arg; break;
		case LOAD: stack[sp++] = vars[in->arg]; break;
		case STORE: vars[in->arg] = stack[--sp]; break;
		case ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
		case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
		case AND: sp--; stack[sp - 1] &= stack[sp]; break;
		case JZ: if (stack[--sp] == 0) pc = in->arg; break;
		case JNZ: if (stack[--sp] != 0) pc = in->arg; break;
		case JMP: pc = in->arg; break;
		case HALT: return vars[VAR_ACC];
		}
	}
}

static uint64_t run(void)
{
	int64_t vars[VAR_COUNT] = { [VAR_I] = ITERATIONS, [VAR_ACC] = 1 };

	return (uint64_t)interpret(program, vars);
}

const struct kernel kernel_int_interp = { "int.interp", run };
