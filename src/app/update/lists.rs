//! Table operations on whichever list is on screen: movement, filter, sort, and the raw JSON of a row.

use super::*;
use crate::protocol::Scope;

/// Runs `f` on the table of the view on screen, if it is a table.
pub(super) fn with_list(state: &mut State, f: impl FnOnce(&mut dyn ListOps, usize)) {
    let page = state.page_rows();
    match state.view_mut() {
        View::Clusters(l) => f(l, page),
        View::Services { list, .. } => f(list, page),
        View::Tasks { list, .. } => f(list, page),
        View::LogGroups { list, .. } => f(list, page),
        View::Task { .. }
        | View::Service { .. }
        | View::Logs(_)
        | View::Metrics(_)
        | View::Deploy(_) => {}
    }
}

/// The operations the reducer needs on any table, whatever its row type.
pub(super) trait ListOps {
    fn scroll_into_view(&mut self, height: usize);
    fn move_by(&mut self, delta: isize, height: usize);
    fn to_end(&mut self, bottom: bool, height: usize);
    fn set_filter(&mut self, filter: String, now: i64);
    fn sort_next(&mut self, now: i64);
    fn sort_reverse(&mut self, now: i64);
    fn selected_json(&self) -> Option<(String, String)>;
}

impl<R: Row + serde::Serialize> ListOps for ListView<R> {
    fn scroll_into_view(&mut self, height: usize) {
        ListView::scroll_into_view(self, height)
    }
    fn move_by(&mut self, delta: isize, height: usize) {
        self.move_selection(delta, height)
    }
    fn to_end(&mut self, bottom: bool, height: usize) {
        self.selected = if bottom {
            self.visible.len().saturating_sub(1)
        } else {
            0
        };
        ListView::scroll_into_view(self, height)
    }
    fn set_filter(&mut self, filter: String, now: i64) {
        self.filter = filter;
        self.selected = 0;
        self.offset = 0;
        self.recompute(now);
    }
    fn sort_next(&mut self, now: i64) {
        let pos = self
            .columns
            .iter()
            .position(|c| *c == self.sort.column)
            .unwrap_or(0);
        if let Some(next) = self.columns.get(pos + 1).or(self.columns.first()) {
            self.sort.column = *next;
        }
        self.sort.descending = false;
        self.recompute(now);
    }
    fn sort_reverse(&mut self, now: i64) {
        self.sort.descending = !self.sort.descending;
        self.recompute(now);
    }
    fn selected_json(&self) -> Option<(String, String)> {
        let row = self.selected_row()?;
        Some((arn_name(row.key()).to_owned(), pretty(row)))
    }
}

pub(super) fn open_selected(state: &mut State) -> Vec<Effect> {
    if matches!(state.view(), View::LogGroups { .. }) {
        return open_logs(state, None);
    }
    let scope = match state.view() {
        View::Clusters(l) => l.selected_row().map(|c| Scope::Services {
            cluster: c.cluster_name.clone(),
        }),
        View::Services { cluster, list, .. } => list.selected_row().map(|s| Scope::Tasks {
            cluster: cluster.clone(),
            service: Some(s.service_name.clone()),
        }),
        View::Tasks { cluster, list, .. } => list.selected_row().map(|t| Scope::Task {
            cluster: cluster.clone(),
            task_arn: t.task_arn.clone(),
        }),
        _ => None,
    };
    match scope {
        Some(scope) => push(state, scope),
        None => vec![],
    }
}

pub(super) fn describe_selected(state: &mut State) -> Vec<Effect> {
    let scope = match state.view() {
        View::Services { cluster, list, .. } => list.selected_row().map(|s| Scope::Service {
            cluster: cluster.clone(),
            service: s.service_name.clone(),
        }),
        View::Tasks { .. } => return open_selected(state),
        // The service on screen: its charts or its deploy screen lead to its details.
        View::Metrics(v) => Some(Scope::Service {
            cluster: v.cluster.clone(),
            service: crate::aws::arn_name(&v.service).to_owned(),
        }),
        View::Deploy(v) => Some(Scope::Service {
            cluster: v.cluster.clone(),
            service: v.service.clone(),
        }),
        _ => None,
    };
    match scope {
        Some(scope) => push(state, scope),
        None => vec![],
    }
}

pub(super) fn show_raw(state: &mut State) {
    let found: Option<(String, String)> = match state.view() {
        View::Clusters(l) => ListOps::selected_json(l),
        View::Services { list, .. } => ListOps::selected_json(list),
        View::Tasks { list, .. } => ListOps::selected_json(list),
        View::Task { detail, .. } => detail.data.as_ref().map(|d| {
            let both =
                serde_json::json!({ "task": d.task, "taskDefinition": d.definition.as_ref().ok() });
            (d.task.short_id().to_owned(), pretty(&both))
        }),
        View::Service { detail, .. } => detail
            .data
            .as_ref()
            .map(|s| (s.service_name.clone(), pretty(s))),
        View::LogGroups { list, .. } => ListOps::selected_json(list),
        View::Metrics(v) => {
            let health: serde_json::Map<String, serde_json::Value> = v
                .health
                .iter()
                .filter_map(|(arn, h)| {
                    Some((arn.clone(), serde_json::to_value(h.as_ref().ok()?).ok()?))
                })
                .collect();
            let json = serde_json::json!({
                "targetGroups": v.groups(),
                "targetHealth": health,
                "alarms": v.alarms.as_ref().and_then(|a| a.as_ref().ok()),
            });
            Some((format!("{} metrics", arn_name(&v.service)), pretty(&json)))
        }
        View::Deploy(v) => v.snapshot.as_ref().map(|s| {
            let json = serde_json::json!({
                "service": s.service,
                "serviceDeployments": s.deployments.as_ref().ok(),
            });
            (format!("{} deploy", arn_name(&v.service)), pretty(&json))
        }),
        View::Logs(v) => {
            let line = match v.cursor {
                Some(k) if !v.follow => v.line(v.index_of(k)),
                _ => v.line(v.len().saturating_sub(1)),
            };
            line.map(|l| {
                let json = serde_json::from_str::<serde_json::Value>(&l.message)
                    .map(|j| pretty(&j))
                    .unwrap_or_else(|_| l.message.clone());
                (format!("{} line", l.stream), json)
            })
        }
    };
    match found {
        Some((name, json)) => {
            state.mode = Mode::Raw {
                title: name,
                lines: json.lines().map(str::to_owned).collect(),
                scroll: 0,
            }
        }
        None => toast(state, ToastLevel::Info, "nothing selected yet"),
    }
}

pub(super) fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("cannot show: {e}"))
}
