//! The log file: `tracing` through a non-blocking writer (a slow disk never holds the UI thread up) into one
//! file a day, `PATH.YYYY-MM-DD` (UTC, as tracing-appender names them), with `PATH` itself a link to the day
//! the session started, so `--log-file PATH` and "the log file PATH has the details" keep meaning one file.
//!
//! Old files are pruned here rather than with tracing-appender's `max_log_files`: that deletes every regular
//! file whose name starts with the prefix, and with `--log-file /tmp/log` the prefix is `log`. Pruning here
//! touches only names of the exact form `PREFIX.YYYY-MM-DD`.

use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};

/// Keeps the log writer alive: dropping it flushes the lines still queued. Hold it until the process ends,
/// on every path out (quit, signal, panic unwinding through `main`).
pub struct Logging {
    pub guard: WorkerGuard,
    /// The file messages point to: `PATH` when the link could be made, else today's dated file.
    pub shown: PathBuf,
}

/// Where the log goes for a `--log-file PATH`: its directory and its file name as the prefix.
fn split(path: &Path) -> (PathBuf, String) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let prefix = path.file_name().map_or_else(
        || "ecsdeck.log".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    (dir, prefix)
}

/// `YYYY-MM-DD` of today in UTC: the suffix tracing-appender gives today's file.
fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

/// The date of a file named `PREFIX.YYYY-MM-DD`, if that is its exact form.
fn dated<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let date = name.strip_prefix(prefix)?.strip_prefix('.')?;
    let shape = date.len() == 10
        && date.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shape.then_some(date)
}

/// Deletes the oldest dated files so that `kept` remain once today's exists.
pub fn prune(dir: &Path, prefix: &str, today: &str, kept: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut older: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let date = dated(&name, prefix)?.to_owned();
            (date.as_str() != today).then(|| (date, e.path()))
        })
        .collect();
    // Dates in this form sort as text; newest first.
    older.sort_by(|a, b| b.0.cmp(&a.0));
    for (_, path) in older.into_iter().skip(kept.saturating_sub(1)) {
        // Logging is not set up yet to say so; a file that stays is tried again at the next start.
        let _ = std::fs::remove_file(&path);
    }
}

/// Points `path` at today's file, unless something other than a link is there (an older version's log
/// file, or the user's): that is left alone.
fn link(path: &Path, todays_name: &str) -> bool {
    #[cfg(unix)]
    {
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if std::fs::remove_file(path).is_err() {
                    return false;
                }
            }
            Ok(_) => return false,
            Err(_) => {}
        }
        std::os::unix::fs::symlink(todays_name, path).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = (path, todays_name);
        false
    }
}

/// Sets up the global subscriber (level from `ECSDECK_LOG`, default info).
pub fn init(path: &Path, kept: usize) -> Result<Logging> {
    let (dir, prefix) = split(path);
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create log directory {}", dir.display()))?;
    let today = today();
    prune(&dir, &prefix, &today, kept);
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(&prefix)
        .build(&dir)
        .with_context(|| format!("cannot open log file {}", path.display()))?;
    let todays_name = format!("{prefix}.{today}");
    let shown = if link(path, &todays_name) {
        path.to_path_buf()
    } else {
        dir.join(&todays_name)
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECSDECK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .init();
    Ok(Logging { guard, shown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_dated_names_count() {
        assert_eq!(
            dated("ecsdeck.log.2026-12-02", "ecsdeck.log"),
            Some("2026-12-02")
        );
        assert_eq!(dated("ecsdeck.log", "ecsdeck.log"), None);
        assert_eq!(dated("ecsdeck.log.old", "ecsdeck.log"), None);
        assert_eq!(dated("logfile.2026-12-02", "log"), None);
        assert_eq!(dated("ecsdeck.log.2026-12-2x", "ecsdeck.log"), None);
    }

    #[test]
    fn pruning_keeps_the_newest_and_touches_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "log.2026-11-28",
            "log.2026-11-29",
            "log.2026-11-30",
            "log.2026-12-01",
            "log.2026-12-02",
            "logbook.txt",
            "log",
            "log.2026-11-01.gz",
        ];
        for name in names {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        prune(dir.path(), "log", "2026-12-02", 3);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "log",
                "log.2026-11-01.gz",
                "log.2026-11-30",
                "log.2026-12-01",
                "log.2026-12-02",
                "logbook.txt"
            ]
        );
    }

    #[test]
    fn a_bare_file_name_logs_in_the_current_directory() {
        assert_eq!(
            split(Path::new("ecsdeck.log")),
            (PathBuf::from("."), "ecsdeck.log".to_owned())
        );
        assert_eq!(
            split(Path::new("/var/log/x/app.log")),
            (PathBuf::from("/var/log/x"), "app.log".to_owned())
        );
    }
}
