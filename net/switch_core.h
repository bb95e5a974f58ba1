/* The forwarding logic of the virtual Ethernet switch (`doppel switch`):
 * which ports a frame goes to, learned from the source MAC addresses seen on
 * each port. Plain data, no sockets: the switch process (cli/switch.c) owns
 * the connections and asks this table where each frame goes, so the same
 * logic can later join switches across hosts. */
#ifndef DOPPEL_NET_SWITCH_CORE_H
#define DOPPEL_NET_SWITCH_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWITCH_MAX_PORTS 64
#define SWITCH_MAX_MACS 1024
/* An Ethernet header is 14 bytes; the largest frame is the largest a
 * virtio-net card sends (a 64 KiB GSO segment with its header). */
#define SWITCH_MIN_FRAME 14
#define SWITCH_MAX_FRAME 65550
/* SO_SNDBUF of both ends of a port's connection. A Unix socket's default
 * (net.core.wmem_default, 208 KiB) queues only about a hundred 1514-byte
 * frames, which one guest's TCP stream overruns while the receiving VM is
 * between polls: every frame dropped then costs the stream a retransmission
 * (docs/performance.md, Networking). The kernel caps the request at
 * net.core.wmem_max. */
#define SWITCH_SOCKET_BUFFER (4 << 20)

struct switch_mac_entry {
	uint8_t mac[6];
	uint16_t port;
	bool used;
};

struct switch_core {
	bool port_open[SWITCH_MAX_PORTS];
	struct switch_mac_entry macs[SWITCH_MAX_MACS];
	uint64_t dropped_bad_length;
	uint64_t not_learned_table_full;
};

void switch_core_init(struct switch_core *sw);

/* Opens a port; returns its number, or -1 when all are in use. */
int switch_core_add_port(struct switch_core *sw);

/* Closes a port and forgets the addresses learned on it. */
void switch_core_remove_port(struct switch_core *sw, unsigned port);

/* A frame of len bytes arrived on port `in`: learns its source address and
 * marks in out[] the ports it must go to. Returns how many (0 when the frame
 * is dropped: too short, too long, or for its own port). */
unsigned switch_core_forward(struct switch_core *sw, unsigned in, const uint8_t *frame, size_t len,
			     bool out[SWITCH_MAX_PORTS]);

#endif
