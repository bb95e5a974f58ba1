/* A listening Unix socket that only its owner can reach, for the servers a
 * doppel process offers (the switch, a VM's control socket, a migration
 * target), and a connection to one. */
#ifndef DOPPEL_UTIL_UNIX_LISTEN_H
#define DOPPEL_UTIL_UNIX_LISTEN_H

#include "util/error.h"

/* Binds a non-blocking socket of the given type (SOCK_STREAM,
 * SOCK_SEQPACKET) at path, created with mode 0600, and listens. A socket
 * file left by a process that was killed is replaced; anything else at path
 * (a live server, another kind of file) is refused with one line in err.
 * Returns the descriptor, or -errno. */
int unix_listen(const char *path, int type, int backlog, struct error *err);

/* Starts connecting a stream socket to path without blocking: returns the
 * socket (tcp_connect_done tells when it is made, as for TCP) or -errno
 * with a message. */
int unix_connect_start(const char *path, struct error *err);

#endif
