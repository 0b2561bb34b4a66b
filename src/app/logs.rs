//! Log lines as the app keeps them: parsed once on arrival, held in a bounded buffer in timestamp order.

use crate::aws::{Millis, awslogs_stream_parts};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Level {
    #[default]
    Other,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    /// The level a line announces: a JSON `level`/`severity` field, or a level word near the start.
    pub fn detect(message: &str, json: bool) -> Level {
        let head = &message[..message.floor_char_boundary(120)];
        if json {
            for key in ["\"level\":\"", "\"severity\":\"", "\"lvl\":\""] {
                if let Some(i) = head.find(key) {
                    return Self::word(&head[i + key.len()..]);
                }
            }
        }
        let mut found = Level::Other;
        for w in head.split(|c: char| !c.is_ascii_alphabetic()).take(12) {
            let l = Self::word(w);
            if l != Level::Other {
                found = l;
                break;
            }
        }
        found
    }

    fn word(w: &str) -> Level {
        let end = w
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(w.len());
        let w = &w[..end];
        let is = |names: &[&str]| names.iter().any(|n| w.eq_ignore_ascii_case(n));
        if is(&[
            "ERROR", "ERR", "FATAL", "PANIC", "CRIT", "CRITICAL", "SEVERE",
        ]) {
            Level::Error
        } else if is(&["WARN", "WARNING"]) {
            Level::Warn
        } else if is(&["INFO", "NOTICE"]) {
            Level::Info
        } else if is(&["DEBUG", "TRACE"]) {
            Level::Debug
        } else {
            Level::Other
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Other => "",
        }
    }
}

/// One line of a tail. `stream` is shared by all lines of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub timestamp: Millis,
    /// Arrival order, unique per buffer: breaks timestamp ties and identifies a line.
    pub seq: u64,
    pub stream: Arc<str>,
    pub level: Level,
    pub json: bool,
    pub message: String,
}

impl LogLine {
    pub fn new(timestamp: Millis, stream: Arc<str>, message: String) -> LogLine {
        let message = if message.ends_with('\n') {
            message.trim_end_matches(['\n', '\r']).to_owned()
        } else {
            message
        };
        let json = message.starts_with('{') && message.ends_with('}');
        LogLine {
            timestamp,
            seq: 0,
            level: Level::detect(&message, json),
            json,
            stream,
            message,
        }
    }

    /// (container, task id) for awslogs streams; (stream, None) otherwise.
    pub fn source(&self) -> (&str, Option<&str>) {
        match awslogs_stream_parts(&self.stream) {
            Some((container, task)) => (container, Some(task)),
            None => (&self.stream, None),
        }
    }

    pub fn key(&self) -> (Millis, u64) {
        (self.timestamp, self.seq)
    }
}

/// A ring of at most `capacity` lines in (timestamp, arrival) order; the oldest are dropped and counted.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    next_seq: u64,
    pub dropped: u64,
    /// Lines that arrived out of order and were placed before newer ones.
    pub reordered: u64,
}

pub const DEFAULT_CAPACITY: usize = 100_000;

impl LogBuffer {
    pub fn new(capacity: usize) -> LogBuffer {
        LogBuffer {
            lines: VecDeque::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            next_seq: 0,
            dropped: 0,
            reordered: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
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
                self.reordered += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(b.reordered, 1);
        let (_, dropped) = b.insert(line(40, "d"));
        assert_eq!((dropped, b.dropped, b.len()), (1, 1, 3));
        assert_eq!(b.get(0).unwrap().message, "b");
        // Equal timestamps keep arrival order.
        b.insert(line(40, "e"));
        assert_eq!(b.get(2).unwrap().message, "e");
    }
}
