//! How each resource appears as a table row: columns, cell text, sort keys and semantic tones.
//! Shared by the reducer (filtering, sorting) and the views (drawing), so both agree on what a column shows.

use crate::aws::{Cluster, LogGroup, Millis, Service, Task, family_rev};
use crate::model::Tone;
use crate::model::time::age;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width in cells; the widest columns may grow.
    pub width: u16,
    pub numeric: bool,
    /// How much the column matters when the terminal is too narrow for all: the lowest goes first, and
    /// [`ESSENTIAL`] never goes (a name or a `family:rev` cut short is worse than a column missing).
    pub keep: u8,
}

/// A column that is never dropped for width.
pub const ESSENTIAL: u8 = u8::MAX;

const fn col(title: &'static str, width: u16, keep: u8) -> Column {
    Column {
        title,
        width,
        numeric: false,
        keep,
    }
}
const fn num(title: &'static str, width: u16, keep: u8) -> Column {
    Column {
        title,
        width,
        numeric: true,
        keep,
    }
}

/// Numbers sort before text (a column holds one or the other); derived order follows the variants.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey<'a> {
    Number(i64),
    Text(&'a str),
}

pub trait Row: Clone {
    const COLUMNS: &'static [Column];
    /// The column a new table is sorted by.
    const DEFAULT_SORT: usize = 0;
    /// Identity across refreshes (the ARN), used to keep the selection on the same resource.
    fn key(&self) -> &str;
    fn cell(&self, column: usize, now: Millis) -> Cow<'_, str>;
    fn sort_key(&self, column: usize) -> SortKey<'_>;
    fn tone(&self, _column: usize) -> Tone {
        Tone::Normal
    }
    /// A row that needs attention (failed rollout, stopped task): drawn in its tone across the name.
    fn row_tone(&self) -> Tone {
        Tone::Normal
    }
    /// What a plain `/text` filter looks at: the name (FARGATE must not match `/gate`).
    const NAME_COLUMNS: &'static [usize] = &[0];
}

/// A `/` filter: a case-insensitive substring of the name column(s), or of one named column with
/// `column:value` (e.g. `launch:EC2`, `rollout:failed`), as in e1s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFilter {
    pub columns: Vec<usize>,
    /// Lower-cased.
    pub needle: String,
}

/// The key a column is named by in a filter: its title in lower case without spaces (`TASK DEF` -> `taskdef`).
pub fn column_key(column: &Column) -> String {
    column
        .title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl RowFilter {
    /// Parses what was typed after `/`. A `name:` prefix must name a column of this table (a whole title or a
    /// prefix of exactly one); otherwise the error names the columns there are.
    pub fn parse<R: Row>(text: &str) -> Result<RowFilter, String> {
        let plain = || RowFilter {
            columns: R::NAME_COLUMNS.to_vec(),
            needle: text.to_lowercase(),
        };
        let Some((name, value)) = text.split_once(':') else {
            return Ok(plain());
        };
        let wanted: String = name
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if wanted.is_empty() {
            return Ok(plain());
        }
        let keys: Vec<String> = R::COLUMNS.iter().map(column_key).collect();
        let found = match keys.iter().position(|k| *k == wanted) {
            Some(exact) => vec![exact],
            None => keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.starts_with(&wanted))
                .map(|(i, _)| i)
                .collect(),
        };
        match found.as_slice() {
            [column] => Ok(RowFilter {
                columns: vec![*column],
                needle: value.trim_start().to_lowercase(),
            }),
            [] => Err(format!(
                "no column `{name}` here; filter by name, or by one of: {}",
                keys.join(", ")
            )),
            several => Err(format!(
                "`{name}` could be {}; type more of the column's name",
                several
                    .iter()
                    .filter_map(|&i| keys.get(i).map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
        }
    }

    pub fn matches<R: Row>(&self, row: &R, now: Millis) -> bool {
        self.needle.is_empty()
            || self
                .columns
                .iter()
                .any(|&c| row.cell(c, now).to_lowercase().contains(&self.needle))
    }
}

pub fn status_tone(status: &str) -> Tone {
    match status {
        "ACTIVE" | "RUNNING" | "HEALTHY" | "COMPLETED" | "PRIMARY" => Tone::Ok,
        "IN_PROGRESS" | "PENDING" | "PROVISIONING" | "ACTIVATING" | "DRAINING" | "DEACTIVATING"
        | "STOPPING" | "DEPROVISIONING" | "UNKNOWN" => Tone::Warn,
        "FAILED" | "UNHEALTHY" | "INACTIVE" => Tone::Error,
        "STOPPED" => Tone::Muted,
        _ => Tone::Normal,
    }
}

impl Row for Cluster {
    const COLUMNS: &'static [Column] = &[
        col("NAME", 20, ESSENTIAL),
        col("STATUS", 6, 6),
        num("RUNNING", 7, 8),
        num("PENDING", 7, 7),
        num("SERVICES", 8, 5),
        num("INSTANCES", 9, 4),
        col("CAPACITY PROVIDERS", 18, 3),
    ];
    fn key(&self) -> &str {
        &self.cluster_arn
    }
    fn cell(&self, column: usize, _now: Millis) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(&self.cluster_name),
            1 => Cow::Borrowed(&self.status),
            2 => self.running_tasks_count.to_string().into(),
            3 => self.pending_tasks_count.to_string().into(),
            4 => self.active_services_count.to_string().into(),
            5 => self.registered_container_instances_count.to_string().into(),
            _ => self.capacity_providers.join(", ").into(),
        }
    }
    fn sort_key(&self, column: usize) -> SortKey<'_> {
        match column {
            0 => SortKey::Text(&self.cluster_name),
            1 => SortKey::Text(&self.status),
            2 => SortKey::Number(self.running_tasks_count.into()),
            3 => SortKey::Number(self.pending_tasks_count.into()),
            4 => SortKey::Number(self.active_services_count.into()),
            5 => SortKey::Number(self.registered_container_instances_count.into()),
            _ => SortKey::Text(self.capacity_providers.first().map_or("", String::as_str)),
        }
    }
    fn tone(&self, column: usize) -> Tone {
        match column {
            1 => status_tone(&self.status),
            3 if self.pending_tasks_count > 0 => Tone::Warn,
            _ => Tone::Normal,
        }
    }
}

/// Rollout state of the primary deployment, or "-" for controllers that have none.
pub fn rollout(service: &Service) -> &str {
    service
        .primary_deployment()
        .and_then(|d| d.rollout_state.as_deref())
        .unwrap_or("-")
}

impl Row for Service {
    const COLUMNS: &'static [Column] = &[
        col("NAME", 18, ESSENTIAL),
        col("STATUS", 6, 5),
        num("DES", 3, 8),
        num("RUN", 3, 8),
        num("PEND", 4, 6),
        col("TASK DEF", 12, ESSENTIAL),
        col("LAUNCH", 7, 2),
        col("CONTROLLER", 10, 3),
        col("ROLLOUT", 9, 9),
        num("DEPL", 4, 4),
        num("AGE", 4, 1),
    ];
    fn key(&self) -> &str {
        &self.service_arn
    }
    fn cell(&self, column: usize, now: Millis) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(&self.service_name),
            1 => Cow::Borrowed(&self.status),
            2 => self.desired_count.to_string().into(),
            3 => self.running_count.to_string().into(),
            4 => self.pending_count.to_string().into(),
            5 => Cow::Borrowed(family_rev(&self.task_definition)),
            6 => self.launch_label().into(),
            7 => Cow::Borrowed(self.deployment_controller.as_str()),
            8 => Cow::Borrowed(rollout(self)),
            9 => self.deployments.len().to_string().into(),
            _ => age(now, self.created_at).into(),
        }
    }
    fn sort_key(&self, column: usize) -> SortKey<'_> {
        match column {
            0 => SortKey::Text(&self.service_name),
            1 => SortKey::Text(&self.status),
            2 => SortKey::Number(self.desired_count.into()),
            3 => SortKey::Number(self.running_count.into()),
            4 => SortKey::Number(self.pending_count.into()),
            5 => SortKey::Text(family_rev(&self.task_definition)),
            6 => SortKey::Text(self.launch_type.as_deref().unwrap_or("")),
            7 => SortKey::Text(self.deployment_controller.as_str()),
            8 => SortKey::Text(rollout(self)),
            9 => SortKey::Number(self.deployments.len() as i64),
            // Newest first reads naturally as "ascending age".
            _ => SortKey::Number(-self.created_at.unwrap_or(0)),
        }
    }
    fn tone(&self, column: usize) -> Tone {
        match column {
            1 => status_tone(&self.status),
            3 if self.running_count < self.desired_count => Tone::Warn,
            4 if self.pending_count > 0 => Tone::Warn,
            8 => status_tone(rollout(self)),
            9 if self.deployments.len() > 1 => Tone::Warn,
            _ => Tone::Normal,
        }
    }
    fn row_tone(&self) -> Tone {
        match rollout(self) {
            "FAILED" => Tone::Error,
            "IN_PROGRESS" => Tone::Warn,
            _ => Tone::Normal,
        }
    }
}

/// Stopped reason with the exit code, e.g. "exit 137: Essential container in task exited".
pub fn stop_summary(task: &Task) -> String {
    match (&task.stopped_reason, task.exit_code()) {
        (Some(r), Some(code)) => format!("exit {code}: {r}"),
        (Some(r), None) => r.clone(),
        (None, Some(code)) if task.last_status == "STOPPED" => format!("exit {code}"),
        _ => String::new(),
    }
}

impl Row for Task {
    // By last status: in-flight tasks first, then running, stopped ones last.
    const DEFAULT_SORT: usize = 2;
    // A task has no name: its id and its service's name are what people type.
    const NAME_COLUMNS: &'static [usize] = &[0, 1];
    const COLUMNS: &'static [Column] = &[
        col("ID", 8, ESSENTIAL),
        col("SERVICE", 10, 4),
        col("LAST", 7, 9),
        col("DESIRED", 7, 5),
        col("HEALTH", 7, 8),
        col("TASK DEF", 12, ESSENTIAL),
        num("STARTED", 7, 6),
        col("AZ", 10, 2),
        col("IP", 11, 3),
        col("STOPPED REASON", 20, 7),
    ];
    fn key(&self) -> &str {
        &self.task_arn
    }
    fn cell(&self, column: usize, now: Millis) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(self.short_id()),
            1 => Cow::Borrowed(self.service_name().unwrap_or("-")),
            2 => Cow::Borrowed(&self.last_status),
            3 => Cow::Borrowed(&self.desired_status),
            4 => Cow::Borrowed(self.health_status.as_deref().unwrap_or("-")),
            5 => Cow::Borrowed(family_rev(&self.task_definition_arn)),
            6 => age(now, self.started_at.or(self.created_at)).into(),
            7 => Cow::Borrowed(self.availability_zone.as_deref().unwrap_or("-")),
            8 => Cow::Borrowed(self.private_ip.as_deref().unwrap_or("-")),
            _ => stop_summary(self).into(),
        }
    }
    fn sort_key(&self, column: usize) -> SortKey<'_> {
        match column {
            0 => SortKey::Text(self.id()),
            1 => SortKey::Text(self.service_name().unwrap_or("")),
            2 => SortKey::Text(&self.last_status),
            3 => SortKey::Text(&self.desired_status),
            4 => SortKey::Text(self.health_status.as_deref().unwrap_or("")),
            5 => SortKey::Text(family_rev(&self.task_definition_arn)),
            6 => SortKey::Number(-self.started_at.or(self.created_at).unwrap_or(0)),
            7 => SortKey::Text(self.availability_zone.as_deref().unwrap_or("")),
            8 => SortKey::Text(self.private_ip.as_deref().unwrap_or("")),
            _ => SortKey::Text(self.stopped_reason.as_deref().unwrap_or("")),
        }
    }
    fn tone(&self, column: usize) -> Tone {
        match column {
            2 => status_tone(&self.last_status),
            3 => status_tone(&self.desired_status),
            4 => status_tone(self.health_status.as_deref().unwrap_or("")),
            9 if self.exit_code().is_some_and(|c| c != 0) => Tone::Error,
            _ => Tone::Normal,
        }
    }
    fn row_tone(&self) -> Tone {
        if self.last_status == "STOPPED" {
            Tone::Muted
        } else {
            Tone::Normal
        }
    }
}

/// `1.2 GB`, `340 MB`, `12 kB`
pub fn human_bytes(n: i64) -> String {
    const LARGER_UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut unit = "B";
    for larger in LARGER_UNITS {
        if v < 1000.0 {
            break;
        }
        v /= 1000.0;
        unit = larger;
    }
    if unit == "B" || v >= 100.0 {
        format!("{v:.0} {unit}")
    } else {
        format!("{v:.1} {unit}")
    }
}

impl Row for LogGroup {
    const COLUMNS: &'static [Column] = &[
        col("NAME", 40, ESSENTIAL),
        num("RETENTION", 9, 4),
        num("STORED", 8, 5),
        num("AGE", 5, 3),
    ];
    fn key(&self) -> &str {
        &self.log_group_name
    }
    fn cell(&self, column: usize, now: Millis) -> Cow<'_, str> {
        match column {
            0 => Cow::Borrowed(&self.log_group_name),
            1 => match self.retention_in_days {
                Some(d) => format!("{d}d").into(),
                None => "never".into(),
            },
            2 => self
                .stored_bytes
                .map_or("-".into(), |b| human_bytes(b).into()),
            _ => age(now, self.creation_time).into(),
        }
    }
    fn sort_key(&self, column: usize) -> SortKey<'_> {
        match column {
            0 => SortKey::Text(&self.log_group_name),
            1 => SortKey::Number(self.retention_in_days.map_or(i64::MAX, i64::from)),
            2 => SortKey::Number(self.stored_bytes.unwrap_or(0)),
            _ => SortKey::Number(-self.creation_time.unwrap_or(0)),
        }
    }
    fn tone(&self, column: usize) -> Tone {
        match column {
            1 if self.retention_in_days.is_none() => Tone::Warn,
            _ => Tone::Normal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_uses_the_largest_sensible_unit() {
        let now = 1_000_000_000;
        assert_eq!(age(now, Some(now - 45_000)), "45s");
        assert_eq!(age(now, Some(now - 30 * 60_000)), "30m");
        assert_eq!(age(now, Some(now - 5 * 3_600_000)), "5h");
        assert_eq!(age(now, Some(now - 3 * 86_400_000)), "3d");
        assert_eq!(age(now, None), "-");
    }

    #[test]
    fn human_bytes_picks_the_unit_and_stops_at_petabytes() {
        assert_eq!(human_bytes(-5), "-5 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_000), "1.0 kB");
        assert_eq!(human_bytes(12_345), "12.3 kB");
        assert_eq!(human_bytes(340_000_000), "340 MB");
        assert_eq!(human_bytes(1_200_000_000), "1.2 GB");
        assert_eq!(human_bytes(i64::MAX), "9223 PB");
    }
}
