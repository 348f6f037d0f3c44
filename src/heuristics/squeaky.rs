//! Squeaky-wheel optimisation of the offline greedy (Joslin and Clements,
//! JAIR 1999): pack greedily, find the buffers that hold the packing up,
//! raise their priority, and pack again.
//!
//! The buffers that hold a greedy packing up are those on a chain from the
//! top down to offset 0: a buffer touching the top, the buffer it was
//! placed on (one below it, live at the same time, ending where it starts),
//! and so on. Placing them earlier lets them take lower holes, and the
//! packing usually changes shape there. The neighbourhood search of
//! `lns` cannot help where long-lived buffers make up the top (any
//! repair of them spans the whole schedule); this can, since every pass
//! rebuilds the whole packing. Each pass costs one greedy, O(n^2) cheap
//! steps, so it is for problems of up to a few tens of thousands of buffers.

use std::collections::HashMap;

use super::orders::{in_order, Order};
use crate::problem::{Problem, Solution};
use crate::rng::Rng;
use crate::stop::StopToken;

/// Repacks `problem` with raised priorities until `stop` says to stop,
/// starting from `order` (`first`, when given, is the greedy's packing in
/// that order, which saves the first pass); calls `progress`
/// with each lower height and returns the lowest packing, or `None` when
/// fixed buffers collide. A reversed order repacks the problem mirrored in
/// time (see [`Order`]); its packings are the problem's.
pub fn squeaky(
    problem: &Problem,
    order: Order,
    first: Option<&Solution>,
    seed: u64,
    stop: &StopToken,
    progress: &(dyn Fn(&Solution) + Sync),
) -> Option<Solution> {
    let mirror;
    let problem = if order.reversed {
        mirror = super::orders::mirrored(problem)?;
        &mirror
    } else {
        problem
    };
    let buffers = &problem.buffers;
    let n = buffers.len();
    // Priorities start as ranks in the order (the first buffer highest).
    let mut priority = vec![0.0; n];
    for (rank, b) in order.permutation(problem).into_iter().enumerate() {
        priority[b] = (n - rank) as f64;
    }
    let mut rng = Rng::new(seed);
    let mut best: Option<Solution> = None;
    let halt = || stop.should_stop();
    let mut raise = |solution: &Solution, priority: &mut [f64]| {
        for b in chains(problem, solution) {
            // A random raise keeps the passes from cycling through a few packings.
            priority[b] *= 1.2 + (rng.next_u64() % 1024) as f64 / 1280.0;
        }
    };
    if let Some(first) = first {
        raise(first, &mut priority);
        best = Some(first.clone());
    }
    while !halt() {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| {
            buffers[a]
                .offset
                .is_none()
                .cmp(&buffers[b].offset.is_none())
                .then(priority[b].total_cmp(&priority[a]))
                .then(a.cmp(&b))
        });
        // Stopped, or fixed buffers collide (then on the first pass).
        let Some(offsets) = in_order(problem, &order, &halt) else { break };
        let solution = Solution::new(problem, offsets);
        raise(&solution, &mut priority);
        if best.as_ref().is_none_or(|s| solution.height < s.height) {
            progress(&solution);
            best = Some(solution);
        }
    }
    best
}

/// The buffers on a chain from the top of `solution` down to offset 0.
fn chains(problem: &Problem, solution: &Solution) -> Vec<usize> {
    let buffers = &problem.buffers;
    let top = |b: usize| solution.offsets[b] + buffers[b].size;
    let occupies = |b: usize| buffers[b].size > 0 && !buffers[b].lifespan.is_empty();
    let mut ending_at: HashMap<i64, Vec<usize>> = HashMap::new();
    for b in (0..buffers.len()).filter(|&b| occupies(b)) {
        ending_at.entry(top(b)).or_default().push(b);
    }
    let mut seen = vec![false; buffers.len()];
    let mut stack: Vec<usize> = ending_at.get(&solution.height).cloned().unwrap_or_default();
    let mut chain = Vec::new();
    while let Some(b) = stack.pop() {
        if std::mem::replace(&mut seen[b], true) {
            continue;
        }
        chain.push(b);
        let l = buffers[b].lifespan;
        for &c in ending_at.get(&solution.offsets[b]).into_iter().flatten() {
            let m = buffers[c].lifespan;
            if !seen[c] && m.lower < l.upper && l.lower < m.upper {
                stack.push(c);
            }
        }
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::validate;

    #[test]
    fn never_worse_than_the_first_pass_and_valid() {
        let mut p = crate::generate::perfect(7, 300, 1 << 16, 1500);
        p.capacity = 0;
        let size = Order::new(None, crate::heuristics::orders::Rank::SIZE);
        let first = Solution::new(&p, super::super::orders::by_order(&p, size, &|| false).unwrap());
        let stop =
            StopToken::new().child_until(Some(std::time::Instant::now() + std::time::Duration::from_millis(300)));
        let best = squeaky(&p, size, Some(&first), 1, &stop, &|_| {}).unwrap();
        assert!(best.height <= first.height);
        p.capacity = best.height;
        validate(&p, &best).unwrap();
    }

    #[test]
    fn chain_runs_from_the_top_to_the_floor() {
        // a [0,2) at 0..4, b [1,3) at 4..6 on a, c [5,6) at 0..1 apart.
        let p = Problem::new(
            vec![
                crate::problem::Buffer::new("a", 0, 2, 4),
                crate::problem::Buffer::new("b", 1, 3, 2),
                crate::problem::Buffer::new("c", 5, 6, 1),
            ],
            0,
        );
        let s = Solution::new(&p, vec![0, 4, 0]);
        let mut c = chains(&p, &s);
        c.sort();
        assert_eq!(c, vec![0, 1]);
    }
}
