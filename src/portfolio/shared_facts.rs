//! The live race's pool of learned facts: what one search of a partition
//! learned from its failures ([`crate::search::learned`]), handed on to the
//! partition's other searches at the end of their time slices.
//!
//! A fact holds for every search over the same model at the same
//! capacity, whatever its ordering, so a worker that meets a state another
//! worker already refuted fails it at once. Facts move only between slices,
//! under the schedule's lock, so the search core never waits or locks, and
//! a fact reaches the other searches within a slice of being learned. A
//! partition's facts are dropped when it is placed.

use std::collections::HashMap;

use crate::search::{Search, SharedFact};

/// The facts published so far on each open partition, within a memory budget.
#[derive(Debug)]
pub(super) struct FactPool {
    /// Per partition, each fact with the task that learned it.
    by_partition: HashMap<usize, Vec<(u64, SharedFact)>>,
    bytes: usize,
    limit_bytes: usize,
}

impl FactPool {
    /// An empty pool that holds at most `limit_bytes` of facts (beyond
    /// that new facts are not handed on: they are hints, and the searches
    /// that learned them keep them).
    pub(super) fn new(limit_bytes: usize) -> Self {
        FactPool { by_partition: HashMap::new(), bytes: 0, limit_bytes }
    }

    /// Adds the facts task `from` learned on partition `p`.
    pub(super) fn publish(&mut self, p: usize, from: u64, facts: Vec<SharedFact>) {
        for fact in facts {
            if self.bytes + fact.bytes() > self.limit_bytes {
                return;
            }
            self.bytes += fact.bytes();
            self.by_partition.entry(p).or_default().push((from, fact));
        }
    }

    /// Hands `search` (task `me` on partition `p`) the facts that other
    /// tasks published on `p` after the first `seen`; returns how many
    /// the partition holds now, the task's `seen` for next time.
    pub(super) fn hand_on(&self, p: usize, me: u64, seen: usize, search: &mut Search<'_>) -> usize {
        let Some(facts) = self.by_partition.get(&p) else { return seen };
        let others = facts.get(seen..).unwrap_or_default().iter().filter(|(from, _)| *from != me);
        search.take_in_facts(others.map(|(_, fact)| fact));
        facts.len()
    }

    /// Drops partition `p`'s facts (it is placed: nobody needs them now).
    pub(super) fn forget(&mut self, p: usize) {
        if let Some(facts) = self.by_partition.remove(&p) {
            self.bytes -= facts.iter().map(|(_, f)| f.bytes()).sum::<usize>();
        }
    }
}
