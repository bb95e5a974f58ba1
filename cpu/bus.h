/* The physical address space a hart sees: RAM regions (backed by host memory,
 * reached through the TLB) and MMIO regions (device callbacks). The board
 * fills it; the hart only loads, stores and fetches through it. */
#ifndef DOPPEL_CPU_BUS_H
#define DOPPEL_CPU_BUS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/codemap.h"

#define BUS_MAX_REGIONS 32

/* Device callbacks. size is 1, 2, 4 or 8; off is relative to the region base
 * and already bounds-checked (off + size <= region size). A device returns
 * false to reject the access, which the hart reports as an access fault. */
struct mmio_ops {
	bool (*read)(void *dev, uint64_t off, unsigned size, uint64_t *val);
	bool (*write)(void *dev, uint64_t off, unsigned size, uint64_t val);
};

struct bus_region {
	uint64_t base, size;
	uint8_t *host;                 /* RAM: host memory; NULL for MMIO */
	const struct mmio_ops *ops;    /* MMIO */
	void *dev;
};

struct bus {
	struct bus_region regions[BUS_MAX_REGIONS];
	unsigned count;
	/* Some device overlays RAM (HTIF on tohost): lookups must then try
	 * devices before RAM. Otherwise RAM, the common case, is tried first. */
	bool ram_overlaid;
	/* Code pages of the main RAM (the first RAM region added). */
	struct code_map code;
};

int bus_add_ram(struct bus *bus, uint64_t base, uint64_t size, uint8_t *host);
int bus_add_mmio(struct bus *bus, uint64_t base, uint64_t size,
		 const struct mmio_ops *ops, void *dev);

/* Host pointer for [addr, addr + len) when it lies in the main RAM (the
 * bus keeps RAM regions first; a machine has one) and no device overlays
 * RAM, without a search: the common case of every lookup. NULL otherwise:
 * bus_find decides. */
static inline uint8_t *bus_main_ram(const struct bus *bus, uint64_t addr, uint64_t len)
{
	const struct bus_region *ram = &bus->regions[0];
	uint64_t off = addr - ram->base;
	if (bus->ram_overlaid || !ram->host || off >= ram->size || ram->size - off < len)
		return NULL;
	return ram->host + off;
}

/* A guest access of 1, 2, 4 or 8 bytes to RAM at host pointer p, as one host
 * load or store of that width (a copy of a size known per case compiles to
 * a single move, never a call to memcpy, which may copy in pieces): another
 * hart's thread sees an aligned access whole or not at all, never torn
 * (RVWMO, unprivileged spec chapter 17), even where the caller is
 * not inlined and size is not a constant. */
static inline uint64_t ram_load(const uint8_t *p, unsigned size)
{
	uint8_t b;
	uint16_t hw;
	uint32_t w;
	uint64_t d;

	switch (size) {
	case 1: memcpy(&b, p, 1); return b;
	case 2: memcpy(&hw, p, 2); return hw;
	case 4: memcpy(&w, p, 4); return w;
	default: memcpy(&d, p, 8); return d;
	}
}

static inline void ram_store(uint8_t *p, unsigned size, uint64_t v)
{
	uint8_t b = (uint8_t)v;
	uint16_t hw = (uint16_t)v;
	uint32_t w = (uint32_t)v;

	switch (size) {
	case 1: memcpy(p, &b, 1); break;
	case 2: memcpy(p, &hw, 2); break;
	case 4: memcpy(p, &w, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

/* The region holding [addr, addr + len), or NULL. MMIO regions win over RAM
 * they overlap (a device such as HTIF may sit on a RAM address). */
const struct bus_region *bus_find(const struct bus *bus, uint64_t addr, uint64_t len);

/* Host pointer for a physical page that is plain RAM throughout, or NULL if
 * any part of the page is MMIO or unbacked. */
uint8_t *bus_ram_page(const struct bus *bus, uint64_t page);

/* The physical address of a host pointer into RAM (it must be one). */
uint64_t bus_ram_phys(const struct bus *bus, const uint8_t *host);

/* Host pointer for [addr, addr + len) if it lies in one RAM region. */
uint8_t *bus_ram_ptr(const struct bus *bus, uint64_t addr, uint64_t len);

/* One physical access of 1, 2, 4 or 8 bytes, little-endian. false means
 * nothing answers at that address (an access fault for the hart). */
bool bus_read(const struct bus *bus, uint64_t addr, unsigned size, uint64_t *val);
bool bus_write(const struct bus *bus, uint64_t addr, unsigned size, uint64_t val);

#endif
