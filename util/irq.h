/* An interrupt line: one bit in a word the receiving hart reads. Devices hold
 * lines and drive them; they never see the hart behind a line. */
#ifndef DOPPEL_UTIL_IRQ_H
#define DOPPEL_UTIL_IRQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct irq_line {
	_Atomic uint64_t *word;
	uint64_t bit;
};

static inline void irq_line_set(const struct irq_line *l, bool level)
{
	if (!l->word)
		return;
	if (level)
		atomic_fetch_or(l->word, l->bit);
	else
		atomic_fetch_and(l->word, ~l->bit);
}

#endif
