//! Typed errors of the library. Messages name what the user can fix: the
//! buffer (by id), and for files the path, line and column.

use std::path::PathBuf;

use thiserror::Error;

use crate::problem::Interval;

/// Why a buffer (or the capacity) is not a valid part of a problem.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ProblemErrorKind {
    /// Lifespan ends before it starts.
    #[error("lower {0} is after upper {1}")]
    LowerAfterUpper(i64, i64),
    /// Negative size.
    #[error("negative size {0}")]
    NegativeSize(i64),
    /// Alignment below 1.
    #[error("alignment {0} is below 1")]
    Alignment(i64),
    /// Negative fixed offset.
    #[error("negative fixed offset {0}")]
    NegativeOffset(i64),
    /// A gap leaves the lifespan (or ends before it starts).
    #[error("gap {0} is not inside the lifespan {1}")]
    GapOutsideLifespan(Interval, Interval),
    /// Two gaps of one buffer overlap.
    #[error("gaps {0} and {1} overlap")]
    GapsOverlap(Interval, Interval),
    /// A gap's window leaves `[0, size]`.
    #[error("gap window {0} is not inside [0, {1}]")]
    WindowOutsideSize(Interval, i64),
    /// A fixed offset that its own alignment forbids.
    #[error("fixed offset {0} is not a multiple of alignment {1}")]
    MisalignedOffset(i64, i64),
    /// Two buffers share an id.
    #[error("duplicate id")]
    DuplicateId,
    /// A value too large for the solver's 64-bit arithmetic.
    #[error("{0} is too large (limit 2^60) for 64-bit arithmetic")]
    TooLarge(&'static str),
    /// Negative or oversized capacity.
    #[error("capacity {0} must be between 0 and 2^62")]
    Capacity(i64),
    /// The sizes together are too large for 64-bit heights.
    #[error("the buffers' sizes (each plus its alignment less one) and the highest fixed top add up to {0}, above the limit 2^62 = 4611686018427387904: packings of this problem could reach heights that overflow 64-bit arithmetic")]
    TotalTooLarge(i128),
}

/// A fault in one buffer of a problem built in code.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{}{kind}", if id.is_empty() { String::new() } else { format!("buffer '{id}' (index {buffer}): ") })]
pub struct ProblemError {
    /// Index of the buffer (`usize::MAX` for problem-wide faults).
    pub buffer: usize,
    /// Its id.
    pub id: String,
    /// What is wrong.
    pub kind: ProblemErrorKind,
}

/// What is wrong in a CSV file, at a position given by [`CsvError`].
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum CsvErrorKind {
    /// The file has no header line.
    #[error("empty file: expected a header line naming id, lower, upper and size")]
    Empty,
    /// A column name appears twice (after resolving aliases).
    #[error("duplicate column '{0}'")]
    DuplicateColumn(String),
    /// A required column is absent.
    #[error("missing required column '{0}' (header has: {1})")]
    MissingColumn(&'static str, String),
    /// A row with a different number of fields than the header.
    #[error("expected {expected} fields as in the header, found {found}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A field that is not an integer.
    #[error("'{0}' is not an integer")]
    NotInteger(String),
    /// An integer outside the 64-bit range.
    #[error("'{0}' does not fit in 64 bits")]
    Overflow(String),
    /// A malformed gap.
    #[error("malformed gap '{0}': expected 'a-b' or 'a-b@w0:w1'")]
    GapSyntax(String),
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8")]
    Utf8,
    /// A field value that breaks the model (negative size, gap outside the lifespan...).
    #[error("{0}")]
    Invalid(ProblemErrorKind),
    /// The csv layer could not read a record.
    #[error("{0}")]
    Syntax(String),
}

/// An error while reading a problem from CSV, with its position.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{}:{line}:{}{kind}", path.display(), column.as_ref().map(|(i, n)| format!("{i}: column '{n}': ")).unwrap_or_else(|| " ".to_string()))]
pub struct CsvError {
    /// The file (or `<input>` for in-memory text).
    pub path: PathBuf,
    /// 1-based line number (0 when the file is empty).
    pub line: u64,
    /// 1-based column index and its header name, when one field is at fault.
    pub column: Option<(usize, String)>,
    /// What is wrong.
    pub kind: CsvErrorKind,
}

/// Errors of file input and output.
#[derive(Debug, Error)]
pub enum IoError {
    /// Malformed content.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// The file could not be opened, read or written.
    #[error("{}: {error}", path.display())]
    File {
        /// Which file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
}

/// Why a solve produced no solution.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SolveError {
    /// The search proved that no packing exists within the capacity.
    #[error("infeasible: no packing fits in capacity {capacity}{}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Infeasible {
        /// The capacity that was refuted.
        capacity: i64,
        /// A short reason when a bound refuted it before any search.
        reason: Option<String>,
    },
    /// The time limit passed before an answer was found.
    #[error("time limit reached with no solution")]
    Timeout,
    /// [`crate::Solver::cancel`] was called.
    #[error("cancelled")]
    Cancelled,
    /// The search ended without a solution but without a proof either: it
    /// is not complete for this problem (e.g. windowed gaps whose packings
    /// interleave), or every heuristic that could run failed. Never a
    /// claim of infeasibility.
    #[error("unknown: no solution found and none ruled out ({0})")]
    Unknown(String),
    /// A solution failed the independent validation: a bug in the solver,
    /// never handed out.
    #[error("internal error: a solution failed validation ({0}); please report this problem")]
    Internal(String),
    /// The problem breaks the model's invariants.
    #[error(transparent)]
    Invalid(#[from] ProblemError),
    /// The parameters are not usable (e.g. an unknown heuristic letter).
    #[error("{0}")]
    Params(String),
}
