//! The defects of the second round of hostile testing
//! (`../shared/checks/trust2`), one test (or more) per case, so that none
//! can come back: outputs that share a file, limits that grow with the
//! input, calls Ctrl-C cannot stop, a batch that hangs, shard indices read
//! wrongly, statistics that leave out half a run, reports taken on trust,
//! rules that differ between front ends, an IIS that needs a search, and a
//! portfolio slower than its own member.
//!
//! Limits are checked by their outcome (a stopped token must stop every
//! phase, whatever the input), Ctrl-C by a real signal to a child process
//! and a bound far above what is measured (seconds, where the defects hung
//! or took the whole time limit); the one test that times a limit on a
//! million rows is marked slow (`--ignored`), and `.ci/run` runs it.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::cmd::{bin, write, SEED};
use common::{HARD_CAPACITY, HARD_FILE};
use minimalloc::bounds::{admit, overlapping_pairs_until, LowerBounds};
use minimalloc::io::read_csv_file_until;
use minimalloc::minimize::minimize_until;
use minimalloc::SolveOptions;
use minimalloc::{solve_with, MinimizeStatus, Problem, SolverParams, StopToken};
use minimalloc::{InfeasibleSubset, Outcome};
use predicates::str::contains;

/// The packing a solve found, if it found one.
fn packing(result: &minimalloc::SolveResult) -> Option<&minimalloc::Solution> {
    result.as_ref().ok().and_then(Outcome::solution)
}

fn trust2(case: &str, file: &str) -> Option<PathBuf> {
    common::cmd::shared(&format!("checks/trust2/{case}/{file}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// A token that has already stopped.
fn stopped() -> StopToken {
    let t = StopToken::new();
    t.cancel();
    t
}

// 01-svg-stats-overwrite-output

/// Two outputs that land in one file, by any spelling or link, written yet
/// or not, are a usage error before anything is solved; so is standard
/// output redirected to a file another output names.
#[test]
fn two_outputs_in_one_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.12.csv", SEED);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let x = dir.path().join("x.csv");
    let again = dir.path().join("sub").join("..").join("x.csv");
    for (a, b) in [("--svg", &x), ("--stats-json", &x), ("--svg", &again)] {
        bin()
            .args(["--capacity=12", "-q"])
            .arg(format!("--input={}", input.display()))
            .arg(format!("--output={}", x.display()))
            .arg(format!("{a}={}", b.display()))
            .assert()
            .code(2)
            .stderr(contains("are the same file"));
        assert!(!x.exists(), "nothing written");
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("x.csv", dir.path().join("link.csv")).unwrap();
        bin()
            .args(["--capacity=12", "-q"])
            .arg(format!("--input={}", input.display()))
            .arg(format!("--output={}", x.display()))
            .arg(format!("--svg={}", dir.path().join("link.csv").display()))
            .assert()
            .code(2);
        // Standard output into the file --svg names.
        let out = std::fs::File::create(dir.path().join("s.svg")).unwrap();
        let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("minimalloc"))
            .args(["--capacity=12", "-q"])
            .arg(format!("--input={}", input.display()))
            .arg(format!("--svg={}", dir.path().join("s.svg").display()))
            .stdout(out)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2));
    }
    // Apart, all three are written; /dev/null may take several.
    bin()
        .args(["--capacity=12", "-q", "--svg=/dev/null", "--stats-json=/dev/null"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", x.display()))
        .assert()
        .code(0);
    assert!(read(&x).starts_with("id,lower,upper,size,offset"));
}

/// A batch report named NAME.json (its JSON would replace it) and two
/// inputs of one name whose solutions would land in one file are refused.
#[test]
fn a_batch_whose_outputs_collide_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir(&a).unwrap();
    std::fs::create_dir(&b).unwrap();
    write(&a, "s.12.csv", SEED);
    write(&b, "s.12.csv", SEED);
    let report = dir.path().join("r.json");
    bin().args(["batch", "-q"]).arg(&a).arg(format!("--report={}", report.display())).assert().code(2);
    assert!(!report.exists());
    bin()
        .args(["batch", "-q"])
        .arg(&a)
        .arg(&b)
        .arg(format!("--output-dir={}", dir.path().join("out").display()))
        .arg(format!("--report={}", dir.path().join("r.csv").display()))
        .assert()
        .code(2)
        .stderr(contains("are the same file"));
}

// 02-large-input-timeout-overrun

/// A random problem of `n` buffers (the finding's shape).
fn large(n: usize, seed: u64) -> Problem {
    let mut p = minimalloc::generate::random(seed, n, n as i64 * 10, 2000, 1000);
    p.capacity = 10_000_000;
    p
}

/// Every phase between the read and the first search asks the stop token:
/// with one that has stopped, each gives up at once on 200 thousand
/// buffers, and the drivers report the stop, not an answer.
#[test]
fn every_phase_before_the_search_asks_the_token() {
    let p = large(200_000, 7);
    let stop = stopped();
    assert_eq!(p.check_halting(&|| stop.should_stop()), None);
    assert_eq!(LowerBounds::until(&p, &stop), None);
    assert_eq!(overlapping_pairs_until(&p, &stop), None);
    assert_eq!(admit(&p, &stop), Some(Ok(Outcome::Cancelled)));
    for threads in [1, 2] {
        let opts = SolveOptions::from_params(&SolverParams { threads, ..SolverParams::default() });
        let report = solve_with(&p, &opts, &stop, &|_| {});
        assert_eq!(report.outcome, Ok(Outcome::Cancelled), "{threads} threads");
        let m = minimize_until(&p, &opts, &stop, &|_| {}).unwrap();
        assert_eq!((m.status, m.solution), (MinimizeStatus::Unknown, None), "{threads} threads");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    minimalloc::write_csv_file(&path, &p, None).unwrap();
    assert!(read_csv_file_until(&path, Default::default(), &|| true).unwrap().is_none(), "the read stops too");
    assert_eq!(
        read_csv_file_until(&path, Default::default(), &|| false).unwrap().unwrap().problem.buffers.len(),
        200_000
    );
}

/// The finding itself, on a million rows: `--timeout=1ms` ends the run
/// soon after the read in every mode (it took 1.1 s more; now about 50 ms
/// on the project's machine: the bound here is ten times that). Slow (a
/// 27 MB input): `.ci/run` runs it with `--ignored`.
#[test]
#[ignore = "slow: a million rows; .ci/run runs it"]
fn a_time_limit_on_a_million_rows_counts_from_the_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1m.csv");
    minimalloc::write_csv_file(&path, &large(1_000_000, 9), None).unwrap();
    for mode in [&["--capacity=10000000"][..], &["--capacity=10000000", "--threads=1"], &["--minimize_capacity"]] {
        let started = Instant::now();
        let out = bin()
            .args(mode)
            .args(["--timeout=1ms", "-v", "--output=/dev/null"])
            .arg(format!("--input={}", path.display()))
            .output()
            .unwrap();
        let wall = started.elapsed().as_secs_f64();
        let log = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{mode:?}: {log}");
        let read: f64 = log
            .split(" in ")
            .nth(1)
            .and_then(|s| s.split('s').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no read time in {log}"));
        assert!(wall - read < 0.5, "{mode:?}: ended {:.3} s after the read", wall - read);
    }
}

// 03-python-ctrl-c-deferred (the Python side is python/tests/test_trust2.py)

/// Runs the binary with `args`, sends it SIGINT (`kill -INT`) `after` it
/// started, and returns its exit code; asserts it ended within 5 s of the
/// signal (measured: milliseconds; before, it ran to its time limit).
#[cfg(unix)]
fn interrupted(args: &[String], after: Duration) -> Option<i32> {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("minimalloc"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let asked = Instant::now();
    let kill = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(5), "{args:?}: {:?}", asked.elapsed());
    status.code()
}

/// The command line, solving or minimizing something hard, stops at the
/// first Ctrl-C: exit 3, nothing written, long before its time limit.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_solve_and_a_minimization() {
    let Some(d) = common::cmd::shared(HARD_FILE) else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let at = format!("--capacity={HARD_CAPACITY}");
    for mode in [&[at.as_str()][..], &["--minimize_capacity"], &[at.as_str(), "--threads=1"]] {
        let mut args: Vec<String> = mode.iter().map(|s| s.to_string()).collect();
        args.extend(["--timeout=60s".into(), "-q".into(), format!("--input={}", d.display())]);
        args.push(format!("--output={}", out.display()));
        // A minimization has its best packing by then: it writes it.
        let code = interrupted(&args, Duration::from_millis(500));
        assert!(code == Some(3) || (mode[0] == "--minimize_capacity" && code == Some(0)), "{mode:?}: {code:?}");
    }
}

// 04-batch-fifo-hang

/// A named pipe (or a folder) named *.csv in a suite is an error row, never
/// opened: the batch ends, writes the other files' rows, exits 2.
#[cfg(unix)]
#[test]
fn a_batch_skips_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("s");
    std::fs::create_dir(&suite).unwrap();
    write(&suite, "good.12.csv", SEED);
    std::fs::create_dir(suite.join("dir.12.csv")).unwrap();
    let fifo = suite.join("fifo.12.csv");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let report = dir.path().join("r.csv");
    bin()
        .args(["batch", "-q", "--timeout=1s"])
        .arg(&suite)
        .arg(format!("--report={}", report.display()))
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(contains("not a regular file (a named pipe)"))
        .stderr(contains("not a regular file (a folder)"));
    let text = read(&report);
    assert!(text.contains("good.12.csv,5,12,solved"), "{text}");
}

/// The first Ctrl-C stops a batch at once and writes the rows of the files
/// done; the file it cut short has no row, so `--resume` solves it again.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_batch_and_keeps_the_rows_done() {
    let Some(d) = common::cmd::shared(HARD_FILE) else { return };
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("s");
    std::fs::create_dir(&suite).unwrap();
    write(&suite, "a.12.csv", SEED);
    // At a capacity where no search here packs it: a long search.
    std::fs::copy(&d, suite.join(format!("d.{HARD_CAPACITY}.csv"))).unwrap();
    let report = dir.path().join("r.csv");
    let args = ["batch", "-q", "--jobs=1", "--timeout=60s"].map(String::from);
    let args = [&args[..], &[suite.display().to_string(), format!("--report={}", report.display())]].concat();
    assert_eq!(interrupted(&args, Duration::from_millis(800)), Some(3));
    let text = read(&report);
    assert!(text.contains("a.12.csv,5,12,solved"), "{text}");
    assert!(!text.contains(&format!("d.{HARD_CAPACITY}.csv")), "the file cut short has no row: {text}");
}

// 05-shard-index-silently-ignored

/// A scheduler's index that does not parse, `--shards` without an index and
/// a bad `--shard` are usage errors naming the variable or flag and value.
#[test]
fn shard_indices_are_read_exactly_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("s");
    std::fs::create_dir(&suite).unwrap();
    write(&suite, "a.12.csv", SEED);
    write(&suite, "b.12.csv", SEED);
    let report = dir.path().join("r.csv");
    let batch = |env: &[(&str, &str)], args: &[&str], says: &str| {
        let mut cmd = bin();
        cmd.args(["batch", "-q"]).arg(&suite).arg(format!("--report={}", report.display())).args(args);
        for var in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX"] {
            cmd.env_remove(var);
        }
        cmd.env_remove("MINIMALLOC_SHARDS");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.assert().code(2).stderr(contains(says.to_string()));
        assert!(!report.exists(), "nothing solved");
    };
    batch(&[("JOB_COMPLETION_INDEX", "-1")], &["--shards=4"], "JOB_COMPLETION_INDEX is set to '-1'");
    batch(&[("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "2")], &[], "SLURM_ARRAY_TASK_ID is set to 'x'");
    batch(&[("SLURM_ARRAY_TASK_ID", "1")], &[], "SLURM_ARRAY_TASK_COUNT is not");
    batch(&[], &["--shards=4"], "--shards 4 needs this task's index in JOB_COMPLETION_INDEX");
    batch(&[], &["--shard=1/-1"], "--shard takes K/N with 1 <= K <= N, e.g. 2/4; got '1/-1'");
    batch(&[], &["--shard=99999999999999999999/2"], "got '99999999999999999999/2'");
    batch(&[("JOB_COMPLETION_INDEX", "1"), ("MINIMALLOC_SHARDS", "two")], &[], "MINIMALLOC_SHARDS is set to 'two'");
}

// 06-stats-json-after-stacking

/// The statistics cover the whole run: a pair of tight/ that times out
/// after the stacked attempt reports the whole time limit as its wall time
/// and counts the stacked parts' work.
#[test]
fn statistics_cover_every_phase() {
    let Some(pair) = common::cmd::shared("benchmarks/tight/pairDE.2097152.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("st.json");
    // A capacity the parts fit but the pair does not quite: never solved.
    let out = bin()
        .args(["--capacity=2097151", "--timeout=1s", "-q", "--output=/dev/null"])
        .arg(format!("--input={}", pair.display()))
        .arg(format!("--stats-json={}", stats.display()))
        .output()
        .unwrap();
    let code = out.status.code();
    let doc: serde_json::Value = serde_json::from_str(&read(&stats)).unwrap();
    if code == Some(3) {
        // It ran to the limit: the statistics say so (they said half of
        // it), and count the stacked parts' work (they left it out).
        assert!(doc["wall_s"].as_f64().unwrap() >= 0.99, "{doc}");
        let names: Vec<&str> = doc["workers"].as_array().unwrap().iter().filter_map(|w| w["name"].as_str()).collect();
        assert!(names.iter().any(|n| n.starts_with("stacking:")), "{names:?}");
    }
    let workers = doc["workers"].as_array().unwrap();
    let nodes: u64 = workers.iter().map(|w| w["nodes"].as_u64().unwrap()).sum();
    assert_eq!(doc["nodes"].as_u64().unwrap(), nodes);
    // A minimization counts its probes' nodes (it reported none).
    let input = write(dir.path(), "in.csv", SEED);
    bin()
        .args(["--minimize_capacity", "-q", "--output=/dev/null"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--stats-json={}", stats.display()))
        .assert()
        .code(0);
    let doc: serde_json::Value = serde_json::from_str(&read(&stats)).unwrap();
    assert_eq!(doc["workers"][0]["name"], "minimize", "{doc}");
}

// 07-merge-accepts-garbage-and-overwrites

/// What is not a report is refused by merge, compare and batch --resume,
/// and merge never writes over a report it reads.
#[test]
fn reports_are_checked_when_read() {
    let Some(case) = trust2("07-merge-accepts-garbage-and-overwrites", "a.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.csv", "b.csv", "e.csv", "f.csv"] {
        std::fs::copy(case.with_file_name(name), dir.path().join(name)).unwrap();
    }
    let at = |name: &str| dir.path().join(name);
    let a = read(&at("a.csv"));
    bin()
        .arg("merge")
        .arg(format!("--out={}", at("m1.csv").display()))
        .arg(at("a.csv"))
        .arg(at("e.csv"))
        .assert()
        .code(2)
        .stderr(contains("not a minimalloc report"));
    bin()
        .arg("merge")
        .arg(format!("--out={}", at("m2.csv").display()))
        .arg(at("a.csv"))
        .arg(at("f.csv"))
        .assert()
        .code(2)
        .stderr(contains("f.csv:2: status 'bogus_status'"));
    bin().arg("compare").arg(at("a.csv")).arg(at("e.csv")).assert().code(2);
    bin()
        .arg("merge")
        .arg(format!("--out={}", at("a.csv").display()))
        .arg(at("a.csv"))
        .arg(at("b.csv"))
        .assert()
        .code(2)
        .stderr(contains("refusing to overwrite an input"));
    assert_eq!(read(&at("a.csv")), a);
    assert!(!at("m1.csv").exists() && !at("m2.csv").exists());
    // Each row fault alone.
    let header = "file,buffers,capacity,status,height,lower_bound,wall_s,nodes,backtracks,message\n";
    for (row, says) in [
        ("s/x.csv,5,12,solved,12,12,-1,0,0,\n", "wall_s -1 is not a time"),
        ("s/x.csv,5,12,solved,12,12,NaN,0,0,\n", "wall_s NaN is not a time"),
        ("s/x.csv,5,12,solved,20,30,0.1,0,0,\n", "height 20 is below the lower bound 30"),
    ] {
        let bad = write(dir.path(), "bad.csv", &format!("{header}{row}"));
        bin().arg("compare").arg(&bad).assert().code(2).stderr(contains(says));
    }
    // batch --resume on garbage: refused, and the garbage left as it was.
    let suite = dir.path().join("suite");
    std::fs::create_dir(&suite).unwrap();
    write(&suite, "good.12.csv", SEED);
    std::fs::write(at("rep.csv"), b"\x00\xff").unwrap();
    bin()
        .args(["batch", "-q", "--resume"])
        .arg(&suite)
        .arg(format!("--report={}", at("rep.csv").display()))
        .assert()
        .code(2)
        .stderr(contains("not a minimalloc report"));
    assert_eq!(std::fs::read(at("rep.csv")).unwrap(), b"\x00\xff");
}

// 08-minor-inconsistencies (C: capi's one_rule_one_message and header
// tests; Python: python/tests/test_trust2.py)

/// Threads, time limits and heuristics: the same rule and words in flags,
/// presets and the library.
#[test]
fn one_rule_one_message_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let run = |args: &[&str], preset: Option<&str>, says: &str| {
        let mut cmd = bin();
        cmd.args(["--capacity=12", "-q", "--output=/dev/null"]).arg(format!("--input={}", input.display())).args(args);
        if let Some(text) = preset {
            cmd.arg(format!("--config={}", write(dir.path(), "p.toml", text).display()));
        }
        cmd.assert().code(2).stderr(contains(says.to_string()));
    };
    let threads = minimalloc::params::check_threads(100_000).unwrap_err();
    run(&["--threads=100000"], None, &format!("--threads {threads}"));
    run(&[], Some("threads = 100000\n"), &format!("preset key threads {threads}"));
    run(&[], Some("threads = 0\n"), "preset key threads must be between 1 and 256, got 0");
    run(&["--threads=0"], None, "--threads must be between 1 and 256, got 0");
    run(&["--timeout=-1s"], None, "--timeout must not be negative, got -1 s");
    run(&[], Some("timeout = \"-1\"\n"), "preset key timeout must not be negative");
    run(&["--preordering_heuristics=WAT,,TWA"], None, "empty preordering heuristic (item 2 of 'WAT,,TWA')");
    run(&[], Some("preordering_heuristics = \",,,\"\n"), "no preordering heuristic given");
}

/// Minimizing a problem whose fixed buffers collide names them, and no
/// capacity nobody asked for.
#[test]
fn minimizing_colliding_fixed_buffers_says_why() {
    let Some(path) = trust2("08-minor-inconsistencies", "fixed-overlap.csv") else { return };
    bin()
        .args(["--minimize_capacity", "-q", "--output=/dev/null"])
        .arg(format!("--input={}", path.display()))
        .assert()
        .code(1)
        .stderr(contains("no capacity fits"))
        .stderr(contains("(fixed buffers 'b1' and 'b3' overlap at time 2)"));
}

// 09-iis-load-bound-not-found

/// Where the load bound is the proof, the IIS is found from the buffers at
/// the peak: every check is a bound or a packing, none a long search.
#[test]
fn an_iis_proven_by_the_load_bound_is_found_at_once() {
    for (file, capacity) in [("challenging/D.1048576.csv", 986_111), ("tight/pairDE.2097152.csv", 2_017_279)] {
        let Some(path) = common::cmd::shared(&format!("benchmarks/{file}")) else { return };
        bin()
            .args(["--iis", "--timeout=60s", "-q", "--output=/dev/null"])
            .arg(format!("--capacity={capacity}"))
            .arg(format!("--input={}", path.display()))
            .assert()
            .code(1)
            .stderr(contains("irreducible infeasible subset ("));
    }
    // In the library: the subset is infeasible, and without any one of its
    // buffers the rest fits.
    let p = minimalloc::Problem { capacity: 11, ..minimalloc::from_csv(SEED).unwrap() };
    let solver = minimalloc::Solver::new(SolverParams { threads: 1, ..SolverParams::default() });
    let Ok(InfeasibleSubset::Subset(subset)) = solver.irreducible_infeasible_subset(&p) else { panic!("no subset") };
    let part = |keep: &[usize]| Problem::new(keep.iter().map(|&i| p.buffers[i].clone()).collect(), 11);
    assert!(matches!(solver.solve(&part(&subset)), Ok(Outcome::Infeasible { .. })));
    for &i in &subset {
        let rest: Vec<usize> = subset.iter().copied().filter(|&j| j != i).collect();
        assert!(packing(&solver.solve(&part(&rest))).is_some(), "{i} is not needed in {subset:?}");
    }
}

// 10-portfolio-slow-on-dense-easy (the property over random dense
// instances is in tests/portfolio.rs)

/// The finding's instance: the default solves it, as `--threads 1` does.
#[test]
fn the_default_solves_the_dense_instance() {
    let Some(path) = trust2("10-portfolio-slow-on-dense-easy", "dense3k.csv") else { return };
    for threads in ["--threads=1", "--threads=2", "--threads=4"] {
        bin()
            .args(["--capacity=1500000", "--timeout=60s", "-q", "--validate", "--output=/dev/null", threads])
            .arg(format!("--input={}", path.display()))
            .assert()
            .code(0);
    }
}
