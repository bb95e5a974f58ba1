# Helper programs for the integration suites, linked with the emulator's
# library objects.
INTEGRATION_BINS := $(O)/tests/integration/block_exercise

$(O)/tests/integration/%: tests/integration/%.c $(O)/libdoppel.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(LDFLAGS) -o $@ $< $(O)/libdoppel.a $(LDLIBS)

integration-tools: $(INTEGRATION_BINS)
