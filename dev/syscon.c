#include "dev/syscon.h"

void syscon_init(struct syscon *sc, struct exit_request *exit)
{
	sc->exit = exit;
}

/* 16- and 32-bit accesses only, as on QEMU virt (OpenSBI writes 16 bits,
 * Linux's syscon drivers 32); others fault. */
static bool valid_size(unsigned size)
{
	return size == 2 || size == 4;
}

static bool syscon_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	*val = 0;
	return valid_size(size);
}

/* Writes elsewhere than offset 0, and unknown commands, are ignored. */
static bool syscon_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	struct syscon *sc = dev;

	if (!valid_size(size))
		return false;
	if (off != 0)
		return true;
	/* The hart hands over the whole source register: keep the bytes the
	 * store wrote, so a 16-bit write carries no status. */
	val &= size == 2 ? 0xffffull : 0xffffffffull;
	switch (val & 0xffff) {
	case SYSCON_FINISHER_PASS:
		exit_request_raise(sc->exit, EXIT_POWEROFF, 0);
		break;
	case SYSCON_FINISHER_FAIL:
		exit_request_raise(sc->exit, EXIT_POWEROFF, val >> 16);
		break;
	case SYSCON_FINISHER_RESET:
		exit_request_raise(sc->exit, EXIT_RESET, 0);
		break;
	default:
		break;
	}
	return true;
}

const struct mmio_ops syscon_ops = { .read = syscon_read, .write = syscon_write };
