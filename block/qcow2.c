/* qcow2: opening an image and the guest's reads and writes. */
#include "block/qcow2.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "block/io.h"
#include "block/qcow2_internal.h"

/* Bytes of L2 tables kept in memory: 1 MiB maps 8 GiB of disk with 64 KiB
 * clusters (QEMU's default cache is the same size). */
#define L2_CACHE_BYTES (1u << 20)
#define REFBLOCK_CACHE_TABLES 4

static struct qcow2 *to_qcow2(struct block_dev *bd)
{
	return (struct qcow2 *)bd;
}

const struct qcow2_header *qcow2_header_of(const struct block_dev *bd)
{
	return &((const struct qcow2 *)bd)->h;
}

static uint64_t offset_in_cluster(const struct qcow2 *q, uint64_t off)
{
	return off & (q->cluster_size - 1);
}

/* The L2 table mapping guest offset off; with alloc, a missing table is
 * created (refcount, then the zeroed table, then the L1 entry). */
static int l2_table(struct qcow2 *q, uint64_t off, bool alloc, uint8_t **table,
		    uint64_t *table_off)
{
	uint64_t l1i = off >> (q->h.cluster_bits + q->l2_bits);
	uint64_t l2_off = q->l1[l1i] & QCOW2_OFFSET_MASK;
	*table = NULL;
	if (l2_off) {
		*table_off = l2_off;
		return table_cache_get(&q->l2_cache, q->fd, l2_off, table);
	}
	if (!alloc)
		return 0;
	int rc = qcow2_alloc_clusters(q, 1, &l2_off);
	if (rc)
		return rc;
	uint8_t *t = table_cache_install_zeroed(&q->l2_cache, l2_off);
	rc = file_write_at(q->fd, l2_off, t, q->cluster_size);
	if (rc) {
		table_cache_drop(&q->l2_cache, l2_off);
		return rc;
	}
	uint8_t be[8];
	be64_put(be, l2_off | QCOW2_OFLAG_COPIED);
	rc = file_write_at(q->fd, q->h.l1_offset + l1i * 8, be, 8);
	if (rc)
		return rc;
	q->l1[l1i] = l2_off | QCOW2_OFLAG_COPIED;
	*table = t;
	*table_off = l2_off;
	return 0;
}

static uint64_t l2_index(const struct qcow2 *q, uint64_t off)
{
	return (off >> q->h.cluster_bits) & ((1ull << q->l2_bits) - 1);
}

/* An L2 entry read from the image is used only if it points inside the file
 * at a cluster boundary (compressed data: at any byte, within two clusters). */
static int check_l2_entry(const struct qcow2 *q, uint64_t entry)
{
	if (entry & QCOW2_OFLAG_COMPRESSED) {
		uint64_t off, len;
		qcow2_compressed_extent(q, entry, &off, &len);
		return off && off < q->file_end && len <= 2 * q->cluster_size ? 0 : -EIO;
	}
	uint64_t host = entry & QCOW2_OFFSET_MASK;
	if (host && (offset_in_cluster(q, host) || host >= q->file_end))
		return -EIO;
	return 0;
}

static int lookup(struct qcow2 *q, uint64_t off, uint64_t *entry)
{
	uint8_t *table;
	uint64_t table_off;
	int rc = l2_table(q, off, false, &table, &table_off);
	if (rc)
		return rc;
	*entry = table ? be64_get(table + l2_index(q, off) * 8) : 0;
	return check_l2_entry(q, *entry);
}

static bool is_zero_entry(const struct qcow2 *q, uint64_t entry)
{
	return q->h.version >= 3 && !(entry & QCOW2_OFLAG_COMPRESSED) && (entry & QCOW2_OFLAG_ZERO);
}

/* Inflates a compressed cluster (raw deflate, spec: "Compressed Clusters
 * Descriptor") into out, one cluster. */
static int read_compressed(struct qcow2 *q, uint64_t entry, uint8_t *out)
{
	uint64_t off, len;
	qcow2_compressed_extent(q, entry, &off, &len);
	int rc = file_read_at(q->fd, off, q->compressed_buf, len);
	if (rc)
		return rc;
	z_stream z = { 0 };
	if (inflateInit2(&z, -15) != Z_OK)
		return -ENOMEM;
	z.next_in = q->compressed_buf;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)q->cluster_size;
	/* The stored length is rounded up to sectors, so the stream may end
	 * early or be followed by padding; a full cluster of output is what
	 * counts. */
	int zrc = inflate(&z, Z_FINISH);
	bool full = z.avail_out == 0;
	inflateEnd(&z);
	return (zrc == Z_STREAM_END || zrc == Z_BUF_ERROR) && full ? 0 : -EIO;
}

static int read_backing(struct qcow2 *q, uint64_t off, uint8_t *buf, uint64_t len)
{
	struct block_dev *b = q->bd.backing;
	uint64_t from_backing = 0;
	if (b && off < b->size)
		from_backing = len < b->size - off ? len : b->size - off;
	if (from_backing) {
		int rc = block_read(b, off, buf, from_backing);
		if (rc)
			return rc;
	}
	memset(buf + from_backing, 0, len - from_backing);
	return 0;
}

/* Reads [off, off + len) within one guest cluster whose L2 entry is entry. */
static int read_mapped(struct qcow2 *q, uint64_t entry, uint64_t off, uint8_t *buf,
		       uint64_t len)
{
	uint64_t host = entry & QCOW2_OFFSET_MASK;
	if (entry & QCOW2_OFLAG_COMPRESSED) {
		/* Sequential small reads of one compressed cluster inflate it once. */
		if (entry != q->inflated_entry) {
			q->inflated_entry = 0;
			int rc = read_compressed(q, entry, q->inflated_buf);
			if (rc)
				return rc;
			q->inflated_entry = entry;
		}
		memcpy(buf, q->inflated_buf + offset_in_cluster(q, off), len);
		return 0;
	}
	if (is_zero_entry(q, entry)) {
		memset(buf, 0, len);
		return 0;
	}
	if (host)
		return file_read_at(q->fd, host + offset_in_cluster(q, off), buf, len);
	return read_backing(q, off, buf, len);
}

static uint64_t piece_len(const struct qcow2 *q, uint64_t off, uint64_t len)
{
	uint64_t room = q->cluster_size - offset_in_cluster(q, off);
	return len < room ? len : room;
}

/* Reads [off, off + len) within one guest cluster. */
static int read_piece(struct qcow2 *q, uint64_t off, uint8_t *buf, uint64_t len)
{
	uint64_t entry;
	int rc = lookup(q, off, &entry);
	return rc ? rc : read_mapped(q, entry, off, buf, len);
}

static int qcow2_read(struct block_dev *bd, uint64_t off, void *buf, size_t len)
{
	struct qcow2 *q = to_qcow2(bd);
	int rc = 0;
	for (uint64_t done = 0, n; done < len && !rc; done += n) {
		n = piece_len(q, off + done, len - done);
		rc = read_piece(q, off + done, (uint8_t *)buf + done, n);
	}
	return rc;
}

static int set_l2_entry(struct qcow2 *q, uint8_t *table, uint64_t table_off, uint64_t index,
			uint64_t entry)
{
	be64_put(table + index * 8, entry);
	return file_write_at(q->fd, table_off + index * 8, table + index * 8, 8);
}

/* After an L2 entry stopped pointing at old: drop its references. */
static int release(struct qcow2 *q, uint64_t old)
{
	if (old & QCOW2_OFLAG_COMPRESSED) {
		uint64_t off, len;
		qcow2_compressed_extent(q, old, &off, &len);
		q->inflated_entry = 0;
		return qcow2_free_range(q, off & ~511ull, len + (off & 511));
	}
	uint64_t host = old & QCOW2_OFFSET_MASK;
	return host ? qcow2_free_range(q, host, q->cluster_size) : 0;
}

/* Whether the entry is a plain cluster this image alone owns, which a write
 * may change in place (spec: bit 63 "COPIED" means refcount 1). */
static bool owned_in_place(uint64_t entry)
{
	return !(entry & QCOW2_OFLAG_COMPRESSED) && (entry & QCOW2_OFFSET_MASK) &&
	       (entry & QCOW2_OFLAG_COPIED);
}

/* Whether a guest cluster with this L2 entry reads as zeroes. */
static bool reads_as_zero(const struct qcow2 *q, uint64_t entry)
{
	return is_zero_entry(q, entry) ||
	       (!(entry & (QCOW2_OFLAG_COMPRESSED | QCOW2_OFFSET_MASK)) && !q->bd.backing);
}

/* The whole cluster a partial write makes: what the cluster read as, with
 * [off, off + len) replaced (copy-on-write). */
static int merge_into_cluster(struct qcow2 *q, uint64_t entry, uint64_t off, const uint8_t *buf,
			      uint64_t len)
{
	uint64_t in = offset_in_cluster(q, off);
	int rc = read_mapped(q, entry, off - in, q->cow_buf, q->cluster_size);
	if (!rc)
		memcpy(q->cow_buf + in, buf, len);
	return rc;
}

/* Writes [off, off + len) within one guest cluster. */
static int write_piece(struct qcow2 *q, uint64_t off, const uint8_t *buf, uint64_t len)
{
	uint64_t in = offset_in_cluster(q, off);
	bool whole = len == q->cluster_size;
	uint8_t *table;
	uint64_t table_off, index = l2_index(q, off);
	int rc = l2_table(q, off, true, &table, &table_off);
	if (rc)
		return rc;
	uint64_t entry = be64_get(table + index * 8);
	rc = check_l2_entry(q, entry);
	if (rc)
		return rc;

	if (owned_in_place(entry)) {
		uint64_t host = entry & QCOW2_OFFSET_MASK;
		if (!is_zero_entry(q, entry))
			return file_write_at(q->fd, host + in, buf, len);
		/* A preallocated zero cluster: fill it, then drop the zero flag. */
		if (!whole && (rc = merge_into_cluster(q, entry, off, buf, len)))
			return rc;
		rc = file_write_at(q->fd, host, whole ? buf : q->cow_buf, q->cluster_size);
		return rc ? rc : set_l2_entry(q, table, table_off, index, host | QCOW2_OFLAG_COPIED);
	}

	uint64_t never_written = q->file_end, host;
	rc = qcow2_alloc_clusters(q, 1, &host);
	if (rc)
		return rc;
	if (whole) {
		rc = file_write_at(q->fd, host, buf, len);
	} else if (reads_as_zero(q, entry) && host >= never_written) {
		/* A new cluster past the old end of the file reads as zeroes
		 * already: only the written part needs writing. */
		rc = file_write_at(q->fd, host + in, buf, len);
	} else {
		rc = merge_into_cluster(q, entry, off, buf, len);
		if (!rc)
			rc = file_write_at(q->fd, host, q->cow_buf, q->cluster_size);
	}
	/* Looked up again, as the merge may have evicted it from the cache;
	 * only a corrupt image could have lost it since. */
	if (!rc)
		rc = l2_table(q, off, false, &table, &table_off);
	if (!rc && !table)
		rc = -EIO;
	if (!rc)
		rc = set_l2_entry(q, table, table_off, index, host | QCOW2_OFLAG_COPIED);
	return rc ? rc : release(q, entry);
}

static int qcow2_write(struct block_dev *bd, uint64_t off, const void *buf, size_t len)
{
	struct qcow2 *q = to_qcow2(bd);
	int rc = 0;
	for (uint64_t done = 0, n; done < len && !rc; done += n) {
		n = piece_len(q, off + done, len - done);
		rc = write_piece(q, off + done, (const uint8_t *)buf + done, n);
	}
	return rc;
}

/* Makes one whole guest cluster read as zeroes through the L2 zero flag
 * (spec: "Standard Cluster Descriptor", bit 0), keeping or freeing its host
 * cluster. The L2 entry changes before the old cluster is freed. */
static int zero_cluster(struct qcow2 *q, uint64_t off, bool unmap)
{
	uint8_t *table;
	uint64_t table_off, index = l2_index(q, off);
	bool need_table = q->bd.backing != NULL;
	int rc = l2_table(q, off, need_table, &table, &table_off);
	if (rc || !table)
		return rc;
	uint64_t entry = be64_get(table + index * 8);
	rc = check_l2_entry(q, entry);
	if (rc)
		return rc;
	uint64_t host = entry & QCOW2_OFFSET_MASK;
	bool keep = !unmap && owned_in_place(entry);
	uint64_t zeroed = keep ? host | QCOW2_OFLAG_COPIED | QCOW2_OFLAG_ZERO : QCOW2_OFLAG_ZERO;
	if (entry == zeroed)
		return 0;
	rc = set_l2_entry(q, table, table_off, index, zeroed);
	if (rc || keep)
		return rc;
	rc = release(q, entry);
	if (!rc && host && owned_in_place(entry))
		/* Give the space back to the host; the file keeps its size. */
		fallocate(q->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)host,
			  (off_t)q->cluster_size);
	return rc;
}

static int zero_range(struct qcow2 *q, uint64_t off, uint64_t len, bool unmap, bool whole_only)
{
	while (len) {
		uint64_t n = piece_len(q, off, len);
		int rc = 0;
		if (n == q->cluster_size)
			rc = zero_cluster(q, off, unmap);
		else if (!whole_only)
			rc = write_piece(q, off, q->zero_buf, n);
		if (rc)
			return rc;
		off += n;
		len -= n;
	}
	return 0;
}

static int qcow2_write_zeroes(struct block_dev *bd, uint64_t off, uint64_t len, bool may_unmap)
{
	return zero_range(to_qcow2(bd), off, len, may_unmap, false);
}

/* Discard frees whole clusters (they then read as zeroes); the partial
 * clusters at either end are left as they are, which discard allows. */
static int qcow2_discard(struct block_dev *bd, uint64_t off, uint64_t len)
{
	return zero_range(to_qcow2(bd), off, len, true, true);
}

static int qcow2_flush(struct block_dev *bd)
{
	if (bd->readonly)
		return 0;
	return fdatasync(to_qcow2(bd)->fd) ? -errno : 0;
}

static void free_qcow2(struct qcow2 *q)
{
	block_close(q->bd.backing);
	table_cache_free(&q->l2_cache);
	table_cache_free(&q->refblock_cache);
	free(q->l1);
	free(q->reftable);
	free(q->cow_buf);
	free(q->inflated_buf);
	free(q->zero_buf);
	free(q->compressed_buf);
	free(q->path);
	if (q->fd >= 0)
		close(q->fd);
	free(q);
}

static int qcow2_close(struct block_dev *bd)
{
	struct qcow2 *q = to_qcow2(bd);
	int ret = qcow2_flush(bd);
	free_qcow2(q);
	return ret;
}

static const struct block_ops qcow2_ops = {
	.read = qcow2_read,
	.write = qcow2_write,
	.flush = qcow2_flush,
	.discard = qcow2_discard,
	.write_zeroes = qcow2_write_zeroes,
	.close = qcow2_close,
};

int qcow2_backing_path(const char *overlay_path, const char *name, char *out, size_t size)
{
	const char *slash = strrchr(overlay_path, '/');
	int n;
	if (name[0] == '/' || !slash)
		n = snprintf(out, size, "%s", name);
	else
		n = snprintf(out, size, "%.*s/%s", (int)(slash - overlay_path), overlay_path, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Reads a table of big-endian 64-bit entries into host order; every
 * non-zero offset must be a whole cluster inside the file. keep_flags keeps
 * the bits outside mask (L1 entries' flags); otherwise they are reserved and
 * dropped, so that an entry is its offset (refcount table). */
static int load_table(struct qcow2 *q, uint64_t off, uint64_t entries, uint64_t mask,
		      bool keep_flags, uint64_t **out, const char *what, struct error *err)
{
	uint64_t *t = calloc(entries ? entries : 1, sizeof(*t));
	if (!t)
		return error_set(err, ENOMEM, "%s: out of memory for the %s", q->path, what);
	int rc = file_read_at(q->fd, off, t, entries * 8);
	if (rc) {
		free(t);
		return error_set(err, -rc, "%s: reading the %s: %s", q->path, what, strerror(-rc));
	}
	for (uint64_t i = 0; i < entries; i++) {
		t[i] = be64_get(&t[i]);
		uint64_t target = t[i] & mask;
		if (target && (offset_in_cluster(q, target) || target >= q->file_end ||
			       q->cluster_size > q->file_end - target)) {
			free(t);
			return error_set(err, EINVAL, "%s: %s entry %llu points past the end of the "
					 "file", q->path, what, (unsigned long long)i);
		}
		if (!keep_flags)
			t[i] = target;
	}
	*out = t;
	return 0;
}

enum open_mode { OPEN_FOR_GUEST, OPEN_FOR_CHECK };

static int refuse_writing(const struct qcow2 *q, enum open_mode mode, struct error *err)
{
	if (q->h.version < 3)
		return error_set(err, EROFS, "%s: qcow2 version 2 images open read-only "
				 "('doppel img convert' makes a version 3 copy)", q->path);
	if (q->h.nb_snapshots)
		return error_set(err, EROFS, "%s: images with internal snapshots open read-only",
				 q->path);
	if (mode == OPEN_FOR_GUEST && (q->h.incompat & QCOW2_INCOMPAT_CORRUPT))
		return error_set(err, EROFS, "%s: the image is marked corrupt; it opens read-only "
				 "until 'doppel img check -r all' repairs it", q->path);
	return 0;
}

int qcow2_clear_incompat(struct qcow2 *q, uint64_t bits)
{
	uint8_t be[8];
	if (fdatasync(q->fd))
		return -errno;
	be64_put(be, q->h.incompat & ~bits);
	int rc = file_write_at(q->fd, QCOW2_HDR_INCOMPAT, be, 8);
	if (rc)
		return rc;
	q->h.incompat &= ~bits;
	return fdatasync(q->fd) ? -errno : 0;
}

/* Before the first write, every cluster the image uses must have a refcount
 * and hold one thing only: the allocator hands out clusters of refcount 0,
 * so a hostile image whose header, tables or data clusters have none would
 * have them overwritten (its header made an L2 table, a refcount block put
 * over it), and one whose metadata is also a data cluster would let the
 * guest rewrite it. The check counts every reference; the allocator can
 * then trust the refcounts, which doppel itself keeps consistent.
 *
 * An image left dirty (by QEMU with lazy refcounts, killed) may have
 * refcounts lower than the references to them; like QEMU, they are rebuilt
 * before anything is allocated, then the bit is cleared. */
static int check_before_writing(struct qcow2 *q, struct error *err)
{
	bool dirty = q->h.incompat & QCOW2_INCOMPAT_DIRTY;
	struct qcow2_check_result res;
	int rc = qcow2_check_open_image(q, dirty ? QCOW2_REPAIR_ALL : QCOW2_REPAIR_NONE, NULL,
					NULL, &res);
	if (!rc && res.corruptions > res.repaired)
		rc = -EIO;
	if (!rc && dirty)
		rc = qcow2_clear_incompat(q, QCOW2_INCOMPAT_DIRTY);
	if (rc && dirty)
		return error_set(err, -rc, "%s: the image was not closed cleanly and its refcounts "
				 "could not be rebuilt", q->path);
	if (rc == -EIO)
		return error_set(err, EIO, "%s: corrupt qcow2 image (%llu errors in its refcounts "
				 "or tables): it opens read-only ('doppel img check' lists them)",
				 q->path, (unsigned long long)(res.corruptions - res.repaired));
	if (rc)
		return error_set(err, -rc, "%s: checking the image: %s", q->path, strerror(-rc));
	return 0;
}

/* Spec, "autoclear_features": a writer that does not know an auto-clear
 * feature (doppel knows none: persistent bitmaps would go stale) clears its
 * bit before writing. */
static int clear_autoclear(struct qcow2 *q, struct error *err)
{
	static const uint8_t zero[8];
	int rc = file_write_at(q->fd, QCOW2_HDR_AUTOCLEAR, zero, sizeof(zero));
	if (rc)
		return error_set(err, -rc, "%s: %s", q->path, strerror(-rc));
	q->h.autoclear = 0;
	return 0;
}

static int open_backing(struct qcow2 *q, const struct block_chain *self, struct error *err)
{
	char path[4096];
	if (qcow2_backing_path(q->path, q->h.backing_name, path, sizeof(path)))
		return error_set(err, ENAMETOOLONG, "%s: backing file path too long", q->path);
	int fmt = BLOCK_FMT_AUTO;
	if (q->h.backing_format[0]) {
		fmt = block_format_parse(q->h.backing_format);
		if (fmt < 0)
			return error_set(err, ENOTSUP, "%s: backing file format '%s' is not supported",
					 q->path, q->h.backing_format);
	}
	return block_open_in_chain(path, (enum block_format)fmt, true, self, &q->bd.backing, err);
}

static int init_caches(struct qcow2 *q, struct error *err)
{
	uint64_t cs = q->cluster_size;
	unsigned l2_tables = (unsigned)(L2_CACHE_BYTES / cs);
	if (l2_tables < 4)
		l2_tables = 4;
	q->cow_buf = malloc(cs);
	q->inflated_buf = malloc(cs);
	q->zero_buf = calloc(1, cs);
	q->compressed_buf = malloc(2 * cs);
	if (!q->cow_buf || !q->inflated_buf || !q->zero_buf || !q->compressed_buf ||
	    table_cache_init(&q->l2_cache, cs, l2_tables) ||
	    table_cache_init(&q->refblock_cache, cs, REFBLOCK_CACHE_TABLES))
		return error_set(err, ENOMEM, "%s: out of memory", q->path);
	return 0;
}

static int check_chain(const char *path, const struct stat *st, const struct block_chain *above,
		       struct error *err)
{
	for (const struct block_chain *c = above; c; c = c->above)
		if (c->dev == st->st_dev && c->ino == st->st_ino)
			return error_set(err, ELOOP, "%s: the backing chain loops back to this file",
					 path);
	if (above && above->depth + 1 >= BLOCK_MAX_CHAIN_DEPTH)
		return error_set(err, ELOOP, "%s: backing chain deeper than %d images", path,
				 BLOCK_MAX_CHAIN_DEPTH);
	return 0;
}

static int open_image(const char *path, bool readonly, enum open_mode mode,
		      const struct block_chain *above, struct block_dev **out, struct error *err)
{
	struct qcow2 *q = calloc(1, sizeof(*q));
	struct stat st;
	int rc;
	if (!q)
		return error_set(err, ENOMEM, "%s: out of memory", path);
	q->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	q->path = strdup(path);
	if (q->fd < 0 || fstat(q->fd, &st)) {
		rc = error_set(err, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!q->path) {
		rc = error_set(err, ENOMEM, "%s: out of memory", path);
		goto out;
	}
	rc = check_chain(path, &st, above, err);
	if (rc)
		goto out;
	q->bd.lock = readonly ? IMAGE_LOCK_READ : IMAGE_LOCK_WRITE;
	rc = image_lock(q->fd, path, IMAGE_UNLOCKED, q->bd.lock, err);
	if (rc)
		goto out;
	rc = file_size(q->fd, &q->file_end);
	if (!rc)
		rc = qcow2_header_read(q->fd, q->file_end, path, &q->h, err);
	else
		error_set(err, -rc, "%s: %s", path, strerror(-rc));
	if (rc || (!readonly && (rc = refuse_writing(q, mode, err))))
		goto out;

	q->cluster_size = 1ull << q->h.cluster_bits;
	q->l2_bits = q->h.cluster_bits - 3;
	q->refblock_bits = q->h.cluster_bits + 3 - q->h.refcount_order;
	q->reftable_entries = (uint64_t)q->h.reftable_clusters * q->cluster_size / 8;
	rc = load_table(q, q->h.l1_offset, q->h.l1_size, QCOW2_OFFSET_MASK, true, &q->l1,
			"L1 table", err);
	if (!rc)
		rc = load_table(q, q->h.reftable_offset, q->reftable_entries, QCOW2_REFT_OFFSET_MASK,
				false, &q->reftable, "refcount table", err);
	if (!rc)
		rc = init_caches(q, err);
	if (rc)
		goto out;
	struct block_chain self = {
		.dev = st.st_dev, .ino = st.st_ino, .depth = above ? above->depth + 1 : 0,
		.above = above,
	};
	if (mode == OPEN_FOR_GUEST && q->h.backing_name[0] && (rc = open_backing(q, &self, err)))
		goto out;
	if (mode == OPEN_FOR_GUEST && !readonly && (rc = check_before_writing(q, err)))
		goto out;
	if (!readonly && q->h.autoclear && (rc = clear_autoclear(q, err)))
		goto out;

	q->bd.ops = &qcow2_ops;
	q->bd.format = BLOCK_FMT_QCOW2;
	q->bd.size = q->h.size;
	q->bd.readonly = readonly;
	q->bd.path = q->path;
	q->bd.fd = q->fd;
	*out = &q->bd;
	return 0;
out:
	free_qcow2(q);
	return rc;
}

int qcow2_open(const char *path, bool readonly, const struct block_chain *above,
	       struct block_dev **out, struct error *err)
{
	return open_image(path, readonly, OPEN_FOR_GUEST, above, out, err);
}

int qcow2_open_for_check(const char *path, bool writable, struct block_dev **out,
			 struct error *err)
{
	return open_image(path, !writable, OPEN_FOR_CHECK, NULL, out, err);
}
