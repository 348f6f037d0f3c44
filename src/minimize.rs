//! Minimizing the capacity: the smallest capacity a packing fits in, with a
//! proof, or the best found and an honest gap.
//!
//! 1. Lower bounds first, without search: the largest load at any moment
//!    (gaps and windows respected), the largest buffer, the top of every
//!    fixed buffer.
//! 2. An incumbent: a solve at the given capacity, or greedy best fit when
//!    none is given.
//! 3. An optimistic probe at the lower bound with every thread: on the
//!    paper's instances the optimum usually *is* the load bound, and then the
//!    answer is proven at once. A refutation raises the bound by one and the
//!    next bound is tried.
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
//!
//! Partitions are independent, so a probe starts with every partition
//! whose best known placement already fits under its capacity: only the
//! partitions that set the height are searched again. The best solution
//! found is always kept, whatever stops the run.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::unbounded;
use parking_lot::Mutex;

use crate::bounds::{granularity, LowerBounds};
use crate::error::SolveError;
use crate::heuristics;
use crate::params::SolverParams;
use crate::portfolio::{Portfolio, PortfolioOptions};
use crate::problem::{Problem, Solution, MAX_CAPACITY};
use crate::search::Model;
use crate::stop::StopToken;

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
    let opts = PortfolioOptions::from_params(params);
    minimize_with(problem, &opts, cancel.unwrap_or_default(), &|_| {})
}

/// A probe running on its own threads.
struct Running {
    capacity: i64,
    /// The probe's own token (a child of the run's): cancelled once other
    /// results make the probe pointless.
    stop: StopToken,
}

type ProbeResult = (i64, Result<Solution, SolveError>);

/// [`minimize`] with a full portfolio configuration and progress events.
pub fn minimize_with(
    problem: &Problem,
    opts: &PortfolioOptions,
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
    opts: &PortfolioOptions,
    stop: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Result<Minimized, SolveError> {
    problem.check()?;
    let mut m = descend(problem, opts, &crate::validate::until_checked(stop, problem), events)?;
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
    opts: &PortfolioOptions,
    root: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Result<Minimized, SolveError> {
    let params = &opts.params;
    let threads = params.thread_count().max(1);
    let sequential = params.sequential();
    let bounds = LowerBounds::of(problem);
    // Heights come in multiples of the granularity, so the bound rounds up.
    let g = granularity(problem);
    let mut lower = i64::try_from(bounds.best().min(i128::from(MAX_CAPACITY) + 1)).unwrap_or(i64::MAX);
    lower = lower.saturating_add(g - 1) / g * g;
    events(MinimizeEvent::Bounds { lower });
    let nothing = |lower_bound: i64, status: MinimizeStatus, probes: Vec<(i64, ProbeOutcome)>| {
        Ok(Minimized { solution: None, lower_bound, status, probes })
    };
    if crate::bounds::fixed_conflict(problem).is_some() {
        // Fixed buffers that collide fit no capacity: a proof.
        return nothing(lower, MinimizeStatus::Infeasible, Vec::new());
    }
    if crate::lns::is_large(problem, params) {
        return minimize_large(problem, params, lower, g, root, events);
    }
    // The offline greedy orders first, where they are cheap: on real traces
    // they often reach the bound, which ends the minimization before the
    // model (its memory grows with the overlapping pairs) is even built.
    let mut seeded: Option<Solution> = None;
    if problem.buffers.len() <= EXACT_STARTS_LIMIT {
        let first = crate::lns::starts(problem, threads, lower, root).into_iter().next().map(|s| s.0);
        if let Some(s) = first.filter(|s| problem.capacity == 0 || s.height <= problem.capacity) {
            if s.height <= lower {
                events(MinimizeEvent::Incumbent { height: s.height, by: "greedy".into() });
                return Ok(Minimized {
                    lower_bound: s.height,
                    solution: Some(s),
                    status: MinimizeStatus::Optimal,
                    probes: Vec::new(),
                });
            }
            seeded = Some(s);
        }
    }
    let Some(model) = Model::build(problem, root) else {
        // Stopped while building the model: the greedy's packing, if any.
        let status = if seeded.is_some() { MinimizeStatus::Feasible } else { MinimizeStatus::Unknown };
        let seeded = seeded.filter(|s| problem.capacity == 0 || s.height <= problem.capacity);
        return Ok(Minimized { lower_bound: lower, status, solution: seeded, probes: Vec::new() });
    };
    let parts = model.partitions();
    let mut known: Vec<Option<(Vec<i64>, i64)>> = vec![None; parts.len()];
    let mut best: Option<Solution> = None;
    let mut probes = Vec::new();
    let remaining = || root.deadline().map(|d| d.saturating_duration_since(Instant::now()));
    let out_of_time = || root.should_stop();

    // Keeps `sol` if it is the best so far, and its partitions' placements
    // where they beat what is known.
    let adopt = |sol: Solution, by: &str, best: &mut Option<Solution>, known: &mut Vec<Option<(Vec<i64>, i64)>>| {
        for (p, part) in parts.iter().enumerate() {
            let placed: Vec<i64> = part.buffers.iter().map(|&b| sol.offsets[b]).collect();
            let height = part.buffers.iter().map(|&b| sol.offsets[b] + problem.buffers[b].size).max().unwrap_or(0);
            if known[p].as_ref().is_none_or(|(_, h)| height < *h) {
                known[p] = Some((placed, height));
            }
        }
        if best.as_ref().is_none_or(|b| sol.height < b.height) {
            events(MinimizeEvent::Incumbent { height: sol.height, by: by.to_string() });
            *best = Some(sol);
        }
    };

    // A probe's token: the run's, with the probe's time budget.
    let probe_token = |budget: Option<Duration>| root.child_until(budget.and_then(|b| Instant::now().checked_add(b)));
    // One probe at `capacity` on `threads` threads until its token stops it;
    // partitions known to fit are not searched again.
    let probe = |capacity: i64, threads: usize, stop: &StopToken, known: &[Option<(Vec<i64>, i64)>]| {
        let p = SolverParams { threads, ..params.clone() };
        let at = Problem { buffers: problem.buffers.clone(), capacity };
        if sequential && known.iter().all(Option::is_none) {
            return crate::sequential::solve(&at, &p, stop).0;
        }
        let o = PortfolioOptions { params: p, ..opts.clone() };
        Portfolio::new(o).solve_until(&at, Some(&model), known, stop, &|_| {}).result
    };
    let watched = |capacity: i64, threads: usize, budget: Option<Duration>, known: &[Option<(Vec<i64>, i64)>]| {
        probe(capacity, threads, &probe_token(budget), known)
    };

    // 1-2. The incumbent.
    if let Some(s) = seeded {
        adopt(s, "greedy", &mut best, &mut known);
    }
    if problem.capacity > 0 {
        if lower > problem.capacity {
            return Ok(Minimized { solution: None, lower_bound: lower, status: MinimizeStatus::Infeasible, probes });
        }
        // A greedy packing under the capacity already shows it fits.
        let outcome = if best.is_none() { Some(watched(problem.capacity, threads, None, &known)) } else { None };
        match outcome {
            None => {}
            Some(Ok(sol)) => {
                probes.push((problem.capacity, ProbeOutcome::Solved(sol.height)));
                adopt(sol, "the given capacity", &mut best, &mut known);
            }
            Some(Err(SolveError::Infeasible { .. })) => {
                probes.push((problem.capacity, ProbeOutcome::Infeasible));
                return Ok(Minimized {
                    solution: None,
                    lower_bound: problem.capacity + 1,
                    status: MinimizeStatus::Infeasible,
                    probes,
                });
            }
            Some(Err(SolveError::Timeout | SolveError::Cancelled | SolveError::Unknown(_))) => {
                probes.push((problem.capacity, ProbeOutcome::Unknown));
                return Ok(Minimized { solution: None, lower_bound: lower, status: MinimizeStatus::Unknown, probes });
            }
            Some(Err(e)) => return Err(e),
        }
    } else {
        // Stacking every free buffer above the fixed ones always fits (and
        // `check` keeps that height within the largest capacity).
        let stack = problem.stacked_height().clamp(0, i128::from(MAX_CAPACITY));
        let upper_start = i64::try_from(stack).unwrap_or(MAX_CAPACITY).max(lower);
        if let Some(sol) = greedy_incumbent(problem, &model, &opts.greedy, upper_start, root) {
            adopt(sol, "greedy", &mut best, &mut known);
        } else if best.is_none() {
            match watched(upper_start, threads, None, &known) {
                Ok(sol) => adopt(sol, "search", &mut best, &mut known),
                Err(SolveError::Infeasible { .. }) => {
                    // Fixed buffers collide: nothing fits.
                    return Ok(Minimized {
                        solution: None,
                        lower_bound: upper_start + 1,
                        status: MinimizeStatus::Infeasible,
                        probes,
                    });
                }
                Err(SolveError::Timeout | SolveError::Cancelled | SolveError::Unknown(_)) => {
                    return Ok(Minimized {
                        solution: None,
                        lower_bound: lower,
                        status: MinimizeStatus::Unknown,
                        probes,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }
    let height = |best: &Option<Solution>| best.as_ref().map_or(i64::MAX, |b| b.height);

    // 3. Optimistic probes at the lower bound, with every thread.
    while lower < height(&best) && !out_of_time() {
        let budget = match remaining() {
            Some(r) => (r / 12).min(Duration::from_secs(10)),
            None => Duration::from_secs(10),
        }
        .max(Duration::from_millis(200));
        match watched(lower, threads, Some(budget), &known) {
            Ok(sol) => {
                probes.push((lower, ProbeOutcome::Solved(sol.height)));
                events(MinimizeEvent::Probe { capacity: lower, outcome: ProbeOutcome::Solved(sol.height) });
                adopt(sol, "probe at the lower bound", &mut best, &mut known);
            }
            Err(SolveError::Infeasible { .. }) => {
                probes.push((lower, ProbeOutcome::Infeasible));
                events(MinimizeEvent::Probe { capacity: lower, outcome: ProbeOutcome::Infeasible });
                lower += g;
                events(MinimizeEvent::Lower { lower });
            }
            Err(SolveError::Timeout | SolveError::Cancelled | SolveError::Unknown(_)) => {
                probes.push((lower, ProbeOutcome::Unknown));
                events(MinimizeEvent::Probe { capacity: lower, outcome: ProbeOutcome::Unknown });
                break;
            }
            Err(e) => return Err(e),
        }
    }

    // 4. Descent with concurrent probes. Each probes a capacity some step
    //    below the incumbent (the slots at one and two steps). A solution
    //    becomes the incumbent and doubles the step; a probe that runs out of
    //    time halves it, since capacities closer to the incumbent are easier;
    //    a refutation raises the lower bound. When the step is down to one
    //    and still nothing is found, budgets double. Near the bound the step
    //    covers the whole gap, so this ends in a bisection and a proof.
    // On a dense model the memory for searches caps the threads (each
    // probe runs one search a thread).
    let threads = threads.min(model.affordable_searches());
    let slots = if threads >= 2 && !params.deterministic { 2.min(threads) } else { 1 };
    let per_probe = (threads / slots).max(1);
    let mut budget = match remaining() {
        Some(r) => (r / 16).clamp(Duration::from_millis(250), Duration::from_secs(10)),
        None => Duration::from_secs(5),
    };
    // Steps count granules of `g`; capacities that timed out with the
    // current budget are not tried again until the budget grows.
    let mut step = ((height(&best).saturating_sub(lower)) / g / 16).max(1);
    let mut timed_out: Vec<i64> = Vec::new();
    let (tx, rx) = unbounded::<ProbeResult>();
    let mut running: Vec<Running> = Vec::new();
    // An error no probe should give (an internal one): it ends the run.
    let mut failure: Option<SolveError> = None;
    // The search is not complete with interleaving windows: a probe that
    // exhausts it at c proves nothing, but no probe at c or below can find
    // more (a stacking that fits under a capacity fits under any larger
    // one), so the descent stops there instead of retrying forever.
    let mut exhausted_at = i64::MIN;
    std::thread::scope(|scope| {
        loop {
            let h = height(&best);
            let floor = lower.max(exhausted_at.saturating_add(g));
            if floor >= h || out_of_time() {
                break;
            }
            // Close probes that results made pointless.
            for r in &running {
                if r.capacity >= h || r.capacity < floor {
                    r.stop.cancel();
                }
            }
            // Fill the free slots, one step apart below the incumbent.
            let top = (h - 1) / g * g; // the largest multiple of g below h
            let mut k = 0;
            while running.iter().filter(|r| !r.stop.is_cancelled()).count() < slots && k < slots as i64 {
                let capacity = top.saturating_sub(g.saturating_mul(step.saturating_mul(k + 1) - 1)).max(floor);
                k += 1;
                if timed_out.contains(&capacity)
                    || running.iter().any(|r| r.capacity == capacity && !r.stop.is_cancelled())
                {
                    continue;
                }
                let stop = probe_token(Some(budget));
                running.push(Running { capacity, stop: stop.clone() });
                let (tx, known) = (tx.clone(), known.clone());
                let probe = &probe;
                scope.spawn(move || {
                    let result = probe(capacity, per_probe, &stop, &known);
                    let _ = tx.send((capacity, result));
                });
            }
            if running.iter().all(|r| r.stop.is_cancelled()) {
                // Everything within reach timed out: give probes more time.
                budget = budget.saturating_mul(2);
                timed_out.clear();
                step = 1;
                continue;
            }
            // Wait for a result. Every running probe reports, and each stops
            // by itself with the run's token (deadline, cancel) or its own,
            // so a blocking wait cannot hang.
            let Ok((capacity, result)) = rx.recv() else { break };
            let Some(i) = running.iter().position(|r| r.capacity == capacity) else { continue };
            let closed = running[i].stop.is_cancelled();
            running.remove(i);
            let outcome = match result {
                Ok(sol) => {
                    let h = sol.height;
                    adopt(sol, &format!("probe at {capacity}"), &mut best, &mut known);
                    // Bolder, but never beyond a quarter of the remaining gap.
                    let gap = (height(&best) - lower) / g;
                    step = step.saturating_mul(2).min((gap / 4).max(1));
                    ProbeOutcome::Solved(h)
                }
                Err(SolveError::Infeasible { .. }) => {
                    if capacity >= lower {
                        lower = capacity + g;
                        events(MinimizeEvent::Lower { lower });
                    }
                    ProbeOutcome::Infeasible
                }
                Err(SolveError::Timeout | SolveError::Cancelled) if closed => ProbeOutcome::Closed,
                Err(SolveError::Unknown(_)) => {
                    exhausted_at = exhausted_at.max(capacity);
                    ProbeOutcome::Unknown
                }
                Err(SolveError::Timeout | SolveError::Cancelled) => {
                    timed_out.push(capacity);
                    step = (step / 2).max(1);
                    ProbeOutcome::Unknown
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            probes.push((capacity, outcome));
            events(MinimizeEvent::Probe { capacity, outcome });
        }
        for r in &running {
            r.stop.cancel();
        }
        // Results still in flight are kept if they help.
        drop(tx);
        for (capacity, result) in rx.iter() {
            if let Ok(sol) = result {
                let h = sol.height;
                adopt(sol, &format!("probe at {capacity}"), &mut best, &mut known);
                probes.push((capacity, ProbeOutcome::Solved(h)));
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }

    let status = match &best {
        Some(s) if s.height <= lower => MinimizeStatus::Optimal,
        Some(_) => MinimizeStatus::Feasible,
        None => MinimizeStatus::Unknown,
    };
    let lower_bound = best.as_ref().map_or(lower, |s| lower.min(s.height));
    Ok(Minimized { solution: best, lower_bound, status, probes })
}

/// Problems with more buffers than this skip the offline greedy orders
/// before the exact minimization (each costs O(n^2) cheap steps; at 20,000
/// buffers a fraction of a second).
const EXACT_STARTS_LIMIT: usize = 20_000;

/// Minimization of a problem too large for the exact model: the best online
/// packing, improved by large neighbourhood search until `root` stops it
/// (without a deadline, after [`crate::lns::LARGE_DEFAULT_TIME`]); the
/// lower bound is the proven bound.
fn minimize_large(
    problem: &Problem,
    params: &SolverParams,
    lower: i64,
    g: i64,
    root: &StopToken,
    events: &(dyn Fn(MinimizeEvent) + Sync),
) -> Result<Minimized, SolveError> {
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
        return Ok(Minimized {
            solution: None,
            lower_bound: lower,
            status: MinimizeStatus::Unknown,
            probes: Vec::new(),
        });
    };
    events(MinimizeEvent::Incumbent { height: first.height, by: "greedy".into() });
    if root.should_stop() {
        // No time left to improve it (the improvers cost a sort of every
        // buffer to set up).
        let status = if first.height <= lower { MinimizeStatus::Optimal } else { MinimizeStatus::Feasible };
        let fits = problem.capacity == 0 || first.height <= problem.capacity;
        return Ok(Minimized {
            lower_bound: lower.min(first.height),
            status: if fits { status } else { MinimizeStatus::Unknown },
            solution: fits.then_some(first),
            probes: Vec::new(),
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
        ..crate::lns::LnsOptions::default()
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
    if problem.capacity > 0 && best.height > problem.capacity {
        // A given capacity the search could not reach: not proven infeasible.
        return Ok(Minimized {
            solution: None,
            lower_bound: lower,
            status: MinimizeStatus::Unknown,
            probes: Vec::new(),
        });
    }
    Ok(Minimized { lower_bound: lower.min(best.height), solution: Some(best), status, probes: Vec::new() })
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
        Problem::new(
            vec![
                Buffer::new("b1", 0, 3, 4),
                Buffer::new("b2", 3, 9, 4),
                Buffer::new("b3", 0, 9, 4),
                Buffer::new("b4", 9, 21, 4),
                Buffer::new("b5", 0, 21, 4),
            ],
            0,
        )
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
}
