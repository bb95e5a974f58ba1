/* doppel glue, not part of riscv-tests.
 *
 * The stored isa/rv64si/csr.S is older than the stored test_macros.h. Its
 * M-mode trap handler recognises the tests that must trap (13-15) by
 * TESTNUM being one less than their number ("since the test didn't
 * complete, TESTNUM is smaller by 1"), which held when TEST_CASE loaded
 * TESTNUM after the test's code. The stored TEST_CASE loads it first, so
 * the expected illegal-instruction trap of test 15 would be reported as a
 * failure. This header, force-included (-include) for that program only,
 * restores the ordering the source was written against; what each test
 * checks is unchanged. test_macros.h's include guard makes the source's own
 * #include of it a no-op, so the definition below stays in effect. */
#include "test_macros.h"
#undef TEST_CASE
#define TEST_CASE( testnum, testreg, correctval, code... ) \
test_ ## testnum: \
    code; \
    li  x7, MASK_XLEN(correctval); \
    li  TESTNUM, testnum; \
    bne testreg, x7, fail;
