/* The multi-hart benchmark's guest side (bench/smp.py), two modes:
 *
 *   smp copies N KERNEL   runs N copies of /bench/suite KERNEL at once and
 *                         prints "smp copies KERNEL N SECONDS CHECKSUM"
 *   smp threads N         the threaded kernel on N threads: prints
 *                         "smp threads shared N SECONDS CHECKSUM"
 *
 * SECONDS is wall time in the guest (CLOCK_MONOTONIC), from the first fork or
 * thread start to the last exit. The threaded kernel does a fixed amount of
 * work however many threads share it, and combines the parts so that the
 * order they finish in does not matter: its checksum is the same for every N. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SUITE_PATH "/bench/suite"
#define MAX_WORKERS 64
/* The shared work: CHUNKS chunks of CHUNK_WORDS words each, taken by the
 * threads one at a time from an atomic counter. */
#define CHUNKS 4096
#define CHUNK_WORDS 4096
#define CHUNK_ROUNDS 8
#define BUCKETS 256
/* A line of suite output ("bench NAME SECONDS CHECKSUM") fits in this. */
#define LINE_MAX_BYTES 256

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "bench-smp: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t mix(uint64_t sum, uint64_t value)
{
	return sum ^ (value + 0x9E3779B97F4A7C15ULL + (sum << 6) + (sum >> 2));
}

/* What the threads share: the next chunk to take, the running total of the
 * chunks' hashes (an atomic add: addition does not care about order) and a
 * histogram that a mutex guards. */
struct shared {
	atomic_uint next_chunk;
	atomic_uint_fast64_t total;
	pthread_mutex_t lock;
	uint64_t histogram[BUCKETS];
};

/* One chunk: fill a buffer from a generator seeded by the chunk's index, run
 * a few dependent passes over it, and return its hash; the histogram of the
 * buffer's low bytes goes into counts. */
static uint64_t run_chunk(unsigned chunk, uint64_t *words, uint64_t *counts)
{
	uint64_t state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)chunk + 1) * 0xBF58476D1CE4E5B9ULL;
	uint64_t hash = chunk;

	for (unsigned i = 0; i < CHUNK_WORDS; i++)
		words[i] = next_random(&state);
	for (unsigned round = 0; round < CHUNK_ROUNDS; round++)
		for (unsigned i = 1; i < CHUNK_WORDS; i++) {
			words[i] ^= (words[i - 1] >> 7) + words[words[i] % CHUNK_WORDS];
			hash = mix(hash, words[i]);
		}
	for (unsigned i = 0; i < CHUNK_WORDS; i++)
		counts[words[i] % BUCKETS]++;
	return hash;
}

static void *worker(void *arg)
{
	struct shared *s = arg;
	uint64_t *words = malloc(CHUNK_WORDS * sizeof(*words));
	uint64_t counts[BUCKETS];

	if (!words)
		die("malloc");
	for (;;) {
		unsigned chunk = atomic_fetch_add(&s->next_chunk, 1);

		if (chunk >= CHUNKS)
			break;
		memset(counts, 0, sizeof(counts));
		atomic_fetch_add(&s->total, run_chunk(chunk, words, counts));
		if (pthread_mutex_lock(&s->lock) != 0)
			die("pthread_mutex_lock");
		for (unsigned b = 0; b < BUCKETS; b++)
			s->histogram[b] += counts[b];
		if (pthread_mutex_unlock(&s->lock) != 0)
			die("pthread_mutex_unlock");
	}
	free(words);
	return NULL;
}

static int run_threads(unsigned n)
{
	static struct shared s;
	pthread_t threads[MAX_WORKERS];
	uint64_t checksum;
	double start;

	atomic_init(&s.next_chunk, 0);
	atomic_init(&s.total, 0);
	if (pthread_mutex_init(&s.lock, NULL) != 0)
		die("pthread_mutex_init");
	start = now();
	for (unsigned i = 0; i < n; i++) {
		errno = pthread_create(&threads[i], NULL, worker, &s);
		if (errno != 0)
			die("pthread_create");
	}
	for (unsigned i = 0; i < n; i++) {
		errno = pthread_join(threads[i], NULL);
		if (errno != 0)
			die("pthread_join");
	}
	start = now() - start;
	checksum = atomic_load(&s.total);
	for (unsigned b = 0; b < BUCKETS; b++)
		checksum = mix(checksum, s.histogram[b]);
	printf("smp threads shared %u %.6f %016llx\n", n, start, (unsigned long long)checksum);
	return 0;
}

/* Reads a child's one "bench NAME SECONDS CHECKSUM" line from fd into
 * checksum; returns 0, or -1 if there was none. */
static int read_checksum(int fd, char *checksum, size_t size)
{
	char buf[4 * LINE_MAX_BYTES];
	size_t used = 0;
	ssize_t got;
	char name[LINE_MAX_BYTES], sum[LINE_MAX_BYTES];
	double seconds;

	while (used < sizeof(buf) - 1 && (got = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0)
		used += (size_t)got;
	buf[used] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (sscanf(line, "bench %255s %lf %255s", name, &seconds, sum) == 3 &&
		    strlen(sum) < size) {
			strcpy(checksum, sum);
			return 0;
		}
	return -1;
}

static int run_copies(unsigned n, const char *kernel)
{
	pid_t pids[MAX_WORKERS];
	int fds[MAX_WORKERS];
	char first[LINE_MAX_BYTES] = "", sum[LINE_MAX_BYTES];
	int failed = 0;
	double start = now();

	for (unsigned i = 0; i < n; i++) {
		int pipefd[2];

		if (pipe(pipefd) != 0)
			die("pipe");
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			dup2(pipefd[1], STDOUT_FILENO);
			close(pipefd[0]);
			close(pipefd[1]);
			execl(SUITE_PATH, SUITE_PATH, kernel, (char *)NULL);
			die("exec " SUITE_PATH);
		}
		close(pipefd[1]);
		fds[i] = pipefd[0];
	}
	/* The pipes hold a few short lines: reading them one after the other
	 * cannot hold a child up. */
	for (unsigned i = 0; i < n; i++) {
		int status;

		if (read_checksum(fds[i], sum, sizeof(sum)) != 0) {
			fprintf(stderr, "bench-smp: copy %u of %s printed no result\n", i + 1, kernel);
			failed = 1;
		} else if (!first[0]) {
			strcpy(first, sum);
		} else if (strcmp(first, sum) != 0) {
			fprintf(stderr, "bench-smp: copies of %s disagree: %s, %s\n", kernel, first, sum);
			failed = 1;
		}
		close(fds[i]);
		if (waitpid(pids[i], &status, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench-smp: copy %u of %s failed\n", i + 1, kernel);
			failed = 1;
		}
	}
	start = now() - start;
	if (failed)
		return 1;
	printf("smp copies %s %u %.6f %s\n", kernel, n, start, first);
	return 0;
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long n = argc >= 3 ? strtoul(argv[2], &end, 10) : 0;

	if (argc < 3 || *end || n < 1 || n > MAX_WORKERS ||
	    !((strcmp(argv[1], "copies") == 0 && argc == 4) ||
	      (strcmp(argv[1], "threads") == 0 && argc == 3))) {
		fprintf(stderr, "usage: smp copies N KERNEL | smp threads N (N from 1 to %d)\n",
			MAX_WORKERS);
		return 2;
	}
	if (argv[1][0] == 'c')
		return run_copies((unsigned)n, argv[3]);
	return run_threads((unsigned)n);
}
