/* Tests of a migration endpoint's key and proofs (vm/migrate_auth.h): the
 * MAC is HMAC-SHA256 over the role's label and both nonces (the expected
 * values come from Python's hmac module, not from this code), a proof is
 * bound to its role and nonces, and the endpoints and key files refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm/migrate_auth.h"

static const uint8_t source_proof[MIGRATE_MAC_SIZE] = {
	0xdd, 0xf1, 0x7d, 0x12, 0xcb, 0x86, 0xd2, 0x94, 0x49, 0xca, 0xb7, 0x81, 0x55, 0xe3, 0x45, 0x90,
	0xdf, 0x9d, 0x0b, 0x23, 0x05, 0xa5, 0x2d, 0x74, 0x06, 0x6b, 0x50, 0x08, 0x0a, 0x2f, 0x6a, 0x0a,
};
static const uint8_t target_proof[MIGRATE_MAC_SIZE] = {
	0x5e, 0xb4, 0x8c, 0x31, 0x4b, 0x3e, 0x6f, 0x46, 0xf5, 0x75, 0xfa, 0x0a, 0x48, 0x94, 0x28, 0xdb,
	0xd7, 0x32, 0x4d, 0x2f, 0x4c, 0x40, 0x9b, 0x87, 0x76, 0xfe, 0x8b, 0xeb, 0x07, 0x01, 0xac, 0x4d,
};

struct fixture {
	struct migrate_key key;
	uint8_t source_nonce[MIGRATE_NONCE_SIZE], target_nonce[MIGRATE_NONCE_SIZE];
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	for (unsigned i = 0; i < 32; i++)
		f->key.bytes[i] = (uint8_t)i;
	f->key.len = 32;
	memset(f->source_nonce, 0x11, sizeof(f->source_nonce));
	memset(f->target_nonce, 0x22, sizeof(f->target_nonce));
}

static void test_proofs_are_hmac_sha256(void **state)
{
	struct fixture f;
	uint8_t mac[MIGRATE_MAC_SIZE];
	fixture_init(&f);
	migrate_auth_mac(&f.key, MIGRATE_ROLE_SOURCE, f.source_nonce, f.target_nonce, mac);
	assert_memory_equal(mac, source_proof, sizeof(mac));
	migrate_auth_mac(&f.key, MIGRATE_ROLE_TARGET, f.source_nonce, f.target_nonce, mac);
	assert_memory_equal(mac, target_proof, sizeof(mac));
}

static void test_proof_bound_to_role_nonces_and_key(void **state)
{
	struct fixture f;
	fixture_init(&f);
	assert_true(migrate_auth_check(&f.key, MIGRATE_ROLE_SOURCE, f.source_nonce, f.target_nonce,
				       source_proof));
	/* One side's proof is not the other's (a reflected challenge). */
	assert_false(migrate_auth_check(&f.key, MIGRATE_ROLE_SOURCE, f.source_nonce, f.target_nonce,
					target_proof));
	uint8_t flipped[MIGRATE_MAC_SIZE];
	memcpy(flipped, source_proof, sizeof(flipped));
	flipped[MIGRATE_MAC_SIZE - 1] ^= 1;
	assert_false(migrate_auth_check(&f.key, MIGRATE_ROLE_SOURCE, f.source_nonce, f.target_nonce,
					flipped));
	/* A recorded proof does not answer a new challenge. */
	f.target_nonce[0] ^= 1;
	assert_false(migrate_auth_check(&f.key, MIGRATE_ROLE_SOURCE, f.source_nonce, f.target_nonce,
					source_proof));
	f.target_nonce[0] ^= 1;
	f.key.bytes[0] ^= 1;
	assert_false(migrate_auth_check(&f.key, MIGRATE_ROLE_SOURCE, f.source_nonce, f.target_nonce,
					source_proof));
}

static void test_nonces_differ(void **state)
{
	uint8_t a[MIGRATE_NONCE_SIZE], b[MIGRATE_NONCE_SIZE];
	struct error err = { 0 };
	assert_int_equal(migrate_nonce(a, &err), 0);
	assert_int_equal(migrate_nonce(b, &err), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* A key file of len bytes with mode in a fresh temporary directory. */
static void write_key(char *path, size_t size, size_t len, mode_t mode)
{
	char dir[] = "/tmp/doppel-auth-XXXXXX";
	uint8_t bytes[MIGRATE_KEY_MAX + 1];
	assert_non_null(mkdtemp(dir));
	snprintf(path, size, "%s/key", dir);
	memset(bytes, 0x5a, sizeof(bytes));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void remove_key(const char *path)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	unlink(path);
	rmdir(dir);
}

static int parse(const char *path, const char *addr, struct migrate_endpoint *ep,
		 struct error *err)
{
	char uri[512];
	snprintf(uri, sizeof(uri), "%s,key-file=%s", addr, path);
	return migrate_endpoint_parse(uri, ep, err);
}

static void test_endpoint_with_key(void **state)
{
	static struct migrate_endpoint ep;
	struct error err = { 0 };
	char path[256];
	write_key(path, sizeof(path), 32, 0600);
	assert_int_equal(parse(path, "tcp:127.0.0.1:4444", &ep, &err), 0);
	assert_string_equal(ep.addr, "tcp:127.0.0.1:4444");
	assert_int_equal(ep.key.len, 32);
	assert_int_equal(ep.key.bytes[31], 0x5a);
	assert_int_equal(parse(path, "tcp:[::1]:4444", &ep, &err), 0);
	assert_string_equal(ep.addr, "tcp:[::1]:4444");
	assert_null(ep.unix_path);
	assert_int_equal(parse(path, "unix:/run/in.sock", &ep, &err), 0);
	assert_string_equal(ep.unix_path, "/run/in.sock");
	assert_int_equal(ep.key.len, 32);
	remove_key(path);
}

static void test_unix_without_key(void **state)
{
	static struct migrate_endpoint ep;
	struct error err = { 0 };
	/* The socket's mode, 0600, is its access control. */
	assert_int_equal(migrate_endpoint_parse("unix:/run/in.sock", &ep, &err), 0);
	assert_string_equal(ep.addr, "unix:/run/in.sock");
	assert_string_equal(ep.unix_path, "/run/in.sock");
	assert_int_equal(ep.key.len, 0);
	assert_int_equal(migrate_endpoint_parse("unix:", &ep, &err), -EINVAL);
}

static void test_endpoints_refused(void **state)
{
	static struct migrate_endpoint ep;
	struct error err = { 0 };
	char path[256];

	/* TCP without a key: anyone who can connect would be the source. */
	assert_int_equal(migrate_endpoint_parse("tcp:127.0.0.1:4444", &ep, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "key-file="));
	assert_int_equal(migrate_endpoint_parse("tcp:127.0.0.1:4444,key=x", &ep, &err), -EINVAL);
	assert_int_equal(migrate_endpoint_parse("tcp:127.0.0.1:4444,key-file=", &ep, &err), -EINVAL);
	assert_int_equal(migrate_endpoint_parse("exec:cat,key-file=/k", &ep, &err), -EINVAL);
	assert_int_equal(migrate_endpoint_parse("tcp:127.0.0.1:1,key-file=/nonexistent/k", &ep, &err),
			 -ENOENT);

	write_key(path, sizeof(path), 32, 0640);
	assert_int_equal(parse(path, "tcp:127.0.0.1:1", &ep, &err), -EPERM);
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_int_equal(ep.key.len, 0);
	remove_key(path);
	write_key(path, sizeof(path), MIGRATE_KEY_MIN - 1, 0600);
	assert_int_equal(parse(path, "tcp:127.0.0.1:1", &ep, &err), -EINVAL);
	remove_key(path);
	write_key(path, sizeof(path), MIGRATE_KEY_MAX + 1, 0600);
	assert_int_equal(parse(path, "tcp:127.0.0.1:1", &ep, &err), -EINVAL);
	remove_key(path);
	write_key(path, sizeof(path), MIGRATE_KEY_MAX, 0400);
	assert_int_equal(parse(path, "tcp:127.0.0.1:1", &ep, &err), 0);
	assert_int_equal(ep.key.len, MIGRATE_KEY_MAX);
	remove_key(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proofs_are_hmac_sha256),
		cmocka_unit_test(test_proof_bound_to_role_nonces_and_key),
		cmocka_unit_test(test_nonces_differ),
		cmocka_unit_test(test_endpoint_with_key),
		cmocka_unit_test(test_unix_without_key),
		cmocka_unit_test(test_endpoints_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
