//! `[keys]` of the config file: read with the place of every name and key (`toml::Spanned`), then checked
//! against [`BINDINGS`] so a bad entry is refused at start, naming its line.
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
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// The `[keys]` table as written, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeysConfig {
    entries: Vec<(Spanned<String>, Spanned<Entry>)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Entry {
    /// `action = "key"` or `action = ["key", …]` for every screen.
    Keys(KeyList),
    /// `[keys.<screen>]`.
    Screen(Vec<(Spanned<String>, Spanned<KeyList>)>),
}

#[derive(Debug, Clone, PartialEq)]
struct KeyList(Vec<String>);

/// A `[keys]` entry that cannot be taken: where it is (a byte range of the file) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError {
    pub span: Range<usize>,
    /// Its dotted name: `keys.services.scale`.
    pub key: String,
    pub message: String,
}

struct KeyListVisitor;

impl<'de> Visitor<'de> for KeyListVisitor {
    type Value = KeyList;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key (\"F5\", \"ctrl-r\", \"S\") or a list of keys")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyList, E> {
        Ok(KeyList(vec![v.to_owned()]))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyList, A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = seq.next_element::<String>()? {
            keys.push(key);
        }
        Ok(KeyList(keys))
    }
}

impl<'de> Deserialize<'de> for KeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyList, D::Error> {
        d.deserialize_any(KeyListVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key (\"F5\"), a list of keys, or a [keys.<screen>] table")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry, E> {
        KeyListVisitor.visit_str(v).map(Entry::Keys)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Entry, A::Error> {
        KeyListVisitor.visit_seq(seq).map(Entry::Keys)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        let mut pairs = Vec::new();
        while let Some(name) = map.next_key::<Spanned<String>>()? {
            pairs.push((name, map.next_value::<Spanned<KeyList>>()?));
        }
        Ok(Entry::Screen(pairs))
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct KeysVisitor;

impl<'de> Visitor<'de> for KeysVisitor {
    type Value = KeysConfig;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a [keys] table")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeysConfig, A::Error> {
        let mut entries = Vec::new();
        while let Some(name) = map.next_key::<Spanned<String>>()? {
            entries.push((name, map.next_value::<Spanned<Entry>>()?));
        }
        Ok(KeysConfig { entries })
    }
}

impl<'de> Deserialize<'de> for KeysConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeysConfig, D::Error> {
        d.deserialize_map(KeysVisitor)
    }
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
            if ctrl {
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
    /// The defaults with the user's `[keys]` laid over them; an unknown action or screen, a key that does not
    /// parse, or two actions on one key on one screen is an error naming the entry.
    pub fn from_config(config: &KeysConfig) -> Result<Keymap, KeyError> {
        // Where each remap was written, for blaming it in a conflict.
        let mut origins: Vec<(Range<usize>, String)> = Vec::new();
        let mut remaps = Vec::new();
        for (name, entry) in &config.entries {
            match entry.get_ref() {
                Entry::Keys(list) => {
                    let dotted = format!("keys.{}", name.get_ref());
                    let action = action_named(name, &dotted)?;
                    let keys = parse_keys(list, action, entry.span(), &dotted)?;
                    remaps.push(Remap {
                        view: None,
                        action,
                        keys,
                    });
                    origins.push((name.span(), dotted));
                }
                Entry::Screen(pairs) => {
                    let Some(screen) = Screen::ALL.into_iter().find(|s| s.name() == name.get_ref())
                    else {
                        let mut names: Vec<&str> = Screen::ALL.iter().map(|s| s.name()).collect();
                        names.dedup();
                        return Err(KeyError {
                            span: name.span(),
                            key: format!("keys.{}", name.get_ref()),
                            message: format!(
                                "{:?} is neither a screen nor an action; screens are {}",
                                name.get_ref(),
                                names.join(", ")
                            ),
                        });
                    };
                    for (action_name, list) in pairs {
                        let dotted = format!("keys.{}.{}", screen.name(), action_name.get_ref());
                        let action = action_named(action_name, &dotted)?;
                        let works_here = action.binding().is_some_and(|b| {
                            Screen::ALL
                                .iter()
                                .any(|s| s.name() == screen.name() && b.place.allows_on(*s))
                        });
                        if !works_here {
                            let place = action.binding().map_or("", |b| b.place.describe());
                            return Err(KeyError {
                                span: action_name.span(),
                                key: dotted,
                                message: format!(
                                    "`{}` does nothing on the {} screen (it works on {place})",
                                    action.name(),
                                    screen.name()
                                ),
                            });
                        }
                        let keys = parse_keys(list.get_ref(), action, list.span(), &dotted)?;
                        remaps.push(Remap {
                            view: Some(screen.name()),
                            action,
                            keys,
                        });
                        origins.push((action_name.span(), dotted));
                    }
                }
            }
        }
        let keymap = Keymap { remaps };
        keymap.check_conflicts(&origins)?;
        Ok(keymap)
    }

    /// Two actions on one key on one screen: blamed on the user's entry (the defaults never collide).
    fn check_conflicts(&self, origins: &[(Range<usize>, String)]) -> Result<(), KeyError> {
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
                            span: blamed.0.clone(),
                            key: blamed.1.clone(),
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

fn action_named(name: &Spanned<String>, dotted: &str) -> Result<Action, KeyError> {
    Action::from_name(name.get_ref()).ok_or_else(|| KeyError {
        span: name.span(),
        key: dotted.to_owned(),
        message: format!(
            "{:?} is not an action; KEYS.md lists them (e.g. refresh, scale, pause)",
            name.get_ref()
        ),
    })
}

fn parse_keys(
    list: &KeyList,
    action: Action,
    span: Range<usize>,
    dotted: &str,
) -> Result<Vec<Key>, KeyError> {
    let error = |message: String| KeyError {
        span: span.clone(),
        key: dotted.to_owned(),
        message,
    };
    let mut keys: Vec<Key> = Vec::new();
    for text in &list.0 {
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
