//! Benchmark generators, all seeded so a suite can be rebuilt exactly:
//!
//! - [`concat`](fn@concat): instances placed one after another in time (each shifted
//!   past the previous one's end, ids prefixed), the portfolio's test of
//!   per-partition racing: the reference applies one heuristic to all parts
//!   and can spend its whole budget on one of them, though each alone is
//!   easy.
//! - [`random`]: buffers with random lifespans and sizes.
//! - [`perfect`]: a rectangle of memory × time cut at random into buffers,
//!   so a packing of height exactly `capacity` exists (a tight instance whose
//!   optimum is its load bound); [`remove_pieces`] takes some of them out,
//!   so that some moments have room to spare (still feasible at `capacity`).
//! - [`side_by_side`]: instances over one time range, one above the other
//!   in memory (feasible at the sum of their capacities).
//! - [`shuffle`] and [`mirror`]: the same instance with its rows in another
//!   order (ids renamed, if asked), or with time running backwards: what
//!   the input's layout reveals of the packing is hidden, the packings are
//!   the same, so solved or not must not change (a test holds the solver to
//!   it).

use crate::problem::{Buffer, Problem};
pub use crate::rng::Rng;

/// The instances of `parts` one after another in time, ids prefixed with
/// the part's name (`name:id`). Each part starts where the previous ended,
/// so the parts are independent partitions.
pub fn concat(parts: &[(&str, &Problem)]) -> Problem {
    let mut buffers = Vec::new();
    let mut shift = 0i64;
    for (name, p) in parts {
        let lo = p.buffers.iter().map(|b| b.lifespan.lower).min().unwrap_or(0);
        let hi = p.buffers.iter().map(|b| b.lifespan.upper).max().unwrap_or(lo);
        for b in &p.buffers {
            let mut c = b.clone();
            c.id = format!("{name}:{}", b.id);
            c.lifespan.lower += shift - lo;
            c.lifespan.upper += shift - lo;
            for g in &mut c.gaps {
                g.lifespan.lower += shift - lo;
                g.lifespan.upper += shift - lo;
            }
            buffers.push(c);
        }
        shift += hi - lo;
    }
    let capacity = parts.iter().map(|(_, p)| p.capacity).max().unwrap_or(0);
    Problem::new(buffers, capacity)
}

/// `n` buffers with lifespans inside `[0, horizon)` of length up to
/// `max_width` and sizes in `1..=max_size`; the capacity is left at 0.
pub fn random(seed: u64, n: usize, horizon: i64, max_width: i64, max_size: i64) -> Problem {
    let mut rng = Rng::new(seed);
    let buffers = (0..n)
        .map(|i| {
            let lower = rng.range(0, (horizon - 1).max(0));
            let upper = (lower + rng.range(1, max_width.max(1))).min(horizon.max(lower + 1));
            Buffer::new(format!("r{i}"), lower, upper, rng.range(1, max_size.max(1)))
        })
        .collect();
    Problem::new(buffers, 0)
}

/// A perfect packing: the `capacity × horizon` rectangle cut by random
/// guillotine cuts into about `n` pieces, each a buffer (lifespan = its time
/// extent, size = its memory extent). The buffers are shuffled, so the
/// packing must be found, and the capacity is the load bound.
pub fn perfect(seed: u64, n: usize, capacity: i64, horizon: i64) -> Problem {
    let mut rng = Rng::new(seed);
    // Rectangles (t0, t1, m0, m1); split the largest area until n pieces.
    let mut rects = vec![(0i64, horizon, 0i64, capacity)];
    while rects.len() < n {
        let (i, _) = rects
            .iter()
            .enumerate()
            .max_by_key(|(_, r)| i128::from(r.1 - r.0) * i128::from(r.3 - r.2))
            .unwrap_or((0, &rects[0]));
        let (t0, t1, m0, m1) = rects[i];
        let can_time = t1 - t0 >= 2;
        let can_mem = m1 - m0 >= 2;
        if !can_time && !can_mem {
            break;
        }
        let cut_time = can_time && (!can_mem || rng.next_u64() % 2 == 0);
        if cut_time {
            let t = rng.range(t0 + 1, t1 - 1);
            rects[i] = (t0, t, m0, m1);
            rects.push((t, t1, m0, m1));
        } else {
            let m = rng.range(m0 + 1, m1 - 1);
            rects[i] = (t0, t1, m0, m);
            rects.push((t0, t1, m, m1));
        }
    }
    // Shuffle (Fisher-Yates) so the input order hides the packing.
    for i in (1..rects.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        rects.swap(i, j);
    }
    let buffers =
        rects.iter().enumerate().map(|(i, &(t0, t1, m0, m1))| Buffer::new(format!("p{i}"), t0, t1, m1 - m0)).collect();
    Problem::new(buffers, capacity)
}

/// `problem` with about `percent`% of its buffers removed (seeded): on a
/// [`perfect`] packing, holes at random places, so that some moments have
/// room to spare while the packing still fits the capacity.
pub fn remove_pieces(problem: &Problem, seed: u64, percent: u32) -> Problem {
    let mut rng = Rng::new(seed ^ 0x5EED_0F40);
    let mut keep = |_: &Buffer| rng.next_u64() % 100 >= u64::from(percent.min(100));
    let buffers = problem.buffers.iter().filter(|b| keep(b)).cloned().collect();
    Problem::new(buffers, problem.capacity)
}

/// Instances over one time range (each shifted to start at 0), one above
/// the other in memory: the buffers of all, ids prefixed with the part's
/// name (`name:id`), at the sum of the capacities, where stacking each
/// part's packing on the last one's is a packing.
pub fn side_by_side(parts: &[(&str, &Problem)]) -> Problem {
    let mut buffers = Vec::new();
    for (name, p) in parts {
        let lo = p.buffers.iter().map(|b| b.lifespan.lower).min().unwrap_or(0);
        for b in &p.buffers {
            let mut c = b.clone();
            c.id = format!("{name}:{}", b.id);
            c.lifespan.lower -= lo;
            c.lifespan.upper -= lo;
            for g in &mut c.gaps {
                g.lifespan.lower -= lo;
                g.lifespan.upper -= lo;
            }
            buffers.push(c);
        }
    }
    let capacity = parts.iter().map(|(_, p)| p.capacity).fold(0i64, i64::saturating_add);
    Problem::new(buffers, capacity)
}

/// `problem` with its rows in an order drawn from `seed` and, with
/// `rename`, ids that say nothing of where a row came from (`b0`, `b1`...
/// in the new order).
pub fn shuffle(problem: &Problem, seed: u64, rename: bool) -> Problem {
    let mut rng = Rng::new(seed);
    let mut buffers = problem.buffers.clone();
    for i in (1..buffers.len()).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        buffers.swap(i, j);
    }
    if rename {
        for (i, b) in buffers.iter_mut().enumerate() {
            b.id = format!("b{i}");
        }
    }
    Problem::new(buffers, problem.capacity)
}

/// `problem` with time running backwards: each lifespan (and gap) `[l, u)`
/// becomes `[t - u, t - l)`, where `t` is the latest end. A packing of one
/// is a packing of the other.
pub fn mirror(problem: &Problem) -> Problem {
    let t = problem.buffers.iter().map(|b| b.lifespan.upper).max().unwrap_or(0);
    let flip = |i: crate::problem::Interval| crate::problem::Interval::new(t - i.upper, t - i.lower);
    let buffers = problem
        .buffers
        .iter()
        .map(|b| {
            let mut c = b.clone();
            c.lifespan = flip(b.lifespan);
            for g in &mut c.gaps {
                g.lifespan = flip(g.lifespan);
            }
            c.gaps.reverse();
            c
        })
        .collect();
    Problem::new(buffers, problem.capacity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::max_load;

    #[test]
    fn concat_shifts_and_renames() {
        let a = Problem::new(vec![Buffer::new("x", 5, 8, 2), Buffer::new("y", 6, 9, 1)], 4);
        let b = Problem::new(vec![Buffer::new("x", 0, 2, 3)], 3);
        let c = concat(&[("A", &a), ("B", &b)]);
        assert_eq!(c.buffers[0], Buffer::new("A:x", 0, 3, 2));
        assert_eq!(c.buffers[2], Buffer::new("B:x", 4, 6, 3));
        assert_eq!(c.capacity, 4);
        assert!(c.check().is_ok());
    }

    #[test]
    fn generators_are_seeded_and_valid() {
        assert_eq!(random(3, 50, 100, 20, 8), random(3, 50, 100, 20, 8));
        assert_ne!(random(3, 50, 100, 20, 8), random(4, 50, 100, 20, 8));
        let p = random(1, 200, 100, 30, 16);
        assert_eq!(p.buffers.len(), 200);
        assert!(p.check().is_ok());
        let q = perfect(9, 40, 64, 100);
        assert_eq!(q.buffers.len(), 40);
        assert!(q.check().is_ok());
        assert_eq!(max_load(&q), 64, "the pieces tile the rectangle");
    }

    #[test]
    fn holes_stacks_shuffles_and_mirrors_keep_the_packings() {
        let q = perfect(9, 200, 64, 100);
        let holes = remove_pieces(&q, 1, 10);
        assert!(holes.buffers.len() < 195 && holes.buffers.len() > 150, "{}", holes.buffers.len());
        assert!(max_load(&holes) <= 64 && holes.check().is_ok());
        let pair = side_by_side(&[("x", &q), ("y", &holes)]);
        assert_eq!((pair.capacity, pair.buffers.len()), (128, q.buffers.len() + holes.buffers.len()));
        assert!(pair.check().is_ok());
        let mixed = shuffle(&pair, 3, true);
        assert_eq!(mixed.buffers.len(), pair.buffers.len());
        assert!(mixed.buffers.iter().all(|b| b.id.starts_with('b')) && mixed.check().is_ok());
        assert_ne!(
            mixed.buffers.iter().map(|b| b.size).collect::<Vec<_>>(),
            pair.buffers.iter().map(|b| b.size).collect::<Vec<_>>()
        );
        let m = mirror(&pair);
        assert_eq!(max_load(&m), max_load(&pair));
        assert_eq!(mirror(&m), pair, "mirrored twice, the same");
    }
}
