//! Spilling across memories: brute-force cross-checks of the least cost,
//! over thread counts, with buffers that may not leave, buffers that
//! prefer the slow memory, fixed offsets and costs other than sizes.

mod common;

use std::time::Duration;

use common::{brute_force, problem, Model};
use minimalloc::spill::{plan, validate_plan};
use minimalloc::{MemoryProblem, PlanOutcome, Problem, SolveOptions, SolverParams, StopToken};
use proptest::prelude::*;

/// The least cost by brute force: every set of movable buffers, the
/// rest packed at the capacity by exhaustive search; `None` when no set
/// lets the rest fit.
fn brute_least_cost(mp: &MemoryProblem, capacity: i64) -> Option<i64> {
    // Fixed buffers stay in their first choice: colliding there, nothing fits.
    for m in 0..mp.memories.len() {
        let fixed: Vec<_> = (0..mp.buffers.len())
            .filter(|&b| mp.buffers[b].offset.is_some() && mp.choices_of(b)[0] == m)
            .map(|b| mp.buffers[b].clone())
            .collect();
        brute_force(&Problem::new(fixed, 1 << 40), Model::Geometry)?;
    }
    let stays: Vec<usize> = (0..mp.buffers.len()).filter(|&b| mp.choices_of(b)[0] == 0).collect();
    let movable: Vec<usize> =
        stays.iter().copied().filter(|&b| mp.choices_of(b).len() > 1 && mp.buffers[b].offset.is_none()).collect();
    let mut best: Option<i64> = None;
    for mask in 0u32..(1 << movable.len()) {
        let gone = |b: usize| movable.iter().position(|&m| m == b).is_some_and(|i| mask & (1 << i) != 0);
        let cost: i64 =
            movable.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, &b)| mp.costs[b]).sum();
        if best.is_some_and(|c| c <= cost) {
            continue;
        }
        let kept = stays.iter().filter(|&&b| !gone(b)).map(|&b| mp.buffers[b].clone()).collect();
        if brute_force(&Problem::new(kept, capacity), Model::Geometry).is_some() {
            best = Some(cost);
        }
    }
    best
}

/// A spilling problem from `p` at `percent` of its load bound, with the
/// buffers' memories and costs drawn from `spec` (0: either memory, 1:
/// the fast one only, 2: the slow one first; cost the size or `cost`).
fn spilling(p: &Problem, percent: i64, spec: &[(u8, Option<i64>)]) -> (MemoryProblem, i64) {
    let lb = minimalloc::LowerBounds::of(p).best() as i64;
    let capacity = lb * percent / 100;
    let mut mp = MemoryProblem::spill(&Problem { capacity, ..p.clone() });
    for (b, &(kind, cost)) in spec.iter().enumerate().take(p.buffers.len()) {
        mp.choices[b] = match kind {
            1 => vec![0],
            2 => vec![1, 0],
            _ => Vec::new(),
        };
        if let Some(c) = cost {
            mp.costs[b] = c;
        }
    }
    (mp, capacity)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The least cost is brute force's, proven, at every thread count; the
    /// bound never passes it; "infeasible" only where nothing fits.
    #[test]
    fn least_cost_matches_brute_force(
        p in problem(7, false),
        percent in 30i64..=100,
        spec in prop::collection::vec((prop_oneof![6 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)], prop::option::of(0i64..6)), 7),
        threads in 1usize..=3,
    ) {
        let (mp, capacity) = spilling(&p, percent, &spec);
        let truth = brute_least_cost(&mp, capacity);
        let params = SolverParams { threads, ..SolverParams::default() };
        let opts = SolveOptions::from_params(&params);
        let stop = StopToken::new().child_until(std::time::Instant::now().checked_add(Duration::from_secs(30)));
        match plan(&mp, &opts, &stop).expect("a well-formed problem") {
            PlanOutcome::Planned(found) => {
                prop_assert_eq!(validate_plan(&mp, &found), Ok(()));
                let least = truth.expect("brute force finds what the planner found");
                prop_assert!(found.lower_bound <= least, "bound {} above the least cost {least}", found.lower_bound);
                prop_assert!(found.optimal, "not proven in 30 s: {found:?}");
                prop_assert_eq!(found.cost, least);
            }
            PlanOutcome::Infeasible(why) => prop_assert!(truth.is_none(), "refuted ({why}) what brute force fits at cost {truth:?}"),
            PlanOutcome::Stopped(o) => prop_assert!(false, "stopped: {o}"),
        }
    }
}

/// Nothing to move when everything fits: cost 0, proven; and spilling the
/// seed example at two thirds of its height moves the cheapest bytes.
#[test]
fn spilling_the_seed_example() {
    let p = minimalloc::from_csv("id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n").unwrap();
    let opts = SolveOptions::default();
    let run =
        |capacity: i64| match plan(&MemoryProblem::spill(&Problem { capacity, ..p.clone() }), &opts, &StopToken::new())
        {
            Ok(PlanOutcome::Planned(plan)) => plan,
            other => panic!("capacity {capacity}: {other:?}"),
        };
    let fits = run(12);
    assert_eq!((fits.cost, fits.lower_bound, fits.optimal), (0, 0, true));
    assert!(fits.memory.iter().all(|&m| m == 0));
    let spilled = run(8);
    // Load 12 at times 0-3 and 3-9 needs 4 bytes out at each: b3 or b5
    // (live over both) does it alone.
    assert_eq!((spilled.cost, spilled.lower_bound, spilled.optimal), (4, 4, true));
    let moved: Vec<usize> = (0..5).filter(|&b| spilled.memory[b] == 1).collect();
    assert!(moved == [2] || moved == [4], "{moved:?}");
    assert_eq!(spilled.heights, vec![8, 4]);
}

/// Buffers that must stay and do not fit: proven infeasible, whatever can
/// move.
#[test]
fn pinned_buffers_that_do_not_fit_are_infeasible() {
    let p = minimalloc::from_csv("id,lower,upper,size\na,0,4,6\nb,0,4,6\nc,0,4,2\n").unwrap();
    let mut mp = MemoryProblem::spill(&Problem { capacity: 10, ..p });
    mp.choices[0] = vec![0];
    mp.choices[1] = vec![0];
    let outcome = plan(&mp, &SolveOptions::default(), &StopToken::new()).unwrap();
    assert!(matches!(outcome, PlanOutcome::Infeasible(_)), "{outcome:?}");
}
