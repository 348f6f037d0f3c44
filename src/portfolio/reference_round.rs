//! The quick round: the reference's first round robin round, run before
//! anything else so that easy instances get exactly the reference's answer.
//!
//! It is also the race's head start: when it decides nothing, the
//! partitions its attempts placed and the searches they left paused
//! mid-partition are handed on rather than thrown away.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{Placements, Solve};
use crate::params::{Heuristic, SolverParams};
use crate::problem::Solution;
use crate::report::{EventKind, Outcome, SolveResult, Stats, WorkerStats};
use crate::search::{Model, Search, Status};
use crate::stop::StopToken;

/// A quick-round search paused mid-partition: the partition, the heuristic
/// it runs, and the search itself, for the race to adopt.
pub(super) type Paused<'a> = (usize, Heuristic, Search<'a>);

/// What both passes of the quick round work with.
#[derive(Clone, Copy)]
struct Round<'p, 'a> {
    pool: &'p rayon::ThreadPool,
    model: &'a Model,
    capacity: i64,
    params: &'p SolverParams,
    stop: &'a StopToken,
    /// The searches' token: `stop` with the round's own time limit (see
    /// [`QUICK_ROUND_TIME`]); a search it stops has only run out of time.
    cap: &'p StopToken,
}

/// The most the quick round runs, or a twentieth of the time limit if that
/// is less; not in deterministic mode, whose answer must not depend on the
/// clock. `[default: 100 ms]` `[range: any]`: the round is there to give
/// easy instances the reference's own answer, which the paper's suite gets
/// well within it (`minimalloc --stats-json` names the decider:
/// `reference`), but its node budgets are counted in nodes, and where
/// nodes are slow (thousands of buffers live at once) the budgets would
/// take seconds. Cutting the round short loses nothing: its searches are
/// paused where they stand and the race carries them on. It is also the
/// longest an undecided round keeps the portfolio's detours (stacking,
/// coarsening) waiting.
pub const QUICK_ROUND_TIME: Duration = Duration::from_millis(100);

/// Nodes an attempt must have run before its backtracks say how it fares
/// (see [`Fare`]). `[default: 64]` `[range: 1..]`: an attempt that waited
/// for a thread has run only a handful.
const TELLING_NODES: u64 = 64;

/// A search sails while fewer than one node in this many backtracks.
/// `[default: 16]` `[range: 2..]`: a search that sails places a buffer a
/// node and hardly backtracks; one in four let three of the paper's
/// instances side by side pass for sailing when a loaded machine gave the
/// round 317 nodes (69 backtracks; 412 and 164 on a quiet one), and the
/// round's calm kept stacking from ever being tried.
const SAILING_RATIO: u64 = 16;

/// How an undecided attempt of the quick round fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fare {
    /// Cut short by the round's time limit after at least
    /// [`TELLING_NODES`] nodes, fewer than one in [`SAILING_RATIO`] of them
    /// backtracks: descending towards a placement (on a dense instance with
    /// room to spare, one node a buffer, no backtrack).
    Sailing,
    /// It spent its node budget (the reference's round robin would move
    /// on), or, cut short after [`TELLING_NODES`] nodes or more, it
    /// backtracked on one in [`SAILING_RATIO`] of them or more (on tight/'s
    /// pairs, nine nodes in ten backtrack).
    Struggling,
    /// Too few nodes to tell.
    Untold,
}

impl Fare {
    /// How an attempt that ran `nodes` nodes with `backtracks` backtracks
    /// fared, `capped` if the round's time cut it short.
    fn of(capped: bool, nodes: u64, backtracks: u64) -> Fare {
        if !capped {
            Fare::Struggling
        } else if nodes < TELLING_NODES {
            Fare::Untold
        } else if backtracks.saturating_mul(SAILING_RATIO) < nodes {
            Fare::Sailing
        } else {
            Fare::Struggling
        }
    }
}

/// What an undecided quick round hands on: the searches it left paused,
/// and whether the round was calm: some attempt was sailing and none
/// struggling (see [`Fare`]). A calm round is carried on by the race
/// rather than by the portfolio's detour, which is for instances whose
/// searches show they are hard.
pub(super) struct Undecided<'a> {
    pub(super) paused: Vec<Paused<'a>>,
    pub(super) calm: bool,
}

/// What the quick round leaves for the race: partitions some attempt placed
/// (with the offsets of their buffers) and searches paused mid-partition,
/// which the race adopts instead of starting the same searches afresh.
struct Leftovers<'a> {
    /// Offsets and the heuristic that placed them.
    placed: Vec<Option<(Vec<i64>, Heuristic)>>,
    paused: Vec<Paused<'a>>,
}

/// What the first pass decided (`NodeLimit`: nothing), the decisive
/// attempt's offsets, what it leaves for the race, where each attempt
/// that ran out of budget or time stopped (heuristic index, partition),
/// and whether the round was calm (see [`Undecided::calm`]).
struct FirstPass<'a> {
    decision: Status,
    offsets: Vec<i64>,
    left: Leftovers<'a>,
    lost: Vec<(usize, usize)>,
    calm: bool,
}

/// How one heuristic's first-pass attempt ended.
struct Attempt<'a> {
    status: Status,
    /// Whether the round's time limit paused it before its budget ran out.
    capped: bool,
    search: Search<'a>,
    /// The partition it stopped on (all of them if it placed every one).
    at: usize,
    /// The offsets of each partition it placed, in the partition's order.
    placed: Vec<Option<Vec<i64>>>,
}

impl<'a> Solve<'a> {
    /// Phase 2: the quick round, on a fresh problem only (with placements
    /// already known, the reference's answer would not be the reference's
    /// any more). Breaks with the answer when the round decides; otherwise
    /// places what its attempts placed and continues with the searches they
    /// left paused (`None` when the round did not run).
    pub(super) fn reference_round(
        &self,
        pool: &rayon::ThreadPool,
        placed: &mut Placements,
        stats: &mut Stats,
    ) -> ControlFlow<SolveResult, Option<Undecided<'a>>> {
        if !self.opts.tunables.quick_round || placed.solved.iter().any(|&s| s) {
            return ControlFlow::Continue(None);
        }
        let capacity = self.problem.capacity;
        let cap = if self.opts.params.deterministic {
            self.stop.clone()
        } else {
            let most = match self.stop.deadline() {
                Some(d) => QUICK_ROUND_TIME.min(d.saturating_duration_since(Instant::now()) / 20),
                None => QUICK_ROUND_TIME,
            };
            self.stop.child_until(Instant::now().checked_add(most))
        };
        let round = Round { pool, model: self.model, capacity, params: &self.opts.params, stop: self.stop, cap: &cap };
        let (status, solution, left, calm) = quick_round(&round, stats);
        match status {
            Status::Found => {
                stats.decided_by = Some("reference".into());
                let solution = Solution::new(self.problem, solution);
                (self.emit)(EventKind::Solved { height: solution.height }, Some("reference"));
                return ControlFlow::Break(Ok(Outcome::Solved(solution)));
            }
            Status::Infeasible => {
                stats.decided_by = Some("reference".into());
                (self.emit)(EventKind::Infeasible, Some("reference"));
                return ControlFlow::Break(Ok(self.model.exhausted(capacity)));
            }
            Status::Stopped => return ControlFlow::Break(Ok(self.stopped())),
            Status::NodeLimit => {}
        }
        // Partitions an attempt placed before its budget ran out are placed.
        for (p, win) in left.placed.into_iter().enumerate() {
            if let Some((offsets, h)) = win {
                placed.place(self.model, p, offsets);
                let buffers = self.model.partitions()[p].buffers.len();
                let remaining = placed.remaining();
                let name = format!("reference:{h}");
                (self.emit)(EventKind::PartitionSolved { partition: p, buffers, remaining }, Some(&name));
                placed.quick_winners.push((p, h));
            }
        }
        ControlFlow::Continue(Some(Undecided { paused: left.paused, calm }))
    }
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
/// there.
///
/// When nothing decides, a second pass gives each attempt that ran out of
/// budget a fresh search, with twice the partition's buffers in nodes, on
/// every later partition that no attempt placed: on instances made of
/// independent parts, a heuristic lost on one part would otherwise never
/// start the others, and the race would start them from nothing. It only
/// depends on the first pass's outcome, so it is as deterministic.
///
/// The last value says whether the first pass was calm (see
/// [`Undecided::calm`]).
fn quick_round<'a>(round: &Round<'_, 'a>, stats: &mut Stats) -> (Status, Vec<i64>, Leftovers<'a>, bool) {
    let round = *round;
    let heuristics = &round.params.preordering_heuristics;
    // cancel[i] is raised once an attempt before i has decided: i's answer
    // can no longer matter.
    let cancel: Vec<Arc<AtomicBool>> = heuristics.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
    let results: Vec<Mutex<Option<Attempt<'a>>>> = heuristics.iter().map(|_| Mutex::new(None)).collect();
    round.pool.scope(|s| {
        for i in 0..heuristics.len() {
            let (cancel, results) = (&cancel, &results);
            s.spawn(move |_| *results[i].lock() = attempt(&round, i, cancel));
        }
    });
    let results = results.into_iter().map(Mutex::into_inner).collect();
    let w = stats.worker("reference");
    let FirstPass { mut decision, offsets, mut left, lost, calm } =
        gather(results, heuristics, round.model.partitions().len(), w);
    if decision == Status::NodeLimit && round.stop.should_stop() {
        decision = Status::Stopped;
    }
    if decision == Status::NodeLimit {
        decision = second_pass(&round, &lost, &mut left, w);
    }
    (decision, offsets, left, calm)
}

/// The first-pass attempt of heuristic `i`: one search over every partition
/// in order, each with its share of the budget, until one is not placed.
/// `None` if the solve was over before it began.
fn attempt<'a>(round: &Round<'_, 'a>, i: usize, cancel: &[Arc<AtomicBool>]) -> Option<Attempt<'a>> {
    let Round { model, capacity, params, stop, cap, .. } = *round;
    let parts = model.partitions();
    // A search costs time to set up (tens of ms on a dense trace): none is
    // started once the run is over.
    if stop.should_stop() {
        return None;
    }
    let mut search = Search::new(model, capacity, params, cap);
    search.set_stop(cap.child_sharing(Arc::clone(&cancel[i])));
    search.set_keys(&params.preordering_heuristics[i].0);
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
    let mut capped = false;
    if status == Status::Stopped {
        if stop.should_stop() {
            search.abandon();
        } else {
            // The round's time ran out (or an earlier attempt decided), not
            // the solve's: the search is paused where it stood, and the
            // race carries it on rather than starting it again.
            status = Status::NodeLimit;
            capped = true;
        }
    }
    search.set_stop(stop.clone());
    Some(Attempt { status, capped, search, at, placed })
}

/// Reads the first pass in heuristic order, which is what makes it the
/// reference's round robin: the first attempt that decided gives the
/// decision and its offsets. Every attempt's counters go to `w`; the first
/// placement of each partition and every paused search go into the
/// leftovers; and each attempt that ran out of budget is listed for the
/// second pass.
fn gather<'a>(
    results: Vec<Option<Attempt<'a>>>,
    heuristics: &[Heuristic],
    partitions: usize,
    w: &mut WorkerStats,
) -> FirstPass<'a> {
    let mut decision = (Status::NodeLimit, Vec::new());
    let mut left = Leftovers { placed: vec![None; partitions], paused: Vec::new() };
    let mut lost: Vec<(usize, usize)> = Vec::new();
    let (mut sailing, mut struggling) = (false, false);
    for (i, (r, h)) in results.into_iter().zip(heuristics).enumerate() {
        let Some(Attempt { status, capped, mut search, at, placed }) = r else { continue };
        if status == Status::NodeLimit {
            lost.push((i, at));
        }
        if status == Status::NodeLimit {
            match Fare::of(capped, search.nodes, search.backtracks) {
                Fare::Sailing => sailing = true,
                Fare::Struggling => struggling = true,
                Fare::Untold => {}
            }
        }
        w.attempts += 1;
        w.nodes += search.nodes;
        w.backtracks += search.backtracks;
        // The race counts an adopted search's nodes from here on.
        search.nodes = 0;
        search.backtracks = 0;
        if decision.0 == Status::NodeLimit && status != Status::NodeLimit {
            w.wins += u64::from(status == Status::Found);
            decision = (status, if status == Status::Found { search.solution().to_vec() } else { Vec::new() });
        }
        for (p, offsets) in placed.into_iter().enumerate() {
            if left.placed[p].is_none() {
                left.placed[p] = offsets.map(|o| (o, h.clone()));
            }
        }
        if status == Status::NodeLimit && search.in_progress() {
            left.paused.push((at, h.clone(), search));
        }
    }
    FirstPass { decision: decision.0, offsets: decision.1, left, lost, calm: sailing && !struggling }
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
    let Round { pool, model, capacity, params, stop, cap } = *round;
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
                    if cap.should_stop() {
                        break;
                    }
                    let mut search = Search::new(model, capacity, params, cap);
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
                    left.placed[p] = Some((placed, h.clone()));
                }
                Status::NodeLimit if search.in_progress() => left.paused.push((p, h.clone(), search)),
                Status::Infeasible => outcome = Status::Infeasible,
                // Cut short by the round's time: paused for the race.
                Status::Stopped if !stop.should_stop() && search.in_progress() => {
                    left.paused.push((p, h.clone(), search))
                }
                Status::Stopped => {
                    search.abandon();
                    if outcome == Status::NodeLimit && stop.should_stop() {
                        outcome = Status::Stopped;
                    }
                }
                _ => {}
            }
        }
    }
    outcome
}
