#include "cpu/bus.h"

#include <errno.h>
#include <string.h>

static bool overlaps(const struct bus_region *r, uint64_t addr, uint64_t len)
{
	return addr < r->base + r->size && r->base < addr + len;
}

static int bus_add(struct bus *bus, struct bus_region r)
{
	if (bus->count == BUS_MAX_REGIONS)
		return -ENOSPC;
	if (r.size == 0 || r.base + r.size < r.base)
		return -EINVAL;
	for (unsigned i = 0; i < bus->count; i++)
		if (!r.host != !bus->regions[i].host && overlaps(&bus->regions[i], r.base, r.size))
			bus->ram_overlaid = true;
	/* RAM first, then devices; bus_find reorders its search when a device
	 * overlays RAM. */
	unsigned at = r.host ? 0 : bus->count;
	memmove(&bus->regions[at + 1], &bus->regions[at],
		(bus->count - at) * sizeof(r));
	bus->regions[at] = r;
	bus->count++;
	return 0;
}

int bus_add_ram(struct bus *bus, uint64_t base, uint64_t size, uint8_t *host)
{
	return bus_add(bus, (struct bus_region){ .base = base, .size = size, .host = host });
}

int bus_add_mmio(struct bus *bus, uint64_t base, uint64_t size,
		 const struct mmio_ops *ops, void *dev)
{
	return bus_add(bus, (struct bus_region){ .base = base, .size = size, .ops = ops, .dev = dev });
}

static bool contains(const struct bus_region *r, uint64_t addr, uint64_t len)
{
	return addr >= r->base && len <= r->size && addr - r->base <= r->size - len;
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t addr, uint64_t len)
{
	if (bus_main_ram(bus, addr, len))
		return &bus->regions[0];
	if (!bus->ram_overlaid) {
		for (unsigned i = 0; i < bus->count; i++)
			if (contains(&bus->regions[i], addr, len))
				return &bus->regions[i];
		return NULL;
	}
	/* Devices first: one covering even part of the range hides the RAM
	 * under it. */
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		if (!r->host && overlaps(r, addr, len))
			return contains(r, addr, len) ? r : NULL;
	}
	for (unsigned i = 0; i < bus->count; i++)
		if (bus->regions[i].host && contains(&bus->regions[i], addr, len))
			return &bus->regions[i];
	return NULL;
}

uint64_t bus_ram_phys(const struct bus *bus, const uint8_t *host)
{
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		if (r->host && host >= r->host && (uint64_t)(host - r->host) < r->size)
			return r->base + (uint64_t)(host - r->host);
	}
	return ~0ull;
}

uint8_t *bus_ram_ptr(const struct bus *bus, uint64_t addr, uint64_t len)
{
	const struct bus_region *r = bus_find(bus, addr, len);
	return r && r->host ? r->host + (addr - r->base) : NULL;
}

uint8_t *bus_ram_page(const struct bus *bus, uint64_t page)
{
	return bus_ram_ptr(bus, page, 4096);
}

bool bus_read(const struct bus *bus, uint64_t addr, unsigned size, uint64_t *val)
{
	const struct bus_region *r = bus_find(bus, addr, size);
	if (!r)
		return false;
	if (r->host) {
		*val = ram_load(r->host + (addr - r->base), size);
		return true;
	}
	return r->ops->read && r->ops->read(r->dev, addr - r->base, size, val);
}

bool bus_write(const struct bus *bus, uint64_t addr, unsigned size, uint64_t val)
{
	const struct bus_region *r = bus_find(bus, addr, size);
	if (!r)
		return false;
	if (r->host) {
		ram_store(r->host + (addr - r->base), size, val);
		return true;
	}
	return r->ops->write && r->ops->write(r->dev, addr - r->base, size, val);
}
