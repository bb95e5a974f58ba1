# make bench: doppel beside QEMU and the host itself (bench/run.py).
# RUNS boots per emulator; the suite runs in the first SUITE_RUNS of them
# (default: all) and SUITE_RUNS times natively. BENCH_KERNELS limits the suite
# (comma-separated).
RUNS          ?= 3
SUITE_RUNS    ?= $(RUNS)
BENCH_KERNELS ?=
BENCH_HOST_CC ?= gcc
# Debian's python3, which has python3-pexpect (not a python3 earlier on PATH);
# run with -B, so that no __pycache__ lands in bench/.
BENCH_PYTHON  ?= /usr/bin/python3

bench_comma  := ,
BENCH_SRCS   := $(wildcard bench/guest/*.c)
BENCH_DEPS   := $(BENCH_SRCS) bench/guest/suite.h bench/bench.mk
# No fused multiply-add on one host and not the other: the checksums must
# agree bit for bit.
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -ffp-contract=off $(WARN) -static

$(O)/bench/suite-riscv64: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRCS)

$(O)/bench/suite-native: $(BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(BENCH_HOST_CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRCS)

# What `make check` needs (deps), and QEMU and the riscv64 C library.
bench-deps: deps
	@scripts/install-deps bench/packages.txt

# The guest image's initramfs with the suite appended as /bench/suite, then
# the harness.
define bench_run
	$(MAKE) $(O)/doppel $(O)/bench/suite-riscv64 $(O)/bench/suite-native
	@eval "$$(scripts/guest-image --print | grep -E '^(kernel|initrd)=')" && \
	  bench/make-initrd "$$initrd" $(O)/bench/initrd-bench.img suite=$(O)/bench/suite-riscv64 && \
	  $(BENCH_PYTHON) -B bench/run.py --doppel $(O)/doppel --kernel "$$kernel" \
	    --initrd $(O)/bench/initrd-bench.img --native $(O)/bench/suite-native \
	    --out $(O)/bench $(1)
endef

bench: bench-deps
	$(call bench_run,--runs $(RUNS) --suite-runs $(SUITE_RUNS) --kernels "$(BENCH_KERNELS)")

# A quick self-check: one boot each, two short kernels.
bench-smoke: bench-deps
	$(call bench_run,--runs 1 --suite-runs 1 --kernels int.hash$(bench_comma)os.syscall)

# A guest benchmark program NAME ($(1)), built as $(O)/bench/NAME-riscv64,
# in the guest image's initramfs as /bench/NAME, run by the harness $(2)
# with the options $(3); results and console logs in $(O)/bench/NAME.
define guest_bench
	$(MAKE) $(O)/doppel $(O)/bench/$(1)-riscv64
	@eval "$$(scripts/guest-image --print | grep -E '^(kernel|initrd)=')" && \
	  bench/make-initrd "$$initrd" $(O)/bench/initrd-$(1).img $(1)=$(O)/bench/$(1)-riscv64 && \
	  $(BENCH_PYTHON) -B $(2) --doppel $(O)/doppel --kernel "$$kernel" \
	    --initrd $(O)/bench/initrd-$(1).img --out $(O)/bench/$(1) $(3)
endef

# make bench-disk: disk I/O in the guest beside QEMU (bench/disk.py), with
# bench/guest-disk/disk.c as /bench/disk. DISK_RUNS boots per emulator;
# DISK_FORMATS the image formats (comma-separated).
DISK_RUNS    ?= 3
DISK_FORMATS ?= raw,qcow2

$(O)/bench/disk-riscv64: bench/guest-disk/disk.c bench/bench.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(BENCH_CFLAGS) -o $@ bench/guest-disk/disk.c

bench-disk: bench-deps
	$(call guest_bench,disk,bench/disk.py,--runs $(DISK_RUNS) --formats "$(DISK_FORMATS)")

# make bench-net: networking in the guest beside QEMU (bench/net.py), with
# bench/guest-net/net.c as /bench/net. NET_RUNS runs per emulator.
NET_RUNS ?= 3

$(O)/bench/net-riscv64: bench/guest-net/net.c bench/bench.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(BENCH_CFLAGS) -o $@ bench/guest-net/net.c

bench-net: bench-deps
	$(call guest_bench,net,bench/net.py,--runs $(NET_RUNS))

# make bench-migrate: live migration's downtime and total time beside QEMU's
# (bench/migrate.py). MIGRATE_RUNS migrations per emulator.
MIGRATE_RUNS ?= 3

bench-migrate: bench-deps
	$(MAKE) $(O)/doppel
	@eval "$$(scripts/guest-image --print | grep -E '^(kernel|initrd)=')" && \
	  $(BENCH_PYTHON) -B bench/migrate.py --doppel $(O)/doppel --kernel "$$kernel" \
	    --initrd "$$initrd" --out $(O)/bench/migrate --runs $(MIGRATE_RUNS)

# make bench-snapshot: snapshot, restore and clone figures beside QEMU's
# migration to a file, savevm and -incoming (bench/snapshot.py).
# SNAPSHOT_RUNS snapshots per kind and restores per case.
SNAPSHOT_RUNS ?= 3

bench-snapshot: bench-deps
	$(MAKE) $(O)/doppel
	@eval "$$(scripts/guest-image --print | grep -E '^(kernel|initrd)=')" && \
	  $(BENCH_PYTHON) -B bench/snapshot.py --doppel $(O)/doppel --kernel "$$kernel" \
	    --initrd "$$initrd" --out $(O)/bench/snapshot --runs $(SNAPSHOT_RUNS)

# make bench-smp: multi-hart guests beside QEMU's MTTCG (bench/smp.py): N
# copies of the suite's SMP_KERNELS at once and the threaded kernel of
# bench/guest-smp/smp.c, for N in SMP_HARTS (default: 1, 2 and the host's
# core count), and an idle SMP_IDLE_HARTS-hart guest's host CPU use.
# SMP_RUNS boots per emulator and hart count.
SMP_RUNS       ?= 3
SMP_HARTS      ?=
SMP_KERNELS    ?= int.sort,fp.matrix,mem.copy
SMP_IDLE_HARTS ?= 8

$(O)/bench/smp-riscv64: bench/guest-smp/smp.c bench/bench.mk
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(BENCH_CFLAGS) -pthread -o $@ bench/guest-smp/smp.c

bench-smp: bench-deps
	$(MAKE) $(O)/doppel $(O)/bench/suite-riscv64 $(O)/bench/smp-riscv64
	@eval "$$(scripts/guest-image --print | grep -E '^(kernel|initrd)=')" && \
	  bench/make-initrd "$$initrd" $(O)/bench/initrd-smp.img \
	    suite=$(O)/bench/suite-riscv64 smp=$(O)/bench/smp-riscv64 && \
	  $(BENCH_PYTHON) -B bench/smp.py --doppel $(O)/doppel --kernel "$$kernel" \
	    --initrd $(O)/bench/initrd-smp.img --out $(O)/bench/smp --runs $(SMP_RUNS) \
	    --harts "$(SMP_HARTS)" --kernels "$(SMP_KERNELS)" --idle-harts $(SMP_IDLE_HARTS)
