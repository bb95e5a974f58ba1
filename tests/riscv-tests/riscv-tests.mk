# The RISC-V community's conformance suite riscv-tests, vendored verbatim in
# tests/riscv-tests (see its README.md). Every isa/<group>/<name>.S is one
# bare-metal program in the suite's "p" environment (physical memory, starts
# in M-mode, reports through tohost) and is built as
# $(O)/tests/riscv-tests/<group>-p-<name>.elf, upstream's own naming.
RISCV_TESTS_DIR := tests/riscv-tests
RISCV_TESTS_OUT := $(O)/tests/riscv-tests
RISCV_TESTS_GROUPS := rv64ui rv64um rv64ua rv64uf rv64ud rv64uc rv64si rv64mi \
	rv64uzba rv64uzbb rv64uzbs

# Why the flags differ from the brief's rv64gc and from tests/isa:
# - rv64g without "c": upstream builds the suite with -march=rv64g. Some tests
#   count on 4-byte encodings (rv64ui jalr jumps to a label minus 4), and
#   rv64uc/rvc.S switches compression on itself with ".option rvc".
# - -fno-pie: the linux-gnu compiler defaults to PIE, which makes "la" load
#   from a GOT the bare-metal environment never fills in.
# - --build-id=none: otherwise .note.gnu.build-id lands at 0x80000000, where
#   the hart starts executing.
# - CSR_MNSTATUS, MNSTATUS_NMIE: the stored riscv_test.h (INIT_RNMI) is newer
#   than the stored encoding.h, which predates Smrnmi; the values are the
#   Smrnmi spec's (mnstatus is CSR 0x744, NMIE is its bit 3). INIT_RNMI points
#   mtvec past the write first, so a hart without Smrnmi just traps over it.
RISCV_TESTS_CFLAGS := -march=rv64g_zba_zbb_zbs_zicsr_zifencei -mabi=lp64d \
	-static -mcmodel=medany -fvisibility=hidden -nostdlib -nostartfiles \
	-fno-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
	-DCSR_MNSTATUS=0x744 -DMNSTATUS_NMIE=0x8 \
	-I$(RISCV_TESTS_DIR)/env/p -I$(RISCV_TESTS_DIR)/env \
	-I$(RISCV_TESTS_DIR)/isa/macros/scalar -T $(RISCV_TESTS_DIR)/env/p/link.ld
RISCV_TESTS_DEPS := $(RISCV_TESTS_DIR)/env/p/riscv_test.h \
	$(RISCV_TESTS_DIR)/env/p/link.ld $(RISCV_TESTS_DIR)/env/encoding.h \
	$(RISCV_TESTS_DIR)/isa/macros/scalar/test_macros.h \
	$(RISCV_TESTS_DIR)/riscv-tests.mk

# Vendored but not built:
# - rv64mi/breakpoint: this revision writes tselect with no trap guard (it
#   guards only tcontrol), so it needs the optional Sdtrig trigger module.
#   Every trigger CSR is optional (riscv-debug-spec 1.0, chapter 5 "Sdtrig"),
#   and accessing a CSR that does not exist raises an illegal-instruction
#   exception (privileged spec 2.1, "CSR Address Mapping Conventions"),
#   which is what doppel, having no triggers, does. Build it again if doppel
#   gains triggers.
RISCV_TESTS_EXCLUDED := rv64mi/breakpoint

RISCV_TESTS_SRCS := $(filter-out $(RISCV_TESTS_EXCLUDED:%=$(RISCV_TESTS_DIR)/isa/%.S), \
	$(foreach g,$(RISCV_TESTS_GROUPS),$(wildcard $(RISCV_TESTS_DIR)/isa/$(g)/*.S)))

# Upstream also runs these rv64si programs in M-mode as rv64mi tests; see
# glue/machine_mode.h.
RISCV_TESTS_MMODE := csr scall sbreak ma_fetch
RISCV_TESTS_MMODE_ELFS := $(RISCV_TESTS_MMODE:%=$(RISCV_TESTS_OUT)/rv64mi-p-%.elf)

RISCV_TESTS_ELFS := $(foreach s,$(RISCV_TESTS_SRCS),$(RISCV_TESTS_OUT)/$(word 2,$(subst /, ,$(s:$(RISCV_TESTS_DIR)/%=%)))-p-$(basename $(notdir $(s))).elf) \
	$(RISCV_TESTS_MMODE_ELFS)

define RISCV_TESTS_GROUP_RULE
$(RISCV_TESTS_OUT)/$(1)-p-%.elf: $(RISCV_TESTS_DIR)/isa/$(1)/%.S $$(RISCV_TESTS_DEPS)
	@mkdir -p $$(dir $$@)
	$$(GUEST_CC) $$(RISCV_TESTS_CFLAGS) $$(RISCV_TESTS_EXTRA) -o $$@ $$<
endef
$(foreach g,$(RISCV_TESTS_GROUPS),$(eval $(call RISCV_TESTS_GROUP_RULE,$(g))))

$(RISCV_TESTS_MMODE_ELFS): $(RISCV_TESTS_OUT)/rv64mi-p-%.elf: $(RISCV_TESTS_DIR)/isa/rv64si/%.S \
		$(wildcard $(RISCV_TESTS_DIR)/glue/*.h) $(RISCV_TESTS_DEPS)
	@mkdir -p $(dir $@)
	$(GUEST_CC) $(RISCV_TESTS_CFLAGS) -include $(RISCV_TESTS_DIR)/glue/machine_mode.h \
		$(RISCV_TESTS_EXTRA) -o $@ $<

# Per-program fixes, because the stored sources and headers come from
# different upstream revisions (see README.md):
# - rv64ud fcvt_w's data uses the infinity encodings that newer
#   test_macros.h defines (IEEE 754 binary32/binary64 -inf and +inf).
# - rv64mi mcsr tests misa.MXL under "#ifdef __riscv64", an old GCC
#   predefine that today's GCC spells __riscv_xlen == 64; without it the
#   test expects an RV32 misa.
# - rv64si wfi uses SSTATUS_IE, privileged spec 1.9's name for sstatus.SIE.
# - rv64mi csr's trap handler expects the older TEST_CASE; see
#   glue/testnum_after_code.h.
$(RISCV_TESTS_OUT)/rv64ud-p-fcvt_w.elf: RISCV_TESTS_EXTRA := \
	-DnInff=0xff800000 -DInff=0x7f800000 \
	-DnInfd=0xfff0000000000000 -DInfd=0x7ff0000000000000
$(RISCV_TESTS_OUT)/rv64mi-p-mcsr.elf: RISCV_TESTS_EXTRA := -D__riscv64=1
$(RISCV_TESTS_OUT)/rv64si-p-wfi.elf: RISCV_TESTS_EXTRA := -DSSTATUS_IE=SSTATUS_SIE
$(RISCV_TESTS_OUT)/rv64mi-p-csr.elf: RISCV_TESTS_EXTRA := \
	-include $(RISCV_TESTS_DIR)/glue/testnum_after_code.h

guest-tests: $(RISCV_TESTS_ELFS)
