/* Field tables to and from section payloads. */
#include "state/fields.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t int_get(const uint8_t *p, unsigned size)
{
	switch (size) {
	case 1: return *p;
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static void int_set(uint8_t *p, unsigned size, uint64_t v)
{
	switch (size) {
	case 1: *p = (uint8_t)v; break;
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static void put_fields(struct state_writer *w, const struct state_field *f, unsigned n,
		       const uint8_t *base)
{
	for (unsigned i = 0; i < n; i++) {
		for (unsigned e = 0; e < f[i].count; e++) {
			if (f[i].sub) {
				put_fields(w, f[i].sub, f[i].nsub, base + f[i].offset + e * f[i].stride);
				continue;
			}
			const uint8_t *p = base + f[i].offset + (size_t)e * f[i].size;
			uint64_t v = f[i].boolean ? *(const bool *)p : int_get(p, f[i].size);
			uint8_t le[8];
			for (unsigned b = 0; b < f[i].size; b++)
				le[b] = (uint8_t)(v >> (8 * b));
			state_put(w, le, f[i].size);
		}
	}
}

void state_save(struct state_writer *w, const struct state_desc *d, uint32_t instance,
		const void *state)
{
	state_begin(w, d->id, instance, d->version);
	put_fields(w, d->fields, d->nfields, state);
	state_end(w);
}

/* Returns the name of the first field that is not a valid value, or NULL. */
static const char *get_fields(struct state_cursor *c, const struct state_field *f, unsigned n,
			      uint8_t *base)
{
	for (unsigned i = 0; i < n; i++) {
		for (unsigned e = 0; e < f[i].count; e++) {
			if (f[i].sub) {
				const char *bad = get_fields(c, f[i].sub, f[i].nsub,
							     base + f[i].offset + e * f[i].stride);
				if (bad)
					return bad;
				continue;
			}
			uint8_t le[8] = { 0 };
			uint64_t v = 0;
			state_get(c, le, f[i].size);
			for (unsigned b = 0; b < f[i].size; b++)
				v |= (uint64_t)le[b] << (8 * b);
			uint8_t *p = base + f[i].offset + (size_t)e * f[i].size;
			if (f[i].boolean) {
				if (v > 1)
					return f[i].name;
				*(bool *)p = v;
			} else {
				int_set(p, f[i].size, v);
			}
		}
	}
	return NULL;
}

int state_load(const struct state_desc *d, const struct state_section *s, const uint8_t *payload,
	       void *state, size_t state_size, struct error *err)
{
	char name[5];
	struct state_cursor c = { payload, s->length, 0, false };
	uint8_t *copy = malloc(state_size);
	int ret = 0;

	state_id_name(d->id, name);
	if (!copy)
		return error_set(err, ENOMEM, "out of memory");
	/* Fields the table leaves out (padding) keep the current values. */
	memcpy(copy, state, state_size);
	if (s->version != d->version) {
		ret = error_set(err, EPROTO, "section %s has layout version %u, this doppel reads %u",
				name, s->version, d->version);
		goto out;
	}
	const char *bad = get_fields(&c, d->fields, d->nfields, copy);
	if (c.bad || c.off != c.len)
		ret = error_set(err, EPROTO, "section %s %u has the wrong length", name, s->instance);
	else if (bad)
		ret = error_set(err, EPROTO, "section %s %u: %s is not a boolean", name, s->instance, bad);
	else if (d->valid && !d->valid(copy))
		ret = error_set(err, EPROTO, "section %s %u holds a state the device cannot have", name,
				s->instance);
	else
		memcpy(state, copy, state_size);
out:
	free(copy);
	return ret;
}
