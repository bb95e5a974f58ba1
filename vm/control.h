/* A VM's control socket (docs/control.md): one JSON object per line, as
 * QEMU's QMP. The server greets each client with {"doppel": {"version"}};
 * a request {"execute": NAME, "arguments": {...}, "id": ANY} gets
 * {"return": {...}} or {"error": {"class", "desc"}}, with the id echoed;
 * events {"event": NAME, "data": {...}} go to every client between replies.
 * The run loop polls the server with everything else (control_poll_fill,
 * control_poll_done), and commands run on its thread, between slices. */
#ifndef DOPPEL_VM_CONTROL_H
#define DOPPEL_VM_CONTROL_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define CONTROL_MAX_CLIENTS 8
/* A request longer than this gets an error reply and is discarded. */
#define CONTROL_LINE_MAX 16384
/* Replies and events waiting for a client; one that never reads is
 * disconnected when they exceed this, rather than the VM blocking. */
#define CONTROL_OUT_MAX (64 * 1024)

struct machine;

/* A command: fills *ret with the "return" object (NULL: {}), or fails with
 * -errno and the reason in err (a "GenericError" reply). args is the
 * request's "arguments" object, never NULL (an empty object if absent). */
typedef int (*control_handler_fn)(struct machine *m, json_t *args, json_t **ret, struct error *err);

struct control_command {
	const char *name;
	control_handler_fn handler;
};

/* The commands (vm/control_commands.c). */
extern const struct control_command control_commands[];
extern const size_t control_ncommands;

struct control_client {
	int fd;                         /* -1: free slot */
	char in[CONTROL_LINE_MAX];      /* a partial request line */
	size_t in_len;
	bool discarding;                /* skipping the rest of an over-long line */
	char out[CONTROL_OUT_MAX];      /* replies and events not yet sent */
	size_t out_len;
};

struct control {
	int listen_fd;                  /* -1: none (clients attached directly) */
	char path[108];                 /* removed at close; empty: none */
	const char *version;
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

/* Listens at path (created mode 0600; a stale socket there is replaced,
 * anything else refused). version goes into the greeting. */
int control_open(struct control *c, const char *path, const char *version, struct error *err);
/* A server with no listening socket, whose clients come from
 * control_attach (tests). */
void control_init(struct control *c, const char *version);
/* Serves an already connected stream socket as a client (greets it).
 * Returns 0, or -EMFILE when every client slot is taken: the client gets
 * an error line naming the limit in place of the greeting, and fd is
 * closed. */
int control_attach(struct control *c, int fd);
/* Sends what is queued (waiting up to timeout_ms for slow readers), closes
 * every client and the socket, and removes the socket file. */
void control_close(struct control *c, int timeout_ms);

/* Adds the descriptors to poll to fds (at most max; returns how many). */
unsigned control_poll_fill(struct control *c, struct pollfd *fds, unsigned max);
/* After poll (fds as filled, with revents): accepts clients, reads and
 * serves requests on m, sends what is queued. */
void control_poll_done(struct control *c, struct machine *m, const struct pollfd *fds, unsigned n);

/* Sends {"event": name, "data": data} to every client (takes data's
 * reference; NULL: {}). */
void control_event(struct control *c, const char *name, json_t *data);

#endif
