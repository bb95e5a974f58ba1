/* The migration endpoint's key and the challenge-response that proves it
 * (vm/migrate_auth.h). */
#include "vm/migrate_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE_OPT "key-file="

static const char *const role_label[] = {
	[MIGRATE_ROLE_SOURCE] = "source", [MIGRATE_ROLE_TARGET] = "target",
};

static int key_load(const char *path, struct migrate_key *key, struct error *err)
{
	struct stat st;
	ssize_t got;
	int ret = 0;

	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return error_set(err, errno, "key-file=%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = error_set(err, errno, "key-file=%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error_set(err, EINVAL, "key-file=%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		ret = error_set(err, EPERM, "key-file=%s: others may read it (mode %03o): "
				"chmod 600 it", path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	do
		got = read(fd, key->bytes, sizeof(key->bytes));
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		ret = error_set(err, errno, "key-file=%s: %s", path, strerror(errno));
		goto out;
	}
	if (got < MIGRATE_KEY_MIN || st.st_size > MIGRATE_KEY_MAX) {
		ret = error_set(err, EINVAL, "key-file=%s: a key is %d to %d bytes (e.g. "
				"head -c 32 /dev/urandom > FILE)", path, MIGRATE_KEY_MIN, MIGRATE_KEY_MAX);
		goto out;
	}
	key->len = (size_t)got;
out:
	close(fd);
	if (ret < 0)
		migrate_key_wipe(key);
	return ret;
}

int migrate_endpoint_parse(const char *uri, struct migrate_endpoint *ep, struct error *err)
{
	const char *opt = strchr(uri, ',');
	size_t addr_len = opt ? (size_t)(opt - uri) : strlen(uri);
	bool is_unix = strncmp(uri, "unix:", 5) == 0;

	memset(ep, 0, sizeof(*ep));
	if (strncmp(uri, "tcp:", 4) != 0 && !is_unix)
		return error_set(err, EINVAL, "'%.100s' is not tcp:HOST:PORT,key-file=PATH or unix:PATH",
				 uri);
	if (addr_len >= sizeof(ep->addr))
		return error_set(err, EINVAL, "'%.64s...': too long", uri);
	memcpy(ep->addr, uri, addr_len);
	if (is_unix) {
		/* Its length is checked where the socket is made. */
		ep->unix_path = ep->addr + 5;
		if (!*ep->unix_path)
			return error_set(err, EINVAL, "%s: no socket path", ep->addr);
	}
	if (!opt && is_unix)
		return 0;
	if (!opt)
		return error_set(err, EINVAL, "%s: a tcp: migration needs key-file=PATH, a secret "
				 "both ends hold (anyone who can connect would choose what the "
				 "target runs), or use unix:PATH on one host", ep->addr);
	opt++;
	if (strncmp(opt, KEY_FILE_OPT, strlen(KEY_FILE_OPT)) != 0 || !opt[strlen(KEY_FILE_OPT)])
		return error_set(err, EINVAL, "%s: unknown option '%.100s' (key-file=PATH)", ep->addr,
				 opt);
	return key_load(opt + strlen(KEY_FILE_OPT), &ep->key, err);
}

int migrate_endpoint_new(const char *uri, struct migrate_endpoint **out, struct error *err)
{
	struct migrate_endpoint *ep = malloc(sizeof(*ep));
	if (!ep)
		return error_set(err, ENOMEM, "out of memory");
	int ret = migrate_endpoint_parse(uri, ep, err);
	if (ret < 0) {
		migrate_endpoint_free(ep);
		return ret;
	}
	*out = ep;
	return 0;
}

void migrate_endpoint_free(struct migrate_endpoint *ep)
{
	if (!ep)
		return;
	migrate_key_wipe(&ep->key);
	free(ep);
}

int migrate_nonce(uint8_t nonce[MIGRATE_NONCE_SIZE], struct error *err)
{
	ssize_t got;
	do
		got = getrandom(nonce, MIGRATE_NONCE_SIZE, 0);
	while (got < 0 && errno == EINTR);
	if (got != MIGRATE_NONCE_SIZE)
		return error_set(err, got < 0 ? errno : EIO, "getrandom: %s",
				 got < 0 ? strerror(errno) : "short read");
	return 0;
}

void migrate_auth_mac(const struct migrate_key *key, enum migrate_role role,
		      const uint8_t source_nonce[MIGRATE_NONCE_SIZE],
		      const uint8_t target_nonce[MIGRATE_NONCE_SIZE], uint8_t mac[MIGRATE_MAC_SIZE])
{
	struct hmac_sha256_ctx ctx;
	const char *label = role_label[role];

	hmac_sha256_set_key(&ctx, key->len, key->bytes);
	/* The label with its NUL: "source" can never be a prefix of another. */
	hmac_sha256_update(&ctx, strlen(label) + 1, (const uint8_t *)label);
	hmac_sha256_update(&ctx, MIGRATE_NONCE_SIZE, source_nonce);
	hmac_sha256_update(&ctx, MIGRATE_NONCE_SIZE, target_nonce);
	hmac_sha256_digest(&ctx, MIGRATE_MAC_SIZE, mac);
	explicit_bzero(&ctx, sizeof(ctx));
}

bool migrate_auth_check(const struct migrate_key *key, enum migrate_role role,
			const uint8_t source_nonce[MIGRATE_NONCE_SIZE],
			const uint8_t target_nonce[MIGRATE_NONCE_SIZE],
			const uint8_t mac[MIGRATE_MAC_SIZE])
{
	uint8_t want[MIGRATE_MAC_SIZE];
	migrate_auth_mac(key, role, source_nonce, target_nonce, want);
	bool ok = memeql_sec(want, mac, MIGRATE_MAC_SIZE);
	explicit_bzero(want, sizeof(want));
	return ok;
}

void migrate_key_wipe(struct migrate_key *key)
{
	explicit_bzero(key, sizeof(*key));
}
