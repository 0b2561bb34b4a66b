//! `config.toml` in the config directory (located with `directories`), or `--config PATH`.
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

/// The line of a dotted key (`keys.services.scale`), from the parser's spans.
fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut parts = dotted.split('.').peekable();
    while let Some(part) = parts.next() {
        let (key, value) = table.get_key_value(part)?;
        if parts.peek().is_none() {
            return Some(line_of(text, key.span().start));
        }
        table = value.get_ref().as_table()?;
    }
    None
}

impl ConfigError {
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
        let line = err.span().map(|s| line_of(text, s.start));
        // The key is what stands before `=` on the offending line, when there is one.
        let key = line
            .and_then(|l| text.lines().nth(l - 1))
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim().to_owned())
            .filter(|k| !k.is_empty());
        ConfigError {
            path: path.to_path_buf(),
            line,
            key,
            message: err.message().trim().to_owned(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Always read-only with this AWS profile ("this is production").
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    pub refresh_seconds: Option<u64>,
    pub read_only: Option<bool>,
    pub log_file: Option<PathBuf>,
    #[serde(default)]
    pub logs: LogsConfig,
    #[serde(default)]
    pub metrics: MetricsConfig,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// `[keys]`, kept as written for the keymap to interpret and report on.
    pub keys: Option<toml::Spanned<toml::Table>>,
    /// The keys in force, resolved from `keys` by `parse`.
    #[serde(skip)]
    pub keymap: crate::keymap::Keymap,
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
        if let Some(keys) = &config.keys {
            config.keymap =
                crate::keymap::Keymap::from_table(keys.get_ref()).map_err(|e| ConfigError {
                    path: path.to_path_buf(),
                    line: line_of_key(text, &e.key),
                    key: Some(e.key),
                    message: e.message,
                })?;
        }
        if config.refresh_seconds == Some(0) {
            let offset = text.find("refresh_seconds").unwrap_or(0);
            return Err(ConfigError {
                path: path.to_path_buf(),
                line: Some(line_of(text, offset)),
                key: Some("refresh_seconds".into()),
                message: "must be at least 1".into(),
            });
        }
        let invalid = |key: &str, message: String| ConfigError {
            path: path.to_path_buf(),
            line: text.find(key).map(|o| line_of(text, o)),
            key: Some(format!("logs.{key}")),
            message,
        };
        let logs = &config.logs;
        if let Some(since) = &logs.since {
            crate::model::time::parse_duration(since).map_err(|m| invalid("since", m))?;
        }
        if logs
            .buffer_lines
            .is_some_and(|n| !(1_000..=10_000_000).contains(&n))
        {
            return Err(invalid(
                "buffer_lines",
                "must be between 1000 and 10000000".into(),
            ));
        }
        if logs
            .filter_calls_per_second
            .is_some_and(|r| !(r > 0.0 && r <= 25.0))
        {
            return Err(invalid(
                "filter_calls_per_second",
                "must be above 0 and at most 25 (AWS allows 10 per second per account in most regions)".into(),
            ));
        }
        if logs
            .poll_seconds
            .is_some_and(|s| !(0.2..=300.0).contains(&s))
        {
            return Err(invalid(
                "poll_seconds",
                "must be between 0.2 and 300".into(),
            ));
        }
        if logs.lag_seconds.is_some_and(|s| s > 3_600) {
            return Err(invalid("lag_seconds", "must be at most 3600".into()));
        }
        let invalid = |key: &str, message: String| ConfigError {
            path: path.to_path_buf(),
            line: text.find(key).map(|o| line_of(text, o)),
            key: Some(format!("metrics.{key}")),
            message,
        };
        let metrics = &config.metrics;
        if let Some(w) = &metrics.window
            && crate::model::metrics::Window::parse(w).is_none()
        {
            return Err(invalid(
                "window",
                format!("{w:?} is not a window: use 15m, 1h, 3h, 12h or 24h"),
            ));
        }
        if metrics
            .refresh_seconds
            .is_some_and(|s| !(30..=3_600).contains(&s))
        {
            return Err(invalid(
                "refresh_seconds",
                "must be between 30 and 3600 (metrics are per minute; every refresh is billed)"
                    .into(),
            ));
        }
        Ok(config)
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
    fn zero_refresh_is_refused() {
        let err = Config::parse("refresh_seconds = 0\n", Path::new("c")).unwrap_err();
        assert_eq!(err.key.as_deref(), Some("refresh_seconds"));
    }
}
