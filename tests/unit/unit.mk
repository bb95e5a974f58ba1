# C unit tests (cmocka): each tests/unit/test_*.c is one program linked with
# the emulator's library objects.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit/%)

$(O)/tests/unit/%: tests/unit/%.c $(O)/libdoppel.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(O)/libdoppel.a -lcmocka $(LDLIBS)

unit-tests: $(UNIT_BINS)
