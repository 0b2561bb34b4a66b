//! The keyboard reader: bytes from the terminal -> `Msg::Key` / `Msg::Paste`, and `Msg::Resize` on SIGWINCH.
//!
//! Why not crossterm's `EventStream`: its Unix source registers the terminal with mio, which is
//! edge-triggered, and reads one 1 KiB buffer per readiness event. When that buffer holds a complete key it
//! returns, leaving the rest of a larger input (a paste of 2 KB or more) unread in the kernel; no new
//! readiness comes until more bytes arrive, so the keys after a paste (Esc, Enter, even Ctrl-c) wait for
//! some later event. This reader blocks on `read(2)` in its own thread with a 64 KiB buffer and hands over
//! everything each read returns: nothing is left behind, so nothing waits.

use crate::protocol::Msg;
use crate::protocol::Worker;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::io::Read;
use tokio::sync::mpsc;

const READ_BUFFER: usize = 64 * 1024;
const PASTE_END: &[u8] = b"\x1b[201~";

/// Starts the reader thread on standard input (the terminal) and the resize listener.
pub fn spawn(tx: &mpsc::UnboundedSender<Msg>) -> std::io::Result<()> {
    let keys = tx.clone();
    super::spawn_thread(tx, Worker::Input, "ecsdeck-input", move || {
        let stdin = std::io::stdin();
        let mut stdin = stdin.lock();
        read_loop(&mut stdin, &keys);
    })?;
    let resize = tx.clone();
    super::supervised(tx, Worker::Input, || {
        super::spawn(async move {
            let Ok(mut winch) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
            else {
                tracing::warn!("cannot listen for terminal resizes");
                return;
            };
            while winch.recv().await.is_some() {
                match crossterm::terminal::size() {
                    Ok((width, height)) => {
                        if resize.send(Msg::Resize { width, height }).is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot read the terminal size"),
                }
            }
        })
    });
    Ok(())
}

/// Reads until the terminal closes or the app stops listening; a read error ends the app with a message.
pub fn read_loop(input: &mut impl Read, tx: &mpsc::UnboundedSender<Msg>) {
    let mut parser = Parser::default();
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        let read = match input.read(&mut buffer) {
            Ok(0) => {
                tracing::error!("the terminal closed its input");
                let _ = tx.send(Msg::WorkerFailed {
                    worker: Worker::Input,
                    message: "the terminal closed its input".into(),
                });
                return;
            }
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // Another program left the terminal non-blocking: nothing to read yet is not a failure. Wait a
            // moment and read again (only such a terminal pays for these wake-ups).
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "terminal input failed");
                let _ = tx.send(Msg::WorkerFailed {
                    worker: Worker::Input,
                    message: format!("reading the terminal failed: {e}"),
                });
                return;
            }
        };
        let bytes = buffer.get(..read).unwrap_or_default();
        tracing::trace!(read, tail = ?bytes.rchunks(8).next(), "terminal input");
        // A full buffer means more is waiting: a sequence cut at its end is finished by the next read.
        for event in parser.advance(bytes, read == buffer.len()) {
            let msg = match event {
                Event::Key(key) => Msg::Key(key),
                Event::Paste(text) => Msg::Paste(text),
                _ => continue,
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    }
}

/// Terminal input bytes -> key and paste events (xterm conventions, as crossterm parses them).
#[derive(Debug, Default)]
pub struct Parser {
    /// Bytes of a sequence (or UTF-8 character) not complete yet.
    pending: Vec<u8>,
    /// Inside a bracketed paste: its bytes so far.
    paste: Option<Vec<u8>>,
}

/// What one attempt to parse the front of the input found.
enum Step {
    Event(Event, usize),
    /// Bytes that mean nothing to us (an unknown sequence): skipped.
    Skip(usize),
    /// A sequence that is not complete yet.
    Incomplete,
    PasteStart(usize),
}

impl Parser {
    /// Everything `bytes` completes. `more` says further bytes are already waiting (the read filled its
    /// buffer): a lone Esc at the end is then the start of a sequence, not the Esc key.
    pub fn advance(&mut self, bytes: &[u8], more: bool) -> Vec<Event> {
        let mut events = Vec::new();
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(bytes);
        let mut at = 0;
        while at < data.len() {
            let rest = data.get(at..).unwrap_or_default();
            if let Some(paste) = &mut self.paste {
                match find(rest, PASTE_END) {
                    Some(end) => {
                        paste.extend_from_slice(rest.get(..end).unwrap_or_default());
                        let text = String::from_utf8_lossy(paste).into_owned();
                        self.paste = None;
                        events.push(Event::Paste(text));
                        at += end + PASTE_END.len();
                    }
                    None => {
                        // Keep a possible partial end marker for the next read.
                        let keep = partial_suffix(rest, PASTE_END);
                        let body = rest.len() - keep;
                        paste.extend_from_slice(rest.get(..body).unwrap_or_default());
                        self.pending = rest.get(body..).unwrap_or_default().to_vec();
                        return events;
                    }
                }
                continue;
            }
            match parse(rest, more) {
                Step::Event(event, used) => {
                    events.push(event);
                    at += used;
                }
                Step::Skip(used) => at += used.max(1),
                Step::PasteStart(used) => {
                    self.paste = Some(Vec::new());
                    at += used;
                }
                Step::Incomplete => {
                    self.pending = rest.to_vec();
                    return events;
                }
            }
        }
        events
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How many bytes at the end of `data` could be the start of `marker`.
fn partial_suffix(data: &[u8], marker: &[u8]) -> usize {
    (1..marker.len())
        .rev()
        .find(|&n| data.len() >= n && data.ends_with(marker.get(..n).unwrap_or_default()))
        .unwrap_or(0)
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

fn parse(data: &[u8], more: bool) -> Step {
    let Some(&first) = data.first() else {
        return Step::Incomplete;
    };
    let none = KeyModifiers::NONE;
    match first {
        0x1b => parse_escape(data, more),
        b'\r' => Step::Event(key(KeyCode::Enter, none), 1),
        // Raw mode passes a line feed as Ctrl-j (crossterm does the same).
        b'\n' => Step::Event(key(KeyCode::Char('j'), KeyModifiers::CONTROL), 1),
        b'\t' => Step::Event(key(KeyCode::Tab, none), 1),
        0x7f | 0x08 => Step::Event(key(KeyCode::Backspace, none), 1),
        0 => Step::Event(key(KeyCode::Char(' '), KeyModifiers::CONTROL), 1),
        c @ 0x01..=0x1a => Step::Event(
            key(
                KeyCode::Char(char::from(c - 1 + b'a')),
                KeyModifiers::CONTROL,
            ),
            1,
        ),
        c @ 0x1c..=0x1f => Step::Event(
            key(
                KeyCode::Char(char::from(c - 0x1c + b'4')),
                KeyModifiers::CONTROL,
            ),
            1,
        ),
        _ => parse_char(data),
    }
}

/// One UTF-8 character; an invalid byte is skipped.
fn parse_char(data: &[u8]) -> Step {
    let Some(&first) = data.first() else {
        return Step::Incomplete;
    };
    let len = match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return Step::Skip(1),
    };
    let Some(bytes) = data.get(..len) else {
        return Step::Incomplete;
    };
    match std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.chars().next())
    {
        Some(c) => {
            let modifiers = if c.is_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            Step::Event(key(KeyCode::Char(c), modifiers), len)
        }
        None => Step::Skip(1),
    }
}

fn parse_escape(data: &[u8], more: bool) -> Step {
    let none = KeyModifiers::NONE;
    match data.get(1) {
        None if more => Step::Incomplete,
        None => Step::Event(key(KeyCode::Esc, none), 1),
        Some(b'[') => parse_csi(data),
        Some(b'O') => match data.get(2) {
            None => Step::Incomplete,
            Some(&c) => match ss3_key(c) {
                Some(code) => Step::Event(key(code, none), 3),
                None => Step::Skip(3),
            },
        },
        Some(0x1b) => Step::Event(key(KeyCode::Esc, none), 1),
        // Esc then a key: the key with Alt (how terminals send Alt-x).
        Some(_) => match parse(data.get(1..).unwrap_or_default(), more) {
            Step::Event(Event::Key(mut k), used) => {
                k.modifiers |= KeyModifiers::ALT;
                Step::Event(Event::Key(k), used + 1)
            }
            Step::Incomplete => Step::Incomplete,
            _ => Step::Event(key(KeyCode::Esc, none), 1),
        },
    }
}

fn ss3_key(c: u8) -> Option<KeyCode> {
    Some(match c {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        c @ b'P'..=b'S' => KeyCode::F(c - b'P' + 1),
        _ => return None,
    })
}

/// `Esc [ params final`: arrows, Home/End, paging, Delete, F-keys with modifiers; the paste marker.
fn parse_csi(data: &[u8]) -> Step {
    // Parameters and intermediates are 0x20..=0x3f; the final byte is 0x40..=0x7e.
    let body = data.get(2..).unwrap_or_default();
    let Some(end) = body.iter().position(|b| !(0x20..=0x3f).contains(b)) else {
        return Step::Incomplete;
    };
    let used = 2 + end + 1;
    let Some(&final_byte) = body.get(end) else {
        return Step::Incomplete;
    };
    if !(0x40..=0x7e).contains(&final_byte) {
        // Not a CSI sequence after all: drop the Esc [ and read on.
        return Step::Skip(2);
    }
    let params = std::str::from_utf8(body.get(..end).unwrap_or_default()).unwrap_or("");
    let mut numbers = params.split(';').map(|p| p.parse::<u16>().ok());
    let first = numbers.next().flatten();
    let modifiers = numbers
        .next()
        .flatten()
        .map_or(KeyModifiers::NONE, modifiers_from);
    let code = match final_byte {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'Z' => return Step::Event(key(KeyCode::BackTab, KeyModifiers::SHIFT), used),
        b'P'..=b'S' => KeyCode::F(final_byte - b'P' + 1),
        b'~' => match first {
            Some(200) => return Step::PasteStart(used),
            Some(1 | 7) => KeyCode::Home,
            Some(2) => KeyCode::Insert,
            Some(3) => KeyCode::Delete,
            Some(4 | 8) => KeyCode::End,
            Some(5) => KeyCode::PageUp,
            Some(6) => KeyCode::PageDown,
            Some(n @ 11..=15) => KeyCode::F((n - 10) as u8),
            Some(n @ 17..=21) => KeyCode::F((n - 11) as u8),
            Some(n @ 23..=24) => KeyCode::F((n - 12) as u8),
            _ => return Step::Skip(used),
        },
        _ => return Step::Skip(used),
    };
    Step::Event(key(code, modifiers), used)
}

/// xterm's modifier parameter: 1 + a bit mask of Shift, Alt, Ctrl.
fn modifiers_from(param: u16) -> KeyModifiers {
    let mask = param.saturating_sub(1);
    let mut modifiers = KeyModifiers::NONE;
    if mask & 1 != 0 {
        modifiers |= KeyModifiers::SHIFT;
    }
    if mask & 2 != 0 {
        modifiers |= KeyModifiers::ALT;
    }
    if mask & 4 != 0 {
        modifiers |= KeyModifiers::CONTROL;
    }
    modifiers
}
