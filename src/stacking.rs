//! Stacking's cut: where a buffer list that is two problems side by side
//! in memory (two models sharing one accelerator, whose buffer lists a
//! compiler writes one after the other) splits into its two problems, and
//! how two packings stack one above the other.
//!
//! Such a problem does not split in time, so the portfolio races on all of
//! it at once, and its searches mix the two halves at every level of
//! memory, so that a pair of problems each easy alone can be out of reach
//! together (`configs/no-stacking.toml` on `tight/`'s pairs: see
//! docs/techniques.md). The list is cut where the two parts share the
//! fewest event times and their load bounds fit together (see [`cut`]);
//! the portfolio's detour (`crate::detour`) packs the parts and stacks
//! them, and the minimization minimizes them part by part
//! (`crate::minimize`). The cut is a heuristic: it only ever leads to
//! packings (validated), never proves anything.

use crate::problem::{lcm, Problem, Solution};
use crate::stop::StopToken;

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
pub(crate) fn shift_above(below: i64, part: &Problem, capacity: i64) -> i64 {
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
}
