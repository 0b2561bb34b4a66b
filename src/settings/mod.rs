//! Settings: the config file, and (next) everything resolved from it, the flags and the defaults.

pub mod file;

pub use file::{
    Config, ConfigError, LogsConfig, MetricsConfig, ProfileConfig, line_of, project_dirs,
};
