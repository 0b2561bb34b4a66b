//! The charts view and the fleet metric columns: what to fetch, windows and columns.

use super::*;

/// What the metrics worker should keep fresh for the view on screen (nothing for most views).
pub(super) fn metrics_effect(state: &State) -> Effect {
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
pub(super) fn open_metrics(state: &mut State) -> Vec<Effect> {
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
pub(super) fn set_window(state: &mut State, window: Window) -> Vec<Effect> {
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

pub(super) fn step_window(state: &mut State, delta: i32) -> Vec<Effect> {
    let current = match state.view() {
        View::Metrics(v) => v.window,
        View::Service { metrics, .. } => metrics.window,
        _ => return vec![],
    };
    set_window(state, current.step(delta))
}

/// `M`: the billed CPU / 5XX columns of a services list, on or off.
pub(super) fn toggle_columns(state: &mut State) -> Vec<Effect> {
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
