/* The source side of a live migration: a state machine the run loop steps
 * between slices (vm/migrate.h, docs/migration.md). */
#include "vm/migrate.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/tcp.h"
#include "util/unix_listen.h"
#include "vm/snapshot.h"

/* Each step sends for at most SEND_NS, then the guest runs for at least
 * RUN_NS: the guest keeps half its time while its RAM is copied. */
#define SEND_NS 5000000ull
#define RUN_NS 5000000ull
/* Pre-copy ends when what is left could be sent within MAX_DOWNTIME_NS at
 * the bandwidth measured so far, or after MAX_PASSES passes over RAM (a
 * guest dirtying pages faster than they can be sent never converges). */
#define MAX_DOWNTIME_NS 50000000ull
#define MAX_PASSES 30
/* A target that stops reading fails the migration after this long, rather
 * than stopping the guest for good. */
#define IO_TIMEOUT_S 5
/* The pages one batch looks at, at most: a 5 ms step stays near 5 ms. */
#define SCAN_PAGES 2048u
/* A pass ends when no more than this is left in the socket's buffers. */
#define DRAINED_BYTES (64u << 10)
#define CONNECT_TIMEOUT_NS 10000000000ull
#define ACK_TIMEOUT_MS 10000

static void notify(struct migration *mg)
{
	if (mg->notify)
		mg->notify(mg->notify_opaque, mg);
}

/* Drops the connection and the dirty log. */
static void release(struct machine *m)
{
	struct migration *mg = m->migration;

	if (mg->writer_open)
		state_writer_destroy(&mg->w);
	mg->writer_open = false;
	if (mg->fd >= 0)
		close(mg->fd);
	mg->fd = -1;
	pagemap_close(&mg->pm);
	migrate_key_wipe(&mg->key);
	free(mg->pass);
	mg->pass = NULL;
	code_map_log_stop(&m->bus.code);
}

/* A target on this host opens the disks once it has the whole stream,
 * which it could not while this side holds their locks (block/lock.h). */
static void unlock_disks(struct machine *m)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		struct error ignored;
		block_set_lock(m->disks[i].bd, IMAGE_UNLOCKED, &ignored);
	}
}

/* Back to the locks of the disks' open; one that a target opened
 * meanwhile says so, and the guest goes on without that lock. */
static void relock_disks(struct machine *m)
{
	for (unsigned i = 0; i < m->ndisks_open; i++) {
		struct error err;
		if (block_relock(m->disks[i].bd, &err) < 0)
			fprintf(stderr, "doppel run: %s\n", err.msg);
	}
}

/* The guest goes on here, with its disks: nothing was handed over. */
static void fail(struct machine *m)
{
	struct migration *mg = m->migration;
	const uint8_t cancel = MIGRATE_CANCEL;

	/* Best effort: a target that is gone needs no telling. */
	if (mg->fd >= 0)
		(void)send(mg->fd, &cancel, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	release(m);
	relock_disks(m);
	mg->status = MIGRATE_FAILED;
	mg->stats.total_ns = host_monotonic_ns() - mg->start_ns;
	fprintf(stderr, "doppel run: migration to %s failed: %s\n", mg->uri, mg->err.msg);
	notify(mg);
}

/* A write error says which, as one line. */
static bool writer_ok(struct machine *m)
{
	struct migration *mg = m->migration;
	int ret = state_writer_status(&mg->w);

	mg->stats.bytes = mg->w.offset;
	if (ret == 0)
		return true;
	error_set(&mg->err, -ret, "sending to %s: %s", mg->uri,
		  ret == -EAGAIN ? "the target stopped reading" : strerror(-ret));
	return false;
}

int migrate_start(struct machine *m, const char *uri,
		  void (*on_change)(void *opaque, const struct migration *mg), void *opaque,
		  struct error *err)
{
	struct migration *mg = m->migration;
	struct migrate_endpoint *ep;
	int ret;

	if (mg && mg->status == MIGRATE_ACTIVE)
		return error_set(err, EBUSY, "a migration is already under way");
	if (m->cfg.bios && strcmp(m->cfg.bios, "none") == 0)
		return error_set(err, ENOTSUP, "a machine run with --bios none cannot migrate");
	ret = migrate_endpoint_new(uri, &ep, err);
	if (ret < 0)
		return ret;
	if (!mg) {
		mg = calloc(1, sizeof(*mg));
		if (!mg) {
			ret = error_set(err, ENOMEM, "out of memory");
			goto out;
		}
		mg->fd = -1;
		mg->pm.fd = -1;
		m->migration = mg;
	}
	mg->pass = calloc(code_map_bitmap_words(&m->bus.code), sizeof(*mg->pass));
	if (!mg->pass) {
		ret = error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	ret = migrate_nonce(mg->source_nonce, err);
	int fd = ret < 0 ? ret
		 : ep->unix_path ? unix_connect_start(ep->unix_path, err)
		 : tcp_connect_start(ep->addr, err);
	if (fd < 0) {
		free(mg->pass);
		mg->pass = NULL;
		ret = fd;
		goto out;
	}
	mg->fd = fd;
	/* A target that goes away must fail a write, not end this process. */
	signal(SIGPIPE, SIG_IGN);
	snprintf(mg->uri, sizeof(mg->uri), "%s", ep->addr);
	mg->key = ep->key;
	mg->challenge_got = 0;
	mg->notify = on_change;
	mg->notify_opaque = opaque;
	memset(&mg->stats, 0, sizeof(mg->stats));
	memset(&mg->err, 0, sizeof(mg->err));
	mg->status = MIGRATE_ACTIVE;
	mg->phase = MIGRATE_CONNECTING;
	mg->start_ns = host_monotonic_ns();
	mg->resume_ns = 0;
	notify(mg);
out:
	migrate_endpoint_free(ep);
	return ret;
}

uint64_t migrate_elapsed_ms(const struct migration *mg)
{
	uint64_t ns = mg->status == MIGRATE_ACTIVE ? host_monotonic_ns() - mg->start_ns
						   : mg->stats.total_ns;
	return ns / 1000000;
}

bool migrate_active(const struct machine *m)
{
	return m->migration && m->migration->status == MIGRATE_ACTIVE;
}

/* Sends all of a small message (one of the exchange's: a fresh socket's
 * buffer takes it at once). */
static bool send_message(struct machine *m, const void *buf, size_t len)
{
	struct migration *mg = m->migration;
	ssize_t sent = send(mg->fd, buf, len, MSG_NOSIGNAL);

	if (sent == (ssize_t)len)
		return true;
	error_set(&mg->err, sent < 0 ? errno : EIO, "sending to %s: %s", mg->uri,
		  sent < 0 ? strerror(errno) : "short write");
	return false;
}

static void connected(struct machine *m);

/* The connection is made: the source's half of the challenge goes first
 * (a unix: socket without a key is its own access control: the stream
 * goes at once). */
static void send_hello(struct machine *m)
{
	struct migration *mg = m->migration;
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	uint8_t hello[MIGRATE_AUTH_HELLO_SIZE];

	if (setsockopt(mg->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		error_set(&mg->err, errno, "%s: %s", mg->uri, strerror(errno));
		fail(m);
		return;
	}
	if (!mg->key.len) {
		connected(m);
		return;
	}
	memcpy(hello, MIGRATE_AUTH_MAGIC, MIGRATE_AUTH_MAGIC_SIZE);
	memcpy(hello + MIGRATE_AUTH_MAGIC_SIZE, mg->source_nonce, MIGRATE_NONCE_SIZE);
	if (!send_message(m, hello, sizeof(hello))) {
		fail(m);
		return;
	}
	mg->phase = MIGRATE_AUTHENTICATING;
}

/* Reads what has come of the target's nonce and proof, without waiting;
 * once it is all there and right, this side's proof and the stream go. A
 * target that does not prove it holds the key gets no byte of the guest. */
static void authenticate_step(struct machine *m)
{
	struct migration *mg = m->migration;
	uint8_t proof[MIGRATE_AUTH_PROOF_SIZE];
	const uint8_t *target_nonce = mg->challenge;

	ssize_t got = recv(mg->fd, mg->challenge + mg->challenge_got,
			   sizeof(mg->challenge) - mg->challenge_got, MSG_DONTWAIT);
	if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (got <= 0) {
		error_set(&mg->err, got < 0 ? errno : ECONNRESET,
			  "%s closed the connection before proving it holds the key "
			  "(not a doppel target, or another key)", mg->uri);
		fail(m);
		return;
	}
	mg->challenge_got += (size_t)got;
	if (mg->challenge_got < sizeof(mg->challenge))
		return;
	if (!migrate_auth_check(&mg->key, MIGRATE_ROLE_TARGET, mg->source_nonce, target_nonce,
				mg->challenge + MIGRATE_NONCE_SIZE)) {
		error_set(&mg->err, EACCES, "%s did not prove it holds the key (another key?)",
			  mg->uri);
		fail(m);
		return;
	}
	migrate_auth_mac(&mg->key, MIGRATE_ROLE_SOURCE, mg->source_nonce, target_nonce, proof);
	migrate_key_wipe(&mg->key);
	if (!send_message(m, proof, sizeof(proof))) {
		fail(m);
		return;
	}
	connected(m);
}

/* Authenticated: the stream header and the configuration go first, then the
 * first pass over RAM; pages written from now on are logged. */
static void connected(struct machine *m)
{
	struct migration *mg = m->migration;
	struct machine_config cfg;

	if (code_map_log_start(&m->bus.code) < 0) {
		error_set(&mg->err, errno, "%s: %s", mg->uri, strerror(errno));
		fail(m);
		return;
	}
	/* The first pass skips RAM the guest never touched without reading
	 * it; RAM mapped from a snapshot file has data there. */
	pagemap_open(&mg->pm, m->ram_file_backed ? NULL : m->ram);
	state_writer_init(&mg->w, mg->fd, 0);
	mg->writer_open = true;
	machine_config_saved(m, &cfg);
	machine_config_save(&mg->w, &cfg);
	if (!writer_ok(m)) {
		fail(m);
		return;
	}
	mg->phase = MIGRATE_FIRST_PASS;
	mg->connected_ns = host_monotonic_ns();
	mg->progress_ns = mg->connected_ns;
	mg->unsent = 0;
	mg->cursor = 0;
	mg->stats.passes = 1;
	mg->stats.remaining = m->bus.code.pages;
}

/* Whether the pass sends page: in the first, every page but zero ones (the
 * target's RAM starts zeroed); later, the pages in the dirty log. */
static bool page_wanted(const struct machine *m, uint64_t page)
{
	struct migration *mg = m->migration;
	if (mg->phase == MIGRATE_FIRST_PASS)
		return pagemap_touched(&mg->pm, page) &&
		       !ram_page_is_zero(m->ram + page * STATE_PAGE_SIZE);
	return mg->pass[page / 64] >> (page % 64) & 1;
}

/* Sends the pass's next page section, looking at SCAN_PAGES pages at most
 * (checking untouched RAM for zeroes takes time too); false when the pass
 * is done. */
static bool send_batch(struct machine *m)
{
	struct migration *mg = m->migration;
	uint64_t pfns[STATE_PAGES_PER_SECTION], pages = m->bus.code.pages;
	uint64_t end = mg->cursor + SCAN_PAGES < pages ? mg->cursor + SCAN_PAGES : pages;
	uint32_t n = 0;

	while (mg->cursor < end && n < STATE_PAGES_PER_SECTION) {
		uint64_t page = mg->cursor++;
		/* Skip empty words of the dirty log whole. */
		if (mg->phase == MIGRATE_DIRTY_PASS && page % 64 == 0 && !mg->pass[page / 64]) {
			mg->cursor = page + 64;
			continue;
		}
		if (page_wanted(m, page))
			pfns[n++] = page;
	}
	if (n) {
		state_write_pages(&mg->w, SEC_PAGE, pfns, n, m->ram, 0);
		mg->stats.pages += n;
	}
	if (mg->phase == MIGRATE_DIRTY_PASS)
		mg->stats.remaining -= n;
	else
		mg->stats.remaining = pages - (mg->cursor < pages ? mg->cursor : pages);
	return mg->cursor < pages;
}

static bool ack_received(struct machine *m)
{
	struct migration *mg = m->migration;
	struct pollfd p = { .fd = mg->fd, .events = POLLIN };
	uint8_t ack;

	int ready = poll(&p, 1, ACK_TIMEOUT_MS);
	if (ready == 0) {
		error_set(&mg->err, ETIMEDOUT, "%s sent no acknowledgement within %d s", mg->uri,
			  ACK_TIMEOUT_MS / 1000);
		return false;
	}
	ssize_t got = ready > 0 ? read(mg->fd, &ack, 1) : -1;
	if (got == 1 && ack == MIGRATE_ACK)
		return true;
	if (got < 0)
		error_set(&mg->err, errno, "%s: %s", mg->uri, strerror(errno));
	else
		error_set(&mg->err, EPROTO, "%s refused the stream (its error says why)", mg->uri);
	return false;
}

/* The guest stops here (the run loop does not go on until this returns):
 * the disks are flushed for the target to open, the last dirty pages and
 * the device state go, and the target says it has it all. */
static void stop_and_copy(struct machine *m)
{
	struct migration *mg = m->migration;
	uint64_t stop = host_monotonic_ns();
	struct machine_state *st;

	if (machine_flush_disks(m, &mg->err) < 0) {
		fail(m);
		return;
	}
	unlock_disks(m);
	st = malloc(sizeof(*st));
	if (!st) {
		error_set(&mg->err, ENOMEM, "out of memory");
		fail(m);
		return;
	}
	while (send_batch(m) && !mg->w.error)
		;
	machine_state_capture(m, st);
	machine_state_save(&mg->w, st);
	free(st);
	state_begin(&mg->w, SEC_END, 0, 1);
	state_end(&mg->w);
	if (!writer_ok(m) || !ack_received(m)) {
		fail(m);
		return;
	}
	release(m);
	uint64_t now = host_monotonic_ns();
	mg->stats.downtime_ns = now - stop;
	mg->stats.total_ns = now - mg->start_ns;
	mg->status = MIGRATE_COMPLETED;
	notify(mg);
	exit_request_raise(&m->exit, EXIT_MIGRATED, 0);
}

/* A pass is over: the pages written during it are the next pass, or, if
 * they can go within the downtime target, the last. */
static void next_pass(struct machine *m)
{
	struct migration *mg = m->migration;
	uint64_t dirty = code_map_log_collect(&m->bus.code, mg->pass);
	uint64_t delivered = mg->w.offset - mg->unsent;
	uint64_t elapsed = host_monotonic_ns() - mg->connected_ns;

	/* The rate the target took the stream at, over the whole migration:
	 * the socket's buffers hide nothing from it. */
	mg->stats.bandwidth = (uint64_t)((double)delivered * 1e9 / (double)(elapsed + 1));
	double seconds = (double)(dirty * STATE_PAGE_SIZE + mg->unsent) /
			 (double)(mg->stats.bandwidth + 1);
	mg->stats.remaining = dirty;
	mg->phase = MIGRATE_DIRTY_PASS;
	mg->cursor = 0;
	if (seconds * 1e9 <= (double)MAX_DOWNTIME_NS || mg->stats.passes >= MAX_PASSES)
		stop_and_copy(m);
	else
		mg->stats.passes++;
}

/* Bytes written to the socket that the target's host has not taken yet. */
static uint64_t unsent(const struct migration *mg)
{
	int n = 0;
	return ioctl(mg->fd, SIOCOUTQ, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

/* Whether a write would not block (or would fail at once). */
static bool writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	return poll(&p, 1, 0) > 0;
}

/* Notes what is still in the socket's buffers; fails the migration and
 * returns true if the target has taken nothing for IO_TIMEOUT_S. */
static bool stalled(struct machine *m, uint64_t now)
{
	struct migration *mg = m->migration;
	uint64_t left = unsent(mg);

	if (left < mg->unsent || left == 0)
		mg->progress_ns = now;
	mg->unsent = left;
	if (now - mg->progress_ns <= IO_TIMEOUT_S * 1000000000ull)
		return false;
	error_set(&mg->err, ETIMEDOUT, "sending to %s: the target stopped reading", mg->uri);
	fail(m);
	return true;
}

/* A pass is written: the guest runs on while the socket's buffers drain,
 * so that the pages it dirties meanwhile go in the next pass, not in the
 * downtime. */
static void drain_step(struct machine *m, uint64_t now)
{
	if (!stalled(m, now) && m->migration->unsent <= DRAINED_BYTES)
		next_pass(m);
}

/* Sends while the socket takes data without blocking, for SEND_NS at most:
 * a slow target slows the migration, not the guest. */
static void send_step(struct machine *m, uint64_t now)
{
	struct migration *mg = m->migration;
	uint64_t start = now;
	bool more = true, sent = false;

	while (more && now - start < SEND_NS && !mg->w.error && writable(mg->fd)) {
		more = send_batch(m);
		sent = true;
		now = host_monotonic_ns();
	}
	if (!writer_ok(m)) {
		fail(m);
		return;
	}
	if (sent) {
		mg->progress_ns = now;
		mg->unsent = unsent(mg);
	} else if (stalled(m, now)) {
		return;
	}
	if (!more)
		mg->phase = MIGRATE_DRAINING;
	mg->resume_ns = now + RUN_NS;
}

void migrate_step(struct machine *m)
{
	struct migration *mg = m->migration;
	uint64_t now = host_monotonic_ns();
	int ret;

	/* A paused guest needs no time of its own. */
	if (now < mg->resume_ns && !m->paused)
		return;
	switch (mg->phase) {
	case MIGRATE_DRAINING:
		drain_step(m, now);
		return;
	case MIGRATE_FIRST_PASS:
	case MIGRATE_DIRTY_PASS:
		send_step(m, now);
		return;
	case MIGRATE_CONNECTING:
		ret = tcp_connect_done(mg->fd, mg->uri, &mg->err);
		if (ret > 0)
			send_hello(m);
		else if (ret < 0)
			fail(m);
		break;
	case MIGRATE_AUTHENTICATING:
		authenticate_step(m);
		break;
	}
	if (mg->status != MIGRATE_ACTIVE || mg->phase > MIGRATE_AUTHENTICATING ||
	    now - mg->start_ns <= CONNECT_TIMEOUT_NS)
		return;
	if (mg->phase == MIGRATE_CONNECTING)
		error_set(&mg->err, ETIMEDOUT, "cannot connect to %s: timed out", mg->uri);
	else
		error_set(&mg->err, ETIMEDOUT, "%s: no proof of the key within %llu s", mg->uri,
			  CONNECT_TIMEOUT_NS / 1000000000ull);
	fail(m);
}

void migrate_destroy(struct machine *m)
{
	if (!m->migration)
		return;
	if (m->migration->status == MIGRATE_ACTIVE) {
		error_set(&m->migration->err, ECANCELED, "the machine stopped or reset");
		fail(m);
	}
	release(m);
	free(m->migration);
	m->migration = NULL;
}
