/* qcow2 consistency check: count the references the metadata makes to each
 * host cluster (header, L1 table, L2 tables, data clusters, compressed data,
 * refcount table, refcount blocks) and compare with the stored refcounts. */
#include "block/qcow2_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/io.h"
#include "block/qcow2.h"
#include "block/qcow2_internal.h"

struct checker {
	struct qcow2 *q;
	uint32_t *refs;        /* references per host cluster */
	uint8_t *metadata;     /* per host cluster: 1 if it holds metadata */
	uint64_t nclusters;    /* clusters in the file */
	qcow2_report_fn *report;
	void *ctx;
	struct qcow2_check_result *res;
};

static void say(struct checker *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct checker *k, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	if (!k->report)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	k->report(k->ctx, line);
}

/* One reference to the clusters of [off, off + len); metadata marks them as
 * holding the header or a table, which nothing else may share. */
static void reference(struct checker *k, uint64_t off, uint64_t len, bool metadata,
		      const char *what)
{
	if (!len)
		return;
	uint64_t first = off >> k->q->h.cluster_bits;
	uint64_t last = (off + len - 1) >> k->q->h.cluster_bits;
	for (uint64_t c = first; c <= last; c++) {
		if (c >= k->nclusters) {
			say(k, "ERROR %s at offset %#llx is past the end of the file", what,
			    (unsigned long long)off);
			k->res->corruptions++;
			return;
		}
		if (k->refs[c] < UINT32_MAX)
			k->refs[c]++;
		k->metadata[c] |= metadata;
	}
	uint64_t end = (last + 1) << k->q->h.cluster_bits;
	if (end > k->res->image_end)
		k->res->image_end = end;
}

static int scan_l2(struct checker *k, uint64_t l1i, uint64_t l2_off, uint64_t *prev_host)
{
	struct qcow2 *q = k->q;
	uint64_t entries = 1ull << q->l2_bits;
	uint8_t *table;
	int rc = table_cache_get(&q->l2_cache, q->fd, l2_off, &table);
	if (rc)
		return rc;
	for (uint64_t i = 0; i < entries; i++) {
		uint64_t guest = ((l1i << q->l2_bits) + i) << q->h.cluster_bits;
		uint64_t e = be64_get(table + i * 8);
		if (!e || guest >= q->h.size)
			continue;
		if (e & QCOW2_OFLAG_COMPRESSED) {
			uint64_t off, len;
			qcow2_compressed_extent(q, e, &off, &len);
			reference(k, off & ~511ull, len + (off & 511), false, "compressed cluster");
			k->res->allocated++;
			k->res->compressed++;
			continue;
		}
		uint64_t host = e & QCOW2_OFFSET_MASK;
		if (!host)
			continue;
		if (host & (q->cluster_size - 1)) {
			say(k, "ERROR offset=%llx: data cluster is not properly aligned; L2 entry "
			    "corrupted", (unsigned long long)host);
			k->res->corruptions++;
			continue;
		}
		reference(k, host, q->cluster_size, false, "data cluster");
		k->res->allocated++;
		if (*prev_host && host != *prev_host + q->cluster_size)
			k->res->fragmented++;
		*prev_host = host;
	}
	return 0;
}

/* The spec's "COPIED" bit (63) of L1 and L2 entries must say exactly whether
 * the cluster's refcount is 1. */
static int check_copied(struct checker *k, uint64_t entry, const char *what)
{
	uint64_t host = entry & QCOW2_OFFSET_MASK, count;
	if (!host || (entry & QCOW2_OFLAG_COMPRESSED) || host & (k->q->cluster_size - 1))
		return 0;
	int rc = qcow2_refcount_get(k->q, host >> k->q->h.cluster_bits, &count);
	if (rc)
		return rc;
	if (!!(entry & QCOW2_OFLAG_COPIED) != (count == 1)) {
		say(k, "ERROR OFLAG_COPIED %s: offset=%llx refcount=%llu", what,
		    (unsigned long long)host, (unsigned long long)count);
		k->res->corruptions++;
	}
	return 0;
}

static int check_flags(struct checker *k)
{
	struct qcow2 *q = k->q;
	for (uint64_t l1i = 0; l1i < q->h.l1_size; l1i++) {
		uint64_t l2_off = q->l1[l1i] & QCOW2_OFFSET_MASK;
		if (!l2_off)
			continue;
		int rc = check_copied(k, q->l1[l1i], "L2 table");
		for (uint64_t i = 0; !rc && i < (1ull << q->l2_bits); i++) {
			uint8_t *table;
			rc = table_cache_get(&q->l2_cache, q->fd, l2_off, &table);
			if (!rc)
				rc = check_copied(k, be64_get(table + i * 8), "data cluster");
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int count_references(struct checker *k)
{
	struct qcow2 *q = k->q;
	uint64_t prev_host = 0;
	reference(k, 0, q->cluster_size, true, "header");
	reference(k, q->h.l1_offset, (uint64_t)q->h.l1_size * 8, true, "L1 table");
	for (uint64_t l1i = 0; l1i < q->h.l1_size; l1i++) {
		uint64_t l2_off = q->l1[l1i] & QCOW2_OFFSET_MASK;
		if (!l2_off)
			continue;
		reference(k, l2_off, q->cluster_size, true, "L2 table");
		int rc = scan_l2(k, l1i, l2_off, &prev_host);
		if (rc)
			return rc;
	}
	reference(k, q->h.reftable_offset, (uint64_t)q->h.reftable_clusters * q->cluster_size,
		  true, "refcount table");
	for (uint64_t i = 0; i < q->reftable_entries; i++)
		reference(k, q->reftable[i], q->reftable[i] ? q->cluster_size : 0, true,
			  "refcount block");
	return 0;
}

/* A cluster holding the header or a table that anything else also points
 * at is written through two meanings: a guest write into it would rewrite
 * metadata (a hostile image can make the header an L2 table or a data
 * cluster). Refcounts cannot make that right, so it is not repaired. */
static uint64_t count_shared_metadata(struct checker *k)
{
	uint64_t shared = 0;
	for (uint64_t c = 0; c < k->nclusters; c++) {
		if (!k->metadata[c] || k->refs[c] <= 1)
			continue;
		say(k, "ERROR cluster %llu holds metadata and is referenced %u times",
		    (unsigned long long)c, k->refs[c]);
		shared++;
	}
	k->res->corruptions += shared;
	return shared;
}

static int compare_refcounts(struct checker *k, enum qcow2_repair repair)
{
	for (uint64_t c = 0; c < k->nclusters; c++) {
		uint64_t stored, refs = k->refs[c];
		int rc = qcow2_refcount_get(k->q, c, &stored);
		if (rc)
			return rc;
		if (stored == refs)
			continue;
		bool leak = stored > refs;
		say(k, "%s cluster %llu refcount=%llu reference=%llu", leak ? "Leaked" : "ERROR",
		    (unsigned long long)c, (unsigned long long)stored, (unsigned long long)refs);
		if (leak)
			k->res->leaks++;
		else
			k->res->corruptions++;
		if (repair == QCOW2_REPAIR_ALL || (leak && repair == QCOW2_REPAIR_LEAKS)) {
			/* A missing refcount block would have to be placed in its
			 * own range, which may be in use: not repaired. */
			uint64_t ri = c >> k->q->refblock_bits;
			if (ri >= k->q->reftable_entries || !k->q->reftable[ri])
				return -ENOTSUP;
			rc = qcow2_refcount_set(k->q, c, refs);
			if (rc)
				return rc;
			k->res->repaired++;
		}
	}
	return 0;
}

int qcow2_check_open_image(struct qcow2 *q, enum qcow2_repair repair, qcow2_report_fn *report,
			   void *ctx, struct qcow2_check_result *res)
{
	struct checker k = { .q = q, .report = report, .ctx = ctx, .res = res };
	*res = (struct qcow2_check_result){ 0 };
	if (q->h.nb_snapshots)
		return -ENOTSUP;
	k.nclusters = (q->file_end + q->cluster_size - 1) >> q->h.cluster_bits;
	k.refs = calloc(k.nclusters ? k.nclusters : 1, sizeof(*k.refs));
	k.metadata = calloc(k.nclusters ? k.nclusters : 1, sizeof(*k.metadata));
	int rc = k.refs && k.metadata ? 0 : -ENOMEM;
	res->guest_clusters = (q->h.size + q->cluster_size - 1) >> q->h.cluster_bits;
	if (!rc)
		rc = count_references(&k);
	if (!rc && count_shared_metadata(&k))
		repair = QCOW2_REPAIR_NONE;
	if (!rc)
		rc = compare_refcounts(&k, repair);
	if (!rc)
		rc = check_flags(&k);
	if (!rc && res->repaired && fdatasync(q->fd))
		rc = -errno;
	free(k.refs);
	free(k.metadata);
	return rc;
}

int qcow2_check(const char *path, enum qcow2_repair repair, qcow2_report_fn *report, void *ctx,
		struct qcow2_check_result *res, struct error *err)
{
	struct block_dev *bd;
	int rc = qcow2_open_for_check(path, repair != QCOW2_REPAIR_NONE, &bd, err);
	if (rc)
		return rc;
	struct qcow2 *q = (struct qcow2 *)bd;
	rc = qcow2_check_open_image(q, repair, report, ctx, res);
	/* Everything found was repaired: the image is clean again. */
	if (!rc && repair == QCOW2_REPAIR_ALL && res->corruptions == res->repaired &&
	    (q->h.incompat & (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT)))
		rc = qcow2_clear_incompat(q, QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT);
	if (rc == -ENOTSUP && q->h.nb_snapshots)
		error_set(err, ENOTSUP, "%s: images with internal snapshots are not checked", path);
	else if (rc == -ENOTSUP)
		error_set(err, ENOTSUP, "%s: a refcount block is missing; cannot repair", path);
	else if (rc)
		error_set(err, -rc, "%s: %s", path, strerror(-rc));
	block_close(bd);
	return rc;
}
