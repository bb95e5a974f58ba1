/* TCP endpoints for migration (util/tcp.h): the tcp:HOST:PORT syntax, ports
 * out of range or not a number, a non-blocking connect that completes, one
 * that is refused, IPv6, and the URI of a listener on port 0 naming the
 * port chosen. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/tcp.h"

static void malformed_uris_are_refused(void **state)
{
	static const char *const bad[] = {
		"unix:/tmp/x", "tcp:", "tcp:127.0.0.1", "tcp:127.0.0.1:", "tcp:[::1:80", "tcp:[::1]80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct error err = { 0 };
		assert_int_equal(tcp_listen(bad[i], &err), -EINVAL);
		assert_non_null(strstr(err.msg, "tcp:HOST:PORT"));
		assert_int_equal(tcp_connect_start(bad[i], &err), -EINVAL);
	}
}

/* A port is 16 bits of decimal digits: anything else would be taken by
 * getaddrinfo as a service name or cut to its low 16 bits (99999 listened
 * on 34463, 65536 on any port). Port 0 means any port to a listener, and
 * nothing to connect to. */
static void bad_ports_are_refused(void **state)
{
	static const char *const bad[] = {
		"tcp:127.0.0.1:65536", "tcp:127.0.0.1:99999", "tcp:127.0.0.1:4294967296",
		"tcp:127.0.0.1:-1", "tcp:127.0.0.1:+80", "tcp:127.0.0.1: 80", "tcp:127.0.0.1:80x",
		"tcp:127.0.0.1:0x50", "tcp:127.0.0.1:http", "tcp:[::1]:70000", "tcp::99999",
		"tcp:127.0.0.1:184467440737095516160",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct error err = { 0 };
		int fd = tcp_listen(bad[i], &err);
		if (fd >= 0)
			close(fd);
		if (fd != -EINVAL)
			fail_msg("listen on %s: %d", bad[i], fd);
		assert_non_null(strstr(err.msg, "65535"));
		assert_int_equal(tcp_connect_start(bad[i], &err), -EINVAL);
		assert_non_null(strstr(err.msg, "65535"));
	}
	struct error err = { 0 };
	assert_int_equal(tcp_connect_start("tcp:127.0.0.1:0", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "1 to 65535"));
}

/* Listens on any_port (port 0); writes the URI naming the port chosen
 * into uri. */
static int listen_any(const char *any_port, char *uri, size_t len)
{
	struct error err = { 0 };
	int fd = tcp_listen(any_port, &err);
	if (fd < 0 || tcp_local_uri(fd, uri, len, &err) < 0)
		return -1;
	return fd;
}

/* Polls tcp_connect_done until it says something other than "not yet". */
static int connect_result(int fd, const char *uri, struct error *err)
{
	for (int i = 0; i < 1000; i++) {
		int ret = tcp_connect_done(fd, uri, err);
		if (ret != 0)
			return ret;
		poll(NULL, 0, 5);
	}
	return 0;
}

static void connects_and_accepts(const char *any_port)
{
	struct error err = { 0 };
	char uri[64];
	int lfd = listen_any(any_port, uri, sizeof(uri));
	assert_true(lfd >= 0);

	int fd = tcp_connect_start(uri, &err);
	assert_true(fd >= 0);
	assert_int_equal(connect_result(fd, uri, &err), 1);
	int peer = accept(lfd, NULL, NULL);
	assert_true(peer >= 0);
	/* Blocking again once connected: a byte goes through. */
	assert_int_equal(write(fd, "x", 1), 1);
	char c;
	assert_int_equal(read(peer, &c, 1), 1);
	assert_int_equal(c, 'x');
	close(peer);
	close(fd);
	close(lfd);
}

static void ipv4_connect(void **state)
{
	connects_and_accepts("tcp:127.0.0.1:0");
}

static void ipv6_connect_in_brackets(void **state)
{
	int probe = socket(AF_INET6, SOCK_STREAM, 0);
	if (probe < 0)
		skip();
	close(probe);
	connects_and_accepts("tcp:[::1]:0");
}

/* A port nothing listens on: refused, said as such. */
static void refused_connection_fails(void **state)
{
	struct error err = { 0 };
	char uri[64];
	int lfd = listen_any("tcp:127.0.0.1:0", uri, sizeof(uri));
	assert_true(lfd >= 0);
	close(lfd);

	int fd = tcp_connect_start(uri, &err);
	int ret = fd < 0 ? fd : connect_result(fd, uri, &err);
	assert_int_equal(ret, -ECONNREFUSED);
	assert_non_null(strstr(err.msg, "cannot connect to"));
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_uris_are_refused),
		cmocka_unit_test(bad_ports_are_refused),
		cmocka_unit_test(ipv4_connect),
		cmocka_unit_test(ipv6_connect_in_brackets),
		cmocka_unit_test(refused_connection_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
