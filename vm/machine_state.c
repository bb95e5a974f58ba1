/* The machine's state apart from RAM: capturing it, writing it as one
 * section per hart and device (each device class's field table,
 * vm/device.h), reading the sections back, and putting the result into a
 * machine. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "vm/device.h"
#include "vm/snapshot.h"

static bool core_state_valid(const void *state)
{
	const struct machine_core_state *s = state;
	if (s->nharts < 1 || s->nharts > MACHINE_MAX_HARTS)
		return false;
	for (unsigned i = 0; i < MACHINE_MAX_HARTS; i++)
		if (s->hsm[i] > HSM_SUSPENDED)
			return false;
	return true;
}

static const struct state_field core_fields[] = {
	STATE_INT(struct machine_core_state, time),
	STATE_INT(struct machine_core_state, nharts),
	STATE_INTS(struct machine_core_state, hsm, uint32_t),
};

static const struct state_desc core_state_desc =
	STATE_DESC(STATE_ID('M', 'A', 'C', 'H'), 2, core_fields, core_state_valid);

/* The machine's own sections, before the devices' in the stream. */
enum { CORE, HART, NCORE_KINDS };
static const struct device_sections core_sections[NCORE_KINDS] = {
	[CORE] = { &core_state_desc, 0, 0, offsetof(struct machine_state, core),
		   sizeof(struct machine_core_state), offsetof(struct machine_state_loaded, core), 1 },
	[HART] = { &hart_state_desc, 0, 0, offsetof(struct machine_state, hart),
		   sizeof(struct hart_state), offsetof(struct machine_state_loaded, hart),
		   MACHINE_MAX_HARTS },
};

/* The kinds of section, in the stream's order: the machine's own, then
 * each device class's that has saved state. */
#define NKINDS (NCORE_KINDS + board_ndevices)

static const struct device_sections *section_kind(size_t k)
{
	if (k < NCORE_KINDS)
		return &core_sections[k];
	const struct device_sections *d = &board_devices[k - NCORE_KINDS]->sections;
	return d->desc ? d : NULL;
}

static unsigned wanted_instances(const struct machine *m, size_t k)
{
	if (k == HART)
		return m->nharts;
	if (k >= NCORE_KINDS && board_devices[k - NCORE_KINDS]->instances)
		return board_devices[k - NCORE_KINDS]->instances(m);
	return section_kind(k)->max_instances;
}

static bool *loaded_flag(struct machine_state_loaded *l, const struct device_sections *k,
			 unsigned i)
{
	return (bool *)((char *)l + k->loaded) + i;
}

static bool was_loaded(const struct machine_state_loaded *l, const struct device_sections *k,
		       unsigned i)
{
	return ((const bool *)((const char *)l + k->loaded))[i];
}

/* The sections a machine's state is made of. */
static void machine_state_sections(const struct machine *m, struct machine_state_loaded *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t k = 0; k < NKINDS; k++) {
		const struct device_sections *kind = section_kind(k);
		for (unsigned i = 0; kind && i < wanted_instances(m, k); i++)
			*loaded_flag(l, kind, i) = true;
	}
}

/* Where instance i of a device's state is in struct machine. */
static size_t live_offset(const struct device_sections *k, unsigned i)
{
	return k->live + i * k->live_stride;
}

static void *saved_state(const struct machine_state *st, const struct device_sections *k,
			 unsigned i)
{
	return (char *)st + k->saved + i * k->saved_size;
}

void machine_state_capture(const struct machine *m, struct machine_state *st)
{
	memset(st, 0, sizeof(*st));
	st->core.time = machine_guest_time(m);
	st->core.nharts = m->nharts;
	for (unsigned i = 0; i < m->nharts; i++) {
		st->hart[i] = m->harts[i]->s;
		st->core.hsm[i] = m->hsm[i];
	}
	for (size_t k = NCORE_KINDS; k < NKINDS; k++) {
		const struct device_sections *kind = section_kind(k);
		for (unsigned i = 0; kind && i < wanted_instances(m, k); i++)
			memcpy(saved_state(st, kind, i), (const char *)m + live_offset(kind, i),
			       kind->saved_size);
	}
	machine_state_sections(m, &st->loaded);
}

void machine_state_save(struct state_writer *w, const struct machine_state *st)
{
	for (size_t k = 0; k < NKINDS; k++) {
		const struct device_sections *kind = section_kind(k);
		for (unsigned i = 0; kind && i < kind->max_instances; i++)
			if (was_loaded(&st->loaded, kind, i))
				state_save(w, kind->desc, i, saved_state(st, kind, i));
	}
}

int machine_state_load(struct machine_state *st, const struct state_section *s,
		       const uint8_t *payload, struct error *err)
{
	const struct device_sections *kind = NULL;
	char name[5];

	for (size_t k = 0; k < NKINDS && !kind; k++)
		if (section_kind(k) && section_kind(k)->desc->id == s->id)
			kind = section_kind(k);
	if (!kind)
		return 0;
	state_id_name(s->id, name);
	if (s->instance >= kind->max_instances || was_loaded(&st->loaded, kind, s->instance))
		return error_set(err, EPROTO, "section %s %u is unexpected", name, s->instance);
	int ret = state_load(kind->desc, s, payload, saved_state(st, kind, s->instance),
			     kind->saved_size, err);
	if (ret < 0)
		return ret;
	*loaded_flag(&st->loaded, kind, s->instance) = true;
	return 1;
}

/* Every section the machine needs, and none it cannot use. */
static int check_complete(const struct machine *m, const struct machine_state *st,
			  struct error *err)
{
	struct machine_state_loaded want;
	char name[5];

	machine_state_sections(m, &want);
	for (size_t k = 0; k < NKINDS; k++) {
		const struct device_sections *kind = section_kind(k);
		if (!kind)
			continue;
		state_id_name(kind->desc->id, name);
		for (unsigned i = 0; i < kind->max_instances; i++) {
			bool wanted = was_loaded(&want, kind, i), got = was_loaded(&st->loaded, kind, i);
			if (wanted && !got)
				return error_set(err, EPROTO, "the machine state is incomplete: "
						 "section %s %u is missing", name, i);
			if (got && !wanted)
				return error_set(err, EPROTO, "the machine state has a section its "
						 "configuration lacks: %s %u", name, i);
		}
	}
	if (st->core.nharts != m->nharts)
		return error_set(err, EPROTO, "the machine state has %u harts, its configuration %u",
				 st->core.nharts, m->nharts);
	return 0;
}

/* What each device class refuses of a loaded state. */
static int check_devices(const struct machine *m, const struct machine_state *st,
			 struct error *err)
{
	for (size_t i = 0; i < board_ndevices; i++) {
		int ret = board_devices[i]->check_state ? board_devices[i]->check_state(m, st, err) : 0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

int machine_state_apply(struct machine *m, const struct machine_state *st, struct error *err)
{
	int ret = check_complete(m, st, err);
	if (ret == 0)
		ret = check_devices(m, st, err);
	if (ret < 0)
		return ret;

	/* The guest's clock goes on from the saved time, never backwards. */
	timebase_set(&m->time, st->core.time);
	for (unsigned i = 0; i < m->nharts; i++) {
		hart_set_state(m->harts[i], &st->hart[i]);
		m->hsm[i] = (enum hsm_state)st->core.hsm[i];
	}
	for (size_t k = NCORE_KINDS; k < NKINDS; k++) {
		const struct device_sections *kind = section_kind(k);
		for (unsigned i = 0; kind && i < wanted_instances(m, k); i++)
			memcpy((char *)m + live_offset(kind, i), saved_state(st, kind, i),
			       kind->saved_size);
	}
	for (size_t i = 0; i < board_ndevices; i++)
		if (board_devices[i]->state_applied)
			board_devices[i]->state_applied(m);
	return 0;
}
