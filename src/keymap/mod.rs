//! Keys -> actions. The help screen and the footer hints are generated from [`BINDINGS`] through the
//! user's [`Keymap`] (the `[keys]` section of the config), so what the screen says is always what the keys do.

mod action;
mod bindings;
mod config;
pub mod help;
pub mod reference;
mod screen;

pub use action::Action;
pub use bindings::{BINDINGS, Binding, COMMANDS};
pub use config::{KeyError, parse_key};
pub use screen::{Screen, Where};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

fn matches(key: &Key, event: &KeyEvent) -> bool {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    key.code == event.code && key.ctrl == ctrl
}

/// A key of `[keys]` in place of an action's default keys: on every screen (`view` None) or on the screens
/// of one `[keys.<view>]` name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Remap {
    view: Option<&'static str>,
    action: Action,
    keys: Vec<Key>,
}

/// The keys in force: [`BINDINGS`] with the user's `[keys]` laid over them. A user key replaces the default
/// keys of its action (on every screen from `[keys]`, on one kind of screen from `[keys.<view>]`, which wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    remaps: Vec<Remap>,
}

impl Keymap {
    /// The keys of `binding` on `screen`.
    pub fn keys(&self, binding: &'static Binding, screen: Screen) -> &[Key] {
        let remap = |view: Option<&str>| {
            self.remaps
                .iter()
                .find(|r| r.action == binding.action && r.view == view)
        };
        remap(Some(screen.name()))
            .or_else(|| remap(None))
            .map_or(binding.keys, |r| r.keys.as_slice())
    }

    /// The binding of this key on this view (a key may mean different things on different views).
    pub fn binding_for(
        &self,
        event: &KeyEvent,
        view: &crate::app::View,
    ) -> Option<&'static Binding> {
        self.binding_on(event, Screen::of(view))
    }

    pub fn binding_on(&self, event: &KeyEvent, screen: Screen) -> Option<&'static Binding> {
        BINDINGS.iter().find(|b| {
            b.place.allows_on(screen) && self.keys(b, screen).iter().any(|k| matches(k, event))
        })
    }

    /// The binding of this key that works on every view (scrolling in overlays).
    pub fn global_binding(
        &self,
        event: &KeyEvent,
        view: &crate::app::View,
    ) -> Option<&'static Binding> {
        self.binding_for(event, view)
            .filter(|b| b.place == Where::Everywhere)
    }

    /// A binding of this key on some screen: for saying where a key that does nothing here would work.
    pub fn binding_anywhere(&self, event: &KeyEvent) -> Option<&'static Binding> {
        Screen::ALL
            .iter()
            .find_map(|screen| self.binding_on(event, *screen))
    }

    /// "j/↓": every key of a binding on this screen.
    pub fn keys_label(&self, binding: &'static Binding, screen: Screen) -> String {
        self.keys(binding, screen)
            .iter()
            .map(key_label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The first key of an action on this screen, for hints ("? for help"); None if the user left it none.
    pub fn first_key(&self, action: Action, screen: Screen) -> Option<String> {
        let binding = action.binding()?;
        self.keys(binding, screen).first().map(key_label)
    }

    /// Footer hints for the view on screen: (first key, description).
    pub fn hints(&self, view: &crate::app::View) -> Vec<(String, &'static str)> {
        let screen = Screen::of(view);
        BINDINGS
            .iter()
            .filter(|b| b.in_footer(view))
            .filter_map(|b| Some((key_label(self.keys(b, screen).first()?), b.desc)))
            .collect()
    }
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
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Delete".into(),
        KeyCode::Insert => "Insert".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_means_two_things_on_one_screen() {
        let keymap = Keymap::default();
        for screen in Screen::ALL {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.place.allows_on(screen)) {
                for k in keymap.keys(b, screen) {
                    assert!(!seen.contains(k), "{k:?} is bound twice on {screen:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn every_action_has_one_binding_and_a_snake_case_name_of_its_own() {
        let mut names = Vec::new();
        for b in BINDINGS {
            let name = b.action.name();
            assert_eq!(
                BINDINGS.iter().filter(|o| o.action == b.action).count(),
                1,
                "{name} has one binding"
            );
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            assert_eq!(Action::from_name(name), Some(b.action));
            assert!(!names.contains(&name), "{name} twice");
            names.push(name);
        }
    }

    #[test]
    fn shifted_letters_match_without_caring_about_the_shift_flag() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            Keymap::default()
                .binding_on(&event, Screen::Clusters)
                .map(|b| b.action),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn slash_filters_tables_and_searches_logs() {
        let event = KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE);
        let keymap = Keymap::default();
        assert_eq!(
            keymap
                .binding_on(&event, Screen::Clusters)
                .map(|b| b.action),
            Some(Action::Filter)
        );
        assert_eq!(
            keymap.binding_on(&event, Screen::Logs).map(|b| b.action),
            Some(Action::Search)
        );
    }

    #[test]
    fn r_refreshes_on_every_screen_like_ctrl_r() {
        let keymap = Keymap::default();
        for screen in Screen::ALL {
            for event in [
                KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE),
                KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
            ] {
                assert_eq!(
                    keymap.binding_on(&event, screen).map(|b| b.action),
                    Some(Action::Refresh),
                    "{screen:?}"
                );
            }
        }
    }
}
