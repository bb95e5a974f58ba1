/* Tests of the board's device-class table (vm/device.h): a saved stream's
 * device sections keep their ids, layout versions, instance counts and
 * order, so that snapshots and migration streams written before the table
 * (and by other versions) still load; and every class has a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/device.h"
#include "vm/snapshot.h"

struct expected_section {
	uint32_t id, version;
	unsigned max_instances;
};

/* docs/snapshot.md: the device sections after MACH and HART, in order. */
static const struct expected_section stream_order[] = {
	{ STATE_ID('C', 'L', 'N', 'T'), 2, 1 },
	{ STATE_ID('P', 'L', 'I', 'C'), 2, 1 },
	{ STATE_ID('U', 'A', 'R', 'T'), 1, 1 },
	{ STATE_ID('R', 'T', 'C', ' '), 1, 1 },
	{ STATE_ID('V', 'M', 'I', 'O'), 1, VIRTIO_SLOTS },
	{ STATE_ID('V', 'N', 'E', 'T'), 1, VIRTIO_SLOTS },
};
#define NEXPECTED (sizeof(stream_order) / sizeof(stream_order[0]))

static void sections_keep_their_ids_versions_and_order(void **state)
{
	size_t n = 0;
	for (size_t i = 0; i < board_ndevices; i++) {
		const struct device_sections *s = &board_devices[i]->sections;
		if (!s->desc)
			continue;
		assert_true(n < NEXPECTED);
		assert_int_equal(s->desc->id, stream_order[n].id);
		assert_int_equal(s->desc->version, stream_order[n].version);
		assert_int_equal(s->max_instances, stream_order[n].max_instances);
		n++;
	}
	assert_int_equal(n, NEXPECTED);
}

/* Each instance's state and flag lie inside struct machine_state. */
static void sections_fit_the_saved_state(void **state)
{
	for (size_t i = 0; i < board_ndevices; i++) {
		const struct device_sections *s = &board_devices[i]->sections;
		if (!s->desc)
			continue;
		assert_true(s->saved + s->max_instances * s->saved_size <=
			    offsetof(struct machine_state, loaded));
		assert_true(s->loaded + s->max_instances <= sizeof(struct machine_state_loaded));
		assert_true(s->live + (s->max_instances - 1) * s->live_stride + s->saved_size <=
			    sizeof(struct machine));
	}
}

static void classes_have_distinct_names(void **state)
{
	for (size_t i = 0; i < board_ndevices; i++) {
		assert_non_null(board_devices[i]->name);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(board_devices[i]->name, board_devices[j]->name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sections_keep_their_ids_versions_and_order),
		cmocka_unit_test(sections_fit_the_saved_state),
		cmocka_unit_test(classes_have_distinct_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
