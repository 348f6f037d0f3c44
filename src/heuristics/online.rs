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
/// returns the offsets, or `None` when a fixed buffer collides with
/// another one. Fixed buffers keep their offsets; the capacity is ignored
/// (the result's height says what it needs).
pub fn online(problem: &Problem, hole: Hole, tie: Tie) -> Option<Vec<i64>> {
    let n = problem.buffers.len();
    // Each buffer's active extent (first to last moment it occupies memory).
    let extent: Vec<Option<(i64, i64)>> = problem
        .buffers
        .iter()
        .map(|b| {
            let pieces = b.pieces();
            Some((pieces.first()?.time.lower, pieces.last()?.time.upper))
        })
        .collect();
    let mut offsets: Vec<i64> = problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
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
    events.sort_unstable();
    let mut memory = Occupancy::default();
    for (_, kind, _, i) in events {
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
            None => memory.find(b.size, b.alignment.max(1), hole),
        };
        memory.occupy(at, b.size);
        offsets[i] = at;
    }
    Some(offsets)
}

/// Offline greedy by size (the arena planners' classic): buffers in
/// decreasing size, each into the tightest hole left, at any moment of its
/// lifespan, by the buffers already placed (or on top of them). It scans the
/// placed buffers in offset order for each new one, O(n^2) cheap steps in
/// all, so it is meant for up to a few tens of thousands of buffers; it
/// usually packs tighter than online allocation. Gaps are ignored
/// (conservatively). Returns `None` when fixed buffers collide.
pub fn by_size(problem: &Problem) -> Option<Vec<i64>> {
    by_key(problem, Key::Size, &|| false)
}

/// Orders for the offline greedy: which buffers are placed first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Key {
    /// Largest first (longest first among equals).
    Size,
    /// Largest `size * lifespan^exponent` first: between size (0) and area
    /// (1), small exponents favour long-lived buffers just enough that they
    /// go low instead of being stacked over everything at the end.
    Weighted(f64),
    /// Longest-lived first (largest first among equals).
    Lifespan,
}

impl Key {
    /// The orders [`crate::lns::starts`] tries: on the real traces each of
    /// them is the best on some file (size on S_1-like, lifespan on Y_1,
    /// weighted on G_1, tiny_bert and pangu).
    pub const ALL: [Key; 4] = [Key::Size, Key::Weighted(0.2), Key::Weighted(0.5), Key::Lifespan];
}

impl Key {
    /// A buffer's weight: the greedy places heavier buffers first.
    pub fn weight(self, b: &crate::problem::Buffer) -> f64 {
        let (size, len) = (b.size as f64, b.lifespan.len().max(0) as f64);
        match self {
            // Size first, lifespan among equals (lifespans are below 2^53
            // in any realistic trace; beyond, the tie-break blurs).
            Key::Size => size + len / (len + 1.0) * 0.5,
            Key::Weighted(exponent) => size * len.powf(exponent),
            Key::Lifespan => len + size / (size + 1.0) * 0.5,
        }
    }
}

/// The offline greedy of [`by_size`] in the order of `key`; `None` when
/// fixed buffers collide or `halt` says to stop (see [`in_order`]).
pub fn by_key(problem: &Problem, key: Key, halt: &dyn Fn() -> bool) -> Option<Vec<i64>> {
    let buffers = &problem.buffers;
    let mut order: Vec<usize> = (0..buffers.len()).collect();
    // Fixed buffers first: a free one placed before could sit where they must go.
    let fixed_first = |b: usize| buffers[b].offset.is_none();
    match key {
        Key::Size => order.sort_by_key(|&b| {
            (fixed_first(b), std::cmp::Reverse(buffers[b].size), std::cmp::Reverse(buffers[b].lifespan.len()), b)
        }),
        Key::Lifespan => order.sort_by_key(|&b| {
            (fixed_first(b), std::cmp::Reverse(buffers[b].lifespan.len()), std::cmp::Reverse(buffers[b].size), b)
        }),
        Key::Weighted(exponent) => {
            let weight: Vec<f64> =
                buffers.iter().map(|x| x.size as f64 * (x.lifespan.len().max(0) as f64).powf(exponent)).collect();
            order.sort_by(|&a, &b| {
                fixed_first(a).cmp(&fixed_first(b)).then(weight[b].total_cmp(&weight[a])).then(a.cmp(&b))
            });
        }
    }
    in_order(problem, &order, halt)
}

/// The greedy of [`by_size`] with buffers taken in `order` (a permutation
/// of the buffers; fixed buffers should come first, or a free buffer placed
/// before them may sit where they must go, and the packing fails).
/// Returns `None` when a fixed buffer collides with one placed earlier, or
/// when `halt` (asked every few hundred buffers, since a pass over tens of
/// thousands of buffers takes a second or more) says to stop.
pub fn in_order(problem: &Problem, order: &[usize], halt: &dyn Fn() -> bool) -> Option<Vec<i64>> {
    let mut offsets: Vec<i64> = problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
    let order =
        order.iter().copied().filter(|&b| !problem.buffers[b].lifespan.is_empty() && problem.buffers[b].size > 0);
    // Placed buffers sorted by offset: (offset, end, lower, upper).
    let mut placed: Vec<(i64, i64, i64, i64)> = Vec::with_capacity(problem.buffers.len());
    for (i, b) in order.enumerate() {
        if i % 256 == 255 && halt() {
            return None;
        }
        let buf = &problem.buffers[b];
        let (lo, hi, size, align) = (buf.lifespan.lower, buf.lifespan.upper, buf.size, buf.alignment.max(1));
        let at = match buf.offset {
            Some(fixed) => {
                let clash = placed.iter().any(|&(o, e, l, u)| l < hi && lo < u && o < fixed + size && fixed < e);
                if clash {
                    return None;
                }
                fixed
            }
            None => best_fit(&placed, lo, hi, size, align),
        };
        offsets[b] = at;
        let pos = placed.partition_point(|&(o, ..)| o < at);
        placed.insert(pos, (at, at + size, lo, hi));
    }
    Some(offsets)
}

/// Where the offline greedy puts a buffer of `size` (aligned to `align`)
/// living `[lo, hi)`: into the tightest gap between the `placed` buffers
/// (sorted by offset: offset, end, lower, upper) it meets in time, or on
/// top of them.
fn best_fit(placed: &[(i64, i64, i64, i64)], lo: i64, hi: i64, size: i64, align: i64) -> i64 {
    let up = |x: i64| if x % align == 0 { x } else { x + align - x % align };
    let mut best: Option<(i64, i64)> = None; // (room, offset)
    let mut prev_end = 0i64;
    for &(o, e, l, u) in placed {
        if !(l < hi && lo < u) {
            continue;
        }
        let at = up(prev_end);
        if o >= at + size {
            let room = o - at;
            if best.is_none_or(|(r, _)| room < r) {
                best = Some((room, at));
            }
        }
        prev_end = prev_end.max(e);
    }
    best.map_or(up(prev_end), |(_, at)| at)
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

    /// The offset for a buffer of `size` (aligned) in a hole.
    fn find(&self, size: i64, align: i64, hole: Hole) -> i64 {
        let up = |x: i64| if x % align == 0 { x } else { x + align - x % align };
        let fits = |start: i64, end: i64| {
            let at = up(start);
            (at.saturating_add(size) <= end).then_some(at)
        };
        let found = match hole {
            Hole::Lowest => self.holes.iter().find_map(|(&s, &e)| fits(s, e)),
            Hole::Tightest => {
                self.by_len.range((size, i64::MIN)..).find_map(|&(len, s)| fits(s, s.saturating_add(len)))
            }
        };
        // The last hole is unbounded, so something always fits.
        found.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Solution};
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
                    let offsets = online(&p, hole, tie).unwrap();
                    let s = Solution::new(&p, offsets);
                    let mut at = p.clone();
                    at.capacity = s.height;
                    validate(&at, &s).unwrap();
                }
            }
        }
    }

    #[test]
    fn greedy_by_size_packings_are_valid() {
        for seed in 0..20 {
            let mut p = crate::generate::random(seed, 300, 200, 40, 64);
            for (i, b) in p.buffers.iter_mut().enumerate() {
                b.alignment = [1, 1, 2, 8][i % 4];
            }
            let s = Solution::new(&p, by_size(&p).unwrap());
            let mut at = p.clone();
            at.capacity = s.height;
            validate(&at, &s).unwrap();
        }
        let p = crate::generate::perfect(1, 200, 1000, 500);
        let s = Solution::new(&p, by_size(&p).unwrap());
        validate(&Problem { capacity: s.height, ..p.clone() }, &s).unwrap();
    }

    #[test]
    fn seed_example_and_fixed_buffers() {
        let mut p = Problem::new(
            vec![
                Buffer::new("b1", 0, 3, 4),
                Buffer::new("b2", 3, 9, 4),
                Buffer::new("b3", 0, 9, 4),
                Buffer::new("b4", 9, 21, 4),
                Buffer::new("b5", 0, 21, 4),
            ],
            12,
        );
        let s = Solution::new(&p, online(&p, Hole::Tightest, Tie::Width).unwrap());
        assert_eq!(s.height, 12);
        validate(&p, &s).unwrap();
        p.buffers[4].offset = Some(4);
        let s = Solution::new(&p, online(&p, Hole::Lowest, Tie::Size).unwrap());
        assert_eq!(s.offsets[4], 4);
        validate(&Problem { capacity: s.height, ..p.clone() }, &s).unwrap();
        p.buffers[2].offset = Some(6);
        assert!(online(&p, Hole::Lowest, Tie::Size).is_none(), "fixed buffers collide");
    }
}
