//! The reference's CSV format: problems read from files or text, and
//! problems (with a solution's offsets) written back.

use std::ffi::{c_char, CString};

use minimalloc::{from_csv, read_csv_file, to_csv, write_csv_file, Solution};

use crate::problem::MmProblem;
use crate::solution::MmSolution;
use crate::status::{borrow, c_path, clear_out, guard, guard_value, put, utf8, Error, MmStatus};

/// Stores a problem read from CSV through `out` (already checked non-NULL).
unsafe fn put_problem(out: *mut *mut MmProblem, problem: minimalloc::Problem) {
    unsafe { put(out, Box::into_raw(Box::new(MmProblem::of(problem)))) };
}

/// The optional solution argument of the writers.
unsafe fn optional_solution<'a>(solution: *const MmSolution) -> Option<&'a Solution> {
    unsafe { solution.as_ref() }.map(|s| &s.inner)
}

/// Reads a problem from the CSV file at `path` (columns id, lower, upper,
/// size, and optionally alignment, hint, gaps, offset), into `*out` (NULL on
/// failure). The file carries no capacity: the problem's is 0 until
/// `mm_problem_set_capacity`. MM_IO_ERROR if the file cannot be read,
/// MM_INVALID_INPUT with the line and column of a malformed field.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_read_csv(path: *const c_char, out: *mut *mut MmProblem) -> MmStatus {
    guard(|| {
        unsafe { clear_out(out) }?;
        let parsed = read_csv_file(unsafe { c_path(path, "path") }?)?;
        unsafe { put_problem(out, parsed.problem) };
        Ok(())
    })
}

/// Reads a problem from CSV text (as `mm_problem_read_csv` reads a file);
/// messages name the input `<input>`.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_from_csv(text: *const c_char, out: *mut *mut MmProblem) -> MmStatus {
    guard(|| {
        unsafe { clear_out(out) }?;
        let problem = from_csv(unsafe { utf8(text, "text") }?)?;
        unsafe { put_problem(out, problem) };
        Ok(())
    })
}

/// Writes `problem` as CSV to the file at `path` (replacing it atomically),
/// with an offset column from `solution` unless `solution` is NULL.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_write_csv(
    problem: *const MmProblem,
    solution: *const MmSolution,
    path: *const c_char,
) -> MmStatus {
    guard(|| {
        let problem = unsafe { borrow(problem, "problem") }?;
        let solution = unsafe { optional_solution(solution) };
        check_lengths(problem, solution)?;
        Ok(write_csv_file(unsafe { c_path(path, "path") }?, &problem.inner, solution)?)
    })
}

/// Writes `problem` (and `solution`'s offsets unless it is NULL) as CSV
/// text into `*out`, a NUL-terminated string to free with `mm_string_free`.
#[no_mangle]
pub unsafe extern "C" fn mm_problem_to_csv(
    problem: *const MmProblem,
    solution: *const MmSolution,
    out: *mut *mut c_char,
) -> MmStatus {
    guard(|| {
        unsafe { clear_out(out) }?;
        let problem = unsafe { borrow(problem, "problem") }?;
        let solution = unsafe { optional_solution(solution) };
        check_lengths(problem, solution)?;
        let text = CString::new(to_csv(&problem.inner, solution))
            .map_err(|_| Error::Argument("the CSV text holds a NUL byte (in a buffer id)".into()))?;
        unsafe { put(out, text.into_raw()) };
        Ok(())
    })
}

/// A solution written beside a problem must have one offset per buffer.
fn check_lengths(problem: &MmProblem, solution: Option<&Solution>) -> Result<(), Error> {
    match solution.map(|s| s.matches(&problem.inner)) {
        Some(Err(why)) => Err(Error::Argument(why)),
        _ => Ok(()),
    }
}

/// Frees a string the library returned (`mm_problem_to_csv`); NULL is
/// ignored. Never pass it a string from anywhere else.
#[no_mangle]
pub unsafe extern "C" fn mm_string_free(text: *mut c_char) {
    guard_value((), || {
        if !text.is_null() {
            drop(unsafe { CString::from_raw(text) });
        }
    })
}
