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
	const struct hart_state s = { .pc = pc, .priv = PRIV_M, .reservation = RESERVATION_NONE };
	atomic_store(&h->irq_lines, 0);
	hart_set_state(h, &s);
}

void hart_set_state(struct hart *h, const struct hart_state *s)
{
	h->s = *s;
	memset(h->blocks, 0, sizeof(h->blocks));
	h->arena_used = 0;
	jit_reset(&h->jit);
	hart_tlb_flush(h);
	hart_set_priv(h, (unsigned)s->priv);
}

/* A state the hart could have reached: x0 zero, a real privilege level, MPP
 * not the reserved 2, a supported translation mode (Bare, Sv39, Sv48,
 * Sv57), fcsr's 8 bits, a reservation of a word or a doubleword (privileged
 * spec 3.1.6, 10.1.11; unprivileged spec 2.1, 8.2, 11.2). */
static bool hart_state_valid(const void *state)
{
	const struct hart_state *s = state;
	uint64_t mode = s->satp >> 60;
	bool reservation_ok = s->reservation == RESERVATION_NONE || s->reservation_size == 4 ||
			      s->reservation_size == 8;
	return s->x[0] == 0 && (s->priv == PRIV_U || s->priv == PRIV_S || s->priv == PRIV_M) &&
	       ((s->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) != 2 && s->fcsr <= 0xff &&
	       s->wfi <= 1 && (mode == 0 || (mode >= 8 && mode <= 10)) && reservation_ok;
}

static const struct state_field hart_fields[] = {
	STATE_INTS(struct hart_state, x, uint64_t),
	STATE_INTS(struct hart_state, f, uint64_t),
	STATE_INT(struct hart_state, pc),
	STATE_INT(struct hart_state, priv),
	STATE_INT(struct hart_state, mstatus),
	STATE_INT(struct hart_state, mip),
	STATE_INT(struct hart_state, mie),
	STATE_INT(struct hart_state, medeleg),
	STATE_INT(struct hart_state, mideleg),
	STATE_INT(struct hart_state, mtvec),
	STATE_INT(struct hart_state, mscratch),
	STATE_INT(struct hart_state, mepc),
	STATE_INT(struct hart_state, mcause),
	STATE_INT(struct hart_state, mtval),
	STATE_INT(struct hart_state, mcounteren),
	STATE_INT(struct hart_state, mcountinhibit),
	STATE_INT(struct hart_state, menvcfg),
	STATE_INT(struct hart_state, stvec),
	STATE_INT(struct hart_state, sscratch),
	STATE_INT(struct hart_state, sepc),
	STATE_INT(struct hart_state, scause),
	STATE_INT(struct hart_state, stval),
	STATE_INT(struct hart_state, scounteren),
	STATE_INT(struct hart_state, senvcfg),
	STATE_INT(struct hart_state, satp),
	STATE_INT(struct hart_state, stimecmp),
	STATE_INT(struct hart_state, fcsr),
	STATE_INT(struct hart_state, mcycle),
	STATE_INT(struct hart_state, minstret),
	STATE_INTS(struct hart_state, pmpaddr, uint64_t),
	STATE_INTS(struct hart_state, pmpcfg, uint8_t),
	STATE_INT(struct hart_state, reservation),
	STATE_INT(struct hart_state, reservation_size),
	STATE_INT(struct hart_state, reservation_value),
	STATE_INT(struct hart_state, wfi),
};

const struct state_desc hart_state_desc =
	STATE_DESC(STATE_ID('H', 'A', 'R', 'T'), 2, hart_fields, hart_state_valid);
