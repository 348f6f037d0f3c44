// The C++ wrapper in use: the seed example (offsets 8, 8, 4, 4, 0 at
// capacity 12), a problem with gaps, alignment and a fixed offset, the
// smallest capacity of the seed, CSV text, bad input reported as a
// status, and the seed spilled over two memories. Exits non-zero if any answer is not the expected one, so CI can
// run it as a test.

#include <cstdio>
#include <string>
#include <vector>

#include "minimalloc.hpp"

namespace mm = minimalloc;

static int checks = 0;
static int failures = 0;

static void Check(bool ok, const std::string& what) {
  ++checks;
  if (!ok) {
    std::printf("FAILED: %s\n", what.c_str());
    ++failures;
  }
}

static std::string Join(const std::vector<mm::Offset>& offsets) {
  std::string out;
  for (size_t i = 0; i < offsets.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(offsets[i]);
  }
  return out;
}

int main() {
  std::printf("minimalloc %s\n", mm_version());

  // The seed: five buffers, capacity 12.
  mm::Problem seed;
  seed.capacity = 12;
  seed.buffers = {
      {"b1", {0, 3}, 4}, {"b2", {3, 9}, 4}, {"b3", {0, 9}, 4},
      {"b4", {9, 21}, 4}, {"b5", {0, 21}, 4},
  };
  mm::Solver solver;
  mm::Result<mm::Solution> solution = solver.Solve(seed);
  if (!solution.ok()) {
    std::printf("seed: %s\n", solution.status().ToString().c_str());
    return 1;
  }
  std::printf("seed: offsets %s (height %lld)\n", Join(solution->offsets).c_str(),
              static_cast<long long>(solution->height));
  Check(solution->offsets == std::vector<mm::Offset>{8, 8, 4, 4, 0}, "seed offsets 8, 8, 4, 4, 0");
  Check(mm::Validate(seed, *solution).ok(), "seed solution valid");

  // The same problem from the reference's CSV format.
  mm::Result<mm::Problem> parsed =
      mm::FromCsv("id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n");
  Check(parsed.ok() && parsed->buffers == seed.buffers, "CSV reads the same buffers");

  // Gaps, alignment and a fixed offset.
  mm::Problem mixed;
  mixed.capacity = 16;
  mm::Buffer fixed{"fixed", {0, 10}, 4};
  fixed.offset = 12;  // Must sit at 12.
  mm::Buffer aligned{"aligned", {0, 10}, 3};
  aligned.alignment = 4;  // Offset 0, 4, 8 or 12.
  mm::Buffer gapped{"gapped", {0, 10}, 8};
  gapped.gaps = {{{2, 6}, std::nullopt},      // Inactive over [2, 6).
                 {{6, 10}, mm::Window{0, 4}}};  // Only its lower half after.
  mm::Buffer middle{"middle", {2, 6}, 8};      // Fits in gapped's gap.
  mm::Buffer late{"late", {6, 10}, 4};
  mixed.buffers = {fixed, aligned, gapped, middle, late};
  mm::Result<mm::Solution> packed = solver.Solve(mixed);
  if (!packed.ok()) {
    std::printf("mixed: %s\n", packed.status().ToString().c_str());
    return 1;
  }
  std::printf("gaps, alignment and a fixed offset (capacity 16):\n");
  for (size_t i = 0; i < mixed.buffers.size(); ++i) {
    std::printf("  %-8s offset %2lld\n", mixed.buffers[i].id.c_str(),
                static_cast<long long>(packed->offsets[i]));
  }
  std::printf("  height %lld\n", static_cast<long long>(packed->height));
  Check(packed->offsets[0] == 12, "the fixed buffer stays at 12");
  Check(packed->offsets[1] % 4 == 0, "the aligned buffer is aligned");
  Check(mm::Validate(mixed, *packed).ok(), "mixed solution valid");

  // The smallest capacity of the seed, proven.
  mm::Problem open = seed;
  open.capacity = 0;  // No limit: minimize.
  mm::Result<mm::Minimized> smallest = solver.Minimize(open);
  Check(smallest.ok() && smallest->solution && smallest->status == mm::MinimizeStatus::kOptimal &&
            smallest->solution->height == 12 && smallest->lower_bound == 12,
        "the seed's smallest capacity is 12, proven");
  if (smallest.ok() && smallest->solution) {
    std::printf("seed minimized: height %lld, lower bound %lld, %s\n",
                static_cast<long long>(smallest->solution->height),
                static_cast<long long>(smallest->lower_bound),
                smallest->status == mm::MinimizeStatus::kOptimal ? "optimal" : "not proven");
  }

  // The solution written as CSV.
  mm::Result<std::string> csv = mm::ToCsv(seed, &*solution);
  Check(csv.ok(), "CSV written");
  if (csv.ok()) std::printf("seed as CSV:\n%s", csv->c_str());
  mm::Result<std::string> bare = mm::ToCsv(seed);
  Check(bare.ok() && bare->find("offset") == std::string::npos, "CSV without a solution has no offsets");
  const std::string path = "minimalloc-example-seed.csv";
  Check(mm::WriteCsv(path, seed, &*solution).ok(), "CSV file written");
  mm::Result<mm::Problem> back = mm::ReadCsv(path);
  Check(back.ok() && back->buffers.size() == seed.buffers.size(), "CSV file read back");
  std::remove(path.c_str());

  // Bad input comes back as a status and a message, never an exception.
  mm::Problem bad = seed;
  bad.buffers[1].size = -4;
  mm::Result<mm::Solution> refused = solver.Solve(bad);
  std::printf("negative size: %s\n", refused.status().ToString().c_str());
  Check(!refused.ok() && refused.status().code() == mm::StatusCode::kInvalidInput, "negative size refused");
  mm::Problem tight = seed;
  tight.capacity = 11;
  mm::Result<mm::Solution> none = solver.Solve(tight);
  std::printf("capacity 11: %s\n", none.status().ToString().c_str());
  Check(!none.ok() && none.status().code() == mm::StatusCode::kInfeasible, "capacity 11 infeasible");
  mm::SolverParams params;
  params.preordering_heuristics = {"WAX"};
  mm::Result<mm::Solution> misconfigured = mm::Solver(params).Solve(seed);
  std::printf("heuristic WAX: %s\n", misconfigured.status().ToString().c_str());
  Check(misconfigured.status().code() == mm::StatusCode::kInvalidParams, "bad heuristic refused");

  // Reference-shaped parameters: one thread, one switch off.
  mm::SolverParams reference;
  reference.threads = 1;
  reference.canonical_only = false;
  mm::Result<mm::Solution> sequential = mm::Solver(reference).Solve(seed);
  Check(sequential.ok() && mm::Validate(seed, *sequential).ok(), "sequential solve with a switch off");

  // Two memories: at 8 bytes of sram the seed spills its cheapest buffer
  // to dram; b1 and b2 (one alias, in place) share a memory and an offset.
  mm::Problem spill = seed;
  spill.memories = {{"sram", 8}, {"dram", std::nullopt}};
  spill.buffers[0].alias = spill.buffers[1].alias = "in_place";
  mm::Result<mm::Solution> plan = solver.Solve(spill);
  if (!plan.ok()) std::printf("spill: %s\n", plan.status().ToString().c_str());
  Check(plan.ok() && plan->cost == 4 && plan->optimal, "spilling costs 4, proven");
  if (plan.ok()) {
    std::printf("spill: cost %lld (bound %lld), memories", static_cast<long long>(plan->cost.value_or(-1)),
                static_cast<long long>(plan->cost_lower_bound.value_or(-1)));
    for (const std::string& m : plan->memories) std::printf(" %s", m.c_str());
    std::printf(", heights %s\n", Join(plan->heights).c_str());
    Check(plan->memories[0] == plan->memories[1] && plan->offsets[0] == plan->offsets[1], "the alias group together");
    Check(plan->heights.size() == 2 && plan->heights[0] <= 8, "sram within 8 bytes");
  }

  std::printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
