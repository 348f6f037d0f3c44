//! The live race: the threads time-slice every worker's search on the open
//! partition, and the first search to place it wins.
//!
//! Searches pause and resume exactly where they were, so sharing threads
//! wastes no work, and a worker whose heuristic is lost on a partition
//! costs the others only its share of the time. Which search wins depends
//! on timing; the deterministic race ([`super::deterministic`]) does not.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};

use super::crew::luby;
use super::race::{Race, RaceOutcome};
use super::shared_facts::FactPool;
use crate::nogood::{NogoodCache, NogoodHub};
use crate::options::Worker;
use crate::search::{Search, Status};
use crate::switches::Switch;

/// One search of the race: worker `w` on partition `p`.
struct Task<'s> {
    /// Stable while the task list changes under other threads.
    id: u64,
    p: usize,
    w: usize,
    /// Its paused search; `None` before its first slice, and while a thread runs it.
    search: Option<Search<'s>>,
    running: bool,
    /// Time run so far (nanoseconds); the scheduler gives every task an
    /// equal share of the threads' time (node costs differ a lot between
    /// heuristics, so counting nodes would not be fair).
    spent: u64,
    /// Restarts so far, and slices run since the last (see
    /// [`crate::options::Worker::restarts`]).
    restarts: u64,
    slices: u64,
    /// The most of the partition's buffers its search has placed at once,
    /// and the partition's size.
    depth: usize,
    size: usize,
    /// Whether its search has backtracked in any slice (see
    /// [`Task::sailing`]).
    backtracked: bool,
    /// Time (nanoseconds) after which its time counts as `spent² /
    /// patience`, so that its share falls as the race goes on; 0 for a
    /// search that restarts or repairs, whose share stays (see
    /// [`crate::tunables::PortfolioTunables::patience`]).
    patience: u64,
    /// It has not run yet and starts late: it counts as having run for
    /// [`crate::tunables::PortfolioTunables::holes_delay`] already, and
    /// not as sailing.
    late: bool,
    /// How many of its partition's shared facts it has been handed.
    facts_seen: usize,
}

/// A tunable's duration in nanoseconds, saturating: a preset may ask for
/// centuries, which `u64` nanoseconds cannot hold.
fn nanos(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Task<'_> {
    /// Whether its search has run without a backtrack so far: each node
    /// placed one more buffer, so it reaches a placement within as many
    /// nodes as the partition has buffers, or backtracks. On a partition
    /// with room to spare every worker may sail, and sharing the threads
    /// equally among them would slow the first to arrive by the number of
    /// searches per thread; so sailing tasks go first, the deepest first
    /// (see [`Task::rank`]). That delays the others by at most one descent.
    fn sailing(&self) -> bool {
        !self.backtracked
    }

    /// The scheduler's order (least first): sailing tasks, deepest first,
    /// then the others by [`Task::weighted`] time.
    fn rank(&self, bonus: u64, won: f64) -> (bool, u64) {
        if self.sailing() && !self.late {
            (false, (self.size - self.depth.min(self.size)) as u64)
        } else {
            (true, self.weighted(bonus, won))
        }
    }

    /// Time run, discounted by how far the search got and by the share
    /// `won` of the problem's buffers in the partitions its worker has won
    /// (see [`crate::tunables::PortfolioTunables::winning_bonus`]), and
    /// past its patience counted as growing with its square.
    fn weighted(&self, bonus: u64, won: f64) -> u64 {
        let reach = if self.size == 0 { 0.0 } else { self.depth as f64 / self.size as f64 };
        let mut spent = self.spent as f64;
        if self.patience > 0 && self.spent > self.patience {
            spent *= spent / self.patience as f64;
        }
        (spent / (1.0 + bonus as f64 * (reach.powi(8) + won))) as u64
    }
}

/// The live race's schedule: open partitions and their tasks, and idle
/// search workers to reuse.
struct Schedule<'s> {
    tasks: Vec<Task<'s>>,
    /// The next partition to open (partitions open in order).
    next: usize,
    /// At most this many partitions have tasks at once.
    open_limit: usize,
    next_id: u64,
    /// Idle workers (a search allocates memory proportional to the
    /// problem, so they are recycled rather than made per task).
    idle: Vec<Search<'s>>,
    /// Links the nogood caches made for adopted searches (see
    /// [`Race::first_search`]); other caches are private.
    hub: Arc<NogoodHub>,
    /// The facts the searches learned, handed on between them (see
    /// [`crate::tunables::PortfolioTunables::share_facts`]).
    facts: FactPool,
}

/// A slice to run: task `id` (worker `w` on partition `p`) and its search,
/// taken out of the schedule while a thread runs it.
struct Slice<'s> {
    id: u64,
    p: usize,
    w: usize,
    search: Search<'s>,
}

/// Partitions with tasks (tasks are added a partition at a time, so a
/// partition's tasks sit together).
fn open_partitions(tasks: &[Task<'_>]) -> usize {
    let mut ps: Vec<usize> = tasks.iter().map(|t| t.p).collect();
    ps.dedup();
    ps.len()
}

impl<'a> Race<'a> {
    /// The live race: every thread repeatedly takes the open task first in
    /// [`Task::rank`] (a search that has not backtracked yet, the deepest
    /// first; else the one that has run least), runs a slice of it, and
    /// puts it back paused. No search is
    /// ever restarted, so time-sharing among workers and partitions wastes
    /// nothing; the first search to place a partition wins it and the
    /// partition's other searches stop at their next node.
    pub(super) fn run_live(&self, pool: &rayon::ThreadPool, threads: usize) -> RaceOutcome {
        // Every worker races on the first open partition; more partitions
        // open only when the crew cannot keep every thread busy (which the
        // crew, with a worker per thread, always can: the limit is 1). A
        // search holds memory proportional to the problem, so this also
        // bounds how many exist at once.
        let open_limit = threads.max(1).div_ceil(self.crew.len()).max(1);
        let schedule = Mutex::new(Schedule {
            tasks: Vec::new(),
            next: 0,
            open_limit,
            next_id: 0,
            idle: Vec::new(),
            hub: NogoodHub::new(),
            // One search's budget: so at most one search's worth of memory
            // more than `Model::affordable_searches` counts.
            facts: FactPool::new(self.model.learned_bytes()),
        });
        // Signalled whenever a thread puts a task back, retires one or
        // leaves: an idle thread waits for that instead of polling.
        let wake = Condvar::new();
        pool.scope(|s| {
            for _ in 0..threads.max(1) {
                s.spawn(|_| self.run_thread(&schedule, &wake));
            }
        });
        self.outcome()
    }

    /// Takes the next slice to run: the open, idle task first in
    /// [`Task::rank`] (a sailing one, else the one that has run least, its
    /// time discounted by how far it got; ties: the earlier worker),
    /// after retiring the tasks of
    /// placed partitions and opening new partitions up to the limit.
    fn next_task(&self, schedule: &mut Schedule<'a>) -> Option<Slice<'a>> {
        if self.stop.is_cancelled() || self.timed_out() {
            return None;
        }
        self.retire_placed(schedule);
        self.open_next(schedule);
        let (i, _) = schedule
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.running && !self.solved[t.p].load(Ordering::SeqCst))
            .min_by_key(|(_, t)| (t.rank(self.opts.tunables.winning_bonus, self.won_share(t.w)), t.w))?;
        let Schedule { tasks, idle, hub, .. } = schedule;
        let task = &mut tasks[i];
        task.running = true;
        let search = match task.search.take() {
            Some(search) => search,
            None => {
                let mut search = self.first_search(task.p, task.w, idle, hub);
                search.set_sharing(self.opts.tunables.share_facts);
                search
            }
        };
        Some(Slice { id: task.id, p: task.p, w: task.w, search })
    }

    /// The share of the problem's buffers in the partitions worker `w` has won.
    fn won_share(&self, w: usize) -> f64 {
        self.won[w].load(Ordering::Relaxed) as f64 / self.model.num_buffers.max(1) as f64
    }

    /// Drops the tasks of placed partitions that no thread is running; their
    /// searches become idle, to be reused.
    fn retire_placed(&self, schedule: &mut Schedule<'a>) {
        let Schedule { tasks, idle, facts, .. } = schedule;
        tasks.retain_mut(|t| {
            let placed = self.solved[t.p].load(Ordering::SeqCst);
            if placed {
                facts.forget(t.p);
            }
            if placed && !t.running {
                if let Some(mut search) = t.search.take() {
                    search.abandon();
                    search.forget_facts();
                    search.set_stop(self.stop.clone());
                    idle.push(search);
                }
                return false;
            }
            true
        });
    }

    /// Opens partitions, in order, until the open limit is reached: a task
    /// per worker on each that is not placed yet.
    fn open_next(&self, schedule: &mut Schedule<'a>) {
        while open_partitions(&schedule.tasks) < schedule.open_limit && schedule.next < self.solved.len() {
            let p = schedule.next;
            schedule.next += 1;
            if !self.solved[p].load(Ordering::SeqCst) {
                let size = self.model.partitions()[p].buffers.len();
                // A crew of hole-branching workers only starts at once.
                let all_holes = self.crew.iter().all(|c| c.holes);
                for w in (0..self.crew.len()).filter(|&w| self.fits_partition(w, p)) {
                    let id = schedule.next_id;
                    schedule.next_id += 1;
                    let late = (self.crew[w].holes || self.crew[w].repair) && !all_holes;
                    let t = &self.opts.tunables;
                    let delay = match (late, self.crew[w].repair) {
                        (false, _) => 0,
                        (true, false) => nanos(t.holes_delay),
                        (true, true) => nanos(t.repair_delay),
                    };
                    schedule.tasks.push(Task {
                        id,
                        p,
                        w,
                        search: None,
                        running: false,
                        spent: delay,
                        restarts: 0,
                        slices: 0,
                        depth: self.adoptable_depth(p, w),
                        size,
                        // A repair descends from a whole packing: its
                        // progress says nothing of how soon it fits, so it
                        // never sails (see `Task::sailing`).
                        backtracked: self.crew[w].repair,
                        late,
                        patience: if self.crew[w].restarts || self.crew[w].repair { 0 } else { nanos(t.patience) },
                        facts_seen: 0,
                    });
                }
            }
        }
    }

    /// Whether worker `w` races on partition `p`. Where the partition is
    /// full (`Model::full_at`: nearly every section has no room to spare)
    /// the point-filling workers race and the workers with the reference's
    /// branching sit out: a floor there must be filled exactly, which only
    /// point filling's branching uses (on tight/'s perfect2000-s31 the
    /// three reference workers took half the threads and placed nothing:
    /// 8.8-9.3 s with them, 4.5-5.1 s without). Elsewhere point filling
    /// seldom applies and sits out, unless the whole crew fills points. A
    /// hole-branching worker races wherever hole branching applies
    /// (elsewhere it would search as the reference does), and so does a
    /// repairing worker, but for full partitions: with no room to spare a
    /// packing fits only if it is exact, which a descent from a greedy
    /// packing seldom reaches (tight/'s perfect2000-s31: 1.4 s without it,
    /// 4.7 s with it racing there).
    fn fits_partition(&self, w: usize, p: usize) -> bool {
        let worker = &self.crew[w];
        let full = || self.model.full_at(self.model.partitions()[p].sections, self.capacity);
        if worker.holes || worker.repair {
            let alike = |c: &Worker| c.holes == worker.holes && c.repair == worker.repair;
            let searched = crate::search::holes::Holes::applies(self.model, p) && !(worker.repair && full());
            return searched || self.crew.iter().all(alike);
        }
        let filling = |c: &Worker| c.switches.get(Switch::PointFilling);
        if self.crew.iter().all(filling) {
            return true;
        }
        let full = full();
        filling(worker) == full || !self.crew.iter().any(filling)
    }

    /// The search for the first slice of worker `w` on partition `p`: the
    /// quick round's paused search if `w` can adopt it, else an idle search
    /// (or a new one) started afresh.
    ///
    /// Nogood caches follow the searches: a recycled search keeps its own,
    /// an adopted one (which comes without) takes over the idle search's,
    /// and only when there is no idle search does it get a new cache on the
    /// hub. A new search that adopts nothing gets a private cache.
    fn first_search(&self, p: usize, w: usize, idle: &mut Vec<Search<'a>>, hub: &Arc<NogoodHub>) -> Search<'a> {
        let idle = idle.pop();
        match self.adopt(p, w) {
            Some(mut adopted) => {
                // Take over an idle worker's place among the nogood peers.
                let cache = match idle {
                    Some(mut spare) => spare.take_nogoods(),
                    None => self.opts.tunables.nogoods.then(|| hub.join()),
                };
                adopted.set_nogoods(cache);
                adopted
            }
            None => {
                let mut search =
                    idle.unwrap_or_else(|| self.new_search(self.opts.tunables.nogoods.then(NogoodCache::new)));
                self.begin(&mut search, p, w);
                search
            }
        }
    }

    /// One thread of the live race: takes slices and runs them until no
    /// task is left or the race is over.
    fn run_thread(&self, schedule: &Mutex<Schedule<'a>>, wake: &Condvar) {
        loop {
            let Some(mut slice) = self.wait_for_slice(schedule, wake) else {
                wake.notify_all();
                return;
            };
            slice.search.set_node_limit(self.opts.tunables.slice.max(1));
            let began = Instant::now();
            let status = slice.search.resume();
            let ran = began.elapsed().as_nanos() as u64;
            if !self.put_back(schedule, wake, slice, status, ran) {
                return;
            }
        }
    }

    /// The next slice to run, waiting while other threads hold every open
    /// task; `None` once there is nothing left to wait for.
    fn wait_for_slice(&self, schedule: &Mutex<Schedule<'a>>, wake: &Condvar) -> Option<Slice<'a>> {
        let mut sched = schedule.lock();
        loop {
            if let Some(slice) = self.next_task(&mut sched) {
                return Some(slice);
            }
            // Wait for work only while other threads hold every open
            // task: each of them signals when it gives its task back,
            // and notices a stop or the deadline within a slice.
            let busy = sched.tasks.iter().any(|t| t.running);
            if busy && !self.stop.is_cancelled() && !self.timed_out() && self.remaining() > 0 {
                wake.wait(&mut sched);
                continue;
            }
            return None;
        }
    }

    /// Puts a slice's task back after it ran `ran` nanoseconds and ended
    /// with `status`: paused, for another slice; or done (placed, proven
    /// infeasible, stopped), retired with its search made idle. Wakes the
    /// waiting threads either way. Returns false if the task was gone (the
    /// thread then leaves).
    fn put_back(
        &self,
        schedule: &Mutex<Schedule<'a>>,
        wake: &Condvar,
        slice: Slice<'a>,
        status: Status,
        ran: u64,
    ) -> bool {
        let Slice { id, p, w, mut search } = slice;
        let name = self.crew[w].name.clone();
        // Read before the counters move to the statistics.
        let backtracked = search.backtracks > 0;
        let mut sched = schedule.lock();
        let Some(i) = sched.tasks.iter().position(|t| t.id == id) else {
            wake.notify_all();
            return false;
        };
        if self.opts.tunables.share_facts && !self.solved[p].load(Ordering::SeqCst) {
            let sched = &mut *sched;
            sched.facts.publish(p, id, search.take_fresh_facts());
            if status == Status::NodeLimit {
                let task = &mut sched.tasks[i];
                task.facts_seen = sched.facts.hand_on(p, id, task.facts_seen, &mut search);
            }
        }
        if status == Status::NodeLimit {
            self.account(&name, &mut search, 0, 0);
            let task = &mut sched.tasks[i];
            task.slices += 1;
            if self.crew[w].restarts
                && task.slices >= luby(task.restarts + 1) * u64::from(self.opts.tunables.restart_unit)
            {
                task.restarts += 1;
                task.slices = 0;
                search.abandon();
                self.begin_round(&mut search, p, w, task.restarts);
            }
            task.spent += ran;
            task.late = false;
            task.depth = search.deepest();
            task.backtracked |= backtracked;
            task.running = false;
            task.search = Some(search);
            drop(sched);
            wake.notify_all();
            return true;
        }
        let won = status == Status::Found && self.claim(p, w, &search);
        if status == Status::Infeasible {
            self.record_infeasible(&name);
        }
        if search.in_progress() {
            search.abandon();
        }
        search.set_stop(self.stop.clone());
        // Its partition is placed (or the race is over): its facts are dead.
        search.forget_facts();
        self.account(&name, &mut search, 1, u64::from(won));
        sched.idle.push(search);
        sched.tasks.remove(i);
        drop(sched);
        wake.notify_all();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(spent: u64, depth: usize) -> Task<'static> {
        Task {
            id: 0,
            p: 0,
            w: 0,
            search: None,
            running: false,
            spent,
            restarts: 0,
            slices: 0,
            depth,
            size: 100,
            backtracked: true,
            late: false,
            patience: 0,
            facts_seen: 0,
        }
    }

    #[test]
    fn winners_and_deep_searches_get_more_time() {
        let (t, deep) = (task(1_000, 0), task(1_000, 95));
        assert_eq!(t.weighted(3, 0.0), 1_000, "nothing to discount");
        assert_eq!(t.weighted(3, 1.0), 250, "every other partition won: four times the share");
        assert_eq!(t.weighted(3, 0.5), 400);
        assert!(deep.weighted(3, 0.0) < 400, "95% placed: about three times the share");
        assert_eq!(t.weighted(0, 0.5), 1_000, "no bonus: equal shares");
        assert_eq!(deep.weighted(0, 0.0), 1_000);
    }

    #[test]
    fn searches_that_never_restart_lose_share_past_their_patience() {
        let patient = |spent| Task { patience: 100_000_000, ..task(spent, 0) };
        // Within its patience a search's time counts as it is.
        assert_eq!(patient(50_000_000).weighted(3, 0.0), task(50_000_000, 0).weighted(3, 0.0));
        assert_eq!(patient(100_000_000).weighted(3, 0.0), 100_000_000);
        // Past it, as its square: at 1 s, as ten seconds of a restarting
        // search's time, so the restarting one runs first until it has
        // run ten times as long.
        assert_eq!(patient(1_000_000_000).weighted(0, 0.0), 10_000_000_000);
        assert!(task(9_000_000_000, 0).rank(3, 0.0) < patient(1_000_000_000).rank(3, 0.0));
        assert!(patient(1_000_000_000).rank(3, 0.0) < task(11_000_000_000, 0).rank(3, 0.0));
        // The winning bonus still discounts what it counts.
        let deep = Task { patience: 100_000_000, ..task(1_000_000_000, 100) };
        assert_eq!(deep.weighted(3, 0.0), 2_500_000_000);
    }

    #[test]
    fn sailing_searches_go_first_the_deepest_first() {
        let stuck = task(0, 90);
        let sailing = |spent, depth| Task { backtracked: false, ..task(spent, depth) };
        let (shallow, deep) = (sailing(5_000, 10), sailing(9_000, 60));
        assert!(shallow.rank(3, 0.0) < stuck.rank(3, 0.0), "sailing before a search that backtracked");
        assert!(deep.rank(3, 0.0) < shallow.rank(3, 0.0), "the deeper sailing search first, whatever its time");
        let late = Task { late: true, ..sailing(50_000_000, 0) };
        assert!(stuck.rank(3, 0.0) < late.rank(3, 0.0), "a late search is not sailing, and waits its delay");
        assert!(late.rank(3, 0.0) < task(60_000_000, 0).rank(3, 0.0));
    }
}
