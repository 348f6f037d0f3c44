//! The `minimalloc` command end to end: flags, files and exit codes
//! (0 solved, 1 infeasible, 2 usage or input error, 3 time limit).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use common::cmd::{bin, write, SEED, SEED_OUT};
use common::{HARD_CAPACITY, HARD_FILE};
use predicates::prelude::PredicateBooleanExt;

/// The JSON document a run wrote to `path` (`--stats-json`, a batch's report).
fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The paper's benchmark instances, read from the shared data.
fn shared(name: &str) -> Option<PathBuf> {
    common::cmd::shared(&format!("benchmarks/challenging/{name}"))
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

/// A device or pipe named as the output is written into, not replaced by a
/// renamed file (which, as root, turned `/dev/null` into a plain file).
#[cfg(unix)]
#[test]
fn output_to_dev_stdout_writes_into_the_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    bin()
        .args(["--capacity=12", "-q", "--output=/dev/stdout", "--input", input.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(SEED_OUT);
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
    // The version and the commit of the build, for the tool too.
    let version = format!("{} (commit {})", env!("CARGO_PKG_VERSION"), minimalloc::COMMIT);
    bin().arg("--version").assert().code(0).stdout(format!("minimalloc {version}\n"));
    bin().args(["batch", "--version"]).assert().code(0).stdout(format!("minimalloc-batch {version}\n"));
    assert!(!minimalloc::COMMIT.is_empty());
}

#[test]
fn time_limit_exits_3_promptly() {
    let Some(d) = common::cmd::shared(HARD_FILE) else { return };
    let start = Instant::now();
    bin()
        .arg(format!("--capacity={HARD_CAPACITY}"))
        .args(["--timeout=300ms", "--threads=1"])
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

/// `--tunable KEY=VALUE` sets any tunable of docs/tunables.md over the
/// preset, and its table checks the name and the range.
#[test]
fn tunables_are_flags_checked_by_their_tables() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let stats = dir.path().join("stats.json");
    let run = |flags: &[&str]| {
        let mut cmd = bin();
        cmd.args(["--minimize_capacity", "--validate"]).arg(format!("--input={}", input.display()));
        cmd.arg(format!("--stats-json={}", stats.display())).args(flags);
        cmd.assert()
    };
    run(&[
        "--tunable",
        "slice=64",
        "--tunable=minimize.descent_budget=[\"1s\", \"2s\"]",
        "--tunable",
        "stacking=false",
    ])
    .code(0)
    .stderr(predicates::str::contains("OPTIMAL: height 12"));
    run(&["--tunable", "slice=0"])
        .code(2)
        .stderr(predicates::str::contains("--tunable slice must be at least 1, got 0"));
    run(&["--tunable", "lns.frobs=1"]).code(2).stderr(predicates::str::contains("unknown key 'frobs' in [lns]"));
    run(&["--tunable", "slice"]).code(2).stderr(predicates::str::contains("--tunable takes KEY=VALUE"));
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

/// A tight generated instance (a perfect packing exists at the capacity).
fn perfect_instance(dir: &Path) -> PathBuf {
    let p = minimalloc::generate::perfect(21, 120, 4096, 500);
    let path = dir.join("perfect.csv");
    minimalloc::write_csv_file(&path, &p, None).unwrap();
    path
}

/// Three of the paper's instances side by side, in order: stacking cuts
/// off one and stacks the other two in turn (no worker packs the three
/// mixed in 10 s, tight2/trioADG).
#[test]
fn three_problems_side_by_side_are_stacked_in_turn() {
    let parts: Vec<PathBuf> =
        ["A.1048576.csv", "D.1048576.csv", "G.1048576.csv"].iter().filter_map(|n| shared(n)).collect();
    if parts.len() < 3 {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trio = dir.path().join("trio.csv");
    bin().args(["generate", "stack", "--out"]).arg(&trio).args(&parts).assert().code(0);
    let stats = dir.path().join("stats.json");
    bin()
        .args(["--capacity=3145728", "--validate", "--timeout=60s", "-q", "--output=/dev/null"])
        .arg(format!("--input={}", trio.display()))
        .arg(format!("--stats-json={}", stats.display()))
        .assert()
        .code(0);
    let doc: serde_json::Value = json(&stats);
    assert_eq!(doc["decided_by"], "stacking", "{doc}");
    // The parts' parts are counted once under the prefix.
    let names: Vec<&str> = doc["workers"].as_array().unwrap().iter().filter_map(|w| w["name"].as_str()).collect();
    assert!(names.iter().any(|n| n.starts_with("stacking:")), "{names:?}");
    assert!(names.iter().all(|n| !n.contains("stacking:stacking:")), "{names:?}");
}

#[test]
fn deterministic_output_is_byte_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = vec![perfect_instance(dir.path())];
    inputs.extend(shared("B.1048576.csv"));
    for input in inputs {
        let capacity = if input.ends_with("perfect.csv") { "4096" } else { "1048576" };
        let mut outputs = Vec::new();
        for threads in ["1", "2", "4"] {
            let out = dir.path().join(format!("out{threads}.csv"));
            bin()
                .args([
                    "--deterministic",
                    "--seed=7",
                    "-q",
                    &format!("--capacity={capacity}"),
                    &format!("--threads={threads}"),
                ])
                .arg(format!("--input={}", input.display()))
                .arg(format!("--output={}", out.display()))
                .assert()
                .code(0);
            outputs.push(std::fs::read(&out).unwrap());
        }
        assert_eq!(outputs[0], outputs[1], "{}", input.display());
        assert_eq!(outputs[0], outputs[2], "{}", input.display());
    }
}

#[test]
fn stats_json_svg_and_presets() {
    let dir = tempfile::tempdir().unwrap();
    let input = perfect_instance(dir.path());
    let stats = dir.path().join("stats.json");
    let svg = dir.path().join("packing.svg");
    for config in ["default", "reference", "fast", "no-hatless-pruning", "no-nogoods"] {
        let preset = common::cmd::repo().join("configs").join(format!("{config}.toml"));
        bin()
            .args(["--capacity=4096", "--validate", "-q", "--threads=2"])
            .arg(format!("--config={}", preset.display()))
            .arg(format!("--input={}", input.display()))
            .arg(format!("--output={}", dir.path().join("out.csv").display()))
            .arg(format!("--stats-json={}", stats.display()))
            .arg(format!("--svg={}", svg.display()))
            .assert()
            .code(0);
        let doc: serde_json::Value = json(&stats);
        assert_eq!(doc["status"], "solved", "{config}");
        assert_eq!(doc["height"], 4096);
        assert_eq!(doc["lower_bound"], 4096);
        assert_eq!(doc["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(doc["commit"], minimalloc::COMMIT);
        // The reference and its ablations are sequential presets; the
        // others run the portfolio, which may settle a perfect packing by
        // one of its detours (coarsening glues its pieces back).
        let sequential = config == "reference" || config == "no-hatless-pruning";
        let drivers: &[&str] = if sequential { &["round-robin"] } else { &["portfolio", "stacking", "coarsening"] };
        let driver = doc["driver"].as_str().unwrap_or_default();
        assert!(drivers.contains(&driver), "{config}: the facade chose {driver}");
        assert!(doc["workers"].as_array().is_some_and(|w| !w.is_empty()));
        assert!(doc["wall_s"].as_f64().is_some());
        let hatless = doc["switches"]["hatless_pruning"].as_bool();
        assert_eq!(hatless, Some(config != "no-hatless-pruning"), "{config}");
        assert_eq!(doc["switches"].as_object().map(|m| m.len()), Some(minimalloc::Switch::ALL.len()));
        let picture = std::fs::read_to_string(&svg).unwrap();
        assert_eq!(picture.matches(r#"class="buffer""#).count(), 120);
    }
    // A preset with a mistake is a usage error naming the file.
    let bad = write(dir.path(), "bad.toml", "mode = \"portfolio\"\n[switches]\nhatles_pruning = false\n");
    bin()
        .args(["--capacity=4096"])
        .arg(format!("--config={}", bad.display()))
        .arg(format!("--input={}", input.display()))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml"))
        .stderr(predicates::str::contains("hatles_pruning"));
}

#[test]
fn progress_lines_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let input = perfect_instance(dir.path());
    let out =
        bin().args(["--capacity=4096", "--threads=2"]).arg(format!("--input={}", input.display())).assert().code(0);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("portfolio: 120 buffers"), "{err}");
    assert!(err.contains("solution: height 4096"), "{err}");
    let quiet = bin().args(["--capacity=4096", "-q"]).arg(format!("--input={}", input.display())).assert().code(0);
    assert!(quiet.get_output().stderr.is_empty());
}

#[test]
fn generate_writes_instances() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    bin()
        .args(["generate", "perfect", "--seed=3", "--buffers=30", "--capacity=64", "--horizon=50"])
        .arg(format!("--out={}", a.display()))
        .assert()
        .code(0);
    let b = dir.path().join("b.csv");
    bin()
        .args(["generate", "random", "--seed=3", "--buffers=30"])
        .arg(format!("--out={}", b.display()))
        .assert()
        .code(0);
    let ab = dir.path().join("ab.csv");
    bin().args(["generate", "concat"]).arg(format!("--out={}", ab.display())).arg(&a).arg(&a).assert().code(0);
    let text = std::fs::read_to_string(&ab).unwrap();
    assert_eq!(text.lines().count(), 61);
    assert!(text.contains("\na:p0,") && text.contains("\na2:p0,"));
    bin().args(["--capacity=64", "--validate", "-q"]).arg(format!("--input={}", ab.display())).assert().code(0);
    bin().args(["generate", "bogus"]).assert().code(2);
}

#[test]
fn a_timed_out_minimization_still_writes_its_best_solution() {
    let Some(d) = common::cmd::shared(HARD_FILE) else { return };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.csv");
    let stats = dir.path().join("stats.json");
    bin()
        .args(["--minimize_capacity", "--timeout=2s", "--validate"])
        .arg(format!("--input={}", d.display()))
        .arg(format!("--output={}", output.display()))
        .arg(format!("--stats-json={}", stats.display()))
        .assert()
        .code(0)
        .stderr(predicates::str::contains("FEASIBLE: height"));
    let doc: serde_json::Value = json(&stats);
    assert_eq!(doc["status"], "FEASIBLE");
    let height = doc["height"].as_i64().unwrap();
    let lower = doc["lower_bound"].as_i64().unwrap();
    assert!(lower < height, "a gap remains");
    assert!(lower >= HARD_CAPACITY, "at least the load bound");
    assert!(std::fs::read_to_string(&output).unwrap().starts_with("id,lower,upper,size,offset\n"));
}

/// Writes a small suite: three tight generated instances named
/// NAME.CAPACITY.csv, and one malformed file.
fn suite(dir: &Path) -> PathBuf {
    let suite = dir.join("suite");
    std::fs::create_dir_all(&suite).unwrap();
    for seed in 1..=3 {
        let p = minimalloc::generate::perfect(seed, 60, 512, 200);
        minimalloc::write_csv_file(suite.join(format!("p{seed}.512.csv")), &p, None).unwrap();
    }
    write(&suite, "broken.512.csv", "id,lower,upper,size\na,0,2,x\n");
    suite
}

fn rows(report: &Path) -> Vec<(String, String)> {
    let mut rdr = csv::Reader::from_path(report).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (Path::new(&r[0]).file_name().unwrap().to_string_lossy().into_owned(), r[3].to_string())
        })
        .collect()
}

#[test]
fn batch_reports_every_file_and_survives_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path());
    let report = dir.path().join("r.csv");
    let out = dir.path().join("out");
    bin()
        .args(["batch", "--validate", "-q"])
        .arg(&suite)
        .arg(format!("--report={}", report.display()))
        .arg(format!("--output-dir={}", out.display()))
        .assert()
        // A malformed input is an input error, whatever the other files did.
        .code(2)
        .stderr(predicates::str::contains("broken.512.csv:2:4: column 'size': 'x' is not an integer"));
    assert_eq!(
        rows(&report),
        vec![
            ("broken.512.csv".into(), "error".into()),
            ("p1.512.csv".into(), "solved".into()),
            ("p2.512.csv".into(), "solved".into()),
            ("p3.512.csv".into(), "solved".into())
        ]
    );
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("broken.512.csv:2:4: column 'size': 'x' is not an integer"), "{text}");
    let json: serde_json::Value = json(&report.with_extension("json"));
    assert_eq!(json.as_array().unwrap().len(), 4);
    assert!(out.join("p2.512.out.csv").exists());
}

#[test]
fn batch_shards_merge_to_the_whole_and_resume_skips_done_files() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path());
    std::fs::remove_file(suite.join("broken.512.csv")).unwrap();
    let whole = dir.path().join("whole.csv");
    bin().args(["batch", "-q"]).arg(&suite).arg(format!("--report={}", whole.display())).assert().code(0);
    let (s1, s2, merged) = (dir.path().join("s1.csv"), dir.path().join("s2.csv"), dir.path().join("merged.csv"));
    bin().args(["batch", "-q", "--shard=1/2"]).arg(&suite).arg(format!("--report={}", s1.display())).assert().code(0);
    // The second shard as a Slurm array task would see it.
    bin()
        .args(["batch", "-q"])
        .env("SLURM_ARRAY_TASK_ID", "2")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "2")
        .arg(&suite)
        .arg(format!("--report={}", s2.display()))
        .assert()
        .code(0);
    assert_eq!(rows(&s1).len() + rows(&s2).len(), 3);
    bin().args(["merge"]).arg(format!("--out={}", merged.display())).arg(&s1).arg(&s2).assert().code(0);
    assert_eq!(rows(&merged), rows(&whole));
    // Resume: a report that already has p1 only runs the other two.
    let partial = dir.path().join("partial.csv");
    bin()
        .args(["batch", "-q"])
        .arg(suite.join("p1.512.csv"))
        .arg(format!("--report={}", partial.display()))
        .assert()
        .code(0);
    bin()
        .args(["batch", "--resume"])
        .arg(&suite)
        .arg(format!("--report={}", partial.display()))
        .assert()
        .code(0)
        .stderr(predicates::str::contains("1 files already in"));
    assert_eq!(rows(&partial), rows(&whole));
    // compare prints both side by side.
    bin()
        .args(["compare"])
        .arg(&whole)
        .arg(&merged)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("| p1.512.csv | solved 512"))
        .stdout(predicates::str::contains("3/3 ok"));
    bin().args(["batch", "--shard=3/2"]).arg(&suite).assert().code(2);
}

#[test]
fn batch_minimizes() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path());
    std::fs::remove_file(suite.join("broken.512.csv")).unwrap();
    let report = dir.path().join("m.csv");
    let svgs = dir.path().join("svg");
    bin()
        .args(["batch", "-q", "--minimize_capacity"])
        .arg(&suite)
        .arg(format!("--report={}", report.display()))
        .arg(format!("--svg-dir={}", svgs.display()))
        .assert()
        .code(0);
    assert!(rows(&report).iter().all(|(_, s)| s == "optimal"), "{:?}", rows(&report));
    assert!(svgs.join("p1.512.svg").exists());
}

/// The elements of an SVG document with `class` among their classes.
fn marks<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.split(' ').any(|c| c == class))).collect()
}

#[test]
fn compare_draws_reports_and_batch_writes_a_page() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path());
    std::fs::remove_file(suite.join("broken.512.csv")).unwrap();
    let (a, b) = (dir.path().join("one.csv"), dir.path().join("two.csv"));
    let page = dir.path().join("one.html");
    bin()
        .args(["batch", "-q", "--timeout=30s"])
        .arg(&suite)
        .arg(format!("--report={}", a.display()))
        .arg(format!("--html={}", page.display()))
        .assert()
        .code(0);
    bin().args(["batch", "-q", "--threads=1"]).arg(&suite).arg(format!("--report={}", b.display())).assert().code(0);
    // The report says which build wrote each row.
    let text = std::fs::read_to_string(&a).unwrap();
    assert!(text.starts_with(
        "file,buffers,capacity,status,height,lower_bound,wall_s,nodes,backtracks,message,version,commit,\
         cost,cost_lower_bound,optimal\n"
    ));
    // One memory: no cost.
    assert!(text.contains(&format!(",{},{},,,\n", env!("CARGO_PKG_VERSION"), minimalloc::COMMIT)), "{text}");

    // The page: a row per file, each solved file's picture a click away,
    // the cactus plot, and nothing fetched.
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("<tr class=\"solved\">").count(), 3);
    for k in 0..3 {
        assert!(html.contains(&format!("<a href=\"#packing-{k}\">p{}.512.csv</a>", k + 1)), "{k}");
        assert!(html.contains(&format!("<section class=\"packing\" id=\"packing-{k}\">")), "{k}");
    }
    assert!(html.contains("class=\"cactus\"") && html.contains("<script>"));
    assert!(html.contains(minimalloc::COMMIT));
    assert_eq!(html.matches("http").count(), html.matches("http://www.w3.org/2000/svg").count());

    // compare --svg: the cactus plot of both, and the scatter plot of two.
    let svg = dir.path().join("cmp.svg");
    bin().args(["compare"]).arg(&a).arg(&b).arg(format!("--svg={}", svg.display())).assert().code(0).stdout(
        predicates::str::contains(format!(
            "one: solved by minimalloc {} (commit {})",
            env!("CARGO_PKG_VERSION"),
            minimalloc::COMMIT
        )),
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let cactus = &marks(&doc, "cactus")[0];
    let lines: Vec<_> = cactus.descendants().filter(|n| n.attribute("class") == Some("series")).collect();
    assert_eq!(lines.iter().map(|l| l.attribute("data-series").unwrap()).collect::<Vec<_>>(), ["one", "two"]);
    let points = cactus.descendants().filter(|n| n.attribute("class") == Some("point")).count();
    assert_eq!(points, 6, "three solved files in each report");
    let scatter = &marks(&doc, "scatter")[0];
    let pairs: Vec<_> = scatter.descendants().filter(|n| n.attribute("class") == Some("point")).collect();
    assert_eq!(pairs.len(), 3);
    assert_eq!(scatter.descendants().filter(|n| n.attribute("class") == Some("diagonal")).count(), 1);
    let labels: Vec<&str> = doc.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
    for want in ["instances solved", "p1", "p2", "p3"] {
        assert!(labels.contains(&want), "{want} not in {labels:?}");
    }
    assert!(marks(&doc, "over-bound").is_empty(), "not minimization reports");

    // Reports of earlier versions (no cost columns; no build columns
    // either) are still read.
    let strip = |path: &Path, columns: usize| {
        let body: String = std::fs::read_to_string(&b)
            .unwrap()
            .lines()
            .map(|l| l.rsplitn(columns + 1, ',').nth(columns).unwrap().to_string() + "\n")
            .collect();
        std::fs::write(path, body).unwrap();
    };
    let (old, older) = (dir.path().join("old.csv"), dir.path().join("older.csv"));
    strip(&older, 5);
    strip(&old, 3);
    bin().args(["merge"]).arg(format!("--out={}", dir.path().join("m12.csv").display())).arg(&old).assert().code(0);
    let old = older;
    bin()
        .args(["compare"])
        .arg(&a)
        .arg(&old)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("older: solved by minimalloc an unrecorded build"));
    bin().args(["merge"]).arg(format!("--out={}", dir.path().join("m.csv").display())).arg(&old).assert().code(0);

    // New outputs are checked like the others: not onto an input, not twice.
    bin()
        .args(["compare"])
        .arg(&a)
        .arg(&b)
        .arg(format!("--svg={}", b.display()))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("refusing to overwrite an input"));
    bin()
        .args(["batch", "-q"])
        .arg(&suite)
        .arg(format!("--report={}", a.display()))
        .arg(format!("--html={}", a.with_extension("json").display()))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("same file"));
}

#[test]
fn batch_page_of_a_minimization_shows_heights_over_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let suite = suite(dir.path());
    std::fs::remove_file(suite.join("broken.512.csv")).unwrap();
    let (report, page, svg) = (dir.path().join("m.csv"), dir.path().join("m.html"), dir.path().join("m.svg"));
    bin()
        .args(["batch", "-q", "--minimize_capacity"])
        .arg(&suite)
        .arg(format!("--report={}", report.display()))
        .arg(format!("--html={}", page.display()))
        .assert()
        .code(0);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("class=\"over-bound\""));
    assert_eq!(html.matches("<section class=\"packing\"").count(), 3);
    bin().args(["compare"]).arg(&report).arg(format!("--svg={}", svg.display())).assert().code(0);
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let ratios: Vec<f64> = marks(&doc, "over-bound")[0]
        .descendants()
        .filter(|n| n.attribute("class") == Some("point"))
        .map(|n| n.attribute("data-y").unwrap().parse().unwrap())
        .collect();
    assert_eq!(ratios, vec![1.0, 1.0, 1.0], "perfect packings: optimal at the bound");
}

/// `--spill`: the seed example at capacity 8 moves 4 bytes to the spill
/// memory, proven least; the output names each buffer's memory, and the
/// statistics give the cost, its bound and each memory's height.
#[test]
fn spill_writes_each_buffers_memory_and_the_cost() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let output = dir.path().join("out.csv");
    let stats = dir.path().join("stats.json");
    let svg = dir.path().join("plan.svg");
    bin()
        .args(["--capacity=8", "--spill", "--validate"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", output.display()))
        .arg(format!("--stats-json={}", stats.display()))
        .arg(format!("--svg={}", svg.display()))
        .assert()
        .code(0)
        .stderr(predicates::str::contains("cost 4").and(predicates::str::contains("optimal")));
    let out = std::fs::read_to_string(&output).unwrap();
    assert!(out.starts_with("id,lower,upper,size,memory,offset\n"), "{out}");
    assert_eq!(out.lines().filter(|l| l.contains(",spill,")).count(), 1, "{out}");
    let s: serde_json::Value = json(&stats);
    assert_eq!(
        (s["cost"].as_i64(), s["cost_lower_bound"].as_i64(), s["optimal"].as_bool()),
        (Some(4), Some(4), Some(true))
    );
    assert_eq!(s["memories"][0]["height"].as_i64(), Some(8));
    // The picture: a panel per memory, every buffer drawn once.
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(marks(&doc, "memory").len(), 2);
    assert_eq!(marks(&doc, "buffer").len(), 5);
    assert!(text.contains("fast: capacity 8, height 8, 4 buffers") && text.contains("spill: unbounded"), "{text}");
    // The memories and cost columns: b3 and b5 may not leave, b4 prefers
    // the slow memory; moving b1 and b2 costs 1 each.
    let columns = "id,lower,upper,size,memories,cost\nb1,0,3,4,,1\nb2,3,9,4,,1\nb3,0,9,4,sram,\nb4,9,21,4,dram|sram,\nb5,0,21,4,sram,\n";
    let input = write(dir.path(), "columns.csv", columns);
    let assert = bin()
        .args(["--memory=sram=8", "--memory=dram=inf"])
        .arg(format!("--input={}", input.display()))
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let memory: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').nth(4).unwrap()).collect();
    assert_eq!(memory, ["dram", "dram", "sram", "dram", "sram"], "{out}");
    // In place: b2 writes over b1 (one alias); they share a memory and an
    // offset. A group fixed at two offsets is refused, naming it.
    let aliased = "id,lower,upper,size,alias\nb1,0,3,4,x\nb2,3,9,4,x\nb3,0,9,4,\nb4,9,21,4,\nb5,0,21,4,\n";
    let input = write(dir.path(), "aliased.csv", aliased);
    let assert = bin()
        .args(["--capacity=8", "--spill", "--validate"])
        .arg(format!("--input={}", input.display()))
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let placed: Vec<(&str, &str)> =
        out.lines().skip(1).map(|l| (l.split(',').nth(4).unwrap(), l.split(',').nth(5).unwrap())).collect();
    assert_eq!(placed[0], placed[1], "{out}");
    let clash = write(dir.path(), "clash.csv", "id,lower,upper,size,alias,offset\na,0,3,4,x,0\nb,3,9,4,x,4\n");
    bin()
        .args(["--capacity=8", "--spill"])
        .arg(format!("--input={}", clash.display()))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("alias group 'x': 'a' is fixed at 0 and 'b' at 4"));
    // Two bounded memories and DRAM: b3 must stay in l1 and b5 may only go
    // to l2, so b5 leaves l1 for l2 (cost 4, proven).
    let tiers = "id,lower,upper,size,memories\nb1,0,3,4,\nb2,3,9,4,\nb3,0,9,4,l1\nb4,9,21,4,\nb5,0,21,4,l1|l2\n";
    let input = write(dir.path(), "tiers.csv", tiers);
    let assert = bin()
        .args(["--memory=l1=8", "--memory=l2=4", "--memory=dram=inf", "--validate"])
        .arg(format!("--input={}", input.display()))
        .assert()
        .code(0)
        .stderr(
            predicates::str::contains("cost 4").and(predicates::str::contains("optimal; heights: l1 8, l2 4, dram 0")),
        );
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(out.contains("b5,0,21,4,l2,0"), "{out}");
    // A memory's alignment: every offset in sram a multiple of 8.
    let assert = bin()
        .args(["--memory=sram=12@8", "--memory=dram=inf", "--validate"])
        .arg(format!("--input={}", dir.path().join("in.csv").display()))
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let sram: Vec<i64> =
        out.lines().filter(|l| l.contains(",sram,")).map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
    assert!(!sram.is_empty() && sram.iter().all(|o| o % 8 == 0), "{out}");
    // Pinned buffers that cannot fit: proven infeasible, exit 1.
    let pinned = write(dir.path(), "pinned.csv", "id,lower,upper,size,memories\na,0,4,6,sram\nb,0,4,6,sram\n");
    bin().args(["--memory=sram=10", "--memory=dram=inf"]).arg(format!("--input={}", pinned.display())).assert().code(1);
}

/// A batch plans each file over its memories: the report's cost, bound
/// and optimal columns, each plan written with its memory column; a file
/// whose pinned buffers cannot fit is proven infeasible; flags a plan does
/// not support are refused before any file is read.
#[test]
fn batch_plans_over_memories() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    std::fs::create_dir(&suite).unwrap();
    write(&suite, "seed.8.csv", SEED);
    write(&suite, "pinned.10.csv", "id,lower,upper,size,memories\na,0,4,6,fast\nb,0,4,6,fast\n");
    let (report, out) = (dir.path().join("r.csv"), dir.path().join("out"));
    bin()
        .args(["batch", "-q", "--spill", "--validate"])
        .arg(&suite)
        .arg(format!("--report={}", report.display()))
        .arg(format!("--output-dir={}", out.display()))
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&report).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().ends_with(",cost,cost_lower_bound,optimal"), "{text}");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let row = |name: &str| rows.iter().find(|r| r[0].ends_with(name)).unwrap().clone();
    assert_eq!(row("pinned.10.csv")[3], "infeasible", "{text}");
    let seed = row("seed.8.csv");
    assert_eq!((seed[3], seed[4], seed[12], seed[13], seed[14]), ("solved", "8", "4", "4", "true"), "{text}");
    let plan = std::fs::read_to_string(out.join("seed.8.out.csv")).unwrap();
    assert!(plan.starts_with("id,lower,upper,size,memory,offset\n"), "{plan}");
    // Pictures and the page: a panel per memory.
    let (svgs, page) = (dir.path().join("svg"), dir.path().join("page.html"));
    bin()
        .args(["batch", "-q", "--spill"])
        .arg(suite.join("seed.8.csv"))
        .arg(format!("--report={}", dir.path().join("r2.csv").display()))
        .arg(format!("--svg-dir={}", svgs.display()))
        .arg(format!("--html={}", page.display()))
        .assert()
        .code(0);
    let text = std::fs::read_to_string(svgs.join("seed.8.svg")).unwrap();
    assert_eq!(marks(&roxmltree::Document::parse(&text).unwrap(), "memory").len(), 2);
    assert!(std::fs::read_to_string(&page).unwrap().contains("fast: capacity 8"));
    // Read back (merge), the columns survive.
    let merged = dir.path().join("m.csv");
    bin().args(["merge"]).arg(format!("--out={}", merged.display())).arg(&report).assert().code(0);
    assert_eq!(std::fs::read_to_string(&merged).unwrap().lines().count(), 3);
    for bad in [["--spill", "--minimize_capacity"], ["--memory=a=inf", "--spill"], ["--memory=a", "-q"]] {
        bin().args(["batch"]).args(bad).arg(&suite).assert().code(2);
    }
}

/// Bad memory declarations and columns exit 2 with a message that names
/// the flag, or the file, line and column.
#[test]
fn bad_memories_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "in.csv", SEED);
    let i = format!("--input={}", input.display());
    for (args, says) in [
        (vec!["--memory=sram", i.as_str()], "expected NAME=CAPACITY"),
        (vec!["--memory=sram=-3", i.as_str()], "expected NAME=CAPACITY"),
        (vec!["--memory=sram=8@0", i.as_str()], "NAME=CAPACITY@ALIGNMENT"),
        (vec!["--memory=a=4", "--memory=a=inf", i.as_str()], "declared twice"),
        (vec!["--spill", i.as_str()], "--capacity"),
        (vec!["--capacity=8", "--spill", "--iis", i.as_str()], "not supported"),
    ] {
        bin().args(&args).assert().code(2).stderr(predicates::str::contains(says));
    }
    let bad = write(dir.path(), "bad.csv", "id,lower,upper,size,memories\nb1,0,3,4,sram|l2\n");
    bin()
        .args(["--memory=sram=4", "--memory=dram=inf", &format!("--input={}", bad.display())])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.csv:2: column 5 'memories': unknown memory 'l2'"));
    let cost = write(dir.path(), "cost.csv", "id,lower,upper,size,cost\nb1,0,3,4,-2\n");
    bin()
        .args(["--capacity=4", "--spill", &format!("--input={}", cost.display())])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cost.csv:2:5: column 'cost': negative cost -2"));
}

/// Without `--spill` or `--memory`, the memories and cost columns are
/// unknown columns, ignored with a warning as the reference ignores them:
/// whatever they hold, the solve is the one-memory solve.
#[test]
fn memory_columns_are_ignored_without_memories() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = SEED.lines();
    let mut text = format!("{},cost,memories\n", lines.next().unwrap());
    for row in lines {
        text.push_str(&format!("{row},x.5,a||b\n"));
    }
    let input = write(dir.path(), "in.csv", &text);
    let assert = bin()
        .args(["--capacity=12", &format!("--input={}", input.display())])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("ignoring unknown column 'cost'"));
    assert_eq!(String::from_utf8_lossy(&assert.get_output().stdout), SEED_OUT);
}
