//! The portfolio's detours: other routes to a whole packing, which a solve
//! takes once the reference's own first round (within its time limit) and
//! the greedy placements have not settled the problem, on a thread of its
//! own beside the race (`crate::portfolio::Detour`), in this order:
//!
//! 1. **Stacking**: a buffer list that is two problems side by side in
//!    memory, one after the other in the list (`crate::stacking::cut`), is
//!    solved as the two problems, the bottom part alone at its own bound
//!    or at the room the other's bound leaves, the top part in the room
//!    left above it, and the packings stacked. A part is solved by this
//!    same function, so that a part which is itself two problems is
//!    stacked in turn: three or more models side by side are cut one at a
//!    time.
//! 2. **Coarsening**: a coarse problem (`crate::coarsen`: buffers glued
//!    where one takes over from another of its size or two share a
//!    lifespan) is solved by this same function, and its packing expanded;
//!    a few coarse problems, each glued with a seed of its own (a seed
//!    that glues one already tried gives it glued further with padding,
//!    `crate::coarsen::varied`, and one already tried is not tried
//!    again). Those that neither pack nor are refuted are then approached
//!    from above: packed a little above the capacity, where they pack at
//!    once, and that packing lowered by guided repair (`crate::repair`),
//!    glued buffers moving as one, until it fits.
//!
//! Both are heuristics: they only ever find packings (validated), never
//! prove anything. Problems the quick round or the greedy placements
//! settle are untouched, and the race loses nothing to a detour but the
//! share of the cores it takes: whichever settles the problem first stops
//! the other (taken before the race, a detour that tried coarse problems
//! for seconds kept it from placing the paper's G in a tenth of one).
//! Deterministic solves take no detour: the budgets are counted by the
//! clock.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::bounds::granularity;
use crate::coarsen::Coarse;
use crate::heuristics::orders::by_size;
use crate::options::{KnownPlacement, SolveOptions};
use crate::portfolio::Portfolio;
use crate::problem::{Problem, Solution};
use crate::repair::descend;
use crate::report::{Driver, Event, Outcome, Report, Stats};
use crate::search::Model;
use crate::stacking::{cut, shift_above};
use crate::stop::StopToken;

/// Longest a stacked part is searched, or an eighth of the time left if
/// that is less. `[default: 2 s]` `[range: any]`: a part that fits its
/// room is usually packed in a fraction of a second; one that does not
/// should hand the time back to the portfolio, which starts over.
pub const PART_BUDGET: Duration = Duration::from_secs(2);

/// The first, short try at each of the bottom part's two capacities (see
/// `bottom_part`), or an eighth of the time left if that is less.
/// `[default: 250 ms]` `[range: up to PART_BUDGET]`: a part that packs at
/// all usually packs within a fraction of it (the paper's instances alone:
/// `cargo bench --bench challenging`), so a capacity that does not fit
/// costs little before the other is tried.
pub const PROBE_BUDGET: Duration = Duration::from_millis(250);

/// How much of the time left a part of the whole problem may take: `[default:
/// 8]` `[range: 2 and up]`, since the portfolio carries on after a failed
/// attempt. A part of a part, or a part that is stacked in turn, takes
/// [`NESTED_SHARE`]: its parent's budget is already the bet on the cut (an
/// eighth at every level left a part of a part 30 ms, too little to pack one
/// of the paper's instances on a loaded machine, and four of them side by
/// side were never packed in 10 s).
const SHARE: u32 = 8;

/// See [`SHARE`]: `[default: 2]` `[range: 2 and up]`.
const NESTED_SHARE: u32 = 2;

/// How deep parts are stacked in turn: `[default: 3]` a part has at least a
/// tenth of its parent's buffers, so this bounds the work; three levels cut
/// up to eight problems side by side.
const MAX_DEPTH: u32 = 3;

/// A part that has a cut itself may take this many times [`PART_BUDGET`] (or
/// [`PROBE_BUDGET`]), within its share of the time left: `[default: 4]`
/// `[range: 1 and up]`: two of the paper's instances side by side took 2.6
/// s to stack, more than a part's 2 s, so four of them were never packed.
const STACKED_PART_FACTOR: u32 = 4;

/// How many coarse problems the coarsening detour tries at most: `[default:
/// 8]` `[range: 1 and up]`; each glues with another seed, so a glue that
/// rules out every packing is not met again. On tight2/'s shuf_pairGK, one
/// coarse problem in four packs within a second (seeds 1-8); with twelve
/// tries of 0.8 s, runs with seeds 1, 2 and 3 packed it at 8.6, 1.4 and
/// 3.7 s.
const COARSE_ATTEMPTS: u32 = 8;

/// The longest one coarse problem is searched, or a quarter of the
/// detour's time if that is less: `[default: 1 s]` `[range: any]`: the
/// coarse problems that pack at all do so within 0.002-1 s (tight2/).
const COARSE_BUDGET: Duration = Duration::from_secs(1);

/// The longest the route from above ([`from_above`]) takes over one
/// coarse problem, within the route's time ([`COARSE_TOTAL`] or half the
/// time left, after the attempts at the capacity): `[default: 2 s]`
/// `[range: any]`: on tight/'s pairIJ, shuffled, the coarse packing within
/// a percent above the capacity takes 0.5 s, the repair down to it 0.9 s;
/// a coarse problem whose repair stalls hands over to the next.
const ABOVE_BUDGET: Duration = Duration::from_secs(2);

/// The longest one solve of the route's bisection above the capacity
/// takes (see [`from_above`]): `[default: 250 ms]` `[range: any]`: a
/// coarse problem packs within milliseconds at heights its glues allow,
/// and thrashes below them (as the minimization's coarse start,
/// `crate::minimize`).
const ABOVE_PROBE: Duration = Duration::from_millis(250);

/// The detour's time: at most this, or half the time left if that is
/// less (then the race, which shared the cores with it, has them to
/// itself, for what the coarse problems rule out and for proofs):
/// `[default: 8 s]` `[range: any]`.
const COARSE_TOTAL: Duration = Duration::from_secs(8);

/// Solves `problem` with the portfolio of `opts`, which takes the
/// detours (see the module docs) when the quick round and greedy
/// placements leave it open: a stacked packing when the buffer list has a
/// [`cut`], then coarse problems' packings. The detours' work is counted
/// in the report's statistics, their workers named `stacking:` or
/// `coarsening:` and theirs. `model` and `known` are the portfolio's
/// ([`Portfolio::solve_until`]): a minimization's probes pass them.
pub(crate) fn solve(
    problem: &Problem,
    opts: &SolveOptions,
    model: Option<&Model>,
    known: &[KnownPlacement],
    stop: &StopToken,
    events: &(dyn Fn(Event) + Sync),
) -> Report {
    solve_at(problem, opts, (model, known), stop, events, 0)
}

/// [`solve`] of a part `depth` levels down.
fn solve_at(
    problem: &Problem,
    opts: &SolveOptions,
    (model, known): (Option<&Model>, &[KnownPlacement]),
    stop: &StopToken,
    events: &(dyn Fn(Event) + Sync),
    depth: u32,
) -> Report {
    let portfolio = Portfolio::new(opts.clone());
    let t = &opts.tunables;
    // The parts' budgets are counted by the clock, which a deterministic
    // answer must not depend on.
    if !(t.stacking || t.coarsening) || opts.params.deterministic || depth > MAX_DEPTH {
        return portfolio.solve_until(problem, model, known, stop, events);
    }
    let detour = |run: &StopToken, stats: &mut Stats| {
        let (solution, driver) = t
            .stacking
            .then(|| cut(problem, run).and_then(|at| stacked(problem, at, opts, (run, depth), stats)))
            .flatten()
            .map(|s| (s, Driver::Stacking))
            .or_else(|| {
                t.coarsening
                    .then(|| coarsened(problem, opts, (run, depth), stats))
                    .flatten()
                    .map(|s| (s, Driver::Coarsening))
            })?;
        stats.decided_by = Some(driver.name().into());
        stats.driver = Some(driver);
        Some(solution)
    };
    portfolio.solve_detouring(problem, model, known, &detour, stop, events)
}

/// A packing of `problem` from a coarse problem's (see [`crate::coarsen`]):
/// up to [`COARSE_ATTEMPTS`] coarse problems, each glued with a seed of
/// its own (padded where the seed repeats an earlier one, with
/// `coarse_padding`; one tried already is skipped) and packed by
/// [`solve_at`] one level down, each within [`COARSE_BUDGET`] or a
/// quarter of the detour's time ([`COARSE_TOTAL`] or half the time
/// left). Then, with as much time again, the coarse problems that were
/// not refuted are approached from above ([`from_above`]). `None` when
/// nothing glues enough, or no coarse problem packed in time (which
/// proves nothing: a glue may rule out every packing).
fn coarsened(
    problem: &Problem,
    opts: &SolveOptions,
    (stop, depth): (&StopToken, u32),
    stats: &mut Stats,
) -> Option<Solution> {
    let total = share(stop, COARSE_TOTAL, 2);
    let all = stop.child_until(Instant::now().checked_add(total));
    let mut open = Vec::new();
    let pad = opts.tunables.coarse_padding.then_some(problem.capacity);
    let mut seen = HashSet::new();
    for attempt in 0..COARSE_ATTEMPTS {
        let seed = opts.params.seed.wrapping_add(u64::from(attempt));
        let (coarse, new) = crate::coarsen::varied(problem, seed, pad, &mut seen)?;
        // Searched already, within the same budget.
        if !new {
            continue;
        }
        if all.should_stop() {
            break;
        }
        let budget = all.child_until(Instant::now().checked_add(COARSE_BUDGET.min(total / 4)));
        let report = solve_at(&coarse.problem, opts, (None, &[]), &budget, &|_| {}, depth + 1);
        stats.absorb(&report.stats, "coarsening:");
        match report.outcome {
            Ok(Outcome::Solved(s)) => {
                if let Ok(s) = crate::validate::checked(problem, coarse.expand(problem, &s)) {
                    return Some(s);
                }
            }
            // The glues rule the capacity out: no repair can reach it.
            Ok(Outcome::Infeasible { .. }) => {}
            _ => open.push(coarse),
        }
    }
    let route = stop.child_until(Instant::now().checked_add(share(stop, COARSE_TOTAL, 2)));
    for coarse in &open {
        if route.should_stop() {
            break;
        }
        let budget = route.child_until(Instant::now().checked_add(ABOVE_BUDGET));
        if let Some(s) = from_above(problem, coarse, opts, (&budget, depth), stats) {
            return Some(s);
        }
    }
    None
}

/// A packing of `problem` at its capacity, approached from above through
/// `coarse`: the coarse problem packed at capacities above the one asked
/// (a bisection between it and the height of the coarse problem's greedy
/// packing by size, each solve within [`ABOVE_PROBE`]), then its lowest
/// packing lowered by guided repair (`crate::repair::descend`), glued
/// buffers moving as one, until it fits. `None` when `stop` comes first
/// or the repair is stuck.
///
/// Why: a coarse problem that does not pack at the capacity within its
/// budget often packs within a percent above it in milliseconds, and the
/// repair, over a fraction of the buffers, lowers that packing further
/// than the search at the capacity gets (docs/techniques.md, "A capacity
/// approached from above through the coarse problem").
fn from_above(
    problem: &Problem,
    coarse: &Coarse,
    opts: &SolveOptions,
    (stop, depth): (&StopToken, u32),
    stats: &mut Stats,
) -> Option<Solution> {
    let lowest = packed_above(problem, coarse, opts, (stop, depth), stats)?;
    repaired_down(problem, coarse, lowest, opts, stop)
}

/// The coarse problem's lowest packing found by a bisection between the
/// capacity (excluded) and the height of its greedy packing by size, each
/// solve within [`ABOVE_PROBE`]; `None` if the greedy places nothing
/// (fixed buffers collide).
fn packed_above(
    problem: &Problem,
    coarse: &Coarse,
    opts: &SolveOptions,
    (stop, depth): (&StopToken, u32),
    stats: &mut Stats,
) -> Option<Solution> {
    let g = granularity(problem).max(1);
    let mut lowest = Solution::new(&coarse.problem, by_size(&coarse.problem)?);
    let (mut lo, mut hi) = (problem.capacity + g, lowest.height);
    while lo < hi && !stop.should_stop() {
        let at = ((lo + (hi - lo) / 2) / g * g).max(lo);
        let budget = stop.child_until(Instant::now().checked_add(ABOVE_PROBE));
        let report = solve_at(
            &Problem { capacity: at, ..coarse.problem.clone() },
            opts,
            (None, &[]),
            &budget,
            &|_| {},
            depth + 1,
        );
        stats.absorb(&report.stats, "coarsening:");
        match report.outcome {
            Ok(Outcome::Solved(s)) => {
                hi = s.height;
                lowest = s;
            }
            // Refuted or out of time: nothing this low, as far as a short
            // solve can tell.
            _ => lo = at + g,
        }
    }
    Some(lowest)
}

/// The coarse packing `start` lowered by guided repair until it fits the
/// capacity, expanded and validated; `None` when `stop` comes first or
/// the repair is stuck.
fn repaired_down(
    problem: &Problem,
    coarse: &Coarse,
    start: Solution,
    opts: &SolveOptions,
    stop: &StopToken,
) -> Option<Solution> {
    let (capacity, g) = (problem.capacity, granularity(problem).max(1));
    let mut lowest = start;
    if lowest.height > capacity {
        let nodes = opts.tunables.repair_nodes;
        lowest = descend(&coarse.problem, lowest, (capacity, g), (nodes, opts.params.seed), stop, &mut |_| {});
    }
    (lowest.height <= capacity).then(|| crate::validate::checked(problem, coarse.expand(problem, &lowest)).ok())?
}

/// `most`, or the time `stop` has left divided by `divisor`, if that is
/// less.
fn share(stop: &StopToken, most: Duration, divisor: u32) -> Duration {
    match stop.deadline() {
        Some(d) => most.min(d.saturating_duration_since(Instant::now()) / divisor),
        None => most,
    }
}

/// The two parts of `problem` cut at `at`, packed one above the other
/// within the capacity: first the lower part at the bottom (see
/// [`bottom_part`]), then the upper part in the room left above it;
/// if the upper part does not fit, the other way round. `None` if neither
/// order fits in time (a first part that does not fit in its room ends the
/// attempt: the cut is likely not between two problems).
fn stacked(
    problem: &Problem,
    at: usize,
    opts: &SolveOptions,
    (stop, depth): (&StopToken, u32),
    stats: &mut Stats,
) -> Option<Solution> {
    let part = |range: std::ops::Range<usize>| Problem::new(problem.buffers[range].to_vec(), 0);
    let (lower, upper) = (part(0..at), part(at..problem.buffers.len()));
    // The list's own order first (what a compiler lists first at the
    // bottom), then the other way round only if the first part fitted.
    for lower_first in [true, false] {
        let (first, second) = if lower_first { (&lower, &upper) } else { (&upper, &lower) };
        let peak = |p: &Problem| crate::bounds::max_load(p).min(i128::from(problem.capacity)) as i64;
        let (own, room) = (peak(first), problem.capacity - peak(second));
        let bottom = bottom_part(first, (own, room), opts, (stop, depth), stats)?;
        let shift = shift_above(bottom.height, second, problem.capacity);
        let capacity = problem.capacity - shift;
        let Some(top) = solve_part(second, (capacity, PART_BUDGET), opts, (stop, depth), stats) else { continue };
        let raised = top.offsets.iter().map(|o| o + shift);
        let offsets: Vec<i64> = if lower_first {
            bottom.offsets.iter().copied().chain(raised).collect()
        } else {
            raised.chain(bottom.offsets.iter().copied()).collect()
        };
        if let Ok(s) = crate::validate::checked(problem, Solution::new(problem, offsets)) {
            return Some(s);
        }
    }
    None
}

/// The part to pack at the bottom, at its own load bound `own` or with
/// all the `room` the other part leaves: each first with a short budget
/// ([`PROBE_BUDGET`]), then each with the whole [`PART_BUDGET`]. Neither
/// capacity is the better first guess: among the paper's instances some
/// pack at their bound at once and resist a little more room, others pack
/// with room to spare and never at their bound.
/// A capacity that fails its short try is searched afresh in the long one
/// (a portfolio solve does not resume), which costs at most the short try.
fn bottom_part(
    part: &Problem,
    (own, room): (i64, i64),
    opts: &SolveOptions,
    (stop, depth): (&StopToken, u32),
    stats: &mut Stats,
) -> Option<Solution> {
    let capacities: &[i64] = if room > own { &[own, room] } else { &[own] };
    [PROBE_BUDGET, PART_BUDGET]
        .iter()
        .flat_map(|&most| capacities.iter().map(move |&c| (c, most)))
        .find_map(|(capacity, most)| solve_part(part, (capacity, most), opts, (stop, depth), stats))
}

/// One part at `capacity`, within `most` or its share of the time; its
/// work goes into `stats`. The part is solved by [`solve_at`] one level
/// down, so a part that is itself two problems is stacked in turn.
fn solve_part(
    part: &Problem,
    (capacity, most): (i64, Duration),
    opts: &SolveOptions,
    (stop, depth): (&StopToken, u32),
    stats: &mut Stats,
) -> Option<Solution> {
    if stop.should_stop() || capacity <= 0 {
        return None;
    }
    let problem = Problem { capacity, ..part.clone() };
    // A part that is itself problems side by side is stacked in turn, and
    // packing its parts takes longer than packing one.
    let stacked = depth < MAX_DEPTH && cut(&problem, stop).is_some();
    let (most, divisor) = match (stacked, depth) {
        (false, 0) => (most, SHARE),
        (false, _) => (most, NESTED_SHARE),
        (true, _) => (most * STACKED_PART_FACTOR, NESTED_SHARE),
    };
    let budget = stop.child_until(Instant::now().checked_add(share(stop, most, divisor)));
    let report = solve_at(&problem, opts, (None, &[]), &budget, &|_| {}, depth + 1);
    stats.absorb(&report.stats, "stacking:");
    report.outcome.ok().and_then(Outcome::into_solution)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Buffer;

    /// Two copies of a perfect packing side by side: a stacked packing is
    /// found and valid, and its parts' work counted.
    #[test]
    fn two_problems_side_by_side_are_stacked() {
        let one = crate::generate::perfect(5, 30, 64, 100);
        let mut buffers = one.buffers.clone();
        buffers.extend(one.buffers.iter().map(|b| Buffer { id: format!("b_{}", b.id), ..b.clone() }));
        let pair = Problem::new(buffers, 128);
        let stop = StopToken::new();
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 2, ..Default::default() });
        let mut stats = Stats::default();
        let s = stacked(&pair, one.buffers.len(), &opts, (&stop, 0), &mut stats).unwrap();
        assert!(s.height <= 128);
        assert!(stats.workers.iter().all(|w| w.name.starts_with("stacking:")) && !stats.workers.is_empty());
    }

    /// On random problems (any cut, any capacity at or above the bound) a
    /// stacked packing, when there is one, is valid and fits.
    #[test]
    fn stacked_packings_are_valid() {
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 1, ..Default::default() });
        let mut found = 0;
        for seed in 0..40 {
            let mut p = crate::generate::random(seed, 40, 200, 60, 64);
            let bound = crate::bounds::max_load(&p) as i64;
            p.capacity = bound + (seed as i64 % 4) * 16;
            let stop = StopToken::new();
            let at = cut(&p, &stop).unwrap_or(20);
            if let Some(s) = stacked(&p, at, &opts, (&stop, 0), &mut Stats::default()) {
                assert!(crate::validate::validate(&p, &s).is_ok() && s.height <= p.capacity, "seed {seed}");
                found += 1;
            }
        }
        assert!(found > 0, "no random problem stacked at all");
    }

    /// Perfect packings with pieces removed, at their capacity: the coarse
    /// problems' packings, expanded, are valid and fit, and most pack
    /// (what they hide is a packing made by cuts); the parts' work is
    /// counted under `coarsening:`.
    #[test]
    fn coarse_packings_of_packings_with_holes_fit() {
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 2, ..Default::default() });
        let mut packed = 0;
        for seed in 0..10u64 {
            let p = crate::generate::remove_pieces(&crate::generate::perfect(seed, 80, 1 << 10, 100), seed, 5);
            let mut stats = Stats::default();
            let got = coarsened(&p, &opts, (&StopToken::new(), 0), &mut stats);
            packed += usize::from(fits_as_coarsening(&p, got, &stats, seed));
        }
        assert!(packed >= 5, "{packed} of 10 packed coarse");
    }

    /// The route from above, on its own: over coarse problems of perfect
    /// packings with pieces removed, at their capacity, whatever it returns
    /// is a valid packing of the given problem within the capacity, and
    /// the coarse problems' work is counted under `coarsening:`.
    #[test]
    fn a_coarse_packing_from_above_fits_when_returned() {
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 2, ..Default::default() });
        let mut fitted = 0;
        for seed in 0..8u64 {
            let p = crate::generate::remove_pieces(&crate::generate::perfect(seed, 150, 1 << 12, 1000), seed, 5);
            let coarse = crate::coarsen::coarsen(&p, seed, None).expect("a packing made by cuts glues");
            let stop = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(5)));
            let mut stats = Stats::default();
            let got = from_above(&p, &coarse, &opts, (&stop, 0), &mut stats);
            fitted += usize::from(fits_as_coarsening(&p, got, &stats, seed));
        }
        assert!(fitted >= 5, "{fitted} of 8 fitted");
    }

    /// Checks that a packing the coarsening detour (or a part of it)
    /// returned, if any, is valid within the capacity, and that the work
    /// is counted under `coarsening:`; whether there was one.
    fn fits_as_coarsening(p: &Problem, got: Option<Solution>, stats: &Stats, seed: u64) -> bool {
        assert!(stats.workers.iter().all(|w| w.name.starts_with("coarsening:")), "seed {seed}");
        let Some(s) = got else { return false };
        assert_eq!(crate::validate::validate(p, &s), Ok(()), "seed {seed}");
        assert!(s.height <= p.capacity, "seed {seed}: {} over {}", s.height, p.capacity);
        true
    }

    /// The repair down to the capacity: from a coarse packing with every
    /// glued buffer stacked on the last (far above the capacity), it brings
    /// most coarse problems of packings with holes down to the capacity
    /// they were made in, and what it returns is valid and fits.
    #[test]
    fn a_stacked_coarse_packing_is_repaired_down_to_the_capacity() {
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 2, ..Default::default() });
        let mut fitted = 0;
        for seed in 0..5u64 {
            let p = crate::generate::remove_pieces(&crate::generate::perfect(seed, 80, 1 << 10, 100), seed, 5);
            let coarse = crate::coarsen::coarsen(&p, seed, None).expect("a packing made by cuts glues");
            let stacked = coarse.problem.buffers.iter().scan(0, |top, b| Some(std::mem::replace(top, *top + b.size)));
            let start = Solution::new(&coarse.problem, stacked.collect());
            assert!(start.height > p.capacity || coarse.problem.buffers.len() == 1, "seed {seed}");
            let stop = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(5)));
            let got = repaired_down(&p, &coarse, start, &opts, &stop);
            fitted += usize::from(fits_as_coarsening(&p, got, &Stats::default(), seed));
        }
        assert!(fitted >= 3, "{fitted} of 5 repaired down to the capacity");
    }

    /// On random problems, feasible or not (a capacity from under the load
    /// bound to above it), whatever the coarsening detour returns is valid
    /// within the capacity; where the reference's complete search (itself
    /// checked against brute force in tests/brute_force.rs) proves that
    /// nothing fits, it returns nothing.
    #[test]
    fn coarse_packings_are_valid_and_never_beat_a_proof() {
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 2, ..Default::default() });
        let mut found = 0;
        for seed in 0..60u64 {
            let mut p = crate::generate::random(seed, 9, 12, 4, 8);
            let bound = crate::bounds::max_load(&p) as i64;
            p.capacity = bound - 1 + (seed as i64 % 4) * 2;
            let stop = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(5)));
            let got = coarsened(&p, &opts, (&stop, 0), &mut Stats::default());
            let one = SolveOptions::from_params(&crate::params::SolverParams { threads: 1, ..Default::default() });
            let proof = crate::solver::solve_with(&p, &one, &StopToken::new(), &|_| {}).outcome;
            let none_fits = matches!(proof, Ok(Outcome::Infeasible { .. }));
            if let Some(s) = got {
                assert!(crate::validate::validate(&p, &s).is_ok() && s.height <= p.capacity, "seed {seed}");
                assert!(!none_fits, "seed {seed}: a coarse packing where none fits");
                found += 1;
            }
        }
        assert!(found > 0, "no random problem packed coarse");
    }
}
