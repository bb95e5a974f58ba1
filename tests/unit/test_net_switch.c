/* Tests of a NIC's port on the virtual switch (net/switch.c) against a
 * SOCK_SEQPACKET listener standing in for `doppel switch`: frames go out
 * whole; frames coming in are handed over while the NIC has room, wait in
 * the socket (not polled for, not taken) while it has none, and arrive in
 * order once it has room again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/net.h"

#define FRAME_LEN 60

struct nic {
	unsigned room;           /* frames it can take now */
	unsigned frames;
	uint8_t first_bytes[8];  /* byte 0 of each frame received */
};

static void nic_receive(void *opaque, const uint8_t *frame, size_t len)
{
	struct nic *nic = opaque;
	assert_int_equal(len, FRAME_LEN);
	assert_true(nic->room > 0);
	nic->room--;
	nic->first_bytes[nic->frames++ % 8] = frame[0];
}

static bool nic_can_receive(void *opaque)
{
	const struct nic *nic = opaque;
	return nic->room > 0;
}

struct fixture {
	char dir[64];
	int listener, peer;      /* the switch's side */
	struct net_backend *nb;
	struct nic nic;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct net_config cfg = { .type = NET_SWITCH };
	struct error err = { 0 };
	assert_non_null(f);
	strcpy(f->dir, "/tmp/doppel-test-switch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(cfg.switch_path, sizeof(cfg.switch_path), "%s/sock", f->dir);
	strcpy(addr.sun_path, cfg.switch_path);
	f->listener = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(f->listener >= 0);
	assert_int_equal(bind(f->listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(f->listener, 1), 0);
	assert_int_equal(net_switch_open(&cfg, nic_receive, nic_can_receive, &f->nic, &f->nb, &err), 0);
	f->peer = accept(f->listener, NULL, NULL);
	assert_true(f->peer >= 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[80];
	f->nb->ops->close(f->nb);
	close(f->peer);
	close(f->listener);
	snprintf(path, sizeof(path), "%s/sock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void switch_sends(struct fixture *f, uint8_t tag)
{
	uint8_t frame[FRAME_LEN];
	memset(frame, tag, sizeof(frame));
	assert_int_equal(send(f->peer, frame, sizeof(frame), 0), FRAME_LEN);
}

/* One round of the run loop: poll_fill, a poll that finds what is ready
 * at once, poll_done. Returns how many descriptors the backend asked for. */
static unsigned run_loop_round(struct fixture *f)
{
	struct pollfd fds[4];
	uint64_t timeout_ns = 0;
	unsigned n = f->nb->ops->poll_fill(f->nb, fds, 4, &timeout_ns);
	int ready = poll(fds, n, 0);
	assert_true(ready >= 0);
	f->nb->ops->poll_done(f->nb, fds, n, 0);
	return n;
}

static void frames_go_out_whole(void **state)
{
	struct fixture *f = *state;
	uint8_t frame[FRAME_LEN], got[2 * FRAME_LEN];
	memset(frame, 0xab, sizeof(frame));
	f->nb->ops->send(f->nb, frame, sizeof(frame));
	assert_int_equal(recv(f->peer, got, sizeof(got), MSG_DONTWAIT), FRAME_LEN);
	assert_memory_equal(got, frame, FRAME_LEN);
}

static void frames_wait_while_the_nic_has_no_room(void **state)
{
	struct fixture *f = *state;
	for (uint8_t tag = 1; tag <= 3; tag++)
		switch_sends(f, tag);
	/* No room: the socket is not even polled, and nothing is taken. */
	assert_int_equal(run_loop_round(f), 0);
	assert_int_equal(f->nic.frames, 0);
	/* Room for one: exactly one is taken, the others keep waiting. */
	f->nic.room = 1;
	assert_int_equal(run_loop_round(f), 1);
	assert_int_equal(f->nic.frames, 1);
	assert_int_equal(run_loop_round(f), 0);
	/* Room for more: the rest, in order. */
	f->nic.room = 5;
	run_loop_round(f);
	assert_int_equal(f->nic.frames, 3);
	assert_memory_equal(f->nic.first_bytes, ((uint8_t[]){ 1, 2, 3 }), 3);
	assert_int_equal(f->nic.room, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(frames_go_out_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(frames_wait_while_the_nic_has_no_room, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
