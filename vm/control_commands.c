/* The control socket's commands (docs/control.md). Each runs on the run
 * loop's thread between slices, so the machine is never mid-instruction. */
#include <errno.h>

#include "vm/control.h"
#include "vm/device.h"
#include "vm/machine.h"
#include "vm/migrate.h"
#include "vm/snapshot.h"

/* Commands without arguments refuse any, as QMP does. */
static int no_arguments(json_t *args, struct error *err)
{
	const char *key;
	json_t *value;
	json_object_foreach(args, key, value)
		return error_set(err, EINVAL, "parameter '%.64s' is unexpected", key);
	return 0;
}

static int cmd_status(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	if (no_arguments(args, err) < 0)
		return -EINVAL;
	*ret = json_pack("{s:s,s:b,s:i,s:I}", "status", m->paused ? "paused" : "running",
			 "running", !m->paused, "harts", (int)m->nharts,
			 "ram", (json_int_t)m->cfg.ram_size);
	return 0;
}

static int cmd_pause(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	if (no_arguments(args, err) < 0)
		return -EINVAL;
	machine_pause(m);
	return 0;
}

static int cmd_resume(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	if (no_arguments(args, err) < 0)
		return -EINVAL;
	machine_resume(m);
	return 0;
}

/* The reply is queued now and sent before the process ends. */
static int cmd_quit(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	if (no_arguments(args, err) < 0)
		return -EINVAL;
	exit_request_raise(&m->exit, EXIT_QUIT, 0);
	return 0;
}

static json_t *hart_stats(const struct machine *m)
{
	json_t *harts = json_array();
	for (unsigned i = 0; i < m->nharts; i++) {
		const char *state = !machine_hart_started(m, i) ? "stopped" : m->harts[i]->s.wfi ? "waiting" : "running";
		json_array_append_new(harts, json_pack("{s:i,s:I,s:s}", "hart", (int)i, "instructions",
						       (json_int_t)m->retired[i], "state", state));
	}
	return harts;
}

static json_t *device_stats(const struct machine *m)
{
	json_t *devices = json_array();
	for (size_t i = 0; i < board_ndevices; i++)
		if (board_devices[i]->stats)
			board_devices[i]->stats(m, devices);
	return devices;
}

static int cmd_query_stats(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	if (no_arguments(args, err) < 0)
		return -EINVAL;
	uint64_t total = 0;
	for (unsigned i = 0; i < m->nharts; i++)
		total += m->retired[i];
	*ret = json_pack("{s:I,s:o,s:o}", "instructions", (json_int_t)total, "harts", hart_stats(m),
			 "devices", device_stats(m));
	return 0;
}

/* snapshot {"path": FILE, "compress": bool}: the machine to FILE, its
 * disks frozen (docs/snapshot.md). A paused machine stays paused. */
static int cmd_snapshot(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	const char *path;
	int compress = 0;
	json_error_t jerr;
	struct snapshot_info info;

	if (json_unpack_ex(args, &jerr, JSON_STRICT, "{s:s, s?b}", "path", &path, "compress",
			   &compress) != 0)
		return error_set(err, EINVAL, "snapshot: %s", jerr.text);
	/* The images as they are before the snapshot freezes them. */
	json_t *disks = json_array();
	for (unsigned i = 0; i < m->ndisks_open; i++)
		json_array_append_new(disks, json_pack("{s:s, s:b}", "image", m->cfg.disks[i].path,
						       "frozen", !m->disks[i].bd->readonly));
	struct snapshot_opts o = { .zstd_level = compress ? 3 : 0 };
	uint64_t start = host_monotonic_ns();
	int rc = machine_snapshot(m, path, &o, &info, err);
	if (rc < 0) {
		json_decref(disks);
		return rc;
	}
	for (unsigned i = 0; i < m->ndisks_open; i++)
		json_object_set_new(json_array_get(disks, i), "continues_on",
				    json_string(m->cfg.disks[i].path));
	*ret = json_pack("{s:s, s:I, s:I, s:f, s:o}", "path", path, "bytes", (json_int_t)info.bytes,
			 "pages", (json_int_t)info.pages,
			 "seconds", (double)(host_monotonic_ns() - start) / 1e9, "disks", disks);
	return 0;
}

static const char *const migrate_status_name[] = {
	[MIGRATE_NONE] = "none", [MIGRATE_ACTIVE] = "active",
	[MIGRATE_COMPLETED] = "completed", [MIGRATE_FAILED] = "failed",
};

/* A migration's status and figures, for query-migrate and its events. */
static json_t *migration_info(const struct migration *mg)
{
	const struct migrate_stats *s = &mg->stats;
	json_t *info = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I}",
		"status", migrate_status_name[mg->status], "uri", mg->uri,
		"passes", (json_int_t)s->passes, "pages", (json_int_t)s->pages,
		"bytes", (json_int_t)s->bytes, "remaining", (json_int_t)s->remaining,
		"bandwidth", (json_int_t)s->bandwidth, "total_ms", (json_int_t)migrate_elapsed_ms(mg));
	if (mg->status == MIGRATE_COMPLETED)
		json_object_set_new(info, "downtime_ms", json_real((double)s->downtime_ns / 1e6));
	if (mg->status == MIGRATE_FAILED)
		json_object_set_new(info, "error", json_string(mg->err.msg));
	return info;
}

static void migration_event(void *opaque, const struct migration *mg)
{
	control_event(opaque, "MIGRATION", migration_info(mg));
}

/* migrate {"uri": "tcp:HOST:PORT"}: replies at once; the migration goes on
 * between slices and reports through MIGRATION events (docs/migration.md). */
static int cmd_migrate(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	const char *uri;
	json_error_t jerr;

	if (json_unpack_ex(args, &jerr, JSON_STRICT, "{s:s}", "uri", &uri) != 0)
		return error_set(err, EINVAL, "migrate: %s", jerr.text);
	return migrate_start(m, uri, migration_event, m->cfg.control, err);
}

static int cmd_query_migrate(struct machine *m, json_t *args, json_t **ret, struct error *err)
{
	if (no_arguments(args, err) < 0)
		return -EINVAL;
	*ret = m->migration ? migration_info(m->migration) : json_pack("{s:s}", "status", "none");
	return 0;
}

const struct control_command control_commands[] = {
	{ "status", cmd_status },
	{ "pause", cmd_pause },
	{ "resume", cmd_resume },
	{ "quit", cmd_quit },
	{ "query-stats", cmd_query_stats },
	{ "snapshot", cmd_snapshot },
	{ "migrate", cmd_migrate },
	{ "query-migrate", cmd_query_migrate },
};
const size_t control_ncommands = sizeof(control_commands) / sizeof(control_commands[0]);
