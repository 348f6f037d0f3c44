// minimalloc.hpp: a header-only C++17 wrapper of the minimalloc C API.
//
// The types have the reference C++ library's shapes (google/minimalloc's
// minimalloc.h and solver.h: Interval, Gap, Buffer, Problem, Solution,
// SolverParams, Solver::Solve), so code written against the reference
// ports with few changes. Where the reference returns absl::StatusOr, this
// returns minimalloc::Result<T>: a Status (code and message) or a value.
// Nothing here throws on a solver's failure, and nothing from the Rust
// library can throw or unwind into C++: every C call returns a status.
// (Only the standard library's own exceptions, such as std::bad_alloc, can
// leave these functions.)
//
// The plain structs are values, converted to the C library's handles for
// each call; the handles themselves (NativeProblem and Solver's) are RAII
// owners: unique, move-only, freed in their destructors.

#ifndef MINIMALLOC_HPP
#define MINIMALLOC_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minimalloc.h"

namespace minimalloc {

template <typename T>
struct Interval {
  T lower_ = 0;
  T upper_ = 0;

  T lower() const { return lower_; }
  T upper() const { return upper_; }

  bool operator==(const Interval<T>& other) const {
    return lower_ == other.lower_ && upper_ == other.upper_;
  }
  bool operator!=(const Interval<T>& other) const { return !(*this == other); }
  bool operator<(const Interval<T>& other) const {
    if (lower_ != other.lower_) return lower_ < other.lower_;
    return upper_ < other.upper_;
  }
};

using BufferIdx = int64_t;  // An index into a Problem's list of buffers.
using Capacity = int64_t;   // The memory every buffer must fit in.
using Offset = int64_t;     // A memory address (e.g. in bytes).
using TimeValue = int64_t;  // An abstract unitless start/end time.
using Area = int64_t;       // A buffer's size times its lifespan's length.
using Lifespan = Interval<TimeValue>;
using Window = Interval<int64_t>;

// A sub-interval of a buffer's lifespan where it is inactive (no window),
// or where it occupies only `window` (relative to its offset).
struct Gap {
  Lifespan lifespan;
  std::optional<Window> window;

  bool operator==(const Gap& x) const {
    return lifespan == x.lifespan && window == x.window;
  }
};

// A memory of a problem with several: a name and a capacity (none:
// unbounded), in the order their heights are minimized after the cost.
struct Memory {
  std::string name;
  std::optional<Capacity> capacity;
  int64_t alignment = 1;  // Every offset in it is a multiple of this.

  bool operator==(const Memory& x) const {
    return name == x.name && capacity == x.capacity &&
           alignment == x.alignment;
  }
};

struct Buffer {
  std::string id;                // Unique within a problem.
  Lifespan lifespan = {0, 0};    // Half-open.
  int64_t size = 0;              // Memory occupied while live.
  int64_t alignment = 1;         // Every offset is a multiple of this.
  std::vector<Gap> gaps;         // Where it is inactive or partly occupied.
  std::optional<Offset> offset;  // If present, the buffer's fixed offset.
  std::optional<Offset> hint;    // A preferred offset for heuristics.
  // Read only when the problem has memories: those this buffer may live
  // in, most preferred first (empty: any); what living outside the first
  // costs (none: its size); buffers of one alias share a memory and offset.
  std::vector<std::string> memories;
  std::optional<int64_t> cost;
  std::optional<std::string> alias;

  Area area() const { return size * (lifespan.upper() - lifespan.lower()); }
  bool operator==(const Buffer& x) const {
    return id == x.id && lifespan == x.lifespan && size == x.size &&
           alignment == x.alignment && gaps == x.gaps && offset == x.offset &&
           hint == x.hint && memories == x.memories && cost == x.cost &&
           alias == x.alias;
  }
};

struct Solution {
  std::vector<Offset> offsets;  // One per buffer, in the problem's order.
  Offset height = 0;            // The largest offset + size.
  // A plan over several memories (empty and unset for one memory): each
  // buffer's memory by name, each memory's height in the order declared
  // (`height` is the first's), the cost of the buffers outside their first
  // memory, a proven lower bound on it, and whether it is proven least.
  std::vector<std::string> memories;
  std::vector<Offset> heights;
  std::optional<int64_t> cost;
  std::optional<int64_t> cost_lower_bound;
  bool optimal = false;

  bool operator==(const Solution& x) const {
    return offsets == x.offsets && height == x.height &&
           memories == x.memories;
  }
};

struct Problem {
  std::vector<Buffer> buffers;
  // No buffer may be placed such that offset + size > capacity.
  Capacity capacity = 0;
  // Several memories (empty: one, of `capacity`): a solve then plans the
  // least-cost assignment of buffers to them.
  std::vector<Memory> memories;

  bool operator==(const Problem& x) const {
    return buffers == x.buffers && capacity == x.capacity &&
           memories == x.memories;
  }
};

// What a call came to: the C API's status and its message.
enum class StatusCode : int {
  kOk = MM_OK,
  kInfeasible = MM_INFEASIBLE,
  kTimeout = MM_TIMEOUT,
  kCancelled = MM_CANCELLED,
  kUnknown = MM_UNKNOWN,
  kInvalidInput = MM_INVALID_INPUT,
  kInvalidParams = MM_INVALID_PARAMS,
  kNullPointer = MM_NULL_POINTER,
  kInvalidArgument = MM_INVALID_ARGUMENT,
  kInvalidSolution = MM_INVALID_SOLUTION,
  kIoError = MM_IO_ERROR,
  kInternal = MM_INTERNAL,
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  // The status of a C call, with this thread's message for it.
  static Status FromC(MmStatus status) {
    if (status == MM_OK) return Status();
    return Status(static_cast<StatusCode>(status), mm_last_error());
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Such as "MM_INFEASIBLE".
  const char* name() const { return mm_status_name(static_cast<int>(code_)); }
  // Such as "MM_INFEASIBLE: infeasible: no packing fits in capacity 11".
  std::string ToString() const {
    return ok() ? std::string("MM_OK") : std::string(name()) + ": " + message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains its absence (absl::StatusOr's
// shape). value() on a failed result is a programming error: check ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { return *value_; }
  T& value() & { return *value_; }
  T&& value() && { return std::move(*value_); }
  const T& operator*() const& { return *value_; }
  T& operator*() & { return *value_; }
  const T* operator->() const { return &*value_; }
  T* operator->() { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

// Deleters of the C handles, for std::unique_ptr.
struct ProblemDeleter {
  void operator()(MmProblem* p) const { mm_problem_free(p); }
};
struct ParamsDeleter {
  void operator()(MmParams* p) const { mm_params_free(p); }
};
struct SolutionDeleter {
  void operator()(MmSolution* s) const { mm_solution_free(s); }
};
struct SolverDeleter {
  void operator()(MmSolver* s) const { mm_solver_free(s); }
};
struct StringDeleter {
  void operator()(char* s) const { mm_string_free(s); }
};

using NativeProblem = std::unique_ptr<MmProblem, ProblemDeleter>;
using NativeParams = std::unique_ptr<MmParams, ParamsDeleter>;
using NativeSolution = std::unique_ptr<MmSolution, SolutionDeleter>;

// A C problem holding `problem`; the status names the first buffer fault.
inline Result<NativeProblem> ToNative(const Problem& problem) {
  NativeProblem native(mm_problem_new());
  if (!native) return Status(StatusCode::kInternal, "mm_problem_new failed");
  MmProblem* p = native.get();
  MmStatus s = mm_problem_set_capacity(p, problem.capacity);
  for (const Buffer& b : problem.buffers) {
    size_t i = 0;
    if (s == MM_OK) {
      s = mm_problem_add_buffer(p, b.id.c_str(), b.lifespan.lower(),
                                b.lifespan.upper(), b.size, &i);
    }
    if (s == MM_OK && b.alignment != 1) {
      s = mm_problem_set_alignment(p, i, b.alignment);
    }
    if (s == MM_OK && b.offset) s = mm_problem_set_offset(p, i, *b.offset);
    if (s == MM_OK && b.hint) s = mm_problem_set_hint(p, i, *b.hint);
    for (const Gap& g : b.gaps) {
      if (s != MM_OK) break;
      s = g.window ? mm_problem_add_gap_window(
                         p, i, g.lifespan.lower(), g.lifespan.upper(),
                         g.window->lower(), g.window->upper())
                   : mm_problem_add_gap(p, i, g.lifespan.lower(),
                                        g.lifespan.upper());
    }
    if (s != MM_OK) break;
    if (problem.memories.empty()) continue;
    std::string names;
    for (const std::string& m : b.memories) names += (names.empty() ? "" : "|") + m;
    s = mm_problem_set_memories(p, i, names.c_str());
    if (s == MM_OK && b.cost) s = mm_problem_set_cost(p, i, *b.cost);
    if (s == MM_OK && b.alias) s = mm_problem_set_alias(p, i, b.alias->c_str());
    if (s != MM_OK) break;
  }
  for (size_t k = 0; k < problem.memories.size() && s == MM_OK; ++k) {
    const Memory& m = problem.memories[k];
    s = mm_problem_add_memory(p, m.name.c_str(), m.capacity.value_or(MM_UNBOUNDED));
    if (s == MM_OK && m.alignment != 1) s = mm_problem_set_memory_alignment(p, k, m.alignment);
  }
  if (s != MM_OK) return Status::FromC(s);
  return Result<NativeProblem>(std::move(native));
}

// The plain value of a C problem.
inline Result<Problem> FromNative(const MmProblem* p) {
  Problem problem;
  problem.capacity = mm_problem_capacity(p);
  const size_t n = mm_problem_buffer_count(p);
  problem.buffers.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Buffer b;
    MmBufferInfo info;
    MmStatus s = mm_problem_get_buffer(p, i, &info);
    size_t needed = 0;
    if (s == MM_OK) s = mm_problem_buffer_id(p, i, nullptr, 0, &needed);
    if (s == MM_OK) {
      std::vector<char> id(needed);
      s = mm_problem_buffer_id(p, i, id.data(), id.size(), nullptr);
      b.id.assign(id.data(), needed - 1);
    }
    for (size_t j = 0; s == MM_OK && j < info.gap_count; ++j) {
      MmGapInfo g;
      s = mm_problem_get_gap(p, i, j, &g);
      Gap gap{{g.lower, g.upper}, std::nullopt};
      if (g.has_window) gap.window = Window{g.window_lower, g.window_upper};
      b.gaps.push_back(gap);
    }
    if (s != MM_OK) return Status::FromC(s);
    b.lifespan = {info.lower, info.upper};
    b.size = info.size;
    b.alignment = info.alignment;
    if (info.has_offset) b.offset = info.offset;
    if (info.has_hint) b.hint = info.hint;
    problem.buffers.push_back(std::move(b));
  }
  return problem;
}

// The plain value of a C solution.
inline Solution FromNative(const MmSolution* s) {
  const int64_t* offsets = mm_solution_offsets(s);
  Solution solution;
  solution.offsets.assign(offsets, offsets + mm_solution_count(s));
  solution.height = mm_solution_height(s);
  int64_t cost = 0, bound = 0;
  if (mm_solution_plan(s, &cost, &bound, &solution.optimal) == MM_OK) {
    solution.cost = cost;
    solution.cost_lower_bound = bound;
    for (size_t i = 0; i < solution.offsets.size(); ++i) {
      solution.memories.emplace_back(mm_solution_memory(s, i));
    }
    for (size_t m = 0; mm_solution_memory_height(s, m) >= 0; ++m) {
      solution.heights.push_back(mm_solution_memory_height(s, m));
    }
  }
  return solution;
}

// A C solution of `problem` holding `solution`'s offsets.
inline Result<NativeSolution> ToNative(const MmProblem* problem,
                                       const Solution& solution) {
  MmSolution* out = nullptr;
  MmStatus s = mm_solution_new(problem, solution.offsets.data(),
                               solution.offsets.size(), &out);
  if (s != MM_OK) return Status::FromC(s);
  return NativeSolution(out);
}

// Checks `solution` against `problem`: OK, or why it is wrong.
inline Status Validate(const Problem& problem, const Solution& solution) {
  Result<NativeProblem> p = ToNative(problem);
  if (!p.ok()) return p.status();
  Result<NativeSolution> s = ToNative(p->get(), solution);
  if (!s.ok()) return s.status();
  return Status::FromC(mm_validate(p->get(), s->get()));
}

// Reads a problem from a CSV file (its capacity is 0: files carry none).
inline Result<Problem> ReadCsv(const std::string& path) {
  MmProblem* out = nullptr;
  MmStatus s = mm_problem_read_csv(path.c_str(), &out);
  if (s != MM_OK) return Status::FromC(s);
  NativeProblem owned(out);
  return FromNative(owned.get());
}

// Reads a problem from CSV text.
inline Result<Problem> FromCsv(const std::string& text) {
  MmProblem* out = nullptr;
  MmStatus s = mm_problem_from_csv(text.c_str(), &out);
  if (s != MM_OK) return Status::FromC(s);
  NativeProblem owned(out);
  return FromNative(owned.get());
}

// What the CSV writers hand to C: `problem`, and `solution` unless it is
// null (then `solution` here is null too).
struct NativeCsv {
  NativeProblem problem;
  NativeSolution solution;
};
inline Result<NativeCsv> ToNativeCsv(const Problem& problem,
                                     const Solution* solution) {
  Result<NativeProblem> p = ToNative(problem);
  if (!p.ok()) return p.status();
  NativeCsv out{std::move(*p), nullptr};
  if (solution) {
    Result<NativeSolution> s = ToNative(out.problem.get(), *solution);
    if (!s.ok()) return s.status();
    out.solution = std::move(*s);
  }
  return out;
}

// Writes `problem` as CSV, with `solution`'s offsets unless it is null.
inline Result<std::string> ToCsv(const Problem& problem,
                                 const Solution* solution = nullptr) {
  Result<NativeCsv> c = ToNativeCsv(problem, solution);
  if (!c.ok()) return c.status();
  char* text = nullptr;
  MmStatus status =
      mm_problem_to_csv(c->problem.get(), c->solution.get(), &text);
  if (status != MM_OK) return Status::FromC(status);
  std::unique_ptr<char, StringDeleter> owned(text);
  return std::string(owned.get());
}

// Writes `problem` (and `solution`'s offsets) to a CSV file, atomically.
inline Status WriteCsv(const std::string& path, const Problem& problem,
                       const Solution* solution = nullptr) {
  Result<NativeCsv> c = ToNativeCsv(problem, solution);
  if (!c.ok()) return c.status();
  return Status::FromC(mm_problem_write_csv(
      c->problem.get(), c->solution.get(), path.c_str()));
}

// The solver's settings, as the reference's SolverParams (with this
// library's own switch, its threads, seed and determinism).
struct SolverParams {
  // Seconds before the solver gives up (infinity: never).
  double timeout_seconds = std::numeric_limits<double>::infinity();

  // The reference's nine technique switches, all on by default; for
  // ablation only.
  bool canonical_only = true;
  bool section_inference = true;
  bool dynamic_ordering = true;
  bool check_dominance = true;
  bool unallocated_floor = true;
  bool static_preordering = true;
  bool dynamic_decomposition = true;
  bool monotonic_floor = true;
  bool hatless_pruning = true;
  // Not in the reference, off by default: with one thread, whether the
  // search fills the lowest point of a section with no room to spare first
  // (the portfolio always races one worker that does).
  bool point_filling = false;
  // Not in the reference, off by default: whether identical buffers (same
  // lifespan, size and alignment) are placed in one order only.
  bool identical_order = false;
  // Not in the reference, off by default: whether the search learns from
  // failed nodes and prunes states at least as constrained (the portfolio's
  // default workers all do).
  bool failure_learning = false;

  // The static preordering heuristics to attempt, in round robin.
  std::vector<std::string> preordering_heuristics = {"WAT", "TAW", "TWA"};

  // 1: the reference's sequential algorithm; more (up to 256): the parallel
  // portfolio; 0: not set, one thread per core.
  uint32_t threads = 0;
  uint64_t seed = 0;           // Of the portfolio's tie-breaking.
  bool deterministic = false;  // Same answer whatever the timing.

  // Tunables, {key, value} in order, named and written as docs/tunables.md
  // lists them ({"slice", "64"}, {"lns.repair_budget", "1s"}); the C
  // library checks each, so a bad one fails every solve with
  // kInvalidParams.
  std::vector<std::pair<std::string, std::string>> tunables;

  // Each switch by its C name: the C library checks the names, so a
  // misspelt one here fails every solve with kInvalidParams.
  struct SwitchField {
    const char* name;
    bool SolverParams::*field;
  };
  static constexpr SwitchField kSwitches[] = {
      {"canonical_only", &SolverParams::canonical_only},
      {"section_inference", &SolverParams::section_inference},
      {"dynamic_ordering", &SolverParams::dynamic_ordering},
      {"check_dominance", &SolverParams::check_dominance},
      {"unallocated_floor", &SolverParams::unallocated_floor},
      {"static_preordering", &SolverParams::static_preordering},
      {"dynamic_decomposition", &SolverParams::dynamic_decomposition},
      {"monotonic_floor", &SolverParams::monotonic_floor},
      {"hatless_pruning", &SolverParams::hatless_pruning},
      {"point_filling", &SolverParams::point_filling},
      {"identical_order", &SolverParams::identical_order},
      {"failure_learning", &SolverParams::failure_learning},
  };
  static_assert(sizeof(kSwitches) / sizeof(kSwitches[0]) == MM_SWITCH_COUNT,
                "one field per switch of the C library");
};

// C parameters holding `params`; the status names the bad setting.
inline Result<NativeParams> ToNative(const SolverParams& params) {
  NativeParams native(mm_params_new());
  if (!native) return Status(StatusCode::kInternal, "mm_params_new failed");
  MmParams* p = native.get();
  MmStatus s = mm_params_set_time_limit(p, params.timeout_seconds);
  for (const auto& sw : SolverParams::kSwitches) {
    if (s == MM_OK) s = mm_params_set_switch(p, sw.name, params.*sw.field);
  }
  std::string heuristics;
  for (const std::string& h : params.preordering_heuristics) {
    heuristics += (heuristics.empty() ? "" : ",") + h;
  }
  if (s == MM_OK) s = mm_params_set_heuristics(p, heuristics.c_str());
  if (s == MM_OK && params.threads != 0) s = mm_params_set_threads(p, params.threads);
  if (s == MM_OK) s = mm_params_set_seed(p, params.seed);
  if (s == MM_OK) s = mm_params_set_deterministic(p, params.deterministic);
  for (const auto& [key, value] : params.tunables) {
    if (s == MM_OK) s = mm_params_set_tunable(p, key.c_str(), value.c_str());
  }
  if (s != MM_OK) return Status::FromC(s);
  return Result<NativeParams>(std::move(native));
}

enum class MinimizeStatus : int {
  kOptimal = MM_MINIMIZE_OPTIMAL,        // Height == proven lower bound.
  kFeasible = MM_MINIMIZE_FEASIBLE,      // A gap to the bound remains.
  kUnknown = MM_MINIMIZE_UNKNOWN,        // No solution found in time.
  kInfeasible = MM_MINIMIZE_INFEASIBLE,  // Not even the capacity fits.
};

// The outcome of Solver::Minimize.
struct Minimized {
  std::optional<Solution> solution;  // The best found; height = its need.
  int64_t lower_bound = 0;           // Proven: no smaller capacity fits.
  MinimizeStatus status = MinimizeStatus::kUnknown;
};

// Solves problems. Move-only; owns its C solver. Cancel() may be called
// from another thread while Solve() or Minimize() runs.
class Solver {
 public:
  Solver() : Solver(SolverParams()) {}
  explicit Solver(const SolverParams& params) {
    Result<NativeParams> p = ToNative(params);
    if (!p.ok()) {
      // Reported by every Solve, since a constructor has no result.
      params_status_ = p.status();
      return;
    }
    handle_.reset(mm_solver_new(p->get()));
  }
  Solver(Solver&&) noexcept = default;
  Solver& operator=(Solver&&) noexcept = default;
  Solver(const Solver&) = delete;
  Solver& operator=(const Solver&) = delete;

  // A solution within problem.capacity, or why there is none (kInfeasible
  // when proven, kTimeout, kCancelled, kUnknown, kInvalidInput...).
  Result<Solution> Solve(const Problem& problem) {
    if (!params_status_.ok()) return params_status_;
    Result<NativeProblem> p = ToNative(problem);
    if (!p.ok()) return p.status();
    MmSolution* out = nullptr;
    MmStatus s = mm_solver_solve(handle_.get(), p->get(), &out);
    if (s != MM_OK) return Status::FromC(s);
    NativeSolution owned(out);
    return FromNative(owned.get());
  }

  // The smallest capacity `problem` fits in (within problem.capacity when
  // it is above 0), as far as the time limit allows.
  Result<Minimized> Minimize(const Problem& problem) {
    if (!params_status_.ok()) return params_status_;
    Result<NativeProblem> p = ToNative(problem);
    if (!p.ok()) return p.status();
    MmMinimizeStatus status = MM_MINIMIZE_UNKNOWN;
    Minimized m;
    MmSolution* out = nullptr;
    MmStatus s = mm_solver_minimize(handle_.get(), p->get(), &status,
                                    &m.lower_bound, &out);
    if (s != MM_OK) return Status::FromC(s);
    NativeSolution owned(out);
    if (owned) m.solution = FromNative(owned.get());
    m.status = static_cast<MinimizeStatus>(status);
    return m;
  }

  // Stops the running Solve or Minimize (from any thread); later ones are
  // cancelled too until Reset(), so a cancel is never lost to a race.
  void Cancel() { mm_solver_cancel(handle_.get()); }
  void Reset() { mm_solver_reset(handle_.get()); }

  // Backtracks in the latest solve (the reference's get_backtracks).
  int64_t get_backtracks() const {
    return static_cast<int64_t>(mm_solver_backtracks(handle_.get()));
  }

 private:
  std::unique_ptr<MmSolver, SolverDeleter> handle_;
  Status params_status_;
};

}  // namespace minimalloc

#endif  // MINIMALLOC_HPP
