//! Solutions: the offsets a solve found (or a caller made), their height,
//! and the independent validation of a solution against a problem.

use minimalloc::{validate, Solution};

use crate::memories::PlanInfo;
use crate::problem::MmProblem;
use crate::status::{borrow, clear_out, guard, guard_value, put, Error, MmStatus};

/// Offsets, one per buffer in the problem's order, and the height they
/// reach. Opaque; made by a solve or `mm_solution_new`, freed with
/// `mm_solution_free`.
pub struct MmSolution {
    pub(crate) inner: Solution,
    /// Over several memories, the plan (`inner` then holds its offsets and
    /// its first memory's height).
    pub(crate) plan: Option<PlanInfo>,
}

impl MmSolution {
    /// A new handle owning `solution`, for an output pointer.
    pub(crate) fn boxed(solution: Solution) -> *mut MmSolution {
        Box::into_raw(Box::new(MmSolution { inner: solution, plan: None }))
    }

    /// A new handle owning a plan, for an output pointer.
    pub(crate) fn boxed_plan(plan: PlanInfo) -> *mut MmSolution {
        let inner =
            Solution { offsets: plan.plan.offsets.clone(), height: plan.plan.heights.first().copied().unwrap_or(0) };
        Box::into_raw(Box::new(MmSolution { inner, plan: Some(plan) }))
    }
}

/// A solution of `problem` from `count` offsets (one per buffer, in order);
/// its height is computed from the buffers' sizes. `offsets` may be NULL
/// when `count` is 0. The solution goes to `*out` (NULL on failure); check
/// it with `mm_validate`.
#[no_mangle]
pub unsafe extern "C" fn mm_solution_new(
    problem: *const MmProblem,
    offsets: *const i64,
    count: usize,
    out: *mut *mut MmSolution,
) -> MmStatus {
    guard(|| {
        unsafe { clear_out(out) }?;
        let problem = unsafe { borrow(problem, "problem") }?;
        let offsets = if count == 0 {
            Vec::new()
        } else if offsets.is_null() {
            return Err(Error::Null("offsets"));
        } else {
            // SAFETY: the caller gave `count` readable offsets.
            unsafe { std::slice::from_raw_parts(offsets, count) }.to_vec()
        };
        if offsets.len() != problem.inner.buffers.len() {
            return Err(Error::Argument(format!(
                "{} offsets for {} buffers",
                offsets.len(),
                problem.inner.buffers.len()
            )));
        }
        let solution = Solution::new(&problem.inner, offsets);
        unsafe { put(out, MmSolution::boxed(solution)) };
        Ok(())
    })
}

/// Frees a solution; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn mm_solution_free(solution: *mut MmSolution) {
    guard_value((), || {
        if !solution.is_null() {
            drop(unsafe { Box::from_raw(solution) });
        }
    })
}

/// How many offsets the solution has (0 if `solution` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_solution_count(solution: *const MmSolution) -> usize {
    guard_value(0, || unsafe { solution.as_ref() }.map_or(0, |s| s.inner.offsets.len()))
}

/// The offsets, `mm_solution_count` of them, owned by the solution and
/// valid until it is freed (NULL if `solution` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_solution_offsets(solution: *const MmSolution) -> *const i64 {
    guard_value(std::ptr::null(), || {
        unsafe { solution.as_ref() }.map_or(std::ptr::null(), |s| s.inner.offsets.as_ptr())
    })
}

/// The height: the largest offset plus size (0 for no buffers, -1 if
/// `solution` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mm_solution_height(solution: *const MmSolution) -> i64 {
    guard_value(-1, || unsafe { solution.as_ref() }.map_or(-1, |s| s.inner.height))
}

/// Checks that `solution` solves `problem` within its capacity: one offset
/// per buffer, fixed buffers in place, offsets aligned and inside the
/// capacity, no two buffers sharing memory while both are live, and the
/// stated height right. With memories, the same in every memory, each
/// buffer in a memory it may use, alias groups together and the cost as
/// stated. MM_OK, or MM_INVALID_SOLUTION with the first fault.
#[no_mangle]
pub unsafe extern "C" fn mm_validate(problem: *const MmProblem, solution: *const MmSolution) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow(problem, "problem") }?;
        let solution = unsafe { borrow(solution, "solution") }?;
        match problem.memories.problem(&problem.inner)? {
            Some(mp) => crate::memories::validate(&mp, solution),
            None => Ok(validate(&problem.inner, &solution.inner)?),
        }
    })
}
