/* Creating an empty qcow2 version 3 image: the header (with its backing
 * format extension and backing file name), a refcount table, the refcount
 * blocks that count the metadata, and a zeroed L1 table. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/block.h"
#include "block/io.h"
#include "block/qcow2.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* Clusters of metadata: 1 header, then rt refcount table clusters, rb
 * refcount blocks, l1c L1 table clusters. */
struct layout {
	uint64_t rt, rb, l1c, l1_size;
};

static void plan(uint64_t size, unsigned cluster_bits, struct layout *l)
{
	uint64_t cs = 1ull << cluster_bits;
	uint64_t per_block = cs * 8 >> QCOW2_REFCOUNT_ORDER;
	l->l1_size = qcow2_l1_entries_for(size, cluster_bits);
	l->l1c = l->l1_size ? div_up(l->l1_size * 8, cs) : 1;
	l->rt = 1;
	l->rb = 1;
	/* The refcount blocks count themselves: grow until the sizes settle. */
	for (;;) {
		uint64_t total = 1 + l->rt + l->rb + l->l1c;
		uint64_t rb = div_up(total, per_block);
		uint64_t rt = div_up(rb * 8, cs);
		if (rb == l->rb && rt == l->rt)
			return;
		l->rb = rb;
		l->rt = rt;
	}
}

static uint64_t put_extension(uint8_t *c, uint64_t at, uint32_t type, const void *data,
			      uint32_t len)
{
	be32_put(c + at, type);
	be32_put(c + at + 4, len);
	memcpy(c + at + 8, data, len);
	return at + 8 + ((len + 7ull) & ~7ull);
}

static int build_header(uint8_t *c, uint64_t cs, const struct qcow2_create_opts *o,
			const struct layout *l)
{
	be32_put(c + QCOW2_HDR_MAGIC, QCOW2_MAGIC);
	be32_put(c + QCOW2_HDR_VERSION, 3);
	be32_put(c + QCOW2_HDR_CLUSTER_BITS, o->cluster_bits);
	be64_put(c + QCOW2_HDR_SIZE, o->size);
	be32_put(c + QCOW2_HDR_L1_SIZE, (uint32_t)l->l1_size);
	be64_put(c + QCOW2_HDR_L1_OFFSET, (1 + l->rt + l->rb) * cs);
	be64_put(c + QCOW2_HDR_REFTABLE_OFFSET, cs);
	be32_put(c + QCOW2_HDR_REFTABLE_CLUSTERS, (uint32_t)l->rt);
	be32_put(c + QCOW2_HDR_REFCOUNT_ORDER, QCOW2_REFCOUNT_ORDER);
	be32_put(c + QCOW2_HDR_HEADER_LENGTH, QCOW2_HDR_WRITTEN_LENGTH);

	uint64_t at = QCOW2_HDR_WRITTEN_LENGTH;
	if (o->backing_format)
		at = put_extension(c, at, QCOW2_EXT_BACKING_FORMAT, o->backing_format,
				   (uint32_t)strlen(o->backing_format));
	at += 8; /* the end-of-extensions marker: type 0, length 0 */
	if (o->backing_name) {
		size_t n = strlen(o->backing_name);
		if (n == 0 || n > QCOW2_MAX_BACKING_NAME || at + n > cs)
			return -ENAMETOOLONG;
		memcpy(c + at, o->backing_name, n);
		be64_put(c + QCOW2_HDR_BACKING_OFFSET, at);
		be32_put(c + QCOW2_HDR_BACKING_SIZE, (uint32_t)n);
	}
	return 0;
}

static int write_metadata(int fd, uint64_t cs, const struct qcow2_create_opts *o,
			  const struct layout *l)
{
	uint64_t meta = 1 + l->rt + l->rb;
	uint8_t *buf = calloc(meta, cs);
	if (!buf)
		return -ENOMEM;
	int rc = build_header(buf, cs, o, l);
	if (rc)
		goto out;
	uint64_t per_block = cs * 8 >> QCOW2_REFCOUNT_ORDER;
	uint8_t *reftable = buf + cs;
	uint8_t *blocks = reftable + l->rt * cs;
	for (uint64_t b = 0; b < l->rb; b++)
		be64_put(reftable + b * 8, (1 + l->rt + b) * cs);
	for (uint64_t c = 0; c < meta + l->l1c; c++) {
		uint64_t b = c / per_block, i = c % per_block;
		be16_put(blocks + b * cs + i * 2, 1);
	}
	rc = file_write_at(fd, 0, buf, meta * cs);
	if (!rc && ftruncate(fd, (off_t)((meta + l->l1c) * cs)))
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
out:
	free(buf);
	return rc;
}

int qcow2_create(const char *path, const struct qcow2_create_opts *o, struct error *err)
{
	struct layout l;
	if (o->cluster_bits < QCOW2_MIN_CLUSTER_BITS || o->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
		return error_set(err, EINVAL, "cluster size must be a power of two from 512 B to 2 MiB");
	plan(o->size, o->cluster_bits, &l);
	if (o->size > (1ull << 62) || l.l1_size * 8 > (32u << 20))
		return error_set(err, EFBIG, "%s: a size of %llu bytes is too large for this cluster "
				 "size", path, (unsigned long long)o->size);
	int fd;
	int rc = block_create_file(path, &fd, err);
	if (rc)
		return rc;
	rc = write_metadata(fd, 1ull << o->cluster_bits, o, &l);
	close(fd);
	if (rc == -ENAMETOOLONG)
		return error_set(err, -rc, "%s: backing file name too long", path);
	if (rc)
		return error_set(err, -rc, "%s: %s", path, strerror(-rc));
	return 0;
}
