//! The deploy watch screen and the actions' dialogs.

use super::detail::{fields, section, text_table};
use super::{placeholder, stale_banner, wrapped_height};
use crate::app::actions::{Body, Dialog, Fetched, Stage};
use crate::app::deploy::DeployView;
use crate::app::rows::status_tone;
use crate::app::state::State;
use crate::aws::{ApiError, ServiceDeployment, family_rev};
use crate::model::actions::Plan;
use crate::model::deploy::{Outcome, event_lines, stopped_groups, target_group_name, target_rows};
use crate::model::time::{age, clock};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// `[██████░░░░]`: running of desired.
fn bar(running: i32, desired: i32, width: usize) -> String {
    let filled = if desired <= 0 {
        width
    } else {
        ((running.max(0) as usize * width) / desired as usize).min(width)
    };
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

fn outcome_line(view: &DeployView, theme: &Theme) -> Line<'static> {
    let outcome = view.outcome();
    let style = match &outcome {
        Outcome::Succeeded(_) => theme.ok,
        Outcome::Failed(_) => theme.error,
        Outcome::InProgress(_) | Outcome::Deployed(_) | Outcome::Stopped(_) | Outcome::Waiting => {
            theme.warn
        }
    };
    let icon = match &outcome {
        Outcome::Succeeded(_) => "✔",
        Outcome::Failed(_) => "✖",
        Outcome::Deployed(_) => "⚠",
        Outcome::Stopped(_) => "■",
        _ => "⟳",
    };
    Line::from(vec![
        Span::raw(" "),
        Span::styled(format!("{icon} {}", outcome.text()), style),
    ])
}

fn service_deployment_lines(
    view: &DeployView,
    list: &[ServiceDeployment],
    now: i64,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let rows = list
        .iter()
        .map(|d| {
            let breaker = d
                .circuit_breaker
                .as_ref()
                .map(|c| format!("{}/{} {}", c.failure_count, c.threshold, c.status))
                .unwrap_or_else(|| "-".into());
            // ECS says only whether it monitors an alarm; CloudWatch says whether that alarm fires.
            let (alarms, alarm_tone) = d
                .alarms
                .as_ref()
                .map(|a| {
                    let mut firing = !a.triggered_alarm_names.is_empty();
                    let states: Vec<String> = a
                        .alarm_names
                        .iter()
                        .map(|name| {
                            let state = if a.triggered_alarm_names.contains(name) {
                                "TRIGGERED"
                            } else {
                                view.alarm_state(name).unwrap_or("state unknown")
                            };
                            firing |= state == "ALARM";
                            format!("{name} {state}")
                        })
                        .collect();
                    let tone = if firing { theme.error } else { theme.base };
                    (format!("{}: {}", a.status, states.join(", ")), tone)
                })
                .unwrap_or_else(|| ("-".into(), theme.base));
            let tone = match d.status.as_str() {
                "SUCCESSFUL" => theme.ok,
                s if s.starts_with("ROLLBACK") || s == "STOPPED" => theme.error,
                _ => theme.warn,
            };
            let reason = d
                .rollback_reason
                .as_ref()
                .map(|r| format!("rollback: {r}"))
                .or_else(|| d.status_reason.clone())
                .unwrap_or_default();
            vec![
                (d.status.clone(), tone),
                (d.lifecycle_stage.clone().unwrap_or("-".into()), theme.base),
                (breaker, theme.base),
                (alarms, alarm_tone),
                (age(now, d.started_at), theme.muted),
                (reason, theme.muted),
            ]
        })
        .collect();
    text_table(
        &["STATUS", "STAGE", "BREAKER", "ALARMS", "AGE", "REASON"],
        rows,
        theme,
    )
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &DeployView, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(
            format!(" deploy: {} ({}) ", view.service, view.cluster),
            theme.title,
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(snap) = &view.snapshot else {
        placeholder(frame, inner, &view.load, "No deployments.", theme);
        return;
    };
    let now = state.now;
    let s = &snap.service;

    // Top: the verdict, the deployments and the service deployments API.
    // The verdict and the STALE line wrap: what is still wrong and what to do are at their ends.
    let mut head = vec![outcome_line(view, theme)];
    if let Some(banner) = stale_banner(&view.load, now, theme) {
        head.push(banner);
    }
    let mut top = vec![fields(
        &[
            ("desired", s.desired_count.to_string(), theme.base),
            ("running", s.running_count.to_string(), theme.base),
            ("pending", s.pending_count.to_string(), theme.base),
            (
                "controller",
                s.deployment_controller.as_str().into(),
                theme.base,
            ),
            (
                "refresh",
                if snap.rolling() {
                    "fast (deploying)"
                } else if snap.busy() {
                    "fast (tasks starting or stopping)"
                } else {
                    "normal"
                }
                .into(),
                theme.muted,
            ),
        ],
        theme,
    )];
    top.push(section("Deployments", theme));
    let rows = s
        .deployments
        .iter()
        .map(|d| {
            vec![
                (d.status.clone(), theme.tone(status_tone(&d.status))),
                (family_rev(&d.task_definition).to_owned(), theme.base),
                (
                    format!(
                        "{}/{}/{}/{}",
                        d.desired_count, d.pending_count, d.running_count, d.failed_tasks
                    ),
                    if d.failed_tasks > 0 {
                        theme.error
                    } else {
                        theme.base
                    },
                ),
                (bar(d.running_count, d.desired_count, 10), theme.ok),
                (
                    d.rollout_state.clone().unwrap_or("-".into()),
                    theme.tone(status_tone(d.rollout_state.as_deref().unwrap_or(""))),
                ),
                (age(now, d.created_at), theme.muted),
                (
                    d.rollout_state_reason.clone().unwrap_or_default(),
                    theme.muted,
                ),
            ]
        })
        .collect();
    top.extend(text_table(
        &[
            "",
            "REVISION",
            "DES/PEN/RUN/FAIL",
            "PROGRESS",
            "ROLLOUT",
            "AGE",
            "REASON",
        ],
        rows,
        theme,
    ));
    match &snap.deployments {
        Ok(list) if !list.is_empty() => {
            top.push(section("Service deployments", theme));
            top.extend(service_deployment_lines(view, list, now, theme));
        }
        Ok(_) => {}
        Err(e) => top.push(Line::from(Span::styled(
            format!("  service deployments API unavailable: {e}"),
            theme.muted,
        ))),
    }

    // The verdict comes first, whole, even on a small screen; the tables share what is left.
    let head_height = wrapped_height(&head, inner.width).min(inner.height);
    let top_height = (top.len() as u16 + 1).min((inner.height / 2).saturating_sub(head_height));
    let pane = if inner.height >= 40 { 11 } else { 0 };
    let [head_area, rest] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(0)]).areas(inner);
    let [top_area, middle, pane_area] = Layout::vertical([
        Constraint::Length(top_height),
        Constraint::Min(4),
        Constraint::Length(pane),
    ])
    .areas(rest);
    frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    frame.render_widget(Paragraph::new(top), top_area);

    // Middle: targets and stopped tasks on the left, events on the right.
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(middle);
    let mut lines = vec![section("Target health (by revision)", theme)];
    let groups = target_rows(snap);
    if groups.is_empty() {
        lines.push(Line::from(Span::styled(
            "  no load balancer target groups",
            theme.muted,
        )));
    }
    for (arn, rows) in groups {
        let name = target_group_name(&arn).to_owned();
        lines.push(Line::from(Span::styled(format!("  {name}"), theme.label)));
        match rows {
            Err(e) => lines.push(Line::from(Span::styled(format!("    {e}"), theme.error))),
            Ok(rows) if rows.is_empty() => {
                lines.push(Line::from(Span::styled("    no targets", theme.muted)))
            }
            Ok(rows) => {
                let reasons = rows.iter().any(|r| r.reason.is_some());
                let table = rows
                    .into_iter()
                    .map(|r| {
                        let tone = match r.state.as_str() {
                            "healthy" => theme.ok,
                            "unhealthy" => theme.error,
                            _ => theme.warn,
                        };
                        let mut row = vec![
                            (r.revision.unwrap_or("?".into()), theme.base),
                            (r.ip, theme.base),
                            (r.task.unwrap_or("-".into()), theme.muted),
                            (r.state, tone),
                        ];
                        if reasons {
                            row.push((r.reason.unwrap_or_default(), theme.muted));
                        }
                        row
                    })
                    .collect();
                let header: &[&str] = if reasons {
                    &["REVISION", "TARGET", "TASK", "STATE", "REASON"]
                } else {
                    &["REVISION", "TARGET", "TASK", "STATE"]
                };
                lines.extend(text_table(header, table, theme));
            }
        }
    }
    lines.push(section("Stopped tasks", theme));
    let stopped = stopped_groups(&snap.tasks);
    if stopped.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.muted)));
    }
    for (reason, code, n) in stopped {
        let code = code.map(|c| format!("exit {c}")).unwrap_or("-".into());
        lines.push(Line::from(vec![
            Span::styled(format!("  {n:>3} × "), theme.error),
            Span::styled(format!("{code:<8} "), theme.label),
            Span::styled(reason, theme.base),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), left);

    let mut events = vec![section("Events (newest first)", theme)];
    let offset = state.context.utc_offset_secs;
    for e in event_lines(&view.events)
        .into_iter()
        .skip(view.scroll as usize)
    {
        let time =
            e.at.map(|t| clock(t, offset).chars().take(8).collect::<String>())
                .unwrap_or_else(|| "--:--:--".into());
        let style: Style = if e.failure { theme.error } else { theme.base };
        let mut spans = vec![
            Span::styled(format!(" {time} "), theme.muted),
            Span::styled(e.message, style),
        ];
        if e.repeats > 1 {
            spans.push(Span::styled(format!(" (×{})", e.repeats), theme.muted));
        }
        events.push(Line::from(spans));
    }
    match &view.logs {
        Some(logs) if right.height >= 12 => {
            let [ev, lg] =
                Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)])
                    .areas(right);
            frame.render_widget(Paragraph::new(events).wrap(Wrap { trim: false }), ev);
            super::logs::render(frame, lg, state, logs, theme);
        }
        _ => frame.render_widget(Paragraph::new(events).wrap(Wrap { trim: false }), right),
    }

    if pane > 0 {
        super::charts::render_pane(frame, pane_area, state, &view.metrics, theme);
    }
}

/// A dialog's failed lookup: the executor already retried what was worth retrying, so nothing is retrying
/// now; the user's key asks again.
fn gave_up(e: &ApiError, key: &str) -> String {
    // The shared hints promise retries the background refresh makes; a dialog makes them only on the key.
    let what = match e {
        ApiError::Throttled { .. } | ApiError::Network(_) => {
            "still failing after retries".to_owned()
        }
        ApiError::Other(_) => "see the log file for details".to_owned(),
        ApiError::ExpiredCredentials { .. } => "log in again (aws sso login)".to_owned(),
        _ => e.hint(),
    };
    format!("{e} — {what}; press {key} to retry")
}

fn plan_lines(plan: &Plan, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![section("Change", theme)];
    for c in &plan.changes {
        lines.push(Line::from(Span::styled(format!("  {c}"), theme.warn)));
    }
    lines.push(section("Requests to be sent, in order", theme));
    for call in &plan.calls {
        lines.push(Line::from(Span::styled(
            format!("  {}", call.text()),
            theme.base,
        )));
    }
    lines
}

/// The dialog of an action, over the screen.
pub fn render_dialog(frame: &mut Frame, area: Rect, state: &State, d: &Dialog, theme: &Theme) {
    let width = area.width.saturating_sub(4).min(110);
    let height = area.height.saturating_sub(2).min(30);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let s = &d.service;
    let title = format!(" {}: {} ({}) ", d.kind.label(), s.service_name, d.cluster);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(title, theme.title))
        .style(theme.base);
    let mut lines = vec![fields(
        &[
            ("desired", s.desired_count.to_string(), theme.base),
            ("running", s.running_count.to_string(), theme.base),
            ("pending", s.pending_count.to_string(), theme.base),
            (
                "revision",
                family_rev(&s.task_definition).to_owned(),
                theme.base,
            ),
        ],
        theme,
    )];
    match &d.body {
        Body::Scale(sc) => {
            let autoscaling = match &sc.autoscaling {
                Fetched::Loading => "autoscaling: asking Application Auto Scaling…".to_owned(),
                Fetched::Ready(Some(t)) => format!(
                    "autoscaling: min {} max {}{}",
                    t.min_capacity,
                    t.max_capacity,
                    if sc.move_bounds {
                        "   [Tab] move min/max with it: ON"
                    } else {
                        "   [Tab] move min/max with it: off"
                    }
                ),
                Fetched::Ready(None) => "autoscaling: none on this service".into(),
                Fetched::Failed(e) => format!("autoscaling: unknown ({})", gave_up(e, "Ctrl-r")),
            };
            lines.push(Line::from(Span::styled(
                format!("  {autoscaling}"),
                theme.label,
            )));
            if d.stage == Stage::Edit {
                lines.push(Line::default());
                let mut input = vec![Span::styled("  new desired count: ", theme.key)];
                input.extend(super::text_input_spans(&sc.input, FIELD_ROOM, theme));
                if sc.input.is_selected() {
                    input.push(Span::styled("  (typing replaces it)", theme.muted));
                }
                lines.push(Line::from(input));
            }
            if let (Some(typed), Stage::Confirm(_)) = (&sc.typed_name, &d.stage) {
                lines.push(Line::default());
                lines.push(Line::from(Span::styled(
                    format!(
                        "  Scaling to 0 stops every task. Type the service name ({}) and Enter:",
                        s.service_name
                    ),
                    theme.error,
                )));
                let mut field = vec![Span::raw("  ")];
                field.extend(super::text_input_spans(typed, FIELD_ROOM, theme));
                lines.push(Line::from(field));
            }
        }
        Body::Force => {}
        Body::Rollback {
            revisions,
            selected,
            diff,
        } => match revisions {
            Fetched::Loading => lines.push(Line::from(Span::styled(
                "  listing revisions…",
                theme.muted,
            ))),
            Fetched::Failed(e) => lines.push(Line::from(Span::styled(
                format!("  cannot list revisions: {}", gave_up(e, "r")),
                theme.error,
            ))),
            Fetched::Ready(r) => {
                if d.stage == Stage::Edit {
                    lines.push(Line::from(Span::styled(
                        format!("  {}  ▶ = tasks running it now", r.good_source),
                        theme.muted,
                    )));
                    let rows = (height as usize).saturating_sub(10).max(3);
                    let first = selected.saturating_sub(rows - 1);
                    for (i, rev) in r.list.iter().enumerate().skip(first).take(rows) {
                        let marker = match (rev.running > 0, rev.good) {
                            (true, true) => "▶ ✓",
                            (true, false) => "▶  ",
                            (false, true) => "  ✓",
                            (false, false) => "   ",
                        };
                        let (pointer, style) = if i == *selected {
                            ("›", theme.selected)
                        } else {
                            (" ", theme.base)
                        };
                        let mut notes = Vec::new();
                        if rev.running > 0 {
                            notes.push(format!(
                                "{} task{} running",
                                rev.running,
                                if rev.running == 1 { "" } else { "s" }
                            ));
                        }
                        if rev.primary {
                            notes.push("PRIMARY (the service's task definition)".to_owned());
                        }
                        let notes = if notes.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", notes.join(", "))
                        };
                        lines.push(Line::from(Span::styled(
                            format!(
                                " {pointer}{marker} {}{notes}",
                                family_rev(&rev.task_definition)
                            ),
                            style,
                        )));
                    }
                }
                if let Some(diff) = diff {
                    lines.push(section("Task definition diff (current → chosen)", theme));
                    match diff {
                        Fetched::Loading => {
                            lines.push(Line::from(Span::styled("  comparing…", theme.muted)))
                        }
                        Fetched::Failed(e) => lines.push(Line::from(Span::styled(
                            format!("  cannot compare: {}", gave_up(e, "r")),
                            theme.error,
                        ))),
                        Fetched::Ready(d) if d.is_empty() => lines.push(Line::from(Span::styled(
                            "  identical (images, resources, ports, names, logs)",
                            theme.muted,
                        ))),
                        Fetched::Ready(d) => {
                            for l in d {
                                lines.push(Line::from(vec![
                                    Span::styled(format!("  {:<18} ", l.field), theme.label),
                                    Span::styled(format!("- {}", l.from), theme.error),
                                ]));
                                lines.push(Line::from(vec![
                                    Span::styled(format!("  {:<18} ", ""), theme.label),
                                    Span::styled(format!("+ {}", l.to), theme.ok),
                                ]));
                            }
                        }
                    }
                }
            }
        },
        Body::Stop { deployment } => match deployment {
            Fetched::Loading => lines.push(Line::from(Span::styled(
                "  looking for the deployment in progress…",
                theme.muted,
            ))),
            Fetched::Failed(e) => lines.push(Line::from(Span::styled(
                format!("  cannot list service deployments: {}", gave_up(e, "r")),
                theme.error,
            ))),
            Fetched::Ready(_) => {}
        },
    }
    if let Some(w) = &d.warning {
        lines.push(Line::from(Span::styled(format!("  ⚠ {w}"), theme.warn)));
    }
    let (plan, keys) = match &d.stage {
        Stage::Edit => (
            None,
            match &d.body {
                Body::Scale(s) if matches!(s.autoscaling, Fetched::Failed(_)) => {
                    "Enter review · Ctrl-r ask autoscaling again · Esc cancel"
                }
                Body::Scale(_) => "Enter review · Tab move autoscaling min/max · Esc cancel",
                Body::Rollback {
                    revisions: Fetched::Failed(_),
                    ..
                }
                | Body::Stop {
                    deployment: Fetched::Failed(_),
                } => "r retry · Esc cancel",
                Body::Rollback { .. } => "j/k choose · Enter review · Esc cancel",
                _ => "Esc cancel",
            },
        ),
        Stage::Confirm(p) => (
            Some(p),
            if p.after == "desired 0" {
                "type the name · Enter send · Esc back"
            } else if matches!(&d.body, Body::Scale(s) if matches!(s.autoscaling, Fetched::Ready(Some(_))))
            {
                "y send · Tab move autoscaling min/max · Esc back (nothing is sent until y)"
            } else {
                "y send · Esc back (nothing is sent until y)"
            },
        ),
        Stage::Sending(p) => (Some(p), "sending…"),
        Stage::Failed { plan, .. } => (Some(plan), "Esc close"),
    };
    if let Some(p) = plan {
        lines.extend(plan_lines(p, theme));
    }
    if let Stage::Failed { error, .. } = &d.stage {
        lines.push(Line::from(Span::styled(
            format!("  ✖ {error}"),
            theme.error,
        )));
    }
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(format!("  ✖ {e}"), theme.error)));
    }
    if state.context.read_only {
        lines.push(Line::from(Span::styled(
            "  READ-ONLY: nothing will be sent",
            theme.error,
        )));
    }
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [text, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!(" {keys}"), theme.key))),
        footer,
    );
}

/// Cells a dialog's one-line field shows; longer text scrolls sideways to keep the cursor in view.
const FIELD_ROOM: usize = 48;
