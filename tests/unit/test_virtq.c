/* Tests of the virtio-mmio transport and split virtqueues (virtio/mmio.h,
 * virtio/virtq.h) driven through the registers and rings as a driver
 * would: feature negotiation, a request's round trip with its interrupt,
 * indirect tables, EVENT_IDX and NO_INTERRUPT suppression, reset; and
 * hostile rings (buffers outside RAM, loops, lengths that overflow,
 * nested indirect tables, chains too long, a driver running ahead) which
 * must mark the device DEVICE_NEEDS_RESET with a configuration-change
 * interrupt, never reach the device, and never touch memory outside RAM. */
#include "virtio_driver.h"

#define RAM_SIZE (1ull << 20)
#define TEST_DEVICE_ID 42

/* A device that records what it was handed and fills every writable byte. */
struct recorder {
	unsigned calls;
	struct virtq_chain last;
};

static uint64_t recorder_features(const void *dev)
{
	return 0;
}

static int recorder_handle(void *dev, unsigned queue, const struct virtq_chain *c, uint32_t *written)
{
	struct recorder *r = dev;
	uint8_t fill[256];
	memset(fill, 0xab, sizeof(fill));
	r->calls++;
	r->last = *c;
	for (uint64_t off = 0; off < c->writable_len; off += sizeof(fill)) {
		uint64_t n = c->writable_len - off < sizeof(fill) ? c->writable_len - off : sizeof(fill);
		assert_true(virtq_chain_write(c, off, fill, n));
	}
	*written = (uint32_t)c->writable_len;
	return 0;
}

static const struct virtio_device_ops recorder_ops = {
	.device_id = TEST_DEVICE_ID,
	.num_queues = 1,
	.features = recorder_features,
	.handle = recorder_handle,
};

struct fixture {
	struct driver d;
	struct recorder rec;
};

static struct fixture fx;

static int setup_with(void **state, uint64_t ram_size, uint64_t features)
{
	memset(&fx.rec, 0, sizeof(fx.rec));
	driver_start(&fx.d, ram_size, &recorder_ops, &fx.rec, features);
	*state = &fx;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, RAM_SIZE, 1ull << VIRTIO_F_INDIRECT_DESC);
}

static int setup_event_idx(void **state)
{
	return setup_with(state, RAM_SIZE, (1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX));
}

/* A gigabyte of guest RAM (never touched) for buffers whose lengths add up
 * past 32 bits. */
static int setup_big_ram(void **state)
{
	return setup_with(state, 1ull << 30, 1ull << VIRTIO_F_INDIRECT_DESC);
}

static int teardown(void **state)
{
	driver_detach(&((struct fixture *)*state)->d);
	return 0;
}

/* The device refused the chain: marked, interrupt for the config change,
 * nothing handed to the device, nothing used. */
static void assert_refused(struct fixture *f)
{
	assert_true(needs_reset(&f->d));
	assert_int_equal(reg_read(&f->d, REG_INTERRUPT_STATUS) & VIRTIO_INT_CONFIG_CHANGE,
			 VIRTIO_INT_CONFIG_CHANGE);
	assert_true(f->d.irq);
	assert_int_equal(f->rec.calls, 0);
	assert_int_equal(used_idx(&f->d), 0);
}

static void identifies_itself(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg_read(&f->d, 0), VIRTIO_MMIO_MAGIC);
	assert_int_equal(reg_read(&f->d, 4), 2);
	assert_int_equal(reg_read(&f->d, REG_DEVICE_ID), TEST_DEVICE_ID);
	/* QEMU's vendor ID: guests written for its virt board (xv6) insist. */
	assert_int_equal(reg_read(&f->d, REG_VENDOR_ID), 0x554d4551);   /* "QEMU" */
	reg_write(&f->d, REG_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(reg_read(&f->d, REG_DEVICE_FEATURES) & 1, 1);   /* VERSION_1 */
	reg_write(&f->d, REG_QUEUE_SEL, 0);
	assert_int_equal(reg_read(&f->d, REG_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	reg_write(&f->d, REG_QUEUE_SEL, 1);
	assert_int_equal(reg_read(&f->d, REG_QUEUE_NUM_MAX), 0);
	/* Registers are 32-bit only. */
	uint64_t v;
	assert_false(virtio_mmio_ops.read(&f->d.t, 0, 2, &v));
	assert_false(virtio_mmio_ops.read(&f->d.t, 2, 4, &v));
}

static void empty_slot_has_device_id_0(void **state)
{
	struct driver d;
	driver_attach(&d, RAM_SIZE, NULL, NULL);
	assert_int_equal(reg_read(&d, 0), VIRTIO_MMIO_MAGIC);
	assert_int_equal(reg_read(&d, REG_DEVICE_ID), 0);
	reg_write(&d, REG_QUEUE_NOTIFY, 0);
	assert_false(d.irq);
	driver_detach(&d);
}

/* Features the device did not offer are refused; leaving out VERSION_1 is
 * not (as on QEMU, which xv6 relies on). */
static void features_must_be_offered(void **state)
{
	struct driver d;
	driver_attach(&d, RAM_SIZE, &recorder_ops, NULL);
	assert_false(driver_negotiate(&d, (1ull << VIRTIO_F_VERSION_1) | (1ull << 40)));
	reg_write(&d, REG_STATUS, 0);
	assert_false(driver_negotiate(&d, 1ull << 40));
	reg_write(&d, REG_STATUS, 0);
	assert_true(driver_negotiate(&d, 1ull << VIRTIO_F_EVENT_IDX));
	reg_write(&d, REG_STATUS, 0);
	assert_true(driver_negotiate(&d, 0));
	reg_write(&d, REG_STATUS, 0);
	assert_true(driver_negotiate(&d, (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_EVENT_IDX)));
	driver_detach(&d);
}

/* Once FEATURES_OK is set the driver cannot change what it accepted. */
static void features_fixed_after_features_ok(void **state)
{
	struct fixture *f = *state;
	reg_write(&f->d, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(&f->d, REG_DRIVER_FEATURES, 0);
	assert_int_equal(f->d.t.s.driver_features,
			 (1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_F_INDIRECT_DESC));
}

static void notify_of_a_missing_queue(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, 0, 0);
	make_avail(&f->d, 0);
	reg_write(&f->d, REG_QUEUE_NOTIFY, 1);
	reg_write(&f->d, REG_QUEUE_NOTIFY, 0xffffffffu);
	assert_int_equal(f->rec.calls, 0);
	assert_false(f->d.irq);
	assert_false(needs_reset(&f->d));
	notify(&f->d);
	assert_int_equal(f->rec.calls, 1);
}

static void request_round_trip(void **state)
{
	struct fixture *f = *state;
	memset(guest(&f->d, DATA + 0x100), 0, 32);
	put_desc(&f->d, DESC_TABLE, 3, DATA, 16, DESC_F_NEXT, 5);
	put_desc(&f->d, DESC_TABLE, 5, DATA + 0x100, 32, DESC_F_WRITE, 0);
	make_avail(&f->d, 3);
	notify(&f->d);

	assert_int_equal(f->rec.calls, 1);
	assert_int_equal(f->rec.last.n, 2);
	assert_int_equal(f->rec.last.readable_len, 16);
	assert_int_equal(f->rec.last.writable_len, 32);
	assert_int_equal(used_idx(&f->d), 1);
	uint32_t id, len;
	used_elem(&f->d, 0, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 32);
	assert_int_equal(guest(&f->d, DATA + 0x100)[31], 0xab);
	assert_int_equal(guest(&f->d, DATA + 0x100)[32], 0);
	assert_true(f->d.irq);
	assert_int_equal(reg_read(&f->d, REG_INTERRUPT_STATUS), VIRTIO_INT_USED_BUFFER);
	reg_write(&f->d, REG_INTERRUPT_ACK, VIRTIO_INT_USED_BUFFER);
	assert_false(f->d.irq);
	assert_false(needs_reset(&f->d));
}

static void indirect_table(void **state)
{
	struct fixture *f = *state;
	uint64_t table = DATA + 0x1000;
	put_desc(&f->d, table, 0, DATA, 16, DESC_F_NEXT, 2);
	put_desc(&f->d, table, 2, DATA + 0x100, 8, DESC_F_NEXT | DESC_F_WRITE, 1);
	put_desc(&f->d, table, 1, DATA + 0x200, 4, DESC_F_WRITE, 0);
	put_desc(&f->d, DESC_TABLE, 0, table, 3 * 16, DESC_F_INDIRECT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(f->rec.calls, 1);
	assert_int_equal(f->rec.last.n, 3);
	assert_int_equal(f->rec.last.writable_len, 12);
	assert_int_equal(f->rec.last.buf[2].addr, DATA + 0x200);
	assert_int_equal(used_idx(&f->d), 1);
	assert_false(needs_reset(&f->d));
}

static void buffer_outside_ram(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, GUEST_RAM + RAM_SIZE - 8, 16, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void buffer_address_wraps(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, ~0ull - 7, 0x10000, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void descriptor_loop(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, DESC_F_NEXT, 1);
	put_desc(&f->d, DESC_TABLE, 1, DATA, 16, DESC_F_NEXT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void next_beyond_table(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, DESC_F_NEXT, QUEUE_SIZE);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void loop_in_indirect_table(void **state)
{
	struct fixture *f = *state;
	uint64_t table = DATA + 0x1000;
	put_desc(&f->d, table, 0, DATA, 16, DESC_F_NEXT, 1);
	put_desc(&f->d, table, 1, DATA, 16, DESC_F_NEXT, 0);
	put_desc(&f->d, DESC_TABLE, 0, table, 2 * 16, DESC_F_INDIRECT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void indirect_inside_indirect(void **state)
{
	struct fixture *f = *state;
	uint64_t outer = DATA + 0x1000, inner = DATA + 0x2000;
	put_desc(&f->d, inner, 0, DATA, 16, 0, 0);
	put_desc(&f->d, outer, 0, inner, 16, DESC_F_INDIRECT, 0);
	put_desc(&f->d, DESC_TABLE, 0, outer, 16, DESC_F_INDIRECT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void indirect_table_outside_ram(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, GUEST_RAM + RAM_SIZE - 16, 32, DESC_F_INDIRECT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void indirect_not_negotiated(void **state)
{
	struct driver d;
	struct recorder rec = { 0 };
	driver_start(&d, RAM_SIZE, &recorder_ops, &rec, 0);
	put_desc(&d, DATA + 0x1000, 0, DATA, 16, 0, 0);
	put_desc(&d, DESC_TABLE, 0, DATA + 0x1000, 16, DESC_F_INDIRECT, 0);
	make_avail(&d, 0);
	notify(&d);
	assert_true(needs_reset(&d));
	assert_int_equal(rec.calls, 0);
	driver_detach(&d);
}

static void chain_too_long(void **state)
{
	struct fixture *f = *state;
	uint64_t table = DATA + 0x1000;
	for (uint16_t i = 0; i <= VIRTQ_MAX_CHAIN; i++)
		put_desc(&f->d, table, i, DATA, 1, DESC_F_NEXT, (uint16_t)(i + 1));
	put_desc(&f->d, table, VIRTQ_MAX_CHAIN, DATA, 1, 0, 0);
	put_desc(&f->d, DESC_TABLE, 0, table, (VIRTQ_MAX_CHAIN + 1) * 16, DESC_F_INDIRECT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void longest_chain_accepted(void **state)
{
	struct fixture *f = *state;
	uint64_t table = DATA + 0x1000;
	for (uint16_t i = 0; i < VIRTQ_MAX_CHAIN; i++)
		put_desc(&f->d, table, i, DATA, 1, DESC_F_NEXT, (uint16_t)(i + 1));
	put_desc(&f->d, table, VIRTQ_MAX_CHAIN - 1, DATA, 1, 0, 0);
	put_desc(&f->d, DESC_TABLE, 0, table, VIRTQ_MAX_CHAIN * 16, DESC_F_INDIRECT, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_false(needs_reset(&f->d));
	assert_int_equal(f->rec.last.n, VIRTQ_MAX_CHAIN);
}

/* Five buffers just under 1 GiB each: every one in RAM, the sum past what
 * the used ring's 32-bit length can say. */
static void total_length_overflows(void **state)
{
	struct fixture *f = *state;
	for (uint16_t i = 0; i < 5; i++)
		put_desc(&f->d, DESC_TABLE, i, GUEST_RAM, (1u << 30) - 4096,
			 (uint16_t)(i < 4 ? DESC_F_NEXT : 0), (uint16_t)(i + 1));
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void readable_after_writable(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, DESC_F_WRITE | DESC_F_NEXT, 1);
	put_desc(&f->d, DESC_TABLE, 1, DATA + 0x100, 16, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_refused(f);
}

static void head_beyond_table(void **state)
{
	struct fixture *f = *state;
	make_avail(&f->d, QUEUE_SIZE + 3);
	notify(&f->d);
	assert_refused(f);
}

static void driver_runs_ahead(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, 0, 0);
	set_avail_idx(&f->d, QUEUE_SIZE + 1);
	notify(&f->d);
	assert_refused(f);
}

static void rings_outside_ram(void **state)
{
	struct driver d;
	driver_attach(&d, RAM_SIZE, &recorder_ops, NULL);
	assert_true(driver_negotiate(&d, 1ull << VIRTIO_F_VERSION_1));
	driver_setup_queue(&d, DESC_TABLE, AVAIL_RING, GUEST_RAM + RAM_SIZE - 64);
	assert_int_equal(reg_read(&d, REG_QUEUE_READY), 0);
	assert_true(needs_reset(&d));
	assert_true(d.irq);
	driver_detach(&d);
}

static void queue_size_not_power_of_two(void **state)
{
	struct driver d;
	driver_attach(&d, RAM_SIZE, &recorder_ops, NULL);
	assert_true(driver_negotiate(&d, 1ull << VIRTIO_F_VERSION_1));
	reg_write(&d, REG_QUEUE_NUM, 12);
	reg_write(&d, REG_QUEUE_READY, 1);
	assert_int_equal(reg_read(&d, REG_QUEUE_READY), 0);
	assert_true(needs_reset(&d));
	driver_detach(&d);
}

/* After DEVICE_NEEDS_RESET the device serves nothing until a reset; after
 * it, the driver starts over and is served. */
static void reset_recovers(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, ~0ull - 7, 16, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_true(needs_reset(&f->d));
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(f->rec.calls, 0);

	reg_write(&f->d, REG_STATUS, 0);
	assert_int_equal(reg_read(&f->d, REG_STATUS), 0);
	assert_int_equal(reg_read(&f->d, REG_INTERRUPT_STATUS), 0);
	assert_false(f->d.irq);
	memset(guest(&f->d, AVAIL_RING), 0, 0x2000);
	f->d.avail_idx = 0;
	assert_true(driver_negotiate(&f->d, 1ull << VIRTIO_F_VERSION_1));
	driver_setup_queue(&f->d, DESC_TABLE, AVAIL_RING, USED_RING);
	reg_write(&f->d, REG_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(f->rec.calls, 1);
	assert_int_equal(used_idx(&f->d), 1);
}

static void no_interrupt_flag(void **state)
{
	struct fixture *f = *state;
	uint16_t flags = 1;
	memcpy(guest(&f->d, AVAIL_RING), &flags, 2);
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(used_idx(&f->d), 1);
	assert_false(f->d.irq);
}

/* used_event (after the available ring) says after which used entry the
 * driver wants its interrupt; avail_event (after the used ring) is where
 * the device wants its next notification. */
static void event_idx(void **state)
{
	struct fixture *f = *state;
	uint8_t *used_event = guest(&f->d, AVAIL_RING + 4 + 2 * QUEUE_SIZE);
	uint8_t *avail_event = guest(&f->d, USED_RING + 4 + 8 * QUEUE_SIZE);
	uint16_t v = 1, got;
	memcpy(used_event, &v, 2);
	put_desc(&f->d, DESC_TABLE, 0, DATA, 16, 0, 0);

	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(used_idx(&f->d), 1);
	assert_false(f->d.irq);          /* entry 0 used; the driver waits for entry 1 */
	memcpy(&got, avail_event, 2);
	assert_int_equal(got, 1);

	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(used_idx(&f->d), 2);
	assert_true(f->d.irq);
	memcpy(&got, avail_event, 2);
	assert_int_equal(got, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(identifies_itself, setup, teardown),
		cmocka_unit_test(empty_slot_has_device_id_0),
		cmocka_unit_test(features_must_be_offered),
		cmocka_unit_test_setup_teardown(features_fixed_after_features_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(notify_of_a_missing_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(request_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(indirect_table, setup, teardown),
		cmocka_unit_test_setup_teardown(buffer_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(buffer_address_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(descriptor_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(next_beyond_table, setup, teardown),
		cmocka_unit_test_setup_teardown(loop_in_indirect_table, setup, teardown),
		cmocka_unit_test_setup_teardown(indirect_inside_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(indirect_table_outside_ram, setup, teardown),
		cmocka_unit_test(indirect_not_negotiated),
		cmocka_unit_test_setup_teardown(chain_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(longest_chain_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(total_length_overflows, setup_big_ram, teardown),
		cmocka_unit_test_setup_teardown(readable_after_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(head_beyond_table, setup, teardown),
		cmocka_unit_test_setup_teardown(driver_runs_ahead, setup, teardown),
		cmocka_unit_test(rings_outside_ram),
		cmocka_unit_test(queue_size_not_power_of_two),
		cmocka_unit_test_setup_teardown(reset_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(no_interrupt_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(event_idx, setup_event_idx, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
