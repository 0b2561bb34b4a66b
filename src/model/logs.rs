//! The log line model: one event as the log view holds it, and its level.

use crate::aws::Millis;
use crate::aws::awslogs_stream_parts;
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
        let head = message
            .get(..message.floor_char_boundary(120))
            .unwrap_or(message);
        if json {
            for key in ["\"level\":\"", "\"severity\":\"", "\"lvl\":\""] {
                if let Some((_, after)) = head.split_once(key) {
                    return Self::word(after);
                }
            }
        }
        let mut found = Level::Other;
        for w in head
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .take(12)
        {
            let l = Self::word(w);
            if l != Level::Other {
                found = l;
                break;
            }
        }
        found
    }

    fn word(w: &str) -> Level {
        let w = w
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or(w);
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
    /// The text without terminal escape codes: what filters, search, copy and save see.
    pub message: String,
    /// The message as written, when it held escape codes (colours from the program): the log view draws
    /// its colours from this.
    pub ansi: Option<Box<str>>,
}

/// `text` without terminal escape sequences (CSI such as colours `ESC[31m`, OSC such as titles and links,
/// and two-byte escapes). Written here rather than with ansi-to-tui (which draws the colours in the log
/// view) so that the model needs no ratatui; the view falls back to this text where the two disagree.
pub fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates, up to a final byte in @..~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ST (ESC and a backslash).
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

impl LogLine {
    pub fn new(timestamp: Millis, stream: Arc<str>, message: String) -> LogLine {
        let message = if message.ends_with('\n') {
            message.trim_end_matches(['\n', '\r']).to_owned()
        } else {
            message
        };
        let (message, ansi) = if message.contains('\x1b') {
            (strip_escapes(&message), Some(message.into_boxed_str()))
        } else {
            (message, None)
        };
        let json = message.starts_with('{') && message.ends_with('}');
        LogLine {
            timestamp,
            seq: 0,
            level: Level::detect(&message, json),
            json,
            stream,
            message,
            ansi,
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
