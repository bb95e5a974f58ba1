/* The --net option: QEMU's syntax for user networking, which people know,
 * and switch:PATH for a port on `doppel switch`. */
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARG 512

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6 ||
	    strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	/* A NIC's own address must be unicast (IEEE 802: bit 0 of the first
	 * octet marks a group address). */
	return (mac[0] & 1) ? -EINVAL : 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+' || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* An IPv4 address, or empty for 0 (any / the default). */
static int parse_addr(const char *s, uint32_t *addr)
{
	struct in_addr a;
	if (!*s) {
		*addr = 0;
		return 0;
	}
	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr = a.s_addr;
	return 0;
}

/* [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT, in place. */
static int parse_hostfwd(char *s, struct net_hostfwd *f)
{
	char *host = strchr(s, ':');
	if (!host)
		return -EINVAL;
	*host++ = '\0';
	if (strcmp(s, "udp") == 0)
		f->udp = true;
	else if (*s && strcmp(s, "tcp") != 0)
		return -EINVAL;
	char *host_port = strchr(host, ':');
	char *guest = host_port ? strchr(host_port, '-') : NULL;
	char *guest_port = guest ? strchr(guest, ':') : NULL;
	if (!guest_port)
		return -EINVAL;
	*host_port++ = *guest++ = *guest_port++ = '\0';
	if (parse_addr(host, &f->host_addr) < 0 || parse_port(host_port, &f->host_port) < 0 ||
	    parse_addr(guest, &f->guest_addr) < 0 || parse_port(guest_port, &f->guest_port) < 0)
		return -EINVAL;
	/* The guest is on slirp's network, 10.0.2.0/24 (net/slirp.c). */
	return f->guest_addr && (ntohl(f->guest_addr) & 0xffffff00u) != 0x0a000200u ? -EINVAL : 0;
}

int net_config_parse(const char *arg, struct net_config *cfg, struct error *err)
{
	char buf[MAX_ARG];

	memset(cfg, 0, sizeof(*cfg));
	if (strlen(arg) >= sizeof(buf))
		return error_set(err, EINVAL, "--net: argument too long");
	strcpy(buf, arg);
	char *opt = strchr(buf, ',');
	if (opt)
		*opt++ = '\0';
	if (strncmp(buf, "switch:", 7) == 0) {
		cfg->type = NET_SWITCH;
		if (!buf[7] || strlen(buf + 7) >= sizeof(cfg->switch_path))
			return error_set(err, EINVAL, "--net: switch:PATH needs a socket path of 1 to %zu bytes",
					 sizeof(cfg->switch_path) - 1);
		strcpy(cfg->switch_path, buf + 7);
	} else if (strcmp(buf, "user") != 0) {
		return error_set(err, EINVAL, "--net: unknown network type '%.100s' (user, switch:PATH)", buf);
	}
	while (opt) {
		char *next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (strncmp(opt, "mac=", 4) == 0) {
			if (parse_mac(opt + 4, cfg->mac) < 0)
				return error_set(err, EINVAL, "--net: mac=%.100s is not a unicast MAC address "
						 "like 52:54:00:12:34:56", opt + 4);
			cfg->mac_given = true;
		} else if (strncmp(opt, "hostfwd=", 8) == 0 && cfg->type == NET_USER) {
			if (cfg->nfwd == NET_MAX_HOSTFWD)
				return error_set(err, EINVAL, "--net: at most %d hostfwd", NET_MAX_HOSTFWD);
			char text[MAX_ARG];
			strcpy(text, opt + 8);
			if (parse_hostfwd(opt + 8, &cfg->fwd[cfg->nfwd++]) < 0)
				return error_set(err, EINVAL, "--net: hostfwd=%.100s: expected "
						 "tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT "
						 "(GUESTADDR in 10.0.2.0/24)", text);
		} else if (strncmp(opt, "host-loopback=", 14) == 0 && cfg->type == NET_USER) {
			if (strcmp(opt + 14, "on") != 0 && strcmp(opt + 14, "off") != 0)
				return error_set(err, EINVAL, "--net: host-loopback=%.100s: on or off", opt + 14);
			cfg->host_loopback = strcmp(opt + 14, "on") == 0;
		} else {
			return error_set(err, EINVAL, "--net: unknown option '%.100s' (mac=, and hostfwd=, "
					 "host-loopback= for user)", opt);
		}
		opt = next;
	}
	return 0;
}
