/* doppel img check: qcow2 metadata consistency, with qemu-img check's exit
 * statuses: 0 no problem, 1 the check could not run, 2 corruptions, 3 only
 * leaked clusters, 63 the format has nothing to check (raw). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "block/qcow2_check.h"
#include "cli/img.h"

enum {
	CHECK_CLEAN = 0,
	CHECK_FAILED = 1,
	CHECK_CORRUPT = 2,
	CHECK_LEAKS = 3,
	CHECK_UNSUPPORTED = 63,
};

static void check_usage(FILE *out)
{
	fprintf(out,
		"usage: doppel img check [-r leaks|all] FILE\n\n"
		"Checks a qcow2 image: every cluster's refcount against the references\n"
		"to it, offsets inside the file, the COPIED flags, metadata clusters that\n"
		"anything else also points at. Exit status: 0 clean, 1 the check could\n"
		"not run, 2 errors (data may be corrupted), 3 only leaked clusters (space\n"
		"wasted, data safe), 63 raw images (nothing to check).\n\n"
		"  -r leaks     free leaked clusters\n"
		"  -r all       also raise refcounts that are too low\n"
		"  -h, --help   show this help\n");
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static int summarize(const struct qcow2_check_result *r)
{
	if (!r->corruptions && !r->leaks)
		printf("No errors were found on the image.\n");
	if (r->corruptions)
		printf("\n%llu errors were found on the image.\n"
		       "Data may be corrupted, or further writes to the image may corrupt it.\n",
		       (unsigned long long)r->corruptions);
	if (r->leaks)
		printf("\n%llu leaked clusters were found on the image.\n"
		       "This means waste of disk space, but no harm to data.\n",
		       (unsigned long long)r->leaks);
	printf("%llu/%llu = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed clusters\n",
	       (unsigned long long)r->allocated, (unsigned long long)r->guest_clusters,
	       percent(r->allocated, r->guest_clusters), percent(r->fragmented, r->allocated),
	       percent(r->compressed, r->allocated));
	printf("Image end offset: %llu\n", (unsigned long long)r->image_end);
	return r->corruptions ? CHECK_CORRUPT : r->leaks ? CHECK_LEAKS : CHECK_CLEAN;
}

int img_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum qcow2_repair repair = QCOW2_REPAIR_NONE;
	enum block_format fmt;
	struct qcow2_check_result res;
	struct error err = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!strcmp(optarg, "leaks")) {
				repair = QCOW2_REPAIR_LEAKS;
			} else if (!strcmp(optarg, "all")) {
				repair = QCOW2_REPAIR_ALL;
			} else {
				fprintf(stderr, "doppel img check: -r takes 'leaks' or 'all'\n");
				return CHECK_FAILED;
			}
			break;
		case 'h': check_usage(stdout); return 0;
		default: check_usage(stderr); return CHECK_FAILED;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "doppel img check: expected one FILE (try --help)\n");
		return CHECK_FAILED;
	}
	const char *path = argv[optind];
	if (block_probe(path, &fmt, &err)) {
		fprintf(stderr, "doppel img: %s\n", err.msg);
		return CHECK_FAILED;
	}
	if (fmt != BLOCK_FMT_QCOW2) {
		fprintf(stderr, "doppel img: %s: raw images have no metadata to check\n", path);
		return CHECK_UNSUPPORTED;
	}
	if (qcow2_check(path, repair, print_line, NULL, &res, &err)) {
		fprintf(stderr, "doppel img: %s\n", err.msg);
		return CHECK_FAILED;
	}
	if (repair != QCOW2_REPAIR_NONE && res.repaired) {
		printf("Repaired %llu refcounts; checking again.\n", (unsigned long long)res.repaired);
		if (qcow2_check(path, QCOW2_REPAIR_NONE, print_line, NULL, &res, &err)) {
			fprintf(stderr, "doppel img: %s\n", err.msg);
			return CHECK_FAILED;
		}
	}
	return summarize(&res);
}
