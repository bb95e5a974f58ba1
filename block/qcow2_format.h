/* The qcow2 on-disk format as QEMU's docs/interop/qcow2.txt specifies it:
 * field offsets, flag bits and big-endian accessors. No I/O here. */
#ifndef DOPPEL_BLOCK_QCOW2_FORMAT_H
#define DOPPEL_BLOCK_QCOW2_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QCOW2_MAGIC 0x514649fbu /* "QFI\xfb" */

/* Header fields (byte offsets). Version 2 ends at 72, version 3 at 104. */
enum {
	QCOW2_HDR_MAGIC = 0,
	QCOW2_HDR_VERSION = 4,
	QCOW2_HDR_BACKING_OFFSET = 8,
	QCOW2_HDR_BACKING_SIZE = 16,
	QCOW2_HDR_CLUSTER_BITS = 20,
	QCOW2_HDR_SIZE = 24,
	QCOW2_HDR_CRYPT_METHOD = 32,
	QCOW2_HDR_L1_SIZE = 36,
	QCOW2_HDR_L1_OFFSET = 40,
	QCOW2_HDR_REFTABLE_OFFSET = 48,
	QCOW2_HDR_REFTABLE_CLUSTERS = 56,
	QCOW2_HDR_NB_SNAPSHOTS = 60,
	QCOW2_HDR_SNAPSHOTS_OFFSET = 64,
	QCOW2_HDR_INCOMPAT = 72,
	QCOW2_HDR_COMPAT = 80,
	QCOW2_HDR_AUTOCLEAR = 88,
	QCOW2_HDR_REFCOUNT_ORDER = 96,
	QCOW2_HDR_HEADER_LENGTH = 100,
	QCOW2_HDR_COMPRESSION_TYPE = 104,
	QCOW2_HDR_V2_LENGTH = 72,
	QCOW2_HDR_V3_LENGTH = 104,
	/* doppel writes the 104-byte header plus the compression type byte,
	 * padded to a multiple of 8 as the spec asks. */
	QCOW2_HDR_WRITTEN_LENGTH = 112,
};

/* Incompatible feature bits. */
#define QCOW2_INCOMPAT_DIRTY       (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT     (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE   (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2       (1ull << 4)
/* Compatible feature bits. */
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ull << 0)

/* Header extension types. */
#define QCOW2_EXT_END            0x00000000u
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_NAMES  0x6803f857u

/* L1 and L2 entries. */
#define QCOW2_OFLAG_COPIED     (1ull << 63)
#define QCOW2_OFLAG_COMPRESSED (1ull << 62)
#define QCOW2_OFLAG_ZERO       (1ull << 0)
#define QCOW2_OFFSET_MASK      0x00fffffffffffe00ull /* bits 9-55 */
/* Bits that must be zero in an L1 entry, and in a standard L2 entry. */
#define QCOW2_L1_RESERVED      0x7f000000000001ffull
#define QCOW2_L2_RESERVED      0x3f000000000001feull
/* Refcount table entries: bits 9-63 are the block's offset. */
#define QCOW2_REFT_OFFSET_MASK 0xfffffffffffffe00ull

/* Limits doppel enforces (QEMU's own): cluster sizes 512 B .. 2 MiB, a
 * backing file name under 1024 bytes. */
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_MAX_BACKING_NAME 1023
#define QCOW2_DEFAULT_CLUSTER_BITS 16
/* Refcount widths doppel reads and writes: 2^4 = 16 bits (QEMU's default). */
#define QCOW2_REFCOUNT_ORDER 4

static inline uint32_t be32_get(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t be64_get(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)be32_get(b) << 32 | be32_get(b + 4);
}

static inline uint16_t be16_get(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline void be16_put(void *p, uint16_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void be32_put(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void be64_put(void *p, uint64_t v)
{
	be32_put(p, (uint32_t)(v >> 32));
	be32_put((uint8_t *)p + 4, (uint32_t)v);
}

/* Whether a write of buf[0..len) at file offset off starts the file with
 * the qcow2 magic. (The device model writes whole sectors, so the magic can
 * only appear through a write at offset 0.) */
static inline bool qcow2_magic_at(const void *buf, size_t len, uint64_t off)
{
	return off == 0 && len >= 4 && be32_get(buf) == QCOW2_MAGIC;
}

#endif
