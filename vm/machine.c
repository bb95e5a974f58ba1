/* Board assembly: RAM at 0x80000000 and the devices of QEMU's virt board;
 * the kernel, initrd, device tree and firmware placed in RAM; the harts set
 * up for one of three ways to boot (built-in SBI, firmware, or bare). */
#include "vm/machine.h"

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm/device.h"
#include "vm/loader.h"
#include "vm/migrate.h"
#include "vm/snapshot.h"

/* The device tree's room at the top of RAM: a 64-hart tree takes about
 * half of it. */
#define FDT_MAX_SIZE 0x10000
_Static_assert(MACHINE_MAX_HARTS <= CLINT_MAX_HARTS && MACHINE_MAX_HARTS <= PLIC_MAX_HARTS,
	       "the CLINT or the PLIC has fewer harts than a machine");
_Static_assert(PLIC_MMIO_SIZE(MACHINE_MAX_HARTS) <= PLIC_SIZE,
	       "the PLIC's window lacks the contexts of some harts");
/* OpenSBI's fw_dynamic handoff (docs/firmware/fw_dynamic.md in OpenSBI). */
#define FW_DYNAMIC_MAGIC 0x4942534full
#define FW_DYNAMIC_VERSION 2
#define FW_DYNAMIC_NEXT_MODE_S 1

void machine_console_write(struct machine *m, const uint8_t *buf, size_t len)
{
	console_write(&m->console, buf, len);
}

int machine_console_getc(struct machine *m)
{
	return console_getc(&m->console);
}

void machine_console_tx(void *machine, uint8_t byte)
{
	machine_console_write(machine, &byte, 1);
}

static struct guest_ram guest_ram(const struct machine *m)
{
	return (struct guest_ram){ .host = m->ram, .base = RAM_BASE, .size = m->cfg.ram_size };
}

static int map_htif(struct machine *m, const struct load_info *li, struct error *err)
{
	if (!li->has_tohost)
		return 0;
	htif_init(&m->htif, machine_console_tx, m, &m->exit);
	if (bus_add_mmio(&m->bus, li->tohost, 8, &htif_tohost_ops, &m->htif) < 0 ||
	    (li->has_fromhost && li->fromhost != li->tohost &&
	     bus_add_mmio(&m->bus, li->fromhost, 8, &htif_fromhost_ops, &m->htif) < 0))
		return error_set(err, ENOSPC, "too many devices on the bus");
	return 0;
}

/* Loads an ELF, an Image, or (anything else) a flat binary at flat_addr. */
static int load_program(struct machine *m, const char *path, uint64_t flat_addr,
			struct load_info *li, struct error *err)
{
	struct guest_ram ram = guest_ram(m);
	uint8_t *data = NULL;
	uint64_t len = 0;
	int ret = loader_read_file(path, &data, &len, err);

	if (ret < 0)
		return ret;
	if (len == 0)
		ret = error_set(err, ENOEXEC, "%s is empty", path);
	else if (loader_is_elf(data, len))
		ret = loader_load_elf(&ram, data, len, li, err);
	else if (loader_is_image(data, len))
		ret = loader_load_image(&ram, data, len, li, err);
	else
		ret = loader_load_flat(&ram, flat_addr, data, len, li, err);
	free(data);
	if (ret < 0 && strncmp(err->msg, path, strlen(path)) != 0) {
		/* The message is its own argument: copy it out first. */
		char msg[sizeof(err->msg)];
		memcpy(msg, err->msg, sizeof(msg));
		error_set(err, err->code, "%s: %.400s", path, msg);
	}
	return ret;
}

/* Puts the initrd as high in RAM as it goes, below top (the device tree),
 * and above everything loaded so far. */
static int place_initrd(struct machine *m, uint64_t top, uint64_t floor, struct error *err)
{
	uint8_t *data = NULL;
	uint64_t len = 0;
	int ret = loader_read_file(m->cfg.initrd, &data, &len, err);

	if (ret < 0)
		return ret;
	uint64_t start = (top - len) & ~0xfffull;
	if (len > top - RAM_BASE || start < floor) {
		ret = error_set(err, EFBIG, "%s (%llu MiB) does not fit in RAM above the kernel: give more --mem",
				m->cfg.initrd, (unsigned long long)(len >> 20));
	} else {
		memcpy(m->ram + (start - RAM_BASE), data, len);
		m->initrd_start = start;
		m->initrd_end = start + len;
	}
	free(data);
	return ret;
}

/* Builds the device tree into the top of RAM and writes it to --dump-dtb. */
static int place_fdt(struct machine *m, struct error *err)
{
	char *buf = malloc(FDT_MAX_SIZE);
	if (!buf)
		return error_set(err, ENOMEM, "out of memory");
	int ret = fdt_build(m, buf, FDT_MAX_SIZE, err);
	if (ret < 0)
		goto out;
	uint32_t size = fdt_totalsize(buf);
	memcpy(m->ram + (m->fdt_addr - RAM_BASE), buf, size);
	if (m->cfg.dump_dtb) {
		FILE *f = fopen(m->cfg.dump_dtb, "wb");
		bool written = f && fwrite(buf, 1, size, f) == size;
		if ((f && fclose(f) != 0) || !written)
			ret = error_set(err, errno ? errno : EIO, "cannot write %s: %s",
					m->cfg.dump_dtb, strerror(errno ? errno : EIO));
	}
out:
	free(buf);
	return ret;
}

/* The board's devices, class by class (vm/devices.c). */
static int create_devices(struct machine *m, struct error *err)
{
	for (size_t i = 0; i < board_ndevices; i++) {
		int ret = board_devices[i]->create ? board_devices[i]->create(m, err) : 0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

void machine_devices_poll(struct machine *m)
{
	for (size_t i = 0; i < board_ndevices; i++)
		if (board_devices[i]->poll)
			board_devices[i]->poll(m);
}

/* Loads everything and sets up the harts for the chosen way to boot. */
static int boot(struct machine *m, struct error *err)
{
	const struct machine_config *cfg = &m->cfg;
	bool bare = cfg->bios && strcmp(cfg->bios, "none") == 0;
	bool firmware = cfg->bios && !bare;
	struct load_info kernel, fw = { 0 };
	int ret;

	if (!cfg->kernel && !firmware)
		return error_set(err, EINVAL, "nothing to run: give --kernel FILE");
	if (firmware) {
		ret = load_program(m, cfg->bios, RAM_BASE, &fw, err);
		if (ret < 0)
			return ret;
	}
	memset(&kernel, 0, sizeof(kernel));
	if (cfg->kernel) {
		ret = load_program(m, cfg->kernel, firmware ? KERNEL_BASE_WITH_FIRMWARE : RAM_BASE,
				   &kernel, err);
		if (ret < 0)
			return ret;
		if (firmware && kernel.low < fw.high)
			return error_set(err, EINVAL, "%s overlaps the firmware %s",
					 cfg->kernel, cfg->bios);
	}
	if (bare) {
		ret = map_htif(m, &kernel, err);
		if (ret < 0)
			return ret;
	}

	/* The device tree goes at the top of RAM, the initrd below it. */
	uint64_t floor = kernel.high > fw.high ? kernel.high : fw.high;
	m->fdt_addr = RAM_BASE + cfg->ram_size - FDT_MAX_SIZE;
	if (m->fdt_addr < floor)
		return error_set(err, EFBIG, "the programs leave no room in RAM: give more --mem");
	if (cfg->initrd) {
		ret = place_initrd(m, m->fdt_addr - 4096, floor, err);
		if (ret < 0)
			return ret;
	}
	m->builtin_sbi = !cfg->bios;
	ret = place_fdt(m, err);
	if (ret < 0)
		return ret;

	for (unsigned i = 0; i < m->nharts; i++) {
		hart_reset(m->harts[i], firmware ? fw.entry : kernel.entry);
		m->harts[i]->s.x[10] = i;
		m->harts[i]->s.x[11] = m->fdt_addr;
	}
	if (firmware) {
		/* fw_dynamic reads where to go next from a structure at a2. */
		uint64_t info_addr = m->fdt_addr - 64;
		uint64_t info[6] = { FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION,
				     kernel.entry ? kernel.entry : KERNEL_BASE_WITH_FIRMWARE,
				     FW_DYNAMIC_NEXT_MODE_S, 0, 0 };
		memcpy(m->ram + (info_addr - RAM_BASE), info, sizeof(info));
		for (unsigned i = 0; i < m->nharts; i++)
			m->harts[i]->s.x[12] = info_addr;
	} else if (m->builtin_sbi) {
		sbi_boot(m, kernel.entry, m->fdt_addr);
	}
	return 0;
}

uint8_t *machine_ram_map(uint64_t size, struct error *err)
{
	if (size < (16u << 20) || size > (64ull << 30) || (size & 0xfffff)) {
		error_set(err, EINVAL, "--mem must be whole MiB from 16 MiB to 64 GiB");
		return NULL;
	}
	/* Anonymous memory costs nothing until the guest touches it. */
	uint8_t *ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		error_set(err, errno, "cannot allocate %llu MiB of guest RAM: %s",
			  (unsigned long long)(size >> 20), strerror(errno));
		return NULL;
	}
	/* Huge pages: a guest touching its RAM faults 512 times less often. A
	 * host without them still works. */
	madvise(ram, size, MADV_HUGEPAGE);
	return ram;
}

/* RAM, harts and devices: everything but what is loaded into RAM. Takes
 * ram (machine_ram_map'd) over, even on failure. */
static int machine_build(struct machine *m, const struct machine_config *cfg, uint8_t *ram,
			 struct error *err)
{
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->ram = ram;
	if (cfg->ncpus < 1 || cfg->ncpus > MACHINE_MAX_HARTS)
		return error_set(err, EINVAL, "a machine has 1 to %d harts, not %u", MACHINE_MAX_HARTS,
				 cfg->ncpus);
	m->nharts = cfg->ncpus;
	timebase_init(&m->time);
	console_init(&m->console, cfg->console_in, cfg->console_out);
	bus_add_ram(&m->bus, RAM_BASE, cfg->ram_size, m->ram);
	if (code_map_init(&m->bus.code, m->ram, cfg->ram_size) < 0)
		return error_set(err, ENOMEM, "out of memory");

	for (unsigned i = 0; i < m->nharts; i++) {
		m->harts[i] = malloc(sizeof(struct hart));
		if (!m->harts[i] || hart_init(m->harts[i], i, &m->bus, &m->time) < 0)
			return error_set(err, ENOMEM, "out of memory");
		m->harts[i]->stop = &m->exit.pending;
		m->harts[i]->trace = cfg->trace;
		m->harts[i]->jit_threshold = cfg->trace ? 0 : cfg->jit_threshold;
	}
	m->builtin_sbi = !cfg->bios;
	if (m->builtin_sbi)
		sbi_attach(m);
	return create_devices(m, err);
}

int machine_create(struct machine *m, const struct machine_config *cfg, struct error *err)
{
	uint8_t *ram = machine_ram_map(cfg->ram_size, err);
	if (!ram) {
		memset(m, 0, sizeof(*m));
		return -err->code;
	}
	int ret = machine_build(m, cfg, ram, err);
	return ret < 0 ? ret : boot(m, err);
}

int machine_flush_disks(struct machine *m, struct error *err)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		int ret = m->disks[i].bd->readonly ? 0 : block_flush(m->disks[i].bd);
		if (ret < 0)
			return error_set(err, -ret, "cannot flush %s: %s", m->cfg.disks[i].path,
					 strerror(-ret));
	}
	return 0;
}

int machine_reboot(struct machine *m, struct error *err)
{
	struct machine_config cfg = m->cfg;
	char *paths[VIRTIO_SLOTS];
	void *keep = m->config_keep;

	/* cfg's strings may live in m: keep them across the rebuild. */
	memcpy(paths, m->disk_paths, sizeof(paths));
	memset(m->disk_paths, 0, sizeof(m->disk_paths));
	m->config_keep = NULL;
	machine_destroy(m);
	int ret = machine_create(m, &cfg, err);
	memcpy(m->disk_paths, paths, sizeof(paths));
	m->config_keep = keep;
	return ret;
}

int machine_create_restored(struct machine *m, const struct machine_config *cfg, uint8_t *ram,
			    struct error *err)
{
	return machine_build(m, cfg, ram, err);
}

void machine_destroy(struct machine *m)
{
	migrate_destroy(m);
	for (size_t i = 0; i < board_ndevices; i++)
		if (board_devices[i]->destroy)
			board_devices[i]->destroy(m);
	for (unsigned i = 0; i < m->nharts; i++) {
		if (m->harts[i])
			hart_destroy(m->harts[i]);
		free(m->harts[i]);
	}
	code_map_destroy(&m->bus.code);
	if (m->ram)
		munmap(m->ram, m->cfg.ram_size);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		free(m->disk_paths[i]);
	if (m->config_keep)
		machine_config_release(m->config_keep);
	memset(m, 0, sizeof(*m));
}
