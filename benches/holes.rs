//! Hole branching alone (one worker, not seeded, no restarts, the
//! deterministic race) on generated packings with holes at their capacity:
//! the same search tree on every run and every build that keeps the
//! search's order, so that a change in time is a change in the time per
//! node. The three packings take 10^5 to 4 x 10^5 nodes
//! (`minimalloc generate perfect --buffers N --remove 5 --seed S`).
//!
//! `cargo bench --bench holes`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use minimalloc::generate::{perfect, remove_pieces};
use minimalloc::{Outcome, SolveOptions, Solver, SolverParams, Worker};

/// (buffers, seed) of the generated packings.
const PACKINGS: [(usize, u64); 3] = [(200, 620), (250, 613), (250, 617)];

fn bench(c: &mut Criterion) {
    let params = SolverParams { threads: 2, deterministic: true, ..SolverParams::default() };
    let mut worker = Worker::new("TWA", false);
    worker.holes = true;
    worker.name = "holes".into();
    let mut opts = SolveOptions::from_params(&params);
    opts.workers = vec![worker];
    opts.greedy.clear();
    opts.tunables.quick_round = false;
    let mut group = c.benchmark_group("holes");
    group.sample_size(10).warm_up_time(Duration::from_millis(100)).measurement_time(Duration::from_secs(3));
    for (n, seed) in PACKINGS {
        let problem = remove_pieces(&perfect(seed, n, 1 << 20, 1000), seed, 5);
        group.bench_function(format!("p{n}-s{seed}"), |b| {
            b.iter(|| {
                let solved = Solver::with_options(opts.clone()).solve(&problem).ok().and_then(Outcome::into_solution);
                assert!(solved.expect("the hidden packing fits").height <= problem.capacity);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
