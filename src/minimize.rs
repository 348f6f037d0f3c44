//! Minimizing the capacity: the smallest capacity a packing fits in, with a
//! proof, or the best found and an honest gap.
//!
//! It starts from the proven lower bound (largest load at any moment, largest
//! buffer, fixed tops) and an upper bound from a first solution, and bisects
//! between them. Unlike the reference, a probe that runs out of time is
//! *unknown*, never infeasible: only an exhausted search raises the lower
//! bound, and the best solution found is always kept.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::bounds::LowerBounds;
use crate::error::SolveError;
use crate::params::SolverParams;
use crate::problem::{Problem, Solution, MAX_VALUE};
use crate::solver::solve_sequential;

/// How far a minimization got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinimizeStatus {
    /// The height equals the proven lower bound.
    Optimal,
    /// A solution exists, but a gap to the lower bound remains.
    Feasible,
    /// No solution was found in time.
    Unknown,
    /// Not even the starting capacity fits (proven).
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

/// The outcome of [`minimize`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minimized {
    /// The best solution found (its `height` is the capacity it needs).
    pub solution: Option<Solution>,
    /// A proven lower bound on the smallest capacity.
    pub lower_bound: i64,
    /// Whether `solution` is proven optimal.
    pub status: MinimizeStatus,
    /// Capacities probed, with what each proved.
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
}

/// Finds the smallest capacity for `problem`, bisecting between proven
/// bounds. The upper end is `problem.capacity` when it is positive, else the
/// sum of all sizes and alignments above the fixed buffers (always enough). `params.timeout` limits the whole run.
pub fn minimize(
    problem: &Problem,
    params: &SolverParams,
    cancel: Option<Arc<AtomicBool>>,
) -> Result<Minimized, SolveError> {
    problem.check()?;
    let start = Instant::now();
    let deadline = params.timeout.and_then(|t| start.checked_add(t));
    let bounds = LowerBounds::of(problem);
    let mut lower = i64::try_from(bounds.best()).unwrap_or(i64::MAX);
    // Stacking every free buffer, each at the next aligned offset, above the
    // highest fixed buffer always fits (unless fixed buffers collide).
    let total: i128 = problem
        .buffers
        .iter()
        .filter(|b| b.offset.is_none())
        .map(|b| i128::from(b.size) + i128::from(b.alignment) - 1)
        .sum::<i128>()
        + i128::from(bounds.fixed_top);
    let mut upper = if problem.capacity > 0 {
        problem.capacity
    } else {
        i64::try_from(total.min(i128::from(MAX_VALUE))).unwrap_or(MAX_VALUE)
    };
    let start_upper = upper;
    let mut probes = Vec::new();
    let mut best: Option<Solution> = None;
    let never = AtomicBool::new(false);
    let stop: &AtomicBool = cancel.as_deref().unwrap_or(&never);

    // The first probe, at the upper end, gives the first solution; then
    // bisect between what is proven infeasible and what is solved.
    let mut probe_at = upper;
    while lower <= upper && !stop.load(Ordering::Relaxed) {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let probe = Problem { buffers: problem.buffers.clone(), capacity: probe_at };
        let (result, _) = solve_sequential(&probe, params, stop, deadline);
        let outcome = match result {
            Ok(s) => {
                upper = s.height - 1;
                let h = s.height;
                if best.as_ref().is_none_or(|b| h < b.height) {
                    best = Some(s);
                }
                ProbeOutcome::Solved(h)
            }
            Err(SolveError::Infeasible { .. }) => {
                lower = probe_at + 1;
                ProbeOutcome::Infeasible
            }
            Err(SolveError::Timeout) | Err(SolveError::Cancelled) => ProbeOutcome::Unknown,
            Err(e) => return Err(e),
        };
        probes.push((probe_at, outcome));
        if outcome == ProbeOutcome::Unknown || best.is_none() {
            break;
        }
        probe_at = lower + (upper - lower) / 2;
    }
    let status = match &best {
        Some(s) if s.height <= lower => MinimizeStatus::Optimal,
        Some(_) => MinimizeStatus::Feasible,
        None if lower > start_upper => MinimizeStatus::Infeasible,
        None => MinimizeStatus::Unknown,
    };
    let lower_bound = best.as_ref().map_or(lower, |s| lower.min(s.height));
    Ok(Minimized { solution: best, lower_bound, status, probes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Buffer;

    #[test]
    fn seed_minimum_is_twelve() {
        let p = Problem::new(
            vec![
                Buffer::new("b1", 0, 3, 4),
                Buffer::new("b2", 3, 9, 4),
                Buffer::new("b3", 0, 9, 4),
                Buffer::new("b4", 9, 21, 4),
                Buffer::new("b5", 0, 21, 4),
            ],
            0,
        );
        let m = minimize(&p, &SolverParams::default(), None).unwrap();
        assert_eq!(m.status, MinimizeStatus::Optimal);
        assert_eq!(m.solution.unwrap().height, 12);
        assert_eq!(m.lower_bound, 12);
    }

    #[test]
    fn tricky_instance_needs_more_than_its_load() {
        let bufs = [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)];
        let p = Problem::new(
            bufs.iter().enumerate().map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s)).collect(),
            0,
        );
        let m = minimize(&p, &SolverParams::default(), None).unwrap();
        assert_eq!(m.status, MinimizeStatus::Optimal);
        assert_eq!(m.solution.unwrap().height, 5);
        assert_eq!(m.lower_bound, 5, "refuting 4 proved the bound");
    }

    #[test]
    fn infeasible_start() {
        let mut b = Buffer::new("a", 0, 1, 4);
        b.offset = Some(0);
        let p = Problem::new(vec![b], 3);
        let m = minimize(&p, &SolverParams::default(), None).unwrap();
        assert_eq!(m.status, MinimizeStatus::Infeasible);
        assert!(m.solution.is_none());
    }
}
