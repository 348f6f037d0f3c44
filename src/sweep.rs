//! The sweep: one pass over buffer start and end times that cuts the
//! schedule into *sections*, groups buffers into independent *partitions*,
//! lists each buffer's *overlaps* with their effective sizes, and counts the
//! *cuts* between adjacent sections.
//!
//! A section is the set of buffers active just before some buffer stops:
//! consecutive starts with no end between them share one section, so
//! sections are the maximal moments of interaction. Take four buffers
//! b0 `[1,2)`, b1 `[2,4)`, b2 `[0,5)` and b3 `[5,9)`:
//!
//! ```text
//!  time   0   1   2   3   4   5   6   7   8   9
//!             [b0 )
//!                 [  b1   )
//!         [       b2        )
//!                           [      b3       )
//!  sections: s0 = {b0,b2}, s1 = {b1,b2}, s2 = {b2}, s3 = {b3}
//!  partitions: {b0,b1,b2} over s0..s3, {b3} over s3..s4
//! ```
//!
//! The search uses sections to bound the height of every moment (a section's
//! floor plus the sizes still to place in it must fit), partitions to solve
//! independent groups apart, overlaps to raise the lowest offset of the
//! buffers a placement touches, and cuts to notice when placed buffers split
//! a partition in two (dynamic decomposition).
//!
//! The result matches the reference's sweep on ordinary inputs (gaps strictly
//! inside lifespans). At the edges the reference miscounts (a gap that starts
//! at a lifespan's start is ignored, one that ends at its end adds a phantom
//! span); here each buffer contributes exactly the pieces where it occupies
//! memory, so buffers of size 0 (which collide with nothing) are set aside
//! with those whose lifespan is empty.

use crate::problem::{effective_size_of_pieces, BufferIdx, Piece, Problem, Window};

/// An index into the list of sections.
pub type SectionIdx = usize;

/// A half-open range of sections `[lower, upper)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SectionRange {
    /// First section.
    pub lower: SectionIdx,
    /// One past the last section.
    pub upper: SectionIdx,
}

impl SectionRange {
    /// The sections as a `Range`.
    pub fn iter(&self) -> std::ops::Range<SectionIdx> {
        self.lower..self.upper
    }
}

/// A stretch of sections where a buffer is continuously active, and the
/// window of itself it occupies there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionSpan {
    /// The sections.
    pub range: SectionRange,
    /// Which part of the buffer is occupied.
    pub window: Window,
}

/// A buffer that meets another in time, and how far above this buffer's
/// offset the other must start when placed after it (see
/// [`crate::Buffer::effective_size`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Overlap {
    /// The other buffer.
    pub buffer: BufferIdx,
    /// `effective_size` of the owner relative to `buffer`.
    pub effective_size: i64,
}

/// A group of buffers that shares no time with any other group, so it can
/// be solved on its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partition {
    /// Its buffers, in the order the sweep met their starts.
    pub buffers: Vec<BufferIdx>,
    /// The sections it spans.
    pub sections: SectionRange,
}

/// What the sweep learned about one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BufferData {
    /// Where the buffer is active, in time order; empty for a buffer that is
    /// never active (an empty lifespan, or gaps covering all of it).
    pub spans: Vec<SectionSpan>,
    /// The buffers it meets, sorted by index.
    pub overlaps: Vec<Overlap>,
}

impl BufferData {
    /// From the first section it is active in to one past the last.
    pub fn extent(&self) -> SectionRange {
        match (self.spans.first(), self.spans.last()) {
            (Some(f), Some(l)) => SectionRange { lower: f.range.lower, upper: l.range.upper },
            _ => SectionRange::default(),
        }
    }
}

/// The sweep's result; shared read-only by every search worker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    /// `section_start[s]..section_start[s + 1]` indexes `section_members`.
    section_start: Vec<u32>,
    /// The buffers of each section, concatenated (sorted within a section).
    section_members: Vec<u32>,
    /// The independent groups, in time order.
    pub partitions: Vec<Partition>,
    /// One entry per buffer of the problem.
    pub buffer_data: Vec<BufferData>,
    /// Buffers that never occupy memory (empty lifespan, size 0, or gaps
    /// covering it all): they meet nobody and can sit at any offset.
    pub inactive: Vec<BufferIdx>,
}

impl Sweep {
    /// The number of sections.
    pub fn num_sections(&self) -> usize {
        self.section_start.len().saturating_sub(1)
    }

    /// The buffers active in section `s`, sorted by index.
    pub fn section(&self, s: SectionIdx) -> &[u32] {
        &self.section_members[self.section_start[s] as usize..self.section_start[s + 1] as usize]
    }

    /// All sections, each as a sorted list of buffer indices.
    pub fn sections(&self) -> Vec<Vec<BufferIdx>> {
        (0..self.num_sections()).map(|s| self.section(s).iter().map(|&b| b as usize).collect()).collect()
    }

    /// Number of buffers active in both section `i` and `i + 1`, for every `i`;
    /// a zero means the sections on either side can be solved apart.
    pub fn cuts(&self) -> Vec<u32> {
        let n = self.num_sections();
        let mut diff = vec![0i64; n + 1];
        for data in &self.buffer_data {
            let e = data.extent();
            if e.upper > e.lower + 1 {
                diff[e.lower] += 1;
                diff[e.upper - 1] -= 1;
            }
        }
        let mut cuts = Vec::with_capacity(n.saturating_sub(1));
        let mut acc = 0i64;
        for d in diff.iter().take(n.saturating_sub(1)) {
            acc += d;
            cuts.push(acc as u32);
        }
        cuts
    }
}

/// Which end of a piece a [`SweepPoint`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The piece ends here. Ends sort before starts at equal times:
    /// lifespans are half-open.
    Right,
    /// The piece starts here.
    Left,
}

#[derive(Clone, Copy)]
struct Point {
    time: i64,
    kind: Kind,
    buffer: u32,
    window: Window,
    endpoint: bool,
}

/// One end of a piece of a buffer (a stretch of time where it occupies one
/// window of itself), as the sweep meets it: the reference's `SweepPoint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SweepPoint {
    /// The buffer.
    pub buffer: BufferIdx,
    /// When.
    pub time: i64,
    /// Start or end.
    pub kind: Kind,
    /// The window of the buffer occupied in the piece.
    pub window: Window,
    /// Whether this is the buffer's first start or last end.
    pub endpoint: bool,
}

/// The points the sweep passes over, in its order: by time, ends before
/// starts, then by buffer (the reference's `CreatePoints`). Buffers that
/// never occupy memory have none; pieces are where each buffer occupies
/// memory (see [`crate::Buffer::pieces`]), so at the edges this differs
/// from the reference as the module docs say.
pub fn points(problem: &Problem) -> Vec<SweepPoint> {
    events(problem)
        .points
        .iter()
        .map(|p| SweepPoint {
            buffer: p.buffer as usize,
            time: p.time,
            kind: p.kind,
            window: p.window,
            endpoint: p.endpoint,
        })
        .collect()
}

/// Runs the sweep over `problem`'s buffers (the capacity is not used).
pub fn sweep(problem: &Problem) -> Sweep {
    sweep_with(problem, true, &|| false).unwrap_or_default()
}

/// The sweep, with the pairwise overlaps when `overlaps` is set (the
/// search's model builds its own, more compact, list of them); `None` when
/// `halt` (asked every few thousand points) says to stop: a sweep of a
/// large trace takes long enough to matter under a time limit.
pub(crate) fn sweep_with(problem: &Problem, overlaps: bool, halt: &dyn Fn() -> bool) -> Option<Sweep> {
    let Events { points, pieces, inactive } = events(problem);
    let mut sweeper = Sweeper::new(problem, pieces, overlaps);
    for (k, p) in points.iter().enumerate() {
        if k % 4096 == 4095 && halt() {
            return None;
        }
        match p.kind {
            Kind::Right => sweeper.right(p),
            Kind::Left => sweeper.left(p),
        }
    }
    Some(sweeper.finish(inactive))
}

/// What the sweep passes over.
struct Events {
    /// Both ends of every piece of every active buffer, in sweep order.
    points: Vec<Point>,
    /// The pieces of the buffers with gaps (empty for the others).
    pieces: Vec<Vec<Piece>>,
    /// The buffers that never occupy memory.
    inactive: Vec<BufferIdx>,
}

/// The point events of `problem`'s buffers, sorted by time (ends first).
fn events(problem: &Problem) -> Events {
    let n = problem.buffers.len();
    let mut pieces: Vec<Vec<Piece>> = vec![Vec::new(); n];
    let mut points = Vec::with_capacity(2 * n);
    let mut inactive = Vec::new();
    for (idx, buffer) in problem.buffers.iter().enumerate() {
        let ps = buffer.pieces();
        if ps.is_empty() {
            inactive.push(idx);
            continue;
        }
        let last = ps.len() - 1;
        for (k, p) in ps.iter().enumerate() {
            let b = idx as u32;
            points.push(Point { time: p.time.lower, kind: Kind::Left, buffer: b, window: p.window, endpoint: k == 0 });
            points.push(Point {
                time: p.time.upper,
                kind: Kind::Right,
                buffer: b,
                window: p.window,
                endpoint: k == last,
            });
        }
        if !buffer.gaps.is_empty() {
            pieces[idx] = ps;
        }
    }
    points.sort_unstable_by_key(|p| (p.time, p.kind, p.buffer));
    Events { points, pieces, inactive }
}

/// The sweep's state between two points.
struct Sweeper<'a> {
    problem: &'a Problem,
    /// See [`Events::pieces`].
    pieces: Vec<Vec<Piece>>,
    /// Whether to list the pairwise overlaps.
    overlaps: bool,
    section_start: Vec<u32>,
    section_members: Vec<u32>,
    partitions: Vec<Partition>,
    buffer_data: Vec<BufferData>,
    // Active buffers (in a piece right now) and alive ones (between their
    // first start and last end), both as sets with O(1) removal.
    actives: IndexSet,
    alive: IndexSet,
    /// The section where each buffer's current span began.
    span_start: Vec<usize>,
    last_section_time: Option<i64>,
    partition_start: usize,
}

impl<'a> Sweeper<'a> {
    /// Before the first point.
    fn new(problem: &'a Problem, pieces: Vec<Vec<Piece>>, overlaps: bool) -> Self {
        let n = problem.buffers.len();
        Sweeper {
            problem,
            pieces,
            overlaps,
            section_start: vec![0u32],
            section_members: Vec::new(),
            partitions: Vec::new(),
            buffer_data: vec![BufferData::default(); n],
            actives: IndexSet::new(n),
            alive: IndexSet::new(n),
            span_start: vec![0usize; n],
            last_section_time: None,
            partition_start: 0,
        }
    }

    /// The number of sections closed so far.
    fn num_sections(&self) -> usize {
        self.section_start.len() - 1
    }

    /// A piece ends: closes the section of the buffers active until now
    /// (unless this time already closed one), the buffer's span, and the
    /// partition when nothing is alive any more.
    fn right(&mut self, p: &Point) {
        let b = p.buffer as usize;
        if self.last_section_time.is_some_and(|t| t < p.time) {
            let mut members: Vec<u32> = self.actives.items().to_vec();
            members.sort_unstable();
            self.section_members.extend_from_slice(&members);
            self.section_start.push(self.section_members.len() as u32);
        }
        self.last_section_time = Some(p.time);
        self.actives.remove(b);
        if p.endpoint {
            self.alive.remove(b);
        }
        let range = SectionRange { lower: self.span_start[b], upper: self.num_sections() };
        self.buffer_data[b].spans.push(SectionSpan { range, window: p.window });
        if self.alive.is_empty() {
            let upper = self.num_sections();
            if let Some(part) = self.partitions.last_mut() {
                part.sections = SectionRange { lower: self.partition_start, upper };
            }
            self.partition_start = upper;
        }
    }

    /// A piece starts: opens a partition when nothing is alive, and at the
    /// buffer's first piece adds it to the partition and meets every buffer
    /// alive.
    fn left(&mut self, p: &Point) {
        let b = p.buffer as usize;
        if self.last_section_time.is_none() {
            self.last_section_time = Some(p.time);
        }
        if self.alive.is_empty() {
            self.partitions.push(Partition::default());
        }
        if p.endpoint {
            if let Some(part) = self.partitions.last_mut() {
                part.buffers.push(b);
            }
            if self.overlaps {
                for i in 0..self.alive.items().len() {
                    let a = self.alive.items()[i] as usize;
                    self.meet(a, b);
                }
            }
            self.alive.insert(b);
        }
        self.actives.insert(b);
        self.span_start[b] = self.num_sections();
    }

    /// Records the overlaps of `a` (alive) and `b` (starting), each way
    /// where one must stack above the other.
    fn meet(&mut self, a: usize, b: usize) {
        let (problem, pieces) = (self.problem, &self.pieces);
        let (buffer, other) = (&problem.buffers[b], &problem.buffers[a]);
        let (ea, eb) = if buffer.gaps.is_empty() && other.gaps.is_empty() {
            // Both are active on their whole lifespans, which meet here.
            (Some(other.size), Some(buffer.size))
        } else {
            (
                effective_size_of_pieces(&pieces_of(pieces, problem, a), &pieces_of(pieces, problem, b)),
                effective_size_of_pieces(&pieces_of(pieces, problem, b), &pieces_of(pieces, problem, a)),
            )
        };
        if let Some(e) = ea {
            self.buffer_data[a].overlaps.push(Overlap { buffer: b, effective_size: e });
        }
        if let Some(e) = eb {
            self.buffer_data[b].overlaps.push(Overlap { buffer: a, effective_size: e });
        }
    }

    /// The sweep's result, overlaps sorted.
    fn finish(self, inactive: Vec<BufferIdx>) -> Sweep {
        let Sweeper { section_start, section_members, partitions, mut buffer_data, .. } = self;
        for data in &mut buffer_data {
            data.overlaps.sort_unstable();
        }
        Sweep { section_start, section_members, partitions, buffer_data, inactive }
    }
}

/// The pieces of buffer `i`: stored ones for buffers with gaps, else its
/// whole lifespan.
fn pieces_of<'a>(stored: &'a [Vec<Piece>], problem: &Problem, i: usize) -> std::borrow::Cow<'a, [Piece]> {
    if stored[i].is_empty() {
        std::borrow::Cow::Owned(problem.buffers[i].pieces())
    } else {
        std::borrow::Cow::Borrowed(&stored[i])
    }
}

/// A set of small integers with O(1) insert and remove and a dense item list.
struct IndexSet {
    items: Vec<u32>,
    pos: Vec<u32>,
}

impl IndexSet {
    const ABSENT: u32 = u32::MAX;

    fn new(n: usize) -> Self {
        IndexSet { items: Vec::new(), pos: vec![Self::ABSENT; n] }
    }

    fn insert(&mut self, x: usize) {
        if self.pos[x] == Self::ABSENT {
            self.pos[x] = self.items.len() as u32;
            self.items.push(x as u32);
        }
    }

    fn remove(&mut self, x: usize) {
        let p = self.pos[x];
        if p == Self::ABSENT {
            return;
        }
        let last = self.items.len() - 1;
        self.items.swap(p as usize, last);
        self.pos[self.items[p as usize] as usize] = p;
        self.items.pop();
        self.pos[x] = Self::ABSENT;
    }

    fn items(&self) -> &[u32] {
        &self.items
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap, Interval};

    fn span(lower: usize, upper: usize, w: i64) -> SectionSpan {
        SectionSpan { range: SectionRange { lower, upper }, window: Interval::new(0, w) }
    }

    fn ov(buffer: usize, effective_size: i64) -> Overlap {
        Overlap { buffer, effective_size }
    }

    #[test]
    fn points_in_sweep_order() {
        let mut b0 = Buffer::new("0", 4, 8, 2);
        b0.gaps = vec![Gap { lifespan: Interval::new(4, 6), window: Some(Interval::new(0, 1)) }];
        let p = Problem::new(vec![b0, Buffer::new("1", 4, 6, 1), Buffer::new("2", 9, 9, 1)], 0);
        let pt = |buffer, time, kind, w0, w1, endpoint| SweepPoint {
            buffer,
            time,
            kind,
            window: Interval::new(w0, w1),
            endpoint,
        };
        assert_eq!(
            points(&p),
            vec![
                pt(0, 4, Kind::Left, 0, 1, true),
                pt(1, 4, Kind::Left, 0, 1, true),
                pt(0, 6, Kind::Right, 0, 1, false),
                pt(1, 6, Kind::Right, 0, 1, true),
                pt(0, 6, Kind::Left, 0, 2, false),
                pt(0, 8, Kind::Right, 0, 2, true),
            ]
        );
    }

    #[test]
    fn no_overlap() {
        let p = Problem::new(vec![Buffer::new("0", 0, 1, 2), Buffer::new("1", 1, 2, 1), Buffer::new("2", 2, 3, 1)], 0);
        let s = sweep(&p);
        assert_eq!(s.sections(), vec![vec![0], vec![1], vec![2]]);
        assert_eq!(s.partitions.len(), 3);
        assert_eq!(s.partitions[1], Partition { buffers: vec![1], sections: SectionRange { lower: 1, upper: 2 } });
        assert_eq!(s.buffer_data[0].spans, vec![span(0, 1, 2)]);
        assert_eq!(s.buffer_data[2].spans, vec![span(2, 3, 1)]);
        assert!(s.buffer_data.iter().all(|d| d.overlaps.is_empty()));
        assert_eq!(s.cuts(), vec![0, 0]);
    }

    #[test]
    fn with_overlap() {
        let p = Problem::new(vec![Buffer::new("0", 0, 1, 2), Buffer::new("1", 1, 2, 1), Buffer::new("2", 1, 3, 1)], 0);
        let s = sweep(&p);
        assert_eq!(s.sections(), vec![vec![0], vec![1, 2], vec![2]]);
        assert_eq!(s.partitions.len(), 2);
        assert_eq!(s.partitions[1], Partition { buffers: vec![1, 2], sections: SectionRange { lower: 1, upper: 3 } });
        assert_eq!(s.buffer_data[1].overlaps, vec![ov(2, 1)]);
        assert_eq!(s.buffer_data[2].spans, vec![span(1, 3, 1)]);
        assert_eq!(s.cuts(), vec![0, 1]);
    }

    #[test]
    fn the_module_example() {
        let p = Problem::new(
            vec![
                Buffer::new("0", 1, 2, 1),
                Buffer::new("1", 2, 4, 1),
                Buffer::new("2", 0, 5, 1),
                Buffer::new("3", 5, 9, 1),
            ],
            0,
        );
        let s = sweep(&p);
        assert_eq!(s.sections(), vec![vec![0, 2], vec![1, 2], vec![2], vec![3]]);
        assert_eq!(
            s.partitions[0],
            Partition { buffers: vec![2, 0, 1], sections: SectionRange { lower: 0, upper: 3 } }
        );
        assert_eq!(s.partitions[1], Partition { buffers: vec![3], sections: SectionRange { lower: 3, upper: 4 } });
        assert_eq!(s.buffer_data[2].spans, vec![span(0, 3, 1)]);
        assert_eq!(s.buffer_data[2].overlaps, vec![ov(0, 1), ov(1, 1)]);
        assert_eq!(s.cuts(), vec![1, 1, 0]);
    }

    #[test]
    fn buffers_out_of_order() {
        let p = Problem::new(vec![Buffer::new("0", 1, 2, 1), Buffer::new("1", 1, 2, 1), Buffer::new("2", 0, 1, 2)], 0);
        let s = sweep(&p);
        assert_eq!(s.sections(), vec![vec![2], vec![0, 1]]);
        assert_eq!(s.partitions[0].buffers, vec![2]);
        assert_eq!(s.partitions[1].buffers, vec![0, 1]);
        assert_eq!(s.buffer_data[0].spans, vec![span(1, 2, 1)]);
        assert_eq!(s.buffer_data[0].overlaps, vec![ov(1, 1)]);
    }

    #[test]
    fn with_gaps() {
        // The reference's sweeper test with gaps: three buffers whose gaps
        // interleave so that no two are ever active together.
        let gap = |a, b| Gap { lifespan: Interval::new(a, b), window: None };
        let mut b0 = Buffer::new("0", 4, 7, 1);
        b0.gaps = vec![gap(5, 6)];
        let mut b1 = Buffer::new("1", 5, 8, 1);
        b1.gaps = vec![gap(6, 7)];
        let mut b2 = Buffer::new("2", 4, 8, 1);
        b2.gaps = vec![gap(5, 7)];
        let s = sweep(&Problem::new(vec![b0, b1, b2], 0));
        assert_eq!(s.sections(), vec![vec![0, 2], vec![1], vec![0], vec![1, 2]]);
        assert_eq!(s.buffer_data[0].spans, vec![span(0, 1, 1), span(2, 3, 1)]);
        assert_eq!(s.buffer_data[1].spans, vec![span(1, 2, 1), span(3, 4, 1)]);
        assert_eq!(s.buffer_data[2].spans, vec![span(0, 1, 1), span(3, 4, 1)]);
        assert_eq!(s.buffer_data[0].overlaps, vec![ov(2, 1)]);
        assert_eq!(s.buffer_data[1].overlaps, vec![ov(2, 1)]);
        assert_eq!(s.buffer_data[2].overlaps, vec![ov(0, 1), ov(1, 1)]);
        assert_eq!(
            s.partitions,
            vec![Partition { buffers: vec![0, 2, 1], sections: SectionRange { lower: 0, upper: 4 } }]
        );
        assert_eq!(s.cuts(), vec![2, 3, 2]);
    }

    fn wspan(lower: usize, upper: usize, w0: i64, w1: i64) -> SectionSpan {
        SectionSpan { range: SectionRange { lower, upper }, window: Interval::new(w0, w1) }
    }

    #[test]
    fn tetris() {
        let mut b0 = Buffer::new("0", 4, 8, 2);
        b0.gaps = vec![Gap { lifespan: Interval::new(4, 6), window: Some(Interval::new(0, 1)) }];
        let mut b1 = Buffer::new("1", 4, 8, 2);
        b1.gaps = vec![Gap { lifespan: Interval::new(6, 8), window: Some(Interval::new(1, 2)) }];
        let s = sweep(&Problem::new(vec![b0, b1], 3));
        assert_eq!(s.sections(), vec![vec![0, 1], vec![0, 1]]);
        assert_eq!(s.buffer_data[0].spans, vec![wspan(0, 1, 0, 1), wspan(1, 2, 0, 2)]);
        assert_eq!(s.buffer_data[1].spans, vec![wspan(0, 1, 0, 2), wspan(1, 2, 1, 2)]);
        assert_eq!(s.buffer_data[0].overlaps, vec![ov(1, 1)]);
        assert_eq!(s.buffer_data[1].overlaps, vec![ov(0, 2)]);
        assert_eq!(s.cuts(), vec![2]);
    }

    #[test]
    fn mixed_gaps() {
        let g = |a, b, w: Option<(i64, i64)>| Gap {
            lifespan: Interval::new(a, b),
            window: w.map(|(x, y)| Interval::new(x, y)),
        };
        let mut b0 = Buffer::new("0", 4, 8, 2);
        b0.gaps = vec![g(4, 5, Some((0, 1))), g(5, 6, Some((0, 2))), g(6, 7, None), g(7, 8, Some((0, 2)))];
        let s = sweep(&Problem::new(vec![b0], 3));
        assert_eq!(s.sections(), vec![vec![0], vec![0], vec![0]]);
        assert_eq!(s.partitions, vec![Partition { buffers: vec![0], sections: SectionRange { lower: 0, upper: 3 } }]);
        assert_eq!(s.buffer_data[0].spans, vec![wspan(0, 1, 0, 1), wspan(1, 2, 0, 2), wspan(2, 3, 0, 2)]);
        assert_eq!(s.cuts(), vec![1, 1]);
    }

    #[test]
    fn inactive_buffers_are_set_aside() {
        let mut hidden = Buffer::new("h", 0, 4, 3);
        hidden.gaps = vec![Gap { lifespan: Interval::new(0, 4), window: None }];
        let p = Problem::new(
            vec![Buffer::new("e", 2, 2, 5), Buffer::new("a", 0, 3, 1), hidden, Buffer::new("z", 0, 3, 0)],
            0,
        );
        let s = sweep(&p);
        assert_eq!(s.inactive, vec![0, 2, 3]);
        assert_eq!(s.partitions.len(), 1);
        assert_eq!(s.partitions[0].buffers, vec![1]);
    }
}
