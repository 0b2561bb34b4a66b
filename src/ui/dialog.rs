//! The actions' dialogs: choosing (count, revision), the confirmation with the exact calls, sending, and what failed.

use super::detail::{fields, section};
use crate::app::actions::{Body, Dialog, Fetched, Stage};
use crate::app::state::State;
use crate::aws::{ApiError, family_rev};
use crate::model::actions::Plan;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

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
    if !crate::app::actions::dialog_fits(state.width, state.height) {
        too_small(frame, area, state, d, theme);
        return;
    }
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
        Body::Traffic {
            traffic,
            selected,
            percent,
        } => match traffic {
            Fetched::Loading => lines.push(Line::from(Span::styled(
                "  reading the load balancers' listeners and rules…",
                theme.muted,
            ))),
            Fetched::Failed(e) => lines.push(Line::from(Span::styled(
                format!("  cannot read the listeners: {}", gave_up(e, "r")),
                theme.error,
            ))),
            Fetched::Ready(t) => lines.extend(super::traffic::dialog_lines(
                t,
                d.stage == Stage::Edit,
                *selected,
                percent.value(),
                theme,
            )),
        },
    }
    if let Some(w) = &d.warning {
        lines.push(Line::from(Span::styled(format!("  ⚠ {w}"), theme.warn)));
    }
    let keys = d.keys();
    let plan = match &d.stage {
        Stage::Edit => None,
        Stage::Confirm(p) | Stage::Sending(p) | Stage::Failed { plan: p, .. } => Some(p),
    };
    if let Some(p) = plan {
        lines.extend(plan_lines(p, theme));
    }
    // What the dialog says back (a failure, a refused input, `?`, read-only): shown under the body when both fit,
    // else kept above the keys line at the body's expense, so a small terminal still sees why nothing happened.
    let mut said = Vec::new();
    if let Stage::Failed { error, .. } = &d.stage {
        said.push(Line::from(Span::styled(
            format!("  ✖ {error}"),
            theme.error,
        )));
    }
    if let Some(e) = &d.error {
        said.push(Line::from(Span::styled(format!("  ✖ {e}"), theme.error)));
    }
    if let Some(n) = &d.note {
        said.push(Line::from(Span::styled(format!("  ℹ {n}"), theme.key)));
    }
    if state.context.read_only {
        said.push(Line::from(Span::styled(
            "  READ-ONLY: nothing will be sent",
            theme.error,
        )));
    }
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let [text, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let said_rows = super::wrapped_height(&said, text.width);
    if said.is_empty()
        || super::wrapped_height(&lines, text.width).saturating_add(said_rows) <= text.height
    {
        lines.extend(said);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    } else {
        let said_rows = said_rows.min(text.height);
        let [body, bottom] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(said_rows)]).areas(text);
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
        frame.render_widget(Paragraph::new(said).wrap(Wrap { trim: false }), bottom);
    }
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(format!(" {keys}"), theme.key))),
        footer,
    );
}

/// Below [`DIALOG_MIN`](crate::app::actions::DIALOG_MIN): what the dialog is, that it cannot show its change
/// here, and how to go on; whatever the dialog said last (a refused `y`) under it.
fn too_small(frame: &mut Frame, area: Rect, state: &State, d: &Dialog, theme: &Theme) {
    let (w, h) = crate::app::actions::DIALOG_MIN;
    let mut lines = vec![
        Line::from(Span::styled(
            format!("{}: {}", d.kind.label(), d.service.service_name),
            theme.title,
        )),
        Line::from(Span::styled(
            format!(
                "the terminal is {}x{}: this dialog needs {w}x{h} to show the exact change. Enlarge it, or Esc cancels. Nothing is sent from here.",
                state.width, state.height
            ),
            theme.warn,
        )),
    ];
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(format!("✖ {e}"), theme.error)));
    }
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(theme.base),
        area,
    );
}

/// Cells a dialog's one-line field shows; longer text scrolls sideways to keep the cursor in view.
const FIELD_ROOM: usize = 48;
