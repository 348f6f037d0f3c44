/* Bad input through the C API: each call gets its status and a message,
 * and nothing crashes or leaks (CI runs this under AddressSanitizer and,
 * where installed, Valgrind). */
#include <stdint.h>
#include <string.h>

#include "check.h"

int main(void) {
  MmProblem* p = mm_problem_new();
  size_t index = 0;

  /* Buffers that break the model are refused, and nothing is added. */
  EXPECT(mm_problem_add_buffer(p, "neg", 0, 3, -4, &index), MM_INVALID_INPUT);
  CHECK(strstr(mm_last_error(), "negative size -4") != NULL, "%s", mm_last_error());
  EXPECT(mm_problem_add_buffer(p, "backwards", 9, 3, 4, &index), MM_INVALID_INPUT);
  CHECK(strstr(mm_last_error(), "lower 9 is after upper 3") != NULL, "%s", mm_last_error());
  CHECK(mm_problem_buffer_count(p) == 0, "nothing added");

  /* The seed, then changes that break a buffer. */
  const char* ids[] = {"b1", "b2", "b3", "b4", "b5"};
  const int64_t rows[][3] = {{0, 3, 4}, {3, 9, 4}, {0, 9, 4}, {9, 21, 4}, {0, 21, 4}};
  for (int i = 0; i < 5; ++i) {
    EXPECT(mm_problem_add_buffer(p, ids[i], rows[i][0], rows[i][1], rows[i][2], &index), MM_OK);
  }
  EXPECT(mm_problem_set_alignment(p, 0, 0), MM_INVALID_INPUT);
  EXPECT(mm_problem_set_offset(p, 0, -8), MM_INVALID_INPUT);
  EXPECT(mm_problem_add_gap(p, 0, 2, 7), MM_INVALID_INPUT);
  EXPECT(mm_problem_add_gap_window(p, 1, 4, 5, 0, 5), MM_INVALID_INPUT);
  EXPECT(mm_problem_set_alignment(p, 5, 2), MM_INVALID_ARGUMENT);
  EXPECT(mm_problem_set_capacity(p, -12), MM_INVALID_INPUT);

  /* NULL pointers. */
  MmSolution* s = NULL;
  MmSolver* solver = mm_solver_new(NULL);
  EXPECT(mm_problem_add_buffer(NULL, "x", 0, 1, 1, NULL), MM_NULL_POINTER);
  EXPECT(mm_problem_add_buffer(p, NULL, 0, 1, 1, NULL), MM_NULL_POINTER);
  EXPECT(mm_problem_set_capacity(NULL, 12), MM_NULL_POINTER);
  EXPECT(mm_solver_solve(NULL, p, &s), MM_NULL_POINTER);
  EXPECT(mm_solver_solve(solver, NULL, &s), MM_NULL_POINTER);
  EXPECT(mm_solver_solve(solver, p, NULL), MM_NULL_POINTER);
  EXPECT(mm_solver_minimize(NULL, p, NULL, NULL, NULL), MM_NULL_POINTER);
  EXPECT(mm_solver_cancel(NULL), MM_NULL_POINTER);
  EXPECT(mm_validate(p, NULL), MM_NULL_POINTER);
  EXPECT(mm_problem_read_csv(NULL, NULL), MM_NULL_POINTER);
  EXPECT(mm_params_set_switch(NULL, "canonical_only", false), MM_NULL_POINTER);
  CHECK(mm_solution_height(NULL) == -1 && mm_solution_offsets(NULL) == NULL, "NULL getters");
  mm_problem_free(NULL);
  mm_solution_free(NULL);
  mm_solver_free(NULL);

  /* A capacity below the load bound (12) is infeasible, with the reason. */
  EXPECT(mm_problem_set_capacity(p, 11), MM_OK);
  EXPECT(mm_solver_solve(solver, p, &s), MM_INFEASIBLE);
  CHECK(s == NULL, "no solution");
  CHECK(strstr(mm_last_error(), "capacity 11") != NULL, "%s", mm_last_error());

  /* At 12 it solves; a wrong solution does not validate. */
  EXPECT(mm_problem_set_capacity(p, 12), MM_OK);
  EXPECT(mm_solver_solve(solver, p, &s), MM_OK);
  const int64_t* offsets = mm_solution_offsets(s);
  CHECK(mm_solution_count(s) == 5 && offsets[0] == 8 && offsets[1] == 8 && offsets[2] == 4 &&
            offsets[3] == 4 && offsets[4] == 0,
        "seed offsets 8 8 4 4 0");
  mm_solution_free(s);
  const int64_t zeros[5] = {0, 0, 0, 0, 0};
  EXPECT(mm_solution_new(p, zeros, 5, &s), MM_OK);
  EXPECT(mm_validate(p, s), MM_INVALID_SOLUTION);
  mm_solution_free(s);
  EXPECT(mm_solution_new(p, zeros, 3, &s), MM_INVALID_ARGUMENT);
  CHECK(s == NULL, "no solution");

  /* Duplicate ids are found when solving. */
  EXPECT(mm_problem_add_buffer(p, "b1", 30, 40, 4, NULL), MM_OK);
  EXPECT(mm_solver_solve(solver, p, &s), MM_INVALID_INPUT);

  /* Bad parameters. */
  MmParams* params = mm_params_new();
  EXPECT(mm_params_set_switch(params, "frobnicate", true), MM_INVALID_PARAMS);
  EXPECT(mm_params_set_switch_id(params, MM_SWITCH_COUNT, true), MM_INVALID_PARAMS);
  EXPECT(mm_params_set_heuristics(params, "WAX"), MM_INVALID_PARAMS);
  EXPECT(mm_params_set_time_limit(params, -1.0), MM_INVALID_PARAMS);
  EXPECT(mm_params_set_tunable(params, "slice", "0"), MM_INVALID_PARAMS);
  CHECK(strstr(mm_last_error(), "slice must be at least 1") != NULL, "the tunable's range");
  EXPECT(mm_params_set_tunable(params, "lns.frobs", "1"), MM_INVALID_PARAMS);
  EXPECT(mm_params_set_tunable(params, "slice", "64"), MM_OK);
  EXPECT(mm_params_set_tunable(params, "minimize.descent_budget", "[\"1s\", \"2s\"]"), MM_OK);
  EXPECT(mm_params_set_switch_id(params, MM_SWITCH_HATLESS_PRUNING, false), MM_OK);
  mm_params_free(params);

  /* Bad CSV and files. */
  MmProblem* read = NULL;
  EXPECT(mm_problem_from_csv("id,lower,upper,size\nb1,0,3,-4\n", &read), MM_INVALID_INPUT);
  EXPECT(mm_problem_from_csv("id,lower,size\nb1,0,4\n", &read), MM_INVALID_INPUT);
  EXPECT(mm_problem_read_csv("/nonexistent/problem.csv", &read), MM_IO_ERROR);
  CHECK(read == NULL, "no problem");

  CHECK(strcmp(mm_status_name(MM_CANCELLED), "MM_CANCELLED") == 0, "status names");
  CHECK(strcmp(mm_status_name(1000), "MM_UNRECOGNIZED") == 0, "unknown status");
  CHECK(mm_switch_count() == MM_SWITCH_COUNT, "switch count");
  CHECK(strcmp(mm_switch_name(MM_SWITCH_CANONICAL_ONLY), "canonical_only") == 0, "switch names");

  mm_solver_free(solver);
  mm_problem_free(p);
  return finish();
}
