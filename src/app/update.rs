//! `update()`: the only place state changes. Pure: no I/O, no clock reads; time arrives as `Msg::Tick`.

use super::effect::Effect;
use super::msg::{DataUpdate, Msg, Rows};
use super::rows::Row;
use super::state::*;
use crate::aws::arn_name;
use crate::keymap::{self, Action};
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
                apply_data(state, update);
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
        Msg::Key(key) if key.kind == KeyEventKind::Release => vec![],
        Msg::Key(key) => on_key(state, key),
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
        DataUpdate::TaskDetail { .. } | DataUpdate::ServiceDetail(_) => {}
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
        View::Task { .. } | View::Service { .. } => {}
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
        self.sort.column = self.columns[(pos + 1) % self.columns.len()];
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

fn toast(state: &mut State, level: ToastLevel, text: impl Into<String>) {
    state.toast = Some(Toast {
        text: text.into(),
        level,
        until: state.now + TOAST_MS,
    });
}

fn watch_top(state: &mut State) -> Vec<Effect> {
    state.generation += 1;
    vec![Effect::Watch {
        scope: state.view().scope(),
        generation: state.generation,
    }]
}

fn push(state: &mut State, scope: Scope) -> Vec<Effect> {
    state.stack.push(View::for_scope(&scope));
    watch_top(state)
}

fn pop(state: &mut State) -> Vec<Effect> {
    if state.stack.len() > 1 {
        state.stack.pop();
        watch_top(state)
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
    let action = keymap::binding_for(key)?.action;
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
    let Some(binding) = keymap::binding_for(&key) else {
        return vec![];
    };
    if !binding.place.allows(state.view()) {
        return vec![];
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
            if !handled {
                let scroll = detail_scroll(state);
                if let Some(next) = scroll_key(&key, *scroll, u16::MAX) {
                    *scroll = next;
                }
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
            let input = state.view().filter().unwrap_or_default().to_owned();
            state.mode = Mode::Filter { input };
            vec![]
        }
        Action::Command => {
            state.mode = Mode::Command {
                input: String::new(),
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
    }
}

fn detail_scroll(state: &mut State) -> &mut u16 {
    match state.view_mut() {
        View::Task { detail, .. } => &mut detail.scroll,
        View::Service { detail, .. } => &mut detail.scroll,
        _ => unreachable!("tables are handled by with_list"),
    }
}

fn open_selected(state: &mut State) -> Vec<Effect> {
    let scope = match state.view() {
        View::Clusters(l) => l.selected_row().map(|c| Scope::Services {
            cluster: c.cluster_name.clone(),
        }),
        View::Services { cluster, list } => list.selected_row().map(|s| Scope::Tasks {
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
        View::Services { cluster, list } => list.selected_row().map(|s| Scope::Service {
            cluster: cluster.clone(),
            service: s.service_name.clone(),
        }),
        View::Tasks { .. } => return open_selected(state),
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

fn is_text_input(key: &KeyEvent) -> Option<char> {
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

fn on_filter_key(state: &mut State, key: KeyEvent, mut input: String) -> Vec<Effect> {
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
        KeyCode::Backspace => {
            input.pop();
        }
        _ => match is_text_input(&key) {
            Some(c) => input.push(c),
            None => return vec![],
        },
    }
    let filter = input.clone();
    with_list(state, |l, _| l.set_filter(filter, now));
    state.mode = Mode::Filter { input };
    vec![]
}

fn on_command_key(state: &mut State, key: KeyEvent, mut input: String) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            run_command(state, input.trim())
        }
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            vec![]
        }
        KeyCode::Backspace => {
            if input.pop().is_none() {
                state.mode = Mode::Normal;
            } else {
                state.mode = Mode::Command { input };
            }
            vec![]
        }
        _ => {
            if let Some(c) = is_text_input(&key) {
                input.push(c);
            }
            state.mode = Mode::Command { input };
            vec![]
        }
    }
}

/// The cluster the user is in, if any view on the stack is inside one.
fn current_cluster(state: &State) -> Option<String> {
    state.stack.iter().rev().find_map(|v| match v {
        View::Clusters(_) => None,
        View::Services { cluster, .. }
        | View::Tasks { cluster, .. }
        | View::Task { cluster, .. }
        | View::Service { cluster, .. } => Some(cluster.clone()),
    })
}

/// Rebuilds the stack as [clusters, services of `cluster`, ...rest] so Esc always walks up.
fn jump(state: &mut State, cluster: Option<String>, tasks: bool) -> Vec<Effect> {
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
    watch_top(state)
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
