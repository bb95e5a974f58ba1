/* Loading guest programs into RAM. */
#ifndef DOPPEL_VM_LOADER_H
#define DOPPEL_VM_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"

/* Where a loaded image landed, and the symbols the test interface needs. */
struct load_info {
	uint64_t entry;
	uint64_t low, high;         /* physical range the image occupies */
	bool has_tohost, has_fromhost;
	uint64_t tohost, fromhost;
};

/* Guest RAM as the loaders see it. */
struct guest_ram {
	uint8_t *host;
	uint64_t base, size;
};

/* Whether the file starts with the ELF magic. */
bool loader_is_elf(const uint8_t *data, uint64_t len);

/* Loads an ELF64 RISC-V executable's PT_LOAD segments at their physical
 * addresses. Every offset and size in the file is checked against the file
 * and against RAM before use. */
int loader_load_elf(const struct guest_ram *ram, const uint8_t *data, uint64_t len,
		    struct load_info *info, struct error *err);

/* Whether the file is a RISC-V Linux Image (Documentation/arch/riscv/
 * boot-image-header.rst); Debian's vmlinux is one, with an EFI stub. */
bool loader_is_image(const uint8_t *data, uint64_t len);

/* Loads an Image at RAM base + its header's text_offset. info->high covers
 * the header's image_size, which includes the kernel's BSS: anything placed
 * after the file but below that would be wiped. */
int loader_load_image(const struct guest_ram *ram, const uint8_t *data, uint64_t len,
		      struct load_info *info, struct error *err);

/* Copies a file's bytes to guest physical address addr. */
int loader_load_flat(const struct guest_ram *ram, uint64_t addr, const uint8_t *data,
		     uint64_t len, struct load_info *info, struct error *err);

/* Reads a whole file into memory (caller frees). */
int loader_read_file(const char *path, uint8_t **data, uint64_t *len, struct error *err);

#endif
