//! `update()`: the only place state changes. Pure: no I/O, no clock reads; time arrives as `Msg::Tick`.

use super::deploy::DeployView;
use super::input::{InputKey, TextInput};
use super::list::*;
use super::logs::{LogView, TextFilter};
use super::metrics::{MetricsView, fleet_request};
use super::rows::Row;
use super::state::*;
use crate::aws::Millis;
use crate::aws::{FilterPattern, arn_name};
use crate::keymap::{self, Action};
use crate::model::actions::ActionKind;
use crate::model::deploy::Target;
use crate::model::metrics::Window;
use crate::model::time::parse_duration;
use crate::protocol::Effect;
use crate::protocol::MetricsUpdate;
use crate::protocol::TailUpdate;
use crate::protocol::{DataUpdate, Msg, Rows};
use crate::protocol::{LogRequest, LogTarget};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

mod commands;
mod dialogs;
mod keys;
mod lists;
mod logs;
mod metrics;
mod navigation;
mod prompts;
mod results;
mod traffic;

use crate::protocol::Scope;
use commands::*;
use keys::*;
use lists::*;
use logs::*;
use metrics::*;
use navigation::*;
use prompts::*;
pub use results::worker_gave_up;
use results::*;

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
                // Messages name the user's key ([keys] may have moved it).
                let pattern_key = state
                    .keymap
                    .first_key(Action::Pattern, keymap::Screen::Logs);
                let pattern_key = pattern_key.as_deref();
                let error = match state.view_mut() {
                    View::Logs(view) => apply_log(view, update, pattern_key),
                    View::Deploy(v) => v
                        .logs
                        .as_mut()
                        .and_then(|l| apply_log(l, update, pattern_key)),
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
            dialogs::answer(state, id, answer);
            vec![]
        }
        Msg::Executed {
            id,
            result,
            audit_error,
        } => dialogs::executed(state, id, result, audit_error),
        Msg::Key(key) if key.kind == KeyEventKind::Release => vec![],
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::WorkerFailed { worker, message } => worker_failed(state, worker, message),
        Msg::WorkerRestarted(worker) => worker_restarted(state, worker),
    }
}

pub(super) fn toast(state: &mut State, level: ToastLevel, text: impl Into<String>) {
    state.toast = Some(Toast {
        text: text.into(),
        level,
        until: state.now + TOAST_MS,
    });
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
        Mode::Dialog(dialog) => return dialogs::on_paste(state, text, *dialog),
        Mode::Normal | Mode::Help { .. } | Mode::Raw { .. } => toast(
            state,
            ToastLevel::Info,
            "a paste goes into a text input: open one first (/ filter, : command)",
        ),
    }
    vec![]
}
