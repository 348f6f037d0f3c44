//! Cross-checks the solver against brute force on small random problems,
//! over random combinations of the technique switches (the reference's nine,
//! point filling, identical order and failure learning) and heuristics:
//! every solution must be valid, and the solver must answer "feasible"
//! exactly when brute force finds a packing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{
    brute_force, brute_optimum, brute_optimum_within, has_windows, plain_problem, problem, problem_with_copies,
    stacking_is_strict, Model,
};
use minimalloc::minimize::minimize_with;
use minimalloc::params::parse_heuristics;
use minimalloc::Outcome;
use minimalloc::{minimize, validate, MinimizeStatus, Problem, SolveOptions, Solver, SolverParams, Switches};
use proptest::prelude::*;

fn params(mask: u32, heuristics: &str) -> SolverParams {
    let mut p = SolverParams { switches: Switches::from_mask(mask), ..SolverParams::default() };
    p.preordering_heuristics = parse_heuristics(heuristics).unwrap();
    p.timeout = Some(Duration::from_secs(20));
    p
}

fn heuristics() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("WAT,TAW,TWA"), Just("TWA"), Just("WAT"), Just("ZLU"), Just("COA,UZ"), Just("LT")]
}

/// Checks that a minimization of `p` ended at `optimum`, proven, with a
/// valid packing of that height.
fn ends_at_the_optimum(m: minimalloc::Minimized, p: &Problem, optimum: i64) -> Result<(), TestCaseError> {
    prop_assert_eq!(m.status, MinimizeStatus::Optimal);
    prop_assert_eq!(m.lower_bound, optimum);
    prop_assert_eq!(m.above_capacity, None);
    let Some(s) = m.solution else { return Err(TestCaseError::fail("optimal without a solution")) };
    let at = Problem { capacity: s.height, ..p.clone() };
    prop_assert!(validate(&at, &s).is_ok());
    prop_assert_eq!(s.height, optimum);
    Ok(())
}

/// A minimization of `p` (capacity 0) ends at brute force's optimum,
/// proven, or proves that nothing fits where brute force finds nothing.
fn ends_as_brute_force(m: minimalloc::Minimized, p: &Problem) -> Result<(), TestCaseError> {
    let Some(optimum) = brute_optimum(p) else {
        prop_assert_eq!(m.status, MinimizeStatus::Infeasible);
        return Ok(());
    };
    ends_at_the_optimum(m, p, optimum)
}

/// The options of a minimization property: every switch, the three
/// preorderings, `threads` and `seed`, no time limit.
fn minimize_options(threads: usize, seed: u64) -> SolveOptions {
    let mut params = params(511, "WAT,TAW,TWA");
    params.threads = threads;
    params.seed = seed;
    params.timeout = None;
    SolveOptions::from_params(&params)
}

/// Checks one solver answer against brute force.
fn cross_check(p: &minimalloc::Problem, result: minimalloc::SolveResult) -> Result<(), TestCaseError> {
    let truth = brute_force(p, Model::Geometry);
    match &result {
        Ok(Outcome::Solved(s)) => {
            prop_assert!(validate(p, s).is_ok(), "invalid solution {:?}: {:?}", s, validate(p, s));
            prop_assert!(truth.is_some(), "solver packed what brute force could not");
        }
        Ok(Outcome::Infeasible { .. }) => {
            // Windows or not: "infeasible" is a proof, or a bug.
            prop_assert!(truth.is_none(), "solver refuted a feasible problem; a packing: {:?}", truth);
        }
        Ok(Outcome::Unknown(_)) => {
            // Only where the search is incomplete, and only where it found
            // nothing it could have found.
            prop_assert!(has_windows(p) && !p.search_is_complete(), "unknown on a problem the search is complete for");
            if stacking_is_strict(p) {
                let stacked = brute_force(p, Model::Stacking);
                prop_assert!(stacked.is_none(), "solver gave up on a stacking-feasible problem: {:?}", stacked);
            }
        }
        other => prop_assert!(false, "unexpected {other:?}"),
    }
    Ok(())
}

/// [`cross_check`] of the sequential search with switches `mask`, then of
/// a `threads`-thread portfolio with those switches and a seed drawn from
/// the mask (so that seeded workers' random ranks vary too).
fn cross_check_alone_and_seeded(
    p: &minimalloc::Problem,
    mask: u32,
    h: &str,
    threads: usize,
) -> Result<(), TestCaseError> {
    cross_check(p, Solver::new(params(mask, h)).solve(p))?;
    let mut portfolio = params(mask, h);
    portfolio.threads = threads;
    portfolio.seed = u64::from(mask);
    cross_check(p, Solver::new(portfolio).solve(p))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn solver_matches_brute_force(p in problem(8, false), mask in 0u32..4096, h in heuristics()) {
        let result = Solver::new(params(mask, h)).solve(&p);
        cross_check(&p, result)?;
    }

    /// Point filling on, over every setting of the reference's switches:
    /// half the generated capacities are the load bound, so sections with
    /// no room to spare (where it branches) are common.
    #[test]
    fn point_filling_matches_brute_force(p in problem(8, false), mask in 0u32..512, h in heuristics()) {
        let result = Solver::new(params(mask | 1 << 9, h)).solve(&p);
        cross_check(&p, result)?;
    }

    /// Identical order on, over every setting of the other switches, on
    /// problems where identical buffers are common; seeded portfolios too
    /// (their random ranks must keep identical buffers together).
    #[test]
    fn identical_order_matches_brute_force(p in problem_with_copies(8), mask in 0u32..1024, h in heuristics(), threads in 1usize..=3) {
        cross_check_alone_and_seeded(&p, mask | 1 << 10, h, threads)?;
    }

    /// Failure learning on, over every setting of the other switches,
    /// sequential and as a seeded portfolio: at the load bound (half the
    /// capacities) failed nodes are common, and so are states that recur.
    #[test]
    fn failure_learning_matches_brute_force(p in problem(9, false), mask in 0u32..2048, h in heuristics(), threads in 1usize..=3) {
        cross_check_alone_and_seeded(&p, mask | 1 << 11, h, threads)?;
    }

    #[test]
    fn solver_is_sound_with_windows(p in problem(7, true), mask in 0u32..4096, h in heuristics()) {
        let result = Solver::new(params(mask, h)).solve(&p);
        cross_check(&p, result)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// However little time a minimization gets, what it reports is true: its
    /// lower bound never passes the optimum (a probe that ran out of time
    /// proved nothing), and any solution it returns is valid.
    #[test]
    fn minimize_under_tiny_time_limits_stays_sound(mut p in problem(7, false), micros in 1u64..3000, threads in 1usize..=3) {
        p.capacity = 0;
        let mut params = params(511, "WAT,TAW,TWA");
        params.threads = threads;
        params.timeout = Some(Duration::from_micros(micros));
        let m = minimize(&p, &params, None).unwrap();
        let Some(optimum) = brute_optimum(&p) else { return Ok(()) };
        prop_assert!(m.lower_bound <= optimum, "bound {} above the optimum {optimum}", m.lower_bound);
        if let Some(s) = &m.solution {
            let mut at = p.clone();
            at.capacity = s.height;
            prop_assert!(validate(&at, s).is_ok());
            prop_assert_eq!(m.status == MinimizeStatus::Optimal, s.height == m.lower_bound);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn minimize_finds_the_brute_force_optimum(mut p in problem(7, false), mask in 0u32..4096, threads in 1usize..=3) {
        p.capacity = 0;
        let mut params = params(mask, "WAT,TAW,TWA");
        params.threads = threads;
        let m = minimize(&p, &params, None).unwrap();
        let Some(optimum) = brute_optimum(&p) else {
            prop_assert_eq!(m.status, MinimizeStatus::Infeasible);
            return Ok(());
        };
        prop_assert_eq!(m.status, MinimizeStatus::Optimal);
        let s = m.solution.unwrap();
        let mut at = p.clone();
        at.capacity = s.height;
        prop_assert!(validate(&at, &s).is_ok());
        prop_assert_eq!(s.height, optimum);
        prop_assert_eq!(m.lower_bound, s.height);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// A minimization whose probes get a nanosecond at first, so that the
    /// descent's probes run out of time and searches at the lower bound
    /// take turns with them (budgets double until something finishes):
    /// it still ends at the brute-force optimum, proven, so no search at
    /// the bound refutes a capacity that fits or closes the run early.
    #[test]
    fn minimize_with_searches_at_the_bound_finds_the_optimum(mut p in problem(7, false), seed in 0u64..1000, threads in 2usize..=3) {
        p.capacity = 0;
        let mut opts = minimize_options(threads, seed);
        let tiny = Duration::from_nanos(1);
        opts.minimize.bound_budget = (tiny, tiny);
        opts.minimize.descent_budget = (tiny, tiny);
        opts.minimize.descent_unlimited = tiny;
        ends_as_brute_force(minimize_with(&p, &opts, Arc::default(), &|_| {}).unwrap(), &p)?;
    }

    /// Minimizations of problems whose buffers glue (one size taking over
    /// from another, shared lifespans: `plain_problem`'s few sizes and
    /// times), with coarsening on and off, on 1-3 threads: each ends at
    /// the brute-force optimum, proven; a coarse problem's packing,
    /// expanded, is only ever a starting point.
    #[test]
    fn minimize_with_coarse_starts_finds_the_optimum(mut p in plain_problem(8), seed in 0u64..1000, threads in 1usize..=3, coarsening in any::<bool>()) {
        p.capacity = 0;
        let mut opts = minimize_options(threads, seed);
        opts.tunables.coarsening = coarsening;
        ends_as_brute_force(minimize_with(&p, &opts, Arc::default(), &|_| {}).unwrap(), &p)?;
    }

    /// A minimization within a given capacity (below, at or above the
    /// optimum), on 1-3 threads: it ends at the brute-force optimum where
    /// that fits, and proves that nothing fits where it does not, never
    /// answering with a packing above the capacity (whose height it may
    /// tell, never below the optimum).
    #[test]
    fn minimize_within_a_capacity_finds_the_optimum_or_proves_none_fits(mut p in problem(7, false), seed in 0u64..1000, threads in 1usize..=3, slack in -2i64..=2) {
        let Some(optimum) = brute_optimum(&Problem { capacity: 0, ..p.clone() }) else { return Ok(()) };
        p.capacity = (optimum + slack).max(1);
        let mut params = params(511, "WAT,TAW,TWA");
        params.threads = threads;
        params.seed = seed;
        params.timeout = None;
        let m = minimize(&p, &params, None).unwrap();
        if optimum > p.capacity {
            prop_assert_eq!(m.status, MinimizeStatus::Infeasible);
            prop_assert!(m.solution.is_none());
            prop_assert!(m.above_capacity.is_none_or(|h| h >= optimum));
            return Ok(());
        }
        ends_at_the_optimum(m, &p, optimum)?;
    }

    /// The large-instance path (online and greedy packings, then the
    /// neighbourhood search), forced onto small problems with fixed
    /// offsets, alignments, gaps and windows: every solution is valid, and
    /// it never claims infeasibility that brute force disproves (it can
    /// only prove it by a bound).
    #[test]
    fn large_path_is_sound(p in problem(8, true), threads in 1usize..=2) {
        let mut params = params(511, "WAT,TAW,TWA");
        params.threads = threads;
        params.large_pairs = 0;
        params.timeout = Some(Duration::from_millis(40));
        let result = Solver::new(params.clone()).solve(&p);
        match &result {
            Ok(Outcome::Solved(s)) => prop_assert!(validate(&p, s).is_ok(), "invalid: {:?}", validate(&p, s)),
            Ok(Outcome::Infeasible { reason, .. }) => {
                prop_assert!(reason.is_some(), "the large path proves only by bounds");
                prop_assert!(brute_force(&p, Model::Geometry).is_none(), "refuted a feasible problem");
            }
            Ok(Outcome::TimeLimit | Outcome::Unknown(_)) => {}
            other => prop_assert!(false, "unexpected {other:?}"),
        }
        let mut free = p.clone();
        free.capacity = 0;
        let m = minimize(&free, &params, None).unwrap();
        if let Some(s) = &m.solution {
            let mut at = free.clone();
            at.capacity = s.height;
            prop_assert!(validate(&at, s).is_ok());
        }
        // The check with the optimum is skipped where brute force cannot
        // find it in a second or so (rare; see `brute_optimum_within`).
        if let Ok(Some(optimum)) = brute_optimum_within(&free, 20_000_000) {
            prop_assert!(m.lower_bound <= optimum, "bound {} above the optimum {optimum}", m.lower_bound);
        }
    }

    /// Metamorphic: when any mode proves a capacity infeasible, no other
    /// mode (thread counts, deterministic races, all switches off, the
    /// large path, minimization) finds a packing within it; and a
    /// minimization's height solves at that capacity in every mode.
    #[test]
    fn modes_agree_on_infeasibility(p in problem(8, true)) {
        let mut modes = Vec::new();
        for (threads, deterministic, mask) in [(1, false, 511), (2, false, 511), (3, false, 511), (2, true, 511), (1, false, 0), (1, false, 1023), (2, false, 1023), (1, false, 4095), (2, false, 4095)] {
            let mut q = params(mask, "WAT,TAW,TWA");
            q.threads = threads;
            q.deterministic = deterministic;
            q.timeout = Some(Duration::from_secs(5));
            modes.push(q);
        }
        let mut large = params(511, "WAT,TAW,TWA");
        large.large_pairs = 0;
        large.timeout = Some(Duration::from_millis(40));
        modes.push(large);
        let results: Vec<_> = modes.iter().map(|q| Solver::new(q.clone()).solve(&p)).collect();
        let refuted = results.iter().any(|r| matches!(r, Ok(Outcome::Infeasible { .. })));
        for (q, r) in modes.iter().zip(&results) {
            if let Ok(Outcome::Solved(s)) = r {
                prop_assert!(validate(&p, s).is_ok());
                prop_assert!(!refuted, "{q:?} packed what another mode refuted");
            }
        }
        let mut free = p.clone();
        free.capacity = 0;
        let m = minimize(&free, &modes[1], None).unwrap();
        if let Some(s) = &m.solution {
            prop_assert!(!(refuted && s.height <= p.capacity), "minimization fits {} under a refuted {}", s.height, p.capacity);
            if m.status == MinimizeStatus::Optimal {
                let mut at = free.clone();
                at.capacity = s.height;
                for q in &modes[..5] {
                    let r = Solver::new(q.clone()).solve(&at);
                    prop_assert!(!matches!(r, Ok(Outcome::Infeasible { .. })), "{q:?} refuted the minimum {}", s.height);
                }
            }
        }
    }
}
