//! The race's shared state and the moves both kinds of race make on it:
//! starting or adopting a worker's search on a partition, claiming a
//! partition, recording a proof of infeasibility, and counting.
//!
//! The live race ([`super::live`]) and the deterministic one
//! ([`super::deterministic`]) differ only in how they schedule searches;
//! keeping these moves in one place is what makes them agree on who wins,
//! what is counted and when everything stops.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::crew::random_rank;
use super::reference_round::Paused;
use super::{Placements, Solve, Win};
use crate::nogood::NogoodCache;
use crate::options::{SolveOptions, Worker};
use crate::params::Heuristic;
use crate::repair::Fitting;
use crate::report::{EventKind, Stats};
use crate::search::holes::Holes;
use crate::search::{Model, PartitionSearch, Search};
use crate::stop::StopToken;
use crate::switches::{Switch, Switches};

/// How a race ended.
pub(super) enum RaceOutcome {
    /// Every partition is placed.
    Solved,
    /// A search proved a partition infeasible.
    Infeasible,
    /// Stopped (time limit or cancellation) with partitions left.
    Stopped,
}

/// Shared state of the race.
pub(super) struct Race<'a> {
    pub(super) model: &'a Model,
    pub(super) capacity: i64,
    pub(super) opts: &'a SolveOptions,
    pub(super) crew: &'a [Worker],
    /// The race's own token (a child of the caller's): raised once it has
    /// its answer.
    pub(super) stop: &'a StopToken,
    pub(super) emit: &'a (dyn Fn(EventKind, Option<&str>) + Sync),
    /// Raised when a partition is placed; its searches stop at their next node.
    pub(super) solved: &'a [Arc<AtomicBool>],
    /// The winning offsets of each partition and the worker that won it.
    pub(super) results: Mutex<Vec<Option<Win>>>,
    pub(super) infeasible_by: Mutex<Option<String>>,
    pub(super) stats: Mutex<Stats>,
    /// Quick-round searches paused mid-partition, for the matching worker to adopt.
    pub(super) paused: Mutex<Vec<Paused<'a>>>,
    /// The buffers in the partitions each worker of the crew has won in
    /// this solve (the quick round's wins included).
    pub(super) won: Vec<AtomicUsize>,
}

impl<'a> Solve<'a> {
    /// Phase 4: races `crew` on the partitions still open, live or
    /// deterministically as the parameters say, adopting the quick round's
    /// `paused` searches. The winners' offsets go into `placed`, and the
    /// race's counters (which it keeps while it runs) back into `stats`.
    pub(super) fn race(
        &self,
        pool: &rayon::ThreadPool,
        crew: &[Worker],
        placed: &mut Placements,
        paused: Vec<Paused<'a>>,
        stats: &mut Stats,
    ) -> RaceOutcome {
        if placed.solved.iter().all(|&s| s) {
            return RaceOutcome::Solved;
        }
        let threads = stats.threads;
        let flags: Vec<Arc<AtomicBool>> = placed.solved.iter().map(|&s| Arc::new(AtomicBool::new(s))).collect();
        let mut race = Race {
            model: self.model,
            capacity: self.problem.capacity,
            opts: self.opts,
            crew,
            stop: self.stop,
            emit: self.emit,
            solved: &flags,
            results: Mutex::new(vec![None; placed.solved.len()]),
            infeasible_by: Mutex::new(None),
            stats: Mutex::new(std::mem::take(stats)),
            paused: Mutex::new(paused),
            won: Vec::new(),
        };
        // The quick round's wins count for the workers that carry its searches on.
        let parts = self.model.partitions();
        let won: Vec<usize> = (0..crew.len())
            .map(|w| {
                let by_w = placed.quick_winners.iter().filter(|(_, h)| race.continues_quick_round(w, h));
                by_w.map(|&(p, _)| parts[p].buffers.len()).sum()
            })
            .collect();
        race.won = won.into_iter().map(AtomicUsize::new).collect();
        let outcome =
            if self.opts.params.deterministic { race.run_deterministic(pool) } else { race.run_live(pool, threads) };
        *stats = race.stats.into_inner();
        // The answer is decided by the last partition placed, or by the
        // proof of infeasibility if there is one.
        for (p, r) in race.results.into_inner().into_iter().enumerate() {
            if let Some((offsets, lane)) = r {
                placed.place(self.model, p, offsets);
                stats.decided_by = Some(lane);
            }
        }
        if let Some(lane) = race.infeasible_by.into_inner() {
            stats.decided_by = Some(lane);
        }
        outcome
    }
}

impl<'a> Race<'a> {
    /// Partitions not placed yet.
    pub(super) fn remaining(&self) -> usize {
        self.solved.iter().filter(|s| !s.load(Ordering::SeqCst)).count()
    }

    pub(super) fn timed_out(&self) -> bool {
        self.stop.expired()
    }

    /// A search on the race's token, holding `nogoods` (or none).
    pub(super) fn new_search(&self, nogoods: Option<NogoodCache>) -> Search<'a> {
        let mut search = Search::new(self.model, self.capacity, &self.opts.params, self.stop);
        search.set_nogoods(nogoods);
        search
    }

    /// The quick-round search paused on partition `p` with worker `w`'s
    /// heuristic, if `w` carries that search on (see
    /// [`Self::continues_quick_round`]): it is the search `w` would start,
    /// some nodes in, and goes on with `w`'s switches. It comes without a
    /// nogood cache: the caller gives it one.
    pub(super) fn adopt(&self, p: usize, w: usize) -> Option<Search<'a>> {
        let mut paused = self.paused.lock();
        let i = paused.iter().position(|(q, h, _)| *q == p && self.continues_quick_round(w, h))?;
        let (_, _, mut search) = paused.swap_remove(i);
        search.set_switches(self.crew[w].switches);
        search.set_stop(self.stop.child_sharing(Arc::clone(&self.solved[p])));
        Some(search)
    }

    /// How deep the quick-round search that worker `w` would adopt on
    /// partition `p` got (0 if there is none): where its task starts.
    pub(super) fn adoptable_depth(&self, p: usize, w: usize) -> usize {
        let paused = self.paused.lock();
        paused
            .iter()
            .filter(|(q, h, _)| *q == p && self.continues_quick_round(w, h))
            .map(|(_, _, s)| s.deepest())
            .max()
            .unwrap_or(0)
    }

    /// Whether worker `w` carries on the quick round's search with
    /// heuristic `h`: it is unseeded, with `h` and the round's switches,
    /// except perhaps those a search may switch midway
    /// ([`Switch::resumable`]), so a search begun without them can go on
    /// with them.
    pub(super) fn continues_quick_round(&self, w: usize, h: &Heuristic) -> bool {
        let worker = &self.crew[w];
        let others =
            |s: Switches| Switch::ALL.into_iter().filter(|sw| sw.resumable()).fold(s, |s, sw| s.with(sw, false));
        !worker.seeded
            && !worker.holes
            && !worker.repair
            && others(worker.switches) == others(self.opts.params.switches)
            && worker.heuristic == *h
    }

    /// Sets `search` up as worker `w` and starts it on partition `p`. Its
    /// nogood cache, if any, is kept as it is (keys name their buffers, so
    /// those from another partition never match here).
    pub(super) fn begin(&self, search: &mut Search<'a>, p: usize, w: usize) {
        self.begin_round(search, p, w, 0);
    }

    /// [`Self::begin`] for the `round`-th restart (0: the first start): a
    /// seeded worker draws its ties anew each round.
    pub(super) fn begin_round(&self, search: &mut Search<'a>, p: usize, w: usize, round: u64) {
        let worker = &self.crew[w];
        search.set_switches(worker.switches);
        search.set_keys(&worker.heuristic.0);
        search.set_random_points(worker.random_points);
        search.set_holes(worker.holes);
        // The deterministic race does not restart: tightened, it would
        // search at the bound alone.
        search.set_tighten(worker.tighten && !self.opts.params.deterministic && round % 2 == 0);
        search.set_rank(worker.seeded.then(|| {
            let seed = self.opts.params.seed
                ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ round.wrapping_mul(0xD1B5_4A32_D192_ED03);
            let mut rank = random_rank(self.model.num_buffers, seed);
            if worker.switches.get(Switch::IdenticalOrder) {
                // Identical buffers must stay neighbours in the preorder.
                self.model.tie_twins(&mut rank);
            }
            rank
        }));
        search.supply(self.repairing(p, w, round));
        search.set_stop(self.stop.child_sharing(Arc::clone(&self.solved[p])));
        search.start_partition(p);
    }

    /// The guided repair a repairing worker `w` searches partition `p`
    /// with (see [`Worker::repair`]), from the greedy packing by size;
    /// `None` for other workers, or where hole branching does not apply.
    fn repairing(&self, p: usize, w: usize, round: u64) -> Option<Box<dyn PartitionSearch>> {
        if !self.crew[w].repair || !Holes::applies(self.model, p) {
            return None;
        }
        let seed = self.opts.params.seed ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ round;
        let nodes = self.opts.tunables.repair_nodes;
        let start = crate::heuristics::orders::by_size;
        let fitting = Fitting::new(self.model, p, start, self.capacity, (nodes, seed))?;
        Some(Box::new(fitting))
    }

    /// Moves `search`'s counters (nodes, backtracks, nogood hits and
    /// proofs, facts learned and their hits) to worker `name`'s, with `attempts` and `wins` added, and
    /// zeroes them, so that a search that runs again is not counted twice.
    pub(super) fn account(&self, name: &str, search: &mut Search<'_>, attempts: u64, wins: u64) {
        let mut stats = self.stats.lock();
        let w = stats.worker(name);
        w.attempts += attempts;
        w.nodes += search.nodes;
        w.backtracks += search.backtracks;
        w.wins += wins;
        search.nodes = 0;
        search.backtracks = 0;
        stats.facts_learned += std::mem::take(&mut search.facts_learned);
        stats.learned_hits += std::mem::take(&mut search.learned_hits);
        stats.facts_shared += std::mem::take(&mut search.facts_taken_in);
        stats.shared_hits += std::mem::take(&mut search.shared_hits);
        if let Some(n) = search.nogoods_mut() {
            stats.nogood_hits += n.hits;
            stats.nogoods_proved += n.proved;
            n.hits = 0;
            n.proved = 0;
        }
    }

    /// Records that worker `w`'s search placed partition `p`, unless another
    /// got there first; returns whether it won.
    pub(super) fn claim(&self, p: usize, w: usize, search: &Search<'_>) -> bool {
        if self.solved[p].compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst).is_err() {
            return false;
        }
        let placed = self.model.partitions()[p].buffers.iter().map(|&b| search.solution()[b]).collect();
        let name = &self.crew[w].name;
        self.results.lock()[p] = Some((placed, name.clone()));
        let buffers = self.model.partitions()[p].buffers.len();
        self.won[w].fetch_add(buffers, Ordering::Relaxed);
        (self.emit)(EventKind::PartitionSolved { partition: p, buffers, remaining: self.remaining() }, Some(name));
        true
    }

    /// Records that worker `name` proved a partition infeasible (the first
    /// such proof is the one reported) and stops every search: one
    /// infeasible partition makes the whole problem infeasible.
    pub(super) fn record_infeasible(&self, name: &str) {
        let mut by = self.infeasible_by.lock();
        if by.is_none() {
            *by = Some(name.to_string());
        }
        // The race's own token: the caller's stays as it was.
        self.stop.cancel();
    }

    /// How the race stands now.
    pub(super) fn outcome(&self) -> RaceOutcome {
        if self.infeasible_by.lock().is_some() {
            RaceOutcome::Infeasible
        } else if self.remaining() == 0 {
            RaceOutcome::Solved
        } else {
            RaceOutcome::Stopped
        }
    }
}
