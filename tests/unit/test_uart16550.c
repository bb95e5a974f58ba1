/* Tests of the NS16550A UART (dev/uart16550.h) through its MMIO callbacks:
 * register reset values, the divisor latch, transmission, the receive FIFO
 * and its trigger levels, the interrupt identification priorities and the
 * THR-empty interrupt rules Linux's 8250 driver depends on, loopback and
 * the modem status, and the rejection of accesses outside the 8 registers
 * (PC16550D datasheet; QEMU virt's serial-mm as the board reference).
 * With the PLIC behind the line: xv6's driver, which never reads IIR, is
 * not interrupted forever, and Linux's 8250 driver loses no interrupt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev/plic.h"
#include "dev/uart16550.h"

enum { RBR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct fake_line {
	bool level;
	unsigned index;
	unsigned asserts;     /* calls driving it high: requests to a PLIC */
};

struct fixture {
	struct uart16550 u;
	struct fake_line line;
	uint8_t out[64];
	unsigned nout;
};

static void fake_line_set(void *target, unsigned index, bool level)
{
	struct fake_line *l = target;
	l->level = level;
	l->index = index;
	l->asserts += level;
}

static void capture_tx(void *opaque, uint8_t byte)
{
	struct fixture *f = opaque;
	if (f->nout < sizeof(f->out))
		f->out[f->nout++] = byte;
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof(f));
	uart16550_init(&f.u, capture_tx, &f);
	f.u.irq = (struct irq_line){ .set = fake_line_set, .target = &f.line, .index = 10 };
	uart16550_reset(&f.u);
	*state = &f;
	return 0;
}

static uint8_t rd(struct fixture *f, unsigned off)
{
	uint64_t v = 0xdeadbeef;
	assert_true(uart16550_ops.read(&f->u, off, 1, &v));
	assert_true(v <= 0xff);
	return (uint8_t)v;
}

static void wr(struct fixture *f, unsigned off, uint8_t v)
{
	assert_true(uart16550_ops.write(&f->u, off, 1, v));
}

static void reset_values(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(rd(f, IER), 0);
	assert_int_equal(rd(f, IIR), 0x01);
	assert_int_equal(rd(f, LCR), 0);
	assert_int_equal(rd(f, MCR), 0);
	assert_int_equal(rd(f, LSR), 0x60);   /* THRE | TEMT */
	assert_int_equal(rd(f, MSR), 0xb0);   /* DCD | DSR | CTS */
	assert_int_equal(rd(f, SCR), 0);
	assert_false(f->line.level);
}

static void transmit_goes_to_callback(void **state)
{
	struct fixture *f = *state;
	wr(f, RBR, 'h');
	wr(f, RBR, 'i');
	assert_int_equal(f->nout, 2);
	assert_memory_equal(f->out, "hi", 2);
	assert_int_equal(rd(f, LSR) & 0x60, 0x60);
}

static void divisor_latch(void **state)
{
	struct fixture *f = *state;
	wr(f, IER, 0x05);
	wr(f, LCR, 0x83);
	wr(f, 0, 0x02);       /* DLL */
	wr(f, 1, 0x01);       /* DLM */
	assert_int_equal(rd(f, 0), 0x02);
	assert_int_equal(rd(f, 1), 0x01);
	assert_int_equal(f->nout, 0);   /* DLL is not THR */
	wr(f, LCR, 0x03);
	assert_int_equal(rd(f, IER), 0x05);
	assert_int_equal(rd(f, LCR), 0x03);
	wr(f, LCR, 0x83);
	assert_int_equal(rd(f, 0), 0x02);
}

static void ier_keeps_four_bits_and_scratch_holds_a_byte(void **state)
{
	struct fixture *f = *state;
	wr(f, IER, 0xf0);
	assert_int_equal(rd(f, IER), 0);
	wr(f, SCR, 0xa5);
	assert_int_equal(rd(f, SCR), 0xa5);
	wr(f, MCR, 0xff);
	assert_int_equal(rd(f, MCR), 0x1f);
}

static void thre_interrupt(void **state)
{
	struct fixture *f = *state;
	wr(f, IER, 0x02);
	assert_true(f->line.level);
	assert_int_equal(f->line.index, 10);
	assert_int_equal(rd(f, IIR), 0x02);
	/* Reading IIR acknowledged it. */
	assert_false(f->line.level);
	assert_int_equal(rd(f, IIR), 0x01);
	/* Writing IER again with ETBEI still set does not re-raise it. */
	wr(f, IER, 0x02);
	assert_false(f->line.level);
	/* A transmitted byte leaves THR empty again: pending once more. */
	wr(f, RBR, 'x');
	assert_true(f->line.level);
	assert_int_equal(rd(f, IIR), 0x02);
	wr(f, RBR, 'y');
	assert_true(f->line.level);
	wr(f, IER, 0);
	assert_false(f->line.level);
	assert_int_equal(rd(f, IIR), 0x01);
	/* With ETBEI off, transmission raises nothing. */
	wr(f, RBR, 'z');
	assert_false(f->line.level);
}

/* The probe in Linux's serial8250_do_startup for UARTs that do not
 * re-assert THRE: enable, read IIR, disable, enable, read IIR. A correct
 * UART reports THRE both times. */
static void linux_thre_probe(void **state)
{
	struct fixture *f = *state;
	wr(f, IER, 0x02);
	uint8_t iir1 = rd(f, IIR);
	wr(f, IER, 0);
	wr(f, IER, 0x02);
	uint8_t iir2 = rd(f, IIR);
	wr(f, IER, 0);
	assert_int_equal(iir1 & 0x0f, 0x02);
	assert_int_equal(iir2 & 0x0f, 0x02);
}

static void receive_without_fifo(void **state)
{
	struct fixture *f = *state;
	assert_true(uart_can_receive(&f->u));
	assert_true(uart_receive(&f->u, 'a'));
	/* 16450 mode holds a single byte. */
	assert_false(uart_can_receive(&f->u));
	assert_false(uart_receive(&f->u, 'b'));
	assert_false(f->line.level);          /* ERBFI off */
	assert_int_equal(rd(f, LSR), 0x61);   /* DR */
	wr(f, IER, 0x01);
	assert_true(f->line.level);
	assert_int_equal(rd(f, IIR), 0x04);
	assert_int_equal(rd(f, RBR), 'a');
	assert_false(f->line.level);
	assert_int_equal(rd(f, LSR), 0x60);
	assert_int_equal(rd(f, IIR), 0x01);
	assert_true(uart_can_receive(&f->u));
}

static void fifo_order_capacity_and_clear(void **state)
{
	struct fixture *f = *state;
	wr(f, FCR, 0x01);
	assert_int_equal(rd(f, IIR), 0xc1);
	for (unsigned i = 0; i < 16; i++)
		assert_true(uart_receive(&f->u, (uint8_t)('A' + i)));
	assert_false(uart_can_receive(&f->u));
	assert_false(uart_receive(&f->u, '!'));
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(rd(f, RBR), 'A' + i);
	/* Wrap around the ring. */
	for (unsigned i = 0; i < 5; i++)
		assert_true(uart_receive(&f->u, (uint8_t)('a' + i)));
	for (unsigned i = 5; i < 16; i++)
		assert_int_equal(rd(f, RBR), 'A' + i);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(rd(f, RBR), 'a' + i);
	assert_int_equal(rd(f, LSR) & 1, 0);
	assert_int_equal(rd(f, RBR), 0);   /* empty FIFO */

	assert_true(uart_receive(&f->u, 'q'));
	wr(f, FCR, 0x03);                   /* clear RX */
	assert_int_equal(rd(f, LSR) & 1, 0);
	assert_true(uart_receive(&f->u, 'q'));
	wr(f, FCR, 0x00);                   /* FIFO off clears too */
	assert_int_equal(rd(f, LSR) & 1, 0);
	assert_int_equal(rd(f, IIR), 0x01);
}

static void fifo_trigger_level_and_timeout(void **state)
{
	struct fixture *f = *state;
	wr(f, FCR, 0xc1);   /* trigger at 14 bytes */
	wr(f, IER, 0x01);
	assert_false(f->line.level);
	assert_true(uart_receive(&f->u, 1));
	/* Below the trigger level: reported as a character timeout. */
	assert_true(f->line.level);
	assert_int_equal(rd(f, IIR), 0xcc);
	for (unsigned i = 0; i < 13; i++)
		assert_true(uart_receive(&f->u, 1));
	assert_int_equal(rd(f, IIR), 0xc4);
	rd(f, RBR);
	assert_int_equal(rd(f, IIR), 0xcc);
	wr(f, FCR, 0x43);   /* trigger at 4, clear RX */
	assert_false(f->line.level);
	for (unsigned i = 0; i < 4; i++)
		assert_true(uart_receive(&f->u, 1));
	assert_int_equal(rd(f, IIR), 0xc4);
	wr(f, FCR, 0x83);   /* trigger at 8 */
	for (unsigned i = 0; i < 8; i++)
		assert_true(uart_receive(&f->u, 1));
	assert_int_equal(rd(f, IIR), 0xc4);
}

/* Received data outranks THR empty; clearing it uncovers THR empty. */
static void interrupt_priority(void **state)
{
	struct fixture *f = *state;
	assert_true(uart_receive(&f->u, 'r'));
	wr(f, IER, 0x03);
	assert_int_equal(rd(f, IIR), 0x04);
	/* That IIR read did not acknowledge the THR interrupt. */
	assert_int_equal(rd(f, RBR), 'r');
	assert_int_equal(rd(f, IIR), 0x02);
	assert_int_equal(rd(f, IIR), 0x01);
}

static void loopback(void **state)
{
	struct fixture *f = *state;
	rd(f, MSR);
	wr(f, MCR, 0x10 | 0x0a);   /* loop, RTS, OUT2: the 8250 probe's pattern */
	assert_int_equal(rd(f, MSR) & 0xf0, 0x90);
	assert_false(uart_can_receive(&f->u));
	assert_false(uart_receive(&f->u, 'h'));
	wr(f, RBR, 'L');
	assert_int_equal(f->nout, 0);
	assert_int_equal(rd(f, LSR) & 0x61, 0x61);
	assert_int_equal(rd(f, RBR), 'L');
	wr(f, MCR, 0x10 | 0x05);   /* loop, DTR, OUT1 */
	assert_int_equal(rd(f, MSR) & 0xf0, 0x60);
	wr(f, MCR, 0);
	assert_true(uart_can_receive(&f->u));
	wr(f, RBR, 'o');
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0], 'o');
}

static void loopback_overrun_raises_line_status(void **state)
{
	struct fixture *f = *state;
	wr(f, MCR, 0x10);
	wr(f, IER, 0x04);
	wr(f, RBR, 1);
	assert_false(f->line.level);
	wr(f, RBR, 2);                 /* one-byte receiver is full */
	assert_true(f->line.level);
	assert_int_equal(rd(f, IIR), 0x06);
	assert_int_equal(rd(f, LSR), 0x63);   /* DR | OE | THRE | TEMT */
	assert_false(f->line.level);
	assert_int_equal(rd(f, LSR), 0x61);   /* OE cleared by the read */
	assert_int_equal(rd(f, RBR), 1);
}

static void modem_status_deltas(void **state)
{
	struct fixture *f = *state;
	wr(f, IER, 0x08);
	assert_false(f->line.level);
	wr(f, MCR, 0x10 | 0x04);       /* loop with OUT1: CTS, DSR, DCD drop; RI rises */
	assert_true(f->line.level);
	assert_int_equal(rd(f, IIR), 0x00);
	assert_int_equal(rd(f, MSR), 0x40 | 0x0b);   /* RI; DCTS, DDSR, DDCD */
	assert_false(f->line.level);
	assert_int_equal(rd(f, MSR), 0x40);
	wr(f, MCR, 0x10);              /* RI falls: trailing edge */
	assert_int_equal(rd(f, MSR), 0x04);
}

static void offsets_and_widths(void **state)
{
	struct fixture *f = *state;
	uint64_t v;
	assert_false(uart16550_ops.read(&f->u, 8, 1, &v));
	assert_false(uart16550_ops.read(&f->u, 0xff, 1, &v));
	assert_false(uart16550_ops.write(&f->u, 0x80, 4, 0));
	/* Any width reaches the byte register at its offset. */
	assert_true(uart16550_ops.read(&f->u, LSR, 4, &v));
	assert_int_equal(v, 0x60);
	assert_true(uart16550_ops.write(&f->u, SCR, 1, 0x1234));
	assert_int_equal(rd(f, SCR), 0x34);
	assert_true(uart16550_ops.write(&f->u, 0, 8, 0xffffffffffffff41ull));
	assert_int_equal(f->nout, 1);
	assert_int_equal(f->out[0], 0x41);
}

static void reset_clears_state_and_line(void **state)
{
	struct fixture *f = *state;
	wr(f, FCR, 0x01);
	wr(f, IER, 0x02);
	assert_true(uart_receive(&f->u, 'z'));
	assert_true(f->line.level);
	uart16550_reset(&f->u);
	assert_false(f->line.level);
	assert_int_equal(rd(f, IIR), 0x01);
	assert_int_equal(rd(f, LSR), 0x60);
	/* Wiring survives. */
	wr(f, RBR, 'k');
	assert_int_equal(f->nout, 1);
	wr(f, IER, 0x02);
	assert_true(f->line.level);
}

/* xv6's uartinit: interrupts off, 38.4K baud, 8N1, FIFOs on and cleared,
 * then the transmit and receive interrupts on. */
static void xv6_uartinit(struct fixture *f)
{
	wr(f, IER, 0x00);
	wr(f, LCR, 0x80);
	wr(f, 0, 0x03);
	wr(f, 1, 0x00);
	wr(f, LCR, 0x03);
	wr(f, FCR, 0x07);
	wr(f, IER, 0x03);
}

/* The line is asserted when the UART has a new reason to interrupt, not at
 * every access: a driver that polls LSR and never reads IIR (xv6) makes no
 * new request while THR-empty stays pending, and each byte it transmits,
 * receives or reads is one. */
static void line_asserted_on_events_not_on_polls(void **state)
{
	struct fixture *f = *state;
	xv6_uartinit(f);
	assert_true(f->line.level);
	unsigned asserts = f->line.asserts;
	assert_int_equal(asserts, 1);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(rd(f, LSR) & 0x61, 0x60);
	rd(f, IER);
	rd(f, LCR);
	rd(f, MCR);
	rd(f, MSR);
	wr(f, SCR, 1);
	wr(f, IER, 0x03);
	wr(f, LCR, 0x03);
	assert_int_equal(f->line.asserts, asserts);
	assert_true(f->line.level);

	wr(f, RBR, 'a');
	assert_int_equal(f->line.asserts, ++asserts);
	assert_true(uart_receive(&f->u, 'b'));
	assert_true(uart_receive(&f->u, 'c'));
	asserts += 2;
	assert_int_equal(f->line.asserts, asserts);
	assert_int_equal(rd(f, RBR), 'b');     /* 'c' waits: asks again */
	assert_int_equal(f->line.asserts, ++asserts);
	assert_int_equal(rd(f, RBR), 'c');
	assert_int_equal(f->line.asserts, ++asserts);
	assert_true(f->line.level);            /* THR-empty is still pending */
	/* The acknowledgement through IIR xv6 never does drops it. */
	assert_int_equal(rd(f, IIR) & 0x0f, 0x02);
	assert_false(f->line.level);
}

/* A UART on PLIC source 10, S-mode context 1 of one hart. */
struct board {
	struct fixture *f;
	struct plic plic;
	struct fake_line ctx[PLIC_MAX_CONTEXTS];
	char tx_queue[64];          /* the driver's transmit buffer */
	unsigned tx_r, tx_w;
	char rx[64];
	unsigned nrx;
};

#define UART_SRC 10
#define S_CONTEXT 1
#define MAX_HANDLER_RUNS 100

static void ctx_line_set(void *target, unsigned index, bool level)
{
	((struct fake_line *)target)[index].level = level;
}

static void board_init(struct board *b, struct fixture *f)
{
	memset(b, 0, sizeof(*b));
	b->f = f;
	plic_init(&b->plic, 1);
	for (unsigned c = 0; c < PLIC_MAX_CONTEXTS; c++)
		b->plic.ctx_irq[c] = (struct irq_line){ ctx_line_set, b->ctx, c };
	f->u.irq = (struct irq_line){ plic_set_irq, &b->plic, UART_SRC };
}

static bool uart_line(const struct board *b)
{
	return b->plic.s.level[UART_SRC / 32] & (1u << (UART_SRC % 32));
}

static uint32_t plic_rd(struct board *b, uint64_t off)
{
	uint64_t v = 0;
	assert_true(plic_ops.read(&b->plic, off, 4, &v));
	return (uint32_t)v;
}

static void plic_wr(struct board *b, uint64_t off, uint32_t v)
{
	assert_true(plic_ops.write(&b->plic, off, 4, v));
}

/* xv6's plicinit and plicinithart: priority 1, enabled for the hart's
 * S-mode context, threshold 0. */
static void plic_route_uart(struct board *b)
{
	plic_wr(b, 4 * UART_SRC, 1);
	plic_wr(b, 0x2000 + 0x80 * S_CONTEXT, 1u << UART_SRC);
	plic_wr(b, 0x200000 + 0x1000 * S_CONTEXT, 0);
}

/* xv6's uartstart: send what is queued while LSR says THR is empty. */
static void xv6_uartstart(struct board *b)
{
	while (b->tx_r != b->tx_w && (rd(b->f, LSR) & 0x20))
		wr(b->f, RBR, (uint8_t)b->tx_queue[b->tx_r++ % sizeof(b->tx_queue)]);
}

static void queue_tx(struct board *b, const char *text)
{
	for (; *text; text++)
		b->tx_queue[b->tx_w++ % sizeof(b->tx_queue)] = *text;
}

/* xv6's devintr for the UART: claim, uartintr (read while LSR has data,
 * then uartstart; IIR is never read), complete. Runs the handler while the
 * context's interrupt is asserted; returns how many times it ran. */
static unsigned xv6_take_interrupts(struct board *b)
{
	unsigned runs = 0;
	while (b->ctx[S_CONTEXT].level && runs < MAX_HANDLER_RUNS) {
		uint32_t irq = plic_rd(b, 0x200004 + 0x1000 * S_CONTEXT);
		runs++;
		if (irq == UART_SRC) {
			while (rd(b->f, LSR) & 0x01)
				b->rx[b->nrx++ % sizeof(b->rx)] = (char)rd(b->f, RBR);
			xv6_uartstart(b);
		}
		if (irq)
			plic_wr(b, 0x200004 + 0x1000 * S_CONTEXT, irq);
	}
	return runs;
}

/* xv6 under QEMU: the THR-empty interrupt it never acknowledges keeps the
 * UART's line asserted, yet each new reason to interrupt (a byte written
 * outside the handler, a byte received) brings one or two handler runs,
 * not an endless stream of them. */
static void xv6_is_not_interrupted_forever(void **state)
{
	struct board b;
	board_init(&b, *state);
	xv6_uartinit(b.f);
	plic_route_uart(&b);
	assert_int_equal(xv6_take_interrupts(&b), 1);
	assert_true(uart_line(&b));
	assert_false(b.ctx[S_CONTEXT].level);

	/* consputc -> uartputc: queued and sent at once, outside the handler. */
	queue_tx(&b, "init: starting sh\n");
	xv6_uartstart(&b);
	assert_int_equal(b.f->nout, 18);
	assert_int_equal(xv6_take_interrupts(&b), 1);

	/* Output queued from inside the handler goes out, then it stops. */
	queue_tx(&b, "$ ");
	assert_true(uart_receive(&b.f->u, 'l'));
	assert_true(uart_receive(&b.f->u, 's'));
	/* Once for the bytes received, and once more for what that run did
	 * to the UART (it read RBR and wrote THR while in service). */
	assert_int_equal(xv6_take_interrupts(&b), 2);
	assert_int_equal(b.nrx, 2);
	assert_memory_equal(b.rx, "ls", 2);
	assert_int_equal(b.f->nout, 20);
	assert_false(b.ctx[S_CONTEXT].level);
	plic_destroy(&b.plic);
}

/* Linux's 8250 handler: IIR names the reason; received bytes are read
 * while LSR has data; on THR-empty up to a FIFO's worth is sent, and the
 * THR-empty interrupt is disabled once nothing is left (serial8250_tx_chars,
 * __stop_tx). */
static void linux_8250_handler(struct board *b, bool receive_meanwhile)
{
	uint8_t iir = rd(b->f, IIR);
	if (iir & 0x01)
		return;
	while (rd(b->f, LSR) & 0x01)
		b->rx[b->nrx++ % sizeof(b->rx)] = (char)rd(b->f, RBR);
	if ((iir & 0x0f) == 0x02) {
		for (unsigned n = 0; n < 16 && b->tx_r != b->tx_w; n++)
			wr(b->f, RBR, (uint8_t)b->tx_queue[b->tx_r++ % sizeof(b->tx_queue)]);
		if (b->tx_r == b->tx_w)
			wr(b->f, IER, 0x05);
	}
	/* A byte arriving after the receive loop, before completion. */
	if (receive_meanwhile)
		assert_true(uart_receive(&b->f->u, '!'));
}

/* Linux's driver loses nothing: 40 bytes go out in FIFO-sized bursts, one
 * interrupt each, and a byte received while the handler runs brings one
 * more interrupt after completion. */
static void linux_8250_loses_no_interrupt(void **state)
{
	struct board b;
	board_init(&b, *state);
	plic_route_uart(&b);
	wr(b.f, FCR, 0xc7);
	wr(b.f, IER, 0x05);                   /* receive and line status */
	queue_tx(&b, "0123456789012345678901234567890123456789");
	wr(b.f, IER, 0x07);                   /* start_tx */
	unsigned runs = 0;
	while (b.ctx[S_CONTEXT].level && runs < MAX_HANDLER_RUNS) {
		uint32_t irq = plic_rd(&b, 0x200004 + 0x1000 * S_CONTEXT);
		assert_int_equal(irq, UART_SRC);
		linux_8250_handler(&b, runs == 1);
		plic_wr(&b, 0x200004 + 0x1000 * S_CONTEXT, irq);
		runs++;
	}
	assert_int_equal(b.f->nout, 40);
	assert_int_equal(b.nrx, 1);
	assert_int_equal(b.rx[0], '!');
	assert_int_equal(runs, 4);   /* 16 bytes, 16 and the '!', the '!' read, the last 8 */
	assert_false(uart_line(&b));
	plic_destroy(&b.plic);
}

static void tx_callback_may_be_absent(void **state)
{
	struct uart16550 u;
	(void)state;
	uart16550_init(&u, NULL, NULL);
	assert_true(uart16550_ops.write(&u, 0, 1, 'x'));
	assert_true(uart_receive(&u, 'y'));   /* unconnected irq line */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(reset_values, setup),
		cmocka_unit_test_setup(transmit_goes_to_callback, setup),
		cmocka_unit_test_setup(divisor_latch, setup),
		cmocka_unit_test_setup(ier_keeps_four_bits_and_scratch_holds_a_byte, setup),
		cmocka_unit_test_setup(thre_interrupt, setup),
		cmocka_unit_test_setup(linux_thre_probe, setup),
		cmocka_unit_test_setup(receive_without_fifo, setup),
		cmocka_unit_test_setup(fifo_order_capacity_and_clear, setup),
		cmocka_unit_test_setup(fifo_trigger_level_and_timeout, setup),
		cmocka_unit_test_setup(interrupt_priority, setup),
		cmocka_unit_test_setup(loopback, setup),
		cmocka_unit_test_setup(loopback_overrun_raises_line_status, setup),
		cmocka_unit_test_setup(modem_status_deltas, setup),
		cmocka_unit_test_setup(offsets_and_widths, setup),
		cmocka_unit_test_setup(reset_clears_state_and_line, setup),
		cmocka_unit_test(tx_callback_may_be_absent),
		cmocka_unit_test_setup(line_asserted_on_events_not_on_polls, setup),
		cmocka_unit_test_setup(xv6_is_not_interrupted_forever, setup),
		cmocka_unit_test_setup(linux_8250_loses_no_interrupt, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
