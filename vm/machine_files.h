/* The host files a machine uses, so that a file doppel creates and renames
 * into place (a snapshot) never replaces one of them (vm/machine_files.c). */
#ifndef DOPPEL_VM_MACHINE_FILES_H
#define DOPPEL_VM_MACHINE_FILES_H

#include "util/error.h"

struct machine;

/* Whether a new file may be renamed to path: 0 if nothing is there, or a
 * regular file m does not use. Fails with one line naming the file if path
 * (its directory entry, or what it names through symbolic links) is one m
 * opens again at a reset (its kernel, initrd, firmware, device tree dump,
 * disk images) or one the process has open (the disks and their backing
 * files, the console's files), -EBUSY; or if it is no regular file
 * (-EISDIR, -EINVAL). */
int machine_files_check_dest(const struct machine *m, const char *path, struct error *err);

#endif
