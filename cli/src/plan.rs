//! The command over several memories (`--spill`, `--memory NAME=CAPACITY`):
//! the memories from the flags, each buffer's choices and cost from the
//! input's `memories` and `cost` columns, the engine's plan, and the
//! output with a `memory` column.

use std::io::Write;
use std::path::Path;

use anyhow::anyhow;
use serde_json::json;

use minimalloc::io::{write_file_atomic, write_plan_csv, MemoryColumns};
use minimalloc::render::svg::{svg_memories, Panel};
use minimalloc::spill::{plan, validate_plan};
use minimalloc::{Memory, MemoryProblem, Plan, PlanOutcome, Problem, SolveOptions, StopToken};

use crate::args::Args;
use crate::{exit, internal, usage, write_json, Failure, Log};

/// Whether the command line asks for a plan over several memories.
pub(crate) fn wanted(args: &Args) -> bool {
    args.spill || !args.memory.is_empty()
}

/// The flags a plan cannot honour yet, refused before any work.
pub(crate) fn refuse_unsupported(args: &Args) -> Result<(), Failure> {
    let unsupported = [
        (args.spill && !args.memory.is_empty(), "--spill with --memory (--spill is one memory of --capacity and an unbounded one: declare both with --memory instead)"),
        (args.minimize_capacity, "--minimize_capacity with several memories (the plan already minimizes each memory's height after the cost)"),
        (args.print_solution, "--print_solution for a plan over several memories"),
        (args.iis, "--iis for a plan over several memories"),
    ];
    match unsupported.iter().find(|(on, _)| *on) {
        Some((_, what)) => Err(usage(anyhow!("not supported: {what}"))),
        None => Ok(()),
    }
}

/// The memories flags declare: `--spill` gives `fast` at `capacity` and
/// an unbounded `spill`; `--memory NAME=CAPACITY[@ALIGNMENT]` (CAPACITY
/// in bytes or `inf`) one each, in order. The command line and batch share
/// it.
pub(crate) fn declared(spill: bool, capacity: Option<i64>, specs: &[String]) -> anyhow::Result<Vec<Memory>> {
    if spill {
        let capacity = capacity.ok_or_else(|| anyhow!("--spill needs --capacity"))?;
        return Ok(vec![Memory::new("fast", Some(capacity)), Memory::new("spill", None)]);
    }
    specs
        .iter()
        .map(|spec| {
            let bad = || {
                anyhow!(
                    "--memory {spec}: expected NAME=CAPACITY or NAME=CAPACITY@ALIGNMENT (bytes, or inf for unbounded)"
                )
            };
            let (name, rest) = spec.split_once('=').ok_or_else(bad)?;
            let name = name.trim();
            if name.is_empty() || name.contains('|') || name.contains(',') {
                return Err(bad());
            }
            let (capacity, alignment) = rest.split_once('@').unwrap_or((rest, "1"));
            let capacity = match capacity.trim() {
                "inf" | "unbounded" => None,
                c => Some(c.parse::<i64>().ok().filter(|&c| c >= 0).ok_or_else(bad)?),
            };
            let alignment = alignment.trim().parse::<i64>().ok().filter(|&a| a >= 1).ok_or_else(bad)?;
            Ok(Memory { alignment, ..Memory::new(name, capacity) })
        })
        .collect()
}

/// The problem of `input` over `memories`, each buffer's choices and cost
/// from `columns` (names checked against the memories, with the file's
/// line and column when one is unknown).
pub(crate) fn over_memories(
    memories: Vec<Memory>,
    input: &Path,
    problem: &Problem,
    columns: Option<&MemoryColumns>,
) -> anyhow::Result<MemoryProblem> {
    let n = problem.buffers.len();
    let mut mp = MemoryProblem {
        buffers: problem.buffers.clone(),
        choices: vec![Vec::new(); n],
        costs: problem.buffers.iter().map(|b| b.size).collect(),
        memories,
        aliases: Vec::new(),
    };
    let Some(columns) = columns else { return Ok(mp) };
    if columns.aliases.iter().any(Option::is_some) {
        mp.aliases = columns.aliases.clone();
    }
    for b in 0..n {
        for name in &columns.memories[b] {
            let Some(m) = mp.memories.iter().position(|m| &m.name == name) else {
                let known: Vec<&str> = mp.memories.iter().map(|m| m.name.as_str()).collect();
                let at = columns.column.as_ref().map(|(i, h)| format!(": column {i} '{h}'")).unwrap_or_default();
                return Err(anyhow!(
                    "{}:{}{at}: unknown memory '{name}' (memories: {})",
                    input.display(),
                    columns.lines[b],
                    known.join(", ")
                ));
            };
            mp.choices[b].push(m);
        }
        if let Some(cost) = columns.costs[b] {
            mp.costs[b] = cost;
        }
    }
    Ok(mp)
}

/// Plans `problem` over the declared memories until `stop`; writes the
/// plan (and its statistics when asked) and returns the exit code.
pub(crate) fn command(
    args: &Args,
    options: &SolveOptions,
    problem: &Problem,
    columns: Option<&MemoryColumns>,
    stop: &StopToken,
    log: &Log,
) -> Result<i32, Failure> {
    let memories = declared(args.spill, args.capacity, &args.memory).map_err(usage)?;
    let mp = over_memories(memories, &args.input, problem, columns).map_err(usage)?;
    let outcome = plan(&mp, options, stop).map_err(|e| match e {
        minimalloc::SolveError::Internal(_) => internal(e),
        _ => usage(anyhow!("{}: {e}", args.input.display())),
    })?;
    let code = match &outcome {
        PlanOutcome::Planned(p) => {
            log.line(format_args!("{}", summary(&mp, p)));
            if args.validate {
                validate_plan(&mp, p).map_err(|e| internal(anyhow!("validation FAILED: {e}")))?;
                log.line(format_args!("validation PASS"));
            }
            write(args, problem, &mp, p, log)?;
            if let Some(path) = &args.svg {
                write_file_atomic(path, |f| f.write_all(picture(&mp, p).as_bytes())).map_err(internal)?;
                log.line(format_args!("wrote {}", path.display()));
            }
            exit::SOLVED
        }
        PlanOutcome::Infeasible(why) => {
            eprintln!("infeasible: no assignment of {} to its memories fits ({why})", args.input.display());
            exit::INFEASIBLE
        }
        PlanOutcome::Stopped(o) => {
            eprintln!("{o} for {}: no assignment found", args.input.display());
            exit::TIMEOUT
        }
    };
    if let Some(path) = &args.stats_json {
        write_stats(path, args, &mp, &outcome)?;
    }
    Ok(code)
}

/// The line that tells the user what the plan costs and whether that is
/// proven least.
pub(crate) fn summary(mp: &MemoryProblem, p: &Plan) -> String {
    let moved = (0..mp.buffers.len()).filter(|&b| mp.choices_of(b)[0] != p.memory[b]).count();
    let heights: Vec<String> = mp.memories.iter().zip(&p.heights).map(|(m, h)| format!("{} {h}", m.name)).collect();
    format!(
        "planned: cost {} ({moved} {} outside {} first memory), lower bound {}, {}; heights: {}",
        p.cost,
        if moved == 1 { "buffer" } else { "buffers" },
        if moved == 1 { "its" } else { "their" },
        p.lower_bound,
        if p.optimal { "optimal" } else { "not proven optimal" },
        heights.join(", ")
    )
}

/// The plan's picture: a panel per memory.
pub(crate) fn picture(mp: &MemoryProblem, p: &Plan) -> String {
    let parts = mp.parts(p);
    let panels: Vec<Panel<'_>> = mp
        .memories
        .iter()
        .zip(&parts)
        .map(|(m, (problem, solution))| Panel { name: &m.name, problem, solution })
        .collect();
    svg_memories(&panels)
}

/// Writes the plan as CSV (to `--output`, atomically, or standard output).
fn write(args: &Args, problem: &Problem, mp: &MemoryProblem, p: &Plan, log: &Log) -> Result<(), Failure> {
    let names: Vec<&str> = p.memory.iter().map(|&m| mp.memories[m].name.as_str()).collect();
    match &args.output {
        Some(path) => {
            write_file_atomic(path, |f| write_plan_csv(f, problem, &names, &p.offsets)).map_err(internal)?;
            log.line(format_args!("wrote {}", path.display()));
        }
        None => write_plan_csv(std::io::stdout().lock(), problem, &names, &p.offsets).map_err(internal)?,
    }
    Ok(())
}

/// The statistics file of a plan: status, cost, its lower bound, whether
/// it is optimal, and each memory's capacity and height.
fn write_stats(path: &Path, args: &Args, mp: &MemoryProblem, outcome: &PlanOutcome) -> Result<(), Failure> {
    let (status, planned) = match outcome {
        PlanOutcome::Planned(p) => ("solved", Some(p)),
        PlanOutcome::Infeasible(_) => ("infeasible", None),
        PlanOutcome::Stopped(o) => (o.status(), None),
    };
    let memories: Vec<_> = mp
        .memories
        .iter()
        .enumerate()
        .map(|(m, memory)| {
            json!({
                "name": memory.name,
                "capacity": memory.capacity,
                "height": planned.map(|p| p.heights[m]),
                "buffers": planned.map(|p| p.memory.iter().filter(|&&x| x == m).count()),
            })
        })
        .collect();
    let doc = json!({
        "version": minimalloc::VERSION,
        "commit": minimalloc::COMMIT,
        "input": args.input.display().to_string(),
        "buffers": mp.buffers.len(),
        "status": status,
        "cost": planned.map(|p| p.cost),
        "cost_lower_bound": planned.map(|p| p.lower_bound),
        "optimal": planned.map(|p| p.optimal),
        "memories": memories,
    });
    write_json(path, &doc)
}
