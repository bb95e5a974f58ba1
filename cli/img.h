/* doppel img: the image subcommands, one file each (img_create.c, ...),
 * and what they share. */
#ifndef DOPPEL_CLI_IMG_H
#define DOPPEL_CLI_IMG_H

#include <stdbool.h>
#include <stdint.h>

#include "block/block.h"

int img_create(int argc, char **argv);
int img_info(int argc, char **argv);
int img_check(int argc, char **argv);
int img_convert(int argc, char **argv);

/* Parses a format name for option -f/-F/-O; prints the error itself. */
int img_parse_format(const char *name, enum block_format *fmt);
/* Parses "-o cluster_size=N" into log2 of N; prints the error itself. */
int img_parse_create_options(const char *opts, unsigned *cluster_bits);
/* Whether paths a and b name the same existing file. */
bool img_same_file(const char *a, const char *b);
/* Creates an empty image of fmt at path (qcow2: clusters of 2^cluster_bits,
 * optional backing file); prints the error itself. */
int img_make(const char *path, enum block_format fmt, uint64_t size, unsigned cluster_bits,
	     const char *backing, const char *backing_fmt);

#endif
