//! The reducer's part of actions: opening a dialog, its keys, the answers it waits for, and what happens when
//! the calls come back. Pure like the rest of `update()`: AWS is reached only through effects.
//!
//! No single key sends anything: an action key opens a dialog, the dialog shows the exact change and the
//! calls, and only `y` there sends them (scaling to zero: typing the service name, then Enter).

use super::{is_text_input, open_deploy, toast};
use crate::app::actions::*;
use crate::app::input::{InputKey, TextInput};
use crate::app::state::{Mode, State, ToastLevel, View};
use crate::aws::{Service, family_and_revision, family_rev};
use crate::model::actions::ActionKind;
use crate::model::actions::Call;
use crate::model::actions::MAX_INPUT;
use crate::model::actions::Plan;
use crate::model::actions::continue_plan;
use crate::model::actions::count_running;
use crate::model::actions::default_choice;
use crate::model::actions::force_plan;
use crate::model::actions::parse_desired;
use crate::model::actions::refusal;
use crate::model::actions::rollback_plan;
use crate::model::actions::scale_no_op;
use crate::model::actions::stop_plan;
use crate::model::deploy::Target;
use crate::protocol::DialogAnswer;
use crate::protocol::{Effect, Fetch};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The service an action would act on: the selected row of a services list, a service's details, or the
/// service of the watch screen.
pub(super) fn selected_service(state: &State) -> Option<(String, Service)> {
    match state.view() {
        View::Services { cluster, list, .. } => {
            list.selected_row().map(|s| (cluster.clone(), s.clone()))
        }
        View::Service {
            cluster, detail, ..
        } => detail.data.as_ref().map(|s| (cluster.clone(), s.clone())),
        View::Deploy(v) => v
            .snapshot
            .as_ref()
            .map(|s| (v.cluster.clone(), s.service.clone())),
        View::Metrics(v) => v
            .service_data
            .as_ref()
            .map(|s| (v.cluster.clone(), s.clone())),
        _ => None,
    }
}

pub(super) fn open(state: &mut State, kind: ActionKind) -> Vec<Effect> {
    let Some((cluster, service)) = selected_service(state) else {
        toast(
            state,
            ToastLevel::Info,
            format!(
                "{}: select a service first (a services list, a service's details, charts or deploy screen)",
                kind.label()
            ),
        );
        return vec![];
    };
    let scale_key = state
        .keymap
        .first_key(
            crate::keymap::Action::Scale,
            crate::keymap::Screen::of(state.view()),
        )
        // Unbound by the user's [keys]: help lists what is.
        .unwrap_or_else(|| "? lists its key".into());
    if let Some(reason) = refusal(kind, &service, state.context.read_only, &scale_key) {
        toast(state, ToastLevel::Error, reason);
        return vec![];
    }
    // ContinueDeployment confirms what the screen shows: the deployment and the wait it is in.
    let continued = if kind == ActionKind::ContinueDeployment {
        match waiting_deployment(state) {
            Ok((deployment, wait)) => Some(continue_plan(&cluster, &service, &deployment, wait)),
            Err(why) => {
                toast(state, ToastLevel::Info, format!("{}: {why}", kind.label()));
                return vec![];
            }
        }
    } else {
        None
    };
    state.dialog_seq += 1;
    let id = state.dialog_seq;
    let name = service.service_name.clone();
    let (body, stage, fetch) = match (kind, continued) {
        (ActionKind::ContinueDeployment, Some(plan)) => (Body::Force, Stage::Confirm(plan), None),
        (kind, _) => match kind {
            ActionKind::Scale => (
                Body::Scale(Scale {
                    input: TextInput::preselected(&service.desired_count.to_string()),
                    autoscaling: Fetched::Loading,
                    move_bounds: false,
                    typed_name: None,
                }),
                Stage::Edit,
                Some(Fetch::Autoscaling {
                    cluster: cluster.clone(),
                    service: name.clone(),
                }),
            ),
            ActionKind::ForceDeployment => (
                Body::Force,
                Stage::Confirm(force_plan(&cluster, &service)),
                None,
            ),
            ActionKind::Rollback => (
                Body::Rollback {
                    revisions: Fetched::Loading,
                    selected: 0,
                    diff: None,
                },
                Stage::Edit,
                Some(revisions_fetch(&cluster, &service)),
            ),
            ActionKind::StopDeployment => (
                Body::Stop {
                    deployment: Fetched::Loading,
                },
                Stage::Edit,
                Some(Fetch::InProgress {
                    cluster: cluster.clone(),
                    service: name.clone(),
                }),
            ),
            ActionKind::ShiftTraffic => (
                Body::Traffic {
                    traffic: Fetched::Loading,
                    selected: 1,
                    percent: TextInput::new(""),
                },
                Stage::Edit,
                Some(traffic_fetch(&cluster, &service)),
            ),
            // Handled above (a plan is made or the key refused before a dialog opens).
            ActionKind::ContinueDeployment => return vec![],
        },
    };
    state.mode = Mode::Dialog(Box::new(Dialog {
        id,
        kind,
        cluster,
        service,
        body,
        stage,
        error: None,
        warning: None,
        note: None,
    }));
    fetch
        .map(|fetch| vec![Effect::Fetch { id, fetch }])
        .unwrap_or_default()
}

/// The CodeDeploy deployment the screen shows and the wait ContinueDeployment would end, or why there is
/// none (not a CODE_DEPLOY screen, nothing read yet, not waiting).
fn waiting_deployment(state: &State) -> Result<(String, &'static str), String> {
    use crate::model::codedeploy::CodeDeployState;
    let blue_green = match state.view() {
        View::Deploy(v) => v.snapshot.as_ref().and_then(|s| s.codedeploy.as_ref()),
        View::Service { blue_green, .. } => blue_green.as_deref(),
        _ => None,
    };
    let Some(CodeDeployState::Found(found)) = blue_green.and_then(|b| b.codedeploy.as_ref()) else {
        return Err(
            "open the service's deploy screen (W) or details once its CodeDeploy deployment is shown".into(),
        );
    };
    let Some(deployment) = found.current() else {
        return Err("the deployment group has no deployment".into());
    };
    let after_allow_traffic_done = found
        .target
        .as_ref()
        .and_then(|t| t.as_ref().ok())
        .is_some_and(|t| {
            t.lifecycle_events
                .iter()
                .any(|e| e.name == "AfterAllowTraffic" && e.status == "Succeeded")
        });
    let wait = crate::model::actions::continue_wait(&deployment.status, after_allow_traffic_done)?;
    Ok((deployment.deployment_id.clone(), wait))
}

/// The rollback dialog's question: the family's revisions, and which deployed well.
fn revisions_fetch(cluster: &str, service: &Service) -> Fetch {
    let family = family_and_revision(&service.task_definition)
        .map(|(f, _)| f.to_owned())
        .unwrap_or_default();
    let previous = service
        .deployments
        .iter()
        .find(|d| d.status == "ACTIVE" && d.task_definition != service.task_definition)
        .map(|d| d.task_definition.clone());
    Fetch::Revisions {
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        family,
        current: service.task_definition.clone(),
        previous,
    }
}

/// The traffic dialog's question: the service's routes, its partner and the groups' health.
fn traffic_fetch(cluster: &str, service: &Service) -> Fetch {
    Fetch::Traffic {
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        target_groups: service.target_group_arns(),
    }
}

/// Asks again what the dialog failed to learn (the executor already retried transient failures with the
/// shared backoff; this is the user's `r` after it gave up or after a permanent error was fixed).
fn retry_fetch(d: &mut Dialog) -> Option<Effect> {
    let fetch = match (&mut d.body, &d.stage) {
        (Body::Scale(s), Stage::Edit) if matches!(s.autoscaling, Fetched::Failed(_)) => {
            s.autoscaling = Fetched::Loading;
            Fetch::Autoscaling {
                cluster: d.cluster.clone(),
                service: d.service.service_name.clone(),
            }
        }
        (Body::Rollback { revisions, .. }, Stage::Edit)
            if matches!(revisions, Fetched::Failed(_)) =>
        {
            *revisions = Fetched::Loading;
            revisions_fetch(&d.cluster, &d.service)
        }
        (
            Body::Rollback {
                diff: Some(diff), ..
            },
            Stage::Confirm(plan),
        ) if matches!(diff, Fetched::Failed(_)) => {
            let to = plan.calls.iter().find_map(|c| match c {
                Call::UpdateService(req) => req.task_definition.clone(),
                _ => None,
            })?;
            *diff = Fetched::Loading;
            Fetch::Diff {
                from: d.service.task_definition.clone(),
                to,
            }
        }
        (Body::Traffic { traffic, .. }, Stage::Edit) if matches!(traffic, Fetched::Failed(_)) => {
            *traffic = Fetched::Loading;
            d.error = None;
            traffic_fetch(&d.cluster, &d.service)
        }
        (Body::Stop { deployment }, Stage::Edit) if matches!(deployment, Fetched::Failed(_)) => {
            *deployment = Fetched::Loading;
            d.error = None;
            Fetch::InProgress {
                cluster: d.cluster.clone(),
                service: d.service.service_name.clone(),
            }
        }
        _ => return None,
    };
    Some(Effect::Fetch { id: d.id, fetch })
}

/// `r` retries a failed lookup where `r` types nothing; Ctrl-r everywhere (the scale dialog takes letters).
fn is_retry_key(d: &Dialog, key: &KeyEvent) -> bool {
    let typing = matches!(d.body, Body::Scale(_));
    match key.code {
        KeyCode::Char('r') if key.modifiers.contains(KeyModifiers::CONTROL) => true,
        KeyCode::Char('r') => !typing && key.modifiers.is_empty(),
        _ => false,
    }
}

/// An answer from AWS for the dialog `id` (dropped if that dialog is gone).
pub(super) fn answer(state: &mut State, id: u64, answer: DialogAnswer) {
    let Mode::Dialog(d) = &mut state.mode else {
        return;
    };
    if d.id != id {
        return;
    }
    match (&mut d.body, answer) {
        (Body::Scale(s), DialogAnswer::Autoscaling(r)) => {
            s.autoscaling = r.into();
            match &d.stage {
                Stage::Edit => d.warning = scale_warning(s),
                // Enter came before the bounds: the confirmation is made again with them, so it warns that
                // autoscaling will undo the count and offers Tab to move min/max, as when they came first.
                Stage::Confirm(_) => {
                    if let Ok(n) = parse_desired(&s.input) {
                        d.warning = scale_warning(s);
                        d.stage = Stage::Confirm(scale_plan(&d.cluster, &d.service, n, s));
                    }
                }
                _ => {}
            }
        }
        (
            Body::Rollback {
                revisions,
                selected,
                ..
            },
            DialogAnswer::Revisions(r),
        ) => {
            let r = r.map(|mut r| {
                count_running(&mut r, &d.service);
                r
            });
            if let Ok(r) = &r {
                *selected = default_choice(&r.list);
            }
            *revisions = r.into();
        }
        (Body::Rollback { diff, .. }, DialogAnswer::Diff(r)) => *diff = Some(r.into()),
        (Body::Traffic { traffic, .. }, DialogAnswer::Traffic(r)) => {
            if let Ok(t) = &r
                && let Err(why) = &t.pair
            {
                d.error = Some(why.clone());
            }
            *traffic = r.into();
        }
        (Body::Stop { deployment }, DialogAnswer::InProgress(r)) => {
            if let Ok(Some(brief)) = &r {
                d.stage = Stage::Confirm(stop_plan(&d.cluster, &d.service, brief));
            } else if let Ok(None) = &r {
                d.error = Some(format!(
                    "no deployment of {} is in progress: there is nothing to stop",
                    d.service.service_name
                ));
            }
            *deployment = r.into();
        }
        _ => {}
    }
}

/// The calls of dialog `id` came back.
pub(super) fn executed(
    state: &mut State,
    id: u64,
    result: Result<Option<Box<Service>>, String>,
    audit_error: Option<String>,
) -> Vec<Effect> {
    let open = match &state.mode {
        Mode::Dialog(d) if d.id == id => Some(d.as_ref().clone()),
        _ => None,
    };
    let plan = open.as_ref().and_then(|d| match &d.stage {
        Stage::Sending(p) => Some(p.clone()),
        _ => None,
    });
    match result {
        Err(error) => {
            if let (Some(mut d), Some(plan)) = (open, plan) {
                d.stage = Stage::Failed { plan, error };
                state.mode = Mode::Dialog(Box::new(d));
            } else {
                toast(state, ToastLevel::Error, error);
            }
            vec![]
        }
        Ok(service) => {
            let audit = audit_error
                .map(|e| format!(" (audit log NOT written: {e})"))
                .unwrap_or_default();
            let Some(plan) = plan else {
                toast(state, ToastLevel::Info, format!("action sent{audit}"));
                return vec![];
            };
            state.mode = Mode::Normal;
            let level = if audit.is_empty() {
                ToastLevel::Info
            } else {
                ToastLevel::Error
            };
            toast(
                state,
                level,
                format!(
                    "{} {}: {} — sent{audit}",
                    plan.kind.label(),
                    plan.service,
                    plan.changes.join(", ")
                ),
            );
            let target = match (plan.kind, service.as_deref()) {
                (ActionKind::Scale, Some(s)) => Target::Desired(s.desired_count),
                (ActionKind::ForceDeployment | ActionKind::Rollback, Some(s)) => {
                    match s.primary_deployment() {
                        Some(p) => Target::Deployment {
                            id: p.id.clone(),
                            task_definition: p.task_definition.clone(),
                        },
                        None => Target::Primary,
                    }
                }
                // Judged from the dialog's service: the deployment under way when the user asked to stop it.
                (ActionKind::StopDeployment, _) => match open
                    .as_ref()
                    .and_then(|d| d.service.primary_deployment())
                    .filter(|p| p.rollout_state.as_deref() == Some("IN_PROGRESS"))
                {
                    Some(p) => Target::Stopped {
                        id: p.id.clone(),
                        task_definition: p.task_definition.clone(),
                    },
                    None => Target::Primary,
                },
                _ => Target::Primary,
            };
            open_deploy(state, &plan.cluster, &plan.service, target)
        }
    }
}

pub(super) fn on_key(state: &mut State, key: KeyEvent, mut d: Dialog) -> Vec<Effect> {
    // `?` typed is a question (counts are digits and service names hold no `?`); in a paste it is text.
    if key.code == KeyCode::Char('?')
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        d.note = Some(d.help());
        state.mode = Mode::Dialog(Box::new(d));
        return vec![];
    }
    on_typed_key(state, key, d)
}

/// A key as the dialog's field and stages take it. A pasted character comes here directly, so a `?` in a
/// paste is text for the field (and refused by it) rather than a question that silently drops it.
fn on_typed_key(state: &mut State, key: KeyEvent, mut d: Dialog) -> Vec<Effect> {
    let mut effects = vec![];
    d.note = None;
    if is_retry_key(&d, &key)
        && let Some(effect) = retry_fetch(&mut d)
    {
        state.mode = Mode::Dialog(Box::new(d));
        return vec![effect];
    }
    // `n` answers a confirmation like Esc (unless it is a letter of the service name being typed).
    let code = match (&d.stage, key.code) {
        (Stage::Confirm(p), KeyCode::Char('n')) if !needs_name(p) => KeyCode::Esc,
        (_, code) => code,
    };
    let close = match (&d.stage, code) {
        (Stage::Sending(_), KeyCode::Esc) => {
            toast(
                state,
                ToastLevel::Info,
                "the calls were already sent; the result will show here",
            );
            true
        }
        (Stage::Sending(_), _) => {
            d.note = nothing_here(&d, &key);
            false
        }
        (Stage::Failed { .. }, KeyCode::Esc | KeyCode::Enter) => true,
        (Stage::Failed { .. }, _) => {
            d.note = nothing_here(&d, &key);
            false
        }
        (Stage::Confirm(_), KeyCode::Esc) => match d.body {
            // Back to choosing; the other dialogs have nothing to choose.
            Body::Scale(ref mut s) => {
                s.typed_name = None;
                d.stage = Stage::Edit;
                d.error = None;
                d.warning = scale_warning(s);
                false
            }
            Body::Rollback { ref mut diff, .. } => {
                *diff = None;
                d.stage = Stage::Edit;
                d.error = None;
                false
            }
            Body::Traffic { .. } => {
                d.stage = Stage::Edit;
                d.error = None;
                false
            }
            _ => true,
        },
        (Stage::Edit, KeyCode::Esc) => true,
        (Stage::Confirm(plan), _) => {
            let plan = plan.clone();
            confirm_key(state, &mut d, key, plan, &mut effects);
            false
        }
        (Stage::Edit, _) => {
            edit_key(&mut d, key, &mut effects);
            false
        }
    };
    state.mode = if close {
        Mode::Normal
    } else {
        Mode::Dialog(Box::new(d))
    };
    effects
}

/// A paste into a dialog: its text field takes it as typed characters in one step (the same checks and
/// caps as typing); a dialog stage without a text field ignores it, so pasted text never answers y/n.
pub(super) fn on_paste(state: &mut State, text: &str, mut d: Dialog) -> Vec<Effect> {
    let has_field = match &d.stage {
        Stage::Edit => matches!(d.body, Body::Scale(_)),
        Stage::Confirm(plan) => needs_name(plan),
        _ => false,
    };
    if !has_field {
        state.mode = Mode::Dialog(Box::new(d));
        toast(
            state,
            ToastLevel::Info,
            "ignored a paste: this dialog has no text field here",
        );
        return vec![];
    }
    // A copied count or name often comes with its line break or spaces around it.
    let text = text.trim();
    if text.chars().any(char::is_control) {
        d.error = Some(
            "ignored a paste with line breaks or control characters: this field is one line".into(),
        );
        state.mode = Mode::Dialog(Box::new(d));
        return vec![];
    }
    let mut effects = vec![];
    // One more than any field holds, so an over-long paste ends on the field's own "too long" message.
    for c in text.chars().take(MAX_INPUT + 1) {
        effects.extend(on_typed_key(state, KeyEvent::from(KeyCode::Char(c)), d));
        let Mode::Dialog(next) = std::mem::replace(&mut state.mode, Mode::Normal) else {
            return effects;
        };
        d = *next;
    }
    state.mode = Mode::Dialog(Box::new(d));
    effects
}

/// One key into a dialog's one-line field (the same editing keys as every text input); what it could not
/// do comes back as the dialog's error.
pub(super) fn edit_field(
    field: &mut TextInput,
    key: &KeyEvent,
    max_chars: usize,
    too_long: impl Fn() -> String,
) -> Option<String> {
    let before = field.clone();
    match field.key(key) {
        InputKey::Edited if field.value().chars().count() > max_chars => {
            *field = before;
            Some(too_long())
        }
        InputKey::Edited | InputKey::Moved => None,
        InputKey::NotMine
            if is_text_input(key).is_none() && matches!(key.code, KeyCode::Char(_)) =>
        {
            Some("ignored a control character (pasted text?)".into())
        }
        InputKey::NotMine => None,
    }
}

/// Scaling to zero stops every task: the service name must be typed.
fn needs_name(plan: &Plan) -> bool {
    plan.kind == ActionKind::Scale && plan.after == "desired 0"
}

fn confirm_key(
    state: &State,
    d: &mut Dialog,
    key: KeyEvent,
    plan: Plan,
    effects: &mut Vec<Effect>,
) {
    if needs_name(&plan) {
        let Body::Scale(s) = &mut d.body else { return };
        let typed = s.typed_name.get_or_insert_with(|| TextInput::new(""));
        match key.code {
            KeyCode::Enter if typed.value() == d.service.service_name => {
                send(state, d, plan, effects);
            }
            KeyCode::Enter => {
                d.error = Some(format!(
                    "type the service name {} exactly to scale it to 0",
                    d.service.service_name
                ))
            }
            _ => {
                d.error = edit_field(typed, &key, MAX_INPUT, || {
                    format!("at most {MAX_INPUT} characters")
                })
            }
        }
        return;
    }
    match key.code {
        KeyCode::Tab => {
            // Move autoscaling's min/max along (or not), and show the new plan.
            if let Body::Scale(s) = &mut d.body
                && let Ok(n) = parse_desired(&s.input)
            {
                s.move_bounds = !s.move_bounds;
                d.warning = scale_warning(s);
                d.stage = Stage::Confirm(scale_plan(&d.cluster, &d.service, n, s));
            }
        }
        KeyCode::Char('y') => send(state, d, plan, effects),
        _ => d.note = nothing_here(d, &key),
    }
}

/// "x: nothing here — y send · Esc back": a key the dialog does not take, answered instead of ignored.
pub(super) fn nothing_here(d: &Dialog, key: &KeyEvent) -> Option<String> {
    let name = match key.code {
        KeyCode::Char(c) if key.modifiers.contains(KeyModifiers::CONTROL) => format!("Ctrl-{c}"),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        // Enter and Tab are what people try on a confirmation: say what works instead.
        KeyCode::Enter => "Enter".into(),
        KeyCode::Tab => "Tab".into(),
        // Arrows, Backspace and the like do nothing in a dialog that has nothing to move: no need to say it.
        _ => return None,
    };
    Some(format!("{name}: nothing here — {}", d.keys()))
}

fn send(state: &State, d: &mut Dialog, plan: Plan, effects: &mut Vec<Effect>) {
    // The action keys already refuse in read-only mode; this is the last gate before anything leaves.
    if state.context.read_only {
        d.error = Some(format!(
            "read-only mode: {} refused, nothing was sent",
            d.kind.label()
        ));
        return;
    }
    if !crate::app::actions::dialog_fits(state.width, state.height) {
        let (w, h) = crate::app::actions::DIALOG_MIN;
        d.error = Some(format!(
            "the terminal ({}x{}) is too small to show the change (it needs {w}x{h}): enlarge it, then send — nothing was sent",
            state.width, state.height
        ));
        return;
    }
    d.error = None;
    d.stage = Stage::Sending(plan.clone());
    effects.push(Effect::Execute { id: d.id, plan });
}

fn edit_key(d: &mut Dialog, key: KeyEvent, effects: &mut Vec<Effect>) {
    if let Body::Rollback { revisions, .. } = &d.body
        && !matches!(revisions, Fetched::Ready(_))
    {
        d.note = nothing_here(d, &key);
        return;
    }
    match &mut d.body {
        Body::Scale(s) => {
            match key.code {
                KeyCode::Tab => {
                    s.move_bounds = !s.move_bounds;
                }
                KeyCode::Enter => match parse_desired(&s.input) {
                    Err(e) => d.error = Some(e),
                    Ok(n) => match scale_no_op(&d.service, n) {
                        Some(why) => d.error = Some(why),
                        None => {
                            d.error = None;
                            if n == 0 {
                                s.typed_name = Some(TextInput::new(""));
                            }
                            d.stage = Stage::Confirm(scale_plan(&d.cluster, &d.service, n, s));
                        }
                    },
                },
                _ => {
                    d.error = edit_field(&mut s.input, &key, MAX_COUNT_INPUT, || {
                        format!(
                            "too long: a desired count is at most {} digits",
                            MAX_DESIRED_DIGITS
                        )
                    })
                }
            }
            d.warning = scale_warning(s);
        }
        Body::Rollback {
            revisions,
            selected,
            diff,
        } => {
            let Fetched::Ready(r) = revisions else {
                return;
            };
            let last = r.list.len().saturating_sub(1);
            match key.code {
                KeyCode::Char('j') | KeyCode::Down => *selected = (*selected + 1).min(last),
                KeyCode::Char('k') | KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Char('g') | KeyCode::Home => *selected = 0,
                KeyCode::Char('G') | KeyCode::End => *selected = last,
                KeyCode::Enter => {
                    let Some(choice) = r.list.get(*selected) else {
                        return;
                    };
                    if choice.primary {
                        d.error = Some(format!(
                            "{} is the service's task definition now: pick another revision",
                            family_rev(&choice.task_definition)
                        ));
                        return;
                    }
                    d.error = None;
                    let to = choice.task_definition.clone();
                    *diff = Some(Fetched::Loading);
                    effects.push(Effect::Fetch {
                        id: d.id,
                        fetch: Fetch::Diff {
                            from: d.service.task_definition.clone(),
                            to: to.clone(),
                        },
                    });
                    d.stage = Stage::Confirm(rollback_plan(&d.cluster, &d.service, &to));
                }
                _ => d.note = nothing_here(d, &key),
            }
        }
        Body::Traffic { .. } => super::traffic::edit_key(d, key),
        Body::Stop { .. } | Body::Force => d.note = nothing_here(d, &key),
    }
}

const MAX_DESIRED_DIGITS: usize = 4;
/// Longer than any valid count, so "99999" is told it is above the maximum rather than cut short.
const MAX_COUNT_INPUT: usize = 12;
