/* The machine's configuration as JSON, the stream's "CONF" section: what a
 * restore or an incoming migration builds the machine from. Readable with
 * any JSON tool, and every value is checked when read back. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/snapshot.h"

#define CONF_VERSION 1

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *net_json(const struct net_config *n)
{
	char mac[18];
	json_t *fwd = json_array();
	for (unsigned i = 0; i < n->nfwd; i++) {
		const struct net_hostfwd *f = &n->fwd[i];
		json_array_append_new(fwd, json_pack("{s:b, s:I, s:I, s:I, s:I}", "udp", f->udp,
						     "host_addr", (json_int_t)f->host_addr,
						     "host_port", (json_int_t)f->host_port,
						     "guest_addr", (json_int_t)f->guest_addr,
						     "guest_port", (json_int_t)f->guest_port));
	}
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1], n->mac[2],
		 n->mac[3], n->mac[4], n->mac[5]);
	return json_pack("{s:s, s:s, s:o, s:o, s:b}", "type", n->type == NET_SWITCH ? "switch" : "user",
			 "switch_path", n->switch_path, "mac", n->mac_given ? json_string(mac) : json_null(),
			 "hostfwd", fwd, "host_loopback", n->host_loopback);
}

void machine_config_save(struct state_writer *w, const struct machine_config *cfg)
{
	json_t *disks = json_array(), *nets = json_array();
	for (unsigned i = 0; i < cfg->ndisks; i++)
		json_array_append_new(disks, json_pack("{s:s, s:s, s:b}", "path", cfg->disks[i].path,
						       "format", block_format_name(cfg->disks[i].format),
						       "readonly", cfg->disks[i].readonly));
	for (unsigned i = 0; i < cfg->nnets; i++)
		json_array_append_new(nets, net_json(&cfg->nets[i]));
	json_t *root = json_pack("{s:i, s:I, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
				 "version", CONF_VERSION, "ram_size", (json_int_t)cfg->ram_size,
				 "cpus", (int)cfg->ncpus, "kernel", str_or_null(cfg->kernel),
				 "initrd", str_or_null(cfg->initrd), "append", str_or_null(cfg->append),
				 "bios", str_or_null(cfg->bios), "disks", disks, "nets", nets,
				 "rng", cfg->rng);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	if (!text) {
		if (!w->error)
			w->error = -ENOMEM;
	} else {
		state_begin(w, SEC_CONF, 0, CONF_VERSION);
		state_put(w, text, strlen(text));
		state_end(w);
	}
	free(text);
	json_decref(root);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int parse_net(json_t *j, struct net_config *n)
{
	const char *type, *path;
	json_t *mac, *fwd, *f;
	int loopback = 0;
	size_t i;

	memset(n, 0, sizeof(*n));
	/* host_loopback is absent from streams written before it existed:
	 * those get today's default, off. */
	if (json_unpack(j, "{s:s, s:s, s:o, s:o, s?b}", "type", &type, "switch_path", &path, "mac", &mac,
			"hostfwd", &fwd, "host_loopback", &loopback) != 0 || !json_is_array(fwd) ||
	    json_array_size(fwd) > NET_MAX_HOSTFWD || strlen(path) >= sizeof(n->switch_path))
		return -1;
	if (strcmp(type, "switch") == 0)
		n->type = NET_SWITCH;
	else if (strcmp(type, "user") != 0)
		return -1;
	strcpy(n->switch_path, path);
	n->host_loopback = loopback;
	if (json_is_string(mac)) {
		if (parse_mac(json_string_value(mac), n->mac) < 0)
			return -1;
		n->mac_given = true;
	} else if (!json_is_null(mac)) {
		return -1;
	}
	json_array_foreach(fwd, i, f) {
		struct net_hostfwd *h = &n->fwd[n->nfwd++];
		json_int_t ha, hp, ga, gp;
		int udp;
		if (json_unpack(f, "{s:b, s:I, s:I, s:I, s:I}", "udp", &udp, "host_addr", &ha,
				"host_port", &hp, "guest_addr", &ga, "guest_port", &gp) != 0 ||
		    ha < 0 || ha > UINT32_MAX || ga < 0 || ga > UINT32_MAX || hp < 0 || hp > 65535 ||
		    gp < 0 || gp > 65535)
			return -1;
		*h = (struct net_hostfwd){ udp, (uint32_t)ha, (uint32_t)ga, (uint16_t)hp, (uint16_t)gp };
	}
	return 0;
}

/* A string member or null: NULL for null, -1 if neither. */
static int opt_string(json_t *root, const char *key, const char **out)
{
	json_t *v = json_object_get(root, key);
	if (json_is_null(v)) {
		*out = NULL;
		return 0;
	}
	*out = json_string_value(v);
	return *out ? 0 : -1;
}

int machine_config_load(const uint8_t *text, size_t len, struct machine_config *cfg,
			void **keep, struct error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)text, len, 0, &jerr), *disks, *nets, *v;
	json_int_t ram_size;
	int version, cpus, rng;
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	if (!root)
		return error_set(err, EPROTO, "the configuration is not JSON: %s", jerr.text);
	if (json_unpack(root, "{s:i, s:I, s:i, s:o, s:o, s:b}", "version", &version, "ram_size",
			&ram_size, "cpus", &cpus, "disks", &disks, "nets", &nets, "rng", &rng) != 0 ||
	    version != CONF_VERSION || ram_size <= 0 || cpus < 1 || cpus > MACHINE_MAX_HARTS ||
	    !json_is_array(disks) || !json_is_array(nets) ||
	    json_array_size(disks) + json_array_size(nets) + (rng != 0) > VIRTIO_SLOTS ||
	    opt_string(root, "kernel", &cfg->kernel) < 0 || opt_string(root, "initrd", &cfg->initrd) < 0 ||
	    opt_string(root, "append", &cfg->append) < 0 || opt_string(root, "bios", &cfg->bios) < 0)
		goto bad;
	cfg->ram_size = (uint64_t)ram_size;
	cfg->ncpus = (unsigned)cpus;
	cfg->rng = rng;
	json_array_foreach(disks, i, v) {
		struct disk_config *d = &cfg->disks[cfg->ndisks++];
		const char *format;
		int ro, fmt;
		if (json_unpack(v, "{s:s, s:s, s:b}", "path", &d->path, "format", &format,
				"readonly", &ro) != 0 || (fmt = block_format_parse(format)) < 0)
			goto bad;
		d->format = (enum block_format)fmt;
		d->readonly = ro;
	}
	json_array_foreach(nets, i, v)
		if (parse_net(v, &cfg->nets[cfg->nnets++]) < 0)
			goto bad;
	*keep = root;
	return 0;
bad:
	json_decref(root);
	return error_set(err, EPROTO, "the configuration section is malformed");
}

void machine_config_release(void *keep)
{
	json_decref(keep);
}
