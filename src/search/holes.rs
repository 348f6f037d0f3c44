//! Hole branching: an exact search for packings with a little room to
//! spare, where memory is filled from the bottom up and every point left
//! empty is a decision of its own.
//!
//! The reference's branching places a buffer at its lowest feasible offset;
//! point filling (`Switch::PointFilling`) branches on the buffers that can
//! cover the lowest point of memory, but only where a section has no room to
//! spare, since elsewhere that point may stay empty. This search makes
//! "stays empty" a branch: at a point (a section `s` at its floor `h`) either
//! an unplaced buffer starting at `s` sits on the floor there, or no buffer
//! ever does, and `s` is marked *dead* at `h`. A packing with slack then
//! costs one extra branch per point, and where the room is small the area
//! budget below refutes the dead branches early.
//!
//! The state is a skyline: `floor[s]` is the top of what is placed in
//! section `s`, and unplaced buffers go above it. Only *local-minimum runs*
//! are branched on: maximal runs of sections at one floor `h` whose
//! neighbours are higher (or are *walls*: sections no unplaced buffer is
//! live in, which nothing can cross). In a run, the first section `s` not
//! dead at `h` is the point:
//!
//! - A buffer that covers `s` at offset `h` lies inside the run (its
//!   neighbours are higher) and starts at `s` (the sections before `s` in
//!   the run are dead at `h`), so the candidates are the unplaced buffers
//!   that start at `s` and end inside the run.
//! - When every section of the run is dead, no buffer sits at `h` there:
//!   the lowest buffer over the run rests on something outside it, so on a
//!   neighbour's floor; the run's floor rises to the lower neighbour's
//!   (a forced step, not a branch). With walls on both sides nothing can
//!   rest anywhere: the node fails.
//!
//! Every packing, pushed down until each buffer rests on another or on 0,
//! is reached this way (place buffers in the order of their offsets), so an
//! exhausted search proves that none fits: the worker may prove
//! infeasibility.
//!
//! The area budget: in section `s`, the floor plus the unplaced buffers
//! live there (`rem[s]`) must fit under the capacity. A placement leaves
//! the sum unchanged; only a rising floor (wasted room) spends it. A dead
//! mark is allowed only where the room holds the least step the point
//! will be left empty by: the next buffer over it rests either above a
//! side of the run or on a buffer inside it, so the point stays empty up
//! to the lower neighbour's floor or by the smallest such buffer's size,
//! whichever is less ([`Holes::may_stay_empty`], asked again of the dead
//! points of every run as buffers are placed). Without slack the dead
//! branch never applies and the search is point filling. The budget
//! also prunes wells (wasted-space pruning, as in perfect rectangle
//! packing): below its lower neighbour's floor, a well's sections can only
//! hold the buffers inside it, and what they cannot fill is spent from each
//! section's room ([`Holes::well_fits`], asked of the run branched on).
//!
//! Which run to branch on is free, so the search takes the one with the
//! fewest alternatives (first fail), lowest first, then leftmost.
//! Snug candidates go first: those that fill the run to its end, or whose
//! top meets the floor of the section before the point, so that the
//! skyline stays flat (best fit, as skyline heuristics for strip packing
//! do); a ragged skyline is what fails far above the choice that made it.
//! Within each group candidates come in the preorder (largest first, then
//! longest) or, for a seeded worker, in its random rank's order (new at
//! each restart of the live race); identical buffers are tried once per
//! point. Only the order changes, so the search stays complete.
//!
//! It applies to partitions of plain buffers only (no gaps, no fixed
//! offsets, alignments that divide every size of the partition, so that
//! every floor is aligned): see [`Holes::applies`].
//!
//! Backjumping (conflict-directed, as CSP solvers do it): every failure
//! comes with a *reason*, a set of sections such that no packing extends
//! any state that agrees with the failed node's there (the same floors and
//! dead marks, and the same unplaced buffers among those live there). A
//! run's failure (no alternative at its point, a raise over the budget, a
//! well that cannot be filled) is decided by the run and its two
//! neighbours; a frame whose alternatives all failed, by its run, its
//! neighbours and its children's reasons; and a forced raise that changed
//! a section of a reason adds what decided it. A frame above whose node
//! changed no section of the reason (by its raises or its choice) agrees
//! there with the failed node, so it fails too: it is skipped with its
//! other alternatives untried. Only subtrees
//! without a packing are cut, so the search visits a subset of the nodes
//! plain backtracking visits, in the same order: it finds the same packing,
//! never later, and its exhaustion still proves infeasibility. It pays
//! where a failure low in memory is met again and again under choices made
//! elsewhere in time (measured in docs/techniques.md, under hole
//! branching, "Backjumping").
//!
//! The capacity is the uniform case of a ceiling per section, and the
//! floors may start above 0: guided repair (`crate::repair`) packs a band
//! of memory whose bottom and top are other buffers, kept in place
//! ([`Holes::with_profile`]). Nothing above changes: a buffer pushed down
//! rests on a piece or on the band's floor, and the area budget is taken
//! against each section's ceiling.

use super::model::{Model, NO_FIXED};
use super::Status;
use crate::problem::gcd;

/// A buffer to pack, in local sections `lo..hi`, of size > 0: `b` names
/// it to the caller and `twin` is its class of identical pieces.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Piece {
    pub(crate) lo: u32,
    pub(crate) hi: u32,
    pub(crate) size: i64,
    pub(crate) b: u32,
    pub(crate) twin: u32,
}

/// No twin tried yet at a point.
const NONE: u32 = u32::MAX;

/// One buffer of the partition, in local sections `lo..hi`.
#[derive(Clone, Copy, Debug)]
struct Buf {
    lo: u32,
    hi: u32,
    size: i64,
    /// The lowest ceiling over its sections: its top may not pass it.
    cap: i64,
    /// The buffer in the model.
    b: u32,
    /// Its lowest-indexed identical buffer (the model's `twin`).
    twin: u32,
}

/// What undoes one change.
#[derive(Clone, Copy, Debug)]
enum Undo {
    /// Buffer `i` (local) was placed on its floor.
    Place(u32),
    /// Section `s` was marked dead.
    Dead(u32),
    /// Section `s`'s floor rose from `floor` (it was dead at that floor).
    Raise(u32, i64),
}

/// A range of sections `lo..hi` (empty when `lo >= hi`): where a failure's
/// reason lies, or what a node's choices change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Region {
    lo: u32,
    hi: u32,
}

impl Region {
    /// A run `a..b` and its two neighbours, within `n` sections: what
    /// decides whether the run is a local minimum and which alternatives
    /// its point has (what a node reads; what it changes lies inside).
    fn around(a: usize, b: usize, n: usize) -> Region {
        Region { lo: a.saturating_sub(1) as u32, hi: (b + 1).min(n) as u32 }
    }
}

/// Backjumping's bookkeeping (see [`Holes::backjump`]): per frame of the
/// stack, as bit sets of `w` words each, what its node changed (`changed`:
/// its raised runs, and its point's run from the point on, where every
/// alternative places or marks) and where its failure's reason lies so far
/// (`reason`: what decided its run and its alternatives, and its children's
/// reasons); and the forced raises of the nodes on the stack, each with the
/// sections it changed and those it was decided by.
struct Blame {
    w: usize,
    changed: Vec<u64>,
    reason: Vec<u64>,
    raises: Vec<(Region, Region)>,
    /// Per frame, where its node's raises start in `raises`.
    raises_from: Vec<usize>,
    /// The reason of a failure not yet handed to the frames above.
    why: Vec<u64>,
    pending: bool,
}

impl Blame {
    fn new(n_sec: usize) -> Blame {
        let w = n_sec.div_ceil(64).max(1);
        Blame {
            w,
            changed: Vec::new(),
            reason: Vec::new(),
            raises: Vec::new(),
            raises_from: Vec::new(),
            why: vec![0; w],
            pending: false,
        }
    }

    /// The words of a set that `r` covers, each with the mask of its bits
    /// in `r` (a word at a time: a failure's reason may span every section).
    fn words(r: Region) -> impl Iterator<Item = (usize, u64)> {
        let (lo, hi) = (r.lo as usize, r.hi as usize);
        let last = hi.saturating_sub(1) / 64;
        (lo / 64..if lo < hi { last + 1 } else { 0 }).map(move |w| {
            let from = if w == lo / 64 { lo % 64 } else { 0 };
            let to = if w == last { (hi - 1) % 64 } else { 63 };
            (w, (!0u64 << from) & (!0u64 >> (63 - to)))
        })
    }

    fn add(set: &mut [u64], r: Region) {
        for (w, mask) in Self::words(r) {
            set[w] |= mask;
        }
    }

    fn meets(set: &[u64], r: Region) -> bool {
        Self::words(r).any(|(w, mask)| set[w] & mask != 0)
    }

    /// The current node raised a dead run: `changed` its sections, as
    /// `inputs` (the run and its neighbours) decided.
    fn raise(&mut self, changed: Region, inputs: Region) {
        self.raises.push((changed, inputs));
    }

    /// The current node, whose raises start at `from`, becomes a frame:
    /// it branches at a point whose alternatives change `changed`, as
    /// `inputs` decided.
    fn push(&mut self, changed: Region, inputs: Region, from: usize) {
        let at = self.changed.len();
        self.changed.resize(at + self.w, 0);
        self.reason.resize(at + self.w, 0);
        Self::add(&mut self.changed[at..], changed);
        for &(raised, _) in &self.raises[from..] {
            Self::add(&mut self.changed[at..], raised);
        }
        Self::add(&mut self.reason[at..], inputs);
        self.raises_from.push(from);
    }

    /// The current node, whose raises start at `from`, failed for what
    /// lies in `r`.
    fn fail(&mut self, r: Region, from: usize) {
        self.why.fill(0);
        Self::add(&mut self.why, r);
        self.explain_raises(from);
    }

    /// The top frame is popped; with `failed`, all its children failed.
    fn pop(&mut self, failed: bool) {
        let at = self.changed.len() - self.w;
        let from = self.raises_from.pop().unwrap_or(0);
        if failed {
            self.why.copy_from_slice(&self.reason[at..]);
            self.explain_raises(from);
        }
        self.raises.truncate(from);
        self.changed.truncate(at);
        self.reason.truncate(at);
    }

    /// Completes the pending reason with the raises from `from` on that
    /// changed a section of it (latest first, since a raise is decided by
    /// what the earlier ones changed), and drops those raises.
    fn explain_raises(&mut self, from: usize) {
        for &(changed, inputs) in self.raises[from..].iter().rev() {
            if Self::meets(&self.why, changed) {
                Self::add(&mut self.why, inputs);
            }
        }
        self.raises.truncate(from);
        self.pending = true;
    }

    /// Whether the top frame changed a section of the pending reason.
    fn top_meets(&self) -> bool {
        let at = self.changed.len() - self.w;
        self.changed[at..].iter().zip(&self.why).any(|(c, y)| c & y != 0)
    }

    /// The top frame takes the pending reason into its own.
    fn learn(&mut self) {
        let at = self.reason.len() - self.w;
        for (r, y) in self.reason[at..].iter_mut().zip(&self.why) {
            *r |= y;
        }
        self.pending = false;
    }
}

/// A branching point and how far its alternatives got.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// The trail's length before the node's forced raises, and after.
    entry: u32,
    choice: u32,
    /// The point: section `s` at floor `h`, in the run `a..end`.
    a: u32,
    s: u32,
    end: u32,
    h: i64,
    /// Next position in `s`'s candidate list, and the twin tried last.
    k: u32,
    last_twin: u32,
    /// Whether the snug candidates were all tried (then the others are).
    loose: bool,
    dead_tried: bool,
}

/// A local-minimum run `a..end` at floor `h`, a candidate to branch on:
/// its point is section `point`, with `count` alternatives.
struct Run {
    count: u64,
    h: i64,
    point: u32,
    a: usize,
    end: u32,
}

/// The point a node branches on (in the run `a..end`), or where the
/// reason it fails lies.
enum Pick {
    Point { s: u32, a: u32, end: u32, h: i64 },
    Fail(Region),
}

/// The state of one hole-branching search of one partition; it pauses and
/// resumes as [`super::Search`] does (see [`Holes::resume`]).
pub(crate) struct Holes {
    /// The top of the memory each section may use.
    ceil: Vec<i64>,
    bufs: Vec<Buf>,
    /// Local buffers starting at section `s`, in the order to try:
    /// `starts[start[s]..start[s + 1]]`.
    start: Vec<u32>,
    starts: Vec<u32>,
    floor: Vec<i64>,
    dead: Vec<bool>,
    /// Size of the unplaced buffers live in each section.
    rem: Vec<i64>,
    placed: Vec<bool>,
    /// Each placed buffer's offset: the floor it was placed on.
    offset: Vec<i64>,
    left: usize,
    trail: Vec<Undo>,
    stack: Vec<Frame>,
    /// The next step enters a node (a child was just made, or the root).
    entering: bool,
    /// Most buffers placed at once.
    pub(crate) deepest: usize,
    /// Per section, its floor while buffers live there are unplaced, and
    /// `i64::MAX` once none is (a section done with reads as higher than
    /// any floor): what the scan for local-minimum runs compares, one
    /// array rather than two, since that scan is most of a node's time.
    level: Vec<i64>,
    /// Scratch of [`Self::well_fits`]: a difference array over sections,
    /// all zero between uses.
    acc: Vec<i64>,
    /// Backjumping's bookkeeping (see [`Self::backjump`]).
    blame: Blame,
    /// Whether failures skip the frames they do not depend on (always,
    /// but for the tests that compare with plain backtracking).
    backjumping: bool,
}

impl super::PartitionSearch for Holes {
    fn resume(&mut self, budget: &mut i64, stop: &mut dyn FnMut() -> bool) -> (Status, u64, u64) {
        Holes::resume(self, budget, stop)
    }

    fn placement(&self) -> Vec<(usize, i64)> {
        Holes::placement(self).collect()
    }

    fn deepest(&self) -> usize {
        self.deepest
    }
}

impl Holes {
    /// Whether hole branching applies to partition `p`: no buffer has gaps
    /// or a fixed offset, and every alignment divides every size (floors
    /// are sums of sizes, so every offset it chooses is then aligned).
    pub(crate) fn applies(m: &Model, p: usize) -> bool {
        let part = &m.partitions()[p];
        let g = part.buffers.iter().fold(0, |g, &b| gcd(g, m.size[b]));
        part.buffers.iter().all(|&b| {
            let spans = m.spans(b);
            m.fixed[b] == NO_FIXED
                && spans.len() == 1
                && spans[0].len == m.size[b]
                && spans[0].top == m.size[b]
                && g % m.align[b].max(1) == 0
        })
    }

    /// A search of partition `p` at `capacity`, trying candidates by
    /// `rank` (ascending) where given, else largest first, then longest.
    /// The partition must be one [`Self::applies`] to.
    pub(crate) fn new(m: &Model, p: usize, capacity: i64, rank: Option<&[u32]>) -> Holes {
        let part = &m.partitions()[p];
        let base = part.sections.lower as u32;
        let n_sec = part.sections.upper - part.sections.lower;
        let pieces = part.buffers.iter().map(|&b| {
            let (lo, hi) = m.extent[b];
            Piece { lo: lo - base, hi: hi - base, size: m.size[b], b: b as u32, twin: m.twin[b] }
        });
        Holes::with_profile(pieces.collect(), vec![0; n_sec], vec![capacity; n_sec], rank)
    }

    /// A search of `pieces` over sections that start filled up to `floor`
    /// and end at `ceil` (what other buffers, kept in place, leave free):
    /// the repair's region (see `crate::repair`). A section with
    /// `floor > ceil` must hold no piece. `rank` is indexed by the pieces'
    /// `twin`, as in [`Self::new`].
    pub(crate) fn with_profile(pieces: Vec<Piece>, floor: Vec<i64>, ceil: Vec<i64>, rank: Option<&[u32]>) -> Holes {
        let n_sec = floor.len();
        let mut bufs: Vec<Buf> = pieces
            .into_iter()
            .map(|x| {
                let cap = ceil[x.lo as usize..x.hi as usize].iter().copied().min().unwrap_or(i64::MIN);
                Buf { lo: x.lo, hi: x.hi, size: x.size, cap, b: x.b, twin: x.twin }
            })
            .collect();
        // Identical buffers stay neighbours, so that a point tries one of them.
        let key = |x: &Buf| match rank {
            Some(r) => (r[x.twin as usize] as i64, 0, x.twin, x.b),
            None => (-x.size, -i64::from(x.hi - x.lo), x.twin, x.b),
        };
        bufs.sort_by_key(key);
        let mut start = vec![0u32; n_sec + 1];
        let mut rem = vec![0i64; n_sec];
        for x in &bufs {
            start[x.lo as usize + 1] += 1;
            for r in &mut rem[x.lo as usize..x.hi as usize] {
                *r += x.size;
            }
        }
        for s in 0..n_sec {
            start[s + 1] += start[s];
        }
        let mut fill = start.clone();
        let mut starts = vec![0u32; bufs.len()];
        for (i, x) in bufs.iter().enumerate() {
            starts[fill[x.lo as usize] as usize] = i as u32;
            fill[x.lo as usize] += 1;
        }
        let n = bufs.len();
        // Every piece takes room (the sweep sets buffers of size 0 aside,
        // and so does the repair), so each is live where `rem` counts it.
        debug_assert!(bufs.iter().all(|x| x.size > 0 && x.lo < x.hi));
        let level = (0..n_sec).map(|s| level(floor[s], rem[s])).collect();
        Holes {
            level,
            ceil,
            bufs,
            start,
            starts,
            floor,
            dead: vec![false; n_sec],
            rem,
            placed: vec![false; n],
            offset: vec![0; n],
            left: n,
            trail: Vec::new(),
            stack: Vec::new(),
            entering: true,
            deepest: 0,
            acc: vec![0; n_sec + 1],
            blame: Blame::new(n_sec),
            backjumping: true,
        }
    }

    /// Whether every section has room for the pieces live in it (the area
    /// budget at the root; a search that starts without it fails).
    pub(crate) fn roomy(&self) -> bool {
        (0..self.floor.len()).all(|s| self.rem[s] == 0 || self.floor[s] + self.rem[s] <= self.ceil[s])
    }

    /// Runs until a packing is found ([`Status::Found`]: see
    /// [`Self::placement`]), the space is exhausted
    /// ([`Status::Infeasible`]), `budget` nodes are spent
    /// ([`Status::NodeLimit`]) or `stop` says so ([`Status::Stopped`]),
    /// asked before each node. Paused, it goes on where it was when resumed.
    /// Returns the status, the nodes visited and the backtracks.
    pub(crate) fn resume(&mut self, budget: &mut i64, stop: &mut dyn FnMut() -> bool) -> (Status, u64, u64) {
        let (mut nodes, mut backtracks) = (0, 0);
        loop {
            if self.entering {
                if *budget <= 0 {
                    return (Status::NodeLimit, nodes, backtracks);
                }
                if stop() {
                    return (Status::Stopped, nodes, backtracks);
                }
                *budget -= 1;
                nodes += 1;
                self.entering = false;
                if self.left == 0 {
                    return (Status::Found, nodes, backtracks);
                }
                let entry = self.trail.len() as u32;
                let raised_from = self.blame.raises.len();
                match self.pick() {
                    Pick::Point { s, a, end, h } => {
                        let choice = self.trail.len() as u32;
                        let changed = Region { lo: s, hi: end };
                        self.blame.push(
                            changed,
                            Region::around(a as usize, end as usize, self.floor.len()),
                            raised_from,
                        );
                        self.stack.push(Frame {
                            entry,
                            choice,
                            a,
                            s,
                            end,
                            h,
                            k: 0,
                            last_twin: NONE,
                            loose: false,
                            dead_tried: false,
                        });
                    }
                    Pick::Fail(why) => {
                        self.undo_to(entry);
                        backtracks += 1;
                        self.blame.fail(why, raised_from);
                    }
                }
            }
            if self.blame.pending {
                self.backjump();
            }
            let Some(&top) = self.stack.last() else {
                return (Status::Infeasible, nodes, backtracks);
            };
            self.undo_to(top.choice);
            if self.next_child(top) {
                self.entering = true;
            } else {
                self.undo_to(top.entry);
                self.stack.pop();
                self.blame.pop(true);
                backtracks += 1;
            }
        }
    }

    /// Hands the pending reason of a child's failure to the frames above:
    /// a frame whose node changed none of its sections (neither its raises
    /// nor its choice) agrees there with the failed child, so it has no
    /// packing either and is popped untried; the first frame that changed
    /// one takes the reason into its own and tries its next child.
    fn backjump(&mut self) {
        while let Some(top) = self.stack.last() {
            if !self.backjumping || self.blame.top_meets() {
                self.blame.learn();
                return;
            }
            let entry = top.entry;
            self.stack.pop();
            self.blame.pop(false);
            self.undo_to(entry);
        }
        self.blame.pending = false;
    }

    /// The offsets found, by buffer of the model (after [`Status::Found`]).
    pub(crate) fn placement(&self) -> impl Iterator<Item = (usize, i64)> + '_ {
        self.bufs.iter().zip(&self.offset).map(|(x, &o)| (x.b as usize, o))
    }

    /// Makes the next child of the top frame `f` (placing its next
    /// candidate, or marking its point dead); false when none is left.
    fn next_child(&mut self, f: Frame) -> bool {
        let (lo, hi) = (self.start[f.s as usize] as usize, self.start[f.s as usize + 1] as usize);
        let (mut loose, mut k, mut last_twin) = (f.loose, lo + f.k as usize, f.last_twin);
        loop {
            while k < hi {
                let i = self.starts[k] as usize;
                k += 1;
                let x = self.bufs[i];
                if self.placed[i] || x.hi > f.end || f.h + x.size > x.cap || x.twin == last_twin {
                    continue;
                }
                if self.snug(&f, &x) == loose {
                    continue;
                }
                if let Some(top) = self.stack.last_mut() {
                    top.k = (k - lo) as u32;
                    top.last_twin = x.twin;
                    top.loose = loose;
                }
                self.place(i);
                return true;
            }
            if loose {
                break;
            }
            (loose, k, last_twin) = (true, lo, NONE);
        }
        if let Some(top) = self.stack.last_mut() {
            top.loose = true;
        }
        let s = f.s as usize;
        if !f.dead_tried && self.may_stay_empty(f.a as usize, f.end as usize, s, f.h) {
            if let Some(top) = self.stack.last_mut() {
                top.k = (hi - lo) as u32;
                top.dead_tried = true;
            }
            self.dead[s] = true;
            self.trail.push(Undo::Dead(f.s));
            return true;
        }
        false
    }

    /// Whether buffer `x` fits the point of `f` snugly: it fills the run
    /// to its end, or its top meets the floor of the section before the
    /// point.
    fn snug(&self, f: &Frame, x: &Buf) -> bool {
        x.hi == f.end || (f.s > 0 && self.rem[f.s as usize - 1] > 0 && self.floor[f.s as usize - 1] == f.h + x.size)
    }

    /// The point to branch on: of the local-minimum runs, the one with
    /// the fewest alternatives at its point, lowest, then leftmost. Runs
    /// dead throughout are raised first (forced).
    fn pick(&mut self) -> Pick {
        loop {
            let mut best: Option<Run> = None;
            let mut raise: Option<(usize, usize)> = None;
            let n = self.floor.len();
            let mut a = 0;
            while a < n {
                let h = self.level[a];
                if h == i64::MAX {
                    a += 1;
                    continue;
                }
                let b = run_end(&self.level, a + 1, h);
                if (a == 0 || self.level[a - 1] > h) && (b == n || self.level[b] > h) {
                    match (a..b).find(|&s| !self.dead[s]) {
                        None => {
                            raise = Some((a, b));
                            break;
                        }
                        Some(s) => {
                            if !(a..s).all(|t| self.may_stay_empty(a, b, t, h)) {
                                return Pick::Fail(Region::around(a, b, n));
                            }
                            let count = self.alternatives(a, s, b, h);
                            if count == 0 {
                                return Pick::Fail(Region::around(a, b, n));
                            }
                            if best.as_ref().is_none_or(|r| (count, h) < (r.count, r.h)) {
                                best = Some(Run { count, h, point: s as u32, a, end: b as u32 });
                            }
                        }
                    }
                }
                a = b;
            }
            if let Some((a, b)) = raise {
                let inputs = Region::around(a, b, n);
                if !self.raise(a, b) {
                    return Pick::Fail(inputs);
                }
                self.blame.raise(Region { lo: a as u32, hi: b as u32 }, inputs);
                continue;
            }
            return match best {
                Some(Run { h, point, a, end, .. }) => {
                    if !self.well_fits(a, end as usize, h) {
                        return Pick::Fail(Region::around(a, end as usize, n));
                    }
                    Pick::Point { s: point, a: a as u32, end, h }
                }
                // Unplaced buffers are live somewhere, so some run exists;
                // the reason is not local.
                None => Pick::Fail(Region { lo: 0, hi: n as u32 }),
            };
        }
    }

    /// Wasted-space pruning: whether the run `a..b` at floor `h` (a well:
    /// its neighbours are higher) can be filled up to its lower neighbour's
    /// floor within each section's room. Below that floor only buffers
    /// inside the run can go (a buffer that crosses a side rests at or
    /// above that side's floor), so in section `s` at least the depth less
    /// the sizes of those live at `s` stays empty, and the empty room of a
    /// section is fixed: the capacity less its floor and unplaced load. On
    /// packings without slack this says at once that a well cannot be
    /// filled exactly, which point by point takes a search of its own.
    fn well_fits(&mut self, a: usize, b: usize, h: i64) -> bool {
        let Some(top) = self.lower_neighbour(a, b) else {
            return true;
        };
        let depth = top - h;
        let room = |s: usize| self.ceil[s] - h - self.rem[s];
        if (a..b).all(|s| depth <= room(s)) {
            return true;
        }
        // The sizes of the unplaced buffers inside the run, summed per
        // section through a difference array.
        for s in a..b {
            for &i in &self.starts[self.start[s] as usize..self.start[s + 1] as usize] {
                let x = self.bufs[i as usize];
                if !self.placed[i as usize] && x.hi as usize <= b {
                    self.acc[s] += x.size;
                    self.acc[x.hi as usize] -= x.size;
                }
            }
        }
        let mut fill = 0;
        let mut fits = true;
        for s in a..b {
            fill += self.acc[s];
            self.acc[s] = 0;
            fits &= depth - fill.min(depth) <= room(s);
        }
        self.acc[b] = 0;
        fits
    }

    /// The lower floor of the run `a..b`'s neighbours, walls not counted
    /// (nothing crosses them); `None` when both sides are walls.
    fn lower_neighbour(&self, a: usize, b: usize) -> Option<i64> {
        let side = |s: Option<usize>| s.filter(|&s| s < self.floor.len() && self.rem[s] > 0).map(|s| self.floor[s]);
        match (side(a.checked_sub(1)), side(Some(b))) {
            (Some(l), Some(r)) => Some(l.min(r)),
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        }
    }

    /// How many children the point at section `s`, floor `h`, in the run
    /// `a..end` has.
    fn alternatives(&self, a: usize, s: usize, end: usize, h: i64) -> u64 {
        let list = &self.starts[self.start[s] as usize..self.start[s + 1] as usize];
        let fits = list.iter().filter(|&&i| {
            let x = &self.bufs[i as usize];
            !self.placed[i as usize] && x.hi as usize <= end && h + x.size <= x.cap
        });
        fits.count() as u64 + u64::from(self.may_stay_empty(a, end, s, h))
    }

    /// Whether section `t` of the local-minimum run `a..b` at floor `h`
    /// may stay empty at `h` (be dead there). The lowest buffer that
    /// covers `t` afterwards sits at some `o > h` and rests on something:
    /// either it crosses a side of the run, and `o` is at least the lower
    /// neighbour's floor, or it rests on a buffer not yet placed that lies
    /// inside the run and clear of `t` (whatever crosses a side is higher
    /// still), and `o` is at least `h` plus that buffer's size. So `t`
    /// wastes at least the smaller of the two, and its room must hold it.
    fn may_stay_empty(&self, a: usize, b: usize, t: usize, h: i64) -> bool {
        let room = self.ceil[t] - self.floor[t] - self.rem[t];
        if room <= 0 {
            return false;
        }
        if self.lower_neighbour(a, b).is_some_and(|top| top - h <= room) {
            return true;
        }
        (a..b).filter(|&u| u != t).any(|u| {
            self.starts[self.start[u] as usize..self.start[u + 1] as usize].iter().any(|&i| {
                let x = &self.bufs[i as usize];
                !self.placed[i as usize] && x.hi as usize <= b && (u > t || x.hi as usize <= t) && x.size <= room
            })
        })
    }

    /// Raises the dead run `a..b` to its lower neighbour's floor (walls do
    /// not count); false when neither side has one or the area budget is
    /// spent.
    fn raise(&mut self, a: usize, b: usize) -> bool {
        let Some(to) = self.lower_neighbour(a, b) else {
            return false;
        };
        if (a..b).any(|s| to + self.rem[s] > self.ceil[s]) {
            return false;
        }
        for s in a..b {
            self.trail.push(Undo::Raise(s as u32, self.floor[s]));
            self.floor[s] = to;
            self.level[s] = to;
            self.dead[s] = false;
        }
        true
    }

    /// Places local buffer `i` on the floor of its first section.
    fn place(&mut self, i: usize) {
        let x = self.bufs[i];
        self.offset[i] = self.floor[x.lo as usize];
        for s in x.lo as usize..x.hi as usize {
            self.floor[s] += x.size;
            self.rem[s] -= x.size;
            self.level[s] = level(self.floor[s], self.rem[s]);
        }
        self.placed[i] = true;
        self.left -= 1;
        self.deepest = self.deepest.max(self.bufs.len() - self.left);
        self.trail.push(Undo::Place(i as u32));
    }

    /// Undoes the trail down to `mark`.
    fn undo_to(&mut self, mark: u32) {
        while self.trail.len() > mark as usize {
            match self.trail.pop() {
                Some(Undo::Place(i)) => {
                    let x = self.bufs[i as usize];
                    for s in x.lo as usize..x.hi as usize {
                        self.floor[s] -= x.size;
                        self.rem[s] += x.size;
                        self.level[s] = level(self.floor[s], self.rem[s]);
                    }
                    self.placed[i as usize] = false;
                    self.left += 1;
                }
                Some(Undo::Dead(s)) => self.dead[s as usize] = false,
                Some(Undo::Raise(s, old)) => {
                    self.floor[s as usize] = old;
                    self.level[s as usize] = old;
                    self.dead[s as usize] = true;
                }
                None => {}
            }
        }
    }
}

/// A section's level (see `Holes::level`): its floor while buffers live
/// there are unplaced (`rem > 0`), else higher than any floor.
fn level(floor: i64, rem: i64) -> i64 {
    if rem > 0 {
        floor
    } else {
        i64::MAX
    }
}

/// The first section from `from` on whose level is not `h` (or the
/// number of sections): where a run at floor `h` ends. Eight sections at a
/// time without an early exit, which the compiler turns into a few vector
/// compares; runs are often long and this is the hottest loop of a node.
fn run_end(level: &[i64], from: usize, h: i64) -> usize {
    let mut b = from;
    for chunk in level[from..].chunks_exact(8) {
        if !chunk.iter().fold(true, |all, &l| all & (l == h)) {
            break;
        }
        b += 8;
    }
    b + level[b..].iter().take_while(|&&l| l == h).count()
}

#[cfg(test)]
mod tests {
    use crate::params::SolverParams;
    use crate::problem::{Buffer, Problem, Solution};
    use crate::search::{Model, Search, Status};
    use crate::stop::StopToken;

    /// Searches every partition of `p` by hole branching with node slices
    /// of `slice` (so that it pauses and resumes), returning the packing or
    /// the status of the first partition that has none.
    fn holes(p: &Problem, slice: i64) -> Result<Solution, Status> {
        let model = Model::new(p);
        let stop = StopToken::new();
        let mut search = Search::new(&model, p.capacity, &SolverParams::default(), &stop);
        search.set_holes(true);
        for part in 0..model.partitions().len() {
            assert!(super::Holes::applies(&model, part));
            search.start_partition(part);
            let status = loop {
                search.set_node_limit(slice);
                match search.resume() {
                    Status::NodeLimit => continue,
                    other => break other,
                }
            };
            if status != Status::Found {
                return Err(status);
            }
        }
        Ok(Solution::new(p, search.solution().to_vec()))
    }

    /// The run's end, eight sections at a time, is where the first
    /// section off the floor is, at every offset into a chunk.
    #[test]
    fn a_run_ends_at_the_first_section_off_its_floor() {
        let mut rng = crate::rng::Rng::new(7);
        for _ in 0..2000 {
            let n = rng.range(1, 40) as usize;
            let level: Vec<i64> = (0..n).map(|_| if rng.range(0, 9) == 0 { rng.range(0, 2) } else { 1 }).collect();
            let from = rng.range(0, n as i64) as usize;
            let h = rng.range(0, 2);
            let naive = (from..n).find(|&s| level[s] != h).unwrap_or(n);
            assert_eq!(super::run_end(&level, from, h), naive, "{level:?} from {from} at {h}");
        }
    }

    /// Bit sets of sections, a word at a time, as bit by bit.
    #[test]
    fn blame_sets_regions_a_word_at_a_time() {
        let mut rng = crate::rng::Rng::new(3);
        for _ in 0..2000 {
            let (lo, hi) = (rng.range(0, 200) as u32, rng.range(0, 200) as u32);
            let (a, b) = (rng.range(0, 200) as u32, rng.range(0, 200) as u32);
            let mut set = vec![0u64; 4];
            super::Blame::add(&mut set, super::Region { lo, hi });
            let bit = |s: u32| set[s as usize / 64] >> (s % 64) & 1 == 1;
            assert!((0..256).all(|s| bit(s) == (lo..hi).contains(&s)), "{lo}..{hi}");
            let meets = super::Blame::meets(&set, super::Region { lo: a, hi: b });
            assert_eq!(meets, (a..b).any(|s| (lo..hi).contains(&s)), "{lo}..{hi} and {a}..{b}");
        }
    }

    #[test]
    fn packs_a_perfect_packing_and_its_holes() {
        let mut p = crate::generate::perfect(3, 80, 1024, 200);
        // Holes: a few pieces out, the capacity as it was.
        p.buffers = p.buffers.into_iter().enumerate().filter(|(i, _)| i % 11 != 5).map(|(_, b)| b).collect();
        for slice in [1, 7, i64::MAX] {
            let s = holes(&p, slice).expect("the hidden packing fits");
            assert!(crate::validate::validate(&p, &s).is_ok());
            assert!(s.height <= p.capacity);
        }
    }

    /// Backjumping cuts only subtrees without a packing: on packings with
    /// holes at their height and one unit under it, it ends as plain
    /// backtracking does (the same packing, or exhausted), never after it,
    /// and on some of them much sooner.
    #[test]
    fn backjumping_visits_a_subset_of_plain_backtracking() {
        let (mut fewer, mut ended) = (0, 0);
        for seed in 0..32u64 {
            let hidden = crate::generate::perfect(seed, 150, 1 << 20, 1000);
            let p = crate::generate::remove_pieces(&hidden, seed, 5);
            let model = Model::new(&p);
            for capacity in [p.capacity, p.capacity - 1] {
                for part in 0..model.partitions().len() {
                    let run = |backjumping: bool| {
                        let mut h = super::Holes::new(&model, part, capacity, None);
                        h.backjumping = backjumping;
                        let (status, nodes, _) = h.resume(&mut 200_000, &mut || false);
                        (status, nodes, h.placement().collect::<Vec<_>>())
                    };
                    let (plain, jumping) = (run(false), run(true));
                    assert!(jumping.1 <= plain.1, "seed {seed}: {} nodes against {}", jumping.1, plain.1);
                    if plain.0 != Status::NodeLimit {
                        assert_eq!(jumping.0, plain.0, "seed {seed}");
                        if plain.0 == Status::Found {
                            assert_eq!(jumping.2, plain.2, "seed {seed}: the same packing");
                        }
                        ended += 1;
                    }
                    fewer += usize::from(jumping.1 < plain.1);
                }
            }
        }
        assert!(ended >= 24, "{ended} searches ended");
        assert!(fewer >= 5, "backjumping saved nodes {fewer} times");
    }

    /// Two buffers live at once that do not fit together: exhausted.
    #[test]
    fn proves_infeasibility() {
        let p = Problem::new(vec![Buffer::new("a", 0, 4, 3), Buffer::new("b", 2, 6, 3), Buffer::new("c", 5, 9, 1)], 5);
        assert_eq!(holes(&p, 3).err(), Some(Status::Infeasible));
    }

    /// Points must stay empty: where `b` alone is live, half the memory
    /// is. Buffers of size 0 are set aside by the sweep.
    #[test]
    fn leaves_points_empty_where_it_must() {
        let p = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 2),
                Buffer::new("b", 1, 5, 2),
                Buffer::new("c", 4, 6, 2),
                Buffer::new("z", 1, 3, 0),
                Buffer::new("y", 7, 9, 0),
            ],
            4,
        );
        let s = holes(&p, 1).expect("a below b, c beside a's end");
        assert!(crate::validate::validate(&p, &s).is_ok());
    }

    /// A point may stay empty only where its room holds what must then stay
    /// empty below the next buffer over it: here `a` (5) and `b` (4) both
    /// cover the first section, whose room is 1, and nothing can hold a
    /// buffer up there but a buffer beside it, of which there is none; in
    /// the second section (room 6) `a`, ending before it, can.
    #[test]
    fn a_point_stays_empty_only_where_its_room_holds_the_step() {
        let p = Problem::new(vec![Buffer::new("a", 0, 1, 5), Buffer::new("b", 0, 2, 4)], 10);
        let model = Model::new(&p);
        let h = super::Holes::new(&model, 0, p.capacity, None);
        assert_eq!(h.floor.len(), 2);
        assert!(!h.may_stay_empty(0, 2, 0, 0), "room 1, no step of 1 or less");
        assert!(h.may_stay_empty(0, 2, 1, 0), "room 6, a holds 5");
        let s = holes(&p, 1).expect("a and b stacked");
        assert!(crate::validate::validate(&p, &s).is_ok());
    }

    /// `x` and `y` on the floor leave a well between them that `l` and
    /// `r`, each crossing one side, must both span above the lower side:
    /// 5 + 2 + 2 is over 8. Before they are placed there is no well.
    #[test]
    fn wasted_space_refutes_a_well() {
        let p = Problem::new(
            vec![
                Buffer::new("l", 0, 20, 2),
                Buffer::new("r", 10, 30, 2),
                Buffer::new("x", 0, 10, 5),
                Buffer::new("y", 20, 30, 5),
            ],
            8,
        );
        let model = Model::new(&p);
        let mut h = super::Holes::new(&model, 0, p.capacity, None);
        assert!(h.well_fits(0, 3, 0));
        for name in ["x", "y"] {
            let b = p.buffers.iter().position(|b| b.id == name).unwrap();
            let i = h.bufs.iter().position(|x| x.b as usize == b).unwrap();
            h.place(i);
        }
        assert_eq!(h.floor, [5, 0, 5]);
        assert!(!h.well_fits(1, 2, 0));
        assert!(h.acc.iter().all(|&a| a == 0), "the scratch is left clean");
        // The whole search still packs it (x or y rests on l or r).
        let s = holes(&p, 2).expect("x on l, y on r");
        assert!(crate::validate::validate(&p, &s).is_ok());
    }
}
