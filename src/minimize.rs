//! Minimizing the capacity: the smallest capacity a packing fits in, with a
//! proof, or the best found and an honest gap.
//!
//! 1. Lower bounds first, without search: the largest load at any moment
//!    (gaps and windows respected), the largest buffer, the top of every
//!    fixed buffer.
//! 2. An incumbent: a solve at the given capacity, or greedy best fit when
//!    none is given. Where the buffer list is programs side by side in
//!    order (a border between parts that share few event times, see
//!    `crate::stacking::border`), each part is minimized alone, within its
//!    share of the time, and the parts' packings stacked: the bisection's
//!    probes seldom ask a capacity where each part fits the room it gets.
//!    The parts stop as soon as those packed and the rest's load bounds
//!    add up to the incumbent's height (no stacking of them can beat it).
//!    Then a coarse problem (buffers glued where one takes over from
//!    another of its size or two share a lifespan, `crate::coarsen`) is
//!    solved at the lower bound and by bisection above it, each solve
//!    short, and its lowest packing, expanded, is kept if lower: its
//!    packings are the problem's, it has the same lower bound and a
//!    fraction of the buffers. Each solve has a coarse problem glued with
//!    a seed of its own; where a seed glues one already made, the one
//!    glued further with padding within the lower bound is solved instead
//!    (with `coarse_padding`, `crate::coarsen::varied`).
//! 3. An optimistic probe at the lower bound with every thread: on the
//!    paper's instances the optimum usually *is* the load bound, and then the
//!    answer is proven at once. A refutation raises the bound by one and the
//!    next bound is tried. The probe gets a larger share of the time where
//!    the problem is full at the bound (nearly every moment reaches it: a
//!    packing without slack, if any), since there the descent's probes,
//!    with room everywhere, cannot use point filling's branching.
//! 4. Otherwise, a descent from the incumbent with several probes running
//!    at once on split threads, each under a time budget, at capacities one
//!    and two steps below the incumbent. Every result is shared at once: a
//!    solution of height h closes every probe at h or above, becomes the
//!    incumbent and doubles the step; a refutation at c closes every probe
//!    at c or below and raises the bound to c + 1. A probe that runs out of
//!    time proves nothing: it is *unknown*, never infeasible, and halves the
//!    step (capacities nearer the incumbent are easier); once the step is
//!    one, budgets double. Near the bound the steps span the whole gap, so
//!    the descent ends as a bisection with a proof.
//!    Beside the probes, one thread runs guided repair (`crate::repair`,
//!    where there are two threads or more and the run need not be
//!    deterministic): it packs the incumbent's highest buffers again under
//!    a lower target, so the incumbent moves down between probes. Its
//!    first run repairs the lowest coarse packing of phase 2 instead,
//!    glued buffers moving as one, each packing it lowers expanded: over
//!    the coarse problem's buffers (a tenth to a half of them on the files
//!    measured) the repair gets further than over all of them. Where it
//!    stalls (`minimize.coarse_patience` nodes without a lower packing),
//!    the coarse problem is refined one level, each glued buffer split
//!    into the two it was glued from, and the repair goes on over that,
//!    level by level down to the problem's own buffers. Once a probe
//!    passes it, the repair starts over from the problem's incumbent, as
//!    every later run does.
//!    And under the same conditions, each probe that finds nothing hands
//!    the next start to a search at the lower bound by the preset's
//!    restarting hole-branching workers alone, with the same budget: a
//!    packing at the bound that the optimistic probe missed often takes a
//!    restarting search only seconds, and the whole portfolio, most of
//!    whose workers do not find it, much longer. Each such search has a
//!    seed of its own, and with coarsening on every second one searches a
//!    coarse problem (glued with that seed) at the bound instead: the
//!    problem's packing at the bound, where the glues allow it, in a
//!    fraction of the buffers, and another try at it every other turn.
//!
//! Every probe is a solve by the facade (`solver::probe`), which picks its
//! driver as for any solve: the portfolio with its detours (stacking,
//! coarsening), or the reference's search on one thread.
//!
//! Partitions are independent, so a probe starts with every partition
//! whose best known placement already fits under its capacity: only the
//! partitions that set the height are searched again. The best solution
//! found is always kept, whatever stops the run.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::unbounded;
use parking_lot::Mutex;

use crate::bounds::{granularity, LowerBounds};
use crate::coarsen::Coarse;
use crate::error::SolveError;
use crate::heuristics;
use crate::options::{KnownPlacement, SolveOptions};
use crate::params::SolverParams;
use crate::problem::{Problem, Solution, MAX_CAPACITY};
use crate::report::{Outcome, SolveResult};
use crate::search::Model;
use crate::stop::StopToken;
use crate::tunables::PortfolioTunables;

/// How far a minimization got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinimizeStatus {
    /// The height equals the proven lower bound.
    Optimal,
    /// A solution exists, but a gap to the lower bound remains.
    Feasible,
    /// No solution was found in time.
    Unknown,
    /// Not even the given capacity fits (proven).
    Infeasible,
}

impl std::fmt::Display for MinimizeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MinimizeStatus::Optimal => "OPTIMAL",
            MinimizeStatus::Feasible => "FEASIBLE",
            MinimizeStatus::Unknown => "UNKNOWN",
            MinimizeStatus::Infeasible => "INFEASIBLE",
        })
    }
}

/// The outcome of a minimization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minimized {
    /// The best solution found (its `height` is the capacity it needs).
    pub solution: Option<Solution>,
    /// A proven lower bound on the smallest capacity (equal to the height
    /// when optimal).
    pub lower_bound: i64,
    /// Whether `solution` is proven optimal.
    pub status: MinimizeStatus,
    /// Capacities probed, in the order they finished, with what each proved.
    pub probes: Vec<(i64, ProbeOutcome)>,
    /// Nodes of the exact searches of every probe, together (0 when
    /// bounds or greedy packings settled the run without one).
    pub nodes: u64,
    /// Their backtracks, together.
    pub backtracks: u64,
    /// Why no capacity fits, when a proof without search says so (fixed
    /// buffers that collide); `None` otherwise.
    pub reason: Option<String>,
    /// With no `solution` within a given capacity: the height of the
    /// lowest packing found above it, if any. Not an answer (it passes
    /// the capacity), but how much memory what was found needs.
    pub above_capacity: Option<i64>,
}

impl Minimized {
    /// An outcome with no probes counted yet.
    fn new(status: MinimizeStatus, lower_bound: i64, solution: Option<Solution>) -> Self {
        let (probes, above_capacity) = (Vec::new(), None);
        Minimized { solution, lower_bound, status, probes, nodes: 0, backtracks: 0, reason: None, above_capacity }
    }
}

/// What one probe at a fixed capacity established.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// A packing of this height exists.
    Solved(i64),
    /// No packing fits (exhausted search or bound).
    Infeasible,
    /// The probe ran out of time: nothing is known.
    Unknown,
    /// Closed by another probe's result before it finished.
    Closed,
}

/// Progress of a minimization, for progress lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MinimizeEvent {
    /// The proven bounds before any search.
    Bounds {
        /// Lower bound.
        lower: i64,
    },
    /// A better solution.
    Incumbent {
        /// Its height.
        height: i64,
        /// How it was found.
        by: String,
    },
    /// A probe finished.
    Probe {
        /// Its capacity.
        capacity: i64,
        /// What it proved.
        outcome: ProbeOutcome,
    },
    /// The lower bound rose.
    Lower {
        /// The new bound.
        lower: i64,
    },
}

/// Finds the smallest capacity for `problem` with the default portfolio of
/// `params` (or the reference's sequential search when `params` asks for
/// one thread). `params.timeout` limits the whole run; `cancel` stops it
/// (the best solution so far is kept).
pub fn minimize(
    problem: &Problem,
    params: &SolverParams,
    cancel: Option<Arc<AtomicBool>>,
) -> Result<Minimized, SolveError> {
    let opts = SolveOptions::from_params(params);
    minimize_with(problem, &opts, cancel.unwrap_or_default(), &|_| {})
}

/// A probe running on its own threads.
struct Running {
    capacity: i64,
    /// A search at the lower bound (see [`bound_searchers`]) rather than
    /// a probe of the descent.
    bound: bool,
    /// The probe's own token (a child of the run's): cancelled once other
    /// results make the probe pointless.
    stop: StopToken,
}

type ProbeResult = (i64, SolveResult);

/// [`minimize`] with a full portfolio configuration and progress events.
pub fn minimize_with(
    problem: &Problem,
    opts: &SolveOptions,
    cancel: Arc<AtomicBool>,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Result<Minimized, SolveError> {
    let deadline = opts.params.timeout.and_then(|t| Instant::now().checked_add(t));
    minimize_until(problem, opts, &StopToken::from_flag(cancel).child_until(deadline), events)
}

/// [`minimize_with`] until `stop` says to stop (the time limit of `opts`
/// is ignored: the token carries the caller's).
pub fn minimize_until(
    problem: &Problem,
    opts: &SolveOptions,
    stop: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Result<Minimized, SolveError> {
    match problem.check_halting(&|| stop.should_stop()) {
        Some(checked) => checked?,
        // Stopped before anything was known (0 bounds every capacity).
        None => return Ok(Minimized::new(MinimizeStatus::Unknown, 0, None)),
    }
    let work = Work::default();
    let mut m = descend(problem, opts, &crate::validate::until_checked(stop, problem), events, &work)?;
    m.nodes = work.nodes.load(Ordering::Relaxed);
    m.backtracks = work.backtracks.load(Ordering::Relaxed);
    // Validated at the capacity it needs (and within a given one).
    if let Some(s) = m.solution.take() {
        let cap = if problem.capacity > 0 { problem.capacity.min(s.height) } else { s.height };
        m.solution = Some(crate::validate::checked_within(problem, s, cap)?);
    }
    Ok(m)
}

/// The minimization itself (see the module docs); the solution is not yet validated.
fn descend(
    problem: &Problem,
    opts: &SolveOptions,
    root: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
    work: &Work,
) -> Result<Minimized, SolveError> {
    let params = &opts.params;
    let threads = params.thread_count().max(1);
    // Heights come in multiples of the granularity, so the bound rounds up.
    let g = granularity(problem);
    let Some(bounds) = LowerBounds::until(problem, root) else {
        return Ok(Minimized::new(MinimizeStatus::Unknown, 0, None));
    };
    let lower = i64::try_from(bounds.best().min(i128::from(MAX_CAPACITY) + 1)).unwrap_or(i64::MAX);
    let lower = lower.saturating_add(g - 1) / g * g;
    events(MinimizeEvent::Bounds { lower });
    if let Some(reason) = crate::bounds::fixed_conflict(problem) {
        // Fixed buffers that collide fit no capacity: a proof.
        return Ok(Minimized { reason: Some(reason), ..Minimized::new(MinimizeStatus::Infeasible, lower, None) });
    }
    match crate::solver::takes_large_path(problem, params, root) {
        None => return Ok(Minimized::new(MinimizeStatus::Unknown, lower, None)),
        Some(true) => return minimize_large(problem, opts, lower, g, root, events),
        Some(false) => {}
    }
    let seeded = match greedy_start(problem, threads, lower, root, events) {
        Start::Optimal(m) => return Ok(m),
        Start::Seed(s) => s,
    };
    let Some(model) = Model::build(problem, root) else {
        // Stopped while building the model: the greedy's packing, if it
        // fits.
        let seeded = seeded.filter(|s| within(problem, s.height));
        let status = if seeded.is_some() { MinimizeStatus::Feasible } else { MinimizeStatus::Unknown };
        return Ok(Minimized::new(status, lower, seeded));
    };
    let prober = Prober { problem, opts, root, model: &model, work };
    let mut progress = Progress::new(problem, &model, lower, g, events);
    if let Some(s) = seeded {
        progress.adopt(s, "greedy");
    }
    if let Some(done) = incumbent(&prober, &mut progress, threads)? {
        return Ok(done);
    }
    stacked_incumbent(&prober, &mut progress);
    let coarse = coarse_incumbent(&prober, &mut progress);
    let full = model.full_at(crate::sweep::SectionRange { lower: 0, upper: model.num_sections() }, progress.lower);
    optimistic(&prober, &mut progress, threads, full)?;
    // On a dense model the memory for searches caps the threads (each
    // probe runs one search a thread).
    let threads = threads.min(model.affordable_searches());
    concurrent(&prober, &mut progress, threads, coarse)?;
    Ok(progress.finish())
}

/// Whether a packing of `height` is an answer: within the capacity the
/// caller gave, if any (0 asks for none).
fn within(problem: &Problem, height: i64) -> bool {
    problem.capacity == 0 || height <= problem.capacity
}

/// What the greedy orders give before any model is built.
enum Start {
    /// A packing at the lower bound: the minimization is over.
    Optimal(Minimized),
    /// The greedy's packing, if any (it may pass a given capacity: then
    /// only its height is kept, to be told if nothing fits).
    Seed(Option<Solution>),
}

/// The offline greedy orders first, where they are cheap: on real traces
/// they often reach the bound, which ends the minimization before the model
/// (its memory grows with the overlapping pairs) is even built.
fn greedy_start(
    problem: &Problem,
    threads: usize,
    lower: i64,
    root: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Start {
    if problem.buffers.len() > EXACT_STARTS_LIMIT {
        return Start::Seed(None);
    }
    let first = crate::lns::starts(problem, threads, lower, root).into_iter().next().map(|s| s.0);
    match first {
        Some(s) if s.height <= lower && within(problem, s.height) => {
            events(MinimizeEvent::Incumbent { height: s.height, by: "greedy".into() });
            let done = Minimized::new(MinimizeStatus::Optimal, s.height, Some(s));
            Start::Optimal(done)
        }
        seed => Start::Seed(seed),
    }
}

/// A partition's best known placement: its buffers' offsets and its height.
type Known = Vec<KnownPlacement>;

/// The search work of a minimization's probes, counted as they finish.
#[derive(Default)]
struct Work {
    nodes: AtomicU64,
    backtracks: AtomicU64,
}

impl Work {
    fn add(&self, nodes: u64, backtracks: u64) {
        self.nodes.fetch_add(nodes, Ordering::Relaxed);
        self.backtracks.fetch_add(backtracks, Ordering::Relaxed);
    }
}

/// What every probe of one minimization shares, read-only.
struct Prober<'a> {
    problem: &'a Problem,
    opts: &'a SolveOptions,
    /// The run's token; each probe gets a child with its own budget.
    root: &'a StopToken,
    model: &'a Model,
    /// Every probe's nodes and backtracks, added up.
    work: &'a Work,
}

impl Prober<'_> {
    /// A probe's token: the run's, with the probe's time budget.
    fn token(&self, budget: Option<Duration>) -> StopToken {
        self.root.child_until(budget.and_then(|b| Instant::now().checked_add(b)))
    }

    /// The time left to the run, if it has a deadline.
    fn remaining(&self) -> Option<Duration> {
        self.root.deadline().map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// One probe at `capacity` on `threads` threads until `stop` stops it;
    /// partitions known to fit are not searched again.
    fn probe(&self, capacity: i64, threads: usize, stop: &StopToken, known: &Known) -> SolveResult {
        let p = SolverParams { threads, ..self.opts.params.clone() };
        let at = Problem { buffers: self.problem.buffers.clone(), capacity };
        let o = SolveOptions { params: p, ..self.opts.clone() };
        let report = crate::solver::probe(&at, &o, self.model, known, stop);
        self.work.add(report.stats.nodes(), report.stats.backtracks());
        report.outcome
    }

    /// The descent's `turn`-th search at `capacity` (the lower bound) by
    /// the workers of `searchers` alone, on `threads` threads until `stop`
    /// stops it (see [`bound_searchers`]). Each turn has a seed of its own:
    /// the workers restart at random, and with the run's seed every turn
    /// would repeat the first one's work. With coarsening on, every second
    /// turn searches a coarse problem glued with that seed instead
    /// ([`Self::coarse_search`]).
    fn bound_search(
        &self,
        searchers: &SolveOptions,
        (capacity, turn): (i64, u64),
        threads: usize,
        stop: &StopToken,
        known: &Known,
    ) -> SolveResult {
        let seed = searchers.params.seed.wrapping_add(turn);
        let o =
            SolveOptions { params: SolverParams { threads, seed, ..searchers.params.clone() }, ..searchers.clone() };
        if turn % 2 == 1 && self.opts.tunables.coarsening {
            if let Some(coarse) = crate::coarsen::coarsen(self.problem, seed, None) {
                return self.coarse_search(&coarse, capacity, &o, stop);
            }
        }
        let at = Problem { buffers: self.problem.buffers.clone(), capacity };
        // Every partition has a known placement once there is an incumbent
        // (the descent starts from one), so the facade runs the portfolio
        // of `searchers` even on one thread.
        debug_assert!(known.iter().all(Option::is_some));
        let report = crate::solver::probe(&at, &o, self.model, known, stop);
        self.work.add(report.stats.nodes(), report.stats.backtracks());
        report.outcome
    }

    /// `coarse` at `capacity`, searched by the portfolio of `o`: its
    /// packing expanded, validated. A coarse problem that does not pack
    /// proves nothing about the problem (a glue may rule out every
    /// packing), so that ends [`Outcome::Unknown`], never infeasible.
    fn coarse_search(&self, coarse: &Coarse, capacity: i64, o: &SolveOptions, stop: &StopToken) -> SolveResult {
        let at = Problem { capacity, ..coarse.problem.clone() };
        // Not the facade: on one thread it would run the reference's search.
        let report = crate::detour::solve(&at, o, None, &[], stop, &|_| {});
        self.work.add(report.stats.nodes(), report.stats.backtracks());
        match report.outcome {
            Ok(Outcome::Solved(s)) => {
                let sol = coarse.expand(self.problem, &s);
                crate::validate::checked_within(self.problem, sol, capacity).map(Outcome::Solved)
            }
            Ok(Outcome::Infeasible { .. }) => Ok(Outcome::Unknown("no coarse packing, which proves nothing".into())),
            other => other,
        }
    }

    /// [`Self::probe`] with a budget of its own.
    fn watched(&self, capacity: i64, threads: usize, budget: Option<Duration>, known: &Known) -> SolveResult {
        self.probe(capacity, threads, &self.token(budget), known)
    }
}

/// What a minimization has established so far.
struct Progress<'a> {
    problem: &'a Problem,
    model: &'a Model,
    events: &'a (dyn Fn(MinimizeEvent) + Sync),
    /// Heights come in multiples of this.
    g: i64,
    /// The proven lower bound.
    lower: i64,
    best: Option<Solution>,
    /// The height of the lowest packing found above a given capacity (a
    /// greedy one): not an answer, but told when none fits.
    over: Option<i64>,
    known: Known,
    probes: Vec<(i64, ProbeOutcome)>,
}

impl<'a> Progress<'a> {
    fn new(
        problem: &'a Problem,
        model: &'a Model,
        lower: i64,
        g: i64,
        events: &'a (dyn Fn(MinimizeEvent) + Sync),
    ) -> Self {
        let known = vec![None; model.partitions().len()];
        Progress { problem, model, events, g, lower, best: None, over: None, known, probes: Vec::new() }
    }

    /// The incumbent's height (`i64::MAX` before there is one).
    fn height(&self) -> i64 {
        self.best.as_ref().map_or(i64::MAX, |b| b.height)
    }

    /// Keeps `sol` if it is the best so far, and its partitions' placements
    /// where they beat what is known.
    fn adopt(&mut self, sol: Solution, by: &str) {
        if !within(self.problem, sol.height) {
            // Not an answer, nor a placement to start probes from (a
            // partition it fits would be searched no more, and on one
            // thread the probes are the reference's own).
            self.over = Some(self.over.map_or(sol.height, |h| h.min(sol.height)));
            return;
        }
        for (p, part) in self.model.partitions().iter().enumerate() {
            let placed: Vec<i64> = part.buffers.iter().map(|&b| sol.offsets[b]).collect();
            let height = part.buffers.iter().map(|&b| sol.offsets[b] + self.problem.buffers[b].size).max().unwrap_or(0);
            if self.known[p].as_ref().is_none_or(|(_, h)| height < *h) {
                self.known[p] = Some((placed, height));
            }
        }
        if self.best.as_ref().is_none_or(|b| sol.height < b.height) {
            (self.events)(MinimizeEvent::Incumbent { height: sol.height, by: by.to_string() });
            self.best = Some(sol);
        }
    }

    /// Records what the probe at `capacity` established.
    fn record(&mut self, capacity: i64, outcome: ProbeOutcome) {
        self.probes.push((capacity, outcome));
        (self.events)(MinimizeEvent::Probe { capacity, outcome });
    }

    /// Raises the proven bound past a refuted `capacity`.
    fn refuted(&mut self, capacity: i64) {
        if capacity >= self.lower {
            self.lower = capacity + self.g;
            (self.events)(MinimizeEvent::Lower { lower: self.lower });
        }
    }

    /// The outcome with nothing found: `status`, and the bound as it stands.
    fn nothing(self, lower_bound: i64, status: MinimizeStatus) -> Minimized {
        Minimized { probes: self.probes, above_capacity: self.over, ..Minimized::new(status, lower_bound, None) }
    }

    fn finish(self) -> Minimized {
        let status = match &self.best {
            Some(s) if s.height <= self.lower => MinimizeStatus::Optimal,
            Some(_) => MinimizeStatus::Feasible,
            None => MinimizeStatus::Unknown,
        };
        let lower_bound = self.best.as_ref().map_or(self.lower, |s| self.lower.min(s.height));
        let above_capacity = self.over.filter(|_| self.best.is_none());
        Minimized { probes: self.probes, above_capacity, ..Minimized::new(status, lower_bound, self.best) }
    }
}

/// Phases 1-2: an incumbent, from a solve at the given capacity (unless a
/// greedy packing already fits it) or from the greedy placements. Returns
/// the final answer when that settles the run (infeasible, or no solution
/// in time).
fn incumbent(
    prober: &Prober<'_>,
    progress: &mut Progress<'_>,
    threads: usize,
) -> Result<Option<Minimized>, SolveError> {
    let problem = prober.problem;
    if problem.capacity > 0 {
        if progress.lower > problem.capacity {
            let lower = progress.lower;
            return Ok(Some(take(progress).nothing(lower, MinimizeStatus::Infeasible)));
        }
        if progress.best.is_some() {
            // A greedy packing under the capacity already shows it fits.
            return Ok(None);
        }
        return match prober.watched(problem.capacity, threads, None, &progress.known) {
            Ok(Outcome::Solved(sol)) => {
                progress.probes.push((problem.capacity, ProbeOutcome::Solved(sol.height)));
                progress.adopt(sol, "the given capacity");
                Ok(None)
            }
            Ok(Outcome::Infeasible { .. }) => {
                progress.probes.push((problem.capacity, ProbeOutcome::Infeasible));
                Ok(Some(take(progress).nothing(problem.capacity + 1, MinimizeStatus::Infeasible)))
            }
            Ok(Outcome::TimeLimit | Outcome::Cancelled | Outcome::Unknown(_)) => {
                progress.probes.push((problem.capacity, ProbeOutcome::Unknown));
                let lower = progress.lower;
                Ok(Some(take(progress).nothing(lower, MinimizeStatus::Unknown)))
            }
            Err(e) => Err(e),
        };
    }
    // Stacking every free buffer above the fixed ones always fits (and
    // `check` keeps that height within the largest capacity).
    let stack = problem.stacked_height().clamp(0, i128::from(MAX_CAPACITY));
    let upper_start = i64::try_from(stack).unwrap_or(MAX_CAPACITY).max(progress.lower);
    if let Some(sol) = greedy_incumbent(problem, prober.model, &prober.opts.greedy, upper_start, prober.root) {
        progress.adopt(sol, "greedy");
        return Ok(None);
    }
    if progress.best.is_some() {
        return Ok(None);
    }
    match prober.watched(upper_start, threads, None, &progress.known) {
        Ok(Outcome::Solved(sol)) => {
            progress.adopt(sol, "search");
            Ok(None)
        }
        // Fixed buffers collide: nothing fits.
        Ok(Outcome::Infeasible { .. }) => Ok(Some(take(progress).nothing(upper_start + 1, MinimizeStatus::Infeasible))),
        Ok(Outcome::TimeLimit | Outcome::Cancelled | Outcome::Unknown(_)) => {
            let lower = progress.lower;
            Ok(Some(take(progress).nothing(lower, MinimizeStatus::Unknown)))
        }
        Err(e) => Err(e),
    }
}

/// Phase 2b: a buffer list that is programs side by side, in order (a
/// [`crate::stacking::border`] at a height under the incumbent), is
/// minimized part by part, each part within its share of the time left (a
/// part may be stacked in turn), and the parts' packings stacked; kept if
/// lower. Probes at a capacity are stacked too (the portfolio's detour),
/// but only at a capacity where each part fits its share, which the
/// bisection seldom asks: minimized so, two of the paper's instances side
/// by side ended 2.4% above the sum of their capacities (tight/'s pairBK
/// and pairEF). Not in deterministic mode (the shares are counted by the
/// clock), nor with stacking off.
fn stacked_incumbent(prober: &Prober<'_>, progress: &mut Progress<'_>) {
    let (problem, opts) = (prober.problem, prober.opts);
    if !opts.tunables.stacking || opts.params.deterministic || progress.height() == i64::MAX {
        return;
    }
    let under = Problem { buffers: problem.buffers.clone(), capacity: progress.height() - 1 };
    let Some(at) = crate::stacking::border(&under, prober.root) else { return };
    let part = |r: std::ops::Range<usize>| Problem::new(problem.buffers[r].to_vec(), 0);
    let parts = [part(0..at), part(at..problem.buffers.len())];
    let bound = |p: &Problem| i64::try_from(crate::bounds::max_load(p)).unwrap_or(i64::MAX);
    let mut packed: Vec<Solution> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        // The parts so far as packed and the rest at their bounds: once
        // that reaches the incumbent, no stacking of these parts beats it
        // (a border through one program shows it after its first part), and
        // the time goes to the probes.
        let least = packed.iter().map(|s| s.height).chain(parts[i..].iter().map(bound)).fold(0i64, i64::saturating_add);
        if least >= progress.height() {
            return;
        }
        // This part's share: the time left over the parts left, and as much
        // again for the probes after.
        let budget = prober.remaining().map_or(STACKED_PART_TIME, |r| r / (parts.len() - i + 1) as u32);
        let Ok(m) = minimize_until(p, opts, &prober.token(Some(budget)), &|_| {}) else { return };
        prober.work.add(m.nodes, m.backtracks);
        let Some(s) = m.solution else { return };
        packed.push(s);
    }
    let offsets = crate::stacking::stack_packings(&packed[0], (&parts[1], &packed[1]), MAX_CAPACITY);
    let sol = Solution::new(problem, offsets);
    let fits = within(problem, sol.height);
    if fits && sol.height < progress.height() {
        progress.adopt(sol, "stacking");
    }
}

/// Phase 2c: a coarse problem ([`crate::coarsen`], glued with the run's
/// seed; each later solve glues one with the next seed, padded where that
/// repeats one already made) is solved at the lower bound, then by
/// bisection between the heights it packed and did not pack, each solve
/// within [`COARSE_PROBE_TIME`] or its share of the time left, altogether
/// within [`COARSE_SHARE`] of it; its lowest packing, expanded, is kept if
/// lower.
/// A coarse problem has the problem's lower bound and a fraction of its
/// buffers: where the glues rule out no low packing, it packs at once
/// (and at the bound, the run is over); where they do, solves below the
/// packings they allow time out, and the descent goes on from the lowest
/// found. A coarse solve that finds nothing proves nothing about the
/// problem. Not in deterministic mode (the budgets are counted by the
/// clock), nor with coarsening off, nor once the incumbent is at the
/// bound. Returns the lowest coarse packing, with its coarse problem, for
/// the repairing thread to start from ([`coarse_repair`]).
fn coarse_incumbent(prober: &Prober<'_>, progress: &mut Progress<'_>) -> Option<(Coarse, Solution)> {
    let (problem, opts) = (prober.problem, prober.opts);
    if !opts.tunables.coarsening || opts.params.deterministic || progress.height() <= progress.lower {
        return None;
    }
    let mut lowest: Option<(Coarse, Solution)> = None;
    // The coarse problem is not coarsened again (nothing more glues).
    let tunables = PortfolioTunables { coarsening: false, ..opts.tunables.clone() };
    let inner = SolveOptions { tunables, ..opts.clone() };
    let all = prober.token(Some(prober.remaining().map_or(COARSE_TIME, |r| r / COARSE_SHARE)));
    let g = progress.g;
    let (mut lo, mut hi) = (progress.lower, progress.height());
    let mut at = lo;
    let pad = opts.tunables.coarse_padding.then_some(progress.lower);
    let mut seen = HashSet::new();
    for k in 0.. {
        if lo >= hi || all.should_stop() {
            break;
        }
        let seed = opts.params.seed.wrapping_add(k);
        let Some((coarse, _)) = crate::coarsen::varied(problem, seed, pad, &mut seen) else { return lowest };
        let left = all.deadline().map_or(COARSE_PROBE_TIME, |d| d.saturating_duration_since(Instant::now()));
        let budget = all.child_until(Instant::now().checked_add(COARSE_PROBE_TIME.min(left)));
        let report =
            crate::solver::solve_with(&Problem { capacity: at, ..coarse.problem.clone() }, &inner, &budget, &|_| {});
        prober.work.add(report.stats.nodes(), report.stats.backtracks());
        match report.outcome {
            Ok(Outcome::Solved(s)) => {
                let sol = coarse.expand(problem, &s);
                hi = hi.min(sol.height);
                let height = sol.height;
                if within(problem, height) && height < progress.height() {
                    if let Ok(sol) = crate::validate::checked_within(problem, sol, height) {
                        progress.adopt(sol, "coarsening");
                    }
                }
                if lowest.as_ref().is_none_or(|(_, l)| s.height < l.height) {
                    lowest = Some((coarse, s));
                }
            }
            // Infeasible or out of time: the glues allow nothing this low
            // (as far as this search can tell).
            _ => lo = at + g,
        }
        at = (lo + (hi - lo) / 2) / g * g;
        at = at.max(lo);
    }
    lowest
}

/// Moves the progress out for a final answer, leaving an empty one.
fn take<'a>(progress: &mut Progress<'a>) -> Progress<'a> {
    let empty = Progress::new(progress.problem, progress.model, progress.lower, progress.g, progress.events);
    std::mem::replace(progress, empty)
}

/// Phase 3: optimistic probes at the lower bound, with every thread, each
/// within its share of the time left (a larger one when the problem is
/// `full` at the bound). On the paper's instances the optimum usually is
/// the bound; a refutation raises it by one granule and the next bound is
/// tried.
fn optimistic(prober: &Prober<'_>, progress: &mut Progress<'_>, threads: usize, full: bool) -> Result<(), SolveError> {
    while progress.lower < progress.height() && !prober.root.should_stop() {
        let budget = prober.opts.minimize.bound_probe(prober.remaining(), full);
        let lower = progress.lower;
        match prober.watched(lower, threads, Some(budget), &progress.known) {
            Ok(Outcome::Solved(sol)) => {
                progress.record(lower, ProbeOutcome::Solved(sol.height));
                progress.adopt(sol, "probe at the lower bound");
            }
            Ok(Outcome::Infeasible { .. }) => {
                progress.record(lower, ProbeOutcome::Infeasible);
                progress.refuted(lower);
            }
            Ok(Outcome::TimeLimit | Outcome::Cancelled | Outcome::Unknown(_)) => {
                progress.record(lower, ProbeOutcome::Unknown);
                break;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Phase 4's schedule: the probes running and how the next ones are chosen.
struct Descent {
    /// Probes at once, and threads each.
    slots: usize,
    per_probe: usize,
    budget: Duration,
    /// In granules below the incumbent.
    step: i64,
    /// Capacities that timed out with the current budget: not tried again
    /// until the budget grows.
    timed_out: Vec<i64>,
    running: Vec<Running>,
    /// The search is not complete with interleaving windows: a probe that
    /// exhausts it at c proves nothing, but no probe at c or below can find
    /// more (a stacking that fits under a capacity fits under any larger
    /// one), so the descent stops there instead of retrying forever.
    exhausted_at: i64,
    /// Whether the run has searches at the lower bound (see
    /// [`bound_searchers`]).
    bound_searches: bool,
    /// Whether a slot's next start goes to a search at the lower bound:
    /// set by each probe of the descent that ends without a packing.
    bound_turn: bool,
    /// How many searches at the lower bound have started: the next one's
    /// turn (see [`Prober::bound_search`]).
    bound_runs: u64,
}

impl Descent {
    /// The lowest capacity still worth probing.
    fn floor(&self, progress: &Progress<'_>) -> i64 {
        progress.lower.max(self.exhausted_at.saturating_add(progress.g))
    }

    fn live(&self) -> usize {
        self.running.iter().filter(|r| !r.stop.is_cancelled()).count()
    }

    /// The capacities to start probes at now, one step apart below the
    /// incumbent, with their tokens (recorded as running); first, on its
    /// turn, a search at the lower bound (marked with its number, see
    /// [`Prober::bound_search`]; the descent's probes are marked `None`).
    fn next_probes(&mut self, prober: &Prober<'_>, progress: &Progress<'_>) -> Vec<(i64, Option<u64>, StopToken)> {
        let (h, g, floor) = (progress.height(), progress.g, self.floor(progress));
        let top = (h - 1) / g * g; // the largest multiple of g below h
        let mut starts = Vec::new();
        let searching = self.running.iter().any(|r| r.bound && !r.stop.is_cancelled());
        if self.bound_turn && self.bound_searches && !searching && self.live() < self.slots {
            self.bound_turn = false;
            self.bound_runs += 1;
            let stop = prober.token(Some(self.budget));
            self.running.push(Running { capacity: progress.lower, bound: true, stop: stop.clone() });
            starts.push((progress.lower, Some(self.bound_runs), stop));
        }
        let mut k = 0;
        while self.live() < self.slots && k < self.slots as i64 {
            let capacity = top.saturating_sub(g.saturating_mul(self.step.saturating_mul(k + 1) - 1)).max(floor);
            k += 1;
            if self.timed_out.contains(&capacity)
                || self.running.iter().any(|r| r.capacity == capacity && !r.stop.is_cancelled())
            {
                continue;
            }
            let stop = prober.token(Some(self.budget));
            self.running.push(Running { capacity, bound: false, stop: stop.clone() });
            starts.push((capacity, None, stop));
        }
        starts
    }

    /// What a probe's result establishes, adjusting the step as the module
    /// docs say; an error no probe should give ends the run. A search at
    /// the lower bound (`bound`) leaves the descent's schedule as it was,
    /// and a probe of the descent that finds nothing gives the next start
    /// to one.
    fn settle(
        &mut self,
        progress: &mut Progress<'_>,
        (capacity, bound): (i64, bool),
        result: SolveResult,
        closed: bool,
    ) -> Result<ProbeOutcome, SolveError> {
        if bound {
            return Ok(match result {
                Ok(Outcome::Solved(sol)) => {
                    let h = sol.height;
                    progress.adopt(sol, "search at the lower bound");
                    ProbeOutcome::Solved(h)
                }
                Ok(Outcome::Infeasible { .. }) => {
                    progress.refuted(capacity);
                    ProbeOutcome::Infeasible
                }
                Ok(Outcome::TimeLimit | Outcome::Cancelled) if closed => ProbeOutcome::Closed,
                Ok(Outcome::TimeLimit | Outcome::Cancelled | Outcome::Unknown(_)) => ProbeOutcome::Unknown,
                Err(e) => return Err(e),
            });
        }
        self.bound_turn = !matches!(result, Ok(Outcome::Solved(_) | Outcome::Infeasible { .. }));
        Ok(match result {
            Ok(Outcome::Solved(sol)) => {
                let h = sol.height;
                progress.adopt(sol, &format!("probe at {capacity}"));
                // Bolder, but never beyond a quarter of the remaining gap.
                let gap = (progress.height() - progress.lower) / progress.g;
                self.step = self.step.saturating_mul(2).min((gap / 4).max(1));
                ProbeOutcome::Solved(h)
            }
            Ok(Outcome::Infeasible { .. }) => {
                progress.refuted(capacity);
                ProbeOutcome::Infeasible
            }
            Ok(Outcome::TimeLimit | Outcome::Cancelled) if closed => ProbeOutcome::Closed,
            Ok(Outcome::Unknown(_)) => {
                self.exhausted_at = self.exhausted_at.max(capacity);
                ProbeOutcome::Unknown
            }
            Ok(Outcome::TimeLimit | Outcome::Cancelled) => {
                self.timed_out.push(capacity);
                self.step = (self.step / 2).max(1);
                ProbeOutcome::Unknown
            }
            Err(e) => return Err(e),
        })
    }
}

/// What the descent's threads report: a probe's result, or a packing the
/// repairs lowered.
enum Message {
    /// A probe's result, and whether the probe was a search at the lower
    /// bound.
    Probe(ProbeResult, bool),
    Repaired(Solution),
}

/// Phase 4: descent with concurrent probes. Each probes a capacity some
/// step below the incumbent (the slots at one and two steps). A solution
/// becomes the incumbent and doubles the step; a probe that runs out of
/// time halves it, since capacities closer to the incumbent are easier; a
/// refutation raises the lower bound. When the step is down to one and
/// still nothing is found, budgets double. Near the bound the step covers
/// the whole gap, so this ends in a bisection and a proof.
///
/// Beside the probes, where there are two threads or more and the run
/// need not be deterministic, one thread repairs the incumbent
/// (`crate::repair`): it lowers the height between probes, restarting
/// from a probe's packing when one is lower. Its first run repairs
/// `coarse`, the lowest coarse packing phase 2 found, if any
/// ([`coarse_repair`]).
fn concurrent(
    prober: &Prober<'_>,
    progress: &mut Progress<'_>,
    threads: usize,
    mut coarse: Option<(Coarse, Solution)>,
) -> Result<(), SolveError> {
    let repairs = prober.opts.minimize.repair && threads >= 2 && !prober.opts.params.deterministic;
    let probe_threads = threads - usize::from(repairs);
    let slots = if probe_threads >= 2 && !prober.opts.params.deterministic { 2.min(probe_threads) } else { 1 };
    let budget = prober.opts.minimize.descent_probe(prober.remaining());
    let step = ((progress.height().saturating_sub(progress.lower)) / progress.g / 16).max(1);
    let searchers = bound_searchers(prober.opts, threads);
    let mut d = Descent {
        slots,
        per_probe: (probe_threads / slots).max(1),
        budget,
        step,
        timed_out: Vec::new(),
        running: Vec::new(),
        exhausted_at: i64::MIN,
        bound_searches: searchers.is_some(),
        bound_turn: false,
        bound_runs: 0,
    };
    let (tx, rx) = unbounded::<Message>();
    std::thread::scope(|scope| {
        let mut failure = None;
        // The repairing thread's token and the height it started from.
        let mut repairer: Option<(StopToken, i64)> = None;
        let mut restarts = 0u64;
        while d.floor(progress) < progress.height() && !prober.root.should_stop() {
            // Close probes that results made pointless.
            let (h, floor) = (progress.height(), d.floor(progress));
            let below = |r: &Running| r.capacity < if r.bound { progress.lower } else { floor };
            for r in d.running.iter().filter(|r| r.capacity >= h || below(r)) {
                r.stop.cancel();
            }
            if repairs && repairer.as_ref().is_none_or(|(_, from)| *from > h) {
                if let Some((stop, _)) = repairer.take() {
                    stop.cancel();
                }
                if let Some(best) = progress.best.clone() {
                    let seed = prober.opts.params.seed ^ restarts.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                    restarts += 1;
                    let stop = prober.root.child();
                    let (token, tx, bounds) = (stop.clone(), tx.clone(), (progress.lower, progress.g));
                    let first = coarse.take();
                    scope.spawn(move || match first {
                        Some(c) => coarse_repair(prober, c, bounds, seed, &token, &tx),
                        None => repair(prober, best, bounds, seed, &token, &tx),
                    });
                    repairer = Some((stop, h));
                }
            }
            for (capacity, turn, stop) in d.next_probes(prober, progress) {
                let (tx, known, per_probe, searchers) =
                    (tx.clone(), progress.known.clone(), d.per_probe, searchers.as_ref());
                scope.spawn(move || {
                    let result = match (searchers, turn) {
                        (Some(o), Some(turn)) => prober.bound_search(o, (capacity, turn), per_probe, &stop, &known),
                        _ => prober.probe(capacity, per_probe, &stop, &known),
                    };
                    let _ = tx.send(Message::Probe((capacity, result), turn.is_some()));
                });
            }
            if d.running.iter().all(|r| r.stop.is_cancelled()) {
                // Everything within reach timed out: give probes more time.
                d.budget = d.budget.saturating_mul(2);
                d.timed_out.clear();
                d.step = 1;
                continue;
            }
            // Wait for a result. Every running probe reports, and each stops
            // by itself with the run's token (deadline, cancel) or its own,
            // so a blocking wait cannot hang.
            let ((capacity, result), bound) = match rx.recv() {
                Ok(Message::Probe(r, bound)) => (r, bound),
                Ok(Message::Repaired(sol)) => {
                    if let Some((_, from)) = repairer.as_mut() {
                        *from = (*from).min(sol.height);
                    }
                    progress.adopt(sol, "repair");
                    continue;
                }
                Err(_) => break,
            };
            let Some(i) = d.running.iter().position(|r| (r.capacity, r.bound) == (capacity, bound)) else { continue };
            let closed = d.running.remove(i).stop.is_cancelled();
            match d.settle(progress, (capacity, bound), result, closed) {
                Ok(outcome) => progress.record(capacity, outcome),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        for r in &d.running {
            r.stop.cancel();
        }
        if let Some((stop, _)) = &repairer {
            stop.cancel();
        }
        // Results still in flight are kept if they help.
        drop(tx);
        for message in rx.iter() {
            match message {
                Message::Probe((capacity, Ok(Outcome::Solved(sol))), _) => {
                    let h = sol.height;
                    progress.adopt(sol, &format!("probe at {capacity}"));
                    progress.probes.push((capacity, ProbeOutcome::Solved(h)));
                }
                Message::Repaired(sol) => progress.adopt(sol, "repair"),
                Message::Probe(..) => {}
            }
        }
        failure.map_or(Ok(()), Err)
    })
}

/// The options of the descent's searches at the lower bound: the preset's
/// restarting hole-branching workers alone (`None` where it has none, where
/// the minimization's tunable `bound_search` is off, and on one thread or
/// in a deterministic run, whose probes do not restart). The optimistic
/// probe gives the bound a share of the time with every worker; where its
/// optimum is at the bound but hard to reach (programs side by side with
/// their rows shuffled, packings with some slack), a packing there comes
/// from a restarting search in seconds, heavy-tailed, and a search by the
/// whole portfolio spends most of its time on workers that do not find it.
/// Between the descent's probes these searches keep trying the bound.
fn bound_searchers(opts: &SolveOptions, threads: usize) -> Option<SolveOptions> {
    if !opts.minimize.bound_search || threads < 2 || opts.params.deterministic {
        return None;
    }
    let workers: Vec<_> = opts.workers.iter().filter(|w| w.holes && w.restarts).cloned().collect();
    if workers.is_empty() {
        return None;
    }
    // A bound search runs once per probe turn: the quick round and the
    // detours would be run again each time, and they are the full
    // portfolio's.
    let tunables =
        PortfolioTunables { quick_round: false, stacking: false, coarsening: false, ..opts.tunables.clone() };
    Some(SolveOptions { workers, tunables, ..opts.clone() })
}

/// The repairing thread's first run where phase 2 packed a coarse problem
/// (see [`coarse_incumbent`]): guided repair of that coarse packing, each
/// packing it lowers expanded, validated and sent as the problem's. A
/// glued buffer moves as one, so the repair's bands hold a fraction of the
/// buffers and its exact searches reach further (docs/techniques.md,
/// "Guided repair of the coarse packing"). Where it goes
/// `minimize.coarse_patience` nodes without a lower packing, the coarse
/// problem is refined one level (each glued buffer split into the two it
/// was glued from) and the repair goes on over that, level by level down
/// to the problem's own buffers ("Refined when the coarse repair
/// stalls").
fn coarse_repair(
    prober: &Prober<'_>,
    (coarse, start): (Coarse, Solution),
    bounds: (i64, i64),
    seed: u64,
    stop: &StopToken,
    tx: &crossbeam_channel::Sender<Message>,
) {
    let problem = prober.problem;
    let (nodes, patience) = (prober.opts.minimize.repair_nodes, prober.opts.minimize.coarse_patience);
    let (mut coarse, mut start) = (coarse, start);
    loop {
        let mut report = |s: &Solution| {
            let full = coarse.expand(problem, s);
            let height = full.height;
            if let Ok(full) = crate::validate::checked_within(problem, full, height) {
                let _ = tx.send(Message::Repaired(full));
            }
        };
        // Over the problem's own buffers nothing is left to split.
        let patience = if coarse.is_fine() { i64::MAX } else { patience };
        let reached =
            crate::repair::descend_while(&coarse.problem, start, bounds, (nodes, seed), patience, stop, &mut report);
        if stop.should_stop() || reached.height <= bounds.0 {
            return;
        }
        match coarse.refined(problem, &reached) {
            Some(finer) => (coarse, start) = finer,
            None => return,
        }
    }
}

/// The descent's repairing thread: guided repair from `best` down to the
/// bound (`(lower, granularity)`), each lower packing sent as it comes.
fn repair(
    prober: &Prober<'_>,
    best: Solution,
    bounds: (i64, i64),
    seed: u64,
    stop: &StopToken,
    tx: &crossbeam_channel::Sender<Message>,
) {
    let mut report = |s: &Solution| {
        let _ = tx.send(Message::Repaired(s.clone()));
    };
    let nodes = prober.opts.minimize.repair_nodes;
    crate::repair::descend(prober.problem, best, bounds, (nodes, seed), stop, &mut report);
}

/// Problems with more buffers than this skip the offline greedy orders
/// before the exact minimization (each costs O(n^2) cheap steps; at 20,000
/// buffers a fraction of a second).
const EXACT_STARTS_LIMIT: usize = 20_000;

/// How long each part of a list of programs side by side is minimized when
/// the run has no deadline (see `stacked_incumbent`): `[default: 10 s]`
/// `[range: any]`; with a deadline a part takes its share of the time left.
const STACKED_PART_TIME: Duration = Duration::from_secs(10);

/// How much of the time left the coarse problem's solves take together
/// (see `coarse_incumbent`): `[default: 4]` `[range: 1 and up]`; the
/// descent goes on from their packing with the rest.
const COARSE_SHARE: u32 = 4;

/// How long the coarse problem's solves take together when the run has no
/// deadline: `[default: 10 s]` `[range: any]`.
const COARSE_TIME: Duration = Duration::from_secs(10);

/// The longest one coarse solve takes (see `coarse_incumbent`): `[default:
/// 250 ms]` `[range: any]`: a coarse problem packs within milliseconds at
/// heights its glues allow, and thrashes below them.
const COARSE_PROBE_TIME: Duration = Duration::from_millis(250);

/// Minimization of a problem too large for the exact model: the best online
/// packing, improved by large neighbourhood search until `root` stops it
/// (without a deadline, after `lns::LARGE_DEFAULT_TIME`); the
/// lower bound is the proven bound.
fn minimize_large(
    problem: &Problem,
    opts: &SolveOptions,
    lower: i64,
    g: i64,
    root: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Result<Minimized, SolveError> {
    let params = &opts.params;
    let threads = params.thread_count().max(1);
    let limited;
    let root = if root.deadline().is_none() {
        limited = root.child_until(Instant::now().checked_add(crate::lns::LARGE_DEFAULT_TIME));
        &limited
    } else {
        root
    };
    let starts = crate::lns::starts(problem, threads, lower, root);
    let Some((first, _)) = starts.first().cloned() else {
        // No heuristic placed every buffer in time: nothing is known.
        return Ok(Minimized::new(MinimizeStatus::Unknown, lower, None));
    };
    events(MinimizeEvent::Incumbent { height: first.height, by: "greedy".into() });
    if root.should_stop() {
        // No time left to improve it (the improvers cost a sort of every
        // buffer to set up).
        let status = if first.height <= lower { MinimizeStatus::Optimal } else { MinimizeStatus::Feasible };
        let fits = within(problem, first.height);
        let status = if fits { status } else { MinimizeStatus::Unknown };
        let above_capacity = (!fits).then_some(first.height);
        return Ok(Minimized {
            above_capacity,
            ..Minimized::new(status, lower.min(first.height), fits.then_some(first))
        });
    }
    // Two improvers race: the neighbourhood search on most threads, and,
    // where there are threads to spare and the greedy is affordable, the
    // squeaky wheel from the best greedy order on the rest (one in four).
    let wheel_start = starts.iter().find_map(|s| Some((s.1?, s.0.clone()))).filter(|_| threads >= 2);
    let wheels = if wheel_start.is_some() { (threads / 4).max(1) } else { 0 };
    let options = crate::lns::LnsOptions {
        threads: threads - wheels,
        granularity: g,
        seed: params.seed,
        tunables: opts.lns.clone(),
    };
    // Progress reports only heights below every one reported before.
    let reported = Mutex::new(first.height);
    let report = |h: i64, by: &str| {
        let mut r = reported.lock();
        if h < *r {
            *r = h;
            events(MinimizeEvent::Incumbent { height: h, by: by.into() });
        }
    };
    // Cancelled once an improver reaches the bound: the others can stop.
    let reached = root.child();
    let starts: Vec<Solution> = starts.into_iter().map(|s| s.0).collect();
    let (searched, wheeled) = std::thread::scope(|scope| {
        let wheel_runs: Vec<_> = (0..wheels)
            .filter_map(|w| {
                let (key, start) = wheel_start.as_ref()?;
                let (report, reached) = (&report, &reached);
                Some(scope.spawn(move || {
                    let progress = |s: &Solution| {
                        report(s.height, "squeaky wheel");
                        if s.height <= lower {
                            reached.cancel();
                        }
                    };
                    heuristics::squeaky::squeaky(problem, *key, Some(start), params.seed ^ w as u64, reached, &progress)
                }))
            })
            .collect();
        let progress = |h: i64| report(h, "neighbourhood search");
        let searched = crate::lns::improve_from(problem, &starts, lower, &options, &reached, &progress);
        if searched.as_ref().is_some_and(|s| s.height <= lower) {
            reached.cancel();
        }
        let wheeled: Vec<Solution> = wheel_runs.into_iter().filter_map(|h| h.join().ok().flatten()).collect();
        (searched, wheeled)
    });
    let best = searched.into_iter().chain(wheeled).fold(first, |a, b| if b.height < a.height { b } else { a });
    let status = if best.height <= lower { MinimizeStatus::Optimal } else { MinimizeStatus::Feasible };
    if !within(problem, best.height) {
        // A given capacity the search could not reach: not proven infeasible.
        let above_capacity = Some(best.height);
        return Ok(Minimized { above_capacity, ..Minimized::new(MinimizeStatus::Unknown, lower, None) });
    }
    Ok(Minimized::new(status, lower.min(best.height), Some(best)))
}

/// The lowest greedy packing over the strategies, partition by partition,
/// under `capacity` (buffers never active go at 0 or their fixed offset).
fn greedy_incumbent(
    problem: &Problem,
    model: &Model,
    strategies: &[heuristics::Greedy],
    capacity: i64,
    stop: &StopToken,
) -> Option<Solution> {
    let hints: Vec<Option<i64>> = problem.buffers.iter().map(|b| b.hint).collect();
    let mut offsets: Vec<i64> = problem.buffers.iter().map(|b| b.offset.unwrap_or(0)).collect();
    let defaults =
        [heuristics::Greedy { order: heuristics::GreedyOrder::Size, fit: heuristics::Fit::Best, hints: true }];
    let strategies = if strategies.is_empty() { &defaults[..] } else { strategies };
    for part in model.partitions() {
        let mut best: Option<(i64, Vec<i64>)> = None;
        for g in strategies {
            if let Some(placed) = heuristics::place(model, &part.buffers, capacity, *g, &hints, stop) {
                let h = part.buffers.iter().zip(&placed).map(|(&b, &o)| o + problem.buffers[b].size).max().unwrap_or(0);
                if best.as_ref().is_none_or(|(bh, _)| h < *bh) {
                    best = Some((h, placed));
                }
            }
        }
        let (_, placed) = best?;
        for (&b, o) in part.buffers.iter().zip(placed) {
            offsets[b] = o;
        }
    }
    Some(Solution::new(problem, offsets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Buffer;
    use crate::validate::validate;

    fn seed() -> Problem {
        crate::problem::seed_example(0)
    }

    fn params(threads: usize) -> SolverParams {
        SolverParams { threads, ..SolverParams::default() }
    }

    #[test]
    fn seed_minimum_is_twelve() {
        for threads in [1, 2] {
            let m = minimize(&seed(), &params(threads), None).unwrap();
            assert_eq!(m.status, MinimizeStatus::Optimal);
            assert_eq!(m.solution.as_ref().unwrap().height, 12);
            assert_eq!(m.lower_bound, 12);
        }
    }

    #[test]
    fn tricky_instance_needs_more_than_its_load() {
        let bufs = [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)];
        let p = Problem::new(
            bufs.iter().enumerate().map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s)).collect(),
            0,
        );
        for threads in [1, 2, 3] {
            let m = minimize(&p, &params(threads), None).unwrap();
            assert_eq!(m.status, MinimizeStatus::Optimal);
            assert_eq!(m.solution.as_ref().unwrap().height, 5);
            assert_eq!(m.lower_bound, 5, "refuting 4 proved the bound");
            assert!(m.probes.contains(&(4, ProbeOutcome::Infeasible)));
            assert!(m.backtracks > 0, "the probe at 4 searched");
        }
    }

    #[test]
    fn infeasible_start() {
        let mut b = Buffer::new("a", 0, 1, 4);
        b.offset = Some(0);
        let p = Problem::new(vec![b], 3);
        let m = minimize(&p, &params(2), None).unwrap();
        assert_eq!(m.status, MinimizeStatus::Infeasible);
        assert!(m.solution.is_none());
    }

    #[test]
    fn a_given_capacity_is_an_upper_bound() {
        let mut p = seed();
        p.capacity = 20;
        let m = minimize(&p, &params(2), None).unwrap();
        assert_eq!(m.status, MinimizeStatus::Optimal);
        let s = m.solution.unwrap();
        let mut at = p.clone();
        at.capacity = s.height;
        validate(&at, &s).unwrap();
    }

    #[test]
    fn a_capacity_under_the_optimum_is_refuted_and_what_was_found_told() {
        // Load 4, optimum 5: every greedy packing passes the capacity 4.
        let bufs = [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)];
        let buffers = bufs.iter().enumerate().map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s)).collect();
        let p = Problem::new(buffers, 4);
        for threads in [1, 2, 3] {
            let m = minimize(&p, &params(threads), None).unwrap();
            assert_eq!(m.status, MinimizeStatus::Infeasible, "{threads} threads");
            assert!(m.solution.is_none());
            assert_eq!(m.lower_bound, 5);
            assert!(m.above_capacity.is_some_and(|h| h >= 5), "the greedy packing's height is told");
        }
        let m = minimize(&Problem { capacity: 5, ..p }, &params(2), None).unwrap();
        assert_eq!((m.status, m.above_capacity), (MinimizeStatus::Optimal, None));
    }

    #[test]
    fn searches_at_the_bound_take_the_restarting_hole_branching_workers() {
        let opts = SolveOptions::from_params(&params(2));
        let searchers = bound_searchers(&opts, 2).expect("the default has holes~r");
        assert!(searchers.workers.iter().all(|w| w.holes && w.restarts));
        assert_eq!(searchers.workers.len(), opts.workers.iter().filter(|w| w.holes && w.restarts).count());
        assert!(!searchers.tunables.quick_round && !searchers.tunables.stacking);
        // Neither on one thread (the reference's probes) nor in a
        // deterministic run, nor switched off, nor without such workers.
        assert!(bound_searchers(&opts, 1).is_none());
        let deterministic = SolverParams { deterministic: true, ..params(2) };
        assert!(bound_searchers(&SolveOptions::from_params(&deterministic), 2).is_none());
        let mut off = opts.clone();
        off.minimize.bound_search = false;
        assert!(bound_searchers(&off, 2).is_none());
        let mut without = opts.clone();
        without.workers.retain(|w| !w.holes);
        assert!(bound_searchers(&without, 2).is_none());
    }

    /// A search at the bound raises the bound when it refutes it and
    /// leaves the descent's schedule alone when it runs out of time; a
    /// probe of the descent that runs out of time hands the next start to
    /// a search at the bound, and one that finds a packing does not.
    #[test]
    fn a_search_at_the_bound_takes_turns_with_the_descent() {
        let p = seed();
        let model = Model::build(&p, &StopToken::new()).unwrap();
        let mut progress = Progress::new(&p, &model, 10, 1, &|_| {});
        let mut d = Descent {
            slots: 1,
            per_probe: 1,
            budget: Duration::from_millis(1),
            step: 4,
            timed_out: Vec::new(),
            running: Vec::new(),
            exhausted_at: i64::MIN,
            bound_searches: true,
            bound_turn: false,
            bound_runs: 0,
        };
        let timed_out = d.settle(&mut progress, (10, true), Ok(Outcome::TimeLimit), false).unwrap();
        assert_eq!((timed_out, d.step, d.bound_turn), (ProbeOutcome::Unknown, 4, false));
        assert!(d.timed_out.is_empty());
        assert_eq!(d.settle(&mut progress, (10, true), Ok(Outcome::TimeLimit), true).unwrap(), ProbeOutcome::Closed);
        let refuted = Outcome::Infeasible { capacity: 10, reason: None };
        assert_eq!(d.settle(&mut progress, (10, true), Ok(refuted), false).unwrap(), ProbeOutcome::Infeasible);
        assert_eq!(progress.lower, 11);
        d.settle(&mut progress, (14, false), Ok(Outcome::TimeLimit), false).unwrap();
        assert_eq!((d.step, d.bound_turn, d.timed_out.clone()), (2, true, vec![14]));
        // Every buffer above the last: a packing of some height.
        let stacked = p.buffers.iter().scan(0, |top, b| Some(std::mem::replace(top, *top + b.size))).collect();
        let sol = Solution::new(&p, stacked);
        d.settle(&mut progress, (14, false), Ok(Outcome::Solved(sol)), false).unwrap();
        assert!(!d.bound_turn);
    }

    /// The coarse repair, from a coarse packing with its buffers stacked
    /// one on another, sends packings of the problem itself, each valid
    /// and lower than the last, down to the capacity a packing with holes
    /// was made in for most seeds.
    #[test]
    fn a_coarse_repair_lowers_an_expanded_packing() {
        let fitted = (0..5u64).filter(|&seed| coarse_repair_fits(seed, None)).count();
        assert!(fitted >= 3, "{fitted} of 5 fitted");
    }

    /// The coarse repair refined level by level: with so little patience
    /// that it refines the coarse problem after nearly every attempt, the
    /// packings it sends are still the problem's own, valid, each lower
    /// than the one before, and most reach the capacity they were made in.
    #[test]
    fn an_impatient_coarse_repair_refines_and_still_lowers() {
        let fitted = (0..5u64).filter(|&seed| coarse_repair_fits(seed, Some(200))).count();
        assert!(fitted >= 3, "{fitted} of 5 fitted");
    }

    /// Runs the coarse repair (with `patience`, if given) on a packing with
    /// holes made with `seed`, from its coarse buffers stacked one on
    /// another; checks that every packing sent is valid and lower than the
    /// last, and tells whether the last fits the capacity it was made in.
    fn coarse_repair_fits(seed: u64, patience: Option<i64>) -> bool {
        let made = crate::generate::remove_pieces(&crate::generate::perfect(seed, 80, 1 << 10, 100), seed, 5);
        let p = Problem { capacity: 0, ..made };
        let coarse = crate::coarsen::coarsen(&p, seed, None).unwrap();
        let stacked = coarse.problem.buffers.iter().scan(0, |top, b| Some(std::mem::replace(top, *top + b.size)));
        let start = Solution::new(&coarse.problem, stacked.collect());
        let root = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(5)));
        let model = Model::build(&p, &root).unwrap();
        let mut opts = SolveOptions::from_params(&params(2));
        if let Some(patience) = patience {
            opts.minimize.coarse_patience = patience;
        }
        let work = Work::default();
        let prober = Prober { problem: &p, opts: &opts, root: &root, model: &model, work: &work };
        let (tx, rx) = unbounded();
        // The capacity it was made in as the goal: the repair stops there.
        coarse_repair(&prober, (coarse, start.clone()), (1 << 10, 1), seed, &root, &tx);
        drop(tx);
        let mut last = start.height;
        for m in rx.iter() {
            let Message::Repaired(s) = m else { panic!("seed {seed}: a probe's message") };
            assert_eq!(validate(&Problem { capacity: s.height, ..p.clone() }, &s), Ok(()), "seed {seed}");
            assert!(s.height < last, "seed {seed}: {} after {last}", s.height);
            last = s.height;
        }
        last <= 1 << 10
    }

    /// A coarse turn of the searches at the bound packs a perfect
    /// packing (glued back, expanded, validated) at the bound; below it,
    /// where the coarse problem's load is refuted at once, it ends unknown:
    /// a coarse problem that does not pack proves nothing.
    #[test]
    fn a_coarse_turn_at_the_bound_packs_or_proves_nothing() {
        let p = crate::generate::perfect(5, 40, 1 << 10, 100);
        let root = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(20)));
        let model = Model::build(&p, &root).unwrap();
        let opts = SolveOptions::from_params(&params(2));
        let searchers = bound_searchers(&opts, 2).unwrap();
        let work = Work::default();
        let prober = Prober { problem: &p, opts: &opts, root: &root, model: &model, work: &work };
        for turn in [1, 3] {
            match prober.bound_search(&searchers, (1 << 10, turn), 1, &root, &Vec::new()) {
                Ok(Outcome::Solved(s)) => assert_eq!(validate(&p, &s), Ok(()), "turn {turn}"),
                other => panic!("turn {turn}: {other:?}"),
            }
            let below = prober.bound_search(&searchers, ((1 << 10) - 1, turn), 1, &root, &Vec::new());
            assert!(matches!(below, Ok(Outcome::Unknown(_))), "turn {turn}: {below:?}");
        }
    }

    /// Two programs side by side in order, each a packing with holes of
    /// height 64 on a clock of its own: the minimization packs them part by
    /// part and stacks the parts, as high as the two heights at most.
    #[test]
    fn programs_side_by_side_are_minimized_part_by_part() {
        let program = |seed: u64| {
            let full = crate::generate::perfect(seed, 60, 64, 1000);
            crate::generate::remove_pieces(&full, seed, 10)
        };
        let (a, b) = (program(1), program(2));
        let renamed = b.buffers.iter().map(|x| Buffer { id: format!("b_{}", x.id), ..x.clone() });
        let pair = Problem::new(a.buffers.iter().cloned().chain(renamed).collect(), 0);
        let params = SolverParams { threads: 2, timeout: Some(Duration::from_secs(5)), ..SolverParams::default() };
        let by = std::sync::Mutex::new(Vec::new());
        let record = |e: MinimizeEvent| {
            if let MinimizeEvent::Incumbent { by: who, .. } = e {
                by.lock().unwrap().push(who);
            }
        };
        let m = minimize_with(&pair, &SolveOptions::from_params(&params), Arc::default(), &record).unwrap();
        let s = m.solution.unwrap();
        validate(&Problem { capacity: s.height, ..pair.clone() }, &s).unwrap();
        assert!(s.height <= 128, "height {}", s.height);
        assert!(by.lock().unwrap().iter().any(|w| w == "stacking"), "{:?}", by.lock().unwrap());
    }
}
