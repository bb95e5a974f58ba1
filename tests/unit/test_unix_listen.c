/* Tests of util/unix_listen.h: the socket's mode, a stale socket file
 * replaced, a live server and a regular file left alone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/unix_listen.h"

struct fixture {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	static struct fixture f;
	strcpy(f.dir, "/tmp/doppel-unix-listen-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/sock", f.dir);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->path);
	rmdir(f->dir);
	return 0;
}

static void owner_only(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	struct stat st;
	int fd = unix_listen(f->path, SOCK_STREAM, 1, &err);
	assert_true(fd >= 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
}

static void stale_socket_is_replaced(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	int old = unix_listen(f->path, SOCK_STREAM, 1, &err);
	assert_true(old >= 0);
	close(old);          /* the file stays, nobody listens */
	int fd = unix_listen(f->path, SOCK_STREAM, 1, &err);
	assert_true(fd >= 0);
	close(fd);
}

static void live_server_is_refused(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	int live = unix_listen(f->path, SOCK_STREAM, 1, &err);
	assert_true(live >= 0);
	assert_int_equal(unix_listen(f->path, SOCK_STREAM, 1, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, f->path));
	close(live);
}

static void regular_file_is_left_alone(void **state)
{
	struct fixture *f = *state;
	struct error err = { 0 };
	FILE *file = fopen(f->path, "w");
	assert_non_null(file);
	fputs("data", file);
	fclose(file);
	assert_int_equal(unix_listen(f->path, SOCK_STREAM, 1, &err), -EADDRINUSE);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 4);
}

static void path_too_long(void **state)
{
	char path[200];
	struct error err = { 0 };
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(unix_listen(path, SOCK_STREAM, 1, &err), -EINVAL);
	assert_int_equal(unix_listen("", SOCK_STREAM, 1, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(owner_only, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_socket_is_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(live_server_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(regular_file_is_left_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(path_too_long, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
