#include "cpu/hart.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/trap.h"

int hart_init(struct hart *h, uint64_t hartid, struct bus *bus, const struct timebase *tb)
{
	memset(h, 0, sizeof(*h));
	/* Anonymous memory: only the part decoded blocks fill is ever paid for. */
	h->arena = mmap(NULL, BLOCK_ARENA * sizeof(struct insn), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (h->arena == MAP_FAILED) {
		h->arena = NULL;
		return -ENOMEM;
	}
	h->hartid = hartid;
	h->bus = bus;
	h->time = tb;
	hart_reset(h, 0);
	return 0;
}

void hart_destroy(struct hart *h)
{
	jit_destroy(&h->jit);
	if (h->arena)
		munmap(h->arena, BLOCK_ARENA * sizeof(struct insn));
	h->arena = NULL;
}

void hart_reset(struct hart *h, uint64_t pc)
{
	memset(&h->s, 0, sizeof(h->s));
	h->s.pc = pc;
	h->s.reservation = RESERVATION_NONE;
	atomic_store(&h->irq_lines, 0);
	memset(h->blocks, 0, sizeof(h->blocks));
	h->arena_used = 0;
	jit_reset(&h->jit);
	hart_tlb_flush(h);
	hart_set_priv(h, PRIV_M);
}
