//! `[keys]` of the config file, checked against [`BINDINGS`] so a bad entry is refused at start. Errors name
//! the entry by its dotted name; the config's index of spans turns that into the line.
//!
//! ```toml
//! [keys]                 # every screen
//! refresh = "F5"
//! down = ["j", "Down", "ctrl-n"]
//! [keys.services]        # one kind of screen; wins over [keys]
//! scale = "S"
//! [keys.logs]
//! pause = "p"
//! ```

use super::{Action, BINDINGS, Binding, Key, Keymap, Remap, Screen, key_label};
use crossterm::event::KeyCode;

/// A `[keys]` entry that cannot be taken: its dotted name (`keys.services.scale`, whose line the config's
/// span index gives) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub key: String,
    pub message: String,
}

const KEY_FORMS: &str = "write a character (\"S\", \"?\"), a name (F1…F12, Enter, Esc, Tab, Space, Backspace, \
     Delete, Insert, Home, End, PgUp, PgDn, Up, Down, Left, Right), with ctrl- or shift- before it if needed";

/// Strips `prefix` from the start of `text`, ignoring ASCII case; only when something follows it.
fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    let rest = text.get(prefix.len()..)?;
    (head.eq_ignore_ascii_case(prefix) && !rest.is_empty()).then_some(rest)
}

/// A key as `[keys]` writes it: `"S"`, `"?"`, `"F5"`, `"ctrl-r"`, `"Ctrl-Q"`, `"shift-tab"`, `"esc"`, `"space"`.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let mut rest = text;
    let (mut ctrl, mut shift) = (false, false);
    loop {
        if let Some(r) = ["ctrl-", "ctrl+", "control-"]
            .iter()
            .find_map(|p| strip_prefix_ignoring_case(rest, p))
        {
            ctrl = true;
            rest = r;
        } else if let Some(r) = ["shift-", "shift+"]
            .iter()
            .find_map(|p| strip_prefix_ignoring_case(rest, p))
        {
            shift = true;
            rest = r;
        } else if ["alt-", "alt+", "meta-", "meta+", "cmd-", "super-"]
            .iter()
            .any(|p| strip_prefix_ignoring_case(rest, p).is_some())
        {
            return Err(format!(
                "{text:?}: Alt and Meta keys are not supported (terminals send them as Esc and a key); use ctrl- or a plain key"
            ));
        } else {
            break;
        }
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (None, _) => return Err(format!("{text:?} is not a key: {KEY_FORMS}")),
        (Some(c), None) => {
            if ctrl && !c.is_ascii_alphabetic() {
                return Err(format!(
                    "{text:?}: ctrl- goes with a letter (a–z) or a named key; terminals send Ctrl with a digit or a sign as another key or not at all"
                ));
            } else if ctrl && shift {
                return Err(format!(
                    "{text:?}: terminals send Ctrl-Shift-{u} as Ctrl-{l}, so it cannot be told apart; write \"ctrl-{l}\"",
                    u = c.to_ascii_uppercase(),
                    l = c.to_ascii_lowercase()
                ));
            } else if let Some(same) = match c.to_ascii_lowercase() {
                'i' => Some("Tab"),
                'm' => Some("Enter"),
                'h' => Some("Backspace"),
                _ => None,
            } && ctrl
            {
                return Err(format!(
                    "{text:?}: terminals send Ctrl-{l} as {same}, so it cannot be told apart; use another key",
                    l = c.to_ascii_lowercase()
                ));
            } else if ctrl {
                // A terminal sends Ctrl-Q and Ctrl-q alike: the letter arrives lower case with CONTROL.
                KeyCode::Char(c.to_ascii_lowercase())
            } else if shift {
                if !c.is_alphabetic() {
                    return Err(format!(
                        "{text:?}: shift- goes with a letter or Tab; write the shifted character itself (\"?\", \"@\")"
                    ));
                }
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
            } else {
                KeyCode::Char(c)
            }
        }
        _ => {
            let name = rest.to_ascii_lowercase();
            let code = match name.as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if shift => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" | "page_up" => KeyCode::PageUp,
                "pagedown" | "pgdn" | "page_down" => KeyCode::PageDown,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                other => match other.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    Some(n) if (1..=12).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("{text:?} is not a key: {KEY_FORMS}")),
                },
            };
            if shift && code != KeyCode::BackTab {
                return Err(format!("{text:?}: shift- goes with a letter or Tab"));
            }
            code
        }
    };
    Ok(Key { code, ctrl })
}

impl Keymap {
    /// The defaults with the user's `[keys]` table laid over them; an unknown action or screen, a key that does
    /// not parse, or two actions on one key on one screen is an error naming the entry.
    pub fn from_table(table: &toml::Table) -> Result<Keymap, KeyError> {
        let mut remaps = Vec::new();
        // The dotted name of each remap, for blaming it in a conflict.
        let mut origins: Vec<String> = Vec::new();
        for (name, value) in table {
            let dotted = format!("keys.{name}");
            if let toml::Value::Table(pairs) = value {
                let Some(screen) = Screen::ALL.into_iter().find(|s| s.name() == name) else {
                    let mut names: Vec<&str> = Screen::ALL.iter().map(|s| s.name()).collect();
                    names.dedup();
                    return Err(KeyError {
                        key: dotted,
                        message: format!(
                            "{name:?} is neither a screen nor an action; screens are {}",
                            names.join(", ")
                        ),
                    });
                };
                for (action_name, list) in pairs {
                    let dotted = format!("{dotted}.{action_name}");
                    let action = action_named(action_name, &dotted)?;
                    let works_here = action.binding().is_some_and(|b| {
                        Screen::ALL
                            .iter()
                            .any(|s| s.name() == screen.name() && b.place.allows_on(*s))
                    });
                    if !works_here {
                        let place = action.binding().map_or("", |b| b.place.describe());
                        return Err(KeyError {
                            key: dotted,
                            message: format!(
                                "`{}` does nothing on the {} screen (it works on {place})",
                                action.name(),
                                screen.name()
                            ),
                        });
                    }
                    remaps.push(Remap {
                        view: Some(screen.name()),
                        action,
                        keys: parse_keys(list, action, &dotted)?,
                    });
                    origins.push(dotted);
                }
            } else {
                let action = action_named(name, &dotted)?;
                remaps.push(Remap {
                    view: None,
                    action,
                    keys: parse_keys(value, action, &dotted)?,
                });
                origins.push(dotted);
            }
        }
        let keymap = Keymap { remaps };
        keymap.check_conflicts(&origins)?;
        Ok(keymap)
    }

    /// Two actions on one key on one screen: blamed on the user's entry (the defaults never collide).
    fn check_conflicts(&self, origins: &[String]) -> Result<(), KeyError> {
        let origin = |action: Action, screen: Screen| {
            let index = self
                .remaps
                .iter()
                .position(|r| r.action == action && r.view == Some(screen.name()))
                .or_else(|| {
                    self.remaps
                        .iter()
                        .position(|r| r.action == action && r.view.is_none())
                })?;
            origins.get(index)
        };
        for screen in Screen::ALL {
            let mut seen: Vec<(Key, &'static Binding)> = Vec::new();
            for binding in BINDINGS.iter().filter(|b| b.place.allows_on(screen)) {
                for key in self.keys(binding, screen) {
                    let clash = seen
                        .iter()
                        .find(|(k, other)| k == key && other.action != binding.action);
                    if let Some((_, other)) = clash {
                        let (blamed, unmoved) = match origin(binding.action, screen) {
                            Some(o) => (o, other.action),
                            None => match origin(other.action, screen) {
                                Some(o) => (o, binding.action),
                                None => continue,
                            },
                        };
                        let (first, second) = (other.action.name(), binding.action.name());
                        return Err(KeyError {
                            key: blamed.clone(),
                            message: format!(
                                "{} is bound to both `{first}` and `{second}` on the {} screen; give `{}` another key too, or choose another",
                                key_label(key),
                                screen.name(),
                                unmoved.name()
                            ),
                        });
                    }
                    seen.push((*key, binding));
                }
            }
        }
        Ok(())
    }
}

fn action_named(name: &str, dotted: &str) -> Result<Action, KeyError> {
    Action::from_name(name).ok_or_else(|| KeyError {
        key: dotted.to_owned(),
        message: format!(
            "{name:?} is not an action; KEYS.md lists them (e.g. refresh, scale, pause)"
        ),
    })
}

/// `"F5"` or `["j", "Down"]`.
fn parse_keys(value: &toml::Value, action: Action, dotted: &str) -> Result<Vec<Key>, KeyError> {
    let error = |message: String| KeyError {
        key: dotted.to_owned(),
        message,
    };
    let texts: Vec<&str> = match value {
        toml::Value::String(s) => vec![s.as_str()],
        toml::Value::Array(items) => items
            .iter()
            .map(|item| item.as_str())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| error("a list of keys holds only strings (\"j\", \"Down\")".into()))?,
        other => {
            return Err(error(format!(
                "expected a key (\"F5\", \"ctrl-r\", \"S\") or a list of keys, found {} {}",
                if matches!(other, toml::Value::Integer(_) | toml::Value::Array(_)) {
                    "an"
                } else {
                    "a"
                },
                other.type_str()
            )));
        }
    };
    let mut keys: Vec<Key> = Vec::new();
    for text in texts {
        let key = parse_key(text).map_err(error)?;
        if key.ctrl && key.code == KeyCode::Char('c') && action != Action::ForceQuit {
            return Err(error(
                "Ctrl-c always quits; it cannot be given to another action".into(),
            ));
        }
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}
