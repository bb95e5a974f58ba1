/* Tests of the virtual switch's forwarding (net/switch_core.h): flooding
 * what it has not learned, unicast to the learned port, port removal, and
 * frames it must drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "net/switch_core.h"

static const uint8_t MAC_A[6] = { 0x52, 0x54, 0x00, 0, 0, 1 };
static const uint8_t MAC_B[6] = { 0x52, 0x54, 0x00, 0, 0, 2 };
static const uint8_t BROADCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static uint8_t frame[SWITCH_MAX_FRAME + 1];

static const uint8_t *eth(const uint8_t dst[6], const uint8_t src[6])
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	return frame;
}

/* Ports 0, 1 and 2 open. */
static struct switch_core *three_ports(void)
{
	static struct switch_core sw;
	switch_core_init(&sw);
	for (int p = 0; p < 3; p++)
		assert_int_equal(switch_core_add_port(&sw), p);
	return &sw;
}

static void test_unknown_destination_floods_other_ports(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	assert_int_equal(switch_core_forward(sw, 0, eth(MAC_B, MAC_A), 60, out), 2);
	assert_false(out[0]);
	assert_true(out[1]);
	assert_true(out[2]);
}

static void test_learned_destination_goes_to_its_port_only(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	switch_core_forward(sw, 1, eth(BROADCAST, MAC_B), 60, out);
	assert_int_equal(switch_core_forward(sw, 0, eth(MAC_B, MAC_A), 60, out), 1);
	assert_true(out[1]);
	assert_false(out[2]);
	/* And the answer goes back to where A was seen. */
	assert_int_equal(switch_core_forward(sw, 1, eth(MAC_A, MAC_B), 60, out), 1);
	assert_true(out[0]);
}

static void test_broadcast_floods_even_when_learned(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	switch_core_forward(sw, 1, eth(MAC_A, MAC_B), 60, out);
	assert_int_equal(switch_core_forward(sw, 0, eth(BROADCAST, MAC_A), 60, out), 2);
	assert_true(out[1] && out[2]);
}

static void test_station_that_moves_is_relearned(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	switch_core_forward(sw, 1, eth(BROADCAST, MAC_B), 60, out);
	switch_core_forward(sw, 2, eth(BROADCAST, MAC_B), 60, out);
	assert_int_equal(switch_core_forward(sw, 0, eth(MAC_B, MAC_A), 60, out), 1);
	assert_true(out[2]);
	assert_false(out[1]);
}

static void test_frame_for_its_own_port_is_not_sent_back(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	switch_core_forward(sw, 0, eth(BROADCAST, MAC_B), 60, out);
	assert_int_equal(switch_core_forward(sw, 0, eth(MAC_B, MAC_A), 60, out), 0);
}

static void test_removed_port_forgets_its_addresses(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	switch_core_forward(sw, 1, eth(BROADCAST, MAC_B), 60, out);
	switch_core_remove_port(sw, 1);
	/* B is unknown again: flooded, but not to the closed port. */
	assert_int_equal(switch_core_forward(sw, 0, eth(MAC_B, MAC_A), 60, out), 1);
	assert_false(out[1]);
	assert_true(out[2]);
	assert_int_equal(switch_core_forward(sw, 1, eth(MAC_A, MAC_B), 60, out), 0);
	/* The free port is handed out again. */
	assert_int_equal(switch_core_add_port(sw), 1);
}

static void test_bad_lengths_are_dropped_and_counted(void **state)
{
	struct switch_core *sw = three_ports();
	bool out[SWITCH_MAX_PORTS];
	assert_int_equal(switch_core_forward(sw, 0, eth(BROADCAST, MAC_A), SWITCH_MIN_FRAME - 1, out), 0);
	assert_int_equal(switch_core_forward(sw, 0, eth(BROADCAST, MAC_A), SWITCH_MAX_FRAME + 1, out), 0);
	assert_int_equal(sw->dropped_bad_length, 2);
	assert_int_equal(switch_core_forward(sw, 0, eth(BROADCAST, MAC_A), SWITCH_MAX_FRAME, out), 2);
	/* A group source address is not learned. */
	switch_core_forward(sw, 1, eth(MAC_A, BROADCAST), 60, out);
	assert_int_equal(switch_core_forward(sw, 0, eth(BROADCAST, MAC_A), 60, out), 2);
	assert_int_equal(switch_core_forward(sw, 2, eth(BROADCAST, BROADCAST), 60, out), 2);
	assert_true(out[0] && out[1]);
}

static void test_ports_run_out(void **state)
{
	struct switch_core sw;
	switch_core_init(&sw);
	for (int p = 0; p < SWITCH_MAX_PORTS; p++)
		assert_int_equal(switch_core_add_port(&sw), p);
	assert_int_equal(switch_core_add_port(&sw), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_destination_floods_other_ports),
		cmocka_unit_test(test_learned_destination_goes_to_its_port_only),
		cmocka_unit_test(test_broadcast_floods_even_when_learned),
		cmocka_unit_test(test_station_that_moves_is_relearned),
		cmocka_unit_test(test_frame_for_its_own_port_is_not_sent_back),
		cmocka_unit_test(test_removed_port_forgets_its_addresses),
		cmocka_unit_test(test_bad_lengths_are_dropped_and_counted),
		cmocka_unit_test(test_ports_run_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
