#include "block/block.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "block/chain.h"
#include "block/io.h"
#include "block/qcow2.h"
#include "block/qcow2_format.h"
#include "block/raw.h"

int block_format_parse(const char *name)
{
	if (!strcmp(name, "raw"))
		return BLOCK_FMT_RAW;
	if (!strcmp(name, "qcow2"))
		return BLOCK_FMT_QCOW2;
	return -1;
}

const char *block_format_name(enum block_format fmt)
{
	switch (fmt) {
	case BLOCK_FMT_RAW: return "raw";
	case BLOCK_FMT_QCOW2: return "qcow2";
	case BLOCK_FMT_AUTO: break;
	}
	return "auto";
}

int block_probe(const char *path, enum block_format *fmt, struct error *err)
{
	uint8_t magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, errno, "%s: %s", path, strerror(errno));
	/* A file shorter than the magic reads it as zeroes: raw. */
	int rc = file_read_at(fd, 0, magic, sizeof(magic));
	close(fd);
	if (rc)
		return error_set(err, -rc, "%s: %s", path, strerror(-rc));
	*fmt = be32_get(magic) == QCOW2_MAGIC ? BLOCK_FMT_QCOW2 : BLOCK_FMT_RAW;
	return 0;
}

int block_open(const char *path, enum block_format fmt, bool readonly,
	       struct block_dev **out, struct error *err)
{
	return block_open_in_chain(path, fmt, readonly, NULL, out, err);
}

int block_open_in_chain(const char *path, enum block_format fmt, bool readonly,
			const struct block_chain *above, struct block_dev **out,
			struct error *err)
{
	bool probed = fmt == BLOCK_FMT_AUTO;
	if (probed) {
		int rc = block_probe(path, &fmt, err);
		if (rc)
			return rc;
	}
	switch (fmt) {
	case BLOCK_FMT_RAW:
		return raw_open(path, readonly, probed, out, err);
	case BLOCK_FMT_QCOW2:
		return qcow2_open(path, readonly, above, out, err);
	case BLOCK_FMT_AUTO:
		break;
	}
	return error_set(err, EINVAL, "%s: unknown image format", path);
}
