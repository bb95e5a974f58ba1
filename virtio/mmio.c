#include "virtio/mmio.h"

enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
};

/* Registers are 32-bit; a driver reading an empty slot sees device ID 0 and
 * stops there (spec 4.2.3.1.1). Writes are ignored. */
static bool empty_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)dev;
	if (size != 4 || (off & 3))
		return false;
	switch (off) {
	case REG_MAGIC: *val = VIRTIO_MMIO_MAGIC; break;
	case REG_VERSION: *val = VIRTIO_MMIO_VERSION; break;
	case REG_VENDOR_ID: *val = VIRTIO_MMIO_VENDOR; break;
	default: *val = 0; break;
	}
	return true;
}

static bool empty_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)dev;
	(void)val;
	return size == 4 && !(off & 3);
}

const struct mmio_ops virtio_mmio_empty_ops = { .read = empty_read, .write = empty_write };
