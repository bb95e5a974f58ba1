/* Consistency check of a qcow2 image, as `qemu-img check` does it: every
 * cluster's refcount against the references the metadata makes to it. */
#ifndef DOPPEL_BLOCK_QCOW2_CHECK_H
#define DOPPEL_BLOCK_QCOW2_CHECK_H

#include <stdint.h>

#include "util/error.h"

enum qcow2_repair {
	QCOW2_REPAIR_NONE,
	QCOW2_REPAIR_LEAKS,   /* lower refcounts that are too high */
	QCOW2_REPAIR_ALL,     /* also raise refcounts that are too low */
};

struct qcow2_check_result {
	uint64_t corruptions;     /* refcounts too low, bad offsets, flag errors,
				   * metadata clusters referenced twice */
	uint64_t leaks;           /* refcounts too high: space wasted, data safe */
	uint64_t repaired;
	uint64_t guest_clusters;  /* clusters of the virtual disk */
	uint64_t allocated;       /* of which have host clusters */
	uint64_t compressed;
	uint64_t fragmented;      /* allocated clusters not right after the previous one */
	uint64_t image_end;       /* end of the last cluster in use */
};

/* Called with one line per problem found (no newline). */
typedef void qcow2_report_fn(void *ctx, const char *line);

/* Checks (and repairs, if asked) the qcow2 image at path. Returns 0 when the
 * check ran, whatever it found; a negative errno with err set if it could
 * not run. */
int qcow2_check(const char *path, enum qcow2_repair repair, qcow2_report_fn *report, void *ctx,
		struct qcow2_check_result *res, struct error *err);

#endif
