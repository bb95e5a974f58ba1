/* The run loop's timeout (vm/run.c): a short one ends the run as a timeout;
 * one too long for the host's nanosecond clock (inf, 1e300) is no limit,
 * where converting it to nanoseconds was undefined (UBSan) and in practice
 * ended the run at once. */
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm/machine.h"

/* j . (an S-mode program that runs until it is stopped) */
static const uint8_t loop[] = { 0x6f, 0x00, 0x00, 0x00 };

/* How long a run with no limit is left running before it is stopped. */
#define STOP_AFTER_NS 200000000L

struct fixture {
	char kernel[64];
	struct machine m;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	strcpy(f->kernel, "/tmp/doppel-run-XXXXXX");
	int fd = mkstemp(f->kernel);
	if (fd < 0 || write(fd, loop, sizeof(loop)) != (ssize_t)sizeof(loop) || close(fd))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	machine_destroy(&f->m);
	unlink(f->kernel);
	free(f);
	return 0;
}

static void create(struct fixture *f, double timeout)
{
	struct error err = { 0 };
	struct machine_config cfg = {
		.ram_size = 16u << 20, .ncpus = 1, .kernel = f->kernel, .timeout = timeout,
		.console_in = -1, .console_out = -1,
	};
	assert_int_equal(machine_create(&f->m, &cfg, &err), 0);
}

static void *quit_later(void *arg)
{
	struct machine *m = arg;
	struct timespec ts = { 0, STOP_AFTER_NS };
	nanosleep(&ts, NULL);
	exit_request_raise(&m->exit, EXIT_QUIT, 0);
	return NULL;
}

/* Runs f's machine until it stops by itself or, after STOP_AFTER_NS, by a
 * quit request. */
static enum exit_kind run(struct fixture *f)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, quit_later, &f->m), 0);
	machine_run(&f->m);
	pthread_join(t, NULL);
	return f->m.exit.kind;
}

static void short_timeout_ends_the_run(void **state)
{
	struct fixture *f = *state;
	create(f, 0.02);
	assert_int_equal(run(f), EXIT_TIMEOUT);
}

static void timeout_beyond_the_clock_is_no_limit(void **state)
{
	struct fixture *f = *state;
	const double timeouts[] = { INFINITY, 1e300, 1.9e10 };
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		create(f, timeouts[i]);
		if (run(f) != EXIT_QUIT)
			fail_msg("--timeout %g ended the run as %d", timeouts[i], f->m.exit.kind);
		machine_destroy(&f->m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(short_timeout_ends_the_run, setup, teardown),
		cmocka_unit_test_setup_teardown(timeout_beyond_the_clock_is_no_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
