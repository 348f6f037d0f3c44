//! A cache of sub-problems proven infeasible ("nogoods").
//!
//! A key is the exact state a sub-partition search starts from (capacity,
//! sections, buffers with their lowest offsets, section floors), so a search
//! that meets the same key again, in the same worker or another one, with
//! any preordering, would fail again and can skip it. Workers exchange new
//! keys over channels and drain them without ever waiting; in deterministic
//! mode new keys are instead held back and merged at step boundaries, so
//! what a search sees never depends on timing.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crossbeam_channel::{bounded, Receiver, Sender};
use parking_lot::Mutex;

/// A fast hasher for keys of integers (the Fx multiply-rotate mix).
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A key: the starting state of a sub-partition search.
pub type Key = Arc<[i64]>;

/// A set of keys.
pub type KeySet = HashSet<Key, BuildHasherDefault<FxHasher>>;

/// Default memory budget of one cache, in stored integers (8 MiB).
pub const DEFAULT_LIMIT_WORDS: usize = 1 << 20;

/// Keys an inbox holds before offers to it are dropped.
const INBOX: usize = 1024;

/// Where workers meet to exchange nogoods: each joining cache gets an inbox,
/// and every key proved is offered to every inbox. Inboxes are bounded and
/// offers never wait: a full inbox just misses the key (nogoods are hints).
#[derive(Debug, Default)]
pub struct NogoodHub {
    inboxes: Mutex<Vec<(u64, Sender<Key>)>>,
    next: Mutex<u64>,
}

impl NogoodHub {
    /// An empty hub.
    pub fn new() -> Arc<Self> {
        Arc::new(NogoodHub::default())
    }

    /// A cache linked to every other cache of this hub.
    pub fn join(self: &Arc<Self>) -> NogoodCache {
        let (tx, rx) = bounded(INBOX);
        let id = {
            let mut next = self.next.lock();
            *next += 1;
            *next
        };
        self.inboxes.lock().push((id, tx));
        NogoodCache { inbox: Some(rx), hub: Some(HubLink { hub: Arc::clone(self), id }), ..NogoodCache::new() }
    }

    fn offer(&self, from: u64, key: &Key) {
        for (id, tx) in self.inboxes.lock().iter() {
            if *id != from {
                let _ = tx.try_send(Arc::clone(key));
            }
        }
    }

    fn leave(&self, id: u64) {
        self.inboxes.lock().retain(|(i, _)| *i != id);
    }
}

/// One worker's view of the nogoods; see the module docs.
#[derive(Debug, Default)]
pub struct NogoodCache {
    local: KeySet,
    frozen: Option<Arc<KeySet>>,
    inbox: Option<Receiver<Key>>,
    hub: Option<HubLink>,
    outbox: Option<Vec<Key>>,
    words: usize,
    limit_words: usize,
    /// Lookups that found a key.
    pub hits: u64,
    /// Keys this worker proved.
    pub proved: u64,
}

impl NogoodCache {
    /// A cache private to one worker.
    pub fn new() -> Self {
        NogoodCache { limit_words: DEFAULT_LIMIT_WORDS, ..NogoodCache::default() }
    }

    /// Deterministic mode: looks keys up in `frozen` (what earlier steps
    /// proved) and this step's own, and holds new keys back for [`Self::take_new`].
    pub fn begin_step(&mut self, frozen: Arc<KeySet>) {
        self.frozen = Some(frozen);
        self.local.clear();
        self.words = 0;
        self.outbox = Some(Vec::new());
    }

    /// The keys proved since [`Self::begin_step`].
    pub fn take_new(&mut self) -> Vec<Key> {
        self.outbox.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn add(&mut self, key: Key) {
        if self.words + key.len() <= self.limit_words {
            self.words += key.len();
            self.local.insert(key);
        }
    }

    /// Whether `key` is known infeasible (after taking in what peers sent).
    pub fn contains(&mut self, key: &[i64]) -> bool {
        if let Some(inbox) = &self.inbox {
            let received: Vec<Key> = inbox.try_iter().collect();
            for k in received {
                self.add(k);
            }
        }
        let hit = self.local.contains(key) || self.frozen.as_ref().is_some_and(|f| f.contains(key));
        self.hits += u64::from(hit);
        hit
    }

    /// Records `key` as proven infeasible.
    pub fn insert(&mut self, key: Vec<i64>) {
        let key: Key = key.into();
        self.proved += 1;
        if let Some(link) = &self.hub {
            link.hub.offer(link.id, &key);
        }
        if let Some(out) = &mut self.outbox {
            out.push(Arc::clone(&key));
        }
        self.add(key);
    }
}

/// A cache's membership of a hub; leaving the hub when dropped.
#[derive(Debug)]
struct HubLink {
    hub: Arc<NogoodHub>,
    id: u64,
}

impl Drop for HubLink {
    fn drop(&mut self) {
        self.hub.leave(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_caches_share_keys_without_waiting() {
        let hub = NogoodHub::new();
        let mut a = hub.join();
        let mut b = hub.join();
        assert!(!b.contains(&[1, 2, 3]));
        a.insert(vec![1, 2, 3]);
        assert!(a.contains(&[1, 2, 3]));
        assert!(b.contains(&[1, 2, 3]));
        assert!(!b.contains(&[1, 2]));
        assert_eq!(b.hits, 1);
        drop(a);
        assert_eq!(hub.inboxes.lock().len(), 1, "a cache leaves the hub when dropped");
    }

    #[test]
    fn steps_hold_new_keys_back() {
        let mut c = NogoodCache::new();
        let mut frozen = KeySet::default();
        frozen.insert(vec![7].into());
        c.begin_step(Arc::new(frozen));
        assert!(c.contains(&[7]));
        c.insert(vec![8]);
        assert!(c.contains(&[8]));
        assert_eq!(c.take_new().len(), 1);
        c.begin_step(Arc::new(KeySet::default()));
        assert!(!c.contains(&[8]), "a new step starts from the frozen set only");
    }

    #[test]
    fn memory_budget_is_respected() {
        let mut c = NogoodCache::new();
        c.limit_words = 5;
        c.insert(vec![1, 2, 3]);
        c.insert(vec![4, 5, 6]);
        assert_eq!(c.local.len(), 1);
    }
}
