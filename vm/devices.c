/* The device classes of QEMU's virt board, at its addresses and interrupt
 * numbers (vm/board.h): each brings its devices up from the configuration,
 * writes their device tree nodes, names their saved sections and reports
 * their statistics (vm/device.h). */
#include "vm/device.h"

#include <errno.h>
#include <string.h>

#include "cpu/trap.h"
#include "virtio/rng.h"
#include "vm/fdt.h"
#include "vm/machine.h"
#include "vm/snapshot.h"

static struct irq_line hart_line(struct machine *m, unsigned hart, unsigned irq)
{
	return (struct irq_line){ irq_word_set, &m->harts[hart]->irq_lines, irq };
}

static struct irq_line plic_line(struct machine *m, unsigned src)
{
	return (struct irq_line){ plic_set_irq, &m->plic, src };
}

static int add_mmio(struct machine *m, uint64_t base, uint64_t size, const struct mmio_ops *ops,
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
	return add_mmio(m, CLINT_BASE, CLINT_SIZE, &clint_ops, &m->clint, err);
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
	return add_mmio(m, PLIC_BASE, PLIC_SIZE, &plic_ops, &m->plic, err);
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
	m->uart.irq = plic_line(m, UART_IRQ);
	return add_mmio(m, UART_BASE, UART_SIZE, &uart16550_ops, &m->uart, err);
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
	m->rtc.irq = plic_line(m, RTC_IRQ);
	return add_mmio(m, RTC_BASE, RTC_SIZE, &goldfish_rtc_ops, &m->rtc, err);
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
	return add_mmio(m, SYSCON_BASE, SYSCON_SIZE, &syscon_ops, &m->syscon, err);
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

/* ---- virtio-mmio: the transports; the slots are filled, in order, by the
 * disks, the network cards, then the entropy device, and the rest stay
 * empty ---- */

static int virtio_mmio_create(struct machine *m, struct error *err)
{
	const struct machine_config *cfg = &m->cfg;

	if (cfg->ndisks + cfg->nnets + cfg->rng > VIRTIO_SLOTS)
		return error_set(err, EINVAL, "too many virtio devices: at most %d (disks, --net and --rng)",
				 VIRTIO_SLOTS);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		int ret = add_mmio(m, VIRTIO_BASE + i * VIRTIO_SIZE, VIRTIO_SIZE, &virtio_mmio_ops,
				   &m->virtio[i], err);
		if (ret < 0)
			return ret;
		virtio_mmio_init(&m->virtio[i], &m->bus, NULL, NULL);
		m->virtio[i].irq = plic_line(m, VIRTIO_IRQ(i));
	}
	return 0;
}

/* Puts a device in the next free slot (virtio_mmio_create counted them). */
static struct virtio_mmio *virtio_attach(struct machine *m, const struct virtio_device_ops *ops,
					 void *dev)
{
	unsigned slot = m->nvirtio_used++;
	struct virtio_mmio *t = &m->virtio[slot];
	virtio_mmio_init(t, &m->bus, ops, dev);
	t->irq = plic_line(m, VIRTIO_IRQ(slot));
	return t;
}

static void virtio_mmio_fdt(struct fdt_writer *w, const struct machine *m)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		uint64_t base = VIRTIO_BASE + i * VIRTIO_SIZE;
		fdtw_begin(w, "virtio_mmio@%llx", base);
		fdtw_str(w, "compatible", "virtio,mmio");
		fdtw_reg(w, base, VIRTIO_SIZE);
		fdtw_device_irq(w, VIRTIO_IRQ(i));
		fdtw_end(w);
	}
}

/* A device's queues must lie in this machine's RAM; an empty slot has no
 * state at all. */
static int virtio_mmio_check(const struct machine *m, const struct machine_state *st,
			     struct error *err)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		const struct virtio_mmio_state *v = &st->virtio[i];
		unsigned nq = m->virtio[i].ops ? m->virtio[i].ops->num_queues : 0;
		if (!m->virtio[i].ops && v->status != 0)
			return error_set(err, EPROTO, "virtio slot %u is empty but has a state", i);
		for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
			if (!v->queue[q].ready)
				continue;
			if (q >= nq || !virtq_valid(&m->bus, &v->queue[q]))
				return error_set(err, EPROTO, "virtio slot %u queue %u lies outside "
						 "guest RAM", i, q);
		}
	}
	return 0;
}

static void virtio_mmio_applied(struct machine *m)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		virtio_mmio_update_irq(&m->virtio[i]);
}

static const struct device_class virtio_mmio_class = {
	.name = "virtio-mmio",
	.create = virtio_mmio_create,
	.fdt_nodes = virtio_mmio_fdt,
	.base = VIRTIO_BASE,
	.sections = DEVICE_SECTIONS_ARRAY(virtio_mmio_state_desc, virtio, virtio, VIRTIO_SLOTS),
	.check_state = virtio_mmio_check,
	.state_applied = virtio_mmio_applied,
};

/* ---- virtio-blk: the --disk images ---- */

/* The disk's serial number (virtio-blk GET_ID): its file name. */
static const char *disk_id(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int blk_create(struct machine *m, struct error *err)
{
	for (; m->ndisks_open < m->cfg.ndisks; m->ndisks_open++) {
		const struct disk_config *d = &m->cfg.disks[m->ndisks_open];
		struct block_dev *bd;
		int ret = block_open(d->path, d->format, d->readonly, &bd, err);
		if (ret < 0)
			return ret;
		virtio_blk_init(&m->disks[m->ndisks_open], bd, disk_id(d->path));
		virtio_attach(m, &virtio_blk_ops, &m->disks[m->ndisks_open]);
	}
	return 0;
}

static void blk_destroy(struct machine *m)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		int ret = virtio_blk_close(&m->disks[i]);
		/* Said at once: the guest's last writes may not be on disk. */
		if (ret < 0)
			fprintf(stderr, "doppel: cannot flush %s: %s\n", m->cfg.disks[i].path,
				strerror(-ret));
	}
}

static void blk_stats(const struct machine *m, json_t *devices)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		const struct virtio_blk_stats *st = &m->disks[i].stats;
		char name[8] = { 'v', 'd', (char)('a' + i) };
		json_array_append_new(devices, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}",
			"name", name, "type", "virtio-blk", "reads", (json_int_t)st->reads,
			"writes", (json_int_t)st->writes, "flushes", (json_int_t)st->flushes,
			"bytes_read", (json_int_t)st->bytes_read, "bytes_written", (json_int_t)st->bytes_written,
			"failed", (json_int_t)st->failed));
	}
}

static const struct device_class blk_class = {
	.name = "virtio-blk",
	.create = blk_create,
	.destroy = blk_destroy,
	.stats = blk_stats,
};

/* ---- virtio-net: the --net cards ---- */

/* QEMU's default MAC addresses: 52:54:00:12:34:56 for the first NIC, one
 * more for each next, so that a VM's addresses stay the same from run to run. */
static void default_mac(unsigned index, uint8_t mac[6])
{
	static const uint8_t first[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	memcpy(mac, first, 6);
	mac[5] = (uint8_t)(mac[5] + index);
}

static int create_nic(struct machine *m, struct error *err)
{
	const struct net_config *nc = &m->cfg.nets[m->nnics_open];
	struct virtio_net *n = &m->nics[m->nnics_open];
	/* The slot virtio_attach takes below. */
	struct virtio_mmio *t = &m->virtio[m->nvirtio_used];
	uint8_t mac[6];

	if (nc->mac_given)
		memcpy(mac, nc->mac, 6);
	else
		default_mac(m->nnics_open, mac);
	virtio_net_init(n, t, mac);
	int ret = nc->type == NET_SWITCH
			  ? net_switch_open(nc, virtio_net_receive, virtio_net_can_receive, n,
					    &n->backend, err)
			  : net_slirp_open(nc, virtio_net_receive, n, &n->backend, err);
	if (ret < 0)
		return ret;
	virtio_attach(m, &virtio_net_ops, n);
	m->nnics_open++;
	return 0;
}

static int net_create(struct machine *m, struct error *err)
{
	while (m->nnics_open < m->cfg.nnets) {
		int ret = create_nic(m, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void net_destroy(struct machine *m)
{
	for (unsigned i = 0; i < m->nnics_open; i++)
		virtio_net_close(&m->nics[i]);
}

static unsigned net_instances(const struct machine *m)
{
	return m->nnics_open;
}

static void net_stats(const struct machine *m, json_t *devices)
{
	for (unsigned i = 0; i < m->nnics_open; i++) {
		const struct virtio_net_state *st = &m->nics[i].s;
		char name[8];
		snprintf(name, sizeof(name), "eth%u", i);
		json_array_append_new(devices, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}",
			"name", name, "type", "virtio-net", "rx_frames", (json_int_t)st->rx_frames,
			"tx_frames", (json_int_t)st->tx_frames, "rx_dropped", (json_int_t)st->rx_dropped,
			"tx_malformed", (json_int_t)st->tx_malformed));
	}
}

static const struct device_class net_class = {
	.name = "virtio-net",
	.create = net_create,
	.destroy = net_destroy,
	.sections = DEVICE_SECTIONS_ARRAY(virtio_net_state_desc, nics, nic, VIRTIO_SLOTS),
	.instances = net_instances,
	.stats = net_stats,
};

/* ---- virtio-rng: --rng ---- */

static int rng_create(struct machine *m, struct error *err)
{
	if (m->cfg.rng)
		virtio_attach(m, &virtio_rng_ops, NULL);
	return 0;
}

static const struct device_class rng_class = {
	.name = "virtio-rng",
	.create = rng_create,
};

/* Created in this order, which is also the order of the device sections in
 * a saved stream and of the regions on the bus (the CLINT, the busiest,
 * searched first). The device tree lists them by address instead. */
const struct device_class *const board_devices[] = {
	&clint_class, &plic_class, &uart_class, &rtc_class, &syscon_class,
	&virtio_mmio_class, &blk_class, &net_class, &rng_class,
};
const size_t board_ndevices = sizeof(board_devices) / sizeof(board_devices[0]);
