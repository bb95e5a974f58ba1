/* Tests of virtio-rng (virtio/rng.h) through the transport: random bytes in
 * every writable buffer of a request, up to the per-request bound, and the
 * used length saying how many. */
#include "virtio_driver.h"

#include "virtio/rng.h"

#define RAM_SIZE (1ull << 20)

static struct driver drv;

static int setup(void **state)
{
	driver_start(&drv, RAM_SIZE, &virtio_rng_ops, NULL, 0);
	*state = &drv;
	return 0;
}

static int teardown(void **state)
{
	driver_detach(*state);
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void fills_buffers(void **state)
{
	struct driver *d = *state;
	assert_int_equal(reg_read(d, REG_DEVICE_ID), 4);
	put_desc(d, DESC_TABLE, 0, DATA, 32, DESC_F_WRITE | DESC_F_NEXT, 1);
	put_desc(d, DESC_TABLE, 1, DATA + 0x1000, 32, DESC_F_WRITE, 0);
	make_avail(d, 0);
	notify(d);
	uint32_t id, len;
	assert_int_equal(used_idx(d), 1);
	used_elem(d, 0, &id, &len);
	assert_int_equal(len, 64);
	/* 2^-256 odds of a false failure each. */
	assert_false(all_zero(guest(d, DATA), 32));
	assert_false(all_zero(guest(d, DATA + 0x1000), 32));
	assert_true(d->irq);
}

static void large_request_is_bounded(void **state)
{
	struct driver *d = *state;
	put_desc(d, DESC_TABLE, 0, DATA, 128 * 1024, DESC_F_WRITE, 0);
	make_avail(d, 0);
	notify(d);
	uint32_t id, len;
	used_elem(d, 0, &id, &len);
	assert_int_equal(len, 64 * 1024);
	assert_false(all_zero(guest(d, DATA + 64 * 1024 - 32), 32));
	assert_true(all_zero(guest(d, DATA + 64 * 1024), 64 * 1024));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fills_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(large_request_is_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
