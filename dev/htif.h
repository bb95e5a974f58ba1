/* The host-target interface of the RISC-V test suites (as on Spike): the
 * program writes commands to its `tohost` word. Device 0 with bit 0 set ends
 * the run with status value >> 1; device 1 command 1 prints a byte. The host
 * then clears tohost, which the program waits for. */
#ifndef DOPPEL_DEV_HTIF_H
#define DOPPEL_DEV_HTIF_H

#include "cpu/bus.h"
#include "util/exitreq.h"

struct htif_state {
	uint64_t tohost, fromhost;
};

struct htif {
	struct htif_state s;
	void (*tx)(void *opaque, uint8_t byte);   /* console output */
	void *opaque;
	struct exit_request *exit;
};

/* Two 8-byte registers: map tohost and fromhost at their symbols' addresses. */
extern const struct mmio_ops htif_tohost_ops;
extern const struct mmio_ops htif_fromhost_ops;

void htif_init(struct htif *ht, void (*tx)(void *opaque, uint8_t byte), void *opaque,
	       struct exit_request *exit);

#endif
