//! Learning from failures: facts of the form "these buffers cannot all be
//! placed at or above these offsets within the capacity", learned where the
//! search exhausts a node, and the check that prunes every later node whose
//! state is at least as constrained ([`Switch::FailureLearning`]).
//!
//! # Why a failed node teaches a fact about the problem
//! Call a node *free* when the canonical bound its parent handed down
//! excluded none of its context's unplaced buffers `U` (nodes that fill a
//! point ignore that bound, so they are free too). A free node branches
//! exactly as a sub-partition's root does: on every buffer of `U` at its
//! lowest offset `lo`, under the same dominance, twin and hatless rules. Such
//! a root search is complete for its sub-problem, *place `U` at or above
//! `lo` within the capacity* (dynamic decomposition already rests on this:
//! a failed part fails its parent's placement), whatever the preorder; and
//! in a complete model (`Model::complete`) any such placement keeps clear
//! of the placed buffers, because each lowest offset is already above every
//! placed buffer it meets. So when a free node fails, that sub-problem has
//! no solution: a fact about the problem at this capacity, true for every
//! ordering and every smaller capacity.
//!
//! A later node whose context's unplaced buffers are the same set `U`, each
//! with a lowest offset at or above the fact's, has no completion either:
//! the search only ever places a buffer at or above its lowest offset, so a
//! completion would solve the fact's sub-problem. Pruning it loses nothing.
//!
//! Facts are looked up by a hash of the set `U` (kept incrementally by the
//! search, one xor per placement), so a lookup costs one probe of a hash
//! map, and a comparison of offsets only when the set matches.
//!
//! [`Switch::FailureLearning`]: crate::switches::Switch::FailureLearning

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::nogood::FxHasher;

/// Only nodes whose subtree held at least this many nodes are learned
/// (`[default: 2]`): a node whose children inference refuted at once is
/// about as cheap to refute again as to look up, and would crowd the store.
pub(crate) const MIN_SUBTREE: u64 = 2;

/// Facts kept per set of buffers (`[default: 4]`): the same set recurs with
/// different offsets; a few cover most hits, and a bounded bucket keeps a
/// lookup short.
const PER_SET: usize = 4;

/// The bytes a fact of `len` buffers takes (a buffer index and an offset per
/// buffer, plus the two boxes).
fn fact_bytes(len: usize) -> usize {
    12 * len + 48
}

/// One fact: `bufs` cannot all be placed, each at or above its `lo`.
#[derive(Debug)]
struct Fact {
    bufs: Box<[u32]>,
    lo: Box<[i64]>,
}

/// The facts one search has learned, within a memory budget.
#[derive(Debug, Default)]
pub(crate) struct Learned {
    facts: HashMap<u64, Vec<Fact>, BuildHasherDefault<FxHasher>>,
    bytes: usize,
    limit_bytes: usize,
}

impl Learned {
    /// An empty store that keeps at most `limit_bytes` of facts.
    pub(crate) fn new(limit_bytes: usize) -> Self {
        Learned { limit_bytes, ..Learned::default() }
    }

    /// Whether some fact about a set of `len` buffers with hash `hash`
    /// holds now: `covers(b, lo)` says whether buffer `b` is one of the
    /// current set, unplaced, with a lowest offset at least `lo`.
    #[inline]
    pub(crate) fn holds(&self, hash: u64, len: usize, covers: impl Fn(u32, i64) -> bool) -> bool {
        let Some(bucket) = self.facts.get(&hash) else { return false };
        bucket.iter().any(|f| f.bufs.len() == len && f.bufs.iter().zip(f.lo.iter()).all(|(&b, &lo)| covers(b, lo)))
    }

    /// Records that `bufs` (hash `hash`) cannot all be placed at or above
    /// `lo`; returns whether it was kept (not over the budget or a full
    /// bucket).
    pub(crate) fn learn(&mut self, hash: u64, bufs: Vec<u32>, lo: Vec<i64>) -> bool {
        let bytes = fact_bytes(bufs.len());
        if self.bytes + bytes > self.limit_bytes {
            return false;
        }
        let bucket = self.facts.entry(hash).or_default();
        if bucket.len() >= PER_SET {
            return false;
        }
        self.bytes += bytes;
        bucket.push(Fact { bufs: bufs.into(), lo: lo.into() });
        true
    }
}

/// A buffer's share of a set's hash (the set's hash is the xor over its
/// buffers): splitmix64's finalizer, so that nearby indices spread.
#[inline]
pub(crate) fn set_hash(b: u32) -> u64 {
    let mut z = u64::from(b).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(bufs: &[u32]) -> u64 {
        bufs.iter().fold(0, |h, &b| h ^ set_hash(b))
    }

    #[test]
    fn a_fact_holds_where_every_offset_is_at_least_as_high() {
        let mut l = Learned::new(1 << 20);
        assert!(l.learn(hash(&[3, 5]), vec![3, 5], vec![10, 20]));
        let at = |lo3: i64, lo5: i64| move |b: u32, lo: i64| if b == 3 { lo3 >= lo } else { b == 5 && lo5 >= lo };
        assert!(l.holds(hash(&[3, 5]), 2, at(10, 20)));
        assert!(l.holds(hash(&[3, 5]), 2, at(11, 25)));
        assert!(!l.holds(hash(&[3, 5]), 2, at(9, 25)), "one buffer lower: the fact says nothing");
        assert!(!l.holds(hash(&[3, 5]), 3, at(10, 20)), "another set of the same hash");
        assert!(!l.holds(hash(&[3, 6]), 2, at(10, 20)));
    }

    #[test]
    fn the_budget_and_buckets_are_bounded() {
        let mut l = Learned::new(fact_bytes(2) * 2);
        assert!(l.learn(1, vec![1, 2], vec![0, 0]));
        assert!(l.learn(2, vec![1, 3], vec![0, 0]));
        assert!(!l.learn(3, vec![1, 4], vec![0, 0]), "over the budget");
        let mut l = Learned::new(1 << 20);
        for i in 0..PER_SET {
            assert!(l.learn(7, vec![1], vec![i as i64]));
        }
        assert!(!l.learn(7, vec![1], vec![99]), "a full bucket");
    }

    /// On random problems at the load bound (dense enough that failed
    /// subtrees and recurring states are common, small enough to exhaust),
    /// the search with learning answers every partition as the search
    /// without it does, over switch settings, while its facts do prune (on
    /// these, about three pruned nodes per fact). Whether its answers are
    /// right is the brute-force properties' part (`tests/brute_force.rs`).
    #[test]
    fn learning_prunes_without_changing_answers() {
        use crate::params::{parse_heuristics, SolverParams};
        use crate::search::{Model, Search, Status};
        use crate::stop::StopToken;
        use crate::switches::{Switch, Switches};
        let (mut hits, mut facts) = (0, 0);
        for seed in 0..120 {
            let mut p = crate::generate::random(seed, 16, 24, 10, 12);
            p.capacity = crate::bounds::LowerBounds::of(&p).best() as i64 + (seed % 3) as i64 - 1;
            if p.capacity <= 0 {
                continue;
            }
            let m = Model::new(&p);
            let heuristic = ["TWA", "WAT", "TAW"][seed as usize % 3];
            let mask = [511, 511 & !1, 511 & !(1 << 8), 1023, 2047, 0][seed as usize % 6];
            let sw = Switches::from_mask(mask);
            let run = |switches: Switches| {
                let params = SolverParams {
                    switches,
                    preordering_heuristics: parse_heuristics(heuristic).unwrap(),
                    ..SolverParams::default()
                };
                let mut search = Search::new(&m, p.capacity, &params, &StopToken::new());
                search.set_node_limit(2_000_000);
                let statuses: Vec<Status> = (0..m.partitions().len()).map(|q| search.solve_partition(q)).collect();
                (statuses, search.learned_hits, search.facts_learned)
            };
            let (without, _, _) = run(sw);
            let (with, h, f) = run(sw.with(Switch::FailureLearning, true));
            if without.contains(&Status::NodeLimit) || with.contains(&Status::NodeLimit) {
                continue;
            }
            assert_eq!(without, with, "seed {seed}, switches {sw:?}");
            hits += h;
            facts += f;
        }
        assert!(hits > 0 && facts > 0, "the facts must prune something for the test to mean anything");
    }

    #[test]
    fn set_hashes_do_not_depend_on_order() {
        assert_eq!(hash(&[1, 2, 3]), hash(&[3, 1, 2]));
        assert_ne!(hash(&[1, 2]), hash(&[1, 3]));
    }
}
