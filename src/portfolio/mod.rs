//! The parallel portfolio: several search workers race on a shared,
//! read-only model and share what they prove.
//!
//! 1. The coordinator refutes the capacity by bounds, sweeps once and builds
//!    the model every worker reads.
//! 2. A quick round of the reference's own round robin (node limit twice the
//!    number of buffers per heuristic, the heuristics side by side) settles
//!    easy instances with exactly the reference's answer.
//! 3. Greedy placements try each partition; they are instant and solve the
//!    partitions that have room to spare.
//! 4. The remaining partitions are raced. Each *lane* (one per thread) owns a
//!    search worker and a schedule of exact configurations (preordering
//!    heuristic, technique switches, tie-breaking seed) tried in round robin
//!    with doubling node limits (a lane with a single configuration searches
//!    without a limit, since a restart would only repeat it). A lane takes the unsolved partition with the
//!    fewest lanes on it, so easy partitions spread out and hard ones gather
//!    every lane; the first lane to place a partition wins it and the others
//!    move on at once. Each partition can be won by a different heuristic,
//!    which the reference's one-heuristic-for-all round robin cannot do.
//! 5. Lanes share a stop flag (timeouts, cancellation, and a proof of
//!    infeasibility from any exhausted search end everything at once) and
//!    nogoods: sub-problems proven infeasible, exchanged over channels.
//!
//! In deterministic mode the lanes are fixed (independent of the thread
//! count), every attempt is node-limited, lanes advance in lock-step per
//! partition, the lowest lane that succeeds at a step wins, and nogoods are
//! merged between steps: the answer depends on the input and seed alone.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::unbounded;
use parking_lot::Mutex;

use crate::bounds::LowerBounds;
use crate::error::SolveError;
use crate::heuristics::{self, Fit, Greedy, GreedyOrder};
use crate::nogood::{KeySet, NogoodCache};
use crate::params::{parse_heuristics, Heuristic, SolverParams};
use crate::problem::{Problem, Solution};
use crate::search::{Model, Search, Status};
use crate::sweep::sweep;

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
    /// Break preorder ties by a random rank drawn from the seed, anew on
    /// every restart, instead of by buffer index.
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
    /// The first node limit of an attempt, per buffer of the partition.
    pub restart_base: i64,
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
            restart_base: 128,
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
        /// The lanes that will race, by name.
        lanes: Vec<String>,
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

/// One lane's schedule: the configurations it cycles through.
#[derive(Clone, Debug)]
struct Lane {
    name: String,
    configs: Vec<Worker>,
    /// Distinguishes seeded lanes that share configurations.
    salt: u64,
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
        let start = Instant::now();
        let mut stats = PortfolioStats { threads: self.options.params.thread_count().max(1), ..Default::default() };
        let result = self.solve_inner(problem, start, events, &mut stats);
        stats.wall = start.elapsed();
        Report { result, stats }
    }

    fn solve_inner(
        &self,
        problem: &Problem,
        start: Instant,
        events: &(dyn Fn(Event) + Sync),
        stats: &mut PortfolioStats,
    ) -> Result<Solution, SolveError> {
        let opts = &self.options;
        let params = &opts.params;
        problem.check()?;
        if params.preordering_heuristics.is_empty() {
            return Err(SolveError::Params("no preordering heuristic given".into()));
        }
        if opts.workers.is_empty() {
            return Err(SolveError::Params("the portfolio has no exact worker".into()));
        }
        if let Some(reason) = LowerBounds::of(problem).refute(problem.capacity) {
            return Err(SolveError::Infeasible { capacity: problem.capacity, reason: Some(reason) });
        }
        let deadline = params.timeout.and_then(|t| start.checked_add(t));
        let emit = |kind: EventKind, worker: Option<&str>| {
            events(Event { elapsed: start.elapsed(), kind, worker: worker.map(str::to_string) })
        };
        let stop: &AtomicBool = &self.cancel;
        let model = Model::new(problem, &sweep(problem));
        let num_parts = model.partitions().len();
        stats.partitions = num_parts;
        let lanes = self.lanes(stats.threads);
        let lane_names = lanes.iter().map(|l| l.name.clone()).collect();
        emit(EventKind::Started { buffers: problem.buffers.len(), partitions: num_parts, lanes: lane_names }, None);

        let stopped = || {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                emit(EventKind::TimedOut, None);
                Err(SolveError::Timeout)
            } else {
                emit(EventKind::Cancelled, None);
                Err(SolveError::Cancelled)
            }
        };

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(stats.threads)
            .thread_name(|i| format!("minimalloc-{i}"))
            .build()
            .map_err(|e| SolveError::Params(format!("cannot start threads: {e}")))?;

        // 2. The reference's first round: easy instances get its exact answer.
        if opts.quick_round {
            let (status, solution) = quick_round(&pool, &model, problem.capacity, params, stop, deadline, stats);
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
                    return Err(SolveError::Infeasible { capacity: problem.capacity, reason: None });
                }
                Status::Stopped => return stopped(),
                Status::NodeLimit => {}
            }
        }

        // Offsets of every buffer; partitions fill theirs in as they are won.
        let mut offsets: Vec<i64> = problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
        let mut solved = vec![false; num_parts];

        // 3. Greedy placements, partition by partition.
        let hints: Vec<Option<i64>> = problem.buffers.iter().map(|b| b.hint).collect();
        for (p, part) in model.partitions().iter().enumerate() {
            for g in &opts.greedy {
                if stop.load(Ordering::Relaxed) {
                    return stopped();
                }
                let name = g.name();
                stats.worker(&name).attempts += 1;
                if let Some(placed) = heuristics::place(&model, &part.buffers, problem.capacity, *g, &hints, stop) {
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
        let outcome = if solved.iter().all(|&s| s) {
            RaceOutcome::Solved
        } else {
            let race = Race {
                model: &model,
                capacity: problem.capacity,
                opts,
                stop,
                deadline,
                emit: &emit,
                parts: model.partitions().iter().enumerate().map(|(p, _)| PartState::new(solved[p])).collect(),
                results: Mutex::new(vec![None; num_parts]),
                infeasible_by: Mutex::new(None),
                stats: Mutex::new(std::mem::take(stats)),
                pick: Mutex::new(()),
            };
            let outcome =
                if params.deterministic { race.run_deterministic(&pool, &lanes) } else { race.run_live(&pool, &lanes) };
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
                Err(SolveError::Infeasible { capacity: problem.capacity, reason: None })
            }
            _ => stopped(),
        }
    }

    /// The lanes for `threads` threads. Deterministic mode: one lane per
    /// worker, whatever the thread count. Otherwise one lane per thread:
    /// with fewer threads than workers, consecutive workers share a lane
    /// (taking turns); with more, the extra lanes run seeded variants.
    fn lanes(&self, threads: usize) -> Vec<Lane> {
        let workers = &self.options.workers;
        let w = workers.len();
        let single =
            |i: usize| Lane { name: workers[i].name.clone(), configs: vec![workers[i].clone()], salt: i as u64 };
        if self.options.params.deterministic || threads == w {
            return (0..w).map(single).collect();
        }
        if threads < w {
            return (0..threads)
                .map(|t| {
                    let configs: Vec<Worker> = workers[t * w / threads..(t + 1) * w / threads].to_vec();
                    let name = configs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join("+");
                    Lane { name, configs, salt: t as u64 }
                })
                .collect();
        }
        let mut lanes: Vec<Lane> = (0..w).map(single).collect();
        for extra in 0..threads - w {
            let mut c = workers[extra % w].clone();
            c.seeded = true;
            c.name = format!("{}~{}", c.heuristic, extra / w + 1);
            lanes.push(Lane { name: c.name.clone(), configs: vec![c], salt: (w + extra) as u64 });
        }
        lanes
    }
}

/// How one quick-round attempt ended.
struct Attempt {
    status: Status,
    solution: Vec<i64>,
    nodes: u64,
    backtracks: u64,
}

/// A partition's winning offsets and the worker that won it.
type Win = (Vec<i64>, String);

/// The reference's round robin for one round: every heuristic gets twice
/// the number of buffers in nodes, over all partitions, and the first one
/// (in order) that decides wins. The attempts are independent, so they run
/// side by side; an attempt is cut short only once an earlier one has
/// decided, which keeps the answer the reference's. Returns the deciding
/// status (`NodeLimit` if none decided) and its offsets.
fn quick_round(
    pool: &rayon::ThreadPool,
    model: &Model,
    capacity: i64,
    params: &SolverParams,
    stop: &AtomicBool,
    deadline: Option<Instant>,
    stats: &mut PortfolioStats,
) -> (Status, Vec<i64>) {
    let limit = (model.num_buffers as i64).saturating_mul(2);
    let heuristics = &params.preordering_heuristics;
    let cancel: Vec<AtomicBool> = heuristics.iter().map(|_| AtomicBool::new(false)).collect();
    let results: Vec<Mutex<Option<Attempt>>> = heuristics.iter().map(|_| Mutex::new(None)).collect();
    pool.scope(|s| {
        for (i, h) in heuristics.iter().enumerate() {
            let (cancel, results) = (&cancel, &results);
            s.spawn(move |_| {
                let mut search = Search::new(model, capacity, params, stop);
                search.set_deadline(deadline);
                search.set_cancel(Some(&cancel[i]));
                search.set_keys(&h.0);
                search.set_node_limit(limit);
                let mut status = Status::Found;
                for p in 0..model.partitions().len() {
                    status = search.solve_partition(p);
                    if status != Status::Found {
                        break;
                    }
                }
                if matches!(status, Status::Found | Status::Infeasible) {
                    for c in &cancel[i + 1..] {
                        c.store(true, Ordering::SeqCst);
                    }
                }
                let solution = if status == Status::Found { search.solution().to_vec() } else { Vec::new() };
                *results[i].lock() =
                    Some(Attempt { status, solution, nodes: search.nodes, backtracks: search.backtracks });
            });
        }
    });
    let w = stats.worker("reference");
    let mut decision = (Status::NodeLimit, Vec::new());
    for r in results {
        let Some(Attempt { status, solution, nodes, backtracks }) = r.into_inner() else { continue };
        w.attempts += 1;
        w.nodes += nodes;
        w.backtracks += backtracks;
        if decision.0 == Status::NodeLimit && status != Status::NodeLimit {
            w.wins += u64::from(status == Status::Found);
            decision = (status, solution);
        }
    }
    decision
}

enum RaceOutcome {
    Solved,
    Infeasible,
    Stopped,
}

struct PartState {
    solved: AtomicBool,
    lanes_on: AtomicUsize,
}

impl PartState {
    fn new(solved: bool) -> Self {
        PartState { solved: AtomicBool::new(solved), lanes_on: AtomicUsize::new(0) }
    }
}

/// Shared state of the race.
struct Race<'a> {
    model: &'a Model,
    capacity: i64,
    opts: &'a PortfolioOptions,
    stop: &'a AtomicBool,
    deadline: Option<Instant>,
    emit: &'a (dyn Fn(EventKind, Option<&str>) + Sync),
    parts: Vec<PartState>,
    /// The winning offsets of each partition and the lane that won it.
    results: Mutex<Vec<Option<Win>>>,
    infeasible_by: Mutex<Option<String>>,
    stats: Mutex<PortfolioStats>,
    pick: Mutex<()>,
}

/// A permutation of `0..n` drawn from `seed` (splitmix64 and Fisher-Yates).
fn random_rank(n: usize, seed: u64) -> Vec<u32> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut rank: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        rank.swap(i, j);
    }
    rank
}

impl Race<'_> {
    fn remaining(&self) -> usize {
        self.parts.iter().filter(|p| !p.solved.load(Ordering::SeqCst)).count()
    }

    /// Prepares attempt `k` of `lane` on partition `p` and returns its name.
    fn configure<'s>(&self, search: &mut Search<'s>, lane: &Lane, p: usize, k: usize, limited: bool) -> String {
        let c = &lane.configs[k % lane.configs.len()];
        let round = (k / lane.configs.len()) as u32;
        search.set_switches(&c.switches);
        search.set_keys(&c.heuristic.0);
        search.set_rank(c.seeded.then(|| {
            let seed = self.opts.params.seed ^ lane.salt.wrapping_mul(0x1234_5678_9ABC_DEF1) ^ u64::from(round) << 32;
            random_rank(self.model.num_buffers, seed)
        }));
        let size = self.model.partitions()[p].buffers.len() as i64;
        let limit = if limited {
            self.opts.restart_base.max(1).saturating_mul(size.max(1)).saturating_mul(1i64 << round.min(40))
        } else {
            i64::MAX
        };
        search.set_node_limit(limit);
        c.name.clone()
    }

    fn new_search<'s>(&'s self, nogoods: Option<NogoodCache>) -> Search<'s> {
        let mut search = Search::new(self.model, self.capacity, &self.opts.params, self.stop);
        search.set_deadline(self.deadline);
        search.set_nogoods(nogoods);
        search
    }

    fn account(&self, lane: &str, search: &mut Search<'_>, attempts: u64, wins: u64) {
        let mut stats = self.stats.lock();
        let w = stats.worker(lane);
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

    fn record_win(&self, p: usize, placed: Vec<i64>, lane: &str) {
        self.results.lock()[p] = Some((placed, lane.to_string()));
        let buffers = self.model.partitions()[p].buffers.len();
        (self.emit)(EventKind::PartitionSolved { partition: p, buffers, remaining: self.remaining() }, Some(lane));
    }

    fn record_infeasible(&self, lane: &str) {
        let mut by = self.infeasible_by.lock();
        if by.is_none() {
            *by = Some(lane.to_string());
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    /// The unsolved partition with the fewest lanes on it (lowest index on ties).
    fn pick(&self) -> Option<usize> {
        let _guard = self.pick.lock();
        if self.stop.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        let p = (0..self.parts.len())
            .filter(|&p| !self.parts[p].solved.load(Ordering::SeqCst))
            .min_by_key(|&p| self.parts[p].lanes_on.load(Ordering::SeqCst))?;
        self.parts[p].lanes_on.fetch_add(1, Ordering::SeqCst);
        Some(p)
    }

    fn run_live(&self, pool: &rayon::ThreadPool, lanes: &[Lane]) -> RaceOutcome {
        let channels: Vec<_> = lanes.iter().map(|_| unbounded()).collect();
        let mut inboxes: Vec<_> = channels.iter().map(|(_, rx)| Some(rx.clone())).collect();
        pool.scope(|s| {
            for (i, lane) in lanes.iter().enumerate() {
                let nogoods = if self.opts.nogoods {
                    let peers =
                        channels.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, (tx, _))| tx.clone()).collect();
                    inboxes[i].take().map(|rx| NogoodCache::linked(rx, peers))
                } else {
                    None
                };
                s.spawn(move |_| self.run_lane(lane, nogoods));
            }
        });
        self.outcome()
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

    /// One lane of the live race: take a partition, run attempts on it until
    /// someone places it, repeat.
    fn run_lane(&self, lane: &Lane, nogoods: Option<NogoodCache>) {
        let mut search = self.new_search(nogoods);
        // A lane with one unseeded configuration would only repeat itself
        // on restarts, so it searches without a node limit.
        let limited = lane.configs.len() > 1 || lane.configs.iter().any(|c| c.seeded);
        while let Some(p) = self.pick() {
            let state = &self.parts[p];
            search.set_cancel(Some(&state.solved));
            let mut k = 0;
            loop {
                if state.solved.load(Ordering::SeqCst) {
                    break;
                }
                let name = self.configure(&mut search, lane, p, k, limited);
                let status = search.solve_partition(p);
                match status {
                    Status::Found => {
                        let won =
                            state.solved.compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst).is_ok();
                        self.account(&name, &mut search, 1, u64::from(won));
                        if won {
                            let placed =
                                self.model.partitions()[p].buffers.iter().map(|&b| search.solution()[b]).collect();
                            self.record_win(p, placed, &name);
                        }
                        break;
                    }
                    Status::Infeasible => {
                        self.account(&name, &mut search, 1, 0);
                        self.record_infeasible(&name);
                        break;
                    }
                    Status::NodeLimit => {
                        self.account(&name, &mut search, 1, 0);
                        k += 1;
                    }
                    Status::Stopped => {
                        self.account(&name, &mut search, 1, 0);
                        break;
                    }
                }
            }
            search.set_cancel(None);
            state.lanes_on.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Deterministic mode: partitions in order, lanes in lock-step.
    fn run_deterministic(&self, pool: &rayon::ThreadPool, lanes: &[Lane]) -> RaceOutcome {
        // cancel[j] is raised once a lane before j has placed the partition at this step.
        let cancel: Vec<AtomicBool> = lanes.iter().map(|_| AtomicBool::new(false)).collect();
        let mut searches: Vec<Search<'_>> =
            lanes.iter().map(|_| self.new_search(self.opts.nogoods.then(NogoodCache::new))).collect();
        for p in 0..self.parts.len() {
            if self.parts[p].solved.load(Ordering::SeqCst) {
                continue;
            }
            let mut frozen = Arc::new(KeySet::default());
            for step in 0.. {
                if self.stop.load(Ordering::SeqCst) || self.deadline.is_some_and(|d| Instant::now() >= d) {
                    return self.outcome();
                }
                for c in &cancel {
                    c.store(false, Ordering::SeqCst);
                }
                let statuses: Vec<Mutex<Option<(Status, String)>>> = lanes.iter().map(|_| Mutex::new(None)).collect();
                pool.scope(|s| {
                    for (j, search) in searches.iter_mut().enumerate() {
                        let (lane, cancel, statuses, frozen) = (&lanes[j], &cancel, &statuses, &frozen);
                        s.spawn(move |_| {
                            if let Some(n) = search.nogoods_mut() {
                                n.begin_step(Arc::clone(frozen));
                            }
                            search.set_cancel(Some(&cancel[j]));
                            let name = self.configure(search, lane, p, step, true);
                            let status = search.solve_partition(p);
                            search.set_cancel(None);
                            if status == Status::Found {
                                for c in &cancel[j + 1..] {
                                    c.store(true, Ordering::SeqCst);
                                }
                            }
                            *statuses[j].lock() = Some((status, name));
                        });
                    }
                });
                let statuses: Vec<Option<(Status, String)>> = statuses.into_iter().map(Mutex::into_inner).collect();
                let winner = statuses.iter().position(|s| matches!(s, Some((Status::Found, _))));
                for (j, s) in statuses.iter().enumerate() {
                    if let Some((_, name)) = s {
                        let won = u64::from(winner == Some(j));
                        self.account(name, &mut searches[j], 1, won);
                    }
                }
                if let Some(j) = winner {
                    // Every lane before j ran its full attempt and failed, so j is
                    // the lowest lane that succeeds at this step, whatever the timing.
                    let name = statuses[j].as_ref().map(|s| s.1.clone()).unwrap_or_default();
                    let placed =
                        self.model.partitions()[p].buffers.iter().map(|&b| searches[j].solution()[b]).collect();
                    self.parts[p].solved.store(true, Ordering::SeqCst);
                    self.record_win(p, placed, &name);
                    break;
                }
                if let Some((_, name)) = statuses.iter().flatten().find(|(s, _)| *s == Status::Infeasible) {
                    self.record_infeasible(name);
                    return RaceOutcome::Infeasible;
                }
                if statuses.iter().flatten().any(|(s, _)| *s == Status::Stopped) {
                    return self.outcome();
                }
                // Merge this step's nogoods, in lane order, for the next step.
                let mut merged = (*frozen).clone();
                for search in searches.iter_mut() {
                    if let Some(n) = search.nogoods_mut() {
                        merged.extend(n.take_new());
                    }
                }
                frozen = Arc::new(merged);
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
    fn lanes_follow_the_thread_count() {
        let lanes = |t| Portfolio::new(options(t, false)).lanes(t).into_iter().map(|l| l.name).collect::<Vec<_>>();
        assert_eq!(lanes(2), vec!["TWA", "TAW+WAT"]);
        assert_eq!(lanes(3), vec!["TWA", "TAW", "WAT"]);
        assert_eq!(lanes(5), vec!["TWA", "TAW", "WAT", "TWA~1", "TAW~1"]);
        let det = Portfolio::new(options(5, true)).lanes(5).into_iter().map(|l| l.name).collect::<Vec<_>>();
        assert_eq!(det, vec!["TWA", "TAW", "WAT"]);
    }

    #[test]
    fn random_rank_is_a_permutation() {
        let mut r = random_rank(100, 7);
        assert_ne!(r, (0..100).collect::<Vec<u32>>());
        r.sort();
        assert_eq!(r, (0..100).collect::<Vec<u32>>());
    }
}
