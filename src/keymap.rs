//! Keys -> actions. The help screen and the footer hints are generated from [`BINDINGS`], so what the
//! screen says is always what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Back,
    Quit,
    Filter,
    Command,
    Help,
    Describe,
    Raw,
    Refresh,
    SortNext,
    SortReverse,
    ForceQuit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

/// Which screens a binding works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Everywhere,
    /// Resource tables (clusters, services, tasks).
    Tables,
    /// Services and tasks tables.
    Describable,
}

impl Where {
    /// Whether a binding for this place works on `view`. The reducer and the footer both ask this.
    pub fn allows(self, view: &crate::app::View) -> bool {
        use crate::app::View;
        match self {
            Where::Everywhere => true,
            Where::Tables => matches!(
                view,
                View::Clusters(_) | View::Services { .. } | View::Tasks { .. }
            ),
            Where::Describable => matches!(view, View::Services { .. } | View::Tasks { .. }),
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub desc: &'static str,
    pub place: Where,
    /// Shown in the footer (the rest only in help).
    pub footer: bool,
}

const fn b(
    keys: &'static [Key],
    action: Action,
    desc: &'static str,
    place: Where,
    footer: bool,
) -> Binding {
    Binding {
        keys,
        action,
        desc,
        place,
        footer,
    }
}

pub const BINDINGS: &[Binding] = &[
    b(
        &[k('j'), code(KeyCode::Down)],
        Action::Down,
        "down",
        Where::Everywhere,
        false,
    ),
    b(
        &[k('k'), code(KeyCode::Up)],
        Action::Up,
        "up",
        Where::Everywhere,
        false,
    ),
    b(
        &[k('g'), code(KeyCode::Home)],
        Action::Top,
        "top",
        Where::Everywhere,
        false,
    ),
    b(
        &[k('G'), code(KeyCode::End)],
        Action::Bottom,
        "bottom",
        Where::Everywhere,
        false,
    ),
    b(
        &[ctrl('b'), code(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        Where::Everywhere,
        false,
    ),
    b(
        &[ctrl('f'), code(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        Where::Everywhere,
        false,
    ),
    b(
        &[code(KeyCode::Enter), k('l'), code(KeyCode::Right)],
        Action::Open,
        "open",
        Where::Tables,
        true,
    ),
    b(
        &[k('d')],
        Action::Describe,
        "details",
        Where::Describable,
        true,
    ),
    b(&[k('y')], Action::Raw, "raw JSON", Where::Everywhere, true),
    b(&[k('/')], Action::Filter, "filter", Where::Tables, true),
    b(
        &[k('s')],
        Action::SortNext,
        "sort column",
        Where::Tables,
        true,
    ),
    b(
        &[k('S')],
        Action::SortReverse,
        "reverse sort",
        Where::Tables,
        false,
    ),
    b(
        &[ctrl('r')],
        Action::Refresh,
        "refresh now",
        Where::Everywhere,
        false,
    ),
    b(
        &[k(':')],
        Action::Command,
        "command",
        Where::Everywhere,
        true,
    ),
    b(
        &[code(KeyCode::Esc), k('h'), code(KeyCode::Left)],
        Action::Back,
        "back / clear filter",
        Where::Everywhere,
        true,
    ),
    b(
        &[k('q')],
        Action::Quit,
        "back, quit at top",
        Where::Everywhere,
        false,
    ),
    b(&[k('?')], Action::Help, "help", Where::Everywhere, true),
    b(
        &[ctrl('c')],
        Action::ForceQuit,
        "quit",
        Where::Everywhere,
        false,
    ),
];

/// The `:` commands, for help and for the "unknown command" message.
pub const COMMANDS: &[(&str, &str)] = &[
    (":clusters", "all clusters"),
    (
        ":services [cluster]",
        "services of the current (or named) cluster",
    ),
    (
        ":tasks [cluster]",
        "all tasks of the current (or named) cluster",
    ),
    (":help", "this screen"),
    (":q", "quit"),
];

fn matches(key: &Key, event: &KeyEvent) -> bool {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    key.code == event.code && key.ctrl == ctrl
}

pub fn binding_for(event: &KeyEvent) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|k| matches(k, event)))
}

pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// "j/↓" — every key of a binding.
pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(key_label)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = Vec::new();
        for b in BINDINGS {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} is bound twice");
                seen.push(*k);
            }
        }
    }

    #[test]
    fn shifted_letters_match_without_caring_about_the_shift_flag() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(binding_for(&event).map(|b| b.action), Some(Action::Bottom));
    }
}
