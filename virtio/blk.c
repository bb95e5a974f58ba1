#include "virtio/blk.h"

#include <errno.h>
#include <string.h>

#define VIRTIO_ID_BLOCK 2
#define SECTOR 512u

/* Feature bits (5.2.3). */
#define BLK_F_SEG_MAX 2
#define BLK_F_RO 5
#define BLK_F_BLK_SIZE 6
#define BLK_F_FLUSH 9
#define BLK_F_DISCARD 13
#define BLK_F_WRITE_ZEROES 14

/* Request types and status (5.2.6). */
#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_T_DISCARD 11
#define BLK_T_WRITE_ZEROES 13
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2

#define REQ_HEADER 16            /* le32 type, le32 reserved, le64 sector */
#define SEGMENT 16               /* le64 sector, le32 num_sectors, le32 flags */
#define SEG_F_UNMAP 1

/* Limits the configuration space announces. */
#define MAX_SEGMENTS (VIRTQ_MAX_CHAIN - 2)   /* a chain also holds the header and status */
#define MAX_RANGE_SECTORS (1u << 22)         /* 2 GiB per discard or write-zeroes range */
#define MAX_DISCARD_SEGMENTS 32
#define DISCARD_ALIGNMENT_SECTORS 8

/* struct virtio_blk_config (5.2.4) up to write_zeroes_may_unmap and its
 * padding: the fields after it belong to features not offered. */
#define CONFIG_SIZE 60

/* Data moves between the chain and the disk in pieces of this many bytes,
 * so that the backend always sees whole sectors whatever the buffers. */
#define CHUNK sizeof(((struct virtio_blk *)0)->bounce)

static void put_le(uint8_t *p, uint64_t v, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned len)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < len; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t capacity(const struct virtio_blk *b)
{
	return b->bd->size / SECTOR;
}

static uint64_t blk_features(const void *dev)
{
	const struct virtio_blk *b = dev;
	uint64_t f = (1ull << BLK_F_SEG_MAX) | (1ull << BLK_F_BLK_SIZE) | (1ull << BLK_F_FLUSH);
	if (b->bd->readonly)
		return f | (1ull << BLK_F_RO);
	return f | (1ull << BLK_F_DISCARD) | (1ull << BLK_F_WRITE_ZEROES);
}

static void blk_config_read(const void *dev, uint32_t off, uint8_t *buf, unsigned len)
{
	uint8_t cfg[CONFIG_SIZE] = { 0 };
	put_le(cfg + 0, capacity(dev), 8);
	put_le(cfg + 12, MAX_SEGMENTS, 4);
	put_le(cfg + 20, SECTOR, 4);                      /* blk_size */
	put_le(cfg + 36, MAX_RANGE_SECTORS, 4);           /* max_discard_sectors */
	put_le(cfg + 40, MAX_DISCARD_SEGMENTS, 4);
	put_le(cfg + 44, DISCARD_ALIGNMENT_SECTORS, 4);
	put_le(cfg + 48, MAX_RANGE_SECTORS, 4);           /* max_write_zeroes_sectors */
	put_le(cfg + 52, 1, 4);                           /* max_write_zeroes_seg */
	cfg[56] = 1;                                      /* write_zeroes_may_unmap */
	memcpy(buf, cfg + off, len);
}

/* Whether len bytes of whole sectors from sector lie on the disk. */
static bool in_range(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
	return len % SECTOR == 0 && sector <= capacity(b) && len / SECTOR <= capacity(b) - sector;
}

static uint8_t do_read(struct virtio_blk *b, const struct virtq_chain *c, uint64_t sector,
		       uint64_t len)
{
	if (!in_range(b, sector, len))
		return BLK_S_IOERR;
	for (uint64_t done = 0; done < len; done += CHUNK) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		if (block_read(b->bd, sector * SECTOR + done, b->bounce, n) < 0 ||
		    !virtq_chain_write(c, done, b->bounce, n))
			return BLK_S_IOERR;
	}
	return BLK_S_OK;
}

/* The data follows the header in the readable part (5.2.6). */
static uint8_t do_write(struct virtio_blk *b, const struct virtq_chain *c, uint64_t sector)
{
	uint64_t len = c->readable_len - REQ_HEADER;
	if (b->bd->readonly || !in_range(b, sector, len))
		return BLK_S_IOERR;
	for (uint64_t done = 0; done < len; done += CHUNK) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		if (!virtq_chain_read(c, REQ_HEADER + done, b->bounce, n) ||
		    block_write(b->bd, sector * SECTOR + done, b->bounce, n) < 0)
			return BLK_S_IOERR;
	}
	return BLK_S_OK;
}

/* Discard and write-zeroes carry a list of ranges after the header. Unknown
 * flags, and unmap on a discard, are unsupported (5.2.6.2). */
static uint8_t do_ranges(struct virtio_blk *b, const struct virtq_chain *c, uint32_t type)
{
	uint64_t len = c->readable_len - REQ_HEADER;
	uint64_t max_segs = type == BLK_T_DISCARD ? MAX_DISCARD_SEGMENTS : 1;
	uint32_t allowed_flags = type == BLK_T_DISCARD ? 0 : SEG_F_UNMAP;

	if (b->bd->readonly)
		return BLK_S_UNSUPP;
	if (len == 0 || len % SEGMENT || len / SEGMENT > max_segs)
		return BLK_S_IOERR;
	for (uint64_t off = REQ_HEADER; off < c->readable_len; off += SEGMENT) {
		uint8_t seg[SEGMENT];
		if (!virtq_chain_read(c, off, seg, SEGMENT))
			return BLK_S_IOERR;
		uint64_t sector = get_le(seg, 8);
		uint32_t count = (uint32_t)get_le(seg + 8, 4), flags = (uint32_t)get_le(seg + 12, 4);
		if (flags & ~allowed_flags)
			return BLK_S_UNSUPP;
		if (count > MAX_RANGE_SECTORS || !in_range(b, sector, (uint64_t)count * SECTOR))
			return BLK_S_IOERR;
		int ret = type == BLK_T_DISCARD ?
			block_discard(b->bd, sector * SECTOR, (uint64_t)count * SECTOR) :
			block_write_zeroes(b->bd, sector * SECTOR, (uint64_t)count * SECTOR,
					   flags & SEG_F_UNMAP);
		if (ret < 0)
			return BLK_S_IOERR;
	}
	return BLK_S_OK;
}

/* A request: the header in the readable part, the status in the last
 * writable byte, data between them (5.2.6). Drivers always give both, so a
 * chain without them is a broken driver. */
static int blk_handle(void *dev, unsigned queue, const struct virtq_chain *c, uint32_t *written)
{
	struct virtio_blk *b = dev;
	uint8_t hdr[REQ_HEADER];
	if (c->writable_len == 0 || !virtq_chain_read(c, 0, hdr, sizeof(hdr)))
		return -EINVAL;
	uint32_t type = (uint32_t)get_le(hdr, 4);
	uint64_t sector = get_le(hdr + 8, 8);
	uint64_t data_len = c->writable_len - 1, data_written = 0;
	uint8_t status;

	switch (type) {
	case BLK_T_IN:
		status = do_read(b, c, sector, data_len);
		data_written = status == BLK_S_OK ? data_len : 0;
		b->stats.reads++;
		b->stats.bytes_read += data_written;
		break;
	case BLK_T_OUT:
		status = do_write(b, c, sector);
		b->stats.writes++;
		b->stats.bytes_written += status == BLK_S_OK ? c->readable_len - REQ_HEADER : 0;
		break;
	case BLK_T_FLUSH:
		status = block_flush(b->bd) < 0 ? BLK_S_IOERR : BLK_S_OK;
		b->stats.flushes++;
		break;
	case BLK_T_GET_ID:
		/* NUL-padded, not necessarily NUL-terminated (5.2.6). */
		data_written = data_len < VIRTIO_BLK_ID_BYTES ? data_len : VIRTIO_BLK_ID_BYTES;
		status = virtq_chain_write(c, 0, b->id, data_written) ? BLK_S_OK : BLK_S_IOERR;
		break;
	case BLK_T_DISCARD:
	case BLK_T_WRITE_ZEROES:
		status = do_ranges(b, c, type);
		break;
	default:
		status = BLK_S_UNSUPP;
		break;
	}
	if (status != BLK_S_OK)
		b->stats.failed++;
	if (!virtq_chain_write(c, data_len, &status, 1))
		return -EINVAL;
	*written = (uint32_t)data_written + 1;
	return 0;
}

void virtio_blk_init(struct virtio_blk *b, struct block_dev *bd, const char *id)
{
	memset(b->id, 0, sizeof(b->id));
	memcpy(b->id, id, strnlen(id, sizeof(b->id)));
	b->bd = bd;
	b->stats = (struct virtio_blk_stats){ 0 };
}

int virtio_blk_close(struct virtio_blk *b)
{
	int ret = block_close(b->bd);
	b->bd = NULL;
	return ret;
}

const struct virtio_device_ops virtio_blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.features = blk_features,
	.config_size = CONFIG_SIZE,
	.config_read = blk_config_read,
	.handle = blk_handle,
};
