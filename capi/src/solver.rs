//! Solvers: solve a problem at its capacity, minimize the capacity, and
//! cancel either from another thread.
//!
//! A solver handle holds its parameters and a [`StopToken`] built on a
//! cancel flag of its own. Every solve runs under a child of that token
//! (with the time limit), and every minimization watches the same flag, so
//! `mm_solver_cancel` from any thread stops whatever the handle is running.
//! A cancel is sticky, as the reference's `Solver::Cancel` is: later solves
//! on the handle return MM_CANCELLED at once until `mm_solver_reset`. That
//! makes a cancel that arrives just before a solve starts stop it too,
//! rather than being lost.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use minimalloc::minimize::minimize_with;
use minimalloc::spill::plan;
use minimalloc::{MinimizeStatus, Outcome, PlanOutcome, SolveOptions, Solver, StopToken};

use crate::memories::PlanInfo;

use crate::params::MmParams;
use crate::problem::MmProblem;
use crate::solution::MmSolution;
use crate::status::{borrow, clear_out, guard, guard_value, put, Error, MmStatus};

/// A solver: parameters (copied when it is made), a cancel flag and the
/// counters of its latest solve. Opaque; create with `mm_solver_new`, free
/// with `mm_solver_free`. Every function on it may be called from any
/// thread, several solves at once included (a cancel stops them all).
pub struct MmSolver {
    options: SolveOptions,
    /// Raised by `mm_solver_cancel`, lowered by `mm_solver_reset`; the
    /// root of `stop`, and handed to minimizations (which take a flag).
    cancelled: Arc<AtomicBool>,
    stop: StopToken,
    nodes: AtomicU64,
    backtracks: AtomicU64,
}

/// How far a minimization got (`mm_solver_minimize`).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmMinimizeStatus {
    /// The height equals the proven lower bound: the smallest capacity.
    MM_MINIMIZE_OPTIMAL = 0,
    /// A solution exists, but a gap to the lower bound remains (the time
    /// limit or a cancel stopped the run).
    MM_MINIMIZE_FEASIBLE = 1,
    /// No solution was found in time.
    MM_MINIMIZE_UNKNOWN = 2,
    /// Not even the problem's capacity fits (proven).
    MM_MINIMIZE_INFEASIBLE = 3,
}

impl From<MinimizeStatus> for MmMinimizeStatus {
    fn from(status: MinimizeStatus) -> Self {
        match status {
            MinimizeStatus::Optimal => MmMinimizeStatus::MM_MINIMIZE_OPTIMAL,
            MinimizeStatus::Feasible => MmMinimizeStatus::MM_MINIMIZE_FEASIBLE,
            MinimizeStatus::Unknown => MmMinimizeStatus::MM_MINIMIZE_UNKNOWN,
            MinimizeStatus::Infeasible => MmMinimizeStatus::MM_MINIMIZE_INFEASIBLE,
        }
    }
}

/// A solver with a copy of `params` (NULL: the reference's defaults); the
/// parameters may be freed afterwards. Free it with `mm_solver_free`. NULL
/// only if the library failed internally.
#[no_mangle]
pub unsafe extern "C" fn mm_solver_new(params: *const MmParams) -> *mut MmSolver {
    guard_value(std::ptr::null_mut(), || {
        let options = unsafe { params.as_ref() }.map(MmParams::options).unwrap_or_default();
        let cancelled = Arc::new(AtomicBool::new(false));
        let stop = StopToken::from_flag(Arc::clone(&cancelled));
        Box::into_raw(Box::new(MmSolver {
            options,
            cancelled,
            stop,
            nodes: AtomicU64::new(0),
            backtracks: AtomicU64::new(0),
        }))
    })
}

/// Frees a solver; NULL is ignored. No solve may be running on it.
#[no_mangle]
pub unsafe extern "C" fn mm_solver_free(solver: *mut MmSolver) {
    guard_value((), || {
        if !solver.is_null() {
            drop(unsafe { Box::from_raw(solver) });
        }
    })
}

/// Finds an offset for every buffer within the problem's capacity. On MM_OK
/// `*out` holds a validated solution (free it with `mm_solution_free`);
/// otherwise `*out` is NULL and the status says why: MM_INFEASIBLE (proven),
/// MM_TIMEOUT, MM_CANCELLED, MM_UNKNOWN, MM_INVALID_INPUT (the message names
/// the buffer), MM_INVALID_PARAMS or MM_INTERNAL. A problem with memories
/// gets a plan over them (the problem's capacity is not read): the
/// least-cost assignment found, each memory packed (see
/// `mm_solution_plan`).
#[no_mangle]
pub unsafe extern "C" fn mm_solver_solve(
    solver: *const MmSolver,
    problem: *const MmProblem,
    out: *mut *mut MmSolution,
) -> MmStatus {
    guard(|| {
        unsafe { clear_out(out) }?;
        let handle = unsafe { borrow(solver, "solver") }?;
        let MmProblem { inner: problem, memories } = unsafe { borrow(problem, "problem") }?;
        // The whole problem (unique ids, totals) is checked here, so that a
        // fault is always reported as MM_INVALID_INPUT whatever path the
        // library would take.
        problem.check()?;
        if let Some(mp) = memories.problem(problem)? {
            let stop =
                handle.stop.child_until(handle.options.params.timeout.and_then(|t| Instant::now().checked_add(t)));
            match plan(&mp, &handle.options, &stop)? {
                PlanOutcome::Planned(p) => unsafe { put(out, MmSolution::boxed_plan(PlanInfo::new(&mp, p))) },
                PlanOutcome::Infeasible(why) => {
                    let capacity = mp.memories[0].capacity.unwrap_or(0);
                    return Err(Error::Ended(Outcome::Infeasible { capacity, reason: Some(why) }));
                }
                PlanOutcome::Stopped(ended) => return Err(Error::Ended(ended)),
            }
            return Ok(());
        }
        let solver = Solver::with_options(handle.options.clone());
        let result = solver.solve_with_stop(problem, &handle.stop);
        let stats = solver.stats();
        handle.nodes.store(stats.nodes, Ordering::Relaxed);
        handle.backtracks.store(stats.backtracks, Ordering::Relaxed);
        match result? {
            Outcome::Solved(solution) => unsafe { put(out, MmSolution::boxed(solution)) },
            ended => return Err(Error::Ended(ended)),
        }
        Ok(())
    })
}

/// Finds the smallest capacity the problem fits in, with a proof where the
/// time limit allows. The problem's capacity, when above 0, is a limit the
/// answer must fit within; 0 means none. On MM_OK (the run finished, or the
/// time limit or a cancel stopped it with what it had) each output that is
/// not NULL gets: `*status` how far it got, `*lower_bound` a proven lower
/// bound on the smallest capacity, and `*solution` the best solution found
/// (its height is the capacity it needs; NULL if none was found). Other
/// statuses are errors, as for `mm_solver_solve`, and leave `*solution`
/// NULL.
#[no_mangle]
pub unsafe extern "C" fn mm_solver_minimize(
    solver: *const MmSolver,
    problem: *const MmProblem,
    status: *mut MmMinimizeStatus,
    lower_bound: *mut i64,
    solution: *mut *mut MmSolution,
) -> MmStatus {
    guard(|| {
        if !solution.is_null() {
            unsafe { put(solution, std::ptr::null_mut()) };
        }
        let handle = unsafe { borrow(solver, "solver") }?;
        let handle_problem = unsafe { borrow(problem, "problem") }?;
        if handle_problem.memories.any() {
            return Err(Error::Argument("not supported: minimizing a problem with memories".into()));
        }
        let problem = &handle_problem.inner;
        problem.check()?;
        let found = minimize_with(problem, &handle.options, Arc::clone(&handle.cancelled), &|_| {})?;
        handle.nodes.store(found.nodes, Ordering::Relaxed);
        handle.backtracks.store(found.backtracks, Ordering::Relaxed);
        if !status.is_null() {
            unsafe { put(status, found.status.into()) };
        }
        if !lower_bound.is_null() {
            unsafe { put(lower_bound, found.lower_bound) };
        }
        if let (false, Some(s)) = (solution.is_null(), found.solution) {
            unsafe { put(solution, MmSolution::boxed(s)) };
        }
        Ok(())
    })
}

/// Stops every solve and minimization running on this solver, from any
/// thread: a solve returns MM_CANCELLED, a minimization what it had. The
/// cancel stays in force for later calls until `mm_solver_reset`.
#[no_mangle]
pub unsafe extern "C" fn mm_solver_cancel(solver: *const MmSolver) -> MmStatus {
    guard(|| {
        unsafe { borrow(solver, "solver") }?.stop.cancel();
        Ok(())
    })
}

/// Lifts a cancel, so that the solver can solve again.
#[no_mangle]
pub unsafe extern "C" fn mm_solver_reset(solver: *const MmSolver) -> MmStatus {
    guard(|| {
        unsafe { borrow(solver, "solver") }?.cancelled.store(false, Ordering::SeqCst);
        Ok(())
    })
}

/// Search nodes in the latest solve or minimization on this solver, over
/// every phase and probe (0 if NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_solver_nodes(solver: *const MmSolver) -> u64 {
    guard_value(0, || unsafe { solver.as_ref() }.map_or(0, |s| s.nodes.load(Ordering::Relaxed)))
}

/// Backtracks in the latest solve or minimization on this solver, over
/// every phase and probe (0 if NULL), as the reference's
/// `Solver::get_backtracks`.
#[no_mangle]
pub unsafe extern "C" fn mm_solver_backtracks(solver: *const MmSolver) -> u64 {
    guard_value(0, || unsafe { solver.as_ref() }.map_or(0, |s| s.backtracks.load(Ordering::Relaxed)))
}
