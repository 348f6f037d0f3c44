//! Static preordering: the order in which the search prefers buffers when
//! their lowest offsets tie. A heuristic is a list of keys compared in turn,
//! each descending; the final tie-break is a per-buffer rank (the buffer
//! index for the reference's behaviour, a seeded permutation for diversity).

use crate::params::{Key, SortKey};

/// The attributes a heuristic can sort by, for one buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PreorderData {
    /// Size times lifespan length.
    pub area: i128,
    /// Lifespan start.
    pub lower: i64,
    /// Number of buffers it overlaps.
    pub overlaps: u64,
    /// Number of sections from its first to its last.
    pub sections: u64,
    /// Size.
    pub size: i64,
    /// Largest remaining total of any section it is in, when the ordering is made.
    pub total: i64,
    /// Lifespan end.
    pub upper: i64,
    /// Lifespan length.
    pub width: i64,
    /// The buffer.
    pub buffer: u32,
    /// Final tie-break, ascending.
    pub rank: u32,
}

impl PreorderData {
    /// This buffer's value of `key`.
    #[inline]
    pub fn value(&self, key: Key) -> i128 {
        match key {
            Key::Area => self.area,
            Key::Sections => i128::from(self.sections),
            Key::Lower => i128::from(self.lower),
            Key::Overlaps => i128::from(self.overlaps),
            Key::Total => i128::from(self.total),
            Key::Upper => i128::from(self.upper),
            Key::Width => i128::from(self.width),
            Key::Size => i128::from(self.size),
        }
    }
}

/// Total order for sorting by a preordering: its keys descending in turn,
/// then rank ascending.
pub(crate) fn compare(keys: &[Key], a: &PreorderData, b: &PreorderData) -> std::cmp::Ordering {
    for &key in keys {
        let ord = SortKey::desc(key).cmp(a.value(key), b.value(key));
        if ord.is_ne() {
            return ord;
        }
    }
    a.rank.cmp(&b.rank)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Heuristic;

    /// Whether `a` comes before `b` under heuristic `h`.
    fn precedes(h: &Heuristic, a: &PreorderData, b: &PreorderData) -> bool {
        compare(&h.0, a, b) == std::cmp::Ordering::Less
    }

    #[test]
    fn compares_like_the_reference() {
        // The reference's comparator test, heuristic TWA.
        let d = |area, total, width, rank| PreorderData { area, total, width, rank, ..Default::default() };
        let a = d(1, 3, 2, 0);
        let b = d(0, 4, 1, 0);
        let c = d(0, 3, 3, 0);
        let dd = d(2, 3, 2, 0);
        let e = d(1, 3, 2, 1);
        let h: Heuristic = "TWA".parse().unwrap();
        assert!(precedes(&h, &b, &a));
        assert!(precedes(&h, &c, &a));
        assert!(precedes(&h, &dd, &a));
        assert!(precedes(&h, &a, &e));
        assert!(!precedes(&h, &a, &a));
    }
}
