//! What a solve tells the outside, whichever driver ran it: progress events
//! while it runs, and once it is over the result, its counters and the
//! driver that decided it.
//!
//! Every driver (the reference's round robin, the portfolio, stacking, the
//! large-instance search) speaks this one language, below all of them, so
//! that front ends (the command line, batch, Python, C) read a report
//! instead of knowing how a solve works or which driver the facade chose.

use std::time::Duration;

use crate::error::SolveError;
use crate::problem::Solution;
use crate::stop::StopToken;

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
pub struct Stats {
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
    /// Facts learned from failed nodes (`Switch::FailureLearning`).
    pub facts_learned: u64,
    /// Nodes those facts pruned.
    pub learned_hits: u64,
    /// Facts one search learned that another of the live race took in
    /// ([`crate::tunables::PortfolioTunables::share_facts`]).
    pub facts_shared: u64,
    /// Nodes those facts pruned (counted in [`Self::learned_hits`] too).
    pub shared_hits: u64,
    /// The worker that settled the answer (the last partition's winner, or
    /// the one that proved infeasibility).
    pub decided_by: Option<String>,
    /// The driver that ran the solve (`None` when it stopped before any
    /// driver did). The facade ([`crate::solver`]) is the one place that
    /// chooses it.
    pub driver: Option<Driver>,
}

/// The drivers the facade chooses among; see [`crate::solver`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Driver {
    /// The reference's algorithm: one exact search, its preorderings in
    /// round robin with doubling node limits (`--threads 1`).
    RoundRobin,
    /// The parallel portfolio of exact searches and greedy placements.
    Portfolio,
    /// The portfolio's detour for two problems side by side: each part
    /// packed alone, one above the other.
    Stacking,
    /// The portfolio's detour that packs a coarse problem (buffers glued
    /// where they chain or stack) and expands its packing.
    Coarsening,
    /// Problems too large for the exact search's model: online and greedy
    /// packings improved by neighbourhood search.
    Large,
    /// Capacity minimization (`--minimize_capacity`): bounds, then probes
    /// at fixed capacities.
    Minimize,
}

impl Driver {
    /// The name statistics and front ends print.
    pub fn name(self) -> &'static str {
        match self {
            Driver::RoundRobin => "round-robin",
            Driver::Portfolio => "portfolio",
            Driver::Stacking => "stacking",
            Driver::Coarsening => "coarsening",
            Driver::Large => "large",
            Driver::Minimize => "minimize",
        }
    }
}

impl std::fmt::Display for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Stats {
    /// Total nodes over all workers.
    pub fn nodes(&self) -> u64 {
        self.workers.iter().map(|w| w.nodes).sum()
    }

    /// Total backtracks over all workers.
    pub fn backtracks(&self) -> u64 {
        self.workers.iter().map(|w| w.backtracks).sum()
    }

    /// Adds the work of `other`, a solve run on this one's behalf (such as
    /// a stacked part), so that these counters cover the whole run: its
    /// workers' counters under `prefix` followed by their names, and its
    /// proofs, facts and hits. Wall time, threads and partitions stay this
    /// solve's own.
    pub fn absorb(&mut self, other: &Stats, prefix: &str) {
        for w in &other.workers {
            // A part of a part (stacked in turn) is counted once under the
            // prefix, not under it twice.
            let name = if w.name.starts_with(prefix) { w.name.clone() } else { format!("{prefix}{}", w.name) };
            let mine = self.worker(&name);
            mine.attempts += w.attempts;
            mine.nodes += w.nodes;
            mine.backtracks += w.backtracks;
            mine.wins += w.wins;
        }
        self.nogoods_proved += other.nogoods_proved;
        self.nogood_hits += other.nogood_hits;
        self.facts_learned += other.facts_learned;
        self.learned_hits += other.learned_hits;
        self.facts_shared += other.facts_shared;
        self.shared_hits += other.shared_hits;
    }

    /// The counters of the worker called `name`, added (at the end, so the
    /// list reads in the order workers first ran) when it has none yet.
    pub(crate) fn worker(&mut self, name: &str) -> &mut WorkerStats {
        if let Some(i) = self.workers.iter().position(|w| w.name == name) {
            return &mut self.workers[i];
        }
        self.workers.push(WorkerStats { name: name.to_string(), ..WorkerStats::default() });
        self.workers.last_mut().expect("just pushed")
    }
}

/// How a solve ended. None of these is an error: a proof that nothing
/// fits, a time limit or a search that ran out of methods are answers a
/// caller plans for; [`SolveError`] is kept for what the caller must fix
/// (invalid input or parameters) and for internal faults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A packing within the capacity, validated.
    Solved(Solution),
    /// Proven: no packing fits within `capacity`, by a bound (`reason`
    /// says which) or by an exhausted complete search (`reason` is `None`).
    /// Never from a heuristic, a node limit or a deadline.
    Infeasible {
        /// The capacity that was refuted.
        capacity: i64,
        /// A short reason when a bound refuted it before any search.
        reason: Option<String>,
    },
    /// The time limit passed before an answer was found.
    TimeLimit,
    /// The caller's cancel flag ([`crate::Solver::cancel`]) stopped it.
    Cancelled,
    /// The search ended without a packing and without a proof: it is not
    /// complete for this problem (e.g. windowed gaps whose packings
    /// interleave), or every heuristic that could run failed. Never a claim
    /// of infeasibility.
    Unknown(String),
}

impl Outcome {
    /// How a run stopped by `stop` ends: the time limit when its deadline
    /// passed and nobody cancelled, else a cancel.
    pub fn stopped(stop: &StopToken) -> Outcome {
        if stop.timed_out() {
            Outcome::TimeLimit
        } else {
            Outcome::Cancelled
        }
    }

    /// The packing, when one was found.
    pub fn solution(&self) -> Option<&Solution> {
        match self {
            Outcome::Solved(s) => Some(s),
            _ => None,
        }
    }

    /// The packing, when one was found, by value.
    pub fn into_solution(self) -> Option<Solution> {
        match self {
            Outcome::Solved(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the answer is proven: a packing, or a proof that none
    /// exists.
    pub fn is_proven(&self) -> bool {
        matches!(self, Outcome::Solved(_) | Outcome::Infeasible { .. })
    }

    /// The word statistics, batch reports and progress lines print:
    /// `solved`, `infeasible`, `timeout`, `cancelled` or `unknown`.
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Solved(_) => "solved",
            Outcome::Infeasible { .. } => "infeasible",
            Outcome::TimeLimit => "timeout",
            Outcome::Cancelled => "cancelled",
            Outcome::Unknown(_) => "unknown",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Solved(s) => write!(f, "solved: height {}", s.height),
            Outcome::Infeasible { capacity, reason } => {
                write!(f, "infeasible: no packing fits in capacity {capacity}")?;
                match reason {
                    Some(r) => write!(f, " ({r})"),
                    None => Ok(()),
                }
            }
            Outcome::TimeLimit => f.write_str("time limit reached with no solution"),
            Outcome::Cancelled => f.write_str("cancelled"),
            Outcome::Unknown(why) => write!(f, "unknown: no solution found and none ruled out ({why})"),
        }
    }
}

/// What a solve returns: how it ended, or the error that kept it from
/// running (invalid input or parameters) or from answering (an internal
/// fault, such as a packing that failed validation).
pub type SolveResult = Result<Outcome, SolveError>;

/// The result of a solve and its counters (the driver among them).
#[derive(Clone, Debug)]
pub struct Report {
    /// How it ended, or why it could not run.
    pub outcome: SolveResult,
    /// Counters.
    pub stats: Stats,
}
