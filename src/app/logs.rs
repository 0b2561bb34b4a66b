//! Log lines as the app keeps them: parsed once on arrival, held in a bounded buffer in timestamp order.

use crate::aws::Millis;
use crate::model::logs::LogLine;
use crate::protocol::LogRequest;
use crate::protocol::TailStatus;
use regex::Regex;
use std::collections::{HashMap, VecDeque};

/// A ring of at most `capacity` lines in (timestamp, arrival) order; the oldest are dropped and counted.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    next_seq: u64,
    pub dropped: u64,
}

pub const DEFAULT_CAPACITY: usize = 100_000;

impl LogBuffer {
    pub fn new(capacity: usize) -> LogBuffer {
        LogBuffer {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            next_seq: 0,
            dropped: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&LogLine> {
        self.lines.get(i)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }

    /// The position of the line with this key, or where it would go.
    pub fn position(&self, key: (Millis, u64)) -> Result<usize, usize> {
        self.lines.binary_search_by(|l| l.key().cmp(&key))
    }

    /// Adds a line in timestamp order (a late line goes before newer ones) and returns its key. Drops the
    /// oldest line when full; returns how many were dropped.
    pub fn insert(&mut self, mut line: LogLine) -> ((Millis, u64), usize) {
        line.seq = self.next_seq;
        self.next_seq += 1;
        let key = line.key();
        match self.lines.back() {
            Some(last) if last.timestamp > line.timestamp => {
                // Late: find its place from the end (it is usually close to it).
                let at = self
                    .lines
                    .iter()
                    .rposition(|l| l.timestamp <= line.timestamp)
                    .map_or(0, |p| p + 1);
                self.lines.insert(at, line);
            }
            _ => self.lines.push_back(line),
        }
        let mut dropped = 0;
        while self.lines.len() > self.capacity {
            self.lines.pop_front();
            dropped += 1;
        }
        self.dropped += dropped as u64;
        (key, dropped)
    }

    pub fn front_key(&self) -> Option<(Millis, u64)> {
        self.lines.front().map(LogLine::key)
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }
}

/// A regex typed by the user, with the text it came from.
#[derive(Debug, Clone)]
pub struct TextFilter {
    pub text: String,
    pub regex: Regex,
}

impl TextFilter {
    /// Case-insensitive unless the text has an upper-case letter (smart case, as in vim and less).
    pub fn new(text: &str) -> Result<TextFilter, String> {
        let smart = if text.chars().any(char::is_uppercase) {
            text.to_owned()
        } else {
            format!("(?i){text}")
        };
        regex::RegexBuilder::new(&smart)
            .size_limit(1 << 20)
            .build()
            .map(|regex| TextFilter {
                text: text.to_owned(),
                regex,
            })
            .map_err(|e| {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("").trim().to_owned();
                format!("invalid regex {text:?}: {last}")
            })
    }
}

/// A live log view: the buffer plus how it is looked at.
#[derive(Debug, Clone)]
pub struct LogView {
    pub request: LogRequest,
    pub since_label: String,
    pub buffer: LogBuffer,
    pub status: TailStatus,
    /// What the worker resolved: "group (streams)" per source.
    pub sources: Vec<String>,
    /// Containers that cannot be tailed, and why.
    pub notes: Vec<String>,
    /// Show the newest lines as they arrive.
    pub follow: bool,
    /// When not following: the first line drawn and the line selected (by key).
    pub top: Option<(Millis, u64)>,
    pub cursor: Option<(Millis, u64)>,
    /// Lines that arrived (and pass the filters) since following stopped.
    pub unseen: u64,
    pub search: Option<TextFilter>,
    pub include: Option<TextFilter>,
    pub exclude: Option<TextFilter>,
    /// Only lines of tasks running this `family:rev`.
    pub revision: Option<String>,
    /// Task id → `family:rev`, and the primary deployment's revision (for colours and the filter).
    pub revisions: HashMap<String, String>,
    pub primary: Option<String>,
    pub wrap: bool,
    pub timestamps: bool,
    pub utc: bool,
    pub pretty: bool,
    /// Width of the container column: the longest container name seen (at most 20).
    pub source_width: usize,
    /// Keys of the lines passing the filters, when a filter is set.
    shown: Option<VecDeque<(Millis, u64)>>,
}

impl LogView {
    pub fn new(request: LogRequest, since_label: String, capacity: usize) -> LogView {
        LogView {
            request,
            since_label,
            buffer: LogBuffer::new(capacity),
            status: TailStatus::default(),
            sources: vec![],
            notes: vec![],
            follow: true,
            top: None,
            cursor: None,
            unseen: 0,
            search: None,
            include: None,
            exclude: None,
            revision: None,
            revisions: HashMap::new(),
            primary: None,
            wrap: false,
            timestamps: true,
            utc: false,
            pretty: false,
            source_width: 6,
            shown: None,
        }
    }

    /// The task's `family:rev`, when known.
    pub fn revision_of(&self, line: &LogLine) -> Option<&str> {
        line.source()
            .1
            .and_then(|t| self.revisions.get(t))
            .map(String::as_str)
    }

    pub fn passes(&self, line: &LogLine) -> bool {
        self.include
            .as_ref()
            .is_none_or(|f| f.regex.is_match(&line.message))
            && !self
                .exclude
                .as_ref()
                .is_some_and(|f| f.regex.is_match(&line.message))
            && self
                .revision
                .as_ref()
                .is_none_or(|r| self.revision_of(line) == Some(r.as_str()))
    }

    fn filtered(&self) -> bool {
        self.include.is_some() || self.exclude.is_some() || self.revision.is_some()
    }

    /// The filters that decide which held lines are shown, as the user would type them again.
    pub fn filters(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(f) = &self.include {
            out.push(format!("`i {}`", f.text));
        }
        if let Some(f) = &self.exclude {
            out.push(format!("`v {}`", f.text));
        }
        if let Some(r) = &self.revision {
            out.push(format!("`D` deployment {r}"));
        }
        out
    }

    /// Drops the include, exclude and deployment filters; false when there were none.
    pub fn clear_filters(&mut self) -> bool {
        if !self.filtered() {
            return false;
        }
        self.include = None;
        self.exclude = None;
        self.revision = None;
        self.refilter();
        true
    }

    /// Recomputes which lines pass after a filter changed.
    pub fn refilter(&mut self) {
        self.shown = self.filtered().then(|| {
            self.buffer
                .iter()
                .filter(|l| self.passes(l))
                .map(LogLine::key)
                .collect()
        });
        self.clamp();
    }

    /// Lines that pass the filters.
    pub fn len(&self) -> usize {
        self.shown.as_ref().map_or(self.buffer.len(), VecDeque::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`-th line passing the filters.
    pub fn line(&self, i: usize) -> Option<&LogLine> {
        match &self.shown {
            None => self.buffer.get(i),
            Some(keys) => {
                let key = *keys.get(i)?;
                self.buffer
                    .position(key)
                    .ok()
                    .and_then(|p| self.buffer.get(p))
            }
        }
    }

    /// Index (among lines passing the filters) of the line with `key`, or of the next one after it.
    pub fn index_of(&self, key: (Millis, u64)) -> usize {
        match &self.shown {
            None => self.buffer.position(key),
            Some(keys) => keys.binary_search(&key),
        }
        .unwrap_or_else(|i| i)
        .min(self.len().saturating_sub(1))
    }

    /// Adds lines from the tail; returns how many pass the filters.
    pub fn add(&mut self, lines: Vec<LogLine>) -> usize {
        let mut passing = 0;
        for line in lines {
            let width = unicode_width::UnicodeWidthStr::width(line.source().0).min(20);
            self.source_width = self.source_width.max(width);
            let pass = self.passes(&line);
            let (key, dropped) = self.buffer.insert(line);
            if pass {
                passing += 1;
                if let Some(keys) = &mut self.shown {
                    let at = keys.partition_point(|k| *k < key);
                    keys.insert(at, key);
                }
            }
            if dropped > 0
                && let (Some(keys), Some(front)) = (&mut self.shown, self.buffer.front_key())
            {
                let gone = keys.partition_point(|k| *k < front);
                keys.drain(..gone);
            }
        }
        if !self.follow {
            self.unseen += passing as u64;
        }
        self.clamp();
        passing
    }

    /// Keeps the anchors on lines that still exist (the oldest may have been dropped).
    fn clamp(&mut self) {
        if self.follow {
            return;
        }
        if self.is_empty() {
            self.top = None;
            self.cursor = None;
            return;
        }
        self.top = self.existing(self.top);
        self.cursor = self.existing(self.cursor);
    }

    /// `anchor` if its line still passes, else the nearest line that does.
    fn existing(&self, anchor: Option<(Millis, u64)>) -> Option<(Millis, u64)> {
        let found = |k| match &self.shown {
            None => self.buffer.position(k),
            Some(keys) => keys.binary_search(&k),
        };
        match anchor.map(found) {
            Some(Ok(_)) => anchor,
            Some(Err(i)) => self.key_at(i.min(self.len() - 1)),
            None => self.key_at(0),
        }
    }

    fn key_at(&self, i: usize) -> Option<(Millis, u64)> {
        match &self.shown {
            None => self.buffer.get(i).map(LogLine::key),
            Some(keys) => keys.get(i).copied(),
        }
    }

    /// Stops following and selects the newest line; the view stays where it was.
    pub fn pause(&mut self, page: usize) {
        if self.follow && !self.is_empty() {
            self.follow = false;
            self.unseen = 0;
            let last = self.len() - 1;
            self.cursor = self.key_at(last);
            self.top = self.key_at(last.saturating_sub(page.saturating_sub(1)));
        }
    }

    /// Follows again from the newest line.
    pub fn resume(&mut self) {
        self.follow = true;
        self.unseen = 0;
        self.top = None;
        self.cursor = None;
    }

    /// Moves the selection by `delta` lines (pausing first), keeping it on screen.
    pub fn move_by(&mut self, delta: isize, page: usize) {
        if self.is_empty() {
            return;
        }
        self.pause(page);
        let at = self.cursor.map_or(0, |k| self.index_of(k));
        let to = (at as isize + delta).clamp(0, self.len() as isize - 1) as usize;
        self.select(to, page);
    }

    /// Selects line `i` (among those passing the filters), scrolling so it is on screen.
    pub fn select(&mut self, i: usize, page: usize) {
        if self.is_empty() {
            return;
        }
        self.pause(page);
        let i = i.min(self.len() - 1);
        self.cursor = self.key_at(i);
        let top = self.top.map_or(0, |k| self.index_of(k));
        let page = page.max(1);
        if i < top {
            self.top = self.key_at(i);
        } else if i >= top + page {
            self.top = self.key_at(i + 1 - page);
        }
    }

    /// The next (or previous) line matching the search, from the selection; wraps around.
    pub fn find(&self, forward: bool) -> Option<usize> {
        let search = self.search.as_ref()?;
        let n = self.len();
        if n == 0 {
            return None;
        }
        let from = match self.cursor {
            Some(k) if !self.follow => self.index_of(k),
            _ => n - 1,
        };
        let matches = |i: usize| {
            self.line(i)
                .is_some_and(|l| search.regex.is_match(&l.message))
        };
        (1..=n)
            .map(|step| {
                if forward {
                    (from + step) % n
                } else {
                    (from + n - step % n) % n
                }
            })
            .find(|i| matches(*i))
    }

    /// Revisions seen in the buffer's tasks, newest first (for the deployment filter).
    pub fn known_revisions(&self) -> Vec<String> {
        let mut revs: Vec<String> = self.revisions.values().cloned().collect();
        revs.sort_by_key(|r| {
            std::cmp::Reverse(
                r.rsplit_once(':')
                    .and_then(|(_, n)| n.parse::<i64>().ok())
                    .unwrap_or(0),
            )
        });
        revs.dedup();
        revs
    }

    /// The buffer as plain text lines (for saving): time, source, message.
    pub fn export(&self) -> String {
        let mut out = String::new();
        for i in 0..self.len() {
            if let Some(l) = self.line(i) {
                let (container, task) = l.source();
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    crate::model::time::iso_utc(l.timestamp),
                    task.unwrap_or("-"),
                    container,
                    l.message
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::logs::Level;
    use std::sync::Arc;

    fn line(ts: Millis, msg: &str) -> LogLine {
        LogLine::new(ts, Arc::from("ecs/web/abc"), msg.into())
    }

    #[test]
    fn levels_are_found_in_plain_and_json_lines() {
        assert_eq!(Level::detect("ERROR boom", false), Level::Error);
        assert_eq!(
            Level::detect("2025-01-01 12:00:00 WARN slow", false),
            Level::Warn
        );
        assert_eq!(Level::detect("[ info] flushed", false), Level::Info);
        assert_eq!(
            Level::detect(r#"{"level":"error","msg":"x"}"#, true),
            Level::Error
        );
        assert_eq!(Level::detect("GET /health 200", false), Level::Other);
        assert_eq!(Level::detect("errors are fine", false), Level::Other);
    }

    #[test]
    fn late_lines_are_placed_in_timestamp_order_and_the_oldest_dropped_when_full() {
        let mut b = LogBuffer::new(3);
        b.insert(line(10, "a"));
        b.insert(line(30, "c"));
        b.insert(line(20, "b"));
        let order: Vec<&str> = b.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
        let (_, dropped) = b.insert(line(40, "d"));
        assert_eq!((dropped, b.dropped, b.len()), (1, 1, 3));
        assert_eq!(b.get(0).unwrap().message, "b");
        // Equal timestamps keep arrival order.
        b.insert(line(40, "e"));
        assert_eq!(b.get(2).unwrap().message, "e");
    }
}
