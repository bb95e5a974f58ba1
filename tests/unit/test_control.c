/* Tests of the control socket's server (vm/control.h) through a socketpair:
 * the greeting, replies and their ids, every kind of bad request, line
 * assembly across and within reads, events, a client that never reads, and
 * one too many. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm/control.h"
#include "vm/machine.h"

struct fixture {
	struct control c;
	struct machine *m;
	struct hart *hart;
	int peer;                /* the client's end */
	char buf[1 << 17];       /* what the client received, not yet parsed */
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int sv[2];
	assert_non_null(f);
	f->m = calloc(1, sizeof(*f->m));
	assert_non_null(f->m);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	control_init(&f->c, "test-1");
	f->m->cfg.control = &f->c;
	assert_int_equal(control_attach(&f->c, sv[0]), 0);
	f->peer = sv[1];
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	control_close(&f->c, 0);
	close(f->peer);
	free(f->hart);
	free(f->m);
	free(f);
	return 0;
}

static void send_text(struct fixture *f, const char *text)
{
	size_t len = strlen(text);
	assert_int_equal(write(f->peer, text, len), (ssize_t)len);
}

/* Runs the server until it has nothing more to read. */
static void serve(struct fixture *f)
{
	for (;;) {
		struct pollfd fds[CONTROL_MAX_CLIENTS + 1];
		unsigned n = control_poll_fill(&f->c, fds, CONTROL_MAX_CLIENTS + 1);
		if (poll(fds, n, 0) <= 0)
			return;
		control_poll_done(&f->c, f->m, fds, n);
	}
}

/* The next line the client received, parsed; NULL if none is complete. */
static json_t *next_message(struct fixture *f)
{
	char *nl;
	ssize_t got;
	while (!(nl = memchr(f->buf, '\n', f->len)) &&
	       (got = read(f->peer, f->buf + f->len, sizeof(f->buf) - f->len)) > 0)
		f->len += (size_t)got;
	if (!nl)
		return NULL;
	size_t line = (size_t)(nl - f->buf);
	json_t *msg = json_loadb(f->buf, line, 0, NULL);
	assert_non_null(msg);
	memmove(f->buf, nl + 1, f->len - line - 1);
	f->len -= line + 1;
	return msg;
}

/* Sends text, serves it, and returns the next message. */
static json_t *exchange(struct fixture *f, const char *text)
{
	send_text(f, text);
	serve(f);
	json_t *msg = next_message(f);
	assert_non_null(msg);
	return msg;
}

static void skip_greeting(struct fixture *f)
{
	json_decref(next_message(f));
}

static void assert_error(json_t *reply, const char *class)
{
	json_t *error = json_object_get(reply, "error");
	assert_non_null(error);
	assert_string_equal(json_string_value(json_object_get(error, "class")), class);
	assert_non_null(json_string_value(json_object_get(error, "desc")));
	assert_null(json_object_get(reply, "return"));
}

/* The connection still serves requests after an error. */
static void assert_still_serving(struct fixture *f)
{
	json_t *reply = exchange(f, "{\"execute\": \"status\"}\n");
	assert_string_equal(json_string_value(json_object_get(json_object_get(reply, "return"), "status")),
			    "running");
	json_decref(reply);
}

static void greeting(void **state)
{
	struct fixture *f = *state;
	json_t *msg = next_message(f);
	assert_string_equal(json_string_value(json_object_get(json_object_get(msg, "doppel"), "version")),
			    "test-1");
	json_decref(msg);
}

static void id_is_echoed(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"execute\": \"status\", \"id\": {\"tag\": [1, \"x\"]}}\n");
	assert_non_null(json_object_get(reply, "return"));
	json_t *want = json_loads("{\"tag\": [1, \"x\"]}", 0, NULL);
	assert_true(json_equal(json_object_get(reply, "id"), want));
	json_decref(want);
	json_decref(reply);
	/* Errors carry it too. */
	reply = exchange(f, "{\"execute\": \"nope\", \"id\": 42}\n");
	assert_int_equal(json_integer_value(json_object_get(reply, "id")), 42);
	json_decref(reply);
}

static void malformed_json(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"execute\": \"status\"\n");
	assert_error(reply, "GenericError");
	json_decref(reply);
	assert_still_serving(f);
}

static void not_an_object(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "[\"status\"]\n");
	assert_error(reply, "GenericError");
	json_decref(reply);
	reply = exchange(f, "\"status\"\n");
	assert_error(reply, "GenericError");
	json_decref(reply);
	assert_still_serving(f);
}

static void missing_execute(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"arguments\": {}, \"id\": 3}\n");
	assert_error(reply, "GenericError");
	assert_int_equal(json_integer_value(json_object_get(reply, "id")), 3);
	json_decref(reply);
	reply = exchange(f, "{\"execute\": 5}\n");
	assert_error(reply, "GenericError");
	json_decref(reply);
	assert_still_serving(f);
}

static void unknown_command(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"execute\": \"self-destruct\"}\n");
	assert_error(reply, "CommandNotFound");
	json_decref(reply);
	assert_still_serving(f);
}

/* Error descriptions quote the request, cut to a length that may fall
 * inside a UTF-8 character; the reply must still be valid JSON. */
static void long_unicode_names(void **state)
{
	struct fixture *f = *state;
	char name[128] = "a", req[512];
	for (int i = 0; i < 40; i++)
		strcat(name, "\xc3\xa9");    /* e acute: 2 bytes */
	skip_greeting(f);
	snprintf(req, sizeof(req), "{\"execute\": \"%s\"}\n", name);
	json_t *reply = exchange(f, req);
	assert_error(reply, "CommandNotFound");
	json_decref(reply);
	snprintf(req, sizeof(req), "{\"execute\": \"status\", \"arguments\": {\"%s\": 1}}\n", name);
	reply = exchange(f, req);
	assert_error(reply, "GenericError");
	json_decref(reply);
	assert_still_serving(f);
}

static void bad_arguments(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"execute\": \"pause\", \"arguments\": {\"now\": true}}\n");
	assert_error(reply, "GenericError");
	json_decref(reply);
	assert_false(f->m->paused);
	reply = exchange(f, "{\"execute\": \"status\", \"arguments\": [1]}\n");
	assert_error(reply, "GenericError");
	json_decref(reply);
	assert_still_serving(f);
}

static void over_long_line(void **state)
{
	struct fixture *f = *state;
	size_t len = CONTROL_LINE_MAX + 1000;
	char *line = malloc(len + 2);
	assert_non_null(line);
	/* A valid request but for its length. */
	memset(line, ' ', len);
	memcpy(line, "{\"execute\": \"quit\"", 18);
	memcpy(line + len - 1, "}\n", 3);
	skip_greeting(f);
	json_t *reply = exchange(f, line);
	free(line);
	assert_error(reply, "GenericError");
	json_decref(reply);
	/* Nothing of it was executed, and nothing more was answered. */
	assert_false(atomic_load(&f->m->exit.pending));
	assert_still_serving(f);
	assert_null(next_message(f));
}

static void two_requests_in_one_read(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *first = exchange(f, "{\"execute\": \"status\", \"id\": 1}\n\n{\"execute\": \"status\", \"id\": 2}\n");
	json_t *second = next_message(f);
	assert_non_null(second);
	assert_int_equal(json_integer_value(json_object_get(first, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(second, "id")), 2);
	json_decref(first);
	json_decref(second);
	assert_null(next_message(f));
}

static void request_split_across_reads(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	send_text(f, "{\"execute\": \"sta");
	serve(f);
	assert_null(next_message(f));
	send_text(f, "tus\", \"id\": 9}");
	serve(f);
	assert_null(next_message(f));
	json_t *reply = exchange(f, "\n");
	assert_int_equal(json_integer_value(json_object_get(reply, "id")), 9);
	assert_non_null(json_object_get(reply, "return"));
	json_decref(reply);
}

static void assert_event(json_t *msg, const char *name)
{
	assert_string_equal(json_string_value(json_object_get(msg, "event")), name);
	assert_true(json_is_object(json_object_get(msg, "data")));
	assert_non_null(json_object_get(json_object_get(msg, "timestamp"), "seconds"));
	json_decref(msg);
}

static void pause_and_resume(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *msg = exchange(f, "{\"execute\": \"pause\"}\n");
	assert_event(msg, "STOP");
	msg = next_message(f);
	assert_true(json_is_object(json_object_get(msg, "return")));
	json_decref(msg);
	assert_true(f->m->paused);
	msg = exchange(f, "{\"execute\": \"status\"}\n");
	json_t *ret = json_object_get(msg, "return");
	assert_string_equal(json_string_value(json_object_get(ret, "status")), "paused");
	assert_true(json_is_false(json_object_get(ret, "running")));
	json_decref(msg);
	/* Pausing again changes nothing and announces nothing. */
	json_decref(exchange(f, "{\"execute\": \"pause\"}\n"));
	assert_null(next_message(f));
	assert_event(exchange(f, "{\"execute\": \"resume\"}\n"), "RESUME");
	json_decref(next_message(f));
	assert_false(f->m->paused);
}

static void quit_requests_exit(void **state)
{
	struct fixture *f = *state;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"execute\": \"quit\"}\n");
	assert_non_null(json_object_get(reply, "return"));
	json_decref(reply);
	assert_true(atomic_load(&f->m->exit.pending));
	assert_int_equal(f->m->exit.kind, EXIT_QUIT);
}

static void query_stats(void **state)
{
	struct fixture *f = *state;
	f->hart = calloc(1, sizeof(*f->hart));
	assert_non_null(f->hart);
	f->m->nharts = 1;
	f->m->harts[0] = f->hart;
	f->m->retired[0] = 123456789012ull;
	f->m->ndisks_open = 1;
	f->m->disks[0].stats.bytes_written = 4096;
	f->m->nnics_open = 1;
	f->m->nics[0].s.rx_dropped = 7;
	skip_greeting(f);
	json_t *reply = exchange(f, "{\"execute\": \"query-stats\"}\n");
	json_t *ret = json_object_get(reply, "return");
	assert_int_equal(json_integer_value(json_object_get(ret, "instructions")), 123456789012ll);
	json_t *hart = json_array_get(json_object_get(ret, "harts"), 0);
	assert_int_equal(json_integer_value(json_object_get(hart, "instructions")), 123456789012ll);
	json_t *vda = json_array_get(json_object_get(ret, "devices"), 0);
	assert_string_equal(json_string_value(json_object_get(vda, "name")), "vda");
	assert_string_equal(json_string_value(json_object_get(vda, "type")), "virtio-blk");
	assert_int_equal(json_integer_value(json_object_get(vda, "bytes_written")), 4096);
	json_t *eth0 = json_array_get(json_object_get(ret, "devices"), 1);
	assert_string_equal(json_string_value(json_object_get(eth0, "name")), "eth0");
	assert_int_equal(json_integer_value(json_object_get(eth0, "rx_dropped")), 7);
	json_decref(reply);
}

/* A client that sends but never reads is dropped once its replies exceed
 * the bound; the server never blocks on it. */
static void client_that_never_reads_is_dropped(void **state)
{
	struct fixture *f = *state;
	int small = 4096;
	setsockopt(f->peer, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(f->c.clients[0].fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	for (int i = 0; i < 100000 && f->c.clients[0].fd >= 0; i++) {
		send_text(f, "{\"execute\": \"status\"}\n");
		serve(f);
	}
	assert_int_equal(f->c.clients[0].fd, -1);
}

/* With every slot taken, a new client is told why, in one error line in
 * place of the greeting, and closed; the others are served on. */
static void client_beyond_the_limit_is_told_why(void **state)
{
	struct fixture *f = *state;
	int peers[CONTROL_MAX_CLIENTS], sv[2];
	char buf[512];

	for (int i = 1; i < CONTROL_MAX_CLIENTS; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
		assert_int_equal(control_attach(&f->c, sv[0]), 0);
		peers[i] = sv[1];
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(control_attach(&f->c, sv[0]), -EMFILE);
	ssize_t n = read(sv[1], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(buf[n - 1], '\n');
	json_t *msg = json_loads(buf, 0, NULL);
	assert_error(msg, "GenericError");
	assert_string_equal(json_string_value(json_object_get(json_object_get(msg, "error"), "desc")),
			    "too many clients: the limit is 8");
	json_decref(msg);
	assert_int_equal(read(sv[1], buf, sizeof(buf)), 0);
	close(sv[1]);
	for (int i = 1; i < CONTROL_MAX_CLIENTS; i++)
		close(peers[i]);
	skip_greeting(f);
	assert_still_serving(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(greeting, setup, teardown),
		cmocka_unit_test_setup_teardown(id_is_echoed, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed_json, setup, teardown),
		cmocka_unit_test_setup_teardown(not_an_object, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_execute, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_command, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(long_unicode_names, setup, teardown),
		cmocka_unit_test_setup_teardown(over_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(two_requests_in_one_read, setup, teardown),
		cmocka_unit_test_setup_teardown(request_split_across_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(pause_and_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(quit_requests_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(query_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(client_that_never_reads_is_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(client_beyond_the_limit_is_told_why, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
