//! The parallel portfolio: brute-force cross-checks over thread counts and
//! modes, determinism, nogood soundness and cancellation.

mod common;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{brute_force, has_windows, plain_problem, problem, Model, HARD_CAPACITY, HARD_FILE};
use minimalloc::params::parse_heuristics;
use minimalloc::portfolio::Portfolio;
use minimalloc::Outcome;
use minimalloc::SolveOptions;
use minimalloc::{read_csv_file, validate, MinimizeStatus, Problem, Solver, SolverParams, Switches};
use proptest::prelude::*;

/// The packing a solve found, if it found one.
fn packing(result: &minimalloc::SolveResult) -> Option<&minimalloc::Solution> {
    result.as_ref().ok().and_then(minimalloc::Outcome::solution)
}

fn options(mask: u32, threads: usize, deterministic: bool, nogoods: bool, race_only: bool) -> SolveOptions {
    let mut params = SolverParams { switches: Switches::from_mask(mask), ..SolverParams::default() };
    params.threads = threads;
    params.deterministic = deterministic;
    params.timeout = Some(Duration::from_secs(20));
    let mut opts = SolveOptions::from_params(&params);
    opts.tunables.nogoods = nogoods;
    if race_only {
        // Skip the quick round and greedy placements so the race itself is tested.
        opts.tunables.quick_round = false;
        opts.greedy.clear();
        opts.tunables.slice = 3;
        opts.tunables.step = 5;
        // A restarting worker: with 3-node slices it restarts every few
        // hundred nodes, so restarts happen on the harder cases.
        if let Some(last) = opts.workers.last_mut() {
            last.seeded = true;
            last.restarts = true;
        }
    }
    opts
}

fn check(p: &Problem, result: &minimalloc::SolveResult) -> Result<(), TestCaseError> {
    let truth = brute_force(p, Model::Geometry);
    match result {
        Ok(Outcome::Solved(s)) => {
            prop_assert!(validate(p, s).is_ok(), "invalid: {:?}", validate(p, s));
            prop_assert!(truth.is_some());
        }
        Ok(Outcome::Infeasible { .. }) => prop_assert!(truth.is_none(), "refuted a feasible problem: {truth:?}"),
        other => prop_assert!(false, "unexpected {other:?}"),
    }
    Ok(())
}

/// A small problem for the brute-force properties: plain (every buffer
/// one that hole branching and the repairs search) or any.
fn small_problem() -> impl Strategy<Value = Problem> {
    prop_oneof![plain_problem(9), problem(8, false)]
}

/// A race's seed, thread count and whether it is deterministic.
fn race_setting() -> impl Strategy<Value = (u64, usize, bool)> {
    (0u64..1024, 1usize..=4, any::<bool>())
}

/// What a portfolio of `workers` answers on `p` in the race `setting`,
/// after `tune` has its say on the options.
fn race_of(
    p: &Problem,
    (seed, threads, deterministic): (u64, usize, bool),
    workers: Vec<minimalloc::Worker>,
    tune: impl FnOnce(&mut SolveOptions),
) -> minimalloc::SolveResult {
    let mut opts = options(511, threads, deterministic, true, true);
    opts.params.seed = seed;
    opts.workers = workers;
    tune(&mut opts);
    Portfolio::new(opts).solve(p, &|_| {}).outcome
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn portfolio_matches_brute_force(
        p in problem(8, false),
        mask in 0u32..1024,
        threads in 1usize..=4,
        deterministic in any::<bool>(),
        race_only in any::<bool>(),
    ) {
        let report = Portfolio::new(options(mask, threads, deterministic, true, race_only)).solve(&p, &|_| {});
        check(&p, &report.outcome)?;
    }

    #[test]
    fn solver_with_threads_matches_brute_force(p in problem(8, false), threads in 1usize..=4, deterministic in any::<bool>()) {
        let params = SolverParams { threads, deterministic, ..SolverParams::default() };
        check(&p, &Solver::new(params).solve(&p))?;
    }

    #[test]
    fn nogoods_never_change_the_answer(p in problem(8, true), mask in 0u32..1024, threads in 1usize..=3) {
        let with = Portfolio::new(options(mask, threads, false, true, true)).solve(&p, &|_| {});
        let without = Portfolio::new(options(mask, threads, false, false, true)).solve(&p, &|_| {});
        prop_assert_eq!(packing(&with.outcome).is_some(), packing(&without.outcome).is_some());
        if let Some(s) = packing(&with.outcome) {
            prop_assert!(validate(&p, s).is_ok());
        }
        if !has_windows(&p) {
            check(&p, &with.outcome)?;
        }
    }

    /// The worker that fills points in a random order and restarts (the
    /// default's `TWA+pf~r`) racing alone, over the reference's switches,
    /// seeds (its orders), thread counts, live and deterministic: 3-node
    /// slices, so that live searches restart every few hundred nodes with
    /// a new order at each point. Half the capacities are the load bound,
    /// where points must be filled.
    #[test]
    fn random_point_filling_matches_brute_force(
        p in problem(8, false),
        mask in 0u32..512,
        seed in 0u64..1024,
        threads in 1usize..=4,
        deterministic in any::<bool>(),
    ) {
        let mut opts = options(mask, threads, deterministic, true, true);
        opts.params.seed = seed;
        opts.workers.retain(|w| w.random_points);
        prop_assert_eq!(opts.workers.len(), 1);
        let report = Portfolio::new(opts).solve(&p, &|_| {});
        check(&p, &report.outcome)?;
    }

    /// A hole-branching worker racing alone, in preorder or seeded with
    /// restarts (3-node slices: a new order every few hundred nodes), over
    /// seeds, thread counts, live and deterministic, on plain problems
    /// (which it searches) and on any (where it searches only the plain
    /// partitions, the reference's search the rest).
    #[test]
    fn hole_branching_matches_brute_force(p in small_problem(), seeded in any::<bool>(), race in race_setting()) {
        let holes = minimalloc::Worker { holes: true, restarts: seeded, ..minimalloc::Worker::new("TWA", seeded) };
        check(&p, &race_of(&p, race, vec![holes], |_| {}))?;
    }

    /// The same worker seeded, restarting and tightening (every second
    /// start at the load bound, see `Worker::tighten`), in live races
    /// (the deterministic race never tightens), restarting every few
    /// slices so that the starts at the bound come before small searches
    /// end: every answer is brute force's and every packing valid. (That
    /// a refuted bound is no refuted capacity is pinned at the search's
    /// level, where the tests make bounds that do not hold.)
    #[test]
    fn tightened_hole_branching_matches_brute_force(
        p in small_problem(),
        seed in 0u64..1024,
        threads in 1usize..=4,
        unit in 1u32..=16,
    ) {
        let holes = minimalloc::Worker { holes: true, restarts: true, tighten: true, ..minimalloc::Worker::new("TWA", true) };
        check(&p, &race_of(&p, (seed, threads, false), vec![holes], |o| o.tunables.restart_unit = unit))?;
    }

    /// The repairing worker racing beside a complete one (alone it never
    /// refutes, so an infeasible problem would run to the time limit),
    /// starting at once, over seeds, thread counts, live and deterministic,
    /// on plain problems (which it searches) and on any: every answer is
    /// brute force's and every packing valid.
    #[test]
    fn repairing_worker_matches_brute_force(p in small_problem(), race in race_setting()) {
        let repair = minimalloc::Worker { repair: true, ..minimalloc::Worker::new("TWA", true) };
        let workers = vec![repair, minimalloc::Worker::new("TWA", false)];
        check(&p, &race_of(&p, race, workers, |o| o.tunables.repair_delay = Duration::ZERO))?;
    }

    #[test]
    fn deterministic_mode_ignores_the_thread_count(p in problem(8, false), seed in 0u64..4) {
        let run = |threads: usize| {
            let mut opts = options(511, threads, true, true, true);
            opts.params.seed = seed;
            opts.workers.push(minimalloc::Worker::new("TWA", true));
            Portfolio::new(opts).solve(&p, &|_| {}).outcome
        };
        let one = run(1);
        prop_assert_eq!(&one, &run(2));
        prop_assert_eq!(&one, &run(4));
    }
}

/// The repairing worker alone, on generated packings with holes at the
/// height of their hidden packing (feasible, no room to spare at some
/// moment): what it answers is a valid packing, and it packs most of them
/// from the greedy packing by size (the rest run to the short time limit:
/// it never refutes).
#[test]
fn the_repairing_worker_alone_packs_generated_packings() {
    let (mut packed, mut tried) = (0, 0);
    for seed in 0..40u64 {
        let hidden = minimalloc::generate::perfect(seed, 30, 256, 100);
        let p = minimalloc::generate::remove_pieces(&hidden, seed, 5);
        for threads in [1, 2] {
            let mut opts = options(511, threads, seed % 2 == 0, true, true);
            opts.params.timeout = Some(Duration::from_millis(200));
            opts.tunables.repair_delay = Duration::ZERO;
            opts.workers = vec![minimalloc::Worker { repair: true, ..minimalloc::Worker::new("TWA", true) }];
            let report = Portfolio::new(opts).solve(&p, &|_| {});
            tried += 1;
            if let Some(s) = packing(&report.outcome) {
                assert_eq!(validate(&p, s), Ok(()), "seed {seed}");
                packed += 1;
            }
            assert!(!matches!(report.outcome, Ok(Outcome::Infeasible { .. })), "seed {seed}: it never refutes");
        }
    }
    assert!(packed * 2 >= tried, "packed {packed} of {tried}");
}

/// Facts one search learns from its failures are handed on to the
/// others in the live race (3-node slices, so they move often): on random
/// problems at their load bound (dense enough that searches fail and come
/// back to states) some are, every packing is valid, and the answers are
/// those without sharing. (Against brute force: `portfolio_matches_brute_force`,
/// whose races share facts, as the default does.)
#[test]
fn shared_facts_move_between_searches_and_change_no_answer() {
    let mut shared_facts = 0;
    for seed in 0..400 {
        let mut p = minimalloc::generate::random(seed, 9, 14, 8, 12);
        p.capacity = minimalloc::LowerBounds::of(&p).best() as i64;
        let threads = 1 + seed as usize % 3;
        let run = |share: bool| {
            let mut opts = options([511, 0, 4095, 1023][seed as usize % 4], threads, false, seed % 2 == 0, true);
            opts.tunables.share_facts = share;
            Portfolio::new(opts).solve(&p, &|_| {})
        };
        let (with, without) = (run(true), run(false));
        if let Some(s) = packing(&with.outcome) {
            assert_eq!(validate(&p, s), Ok(()), "seed {seed}");
        }
        assert_eq!(packing(&with.outcome).is_some(), packing(&without.outcome).is_some(), "seed {seed}");
        shared_facts += with.stats.facts_shared;
        assert_eq!(without.stats.facts_shared, 0, "seed {seed}: sharing is off");
    }
    assert!(shared_facts > 0, "some facts must move for the test to mean anything");
}

fn shared(name: &str) -> Option<Problem> {
    read_shared(&Path::new("benchmarks/challenging").join(name))
}

/// [`HARD_FILE`] at [`HARD_CAPACITY`]: a search that runs until stopped.
fn hard() -> Option<Problem> {
    read_shared(Path::new(HARD_FILE)).map(|p| Problem { capacity: HARD_CAPACITY, ..p })
}

/// `rel` under `../shared`, or `None` (said) when it is not there.
fn read_shared(rel: &Path) -> Option<Problem> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared").join(rel);
    match read_csv_file(&path) {
        Ok(p) => Some(p.problem),
        Err(_) => {
            eprintln!("skipping: {} not found", path.display());
            None
        }
    }
}

#[test]
fn deterministic_answers_on_the_challenging_suite() {
    for name in ["A.1048576.csv", "B.1048576.csv", "H.1048576.csv"] {
        let Some(mut p) = shared(name) else { return };
        p.capacity = 1_048_576;
        let run = |threads| {
            let params = SolverParams { threads, deterministic: true, ..SolverParams::default() };
            Solver::new(params).solve(&p).unwrap().into_solution().unwrap()
        };
        let one = run(1);
        validate(&p, &one).unwrap();
        assert_eq!(one, run(2), "{name}");
        assert_eq!(one, run(4), "{name}");
    }
}

/// Instances made of parts that need different heuristics: the quick
/// round's second pass (lost heuristics started on the parts nobody placed)
/// runs here, and must keep the answers deterministic and valid.
#[test]
fn concatenated_instances_are_solved_and_deterministic() {
    for pair in [["G.1048576.csv", "H.1048576.csv"], ["A.1048576.csv", "B.1048576.csv"]] {
        let (Some(a), Some(b)) = (shared(pair[0]), shared(pair[1])) else { return };
        let mut p = minimalloc::generate::concat(&[("a", &a), ("b", &b)]);
        p.capacity = 1_048_576;
        let run = |threads, deterministic| {
            let params = SolverParams { threads, deterministic, ..SolverParams::default() };
            let r = Solver::new(params).solve(&p);
            r.clone()
                .ok()
                .and_then(Outcome::into_solution)
                .unwrap_or_else(|| panic!("{pair:?} with {threads} threads: {r:?}"))
        };
        let one = run(1, true);
        validate(&p, &one).unwrap();
        assert_eq!(one, run(2, true), "{pair:?}");
        assert_eq!(one, run(4, true), "{pair:?}");
        for threads in [2, 3] {
            validate(&p, &run(threads, false)).unwrap();
        }
    }
}

#[test]
fn every_lane_count_solves_the_hard_instances() {
    for name in ["A.1048576.csv", "B.1048576.csv", "D.1048576.csv"] {
        let Some(mut p) = shared(name) else { return };
        p.capacity = 1_048_576;
        for threads in [2, 3, 5] {
            let params = SolverParams { threads, timeout: Some(Duration::from_secs(60)), ..SolverParams::default() };
            let r = Solver::new(params).solve(&p);
            let s = r
                .clone()
                .ok()
                .and_then(Outcome::into_solution)
                .unwrap_or_else(|| panic!("{name} with {threads} threads: {r:?}"));
            validate(&p, &s).unwrap();
        }
    }
}

#[test]
fn cancel_stops_a_long_search_promptly() {
    let Some(p) = hard() else { return };
    for threads in [1, 2] {
        let solver = Solver::new(SolverParams { threads, ..SolverParams::default() });
        let flag = solver.cancel_flag();
        let (latency, result) = std::thread::scope(|s| {
            let handle = s.spawn(|| solver.solve(&p));
            std::thread::sleep(Duration::from_millis(300));
            let asked = Instant::now();
            flag.store(true, Ordering::SeqCst);
            let result = handle.join().unwrap();
            (asked.elapsed(), result)
        });
        eprintln!("threads {threads}: cancelled after {latency:?}");
        assert_eq!(result, Ok(Outcome::Cancelled));
        // The search checks the flag at every node; anything near a second
        // means it was not checked at all.
        assert!(latency < Duration::from_millis(500), "{latency:?}");
    }
}

#[test]
fn timeout_stops_the_portfolio() {
    let Some(p) = hard() else { return };
    let mut params = SolverParams { threads: 2, ..SolverParams::default() };
    params.timeout = Some(Duration::from_millis(300));
    params.preordering_heuristics = parse_heuristics("WAT,TAW,TWA").unwrap();
    let start = Instant::now();
    let result = Solver::new(params).solve(&p);
    let elapsed = start.elapsed();
    eprintln!("timed out after {elapsed:?}");
    assert_eq!(result, Ok(Outcome::TimeLimit));
    assert!(elapsed < Duration::from_millis(800), "{elapsed:?}");
}

/// Two of the paper's instances side by side (tight/pairBC): the portfolio
/// alone finds no packing; the stacked attempt packs each instance alone
/// and puts one above the other.
#[test]
fn a_pair_of_instances_side_by_side_is_stacked() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/tight/pairBC.2097152.csv");
    let Ok(parsed) = read_csv_file(&path) else {
        eprintln!("skipped: {} is not here", path.display());
        return;
    };
    let mut p = parsed.problem;
    p.capacity = 2_097_152;
    let params = SolverParams { threads: 2, timeout: Some(Duration::from_secs(120)), ..SolverParams::default() };
    let solver = Solver::new(params);
    let s = solver.solve(&p).unwrap().into_solution().unwrap();
    assert!(validate(&p, &s).is_ok() && s.height <= p.capacity);
    assert_eq!(solver.driver(), Some(minimalloc::Driver::Stacking), "the report names the detour");
}

/// The default never loses to its own member on dense instances with room
/// to spare (trust2/10): on random problems of 500-3000 buffers whose
/// lifespans overlap densely, at capacities 5-50% above their load bound,
/// the default portfolio on two threads solves every problem that the
/// reference's sequential search solves, and with at most a few times its
/// nodes (every worker's, the quick round's and any detour's included):
/// none of them is stalled while another runs (no timed assertion; the
/// times are in `benchmarks/default-vs-one-thread.py`).
#[test]
fn the_default_solves_what_one_thread_solves_on_dense_instances() {
    for case in 0..12u64 {
        let buffers = [500, 1500, 3000][case as usize % 3];
        let slack = [5, 10, 20, 50][case as usize / 3];
        let mut p = minimalloc::generate::random(100 + case, buffers, buffers as i64 / 10, buffers as i64 / 20, 1000);
        let bound = minimalloc::LowerBounds::of(&p).best() as i64;
        p.capacity = bound + bound * slack / 100;
        let limit = Some(Duration::from_secs(60));
        let one = Solver::new(SolverParams { threads: 1, timeout: limit, ..SolverParams::default() });
        // A precondition, not an assertion: the sequential search solves it.
        let Ok(Outcome::Solved(s)) = one.solve(&p) else { continue };
        validate(&p, &s).unwrap();
        let default = SolveOptions::from_params(&SolverParams { threads: 2, timeout: limit, ..Default::default() });
        let report = Portfolio::new(default).solve(&p, &|_| {});
        let Ok(Outcome::Solved(solved)) = report.outcome else {
            panic!("case {case}: {buffers} buffers, {slack}% slack: {:?}", report.outcome)
        };
        validate(&p, &solved).unwrap();
        let (nodes, budget) = (report.stats.nodes(), 6 * one.stats().nodes + 2_000);
        eprintln!("case {case}: {buffers} buffers, {slack}%: {nodes} nodes, {} alone", one.stats().nodes);
        assert!(nodes <= budget, "case {case}: {nodes} nodes, {} alone", one.stats().nodes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Solved or not does not depend on the rows' order, the ids or the
    /// direction of time: the same small problem shuffled with its ids
    /// renamed, and mirrored in time, gets the same status at every thread
    /// count (and every packing is valid).
    #[test]
    fn the_status_does_not_depend_on_order_ids_or_time_direction(
        p in problem(8, false),
        seed in 0u64..1000,
        threads in 1usize..=3,
    ) {
        let status = |q: &Problem| {
            let params = SolverParams { threads, timeout: Some(Duration::from_secs(20)), ..SolverParams::default() };
            match Solver::new(params).solve(q) {
                Ok(Outcome::Solved(s)) => {
                    prop_assert!(validate(q, &s).is_ok());
                    Ok("solved")
                }
                Ok(Outcome::Infeasible { .. }) => Ok("infeasible"),
                Ok(Outcome::TimeLimit) => Ok("timeout"),
                _ => Ok("other"),
            }
        };
        let base = status(&p)?;
        prop_assert_eq!(base, status(&minimalloc::generate::shuffle(&p, seed, true))?);
        prop_assert_eq!(base, status(&minimalloc::generate::mirror(&p))?);
    }

    /// The minimized height does not depend on the layout either: a
    /// small problem, shuffled with its ids renamed and mirrored in time,
    /// minimizes to the same proven optimum (or the same proof that none
    /// exists) at every thread count.
    #[test]
    fn the_minimum_does_not_depend_on_order_ids_or_time_direction(
        p in problem(7, false),
        seed in 0u64..1000,
        threads in 1usize..=3,
    ) {
        let minimum = |q: &Problem| {
            let params = SolverParams { threads, timeout: Some(Duration::from_secs(20)), ..SolverParams::default() };
            let m = minimalloc::minimize(&Problem { capacity: 0, ..q.clone() }, &params, None).unwrap();
            // Fixed buffers that collide fit no capacity; anything else is
            // small enough to be settled.
            prop_assert!(matches!(m.status, MinimizeStatus::Optimal | MinimizeStatus::Infeasible));
            Ok((m.status, m.solution.map(|s| s.height)))
        };
        let base = minimum(&p)?;
        prop_assert_eq!(base, minimum(&minimalloc::generate::shuffle(&p, seed, true))?);
        prop_assert_eq!(base, minimum(&minimalloc::generate::mirror(&p))?);
    }
}
