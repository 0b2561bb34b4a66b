//! Results from the workers (rows, details, failures of the workers themselves) applied to the state.

use super::*;

pub(super) fn apply_data(state: &mut State, update: DataUpdate) {
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
        View::Service { traffic, .. } if matches!(update, DataUpdate::Traffic(_)) => {
            if let DataUpdate::Traffic(t) = update {
                *traffic = Some(*t);
            }
        }
        View::Deploy(view) if matches!(update, DataUpdate::Traffic(_)) => {
            if let DataUpdate::Traffic(t) = update {
                view.traffic = Some(*t);
            }
        }
        View::Service {
            blue_green: slot, ..
        } if matches!(update, DataUpdate::BlueGreen(_)) => {
            if let DataUpdate::BlueGreen(b) = update {
                *slot = Some(b);
            }
        }
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

pub(super) fn apply_list<R: Row>(
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
        DataUpdate::TaskDetail { .. }
        | DataUpdate::ServiceDetail(_)
        | DataUpdate::BlueGreen(_)
        | DataUpdate::Deploy(_)
        | DataUpdate::Traffic(_) => {}
    }
}

pub(super) fn apply_detail<T>(
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

/// A worker panicked. The event loop has decided already whether it comes back (`Restarting` or `GaveUp`
/// for the restartable ones); the keyboard reader cannot come back, so the app ends with the message.
pub(super) fn worker_failed(
    state: &mut State,
    worker: crate::protocol::Worker,
    message: String,
) -> Vec<Effect> {
    use crate::protocol::Worker;
    let recovery = match worker {
        Worker::Executor | Worker::Input => Recovery::None,
        _ => Recovery::Restarting,
    };
    if worker == Worker::Executor
        && let Mode::Dialog(d) = &mut state.mode
    {
        executor_stopped(d, &message);
    }
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

/// The executor stopped while a dialog waited for it: its answer will never come, so the dialog must not
/// keep saying "sending…" or "asking…". Calls in flight may or may not have reached AWS: say so, and where
/// to look; lookups become failures that `r` asks again (each is a new task).
fn executor_stopped(d: &mut crate::app::actions::Dialog, why: &str) {
    use crate::app::actions::{Body, Fetched, Stage};
    use crate::aws::ApiError;
    if let Stage::Sending(plan) = &d.stage {
        d.stage = Stage::Failed {
            plan: plan.clone(),
            error: format!(
                "the action executor stopped while sending ({why}): the calls may or may not have reached AWS — \
                 check the service's events and the audit log's intent line before trying again"
            ),
        };
        return;
    }
    let error = ApiError::Other(format!("the action executor stopped: {why}"));
    match &mut d.body {
        Body::Scale(s) if matches!(s.autoscaling, Fetched::Loading) => {
            s.autoscaling = Fetched::Failed(error)
        }
        Body::Rollback { revisions, .. } if matches!(revisions, Fetched::Loading) => {
            *revisions = Fetched::Failed(error)
        }
        Body::Rollback {
            diff: Some(diff), ..
        } if matches!(diff, Fetched::Loading) => *diff = Fetched::Failed(error),
        Body::Stop { deployment } if matches!(deployment, Fetched::Loading) => {
            *deployment = Fetched::Failed(error)
        }
        Body::Traffic { traffic, .. } if matches!(traffic, Fetched::Loading) => {
            *traffic = Fetched::Failed(error)
        }
        _ => {}
    }
}

/// The loop gave up on a worker that kept failing.
pub fn worker_gave_up(state: &mut State) {
    if let Some(fault) = &mut state.fault {
        fault.recovery = Recovery::GaveUp;
    }
}

/// A restarted worker starts idle: ask it again for what the view on screen needs.
pub(super) fn worker_restarted(state: &mut State, worker: crate::protocol::Worker) -> Vec<Effect> {
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
