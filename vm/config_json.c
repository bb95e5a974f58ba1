/* The machine's configuration as JSON, the stream's "CONF" section: what a
 * restore or an incoming migration builds the machine from. Readable with
 * any JSON tool, and every value is checked when read back. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vm/device.h"
#include "vm/snapshot.h"

#define CONF_VERSION 1

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

void machine_config_save(struct state_writer *w, const struct machine_config *cfg)
{
	json_t *root = json_pack("{s:i, s:I, s:i, s:o, s:o, s:o, s:o}",
				 "version", CONF_VERSION, "ram_size", (json_int_t)cfg->ram_size,
				 "cpus", (int)cfg->ncpus, "kernel", str_or_null(cfg->kernel),
				 "initrd", str_or_null(cfg->initrd), "append", str_or_null(cfg->append),
				 "bios", str_or_null(cfg->bios));
	for (size_t i = 0; i < board_ndevices && root; i++)
		if (board_devices[i]->config_save && board_devices[i]->config_save(cfg, root) < 0) {
			json_decref(root);
			root = NULL;
		}
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
	json_t *root = json_loadb((const char *)text, len, 0, &jerr);
	json_int_t ram_size;
	int version, cpus;

	memset(cfg, 0, sizeof(*cfg));
	if (!root)
		return error_set(err, EPROTO, "the configuration is not JSON: %s", jerr.text);
	if (json_unpack(root, "{s:i, s:I, s:i}", "version", &version, "ram_size", &ram_size,
			"cpus", &cpus) != 0 ||
	    version != CONF_VERSION || ram_size <= 0 || cpus < 1 || cpus > MACHINE_MAX_HARTS ||
	    opt_string(root, "kernel", &cfg->kernel) < 0 || opt_string(root, "initrd", &cfg->initrd) < 0 ||
	    opt_string(root, "append", &cfg->append) < 0 || opt_string(root, "bios", &cfg->bios) < 0)
		goto bad;
	cfg->ram_size = (uint64_t)ram_size;
	cfg->ncpus = (unsigned)cpus;
	for (size_t i = 0; i < board_ndevices; i++)
		if (board_devices[i]->config_load && board_devices[i]->config_load(root, cfg) < 0)
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
