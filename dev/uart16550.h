/* An NS16550A UART as QEMU's virt board has it: eight 8-bit registers at
 * byte offsets 0..7 (reg-shift 0), a 16-byte receive FIFO and one interrupt
 * line. Transmission is instant: a byte written to THR goes straight to the
 * tx callback (or, in loopback mode, back into the receive FIFO). The
 * interrupt line is driven on interrupt events, as QEMU's 16550 does, not
 * at every register access (util/irq.h). */
#ifndef DOPPEL_DEV_UART16550_H
#define DOPPEL_DEV_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/bus.h"
#include "state/fields.h"
#include "util/irq.h"

#define UART16550_NREGS 8
#define UART16550_FIFO_SIZE 16

/* Saved state: plain data. */
struct uart16550_state {
	uint8_t rx_fifo[UART16550_FIFO_SIZE];
	uint8_t rx_head;          /* index of the oldest received byte */
	uint8_t rx_count;
	uint8_t ier, lcr, mcr, fcr, scr;
	uint8_t dll, dlm;         /* divisor latch */
	uint8_t lsr_errors;       /* LSR error bits (overrun), cleared by reading LSR */
	uint8_t msr_delta;        /* MSR delta bits 3:0, cleared by reading MSR */
	bool thr_ipending;        /* THR-empty interrupt not yet acknowledged */
};

struct uart16550 {
	struct uart16550_state s;
	struct irq_line irq;
	void (*tx)(void *opaque, uint8_t byte);
	void *opaque;
};

extern const struct mmio_ops uart16550_ops;

/* Power-on state, output to tx (may be NULL: output is dropped); the irq
 * line starts unconnected for the board to wire. */
void uart16550_init(struct uart16550 *u, void (*tx)(void *opaque, uint8_t byte), void *opaque);
/* Registers back to their power-on values; wiring is kept. */
void uart16550_reset(struct uart16550 *u);
/* Drives the irq line from the current state (after restoring a snapshot). */
void uart16550_update_irq(struct uart16550 *u);

/* Host input. uart_receive returns false, taking nothing, when the receiver
 * has no room (or is in loopback mode); the caller retries later. */
bool uart_can_receive(const struct uart16550 *u);
bool uart_receive(struct uart16550 *u, uint8_t byte);

extern const struct state_desc uart16550_state_desc;

#endif
