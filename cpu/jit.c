/* The translator's driver (see cpu/jit.h): the code buffer, a block's
 * translation from its first instruction to its last, linking, and running
 * translated code. The emitters are in cpu/jit_flow.c, cpu/jit_mem.c and
 * cpu/jit_insn.c (cpu/jit_x86.h). */
#include "cpu/jit.h"

#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__)

#include "cpu/jit_x86.h"

#define JIT_BUFFER_SIZE (64u << 20)
/* Room one block's code can never exceed (BLOCK_MAX instructions of at most
 * ~120 bytes each, plus their slow paths). */
#define JIT_BLOCK_ROOM (BLOCK_MAX * 256)

/* Instructions that end a block and that the translator can end it with. */
static bool ends_translation(const struct insn *in)
{
	switch (in->op) {
	case OP_JAL: case OP_JALR:
	case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE: case OP_BLTU: case OP_BGEU:
		return true;
	default:
		return false;
	}
}

/* Block-ending instructions the interpreter must run: they trap, wait, or
 * read or stop the counters. */
static bool left_to_interpreter(const struct insn *in)
{
	switch (in->op) {
	case OP_ECALL: case OP_EBREAK: case OP_WFI: case OP_ILLEGAL:
	case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
	case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI:
		return true;
	default:
		return false;
	}
}

static enum x86_cc branch_cc(unsigned op)
{
	switch (op) {
	case OP_BEQ: return CC_E;
	case OP_BNE: return CC_NE;
	case OP_BLT: return CC_L;
	case OP_BGE: return CC_GE;
	case OP_BLTU: return CC_B;
	default: return CC_AE;
	}
}

/* The code buffer is mapped twice from one memory file: writable where the
 * translator writes, executable where the host runs it, never both at one
 * address (W^X), so a stray host write cannot become host code. */
static bool jit_map(struct jit *j)
{
	void *rw = MAP_FAILED, *rx = MAP_FAILED;
	int fd = memfd_create("doppel-jit", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, JIT_BUFFER_SIZE) == 0) {
		rw = mmap(NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		rx = mmap(NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	}
	if (fd >= 0)
		close(fd);
	if (rw == MAP_FAILED || rx == MAP_FAILED) {
		if (rw != MAP_FAILED)
			munmap(rw, JIT_BUFFER_SIZE);
		if (rx != MAP_FAILED)
			munmap(rx, JIT_BUFFER_SIZE);
		j->unavailable = true;
		return false;
	}
	j->buf = rw;
	j->exec = rx;
	j->size = JIT_BUFFER_SIZE;
	emit_trampolines(j);
	return true;
}

/* Where code written at p in the writable view runs. */
static void *exec_address(const struct jit *j, const uint8_t *p)
{
	return j->exec + (p - j->buf);
}

void jit_reset(struct jit *j)
{
	j->link_site = NULL;
	if (j->buf)
		emit_trampolines(j);
}

void jit_link(struct jit *j, const uint8_t *host, void *code)
{
	if (j->link_site && j->link_target == host) {
		/* Both ends in the writable view: the displacement is the same. */
		const uint8_t *target = j->buf + ((const uint8_t *)code - j->exec);
		int32_t rel = (int32_t)(target - (j->link_site + 4));
		memcpy(j->link_site, &rel, 4);
	}
	j->link_site = NULL;
}

bool jit_full(const struct jit *j)
{
	return j->buf && j->size - j->used < JIT_BLOCK_ROOM;
}

void *jit_translate(struct jit *j, const uint8_t *host, const struct insn *in, uint32_t n)
{
	if (j->unavailable || (!j->buf && !jit_map(j)) || jit_full(j))
		return NULL;

	struct translation t = {
		.e = { j->buf + j->used, j->buf + j->size, false }, .j = j, .host = host,
	};
	uint8_t *code = t.e.p;
	uint32_t i, off = 0;

	t.rax_now = t.rcx_now = -1;
	for (i = 0; i < n; off += in[i].len, i++) {
		t.rax_was = t.rax_now;
		t.rcx_was = t.rcx_now;
		t.rax_now = t.rcx_now = -1;
		if (ends_through_helper(&in[i])) {
			emit_helper_end(&t, &in[i], i, off);
			i++;
			goto done;
		}
		if (left_to_interpreter(&in[i]))
			break;
		if (ends_translation(&in[i])) {
			if (in[i].op == OP_JAL || in[i].op == OP_JALR)
				emit_jump(&t, &in[i], i + 1, off);
			else
				emit_branch(&t, &in[i], branch_cc(in[i].op), i + 1, off);
			i++;
			goto done;
		}
		emit_insn(&t, &in[i], i, off);
	}
	if (i == 0)
		return NULL;
	/* The block was cut short (by its length or its page), or the rest is
	 * the interpreter's: on to the block at instruction i. */
	add_pc(&t.e, off);
	emit_exit_to(&t, i, off);
done:
	for (unsigned k = 0; k < t.nslow; k++)
		emit_slow_path(&t, &t.slow[k]);
	for (unsigned k = 0; k < t.nunlinked; k++)
		emit_unlinked_stub(&t, &t.unlinked[k]);
	if (t.e.full)
		return NULL;
	j->used = (size_t)(t.e.p - j->buf);
	return exec_address(j, code);
}

uint64_t jit_run(struct jit *j, struct hart *h, void *code, uint64_t budget)
{
	uint64_t (*enter)(struct hart *, void *) =
		(uint64_t (*)(struct hart *, void *))(uintptr_t)exec_address(j, j->enter);
	j->budget = budget;
	return enter(h, code);
}

void jit_destroy(struct jit *j)
{
	if (j->buf) {
		munmap(j->buf, j->size);
		munmap(j->exec, j->size);
	}
	j->buf = j->exec = NULL;
}

#else

void *jit_translate(struct jit *j, const uint8_t *host, const struct insn *in, uint32_t n)
{
	j->unavailable = true;
	return NULL;
}

bool jit_full(const struct jit *j)
{
	return false;
}

void jit_reset(struct jit *j)
{
}

uint64_t jit_run(struct jit *j, struct hart *h, void *code, uint64_t budget)
{
	return 0;
}

void jit_link(struct jit *j, const uint8_t *host, void *code)
{
}

void jit_destroy(struct jit *j)
{
}

#endif
