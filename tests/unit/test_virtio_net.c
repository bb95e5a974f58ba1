/* Tests of virtio-net (virtio/net.h) through the transport as a driver
 * would, with a backend that records what it is given: the configuration
 * space and features; transmit of a frame split over buffers; malformed
 * transmit chains (short header, oversize frame, segmentation asked for,
 * writable buffers, a buffer outside RAM); receive buffers kept until a
 * frame comes (a notification does not consume them); receive into one
 * buffer, into mergeable buffers, with too few or too small buffers (the
 * frame is dropped and the buffers stay the driver's), and into a buffer
 * outside RAM; the legacy header of a driver without VERSION_1. */
#include "virtio_driver.h"

#include <stdlib.h>

#include "virtio/net.h"

#define RAM_SIZE (1ull << 20)
#define TX_DESC (GUEST_RAM + 0x4000)
#define TX_AVAIL (GUEST_RAM + 0x5000)
#define TX_USED (GUEST_RAM + 0x6000)
#define TX_HDR (DATA)
#define TX_FRAME (DATA + 0x100)
#define RX_BUF (DATA + 0x8000)
#define BIG (DATA + 0x20000)          /* room for an oversize frame */

#define F_MAC 5
#define F_MRG_RXBUF 15
#define F_STATUS 16
#define HDR 12
#define LEGACY_HDR 10

struct recorder {
	struct net_backend nb;
	unsigned frames;
	size_t len;
	uint8_t last[128];
};

static void record_send(struct net_backend *nb, const uint8_t *frame, size_t len)
{
	struct recorder *r = (struct recorder *)nb;
	r->frames++;
	r->len = len;
	memcpy(r->last, frame, len < sizeof(r->last) ? len : sizeof(r->last));
}

static const struct net_backend_ops recorder_ops = { .send = record_send };

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

struct fixture {
	struct driver d;
	struct virtio_net *n;
	struct recorder rec;
	uint16_t tx_avail;
};

/* Receive queue 0 at the driver helper's rings, transmit queue 1 at TX_*;
 * exactly the features given. */
static struct fixture *start_exact(uint64_t features)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->n = calloc(1, sizeof(*f->n));
	assert_non_null(f->n);
	virtio_net_init(f->n, &f->d.t, MAC);
	f->rec.nb.ops = &recorder_ops;
	f->n->backend = &f->rec.nb;
	driver_start_exact(&f->d, RAM_SIZE, &virtio_net_ops, f->n, features);
	driver_setup_queue_at(&f->d, 1, TX_DESC, TX_AVAIL, TX_USED);
	assert_int_equal(reg_read(&f->d, REG_QUEUE_READY), 1);
	return f;
}

static struct fixture *start(uint64_t features)
{
	return start_exact(features | (1ull << VIRTIO_F_VERSION_1));
}

static void stop(struct fixture *f)
{
	driver_detach(&f->d);
	free(f->n);
	free(f);
}

static void tx_avail(struct fixture *f, uint16_t head)
{
	memcpy(guest(&f->d, TX_AVAIL + 4 + 2 * (f->tx_avail % QUEUE_SIZE)), &head, 2);
	f->tx_avail++;
	memcpy(guest(&f->d, TX_AVAIL + 2), &f->tx_avail, 2);
	reg_write(&f->d, REG_QUEUE_NOTIFY, 1);
}

static uint16_t tx_used_idx(struct fixture *f)
{
	uint16_t v;
	memcpy(&v, guest(&f->d, TX_USED + 2), 2);
	return v;
}

/* A transmit chain: a header of hdr_len bytes (gso_type as given), then
 * frame_len bytes of frame. */
static void send_frame(struct fixture *f, uint32_t hdr_len, uint8_t gso_type, uint64_t frame,
		       uint32_t frame_len)
{
	memset(guest(&f->d, TX_HDR), 0, HDR);
	guest(&f->d, TX_HDR)[1] = gso_type;
	put_desc(&f->d, TX_DESC, 0, TX_HDR, hdr_len, DESC_F_NEXT, 1);
	put_desc(&f->d, TX_DESC, 1, frame, frame_len, 0, 0);
	tx_avail(f, 0);
}

static void test_config_and_features(void **state)
{
	struct fixture *f = start(0);
	assert_int_equal(reg_read(&f->d, REG_DEVICE_ID), 1);
	reg_write(&f->d, REG_DEVICE_FEATURES_SEL, 0);
	uint32_t feat = reg_read(&f->d, REG_DEVICE_FEATURES);
	assert_true(feat & (1u << F_MAC));
	assert_true(feat & (1u << F_MRG_RXBUF));
	assert_true(feat & (1u << F_STATUS));
	for (unsigned i = 0; i < 6; i++) {
		uint64_t v = 0;
		assert_true(virtio_mmio_ops.read(&f->d.t, REG_CONFIG + i, 1, &v));
		assert_int_equal(v, MAC[i]);
	}
	uint64_t status = 0;
	assert_true(virtio_mmio_ops.read(&f->d.t, REG_CONFIG + 6, 2, &status));
	assert_int_equal(status, 1);                      /* VIRTIO_NET_S_LINK_UP */
	stop(f);
}

static void test_tx_frame_split_over_buffers(void **state)
{
	struct fixture *f = start(0);
	for (unsigned i = 0; i < 60; i++)
		guest(&f->d, TX_FRAME)[i] = (uint8_t)(i + 1);
	send_frame(f, HDR, 0, TX_FRAME, 60);
	assert_int_equal(f->rec.frames, 1);
	assert_int_equal(f->rec.len, 60);
	assert_memory_equal(f->rec.last, guest(&f->d, TX_FRAME), 60);
	assert_int_equal(tx_used_idx(f), 1);
	assert_int_equal(f->n->s.tx_frames, 1);
	assert_int_equal(f->n->s.tx_malformed, 0);
	stop(f);
}

static void test_tx_malformed_dropped_and_counted(void **state)
{
	struct fixture *f = start(0);
	send_frame(f, 8, 0, TX_FRAME, 4);                               /* short header */
	send_frame(f, HDR, 0, TX_FRAME, 10);                            /* shorter than Ethernet's */
	send_frame(f, HDR, 0, BIG, VIRTIO_NET_MAX_FRAME + 1);           /* oversize */
	send_frame(f, HDR, 4, TX_FRAME, 60);                            /* GSO, not negotiated */
	put_desc(&f->d, TX_DESC, 0, TX_HDR, HDR, DESC_F_NEXT, 1);
	put_desc(&f->d, TX_DESC, 1, TX_FRAME, 60, DESC_F_WRITE, 0);     /* writable */
	tx_avail(f, 0);
	assert_int_equal(f->rec.frames, 0);
	assert_int_equal(f->n->s.tx_malformed, 5);
	/* Every chain went back to the driver, and the device still works. */
	assert_int_equal(tx_used_idx(f), 5);
	assert_false(needs_reset(&f->d));
	send_frame(f, HDR, 0, BIG, VIRTIO_NET_MAX_FRAME);
	assert_int_equal(f->rec.frames, 1);
	assert_int_equal(f->rec.len, VIRTIO_NET_MAX_FRAME);
	stop(f);
}

static void test_tx_buffer_outside_ram_needs_reset(void **state)
{
	struct fixture *f = start(0);
	send_frame(f, HDR, 0, GUEST_RAM + RAM_SIZE - 16, 60);
	assert_int_equal(f->rec.frames, 0);
	assert_true(needs_reset(&f->d));
	stop(f);
}

static void post_rx(struct fixture *f, uint16_t i, uint64_t addr, uint32_t len)
{
	put_desc(&f->d, DESC_TABLE, i, addr, len, DESC_F_WRITE, 0);
	make_avail(&f->d, i);
}

static void fill(uint8_t *frame, size_t len)
{
	for (size_t i = 0; i < len; i++)
		frame[i] = (uint8_t)(i * 7 + 3);
}

static uint16_t num_buffers(struct fixture *f, uint64_t buf)
{
	uint16_t v;
	memcpy(&v, guest(&f->d, buf + 10), 2);
	return v;
}

static void test_rx_into_one_buffer(void **state)
{
	struct fixture *f = start(0);
	uint8_t frame[100];
	fill(frame, sizeof(frame));
	post_rx(f, 0, RX_BUF, 1526);
	/* A notification only says a buffer was added: it waits for a frame. */
	notify(&f->d);
	assert_int_equal(used_idx(&f->d), 0);
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(used_idx(&f->d), 1);
	uint32_t id, len;
	used_elem(&f->d, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, HDR + sizeof(frame));
	assert_int_equal(num_buffers(f, RX_BUF), 1);
	assert_memory_equal(guest(&f->d, RX_BUF + HDR), frame, sizeof(frame));
	assert_true(f->d.irq);
	assert_int_equal(f->n->s.rx_frames, 1);
	/* No buffer left: dropped and counted. */
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(f->n->s.rx_dropped, 1);
	assert_int_equal(used_idx(&f->d), 1);
	stop(f);
}

/* A driver that accepted neither VERSION_1 nor MRG_RXBUF (FEATURES_OK is
 * kept for it, as on QEMU) sends and receives with the 10-byte legacy
 * header, which has no num_buffers; with MRG_RXBUF it has the 12-byte one. */
static void test_legacy_header_without_version_1(void **state)
{
	struct fixture *f = start_exact(1ull << F_MAC);
	for (unsigned i = 0; i < 60; i++)
		guest(&f->d, TX_FRAME)[i] = (uint8_t)(i + 1);
	send_frame(f, LEGACY_HDR, 0, TX_FRAME, 60);
	assert_int_equal(f->rec.frames, 1);
	assert_int_equal(f->rec.len, 60);
	assert_memory_equal(f->rec.last, guest(&f->d, TX_FRAME), 60);

	uint8_t frame[100];
	fill(frame, sizeof(frame));
	memset(guest(&f->d, RX_BUF), 0xee, 0x200);
	post_rx(f, 0, RX_BUF, 1526);
	virtio_net_receive(f->n, frame, sizeof(frame));
	uint32_t id, len;
	used_elem(&f->d, 0, &id, &len);
	assert_int_equal(len, LEGACY_HDR + sizeof(frame));
	assert_memory_equal(guest(&f->d, RX_BUF + LEGACY_HDR), frame, sizeof(frame));
	assert_int_equal(guest(&f->d, RX_BUF)[LEGACY_HDR - 1], 0);
	stop(f);

	f = start_exact((1ull << F_MAC) | (1ull << F_MRG_RXBUF));
	post_rx(f, 0, RX_BUF, 1526);
	virtio_net_receive(f->n, frame, sizeof(frame));
	used_elem(&f->d, 0, &id, &len);
	assert_int_equal(len, HDR + sizeof(frame));
	assert_int_equal(num_buffers(f, RX_BUF), 1);
	stop(f);
}

/* can_receive tells a backend whether to hand over a frame or keep it. */
static void test_can_receive_follows_rx_buffers(void **state)
{
	struct fixture *f = start(0);
	uint8_t frame[60];
	fill(frame, sizeof(frame));
	assert_false(virtio_net_can_receive(f->n));
	post_rx(f, 0, RX_BUF, 1526);
	assert_true(virtio_net_can_receive(f->n));
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(used_idx(&f->d), 1);
	assert_false(virtio_net_can_receive(f->n));
	post_rx(f, 1, RX_BUF + 0x800, 1526);
	assert_true(virtio_net_can_receive(f->n));
	/* After a reset the queue is gone, and buffers in guest RAM with it. */
	reg_write(&f->d, REG_STATUS, 0);
	assert_false(virtio_net_can_receive(f->n));
	stop(f);
}

static void test_rx_too_small_without_mergeable(void **state)
{
	struct fixture *f = start(0);
	uint8_t frame[100];
	fill(frame, sizeof(frame));
	post_rx(f, 0, RX_BUF, 64);
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(f->n->s.rx_dropped, 1);
	assert_int_equal(used_idx(&f->d), 0);
	/* The buffer is still the driver's: a frame that fits takes it. */
	virtio_net_receive(f->n, frame, 40);
	assert_int_equal(used_idx(&f->d), 1);
	assert_false(needs_reset(&f->d));
	stop(f);
}

static void test_rx_mergeable_buffers(void **state)
{
	struct fixture *f = start(1ull << F_MRG_RXBUF);
	uint8_t frame[150];
	fill(frame, sizeof(frame));
	for (uint16_t i = 0; i < 3; i++)
		post_rx(f, i, RX_BUF + 0x100 * i, 64);
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(used_idx(&f->d), 3);
	uint32_t expect[3] = { 64, 64, HDR + 150 - 128 }, id, len;
	for (uint16_t i = 0; i < 3; i++) {
		used_elem(&f->d, i, &id, &len);
		assert_int_equal(id, i);
		assert_int_equal(len, expect[i]);
	}
	assert_int_equal(num_buffers(f, RX_BUF), 3);
	assert_memory_equal(guest(&f->d, RX_BUF + HDR), frame, 64 - HDR);
	assert_memory_equal(guest(&f->d, RX_BUF + 0x100), frame + 64 - HDR, 64);
	assert_memory_equal(guest(&f->d, RX_BUF + 0x200), frame + 128 - HDR, 150 - 128 + HDR);
	stop(f);
}

static void test_rx_mergeable_too_few_buffers_gives_them_back(void **state)
{
	struct fixture *f = start(1ull << F_MRG_RXBUF);
	uint8_t frame[150];
	fill(frame, sizeof(frame));
	post_rx(f, 0, RX_BUF, 64);
	post_rx(f, 1, RX_BUF + 0x100, 64);
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(f->n->s.rx_dropped, 1);
	assert_int_equal(used_idx(&f->d), 0);
	virtio_net_receive(f->n, frame, 100);
	assert_int_equal(used_idx(&f->d), 2);
	uint32_t id, len;
	used_elem(&f->d, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(num_buffers(f, RX_BUF), 2);
	stop(f);
}

static void test_rx_buffer_outside_ram_needs_reset(void **state)
{
	struct fixture *f = start(0);
	uint8_t frame[60] = { 0 };
	post_rx(f, 0, GUEST_RAM + RAM_SIZE + 0x1000, 1526);
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_true(needs_reset(&f->d));
	assert_int_equal(f->n->s.rx_dropped, 1);
	/* A device needing reset takes nothing more. */
	virtio_net_receive(f->n, frame, sizeof(frame));
	assert_int_equal(f->n->s.rx_dropped, 2);
	stop(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_and_features),
		cmocka_unit_test(test_tx_frame_split_over_buffers),
		cmocka_unit_test(test_tx_malformed_dropped_and_counted),
		cmocka_unit_test(test_tx_buffer_outside_ram_needs_reset),
		cmocka_unit_test(test_rx_into_one_buffer),
		cmocka_unit_test(test_legacy_header_without_version_1),
		cmocka_unit_test(test_can_receive_follows_rx_buffers),
		cmocka_unit_test(test_rx_too_small_without_mergeable),
		cmocka_unit_test(test_rx_mergeable_buffers),
		cmocka_unit_test(test_rx_mergeable_too_few_buffers_gives_them_back),
		cmocka_unit_test(test_rx_buffer_outside_ram_needs_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
