/* doppel control PATH COMMAND [KEY=VALUE ...]: sends one command to a VM's
 * control socket (doppel run --control unix:PATH) and prints the reply. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/error.h"

/* How long to wait for the VM's greeting and reply. */
#define REPLY_TIMEOUT_S 30

static void control_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel control PATH COMMAND [KEY=VALUE ...]\n\n"
		"Sends COMMAND to the VM whose control socket is PATH (doppel run --control\n"
		"unix:PATH) and prints what it returns as JSON. Values that read as JSON\n"
		"numbers, true or false are sent as such, others as strings.\n"
		"Commands: status, pause, resume, query-stats, quit, snapshot, migrate,\n"
		"query-migrate (docs/control.md).\n"
		"Exit status: 0 on success; 1 if the VM answers with an error (its\n"
		"description on stderr) or cannot be reached.\n\n"
		"  -h, --help   show this help\n");
}

/* KEY=VALUE arguments into the request's "arguments" object. */
static int build_arguments(int argc, char **argv, json_t *args, struct error *err)
{
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i])
			return error_set(err, EINVAL, "'%s' is not KEY=VALUE", argv[i]);
		json_t *value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
		if (!json_is_number(value) && !json_is_boolean(value)) {
			json_decref(value);
			value = json_string(eq + 1);
			if (!value)
				return error_set(err, EINVAL, "'%s' is not valid UTF-8", argv[i]);
		}
		*eq = '\0';
		json_object_set_new(args, argv[i], value);
		*eq = '=';
	}
	return 0;
}

static int connect_to(const char *path, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	int fd, ret;

	if (!*path || strlen(path) >= sizeof(addr.sun_path))
		return error_set(err, EINVAL, "socket path must be 1 to %zu bytes", sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(err, errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		ret = error_set(err, errno, "%s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	return fd;
}

/* The first line: {"doppel": {...}}; or an error line from a server that
 * turns the client away (too many clients), whose description goes into
 * err, as does anything else. */
static json_t *read_greeting(FILE *in, const char *path, struct error *err)
{
	char *line = NULL;
	size_t cap = 0;
	json_t *msg = NULL;

	if (getline(&line, &cap, in) > 0)
		msg = json_loads(line, 0, NULL);
	free(line);
	if (json_object_get(msg, "doppel"))
		return msg;
	const char *desc = json_string_value(json_object_get(json_object_get(msg, "error"), "desc"));
	if (desc)
		error_set(err, EBUSY, "%s: %s", path, desc);
	else
		error_set(err, EPROTO, "%s: no doppel control socket greeting", path);
	json_decref(msg);
	return NULL;
}

/* Reads lines until the reply (events before it are skipped). */
static json_t *read_reply(FILE *in, struct error *err)
{
	char *line = NULL;
	size_t cap = 0;
	json_t *msg = NULL;

	while (getline(&line, &cap, in) > 0) {
		msg = json_loads(line, 0, NULL);
		if (json_object_get(msg, "return") || json_object_get(msg, "error"))
			goto out;
		json_decref(msg);
		msg = NULL;
	}
	error_set(err, EIO, "no reply (the VM closed the connection, or %d s passed)", REPLY_TIMEOUT_S);
out:
	free(line);
	return msg;
}

int cmd_control(int argc, char **argv)
{
	struct error err = { 0 };
	json_t *request = NULL, *greeting = NULL, *reply = NULL;
	FILE *io = NULL;
	int status = 1;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		control_usage(stdout);
		return 0;
	}
	if (argc < 3) {
		fprintf(stderr, "doppel control: expected PATH COMMAND (try 'doppel control --help')\n");
		return 2;
	}
	request = json_pack("{s:s,s:o}", "execute", argv[2], "arguments", json_object());
	if (!request) {
		fprintf(stderr, "doppel control: the command name is not valid UTF-8\n");
		return 2;
	}
	if (build_arguments(argc - 3, argv + 3, json_object_get(request, "arguments"), &err) < 0) {
		fprintf(stderr, "doppel control: %s\n", err.msg);
		status = 2;
		goto out;
	}
	int fd = connect_to(argv[1], &err);
	if (fd < 0)
		goto fail;
	io = fdopen(fd, "r+");
	if (!io) {
		close(fd);
		error_set(&err, errno, "fdopen: %s", strerror(errno));
		goto fail;
	}
	greeting = read_greeting(io, argv[1], &err);
	if (!greeting)
		goto fail;
	if (json_dumpf(request, io, JSON_COMPACT) < 0 || fputc('\n', io) == EOF || fflush(io) == EOF) {
		error_set(&err, errno, "%s: %s", argv[1], strerror(errno));
		goto fail;
	}
	reply = read_reply(io, &err);
	if (!reply)
		goto fail;
	json_t *ret = json_object_get(reply, "return");
	if (!ret) {
		const char *desc = json_string_value(json_object_get(json_object_get(reply, "error"), "desc"));
		fprintf(stderr, "doppel control: %s\n", desc ? desc : "error");
		goto out;
	}
	json_dumpf(ret, stdout, JSON_INDENT(2));
	putchar('\n');
	status = 0;
	goto out;
fail:
	fprintf(stderr, "doppel control: %s\n", err.msg);
out:
	json_decref(reply);
	json_decref(greeting);
	json_decref(request);
	if (io)
		fclose(io);
	return status;
}
