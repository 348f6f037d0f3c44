//! `minimalloc batch`: solves (or minimizes) many files in parallel and
//! writes one report; `minimalloc merge` joins the reports of shards;
//! `minimalloc compare` prints reports side by side.
//!
//! Threads are split between files and each file's portfolio: `--jobs`
//! files at once (default: half the threads), each with its share of the
//! threads. A file that fails (malformed, or any error) gets a row saying
//! why, and the others go on; the exit code says the worst that happened
//! (see [`EXIT_CODES`]). The report (CSV, and JSON beside it) is
//! rewritten atomically after every file, so an interrupted batch loses
//! nothing and `--resume` picks up where it stopped.
//!
//! With `--spill` or `--memory`, every file is planned over those memories
//! (each file's capacity, from `--capacity` or its name, is `--spill`'s
//! fast memory): the report's `cost`, `cost_lower_bound` and `optimal`
//! columns say what each plan costs, empty for one-memory rows.
//!
//! Suites split over machines with `--shard K/N` (or a scheduler's array
//! index: Slurm's `SLURM_ARRAY_TASK_ID`/`SLURM_ARRAY_TASK_COUNT`, or a
//! Kubernetes indexed job's `JOB_COMPLETION_INDEX` with `--shards N`): shard
//! K of N takes every N-th file of the sorted list, and `merge` joins the
//! shard reports into one.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Context};
use clap::Args;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use minimalloc::config::{Config, Mode};
use minimalloc::error::SolveError;
use minimalloc::io::{
    first_clash, read_csv_file_until, write_csv_file, write_file_atomic, write_plan_csv, MemoryColumns, ReadOptions,
};
use minimalloc::minimize::{minimize_until, MinimizeStatus};
use minimalloc::params::{check_threads, parse_duration};
use minimalloc::render::{html, plot};
use minimalloc::report::Outcome;
use minimalloc::solver::solve_with;
use minimalloc::spill::{plan, validate_plan};
use minimalloc::SolveOptions;
use minimalloc::StopToken;
use minimalloc::{render, validate, LowerBounds, MemoryProblem, Plan, PlanOutcome, Problem, Solution};

use super::exit;

/// The exit codes of `minimalloc batch`, shown by `--help`. When files end
/// differently, the code of the first line that applies is returned.
pub const EXIT_CODES: &str = "\
Exit codes (the first that applies, over every file of the report):
  2  an input error: a file missing, unreadable or malformed (status 'error'),
     or bad flags, or no input files at all
  4  an internal error: a solution failed --validate or could not be
     written (status 'internal')
  3  a time limit (or Ctrl-C) with no solution (status 'timeout' or 'unknown')
  1  a capacity proven infeasible (status 'infeasible')
  0  every file solved";

/// `minimalloc batch`.
#[derive(Args, Debug)]
pub struct BatchArgs {
    /// CSV files, folders of them, or @LIST (a file naming one path per line).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Capacity of every file; without it, a file named NAME.CAPACITY.csv
    /// (as in the paper's suite) uses CAPACITY.
    #[arg(long)]
    pub capacity: Option<i64>,
    /// Minimize each file's capacity instead.
    #[arg(long = "minimize_capacity", alias = "minimize-capacity")]
    pub minimize_capacity: bool,
    /// Time limit per file (30s, 1m, 500ms, inf).
    #[arg(long)]
    pub timeout: Option<String>,
    /// Threads in all, 1 to 256 (default: all cores).
    #[arg(long, allow_negative_numbers = true)]
    pub threads: Option<i64>,
    /// Files solved at once (default: half the threads, at least one).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// A preset for every file (configs/NAME.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Seed of the portfolio's randomized tie-breaking.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The report: CSV here, JSON beside it (same name, .json).
    #[arg(long, default_value = "report.csv")]
    pub report: PathBuf,
    /// Skip the files the report already has.
    #[arg(long)]
    pub resume: bool,
    /// Take only shard K of N (1-based), e.g. 2/4.
    #[arg(long)]
    pub shard: Option<String>,
    /// The number of shards, when the index comes from JOB_COMPLETION_INDEX.
    #[arg(long)]
    pub shards: Option<usize>,
    /// Write each solution here (NAME.out.csv).
    #[arg(long = "output-dir", alias = "output_dir")]
    pub output_dir: Option<PathBuf>,
    /// Write a picture of each solution here (NAME.svg).
    #[arg(long = "svg-dir", alias = "svg_dir")]
    pub svg_dir: Option<PathBuf>,
    /// Also write the report as one self-contained HTML page: the table
    /// (sortable), the cactus plot, and each solved file's packing a click
    /// away (files of up to 20000 buffers).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Validate every solution.
    #[arg(long)]
    pub validate: bool,
    /// Plan every file over two memories: one of its capacity, then an
    /// unbounded one, moving buffers out at the least cost (as the
    /// command's --spill).
    #[arg(long)]
    pub spill: bool,
    /// Plan every file over these memories, NAME=CAPACITY (bytes, or inf),
    /// in order; repeatable (as the command's --memory).
    #[arg(long, value_name = "NAME=CAPACITY")]
    pub memory: Vec<String>,
    /// No progress bar or lines, no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `minimalloc merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The merged report (CSV; JSON beside it).
    #[arg(long)]
    pub out: PathBuf,
    /// Shard reports (CSV).
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
}

/// `minimalloc compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Reports (CSV), one per configuration; columns are named after the files.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Also draw them (SVG): a cactus plot of every report, a scatter plot
    /// of two reports' times, and each file's height over its lower bound
    /// for minimization reports.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// One file's line in a report.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Row {
    /// The input file.
    pub file: String,
    /// Its number of buffers (0 if it could not be read).
    pub buffers: usize,
    /// The capacity solved at (or the given upper bound when minimizing; 0 if none).
    pub capacity: i64,
    /// solved, infeasible, timeout, optimal, feasible, unknown, error (the
    /// input could not be used) or internal (validation or writing failed).
    pub status: String,
    /// The solution's height, if any.
    pub height: Option<i64>,
    /// The proven lower bound.
    pub lower_bound: Option<i64>,
    /// Wall time in seconds.
    pub wall_s: f64,
    /// Search nodes.
    pub nodes: u64,
    /// Backtracks.
    pub backtracks: u64,
    /// Why it failed, for errors.
    pub message: String,
    /// The version of the build that solved it (empty in reports written
    /// before builds were recorded).
    #[serde(default)]
    pub version: String,
    /// The git commit of that build (see [`minimalloc::COMMIT`]); merged
    /// shards keep each row's own, so a mixed merge shows.
    #[serde(default)]
    pub commit: String,
    /// Over several memories: the plan's cost (buffers outside their first
    /// memory); empty for one memory.
    #[serde(default)]
    pub cost: Option<i64>,
    /// Its proven lower bound.
    #[serde(default)]
    pub cost_lower_bound: Option<i64>,
    /// Whether the cost is proven least.
    #[serde(default)]
    pub optimal: Option<bool>,
}

impl Row {
    /// What no batch writes in a row: why it cannot be one of a report.
    fn check(&self) -> Result<(), String> {
        if !STATUSES.contains(&self.status.as_str()) {
            return Err(format!(
                "status '{}' is not one a report has ({})",
                self.status.escape_debug(),
                STATUSES.join(", ")
            ));
        }
        if !(self.wall_s.is_finite() && self.wall_s >= 0.0) {
            return Err(format!("wall_s {} is not a time (a number of seconds >= 0)", self.wall_s));
        }
        if let (Some(h), Some(l)) = (self.height, self.lower_bound) {
            if h < l {
                return Err(format!("height {h} is below the lower bound {l}, which no packing can be"));
            }
        }
        if let (Some(c), Some(l)) = (self.cost, self.cost_lower_bound) {
            if c < l || (self.optimal == Some(true) && c != l) {
                return Err(format!(
                    "cost {c} against its lower bound {l}: no plan can be below it, an optimal one is at it"
                ));
            }
        }
        Ok(())
    }

    /// A row for `file` with `status` and nothing measured yet.
    fn new(file: String, status: &str) -> Self {
        Row {
            file,
            buffers: 0,
            capacity: 0,
            status: status.into(),
            height: None,
            lower_bound: None,
            wall_s: 0.0,
            nodes: 0,
            backtracks: 0,
            message: String::new(),
            version: minimalloc::VERSION.into(),
            commit: minimalloc::COMMIT.into(),
            cost: None,
            cost_lower_bound: None,
            optimal: None,
        }
    }
}

/// Every CSV file named by `inputs` (folders are searched, not recursively;
/// `@LIST` names a file of paths), sorted and without duplicates.
fn collect(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if let Some(list) = text.strip_prefix('@') {
            let body = std::fs::read_to_string(list).with_context(|| format!("reading the list {list}"))?;
            let base = Path::new(list).parent().unwrap_or(Path::new("."));
            for line in body.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let p = PathBuf::from(line);
                files.push(if p.is_relative() { base.join(p) } else { p });
            }
        } else if input.is_dir() {
            for entry in std::fs::read_dir(input).with_context(|| format!("reading {}", input.display()))? {
                let path = entry?.path();
                if path.extension().is_some_and(|e| e == "csv") {
                    files.push(path);
                }
            }
        } else {
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// Parses `--shard K/N` (1-based).
fn parse_shard(s: &str) -> anyhow::Result<(usize, usize)> {
    let bad = || anyhow!("--shard takes K/N with 1 <= K <= N, e.g. 2/4; got '{}'", s.escape_debug());
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// A count or index from the environment variable `name`: `None` when it
/// is not set, an error naming it and its value when it is set to anything
/// but a number (a scheduler's index read wrongly would have every task
/// solve the whole suite).
fn env_number(name: &str) -> anyhow::Result<Option<usize>> {
    match std::env::var(name) {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(v)) => bail!("{name} is set to {v:?}, which is not a number"),
        Ok(v) => v
            .trim()
            .parse::<usize>()
            .map(Some)
            .map_err(|_| anyhow!("{name} is set to '{}', which is not a number (0 or more)", v.escape_debug())),
    }
}

/// The shard this process takes: `--shard`, else the scheduler's array
/// index (Slurm's, else a Kubernetes indexed job's with `--shards`); none
/// when nothing asks for one. Every index is read exactly or refused.
fn shard(args: &BatchArgs) -> anyhow::Result<Option<(usize, usize)>> {
    if let Some(s) = &args.shard {
        return parse_shard(s).map(Some);
    }
    if args.shards == Some(0) {
        bail!("--shards takes the number of shards, 1 or more; got 0");
    }
    let (id, count) = (env_number("SLURM_ARRAY_TASK_ID")?, env_number("SLURM_ARRAY_TASK_COUNT")?);
    match (id, count) {
        (Some(id), Some(count)) => {
            let min = env_number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let k = id.checked_sub(min).ok_or_else(|| {
                anyhow!("SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}: use a contiguous array")
            })? + 1;
            if count == 0 || k > count {
                bail!(
                    "Slurm array task {id} (min {min}) is past SLURM_ARRAY_TASK_COUNT {count}: use a contiguous array"
                );
            }
            return Ok(Some((k, count)));
        }
        (Some(id), None) => {
            bail!("SLURM_ARRAY_TASK_ID is set ({id}) but SLURM_ARRAY_TASK_COUNT is not: shard by hand with --shard K/N")
        }
        (None, Some(_)) | (None, None) => {}
    }
    let shards = match args.shards {
        Some(n) => Some(n),
        None => env_number("MINIMALLOC_SHARDS")?,
    };
    match (env_number("JOB_COMPLETION_INDEX")?, shards) {
        (Some(index), Some(n)) if index < n => Ok(Some((index + 1, n))),
        (Some(index), Some(n)) => bail!("JOB_COMPLETION_INDEX {index} is not below the {n} shards"),
        (Some(_), None) => {
            bail!("JOB_COMPLETION_INDEX is set: give the number of shards with --shards N (or MINIMALLOC_SHARDS)")
        }
        (None, Some(n)) => bail!(
            "--shards {n} needs this task's index in JOB_COMPLETION_INDEX (a Kubernetes indexed job), which is not set; shard by hand with --shard K/N"
        ),
        (None, None) => Ok(None),
    }
}

/// The capacity of `file`: the flag, else NAME.CAPACITY.csv.
fn capacity_of(file: &Path, flag: Option<i64>) -> Option<i64> {
    flag.or_else(|| {
        let stem = file.file_stem()?.to_str()?;
        let (_, cap) = stem.rsplit_once('.')?;
        cap.parse().ok()
    })
}

/// The statuses a report's rows may have (see [`Row::status`]).
pub const STATUSES: [&str; 8] =
    ["solved", "infeasible", "timeout", "optimal", "feasible", "unknown", "error", "internal"];

/// The columns of a report, in order.
const COLUMNS: [&str; 15] = [
    "file",
    "buffers",
    "capacity",
    "status",
    "height",
    "lower_bound",
    "wall_s",
    "nodes",
    "backtracks",
    "message",
    "version",
    "commit",
    "cost",
    "cost_lower_bound",
    "optimal",
];

/// The columns of reports written by earlier versions (before the build
/// was recorded, and before plans over memories): still read (merged,
/// compared, resumed), their rows with an empty build and no cost.
const OLD_COLUMNS: [usize; 2] = [10, 12];

/// Reads a report (CSV), refusing what no batch writes: another header, a
/// status outside [`STATUSES`], a negative or not-a-number time, a
/// height below the proven lower bound. Errors name the file and line.
/// Reports of earlier versions, without the build's columns, are read too.
pub fn read_report(path: &Path) -> anyhow::Result<Vec<Row>> {
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("reading the report {}", path.display()))?;
    let header: Vec<String> = rdr
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .with_context(|| format!("{}: not a minimalloc report", path.display()))?;
    if header != COLUMNS && !OLD_COLUMNS.iter().any(|&n| header == COLUMNS[..n]) {
        bail!(
            "{}: not a minimalloc report (its header is '{}'; a report's is '{}')",
            path.display(),
            header.join(",").escape_debug(),
            COLUMNS.join(",")
        );
    }
    let mut rows = Vec::new();
    for (i, row) in rdr.deserialize::<Row>().enumerate() {
        // Line 1 is the header.
        let line = i + 2;
        let row = row.with_context(|| format!("{}:{line}: not a minimalloc report's row", path.display()))?;
        row.check().map_err(|why| anyhow!("{}:{line}: {why}", path.display()))?;
        rows.push(row);
    }
    Ok(rows)
}

/// Writes a report as CSV and, beside it, JSON; both atomically.
pub fn write_report(path: &Path, rows: &[Row]) -> anyhow::Result<()> {
    write_file_atomic(path, |f| {
        let mut w = csv::Writer::from_writer(f);
        for r in rows {
            w.serialize(r).map_err(std::io::Error::other)?;
        }
        w.flush()
    })?;
    write_file_atomic(path.with_extension("json"), |f| {
        serde_json::to_writer_pretty(&mut *f, rows).map_err(std::io::Error::other)?;
        f.write_all(b"\n")
    })?;
    Ok(())
}

/// Solves one file; never fails (errors become the row's status: `internal`
/// when the solution failed validation or could not be written, else
/// `error`). `None` when Ctrl-C (`stop`) cut it short: the file has no row,
/// so that `--resume` solves it again.
fn run_file(
    file: &Path,
    args: &BatchArgs,
    config: &Config,
    threads: usize,
    (stop, pictures): (&Arc<AtomicBool>, &Pictures),
) -> Option<Row> {
    let start = Instant::now();
    let mut row = Row::new(file.display().to_string(), "error");
    let job = FileJob { file, args, pictures, internal: std::cell::Cell::new(false) };
    if let Err(e) = job.run(&mut row, config, threads, stop) {
        row.status = if job.internal.get() { "internal" } else { "error" }.into();
        row.message = format!("{e:#}");
    }
    row.wall_s = start.elapsed().as_secs_f64();
    (!stop.load(Ordering::SeqCst)).then_some(row)
}

/// The packing pictures of this run's solved files for `--html`, by the
/// report's name of the file.
type Pictures = Mutex<BTreeMap<String, String>>;

/// Files of more buffers than this get no picture in `--html`'s page: a
/// picture takes about 250 bytes a buffer, and a page of many megabytes
/// opens slowly (`--svg-dir` draws them all).
const HTML_PICTURE_LIMIT: usize = 20_000;

/// One file of a batch being solved.
struct FileJob<'a> {
    file: &'a Path,
    args: &'a BatchArgs,
    /// Where its picture goes, for `--html`.
    pictures: &'a Pictures,
    /// Set when the input was fine but our own result was not.
    internal: std::cell::Cell<bool>,
}

impl FileJob<'_> {
    /// Reads the file and solves or minimizes it, filling in `row`.
    fn run(&self, row: &mut Row, config: &Config, threads: usize, stop: &Arc<AtomicBool>) -> anyhow::Result<()> {
        let (file, args) = (self.file, self.args);
        // Nothing but regular files is read (a named pipe would wait for a
        // writer forever), and Ctrl-C stops a long read.
        let options = ReadOptions { memory_columns: planning(args), ..ReadOptions::default() };
        let Some(parsed) = read_csv_file_until(file, options, &|| stop.load(Ordering::Relaxed))? else {
            return Ok(());
        };
        let mut problem = parsed.problem;
        // Each file's time limit counts from the moment it has been read.
        let deadline = config.portfolio.params.timeout.and_then(|t| Instant::now().checked_add(t));
        let keep =
            if args.output_dir.is_some() { super::write_reserve(problem.buffers.len()) } else { Default::default() };
        let token = StopToken::from_flag(Arc::clone(stop)).child_until(deadline).child_reserving(keep);
        row.buffers = problem.buffers.len();
        let lb = LowerBounds::of(&problem).best();
        row.lower_bound = i64::try_from(lb).ok();
        let capacity = capacity_of(file, args.capacity);
        let mut opts = config.options();
        if config.mode != Mode::Sequential {
            opts.params.threads = threads;
        }
        if args.minimize_capacity {
            problem.capacity = capacity.unwrap_or(0);
            return self.minimize(row, &mut problem, &opts, &token);
        }
        if planning(args) && !args.spill {
            return self.plan(row, &problem, parsed.memory_columns.as_ref(), &opts, &token);
        }
        let capacity = capacity.ok_or_else(|| anyhow!("no --capacity, and the name is not NAME.CAPACITY.csv"))?;
        problem.capacity = capacity;
        if args.spill {
            return self.plan(row, &problem, parsed.memory_columns.as_ref(), &opts, &token);
        }
        self.solve(row, &problem, &opts, &token)
    }

    /// Plans `problem` over the memories of `--spill` (at its capacity) or
    /// `--memory`; the plan was validated by the engine, and again here
    /// with `--validate`.
    fn plan(
        &self,
        row: &mut Row,
        problem: &Problem,
        columns: Option<&MemoryColumns>,
        opts: &SolveOptions,
        token: &StopToken,
    ) -> anyhow::Result<()> {
        let args = self.args;
        row.capacity = problem.capacity;
        let memories = crate::plan::declared(args.spill, Some(problem.capacity), &args.memory)?;
        let mp = crate::plan::over_memories(memories, self.file, problem, columns)?;
        match plan(&mp, opts, token).map_err(|e| self.failed(e))? {
            PlanOutcome::Planned(p) => {
                row.status = "solved".into();
                row.height = p.heights.first().copied();
                row.lower_bound = None;
                (row.cost, row.cost_lower_bound, row.optimal) = (Some(p.cost), Some(p.lower_bound), Some(p.optimal));
                self.write_plan(problem, &mp, &p).inspect_err(|_| self.internal.set(true))?;
            }
            PlanOutcome::Infeasible(why) => {
                row.status = "infeasible".into();
                row.message = why;
            }
            PlanOutcome::Stopped(o) => row.status = if o == Outcome::Cancelled { "timeout" } else { o.status() }.into(),
        }
        Ok(())
    }

    /// Validates (with `--validate`) and writes a plan under `--output-dir`.
    fn write_plan(&self, problem: &Problem, mp: &MemoryProblem, p: &Plan) -> anyhow::Result<()> {
        if self.args.validate {
            validate_plan(mp, p).map_err(|e| anyhow!("validation FAILED: {e}"))?;
        }
        let (csv, svg) = outputs_of(self.file, self.args);
        if let Some(path) = csv {
            let names: Vec<&str> = p.memory.iter().map(|&m| mp.memories[m].name.as_str()).collect();
            write_file_atomic(path, |f| write_plan_csv(f, problem, &names, &p.offsets))?;
        }
        let html = self.args.html.is_some() && problem.buffers.len() <= HTML_PICTURE_LIMIT;
        if svg.is_some() || html {
            let picture = crate::plan::picture(mp, p);
            if let Some(path) = svg {
                write_file_atomic(path, |f| f.write_all(picture.as_bytes()))?;
            }
            if html {
                self.pictures.lock().insert(self.file.display().to_string(), picture);
            }
        }
        Ok(())
    }

    /// Minimizes the capacity of `problem` (at most its capacity).
    fn minimize(
        &self,
        row: &mut Row,
        problem: &mut Problem,
        opts: &SolveOptions,
        token: &StopToken,
    ) -> anyhow::Result<()> {
        row.capacity = problem.capacity;
        let m = minimize_until(problem, opts, token, &|_| {}).map_err(|e| self.failed(e))?;
        row.status = match m.status {
            MinimizeStatus::Optimal => "optimal",
            MinimizeStatus::Feasible => "feasible",
            MinimizeStatus::Unknown => "unknown",
            MinimizeStatus::Infeasible => "infeasible",
        }
        .into();
        row.lower_bound = Some(m.lower_bound);
        if let Some(s) = m.solution {
            row.height = Some(s.height);
            problem.capacity = s.height;
            self.write_out(problem, &s)?;
        }
        Ok(())
    }

    /// Solves `problem` at its capacity.
    fn solve(&self, row: &mut Row, problem: &Problem, opts: &SolveOptions, token: &StopToken) -> anyhow::Result<()> {
        row.capacity = problem.capacity;
        let report = solve_with(problem, opts, token, &|_| {});
        row.nodes = report.stats.nodes();
        row.backtracks = report.stats.backtracks();
        match report.outcome {
            Ok(Outcome::Solved(s)) => {
                row.status = "solved".into();
                row.height = Some(s.height);
                self.write_out(problem, &s)?;
            }
            // A batch stopped by its deadline or Ctrl-C reports the rows
            // it could not finish as timed out.
            Ok(Outcome::Cancelled) => row.status = "timeout".into(),
            Ok(outcome) => row.status = outcome.status().into(),
            Err(e) => return Err(self.failed(e)),
        }
        Ok(())
    }

    /// Validates and writes a solution; a failure is ours.
    fn write_out(&self, problem: &Problem, solution: &Solution) -> anyhow::Result<()> {
        emit(problem, solution, self.file, self.args).inspect_err(|_| self.internal.set(true))?;
        if self.args.html.is_some() && problem.buffers.len() <= HTML_PICTURE_LIMIT {
            let lb = i64::try_from(LowerBounds::of(problem).best()).ok();
            self.pictures.lock().insert(self.file.display().to_string(), render::svg(problem, solution, lb));
        }
        Ok(())
    }

    /// The error of a failed solve: a solution that failed the library's own
    /// validation is ours too.
    fn failed(&self, e: SolveError) -> anyhow::Error {
        self.internal.set(matches!(e, SolveError::Internal(_)));
        anyhow::Error::from(e)
    }
}

/// Whether the batch plans its files over several memories.
fn planning(args: &BatchArgs) -> bool {
    args.spill || !args.memory.is_empty()
}

/// Where a solution of `file` is written: NAME.out.csv under --output-dir
/// and NAME.svg under --svg-dir, when given.
fn outputs_of(file: &Path, args: &BatchArgs) -> (Option<PathBuf>, Option<PathBuf>) {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    (
        args.output_dir.as_ref().map(|dir| dir.join(format!("{stem}.out.csv"))),
        args.svg_dir.as_ref().map(|dir| dir.join(format!("{stem}.svg"))),
    )
}

/// Validates and writes one file's solution as asked.
fn emit(problem: &Problem, solution: &Solution, file: &Path, args: &BatchArgs) -> anyhow::Result<()> {
    if args.validate {
        validate(problem, solution).map_err(|e| anyhow!("validation FAILED: {e}"))?;
    }
    let (csv, svg) = outputs_of(file, args);
    if let Some(path) = csv {
        write_csv_file(path, problem, Some(solution))?;
    }
    if let Some(path) = svg {
        let lb = i64::try_from(LowerBounds::of(problem).best()).ok();
        let svg = render::svg(problem, solution, lb);
        write_file_atomic(path, |f| f.write_all(svg.as_bytes()))?;
    }
    Ok(())
}

/// Refuses a batch that would overwrite one of its input files (the same
/// file by another path, or a hard or symbolic link to it) with the report
/// or a file's solution or picture, or write two of these to one file (a
/// report named NAME.json, whose JSON would replace its CSV; two inputs of
/// one name in different folders, whose solutions would replace each
/// other), before anything is written. `inputs` is the whole suite, since
/// one file's output may be another file's input; `todo` the files this run
/// solves.
fn refuse_clashing_paths(inputs: &[PathBuf], todo: &[PathBuf], args: &BatchArgs) -> anyhow::Result<()> {
    let json = args.report.with_extension("json");
    let mut outputs: Vec<(String, PathBuf)> =
        vec![("--report".into(), args.report.clone()), ("--report's JSON".into(), json)];
    outputs.extend(args.html.iter().map(|h| ("--html".into(), h.clone())));
    for file in todo {
        let (csv, svg) = outputs_of(file, args);
        for (flag, path) in [("--output-dir", csv), ("--svg-dir", svg)] {
            if let Some(path) = path {
                outputs.push((format!("{flag} (for {})", file.display()), path));
            }
        }
    }
    let outputs: Vec<(&str, &Path)> = outputs.iter().map(|(l, p)| (l.as_str(), p.as_path())).collect();
    let mut sources: Vec<(&str, &Path)> = inputs.iter().map(|f| ("input file", f.as_path())).collect();
    sources.extend(args.config.as_deref().map(|c| ("preset", c)));
    match first_clash(&outputs, &sources) {
        Some(clash) => bail!("{clash}"),
        None => Ok(()),
    }
}

/// The exit code of a batch whose report holds `rows`, by the precedence of
/// [`EXIT_CODES`]: the input errors first (the user must fix them before any
/// other code means anything), then our own failures, then the files left
/// without an answer, then the proven infeasible ones.
fn exit_code(rows: &[Row], interrupted: bool) -> i32 {
    let any = |statuses: &[&str]| rows.iter().any(|r| statuses.contains(&r.status.as_str()));
    if any(&["error"]) {
        exit::USAGE
    } else if any(&["internal"]) {
        exit::INTERNAL
    } else if interrupted || any(&["timeout", "unknown"]) {
        exit::TIMEOUT
    } else if any(&["infeasible"]) {
        exit::INFEASIBLE
    } else {
        exit::SOLVED
    }
}

/// Runs `minimalloc batch`; returns the exit code of [`EXIT_CODES`] for the
/// files of the report (those of earlier runs too, with `--resume`). Errors
/// that stop the whole batch (bad flags, no input files, an output that
/// would overwrite an input) are returned, and exit with 2.
pub fn run(args: &BatchArgs) -> anyhow::Result<i32> {
    let settings = settings(args)?;
    let Todo { suite, files, done } = todo(args)?;
    refuse_clashing_paths(&suite, &files, args)?;
    let stop = Arc::new(AtomicBool::new(false));
    super::install_interrupt(Arc::clone(&stop));
    let workers = Workers {
        args,
        settings: &settings,
        files: &files,
        stop: &stop,
        rows: Mutex::new(done),
        pictures: Mutex::new(BTreeMap::new()),
        bar: progress_bar(args, files.len()),
        finished: AtomicUsize::new(0),
        next: AtomicUsize::new(0),
    };
    workers.run();
    if let Some(bar) = &workers.bar {
        bar.finish_and_clear();
    }
    let pictures = workers.pictures.into_inner();
    finish(args, (workers.rows.into_inner(), pictures), &settings, &stop)
}

/// What the flags make of every file's solve.
struct Settings {
    /// The preset with `--timeout` and `--seed` applied.
    config: Config,
    /// Files solved at once.
    jobs: usize,
    /// Threads of each file's portfolio.
    per_file: usize,
}

/// The settings from the flags; creates the output folders.
fn settings(args: &BatchArgs) -> anyhow::Result<Settings> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    if let Some(t) = &args.timeout {
        config.portfolio.params.timeout = parse_duration(t).map_err(|e| anyhow!("--timeout {e}"))?;
    }
    if let Some(s) = args.seed {
        config.portfolio.params.seed = s;
    }
    if args.capacity.is_some_and(|c| c < 0) {
        bail!("--capacity must not be negative");
    }
    if planning(args) {
        let unsupported = [
            (args.spill && !args.memory.is_empty(), "--spill with --memory (declare both memories with --memory)"),
            (args.minimize_capacity, "--minimize_capacity with several memories"),
        ];
        if let Some((_, what)) = unsupported.iter().find(|(on, _)| *on) {
            bail!("not supported: {what}");
        }
        // The flags' own mistakes show before any file is read.
        crate::plan::declared(args.spill, Some(0), &args.memory)?;
    }
    let threads = match args.threads {
        Some(t) => check_threads(i128::from(t)).map_err(|e| anyhow!("--threads {e}"))?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let jobs = args.jobs.unwrap_or((threads / 2).max(1)).clamp(1, threads);
    let per_file = (threads / jobs).max(1);
    for dir in [&args.output_dir, &args.svg_dir].into_iter().flatten() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(Settings { config, jobs, per_file })
}

/// The files of a batch.
struct Todo {
    /// Every input file.
    suite: Vec<PathBuf>,
    /// Those this run solves: its shard's, less those already reported.
    files: Vec<PathBuf>,
    /// The rows of earlier runs (with `--resume`).
    done: Vec<Row>,
}

/// Collects the input files, then takes this process's shard and, with
/// `--resume`, leaves out the files the report has.
fn todo(args: &BatchArgs) -> anyhow::Result<Todo> {
    let suite = collect(&args.inputs)?;
    if suite.is_empty() {
        let named: Vec<String> = args.inputs.iter().map(|p| p.display().to_string()).collect();
        bail!("no input files: {} holds no .csv file", named.join(" "));
    }
    let mut files = suite.clone();
    if let Some((k, n)) = shard(args)? {
        files = files.into_iter().enumerate().filter(|(i, _)| i % n == k - 1).map(|(_, f)| f).collect();
        if !args.quiet {
            eprintln!("shard {k}/{n}: {} files", files.len());
        }
    }
    let mut done: Vec<Row> = Vec::new();
    if args.resume && args.report.exists() {
        done = read_report(&args.report)?;
        let seen: std::collections::HashSet<String> = done.iter().map(|r| r.file.clone()).collect();
        files.retain(|f| !seen.contains(&f.display().to_string()));
        if !args.quiet {
            eprintln!("resuming: {} files already in {}, {} to go", seen.len(), args.report.display(), files.len());
        }
    }
    Ok(Todo { suite, files, done })
}

/// A progress bar of `total` files, on a terminal unless `--quiet`.
fn progress_bar(args: &BatchArgs, total: usize) -> Option<indicatif::ProgressBar> {
    (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    })
}

/// The threads that solve a batch's files, and what they share.
struct Workers<'a> {
    args: &'a BatchArgs,
    settings: &'a Settings,
    files: &'a [PathBuf],
    stop: &'a Arc<AtomicBool>,
    /// The report's rows so far, sorted by file.
    rows: Mutex<Vec<Row>>,
    /// The solved files' pictures, for `--html`.
    pictures: Pictures,
    bar: Option<indicatif::ProgressBar>,
    /// Files done in this run.
    finished: AtomicUsize,
    /// The next file to take.
    next: AtomicUsize,
}

impl Workers<'_> {
    /// Solves every file on `--jobs` threads, or until interrupted.
    fn run(&self) {
        // Plain threads pulling files from a shared counter: each file's
        // portfolio has a thread pool of its own, and a rayon worker waiting on
        // another pool would start more files meanwhile, oversubscribing.
        std::thread::scope(|scope| {
            for _ in 0..self.settings.jobs {
                scope.spawn(|| self.work());
            }
        });
    }

    /// One thread's loop: takes the next file until none is left.
    fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::SeqCst);
            if i >= self.files.len() || self.stop.load(Ordering::SeqCst) {
                return;
            }
            let file = &self.files[i];
            let shared = (self.stop, &self.pictures);
            let Some(row) = run_file(file, self.args, &self.settings.config, self.settings.per_file, shared) else {
                return;
            };
            let k = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
            self.tell(file, &row, k);
            self.record(row);
        }
    }

    /// Tells that `file` (the `k`-th done) ended as `row` says: on the bar,
    /// else in a line unless quiet, and a failure's reason in any case.
    fn tell(&self, file: &Path, row: &Row, k: usize) {
        let outcome = format!(
            "{} {} ({:.3}s)",
            row.status,
            row.height.map(|h| format!("height {h}")).unwrap_or_default(),
            row.wall_s
        );
        match &self.bar {
            Some(bar) => {
                // The bar holds one line: the file's name, not its
                // path, so that the message fits beside the bar.
                let name =
                    file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
                bar.set_message(format!("{name}: {outcome}"));
                bar.inc(1);
            }
            None if !self.args.quiet => eprintln!("[{k}/{}] {}: {outcome}", self.files.len(), file.display()),
            None => {}
        }
        // Failures are told with their reason, even when quiet: the
        // report has it, but one should not have to read it to know.
        if matches!(row.status.as_str(), "error" | "internal") {
            let name = file.display().to_string();
            let message = if row.message.starts_with(&name) {
                format!("error: {}", row.message)
            } else {
                format!("error: {name}: {}", row.message)
            };
            match &self.bar {
                Some(bar) => bar.println(message),
                None => eprintln!("{message}"),
            }
        }
    }

    /// Adds `row` to the report and rewrites it.
    fn record(&self, row: Row) {
        let mut rows = self.rows.lock();
        rows.push(row);
        rows.sort_by(|a, b| a.file.cmp(&b.file));
        if let Err(e) = write_report(&self.args.report, &rows) {
            eprintln!("warning: could not write the report: {e:#}");
        }
    }
}

/// Writes the final report (and its page, with `--html`), prints the
/// summary unless quiet, and returns the exit code (`stop` raised:
/// interrupted).
fn finish(
    args: &BatchArgs,
    (rows, pictures): (Vec<Row>, BTreeMap<String, String>),
    settings: &Settings,
    stop: &AtomicBool,
) -> anyhow::Result<i32> {
    write_report(&args.report, &rows)?;
    if let Some(path) = &args.html {
        let page = report_page(args, settings, &rows, pictures);
        write_file_atomic(path, |f| f.write_all(page.as_bytes()))?;
    }
    if !args.quiet {
        print_summary(&rows);
        eprintln!("report: {} and {}", args.report.display(), args.report.with_extension("json").display());
        if let Some(path) = &args.html {
            eprintln!("page: {}", path.display());
        }
    }
    Ok(exit_code(&rows, stop.load(Ordering::SeqCst)))
}

/// The name a report goes by in plots and tables: its file's stem.
fn report_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// A file's name without its folder, as reports are compared by.
fn file_name(file: &str) -> String {
    Path::new(file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.to_string())
}

/// A report's rows as a series of runs for the plots: solved means a
/// packing at the capacity, or a proven minimum.
fn series_of(name: String, rows: &[Row]) -> plot::Series {
    let runs = rows
        .iter()
        .map(|r| plot::Run {
            instance: file_name(&r.file),
            solved: matches!(r.status.as_str(), "solved" | "optimal"),
            seconds: r.wall_s,
            height: r.height,
            lower_bound: r.lower_bound,
        })
        .collect();
    plot::Series { name, runs }
}

/// Whether rows come from `--minimize_capacity` (whose statuses are its own).
fn minimizing(rows: &[Row]) -> bool {
    rows.iter().any(|r| matches!(r.status.as_str(), "optimal" | "feasible"))
}

/// The builds that wrote `rows`, as `VERSION (commit C)`, each once.
fn builds_of(rows: &[Row]) -> Vec<String> {
    let mut builds: Vec<String> = rows
        .iter()
        .map(|r| {
            if r.commit.is_empty() {
                "an unrecorded build".to_string()
            } else {
                format!("{} (commit {})", r.version, r.commit)
            }
        })
        .collect();
    builds.sort();
    builds.dedup();
    builds
}

/// The `--html` page of a batch: notes (build, settings, counts), the
/// cactus plot (and heights over bounds when minimizing), the table, and
/// the pictures: this run's, else the `--svg-dir` picture an earlier run
/// (`--resume`) left.
fn report_page(args: &BatchArgs, settings: &Settings, rows: &[Row], mut pictures: BTreeMap<String, String>) -> String {
    let name = report_name(&args.report);
    let params = &settings.config.portfolio.params;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    let wall: f64 = rows.iter().map(|r| r.wall_s).sum();
    let notes = vec![
        format!("{} files: {}; {wall:.3} s in all.", rows.len(), counts.join(", ")),
        format!(
            "Preset {}, time limit {}, {} files at once with {} threads each.",
            args.config.as_ref().map_or_else(|| "default".to_string(), |c| c.display().to_string()),
            params.timeout.map_or_else(|| "none".to_string(), |t| format!("{:.3} s", t.as_secs_f64())),
            settings.jobs,
            settings.per_file
        ),
        format!("Solved by minimalloc {}.", builds_of(rows).join(", ")),
        format!("Page written by minimalloc {}.", minimalloc::LONG_VERSION),
    ];
    let caption = vec![format!("{name}: solved by minimalloc {}", builds_of(rows).join(", "))];
    let figures = plot::figures(&[series_of(name.clone(), rows)], minimizing(rows), &caption);
    let column = |name: &str, numeric| html::Column { name: name.into(), numeric };
    let columns = vec![
        column("file", false),
        column("buffers", true),
        column("capacity", true),
        column("status", false),
        column("height", true),
        column("lower bound", true),
        column("time (s)", true),
        column("nodes", true),
        column("backtracks", true),
        column("message", false),
    ];
    let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |x| x.to_string());
    let page_rows = rows
        .iter()
        .map(|r| {
            let solved = r.height.is_some();
            let picture = pictures.remove(&r.file).or_else(|| earlier_picture(args, &r.file));
            let no_picture = match (&picture, solved) {
                (Some(_), _) => None,
                (None, false) => Some("no solution to draw".to_string()),
                (None, true) if r.buffers > HTML_PICTURE_LIMIT => {
                    Some(format!("too large to draw here ({} buffers); --svg-dir draws it", r.buffers))
                }
                (None, true) => Some("solved in an earlier run (--resume) without --svg-dir: not drawn".to_string()),
            };
            html::Row {
                cells: vec![
                    file_name(&r.file),
                    r.buffers.to_string(),
                    r.capacity.to_string(),
                    r.status.clone(),
                    opt(r.height),
                    opt(r.lower_bound),
                    format!("{:.3}", r.wall_s),
                    r.nodes.to_string(),
                    r.backtracks.to_string(),
                    r.message.clone(),
                ],
                status: r.status.clone(),
                picture,
                no_picture,
            }
        })
        .collect();
    let title = format!("minimalloc batch: {}", args.report.display());
    html::report_page(&html::Page { title: &title, notes, columns, rows: page_rows, figures: Some(figures) })
}

/// The picture `--svg-dir` holds of `file` from an earlier run, if any.
fn earlier_picture(args: &BatchArgs, file: &str) -> Option<String> {
    let (_, svg) = outputs_of(Path::new(file), args);
    let text = std::fs::read_to_string(svg?).ok()?;
    text.trim_start().starts_with("<svg").then_some(text)
}

/// Prints the report as a markdown table and a count of each status.
fn print_summary(rows: &[Row]) {
    // Plans add their cost and its bound.
    let plans = rows.iter().any(|r| r.cost.is_some());
    let (head, rule) = if plans { (" cost | cost bound |", "---:|---:|") } else { ("", "") };
    println!("| file | buffers | status | height | lower bound |{head} time (s) |");
    println!("|---|---:|---|---:|---:|{rule}---:|");
    for r in rows {
        let name = Path::new(&r.file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_else(|| "-".into());
        let cost = if plans { format!(" {} | {} |", opt(r.cost), opt(r.cost_lower_bound)) } else { String::new() };
        println!(
            "| {name} | {} | {} | {} | {} |{cost} {:.3} |",
            r.buffers,
            r.status,
            opt(r.height),
            opt(r.lower_bound),
            r.wall_s
        );
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    let wall: f64 = rows.iter().map(|r| r.wall_s).sum();
    let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    println!("\n{} files: {}; total {:.3} s", rows.len(), summary.join(", "), wall);
}

/// Runs `minimalloc merge`.
pub fn merge(args: &MergeArgs) -> anyhow::Result<i32> {
    let json = args.out.with_extension("json");
    let outputs = [("--out", args.out.as_path()), ("--out's JSON", json.as_path())];
    let inputs: Vec<(&str, &Path)> = args.reports.iter().map(|r| ("report", r.as_path())).collect();
    if let Some(clash) = first_clash(&outputs, &inputs) {
        bail!("{clash}");
    }
    let mut by_file: BTreeMap<String, Row> = BTreeMap::new();
    for path in &args.reports {
        for row in read_report(path)? {
            if let Some(prev) = by_file.insert(row.file.clone(), row) {
                eprintln!("warning: {} appears in more than one report; keeping the last", prev.file);
            }
        }
    }
    let rows: Vec<Row> = by_file.into_values().collect();
    write_report(&args.out, &rows)?;
    eprintln!("merged {} reports: {} files into {}", args.reports.len(), rows.len(), args.out.display());
    Ok(0)
}

/// Runs `minimalloc compare`: a markdown table, one row per file, one
/// column per report (status, height and time), totals last, then the
/// builds that wrote each report; with `--svg`, the plots too.
pub fn compare(args: &CompareArgs) -> anyhow::Result<i32> {
    if let Some(svg) = &args.svg {
        let inputs: Vec<(&str, &Path)> = args.reports.iter().map(|r| ("report", r.as_path())).collect();
        if let Some(clash) = first_clash(&[("--svg", svg.as_path())], &inputs) {
            bail!("{clash}");
        }
    }
    let mut reports = Vec::new();
    let mut read = Vec::new();
    for path in &args.reports {
        let name = report_name(path);
        let list = read_report(path)?;
        let rows: BTreeMap<String, Row> = list.iter().map(|r| (file_name(&r.file), r.clone())).collect();
        reports.push((name.clone(), rows));
        read.push((name, list));
    }
    let files: std::collections::BTreeSet<String> = reports.iter().flat_map(|(_, r)| r.keys().cloned()).collect();
    print!("| file |");
    for (name, _) in &reports {
        print!(" {name} |");
    }
    println!();
    print!("|---|");
    for _ in &reports {
        print!("---|");
    }
    println!();
    for f in &files {
        print!("| {f} |");
        for (_, rows) in &reports {
            match rows.get(f) {
                Some(r) => {
                    print!(" {} {} {:.3}s |", r.status, r.height.map(|h| h.to_string()).unwrap_or_default(), r.wall_s)
                }
                None => print!(" - |"),
            }
        }
        println!();
    }
    print!("| **total** |");
    for (_, rows) in &reports {
        let ok = rows.values().filter(|r| matches!(r.status.as_str(), "solved" | "optimal" | "feasible")).count();
        let wall: f64 = rows.values().map(|r| r.wall_s).sum();
        print!(" {ok}/{} ok, {wall:.3}s |", rows.len());
    }
    println!();
    let mut caption = Vec::new();
    for (name, rows) in &read {
        caption.push(format!("{name}: solved by minimalloc {}", builds_of(rows).join(", ")));
    }
    println!();
    for line in &caption {
        println!("{line}");
    }
    if let Some(path) = &args.svg {
        caption.push(format!("Drawn by minimalloc {}.", minimalloc::LONG_VERSION));
        let series: Vec<plot::Series> = read.iter().map(|(name, rows)| series_of(name.clone(), rows)).collect();
        let minimization = read.iter().any(|(_, rows)| minimizing(rows));
        let svg = plot::figures(&series, minimization, &caption);
        write_file_atomic(path, |f| f.write_all(svg.as_bytes()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_and_capacities() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        assert!(parse_shard("0/4").is_err());
        assert!(parse_shard("5/4").is_err());
        assert!(parse_shard("x").is_err());
        assert_eq!(capacity_of(Path::new("dir/A.1048576.csv"), None), Some(1_048_576));
        assert_eq!(capacity_of(Path::new("dir/A.csv"), None), None);
        assert_eq!(capacity_of(Path::new("dir/A.1048576.csv"), Some(7)), Some(7));
    }

    #[test]
    fn exit_code_precedence() {
        let row = |status: &str| Row::new(format!("{status}.csv"), status);
        let code = |statuses: &[&str], interrupted| {
            exit_code(&statuses.iter().map(|s| row(s)).collect::<Vec<_>>(), interrupted)
        };
        assert_eq!(code(&["solved", "optimal", "feasible"], false), 0);
        assert_eq!(code(&["solved", "infeasible"], false), 1);
        assert_eq!(code(&["infeasible", "timeout"], false), 3);
        assert_eq!(code(&["infeasible", "unknown"], false), 3);
        assert_eq!(code(&["solved"], true), 3);
        assert_eq!(code(&["timeout", "internal", "infeasible"], true), 4);
        assert_eq!(code(&["internal", "error", "timeout"], false), 2);
        assert_eq!(code(&["error"], false), 2);
        assert_eq!(code(&[], false), 0);
    }
}
