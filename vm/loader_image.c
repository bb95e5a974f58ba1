#include "vm/loader.h"

#include <errno.h>
#include <string.h>

/* The 64-byte header at the start of a RISC-V Linux Image. */
#define IMAGE_HEADER_SIZE 64
#define IMAGE_MAGIC "RISCV\0\0\0"
#define IMAGE_MAGIC2 "RSC\x05"

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

bool loader_is_image(const uint8_t *data, uint64_t len)
{
	return len >= IMAGE_HEADER_SIZE && memcmp(data + 48, IMAGE_MAGIC, 8) == 0 &&
	       memcmp(data + 56, IMAGE_MAGIC2, 4) == 0;
}

int loader_load_flat(const struct guest_ram *ram, uint64_t addr, const uint8_t *data,
		     uint64_t len, struct load_info *info, struct error *err)
{
	if (addr < ram->base || addr - ram->base > ram->size || len > ram->size - (addr - ram->base))
		return error_set(err, EFBIG, "%llu bytes at 0x%llx do not fit in RAM",
				 (unsigned long long)len, (unsigned long long)addr);
	memcpy(ram->host + (addr - ram->base), data, len);
	memset(info, 0, sizeof(*info));
	info->entry = addr;
	info->low = addr;
	info->high = addr + len;
	return 0;
}

int loader_load_image(const struct guest_ram *ram, const uint8_t *data, uint64_t len,
		      struct load_info *info, struct error *err)
{
	if (!loader_is_image(data, len))
		return error_set(err, ENOEXEC, "not a RISC-V Linux Image");
	uint64_t text_offset = le64(data + 8), image_size = le64(data + 16);
	if (text_offset >= ram->size)
		return error_set(err, ENOEXEC, "Image text_offset 0x%llx is beyond RAM",
				 (unsigned long long)text_offset);
	uint64_t addr = ram->base + text_offset;
	int ret = loader_load_flat(ram, addr, data, len, info, err);
	if (ret < 0)
		return ret;
	if (image_size > len) {
		if (image_size > ram->size - text_offset)
			return error_set(err, EFBIG, "the kernel needs %llu MiB: give more --mem",
					 (unsigned long long)(image_size >> 20) + 1);
		info->high = addr + image_size;
	}
	return 0;
}
