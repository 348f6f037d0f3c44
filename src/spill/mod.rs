//! Several memories, and spilling: when the buffers do not fit the fast
//! memory, which of them to move to a slower one at the least cost.
//!
//! A [`MemoryProblem`] has memories in order (a name, a capacity or none
//! for unbounded, an alignment) and, per buffer, the memories it may live
//! in, most preferred first, what placing it anywhere but its first choice
//! costs (by default its size), and its alias (buffers of one alias share
//! one memory and one offset). The objective is the total cost first, then each
//! memory's height in order. The one-memory problem is [`Problem`] itself,
//! untouched.
//!
//! **How it is solved** (one bounded memory first, unbounded ones after it:
//! the spilling case). Buffers whose first choice is an unbounded memory
//! go there at no cost. The others form the bounded memory's problem; a
//! *spill set* S of them (those with a later choice, and no fixed offset)
//! moves to its next choice. The search is a decomposition in the manner of
//! logic-based Benders, with this project's exact search as the check:
//!
//! 1. A *master* problem chooses S of least cost such that at every moment
//!    the bytes left in the bounded memory are within its capacity (the
//!    load rows), and such that S meets every *cut* found so far. It is
//!    solved exactly by branch and bound (bound: the costliest row or cut
//!    still open, each covered fractionally by its cheapest bytes).
//! 2. The kept buffers are solved at the capacity by the facade, as any
//!    solve. A packing ends the run: its cost is the master's optimum, a
//!    proven lower bound, so it is optimal. A proof that they do not fit
//!    gives a cut: an irreducible infeasible subset of them (the
//!    reference's deletion filter), at least one of whose spillable members
//!    must leave; the master is solved again with it.
//! 3. Anything else (a time limit, an unknown) stops the loop: the best
//!    assignment found is kept (spilling every spillable buffer is the
//!    first), with the lower bound of the last master solved to the end.
//!
//! So a claimed optimum is proven (every cut is a proof, every master
//! optimum a bound), and a time limit still returns an assignment whenever
//! spilling everything spillable fits. Every assignment is validated
//! ([`validate_plan`]) before it leaves.
//!
//! Several bounded memories (or a bounded one after an unbounded one) are
//! planned one bounded memory at a time by this decomposition, with a
//! bound summed over relaxations (`cascade`); alias groups are merged into
//! one buffer each before either (`alias`).

pub(crate) mod alias;
mod cascade;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use crate::error::SolveError;
use crate::options::SolveOptions;
use crate::problem::{Buffer, Problem, Solution, MAX_CAPACITY};
use crate::report::Outcome;
use crate::solver::{solve_with, InfeasibleSubset, Solver};
use crate::stop::StopToken;

/// A memory: a name, a capacity (`None`: unbounded) and an alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Memory {
    /// What inputs and outputs call it.
    pub name: String,
    /// The most bytes it holds; `None` for unbounded.
    pub capacity: Option<i64>,
    /// Every offset in it is a multiple of this (at least 1), besides the
    /// buffer's own alignment (a bank or burst size).
    pub alignment: i64,
}

impl Memory {
    /// A memory of `capacity` (`None`: unbounded) with no alignment of its own.
    pub fn new(name: impl Into<String>, capacity: Option<i64>) -> Self {
        Memory { name: name.into(), capacity, alignment: 1 }
    }
}

/// Buffers over several memories.
///
/// Invariants ([`MemoryProblem::check`]): at least one memory, names
/// unique, capacities at least 0 (any number bounded, in any order),
/// alignments at least 1; every buffer's choices are memory indices
/// without repeats; costs are at least 0; buffers of one alias may live in
/// the same memories and are not fixed at different offsets. A buffer with
/// a fixed offset stays in its first choice, at that offset, which that
/// memory's alignment divides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryProblem {
    /// The buffers (a [`Problem`]'s; its capacity is not read: each memory
    /// has its own).
    pub buffers: Vec<Buffer>,
    /// The memories, in the order heights are minimized.
    pub memories: Vec<Memory>,
    /// Per buffer, the memories it may live in, most preferred first
    /// (indices into `memories`); empty means every memory, in order.
    pub choices: Vec<Vec<usize>>,
    /// Per buffer, the cost of placing it anywhere but its first choice.
    pub costs: Vec<i64>,
    /// Per buffer, its alias: buffers of one alias share one memory and one
    /// offset (in-place operations; each group is planned as one buffer).
    /// Empty, or `None` for a buffer, means none.
    pub aliases: Vec<Option<String>>,
}

impl MemoryProblem {
    /// Spilling: one memory of `capacity` and an unbounded one after it,
    /// every buffer free to go to either, at the cost of its size.
    pub fn spill(problem: &Problem) -> MemoryProblem {
        let n = problem.buffers.len();
        MemoryProblem {
            buffers: problem.buffers.clone(),
            memories: vec![Memory::new("fast", Some(problem.capacity)), Memory::new("spill", None)],
            choices: vec![Vec::new(); n],
            costs: problem.buffers.iter().map(|b| b.size).collect(),
            aliases: Vec::new(),
        }
    }

    /// Buffer `b`'s memories, most preferred first.
    pub fn choices_of(&self, b: usize) -> Vec<usize> {
        match self.choices.get(b) {
            Some(c) if !c.is_empty() => c.clone(),
            _ => (0..self.memories.len()).collect(),
        }
    }

    /// Whether the problem keeps the invariants the type documents, and
    /// its buffers those of [`Problem::check`].
    pub fn check(&self) -> Result<(), SolveError> {
        let bad = |m: String| Err(SolveError::Params(m));
        if self.memories.is_empty() {
            return bad("no memory declared".into());
        }
        for (i, m) in self.memories.iter().enumerate() {
            if self.memories[..i].iter().any(|o| o.name == m.name) {
                return bad(format!("memory '{}' is declared twice", m.name));
            }
            if m.capacity.is_some_and(|c| c < 0) {
                return bad(format!("memory '{}' has a negative capacity", m.name));
            }
            if m.alignment < 1 {
                return bad(format!("memory '{}' has alignment {} (at least 1)", m.name, m.alignment));
            }
        }
        let n = self.buffers.len();
        if self.choices.len() != n || self.costs.len() != n || !(self.aliases.is_empty() || self.aliases.len() == n) {
            return bad("one list of memories, one cost and (when any) one alias per buffer".into());
        }
        for (b, buffer) in self.buffers.iter().enumerate() {
            let c = self.choices_of(b);
            if let Some(&m) = c.iter().find(|&&m| m >= self.memories.len()) {
                return bad(format!("buffer '{}': memory {m} does not exist", buffer.id));
            }
            if (1..c.len()).any(|i| c[..i].contains(&c[i])) {
                return bad(format!("buffer '{}' lists a memory twice", buffer.id));
            }
            if self.costs[b] < 0 {
                return bad(format!("buffer '{}' has a negative cost", buffer.id));
            }
            let memory = &self.memories[c[0]];
            if crate::problem::lcm(buffer.alignment.max(1), memory.alignment).is_none() {
                return bad(format!(
                    "buffer '{}': its alignment and memory '{}''s overflow together",
                    buffer.id, memory.name
                ));
            }
            if buffer.offset.is_some_and(|o| o % memory.alignment != 0) {
                return bad(format!(
                    "buffer '{}' is fixed at an offset that memory '{}''s alignment {} does not divide",
                    buffer.id, memory.name, memory.alignment
                ));
            }
        }
        Problem::new(self.buffers.clone(), 0).check().map_err(SolveError::from)?;
        alias::merge(self).map(|_| ())
    }
}

/// Every buffer in a memory at an offset, and what that costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// `memory[b]`: the index of buffer `b`'s memory.
    pub memory: Vec<usize>,
    /// `offsets[b]`: where buffer `b` starts in its memory.
    pub offsets: Vec<i64>,
    /// Each memory's height (the top of its highest buffer; 0 when empty).
    pub heights: Vec<i64>,
    /// The total cost of the buffers outside their first choice.
    pub cost: i64,
    /// A proven lower bound on the least cost.
    pub lower_bound: i64,
    /// Whether the cost is proven least (it equals the lower bound).
    pub optimal: bool,
}

/// How planning ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanOutcome {
    /// An assignment (optimal or not: see [`Plan::optimal`]).
    Planned(Plan),
    /// Proven: no assignment exists (the buffers that must stay in the
    /// bounded memory do not fit it).
    Infeasible(String),
    /// Stopped (time limit or cancel) before any assignment was found.
    Stopped(Outcome),
}

/// Checks `plan` against `mp` independently of how it was made: every
/// buffer in a memory it may use, fixed offsets kept, no two buffers of a
/// memory that live at the same time overlapping, every buffer within its
/// memory's capacity, the heights and the cost as stated.
pub fn validate_plan(mp: &MemoryProblem, plan: &Plan) -> Result<(), String> {
    let n = mp.buffers.len();
    if plan.memory.len() != n || plan.offsets.len() != n || plan.heights.len() != mp.memories.len() {
        return Err("the plan does not have one memory and offset per buffer, one height per memory".into());
    }
    let mut cost = 0i64;
    for b in 0..n {
        let choices = mp.choices_of(b);
        if !choices.contains(&plan.memory[b]) {
            return Err(format!("buffer '{}' is in a memory it may not use", mp.buffers[b].id));
        }
        if choices[0] != plan.memory[b] {
            cost = cost.checked_add(mp.costs[b]).ok_or("the cost overflows")?;
        }
    }
    if cost != plan.cost {
        return Err(format!(
            "the plan states cost {} but its buffers outside their first choice cost {cost}",
            plan.cost
        ));
    }
    if plan.lower_bound > plan.cost || (plan.optimal && plan.lower_bound != plan.cost) {
        return Err("the plan's lower bound is above its cost, or it claims an optimum its bound does not prove".into());
    }
    // With aliases, each group is checked as the one buffer it is planned
    // as, once its members are shown to be held by it.
    let merged = alias::merge(mp).map_err(|e| e.to_string())?;
    let Some(merged) = merged else { return check_memories(mp, &plan.memory, &plan.offsets, &plan.heights) };
    alias::check_members(mp, &merged, &plan.memory, &plan.offsets)?;
    let first = |g: usize| merged.members[g][0];
    let memory: Vec<usize> = (0..merged.members.len()).map(|g| plan.memory[first(g)]).collect();
    let offsets: Vec<i64> = (0..merged.members.len()).map(|g| plan.offsets[first(g)]).collect();
    check_memories(&merged.problem, &memory, &offsets, &plan.heights)
}

/// Checks each memory's buffers of `mp` (placed by `memory` and `offsets`)
/// as a one-memory problem at its capacity, with its stated height.
fn check_memories(mp: &MemoryProblem, memory: &[usize], offsets: &[i64], heights: &[i64]) -> Result<(), String> {
    let plan = (memory, offsets);
    for (m, memory) in mp.memories.iter().enumerate() {
        let (sub, offsets) = part(mp, plan.0, plan.1, m);
        let solution = Solution::new(&sub, offsets);
        if solution.height != heights[m] {
            return Err(format!("memory '{}': height {} stated, {} found", memory.name, heights[m], solution.height));
        }
        let capacity = memory.capacity.unwrap_or(MAX_CAPACITY);
        crate::validate::validate(&Problem { capacity, ..sub }, &solution)
            .map_err(|e| format!("memory '{}': {e}", memory.name))?;
    }
    Ok(())
}

impl MemoryProblem {
    /// Buffer `b` as it lives in memory `m`: aligned to both (their least
    /// common multiple; [`Self::check`] refuses an overflow).
    pub(crate) fn buffer_in(&self, b: usize, m: usize) -> Buffer {
        let buffer = &self.buffers[b];
        let alignment = self.memories[m].alignment;
        if alignment <= 1 {
            return buffer.clone();
        }
        let both = crate::problem::lcm(buffer.alignment.max(1), alignment).unwrap_or(i64::MAX);
        Buffer { alignment: both, ..buffer.clone() }
    }

    /// Each memory's share of `plan`, in the memories' order: its buffers
    /// as a problem at its capacity (0 when unbounded), in the order they
    /// have here, and their packing (for pictures and reports).
    pub fn parts(&self, plan: &Plan) -> Vec<(Problem, Solution)> {
        (0..self.memories.len())
            .map(|m| {
                let (sub, offsets) = part(self, &plan.memory, &plan.offsets, m);
                let solution = Solution::new(&sub, offsets);
                (Problem { capacity: self.memories[m].capacity.unwrap_or(0), ..sub }, solution)
            })
            .collect()
    }
}

/// The buffers of `mp` in memory `m` as a problem (capacity 0) and their
/// offsets.
fn part(mp: &MemoryProblem, memory: &[usize], offsets: &[i64], m: usize) -> (Problem, Vec<i64>) {
    let members: Vec<usize> = (0..mp.buffers.len()).filter(|&b| memory[b] == m).collect();
    let buffers = members.iter().map(|&b| mp.buffer_in(b, m)).collect();
    (Problem::new(buffers, 0), members.iter().map(|&b| offsets[b]).collect())
}

/// Plans `mp`: the least-cost assignment of buffers to memories, then each
/// memory packed, until `stop` says to stop (see the module docs). `opts`
/// are the solves' options; its time limit is ignored (`stop` carries the
/// caller's).
pub fn plan(mp: &MemoryProblem, opts: &SolveOptions, stop: &StopToken) -> Result<PlanOutcome, SolveError> {
    mp.check()?;
    // Alias groups are planned as one buffer each, then handed back to
    // their members.
    let outcome = match alias::merge(mp)? {
        None => plan_merged(mp, opts, stop)?,
        Some(merged) => match plan_merged(&merged.problem, opts, stop)? {
            PlanOutcome::Planned(p) => PlanOutcome::Planned(Plan {
                memory: merged.of.iter().map(|&g| p.memory[g]).collect(),
                offsets: merged.of.iter().map(|&g| p.offsets[g]).collect(),
                ..p
            }),
            other => other,
        },
    };
    if let PlanOutcome::Planned(plan) = &outcome {
        validate_plan(mp, plan).map_err(|e| SolveError::Internal(format!("a memory plan failed validation: {e}")))?;
    }
    Ok(outcome)
}

/// [`plan`] of a problem without aliases.
fn plan_merged(mp: &MemoryProblem, opts: &SolveOptions, stop: &StopToken) -> Result<PlanOutcome, SolveError> {
    // Fixed buffers stay in their first choice: where they collide, nothing fits.
    for (m, memory) in mp.memories.iter().enumerate() {
        let fixed = (0..mp.buffers.len()).filter(|&b| mp.buffers[b].offset.is_some() && mp.choices_of(b)[0] == m);
        let here = Problem::new(fixed.map(|b| mp.buffer_in(b, m)).collect(), 0);
        if let Some(why) = crate::bounds::fixed_conflict(&here) {
            return Ok(PlanOutcome::Infeasible(format!("memory '{}': {why}", memory.name)));
        }
    }
    if cascade::needed(mp) {
        return cascade::plan(mp, opts, stop);
    }
    let spill = Spill::new(mp);
    let Some(master) = Master::new(&spill, stop) else {
        return Ok(PlanOutcome::Infeasible(format!(
            "the buffers that must stay in memory '{}' need more than its capacity at some moment",
            mp.memories[0].name
        )));
    };
    // The choice gets most of the time; packing the memories the rest.
    let choosing = stop.child_until(stop.deadline().and_then(|d| {
        let left = d.saturating_duration_since(Instant::now());
        Instant::now().checked_add(left.mul_f64(CHOOSING_SHARE))
    }));
    let mut search =
        Benders { spill: &spill, opts, stop: &choosing, cuts: Vec::new(), lower_bound: master.root_bound() };
    let (spilled, kept) = match search.run(&master)? {
        Ending::Best(spilled, kept) => (spilled, kept),
        Ending::Infeasible(why) => return Ok(PlanOutcome::Infeasible(why)),
        Ending::Stopped if choosing.should_stop() => return Ok(PlanOutcome::Stopped(Outcome::stopped(&choosing))),
        Ending::Stopped => {
            let why = "the exact search could decide no choice of buffers to move (windowed gaps, of the input or of \
                       an alias group whose members differ in size, can leave it without a proof)";
            return Ok(PlanOutcome::Stopped(Outcome::Unknown(why.into())));
        }
    };
    Ok(PlanOutcome::Planned(spill.finish(&spilled, kept, search.lower_bound, opts, stop)?))
}

/// The spilling decision of a [`MemoryProblem`]: which buffers may leave
/// the bounded memory (memory 0) and where each goes.
struct Spill<'a> {
    mp: &'a MemoryProblem,
    /// Memory 0's capacity; `None` when no memory is bounded (nothing to
    /// decide: every buffer goes to its first choice).
    capacity: Option<i64>,
    /// The buffers whose first choice is memory 0.
    stays: Vec<usize>,
    /// The master's variables: buffers of `stays` that may leave (a later
    /// choice, no fixed offset).
    vars: Vec<usize>,
    /// Per buffer, its variable, or `NO_VAR`.
    var_of: Vec<usize>,
    /// Per buffer, its memory when it is not in memory 0: its first choice
    /// if that is not 0, else its next.
    away: Vec<usize>,
}

impl<'a> Spill<'a> {
    fn new(mp: &'a MemoryProblem) -> Self {
        let n = mp.buffers.len();
        let capacity = mp.memories[0].capacity;
        let choices: Vec<Vec<usize>> = (0..n).map(|b| mp.choices_of(b)).collect();
        let stays: Vec<usize> = (0..n).filter(|&b| choices[b][0] == 0).collect();
        let vars = match capacity {
            Some(_) => {
                stays.iter().copied().filter(|&b| choices[b].len() > 1 && mp.buffers[b].offset.is_none()).collect()
            }
            None => Vec::new(),
        };
        let away = choices.iter().map(|c| c.iter().copied().find(|&m| m != 0).unwrap_or(0)).collect();
        let mut var_of = vec![NO_VAR; n];
        for (v, &b) in vars.iter().enumerate() {
            var_of[b] = v;
        }
        Spill { mp, capacity, stays, vars, var_of, away }
    }

    /// The problem of the buffers kept in memory 0 when the variables in
    /// `spilled` leave, at its capacity; and their indices.
    fn kept(&self, spilled: &[bool]) -> (Problem, Vec<usize>) {
        let mut leaving = vec![false; self.mp.buffers.len()];
        for (v, &b) in self.vars.iter().enumerate() {
            leaving[b] = spilled[v];
        }
        let kept: Vec<usize> = self.stays.iter().copied().filter(|&b| !leaving[b]).collect();
        let buffers = kept.iter().map(|&b| self.mp.buffer_in(b, 0)).collect();
        (Problem::new(buffers, self.capacity.unwrap_or(0)), kept)
    }

    /// Puts spilled variables back where they fit among the kept buffers
    /// of `packing` (the packing of [`Self::kept`] for `spilled`), the
    /// costliest first, each at the lowest offset clear of every kept
    /// buffer it meets in time (whole lifespans and sizes: conservative
    /// with gaps); the kept buffers' packing after.
    fn reinsert(&self, spilled: &mut [bool], packing: &Solution) -> Solution {
        let Some(capacity) = self.capacity else { return packing.clone() };
        let buffers = &self.mp.buffers;
        let (_, kept) = self.kept(spilled);
        let mut placed: Vec<(usize, i64)> = kept.iter().copied().zip(packing.offsets.iter().copied()).collect();
        let mut order: Vec<usize> = (0..self.vars.len()).filter(|&v| spilled[v]).collect();
        order.sort_by_key(|&v| (std::cmp::Reverse(self.mp.costs[self.vars[v]]), v));
        for v in order {
            let b = &self.mp.buffer_in(self.vars[v], 0);
            let mut taken: Vec<(i64, i64)> = placed
                .iter()
                .filter(|(k, _)| {
                    buffers[*k].lifespan.lower < b.lifespan.upper && b.lifespan.lower < buffers[*k].lifespan.upper
                })
                .map(|&(k, o)| (o, o + buffers[k].size))
                .collect();
            taken.sort_unstable();
            let mut at = 0i64;
            for &(lo, hi) in &taken {
                if at + b.size <= lo {
                    break;
                }
                at = at.max((hi + b.alignment - 1) / b.alignment * b.alignment);
            }
            if at + b.size <= capacity {
                spilled[v] = false;
                placed.push((self.vars[v], at));
            }
        }
        let mut offset = vec![0i64; buffers.len()];
        for &(k, o) in &placed {
            offset[k] = o;
        }
        let (kept, ids) = self.kept(spilled);
        Solution::new(&kept, ids.iter().map(|&b| offset[b]).collect())
    }

    /// The cost of spilling the variables in `spilled`.
    fn cost(&self, spilled: &[bool]) -> i64 {
        self.vars.iter().zip(spilled).filter(|(_, &s)| s).map(|(&b, _)| self.mp.costs[b]).sum()
    }

    /// The plan: memory 0 holds `kept`'s packing, every other memory its
    /// buffers packed as low as the time left allows.
    fn finish(
        &self,
        spilled: &[bool],
        kept: Option<Solution>,
        lower_bound: i64,
        opts: &SolveOptions,
        stop: &StopToken,
    ) -> Result<Plan, SolveError> {
        let n = self.mp.buffers.len();
        let (_, kept_ids) = self.kept(spilled);
        let mut memory: Vec<usize> = self.away.clone();
        let mut offsets = vec![0i64; n];
        for (v, &b) in self.vars.iter().enumerate() {
            memory[b] = if spilled[v] { self.away[b] } else { 0 };
        }
        for &b in &kept_ids {
            memory[b] = 0;
        }
        if let Some(solution) = &kept {
            for (&b, &o) in kept_ids.iter().zip(&solution.offsets) {
                offsets[b] = o;
            }
        }
        let memories = self.mp.memories.len();
        for m in 0..memories {
            if m == 0 && kept.is_some() {
                continue;
            }
            let members: Vec<usize> = (0..n).filter(|&b| memory[b] == m).collect();
            let share = stop.child_until(deadline_share(stop, memories - m));
            for (b, o) in members.iter().zip(pack_unbounded(self.mp, m, &members, opts, &share)?) {
                offsets[*b] = o;
            }
        }
        let heights = (0..memories)
            .map(|m| {
                (0..n).filter(|&b| memory[b] == m).map(|b| offsets[b] + self.mp.buffers[b].size).max().unwrap_or(0)
            })
            .collect();
        let cost = self.cost(spilled);
        Ok(Plan { memory, offsets, heights, cost, lower_bound, optimal: lower_bound == cost })
    }
}

/// A deadline that leaves the time until `stop`'s split evenly among
/// `parts` pieces of work still to do (none without a deadline).
fn deadline_share(stop: &StopToken, parts: usize) -> Option<Instant> {
    let deadline = stop.deadline()?;
    let left = deadline.saturating_duration_since(Instant::now());
    Instant::now().checked_add(left / u32::try_from(parts.max(1)).unwrap_or(u32::MAX))
}

/// Offsets for `members` of `mp` in unbounded memory `memory`: the lowest
/// packing a minimization finds until `stop`, or, if it found none,
/// stacked one above the other over the highest fixed top (always valid).
fn pack_unbounded(
    mp: &MemoryProblem,
    memory: usize,
    members: &[usize],
    opts: &SolveOptions,
    stop: &StopToken,
) -> Result<Vec<i64>, SolveError> {
    let problem = Problem::new(members.iter().map(|&b| mp.buffer_in(b, memory)).collect(), 0);
    let minimized = crate::minimize::minimize_until(&problem, opts, stop, &|_| {})?;
    if let Some(solution) = minimized.solution {
        return Ok(solution.offsets);
    }
    let mut top = problem.buffers.iter().filter_map(|b| b.offset.map(|o| o + b.size)).max().unwrap_or(0);
    Ok(problem
        .buffers
        .iter()
        .map(|b| match b.offset {
            Some(o) => o,
            None => {
                let at = (top + b.alignment - 1) / b.alignment * b.alignment;
                top = at + b.size;
                at
            }
        })
        .collect())
}

/// At least `need` bytes of the row's members must leave memory 0 (a
/// moment where the buffers that would stay exceed its capacity), or, for
/// a cut, at least one member (`need` 1, every member 1 byte).
#[derive(Clone, Debug)]
struct Row {
    need: i64,
    /// (variable, bytes it frees at that moment), cheapest bytes first.
    members: Vec<(usize, i64)>,
}

/// The master problem: which variables to spill, at least cost, so that
/// every row is covered.
struct Master {
    cost: Vec<i64>,
    rows: Vec<Row>,
    /// Variables that must leave whatever else does: larger than the
    /// capacity at some moment.
    forced: Vec<bool>,
}

impl Master {
    /// The load rows of `spill`; `None` when a moment's excess cannot be
    /// covered even with every variable spilled (the buffers that must
    /// stay do not fit). Past [`MASTER_ENTRIES`] members in all, or once
    /// `stop` says to stop, further rows are not kept: fewer rows make a
    /// relaxation still, so every bound stays a bound, and the checks
    /// refute what the missing rows would have.
    fn new(spill: &Spill<'_>, stop: &StopToken) -> Option<Master> {
        let cost: Vec<i64> = spill.vars.iter().map(|&b| spill.mp.costs[b]).collect();
        let Some(capacity) = spill.capacity else {
            return Some(Master { cost, rows: Vec::new(), forced: Vec::new() });
        };
        let var_of = &spill.var_of;
        // (time, +bytes or -bytes, buffer), ends before starts at one time.
        let mut events: Vec<(i64, i64, usize)> = Vec::new();
        let mut forced = vec![false; spill.vars.len()];
        for &b in &spill.stays {
            for piece in spill.mp.buffers[b].pieces() {
                let bytes = piece.window.len();
                if bytes > capacity && var_of[b] != NO_VAR {
                    forced[var_of[b]] = true;
                }
                events.push((piece.time.lower, bytes, b));
                events.push((piece.time.upper, -bytes, b));
            }
        }
        events.sort_unstable_by_key(|&(t, d, b)| (t, d, b));
        let mut live: Vec<(usize, i64)> = Vec::new();
        let mut load: i64 = 0;
        let mut rows: Vec<Row> = Vec::new();
        let mut entries = 0usize;
        let mut i = 0;
        while i < events.len() {
            let t = events[i].0;
            while i < events.len() && events[i].0 == t {
                let (_, d, b) = events[i];
                load += d;
                if d >= 0 {
                    live.push((b, d));
                } else if let Some(k) = live.iter().position(|&(x, bytes)| x == b && bytes == -d) {
                    live.swap_remove(k);
                }
                i += 1;
            }
            if load > capacity {
                let movable: i64 = live.iter().filter(|&&(b, _)| var_of[b] != NO_VAR).map(|m| m.1).sum();
                if movable < load - capacity {
                    return None;
                }
                if entries > MASTER_ENTRIES || (rows.len() % 1024 == 1023 && stop.should_stop()) {
                    entries = usize::MAX;
                    continue;
                }
                let mut members: Vec<(usize, i64)> =
                    live.iter().filter(|&&(b, _)| var_of[b] != NO_VAR).map(|&(b, bytes)| (var_of[b], bytes)).collect();
                entries += members.len();
                members.sort_unstable_by(|x, y| {
                    (i128::from(cost[x.0]) * i128::from(y.1))
                        .cmp(&(i128::from(cost[y.0]) * i128::from(x.1)))
                        .then(x.0.cmp(&y.0))
                });
                rows.push(Row { need: load - capacity, members });
            }
        }
        // A row whose members are another's and needs no more is implied.
        rows.sort_by(|a, b| a.members.cmp(&b.members).then(b.need.cmp(&a.need)));
        rows.dedup_by(|later, kept| later.members == kept.members);
        Some(Master { cost, rows, forced })
    }

    /// The cost every assignment pays: the forced variables, then rows
    /// that share no variable (their costs add up), each covered by its
    /// cheapest bytes, the costliest taken first.
    fn root_bound(&self) -> i64 {
        let mut x = vec![Choice::Open; self.cost.len()];
        let base = self.force(&mut x);
        let mut rows: Vec<(i64, &Row)> = self.rows.iter().filter_map(|r| Some((self.row_cost(&x, r)?, r))).collect();
        rows.sort_by_key(|&(c, _)| std::cmp::Reverse(c));
        let mut used = vec![false; self.cost.len()];
        let mut total = base;
        for (cost, row) in rows {
            if row.members.iter().any(|&(v, _)| used[v]) {
                continue;
            }
            for &(v, _) in &row.members {
                used[v] = true;
            }
            total = total.saturating_add(cost);
        }
        total
    }

    /// Sets the forced variables; their cost.
    fn force(&self, x: &mut [Choice]) -> i64 {
        let mut cost = 0;
        for (v, &f) in self.forced.iter().enumerate() {
            if f {
                x[v] = Choice::Spill;
                cost += self.cost[v];
            }
        }
        cost
    }

    /// The most any one open row or cut still costs (see
    /// [`Self::row_cost`]); `None` when one can no longer be covered.
    fn bound(&self, x: &[Choice], cuts: &[Row]) -> Option<i64> {
        let mut most = 0i64;
        for row in self.rows.iter().chain(cuts) {
            most = most.max(self.row_cost(x, row)?);
        }
        Some(most)
    }

    /// What covering `row` still costs at least: its need left after the
    /// spilled variables, covered by its cheapest open bytes (a fraction
    /// of the last, rounded up); `None` when the open ones cannot.
    fn row_cost(&self, x: &[Choice], row: &Row) -> Option<i64> {
        let mut need = row.need;
        for &(v, bytes) in &row.members {
            if x[v] == Choice::Spill {
                need -= bytes;
            }
        }
        if need <= 0 {
            return Some(0);
        }
        let mut cost = 0i128;
        for &(v, bytes) in &row.members {
            if x[v] != Choice::Open || bytes <= 0 {
                continue;
            }
            let take = need.min(bytes);
            cost += (i128::from(self.cost[v]) * i128::from(take) + i128::from(bytes) - 1) / i128::from(bytes);
            need -= take;
            if need == 0 {
                break;
            }
        }
        if need > 0 {
            return None;
        }
        Some(i64::try_from(cost).unwrap_or(i64::MAX))
    }

    /// The cheapest assignment covering every row and cut with cost below
    /// `upper` that a depth-first branch and bound finds within `nodes`
    /// nodes, until `stop`; proven least when the search finished.
    fn solve(&self, cuts: &[Row], upper: i64, nodes: u64, stop: &StopToken) -> MasterAnswer {
        let mut x = vec![Choice::Open; self.cost.len()];
        let base = self.force(&mut x);
        let mut dfs = Dfs { master: self, cuts, best: None, upper, nodes, stop, stopped: false };
        dfs.visit(&mut x, base);
        MasterAnswer { best: dfs.best, proven: !dfs.stopped }
    }
}

/// A master variable's state in the branch and bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    Open,
    Keep,
    Spill,
}

/// How a master solve ended: the cheapest assignment found below the
/// upper bound (spilled flags, cost), and whether the search finished (so
/// that it is the least, or that none exists).
struct MasterAnswer {
    best: Option<(Vec<bool>, i64)>,
    proven: bool,
}

/// The master's depth-first branch and bound.
struct Dfs<'m> {
    master: &'m Master,
    cuts: &'m [Row],
    best: Option<(Vec<bool>, i64)>,
    /// Only assignments cheaper than this are wanted.
    upper: i64,
    /// Nodes left.
    nodes: u64,
    stop: &'m StopToken,
    /// Out of nodes, or told to stop: the search did not finish.
    stopped: bool,
}

impl Dfs<'_> {
    fn visit(&mut self, x: &mut Vec<Choice>, cost: i64) {
        if self.stopped || self.nodes == 0 || self.stop.should_stop() {
            self.stopped = true;
            return;
        }
        self.nodes -= 1;
        let Some(bound) = self.master.bound(x, self.cuts) else { return };
        if cost.saturating_add(bound) >= self.upper {
            return;
        }
        let Some(row) = self.tightest(x) else {
            // Every row and cut is covered: the best so far.
            self.upper = cost;
            self.best = Some((x.iter().map(|&c| c == Choice::Spill).collect(), cost));
            return;
        };
        // Some open member must leave: branch on which comes first in the
        // row's order, the earlier ones kept.
        let open: Vec<usize> = row.members.iter().map(|m| m.0).filter(|&v| x[v] == Choice::Open).collect();
        for &v in &open {
            x[v] = Choice::Spill;
            self.visit(x, cost + self.master.cost[v]);
            x[v] = Choice::Keep;
            if self.stopped {
                break;
            }
        }
        for &v in &open {
            x[v] = Choice::Open;
        }
    }

    /// The uncovered row or cut with the fewest open members (the branch
    /// with the fewest children), or `None` when all are covered.
    fn tightest(&self, x: &[Choice]) -> Option<&Row> {
        let mut best: Option<(&Row, usize)> = None;
        for row in self.master.rows.iter().chain(self.cuts) {
            let freed: i64 = row.members.iter().filter(|m| x[m.0] == Choice::Spill).map(|m| m.1).sum();
            if freed >= row.need {
                continue;
            }
            let open = row.members.iter().filter(|m| x[m.0] == Choice::Open).count();
            if best.is_none_or(|(_, o)| open < o) {
                best = Some((row, open));
            }
        }
        best.map(|(r, _)| r)
    }
}

/// How the decomposition ended.
enum Ending {
    /// The cheapest assignment found: spilled flags per variable, and the
    /// kept buffers' packing (`None` when nothing stays in memory 0 that
    /// needs one: no bounded memory).
    Best(Vec<bool>, Option<Solution>),
    /// Proven: nothing fits.
    Infeasible(String),
    /// Stopped, or out of choices the exact search could decide, before
    /// any assignment was found.
    Stopped,
}

/// An assignment and the kept buffers' packing: spilled flags per
/// variable, and the packing of [`Spill::kept`] for them.
type Incumbent = (Vec<bool>, Solution);

/// The decomposition's loop (see the module docs).
struct Benders<'a> {
    spill: &'a Spill<'a>,
    opts: &'a SolveOptions,
    stop: &'a StopToken,
    cuts: Vec<Row>,
    /// The proven lower bound on the least cost.
    lower_bound: i64,
}

/// What the exact search says of the buffers kept in memory 0.
enum Check {
    Fits(Solution),
    /// They do not fit: a cut (an irreducible infeasible subset's
    /// variables; all of them when the filter could not finish).
    Refuted(Row),
    /// No answer in time, or the search could not decide.
    Open,
}

impl Benders<'_> {
    fn run(&mut self, master: &Master) -> Result<Ending, SolveError> {
        if self.spill.capacity.is_none() {
            return Ok(Ending::Best(Vec::new(), None));
        }
        let mut best = match self.incumbent()? {
            ControlFlow::Break(ending) => return Ok(ending),
            ControlFlow::Continue(best) => best,
        };
        let mut upper = best.as_ref().map_or(i64::MAX, |(x, _)| self.spill.cost(x));
        // Whether every cut is a proof: then a finished master's optimum is
        // a lower bound.
        let mut exact = true;
        let mut nodes = MASTER_NODES;
        while !self.stop.should_stop() {
            let answer = master.solve(&self.cuts, upper, nodes, self.stop);
            let proven = answer.proven && exact;
            let Some((x, cost)) = answer.best else {
                if answer.proven {
                    // Nothing cheaper than the incumbent covers the rows and cuts.
                    if proven {
                        self.lower_bound = self.lower_bound.max(upper);
                        if best.is_none() {
                            return Ok(Ending::Infeasible("no choice of buffers to move lets the rest fit".into()));
                        }
                    }
                    break;
                }
                nodes = nodes.saturating_mul(2);
                continue;
            };
            if proven {
                self.lower_bound = self.lower_bound.max(cost);
            }
            match self.check(&x)? {
                Check::Fits(s) if proven => {
                    best = Some((x, s));
                    upper = cost;
                    break;
                }
                Check::Fits(s) => {
                    let mut x = x;
                    let s = self.spill.reinsert(&mut x, &s);
                    upper = self.spill.cost(&x);
                    best = Some((x, s));
                }
                Check::Refuted(cut) => self.cuts.push(cut),
                Check::Open => {
                    // Not a proof: the same choice is not proposed again,
                    // but no bound is claimed from here on.
                    self.cuts.push(self.keep_fewer(&x));
                    exact = false;
                }
            }
        }
        self.lower_bound = self.lower_bound.min(upper);
        Ok(match best {
            Some((x, s)) => Ending::Best(x, Some(s)),
            None => Ending::Stopped,
        })
    }

    /// The incumbent before the master's first choice: every variable
    /// spilled (checked first: the anytime answer; refuted, nothing fits),
    /// then, if cheaper, a packing of every buffer cut to the capacity
    /// with what left put back where it fits.
    fn incumbent(&self) -> Result<ControlFlow<Ending, Option<Incumbent>>, SolveError> {
        let everything = vec![true; self.spill.vars.len()];
        let mut best = match self.check(&everything)? {
            Check::Fits(s) => Some((everything, s)),
            Check::Refuted(_) => {
                let memory = &self.spill.mp.memories[0].name;
                return Ok(ControlFlow::Break(Ending::Infeasible(format!(
                    "the buffers that must stay in memory '{memory}' do not fit it"
                ))));
            }
            Check::Open => None,
        };
        if let Some((mut x, s)) = self.window_of_a_packing()? {
            let s = self.spill.reinsert(&mut x, &s);
            if best.as_ref().is_none_or(|(b, _)| self.spill.cost(&x) < self.spill.cost(b)) {
                best = Some((x, s));
            }
        }
        Ok(ControlFlow::Continue(best))
    }

    /// An assignment from a packing of every buffer of memory 0 at any
    /// height (a minimization's, within a share of the time): the window
    /// of memory 0's capacity over that packing whose buffers outside it
    /// cost least; those leave, the others keep their offsets less the
    /// window's start. `None` when no packing was found in time, or no
    /// window holds every buffer that must stay.
    fn window_of_a_packing(&self) -> Result<Option<(Vec<bool>, Solution)>, SolveError> {
        let spill = self.spill;
        let Some(capacity) = spill.capacity else { return Ok(None) };
        let all = Problem::new(spill.stays.iter().map(|&b| spill.mp.buffer_in(b, 0)).collect(), 0);
        let budget = self.stop.child_until(deadline_share(self.stop, WINDOW_SHARE));
        let Some(packing) = crate::minimize::minimize_until(&all, self.opts, &budget, &|_| {})?.solution else {
            return Ok(None);
        };
        let var_of = |i: usize| Some(spill.var_of[spill.stays[i]]).filter(|&v| v != NO_VAR);
        let fixed = all.buffers.iter().any(|b| b.offset.is_some());
        // Windows start at a buffer's bottom (or at 0 when offsets are
        // fixed), rounded down to a multiple of every alignment, so that
        // each kept buffer's offset less the start stays aligned.
        let step = all.buffers.iter().try_fold(1i64, |l, b| crate::problem::lcm(l, b.alignment.max(1)));
        let mut starts: Vec<i64> = match step {
            Some(step) if !fixed => packing.offsets.iter().map(|&o| o / step * step).collect(),
            _ => vec![0],
        };
        starts.sort_unstable();
        starts.dedup();
        // Each start costs a pass over the buffers: at most WINDOWS of them.
        let step = starts.len().div_ceil(WINDOWS);
        let starts: Vec<i64> = starts.into_iter().step_by(step.max(1)).collect();
        let mut choice: Option<(i64, i64)> = None;
        for &start in &starts {
            let mut cost = 0i64;
            let mut possible = true;
            for (i, b) in all.buffers.iter().enumerate() {
                let o = packing.offsets[i];
                if o >= start && o + b.size <= start + capacity {
                    continue;
                }
                match var_of(i) {
                    Some(_) => cost = cost.saturating_add(spill.mp.costs[spill.stays[i]]),
                    None => possible = false,
                }
            }
            if possible && choice.is_none_or(|(_, c)| cost < c) {
                choice = Some((start, cost));
            }
        }
        let Some((start, _)) = choice else { return Ok(None) };
        let mut x = vec![false; spill.vars.len()];
        let mut kept_offsets = Vec::new();
        for (i, b) in all.buffers.iter().enumerate() {
            let o = packing.offsets[i];
            if o >= start && o + b.size <= start + capacity {
                kept_offsets.push(o - start);
            } else if let Some(v) = var_of(i) {
                x[v] = true;
            }
        }
        let (kept, _) = spill.kept(&x);
        let solution = Solution::new(&kept, kept_offsets);
        // A window of a valid packing is one; checked all the same.
        Ok(crate::validate::validate(&kept, &solution).ok().map(|()| (x, solution)))
    }

    /// A cut that asks one more of the variables `x` keeps to leave.
    fn keep_fewer(&self, x: &[bool]) -> Row {
        let cost = |v: usize| self.spill.mp.costs[self.spill.vars[v]];
        let mut members: Vec<(usize, i64)> = (0..x.len()).filter(|&v| !x[v]).map(|v| (v, 1)).collect();
        members.sort_unstable_by_key(|&(v, _)| (cost(v), v));
        Row { need: 1, members }
    }

    /// Solves the buffers kept when `spilled` leave, at memory 0's
    /// capacity, by the facade; a refutation becomes a cut.
    fn check(&self, spilled: &[bool]) -> Result<Check, SolveError> {
        let (problem, kept) = self.spill.kept(spilled);
        let budget = self.stop.child_until(deadline_share(self.stop, CHECK_SHARE));
        let report = solve_with(&problem, self.opts, &budget, &|_| {});
        match report.outcome? {
            Outcome::Solved(s) => Ok(Check::Fits(s)),
            Outcome::Infeasible { .. } => Ok(Check::Refuted(self.cut(&problem, &kept)?)),
            _ => Ok(Check::Open),
        }
    }

    /// A cut from kept buffers proven not to fit: the variables of an
    /// irreducible infeasible subset (the deletion filter, within a
    /// quarter of the time left), or of every kept buffer.
    fn cut(&self, problem: &Problem, kept: &[usize]) -> Result<Row, SolveError> {
        let budget =
            self.stop.child_until(deadline_share(self.stop, 4).or_else(|| Instant::now().checked_add(IIS_TIME)));
        let solver = Solver::with_options(self.opts.clone());
        let members: Vec<usize> = match solver.irreducible_infeasible_subset_with_stop(problem, &budget)? {
            InfeasibleSubset::Subset(subset) => subset.iter().map(|&i| kept[i]).collect(),
            _ => kept.to_vec(),
        };
        let vars: Vec<(usize, i64)> =
            members.iter().map(|&b| self.spill.var_of[b]).filter(|&v| v != NO_VAR).map(|v| (v, 1)).collect();
        let mut row = Row { need: 1, members: vars };
        let cost = |v: usize| self.spill.mp.costs[self.spill.vars[v]];
        row.members.sort_unstable_by_key(|&(v, _)| (cost(v), v));
        Ok(row)
    }
}

/// [`Spill::var_of`] of a buffer that is no variable.
const NO_VAR: usize = usize::MAX;

/// The deletion filter's time without a deadline: it is a refinement, and
/// the cut of every kept buffer is sound without it.
const IIS_TIME: Duration = Duration::from_secs(10);

/// The packing a window is cut from gets `1 / WINDOW_SHARE` of the time
/// left. `[default: 6]` `[range: 1..]`: a minimization ends near the load
/// bound quickly; the rest of the time goes to cheaper choices.
const WINDOW_SHARE: usize = 6;

/// The most window starts tried over a packing. `[default: 256]` `[range:
/// 1..]`: on the paper's instances every buffer's bottom; on a trace of
/// 60,000 buffers a pass over each would take seconds.
const WINDOWS: usize = 256;

/// The share of the time left that choosing what moves gets, the rest
/// going to packing each memory as low as it can. `[default: 0.8]`
/// `[range: 0..1]`: the cost comes first in the objective.
const CHOOSING_SHARE: f64 = 0.8;

/// The most members the master's rows hold in all. `[default: 4000000]`
/// `[range: 1..]`: about 64 MB; the paper's instances need a few thousand,
/// traces of tens of thousands of buffers far more than a branch and
/// bound could use.
const MASTER_ENTRIES: usize = 4_000_000;

/// The master's first node budget, doubled whenever it runs out before
/// finding an assignment. `[default: 20000]` `[range: 1..]`: a few
/// milliseconds on the paper's instances; enough for a first assignment.
const MASTER_NODES: u64 = 20_000;

/// A check of the kept buffers gets `1 / CHECK_SHARE` of the time left.
/// `[default: 8]` `[range: 1..]`: one hard packing must not take the
/// whole run from the search for cheaper ones.
const CHECK_SHARE: usize = 8;
