//! Independent validation of a solution, by a sweep over time rather than
//! the reference's all-pairs loop: at every moment the memory each active
//! buffer occupies (its window during gaps) must be disjoint from the
//! others', inside the capacity, aligned, and where fixed buffers were put.
//! O(n log n) over the buffers' pieces, so it checks 62k-buffer traces in
//! milliseconds.

use std::collections::BTreeMap;
use std::time::Duration;

use thiserror::Error;

use crate::error::Quoted;
use crate::error::SolveError;
use crate::problem::{Problem, Solution};
use crate::stop::StopToken;

/// Why a solution is not valid (the reference's `ValidationResult`, with details).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ValidationError {
    /// Not one offset per buffer.
    #[error("solution has {offsets} offsets for {buffers} buffers")]
    BadSolution {
        /// Offsets given.
        offsets: usize,
        /// Buffers in the problem.
        buffers: usize,
    },
    /// A fixed buffer was moved.
    #[error("buffer {} is fixed at {fixed} but placed at {offset}", Quoted(id))]
    BadFixed {
        /// The buffer.
        id: String,
        /// Its fixed offset.
        fixed: i64,
        /// Where the solution put it.
        offset: i64,
    },
    /// Negative offset, or past the capacity.
    #[error("buffer {} at offset {offset} with size {size} is outside [0, {capacity})", Quoted(id))]
    BadOffset {
        /// The buffer.
        id: String,
        /// Its offset.
        offset: i64,
        /// Its size.
        size: i64,
        /// The capacity.
        capacity: i64,
    },
    /// Two buffers share memory at some moment.
    #[error("buffers {} and {} overlap at time {time}", Quoted(a), Quoted(b))]
    BadOverlap {
        /// One buffer.
        a: String,
        /// The other.
        b: String,
        /// A moment when they collide.
        time: i64,
    },
    /// An offset that is not a multiple of the alignment.
    #[error("buffer {} at offset {offset} is not aligned to {alignment}", Quoted(id))]
    BadAlignment {
        /// The buffer.
        id: String,
        /// Its offset.
        offset: i64,
        /// Its alignment.
        alignment: i64,
    },
    /// The stated height is not the largest `offset + size`.
    #[error("solution height {stated} differs from the actual height {actual}")]
    BadHeight {
        /// The solution's height field.
        stated: i64,
        /// `max(offset + size)`.
        actual: i64,
    },
}

/// Checks `solution` against `problem` (within `problem.capacity`).
pub fn validate(problem: &Problem, solution: &Solution) -> Result<(), ValidationError> {
    validate_within(problem, solution, problem.capacity)
}

/// [`validate`] within `capacity` instead of the problem's own (checking a
/// minimization's answer at the height it needs, without copying a
/// problem of a million buffers to change one number).
pub(crate) fn validate_within(problem: &Problem, solution: &Solution, capacity: i64) -> Result<(), ValidationError> {
    let n = problem.buffers.len();
    if solution.offsets.len() != n {
        return Err(ValidationError::BadSolution { offsets: solution.offsets.len(), buffers: n });
    }
    let mut height = 0i64;
    for (b, &offset) in problem.buffers.iter().zip(&solution.offsets) {
        if let Some(fixed) = b.offset {
            if fixed != offset {
                return Err(ValidationError::BadFixed { id: b.id.clone(), fixed, offset });
            }
        }
        let top = offset.checked_add(b.size);
        if offset < 0 || top.is_none_or(|t| t > capacity) {
            return Err(ValidationError::BadOffset { id: b.id.clone(), offset, size: b.size, capacity });
        }
        if offset % b.alignment.max(1) != 0 {
            return Err(ValidationError::BadAlignment { id: b.id.clone(), offset, alignment: b.alignment });
        }
        height = height.max(top.unwrap_or(0));
    }
    if height != solution.height {
        return Err(ValidationError::BadHeight { stated: solution.height, actual: height });
    }

    // Every occupied piece as (time, is_start, buffer, bottom, top); ends
    // sort before starts at the same time since lifespans are half-open.
    let mut events: Vec<(i64, bool, usize, i64, i64)> = Vec::with_capacity(2 * n);
    for (i, (b, &offset)) in problem.buffers.iter().zip(&solution.offsets).enumerate() {
        if b.size == 0 || b.lifespan.is_empty() {
            continue;
        }
        let mut push = |t0: i64, t1: i64, w0: i64, w1: i64| {
            if w1 > w0 {
                events.push((t0, true, i, offset + w0, offset + w1));
                events.push((t1, false, i, offset + w0, offset + w1));
            }
        };
        if b.gaps.is_empty() {
            push(b.lifespan.lower, b.lifespan.upper, 0, b.size);
        } else {
            for p in b.pieces() {
                push(p.time.lower, p.time.upper, p.window.lower, p.window.upper);
            }
        }
    }
    events.sort_unstable_by_key(|&(t, start, i, lo, _)| (t, start, i, lo));
    // Occupied intervals now, keyed by bottom: (top, buffer). They stay
    // disjoint, so a new one only has to be checked against its neighbours.
    let mut occupied: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
    let id = |i: usize| problem.buffers[i].id.clone();
    for (time, start, i, lo, hi) in events {
        if !start {
            occupied.remove(&lo);
            continue;
        }
        if let Some((_, &(top, j))) = occupied.range(..=lo).next_back() {
            if top > lo {
                return Err(ValidationError::BadOverlap { a: id(j), b: id(i), time });
            }
        }
        if let Some((&bottom, &(_, j))) = occupied.range(lo..).next() {
            if bottom < hi {
                return Err(ValidationError::BadOverlap { a: id(j), b: id(i), time });
            }
        }
        occupied.insert(lo, (hi, i));
    }
    Ok(())
}

/// Hands `solution` out only if the independent validator accepts it at
/// `problem`'s capacity: every path that returns a solution from the
/// library goes through here, so a bug in a search or a heuristic becomes
/// an internal error, never an overlapping packing.
pub(crate) fn checked(problem: &Problem, solution: Solution) -> Result<Solution, SolveError> {
    checked_within(problem, solution, problem.capacity)
}

/// [`checked`] within `capacity` instead of the problem's own.
pub(crate) fn checked_within(problem: &Problem, solution: Solution, capacity: i64) -> Result<Solution, SolveError> {
    match validate_within(problem, &solution, capacity) {
        Ok(()) => Ok(solution),
        Err(e) => Err(SolveError::Internal(e.to_string())),
    }
}

/// The time to keep for finishing a run of `buffers` buffers before its
/// deadline: this sweep is linear in the buffers, and an improver notices
/// the deadline only between steps, each of which sorts the buffers once.
/// Searches stop that much earlier, so the answer still comes within the
/// limit (`benchmarks/time-limit-after-read.py` measures how far past it
/// runs end). `[default: 0.5 µs a buffer]`, rounded up to whole
/// microseconds.
pub fn finish_reserve(buffers: usize) -> Duration {
    Duration::from_micros((buffers as u64).div_ceil(2))
}

/// The token for the searching part of a run under `stop` on `problem`:
/// it stops in time to validate (see [`finish_reserve`]).
pub(crate) fn until_checked(stop: &StopToken, problem: &Problem) -> StopToken {
    stop.child_reserving(finish_reserve(problem.buffers.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::{Buffer, Gap, Interval};

    fn seed() -> Problem {
        crate::problem::seed_example(12)
    }

    #[test]
    fn accepts_the_seed_solution() {
        let p = seed();
        assert_eq!(validate(&p, &Solution { offsets: vec![8, 8, 4, 4, 0], height: 12 }), Ok(()));
    }

    #[test]
    fn reports_each_fault() {
        let p = seed();
        let v = |offsets: Vec<i64>, height| validate(&p, &Solution { offsets, height });
        assert!(matches!(v(vec![8, 8, 4, 4], 12), Err(ValidationError::BadSolution { .. })));
        assert!(matches!(v(vec![8, 8, 4, 4, -1], 12), Err(ValidationError::BadOffset { .. })));
        assert!(matches!(v(vec![9, 8, 4, 4, 0], 13), Err(ValidationError::BadOffset { .. })));
        assert!(matches!(v(vec![8, 8, 4, 4, 0], 11), Err(ValidationError::BadHeight { .. })));
        assert!(matches!(v(vec![8, 4, 4, 4, 0], 12), Err(ValidationError::BadOverlap { .. })));
        assert!(matches!(v(vec![8, 8, 4, 2, 0], 12), Err(ValidationError::BadOverlap { .. })));
        let mut q = seed();
        q.buffers[0].alignment = 3;
        assert!(matches!(
            validate(&q, &Solution { offsets: vec![8, 8, 4, 4, 0], height: 12 }),
            Err(ValidationError::BadAlignment { .. })
        ));
        let mut q = seed();
        q.buffers[4].offset = Some(4);
        assert!(matches!(
            validate(&q, &Solution { offsets: vec![8, 8, 4, 4, 0], height: 12 }),
            Err(ValidationError::BadFixed { .. })
        ));
    }

    #[test]
    fn equal_bottoms_overlap_and_touching_does_not() {
        let p = Problem::new(vec![Buffer::new("a", 0, 2, 2), Buffer::new("b", 1, 3, 2)], 4);
        assert!(validate(&p, &Solution { offsets: vec![0, 0], height: 2 }).is_err());
        assert!(validate(&p, &Solution { offsets: vec![0, 2], height: 4 }).is_ok());
        let q = Problem::new(vec![Buffer::new("a", 0, 2, 2), Buffer::new("b", 2, 3, 2)], 2);
        assert!(validate(&q, &Solution { offsets: vec![0, 0], height: 2 }).is_ok(), "half-open lifespans");
    }

    #[test]
    fn windows_may_interleave() {
        // The "tetris" pair, and a nesting the reference's pairwise check rejects.
        let mut a = Buffer::new("a", 0, 10, 2);
        a.gaps = vec![Gap { lifespan: Interval::new(0, 5), window: Some(Interval::new(0, 1)) }];
        let mut b = Buffer::new("b", 0, 10, 2);
        b.gaps = vec![Gap { lifespan: Interval::new(5, 10), window: Some(Interval::new(1, 2)) }];
        let p = Problem::new(vec![a, b], 3);
        assert!(validate(&p, &Solution { offsets: vec![0, 1], height: 3 }).is_ok());
        assert!(validate(&p, &Solution { offsets: vec![0, 0], height: 2 }).is_err());

        let mut outer = Buffer::new("outer", 0, 4, 4);
        outer.gaps = vec![
            Gap { lifespan: Interval::new(0, 2), window: Some(Interval::new(0, 1)) },
            Gap { lifespan: Interval::new(2, 4), window: Some(Interval::new(3, 4)) },
        ];
        let inner = Buffer::new("inner", 0, 4, 2);
        let p = Problem::new(vec![outer, inner], 4);
        assert!(validate(&p, &Solution { offsets: vec![0, 1], height: 4 }).is_ok());
    }

    #[test]
    fn zero_sizes_and_inactive_gaps_never_collide() {
        let mut a = Buffer::new("a", 0, 10, 4);
        a.gaps = vec![Gap { lifespan: Interval::new(2, 8), window: None }];
        let b = Buffer::new("b", 3, 7, 4);
        let z = Buffer::new("z", 0, 10, 0);
        let p = Problem::new(vec![a, b, z], 4);
        assert!(validate(&p, &Solution { offsets: vec![0, 0, 2], height: 4 }).is_ok());
    }
}
