/* The host side of the guest console: stdin/stdout, in raw mode when they are
 * a terminal (restored on every exit path), with QEMU's escape: Ctrl-A x
 * quits, Ctrl-A Ctrl-A sends Ctrl-A. Pipes work too, for scripts and tests. */
#ifndef DOPPEL_VM_CONSOLE_H
#define DOPPEL_VM_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_INBUF 256

struct console {
	int in_fd, out_fd;
	bool in_open;          /* false after EOF on input */
	bool escape;           /* the previous input byte was Ctrl-A */
	bool quit;             /* Ctrl-A x was typed */
	uint8_t in[CONSOLE_INBUF];
	unsigned in_head, in_len;
};

void console_init(struct console *c, int in_fd, int out_fd);
void console_write(struct console *c, const uint8_t *buf, size_t len);

/* The run loop polls the console with everything else: console_poll_fd
 * gives the descriptor to poll for input (false when input is closed or
 * the buffer is full), and console_read_ready reads what poll found. */
bool console_poll_fd(const struct console *c, struct pollfd *pfd);
void console_read_ready(struct console *c);

/* The next input byte, or -1 if none is waiting. */
int console_getc(struct console *c);
int console_peek(const struct console *c);

#endif
