#include "vm/console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define CTRL_A 0x01

/* The terminal's settings before raw mode. This is process-wide state on
 * purpose: the terminal belongs to the process, and a signal handler, which
 * gets no context, must be able to restore it. */
static struct termios saved_termios;
static int saved_fd = -1;

static void restore_terminal(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSAFLUSH, &saved_termios);
}

static void restore_and_reraise(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void enter_raw_mode(int fd)
{
	struct termios raw;

	if (saved_fd >= 0 || tcgetattr(fd, &saved_termios) < 0)
		return;
	saved_fd = fd;
	atexit(restore_terminal);
	signal(SIGTERM, restore_and_reraise);
	signal(SIGHUP, restore_and_reraise);
	signal(SIGQUIT, restore_and_reraise);
	signal(SIGINT, restore_and_reraise);
	raw = saved_termios;
	cfmakeraw(&raw);
	/* No output post-processing: the guest's serial driver sends "\r\n".
	 * TCSANOW keeps what was typed ahead for the guest; the restore at
	 * exit flushes instead, so that input meant for the guest never
	 * reaches the host's shell. */
	tcsetattr(fd, TCSANOW, &raw);
}

void console_init(struct console *c, int in_fd, int out_fd)
{
	memset(c, 0, sizeof(*c));
	c->in_fd = in_fd;
	c->out_fd = out_fd;
	c->in_open = in_fd >= 0;
	if (in_fd >= 0 && isatty(in_fd))
		enter_raw_mode(in_fd);
}

void console_write(struct console *c, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(c->out_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;   /* output closed: the guest keeps running */
		buf += n;
		len -= (size_t)n;
	}
}

static void push_input(struct console *c, uint8_t byte)
{
	if (c->escape) {
		c->escape = false;
		if (byte == 'x' || byte == 'X') {
			c->quit = true;
			return;
		}
		if (byte != CTRL_A)
			return;   /* other escapes are reserved (c: monitor) */
	} else if (byte == CTRL_A && saved_fd >= 0) {
		c->escape = true;
		return;
	}
	if (c->in_len < CONSOLE_INBUF) {
		c->in[(c->in_head + c->in_len) % CONSOLE_INBUF] = byte;
		c->in_len++;
	}
}

bool console_poll_fd(const struct console *c, struct pollfd *pfd)
{
	if (!c->in_open || c->in_len == CONSOLE_INBUF)
		return false;
	*pfd = (struct pollfd){ .fd = c->in_fd, .events = POLLIN };
	return true;
}

void console_read_ready(struct console *c)
{
	uint8_t buf[CONSOLE_INBUF];
	size_t room = CONSOLE_INBUF - c->in_len;
	ssize_t n = read(c->in_fd, buf, room);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
		c->in_open = false;
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		push_input(c, buf[i]);
}

int console_peek(const struct console *c)
{
	return c->in_len ? c->in[c->in_head] : -1;
}

int console_getc(struct console *c)
{
	int byte = console_peek(c);
	if (byte >= 0) {
		c->in_head = (c->in_head + 1) % CONSOLE_INBUF;
		c->in_len--;
	}
	return byte;
}
