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
//! # Why a fact may prune another worker's search
//! Nothing in a fact depends on the search that learned it: it names
//! buffers of the model and offsets, and says no placement of them exists
//! under the capacity. The pruning argument above asks of the pruned search
//! only that it places buffers at or above their lowest offsets, which
//! every search does whatever its preorder or switches. So a fact learned
//! by one worker holds in every other search over the same model at the
//! same capacity (or a smaller one); [`SharedFact`] lets the drivers hand
//! them on (the live race does, at the end of each time slice).
//!
//! [`Switch::FailureLearning`]: crate::switches::Switch::FailureLearning

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

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
/// buffer, the two boxes, the shared count and the hash).
fn fact_bytes(len: usize) -> usize {
    12 * len + 72
}

/// One fact: `bufs` (whose set has hash `hash`) cannot all be placed, each
/// at or above its `lo`.
#[derive(Debug)]
pub(crate) struct Fact {
    hash: u64,
    bufs: Box<[u32]>,
    lo: Box<[i64]>,
}

impl Fact {
    /// The bytes it takes (see [`fact_bytes`]).
    pub(crate) fn bytes(&self) -> usize {
        fact_bytes(self.bufs.len())
    }
}

/// A fact as searches hand it to each other: immutable, so one copy
/// serves every store that keeps it.
pub(crate) type SharedFact = Arc<Fact>;

/// The facts one search holds (learned or handed on), within a memory
/// budget that counts every fact it keeps, shared or not.
#[derive(Debug, Default)]
pub(crate) struct Learned {
    /// Per hash, each fact with whether it was taken in from another search.
    facts: HashMap<u64, Vec<(SharedFact, bool)>, BuildHasherDefault<FxHasher>>,
    bytes: usize,
    limit_bytes: usize,
}

impl Learned {
    /// An empty store that keeps at most `limit_bytes` of facts.
    pub(crate) fn new(limit_bytes: usize) -> Self {
        Learned { limit_bytes, ..Learned::default() }
    }

    /// Whether some fact about a set of `len` buffers with hash `hash`
    /// holds now, and if so whether it was taken in from another search:
    /// `covers(b, lo)` says whether buffer `b` is one of the current set,
    /// unplaced, with a lowest offset at least `lo`.
    #[inline]
    pub(crate) fn holds(&self, hash: u64, len: usize, covers: impl Fn(u32, i64) -> bool) -> Option<bool> {
        let bucket = self.facts.get(&hash)?;
        bucket
            .iter()
            .find(|(f, _)| f.bufs.len() == len && f.bufs.iter().zip(f.lo.iter()).all(|(&b, &lo)| covers(b, lo)))
            .map(|&(_, taken_in)| taken_in)
    }

    /// Records that `bufs` (hash `hash`) cannot all be placed at or above
    /// `lo`; returns the fact if it was kept (not over the budget or a full
    /// bucket), for the caller to hand on.
    pub(crate) fn learn(&mut self, hash: u64, bufs: Vec<u32>, lo: Vec<i64>) -> Option<SharedFact> {
        if !self.has_room(hash, bufs.len()) {
            return None;
        }
        let fact = Arc::new(Fact { hash, bufs: bufs.into(), lo: lo.into() });
        self.keep(Arc::clone(&fact), false);
        Some(fact)
    }

    /// Keeps a fact another search learned; returns whether it was kept.
    pub(crate) fn take_in(&mut self, fact: &SharedFact) -> bool {
        if !self.has_room(fact.hash, fact.bufs.len()) {
            return false;
        }
        self.keep(Arc::clone(fact), true);
        true
    }

    /// Drops every fact.
    pub(crate) fn clear(&mut self) {
        self.facts.clear();
        self.bytes = 0;
    }

    fn has_room(&self, hash: u64, len: usize) -> bool {
        self.bytes + fact_bytes(len) <= self.limit_bytes && self.facts.get(&hash).is_none_or(|b| b.len() < PER_SET)
    }

    fn keep(&mut self, fact: SharedFact, taken_in: bool) {
        self.bytes += fact.bytes();
        self.facts.entry(fact.hash).or_default().push((fact, taken_in));
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
        assert!(l.learn(hash(&[3, 5]), vec![3, 5], vec![10, 20]).is_some());
        let at = |lo3: i64, lo5: i64| move |b: u32, lo: i64| if b == 3 { lo3 >= lo } else { b == 5 && lo5 >= lo };
        assert_eq!(l.holds(hash(&[3, 5]), 2, at(10, 20)), Some(false), "holds, and was learned here");
        assert!(l.holds(hash(&[3, 5]), 2, at(11, 25)).is_some());
        assert!(l.holds(hash(&[3, 5]), 2, at(9, 25)).is_none(), "one buffer lower: the fact says nothing");
        assert!(l.holds(hash(&[3, 5]), 3, at(10, 20)).is_none(), "another set of the same hash");
        assert!(l.holds(hash(&[3, 6]), 2, at(10, 20)).is_none());
    }

    #[test]
    fn the_budget_and_buckets_are_bounded() {
        let mut l = Learned::new(fact_bytes(2) * 2);
        assert!(l.learn(1, vec![1, 2], vec![0, 0]).is_some());
        assert!(l.learn(2, vec![1, 3], vec![0, 0]).is_some());
        assert!(l.learn(3, vec![1, 4], vec![0, 0]).is_none(), "over the budget");
        let mut l = Learned::new(1 << 20);
        for i in 0..PER_SET {
            assert!(l.learn(7, vec![1], vec![i as i64]).is_some());
        }
        let extra = Learned::new(1 << 20).learn(7, vec![1], vec![99]).unwrap();
        assert!(l.learn(7, vec![1], vec![99]).is_none(), "a full bucket");
        assert!(!l.take_in(&extra), "a full bucket takes no shared fact either");
        l.clear();
        assert!(l.take_in(&extra) && l.bytes == extra.bytes());
    }

    #[test]
    fn a_shared_fact_holds_in_the_store_that_takes_it_in() {
        let fact = Learned::new(1 << 20).learn(hash(&[3, 5]), vec![3, 5], vec![10, 20]).unwrap();
        let mut other = Learned::new(1 << 20);
        let at = |b: u32, lo: i64| (b == 3 || b == 5) && lo <= 20;
        assert!(other.holds(hash(&[3, 5]), 2, at).is_none());
        assert!(other.take_in(&fact));
        assert_eq!(other.holds(hash(&[3, 5]), 2, at), Some(true), "holds, and was taken in");
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
