//! `ecsdeck config`: the resolved settings as TOML, each value followed by where it came from, so the first
//! question about a setting that does not take ("which file? which profile? a flag?") answers itself.

use super::{Origin, Setting, Settings};
use std::fmt::Write as _;

/// One `key = value  # origin` line, before alignment.
struct Line {
    assignment: String,
    origin: String,
}

fn line<T: Clone>(key: &str, setting: &Setting<T>) -> Line
where
    toml::Value: From<T>,
{
    Line {
        assignment: format!("{key} = {}", toml::Value::from(setting.value.clone())),
        origin: setting.origin.to_string(),
    }
}

fn path_line(key: &str, setting: &Setting<std::path::PathBuf>) -> Line {
    line(
        key,
        &Setting {
            value: setting.value.display().to_string(),
            origin: setting.origin.clone(),
        },
    )
}

/// Lines aligned on their `#`, so the origins read as a column.
fn section(out: &mut String, lines: &[Line]) {
    let width = lines
        .iter()
        .map(|l| l.assignment.chars().count())
        .max()
        .unwrap_or(0);
    for l in lines {
        let _ = writeln!(out, "{:width$}  # {}", l.assignment, l.origin);
    }
}

pub(super) fn render(settings: &Settings) -> String {
    let mut out = String::new();
    match &settings.config_path {
        Some(path) => {
            let _ = writeln!(out, "# config file: {}", path.display());
        }
        None => match settings.config_path_or_default() {
            Some(path) => {
                let _ = writeln!(
                    out,
                    "# config file: none ({} does not exist)",
                    path.display()
                );
            }
            None => {
                let _ = writeln!(out, "# config file: none");
            }
        },
    }
    let mut top = vec![line("profile", &settings.profile)];
    let mut unset = Vec::new();
    match &settings.region {
        Some(region) => top.push(line("region", region)),
        None => unset.push("# region: not set here; the AWS profile or AWS_REGION decides"),
    }
    match &settings.endpoint_url {
        Some(url) => top.push(line("endpoint_url", url)),
        None => unset.push("# endpoint_url: not set; AWS's own endpoints"),
    }
    top.push(line("read_only", &settings.read_only));
    top.push(line("theme", &settings.theme));
    top.push(line(
        "refresh_seconds",
        &unsigned(&settings.refresh_seconds),
    ));
    top.push(path_line("log_file", &settings.log_file));
    top.push(line(
        "log_files_kept",
        &Setting {
            value: i64::try_from(settings.log_files_kept.value).unwrap_or(i64::MAX),
            origin: settings.log_files_kept.origin.clone(),
        },
    ));
    match &settings.audit_log {
        Some(audit) => top.push(path_line("audit_log", audit)),
        None => unset.push("# audit_log: none (no data directory on this system)"),
    }
    section(&mut out, &top);
    for note in unset {
        let _ = writeln!(out, "{note}");
    }

    let logs = &settings.logs;
    let _ = writeln!(out, "\n[logs]");
    section(
        &mut out,
        &[
            line("since", &logs.since),
            line(
                "buffer_lines",
                &Setting {
                    value: i64::try_from(logs.buffer_lines.value).unwrap_or(i64::MAX),
                    origin: logs.buffer_lines.origin.clone(),
                },
            ),
            line("live_tail", &logs.live_tail),
            line("filter_calls_per_second", &logs.filter_calls_per_second),
            line("poll_seconds", &logs.poll_seconds),
            line("lag_seconds", &unsigned(&logs.lag_seconds)),
        ],
    );

    let metrics = &settings.metrics;
    let _ = writeln!(out, "\n[metrics]");
    section(
        &mut out,
        &[
            line(
                "window",
                &Setting {
                    value: metrics.window.value.label().to_owned(),
                    origin: metrics.window.origin.clone(),
                },
            ),
            line("refresh_seconds", &unsigned(&metrics.refresh_seconds)),
            line("list_columns", &metrics.list_columns),
        ],
    );
    if let (Some(keys), Some(path)) = (&settings.keys, &settings.config_path) {
        // Every remap as written, each with its line: the keys in force are the defaults (KEYS.md) with these
        // over them.
        let origin = |dotted: &str| Origin::File {
            path: path.clone(),
            line: settings.config_index.line(dotted).unwrap_or(0),
        };
        let mut global = Vec::new();
        let mut screens = Vec::new();
        for (name, value) in keys.get_ref() {
            match value {
                toml::Value::Table(table) => screens.push((name, table)),
                value => global.push((name, value)),
            }
        }
        if !global.is_empty() {
            let _ = writeln!(out, "\n[keys]  # {}", origin("keys"));
            for (action, value) in global {
                let _ = writeln!(
                    out,
                    "{action} = {value}  # {}",
                    origin(&format!("keys.{action}"))
                );
            }
        }
        for (screen, table) in screens {
            let _ = writeln!(
                out,
                "\n[keys.{screen}]  # {}",
                origin(&format!("keys.{screen}"))
            );
            for (action, value) in table {
                let _ = writeln!(
                    out,
                    "{action} = {value}  # {}",
                    origin(&format!("keys.{screen}.{action}"))
                );
            }
        }
    }
    out
}

/// TOML integers are signed; no setting comes near the limit.
fn unsigned(setting: &Setting<u64>) -> Setting<i64> {
    Setting {
        value: i64::try_from(setting.value).unwrap_or(i64::MAX),
        origin: setting.origin.clone(),
    }
}
