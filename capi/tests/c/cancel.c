/* clock_gettime and nanosleep under -std=c11. */
#define _POSIX_C_SOURCE 200809L
/* A long solve cancelled from a second thread returns MM_CANCELLED
 * promptly, on the sequential path (one thread) and in the portfolio (two);
 * a minimization cancelled the same way returns what it had. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "check.h"

/* A partition problem no bound refutes: even-sized items live together at
 * one moment, split by a wall fixed at half their total, which is odd, so
 * no subset fills the space below the wall exactly and nothing fits; the
 * load equals the capacity. The search takes minutes to prove it. */
static MmProblem* hard_problem(int items) {
  MmProblem* p = mm_problem_new();
  uint64_t state = 12345;
  int64_t sizes[64];
  int64_t total = 0;
  for (int i = 0; i < items; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    sizes[i] = 2 * (50 + (int64_t)((state >> 33) % 150));
    total += sizes[i];
  }
  if (total % 4 == 0) {
    sizes[0] += 2;
    total += 2;
  }
  for (int i = 0; i < items; ++i) {
    char id[16];
    snprintf(id, sizeof id, "item%d", i);
    mm_problem_add_buffer(p, id, 0, 1, sizes[i], NULL);
  }
  size_t wall = 0;
  mm_problem_add_buffer(p, "wall", 0, 1, 2, &wall);
  mm_problem_set_offset(p, wall, total / 2);
  mm_problem_set_capacity(p, total + 2);
  return p;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct job {
  const MmSolver* solver;
  const MmProblem* problem;
  int minimize;
  MmStatus status;
  MmMinimizeStatus min_status;
  int64_t lower_bound;
  int has_solution;
  char message[256];
  atomic_int done;
};

static void* run(void* arg) {
  struct job* job = arg;
  MmSolution* s = NULL;
  if (job->minimize) {
    job->status = mm_solver_minimize(job->solver, job->problem, &job->min_status, &job->lower_bound, &s);
  } else {
    job->status = mm_solver_solve(job->solver, job->problem, &s);
  }
  job->has_solution = s != NULL;
  snprintf(job->message, sizeof job->message, "%s", mm_last_error());
  mm_solution_free(s);
  atomic_store(&job->done, 1);
  return NULL;
}

/* Starts the job, cancels it after 300 ms, and returns the seconds the
 * cancel took to stop it. */
static double cancel_after_a_while(struct job* job) {
  pthread_t thread;
  atomic_init(&job->done, 0);
  pthread_create(&thread, NULL, run, job);
  struct timespec wait = {0, 300 * 1000 * 1000};
  nanosleep(&wait, NULL);
  CHECK(!atomic_load(&job->done), "the solve is still running after 300 ms");
  double start = now();
  EXPECT(mm_solver_cancel(job->solver), MM_OK);
  pthread_join(thread, NULL);
  return now() - start;
}

int main(void) {
  MmProblem* p = hard_problem(30);
  for (uint32_t threads = 1; threads <= 2; ++threads) {
    MmParams* params = mm_params_new();
    mm_params_set_threads(params, threads);
    MmSolver* solver = mm_solver_new(params);
    mm_params_free(params);

    struct job job = {solver, p, 0, MM_OK, MM_MINIMIZE_UNKNOWN, 0, 0, {0}, 0};
    double took = cancel_after_a_while(&job);
    printf("threads %u: solve -> %s (%s), stopped %.3f s after the cancel\n", threads,
           mm_status_name(job.status), job.message, took);
    CHECK(job.status == MM_CANCELLED, "status %s", mm_status_name(job.status));
    CHECK(!job.has_solution, "no solution");
    CHECK(took < 5.0, "stopped promptly (%.3f s)", took);

    /* The cancel stays until a reset. */
    MmSolution* s = NULL;
    EXPECT(mm_solver_solve(solver, p, &s), MM_CANCELLED);
    EXPECT(mm_solver_reset(solver), MM_OK);
    mm_solver_free(solver);
  }

  /* Minimizing (no capacity limit): the greedy packing comes at once, the
   * proof never; a cancel returns the best packing with the load bound. */
  MmProblem* open = mm_problem_clone(p);
  mm_problem_set_capacity(open, 0);
  MmSolver* solver = mm_solver_new(NULL);
  struct job job = {solver, open, 1, MM_OK, MM_MINIMIZE_OPTIMAL, 0, 0, {0}, 0};
  double took = cancel_after_a_while(&job);
  const char* how[] = {"OPTIMAL", "FEASIBLE", "UNKNOWN", "INFEASIBLE"};
  printf("minimize -> %s, %s, lower bound %lld, %s solution, stopped %.3f s after the cancel\n",
         mm_status_name(job.status), how[job.min_status], (long long)job.lower_bound,
         job.has_solution ? "a" : "no", took);
  CHECK(job.status == MM_OK, "%s", job.message);
  CHECK(job.min_status == MM_MINIMIZE_FEASIBLE && job.has_solution, "a packing, not proven optimal");
  CHECK(job.lower_bound == mm_problem_capacity(p), "the load bound");
  CHECK(took < 5.0, "stopped promptly (%.3f s)", took);
  mm_problem_free(open);
  mm_solver_free(solver);
  mm_problem_free(p);
  return finish();
}
