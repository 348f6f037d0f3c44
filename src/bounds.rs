//! Lower bounds on the capacity any packing needs, proven without search:
//! the largest load at any moment (gaps and windows respected), the largest
//! buffer, and the top of every fixed buffer. A capacity below the bound is
//! refuted at once.
//!
//! Each comes in two forms: one that runs to the end, and one (`_until`)
//! that a stop token can interrupt, for the drivers, which run these
//! before their first search and must honour a time limit on a million
//! buffers too (each sorts two events a buffer, in interruptible runs).

use crate::problem::Problem;
use crate::report::{Outcome, SolveResult};
use crate::sort::sort_by_time_until;
use crate::stop::StopToken;

/// The bounds of a problem; [`LowerBounds::best`] is their maximum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LowerBounds {
    /// The largest total of occupied sizes at any moment (128-bit: the sum
    /// of many 64-bit sizes may not fit in 64 bits).
    pub max_load: i128,
    /// The largest size of any buffer (even one never active must fit).
    pub largest_buffer: i64,
    /// The largest `offset + size` of any fixed buffer.
    pub fixed_top: i64,
}

impl LowerBounds {
    /// Computes all bounds in O(n log n).
    pub fn of(problem: &Problem) -> Self {
        LowerBounds::until(problem, &StopToken::new()).unwrap_or_default()
    }

    /// [`LowerBounds::of`] unless `stop` says to stop first (`None` then).
    pub fn until(problem: &Problem, stop: &StopToken) -> Option<Self> {
        Some(LowerBounds {
            max_load: max_load_until(problem, stop)?,
            largest_buffer: problem.buffers.iter().map(|b| b.size).max().unwrap_or(0).max(0),
            fixed_top: problem
                .buffers
                .iter()
                .filter_map(|b| b.offset.map(|o| o.saturating_add(b.size)))
                .max()
                .unwrap_or(0),
        })
    }

    /// The strongest of the bounds.
    pub fn best(&self) -> i128 {
        self.max_load.max(i128::from(self.largest_buffer)).max(i128::from(self.fixed_top))
    }

    /// Why `capacity` is refuted, or `None` if no bound refutes it.
    pub fn refute(&self, capacity: i64) -> Option<String> {
        let c = i128::from(capacity);
        if self.max_load > c {
            Some(format!("the load at some moment is {}", self.max_load))
        } else if i128::from(self.largest_buffer) > c {
            Some(format!("a buffer has size {}", self.largest_buffer))
        } else if i128::from(self.fixed_top) > c {
            Some(format!("a fixed buffer ends at {}", self.fixed_top))
        } else {
            None
        }
    }
}

/// Why no capacity at all fits `problem`, if its fixed buffers collide with
/// each other (they cannot move, so this is a proof whatever the capacity).
pub fn fixed_conflict(problem: &Problem) -> Option<String> {
    let fixed: Vec<_> = problem.buffers.iter().filter(|b| b.offset.is_some()).cloned().collect();
    if fixed.len() < 2 {
        return None;
    }
    let offsets: Vec<i64> = fixed.iter().map(|b| b.offset.unwrap_or(0)).collect();
    let sub = Problem::new(fixed, i64::MAX);
    let solution = crate::problem::Solution::new(&sub, offsets);
    match crate::validate::validate(&sub, &solution) {
        Err(e @ crate::validate::ValidationError::BadOverlap { .. }) => Some(format!("fixed {e}")),
        _ => None,
    }
}

/// Why `problem` cannot fit its capacity, if a bound or its fixed buffers
/// prove it without search.
pub fn refute(problem: &Problem) -> Option<String> {
    refute_until(problem, &StopToken::new()).flatten()
}

/// [`refute`] unless `stop` says to stop first (`None` then; `Some(None)`:
/// nothing refutes the capacity).
pub fn refute_until(problem: &Problem, stop: &StopToken) -> Option<Option<String>> {
    let bounds = LowerBounds::until(problem, stop)?;
    Some(bounds.refute(problem.capacity).or_else(|| fixed_conflict(problem)))
}

/// Buffers that alone prove `problem`'s capacity too small, when a bound
/// or its fixed buffers prove it: the largest buffer, a fixed buffer that
/// ends above the capacity, two fixed buffers that collide, or the buffers
/// in memory at a moment whose load is over the capacity (they all meet
/// there, so they stack, and their sizes there add up to more than the
/// capacity). `None` when nothing proves it without search. The deletion
/// filter of an irreducible infeasible subset starts from these instead
/// of the whole problem.
pub fn witness(problem: &Problem) -> Option<Vec<usize>> {
    let c = problem.capacity;
    let bufs = &problem.buffers;
    if let Some(i) = (0..bufs.len()).find(|&i| bufs[i].size > c) {
        return Some(vec![i]);
    }
    if let Some(i) = (0..bufs.len()).find(|&i| bufs[i].offset.is_some_and(|o| o.saturating_add(bufs[i].size) > c)) {
        return Some(vec![i]);
    }
    if let Some(pair) = colliding_fixed(problem) {
        return Some(pair);
    }
    let (load, at) = peak_until(problem, &StopToken::new()).flatten()?;
    (load > i128::from(c)).then(|| {
        (0..bufs.len()).filter(|&i| bufs[i].pieces().iter().any(|p| p.time.lower <= at && at < p.time.upper)).collect()
    })
}

/// Two fixed buffers that collide (indices), if any.
fn colliding_fixed(problem: &Problem) -> Option<Vec<usize>> {
    let fixed: Vec<usize> = (0..problem.buffers.len()).filter(|&i| problem.buffers[i].offset.is_some()).collect();
    let sub = Problem::new(fixed.iter().map(|&i| problem.buffers[i].clone()).collect(), i64::MAX);
    let offsets = sub.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
    match crate::validate::validate(&sub, &crate::problem::Solution::new(&sub, offsets)) {
        Err(crate::validate::ValidationError::BadOverlap { a, b, .. }) => {
            let index = |id: &str| fixed.iter().copied().find(|&i| problem.buffers[i].id == id);
            Some(vec![index(&a)?, index(&b)?])
        }
        _ => None,
    }
}

/// What every driver asks before it searches: that `problem` is well
/// formed ([`Problem::check`]) and that no bound or collision of fixed
/// buffers refutes its capacity ([`refute`]). `None` when the search may
/// go on; else how the solve ends: the fault in the problem, the
/// refutation, or the stop's outcome if `stop` said to stop first (both
/// steps ask it, so a time limit holds on a million buffers too).
pub fn admit(problem: &Problem, stop: &StopToken) -> Option<SolveResult> {
    match problem.check_halting(&|| stop.should_stop()) {
        None => return Some(Ok(Outcome::stopped(stop))),
        Some(Err(fault)) => return Some(Err(fault.into())),
        Some(Ok(())) => {}
    }
    match refute_until(problem, stop) {
        None => Some(Ok(Outcome::stopped(stop))),
        Some(Some(reason)) => Some(Ok(Outcome::Infeasible { capacity: problem.capacity, reason: Some(reason) })),
        Some(None) => None,
    }
}

/// The largest `g` such that every packing can be made canonical with all
/// offsets and heights multiples of `g`: the gcd of the sizes, window
/// bounds, alignments above one and fixed offsets (1 if they are all 0).
///
/// A canonical packing puts each buffer at 0, at its fixed offset, or at
/// another buffer's offset plus an effective size (a difference of window
/// bounds), rounded up to its alignment; all are multiples of `g`. Since
/// canonicalizing a packing never raises it, the smallest capacity is a
/// multiple of `g` too, so bounds may be rounded up to one and capacities
/// down.
pub fn granularity(problem: &Problem) -> i64 {
    use crate::problem::gcd;
    let mut g = 0;
    for b in &problem.buffers {
        g = gcd(g, b.size);
        if b.alignment > 1 {
            g = gcd(g, b.alignment);
        }
        if let Some(o) = b.offset {
            g = gcd(g, o);
        }
        for gap in &b.gaps {
            if let Some(w) = gap.window {
                g = gcd(gcd(g, w.lower), w.upper);
            }
        }
        if g == 1 {
            return 1;
        }
    }
    g.max(1)
}

/// The number of pairs of buffers whose lifespans meet, counted in
/// O(n log n) without listing them: the exact search's model stores every
/// such pair, so this says how much memory it would take.
pub fn overlapping_pairs(problem: &Problem) -> u64 {
    overlapping_pairs_until(problem, &StopToken::new()).unwrap_or(0)
}

/// [`overlapping_pairs`] unless `stop` says to stop first (`None` then).
pub fn overlapping_pairs_until(problem: &Problem, stop: &StopToken) -> Option<u64> {
    if stop.should_stop() {
        return None;
    }
    let live = problem.buffers.iter().filter(|b| !b.lifespan.is_empty() && b.size > 0);
    let mut lowers: Vec<i64> = live.clone().map(|b| b.lifespan.lower).collect();
    let mut uppers: Vec<i64> = live.map(|b| b.lifespan.upper).collect();
    let halt = || stop.should_stop();
    sort_by_time_until(&mut lowers, |&t| t, &halt)?;
    sort_by_time_until(&mut uppers, |&t| t, &halt)?;
    // Each lifespan meets those begun before it and not yet over: ends
    // come before starts at the same time, lifespans being half-open.
    let (mut ended, mut pairs) = (0usize, 0u64);
    for (begun, &t) in lowers.iter().enumerate() {
        while ended < uppers.len() && uppers[ended] <= t {
            ended += 1;
        }
        pairs += (begun - ended.min(begun)) as u64;
    }
    Some(pairs)
}

/// The largest total size occupied at any moment, with gaps and windows.
pub fn max_load(problem: &Problem) -> i128 {
    max_load_until(problem, &StopToken::new()).unwrap_or(0)
}

/// [`max_load`] unless `stop` says to stop first (`None` then).
pub fn max_load_until(problem: &Problem, stop: &StopToken) -> Option<i128> {
    Some(peak_until(problem, stop)?.map_or(0, |(load, _)| load))
}

/// The largest load at any moment and a moment it is reached (the inner
/// `None` when nothing ever occupies memory), unless `stop` says to stop
/// first (`None` then).
fn peak_until(problem: &Problem, stop: &StopToken) -> Option<Option<(i128, i64)>> {
    // (time, bytes) of what starts and what ends, each sorted by time.
    let n = problem.buffers.len();
    let mut starts: Vec<(i64, i64)> = Vec::with_capacity(n);
    let mut ends: Vec<(i64, i64)> = Vec::with_capacity(n);
    for (i, b) in problem.buffers.iter().enumerate() {
        if i % crate::sort::RUN == 0 && stop.should_stop() {
            return None;
        }
        if b.gaps.is_empty() {
            if !b.lifespan.is_empty() && b.size > 0 {
                starts.push((b.lifespan.lower, b.size));
                ends.push((b.lifespan.upper, b.size));
            }
            continue;
        }
        for p in b.pieces() {
            let len = p.window.len();
            if len > 0 {
                starts.push((p.time.lower, len));
                ends.push((p.time.upper, len));
            }
        }
    }
    let halt = || stop.should_stop();
    sort_by_time_until(&mut starts, |e| e.0, &halt)?;
    sort_by_time_until(&mut ends, |e| e.0, &halt)?;
    // Ends before starts at the same time: lifespans are half-open.
    let (mut load, mut best, mut e) = (0i128, None, 0);
    for &(t, len) in &starts {
        while e < ends.len() && ends[e].0 <= t {
            load -= i128::from(ends[e].1);
            e += 1;
        }
        load += i128::from(len);
        if best.is_none_or(|(b, _)| load > b) {
            best = Some((load, t));
        }
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap, Interval};

    #[test]
    fn seed_example_load_is_twelve() {
        let p = crate::problem::seed_example(12);
        let lb = LowerBounds::of(&p);
        assert_eq!(lb.max_load, 12);
        assert_eq!(lb.best(), 12);
        assert!(lb.refute(12).is_none());
        assert!(lb.refute(11).unwrap().contains("load"));
    }

    #[test]
    fn gaps_and_windows_lower_the_load() {
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps = vec![Gap { lifespan: Interval::new(2, 8), window: Some(Interval::new(0, 1)) }];
        let mut b = Buffer::new("b", 2, 8, 5);
        b.gaps = vec![Gap { lifespan: Interval::new(4, 6), window: None }];
        let p = Problem::new(vec![a, b], 0);
        assert_eq!(max_load(&p), 6);
    }

    #[test]
    fn granularity_is_the_gcd_of_everything_offsets_are_made_of() {
        let mut p = Problem::new(vec![Buffer::new("a", 0, 2, 1024), Buffer::new("b", 1, 3, 3072)], 0);
        assert_eq!(granularity(&p), 1024);
        p.buffers[1].alignment = 512;
        assert_eq!(granularity(&p), 512);
        p.buffers[0].offset = Some(256);
        assert_eq!(granularity(&p), 256);
        p.buffers[1].gaps = vec![Gap { lifespan: Interval::new(1, 2), window: Some(Interval::new(0, 100)) }];
        assert_eq!(granularity(&p), 4);
        assert_eq!(granularity(&Problem::new(vec![Buffer::new("z", 0, 1, 0)], 0)), 1);
    }

    #[test]
    fn counts_overlapping_pairs() {
        let p = Problem::new(
            vec![
                Buffer::new("a", 0, 4, 1),
                Buffer::new("b", 1, 2, 1),
                Buffer::new("c", 2, 5, 1),
                Buffer::new("d", 5, 6, 1),
            ],
            0,
        );
        assert_eq!(overlapping_pairs(&p), 2);
    }

    #[test]
    fn largest_and_fixed() {
        let mut a = Buffer::new("a", 3, 3, 9);
        let mut b = Buffer::new("b", 0, 1, 2);
        b.offset = Some(10);
        a.alignment = 1;
        let lb = LowerBounds::of(&Problem::new(vec![a, b], 0));
        assert_eq!(lb.max_load, 2);
        assert_eq!(lb.largest_buffer, 9);
        assert_eq!(lb.fixed_top, 12);
        assert_eq!(lb.best(), 12);
        assert!(lb.refute(11).unwrap().contains("fixed"));
    }
}
