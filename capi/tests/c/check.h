/* A few lines of test harness for the C tests: CHECK counts, and main
 * ends with "N passed, N failed" (the closing line CI reads). */
#ifndef MINIMALLOC_TEST_CHECK_H
#define MINIMALLOC_TEST_CHECK_H

#include <stdio.h>

#include "minimalloc.h"

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (cond) {                                            \
      ++checks_passed;                                     \
    } else {                                               \
      ++checks_failed;                                     \
      printf("FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      printf(__VA_ARGS__);                                 \
      printf("\n");                                        \
    }                                                      \
  } while (0)

/* Checks that a call returned `want`, and prints its status and message. */
#define EXPECT(call, want)                                                  \
  do {                                                                      \
    MmStatus got_ = (call);                                                 \
    printf("%-58s -> %s: %s\n", #call, mm_status_name(got_), mm_last_error()); \
    CHECK(got_ == (want), "expected %s", mm_status_name(want));             \
  } while (0)

static int finish(void) {
  printf("%d passed, %d failed\n", checks_passed, checks_failed);
  return checks_failed ? 1 : 0;
}

#endif
