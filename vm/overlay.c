/* Disk overlays for snapshots: a snapshot freezes each writable disk image
 * and the machine goes on over a new qcow2 overlay backed by it, as
 * libvirt's external snapshots do; a restore starts its own overlay over the
 * frozen image, so that any number of restores and clones of one snapshot
 * never write to it. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/qcow2.h"
#include "vm/overlay.h"

void overlay_stem(const char *path, char *out, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(out, size, "%s", base);
	char *dot = strrchr(out, '.');
	if (dot && dot != out)
		*dot = 0;
}

int overlay_create(const char *image, enum block_format fmt, uint64_t size, const char *tag,
		   bool numbered, char **out, struct error *err)
{
	char img_stem[256], dir[4096], path[4096 + 600];
	snprintf(dir, sizeof(dir), "%s", image);
	overlay_stem(image, img_stem, sizeof(img_stem));
	const char *base = strrchr(image, '/');
	base = base ? base + 1 : image;
	char *d = dirname(dir);

	for (unsigned n = numbered ? 1 : 0; n < 1000; n++) {
		if (n)
			snprintf(path, sizeof(path), "%s/%s.%s-%u.qcow2", d, img_stem, tag, n);
		else
			snprintf(path, sizeof(path), "%s/%s.%s.qcow2", d, img_stem, tag);
		/* Claim the name first: an existing file is never overwritten. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST && numbered)
			continue;
		if (fd < 0)
			return error_set(err, errno, "cannot create the overlay %s: %s", path,
					 strerror(errno));
		close(fd);
		/* The overlay sits beside its backing image: name it relatively,
		 * so the pair can move together. */
		struct qcow2_create_opts o = { .size = size, .cluster_bits = 16, .backing_name = base,
					       .backing_format = block_format_name(fmt) };
		int ret = qcow2_create(path, &o, err);
		if (ret < 0) {
			unlink(path);
			return ret;
		}
		*out = strdup(path);
		if (!*out) {
			unlink(path);
			return error_set(err, ENOMEM, "out of memory");
		}
		return 0;
	}
	return error_set(err, EEXIST, "too many overlays of %s for %s", image, tag);
}
