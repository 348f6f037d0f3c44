//! The parallel portfolio: several search workers race on a shared,
//! read-only model, and the first to place a partition wins it.
//!
//! A solve runs in phases, in this order. The quick round and the race
//! have modules of their own (`quick`; `race`, with its `live` and
//! `deterministic` schedules); the crew comes from `options`, and what a
//! solve reports is defined in `events`.
//!
//! 1. The coordinator refutes the capacity by bounds, builds the model
//!    every worker reads (one sweep; capacity minimization builds it once
//!    and passes it to every probe), caps the threads at the searches the
//!    model's memory affords, and takes the placements the caller already
//!    knows for some partitions (earlier probes) where they fit.
//! 2. `quick`: on a fresh problem (nothing known), a quick round of the
//!    reference's own round robin (each heuristic gets twice the buffers
//!    of each partition in nodes, unspent budget carrying over to the next
//!    partition; the heuristics side by side, within a short time limit)
//!    settles easy instances with exactly the reference's answer.
//!    Partitions it places are kept, and its searches, paused where their
//!    budget or its time ran out, are handed on to the race rather than
//!    thrown away. A heuristic lost on one partition goes on to the next
//!    with a budget of its own, so on instances made of independent parts
//!    every part is started.
//! 3. Greedy placements try each partition (side by side on a large one);
//!    they read each overlapping pair once and solve the partitions that
//!    have room to spare. Then, if the caller gave one and the round was
//!    not calm (no search sailing towards a placement, or one struggling),
//!    the detour (`Detour`: stacking, coarsening) starts on a thread of
//!    its own, beside the race; the first to settle the problem stops the
//!    other.
//! 4. `race`, `live`: the remaining partitions are raced one at a time, in
//!    order. The crew (`options`: the configured workers and, in live mode
//!    with more threads than workers, extras up to one per thread; each a
//!    preordering heuristic, technique switches, optionally seeded
//!    tie-breaking) gets a search per worker on the partition; the threads
//!    time-slice these searches, each thread repeatedly resuming a search
//!    that has not backtracked yet (the deepest first: it is descending
//!    towards a placement), else the one that has run least. Searches
//!    pause and resume exactly where they
//!    were, so sharing threads wastes no work, and a worker whose heuristic
//!    is lost on one partition costs the others only their share. The first
//!    search to place a partition wins it and the rest stop at their next
//!    node; each partition can be won by a different heuristic, which the
//!    reference's one-heuristic-for-all round robin cannot do.
//! 5. The answer is assembled from every phase's placements, or the reason
//!    there is none. All searches of a solve share a stop token (timeouts,
//!    cancellation, and a proof of infeasibility from any exhausted search
//!    end everything at once).
//!
//! In deterministic mode (`deterministic`) the workers are fixed
//! (independent of the thread count), partitions go in order, every worker
//! runs the same number of nodes per step, the lowest worker that places
//! the partition at a step wins, and nogoods are merged between steps: the
//! answer depends on the input and seed alone.
//!
//! # Nogoods: what is shared with whom
//!
//! With [`PortfolioTunables::nogoods`](crate::tunables::PortfolioTunables::nogoods) on, the race's searches carry caches
//! of sub-problems proven infeasible (`nogood`). A key names the
//! buffers of its sub-problem, so it can only help a search on the same
//! partition. What is shared depends on the phase:
//!
//! - The quick round (both passes) keeps no nogoods: its searches have no
//!   cache, and those the race adopts arrive without one.
//! - The live race makes a cache with every new search and keeps it with
//!   the search as it is recycled from task to task, so a search sees what
//!   it proved itself. An adopted quick-round search takes over the cache
//!   of the idle search it replaces; only when there is none (as at the
//!   start of the race, before any search has gone idle) does it get a new
//!   cache joined to the race's `nogood::NogoodHub`. Hub caches
//!   offer every key they prove to each other, through bounded inboxes that
//!   nobody waits on (a full inbox misses the key); every other cache is a
//!   private `nogood::NogoodCache`. So keys pass between live
//!   searches only among adopted quick-round searches and the searches that
//!   later inherit their caches; with the quick round off, or nothing left
//!   for the race to adopt, no key passes between searches at all.
//! - The deterministic race gives each worker one private cache for the
//!   whole race (an adopted search takes over its worker's) and uses no
//!   hub: on each partition, the keys every worker proved in a step are
//!   merged, in worker order, into a set that every worker reads during
//!   the next step. Each step clears a cache's own keys, and the merged set
//!   starts empty on every partition, so the workers of a partition share
//!   all its keys, a step late, and none outlive it.
//!
//! # Facts learned from failures
//!
//! Searches with `Switch::FailureLearning` keep facts of their own
//! (`search::learned`). With [`PortfolioTunables::share_facts`](crate::tunables::PortfolioTunables::share_facts) on, the live
//! race also hands each fact a search learns on a partition to that
//! partition's other searches, at the end of their time slices
//! (`shared_facts`); a fact holds for every ordering, so a worker need not
//! refute a state again that another has refuted. The deterministic race
//! shares none (what a search sees must not depend on timing).

mod crew;
mod deterministic;
mod live;
mod race;
mod reference_round;
mod shared_facts;

use std::ops::ControlFlow;

use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::error::SolveError;
use crate::heuristics;
use crate::params::Heuristic;
use crate::problem::{Problem, Solution};
use crate::search::Model;
use crate::stop::StopToken;

pub use crate::options::{KnownPlacement, SolveOptions, Worker};
use crate::report::{Driver, Outcome, SolveResult};
pub use crate::report::{Event, EventKind, Report, Stats, WorkerStats};

use race::RaceOutcome;

/// A parallel portfolio solver; see the module docs.
#[derive(Debug)]
pub struct Portfolio {
    options: SolveOptions,
    cancel: Arc<AtomicBool>,
}

impl Portfolio {
    /// A portfolio with the given options.
    pub fn new(options: SolveOptions) -> Self {
        Portfolio::with_cancel(options, Arc::new(AtomicBool::new(false)))
    }

    /// A portfolio that stops when `cancel` is raised.
    pub fn with_cancel(options: SolveOptions, cancel: Arc<AtomicBool>) -> Self {
        Portfolio { options, cancel }
    }

    /// The options.
    pub fn options(&self) -> &SolveOptions {
        &self.options
    }

    /// A flag that stops a running solve when raised (e.g. from Ctrl-C).
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// Stops a running solve.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Solves `problem` at its capacity, reporting progress to `events`.
    pub fn solve(&self, problem: &Problem, events: &(dyn Fn(Event) + Sync)) -> Report {
        self.solve_with(problem, None, &[], events)
    }

    /// The stop token of a solve starting now: this portfolio's cancel flag
    /// and the time limit of its parameters.
    fn token(&self) -> StopToken {
        let deadline = self.options.params.timeout.and_then(|t| Instant::now().checked_add(t));
        StopToken::from_flag(Arc::clone(&self.cancel)).child_until(deadline)
    }

    /// Like [`Self::solve`], on a model already built for `problem` (any
    /// capacity) and with placements already known for some partitions
    /// (`known[p]`: the offsets of partition `p`'s buffers and their
    /// height); those that fit under the capacity are taken as they are.
    /// Capacity minimization probes many capacities this way.
    pub fn solve_with(
        &self,
        problem: &Problem,
        model: Option<&Model>,
        known: &[KnownPlacement],
        events: &(dyn Fn(Event) + Sync),
    ) -> Report {
        self.solve_until(problem, model, known, &self.token(), events)
    }

    /// [`Self::solve_with`] until `stop` says to stop (the portfolio's own
    /// cancel flag and time limit are ignored: the token carries the
    /// caller's). The portfolio never cancels `stop`: it stops its own
    /// searches through a child token.
    pub fn solve_until(
        &self,
        problem: &Problem,
        model: Option<&Model>,
        known: &[KnownPlacement],
        stop: &StopToken,
        events: &(dyn Fn(Event) + Sync),
    ) -> Report {
        self.run(problem, Given { model, known, detour: None }, stop, events)
    }

    /// [`Self::solve_until`], taking `detour` (another route to a whole
    /// solution: stacking, coarsening) once, beside the race, if the quick
    /// round and greedy placements leave it open (see [`Detour`]).
    pub(crate) fn solve_detouring(
        &self,
        problem: &Problem,
        model: Option<&Model>,
        known: &[KnownPlacement],
        detour: Detour<'_>,
        stop: &StopToken,
        events: &(dyn Fn(Event) + Sync),
    ) -> Report {
        self.run(problem, Given { model, known, detour: Some(detour) }, stop, events)
    }

    /// A solve with what the caller gives, validated and timed.
    fn run(&self, problem: &Problem, given: Given<'_>, stop: &StopToken, events: &(dyn Fn(Event) + Sync)) -> Report {
        let start = Instant::now();
        let mut stats = Stats {
            threads: self.options.params.thread_count().max(1),
            // A detour that decides names itself instead.
            driver: Some(Driver::Portfolio),
            ..Default::default()
        };
        let searching = crate::validate::until_checked(stop, problem);
        let outcome = match self.solve_inner(problem, given, &searching, events, &mut stats) {
            Ok(Outcome::Solved(s)) => crate::validate::checked(problem, s).map(Outcome::Solved),
            ended => ended,
        };
        stats.wall = start.elapsed();
        Report { outcome, stats }
    }

    /// The phases of a solve, in order (see the module docs).
    fn solve_inner(
        &self,
        problem: &Problem,
        given: Given<'_>,
        caller: &StopToken,
        events: &(dyn Fn(Event) + Sync),
        stats: &mut Stats,
    ) -> SolveResult {
        let Given { model, known, detour } = given;
        let start = Instant::now();
        if let Some(ended) = self.refuse(problem, caller) {
            return ended;
        }
        // The searches' token: the race cancels it once it has its answer,
        // which stops them without touching the caller's.
        let run = caller.child();
        let emit = |kind: EventKind, worker: Option<&str>| {
            events(Event { elapsed: start.elapsed(), kind, worker: worker.map(str::to_string) })
        };
        let built;
        let model = match model {
            Some(m) => m,
            None => match Model::build(problem, &run) {
                Some(m) => {
                    built = m;
                    &built
                }
                None => return Ok(Outcome::stopped(&run)),
            },
        };
        let solve = Solve { problem, model, opts: &self.options, stop: &run, emit: &emit };
        let crew = solve.start(stats);
        let pool = thread_pool(stats.threads)?;
        let mut placed = solve.known(known);
        let undecided = match solve.reference_round(&pool, &mut placed, stats) {
            ControlFlow::Break(answer) => return answer,
            ControlFlow::Continue(undecided) => undecided,
        };
        if let Some(ended) = solve.greedy(&pool, &mut placed, stats) {
            return Ok(ended);
        }
        // The detour, when neither the quick round nor the greedy settled
        // the problem and the round was not calm, runs beside the race (on
        // a thread of its own; its solves have their own threads): the
        // first to settle the problem stops the other. Taken alone first,
        // a detour that spends seconds on coarse problems kept the race
        // from placing the paper's G in a tenth of a second.
        let calm = undecided.as_ref().is_some_and(|u| u.calm);
        let paused = undecided.map(|u| u.paused).unwrap_or_default();
        let Some(detour) = detour.filter(|_| !calm && placed.remaining() > 0) else {
            let outcome = solve.race(&pool, &crew, &mut placed, paused, stats);
            return Ok(solve.answer(outcome, placed, stats));
        };
        let aside = run.child();
        let mut taken = Stats::default();
        let (found, outcome) = std::thread::scope(|s| {
            let side = s.spawn(|| {
                let found = detour(&aside, &mut taken);
                if found.is_some() {
                    run.cancel();
                }
                found
            });
            let outcome = solve.race(&pool, &crew, &mut placed, paused, stats);
            aside.cancel();
            (side.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), outcome)
        });
        stats.absorb(&taken, "");
        match found {
            Some(solution) if !matches!(outcome, RaceOutcome::Solved) => {
                stats.decided_by = taken.decided_by;
                stats.driver = taken.driver;
                emit(EventKind::Solved { height: solution.height }, stats.decided_by.as_deref());
                Ok(Outcome::Solved(solution))
            }
            _ => Ok(solve.answer(outcome, placed, stats)),
        }
    }

    /// What ends a solve before any work: a malformed portfolio or
    /// problem, or a capacity the bounds refute (see
    /// [`crate::bounds::admit`]); `None` when the work may start.
    fn refuse(&self, problem: &Problem, stop: &StopToken) -> Option<SolveResult> {
        if self.options.params.preordering_heuristics.is_empty() {
            return Some(Err(SolveError::Params("no preordering heuristic given".into())));
        }
        if self.options.workers.is_empty() {
            return Some(Err(SolveError::Params("the portfolio has no exact worker".into())));
        }
        crate::bounds::admit(problem, stop)
    }
}

/// Partitions with at least this many buffers try their greedy strategies
/// side by side. `[default: 256]` `[range: 1..]`: below it a strategy
/// takes microseconds, less than handing it to another thread.
const PARALLEL_GREEDY: usize = 256;

/// The solve's own threads, named for debuggers and profilers.
fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, SolveError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("minimalloc-{i}"))
        .build()
        .map_err(|e| SolveError::Params(format!("cannot start threads: {e}")))
}

/// A partition's winning offsets and the worker that won it.
type Win = (Vec<i64>, String);

/// Another route to a whole solution, which a solve takes at most once,
/// when its quick round (within its time limit, `reference_round::QUICK_ROUND_TIME`)
/// and greedy placements leave the problem open, unless the round was calm
/// (a search sailing towards a placement, none struggling:
/// `reference_round::Undecided::calm`): stacking, then coarsening
/// (`crate::detour`). It runs on a thread of its own beside the race (its
/// solves start their own threads), under a child of the solve's token,
/// which the solve cancels once the race has settled the problem; it
/// counts its work in counters of its own, which the solve adds to its
/// (with `decided_by` and the driver, when the detour settles it), and
/// returns a packing of the whole problem, which the solve validates like
/// its own and which stops the race. Nothing done before is lost: the
/// race carries on the quick round's paused searches.
pub(crate) type Detour<'d> = &'d (dyn Fn(&StopToken, &mut Stats) -> Option<Solution> + Sync);

/// What a caller gives a solve besides the problem: a model already built
/// for it (any capacity), placements already known for some partitions
/// (`known[p]`: the offsets of partition `p`'s buffers and their height;
/// those that fit are taken as they are), and a [`Detour`].
#[derive(Clone, Copy)]
struct Given<'g> {
    model: Option<&'g Model>,
    known: &'g [KnownPlacement],
    detour: Option<Detour<'g>>,
}

/// What every phase of one solve reads: the problem, its model, the
/// options, the searches' stop token and where events go.
struct Solve<'a> {
    problem: &'a Problem,
    model: &'a Model,
    opts: &'a SolveOptions,
    stop: &'a StopToken,
    emit: &'a (dyn Fn(EventKind, Option<&str>) + Sync),
}

/// The offsets of every buffer, filled in partition by partition as the
/// phases place them, and which partitions are placed.
struct Placements {
    offsets: Vec<i64>,
    solved: Vec<bool>,
    /// The partitions the quick round placed and the heuristic that placed
    /// each: wins for the race's worker that continues that heuristic's
    /// search (see [`race::Race::continues_quick_round`]).
    quick_winners: Vec<(usize, Heuristic)>,
}

impl Placements {
    /// Places partition `p`: `offsets` are its buffers', in its order.
    fn place(&mut self, model: &Model, p: usize, offsets: impl IntoIterator<Item = i64>) {
        for (&b, o) in model.partitions()[p].buffers.iter().zip(offsets) {
            self.offsets[b] = o;
        }
        self.solved[p] = true;
    }

    /// Partitions not placed yet.
    fn remaining(&self) -> usize {
        self.solved.iter().filter(|s| !**s).count()
    }
}

impl Solve<'_> {
    /// Counts the partitions, caps the threads at the searches the model
    /// affords, and announces the crew that will race (which it returns).
    fn start(&self, stats: &mut Stats) -> Vec<Worker> {
        let partitions = self.model.partitions().len();
        stats.partitions = partitions;
        stats.threads = stats.threads.min(self.model.affordable_searches());
        let crew = self.opts.crew(stats.threads);
        let workers = crew.iter().map(|w| w.name.clone()).collect();
        (self.emit)(EventKind::Started { buffers: self.problem.buffers.len(), partitions, workers }, None);
        crew
    }

    /// Phase 1: the placements known from elsewhere (earlier probes) that
    /// fit under the capacity; every other buffer at its fixed offset or 0
    /// until its partition is placed.
    fn known(&self, known: &[KnownPlacement]) -> Placements {
        let partitions = self.model.partitions().len();
        let offsets = self.problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
        let mut placed = Placements { offsets, solved: vec![false; partitions], quick_winners: Vec::new() };
        for (p, k) in known.iter().enumerate().take(partitions) {
            if let Some((offsets, height)) = k {
                if *height <= self.problem.capacity {
                    placed.place(self.model, p, offsets.iter().copied());
                }
            }
        }
        placed
    }

    /// Phase 3: the greedy strategies on each partition still open; the
    /// first in order that fits places it. On a partition of
    /// [`PARALLEL_GREEDY`] buffers or more they run side by side on the
    /// solve's threads (each reads every overlapping pair once, which on a
    /// dense partition takes as long as a thousand nodes of search).
    /// `Some` when the stop said to stop: how the solve ends.
    fn greedy(&self, pool: &rayon::ThreadPool, placed: &mut Placements, stats: &mut Stats) -> Option<Outcome> {
        let hints: Vec<Option<i64>> = self.problem.buffers.iter().map(|b| b.hint).collect();
        let strategies = &self.opts.greedy;
        for (p, part) in self.model.partitions().iter().enumerate() {
            if placed.solved[p] {
                continue;
            }
            let capacity = self.problem.capacity;
            let run =
                |g: &heuristics::Greedy| heuristics::place(self.model, &part.buffers, capacity, *g, &hints, self.stop);
            let side_by_side = part.buffers.len() >= PARALLEL_GREEDY && pool.current_num_threads() > 1;
            // (strategies tried, the first that fits and its offsets)
            let (tried, fit) = if side_by_side {
                let all: Vec<_> = pool.install(|| strategies.par_iter().map(run).collect());
                (strategies.len(), all.into_iter().enumerate().find_map(|(i, o)| o.map(|o| (i, o))))
            } else {
                let mut fit = None;
                let mut tried = 0;
                for (i, g) in strategies.iter().enumerate() {
                    tried += 1;
                    if let Some(o) = run(g) {
                        fit = Some((i, o));
                        break;
                    }
                }
                (tried, fit)
            };
            for g in &strategies[..tried] {
                stats.worker(&g.name()).attempts += 1;
            }
            if self.stop.should_stop() {
                return Some(self.stopped());
            }
            if let Some((i, offsets)) = fit {
                let name = strategies[i].name();
                placed.place(self.model, p, offsets);
                stats.worker(&name).wins += 1;
                stats.decided_by = Some(name.clone());
                let (buffers, remaining) = (part.buffers.len(), placed.remaining());
                (self.emit)(EventKind::PartitionSolved { partition: p, buffers, remaining }, Some(&name));
            }
        }
        None
    }

    /// Phase 5: the solution if the race left every partition placed, what
    /// the proof proves if it found the problem infeasible, else why it
    /// stopped.
    fn answer(&self, outcome: RaceOutcome, placed: Placements, stats: &Stats) -> Outcome {
        match outcome {
            RaceOutcome::Solved if placed.solved.iter().all(|&s| s) => {
                let solution = Solution::new(self.problem, placed.offsets);
                (self.emit)(EventKind::Solved { height: solution.height }, stats.decided_by.as_deref());
                Outcome::Solved(solution)
            }
            RaceOutcome::Infeasible => {
                (self.emit)(EventKind::Infeasible, stats.decided_by.as_deref());
                self.model.exhausted(self.problem.capacity)
            }
            _ => self.stopped(),
        }
    }

    /// Announces that the solve stopped early (time limit or cancellation)
    /// and returns how it ends.
    fn stopped(&self) -> Outcome {
        let outcome = Outcome::stopped(self.stop);
        (self.emit)(if outcome == Outcome::TimeLimit { EventKind::TimedOut } else { EventKind::Cancelled }, None);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::SolverParams;
    use crate::problem::Buffer;
    use crate::validate::validate;

    fn seed_problem() -> Problem {
        crate::problem::seed_example(12)
    }

    fn options(threads: usize, deterministic: bool) -> SolveOptions {
        let params = SolverParams { threads, deterministic, ..SolverParams::default() };
        SolveOptions::from_params(&params)
    }

    #[test]
    fn seed_example_gets_the_reference_answer() {
        for threads in [2, 3, 4] {
            let report = Portfolio::new(options(threads, false)).solve(&seed_problem(), &|_| {});
            assert_eq!(report.outcome.unwrap().into_solution().unwrap().offsets, vec![8, 8, 4, 4, 0]);
            assert_eq!(report.stats.decided_by.as_deref(), Some("reference"));
        }
    }

    #[test]
    fn the_race_solves_what_the_quick_round_does_not() {
        let mut opts = options(2, false);
        opts.tunables.quick_round = false;
        opts.greedy.clear();
        let p = seed_problem();
        let report = Portfolio::new(opts).solve(&p, &|_| {});
        validate(&p, report.outcome.unwrap().solution().unwrap()).unwrap();
    }

    #[test]
    fn infeasible_by_search() {
        let bufs = [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)];
        let p = Problem::new(
            bufs.iter().enumerate().map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s)).collect(),
            4,
        );
        for deterministic in [false, true] {
            let mut opts = options(2, deterministic);
            opts.tunables.quick_round = false;
            let report = Portfolio::new(opts).solve(&p, &|_| {});
            assert!(matches!(report.outcome, Ok(Outcome::Infeasible { reason: None, .. })), "{:?}", report.outcome);
        }
    }
}
