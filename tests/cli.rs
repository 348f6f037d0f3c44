//! The `minimalloc` command end to end: flags, files and exit codes
//! (0 solved, 1 infeasible, 2 usage or input error, 3 time limit).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;

const SEED: &str = "id,lower,upper,size\nb1,0,3,4\nb2,3,9,4\nb3,0,9,4\nb4,9,21,4\nb5,0,21,4\n";
const SEED_OUT: &str = "id,lower,upper,size,offset\nb1,0,3,4,8\nb2,3,9,4,8\nb3,0,9,4,4\nb4,9,21,4,4\nb5,0,21,4,0\n";

fn bin() -> Command {
    Command::cargo_bin("minimalloc").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The paper's benchmark instances, read from the shared data beside the
/// repository (third-party data is never copied into it).
fn shared(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/challenging").join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

#[test]
fn seed_example_writes_the_seed_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "input.12.csv", SEED);
    let output = dir.path().join("output.12.csv");
    bin()
        .args(["--capacity=12", &format!("--input={}", input.display()), &format!("--output={}", output.display())])
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&output).unwrap(), SEED_OUT);
}

#[test]
fn flags_in_every_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let output = dir.path().join("out.csv");
    bin()
        .args([
            "-capacity",
            "12",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--canonical-only=true",
            "--nohatless_pruning",
            "--validate",
            "--timeout=30s",
            "--preordering_heuristics=WAT,TAW,TWA",
            "--threads=1",
        ])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("validation PASS"));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), SEED_OUT);
}

#[test]
fn without_output_the_csv_goes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    bin().args(["--capacity=12", "-q", "--input", input.to_str().unwrap()]).assert().code(0).stdout(SEED_OUT);
}

#[test]
fn print_solution_prints_latex() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let output = dir.path().join("out.csv");
    bin()
        .args(["--capacity=12", "--print_solution", "-q"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", output.display()))
        .assert()
        .code(0)
        .stdout(predicates::str::contains("\\begin{tikzpicture}"))
        .stdout(predicates::str::contains("{b5};"));
}

#[test]
fn infeasible_exits_1_and_leaves_the_output_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let output = write(dir.path(), "out.csv", "keep me");
    bin()
        .args(["--capacity=11"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", output.display()))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("infeasible"));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "keep me");
}

#[test]
fn infeasible_by_search_with_an_irreducible_subset() {
    // Load 4 at every moment, yet no packing fits in 4: a search proves it.
    let text = "id,lower,upper,size\na,0,2,2\nb,0,2,2\nc,2,5,2\nd,3,6,2\ne,4,7,2\n";
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", text);
    bin()
        .args(["--capacity=4", "--iis", "-q"])
        .arg(format!("--input={}", input.display()))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("irreducible infeasible subset (3 buffers): c d e"));
}

#[test]
fn usage_and_input_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let bad = write(dir.path(), "bad.csv", "id,lower,upper,size\nb1,0,3,4\nb2,3,9,x\n");
    let output = write(dir.path(), "out.csv", "keep me");
    let i = format!("--input={}", input.display());
    let o = format!("--output={}", output.display());
    for args in [
        vec!["--capacity=12".to_string()],
        vec!["--capacity=-1".into(), i.clone()],
        vec![i.clone()],
        vec!["--capacity=12".into(), i.clone(), "--timeout=soon".into()],
        vec!["--capacity=12".into(), i.clone(), "--threads=0".into()],
        vec!["--capacity=12".into(), i.clone(), "--preordering_heuristics=WAX".into()],
        vec!["--capacity=12".into(), i.clone(), "--validate=maybe".into()],
        vec!["--capacity=12".into(), i.clone(), "--no-such-flag".into()],
        vec!["--capacity=12".into(), format!("--input={}", dir.path().join("missing.csv").display())],
    ] {
        let assert = bin().args(&args).arg(&o).assert().code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.is_empty(), "{args:?}: no message");
    }
    bin()
        .args(["--capacity=12", &format!("--input={}", bad.display()), &o])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.csv:3:4: column 'size': 'x' is not an integer"));
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "keep me");
}

#[test]
fn help_and_version_exit_0() {
    bin().arg("--help").assert().code(0).stdout(predicates::str::contains("--preordering_heuristics"));
    bin().arg("--version").assert().code(0);
}

#[test]
fn time_limit_exits_3_promptly() {
    let Some(d) = shared("D.1048576.csv") else { return };
    let start = Instant::now();
    bin()
        .args(["--capacity=1015808", "--timeout=300ms", "--threads=1"])
        .arg(format!("--input={}", d.display()))
        .assert()
        .code(3)
        .stderr(predicates::str::contains("time limit"));
    // Generous: the limit itself is checked within a millisecond or so.
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn minimize_capacity_writes_the_optimum() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let output = dir.path().join("out.csv");
    bin()
        .args(["--minimize_capacity", "--validate"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", output.display()))
        .assert()
        .code(0)
        .stderr(predicates::str::contains("OPTIMAL: height 12"));
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(out.starts_with("id,lower,upper,size,offset\n"));
}

#[test]
fn unknown_columns_warn_and_optional_columns_round_trip() {
    let text = "id,begin,end,size,alignment,hint,gaps,color\na,0,9,4,2,0,2-3,red\nb,0,9,4,2,-1,,blue\n";
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", text);
    let out = bin().args(["--capacity=8", "--validate"]).arg(format!("--input={}", input.display())).assert().code(0);
    let o = out.get_output();
    assert!(String::from_utf8_lossy(&o.stderr).contains("ignoring unknown column 'color'"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.starts_with("id,lower,upper,size,alignment,hint,gaps,offset\na,0,10,4,2,0,2-4,"), "{stdout}");
}
