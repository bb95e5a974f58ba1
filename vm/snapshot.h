/* The whole machine as a stream (state/stream.h): its configuration, guest
 * RAM, and every hart's and device's state, for snapshots to a file and for
 * live migration. The stream's order: the "CONF" section (the configuration
 * as JSON, disk paths included), page sections ("PAGE", any number, a page
 * may come more than once: the last copy wins), the device sections, "END ".
 * docs/snapshot.md describes the format. */
#ifndef DOPPEL_VM_SNAPSHOT_H
#define DOPPEL_VM_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "state/stream.h"
#include "vm/machine.h"

#define SEC_CONF STATE_ID('C', 'O', 'N', 'F')
#define SEC_PAGE STATE_ID('P', 'A', 'G', 'E')
#define SEC_END STATE_ID('E', 'N', 'D', ' ')

/* The machine's own part: guest time and the harts' SBI states. */
struct machine_core_state {
	uint64_t time;                       /* guest ticks */
	uint32_t nharts;
	uint32_t hsm[MACHINE_MAX_HARTS];     /* built-in SBI only (enum hsm_state) */
};

/* Which sections a machine_state holds (machine_state_load): one flag per
 * section instance, named and sized as the state they describe. */
struct machine_state_loaded {
	bool core, clint, plic, uart, rtc;
	bool hart[MACHINE_MAX_HARTS];
	bool virtio[VIRTIO_SLOTS];
	bool nic[VIRTIO_SLOTS];
};

/* Everything of a machine but its RAM and configuration, as plain data. */
struct machine_state {
	struct machine_core_state core;
	struct hart_state hart[MACHINE_MAX_HARTS];
	struct clint_state clint;
	struct plic_state plic;
	struct uart16550_state uart;
	struct goldfish_rtc_state rtc;
	struct virtio_mmio_state virtio[VIRTIO_SLOTS];
	struct virtio_net_state nic[VIRTIO_SLOTS];
	struct machine_state_loaded loaded;
};

/* Copies the machine's state out (the machine must be stopped between
 * slices: the run loop's thread, or paused). */
void machine_state_capture(const struct machine *m, struct machine_state *st);

/* The configuration as saved: the formats the disks were opened as. */
void machine_config_saved(const struct machine *m, struct machine_config *cfg);

/* Writes the configuration section / all device sections. */
void machine_config_save(struct state_writer *w, const struct machine_config *cfg);
void machine_state_save(struct state_writer *w, const struct machine_state *st);

/* Reads a configuration section back: cfg's strings point into *keep,
 * which machine_config_release frees. */
int machine_config_load(const uint8_t *text, size_t len, struct machine_config *cfg,
			void **keep, struct error *err);
void machine_config_release(void *keep);

/* Takes one device section into st: 1 if it was one, 0 if its id is not a
 * device section's, or -EPROTO with a message. */
int machine_state_load(struct machine_state *st, const struct state_section *s,
		       const uint8_t *payload, struct error *err);

/* Puts a loaded state into a machine built from the same configuration:
 * checks that every section it needs was loaded and that the virtqueues lie
 * in its RAM, then drives every interrupt line from the new state. */
int machine_state_apply(struct machine *m, const struct machine_state *st, struct error *err);

/* Whether a page of RAM is all zeroes (a stream skips those). */
bool ram_page_is_zero(const uint8_t *page);

/* Writes guest RAM as page sections: every page set in bitmap (one bit per
 * page), or with bitmap NULL every page that is not all zeroes, where
 * anonymous says ram is private anonymous memory, whose untouched pages are
 * skipped unread (util/pagemap.h). Returns the number of pages written. */
uint64_t ram_save(struct state_writer *w, const uint8_t *ram, uint64_t pages, const uint64_t *bitmap,
		  bool anonymous, int zstd_level);

/* How a stream is loaded into a new machine. */
struct load_opts {
	/* Host-side settings that are not part of the machine: console fds,
	 * timeout, translator threshold, trace; copied into the config. */
	const struct machine_config *host;
	/* Map uncompressed RAM copy-on-write from the (file) stream. */
	bool map_ram;
	/* Start each writable disk on a new qcow2 overlay over the image the
	 * stream names (a snapshot's disks stay frozen); otherwise open the
	 * images themselves (a migration hands them over). */
	bool disk_overlays;
	const char *snapshot_path;           /* names the overlays */
	/* The stream must name host's disks, and its kernel, initrd and bios
	 * where given (an incoming migration: vm/migrate.h), or is refused
	 * before any file it names is opened. */
	bool expect_host_files;
};

/* Reads a whole stream and builds m from it, ready to run: the guest goes
 * on where it stopped, its clock too. A stream of another format version,
 * truncated, or with a bad checksum fails with one line in err, and m is
 * left destroyed. */
int machine_load(struct machine *m, struct state_reader *r, const struct load_opts *o,
		 struct error *err);

struct snapshot_opts {
	int zstd_level;                      /* 0: uncompressed, mappable */
};

/* What a snapshot wrote. */
struct snapshot_info {
	uint64_t pages;                      /* of RAM, all but zero pages */
	uint64_t bytes;                      /* the file's size */
};

/* Saves the paused machine to path: writable disks are flushed and frozen
 * (the machine goes on writing to a new qcow2 overlay over each, named
 * IMAGE-STEM.SNAPSHOT-STEM.qcow2 beside it), so the snapshot names a disk
 * state that matches its RAM. On failure nothing changes. */
int machine_snapshot(struct machine *m, const char *path, const struct snapshot_opts *o,
		     struct snapshot_info *info, struct error *err);

#endif
