//! Stacking: a problem made of two problems side by side in memory (two
//! models sharing one accelerator, whose buffer lists a compiler writes one
//! after the other) is solved as the two problems, one packed above the
//! other. A part is solved by this same function, so that a part which is
//! itself two problems is stacked in turn: three or more models side by
//! side are cut one at a time.
//!
//! Such a problem does not split in time, so the portfolio races on all of
//! it at once, and its searches mix the two halves at every level of
//! memory, so that a pair of problems each easy alone can be out of reach
//! together (`configs/no-stacking.toml` on `tight/`'s pairs: see
//! docs/techniques.md). Here the buffer list is cut where the two parts
//! share the fewest event times and their load bounds fit together (see
//! [`cut`]), the bottom part is solved alone at its own bound
//! or at the room the other's bound leaves, the top part in the room left
//! above it, and the packings are stacked.
//!
//! The cut is a heuristic: it only ever finds packings (validated), never
//! proves anything, and it is the portfolio's detour
//! (`crate::portfolio::Detour`): tried only once the reference's own first
//! round (within its time limit) and the greedy placements have not
//! settled the problem, so that problems the portfolio settles quickly,
//! feasible or not, are untouched, and nothing the portfolio did before is
//! thrown away: when the stacked attempt fails, the race carries on the
//! searches the round left paused. Deterministic solves never stack: the
//! parts' budgets are counted by the clock.

use std::time::{Duration, Instant};

use crate::options::{KnownPlacement, SolveOptions};
use crate::portfolio::Portfolio;
use crate::problem::{lcm, Problem, Solution};
use crate::report::{Driver, Event, Outcome, Report, Stats};
use crate::search::Model;
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

/// See [`border`]: `[default: 4]` `[range: 2 and up]`: the paper's
/// instances side by side share 7-15% of their event times at the border,
/// cuts through one of them most.
const BORDER_SHARE: usize = 4;

/// Each part has at least this share of the buffers (in tenths):
/// `[default: 1]` a cut that sets apart a handful of buffers only moves them
/// to the top, which rarely helps.
const MIN_PART_TENTHS: usize = 1;

/// Above this many section updates the cut is not looked for (it costs one
/// pass over every buffer's lifespan per direction).
const MAX_WORK: usize = 50_000_000;

/// Section updates between two questions to the stop token while the cut
/// is looked for.
const STOP_EVERY: usize = 1 << 16;

/// Where to cut `problem`'s buffer list: among the indices `i` whose parts
/// `..i` and `i..` have peak loads that fit the capacity together, the one
/// whose parts share the fewest event times (see [`shared_times`]), then
/// whose peaks add up least, then the most even. `None` when buffers have gaps
/// or fixed offsets (stacking would move them), when the parts would not
/// overlap in time (the portfolio splits those itself), or when no cut
/// fits, or `stop` said to stop first.
pub(crate) fn cut(problem: &Problem, stop: &StopToken) -> Option<usize> {
    scored_cut(problem, stop).map(|(at, _)| at)
}

/// A [`cut`] that falls on a border between programs with clocks of their
/// own: its parts share at most one in [`BORDER_SHARE`] of the list's event
/// times. A cut through one program shares most of them (a buffer's end is
/// another's start), so the minimization, which asks at a height with room
/// to spare where cuts through one program abound, takes only these.
pub(crate) fn border(problem: &Problem, stop: &StopToken) -> Option<usize> {
    scored_cut(problem, stop).filter(|&(_, (shared, times))| shared * BORDER_SHARE <= times).map(|(at, _)| at)
}

/// [`cut`], with the event times its parts share and the list's number of
/// event times.
fn scored_cut(problem: &Problem, stop: &StopToken) -> Option<(usize, (usize, usize))> {
    let bufs = &problem.buffers;
    let n = bufs.len();
    if n < 20 || bufs.iter().any(|b| !b.gaps.is_empty() || b.offset.is_some()) {
        return None;
    }
    let mut times: Vec<i64> = bufs.iter().flat_map(|b| [b.lifespan.lower, b.lifespan.upper]).collect();
    times.sort_unstable();
    times.dedup();
    let section = |t: i64| times.partition_point(|&x| x < t);
    let spans: Vec<(usize, usize)> =
        bufs.iter().map(|b| (section(b.lifespan.lower), section(b.lifespan.upper))).collect();
    if spans.iter().map(|(lo, hi)| hi - lo).sum::<usize>() > MAX_WORK {
        return None;
    }
    let peaks = |order: &mut dyn Iterator<Item = usize>| {
        let mut load = vec![0i128; times.len()];
        let mut peak = 0i128;
        let mut out = vec![0i128; n + 1];
        let mut work = 0;
        for (k, i) in order.enumerate() {
            let (lo, hi) = spans[i];
            for l in &mut load[lo..hi] {
                *l += i128::from(bufs[i].size);
                peak = peak.max(*l);
            }
            out[k + 1] = peak;
            work += hi - lo;
            if work >= STOP_EVERY {
                work = 0;
                if stop.should_stop() {
                    return None;
                }
            }
        }
        Some(out)
    };
    // prefix[i]: the peak load of buffers ..i; suffix[j]: of the last j.
    let prefix = peaks(&mut (0..n))?;
    let suffix = peaks(&mut (0..n).rev())?;
    let shared = shared_times(&spans, times.len());
    let least = (n * MIN_PART_TENTHS).div_ceil(10).max(1);
    let capacity = i128::from(problem.capacity);
    (least..=n - least)
        .filter(|&i| prefix[i] + suffix[n - i] <= capacity)
        .min_by_key(|&i| (shared[i], prefix[i] + suffix[n - i], i.abs_diff(n / 2)))
        .filter(|&i| overlap_in_time(&spans[..i], &spans[i..]))
        .map(|i| (i, (shared[i], times.len())))
}

/// Stacks `upper`'s packing above `lower`'s, the upper part's buffers after
/// the lower's: it starts at a multiple of all its alignments, within
/// `capacity` (which only bounds that multiple).
pub(crate) fn stack_packings(lower: &Solution, upper: (&Problem, &Solution), capacity: i64) -> Vec<i64> {
    let (part, top) = upper;
    let shift = shift_above(lower.height, part, capacity);
    lower.offsets.iter().copied().chain(top.offsets.iter().map(|o| o + shift)).collect()
}

/// Where `part` starts above a packing of height `below`: the next
/// multiple of all its alignments (bounded by `capacity`).
fn shift_above(below: i64, part: &Problem, capacity: i64) -> i64 {
    let step =
        part.buffers.iter().fold(1i64, |l, b| lcm(l, b.alignment.max(1)).unwrap_or(i64::MAX).min(capacity.max(1)));
    (below + step - 1) / step * step
}

/// For each cut `i` of the list, how many event times (indices below
/// `times`) both parts `..i` and `i..` have a buffer start or end at. The
/// fewest shared times marks the border between two programs: each has a
/// clock of its own, and buffers of one moved into the other bring their
/// times with them. The least sum of the parts' peaks does not: a few
/// buffers of one program moved beside the other's peak lower the sum
/// (the cut fell 9 buffers into the paper's J beside F and I, and 17 into
/// J beside H, where the fewest shared times fall on the border).
fn shared_times(spans: &[(usize, usize)], times: usize) -> Vec<usize> {
    let (mut first, mut second) = (vec![0u32; times + 1], vec![0u32; times + 1]);
    for &(lo, hi) in spans {
        second[lo] += 1;
        second[hi] += 1;
    }
    let mut shared = 0;
    let mut out = Vec::with_capacity(spans.len() + 1);
    out.push(0);
    for &(lo, hi) in spans {
        for t in [lo, hi] {
            // Time t moves one use from the second part to the first.
            let before = usize::from(first[t] > 0 && second[t] > 0);
            first[t] += 1;
            second[t] -= 1;
            shared = shared + usize::from(first[t] > 0 && second[t] > 0) - before;
        }
        out.push(shared);
    }
    out
}

/// Whether some section is used by both lists of spans.
fn overlap_in_time(a: &[(usize, usize)], b: &[(usize, usize)]) -> bool {
    let extent =
        |s: &[(usize, usize)]| (s.iter().map(|x| x.0).min().unwrap_or(0), s.iter().map(|x| x.1).max().unwrap_or(0));
    let ((alo, ahi), (blo, bhi)) = (extent(a), extent(b));
    alo < bhi && blo < ahi
}

/// Solves `problem` with the portfolio of `opts`, which takes a stacked
/// packing (see the module docs) as its detour when the buffer list has a
/// [`cut`] and the quick round and greedy placements leave it open. The parts' work is
/// counted in the report's statistics, their workers named `stacking:`
/// and theirs. `model` and `known` are the portfolio's
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
    // The parts' budgets are counted by the clock, which a deterministic
    // answer must not depend on.
    if !opts.tunables.stacking || opts.params.deterministic || depth > MAX_DEPTH {
        return portfolio.solve_until(problem, model, known, stop, events);
    }
    let detour = |run: &StopToken, stats: &mut Stats| {
        let at = cut(problem, run)?;
        let solution = stacked(problem, at, opts, (run, depth), stats)?;
        stats.decided_by = Some("stacking".into());
        stats.driver = Some(Driver::Stacking);
        Some(solution)
    };
    portfolio.solve_detouring(problem, model, known, &detour, stop, events)
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

    /// Two copies of a perfect packing side by side: the cut is between them.
    #[test]
    fn the_cut_falls_between_two_problems_side_by_side() {
        let one = crate::generate::perfect(5, 30, 64, 100);
        let mut buffers = one.buffers.clone();
        buffers.extend(one.buffers.iter().map(|b| Buffer { id: format!("b_{}", b.id), ..b.clone() }));
        let pair = Problem::new(buffers, 128);
        let stop = StopToken::new();
        assert_eq!(cut(&pair, &stop), Some(one.buffers.len()));
        // Too little room for the two bounds: no cut.
        assert_eq!(cut(&Problem { capacity: 100, ..pair.clone() }, &stop), None);
        // A stacked packing is found and valid, and its parts' work counted.
        let opts = SolveOptions::from_params(&crate::params::SolverParams { threads: 2, ..Default::default() });
        let mut stats = Stats::default();
        let s = stacked(&pair, one.buffers.len(), &opts, (&stop, 0), &mut stats).unwrap();
        assert!(s.height <= 128);
        assert!(stats.workers.iter().all(|w| w.name.starts_with("stacking:")) && !stats.workers.is_empty());
    }

    /// Three programs side by side (perfect packings with a tenth of their
    /// pieces removed, so that their loads rise and fall), each with a clock
    /// of its own over the same 100 steps (so that they share some times):
    /// the cut falls on a
    /// border between two of them, though moving a few buffers across a
    /// border can lower the sum of the parts' peaks, and next to one where
    /// a buffer's times are all shared (one seed in twenty).
    #[test]
    fn the_cut_falls_on_a_border_between_programs() {
        let mut on_border = 0;
        for seed in 0..20u64 {
            let program = |k: u64| {
                let full = crate::generate::perfect(seed * 3 + k, 40, 64, 100);
                crate::generate::remove_pieces(&full, seed, 10)
            };
            let programs: Vec<Problem> = (0..3).map(program).collect();
            let buffers: Vec<Buffer> = programs.iter().flat_map(|p| p.buffers.clone()).collect();
            let trio = Problem::new(buffers, 3 * 64);
            let borders = [programs[0].buffers.len(), programs[0].buffers.len() + programs[1].buffers.len()];
            let at = cut(&trio, &StopToken::new()).expect("three programs at the sum of their heights have a cut");
            assert!(borders.iter().any(|&b| b.abs_diff(at) <= 2), "seed {seed}: cut {at}, borders {borders:?}");
            on_border += usize::from(borders.contains(&at));
        }
        assert!(on_border >= 18, "{on_border} of 20 on a border");
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
}
