/* The machine's state apart from RAM: capturing it, writing it as one
 * section per device (each device's field table, state/fields.h), reading
 * the sections back, and putting the result into a machine. */
#include <errno.h>
#include <string.h>

#include "vm/snapshot.h"

/* Bits of machine_state.loaded, which sections the state holds: one per
 * section instance. */
#define LOADED_CORE (1ull << 0)
#define LOADED_CLINT (1ull << 1)
#define LOADED_PLIC (1ull << 2)
#define LOADED_UART (1ull << 3)
#define LOADED_RTC (1ull << 4)
#define LOADED_HART(i) (1ull << (8 + (i)))
#define LOADED_VIRTIO(i) (1ull << (16 + (i)))
#define LOADED_NIC(i) (1ull << (24 + (i)))

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
	STATE_DESC(STATE_ID('M', 'A', 'C', 'H'), 1, core_fields, core_state_valid);

/* The sections a machine's state is made of. */
static uint64_t machine_state_sections(const struct machine *m)
{
	uint64_t want = LOADED_CORE | LOADED_CLINT | LOADED_PLIC | LOADED_UART | LOADED_RTC;
	for (unsigned i = 0; i < m->nharts; i++)
		want |= LOADED_HART(i);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		want |= LOADED_VIRTIO(i);
	for (unsigned i = 0; i < m->nnics_open; i++)
		want |= LOADED_NIC(i);
	return want;
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
	st->loaded = machine_state_sections(m);
}

void machine_state_save(struct state_writer *w, const struct machine_state *st)
{
	state_save(w, &core_state_desc, 0, &st->core);
	for (unsigned i = 0; i < MACHINE_MAX_HARTS; i++)
		if (st->loaded & LOADED_HART(i))
			state_save(w, &hart_state_desc, i, &st->hart[i]);
	state_save(w, &clint_state_desc, 0, &st->clint);
	state_save(w, &plic_state_desc, 0, &st->plic);
	state_save(w, &uart16550_state_desc, 0, &st->uart);
	state_save(w, &goldfish_rtc_state_desc, 0, &st->rtc);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		state_save(w, &virtio_mmio_state_desc, i, &st->virtio[i]);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		if (st->loaded & LOADED_NIC(i))
			state_save(w, &virtio_net_state_desc, i, &st->nic[i]);
}

/* Where a section goes: its description, its place in st, and its bit. */
struct section_target {
	const struct state_desc *desc;
	void *state;
	size_t size;
	uint64_t bit;
	unsigned instances;
};

static bool find_target(struct machine_state *st, const struct state_section *s,
			struct section_target *t)
{
	unsigned i = s->instance;
	const struct section_target all[] = {
		{ &core_state_desc, &st->core, sizeof(st->core), LOADED_CORE, 1 },
		{ &clint_state_desc, &st->clint, sizeof(st->clint), LOADED_CLINT, 1 },
		{ &plic_state_desc, &st->plic, sizeof(st->plic), LOADED_PLIC, 1 },
		{ &uart16550_state_desc, &st->uart, sizeof(st->uart), LOADED_UART, 1 },
		{ &goldfish_rtc_state_desc, &st->rtc, sizeof(st->rtc), LOADED_RTC, 1 },
		{ &hart_state_desc, &st->hart[i % MACHINE_MAX_HARTS], sizeof(st->hart[0]),
		  LOADED_HART(i % MACHINE_MAX_HARTS), MACHINE_MAX_HARTS },
		{ &virtio_mmio_state_desc, &st->virtio[i % VIRTIO_SLOTS], sizeof(st->virtio[0]),
		  LOADED_VIRTIO(i % VIRTIO_SLOTS), VIRTIO_SLOTS },
		{ &virtio_net_state_desc, &st->nic[i % VIRTIO_SLOTS], sizeof(st->nic[0]),
		  LOADED_NIC(i % VIRTIO_SLOTS), VIRTIO_SLOTS },
	};
	for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		if (all[k].desc->id == s->id) {
			*t = all[k];
			return true;
		}
	}
	return false;
}

int machine_state_load(struct machine_state *st, const struct state_section *s,
		       const uint8_t *payload, struct error *err)
{
	struct section_target t;
	char name[5];

	if (!find_target(st, s, &t))
		return 0;
	state_id_name(s->id, name);
	if (s->instance >= t.instances || (st->loaded & t.bit))
		return error_set(err, EPROTO, "section %s %u is unexpected", name, s->instance);
	int ret = state_load(t.desc, s, payload, t.state, t.size, err);
	if (ret < 0)
		return ret;
	st->loaded |= t.bit;
	return 1;
}

/* Every section the machine needs, and none it cannot use. */
static int check_complete(const struct machine *m, const struct machine_state *st,
			  struct error *err)
{
	uint64_t want = machine_state_sections(m);
	if ((st->loaded & want) != want)
		return error_set(err, EPROTO, "the machine state is incomplete (sections %#llx missing)",
				 (unsigned long long)(want & ~st->loaded));
	if (st->loaded & ~want)
		return error_set(err, EPROTO, "the machine state has sections its configuration lacks");
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
