//! Settings: the flags, the environment, the config file, its `[profiles.NAME]` overrides and the defaults,
//! resolved once into one `Settings` value that remembers where each value came from. Nothing else in the
//! program holds a default for these; `ecsdeck config` prints them with their origins.

pub mod file;
mod show;

pub use file::{
    Config, ConfigError, KeyIndex, LogsConfig, MetricsConfig, ProfileConfig, line_of, project_dirs,
};

use crate::cli::Cli;
use crate::model::metrics::Window;
use std::fmt;
use std::path::PathBuf;

/// The defaults, in one place.
pub mod defaults {
    pub const PROFILE: &str = "default";
    pub const THEME: &str = "dark";
    pub const READ_ONLY: bool = false;
    pub const REFRESH_SECONDS: u64 = 5;
    pub const LOG_FILE_NAME: &str = "ecsdeck.log";
    pub const LOG_FILES_KEPT: usize = 7;
    pub const AUDIT_LOG_NAME: &str = "audit.jsonl";
    pub const LOG_SINCE: &str = "5m";
    pub const LOG_BUFFER_LINES: usize = 100_000;
    pub const LIVE_TAIL: bool = true;
    pub const FILTER_CALLS_PER_SECOND: f64 = 3.0;
    pub const POLL_SECONDS: f64 = 1.0;
    pub const LAG_SECONDS: u64 = 30;
    pub const METRICS_WINDOW: &str = "1h";
    pub const METRICS_REFRESH_SECONDS: u64 = 60;
    pub const METRICS_LIST_COLUMNS: bool = false;
}

/// Where a value came from: what `ecsdeck config` says next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    /// The config file, at this line.
    File {
        path: PathBuf,
        line: usize,
    },
    /// A `[profiles.NAME]` table of the config file, at this line.
    Profile {
        name: String,
        path: PathBuf,
        line: usize,
    },
    /// A command-line flag, e.g. `--refresh`.
    Flag(&'static str),
    /// An environment variable, e.g. `AWS_PROFILE`.
    Env(&'static str),
    /// Chosen in the running app (a profile switch).
    Switched,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => write!(f, "default"),
            Origin::File { path, line } => write!(f, "file {}:{line}", path.display()),
            Origin::Profile { name, path, line } => {
                write!(f, "profile {name} ({}:{line})", path.display())
            }
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Env(var) => write!(f, "env {var}"),
            Origin::Switched => write!(f, "switched in the app"),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn default(value: T) -> Setting<T> {
        Setting {
            value,
            origin: Origin::Default,
        }
    }
}

/// Everything the settings are resolved from, kept so they can be resolved again for another profile.
#[derive(Debug, Clone)]
pub struct Sources {
    pub cli: Cli,
    pub config: Config,
    /// The config file read, if any.
    pub config_path: Option<PathBuf>,
    /// `AWS_PROFILE`, read once at start.
    pub aws_profile_env: Option<String>,
    /// The data directory (log and audit files), if the platform has one.
    pub data_dir: Option<PathBuf>,
}

impl Sources {
    /// Reads the config file (`--config`, else the default location if a file is there) and the environment.
    pub fn load(cli: &Cli) -> Result<Sources, ConfigError> {
        let (config, config_path) = Config::load(cli.config.as_deref())?;
        Ok(Sources {
            cli: cli.clone(),
            config,
            config_path,
            aws_profile_env: std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()),
            data_dir: project_dirs().map(|d| d.data_local_dir().to_path_buf()),
        })
    }

    /// The origin of a value set in the file at `key` (dotted), e.g. `logs.since`.
    fn file(&self, key: &str) -> Origin {
        match &self.config_path {
            Some(path) => Origin::File {
                path: path.clone(),
                line: self.config.index.line(key).unwrap_or(0),
            },
            None => Origin::Default,
        }
    }

    fn profile(&self, name: &str, key: &str) -> Origin {
        Origin::Profile {
            name: name.to_owned(),
            path: self.config_path.clone().unwrap_or_default(),
            line: self
                .config
                .index
                .line(&format!("profiles.{name}.{key}"))
                .unwrap_or(0),
        }
    }

    /// A flag's origin: the flag itself, or the variable clap read it from.
    fn flag(&self, id: &str, flag: &'static str, env: &'static str) -> Origin {
        if self.cli.from_env.iter().any(|e| e == id) {
            Origin::Env(env)
        } else {
            Origin::Flag(flag)
        }
    }
}

/// `[logs]`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct LogSettings {
    pub since: Setting<String>,
    pub buffer_lines: Setting<usize>,
    pub live_tail: Setting<bool>,
    pub filter_calls_per_second: Setting<f64>,
    pub poll_seconds: Setting<f64>,
    pub lag_seconds: Setting<u64>,
}

/// `[metrics]`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSettings {
    pub window: Setting<Window>,
    pub refresh_seconds: Setting<u64>,
    pub list_columns: Setting<bool>,
}

/// The whole configuration of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The AWS profile; `demo` on the simulated fleet.
    pub profile: Setting<String>,
    /// Only from `--region`; otherwise the AWS profile or `AWS_REGION` decide, when the SDK loads.
    pub region: Option<Setting<String>>,
    /// Only from `--endpoint-url` or `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<Setting<String>>,
    pub read_only: Setting<bool>,
    pub theme: Setting<String>,
    pub refresh_seconds: Setting<u64>,
    /// The log's directory and file name prefix: one file a day, `PATH.YYYY-MM-DD`.
    pub log_file: Setting<PathBuf>,
    pub log_files_kept: Setting<usize>,
    pub audit_log: Option<Setting<PathBuf>>,
    pub logs: LogSettings,
    pub metrics: MetricSettings,
    /// `[keys]` as written, for the keymap to interpret and check.
    pub keys: Option<toml::Spanned<toml::Table>>,
    /// The keys in force: the defaults with `[keys]` over them, checked when the file was read.
    pub keymap: crate::keymap::Keymap,
    /// The line of every key of the config file (`keys.services.scale` -> 12), for errors found later.
    pub config_index: KeyIndex,
    /// The config file read, if any.
    pub config_path: Option<PathBuf>,
}

/// The first of the values present, else the default.
fn first<T>(candidates: impl IntoIterator<Item = Option<(T, Origin)>>, default: T) -> Setting<T> {
    candidates.into_iter().flatten().next().map_or_else(
        || Setting::default(default),
        |(value, origin)| Setting { value, origin },
    )
}

impl Settings {
    /// Resolves the settings for the profile the flags and environment name.
    pub fn resolve(sources: &Sources) -> Settings {
        Settings::resolve_for(sources, None)
    }

    /// Resolves the settings again with another AWS profile (a profile switch): its `[profiles.NAME]`
    /// overrides apply; flags still win.
    pub fn for_profile(sources: &Sources, profile: &str) -> Settings {
        Settings::resolve_for(sources, Some(profile))
    }

    fn resolve_for(sources: &Sources, switched_to: Option<&str>) -> Settings {
        let cli = &sources.cli;
        let config = &sources.config;
        let profile = match switched_to {
            Some(name) => Setting {
                value: name.to_owned(),
                origin: Origin::Switched,
            },
            None if cli.demo => Setting {
                value: "demo".into(),
                origin: Origin::Flag("--demo"),
            },
            None => first(
                [
                    cli.profile.clone().map(|p| (p, Origin::Flag("--profile"))),
                    sources
                        .aws_profile_env
                        .clone()
                        .map(|p| (p, Origin::Env("AWS_PROFILE"))),
                ],
                defaults::PROFILE.to_owned(),
            ),
        };
        let name = profile.value.clone();
        let overrides = config.profiles.get(&name);
        let from_file = |key: &str| sources.file(key);
        let from_profile = |key: &str| sources.profile(&name, key);

        let read_only = first(
            [
                cli.read_only.then_some((true, Origin::Flag("--read-only"))),
                overrides
                    .and_then(|p| p.read_only)
                    .map(|v| (v, from_profile("read_only"))),
                config.read_only.map(|v| (v, from_file("read_only"))),
            ],
            defaults::READ_ONLY,
        );
        let theme = first(
            [
                cli.theme.clone().map(|v| (v, Origin::Flag("--theme"))),
                overrides
                    .and_then(|p| p.theme.clone())
                    .map(|v| (v, from_profile("theme"))),
                config.theme.clone().map(|v| (v, from_file("theme"))),
            ],
            defaults::THEME.to_owned(),
        );
        let refresh_seconds = first(
            [
                cli.refresh.map(|v| (v, Origin::Flag("--refresh"))),
                overrides
                    .and_then(|p| p.refresh_seconds)
                    .map(|v| (v, from_profile("refresh_seconds"))),
                config
                    .refresh_seconds
                    .map(|v| (v, from_file("refresh_seconds"))),
            ],
            defaults::REFRESH_SECONDS,
        );
        let in_data_dir = |name: &str| match &sources.data_dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        };
        let log_file = first(
            [
                cli.log_file
                    .clone()
                    .map(|v| (v, Origin::Flag("--log-file"))),
                config.log_file.clone().map(|v| (v, from_file("log_file"))),
            ],
            in_data_dir(defaults::LOG_FILE_NAME),
        );
        let log_files_kept = first(
            [config
                .log_files_kept
                .map(|v| (v, from_file("log_files_kept")))],
            defaults::LOG_FILES_KEPT,
        );
        let audit_log = match &cli.audit_log {
            Some(path) => Some(Setting {
                value: path.clone(),
                origin: sources.flag("audit_log", "--audit-log", "ECSDECK_AUDIT_LOG"),
            }),
            None => sources
                .data_dir
                .as_ref()
                .map(|dir| Setting::default(dir.join(defaults::AUDIT_LOG_NAME))),
        };
        let logs = &config.logs;
        let logs = LogSettings {
            since: first(
                [
                    cli.since.clone().map(|v| (v, Origin::Flag("--since"))),
                    logs.since.clone().map(|v| (v, from_file("logs.since"))),
                ],
                defaults::LOG_SINCE.to_owned(),
            ),
            buffer_lines: first(
                [logs
                    .buffer_lines
                    .map(|v| (v, from_file("logs.buffer_lines")))],
                defaults::LOG_BUFFER_LINES,
            ),
            live_tail: first(
                [logs.live_tail.map(|v| (v, from_file("logs.live_tail")))],
                defaults::LIVE_TAIL,
            ),
            filter_calls_per_second: first(
                [logs
                    .filter_calls_per_second
                    .map(|v| (v, from_file("logs.filter_calls_per_second")))],
                defaults::FILTER_CALLS_PER_SECOND,
            ),
            poll_seconds: first(
                [logs
                    .poll_seconds
                    .map(|v| (v, from_file("logs.poll_seconds")))],
                defaults::POLL_SECONDS,
            ),
            lag_seconds: first(
                [logs.lag_seconds.map(|v| (v, from_file("logs.lag_seconds")))],
                defaults::LAG_SECONDS,
            ),
        };
        let metrics = &config.metrics;
        let metrics = MetricSettings {
            // The file's window was checked when it was read; a default that does not parse is a bug the
            // tests catch (defaults_are_valid).
            window: first(
                [metrics
                    .window
                    .as_deref()
                    .and_then(Window::parse)
                    .map(|v| (v, from_file("metrics.window")))],
                Window::parse(defaults::METRICS_WINDOW).unwrap_or_default(),
            ),
            refresh_seconds: first(
                [metrics
                    .refresh_seconds
                    .map(|v| (v, from_file("metrics.refresh_seconds")))],
                defaults::METRICS_REFRESH_SECONDS,
            ),
            list_columns: first(
                [metrics
                    .list_columns
                    .map(|v| (v, from_file("metrics.list_columns")))],
                defaults::METRICS_LIST_COLUMNS,
            ),
        };
        Settings {
            profile,
            region: cli.region.clone().map(|value| Setting {
                value,
                origin: Origin::Flag("--region"),
            }),
            endpoint_url: cli.endpoint_url.clone().map(|value| Setting {
                value,
                origin: sources.flag("endpoint_url", "--endpoint-url", "AWS_ENDPOINT_URL"),
            }),
            read_only,
            theme,
            refresh_seconds,
            log_file,
            log_files_kept,
            audit_log,
            logs,
            metrics,
            keys: config.keys.clone(),
            keymap: config.keymap.clone(),
            config_index: config.index.clone(),
            config_path: sources.config_path.clone(),
        }
    }

    /// What `ecsdeck config` prints: every setting as TOML, with where it came from.
    pub fn show(&self) -> String {
        show::render(self)
    }

    /// The config file's path for messages: the file read, or where one would be read from.
    pub fn config_path_or_default(&self) -> Option<PathBuf> {
        self.config_path
            .clone()
            .or_else(|| project_dirs().map(|d| d.config_dir().join("config.toml")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn sources(args: &[&str], file: &str, aws_profile: Option<&str>) -> Sources {
        let mut argv = vec!["ecsdeck"];
        argv.extend_from_slice(args);
        let path = PathBuf::from("/conf/config.toml");
        Sources {
            cli: Cli::parse_from(argv),
            config: Config::parse(file, &path).unwrap(),
            config_path: Some(path),
            aws_profile_env: aws_profile.map(str::to_owned),
            data_dir: Some(PathBuf::from("/data")),
        }
    }

    #[test]
    fn defaults_are_valid() {
        assert!(Window::parse(defaults::METRICS_WINDOW).is_some());
        assert!(crate::model::time::parse_duration(defaults::LOG_SINCE).is_ok());
    }

    /// The app runs on these settings only; the `Default`s of the reducer's Context and of the workers'
    /// configs remain for tests that build them by hand, and must not drift from what users get.
    #[test]
    fn the_hand_built_fallbacks_agree_with_the_defaults() {
        let context = crate::app::Context::default();
        assert_eq!(context.log_since, defaults::LOG_SINCE);
        assert_eq!(context.log_capacity, defaults::LOG_BUFFER_LINES);
        assert_eq!(
            context.metrics_refresh_secs,
            defaults::METRICS_REFRESH_SECONDS
        );
        assert_eq!(context.metrics_columns, defaults::METRICS_LIST_COLUMNS);
        assert_eq!(context.metrics_window.label(), defaults::METRICS_WINDOW);
        let workers = crate::runtime::Workers::default();
        assert_eq!(workers.filter_rate, defaults::FILTER_CALLS_PER_SECOND);
        assert_eq!(
            workers.poll.refresh,
            std::time::Duration::from_secs(defaults::REFRESH_SECONDS)
        );
        assert_eq!(workers.tail.live_tail, defaults::LIVE_TAIL);
        assert_eq!(
            workers.tail.poll_interval,
            std::time::Duration::from_secs_f64(defaults::POLL_SECONDS)
        );
        assert_eq!(
            workers.tail.lag,
            std::time::Duration::from_secs(defaults::LAG_SECONDS)
        );
        assert_eq!(
            workers.metrics.refresh,
            std::time::Duration::from_secs(defaults::METRICS_REFRESH_SECONDS)
        );
    }

    #[test]
    fn nothing_set_is_all_defaults() {
        let s = Settings::resolve(&sources(&[], "", None));
        assert_eq!(s.profile.value, "default");
        assert_eq!(s.refresh_seconds.value, 5);
        assert_eq!(s.refresh_seconds.origin, Origin::Default);
        assert_eq!(s.log_file.value, PathBuf::from("/data/ecsdeck.log"));
        assert_eq!(
            s.audit_log.map(|a| a.value),
            Some(PathBuf::from("/data/audit.jsonl"))
        );
        assert_eq!(s.metrics.window.value, Window::H1);
    }

    #[test]
    fn a_flag_beats_the_profile_which_beats_the_file() {
        let file =
            "refresh_seconds = 9\ntheme = \"light\"\n[profiles.prod]\nrefresh_seconds = 20\n";
        let s = Settings::resolve(&sources(&["--profile", "prod"], file, None));
        assert_eq!(s.refresh_seconds.value, 20);
        assert_eq!(
            s.refresh_seconds.origin,
            Origin::Profile {
                name: "prod".into(),
                path: "/conf/config.toml".into(),
                line: 4
            }
        );
        assert_eq!(s.theme.value, "light");
        assert_eq!(
            s.theme.origin,
            Origin::File {
                path: "/conf/config.toml".into(),
                line: 2
            }
        );
        let s = Settings::resolve(&sources(
            &["--profile", "prod", "--refresh", "3"],
            file,
            None,
        ));
        assert_eq!(s.refresh_seconds.value, 3);
        assert_eq!(s.refresh_seconds.origin, Origin::Flag("--refresh"));
        let s = Settings::resolve(&sources(&[], file, None));
        assert_eq!(s.refresh_seconds.value, 9);
    }

    #[test]
    fn the_profile_comes_from_aws_profile_when_no_flag_names_one() {
        let file = "[profiles.prod]\nread_only = true\n";
        let s = Settings::resolve(&sources(&[], file, Some("prod")));
        assert_eq!(s.profile.origin, Origin::Env("AWS_PROFILE"));
        assert!(s.read_only.value);
        let s = Settings::resolve(&sources(&["--profile", "dev"], file, Some("prod")));
        assert_eq!(s.profile.value, "dev");
        assert!(!s.read_only.value);
    }

    #[test]
    fn a_profile_switch_applies_the_new_profile_overrides() {
        let file = "[profiles.prod]\nread_only = true\n";
        let sources = sources(&["--profile", "dev"], file, None);
        assert!(!Settings::resolve(&sources).read_only.value);
        let switched = Settings::for_profile(&sources, "prod");
        assert_eq!(switched.profile.value, "prod");
        assert_eq!(switched.profile.origin, Origin::Switched);
        assert!(switched.read_only.value);
    }

    #[test]
    fn show_lists_every_key_remap_with_its_line() {
        let file = "theme = \"light\"\n[keys]\nbottom = [\"E\", \"End\"]\n\n[keys.services]\nscale = \"x\"\n";
        let shown = Settings::resolve(&sources(&[], file, None)).show();
        for said in [
            "bottom = [\"E\", \"End\"]  # file /conf/config.toml:3",
            "[keys.services]  # file /conf/config.toml:5",
            "scale = \"x\"  # file /conf/config.toml:6",
        ] {
            assert!(shown.contains(said), "{said} not in:\n{shown}");
        }
        assert!(shown.contains("theme = \"light\"  "), "{shown}");
    }

    #[test]
    fn read_only_from_the_flag_cannot_be_undone_by_a_profile() {
        let file = "[profiles.dev]\nread_only = false\n";
        let s = Settings::resolve(&sources(&["--profile", "dev", "--read-only"], file, None));
        assert!(s.read_only.value);
        assert_eq!(s.read_only.origin, Origin::Flag("--read-only"));
    }
}
