//! The text input behind every prompt and dialog field (`/`, `:`, log prompts, the scale count): editing keys,
//! pastes, the length cap, and the window a narrow field shows.

/// Longest text an input holds: a filter, a command or a regex is never this long, and a paste that is
/// (a log line, a whole file) is cut here with a message rather than kept whole or cut silently.
pub const MAX_INPUT_CHARS: usize = 1_000;

/// A one-line text input: cursor movement and editing keys (tui-input), a length cap that says when it
/// bites, pastes inserted in one step, and a window that keeps the cursor on screen at any width.
#[derive(Debug, Clone, Default)]
pub struct TextInput {
    inner: tui_input::Input,
    /// What the last key or paste could not do (the cap, characters dropped from a paste).
    pub notice: Option<String>,
    /// A prefilled value shown selected: what is typed or pasted first replaces it (typing after a
    /// remembered `5m` must not give `5m1h`), Backspace/Delete clear it, a cursor key keeps it to edit.
    selected: bool,
}

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value()
            && self.cursor() == other.cursor()
            && self.notice == other.notice
            && self.selected == other.selected
    }
}

impl From<&str> for TextInput {
    fn from(value: &str) -> Self {
        TextInput::new(value)
    }
}

impl From<String> for TextInput {
    fn from(value: String) -> Self {
        TextInput::new(&value)
    }
}

/// Reads like the text typed, so the handlers can trim it, match it and show it.
impl std::ops::Deref for TextInput {
    type Target = str;
    fn deref(&self) -> &str {
        self.value()
    }
}

impl std::fmt::Display for TextInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.value())
    }
}

/// What a key did to a text input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    /// The text changed.
    Edited,
    /// Only the cursor moved (or nothing changed but the key belongs to the input).
    Moved,
    /// Not an editing key: the caller decides (Enter, Esc, Tab, …).
    NotMine,
}

impl TextInput {
    /// A value prefilled with the cursor at its end; longer than the cap, it is cut with a notice.
    pub fn new(value: &str) -> TextInput {
        let count = value.chars().count();
        let kept: String = value.chars().take(MAX_INPUT_CHARS).collect();
        TextInput {
            inner: tui_input::Input::new(kept),
            notice: (count > MAX_INPUT_CHARS).then(|| cap_notice(count)),
            selected: false,
        }
    }

    /// A prefilled value shown selected, so the first typed character or paste replaces it.
    pub fn preselected(value: &str) -> TextInput {
        let mut input = TextInput::new(value);
        input.selected = !input.value().is_empty();
        input
    }

    /// Whether the whole value is selected (typing replaces it).
    pub fn is_selected(&self) -> bool {
        self.selected
    }

    pub fn value(&self) -> &str {
        self.inner.value()
    }

    /// Characters (code points) before the cursor.
    pub fn cursor(&self) -> usize {
        self.inner.cursor()
    }

    /// Applies an editing key: ←/→, Home/End, Ctrl-a/e/u/w/k, Backspace/Delete, Alt-←/→ and typed text.
    pub fn key(&mut self, key: &crossterm::event::KeyEvent) -> InputKey {
        use crossterm::event::{KeyCode, KeyModifiers};
        use tui_input::InputRequest;
        let request = match (key.code, key.modifiers) {
            // Home/End with modifiers and Ctrl-a/e with Shift still mean start/end.
            (KeyCode::Home, _) => Some(InputRequest::GoToStart),
            (KeyCode::End, _) => Some(InputRequest::GoToEnd),
            (KeyCode::Left, m) if m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                Some(InputRequest::GoToPrevWord)
            }
            (KeyCode::Right, m) if m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                Some(InputRequest::GoToNextWord)
            }
            (KeyCode::Backspace, m) if m.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                Some(InputRequest::DeletePrevWord)
            }
            // Ctrl-y would paste a kill buffer the user cannot see; it is not offered.
            (KeyCode::Char('y'), KeyModifiers::CONTROL) => None,
            _ => {
                tui_input::backend::crossterm::to_input_request(&crossterm::event::Event::Key(*key))
            }
        };
        let Some(request) = request else {
            return InputKey::NotMine;
        };
        if let InputRequest::InsertChar(c) = request
            && c.is_control()
        {
            return InputKey::NotMine;
        }
        if std::mem::take(&mut self.selected) {
            match request {
                // The selection is what these replace or delete.
                InputRequest::InsertChar(_)
                | InputRequest::DeletePrevChar
                | InputRequest::DeleteNextChar
                | InputRequest::DeletePrevWord
                | InputRequest::DeleteNextWord
                | InputRequest::DeleteLine
                | InputRequest::DeleteTillEnd => {
                    self.notice = None;
                    self.inner = tui_input::Input::default();
                    if !matches!(request, InputRequest::InsertChar(_)) {
                        return InputKey::Edited;
                    }
                }
                // A cursor key ends the selection and edits the prefill from there.
                _ => {}
            }
        }
        if let InputRequest::InsertChar(_) = request
            && self.value().chars().count() >= MAX_INPUT_CHARS
        {
            self.notice = Some(format!("full: inputs hold {MAX_INPUT_CHARS} characters"));
            return InputKey::Moved;
        }
        self.notice = None;
        match self.inner.handle(request) {
            Some(changed) if changed.value => InputKey::Edited,
            _ => InputKey::Moved,
        }
    }

    /// Inserts a paste at the cursor in one step. Newlines and tabs become spaces and other control
    /// characters are dropped (a pasted line break must not act as Enter); anything past the cap is
    /// left out. Either is said in `notice`. Returns whether the text changed.
    pub fn paste(&mut self, text: &str) -> bool {
        let (clean, cleaned) = clean_paste(text);
        if self.selected && !clean.is_empty() {
            self.selected = false;
            self.inner = tui_input::Input::default();
        }
        let room = MAX_INPUT_CHARS.saturating_sub(self.value().chars().count());
        let pasted = clean.chars().count();
        let kept: String = clean.chars().take(room).collect();
        let mut notes = Vec::new();
        if pasted > room {
            notes.push(format!(
                "kept {room} of {pasted} pasted characters (inputs hold {MAX_INPUT_CHARS})"
            ));
        }
        if let Some(cleaned) = cleaned {
            notes.push(cleaned.to_owned());
        }
        self.notice = (!notes.is_empty()).then(|| notes.join("; "));
        if kept.is_empty() {
            return false;
        }
        let cursor = self.cursor();
        let mut value: String = self.value().chars().take(cursor).collect();
        value.push_str(&kept);
        let tail: String = self.value().chars().skip(cursor).collect();
        value.push_str(&tail);
        self.inner = tui_input::Input::new(value).with_cursor(cursor + kept.chars().count());
        true
    }

    /// The text to draw in `width` columns with the cursor (a one-column bar) visible: the part before
    /// the cursor and the part after it. Cut by display width (CJK and emoji take two columns), never by
    /// byte; when the text does not fit, the cursor stays in view with as much before it as fits.
    pub fn window(&self, width: usize) -> (String, String) {
        use unicode_width::UnicodeWidthChar;
        let width = width.saturating_sub(1);
        let cursor = self.cursor();
        let before: Vec<char> = self.value().chars().take(cursor).collect();
        let after = self.value().chars().skip(cursor);
        let col = |c: &char| c.width().unwrap_or(0);
        // Take from the cursor backwards while it fits, then fill what is left after the cursor.
        let mut used = 0;
        let mut start = before.len();
        for c in before.iter().rev() {
            if used + col(c) > width {
                break;
            }
            used += col(c);
            start -= 1;
        }
        let shown_before: String = before.iter().skip(start).collect();
        let mut shown_after = String::new();
        for c in after {
            if used + col(&c) > width {
                break;
            }
            used += col(&c);
            shown_after.push(c);
        }
        (shown_before, shown_after)
    }
}

fn cap_notice(count: usize) -> String {
    format!("kept {MAX_INPUT_CHARS} of {count} characters (inputs hold {MAX_INPUT_CHARS})")
}

/// A paste as one line: line breaks and tabs as spaces, other control characters dropped, and what of that
/// happened. A copied line usually ends with its line break: that one is dropped without a word.
fn clean_paste(text: &str) -> (String, Option<&'static str>) {
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .or_else(|| text.strip_suffix('\r'))
        .unwrap_or(text);
    let (mut spaced, mut dropped) = (false, false);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' | '\n' | '\t' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                spaced = true;
                out.push(' ');
            }
            c if c.is_control() => dropped = true,
            c => out.push(c),
        }
    }
    let said = match (spaced, dropped) {
        (false, false) => None,
        (true, false) => Some("line breaks became spaces"),
        (false, true) => Some("control characters were left out"),
        (true, true) => Some("line breaks became spaces, control characters were left out"),
    };
    (out, said)
}
