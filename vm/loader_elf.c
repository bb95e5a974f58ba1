#include "vm/loader.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool loader_is_elf(const uint8_t *data, uint64_t len)
{
	return len >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

/* [off, off + size) lies within a buffer of len bytes. */
static bool in_bounds(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

static void find_symbols(const uint8_t *data, uint64_t len, const Elf64_Ehdr *eh,
			 struct load_info *info)
{
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_bounds(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr), len))
		return;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);

	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		const Elf64_Shdr *strtab = &sh[sh[i].sh_link];
		if (!in_bounds(sh[i].sh_offset, sh[i].sh_size, len) ||
		    !in_bounds(strtab->sh_offset, strtab->sh_size, len))
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(data + sh[i].sh_offset);
		const char *names = (const char *)(data + strtab->sh_offset);
		uint64_t count = sh[i].sh_size / sizeof(Elf64_Sym);

		for (uint64_t k = 0; k < count; k++) {
			uint64_t n = sym[k].st_name;
			if (n >= strtab->sh_size || !memchr(names + n, 0, strtab->sh_size - n))
				continue;
			if (strcmp(names + n, "tohost") == 0) {
				info->has_tohost = true;
				info->tohost = sym[k].st_value;
			} else if (strcmp(names + n, "fromhost") == 0) {
				info->has_fromhost = true;
				info->fromhost = sym[k].st_value;
			}
		}
	}
}

int loader_load_elf(const struct guest_ram *ram, const uint8_t *data, uint64_t len,
		    struct load_info *info, struct error *err)
{
	if (len < sizeof(Elf64_Ehdr) || !loader_is_elf(data, len))
		return error_set(err, ENOEXEC, "not an ELF file");
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_RISCV)
		return error_set(err, ENOEXEC, "not a 64-bit little-endian RISC-V ELF file");
	if (eh->e_type != ET_EXEC)
		return error_set(err, ENOEXEC, "ELF file is not an executable (type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    !in_bounds(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		return error_set(err, ENOEXEC, "ELF program headers lie outside the file");

	memset(info, 0, sizeof(*info));
	info->entry = eh->e_entry;
	info->low = ~0ull;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(data + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		uint64_t pa = ph[i].p_paddr, mem = ph[i].p_memsz, file = ph[i].p_filesz;
		if (file > mem || !in_bounds(ph[i].p_offset, file, len))
			return error_set(err, ENOEXEC, "ELF segment %u lies outside the file", i);
		if (pa < ram->base || !in_bounds(pa - ram->base, mem, ram->size))
			return error_set(err, ENOEXEC,
					 "ELF segment %u at 0x%llx (%llu bytes) is outside RAM "
					 "0x%llx-0x%llx", i, (unsigned long long)pa,
					 (unsigned long long)mem, (unsigned long long)ram->base,
					 (unsigned long long)(ram->base + ram->size - 1));
		uint8_t *dst = ram->host + (pa - ram->base);
		memcpy(dst, data + ph[i].p_offset, file);
		memset(dst + file, 0, mem - file);
		if (pa < info->low)
			info->low = pa;
		if (pa + mem > info->high)
			info->high = pa + mem;
	}
	if (info->low == ~0ull)
		return error_set(err, ENOEXEC, "ELF file has nothing to load");
	find_symbols(data, len, eh, info);
	return 0;
}
