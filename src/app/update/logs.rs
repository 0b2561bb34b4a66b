//! The log view: opening a tail, applying its updates, and the log view's own keys.

use super::*;

/// How far back a new log view starts: the configured `log_since` (validated at start-up), else 5 minutes.
pub(super) fn since_window(state: &State) -> (Millis, String) {
    match parse_duration(&state.context.log_since) {
        Ok(ms) => (ms, state.context.log_since.clone()),
        Err(_) => (300_000, "5m".into()),
    }
}

/// `l`: tails what is selected (a service, a task, a log group), or the task or service on screen.
pub(super) fn open_logs(state: &mut State, container: Option<String>) -> Vec<Effect> {
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
pub(super) fn apply_log(
    view: &mut LogView,
    update: TailUpdate,
    pattern_key: Option<&str>,
) -> Option<String> {
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
            let change = match pattern_key {
                Some(key) => format!("press {key} to change it"),
                None => ":filter PATTERN to change it".to_owned(),
            };
            Some(format!(
                "AWS rejected the filter pattern {pattern:?}: {error} — showing all lines; {change}"
            ))
        }
    }
}

/// Body rows of a log view (the status line takes one).
pub(super) fn log_page(state: &State) -> usize {
    state.page_rows().saturating_sub(1).max(1)
}

pub(super) fn on_log_action(state: &mut State, action: Action) -> Vec<Effect> {
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
