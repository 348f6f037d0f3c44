//! Solver parameters: the reference's nine technique switches, its
//! preordering heuristics, and the time limit. Every switch defaults to on,
//! as in the reference; turning one off is for ablation studies.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One key of a static preordering: buffers are sorted by the keys of a
/// heuristic in turn, each descending, ties broken by buffer index.
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

/// Parses a comma-separated list of heuristics such as `WAT,TAW,TWA`.
pub fn parse_heuristics(s: &str) -> Result<Vec<Heuristic>, String> {
    let list: Vec<Heuristic> =
        s.split(',').filter(|h| !h.trim().is_empty()).map(str::parse).collect::<Result<_, _>>()?;
    if list.is_empty() {
        return Err("no preordering heuristic given".into());
    }
    Ok(list)
}

/// The reference's default heuristics, tried in round robin.
pub const DEFAULT_HEURISTICS: &str = "WAT,TAW,TWA";

/// The search's technique switches (all on by default, as in the reference)
/// and limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SolverParams {
    /// Give up after this long (`None`: no limit).
    pub timeout: Option<Duration>,
    /// Only explore canonical solutions: buffers placed in non-decreasing
    /// offset order, ties by preorder.
    pub canonical_only: bool,
    /// Prune when a section's floor plus its unplaced sizes exceeds the capacity.
    pub section_inference: bool,
    /// Try buffers by lowest feasible offset first (else in preorder).
    pub dynamic_ordering: bool,
    /// Prune placements that leave a gap some unplaced buffer fits in wholly.
    pub check_dominance: bool,
    /// Raise a section's floor to the lowest offset any of its unplaced buffers can take.
    pub unallocated_floor: bool,
    /// Sort buffers by the heuristic before searching (else input order).
    pub static_preordering: bool,
    /// Split a partition when placed buffers cut it in independent parts.
    pub dynamic_decomposition: bool,
    /// Require the solution's floor to rise monotonically.
    pub monotonic_floor: bool,
    /// When a placed buffer has nothing overhead and its subtree fails, skip its siblings.
    pub hatless_pruning: bool,
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
            canonical_only: true,
            section_inference: true,
            dynamic_ordering: true,
            check_dominance: true,
            unallocated_floor: true,
            static_preordering: true,
            dynamic_decomposition: true,
            monotonic_floor: true,
            hatless_pruning: true,
            preordering_heuristics: parse_heuristics(DEFAULT_HEURISTICS).unwrap_or_default(),
            threads: 0,
            seed: 0,
            deterministic: false,
            large_pairs: LARGE_PAIRS,
        }
    }
}

/// The names of the nine technique switches, in the reference's order.
pub const SWITCHES: [&str; 9] = [
    "canonical_only",
    "section_inference",
    "dynamic_ordering",
    "check_dominance",
    "unallocated_floor",
    "static_preordering",
    "dynamic_decomposition",
    "monotonic_floor",
    "hatless_pruning",
];

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
/// search's memory; thousands took seconds to start and hundreds of
/// megabytes before any search ran.
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
        let mut p = SolverParams::default();
        for name in SWITCHES {
            p.set_switch(name, false);
        }
        p
    }

    /// Sets a technique switch by its reference name; `false` if no such switch.
    pub fn set_switch(&mut self, name: &str, value: bool) -> bool {
        let slot = match name.replace('-', "_").as_str() {
            "canonical_only" => &mut self.canonical_only,
            "section_inference" => &mut self.section_inference,
            "dynamic_ordering" => &mut self.dynamic_ordering,
            "check_dominance" => &mut self.check_dominance,
            "unallocated_floor" => &mut self.unallocated_floor,
            "static_preordering" => &mut self.static_preordering,
            "dynamic_decomposition" => &mut self.dynamic_decomposition,
            "monotonic_floor" => &mut self.monotonic_floor,
            "hatless_pruning" => &mut self.hatless_pruning,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Reads a technique switch by name.
    pub fn switch(&self, name: &str) -> Option<bool> {
        Some(match name.replace('-', "_").as_str() {
            "canonical_only" => self.canonical_only,
            "section_inference" => self.section_inference,
            "dynamic_ordering" => self.dynamic_ordering,
            "check_dominance" => self.check_dominance,
            "unallocated_floor" => self.unallocated_floor,
            "static_preordering" => self.static_preordering,
            "dynamic_decomposition" => self.dynamic_decomposition,
            "monotonic_floor" => self.monotonic_floor,
            "hatless_pruning" => self.hatless_pruning,
            _ => return None,
        })
    }

    /// Sets all nine switches from a 9-bit mask (bit i = `SWITCHES[i]`).
    pub fn with_switch_mask(mut self, mask: u32) -> Self {
        for (i, name) in SWITCHES.iter().enumerate() {
            self.set_switch(name, mask & (1 << i) != 0);
        }
        self
    }
}

/// Parses a duration such as `30s`, `1m`, `500ms`, `1h30m`, `2.5s`, `inf`,
/// or a bare number of seconds. `None` means no limit.
pub fn parse_duration(text: &str) -> Result<Option<Duration>, String> {
    let s = text.trim();
    if matches!(s.to_ascii_lowercase().as_str(), "inf" | "infinite" | "infinity" | "none") {
        return Ok(None);
    }
    let bad = || format!("invalid duration '{text}' (examples: 30s, 1m, 500ms, 1h30m, inf)");
    if let Ok(secs) = s.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map(Some).map_err(|_| bad());
    }
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
    Duration::try_from_secs_f64(total).map(Some).map_err(|_| bad())
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

    #[test]
    fn switches_by_name_and_mask() {
        let mut p = SolverParams::default();
        assert!(p.set_switch("hatless-pruning", false));
        assert!(!p.hatless_pruning);
        assert!(!p.set_switch("nonsense", true));
        let off = SolverParams::all_off();
        assert!(SWITCHES.iter().all(|s| off.switch(s) == Some(false)));
        let m = SolverParams::default().with_switch_mask(0b1);
        assert!(m.canonical_only && !m.section_inference);
    }
}
