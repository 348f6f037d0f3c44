//! Large neighbourhood search: lowers the height of a packing too large for
//! the exact search to take whole, by re-solving small pieces of it exactly.
//!
//! Repeatedly: pick a moment where the packing rises above the target
//! height; free the buffers live then that reach highest (a *band* of
//! memory from the lowest of them up); keep every other buffer where it is,
//! as a fixed obstacle clipped to the band; and ask the exact solver to pack
//! the freed buffers into the band under the target, within a short time
//! budget. A success moves them, and that moment no longer rises above the
//! target; nothing else moves, so the packing stays valid. When no moment
//! rises above the target the height has dropped to it, and a lower target
//! follows; when repairs keep failing the target is relaxed.
//!
//! Several searches run at once on the portfolio's threads, each on its own
//! moment, sharing the incumbent: a repair is committed only if none of the
//! buffers it read moved since, so concurrent repairs never conflict.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::heuristics::online::{Hole, Tie};
use crate::heuristics::orders::Order;
use crate::params::{LnsTunables, SolverParams};
use crate::problem::{lcm, Buffer, Problem, Solution};
use crate::report::Outcome;
use crate::rng::Rng;
use crate::stop::StopToken;

/// How the search runs.
#[derive(Clone, Debug)]
pub struct LnsOptions {
    /// Searches at once, each on a thread of its own. `[default: 1]`
    /// `[range: 1..]`; the drivers give it the threads the other improver
    /// does not use.
    pub threads: usize,
    /// Band, reach, repair size and budget (see [`LnsTunables`]).
    pub tunables: LnsTunables,
    /// Heights come in multiples of this (see [`crate::bounds::granularity`]).
    /// `[default: 1]`
    pub granularity: i64,
    /// Seed for choosing moments. `[default: 0]`
    pub seed: u64,
}

impl Default for LnsOptions {
    fn default() -> Self {
        LnsOptions { threads: 1, tunables: LnsTunables::default(), granularity: 1, seed: 0 }
    }
}

/// Whether `problem` takes the large-instance path under `params` (see
/// [`SolverParams::large_pairs`]), unless `stop` says to stop first
/// (`None` then).
pub fn is_large_until(problem: &Problem, params: &SolverParams, stop: &StopToken) -> Option<bool> {
    Some(crate::bounds::overlapping_pairs_until(problem, stop)? > params.large_pairs)
}

/// The best of the online heuristics (valid, capacity ignored), or `None`
/// when none placed every buffer (see [`crate::heuristics::online::online`])
/// before `halt` said to stop.
///
/// The variants stop once one reaches `enough` (no lower height is
/// wanted): on a million buffers each takes a few tenths of a second, and
/// at a capacity with room to spare the first is all a solve needs.
pub fn online_incumbent(problem: &Problem, enough: i64, halt: &dyn Fn() -> bool) -> Option<Solution> {
    let mut best: Option<Solution> = None;
    for (hole, tie) in [
        (Hole::Tightest, Tie::Width),
        (Hole::Lowest, Tie::Width),
        (Hole::Tightest, Tie::Size),
        (Hole::Lowest, Tie::Size),
    ] {
        if best.as_ref().is_some_and(|s| s.height <= enough) {
            break;
        }
        let Some(offsets) = crate::heuristics::online::online(problem, hole, tie, halt) else { continue };
        let s = Solution::new(problem, offsets);
        if best.as_ref().is_none_or(|b| s.height < b.height) {
            best = Some(s);
        }
    }
    best
}

/// Starting packings for the search, best first: the online heuristics'
/// best, and the offline greedy in each order of [`Order::STARTS`] (where
/// it is affordable), computed on up to `threads` threads, each with the
/// order that made it. The orders stop early once a packing reaches
/// `enough` (a height no packing can beat, such as the lower bound), and
/// when `stop` says so. The search from different starts ends in different
/// places, so several are worth improving. Empty when every heuristic
/// failed or was stopped: that proves nothing.
pub fn starts(problem: &Problem, threads: usize, enough: i64, stop: &StopToken) -> Vec<(Solution, Option<Order>)> {
    use crate::heuristics::orders::by_order;
    let halt = || stop.should_stop();
    let mut candidates: Vec<(Solution, Option<Order>)> =
        online_incumbent(problem, enough, &halt).map(|s| (s, None)).into_iter().collect();
    let reached = AtomicBool::new(candidates.iter().any(|s| s.0.height <= enough));
    if problem.buffers.len() <= BY_SIZE_LIMIT {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let found = Mutex::new(Vec::new());
        let stop = || reached.load(Ordering::Relaxed) || halt();
        std::thread::scope(|scope| {
            for _ in 0..threads.clamp(1, Order::STARTS.len()) {
                scope.spawn(|| {
                    while let Some(&order) = Order::STARTS.get(next.fetch_add(1, Ordering::Relaxed)) {
                        if stop() {
                            break;
                        }
                        if let Some(offsets) = by_order(problem, order, &stop) {
                            let solution = Solution::new(problem, offsets);
                            if solution.height <= enough {
                                reached.store(true, Ordering::Relaxed);
                            }
                            found.lock().push((solution, Some(order)));
                        }
                    }
                });
            }
        });
        candidates.extend(found.into_inner());
    }
    candidates.sort_by_key(|s| s.0.height);
    candidates.dedup_by(|a, b| a.0.offsets == b.0.offsets);
    candidates
}

/// [`improve`] from each of several starts at once, splitting the threads
/// among them; the best result wins.
pub fn improve_from(
    problem: &Problem,
    starts: &[Solution],
    lower: i64,
    options: &LnsOptions,
    stop: &StopToken,
    progress: &(dyn Fn(i64) + Sync),
) -> Option<Solution> {
    let runs = starts.len().min(options.threads.max(1)).max(1);
    let per_run = (options.threads.max(1) / runs).max(1);
    // Once one run reaches the bound, the others can stop.
    let reached = stop.child();
    let results: Vec<Option<Solution>> = std::thread::scope(|scope| {
        let handles: Vec<_> = starts
            .iter()
            .take(runs)
            .enumerate()
            .map(|(i, start)| {
                let reached = &reached;
                let options =
                    LnsOptions { threads: per_run, seed: options.seed.wrapping_add(i as u64), ..options.clone() };
                scope.spawn(move || {
                    let best = improve(problem, start, lower, &options, reached, progress);
                    if best.height <= lower {
                        reached.cancel();
                    }
                    best
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().ok()).collect()
    });
    results.into_iter().flatten().min_by_key(|s| s.height)
}

/// Largest problem the quadratic greedy by size runs on.
pub const BY_SIZE_LIMIT: usize = 64_000;

/// Solves a large problem at its capacity: the best online packing, then
/// neighbourhood search until it fits, or `stop` says to stop (without a
/// deadline, after [`LARGE_DEFAULT_TIME`]). Neither can prove a capacity
/// infeasible, so a capacity it cannot reach ends at the time limit (or a
/// cancel), and one where no heuristic placed every buffer as unknown. The
/// packing is not validated here: the facade does it.
pub fn solve_large(problem: &Problem, params: &SolverParams, lns: &LnsTunables, stop: &StopToken) -> Outcome {
    let limited;
    let stop = if stop.deadline().is_none() {
        limited = stop.child_until(Instant::now().checked_add(LARGE_DEFAULT_TIME));
        &limited
    } else {
        stop
    };
    // The online packing first; the slower greedy orders only if it does
    // not fit.
    let Some((start, _)) = starts(problem, params.thread_count().max(1), problem.capacity, stop).into_iter().next()
    else {
        if stop.should_stop() {
            return Outcome::stopped(stop);
        }
        return Outcome::Unknown("no heuristic could place the buffers around the fixed ones".into());
    };
    if start.height <= problem.capacity {
        return Outcome::Solved(start);
    }
    if stop.should_stop() {
        return Outcome::stopped(stop);
    }
    let options = LnsOptions {
        threads: params.thread_count().max(1),
        granularity: crate::bounds::granularity(problem),
        seed: params.seed,
        tunables: lns.clone(),
    };
    let best = improve(problem, &start, problem.capacity, &options, stop, &|_| {});
    if best.height <= problem.capacity {
        Outcome::Solved(best)
    } else if stop.is_cancelled() {
        Outcome::Cancelled
    } else {
        Outcome::TimeLimit
    }
}

/// How long the large-instance path keeps improving when no time limit
/// is given: it can never prove that it is done.
pub const LARGE_DEFAULT_TIME: Duration = Duration::from_secs(60);

/// The next target is the height less this fraction of the remaining gap.
const STEP_DIVISOR: i64 = 1 << 40;

/// The shared incumbent: offsets, and how often each buffer has moved.
struct Incumbent {
    offsets: Vec<i64>,
    version: Vec<u32>,
    height: i64,
}

/// Improves `start` (a valid packing of `problem`) towards `lower` until
/// `stop` says to stop or a proven optimum; returns the best packing found
/// and calls `progress` with each lower height.
pub fn improve(
    problem: &Problem,
    start: &Solution,
    lower: i64,
    options: &LnsOptions,
    stop: &StopToken,
    progress: &(dyn Fn(i64) + Sync),
) -> Solution {
    let g = options.granularity.max(1);
    let search = Search {
        problem,
        index: TimeIndex::new(problem),
        options,
        lower,
        g,
        stop,
        progress,
        shared: Mutex::new(Incumbent {
            offsets: start.offsets.clone(),
            version: vec![0; problem.buffers.len()],
            height: start.height,
        }),
        target: Mutex::new(start.height - g),
        done: AtomicBool::new(false),
    };
    std::thread::scope(|scope| {
        for worker in 0..options.threads.max(1) {
            let search = &search;
            scope.spawn(move || search.work(worker));
        }
    });
    let s = search.shared.into_inner();
    let best = Solution::new(problem, s.offsets);
    debug_assert!(best.height <= start.height);
    best
}

/// What the workers of one [`improve`] share.
struct Search<'a> {
    problem: &'a Problem,
    index: TimeIndex,
    options: &'a LnsOptions,
    /// The height no packing can beat.
    lower: i64,
    /// The granularity of heights (at least 1).
    g: i64,
    stop: &'a StopToken,
    progress: &'a (dyn Fn(i64) + Sync),
    shared: Mutex<Incumbent>,
    /// The height every search is trying to get below.
    target: Mutex<i64>,
    /// Set once the target is below `lower`: the incumbent is optimal.
    done: AtomicBool,
}

/// One worker's own state.
struct Worker {
    rng: Rng,
    /// Repairs failed in a row.
    failures: u32,
    /// Freed buffers per repair: fewer after timeouts, more after successes.
    band: usize,
}

impl Search<'_> {
    /// Whether the search is over: optimal, or told to stop.
    fn out_of_time(&self) -> bool {
        self.done.load(Ordering::Relaxed) || self.stop.should_stop()
    }

    /// One worker's loop: steps until the search is over.
    fn work(&self, worker: usize) {
        let mut w = Worker {
            rng: Rng::new(self.options.seed ^ (worker as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            failures: 0,
            band: self.options.tunables.band.max(1),
        };
        while !self.out_of_time() {
            if !self.step(&mut w) {
                return;
            }
        }
    }

    /// One repair at a random moment above the target (or, when none is
    /// left, a lower target); false when this worker is done.
    fn step(&self, w: &mut Worker) -> bool {
        let t = *self.target.lock();
        if t < self.lower {
            self.done.store(true, Ordering::Relaxed);
            return false;
        }
        let (offsets, versions) = {
            let s = self.shared.lock();
            (s.offsets.clone(), s.version.clone())
        };
        // The profile sorts every buffer (a tenth of a second on a
        // million): ask again before acting on it.
        let tops = self.index.profile(self.problem, &offsets);
        if self.out_of_time() {
            return false;
        }
        let above: Vec<usize> = (0..tops.len()).filter(|&k| tops[k] > t).collect();
        if above.is_empty() {
            // Nothing rises above the target: the height is at most t.
            self.lower_target(w.failures);
            return true;
        }
        let moment = above[(w.rng.next_u64() % above.len() as u64) as usize];
        let space = Space { problem: self.problem, index: &self.index, options: self.options };
        match repair(&space, &offsets, moment, t, w.band, self.stop) {
            Ok((moved, read)) => {
                w.failures = 0;
                w.band = (w.band * 2).min(self.options.tunables.band);
                self.commit(moved, &read, &versions);
            }
            Err(why) => {
                if why == Failure::OutOfTime {
                    w.band = (w.band / 2).max(12);
                }
                w.failures += 1;
                if w.failures >= 2 * above.len().min(16) as u32 + 4 && !self.relax() {
                    // Even one step below the incumbent resists.
                    w.failures = 0;
                }
            }
        }
        true
    }

    /// Records the incumbent's height (nothing rises above the target) and
    /// sets the next target a step below it, bolder while repairs succeed
    /// (`failures` is 0).
    fn lower_target(&self, failures: u32) {
        let g = self.g;
        let mut s = self.shared.lock();
        let height = Solution::new(self.problem, s.offsets.clone()).height;
        if height < s.height {
            s.height = height;
            (self.progress)(height);
        }
        drop(s);
        let mut tt = self.target.lock();
        if *tt >= height {
            let gap = (height - self.lower).max(0);
            let step = if failures == 0 { (gap / STEP_DIVISOR).max(g) } else { g };
            *tt = (height - step) / g * g;
        }
    }

    /// Moves the repaired buffers, unless a buffer the repair read has moved
    /// since `versions` were taken.
    fn commit(&self, moved: Vec<(usize, i64)>, read: &[usize], versions: &[u32]) {
        let mut s = self.shared.lock();
        if read.iter().all(|&b| s.version[b] == versions[b]) {
            for (b, o) in moved {
                s.offsets[b] = o;
                s.version[b] += 1;
            }
        }
    }

    /// Relaxes a target that resists halfway back up to the incumbent;
    /// false when it is already one step below the incumbent.
    fn relax(&self) -> bool {
        let g = self.g;
        let mut tt = self.target.lock();
        let h = self.shared.lock().height;
        if *tt < h - g {
            *tt = ((*tt + h) / 2 / g * g).min(h - g);
            true
        } else {
            false
        }
    }
}

/// Buffers sorted by the start of their lifespan, and the moments (time
/// segments between consecutive starts and ends) of the problem.
struct TimeIndex {
    /// Segment boundaries: segment k is `[times[k], times[k + 1])`.
    times: Vec<i64>,
    by_lower: Vec<usize>,
    lowers: Vec<i64>,
    /// The longest lifespan, to bound the searches by start.
    longest: i64,
}

impl TimeIndex {
    fn new(problem: &Problem) -> Self {
        let mut times: Vec<i64> = problem.buffers.iter().flat_map(|b| [b.lifespan.lower, b.lifespan.upper]).collect();
        times.sort_unstable();
        times.dedup();
        let mut by_lower: Vec<usize> = (0..problem.buffers.len()).collect();
        by_lower.sort_unstable_by_key(|&b| problem.buffers[b].lifespan.lower);
        let lowers = by_lower.iter().map(|&b| problem.buffers[b].lifespan.lower).collect();
        let longest = problem.buffers.iter().map(|b| b.lifespan.len()).max().unwrap_or(0);
        TimeIndex { times, by_lower, lowers, longest }
    }

    /// The top of the packing in each segment (0 where nothing is live).
    fn profile(&self, problem: &Problem, offsets: &[i64]) -> Vec<i64> {
        let segments = self.times.len().saturating_sub(1);
        // Each buffer raises a range of segments to its top; a sparse table
        // would do, but sorting tops and painting the highest first is simple:
        // every segment is written once.
        let mut order: Vec<usize> = (0..problem.buffers.len()).filter(|&b| problem.buffers[b].size > 0).collect();
        order.sort_unstable_by_key(|&b| std::cmp::Reverse(offsets[b] + problem.buffers[b].size));
        let mut top = vec![0i64; segments];
        // Next unpainted segment at or after k (path-compressed union-find).
        let mut next: Vec<usize> = (0..=segments).collect();
        fn find(next: &mut [usize], k: usize) -> usize {
            let mut r = k;
            while next[r] != r {
                r = next[r];
            }
            let mut k = k;
            while next[k] != r {
                let up = next[k];
                next[k] = r;
                k = up;
            }
            r
        }
        for b in order {
            let buf = &problem.buffers[b];
            let lo = self.times.partition_point(|&t| t < buf.lifespan.lower);
            let hi = self.times.partition_point(|&t| t < buf.lifespan.upper);
            let mut k = find(&mut next, lo);
            while k < hi {
                top[k] = offsets[b] + buf.size;
                next[k] = k + 1;
                k = find(&mut next, k + 1);
            }
        }
        top
    }

    /// Buffers whose lifespans meet `[lo, hi)`.
    fn live_in(&self, problem: &Problem, lo: i64, hi: i64) -> Vec<usize> {
        let first = self.lowers.partition_point(|&l| l < lo.saturating_sub(self.longest));
        let last = self.lowers.partition_point(|&l| l < hi);
        self.by_lower[first..last]
            .iter()
            .copied()
            .filter(|&b| {
                let l = problem.buffers[b].lifespan;
                l.lower < hi && lo < l.upper && !l.is_empty()
            })
            .collect()
    }
}

/// One repair at segment `moment`: frees the highest buffers live there and
/// re-packs them under `target`. Returns the new offsets of the freed
/// buffers and every buffer the repair depended on, or `None` if the exact
/// search found nothing in its budget.
///
/// The freed set starts at `band` buffers and halves until the repair (the
/// freed buffers plus the obstacles they meet) is small enough to search.
fn repair(
    space: &Space<'_>,
    offsets: &[i64],
    moment: usize,
    target: i64,
    band: usize,
    stop: &StopToken,
) -> Result<Repaired, Failure> {
    let (must, optional) = candidates(space, offsets, moment, target)?;
    let mut extra = band.saturating_sub(must.len()).min(optional.len());
    // Freeing more widens the band (a refuted band needs that) but makes
    // the repair larger (too large a one needs fewer): remember both
    // limits so that the two cannot undo each other forever.
    let mut refuted_at: Option<usize> = None;
    let mut too_large_at = usize::MAX;
    loop {
        let mut free: Vec<usize> = must.iter().chain(&optional[..extra]).copied().collect();
        match build_growing(space, offsets, &mut free, target, band, stop)? {
            Build::Ready(sub, ..) if crate::bounds::LowerBounds::of(&sub).refute(sub.capacity).is_some() => {
                // Somewhere in the freed buffers' time the band is full:
                // free more (and so widen the band) while there are more.
                refuted_at = Some(extra);
                let more = (extra * 2).max(extra + 4).min(optional.len()).min(too_large_at.saturating_sub(1));
                if more <= extra {
                    return Err(Failure::Proven);
                }
                extra = more;
            }
            Build::Ready(sub, floor, read) => {
                let solution = solve_band(&sub, space.options, stop)?;
                let moved = free.iter().enumerate().map(|(i, &b)| (b, solution.offsets[i] + floor)).collect();
                return Ok((moved, read));
            }
            Build::TooLarge if extra > 0 && refuted_at.is_none_or(|r| extra / 2 > r) => {
                too_large_at = extra;
                extra /= 2;
            }
            _ => return Err(Failure::Proven),
        }
    }
}

/// The buffers live at `moment` a repair there may free, highest first:
/// those that must move (above `target`) and those that may.
fn candidates(
    space: &Space<'_>,
    offsets: &[i64],
    moment: usize,
    target: i64,
) -> Result<(Vec<usize>, Vec<usize>), Failure> {
    let Space { problem, index, options } = *space;
    let (t0, t1) = (index.times[moment], index.times[moment + 1]);
    let top = |b: usize| offsets[b] + problem.buffers[b].size;
    let mut live = index.live_in(problem, t0, t1);
    live.retain(|&b| problem.buffers[b].size > 0);
    live.sort_unstable_by_key(|&b| std::cmp::Reverse(top(b)));
    // Every buffer above the target here must move (a fixed one cannot: no
    // repair here can succeed). Then the next highest, unless they live much
    // longer than is usual here (moving a buffer that spans the schedule
    // drags in every buffer it meets).
    if live.iter().any(|&b| top(b) > target && problem.buffers[b].offset.is_some()) {
        return Err(Failure::Proven);
    }
    let must: Vec<usize> = live.iter().copied().filter(|&b| top(b) > target).collect();
    let mut widths: Vec<i64> = live.iter().map(|&b| problem.buffers[b].lifespan.len()).collect();
    widths.sort_unstable();
    let usual = widths.get(widths.len() / 2).copied().unwrap_or(0).saturating_mul(options.tunables.reach).max(1);
    let optional: Vec<usize> = live
        .iter()
        .copied()
        .filter(|&b| {
            top(b) <= target && problem.buffers[b].offset.is_none() && problem.buffers[b].lifespan.len() <= usual
        })
        .collect();
    Ok((must, optional))
}

/// [`build_repair`] for `free`, adding to it the obstacles above the target
/// elsewhere in the freed buffers' time (they must move too) until none is
/// left or the repair is too big; never [`Build::Above`].
fn build_growing(
    space: &Space<'_>,
    offsets: &[i64],
    free: &mut Vec<usize>,
    target: i64,
    band: usize,
    stop: &StopToken,
) -> Result<Build, Failure> {
    let Space { problem, index, options } = *space;
    let mut added = 0;
    loop {
        if stop.should_stop() {
            return Err(Failure::OutOfTime);
        }
        match build_repair(problem, index, offsets, free, target, options) {
            Build::Above(b) if added < MAX_ADDED && free.len() < 2 * options.tunables.band.max(band) => {
                free.push(b);
                added += 1;
            }
            Build::Above(_) => return Ok(Build::Hopeless),
            other => return Ok(other),
        }
    }
}

/// Packs a repair's band: the online packing first (instant), then the
/// exact search within the repair budget.
fn solve_band(sub: &Problem, options: &LnsOptions, stop: &StopToken) -> Result<Solution, Failure> {
    let online = crate::heuristics::online::online(sub, Hole::Tightest, Tie::Width, &|| false)
        .map(|o| Solution::new(sub, o))
        .filter(|s| s.height <= sub.capacity);
    if let Some(s) = online {
        return Ok(s);
    }
    let params = SolverParams { threads: 1, ..SolverParams::default() };
    let budget = stop.child_until(Instant::now().checked_add(options.tunables.repair_budget));
    match crate::round_robin::solve(sub, &params, &budget).0 {
        Ok(Outcome::Solved(s)) => Ok(s),
        Ok(Outcome::Infeasible { .. }) => Err(Failure::Proven),
        _ => Err(Failure::OutOfTime),
    }
}

/// What a repair works on.
#[derive(Clone, Copy)]
struct Space<'a> {
    problem: &'a Problem,
    index: &'a TimeIndex,
    options: &'a LnsOptions,
}

/// A successful repair: the freed buffers' new offsets, and every buffer it
/// read (the commit checks that none of them moved meanwhile).
type Repaired = (Vec<(usize, i64)>, Vec<usize>);

/// Obstacles above the target a repair frees before giving up.
const MAX_ADDED: usize = 16;

/// Why a repair failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// It cannot succeed as posed.
    Proven,
    /// The exact search ran out of its budget (a smaller repair may succeed).
    OutOfTime,
}

enum Build {
    /// The sub-problem, the band's floor, and the buffers it depends on.
    Ready(Problem, i64, Vec<usize>),
    /// More buffers than a repair may hold.
    TooLarge,
    /// It cannot succeed (no room under the target, or awkward alignments).
    Hopeless,
    /// This movable obstacle is above the target: free it too.
    Above(usize),
}

/// The repair freeing `free`: those buffers plus every other buffer that
/// meets one of them in time and reaches into the band, clipped to it (and
/// fixed). Offsets in the sub-problem count from the band's floor.
fn build_repair(
    problem: &Problem,
    index: &TimeIndex,
    offsets: &[i64],
    free: &[usize],
    target: i64,
    options: &LnsOptions,
) -> Build {
    let top = |b: usize| offsets[b] + problem.buffers[b].size;
    // The band starts at the lowest freed buffer, aligned for all of them.
    let align = free.iter().map(|&b| problem.buffers[b].alignment).fold(1i64, |l, a| lcm(l, a).unwrap_or(i64::MAX));
    if align == i64::MAX {
        return Build::Hopeless;
    }
    let floor = free.iter().map(|&b| offsets[b]).min().unwrap_or(0);
    let floor = floor - floor.rem_euclid(align);
    if target <= floor {
        return Build::Hopeless;
    }
    let lo = free.iter().map(|&b| problem.buffers[b].lifespan.lower).min().unwrap_or(0);
    let hi = free.iter().map(|&b| problem.buffers[b].lifespan.upper).max().unwrap_or(0);
    let mut buffers: Vec<Buffer> = Vec::with_capacity(free.len() * 4);
    for &b in free {
        let mut c = problem.buffers[b].clone();
        c.id = b.to_string();
        c.hint = Some(offsets[b] - floor);
        buffers.push(c);
    }
    let mut read: Vec<usize> = free.to_vec();
    for b in index.live_in(problem, lo, hi) {
        let buf = &problem.buffers[b];
        if free.contains(&b) || top(b) <= floor || buf.size == 0 {
            continue;
        }
        if !free.iter().any(|&f| {
            let l = problem.buffers[f].lifespan;
            l.lower < buf.lifespan.upper && buf.lifespan.lower < l.upper
        }) {
            continue;
        }
        if top(b) > target {
            // An obstacle already above the target: it has to move as well.
            return if buf.offset.is_none() { Build::Above(b) } else { Build::Hopeless };
        }
        if buffers.len() >= options.tunables.max_repair {
            return Build::TooLarge;
        }
        // Clipped to the band and to the freed buffers' time; gaps and
        // windows are dropped, which only makes the obstacle larger.
        let bottom = offsets[b].max(floor);
        let mut c = Buffer::new(b.to_string(), buf.lifespan.lower.max(lo), buf.lifespan.upper.min(hi), top(b) - bottom);
        c.offset = Some(bottom - floor);
        buffers.push(c);
        read.push(b);
    }
    Build::Ready(Problem::new(buffers, target - floor), floor, read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::LowerBounds;
    use crate::heuristics::online::{online, Hole, Tie};
    use crate::validate::validate;

    #[test]
    fn improves_an_online_packing_and_stays_valid() {
        let mut p = crate::generate::perfect(5, 400, 1 << 16, 2000);
        p.capacity = 0;
        let start = Solution::new(&p, online(&p, Hole::Tightest, Tie::Width, &|| false).unwrap());
        let lower = LowerBounds::of(&p).best() as i64;
        assert!(start.height > lower, "the online packing leaves room to improve");
        for threads in [1, 2] {
            let options = LnsOptions { threads, ..LnsOptions::default() };
            let stop = StopToken::new().child_until(Some(Instant::now() + Duration::from_secs(2)));
            let best = improve(&p, &start, lower, &options, &stop, &|_| {});
            assert!(best.height < start.height, "{} vs {}", best.height, start.height);
            let mut at = p.clone();
            at.capacity = best.height;
            validate(&at, &best).unwrap();
        }
    }
}
