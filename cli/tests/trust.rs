//! The solver-side defects found by hostile testing (`../shared/checks/trust`),
//! each kept as a test so that it cannot come back: wrong answers, ignored
//! limits, overflow, unbounded threads. Small cases are generated here; the
//! large ones are read from `../shared` when it is there and skipped with a
//! message otherwise. No test asserts a time: limits are checked by their
//! outcome (an expired token must stop everything, whatever the input).

mod common;

use std::path::PathBuf;
use std::process::Command as Std;
use std::time::{Duration, Instant};

use common::cmd::bin;
use minimalloc::error::ProblemErrorKind;
use minimalloc::minimize::minimize_until;
use minimalloc::SolveOptions;
use minimalloc::{
    minimize, read_csv_file, solve_with, validate, Buffer, Gap, Interval, MinimizeStatus, Problem, SolveError, Solver,
    SolverParams, StopToken,
};
use minimalloc::{InfeasibleSubset, Outcome};

/// The packing a solve found, if it found one.
fn packing(result: &minimalloc::SolveResult) -> Option<&minimalloc::Solution> {
    result.as_ref().ok().and_then(Outcome::solution)
}

fn trust(case: &str, file: &str) -> Option<PathBuf> {
    common::cmd::shared(&format!("checks/trust/{case}/{file}"))
}

fn real(name: &str) -> Option<PathBuf> {
    common::cmd::shared(&format!("benchmarks/real/{name}"))
}

fn params(threads: usize) -> SolverParams {
    SolverParams { threads, ..SolverParams::default() }
}

fn valid_at(problem: &Problem, s: &minimalloc::Solution, capacity: i64) {
    let at = Problem { buffers: problem.buffers.clone(), capacity };
    validate(&at, s).unwrap_or_else(|e| panic!("invalid solution: {e}"));
}

/// 02: a free buffer placed online before a fixed one that starts later in
/// its lifespan used to take the fixed buffer's place, and the failed
/// heuristic was reported as "infeasible (fixed buffers collide)".
#[test]
fn large_path_with_fixed_buffers_is_not_refuted_by_a_heuristic() {
    let mut buffers = vec![Buffer::new("long", 0, 10, 2)];
    let mut f = Buffer::new("fixed", 5, 6, 2);
    f.offset = Some(0);
    buffers.push(f);
    buffers.push(Buffer::new("other", 0, 3, 2));
    let p = Problem::new(buffers, 4);
    for threads in [1, 2] {
        // Every problem with a pair takes the large path.
        let params = SolverParams { large_pairs: 0, ..params(threads) };
        let s = Solver::new(params.clone()).solve(&p).unwrap().into_solution().unwrap();
        assert_eq!(s.offsets[1], 0);
        valid_at(&p, &s, 4);
        let m = minimize(&Problem { capacity: 0, ..p.clone() }, &params, None).unwrap();
        assert_eq!(m.solution.unwrap().height, 4);
    }
}

#[test]
fn fixed_buffers_that_collide_are_a_proof_on_every_path() {
    let mut a = Buffer::new("a", 0, 4, 2);
    a.offset = Some(0);
    let mut b = Buffer::new("b", 2, 6, 2);
    b.offset = Some(1);
    let p = Problem::new(vec![a, b, Buffer::new("c", 0, 6, 1)], 10);
    for large_pairs in [0, u64::MAX] {
        for threads in [1, 2] {
            let params = SolverParams { large_pairs, ..params(threads) };
            let r = Solver::new(params.clone()).solve(&p);
            assert!(
                matches!(&r, Ok(Outcome::Infeasible { reason: Some(why), .. }) if why.contains("overlap")),
                "{r:?}"
            );
            let m = minimize(&Problem { capacity: 0, ..p.clone() }, &params, None).unwrap();
            assert_eq!(m.status, MinimizeStatus::Infeasible);
        }
    }
}

#[test]
fn large_fixed_instances_from_the_report() {
    let Some(input) = trust("02-large-fixed-false-infeasible", "synthetic_64102.csv") else { return };
    let mut p = read_csv_file(&input).unwrap().problem;
    p.capacity = 1_000_000;
    let s = Solver::new(params(2)).solve(&p).unwrap().into_solution().unwrap();
    valid_at(&p, &s, 1_000_000);
    let Some(input) = trust("02-large-fixed-false-infeasible", "synthetic_30002.csv") else { return };
    let mut p = read_csv_file(&input).unwrap().problem;
    p.capacity = 1_000_000;
    // However short the limit, stopping the greedy is never a proof.
    for ms in [0, 5, 50] {
        let params = SolverParams { timeout: Some(Duration::from_millis(ms)), ..params(2) };
        match Solver::new(params).solve(&p) {
            Ok(Outcome::Solved(s)) => valid_at(&p, &s, 1_000_000),
            Ok(Outcome::TimeLimit) => {}
            other => panic!("{other:?}"),
        }
    }
}

/// 03: the race's proof of infeasibility raised the caller's cancel flag,
/// so every later solve of the IIS loop came back "cancelled".
#[test]
fn irreducible_subset_with_threads_is_infeasible_and_minimal() {
    let bufs = [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)];
    let p =
        Problem::new(bufs.iter().enumerate().map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s)).collect(), 4);
    for threads in [1, 2, 4] {
        let solver = Solver::new(params(threads));
        assert!(matches!(solver.solve(&p), Ok(Outcome::Infeasible { .. })));
        let Ok(InfeasibleSubset::Subset(subset)) = solver.irreducible_infeasible_subset(&p) else {
            panic!("no subset")
        };
        assert_eq!(subset.len(), 7, "threads {threads}");
        let pick = |skip: Option<usize>| {
            let buffers = subset.iter().filter(|&&i| Some(i) != skip).map(|&i| p.buffers[i].clone()).collect();
            Problem::new(buffers, p.capacity)
        };
        assert!(matches!(Solver::new(params(1)).solve(&pick(None)), Ok(Outcome::Infeasible { .. })));
        for &i in &subset {
            assert!(packing(&Solver::new(params(1)).solve(&pick(Some(i)))).is_some(), "without {i} it fits");
        }
    }
}

/// 05: 2900 buffers of 2^52 live together need more than i64 holds; the
/// large path used to wrap and write overlapping offsets.
#[test]
fn totals_past_64_bits_are_an_input_error() {
    let p = Problem::new((0..2900).map(|i| Buffer::new(format!("b{i}"), 0, 10, 1 << 52)).collect(), 0);
    let e = p.check().unwrap_err();
    assert!(matches!(e.kind, ProblemErrorKind::TotalTooLarge(_)), "{e}");
    for large_pairs in [0, u64::MAX] {
        let params = SolverParams { large_pairs, ..params(2) };
        assert!(matches!(minimize(&p, &params, None), Err(SolveError::Invalid(_))));
    }
}

/// 05b: the message named a capacity the user never gave, and two buffers
/// of 2^60 minimized to a height above that same limit.
#[test]
fn heights_up_to_the_limit_minimize_and_past_it_say_why() {
    for k in [2i64, 3] {
        let p = Problem::new((0..k).map(|i| Buffer::new(format!("b{i}"), 0, 10, 1 << 60)).collect(), 0);
        let m = minimize(&p, &params(2), None).unwrap();
        assert_eq!(m.status, MinimizeStatus::Optimal);
        assert_eq!(m.solution.unwrap().height, k << 60);
    }
    let Some(input) = trust("05b-overflow-unclear-message", "sum_ovf_mixed.csv") else { return };
    bin()
        .args(["--minimize_capacity", "--input"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("sum_ovf_mixed.csv: the buffers' sizes"))
        .stderr(predicates::str::contains("2^62"));
}

/// 06: a token that has already expired stops every phase (model building,
/// greedy starts, online packings, the neighbourhood search) at its next
/// check: the answer is "time limit", never "infeasible", and any solution
/// returned is valid.
#[test]
fn an_expired_deadline_stops_every_path_with_an_honest_answer() {
    let p = minimalloc::generate::perfect(3, 300, 1 << 16, 1000);
    let expired = StopToken::new().child_until(Some(Instant::now()));
    for large_pairs in [0, u64::MAX] {
        let params = SolverParams { large_pairs, ..params(1) };
        match solve_with(&p, &SolveOptions::from_params(&params), &expired, &|_| {}).outcome {
            Ok(Outcome::TimeLimit) => {}
            Ok(Outcome::Solved(s)) => valid_at(&p, &s, p.capacity),
            other => panic!("{other:?}"),
        }
        for threads in [1, 2] {
            let opts = SolveOptions::from_params(&SolverParams { large_pairs, ..self::params(threads) });
            let m = minimize_until(&Problem { capacity: 0, ..p.clone() }, &opts, &expired, &|_| {}).unwrap();
            assert_ne!(m.status, MinimizeStatus::Infeasible);
            if let Some(s) = &m.solution {
                valid_at(&p, s, s.height);
            }
        }
    }
}

/// 06a: with one thread, a large trace took the exact path and built a
/// pair model of gigabytes before looking at the clock.
#[test]
fn one_thread_on_a_large_trace_takes_the_large_path() {
    let Some(input) = real("iopddl_Y_1.csv") else { return };
    let mut p = read_csv_file(&input).unwrap().problem;
    p.capacity = 600_000_000_000;
    let stop = StopToken::new().child_until(Instant::now().checked_add(Duration::from_secs(2)));
    let report = solve_with(&p, &SolveOptions::from_params(&params(1)), &stop, &|_| {});
    assert_eq!(report.stats.nodes(), 0, "no exact search on a large trace");
    match report.outcome {
        Ok(Outcome::Solved(s)) => valid_at(&p, &s, p.capacity),
        Ok(Outcome::TimeLimit) => {}
        other => panic!("{other:?}"),
    }
}

/// 06b and 08d: many time-disjoint buffers (each its own partition) used to
/// cost a full-size array per partition in the greedy: quadratic.
#[test]
fn many_partitions_solve_and_minimize() {
    let p = Problem::new((0..200_000).map(|i| Buffer::new(format!("b{i}"), i, i + 1, 1)).collect(), 1);
    let s = Solver::new(params(2)).solve(&p).unwrap().into_solution().unwrap();
    assert_eq!(s.height, 1);
    let m = minimize(&Problem { capacity: 0, ..p.clone() }, &params(2), None).unwrap();
    assert_eq!((m.status, m.lower_bound), (MinimizeStatus::Optimal, 1));
}

/// 08b: `--threads=100000` was accepted and spawned threads for minutes.
#[test]
fn threads_are_capped() {
    let p = SolverParams { threads: 100_000, ..SolverParams::default() };
    assert_eq!(p.thread_count(), minimalloc::params::MAX_THREADS);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\n").unwrap();
    bin()
        .args(["--capacity=12", "--threads=100000", "--input"])
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--threads must be between 1 and 256"));
    bin().args(["batch", "--threads=100000"]).arg(dir.path()).assert().code(2);
}

/// 10: windowed gaps whose packings interleave: the search (stacking, as
/// the reference's) cannot find them, so exhausting it proves nothing.
fn windowed() -> Problem {
    let w = |a, b, x, y| Gap { lifespan: Interval::new(a, b), window: Some(Interval::new(x, y)) };
    // a sits above b first, then below it: height 2, where stacking one
    // wholly above the other takes 4.
    let mut a = Buffer::new("a", 0, 2, 2);
    a.gaps = vec![w(0, 1, 1, 2), w(1, 2, 0, 1)];
    let mut b = Buffer::new("b", 0, 2, 2);
    b.gaps = vec![w(0, 1, 0, 1), w(1, 2, 1, 2)];
    Problem::new(vec![a, b], 0)
}

#[test]
fn windowed_gaps_are_unknown_not_infeasible() {
    let p = windowed();
    let best = common::brute_optimum(&p).unwrap();
    assert_eq!(best, 2);
    assert!(!p.search_is_complete());
    for threads in [1, 2] {
        let m = minimize(&p, &params(threads), None).unwrap();
        let h = m.solution.as_ref().unwrap().height;
        assert!(h >= best);
        for capacity in best..h {
            let at = Problem { capacity, ..p.clone() };
            let r = Solver::new(params(threads)).solve(&at);
            assert!(!matches!(r, Ok(Outcome::Infeasible { .. })), "capacity {capacity} fits: {r:?}");
        }
    }
    let Some(input) = trust("10-windowed-gaps-false-infeasible", "input.csv") else { return };
    for threads in ["1", "2"] {
        bin()
            .args(["--capacity=7", "--threads", threads, "--input"])
            .arg(&input)
            .assert()
            .code(3)
            .stderr(predicates::str::contains("unknown"));
    }
}

/// Every trust case that has a CLI command and a witness: the exit code is
/// never 1 for a feasible instance.
#[test]
fn no_false_infeasible_from_the_cli() {
    let Some(input) = trust("02-large-fixed-false-infeasible", "synthetic_64102.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let status = Std::new(env!("CARGO_BIN_EXE_minimalloc"))
        .arg("--capacity=1000000")
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .arg("-q")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let mut p = read_csv_file(&input).unwrap().problem;
    p.capacity = 1_000_000;
    let written = read_csv_file(&out).unwrap().problem;
    let offsets = written.buffers.iter().map(|b| b.offset.unwrap()).collect();
    valid_at(&p, &minimalloc::Solution::new(&p, offsets), 1_000_000);
}
