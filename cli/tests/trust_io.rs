//! The output and data-loss defects found by trying the command as a hostile
//! user would (../shared/checks/trust/07*, 08a, 08c, 08e, 08f): an output
//! that is the input, symbolic links and modes replaced, ids that need CSV
//! quoting or LaTeX escaping, huge fields echoed in errors, and the exit
//! codes of `minimalloc batch`.

use std::path::{Path, PathBuf};

mod common;

use common::cmd::{bin, write, SEED, SEED_OUT};
use predicates::str::contains;

/// Load 6 at once: infeasible in 4 (as NAME.4.csv).
const INFEASIBLE_IN_4: &str = "id,lower,upper,size\na,0,2,3\nb,0,2,3\n";

/// A copy of a fixture of tests/fixtures/trust in `dir`.
fn fixture(dir: &Path, name: &str) -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/trust").join(name);
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn rows(report: &Path) -> Vec<(String, String, String)> {
    let mut rdr = csv::Reader::from_path(report).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[3].to_string(), r[9].to_string())
        })
        .collect()
}

// 07-output-equals-input

/// `--output` (or `--svg`, `--stats-json`) naming the input, by any
/// spelling or link, is refused with exit 2 and the input left as it was.
#[test]
fn an_output_that_is_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(dir.path(), "same.csv");
    let original = read(&input);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::hard_link(&input, dir.path().join("hard.csv")).unwrap();
    let mut outputs = vec![
        ("--output", input.clone()),
        ("--output", dir.path().join("sub/../same.csv")),
        ("--output", dir.path().join("./same.csv")),
        ("--output", dir.path().join("hard.csv")),
        ("--svg", input.clone()),
        ("--stats-json", dir.path().join("hard.csv")),
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("same.csv", dir.path().join("link.csv")).unwrap();
        outputs.push(("--output", dir.path().join("link.csv")));
        outputs.push(("--svg", dir.path().join("link.csv")));
    }
    for (flag, output) in outputs {
        bin()
            .args(["--capacity=12", "-q"])
            .arg(format!("--input={}", input.display()))
            .arg(format!("{flag}={}", output.display()))
            .assert()
            .code(2)
            .stderr(contains(format!("{flag} {} is the input file", output.display())))
            .stderr(contains("refusing to overwrite an input"));
        assert_eq!(read(&input), original, "{flag} {}", output.display());
    }
    // The input named through a link, the output by its own name.
    #[cfg(unix)]
    bin()
        .args(["--capacity=12", "-q"])
        .arg(format!("--input={}", dir.path().join("link.csv").display()))
        .arg(format!("--output={}", input.display()))
        .assert()
        .code(2);
    assert_eq!(read(&input), original);
    // Another file is written as ever.
    let other = dir.path().join("out.csv");
    bin()
        .args(["--capacity=12", "-q"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", other.display()))
        .assert()
        .code(0);
    assert_eq!(read(&other), SEED_OUT);
}

/// In a batch, the report or a file's solution or picture landing on an
/// input (the same file or another of the suite) stops the batch before
/// anything is written.
#[test]
fn a_batch_that_would_overwrite_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    std::fs::create_dir(&suite).unwrap();
    let a = write(&suite, "a.12.csv", SEED);
    // Solving a.12.csv into the suite's own folder writes a.12.out.csv: an input.
    let clash = write(&suite, "a.12.out.csv", SEED);
    let report = dir.path().join("r.csv");
    bin()
        .args(["batch", "-q"])
        .arg(&suite)
        .arg(format!("--output-dir={}", suite.display()))
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains(format!("is the input file {}", clash.display())))
        .stderr(contains("refusing to overwrite an input"));
    assert_eq!(read(&a), SEED);
    assert_eq!(read(&clash), SEED);
    assert!(!report.exists(), "nothing written");
    // The picture too.
    std::fs::remove_file(&clash).unwrap();
    let pictures = dir.path().join("pictures");
    std::fs::create_dir(&pictures).unwrap();
    std::fs::hard_link(&a, pictures.join("a.12.svg")).unwrap();
    bin()
        .args(["batch", "-q"])
        .arg(&a)
        .arg(format!("--svg-dir={}", pictures.display()))
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains("--svg-dir"));
    assert_eq!(read(&a), SEED);
    // The report (or its JSON) on an input.
    bin()
        .args(["batch", "-q"])
        .arg(&a)
        .arg(format!("--report={}", a.display()))
        .assert()
        .code(2)
        .stderr(contains(format!("--report {} is the input file {}", a.display(), a.display())));
    let json = write(&suite, "j.json", SEED);
    bin()
        .args(["batch", "-q", "--capacity=12"])
        .arg(&json)
        .arg(format!("--report={}", suite.join("j.csv").display()))
        .assert()
        .code(2)
        .stderr(contains("j.json is the input file"));
    assert_eq!(read(&json), SEED);
    assert!(!suite.join("j.csv").exists());
    // A link in the output folder to an input is written through no more.
    #[cfg(unix)]
    {
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&a, out.join("a.12.out.csv")).unwrap();
        bin()
            .args(["batch", "-q"])
            .arg(&a)
            .arg(format!("--output-dir={}", out.display()))
            .arg(format!("--report={}", report.display()))
            .assert()
            .code(2);
        assert_eq!(read(&a), SEED);
    }
}

// 07b-symlink-output-replaced

/// An output that is a symbolic link is written through (the link stays),
/// and an existing output keeps its mode.
#[cfg(unix)]
#[test]
fn outputs_are_written_through_links_and_keep_their_mode() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "input.12.csv", SEED);
    let target = write(dir.path(), "target.csv", "OLD\n");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let link = dir.path().join("link.csv");
    symlink("target.csv", &link).unwrap();
    let svg_target = write(dir.path(), "picture.svg", "OLD\n");
    std::fs::set_permissions(&svg_target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let svg_link = dir.path().join("picture-link.svg");
    symlink(&svg_target, &svg_link).unwrap();
    bin()
        .args(["--capacity=12", "-q"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", link.display()))
        .arg(format!("--svg={}", svg_link.display()))
        .assert()
        .code(0);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link survives");
    assert_eq!(read(&target), SEED_OUT);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&target), 0o600);
    assert!(std::fs::symlink_metadata(&svg_link).unwrap().file_type().is_symlink());
    assert!(read(&svg_target).starts_with("<svg"), "{}", read(&svg_target));
    assert_eq!(mode(&svg_target), 0o640);
    // A link to a file not yet there makes it.
    let dangling = dir.path().join("dangling.csv");
    symlink("made.csv", &dangling).unwrap();
    bin()
        .args(["--capacity=12", "-q"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", dangling.display()))
        .assert()
        .code(0);
    assert_eq!(read(&dir.path().join("made.csv")), SEED_OUT);
    // The batch's report and outputs likewise.
    let report_target = write(dir.path(), "report-target.csv", "OLD\n");
    std::fs::set_permissions(&report_target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let report = dir.path().join("report.csv");
    symlink(&report_target, &report).unwrap();
    bin().args(["batch", "-q"]).arg(&input).arg(format!("--report={}", report.display())).assert().code(0);
    assert!(std::fs::symlink_metadata(&report).unwrap().file_type().is_symlink());
    assert!(read(&report_target).starts_with("file,buffers,"), "{}", read(&report_target));
    assert_eq!(mode(&report_target), 0o600);
}

// 08a-quoted-ids-corrupt-output

/// Ids with commas, quotes and line breaks are quoted, so the output reads
/// back (and solves again) as the same buffers; plain ids stay unquoted.
#[test]
fn ids_that_need_quoting_are_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(dir.path(), "quoted.csv");
    let output = dir.path().join("o.csv");
    bin()
        .args(["--capacity=100", "-q"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", output.display()))
        .assert()
        .code(0);
    assert_eq!(read(&output), "id,lower,upper,size,offset\n\"b,1\",0,3,4,0\n\"b\"\"2\",0,3,4,4\n");
    // Our own output, solved again, is the same output.
    let again = dir.path().join("again.csv");
    bin()
        .args(["--capacity=100", "-q"])
        .arg(format!("--input={}", output.display()))
        .arg(format!("--output={}", again.display()))
        .assert()
        .code(0);
    assert_eq!(read(&again), read(&output));
    // Standard output and the batch's outputs are quoted alike.
    let tricky = write(
        dir.path(),
        "tricky.100.csv",
        "id,lower,upper,size\n\"two\nlines\",0,3,4\n\" padded \",0,3,4\nplain,0,3,4\n\"x\"\"y\",3,6,4\n",
    );
    let expected =
        "id,lower,upper,size,offset\n\"two\nlines\",0,3,4,0\n\" padded \",0,3,4,4\nplain,0,3,4,8\n\"x\"\"y\",3,6,4,0\n";
    bin()
        .args(["--capacity=100", "-q", "--threads=1"])
        .arg(format!("--input={}", tricky.display()))
        .assert()
        .code(0)
        .stdout(expected);
    let out = dir.path().join("out");
    bin()
        .args(["batch", "-q", "--threads=1"])
        .arg(&tricky)
        .arg(format!("--output-dir={}", out.display()))
        .arg(format!("--report={}", dir.path().join("r.csv").display()))
        .assert()
        .code(0);
    assert_eq!(read(&out.join("tricky.100.out.csv")), expected);
}

/// The batch report quotes file names and messages with commas, quotes and
/// line breaks, so that it reads back (`--resume`, `merge`, `compare`).
#[test]
fn the_batch_report_reads_back_with_odd_names_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("su,\"ite");
    std::fs::create_dir(&suite).unwrap();
    write(&suite, "a,b.12.csv", SEED);
    // A malformed file whose message quotes an id with a comma and a line break.
    write(&suite, "bad.12.csv", "id,lower,upper,size\n\"x,\ny\",0,1,2\n\"x,\ny\",0,1,2\n");
    let report = dir.path().join("r.csv");
    bin().args(["batch", "-q"]).arg(&suite).arg(format!("--report={}", report.display())).assert().code(2);
    let got = rows(&report);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].0.ends_with("a,b.12.csv") && got[0].1 == "solved", "{got:?}");
    assert!(got[1].0.ends_with("bad.12.csv") && got[1].1 == "error", "{got:?}");
    assert!(got[1].2.contains("duplicate id 'x,\\ny'"), "{got:?}");
    bin()
        .args(["batch", "--resume"])
        .arg(&suite)
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains("2 files already in"));
    let merged = dir.path().join("m.csv");
    bin().arg("merge").arg(format!("--out={}", merged.display())).arg(&report).assert().code(0);
    assert_eq!(rows(&merged), got);
}

// 08c-huge-number-error-echo

/// A 10 MiB field is quoted by its first 40 characters and its length.
#[test]
fn a_huge_field_is_not_echoed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "9".repeat(10 * 1024 * 1024);
    let input = write(dir.path(), "huge_number.100.csv", &format!("id,lower,upper,size\nb1,0,3,{huge}\n"));
    let assert = bin().args(["--capacity=100"]).arg(format!("--input={}", input.display())).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.len() < 300, "{} bytes on stderr", stderr.len());
    assert!(
        stderr.contains(&format!("column 'size': '{}...' (10485760 bytes) does not fit in 64 bits", "9".repeat(40))),
        "{stderr}"
    );
    // A huge id, twice; and the batch's report and messages.
    let id = "i".repeat(1 << 20);
    let dup = write(dir.path(), "dup.100.csv", &format!("id,lower,upper,size\n{id},0,1,2\n{id},0,1,2\n"));
    let assert = bin().args(["--capacity=100"]).arg(format!("--input={}", dup.display())).assert().code(2);
    assert!(assert.get_output().stderr.len() < 300);
    let report = dir.path().join("r.csv");
    let assert = bin()
        .args(["batch", "-q"])
        .arg(&input)
        .arg(&dup)
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2);
    assert!(assert.get_output().stderr.len() < 1000);
    assert!(std::fs::metadata(&report).unwrap().len() < 1000);
}

// 08e-batch-error-exit-code

/// A missing input is an input error (2, with its message even when
/// quiet), not an infeasible one.
#[test]
fn batch_a_missing_input_exits_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nonexistent.12.csv");
    let report = dir.path().join("r.csv");
    bin()
        .args(["batch", "-q"])
        .arg(&missing)
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains(format!("error: {}", missing.display())));
    assert_eq!(rows(&report)[0].1, "error");
    // Without -q too.
    bin()
        .args(["batch"])
        .arg(&missing)
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains("No such file"));
}

/// A suite without files is an error, not a success.
#[test]
fn batch_an_empty_suite_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    write(&empty, "notes.txt", "not a csv");
    let report = dir.path().join("r.csv");
    bin()
        .args(["batch", "-q"])
        .arg(&empty)
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains("no input files"));
    let list = write(dir.path(), "list.txt", "# nothing\n\n");
    bin()
        .args(["batch", "-q"])
        .arg(format!("@{}", list.display()))
        .arg(format!("--report={}", report.display()))
        .assert()
        .code(2)
        .stderr(contains("no input files"));
    assert!(!report.exists());
}

/// Mixed outcomes: 2 if any input error, else 4 if any internal error,
/// (else 3 for a time limit, covered by the unit test), else 1 if any
/// infeasible, else 0; and `--help` says so.
#[test]
fn batch_exit_codes_follow_the_documented_precedence() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.12.csv", SEED);
    let infeasible = write(dir.path(), "inf.4.csv", INFEASIBLE_IN_4);
    let broken = write(dir.path(), "broken.12.csv", "id,lower,upper,size\na,0,2,x\n");
    let report = dir.path().join("r.csv");
    let run = |files: &[&PathBuf], extra: &[String]| {
        bin()
            .args(["batch", "-q", "--threads=2"])
            .args(files.iter().map(|f| f.as_os_str()))
            .arg(format!("--report={}", report.display()))
            .args(extra)
            .assert()
    };
    run(&[&ok], &[]).code(0);
    run(&[&ok, &infeasible], &[]).code(1);
    run(&[&ok, &infeasible, &broken], &[]).code(2);
    // An output that cannot be written (a folder is in its place) is ours to fix: 4.
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("ok.12.out.csv")).unwrap();
    let out_dir = format!("--output-dir={}", out.display());
    run(&[&ok, &infeasible], std::slice::from_ref(&out_dir)).code(4).stderr(contains("ok.12.out.csv"));
    assert_eq!(rows(&report).iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["infeasible", "internal"]);
    run(&[&ok, &broken], &[out_dir]).code(2);
    bin()
        .args(["batch", "--help"])
        .assert()
        .code(0)
        .stdout(contains("Exit codes"))
        .stdout(contains("2  an input error"))
        .stdout(contains("4  an internal error"));
}

// 08f-latex-special-chars

/// `--print_solution` escapes TeX's special characters in the node labels,
/// and keeps the comment a comment; plain ids print as the reference's.
#[test]
fn latex_escapes_special_characters() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(dir.path(), "special_ids.csv");
    let assert = bin()
        .args(["--capacity=100", "--print_solution", "-q", "--threads=1"])
        .arg(format!("--input={}", input.display()))
        .arg(format!("--output={}", dir.path().join("o.csv").display()))
        .assert()
        .code(0);
    let tex = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(tex.contains("{$<$b\\&1$>$};\n"), "{tex}");
    assert!(tex.contains("{b\\_\\%\\#2};\n"), "{tex}");
    assert!(tex.contains("{x\"y};\n"), "{tex}");
    assert!(tex.contains("% height = 0.34, ID = b_%#2\n"), "{tex}");
    assert!(!tex.contains("{b_%#2}"), "{tex}");
    // A line break in an id cannot end the comment.
    let newline = write(dir.path(), "nl.csv", "id,lower,upper,size\n\"a\n\\end{document}\",0,3,4\n");
    let assert = bin()
        .args(["--capacity=100", "--print_solution", "-q", "--threads=1"])
        .arg(format!("--input={}", newline.display()))
        .arg(format!("--output={}", dir.path().join("o2.csv").display()))
        .assert()
        .code(0);
    let tex = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_eq!(tex.lines().filter(|l| l.contains("\\end{document}") && !l.contains('%')).count(), 1, "{tex}");
    assert!(tex.contains("ID = a \\end{document}\n"), "{tex}");
    assert!(tex.contains("{a \\textbackslash{}end\\{document\\}};\n"), "{tex}");
    // The seed's picture is the reference's, byte for byte where the test of
    // the renderer pins it.
    let seed = write(dir.path(), "seed.csv", SEED);
    bin()
        .args(["--capacity=12", "--print_solution", "-q"])
        .arg(format!("--input={}", seed.display()))
        .arg(format!("--output={}", dir.path().join("o3.csv").display()))
        .assert()
        .code(0)
        .stdout(contains("  % height = 2.83333, ID = b1\n\\node at (1.21429,7.08333) {b1};\n"));
}
