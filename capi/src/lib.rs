//! # minimalloc's C API
//!
//! A C ABI over the [`minimalloc`] library, so that compilers written in C
//! or C++ can link the solver: build a problem, set parameters, solve or
//! minimize the capacity, cancel from another thread, validate, and read or
//! write the reference's CSV format. `include/minimalloc.h` is generated
//! from this crate by cbindgen (a test fails when it is stale), and
//! `include/minimalloc.hpp` wraps it in RAII types shaped like the
//! reference's C++ (`Problem`, `Buffer`, `Solution`, `SolverParams`,
//! `Solver::Solve`).
//!
//! The rules every function follows, so that a C caller can rely on them:
//! - No Rust panic crosses the boundary: each body runs under
//!   `catch_unwind` and a panic becomes `MM_INTERNAL`.
//! - Every failure is an [`MmStatus`] plus a message, read with
//!   `mm_last_error()` on the same thread.
//! - Ownership is explicit: what `mm_X_new` (or an output pointer) hands
//!   out, `mm_X_free` takes back; borrowed pointers (offsets, names) live
//!   as long as their owner.
//! - Pointer arguments are checked for NULL (`MM_NULL_POINTER`); beyond
//!   that, a pointer must be NULL or a live handle of the right kind, which
//!   C cannot check. That is every function's safety contract, so the
//!   functions carry no `# Safety` section each.
//!
//! Only the items re-exported at the root of `minimalloc` are used.

#![deny(unsafe_op_in_unsafe_fn)]
#![allow(clippy::missing_safety_doc)]

// In this order, which is also the header's: cbindgen emits the modules
// as declared (blank lines keep rustfmt from sorting them).
mod status;

mod problem;

mod params;

mod solution;

mod solver;

mod csv;

mod memories;

pub use csv::{mm_problem_from_csv, mm_problem_read_csv, mm_problem_to_csv, mm_problem_write_csv, mm_string_free};
pub use memories::{
    mm_problem_add_memory, mm_problem_memory_count, mm_problem_set_alias, mm_problem_set_cost, mm_problem_set_memories,
    mm_problem_set_memory_alignment, mm_solution_memory, mm_solution_memory_height, mm_solution_plan, MM_UNBOUNDED,
};
pub use params::{
    mm_params_free, mm_params_get_switch, mm_params_new, mm_params_set_deterministic, mm_params_set_heuristics,
    mm_params_set_large_pairs, mm_params_set_seed, mm_params_set_switch, mm_params_set_switch_id,
    mm_params_set_threads, mm_params_set_time_limit, mm_params_set_tunable, mm_switch_count, mm_switch_name, MmParams,
    MmSwitch,
};
pub use problem::{
    mm_problem_add_buffer, mm_problem_add_gap, mm_problem_add_gap_window, mm_problem_buffer_count,
    mm_problem_buffer_id, mm_problem_capacity, mm_problem_check, mm_problem_clear_hint, mm_problem_clear_offset,
    mm_problem_clone, mm_problem_free, mm_problem_get_buffer, mm_problem_get_gap, mm_problem_new,
    mm_problem_set_alignment, mm_problem_set_capacity, mm_problem_set_hint, mm_problem_set_offset, MmBufferInfo,
    MmGapInfo, MmProblem,
};
pub use solution::{
    mm_solution_count, mm_solution_free, mm_solution_height, mm_solution_new, mm_solution_offsets, mm_validate,
    MmSolution,
};
pub use solver::{
    mm_solver_backtracks, mm_solver_cancel, mm_solver_free, mm_solver_minimize, mm_solver_new, mm_solver_nodes,
    mm_solver_reset, mm_solver_solve, MmMinimizeStatus, MmSolver,
};
pub use status::{mm_last_error, mm_status_name, mm_version, Error, MmStatus};
