/* The guest's network benchmark (/bench/net, run by bench/net.py), one TCP
 * stream per run:
 *   net send HOST PORT MIB   connect to HOST:PORT (retrying for up to 10 s
 *                            while the peer is not listening yet), send MIB
 *                            MiB, shut down the sending side, and wait for
 *                            the peer to close: every byte has then arrived
 *   net recv PORT            accept one connection on PORT, read until the
 *                            sender shuts down, close
 * Each times itself with clock_gettime from the established connection to
 * the end (the sender: the peer's close; the receiver: end of stream) and
 * prints one line, "net tcp.send|tcp.recv MB/S MB/s SECONDS BYTES", MB being
 * 10^6 bytes. Exits 1 on any error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK_BYTES (256u << 10)
#define MAX_MIB 4096ul
#define CONNECT_TRIES 100
#define CONNECT_PAUSE_NS 100000000l

static uint8_t chunk[CHUNK_BYTES];

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "net-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void usage(void)
{
	fprintf(stderr, "usage: net send HOST PORT MIB | net recv PORT\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned long number(const char *text, unsigned long max)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || end == text || *end || value == 0 || value > max)
		usage();
	return value;
}

static void report(const char *test, uint64_t bytes, double seconds)
{
	printf("net %s %.1f MB/s %.6f %llu\n", test, (double)bytes / 1e6 / seconds, seconds,
	       (unsigned long long)bytes);
	fflush(stdout);
}

/* Reads until end of stream; returns the bytes read. */
static uint64_t drain(int fd)
{
	uint64_t bytes = 0;

	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));

		if (got == 0)
			return bytes;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			die("read");
		}
		bytes += (uint64_t)got;
	}
}

static int connect_with_retries(const struct sockaddr_in *peer)
{
	const struct timespec pause = { .tv_nsec = CONNECT_PAUSE_NS };

	for (int i = 0;; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (const struct sockaddr *)peer, sizeof(*peer)) == 0)
			return fd;
		/* The receiver in the other VM may not be listening yet. */
		if (errno != ECONNREFUSED || i + 1 == CONNECT_TRIES)
			die("connect");
		close(fd);
		nanosleep(&pause, NULL);
	}
}

static int send_stream(const char *host, const char *port, const char *mib)
{
	struct sockaddr_in peer = { .sin_family = AF_INET };
	uint64_t total = (uint64_t)number(mib, MAX_MIB) << 20;
	uint64_t sent = 0;

	peer.sin_port = htons((uint16_t)number(port, 65535));
	if (inet_pton(AF_INET, host, &peer.sin_addr) != 1)
		usage();
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)(i * 131u + 7u);
	int fd = connect_with_retries(&peer);
	double start = now();

	while (sent < total) {
		size_t want = total - sent < sizeof(chunk) ? (size_t)(total - sent) : sizeof(chunk);
		ssize_t put = write(fd, chunk, want);

		if (put < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		sent += (uint64_t)put;
	}
	if (shutdown(fd, SHUT_WR) != 0)
		die("shutdown");
	/* The peer closes once it has read everything: only then has the last
	 * byte arrived, not merely left this guest's socket buffer. */
	if (drain(fd) != 0) {
		errno = EPROTO;
		die("the receiver sent data back");
	}
	report("tcp.send", sent, now() - start);
	close(fd);
	return 0;
}

static int receive_stream(const char *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1;
	int server = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_port = htons((uint16_t)number(port, 65535));
	if (server < 0)
		die("socket");
	if (setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		die("setsockopt");
	if (bind(server, (const struct sockaddr *)&addr, sizeof(addr)) != 0)
		die("bind");
	if (listen(server, 1) != 0)
		die("listen");
	int fd = accept(server, NULL, NULL);

	if (fd < 0)
		die("accept");
	double start = now();
	uint64_t bytes = drain(fd);

	report("tcp.recv", bytes, now() - start);
	close(fd);
	close(server);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return send_stream(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "recv") == 0)
		return receive_stream(argv[2]);
	usage();
}
