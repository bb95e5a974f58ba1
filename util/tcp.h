/* TCP endpoints named as QEMU names them, "tcp:HOST:PORT" (HOST a name, an
 * IPv4 address, or an IPv6 address in brackets): a connection made without
 * blocking, and a listener that takes one connection. */
#ifndef DOPPEL_UTIL_TCP_H
#define DOPPEL_UTIL_TCP_H

#include "util/error.h"

/* Starts connecting to uri without blocking: returns the socket (the
 * connection may still be in progress) or -errno with a message. */
int tcp_connect_start(const char *uri, struct error *err);

/* Whether the connection on fd is made: 1 yes (fd is then blocking again),
 * 0 not yet, -errno with a message if it failed. */
int tcp_connect_done(int fd, const char *uri, struct error *err);

/* Listens on uri: returns the listening socket or -errno with a message. */
int tcp_listen(const char *uri, struct error *err);

#endif
