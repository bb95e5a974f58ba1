/* Loading a machine from a stream: a snapshot file or an incoming
 * migration. Nothing is built until the configuration is read; the devices
 * are built once the last section has arrived (a migrating source writes to
 * its disks until then), and the saved state goes in last. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm/overlay.h"
#include "vm/snapshot.h"

/* Everything read so far, before a machine exists. */
struct incoming {
	struct machine_config cfg;
	void *config_keep;
	uint8_t *ram;
	struct machine_state st;
	char *overlays[VIRTIO_SLOTS];
};

static void incoming_free(struct incoming *in, bool keep_overlays)
{
	if (in->ram)
		munmap(in->ram, in->cfg.ram_size);
	if (in->config_keep)
		machine_config_release(in->config_keep);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		if (in->overlays[i] && !keep_overlays)
			unlink(in->overlays[i]);
		free(in->overlays[i]);
	}
}

/* Whether a file the stream names is the one the operator named (NULL:
 * none). Names, not files, are compared: nothing the stream names is opened
 * before it has passed. */
static bool same_file_name(const char *stream, const char *expected)
{
	return stream && expected ? strcmp(stream, expected) == 0 : stream == expected;
}

static int check_file(const char *what, const char *stream, const char *expected,
		      const char *name, struct error *err)
{
	if (!expected || same_file_name(stream, expected))
		return 0;
	return error_set(err, EACCES, "%s: the stream names %s %.200s, not %.200s: refused", name,
			 what, stream ? stream : "(none)", expected);
}

/* The stream must name exactly the disks the operator expects: the same
 * paths in the same order, read-only alike, and the same format (the one
 * given, or else what the expected file holds), so that it cannot have the
 * guest write to any other file, or read a qcow2 image as raw and rewrite
 * its backing file name. Its kernel, initrd and bios (read at a guest
 * reset) must be the operator's where given. */
static int check_expected(const struct machine_config *cfg, const struct machine_config *host,
			  const char *name, struct error *err)
{
	if (cfg->ndisks != host->ndisks)
		return error_set(err, EACCES, "%s: the stream names %u disks, not the %u expected: "
				 "refused", name, cfg->ndisks, host->ndisks);
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		const struct disk_config *d = &cfg->disks[i], *want = &host->disks[i];
		enum block_format format = want->format;
		if (!same_file_name(d->path, want->path))
			return error_set(err, EACCES, "%s: the stream names disk %u %.200s, not %.200s: "
					 "refused", name, i, d->path, want->path);
		if (d->readonly != want->readonly)
			return error_set(err, EACCES, "%s: the stream has disk %u %.200s %s, not %s: "
					 "refused", name, i, d->path, d->readonly ? "read-only" : "writable",
					 want->readonly ? "read-only" : "writable");
		if (format == BLOCK_FMT_AUTO) {
			int ret = block_probe(want->path, &format, err);
			if (ret < 0)
				return ret;
		}
		if (d->format != format)
			return error_set(err, EACCES, "%s: the stream has disk %u %.200s as %s, not %s: "
					 "refused", name, i, d->path, block_format_name(d->format),
					 block_format_name(format));
	}
	int ret = check_file("kernel", cfg->kernel, host->kernel, name, err);
	if (ret == 0)
		ret = check_file("initrd", cfg->initrd, host->initrd, name, err);
	if (ret == 0)
		ret = check_file("bios", cfg->bios, host->bios, name, err);
	return ret;
}

static int read_config(struct state_reader *r, const struct load_opts *o, struct incoming *in,
		       struct error *err)
{
	struct state_section s;
	uint8_t *payload;
	int ret = state_read_section(r, &s, err);
	if (ret < 0)
		return ret;
	if (s.id != SEC_CONF)
		return error_set(err, EPROTO, "%s: the stream does not start with its configuration",
				 r->name);
	ret = state_read_payload(r, &s, &payload, err);
	if (ret < 0)
		return ret;
	ret = machine_config_load(payload, s.length, &in->cfg, &in->config_keep, err);
	free(payload);
	if (ret < 0)
		return ret;
	if (in->cfg.bios && strcmp(in->cfg.bios, "none") == 0)
		return error_set(err, EPROTO, "%s: a --bios none machine cannot be restored", r->name);
	if (o->expect_host_files) {
		ret = check_expected(&in->cfg, o->host, r->name, err);
		if (ret < 0)
			return ret;
	}
	/* Host-side settings come from this command line. */
	in->cfg.timeout = o->host->timeout;
	in->cfg.trace = o->host->trace;
	in->cfg.jit_threshold = o->host->jit_threshold;
	in->cfg.console_in = o->host->console_in;
	in->cfg.console_out = o->host->console_out;
	in->cfg.control = o->host->control;
	in->ram = machine_ram_map(in->cfg.ram_size, err);
	return in->ram ? 0 : -err->code;
}

static int read_sections(struct state_reader *r, const struct load_opts *o, struct incoming *in,
			 struct error *err)
{
	uint64_t pages = in->cfg.ram_size / STATE_PAGE_SIZE;
	bool map = o->map_ram && (r->flags & STATE_F_FILE);

	for (;;) {
		struct state_section s;
		uint8_t *payload;
		uint64_t n;
		int ret = state_read_section(r, &s, err);
		if (ret < 0)
			return ret;
		if (s.id == SEC_PAGE) {
			ret = state_read_pages(r, &s, in->ram, pages, map, &n, err);
			if (ret < 0)
				return ret;
			continue;
		}
		ret = state_read_payload(r, &s, &payload, err);
		if (ret < 0)
			return ret;
		if (s.id == SEC_END) {
			free(payload);
			return s.length == 0 ? 0 : error_set(err, EPROTO, "%s: malformed end", r->name);
		}
		ret = machine_state_load(&in->st, &s, payload, err);
		free(payload);
		if (ret == 0) {
			char name[5];
			state_id_name(s.id, name);
			return error_set(err, EPROTO, "%s: unknown section %s", r->name, name);
		}
		if (ret < 0) {
			/* The message is its own argument: copy it out first. */
			char msg[sizeof(err->msg)];
			memcpy(msg, err->msg, sizeof(msg));
			return error_set(err, EPROTO, "%s: %.400s", r->name, msg);
		}
	}
}

/* A restored machine writes to overlays of its own over the frozen images. */
static int make_overlays(const struct load_opts *o, struct incoming *in, struct error *err)
{
	char tag[256];
	overlay_stem(o->snapshot_path, tag, sizeof(tag));
	for (unsigned i = 0; i < in->cfg.ndisks; i++) {
		struct disk_config *d = &in->cfg.disks[i];
		struct block_dev *bd;
		if (d->readonly)
			continue;
		/* The frozen image's size; opening it also checks it is there. */
		int ret = block_open(d->path, d->format, true, &bd, err);
		if (ret < 0)
			return ret;
		uint64_t size = bd->size;
		block_close(bd);
		ret = overlay_create(d->path, d->format, size, tag, true, &in->overlays[i], err);
		if (ret < 0)
			return ret;
		d->path = in->overlays[i];
		d->format = BLOCK_FMT_QCOW2;
	}
	return 0;
}

int machine_load(struct machine *m, struct state_reader *r, const struct load_opts *o,
		 struct error *err)
{
	struct incoming in;
	memset(&in, 0, sizeof(in));
	memset(m, 0, sizeof(*m));

	int ret = read_config(r, o, &in, err);
	if (ret == 0)
		ret = read_sections(r, o, &in, err);
	if (ret == 0 && o->disk_overlays)
		ret = make_overlays(o, &in, err);
	if (ret < 0) {
		incoming_free(&in, false);
		return ret;
	}
	ret = machine_create_restored(m, &in.cfg, in.ram, err);
	in.ram = NULL;
	m->config_keep = in.config_keep;
	in.config_keep = NULL;
	memcpy(m->disk_paths, in.overlays, sizeof(m->disk_paths));
	memset(in.overlays, 0, sizeof(in.overlays));
	m->ram_file_backed = o->map_ram && (r->flags & STATE_F_FILE);
	if (ret == 0)
		ret = machine_state_apply(m, &in.st, err);
	if (ret < 0) {
		for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
			if (m->disk_paths[i])
				unlink(m->disk_paths[i]);
		machine_destroy(m);
	}
	incoming_free(&in, true);
	return ret;
}
