/* The memory map and interrupt numbers of QEMU's virt board (hw/riscv/virt.c),
 * which kernels and firmware built for it expect. */
#ifndef DOPPEL_VM_BOARD_H
#define DOPPEL_VM_BOARD_H

#define RAM_BASE        0x80000000ull
#define SYSCON_BASE     0x00100000ull
#define SYSCON_SIZE     0x1000
#define RTC_BASE        0x00101000ull
#define RTC_SIZE        0x1000
#define CLINT_BASE      0x02000000ull
#define PLIC_BASE       0x0c000000ull
#define PLIC_SIZE       0x600000
#define UART_BASE       0x10000000ull
#define UART_SIZE       0x100
#define VIRTIO_BASE     0x10001000ull
#define VIRTIO_SIZE     0x1000
#define VIRTIO_SLOTS    8

#define UART_IRQ        10
#define RTC_IRQ         11
#define VIRTIO_IRQ(n)   (1 + (n))
#define PLIC_NDEV       95      /* sources 1..95 */

#define UART_CLOCK_HZ   3686400

#endif
