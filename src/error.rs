//! Typed errors of the library. Messages name what the user can fix: the
//! buffer (by id), and for files the path, line and column.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::interval::Interval;

/// How many characters of a user's text a message repeats: enough to
/// recognize a field, and for a header, its usual columns.
const FIELD_CHARS: usize = 40;
const HEADER_CHARS: usize = 200;

/// A user's text (a field, an id, a header) as a message repeats it:
/// quoted, with control characters escaped so that a newline in a field
/// cannot fake a line of output, and cut to its first 40 characters with its
/// length in bytes when longer, so that a 10 MiB field does not make a
/// 10 MiB message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        let cut = write_excerpt(f, self.0, FIELD_CHARS)?;
        f.write_str("'")?;
        if cut {
            write!(f, " ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// [`Quoted`] without the quotes and with a longer cut, for a header line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Excerpt<'a>(pub &'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if write_excerpt(f, self.0, HEADER_CHARS)? {
            write!(f, " ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// Writes at most `limit` characters of `text`, then `...` if there was
/// more; returns whether it was cut.
fn write_excerpt(f: &mut fmt::Formatter<'_>, text: &str, limit: usize) -> Result<bool, fmt::Error> {
    let mut chars = text.chars();
    for c in chars.by_ref().take(limit) {
        if c.is_control() {
            write!(f, "{}", c.escape_debug())?;
        } else {
            write!(f, "{c}")?;
        }
    }
    let cut = chars.next().is_some();
    if cut {
        f.write_str("...")?;
    }
    Ok(cut)
}

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
#[error("{}{kind}", if id.is_empty() { String::new() } else { format!("buffer {} (index {buffer}): ", Quoted(id)) })]
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
    #[error("duplicate column {}", Quoted(.0))]
    DuplicateColumn(String),
    /// A required column is absent.
    #[error("missing required column '{}' (header has: {})", .0, Excerpt(.1))]
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
    #[error("{} is not an integer", Quoted(.0))]
    NotInteger(String),
    /// An integer outside the 64-bit range.
    #[error("{} does not fit in 64 bits", Quoted(.0))]
    Overflow(String),
    /// A malformed gap.
    #[error("malformed gap {}: expected 'a-b' or 'a-b@w0:w1'", Quoted(.0))]
    GapSyntax(String),
    /// Bytes that are not UTF-8.
    #[error("invalid UTF-8")]
    Utf8,
    /// A `memories` field with an empty name (`sram||dram`).
    #[error("malformed memory list {}: expected names separated by '|'", Quoted(.0))]
    MemoryList(String),
    /// A negative `cost`.
    #[error("negative cost {0}")]
    NegativeCost(i64),
    /// A field value that breaks the model (negative size, gap outside the lifespan...).
    #[error("{0}")]
    Invalid(ProblemErrorKind),
    /// The csv layer could not read a record.
    #[error("{0}")]
    Syntax(String),
}

/// An error while reading a problem from CSV, with its position.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{}:{line}:{}{kind}", path.display(), column.as_ref().map(|(i, n)| format!("{i}: column {}: ", Quoted(n))).unwrap_or_else(|| " ".to_string()))]
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

/// Why a solve could not run or answer: the caller's input or parameters,
/// or a fault inside the solver. How a solve ends (a packing, a proof that
/// none exists, a time limit, no answer) is a [`crate::Outcome`], not an
/// error.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SolveError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_quoted_cut_and_escaped() {
        assert_eq!(Quoted("4.5").to_string(), "'4.5'");
        assert_eq!(Quoted("").to_string(), "''");
        assert_eq!(Quoted(&"x".repeat(40)).to_string(), format!("'{}'", "x".repeat(40)));
        assert_eq!(Quoted(&"x".repeat(41)).to_string(), format!("'{}...' (41 bytes)", "x".repeat(40)));
        // Cut at a character, not a byte; the length is in bytes.
        assert_eq!(Quoted(&"é".repeat(50)).to_string(), format!("'{}...' (100 bytes)", "é".repeat(40)));
        assert_eq!(Quoted("a\nb\r\t").to_string(), "'a\\nb\\r\\t'");
        assert_eq!(Excerpt("id,lower,size").to_string(), "id,lower,size");
        assert!(Excerpt(&"h,".repeat(10_000)).to_string().ends_with("... (20000 bytes)"));
        let e = CsvErrorKind::NotInteger("9".repeat(1 << 20)).to_string();
        assert_eq!(e, format!("'{}...' (1048576 bytes) is not an integer", "9".repeat(40)));
        let e = ProblemError { buffer: 0, id: "b".repeat(100), kind: ProblemErrorKind::NegativeSize(-1) };
        assert_eq!(e.to_string(), format!("buffer '{}...' (100 bytes) (index 0): negative size -1", "b".repeat(40)));
    }
}
