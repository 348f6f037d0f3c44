//! Solver parameters: the technique switches (the reference's nine and
//! this project's, named in [`crate::switches`]), its preordering heuristics, and the time limit.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

pub use crate::tunables::{parse_duration, time_limit, LnsTunables, MinimizeTunables};

use crate::switches::{Switch, Switches};

/// A property of a buffer that orders sort by: the one vocabulary of every
/// order in the project. A static preordering (the reference's letters)
/// sorts by its keys in turn, each descending, ties broken by buffer index;
/// the portfolio's greedy orders and the offline orders of the large path
/// are lists of [`SortKey`]s, which say the direction. The first five
/// (area, lower, upper, width, size) are a buffer's own; sections, overlaps
/// and total are computed by the search's model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// `A`: area, size times lifespan length.
    Area,
    /// `C`: number of sections spanned.
    Sections,
    /// `L`: lifespan start.
    Lower,
    /// `O`: number of buffers it overlaps.
    Overlaps,
    /// `T`: the largest total (remaining size) of any section it is in.
    Total,
    /// `U`: lifespan end.
    Upper,
    /// `W`: lifespan length.
    Width,
    /// `Z`: size.
    Size,
}

impl Key {
    fn from_letter(c: char) -> Option<Key> {
        Some(match c {
            'A' => Key::Area,
            'C' => Key::Sections,
            'L' => Key::Lower,
            'O' => Key::Overlaps,
            'T' => Key::Total,
            'U' => Key::Upper,
            'W' => Key::Width,
            'Z' => Key::Size,
            _ => return None,
        })
    }

    fn letter(self) -> char {
        match self {
            Key::Area => 'A',
            Key::Sections => 'C',
            Key::Lower => 'L',
            Key::Overlaps => 'O',
            Key::Total => 'T',
            Key::Upper => 'U',
            Key::Width => 'W',
            Key::Size => 'Z',
        }
    }
}

/// A key and the direction it sorts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// What is compared.
    pub key: Key,
    /// Largest first (every key of a preordering); otherwise smallest
    /// first (the greedy orders' earliest start).
    pub descending: bool,
}

impl SortKey {
    /// Largest first.
    pub const fn desc(key: Key) -> SortKey {
        SortKey { key, descending: true }
    }

    /// Smallest first.
    pub const fn asc(key: Key) -> SortKey {
        SortKey { key, descending: false }
    }

    /// How a buffer whose value of the key is `a` compares with one whose
    /// value is `b` in this order (`Less`: the first goes first).
    #[inline]
    pub fn cmp<T: Ord>(self, a: T, b: T) -> std::cmp::Ordering {
        if self.descending {
            b.cmp(&a)
        } else {
            a.cmp(&b)
        }
    }

    /// The first of `keys` on which `value(a)` and `value(b)` differ
    /// decides, in its direction; `Equal` if none does.
    pub fn compare<T: Ord>(keys: &[SortKey], value: impl Fn(Key) -> (T, T)) -> std::cmp::Ordering {
        for k in keys {
            let (a, b) = value(k.key);
            let ord = k.cmp(a, b);
            if ord.is_ne() {
                return ord;
            }
        }
        std::cmp::Ordering::Equal
    }
}

/// A static preordering heuristic such as `WAT` (width, then area, then total).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Heuristic(pub Vec<Key>);

impl FromStr for Heuristic {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty preordering heuristic".into());
        }
        s.chars()
            .map(|c| {
                Key::from_letter(c).ok_or_else(|| {
                    format!("unknown preordering key '{c}' in '{s}' (keys: A area, C sections, L lower, O overlaps, T total, U upper, W width, Z size)")
                })
            })
            .collect::<Result<_, _>>()
            .map(Heuristic)
    }
}

impl fmt::Display for Heuristic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|k| write!(f, "{}", k.letter()))
    }
}

/// Parses a comma-separated list of heuristics such as `WAT,TAW,TWA`: at
/// least one, and no empty item (`WAT,,TWA` is a typo, not two heuristics).
/// Every front end (flags, presets, Python, C) reads heuristics here, and
/// puts the name the user wrote before its errors.
pub fn parse_heuristics(s: &str) -> Result<Vec<Heuristic>, String> {
    if s.split(',').all(|h| h.trim().is_empty()) {
        return Err("no preordering heuristic given".into());
    }
    s.split(',')
        .enumerate()
        .map(|(i, h)| {
            if h.trim().is_empty() {
                Err(format!("empty preordering heuristic (item {} of '{}')", i + 1, s.escape_debug()))
            } else {
                h.parse()
            }
        })
        .collect()
}

// The rules below are the one place each front end (flags, presets,
// Python, C) checks what a user gives. Their errors are predicates: the
// front end puts the name the user wrote before them (`--threads`,
// `preset key threads`, `threads`), so the rule reads the same everywhere.

/// The thread count a user gives: 1 to [`MAX_THREADS`]. One per core is
/// what a solve uses when none is given ([`SolverParams::threads`] 0).
pub fn check_threads(given: i128) -> Result<usize, String> {
    match usize::try_from(given) {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("must be between 1 and {MAX_THREADS}, got {given} (leave it unset for one per core)")),
    }
}

/// The reference's default heuristics, tried in round robin.
pub const DEFAULT_HEURISTICS: &str = "WAT,TAW,TWA";

/// What a solve runs: the technique switches (all on by default, as in the
/// reference), the preorderings, and the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolverParams {
    /// Give up after this long (`None`: no limit).
    pub timeout: Option<Duration>,
    /// The nine technique switches.
    pub switches: Switches,
    /// Static preorderings; with more than one, they are tried in round robin
    /// with doubling node limits, as the reference does.
    pub preordering_heuristics: Vec<Heuristic>,
    /// Worker threads: 1 runs the reference's sequential algorithm (unless
    /// `deterministic`), more run the parallel portfolio, 0 means one per core.
    pub threads: usize,
    /// Seed of the portfolio's randomized tie-breaking.
    pub seed: u64,
    /// Make the portfolio's answer independent of timing and thread count.
    pub deterministic: bool,
    /// Problems with more pairs of buffers live together than this take
    /// the large-instance path (online and greedy packings improved by
    /// neighbourhood search) instead of the exact search, whose model
    /// stores every pair. `[default: 4,000,000]` (about 100 MB of model;
    /// the real traces up to somas_bert_base stay under it, iopddl_Y_1 and
    /// S_1 are far above) `[range: any; 0 sends every problem with an
    /// overlapping pair down the large path, which tests use]`.
    pub large_pairs: u64,
}

impl Default for SolverParams {
    fn default() -> Self {
        SolverParams {
            timeout: None,
            switches: Switches::REFERENCE,
            preordering_heuristics: parse_heuristics(DEFAULT_HEURISTICS).unwrap_or_default(),
            threads: 0,
            seed: 0,
            deterministic: false,
            large_pairs: LARGE_PAIRS,
        }
    }
}

/// Problems with more overlapping pairs than this are too large for the
/// exact search's model (it stores every pair, about 16 bytes each way), so
/// they are solved by the online heuristics and improved by the
/// neighbourhood search, which only ever builds models of small pieces
/// (the default of [`SolverParams::large_pairs`]).
pub const LARGE_PAIRS: u64 = 4_000_000;

/// The most threads a solve uses (`[range] 1..=256`). The front ends
/// refuse more; the library uses this many when asked for more. Past a few
/// dozen threads the portfolio gains nothing (every worker is one search of
/// a race that the fastest wins), while each thread costs a stack and a
/// search's memory before any search runs.
pub const MAX_THREADS: usize = 256;

impl SolverParams {
    /// The number of threads `threads` stands for (0: one per core), at
    /// most [`MAX_THREADS`].
    pub fn thread_count(&self) -> usize {
        let n =
            if self.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { self.threads };
        n.min(MAX_THREADS)
    }

    /// Whether these parameters ask for the reference's sequential algorithm:
    /// one thread and no deterministic portfolio.
    pub fn sequential(&self) -> bool {
        self.thread_count() == 1 && !self.deterministic
    }

    /// Parameters with every technique switch off (for ablation).
    pub fn all_off() -> Self {
        SolverParams { switches: Switches::ALL_OFF, ..SolverParams::default() }
    }

    /// Whether `switch` is on.
    pub fn on(&self, switch: Switch) -> bool {
        self.switches.get(switch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heuristics_parse_and_print() {
        let h = parse_heuristics("WAT,TAW,TWA").unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h[0].0, vec![Key::Width, Key::Area, Key::Total]);
        assert_eq!(h[2].to_string(), "TWA");
        assert!(parse_heuristics("WAX").unwrap_err().contains("'X'"));
        assert!(parse_heuristics(",").is_err());
        assert_eq!(parse_heuristics("CLOUZ").unwrap()[0].to_string(), "CLOUZ");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m").unwrap(), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("500ms").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1h30m").unwrap(), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2.5").unwrap(), Some(Duration::from_millis(2500)));
        assert_eq!(parse_duration("inf").unwrap(), None);
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("5parsecs").is_err());
    }
}
