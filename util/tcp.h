/* TCP endpoints named as QEMU names them, "tcp:HOST:PORT" (HOST a name, an
 * IPv4 address, or an IPv6 address in brackets; PORT decimal digits, 1 to
 * 65535, or 0 for a listener: any free port): a connection made without
 * blocking, and a listener that takes one connection. Anything else is
 * refused with -EINVAL and one line. */
#ifndef DOPPEL_UTIL_TCP_H
#define DOPPEL_UTIL_TCP_H

#include <stddef.h>

#include "util/error.h"

/* Starts connecting to uri without blocking: returns the socket (the
 * connection may still be in progress) or -errno with a message. */
int tcp_connect_start(const char *uri, struct error *err);

/* Whether the connection on fd is made: 1 yes (fd is then blocking again),
 * 0 not yet, -errno with a message if it failed. */
int tcp_connect_done(int fd, const char *uri, struct error *err);

/* Listens on uri: returns the listening socket or -errno with a message. */
int tcp_listen(const char *uri, struct error *err);

/* The tcp:HOST:PORT a socket is bound to (the port chosen for port 0). */
int tcp_local_uri(int fd, char *buf, size_t len, struct error *err);

#endif
