//! Several bounded memories (say a small SRAM, a larger one, then DRAM):
//! planned one bounded memory at a time, in the memories' order, each by
//! the two-memory planner of the module above.
//!
//! Step m takes the buffers now headed for bounded memory m (those whose
//! first choice it is, and those moved on to it by earlier steps) and
//! plans them between m and "elsewhere": a buffer may move on to its next
//! choice that is still open (an unbounded memory, or a bounded one after
//! m, whose step is still to come), at its cost. For a buffer already moved
//! that cost is paid once, wherever it goes; in the step it stands for its
//! preference: a list names the memories in the order the buffer wants
//! them, so each step keeps as much (by cost) of what reaches it as it can,
//! rather than passing it on for free. Buffers that stay are packed in m
//! there and then; after the last bounded memory the unbounded ones are
//! packed.
//!
//! What is claimed, and why it holds:
//! - The lower bound is a sum over the bounded memories of a bound on what
//!   leaving each costs the buffers whose first choice it is, with nothing
//!   else in it (every other memory unbounded): a relaxation for each, on
//!   disjoint sets of buffers, so the sum bounds every plan's cost. For the
//!   first bounded memory the step's own problem is that relaxation, and
//!   its planner's bound is used; for the others, the master's root bound
//!   of the relaxation. The plan is optimal when its cost meets the sum.
//! - "Infeasible" only from a step whose buffers all have it as their first
//!   choice and may go wherever their lists allow (its problem is then the
//!   relaxation: no plan keeps them in); a step that fails otherwise (with
//!   buffers moved in by earlier steps, or held back from memories already
//!   planned) proves nothing about other plans, and the cascade ends
//!   unknown.

use std::time::Instant;

use super::{deadline_share, pack_unbounded, plan_merged, Master, Memory, MemoryProblem, Plan, PlanOutcome, Spill};
use crate::error::SolveError;
use crate::options::SolveOptions;
use crate::report::Outcome;
use crate::stop::StopToken;

/// Whether `mp` needs the cascade: a bounded memory after the first, or
/// after an unbounded one.
pub(super) fn needed(mp: &MemoryProblem) -> bool {
    mp.memories.iter().skip(1).any(|m| m.capacity.is_some())
}

/// Plans `mp` (no aliases: groups are merged before) one bounded memory at
/// a time (see the module docs).
pub(super) fn plan(mp: &MemoryProblem, opts: &SolveOptions, stop: &StopToken) -> Result<PlanOutcome, SolveError> {
    let n = mp.buffers.len();
    let choices: Vec<Vec<usize>> = (0..n).map(|b| mp.choices_of(b)).collect();
    // Each buffer's position in its list of choices, and its offset once placed.
    let mut at = vec![0usize; n];
    let mut offsets: Vec<Option<i64>> = vec![None; n];
    let bounded: Vec<usize> = (0..mp.memories.len()).filter(|&m| mp.memories[m].capacity.is_some()).collect();
    // Each step's share of the time: where the cost is decided, by the
    // buffers whose first choice it is, plus one; a fifth of the whole is
    // kept for the unbounded memories' packing, as the two-memory planner
    // keeps for its own.
    let weight = |m: usize| 1 + (0..n).filter(|&b| choices[b][0] == m).count();
    let mut left: usize = bounded.iter().map(|&m| weight(m)).sum();
    let packing = left.div_ceil(4);
    let mut lower_bound = 0i64;
    for (step, &m) in bounded.iter().enumerate() {
        let share = stop.child_until(weighted_share(stop, weight(m), left + packing));
        left -= weight(m);
        let members: Vec<usize> = (0..n).filter(|&b| choices[b][at[b]] == m).collect();
        lower_bound = lower_bound.saturating_add(relaxed_bound(mp, &choices, m, stop));
        if members.is_empty() {
            continue;
        }
        let next: Vec<Option<usize>> = members.iter().map(|&b| next_choice(mp, &choices[b], at[b], m)).collect();
        let relaxed = members.iter().zip(&next).all(|(&b, n)| at[b] == 0 && n.is_some() == (choices[b].len() > 1));
        let sub = step_problem(mp, m, &members, &next);
        let planned = match plan_merged(&sub, opts, &share)? {
            PlanOutcome::Planned(p) => p,
            PlanOutcome::Infeasible(why) if relaxed => return Ok(PlanOutcome::Infeasible(why)),
            PlanOutcome::Infeasible(why) => {
                let why =
                    format!("memory '{}' cannot hold what earlier memories moved to it ({why})", mp.memories[m].name);
                return Ok(PlanOutcome::Stopped(Outcome::Unknown(why)));
            }
            PlanOutcome::Stopped(o) => return Ok(PlanOutcome::Stopped(o)),
        };
        if step == 0 {
            // The first step's problem is its relaxation: its bound is better.
            lower_bound = planned.lower_bound.max(lower_bound);
        }
        for (i, &b) in members.iter().enumerate() {
            match next[i] {
                Some(p) if planned.memory[i] != 0 => at[b] = p,
                _ => offsets[b] = Some(planned.offsets[i]),
            }
        }
    }
    Ok(PlanOutcome::Planned(finish(mp, &choices, &at, offsets, lower_bound, opts, stop)?))
}

/// A deadline that leaves `weight` parts of `total` of the time until
/// `stop`'s (none without a deadline).
fn weighted_share(stop: &StopToken, weight: usize, total: usize) -> Option<Instant> {
    let left = stop.deadline()?.saturating_duration_since(Instant::now());
    Instant::now().checked_add(left.mul_f64(weight as f64 / total.max(1) as f64))
}

/// The position in `choices` after `from` of the next memory still open
/// at step `m`: unbounded, or bounded and after `m`.
fn next_choice(mp: &MemoryProblem, choices: &[usize], from: usize, m: usize) -> Option<usize> {
    (from + 1..choices.len()).find(|&p| choices[p] > m || mp.memories[choices[p]].capacity.is_none())
}

/// The two-memory problem of step `m`: `members` between `m` and an
/// unbounded elsewhere, each free to move on where `next` has a choice, at
/// its cost (see the module docs).
fn step_problem(mp: &MemoryProblem, m: usize, members: &[usize], next: &[Option<usize>]) -> MemoryProblem {
    let memory = &mp.memories[m];
    MemoryProblem {
        buffers: members.iter().map(|&b| mp.buffers[b].clone()).collect(),
        memories: vec![memory.clone(), Memory::new(format!("after {}", memory.name), None)],
        choices: next.iter().map(|n| if n.is_some() { vec![0, 1] } else { vec![0] }).collect(),
        costs: members.iter().map(|&b| mp.costs[b]).collect(),
        aliases: Vec::new(),
    }
}

/// A lower bound on what moving out of bounded memory `m` costs the
/// buffers whose first choice it is, with nothing else in `m` and every
/// other memory unbounded: the master's root bound of that relaxation (0
/// when it is infeasible: the step that meets it says so).
fn relaxed_bound(mp: &MemoryProblem, choices: &[Vec<usize>], m: usize, stop: &StopToken) -> i64 {
    let first: Vec<usize> = (0..mp.buffers.len()).filter(|&b| choices[b][0] == m).collect();
    let anywhere: Vec<Option<usize>> = first.iter().map(|&b| (choices[b].len() > 1).then_some(1)).collect();
    let relaxed = step_problem(mp, m, &first, &anywhere);
    let spill = Spill::new(&relaxed);
    Master::new(&spill, stop).map_or(0, |master| master.root_bound())
}

/// The plan: the bounded memories' packings as the steps left them, every
/// other buffer in its current choice (an unbounded memory), packed there.
fn finish(
    mp: &MemoryProblem,
    choices: &[Vec<usize>],
    at: &[usize],
    mut offsets: Vec<Option<i64>>,
    lower_bound: i64,
    opts: &SolveOptions,
    stop: &StopToken,
) -> Result<Plan, SolveError> {
    let n = mp.buffers.len();
    let memory: Vec<usize> = (0..n).map(|b| choices[b][at[b]]).collect();
    let unbounded: Vec<usize> = (0..mp.memories.len()).filter(|&m| mp.memories[m].capacity.is_none()).collect();
    for (k, &m) in unbounded.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&b| memory[b] == m).collect();
        let share = stop.child_until(deadline_share(stop, unbounded.len() - k));
        for (&b, o) in members.iter().zip(pack_unbounded(mp, m, &members, opts, &share)?) {
            offsets[b] = Some(o);
        }
    }
    let offsets: Vec<i64> = offsets.into_iter().map(|o| o.unwrap_or(0)).collect();
    let heights = (0..mp.memories.len())
        .map(|m| (0..n).filter(|&b| memory[b] == m).map(|b| offsets[b] + mp.buffers[b].size).max().unwrap_or(0))
        .collect();
    let cost = (0..n).filter(|&b| at[b] > 0).map(|b| mp.costs[b]).sum();
    let lower_bound = lower_bound.min(cost);
    Ok(Plan { memory, offsets, heights, cost, lower_bound, optimal: lower_bound == cost })
}
