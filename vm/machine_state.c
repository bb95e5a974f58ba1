/* The machine's state apart from RAM: capturing it, writing it as one
 * section per device (each device's field table, state/fields.h), reading
 * the sections back, and putting the result into a machine. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

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

/* How many instances of a kind of section a machine has. */
enum section_count { ONE, PER_HART, PER_SLOT, PER_NIC };

/* A kind of section: where its instances go in struct machine_state (the
 * first at state, the others size apart) and where their flags are in
 * struct machine_state_loaded; at most instances of them. */
struct section_kind {
	const struct state_desc *desc;
	size_t state, size, loaded;
	unsigned instances;
	enum section_count count;
};

#define SECTION_KIND(DESC, FIELD, N, COUNT)                                             \
	{ &DESC, offsetof(struct machine_state, FIELD),                                  \
	  sizeof(STATE_MEMBER(struct machine_state, FIELD)) / (N),                       \
	  offsetof(struct machine_state_loaded, FIELD), N, COUNT }

/* In the stream's order. */
static const struct section_kind section_kinds[] = {
	SECTION_KIND(core_state_desc, core, 1, ONE),
	SECTION_KIND(hart_state_desc, hart, MACHINE_MAX_HARTS, PER_HART),
	SECTION_KIND(clint_state_desc, clint, 1, ONE),
	SECTION_KIND(plic_state_desc, plic, 1, ONE),
	SECTION_KIND(uart16550_state_desc, uart, 1, ONE),
	SECTION_KIND(goldfish_rtc_state_desc, rtc, 1, ONE),
	SECTION_KIND(virtio_mmio_state_desc, virtio, VIRTIO_SLOTS, PER_SLOT),
	SECTION_KIND(virtio_net_state_desc, nic, VIRTIO_SLOTS, PER_NIC),
};
#define NKINDS (sizeof(section_kinds) / sizeof(section_kinds[0]))

static unsigned wanted_instances(const struct machine *m, const struct section_kind *k)
{
	switch (k->count) {
	case PER_HART: return m->nharts;
	case PER_SLOT: return VIRTIO_SLOTS;
	case PER_NIC: return m->nnics_open;
	case ONE: break;
	}
	return 1;
}

static bool *loaded_flag(struct machine_state_loaded *l, const struct section_kind *k, unsigned i)
{
	return (bool *)((char *)l + k->loaded) + i;
}

static bool was_loaded(const struct machine_state_loaded *l, const struct section_kind *k,
		       unsigned i)
{
	return ((const bool *)((const char *)l + k->loaded))[i];
}

/* The sections a machine's state is made of. */
static void machine_state_sections(const struct machine *m, struct machine_state_loaded *l)
{
	memset(l, 0, sizeof(*l));
	for (size_t k = 0; k < NKINDS; k++)
		for (unsigned i = 0; i < wanted_instances(m, &section_kinds[k]); i++)
			*loaded_flag(l, &section_kinds[k], i) = true;
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
	st->clint = m->clint.s;
	st->plic = m->plic.s;
	st->uart = m->uart.s;
	st->rtc = m->rtc.s;
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		st->virtio[i] = m->virtio[i].s;
	for (unsigned i = 0; i < m->nnics_open; i++)
		st->nic[i] = m->nics[i].s;
	machine_state_sections(m, &st->loaded);
}

void machine_state_save(struct state_writer *w, const struct machine_state *st)
{
	for (size_t k = 0; k < NKINDS; k++) {
		const struct section_kind *kind = &section_kinds[k];
		for (unsigned i = 0; i < kind->instances; i++)
			if (was_loaded(&st->loaded, kind, i))
				state_save(w, kind->desc, i,
					   (const char *)st + kind->state + i * kind->size);
	}
}

int machine_state_load(struct machine_state *st, const struct state_section *s,
		       const uint8_t *payload, struct error *err)
{
	const struct section_kind *kind = NULL;
	char name[5];

	for (size_t k = 0; k < NKINDS && !kind; k++)
		if (section_kinds[k].desc->id == s->id)
			kind = &section_kinds[k];
	if (!kind)
		return 0;
	state_id_name(s->id, name);
	if (s->instance >= kind->instances || was_loaded(&st->loaded, kind, s->instance))
		return error_set(err, EPROTO, "section %s %u is unexpected", name, s->instance);
	int ret = state_load(kind->desc, s, payload,
			     (char *)st + kind->state + (size_t)s->instance * kind->size, kind->size,
			     err);
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
		const struct section_kind *kind = &section_kinds[k];
		state_id_name(kind->desc->id, name);
		for (unsigned i = 0; i < kind->instances; i++) {
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

/* A device's queues must lie in this machine's RAM; an empty slot has no
 * state at all. */
static int check_virtio(const struct machine *m, const struct machine_state *st,
			struct error *err)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		const struct virtio_mmio_state *v = &st->virtio[i];
		unsigned nq = m->virtio[i].ops ? m->virtio[i].ops->num_queues : 0;
		if (!m->virtio[i].ops && v->status != 0)
			return error_set(err, EPROTO, "virtio slot %u is empty but has a state", i);
		for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
			if (!v->queue[q].ready)
				continue;
			if (q >= nq || !virtq_valid(&m->bus, &v->queue[q]))
				return error_set(err, EPROTO, "virtio slot %u queue %u lies outside "
						 "guest RAM", i, q);
		}
	}
	return 0;
}

int machine_state_apply(struct machine *m, const struct machine_state *st, struct error *err)
{
	int ret = check_complete(m, st, err);
	if (ret == 0)
		ret = check_virtio(m, st, err);
	if (ret < 0)
		return ret;

	/* The guest's clock goes on from the saved time, never backwards. */
	timebase_set(&m->time, st->core.time);
	for (unsigned i = 0; i < m->nharts; i++) {
		hart_set_state(m->harts[i], &st->hart[i]);
		m->hsm[i] = (enum hsm_state)st->core.hsm[i];
	}
	m->clint.s = st->clint;
	m->plic.s = st->plic;
	m->uart.s = st->uart;
	m->rtc.s = st->rtc;
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		m->virtio[i].s = st->virtio[i];
	for (unsigned i = 0; i < m->nnics_open; i++)
		m->nics[i].s = st->nic[i];

	clint_drive_lines(&m->clint);
	plic_update(&m->plic);
	uart16550_update_irq(&m->uart);
	goldfish_rtc_update(&m->rtc);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		virtio_mmio_update_irq(&m->virtio[i]);
	return 0;
}
