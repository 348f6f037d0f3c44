//! The deterministic race: the same answer for the same input and seed,
//! whatever the thread count and the timing.
//!
//! Partitions go in order; on each, every worker's search runs the same
//! number of nodes per step, in parallel, and the lowest worker that
//! decides the partition at a step wins. Nogoods pass between workers only
//! at step boundaries, merged in worker order, so what a search sees never
//! depends on which thread ran faster.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::race::{Race, RaceOutcome};
use crate::nogood::{KeySet, NogoodCache};
use crate::search::{Search, Status};

impl<'a> Race<'a> {
    /// Deterministic mode: partitions in order; within one, every worker's
    /// search runs the same number of nodes per step, in parallel, and the
    /// lowest worker that places the partition at a step wins. Nogoods pass
    /// between workers only at step boundaries. Nothing depends on timing.
    pub(super) fn run_deterministic(&self, pool: &rayon::ThreadPool) -> RaceOutcome {
        // cancel[w] is raised once a worker before w has placed the partition this step.
        let cancel: Vec<Arc<AtomicBool>> = self.crew.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
        // One search per worker for the whole race, each with a private
        // cache: sharing goes through the merged set of each step instead.
        let mut searches: Vec<Search<'_>> =
            self.crew.iter().map(|_| self.new_search(self.opts.tunables.nogoods.then(NogoodCache::new))).collect();
        for p in 0..self.solved.len() {
            if self.solved[p].load(Ordering::SeqCst) {
                continue;
            }
            self.enter(p, &mut searches, &cancel);
            let decided = self.decide(pool, &mut searches, &cancel);
            self.leave(p, &mut searches, decided);
            match decided {
                Some((_, Status::Found)) => {}
                Some((w, _)) => {
                    self.record_infeasible(&self.crew[w].name);
                    return RaceOutcome::Infeasible;
                }
                None => return self.outcome(),
            }
        }
        self.outcome()
    }

    /// Starts every worker on partition `p`: by adopting the quick round's
    /// paused search where it can (it takes over the worker's nogood
    /// cache), else by restarting the worker's own search there.
    fn enter(&self, p: usize, searches: &mut [Search<'a>], cancel: &[Arc<AtomicBool>]) {
        for (w, search) in searches.iter_mut().enumerate() {
            match self.adopt(p, w) {
                Some(mut adopted) => {
                    adopted.set_nogoods(search.take_nogoods());
                    *search = adopted;
                }
                None => self.begin(search, p, w),
            }
            search.set_stop(self.stop.child_sharing(Arc::clone(&cancel[w])));
        }
    }

    /// Runs steps on the current partition until one decides it: the
    /// lowest worker that placed it, or else the lowest that proved it
    /// infeasible, with that status; `None` if the race was stopped first.
    fn decide(
        &self,
        pool: &rayon::ThreadPool,
        searches: &mut [Search<'a>],
        cancel: &[Arc<AtomicBool>],
    ) -> Option<(usize, Status)> {
        // What earlier steps on this partition proved (keys name their
        // buffers, so nothing from another partition could match).
        let mut frozen = Arc::new(KeySet::default());
        // Steps are short: searches pause rather than restart, so a step
        // only sets how often the workers compare notes.
        let step_nodes = self.opts.tunables.step.max(1);
        loop {
            if self.stop.is_cancelled() || self.timed_out() {
                return None;
            }
            let statuses = step(pool, searches, cancel, &frozen, step_nodes);
            // Every worker before the lowest finder ran its full step, so
            // the lowest finder is the same whatever the timing.
            if let Some(w) = statuses.iter().position(|s| *s == Some(Status::Found)) {
                return Some((w, Status::Found));
            }
            if let Some(w) = statuses.iter().position(|s| *s == Some(Status::Infeasible)) {
                return Some((w, Status::Infeasible));
            }
            if statuses.contains(&Some(Status::Stopped)) {
                return None;
            }
            frozen = merge(&frozen, searches);
        }
    }

    /// Ends partition `p` for every worker: the winner (if `decided` says
    /// one placed it) claims it, every search is stopped where it is, and
    /// all are counted.
    fn leave(&self, p: usize, searches: &mut [Search<'a>], decided: Option<(usize, Status)>) {
        for (w, search) in searches.iter_mut().enumerate() {
            let won = matches!(decided, Some((winner, Status::Found)) if winner == w);
            if won {
                self.claim(p, w, search);
            }
            if search.in_progress() {
                search.abandon();
            }
            search.set_stop(self.stop.clone());
            self.account(&self.crew[w].name, search, 1, u64::from(won));
        }
    }
}

/// One step: every search runs `nodes` nodes (or until it decides, or until
/// a lower worker has placed the partition), seeing the nogoods of `frozen`
/// and its own of this step. Returns each worker's status.
fn step(
    pool: &rayon::ThreadPool,
    searches: &mut [Search<'_>],
    cancel: &[Arc<AtomicBool>],
    frozen: &Arc<KeySet>,
    nodes: i64,
) -> Vec<Option<Status>> {
    for c in cancel {
        c.store(false, Ordering::SeqCst);
    }
    let statuses: Vec<Mutex<Option<Status>>> = searches.iter().map(|_| Mutex::new(None)).collect();
    pool.scope(|s| {
        for (w, search) in searches.iter_mut().enumerate() {
            let statuses = &statuses;
            s.spawn(move |_| {
                if let Some(n) = search.nogoods_mut() {
                    n.begin_step(Arc::clone(frozen));
                }
                search.set_node_limit(nodes);
                let status = search.resume();
                if status == Status::Found {
                    for c in &cancel[w + 1..] {
                        c.store(true, Ordering::SeqCst);
                    }
                }
                *statuses[w].lock() = Some(status);
            });
        }
    });
    statuses.into_iter().map(Mutex::into_inner).collect()
}

/// `frozen` and the nogoods every search proved this step, taken in worker
/// order, for the next step.
fn merge(frozen: &Arc<KeySet>, searches: &mut [Search<'_>]) -> Arc<KeySet> {
    let mut merged = (**frozen).clone();
    for search in searches.iter_mut() {
        if let Some(n) = search.nogoods_mut() {
            merged.extend(n.take_new());
        }
    }
    Arc::new(merged)
}
