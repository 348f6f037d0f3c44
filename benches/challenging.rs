//! Solves each instance of the paper's challenging suite (A-K, capacity
//! 1048576) with one thread (the reference's sequential algorithm) and with
//! the portfolio on two threads, in the same run so the ratio is fair on a
//! shared machine. The instances are third-party data read from
//! `../shared/benchmarks/challenging`; without them the bench says so and
//! measures nothing.
//!
//! `cargo bench --bench challenging` (add `-- threads-1/A` to run one).

use std::time::Duration;

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use minimalloc::{Outcome, Solver, SolverParams};

fn bench(c: &mut Criterion) {
    let instances = common::challenging();
    for threads in [1, 2] {
        let mut group = c.benchmark_group(format!("threads-{threads}"));
        group.sample_size(10).warm_up_time(Duration::from_millis(100)).measurement_time(Duration::from_secs(3));
        for (name, problem) in &instances {
            group.bench_function(name, |b| {
                b.iter(|| {
                    let params = SolverParams { threads, ..SolverParams::default() };
                    let solution =
                        Solver::new(params).solve(problem).ok().and_then(Outcome::into_solution).expect("solvable");
                    assert!(solution.height <= problem.capacity);
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
