//! The parallel portfolio: several search workers race on a shared,
//! read-only model and share what they prove.
//!
//! 1. The coordinator refutes the capacity by bounds, sweeps once and builds
//!    the model every worker reads.
//! 2. A quick round of the reference's own round robin (node limit twice the
//!    number of buffers per heuristic, the heuristics side by side) settles
//!    easy instances with exactly the reference's answer. Partitions it
//!    places are kept, and its searches, paused where their budget ran out,
//!    are handed on to the race rather than thrown away. A heuristic lost
//!    on one partition goes on to the next with a budget of its own, so on
//!    instances made of independent parts every part is started.
//! 3. Greedy placements try each partition; they are instant and solve the
//!    partitions that have room to spare.
//! 4. The remaining partitions are raced, one (or, with more threads than
//!    workers, a few) at a time. Every worker (a preordering heuristic,
//!    technique switches, optionally seeded tie-breaking) gets a search of
//!    its own on the partition; the threads time-slice these searches, each
//!    thread repeatedly resuming the one that has run least. Searches pause
//!    and resume exactly where they were, so sharing threads wastes no work,
//!    and a worker whose heuristic is lost on one partition costs the others
//!    only their share. The first search to place a partition wins it and
//!    the rest stop at their next node; each partition can be won by a
//!    different heuristic, which the reference's one-heuristic-for-all round
//!    robin cannot do.
//! 5. Searches share a stop flag (timeouts, cancellation, and a proof of
//!    infeasibility from any exhausted search end everything at once) and
//!    nogoods: sub-problems proven infeasible, exchanged through a hub of
//!    bounded channels that nobody ever waits on.
//!
//! In deterministic mode the workers are fixed (independent of the thread
//! count), partitions go in order, every worker runs the same number of
//! nodes per step, the lowest worker that places the partition at a step
//! wins, and nogoods are merged between steps: the answer depends on the
//! input and seed alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::error::SolveError;
use crate::heuristics::{self, Fit, Greedy, GreedyOrder};
use crate::nogood::{KeySet, NogoodCache, NogoodHub};
use crate::params::{parse_heuristics, Heuristic, SolverParams};
use crate::problem::{Problem, Solution};
use crate::search::{Model, Search, Status};
use crate::stop::StopToken;

/// One exact search configuration: a preordering heuristic, the technique
/// switches, and whether ties are broken by a seeded random rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worker {
    /// Shown in progress lines and statistics.
    pub name: String,
    /// The static preordering.
    pub heuristic: Heuristic,
    /// Technique switches (only the nine switches are read).
    pub switches: SolverParams,
    /// Break preorder ties by a random rank drawn from the seed instead of
    /// by buffer index.
    pub seeded: bool,
}

impl Worker {
    /// A worker with the default switches.
    pub fn new(heuristic: &str, seeded: bool) -> Self {
        let heuristic = parse_heuristics(heuristic)
            .ok()
            .and_then(|h| h.into_iter().next())
            .unwrap_or_else(|| parse_heuristics(crate::params::DEFAULT_HEURISTICS).unwrap_or_default().remove(0));
        let name = if seeded { format!("{heuristic}~") } else { heuristic.to_string() };
        Worker { name, heuristic, switches: SolverParams::default(), seeded }
    }
}

/// How the portfolio runs; see the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortfolioOptions {
    /// Switches (for the quick round and as the default of workers), the
    /// reference heuristics of the quick round, the time limit, threads, seed
    /// and determinism.
    pub params: SolverParams,
    /// The exact workers, in priority order.
    pub workers: Vec<Worker>,
    /// Greedy strategies tried on each partition before the race.
    pub greedy: Vec<Greedy>,
    /// Share sub-problems proven infeasible between workers.
    pub nogoods: bool,
    /// Run the reference's first round robin round before anything else.
    pub quick_round: bool,
    /// Nodes a search runs before the live race's scheduler may switch its
    /// thread to another search (a time slice; searches pause, never restart).
    pub slice: i64,
    /// Nodes every worker runs per step in deterministic mode, between the
    /// points where the workers compare notes.
    pub step: i64,
}

impl PortfolioOptions {
    /// The default portfolio for `params`: the reference's three heuristics
    /// (TWA first: it alone solves most of the paper's hard instances),
    /// greedy best fit by size and by start, nogoods on.
    pub fn from_params(params: &SolverParams) -> Self {
        PortfolioOptions {
            params: params.clone(),
            workers: ["TWA", "TAW", "WAT"]
                .iter()
                .map(|h| Worker { switches: params.clone(), ..Worker::new(h, false) })
                .collect(),
            greedy: vec![
                Greedy { order: GreedyOrder::Size, fit: Fit::Best, hints: true },
                Greedy { order: GreedyOrder::Start, fit: Fit::Best, hints: true },
            ],
            nogoods: true,
            quick_round: true,
            slice: 256,
            step: 1024,
        }
    }
}

/// What happened, for progress lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// Preprocessing done.
    Started {
        /// Buffers.
        buffers: usize,
        /// Independent partitions.
        partitions: usize,
        /// The workers that will race on each partition, by name.
        workers: Vec<String>,
    },
    /// A partition was placed.
    PartitionSolved {
        /// Which one.
        partition: usize,
        /// Its buffers.
        buffers: usize,
        /// Partitions left.
        remaining: usize,
    },
    /// All partitions placed.
    Solved {
        /// The solution's height.
        height: i64,
    },
    /// A search was exhausted: no packing exists.
    Infeasible,
    /// The time limit passed.
    TimedOut,
    /// Stopped from outside.
    Cancelled,
}

/// A progress event: when, what, and which worker caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Since the solve started.
    pub elapsed: Duration,
    /// What happened.
    pub kind: EventKind,
    /// The worker responsible, if any.
    pub worker: Option<String>,
}

/// Per-worker counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerStats {
    /// The worker (or lane) name.
    pub name: String,
    /// Attempts started.
    pub attempts: u64,
    /// Search nodes.
    pub nodes: u64,
    /// Backtracks.
    pub backtracks: u64,
    /// Partitions won (or the whole instance, for the quick round).
    pub wins: u64,
}

/// Counters of a portfolio solve.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortfolioStats {
    /// Wall time.
    pub wall: Duration,
    /// Threads used.
    pub threads: usize,
    /// Independent partitions.
    pub partitions: usize,
    /// Per worker (the quick round and greedy strategies included).
    pub workers: Vec<WorkerStats>,
    /// Sub-problems proven infeasible and recorded.
    pub nogoods_proved: u64,
    /// Sub-problem searches skipped thanks to nogoods.
    pub nogood_hits: u64,
    /// The worker that settled the answer (the last partition's winner, or
    /// the one that proved infeasibility).
    pub decided_by: Option<String>,
}

impl PortfolioStats {
    /// Total nodes over all workers.
    pub fn nodes(&self) -> u64 {
        self.workers.iter().map(|w| w.nodes).sum()
    }

    /// Total backtracks over all workers.
    pub fn backtracks(&self) -> u64 {
        self.workers.iter().map(|w| w.backtracks).sum()
    }

    fn worker(&mut self, name: &str) -> &mut WorkerStats {
        if let Some(i) = self.workers.iter().position(|w| w.name == name) {
            return &mut self.workers[i];
        }
        self.workers.push(WorkerStats { name: name.to_string(), ..WorkerStats::default() });
        self.workers.last_mut().expect("just pushed")
    }
}

/// The result of a portfolio solve and its counters.
#[derive(Clone, Debug)]
pub struct Report {
    /// The solution, or why there is none.
    pub result: Result<Solution, SolveError>,
    /// Counters.
    pub stats: PortfolioStats,
}

/// A parallel portfolio solver; see the module docs.
#[derive(Debug)]
pub struct Portfolio {
    options: PortfolioOptions,
    cancel: Arc<AtomicBool>,
}

impl Portfolio {
    /// A portfolio with the given options.
    pub fn new(options: PortfolioOptions) -> Self {
        Portfolio::with_cancel(options, Arc::new(AtomicBool::new(false)))
    }

    /// A portfolio that stops when `cancel` is raised.
    pub fn with_cancel(options: PortfolioOptions, cancel: Arc<AtomicBool>) -> Self {
        Portfolio { options, cancel }
    }

    /// The options.
    pub fn options(&self) -> &PortfolioOptions {
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
        known: &[Option<(Vec<i64>, i64)>],
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
        known: &[Option<(Vec<i64>, i64)>],
        stop: &StopToken,
        events: &(dyn Fn(Event) + Sync),
    ) -> Report {
        let start = Instant::now();
        let mut stats = PortfolioStats { threads: self.options.params.thread_count().max(1), ..Default::default() };
        let searching = crate::validate::until_checked(stop, problem);
        let result = self
            .solve_inner(problem, model, known, &searching, events, &mut stats)
            .and_then(|s| crate::validate::checked(problem, s));
        stats.wall = start.elapsed();
        Report { result, stats }
    }

    fn solve_inner(
        &self,
        problem: &Problem,
        model: Option<&Model>,
        known: &[Option<(Vec<i64>, i64)>],
        caller: &StopToken,
        events: &(dyn Fn(Event) + Sync),
        stats: &mut PortfolioStats,
    ) -> Result<Solution, SolveError> {
        let start = Instant::now();
        let opts = &self.options;
        let params = &opts.params;
        problem.check()?;
        if params.preordering_heuristics.is_empty() {
            return Err(SolveError::Params("no preordering heuristic given".into()));
        }
        if opts.workers.is_empty() {
            return Err(SolveError::Params("the portfolio has no exact worker".into()));
        }
        if let Some(reason) = crate::bounds::refute(problem) {
            return Err(SolveError::Infeasible { capacity: problem.capacity, reason: Some(reason) });
        }
        // The searches' token: the race cancels it once it has its answer,
        // which stops them without touching the caller's.
        let run = caller.child();
        let stop = &run;
        let emit = |kind: EventKind, worker: Option<&str>| {
            events(Event { elapsed: start.elapsed(), kind, worker: worker.map(str::to_string) })
        };
        let built;
        let model = match model {
            Some(m) => m,
            None => {
                built = Model::build(problem, stop).ok_or_else(|| stop.reason())?;
                &built
            }
        };
        let num_parts = model.partitions().len();
        stats.partitions = num_parts;
        stats.threads = stats.threads.min(model.affordable_searches());
        let crew = self.crew(stats.threads);
        let names = crew.iter().map(|w| w.name.clone()).collect();
        emit(EventKind::Started { buffers: problem.buffers.len(), partitions: num_parts, workers: names }, None);

        let stopped = || {
            let why = stop.reason();
            emit(if why == SolveError::Timeout { EventKind::TimedOut } else { EventKind::Cancelled }, None);
            Err(why)
        };

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(stats.threads)
            .thread_name(|i| format!("minimalloc-{i}"))
            .build()
            .map_err(|e| SolveError::Params(format!("cannot start threads: {e}")))?;

        // 2. The reference's first round: easy instances get its exact answer.
        // Offsets of every buffer; partitions fill theirs in as they are won.
        let mut offsets: Vec<i64> = problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
        let mut solved = vec![false; num_parts];
        let mut paused = Vec::new();
        // Placements known from elsewhere (earlier probes) that fit.
        for (p, k) in known.iter().enumerate().take(num_parts) {
            if let Some((placed, height)) = k {
                if *height <= problem.capacity {
                    for (&b, &o) in model.partitions()[p].buffers.iter().zip(placed) {
                        offsets[b] = o;
                    }
                    solved[p] = true;
                }
            }
        }
        // The reference's answer matters only for a fresh problem.
        if opts.quick_round && !solved.iter().any(|&s| s) {
            let round = Round { pool: &pool, model, capacity: problem.capacity, params, stop };
            let (status, solution, left) = quick_round(&round, stats);
            match status {
                Status::Found => {
                    stats.decided_by = Some("reference".into());
                    let solution = Solution::new(problem, solution);
                    emit(EventKind::Solved { height: solution.height }, Some("reference"));
                    return Ok(solution);
                }
                Status::Infeasible => {
                    stats.decided_by = Some("reference".into());
                    emit(EventKind::Infeasible, Some("reference"));
                    return Err(model.exhausted(problem.capacity));
                }
                Status::Stopped => return stopped(),
                Status::NodeLimit => {}
            }
            // Partitions an attempt placed before its budget ran out are placed.
            for (p, win) in left.placed.into_iter().enumerate() {
                if let Some((placed, name)) = win {
                    for (&b, o) in model.partitions()[p].buffers.iter().zip(placed) {
                        offsets[b] = o;
                    }
                    solved[p] = true;
                    let remaining = solved.iter().filter(|s| !**s).count();
                    let buffers = model.partitions()[p].buffers.len();
                    emit(EventKind::PartitionSolved { partition: p, buffers, remaining }, Some(&name));
                }
            }
            paused = left.paused;
        }

        // 3. Greedy placements, partition by partition.
        let hints: Vec<Option<i64>> = problem.buffers.iter().map(|b| b.hint).collect();
        for (p, part) in model.partitions().iter().enumerate() {
            if solved[p] {
                continue;
            }
            for g in &opts.greedy {
                if stop.should_stop() {
                    return stopped();
                }
                let name = g.name();
                stats.worker(&name).attempts += 1;
                if let Some(placed) = heuristics::place(model, &part.buffers, problem.capacity, *g, &hints, stop) {
                    for (&b, o) in part.buffers.iter().zip(placed) {
                        offsets[b] = o;
                    }
                    solved[p] = true;
                    stats.worker(&name).wins += 1;
                    stats.decided_by = Some(name.clone());
                    let remaining = solved.iter().filter(|s| !**s).count();
                    emit(
                        EventKind::PartitionSolved { partition: p, buffers: part.buffers.len(), remaining },
                        Some(&name),
                    );
                    break;
                }
            }
        }

        // 4. The race.
        let stats_threads = stats.threads;
        let outcome = if solved.iter().all(|&s| s) {
            RaceOutcome::Solved
        } else {
            let flags: Vec<Arc<AtomicBool>> = solved.iter().map(|&s| Arc::new(AtomicBool::new(s))).collect();
            let race = Race {
                model,
                capacity: problem.capacity,
                opts,
                crew: &crew,
                stop,
                emit: &emit,
                solved: &flags,
                results: Mutex::new(vec![None; num_parts]),
                infeasible_by: Mutex::new(None),
                stats: Mutex::new(std::mem::take(stats)),
                paused: Mutex::new(paused),
            };
            let outcome =
                if params.deterministic { race.run_deterministic(&pool) } else { race.run_live(&pool, stats_threads) };
            *stats = race.stats.into_inner();
            for (p, r) in race.results.into_inner().into_iter().enumerate() {
                if let Some((placed, lane)) = r {
                    for (&b, o) in model.partitions()[p].buffers.iter().zip(placed) {
                        offsets[b] = o;
                    }
                    solved[p] = true;
                    stats.decided_by = Some(lane);
                }
            }
            if let Some(lane) = race.infeasible_by.into_inner() {
                stats.decided_by = Some(lane);
            }
            outcome
        };
        match outcome {
            RaceOutcome::Solved if solved.iter().all(|&s| s) => {
                let solution = Solution::new(problem, offsets);
                emit(EventKind::Solved { height: solution.height }, stats.decided_by.as_deref());
                Ok(solution)
            }
            RaceOutcome::Infeasible => {
                emit(EventKind::Infeasible, stats.decided_by.as_deref());
                Err(model.exhausted(problem.capacity))
            }
            _ => stopped(),
        }
    }

    /// The workers that race on each partition: the configured ones and, in
    /// live mode with more threads than workers, extra workers so that every
    /// thread has a search of its own: seeded variants of the configured
    /// ones (random tie-breaking) alternating with other heuristic families
    /// (CWA, AWT, LWA: on the paper's suite each places some instance the
    /// reference's three struggle with). Deterministic mode uses exactly the
    /// configured workers, whatever the thread count.
    fn crew(&self, threads: usize) -> Vec<Worker> {
        const FAMILIES: [&str; 3] = ["CWA", "AWT", "LWA"];
        let workers = &self.options.workers;
        let mut crew = workers.clone();
        if !self.options.params.deterministic {
            let base = workers[0].switches.clone();
            for extra in 0..threads.saturating_sub(workers.len()) {
                let round = extra / 2;
                let mut c = if extra % 2 == 0 {
                    let mut c = workers[round % workers.len()].clone();
                    c.seeded = true;
                    c
                } else {
                    let mut c = Worker::new(FAMILIES[round % FAMILIES.len()], round >= FAMILIES.len());
                    c.switches = base.clone();
                    c
                };
                c.name = format!("{}{}{}", c.heuristic, if c.seeded { "~" } else { "" }, extra + 1);
                crew.push(c);
            }
        }
        crew
    }
}

/// A partition's winning offsets and the worker that won it.
type Win = (Vec<i64>, String);

/// What both passes of the quick round work with.
#[derive(Clone, Copy)]
struct Round<'p, 'a> {
    pool: &'p rayon::ThreadPool,
    model: &'a Model,
    capacity: i64,
    params: &'p SolverParams,
    stop: &'a StopToken,
}

/// What the quick round leaves for the race: partitions some attempt placed
/// (with the offsets of their buffers) and searches paused mid-partition,
/// which the race adopts instead of starting the same searches afresh.
struct Leftovers<'a> {
    placed: Vec<Option<Win>>,
    paused: Vec<(usize, Heuristic, Search<'a>)>,
}

/// The reference's round robin for one round: every heuristic gets twice
/// the number of buffers in nodes, over all partitions in order, and the
/// first heuristic (in order) that places every partition or proves one
/// infeasible decides. The attempts are independent, so they run side by
/// side; one is cut short only once an earlier one has decided. Returns the
/// decision (`NodeLimit` if none), its offsets, and what the race can reuse.
///
/// One difference: the budget is shared out by partition (twice its
/// buffers, plus whatever earlier partitions left unspent), where the
/// reference lets one partition spend what later ones would need. With one
/// partition (and any number of trivial ones before it) that is the same
/// budget and the same answer; on an instance made of many parts, a
/// heuristic lost on one part no longer spends the whole instance's budget
/// there (16 copies of K in a row took 1.1 s in this round alone).
///
/// When nothing decides, a second pass gives each attempt that ran out of
/// budget a fresh search, with twice the partition's buffers in nodes, on
/// every later partition that no attempt placed: on instances made of
/// independent parts, a heuristic lost on one part would otherwise never
/// start the others, and the race would start them from nothing. It only
/// depends on the first pass's outcome, so it is as deterministic.
fn quick_round<'a>(round: &Round<'_, 'a>, stats: &mut PortfolioStats) -> (Status, Vec<i64>, Leftovers<'a>) {
    let Round { pool, model, capacity, params, stop } = *round;
    let heuristics = &params.preordering_heuristics;
    let parts = model.partitions();
    let cancel: Vec<Arc<AtomicBool>> = heuristics.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
    type Outcome<'a> = (Status, Search<'a>, usize, Vec<Option<Vec<i64>>>);
    let results: Vec<Mutex<Option<Outcome<'a>>>> = heuristics.iter().map(|_| Mutex::new(None)).collect();
    pool.scope(|s| {
        for (i, h) in heuristics.iter().enumerate() {
            let (cancel, results) = (&cancel, &results);
            s.spawn(move |_| {
                // A search costs time to set up (tens of ms on a dense
                // trace): none is started once the run is over.
                if stop.should_stop() {
                    return;
                }
                let mut search = Search::new(model, capacity, params, stop);
                search.set_cancel(Some(Arc::clone(&cancel[i])));
                search.set_keys(&h.0);
                let mut placed = vec![None; parts.len()];
                let mut status = Status::Found;
                let mut at = parts.len();
                // Budget not spent on earlier partitions carries over.
                let mut carried = 0i64;
                for (p, part) in parts.iter().enumerate() {
                    let budget = (part.buffers.len() as i64).saturating_mul(2).saturating_add(carried);
                    let before = search.nodes;
                    search.set_node_limit(budget);
                    search.start_partition(p);
                    status = search.resume();
                    if status != Status::Found {
                        at = p;
                        break;
                    }
                    carried = budget.saturating_sub(i64::try_from(search.nodes - before).unwrap_or(i64::MAX)).max(0);
                    placed[p] = Some(part.buffers.iter().map(|&b| search.solution()[b]).collect());
                }
                if matches!(status, Status::Found | Status::Infeasible) {
                    for c in &cancel[i + 1..] {
                        c.store(true, Ordering::SeqCst);
                    }
                }
                if status == Status::Stopped {
                    search.abandon();
                }
                search.set_cancel(None);
                *results[i].lock() = Some((status, search, at, placed));
            });
        }
    });
    let w = stats.worker("reference");
    let mut decision = (Status::NodeLimit, Vec::new());
    let mut left = Leftovers { placed: vec![None; parts.len()], paused: Vec::new() };
    // Where each attempt ran out of budget (for the second pass).
    let mut lost: Vec<(usize, usize)> = Vec::new();
    for (i, (r, h)) in results.into_iter().zip(heuristics).enumerate() {
        let Some((status, mut search, at, placed)) = r.into_inner() else { continue };
        if status == Status::NodeLimit {
            lost.push((i, at));
        }
        w.attempts += 1;
        w.nodes += search.nodes;
        w.backtracks += search.backtracks;
        search.nodes = 0;
        search.backtracks = 0;
        if decision.0 == Status::NodeLimit && status != Status::NodeLimit {
            w.wins += u64::from(status == Status::Found);
            decision = (status, if status == Status::Found { search.solution().to_vec() } else { Vec::new() });
        }
        for (p, offsets) in placed.into_iter().enumerate() {
            if left.placed[p].is_none() {
                left.placed[p] = offsets.map(|o| (o, format!("reference:{h}")));
            }
        }
        if status == Status::NodeLimit && search.in_progress() {
            left.paused.push((at, h.clone(), search));
        }
    }
    if decision.0 == Status::NodeLimit && stop.should_stop() {
        decision.0 = Status::Stopped;
    }
    if decision.0 == Status::NodeLimit {
        decision.0 = second_pass(round, &lost, &mut left, w);
    }
    (decision.0, decision.1, left)
}

/// The quick round's second pass (see [`quick_round`]): each attempt in
/// `lost` (heuristic index, partition where its budget ran out) searches
/// every later partition nobody placed, with a budget of twice its buffers.
/// Placements and paused searches go into `left`, in heuristic order.
/// Returns `Infeasible` if a search exhausted a partition, `Stopped` if the
/// solve was stopped, else `NodeLimit`.
fn second_pass<'a>(
    round: &Round<'_, 'a>,
    lost: &[(usize, usize)],
    left: &mut Leftovers<'a>,
    w: &mut WorkerStats,
) -> Status {
    let Round { pool, model, capacity, params, stop } = *round;
    let heuristics = &params.preordering_heuristics;
    let parts = model.partitions();
    let open: Vec<bool> = left.placed.iter().map(Option::is_none).collect();
    // Per attempt: (partition, status, search) for each partition it tried.
    type Tried<'a> = Vec<(usize, Status, Search<'a>)>;
    let results: Vec<Mutex<Tried<'a>>> = lost.iter().map(|_| Mutex::new(Vec::new())).collect();
    pool.scope(|s| {
        for (k, &(i, at)) in lost.iter().enumerate() {
            let (results, open) = (&results, &open);
            s.spawn(move |_| {
                for p in (at + 1..parts.len()).filter(|&p| open[p]) {
                    if stop.should_stop() {
                        break;
                    }
                    let mut search = Search::new(model, capacity, params, stop);
                    search.set_keys(&heuristics[i].0);
                    search.set_node_limit((parts[p].buffers.len() as i64).saturating_mul(2));
                    search.start_partition(p);
                    let status = search.resume();
                    let done = matches!(status, Status::Infeasible | Status::Stopped);
                    results[k].lock().push((p, status, search));
                    if done {
                        break;
                    }
                }
            });
        }
    });
    let mut outcome = Status::NodeLimit;
    for (&(i, _), tried) in lost.iter().zip(results) {
        let h = &heuristics[i];
        for (p, status, mut search) in tried.into_inner() {
            w.nodes += search.nodes;
            w.backtracks += search.backtracks;
            search.nodes = 0;
            search.backtracks = 0;
            match status {
                Status::Found if left.placed[p].is_none() => {
                    let placed = parts[p].buffers.iter().map(|&b| search.solution()[b]).collect();
                    left.placed[p] = Some((placed, format!("reference:{h}")));
                }
                Status::NodeLimit if search.in_progress() => left.paused.push((p, h.clone(), search)),
                Status::Infeasible => outcome = Status::Infeasible,
                Status::Stopped => {
                    search.abandon();
                    if outcome == Status::NodeLimit {
                        outcome = Status::Stopped;
                    }
                }
                _ => {}
            }
        }
    }
    outcome
}

enum RaceOutcome {
    Solved,
    Infeasible,
    Stopped,
}

/// One search of the race: worker `w` on partition `p`.
struct Task<'s> {
    /// Stable while the task list changes under other threads.
    id: u64,
    p: usize,
    w: usize,
    /// Its paused search; `None` before its first slice, and while a thread runs it.
    search: Option<Search<'s>>,
    running: bool,
    /// Time run so far (nanoseconds); the scheduler gives every task an
    /// equal share of the threads' time (node costs differ a lot between
    /// heuristics, so counting nodes would not be fair).
    spent: u64,
}

/// Shared state of the race.
struct Race<'a> {
    model: &'a Model,
    capacity: i64,
    opts: &'a PortfolioOptions,
    crew: &'a [Worker],
    /// The race's own token (a child of the caller's): raised once it has
    /// its answer.
    stop: &'a StopToken,
    emit: &'a (dyn Fn(EventKind, Option<&str>) + Sync),
    /// Raised when a partition is placed; its searches stop at their next node.
    solved: &'a [Arc<AtomicBool>],
    /// The winning offsets of each partition and the worker that won it.
    results: Mutex<Vec<Option<Win>>>,
    infeasible_by: Mutex<Option<String>>,
    stats: Mutex<PortfolioStats>,
    /// Quick-round searches paused mid-partition, for the matching worker to adopt.
    paused: Mutex<Vec<(usize, Heuristic, Search<'a>)>>,
}

/// The live race's schedule: open partitions and their tasks, and idle
/// search workers to reuse.
struct Schedule<'s> {
    tasks: Vec<Task<'s>>,
    /// The next partition to open (partitions open in order).
    next: usize,
    /// At most this many partitions have tasks at once.
    open_limit: usize,
    next_id: u64,
    /// Idle workers (a search allocates memory proportional to the
    /// problem, so they are recycled rather than made per task).
    idle: Vec<Search<'s>>,
    /// Links every search's nogood cache to the others'.
    hub: Arc<NogoodHub>,
}

/// Whether two parameter sets have the same nine technique switches.
fn same_switches(a: &SolverParams, b: &SolverParams) -> bool {
    crate::params::SWITCHES.iter().all(|name| a.switch(name) == b.switch(name))
}

/// A permutation of `0..n` drawn from `seed` (splitmix64 and Fisher-Yates).
fn random_rank(n: usize, seed: u64) -> Vec<u32> {
    let mut rng = crate::generate::Rng::new(seed);
    let mut rank: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        rank.swap(i, j);
    }
    rank
}

impl<'a> Race<'a> {
    fn remaining(&self) -> usize {
        self.solved.iter().filter(|s| !s.load(Ordering::SeqCst)).count()
    }

    fn timed_out(&self) -> bool {
        self.stop.expired()
    }

    fn new_search(&self, nogoods: Option<NogoodCache>) -> Search<'a> {
        let mut search = Search::new(self.model, self.capacity, &self.opts.params, self.stop);
        search.set_nogoods(nogoods);
        search
    }

    /// The quick-round search paused on partition `p` with worker `w`'s
    /// heuristic, if `w` is an unseeded worker with the quick round's
    /// switches: it is exactly the search `w` would start, some nodes in.
    fn adopt(&self, p: usize, w: usize) -> Option<Search<'a>> {
        let worker = &self.crew[w];
        if worker.seeded || !same_switches(&worker.switches, &self.opts.params) {
            return None;
        }
        let mut paused = self.paused.lock();
        let i = paused.iter().position(|(q, h, _)| *q == p && *h == worker.heuristic)?;
        let (_, _, mut search) = paused.swap_remove(i);
        search.set_cancel(Some(Arc::clone(&self.solved[p])));
        Some(search)
    }

    /// Sets `search` up as worker `w` and starts it on partition `p`.
    fn begin(&self, search: &mut Search<'a>, p: usize, w: usize) {
        let worker = &self.crew[w];
        search.set_switches(&worker.switches);
        search.set_keys(&worker.heuristic.0);
        search.set_rank(worker.seeded.then(|| {
            let seed = self.opts.params.seed ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            random_rank(self.model.num_buffers, seed)
        }));
        search.set_cancel(Some(Arc::clone(&self.solved[p])));
        search.start_partition(p);
    }

    fn account(&self, name: &str, search: &mut Search<'_>, attempts: u64, wins: u64) {
        let mut stats = self.stats.lock();
        let w = stats.worker(name);
        w.attempts += attempts;
        w.nodes += search.nodes;
        w.backtracks += search.backtracks;
        w.wins += wins;
        search.nodes = 0;
        search.backtracks = 0;
        if let Some(n) = search.nogoods_mut() {
            stats.nogood_hits += n.hits;
            stats.nogoods_proved += n.proved;
            n.hits = 0;
            n.proved = 0;
        }
    }

    /// Records that worker `w`'s search placed partition `p`, unless another
    /// got there first; returns whether it won.
    fn claim(&self, p: usize, w: usize, search: &Search<'_>) -> bool {
        if self.solved[p].compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst).is_err() {
            return false;
        }
        let placed = self.model.partitions()[p].buffers.iter().map(|&b| search.solution()[b]).collect();
        let name = &self.crew[w].name;
        self.results.lock()[p] = Some((placed, name.clone()));
        let buffers = self.model.partitions()[p].buffers.len();
        (self.emit)(EventKind::PartitionSolved { partition: p, buffers, remaining: self.remaining() }, Some(name));
        true
    }

    fn record_infeasible(&self, name: &str) {
        let mut by = self.infeasible_by.lock();
        if by.is_none() {
            *by = Some(name.to_string());
        }
        // The race's own token: the caller's stays as it was.
        self.stop.cancel();
    }

    fn outcome(&self) -> RaceOutcome {
        if self.infeasible_by.lock().is_some() {
            RaceOutcome::Infeasible
        } else if self.remaining() == 0 {
            RaceOutcome::Solved
        } else {
            RaceOutcome::Stopped
        }
    }

    /// The live race: every thread repeatedly takes the open task that has
    /// run least, runs a slice of it, and puts it back paused. No search is
    /// ever restarted, so time-sharing among workers and partitions wastes
    /// nothing; the first search to place a partition wins it and the
    /// partition's other searches stop at their next node.
    fn run_live(&self, pool: &rayon::ThreadPool, threads: usize) -> RaceOutcome {
        // Every worker races on the first open partition; more partitions
        // open only when the crew cannot keep every thread busy. A search
        // holds memory proportional to the problem, so this also bounds how
        // many exist at once.
        let open_limit = threads.max(1).div_ceil(self.crew.len()).max(1);
        let schedule = Mutex::new(Schedule {
            tasks: Vec::new(),
            next: 0,
            open_limit,
            next_id: 0,
            idle: Vec::new(),
            hub: NogoodHub::new(),
        });
        // Signalled whenever a thread puts a task back, retires one or
        // leaves: an idle thread waits for that instead of polling.
        let wake = Condvar::new();
        pool.scope(|s| {
            for _ in 0..threads.max(1) {
                s.spawn(|_| self.run_thread(&schedule, &wake));
            }
        });
        self.outcome()
    }

    /// Takes the next slice to run: the open, idle task that has run least
    /// (ties: the earlier worker), after retiring the tasks of
    /// placed partitions and opening new partitions up to the limit.
    fn next_task(&self, schedule: &mut Schedule<'a>) -> Option<(u64, usize, usize, Search<'a>)> {
        if self.stop.is_cancelled() || self.timed_out() {
            return None;
        }
        let Schedule { tasks, idle, .. } = schedule;
        tasks.retain_mut(|t| {
            if self.solved[t.p].load(Ordering::SeqCst) && !t.running {
                if let Some(mut search) = t.search.take() {
                    search.abandon();
                    search.set_cancel(None);
                    idle.push(search);
                }
                return false;
            }
            true
        });
        let open = |tasks: &Vec<Task<'a>>| {
            let mut ps: Vec<usize> = tasks.iter().map(|t| t.p).collect();
            ps.dedup();
            ps.len()
        };
        while open(&schedule.tasks) < schedule.open_limit && schedule.next < self.solved.len() {
            let p = schedule.next;
            schedule.next += 1;
            if !self.solved[p].load(Ordering::SeqCst) {
                for w in 0..self.crew.len() {
                    let id = schedule.next_id;
                    schedule.next_id += 1;
                    schedule.tasks.push(Task { id, p, w, search: None, running: false, spent: 0 });
                }
            }
        }
        let (i, _) = schedule
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.running && !self.solved[t.p].load(Ordering::SeqCst))
            .min_by_key(|(_, t)| (t.spent, t.w))?;
        let task = &mut schedule.tasks[i];
        task.running = true;
        let search = match task.search.take() {
            Some(search) => search,
            None => {
                let idle = schedule.idle.pop();
                match self.adopt(task.p, task.w) {
                    Some(mut adopted) => {
                        // Take over an idle worker's place among the nogood peers.
                        let cache = match idle {
                            Some(mut spare) => spare.take_nogoods(),
                            None => self.opts.nogoods.then(|| schedule.hub.join()),
                        };
                        adopted.set_nogoods(cache);
                        adopted
                    }
                    None => {
                        let mut search =
                            idle.unwrap_or_else(|| self.new_search(self.opts.nogoods.then(NogoodCache::new)));
                        self.begin(&mut search, task.p, task.w);
                        search
                    }
                }
            }
        };
        let (id, p, w) = (task.id, task.p, task.w);
        Some((id, p, w, search))
    }

    fn run_thread(&self, schedule: &Mutex<Schedule<'a>>, wake: &Condvar) {
        loop {
            let next = {
                let mut sched = schedule.lock();
                loop {
                    if let Some(task) = self.next_task(&mut sched) {
                        break Some(task);
                    }
                    // Wait for work only while other threads hold every open
                    // task: each of them signals when it gives its task back,
                    // and notices a stop or the deadline within a slice.
                    let busy = sched.tasks.iter().any(|t| t.running);
                    if busy && !self.stop.is_cancelled() && !self.timed_out() && self.remaining() > 0 {
                        wake.wait(&mut sched);
                        continue;
                    }
                    break None;
                }
            };
            let Some((id, p, w, mut search)) = next else {
                wake.notify_all();
                return;
            };
            search.set_node_limit(self.opts.slice.max(1));
            let began = Instant::now();
            let status = search.resume();
            let ran = began.elapsed().as_nanos() as u64;
            let name = self.crew[w].name.clone();
            let mut sched = schedule.lock();
            let Some(i) = sched.tasks.iter().position(|t| t.id == id) else {
                wake.notify_all();
                return;
            };
            if status == Status::NodeLimit {
                self.account(&name, &mut search, 0, 0);
                let task = &mut sched.tasks[i];
                task.spent += ran;
                task.running = false;
                task.search = Some(search);
                drop(sched);
                wake.notify_all();
                continue;
            }
            let won = status == Status::Found && self.claim(p, w, &search);
            if status == Status::Infeasible {
                self.record_infeasible(&name);
            }
            if search.in_progress() {
                search.abandon();
            }
            search.set_cancel(None);
            self.account(&name, &mut search, 1, u64::from(won));
            sched.idle.push(search);
            sched.tasks.remove(i);
            drop(sched);
            wake.notify_all();
        }
    }

    /// Deterministic mode: partitions in order; within one, every worker's
    /// search runs the same number of nodes per step, in parallel, and the
    /// lowest worker that places the partition at a step wins. Nogoods pass
    /// between workers only at step boundaries. Nothing depends on timing.
    fn run_deterministic(&self, pool: &rayon::ThreadPool) -> RaceOutcome {
        // cancel[w] is raised once a worker before w has placed the partition this step.
        let cancel: Vec<Arc<AtomicBool>> = self.crew.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
        let mut searches: Vec<Search<'_>> =
            self.crew.iter().map(|_| self.new_search(self.opts.nogoods.then(NogoodCache::new))).collect();
        for p in 0..self.solved.len() {
            if self.solved[p].load(Ordering::SeqCst) {
                continue;
            }
            for (w, search) in searches.iter_mut().enumerate() {
                match self.adopt(p, w) {
                    Some(mut adopted) => {
                        adopted.set_nogoods(search.take_nogoods());
                        *search = adopted;
                    }
                    None => self.begin(search, p, w),
                }
                search.set_cancel(Some(Arc::clone(&cancel[w])));
            }
            let mut frozen = Arc::new(KeySet::default());
            // Steps are short: searches pause rather than restart, so a step
            // only sets how often the workers compare notes.
            let step_nodes = self.opts.step.max(1);
            let decided = loop {
                if self.stop.is_cancelled() || self.timed_out() {
                    break None;
                }
                for c in &cancel {
                    c.store(false, Ordering::SeqCst);
                }
                let statuses: Vec<Mutex<Option<Status>>> = self.crew.iter().map(|_| Mutex::new(None)).collect();
                pool.scope(|s| {
                    for (w, search) in searches.iter_mut().enumerate() {
                        let (cancel, statuses, frozen) = (&cancel, &statuses, &frozen);
                        s.spawn(move |_| {
                            if let Some(n) = search.nogoods_mut() {
                                n.begin_step(Arc::clone(frozen));
                            }
                            search.set_node_limit(step_nodes);
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
                let statuses: Vec<Option<Status>> = statuses.into_iter().map(Mutex::into_inner).collect();
                // Every worker before the lowest finder ran its full step, so
                // the lowest finder is the same whatever the timing.
                if let Some(w) = statuses.iter().position(|s| *s == Some(Status::Found)) {
                    break Some((w, Status::Found));
                }
                if let Some(w) = statuses.iter().position(|s| *s == Some(Status::Infeasible)) {
                    break Some((w, Status::Infeasible));
                }
                if statuses.contains(&Some(Status::Stopped)) {
                    break None;
                }
                // Merge this step's nogoods, in worker order, for the next step.
                let mut merged = (*frozen).clone();
                for search in searches.iter_mut() {
                    if let Some(n) = search.nogoods_mut() {
                        merged.extend(n.take_new());
                    }
                }
                frozen = Arc::new(merged);
            };
            for (w, search) in searches.iter_mut().enumerate() {
                let won = matches!(decided, Some((winner, Status::Found)) if winner == w);
                if won {
                    self.claim(p, w, search);
                }
                if search.in_progress() {
                    search.abandon();
                }
                search.set_cancel(None);
                self.account(&self.crew[w].name, search, 1, u64::from(won));
            }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Buffer;
    use crate::validate::validate;

    fn seed_problem() -> Problem {
        Problem::new(
            vec![
                Buffer::new("b1", 0, 3, 4),
                Buffer::new("b2", 3, 9, 4),
                Buffer::new("b3", 0, 9, 4),
                Buffer::new("b4", 9, 21, 4),
                Buffer::new("b5", 0, 21, 4),
            ],
            12,
        )
    }

    fn options(threads: usize, deterministic: bool) -> PortfolioOptions {
        let params = SolverParams { threads, deterministic, ..SolverParams::default() };
        PortfolioOptions::from_params(&params)
    }

    #[test]
    fn seed_example_gets_the_reference_answer() {
        for threads in [2, 3, 4] {
            let report = Portfolio::new(options(threads, false)).solve(&seed_problem(), &|_| {});
            assert_eq!(report.result.unwrap().offsets, vec![8, 8, 4, 4, 0]);
            assert_eq!(report.stats.decided_by.as_deref(), Some("reference"));
        }
    }

    #[test]
    fn the_race_solves_what_the_quick_round_does_not() {
        let mut opts = options(2, false);
        opts.quick_round = false;
        opts.greedy.clear();
        let p = seed_problem();
        let report = Portfolio::new(opts).solve(&p, &|_| {});
        validate(&p, &report.result.unwrap()).unwrap();
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
            opts.quick_round = false;
            let report = Portfolio::new(opts).solve(&p, &|_| {});
            assert!(matches!(report.result, Err(SolveError::Infeasible { reason: None, .. })), "{:?}", report.result);
        }
    }

    #[test]
    fn the_crew_follows_the_thread_count() {
        let crew = |t, d| Portfolio::new(options(t, d)).crew(t).into_iter().map(|w| w.name).collect::<Vec<_>>();
        assert_eq!(crew(2, false), vec!["TWA", "TAW", "WAT"]);
        assert_eq!(crew(6, false), vec!["TWA", "TAW", "WAT", "TWA~1", "CWA2", "TAW~3"]);
        assert_eq!(crew(5, true), vec!["TWA", "TAW", "WAT"]);
    }

    #[test]
    fn random_rank_is_a_permutation() {
        let mut r = random_rank(100, 7);
        assert_ne!(r, (0..100).collect::<Vec<u32>>());
        r.sort();
        assert_eq!(r, (0..100).collect::<Vec<u32>>());
    }
}
