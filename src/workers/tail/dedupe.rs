//! Exactly once: which events were shown already, by eventId within polling and by (stream, timestamp, message) counts across transports; and the interner that keeps repeated stream and group names shared.

use crate::aws::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Via {
    Poll,
    Live,
}

/// Admits every event once. Entries older than the horizon are forgotten (polls never reach back that far).
#[derive(Default)]
pub struct Seen {
    ids: HashSet<u64>,
    /// content hash → (seen by polling, seen by Live Tail)
    content: HashMap<u64, (u32, u32)>,
    by_time: BTreeMap<Millis, Vec<(u64, Option<u64>)>>,
}

pub(super) fn hash_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

impl Seen {
    /// Polled events (with eventId): new unless the id was seen, or Live Tail already showed this content.
    pub fn admit_polled(&mut self, e: &LogEvent) -> bool {
        self.admit(e, Via::Poll)
    }

    /// Live Tail events (no eventId): new unless polling already showed this content as often.
    pub fn admit_live(&mut self, e: &LogEvent) -> bool {
        self.admit(e, Via::Live)
    }

    fn admit(&mut self, e: &LogEvent, via: Via) -> bool {
        let id = match (&e.event_id, via) {
            (Some(id), Via::Poll) => {
                let id = hash_of(id);
                if !self.ids.insert(id) {
                    return false;
                }
                Some(id)
            }
            _ => None,
        };
        let content = hash_of((&e.log_stream_name, e.timestamp, &e.message));
        let entry = self.content.entry(content).or_insert((0, 0));
        let new = match via {
            Via::Poll => {
                entry.0 += 1;
                entry.0 > entry.1
            }
            Via::Live => {
                entry.1 += 1;
                entry.1 > entry.0
            }
        };
        self.by_time
            .entry(e.timestamp)
            .or_default()
            .push((content, id));
        new
    }

    /// Forgets what is older than `horizon`.
    pub fn prune(&mut self, horizon: Millis) {
        let keep = self.by_time.split_off(&horizon);
        for (_, entries) in std::mem::replace(&mut self.by_time, keep) {
            for (content, id) in entries {
                self.content.remove(&content);
                if let Some(id) = id {
                    self.ids.remove(&id);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }
}

/// Shares one `Arc<str>` per stream name among all its lines.
#[derive(Default)]
pub struct Interner(HashMap<String, Arc<str>>);

impl Interner {
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(s.to_owned(), a.clone());
        a
    }
}
