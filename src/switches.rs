//! The search's technique switches, in one table: the reference's nine,
//! then this project's own (point filling, identical order, failure
//! learning).
//!
//! Every place that names a switch reads [`Switch::ALL`] and
//! [`Switch::name`]: the command line's flags (`--canonical_only=false`,
//! `--nocanonical_only`), the presets' `[switches]` tables, the Python
//! attributes (`SolverParams.canonical_only`), the statistics file and the
//! ablation presets' test. Adding a switch is one row here and one use in
//! the search.

use std::fmt;

/// One technique switch of the search. The reference's nine are on by
/// default, as in the reference (turning one off is for ablation studies);
/// this project's own are off by default, so that the default parameters
/// run the reference's algorithm node for node, and the portfolio's
/// presets turn them on for some of its workers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Switch {
    /// Only explore canonical solutions: buffers placed in non-decreasing
    /// offset order, ties by preorder.
    CanonicalOnly,
    /// Prune when a section's floor plus its unplaced sizes exceeds the capacity.
    SectionInference,
    /// Try buffers by lowest feasible offset first (else in preorder).
    DynamicOrdering,
    /// Prune placements that leave a gap some unplaced buffer fits in wholly.
    CheckDominance,
    /// Raise a section's floor to the lowest offset any of its unplaced buffers can take.
    UnallocatedFloor,
    /// Sort buffers by the heuristic before searching (else input order).
    StaticPreordering,
    /// Split a partition when placed buffers cut it in independent parts.
    DynamicDecomposition,
    /// Require the solution's floor to rise monotonically.
    MonotonicFloor,
    /// When a placed buffer has nothing overhead and its subtree fails, skip its siblings.
    HatlessPruning,
    /// Where the lowest section that still has buffers to place has no
    /// spare room, branch on the buffers that can fill its lowest point
    /// (one of them must) instead of on every buffer (not in the reference).
    PointFilling,
    /// Identical buffers (same lifespan, size and alignment, no gaps, no
    /// fixed offset) are interchangeable, so place them in preorder only:
    /// a buffer is skipped while the identical buffer just before it in
    /// the preorder is unplaced (not in the reference).
    IdenticalOrder,
    /// Learn from failures: where a node that excluded nothing fails, its
    /// unplaced buffers cannot all sit at or above their lowest offsets;
    /// prune every later node with the same unplaced buffers at or above
    /// those offsets (see `search::learned`; not in the reference).
    FailureLearning,
}

/// The table: each switch, its reference name, and its one-line help.
const TABLE: [(Switch, &str, &str); 12] = [
    (Switch::CanonicalOnly, "canonical_only", "Explore canonical solutions only."),
    (
        Switch::SectionInference,
        "section_inference",
        "Prune when a section's floor plus its remaining sizes exceeds the capacity.",
    ),
    (Switch::DynamicOrdering, "dynamic_ordering", "Try buffers by lowest feasible offset first."),
    (Switch::CheckDominance, "check_dominance", "Prune placements that leave gaps an unplaced buffer fits in."),
    (Switch::UnallocatedFloor, "unallocated_floor", "Use unplaced buffers' lowest offsets to raise section floors."),
    (Switch::StaticPreordering, "static_preordering", "Sort buffers by the preordering heuristic before searching."),
    (Switch::DynamicDecomposition, "dynamic_decomposition", "Split partitions that placed buffers cut apart."),
    (Switch::MonotonicFloor, "monotonic_floor", "Require the solution floor to rise monotonically."),
    (Switch::HatlessPruning, "hatless_pruning", "Prune alternatives when a buffer has nothing overhead."),
    (
        Switch::PointFilling,
        "point_filling",
        "Where the lowest section has no spare room, branch on the buffers that fill its lowest point (not in the reference; off by default).",
    ),
    (
        Switch::IdenticalOrder,
        "identical_order",
        "Place identical buffers (same lifespan, size and alignment) in preorder only (not in the reference; off by default).",
    ),
    (
        Switch::FailureLearning,
        "failure_learning",
        "Remember the unplaced buffers and lowest offsets of failed nodes and prune states at least as constrained (not in the reference; off by default).",
    ),
];

impl Switch {
    /// Every switch: the reference's nine in its order, then this project's.
    pub const ALL: [Switch; 12] = [
        Switch::CanonicalOnly,
        Switch::SectionInference,
        Switch::DynamicOrdering,
        Switch::CheckDominance,
        Switch::UnallocatedFloor,
        Switch::StaticPreordering,
        Switch::DynamicDecomposition,
        Switch::MonotonicFloor,
        Switch::HatlessPruning,
        Switch::PointFilling,
        Switch::IdenticalOrder,
        Switch::FailureLearning,
    ];

    /// Whether a search may turn this switch on or off midway and stay
    /// sound: identical order only skips subtrees that mirror a sibling's
    /// tried before, and failure learning only learns from nodes exhausted
    /// while it is on and prunes by facts about the problem. The race lets
    /// a worker carry on the quick round's search if their switches differ
    /// in these only.
    pub fn resumable(self) -> bool {
        matches!(self, Switch::IdenticalOrder | Switch::FailureLearning)
    }

    /// Whether the reference has this switch (and it is on by default).
    pub fn in_reference(self) -> bool {
        !matches!(self, Switch::PointFilling | Switch::IdenticalOrder | Switch::FailureLearning)
    }

    /// The reference's name, such as `canonical_only`.
    pub fn name(self) -> &'static str {
        TABLE[self as usize].1
    }

    /// One line of help, for `--help` and docstrings.
    pub fn help(self) -> &'static str {
        TABLE[self as usize].2
    }

    /// The switch of a name; dashes stand for underscores (`canonical-only`).
    pub fn from_name(name: &str) -> Option<Switch> {
        let name = name.replace('-', "_");
        Switch::ALL.into_iter().find(|s| s.name() == name)
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A setting of every switch. Invariant: only the low `Switch::ALL.len()`
/// bits are ever set, bit `i` being `Switch::ALL[i]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Switches(u16);

impl Switches {
    /// The reference's nine on, this project's off: the default.
    pub const REFERENCE: Switches = Switches((1 << 9) - 1);
    /// Every switch on.
    pub const ALL_ON: Switches = Switches((1 << Switch::ALL.len()) - 1);
    /// Every switch off (for ablation).
    pub const ALL_OFF: Switches = Switches(0);

    /// Whether `switch` is on.
    #[inline]
    pub fn get(self, switch: Switch) -> bool {
        self.0 & switch.bit() != 0
    }

    /// Turns `switch` on or off.
    pub fn set(&mut self, switch: Switch, on: bool) {
        if on {
            self.0 |= switch.bit();
        } else {
            self.0 &= !switch.bit();
        }
    }

    /// These switches with `switch` set to `on`.
    pub fn with(mut self, switch: Switch, on: bool) -> Switches {
        self.set(switch, on);
        self
    }

    /// Switches from a mask (bit i = `Switch::ALL[i]`; higher bits ignored).
    pub fn from_mask(mask: u32) -> Switches {
        Switches((mask & u32::from(Switches::ALL_ON.0)) as u16)
    }

    /// The mask of these switches.
    pub fn mask(self) -> u32 {
        u32::from(self.0)
    }

    /// Sets a switch by name; `false` if there is no switch of that name.
    pub fn set_by_name(&mut self, name: &str, on: bool) -> bool {
        Switch::from_name(name).map(|s| self.set(s, on)).is_some()
    }

    /// Each switch with its setting, in the reference's order.
    pub fn iter(self) -> impl Iterator<Item = (Switch, bool)> {
        Switch::ALL.into_iter().map(move |s| (s, self.get(s)))
    }
}

impl Default for Switches {
    fn default() -> Self {
        Switches::REFERENCE
    }
}

impl fmt::Debug for Switches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter().map(|(s, on)| (s.name(), on))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_enum_order() {
        for (i, s) in Switch::ALL.into_iter().enumerate() {
            assert_eq!(TABLE[i].0, s);
            assert_eq!(s as usize, i);
            assert_eq!(Switch::from_name(s.name()), Some(s));
        }
        assert_eq!(Switch::from_name("hatless-pruning"), Some(Switch::HatlessPruning));
        assert_eq!(Switch::from_name("nonsense"), None);
    }

    #[test]
    fn setting_and_masks() {
        let mut s = Switches::default();
        assert!(s.iter().all(|(sw, on)| on == sw.in_reference()));
        assert_eq!(Switch::ALL.iter().filter(|s| s.in_reference()).count(), 9);
        s.set(Switch::PointFilling, true);
        s.set(Switch::IdenticalOrder, true);
        s.set(Switch::FailureLearning, true);
        s.set(Switch::CheckDominance, false);
        assert!(!s.get(Switch::CheckDominance) && s.get(Switch::CanonicalOnly));
        assert_eq!(Switches::from_mask(s.mask()), s);
        assert_eq!(Switches::from_mask(u32::MAX), Switches::ALL_ON);
        assert!(s.set_by_name("check-dominance", true));
        assert_eq!(s, Switches::ALL_ON);
        assert!(!s.set_by_name("frobnicate", true));
        assert_eq!(Switches::from_mask(1), Switches::ALL_OFF.with(Switch::CanonicalOnly, true));
        assert!(format!("{s:?}").starts_with("{\"canonical_only\": true"));
    }
}
