//! The stop token: one way for every search, heuristic and driver to learn
//! that it should stop, whoever asked.
//!
//! A token is a cancel flag with an optional deadline and an optional
//! parent. It says "stop" when its own flag or any ancestor's is raised, or
//! when its own or any ancestor's deadline has passed. A driver that wants
//! to stop its own sub-tasks (a race that has its answer, a probe closed by
//! another probe's result) makes a [`StopToken::child`] and cancels that;
//! it never cancels a token it was handed, so stopping a sub-task can never
//! stop the caller's other work. Asking is a few relaxed atomic loads (one
//! per level) and, where a deadline is set, a clock read: the core asks as
//! often as it likes, and nobody polls from a thread of their own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A cancellable, optionally time-limited stop signal; cheap to clone
/// (clones share the flag). See the module docs.
#[derive(Clone, Debug, Default)]
pub struct StopToken {
    node: Arc<Node>,
}

#[derive(Debug, Default)]
struct Node {
    flag: Arc<AtomicBool>,
    /// The earliest deadline of this token and its ancestors.
    deadline: Option<Instant>,
    parent: Option<StopToken>,
}

impl StopToken {
    /// A root token: no deadline, stopped only by [`StopToken::cancel`].
    pub fn new() -> Self {
        StopToken::default()
    }

    /// A root token that also stops when `flag` is raised (a flag shared with
    /// code that predates tokens, such as a Ctrl-C handler's).
    pub fn from_flag(flag: Arc<AtomicBool>) -> Self {
        StopToken { node: Arc::new(Node { flag, deadline: None, parent: None }) }
    }

    /// A child: stopped with this token, or by its own cancel, which leaves
    /// this token untouched.
    pub fn child(&self) -> Self {
        self.child_until(None)
    }

    /// A child that also stops at `deadline` (the earlier of it and this
    /// token's).
    pub fn child_until(&self, deadline: Option<Instant>) -> Self {
        let deadline = match (deadline, self.node.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        StopToken { node: Arc::new(Node { flag: Arc::default(), deadline, parent: Some(self.clone()) }) }
    }

    /// A child whose own cancel flag is `flag`, shared with its owner (such
    /// as a solver whose `cancel()` may be called from another thread).
    pub fn child_sharing(&self, flag: Arc<AtomicBool>) -> Self {
        StopToken { node: Arc::new(Node { flag, deadline: self.node.deadline, parent: Some(self.clone()) }) }
    }

    /// A child whose deadline comes `reserve` before this token's (none if
    /// this one has none): the time a caller keeps for work after the
    /// child's, such as validating or writing what it found.
    pub fn child_reserving(&self, reserve: Duration) -> Self {
        let deadline = self.node.deadline.map(|d| d.checked_sub(reserve).unwrap_or(d));
        self.child_until(deadline)
    }

    /// Stops this token and its descendants.
    pub fn cancel(&self) {
        self.node.flag.store(true, Ordering::SeqCst);
    }

    /// Whether this token or an ancestor was cancelled (no clock read).
    #[inline]
    pub fn is_cancelled(&self) -> bool {
        let mut node = &self.node;
        loop {
            if node.flag.load(Ordering::Relaxed) {
                return true;
            }
            match &node.parent {
                Some(p) => node = &p.node,
                None => return false,
            }
        }
    }

    /// The earliest deadline of this token and its ancestors.
    pub fn deadline(&self) -> Option<Instant> {
        self.node.deadline
    }

    /// Whether the deadline has passed.
    #[inline]
    pub fn expired(&self) -> bool {
        self.node.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Whether to stop now: cancelled, or past the deadline.
    #[inline]
    pub fn should_stop(&self) -> bool {
        self.is_cancelled() || self.expired()
    }

    /// Whether a stop came from the clock rather than a cancel: the
    /// deadline has passed and nobody cancelled.
    pub fn timed_out(&self) -> bool {
        self.expired() && !self.is_cancelled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_stops_with_its_parent_but_not_the_other_way() {
        let root = StopToken::new();
        let child = root.child();
        let grandchild = child.child();
        assert!(!grandchild.should_stop());
        child.cancel();
        assert!(child.should_stop() && grandchild.should_stop());
        assert!(!root.should_stop(), "cancelling a child leaves the parent running");
        let other = root.child();
        root.cancel();
        assert!(other.should_stop());
    }

    #[test]
    fn deadlines_take_the_earliest_of_the_chain() {
        let now = Instant::now();
        let root = StopToken::new().child_until(Some(now + Duration::from_secs(60)));
        let near = root.child_until(Some(now));
        assert!(near.should_stop() && near.timed_out());
        assert!(!root.should_stop());
        let far = near.child_until(Some(now + Duration::from_secs(600)));
        assert_eq!(far.deadline(), Some(now), "a child never outlives its parent's deadline");
    }

    #[test]
    fn an_outside_flag_stops_a_root() {
        let flag = Arc::new(AtomicBool::new(false));
        let root = StopToken::from_flag(Arc::clone(&flag));
        let child = root.child();
        flag.store(true, Ordering::SeqCst);
        assert!(child.is_cancelled() && !child.timed_out());
    }
}
