/* The virtio device classes (vm/device.h): the virtio-mmio transports and
 * the devices that fill their slots, with their parts of the configuration
 * section (vm/config_json.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "virtio/rng.h"
#include "vm/device.h"
#include "vm/fdt.h"
#include "vm/machine.h"
#include "vm/snapshot.h"

/* ---- virtio-mmio: the transports; the slots are filled, in order, by the
 * disks, the network cards, then the entropy device, and the rest stay
 * empty ---- */

/* The slots the configuration's virtio devices fill. */
static size_t slots_taken(const struct machine_config *cfg)
{
	return cfg->ndisks + cfg->nnets + cfg->rng;
}

static int virtio_mmio_create(struct machine *m, struct error *err)
{
	const struct machine_config *cfg = &m->cfg;

	if (slots_taken(cfg) > VIRTIO_SLOTS)
		return error_set(err, EINVAL, "too many virtio devices: at most %d (disks, --net and --rng)",
				 VIRTIO_SLOTS);
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		int ret = device_add_mmio(m, VIRTIO_BASE + i * VIRTIO_SIZE, VIRTIO_SIZE, &virtio_mmio_ops,
				   &m->virtio[i], err);
		if (ret < 0)
			return ret;
		virtio_mmio_init(&m->virtio[i], &m->bus, NULL, NULL);
		m->virtio[i].irq = device_plic_line(m, VIRTIO_IRQ(i));
	}
	return 0;
}

/* Puts a device in the next free slot (virtio_mmio_create counted them). */
static struct virtio_mmio *virtio_attach(struct machine *m, const struct virtio_device_ops *ops,
					 void *dev)
{
	unsigned slot = m->nvirtio_used++;
	struct virtio_mmio *t = &m->virtio[slot];
	virtio_mmio_init(t, &m->bus, ops, dev);
	t->irq = device_plic_line(m, VIRTIO_IRQ(slot));
	return t;
}

static void virtio_mmio_fdt(struct fdt_writer *w, const struct machine *m)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		uint64_t base = VIRTIO_BASE + i * VIRTIO_SIZE;
		fdtw_begin(w, "virtio_mmio@%llx", base);
		fdtw_str(w, "compatible", "virtio,mmio");
		fdtw_reg(w, base, VIRTIO_SIZE);
		fdtw_device_irq(w, VIRTIO_IRQ(i));
		fdtw_end(w);
	}
}

/* A device's queues must lie in this machine's RAM; an empty slot has no
 * state at all. */
static int virtio_mmio_check(const struct machine *m, const struct machine_state *st,
			     struct error *err)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
		const struct virtio_mmio_state *v = &st->virtio[i];
		unsigned nq = m->virtio[i].ops ? m->virtio[i].ops->num_queues : 0;
		if (!m->virtio[i].ops && v->status != 0)
			return error_set(err, EPROTO, "virtio slot %u is empty but has a state", i);
		for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
			if (!v->queue[q].ready)
				continue;
			if (q >= nq || !virtq_valid(&m->bus, &v->queue[q]))
				return error_set(err, EPROTO, "virtio slot %u queue %u lies outside "
						 "guest RAM", i, q);
		}
	}
	return 0;
}

static void virtio_mmio_applied(struct machine *m)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS; i++)
		virtio_mmio_update_irq(&m->virtio[i]);
}

const struct device_class virtio_mmio_class = {
	.name = "virtio-mmio",
	.create = virtio_mmio_create,
	.fdt_nodes = virtio_mmio_fdt,
	.base = VIRTIO_BASE,
	.sections = DEVICE_SECTIONS_ARRAY(virtio_mmio_state_desc, virtio, virtio, VIRTIO_SLOTS),
	.check_state = virtio_mmio_check,
	.state_applied = virtio_mmio_applied,
};

/* ---- virtio-blk: the --disk images ---- */

/* The disk's serial number (virtio-blk GET_ID): its file name. */
static const char *disk_id(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int blk_create(struct machine *m, struct error *err)
{
	for (; m->ndisks_open < m->cfg.ndisks; m->ndisks_open++) {
		const struct disk_config *d = &m->cfg.disks[m->ndisks_open];
		struct block_dev *bd;
		int ret = block_open(d->path, d->format, d->readonly, &bd, err);
		if (ret < 0)
			return ret;
		virtio_blk_init(&m->disks[m->ndisks_open], bd, disk_id(d->path));
		virtio_attach(m, &virtio_blk_ops, &m->disks[m->ndisks_open]);
	}
	return 0;
}

static void blk_destroy(struct machine *m)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		int ret = virtio_blk_close(&m->disks[i]);
		/* Said at once: the guest's last writes may not be on disk. */
		if (ret < 0)
			fprintf(stderr, "doppel: cannot flush %s: %s\n", m->cfg.disks[i].path,
				strerror(-ret));
	}
}

static void blk_stats(const struct machine *m, json_t *devices)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		const struct virtio_blk_stats *st = &m->disks[i].stats;
		char name[8] = { 'v', 'd', (char)('a' + i) };
		json_array_append_new(devices, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}",
			"name", name, "type", "virtio-blk", "reads", (json_int_t)st->reads,
			"writes", (json_int_t)st->writes, "flushes", (json_int_t)st->flushes,
			"bytes_read", (json_int_t)st->bytes_read, "bytes_written", (json_int_t)st->bytes_written,
			"failed", (json_int_t)st->failed));
	}
}

static int blk_config_save(const struct machine_config *cfg, json_t *conf)
{
	json_t *disks = json_array();
	for (unsigned i = 0; i < cfg->ndisks; i++)
		json_array_append_new(disks, json_pack("{s:s, s:s, s:b}", "path", cfg->disks[i].path,
						       "format", block_format_name(cfg->disks[i].format),
						       "readonly", cfg->disks[i].readonly));
	return json_object_set_new(conf, "disks", disks);
}

static int blk_config_load(json_t *conf, struct machine_config *cfg)
{
	json_t *disks = json_object_get(conf, "disks"), *v;
	size_t i;

	if (!json_is_array(disks) || slots_taken(cfg) + json_array_size(disks) > VIRTIO_SLOTS)
		return -1;
	json_array_foreach(disks, i, v) {
		struct disk_config *d = &cfg->disks[cfg->ndisks++];
		const char *format;
		int ro, fmt;
		if (json_unpack(v, "{s:s, s:s, s:b}", "path", &d->path, "format", &format,
				"readonly", &ro) != 0 || (fmt = block_format_parse(format)) < 0)
			return -1;
		d->format = (enum block_format)fmt;
		d->readonly = ro;
	}
	return 0;
}

const struct device_class virtio_blk_class = {
	.name = "virtio-blk",
	.create = blk_create,
	.destroy = blk_destroy,
	.config_save = blk_config_save,
	.config_load = blk_config_load,
	.stats = blk_stats,
};

/* ---- virtio-net: the --net cards ---- */

/* QEMU's default MAC addresses: 52:54:00:12:34:56 for the first NIC, one
 * more for each next, so that a VM's addresses stay the same from run to run. */
static void default_mac(unsigned index, uint8_t mac[6])
{
	static const uint8_t first[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	memcpy(mac, first, 6);
	mac[5] = (uint8_t)(mac[5] + index);
}

static int create_nic(struct machine *m, struct error *err)
{
	const struct net_config *nc = &m->cfg.nets[m->nnics_open];
	struct virtio_net *n = &m->nics[m->nnics_open];
	/* The slot virtio_attach takes below. */
	struct virtio_mmio *t = &m->virtio[m->nvirtio_used];
	uint8_t mac[6];

	if (nc->mac_given)
		memcpy(mac, nc->mac, 6);
	else
		default_mac(m->nnics_open, mac);
	virtio_net_init(n, t, mac);
	int ret = nc->type == NET_SWITCH
			  ? net_switch_open(nc, virtio_net_receive, virtio_net_can_receive, n,
					    &n->backend, err)
			  : net_slirp_open(nc, virtio_net_receive, n, &n->backend, err);
	if (ret < 0)
		return ret;
	virtio_attach(m, &virtio_net_ops, n);
	m->nnics_open++;
	return 0;
}

static int net_create(struct machine *m, struct error *err)
{
	while (m->nnics_open < m->cfg.nnets) {
		int ret = create_nic(m, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void net_destroy(struct machine *m)
{
	for (unsigned i = 0; i < m->nnics_open; i++)
		virtio_net_close(&m->nics[i]);
}

static unsigned net_instances(const struct machine *m)
{
	return m->nnics_open;
}

static void net_stats(const struct machine *m, json_t *devices)
{
	for (unsigned i = 0; i < m->nnics_open; i++) {
		const struct virtio_net_state *st = &m->nics[i].s;
		char name[8];
		snprintf(name, sizeof(name), "eth%u", i);
		json_array_append_new(devices, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}",
			"name", name, "type", "virtio-net", "rx_frames", (json_int_t)st->rx_frames,
			"tx_frames", (json_int_t)st->tx_frames, "rx_dropped", (json_int_t)st->rx_dropped,
			"tx_malformed", (json_int_t)st->tx_malformed));
	}
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

static int net_config_save(const struct machine_config *cfg, json_t *conf)
{
	json_t *nets = json_array();
	for (unsigned i = 0; i < cfg->nnets; i++)
		json_array_append_new(nets, net_json(&cfg->nets[i]));
	return json_object_set_new(conf, "nets", nets);
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

static int net_config_load(json_t *conf, struct machine_config *cfg)
{
	json_t *nets = json_object_get(conf, "nets"), *v;
	size_t i;

	if (!json_is_array(nets) || slots_taken(cfg) + json_array_size(nets) > VIRTIO_SLOTS)
		return -1;
	json_array_foreach(nets, i, v)
		if (parse_net(v, &cfg->nets[cfg->nnets++]) < 0)
			return -1;
	return 0;
}

const struct device_class virtio_net_class = {
	.name = "virtio-net",
	.create = net_create,
	.destroy = net_destroy,
	.sections = DEVICE_SECTIONS_ARRAY(virtio_net_state_desc, nics, nic, VIRTIO_SLOTS),
	.instances = net_instances,
	.config_save = net_config_save,
	.config_load = net_config_load,
	.stats = net_stats,
};

/* ---- virtio-rng: --rng ---- */

static int rng_create(struct machine *m, struct error *err)
{
	if (m->cfg.rng)
		virtio_attach(m, &virtio_rng_ops, NULL);
	return 0;
}

static int rng_config_save(const struct machine_config *cfg, json_t *conf)
{
	return json_object_set_new(conf, "rng", json_boolean(cfg->rng));
}

static int rng_config_load(json_t *conf, struct machine_config *cfg)
{
	json_t *rng = json_object_get(conf, "rng");

	if (!json_is_boolean(rng) || slots_taken(cfg) + json_is_true(rng) > VIRTIO_SLOTS)
		return -1;
	cfg->rng = json_is_true(rng);
	return 0;
}

const struct device_class virtio_rng_class = {
	.name = "virtio-rng",
	.create = rng_create,
	.config_save = rng_config_save,
	.config_load = rng_config_load,
};

