/* The translator: decoded blocks (cpu/hart.h, struct block) become host
 * machine code, the fast path; the interpreter stays the reference and runs
 * whatever the translator leaves out. Only x86-64 hosts have a code
 * generator; elsewhere jit_translate declines and the interpreter runs all.
 *
 * Translated code keeps guest registers in struct hart_state and s->pc at
 * the block's first instruction while it runs, so that a trap taken from a
 * helper it calls sees the right pc after one addition. It is reached only
 * through jit_run, and returns (retired << 1) | trapped: retired is the
 * number of instructions that completed, and when trapped is set the next
 * one took a trap (s->pc is then the trap vector). Instructions that may
 * change privilege, translation or interrupt state, or read the counters,
 * are left to the interpreter, so translated code never has to check for
 * interrupts: the dispatcher does between runs. */
#ifndef DOPPEL_CPU_JIT_H
#define DOPPEL_CPU_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hart;
struct insn;

struct jit {
	uint8_t *buf;           /* the code, writable view; mapped on first use */
	uint8_t *exec;          /* the same memory, executable view */
	size_t size, used;
	/* Trampolines at the start of buf: see emit_trampolines. */
	uint8_t *enter, *exit, *exit_chained;
	bool unavailable;       /* no code generator, or no executable memory */
	/* Translated code runs chained blocks until `budget` instructions
	 * have retired. A direct jump to a block that was not translated when
	 * its source was leaves through a stub that records the jump's site
	 * and the host address of its target here, so that jit_link can
	 * point the jump at the target once it is translated. */
	uint64_t budget;
	uint8_t *link_site;
	const uint8_t *link_target;
};

/* Frees the code buffer. */
void jit_destroy(struct jit *j);

/* Forgets every translation (their code pointers become invalid). */
void jit_reset(struct jit *j);

/* Translates the longest prefix it can of the n decoded instructions at in,
 * whose code is at host address host. Returns the code, or NULL: nothing
 * translatable, or the buffer is full (jit_full then says so: the caller
 * resets and retries). in must stay where it is while
 * the code lives: the code refers to instructions it hands to helpers. */
void *jit_translate(struct jit *j, const uint8_t *host, const struct insn *in, uint32_t n);
bool jit_full(const struct jit *j);

/* Runs translated code on h, and the blocks it chains to, until about
 * budget instructions have retired. */
uint64_t jit_run(struct jit *j, struct hart *h, void *code, uint64_t budget);

/* If the last run left through an unlinked direct jump to the block at
 * host, whose translation is code, points that jump at it. Direct jumps
 * are linked only within a page: the page's generation guards both ends
 * (blocks of a stale page are entered only through the dispatcher, which
 * rebuilds them), and the jump's target keeps its virtual-to-host mapping
 * as long as the source's does. */
void jit_link(struct jit *j, const uint8_t *host, void *code);

#endif
