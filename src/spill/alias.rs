//! In-place buffers: buffers that name the same alias share one offset in
//! one memory, as when an operation writes its result over its input.
//!
//! A group is planned as one buffer: its lifespan spans its members', and
//! at every moment it occupies, from the shared offset, the smallest window
//! that holds what each member live then occupies (the member's whole size,
//! or its gap's window). Its size is the largest member's, so heights are
//! the members' own; its alignment is every member's (their least common
//! multiple); its cost is the members' together; a member's fixed offset
//! fixes the group. Where members' windows leave a hole between them at
//! some moment, the group holds the hole too: a plan stays valid, and may
//! cost a few bytes more than one that used the hole.
//!
//! A group whose members cannot share is refused: members whose lists of
//! memories differ, or fixed at different offsets (or at one that another
//! member's alignment does not divide), or whose alignments overflow
//! together.

use super::MemoryProblem;
use crate::error::SolveError;
use crate::problem::{lcm, Buffer, Gap, Interval};

/// A problem with each alias group merged into one buffer.
#[derive(Clone, Debug)]
pub(crate) struct Merged {
    /// One buffer per group (a buffer with no alias is a group of one), in
    /// the order of their first members; no aliases.
    pub problem: MemoryProblem,
    /// Each original buffer's merged buffer.
    pub of: Vec<usize>,
    /// Each merged buffer's members, in order.
    pub members: Vec<Vec<usize>>,
}

/// `mp` with its alias groups merged, or `None` when no two buffers share
/// an alias (nothing to merge). Refuses groups whose members cannot share.
pub(crate) fn merge(mp: &MemoryProblem) -> Result<Option<Merged>, SolveError> {
    let n = mp.buffers.len();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut of = vec![0; n];
    let mut named: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (b, slot) in of.iter_mut().enumerate() {
        let group = match mp.aliases.get(b).and_then(Option::as_deref) {
            Some(alias) => *named.entry(alias).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            }),
            None => {
                members.push(Vec::new());
                members.len() - 1
            }
        };
        members[group].push(b);
        *slot = group;
    }
    if members.len() == n {
        return Ok(None);
    }
    let mut problem = MemoryProblem {
        buffers: Vec::new(),
        memories: mp.memories.clone(),
        choices: Vec::new(),
        costs: Vec::new(),
        aliases: Vec::new(),
    };
    for group in &members {
        let first = group[0];
        problem.choices.push(shared_choices(mp, group)?);
        let cost = group.iter().try_fold(0i64, |c, &b| c.checked_add(mp.costs[b]));
        problem.costs.push(cost.ok_or_else(|| refuse(mp, first, "the members' costs overflow together"))?);
        problem.buffers.push(if group.len() == 1 { mp.buffers[first].clone() } else { one_buffer(mp, group)? });
    }
    Ok(Some(Merged { problem, of, members }))
}

/// The error for the alias group of buffer `b`.
fn refuse(mp: &MemoryProblem, b: usize, why: &str) -> SolveError {
    let alias = mp.aliases.get(b).and_then(Option::as_deref).unwrap_or_default();
    SolveError::Params(format!("alias group '{alias}': {why}"))
}

/// The memories every member of `group` may use: they must be one list.
fn shared_choices(mp: &MemoryProblem, group: &[usize]) -> Result<Vec<usize>, SolveError> {
    let first = mp.choices_of(group[0]);
    match group.iter().find(|&&b| mp.choices_of(b) != first) {
        Some(&b) => Err(refuse(
            mp,
            b,
            &format!(
                "'{}' and '{}' may live in different memories (an alias group shares one)",
                mp.buffers[group[0]].id, mp.buffers[b].id
            ),
        )),
        None => Ok(mp.choices.get(group[0]).cloned().unwrap_or_default()),
    }
}

/// The one buffer a group of at least two members is planned as.
fn one_buffer(mp: &MemoryProblem, group: &[usize]) -> Result<Buffer, SolveError> {
    let buffers: Vec<&Buffer> = group.iter().map(|&b| &mp.buffers[b]).collect();
    let first = buffers[0];
    let mut fixed: Option<(&str, i64)> = None;
    for b in &buffers {
        match (fixed, b.offset) {
            (Some((id, at)), Some(o)) if o != at => {
                return Err(refuse(
                    mp,
                    group[0],
                    &format!("'{id}' is fixed at {at} and '{}' at {o} (an alias group shares one offset)", b.id),
                ))
            }
            (None, Some(o)) => fixed = Some((&b.id, o)),
            _ => {}
        }
    }
    let alignment = buffers.iter().try_fold(1i64, |l, b| lcm(l, b.alignment.max(1)));
    let alignment = alignment.ok_or_else(|| refuse(mp, group[0], "the members' alignments overflow together"))?;
    if let Some((id, at)) = fixed.filter(|&(_, at)| at % alignment != 0) {
        let why = format!("'{id}' is fixed at {at}, which not every member's alignment divides");
        return Err(refuse(mp, group[0], &why));
    }
    let lower = buffers.iter().map(|b| b.lifespan.lower).min().unwrap_or(0);
    let upper = buffers.iter().map(|b| b.lifespan.upper).max().unwrap_or(0).max(lower);
    let size = buffers.iter().map(|b| b.size).max().unwrap_or(0);
    let mut merged = Buffer::new(first.id.clone(), lower, upper, size);
    merged.alignment = alignment;
    merged.offset = fixed.map(|(_, o)| o);
    merged.gaps = gaps(&buffers, Interval::new(lower, upper), size);
    Ok(merged)
}

/// The gaps of a group's buffer over `span`: wherever the smallest window
/// holding every live member's piece is not the whole `[0, size)`.
fn gaps(buffers: &[&Buffer], span: Interval, size: i64) -> Vec<Gap> {
    let pieces: Vec<_> = buffers.iter().flat_map(|b| b.pieces()).collect();
    let mut cuts: Vec<i64> = pieces.iter().flat_map(|p| [p.time.lower, p.time.upper]).collect();
    cuts.extend([span.lower, span.upper]);
    cuts.sort_unstable();
    cuts.dedup();
    // Each stretch between two cuts with its window (None: nothing held).
    let mut stretches: Vec<(Interval, Option<Interval>)> = Vec::new();
    for w in cuts.windows(2) {
        let time = Interval::new(w[0], w[1]);
        let live = pieces.iter().filter(|p| p.time.lower < time.upper && time.lower < p.time.upper);
        let window = live.fold(None, |hull: Option<Interval>, p| {
            Some(hull.map_or(p.window, |h| Interval::new(h.lower.min(p.window.lower), h.upper.max(p.window.upper))))
        });
        match stretches.last_mut() {
            Some((t, last)) if *last == window => t.upper = time.upper,
            _ => stretches.push((time, window)),
        }
    }
    let full = Some(Interval::new(0, size));
    stretches.into_iter().filter(|(_, w)| *w != full).map(|(lifespan, window)| Gap { lifespan, window }).collect()
}

/// Checks what merging takes on trust, for a plan of the original buffers
/// (`memory`, `offsets`): every group's members share its memory and
/// offset, and the group's buffer, at every moment a member occupies
/// memory, holds the member's window there. With the merged plan valid,
/// members of different groups then never meet. Each member's own
/// alignment, fixed offset and capacity are checked too.
pub(crate) fn check_members(
    mp: &MemoryProblem,
    merged: &Merged,
    memory: &[usize],
    offsets: &[i64],
) -> Result<(), String> {
    for (g, group) in merged.members.iter().enumerate() {
        let first = group[0];
        let whole = &merged.problem.buffers[g];
        for &b in group {
            let buffer = &mp.buffers[b];
            if memory[b] != memory[first] || offsets[b] != offsets[first] {
                return Err(format!(
                    "'{}' and '{}' share an alias but not a memory and offset",
                    mp.buffers[first].id, buffer.id
                ));
            }
            let capacity = mp.memories[memory[b]].capacity.unwrap_or(i64::MAX);
            let fits = offsets[b] >= 0 && offsets[b].checked_add(buffer.size).is_some_and(|t| t <= capacity);
            if !fits || offsets[b] % buffer.alignment.max(1) != 0 || buffer.offset.is_some_and(|o| o != offsets[b]) {
                return Err(format!("'{}' breaks its capacity, alignment or fixed offset", buffer.id));
            }
            if group.len() > 1 && !holds(whole, buffer) {
                return Err(format!("the alias group of '{}' does not hold it", buffer.id));
            }
        }
    }
    Ok(())
}

/// Whether `whole` occupies, at every moment `part` does, at least
/// `part`'s window (both at the same offset).
fn holds(whole: &Buffer, part: &Buffer) -> bool {
    let outer = whole.pieces();
    part.pieces().iter().all(|p| {
        let mut t = p.time.lower;
        for o in outer.iter().filter(|o| o.time.lower < p.time.upper && p.time.lower < o.time.upper) {
            let inside = o.window.lower <= p.window.lower && p.window.upper <= o.window.upper;
            if o.time.lower > t || !inside {
                return false;
            }
            t = o.time.upper;
        }
        t >= p.time.upper
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spill::Memory;

    fn problem(buffers: Vec<Buffer>, aliases: Vec<Option<&str>>) -> MemoryProblem {
        let n = buffers.len();
        MemoryProblem {
            costs: buffers.iter().map(|b| b.size).collect(),
            buffers,
            memories: vec![Memory::new("m", Some(100))],
            choices: vec![Vec::new(); n],
            aliases: aliases.into_iter().map(|a| a.map(String::from)).collect(),
        }
    }

    #[test]
    fn a_group_is_one_buffer_holding_each_member() {
        // An input (0..4, 8 bytes) overwritten by its output (3..9, 4 bytes).
        let mp = problem(
            vec![Buffer::new("in", 0, 4, 8), Buffer::new("x", 0, 9, 2), Buffer::new("out", 3, 9, 4)],
            vec![Some("a"), None, Some("a")],
        );
        let m = merge(&mp).unwrap().unwrap();
        assert_eq!((m.of.clone(), m.members.clone()), (vec![0, 1, 0], vec![vec![0, 2], vec![1]]));
        let g = &m.problem.buffers[0];
        assert_eq!((g.lifespan, g.size, g.id.as_str()), (Interval::new(0, 9), 8, "in"));
        assert_eq!(g.gaps, vec![Gap { lifespan: Interval::new(4, 9), window: Some(Interval::new(0, 4)) }]);
        assert_eq!(m.problem.costs, vec![12, 2]);
        assert!(holds(g, &mp.buffers[0]) && holds(g, &mp.buffers[2]));
        assert!(!holds(&mp.buffers[2], &mp.buffers[0]));
        assert!(check_members(&mp, &m, &[0, 0, 0], &[0, 8, 0]).is_ok());
        assert!(check_members(&mp, &m, &[0, 0, 0], &[0, 8, 4]).is_err(), "members apart");
        assert!(merge(&problem(vec![Buffer::new("a", 0, 1, 1)], vec![Some("a")])).unwrap().is_none());
    }

    #[test]
    fn groups_that_cannot_share_are_refused() {
        let mut a = Buffer::new("a", 0, 4, 8);
        a.offset = Some(0);
        let mut b = Buffer::new("b", 4, 8, 8);
        b.offset = Some(8);
        let err = merge(&problem(vec![a, b], vec![Some("g"), Some("g")])).unwrap_err().to_string();
        assert!(err.contains("alias group 'g'") && err.contains("fixed at 0"), "{err}");
        let mut mp = problem(vec![Buffer::new("a", 0, 4, 8), Buffer::new("b", 4, 8, 8)], vec![Some("g"), Some("g")]);
        mp.memories.push(Memory::new("n", None));
        mp.choices = vec![vec![0, 1], vec![1, 0]];
        assert!(merge(&mp).unwrap_err().to_string().contains("different memories"));
    }
}
