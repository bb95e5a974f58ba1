#include "cpu/bus.h"

#include <errno.h>
#include <string.h>

static int bus_add(struct bus *bus, struct bus_region r)
{
	if (bus->count == BUS_MAX_REGIONS)
		return -ENOSPC;
	if (r.size == 0 || r.base + r.size < r.base)
		return -EINVAL;
	/* MMIO first, so that bus_find prefers a device over RAM it overlays. */
	unsigned at = r.host ? bus->count : 0;
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

static bool overlaps(const struct bus_region *r, uint64_t addr, uint64_t len)
{
	return addr < r->base + r->size && r->base < addr + len;
}

static bool contains(const struct bus_region *r, uint64_t addr, uint64_t len)
{
	return addr >= r->base && len <= r->size && addr - r->base <= r->size - len;
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		if (contains(r, addr, len))
			return r;
		/* A device covering only part of the range hides the RAM under it. */
		if (!r->host && overlaps(r, addr, len))
			return NULL;
	}
	return NULL;
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
		uint64_t v = 0;
		memcpy(&v, r->host + (addr - r->base), size);
		*val = v;
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
		memcpy(r->host + (addr - r->base), &val, size);
		return true;
	}
	return r->ops->write && r->ops->write(r->dev, addr - r->base, size, val);
}
