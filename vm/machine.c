/* Board assembly: RAM at 0x80000000, the CLINT, and (for test programs that
 * define tohost) the HTIF; the kernel loaded and each hart placed at its
 * entry with a0 = hart id and a1 = the device tree. */
#include "vm/machine.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/trap.h"
#include "vm/loader.h"

#define FDT_MAX_SIZE 0x10000

static int map_htif(struct machine *m, const struct load_info *li, struct error *err)
{
	if (!li->has_tohost)
		return 0;
	htif_init(&m->htif, m->cfg.console, &m->exit);
	if (bus_add_mmio(&m->bus, li->tohost, 8, &htif_tohost_ops, &m->htif) < 0 ||
	    (li->has_fromhost && li->fromhost != li->tohost &&
	     bus_add_mmio(&m->bus, li->fromhost, 8, &htif_fromhost_ops, &m->htif) < 0))
		return error_set(err, ENOSPC, "too many devices on the bus");
	return 0;
}

static int load_kernel(struct machine *m, struct load_info *li, struct error *err)
{
	struct guest_ram ram = { .host = m->ram, .base = RAM_BASE, .size = m->cfg.ram_size };
	uint8_t *data = NULL;
	uint64_t len = 0;
	int ret = loader_read_file(m->cfg.kernel, &data, &len, err);

	if (ret < 0)
		return ret;
	if (!loader_is_elf(data, len))
		ret = error_set(err, ENOEXEC, "%s: only ELF programs can run with --bios none",
				m->cfg.kernel);
	else
		ret = loader_load_elf(&ram, data, len, li, err);
	if (ret < 0 && err->msg[0] && strncmp(err->msg, m->cfg.kernel, strlen(m->cfg.kernel)))
		ret = error_set(err, err->code, "%s: %.400s", m->cfg.kernel, err->msg);
	free(data);
	return ret;
}

/* Places the device tree at the top of RAM, 8-byte aligned, and writes it to
 * --dump-dtb if asked. */
static int place_fdt(struct machine *m, struct error *err)
{
	static char buf[FDT_MAX_SIZE];
	int ret = fdt_build(m, buf, sizeof(buf), err);
	if (ret < 0)
		return ret;
	uint32_t size = fdt_totalsize(buf);
	m->fdt_addr = (RAM_BASE + m->cfg.ram_size - size) & ~0xfffull;
	memcpy(m->ram + (m->fdt_addr - RAM_BASE), buf, size);
	if (m->cfg.dump_dtb) {
		FILE *f = fopen(m->cfg.dump_dtb, "wb");
		if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0)
			return error_set(err, errno, "cannot write %s: %s", m->cfg.dump_dtb,
					 strerror(errno));
	}
	return 0;
}

int machine_create(struct machine *m, const struct machine_config *cfg, struct error *err)
{
	struct load_info li;
	int ret;

	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (cfg->ncpus < 1 || cfg->ncpus > MACHINE_MAX_HARTS)
		return error_set(err, EINVAL, "--cpus must be 1 to %d", MACHINE_MAX_HARTS);
	if (cfg->ram_size < (1u << 20) || cfg->ram_size > (64ull << 30) || (cfg->ram_size & 0xfff))
		return error_set(err, EINVAL, "--mem must be a multiple of 4 KiB from 1 MiB to 64 GiB");
	m->nharts = cfg->ncpus;
	timebase_init(&m->time);

	/* Anonymous memory costs nothing until the guest touches it. */
	m->ram = mmap(NULL, cfg->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->ram == MAP_FAILED) {
		m->ram = NULL;
		return error_set(err, errno, "cannot allocate %llu MiB of guest RAM: %s",
				 (unsigned long long)(cfg->ram_size >> 20), strerror(errno));
	}
	bus_add_ram(&m->bus, RAM_BASE, cfg->ram_size, m->ram);
	clint_init(&m->clint, m->nharts, &m->time);
	bus_add_mmio(&m->bus, CLINT_BASE, CLINT_SIZE, &clint_ops, &m->clint);

	for (unsigned i = 0; i < m->nharts; i++) {
		m->harts[i] = malloc(sizeof(struct hart));
		if (!m->harts[i])
			return error_set(err, ENOMEM, "out of memory");
		hart_init(m->harts[i], i, &m->bus, &m->time);
		m->harts[i]->stop = &m->exit.pending;
		m->harts[i]->trace = cfg->trace;
		m->clint.msi[i] = (struct irq_line){ irq_word_set, &m->harts[i]->irq_lines, IRQ_MSI };
		m->clint.mti[i] = (struct irq_line){ irq_word_set, &m->harts[i]->irq_lines, IRQ_MTI };
	}

	if (!cfg->kernel)
		return error_set(err, EINVAL, "no program to run: give --kernel FILE");
	if (!cfg->bios || strcmp(cfg->bios, "none") != 0)
		return error_set(err, ENOTSUP,
				 "only --bios none is available: firmware arrives with the virt board");
	ret = load_kernel(m, &li, err);
	if (ret < 0)
		return ret;
	ret = map_htif(m, &li, err);
	if (ret < 0)
		return ret;
	ret = place_fdt(m, err);
	if (ret < 0)
		return ret;
	if (li.high > m->fdt_addr)
		return error_set(err, ENOMEM, "%s does not leave room for the device tree in %llu MiB of RAM",
				 cfg->kernel, (unsigned long long)(cfg->ram_size >> 20));

	for (unsigned i = 0; i < m->nharts; i++) {
		hart_reset(m->harts[i], li.entry);
		m->harts[i]->s.x[10] = i;
		m->harts[i]->s.x[11] = m->fdt_addr;
	}
	return 0;
}

void machine_destroy(struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++)
		free(m->harts[i]);
	if (m->ram)
		munmap(m->ram, m->cfg.ram_size);
	memset(m, 0, sizeof(*m));
}
