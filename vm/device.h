/* The board's device classes: what the machine does with each kind of
 * device, so that machine.c, machine_state.c, fdt.c and control_commands.c
 * iterate one table (vm/devices.c) instead of naming every device.
 * docs/architecture.md says how to add a device. */
#ifndef DOPPEL_VM_DEVICE_H
#define DOPPEL_VM_DEVICE_H

#include <jansson.h>
#include <stddef.h>

#include "cpu/bus.h"
#include "util/irq.h"
#include "state/fields.h"
#include "util/error.h"

struct machine;
struct machine_config;
struct machine_state;
struct fdt_writer;

/* A class's saved sections: instances of desc, the first at live in
 * struct machine and the others live_stride apart, copied to saved in
 * struct machine_state (saved_size apart) with their flags at loaded in
 * struct machine_state_loaded. */
struct device_sections {
	const struct state_desc *desc;
	size_t live, live_stride;
	size_t saved, saved_size, loaded;
	unsigned max_instances;
};

/* Every hook may be NULL: the class has no such part. */
struct device_class {
	const char *name;
	/* Brings the class's devices up from m->cfg: their MMIO regions on the
	 * bus and their interrupt lines; the devices of the classes before it
	 * in the table exist already. */
	int (*create)(struct machine *m, struct error *err);
	/* Frees what create took; also on a machine whose create failed or
	 * never ran (zeroed). */
	void (*destroy)(struct machine *m);
	/* Catches up with time and host input between run slices. */
	void (*poll)(struct machine *m);
	/* The device tree nodes under /soc, written in the order of base (the
	 * lowest MMIO address of the class). */
	void (*fdt_nodes)(struct fdt_writer *w, const struct machine *m);
	unsigned long long base;
	/* Saved state (desc NULL: none) and how many instances a machine
	 * has (NULL: max_instances). */
	struct device_sections sections;
	unsigned (*instances)(const struct machine *m);
	/* Refuses a loaded state this machine cannot run from. */
	int (*check_state)(const struct machine *m, const struct machine_state *st,
			   struct error *err);
	/* Drives the interrupt lines from a state just put in. */
	void (*state_applied)(struct machine *m);
	/* Its members of the configuration section (vm/config_json.c): adds
	 * them to conf / checks and reads them back into cfg, -1 if they are
	 * malformed. */
	int (*config_save)(const struct machine_config *cfg, json_t *conf);
	int (*config_load)(json_t *conf, struct machine_config *cfg);
	/* Appends one object per device to query-stats' "devices" array. */
	void (*stats)(const struct machine *m, json_t *devices);
};

/* The sections of one device kept as m->DEV.s, or of an array of N devices
 * m->DEV[i].s, saved as machine_state's SAVED (of the same type: the
 * sizes are checked at compile time). */
#define DEVICE_SECTIONS(DESC, DEV, SAVED)                                                  \
	{ &(DESC), offsetof(struct machine, DEV.s), 0, offsetof(struct machine_state, SAVED),  \
	  DEVICE_SAME_SIZE(STATE_MEMBER(struct machine, DEV.s), STATE_MEMBER(struct machine_state, SAVED)), \
	  offsetof(struct machine_state_loaded, SAVED), 1 }
#define DEVICE_SECTIONS_ARRAY(DESC, DEV, SAVED, N)                                          \
	{ &(DESC), offsetof(struct machine, DEV[0].s), sizeof(STATE_MEMBER(struct machine, DEV[0])), \
	  offsetof(struct machine_state, SAVED),                                                \
	  DEVICE_SAME_SIZE(STATE_MEMBER(struct machine, DEV[0].s), STATE_MEMBER(struct machine_state, SAVED[0])), \
	  offsetof(struct machine_state_loaded, SAVED), N }
/* sizeof(A), which must be sizeof(B). */
#define DEVICE_SAME_SIZE(A, B) \
	(sizeof(A) + 0 * sizeof(struct { _Static_assert(sizeof(A) == sizeof(B), "live and saved state differ"); int x; }))

/* For the classes: source src of the PLIC, and a region on the bus (or
 * -ENOSPC with the message). */
struct irq_line device_plic_line(struct machine *m, unsigned src);
int device_add_mmio(struct machine *m, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		    void *dev, struct error *err);

/* The virtio classes (vm/devices_virtio.c). */
extern const struct device_class virtio_mmio_class, virtio_blk_class, virtio_net_class,
	virtio_rng_class;

/* The board's classes, in the order they are created, saved and restored. */
extern const struct device_class *const board_devices[];
extern const size_t board_ndevices;

#endif
