/* A rename replaces the directory entry it is given, whatever file that
 * is: a snapshot renamed over the VM's disk would leave the VM writing to a
 * file no name reaches and the snapshot in its place. Files are compared by
 * device and inode, so that another spelling of a path, a hard link or a
 * symbolic link to it is recognised too. */
#include "vm/machine_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vm/machine.h"

/* Every descriptor of this process, by number. */
#define OPEN_FILES_DIR "/proc/self/fd"

/* What a rename to a path would replace: its directory entry, and the
 * file that names through symbolic links (the same file if it is none). */
struct dest {
	struct stat entry, target;
	bool has_target;             /* not a dangling symbolic link */
};

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static bool is_dest(const struct dest *d, const struct stat *st)
{
	return same_file(&d->entry, st) || (d->has_target && same_file(&d->target, st));
}

/* Whether path, or what it names through symbolic links, is the
 * destination: a machine path that is a symbolic link is replaced too if
 * the destination is that link. */
static bool names_dest(const struct dest *d, const char *path)
{
	struct stat st;
	return (lstat(path, &st) == 0 && is_dest(d, &st)) || (stat(path, &st) == 0 && is_dest(d, &st));
}

/* The files the machine reads again by name at a reset, or writes. */
static int check_named(const struct machine *m, const struct dest *d, const char *path,
		       struct error *err)
{
	const struct machine_config *c = &m->cfg;
	struct {
		const char *path, *what;
	} named[4 + VIRTIO_SLOTS] = {
		{ c->kernel, "kernel" }, { c->initrd, "initrd" },
		{ c->bios && strcmp(c->bios, "none") ? c->bios : NULL, "firmware" },
		{ c->dump_dtb, "device tree dump" },
	};
	char disk_what[VIRTIO_SLOTS][32];
	unsigned n = 4;

	for (unsigned i = 0; i < m->ndisks_open; i++) {
		snprintf(disk_what[i], sizeof(disk_what[i]), "disk image (vd%c)", 'a' + i);
		named[n].path = c->disks[i].path;
		named[n++].what = disk_what[i];
	}
	for (unsigned i = 0; i < n; i++)
		if (named[i].path && names_dest(d, named[i].path))
			return error_set(err, EBUSY, "%s is the VM's %s", path, named[i].what);
	return 0;
}

/* The files open in this process: the disks as opened (renamed or not
 * since), their backing files, a console redirected to a file. */
static int check_open(const struct dest *d, const char *path, struct error *err)
{
	DIR *dir = opendir(OPEN_FILES_DIR);
	struct dirent *e;
	int ret = 0;

	if (!dir)
		return error_set(err, errno, "cannot list the files doppel has open (%s): %s",
				 OPEN_FILES_DIR, strerror(errno));
	while (ret == 0 && (e = readdir(dir))) {
		struct stat st;
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == dirfd(dir) || fstat((int)fd, &st) < 0)
			continue;
		if (is_dest(d, &st))
			ret = error_set(err, EBUSY, "%s is a file the VM has open (a disk's backing "
					"file, its console)", path);
	}
	closedir(dir);
	return ret;
}

int machine_files_check_dest(const struct machine *m, const char *path, struct error *err)
{
	struct dest d;

	if (lstat(path, &d.entry) < 0)
		return 0;
	d.has_target = stat(path, &d.target) == 0;
	/* A rename replaces a symbolic link to a directory, not the directory. */
	if (d.has_target && S_ISDIR(d.target.st_mode))
		return error_set(err, EISDIR, "%s is a directory", path);
	if (d.has_target && !S_ISREG(d.target.st_mode))
		return error_set(err, EINVAL, "%s is not a regular file", path);
	int ret = check_named(m, &d, path, err);
	return ret < 0 ? ret : check_open(&d, path, err);
}
