//! The `minimalloc` command: reads a problem, solves or minimizes it, and
//! writes the result, mapping every outcome to an exit code; over several
//! memories (`--spill`, `--memory`) it plans them (`plan`).

pub(crate) mod args;
pub(crate) mod batch;
pub(crate) mod generate;
pub(crate) mod plan;

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::anyhow;
use clap::Parser;
use serde_json::json;

use args::{normalize, Args};
use minimalloc::config::Config;
use minimalloc::error::SolveError;
use minimalloc::io::paths::standard_output;
use minimalloc::io::{
    first_clash, read_csv_file_with, write_csv, write_csv_file, write_file_atomic, MemoryColumns, ReadOptions,
};
use minimalloc::minimize::{minimize_until, MinimizeEvent};
use minimalloc::params::{check_threads, parse_duration, parse_heuristics};
use minimalloc::report::{Event, EventKind, Outcome, SolveResult, Stats, WorkerStats};
use minimalloc::solver::solve_with;
use minimalloc::{
    render, validate, InfeasibleSubset, LowerBounds, MinimizeStatus, Problem, Solution, Solver, StopToken,
};

/// Exit codes, as documented in `--help`.
pub mod exit {
    /// A solution was written.
    pub const SOLVED: i32 = 0;
    /// The capacity is proven infeasible.
    pub const INFEASIBLE: i32 = 1;
    /// Bad flags or bad input.
    pub const USAGE: i32 = 2;
    /// The time limit (or an interrupt) came before any solution.
    pub const TIMEOUT: i32 = 3;
    /// A solution failed validation, or output could not be written.
    pub const INTERNAL: i32 = 4;
}

/// An error with the exit code it maps to.
pub struct Failure {
    code: i32,
    error: anyhow::Error,
}

fn usage(error: impl Into<anyhow::Error>) -> Failure {
    Failure { code: exit::USAGE, error: error.into() }
}

fn internal(error: impl Into<anyhow::Error>) -> Failure {
    Failure { code: exit::INTERNAL, error: error.into() }
}

/// The subcommands beside the reference-style solve.
#[derive(Parser, Debug)]
#[command(name = "minimalloc", version = minimalloc::LONG_VERSION, propagate_version = true)]
struct Tools {
    #[command(subcommand)]
    tool: Tool,
}

#[derive(clap::Subcommand, Debug)]
enum Tool {
    /// Solve (or minimize) many files in parallel and write one report.
    #[command(after_help = batch::EXIT_CODES)]
    Batch(Box<batch::BatchArgs>),
    /// Join the reports of shards into one.
    Merge(batch::MergeArgs),
    /// Print reports side by side as a markdown table; --svg draws them
    /// (cactus and scatter plots, heights over bounds).
    Compare(batch::CompareArgs),
    /// Write benchmark instances (concatenated, random, perfect packings with
    /// or without holes, side-by-side stacks, shuffled or mirrored copies).
    #[command(subcommand)]
    Generate(generate::Generate),
}

const TOOLS: &[&str] = &["batch", "merge", "compare", "generate"];

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    run_args(std::env::args_os().collect(), true)
}

/// Runs the command line `argv` (program name first) and returns the exit code.
pub fn run_with(argv: Vec<std::ffi::OsString>) -> i32 {
    run_args(argv, false)
}

/// [`run_with`]; `process_ends` when the process exits right after (the
/// binary, not `python -m minimalloc`'s call from Python).
fn run_args(argv: Vec<std::ffi::OsString>, process_ends: bool) -> i32 {
    if argv.get(1).and_then(|a| a.to_str()).is_some_and(|a| TOOLS.contains(&a)) {
        return run_tool(argv);
    }
    let args = match Args::try_parse_from(normalize(argv)) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::SOLVED };
            let _ = e.print();
            return code;
        }
    };
    match solve_command(&args, process_ends) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            f.code
        }
    }
}

fn run_tool(argv: Vec<std::ffi::OsString>) -> i32 {
    let tools = match Tools::try_parse_from(argv) {
        Ok(t) => t,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::SOLVED };
            let _ = e.print();
            return code;
        }
    };
    let result = match &tools.tool {
        Tool::Batch(a) => batch::run(a),
        Tool::Merge(a) => batch::merge(a),
        Tool::Compare(a) => batch::compare(a),
        Tool::Generate(g) => generate::run(g).map(|()| exit::SOLVED),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        exit::USAGE
    })
}

/// The preset with the flags applied on top.
fn config_from(args: &Args) -> Result<Config, Failure> {
    let mut config = match &args.config {
        Some(path) => Config::load(path).map_err(usage)?,
        None => Config::default(),
    };
    let params = &mut config.portfolio.params;
    if let Some(t) = &args.timeout {
        params.timeout = parse_duration(t).map_err(|e| usage(anyhow!("--timeout {e}")))?;
    }
    if let Some(h) = &args.preordering_heuristics {
        params.preordering_heuristics =
            parse_heuristics(h).map_err(|e| usage(anyhow!("--preordering_heuristics: {e}")))?;
    }
    if let Some(t) = args.threads {
        params.threads = check_threads(i128::from(t)).map_err(|e| usage(anyhow!("--threads {e}")))?;
    }
    if let Some(s) = args.seed {
        params.seed = s;
    }
    if let Some(d) = args.deterministic {
        params.deterministic = d;
    }
    for (switch, on) in args.switches.given() {
        config.set_switch(switch, on);
    }
    for assignment in &args.tunable {
        let Some((key, value)) = assignment.split_once('=') else {
            return Err(usage(anyhow!("--tunable takes KEY=VALUE, got '{}'", assignment.escape_debug())));
        };
        config.set_tunable(key.trim(), value).map_err(|e| usage(anyhow!("--tunable {e}")))?;
    }
    Ok(config)
}

/// Progress lines on stderr, one per event.
struct Log {
    quiet: bool,
    verbose: u8,
    start: Instant,
}

impl Log {
    fn line(&self, what: std::fmt::Arguments<'_>) {
        if !self.quiet {
            eprintln!("[{:8.3}s] {what}", self.start.elapsed().as_secs_f64());
        }
    }

    fn event(&self, e: &Event, partitions: usize) {
        if self.quiet {
            return;
        }
        let by = e.worker.as_deref().map(|w| format!(" by {w}")).unwrap_or_default();
        let at = self.start.elapsed().as_secs_f64();
        match &e.kind {
            EventKind::Started { buffers, partitions, workers } => eprintln!(
                "[{at:8.3}s] portfolio: {buffers} buffers in {partitions} partitions; workers {}",
                workers.join(", ")
            ),
            EventKind::PartitionSolved { partition, buffers, remaining } => {
                if self.verbose > 0 || partitions <= 20 || *remaining == 0 {
                    eprintln!("[{at:8.3}s] partition {partition} ({buffers} buffers) placed{by}; {remaining} left");
                }
            }
            EventKind::Solved { height } => eprintln!("[{at:8.3}s] solution: height {height}{by}"),
            EventKind::Infeasible => eprintln!("[{at:8.3}s] infeasible: search exhausted{by}"),
            EventKind::TimedOut => eprintln!("[{at:8.3}s] time limit reached"),
            EventKind::Cancelled => eprintln!("[{at:8.3}s] interrupted"),
        }
    }
}

/// Raises `flag` on Ctrl-C; a second Ctrl-C exits at once.
pub(crate) fn install_interrupt(flag: Arc<AtomicBool>) {
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// The time kept for writing a solution of `buffers` buffers before the
/// deadline: writing the CSV and freeing the run's memory on the way out,
/// both linear in the buffers (`benchmarks/time-limit-after-read.py`
/// measures how far past the limit runs end). `[default: 0.4 µs a
/// buffer]`.
pub(crate) fn write_reserve(buffers: usize) -> std::time::Duration {
    std::time::Duration::from_nanos((buffers as u64).saturating_mul(400))
}

/// Solves at the problem's capacity with the configured mode, until `stop`.
fn solve(config: &Config, problem: &Problem, stop: &StopToken, log: &Log) -> (SolveResult, Stats) {
    let partitions = std::sync::atomic::AtomicUsize::new(0);
    let report = solve_with(problem, &config.options(), stop, &|e: Event| {
        if let EventKind::Started { partitions: p, .. } = &e.kind {
            partitions.store(*p, Ordering::Relaxed);
        }
        log.event(&e, partitions.load(Ordering::Relaxed));
    });
    (report.outcome, report.stats)
}

/// The reference-style command: solves (or minimizes) one file.
fn solve_command(args: &Args, process_ends: bool) -> Result<i32, Failure> {
    let log = Log { quiet: args.quiet, verbose: args.verbose, start: Instant::now() };
    let config = config_from(args)?;
    check_capacity(args)?;
    refuse_clashing_paths(args)?;
    if plan::wanted(args) {
        plan::refuse_unsupported(args)?;
    }
    let (problem, columns, read_at) = read_problem(args)?;
    let mut problem = Held { problem: Some(problem), leak: process_ends };
    let problem = problem.get();
    let cancel = Arc::new(AtomicBool::new(false));
    install_interrupt(Arc::clone(&cancel));
    let deadline = config.portfolio.params.timeout.and_then(|t| read_at.checked_add(t));
    // The limit bounds the whole run, writing the result included: that
    // takes about 0.25 µs a buffer, so the solve stops that much earlier.
    let stop = StopToken::from_flag(cancel).child_until(deadline).child_reserving(write_reserve(problem.buffers.len()));
    // Asks the token too: on a million buffers the bounds take a tenth of
    // a second, and the time limit counts from the read.
    let lower = LowerBounds::until(problem, &stop).map(|b| b.best());
    log.line(format_args!(
        "read {} in {:.3}s: {} buffers, capacity {}, lower bound {}",
        args.input.display(),
        read_at.duration_since(log.start).as_secs_f64(),
        problem.buffers.len(),
        problem.capacity,
        lower.map_or_else(|| "not computed (stopped)".into(), |l| l.to_string())
    ));

    if plan::wanted(args) {
        return plan::command(args, &config.options(), problem, columns.as_ref(), &stop, &log);
    }
    if args.minimize_capacity {
        return minimize_command(args, &config, problem, (lower, read_at), &stop, &log);
    }

    let (result, mut stats) = solve(&config, problem, &stop, &log);
    // The run's time from the read: the bounds and every phase of the solve.
    stats.wall = read_at.elapsed();
    let code = conclude(args, &config, problem, &result, &stats, lower, &log)?;
    if let Some(path) = &args.stats_json {
        let height = result.as_ref().ok().and_then(Outcome::solution).map(|s| s.height);
        let ending = Ending { status: status_of(&result), height, lower_bound: lower };
        write_stats(path, args, &config, problem, &ending, &stats)?;
    }
    Ok(code)
}

/// The problem a command solves. When the process ends right after the
/// command, it is left for the kernel to take back with the rest of the
/// memory, at once, instead of freed buffer by buffer, which on millions of
/// buffers is a share of a short time limit.
struct Held {
    problem: Option<Problem>,
    leak: bool,
}

impl Held {
    fn get(&mut self) -> &mut Problem {
        self.problem.get_or_insert_with(Problem::default)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.leak {
            std::mem::forget(self.problem.take());
        }
    }
}

/// Refuses a negative capacity, and a missing one unless minimizing.
fn check_capacity(args: &Args) -> Result<(), Failure> {
    if let Some(c) = args.capacity {
        if c < 0 {
            return Err(usage(anyhow!("--capacity must not be negative, got {c}")));
        }
    } else if !args.minimize_capacity && args.memory.is_empty() {
        return Err(usage(anyhow!("--capacity is required (or use --minimize_capacity or --memory)")));
    }
    Ok(())
}

/// Reads the input at the given capacity (telling its warnings unless
/// quiet), and when it was read: the time limit counts from there.
fn read_problem(args: &Args) -> Result<(Problem, Option<MemoryColumns>, Instant), Failure> {
    let options = ReadOptions { memory_columns: plan::wanted(args), ..ReadOptions::default() };
    let parsed = read_csv_file_with(&args.input, options).map_err(usage)?;
    // The time limit counts from here: reading is not part of it.
    let read_at = Instant::now();
    for w in &parsed.warnings {
        if !args.quiet {
            eprintln!("warning: {w}");
        }
    }
    let mut problem = parsed.problem;
    problem.capacity = args.capacity.unwrap_or(0);
    problem.check_total().map_err(|e| usage(anyhow!("{}: {e}", args.input.display())))?;
    Ok((problem, parsed.memory_columns, read_at))
}

/// Writes a solution or tells why there is none; the exit code.
fn conclude(
    args: &Args,
    config: &Config,
    problem: &Problem,
    result: &SolveResult,
    stats: &Stats,
    lower: Option<i128>,
    log: &Log,
) -> Result<i32, Failure> {
    Ok(match result {
        Ok(Outcome::Solved(solution)) => {
            log.line(format_args!(
                "solved: height {} ({} nodes, {} backtracks, {:.3}s)",
                solution.height,
                stats.nodes(),
                stats.backtracks(),
                stats.wall.as_secs_f64()
            ));
            emit(args, problem, solution, lower.and_then(|l| i64::try_from(l).ok()), log)?;
            exit::SOLVED
        }
        Ok(Outcome::Infeasible { capacity, reason }) => {
            eprintln!(
                "infeasible: no packing of {} fits in capacity {capacity}{}",
                args.input.display(),
                reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
            );
            if args.iis {
                print_iis(config, problem);
            }
            exit::INFEASIBLE
        }
        Ok(Outcome::TimeLimit) => {
            eprintln!("time limit reached with no solution for {} ({} nodes)", args.input.display(), stats.nodes());
            exit::TIMEOUT
        }
        Ok(Outcome::Cancelled) => {
            eprintln!("interrupted with no solution for {}", args.input.display());
            exit::TIMEOUT
        }
        Ok(unknown @ Outcome::Unknown(_)) => {
            eprintln!("{unknown} for {}", args.input.display());
            exit::TIMEOUT
        }
        Err(e @ SolveError::Internal(_)) => return Err(internal(anyhow!("{e}"))),
        Err(e @ (SolveError::Invalid(_) | SolveError::Params(_))) => return Err(usage(anyhow!("{e}"))),
    })
}

/// The status a solve's result is written with in the statistics file: the
/// outcome's, and for an error `cancelled` (no answer; the exit code and
/// message say why).
fn status_of(result: &SolveResult) -> &'static str {
    match result {
        Ok(outcome) => outcome.status(),
        Err(_) => "cancelled",
    }
}

/// Refuses outputs that would land in one file (by any spelling of its
/// path, or a hard or symbolic link to it, written yet or not), or on an
/// input: the input would be replaced by a solution or a picture, and of
/// two outputs only the last would be left, while the exit code said both
/// were written. Standard output counts as an output when it is a file and
/// the solution (no `--output`) or the LaTeX picture goes there.
fn refuse_clashing_paths(args: &Args) -> Result<(), Failure> {
    let mut outputs: Vec<(&str, &Path)> = Vec::new();
    for (flag, path) in [("--output", &args.output), ("--svg", &args.svg), ("--stats-json", &args.stats_json)] {
        if let Some(path) = path {
            outputs.push((flag, path));
        }
    }
    if args.output.is_none() || args.print_solution {
        outputs.extend(standard_output().map(|p| ("standard output", p)));
    }
    let mut inputs: Vec<(&str, &Path)> = vec![("input file", &args.input)];
    inputs.extend(args.config.as_deref().map(|c| ("preset", c)));
    match first_clash(&outputs, &inputs) {
        Some(clash) => Err(usage(anyhow!(clash))),
        None => Ok(()),
    }
}

fn print_iis(config: &Config, problem: &Problem) {
    let mut params = config.portfolio.params.clone();
    params.threads = 1;
    match Solver::new(params).irreducible_infeasible_subset(problem) {
        Ok(InfeasibleSubset::Subset(subset)) => {
            let ids: Vec<&str> = subset.iter().map(|&i| problem.buffers[i].id.as_str()).collect();
            eprintln!("irreducible infeasible subset ({} buffers): {}", ids.len(), ids.join(" "));
        }
        Ok(InfeasibleSubset::Feasible) => {
            eprintln!("irreducible infeasible subset not found: the problem is feasible")
        }
        Ok(InfeasibleSubset::Undecided(outcome)) => eprintln!("irreducible infeasible subset not found: {outcome}"),
        Err(e) => eprintln!("irreducible infeasible subset not found: {e}"),
    }
}

/// Minimizes the capacity; `lower` is the bound the command computed (the
/// minimization may stop before it computes its own), `start` when the
/// input was read.
fn minimize_command(
    args: &Args,
    config: &Config,
    problem: &mut Problem,
    (lower, start): (Option<i128>, Instant),
    stop: &StopToken,
    log: &Log,
) -> Result<i32, Failure> {
    let opts = config.options();
    let events = |e: MinimizeEvent| match e {
        MinimizeEvent::Bounds { lower } => log.line(format_args!("minimize: lower bound {lower}")),
        MinimizeEvent::Incumbent { height, by } => log.line(format_args!("incumbent: height {height} ({by})")),
        MinimizeEvent::Lower { lower } => log.line(format_args!("lower bound raised to {lower}")),
        MinimizeEvent::Probe { capacity, outcome } => {
            if log.verbose > 0 {
                log.line(format_args!("probe at {capacity}: {outcome:?}"));
            }
        }
    };
    let mut m = minimize_until(problem, &opts, stop, &events).map_err(|e| match e {
        SolveError::Internal(_) => internal(anyhow!("{e}")),
        e => usage(anyhow!("{e}")),
    })?;
    if let Some(lower) = lower.and_then(|l| i64::try_from(l).ok()) {
        let top = m.solution.as_ref().map_or(i64::MAX, |s| s.height);
        m.lower_bound = m.lower_bound.max(lower.min(top));
    }
    // Every probe's work, as one worker's (probes race on split threads).
    let work = WorkerStats {
        name: "minimize".into(),
        attempts: m.probes.len() as u64,
        nodes: m.nodes,
        backtracks: m.backtracks,
        wins: u64::from(m.solution.is_some()),
    };
    let stats = Stats {
        wall: start.elapsed(),
        threads: opts.params.thread_count(),
        workers: vec![work],
        driver: Some(minimalloc::Driver::Minimize),
        ..Stats::default()
    };
    let code = match &m.solution {
        Some(solution) => {
            log.line(format_args!(
                "{}: height {} (lower bound {}, {} probes, {:.3}s)",
                m.status,
                solution.height,
                m.lower_bound,
                m.probes.len(),
                stats.wall.as_secs_f64()
            ));
            // Written at the capacity it needs (no copy: a million buffers
            // take a tenth of a second to clone).
            let given = std::mem::replace(&mut problem.capacity, solution.height);
            emit(args, problem, solution, Some(m.lower_bound), log)?;
            problem.capacity = given;
            exit::SOLVED
        }
        None if m.status == MinimizeStatus::Infeasible => {
            let why = m.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
            if problem.capacity > 0 {
                eprintln!(
                    "infeasible: no packing of {} fits in capacity {}{why}",
                    args.input.display(),
                    problem.capacity
                );
            } else {
                eprintln!("infeasible: no capacity fits {}{why}", args.input.display());
            }
            exit::INFEASIBLE
        }
        None => {
            let bound = match m.lower_bound {
                0 if lower.is_none() => "no lower bound computed in time".to_string(),
                l => format!("lower bound {l}"),
            };
            let within = match m.above_capacity {
                Some(h) => {
                    format!(" within capacity {} ({bound}; the lowest packing found needs {h})", problem.capacity)
                }
                None => format!(" ({bound})"),
            };
            eprintln!("time limit reached with no solution for {}{within}", args.input.display());
            exit::TIMEOUT
        }
    };
    if let Some(path) = &args.stats_json {
        let height = m.solution.as_ref().map(|s| s.height);
        let status = m.status.to_string();
        let ending = Ending { status: &status, height, lower_bound: Some(i128::from(m.lower_bound)) };
        write_stats(path, args, config, problem, &ending, &stats)?;
    }
    Ok(code)
}

/// How a run ended, for the statistics file.
struct Ending<'a> {
    status: &'a str,
    height: Option<i64>,
    /// `None` when the run stopped before the bounds were computed.
    lower_bound: Option<i128>,
}

/// Writes the statistics file (atomically).
fn write_stats(
    path: &Path,
    args: &Args,
    config: &Config,
    problem: &Problem,
    ending: &Ending<'_>,
    stats: &Stats,
) -> Result<(), Failure> {
    let workers: Vec<_> = stats
        .workers
        .iter()
        .map(|w| json!({"name": w.name, "attempts": w.attempts, "nodes": w.nodes, "backtracks": w.backtracks, "wins": w.wins}))
        .collect();
    let doc = json!({
        "version": minimalloc::VERSION,
        "commit": minimalloc::COMMIT,
        "input": args.input.display().to_string(),
        "buffers": problem.buffers.len(),
        "capacity": problem.capacity,
        "status": ending.status,
        "height": ending.height,
        "lower_bound": ending.lower_bound.and_then(|l| i64::try_from(l).ok()),
        "switches": config.portfolio.params.switches.iter().map(|(s, on)| (s.name().to_string(), serde_json::Value::Bool(on))).collect::<serde_json::Map<_, _>>(),
        "wall_s": stats.wall.as_secs_f64(),
        "threads": stats.threads,
        "partitions": stats.partitions,
        "nodes": stats.nodes(),
        "backtracks": stats.backtracks(),
        "nogoods": {"proved": stats.nogoods_proved, "hits": stats.nogood_hits},
        "learned": {"facts": stats.facts_learned, "hits": stats.learned_hits, "shared": stats.facts_shared, "shared_hits": stats.shared_hits},
        "decided_by": stats.decided_by,
        "driver": stats.driver.map(|d| d.name()),
        "workers": workers,
    });
    write_json(path, &doc)
}

/// Writes `doc` as pretty JSON with a final newline, atomically.
fn write_json(path: &Path, doc: &serde_json::Value) -> Result<(), Failure> {
    write_file_atomic(path, |f| {
        serde_json::to_writer_pretty(&mut *f, doc).map_err(std::io::Error::other)?;
        f.write_all(b"\n")
    })
    .map_err(internal)
}

/// Validates (when asked), prints and writes a solution.
/// `lower_bound`, when known, is marked in the SVG picture.
fn emit(
    args: &Args,
    problem: &Problem,
    solution: &Solution,
    lower_bound: Option<i64>,
    log: &Log,
) -> Result<(), Failure> {
    if args.validate {
        validate(problem, solution).map_err(|e| internal(anyhow!("validation FAILED: {e}")))?;
        log.line(format_args!("validation PASS, height {}", solution.height));
    }
    if args.print_solution {
        let mut out = std::io::stdout().lock();
        out.write_all(render::latex(problem, solution).as_bytes()).map_err(internal)?;
    }
    match &args.output {
        Some(path) => {
            write_csv_file(path, problem, Some(solution)).map_err(internal)?;
            log.line(format_args!("wrote {}", path.display()));
        }
        None => {
            write_csv(std::io::stdout().lock(), problem, Some(solution)).map_err(internal)?;
        }
    }
    if let Some(path) = &args.svg {
        write_file_atomic(path, |f| f.write_all(render::svg(problem, solution, lower_bound).as_bytes()))
            .map_err(internal)?;
        log.line(format_args!("wrote {}", path.display()));
    }
    Ok(())
}
