//! Shared helpers for the cross-check tests: random small problems and
//! brute-force packers that know nothing of the solver's techniques.

#![allow(dead_code)]

use minimalloc::{Buffer, Gap, Interval, Problem};
use proptest::prelude::*;

/// A problem no search here packs, so that a solve of it runs until
/// stopped: tight2/'s holes2000 (a packing of 2,000 pieces cut by
/// guillotine cuts, 5% of them removed; 1,909 buffers) at its capacity
/// [`HARD_CAPACITY`], where it is feasible by construction, but neither
/// the race nor the coarsening detour's coarse problems pack it within 10
/// s (docs/techniques.md, "Coarsening"). Tests that must interrupt a
/// search in the middle use it, relative to `../shared`. (Until
/// 2026-12-07 they used the paper's D one step above its load bound,
/// which coarsening now packs in milliseconds.)
pub const HARD_FILE: &str = "benchmarks/tight2/holes2000-p5-s73.1048576.csv";

/// See [`HARD_FILE`].
pub const HARD_CAPACITY: i64 = 1_048_576;

/// How two placed buffers may share time: the true geometry (occupied
/// windows must not intersect at any moment) or the reference's stacking
/// model (one sits wholly above the other's effective top).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    Geometry,
    Stacking,
}

/// Whether buffers `a` at `oa` and `b` at `ob` collide under `model`.
pub fn collide(model: Model, a: &Buffer, oa: i64, b: &Buffer, ob: i64) -> bool {
    match model {
        Model::Geometry => {
            for pa in a.pieces() {
                for pb in b.pieces() {
                    let t0 = pa.time.lower.max(pb.time.lower);
                    let t1 = pa.time.upper.min(pb.time.upper);
                    if t0 >= t1 {
                        continue;
                    }
                    let lo = (oa + pa.window.lower).max(ob + pb.window.lower);
                    let hi = (oa + pa.window.upper).min(ob + pb.window.upper);
                    if lo < hi {
                        return true;
                    }
                }
            }
            false
        }
        Model::Stacking => match (a.effective_size(b), b.effective_size(a)) {
            (Some(ea), Some(eb)) => !(ob >= oa + ea || oa >= ob + eb),
            _ => false,
        },
    }
}

/// Any packing of `problem` within its capacity, by exhaustive search over
/// every aligned offset of every buffer. Groups of buffers whose lifespans
/// never meet are searched apart, which keeps the search small.
pub fn brute_force(problem: &Problem, model: Model) -> Option<Vec<i64>> {
    let mut unlimited = u64::MAX;
    brute_force_within(problem, model, &mut unlimited).expect("a search without a budget never gives up")
}

/// The exhaustive search gave up: it visited as many offsets as it was
/// allowed (see [`brute_optimum_within`]).
#[derive(Debug)]
pub struct GaveUp;

/// [`brute_force`], visiting at most `left` offsets (less what it spends).
fn brute_force_within(problem: &Problem, model: Model, left: &mut u64) -> Result<Option<Vec<i64>>, GaveUp> {
    let n = problem.buffers.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn find(g: &mut Vec<usize>, x: usize) -> usize {
        if g[x] != x {
            let r = find(g, g[x]);
            g[x] = r;
        }
        g[x]
    }
    for i in 0..n {
        for j in 0..i {
            let (a, b) = (&problem.buffers[i].lifespan, &problem.buffers[j].lifespan);
            if a.lower.max(b.lower) < a.upper.min(b.upper) {
                let (ri, rj) = (find(&mut group, i), find(&mut group, j));
                group[ri] = rj;
            }
        }
    }
    let mut offsets = vec![0i64; n];
    for root in 0..n {
        let members: Vec<usize> = (0..n).filter(|&i| find(&mut group, i) == root).collect();
        if members.is_empty() {
            continue;
        }
        let sub = Problem::new(members.iter().map(|&i| problem.buffers[i].clone()).collect(), problem.capacity);
        let Some(found) = brute_force_connected(&sub, model, left)? else { return Ok(None) };
        for (k, &i) in members.iter().enumerate() {
            offsets[i] = found[k];
        }
    }
    Ok(Some(offsets))
}

fn brute_force_connected(problem: &Problem, model: Model, left: &mut u64) -> Result<Option<Vec<i64>>, GaveUp> {
    let n = problem.buffers.len();
    let mut offsets = vec![0i64; n];
    fn go(problem: &Problem, model: Model, i: usize, offsets: &mut Vec<i64>, left: &mut u64) -> Result<bool, GaveUp> {
        if i == problem.buffers.len() {
            return Ok(true);
        }
        let b = &problem.buffers[i];
        let mut choices: Vec<i64> = match b.offset {
            Some(o) => vec![o],
            None => (0..=problem.capacity - b.size).filter(|o| o % b.alignment == 0).collect(),
        };
        // A buffer that occupies no memory at any moment collides with
        // nothing in the geometry, so one offset stands for all of them:
        // trying each multiplied the work of refuting an infeasible problem
        // by the capacity (50 s for nine buffers, two of size zero, under 14).
        if model == Model::Geometry && b.pieces().iter().all(|p| p.window.lower >= p.window.upper) {
            choices.truncate(1);
        }
        for o in choices {
            if o < 0 || o + b.size > problem.capacity {
                continue;
            }
            *left = left.checked_sub(1).ok_or(GaveUp)?;
            if (0..i).any(|j| collide(model, &problem.buffers[j], offsets[j], b, o)) {
                continue;
            }
            offsets[i] = o;
            if go(problem, model, i + 1, offsets, left)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
    Ok(go(problem, model, 0, &mut offsets, left)?.then_some(offsets))
}

/// The smallest capacity with a packing (geometry), by brute force, or
/// `None` when even stacking every free buffer above the fixed ones fails
/// (fixed buffers that collide).
pub fn brute_optimum(problem: &Problem) -> Option<i64> {
    brute_optimum_within(problem, u64::MAX).expect("a search without a budget never gives up")
}

/// [`brute_optimum`], visiting at most `nodes` offsets in all: `Err` when
/// that was not enough. A few problems with gaps in windows take the
/// exhaustive search minutes (once ten, in CI) where most take
/// milliseconds; a property that only adds a check with the optimum skips
/// it on those rather than stall the suite.
pub fn brute_optimum_within(problem: &Problem, nodes: u64) -> Result<Option<i64>, GaveUp> {
    let mut left = nodes;
    let fixed_top = problem.buffers.iter().filter_map(|b| b.offset.map(|o| o + b.size)).max().unwrap_or(0);
    let enough = fixed_top + problem.buffers.iter().map(|b| b.size + b.alignment).sum::<i64>();
    let mut p = problem.clone();
    let mut fits = |c: i64| {
        p.capacity = c;
        Ok::<bool, GaveUp>(brute_force_within(&p, Model::Geometry, &mut left)?.is_some())
    };
    // What fits under a capacity fits under a larger one, so a binary
    // search finds the least: refuting every capacity below the optimum
    // one by one took minutes on some problems with windows.
    if !fits(enough)? {
        return Ok(None);
    }
    let (mut lo, mut hi) = (0, enough);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fits(mid)? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(Some(lo))
}

/// Whether any gap of `problem` has a window.
pub fn has_windows(problem: &Problem) -> bool {
    problem.buffers.iter().any(|b| b.gaps.iter().any(|g| g.window.is_some()))
}

/// Whether every effective size between two different buffers is positive.
/// Then any stacking packing lists its buffers in offset order with each
/// above the ones before it, which is what the canonical search explores;
/// a zero or negative clearance (windows that leave exactly room, or more)
/// lets two buffers share an offset in one order only, or swap places, and
/// the search (like the reference's) may miss such packings.
pub fn stacking_is_strict(problem: &Problem) -> bool {
    let bufs = &problem.buffers;
    (0..bufs.len()).all(|i| (0..bufs.len()).all(|j| i == j || bufs[i].effective_size(&bufs[j]).is_none_or(|e| e > 0)))
}

fn buffer(windows: bool) -> impl Strategy<Value = Buffer> {
    (
        0i64..6,
        prop_oneof![1 => Just(0i64), 8 => 1i64..7],
        prop_oneof![1 => Just(0i64), 8 => 1i64..5],
        prop_oneof![6 => Just(1i64), 2 => Just(2i64), 1 => Just(3i64)],
        prop_oneof![5 => Just(None), 1 => (0i64..4).prop_map(Some)],
        prop::collection::vec((0i64..7, 1i64..4, any::<bool>(), 0i64..5, 0i64..5), 0..3),
        prop_oneof![4 => Just(None), 1 => (0i64..10).prop_map(Some)],
    )
        .prop_map(move |(lower, width, size, alignment, fixed, gap_specs, hint)| {
            let upper = lower + width;
            let mut b = Buffer::new("", lower, upper, size);
            b.alignment = alignment;
            b.offset = fixed.map(|k| k * alignment);
            b.hint = hint;
            // Gaps: disjoint, inside the lifespan, windows inside [0, size].
            let mut t = lower;
            for (skip, len, windowed, w0, w1) in gap_specs {
                let g0 = t + skip % 3;
                let g1 = g0 + len;
                if g1 > upper {
                    break;
                }
                let window = if windows && windowed {
                    let (a, c) = (w0.min(w1).min(size), w0.max(w1).min(size));
                    Some(Interval::new(a, c))
                } else {
                    None
                };
                b.gaps.push(Gap { lifespan: Interval::new(g0, g1), window });
                t = g1;
            }
            b
        })
}

/// Random problems of up to `max` buffers with gaps (windowed when
/// `windows`), alignments, fixed offsets and hints, at a capacity near
/// their load so that both answers are common.
pub fn problem(max: usize, windows: bool) -> impl Strategy<Value = Problem> {
    let slack = prop_oneof![1 => Just(-1i64), 4 => Just(0i64), 3 => Just(1i64), 1 => Just(2i64)];
    (prop::collection::vec(buffer(windows), max / 2..=max), slack).prop_map(|(mut buffers, slack)| {
        for (i, b) in buffers.iter_mut().enumerate() {
            b.id = format!("b{i}");
        }
        let mut p = Problem::new(buffers, 0);
        let lb = minimalloc::LowerBounds::of(&p).best() as i64;
        p.capacity = (lb + slack).max(0);
        p
    })
}

/// Random problems of up to `max` plain buffers (no gaps, no fixed
/// offsets, alignment 1, or 2 with even sizes), at a capacity near their
/// load: the problems hole branching searches.
pub fn plain_problem(max: usize) -> impl Strategy<Value = Problem> {
    let buffer = (0i64..8, 1i64..7, 0i64..5, any::<bool>());
    let slack = prop_oneof![1 => Just(-1i64), 4 => Just(0i64), 3 => Just(1i64), 2 => Just(2i64), 1 => Just(4i64)];
    (prop::collection::vec(buffer, max / 2..=max), slack, any::<bool>()).prop_map(|(specs, slack, even)| {
        let buffers = specs
            .into_iter()
            .enumerate()
            .map(|(i, (lower, width, size, aligned))| {
                let mut b = Buffer::new(format!("b{i}"), lower, lower + width, if even { 2 * size } else { size });
                if even && aligned {
                    b.alignment = 2;
                }
                b
            })
            .collect();
        let mut p = Problem::new(buffers, 0);
        p.capacity = (minimalloc::LowerBounds::of(&p).best() as i64 + slack).max(0);
        p
    })
}

/// [`problem`] with copies: each buffer after the first may be replaced
/// by a copy of an earlier one (same lifespan, size, alignment and gaps),
/// so that identical buffers are common, some of them apart in the input.
pub fn problem_with_copies(max: usize) -> impl Strategy<Value = Problem> {
    (problem(max, false), prop::collection::vec(prop::option::weighted(0.4, 0usize..64), max)).prop_map(
        |(mut p, copies)| {
            // The same slack over the load bound as `problem` drew.
            let slack = p.capacity - minimalloc::LowerBounds::of(&p).best() as i64;
            for (i, c) in copies.into_iter().enumerate().skip(1).take(p.buffers.len().saturating_sub(1)) {
                if let Some(c) = c {
                    let from = c % i;
                    let id = p.buffers[i].id.clone();
                    p.buffers[i] = Buffer { id, ..p.buffers[from].clone() };
                }
            }
            p.capacity = (minimalloc::LowerBounds::of(&p).best() as i64 + slack).max(0);
            p
        },
    )
}
