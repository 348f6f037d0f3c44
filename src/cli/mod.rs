//! The `minimalloc` command: reads a problem, solves or minimizes it, and
//! writes the result, mapping every outcome to an exit code.

pub mod args;

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, Context};
use clap::Parser;

use args::{normalize, Args};
use minimalloc::error::SolveError;
use minimalloc::io::{read_csv_file, write_csv, write_csv_file, write_file_atomic};
use minimalloc::params::{parse_duration, parse_heuristics, SolverParams, SWITCHES};
use minimalloc::{minimize, render, validate, LowerBounds, MinimizeStatus, Problem, Solution, Solver};

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

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let args = match Args::try_parse_from(normalize(std::env::args_os())) {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::SOLVED };
            let _ = e.print();
            return code;
        }
    };
    match solve_command(&args) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            f.code
        }
    }
}

/// Builds the solver parameters from the flags.
fn params_from(args: &Args) -> Result<SolverParams, Failure> {
    let timeout = parse_duration(&args.timeout).map_err(|e| usage(anyhow!("--timeout: {e}")))?;
    let mut params = SolverParams { timeout, ..SolverParams::default() };
    if let Some(h) = &args.preordering_heuristics {
        params.preordering_heuristics =
            parse_heuristics(h).map_err(|e| usage(anyhow!("--preordering_heuristics: {e}")))?;
    }
    let flags = [
        args.canonical_only,
        args.section_inference,
        args.dynamic_ordering,
        args.check_dominance,
        args.unallocated_floor,
        args.static_preordering,
        args.dynamic_decomposition,
        args.monotonic_floor,
        args.hatless_pruning,
    ];
    for (name, value) in SWITCHES.iter().zip(flags) {
        if let Some(v) = value {
            params.set_switch(name, v);
        }
    }
    if let Some(t) = args.threads {
        if t < 1 {
            return Err(usage(anyhow!("--threads must be at least 1, got {t}")));
        }
    }
    Ok(params)
}

struct Log {
    quiet: bool,
    start: Instant,
}

impl Log {
    fn event(&self, what: std::fmt::Arguments<'_>) {
        if !self.quiet {
            eprintln!("[{:8.3}s] {what}", self.start.elapsed().as_secs_f64());
        }
    }
}

fn solve_command(args: &Args) -> Result<i32, Failure> {
    let log = Log { quiet: args.quiet, start: Instant::now() };
    let params = params_from(args)?;
    if let Some(c) = args.capacity {
        if c < 0 {
            return Err(usage(anyhow!("--capacity must not be negative, got {c}")));
        }
    } else if !args.minimize_capacity {
        return Err(usage(anyhow!("--capacity is required (or use --minimize_capacity)")));
    }
    let parsed = read_csv_file(&args.input).map_err(usage)?;
    for w in &parsed.warnings {
        if !args.quiet {
            eprintln!("warning: {w}");
        }
    }
    let mut problem = parsed.problem;
    problem.capacity = args.capacity.unwrap_or(0);
    let bounds = LowerBounds::of(&problem);
    log.event(format_args!(
        "read {}: {} buffers, capacity {}, lower bound {}",
        args.input.display(),
        problem.buffers.len(),
        problem.capacity,
        bounds.best()
    ));

    if args.minimize_capacity {
        return minimize_command(args, &problem, &params, &log);
    }

    let solver = Solver::new(params);
    let result = solver.solve(&problem);
    let stats = solver.stats();
    match result {
        Ok(solution) => {
            log.event(format_args!(
                "solved: height {} ({} nodes, {} backtracks)",
                solution.height, stats.nodes, stats.backtracks
            ));
            emit(args, &problem, &solution, &log)?;
            Ok(exit::SOLVED)
        }
        Err(SolveError::Infeasible { capacity, reason }) => {
            eprintln!(
                "infeasible: no packing of {} fits in capacity {capacity}{}",
                args.input.display(),
                reason.map(|r| format!(" ({r})")).unwrap_or_default()
            );
            if args.iis {
                print_iis(&solver, &problem)?;
            }
            Ok(exit::INFEASIBLE)
        }
        Err(SolveError::Timeout) | Err(SolveError::Cancelled) => {
            eprintln!("time limit reached with no solution for {} ({} nodes)", args.input.display(), stats.nodes);
            Ok(exit::TIMEOUT)
        }
        Err(e @ (SolveError::Invalid(_) | SolveError::Params(_))) => Err(usage(e)),
    }
}

fn print_iis(solver: &Solver, problem: &Problem) -> Result<(), Failure> {
    match solver.irreducible_infeasible_subset(problem) {
        Ok(subset) => {
            let ids: Vec<&str> = subset.iter().map(|&i| problem.buffers[i].id.as_str()).collect();
            eprintln!("irreducible infeasible subset ({} buffers): {}", ids.len(), ids.join(" "));
            Ok(())
        }
        Err(e) => {
            eprintln!("irreducible infeasible subset not found: {e}");
            Ok(())
        }
    }
}

fn minimize_command(args: &Args, problem: &Problem, params: &SolverParams, log: &Log) -> Result<i32, Failure> {
    let m = minimize(problem, params, None).map_err(usage)?;
    for (c, outcome) in &m.probes {
        log.event(format_args!("probe capacity {c}: {outcome:?}"));
    }
    match &m.solution {
        Some(solution) => {
            log.event(format_args!("{}: height {} (lower bound {})", m.status, solution.height, m.lower_bound));
            let mut at = problem.clone();
            at.capacity = solution.height;
            emit(args, &at, solution, log)?;
            Ok(exit::SOLVED)
        }
        None if m.status == MinimizeStatus::Infeasible => {
            eprintln!("infeasible: no packing of {} fits in capacity {}", args.input.display(), problem.capacity);
            Ok(exit::INFEASIBLE)
        }
        None => {
            eprintln!(
                "time limit reached with no solution for {} (lower bound {})",
                args.input.display(),
                m.lower_bound
            );
            Ok(exit::TIMEOUT)
        }
    }
}

/// Validates (when asked), prints and writes a solution.
fn emit(args: &Args, problem: &Problem, solution: &Solution, log: &Log) -> Result<(), Failure> {
    if args.validate {
        validate(problem, solution).map_err(|e| internal(anyhow!("validation FAILED: {e}")))?;
        log.event(format_args!("validation PASS, height {}", solution.height));
    }
    if args.print_solution {
        let mut out = std::io::stdout().lock();
        out.write_all(render::latex(problem, solution).as_bytes()).map_err(internal)?;
    }
    match &args.output {
        Some(path) => {
            write_csv_file(path, problem, Some(solution)).map_err(internal)?;
            log.event(format_args!("wrote {}", path.display()));
        }
        None => {
            write_csv(std::io::stdout().lock(), problem, Some(solution)).map_err(internal)?;
        }
    }
    if let Some(path) = &args.svg {
        write_svg(path, problem, solution)?;
    }
    Ok(())
}

fn write_svg(path: &Path, problem: &Problem, solution: &Solution) -> Result<(), Failure> {
    let _ = (problem, solution);
    write_file_atomic(path, |_| Ok(())).context("writing the SVG").map_err(internal)
}
