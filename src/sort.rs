//! Sorting that a stop token (or any `halt` question) can interrupt.
//!
//! The phases between reading a problem and the search's first stop check
//! (the bounds, the pair count that picks the large-instance path, the
//! online packings' sweep) each sort a couple of events a buffer: on a
//! million buffers one such sort takes about a tenth of a second, longer
//! than a time limit may be overrun. Here a slice is sorted in runs of
//! [`RUN`] elements, which are then merged pairwise, and `halt` is asked
//! between runs and every [`RUN`] elements merged, so a stop is noticed
//! within about ten milliseconds; the whole costs one and a half to two
//! times what one sort costs (the merges copy every element once a level).
//!
//! Where only a time orders the elements (events whose ties may come in
//! any order), [`sort_by_time_until`] sorts by radix instead: a pass per
//! byte in which the times differ (three for times below sixteen million),
//! four times faster than a comparison sort on a million events.

/// Elements sorted or merged between two questions to the token.
/// `[default: 262144]` `[range: 1..]`: sorting that many takes about ten
/// milliseconds, and longer runs leave fewer levels to merge.
pub(crate) const RUN: usize = 1 << 18;

/// Sorts `v` (unstably) unless `halt` says to stop first: then `None`, and
/// `v` holds its elements in some order.
pub(crate) fn sort_until<T: Ord + Copy>(v: &mut [T], halt: &dyn Fn() -> bool) -> Option<()> {
    if v.len() <= RUN {
        v.sort_unstable();
        return Some(());
    }
    for run in v.chunks_mut(RUN) {
        if halt() {
            return None;
        }
        run.sort_unstable();
    }
    // Merge runs of `width` pairwise into `out`, then swap roles.
    let mut out = v.to_vec();
    let mut width = RUN;
    let mut in_v = true;
    while width < v.len() {
        let (from, to): (&[T], &mut [T]) = if in_v { (&*v, &mut out) } else { (&out, &mut *v) };
        let mut start = 0;
        while start < from.len() {
            let mid = (start + width).min(from.len());
            let end = (start + 2 * width).min(from.len());
            merge(&from[start..mid], &from[mid..end], &mut to[start..end], halt)?;
            start = end;
        }
        in_v = !in_v;
        width *= 2;
    }
    if !in_v {
        v.copy_from_slice(&out);
    }
    Some(())
}

/// Sorts `v` by `time` (stably) unless `halt` says to stop first: then
/// `None`, and `v` holds its elements in some order. A least significant
/// digit radix sort on the time's bytes, skipping the bytes every element
/// shares; `halt` is asked every [`RUN`] elements moved.
pub(crate) fn sort_by_time_until<T: Copy>(
    v: &mut Vec<T>,
    time: impl Fn(&T) -> i64,
    halt: &dyn Fn() -> bool,
) -> Option<()> {
    // Flipping the sign bit orders the times as unsigned numbers.
    let key = |x: &T| (time(x) as u64) ^ (1 << 63);
    let mut counts = [[0usize; 256]; 8];
    for (i, x) in v.iter().enumerate() {
        if i % RUN == 0 && halt() {
            return None;
        }
        let k = key(x);
        for (byte, count) in counts.iter_mut().enumerate() {
            count[((k >> (8 * byte)) & 0xff) as usize] += 1;
        }
    }
    let mut out = v.clone();
    for (byte, count) in counts.iter().enumerate() {
        if count.contains(&v.len()) {
            continue; // every element has the same byte here
        }
        let mut next = [0usize; 256];
        let mut at = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = at;
            at += c;
        }
        for (i, x) in v.iter().enumerate() {
            if i % RUN == 0 && halt() {
                return None;
            }
            let d = ((key(x) >> (8 * byte)) & 0xff) as usize;
            out[next[d]] = *x;
            next[d] += 1;
        }
        std::mem::swap(v, &mut out);
    }
    Some(())
}

/// Merges the sorted slices `a` and `b` into `out` (of their total
/// length), asking `halt` every [`RUN`] elements.
fn merge<T: Ord + Copy>(a: &[T], b: &[T], out: &mut [T], halt: &dyn Fn() -> bool) -> Option<()> {
    let (mut i, mut j) = (0, 0);
    for block in out.chunks_mut(RUN) {
        if halt() {
            return None;
        }
        for slot in block {
            *slot = match (a.get(i), b.get(j)) {
                (Some(&x), Some(&y)) if y < x => {
                    j += 1;
                    y
                }
                (Some(&x), _) => {
                    i += 1;
                    x
                }
                (None, Some(&y)) => {
                    j += 1;
                    y
                }
                // Not reached: `out` is as long as `a` and `b` together.
                (None, None) => return Some(()),
            };
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_sort() {
        let mut rng = crate::rng::Rng::new(3);
        for n in [0, 1, 7, RUN - 1, RUN, RUN + 1, 3 * RUN + 17, 5 * RUN] {
            let v: Vec<(i64, u8)> = (0..n).map(|_| (rng.range(-50, 50), rng.range(0, 3) as u8)).collect();
            let (mut ours, mut std) = (v.clone(), v);
            assert_eq!(sort_until(&mut ours, &|| false), Some(()));
            std.sort_unstable();
            assert_eq!(ours, std, "{n} elements");
        }
    }

    #[test]
    fn sorts_by_time_like_the_standard_stable_sort() {
        let mut rng = crate::rng::Rng::new(5);
        for (n, span) in [(0, 1), (1, 1), (1000, 3), (3 * RUN + 5, 1 << 40), (RUN, i64::MAX / 2)] {
            let v: Vec<(i64, u32)> = (0..n).map(|i| (rng.range(-span, span), i as u32)).collect();
            let (mut ours, mut std) = (v.clone(), v);
            assert_eq!(sort_by_time_until(&mut ours, |x| x.0, &|| false), Some(()));
            std.sort_by_key(|x| x.0);
            assert_eq!(ours, std, "{n} elements within {span}");
        }
        let mut v = vec![(3, 0), (1, 1)];
        assert_eq!(sort_by_time_until(&mut v, |x: &(i64, i32)| x.0, &|| true), None);
    }

    #[test]
    fn halting_stops_it() {
        let mut v: Vec<u32> = (0..(3 * RUN as u32)).rev().collect();
        assert_eq!(sort_until(&mut v, &|| true), None);
        let mut small = vec![3, 1, 2];
        assert_eq!(sort_until(&mut small, &|| true), Some(()), "a short slice is sorted at once");
        assert_eq!(small, [1, 2, 3]);
    }
}
