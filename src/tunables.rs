//! The tunables: the numbers and phases the portfolio, the neighbourhood
//! search and the minimization run by that a preset may change, each
//! written once, in the tables at the end of this module, with its default
//! (in the syntax a preset uses), its range (from its type) and the reason
//! for the default.
//!
//! From each table the `tunables!` macro makes the struct and its `Default`, the
//! preset keys ([`crate::config`] hands every portfolio key at the preset's
//! top level, and every key of its `[lns]` and `[minimize]` tables, to
//! `set`, which checks the range; `config::set_tunable` does the same for
//! the command line's `--tunable`, Python's `SolverParams.set_tunable` and
//! C's `mm_params_set_tunable`), and the
//! listing (`docs`) that `docs/tunables.md` is generated from; a test keeps
//! that page in step with the tables. Nothing here quotes a measured
//! figure: the reasons say why a default is what it is, and the benchmark
//! that measures its effect is named where there is one.

use std::time::Duration;

/// One tunable, as `docs/tunables.md` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TunableDoc {
    /// The preset key, `table.field`.
    pub key: String,
    /// The default, as a preset writes it.
    pub default: &'static str,
    /// The values allowed, in words.
    pub range: &'static str,
    /// What it does and why the default is what it is.
    pub doc: String,
}

/// A value a tunable may hold: parsed from its default's text, or read
/// from a preset's TOML value, with its range checked either way.
pub trait Value: Sized {
    /// The values allowed, in words.
    const RANGE: &'static str;
    /// Parses a value written as a preset writes it (a default).
    fn parse(text: &str) -> Result<Self, String>;
    /// Reads a preset's value.
    fn from_toml(value: &toml::Value) -> Result<Self, String>;
}

/// A count of at least 1 that fits `T`.
fn count<T: TryFrom<i64>>(v: i64) -> Result<T, String> {
    if v < 1 {
        return Err(format!("must be at least 1, got {v}"));
    }
    T::try_from(v).map_err(|_| format!("is too large: {v}"))
}

macro_rules! counts {
    ($($t:ty),*) => {$(
        impl Value for $t {
            const RANGE: &'static str = "an integer, 1 or more";
            fn parse(text: &str) -> Result<Self, String> {
                count(text.trim().parse::<i64>().map_err(|_| format!("must be an integer, got {text}"))?)
            }
            fn from_toml(value: &toml::Value) -> Result<Self, String> {
                count(value.as_integer().ok_or_else(|| format!("must be an integer, got {value}"))?)
            }
        }
    )*};
}
counts!(usize, u32, i64);

impl Value for u64 {
    const RANGE: &'static str = "an integer, 0 or more";
    fn parse(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| format!("must be an integer, 0 or more, got {text}"))
    }
    fn from_toml(value: &toml::Value) -> Result<Self, String> {
        let v = value.as_integer().ok_or_else(|| format!("must be an integer, got {value}"))?;
        u64::try_from(v).map_err(|_| format!("must be 0 or more, got {v}"))
    }
}

impl Value for bool {
    const RANGE: &'static str = "true or false";
    fn parse(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| format!("must be true or false, got {text}"))
    }
    fn from_toml(value: &toml::Value) -> Result<Self, String> {
        value.as_bool().ok_or_else(|| format!("must be true or false, got {value}"))
    }
}

/// A tunable's preset key: `table.field`, or the field alone for the
/// table read at the preset's top level (`""`).
fn key_of(table: &str, field: &str) -> String {
    if table.is_empty() {
        field.to_string()
    } else {
        format!("{table}.{field}")
    }
}

impl Value for Duration {
    const RANGE: &'static str = "a finite time: \"150ms\", \"2s\", \"1m\"";
    fn parse(text: &str) -> Result<Self, String> {
        parse_duration(text)?.ok_or_else(|| "must be finite".to_string())
    }
    fn from_toml(value: &toml::Value) -> Result<Self, String> {
        Duration::parse(value.as_str().ok_or_else(|| format!("must be a time in quotes, got {value}"))?)
    }
}

impl Value for (Duration, Duration) {
    const RANGE: &'static str = "[least, most], two finite times with least <= most";
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim().trim_start_matches('[').trim_end_matches(']');
        let Some((a, b)) = text.split_once(',') else {
            return Err(format!("must be [least, most], got {text}"));
        };
        let unquote = |s: &str| s.trim().trim_matches('"').to_string();
        let (least, most) = (Duration::parse(&unquote(a))?, Duration::parse(&unquote(b))?);
        if least > most {
            return Err(format!("must be [least, most] with least <= most, got [{}, {}]", a.trim(), b.trim()));
        }
        Ok((least, most))
    }
    fn from_toml(value: &toml::Value) -> Result<Self, String> {
        match value.as_array().map(Vec::as_slice) {
            Some([a, b]) => match (a.as_str(), b.as_str()) {
                (Some(a), Some(b)) => Self::parse(&format!("{a}, {b}")),
                _ => Err(format!("must be two times in quotes, got {value}")),
            },
            _ => Err(format!("must be [least, most], got {value}")),
        }
    }
}

/// A time limit given in seconds: 0 or more; infinity is no limit, and so
/// is a limit too long for the clock (over 500 billion years), which no
/// run would reach. Durations in text go through [`parse_duration`].
pub fn time_limit(seconds: f64) -> Result<Option<Duration>, String> {
    if seconds.is_nan() {
        return Err("must be a number of seconds, 0 or more (inf: no limit), got NaN".into());
    }
    if seconds < 0.0 {
        return Err(format!("must not be negative, got {seconds} s (give 0 or more seconds, or inf for no limit)"));
    }
    Ok(Duration::try_from_secs_f64(seconds).ok())
}

/// Parses a duration such as `30s`, `1m`, `500ms`, `1h30m`, `2.5s`, `inf`,
/// or a bare number of seconds, under the rule of [`time_limit`]. `None`
/// means no limit.
pub fn parse_duration(text: &str) -> Result<Option<Duration>, String> {
    let s = text.trim();
    if matches!(s.to_ascii_lowercase().as_str(), "inf" | "infinite" | "infinity" | "none") {
        return Ok(None);
    }
    let bad = || format!("must be a duration such as 30s, 1m, 500ms, 1h30m or inf, got '{}'", text.escape_debug());
    if let Ok(secs) = s.parse::<f64>() {
        return time_limit(secs);
    }
    // A sign before units: `-1s` is negative, which the rule refuses.
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, s),
    };
    let mut total = 0f64;
    let mut rest = s;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += value * scale;
    }
    time_limit(sign * total)
}

/// Declares a table of tunables; see the module docs.
macro_rules! tunables {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident in $table:literal {
            $(
                $(#[doc = $doc:literal])*
                pub $field:ident: $ty:ty = $default:literal,
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        ///
        #[doc = concat!("Preset keys as the field names, in the table `[", $table, "]` (`[]`: at the top level); each field's range is in `docs/tunables.md`.")]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[doc = concat!("`[default: ", $default, "]`")]
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name {
                    $(
                        // The defaults are this table's own text; a test
                        // parses every one.
                        $field: <$ty as Value>::parse($default).unwrap_or_else(|e| {
                            panic!("the default of {}.{} ({}) {e}", $table, stringify!($field), $default)
                        }),
                    )*
                }
            }
        }

        impl $name {
            /// The preset table these tunables are read from.
            pub const TABLE: &'static str = $table;

            /// Sets the tunable `key` (a field's name) from a preset's
            /// value, checking its range; an unknown key is an error that
            /// lists the known ones.
            pub fn set(&mut self, key: &str, value: &toml::Value) -> Result<(), String> {
                match key {
                    $(
                        stringify!($field) => {
                            self.$field = <$ty as Value>::from_toml(value)
                                .map_err(|e| format!("{} {e}", key_of($table, key)))?;
                            Ok(())
                        }
                    )*
                    _ => Err(format!(
                        "unknown key '{key}'{} (keys: {})",
                        if $table.is_empty() { String::new() } else { format!(" in [{}]", $table) },
                        [$(stringify!($field)),*].join(", ")
                    )),
                }
            }

            /// Every tunable of the table, for the docs.
            pub fn docs() -> Vec<TunableDoc> {
                vec![$(
                    TunableDoc {
                        key: key_of($table, stringify!($field)),
                        default: $default,
                        range: <$ty as Value>::RANGE,
                        doc: [$($doc),*].iter().map(|l| l.trim()).collect::<Vec<_>>().join(" "),
                    },
                )*]
            }
        }
    };
}

tunables! {
    /// Tunables of the portfolio: which of its phases run, and how its
    /// live race shares the threads. A preset writes them at its top level.
    pub struct PortfolioTunables in "" {
        /// Run the reference's first round robin round before anything
        /// else, within a short time limit: easy instances then get the
        /// reference's own answer, byte for byte, and the round's searches
        /// go on in the race instead of starting over.
        pub quick_round: bool = "true",
        /// Give the race's searches caches of sub-problems proven
        /// infeasible (nogoods), shared as the portfolio's module docs
        /// say: a sub-problem one search refuted is not searched again.
        pub nogoods: bool = "true",
        /// Try a stacked packing when the buffer list is two problems side
        /// by side (see `stacking`), as the portfolio's detour after the
        /// quick round and greedy placements; the ablation
        /// `configs/no-stacking.toml` measures it (docs/techniques.md).
        pub stacking: bool = "true",
        /// Try a coarse problem's packing (buffers glued where one takes
        /// over from another of its size, or two share a lifespan; see
        /// `coarsen`), expanded: as the portfolio's detour after
        /// stacking, beside the race (packed at the capacity, or packed
        /// above it and repaired down), as the minimization's start, and
        /// in every second of its searches at the lower bound; the
        /// ablation `configs/no-coarsening.toml` measures it
        /// (docs/techniques.md).
        pub coarsening: bool = "true",
        /// Where a seed glues a coarse problem already made (no buffer has
        /// a choice of partner, as where a packing by cuts has pieces
        /// missing), glue that one further with padding instead: buffers
        /// whose lifespans or sizes do not match glued into one that
        /// reserves the memory between them, least padding first, the
        /// load staying within the capacity (or the lower bound) at every
        /// moment (see `coarsen::padded`). Only with `coarsening`; the
        /// ablation `configs/no-coarse-padding.toml` measures it
        /// (docs/techniques.md).
        pub coarse_padding: bool = "true",
        /// Hand the facts a live-race search learns from its failures on
        /// to the partition's other searches at the end of each time
        /// slice: a fact holds for every ordering, so another search need
        /// not refute the same state again. The deterministic race keeps
        /// each search's facts its own.
        pub share_facts: bool = "true",
        /// How much more time the live race gives the searches that are
        /// winning: a task's share is weighted by `1 + bonus * ((depth /
        /// size)^8 + won)`, where `depth / size` is the most of its
        /// partition's buffers it once placed and `won` the share of the
        /// problem's buffers in the partitions its worker already won.
        /// The partitions of one instance tend to want the same branching,
        /// and a search that got deep is the likeliest to finish; 0 gives
        /// every search an equal share. The ablation
        /// `configs/no-winning-bonus.toml` measures it (docs/techniques.md).
        pub winning_bonus: u64 = "3",
        /// Thread time a search that never restarts keeps its full share
        /// of the live race; past it, its time counts as growing with its
        /// square (`spent² / patience`), so its share falls as the race
        /// goes on, while searches that restart (with new random ties)
        /// and the repairing worker keep theirs. A depth-first search's
        /// run time is heavy-tailed: one that has not placed its partition
        /// after a while is ever less likely to in the next while, and a
        /// restarting search is not (Gomes, Selman and Kautz, 2000). Most
        /// of the paper's partitions are placed within tens of
        /// milliseconds, well inside the default; `0s` keeps equal shares
        /// however long the race. The ablation `configs/no-patience.toml`
        /// measures it (docs/techniques.md).
        pub patience: Duration = "100ms",
        /// Time slices in the unit of a restarting worker's Luby schedule
        /// (1, 1, 2, 1, 1, 2, 4, ... units, a new random order at each
        /// start; see the worker key `restarts`), 64 slices being about
        /// 16 thousand nodes: short enough that a bad start is left
        /// quickly, long enough that a start can place a partition of a
        /// thousand buffers with some backtracking. Shorter units pack
        /// more of the generated packings with holes of a few hundred
        /// pieces but lose one of a thousand, so the default stays
        /// (docs/techniques.md, "Randomized restarts").
        pub restart_unit: u32 = "64",
        /// Thread time a hole-branching worker's search of a partition
        /// counts as having run when the live race opens the partition,
        /// and it does not go first as a fresh search would: it starts once
        /// the others have each run about this long (weighted as above).
        /// Most partitions of the paper's suite are placed within tens of
        /// milliseconds by the reference's orderings, where a sixth search
        /// from the start cost the A-K loop 6%; the packings hole branching
        /// wins take it longer than this to place; `0s`
        /// starts it with the others.
        pub holes_delay: Duration = "50ms",
        /// The same for a repairing worker's search: it starts once the
        /// others have each run about this long. The packings it wins take
        /// seconds (a descent from a greedy packing), while with it from
        /// 50 ms the paper's instances solved as tight/'s pairs' parts
        /// slowed by a third (pairDE 0.55 s to 0.86 s); `0s` starts it
        /// with the others.
        pub repair_delay: Duration = "500ms",
        /// Nodes a repairing worker's attempt may visit per buffer it frees
        /// (as `minimize.repair_nodes`, for the race at one capacity): a
        /// success needs one a buffer and, on packings with holes, some
        /// tens; a failure spends them all, and the next attempt frees
        /// fewer buffers.
        pub repair_nodes: i64 = "100",
        /// Nodes a search runs before the live race's scheduler may switch
        /// its thread to another search (searches pause, never restart):
        /// short enough that a partition's searches share a thread fairly,
        /// long enough that the scheduler's lock is rarely taken.
        pub slice: i64 = "256",
        /// Nodes every worker runs per step in deterministic mode, between
        /// the points where the workers compare notes: searches pause
        /// rather than restart, so a step only sets how often the workers
        /// merge what they proved.
        pub step: i64 = "1024",
    }
}

tunables! {
    /// Tunables of the neighbourhood search that improves large instances
    /// and minimizations.
    pub struct LnsTunables in "lns" {
        /// Most buffers freed per repair: a repair of this many buffers and
        /// their obstacles usually ends within its budget; a repair that
        /// times out halves its band (to 12 at least), one that succeeds
        /// doubles it back.
        pub band: usize = "48",
        /// Buffers living longer than this many times the median lifespan
        /// at the repaired moment stay where they are: moving a buffer that
        /// spans the schedule drags every buffer it meets into the repair.
        pub reach: i64 = "4",
        /// Repairs whose sub-problem would hold more buffers than this are
        /// skipped: larger windows rarely close within the budget.
        pub max_repair: usize = "600",
        /// Time budget of one exact repair: long enough for the online
        /// packing and a short exact search of a band, short enough that a
        /// stuck repair costs little.
        pub repair_budget: Duration = "150ms",
    }
}

tunables! {
    /// Tunables of capacity minimization's probes. A probe is one exact
    /// solve at a trial capacity under a time budget; a probe that runs out
    /// proves nothing, so budgets trade the number of capacities tried
    /// against the depth each is searched to.
    pub struct MinimizeTunables in "minimize" {
        /// A probe at the lower bound gets the remaining time divided by
        /// this: on the paper's instances the optimum usually is the bound,
        /// so the first probes deserve a good share, but a refuted bound is
        /// raised and probed again, several times.
        pub bound_share: u32 = "12",
        /// The same share where the problem is full at its lower bound
        /// (nine sections in ten with no room to spare: a packing at the
        /// bound, if any, has almost no slack): there only a probe at the
        /// bound can reach the bound, since the descent's probes above it
        /// have room everywhere and point filling's branching does not
        /// apply to them. tight/'s stack and perfect packings are full.
        pub full_bound_share: u32 = "3",
        /// Least and most time of a probe at the lower bound (the most is
        /// also the budget without a time limit).
        pub bound_budget: (Duration, Duration) = "[200ms, 10s]",
        /// A probe of the descent gets the remaining time divided by this:
        /// the descent runs a dozen or more probes; budgets double when the
        /// step is down to one.
        pub descent_share: u32 = "16",
        /// Least and most time of a descent probe.
        pub descent_budget: (Duration, Duration) = "[250ms, 10s]",
        /// A descent probe's time without a time limit; it doubles whenever
        /// the step is down to one.
        pub descent_unlimited: Duration = "5s",
        /// Whether the descent spends one of its threads (where it has two
        /// or more and need not be deterministic) on guided repair: the
        /// incumbent's highest buffers packed again by hole branching under
        /// a lower target, in an order near the incumbent's, so that the
        /// incumbent moves down between probes. `false` is the ablation
        /// (`configs/no-guided-repair.toml`).
        pub repair: bool = "true",
        /// Whether each probe of the descent that finds nothing is
        /// followed by a search at the lower bound with the same budget,
        /// by the preset's restarting hole-branching workers alone (where
        /// there are two threads or more and the run need not be
        /// deterministic). A packing at the bound that the optimistic
        /// probe missed is often found within a few seconds by such a
        /// search, whose run time is heavy-tailed, and the descent's
        /// probes on packings with holes rarely succeed anyway. Each such
        /// search has a seed of its own, and with `coarsening` every
        /// second one searches a coarse problem instead. `false` is the
        /// ablation (`configs/no-bound-search.toml`).
        pub bound_search: bool = "true",
        /// Nodes a guided repair's search may visit per buffer it frees: a
        /// success needs one a buffer and, on packings with holes, some
        /// tens; a failure spends them all, and the next attempt frees
        /// fewer buffers.
        pub repair_nodes: i64 = "100",
        /// Nodes the repair of the coarse packing (the repairing thread's
        /// first run, with `coarsening`) may go without a lower packing
        /// before the coarse problem is refined one level, each glued
        /// buffer split into the two it was glued from, and the repair
        /// goes on over that; over the problem's own buffers it goes on
        /// until stopped. Glued buffers let the repair reach further, until
        /// a glue stands in the way. Measured (docs/techniques.md, "Refined
        /// when the coarse repair stalls"): 8 million, level by level,
        /// ended lower than never refining and than going down to the
        /// problem's own buffers at once; with 2 million, on the one file
        /// traced, the coarse level was left after its first lower
        /// packing.
        pub coarse_patience: i64 = "8000000",
    }
}

impl MinimizeTunables {
    /// A bound probe's budget, given the run's remaining time and whether
    /// the problem is full at the bound.
    pub fn bound_probe(&self, remaining: Option<Duration>, full: bool) -> Duration {
        let (least, most) = self.bound_budget;
        let share = if full { self.full_bound_share } else { self.bound_share };
        match remaining {
            Some(r) => (r / share.max(1)).min(most),
            None => most,
        }
        .max(least)
    }

    /// A descent probe's first budget, given the run's remaining time.
    pub fn descent_probe(&self, remaining: Option<Duration>) -> Duration {
        let (least, most) = self.descent_budget;
        match remaining {
            Some(r) => (r / self.descent_share.max(1)).max(least).min(most.max(least)),
            None => self.descent_unlimited,
        }
    }
}

/// Every tunable of every table, in the order `docs/tunables.md` lists
/// them.
pub fn all_docs() -> Vec<TunableDoc> {
    let mut all = PortfolioTunables::docs();
    all.extend(LnsTunables::docs());
    all.extend(MinimizeTunables::docs());
    all
}

/// `docs/tunables.md`, made from the tables.
pub fn markdown() -> String {
    let mut page = String::from(
        "# Tunables\n\n\
         Generated from the tables in `src/tunables.rs` (a test fails when this page\n\
         differs from them; `MINIMALLOC_BLESS=1 cargo test --lib tunables` rewrites it).\n\
         A preset (`--config=FILE`) sets the portfolio's at its top level and the others in\n\
         its `[lns]` or `[minimize]` table; `--tunable KEY=VALUE` on the command line\n\
         (repeatable), `SolverParams.set_tunable(KEY, value)` in Python and\n\
         `mm_params_set_tunable` in C (`SolverParams::tunables` in C++) set one by the key\n\
         listed here, each checked by the same table. The technique switches are in\n\
         [techniques.md](techniques.md), the workers and greedy placements in\n\
         `configs/default.toml`.\n\n\
         | key | default | range | what, and why the default |\n|---|---|---|---|\n",
    );
    for t in all_docs() {
        page.push_str(&format!("| `{}` | `{}` | {} | {} |\n", t.key, t.default, t.range.replace('|', "\\|"), t.doc));
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_and_reads_back() {
        let l = LnsTunables::default();
        assert_eq!((l.band, l.reach, l.max_repair, l.repair_budget), (48, 4, 600, Duration::from_millis(150)));
        let m = MinimizeTunables::default();
        assert_eq!(m.bound_budget, (Duration::from_millis(200), Duration::from_secs(10)));
        assert_eq!(m.descent_unlimited, Duration::from_secs(5));
        assert!(m.repair && m.bound_search);
        assert_eq!((m.repair_nodes, m.coarse_patience), (100, 8_000_000));
        // A problem full at its bound gives the bound probe a larger share.
        assert_eq!(m.bound_probe(Some(Duration::from_secs(12)), false), Duration::from_secs(1));
        assert_eq!(m.bound_probe(Some(Duration::from_secs(12)), true), Duration::from_secs(4));
        assert_eq!(m.bound_probe(None, true), Duration::from_secs(10));
        let p = PortfolioTunables::default();
        assert!(p.quick_round && p.nogoods && p.stacking && p.coarsening && p.share_facts);
        assert_eq!((p.winning_bonus, p.slice, p.step), (3, 256, 1024));
        assert_eq!(p.holes_delay, Duration::from_millis(50));
        assert_eq!((p.patience, p.restart_unit), (Duration::from_millis(100), 64));
        assert_eq!(p.repair_nodes, 100);
        assert_eq!(p.repair_delay, Duration::from_millis(500));
        assert_eq!(all_docs().len(), 28);
    }

    #[test]
    fn set_checks_ranges_and_names() {
        let mut l = LnsTunables::default();
        l.set("band", &toml::Value::Integer(20)).unwrap();
        assert_eq!(l.band, 20);
        assert!(l.set("band", &toml::Value::Integer(0)).unwrap_err().contains("lns.band must be at least 1"));
        assert!(l.set("frobs", &toml::Value::Integer(1)).unwrap_err().contains("keys: band, reach"));
        assert!(l.set("repair_budget", &toml::Value::String("inf".into())).is_err());
        let mut m = MinimizeTunables::default();
        let pair = |a: &str, b: &str| toml::Value::Array(vec![a.into(), b.into()]);
        m.set("descent_budget", &pair("1s", "2s")).unwrap();
        assert_eq!(m.descent_budget, (Duration::from_secs(1), Duration::from_secs(2)));
        assert!(m.set("bound_budget", &pair("2s", "1s")).is_err());
        assert!(m.set("descent_share", &toml::Value::Integer(99_999_999_999)).unwrap_err().contains("too large"));
        // The portfolio's keys sit at the preset's top level.
        let mut p = PortfolioTunables::default();
        p.set("winning_bonus", &toml::Value::Integer(0)).unwrap();
        assert_eq!(p.winning_bonus, 0);
        assert_eq!(p.set("slice", &toml::Value::Integer(0)).unwrap_err(), "slice must be at least 1, got 0");
        assert!(p.set("stacking", &toml::Value::Integer(1)).unwrap_err().contains("true or false"));
    }

    /// `docs/tunables.md` is made from the tables; with MINIMALLOC_BLESS
    /// set, this test rewrites it.
    #[test]
    fn the_tunables_page_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tunables.md");
        let page = markdown();
        if std::env::var_os("MINIMALLOC_BLESS").is_some() {
            std::fs::write(&path, &page).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(on_disk == page, "docs/tunables.md is stale: rerun with MINIMALLOC_BLESS=1");
    }
}
