//! Exactly once: which events were shown already, by eventId within polling and by (stream, timestamp, message) counts across transports; and the interner that keeps repeated stream and group names shared.
//!
//! Identical lines (same stream, millisecond and text) are real and each is shown: a source that saw a content
//! n times shows it n times. Each source — polling, and each Live Tail session — counts on its own, and a
//! content is shown as often as the source that saw it most: so a session that replays what an earlier one
//! delivered (moto does; an overlap at a reconnect could) adds nothing, while copies polling finds later are
//! still shown.

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
    content: HashMap<u64, Counts>,
    by_time: BTreeMap<Millis, Vec<(u64, Option<u64>)>>,
}

/// How often one content was seen by polling and by the current Live Tail session, and shown.
#[derive(Default)]
struct Counts {
    polled: u32,
    live: u32,
    shown: u32,
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

    /// Live Tail events (no eventId): new unless this content was already shown as often (by polling or by
    /// an earlier session).
    pub fn admit_live(&mut self, e: &LogEvent) -> bool {
        self.admit(e, Via::Live)
    }

    /// A new Live Tail session starts counting from zero: what it replays of earlier sessions is not new.
    pub fn new_live_session(&mut self) {
        for counts in self.content.values_mut() {
            counts.live = 0;
        }
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
        let entry = self.content.entry(content).or_default();
        let seen = match via {
            Via::Poll => {
                entry.polled += 1;
                entry.polled
            }
            Via::Live => {
                entry.live += 1;
                entry.live
            }
        };
        let new = seen > entry.shown;
        if new {
            entry.shown = seen;
        }
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
