/* Solves CSV problems through the C API and prints each height; given the
 * command line's output for the same problem (its offset column), checks
 * that the heights agree. CI runs it on the challenging suite A-K.
 *
 *   suite CAPACITY PROBLEM.csv [CLI_OUTPUT.csv] */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

/* The height of a solution written as CSV: the largest offset + size. */
static int64_t height_of_output(const char* path) {
  MmProblem* out = NULL;
  if (mm_problem_read_csv(path, &out) != MM_OK) {
    printf("%s: %s\n", path, mm_last_error());
    return -1;
  }
  int64_t height = 0;
  for (size_t i = 0; i < mm_problem_buffer_count(out); ++i) {
    MmBufferInfo b;
    mm_problem_get_buffer(out, i, &b);
    if (!b.has_offset) {
      height = -1;
      break;
    }
    if (b.offset + b.size > height) height = b.offset + b.size;
  }
  mm_problem_free(out);
  return height;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    printf("usage: suite CAPACITY PROBLEM.csv [CLI_OUTPUT.csv]\n");
    return 2;
  }
  int64_t capacity = strtoll(argv[1], NULL, 10);
  MmProblem* p = NULL;
  EXPECT(mm_problem_read_csv(argv[2], &p), MM_OK);
  EXPECT(mm_problem_set_capacity(p, capacity), MM_OK);
  MmSolver* solver = mm_solver_new(NULL);
  MmSolution* s = NULL;
  EXPECT(mm_solver_solve(solver, p, &s), MM_OK);
  EXPECT(mm_validate(p, s), MM_OK);
  int64_t height = mm_solution_height(s);
  if (argc > 3) {
    int64_t cli = height_of_output(argv[3]);
    printf("%s: C API height %lld, CLI height %lld\n", argv[2], (long long)height, (long long)cli);
    CHECK(height == cli, "the same height as the command line");
  } else {
    printf("%s: C API height %lld\n", argv[2], (long long)height);
  }
  mm_solution_free(s);
  mm_solver_free(solver);
  mm_problem_free(p);
  return finish();
}
