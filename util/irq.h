/* An interrupt line from a device to an interrupt controller (or from a
 * controller to a hart's pending bits). A device holds lines and drives them;
 * it never sees what is behind a line.
 *
 * A device drives its line when it has a new reason to interrupt or its
 * interrupt condition changes, not on every register access: the PLIC takes
 * each assertion as a new request, as QEMU's does (dev/plic.c), so driving
 * a line that is already high asks for another interrupt. */
#ifndef DOPPEL_UTIL_IRQ_H
#define DOPPEL_UTIL_IRQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct irq_line {
	void (*set)(void *target, unsigned index, bool level);
	void *target;
	unsigned index;
};

/* Drives the line; an unconnected line (set == NULL) is ignored. */
static inline void irq_line_set(const struct irq_line *l, bool level)
{
	if (l->set)
		l->set(l->target, l->index, level);
}

/* A line target that is one bit of an atomic 64-bit word: a hart's
 * externally driven mip bits. */
static inline void irq_word_set(void *word, unsigned bit, bool level)
{
	_Atomic uint64_t *w = word;
	if (level)
		atomic_fetch_or(w, 1ull << bit);
	else
		atomic_fetch_and(w, ~(1ull << bit));
}

#endif
