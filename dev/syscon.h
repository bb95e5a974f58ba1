/* The "sifive,test" finisher of QEMU's virt board, which its device tree
 * exposes as a syscon for syscon-poweroff and syscon-reboot: writing a
 * command to offset 0 powers the machine off (with a status) or resets it.
 * It holds no state of its own. */
#ifndef DOPPEL_DEV_SYSCON_H
#define DOPPEL_DEV_SYSCON_H

#include "cpu/bus.h"
#include "util/exitreq.h"

/* The commands (low 16 bits of the write; for FAIL the high 16 bits carry
 * the exit status), which the device tree's poweroff and reboot nodes name. */
#define SYSCON_FINISHER_FAIL  0x3333
#define SYSCON_FINISHER_PASS  0x5555
#define SYSCON_FINISHER_RESET 0x7777

struct syscon {
	struct exit_request *exit;
};

extern const struct mmio_ops syscon_ops;

void syscon_init(struct syscon *sc, struct exit_request *exit);

#endif
