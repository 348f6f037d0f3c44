//! The problem model: buffers with lifespans and sizes, a capacity, and the
//! offsets that solve it.
//!
//! All quantities are 64-bit signed integers, as in the reference; real
//! traces reach sizes of 1e10 and loads of 1e12, far below `i64::MAX`, but a
//! problem read from an untrusted file may not be, so [`Problem::check`]
//! rejects anything whose arithmetic could overflow before a solver touches
//! it.

use std::fmt;

use crate::error::{ProblemError, ProblemErrorKind};

/// A memory address (e.g. in bytes). Offsets in a solution are `>= 0`.
pub type Offset = i64;

/// An abstract, unitless point in time. Lifespans are half-open `[lower, upper)`.
pub type Time = i64;

/// An index into [`Problem::buffers`].
pub type BufferIdx = usize;

pub use crate::interval::Interval;

/// A buffer's lifespan in time.
pub type Lifespan = Interval;

/// A range of memory relative to a buffer's offset: `[offset + lower, offset + upper)`.
pub type Window = Interval;

/// A sub-interval of a buffer's lifespan where it is inactive (no window), or
/// where it only occupies `window` of its extent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Gap {
    /// When the gap applies; inside the buffer's lifespan.
    pub lifespan: Lifespan,
    /// The part of the buffer (relative to its offset) still occupied during
    /// the gap, inside `[0, size]`; `None` means nothing is occupied.
    pub window: Option<Window>,
}

/// One buffer to place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Buffer {
    /// A unique identifier, used in files and messages.
    pub id: String,
    /// When the buffer is live, half-open.
    pub lifespan: Lifespan,
    /// Bytes occupied while live (`>= 0`).
    pub size: i64,
    /// Every offset must be a multiple of this (`>= 1`).
    pub alignment: i64,
    /// Parts of the lifespan where the buffer is inactive or partly occupied;
    /// inside the lifespan and pairwise disjoint.
    pub gaps: Vec<Gap>,
    /// A fixed offset this buffer must take, if any (`>= 0`).
    pub offset: Option<Offset>,
    /// A preferred offset; heuristics may try it, the exact search ignores it.
    pub hint: Option<Offset>,
}

impl Default for Buffer {
    fn default() -> Self {
        Buffer {
            id: String::new(),
            lifespan: Interval::default(),
            size: 0,
            alignment: 1,
            gaps: Vec::new(),
            offset: None,
            hint: None,
        }
    }
}

/// The least common multiple of two alignments (both at least 1), `None`
/// when it overflows.
pub(crate) fn lcm(a: i64, b: i64) -> Option<i64> {
    (a / gcd(a, b)).checked_mul(b)
}

/// The greatest common divisor of `a` and `b` (non-negative; `gcd(0, 0)`
/// is 0, and `gcd(0, b)` is `|b|`).
pub(crate) fn gcd(a: i64, b: i64) -> i64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    x.abs()
}

/// A time range during which a buffer occupies `window` (relative to its offset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// When.
    pub time: Interval,
    /// Which part of the buffer.
    pub window: Window,
}

impl Buffer {
    /// A buffer with the given id, lifespan and size, alignment 1, no gaps.
    pub fn new(id: impl Into<String>, lower: Time, upper: Time, size: i64) -> Self {
        Buffer { id: id.into(), lifespan: Interval::new(lower, upper), size, ..Buffer::default() }
    }

    /// Size times lifespan length, widened so it cannot overflow.
    pub fn area(&self) -> i128 {
        i128::from(self.size) * i128::from(self.lifespan.len())
    }

    /// The time ranges where this buffer occupies memory, in time order, with
    /// the window it occupies in each. Inactive gaps leave holes, and so do
    /// windows that occupy nothing: a buffer of size 0 has no pieces at all,
    /// since it can share memory with anything.
    pub fn pieces(&self) -> Vec<Piece> {
        let full = Interval::new(0, self.size);
        let mut gaps: Vec<&Gap> = self.gaps.iter().filter(|g| !g.lifespan.is_empty()).collect();
        gaps.sort_by_key(|g| g.lifespan);
        let mut out = Vec::with_capacity(2 * gaps.len() + 1);
        let mut push = |time: Interval, window: Interval| {
            if !time.is_empty() && !window.is_empty() {
                out.push(Piece { time, window });
            }
        };
        let mut t = self.lifespan.lower;
        for gap in gaps {
            if gap.lifespan.lower > t {
                push(Interval::new(t, gap.lifespan.lower), full);
            }
            if let Some(window) = gap.window {
                push(gap.lifespan, window);
            }
            t = t.max(gap.lifespan.upper);
        }
        if self.lifespan.upper > t {
            push(Interval::new(t, self.lifespan.upper), full);
        }
        out
    }

    /// How far above this buffer's offset `other` must start so that, at every
    /// time both occupy memory, `other`'s window lies above this one's:
    /// the maximum over common times of `top(self) - bottom(other)`.
    /// `None` when they never occupy memory at the same time.
    ///
    /// This is the reference's notion of stacking: a buffer placed later sits
    /// wholly above an earlier one it meets, never interleaved with its
    /// windows. Unlike the reference, times where either occupies nothing
    /// (size 0, or an empty window) do not count: such buffers never collide.
    pub fn effective_size(&self, other: &Buffer) -> Option<i64> {
        if self.lifespan.upper <= other.lifespan.lower || other.lifespan.upper <= self.lifespan.lower {
            return None;
        }
        if self.gaps.is_empty() && other.gaps.is_empty() {
            // Both occupy memory on their whole lifespans (if they occupy any).
            return (self.size > 0 && other.size > 0).then_some(self.size);
        }
        effective_size_of_pieces(&self.pieces(), &other.pieces())
    }
}

/// [`Buffer::effective_size`] over precomputed pieces (both sorted by time).
pub(crate) fn effective_size_of_pieces(lower: &[Piece], upper: &[Piece]) -> Option<i64> {
    let (mut i, mut j) = (0, 0);
    let mut best: Option<i64> = None;
    while i < lower.len() && j < upper.len() {
        let (a, b) = (lower[i], upper[j]);
        if a.time.lower.max(b.time.lower) < a.time.upper.min(b.time.upper) {
            let diff = a.window.upper - b.window.lower;
            best = Some(best.map_or(diff, |x| x.max(diff)));
        }
        if a.time.upper <= b.time.upper {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

/// Buffers and the capacity they must fit in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problem {
    /// The buffers, in input order; a solution's offsets follow this order.
    pub buffers: Vec<Buffer>,
    /// Every buffer must satisfy `offset + size <= capacity`.
    pub capacity: i64,
}

/// Largest value any single quantity of a buffer may take (about 1.15e18,
/// far above any real trace).
pub const MAX_VALUE: i64 = 1 << 60;

/// Largest capacity, and largest total of a problem's sizes (each plus its
/// alignment less one, plus the highest fixed top): about 4.6e18.
///
/// Why this keeps every path inside 64 bits: the exact search places below
/// the capacity, and its largest sum is an offset plus an effective size
/// rounded up to an alignment plus a size, under 2^62 + 3 * 2^60 < 2^63.
/// Every greedy, online or repacking heuristic puts a buffer at 0, at a
/// fixed offset, or just above (aligned) something already placed, so no
/// packing it makes rises above that total. A problem whose total is larger
/// is refused as input: its packings could reach heights no `i64` holds.
pub const MAX_CAPACITY: i64 = 1 << 62;

/// The first buffer whose id an earlier one has: `(earlier, later)`.
pub(crate) fn first_duplicate(buffers: &[Buffer]) -> Option<(usize, usize)> {
    let mut seen: std::collections::HashMap<&str, usize, IdHasher> =
        std::collections::HashMap::with_capacity_and_hasher(buffers.len(), IdHasher);
    buffers.iter().enumerate().find_map(|(i, b)| seen.insert(b.id.as_str(), i).map(|first| (first, i)))
}

/// Buffers [`Problem::check_halting`] checks between two questions to
/// `halt`. `[default: 65536]` `[range: 1..]`: a few milliseconds.
const CHECK_STEP: usize = 1 << 16;

/// The hasher of the ids [`Problem::check`] compares: FNV-1a, several
/// times faster than the standard library's SipHash on short strings,
/// which matters when a million ids are checked; and the ids are
/// the user's own file, so there is no one to flood the table.
#[derive(Clone, Copy, Default)]
struct IdHasher;

impl std::hash::BuildHasher for IdHasher {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

/// The FNV-1a hash state (64-bit).
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl Problem {
    /// A problem over `buffers` with the given capacity.
    pub fn new(buffers: Vec<Buffer>, capacity: i64) -> Self {
        Problem { buffers, capacity }
    }

    /// Whether the exact search is complete for this problem, so that an
    /// exhausted search proves infeasibility. It is unless some buffer has a
    /// gap with a partial window (neither empty nor the whole buffer): the
    /// search stacks a buffer wholly above another at every moment they
    /// share, as the reference does, so it never tries packings where two
    /// buffers' windows interleave (one above the other at one moment and
    /// below it at another), and such a packing may be the only one.
    pub fn search_is_complete(&self) -> bool {
        self.buffers.iter().all(|b| {
            b.gaps.iter().all(|g| g.window.is_none_or(|w| w.is_empty() || (w.lower <= 0 && w.upper >= b.size)))
        })
    }

    /// Checks the model's invariants: valid lifespans, sizes, alignments,
    /// gaps, fixed offsets, unique ids, and magnitudes that keep the solver's
    /// arithmetic inside 64 bits. The CSV reader reports the same faults with
    /// file positions; this covers problems built in code.
    pub fn check(&self) -> Result<(), ProblemError> {
        self.check_halting(&|| false).unwrap_or(Ok(()))
    }

    /// [`Problem::check`], asking `halt` every 65,536 buffers:
    /// `None` if it said to stop first (a million buffers take a tenth of a
    /// second to check, longer than a time limit may be overrun).
    pub fn check_halting(&self, halt: &dyn Fn() -> bool) -> Option<Result<(), ProblemError>> {
        let err = |idx: usize, kind: ProblemErrorKind| {
            Some(Err(ProblemError { buffer: idx, id: self.buffers[idx].id.clone(), kind }))
        };
        if self.capacity < 0 || self.capacity > MAX_CAPACITY {
            return Some(Err(ProblemError {
                buffer: usize::MAX,
                id: String::new(),
                kind: ProblemErrorKind::Capacity(self.capacity),
            }));
        }
        let mut ids: std::collections::HashSet<&str, IdHasher> =
            std::collections::HashSet::with_capacity_and_hasher(self.buffers.len(), IdHasher);
        for (idx, b) in self.buffers.iter().enumerate() {
            if idx % CHECK_STEP == 0 && halt() {
                return None;
            }
            if let Err(kind) = check_buffer(b) {
                return err(idx, kind);
            }
            if !ids.insert(b.id.as_str()) {
                return err(idx, ProblemErrorKind::DuplicateId);
            }
        }
        Some(self.check_total())
    }

    /// The problem-wide part of [`Problem::check`]: the buffers together
    /// must keep every packing's height within [`MAX_CAPACITY`]. The CSV
    /// reader checks each buffer but cannot check this until it has them
    /// all.
    pub fn check_total(&self) -> Result<(), ProblemError> {
        let total = self.stacked_height();
        if total > i128::from(MAX_CAPACITY) {
            let kind = ProblemErrorKind::TotalTooLarge(total);
            return Err(ProblemError { buffer: usize::MAX, id: String::new(), kind });
        }
        Ok(())
    }

    /// The height of stacking every free buffer (aligned) above the highest
    /// fixed one: a packing that always exists, so an upper bound on the
    /// smallest capacity, and a bound on any packing a heuristic makes (see
    /// [`MAX_CAPACITY`]). Widened: it is what [`Problem::check`] limits.
    pub fn stacked_height(&self) -> i128 {
        // One pass: a million buffers are a hundred megabytes to read.
        let (mut free, mut fixed_top) = (0i128, 0i128);
        for b in &self.buffers {
            match b.offset {
                Some(o) => fixed_top = fixed_top.max(i128::from(o) + i128::from(b.size)),
                None => free += i128::from(b.size.max(0)) + i128::from(b.alignment.max(1)) - 1,
            }
        }
        free + fixed_top
    }
}

/// The per-buffer part of [`Problem::check`], shared with the CSV reader.
pub(crate) fn check_buffer(b: &Buffer) -> Result<(), ProblemErrorKind> {
    check_buffer_with(b, false)
}

/// [`check_buffer`], accepting gaps that reach past the lifespan when
/// `gaps_past_lifespan` is set (as the reference's reader does; see
/// the CSV reader's `ReadOptions`).
pub(crate) fn check_buffer_with(b: &Buffer, gaps_past_lifespan: bool) -> Result<(), ProblemErrorKind> {
    use ProblemErrorKind as K;
    let in_range = |v: i64| (-MAX_VALUE..=MAX_VALUE).contains(&v);
    if !in_range(b.lifespan.lower) || !in_range(b.lifespan.upper) {
        return Err(K::TooLarge("lifespan"));
    }
    if b.lifespan.lower > b.lifespan.upper {
        return Err(K::LowerAfterUpper(b.lifespan.lower, b.lifespan.upper));
    }
    if b.size < 0 {
        return Err(K::NegativeSize(b.size));
    }
    if b.size > MAX_VALUE {
        return Err(K::TooLarge("size"));
    }
    if b.alignment < 1 {
        return Err(K::Alignment(b.alignment));
    }
    if b.alignment > MAX_VALUE {
        return Err(K::TooLarge("alignment"));
    }
    if let Some(offset) = b.offset {
        if offset < 0 {
            return Err(K::NegativeOffset(offset));
        }
        if offset > MAX_VALUE || offset + b.size > MAX_VALUE {
            return Err(K::TooLarge("offset + size"));
        }
        if offset % b.alignment != 0 {
            return Err(K::MisalignedOffset(offset, b.alignment));
        }
    }
    if let Some(hint) = b.hint {
        if hint > MAX_VALUE {
            return Err(K::TooLarge("hint"));
        }
    }
    let mut gaps: Vec<&Gap> = b.gaps.iter().collect();
    gaps.sort_by_key(|g| g.lifespan);
    for (i, g) in gaps.iter().enumerate() {
        let outside = g.lifespan.lower < b.lifespan.lower || g.lifespan.upper > b.lifespan.upper;
        if g.lifespan.lower > g.lifespan.upper || (outside && !gaps_past_lifespan) {
            return Err(K::GapOutsideLifespan(g.lifespan, b.lifespan));
        }
        if let Some(w) = g.window {
            if w.lower < 0 || w.lower > w.upper || w.upper > b.size {
                return Err(K::WindowOutsideSize(w, b.size));
            }
        }
        if i > 0 && gaps[i - 1].lifespan.upper > g.lifespan.lower {
            return Err(K::GapsOverlap(gaps[i - 1].lifespan, g.lifespan));
        }
    }
    Ok(())
}

/// One offset per buffer (in the problem's order) and the resulting height.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Solution {
    /// `offsets[i]` is where `problem.buffers[i]` starts.
    pub offsets: Vec<Offset>,
    /// `max(offset + size)` over all buffers (0 for no buffers).
    pub height: Offset,
}

impl Solution {
    /// Whether this solution has one offset per buffer of `problem`, as
    /// anything that writes it beside the problem needs; why not otherwise
    /// (the CSV writer, Python and the C API say it in these words).
    pub fn matches(&self, problem: &Problem) -> Result<(), String> {
        if self.offsets.len() == problem.buffers.len() {
            return Ok(());
        }
        Err(format!("the solution has {} offsets for {} buffers", self.offsets.len(), problem.buffers.len()))
    }

    /// A solution with the given offsets and its height computed from `problem`.
    pub fn new(problem: &Problem, offsets: Vec<Offset>) -> Self {
        let height =
            problem.buffers.iter().zip(&offsets).map(|(b, &o)| o.saturating_add(b.size)).max().unwrap_or(0).max(0);
        Solution { offsets, height }
    }
}

impl fmt::Display for Solution {
    /// Formats like the seed's Python example: `Solution(offsets=[8, 8, 4, 4, 0])`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Solution(offsets=[")?;
        for (i, o) in self.offsets.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{o}")?;
        }
        write!(f, "])")
    }
}

/// The upstream README's example: five buffers whose best packing at
/// capacity 12 has offsets 8, 8, 4, 4, 0. For tests.
#[cfg(test)]
pub(crate) fn seed_example(capacity: i64) -> Problem {
    Problem::new(
        vec![
            Buffer::new("b1", 0, 3, 4),
            Buffer::new("b2", 3, 9, 4),
            Buffer::new("b3", 0, 9, 4),
            Buffer::new("b4", 9, 21, 4),
            Buffer::new("b5", 0, 21, 4),
        ],
        capacity,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(lower: i64, upper: i64, window: Option<(i64, i64)>) -> Gap {
        Gap { lifespan: Interval::new(lower, upper), window: window.map(|(a, b)| Interval::new(a, b)) }
    }

    #[test]
    fn effective_size_without_gaps_is_size_when_lifespans_meet() {
        let a = Buffer::new("a", 0, 2, 3);
        let b = Buffer::new("b", 1, 3, 5);
        let c = Buffer::new("c", 2, 4, 1);
        assert_eq!(a.effective_size(&b), Some(3));
        assert_eq!(b.effective_size(&a), Some(5));
        assert_eq!(a.effective_size(&c), None, "half-open lifespans do not meet");
    }

    #[test]
    fn effective_size_with_inactive_gap_that_covers_the_other() {
        let mut a = Buffer::new("a", 0, 10, 2);
        a.gaps = vec![gap(1, 9, None)];
        let b = Buffer::new("b", 2, 8, 2);
        assert_eq!(a.effective_size(&b), None);
        assert_eq!(b.effective_size(&a), None);
    }

    #[test]
    fn effective_size_with_windows_is_the_worst_common_time() {
        // The reference's "tetris" pair: each leaves room for the other.
        let mut a = Buffer::new("a", 0, 10, 2);
        a.gaps = vec![gap(0, 5, Some((0, 1)))];
        let mut b = Buffer::new("b", 0, 10, 2);
        b.gaps = vec![gap(5, 10, Some((1, 2)))];
        assert_eq!(a.effective_size(&b), Some(1));
        assert_eq!(b.effective_size(&a), Some(2));
    }

    #[test]
    fn zero_sizes_and_empty_windows_meet_nobody() {
        let a = Buffer::new("a", 0, 10, 0);
        let b = Buffer::new("b", 0, 10, 4);
        assert_eq!(a.effective_size(&b), None);
        assert_eq!(b.effective_size(&a), None);
        assert!(a.pieces().is_empty());
        let mut c = Buffer::new("c", 0, 10, 4);
        c.gaps = vec![gap(0, 10, Some((2, 2)))];
        assert_eq!(c.effective_size(&b), None);
    }

    #[test]
    fn effective_size_can_be_below_size_or_negative() {
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps = vec![gap(0, 10, Some((0, 1)))];
        let mut b = Buffer::new("b", 0, 10, 4);
        b.gaps = vec![gap(0, 10, Some((3, 4)))];
        assert_eq!(a.effective_size(&b), Some(1 - 3));
    }

    #[test]
    fn pieces_split_at_gaps() {
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps = vec![gap(6, 8, Some((1, 2))), gap(2, 4, None)];
        let p = a.pieces();
        let times: Vec<_> = p.iter().map(|p| (p.time.lower, p.time.upper, p.window.lower, p.window.upper)).collect();
        assert_eq!(times, vec![(0, 2, 0, 4), (4, 6, 0, 4), (6, 8, 1, 2), (8, 10, 0, 4)]);
    }

    #[test]
    fn check_rejects_bad_buffers() {
        let mut p = Problem::new(vec![Buffer::new("a", 0, 2, 1), Buffer::new("a", 0, 2, 1)], 4);
        assert!(matches!(p.check().unwrap_err().kind, ProblemErrorKind::DuplicateId));
        p.buffers[1].id = "b".into();
        assert!(p.check().is_ok());
        p.buffers[1].size = -1;
        assert!(matches!(p.check().unwrap_err().kind, ProblemErrorKind::NegativeSize(-1)));
        p.buffers[1].size = 1;
        p.buffers[1].gaps = vec![gap(0, 1, None), gap(0, 2, None)];
        assert!(matches!(p.check().unwrap_err().kind, ProblemErrorKind::GapsOverlap(..)));
        p.buffers[1].gaps = vec![gap(0, 3, None)];
        assert!(matches!(p.check().unwrap_err().kind, ProblemErrorKind::GapOutsideLifespan(..)));
        p.buffers[1].gaps = vec![gap(0, 1, Some((0, 2)))];
        assert!(matches!(p.check().unwrap_err().kind, ProblemErrorKind::WindowOutsideSize(..)));
    }

    #[test]
    fn solution_display_matches_the_seed() {
        let s = Solution { offsets: vec![8, 8, 4, 4, 0], height: 12 };
        assert_eq!(s.to_string(), "Solution(offsets=[8, 8, 4, 4, 0])");
    }
}
