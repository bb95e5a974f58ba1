/* Live migration over TCP or a Unix socket (docs/migration.md). The source side is a state
 * machine the run loop steps between slices, so the guest keeps running
 * while its RAM is copied: connect, prove the key both ends hold and check
 * the target's proof (vm/migrate_auth.h), send the configuration, every non-zero
 * page, then the pages written meanwhile (the dirty log, cpu/codemap.h),
 * pass after pass, until what is left can be sent within the downtime
 * target; then stop, send the rest and the device state, and wait for the
 * target's acknowledgement. Any failure leaves the source running. */
#ifndef DOPPEL_VM_MIGRATE_H
#define DOPPEL_VM_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>

#include "state/stream.h"
#include "util/error.h"
#include "util/pagemap.h"
#include "vm/migrate_auth.h"

struct machine;
struct machine_config;

/* The byte the target sends once it has loaded the whole stream. The
 * source then closes the connection, and only then does the target run; a
 * source that gave up sends MIGRATE_CANCEL instead (or anything else), so
 * that the guest never runs in both places. */
#define MIGRATE_ACK 0x06
#define MIGRATE_CANCEL 0x18

enum migrate_status { MIGRATE_NONE, MIGRATE_ACTIVE, MIGRATE_COMPLETED, MIGRATE_FAILED };
enum migrate_phase { MIGRATE_CONNECTING, MIGRATE_AUTHENTICATING, MIGRATE_FIRST_PASS, MIGRATE_DIRTY_PASS, MIGRATE_DRAINING };

/* What a migration did, for status queries and events. */
struct migrate_stats {
	uint64_t passes;        /* over RAM: the first, then one per dirty log */
	uint64_t pages;         /* sent, a page sent again counting again */
	uint64_t bytes;         /* of stream */
	uint64_t remaining;     /* pages in the pass under way */
	uint64_t bandwidth;     /* bytes per second while sending */
	uint64_t total_ns;      /* from the start to the acknowledgement */
	uint64_t downtime_ns;   /* guest stopped: from the stop to the acknowledgement */
};

struct migration {
	enum migrate_status status;
	enum migrate_phase phase;
	struct migrate_stats stats;
	struct error err;               /* why it failed */
	char uri[MIGRATE_ADDR_MAX];     /* the target's address, without the key */
	struct migrate_key key;
	uint8_t source_nonce[MIGRATE_NONCE_SIZE];
	uint8_t challenge[MIGRATE_AUTH_CHALLENGE_SIZE];  /* the target's, as it arrives */
	size_t challenge_got;
	/* Told of every change of status (the control socket's events). */
	void (*notify)(void *opaque, const struct migration *mg);
	void *notify_opaque;
	/* Host resources while active. */
	int fd;
	struct pagemap pm;              /* RAM the guest touched, for the first pass */
	struct state_writer w;
	bool writer_open;
	uint64_t *pass;                 /* the dirty pages the pass sends */
	uint64_t cursor;                /* next page of the pass */
	uint64_t start_ns, connected_ns;
	uint64_t resume_ns;             /* when the next step may send */
	uint64_t unsent;                /* in the socket's buffers, last seen */
	uint64_t progress_ns;           /* when that last went down */
};

/* Starts migrating m to uri ("tcp:HOST:PORT,key-file=PATH", or
 * "unix:PATH[,key-file=PATH]"); the run loop
 * does the rest, calling on_change (if not NULL) at every change of status.
 * -EBUSY while one is under way; -EINVAL for a bad uri or key, -ENOTSUP for
 * a machine that cannot migrate; a connection refused, or a target that
 * does not prove it holds the key, shows later, as a failed migration. */
int migrate_start(struct machine *m, const char *uri,
		  void (*on_change)(void *opaque, const struct migration *mg), void *opaque,
		  struct error *err);

/* Milliseconds since the migration started (to its end, once over). */
uint64_t migrate_elapsed_ms(const struct migration *mg);

/* One step of an active migration, between run slices. On completion it
 * raises EXIT_MIGRATED: the machine lives on at the target. */
void migrate_step(struct machine *m);

/* Whether a migration is under way. */
bool migrate_active(const struct machine *m);

/* Frees what a migration holds (the machine is going away). */
void migrate_destroy(struct machine *m);

/* The target: listens on uri ("tcp:HOST:PORT,key-file=PATH", or
 * "unix:PATH[,key-file=PATH]", a socket of mode 0600 removed when done),
 * takes the first connection that proves it holds the key (without a key,
 * unix: only, the first connection; dropping, with a line on stderr, any
 * that does not), builds m from its stream and acknowledges it.
 * host holds the host-side settings (console, timeout, translator, trace)
 * and what the stream must name: exactly host's disks (the same paths in
 * the same order, readonly alike, and format if given), and host's kernel,
 * initrd and bios where given. A bad stream, or one naming anything else:
 * -errno with one line in err, before any file it names is opened. */
int migrate_incoming(struct machine *m, const char *uri, const struct machine_config *host,
		     struct error *err);

#endif
