//! Reading and writing problems and solutions in the reference's CSV format.
//!
//! The header names columns in any order: `id` (or `buffer`, `buffer_id`),
//! `lower` (or `start`, `begin`), `upper` (or `end`, which is inclusive, so
//! one is added), `size`, and optionally `alignment`, `hint` (negative means
//! none), `gaps` (space-separated `a-b` or `a-b@w0:w1`, inclusive under `end`
//! like the lifespan) and `offset` (a fixed offset). Unknown columns are
//! ignored with a warning. Every fault is reported with the file, the line and
//! the column, and reading streams row by row, so a 62k-row trace is never
//! held as text.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{CsvError, CsvErrorKind, IoError, ProblemErrorKind, Quoted};
use crate::problem::{check_buffer_with, Buffer, Gap, Interval, Problem, Solution};

/// A problem read from CSV (capacity 0: the file does not carry one) and the
/// warnings met on the way (e.g. ignored columns).
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// The buffers read.
    pub problem: Problem,
    /// Non-fatal remarks, one line each.
    pub warnings: Vec<String>,
    /// The columns of a problem over several memories (`memories`,
    /// `cost`), when the file has either.
    pub memory_columns: Option<MemoryColumns>,
}

/// What a file says of its buffers' memories (see
/// [`crate::spill::MemoryProblem`]), one entry per buffer in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryColumns {
    /// The memory names each buffer may live in, most preferred first
    /// (`sram|dram`); empty when its field is empty (every memory).
    pub memories: Vec<Vec<String>>,
    /// Each buffer's cost outside its first choice, when its field is set.
    pub costs: Vec<Option<i64>>,
    /// Each buffer's alias (in-place buffers share one), when its field is set.
    pub aliases: Vec<Option<String>>,
    /// The line each buffer was read from.
    pub lines: Vec<u64>,
    /// The `memories` column's 1-based index and header name, for messages.
    pub column: Option<(usize, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Col {
    Id,
    Lower,
    Upper,
    Size,
    Alignment,
    Hint,
    Gaps,
    Offset,
    Memories,
    Cost,
    Alias,
}

/// Where each known column sits, by [`Col`]: read for every field of every
/// row, so an array rather than a hash map.
#[derive(Default)]
struct ColumnIndex([Option<usize>; 11]);

impl ColumnIndex {
    fn get(&self, col: Col) -> Option<usize> {
        self.0[col as usize]
    }

    /// Records that `col` sits at `i`; the position it had, if any.
    fn insert(&mut self, col: Col, i: usize) -> Option<usize> {
        self.0[col as usize].replace(i)
    }
}

impl Col {
    fn name(self) -> &'static str {
        match self {
            Col::Id => "id",
            Col::Lower => "lower",
            Col::Upper => "upper",
            Col::Size => "size",
            Col::Alignment => "alignment",
            Col::Hint => "hint",
            Col::Gaps => "gaps",
            Col::Offset => "offset",
            Col::Memories => "memories",
            Col::Cost => "cost",
            Col::Alias => "alias",
        }
    }

    fn parse(name: &str) -> Option<(Col, bool)> {
        Some(match name {
            "id" | "buffer" | "buffer_id" => (Col::Id, false),
            "lower" | "start" | "begin" => (Col::Lower, false),
            "upper" => (Col::Upper, false),
            "end" => (Col::Upper, true),
            "size" => (Col::Size, false),
            "alignment" => (Col::Alignment, false),
            "hint" => (Col::Hint, false),
            "gaps" => (Col::Gaps, false),
            "offset" => (Col::Offset, false),
            // `memory` is what a plan's output writes: read back, each
            // buffer stays where it was placed.
            "memories" | "memory" => (Col::Memories, false),
            "cost" => (Col::Cost, false),
            "alias" => (Col::Alias, false),
            _ => return None,
        })
    }
}

/// What [`read_csv_with`] accepts beyond this crate's model. The default
/// (what [`read_csv`] and the command line use) accepts nothing more, and
/// reads one memory's columns only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Gaps that reach past their buffer's lifespan (the reference's reader
    /// takes them). The model's check still refuses them: a caller cuts
    /// them to the lifespan before solving, as the Python package does.
    pub gaps_past_lifespan: bool,
    /// Two rows with the same id (the reference's reader takes them too;
    /// ids are only labels there). The model's check refuses them.
    pub duplicate_ids: bool,
    /// Read the `memories` (or `memory`), `cost` and `alias` columns into
    /// [`Parsed::memory_columns`] (a problem over several memories).
    /// Otherwise they are unknown columns, ignored with a warning, as the
    /// reference ignores them.
    pub memory_columns: bool,
}

/// Where each known column sits in a row.
struct Header {
    index: ColumnIndex,
    names: Vec<String>,
    /// 1 when the time columns are inclusive (`end`), else 0.
    addend: i64,
}

/// Reads a problem from CSV text held in memory; errors name `<input>`.
pub fn from_csv(text: &str) -> Result<Problem, CsvError> {
    read_csv(text.as_bytes(), Path::new("<input>")).map(|p| p.problem)
}

/// Reads a problem from a CSV file.
pub fn read_csv_file(path: impl AsRef<Path>) -> Result<Parsed, IoError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|error| IoError::File { path: path.to_path_buf(), error })?;
    Ok(read_csv(BufReader::with_capacity(1 << 16, file), path)?)
}

/// Rows [`read_csv_file_until`] reads between two questions to `halt`.
/// `[default: 65536]` `[range: 1..]`: about twenty milliseconds.
const HALT_ROWS: u64 = 1 << 16;

/// [`read_csv_file_with`] that asks `halt` every 65,536 rows: `Ok(None)`
/// when it said to stop (a million rows take a third of a second, longer
/// than a Ctrl-C should wait). Only regular files are read: a folder, a
/// named pipe, a socket or a device is refused before it is opened, since
/// opening a pipe with no writer waits forever.
pub fn read_csv_file_until(
    path: impl AsRef<Path>,
    options: ReadOptions,
    halt: &dyn Fn() -> bool,
) -> Result<Option<Parsed>, IoError> {
    let path = path.as_ref();
    let fail = |error| IoError::File { path: path.to_path_buf(), error };
    let meta = std::fs::metadata(path).map_err(fail)?;
    if !meta.is_file() {
        let what = super::paths::kind_of(&meta);
        return Err(fail(std::io::Error::other(format!("not a regular file ({what})"))));
    }
    let file = File::open(path).map_err(fail)?;
    Ok(read_rows(BufReader::with_capacity(1 << 16, file), path, options, halt)?)
}

/// [`read_csv_file`], accepting what `options` says beyond the model.
pub fn read_csv_file_with(path: impl AsRef<Path>, options: ReadOptions) -> Result<Parsed, IoError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|error| IoError::File { path: path.to_path_buf(), error })?;
    Ok(read_csv_with(BufReader::with_capacity(1 << 16, file), path, options)?)
}

/// Reads a problem from any reader; `path` is only used in messages.
pub fn read_csv<R: Read>(reader: R, path: &Path) -> Result<Parsed, CsvError> {
    read_csv_with(reader, path, ReadOptions::default())
}

/// [`read_csv`], accepting what `options` says beyond the model.
pub fn read_csv_with<R: Read>(reader: R, path: &Path, options: ReadOptions) -> Result<Parsed, CsvError> {
    // Never halted, so never `None`.
    read_rows(reader, path, options, &|| false).map(Option::unwrap_or_default)
}

/// [`read_csv_with`], asking `halt` every [`HALT_ROWS`] rows (`None` when it
/// said to stop).
fn read_rows<R: Read>(
    reader: R,
    path: &Path,
    options: ReadOptions,
    halt: &dyn Fn() -> bool,
) -> Result<Option<Parsed>, CsvError> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let err =
        |line: u64, column: Option<(usize, String)>, kind| CsvError { path: path.to_path_buf(), line, column, kind };
    let mut record = csv::ByteRecord::new();
    let mut spans = Vec::new();
    let mut header: Option<Header> = None;
    let mut problem = Problem::default();
    let mut warnings = Vec::new();
    // The line each buffer was read from, for the duplicate ids found last.
    let mut lines: Vec<u64> = Vec::new();
    let mut memory_columns: Option<MemoryColumns> = None;
    loop {
        let more = rdr.read_byte_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            let kind = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => CsvErrorKind::Utf8,
                csv::ErrorKind::Io(io) => CsvErrorKind::Syntax(io.to_string()),
                _ => CsvErrorKind::Syntax(e.to_string()),
            };
            err(line, None, kind)
        })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        if line % HALT_ROWS == 0 && halt() {
            return Ok(None);
        }
        let fields = Fields::of(&record, line == 1, &mut spans).map_err(|i| {
            let column = header.as_ref().map(|h| (i + 1, h.names.get(i).cloned().unwrap_or_default()));
            err(line, column, CsvErrorKind::Utf8)
        })?;
        if (0..fields.len()).all(|i| fields.get(i).trim().is_empty()) {
            continue; // blank line
        }
        let Some(h) = &header else {
            let names: Vec<&str> = (0..fields.len()).map(|i| fields.get(i)).collect();
            let (h, w) = read_header(&names, options.memory_columns).map_err(|(col, kind)| err(line, col, kind))?;
            warnings.extend(w.into_iter().map(|w| format!("{}:{line}: {w}", path.display())));
            header = Some(h);
            continue;
        };
        if fields.len() != h.names.len() {
            return Err(err(line, None, CsvErrorKind::FieldCount { expected: h.names.len(), found: fields.len() }));
        }
        let buffer = read_row(h, &fields).map_err(|(col, kind)| err(line, Some(col_pos(h, col)), kind))?;
        if let Err(kind) = check_buffer_with(&buffer, options.gaps_past_lifespan) {
            let col = column_of(&kind);
            return Err(err(line, Some(col_pos(h, col)), CsvErrorKind::Invalid(kind)));
        }
        if [Col::Memories, Col::Cost, Col::Alias].iter().any(|&c| h.index.get(c).is_some()) {
            let m = memory_columns.get_or_insert_with(|| MemoryColumns::of(h));
            m.push(h, &fields, line).map_err(|(col, kind)| err(line, Some(col_pos(h, col)), kind))?;
        }
        problem.buffers.push(buffer);
        lines.push(line);
    }
    let Some(h) = &header else {
        return Err(err(0, None, CsvErrorKind::Empty));
    };
    if !options.duplicate_ids {
        // Once every row is read: a map of borrowed ids, instead of a copy
        // of each id made as its row is read.
        if let Some((first, dup)) = crate::problem::first_duplicate(&problem.buffers) {
            let id = Quoted(&problem.buffers[dup].id);
            let kind = CsvErrorKind::Syntax(format!("duplicate id {id} (first on line {})", lines[first]));
            return Err(err(lines[dup], Some(col_pos(h, Col::Id)), kind));
        }
    }
    Ok(Some(Parsed { problem, warnings, memory_columns }))
}

/// One record's fields, as ranges of its text checked for UTF-8 once (the
/// ranges are kept from row to row: a list of fields made for every row
/// cost more than the row's parsing).
struct Fields<'r> {
    text: &'r str,
    spans: &'r [(usize, usize)],
}

impl<'r> Fields<'r> {
    /// The fields of `record` (`first`: the file's first line, where a
    /// byte-order mark is skipped); `Err` with the first field (0-based)
    /// that is not UTF-8.
    fn of(record: &'r csv::ByteRecord, first: bool, spans: &'r mut Vec<(usize, usize)>) -> Result<Self, usize> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let bytes = record.as_slice();
        spans.clear();
        for i in 0..record.len() {
            let r = record.range(i).unwrap_or(0..0);
            let bom = first && i == 0 && bytes.get(r.clone()).is_some_and(|f| f.starts_with(BOM));
            spans.push((if bom { r.start + BOM.len() } else { r.start }, r.end));
        }
        let whole = |text: &str| spans.iter().all(|&(a, b)| text.is_char_boundary(a) && text.is_char_boundary(b));
        match std::str::from_utf8(bytes) {
            Ok(text) if whole(text) => Ok(Fields { text, spans }),
            _ => Err(spans.iter().position(|&(a, b)| std::str::from_utf8(&bytes[a..b]).is_err()).unwrap_or(0)),
        }
    }

    fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field `i` without a trailing carriage return ("" past the last).
    fn get(&self, i: usize) -> &'r str {
        let field = self.spans.get(i).and_then(|&(a, b)| self.text.get(a..b)).unwrap_or("");
        field.trim_end_matches('\r')
    }
}

fn col_pos(h: &Header, col: Col) -> (usize, String) {
    let i = h.index.get(col).unwrap_or(0);
    (i + 1, h.names.get(i).cloned().unwrap_or_else(|| col.name().to_string()))
}

/// The column a model fault belongs to.
fn column_of(kind: &ProblemErrorKind) -> Col {
    use ProblemErrorKind as K;
    match kind {
        K::LowerAfterUpper(..) => Col::Upper,
        K::NegativeSize(_) => Col::Size,
        K::Alignment(_) => Col::Alignment,
        K::NegativeOffset(_) | K::MisalignedOffset(..) => Col::Offset,
        K::GapOutsideLifespan(..) | K::GapsOverlap(..) | K::WindowOutsideSize(..) => Col::Gaps,
        K::DuplicateId => Col::Id,
        K::TooLarge("size") => Col::Size,
        K::TooLarge("alignment") => Col::Alignment,
        K::TooLarge("hint") => Col::Hint,
        K::TooLarge("lifespan") => Col::Upper,
        K::TooLarge(_) => Col::Offset,
        K::Capacity(_) | K::TotalTooLarge(_) => Col::Size,
    }
}

type FieldError = (Option<(usize, String)>, CsvErrorKind);

fn read_header(fields: &[&str], memory_columns: bool) -> Result<(Header, Vec<String>), FieldError> {
    let mut index = ColumnIndex::default();
    let mut warnings = Vec::new();
    let mut addend = 0;
    let names: Vec<String> = fields.iter().map(|f| f.trim().to_string()).collect();
    for (i, name) in names.iter().enumerate() {
        match Col::parse(name)
            .filter(|(col, _)| memory_columns || !matches!(col, Col::Memories | Col::Cost | Col::Alias))
        {
            Some((col, inclusive)) => {
                if index.insert(col, i).is_some() {
                    return Err((Some((i + 1, name.clone())), CsvErrorKind::DuplicateColumn(name.clone())));
                }
                if inclusive {
                    addend = 1;
                }
            }
            None => warnings.push(format!("ignoring unknown column {} (column {})", Quoted(name), i + 1)),
        }
    }
    for col in [Col::Id, Col::Lower, Col::Upper, Col::Size] {
        if index.get(col).is_none() {
            return Err((None, CsvErrorKind::MissingColumn(col.name(), names.join(","))));
        }
    }
    Ok((Header { index, names, addend }, warnings))
}

fn parse_int(s: &str) -> Result<i64, CsvErrorKind> {
    let t = s.trim();
    t.parse::<i64>().map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
            CsvErrorKind::Overflow(t.to_string())
        }
        _ => CsvErrorKind::NotInteger(t.to_string()),
    })
}

/// Adds the inclusive-`end` correction, reporting overflow.
fn plus(v: i64, addend: i64, text: &str) -> Result<i64, CsvErrorKind> {
    v.checked_add(addend).ok_or_else(|| CsvErrorKind::Overflow(text.trim().to_string()))
}

fn read_row(h: &Header, fields: &Fields<'_>) -> Result<Buffer, (Col, CsvErrorKind)> {
    let get = |col: Col| h.index.get(col).map(|i| fields.get(i));
    let int = |col: Col| -> Result<Option<i64>, (Col, CsvErrorKind)> {
        match get(col) {
            Some(s) if !s.trim().is_empty() || matches!(col, Col::Id | Col::Lower | Col::Upper | Col::Size) => {
                parse_int(s).map(Some).map_err(|k| (col, k))
            }
            _ => Ok(None),
        }
    };
    let id = get(Col::Id).unwrap_or_default().to_string();
    let lower = int(Col::Lower)?.unwrap_or(0);
    let upper_text = get(Col::Upper).unwrap_or_default();
    let upper = plus(int(Col::Upper)?.unwrap_or(0), h.addend, upper_text).map_err(|k| (Col::Upper, k))?;
    let size = int(Col::Size)?.unwrap_or(0);
    let alignment = int(Col::Alignment)?.unwrap_or(1);
    let hint = int(Col::Hint)?.filter(|&v| v >= 0);
    let offset = int(Col::Offset)?;
    let gaps = match get(Col::Gaps) {
        Some(s) => parse_gaps(s, h.addend).map_err(|k| (Col::Gaps, k))?,
        None => Vec::new(),
    };
    Ok(Buffer { id, lifespan: Interval::new(lower, upper), size, alignment, gaps, offset, hint })
}

impl MemoryColumns {
    /// None read yet, from a file with header `h`.
    fn of(h: &Header) -> Self {
        MemoryColumns {
            column: h.index.get(Col::Memories).map(|i| (i + 1, h.names[i].clone())),
            ..MemoryColumns::default()
        }
    }

    /// Adds the row of `line`: its `memories` (names separated by `|`,
    /// blank ones refused), `cost` (an integer of at least 0) and `alias`
    /// fields.
    fn push(&mut self, h: &Header, fields: &Fields<'_>, line: u64) -> Result<(), (Col, CsvErrorKind)> {
        let (memories, cost) = read_memories(h, fields)?;
        self.memories.push(memories);
        self.costs.push(cost);
        let alias = h.index.get(Col::Alias).map(|i| fields.get(i).trim()).filter(|s| !s.is_empty());
        self.aliases.push(alias.map(String::from));
        self.lines.push(line);
        Ok(())
    }
}

/// A row's `memories` and `cost` fields (see [`MemoryColumns::push`]).
fn read_memories(h: &Header, fields: &Fields<'_>) -> Result<(Vec<String>, Option<i64>), (Col, CsvErrorKind)> {
    let get = |col: Col| h.index.get(col).map(|i| fields.get(i).trim()).filter(|s| !s.is_empty());
    let memories = match get(Col::Memories) {
        Some(s) => {
            let names: Vec<String> = s.split('|').map(|n| n.trim().to_string()).collect();
            if names.iter().any(String::is_empty) {
                return Err((Col::Memories, CsvErrorKind::MemoryList(s.to_string())));
            }
            names
        }
        None => Vec::new(),
    };
    let cost = match get(Col::Cost) {
        Some(s) => match parse_int(s).map_err(|k| (Col::Cost, k))? {
            c if c < 0 => return Err((Col::Cost, CsvErrorKind::NegativeCost(c))),
            c => Some(c),
        },
        None => None,
    };
    Ok((memories, cost))
}

/// Parses `a-b` or `a-b@w0:w1` items separated by spaces. Times may be
/// negative, so the separator is the first `-` after the first character.
fn parse_gaps(s: &str, addend: i64) -> Result<Vec<Gap>, CsvErrorKind> {
    let mut gaps = Vec::new();
    for item in s.split_whitespace() {
        let bad = || CsvErrorKind::GapSyntax(item.to_string());
        let (span, window) = match item.split_once('@') {
            Some((span, w)) => (span, Some(w)),
            None => (item, None),
        };
        let sep = span.char_indices().skip(1).find(|&(_, c)| c == '-').map(|(i, _)| i).ok_or_else(bad)?;
        let num = |t: &str| -> Result<i64, CsvErrorKind> {
            match parse_int(t) {
                Err(CsvErrorKind::NotInteger(_)) => Err(bad()),
                other => other,
            }
        };
        let lower = num(&span[..sep])?;
        let upper_text = &span[sep + 1..];
        let upper = plus(num(upper_text)?, addend, upper_text)?;
        let window = match window {
            Some(w) => {
                let (a, b) = w.split_once(':').ok_or_else(bad)?;
                Some(Interval::new(num(a)?, num(b)?))
            }
            None => None,
        };
        gaps.push(Gap { lifespan: Interval::new(lower, upper), window });
    }
    Ok(gaps)
}

/// `field` as a CSV field: unchanged when it can be, else quoted with its
/// quotes doubled. A field is quoted when it holds a comma, a quote or a
/// line break (the csv crate's rule, so that every row reads back with
/// as many fields as the header), and also when it starts or ends with
/// whitespace, which readers that trim (unlike ours) would otherwise lose.
fn csv_field(field: &str) -> std::borrow::Cow<'_, str> {
    let special = field.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    let padded = field.starts_with(char::is_whitespace) || field.ends_with(char::is_whitespace);
    if special || padded {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

/// Writes a problem (and a solution's offsets, if given) in the reference's
/// column order: `id,lower,upper,size`, then `alignment`, `hint` and `gaps`
/// when any buffer uses them, then `offset`. Ids are quoted when they need
/// it, so the output reads back as the same problem.
pub fn write_csv<W: Write>(out: W, problem: &Problem, solution: Option<&Solution>) -> std::io::Result<()> {
    write_csv_as(out, problem, solution, TimeColumns::LowerUpper)
}

/// How [`write_csv_as`] writes times.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeColumns {
    /// `lower,upper`, half-open (the format [`write_csv`] writes).
    #[default]
    LowerUpper,
    /// `start,end`, inclusive: `end` is `upper - 1`, and so is the end of
    /// every gap (the reference's old format, which the reader still takes).
    StartEnd,
}

/// [`write_csv`] with the time columns of `times`.
pub fn write_csv_as<W: Write>(
    out: W,
    problem: &Problem,
    solution: Option<&Solution>,
    times: TimeColumns,
) -> std::io::Result<()> {
    if let Some(Err(why)) = solution.map(|s| s.matches(problem)) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    }
    write_table(out, problem, times, None, solution.map(|s| s.offsets.as_slice()))
}

/// Writes a plan over several memories: [`write_csv`]'s columns with a
/// `memory` column (each buffer's memory, by name) before `offset` (its
/// offset in that memory).
pub fn write_plan_csv<W: Write>(out: W, problem: &Problem, memory: &[&str], offsets: &[i64]) -> std::io::Result<()> {
    let n = problem.buffers.len();
    if memory.len() != n || offsets.len() != n {
        let why = format!("{n} buffers but {} memories and {} offsets", memory.len(), offsets.len());
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    }
    write_table(out, problem, TimeColumns::LowerUpper, Some(memory), Some(offsets))
}

/// The table of [`write_csv_as`] and [`write_plan_csv`].
fn write_table<W: Write>(
    out: W,
    problem: &Problem,
    times: TimeColumns,
    memory: Option<&[&str]>,
    offsets: Option<&[i64]>,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, out);
    // Widened: an unchecked problem may hold i64::MIN.
    let end = |upper: i64| match times {
        TimeColumns::LowerUpper => i128::from(upper),
        TimeColumns::StartEnd => i128::from(upper) - 1,
    };
    let alignment = problem.buffers.iter().any(|b| b.alignment != 1);
    let hint = problem.buffers.iter().any(|b| b.hint.is_some());
    let gaps = problem.buffers.iter().any(|b| !b.gaps.is_empty());
    match times {
        TimeColumns::LowerUpper => write!(w, "id,lower,upper,size")?,
        TimeColumns::StartEnd => write!(w, "id,start,end,size")?,
    }
    if alignment {
        write!(w, ",alignment")?;
    }
    if hint {
        write!(w, ",hint")?;
    }
    if gaps {
        write!(w, ",gaps")?;
    }
    if memory.is_some() {
        write!(w, ",memory")?;
    }
    if offsets.is_some() {
        write!(w, ",offset")?;
    }
    writeln!(w)?;
    for (i, b) in problem.buffers.iter().enumerate() {
        write!(w, "{},{},{},{}", csv_field(&b.id), b.lifespan.lower, end(b.lifespan.upper), b.size)?;
        if alignment {
            write!(w, ",{}", b.alignment)?;
        }
        if hint {
            write!(w, ",{}", b.hint.unwrap_or(-1))?;
        }
        if gaps {
            write!(w, ",")?;
            for (k, g) in b.gaps.iter().enumerate() {
                if k > 0 {
                    write!(w, " ")?;
                }
                write!(w, "{}-{}", g.lifespan.lower, end(g.lifespan.upper))?;
                if let Some(win) = g.window {
                    write!(w, "@{}:{}", win.lower, win.upper)?;
                }
            }
        }
        if let Some(m) = memory {
            write!(w, ",{}", csv_field(m.get(i).copied().unwrap_or_default()))?;
        }
        if let Some(o) = offsets {
            match o.get(i) {
                Some(o) => write!(w, ",{o}")?,
                None => write!(w, ",")?,
            }
        }
        writeln!(w)?;
    }
    w.flush()
}

/// [`write_csv`] into a string.
pub fn to_csv(problem: &Problem, solution: Option<&Solution>) -> String {
    to_csv_as(problem, solution, TimeColumns::LowerUpper)
}

/// [`write_csv_as`] into a string; empty when `solution` does not have one
/// offset per buffer, which [`write_csv_as`] refuses with the reason.
pub fn to_csv_as(problem: &Problem, solution: Option<&Solution>, times: TimeColumns) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail; a solution of the wrong length writes nothing.
    let _ = write_csv_as(&mut out, problem, solution, times);
    String::from_utf8(out).unwrap_or_default()
}

/// Tells apart the temporary files of one process's concurrent writes.
static TEMP_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Writes `path` atomically: the content goes to a temporary file beside it,
/// which is renamed over `path` only once complete, so an interrupted run
/// never leaves a truncated file and never clobbers the old one.
///
/// A symbolic link is written through: its target is replaced and the link
/// kept (the temporary file goes beside the target, since a rename cannot
/// cross file systems). An existing file keeps its permissions, so that a
/// private (0600) output does not become world-readable.
///
/// A path that names something other than a file or a directory (a device
/// such as `/dev/null` or `/dev/stdout`, a named pipe, a socket) is written
/// into, never replaced: renaming over `/dev/null` as root would leave a
/// plain file there, and every later program that reads it would see what
/// was written.
pub fn write_file_atomic(
    path: impl AsRef<Path>,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), IoError> {
    let path = path.as_ref();
    let fail = |error| IoError::File { path: path.to_path_buf(), error };
    // Asked of the path itself, so that the kernel follows the links: the
    // links of `/dev/stdout` lead into `/proc`, where a pipe has no name.
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() && !meta.is_dir() {
            return write_in_place(path, write).map_err(fail);
        }
    }
    let target = super::paths::resolve_links(path).map_err(fail)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let serial = TEMP_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{serial}.tmp", std::process::id()));
    let old_permissions = std::fs::metadata(&target).ok().filter(|m| m.is_file()).map(|m| m.permissions());
    let result = (|| {
        // A new file, never an existing one: a stale link left at the
        // temporary name must not be written through.
        let _ = std::fs::remove_file(&tmp);
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        write(&mut f)?;
        if let Some(permissions) = old_permissions {
            f.set_permissions(permissions)?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

/// Writes into an existing device or pipe: there is no old content to keep
/// and no directory entry to replace.
fn write_in_place(target: &Path, write: impl FnOnce(&mut File) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).open(target)?;
    write(&mut f)?;
    f.flush()
}

/// Writes a problem and solution to `path` atomically.
pub fn write_csv_file(path: impl AsRef<Path>, problem: &Problem, solution: Option<&Solution>) -> Result<(), IoError> {
    write_csv_file_as(path, problem, solution, TimeColumns::LowerUpper)
}

/// [`write_csv_file`] with the time columns of `times`.
pub fn write_csv_file_as(
    path: impl AsRef<Path>,
    problem: &Problem,
    solution: Option<&Solution>,
    times: TimeColumns,
) -> Result<(), IoError> {
    write_file_atomic(path, |f| write_csv_as(f, problem, solution, times))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Parsed, CsvError> {
        read_csv(text.as_bytes(), Path::new("t.csv"))
    }

    #[test]
    fn reads_the_seed_example_and_writes_it_back() {
        let text = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";
        let p = read(text).unwrap().problem;
        assert_eq!(p.buffers.len(), 5);
        assert_eq!(p.buffers[3], Buffer::new("b4", 9, 21, 4));
        assert_eq!(to_csv(&p, None), text);
        let s = Solution { offsets: vec![8, 8, 4, 4, 0], height: 12 };
        assert_eq!(
            to_csv(&p, Some(&s)),
            "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n"
        );
    }

    #[test]
    fn aliases_inclusive_end_and_column_order() {
        let p = read("size,end,begin,buffer_id\n4,2,0,x\n").unwrap().problem;
        assert_eq!(p.buffers[0], Buffer::new("x", 0, 3, 4));
        let p = read("buffer,start,upper,size\ny,1,2,3\n").unwrap().problem;
        assert_eq!(p.buffers[0], Buffer::new("y", 1, 2, 3));
    }

    #[test]
    fn optional_columns_and_round_trip() {
        let text = "id,lower,upper,size,alignment,hint,gaps\n\
                    a,0,10,4,2,-1,2-4 6-8@1:3\n\
                    b,0,10,4,1,5,\n";
        let p = read(text).unwrap().problem;
        assert_eq!(p.buffers[0].alignment, 2);
        assert_eq!(p.buffers[0].hint, None);
        assert_eq!(p.buffers[1].hint, Some(5));
        assert_eq!(
            p.buffers[0].gaps,
            vec![
                Gap { lifespan: Interval::new(2, 4), window: None },
                Gap { lifespan: Interval::new(6, 8), window: Some(Interval::new(1, 3)) }
            ]
        );
        assert_eq!(to_csv(&p, None), text.replace("                    ", ""));
    }

    #[test]
    fn the_old_start_end_format_round_trips() {
        let text = "id,lower,upper,size,alignment,gaps\nx,5,10,15,1,\ny,6,12,18,2,7-8 9-10@1:17\n";
        let p = read(text).unwrap().problem;
        let old = to_csv_as(&p, None, TimeColumns::StartEnd);
        assert_eq!(old, "id,start,end,size,alignment,gaps\nx,5,9,15,1,\ny,6,11,18,2,7-7 9-9@1:17\n");
        assert_eq!(read(&old).unwrap().problem, p);
        // Widened: no overflow on an unchecked lifespan.
        let edge = Problem::new(vec![Buffer::new("e", i64::MIN, i64::MIN, 1)], 0);
        assert!(to_csv_as(&edge, None, TimeColumns::StartEnd).contains("-9223372036854775809"));
    }

    #[test]
    fn read_options_take_what_the_reference_takes() {
        let text = "id,lower,upper,size,gaps\na,0,10,4,8-12\na,0,10,4,\n";
        assert!(read(text).is_err());
        let upstream = ReadOptions { gaps_past_lifespan: true, duplicate_ids: true, memory_columns: false };
        let p = read_csv_with(text.as_bytes(), Path::new("t.csv"), upstream).unwrap().problem;
        assert_eq!(p.buffers.len(), 2);
        assert_eq!(p.buffers[0].gaps[0].lifespan, Interval::new(8, 12));
        let gaps_only = ReadOptions { gaps_past_lifespan: true, ..ReadOptions::default() };
        let e = read_csv_with(text.as_bytes(), Path::new("t.csv"), gaps_only).unwrap_err();
        assert!(e.to_string().contains("duplicate id"), "{e}");
        // What stays a fault either way: reversed and overlapping gaps.
        for bad in ["id,lower,upper,size,gaps\na,0,10,4,5-3\n", "id,lower,upper,size,gaps\na,0,10,4,2-6 4-12\n"] {
            assert!(read_csv_with(bad.as_bytes(), Path::new("t.csv"), upstream).is_err(), "{bad}");
        }
    }

    #[test]
    fn gaps_under_end_are_inclusive() {
        let p = read("id,begin,end,size,gaps\na,0,9,4,2-3\n").unwrap().problem;
        assert_eq!(p.buffers[0].lifespan, Interval::new(0, 10));
        assert_eq!(p.buffers[0].gaps[0].lifespan, Interval::new(2, 4));
    }

    #[test]
    fn bom_crlf_blank_lines_and_unknown_columns() {
        let parsed = read("\u{feff}id,lower,upper,size,color\r\na,0,1,2,red\r\n\r\nb,1,2,3,blue\r\n\r\n\r\n").unwrap();
        assert_eq!(parsed.problem.buffers.len(), 2);
        assert_eq!(parsed.warnings.len(), 1);
        assert!(parsed.warnings[0].contains("color"), "{:?}", parsed.warnings);
    }

    #[test]
    fn fixed_offsets_are_read() {
        let p = read("id,lower,upper,size,offset\na,0,1,2,7\nb,0,1,2,\n").unwrap().problem;
        assert_eq!(p.buffers[0].offset, Some(7));
        assert_eq!(p.buffers[1].offset, None);
    }

    fn error(text: &str) -> String {
        read(text).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_file_line_and_column() {
        assert_eq!(error(""), "t.csv:0: empty file: expected a header line naming id, lower, upper and size");
        assert!(error("id,lower,size\na,0,1\n").starts_with("t.csv:1: missing required column 'upper'"));
        assert_eq!(error("id,lower,upper,size,size\n"), "t.csv:1:5: column 'size': duplicate column 'size'");
        assert_eq!(
            error("id,lower,upper,size\na,0,1,2\nb,0,1\n"),
            "t.csv:3: expected 4 fields as in the header, found 3"
        );
        assert_eq!(
            error("id,lower,upper,size\na,0,1,2\nb,0,1,4.5\n"),
            "t.csv:3:4: column 'size': '4.5' is not an integer"
        );
        assert_eq!(error("id,lower,upper,size\nb,0,1,-4\n"), "t.csv:2:4: column 'size': negative size -4");
        assert_eq!(error("id,lower,upper,size\nb,9,3,4\n"), "t.csv:2:3: column 'upper': lower 9 is after upper 3");
        assert!(error("id,lower,upper,size\nb,0,3,99999999999999999999\n").contains("does not fit in 64 bits"));
        assert!(error("id,lower,upper,size,gaps\nb,0,10,4,3-x\n").contains("malformed gap '3-x'"));
        assert!(error("id,lower,upper,size,gaps\nb,0,10,4,2-6 4-8\n").contains("overlap"));
        assert!(error("id,lower,upper,size,gaps\nb,0,10,4,12-14\n").contains("not inside the lifespan"));
        assert!(error("id,lower,upper,size,gaps\nb,0,10,4,2-5@0:9\n").contains("not inside [0, 4]"));
        assert!(error("id,lower,upper,size\nb,0,1,2\nb,1,2,3\n")
            .starts_with("t.csv:3:1: column 'id': duplicate id 'b' (first on line 2)"));
        assert!(
            error("id,lower,upper,size,offset\nb,0,1,9223372036854775000,9223372036854775000\n").contains("too large")
        );
        assert!(error("id,lower,upper,size,offset\nb,0,1,2,-5\n").contains("negative fixed offset"));
        assert!(error("id,lower,upper,size,hint\nb,0,1,2,abc\n").starts_with("t.csv:2:5: column 'hint'"));
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_line() {
        let e = read_csv(&b"id,lower,upper,size\nb1,0,3,4\n\xff\xfe,1,2,3\n"[..], Path::new("t.csv")).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.kind, CsvErrorKind::Utf8);
    }

    #[test]
    fn atomic_write_replaces_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "keep").unwrap();
        let r = write_file_atomic(&path, |_| Err(std::io::Error::other("boom")));
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "temporary file removed");
        write_file_atomic(&path, |f| f.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn ids_that_need_it_are_quoted_and_read_back() {
        let ids =
            ["b,1", "b\"2", "\"", "two\nlines", "cr\rinside", " lead", "trail ", "\ttab", "a b", "", "ü,ñ", "plain"];
        let buffers: Vec<Buffer> =
            ids.iter().enumerate().map(|(i, id)| Buffer::new(*id, i as i64, i as i64 + 10, 2)).collect();
        let p = Problem::new(buffers, 100);
        let s = Solution { offsets: (0..ids.len() as i64).map(|i| 2 * i).collect(), height: 2 * ids.len() as i64 };
        let text = to_csv(&p, Some(&s));
        assert!(text.contains("\n\"b,1\",0,10,2,0\n\"b\"\"2\",1,11,2,2\n\"\"\"\",2,"), "{text}");
        assert!(text.contains("\n\" lead\",") && text.contains("\n\"trail \",") && text.contains("\na b,"), "{text}");
        assert!(text.contains("\n,9,19,2,18\n") && text.ends_with("\nplain,11,21,2,22\n"), "{text}");
        let back = read(&text).unwrap().problem;
        let read_ids: Vec<&str> = back.buffers.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(read_ids, ids);
        assert_eq!(
            back.buffers.iter().map(|b| b.offset).collect::<Vec<_>>(),
            s.offsets.iter().map(|&o| Some(o)).collect::<Vec<_>>()
        );
        // Plain ids are written as before, byte for byte.
        assert_eq!(csv_field("b1"), "b1");
        assert!(matches!(csv_field("b_%#2<&>"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn atomic_write_goes_through_links_and_keeps_the_mode() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // A link to a file: the target is replaced, the link stays a link.
        let target = dir.path().join("target.csv");
        std::fs::write(&target, "OLD").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.csv");
        symlink("target.csv", &link).unwrap();
        write_file_atomic(&link, |f| f.write_all(b"new")).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(mode(&target), 0o600);
        // A chain of links, across folders, to a file not yet there.
        let other = dir.path().join("other");
        std::fs::create_dir(&other).unwrap();
        symlink("other/../other/new.csv", dir.path().join("hop.csv")).unwrap();
        let chain = dir.path().join("chain.csv");
        symlink(dir.path().join("hop.csv"), &chain).unwrap();
        write_file_atomic(&chain, |f| f.write_all(b"made")).unwrap();
        assert_eq!(std::fs::read_to_string(other.join("new.csv")).unwrap(), "made");
        assert!(std::fs::symlink_metadata(&chain).unwrap().file_type().is_symlink());
        // A plain file keeps its mode too; a failed write leaves no temporary file.
        let plain = dir.path().join("plain.csv");
        std::fs::write(&plain, "x").unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file_atomic(&plain, |f| f.write_all(b"y")).unwrap();
        assert_eq!(mode(&plain), 0o640);
        assert!(write_file_atomic(&link, |_| Err(std::io::Error::other("boom"))).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
        // A loop of links is an error, not a hang.
        symlink("loop2.csv", dir.path().join("loop1.csv")).unwrap();
        symlink("loop1.csv", dir.path().join("loop2.csv")).unwrap();
        assert!(write_file_atomic(dir.path().join("loop1.csv"), |f| f.write_all(b"z")).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        // Never /dev/null here: were the rename back, a test run as root
        // would replace the machine's null device.
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.map(|s| s.success()).unwrap_or(false) {
            eprintln!("mkfifo unavailable: pipe case not run");
        } else {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
            };
            write_file_atomic(&fifo, |f| f.write_all(b"through the pipe")).unwrap();
            assert_eq!(reader.join().unwrap(), "through the pipe");
            assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        }
    }

    #[test]
    fn huge_fields_are_cut_in_messages() {
        let huge = "9".repeat(10 * 1024 * 1024);
        let e = error(&format!("id,lower,upper,size\nb1,0,3,{huge}\n"));
        assert_eq!(
            e,
            format!("t.csv:2:4: column 'size': '{}...' (10485760 bytes) does not fit in 64 bits", "9".repeat(40))
        );
        let e = error(&format!("id,lower,upper,size\nb1,0,3,x{huge}\n"));
        assert!(e.len() < 200 && e.contains("(10485761 bytes) is not an integer"), "{e}");
        let id = "i".repeat(1000);
        let e = error(&format!("id,lower,upper,size\n{id},0,1,2\n{id},0,1,2\n"));
        assert!(e.len() < 200 && e.contains("(1000 bytes) (first on line 2)"), "{e}");
        let e = error(&format!("id,lower,upper,size,gaps\nb,0,10,4,{huge}\n"));
        assert!(e.len() < 200 && e.contains("malformed gap"), "{e}");
        let e = error(&format!("id,lower,size,{huge}\n"));
        assert!(e.len() < 400 && e.contains("missing required column 'upper'"), "{e}");
        let parsed = read(&format!("id,lower,upper,size,{huge}\nb,0,1,2,x\n")).unwrap();
        assert!(parsed.warnings[0].len() < 200, "{}", parsed.warnings[0].len());
        // A line break in a field cannot fake a line of the message.
        let e = error("id,lower,upper,size\n\"b\nb\",0,1,2\n\"b\nb\",0,1,2\n");
        assert_eq!(e, "t.csv:4:1: column 'id': duplicate id 'b\\nb' (first on line 2)");
    }
}
