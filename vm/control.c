/* The control socket's server: clients, line assembly, dispatch of requests
 * to the command table, and the queues of replies and events. Everything
 * is non-blocking; a client can slow nothing down but itself. */
#include "vm/control.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/unix_listen.h"

#define READ_CHUNK 4096
/* Error descriptions: struct error's message, or a parse error's. */
#define CONTROL_DESC_MAX 512

static void client_close(struct control_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
}

/* Sends as much of the queue as the socket takes now. */
static void client_flush(struct control_client *cl)
{
	size_t sent = 0;
	while (sent < cl->out_len) {
		ssize_t n = send(cl->fd, cl->out + sent, cl->out_len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(cl);
			return;
		}
		sent += (size_t)n;
	}
	memmove(cl->out, cl->out + sent, cl->out_len - sent);
	cl->out_len -= sent;
}

/* Queues msg as one line and releases it. A client whose queue would
 * overflow has stopped reading: it is disconnected. */
static void client_send(struct control_client *cl, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (cl->fd < 0)
		goto out;
	size_t len = text ? strlen(text) : 0;
	if (!text || cl->out_len + len + 1 > sizeof(cl->out)) {
		client_close(cl);
		goto out;
	}
	memcpy(cl->out + cl->out_len, text, len);
	cl->out[cl->out_len + len] = '\n';
	cl->out_len += len + 1;
	client_flush(cl);
out:
	free(text);
}

/* A description quoting the request may hold invalid UTF-8 (a name cut
 * mid-character, raw bytes), which JSON cannot carry: such bytes become '?'. */
static json_t *description(const char *desc)
{
	char ascii[CONTROL_DESC_MAX];
	json_t *text = json_string(desc);
	size_t i;

	if (text)
		return text;
	for (i = 0; desc[i] && i + 1 < sizeof(ascii); i++)
		ascii[i] = (unsigned char)desc[i] < 0x80 ? desc[i] : '?';
	ascii[i] = '\0';
	return json_string(ascii);
}

/* {"error": {"class", "desc"}} with the request's id, if it had one. */
static json_t *error_reply(const char *class, const char *desc, json_t *id)
{
	json_t *reply = json_pack("{s:{s:s,s:o}}", "error", "class", class, "desc", description(desc));
	if (id)
		json_object_set(reply, "id", id);
	return reply;
}

static const struct control_command *find_command(const char *name)
{
	for (size_t i = 0; i < control_ncommands; i++)
		if (!strcmp(control_commands[i].name, name))
			return &control_commands[i];
	return NULL;
}

/* One request line to its reply. The checks and error classes are QMP's. */
static json_t *execute_line(struct machine *m, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	json_t *reply;
	char desc[CONTROL_DESC_MAX];

	if (!req) {
		snprintf(desc, sizeof(desc), "JSON parse error at column %d: %s", jerr.column, jerr.text);
		return error_reply("GenericError", desc, NULL);
	}
	json_t *id = json_object_get(req, "id");
	json_t *execute = json_object_get(req, "execute");
	json_t *args = json_object_get(req, "arguments");
	const struct control_command *cmd;
	if (!json_is_object(req)) {
		reply = error_reply("GenericError", "the request is not a JSON object", NULL);
	} else if (!execute) {
		reply = error_reply("GenericError", "the request has no 'execute' member", id);
	} else if (!json_is_string(execute)) {
		reply = error_reply("GenericError", "'execute' must be a string", id);
	} else if (args && !json_is_object(args)) {
		reply = error_reply("GenericError", "'arguments' must be an object", id);
	} else if (!(cmd = find_command(json_string_value(execute)))) {
		snprintf(desc, sizeof(desc), "the command %.64s has not been found", json_string_value(execute));
		reply = error_reply("CommandNotFound", desc, id);
	} else {
		struct error err = { 0 };
		json_t *ret = NULL;
		json_t *empty = args ? NULL : json_object();
		if (cmd->handler(m, args ? args : empty, &ret, &err) < 0) {
			reply = error_reply("GenericError", err.msg, id);
		} else {
			reply = json_pack("{s:o}", "return", ret ? ret : json_object());
			if (id)
				json_object_set(reply, "id", id);
		}
		json_decref(empty);
	}
	json_decref(req);
	return reply;
}

/* Empty lines are ignored, as whitespace between JSON texts. */
static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Takes bytes from the socket: complete lines are served, a partial one
 * is kept for the next read, an over-long one gets an error and its rest
 * is skipped up to its newline. */
static void client_feed(struct control_client *cl, struct machine *m, const char *data, size_t len)
{
	while (len && cl->fd >= 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		bool overflow = !cl->discarding && cl->in_len + take > sizeof(cl->in);

		if (overflow) {
			char desc[96];
			snprintf(desc, sizeof(desc), "request longer than %d bytes: discarded", CONTROL_LINE_MAX);
			client_send(cl, error_reply("GenericError", desc, NULL));
			cl->in_len = 0;
			cl->discarding = true;
		}
		if (!cl->discarding) {
			memcpy(cl->in + cl->in_len, data, take);
			cl->in_len += take;
		}
		if (nl) {
			if (!cl->discarding && !is_blank(cl->in, cl->in_len))
				client_send(cl, execute_line(m, cl->in, cl->in_len));
			cl->in_len = 0;
			cl->discarding = false;
			take++;
		}
		data += take;
		len -= take;
	}
}

static void client_read(struct control_client *cl, struct machine *m)
{
	char buf[READ_CHUNK];
	ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(cl);
		return;
	}
	client_feed(cl, m, buf, (size_t)n);
}

void control_init(struct control *c, const char *version)
{
	c->listen_fd = -1;
	c->path[0] = '\0';
	c->version = version;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
}

int control_open(struct control *c, const char *path, const char *version, struct error *err)
{
	control_init(c, version);
	int fd = unix_listen(path, SOCK_STREAM, CONTROL_MAX_CLIENTS, err);
	if (fd < 0)
		return fd;
	c->listen_fd = fd;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return 0;
}

/* A client beyond the limit is told why before it is closed, in place of
 * the greeting. The line is sent without waiting: a new connection's
 * socket buffer is empty, so it goes at once or the client is gone. */
static void refuse_client(int fd)
{
	char desc[64], line[CONTROL_DESC_MAX];
	snprintf(desc, sizeof(desc), "too many clients: the limit is %d", CONTROL_MAX_CLIENTS);
	json_t *reply = error_reply("GenericError", desc, NULL);
	char *text = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	int len = text ? snprintf(line, sizeof(line), "%s\n", text) : 0;
	if (len > 0)
		send(fd, line, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	free(text);
	close(fd);
}

int control_attach(struct control *c, int fd)
{
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *cl = &c->clients[i];
		if (cl->fd >= 0)
			continue;
		cl->fd = fd;
		cl->in_len = cl->out_len = 0;
		cl->discarding = false;
		client_send(cl, json_pack("{s:{s:s}}", "doppel", "version", c->version));
		return 0;
	}
	refuse_client(fd);
	return -EMFILE;
}

void control_close(struct control *c, int timeout_ms)
{
	uint64_t waited_ms = 0;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *cl = &c->clients[i];
		/* A slow reader gets a little time for the last replies and the
		 * SHUTDOWN event, all clients together at most timeout_ms. */
		while (cl->fd >= 0 && cl->out_len && waited_ms < (uint64_t)timeout_ms) {
			struct pollfd pfd = { .fd = cl->fd, .events = POLLOUT };
			poll(&pfd, 1, 10);
			waited_ms += 10;
			client_flush(cl);
		}
		if (cl->fd >= 0)
			client_close(cl);
	}
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->listen_fd = -1;
	if (c->path[0])
		unlink(c->path);
	c->path[0] = '\0';
}

unsigned control_poll_fill(struct control *c, struct pollfd *fds, unsigned max)
{
	unsigned n = 0;
	if (c->listen_fd >= 0 && n < max)
		fds[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS && n < max; i++) {
		const struct control_client *cl = &c->clients[i];
		if (cl->fd >= 0)
			fds[n++] = (struct pollfd){ .fd = cl->fd, .events = POLLIN | (cl->out_len ? POLLOUT : 0) };
	}
	return n;
}

static struct control_client *client_by_fd(struct control *c, int fd)
{
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd == fd)
			return &c->clients[i];
	return NULL;
}

void control_poll_done(struct control *c, struct machine *m, const struct pollfd *fds, unsigned n)
{
	bool incoming = false;

	/* Clients first, then new ones: a descriptor closed here and reused
	 * by accept is not mistaken for the old client. */
	for (unsigned i = 0; i < n; i++) {
		struct control_client *cl;
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == c->listen_fd) {
			incoming = true;
			continue;
		}
		cl = client_by_fd(c, fds[i].fd);
		if (cl && (fds[i].revents & POLLOUT))
			client_flush(cl);
		if (cl && cl->fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
			client_read(cl, m);
	}
	while (incoming) {
		int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			break;
		control_attach(c, fd);
	}
}

void control_event(struct control *c, const char *name, json_t *data)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	if (!data)
		data = json_object();
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (c->clients[i].fd < 0)
			continue;
		/* QMP's timestamp: wall-clock seconds and microseconds. */
		client_send(&c->clients[i],
			    json_pack("{s:s,s:O,s:{s:I,s:I}}", "event", name, "data", data,
				      "timestamp", "seconds", (json_int_t)tv.tv_sec,
				      "microseconds", (json_int_t)tv.tv_usec));
	}
	json_decref(data);
}
