//! What the benches share: the suites read from `../shared/benchmarks`
//! (third-party data, never copied into the project). Without it a bench
//! says what is missing and measures nothing.

#![allow(dead_code)] // each bench uses its own part

use std::path::{Path, PathBuf};

use minimalloc::{read_csv_file, Problem};

/// The paper's capacity for its challenging suite.
pub const CHALLENGING_CAPACITY: i64 = 1_048_576;

/// A path under `../shared/benchmarks`.
pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks").join(rel)
}

/// The paper's instances A to K by name, at its capacity, in name order.
pub fn challenging() -> Vec<(String, Problem)> {
    let dir = shared("challenging");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} not found (the suite is read from ../shared)", dir.display());
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().split('.').next()?.to_string();
            let mut problem = read_csv_file(&path).ok()?.problem;
            problem.capacity = CHALLENGING_CAPACITY;
            Some((name, problem))
        })
        .collect()
}

/// One of the paper's instances by name (`"K"`), at its capacity.
pub fn challenging_one(name: &str) -> Option<Problem> {
    let path = shared(&format!("challenging/{name}.1048576.csv"));
    match read_csv_file(&path) {
        Ok(p) => Some(p.problem),
        Err(_) => {
            eprintln!("skipping {name}: {} not found", path.display());
            None
        }
    }
}
