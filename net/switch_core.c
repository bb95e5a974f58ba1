/* Learning and forwarding of the virtual switch, as a transparent bridge does
 * it (IEEE 802.1D 7.7-7.8): remember on which port each source address was
 * seen; send a frame to the port of its destination when known, otherwise
 * flood it to every other port. */
#include "net/switch_core.h"

#include <string.h>

void switch_core_init(struct switch_core *sw)
{
	memset(sw, 0, sizeof(*sw));
}

int switch_core_add_port(struct switch_core *sw)
{
	for (unsigned p = 0; p < SWITCH_MAX_PORTS; p++) {
		if (!sw->port_open[p]) {
			sw->port_open[p] = true;
			return (int)p;
		}
	}
	return -1;
}

void switch_core_remove_port(struct switch_core *sw, unsigned port)
{
	if (port >= SWITCH_MAX_PORTS)
		return;
	sw->port_open[port] = false;
	for (unsigned i = 0; i < SWITCH_MAX_MACS; i++)
		if (sw->macs[i].used && sw->macs[i].port == port)
			sw->macs[i].used = false;
}

static struct switch_mac_entry *lookup(struct switch_core *sw, const uint8_t mac[6])
{
	for (unsigned i = 0; i < SWITCH_MAX_MACS; i++)
		if (sw->macs[i].used && !memcmp(sw->macs[i].mac, mac, 6))
			return &sw->macs[i];
	return NULL;
}

/* A group source address is never a station's: it is not learned. A full
 * table learns nothing more, which only costs flooding. */
static void learn(struct switch_core *sw, const uint8_t src[6], unsigned port)
{
	if (src[0] & 1)
		return;
	struct switch_mac_entry *e = lookup(sw, src);
	if (e) {
		e->port = (uint16_t)port;
		return;
	}
	for (unsigned i = 0; i < SWITCH_MAX_MACS; i++) {
		if (!sw->macs[i].used) {
			sw->macs[i] = (struct switch_mac_entry){ .port = (uint16_t)port, .used = true };
			memcpy(sw->macs[i].mac, src, 6);
			return;
		}
	}
	sw->not_learned_table_full++;
}

unsigned switch_core_forward(struct switch_core *sw, unsigned in, const uint8_t *frame, size_t len,
			     bool out[SWITCH_MAX_PORTS])
{
	memset(out, 0, SWITCH_MAX_PORTS * sizeof(out[0]));
	if (in >= SWITCH_MAX_PORTS || !sw->port_open[in])
		return 0;
	if (len < SWITCH_MIN_FRAME || len > SWITCH_MAX_FRAME) {
		sw->dropped_bad_length++;
		return 0;
	}
	const uint8_t *dst = frame, *src = frame + 6;
	learn(sw, src, in);

	const struct switch_mac_entry *e = (dst[0] & 1) ? NULL : lookup(sw, dst);
	if (e) {
		if (e->port == in)
			return 0;
		out[e->port] = true;
		return 1;
	}
	unsigned n = 0;
	for (unsigned p = 0; p < SWITCH_MAX_PORTS; p++) {
		if (p != in && sw->port_open[p]) {
			out[p] = true;
			n++;
		}
	}
	return n;
}
