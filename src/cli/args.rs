//! Command-line arguments: the reference's flags, spelled as it spells them
//! (`--name=value` or `--name value`, underscores or dashes, `-name` too,
//! booleans as `--flag`, `--flag=false` or `--noflag`), plus this project's.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{ArgAction, Parser};

/// Boolean flags of the reference, which also take `--noNAME`.
const BOOLEAN_FLAGS: &[&str] = &[
    "validate",
    "canonical_only",
    "section_inference",
    "dynamic_ordering",
    "check_dominance",
    "unallocated_floor",
    "static_preordering",
    "dynamic_decomposition",
    "monotonic_floor",
    "hatless_pruning",
    "minimize_capacity",
    "print_solution",
    "deterministic",
    "iis",
];

/// Long flags that take a value or none, in underscore form.
const LONG_FLAGS: &[&str] = &[
    "capacity",
    "input",
    "output",
    "timeout",
    "preordering_heuristics",
    "threads",
    "seed",
    "config",
    "stats_json",
    "svg",
    "quiet",
    "verbose",
    "help",
    "version",
];

/// MiniMalloc: static memory allocation for ML accelerators.
///
/// Reads buffers (id, lifespan [lower, upper), size, optional alignment,
/// gaps, fixed offset) from a CSV file and writes the same rows with an
/// offset column, so that buffers live at the same time never share memory.
///
/// Exit codes: 0 solution written, 1 proven infeasible, 2 usage or input
/// error, 3 time limit (or interrupt) with no solution, or unknown (no
/// solution and no proof), 4 internal error (a solution failed validation,
/// or the output could not be written).
#[derive(Parser, Debug, Clone)]
#[command(name = "minimalloc", version, max_term_width = 100)]
pub struct Args {
    /// The maximum memory capacity (required unless --minimize_capacity).
    #[arg(long, value_name = "BYTES", allow_negative_numbers = true)]
    pub capacity: Option<i64>,

    /// The input CSV file.
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,

    /// The output CSV file (written atomically, only when there is a solution);
    /// standard output when absent.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Time limit: 30s, 1m, 500ms, 1h30m, or inf (the default).
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Validate the solution before writing it.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub validate: bool,

    /// Explore canonical solutions only.
    #[arg(long = "canonical_only", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub canonical_only: Option<bool>,

    /// Prune when a section's floor plus its remaining sizes exceeds the capacity.
    #[arg(long = "section_inference", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub section_inference: Option<bool>,

    /// Try buffers by lowest feasible offset first.
    #[arg(long = "dynamic_ordering", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub dynamic_ordering: Option<bool>,

    /// Prune placements that leave gaps an unplaced buffer fits in.
    #[arg(long = "check_dominance", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub check_dominance: Option<bool>,

    /// Use unplaced buffers' lowest offsets to raise section floors.
    #[arg(long = "unallocated_floor", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub unallocated_floor: Option<bool>,

    /// Sort buffers by the preordering heuristic before searching.
    #[arg(long = "static_preordering", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub static_preordering: Option<bool>,

    /// Split partitions that placed buffers cut apart.
    #[arg(long = "dynamic_decomposition", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub dynamic_decomposition: Option<bool>,

    /// Require the solution floor to rise monotonically.
    #[arg(long = "monotonic_floor", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub monotonic_floor: Option<bool>,

    /// Prune alternatives when a buffer has nothing overhead.
    #[arg(long = "hatless_pruning", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub hatless_pruning: Option<bool>,

    /// Find the smallest capacity that fits, with a proof when possible.
    #[arg(long = "minimize_capacity", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub minimize_capacity: bool,

    /// Static preordering heuristics to try, comma-separated (keys A C L O T U W Z).
    #[arg(long = "preordering_heuristics", value_name = "LIST")]
    pub preordering_heuristics: Option<String>,

    /// Print the solution as a LaTeX/TikZ picture on standard output.
    #[arg(long = "print_solution", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub print_solution: bool,

    /// When infeasible, print an irreducible infeasible subset of buffers.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub iis: bool,

    /// Worker threads, 1 to 256 (default: all cores); 1 runs the reference's sequential algorithm.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub threads: Option<i64>,

    /// Seed for the portfolio's randomized tie-breaking (default 0).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// Same output for the same input and seed, whatever the thread count.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub deterministic: Option<bool>,

    /// A portfolio preset (TOML), e.g. configs/reference.toml; flags override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Write statistics (status, height, bounds, time, nodes) as JSON.
    #[arg(long = "stats-json", value_name = "FILE")]
    pub stats_json: Option<PathBuf>,

    /// Write an SVG picture of the packing.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print more detail (repeat for more).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
}

/// Rewrites the reference's flag spellings into the ones clap knows:
/// `-name` becomes `--name`, dashes in known names become underscores
/// (`--stats-json` stays, it is this project's), and `--noflag` becomes
/// `--flag=false`.
pub fn normalize<I: IntoIterator<Item = OsString>>(args: I) -> Vec<OsString> {
    let mut out = Vec::new();
    for (i, arg) in args.into_iter().enumerate() {
        let Some(s) = arg.to_str().filter(|_| i > 0) else {
            out.push(arg);
            continue;
        };
        let body = if let Some(b) = s.strip_prefix("--") {
            b
        } else if let Some(b) = s.strip_prefix('-').filter(|b| b.len() > 1) {
            b
        } else {
            out.push(arg);
            continue;
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let canon = name.replace('-', "_");
        let rebuilt = |n: &str| match value {
            Some(v) => format!("--{n}={v}"),
            None => format!("--{n}"),
        };
        if BOOLEAN_FLAGS.contains(&canon.as_str()) || LONG_FLAGS.contains(&canon.as_str()) {
            let n = if canon == "stats_json" { "stats-json".to_string() } else { canon };
            out.push(rebuilt(&n).into());
        } else if let Some(flag) =
            canon.strip_prefix("no").map(|f| f.trim_start_matches('_')).filter(|f| BOOLEAN_FLAGS.contains(f))
        {
            if value.is_some() {
                out.push(arg); // --noflag=x is not a thing; let clap report it
            } else {
                out.push(format!("--{flag}=false").into());
            }
        } else {
            out.push(arg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        let argv = std::iter::once("minimalloc").chain(args.iter().copied()).map(OsString::from);
        Args::try_parse_from(normalize(argv))
    }

    #[test]
    fn reference_spellings() {
        let a = parse(&["--capacity=12", "--input=in.csv", "--output", "out.csv"]).unwrap();
        assert_eq!(a.capacity, Some(12));
        assert_eq!(a.output.unwrap().to_str(), Some("out.csv"));
        let a =
            parse(&["-capacity", "12", "-input=in.csv", "--canonical-only=false", "--novalidate", "--hatless_pruning"])
                .unwrap();
        assert_eq!(a.canonical_only, Some(false));
        assert!(!a.validate);
        assert_eq!(a.hatless_pruning, Some(true));
        let a =
            parse(&["--input", "x", "--validate", "--minimize-capacity", "--stats_json=s.json", "--no-print-solution"])
                .unwrap();
        assert!(a.validate && a.minimize_capacity && !a.print_solution);
        assert_eq!(a.stats_json.unwrap().to_str(), Some("s.json"));
        let a = parse(&["--input", "x", "--preordering-heuristics=TWA", "-q", "-vv"]).unwrap();
        assert_eq!(a.preordering_heuristics.as_deref(), Some("TWA"));
        assert!(a.quiet);
        assert_eq!(a.verbose, 2);
    }

    #[test]
    fn errors() {
        assert!(parse(&["--capacity=12"]).is_err(), "input is required");
        assert!(parse(&["--input=x", "--validate=maybe"]).is_err());
        assert!(parse(&["--input=x", "--frobnicate"]).is_err());
        assert!(parse(&["--input=x", "--capacity=twelve"]).is_err());
    }
}
