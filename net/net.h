/* Network backends: where a NIC's Ethernet frames go and come from (user-mode
 * NAT through libslirp, or a virtual switch). A backend knows nothing of
 * virtio: it takes frames, hands frames to a callback, and names the file
 * descriptors and the deadline the run loop must poll for it, so that it
 * never blocks the harts. */
#ifndef DOPPEL_NET_NET_H
#define DOPPEL_NET_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define NET_MAX_HOSTFWD 8

/* A frame arriving for the NIC; the callback copies it before returning. */
typedef void (*net_receive_fn)(void *opaque, const uint8_t *frame, size_t len);
/* Whether the NIC has room for a frame now. */
typedef bool (*net_can_receive_fn)(void *opaque);

/* hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT (addresses
 * in network order; 0 means any host address, or the guest's DHCP address). */
struct net_hostfwd {
	bool udp;
	uint32_t host_addr, guest_addr;
	uint16_t host_port, guest_port;
};

/* sun_path's size in struct sockaddr_un. */
#define NET_SOCKET_PATH_MAX 108

enum net_type { NET_USER, NET_SWITCH };

/* A --net: the backend and the NIC's MAC address. */
struct net_config {
	enum net_type type;
	char switch_path[NET_SOCKET_PATH_MAX];  /* NET_SWITCH: the switch's socket */
	uint8_t mac[6];
	bool mac_given;
	struct net_hostfwd fwd[NET_MAX_HOSTFWD];
	unsigned nfwd;
	/* NET_USER: whether the guest reaches the host's loopback (127.0.0.1)
	 * as 10.0.2.2. Off by default: services there (a migration target, a
	 * database, a desktop's agents) trust whoever is on this host, and the
	 * guest is not. */
	bool host_loopback;
};

struct net_backend;

struct net_backend_ops {
	/* Sends one frame out. A frame the backend cannot take is dropped,
	 * as a real network would. */
	void (*send)(struct net_backend *nb, const uint8_t *frame, size_t len);
	/* Adds the descriptors to poll to fds (at most max; returns how many)
	 * and lowers *timeout_ns to the backend's next deadline. */
	unsigned (*poll_fill)(struct net_backend *nb, struct pollfd *fds, unsigned max,
			      uint64_t *timeout_ns);
	/* After poll (fds as filled, with revents; error: poll failed):
	 * serves what is ready and the timers that are due. */
	void (*poll_done)(struct net_backend *nb, const struct pollfd *fds, unsigned n, int error);
	void (*close)(struct net_backend *nb);
};

struct net_backend {
	const struct net_backend_ops *ops;
	net_receive_fn receive;
	void *opaque;
};

/* Parses the argument of --net: user[,mac=52:54:00:xx:xx:xx][,hostfwd=...]
 * [,host-loopback=on|off] (QEMU's syntax, and slirp4netns's opt-in to the
 * host's loopback) or switch:PATH[,mac=...]. Returns 0, or -EINVAL with the reason in err. */
int net_config_parse(const char *arg, struct net_config *cfg, struct error *err);

/* Opens a user-mode NAT backend (net/slirp.c) as cfg describes: the guest
 * network 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, DHCP from 10.0.2.15.
 * Frames for the guest go to receive. */
int net_slirp_open(const struct net_config *cfg, net_receive_fn receive, void *opaque,
		     struct net_backend **out, struct error *err);

/* Opens a port on the virtual switch listening at cfg->switch_path
 * (net/switch.c, `doppel switch`). Frames for the guest go to receive;
 * while can_receive says no, they wait in the socket (and the switch drops
 * what no longer fits there). */
int net_switch_open(const struct net_config *cfg, net_receive_fn receive,
		    net_can_receive_fn can_receive, void *opaque, struct net_backend **out,
		    struct error *err);

#endif
