#include "dev/htif.h"

#include <string.h>

#define HTIF_DEV_SYSCALL 0
#define HTIF_DEV_CONSOLE 1
#define HTIF_CONSOLE_PUTC 1

void htif_init(struct htif *ht, void (*tx)(void *opaque, uint8_t byte), void *opaque,
	       struct exit_request *exit)
{
	memset(ht, 0, sizeof(*ht));
	ht->tx = tx;
	ht->opaque = opaque;
	ht->exit = exit;
}

static void htif_command(struct htif *ht)
{
	uint64_t v = ht->s.tohost;
	unsigned dev = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;

	if (dev == HTIF_DEV_CONSOLE && cmd == HTIF_CONSOLE_PUTC) {
		ht->tx(ht->opaque, (uint8_t)v);
		ht->s.tohost = 0;
	} else if (dev == HTIF_DEV_SYSCALL && (v & 1)) {
		/* The status keeps all its bits; the caller maps it to a process
		 * exit status. */
		exit_request_raise(ht->exit, EXIT_POWEROFF, (v << 8) >> 9);
	} else {
		/* Commands this host does not serve are acknowledged and ignored. */
		ht->s.tohost = 0;
	}
}

static bool reg_access(uint64_t *reg, uint64_t off, unsigned size, uint64_t *val, bool write)
{
	unsigned char *bytes = (unsigned char *)reg;
	if (write)
		memcpy(bytes + off, val, size);
	else {
		*val = 0;
		memcpy(val, bytes + off, size);
	}
	return true;
}

static bool tohost_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct htif *ht = dev;
	return reg_access(&ht->s.tohost, off, size, val, false);
}

static bool tohost_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct htif *ht = dev;
	reg_access(&ht->s.tohost, off, size, &val, true);
	/* A command is complete once its low word is written: 32-bit programs
	 * write the high word first. */
	if (off == 0 && ht->s.tohost)
		htif_command(ht);
	return true;
}

static bool fromhost_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	struct htif *ht = dev;
	return reg_access(&ht->s.fromhost, off, size, val, false);
}

static bool fromhost_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct htif *ht = dev;
	return reg_access(&ht->s.fromhost, off, size, &val, true);
}

const struct mmio_ops htif_tohost_ops = { .read = tohost_read, .write = tohost_write };
const struct mmio_ops htif_fromhost_ops = { .read = fromhost_read, .write = fromhost_write };
