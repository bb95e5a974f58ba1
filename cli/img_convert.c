/* doppel img convert: copies an image (its whole backing chain as the guest
 * sees it) into a new image of another format, skipping zero blocks so the
 * copy stays sparse. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/qcow2.h"
#include "cli/img.h"

/* Bytes read per step, and the granularity at which zeroes are skipped. */
#define CHUNK (1u << 20)
#define ZERO_BLOCK (64u << 10)

static void convert_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel img convert [-f raw|qcow2] -O raw|qcow2 [-o cluster_size=N]\n"
		"                          SRC DST\n\n"
		"Writes what a guest reads from SRC (through its backing chain) into DST, a\n"
		"new image with no backing file. Blocks of zeroes are not written, so DST is\n"
		"sparse. A progress bar is shown when standard output is a terminal. DST may\n"
		"not be SRC or one of its backing files, nor an image in use.\n\n"
		"  -f FMT               SRC's format (default: probed)\n"
		"  -O FMT               DST's format\n"
		"  -o cluster_size=N    DST's qcow2 cluster size (default 64K)\n"
		"  -h, --help           show this help\n");
}

static bool all_zero(const uint8_t *p, size_t len)
{
	return len == 0 || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}

static void progress(uint64_t done, uint64_t total)
{
	enum { WIDTH = 40 };
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	unsigned fill = pct * WIDTH / 100;
	printf("\r[%.*s%*s] %3u%%", (int)fill, "########################################",
	       (int)(WIDTH - fill), "", pct);
	fflush(stdout);
}

static int copy(struct block_dev *src, struct block_dev *dst, bool show)
{
	uint8_t *buf = malloc(CHUNK);
	int rc = 0;
	if (!buf)
		return -ENOMEM;
	for (uint64_t off = 0; off < src->size && !rc; off += CHUNK) {
		size_t n = src->size - off < CHUNK ? (size_t)(src->size - off) : CHUNK;
		rc = block_read(src, off, buf, n);
		if (rc) {
			fprintf(stderr, "doppel img: reading at %llu: %s\n", (unsigned long long)off,
				strerror(-rc));
			break;
		}
		for (size_t b = 0; b < n && !rc; b += ZERO_BLOCK) {
			size_t m = n - b < ZERO_BLOCK ? n - b : ZERO_BLOCK;
			if (!all_zero(buf + b, m))
				rc = block_write(dst, off + b, buf + b, m);
		}
		if (rc)
			fprintf(stderr, "doppel img: writing at %llu: %s\n", (unsigned long long)off,
				strerror(-rc));
		if (show)
			progress(off + n, src->size);
	}
	if (show)
		printf("\n");
	if (!rc && (rc = block_flush(dst)))
		fprintf(stderr, "doppel img: flushing: %s\n", strerror(-rc));
	free(buf);
	return rc;
}

int img_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum block_format src_fmt = BLOCK_FMT_AUTO, dst_fmt = BLOCK_FMT_AUTO;
	unsigned cluster_bits = QCOW2_DEFAULT_CLUSTER_BITS;
	struct block_dev *src = NULL, *dst = NULL;
	struct error err = { 0 };
	int c, rc, status = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:O:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (img_parse_format(optarg, &src_fmt))
				return 2;
			break;
		case 'O':
			if (img_parse_format(optarg, &dst_fmt))
				return 2;
			break;
		case 'o':
			if (img_parse_create_options(optarg, &cluster_bits))
				return 2;
			break;
		case 'h': convert_usage(stdout); return 0;
		default: convert_usage(stderr); return 2;
		}
	}
	if (argc - optind != 2 || dst_fmt == BLOCK_FMT_AUTO) {
		fprintf(stderr, "doppel img convert: expected -O FMT SRC DST (try --help)\n");
		return 2;
	}
	if (img_same_file(argv[optind], argv[optind + 1])) {
		fprintf(stderr, "doppel img convert: SRC and DST are the same file\n");
		return 2;
	}
	if (block_open(argv[optind], src_fmt, true, &src, &err)) {
		fprintf(stderr, "doppel img: %s\n", err.msg);
		return 1;
	}
	/* DST is emptied first: were it a file SRC reads through, the copy
	 * would read back those zeroes. */
	if (block_chain_has_file(src, argv[optind + 1])) {
		fprintf(stderr, "doppel img convert: DST %s is a backing file of SRC\n",
			argv[optind + 1]);
		status = 2;
		goto out;
	}
	if (img_make(argv[optind + 1], dst_fmt, src->size, cluster_bits, NULL, NULL))
		goto out;
	if (block_open(argv[optind + 1], dst_fmt, false, &dst, &err)) {
		fprintf(stderr, "doppel img: %s\n", err.msg);
		goto out;
	}
	if (!copy(src, dst, isatty(STDOUT_FILENO)))
		status = 0;
out:
	rc = block_close(dst);
	if (rc < 0 && status == 0) {
		fprintf(stderr, "doppel img: %s: %s\n", argv[optind + 1], strerror(-rc));
		status = 1;
	}
	block_close(src);
	return status;
}
