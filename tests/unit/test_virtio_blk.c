/* Tests of virtio-blk (virtio/blk.h) on an in-memory disk, through the
 * transport as a driver would: the configuration space and features, each
 * request type and its status, requests outside the disk or of partial
 * sectors, read-only disks, data split over odd buffers, and a chain with
 * no room for the status byte. */
#include "virtio_driver.h"

#include "virtio/blk.h"

#define RAM_SIZE (1ull << 20)
#define DISK_SECTORS 128
#define HEADER (DATA)
#define STATUS (DATA + 0x100)
#define BUFFER (DATA + 0x1000)

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define T_DISCARD 11
#define T_WRITE_ZEROES 13
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2

struct mem_disk {
	struct block_dev bd;
	uint8_t data[DISK_SECTORS * 512];
	unsigned flushes;
	uint64_t discarded_off, discarded_len;
};

/* The device model promises its backend whole sectors (block/block.h). */
static void assert_sectors(uint64_t off, uint64_t len)
{
	assert_int_equal(off % 512, 0);
	assert_int_equal(len % 512, 0);
}

static int mem_read(struct block_dev *bd, uint64_t off, void *buf, size_t len)
{
	assert_sectors(off, len);
	memcpy(buf, ((struct mem_disk *)bd)->data + off, len);
	return 0;
}

static int mem_write(struct block_dev *bd, uint64_t off, const void *buf, size_t len)
{
	assert_sectors(off, len);
	memcpy(((struct mem_disk *)bd)->data + off, buf, len);
	return 0;
}

static int mem_flush(struct block_dev *bd)
{
	((struct mem_disk *)bd)->flushes++;
	return 0;
}

static int mem_discard(struct block_dev *bd, uint64_t off, uint64_t len)
{
	struct mem_disk *d = (struct mem_disk *)bd;
	d->discarded_off = off;
	d->discarded_len = len;
	return 0;
}

static int mem_write_zeroes(struct block_dev *bd, uint64_t off, uint64_t len, bool may_unmap)
{
	memset(((struct mem_disk *)bd)->data + off, 0, len);
	return 0;
}

static int mem_close(struct block_dev *bd)
{
	return 0;
}

static const struct block_ops mem_ops = {
	.read = mem_read, .write = mem_write, .flush = mem_flush, .discard = mem_discard,
	.write_zeroes = mem_write_zeroes, .close = mem_close,
};

struct fixture {
	struct driver d;
	struct mem_disk disk;
	struct virtio_blk blk;
};

static struct fixture fx;

static int setup_disk(void **state, bool readonly)
{
	memset(&fx.disk, 0, sizeof(fx.disk));
	fx.disk.bd = (struct block_dev){ .ops = &mem_ops, .format = BLOCK_FMT_RAW,
					 .size = sizeof(fx.disk.data), .readonly = readonly };
	for (size_t i = 0; i < sizeof(fx.disk.data); i++)
		fx.disk.data[i] = (uint8_t)(i / 512 + 1);
	virtio_blk_init(&fx.blk, &fx.disk.bd, "a-serial-number-longer-than-20");
	driver_start(&fx.d, RAM_SIZE, &virtio_blk_ops, &fx.blk,
		     (1ull << VIRTIO_F_INDIRECT_DESC) | (1ull << VIRTIO_F_EVENT_IDX));
	*state = &fx;
	return 0;
}

static int setup(void **state)
{
	return setup_disk(state, false);
}

static int setup_readonly(void **state)
{
	return setup_disk(state, true);
}

/* xv6's driver (virtio_disk.c, for QEMU's virt board): it takes the low
 * feature word minus what it does not implement and never writes the high
 * one, so VERSION_1 is not accepted; it panics unless FEATURES_OK sticks. */
static int setup_xv6(void **state)
{
	static const unsigned unwanted[] = { 5 /* RO */, 7 /* SCSI */, 11 /* CONFIG_WCE */,
					     12 /* MQ */, 27 /* ANY_LAYOUT */,
					     VIRTIO_F_EVENT_IDX, VIRTIO_F_INDIRECT_DESC };
	memset(&fx.disk, 0, sizeof(fx.disk));
	fx.disk.bd = (struct block_dev){ .ops = &mem_ops, .format = BLOCK_FMT_RAW,
					 .size = sizeof(fx.disk.data) };
	for (size_t i = 0; i < sizeof(fx.disk.data); i++)
		fx.disk.data[i] = (uint8_t)(i / 512 + 1);
	virtio_blk_init(&fx.blk, &fx.disk.bd, "xv6");
	driver_attach(&fx.d, RAM_SIZE, &virtio_blk_ops, &fx.blk);

	uint32_t status = 0;
	reg_write(&fx.d, REG_STATUS, status);
	status |= VIRTIO_STATUS_ACKNOWLEDGE;
	reg_write(&fx.d, REG_STATUS, status);
	status |= VIRTIO_STATUS_DRIVER;
	reg_write(&fx.d, REG_STATUS, status);
	uint32_t features = reg_read(&fx.d, REG_DEVICE_FEATURES);
	for (size_t i = 0; i < sizeof(unwanted) / sizeof(unwanted[0]); i++)
		features &= ~(1u << unwanted[i]);
	reg_write(&fx.d, REG_DRIVER_FEATURES, features);
	status |= VIRTIO_STATUS_FEATURES_OK;
	reg_write(&fx.d, REG_STATUS, status);
	assert_true(reg_read(&fx.d, REG_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(fx.d.t.s.driver_features >> 32, 0);

	reg_write(&fx.d, REG_QUEUE_SEL, 0);
	assert_int_equal(reg_read(&fx.d, REG_QUEUE_READY), 0);
	assert_true(reg_read(&fx.d, REG_QUEUE_NUM_MAX) >= QUEUE_SIZE);
	driver_setup_queue(&fx.d, DESC_TABLE, AVAIL_RING, USED_RING);
	assert_int_equal(reg_read(&fx.d, REG_QUEUE_READY), 1);
	status |= VIRTIO_STATUS_DRIVER_OK;
	reg_write(&fx.d, REG_STATUS, status);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	virtio_blk_close(&f->blk);
	driver_detach(&f->d);
	return 0;
}

static void put_header(struct fixture *f, uint32_t type, uint64_t sector)
{
	uint8_t *h = guest(&f->d, HEADER);
	memset(h, 0, 16);
	memcpy(h, &type, 4);
	memcpy(h + 8, &sector, 8);
}

/* Sends header, then data (if len) readable or writable, then a status
 * byte; returns the status and sets *used to the used ring's length. */
static uint8_t submit(struct fixture *f, uint32_t type, uint64_t sector, uint32_t len,
		      bool data_writable, uint32_t *used)
{
	uint16_t next = 1;
	put_header(f, type, sector);
	*guest(&f->d, STATUS) = 0xff;
	put_desc(&f->d, DESC_TABLE, 0, HEADER, 16, DESC_F_NEXT, 1);
	if (len)
		put_desc(&f->d, DESC_TABLE, next++, BUFFER, len,
			 (uint16_t)(DESC_F_NEXT | (data_writable ? DESC_F_WRITE : 0)), 2);
	put_desc(&f->d, DESC_TABLE, next, STATUS, 1, DESC_F_WRITE, 0);
	uint16_t before = used_idx(&f->d);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(used_idx(&f->d), (uint16_t)(before + 1));
	uint32_t id;
	used_elem(&f->d, before, &id, used);
	assert_int_equal(id, 0);
	assert_false(needs_reset(&f->d));
	return *guest(&f->d, STATUS);
}

static uint64_t config(struct fixture *f, uint32_t off, unsigned size)
{
	uint64_t v = 0;
	assert_true(virtio_mmio_ops.read(&f->d.t, REG_CONFIG + off, size, &v));
	return v;
}

static uint64_t device_features(struct fixture *f)
{
	reg_write(&f->d, REG_DEVICE_FEATURES_SEL, 0);
	uint64_t lo = reg_read(&f->d, REG_DEVICE_FEATURES);
	reg_write(&f->d, REG_DEVICE_FEATURES_SEL, 1);
	return lo | (uint64_t)reg_read(&f->d, REG_DEVICE_FEATURES) << 32;
}

static void config_space(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(reg_read(&f->d, REG_DEVICE_ID), 2);
	assert_int_equal(config(f, 0, 8), DISK_SECTORS);
	assert_int_equal(config(f, 0, 4), DISK_SECTORS);
	assert_int_equal(config(f, 20, 4), 512);          /* blk_size */
	assert_int_equal(config(f, 12, 4), VIRTQ_MAX_CHAIN - 2);
	uint64_t v;
	assert_false(virtio_mmio_ops.read(&f->d.t, REG_CONFIG + 60, 1, &v));
	uint64_t feat = device_features(f);
	assert_true(feat & (1u << 9));                    /* FLUSH */
	assert_true(feat & (1u << 13));                   /* DISCARD */
	assert_false(feat & (1u << 5));                   /* RO */
}

static void read_sectors(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, T_IN, 3, 1024, true, &used), S_OK);
	assert_int_equal(used, 1025);
	assert_int_equal(guest(&f->d, BUFFER)[0], 4);
	assert_int_equal(guest(&f->d, BUFFER)[1023], 5);
}

static void write_sectors(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	memset(guest(&f->d, BUFFER), 0x5a, 512);
	assert_int_equal(submit(f, T_OUT, DISK_SECTORS - 1, 512, false, &used), S_OK);
	assert_int_equal(used, 1);
	assert_int_equal(f->disk.data[(DISK_SECTORS - 1) * 512], 0x5a);
	assert_int_equal(f->disk.data[(DISK_SECTORS - 1) * 512 - 1], DISK_SECTORS - 1);
}

/* Data may be split anywhere; the backend still sees whole sectors. */
static void data_over_odd_buffers(void **state)
{
	struct fixture *f = *state;
	put_header(f, T_IN, 0);
	put_desc(&f->d, DESC_TABLE, 0, HEADER, 16, DESC_F_NEXT, 1);
	put_desc(&f->d, DESC_TABLE, 1, BUFFER, 100, DESC_F_NEXT | DESC_F_WRITE, 2);
	put_desc(&f->d, DESC_TABLE, 2, BUFFER + 0x1000, 923, DESC_F_NEXT | DESC_F_WRITE, 3);
	/* The status shares the last buffer with data. */
	put_desc(&f->d, DESC_TABLE, 3, BUFFER + 0x2000, 2, DESC_F_WRITE, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_int_equal(guest(&f->d, BUFFER)[99], 1);
	assert_int_equal(guest(&f->d, BUFFER + 0x1000)[411], 1);
	assert_int_equal(guest(&f->d, BUFFER + 0x1000)[412], 2);
	assert_int_equal(guest(&f->d, BUFFER + 0x2000)[0], 2);
	assert_int_equal(guest(&f->d, BUFFER + 0x2000)[1], S_OK);
}

static void beyond_the_end(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, T_IN, DISK_SECTORS - 1, 1024, true, &used), S_IOERR);
	assert_int_equal(submit(f, T_OUT, ~0ull, 512, false, &used), S_IOERR);
	assert_int_equal(submit(f, T_IN, 0, 100, true, &used), S_IOERR);
}

static void flush(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, T_FLUSH, 0, 0, false, &used), S_OK);
	assert_int_equal(f->disk.flushes, 1);
}

/* query-stats shows these: successful requests count their bytes, failed
 * ones count as failed and move none. */
static void request_counters(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, T_IN, 0, 1024, true, &used), S_OK);
	memset(guest(&f->d, BUFFER), 0x5a, 512);
	assert_int_equal(submit(f, T_OUT, 1, 512, false, &used), S_OK);
	assert_int_equal(submit(f, T_FLUSH, 0, 0, false, &used), S_OK);
	assert_int_equal(submit(f, T_IN, DISK_SECTORS, 512, true, &used), S_IOERR);
	assert_int_equal(f->blk.stats.reads, 2);
	assert_int_equal(f->blk.stats.bytes_read, 1024);
	assert_int_equal(f->blk.stats.writes, 1);
	assert_int_equal(f->blk.stats.bytes_written, 512);
	assert_int_equal(f->blk.stats.flushes, 1);
	assert_int_equal(f->blk.stats.failed, 1);
}

static void get_id(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, T_GET_ID, 0, 20, true, &used), S_OK);
	assert_int_equal(used, 21);
	assert_memory_equal(guest(&f->d, BUFFER), "a-serial-number-long", 20);
}

static void put_range(struct fixture *f, uint64_t sector, uint32_t count, uint32_t flags)
{
	uint8_t *p = guest(&f->d, BUFFER);
	memcpy(p, &sector, 8);
	memcpy(p + 8, &count, 4);
	memcpy(p + 12, &flags, 4);
}

static void discard(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	put_range(f, 8, 16, 0);
	assert_int_equal(submit(f, T_DISCARD, 0, 16, false, &used), S_OK);
	assert_int_equal(f->disk.discarded_off, 8 * 512);
	assert_int_equal(f->disk.discarded_len, 16 * 512);
	put_range(f, 8, 16, 1);   /* unmap is not for discard */
	assert_int_equal(submit(f, T_DISCARD, 0, 16, false, &used), S_UNSUPP);
	put_range(f, DISK_SECTORS - 1, 2, 0);
	assert_int_equal(submit(f, T_DISCARD, 0, 16, false, &used), S_IOERR);
}

static void write_zeroes(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	put_range(f, 2, 1, 1);
	assert_int_equal(submit(f, T_WRITE_ZEROES, 0, 16, false, &used), S_OK);
	assert_int_equal(f->disk.data[2 * 512], 0);
	assert_int_equal(f->disk.data[3 * 512 - 1], 0);
	assert_int_equal(f->disk.data[3 * 512], 4);
	put_range(f, 2, 1, 2);    /* an unknown flag */
	assert_int_equal(submit(f, T_WRITE_ZEROES, 0, 16, false, &used), S_UNSUPP);
}

static void unknown_request(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, 7, 0, 0, false, &used), S_UNSUPP);
}

static void readonly_disk(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_true(device_features(f) & (1u << 5));
	assert_false(device_features(f) & (1u << 13));
	memset(guest(&f->d, BUFFER), 0x5a, 512);
	assert_int_equal(submit(f, T_OUT, 0, 512, false, &used), S_IOERR);
	assert_int_equal(f->disk.data[0], 1);
	put_range(f, 0, 1, 0);
	assert_int_equal(submit(f, T_WRITE_ZEROES, 0, 16, false, &used), S_UNSUPP);
	assert_int_equal(f->disk.data[0], 1);
	assert_int_equal(submit(f, T_IN, 0, 512, true, &used), S_OK);
}

/* No driver sends a request without a header or a status byte. */
static void no_status_byte(void **state)
{
	struct fixture *f = *state;
	put_header(f, T_IN, 0);
	put_desc(&f->d, DESC_TABLE, 0, HEADER, 16, 0, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_true(needs_reset(&f->d));
	assert_int_equal(used_idx(&f->d), 0);
}

static void short_header(void **state)
{
	struct fixture *f = *state;
	put_desc(&f->d, DESC_TABLE, 0, HEADER, 8, DESC_F_NEXT, 1);
	put_desc(&f->d, DESC_TABLE, 1, STATUS, 1, DESC_F_WRITE, 0);
	make_avail(&f->d, 0);
	notify(&f->d);
	assert_true(needs_reset(&f->d));
}

/* Reads and writes work for a driver that did not accept VERSION_1, with
 * the interrupt it acknowledges as xv6 does. */
static void driver_without_version_1(void **state)
{
	struct fixture *f = *state;
	uint32_t used;
	assert_int_equal(submit(f, T_IN, 3, 1024, true, &used), S_OK);
	assert_int_equal(used, 1025);
	assert_int_equal(guest(&f->d, BUFFER)[0], 4);
	assert_true(f->d.irq);
	reg_write(&f->d, REG_INTERRUPT_ACK, reg_read(&f->d, REG_INTERRUPT_STATUS) & 3);
	assert_false(f->d.irq);

	memset(guest(&f->d, BUFFER), 0x5a, 512);
	assert_int_equal(submit(f, T_OUT, 7, 512, false, &used), S_OK);
	assert_int_equal(f->disk.data[7 * 512], 0x5a);
	assert_int_equal(f->disk.data[8 * 512 - 1], 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(read_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(write_sectors, setup, teardown),
		cmocka_unit_test_setup_teardown(data_over_odd_buffers, setup, teardown),
		cmocka_unit_test_setup_teardown(beyond_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(flush, setup, teardown),
		cmocka_unit_test_setup_teardown(request_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(get_id, setup, teardown),
		cmocka_unit_test_setup_teardown(discard, setup, teardown),
		cmocka_unit_test_setup_teardown(write_zeroes, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_request, setup, teardown),
		cmocka_unit_test_setup_teardown(readonly_disk, setup_readonly, teardown),
		cmocka_unit_test_setup_teardown(no_status_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(short_header, setup, teardown),
		cmocka_unit_test_setup_teardown(driver_without_version_1, setup_xv6, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
