//! The options a solve takes: the solver parameters that every driver
//! reads, and beside them one part per driver: the portfolio's exact
//! workers, greedy placements and tunables (nogoods, time slices,
//! detours), the large-instance path's tunables and the minimization's. Below every driver, so that
//! the facade and the front ends set a solve up without reaching into the
//! portfolio.

use crate::heuristics::{Fit, Greedy, GreedyOrder};
use crate::params::{parse_heuristics, Heuristic, SolverParams};
use crate::switches::{Switch, Switches};
use crate::tunables::{LnsTunables, MinimizeTunables, PortfolioTunables};

/// A partition's placement known before a solve (from an earlier solve at
/// another capacity, as a minimization's probes hand on): its buffers'
/// offsets, in the partition's order, and its height; `None` where none
/// is known. A solve takes those that fit its capacity as they are.
pub type KnownPlacement = Option<(Vec<i64>, i64)>;

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
    /// times the tunable `restart_unit`), each time with a new random rank (so only
    /// for seeded workers), keeping its cache of what it proved. Restarts
    /// cut the heavy tail of a depth-first search that made one bad early
    /// choice; the deterministic race does not restart.
    pub restarts: bool,
    /// Where a point must be filled ([`Switch::PointFilling`]), try the
    /// buffers that can fill it in the order of the random rank (drawn
    /// anew at each restart) rather than the preorder's (so only for
    /// seeded workers). The preorder puts the same kind of buffer first at
    /// every point (TWA: the longest-lived), and a perfect packing that
    /// needs another choice low down is then out of reach for that search;
    /// with restarts, each start tries other choices there. Candidates
    /// are the same, only their order differs, so the search stays
    /// complete and every fact it learns holds.
    pub random_points: bool,
    /// Search by hole branching (the `search::holes` module):
    /// memory is filled from the bottom up, and at the lowest point of a
    /// run either a buffer starting there sits on the floor or the point
    /// stays empty for good (a branch of its own, allowed only while the
    /// sections keep some room: the free area of each bounds the room left
    /// empty there). The reference's branching never decides that a point
    /// stays empty, so on packings with a little slack an early hole in the
    /// wrong place is found out only deep down; point filling applies only
    /// where there is no slack at all. Complete: it may prove
    /// infeasibility. It searches the partitions of plain buffers (no gaps,
    /// no fixed offsets, alignments that divide every size); elsewhere the
    /// worker searches as the reference does. Its candidates follow the
    /// preorder's sizes (largest first, then longest), or the random rank
    /// for a seeded worker (new at each restart). In the live race it runs
    /// only on the partitions it searches.
    pub holes: bool,
    /// With `holes` and `restarts`: in the live race every second start
    /// (the first, the third, ...) searches the partition at its load
    /// bound (the most that is live at any moment) rather than at the
    /// capacity. A packing under the bound is a packing under the
    /// capacity, and hole branching slows down as the room grows (every
    /// point may stay empty while a section has room), so where the
    /// capacity leaves slack over a bound that is reached, those starts
    /// find what the others miss. A start at the bound whose search is
    /// exhausted proves nothing at the capacity: the worker searches that
    /// partition at the capacity from then on. The deterministic race,
    /// which does not restart, never tightens.
    pub tighten: bool,
    /// Search by guided repair at the capacity (`crate::repair`): from a
    /// greedy packing of the partition, which may pass the capacity, the
    /// buffers above a target and the highest others are packed again by
    /// hole branching under it, trying first where they were, until the
    /// packing fits. Different in kind from the other workers, which build
    /// a packing from the bottom up and meet a bad choice low down only far
    /// above it; this one starts from a whole packing and mends its top.
    /// Incomplete: it places a partition or runs until stopped, never
    /// proves anything. It searches the partitions hole branching applies
    /// to, starting late as hole branching does; elsewhere the worker
    /// searches as the reference does. Its noise comes from the seed.
    pub repair: bool,
}

impl Worker {
    /// A worker with the default switches.
    pub fn new(heuristic: &str, seeded: bool) -> Self {
        let heuristic = parse_heuristics(heuristic)
            .ok()
            .and_then(|h| h.into_iter().next())
            .unwrap_or_else(|| parse_heuristics(crate::params::DEFAULT_HEURISTICS).unwrap_or_default().remove(0));
        let name = if seeded { format!("{heuristic}~") } else { heuristic.to_string() };
        Worker {
            name,
            heuristic,
            switches: Switches::default(),
            seeded,
            restarts: false,
            random_points: false,
            holes: false,
            tighten: false,
            repair: false,
        }
    }
}

/// Everything a solve takes, whichever driver the facade picks: the
/// parameters every driver reads, and one part per driver (the
/// portfolio's workers, greedy placements and tunables; the large path's;
/// the minimization's). A driver reads its own part and the parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolveOptions {
    /// Switches (for the quick round and as the default of workers), the
    /// reference heuristics of the quick round, the time limit, threads, seed
    /// and determinism.
    pub params: SolverParams,
    /// The exact workers, in priority order.
    pub workers: Vec<Worker>,
    /// Greedy strategies tried on each partition before the race.
    pub greedy: Vec<Greedy>,
    /// The portfolio's tunables: which phases run and how the live race
    /// shares the threads (the quick round, nogoods, stacking, shared
    /// facts, the winning bonus, time slices and deterministic steps), each
    /// with its default and the reason for it in [`PortfolioTunables`].
    pub tunables: PortfolioTunables,
    /// The large-instance path's tunables (its neighbourhood search,
    /// preset table `[lns]`).
    pub lns: LnsTunables,
    /// Capacity minimization's tunables (its probes' budgets, preset
    /// table `[minimize]`).
    pub minimize: MinimizeTunables,
}

impl Default for SolveOptions {
    /// The default options for the default parameters.
    fn default() -> Self {
        SolveOptions::from_params(&SolverParams::default())
    }
}

impl SolveOptions {
    /// The default options for `params`, each driver's part at its
    /// defaults; the portfolio's (`configs/default.toml` spells the same): the reference's three heuristics (TWA first: it alone
    /// solves most of the paper's hard instances), then two seeded TWA with
    /// point filling, which pack instances without slack that the
    /// reference's branching cannot (the second fills points in a random
    /// order and restarts), a hole-branching worker that restarts and a
    /// worker that repairs a greedy packing;
    /// greedy best fit by size and by start;
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
        let pf = Worker {
            name: "TWA+pf".into(),
            switches: switches.with(Switch::PointFilling, true),
            ..Worker::new("TWA", true)
        };
        // The same, filling points in a random order, new at each restart
        // (see `Worker::random_points`): the preorder's worker keeps the
        // packings that need one long search, this one the many that a
        // fixed order misses low down.
        let random = Worker { name: "TWA+pf~r".into(), restarts: true, random_points: true, ..pf.clone() };
        // Different in kind: hole branching (see `Worker::holes`), seeded
        // and restarting, so that each start tries its points' buffers in
        // a new order, every second start at the load bound (see
        // `Worker::tighten`).
        let holes = Worker {
            name: "holes~r".into(),
            switches,
            restarts: true,
            holes: true,
            tighten: true,
            ..Worker::new("TWA", true)
        };
        // Different in kind again: guided repair of a greedy packing (see
        // `Worker::repair`).
        let repair = Worker { name: "repair~".into(), switches, repair: true, ..Worker::new("TWA", true) };
        workers.extend([pf, random, holes, repair]);
        SolveOptions {
            params: params.clone(),
            workers,
            greedy: vec![
                Greedy { order: GreedyOrder::Size, fit: Fit::Best, hints: true },
                Greedy { order: GreedyOrder::Start, fit: Fit::Best, hints: true },
            ],
            tunables: PortfolioTunables::default(),
            lns: LnsTunables::default(),
            minimize: MinimizeTunables::default(),
        }
    }
}
