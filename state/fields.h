/* Declarative descriptions of a device's saved state (its plain `struct
 * NAME_state`): one table of fields per device, which the stream writes in
 * order as little-endian integers and reads back, checked: a section must
 * carry the layout version the table names and exactly the bytes it
 * describes, booleans are 0 or 1, and the device's own `valid` check (indexes
 * in range, sizes that are powers of two...) passes before anything is used. */
#ifndef DOPPEL_STATE_FIELDS_H
#define DOPPEL_STATE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/stream.h"

struct state_field {
	const char *name;
	size_t offset;
	unsigned size;               /* of one element: 1, 2, 4 or 8; 0 with sub */
	unsigned count;              /* elements */
	bool boolean;
	/* An array of structs: each element described by sub, stride apart. */
	const struct state_field *sub;
	unsigned nsub;
	size_t stride;
};

#define STATE_MEMBER(T, f) (((T *)0)->f)
#define STATE_COUNT(T, f) (sizeof(STATE_MEMBER(T, f)) / sizeof(STATE_MEMBER(T, f)[0]))

/* An integer field; an array of integers (any dimensions) of element type E;
 * a bool; an array of structs described by the table S. */
#define STATE_INT(T, f) { #f, offsetof(T, f), sizeof(STATE_MEMBER(T, f)), 1, false, NULL, 0, 0 }
#define STATE_INTS(T, f, E) { #f, offsetof(T, f), sizeof(E), sizeof(STATE_MEMBER(T, f)) / sizeof(E), \
			      false, NULL, 0, 0 }
#define STATE_BOOL(T, f) { #f, offsetof(T, f), sizeof(bool), 1, true, NULL, 0, 0 }
#define STATE_STRUCTS(T, f, S) { #f, offsetof(T, f), 0, STATE_COUNT(T, f), false, S, \
				 sizeof(S) / sizeof(S[0]), sizeof(STATE_MEMBER(T, f)[0]) }

struct state_desc {
	uint32_t id;                 /* section id */
	uint32_t version;            /* of this layout */
	const struct state_field *fields;
	unsigned nfields;
	/* Whether a loaded state is one the device can run from; NULL: any. */
	bool (*valid)(const void *state);
};

#define STATE_DESC(ID, VERSION, FIELDS, VALID) \
	{ ID, VERSION, FIELDS, sizeof(FIELDS) / sizeof(FIELDS[0]), VALID }

/* Writes state as one section of desc's id, for the given instance. */
void state_save(struct state_writer *w, const struct state_desc *d, uint32_t instance,
		const void *state);

/* Fills state from a section's payload (whose checksum the reader checked):
 * -EINVAL with a message in err if the version, length, a boolean or the
 * device's validity check is wrong; state is then left unchanged. */
int state_load(const struct state_desc *d, const struct state_section *s, const uint8_t *payload,
	       void *state, size_t state_size, struct error *err);

#endif
