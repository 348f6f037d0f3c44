//! Presets (TOML files under `configs/`) that name the portfolio's workers
//! and parameters. Command-line flags override what a preset sets.
//!
//! ```toml
//! description = "What this preset is for"
//! mode = "portfolio"                        # or "sequential": the reference's round robin
//! preordering_heuristics = "WAT,TAW,TWA"    # the quick round's (and sequential mode's)
//! quick_round = true                        # the reference's first round before racing
//! nogoods = true                            # share sub-problems proven infeasible
//! slice = 256                               # nodes a search runs before its thread may switch
//! step = 1024                               # nodes per lock-step in deterministic mode
//! greedy = ["size-best-hints", "start-best-hints"]
//! timeout = "inf"
//!
//! [switches]                                # the nine technique switches
//! hatless_pruning = true
//!
//! [[worker]]                                # exact workers, in priority order
//! heuristic = "TWA"
//! seeded = false                            # random tie-breaking (from --seed)
//! switches = { check_dominance = true }     # per-worker overrides
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use thiserror::Error;

use crate::heuristics::{Fit, Greedy, GreedyOrder};
use crate::params::{parse_duration, parse_heuristics, SolverParams};
use crate::portfolio::{PortfolioOptions, Worker};
use crate::switches::Switch;

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
    name: Option<String>,
    #[serde(default)]
    switches: BTreeMap<String, bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    preordering_heuristics: Option<String>,
    #[serde(default)]
    quick_round: Option<bool>,
    #[serde(default)]
    nogoods: Option<bool>,
    #[serde(default)]
    slice: Option<i64>,
    #[serde(default)]
    step: Option<i64>,
    #[serde(default)]
    greedy: Option<Vec<String>>,
    #[serde(default)]
    timeout: Option<String>,
    #[serde(default)]
    threads: Option<usize>,
    #[serde(default)]
    switches: BTreeMap<String, bool>,
    #[serde(default)]
    worker: Vec<RawWorker>,
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
    pub portfolio: PortfolioOptions,
}

impl Config {
    /// The options a run of this preset uses: the portfolio's, with one
    /// thread and no deterministic race in sequential mode (which makes
    /// them the reference's algorithm).
    pub fn options(&self) -> PortfolioOptions {
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
            portfolio: PortfolioOptions::from_params(&SolverParams::default()),
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
            params.preordering_heuristics = parse_heuristics(h).map_err(bad)?;
        }
        if let Some(t) = &raw.timeout {
            params.timeout = parse_duration(t).map_err(bad)?;
        }
        if let Some(t) = raw.threads {
            params.threads = t;
        }
        let mut portfolio = PortfolioOptions::from_params(&params);
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
                    Ok(Worker { name, heuristic, switches, seeded: w.seeded })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(g) = &raw.greedy {
            portfolio.greedy = g.iter().map(|s| parse_greedy(s)).collect::<Result<_, _>>().map_err(bad)?;
        }
        if let Some(q) = raw.quick_round {
            portfolio.quick_round = q;
        }
        if let Some(n) = raw.nogoods {
            portfolio.nogoods = n;
        }
        for (name, value, slot) in [("slice", raw.slice, &mut portfolio.slice), ("step", raw.step, &mut portfolio.step)]
        {
            if let Some(v) = value {
                if v < 1 {
                    return Err(bad(format!("{name} must be at least 1 node, got {v}")));
                }
                *slot = v;
            }
        }
        Ok(Config {
            description: raw.description.unwrap_or_default(),
            mode: raw.mode.unwrap_or(Mode::Portfolio),
            portfolio,
        })
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

/// The message for a switch name that is not in the table, listing those that are.
fn unknown_switch(name: &str, place: &str) -> String {
    let names: Vec<&str> = Switch::ALL.iter().map(|s| s.name()).collect();
    format!("unknown switch '{name}' in {place} (switches: {})", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_preset_parses() {
        let c = Config::default();
        assert_eq!(c.mode, Mode::Portfolio);
        assert!(!c.portfolio.workers.is_empty());
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
        assert!(n >= 12, "default, reference, fast and nine ablations");
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
        assert!(Config::parse("bogus = 1", "t.toml").unwrap_err().to_string().contains("t.toml"));
        assert!(Config::parse("[switches]\nfoo = true", "t.toml").unwrap_err().to_string().contains("foo"));
        assert!(Config::parse("[[worker]]\nheuristic = \"XYZ\"", "t.toml").is_err());
        assert!(Config::parse("greedy = [\"size-worst\"]", "t.toml").is_err());
        assert_eq!(
            parse_greedy("start-first-hints").unwrap(),
            Greedy { order: GreedyOrder::Start, fit: Fit::First, hints: true }
        );
    }
}
