//! The view stack: opening, leaving and jumping between views, and what each view watches.

use super::*;
use crate::model::deploy::event_lines;
use crate::protocol::Scope;

pub(super) fn watch_top(state: &mut State) -> Vec<Effect> {
    state.generation += 1;
    vec![
        Effect::Watch {
            scope: state.view().scope(),
            generation: state.generation,
        },
        metrics_effect(state),
    ]
}

/// Changes the navigation stack and watches the new top. The one place a tail stops: when its log view
/// leaves the screen, whichever way it leaves.
pub(super) fn navigate(state: &mut State, change: impl FnOnce(&mut State)) -> Vec<Effect> {
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

pub(super) fn push(state: &mut State, scope: Scope) -> Vec<Effect> {
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

pub(super) fn pop(state: &mut State) -> Vec<Effect> {
    if state.stack.len() > 1 {
        navigate(state, |s| {
            s.stack.pop();
        })
    } else {
        vec![]
    }
}

/// `W`: the deploy watch screen of the selected service.
pub(super) fn open_watch(state: &mut State) -> Vec<Effect> {
    match super::dialogs::selected_service(state) {
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

/// The watch screen's logs pane starts with its first refresh: the revision to show is known then.
pub(super) fn start_deploy_logs(state: &mut State) -> Option<Effect> {
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

/// The cluster the user is in, if any view on the stack is inside one.
pub(super) fn current_cluster(state: &State) -> Option<String> {
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
pub(super) fn jump(state: &mut State, cluster: Option<String>, tasks: bool) -> Vec<Effect> {
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

/// The scroll of a view that scrolls by lines and how far it goes; None for views that move otherwise (tables,
/// charts, logs),
/// which then ignore the key.
pub(super) fn detail_scroll(state: &mut State) -> Option<(&mut u16, u16)> {
    match state.view_mut() {
        View::Task { detail, .. } => Some((&mut detail.scroll, detail.scroll_max.get())),
        View::Service { detail, .. } => Some((&mut detail.scroll, detail.scroll_max.get())),
        // The events column scrolls: at most to its last event (never past it into an empty column).
        View::Deploy(v) => {
            let last = event_lines(&v.events).len().saturating_sub(1);
            Some((&mut v.scroll, u16::try_from(last).unwrap_or(u16::MAX)))
        }
        View::Clusters(_)
        | View::Services { .. }
        | View::Tasks { .. }
        | View::LogGroups { .. }
        | View::Logs(_)
        | View::Metrics(_) => None,
    }
}

/// Scrolling inside an overlay or a detail view, by the keymap's keys; None if the key does not scroll.
pub(super) fn scroll_key(state: &State, key: &KeyEvent, scroll: u16, max: u16) -> Option<u16> {
    let action = state.keymap.global_binding(key, state.view())?.action;
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

/// Esc, the quit key, or the key that opened the overlay closes it.
pub(super) fn closes_overlay(state: &State, key: &KeyEvent, toggle: Action) -> bool {
    key.code == KeyCode::Esc
        || state
            .keymap
            .binding_for(key, state.view())
            .is_some_and(|b| b.action == Action::Quit || b.action == toggle)
}
