//! The crew that actually races on each partition, derived from the
//! options rather than configured because it depends on the thread count
//! of the solve: in live mode every thread should have a search of its
//! own, while deterministic mode must not depend on threads. And the two
//! sources of variety the race draws on: random tie-breaking ranks and the
//! restart schedule.

use crate::options::{SolveOptions, Worker};

/// The `i`-th term of the Luby sequence (from 1): 1, 1, 2, 1, 1, 2, 4, 1, ...
pub(super) fn luby(i: u64) -> u64 {
    let mut i = i.max(1);
    loop {
        // The smallest k with 2^k - 1 >= i.
        let k = 64 - i.leading_zeros() as u64;
        if i == (1 << k) - 1 {
            return 1 << (k - 1);
        }
        i -= (1 << (k - 1)) - 1;
    }
}

impl SolveOptions {
    /// The workers that race on each partition: the configured ones and, in
    /// live mode with more threads than workers, extra workers so that every
    /// thread has a search of its own: seeded variants of the configured
    /// ones (random tie-breaking) alternating with other heuristic families
    /// (CWA, AWT, LWA: on the paper's suite each places some instance the
    /// reference's three struggle with). Deterministic mode uses exactly the
    /// configured workers, whatever the thread count.
    pub(super) fn crew(&self, threads: usize) -> Vec<Worker> {
        const FAMILIES: [&str; 3] = ["CWA", "AWT", "LWA"];
        let workers = &self.workers;
        let mut crew = workers.clone();
        if !self.params.deterministic {
            let base = workers[0].switches;
            for extra in 0..threads.saturating_sub(workers.len()) {
                let round = extra / 2;
                let mut c = if extra % 2 == 0 {
                    let mut c = workers[round % workers.len()].clone();
                    c.seeded = true;
                    c
                } else {
                    let mut c = Worker::new(FAMILIES[round % FAMILIES.len()], round >= FAMILIES.len());
                    c.switches = base;
                    c
                };
                c.name = format!("{}{}{}", c.heuristic, if c.seeded { "~" } else { "" }, extra + 1);
                crew.push(c);
            }
        }
        crew
    }
}

/// A permutation of `0..n` drawn from `seed` (splitmix64 and Fisher-Yates).
pub(super) fn random_rank(n: usize, seed: u64) -> Vec<u32> {
    let mut rng = crate::rng::Rng::new(seed);
    let mut rank: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        rank.swap(i, j);
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::SolverParams;

    fn options(threads: usize, deterministic: bool) -> SolveOptions {
        let params = SolverParams { threads, deterministic, ..SolverParams::default() };
        SolveOptions::from_params(&params)
    }

    #[test]
    fn the_crew_follows_the_thread_count() {
        let crew = |t, d| options(t, d).crew(t).into_iter().map(|w| w.name).collect::<Vec<_>>();
        let default = ["TWA", "TAW", "WAT", "TWA+pf", "TWA+pf~r", "holes~r", "repair~"];
        assert_eq!(crew(2, false), default);
        assert_eq!(crew(9, false), [&default[..], &["TWA~1", "CWA2"]].concat());
        assert_eq!(crew(6, true), default);
    }

    #[test]
    fn random_rank_is_a_permutation() {
        let mut r = random_rank(100, 7);
        assert_ne!(r, (0..100).collect::<Vec<u32>>());
        r.sort();
        assert_eq!(r, (0..100).collect::<Vec<u32>>());
    }

    #[test]
    fn the_luby_sequence() {
        let first: Vec<u64> = (1..=15).map(luby).collect();
        assert_eq!(first, [1, 1, 2, 1, 1, 2, 4, 1, 1, 2, 1, 1, 2, 4, 8]);
    }
}
