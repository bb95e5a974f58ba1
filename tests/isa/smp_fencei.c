/* Code written by one hart and run by another (unprivileged spec, Zifencei):
 * for every ordered pair of harts, every hart first runs a small function
 * (so that each has fetched, decoded or translated it), then the writer
 * stores a new instruction into it and sends the runner a machine software
 * interrupt; the runner, after the interrupt, executes FENCE.I itself (a
 * FENCE.I on the writer orders only the writer's own fetches) and then must
 * run the new code, not what it saw before. */
#include "smp_lib.h"

/* Times every ordered pair writes and runs. */
#define FENCEI_ROUNDS 2u

enum {
	FAIL_CAUSE = 1,       /* a trap other than the software interrupt */
	FAIL_OLD = 2,         /* after a barrier and FENCE.I: not the last code */
	FAIL_OWN = 3,         /* the writer, after its own FENCE.I: old code */
	FAIL_STALE = 4,       /* the runner, after the IPI and FENCE.I: old code */
	FAIL_IPI_WAIT = 5,
};

/* addi a0, zero, v; ret (unprivileged spec 2.4.1, 2.5.1). */
#define INSN_LI_A0(v) (((uint32_t)(v) << 20) | 0x00000513u)
#define INSN_RET      0x00008067u
#define MAX_VALUE     2047u

/* The function: its own page, written only by the writers. */
static volatile uint32_t code[1024] __attribute__((aligned(4096))) = {
	INSN_LI_A0(0), INSN_RET,
};

/* Software interrupts each hart has taken (only that hart writes its slot). */
static struct { volatile uint64_t count; } SMP_ALIGNED interrupts[ISA_MAX_HARTS];

void mtrap_handler(struct trap_frame *f)
{
	unsigned me = smp_hartid();
	SMP_CHECK(f->cause == SMP_CAUSE_MSI, FAIL_CAUSE);
	smp_msip(me, 0);
	interrupts[me].count++;
}

static uint64_t run_code(void)
{
	uint64_t (*fn)(void) = (uint64_t (*)(void))(uintptr_t)code;
	return fn();
}

static void fence_i(void)
{
	__asm__ volatile("fence.i" ::: "memory");
}

/* Waits for the interrupt after `before`. */
static void wait_ipi(unsigned me, uint64_t before)
{
	uint64_t tries = 0;
	while (interrupts[me].count == before) {
		smp_wfi_step();
		smp_spin(&tries, FAIL_IPI_WAIT);
	}
}

int main(uint64_t hartid, const void *fdt)
{
	smp_start(hartid, fdt);
	unsigned me = (unsigned)hartid, n = smp_nharts();
	uint32_t value = 0;

	csr_write(mie, 1ull << SMP_IRQ_MSI);
	for (unsigned r = 0; r < FENCEI_ROUNDS; r++) {
		for (unsigned writer = 0; writer < n; writer++) {
			for (unsigned j = 1; j < n; j++) {
				unsigned runner = (writer + j) % n;
				uint32_t next = value % MAX_VALUE + 1;

				fence_i();
				SMP_CHECK(run_code() == value, FAIL_OLD);
				uint64_t before = interrupts[me].count;
				smp_barrier();
				if (me == writer) {
					code[0] = INSN_LI_A0(next);
					fence_i();
					SMP_CHECK(run_code() == next, FAIL_OWN);
					__asm__ volatile("fence w, o" ::: "memory");
					smp_msip(runner, 1);
				} else if (me == runner) {
					wait_ipi(me, before);
					fence_i();
					SMP_CHECK(run_code() == next, FAIL_STALE);
				}
				smp_barrier();
				value = next;
			}
		}
	}
	return smp_finish();
}
