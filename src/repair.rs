//! Guided repair: lowers a packing by packing its highest buffers again,
//! exactly, under a lower target, trying first what is near the packing
//! it has.
//!
//! The packing is always valid. An attempt at a target frees the buffers
//! whose top passes it (the *overflow*) and the `k` highest others (by
//! offset), and keeps every other buffer in place: those that cross the
//! band's bottom `y0` make its floor. Hole branching (`crate::search::holes`)
//! packs the freed buffers into the band `[y0, target)` under a node budget,
//! trying candidates in the order of their offsets in the packing, each
//! moved by a random amount (a quarter of the band at most): the search
//! first rebuilds something near the packing, and departs from it where
//! the lower target forces it to (solution-guided search, as CP solvers
//! use it). A success is the new packing; its height is under the target.
//!
//! Why: the minimization's probes search each capacity from scratch, and
//! with a few percent of room to spare a choice low in memory is found out
//! only far above it; guided by a packing that is already close, the same
//! exact search reaches a lower one in a fraction of the nodes. Measured
//! in docs/techniques.md ("Guided repair").
//!
//! `k` adapts: it shrinks when the budget runs out (a smaller band is
//! searched more thoroughly) and grows after a success or a refutation (the
//! band had too little room); at the problem's size the band is all of
//! memory. The target's step below the incumbent doubles after a success
//! and halves after a failure, as the descent's probes do. Randomness (the
//! order's noise) makes each attempt at one target differ from the last.
//!
//! Only plain buffers move (size above 0, no gaps, fixed offset or
//! alignment); any other that reaches into the band is kept as part of its
//! floor or of its ceiling, whichever wastes less of it: the band only
//! shrinks, so whatever fits in it fits in the packing.
//!
//! The descent is resumable ([`Descent`]: an attempt under way pauses
//! when its caller's node budget runs out and goes on at the next call),
//! so it serves two callers: the minimization runs it to the end beside
//! its probes ([`descend`]), and the portfolio's repairing worker
//! ([`Fitting`]) runs it on one partition at the capacity asked, sharing
//! the race's threads with the other searches (it is supplied to a
//! `Search` as a `search::PartitionSearch`).

use crate::problem::{Buffer, Problem, Solution};
use crate::rng::Rng;
use crate::search::holes::{Holes, Piece};
use crate::search::{Model, PartitionSearch, Status};
use crate::stop::StopToken;

/// The least budget of an attempt, for small bands.
const MIN_NODES: i64 = 10_000;
/// The target's step below the incumbent is at least the gap to the bound
/// divided by this: with a step of a few bytes nearly every attempt
/// succeeds and the incumbent crawls (on generated packings with holes, 16
/// and 64 ended 1-2% lower than no floor at all).
const LEAST_STEP_SHARE: i64 = 32;
/// The fewest freed buffers (besides the overflow) `k` shrinks to.
const MIN_FREED: usize = 16;

/// Lowers `start` (a valid packing of `problem`) by guided repairs until
/// its height reaches `lower` or `stop` says to stop; `better` hears of
/// every new incumbent. Targets are multiples of `granularity`; an
/// attempt's search visits at most `nodes` nodes per buffer it frees.
pub(crate) fn descend(
    problem: &Problem,
    start: Solution,
    (lower, granularity): (i64, i64),
    (nodes, seed): (i64, u64),
    stop: &StopToken,
    better: &mut dyn FnMut(&Solution),
) -> Solution {
    descend_while(problem, start, (lower, granularity), (nodes, seed), i64::MAX, stop, better)
}

/// [`descend`] that gives up once `patience` nodes have gone by without a
/// lower packing (or nothing can move), returning the lowest it found:
/// for a caller that has another way on from there (the minimization's
/// coarse repair, which then glues less).
pub(crate) fn descend_while(
    problem: &Problem,
    start: Solution,
    (lower, granularity): (i64, i64),
    (nodes, seed): (i64, u64),
    patience: i64,
    stop: &StopToken,
    better: &mut dyn FnMut(&Solution),
) -> Solution {
    let mut d = Descent::new(problem.clone(), start.offsets.clone(), (lower, lower, granularity), (nodes, seed));
    let mut best = start;
    let mut left = patience;
    while d.height > lower && !stop.should_stop() {
        match d.advance(&mut left, &mut || stop.should_stop()) {
            Advance::Lowered => {
                best = Solution::new(problem, d.r.offsets.clone());
                better(&best);
                left = patience;
            }
            Advance::Open | Advance::Stuck => break,
        }
    }
    best
}

/// How [`Descent::advance`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Advance {
    /// An attempt lowered the packing (see [`Descent::height`]).
    Lowered,
    /// The node budget is spent or `stop` said so; an attempt may be
    /// under way, and the next call goes on with it.
    Open,
    /// A buffer that cannot move passes every target: nothing can lower
    /// the packing.
    Stuck,
}

/// A descent of guided repairs, resumable: each call runs within a node
/// budget and goes on where the last stopped, so that a caller may share a
/// thread between it and other searches (the portfolio's repair worker,
/// [`Fitting`]) or run it to the end ([`descend`]).
pub(crate) struct Descent {
    r: Repairer,
    /// The packing's height (`r.offsets` is the packing).
    pub(crate) height: i64,
    /// The height it stops at (no target is lower).
    goal: i64,
    /// A lower bound on the height: steps are shares of the gap to it.
    bound: i64,
    granularity: i64,
    /// The next target's distance below the height.
    step: i64,
    /// The attempt under way, if any.
    current: Option<Try>,
    /// Nodes and backtracks so far, over every attempt.
    pub(crate) nodes: u64,
    pub(crate) backtracks: u64,
}

/// An attempt under way: the buffers it frees (piece `i` is `freed[i]`),
/// its search and the nodes it has left.
struct Try {
    freed: Vec<usize>,
    holes: Holes,
    left: i64,
}

impl Descent {
    /// A descent of `problem` from `offsets` (a valid packing) down to
    /// `goal`, by targets that are multiples of `granularity`, `nodes`
    /// nodes per freed buffer in an attempt; `bound` (at most `goal`) is a
    /// lower bound on any packing's height.
    pub(crate) fn new(
        problem: Problem,
        offsets: Vec<i64>,
        (goal, bound, granularity): (i64, i64, i64),
        (nodes, seed): (i64, u64),
    ) -> Self {
        let height = Solution::new(&problem, offsets.clone()).height;
        let g = granularity.max(1);
        Descent {
            r: Repairer::new(problem, offsets, nodes, seed),
            height,
            goal,
            bound: bound.min(goal),
            granularity: g,
            step: g,
            current: None,
            nodes: 0,
            backtracks: 0,
        }
    }

    /// The packing: each buffer's offset.
    pub(crate) fn offsets(&self) -> &[i64] {
        &self.r.offsets
    }

    /// Runs attempts, within `budget` nodes (less what it spends), until
    /// one lowers the packing, the budget is spent or `stop` says so, or
    /// nothing can move. The step below the height starts at one granule,
    /// doubles after a success and halves after a failure, never below a
    /// share of the gap to the bound ([`LEAST_STEP_SHARE`]) once an
    /// attempt has failed: a step of a few bytes succeeds often and gains
    /// nothing (and so the step is a share of the gap to the bound, not to
    /// the goal: near a goal well above the bound, steps of a share of
    /// what is left to the goal crawl). Starting at that share instead
    /// changed nothing measurable (docs/techniques.md, "What did not carry
    /// over").
    pub(crate) fn advance(&mut self, budget: &mut i64, stop: &mut dyn FnMut() -> bool) -> Advance {
        let g = self.granularity;
        loop {
            if self.height <= self.goal {
                return Advance::Lowered;
            }
            let mut t = match self.current.take() {
                Some(t) => t,
                None => {
                    let target = ((self.height - self.step) / g * g).max(self.goal);
                    match self.r.begin(target) {
                        Ok(t) => t,
                        Err(Unbegun::Stuck) => return Advance::Stuck,
                        // Refuted at its root (the band lacks the area): it
                        // costs a node per freed buffer, what building the
                        // band took, so that a run of them ends with the
                        // budget and asks `stop` like any search, and a
                        // race that deals out equal node budgets deals this
                        // one no more time than the others.
                        Err(Unbegun::Roomless { freed }) => {
                            let cost = freed.max(1) as i64;
                            *budget -= cost;
                            self.nodes += cost as u64;
                            self.failed();
                            if *budget <= 0 || stop() {
                                return Advance::Open;
                            }
                            continue;
                        }
                    }
                }
            };
            let mut slice = (*budget).min(t.left);
            let before = slice;
            let (status, nodes, backtracks) = t.holes.resume(&mut slice, stop);
            *budget -= before - slice;
            t.left -= before - slice;
            self.nodes += nodes;
            self.backtracks += backtracks;
            let out_of_slice = status == Status::NodeLimit && t.left > 0;
            if status == Status::Stopped || out_of_slice {
                self.current = Some(t);
                return Advance::Open;
            }
            match self.r.finish(t, status) {
                Attempt::Found => {
                    self.height = Solution::new(&self.r.problem, self.r.offsets.clone()).height;
                    self.step = self.step.saturating_mul(2).min(((self.height - self.bound) / 4).max(g));
                    return Advance::Lowered;
                }
                _ => self.failed(),
            }
            if *budget <= 0 || stop() {
                return Advance::Open;
            }
        }
    }

    /// After a failed attempt: a smaller step, and a backtrack counted (a
    /// caller that favours searches which never backtracked, as the live
    /// race does, must not favour a descent that fails).
    fn failed(&mut self) {
        self.backtracks += 1;
        let least = (self.height - self.bound) / LEAST_STEP_SHARE;
        self.step = (self.step / 2).max(self.granularity).max(least);
    }
}

/// Guided repair as the search of one partition at a fixed capacity (the
/// portfolio's repair worker, `crate::options::Worker::repair`): from a
/// packing of the partition that may pass the capacity (a greedy one), the
/// repairs lower it until it fits. Incomplete: it places the partition or
/// runs until stopped, and never refutes anything.
pub(crate) struct Fitting {
    descent: Descent,
    /// Buffer `i` of the descent's problem is the model's `buffers[i]`.
    buffers: Vec<usize>,
    capacity: i64,
    /// The most buffers under the capacity in a packing so far.
    deepest: usize,
}

impl Fitting {
    /// Partition `p` of `m` as a problem of its own: its buffers in the
    /// partition's order, over section indices rather than times (the
    /// same overlaps), without alignments. For partitions hole branching
    /// applies to (plain buffers whose alignments divide every size):
    /// packings made of sums of sizes, as the greedy's and the repairs'
    /// are, are then aligned.
    fn partition(m: &Model, p: usize) -> Problem {
        let buffers = m.partitions()[p]
            .buffers
            .iter()
            .map(|&b| Buffer::new(String::new(), i64::from(m.extent[b].0), i64::from(m.extent[b].1), m.size[b]))
            .collect();
        Problem::new(buffers, 0)
    }

    /// A repair of partition `p` of `m` down to `capacity`, from the
    /// packing `start` makes of [`Self::partition`] (at any height; `None`
    /// when it makes none): an attempt visits at most `nodes` nodes per
    /// freed buffer; `seed` draws its noise.
    pub(crate) fn new(
        m: &Model,
        p: usize,
        start: impl FnOnce(&Problem) -> Option<Vec<i64>>,
        capacity: i64,
        (nodes, seed): (i64, u64),
    ) -> Option<Fitting> {
        let problem = Self::partition(m, p);
        let start = start(&problem)?;
        let g = problem.buffers.iter().fold(0, |g, b| crate::problem::gcd(g, b.size)).max(1);
        let bound = i64::try_from(crate::bounds::max_load(&problem)).unwrap_or(capacity);
        let descent = Descent::new(problem, start, (capacity, bound, g), (nodes, seed));
        let buffers = m.partitions()[p].buffers.to_vec();
        let mut f = Fitting { descent, buffers, capacity, deepest: 0 };
        f.deepest = f.under();
        Some(f)
    }

    /// How many buffers the packing has under the capacity.
    fn under(&self) -> usize {
        let (d, sizes) = (&self.descent, &self.descent.r.problem.buffers);
        d.offsets().iter().zip(sizes).filter(|(&o, b)| o + b.size <= self.capacity).count()
    }
}

impl PartitionSearch for Fitting {
    fn resume(&mut self, budget: &mut i64, stop: &mut dyn FnMut() -> bool) -> (Status, u64, u64) {
        let (nodes, backtracks) = (self.descent.nodes, self.descent.backtracks);
        let status = loop {
            if self.descent.height <= self.capacity {
                break Status::Found;
            }
            match self.descent.advance(budget, stop) {
                Advance::Lowered => self.deepest = self.deepest.max(self.under()),
                Advance::Open if *budget <= 0 => break Status::NodeLimit,
                Advance::Open => break Status::Stopped,
                // Every buffer of such a partition may move: not reached.
                // Were it, the budget is spent and nothing is claimed.
                Advance::Stuck => {
                    *budget = 0;
                    break Status::NodeLimit;
                }
            }
        };
        (status, self.descent.nodes - nodes, self.descent.backtracks - backtracks)
    }

    fn placement(&self) -> Vec<(usize, i64)> {
        self.buffers.iter().copied().zip(self.descent.offsets().iter().copied()).collect()
    }

    fn deepest(&self) -> usize {
        self.deepest
    }
}

/// How an attempt ended.
enum Attempt {
    /// The freed buffers moved under the target.
    Found,
    /// Refuted, or out of budget: the packing is as it was.
    Failed,
}

/// Why an attempt did not begin.
enum Unbegun {
    /// A buffer that cannot move passes the target: no attempt can succeed.
    Stuck,
    /// The band of `freed` buffers lacks the area for them: refuted at its
    /// root.
    Roomless { freed: usize },
}

/// The packing being repaired and the size of its bands.
struct Repairer {
    problem: Problem,
    offsets: Vec<i64>,
    /// Whether a buffer may move (plain, of size > 0).
    movable: Vec<bool>,
    rng: Rng,
    /// Buffers freed besides the overflow.
    k: usize,
    /// How many buffers may move: `k`'s largest value.
    most: usize,
    /// Nodes per freed buffer.
    nodes: i64,
}

impl Repairer {
    fn new(problem: Problem, offsets: Vec<i64>, nodes: i64, seed: u64) -> Self {
        let movable: Vec<bool> = problem
            .buffers
            .iter()
            .map(|b| {
                b.size > 0
                    && b.lifespan.lower < b.lifespan.upper
                    && b.gaps.is_empty()
                    && b.offset.is_none()
                    && b.alignment <= 1
            })
            .collect();
        let most = movable.iter().filter(|&&m| m).count();
        Repairer { problem, offsets, movable, rng: Rng::new(seed), k: most, most, nodes }
    }

    fn top(&self, b: usize) -> i64 {
        self.offsets[b] + self.problem.buffers[b].size
    }

    /// Begins an attempt to bring every buffer under `target`; `Err` when
    /// it cannot succeed (a buffer that may not move passes the target, or
    /// the band lacks the area for its buffers: then `k` grows).
    fn begin(&mut self, target: i64) -> Result<Try, Unbegun> {
        let n = self.offsets.len();
        if (0..n).any(|b| self.top(b) > target && !self.movable[b]) {
            return Err(Unbegun::Stuck);
        }
        let Band { y0, freed, pieces, floor, ceil } = self.band(target).ok_or(Unbegun::Stuck)?;
        let rank = self.rank(&freed, target - y0);
        let holes = Holes::with_profile(pieces, floor, ceil, Some(&rank));
        if !holes.roomy() {
            self.k = self.k.saturating_mul(2).min(self.most);
            return Err(Unbegun::Roomless { freed: freed.len() });
        }
        let left = self.nodes.saturating_mul(freed.len() as i64).max(MIN_NODES);
        Ok(Try { freed, holes, left })
    }

    /// Ends an attempt whose search ended with `status`, adapting `k`: it
    /// shrinks when the budget ran out (a smaller band is searched more
    /// thoroughly) and grows after a success or a refutation (the band had
    /// too little room).
    fn finish(&mut self, t: Try, status: Status) -> Attempt {
        let most = self.most;
        match status {
            Status::Found => {
                for (i, o) in t.holes.placement() {
                    self.offsets[t.freed[i]] = o;
                }
                self.k = (self.k + self.k / 4 + 1).min(most);
                Attempt::Found
            }
            Status::Infeasible => {
                self.k = self.k.saturating_mul(2).min(most);
                Attempt::Failed
            }
            _ => {
                self.k = (self.k * 3 / 4).max(MIN_FREED);
                Attempt::Failed
            }
        }
    }

    /// The band under `target` holding the overflow and the `k` highest
    /// other movable buffers; `None` when nothing is movable.
    fn band(&self, target: i64) -> Option<Band> {
        let p = &self.problem;
        let mut below: Vec<i64> = (0..p.buffers.len())
            .filter(|&b| self.movable[b] && self.top(b) <= target)
            .map(|b| self.offsets[b])
            .collect();
        below.sort_unstable_by(|a, b| b.cmp(a));
        // The k-th highest offset (all of memory when k covers them all).
        let y0 = if self.k >= below.len() { 0 } else { below[self.k.max(1) - 1] };
        let freed: Vec<usize> = (0..p.buffers.len())
            .filter(|&b| self.movable[b] && (self.top(b) > target || self.offsets[b] >= y0))
            .collect();
        if freed.is_empty() {
            return None;
        }
        let mut times: Vec<i64> =
            freed.iter().flat_map(|&b| [p.buffers[b].lifespan.lower, p.buffers[b].lifespan.upper]).collect();
        times.sort_unstable();
        times.dedup();
        let n_sec = times.len() - 1;
        let (mut floor, mut ceil) = (vec![y0; n_sec], vec![target; n_sec]);
        let mut is_freed = vec![false; p.buffers.len()];
        for &b in &freed {
            is_freed[b] = true;
        }
        for (b, buf) in p.buffers.iter().enumerate() {
            let (lo, hi) = (self.offsets[b], self.top(b));
            if is_freed[b] || buf.size == 0 || hi <= y0 || lo >= target {
                continue;
            }
            // The sections whose time it meets (with gaps it is taken whole).
            let l = buf.lifespan;
            let a = times.partition_point(|&t| t <= l.lower).saturating_sub(1);
            let z = times.partition_point(|&t| t < l.upper).min(n_sec);
            let under = lo < y0 || lo - y0 <= target - hi;
            for s in a..z {
                if under {
                    floor[s] = floor[s].max(hi);
                } else {
                    ceil[s] = ceil[s].min(lo);
                }
            }
        }
        let pieces = pieces(p, &freed, &times);
        Some(Band { y0, freed, pieces, floor, ceil })
    }

    /// The pieces' order: by their offsets now, each moved by a random
    /// amount up to a quarter of the band's `depth`, so that the search
    /// first rebuilds something near the packing (indexed by piece: each
    /// class of identical pieces goes by its first).
    fn rank(&mut self, freed: &[usize], depth: i64) -> Vec<u32> {
        let noise = (depth / 4).max(1);
        let mut keyed: Vec<(i64, usize)> =
            freed.iter().enumerate().map(|(i, &b)| (self.offsets[b] + self.rng.range(0, noise), i)).collect();
        keyed.sort_unstable();
        let mut rank = vec![0u32; freed.len()];
        for (r, &(_, i)) in keyed.iter().enumerate() {
            rank[i] = r as u32;
        }
        rank
    }
}

/// The `freed` buffers as pieces over the sections between `times`;
/// identical buffers share a class (named by its first piece), so that a
/// point tries one of them.
fn pieces(p: &Problem, freed: &[usize], times: &[i64]) -> Vec<Piece> {
    let key = |i: usize| {
        let b = &p.buffers[freed[i]];
        (b.lifespan.lower, b.lifespan.upper, b.size)
    };
    let mut order: Vec<usize> = (0..freed.len()).collect();
    order.sort_unstable_by_key(|&i| (key(i), i));
    let mut twin = vec![0u32; freed.len()];
    for (k, &i) in order.iter().enumerate() {
        twin[i] = if k > 0 && key(order[k - 1]) == key(i) { twin[order[k - 1]] } else { i as u32 };
    }
    let sec = |t: i64| times.partition_point(|&x| x < t) as u32;
    (0..freed.len())
        .map(|i| {
            let b = &p.buffers[freed[i]];
            Piece { lo: sec(b.lifespan.lower), hi: sec(b.lifespan.upper), size: b.size, b: i as u32, twin: twin[i] }
        })
        .collect()
}

/// One attempt's band: `[y0, target)` over the freed buffers' time.
struct Band {
    y0: i64,
    /// The freed buffers, by problem index; piece `i` is `freed[i]`.
    freed: Vec<usize>,
    pieces: Vec<Piece>,
    floor: Vec<i64>,
    ceil: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::descend;
    use crate::problem::{Buffer, Gap, Problem, Solution};
    use crate::rng::Rng;
    use crate::stop::StopToken;
    use crate::validate::validate;
    use std::time::{Duration, Instant};

    /// Every buffer stacked on the ones before it (fixed buffers at their
    /// offsets, the rest above the highest of them, aligned): a valid
    /// packing, as poor as packings get.
    fn stacked(p: &Problem) -> Solution {
        let mut next = p.buffers.iter().filter_map(|b| b.offset.map(|o| o + b.size)).max().unwrap_or(0);
        let offsets = p
            .buffers
            .iter()
            .map(|b| {
                b.offset.unwrap_or_else(|| {
                    let o = next.div_euclid(b.alignment) * b.alignment;
                    let o = if o < next { o + b.alignment } else { o };
                    next = o + b.size;
                    o
                })
            })
            .collect();
        Solution::new(p, offsets)
    }

    fn within(p: &Problem, s: &Solution) -> Result<(), String> {
        let at = Problem { capacity: s.height, ..p.clone() };
        validate(&at, s).map_err(|e| e.to_string())
    }

    /// From the tallest packing there is, the repairs reach the hidden
    /// perfect packing's height (its load bound), and every incumbent they
    /// report is valid and lower than the one before.
    #[test]
    fn lowers_a_stacked_packing_to_the_hidden_one() {
        let p = crate::generate::perfect(7, 40, 1 << 10, 100);
        let start = stacked(&p);
        assert!(start.height > 4 * p.capacity);
        let stop = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(60)));
        let mut last = start.height;
        let mut report = |s: &Solution| {
            assert!(within(&p, s).is_ok() && s.height < last);
            last = s.height;
        };
        let best = descend(&p, start, (p.capacity, 1), (100, 3), &stop, &mut report);
        assert_eq!(best.height, p.capacity, "the repairs reach the bound long before the safety deadline");
        assert_eq!(within(&p, &best), Ok(()));
    }

    /// Random problems with fixed offsets, alignments and gaps (kept in
    /// place as obstacles) and plain buffers (moved): whatever the repairs
    /// end with is valid, and nothing that may not move has moved.
    #[test]
    fn keeps_what_may_not_move_and_stays_valid() {
        let mut lowered = 0;
        for seed in 0..60u64 {
            let mut rng = Rng::new(seed);
            let n = rng.range(2, 14) as usize;
            let buffers: Vec<Buffer> = (0..n)
                .map(|i| {
                    let lower = rng.range(0, 12);
                    let mut b = Buffer::new(format!("b{i}"), lower, lower + rng.range(1, 8), rng.range(1, 9));
                    match rng.range(0, 5) {
                        0 => b.alignment = 4,
                        1 => b.offset = Some(rng.range(0, 4) * 8),
                        2 if b.lifespan.upper - b.lifespan.lower > 1 => {
                            let gap = crate::interval::Interval::new(b.lifespan.lower, b.lifespan.lower + 1);
                            b.gaps.push(Gap { lifespan: gap, window: None });
                        }
                        _ => {}
                    }
                    b
                })
                .collect();
            let p = Problem::new(buffers, 0);
            if crate::bounds::fixed_conflict(&p).is_some() {
                continue;
            }
            let start = stacked(&p);
            assert_eq!(within(&p, &start), Ok(()), "seed {seed}: the start is valid");
            let stop = StopToken::new().child_until(Instant::now().checked_add(Duration::from_millis(20)));
            let lower = crate::bounds::LowerBounds::of(&p).best() as i64;
            let best = descend(&p, start.clone(), (lower, 1), (100, seed), &stop, &mut |s| {
                assert_eq!(within(&p, s), Ok(()), "seed {seed}");
            });
            assert_eq!(within(&p, &best), Ok(()), "seed {seed}");
            assert!(best.height >= lower && best.height <= start.height);
            lowered += usize::from(best.height < start.height);
            for (b, buf) in p.buffers.iter().enumerate() {
                if buf.offset.is_some() || buf.alignment > 1 || !buf.gaps.is_empty() {
                    assert_eq!(best.offsets[b], start.offsets[b], "seed {seed}: {} moved", buf.id);
                }
            }
        }
        assert!(lowered >= 20, "the repairs lowered {lowered} packings of about 50");
    }
}
