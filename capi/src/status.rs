//! Statuses, typed errors and the thread's last error message.
//!
//! Every fallible function of the C API returns an [`MmStatus`] and leaves a
//! message for [`mm_last_error`]; nothing else crosses the boundary. The
//! body of every exported function runs inside [`guard`] (or
//! [`guard_value`]), which turns a Rust panic into `MM_INTERNAL`
//! instead of unwinding into C, where unwinding is undefined behaviour.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use minimalloc::{CsvError, IoError, Outcome, ProblemError, SolveError, ValidationError};
use thiserror::Error;

/// What a call of the C API came to. `MM_OK` is zero, so `if (status)`
/// tests for failure; `mm_last_error()` says what went wrong.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MmStatus {
    /// Success (for a solve: a validated solution).
    MM_OK = 0,
    /// The solver proved that no packing fits in the capacity.
    MM_INFEASIBLE = 1,
    /// The time limit passed before a solution was found.
    MM_TIMEOUT = 2,
    /// The solve was cancelled (`mm_solver_cancel`).
    MM_CANCELLED = 3,
    /// The search ended with neither a solution nor a proof that none
    /// exists (never a claim of infeasibility).
    MM_UNKNOWN = 4,
    /// The problem breaks the model: negative size, lower after upper, a gap
    /// outside its lifespan, duplicate ids, a malformed CSV file...
    MM_INVALID_INPUT = 5,
    /// A parameter is unusable: an unknown switch name or preordering
    /// letter, a negative time limit.
    MM_INVALID_PARAMS = 6,
    /// A required pointer argument was NULL.
    MM_NULL_POINTER = 7,
    /// Another argument is unusable: an index out of range, a string that
    /// is not UTF-8, a too small output buffer.
    MM_INVALID_ARGUMENT = 8,
    /// `mm_validate` found the solution wrong.
    MM_INVALID_SOLUTION = 9,
    /// A file could not be opened, read or written.
    MM_IO_ERROR = 10,
    /// A bug: a solution failed the library's own validation, or the
    /// library panicked. Please report it with the problem.
    MM_INTERNAL = 11,
}

impl MmStatus {
    /// The status's name, as a C string with static lifetime.
    pub(crate) fn name(self) -> &'static CStr {
        match self {
            MmStatus::MM_OK => c"MM_OK",
            MmStatus::MM_INFEASIBLE => c"MM_INFEASIBLE",
            MmStatus::MM_TIMEOUT => c"MM_TIMEOUT",
            MmStatus::MM_CANCELLED => c"MM_CANCELLED",
            MmStatus::MM_UNKNOWN => c"MM_UNKNOWN",
            MmStatus::MM_INVALID_INPUT => c"MM_INVALID_INPUT",
            MmStatus::MM_INVALID_PARAMS => c"MM_INVALID_PARAMS",
            MmStatus::MM_NULL_POINTER => c"MM_NULL_POINTER",
            MmStatus::MM_INVALID_ARGUMENT => c"MM_INVALID_ARGUMENT",
            MmStatus::MM_INVALID_SOLUTION => c"MM_INVALID_SOLUTION",
            MmStatus::MM_IO_ERROR => c"MM_IO_ERROR",
            MmStatus::MM_INTERNAL => c"MM_INTERNAL",
        }
    }

    /// Every status, in numeric order (for `mm_status_name` and tests).
    pub(crate) const ALL: [MmStatus; 12] = [
        MmStatus::MM_OK,
        MmStatus::MM_INFEASIBLE,
        MmStatus::MM_TIMEOUT,
        MmStatus::MM_CANCELLED,
        MmStatus::MM_UNKNOWN,
        MmStatus::MM_INVALID_INPUT,
        MmStatus::MM_INVALID_PARAMS,
        MmStatus::MM_NULL_POINTER,
        MmStatus::MM_INVALID_ARGUMENT,
        MmStatus::MM_INVALID_SOLUTION,
        MmStatus::MM_IO_ERROR,
        MmStatus::MM_INTERNAL,
    ];
}

/// Why a call failed: the library's typed errors, and the boundary's own.
#[derive(Debug, Error)]
pub enum Error {
    /// A required pointer was NULL; names the argument.
    #[error("{0} is NULL")]
    Null(&'static str),
    /// An argument other than a pointer is unusable.
    #[error("{0}")]
    Argument(String),
    /// A parameter is unusable.
    #[error("{0}")]
    Params(String),
    /// The problem breaks the model's invariants.
    #[error(transparent)]
    Problem(#[from] ProblemError),
    /// The problem's memories, or what its buffers say of them, are unusable.
    #[error("{0}")]
    Input(String),
    /// A solve could not run or answer (invalid input or parameters, an
    /// internal fault).
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// A solve ended without a packing: proven infeasible, the time limit,
    /// a cancel, or no answer. Not an error in the library; C reports it
    /// through the status as every other way a call ends without a result.
    #[error("{0}")]
    Ended(Outcome),
    /// Malformed CSV text.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A file could not be read or written, or held malformed CSV.
    #[error(transparent)]
    Io(#[from] IoError),
    /// `mm_validate` rejected a solution.
    #[error("invalid solution: {0}")]
    Validation(#[from] ValidationError),
    /// `mm_validate` rejected a plan over memories.
    #[error("invalid solution: {0}")]
    Plan(String),
    /// The library panicked: a bug.
    #[error("internal error: the library panicked ({0}); please report this problem")]
    Panic(String),
}

impl Error {
    /// The status this error is reported as.
    pub fn status(&self) -> MmStatus {
        match self {
            Error::Null(_) => MmStatus::MM_NULL_POINTER,
            Error::Argument(_) => MmStatus::MM_INVALID_ARGUMENT,
            Error::Params(_) => MmStatus::MM_INVALID_PARAMS,
            Error::Problem(_) | Error::Input(_) | Error::Csv(_) => MmStatus::MM_INVALID_INPUT,
            Error::Io(IoError::Csv(_)) => MmStatus::MM_INVALID_INPUT,
            Error::Io(IoError::File { .. }) => MmStatus::MM_IO_ERROR,
            Error::Validation(_) | Error::Plan(_) => MmStatus::MM_INVALID_SOLUTION,
            Error::Panic(_) => MmStatus::MM_INTERNAL,
            Error::Ended(outcome) => match outcome {
                Outcome::Infeasible { .. } => MmStatus::MM_INFEASIBLE,
                Outcome::TimeLimit => MmStatus::MM_TIMEOUT,
                Outcome::Cancelled => MmStatus::MM_CANCELLED,
                Outcome::Unknown(_) => MmStatus::MM_UNKNOWN,
                // A packing is a result, never an error.
                Outcome::Solved(_) => MmStatus::MM_OK,
            },
            Error::Solve(e) => match e {
                SolveError::Internal(_) => MmStatus::MM_INTERNAL,
                SolveError::Invalid(_) => MmStatus::MM_INVALID_INPUT,
                SolveError::Params(_) => MmStatus::MM_INVALID_PARAMS,
            },
        }
    }
}

thread_local! {
    /// The message of the latest status-returning call on this thread
    /// (empty after success). Thread-local so that threads solving at the
    /// same time never see each other's messages, and so that no lock is
    /// taken on the way out of a call.
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error.
fn set_last_error(message: &str) {
    // A message cannot hold a NUL byte as a C string; user text in
    // messages is already escaped by the library, so this only guards.
    let text = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = text);
}

/// The text of a panic's payload, when it is a string.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_string()
    }
}

/// Runs the body of a status-returning function: its error, or a panic,
/// becomes a status and this thread's last error message.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> MmStatus {
    // Unwind safety: after a panic the call reports MM_INTERNAL, and the
    // handles it touched are left as the panic found them; Rust's own
    // invariants (no torn values) still hold, which is all a caller needs
    // to free them.
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| Err(Error::Panic(panic_text(&*p))));
    match outcome {
        Ok(()) => {
            set_last_error("");
            MmStatus::MM_OK
        }
        Err(e) => {
            set_last_error(&e.to_string());
            e.status()
        }
    }
}

/// Runs the body of a function that returns a value rather than a status
/// (a getter, a constructor): a panic yields `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|p| {
        set_last_error(&Error::Panic(panic_text(&*p)).to_string());
        fallback
    })
}

/// Borrows `*ptr`, or fails naming `what`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing mutates meanwhile.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, what: &'static str) -> Result<&'a T, Error> {
    unsafe { ptr.as_ref() }.ok_or(Error::Null(what))
}

/// Borrows `*ptr` mutably, or fails naming `what`.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing else uses meanwhile.
pub(crate) unsafe fn borrow_mut<'a, T>(ptr: *mut T, what: &'static str) -> Result<&'a mut T, Error> {
    unsafe { ptr.as_mut() }.ok_or(Error::Null(what))
}

/// Reads a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn utf8<'a>(ptr: *const c_char, what: &'static str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::Null(what));
    }
    unsafe { CStr::from_ptr(ptr) }.to_str().map_err(|_| Error::Argument(format!("{what} is not valid UTF-8")))
}

/// Reads a NUL-terminated path argument (any bytes on Unix).
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string.
pub(crate) unsafe fn c_path<'a>(ptr: *const c_char, what: &'static str) -> Result<&'a std::path::Path, Error> {
    if ptr.is_null() {
        return Err(Error::Null(what));
    }
    let bytes = unsafe { CStr::from_ptr(ptr) };
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(std::path::Path::new(std::ffi::OsStr::from_bytes(bytes.to_bytes())))
    }
    #[cfg(not(unix))]
    {
        bytes.to_str().map(std::path::Path::new).map_err(|_| Error::Argument(format!("{what} is not valid UTF-8")))
    }
}

/// Stores `value` through an output pointer that was checked to be non-NULL.
///
/// # Safety
/// `out` points to writable memory for a `T`.
pub(crate) unsafe fn put<T>(out: *mut T, value: T) {
    unsafe { out.write(value) }
}

/// Checks an output argument and sets `*out` to NULL, so that it is NULL
/// whatever the call returns unless it succeeds.
///
/// # Safety
/// `out` must be NULL or valid for a write.
pub(crate) unsafe fn clear_out<T>(out: *mut *mut T) -> Result<(), Error> {
    if out.is_null() {
        return Err(Error::Null("out"));
    }
    unsafe { put(out, std::ptr::null_mut()) };
    Ok(())
}

/// The message of the latest failed call on this thread, or an empty string
/// after a call that succeeded. Never NULL. The pointer stays valid until
/// the next status-returning call on the same thread; copy the text to keep
/// it.
#[no_mangle]
pub extern "C" fn mm_last_error() -> *const c_char {
    guard_value(c"".as_ptr(), || LAST_ERROR.with(|e| e.borrow().as_ptr()))
}

/// The name of a status, such as "MM_INFEASIBLE"; "MM_UNRECOGNIZED" for a
/// number that is no status. Static storage: never freed.
#[no_mangle]
pub extern "C" fn mm_status_name(status: i32) -> *const c_char {
    guard_value(c"MM_UNRECOGNIZED".as_ptr(), || {
        let found = usize::try_from(status).ok().and_then(|i| MmStatus::ALL.get(i));
        found.map_or(c"MM_UNRECOGNIZED", |s| s.name()).as_ptr()
    })
}

/// The version of the library, such as "0.1.0". Static storage.
#[no_mangle]
pub extern "C" fn mm_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_numbered_in_order_and_named() {
        for (i, s) in MmStatus::ALL.into_iter().enumerate() {
            assert_eq!(s as usize, i);
            let name = unsafe { CStr::from_ptr(mm_status_name(i as i32)) };
            assert_eq!(name, s.name());
            assert_eq!(format!("{s:?}").as_bytes(), name.to_bytes());
        }
        let bad = unsafe { CStr::from_ptr(mm_status_name(-1)) };
        assert_eq!(bad, c"MM_UNRECOGNIZED");
        assert_eq!(unsafe { CStr::from_ptr(mm_status_name(99)) }, c"MM_UNRECOGNIZED");
    }

    #[test]
    fn a_panic_becomes_an_internal_status_with_its_message() {
        let status = guard(|| panic!("boom"));
        assert_eq!(status, MmStatus::MM_INTERNAL);
        let message = unsafe { CStr::from_ptr(mm_last_error()) }.to_str().unwrap().to_string();
        assert!(message.contains("boom"), "{message}");
        assert_eq!(guard(|| Ok(())), MmStatus::MM_OK);
        assert_eq!(unsafe { CStr::from_ptr(mm_last_error()) }, c"");
        assert_eq!(guard_value(7, || panic!("again")), 7);
    }
}
