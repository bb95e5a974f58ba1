/* The boot pattern of xv6-riscv (a teaching kernel written for QEMU's virt
 * board, `-bios none`): it finds its disk by QEMU's virtio-mmio vendor ID,
 * sets FEATURES_OK without accepting VERSION_1, and drives the 16550 from
 * interrupts without ever reading IIR, so the THR-empty interrupt stays
 * asserted. Under QEMU it runs; each of the three used to stop it here
 * (a panic, a panic, and a handler entered forever). */
#include "test.h"

#define UART 0x10000000ul
#define UART_IRQ 10
#define VIRTIO0 0x10001000ul
#define PLIC 0x0c000000ul
#define PLIC_ENABLE_CTX0 (PLIC + 0x2000)
#define PLIC_THRESHOLD_CTX0 (PLIC + 0x200000)
#define PLIC_CLAIM_CTX0 (PLIC + 0x200004)

#define RHR 0
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define LSR 5
#define IER_RX_ENABLE 0x01
#define IER_TX_ENABLE 0x02
#define FCR_FIFO_ENABLE 0x01
#define FCR_FIFO_CLEAR 0x06
#define LCR_EIGHT_BITS 0x03
#define LCR_BAUD_LATCH 0x80
#define LSR_RX_READY 0x01
#define LSR_TX_IDLE 0x20

#define VIRTIO_MAGIC 0x000
#define VIRTIO_VERSION 0x004
#define VIRTIO_VENDOR_ID 0x00c
#define VIRTIO_DEVICE_FEATURES 0x010
#define VIRTIO_DRIVER_FEATURES 0x020
#define VIRTIO_STATUS 0x070
#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_FEATURES_OK 8

#define CAUSE_MEI ((1ull << 63) | 11)
#define MIE_MEIE (1 << 11)

/* A bound far above the one or two interrupts each byte can bring. */
#define MAX_UART_INTERRUPTS 1000
#define KERNEL_RUNS_ON 20000

static volatile uint8_t *const uart = (volatile uint8_t *)UART;

static uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static char tx_buf[32];
static volatile unsigned tx_r, tx_w;
static volatile unsigned uart_interrupts;

/* xv6's uartstart: send what is queued while THR is empty. */
static void uartstart(void)
{
	while (tx_r != tx_w && (uart[LSR] & LSR_TX_IDLE))
		uart[THR] = (uint8_t)tx_buf[tx_r++ % sizeof(tx_buf)];
}

/* xv6's uartputc: queue and start, with interrupts off (its lock). */
static void uartputc(char c)
{
	csr_clear(mstatus, MSTATUS_MIE);
	tx_buf[tx_w++ % sizeof(tx_buf)] = c;
	uartstart();
	csr_set(mstatus, MSTATUS_MIE);
}

/* xv6's uartintr: read what came, send what is queued. No IIR read. */
static void uartintr(void)
{
	while (uart[LSR] & LSR_RX_READY)
		(void)uart[RHR];
	uartstart();
}

/* xv6's devintr, in M mode here: claim, handle, complete. */
void mtrap_handler(struct trap_frame *f)
{
	CHECK(f->cause == CAUSE_MEI, 10);
	uint32_t irq = mmio_read32(PLIC_CLAIM_CTX0);
	if (irq == UART_IRQ) {
		CHECK(++uart_interrupts < MAX_UART_INTERRUPTS, 11);
		uartintr();
	}
	if (irq)
		mmio_write32(PLIC_CLAIM_CTX0, irq);
}

/* xv6's virtio_disk_init up to FEATURES_OK, on slot 0: no disk is attached
 * here, but the transport answers the same way. */
static void virtio_disk_init(void)
{
	CHECK(mmio_read32(VIRTIO0 + VIRTIO_MAGIC) == 0x74726976, 1);
	CHECK(mmio_read32(VIRTIO0 + VIRTIO_VERSION) == 2, 2);
	CHECK(mmio_read32(VIRTIO0 + VIRTIO_VENDOR_ID) == 0x554d4551, 3);
	uint32_t status = 0;
	mmio_write32(VIRTIO0 + VIRTIO_STATUS, status);
	status |= STATUS_ACKNOWLEDGE;
	mmio_write32(VIRTIO0 + VIRTIO_STATUS, status);
	status |= STATUS_DRIVER;
	mmio_write32(VIRTIO0 + VIRTIO_STATUS, status);
	/* The low feature word only: VERSION_1 (bit 32) is never accepted. */
	uint32_t features = mmio_read32(VIRTIO0 + VIRTIO_DEVICE_FEATURES);
	features &= ~((1u << 27) | (1u << 28) | (1u << 29));   /* ANY_LAYOUT, INDIRECT, EVENT_IDX */
	mmio_write32(VIRTIO0 + VIRTIO_DRIVER_FEATURES, features);
	status |= STATUS_FEATURES_OK;
	mmio_write32(VIRTIO0 + VIRTIO_STATUS, status);
	CHECK(mmio_read32(VIRTIO0 + VIRTIO_STATUS) & STATUS_FEATURES_OK, 4);
	mmio_write32(VIRTIO0 + VIRTIO_STATUS, 0);
}

/* xv6's uartinit. */
static void uartinit(void)
{
	uart[IER] = 0;
	uart[LCR] = LCR_BAUD_LATCH;
	uart[0] = 0x03;
	uart[1] = 0x00;
	uart[LCR] = LCR_EIGHT_BITS;
	uart[FCR] = FCR_FIFO_ENABLE | FCR_FIFO_CLEAR;
	uart[IER] = IER_TX_ENABLE | IER_RX_ENABLE;
}

/* xv6's plicinit and plicinithart (its context is S mode; M here). */
static void plicinit(void)
{
	mmio_write32(PLIC + 4 * UART_IRQ, 1);
	mmio_write32(PLIC_ENABLE_CTX0, 1u << UART_IRQ);
	mmio_write32(PLIC_THRESHOLD_CTX0, 0);
}

int main(void)
{
	static const char banner[] = "\nxv6 kernel is booting\n\n";

	/* Hart 0 boots, as in xv6's main(); with --cpus N the others wait
	 * here, where xv6's would wait for it to finish. */
	if (csr_read(mhartid) != 0)
		for (;;)
			__asm__ volatile("wfi");
	virtio_disk_init();
	uartinit();
	plicinit();
	csr_set(mie, MIE_MEIE);
	csr_set(mstatus, MSTATUS_MIE);
	for (const char *p = banner; *p; p++)
		uartputc(*p);
	/* The kernel goes on with its work, taking what interrupts come. */
	for (volatile unsigned i = 0; i < KERNEL_RUNS_ON; i++)
		(void)uart[LSR];
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK(tx_r == sizeof(banner) - 1, 5);
	CHECK(uart_interrupts >= 1, 6);
	CHECK(uart_interrupts <= 2 * sizeof(banner), 7);
	return 0;
}
