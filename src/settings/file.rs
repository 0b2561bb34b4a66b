//! The config file: `config.toml` in the config directory (located with `directories`), or `--config PATH`.
//! Unknown keys and wrong types are errors naming the file, line and key, shown before the terminal is
//! taken over.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    // Counted over bytes so an offset inside a multi-byte character still answers.
    text.bytes().take(offset).filter(|b| *b == b'\n').count() + 1
}

impl ConfigError {
    /// A parse or type error: the line comes from the error's span, the key from the entry of the parsed
    /// document that holds that span (the innermost one, so `[metrics] refresh_seconds` is not mistaken for the
    /// top-level `refresh_seconds`).
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
        let span = err.span();
        let key = span.as_ref().and_then(|s| {
            KeyIndex::parse(text)
                .key_at(text, s.start)
                .map(str::to_owned)
        });
        ConfigError {
            path: path.to_path_buf(),
            line: span.map(|s| line_of(text, s.start)),
            key,
            message: err.message().trim().to_owned(),
        }
    }
}

/// Where each key of a TOML document is: its dotted path (`metrics.refresh_seconds`), the span of the key and
/// of its value, from the parser's spans.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeyIndex {
    entries: Vec<KeyEntry>,
    /// 1-based line of each dotted key, for errors and for `ecsdeck config`.
    lines: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq)]
struct KeyEntry {
    path: String,
    /// From the key's start to the value's end.
    span: std::ops::Range<usize>,
    /// The line the key is on.
    line: usize,
}

impl KeyIndex {
    /// The index of `text`. A document with a syntax error is indexed as far as the parser recovers, so the
    /// error can still name the key it sits in.
    pub fn parse(text: &str) -> KeyIndex {
        let mut index = KeyIndex::default();
        let (doc, _errors) = toml::de::DeTable::parse_recoverable(text);
        index.walk(text, "", doc.get_ref());
        index
    }

    fn walk(&mut self, text: &str, prefix: &str, table: &toml::de::DeTable<'_>) {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.get_ref().to_string()
            } else {
                format!("{prefix}.{}", key.get_ref())
            };
            let start = key.span().start;
            let end = value.span().end.max(key.span().end);
            self.lines
                .entry(path.clone())
                .or_insert_with(|| line_of(text, start));
            self.entries.push(KeyEntry {
                path: path.clone(),
                span: start..end,
                line: line_of(text, start),
            });
            if let Some(inner) = value.get_ref().as_table() {
                self.walk(text, &path, inner);
            }
        }
    }

    /// The innermost key whose entry holds byte `offset`; failing that (a value the parser gave up on), the
    /// last key that starts before it on its line.
    pub fn key_at(&self, text: &str, offset: usize) -> Option<&str> {
        let holding = self
            .entries
            .iter()
            .filter(|e| e.span.contains(&offset))
            .min_by_key(|e| e.span.len());
        let line = line_of(text, offset);
        let before_on_its_line = || {
            self.entries
                .iter()
                .filter(|e| e.line == line && e.span.start <= offset)
                .max_by_key(|e| e.span.start)
        };
        holding.or_else(before_on_its_line).map(|e| e.path.as_str())
    }

    /// The line of a dotted key, when the file sets it.
    pub fn line(&self, path: &str) -> Option<usize> {
        self.lines.get(path).copied()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Always read-only with this AWS profile ("this is production").
    pub read_only: Option<bool>,
    /// Seconds between refreshes with this profile.
    pub refresh_seconds: Option<u64>,
    /// The theme with this profile (a red-tinted one for production, say).
    pub theme: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    pub refresh_seconds: Option<u64>,
    pub read_only: Option<bool>,
    pub log_file: Option<PathBuf>,
    /// Daily log files kept (older ones are deleted at start). Default 7.
    pub log_files_kept: Option<usize>,
    #[serde(default)]
    pub logs: LogsConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// `[keys]`, kept as written (with its spans) for the keymap to interpret and report on.
    pub keys: Option<toml::Spanned<toml::Table>>,
    /// The keys in force, resolved from `keys` by `parse`.
    #[serde(skip)]
    pub keymap: crate::keymap::Keymap,
    /// Where each key was written.
    #[serde(skip)]
    pub index: KeyIndex,
}

/// `[logs]`: how log views tail.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    /// How far back a log view starts (`5m`, `1h`...). Default 5m.
    pub since: Option<String>,
    /// Lines held per log view before the oldest are dropped. Default 100000.
    pub buffer_lines: Option<usize>,
    /// Use Live Tail (billed per minute by AWS); false polls FilterLogEvents only. Default true.
    pub live_tail: Option<bool>,
    /// FilterLogEvents calls per second for the whole process (the account allows 10). Default 3.
    pub filter_calls_per_second: Option<f64>,
    /// Seconds between polls when polling. Default 1.
    pub poll_seconds: Option<f64>,
    /// Seconds an event may arrive late and still be shown. Default 30.
    pub lag_seconds: Option<u64>,
}

/// `[metrics]`: charts and the services list's CloudWatch columns.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// The charts' window when they open: 15m, 1h, 3h, 12h or 24h. Default 1h.
    pub window: Option<String>,
    /// Seconds between refreshes of charts (each refresh is billed). Default 60.
    pub refresh_seconds: Option<u64>,
    /// Services lists show current CPU and 5XX columns (billed per metric requested). Default false.
    pub list_columns: Option<bool>,
}

pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "ecsdeck")
}

impl Config {
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        config.index = KeyIndex::parse(text);
        config.validate(path)?;
        if let Some(keys) = &config.keys {
            config.keymap =
                crate::keymap::Keymap::from_table(keys.get_ref()).map_err(|e| ConfigError {
                    path: path.to_path_buf(),
                    line: config.index.line(&e.key),
                    key: Some(e.key),
                    message: e.message,
                })?;
        }
        Ok(config)
    }

    /// Checks the values the types let through, each error at the line of its own key.
    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: String| ConfigError {
            path: path.to_path_buf(),
            line: self.index.line(key),
            key: Some(key.to_owned()),
            message,
        };
        if self.refresh_seconds == Some(0) {
            return Err(invalid("refresh_seconds", "must be at least 1".into()));
        }
        if self.log_files_kept == Some(0) {
            return Err(invalid(
                "log_files_kept",
                "must be at least 1 (the file of today)".into(),
            ));
        }
        for (name, profile) in &self.profiles {
            if profile.refresh_seconds == Some(0) {
                return Err(invalid(
                    &format!("profiles.{name}.refresh_seconds"),
                    "must be at least 1".into(),
                ));
            }
        }
        let logs = &self.logs;
        if let Some(since) = &logs.since {
            crate::model::time::parse_duration(since).map_err(|m| invalid("logs.since", m))?;
        }
        if logs
            .buffer_lines
            .is_some_and(|n| !(1_000..=10_000_000).contains(&n))
        {
            return Err(invalid(
                "logs.buffer_lines",
                "must be between 1000 and 10000000".into(),
            ));
        }
        if logs
            .filter_calls_per_second
            .is_some_and(|r| !(r > 0.0 && r <= 25.0))
        {
            return Err(invalid(
                "logs.filter_calls_per_second",
                "must be above 0 and at most 25 (AWS allows 10 per second per account in most regions)".into(),
            ));
        }
        if logs
            .poll_seconds
            .is_some_and(|s| !(0.2..=300.0).contains(&s))
        {
            return Err(invalid(
                "logs.poll_seconds",
                "must be between 0.2 and 300".into(),
            ));
        }
        if logs.lag_seconds.is_some_and(|s| s > 3_600) {
            return Err(invalid("logs.lag_seconds", "must be at most 3600".into()));
        }
        let metrics = &self.metrics;
        if let Some(w) = &metrics.window
            && crate::model::metrics::Window::parse(w).is_none()
        {
            return Err(invalid(
                "metrics.window",
                format!("{w:?} is not a window: use 15m, 1h, 3h, 12h or 24h"),
            ));
        }
        if metrics
            .refresh_seconds
            .is_some_and(|s| !(30..=3_600).contains(&s))
        {
            return Err(invalid(
                "metrics.refresh_seconds",
                "must be between 30 and 3600 (metrics are per minute; every refresh is billed)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Reads `path` if given (it must exist), else the default location if a file is there.
    pub fn load(path: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let (path, required) = match path {
            Some(p) => (Some(p.to_path_buf()), true),
            None => (
                project_dirs().map(|d| d.config_dir().join("config.toml")),
                false,
            ),
        };
        let Some(path) = path else {
            return Ok((Config::default(), None));
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok((Config::parse(&text, &path)?, Some(path))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok((Config::default(), None))
            }
            Err(e) => Err(ConfigError {
                path,
                line: None,
                key: None,
                message: format!("cannot read: {e}"),
            }),
        }
    }

    pub fn read_only_for(&self, profile: &str) -> bool {
        self.profiles
            .get(profile)
            .and_then(|p| p.read_only)
            .or(self.read_only)
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_type_names_file_line_and_key() {
        let err = Config::parse(
            "theme = \"dark\"\nrefresh_seconds = \"often\"\n",
            Path::new("/x/config.toml"),
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.key.as_deref(), Some("refresh_seconds"));
        assert!(
            err.to_string()
                .starts_with("/x/config.toml, line 2, key `refresh_seconds`"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_an_error_not_ignored() {
        let err = Config::parse("refresh = 5\n", Path::new("c.toml")).unwrap_err();
        assert!(err.to_string().contains("refresh"), "{err}");
        assert_eq!(err.line, Some(1));
    }

    #[test]
    fn per_profile_read_only_overrides_the_default() {
        let c = Config::parse(
            "read_only = false\n[profiles.prod]\nread_only = true\n",
            Path::new("c"),
        )
        .unwrap();
        assert!(c.read_only_for("prod"));
        assert!(!c.read_only_for("dev"));
    }

    #[test]
    fn line_of_never_panics_on_an_offset_inside_a_character_or_past_the_end() {
        let text = "# é\nkey = 1\n";
        // Byte 3 is the second byte of `é`; slicing there used to panic.
        assert_eq!(line_of(text, 3), 1);
        assert_eq!(line_of(text, text.find("key").unwrap_or(0)), 2);
        assert_eq!(line_of(text, usize::MAX), 3);
    }

    #[test]
    fn a_bad_value_in_a_table_is_reported_at_its_own_line_not_at_a_same_named_key_above() {
        let text = "refresh_seconds = 5\n\n[metrics]\nrefresh_seconds = 10\n";
        let err = Config::parse(text, Path::new("c.toml")).unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert_eq!(err.key.as_deref(), Some("metrics.refresh_seconds"));
    }

    #[test]
    fn a_wrong_type_in_a_table_names_the_dotted_key() {
        let text = "since = 1\n[profiles.prod]\nread_only = true\n[logs]\nsince = 5\n";
        let err = Config::parse(text, Path::new("c.toml")).unwrap_err();
        assert_eq!(err.line, Some(5), "{err}");
        assert_eq!(err.key.as_deref(), Some("logs.since"), "{err}");
    }

    #[test]
    fn a_bad_profile_value_names_the_profile_key() {
        let text = "refresh_seconds = 5\n[profiles.prod]\nrefresh_seconds = 0\n";
        let err = Config::parse(text, Path::new("c.toml")).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert_eq!(err.key.as_deref(), Some("profiles.prod.refresh_seconds"));
    }

    #[test]
    fn the_keys_section_is_kept_as_written_for_the_keymap() {
        let text = "[keys.services]\nscale = \"S\"\n";
        let config = Config::parse(text, Path::new("c.toml")).unwrap();
        let keys = config.keys.unwrap();
        assert_eq!(
            keys.get_ref()
                .get("services")
                .and_then(|v| v.get("scale"))
                .and_then(|v| v.as_str()),
            Some("S")
        );
        assert_eq!(config.index.line("keys.services.scale"), Some(2));
    }

    #[test]
    fn a_syntax_error_still_names_its_key() {
        let text = "theme = \"dark\"\n[logs]\nsince = \"5m\n";
        let err = Config::parse(text, Path::new("c.toml")).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert_eq!(err.key.as_deref(), Some("logs.since"), "{err}");
    }

    #[test]
    fn zero_refresh_is_refused() {
        let err = Config::parse("refresh_seconds = 0\n", Path::new("c")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("refresh_seconds"));
    }
}
