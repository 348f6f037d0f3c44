//! Prints the height / load-bound ratio and the time of every online
//! heuristic on the CSV files given as arguments.
//!
//! `cargo run --release --example heuristics -- ../shared/benchmarks/real/*.csv`

use std::time::Instant;

use minimalloc::heuristics::online::{online, Hole, Tie};
use minimalloc::heuristics::orders::by_size;
use minimalloc::{read_csv_file, LowerBounds, Solution};

fn main() {
    for path in std::env::args().skip(1) {
        let problem = match read_csv_file(&path) {
            Ok(p) => p.problem,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let bound = LowerBounds::of(&problem).best() as f64;
        print!("{path}: {} buffers", problem.buffers.len());
        for hole in [Hole::Lowest, Hole::Tightest] {
            for tie in [Tie::Size, Tie::Width] {
                let start = Instant::now();
                let Some(offsets) = online(&problem, hole, tie, &|| false) else {
                    print!("  {hole:?}/{tie:?}: fixed buffers collide");
                    continue;
                };
                let s = Solution::new(&problem, offsets);
                print!(
                    "  {hole:?}/{tie:?} {:.4} ({:.0} ms)",
                    s.height as f64 / bound,
                    start.elapsed().as_secs_f64() * 1e3
                );
            }
        }
        let start = Instant::now();
        if let Some(offsets) = by_size(&problem) {
            let s = Solution::new(&problem, offsets);
            print!("  by-size {:.4} ({:.0} ms)", s.height as f64 / bound, start.elapsed().as_secs_f64() * 1e3);
        }
        println!();
    }
}
