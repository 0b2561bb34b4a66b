//! The deploy watch screen: the verdict, deployments with their progress, target health, events, stopped
//! tasks, and the charts and logs panes of the watched revision.

use super::detail::{fields, section, text_table};
use super::{placeholder, stale_banner, wrapped_height};
use crate::app::deploy::DeployView;
use crate::app::rows::status_tone;
use crate::app::state::State;
use crate::aws::{ServiceDeployment, family_rev};
use crate::model::deploy::{Outcome, event_lines, stopped_groups, target_group_name, target_rows};
use crate::model::time::{age, clock};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

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
    if let Some(traffic) = super::traffic::verdict_line(view.traffic.as_ref(), theme) {
        head.push(traffic);
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
    if let Some(bg) = &snap.codedeploy {
        top.extend(super::bluegreen::watch_lines(bg, now, theme));
    }
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
    // A blue/green pair's routes and weights, live (the shift just sent shows here).
    if matches!(&view.traffic, Some(Ok(t)) if t.pair.is_ok()) {
        top.extend(super::traffic::section_lines(
            view.traffic.as_ref(),
            true,
            theme,
        ));
    }
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
