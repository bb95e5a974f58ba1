/* Tests of the --net parser (net/net.h), user and switch:PATH: what a valid
 * argument turns into, QEMU's defaults for the parts left out, and arguments
 * it refuses. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "net/net.h"

static uint32_t ip(const char *dotted)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, dotted, &a), 1);
	return a.s_addr;
}

static void test_user_alone(void **state)
{
	struct net_config c;
	struct error err = { 0 };
	assert_int_equal(net_config_parse("user", &c, &err), 0);
	assert_false(c.mac_given);
	assert_int_equal(c.nfwd, 0);
	/* The host's loopback is closed to the guest unless asked for. */
	assert_false(c.host_loopback);
}

static void test_host_loopback(void **state)
{
	struct net_config c;
	struct error err = { 0 };
	assert_int_equal(net_config_parse("user,host-loopback=on,hostfwd=tcp::2222-:22", &c, &err), 0);
	assert_true(c.host_loopback);
	assert_int_equal(c.nfwd, 1);
	assert_int_equal(net_config_parse("user,host-loopback=off", &c, &err), 0);
	assert_false(c.host_loopback);
}

static void test_mac_and_forwards(void **state)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	struct net_config c;
	struct error err = { 0 };
	assert_int_equal(net_config_parse("user,mac=52:54:00:ab:cd:ef,hostfwd=tcp:127.0.0.1:2222-:22,"
					  "hostfwd=udp::5353-10.0.2.20:53,hostfwd=::8080-:80", &c, &err), 0);
	assert_true(c.mac_given);
	assert_memory_equal(c.mac, mac, 6);
	assert_int_equal(c.nfwd, 3);
	assert_false(c.fwd[0].udp);
	assert_int_equal(c.fwd[0].host_addr, ip("127.0.0.1"));
	assert_int_equal(c.fwd[0].host_port, 2222);
	assert_int_equal(c.fwd[0].guest_addr, 0);        /* slirp's first DHCP address */
	assert_int_equal(c.fwd[0].guest_port, 22);
	assert_true(c.fwd[1].udp);
	assert_int_equal(c.fwd[1].host_addr, 0);         /* every host address */
	assert_int_equal(c.fwd[1].guest_addr, ip("10.0.2.20"));
	assert_int_equal(c.fwd[1].guest_port, 53);
	assert_false(c.fwd[2].udp);                      /* QEMU's default protocol */
	assert_int_equal(c.fwd[2].host_port, 8080);
}

static void test_switch(void **state)
{
	struct net_config c;
	struct error err = { 0 };
	assert_int_equal(net_config_parse("switch:/run/lan.sock,mac=52:54:00:00:03:01", &c, &err), 0);
	assert_int_equal(c.type, NET_SWITCH);
	assert_string_equal(c.switch_path, "/run/lan.sock");
	assert_true(c.mac_given);
	assert_int_equal(c.mac[5], 1);
	assert_int_equal(net_config_parse("user", &c, &err), 0);
	assert_int_equal(c.type, NET_USER);
}

static void test_refused(void **state)
{
	static const char *bad[] = {
		"", "tap", "user,", "user,mac=52:54:00:ab:cd", "user,mac=53:54:00:ab:cd:ef",
		"user,mac=52:54:00:ab:cd:ef0", "user,hostfwd=tcp::0-:22", "user,hostfwd=tcp::65536-:22",
		"user,hostfwd=tcp::22-:", "user,hostfwd=icmp::22-:22", "user,hostfwd=tcp:host:22-:22",
		"user,hostfwd=tcp::22-192.168.0.1:22", "user,hostfwd=tcp::-5-:22", "user,hostfwd=:8080-:80",
		"switch", "switch:", "switch:/s,hostfwd=tcp::2222-:22",
		"user,host-loopback=yes", "user,host-loopback", "switch:/s,host-loopback=on",
		/* Longer than sun_path holds. */
		("switch:/0123456789012345678901234567890123456789012345678901234567890123456789"
		 "012345678901234567890123456789012345678"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct net_config c;
		struct error err = { 0 };
		assert_int_equal(net_config_parse(bad[i], &c, &err), -EINVAL);
		assert_true(strncmp(err.msg, "--net: ", 7) == 0);
	}
}

static void test_too_many_forwards(void **state)
{
	char arg[512] = "user";
	for (int i = 0; i <= NET_MAX_HOSTFWD; i++)
		snprintf(arg + strlen(arg), sizeof(arg) - strlen(arg), ",hostfwd=tcp::%d-:22", 2000 + i);
	struct net_config c;
	struct error err = { 0 };
	assert_int_equal(net_config_parse(arg, &c, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_alone),
		cmocka_unit_test(test_host_loopback),
		cmocka_unit_test(test_mac_and_forwards),
		cmocka_unit_test(test_switch),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_many_forwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
