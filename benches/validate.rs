//! The cost of always validating: every solution the library hands out
//! runs through the sweep validator first. This measures, in one run, the
//! validator alone beside the whole solve it is part of (default settings),
//! on the paper's instances A-K (capacity 1048576) and on the largest real
//! trace, iopddl_Y_1 (its greedy minimization, which reaches the bound).
//! Both are third-party data read from `../shared/benchmarks`; without them
//! the bench says so and measures nothing.
//!
//! `cargo bench --bench validate`

use std::time::Duration;

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use minimalloc::{minimize, read_csv_file, validate, Outcome, Problem, Solver, SolverParams};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group.sample_size(10).warm_up_time(Duration::from_millis(100)).measurement_time(Duration::from_secs(2));
    for (name, problem) in common::challenging() {
        let solution = Solver::new(SolverParams::default())
            .solve(&problem)
            .ok()
            .and_then(Outcome::into_solution)
            .expect("solvable");
        group.bench_function(format!("solve/{name}"), |b| {
            b.iter(|| {
                Solver::new(SolverParams::default())
                    .solve(&problem)
                    .ok()
                    .and_then(Outcome::into_solution)
                    .expect("solvable")
            })
        });
        group.bench_function(format!("check/{name}"), |b| b.iter(|| validate(&problem, &solution).expect("valid")));
    }
    let y1 = common::shared("real/iopddl_Y_1.csv");
    match read_csv_file(&y1) {
        Ok(parsed) => {
            let problem = parsed.problem;
            let params = SolverParams::default();
            let m = minimize(&problem, &params, None).expect("minimizes");
            let solution = m.solution.expect("a packing");
            let at = Problem { capacity: solution.height, ..problem.clone() };
            group.bench_function("minimize/iopddl_Y_1", |b| {
                b.iter(|| minimize(&problem, &params, None).expect("minimizes"))
            });
            group.bench_function("check/iopddl_Y_1", |b| b.iter(|| validate(&at, &solution).expect("valid")));
        }
        Err(_) => eprintln!("skipping: {} not found", y1.display()),
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
