//! Padded glues: two buffers glued although their lifespans or sizes do
//! not match, the glued buffer reserving the memory between them.
//!
//! Where a packing made by cuts has pieces missing, each missing piece
//! stops the exact glues at its place: the piece beside it has no partner,
//! so nothing above it in the cuts glues either, and the coarse problem
//! keeps a fifth or more of the buffers. A padded glue takes the missing
//! piece's place as free memory:
//! - *stacked*: two buffers that start (or end) together, the shorter one
//!   padded to the longer one's lifespan;
//! - *chained across a gap*: two buffers of one size, the second starting
//!   after the first ends, one offset over both and the time between;
//! - *chained with a step*: one buffer starting when the other ends, of
//!   different sizes, both at one offset, the smaller padded to the
//!   larger's size.
//!
//! The padding is memory no other buffer may use, so a padded glue may
//! rule out every packing where an exact glue would not. Two rules keep
//! that rarer: the glues that pad the least area come first (a missing
//! piece's glue pads its area; most wrong pairs pad more), and
//! a glue is taken only where the load with all padding so far stays
//! within the limit at every moment (the capacity asked, or the load
//! bound). Exact rounds run again between padded ones, since a padded glue
//! often completes a pair that then glues exactly.

use std::collections::HashMap;

use super::{glue_exact, Item, Node};
use crate::problem::lcm;
use crate::rng::Rng;

/// At most one buffer in this many is glued by one padded round:
/// `[default: 8]` `[range: 1 and up]`. Small rounds leave the exact glues
/// their turn between padded ones (a padded glue often makes a pair that
/// then glues exactly, at no cost).
const ROUND_SHARE: usize = 8;

/// Padded rounds, each followed by exact ones, until nothing more glues
/// within `limit` (or one buffer is left); whether any glued.
pub(super) fn glue(items: &mut Vec<Item>, nodes: &mut Vec<Node>, rng: &mut Rng, limit: i64) -> bool {
    let mut load = Load::new(items);
    let mut glued = false;
    while items.len() > 1 {
        let most = (items.len() / ROUND_SHARE).max(1);
        if !round(items, nodes, rng, &mut load, (limit, most)) {
            break;
        }
        glued = true;
        glue_exact(items, nodes, rng);
    }
    glued
}

/// A padded glue considered: the area it pads first, then a random draw
/// (the seed's say among equals), the two items, the glued item and what
/// it pads (`[from, to)` times `amount` bytes).
struct Candidate {
    waste: i128,
    draw: u64,
    pair: (usize, usize),
    glued: (Item, Node),
    pad: (i64, i64, i64),
}

/// One padded round: the candidates of every item, least padding first,
/// taken while both items are free and the load allows, at most `most`;
/// whether any was.
fn round(
    items: &mut Vec<Item>,
    nodes: &mut Vec<Node>,
    rng: &mut Rng,
    load: &mut Load,
    (limit, most): (i64, usize),
) -> bool {
    let mut candidates = candidates(items, rng);
    candidates.sort_unstable_by_key(|c| (c.waste, c.draw));
    let mut used = vec![false; items.len()];
    let mut out = Vec::new();
    for c in candidates {
        let (i, j) = c.pair;
        if out.len() >= most {
            break;
        }
        if used[i] || used[j] {
            continue;
        }
        let (from, to, amount) = c.pad;
        if load.most(from, to).saturating_add(amount) > limit {
            continue;
        }
        load.add(from, to, amount);
        used[i] = true;
        used[j] = true;
        let (item, node) = c.glued;
        nodes.push(node);
        out.push(Item { node: nodes.len() - 1, ..item });
    }
    let glued = !out.is_empty();
    out.extend(items.iter().zip(&used).filter(|(_, &u)| !u).map(|(it, _)| *it));
    *items = out;
    glued
}

/// Every item's nearest padded partners: the next to end among those that
/// start with it, the next to start among those that end with it, the
/// next of its size to start after it ends, and the closest in size among
/// those that start when it ends.
fn candidates(items: &[Item], rng: &mut Rng) -> Vec<Candidate> {
    let plain: Vec<usize> = (0..items.len()).filter(|&i| items[i].plain).collect();
    let group = |key: &dyn Fn(&Item) -> (i64, i64), order: &dyn Fn(&Item) -> i64| {
        let mut map: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for &i in &plain {
            map.entry(key(&items[i])).or_default().push(i);
        }
        for v in map.values_mut() {
            v.sort_unstable_by_key(|&i| (order(&items[i]), i));
        }
        map
    };
    let by_lower = group(&|it| (it.lower, 0), &|it| it.upper);
    let by_upper = group(&|it| (it.upper, 0), &|it| it.lower);
    let by_size = group(&|it| (it.size, it.alignment), &|it| it.lower);
    let by_lower_size = group(&|it| (it.lower, 0), &|it| it.size);
    let mut out = Vec::new();
    let mut push = |pair: (usize, usize), glued: Option<(Item, Node)>, pad: (i64, i64, i64)| {
        if let Some(glued) = glued {
            let waste = i128::from(pad.1 - pad.0) * i128::from(pad.2);
            out.push(Candidate { waste, draw: 0, pair, glued, pad });
        }
    };
    for run in by_lower.values() {
        for w in run.windows(2) {
            let (a, b) = (items[w[0]], items[w[1]]);
            if a.upper < b.upper {
                push((w[0], w[1]), stack(&b, &a), (a.upper, b.upper, a.size));
            }
        }
    }
    for run in by_upper.values() {
        for w in run.windows(2) {
            let (a, b) = (items[w[0]], items[w[1]]);
            if a.lower < b.lower {
                push((w[0], w[1]), stack(&a, &b), (a.lower, b.lower, b.size));
            }
        }
    }
    for &i in &plain {
        let a = items[i];
        if let Some(run) = by_size.get(&(a.size, a.alignment)) {
            let k = run.partition_point(|&j| items[j].lower <= a.upper);
            if let Some(&j) = run.get(k) {
                push((i, j), chain(&a, &items[j]), (a.upper, items[j].lower, a.size));
            }
        }
        if let Some(run) = by_lower_size.get(&(a.upper, 0)) {
            let k = run.partition_point(|&j| items[j].size < a.size);
            let near = [k.checked_sub(1), Some(k)].into_iter().flatten().filter_map(|k| run.get(k));
            if let Some(&j) = near.min_by_key(|&&j| (items[j].size - a.size).abs()) {
                let b = items[j];
                let smaller = if a.size < b.size { a } else { b };
                push((i, j), chain(&a, &b), (smaller.lower, smaller.upper, (a.size - b.size).abs()));
            }
        }
    }
    // The draws go in the items' order (the seed's), not the maps'.
    out.sort_unstable_by_key(|c| (c.pair, c.pad));
    for c in &mut out {
        c.draw = rng.next_u64();
    }
    out
}

/// `top` stacked on `bottom`, the glued buffer over both lifespans; `None`
/// where the alignments do not allow it (see `glue_stacks`).
fn stack(bottom: &Item, top: &Item) -> Option<(Item, Node)> {
    let alignment = lcm(bottom.alignment, top.alignment)?;
    let size = bottom.size.checked_add(top.size)?;
    if bottom.size % top.alignment != 0 {
        return None;
    }
    let (lower, upper) = (bottom.lower.min(top.lower), bottom.upper.max(top.upper));
    let item = Item { lower, upper, size, alignment, ..*bottom };
    Some((item, Node::Stack(bottom.node, top.node, bottom.size)))
}

/// `second` after `first` at one offset, the glued buffer over both
/// lifespans (and the time between) at the larger size.
fn chain(first: &Item, second: &Item) -> Option<(Item, Node)> {
    let alignment = lcm(first.alignment, second.alignment)?;
    let item = Item { upper: second.upper, size: first.size.max(second.size), alignment, ..*first };
    Some((item, Node::Chain(first.node, second.node)))
}

/// The load over time (every item, padding included), with the largest
/// over a time range and additions over one, each in O(log n): a segment
/// tree over the moments between the items' ends.
struct Load {
    times: Vec<i64>,
    most: Vec<i64>,
    added: Vec<i64>,
}

impl Load {
    fn new(items: &[Item]) -> Self {
        let mut times: Vec<i64> = items.iter().flat_map(|it| [it.lower, it.upper]).collect();
        times.sort_unstable();
        times.dedup();
        let n = times.len().max(1);
        let mut load = Load { times, most: vec![0; 4 * n], added: vec![0; 4 * n] };
        for it in items.iter().filter(|it| it.lower < it.upper) {
            load.add(it.lower, it.upper, it.size);
        }
        load
    }

    /// The span of elementary moments `[from, to)` covers.
    fn span(&self, from: i64, to: i64) -> (usize, usize) {
        (self.times.partition_point(|&t| t < from), self.times.partition_point(|&t| t < to))
    }

    fn slots(&self) -> usize {
        self.times.len().saturating_sub(1).max(1)
    }

    fn add(&mut self, from: i64, to: i64, amount: i64) {
        let (l, r) = self.span(from, to);
        if l < r {
            self.update(1, (0, self.slots()), (l, r), amount);
        }
    }

    fn most(&self, from: i64, to: i64) -> i64 {
        let (l, r) = self.span(from, to);
        if l < r {
            self.query(1, (0, self.slots()), (l, r))
        } else {
            0
        }
    }

    fn update(&mut self, node: usize, (lo, hi): (usize, usize), (l, r): (usize, usize), amount: i64) {
        if r <= lo || hi <= l {
            return;
        }
        if l <= lo && hi <= r {
            self.most[node] += amount;
            self.added[node] += amount;
            return;
        }
        let mid = (lo + hi) / 2;
        self.update(2 * node, (lo, mid), (l, r), amount);
        self.update(2 * node + 1, (mid, hi), (l, r), amount);
        self.most[node] = self.added[node] + self.most[2 * node].max(self.most[2 * node + 1]);
    }

    fn query(&self, node: usize, (lo, hi): (usize, usize), (l, r): (usize, usize)) -> i64 {
        if r <= lo || hi <= l {
            return i64::MIN / 4;
        }
        if l <= lo && hi <= r {
            return self.most[node];
        }
        let mid = (lo + hi) / 2;
        let below = self.query(2 * node, (lo, mid), (l, r)).max(self.query(2 * node + 1, (mid, hi), (l, r)));
        self.added[node] + below
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::super::{coarsen, varied};
    use super::*;
    use crate::problem::{Problem, Solution};

    /// A packing by cuts with pieces missing, on a clock fine enough that
    /// no two cuts fall on one moment (so no buffer has a choice of
    /// partner, as on a real schedule).
    fn with_holes(seed: u64, pieces: usize) -> Problem {
        crate::generate::remove_pieces(&crate::generate::perfect(seed, pieces, 1 << 10, 1 << 20), seed, 10)
    }

    /// The load tree against the sums it stands for, over random
    /// additions and ranges between the items' ends.
    #[test]
    fn the_load_tree_agrees_with_brute_force() {
        let mut rng = Rng::new(7);
        for _ in 0..50 {
            let n = rng.range(1, 12) as usize;
            let items: Vec<Item> = (0..n)
                .map(|i| {
                    let lower = rng.range(0, 20);
                    let (upper, size) = (lower + rng.range(1, 8), rng.range(1, 9));
                    Item { lower, upper, size, alignment: 1, node: i, plain: true }
                })
                .collect();
            let mut load = Load::new(&items);
            let mut brute = vec![0i64; 30];
            for it in &items {
                brute[it.lower as usize..it.upper as usize].iter_mut().for_each(|x| *x += it.size);
            }
            let last = load.times.len() as i64 - 1;
            for _ in 0..20 {
                let (a, b) = (rng.range(0, last) as usize, rng.range(0, last) as usize);
                let (from, to) = (load.times[a.min(b)], load.times[a.max(b)]);
                if rng.range(0, 1) == 0 {
                    let amount = rng.range(1, 5);
                    load.add(from, to, amount);
                    brute[from as usize..to as usize].iter_mut().for_each(|x| *x += amount);
                }
                let want = brute[from as usize..to as usize].iter().copied().max().unwrap_or(0);
                assert_eq!(load.most(from, to), want, "[{from}, {to})");
            }
        }
    }

    /// Padding never lifts the load over the limit (here the load bound,
    /// which it then keeps), glues further than the exact glues alone on
    /// packings by cuts with pieces missing, and any coarse packing (every
    /// buffer on the one before) expands to a valid packing as high.
    #[test]
    fn padding_keeps_the_load_within_the_limit_and_expands_validly() {
        let mut further = 0;
        for seed in 0..20u64 {
            let p = with_holes(seed, 200);
            let limit = crate::bounds::max_load(&p) as i64;
            let Some(c) = coarsen(&p, seed, Some(limit)) else { continue };
            assert_eq!(crate::bounds::max_load(&c.problem), i128::from(limit), "seed {seed}");
            let exact = coarsen(&p, seed, None).map_or(p.buffers.len(), |e| e.problem.buffers.len());
            further += usize::from(c.problem.buffers.len() < exact);
            let stacked = c.problem.buffers.iter().scan(0, |top, b| Some(std::mem::replace(top, *top + b.size)));
            let coarse = Solution::new(&c.problem, stacked.collect());
            let fine = c.expand(&p, &coarse);
            let at = Problem { capacity: fine.height, ..p.clone() };
            assert_eq!(crate::validate::validate(&at, &fine), Ok(()), "seed {seed}");
            assert_eq!(fine.height, coarse.height, "seed {seed}");
        }
        assert!(further >= 15, "padding glued further on {further} of 20");
    }

    /// Where every seed glues the same coarse problem, the first seed gets
    /// it, the second the padded one, and the second again nothing new;
    /// without padding a repeat is returned, not new.
    #[test]
    fn a_repeated_coarse_problem_is_padded_then_not_new() {
        // One whose seeds glue the same (most on this clock).
        let same = |p: &Problem| {
            let exact = coarsen(p, 0, None).map(|c| c.shape());
            exact.is_some() && (1..4).all(|s| coarsen(p, s, None).map(|c| c.shape()) == exact)
        };
        let p = (0..20).map(|seed| with_holes(seed, 200)).find(same).expect("a packing by cuts glues the same");
        let limit = crate::bounds::max_load(&p) as i64;
        let exact = coarsen(&p, 0, None).unwrap().shape();
        let mut seen = HashSet::new();
        let (a, new_a) = varied(&p, 0, Some(limit), &mut seen).unwrap();
        let (b, new_b) = varied(&p, 1, Some(limit), &mut seen).unwrap();
        assert!(new_a && a.shape() == exact);
        assert!(new_b && b.problem.buffers.len() < a.problem.buffers.len());
        let (_, new_c) = varied(&p, 1, Some(limit), &mut seen).unwrap();
        assert!(!new_c, "the same seed padded the same problem again");
        // Without padding, a repeat is returned as it is, not new.
        let mut seen = HashSet::new();
        varied(&p, 0, None, &mut seen).unwrap();
        let (again, new) = varied(&p, 1, None, &mut seen).unwrap();
        assert!(!new && again.shape() == exact);
    }
}
