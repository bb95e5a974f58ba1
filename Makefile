# doppel — build, test and demo entry points. See README.md.
CC      ?= cc
O       ?= build
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -std=c11 -D_GNU_SOURCE -I.
LDLIBS  += -lfdt -lm -lz -lzstd -lxxhash -ljansson -lnettle $(shell pkg-config --libs slirp 2>/dev/null || echo -lslirp)

CROSS   ?= riscv64-linux-gnu-
GUEST_CC := $(CROSS)gcc

SRC_DIRS := cli vm dev virtio block net cpu state util
SRCS := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
OBJS := $(SRCS:%.c=$(O)/%.o)
LIB_OBJS := $(filter-out $(O)/cli/%,$(OBJS))

all: $(O)/doppel

deps:
	@scripts/install-deps

# Debian's riscv64 kernel and a busybox initramfs, booted to a shell on this
# terminal (Ctrl-A x quits). The guest is fetched once into ~/.cache/doppel.
demo: deps
	$(MAKE) $(O)/doppel
	@eval "$$(scripts/guest-image --print | grep -E '^(kernel|initrd)=')" && \
	  $(O)/doppel run --kernel "$$kernel" --initrd "$$initrd" --append "console=ttyS0"

# The Debian root file system (scripts/guest-image --rootfs: built once, as
# root, in many minutes) booted with systemd through a qcow2 overlay that
# keeps the base image pristine and the guest's changes from run to run.
ROOTFS_OVERLAY ?= $(O)/rootfs-overlay.qcow2
rootfs-demo: deps
	$(MAKE) $(O)/doppel
	@eval "$$(DOPPEL=$(O)/doppel scripts/guest-image --rootfs --print | grep -E '^(kernel|initrd|rootfs)=')" && \
	  { [ -e $(ROOTFS_OVERLAY) ] || $(O)/doppel img create -f qcow2 -b "$$rootfs" -F raw $(ROOTFS_OVERLAY); } && \
	  $(O)/doppel run --kernel "$$kernel" --initrd "$$initrd" --mem 1G \
	    --append "console=ttyS0 root=/dev/vda rw" --disk $(ROOTFS_OVERLAY)

# A bare-metal program printing "hello" through tohost.
hello: deps
	$(MAKE) $(O)/doppel $(O)/tests/isa/hello.elf
	$(O)/doppel run --bios none --kernel $(O)/tests/isa/hello.elf

$(O)/doppel: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(O)/libdoppel.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

-include $(OBJS:.o=.d)
include tests/unit/unit.mk
include tests/integration/integration.mk
include tests/isa/isa.mk
-include tests/riscv-tests/riscv-tests.mk
include bench/bench.mk

# Every suite; the last line printed is the overall "N passed, N failed".
check: deps
	$(MAKE) $(O)/doppel unit-tests integration-tools guest-tests
	@tests/run-all.sh $(O)

# Builds the root file system if it is not cached, then boots it twice.
check-rootfs: deps
	$(MAKE) $(O)/doppel
	@eval "$$(DOPPEL=$(O)/doppel scripts/guest-image --rootfs --print | grep -E '^(kernel|initrd|rootfs)=')" && \
	  python3 tests/integration/rootfs_test.py $(O)/doppel "$$kernel" "$$initrd" "$$rootfs"

check-asan:
	DOPPEL_SKIP_BOOT=1 $(MAKE) O=build-asan CC=clang CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" LDFLAGS="-fsanitize=address,undefined" check

# ThreadSanitizer over the unit tests (several harts on host threads in
# test_atomics, test_codemap_threads, test_cross_code) and the bare-metal and
# multi-hart programs; tests/tsan.supp says which races are the guest's own.
check-tsan:
	DOPPEL_SKIP_BOOT=1 GUEST_TIMEOUT=120 TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp exitcode=66" \
	  $(MAKE) O=build-tsan CC=clang CFLAGS="-O1 -g -fsanitize=thread" LDFLAGS="-fsanitize=thread" check

clean:
	rm -rf $(O) build-asan build-tsan

.PHONY: all deps demo rootfs-demo hello check check-rootfs check-asan check-tsan clean unit-tests \
	integration-tools guest-tests bench bench-deps bench-smoke bench-disk bench-net bench-migrate bench-snapshot bench-smp
