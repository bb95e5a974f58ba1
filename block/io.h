/* Whole-buffer file I/O at offsets for the disk backends: short transfers
 * are retried, EINTR is retried, and a read past the end of the file reads
 * zeroes (a sparse or truncated image reads as unwritten). */
#ifndef DOPPEL_BLOCK_IO_H
#define DOPPEL_BLOCK_IO_H

#include <stddef.h>
#include <stdint.h>

int file_read_at(int fd, uint64_t off, void *buf, size_t len);
int file_write_at(int fd, uint64_t off, const void *buf, size_t len);
/* The file's size in bytes (regular files and block devices), or -errno. */
int file_size(int fd, uint64_t *size);

#endif
