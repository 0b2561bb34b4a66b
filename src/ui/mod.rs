//! Pure rendering: `render(frame, &State, &Theme)`. Nothing here changes state or talks to AWS.
//!
//! Over ~600 lines: the frame's chrome (header, breadcrumb, footer, toasts, fault line) and its tests; each view
//! and widget has its own file.

mod bluegreen;
pub mod charts;
mod deploy;
mod detail;
mod dialog;
mod help;
pub mod logs;
mod table;
mod traffic;

use crate::app::input::TextInput;
use crate::app::list::LoadState;
use crate::app::state::{Mode, State, ToastLevel, View};
use crate::aws::ApiError;
use crate::model::time::ago;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    frame.render_widget(Block::default().style(theme.base), area);
    let [header, crumbs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(footer_height(state, area)),
    ])
    .areas(area);
    render_header(frame, header, state, theme);
    render_breadcrumb(frame, crumbs, state, theme);
    match state.view() {
        View::Clusters(list) => table::render(frame, body, state, list, "clusters", theme),
        View::Services {
            cluster,
            list,
            fleet,
        } => table::render_services(
            frame,
            body,
            state,
            list,
            fleet,
            &format!("services ({cluster})"),
            theme,
        ),
        View::Tasks {
            cluster,
            service,
            list,
        } => {
            let title = match service {
                Some(s) => format!("tasks ({s})"),
                None => format!("tasks ({cluster}, all services)"),
            };
            table::render(frame, body, state, list, &title, theme)
        }
        View::Task {
            detail, task_arn, ..
        } => detail::render_task(frame, body, state, detail, task_arn, theme),
        View::Service {
            detail,
            service,
            metrics,
            traffic,
            blue_green,
            ..
        } => {
            let detail = &detail::ServiceDetail {
                detail,
                traffic: traffic.as_ref(),
            };
            // The charts pane goes under the details when there is room for it.
            if body.height >= 26 {
                let [top, pane] =
                    Layout::vertical([Constraint::Min(10), Constraint::Length(11)]).areas(body);
                detail::render_service(
                    frame,
                    top,
                    state,
                    detail,
                    service,
                    blue_green.as_deref(),
                    theme,
                );
                charts::render_pane(frame, pane, state, metrics, theme);
            } else {
                detail::render_service(
                    frame,
                    body,
                    state,
                    detail,
                    service,
                    blue_green.as_deref(),
                    theme,
                );
            }
        }
        View::LogGroups { list, prefix } => {
            let title = match prefix {
                Some(p) => format!("log groups ({p}*)"),
                None => "log groups".into(),
            };
            table::render(frame, body, state, list, &title, theme)
        }
        View::Logs(view) => logs::render(frame, body, state, view, theme),
        View::Metrics(view) => charts::render(frame, body, state, view, theme),
        View::Deploy(view) => deploy::render(frame, body, state, view, theme),
    }
    render_footer(frame, footer, state, theme);
    match &state.mode {
        Mode::Help { scroll } => help::render(frame, body, state, *scroll, theme),
        Mode::Raw {
            title,
            lines,
            scroll,
        } => render_raw(frame, body, state, title, lines, *scroll, theme),
        Mode::Dialog(d) => dialog::render_dialog(frame, body, state, d, theme),
        _ => {}
    }
}

/// The right-hand side of the header: what the data on screen is worth right now.
fn freshness(load: &LoadState, now: i64, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some((error, attempt)) = &load.retrying {
        spans.push(Span::styled(
            format!(" ⚠ {}, retry {attempt} ", error.label()),
            theme.badge_alert,
        ));
        spans.push(Span::styled(" ", theme.header));
    } else if let Some(error) = &load.error {
        spans.push(Span::styled(
            format!(" ✖ {} ", error.label()),
            theme.badge_alert,
        ));
        spans.push(Span::styled(" ", theme.header));
    }
    if load.loading {
        spans.push(Span::styled("⟳ loading  ", theme.header));
    }
    match load.loaded_at {
        Some(at) => spans.push(Span::styled(format!("↻ {} ", ago(now, at)), theme.header)),
        None => spans.push(Span::styled("↻ never ", theme.header)),
    }
    spans
}

fn render_header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let ctx = &state.context;
    // Segments with their priority: on a narrow header the least important go first, whole (never cut
    // mid-word); the alarm badge and READ-ONLY go last of all.
    let mut segments: Vec<(u8, Vec<Span<'static>>)> = vec![
        (9, vec![Span::styled(" ecsdeck ", theme.header_value)]),
        (
            7,
            vec![
                Span::styled(" profile ", theme.header),
                Span::styled(ctx.profile.clone(), theme.header_value),
            ],
        ),
        (
            6,
            vec![
                Span::styled("  region ", theme.header),
                Span::styled(ctx.region.clone(), theme.header_value),
            ],
        ),
    ];
    if let Some(endpoint) = &ctx.endpoint {
        segments.push((
            4,
            vec![
                Span::styled("  endpoint ", theme.header),
                Span::styled(endpoint.clone(), theme.header_value),
            ],
        ));
    }
    if ctx.demo {
        segments.push((
            3,
            vec![
                Span::styled("  ", theme.header),
                Span::styled(" DEMO ", theme.badge_read_only),
            ],
        ));
    }
    if ctx.read_only {
        segments.push((
            10,
            vec![
                Span::styled("  ", theme.header),
                Span::styled(" READ-ONLY ", theme.badge_read_only),
            ],
        ));
    }
    if let Some(badge) = alarm_badge(state) {
        segments.push((
            10,
            vec![
                Span::styled("  ", theme.header),
                Span::styled(badge, theme.badge_alert),
            ],
        ));
    }
    if let View::Services { fleet, .. } = state.view()
        && let Some(e) = &fleet.alarms_error
    {
        // No alarm badge could mean "no alarm" or "cannot tell": say which. Once read, the badge shows the
        // last alarms read: say how old they are rather than "unknown" beside it.
        let said = match fleet.alarms_at {
            Some(at) => format!(
                "  alarms as of {}: {e}",
                crate::model::time::ago(state.now, at)
            ),
            None => format!("  alarms unknown: {e}"),
        };
        segments.push((2, vec![Span::styled(said, theme.header)]));
    }
    if let View::Services { fleet, .. } = state.view()
        && let (true, Some(e)) = (fleet.columns_on, &fleet.columns_error)
    {
        segments.push((
            1,
            vec![Span::styled(
                format!("  CPU/5XX columns: {e}"),
                theme.header,
            )],
        ));
    } else if let View::Services { fleet, .. } = state.view()
        && fleet.columns_on
    {
        let metrics = fleet.columns.as_ref().map_or(0, |c| c.metrics);
        let (per_hour, dollars) =
            crate::model::metrics::cost_per_hour(metrics, ctx.metrics_refresh_secs);
        segments.push((
            1,
            vec![Span::styled(
                format!("  CPU/5XX columns: {per_hour} metrics/h ≈ ${dollars:.3}/h"),
                theme.header,
            )],
        ));
    }
    // A log view says how its tail is doing in its own status line; charts say it in theirs.
    let right = match state.view() {
        View::Logs(_) | View::Metrics(_) => vec![],
        view => freshness(view.load(), state.now, theme),
    };
    let mut right_width: usize = right.iter().map(|s| s.width()).sum();
    let width = |segments: &[(u8, Vec<Span>)]| -> usize {
        segments
            .iter()
            .flat_map(|(_, spans)| spans.iter())
            .map(Span::width)
            .sum()
    };
    let room = usize::from(area.width);
    // One cell between the two sides when both are there.
    let gap = usize::from(right_width > 0);
    while width(&segments) + right_width + gap > room {
        let Some(lowest) = segments
            .iter()
            .enumerate()
            .filter(|(_, (p, _))| *p < 9)
            .min_by_key(|(i, (p, _))| (*p, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
        else {
            break;
        };
        segments.remove(lowest);
    }
    // Still too narrow: the badges win over the freshness on the right.
    let right = if width(&segments) + right_width > room {
        right_width = 0;
        vec![]
    } else {
        right
    };
    let left: Vec<Span> = segments.into_iter().flat_map(|(_, spans)| spans).collect();
    frame.render_widget(Paragraph::new(Line::from(left)).style(theme.header), area);
    let right_area = Rect {
        x: area.x + area.width.saturating_sub(right_width as u16),
        width: (right_width as u16).min(area.width),
        ..area
    };
    frame.render_widget(
        Paragraph::new(Line::from(right)).style(theme.header),
        right_area,
    );
}

/// " ⚠ ALARM ... " when the service on screen (or some service of the list on screen) is in ALARM.
fn alarm_badge(state: &State) -> Option<String> {
    let (cluster, service) = match state.view() {
        View::Services { fleet, .. } => {
            return match fleet.in_alarm.len() {
                0 => None,
                1 => Some(format!(" ⚠ {} IN ALARM ", fleet.in_alarm.keys().next()?)),
                n => Some(format!(" ⚠ {n} SERVICES IN ALARM ")),
            };
        }
        View::Metrics(v) => {
            let firing = v.firing();
            if !firing.is_empty() {
                return Some(format!(" ⚠ ALARM {} ", firing.join(", ")));
            }
            (v.cluster.clone(), v.service.clone())
        }
        View::Service {
            cluster,
            service,
            metrics,
            ..
        } => {
            let firing = metrics.firing();
            if !firing.is_empty() {
                return Some(format!(" ⚠ ALARM {} ", firing.join(", ")));
            }
            (cluster.clone(), service.clone())
        }
        View::Tasks {
            cluster,
            service: Some(service),
            ..
        } => (cluster.clone(), service.clone()),
        _ => return None,
    };
    // What the services list below this view last learned.
    let name = crate::aws::arn_name(&service);
    state.stack.iter().rev().find_map(|v| match v {
        View::Services {
            cluster: c, fleet, ..
        } if *c == cluster => fleet
            .in_alarm
            .get(name)
            .map(|alarms| format!(" ⚠ ALARM {} ", alarms.join(", "))),
        _ => None,
    })
}

fn render_breadcrumb(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut spans = vec![Span::raw(" ")];
    let last = state.stack.len() - 1;
    for (i, view) in state.stack.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", theme.breadcrumb));
        }
        let style = if i == last {
            theme.breadcrumb_current
        } else {
            theme.breadcrumb
        };
        spans.push(Span::styled(view.title(), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A text input on the footer line: label, text with a bar cursor, then the hint (or what the input could
/// not take). When it does not all fit the hint goes first, then the text scrolls to keep the cursor seen.
/// What a text input says it refused or got wrong: the input's own notice (cap, cleaned paste) or the
/// error of the last Enter. It is never dropped for room; see [`input_error_above`].
fn input_error(state: &State) -> Option<String> {
    match &state.mode {
        Mode::Filter { input } | Mode::Command { input } => input.notice.clone(),
        Mode::Prompt { input, error, .. } => error.clone().or_else(|| input.notice.clone()),
        _ => None,
    }
}

/// Columns of input text kept visible beside an error on the same line.
const INPUT_MIN_ROOM: usize = 12;

/// The label of the input open, in full and short (when an error needs the room).
fn input_labels(state: &State) -> Option<(String, String)> {
    match &state.mode {
        Mode::Filter { .. } => Some((" /".into(), " /".into())),
        Mode::Command { .. } => Some((" :".into(), " :".into())),
        Mode::Prompt { kind, .. } => Some((
            format!(" {}: ", kind.label()),
            format!(" {}: ", kind.short()),
        )),
        _ => None,
    }
}

/// An input's error that does not fit on the input's line (beside the short label and a few columns of
/// text) goes on the line(s) above it, wrapped, so Enter never looks dead at any width.
fn input_error_above(state: &State, width: u16) -> Option<String> {
    let error = input_error(state)?;
    let (_, short) = input_labels(state)?;
    let needed = short.width() + INPUT_MIN_ROOM + 2 + error.width();
    (needed > usize::from(width)).then_some(error)
}

/// Rows the footer takes at `width`: one, plus the rows of an input error that needs lines of its own
/// (at most half the screen, so the view keeps its body).
pub fn footer_height(state: &State, area: Rect) -> u16 {
    match input_error_above(state, area.width) {
        Some(error) => {
            let rows = wrapped_height(&[Line::from(format!(" {error}"))], area.width);
            rows.saturating_add(1).min((area.height / 2).max(1))
        }
        None => 1,
    }
}

/// A text input's line: label, text (highlighted while a prefill is selected and would be replaced) with
/// the cursor in view, then the error or the hint. An error always shows: the label shortens and the
/// text's window narrows for it ([`input_error_above`] moves it above when even that is not enough); a
/// hint is dropped when it does not fit.
/// A text input's visible window of `room` cells: the text around a bar cursor, drawn selected while a
/// prefilled value is still selected (typing replaces it). Shared by the footer prompts and the dialogs.
pub(crate) fn text_input_spans(
    input: &TextInput,
    room: usize,
    theme: &Theme,
) -> [Span<'static>; 3] {
    let (before, after) = input.window(room);
    let text_style = if input.is_selected() {
        theme.selected
    } else {
        theme.input
    };
    [
        Span::styled(before, text_style),
        Span::styled("▏", theme.input),
        Span::styled(after, text_style),
    ]
}

fn input_line<'a>(
    state: &State,
    width: u16,
    input: &TextInput,
    theme: &Theme,
    hint: &str,
) -> Line<'a> {
    let (long, short) = input_labels(state).unwrap_or_default();
    let error = input_error(state).filter(|_| input_error_above(state, width).is_none());
    let width = usize::from(width);
    let text_width = UnicodeWidthStr::width(input.value()) + 1;
    let (label, room, tail) = match error {
        Some(error) => {
            let tail = Span::styled(format!("  {error}"), theme.toast_error);
            let label = if long.width() + INPUT_MIN_ROOM + tail.width() <= width {
                long
            } else {
                short
            };
            let room = width.saturating_sub(label.width() + tail.width());
            (label, room, Some(tail))
        }
        None => {
            // A label wider than the screen would leave no room for the text itself.
            let label = if long.width() + INPUT_MIN_ROOM <= width {
                long
            } else {
                short
            };
            let room = width.saturating_sub(label.width());
            let hint = Span::styled(format!("  {hint}"), theme.key_desc);
            if text_width + hint.width() <= room {
                (label, room, Some(hint))
            } else {
                (label, room, None)
            }
        }
    };
    let mut spans = vec![Span::styled(label, theme.key)];
    spans.extend(text_input_spans(input, room, theme));
    spans.extend(tail);
    Line::from(spans)
}

fn render_footer(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let area = match input_error_above(state, area.width) {
        Some(error) => {
            let [above, line] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
            frame.render_widget(
                Paragraph::new(Line::from(Span::styled(
                    format!(" {error}"),
                    theme.toast_error,
                )))
                .wrap(Wrap { trim: false }),
                above,
            );
            line
        }
        None => area,
    };
    let line = match &state.mode {
        Mode::Filter { input } => {
            input_line(state, area.width, input, theme, "Enter keep · Esc clear")
        }
        Mode::Command { input } => input_line(
            state,
            area.width,
            input,
            theme,
            "Enter run · Esc cancel · :clusters :services :tasks :q",
        ),
        Mode::Prompt { kind, input, .. } => {
            input_line(state, area.width, input, theme, kind.hint())
        }
        Mode::Dialog(_) => Line::from(Span::styled(
            " an action's dialog is open: nothing is sent until you confirm",
            theme.key_desc,
        )),
        Mode::Help { .. } | Mode::Raw { .. } => help::overlay_footer(state, area.width, theme),
        Mode::Normal => match &state.toast {
            Some(t) => {
                let style = match t.level {
                    ToastLevel::Info => theme.toast_info,
                    ToastLevel::Error => theme.toast_error,
                };
                Line::from(Span::styled(format!(" {} ", t.text), style))
            }
            // A stopped worker stays said (in place of the hints) once any toast has gone.
            None if state.fault.is_some() => Line::from(Span::styled(
                format!(" {} ", state.fault_line().unwrap_or_default()),
                theme.toast_error,
            )),
            None => {
                // Whole hints only: one that does not fit is left out (help lists it), never cut in half.
                let mut spans = vec![Span::raw(" ")];
                let mut room = usize::from(area.width).saturating_sub(1);
                for (key, desc) in state.keymap.hints(state.view()) {
                    let desc = format!(" {desc}  ");
                    let width = unicode_width::UnicodeWidthStr::width(key.as_str())
                        + unicode_width::UnicodeWidthStr::width(desc.trim_end());
                    if width > room {
                        continue;
                    }
                    room = room.saturating_sub(width + 2);
                    spans.push(Span::styled(key, theme.key));
                    spans.push(Span::styled(desc, theme.key_desc));
                }
                Line::from(spans)
            }
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// A centred rectangle `percent` of the area, for overlays. Ratatui does the arithmetic: a hand-rolled
/// `width * percent` overflows u16 on a very large terminal.
fn centred(area: Rect, width_percent: u16, height_percent: u16) -> Rect {
    area.centered(
        Constraint::Percentage(width_percent),
        Constraint::Percentage(height_percent),
    )
}

fn overlay_block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.title)
        .title(Span::styled(format!(" {title} "), theme.title))
        .style(theme.base)
}

fn render_raw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    title: &str,
    lines: &[String],
    scroll: u16,
    theme: &Theme,
) {
    let rect = centred(area, 90, 96);
    let height = rect.height.saturating_sub(2) as usize;
    // The last scroll that still fills the box: the reducer stops G there, so `k` after it moves at once.
    let max = u16::try_from(lines.len().saturating_sub(height.max(1))).unwrap_or(u16::MAX);
    state.raw_max.set(max);
    let scroll = scroll.min(max);
    let visible: Vec<Line> = lines
        .iter()
        .skip(scroll as usize)
        .take(height)
        .map(|l| Line::from(Span::styled(l.as_str(), theme.base)))
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(visible).block(overlay_block(
            format!(
                "{title} — JSON, line {}/{}",
                scroll as usize + 1,
                lines.len()
            ),
            theme,
        )),
        rect,
    );
}

/// The body shown when a view has no data to draw: loading, empty, or an error with what to do.
pub fn placeholder(frame: &mut Frame, area: Rect, load: &LoadState, empty: &str, theme: &Theme) {
    let mut lines = vec![Line::default()];
    if let Some(error) = &load.error {
        lines.push(Line::from(Span::styled(format!("✖ {error}"), theme.error)));
        lines.push(Line::from(Span::styled(
            format!("→ {}", error.hint()),
            theme.warn,
        )));
    } else if let Some((error, attempt)) = &load.retrying {
        lines.push(Line::from(Span::styled(
            format!("⚠ {error} — retrying (attempt {attempt})"),
            theme.warn,
        )));
        lines.push(Line::from(Span::styled(
            format!("→ {}", error.hint()),
            theme.muted,
        )));
    } else if load.loading || load.loaded_at.is_none() {
        let p = load.progress;
        let text = if p.listed == 0 {
            "Loading…".to_string()
        } else if p.listing_done {
            format!("Loading… {}/{}", p.described, p.listed)
        } else {
            format!("Loading… {}/{}+", p.described, p.listed)
        };
        lines.push(Line::from(Span::styled(text, theme.muted)));
    } else {
        lines.push(Line::from(Span::styled(empty.to_owned(), theme.muted)));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// What made the data on screen stale, if anything: the last refresh failed, or the one under way has
/// already failed once and is being retried (the data is as old either way, so say so at once).
pub fn failure(load: &LoadState) -> Option<&ApiError> {
    load.error
        .as_ref()
        .or(load.retrying.as_ref().map(|(error, _)| error))
}

/// A banner over stale data: how old it is, what failed and what to do. It may need more than one line:
/// see [`wrapped_height`].
pub fn stale_banner(load: &LoadState, now: i64, theme: &Theme) -> Option<Line<'static>> {
    let error = failure(load)?;
    let age = load
        .loaded_at
        .map(|at| format!("last refreshed {}", ago(now, at)))
        .unwrap_or_else(|| "partial data, never fully refreshed".into());
    let next = match (&load.error, &load.retrying) {
        (None, Some((_, attempt))) => format!("retrying (attempt {attempt})"),
        _ => error.hint(),
    };
    Some(Line::from(vec![
        Span::styled(" STALE ", theme.badge_alert),
        Span::styled(format!("— {age}: {error} → {next}"), theme.warn),
    ]))
}

/// Rows `lines` take in a paragraph `width` cells wide with word wrapping (a close estimate of ratatui's
/// wrapping: whole words move to the next row, a word wider than the row is cut across rows).
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let rows: usize = lines
        .iter()
        .map(|line| {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            let mut rows = 1;
            let mut used = 0;
            for word in text.split_inclusive(' ') {
                let visible = word.trim_end_matches(' ').width();
                if used > 0 && used + visible > width {
                    rows += 1;
                    used = 0;
                }
                if visible > width {
                    let extra = (visible - 1) / width;
                    rows += extra;
                    used = visible - extra * width;
                } else {
                    used += visible;
                }
                // Spaces at the end of a row vanish into the wrap.
                used = (used + word.width() - visible).min(width);
            }
            rows
        })
        .sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centred_rect_on_the_largest_terminal_does_not_overflow() {
        let area = Rect::new(0, 0, u16::MAX, u16::MAX);
        let rect = centred(area, 90, 96);
        assert!(rect.width > u16::MAX / 10 * 8 && rect.width < u16::MAX);
        assert!(rect.height > u16::MAX / 10 * 9 && rect.height < u16::MAX);
        assert!(rect.right() <= area.right() && rect.bottom() <= area.bottom());
        let small = centred(Rect::new(0, 0, 1, 1), 80, 90);
        assert!(small.right() <= 1 && small.bottom() <= 1);
    }

    #[test]
    fn wrapped_height_counts_word_wrapped_rows() {
        let line = Line::from("aaaa bbbb cccc");
        assert_eq!(wrapped_height(std::slice::from_ref(&line), 14), 1);
        assert_eq!(wrapped_height(std::slice::from_ref(&line), 9), 2);
        assert_eq!(wrapped_height(std::slice::from_ref(&line), 4), 3);
        assert_eq!(wrapped_height(&[Line::from("x".repeat(10))], 4), 3);
        assert_eq!(wrapped_height(&[Line::default(), Line::default()], 4), 2);
    }
}
