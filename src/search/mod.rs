//! One exact depth-first search worker: the reference's algorithm over
//! canonical solutions, with its inference, dominance and hatless pruning and
//! dynamic decomposition, on incremental state with no allocation per node.
//!
//! At each node the unplaced buffers of the current (sub-)partition are
//! ranked by their lowest feasible offset, ties by preorder. A child places
//! one of them at that offset; placing it raises the lowest offsets of the
//! unplaced buffers it overlaps and the floors of the sections it is in.
//! Every change goes on an undo trail, so backtracking restores the state
//! exactly and the order of nodes is the reference's, node for node.
//!
//! The worker knows nothing of threads or files: it is given one stop
//! token (see [`crate::stop`]; a driver racing several searches hands each
//! a child of its own, which it cancels when another worker has placed the
//! partition), a node budget and (optionally) a cache of sub-problems
//! already proven infeasible, and reports how each run ended.
//!
//! A worker set to hole branching ([`Search::set_holes`]) searches the
//! partitions that branching applies to with the `holes` module's search
//! instead, under the same budget, token and pause-and-resume contract.

pub(crate) mod holes;
pub(crate) mod learned;
pub(crate) mod model;
pub mod order;

use std::time::Instant;

pub use model::Model;
use model::NO_FIXED;

use crate::nogood::NogoodCache;
use crate::params::{Key, SolverParams};
use crate::stop::StopToken;
use crate::sweep::SectionRange;
use crate::switches::{Switch, Switches};
use learned::Learned;
pub(crate) use learned::SharedFact;
use order::{compare, PreorderData};

/// How a run of the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every buffer of the partition is placed; see [`Search::solution`].
    Found,
    /// The search space is exhausted: no placement exists (a proof).
    Infeasible,
    /// The node budget ran out first (proves nothing).
    NodeLimit,
    /// The stop flag was raised or the deadline passed (proves nothing).
    Stopped,
}

/// A search of one partition by a method of its own, run in place of this
/// search's branching on the partition it was made for: hole branching
/// ([`holes`]), or one a layer above supplies (the portfolio's repairing
/// worker: guided repair at the capacity, `crate::repair`), so that the
/// race shares the threads with it as with any search.
pub(crate) trait PartitionSearch: Send {
    /// As [`holes::Holes::resume`]: runs within `budget` nodes (less what
    /// it spends), asking `stop` as it goes; paused, it goes on where it
    /// was. Returns the status, the nodes visited and the backtracks. Only
    /// a complete search may answer [`Status::Infeasible`].
    fn resume(&mut self, budget: &mut i64, stop: &mut dyn FnMut() -> bool) -> (Status, u64, u64);
    /// After [`Status::Found`]: each buffer of the partition, by model
    /// index, and its offset.
    fn placement(&self) -> Vec<(usize, i64)>;
    /// The most buffers placed under the capacity at once so far.
    fn deepest(&self) -> usize;
}

/// Sections with at least this many buffers keep their unplaced buffers in
/// a prefix (see `Search::members`); in smaller sections the bookkeeping
/// costs more than it saves (`cargo bench --bench challenging` measures
/// the difference).
const BIG_SECTION: u32 = 24;

/// Longest nogood key kept, in integers.
const MAX_KEY_WORDS: usize = 2048;

/// Offset of an unplaced buffer.
const UNPLACED: i64 = -1;

/// A buffer the current node may place next.
#[derive(Clone, Copy, Debug)]
struct Cand {
    offset: i64,
    pre: u32,
    buffer: u32,
    /// Its position in the context's list of unplaced buffers.
    pos: u32,
}

/// A (sub-)partition being searched: its buffers, their preorder and which
/// of them are still unplaced, as ranges of the worker's arenas.
#[derive(Clone, Copy, Debug)]
struct Ctx {
    /// All buffers of the context, in the parent's order (`bufs` arena).
    bufs: usize,
    /// `order[pre]` is the buffer with preorder index `pre` (`order` arena).
    order: usize,
    /// Unplaced buffers' preorder indices (`live` arena); `live_len` of them.
    live: usize,
    len: usize,
    live_len: usize,
    range: SectionRange,
    /// The largest section total in `range` when the context began; totals
    /// only fall below it deeper down.
    max_total: i64,
    /// The hash of its set of unplaced buffers ([`learned::set_hash`]).
    hash: u64,
}

/// What undoes one placement.
#[derive(Clone, Copy, Debug)]
struct Placed {
    b: u32,
    offset: i64,
    pre: u32,
    /// Its position in the context's unplaced list.
    pos: u32,
    offset_mark: u32,
    floor_mark: u32,
    /// Nothing unplaced overlapped it.
    hatless: bool,
}

/// One level of the depth-first search and the state it is in, kept on an
/// explicit stack so that a search can pause when its node budget runs out
/// and resume later (the portfolio time-slices searches this way instead of
/// restarting them). [`Search::resume`] runs one step of the top frame at a
/// time; a frame pushes a child only after moving itself to a state that
/// waits for it (`Await` or `Single`), so every frame below the top waits.
#[derive(Clone, Copy, Debug)]
enum Frame {
    Sub(Sub, SubState),
    Node(Node, NodeState),
    Split(Split, SplitState),
}

/// Searching the buffers `bufs[start..start + len]` as a new context.
#[derive(Clone, Copy, Debug)]
struct Sub {
    start: usize,
    len: usize,
    range: SectionRange,
}

/// A node of context `c`, whose parent placed at (`min_offset`, `min_pre`).
#[derive(Clone, Copy, Debug)]
struct Node {
    c: usize,
    min_offset: i64,
    min_pre: u32,
}

/// Dynamic decomposition after `placed` in context `c`; the split points
/// are `cutpoints[cut_base..]` once entered.
#[derive(Clone, Copy, Debug)]
struct Split {
    c: usize,
    placed: Placed,
    cut_base: usize,
}

/// A node's candidates `cands[base..end]`, of which `k` is the next to try;
/// `bar` is set once a hatless buffer failed.
#[derive(Clone, Copy, Debug)]
struct Tries {
    base: usize,
    end: usize,
    k: usize,
    bar: Option<(i64, u32)>,
    /// The candidates fill a point (see `Search::point_candidates`): they
    /// are not in canonical order, so hatless pruning does not apply.
    point: bool,
    /// The canonical bound excluded none of the context's unplaced buffers
    /// (see [`learned`]).
    free: bool,
    /// `Search::visits` when the node was entered.
    entered: u64,
}

#[derive(Clone, Copy, Debug)]
enum SubState {
    Enter,
    /// The context is pushed; waiting for its root node.
    Await {
        order: usize,
        live: usize,
    },
}

#[derive(Clone, Copy, Debug)]
enum NodeState {
    Enter,
    /// About to try candidate `k`.
    Next(Tries),
    /// Candidate `k` is placed; waiting for its subtree.
    Await(Tries, Placed),
}

#[derive(Clone, Copy, Debug)]
enum SplitState {
    Enter,
    /// No split: waiting for the same context's next node.
    Single,
    /// About to solve the part between `cutpoints[i - 1]` and `cutpoints[i]`.
    Next {
        i: usize,
    },
    /// Waiting for that part, whose buffers start at `bufs`.
    Await {
        i: usize,
        bufs: usize,
    },
}

/// What [`Search::resume`] does after a step of the top frame.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// Go on with the top frame: it moved on, or pushed a child.
    Go,
    /// The top frame is done: pop it and hand its outcome to its parent.
    Pop(Status),
    /// Hand this outcome to the top frame as if a child had ended so: a
    /// placement the checks refute gets no frame of its own.
    Answer(Status),
    /// End the run with this status, the stack left to resume or abandon.
    Exit(Status),
}

/// Where each section membership sits (see `Search::slot`): buffer b's k-th
/// section is occurrence `occ_start[b] + k`; `member_occ` and `slot` map
/// entries of the section member lists to occurrences and back.
struct Occurrences {
    occ_start: Vec<u32>,
    member_occ: Vec<u32>,
    slot: Vec<u32>,
}

impl Occurrences {
    fn of(m: &Model) -> Self {
        let n = m.num_buffers;
        let mut occ_start = Vec::with_capacity(n + 1);
        occ_start.push(0u32);
        for b in 0..n {
            let len: u32 = m.spans(b).iter().map(|sp| sp.hi - sp.lo).sum();
            occ_start.push(occ_start[b] + len);
        }
        let members = &m.section_members;
        let mut member_occ = vec![0u32; members.len()];
        let mut slot = vec![0u32; *occ_start.last().unwrap_or(&0) as usize];
        let mut seen = vec![0u32; n];
        for (i, &b) in members.iter().enumerate() {
            // Sections are visited in order, so this is b's next section.
            let occ = occ_start[b as usize] + seen[b as usize];
            seen[b as usize] += 1;
            member_occ[i] = occ;
            slot[occ as usize] = i as u32;
        }
        Occurrences { occ_start, member_occ, slot }
    }
}

/// One search worker's mutable state over a shared [`Model`].
pub struct Search<'m> {
    m: &'m Model,
    sw: Switches,
    capacity: i64,
    keys: Vec<Key>,
    rank: Option<Vec<u32>>,
    /// Points are filled in `rank`'s order, not the preorder's
    /// ([`crate::options::Worker::random_points`]).
    random_points: bool,
    /// Partitions hole branching applies to are searched by it
    /// ([`crate::options::Worker::holes`]).
    holes_on: bool,
    /// The hole-branching search in progress, if any (see [`holes`]).
    holes: Option<Box<holes::Holes>>,
    /// Whether the next hole-branching search is at the partition's load
    /// bound ([`Self::set_tighten`]).
    tighten: bool,
    /// The capacity and partition of the hole-branching search in
    /// progress.
    holes_at: (i64, usize),
    /// The partition, if any, whose load bound an exhausted search has
    /// refuted: it is searched at the capacity only.
    bound_refuted: Option<usize>,
    /// The supplied search for the next partition started, and the one in
    /// progress (see [`PartitionSearch`]).
    given: Option<Box<dyn PartitionSearch>>,
    supplied: Option<Box<dyn PartitionSearch>>,
    stop: StopToken,
    /// The token's deadline, read once: the clock is asked every 32 nodes.
    deadline: Option<Instant>,
    nogoods: Option<NogoodCache>,
    /// Failure learning is on and the model complete (see [`learned`]).
    learning: bool,
    learned: Learned,
    /// Facts learned since the driver last took them, kept only while the
    /// driver shares them ([`Self::set_sharing`]).
    fresh: Option<Vec<SharedFact>>,
    /// The context each unplaced buffer belongs to (the innermost one that
    /// holds it), `u32::MAX` outside any.
    in_ctx: Vec<u32>,

    offsets: Vec<i64>,
    min_offset: Vec<i64>,
    floor: Vec<i64>,
    total: Vec<i64>,
    cuts: Vec<u32>,
    solution: Vec<i64>,

    /// Each section's buffers: section `s` owns `members[start..end]` (the
    /// model's CSR bounds). In big sections (at least [`BIG_SECTION`]
    /// buffers) the first `live_members[s]` entries are the unplaced
    /// buffers, kept so as placements come and go; small sections are
    /// cheaper to scan whole than to maintain.
    members: Vec<u32>,
    live_members: Vec<u32>,
    /// For each entry of `members`, which occurrence (see `slot`) it is.
    member_occ: Vec<u32>,
    /// For occurrence `occ_start[b] + k` (buffer b in its k-th section),
    /// the entry of `members` holding it.
    slot: Vec<u32>,
    occ_start: Vec<u32>,
    offset_trail: Vec<(u32, i64)>,
    floor_trail: Vec<(u32, i64)>,
    /// Section ranges whose floors the current placement may lift.
    affected: Vec<(u32, u32)>,
    cands: Vec<Cand>,
    cutpoints: Vec<u32>,
    ctxs: Vec<Ctx>,
    stack: Vec<Frame>,
    bufs: Vec<u32>,
    order: Vec<u32>,
    live: Vec<u32>,
    scratch: Vec<PreorderData>,

    nodes_left: i64,
    clock: u32,
    timed_out: bool,
    /// Nodes visited (calls of the node function), over all runs.
    pub nodes: u64,
    /// Nodes whose every child failed, over all runs.
    pub backtracks: u64,
    /// Sub-partition searches skipped thanks to the nogood store.
    pub nogood_hits: u64,
    /// Facts learned from failed nodes, and nodes they pruned.
    pub facts_learned: u64,
    pub learned_hits: u64,
    /// Facts other searches learned that this one took in, and the nodes
    /// they pruned (counted in [`Self::learned_hits`] too).
    pub facts_taken_in: u64,
    pub shared_hits: u64,
    /// Nodes visited over the search's life: unlike [`Self::nodes`], which
    /// drivers take and zero when they account for it, never reset, so
    /// that a node can tell how big its subtree was.
    visits: u64,
    /// Buffers placed now, and the most placed at once since the search of
    /// the partition began: how far it got (see [`Self::deepest`]).
    placed: usize,
    deepest: usize,
}

impl<'m> Search<'m> {
    /// A worker for `model` at `capacity`, with the switches of `params`.
    pub fn new(m: &'m Model, capacity: i64, params: &SolverParams, stop: &StopToken) -> Self {
        let n = m.num_buffers;
        let s = m.num_sections();
        let Occurrences { occ_start, member_occ, slot } = Occurrences::of(m);
        let live_members = (0..s).map(|sec| m.section_start[sec + 1] - m.section_start[sec]).collect();
        let fixed_or_zero = || -> Vec<i64> { m.fixed.iter().map(|&f| if f == NO_FIXED { 0 } else { f }).collect() };
        Search {
            m,
            sw: params.switches,
            capacity,
            keys: params.preordering_heuristics.first().map(|h| h.0.clone()).unwrap_or_default(),
            rank: None,
            random_points: false,
            holes_on: false,
            holes: None,
            tighten: false,
            holes_at: (capacity, 0),
            bound_refuted: None,
            given: None,
            supplied: None,
            stop: stop.clone(),
            deadline: stop.deadline(),
            nogoods: None,
            learning: params.switches.get(Switch::FailureLearning) && m.complete,
            learned: Learned::new(m.learned_bytes()),
            fresh: None,
            in_ctx: vec![u32::MAX; n],
            offsets: vec![UNPLACED; n],
            min_offset: fixed_or_zero(),
            floor: vec![0; s],
            total: m.initial_total.clone(),
            cuts: m.initial_cuts.clone(),
            solution: fixed_or_zero(),
            members: m.section_members.clone(),
            live_members,
            member_occ,
            slot,
            occ_start,
            offset_trail: Vec::new(),
            floor_trail: Vec::new(),
            affected: Vec::new(),
            cands: Vec::new(),
            cutpoints: Vec::new(),
            ctxs: Vec::new(),
            stack: Vec::new(),
            bufs: Vec::new(),
            order: Vec::new(),
            live: Vec::new(),
            scratch: Vec::new(),
            nodes_left: i64::MAX,
            clock: 0,
            timed_out: false,
            nodes: 0,
            backtracks: 0,
            placed: 0,
            deepest: 0,
            nogood_hits: 0,
            facts_learned: 0,
            learned_hits: 0,
            facts_taken_in: 0,
            shared_hits: 0,
            visits: 0,
        }
    }

    /// Uses (and fills) a cache of infeasible sub-problems.
    pub fn set_nogoods(&mut self, cache: Option<NogoodCache>) {
        self.nogoods = cache;
    }

    /// Takes the nogood cache out of this worker.
    pub fn take_nogoods(&mut self) -> Option<NogoodCache> {
        self.nogoods.take()
    }

    /// The nogood cache, if any.
    pub fn nogoods_mut(&mut self) -> Option<&mut NogoodCache> {
        self.nogoods.as_mut()
    }

    /// The stop token of the following runs (e.g. a child of the race's
    /// that is cancelled when another worker has placed the partition).
    pub fn set_stop(&mut self, stop: StopToken) {
        self.deadline = stop.deadline();
        self.stop = stop;
        self.timed_out = false;
    }

    /// The technique switches used from now on (other fields are ignored).
    pub fn set_switches(&mut self, switches: Switches) {
        self.sw = switches;
        self.learning = switches.get(Switch::FailureLearning) && self.m.complete;
    }

    /// The preordering keys used from now on.
    pub fn set_keys(&mut self, keys: &[Key]) {
        self.keys = keys.to_vec();
    }

    /// Final tie-breaks of the preorder (`rank[buffer]`, ascending); `None`
    /// uses the buffer index, as the reference does.
    pub fn set_rank(&mut self, rank: Option<Vec<u32>>) {
        self.rank = rank;
    }

    /// Whether the buffers that can fill a point are tried in the order of
    /// the rank set by [`Self::set_rank`] (when there is one) rather than in
    /// preorder.
    pub fn set_random_points(&mut self, on: bool) {
        self.random_points = on;
    }

    /// Whether the following partitions are searched by hole branching
    /// where it applies (see [`crate::options::Worker::holes`]).
    pub fn set_holes(&mut self, on: bool) {
        self.holes_on = on;
    }

    /// Whether the next partition started by hole branching is searched at
    /// its load bound where that is below the capacity (see
    /// [`crate::options::Worker::tighten`]): a packing found there fits the
    /// capacity; an exhausted search proves nothing, and the search goes on
    /// at the capacity.
    pub fn set_tighten(&mut self, on: bool) {
        self.tighten = on;
    }

    /// The next partition started is searched by `search` (made for it),
    /// in place of this search's own branching.
    pub(crate) fn supply(&mut self, search: Option<Box<dyn PartitionSearch>>) {
        self.given = search;
    }

    /// The node budget for the following runs: nodes beyond it end a run
    /// with [`Status::NodeLimit`].
    pub fn set_node_limit(&mut self, limit: i64) {
        self.nodes_left = limit;
    }

    /// The most buffers of the current partition placed at once so far: a
    /// search that got nearer to placing all of them is more likely to be
    /// the one that will (the live race gives such searches more time).
    pub fn deepest(&self) -> usize {
        self.deepest
    }

    /// Whether the last [`Status::Stopped`] came from the deadline.
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// Offsets found so far: after [`Status::Found`] for a partition, its
    /// buffers' entries are a valid placement of it. Buffers never active
    /// hold their fixed offset or 0.
    pub fn solution(&self) -> &[i64] {
        &self.solution
    }

    /// Searches partition `p` of the model to the end (or until the node
    /// budget or a stop flag interrupts it; then the search is abandoned and
    /// the state restored, as the reference's abort does).
    pub fn solve_partition(&mut self, p: usize) -> Status {
        self.start_partition(p);
        let status = self.resume();
        if matches!(status, Status::NodeLimit | Status::Stopped) {
            self.abandon();
        }
        status
    }

    /// Begins a search of partition `p`; [`Self::resume`] runs it. Any
    /// search in progress must have ended or been abandoned.
    pub fn start_partition(&mut self, p: usize) {
        debug_assert!(!self.in_progress(), "a search is still in progress");
        self.deepest = 0;
        if let Some(search) = self.given.take() {
            self.supplied = Some(search);
            return;
        }
        if self.holes_on && holes::Holes::applies(self.m, p) {
            let bound = self.m.load_bound(p);
            let tight = self.tighten && bound < self.capacity && self.bound_refuted != Some(p);
            self.holes_at = (if tight { bound } else { self.capacity }, p);
            self.holes = Some(Box::new(holes::Holes::new(self.m, p, self.holes_at.0, self.rank.as_deref())));
            return;
        }
        let part = &self.m.partitions[p];
        self.bufs.clear();
        self.bufs.extend(part.buffers.iter().map(|&b| b as u32));
        let len = self.bufs.len();
        self.stack.push(Frame::Sub(Sub { start: 0, len, range: part.sections }, SubState::Enter));
    }

    /// Whether a search is paused (started, not finished, not abandoned).
    pub fn in_progress(&self) -> bool {
        !self.stack.is_empty() || self.holes.is_some() || self.supplied.is_some()
    }

    /// Runs the current search until it finds a placement
    /// ([`Status::Found`]), exhausts the space ([`Status::Infeasible`]),
    /// spends its node budget ([`Status::NodeLimit`]: paused, and
    /// [`Self::resume`] with a new budget continues exactly where it
    /// stopped), or is stopped ([`Status::Stopped`]: paused the same way,
    /// so that it can be resumed under another token, or abandoned).
    pub fn resume(&mut self) -> Status {
        if let Some(mut search) = self.supplied.take() {
            let status = self.resume_supplied(&mut *search);
            if matches!(status, Status::NodeLimit | Status::Stopped) {
                self.supplied = Some(search);
            }
            return status;
        }
        if let Some(mut search) = self.holes.take() {
            let mut status = self.resume_supplied(&mut *search);
            let (at, p) = self.holes_at;
            if status == Status::Infeasible && at < self.capacity {
                // Nothing fits under the load bound, which says nothing of
                // the capacity: the search goes on there, for good.
                self.bound_refuted = Some(p);
                self.holes_at = (self.capacity, p);
                search = Box::new(holes::Holes::new(self.m, p, self.capacity, self.rank.as_deref()));
                status = self.resume_supplied(&mut *search);
            }
            if matches!(status, Status::NodeLimit | Status::Stopped) {
                self.holes = Some(search);
            }
            return status;
        }
        // What the frame last popped, or a refuted placement, tells the top.
        let mut outcome: Option<Status> = None;
        while let Some(&frame) = self.stack.last() {
            let top = self.stack.len() - 1;
            let mut child = || outcome.take().unwrap_or(Status::Found);
            let step = match frame {
                Frame::Sub(sub, SubState::Enter) => self.step_sub_enter(top, sub),
                Frame::Sub(sub, SubState::Await { order, live }) => self.step_sub_await(sub, order, live, child()),
                Frame::Node(node, NodeState::Enter) => self.step_node_enter(top, node),
                Frame::Node(node, NodeState::Next(tries)) => self.step_node_next(top, node, tries),
                Frame::Node(node, NodeState::Await(tries, placed)) => {
                    self.step_node_await(top, node, tries, placed, child())
                }
                Frame::Split(split, SplitState::Enter) => self.step_split_enter(top, split),
                Frame::Split(split, SplitState::Single) => self.step_split_single(split, child()),
                Frame::Split(split, SplitState::Next { i }) => self.step_split_next(top, split, i),
                Frame::Split(split, SplitState::Await { i, bufs }) => {
                    self.step_split_await(top, split, i, bufs, child())
                }
            };
            match step {
                Step::Go => {}
                Step::Pop(status) => {
                    self.stack.pop();
                    outcome = Some(status);
                }
                Step::Answer(status) => outcome = Some(status),
                Step::Exit(status) => return status,
            }
        }
        self.bufs.clear();
        outcome.unwrap_or(Status::Found)
    }

    /// [`Self::resume`] for a search of its own kind (hole branching, or
    /// one supplied).
    fn resume_supplied(&mut self, search: &mut dyn PartitionSearch) -> Status {
        let mut budget = self.nodes_left;
        let (status, nodes, backtracks) = search.resume(&mut budget, &mut || self.should_stop());
        self.nodes_left = budget;
        self.nodes += nodes;
        self.visits += nodes;
        self.backtracks += backtracks;
        self.deepest = self.deepest.max(search.deepest());
        if status == Status::Found {
            for (b, offset) in search.placement() {
                self.solution[b] = offset;
            }
        }
        status
    }

    /// Enters a sub-partition: infeasible at once if the nogood store holds
    /// its starting state, else a new context and its root node.
    #[inline]
    fn step_sub_enter(&mut self, top: usize, sub: Sub) -> Step {
        let Sub { start, len, range } = sub;
        if self.nogoods.is_some() && self.keyed(len, range) {
            let key = self.nogood_key(start, len, range);
            if self.nogoods.as_mut().is_some_and(|n| n.contains(&key)) {
                self.nogood_hits += 1;
                return Step::Pop(Status::Infeasible);
            }
        }
        let (order, live) = self.enter_context(start, len, range);
        self.stack[top] = Frame::Sub(sub, SubState::Await { order, live });
        let c = self.ctxs.len() - 1;
        self.stack.push(Frame::Node(Node { c, min_offset: 0, min_pre: 0 }, NodeState::Enter));
        Step::Go
    }

    /// Leaves a sub-partition with its root's outcome, storing the proof
    /// when it is infeasible.
    #[inline]
    fn step_sub_await(&mut self, sub: Sub, order: usize, live: usize, status: Status) -> Step {
        self.leave_context(order, live);
        if status == Status::Infeasible && self.nogoods.is_some() && self.keyed(sub.len, sub.range) {
            self.store_nogood(sub);
        }
        Step::Pop(status)
    }

    /// Records that `sub` is infeasible from the state it started in. Kept
    /// out of line: it is rare, and LLVM would otherwise inline the cache's
    /// insertion into [`Self::resume`], making it a sixth bigger.
    #[inline(never)]
    fn store_nogood(&mut self, sub: Sub) {
        // Every change below has been undone, so the key read now is the one
        // this search started from.
        let key = self.nogood_key(sub.start, sub.len, sub.range);
        if let Some(cache) = self.nogoods.as_mut() {
            cache.insert(key);
        }
    }

    /// Visits a node, unless the budget is spent (the search pauses here)
    /// or it is stopped: a leaf records the context's placement; any other
    /// node ranks its candidates.
    #[inline]
    fn step_node_enter(&mut self, top: usize, node: Node) -> Step {
        if self.nodes_left <= 0 {
            // Paused: this node will be entered on resume.
            return Step::Exit(Status::NodeLimit);
        }
        // Asked before the node is counted, so that a stopped search is
        // paused exactly as one out of budget is: resumed, it enters this
        // node as if it had never stopped.
        if self.should_stop() {
            return Step::Exit(Status::Stopped);
        }
        self.nodes_left -= 1;
        self.nodes += 1;
        self.visits += 1;
        let ctx = self.ctxs[node.c];
        if ctx.live_len == 0 {
            // A leaf: every buffer of this context is placed.
            for i in ctx.bufs..ctx.bufs + ctx.len {
                let b = self.bufs[i] as usize;
                self.solution[b] = self.offsets[b];
            }
            return Step::Pop(Status::Found);
        }
        if self.learning {
            if let Some(taken_in) = self.known_to_fail(node.c, &ctx) {
                self.learned_hits += 1;
                self.shared_hits += u64::from(taken_in);
                return Step::Pop(Status::Infeasible);
            }
        }
        let (base, end, point, free) = match self.point_candidates(&ctx) {
            Some((base, end)) => (base, end, true, true),
            None => {
                let (base, end, free) = self.candidates(&ctx, node.min_offset, node.min_pre);
                (base, end, false, free)
            }
        };
        let entered = self.visits;
        self.stack[top] =
            Frame::Node(node, NodeState::Next(Tries { base, end, k: base, bar: None, point, free, entered }));
        Step::Go
    }

    /// Places a node's next candidate and descends into it; a node whose
    /// candidates are all tried has failed.
    #[inline]
    fn step_node_next(&mut self, top: usize, node: Node, tries: Tries) -> Step {
        let Tries { base, end, k, bar, .. } = tries;
        if k == end {
            self.cands.truncate(base);
            self.backtracks += 1;
            // Free and exhausted: what failed is the sub-problem itself.
            if tries.free && self.learning && self.visits - tries.entered >= learned::MIN_SUBTREE {
                self.learn(node.c);
            }
            return Step::Pop(Status::Infeasible);
        }
        let cand = self.cands[k];
        // A hatless buffer failed: those ranked after it would too.
        if bar.is_some_and(|bar| (cand.offset, cand.pre) > bar) {
            self.stack[top] = Frame::Node(node, NodeState::Next(Tries { k: k + 1, ..tries }));
            return Step::Go;
        }
        // Asked before each child too: on a dense partition a node tries
        // thousands of children that inference refutes without entering them.
        if self.should_stop() {
            return Step::Exit(Status::Stopped);
        }
        let (placed, viable) = self.place(node.c, cand);
        self.stack[top] = Frame::Node(node, NodeState::Await(tries, placed));
        if !viable {
            return Step::Answer(Status::Infeasible);
        }
        let c = node.c;
        if self.sw.get(Switch::DynamicDecomposition) {
            self.stack.push(Frame::Split(Split { c, placed, cut_base: 0 }, SplitState::Enter));
        } else {
            self.stack.push(Frame::Node(Node { c, min_offset: placed.offset, min_pre: placed.pre }, NodeState::Enter));
        }
        Step::Go
    }

    /// Takes back candidate `k` once its subtree has ended. The node ends
    /// with any outcome but failure; after a failure it tries the next.
    #[inline]
    fn step_node_await(&mut self, top: usize, node: Node, tries: Tries, placed: Placed, status: Status) -> Step {
        self.unplace(node.c, placed);
        if status != Status::Infeasible {
            self.cands.truncate(tries.base);
            return Step::Pop(status);
        }
        let mut next = Tries { k: tries.k + 1, ..tries };
        // Hatless pruning: b met no unplaced buffer, so any solution that
        // starts with a later-ranked sibling could move b down to its offset
        // and place it first; b's subtree would have found that. The argument
        // needs canonical order; with dynamic ordering every remaining
        // sibling ranks later, so this is the reference's break.
        if placed.hatless && !tries.point && self.sw.get(Switch::HatlessPruning) && self.sw.get(Switch::CanonicalOnly) {
            if self.sw.get(Switch::DynamicOrdering) {
                next.k = tries.end;
            } else {
                next.bar = Some((placed.offset, placed.pre));
            }
        }
        self.stack[top] = Frame::Node(node, NodeState::Next(next));
        Step::Go
    }

    /// Looks for the cuts the placement emptied: with none, the context's
    /// next node follows; otherwise its parts are solved one by one.
    #[inline]
    fn step_split_enter(&mut self, top: usize, split: Split) -> Step {
        let Split { c, placed, .. } = split;
        let cut_base = self.cut_at(c, placed.b as usize);
        let split = Split { cut_base, ..split };
        if self.cutpoints.len() - cut_base == 1 {
            self.stack[top] = Frame::Split(split, SplitState::Single);
            self.stack.push(Frame::Node(Node { c, min_offset: placed.offset, min_pre: placed.pre }, NodeState::Enter));
        } else {
            let upper = self.ctxs[c].range.upper as u32;
            self.cutpoints.push(upper);
            self.stack[top] = Frame::Split(split, SplitState::Next { i: cut_base + 1 });
        }
        Step::Go
    }

    /// Ends a placement that split nothing with its next node's outcome.
    #[inline]
    fn step_split_single(&mut self, split: Split, status: Status) -> Step {
        self.uncut(split.placed.b as usize, split.cut_base);
        Step::Pop(status)
    }

    /// Starts on part `i` as a sub-partition, or skips it when nothing in
    /// it is unplaced; past the last part, the placement has succeeded.
    #[inline]
    fn step_split_next(&mut self, top: usize, split: Split, i: usize) -> Step {
        if i == self.cutpoints.len() {
            self.uncut(split.placed.b as usize, split.cut_base);
            return Step::Pop(Status::Found);
        }
        let range = SectionRange { lower: self.cutpoints[i - 1] as usize, upper: self.cutpoints[i] as usize };
        let start = self.bufs.len();
        self.push_part(split.c, range);
        let len = self.bufs.len() - start;
        if len == 0 {
            self.stack[top] = Frame::Split(split, SplitState::Next { i: i + 1 });
            return Step::Go;
        }
        self.stack[top] = Frame::Split(split, SplitState::Await { i, bufs: start });
        self.stack.push(Frame::Sub(Sub { start, len, range }, SubState::Enter));
        Step::Go
    }

    /// Pushes onto the buffer arena the unplaced buffers of context `c`
    /// active in the sections `range`.
    #[inline]
    fn push_part(&mut self, c: usize, range: SectionRange) {
        let ctx = self.ctxs[c];
        for j in ctx.bufs..ctx.bufs + ctx.len {
            let other = self.bufs[j] as usize;
            if self.offsets[other] != UNPLACED {
                continue;
            }
            let (lo, hi) = self.m.extent[other];
            if !(hi as usize <= range.lower || range.upper <= lo as usize) {
                self.bufs.push(other as u32);
            }
        }
    }

    /// Goes on to the part after `i` once that one is solved; a part with
    /// no placement fails the whole placement.
    #[inline]
    fn step_split_await(&mut self, top: usize, split: Split, i: usize, bufs: usize, status: Status) -> Step {
        self.bufs.truncate(bufs);
        if status != Status::Found {
            self.uncut(split.placed.b as usize, split.cut_base);
            return Step::Pop(status);
        }
        self.stack[top] = Frame::Split(split, SplitState::Next { i: i + 1 });
        Step::Go
    }

    /// Gives up the current search, undoing every change it made, so the
    /// worker can start another.
    pub fn abandon(&mut self) {
        self.holes = None;
        self.supplied = None;
        while let Some(frame) = self.stack.pop() {
            match frame {
                Frame::Sub(_, SubState::Await { order, live }) => self.leave_context(order, live),
                Frame::Sub(_, SubState::Enter) => {}
                Frame::Node(node, state) => match state {
                    NodeState::Enter => {}
                    NodeState::Next(tries) => self.cands.truncate(tries.base),
                    NodeState::Await(tries, placed) => {
                        self.unplace(node.c, placed);
                        self.cands.truncate(tries.base);
                    }
                },
                Frame::Split(Split { placed, cut_base, .. }, state) => match state {
                    SplitState::Enter => {}
                    SplitState::Await { bufs, .. } => {
                        self.bufs.truncate(bufs);
                        self.uncut(placed.b as usize, cut_base);
                    }
                    SplitState::Single | SplitState::Next { .. } => self.uncut(placed.b as usize, cut_base),
                },
            }
        }
        self.bufs.clear();
    }

    /// Orders the buffers `bufs[start..start + len]` by the preorder and
    /// pushes a context for them over `range`. Returns the arena marks to
    /// restore on leaving.
    fn enter_context(&mut self, start: usize, len: usize, range: SectionRange) -> (usize, usize) {
        // The preorder: static attributes plus each buffer's largest
        // remaining section total right now.
        let m = self.m;
        self.scratch.clear();
        for i in start..start + len {
            let b = self.bufs[i] as usize;
            let mut d = m.preorder[b];
            let mut total = 0;
            for span in m.spans(b) {
                for s in span.lo..span.hi {
                    total = total.max(self.total[s as usize]);
                }
            }
            d.total = total;
            if let Some(rank) = &self.rank {
                d.rank = rank[b];
            }
            self.scratch.push(d);
        }
        if self.sw.get(Switch::StaticPreordering) {
            let keys = &self.keys;
            self.scratch.sort_unstable_by(|a, b| compare(keys, a, b));
        }
        let order = self.order.len();
        self.order.extend(self.scratch.iter().map(|d| d.buffer));
        let live = self.live.len();
        self.live.extend(0..len as u32);
        let max_total = self.total[range.lower..range.upper].iter().copied().max().unwrap_or(0);
        let c = self.ctxs.len() as u32;
        let mut hash = 0;
        for i in start..start + len {
            let b = self.bufs[i];
            hash ^= learned::set_hash(b);
            self.in_ctx[b as usize] = c;
        }
        self.ctxs.push(Ctx { bufs: start, order, live, len, live_len: len, range, max_total, hash });
        (order, live)
    }

    fn leave_context(&mut self, order: usize, live: usize) {
        if let Some(ctx) = self.ctxs.pop() {
            let parent = (self.ctxs.len() as u32).wrapping_sub(1);
            for i in ctx.bufs..ctx.bufs + ctx.len {
                self.in_ctx[self.bufs[i] as usize] = if self.ctxs.is_empty() { u32::MAX } else { parent };
            }
        }
        self.live.truncate(live);
        self.order.truncate(order);
    }

    /// Whether a sub-partition is small enough to be worth a nogood key
    /// (keys grow with the sub-partition; big ones rarely recur and would
    /// fill memory).
    #[inline]
    fn keyed(&self, len: usize, range: SectionRange) -> bool {
        3 + 2 * len + (range.upper - range.lower) <= MAX_KEY_WORDS
    }

    /// The exact starting state of a sub-partition search: the capacity, its
    /// section range, its buffers with their lowest offsets, and the floors
    /// of its sections. Remaining totals and cuts follow from the buffer set.
    fn nogood_key(&self, start: usize, len: usize, range: SectionRange) -> Vec<i64> {
        let mut bufs: Vec<u32> = self.bufs[start..start + len].to_vec();
        bufs.sort_unstable();
        let mut key = Vec::with_capacity(3 + 2 * len + range.upper - range.lower);
        key.push(self.capacity);
        key.push(range.lower as i64);
        key.push(range.upper as i64);
        for b in bufs {
            key.push(b as i64);
            key.push(self.min_offset[b as usize]);
        }
        key.extend_from_slice(&self.floor[range.lower..range.upper]);
        key
    }

    /// Whether to stop now: the stop flag every node, the clock every 32.
    #[inline]
    fn should_stop(&mut self) -> bool {
        if self.stop.is_cancelled() {
            return true;
        }
        self.clock = self.clock.wrapping_add(1);
        if self.clock % 32 == 0 {
            if let Some(d) = self.deadline {
                if Instant::now() >= d {
                    self.timed_out = true;
                    return true;
                }
            }
        }
        false
    }

    /// Point filling: where the lowest section of the context that still
    /// has buffers to place (the leftmost such at that floor) has no spare
    /// room, its floor must be filled exactly, so some unplaced buffer sits
    /// right on it; the candidates are those that can, at the floor, in
    /// preorder, or in the rank's order where points are filled at random
    /// ([`Self::set_random_points`]). `None` (branch as the reference does) when the switch is
    /// off, the model has gaps (windows would not sit on the floor), or the
    /// section has room to spare.
    ///
    /// Why this keeps the search complete and the reference's other
    /// techniques sound: the branching covers every solution of the node,
    /// whatever order it was reached in. Every unplaced buffer's offset is
    /// at least the floor `f` (it is the lowest floor with anything left),
    /// so a child may go on in canonical order from (`f`, 0): candidates get
    /// preorder 0, which [`Self::place`] hands down as the child's bound.
    /// The placement is at the lowest floor, so the monotonic floor still
    /// holds, and siblings are not in canonical order, so no hatless cut.
    fn point_candidates(&mut self, ctx: &Ctx) -> Option<(usize, usize)> {
        if !self.sw.get(Switch::PointFilling) || self.m.edge_eff.is_some() {
            return None;
        }
        let range = ctx.range.lower..ctx.range.upper;
        let (floor, at) = range.filter(|&s| self.total[s] > 0).map(|s| (self.floor[s], s)).min()?;
        if floor + self.total[at] != self.capacity {
            return None;
        }
        let m = self.m;
        let base = self.cands.len();
        for i in 0..ctx.live_len {
            let pre = self.live[ctx.live + i];
            let b = self.order[ctx.order + pre as usize] as usize;
            let (lo, hi) = m.extent[b];
            if self.min_offset[b] == floor && (lo as usize) <= at && at < hi as usize {
                if (m.fixed[b] != NO_FIXED && floor != m.fixed[b]) || self.twin_waits(ctx, pre, b) {
                    continue;
                }
                self.cands.push(Cand { offset: floor, pre, buffer: b as u32, pos: i as u32 });
            }
        }
        match (&self.rank, self.random_points) {
            (Some(rank), true) => self.cands[base..].sort_unstable_by_key(|c| rank[c.buffer as usize]),
            _ => self.cands[base..].sort_unstable_by_key(|c| c.pre),
        }
        for c in &mut self.cands[base..] {
            c.pre = 0;
        }
        Some((base, self.cands.len()))
    }

    /// Ranks the unplaced buffers of context `ctx` for a node whose parent
    /// placed at (`min_offset`, `min_pre`): only those at or after it (under
    /// canonical order) and below the lowest top of any unplaced buffer
    /// (under dominance) may come next. Pushes them onto the candidate arena
    /// in the order to try and returns their range, and whether the
    /// canonical bound excluded none of them (the node is free).
    #[inline]
    fn candidates(&mut self, ctx: &Ctx, min_offset: i64, min_pre: u32) -> (usize, usize, bool) {
        let m = self.m;
        let base = self.cands.len();
        let mut min_height = i64::MAX;
        let mut free = true;
        for i in 0..ctx.live_len {
            let pre = self.live[ctx.live + i];
            let b = self.order[ctx.order + pre as usize] as usize;
            let offset = self.min_offset[b];
            min_height = min_height.min(offset + m.size[b]);
            if self.sw.get(Switch::CanonicalOnly) && (offset < min_offset || (offset == min_offset && pre < min_pre)) {
                free = false;
                continue;
            }
            if self.sw.get(Switch::CheckDominance) && offset >= min_height {
                continue;
            }
            if (m.fixed[b] != NO_FIXED && offset > m.fixed[b]) || self.twin_waits(ctx, pre, b) {
                continue;
            }
            self.cands.push(Cand { offset, pre, buffer: b as u32, pos: i as u32 });
        }
        if self.sw.get(Switch::CheckDominance) {
            let mut keep = base;
            for k in base..self.cands.len() {
                if self.cands[k].offset < min_height {
                    self.cands[keep] = self.cands[k];
                    keep += 1;
                }
            }
            self.cands.truncate(keep);
        }
        if self.sw.get(Switch::DynamicOrdering) {
            self.cands[base..].sort_unstable_by_key(|c| (c.offset, c.pre));
        } else {
            self.cands[base..].sort_unstable_by_key(|c| c.pre);
        }
        (base, self.cands.len(), free)
    }

    /// Whether a learned fact says context `c` cannot be completed now:
    /// one about its very set of unplaced buffers, whose offsets are all
    /// at or below theirs now (see [`learned`]); if so, whether another
    /// search learned it.
    #[inline]
    fn known_to_fail(&self, c: usize, ctx: &Ctx) -> Option<bool> {
        let c = c as u32;
        self.learned.holds(ctx.hash, ctx.live_len, |b, lo| {
            let b = b as usize;
            self.in_ctx[b] == c && self.offsets[b] == UNPLACED && self.min_offset[b] >= lo
        })
    }

    /// Learns that context `c`'s unplaced buffers cannot all be placed at
    /// or above their lowest offsets now (its free node has just failed).
    #[inline(never)]
    fn learn(&mut self, c: usize) {
        let ctx = self.ctxs[c];
        let bufs: Vec<u32> =
            (0..ctx.live_len).map(|i| self.order[ctx.order + self.live[ctx.live + i] as usize]).collect();
        let lo = bufs.iter().map(|&b| self.min_offset[b as usize]).collect();
        if let Some(fact) = self.learned.learn(ctx.hash, bufs, lo) {
            self.facts_learned += 1;
            if let Some(fresh) = &mut self.fresh {
                fresh.push(fact);
            }
        }
    }

    /// Whether the facts this search learns are also kept for the driver to
    /// hand on ([`Self::take_fresh_facts`]).
    pub(crate) fn set_sharing(&mut self, on: bool) {
        if !on {
            self.fresh = None;
        } else if self.fresh.is_none() {
            self.fresh = Some(Vec::new());
        }
    }

    /// Drops every fact held, and those not yet taken: for a driver that
    /// knows they can no longer help (their partition is placed; facts name
    /// their buffers, so they never match on another).
    pub(crate) fn forget_facts(&mut self) {
        self.learned.clear();
        if let Some(fresh) = &mut self.fresh {
            fresh.clear();
        }
    }

    /// The facts learned since the last call, for other searches of the
    /// same model, partition and capacity (see [`learned`] for why they
    /// hold there).
    pub(crate) fn take_fresh_facts(&mut self) -> Vec<SharedFact> {
        self.fresh.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Takes in facts that other searches over this model learned at this
    /// search's capacity (or a larger one) on its current partition; with
    /// failure learning off they are ignored.
    pub(crate) fn take_in_facts<'f>(&mut self, facts: impl IntoIterator<Item = &'f SharedFact>) {
        if self.learning {
            for fact in facts {
                self.facts_taken_in += u64::from(self.learned.take_in(fact));
            }
        }
    }

    /// Whether buffer `b` (preorder index `pre` in context `ctx`) must wait
    /// for its twin: under [`Switch::IdenticalOrder`], the buffer just
    /// before it in the context's preorder is identical to it and unplaced.
    ///
    /// Why this keeps the search complete, with every other technique on:
    /// the two have the same lowest offset, and the twin ranks first, so
    /// the twin's subtree is tried first; `b`'s would be the same subtree
    /// with the two names swapped (identical buffers meet every buffer
    /// alike, and, being next to each other in the preorder, compare alike
    /// with every other buffer), so it fails if the twin's did. Hatless
    /// cuts are untouched: a buffer with an unplaced twin meets it, so it
    /// is never hatless. Only neighbours in the preorder count, so that
    /// swapping them changes no comparison with a third buffer.
    #[inline]
    fn twin_waits(&self, ctx: &Ctx, pre: u32, b: usize) -> bool {
        if pre == 0 || !self.sw.get(Switch::IdenticalOrder) {
            return false;
        }
        let a = self.order[ctx.order + pre as usize - 1] as usize;
        self.m.twin[a] == self.m.twin[b] && self.offsets[a] == UNPLACED
    }

    /// Places candidate `cand` of context `c` and propagates: raises the
    /// lowest offsets it pushes up and the floors of its sections. Returns
    /// the undo record and whether the placement survives the checks.
    #[inline]
    fn place(&mut self, c: usize, cand: Cand) -> (Placed, bool) {
        let b = cand.buffer as usize;
        let offset = cand.offset;
        let ctx = self.ctxs[c];
        // Take b out of the unplaced list (swap it with the last).
        self.offsets[b] = offset;
        self.placed += 1;
        self.deepest = self.deepest.max(self.placed);
        self.leave_sections(b);
        let live_last = ctx.live + ctx.live_len - 1;
        self.live.swap(ctx.live + cand.pos as usize, live_last);
        self.ctxs[c].live_len -= 1;
        self.ctxs[c].hash ^= learned::set_hash(b as u32);

        let offset_mark = self.offset_trail.len();
        let (hatless, fixed_failure) = self.raise_min_offsets(b, offset);
        let floor_mark = self.floor_trail.len();
        let floors_fit = self.raise_floors(b, offset);
        // The whole buffer must fit, not just the windows the sections see
        // (the reference misses this when gaps' windows are lower).
        let fits = offset + self.m.size[b] <= self.capacity;
        let viable = !fixed_failure && fits && self.check(&ctx, offset, floors_fit);
        let placed = Placed {
            b: b as u32,
            offset,
            pre: cand.pre,
            pos: cand.pos,
            offset_mark: offset_mark as u32,
            floor_mark: floor_mark as u32,
            hatless,
        };
        (placed, viable)
    }

    /// Undoes [`Self::place`], newest change first.
    #[inline]
    fn unplace(&mut self, c: usize, placed: Placed) {
        let m = self.m;
        let b = placed.b as usize;
        while self.floor_trail.len() > placed.floor_mark as usize {
            let (s, f) = self.floor_trail.pop().unwrap_or_default();
            self.floor[s as usize] = f;
        }
        for span in m.spans(b) {
            for s in span.lo..span.hi {
                self.total[s as usize] += span.len;
            }
        }
        while self.offset_trail.len() > placed.offset_mark as usize {
            let (o, v) = self.offset_trail.pop().unwrap_or_default();
            self.min_offset[o as usize] = v;
        }
        let ctx = self.ctxs[c];
        self.ctxs[c].live_len += 1;
        self.ctxs[c].hash ^= learned::set_hash(b as u32);
        self.live.swap(ctx.live + placed.pos as usize, ctx.live + ctx.live_len);
        self.offsets[b] = UNPLACED;
        self.placed -= 1;
        self.rejoin_sections(b);
    }

    /// After placing `b` in context `c`: records it in the solution, takes
    /// it out of the cuts it crosses, and lists the split points of the
    /// context (its lower end, then every cut that dropped to zero).
    /// Returns where this list starts in the cutpoint arena.
    fn cut_at(&mut self, c: usize, b: usize) -> usize {
        self.solution[b] = self.offsets[b];
        let (lo, hi) = self.m.extent[b];
        let cut_base = self.cutpoints.len();
        self.cutpoints.push(self.ctxs[c].range.lower as u32);
        for s in lo..hi.saturating_sub(1) {
            let s = s as usize;
            self.cuts[s] -= 1;
            if self.cuts[s] == 0 {
                self.cutpoints.push(s as u32 + 1);
            }
        }
        cut_base
    }

    fn uncut(&mut self, b: usize, cut_base: usize) {
        let (lo, hi) = self.m.extent[b];
        for s in lo..hi.saturating_sub(1) {
            self.cuts[s as usize] += 1;
        }
        self.cutpoints.truncate(cut_base);
    }

    /// Raises the lowest offsets of the unplaced buffers `b` overlaps, now
    /// that it sits at `offset`, and collects the sections whose floors may
    /// rise as a result. Returns (nothing unplaced overlaps b, some fixed
    /// buffer was pushed past its offset).
    #[inline]
    fn raise_min_offsets(&mut self, b: usize, offset: i64) -> (bool, bool) {
        let m = self.m;
        let mut hatless = true;
        let mut fixed_failure = false;
        for e in m.edges(b) {
            let o = e.other as usize;
            if self.offsets[o] != UNPLACED {
                continue;
            }
            hatless = false;
            let height = offset + e.eff;
            if self.min_offset[o] >= height {
                continue;
            }
            self.offset_trail.push((o as u32, self.min_offset[o]));
            let align = m.align[o];
            let raised = if align > 1 && height % align > 0 { height + align - height % align } else { height };
            self.min_offset[o] = raised;
            if m.fixed[o] != NO_FIXED && raised > m.fixed[o] {
                fixed_failure = true;
            }
            if self.sw.get(Switch::UnallocatedFloor) {
                self.affected.extend(m.spans(o).iter().map(|span| (span.lo, span.hi)));
            }
        }
        // The raised buffers all meet b, so their spans overlap heavily:
        // merging them visits each affected section once.
        if self.affected.len() > 1 {
            self.affected.sort_unstable_by_key(|&(lo, _)| lo);
            let mut merged = 0;
            for i in 1..self.affected.len() {
                let (lo, hi) = self.affected[i];
                if lo <= self.affected[merged].1 {
                    self.affected[merged].1 = self.affected[merged].1.max(hi);
                } else {
                    merged += 1;
                    self.affected[merged] = (lo, hi);
                }
            }
            self.affected.truncate(merged + 1);
        }
        (hatless, fixed_failure)
    }

    /// Sets the floors of `b`'s sections to its top, takes its size out of
    /// their totals, then lifts each affected section's floor to the lowest
    /// offset any of its unplaced buffers can take. Returns whether every
    /// section it changed still fits: floor, plus the remaining total under
    /// section inference, within the capacity.
    #[inline]
    fn raise_floors(&mut self, b: usize, offset: i64) -> bool {
        let m = self.m;
        let cap = self.capacity;
        let inference = self.sw.get(Switch::SectionInference);
        let mut fits = true;
        for span in m.spans(b) {
            let height = offset + span.top;
            for s in span.lo..span.hi {
                let s = s as usize;
                self.floor_trail.push((s as u32, self.floor[s]));
                self.floor[s] = height;
                self.total[s] -= span.len;
                fits &= height + if inference { self.total[s] } else { 0 } <= cap;
            }
        }
        for i in 0..self.affected.len() {
            let (lo, hi) = self.affected[i];
            for s in lo as usize..hi as usize {
                self.lift_floor(s, &mut fits);
            }
        }
        self.affected.clear();
        fits
    }

    /// Moves `b` out of the unplaced prefix of each of its sections (swapping
    /// it with the prefix's last entry), so floor lifts scan unplaced
    /// buffers only.
    #[inline]
    fn leave_sections(&mut self, b: usize) {
        let m = self.m;
        let mut occ = self.occ_start[b];
        for span in m.spans(b) {
            for s in span.lo as usize..span.hi as usize {
                if m.section_start[s + 1] - m.section_start[s] < BIG_SECTION {
                    occ += 1;
                    continue;
                }
                let at = self.slot[occ as usize] as usize;
                self.live_members[s] -= 1;
                let last = (m.section_start[s] + self.live_members[s]) as usize;
                self.members.swap(at, last);
                self.member_occ.swap(at, last);
                self.slot[self.member_occ[at] as usize] = at as u32;
                self.slot[self.member_occ[last] as usize] = last as u32;
                occ += 1;
            }
        }
    }

    /// Undoes [`Self::leave_sections`]: b sits right past each prefix, so
    /// growing the prefix by one takes it back in.
    #[inline]
    fn rejoin_sections(&mut self, b: usize) {
        let m = self.m;
        for span in m.spans(b) {
            for s in span.lo as usize..span.hi as usize {
                if m.section_start[s + 1] - m.section_start[s] >= BIG_SECTION {
                    self.live_members[s] += 1;
                }
            }
        }
    }

    /// Lifts section `s`'s floor to the lowest offset any of its unplaced
    /// buffers can take, if that is higher; clears `fits` if it then
    /// overflows.
    #[inline]
    fn lift_floor(&mut self, s: usize, fits: &mut bool) {
        let m = self.m;
        let inference = self.sw.get(Switch::SectionInference);
        {
            let floor = self.floor[s];
            let mut lowest = i64::MAX;
            let start = m.section_start[s] as usize;
            let big = m.section_start[s + 1] - m.section_start[s] >= BIG_SECTION;
            let end = if big { start + self.live_members[s] as usize } else { m.section_start[s + 1] as usize };
            for &u in &self.members[start..end] {
                if !big && self.offsets[u as usize] != UNPLACED {
                    continue;
                }
                debug_assert_eq!(self.offsets[u as usize], UNPLACED);
                let v = self.min_offset[u as usize];
                if v <= floor {
                    // The floor cannot rise; no need to look further.
                    lowest = i64::MAX;
                    break;
                }
                lowest = lowest.min(v);
            }
            if lowest != i64::MAX && floor < lowest {
                self.floor_trail.push((s as u32, floor));
                self.floor[s] = lowest;
                *fits &= lowest + if inference { self.total[s] } else { 0 } <= self.capacity;
            }
        }
    }

    /// Whether every section of the context still fits: its floor (at least
    /// the current offset, under the monotonic floor) plus what remains to
    /// be placed in it (under section inference) is within the capacity.
    ///
    /// Only the sections this placement changed can newly fail on their
    /// floors (every section of the context fitted when its parent was
    /// checked), and `raise_floors` checked those; what remains is the
    /// monotonic floor, `offset + total <= capacity` everywhere, which the
    /// context's starting maximum total often settles without a scan.
    #[inline]
    fn check(&self, ctx: &Ctx, offset: i64, floors_fit: bool) -> bool {
        let fast = floors_fit && (!self.sw.get(Switch::MonotonicFloor) || self.offset_fits(ctx, offset));
        debug_assert_eq!(fast, self.check_every_section(ctx.range, offset), "incremental check disagrees");
        fast
    }

    #[inline]
    fn offset_fits(&self, ctx: &Ctx, offset: i64) -> bool {
        let cap = self.capacity;
        if !self.sw.get(Switch::SectionInference) {
            return offset <= cap;
        }
        if offset + ctx.max_total <= cap {
            return true;
        }
        self.total[ctx.range.lower..ctx.range.upper].iter().all(|&t| offset + t <= cap)
    }

    /// The reference's check, section by section (for debug assertions).
    fn check_every_section(&self, range: SectionRange, offset: i64) -> bool {
        let floors = &self.floor[range.lower..range.upper];
        let totals = &self.total[range.lower..range.upper];
        let cap = self.capacity;
        match (self.sw.get(Switch::MonotonicFloor), self.sw.get(Switch::SectionInference)) {
            (true, true) => floors.iter().zip(totals).all(|(&f, &t)| f.max(offset) + t <= cap),
            (true, false) => floors.iter().all(|&f| f.max(offset) <= cap),
            (false, true) => floors.iter().zip(totals).all(|(&f, &t)| f + t <= cap),
            (false, false) => floors.iter().all(|&f| f <= cap),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::SolverParams;

    /// Hole branching tightened to the load bound: where a packing fits
    /// under the bound it is found there, below the capacity; where none
    /// does (the tricky instance: load 4, height 5), the exhausted search
    /// at the bound goes on at the capacity and still packs, never
    /// reporting the capacity infeasible.
    #[test]
    fn a_tightened_search_packs_under_the_bound_or_goes_on_at_the_capacity() {
        use crate::problem::{Buffer, Problem};
        let tricky = TRICKY.iter().enumerate().map(|(i, &(l, u, s))| Buffer::new(i.to_string(), l, u, s));
        let cases = [
            (vec![Buffer::new("a", 0, 2, 2), Buffer::new("b", 2, 4, 2), Buffer::new("c", 0, 4, 2)], true),
            (tricky.collect(), false),
        ];
        for (buffers, fits_the_bound) in cases {
            let p = Problem::new(buffers, 9);
            let model = Model::new(&p);
            assert_eq!(model.partitions().len(), 1);
            let (status, search) = run_holes(&model, p.capacity, 0, true);
            assert_eq!(search.holes_at.0, if fits_the_bound { 4 } else { 9 }, "where it ended");
            assert_eq!(status, Status::Found);
            let s = crate::problem::Solution::new(&p, search.solution().to_vec());
            assert!(crate::validate::validate(&p, &s).is_ok());
            assert!(s.height <= if fits_the_bound { 4 } else { p.capacity });
            assert_eq!(search.bound_refuted, (!fits_the_bound).then_some(0));
        }
    }

    /// Hole branching on partition `p` of `model` at `capacity`, tightened
    /// or not, in slices of two nodes: its status and the search.
    fn run_holes<'m>(model: &'m Model, capacity: i64, p: usize, tighten: bool) -> (Status, Search<'m>) {
        let stop = StopToken::new();
        let mut search = Search::new(model, capacity, &SolverParams::default(), &stop);
        search.set_holes(true);
        search.set_tighten(tighten);
        search.start_partition(p);
        if tighten && model.load_bound(p) < capacity {
            assert_eq!(search.holes_at.0, model.load_bound(p), "starts at the load bound");
        }
        let status = loop {
            search.set_node_limit(2);
            match search.resume() {
                Status::NodeLimit => continue,
                other => break other,
            }
        };
        (status, search)
    }

    /// Tightened or not, hole branching ends the same on small random
    /// problems at and above their load bound, each beside a copy of the
    /// tricky instance (scaled; nothing fits under its load bound) later
    /// in time: a refuted bound is never a refuted capacity.
    #[test]
    fn tightening_never_changes_what_hole_branching_proves() {
        use crate::problem::Buffer;
        let (mut refuted, mut found) = (0, 0);
        for seed in 0..200u64 {
            let mut p = crate::generate::random(seed, 6 + (seed % 4) as usize, 10, 5, 6);
            let k = 1 + (seed % 3) as i64;
            for (i, &(l, u, s)) in TRICKY.iter().enumerate() {
                p.buffers.push(Buffer::new(format!("t{i}"), 20 + l, 20 + u, k * s));
            }
            let load = crate::bounds::max_load(&p) as i64;
            p.capacity = load.max(5 * k) + (seed % 3) as i64;
            let model = Model::new(&p);
            for part in (0..model.partitions().len()).filter(|&q| holes::Holes::applies(&model, q)) {
                let (plain, _) = run_holes(&model, p.capacity, part, false);
                let (tight, search) = run_holes(&model, p.capacity, part, true);
                assert_eq!(tight, plain, "seed {seed}, partition {part}");
                refuted += usize::from(search.bound_refuted.is_some() && plain == Status::Found);
                found += usize::from(plain == Status::Found);
            }
        }
        assert!(refuted >= 100, "{refuted} bounds refuted where the capacity fits");
        assert!(found >= 300, "{found} packings");
    }

    /// Load 4, lowest packing 5 (as in the minimization's tests).
    const TRICKY: [(i64, i64, i64); 7] = [(0, 1, 3), (0, 3, 1), (4, 5, 3), (2, 5, 1), (1, 2, 2), (3, 4, 2), (1, 4, 1)];

    /// A search stopped by its token is paused as one out of budget is:
    /// resumed under another token, it visits exactly the nodes of an
    /// uninterrupted search and ends with the same placement (the quick
    /// round hands searches its time limit stopped on to the race).
    #[test]
    fn stopping_and_resuming_changes_nothing() {
        let p = crate::generate::perfect(7, 60, 64, 100);
        let model = Model::new(&p);
        let params = SolverParams::default();
        let (live, stopped) = (StopToken::new(), StopToken::new());
        stopped.cancel();
        let mut whole = Search::new(&model, p.capacity, &params, &live);
        let mut halted = Search::new(&model, p.capacity, &params, &live);
        let mut stops = 0;
        for part in 0..model.partitions().len() {
            whole.set_node_limit(i64::MAX);
            let expected = whole.solve_partition(part);
            halted.start_partition(part);
            let got = loop {
                halted.set_stop(stopped.clone());
                halted.set_node_limit(i64::MAX);
                assert_eq!(halted.resume(), Status::Stopped);
                stops += 1;
                assert!(halted.in_progress(), "a stopped search stays paused");
                halted.set_stop(live.clone());
                halted.set_node_limit(5);
                match halted.resume() {
                    Status::NodeLimit => continue,
                    other => break other,
                }
            };
            assert_eq!(got, expected);
        }
        assert!(stops > 20, "stopped often: {stops}");
        assert_eq!(whole.nodes, halted.nodes);
        assert_eq!(whole.backtracks, halted.backtracks);
        assert_eq!(whole.solution(), halted.solution());
    }

    #[test]
    fn pausing_and_resuming_changes_nothing() {
        // A search run in slices of a few nodes visits exactly the nodes of
        // an uninterrupted one and ends with the same placement.
        let p = crate::generate::perfect(7, 60, 64, 100);
        let model = Model::new(&p);
        let stop = StopToken::new();
        let params = SolverParams::default();
        let mut whole = Search::new(&model, p.capacity, &params, &stop);
        let mut sliced = Search::new(&model, p.capacity, &params, &stop);
        for search in [&mut whole, &mut sliced] {
            search.set_keys(&params.preordering_heuristics[2].0);
        }
        for part in 0..model.partitions().len() {
            whole.set_node_limit(i64::MAX);
            let expected = whole.solve_partition(part);
            sliced.start_partition(part);
            let got = loop {
                sliced.set_node_limit(3);
                match sliced.resume() {
                    Status::NodeLimit => continue,
                    other => break other,
                }
            };
            assert_eq!(got, expected);
            assert!(!sliced.in_progress());
        }
        assert!(whole.nodes > 100, "a search worth slicing: {} nodes", whole.nodes);
        assert_eq!(whole.nodes, sliced.nodes);
        assert_eq!(whole.backtracks, sliced.backtracks);
        assert_eq!(whole.solution(), sliced.solution());
    }

    #[test]
    fn abandoning_restores_the_state() {
        let p = crate::generate::perfect(4, 50, 64, 100);
        let model = Model::new(&p);
        let stop = StopToken::new();
        let params = SolverParams::default();
        let mut fresh = Search::new(&model, p.capacity, &params, &stop);
        let mut reused = Search::new(&model, p.capacity, &params, &stop);
        for part in 0..model.partitions().len() {
            reused.start_partition(part);
            reused.set_node_limit(7);
            let _ = reused.resume();
            reused.abandon();
        }
        for part in 0..model.partitions().len() {
            fresh.set_node_limit(i64::MAX);
            reused.set_node_limit(i64::MAX);
            assert_eq!(fresh.solve_partition(part), reused.solve_partition(part));
        }
        assert_eq!(fresh.solution(), reused.solution());
    }
}
