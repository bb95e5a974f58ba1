/* doppel img: creates, inspects, checks and converts disk images without
 * QEMU. Each subcommand lives in its own file. */
#include "cli/img.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "block/qcow2.h"
#include "block/raw.h"
#include "cli/commands.h"
#include "util/size.h"

static const struct img_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} img_commands[] = {
	{ "create", img_create, "create an empty raw or qcow2 image, or a qcow2 overlay" },
	{ "info", img_info, "show an image's format, sizes and backing chain" },
	{ "check", img_check, "check a qcow2 image's metadata for errors and leaks" },
	{ "convert", img_convert, "copy an image into another format" },
};

static void img_usage(FILE *out)
{
	fprintf(out, "usage: doppel img COMMAND [OPTIONS]\n\n"
		     "Disk images (raw, and qcow2 as QEMU writes it) for 'doppel run'.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(img_commands) / sizeof(img_commands[0]); i++)
		fprintf(out, "  %-9s %s\n", img_commands[i].name, img_commands[i].summary);
	fprintf(out, "\n'doppel img COMMAND --help' describes a command's options.\n");
}

int cmd_img(int argc, char **argv)
{
	if (argc < 2) {
		img_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		img_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(img_commands) / sizeof(img_commands[0]); i++)
		if (!strcmp(argv[1], img_commands[i].name))
			return img_commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "doppel img: unknown command '%s' (try 'doppel img --help')\n", argv[1]);
	return 2;
}

int img_parse_format(const char *name, enum block_format *fmt)
{
	int f = block_format_parse(name);
	if (f < 0) {
		fprintf(stderr, "doppel img: unknown format '%s' (raw or qcow2)\n", name);
		return -EINVAL;
	}
	*fmt = (enum block_format)f;
	return 0;
}

int img_parse_create_options(const char *opts, unsigned *cluster_bits)
{
	static const char key[] = "cluster_size=";
	uint64_t size;
	if (strncmp(opts, key, sizeof(key) - 1)) {
		fprintf(stderr, "doppel img: unknown option '%s' (only cluster_size=N)\n", opts);
		return -EINVAL;
	}
	if (size_parse(opts + sizeof(key) - 1, &size) || size < 512 || size > (2u << 20) ||
	    (size & (size - 1))) {
		fprintf(stderr, "doppel img: cluster_size must be a power of two from 512 to 2M\n");
		return -EINVAL;
	}
	*cluster_bits = (unsigned)__builtin_ctzll(size);
	return 0;
}

bool img_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int img_make(const char *path, enum block_format fmt, uint64_t size, unsigned cluster_bits,
	     const char *backing, const char *backing_fmt)
{
	struct qcow2_create_opts o = {
		.size = size,
		.cluster_bits = cluster_bits,
		.backing_name = backing,
		.backing_format = backing_fmt,
	};
	struct error err = { 0 };
	int rc = fmt == BLOCK_FMT_RAW ? raw_create(path, size, &err) : qcow2_create(path, &o, &err);
	if (rc)
		fprintf(stderr, "doppel img: %s\n", err.msg);
	return rc;
}
