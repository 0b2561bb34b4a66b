//! `update()`: the only place state changes. Pure: no I/O, no clock reads; time arrives as `Msg::Tick`.

use super::actions::ActionKind;
use super::deploy::{DeployView, Target};
use super::effect::Effect;
use super::logs::{LogRequest, LogTarget, LogView, TextFilter, parse_duration};
use super::metrics::{MetricsView, Window, fleet_request};
use super::msg::{DataUpdate, Msg, Rows};
use super::rows::Row;
use super::state::*;
use crate::aws::Millis;
use crate::aws::{FilterPattern, arn_name};
use crate::keymap::{self, Action};
use crate::workers::metrics::MetricsUpdate;
use crate::workers::tail::TailUpdate;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

const TOAST_MS: i64 = 4_000;

/// The effects to run at start-up: watch whatever the initial stack shows.
pub fn start(state: &mut State) -> Vec<Effect> {
    watch_top(state)
}

/// Opens the app directly on a cluster (and service), with the views above them on the stack so that
/// Esc walks back up. Unknown names show as a "not found" state on screen, not an exit.
pub fn open_at(state: &mut State, cluster: Option<&str>, service: Option<&str>) {
    if let Some(cluster) = cluster {
        state.stack.push(View::for_scope(&Scope::Services {
            cluster: cluster.to_owned(),
        }));
        if let Some(service) = service {
            state.stack.push(View::for_scope(&Scope::Tasks {
                cluster: cluster.to_owned(),
                service: Some(service.to_owned()),
            }));
        }
    }
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick { now_ms } => {
            state.now = now_ms;
            if state.toast.as_ref().is_some_and(|t| t.until <= now_ms) {
                state.toast = None;
            }
            vec![]
        }
        Msg::Resize { width, height } => {
            state.width = width;
            state.height = height;
            let page = state.page_rows();
            with_list(state, |l, _| l.scroll_into_view(page));
            vec![]
        }
        Msg::Data {
            scope,
            generation,
            update,
        } => {
            if generation == state.generation && scope == state.view().scope() {
                let done = matches!(update, DataUpdate::Done { .. });
                apply_data(state, update);
                if let Some(effect) = start_deploy_logs(state) {
                    return vec![effect];
                }
                if done
                    && let View::Services {
                        cluster,
                        list,
                        fleet,
                    } = state.view_mut()
                {
                    // The list changed: alarms are matched to it again, and the worker learns its services.
                    fleet.match_services(cluster, &list.rows);
                    return vec![metrics_effect(state)];
                }
            } else {
                tracing::trace!(
                    ?scope,
                    generation,
                    current = state.generation,
                    "dropped a stale result"
                );
            }
            vec![]
        }
        Msg::Log { generation, update } => {
            if generation == state.generation {
                let error = match state.view_mut() {
                    View::Logs(view) => apply_log(view, update),
                    View::Deploy(v) => v.logs.as_mut().and_then(|l| apply_log(l, update)),
                    _ => None,
                };
                if let Some(error) = error {
                    toast(state, ToastLevel::Error, error);
                }
            }
            vec![]
        }
        Msg::Metrics { generation, update } => {
            if generation == state.generation {
                match state.view_mut() {
                    View::Metrics(view) => view.apply(update),
                    View::Service { metrics, .. } => metrics.apply(update),
                    View::Deploy(view) => view.metrics.apply(update),
                    View::Services {
                        cluster,
                        list,
                        fleet,
                    } => match update {
                        MetricsUpdate::FleetAlarms { result, at } => match result {
                            Ok(alarms) => {
                                fleet.alarms = alarms;
                                fleet.alarms_at = Some(at);
                                fleet.alarms_error = None;
                                fleet.match_services(cluster, &list.rows);
                            }
                            Err(e) => fleet.alarms_error = Some(e),
                        },
                        MetricsUpdate::Columns(result) => match result {
                            Ok(c) if fleet.columns_on => {
                                fleet.columns = Some(c);
                                fleet.columns_error = None;
                            }
                            Ok(_) => {}
                            Err(e) => fleet.columns_error = Some(e),
                        },
                        _ => {}
                    },
                    _ => {}
                }
            }
            vec![]
        }
        Msg::Saved(result) => {
            match result {
                Ok(text) => toast(state, ToastLevel::Info, text),
                Err(text) => toast(state, ToastLevel::Error, text),
            }
            vec![]
        }
        Msg::Dialog { id, answer } => {
            super::dialog::answer(state, id, answer);
            vec![]
        }
        Msg::Executed {
            id,
            result,
            audit_error,
        } => super::dialog::executed(state, id, result, audit_error),
        Msg::Key(key) if key.kind == KeyEventKind::Release => vec![],
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::WorkerFailed { worker, message } => worker_failed(state, worker, message),
        Msg::WorkerRestarted(worker) => worker_restarted(state, worker),
    }
}

fn apply_data(state: &mut State, update: DataUpdate) {
    let now = state.now;
    let page = state.page_rows();
    match state.view_mut() {
        View::Clusters(list) => apply_list(list, update, now, |r| match r {
            Rows::Clusters(v) => Some(v),
            _ => None,
        }),
        View::Services { list, .. } => apply_list(list, update, now, |r| match r {
            Rows::Services(v) => Some(v),
            _ => None,
        }),
        View::Tasks { list, .. } => apply_list(list, update, now, |r| match r {
            Rows::Tasks(v) => Some(v),
            _ => None,
        }),
        View::Task { detail, .. } => apply_detail(detail, update, |u| match u {
            DataUpdate::TaskDetail { task, definition } => Some(TaskDetail {
                task: *task,
                definition: definition.map(|d| *d),
            }),
            _ => None,
        }),
        View::Service { detail, .. } => apply_detail(detail, update, |u| match u {
            DataUpdate::ServiceDetail(s) => Some(*s),
            _ => None,
        }),
        View::LogGroups { list, .. } => apply_list(list, update, now, |r| match r {
            Rows::LogGroups(v) => Some(v),
            _ => None,
        }),
        View::Deploy(view) => match update {
            DataUpdate::Started => view.load.loading = true,
            DataUpdate::Deploy(snapshot) => view.apply(*snapshot),
            DataUpdate::Retrying { error, attempt } => view.load.retrying = Some((error, attempt)),
            DataUpdate::Done { at } => {
                view.load.loading = false;
                view.load.loaded_at = Some(at);
                view.load.error = None;
                view.load.retrying = None;
            }
            DataUpdate::Failed { error, .. } => {
                view.load.loading = false;
                view.load.retrying = None;
                view.load.error = Some(error);
            }
            _ => {}
        },
        View::Logs(_) | View::Metrics(_) => {}
    }
    with_list(state, |l, _| l.scroll_into_view(page));
}

fn apply_list<R: Row>(
    list: &mut ListView<R>,
    update: DataUpdate,
    now: i64,
    take: impl FnOnce(Rows) -> Option<Vec<R>>,
) {
    match update {
        DataUpdate::Started => list.refresh_started(),
        DataUpdate::Batch { rows, progress } => {
            if let Some(rows) = take(rows) {
                list.add_batch(rows, progress, now);
            }
        }
        DataUpdate::Retrying { error, attempt } => list.load.retrying = Some((error, attempt)),
        DataUpdate::Done { at } => list.refresh_done(at, now),
        DataUpdate::Failed { error, .. } => list.refresh_failed(error),
        DataUpdate::TaskDetail { .. } | DataUpdate::ServiceDetail(_) | DataUpdate::Deploy(_) => {}
    }
}

fn apply_detail<T>(
    detail: &mut Detail<T>,
    update: DataUpdate,
    take: impl FnOnce(DataUpdate) -> Option<T>,
) {
    match update {
        DataUpdate::Started => detail.load.loading = true,
        DataUpdate::Retrying { error, attempt } => detail.load.retrying = Some((error, attempt)),
        DataUpdate::Done { at } => {
            detail.load.loading = false;
            detail.load.loaded_at = Some(at);
            detail.load.error = None;
            detail.load.retrying = None;
        }
        DataUpdate::Failed { error, .. } => {
            detail.load.loading = false;
            detail.load.retrying = None;
            detail.load.error = Some(error);
        }
        DataUpdate::Batch { .. } => {}
        other => {
            if let Some(data) = take(other) {
                detail.data = Some(data);
            }
        }
    }
}

/// Runs `f` on the table of the view on screen, if it is a table.
fn with_list(state: &mut State, f: impl FnOnce(&mut dyn ListOps, usize)) {
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
trait ListOps {
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

pub(super) fn toast(state: &mut State, level: ToastLevel, text: impl Into<String>) {
    state.toast = Some(Toast {
        text: text.into(),
        level,
        until: state.now + TOAST_MS,
    });
}

fn watch_top(state: &mut State) -> Vec<Effect> {
    state.generation += 1;
    vec![
        Effect::Watch {
            scope: state.view().scope(),
            generation: state.generation,
        },
        metrics_effect(state),
    ]
}

/// What the metrics worker should keep fresh for the view on screen (nothing for most views).
fn metrics_effect(state: &State) -> Effect {
    let request = match state.view() {
        View::Metrics(v) => Some(v.request()),
        View::Service { metrics, .. } => Some(metrics.request()),
        View::Deploy(v) => Some(v.metrics.request()),
        View::Services {
            cluster,
            list,
            fleet,
        } => Some(fleet_request(
            cluster,
            &list.rows,
            fleet.columns_on.then_some(state.context.metrics_window),
        )),
        _ => None,
    };
    Effect::Metrics {
        request,
        generation: state.generation,
    }
}

/// Opens the charts of the selected service (`m`).
fn open_metrics(state: &mut State) -> Vec<Effect> {
    let target = match state.view() {
        View::Services { cluster, list, .. } => list
            .selected_row()
            .map(|s| (cluster.clone(), s.service_arn.clone())),
        View::Service {
            cluster, service, ..
        } => Some((cluster.clone(), service.clone())),
        View::Deploy(v) => Some((v.cluster.clone(), v.service.clone())),
        View::Tasks {
            cluster,
            service: Some(service),
            ..
        } => Some((cluster.clone(), service.clone())),
        _ => None,
    };
    let Some((cluster, service)) = target else {
        toast(state, ToastLevel::Info, "select a service first");
        return vec![];
    };
    let window = state.context.metrics_window;
    navigate(state, |s| {
        s.stack.push(View::Metrics(Box::new(MetricsView::new(
            &cluster, &service, window, false,
        ))))
    })
}

/// `[` / `]` / `:window`: the charts' window on screen; the worker fetches the new one whole.
fn set_window(state: &mut State, window: Window) -> Vec<Effect> {
    let view = match state.view_mut() {
        View::Metrics(v) => v,
        View::Service { metrics, .. } => metrics,
        _ => return vec![],
    };
    if view.window == window {
        return vec![];
    }
    view.set_window(window);
    state.context.metrics_window = window;
    vec![metrics_effect(state)]
}

fn step_window(state: &mut State, delta: i32) -> Vec<Effect> {
    let current = match state.view() {
        View::Metrics(v) => v.window,
        View::Service { metrics, .. } => metrics.window,
        _ => return vec![],
    };
    set_window(state, current.step(delta))
}

/// `M`: the billed CPU / 5XX columns of a services list, on or off.
fn toggle_columns(state: &mut State) -> Vec<Effect> {
    let View::Services { fleet, .. } = state.view_mut() else {
        return vec![];
    };
    fleet.columns_on = !fleet.columns_on;
    if !fleet.columns_on {
        fleet.columns = None;
        fleet.columns_error = None;
    }
    let on = fleet.columns_on;
    state.context.metrics_columns = on;
    toast(
        state,
        ToastLevel::Info,
        if on {
            "CPU and 5XX columns on: CloudWatch bills every metric requested (see the header)"
        } else {
            "CPU and 5XX columns off"
        },
    );
    vec![metrics_effect(state)]
}

/// Changes the navigation stack and watches the new top. The one place a tail stops: when its log view
/// leaves the screen, whichever way it leaves.
fn navigate(state: &mut State, change: impl FnOnce(&mut State)) -> Vec<Effect> {
    let tails =
        |v: &View| matches!(v, View::Logs(_)) || matches!(v, View::Deploy(d) if d.logs.is_some());
    let tailing = tails(state.view());
    change(state);
    // A watch screen shown again starts its logs pane afresh with its next refresh (its tail was stopped or
    // replaced while it was hidden).
    if let View::Deploy(d) = state.view_mut() {
        d.logs = None;
    }
    let mut effects = watch_top(state);
    if tailing && !matches!(state.view(), View::Logs(_)) {
        effects.push(Effect::Tail {
            request: None,
            generation: state.generation,
        });
    }
    effects
}

/// The watch screen's logs pane starts with its first refresh: the revision to show is known then.
fn start_deploy_logs(state: &mut State) -> Option<Effect> {
    let (window, label) = since_window(state);
    let (now, capacity, generation) = (state.now, 2_000, state.generation);
    let View::Deploy(v) = state.view_mut() else {
        return None;
    };
    let td = v.log_revision()?;
    // Started already, on this revision (a deploy adopted since changes it: the pane follows).
    let same = v
        .logs
        .as_ref()
        .is_some_and(|l| l.revision.as_deref() == Some(crate::aws::family_rev(&td)));
    if same || v.snapshot.is_none() {
        return None;
    }
    let request = LogRequest {
        target: LogTarget::Service {
            cluster: v.cluster.clone(),
            service: v.service.clone(),
            task_definitions: vec![td.clone()],
        },
        since: now - window,
        pattern: None,
    };
    let mut logs = LogView::new(request.clone(), label, capacity);
    logs.revision = Some(crate::aws::family_rev(&td).to_owned());
    logs.refilter();
    v.logs = Some(Box::new(logs));
    Some(Effect::Tail {
        request: Some(request),
        generation,
    })
}

/// `W`: the deploy watch screen of the selected service.
fn open_watch(state: &mut State) -> Vec<Effect> {
    match super::dialog::selected_service(state) {
        Some((cluster, service)) => {
            open_deploy(state, &cluster, &service.service_name, Target::Primary)
        }
        None => {
            toast(state, ToastLevel::Info, "select a service first");
            vec![]
        }
    }
}

/// Pushes the deploy watch screen, judging `target`.
pub(super) fn open_deploy(
    state: &mut State,
    cluster: &str,
    service: &str,
    target: Target,
) -> Vec<Effect> {
    let view = DeployView::new(cluster, service, target);
    navigate(state, |s| {
        // Acting again from the watch screen replaces it rather than stacking another.
        if matches!(s.view(), View::Deploy(_)) {
            s.stack.pop();
        }
        s.stack.push(View::Deploy(Box::new(view)))
    })
}

fn push(state: &mut State, scope: Scope) -> Vec<Effect> {
    let (window, columns) = (state.context.metrics_window, state.context.metrics_columns);
    navigate(state, |s| {
        let mut view = View::for_scope(&scope);
        match &mut view {
            View::Service { metrics, .. } => metrics.set_window(window),
            View::Services { fleet, .. } => fleet.columns_on = columns,
            _ => {}
        }
        s.stack.push(view)
    })
}

fn pop(state: &mut State) -> Vec<Effect> {
    if state.stack.len() > 1 {
        navigate(state, |s| {
            s.stack.pop();
        })
    } else {
        vec![]
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        state.quit = true;
        return vec![Effect::Quit];
    }
    match state.mode.clone() {
        Mode::Normal => on_normal_key(state, key),
        Mode::Filter { input } => on_filter_key(state, key, input),
        Mode::Command { input } => on_command_key(state, key, input),
        Mode::Prompt { kind, input, error } => on_prompt_key(state, key, kind, input, error),
        Mode::Dialog(dialog) => super::dialog::on_key(state, key, *dialog),
        Mode::Help { scroll } => {
            state.mode = match scroll_key(&key, scroll, u16::MAX) {
                Some(scroll) => Mode::Help { scroll },
                None if closes_overlay(&key, '?') => Mode::Normal,
                None => Mode::Help { scroll },
            };
            vec![]
        }
        Mode::Raw {
            title,
            lines,
            scroll,
        } => {
            let max = lines.len().saturating_sub(1).min(u16::MAX as usize) as u16;
            state.mode = match scroll_key(&key, scroll, max) {
                Some(scroll) => Mode::Raw {
                    title,
                    lines,
                    scroll,
                },
                None if closes_overlay(&key, 'y') => Mode::Normal,
                None => Mode::Raw {
                    title,
                    lines,
                    scroll,
                },
            };
            vec![]
        }
    }
}

fn closes_overlay(key: &KeyEvent, toggle: char) -> bool {
    matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) || key.code == KeyCode::Char(toggle)
}

/// Scrolling inside an overlay or a detail view; None if the key does not scroll.
fn scroll_key(key: &KeyEvent, scroll: u16, max: u16) -> Option<u16> {
    let action = keymap::global_binding(key)?.action;
    let page = 10;
    let next = match action {
        Action::Down => scroll.saturating_add(1),
        Action::Up => scroll.saturating_sub(1),
        Action::Top => 0,
        Action::Bottom => max,
        Action::PageDown => scroll.saturating_add(page),
        Action::PageUp => scroll.saturating_sub(page),
        _ => return None,
    };
    Some(next.min(max))
}

fn on_normal_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(binding) = keymap::binding_for(&key, state.view()) else {
        // A key of the keymap that does nothing here says where it would, rather than nothing at all.
        if let Some(other) = keymap::binding_anywhere(&key) {
            let label = other
                .keys
                .first()
                .map(keymap::key_label)
                .unwrap_or_default();
            toast(
                state,
                ToastLevel::Info,
                format!(
                    "{label} ({}) works on {}, not here",
                    other.desc,
                    other.place.describe()
                ),
            );
        }
        return vec![];
    };
    if matches!(state.view(), View::Logs(_)) {
        return on_log_action(state, binding.action);
    }
    let page = state.page_rows() as isize;
    let now = state.now;
    match binding.action {
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            let action = binding.action;
            let (width, height) = (state.width, state.height);
            if let View::Metrics(view) = state.view_mut() {
                // Whole rows of charts; the grid is the screen less header, breadcrumb, footer and status.
                let grid = height.saturating_sub(4);
                let page = super::metrics::ChartPage::fit(view.panels(), width, grid, view.scroll);
                let rows = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -(page.rows as isize),
                    Action::PageDown => page.rows as isize,
                    Action::Top => isize::MIN,
                    _ => isize::MAX,
                };
                view.scroll_rows(rows, width, grid);
                return vec![];
            }
            let mut handled = false;
            with_list(state, |l, h| {
                handled = true;
                match action {
                    Action::Up => l.move_by(-1, h),
                    Action::Down => l.move_by(1, h),
                    Action::PageUp => l.move_by(-page, h),
                    Action::PageDown => l.move_by(page, h),
                    Action::Top => l.to_end(false, h),
                    _ => l.to_end(true, h),
                }
            });
            if !handled
                && let Some(scroll) = detail_scroll(state)
                && let Some(next) = scroll_key(&key, *scroll, u16::MAX)
            {
                *scroll = next;
            }
            vec![]
        }
        Action::Open => open_selected(state),
        Action::Describe => describe_selected(state),
        Action::Raw => {
            show_raw(state);
            vec![]
        }
        Action::Filter => {
            let input = TextInput::preselected(state.view().filter().unwrap_or_default());
            state.mode = Mode::Filter { input };
            vec![]
        }
        Action::Command => {
            state.mode = Mode::Command {
                input: TextInput::default(),
            };
            vec![]
        }
        Action::Help => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        Action::SortNext => {
            with_list(state, |l, _| l.sort_next(now));
            vec![]
        }
        Action::SortReverse => {
            with_list(state, |l, _| l.sort_reverse(now));
            vec![]
        }
        Action::Refresh => watch_top(state),
        Action::Back => {
            if state.view().filter().is_some_and(|f| !f.is_empty()) {
                with_list(state, |l, _| l.set_filter(String::new(), now));
                vec![]
            } else {
                pop(state)
            }
        }
        Action::Quit => {
            if state.stack.len() > 1 {
                pop(state)
            } else {
                state.quit = true;
                vec![Effect::Quit]
            }
        }
        Action::ForceQuit => {
            state.quit = true;
            vec![Effect::Quit]
        }
        Action::Logs => open_logs(state, None),
        Action::Metrics => open_metrics(state),
        Action::LongerWindow => step_window(state, 1),
        Action::ShorterWindow => step_window(state, -1),
        Action::Columns => toggle_columns(state),
        Action::Scale => super::dialog::open(state, ActionKind::Scale),
        Action::ForceDeploy => super::dialog::open(state, ActionKind::ForceDeployment),
        Action::Rollback => super::dialog::open(state, ActionKind::Rollback),
        Action::StopDeploy => super::dialog::open(state, ActionKind::StopDeployment),
        Action::Watch => open_watch(state),
        // Log view actions are handled by `on_log_action`.
        _ => vec![],
    }
}

/// The scroll of a view that scrolls by lines; None for views that move otherwise (tables, charts, logs),
/// which then ignore the key.
fn detail_scroll(state: &mut State) -> Option<&mut u16> {
    match state.view_mut() {
        View::Task { detail, .. } => Some(&mut detail.scroll),
        View::Service { detail, .. } => Some(&mut detail.scroll),
        View::Deploy(v) => Some(&mut v.scroll),
        View::Clusters(_)
        | View::Services { .. }
        | View::Tasks { .. }
        | View::LogGroups { .. }
        | View::Logs(_)
        | View::Metrics(_) => None,
    }
}

fn open_selected(state: &mut State) -> Vec<Effect> {
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

fn describe_selected(state: &mut State) -> Vec<Effect> {
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

fn show_raw(state: &mut State) {
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

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("cannot show: {e}"))
}

pub(super) fn is_text_input(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !c.is_control() =>
        {
            Some(c)
        }
        _ => None,
    }
}

fn on_filter_key(state: &mut State, key: KeyEvent, mut input: TextInput) -> Vec<Effect> {
    let now = state.now;
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            return vec![];
        }
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            with_list(state, |l, _| l.set_filter(String::new(), now));
            return vec![];
        }
        _ => {}
    }
    if input.key(&key) == InputKey::Edited {
        let filter = input.value().to_owned();
        with_list(state, |l, _| l.set_filter(filter, now));
    }
    state.mode = Mode::Filter { input };
    vec![]
}

fn on_command_key(state: &mut State, key: KeyEvent, mut input: TextInput) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            run_command(state, input.trim())
        }
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            vec![]
        }
        // Backspace on an empty command line closes it, as in vim.
        KeyCode::Backspace if input.is_empty() => {
            state.mode = Mode::Normal;
            vec![]
        }
        _ => {
            input.key(&key);
            state.mode = Mode::Command { input };
            vec![]
        }
    }
}

/// A worker panicked. The event loop has decided already whether it comes back (`Restarting` or `GaveUp`
/// for the restartable ones); the keyboard reader cannot come back, so the app ends with the message.
fn worker_failed(
    state: &mut State,
    worker: crate::workers::Worker,
    message: String,
) -> Vec<Effect> {
    use crate::workers::Worker;
    let recovery = match worker {
        Worker::Executor | Worker::Input => Recovery::None,
        _ => Recovery::Restarting,
    };
    state.fault = Some(Fault {
        worker,
        message,
        recovery,
    });
    if worker == Worker::Input {
        state.quit = true;
        return vec![Effect::Quit];
    }
    vec![]
}

/// The loop gave up on a worker that kept failing.
pub fn worker_gave_up(state: &mut State) {
    if let Some(fault) = &mut state.fault {
        fault.recovery = Recovery::GaveUp;
    }
}

/// A restarted worker starts idle: ask it again for what the view on screen needs.
fn worker_restarted(state: &mut State, worker: crate::workers::Worker) -> Vec<Effect> {
    if let Some(fault) = &mut state.fault
        && fault.worker == worker
    {
        fault.recovery = Recovery::Restarted;
    }
    if matches!(state.view(), View::Logs(_)) {
        on_log_action(state, Action::Refresh)
    } else {
        navigate(state, |_| {})
    }
}

/// A paste is text for the input that is open, inserted in one step; it never acts as keys.
fn on_paste(state: &mut State, text: &str) -> Vec<Effect> {
    let now = state.now;
    match state.mode.clone() {
        Mode::Filter { mut input } => {
            if input.paste(text) {
                let filter = input.value().to_owned();
                with_list(state, |l, _| l.set_filter(filter, now));
            }
            state.mode = Mode::Filter { input };
        }
        Mode::Command { mut input } => {
            input.paste(text);
            state.mode = Mode::Command { input };
        }
        Mode::Prompt {
            kind,
            mut input,
            error,
        } => {
            let error = if input.paste(text) { None } else { error };
            state.mode = Mode::Prompt { kind, input, error };
        }
        Mode::Dialog(dialog) => return super::dialog::on_paste(state, text, *dialog),
        Mode::Normal | Mode::Help { .. } | Mode::Raw { .. } => toast(
            state,
            ToastLevel::Info,
            "a paste goes into a text input: open one first (/ filter, : command)",
        ),
    }
    vec![]
}

/// The cluster the user is in, if any view on the stack is inside one.
fn current_cluster(state: &State) -> Option<String> {
    state.stack.iter().rev().find_map(|v| match v {
        View::Clusters(_) => None,
        View::Services { cluster, .. }
        | View::Tasks { cluster, .. }
        | View::Task { cluster, .. }
        | View::Service { cluster, .. } => Some(cluster.clone()),
        View::LogGroups { .. } => None,
        View::Metrics(v) => Some(v.cluster.clone()),
        View::Deploy(v) => Some(v.cluster.clone()),
        View::Logs(v) => match &v.request.target {
            LogTarget::Service { cluster, .. } | LogTarget::Task { cluster, .. } => {
                Some(cluster.clone())
            }
            LogTarget::Group { .. } => None,
        },
    })
}

/// Rebuilds the stack as [clusters, services of `cluster`, ...rest] so Esc always walks up.
fn jump(state: &mut State, cluster: Option<String>, tasks: bool) -> Vec<Effect> {
    navigate(state, |state| {
        state.stack.truncate(1);
        if let Some(cluster) = cluster {
            state.stack.push(View::for_scope(&Scope::Services {
                cluster: cluster.clone(),
            }));
            if tasks {
                state.stack.push(View::for_scope(&Scope::Tasks {
                    cluster,
                    service: None,
                }));
            }
        }
    })
}

fn run_command(state: &mut State, command: &str) -> Vec<Effect> {
    let mut words = command.split_whitespace();
    let name = words.next().unwrap_or("");
    let arg = words.next().map(str::to_owned);
    match (name, words.next()) {
        ("", _) => vec![],
        ("q" | "q!" | "quit" | "qa", None) => {
            state.quit = true;
            vec![Effect::Quit]
        }
        ("clusters" | "cluster" | "cl", None) if arg.is_none() => jump(state, None, false),
        ("services" | "service" | "svc", None) | ("tasks" | "task", None) => {
            let tasks = name.starts_with("task");
            match arg.or_else(|| current_cluster(state)) {
                Some(cluster) => jump(state, Some(cluster), tasks),
                None => {
                    toast(
                        state,
                        ToastLevel::Error,
                        format!(
                            ":{name} needs a cluster: select one and press Enter, or type :{name} CLUSTER"
                        ),
                    );
                    vec![]
                }
            }
        }
        ("help" | "h", None) => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        ("loggroups" | "lg", None) => navigate(state, |s| {
            s.stack.truncate(1);
            s.stack
                .push(View::for_scope(&Scope::LogGroups { prefix: arg }));
        }),
        ("logs" | "log", None) => open_logs(state, arg),
        ("metrics" | "m", None) if arg.is_none() => open_metrics(state),
        ("window" | "w", None) => match arg.as_deref().map(Window::parse) {
            Some(Some(w)) if matches!(state.view(), View::Metrics(_) | View::Service { .. }) => {
                set_window(state, w)
            }
            Some(Some(_)) => {
                toast(
                    state,
                    ToastLevel::Error,
                    ":window works on a service's charts: press m on a service",
                );
                vec![]
            }
            _ => {
                toast(
                    state,
                    ToastLevel::Error,
                    format!(
                        ":window takes one of {}",
                        Window::ALL.map(|w| w.label()).join(", ")
                    ),
                );
                vec![]
            }
        },
        ("since" | "filter" | "save" | "grep", _) if matches!(state.view(), View::Logs(_)) => {
            let rest = command
                .get(name.len()..)
                .unwrap_or_default()
                .trim()
                .to_owned();
            let kind = match name {
                "since" => Prompt::Since,
                "filter" => Prompt::Pattern,
                "grep" => Prompt::Include,
                _ => Prompt::Save,
            };
            match submit_prompt(state, kind, &rest) {
                Ok(effects) => effects,
                Err(error) => {
                    toast(state, ToastLevel::Error, error);
                    vec![]
                }
            }
        }
        ("since" | "filter" | "save" | "grep", _) => {
            toast(
                state,
                ToastLevel::Error,
                format!(":{name} works in a log view: open one with l on a service or task"),
            );
            vec![]
        }
        _ => {
            let known: Vec<&str> = keymap::COMMANDS.iter().map(|(c, _)| *c).collect();
            toast(
                state,
                ToastLevel::Error,
                format!("unknown command :{command} (try {})", known.join(", ")),
            );
            vec![]
        }
    }
}

/// How far back a new log view starts: the configured `log_since` (validated at start-up), else 5 minutes.
fn since_window(state: &State) -> (Millis, String) {
    match parse_duration(&state.context.log_since) {
        Ok(ms) => (ms, state.context.log_since.clone()),
        Err(_) => (300_000, "5m".into()),
    }
}

/// `l`: tails what is selected (a service, a task, a log group), or the task or service on screen.
fn open_logs(state: &mut State, container: Option<String>) -> Vec<Effect> {
    let service_target = |cluster: &str, s: &crate::aws::Service| {
        let mut defs: Vec<String> = s
            .deployments
            .iter()
            .map(|d| d.task_definition.clone())
            .filter(|d| !d.is_empty())
            .collect();
        if defs.is_empty() && !s.task_definition.is_empty() {
            defs.push(s.task_definition.clone());
        }
        defs.dedup();
        LogTarget::Service {
            cluster: cluster.to_owned(),
            service: s.service_name.clone(),
            task_definitions: defs,
        }
    };
    let task_target =
        |cluster: &str, t: &crate::aws::Task, container: Option<String>| LogTarget::Task {
            cluster: cluster.to_owned(),
            task_arn: t.task_arn.clone(),
            task_definition: t.task_definition_arn.clone(),
            container,
        };
    let target = match state.view() {
        View::Services { cluster, list, .. } => {
            list.selected_row().map(|s| service_target(cluster, s))
        }
        View::Service {
            cluster, detail, ..
        } => detail.data.as_ref().map(|s| service_target(cluster, s)),
        View::Tasks { cluster, list, .. } => list
            .selected_row()
            .map(|t| task_target(cluster, t, container.clone())),
        View::Task {
            cluster, detail, ..
        } => detail
            .data
            .as_ref()
            .map(|d| task_target(cluster, &d.task, container.clone())),
        View::Deploy(v) => v
            .snapshot
            .as_ref()
            .map(|s| service_target(&v.cluster, &s.service)),
        View::Metrics(v) => v
            .service_data
            .as_ref()
            .map(|s| service_target(&v.cluster, s)),
        View::LogGroups { list, .. } => list.selected_row().map(|g| LogTarget::Group {
            name: g.log_group_name.clone(),
        }),
        _ => {
            toast(
                state,
                ToastLevel::Info,
                "logs: select a service, a task or a log group first (:loggroups lists groups)",
            );
            return vec![];
        }
    };
    let Some(target) = target else {
        toast(
            state,
            ToastLevel::Info,
            "nothing selected yet: wait for the list to load",
        );
        return vec![];
    };
    if let (Some(c), LogTarget::Task { .. }) = (&container, &target)
        && let View::Task { detail, .. } = state.view()
        && let Some(d) = &detail.data
        && !d.task.containers.iter().any(|x| &x.name == c)
    {
        let names: Vec<&str> = d.task.containers.iter().map(|x| x.name.as_str()).collect();
        toast(
            state,
            ToastLevel::Error,
            format!(
                "no container {c:?} in this task (it has {})",
                names.join(", ")
            ),
        );
        return vec![];
    }
    let (window, label) = since_window(state);
    let request = LogRequest {
        target,
        since: state.now - window,
        pattern: None,
    };
    let view = LogView::new(request.clone(), label, state.context.log_capacity.max(1));
    state.stack.push(View::Logs(Box::new(view)));
    let mut effects = watch_top(state);
    effects.push(Effect::Tail {
        request: Some(request),
        generation: state.generation,
    });
    effects
}

/// Applies one update of the tail; returns a message for the user, if any.
fn apply_log(view: &mut LogView, update: TailUpdate) -> Option<String> {
    match update {
        TailUpdate::Lines(lines) => {
            view.add(lines);
            None
        }
        TailUpdate::Status(status) => {
            view.status = status;
            None
        }
        TailUpdate::Resolved { sources, notes } => {
            view.sources = sources;
            view.notes = notes;
            None
        }
        TailUpdate::Revisions { tasks, primary } => {
            view.revisions.extend(tasks);
            view.primary = primary;
            if view.revision.is_some() {
                view.refilter();
            }
            None
        }
        TailUpdate::PatternRejected(error) => {
            let pattern = view.request.pattern.take().unwrap_or_default();
            Some(format!(
                "AWS rejected the filter pattern {pattern:?}: {error} — showing all lines; press F to change it"
            ))
        }
    }
}

/// Body rows of a log view (the status line takes one).
fn log_page(state: &State) -> usize {
    state.page_rows().saturating_sub(1).max(1)
}

fn on_log_action(state: &mut State, action: Action) -> Vec<Effect> {
    let page = log_page(state);
    let prompt = |state: &mut State, kind: Prompt, input: String| {
        // A remembered value opens selected: typing replaces it, a cursor key edits it.
        state.mode = Mode::Prompt {
            kind,
            input: TextInput::preselected(&input),
            error: None,
        };
        vec![]
    };
    let View::Logs(view) = state.view_mut() else {
        return vec![];
    };
    match action {
        Action::Up => view.move_by(-1, page),
        Action::Down => view.move_by(1, page),
        Action::PageUp => view.move_by(-(page as isize), page),
        Action::PageDown => view.move_by(page as isize, page),
        Action::Top => view.select(0, page),
        Action::Bottom => view.resume(),
        Action::Pause | Action::Follow => {
            if view.follow {
                view.pause(page);
            } else {
                view.resume();
            }
        }
        Action::Wrap => view.wrap = !view.wrap,
        Action::Timestamps => view.timestamps = !view.timestamps,
        Action::Utc => view.utc = !view.utc,
        Action::Pretty => view.pretty = !view.pretty,
        Action::NextMatch | Action::PrevMatch => {
            if view.search.is_none() {
                return prompt(state, Prompt::Search, String::new());
            }
            match view.find(action == Action::NextMatch) {
                Some(i) => view.select(i, page),
                None => {
                    let text = view
                        .search
                        .as_ref()
                        .map(|s| s.text.clone())
                        .unwrap_or_default();
                    toast(state, ToastLevel::Info, format!("no line matches /{text}"));
                }
            }
        }
        Action::Search => {
            let text = view
                .search
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default();
            return prompt(state, Prompt::Search, text);
        }
        Action::Include => {
            let text = view
                .include
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default();
            return prompt(state, Prompt::Include, text);
        }
        Action::Exclude => {
            let text = view
                .exclude
                .as_ref()
                .map(|s| s.text.clone())
                .unwrap_or_default();
            return prompt(state, Prompt::Exclude, text);
        }
        Action::Pattern => {
            let text = view.request.pattern.clone().unwrap_or_default();
            return prompt(state, Prompt::Pattern, text);
        }
        Action::Since => {
            let text = view.since_label.clone();
            return prompt(state, Prompt::Since, text);
        }
        Action::Save => {
            let name = match &view.request.target {
                LogTarget::Service { service, .. } => arn_name(service).to_owned(),
                LogTarget::Task { task_arn, .. } => arn_name(task_arn).to_owned(),
                LogTarget::Group { name } => name.trim_matches('/').replace('/', "-"),
            };
            let path = format!("ecsdeck-{name}-{}.log", state.now / 1000);
            return prompt(state, Prompt::Save, path);
        }
        Action::Deployment => {
            let revisions = view.known_revisions();
            if revisions.is_empty() {
                toast(
                    state,
                    ToastLevel::Info,
                    "no deployments known for these lines (a service tail learns them from its tasks)",
                );
                return vec![];
            }
            let next = match &view.revision {
                None => revisions.first().cloned(),
                Some(r) => revisions
                    .iter()
                    .position(|x| x == r)
                    .and_then(|i| revisions.get(i + 1))
                    .cloned(),
            };
            view.revision = next.clone();
            view.refilter();
            let text = match next {
                Some(r) => format!("showing tasks of {r} only (D: next, until all)"),
                None => "showing every deployment's tasks".into(),
            };
            toast(state, ToastLevel::Info, text);
        }
        Action::Copy => {
            let line = match view.cursor {
                Some(k) if !view.follow => view.line(view.index_of(k)),
                _ => view.line(view.len().saturating_sub(1)),
            };
            match line.map(|l| l.message.clone()) {
                Some(text) => {
                    toast(
                        state,
                        ToastLevel::Info,
                        "line copied to the clipboard (OSC 52)",
                    );
                    return vec![Effect::Copy(text)];
                }
                None => toast(state, ToastLevel::Info, "no line to copy yet"),
            }
        }
        Action::Back => {
            if view.search.is_some() {
                view.search = None;
            } else if !view.clear_filters() {
                return pop(state);
            }
        }
        Action::Quit => return pop(state),
        Action::ForceQuit => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        Action::Command => {
            state.mode = Mode::Command {
                input: TextInput::default(),
            };
        }
        Action::Help => state.mode = Mode::Help { scroll: 0 },
        Action::Raw => show_raw(state),
        Action::Refresh => {
            // Re-tail from the same start: a manual way out of anything stuck.
            let request = view.request.clone();
            view.buffer.clear();
            view.refilter();
            view.resume();
            state.generation += 1;
            return vec![Effect::Tail {
                request: Some(request),
                generation: state.generation,
            }];
        }
        _ => {}
    }
    vec![]
}

fn on_prompt_key(
    state: &mut State,
    key: KeyEvent,
    kind: Prompt,
    mut input: TextInput,
    error: Option<String>,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => match submit_prompt(state, kind, input.trim()) {
            Ok(effects) => {
                state.mode = Mode::Normal;
                effects
            }
            Err(error) => {
                state.mode = Mode::Prompt {
                    kind,
                    input,
                    error: Some(error),
                };
                vec![]
            }
        },
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            vec![]
        }
        _ => {
            // The error is about what was submitted: it stays until the text changes.
            let error = match input.key(&key) {
                InputKey::Edited => None,
                InputKey::Moved | InputKey::NotMine => error,
            };
            state.mode = Mode::Prompt { kind, input, error };
            vec![]
        }
    }
}

/// Applies what was typed into a log view prompt (or a `:` command); an error says what to fix.
fn submit_prompt(state: &mut State, kind: Prompt, text: &str) -> Result<Vec<Effect>, String> {
    let page = log_page(state);
    let now = state.now;
    let View::Logs(view) = state.view_mut() else {
        return Ok(vec![]);
    };
    let regex = |text: &str| -> Result<Option<TextFilter>, String> {
        if text.is_empty() {
            Ok(None)
        } else {
            TextFilter::new(text).map(Some)
        }
    };
    match kind {
        Prompt::Search => {
            view.search = regex(text)?;
            if view.search.is_some() {
                match view.find(false).or_else(|| view.find(true)) {
                    Some(i) => view.select(i, page),
                    None => return Err(format!("no line matches /{text} (yet)")),
                }
            }
            Ok(vec![])
        }
        Prompt::Include => {
            view.include = regex(text)?;
            view.refilter();
            Ok(vec![])
        }
        Prompt::Exclude => {
            view.exclude = regex(text)?;
            view.refilter();
            Ok(vec![])
        }
        Prompt::Pattern | Prompt::Since => {
            let mut request = view.request.clone();
            if kind == Prompt::Pattern {
                FilterPattern::parse(Some(text))
                    .map_err(|e| format!("{e} — see CloudWatch filter pattern syntax"))?;
                request.pattern = (!text.is_empty()).then(|| text.to_owned());
            } else {
                request.since = now - parse_duration(text)?;
                view.since_label = text.to_owned();
            }
            // A new query: start over from the window's start.
            view.request = request.clone();
            view.buffer.clear();
            view.refilter();
            view.resume();
            state.generation += 1;
            Ok(vec![Effect::Tail {
                request: Some(request),
                generation: state.generation,
            }])
        }
        Prompt::Save => {
            if text.is_empty() {
                return Err("type a file name to save to".into());
            }
            if text.chars().any(char::is_control) {
                return Err("the file name has control characters".into());
            }
            Ok(vec![Effect::Save {
                path: text.to_owned(),
                text: view.export(),
            }])
        }
    }
}
