//! The search's read-only view of a problem: the sweep flattened into
//! contiguous arrays indexed by buffer or section, built once and shared by
//! every worker. The capacity is not part of it, so one model serves probes
//! at many capacities.

use crate::problem::Problem;
use crate::report::Outcome;
use crate::search::order::PreorderData;
use crate::stop::StopToken;
use crate::sweep::{Partition, SectionRange, Sweep};

/// Memory the live searches over one model may take together
/// (`[default: 256 MiB]`; see [`Model::affordable_searches`]). Dense traces
/// gain little from more than two exact searches (their gap is closed, if
/// at all, by the greedy and neighbourhood search, which hold no search),
/// while each search can reach a hundred megabytes.
pub(crate) const SEARCH_MEMORY: usize = 256 << 20;

/// The share of a range of sections that must have no room to spare
/// (their load is the capacity) for the range to count as full
/// (`Model::full_at`): then the portfolio races its point-filling workers
/// there instead of those with the reference's branching, and a minimization gives its probe at the bound a larger share.
/// `[default: 0.9]` `[range: 0..=1]`: packings without slack (tight/'s
/// stack and perfect packings) are full everywhere, while problems side by
/// side and the paper's instances fall well short; point filling's
/// branching applies only where sections have no room, and elsewhere the
/// worker takes time from the others (the ablation
/// `configs/no-point-filling.toml` measures it, docs/techniques.md).
pub(crate) const FULL_SHARE: f64 = 0.9;

/// Marks "no fixed offset".
pub(crate) const NO_FIXED: i64 = -1;

/// A stretch of sections where a buffer is active: sections `lo..hi`, where
/// it occupies `len` bytes whose top is `top` above its offset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub lo: u32,
    pub hi: u32,
    pub len: i64,
    pub top: i64,
}

/// A buffer that meets another and the effective size between them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Edge {
    pub other: u32,
    pub eff: i64,
}

/// The edges of one buffer, read from the model's compact arrays.
pub(crate) struct Edges<'a> {
    others: std::slice::Iter<'a, u32>,
    effs: Option<std::slice::Iter<'a, i64>>,
    own: i64,
}

impl Iterator for Edges<'_> {
    type Item = Edge;
    #[inline]
    fn next(&mut self) -> Option<Edge> {
        let other = *self.others.next()?;
        let eff = match &mut self.effs {
            Some(e) => e.next().copied().unwrap_or(self.own),
            None => self.own,
        };
        Some(Edge { other, eff })
    }
}

/// The flattened problem; see the module docs.
#[derive(Clone, Debug)]
pub struct Model {
    /// Number of buffers in the problem (the reference's node limits start from it).
    pub(crate) num_buffers: usize,
    pub(crate) size: Vec<i64>,
    pub(crate) align: Vec<i64>,
    /// Fixed offset or [`NO_FIXED`].
    pub(crate) fixed: Vec<i64>,
    /// `edge_other[edge_start[b]..edge_start[b + 1]]` are the buffers `b`
    /// meets, sorted; an overlapping pair takes 4 bytes each way (the
    /// largest traces have hundreds of millions of pairs).
    pub(crate) edge_start: Vec<usize>,
    pub(crate) edge_other: Vec<u32>,
    /// The matching effective sizes, stored only when some buffer has gaps;
    /// without gaps a buffer's effective size is its own size.
    pub(crate) edge_eff: Option<Vec<i64>>,
    pub(crate) span_start: Vec<u32>,
    pub(crate) spans: Vec<Span>,
    /// First section and one past the last, per buffer.
    pub(crate) extent: Vec<(u32, u32)>,
    pub(crate) section_start: Vec<u32>,
    pub(crate) section_members: Vec<u32>,
    /// Sum of occupied window lengths per section, before anything is placed.
    pub(crate) initial_total: Vec<i64>,
    pub(crate) initial_cuts: Vec<u32>,
    /// Preorder attributes that do not change during search (`total` is filled in later).
    pub(crate) preorder: Vec<PreorderData>,
    /// `twin[b]` is the lowest-indexed buffer identical to `b` (see
    /// [`twins`]), `b` itself when it has none.
    pub(crate) twin: Vec<u32>,
    pub(crate) partitions: Vec<Partition>,
    /// Whether an exhausted search proves infeasibility: false when some
    /// buffer has a partial window (see [`Problem::search_is_complete`]).
    pub(crate) complete: bool,
}

impl Model {
    /// Builds the model of a problem (sweeping it), however long it takes.
    pub fn new(problem: &Problem) -> Model {
        match Model::build(problem, &StopToken::new()) {
            Some(m) => m,
            None => unreachable!("a token nobody holds is never cancelled and has no deadline"),
        }
    }

    /// Builds the model unless `stop` says to stop first (`None` then):
    /// on a trace with millions of overlapping pairs building takes long
    /// enough that a time limit must be able to cut it short.
    pub fn build(problem: &Problem, stop: &StopToken) -> Option<Model> {
        let halt = || stop.should_stop();
        let sweep = crate::sweep::sweep_with(problem, false, &halt)?;
        let (edge_start, edge_other, edge_eff) = edges_of(problem, &halt)?;
        if halt() {
            return None;
        }
        Some(Model::assemble(problem, &sweep, edge_start, edge_other, edge_eff))
    }

    fn assemble(
        problem: &Problem,
        sweep: &Sweep,
        edge_start: Vec<usize>,
        edge_other: Vec<u32>,
        edge_eff: Option<Vec<i64>>,
    ) -> Model {
        let n = problem.buffers.len();
        let num_sections = sweep.num_sections();
        let mut span_start = Vec::with_capacity(n + 1);
        let mut spans = Vec::new();
        let mut extent = Vec::with_capacity(n);
        let mut total_diff = vec![0i64; num_sections + 1];
        let mut preorder = Vec::with_capacity(n);
        span_start.push(0);
        for (idx, (b, data)) in problem.buffers.iter().zip(&sweep.buffer_data).enumerate() {
            for s in &data.spans {
                spans.push(Span {
                    lo: s.range.lower as u32,
                    hi: s.range.upper as u32,
                    len: s.window.len(),
                    top: s.window.upper,
                });
                total_diff[s.range.lower] += s.window.len();
                total_diff[s.range.upper] -= s.window.len();
            }
            span_start.push(spans.len() as u32);
            let e = data.extent();
            extent.push((e.lower as u32, e.upper as u32));
            preorder.push(PreorderData {
                area: b.area(),
                lower: b.lifespan.lower,
                overlaps: data.overlaps.len() as u64,
                sections: (e.upper - e.lower) as u64,
                size: b.size,
                total: 0,
                upper: b.lifespan.upper,
                width: b.lifespan.len(),
                buffer: idx as u32,
                rank: idx as u32,
            });
        }
        let mut initial_total = Vec::with_capacity(num_sections);
        let mut acc = 0i64;
        for d in total_diff.iter().take(num_sections) {
            acc += d;
            initial_total.push(acc);
        }
        let mut section_start = Vec::with_capacity(num_sections + 1);
        let mut section_members = Vec::new();
        section_start.push(0);
        for s in 0..num_sections {
            section_members.extend_from_slice(sweep.section(s));
            section_start.push(section_members.len() as u32);
        }
        Model {
            num_buffers: n,
            size: problem.buffers.iter().map(|b| b.size).collect(),
            align: problem.buffers.iter().map(|b| b.alignment.max(1)).collect(),
            fixed: problem.buffers.iter().map(|b| b.offset.unwrap_or(NO_FIXED)).collect(),
            edge_start,
            edge_other,
            edge_eff,
            span_start,
            spans,
            extent,
            section_start,
            section_members,
            initial_total,
            initial_cuts: sweep.cuts(),
            preorder,
            twin: twins(problem),
            partitions: sweep.partitions.clone(),
            complete: problem.search_is_complete(),
        }
    }

    /// Gives identical buffers (see [`twins`]) the same final tie-break in
    /// `rank`, so that every preorder puts them next to each other, as
    /// [`crate::switches::Switch::IdenticalOrder`] needs.
    pub(crate) fn tie_twins(&self, rank: &mut [u32]) {
        for b in 0..rank.len().min(self.twin.len()) {
            rank[b] = rank[self.twin[b] as usize];
        }
    }

    /// Number of sections.
    pub fn num_sections(&self) -> usize {
        self.initial_total.len()
    }

    /// Bytes one search over this model may come to hold: its copies of the
    /// section lists (three words per membership, plus its floors), and
    /// undo trails that at full depth can record a raised lowest offset for
    /// every pair and a raised floor for every membership (16 bytes each),
    /// and the budget of its learned facts. On somas_bert_base that is
    /// about 100 MB: more than the model itself.
    pub(crate) fn search_bytes(&self) -> usize {
        self.state_bytes().saturating_add(self.learned_bytes())
    }

    /// The search's state without its learned facts (see [`Self::search_bytes`]).
    fn state_bytes(&self) -> usize {
        let members = self.section_members.len();
        members
            .saturating_mul(12 + 16)
            .saturating_add(self.edge_other.len().saturating_mul(16))
            .saturating_add(self.num_buffers.saturating_mul(96))
    }

    /// The budget of one search's learned facts ([`crate::search::learned`]):
    /// as much as the rest of its state, within 1 to 16 MiB (1 MiB on the
    /// paper's instances), so that memory stays proportional to the
    /// problem.
    pub(crate) fn learned_bytes(&self) -> usize {
        self.state_bytes().clamp(1 << 20, 16 << 20)
    }

    /// How many searches over this model may live at once: as many as
    /// [`SEARCH_MEMORY`] holds, and at least two. The portfolio runs one
    /// search a thread, so on a dense model this caps the threads the
    /// exact search uses, and memory stays proportional to the problem
    /// whatever `--threads` says.
    pub(crate) fn affordable_searches(&self) -> usize {
        (SEARCH_MEMORY / self.search_bytes().max(1)).max(2)
    }

    /// Whether the sections `range` are *full* at `capacity`: at least
    /// [`FULL_SHARE`] of them have no room to spare (their load is the
    /// capacity), so that a packing, if any, has almost no slack.
    pub(crate) fn full_at(&self, range: SectionRange, capacity: i64) -> bool {
        let totals = &self.initial_total[range.lower..range.upper];
        let full = totals.iter().filter(|&&t| t == capacity).count();
        full as f64 >= FULL_SHARE * totals.len() as f64
    }

    /// The most that is live at once in partition `p`: no packing of it is
    /// lower.
    pub(crate) fn load_bound(&self, p: usize) -> i64 {
        let range = self.partitions[p].sections;
        self.initial_total[range.lower..range.upper].iter().copied().max().unwrap_or(0)
    }

    /// Whether an exhausted search over this model proves that nothing fits.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// What an exhausted search at `capacity` proves: infeasibility where
    /// the search is complete, nothing where it is not (see
    /// [`Problem::search_is_complete`]).
    pub(crate) fn exhausted(&self, capacity: i64) -> Outcome {
        if self.complete {
            Outcome::Infeasible { capacity, reason: None }
        } else {
            Outcome::Unknown(
                "the search tried every packing that stacks buffers, but not those where windowed gaps interleave"
                    .into(),
            )
        }
    }

    /// The independent partitions of the sweep.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    #[inline]
    pub(crate) fn edges(&self, b: usize) -> Edges<'_> {
        let range = self.edge_start[b]..self.edge_start[b + 1];
        Edges {
            others: self.edge_other[range.clone()].iter(),
            effs: self.edge_eff.as_ref().map(|e| e[range].iter()),
            own: self.size[b],
        }
    }

    /// `eff(a, b)`: how far above `a`'s offset `b` must start, if they meet.
    pub(crate) fn eff(&self, a: usize, b: usize) -> Option<i64> {
        let range = self.edge_start[a]..self.edge_start[a + 1];
        let i = self.edge_other[range.clone()].binary_search(&(b as u32)).ok()?;
        Some(match &self.edge_eff {
            Some(e) => e[range.start + i],
            None => self.size[a],
        })
    }

    #[inline]
    pub(crate) fn spans(&self, b: usize) -> &[Span] {
        &self.spans[self.span_start[b] as usize..self.span_start[b + 1] as usize]
    }
}

/// Compact sorted adjacency lists: `(start, other, eff)` as in [`Model`]'s
/// `edge_start`, `edge_other` and `edge_eff`.
type EdgeLists = (Vec<usize>, Vec<u32>, Option<Vec<i64>>);

/// For each buffer, the lowest-indexed buffer identical to it: same
/// lifespan, size and alignment, no gaps and no fixed offset, and taking
/// room (so that two identical buffers always meet). Swapping two such
/// buffers in any packing gives a packing, which is what lets the search
/// place them in one order only.
fn twins(problem: &Problem) -> Vec<u32> {
    let mut first: std::collections::HashMap<(i64, i64, i64, i64), u32> = std::collections::HashMap::new();
    let mut twin: Vec<u32> = (0..problem.buffers.len() as u32).collect();
    for (i, b) in problem.buffers.iter().enumerate() {
        if b.gaps.is_empty() && b.offset.is_none() && b.size > 0 && !b.lifespan.is_empty() {
            let key = (b.lifespan.lower, b.lifespan.upper, b.size, b.alignment);
            twin[i] = *first.entry(key).or_insert(i as u32);
        }
    }
    twin
}

/// Every pair of buffers that occupy memory at a common moment, with their
/// effective sizes, as compact sorted adjacency lists: a sweep over the
/// buffers' active extents finds the candidate pairs (twice: once to count,
/// once to fill, so nothing is allocated per pair beyond the result).
/// `None` when `halt` says to stop.
fn edges_of(problem: &Problem, halt: &dyn Fn() -> bool) -> Option<EdgeLists> {
    let pairs = PairSweep::new(problem, halt);
    let degree = pairs.degrees()?;
    let start = prefix_sums(&degree);
    let (mut other, mut eff) = pairs.fill(&start)?;
    sort_lists(&start, &mut other, &mut eff);
    Some((start, other, eff))
}

/// A sweep over the buffers' active extents that visits every pair whose
/// extents meet.
struct PairSweep<'a> {
    problem: &'a Problem,
    halt: &'a dyn Fn() -> bool,
    /// Whether some buffer has gaps (then effective sizes need the pieces).
    gapped: bool,
    pieces: Vec<Vec<crate::problem::Piece>>,
    /// (time, is_start, buffer) over each buffer's active extent, sorted.
    events: Vec<(i64, bool, u32)>,
}

impl<'a> PairSweep<'a> {
    /// The events of `problem`'s buffers.
    fn new(problem: &'a Problem, halt: &'a dyn Fn() -> bool) -> Self {
        let n = problem.buffers.len();
        let gapped = problem.buffers.iter().any(|b| !b.gaps.is_empty());
        let pieces: Vec<Vec<crate::problem::Piece>> = problem.buffers.iter().map(|b| b.pieces()).collect();
        let mut events: Vec<(i64, bool, u32)> = Vec::with_capacity(2 * n);
        for (i, p) in pieces.iter().enumerate() {
            if let (Some(first), Some(last)) = (p.first(), p.last()) {
                events.push((first.time.lower, true, i as u32));
                events.push((last.time.upper, false, i as u32));
            }
        }
        events.sort_unstable();
        PairSweep { problem, halt, gapped, pieces, events }
    }

    /// Calls `pair(a, b, eff(a, b), eff(b, a))` for every pair that meets.
    /// Returns false when halted.
    fn each_pair(&self, pair: &mut dyn FnMut(usize, usize, Option<i64>, Option<i64>)) -> bool {
        use crate::problem::effective_size_of_pieces;
        let n = self.problem.buffers.len();
        let mut alive: Vec<u32> = Vec::new();
        let mut pos = vec![u32::MAX; n];
        // Work done since the clock was last read: the pairs visited.
        let mut work = 0usize;
        for &(_, start, b) in &self.events {
            if work >= 1 << 16 {
                work = 0;
                if (self.halt)() {
                    return false;
                }
            }
            let b = b as usize;
            if !start {
                let p = pos[b] as usize;
                let last = alive.len() - 1;
                alive.swap(p, last);
                pos[alive[p] as usize] = p as u32;
                alive.pop();
                continue;
            }
            work += alive.len() + 1;
            for &a in &alive {
                let a = a as usize;
                if self.gapped {
                    let (pa, pb) = (&self.pieces[a], &self.pieces[b]);
                    pair(a, b, effective_size_of_pieces(pa, pb), effective_size_of_pieces(pb, pa));
                } else {
                    pair(a, b, Some(self.problem.buffers[a].size), Some(self.problem.buffers[b].size));
                }
            }
            pos[b] = alive.len() as u32;
            alive.push(b as u32);
        }
        true
    }

    /// How many buffers each buffer meets; `None` when halted.
    fn degrees(&self) -> Option<Vec<usize>> {
        let mut degree = vec![0usize; self.problem.buffers.len()];
        let counted = self.each_pair(&mut |a, b, ab, ba| {
            if ab.is_some() || ba.is_some() {
                degree[a] += 1;
                degree[b] += 1;
            }
        });
        counted.then_some(degree)
    }

    /// The other buffers and (with gaps) the effective sizes of every
    /// buffer's list, in the order met; `None` when halted.
    fn fill(&self, start: &[usize]) -> Option<(Vec<u32>, Option<Vec<i64>>)> {
        let total = start[self.problem.buffers.len()];
        let mut other = vec![0u32; total];
        let mut eff = self.gapped.then(|| vec![0i64; total]);
        let mut fill = start.to_vec();
        let filled = self.each_pair(&mut |a, b, ab, ba| {
            // Effective sizes exist both ways or neither (a common moment).
            if let (Some(ab), Some(ba)) = (ab, ba) {
                other[fill[a]] = b as u32;
                other[fill[b]] = a as u32;
                if let Some(e) = &mut eff {
                    e[fill[a]] = ab;
                    e[fill[b]] = ba;
                }
                fill[a] += 1;
                fill[b] += 1;
            }
        });
        filled.then_some((other, eff))
    }
}

/// Where each buffer's list starts, and one past the last: `n + 1` entries.
fn prefix_sums(degree: &[usize]) -> Vec<usize> {
    let mut start = Vec::with_capacity(degree.len() + 1);
    start.push(0usize);
    for d in degree {
        start.push(start.last().copied().unwrap_or(0) + d);
    }
    start
}

/// Sorts every buffer's list by the other buffer, as the reference's sets
/// are, keeping each effective size with its buffer.
fn sort_lists(start: &[usize], other: &mut [u32], eff: &mut Option<Vec<i64>>) {
    for b in 0..start.len() - 1 {
        let range = start[b]..start[b + 1];
        match eff {
            Some(e) => {
                let mut pairs: Vec<(u32, i64)> =
                    other[range.clone()].iter().copied().zip(e[range.clone()].iter().copied()).collect();
                pairs.sort_unstable();
                for (k, (o, x)) in pairs.into_iter().enumerate() {
                    other[range.start + k] = o;
                    e[range.start + k] = x;
                }
            }
            None => other[range].sort_unstable(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_token_stops_model_building() {
        let p = crate::generate::perfect(3, 300, 1 << 16, 1000);
        let stop = StopToken::new();
        stop.cancel();
        assert!(Model::build(&p, &stop).is_none());
        assert!(Model::build(&p, &StopToken::new()).is_some());
    }

    /// A perfect packing is full at its height and nowhere else; with a
    /// few of its pieces taken out, or on random buffers, it is not.
    #[test]
    fn a_perfect_packing_is_full_at_its_height() {
        let whole = |m: &Model| SectionRange { lower: 0, upper: m.num_sections() };
        let p = crate::generate::perfect(5, 200, 1 << 16, 1000);
        let m = Model::build(&p, &StopToken::new()).unwrap();
        assert!(m.full_at(whole(&m), 1 << 16));
        assert!(!m.full_at(whole(&m), (1 << 16) + 1));
        let holes = crate::generate::remove_pieces(&p, 5, 20);
        let m = Model::build(&holes, &StopToken::new()).unwrap();
        assert!(!m.full_at(whole(&m), 1 << 16));
        let r = crate::generate::random(5, 100, 1000, 100, 1024);
        let m = Model::build(&r, &StopToken::new()).unwrap();
        assert!(!m.full_at(whole(&m), crate::bounds::max_load(&r) as i64));
    }
}
