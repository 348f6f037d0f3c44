//! Benches over the suites, all read from `../shared/benchmarks` (third-party
//! data; without it the benches say so and measure nothing):
//!
//! - `minimize/X`: capacity minimization of the paper's instances whose
//!   optimum is their load bound (proven optimal each time);
//! - `concat-K/k`: k copies of instance K back to back in time (7,264
//!   buffers for k = 16), solved at 1048576; the cost should grow linearly.
//!
//! `cargo bench --bench suites` (add a filter such as `-- concat` to run part).

use std::time::Duration;

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use minimalloc::generate::concat;
use minimalloc::{minimize, MinimizeStatus, Outcome, Problem, Solver, SolverParams};

fn bench_minimize(c: &mut Criterion) {
    let mut group = c.benchmark_group("minimize");
    group.sample_size(10).warm_up_time(Duration::from_millis(100)).measurement_time(Duration::from_secs(2));
    for name in ["A", "B", "C", "E", "F", "G", "H", "I", "K"] {
        let Some(problem) = common::challenging_one(name) else { continue };
        group.bench_function(name, |b| {
            b.iter(|| {
                let m = minimize(&problem, &SolverParams::default(), None).expect("minimizes");
                assert_eq!(m.status, MinimizeStatus::Optimal);
            })
        });
    }
    group.finish();
}

fn bench_concat(c: &mut Criterion) {
    let Some(k) = common::challenging_one("K") else { return };
    let mut group = c.benchmark_group("concat-K");
    group.sample_size(10).warm_up_time(Duration::from_millis(100)).measurement_time(Duration::from_secs(3));
    for copies in [1usize, 4, 16, 64] {
        let parts: Vec<(String, Problem)> = (0..copies).map(|i| (format!("K{i}"), k.clone())).collect();
        let refs: Vec<(&str, &Problem)> = parts.iter().map(|(n, p)| (n.as_str(), p)).collect();
        let mut problem = concat(&refs);
        problem.capacity = 1_048_576;
        group.bench_with_input(BenchmarkId::from_parameter(copies), &problem, |b, p| {
            b.iter(|| {
                let s = Solver::new(SolverParams::default())
                    .solve(p)
                    .ok()
                    .and_then(Outcome::into_solution)
                    .expect("solvable");
                assert!(s.height <= p.capacity);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_minimize, bench_concat);
criterion_main!(benches);
