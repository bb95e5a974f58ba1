#include "util/pagemap.h"

#include <fcntl.h>
#include <unistd.h>

#define PM_PRESENT (1ull << 63)
#define PM_SWAPPED (1ull << 62)

void pagemap_open(struct pagemap *pm, const uint8_t *base)
{
	pm->fd = base ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
	pm->base = base;
	pm->first = 0;
	pm->count = 0;
}

void pagemap_close(struct pagemap *pm)
{
	if (pm->fd >= 0)
		close(pm->fd);
	pm->fd = -1;
}

bool pagemap_touched(struct pagemap *pm, uint64_t index)
{
	if (pm->fd < 0)
		return true;
	if (index < pm->first || index >= pm->first + pm->count) {
		/* One 8-byte entry per virtual page, at the page's number. */
		uint64_t vpage = (uint64_t)(uintptr_t)pm->base / 4096 + index;
		ssize_t got = pread(pm->fd, pm->entries, sizeof(pm->entries), (off_t)(vpage * 8));
		if (got < 8) {
			pagemap_close(pm);
			return true;
		}
		pm->first = index;
		pm->count = (uint64_t)got / 8;
	}
	return (pm->entries[index - pm->first] & (PM_PRESENT | PM_SWAPPED)) != 0;
}
