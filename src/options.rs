//! The options a solve takes: the portfolio's configuration (its exact
//! workers, greedy placements, nogoods, time slices and detours) around the
//! solver parameters that every driver reads. Below every driver, so that
//! the facade and the front ends set a solve up without reaching into the
//! portfolio.

use crate::heuristics::{Fit, Greedy, GreedyOrder};
use crate::params::{parse_heuristics, Heuristic, SolverParams};
use crate::switches::{Switch, Switches};

/// One exact search configuration: a preordering heuristic, the technique
/// switches, and whether ties are broken by a seeded random rank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worker {
    /// Shown in progress lines and statistics.
    pub name: String,
    /// The static preordering.
    pub heuristic: Heuristic,
    /// Its technique switches.
    pub switches: Switches,
    /// Break preorder ties by a random rank drawn from the seed instead of
    /// by buffer index.
    pub seeded: bool,
    /// In the live race, restart the search of a partition after a budget
    /// of slices that follows the Luby sequence (1, 1, 2, 1, 1, 2, 4, ...
    /// times `RESTART_SLICES`, 64), each time with a new random rank (so only
    /// for seeded workers), keeping its cache of what it proved. Restarts
    /// cut the heavy tail of a depth-first search that made one bad early
    /// choice; the deterministic race does not restart.
    pub restarts: bool,
}

impl Worker {
    /// A worker with the default switches.
    pub fn new(heuristic: &str, seeded: bool) -> Self {
        let heuristic = parse_heuristics(heuristic)
            .ok()
            .and_then(|h| h.into_iter().next())
            .unwrap_or_else(|| parse_heuristics(crate::params::DEFAULT_HEURISTICS).unwrap_or_default().remove(0));
        let name = if seeded { format!("{heuristic}~") } else { heuristic.to_string() };
        Worker { name, heuristic, switches: Switches::default(), seeded, restarts: false }
    }
}

/// How the portfolio runs: its workers, greedy placements and techniques
/// beside the parameters every driver reads.
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
    /// Give the race's searches caches of sub-problems proven infeasible
    /// (nogoods); what they share, and with whom, depends on the mode: see
    /// the module docs.
    pub nogoods: bool,
    /// Run the reference's first round robin round before anything else.
    pub quick_round: bool,
    /// Nodes a search runs before the live race's scheduler may switch its
    /// thread to another search (a time slice; searches pause, never
    /// restart). `[default: 256]` `[range: 1..]`, preset key `slice`: short
    /// enough that a partition's searches share a thread fairly, long
    /// enough that the scheduler's lock is rarely taken.
    pub slice: i64,
    /// Nodes every worker runs per step in deterministic mode, between the
    /// points where the workers compare notes. `[default: 1024]` `[range:
    /// 1..]`, preset key `step`: searches pause rather than restart, so a
    /// step only sets how often the workers merge what they proved.
    pub step: i64,
    /// Try a stacked packing when the buffer list is two problems side by
    /// side (see `stacking`), as the portfolio's detour after the quick
    /// round and greedy placements. `[default: on]`, preset key `stacking`.
    pub stacking: bool,
    /// How much more time the live race gives the searches that are
    /// winning: a task's share is weighted by `1 + bonus * ((depth /
    /// size)^8 + won)`, where `depth / size` is the most of its
    /// partition's buffers it once placed and `won` the share of the
    /// problem's buffers in the partitions its worker has already won (the
    /// quick round's wins go to the worker that continues that search).
    /// So with 3 a search that placed 95% of its buffers runs about three
    /// times as much as one stuck at 80%, and a worker that won half the
    /// buffers 2.5 times as much as one that won none. The reason: the
    /// partitions of one instance tend to want the same branching, and a
    /// search that got deep is the likeliest to finish. Weighing wins by
    /// buffers keeps trivial partitions (one buffer, placed by whichever
    /// heuristic came first) from counting. Its effect is measured by the
    /// ablation `configs/no-winning-bonus.toml` (docs/techniques.md).
    /// `[default: 3]` `[range: 0..; 0 gives every search an equal share]`,
    /// preset key `winning_bonus`.
    pub winning_bonus: u32,
    /// Hand the facts a live-race search learns from its failures
    /// (`Switch::FailureLearning`) on to the partition's other searches, at
    /// the end of each time slice (see `shared_facts`): a fact holds for
    /// every ordering, so another worker need not refute the same state
    /// again. The deterministic race keeps each search's facts its own.
    /// `[default: on]`, preset key `share_facts`.
    pub share_facts: bool,
}

impl PortfolioOptions {
    /// The default portfolio for `params` (`configs/default.toml` spells
    /// the same): the reference's three heuristics (TWA first: it alone
    /// solves most of the paper's hard instances), then a seeded TWA with
    /// point filling, which packs instances without slack that the
    /// reference's branching cannot; greedy best fit by size and by start;
    /// nogoods on.
    pub fn from_params(params: &SolverParams) -> Self {
        // Identical order only skips what mirrors a subtree already tried,
        // so every worker has it (on H it halves the nodes); so does
        // failure learning, which prunes by facts about the problem.
        let switches = params.switches.with(Switch::IdenticalOrder, true).with(Switch::FailureLearning, true);
        let mut workers: Vec<Worker> =
            ["TWA", "TAW", "WAT"].iter().map(|h| Worker { switches, ..Worker::new(h, false) }).collect();
        // Seeded, so that where point filling does not apply it is not a
        // copy of the first worker.
        workers.push(Worker {
            name: "TWA+pf".into(),
            switches: switches.with(Switch::PointFilling, true),
            ..Worker::new("TWA", true)
        });
        PortfolioOptions {
            params: params.clone(),
            workers,
            greedy: vec![
                Greedy { order: GreedyOrder::Size, fit: Fit::Best, hints: true },
                Greedy { order: GreedyOrder::Start, fit: Fit::Best, hints: true },
            ],
            nogoods: true,
            quick_round: true,
            slice: 256,
            step: 1024,
            stacking: true,
            winning_bonus: 3,
            share_facts: true,
        }
    }
}
