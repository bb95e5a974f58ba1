/* Physical memory protection (privileged spec 3.7): 16 entries, OFF, TOR, NA4
 * and NAPOT, with the lock bit. Granularity is 4 bytes. */
#ifndef DOPPEL_CPU_PMP_H
#define DOPPEL_CPU_PMP_H

#include "cpu/hart.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A 0x18
#define PMP_A_SHIFT 3
#define PMP_L 0x80

enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

/* Whether an access of len bytes at pa is allowed at privilege priv. */
bool pmp_allows(const struct hart_state *s, uint64_t pa, uint64_t len,
		enum access acc, unsigned priv);

/* Whether every byte of the 4 KiB page gets the same answer from PMP as its
 * first byte, so a TLB entry may cache the page's permission. */
bool pmp_page_uniform(const struct hart_state *s, uint64_t page, unsigned priv);

/* CSR writes, honouring lock bits and WARL rules. */
void pmp_write_cfg(struct hart_state *s, unsigned reg, uint64_t val);
void pmp_write_addr(struct hart_state *s, unsigned i, uint64_t val);
uint64_t pmp_read_cfg(const struct hart_state *s, unsigned reg);

#endif
