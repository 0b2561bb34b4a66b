//! Semantic styles. Views ask for `theme.tone(Tone::Error)` or `theme.selected`, never for a colour.
//! Built-in themes are embedded; a user theme in the config directory is laid over one, so a partial file
//! works. `NO_COLOR` strips colours and keeps emphasis.

use crate::model::Tone;
use crate::settings::ConfigError;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
];

macro_rules! theme_struct {
    ($($field:ident),* $(,)?) => {
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Theme { $(pub $field: Style,)* }
        impl Theme {
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];
            fn slot(&mut self, key: &str) -> Option<&mut Style> {
                match key { $(stringify!($field) => Some(&mut self.$field),)* _ => None }
            }
            fn each_mut(&mut self) -> impl Iterator<Item = &mut Style> {
                [$(&mut self.$field),*].into_iter()
            }
            /// Every style with its key, in declaration order (for checks over a whole theme).
            pub fn styles(&self) -> Vec<(&'static str, Style)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

theme_struct!(
    base,
    header,
    header_value,
    badge_read_only,
    badge_alert,
    breadcrumb,
    breadcrumb_current,
    border,
    title,
    table_header,
    selected,
    ok,
    warn,
    error,
    muted,
    label,
    section,
    key,
    key_desc,
    input,
    toast_info,
    toast_error,
    log_time,
    log_source,
    log_new,
    log_old,
    log_info,
    log_debug,
    log_match,
    log_cursor,
    chart_1,
    chart_2,
    chart_3,
    chart_4,
    chart_axis,
    chart_marker,
);

/// Styles that draw lines, not text (box borders, chart axes): WCAG asks 3:1 of them, 4.5:1 of text.
pub const NON_TEXT: &[&str] = &["border", "chart_axis"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    styles: BTreeMap<toml::Spanned<String>, toml::Spanned<StyleSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    bold: Option<bool>,
    dim: Option<bool>,
    italic: Option<bool>,
    underlined: Option<bool>,
    reversed: Option<bool>,
}

impl Theme {
    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Normal => Style::default(),
            Tone::Ok => self.ok,
            Tone::Warn => self.warn,
            Tone::Error => self.error,
            Tone::Muted => self.muted,
        }
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Theme> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let mut theme = Theme::default();
        theme
            .overlay(text, Path::new(name))
            .expect("built-in themes are valid (tested)");
        Some(theme)
    }

    /// Resolves `--theme NAME` (or the config's `theme`): a built-in name, a user theme
    /// `<config dir>/themes/NAME.toml` laid over the built-in of that name (or over `dark`), or a path to a
    /// `.toml` file laid over `dark`.
    pub fn load(name: &str, config_dir: Option<&Path>) -> Result<Theme, ConfigError> {
        let as_path = Path::new(name);
        let user_file = if name.ends_with(".toml") {
            Some(as_path.to_path_buf())
        } else {
            config_dir
                .map(|d| d.join("themes").join(format!("{name}.toml")))
                .filter(|p| p.exists())
        };
        let mut theme = Theme::builtin(name)
            .or_else(|| user_file.as_ref().and_then(|_| Theme::builtin("dark")))
            .ok_or_else(|| ConfigError {
                path: as_path.to_path_buf(),
                line: None,
                key: None,
                message: format!(
                    "no theme named {name:?}: built-in themes are {}; user themes go in {}",
                    BUILTIN
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                    config_dir
                        .map(|d| d.join("themes").display().to_string())
                        .unwrap_or_else(|| "the config directory".into())
                ),
            })?;
        if let Some(path) = user_file {
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
                path: path.clone(),
                line: None,
                key: None,
                message: format!("cannot read theme: {e}"),
            })?;
            theme.overlay(&text, &path)?;
        }
        Ok(theme)
    }

    /// Lays the styles of a theme file over this theme; only the keys the file sets change.
    pub fn overlay(&mut self, text: &str, path: &Path) -> Result<(), ConfigError> {
        let file: ThemeFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        for (key, spec) in file.styles {
            let line = Some(crate::settings::line_of(text, key.span().start));
            let fail = |message: String| ConfigError {
                path: path.to_path_buf(),
                line,
                key: Some(format!("styles.{}", key.get_ref())),
                message,
            };
            let slot = self.slot(key.get_ref()).ok_or_else(|| {
                fail(format!(
                    "unknown style; the styles are: {}",
                    Theme::KEYS.join(", ")
                ))
            })?;
            let spec = spec.get_ref();
            let colour = |c: &Option<String>| -> Result<Option<Color>, ConfigError> {
                c.as_deref()
                    .map(|c| {
                        Color::from_str(c).map_err(|_| {
                            fail(format!(
                                "{c:?} is not a colour: use a name such as \"red\" or \"lightblue\", \"#rrggbb\", or 0-255"
                            ))
                        })
                    })
                    .transpose()
            };
            let mut style = Style::default();
            if let Some(fg) = colour(&spec.fg)? {
                style = style.fg(fg);
            }
            if let Some(bg) = colour(&spec.bg)? {
                style = style.bg(bg);
            }
            for (flag, modifier) in [
                (spec.bold, Modifier::BOLD),
                (spec.dim, Modifier::DIM),
                (spec.italic, Modifier::ITALIC),
                (spec.underlined, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
            ] {
                if flag == Some(true) {
                    style = style.add_modifier(modifier);
                }
            }
            *slot = style;
        }
        Ok(())
    }

    /// For `NO_COLOR`: keep emphasis, drop colours; the selection and badges stay visible by reversing.
    pub fn without_colour(mut self) -> Theme {
        for style in self.each_mut() {
            *style = Style::default().add_modifier(style.add_modifier);
        }
        for style in [
            &mut self.selected,
            &mut self.badge_read_only,
            &mut self.badge_alert,
            &mut self.toast_error,
            &mut self.toast_info,
            &mut self.input,
        ] {
            *style = style.add_modifier(Modifier::REVERSED);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_themes_parse_and_set_every_style() {
        for (name, text) in BUILTIN {
            let file: ThemeFile = toml::from_str(text).unwrap();
            let keys: Vec<String> = file.styles.keys().map(|k| k.get_ref().clone()).collect();
            for key in Theme::KEYS {
                assert!(
                    keys.iter().any(|k| k == key),
                    "theme {name} does not set {key}"
                );
            }
            assert!(Theme::builtin(name).is_some());
        }
    }

    #[test]
    fn a_partial_user_theme_changes_only_what_it_sets() {
        let mut theme = Theme::builtin("dark").unwrap();
        let before = theme.clone();
        theme
            .overlay(
                "[styles]\nerror = { fg = \"magenta\" }\n",
                Path::new("mine.toml"),
            )
            .unwrap();
        assert_eq!(theme.error, Style::default().fg(Color::Magenta));
        assert_eq!(theme.ok, before.ok);
    }

    #[test]
    fn a_bad_colour_names_the_file_line_and_key() {
        let mut theme = Theme::builtin("dark").unwrap();
        let err = theme
            .overlay(
                "[styles]\nok = { fg = \"green\" }\nwarn = { fg = \"orangeish\" }\n",
                Path::new("mine.toml"),
            )
            .unwrap_err()
            .to_string();
        assert!(err.contains("mine.toml"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("styles.warn"), "{err}");
        assert!(err.contains("orangeish"), "{err}");
    }

    #[test]
    fn an_unknown_style_is_named() {
        let mut theme = Theme::default();
        let err = theme
            .overlay("[styles]\nheadr = { bold = true }\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("styles.headr"),
            "{err}"
        );
    }

    #[test]
    fn no_colour_keeps_the_selection_visible() {
        let theme = Theme::builtin("dark").unwrap().without_colour();
        assert_eq!(theme.selected.fg, None);
        assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
    }
}
