/* A machine: RAM, harts and devices, assembled from a config. Everything a
 * machine owns hangs off struct machine, so several can live in one process. */
#ifndef DOPPEL_VM_MACHINE_H
#define DOPPEL_VM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/bus.h"
#include "cpu/hart.h"
#include "dev/clint.h"
#include "dev/goldfish_rtc.h"
#include "dev/htif.h"
#include "dev/plic.h"
#include "dev/syscon.h"
#include "dev/uart16550.h"
#include "util/error.h"
#include "util/exitreq.h"
#include "util/timebase.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"
#include "virtio/net.h"
#include "vm/board.h"
#include "vm/console.h"
#include "vm/control.h"
#include "vm/sbi.h"

/* Harts a machine can have: the CLINT, the PLIC, the device tree and the
 * saved state are sized for this many (dev/clint.h, dev/plic.h). */
#define MACHINE_MAX_HARTS 64
/* The longest --timeout, in seconds (about 31 years): its nanoseconds
 * fit the host clock's 64 bits with room to spare. */
#define MACHINE_MAX_TIMEOUT_S 1e9

/* QEMU virt loads the kernel here when firmware occupies the start of RAM. */
#define KERNEL_BASE_WITH_FIRMWARE 0x80200000ull

/* A --disk: an image file served by virtio-blk. */
struct disk_config {
	const char *path;
	enum block_format format;
	bool readonly;
};

struct machine_config {
	uint64_t ram_size;
	unsigned ncpus;
	const char *kernel;
	const char *initrd;
	const char *append;        /* kernel command line */
	/* NULL: the built-in SBI, kernel in S-mode; "none": the kernel runs in
	 * M-mode at its entry; otherwise a firmware file run in M-mode. */
	const char *bios;
	const char *dump_dtb;
	/* Virtio devices fill the virtio-mmio slots in this order: the disks
	 * (the first is the guest's vda), the network cards (eth0, eth1, ...),
	 * then the entropy device. */
	struct disk_config disks[VIRTIO_SLOTS];
	unsigned ndisks;
	struct net_config nets[VIRTIO_SLOTS];
	unsigned nnets;
	bool rng;
	double timeout;            /* seconds; 0 = none; at most MACHINE_MAX_TIMEOUT_S */
	bool trace;
	unsigned jit_threshold;    /* translate blocks on this run; 0: never */
	int console_in, console_out;   /* host file descriptors */
	/* The control socket's server (--control), owned by the caller so
	 * that its clients stay connected across guest resets; NULL: none. */
	struct control *control;
};

struct machine {
	struct machine_config cfg;
	struct bus bus;
	uint8_t *ram;
	struct timebase time;
	struct exit_request exit;
	unsigned nharts;
	struct hart *harts[MACHINE_MAX_HARTS];
	struct clint clint;
	struct plic plic;
	struct uart16550 uart;
	struct goldfish_rtc rtc;
	struct syscon syscon;
	struct htif htif;
	struct virtio_mmio virtio[VIRTIO_SLOTS];
	struct virtio_blk disks[VIRTIO_SLOTS];
	unsigned ndisks_open;
	struct virtio_net nics[VIRTIO_SLOTS];
	unsigned nnics_open;
	unsigned nvirtio_used;       /* slots filled, from the first */
	struct console console;
	enum hsm_state hsm[MACHINE_MAX_HARTS];   /* built-in SBI only */
	bool builtin_sbi;
	uint64_t fdt_addr;
	uint64_t initrd_start, initrd_end;
	/* Strings cfg points to when it did not come from the command line:
	 * disk paths set by snapshots and restores, a loaded configuration. */
	char *disk_paths[VIRTIO_SLOTS];
	void *config_keep;
	/* RAM is mapped from a snapshot file (a restore), so pages the guest
	 * never touched hold data, not zeroes (util/pagemap.h). */
	bool ram_file_backed;
	/* Instructions each hart retired since the machine started (counted
	 * by the run loop, unlike the guest-writable minstret). */
	uint64_t retired[MACHINE_MAX_HARTS];
	/* Paused from the control socket: no hart runs and guest time
	 * stands still at paused_time. */
	bool paused;
	uint64_t paused_time;
	/* The last outgoing live migration (vm/migrate.h), or NULL. */
	struct migration *migration;
};

int machine_create(struct machine *m, const struct machine_config *cfg, struct error *err);

/* Everything the guest wrote to its writable disks reaches stable storage. */
int machine_flush_disks(struct machine *m, struct error *err);

/* A guest reset: rebuilds m from its configuration and boots it again. */
int machine_reboot(struct machine *m, struct error *err);

/* Zeroed guest RAM of size bytes (checked as --mem is), or NULL. */
uint8_t *machine_ram_map(uint64_t size, struct error *err);

/* Builds a machine around RAM already filled (taken over, even on failure),
 * loading nothing and resetting no hart: for a restore or an incoming
 * migration, which then applies the saved state. */
int machine_create_restored(struct machine *m, const struct machine_config *cfg, uint8_t *ram,
			    struct error *err);
void machine_destroy(struct machine *m);

/* Runs until a device asks to stop or the timeout passes; the reason and
 * code are in m->exit. */
void machine_run(struct machine *m);

/* Whether hart i runs: always, except a hart the built-in SBI has not
 * started (HSM). */
bool machine_hart_started(const struct machine *m, unsigned i);

/* Stops the harts and guest time ("STOP" event) / lets them go on from
 * the same guest time ("RESUME"). Idempotent; called between slices. */
void machine_pause(struct machine *m);
void machine_resume(struct machine *m);
/* Guest time, standing still while paused. */
uint64_t machine_guest_time(const struct machine *m);

/* The guest console, shared by the UART, the SBI console calls and HTIF. */
void machine_console_write(struct machine *m, const uint8_t *buf, size_t len);
int machine_console_getc(struct machine *m);
/* One byte to the console, for a device's transmit callback. */
void machine_console_tx(void *machine, uint8_t byte);

/* Lets devices catch up with time and host input between run slices. */
void machine_devices_poll(struct machine *m);

/* Builds the flattened device tree describing m into buf. */
int fdt_build(const struct machine *m, void *buf, int size, struct error *err);

#endif
