/* qcow2 refcounts and cluster allocation (spec: "Host cluster management").
 *
 * Ordering keeps the image consistent if the process dies between any two
 * writes: a cluster's refcount is raised before anything points at it, and
 * dropped only after nothing does. The worst outcome is a leaked cluster
 * (refcount 1, unreferenced), which `qemu-img check` reports as a leak, not
 * an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/io.h"
#include "block/qcow2_internal.h"

static uint64_t refcount_max(const struct qcow2 *q)
{
	unsigned bits = 1u << q->h.refcount_order;
	return bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
}

/* Refcount blocks pack entries of 2^refcount_order bits: whole big-endian
 * bytes from 8 bits up, least significant bits first below. The byte range
 * an entry occupies is returned for the write-through. */
static void entry_bytes(unsigned order, uint64_t index, uint64_t *byte, unsigned *nbytes)
{
	unsigned bits = 1u << order;
	if (bits >= 8) {
		*byte = index * (bits / 8);
		*nbytes = bits / 8;
	} else {
		*byte = index * bits / 8;
		*nbytes = 1;
	}
}

static uint64_t entry_get(const uint8_t *block, unsigned order, uint64_t index)
{
	unsigned bits = 1u << order;
	uint64_t byte;
	unsigned n;
	entry_bytes(order, index, &byte, &n);
	if (bits < 8)
		return (block[byte] >> (index * bits % 8)) & ((1u << bits) - 1);
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | block[byte + i];
	return v;
}

static void entry_put(uint8_t *block, unsigned order, uint64_t index, uint64_t v)
{
	unsigned bits = 1u << order;
	uint64_t byte;
	unsigned n;
	entry_bytes(order, index, &byte, &n);
	if (bits < 8) {
		unsigned shift = index * bits % 8;
		unsigned mask = ((1u << bits) - 1) << shift;
		block[byte] = (uint8_t)((block[byte] & ~mask) | ((v << shift) & mask));
		return;
	}
	for (unsigned i = n; i-- > 0; v >>= 8)
		block[byte + i] = (uint8_t)v;
}

int qcow2_refcount_get(struct qcow2 *q, uint64_t cluster, uint64_t *count)
{
	uint64_t ri = cluster >> q->refblock_bits;
	uint8_t *block;
	*count = 0;
	if (ri >= q->reftable_entries || !q->reftable[ri])
		return 0;
	int rc = table_cache_get(&q->refblock_cache, q->fd, q->reftable[ri], &block);
	if (rc)
		return rc;
	*count = entry_get(block, q->h.refcount_order,
			   cluster & ((1ull << q->refblock_bits) - 1));
	return 0;
}

/* Sets a refcount in an existing refcount block. */
static int store(struct qcow2 *q, uint64_t cluster, uint64_t count)
{
	uint64_t block_off = q->reftable[cluster >> q->refblock_bits];
	uint64_t index = cluster & ((1ull << q->refblock_bits) - 1);
	uint8_t *block;
	uint64_t byte;
	unsigned n;
	int rc = table_cache_get(&q->refblock_cache, q->fd, block_off, &block);
	if (rc)
		return rc;
	entry_put(block, q->h.refcount_order, index, count);
	entry_bytes(q->h.refcount_order, index, &byte, &n);
	rc = file_write_at(q->fd, block_off + byte, block + byte, n);
	if (rc)
		return rc;
	if (count == 0 && cluster < q->free_hint)
		q->free_hint = cluster;
	return 0;
}

/* Whether cluster c holds the header, the L1 table or the refcount table.
 * They always have refcounts in an image that opened for writing; this
 * guard keeps a refcount that is nevertheless wrong from handing one out
 * (as a new table over the header, say). */
static bool fixed_metadata(const struct qcow2 *q, uint64_t c)
{
	uint64_t l1_first = q->h.l1_offset >> q->h.cluster_bits;
	uint64_t l1_clusters = ((uint64_t)q->h.l1_size * 8 + q->cluster_size - 1) >> q->h.cluster_bits;
	uint64_t rt_first = q->h.reftable_offset >> q->h.cluster_bits;
	return c == 0 || (c >= l1_first && c - l1_first < l1_clusters) ||
	       (c >= rt_first && c - rt_first < q->h.reftable_clusters);
}

static void note_file_end(struct qcow2 *q, uint64_t end)
{
	if (end > q->file_end)
		q->file_end = end;
}

static int write_reftable_entry(struct qcow2 *q, uint64_t ri)
{
	uint8_t be[8];
	be64_put(be, q->reftable[ri]);
	return file_write_at(q->fd, q->h.reftable_offset + ri * 8, be, 8);
}

/* A range without a refcount block has no cluster in use, so the new block
 * can live in its own range and count itself: at the range's first cluster,
 * or the second if the first is the one the caller is about to use. */
static int new_refblock(struct qcow2 *q, uint64_t ri, uint64_t avoid)
{
	uint64_t first = ri << q->refblock_bits;
	uint64_t at = first == avoid ? first + 1 : first;
	uint64_t off = at << q->h.cluster_bits;
	if (fixed_metadata(q, at))
		return -EIO;
	uint8_t *block = table_cache_install_zeroed(&q->refblock_cache, off);
	entry_put(block, q->h.refcount_order, at - first, 1);
	int rc = file_write_at(q->fd, off, block, q->cluster_size);
	if (rc) {
		table_cache_drop(&q->refblock_cache, off);
		return rc;
	}
	note_file_end(q, off + q->cluster_size);
	q->reftable[ri] = off;
	return write_reftable_entry(q, ri);
}

/* Ranges in [first, end) (cluster indices) without a refcount block, given a
 * table of `entries` entries. */
static uint64_t ranges_without_block(const struct qcow2 *q, uint64_t first, uint64_t end)
{
	uint64_t n = 0;
	for (uint64_t r = first >> q->refblock_bits; r <= (end - 1) >> q->refblock_bits; r++)
		n += r >= q->reftable_entries || !q->reftable[r];
	return n;
}

static int write_new_reftable(struct qcow2 *q, const uint64_t *table, uint64_t entries,
			      uint64_t off)
{
	uint64_t bytes = entries * 8;
	uint8_t *be = malloc(bytes);
	if (!be)
		return -ENOMEM;
	for (uint64_t i = 0; i < entries; i++)
		be64_put(be + i * 8, table[i]);
	int rc = file_write_at(q->fd, off, be, bytes);
	free(be);
	return rc;
}

/* Moves the refcount table to the end of the file with room for at least
 * `need` entries. The new table and the refcount blocks for its own clusters
 * are written first, then one header write switches to it, then the old
 * table's clusters are freed: a crash at any point leaves a valid image. */
static int grow_reftable(struct qcow2 *q, uint64_t need)
{
	uint64_t cs = q->cluster_size;
	uint64_t entries = need > 2 * q->reftable_entries ? need : 2 * q->reftable_entries;
	uint64_t start = (q->file_end + cs - 1) >> q->h.cluster_bits;
	uint64_t k, m = 0;
	uint64_t *table = NULL;
	uint8_t *block = NULL;
	int rc;

	/* k table clusters at start, then m refcount blocks for the ranges that
	 * these k + m clusters fall in and that have none yet. */
	for (;;) {
		k = (entries * 8 + cs - 1) / cs;
		uint64_t m_need = ranges_without_block(q, start, start + k + m);
		if (m_need > m) {
			m = m_need;
			continue;
		}
		uint64_t last_range = (start + k + m - 1) >> q->refblock_bits;
		if (last_range < entries)
			break;
		entries = last_range + 1;
	}
	entries = k * cs / 8;
	if (k > UINT32_MAX || k * cs > (8u << 20))
		return -EFBIG;

	table = calloc(entries, sizeof(*table));
	block = malloc(cs);
	if (!table || !block) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(table, q->reftable, q->reftable_entries * sizeof(*table));
	uint64_t next_block = start + k;
	for (uint64_t c = start; c < start + k + m; c++) {
		uint64_t ri = c >> q->refblock_bits;
		if (ri < q->reftable_entries && q->reftable[ri]) {
			rc = store(q, c, 1);
			if (rc)
				goto out;
			continue;
		}
		if (table[ri])
			continue;
		/* A new block for range ri: it counts every new cluster in it. */
		memset(block, 0, cs);
		for (uint64_t x = start; x < start + k + m; x++)
			if (x >> q->refblock_bits == ri)
				entry_put(block, q->h.refcount_order, x & ((1ull << q->refblock_bits) - 1), 1);
		table[ri] = next_block << q->h.cluster_bits;
		rc = file_write_at(q->fd, table[ri], block, cs);
		if (rc)
			goto out;
		next_block++;
	}
	rc = write_new_reftable(q, table, entries, start << q->h.cluster_bits);
	if (rc)
		goto out;
	if (fdatasync(q->fd)) {
		rc = -errno;
		goto out;
	}
	uint8_t hdr[12];
	be64_put(hdr, start << q->h.cluster_bits);
	be32_put(hdr + 8, (uint32_t)k);
	rc = file_write_at(q->fd, QCOW2_HDR_REFTABLE_OFFSET, hdr, sizeof(hdr));
	if (rc)
		goto out;

	uint64_t old_off = q->h.reftable_offset;
	uint64_t old_len = (uint64_t)q->h.reftable_clusters * cs;
	free(q->reftable);
	q->reftable = table;
	table = NULL;
	q->reftable_entries = entries;
	q->h.reftable_offset = start << q->h.cluster_bits;
	q->h.reftable_clusters = (uint32_t)k;
	note_file_end(q, (start + k + m) << q->h.cluster_bits);
	rc = qcow2_free_range(q, old_off, old_len);
out:
	free(table);
	free(block);
	return rc;
}

/* Makes sure the refcount of `cluster` has a block to live in; `avoid` is a
 * cluster that must not host a new block. */
static int ensure_refblock(struct qcow2 *q, uint64_t cluster, uint64_t avoid)
{
	uint64_t ri = cluster >> q->refblock_bits;
	if (ri >= q->reftable_entries) {
		int rc = grow_reftable(q, ri + 1);
		if (rc)
			return rc;
	}
	return q->reftable[ri] ? 0 : new_refblock(q, ri, avoid);
}

int qcow2_refcount_set(struct qcow2 *q, uint64_t cluster, uint64_t count)
{
	if (count > refcount_max(q))
		return -ERANGE;
	int rc = ensure_refblock(q, cluster, cluster);
	return rc ? rc : store(q, cluster, count);
}

/* Whether [first, first + n) all have refcount blocks; if not, creates the
 * first missing one (inside the run, which is free) and says so. */
static int run_has_blocks(struct qcow2 *q, uint64_t first, uint64_t n, bool *ready)
{
	*ready = false;
	for (uint64_t c = first; c < first + n; c++) {
		uint64_t ri = c >> q->refblock_bits;
		if (ri >= q->reftable_entries || !q->reftable[ri])
			return ensure_refblock(q, c, UINT64_MAX);
	}
	*ready = true;
	return 0;
}

/* The first run of n free clusters at or after free_hint. A range without
 * a refcount block is free throughout; within a block, entries are read
 * straight from the cached block, as this scan runs for every allocation. */
static int find_free_run(struct qcow2 *q, uint64_t n, uint64_t *first)
{
	uint64_t per_block = 1ull << q->refblock_bits;
	uint64_t limit = UINT64_MAX >> q->h.cluster_bits;
	uint64_t start = q->free_hint, run = 0, c = start;
	while (run < n) {
		if (c >= limit - n)
			return -ENOSPC;
		uint64_t ri = c >> q->refblock_bits;
		uint64_t range_end = (ri + 1) * per_block;
		if (ri >= q->reftable_entries || !q->reftable[ri]) {
			uint64_t take = range_end - c < n - run ? range_end - c : n - run;
			run += take;
			c += take;
			continue;
		}
		uint8_t *block;
		int rc = table_cache_get(&q->refblock_cache, q->fd, q->reftable[ri], &block);
		if (rc)
			return rc;
		for (; c < range_end && run < n; c++) {
			if (entry_get(block, q->h.refcount_order, c & (per_block - 1))) {
				run = 0;
				start = c + 1;
			} else {
				run++;
			}
		}
	}
	*first = start;
	return 0;
}

int qcow2_alloc_clusters(struct qcow2 *q, uint64_t n, uint64_t *offset)
{
	/* Each pass that does not allocate creates a refcount block for a
	 * range the run touches: a consistent image needs at most one per
	 * range, and a corrupt one must not loop for ever. */
	uint64_t passes = (n >> q->refblock_bits) + 3;
	for (uint64_t pass = 0; pass < passes; pass++) {
		uint64_t start;
		bool ready;
		int rc = find_free_run(q, n, &start);
		if (!rc)
			rc = run_has_blocks(q, start, n, &ready);
		if (rc)
			return rc;
		q->free_hint = start;
		if (!ready)
			continue;
		for (uint64_t c = start; c < start + n; c++)
			if (fixed_metadata(q, c))
				return -EIO;
		for (uint64_t c = start; c < start + n; c++) {
			rc = store(q, c, 1);
			if (rc)
				return rc;
		}
		q->free_hint = start + n;
		*offset = start << q->h.cluster_bits;
		note_file_end(q, (start + n) << q->h.cluster_bits);
		return 0;
	}
	return -EIO;
}

int qcow2_free_range(struct qcow2 *q, uint64_t offset, uint64_t len)
{
	if (!len)
		return 0;
	uint64_t last = (offset + len - 1) >> q->h.cluster_bits;
	for (uint64_t c = offset >> q->h.cluster_bits; c <= last; c++) {
		uint64_t count;
		int rc = qcow2_refcount_get(q, c, &count);
		if (rc)
			return rc;
		if (count == 0)
			return -EIO;   /* freeing a free cluster: the image is corrupt */
		rc = store(q, c, count - 1);
		if (rc)
			return rc;
	}
	return 0;
}

void qcow2_compressed_extent(const struct qcow2 *q, uint64_t entry, uint64_t *offset,
			     uint64_t *len)
{
	unsigned size_bits = q->h.cluster_bits - 8;
	unsigned offset_bits = 62 - size_bits;
	uint64_t off = entry & ((1ull << offset_bits) - 1);
	uint64_t sectors = ((entry >> offset_bits) & ((1ull << size_bits) - 1)) + 1;
	*offset = off;
	*len = sectors * 512 - (off & 511);
}
