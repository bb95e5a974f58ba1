/* Byte sizes as users write and read them: 512, 64K, 10G, 1T (powers of
 * 1024, suffix case-insensitive), and "1.5 GiB" for display. */
#ifndef DOPPEL_UTIL_SIZE_H
#define DOPPEL_UTIL_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Parses a size; a number without suffix is bytes. -EINVAL if malformed or
 * too large for 64 bits. */
int size_parse(const char *s, uint64_t *out);
/* Writes a size such as "64 KiB" or "1.5 GiB" into buf. */
void size_format(uint64_t bytes, char *buf, size_t len);

#endif
