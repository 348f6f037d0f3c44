/* Several memories through the C API: the seed at capacity 8 spills its
 * cheapest buffer, b1 and b2 (one alias) share a memory and an offset, the
 * plan validates, a tampered one does not, and bad declarations are refused
 * with a message. CI runs it under AddressSanitizer and, where installed,
 * Valgrind. */
#include <stdint.h>
#include <string.h>

#include "check.h"

int main(void) {
  MmProblem* p = mm_problem_new();
  const char* ids[] = {"b1", "b2", "b3", "b4", "b5"};
  const int64_t rows[][3] = {{0, 3, 4}, {3, 9, 4}, {0, 9, 4}, {9, 21, 4}, {0, 21, 4}};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT(mm_problem_add_buffer(p, ids[i], rows[i][0], rows[i][1], rows[i][2], NULL), MM_OK);
  }
  EXPECT(mm_problem_add_memory(p, "sram", 8), MM_OK);
  EXPECT(mm_problem_add_memory(p, "dram", MM_UNBOUNDED), MM_OK);
  EXPECT(mm_problem_add_memory(p, "sram", 4), MM_INVALID_ARGUMENT);
  EXPECT(mm_problem_add_memory(p, "a|b", 4), MM_INVALID_ARGUMENT);
  EXPECT(mm_problem_add_memory(p, "l2", -7), MM_INVALID_ARGUMENT);
  CHECK(mm_problem_memory_count(p) == 2, "two memories");
  EXPECT(mm_problem_set_memory_alignment(p, 2, 4), MM_INVALID_ARGUMENT);
  EXPECT(mm_problem_set_memory_alignment(p, 0, 0), MM_INVALID_ARGUMENT);
  EXPECT(mm_problem_set_memory_alignment(p, 0, 4), MM_OK);
  EXPECT(mm_problem_set_alias(p, 0, "in_place"), MM_OK);
  EXPECT(mm_problem_set_alias(p, 1, "in_place"), MM_OK);
  EXPECT(mm_problem_set_cost(p, 2, -1), MM_INVALID_ARGUMENT);
  EXPECT(mm_problem_set_cost(p, 9, 1), MM_INVALID_ARGUMENT);
  /* b3 and b5 must stay in sram; b4 prefers dram. */
  EXPECT(mm_problem_set_memories(p, 2, "sram"), MM_OK);
  EXPECT(mm_problem_set_memories(p, 4, "sram"), MM_OK);
  EXPECT(mm_problem_set_memories(p, 3, "dram|sram"), MM_OK);
  EXPECT(mm_problem_check(p), MM_OK);

  MmSolver* solver = mm_solver_new(NULL);
  MmSolution* s = NULL;
  EXPECT(mm_solver_solve(solver, p, &s), MM_OK);
  int64_t cost = -1, bound = -1;
  bool optimal = false;
  EXPECT(mm_solution_plan(s, &cost, &bound, &optimal), MM_OK);
  /* b1 and b2 (8 bytes of cost together) leave: nothing else can. */
  CHECK(cost == 8 && bound == 8 && optimal, "cost %lld bound %lld", (long long)cost, (long long)bound);
  CHECK(strcmp(mm_solution_memory(s, 0), "dram") == 0 && strcmp(mm_solution_memory(s, 1), "dram") == 0,
        "%s %s", mm_solution_memory(s, 0), mm_solution_memory(s, 1));
  CHECK(strcmp(mm_solution_memory(s, 3), "dram") == 0, "b4 where it prefers");
  CHECK(mm_solution_offsets(s)[0] == mm_solution_offsets(s)[1], "one offset for the alias group");
  CHECK(mm_solution_memory_height(s, 0) == 8 && mm_solution_memory_height(s, 2) == -1, "heights");
  CHECK(mm_solution_memory(s, 5) == NULL, "out of range");
  EXPECT(mm_validate(p, s), MM_OK);
  EXPECT(mm_solver_minimize(solver, p, NULL, NULL, NULL), MM_INVALID_ARGUMENT);

  /* A solution that is not a plan does not validate against memories. */
  int64_t zeros[5] = {0, 0, 0, 0, 0};
  MmSolution* plain = NULL;
  EXPECT(mm_solution_new(p, zeros, 5, &plain), MM_OK);
  EXPECT(mm_validate(p, plain), MM_INVALID_SOLUTION);
  EXPECT(mm_solution_plan(plain, &cost, NULL, NULL), MM_INVALID_ARGUMENT);
  CHECK(mm_solution_memory(plain, 0) == NULL, "not a plan");

  /* An undeclared memory is named when solving. */
  MmSolution* none = NULL;
  EXPECT(mm_problem_set_memories(p, 0, "hbm"), MM_OK);
  EXPECT(mm_solver_solve(solver, p, &none), MM_INVALID_INPUT);
  CHECK(strstr(mm_last_error(), "memory 'hbm' is not declared") != NULL, "%s", mm_last_error());
  CHECK(none == NULL, "no solution");

  mm_solution_free(plain);
  mm_solution_free(s);
  mm_solver_free(solver);
  mm_problem_free(p);
  return finish();
}
