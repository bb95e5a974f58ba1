#include "block/qcow2_header.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/io.h"

/* QEMU's limits on metadata sizes (qcow2.h): they bound what a corrupt
 * header can make doppel allocate. */
#define MAX_L1_BYTES       (32u << 20)
#define MAX_REFTABLE_BYTES (8u << 20)

#define KNOWN_INCOMPAT (QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT | \
			QCOW2_INCOMPAT_DATA_FILE | QCOW2_INCOMPAT_COMPRESSION | \
			QCOW2_INCOMPAT_EXTL2)

uint64_t qcow2_l1_entries_for(uint64_t size, uint32_t cluster_bits)
{
	unsigned shift = cluster_bits + (cluster_bits - 3); /* bytes one L2 table maps */
	return (size >> shift) + ((size & ((1ull << shift) - 1)) != 0);
}

/* Names an incompatible feature bit from the image's feature name table
 * extension (spec: "Feature name table"), if it has one. */
static void feature_name(const uint8_t *ext, uint32_t len, unsigned bit, char *name, size_t size)
{
	snprintf(name, size, "bit %u", bit);
	for (uint32_t i = 0; i + 48 <= len; i += 48) {
		if (ext[i] == 0 && ext[i + 1] == bit) {
			snprintf(name, size, "'%.46s'", (const char *)ext + i + 2);
			return;
		}
	}
}

/* Header extensions follow the header up to the backing file name (or the
 * end of the first cluster); unknown ones are skipped as the spec allows. */
static int read_extensions(const uint8_t *c, uint64_t start, uint64_t end, const char *path,
			   struct qcow2_header *h, struct error *err)
{
	uint64_t unknown = h->incompat & ~KNOWN_INCOMPAT;
	uint64_t off = start;
	while (off + 8 <= end) {
		uint32_t type = be32_get(c + off);
		uint32_t len = be32_get(c + off + 4);
		off += 8;
		if (type == QCOW2_EXT_END)
			break;
		if (len > end - off)
			return error_set(err, EINVAL, "%s: qcow2 header extension 0x%08x runs past "
					 "the header", path, type);
		if (type == QCOW2_EXT_BACKING_FORMAT) {
			if (len >= sizeof(h->backing_format))
				return error_set(err, EINVAL, "%s: backing format name too long", path);
			memcpy(h->backing_format, c + off, len);
			h->backing_format[len] = '\0';
		} else if (type == QCOW2_EXT_FEATURE_NAMES && unknown) {
			char name[64];
			feature_name(c + off, len, (unsigned)__builtin_ctzll(unknown), name, sizeof(name));
			return error_set(err, ENOTSUP, "%s: unsupported qcow2 feature %s", path, name);
		}
		off += (len + 7ull) & ~7ull;
	}
	if (unknown)
		return error_set(err, ENOTSUP, "%s: unsupported qcow2 feature bit %d", path,
				 __builtin_ctzll(unknown));
	return 0;
}

static int check_features(const uint8_t *c, const char *path, struct qcow2_header *h,
			  struct error *err)
{
	if (h->incompat & QCOW2_INCOMPAT_DATA_FILE)
		return error_set(err, ENOTSUP, "%s: qcow2 images with an external data file are "
				 "not supported", path);
	if (h->incompat & QCOW2_INCOMPAT_EXTL2)
		return error_set(err, ENOTSUP, "%s: qcow2 images with extended L2 entries are not "
				 "supported", path);
	/* Compression type: byte 104 when the header reaches it; 0 is zlib. */
	if (h->header_length > QCOW2_HDR_COMPRESSION_TYPE && c[QCOW2_HDR_COMPRESSION_TYPE] != 0)
		return error_set(err, ENOTSUP, "%s: qcow2 compression type %u is not supported "
				 "(only zlib)", path, c[QCOW2_HDR_COMPRESSION_TYPE]);
	if (h->refcount_order > 6)
		return error_set(err, EINVAL, "%s: refcount width 2^%u bits overflows 64 bits",
				 path, h->refcount_order);
	return 0;
}

static int check_tables(uint64_t file_size, const char *path, const struct qcow2_header *h,
			struct error *err)
{
	uint64_t cs = 1ull << h->cluster_bits;
	uint64_t need = qcow2_l1_entries_for(h->size, h->cluster_bits);
	if (h->size > (1ull << 62) || need > MAX_L1_BYTES / 8)
		return error_set(err, EINVAL, "%s: virtual size %llu is too large", path,
				 (unsigned long long)h->size);
	if (h->l1_size < need)
		return error_set(err, EINVAL, "%s: L1 table too small for the virtual size", path);
	if (h->l1_size > MAX_L1_BYTES / 8)
		return error_set(err, EINVAL, "%s: L1 table too large (%u entries)", path,
				 h->l1_size);
	if (h->l1_offset & (cs - 1))
		return error_set(err, EINVAL, "%s: L1 table offset not cluster-aligned", path);
	if (h->l1_size && h->l1_offset == 0)
		return error_set(err, EINVAL, "%s: L1 table overlaps the header", path);
	if (h->l1_size && (h->l1_offset >= file_size ||
			   (uint64_t)h->l1_size * 8 > file_size - h->l1_offset))
		return error_set(err, EINVAL, "%s: L1 table past the end of the file", path);
	if (h->reftable_offset & (cs - 1))
		return error_set(err, EINVAL, "%s: refcount table offset not cluster-aligned", path);
	if (h->reftable_offset == 0)
		return error_set(err, EINVAL, "%s: refcount table overlaps the header", path);
	if (h->reftable_clusters == 0 || h->reftable_clusters > MAX_REFTABLE_BYTES / cs)
		return error_set(err, EINVAL, "%s: refcount table size (%u clusters) out of range",
				 path, h->reftable_clusters);
	if (h->reftable_offset >= file_size ||
	    (uint64_t)h->reftable_clusters * cs > file_size - h->reftable_offset)
		return error_set(err, EINVAL, "%s: refcount table past the end of the file", path);
	return 0;
}

static int parse(const uint8_t *c, uint64_t avail, uint64_t file_size, const char *path,
		 struct qcow2_header *h, struct error *err)
{
	uint64_t cs = 1ull << h->cluster_bits;
	h->size = be64_get(c + QCOW2_HDR_SIZE);
	h->l1_size = be32_get(c + QCOW2_HDR_L1_SIZE);
	h->l1_offset = be64_get(c + QCOW2_HDR_L1_OFFSET);
	h->reftable_offset = be64_get(c + QCOW2_HDR_REFTABLE_OFFSET);
	h->reftable_clusters = be32_get(c + QCOW2_HDR_REFTABLE_CLUSTERS);
	h->nb_snapshots = be32_get(c + QCOW2_HDR_NB_SNAPSHOTS);
	h->refcount_order = QCOW2_REFCOUNT_ORDER;
	h->header_length = QCOW2_HDR_V2_LENGTH;
	if (be32_get(c + QCOW2_HDR_CRYPT_METHOD))
		return error_set(err, ENOTSUP, "%s: encrypted qcow2 images are not supported", path);
	if (h->version >= 3) {
		h->incompat = be64_get(c + QCOW2_HDR_INCOMPAT);
		h->compat = be64_get(c + QCOW2_HDR_COMPAT);
		h->autoclear = be64_get(c + QCOW2_HDR_AUTOCLEAR);
		h->refcount_order = be32_get(c + QCOW2_HDR_REFCOUNT_ORDER);
		h->header_length = be32_get(c + QCOW2_HDR_HEADER_LENGTH);
		if (h->header_length < QCOW2_HDR_V3_LENGTH || h->header_length % 8 ||
		    h->header_length > avail)
			return error_set(err, EINVAL, "%s: bad qcow2 header length %u", path,
					 h->header_length);
	}
	int rc = check_features(c, path, h, err);
	if (rc)
		return rc;

	uint64_t backing_offset = be64_get(c + QCOW2_HDR_BACKING_OFFSET);
	uint32_t backing_size = be32_get(c + QCOW2_HDR_BACKING_SIZE);
	uint64_t ext_end = avail;
	if (backing_offset) {
		if (backing_size == 0 || backing_size > QCOW2_MAX_BACKING_NAME ||
		    backing_offset > cs - backing_size || backing_offset + backing_size > avail)
			return error_set(err, EINVAL, "%s: bad backing file name field", path);
		memcpy(h->backing_name, c + backing_offset, backing_size);
		h->backing_name[backing_size] = '\0';
		if (strlen(h->backing_name) != backing_size)
			return error_set(err, EINVAL, "%s: backing file name contains a NUL byte", path);
		ext_end = backing_offset;
	}
	rc = read_extensions(c, h->header_length, ext_end, path, h, err);
	if (rc)
		return rc;
	return check_tables(file_size, path, h, err);
}

int qcow2_header_read(int fd, uint64_t file_size, const char *path, struct qcow2_header *h,
		      struct error *err)
{
	uint8_t fixed[QCOW2_HDR_V3_LENGTH];
	uint8_t *cluster = NULL;
	int rc;

	*h = (struct qcow2_header){ 0 };
	if (file_size < QCOW2_HDR_V2_LENGTH)
		return error_set(err, EINVAL, "%s: truncated qcow2 header (%llu bytes)", path,
				 (unsigned long long)file_size);
	rc = file_read_at(fd, 0, fixed, sizeof(fixed));
	if (rc)
		return error_set(err, -rc, "%s: %s", path, strerror(-rc));
	if (be32_get(fixed + QCOW2_HDR_MAGIC) != QCOW2_MAGIC)
		return error_set(err, EINVAL, "%s: not a qcow2 image", path);
	h->version = be32_get(fixed + QCOW2_HDR_VERSION);
	if (h->version != 2 && h->version != 3)
		return error_set(err, ENOTSUP, "%s: qcow2 version %u is not supported", path,
				 h->version);
	if (h->version == 3 && file_size < QCOW2_HDR_V3_LENGTH)
		return error_set(err, EINVAL, "%s: truncated qcow2 header (%llu bytes)", path,
				 (unsigned long long)file_size);
	h->cluster_bits = be32_get(fixed + QCOW2_HDR_CLUSTER_BITS);
	if (h->cluster_bits < QCOW2_MIN_CLUSTER_BITS || h->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
		return error_set(err, ENOTSUP, "%s: cluster size 2^%u is outside 512 B to 2 MiB",
				 path, h->cluster_bits);

	uint64_t cs = 1ull << h->cluster_bits;
	uint64_t avail = file_size < cs ? file_size : cs;
	cluster = malloc(avail);
	if (!cluster)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	rc = file_read_at(fd, 0, cluster, avail);
	if (rc)
		error_set(err, -rc, "%s: %s", path, strerror(-rc));
	else
		rc = parse(cluster, avail, file_size, path, h, err);
	free(cluster);
	return rc;
}
