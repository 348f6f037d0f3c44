//! Greedy placements: fast, incomplete, and good for early incumbents.
//!
//! Buffers are taken in some order and each is put at the lowest offset
//! (first fit) or into the tightest hole (best fit) where it clears every
//! already placed buffer it meets, by the same stacking rule the exact search
//! uses, so every result is valid. Fixed buffers go first, at their offsets;
//! buffers with hints try their hint first when asked to. O(E log E) for E
//! overlapping pairs, so a 62k-buffer trace takes milliseconds.

pub mod online;
pub mod orders;
pub mod squeaky;

use crate::params::{Key, SortKey};
use crate::stop::StopToken;

use crate::search::model::{Model, NO_FIXED};

/// The order buffers are placed in: a named list of keys (see
/// [`GreedyOrder::keys`]), ties broken by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GreedyOrder {
    /// Largest size first (ties: longest lifespan, then index).
    Size,
    /// Largest area first.
    Area,
    /// Earliest start first (ties: largest size).
    Start,
    /// Longest lifespan first (ties: largest size).
    Width,
}

impl GreedyOrder {
    /// The keys this order sorts by, in turn.
    pub const fn keys(self) -> &'static [SortKey] {
        const SIZE: &[SortKey] = &[SortKey::desc(Key::Size), SortKey::desc(Key::Width)];
        const AREA: &[SortKey] = &[SortKey::desc(Key::Area)];
        const START: &[SortKey] = &[SortKey::asc(Key::Lower), SortKey::desc(Key::Size)];
        const WIDTH: &[SortKey] = &[SortKey::desc(Key::Width), SortKey::desc(Key::Size)];
        match self {
            GreedyOrder::Size => SIZE,
            GreedyOrder::Area => AREA,
            GreedyOrder::Start => START,
            GreedyOrder::Width => WIDTH,
        }
    }
}

/// Where a buffer goes among the offsets that fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fit {
    /// The lowest offset.
    First,
    /// The hole that leaves the least room (ties: the lowest).
    Best,
}

/// A greedy strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Greedy {
    /// Placement order.
    pub order: GreedyOrder,
    /// Placement rule.
    pub fit: Fit,
    /// Try each buffer's hint (its preferred offset) before anything else.
    pub hints: bool,
}

impl Greedy {
    /// A short name such as `greedy-size-best`.
    pub fn name(&self) -> String {
        let order = match self.order {
            GreedyOrder::Size => "size",
            GreedyOrder::Area => "area",
            GreedyOrder::Start => "start",
            GreedyOrder::Width => "width",
        };
        let fit = match self.fit {
            Fit::First => "first",
            Fit::Best => "best",
        };
        format!("greedy-{order}-{fit}{}", if self.hints { "-hints" } else { "" })
    }
}

/// `buffers` in `order` (ties by index), fixed buffers first in the same
/// relative order.
fn sorted(m: &Model, buffers: &[usize], order: GreedyOrder) -> Vec<usize> {
    let mut sorted: Vec<usize> = buffers.to_vec();
    let p = &m.preorder;
    let keys = order.keys();
    sorted.sort_by(|&a, &b| SortKey::compare(keys, |k| (p[a].value(k), p[b].value(k))).then(a.cmp(&b)));
    sorted.sort_by_key(|&b| m.fixed[b] == NO_FIXED);
    sorted
}

/// Places `buffers` (indices into the model) under `capacity`; returns
/// their offsets in the same order, or `None` if some buffer found no room
/// (or `stop` was raised). `hints[b]` is buffer `b`'s preferred offset, if any.
pub(crate) fn place(
    m: &Model,
    buffers: &[usize],
    capacity: i64,
    strategy: Greedy,
    hints: &[Option<i64>],
    stop: &StopToken,
) -> Option<Vec<i64>> {
    let order = sorted(m, buffers, strategy.order);

    // Offsets of the placed buffers. A partition of a few buffers among
    // hundreds of thousands must not cost a full-size array: callers place
    // every partition in turn, which would make that quadratic.
    let mut offset = Placed::new(m.num_buffers, buffers.len());
    let mut forbidden: Vec<(i64, i64)> = Vec::new();
    // Edges read since the token was last asked: a pass over a dense
    // partition reads millions.
    let mut work = 0usize;
    for &b in &order {
        if work >= 1 << 15 {
            work = 0;
            if stop.should_stop() {
                return None;
            }
        }
        work += m.edge_start[b + 1] - m.edge_start[b] + 1;
        forbidden.clear();
        for e in m.edges(b) {
            let a = e.other as usize;
            let Some(at) = offset.get(a) else { continue };
            // b below a needs b + eff(b, a) <= a; b above a needs b >= a + eff(a, b).
            let below = at - e.eff;
            let above = at + reverse_eff(m, a, b);
            if below < above {
                forbidden.push((below + 1, above)); // b may not lie in (below, above)
            }
        }
        // `choose` reads the ranges by their start only.
        forbidden.sort_unstable_by_key(|r| r.0);
        let size = m.size[b];
        let align = m.align[b];
        let chosen = if m.fixed[b] != NO_FIXED {
            let f = m.fixed[b];
            (f + size <= capacity && allowed(&forbidden, f)).then_some(f)
        } else {
            let hint = if strategy.hints { hints[b].filter(|&h| h >= 0 && h % align == 0) } else { None };
            match hint.filter(|&h| h + size <= capacity && allowed(&forbidden, h)) {
                Some(h) => Some(h),
                None => choose(&forbidden, size, align, capacity, strategy.fit),
            }
        };
        offset.set(b, chosen?);
    }
    Some(buffers.iter().map(|&b| offset.get(b).unwrap_or(0)).collect())
}

/// Offsets of the buffers placed so far: a dense array when the buffers to
/// place are a good share of the problem, a hash map when they are few.
enum Placed {
    Dense(Vec<i64>),
    Sparse(std::collections::HashMap<usize, i64>),
}

impl Placed {
    fn new(num_buffers: usize, placing: usize) -> Self {
        if placing.saturating_mul(16) >= num_buffers {
            Placed::Dense(vec![i64::MIN; num_buffers])
        } else {
            Placed::Sparse(std::collections::HashMap::with_capacity(placing))
        }
    }

    #[inline]
    fn get(&self, b: usize) -> Option<i64> {
        match self {
            Placed::Dense(v) => Some(v[b]).filter(|&o| o != i64::MIN),
            Placed::Sparse(h) => h.get(&b).copied(),
        }
    }

    fn set(&mut self, b: usize, offset: i64) {
        match self {
            Placed::Dense(v) => v[b] = offset,
            Placed::Sparse(h) => {
                h.insert(b, offset);
            }
        }
    }
}

/// `eff(a, b)`: how far above `a`'s offset `b` must start, from `a`'s edges.
#[inline]
fn reverse_eff(m: &Model, a: usize, b: usize) -> i64 {
    // Without gaps it is `a`'s size: no search of `a`'s edges, which on a
    // dense partition (thousands of edges a buffer) was most of the time.
    if m.edge_eff.is_none() {
        return m.size[a];
    }
    // Overlaps are symmetric, so the edge is there.
    m.eff(a, b).unwrap_or(i64::MIN / 4)
}

/// Whether offset `x` avoids every forbidden range `[lo, hi)`.
fn allowed(forbidden: &[(i64, i64)], x: i64) -> bool {
    forbidden.iter().all(|&(lo, hi)| x < lo || x >= hi)
}

fn align_up(x: i64, align: i64) -> i64 {
    if align > 1 && x % align != 0 {
        x + align - x % align
    } else {
        x
    }
}

/// The offset for a buffer of `size` given the forbidden ranges (sorted by
/// start, possibly overlapping): the holes between them, in address order,
/// are tried as the fit rule says.
fn choose(forbidden: &[(i64, i64)], size: i64, align: i64, capacity: i64, fit: Fit) -> Option<i64> {
    let last = capacity - size; // highest offset that fits
    let mut best: Option<(i64, i64)> = None; // (room, offset)
    let mut hole_start = 0i64;
    let mut i = 0;
    loop {
        // The hole runs from `hole_start` to the start of the next range that
        // ends after it (ranges ending before it are behind us).
        while i < forbidden.len() && forbidden[i].1 <= hole_start {
            i += 1;
        }
        let hole_end = if i < forbidden.len() { forbidden[i].0 } else { last + 1 };
        let x = align_up(hole_start, align);
        if x < hole_end.min(last + 1) {
            match fit {
                Fit::First => return Some(x),
                Fit::Best => {
                    // The open space above every placed neighbour counts as roomiest.
                    let room = if i < forbidden.len() { hole_end - x } else { i64::MAX };
                    if best.is_none_or(|(r, _)| room < r) {
                        best = Some((room, x));
                    }
                }
            }
        }
        if i >= forbidden.len() || forbidden[i].0 > last {
            return best.map(|(_, x)| x);
        }
        hole_start = hole_start.max(forbidden[i].1);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Problem, Solution};
    use crate::validate::validate;

    /// Each order's keys sort as its documentation says: the tuples below
    /// are the orders spelt out, on problems small enough to tie often.
    #[test]
    fn greedy_orders_sort_by_their_keys() {
        use std::cmp::Reverse;
        for seed in 0..50 {
            let mut p = crate::generate::random(seed, 40, 12, 6, 4);
            p.buffers[3].offset = Some(0);
            let m = Model::new(&p);
            let all: Vec<usize> = (0..p.buffers.len()).collect();
            let d = &m.preorder;
            let spelt = |order: GreedyOrder| {
                let mut v = all.clone();
                match order {
                    GreedyOrder::Size => v.sort_by_key(|&b| (Reverse(d[b].size), Reverse(d[b].width), b)),
                    GreedyOrder::Area => v.sort_by_key(|&b| (Reverse(d[b].area), b)),
                    GreedyOrder::Start => v.sort_by_key(|&b| (d[b].lower, Reverse(d[b].size), b)),
                    GreedyOrder::Width => v.sort_by_key(|&b| (Reverse(d[b].width), Reverse(d[b].size), b)),
                }
                v.sort_by_key(|&b| m.fixed[b] == NO_FIXED);
                v
            };
            for order in [GreedyOrder::Size, GreedyOrder::Area, GreedyOrder::Start, GreedyOrder::Width] {
                assert_eq!(sorted(&m, &all, order), spelt(order), "seed {seed}, {order:?}");
            }
        }
    }

    fn run(p: &Problem, strategy: Greedy) -> Option<Solution> {
        let m = Model::new(p);
        let all: Vec<usize> = (0..p.buffers.len()).collect();
        let hints: Vec<Option<i64>> = p.buffers.iter().map(|b| b.hint).collect();
        let offsets = place(&m, &all, p.capacity, strategy, &hints, &StopToken::new())?;
        Some(Solution::new(p, offsets))
    }

    fn seed() -> Problem {
        crate::problem::seed_example(12)
    }

    #[test]
    fn every_strategy_packs_the_seed_validly() {
        for order in [GreedyOrder::Size, GreedyOrder::Area, GreedyOrder::Start, GreedyOrder::Width] {
            for fit in [Fit::First, Fit::Best] {
                let g = Greedy { order, fit, hints: false };
                let p = seed();
                let s = run(&p, g).unwrap_or_else(|| panic!("{}", g.name()));
                validate(&p, &s).unwrap();
            }
        }
    }

    #[test]
    fn best_fit_takes_the_tightest_hole() {
        let mut f = Buffer::new("f", 0, 10, 2);
        f.offset = Some(3); // holes [0,3) and [5,10)
        let mut g = Buffer::new("g", 0, 10, 1);
        g.offset = Some(7); // holes [0,3), [5,7), [8,10)
        let x = Buffer::new("x", 0, 10, 2);
        let p = Problem::new(vec![f, g, x], 10);
        let first = run(&p, Greedy { order: GreedyOrder::Size, fit: Fit::First, hints: false }).unwrap();
        assert_eq!(first.offsets[2], 0);
        let best = run(&p, Greedy { order: GreedyOrder::Size, fit: Fit::Best, hints: false }).unwrap();
        assert_eq!(best.offsets[2], 5);
        validate(&p, &best).unwrap();
    }

    #[test]
    fn hints_and_alignment() {
        let mut a = Buffer::new("a", 0, 4, 2);
        a.hint = Some(6);
        let mut b = Buffer::new("b", 0, 4, 2);
        b.alignment = 4;
        let p = Problem::new(vec![a, b], 8);
        let s = run(&p, Greedy { order: GreedyOrder::Size, fit: Fit::First, hints: true }).unwrap();
        assert_eq!(s.offsets, vec![6, 0]);
        let mut q = p.clone();
        q.buffers[0].hint = None;
        let s = run(&q, Greedy { order: GreedyOrder::Size, fit: Fit::First, hints: true }).unwrap();
        assert_eq!(s.offsets, vec![0, 4]);
        validate(&q, &s).unwrap();
    }

    #[test]
    fn fails_when_there_is_no_room() {
        let p = Problem::new(vec![Buffer::new("a", 0, 2, 3), Buffer::new("b", 1, 3, 3)], 5);
        assert!(run(&p, Greedy { order: GreedyOrder::Size, fit: Fit::Best, hints: false }).is_none());
    }
}
