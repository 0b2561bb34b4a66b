//! What `?` shows: this screen's keys first, then the keys of every screen, the `:` commands and how filters
//! read, wrapped to the overlay's width. Pure, so the reducer can stop scrolling at the last row and the
//! renderer draws exactly these rows.

use super::{Action, BINDINGS, COMMANDS, Keymap, Screen, Where};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Section,
    /// A key (or the continuation of a wrapped description, with an empty key).
    Entry,
    Note,
    Blank,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpRow {
    pub kind: RowKind,
    /// Padded to the key column; empty on a continuation row.
    pub key: String,
    pub text: String,
}

/// The overlay covers the body of the screen (all but header, breadcrumb and the one-line footer), with a
/// border; this is its inside, in cells.
pub fn inner_size(screen_width: u16, screen_height: u16) -> (u16, u16) {
    (
        screen_width.saturating_sub(2),
        screen_height.saturating_sub(3).saturating_sub(2),
    )
}

/// The last scroll position that still fills the overlay.
pub fn max_scroll(keymap: &Keymap, screen: Screen, screen_width: u16, screen_height: u16) -> u16 {
    let (width, height) = inner_size(screen_width, screen_height);
    let rows = rows(keymap, screen, width).len();
    u16::try_from(rows.saturating_sub(usize::from(height))).unwrap_or(u16::MAX)
}

/// What a key does on `screen`: the binding's description, or what the log view makes of a global action.
pub fn describe(action: Action, desc: &str, screen: Screen) -> String {
    let in_logs = match (screen, action) {
        (Screen::Logs, Action::Top) => Some("oldest line"),
        (Screen::Logs, Action::Bottom) => Some("newest line: jump to live"),
        (Screen::Logs, Action::Up | Action::Down) => Some("select a line (pauses following)"),
        (Screen::Logs, Action::Raw) => Some("the selected line as JSON"),
        (Screen::Logs, Action::Refresh) => Some("tail again from the start time"),
        (Screen::Logs, Action::Back) => {
            Some("clear the search, then the i/v/D filters, then back (stops the tail)")
        }
        _ => None,
    };
    if let Some(text) = in_logs {
        return text.to_owned();
    }
    match action {
        Action::Scale
        | Action::ForceDeploy
        | Action::Rollback
        | Action::StopDeploy
        | Action::ShiftTraffic
        | Action::ContinueDeploy => {
            format!("{desc} (shows the change and asks first)")
        }
        _ => desc.to_owned(),
    }
}

/// Every row of help on `screen`, wrapped to `width` cells (a row never needs cutting).
pub fn rows(keymap: &Keymap, screen: Screen, width: u16) -> Vec<HelpRow> {
    let width = usize::from(width).max(1);
    let here: Vec<(String, String)> = BINDINGS
        .iter()
        .filter(|b| b.place != Where::Everywhere && b.place.allows_on(screen))
        .map(|b| {
            (
                keymap.keys_label(b, screen),
                describe(b.action, b.desc, screen),
            )
        })
        .collect();
    let everywhere: Vec<(String, String)> = BINDINGS
        .iter()
        .filter(|b| b.place == Where::Everywhere)
        .map(|b| {
            (
                keymap.keys_label(b, screen),
                describe(b.action, b.desc, screen),
            )
        })
        .collect();
    let commands: Vec<(String, String)> = COMMANDS
        .iter()
        .map(|(c, d)| ((*c).to_owned(), (*d).to_owned()))
        .collect();
    // A key column per group, as wide as its widest key but never more than a third of the width: a longer
    // key gets a row of its own.
    let column = |entries: &[(String, String)]| {
        entries
            .iter()
            .map(|(k, _)| k.width() + 3)
            .max()
            .unwrap_or(0)
            .min(width / 3)
    };
    let mut out = Vec::new();
    let group = |out: &mut Vec<HelpRow>, title: String, entries: &[(String, String)]| {
        if !out.is_empty() {
            out.push(HelpRow {
                kind: RowKind::Blank,
                key: String::new(),
                text: String::new(),
            });
        }
        for line in wrap(&title, width) {
            out.push(HelpRow {
                kind: RowKind::Section,
                key: String::new(),
                text: line,
            });
        }
        let column = column(entries);
        for (key, desc) in entries {
            entry(out, key, desc, column, width);
        }
    };
    group(
        &mut out,
        format!("Keys on this screen ({})", screen.describe()),
        &here,
    );
    group(&mut out, "Keys on every screen".into(), &everywhere);
    group(&mut out, "Commands (type : first)".into(), &commands);
    group(&mut out, "Filters".into(), &[]);
    for note in [
        "Type / on a table to narrow rows by name (case-insensitive); column:value filters another column, \
         e.g. /launch:EC2, /rollout:failed, /status:stopped (a column's title without spaces, or its start).",
        "Keys can be changed in the [keys] section of the config file (KEYS.md lists every action).",
    ] {
        for line in wrap(note, width) {
            out.push(HelpRow {
                kind: RowKind::Note,
                key: String::new(),
                text: line,
            });
        }
    }
    out
}

fn entry(out: &mut Vec<HelpRow>, key: &str, desc: &str, column: usize, width: usize) {
    let mut key = format!("  {key}");
    if key.width() + 1 > column {
        // Too wide for the column: the key alone (wrapped if it must be), the description under it.
        for line in wrap(&key, width) {
            out.push(HelpRow {
                kind: RowKind::Entry,
                key: line,
                text: String::new(),
            });
        }
        key = String::new();
    }
    let text_width = width.saturating_sub(column).max(1);
    for line in wrap(desc, text_width) {
        let pad = column.saturating_sub(key.width());
        out.push(HelpRow {
            kind: RowKind::Entry,
            key: format!("{key}{}", " ".repeat(pad)),
            text: line,
        });
        key = String::new();
    }
}

/// Word wrap by display width; a word longer than a line is broken between characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = if line.is_empty() {
            word.width()
        } else {
            line.width() + 1 + word.width()
        };
        if needed <= width {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if line.width() + cw > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_word_and_never_passes_the_width() {
        let text =
            "a long description that must wrap at a narrow width, with averyveryverylongword in it";
        for width in [1, 5, 10, 20, 80] {
            let lines = wrap(text, width);
            assert!(
                lines.iter().all(|l| l.width() <= width),
                "{width}: {lines:?}"
            );
            assert_eq!(
                lines.concat().replace(' ', ""),
                text.replace(' ', ""),
                "{width}"
            );
        }
    }

    #[test]
    fn this_screens_keys_come_before_the_keys_of_every_screen() {
        let rows = rows(&Keymap::default(), Screen::Logs, 78);
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        let pause = texts.iter().position(|t| *t == "pause / resume");
        let quit = texts.iter().position(|t| *t == "back, quit at top");
        assert!(
            pause.is_some() && quit.is_some() && pause < quit,
            "{texts:?}"
        );
        assert!(
            !texts.contains(&"sort column"),
            "no table keys in a log view"
        );
    }
}
