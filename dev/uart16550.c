#include "dev/uart16550.h"

#include <string.h>

/* Register offsets (PC16550D datasheet, table II). */
#define REG_RBR_THR_DLL 0
#define REG_IER_DLM     1
#define REG_IIR_FCR     2
#define REG_LCR         3
#define REG_MCR         4
#define REG_LSR         5
#define REG_MSR         6
#define REG_SCR         7

#define IER_ERBFI 0x01   /* received data available */
#define IER_ETBEI 0x02   /* transmitter holding register empty */
#define IER_ELSI  0x04   /* receiver line status */
#define IER_EDSSI 0x08   /* modem status */
#define IER_MASK  0x0f

#define IIR_NONE       0x01
#define IIR_MODEM      0x00
#define IIR_THRE       0x02
#define IIR_RX_DATA    0x04
#define IIR_LINE       0x06
#define IIR_RX_TIMEOUT 0x0c
#define IIR_FIFO_ON    0xc0

#define FCR_ENABLE   0x01
#define FCR_RX_RESET 0x02
#define FCR_TRIGGER  0xc0

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

static bool fifo_enabled(const struct uart16550 *u)
{
	return u->s.fcr & FCR_ENABLE;
}

/* Without the FIFO the receiver holds one byte (16450 mode). */
static unsigned rx_capacity(const struct uart16550 *u)
{
	return fifo_enabled(u) ? UART16550_FIFO_SIZE : 1;
}

static unsigned rx_trigger_level(const struct uart16550 *u)
{
	static const unsigned levels[4] = { 1, 4, 8, 14 };
	return fifo_enabled(u) ? levels[(u->s.fcr & FCR_TRIGGER) >> 6] : 1;
}

static void rx_clear(struct uart16550 *u)
{
	u->s.rx_head = 0;
	u->s.rx_count = 0;
}

/* Indices are masked so that even a corrupt restored state stays in bounds. */
static bool rx_push(struct uart16550 *u, uint8_t byte)
{
	if (u->s.rx_count >= rx_capacity(u))
		return false;
	u->s.rx_fifo[(u->s.rx_head + u->s.rx_count) % UART16550_FIFO_SIZE] = byte;
	u->s.rx_count++;
	return true;
}

static uint8_t rx_pop(struct uart16550 *u)
{
	if (u->s.rx_count == 0)
		return 0;
	uint8_t byte = u->s.rx_fifo[u->s.rx_head % UART16550_FIFO_SIZE];
	u->s.rx_head = (uint8_t)((u->s.rx_head + 1) % UART16550_FIFO_SIZE);
	u->s.rx_count--;
	return byte;
}

/* The modem inputs: in loopback the outputs feed them (DTR->DSR, RTS->CTS,
 * OUT1->RI, OUT2->DCD); otherwise a connected, ready peer, as QEMU reports. */
static uint8_t modem_status(const struct uart16550 *u)
{
	uint8_t mcr = u->s.mcr;
	if (!(mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;
	return (uint8_t)(((mcr & MCR_DTR) ? MSR_DSR : 0) | ((mcr & MCR_RTS) ? MSR_CTS : 0) |
			 ((mcr & MCR_OUT1) ? MSR_RI : 0) | ((mcr & MCR_OUT2) ? MSR_DCD : 0));
}

/* The highest-priority pending interrupt (datasheet table IV): line status,
 * then received data, then THR empty, then modem status. There is no
 * character timer: a FIFO holding fewer bytes than the trigger level reports
 * the character timeout at once, which drivers treat like data available. */
static uint8_t interrupt_id(const struct uart16550 *u)
{
	uint8_t ier = u->s.ier;
	if ((ier & IER_ELSI) && u->s.lsr_errors)
		return IIR_LINE;
	if ((ier & IER_ERBFI) && u->s.rx_count)
		return u->s.rx_count >= rx_trigger_level(u) ? IIR_RX_DATA : IIR_RX_TIMEOUT;
	if ((ier & IER_ETBEI) && u->s.thr_ipending)
		return IIR_THRE;
	if ((ier & IER_EDSSI) && u->s.msr_delta)
		return IIR_MODEM;
	return IIR_NONE;
}

static bool irq_asserted(const struct uart16550 *u)
{
	return interrupt_id(u) != IIR_NONE;
}

void uart16550_update_irq(struct uart16550 *u)
{
	irq_line_set(&u->irq, irq_asserted(u));
}

/* After a register access: the line is driven when its level changed or
 * the access is one that gives a new reason to interrupt (event), where
 * QEMU's 16550 (hw/char/serial.c, serial_update_irq) drives it too. The
 * PLIC takes each assertion as a request (util/irq.h), so the accesses
 * that change nothing, above all the LSR polls of a driver that never
 * reads IIR (xv6), must not assert a line that is still high. */
static void drive_irq_after(struct uart16550 *u, bool was_asserted, bool event)
{
	bool asserted = irq_asserted(u);
	if (event || asserted != was_asserted)
		irq_line_set(&u->irq, asserted);
}

void uart16550_reset(struct uart16550 *u)
{
	memset(&u->s, 0, sizeof(u->s));
	uart16550_update_irq(u);
}

void uart16550_init(struct uart16550 *u, void (*tx)(void *opaque, uint8_t byte), void *opaque)
{
	memset(u, 0, sizeof(*u));
	u->tx = tx;
	u->opaque = opaque;
}

bool uart_can_receive(const struct uart16550 *u)
{
	/* In loopback the serial input is disconnected from the receiver. */
	return !(u->s.mcr & MCR_LOOP) && u->s.rx_count < rx_capacity(u);
}

bool uart_receive(struct uart16550 *u, uint8_t byte)
{
	if (!uart_can_receive(u))
		return false;
	rx_push(u, byte);
	uart16550_update_irq(u);
	return true;
}

/* Transmission takes no time, so THR and the shift register are empty again
 * right after the write and the THR-empty interrupt is re-armed (if enabled). */
static void transmit(struct uart16550 *u, uint8_t byte)
{
	if (u->s.mcr & MCR_LOOP) {
		/* A byte arriving at a full receiver is lost with an overrun
		 * (datasheet, LSR bit 1). */
		if (!rx_push(u, byte))
			u->s.lsr_errors |= LSR_OE;
	} else if (u->tx) {
		u->tx(u->opaque, byte);
	}
	u->s.thr_ipending = (u->s.ier & IER_ETBEI) != 0;
}

/* Returns whether IER changed. */
static bool write_ier(struct uart16550 *u, uint8_t val)
{
	uint8_t old = u->s.ier;
	u->s.ier = val & IER_MASK;
	/* Enabling ETBEI while THR is empty (always, here) raises the THR-empty
	 * interrupt; Linux's 8250 start_tx relies on this to kick transmission. */
	if (!(old & IER_ETBEI) && (u->s.ier & IER_ETBEI))
		u->s.thr_ipending = true;
	else if (!(u->s.ier & IER_ETBEI))
		u->s.thr_ipending = false;
	return u->s.ier != old;
}

static void write_fcr(struct uart16550 *u, uint8_t val)
{
	/* Switching the FIFOs on or off clears them (datasheet, FCR bit 0). */
	if ((val ^ u->s.fcr) & FCR_ENABLE)
		rx_clear(u);
	if (val & FCR_RX_RESET)
		rx_clear(u);
	/* The transmit FIFO is always empty; its reset bit has nothing to do. */
	u->s.fcr = (val & FCR_ENABLE) ? (val & (FCR_ENABLE | FCR_TRIGGER)) : 0;
}

static void write_mcr(struct uart16550 *u, uint8_t val)
{
	uint8_t before = modem_status(u);
	u->s.mcr = val & MCR_MASK;
	uint8_t after = modem_status(u), changed = before ^ after;

	if (changed & MSR_CTS)
		u->s.msr_delta |= MSR_DCTS;
	if (changed & MSR_DSR)
		u->s.msr_delta |= MSR_DDSR;
	if ((before & MSR_RI) && !(after & MSR_RI))   /* trailing edge only */
		u->s.msr_delta |= MSR_TERI;
	if (changed & MSR_DCD)
		u->s.msr_delta |= MSR_DDCD;
}

/* *event: the read gave a new reason to drive the line (drive_irq_after). */
static uint8_t read_reg(struct uart16550 *u, unsigned reg, bool *event)
{
	bool dlab = u->s.lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case REG_RBR_THR_DLL:
		if (dlab)
			return u->s.dll;
		/* What is left in the FIFO asks again: a handler that stops
		 * before the FIFO is empty is interrupted once more. */
		*event = true;
		return rx_pop(u);
	case REG_IER_DLM:
		return dlab ? u->s.dlm : u->s.ier;
	case REG_IIR_FCR:
		v = interrupt_id(u);
		/* Reading IIR acknowledges a THR-empty interrupt when that is the
		 * reason it reports (datasheet table IV, reset control). */
		if (v == IIR_THRE) {
			u->s.thr_ipending = false;
			*event = true;
		}
		return (uint8_t)(v | (fifo_enabled(u) ? IIR_FIFO_ON : 0));
	case REG_LCR:
		return u->s.lcr;
	case REG_MCR:
		return u->s.mcr;
	case REG_LSR:
		v = (uint8_t)((u->s.rx_count ? LSR_DR : 0) | u->s.lsr_errors | LSR_THRE | LSR_TEMT);
		*event = u->s.lsr_errors != 0;
		u->s.lsr_errors = 0;
		return v;
	case REG_MSR:
		v = (uint8_t)(modem_status(u) | u->s.msr_delta);
		*event = u->s.msr_delta != 0;
		u->s.msr_delta = 0;
		return v;
	default:   /* REG_SCR, the last of the eight */
		return u->s.scr;
	}
}

/* *event: as for read_reg. */
static void write_reg(struct uart16550 *u, unsigned reg, uint8_t val, bool *event)
{
	bool dlab = u->s.lcr & LCR_DLAB;

	switch (reg) {
	case REG_RBR_THR_DLL:
		if (dlab) {
			u->s.dll = val;
		} else {
			/* THR is empty again at once: a new THR-empty interrupt. */
			transmit(u, val);
			*event = true;
		}
		break;
	case REG_IER_DLM:
		if (dlab)
			u->s.dlm = val;
		else
			*event = write_ier(u, val);
		break;
	case REG_IIR_FCR:
		write_fcr(u, val);
		*event = true;
		break;
	case REG_LCR:
		u->s.lcr = val;
		break;
	case REG_MCR:
		write_mcr(u, val);
		break;
	case REG_SCR:
		u->s.scr = val;
		break;
	default:
		/* LSR and MSR are read-only (writing them is a factory test mode). */
		break;
	}
}

/* Every access width reaches the one 8-bit register at its offset (the low
 * byte of a write; a read is zero-extended), as on QEMU's virt board. The
 * window decodes 8 registers; the rest of the region faults. */
static bool uart_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct uart16550 *u = dev;
	bool was_asserted = irq_asserted(u), event = false;

	if (off >= UART16550_NREGS)
		return false;
	*val = read_reg(u, (unsigned)off, &event);
	drive_irq_after(u, was_asserted, event);
	return true;
}

static bool uart_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct uart16550 *u = dev;
	bool was_asserted = irq_asserted(u), event = false;

	if (off >= UART16550_NREGS)
		return false;
	write_reg(u, (unsigned)off, (uint8_t)val, &event);
	drive_irq_after(u, was_asserted, event);
	return true;
}

const struct mmio_ops uart16550_ops = { .read = uart_read, .write = uart_write };

static bool uart16550_state_valid(const void *state)
{
	const struct uart16550_state *s = state;
	return s->rx_head < UART16550_FIFO_SIZE && s->rx_count <= UART16550_FIFO_SIZE;
}

static const struct state_field uart16550_fields[] = {
	STATE_INTS(struct uart16550_state, rx_fifo, uint8_t),
	STATE_INT(struct uart16550_state, rx_head),
	STATE_INT(struct uart16550_state, rx_count),
	STATE_INT(struct uart16550_state, ier),
	STATE_INT(struct uart16550_state, lcr),
	STATE_INT(struct uart16550_state, mcr),
	STATE_INT(struct uart16550_state, fcr),
	STATE_INT(struct uart16550_state, scr),
	STATE_INT(struct uart16550_state, dll),
	STATE_INT(struct uart16550_state, dlm),
	STATE_INT(struct uart16550_state, lsr_errors),
	STATE_INT(struct uart16550_state, msr_delta),
	STATE_BOOL(struct uart16550_state, thr_ipending),
};

const struct state_desc uart16550_state_desc =
	STATE_DESC(STATE_ID('U', 'A', 'R', 'T'), 1, uart16550_fields, uart16550_state_valid);
