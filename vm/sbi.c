#include "vm/sbi.h"

#include <stdio.h>
#include <string.h>

#include "cpu/csr.h"
#include "cpu/mmu.h"
#include "cpu/pmp.h"
#include "cpu/trap.h"
#include "vm/machine.h"

#define SBI_SPEC_VERSION (2u << 24)     /* 2.0 */
#define SBI_IMPL_ID 0x646f70            /* "dop": not in the registry's list */
#define SBI_IMPL_VERSION 1

enum {
	SBI_SUCCESS = 0,
	SBI_ERR_FAILED = -1,
	SBI_ERR_NOT_SUPPORTED = -2,
	SBI_ERR_INVALID_PARAM = -3,
	SBI_ERR_INVALID_ADDRESS = -5,
	SBI_ERR_ALREADY_AVAILABLE = -6,
	SBI_ERR_ALREADY_STARTED = -7,
	SBI_ERR_ALREADY_STOPPED = -8,
};

enum {
	EXT_LEGACY_SET_TIMER = 0x00,
	EXT_LEGACY_PUTCHAR = 0x01,
	EXT_LEGACY_GETCHAR = 0x02,
	EXT_LEGACY_CLEAR_IPI = 0x03,
	EXT_LEGACY_SEND_IPI = 0x04,
	EXT_LEGACY_FENCE_I = 0x05,
	EXT_LEGACY_SFENCE_VMA = 0x06,
	EXT_LEGACY_SFENCE_VMA_ASID = 0x07,
	EXT_LEGACY_SHUTDOWN = 0x08,
	EXT_BASE = 0x10,
	EXT_TIME = 0x54494d45,
	EXT_IPI = 0x735049,
	EXT_RFENCE = 0x52464e43,
	EXT_HSM = 0x48534d,
	EXT_SRST = 0x53525354,
	EXT_DBCN = 0x4442434e,
};

struct sbiret {
	int64_t error;
	uint64_t value;
};

static struct sbiret ok(uint64_t value)
{
	return (struct sbiret){ SBI_SUCCESS, value };
}

static struct sbiret fail(int64_t error)
{
	return (struct sbiret){ error, 0 };
}

static bool ext_supported(uint64_t ext)
{
	switch (ext) {
	case EXT_BASE: case EXT_TIME: case EXT_IPI: case EXT_RFENCE: case EXT_HSM:
	case EXT_SRST: case EXT_DBCN:
	case EXT_LEGACY_SET_TIMER ... EXT_LEGACY_SHUTDOWN:
		return true;
	default:
		return false;
	}
}

/* Applies fn to each hart selected by (mask, base); base = -1 means all
 * (SBI spec 3.1). Fails if the mask names a hart that does not exist. */
static int64_t for_harts(struct machine *m, uint64_t mask, uint64_t base,
			 void (*fn)(struct hart *h))
{
	if (base == ~0ull) {
		for (unsigned i = 0; i < m->nharts; i++)
			fn(m->harts[i]);
		return SBI_SUCCESS;
	}
	for (unsigned b = 0; b < 64 && mask >> b; b++) {
		if (!((mask >> b) & 1))
			continue;
		if (base + b >= m->nharts || base + b < base)
			return SBI_ERR_INVALID_PARAM;
	}
	for (unsigned b = 0; b < 64 && mask >> b; b++)
		if ((mask >> b) & 1)
			fn(m->harts[base + b]);
	return SBI_SUCCESS;
}

/* The harts a legacy (SBI 0.1) call names: the mask at the address it
 * gives, bits of harts that do not exist ignored, or with no address every
 * hart, as OpenSBI does (sbi_load_hart_mask_unpriv). */
static uint64_t legacy_mask(const struct machine *m, uint64_t mask)
{
	return m->nharts >= 64 ? mask : mask & ((1ull << m->nharts) - 1);
}

static void raise_ssip(struct hart *h)
{
	h->s.mip |= MIP_SSIP;
	h->s.wfi = 0;
	h->break_loop = true;
}

static void flush_tlb(struct hart *h)
{
	hart_tlb_flush_vm(h);
}

static void nothing(struct hart *h)
{
	(void)h;
}

/* Writes guest physical memory [addr, addr + len) to the console; the
 * range must lie in RAM. */
static struct sbiret dbcn_write(struct machine *m, uint64_t len, uint64_t addr)
{
	const uint8_t *p = bus_ram_ptr(&m->bus, addr, len ? len : 1);
	if (!p)
		return fail(SBI_ERR_INVALID_PARAM);
	machine_console_write(m, p, len);
	return ok(len);
}

static struct sbiret dbcn_read(struct machine *m, uint64_t len, uint64_t addr)
{
	uint8_t *p = bus_ram_ptr(&m->bus, addr, len ? len : 1);
	if (!p)
		return fail(SBI_ERR_INVALID_PARAM);
	uint64_t n = 0;
	int c;
	while (n < len && (c = machine_console_getc(m)) >= 0)
		p[n++] = (uint8_t)c;
	code_map_written(&m->bus.code, p, n);
	return ok(n);
}

static void set_timer(struct hart *h, uint64_t when)
{
	/* Sstc is on for the kernel: the timer is stimecmp itself. */
	h->s.stimecmp = when;
	h->break_loop = true;
}

static struct sbiret hsm_start(struct machine *m, uint64_t hartid, uint64_t addr, uint64_t opaque)
{
	if (hartid >= m->nharts)
		return fail(SBI_ERR_INVALID_PARAM);
	if (m->hsm[hartid] != HSM_STOPPED)
		return fail(SBI_ERR_ALREADY_AVAILABLE);
	if (!bus_ram_ptr(&m->bus, addr, 4))
		return fail(SBI_ERR_INVALID_ADDRESS);
	struct hart *t = m->harts[hartid];
	/* The started hart enters S-mode with the MMU off, interrupts
	 * disabled, a0 = hart id and a1 = opaque (SBI spec 9.1). */
	t->s.pc = addr;
	t->s.x[10] = hartid;
	t->s.x[11] = opaque;
	t->s.satp = 0;
	t->s.mstatus &= ~MSTATUS_SIE;
	t->s.wfi = 0;
	hart_set_priv(t, PRIV_S);
	hart_tlb_flush(t);
	m->hsm[hartid] = HSM_STARTED;
	return ok(0);
}

static struct sbiret sbi_call(struct machine *m, struct hart *h, uint64_t ext, uint64_t fid,
			      const uint64_t *a)
{
	switch (ext) {
	case EXT_BASE:
		switch (fid) {
		case 0: return ok(SBI_SPEC_VERSION);
		case 1: return ok(SBI_IMPL_ID);
		case 2: return ok(SBI_IMPL_VERSION);
		case 3: return ok(ext_supported(a[0]));
		case 4: case 5: case 6: return ok(0);   /* mvendorid, marchid, mimpid */
		}
		break;
	case EXT_TIME:
		if (fid == 0) {
			set_timer(h, a[0]);
			return ok(0);
		}
		break;
	case EXT_IPI:
		if (fid == 0) {
			int64_t e = for_harts(m, a[0], a[1], raise_ssip);
			return e ? fail(e) : ok(0);
		}
		break;
	case EXT_RFENCE:
		/* remote fence.i needs nothing (decode cache checks encodings);
		 * the sfence variants flush whole TLBs. */
		if (fid <= 2) {
			int64_t e = for_harts(m, a[0], a[1], fid == 0 ? nothing : flush_tlb);
			return e ? fail(e) : ok(0);
		}
		break;
	case EXT_HSM:
		switch (fid) {
		case 0: return hsm_start(m, a[0], a[1], a[2]);
		case 1:
			m->hsm[h->hartid] = HSM_STOPPED;
			h->break_loop = true;
			h->yield = true;
			return ok(0);
		case 2:
			if (a[0] >= m->nharts)
				return fail(SBI_ERR_INVALID_PARAM);
			return ok(m->hsm[a[0]]);
		case 3:
			/* Only the default retentive suspend: it behaves as WFI. */
			if ((uint32_t)a[0] != 0)
				return fail((uint32_t)a[0] < 0x80000000u ? SBI_ERR_INVALID_PARAM
									 : SBI_ERR_NOT_SUPPORTED);
			h->s.wfi = 1;
			h->break_loop = true;
			return ok(0);
		}
		break;
	case EXT_SRST:
		if (fid == 0) {
			uint32_t type = (uint32_t)a[0], reason = (uint32_t)a[1];
			if (type > 2 || reason > 1)
				return fail(SBI_ERR_INVALID_PARAM);
			exit_request_raise(&m->exit, type == 0 ? EXIT_POWEROFF : EXIT_RESET, reason);
			return ok(0);
		}
		break;
	case EXT_DBCN:
		switch (fid) {
		case 0: return a[2] ? fail(SBI_ERR_INVALID_PARAM) : dbcn_write(m, a[0], a[1]);
		case 1: return a[2] ? fail(SBI_ERR_INVALID_PARAM) : dbcn_read(m, a[0], a[1]);
		case 2: {
			uint8_t byte = (uint8_t)a[0];
			machine_console_write(m, &byte, 1);
			return ok(0);
		}
		}
		break;
	}
	return fail(SBI_ERR_NOT_SUPPORTED);
}

/* The legacy extensions (SBI 0.1) return their result in a0 alone. */
static bool legacy_call(struct machine *m, struct hart *h, uint64_t ext, const uint64_t *a,
			int64_t *ret)
{
	uint64_t mask = 0, base = 0;

	*ret = 0;
	switch (ext) {
	case EXT_LEGACY_SET_TIMER:
		set_timer(h, a[0]);
		return true;
	case EXT_LEGACY_PUTCHAR: {
		uint8_t byte = (uint8_t)a[0];
		machine_console_write(m, &byte, 1);
		return true;
	}
	case EXT_LEGACY_GETCHAR:
		*ret = machine_console_getc(m);
		return true;
	case EXT_LEGACY_CLEAR_IPI:
		h->s.mip &= ~MIP_SSIP;
		return true;
	case EXT_LEGACY_SEND_IPI:
	case EXT_LEGACY_FENCE_I:
	case EXT_LEGACY_SFENCE_VMA:
	case EXT_LEGACY_SFENCE_VMA_ASID:
		/* a0 is the address of a hart mask in S-mode virtual memory. */
		if (a[0] && !mmu_load(h, a[0], 8, &mask))
			return false;
		if (a[0])
			mask = legacy_mask(m, mask);
		else
			base = ~0ull;
		for_harts(m, mask, base, ext == EXT_LEGACY_SEND_IPI ? raise_ssip :
					 ext == EXT_LEGACY_FENCE_I ? nothing : flush_tlb);
		return true;
	case EXT_LEGACY_SHUTDOWN:
		exit_request_raise(&m->exit, EXIT_POWEROFF, 0);
		return true;
	}
	*ret = SBI_ERR_NOT_SUPPORTED;
	return true;
}

bool sbi_ecall(struct hart *h, void *machine)
{
	struct machine *m = machine;
	uint64_t *x = h->s.x;
	uint64_t ext = x[17], fid = x[16];
	const uint64_t *args = &x[10];

	if (ext <= EXT_LEGACY_SHUTDOWN) {
		int64_t ret;
		uint64_t a[6];
		memcpy(a, args, sizeof(a));
		if (!legacy_call(m, h, ext, a, &ret))
			return false;   /* the mask load trapped; the trap is taken */
		x[10] = (uint64_t)ret;
		return true;
	}
	uint64_t a[6];
	memcpy(a, args, sizeof(a));
	struct sbiret r = sbi_call(m, h, ext, fid, a);
	x[10] = (uint64_t)r.error;
	x[11] = r.value;
	return true;
}

void sbi_attach(struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++) {
		m->harts[i]->ecall_hook = sbi_ecall;
		m->harts[i]->ecall_opaque = m;
	}
}

void sbi_boot(struct machine *m, uint64_t entry, uint64_t fdt_addr)
{
	for (unsigned i = 0; i < m->nharts; i++) {
		struct hart *h = m->harts[i];
		struct hart_state *s = &h->s;

		/* What firmware leaves behind (as OpenSBI does): S-mode may touch
		 * all memory, sees all counters, gets its own interrupts and the
		 * exceptions it can handle, and uses Sstc for its timer. */
		s->pmpaddr[0] = ~0ull >> 10;
		s->pmpcfg[0] = PMP_R | PMP_W | PMP_X | (PMP_NAPOT << PMP_A_SHIFT);
		s->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
		s->medeleg = (1u << EXC_INSN_MISALIGNED) | (1u << EXC_INSN_ACCESS) |
			     (1u << EXC_ILLEGAL) | (1u << EXC_BREAKPOINT) |
			     (1u << EXC_LOAD_MISALIGNED) | (1u << EXC_LOAD_ACCESS) |
			     (1u << EXC_STORE_MISALIGNED) | (1u << EXC_STORE_ACCESS) |
			     (1u << EXC_ECALL_U) | (1u << EXC_INSN_PAGE) |
			     (1u << EXC_LOAD_PAGE) | (1u << EXC_STORE_PAGE);
		s->mcounteren = ~0u;
		/* OpenSBI also opens cycle, time and instret to U-mode (its
		 * mstatus_init). Linux relies on it: without an SBI PMU nothing else
		 * sets scounteren.TM, and the vDSO's clock_gettime reads `time`
		 * from U-mode (an illegal instruction, SIGILL, if TM is clear). */
		s->scounteren = 7;
		s->menvcfg = MENVCFG_STCE;
		s->stimecmp = ~0ull;
		s->mstatus |= (1ull << MSTATUS_FS_SHIFT);
		hart_tlb_flush(h);
		m->hsm[i] = HSM_STOPPED;
	}
	struct hart *boot = m->harts[0];
	m->hsm[0] = HSM_STARTED;
	boot->s.pc = entry;
	boot->s.x[10] = 0;
	boot->s.x[11] = fdt_addr;
	hart_set_priv(boot, PRIV_S);
}
