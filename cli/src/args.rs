//! Command-line arguments: the reference's flags, spelled as it spells them
//! (`--name=value` or `--name value`, underscores or dashes, `-name` too,
//! booleans as `--flag`, `--flag=false` or `--noflag`), plus this project's.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command, Parser};

use minimalloc::Switch;

/// Boolean flags of the reference besides the technique switches; these
/// and the switches also take `--noNAME`.
const BOOLEAN_FLAGS: &[&str] = &["validate", "minimize_capacity", "print_solution", "deterministic", "iis", "spill"];

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
    "tunable",
    "stats_json",
    "svg",
    "quiet",
    "verbose",
    "help",
    "version",
];

/// The technique switches given on the command line, one flag per row of
/// the switch table (`None`: not given, the preset decides).
#[derive(Clone, Debug, Default)]
pub struct SwitchFlags(pub [Option<bool>; Switch::ALL.len()]);

impl SwitchFlags {
    /// The switches that were given, with their values.
    pub fn given(&self) -> impl Iterator<Item = (Switch, bool)> + '_ {
        Switch::ALL.into_iter().filter_map(|s| self.0[s as usize].map(|on| (s, on)))
    }
}

impl clap::FromArgMatches for SwitchFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = SwitchFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for s in Switch::ALL {
            if let Some(&on) = matches.get_one::<bool>(s.name()) {
                self.0[s as usize] = Some(on);
            }
        }
        Ok(())
    }
}

impl clap::Args for SwitchFlags {
    fn augment_args(cmd: Command) -> Command {
        Switch::ALL.into_iter().fold(cmd, |cmd, s| {
            cmd.arg(
                Arg::new(s.name())
                    .long(s.name())
                    .help(s.help())
                    .action(ArgAction::Set)
                    .num_args(0..=1)
                    .default_missing_value("true")
                    .value_name("BOOL")
                    .value_parser(clap::value_parser!(bool)),
            )
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

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
#[command(name = "minimalloc", version = minimalloc::LONG_VERSION, max_term_width = 100)]
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

    /// The technique switches (`--canonical_only[=BOOL]` and so on).
    #[command(flatten)]
    pub switches: SwitchFlags,

    /// Find the smallest capacity that fits, with a proof when possible.
    #[arg(long = "minimize_capacity", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub minimize_capacity: bool,

    /// Static preordering heuristics to try, comma-separated (keys A C L O T U W Z).
    #[arg(long = "preordering_heuristics", value_name = "LIST")]
    pub preordering_heuristics: Option<String>,

    /// Print the solution as a LaTeX/TikZ picture on standard output.
    #[arg(long = "print_solution", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub print_solution: bool,

    /// When the buffers do not fit: move some to an unbounded memory after
    /// one of --capacity, at the least cost (the `cost` column, by default
    /// the size), and write each buffer's memory and offset.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "false", value_name = "BOOL")]
    pub spill: bool,

    /// Declare a memory, NAME=CAPACITY (bytes, or inf for unbounded), or
    /// NAME=CAPACITY@ALIGNMENT (every offset in it a multiple), in order;
    /// repeatable. The input's `memories` column lists each buffer's
    /// (`sram|dram`, most preferred first).
    #[arg(long, value_name = "NAME=CAPACITY", action = ArgAction::Append)]
    pub memory: Vec<String>,

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

    /// Set one tunable, as docs/tunables.md names it (slice, lns.band,
    /// minimize.bound_share, ...), over the preset's value; repeatable.
    #[arg(long, value_name = "KEY=VALUE", action = ArgAction::Append)]
    pub tunable: Vec<String>,

    /// Write statistics (status, height, bounds, time, nodes) as JSON.
    #[arg(long = "stats-json", value_name = "FILE")]
    pub stats_json: Option<PathBuf>,

    /// Write an SVG picture of the packing (of a plan: a panel per memory).
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
        let boolean = |f: &str| BOOLEAN_FLAGS.contains(&f) || Switch::from_name(f).is_some();
        if boolean(&canon) || LONG_FLAGS.contains(&canon.as_str()) {
            let n = if canon == "stats_json" { "stats-json".to_string() } else { canon };
            out.push(rebuilt(&n).into());
        } else if let Some(flag) = canon.strip_prefix("no").map(|f| f.trim_start_matches('_')).filter(|f| boolean(f)) {
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
        assert_eq!(a.switches.0[Switch::CanonicalOnly as usize], Some(false));
        assert!(!a.validate);
        assert_eq!(
            a.switches.given().collect::<Vec<_>>(),
            [(Switch::CanonicalOnly, false), (Switch::HatlessPruning, true)]
        );
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
