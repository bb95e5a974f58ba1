/* The guest's disk benchmark (/bench/disk, run by bench/disk.py): opens a
 * block device (default /dev/vda) with O_DIRECT, falling back to O_SYNC if
 * the kernel refuses it, and measures, in this order:
 *   seq.write   1 MiB writes over the first 512 MiB, then fsync
 *   seq.read    1 MiB reads over the same 512 MiB
 *   rand.write  4 KiB writes at seeded random offsets in it, then fsync
 *   rand.read   4 KiB reads at other seeded random offsets in it
 * Only the read/write/fsync calls are timed (clock_gettime), not filling or
 * checksumming buffers, so a slow CPU does not count as a slow disk.
 * Offsets and data depend on nothing but the seeds: every emulator sees the
 * same requests, and the reads' checksums must agree between them.
 * Output: "disk-mode O_DIRECT|O_SYNC, " and the sizes, then one line per test,
 * "disk NAME VALUE UNIT SECONDS CHECKSUM" (UNIT MiB/s or IOPS; CHECKSUM "-"
 * for writes), then "disk-bench done". Exits 1 on any error. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REGION_BYTES (512u << 20)
#define SEQ_BYTES (1u << 20)
#define RAND_BYTES 4096u
#define RAND_COUNT 10000u
/* O_DIRECT wants buffers aligned to the logical block size; a page covers
 * every block size a virtio-blk disk can report. */
#define BUFFER_ALIGN 4096u
#define WRITE_SEED 0x243f6a8885a308d3ull
#define READ_SEED 0x13198a2e03707344ull

struct disk {
	int fd;
	const char *path;
	uint8_t *buf;
};

static _Noreturn void die(const char *what, const char *path)
{
	fprintf(stderr, "disk-bench: %s%s%s: %s\n", what, *path ? " " : "", path, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime", "");
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: a well-mixed 64-bit sequence from any seed. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Data that differs in every 8 bytes of the disk and in every pass. */
static void fill(uint8_t *buf, size_t bytes, uint64_t stamp)
{
	uint64_t state = stamp;

	for (size_t i = 0; i < bytes; i += 8) {
		uint64_t word = next_random(&state);

		memcpy(buf + i, &word, 8);
	}
}

static uint64_t fold(uint64_t sum, const uint8_t *buf, size_t bytes)
{
	for (size_t i = 0; i < bytes; i += 8) {
		uint64_t word;

		memcpy(&word, buf + i, 8);
		sum = (sum ^ word) * 0x100000001b3ull;
	}
	return sum;
}

/* One request, timed; a short transfer is an error (a block device gives
 * all or nothing for an aligned request inside it). */
static double transfer(struct disk *d, int writing, size_t bytes, off_t offset)
{
	double start = now();
	ssize_t done = writing ? pwrite(d->fd, d->buf, bytes, offset)
			       : pread(d->fd, d->buf, bytes, offset);
	double seconds = now() - start;

	if (done < 0)
		die(writing ? "pwrite" : "pread", d->path);
	if ((size_t)done != bytes) {
		errno = EIO;
		die(writing ? "short pwrite on" : "short pread on", d->path);
	}
	return seconds;
}

static double sync_disk(struct disk *d)
{
	double start = now();

	if (fsync(d->fd) != 0)
		die("fsync", d->path);
	return now() - start;
}

static void report(const char *name, double value, const char *unit, double seconds,
		   const uint64_t *checksum)
{
	if (checksum)
		printf("disk %s %.1f %s %.6f %016" PRIx64 "\n", name, value, unit, seconds,
		       *checksum);
	else
		printf("disk %s %.1f %s %.6f -\n", name, value, unit, seconds);
	fflush(stdout);
}

static void sequential(struct disk *d, int writing)
{
	uint64_t sum = 0;
	double seconds = 0;

	for (size_t off = 0; off < REGION_BYTES; off += SEQ_BYTES) {
		if (writing)
			fill(d->buf, SEQ_BYTES, off);
		seconds += transfer(d, writing, SEQ_BYTES, (off_t)off);
		if (!writing)
			sum = fold(sum, d->buf, SEQ_BYTES);
	}
	if (writing)
		seconds += sync_disk(d);
	report(writing ? "seq.write" : "seq.read", REGION_BYTES / (1024.0 * 1024.0) / seconds,
	       "MiB/s", seconds, writing ? NULL : &sum);
}

static void random_blocks(struct disk *d, int writing)
{
	uint64_t state = writing ? WRITE_SEED : READ_SEED;
	uint64_t sum = 0;
	double seconds = 0;

	for (unsigned i = 0; i < RAND_COUNT; i++) {
		off_t off = (off_t)(next_random(&state) % (REGION_BYTES / RAND_BYTES)) * RAND_BYTES;

		if (writing)
			fill(d->buf, RAND_BYTES, WRITE_SEED + i);
		seconds += transfer(d, writing, RAND_BYTES, off);
		if (!writing)
			sum = fold(sum, d->buf, RAND_BYTES);
	}
	if (writing)
		seconds += sync_disk(d);
	report(writing ? "rand.write" : "rand.read", RAND_COUNT / seconds, "IOPS", seconds,
	       writing ? NULL : &sum);
}

int main(int argc, char **argv)
{
	struct disk d = { .path = argc > 1 ? argv[1] : "/dev/vda" };
	const char *mode = "O_DIRECT";

	if (argc > 2) {
		fprintf(stderr, "usage: disk [DEVICE]\n");
		return 2;
	}
	d.fd = open(d.path, O_RDWR | O_DIRECT);
	if (d.fd < 0 && errno == EINVAL) {
		/* O_SYNC makes each write reach the disk, but reads may then
		 * come from the guest's page cache: the harness shows the mode. */
		mode = "O_SYNC";
		d.fd = open(d.path, O_RDWR | O_SYNC);
	}
	if (d.fd < 0)
		die("open", d.path);
	off_t size = lseek(d.fd, 0, SEEK_END);
	if (size < 0)
		die("lseek", d.path);
	if (size < (off_t)REGION_BYTES) {
		fprintf(stderr, "disk-bench: %s has %lld bytes, needs %u\n", d.path,
			(long long)size, REGION_BYTES);
		return 1;
	}
	errno = posix_memalign((void **)&d.buf, BUFFER_ALIGN, SEQ_BYTES);
	if (errno)
		die("posix_memalign", "");

	printf("disk-mode %s, %u MiB in %u MiB requests, %u random %u KiB requests\n", mode,
	       REGION_BYTES >> 20, SEQ_BYTES >> 20, RAND_COUNT, RAND_BYTES >> 10);
	sequential(&d, 1);
	sequential(&d, 0);
	random_blocks(&d, 1);
	random_blocks(&d, 0);
	printf("disk-bench done\n");
	free(d.buf);
	close(d.fd);
	return 0;
}
