# The project's own bare-metal ISA tests: every tests/isa/*.S and *.c is one
# program, linked with the small runtime in tests/isa/env.
GUEST_ARCH   := -march=rv64gc_zba_zbb_zbs_zicsr_zifencei -mabi=lp64d
GUEST_CFLAGS := $(GUEST_ARCH) -mcmodel=medany -static -nostdlib -nostartfiles \
	-ffreestanding -fno-builtin -O2 -g -Wall -Werror -Itests/isa/env \
	-T tests/isa/env/link.ld -Wl,--no-warn-rwx-segments -Wl,--build-id=none
ISA_ENV  := tests/isa/env/crt.S tests/isa/env/lib.c
ISA_DEPS := $(ISA_ENV) $(wildcard tests/isa/*.h tests/isa/env/*.h) tests/isa/env/link.ld
ISA_SRCS := $(wildcard tests/isa/*.S tests/isa/*.c)
ISA_ELFS := $(patsubst tests/isa/%,$(O)/tests/isa/%.elf,$(basename $(ISA_SRCS)))

$(O)/tests/isa/%.elf: tests/isa/%.S $(ISA_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $(ISA_ENV) $<

$(O)/tests/isa/%.elf: tests/isa/%.c $(ISA_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $(ISA_ENV) $<

guest-tests: $(ISA_ELFS)
