//! Presets (TOML files under `configs/`) that name the portfolio's workers
//! and parameters. Command-line flags override what a preset sets.
//!
//! ```toml
//! description = "What this preset is for"
//! mode = "portfolio"                        # or "sequential": the reference's round robin
//! preordering_heuristics = "WAT,TAW,TWA"    # the quick round's (and sequential mode's)
//! quick_round = true                        # the reference's first round before racing
//! stacking = true                           # two problems side by side: pack each, stack them
//! winning_bonus = 3                         # more time for searches that got further and workers that won
//! patience = "100ms"                        # past this, searches that never restart lose share
//! share_facts = true                        # hand facts learned from failures on to the other searches
//! nogoods = true                            # share sub-problems proven infeasible
//! slice = 256                               # nodes a search runs before its thread may switch
//! step = 1024                               # nodes per lock-step in deterministic mode
//! greedy = ["size-best-hints", "start-best-hints"]
//! timeout = "inf"
//!
//! [switches]                                # the technique switches
//! hatless_pruning = true
//!
//! [[worker]]                                # exact workers, in priority order
//! heuristic = "TWA"
//! seeded = false                            # random tie-breaking (from --seed)
//! restarts = false                          # Luby restarts with new ties (seeded only)
//! random_points = false                     # fill points in random order (seeded only)
//! holes = false                             # hole branching (docs/techniques.md)
//! tighten = false                           # every second restart at the load bound (holes only)
//! repair = false                            # guided repair at the capacity
//! switches = { check_dominance = true }     # per-worker overrides
//!
//! [lns]                                     # large instances' neighbourhood search
//! band = 48                                 # every key: docs/tunables.md
//! repair_budget = "150ms"
//!
//! [minimize]                                # probe budgets (docs/tunables.md)
//! bound_share = 12
//! descent_budget = ["250ms", "10s"]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

use crate::heuristics::{Fit, Greedy, GreedyOrder};
use crate::options::{SolveOptions, Worker};
use crate::params::{check_threads, parse_duration, parse_heuristics, SolverParams};
use crate::switches::Switch;
use crate::tunables::PortfolioTunables;

/// How a preset runs the search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The parallel portfolio.
    Portfolio,
    /// The reference's sequential round robin on one thread.
    Sequential,
}

/// A preset that cannot be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// Not valid TOML, or unknown keys.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// What the parser said (with line and column).
        message: String,
    },
    /// A value that makes no sense.
    #[error("{path}: {message}")]
    Value {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorker {
    heuristic: String,
    #[serde(default)]
    seeded: bool,
    #[serde(default)]
    restarts: bool,
    #[serde(default)]
    random_points: bool,
    #[serde(default)]
    holes: bool,
    #[serde(default)]
    tighten: bool,
    #[serde(default)]
    repair: bool,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    switches: BTreeMap<String, bool>,
}

/// A preset as written. Unknown keys are refused: those of the known
/// tables by serde, those at the top level by the tunables' table (serde
/// cannot refuse them beside a flattened map).
#[derive(Debug, Deserialize)]
struct RawConfig {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    preordering_heuristics: Option<String>,
    #[serde(default)]
    greedy: Option<Vec<String>>,
    #[serde(default)]
    timeout: Option<String>,
    #[serde(default)]
    threads: Option<i64>,
    #[serde(default)]
    switches: BTreeMap<String, bool>,
    #[serde(default)]
    worker: Vec<RawWorker>,
    /// The `[lns]` table: [`crate::tunables::LnsTunables`], read key by key.
    #[serde(default)]
    lns: toml::Table,
    /// The `[minimize]` table: [`crate::tunables::MinimizeTunables`].
    #[serde(default)]
    minimize: toml::Table,
    /// Every other top-level key: a portfolio tunable
    /// ([`crate::tunables::PortfolioTunables`], whose table checks its
    /// name and range), so that the keys are listed once, in that table.
    #[serde(flatten)]
    top: BTreeMap<String, toml::Value>,
}

/// A loaded preset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// What the preset is for.
    pub description: String,
    /// Portfolio or sequential.
    pub mode: Mode,
    /// The portfolio (its `params` carry the preset's switches, heuristics,
    /// timeout and threads).
    pub portfolio: SolveOptions,
}

impl Config {
    /// The options a run of this preset uses: the portfolio's, with one
    /// thread and no deterministic race in sequential mode (which makes
    /// them the reference's algorithm).
    pub fn options(&self) -> SolveOptions {
        let mut opts = self.portfolio.clone();
        if self.mode == Mode::Sequential {
            opts.params.threads = 1;
            opts.params.deterministic = false;
        }
        opts
    }
}

/// The built-in default preset (the same text as `configs/default.toml`).
pub const DEFAULT_PRESET: &str = include_str!("../configs/default.toml");

impl Default for Config {
    fn default() -> Self {
        Config::parse(DEFAULT_PRESET, "configs/default.toml").unwrap_or_else(|_| Config {
            description: String::new(),
            mode: Mode::Portfolio,
            portfolio: SolveOptions::from_params(&SolverParams::default()),
        })
    }
}

/// Parses a greedy strategy name such as `size-best` or `start-first-hints`.
pub fn parse_greedy(name: &str) -> Result<Greedy, String> {
    let parts: Vec<&str> = name.split('-').collect();
    let order = match parts.first().copied() {
        Some("size") => GreedyOrder::Size,
        Some("area") => GreedyOrder::Area,
        Some("start") => GreedyOrder::Start,
        Some("width") => GreedyOrder::Width,
        _ => return Err(format!("unknown greedy order in '{name}' (size, area, start, width)")),
    };
    let fit = match parts.get(1).copied() {
        Some("best") => Fit::Best,
        Some("first") => Fit::First,
        _ => return Err(format!("unknown greedy fit in '{name}' (best, first)")),
    };
    let hints = match parts.get(2).copied() {
        None => false,
        Some("hints") if parts.len() == 3 => true,
        _ => return Err(format!("unexpected suffix in greedy strategy '{name}' (only -hints)")),
    };
    Ok(Greedy { order, fit, hints })
}

impl Config {
    /// Reads a preset file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::Read { path: path.display().to_string(), error })?;
        Config::parse(&text, &path.display().to_string())
    }

    /// Parses preset text; `path` is used in messages.
    pub fn parse(text: &str, path: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::Syntax { path: path.to_string(), message: e.to_string() })?;
        let bad = |message: String| ConfigError::Value { path: path.to_string(), message };
        let mut params = SolverParams::default();
        for (name, &value) in &raw.switches {
            if !params.switches.set_by_name(name, value) {
                return Err(bad(unknown_switch(name, "[switches]")));
            }
        }
        if let Some(h) = &raw.preordering_heuristics {
            params.preordering_heuristics =
                parse_heuristics(h).map_err(|e| bad(format!("preset key preordering_heuristics: {e}")))?;
        }
        if let Some(t) = &raw.timeout {
            params.timeout = parse_duration(t).map_err(|e| bad(format!("preset key timeout {e}")))?;
        }
        if let Some(t) = raw.threads {
            params.threads = check_threads(i128::from(t)).map_err(|e| bad(format!("preset key threads {e}")))?;
        }
        let mut portfolio = SolveOptions::from_params(&params);
        tunables(&raw, &mut portfolio).map_err(bad)?;
        if !raw.worker.is_empty() {
            portfolio.workers = raw
                .worker
                .iter()
                .map(|w| {
                    let heuristic = parse_heuristics(&w.heuristic).map_err(&bad)?;
                    let [heuristic] = <[_; 1]>::try_from(heuristic)
                        .map_err(|_| bad(format!("a worker takes one heuristic, got '{}'", w.heuristic)))?;
                    let mut switches = params.switches;
                    for (name, &value) in &w.switches {
                        if !switches.set_by_name(name, value) {
                            return Err(bad(unknown_switch(name, &format!("worker {}", w.heuristic))));
                        }
                    }
                    let name = w.name.clone().unwrap_or_else(|| {
                        if w.seeded {
                            format!("{heuristic}~")
                        } else {
                            heuristic.to_string()
                        }
                    });
                    if w.restarts && !w.seeded {
                        return Err(bad(format!(
                            "worker {}: restarts need seeded = true (each restart draws new ties)",
                            w.heuristic
                        )));
                    }
                    if w.random_points && !w.seeded {
                        return Err(bad(format!(
                            "worker {}: random_points needs seeded = true (the order is the random rank's)",
                            w.heuristic
                        )));
                    }
                    if w.tighten && !(w.holes && w.restarts) {
                        return Err(bad(format!(
                            "worker {}: tighten needs holes = true and restarts = true (its restarts alternate between the load bound and the capacity)",
                            w.heuristic
                        )));
                    }
                    Ok(Worker {
                        name,
                        heuristic,
                        switches,
                        seeded: w.seeded,
                        restarts: w.restarts,
                        random_points: w.random_points,
                        holes: w.holes,
                        tighten: w.tighten,
                        repair: w.repair,
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(g) = &raw.greedy {
            portfolio.greedy = g.iter().map(|s| parse_greedy(s)).collect::<Result<_, _>>().map_err(bad)?;
        }
        for (key, value) in &raw.top {
            portfolio.tunables.set(key, value).map_err(|e| bad(top_level_error(key, e)))?;
        }
        Ok(Config {
            description: raw.description.unwrap_or_default(),
            mode: raw.mode.unwrap_or(Mode::Portfolio),
            portfolio,
        })
    }

    /// Sets one tunable, as the command line's `--tunable KEY=VALUE` does:
    /// see [`set_tunable`].
    pub fn set_tunable(&mut self, key: &str, value: &str) -> Result<(), String> {
        set_tunable(&mut self.portfolio, key, value)
    }

    /// Sets a technique switch everywhere (the quick round and every worker),
    /// as a command-line flag does.
    pub fn set_switch(&mut self, switch: Switch, on: bool) {
        self.portfolio.params.switches.set(switch, on);
        for w in &mut self.portfolio.workers {
            w.switches.set(switch, on);
        }
    }
}

/// Sets the tunable `key` of `opts`, named as `docs/tunables.md` lists it
/// (`slice`, `lns.band`, `minimize.bound_share`), to `value`, written as a
/// preset writes it (`20`, `true`, `"150ms"`, `["1s", "2s"]`; a time may
/// go without its quotes). The tables in [`crate::tunables`] check the
/// name and the range, as they do for a preset.
pub fn set_tunable(opts: &mut SolveOptions, key: &str, value: &str) -> Result<(), String> {
    let parsed = toml::from_str::<toml::Table>(&format!("v = {value}")).ok().and_then(|mut t| t.remove("v"));
    let value = parsed.unwrap_or_else(|| toml::Value::String(value.trim().to_string()));
    match key.split_once('.') {
        Some(("lns", field)) => opts.lns.set(field, &value),
        Some(("minimize", field)) => opts.minimize.set(field, &value),
        Some((table, _)) => Err(format!("unknown tunable '{key}': no table '{table}' (tables: lns, minimize)")),
        None => opts.tunables.set(key, &value).map_err(|e| {
            if e.starts_with("unknown key") {
                format!("{e}; the others are lns.KEY and minimize.KEY: docs/tunables.md")
            } else {
                e
            }
        }),
    }
}

/// Reads the `[lns]` and `[minimize]` tables into `opts`: each key goes
/// to its table's `set`, which checks its name and range.
fn tunables(raw: &RawConfig, opts: &mut SolveOptions) -> Result<(), String> {
    for (key, value) in &raw.lns {
        opts.lns.set(key, value)?;
    }
    for (key, value) in &raw.minimize {
        opts.minimize.set(key, value)?;
    }
    Ok(())
}

/// The message for a top-level key the tunables' table refused: a bad
/// value of a tunable, or a key that is neither a tunable (the table's
/// message lists them) nor one of the preset's own.
fn top_level_error(key: &str, error: String) -> String {
    if PortfolioTunables::docs().iter().any(|d| d.key == key) {
        return format!("preset key {error}");
    }
    format!("{error}, or a preset's own (see configs/default.toml)")
}

/// The message for a switch name that is not in the table, listing those that are.
fn unknown_switch(name: &str, place: &str) -> String {
    let names: Vec<&str> = Switch::ALL.iter().map(|s| s.name()).collect();
    format!("unknown switch '{name}' in {place} (switches: {})", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_default_preset_parses() {
        let c = Config::default();
        assert_eq!(c.mode, Mode::Portfolio);
        assert!(!c.portfolio.workers.is_empty());
    }

    #[test]
    fn the_default_preset_is_the_default_portfolio() {
        assert_eq!(Config::default().portfolio, SolveOptions::from_params(&SolverParams::default()));
    }

    #[test]
    fn every_shipped_preset_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            Config::load(&path).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
        assert!(n >= 13, "default, reference, fast and ten ablations");
    }

    /// The docs promise that a preset sets every portfolio tunable at its
    /// top level: each key, written as its default, must parse and keep
    /// the default.
    #[test]
    fn every_portfolio_tunable_is_a_preset_key() {
        for doc in crate::tunables::PortfolioTunables::docs() {
            let default = doc.default;
            let quoted = if default.parse::<f64>().is_ok() || default == "true" || default == "false" {
                default.to_string()
            } else {
                format!("\"{default}\"")
            };
            let c = Config::parse(&format!("{} = {quoted}", doc.key), "t.toml")
                .unwrap_or_else(|e| panic!("preset key {}: {e}", doc.key));
            assert_eq!(c.portfolio.tunables, crate::tunables::PortfolioTunables::default(), "{}", doc.key);
        }
    }

    #[test]
    fn values_and_errors() {
        let c = Config::parse(
            "mode = \"sequential\"\npreordering_heuristics = \"TWA\"\n[switches]\nhatless_pruning = false\n[[worker]]\nheuristic = \"ZLU\"\nseeded = true\nswitches = { check_dominance = false }\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(c.mode, Mode::Sequential);
        assert!(!c.portfolio.params.switches.get(Switch::HatlessPruning));
        assert_eq!(c.portfolio.workers[0].name, "ZLU~");
        assert!(!c.portfolio.workers[0].switches.get(Switch::CheckDominance));
        assert!(!c.portfolio.workers[0].switches.get(Switch::HatlessPruning));
        assert!(!Config::parse("share_facts = false", "t.toml").unwrap().portfolio.tunables.share_facts);
        // A tunable set as a flag sets it: its table checks name and range.
        let mut c = Config::default();
        c.set_tunable("slice", "64").unwrap();
        c.set_tunable("lns.repair_budget", "1s").unwrap();
        c.set_tunable("minimize.descent_budget", r#"["1s", "2s"]"#).unwrap();
        c.set_tunable("stacking", "false").unwrap();
        assert_eq!(c.portfolio.tunables.slice, 64);
        assert!(!c.portfolio.tunables.stacking);
        assert_eq!(c.portfolio.lns.repair_budget, Duration::from_secs(1));
        assert_eq!(c.portfolio.minimize.descent_budget, (Duration::from_secs(1), Duration::from_secs(2)));
        assert!(c.set_tunable("slice", "0").unwrap_err().contains("at least 1"));
        assert!(c.set_tunable("lns.frobs", "1").unwrap_err().contains("keys: band"));
        assert!(c.set_tunable("portfolio.slice", "1").unwrap_err().contains("tables: lns, minimize"));
        let bogus = Config::parse("bogus = 1", "t.toml").unwrap_err().to_string();
        assert!(bogus.contains("t.toml") && bogus.contains("unknown key 'bogus'"), "{bogus}");
        assert!(bogus.contains("keys: quick_round") && bogus.contains("configs/default.toml"), "{bogus}");
        let bad_value = Config::parse("slice = 0", "t.toml").unwrap_err().to_string();
        assert!(bad_value.contains("preset key slice") && bad_value.contains("at least 1"), "{bad_value}");
        assert!(Config::parse("mode = \"portfolio\"\nstacking = 3", "t.toml").is_err());
        assert!(Config::parse("[switches]\nfoo = true", "t.toml").unwrap_err().to_string().contains("foo"));
        assert!(Config::parse("[[worker]]\nheuristic = \"XYZ\"", "t.toml").is_err());
        // Random point order reads the random rank, as restarts draw it.
        let w =
            Config::parse("[[worker]]\nheuristic = \"TWA\"\nseeded = true\nrandom_points = true\n", "t.toml").unwrap();
        assert!(w.portfolio.workers[0].random_points && !w.portfolio.workers[0].restarts);
        let unseeded = Config::parse("[[worker]]\nheuristic = \"TWA\"\nrandom_points = true\n", "t.toml");
        assert!(unseeded.unwrap_err().to_string().contains("random_points needs seeded = true"));
        // Tightening alternates a hole-branching worker's restarts.
        let tight = "[[worker]]\nheuristic = \"TWA\"\nseeded = true\nrestarts = true\nholes = true\ntighten = true\n";
        assert!(Config::parse(tight, "t.toml").unwrap().portfolio.workers[0].tighten);
        let loose = Config::parse(&tight.replace("holes = true\n", ""), "t.toml").unwrap_err().to_string();
        assert!(loose.contains("tighten needs holes = true and restarts = true"), "{loose}");
        assert!(Config::parse(&tight.replace("restarts = true\n", ""), "t.toml").is_err());
        assert!(Config::parse("greedy = [\"size-worst\"]", "t.toml").is_err());
        let t = Config::parse(
            "[lns]\nband = 20\nrepair_budget = \"1s\"\n[minimize]\ndescent_budget = [\"1s\", \"2s\"]\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(t.portfolio.lns.band, 20);
        assert_eq!(t.portfolio.lns.repair_budget, Duration::from_secs(1));
        assert_eq!(t.portfolio.minimize.descent_budget, (Duration::from_secs(1), Duration::from_secs(2)));
        assert_eq!(t.portfolio.minimize.bound_share, 12);
        for bad in [
            "[lns]\nband = 0",
            "[lns]\nfrobs = 1",
            "[lns]\nrepair_budget = \"inf\"",
            "[minimize]\nbound_budget = [\"2s\", \"1s\"]",
            "[minimize]\ndescent_share = 99999999999",
        ] {
            assert!(Config::parse(bad, "t.toml").is_err(), "{bad}");
        }
        assert_eq!(
            parse_greedy("start-first-hints").unwrap(),
            Greedy { order: GreedyOrder::Start, fit: Fit::First, hints: true }
        );
    }
}
