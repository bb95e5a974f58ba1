/* Drives doppel's disk backends for the image tests (img_test.sh):
 *
 *   block_exercise random IMG MODEL SEED OPS
 *     random writes, write-zeroes, reads, flushes and reopens of IMG through
 *     the block layer, mirrored onto the raw file MODEL with plain
 *     pread/pwrite; every read and finally the whole disk must match the
 *     model byte for byte.
 *   block_exercise write-and-wait IMG OFFSET LENGTH BYTE
 *     writes LENGTH bytes of BYTE at OFFSET, flushes, prints "flushed" and
 *     waits to be killed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/block.h"

#define MAX_IO (300u << 10)

/* xorshift64*: a reproducible stream from the seed. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int model_io(int fd, bool write, uint64_t off, void *buf, size_t len)
{
	ssize_t n = write ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
	return n == (ssize_t)len ? 0 : -1;
}

static int open_image(const char *path, struct block_dev **bd)
{
	struct error err = { 0 };
	if (block_open(path, BLOCK_FMT_AUTO, false, bd, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

/* A range biased towards sector-aligned requests, as a guest makes them. */
static void pick_range(uint64_t *rng, uint64_t size, uint64_t *off, size_t *len)
{
	uint64_t r = next_random(rng);
	*off = next_random(rng) % size;
	*len = 1 + (size_t)(next_random(rng) % MAX_IO);
	if (r & 1) {
		*off &= ~511ull;
		*len = (*len + 511) & ~(size_t)511;
	}
	if (*len > size - *off)
		*len = (size_t)(size - *off);
}

static int compare(struct block_dev *bd, int model, uint64_t off, size_t len, uint8_t *a,
		   uint8_t *b, const char *when)
{
	int rc = block_read(bd, off, a, len);
	if (rc || model_io(model, false, off, b, len)) {
		fprintf(stderr, "%s: read failed at %llu+%zu: %s\n", when, (unsigned long long)off,
			len, strerror(-rc));
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (a[i] != b[i]) {
			fprintf(stderr, "%s: mismatch at byte %llu: image %#x, model %#x\n", when,
				(unsigned long long)(off + i), a[i], b[i]);
			return -1;
		}
	}
	return 0;
}

static int one_op(struct block_dev **bd, const char *img, int model, uint64_t *rng, uint8_t *a,
		  uint8_t *b)
{
	uint64_t size = (*bd)->size, off;
	size_t len;
	unsigned kind = (unsigned)(next_random(rng) % 100);
	pick_range(rng, size, &off, &len);
	if (kind < 45) {
		for (size_t i = 0; i < len; i++)
			a[i] = (uint8_t)next_random(rng);
		return block_write(*bd, off, a, len) || model_io(model, true, off, a, len) ? -1 : 0;
	}
	if (kind < 55) {
		memset(b, 0, len);
		return block_write_zeroes(*bd, off, len, kind & 1) ||
		       model_io(model, true, off, b, len) ? -1 : 0;
	}
	if (kind < 95)
		return compare(*bd, model, off, len, a, b, "read");
	if (kind < 98)
		return block_flush(*bd);
	block_close(*bd);
	return open_image(img, bd);
}

static int random_test(const char *img, const char *model_path, uint64_t seed, unsigned ops)
{
	struct block_dev *bd = NULL;
	uint8_t *a = malloc(MAX_IO), *b = malloc(MAX_IO);
	uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 1;
	int status = 1;
	int model = open(model_path, O_RDWR);
	if (!a || !b || model < 0 || open_image(img, &bd))
		goto out;
	for (unsigned i = 0; i < ops; i++) {
		if (one_op(&bd, img, model, &rng, a, b)) {
			fprintf(stderr, "seed %llu: operation %u failed\n", (unsigned long long)seed, i);
			goto out;
		}
	}
	for (uint64_t off = 0; off < bd->size; off += MAX_IO) {
		size_t len = bd->size - off < MAX_IO ? (size_t)(bd->size - off) : MAX_IO;
		if (compare(bd, model, off, len, a, b, "final comparison"))
			goto out;
	}
	printf("seed %llu: %u operations, image matches the model\n", (unsigned long long)seed, ops);
	status = 0;
out:
	block_close(bd);
	if (model >= 0)
		close(model);
	free(a);
	free(b);
	return status;
}

static int write_and_wait(const char *img, uint64_t off, size_t len, int byte)
{
	struct block_dev *bd;
	uint8_t *buf = malloc(len);
	if (!buf || open_image(img, &bd)) {
		free(buf);
		return 1;
	}
	memset(buf, byte, len);
	if (block_write(bd, off, buf, len) || block_flush(bd)) {
		block_close(bd);
		free(buf);
		return 1;
	}
	printf("flushed\n");
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "random"))
		return random_test(argv[2], argv[3], strtoull(argv[4], NULL, 0),
				   (unsigned)strtoul(argv[5], NULL, 0));
	if (argc == 6 && !strcmp(argv[1], "write-and-wait"))
		return write_and_wait(argv[2], strtoull(argv[3], NULL, 0),
				      strtoul(argv[4], NULL, 0), (int)strtol(argv[5], NULL, 0));
	fprintf(stderr, "usage: block_exercise random IMG MODEL SEED OPS\n"
			"       block_exercise write-and-wait IMG OFFSET LENGTH BYTE\n");
	return 2;
}
