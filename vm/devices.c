/* The device classes of QEMU's virt board, at its addresses and interrupt
 * numbers (vm/board.h): each brings its devices up from the configuration,
 * writes their device tree nodes, names their saved sections and reports
 * their statistics (vm/device.h). The board's own devices are here, the
 * virtio ones in devices_virtio.c; the table is at the end. */
#include "vm/device.h"

#include <errno.h>
#include <string.h>

#include "cpu/trap.h"
#include "vm/fdt.h"
#include "vm/machine.h"
#include "vm/snapshot.h"

static struct irq_line hart_line(struct machine *m, unsigned hart, unsigned irq)
{
	return (struct irq_line){ irq_word_set, &m->harts[hart]->irq_lines, irq };
}

struct irq_line device_plic_line(struct machine *m, unsigned src)
{
	return (struct irq_line){ plic_set_irq, &m->plic, src };
}

int device_add_mmio(struct machine *m, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		    void *dev, struct error *err)
{
	if (bus_add_mmio(&m->bus, base, size, ops, dev) < 0)
		return error_set(err, ENOSPC, "too many devices on the bus");
	return 0;
}

/* ---- CLINT: the harts' software and timer interrupts ---- */

static int clint_create(struct machine *m, struct error *err)
{
	clint_init(&m->clint, m->nharts, &m->time);
	for (unsigned i = 0; i < m->nharts; i++) {
		m->clint.msi[i] = hart_line(m, i, IRQ_MSI);
		m->clint.mti[i] = hart_line(m, i, IRQ_MTI);
	}
	return device_add_mmio(m, CLINT_BASE, CLINT_SIZE, &clint_ops, &m->clint, err);
}

static void clint_fdt(struct fdt_writer *w, const struct machine *m)
{
	static const char *const compat[] = { "sifive,clint0", "riscv,clint0" };
	static const uint32_t irqs[IRQS_PER_HART] = { IRQ_MSI, IRQ_MTI };

	fdtw_begin(w, "clint@%llx", CLINT_BASE);
	fdtw_strs(w, "compatible", compat, 2);
	fdtw_reg(w, CLINT_BASE, CLINT_SIZE);
	fdtw_per_hart_irqs(w, m->nharts, irqs);
	fdtw_end(w);
}

static void clint_applied(struct machine *m)
{
	clint_drive_lines(&m->clint);
}

static const struct device_class clint_class = {
	.name = "clint",
	.create = clint_create,
	.fdt_nodes = clint_fdt,
	.base = CLINT_BASE,
	.sections = DEVICE_SECTIONS(clint_state_desc, clint, clint),
	.state_applied = clint_applied,
};

/* ---- PLIC: the devices' interrupts, to every hart's M and S contexts ---- */

static int plic_create(struct machine *m, struct error *err)
{
	plic_init(&m->plic, m->nharts);
	for (unsigned i = 0; i < m->nharts; i++) {
		m->plic.ctx_irq[2 * i] = hart_line(m, i, IRQ_MEI);
		m->plic.ctx_irq[2 * i + 1] = hart_line(m, i, IRQ_SEI);
	}
	return device_add_mmio(m, PLIC_BASE, PLIC_SIZE, &plic_ops, &m->plic, err);
}

static void plic_class_destroy(struct machine *m)
{
	if (m->nharts)
		plic_destroy(&m->plic);
}

static void plic_fdt(struct fdt_writer *w, const struct machine *m)
{
	static const char *const compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
	static const uint32_t irqs[IRQS_PER_HART] = { IRQ_MEI, IRQ_SEI };

	fdtw_begin(w, "plic@%llx", PLIC_BASE);
	fdtw_strs(w, "compatible", compat, 2);
	fdtw_reg(w, PLIC_BASE, PLIC_SIZE);
	fdtw_u32(w, "#interrupt-cells", 1);
	fdtw_u32(w, "#address-cells", 0);
	fdtw_empty(w, "interrupt-controller");
	fdtw_u32(w, "riscv,ndev", PLIC_NDEV);
	fdtw_per_hart_irqs(w, m->nharts, irqs);
	fdtw_u32(w, "phandle", PHANDLE_PLIC);
	fdtw_end(w);
}

static void plic_applied(struct machine *m)
{
	plic_update(&m->plic);
}

static const struct device_class plic_class = {
	.name = "plic",
	.create = plic_create,
	.destroy = plic_class_destroy,
	.fdt_nodes = plic_fdt,
	.base = PLIC_BASE,
	.sections = DEVICE_SECTIONS(plic_state_desc, plic, plic),
	.state_applied = plic_applied,
};

/* ---- The 16550 UART: the guest console ---- */

static int uart_create(struct machine *m, struct error *err)
{
	uart16550_init(&m->uart, machine_console_tx, m);
	m->uart.irq = device_plic_line(m, UART_IRQ);
	return device_add_mmio(m, UART_BASE, UART_SIZE, &uart16550_ops, &m->uart, err);
}

static void uart_poll(struct machine *m)
{
	while (uart_can_receive(&m->uart) && console_peek(&m->console) >= 0)
		uart_receive(&m->uart, (uint8_t)console_getc(&m->console));
}

static void uart_fdt(struct fdt_writer *w, const struct machine *m)
{
	fdtw_begin(w, "serial@%llx", UART_BASE);
	fdtw_str(w, "compatible", "ns16550a");
	fdtw_reg(w, UART_BASE, UART_SIZE);
	fdtw_u32(w, "clock-frequency", UART_CLOCK_HZ);
	fdtw_device_irq(w, UART_IRQ);
	fdtw_end(w);
}

static void uart_applied(struct machine *m)
{
	uart16550_update_irq(&m->uart);
}

static const struct device_class uart_class = {
	.name = "uart16550",
	.create = uart_create,
	.poll = uart_poll,
	.fdt_nodes = uart_fdt,
	.base = UART_BASE,
	.sections = DEVICE_SECTIONS(uart16550_state_desc, uart, uart),
	.state_applied = uart_applied,
};

/* ---- The Goldfish RTC: wall-clock time ---- */

static int rtc_create(struct machine *m, struct error *err)
{
	goldfish_rtc_init(&m->rtc);
	m->rtc.irq = device_plic_line(m, RTC_IRQ);
	return device_add_mmio(m, RTC_BASE, RTC_SIZE, &goldfish_rtc_ops, &m->rtc, err);
}

static void rtc_update(struct machine *m)
{
	goldfish_rtc_update(&m->rtc);
}

static void rtc_fdt(struct fdt_writer *w, const struct machine *m)
{
	fdtw_begin(w, "rtc@%llx", RTC_BASE);
	fdtw_str(w, "compatible", "google,goldfish-rtc");
	fdtw_reg(w, RTC_BASE, RTC_SIZE);
	fdtw_device_irq(w, RTC_IRQ);
	fdtw_end(w);
}

static const struct device_class rtc_class = {
	.name = "goldfish-rtc",
	.create = rtc_create,
	.poll = rtc_update,
	.fdt_nodes = rtc_fdt,
	.base = RTC_BASE,
	.sections = DEVICE_SECTIONS(goldfish_rtc_state_desc, rtc, rtc),
	.state_applied = rtc_update,
};

/* ---- The SiFive test device: poweroff and reboot ---- */

static int syscon_create(struct machine *m, struct error *err)
{
	syscon_init(&m->syscon, &m->exit);
	return device_add_mmio(m, SYSCON_BASE, SYSCON_SIZE, &syscon_ops, &m->syscon, err);
}

static void syscon_fdt(struct fdt_writer *w, const struct machine *m)
{
	static const char *const compat[] = { "sifive,test1", "sifive,test0", "syscon" };

	fdtw_begin(w, "test@%llx", SYSCON_BASE);
	fdtw_strs(w, "compatible", compat, 3);
	fdtw_reg(w, SYSCON_BASE, SYSCON_SIZE);
	fdtw_u32(w, "phandle", PHANDLE_SYSCON);
	fdtw_end(w);
}

static const struct device_class syscon_class = {
	.name = "syscon",
	.create = syscon_create,
	.fdt_nodes = syscon_fdt,
	.base = SYSCON_BASE,
};

/* Created in this order, which is also the order of the device sections in
 * a saved stream and of the regions on the bus (the CLINT, the busiest,
 * searched first). The device tree lists them by address instead. */
const struct device_class *const board_devices[] = {
	&clint_class, &plic_class, &uart_class, &rtc_class, &syscon_class,
	&virtio_mmio_class, &virtio_blk_class, &virtio_net_class, &virtio_rng_class,
};
const size_t board_ndevices = sizeof(board_devices) / sizeof(board_devices[0]);
