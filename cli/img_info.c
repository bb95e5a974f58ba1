/* doppel img info: format, sizes and the backing chain of an image. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "block/qcow2.h"
#include "cli/img.h"
#include "util/size.h"

static void info_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel img info [-f raw|qcow2] FILE\n\n"
		"Prints FILE's format, virtual size (what the guest sees), disk size (what\n"
		"the host file occupies) and, for qcow2, its cluster size, feature bits and\n"
		"backing file; then the same for each image down the backing chain.\n\n"
		"  -f FMT       FILE's format (default: probed)\n"
		"  -h, --help   show this help\n");
}

static void print_qcow2(const struct qcow2_header *h, const char *path)
{
	printf("cluster_size: %llu\n", 1ull << h->cluster_bits);
	if (h->backing_name[0]) {
		char actual[4096];
		if (qcow2_backing_path(path, h->backing_name, actual, sizeof(actual)))
			actual[0] = '\0';
		printf("backing file: %s", h->backing_name);
		if (strcmp(actual, h->backing_name))
			printf(" (actual path: %s)", actual);
		printf("\n");
		if (h->backing_format[0])
			printf("backing file format: %s\n", h->backing_format);
	}
	printf("Format specific information:\n");
	printf("    compat: %s\n", h->version >= 3 ? "1.1" : "0.10");
	printf("    lazy refcounts: %s\n", h->compat & QCOW2_COMPAT_LAZY_REFCOUNTS ? "true" : "false");
	printf("    refcount bits: %u\n", 1u << h->refcount_order);
	printf("    dirty: %s\n", h->incompat & QCOW2_INCOMPAT_DIRTY ? "true" : "false");
	printf("    corrupt: %s\n", h->incompat & QCOW2_INCOMPAT_CORRUPT ? "true" : "false");
	if (h->nb_snapshots)
		printf("    internal snapshots: %u\n", h->nb_snapshots);
}

static void print_image(const char *path, const struct block_dev *bd)
{
	struct stat st;
	char vsize[32], dsize[32];
	size_format(bd->size, vsize, sizeof(vsize));
	printf("image: %s\n", path);
	printf("file format: %s\n", block_format_name(bd->format));
	printf("virtual size: %s (%llu bytes)\n", vsize, (unsigned long long)bd->size);
	if (!stat(path, &st)) {
		size_format((uint64_t)st.st_blocks * 512, dsize, sizeof(dsize));
		printf("disk size: %s\n", dsize);
	}
	if (bd->format == BLOCK_FMT_QCOW2)
		print_qcow2(qcow2_header_of(bd), path);
}

int img_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum block_format fmt = BLOCK_FMT_AUTO;
	struct block_dev *top = NULL;
	struct error err = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (img_parse_format(optarg, &fmt))
				return 2;
			break;
		case 'h': info_usage(stdout); return 0;
		default: info_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "doppel img info: expected one FILE (try --help)\n");
		return 2;
	}
	if (block_open(argv[optind], fmt, true, &top, &err)) {
		fprintf(stderr, "doppel img: %s\n", err.msg);
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s", argv[optind]);
	for (const struct block_dev *bd = top; bd; bd = bd->backing) {
		if (bd != top)
			printf("\n");
		print_image(path, bd);
		if (bd->backing) {
			char next[4096];
			qcow2_backing_path(path, qcow2_header_of(bd)->backing_name, next, sizeof(next));
			memcpy(path, next, sizeof(path));
		}
	}
	block_close(top);
	return 0;
}
