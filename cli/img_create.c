/* doppel img create: an empty raw or qcow2 image, or a qcow2 overlay on a
 * backing file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "block/qcow2.h"
#include "cli/img.h"
#include "util/size.h"

static void create_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel img create [-f raw|qcow2] [-b BACKING [-F raw|qcow2]]\n"
		"                         [-o cluster_size=N] FILE [SIZE]\n\n"
		"Creates FILE as an empty image of SIZE bytes (suffixes K, M, G, T: powers\n"
		"of 1024), rounded up to whole 512-byte sectors. An existing FILE is\n"
		"overwritten, unless it is in use or in BACKING's backing chain.\n\n"
		"  -f FMT               raw (the default without -b) or qcow2\n"
		"  -b BACKING           make a qcow2 overlay: unwritten clusters read from\n"
		"                       BACKING; a relative name is relative to FILE's\n"
		"                       directory; SIZE defaults to BACKING's size\n"
		"  -F FMT               BACKING's format (default: probed, then recorded)\n"
		"  -o cluster_size=N    qcow2 cluster size, 512 to 2M (default 64K)\n"
		"  -h, --help           show this help\n");
}

/* Opens the backing file as the new overlay will, for its size and format. */
static int probe_backing(const char *file, const char *backing, enum block_format *fmt,
			 uint64_t *size)
{
	char path[4096];
	struct block_dev *bd = NULL;
	struct error err = { 0 };
	if (qcow2_backing_path(file, backing, path, sizeof(path))) {
		fprintf(stderr, "doppel img: %s: path too long\n", backing);
		return -1;
	}
	if (img_same_file(file, path)) {
		fprintf(stderr, "doppel img: %s would be its own backing file\n", file);
		return -1;
	}
	if (block_open(path, *fmt, true, &bd, &err)) {
		fprintf(stderr, "doppel img: %s\n", err.msg);
		return -1;
	}
	/* Creating FILE empties it: the new overlay would read that. */
	if (block_chain_has_file(bd, file)) {
		fprintf(stderr, "doppel img: %s is a backing file of %s\n", file, backing);
		block_close(bd);
		return -1;
	}
	*fmt = bd->format;
	*size = bd->size;
	block_close(bd);
	return 0;
}

int img_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum block_format fmt = BLOCK_FMT_AUTO, backing_fmt = BLOCK_FMT_AUTO;
	const char *backing = NULL;
	unsigned cluster_bits = QCOW2_DEFAULT_CLUSTER_BITS;
	uint64_t size = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "f:b:F:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (img_parse_format(optarg, &fmt))
				return 2;
			break;
		case 'F':
			if (img_parse_format(optarg, &backing_fmt))
				return 2;
			break;
		case 'b': backing = optarg; break;
		case 'o':
			if (img_parse_create_options(optarg, &cluster_bits))
				return 2;
			break;
		case 'h': create_usage(stdout); return 0;
		default: create_usage(stderr); return 2;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		fprintf(stderr, "doppel img create: expected FILE [SIZE] (try --help)\n");
		return 2;
	}
	const char *file = argv[optind];
	if (fmt == BLOCK_FMT_AUTO)
		fmt = backing ? BLOCK_FMT_QCOW2 : BLOCK_FMT_RAW;
	if (backing && fmt != BLOCK_FMT_QCOW2) {
		fprintf(stderr, "doppel img create: only qcow2 images have a backing file\n");
		return 2;
	}
	if (optind + 1 < argc && size_parse(argv[optind + 1], &size)) {
		fprintf(stderr, "doppel img create: bad size '%s' (e.g. 10G, 512M)\n",
			argv[optind + 1]);
		return 2;
	}
	if (!backing && optind + 1 >= argc) {
		fprintf(stderr, "doppel img create: missing SIZE (try --help)\n");
		return 2;
	}
	if (backing) {
		uint64_t backing_size;
		if (probe_backing(file, backing, &backing_fmt, &backing_size))
			return 1;
		if (optind + 1 >= argc)
			size = backing_size;
	}
	/* Disks are made of 512-byte sectors; qemu-img rounds up the same way. */
	if (size > UINT64_MAX - 511) {
		fprintf(stderr, "doppel img create: size too large\n");
		return 2;
	}
	size = (size + 511) & ~511ull;
	if (img_make(file, fmt, size, cluster_bits, backing,
		     backing ? block_format_name(backing_fmt) : NULL))
		return 1;
	return 0;
}
