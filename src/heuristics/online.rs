//! Online allocation: buffers are placed in order of their start times, as
//! a runtime allocator would, each into a free hole of the memory occupied
//! at that moment. Every buffer live at a start is already placed, and every
//! later buffer sees it while it lives, so the packing is valid; the cost is
//! O(n log n) whatever the overlap, which makes it the incumbent of choice
//! for traces of tens of thousands of buffers.
//!
//! Gaps and windows are respected conservatively: a buffer holds its whole
//! extent from its first to its last active moment.

use std::collections::{BTreeMap, BTreeSet};

use crate::problem::Problem;

/// How a hole is chosen among those that fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hole {
    /// The lowest hole.
    Lowest,
    /// The smallest hole that fits (ties: the lowest).
    Tightest,
}

/// Ties among buffers starting together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tie {
    /// Largest first.
    Size,
    /// Longest-lived first.
    Width,
}

/// Places every buffer of `problem` online (see the module docs) and
/// returns the offsets, or `None` when a fixed buffer finds its place taken
/// (only by another fixed buffer: free ones keep clear of fixed buffers
/// that start later in their lifespan) or `halt` (asked every few thousand
/// buffers) says to stop. `None` proves nothing: the heuristic holds whole
/// extents, so two fixed buffers may clash here and not in fact. Fixed
/// buffers keep their offsets; the capacity is ignored (the result's
/// height says what it needs).
pub fn online(problem: &Problem, hole: Hole, tie: Tie, halt: &dyn Fn() -> bool) -> Option<Vec<i64>> {
    let n = problem.buffers.len();
    // Each buffer's active extent (first to last moment it occupies memory).
    let extent: Vec<Option<(i64, i64)>> = problem.buffers.iter().map(active_extent).collect();
    if halt() {
        return None;
    }
    let mut offsets: Vec<i64> = problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
    let fixed = FixedIndex::new(problem, &extent);
    // Events: (time, 0 = end / 1 = start, tie key, buffer).
    let mut events: Vec<(i64, u8, i64, u32)> = Vec::with_capacity(2 * n);
    for (i, e) in extent.iter().enumerate() {
        if let Some((lo, hi)) = *e {
            let b = &problem.buffers[i];
            // Fixed buffers first at each moment, then the tie order.
            let key = match (b.offset.is_some(), tie) {
                (true, _) => i64::MIN,
                (false, Tie::Size) => -b.size,
                (false, Tie::Width) => -(hi - lo),
            };
            events.push((lo, 1, key, i as u32));
            events.push((hi, 0, 0, i as u32));
        }
    }
    // A million buffers' events take a tenth of a second to sort.
    crate::sort::sort_until(&mut events, halt)?;
    let mut memory = Occupancy::default();
    let mut ahead: Vec<(i64, i64)> = Vec::new();
    for (k, (_, kind, _, i)) in events.into_iter().enumerate() {
        if k % 4096 == 4095 && halt() {
            return None;
        }
        let i = i as usize;
        let b = &problem.buffers[i];
        if kind == 0 {
            memory.release(offsets[i], b.size);
            continue;
        }
        let at = match b.offset {
            Some(fixed) => {
                if !memory.is_free(fixed, b.size) {
                    return None;
                }
                fixed
            }
            None => {
                let (lo, hi) = extent[i].unwrap_or((0, 0));
                fixed.starting_within(lo, hi, &mut ahead);
                memory.find(b.size, b.alignment.max(1), hole, &ahead)
            }
        };
        memory.occupy(at, b.size);
        offsets[i] = at;
    }
    Some(offsets)
}

/// From the first to the last moment `b` occupies memory, if it ever does
/// (without gaps, its lifespan when it has a size: no list of pieces to
/// make, which on a million buffers took longer than the sort).
fn active_extent(b: &crate::problem::Buffer) -> Option<(i64, i64)> {
    if b.gaps.is_empty() {
        return (b.size > 0 && !b.lifespan.is_empty()).then_some((b.lifespan.lower, b.lifespan.upper));
    }
    let pieces = b.pieces();
    Some((pieces.first()?.time.lower, pieces.last()?.time.upper))
}

/// The fixed buffers by the start of their extent, so that a free buffer
/// can keep clear of those that start while it lives: they are not in
/// memory yet when it is placed, but it must not sit where they go.
struct FixedIndex {
    /// (start, end of extent, offset, top), sorted by start.
    items: Vec<(i64, i64, i64, i64)>,
}

impl FixedIndex {
    fn new(problem: &Problem, extent: &[Option<(i64, i64)>]) -> Self {
        let mut items: Vec<(i64, i64, i64, i64)> = problem
            .buffers
            .iter()
            .zip(extent)
            .filter_map(|(b, e)| {
                let (lo, hi) = (*e)?;
                let o = b.offset.filter(|_| b.size > 0)?;
                Some((lo, hi, o, o + b.size))
            })
            .collect();
        items.sort_unstable();
        FixedIndex { items }
    }

    /// The memory ranges of fixed buffers whose extents start in `(lo, hi)`,
    /// sorted and merged, into `out`. (Those starting at `lo` or earlier and
    /// still live are in memory already: fixed buffers go first at a moment.)
    fn starting_within(&self, lo: i64, hi: i64, out: &mut Vec<(i64, i64)>) {
        out.clear();
        let first = self.items.partition_point(|&(s, ..)| s <= lo);
        for &(s, _, o, t) in &self.items[first..] {
            if s >= hi {
                break;
            }
            out.push((o, t));
        }
        out.sort_unstable();
        let mut merged = 0;
        for k in 0..out.len() {
            if merged > 0 && out[k].0 <= out[merged - 1].1 {
                out[merged - 1].1 = out[merged - 1].1.max(out[k].1);
            } else {
                out[merged] = out[k];
                merged += 1;
            }
        }
        out.truncate(merged);
    }
}

/// The free memory right now, as disjoint holes `[start, end)` (the last
/// one runs to `i64::MAX`), indexed by address and by length so that both
/// the lowest and the tightest hole are found in logarithmic time.
struct Occupancy {
    holes: BTreeMap<i64, i64>,
    by_len: BTreeSet<(i64, i64)>,
}

impl Default for Occupancy {
    fn default() -> Self {
        let mut o = Occupancy { holes: BTreeMap::new(), by_len: BTreeSet::new() };
        o.add(0, i64::MAX);
        o
    }
}

impl Occupancy {
    fn add(&mut self, start: i64, end: i64) {
        if end > start {
            self.holes.insert(start, end);
            self.by_len.insert((end - start, start));
        }
    }

    fn take(&mut self, start: i64) -> i64 {
        let end = self.holes.remove(&start).unwrap_or(start);
        self.by_len.remove(&(end - start, start));
        end
    }

    /// The hole containing `at`, if `at` is free.
    fn hole_at(&self, at: i64) -> Option<(i64, i64)> {
        let (&start, &end) = self.holes.range(..=at).next_back()?;
        (end > at).then_some((start, end))
    }

    fn is_free(&self, at: i64, size: i64) -> bool {
        size == 0 || self.hole_at(at).is_some_and(|(_, end)| at.saturating_add(size) <= end)
    }

    fn occupy(&mut self, at: i64, size: i64) {
        if size == 0 {
            return;
        }
        if let Some((start, end)) = self.hole_at(at) {
            self.take(start);
            self.add(start, at);
            self.add(at + size, end);
        }
    }

    fn release(&mut self, at: i64, size: i64) {
        if size == 0 {
            return;
        }
        let (mut start, mut end) = (at, at + size);
        if let Some((&s, &e)) = self.holes.range(..at).next_back() {
            if e == at {
                self.take(s);
                start = s;
            }
        }
        if self.holes.contains_key(&end) {
            end = self.take(end);
        }
        self.add(start, end);
    }

    /// The offset for a buffer of `size` (aligned) in a hole, clear of the
    /// `avoid` ranges (sorted, disjoint: fixed buffers yet to start).
    fn find(&self, size: i64, align: i64, hole: Hole, avoid: &[(i64, i64)]) -> i64 {
        let up = |x: i64| if x % align == 0 { x } else { x.saturating_add(align - x % align) };
        // The lowest aligned place in [start, end) clear of `avoid`.
        let fits = |start: i64, end: i64| {
            let mut at = up(start);
            let mut k = avoid.partition_point(|&(_, top)| top <= at);
            while at.saturating_add(size) <= end {
                match avoid.get(k) {
                    Some(&(bottom, top)) if bottom < at.saturating_add(size) => {
                        at = up(top.max(at));
                        k += 1;
                    }
                    _ => return Some(at),
                }
            }
            None
        };
        let found = match hole {
            Hole::Lowest => self.holes.iter().find_map(|(&s, &e)| fits(s, e)),
            Hole::Tightest => {
                self.by_len.range((size, i64::MIN)..).find_map(|&(len, s)| fits(s, s.saturating_add(len)))
            }
        };
        // The last hole is unbounded (and above every fixed buffer there is
        // room), so something always fits.
        found.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Solution;
    use crate::validate::validate;

    #[test]
    fn online_packings_are_valid() {
        for seed in 0..20 {
            let mut p = crate::generate::random(seed, 300, 200, 40, 64);
            for (i, b) in p.buffers.iter_mut().enumerate() {
                b.alignment = [1, 1, 2, 8][i % 4];
            }
            for hole in [Hole::Lowest, Hole::Tightest] {
                for tie in [Tie::Size, Tie::Width] {
                    let offsets = online(&p, hole, tie, &|| false).unwrap();
                    let s = Solution::new(&p, offsets);
                    let mut at = p.clone();
                    at.capacity = s.height;
                    validate(&at, &s).unwrap();
                }
            }
        }
    }

    #[test]
    fn seed_example_and_fixed_buffers() {
        let mut p = crate::problem::seed_example(12);
        let s = Solution::new(&p, online(&p, Hole::Tightest, Tie::Width, &|| false).unwrap());
        assert_eq!(s.height, 12);
        validate(&p, &s).unwrap();
        p.buffers[4].offset = Some(4);
        let s = Solution::new(&p, online(&p, Hole::Lowest, Tie::Size, &|| false).unwrap());
        assert_eq!(s.offsets[4], 4);
        validate(&Problem { capacity: s.height, ..p.clone() }, &s).unwrap();
        p.buffers[2].offset = Some(6);
        assert!(online(&p, Hole::Lowest, Tie::Size, &|| false).is_none(), "fixed buffers collide");
    }
}
