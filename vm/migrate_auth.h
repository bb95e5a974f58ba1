/* Who may migrate into whom (docs/migration.md): a migration endpoint is
 * "tcp:HOST:PORT,key-file=PATH", and both ends prove they hold the key
 * before a byte of the stream is sent or parsed; or "unix:PATH", a socket
 * only its owner can reach (the key is then optional). A challenge-response with
 * HMAC-SHA256 over a fresh nonce from each side, so that a recorded
 * exchange cannot be replayed and neither side's proof can be reflected as
 * the other's:
 *
 *   source -> target  MIGRATE_AUTH_MAGIC, source nonce
 *   target -> source  target nonce, HMAC(key, "target" | source nonce | target nonce)
 *   source -> target  HMAC(key, "source" | source nonce | target nonce), then the stream
 *
 * The source checks the target's proof before it sends any RAM; the target
 * checks the source's before it reads the stream. The stream itself is
 * neither encrypted nor authenticated beyond this. */
#ifndef DOPPEL_VM_MIGRATE_AUTH_H
#define DOPPEL_VM_MIGRATE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MIGRATE_AUTH_MAGIC "DPLAUTH1"
#define MIGRATE_AUTH_MAGIC_SIZE 8
#define MIGRATE_NONCE_SIZE 32
#define MIGRATE_MAC_SIZE 32
/* A key shorter than this is guessable; the file is read whole. */
#define MIGRATE_KEY_MIN 16
#define MIGRATE_KEY_MAX 4096
#define MIGRATE_ADDR_MAX 256

/* The three messages of the exchange, by size. */
#define MIGRATE_AUTH_HELLO_SIZE (MIGRATE_AUTH_MAGIC_SIZE + MIGRATE_NONCE_SIZE)
#define MIGRATE_AUTH_CHALLENGE_SIZE (MIGRATE_NONCE_SIZE + MIGRATE_MAC_SIZE)
#define MIGRATE_AUTH_PROOF_SIZE MIGRATE_MAC_SIZE

struct migrate_key {
	uint8_t bytes[MIGRATE_KEY_MAX];
	size_t len;
};

/* A parsed endpoint: the address ("tcp:HOST:PORT" or "unix:PATH") and its
 * key (len 0: none, unix: only). */
struct migrate_endpoint {
	char addr[MIGRATE_ADDR_MAX];
	const char *unix_path;          /* in addr, for unix: */
	struct migrate_key key;
};

enum migrate_role { MIGRATE_ROLE_SOURCE, MIGRATE_ROLE_TARGET };

/* Parses "tcp:HOST:PORT,key-file=PATH" or "unix:PATH[,key-file=PATH]" and
 * reads the key: a file of MIGRATE_KEY_MIN to MIGRATE_KEY_MAX bytes that
 * only its owner may read (a key others can read is no secret). A tcp:
 * address without a key is refused: anyone who can reach the port, a guest
 * on user NAT included, would choose the files the target opens. -errno
 * with one line in err. */
int migrate_endpoint_parse(const char *uri, struct migrate_endpoint *ep, struct error *err);

/* migrate_endpoint_parse into a new allocation (the key is 4 KiB): *out
 * is set only on success, and goes with migrate_endpoint_free. */
int migrate_endpoint_new(const char *uri, struct migrate_endpoint **out, struct error *err);
/* Forgets the key and frees ep (NULL: nothing). */
void migrate_endpoint_free(struct migrate_endpoint *ep);

/* Fills nonce from the kernel's random source. */
int migrate_nonce(uint8_t nonce[MIGRATE_NONCE_SIZE], struct error *err);

/* The proof that role holds key, for this pair of nonces. */
void migrate_auth_mac(const struct migrate_key *key, enum migrate_role role,
		      const uint8_t source_nonce[MIGRATE_NONCE_SIZE],
		      const uint8_t target_nonce[MIGRATE_NONCE_SIZE], uint8_t mac[MIGRATE_MAC_SIZE]);

/* Whether mac is role's proof: compared in constant time, so that the time
 * taken tells nothing of the right one. */
bool migrate_auth_check(const struct migrate_key *key, enum migrate_role role,
			const uint8_t source_nonce[MIGRATE_NONCE_SIZE],
			const uint8_t target_nonce[MIGRATE_NONCE_SIZE],
			const uint8_t mac[MIGRATE_MAC_SIZE]);

/* Forgets the key (it stays in memory no longer than needed). */
void migrate_key_wipe(struct migrate_key *key);

#endif
