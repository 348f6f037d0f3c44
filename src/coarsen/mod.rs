//! Coarsening: a smaller problem whose every packing is one of the given
//! problem's, made by gluing buffers that a packing would likely keep
//! together.
//!
//! Two buffers are glued into one when
//! - one ends when the other starts and both have the same size (a
//!   *chain*: the second may take the first's place exactly, as a tensor
//!   that reuses the memory of one of its size that has just died): the
//!   glued buffer spans both lifespans, at that size;
//! - both have the same lifespan (a *stack*: buffers made and freed
//!   together, as one operator's outputs): the glued buffer has that
//!   lifespan and the sum of their sizes, the second sitting right above
//!   the first.
//!
//! Rounds of both repeat until nothing more glues, so that glued buffers
//! glue again (two stacks of the same height side by side in time become
//! a chain): a packing built by cuts, one time span or one band of memory
//! split again and again, is rebuilt from its pieces up. Which partner a
//! buffer takes among several is drawn at random (the seed), so another
//! seed gives another coarse problem.
//!
//! Why: the exact search's difficulty grows with the buffers' number far
//! faster than linearly, and memory with a few percent to spare is where it
//! thrashes (docs/techniques.md, "What did not carry over"). The glued
//! problem keeps the same load at every moment (so the same lower bound)
//! and often a fifth of the buffers; measured on tight2/ (docs/techniques.md,
//! "Coarsening"), the portfolio packs most of its coarse problems within a
//! second where the given ones resisted every worker.
//!
//! A coarse packing expands to a packing of the given problem (glued
//! buffers in place one above the other, or at one offset one after the
//! other in time), valid by construction, and the caller validates it
//! anyway. The converse does not hold: a glue may rule out every packing,
//! so a coarse problem that does not pack proves nothing about the given
//! one. Only plain buffers glue (no gaps, no fixed offset); an alignment is
//! kept by gluing only where the glued buffer can carry the least common
//! multiple of both (and the upper of a stack starts at a multiple of its
//! own). The others stay as they are.
//!
//! Where no buffer has a choice of partner (a packing by cuts with pieces
//! missing, on a clock where no two cuts fall on one moment), every seed
//! glues the same coarse problem, and a missing piece stops the glues
//! above it. [`varied`] then glues the repeated problem further with
//! padding (module `padded`): buffers whose lifespans or sizes do not
//! match, glued into one that reserves the memory between them, within
//! a limit on the load. Such a coarse problem is a start for the
//! minimization rather than a route to a capacity: measured
//! (docs/techniques.md, "Padded coarse problems"), it seldom packs at the
//! capacity, but its packings above it start the coarse repair lower.
//!
//! The result depends neither on the rows' order nor on the ids: buffers
//! are taken in the order of their lifespans, sizes and alignments before
//! the seed shuffles them (identical buffers are interchangeable).

use std::collections::{HashMap, HashSet};

use crate::problem::{lcm, Buffer, Offset, Problem, Solution};
use crate::rng::Rng;

mod padded;

/// How many rounds of gluing at most. A round that glues nothing ends
/// them (every other round removes a buffer at least), and on the
/// measured files nothing glues after 5-9 rounds. `[default: 64]`
/// `[range: 1 and up]`: a bound on the work, not a tuning.
const MAX_ROUNDS: usize = 64;

/// A coarse problem with more than this share of the given problem's
/// buffers (in tenths) is not worth a try: `[default: 9]` `[range: 1-10]`;
/// it is hardly easier, and a glue may rule out every packing.
const MOST_TENTHS: usize = 9;

/// A coarse problem and how its packings expand to the given problem's.
#[derive(Clone, Debug)]
pub(crate) struct Coarse {
    /// The glued problem, at the given problem's capacity.
    pub(crate) problem: Problem,
    /// Coarse buffer `i` is the tree rooted at `nodes[roots[i]]`.
    roots: Vec<usize>,
    nodes: Vec<Node>,
    /// How many buffers the given problem has.
    fine: usize,
}

/// A glued buffer, as a tree over the given problem's buffers.
#[derive(Clone, Copy, Debug)]
enum Node {
    /// The given problem's buffer of this index.
    Leaf(usize),
    /// Two nodes at the same offset, one after the other in time; with
    /// padding, perhaps with time between them or of different sizes (the
    /// glued buffer spans both lifespans at the larger size).
    Chain(usize, usize),
    /// The second node `shift` bytes above the first, at the same time;
    /// with padding, one lifespan perhaps longer than the other (the glued
    /// buffer spans both).
    Stack(usize, usize, Offset),
}

/// A buffer being glued: its lifespan, size and alignment, its tree, and
/// whether it may glue at all.
#[derive(Clone, Copy, Debug)]
struct Item {
    lower: i64,
    upper: i64,
    size: i64,
    alignment: i64,
    node: usize,
    plain: bool,
}

/// `problem` coarsened with `seed` (see the module docs), then with
/// padding within `pad_within` if that is `Some` (module `padded`: the
/// load, padding included, stays within it at every moment); `None` when
/// too little glues (more than [`MOST_TENTHS`] of the buffers are left).
pub(crate) fn coarsen(problem: &Problem, seed: u64, pad_within: Option<i64>) -> Option<Coarse> {
    let mut rng = Rng::new(seed);
    let mut nodes: Vec<Node> = (0..problem.buffers.len()).map(Node::Leaf).collect();
    let mut items: Vec<Item> = problem
        .buffers
        .iter()
        .enumerate()
        .map(|(i, b)| Item {
            lower: b.lifespan.lower,
            upper: b.lifespan.upper,
            size: b.size,
            alignment: b.alignment.max(1),
            node: i,
            plain: b.size > 0 && b.lifespan.lower < b.lifespan.upper && b.gaps.is_empty() && b.offset.is_none(),
        })
        .collect();
    // Independent of the rows' order: identical buffers are interchangeable.
    items.sort_by_key(|it| (it.lower, it.upper, it.size, it.alignment, !it.plain, it.node));
    let mut glued = glue_exact(&mut items, &mut nodes, &mut rng);
    if let Some(limit) = pad_within {
        glued |= padded::glue(&mut items, &mut nodes, &mut rng, limit);
    }
    if !glued || items.len() * 10 > problem.buffers.len() * MOST_TENTHS {
        return None;
    }
    let buffers = items
        .iter()
        .enumerate()
        .map(|(i, it)| match nodes[it.node] {
            Node::Leaf(b) => problem.buffers[b].clone(),
            _ => Buffer { alignment: it.alignment, ..Buffer::new(format!("coarse{i}"), it.lower, it.upper, it.size) },
        })
        .collect();
    let roots = items.iter().map(|it| it.node).collect();
    Some(Coarse { problem: Problem::new(buffers, problem.capacity), roots, nodes, fine: problem.buffers.len() })
}

/// What tells coarse problems apart: their buffers' lifespans, sizes and
/// alignments, sorted (ids and order aside).
pub(crate) type Shape = Vec<(i64, i64, i64, i64)>;

/// The coarse problem glued with `seed`, unless `seen` has its shape:
/// then (where no buffer has a choice of partner, every seed glues the
/// same problem) the problem glued further with padding, within
/// `pad_within` (module `padded`), if that is `Some`. Returns the coarse
/// problem and whether its shape was new to `seen`, which learns it;
/// `None` when too little glues.
pub(crate) fn varied(
    problem: &Problem,
    seed: u64,
    pad_within: Option<i64>,
    seen: &mut HashSet<Shape>,
) -> Option<(Coarse, bool)> {
    let exact = coarsen(problem, seed, None)?;
    if seen.insert(exact.shape()) {
        return Some((exact, true));
    }
    match pad_within.and_then(|limit| coarsen(problem, seed, Some(limit))) {
        Some(padded) => {
            let new = seen.insert(padded.shape());
            Some((padded, new))
        }
        None => Some((exact, false)),
    }
}

/// Rounds of chains and stacks until nothing more glues; whether any did.
fn glue_exact(items: &mut Vec<Item>, nodes: &mut Vec<Node>, rng: &mut Rng) -> bool {
    let mut glued = false;
    for _ in 0..MAX_ROUNDS {
        let chained = glue_chains(items, nodes, rng);
        let stacked = glue_stacks(items, nodes, rng);
        glued |= chained || stacked;
        if !chained && !stacked {
            break;
        }
    }
    glued
}

/// Shuffles `items` with `rng` (Fisher-Yates).
fn shuffle(items: &mut [Item], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.range(0, i as i64) as usize;
        items.swap(i, j);
    }
}

/// One round of chains: in a random order, each plain buffer not yet
/// glued this round takes a random partner among the unglued plain
/// buffers of its size and alignment that start when it ends. Whether any
/// glued.
fn glue_chains(items: &mut Vec<Item>, nodes: &mut Vec<Node>, rng: &mut Rng) -> bool {
    shuffle(items, rng);
    let mut starting: HashMap<(i64, i64, i64), Vec<usize>> = HashMap::new();
    for (i, it) in items.iter().enumerate().filter(|(_, it)| it.plain) {
        starting.entry((it.lower, it.size, it.alignment)).or_default().push(i);
    }
    let mut used = vec![false; items.len()];
    let mut out = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        let it = items[i];
        if used[i] || !it.plain {
            continue;
        }
        let Some(next) = starting.get_mut(&(it.upper, it.size, it.alignment)) else { continue };
        next.retain(|&j| !used[j]);
        if next.is_empty() {
            continue;
        }
        let j = next.swap_remove(rng.range(0, next.len() as i64 - 1) as usize);
        used[i] = true;
        used[j] = true;
        nodes.push(Node::Chain(it.node, items[j].node));
        out.push(Item { upper: items[j].upper, node: nodes.len() - 1, ..it });
    }
    let glued = !out.is_empty();
    out.extend(items.iter().zip(&used).filter(|(_, &u)| !u).map(|(it, _)| *it));
    *items = out;
    glued
}

/// One round of stacks: plain buffers with one lifespan are glued two by
/// two, in a random order, the second above the first, where the glued
/// buffer's alignment (the least common multiple) is representable and
/// the second's offset stays a multiple of its own. Whether any glued.
fn glue_stacks(items: &mut Vec<Item>, nodes: &mut Vec<Node>, rng: &mut Rng) -> bool {
    shuffle(items, rng);
    let mut alike: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, it) in items.iter().enumerate().filter(|(_, it)| it.plain) {
        alike.entry((it.lower, it.upper)).or_default().push(i);
    }
    let mut used = vec![false; items.len()];
    let mut out = Vec::with_capacity(items.len());
    let mut groups: Vec<&Vec<usize>> = alike.values().collect();
    // The map's order is not the seed's: go by the groups' first members.
    groups.sort_unstable_by_key(|g| g[0]);
    for group in groups {
        for pair in group.chunks_exact(2) {
            let (a, b) = (items[pair[0]], items[pair[1]]);
            let Some(alignment) = lcm(a.alignment, b.alignment) else { continue };
            let Some(size) = a.size.checked_add(b.size) else { continue };
            if a.size % b.alignment != 0 {
                continue;
            }
            used[pair[0]] = true;
            used[pair[1]] = true;
            nodes.push(Node::Stack(a.node, b.node, a.size));
            out.push(Item { size, alignment, node: nodes.len() - 1, ..a });
        }
    }
    let glued = !out.is_empty();
    out.extend(items.iter().zip(&used).filter(|(_, &u)| !u).map(|(it, _)| *it));
    *items = out;
    glued
}

impl Coarse {
    /// How many buffers the coarse problem has, against the given one's.
    #[cfg(test)]
    pub(crate) fn sizes(&self) -> (usize, usize) {
        (self.problem.buffers.len(), self.fine)
    }

    /// The coarse problem's [`Shape`].
    pub(crate) fn shape(&self) -> Shape {
        let mut shape: Shape =
            self.problem.buffers.iter().map(|b| (b.lifespan.lower, b.lifespan.upper, b.size, b.alignment)).collect();
        shape.sort_unstable();
        shape
    }

    /// Whether every buffer of the coarse problem is one of the given
    /// problem's (nothing left glued).
    pub(crate) fn is_fine(&self) -> bool {
        self.roots.iter().all(|&r| matches!(self.nodes[r], Node::Leaf(_)))
    }

    /// One level finer: each glued buffer split into the two it was glued
    /// from, and `packing` (of this coarse problem) as the same packing of
    /// the finer one. Its packings are still `problem`'s, and it has more
    /// freedom: a repair that stalls over this coarse problem may go on
    /// over that one. `None` when nothing is left glued.
    pub(crate) fn refined(&self, problem: &Problem, packing: &Solution) -> Option<(Coarse, Solution)> {
        if self.is_fine() {
            return None;
        }
        let mut roots = Vec::with_capacity(self.roots.len() * 2);
        let mut offsets = Vec::with_capacity(self.roots.len() * 2);
        for (&r, &o) in self.roots.iter().zip(&packing.offsets) {
            match self.nodes[r] {
                Node::Leaf(_) => roots.extend([(r, o)]),
                Node::Chain(a, b) => roots.extend([(a, o), (b, o)]),
                Node::Stack(a, b, shift) => roots.extend([(a, o), (b, o + shift)]),
            }
        }
        let mut buffers = Vec::with_capacity(roots.len());
        for (i, &(n, o)) in roots.iter().enumerate() {
            buffers.push(match self.nodes[n] {
                Node::Leaf(b) => problem.buffers[b].clone(),
                _ => {
                    let (lower, upper, size, alignment) = self.extent(problem, n)?;
                    Buffer { alignment, ..Buffer::new(format!("coarse{i}"), lower, upper, size) }
                }
            });
            offsets.push(o);
        }
        let finer = Problem::new(buffers, self.problem.capacity);
        let packing = Solution::new(&finer, offsets);
        let roots = roots.into_iter().map(|(n, _)| n).collect();
        Some((Coarse { problem: finer, roots, nodes: self.nodes.clone(), fine: self.fine }, packing))
    }

    /// The lifespan, size and alignment of the buffer glued at `node`, as
    /// [`coarsen`] made it; `None` only if the alignments no longer have a
    /// representable common multiple (they had when glued).
    fn extent(&self, problem: &Problem, node: usize) -> Option<(i64, i64, i64, i64)> {
        Some(match self.nodes[node] {
            Node::Leaf(b) => {
                let b = &problem.buffers[b];
                (b.lifespan.lower, b.lifespan.upper, b.size, b.alignment.max(1))
            }
            Node::Chain(a, b) => {
                let ((l, u, s, x), (m, v, t, y)) = (self.extent(problem, a)?, self.extent(problem, b)?);
                (l.min(m), u.max(v), s.max(t), lcm(x, y)?)
            }
            Node::Stack(a, b, shift) => {
                let ((l, u, s, x), (m, v, t, y)) = (self.extent(problem, a)?, self.extent(problem, b)?);
                (l.min(m), u.max(v), s.max(shift + t), lcm(x, y)?)
            }
        })
    }

    /// The packing of `problem` (the given one) that the coarse problem's
    /// `packing` expands to; the caller validates it.
    pub(crate) fn expand(&self, problem: &Problem, packing: &Solution) -> Solution {
        let mut out = vec![0; self.fine];
        let mut todo: Vec<(usize, Offset)> = self.roots.iter().copied().zip(packing.offsets.iter().copied()).collect();
        while let Some((n, o)) = todo.pop() {
            match self.nodes[n] {
                Node::Leaf(b) => out[b] = o,
                Node::Chain(a, b) => todo.extend([(a, o), (b, o)]),
                Node::Stack(a, b, shift) => todo.extend([(a, o), (b, o + shift)]),
            }
        }
        Solution::new(problem, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A perfect packing glues back to far fewer buffers, with the same
    /// load bound; the trivial packing of the coarse problem (if it has one
    /// buffer) and any valid packing of it expand to valid packings.
    #[test]
    fn a_perfect_packing_glues_back_and_expands_validly() {
        let mut packed = 0;
        for seed in 0..20u64 {
            let p = crate::generate::perfect(seed, 60, 1 << 10, 100);
            let c = coarsen(&p, seed, None).expect("a packing made by cuts has pieces to glue");
            let (coarse, fine) = c.sizes();
            assert!(coarse < fine, "seed {seed}: {coarse} of {fine}");
            assert_eq!(crate::bounds::max_load(&c.problem), crate::bounds::max_load(&p), "seed {seed}");
            let stop = crate::stop::StopToken::new();
            let params = crate::params::SolverParams { threads: 1, ..Default::default() };
            let opts = crate::options::SolveOptions::from_params(&params);
            let report = crate::portfolio::Portfolio::new(opts).solve_until(&c.problem, None, &[], &stop, &|_| {});
            if let Ok(crate::report::Outcome::Solved(s)) = report.outcome {
                let fine = c.expand(&p, &s);
                assert_eq!(crate::validate::validate(&p, &fine), Ok(()), "seed {seed}");
                packed += 1;
            }
        }
        assert!(packed >= 10, "{packed} of 20 coarse problems packed");
    }

    /// On random problems with alignments, gaps and fixed offsets: only
    /// plain buffers glue, alignments hold, and every coarse packing (the
    /// stacked one, of any height) expands to a valid packing of the same
    /// height.
    #[test]
    fn any_coarse_packing_expands_to_a_valid_one() {
        let mut glued = 0;
        for seed in 0..200u64 {
            let mut rng = Rng::new(seed);
            let n = rng.range(2, 30) as usize;
            let buffers: Vec<Buffer> = (0..n)
                .map(|i| {
                    let lower = rng.range(0, 6) * 2;
                    let mut b = Buffer::new(format!("b{i}"), lower, lower + rng.range(1, 3) * 2, rng.range(1, 3) * 4);
                    match rng.range(0, 6) {
                        0 => b.alignment = 8,
                        1 => b.offset = Some(rng.range(0, 4) * 8),
                        2 => {
                            let gap = crate::interval::Interval::new(b.lifespan.lower, b.lifespan.lower + 1);
                            b.gaps.push(crate::problem::Gap { lifespan: gap, window: None });
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
            // Exactly, then with padding where nothing limits it: every
            // plain buffer glues, alignments permitting.
            for pad in [None, Some(1 << 40)] {
                let Some(c) = coarsen(&p, seed, pad) else { continue };
                glued += 1;
                stacked_expands_validly(&p, &c, seed);
            }
        }
        assert!(glued > 200, "{glued} of 400 glued");
    }

    /// Every coarse buffer of `c` stacked on the ones before it, aligned:
    /// expanded, a valid packing of `p` as high.
    fn stacked_expands_validly(p: &Problem, c: &Coarse, seed: u64) {
        let mut next: i64 = 1000;
        let offsets: Vec<i64> = c
            .problem
            .buffers
            .iter()
            .map(|b| {
                b.offset.unwrap_or_else(|| {
                    let o = next.div_euclid(b.alignment) * b.alignment + b.alignment;
                    next = o + b.size;
                    o
                })
            })
            .collect();
        let coarse = Solution::new(&c.problem, offsets);
        let fine = c.expand(p, &coarse);
        let at = Problem { capacity: fine.height, ..p.clone() };
        assert_eq!(crate::validate::validate(&at, &fine), Ok(()), "seed {seed}");
        assert_eq!(fine.height, coarse.height, "seed {seed}");
    }

    /// Refining a coarse problem level by level: each level has more
    /// buffers and the same load bound, the packing carried down is valid
    /// for it at the same height and expands to the same packing of the
    /// given problem, and the last level is the given problem's buffers.
    #[test]
    fn refining_keeps_the_packing_level_by_level() {
        let mut refined = 0;
        for seed in 0..20u64 {
            let p = crate::generate::remove_pieces(&crate::generate::perfect(seed, 60, 1 << 10, 100), seed, 5);
            // Padded every second seed, within the load bound.
            let pad = (seed % 2 == 1).then(|| crate::bounds::max_load(&p) as i64);
            let Some(mut c) = coarsen(&p, seed, pad) else { continue };
            let stacked = c.problem.buffers.iter().scan(0, |top, b| Some(std::mem::replace(top, *top + b.size)));
            let mut packing = Solution::new(&c.problem, stacked.collect());
            let fine = c.expand(&p, &packing);
            while let Some((finer, carried)) = c.refined(&p, &packing) {
                assert!(finer.problem.buffers.len() > c.problem.buffers.len(), "seed {seed}");
                assert_eq!(crate::bounds::max_load(&finer.problem), crate::bounds::max_load(&p), "seed {seed}");
                let at = Problem { capacity: packing.height, ..finer.problem.clone() };
                assert_eq!(crate::validate::validate(&at, &carried), Ok(()), "seed {seed}");
                assert_eq!(carried.height, packing.height, "seed {seed}");
                assert_eq!(finer.expand(&p, &carried).offsets, fine.offsets, "seed {seed}");
                (c, packing) = (finer, carried);
                refined += 1;
            }
            assert!(c.is_fine() && c.problem.buffers.len() == p.buffers.len(), "seed {seed}");
        }
        assert!(refined > 20, "{refined} levels refined");
    }

    /// Neither the rows' order nor the ids change the coarse problem.
    #[test]
    fn independent_of_row_order_and_ids() {
        let p = crate::generate::perfect(3, 80, 1 << 10, 100);
        let mut shuffled = p.buffers.clone();
        shuffled.reverse();
        shuffled.rotate_left(17);
        for (i, b) in shuffled.iter_mut().enumerate() {
            b.id = format!("renamed{i}");
        }
        let q = Problem::new(shuffled, p.capacity);
        // With padding too (within the load bound), which draws its
        // order among the glues in the buffers' order, not the rows'.
        let bound = Some(crate::bounds::max_load(&p) as i64);
        for seed in 0..5 {
            for pad in [None, bound] {
                assert_eq!(
                    coarsen(&p, seed, pad).unwrap().shape(),
                    coarsen(&q, seed, pad).unwrap().shape(),
                    "seed {seed}"
                );
            }
        }
    }
}
