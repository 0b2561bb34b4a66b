//! A service's charts: braille line charts with axes, a legend with current / min / max, deployment markers
//! and data age; target health and alarms beside them. Pure: reads a [`MetricsView`], draws.

use super::ago;
use crate::app::metrics::{ChartSpec, MetricsView, Unit, cost_per_hour, summary};
use crate::app::rows::clock;
use crate::app::state::State;
use crate::aws::{ApiError, Millis};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Wrap};

/// Rows a chart needs to say something useful.
const MIN_CHART_ROWS: u16 = 7;

fn series_style(theme: &Theme, i: usize) -> Style {
    [theme.chart_1, theme.chart_2, theme.chart_3, theme.chart_4][i % 4]
}

fn error_line(what: &str, e: &ApiError, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("✖ {what}: {e}"), theme.error),
        Span::styled(format!(" — {}", e.hint()), theme.muted),
    ])
}

/// The full-screen charts of one service (`m`).
pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &MetricsView, theme: &Theme) {
    let mut status = status_lines(state, view, theme);
    status.truncate(3);
    let [top, grid] =
        Layout::vertical([Constraint::Length(status.len() as u16), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(status), top);

    let cols: u16 = if grid.width >= 100 { 2 } else { 1 };
    let items = view.charts.len() + 1;
    let rows = items.div_ceil(cols as usize) as u16;
    let row_height = (grid.height / rows.max(1)).max(MIN_CHART_ROWS);
    let mut cells = Vec::new();
    for r in 0..rows {
        let y = grid.y + r * row_height;
        if y + MIN_CHART_ROWS > grid.y + grid.height {
            break;
        }
        let height = if r + 1 == rows {
            grid.y + grid.height - y
        } else {
            row_height.min(grid.y + grid.height - y)
        };
        let row = Rect { y, height, ..grid };
        let parts = Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols as usize])
            .spacing(1)
            .split(row);
        cells.extend(parts.iter().copied());
    }
    let mut cells = cells.into_iter();
    for spec in &view.charts {
        let Some(cell) = cells.next() else { return };
        render_chart(frame, cell, state, view, spec, theme);
    }
    if let Some(cell) = cells.next() {
        render_side(frame, cell, state, view, theme);
    }
}

/// The service detail's pane: its few charts side by side.
pub fn render_pane(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: &MetricsView,
    theme: &Theme,
) {
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let (_, dollars) = cost_per_hour(view.queries, state.context.metrics_refresh_secs);
    let mut spans = vec![
        Span::styled(" metrics ", theme.title),
        Span::styled(
            format!(
                "{} · {} metrics ≈ ${dollars:.4}/h · m: all charts · [ ]: window",
                view.window.label(),
                view.queries
            ),
            theme.muted,
        ),
    ];
    let firing = view.firing();
    if !firing.is_empty() {
        spans.push(Span::styled(
            format!("  ⚠ ALARM {}", firing.join(", ")),
            theme.error,
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), head);
    if let Some(e) = &view.data_error {
        frame.render_widget(
            Paragraph::new(error_line("metrics", e, theme)).wrap(Wrap { trim: true }),
            body,
        );
        return;
    }
    let parts = Layout::horizontal(vec![
        Constraint::Ratio(1, view.charts.len().max(1) as u32);
        view.charts.len()
    ])
    .spacing(1)
    .split(body);
    for (spec, cell) in view.charts.iter().zip(parts.iter()) {
        render_chart(frame, *cell, state, view, spec, theme);
    }
}

fn status_lines(state: &State, view: &MetricsView, theme: &Theme) -> Vec<Line<'static>> {
    let refresh = state.context.metrics_refresh_secs;
    let (per_hour, dollars) = cost_per_hour(view.queries, refresh);
    let period = view.data.period_ms.max(60_000) / 60_000;
    let mut spans = vec![
        Span::styled(" window ", theme.muted),
        Span::styled(view.window.label(), theme.label),
        Span::styled(format!(" ({period}-min points)"), theme.muted),
        Span::styled(" · ", theme.muted),
        Span::styled(
            format!("{} metrics every {refresh}s", view.queries),
            theme.base,
        ),
        Span::styled(format!(" ≈ {per_hour}/h ≈ ${dollars:.4}/h"), theme.muted),
        Span::styled(" · ", theme.muted),
    ];
    match view.fetched_at {
        Some(at) => spans.push(Span::styled(
            format!("fetched {}", ago(state.now, at)),
            theme.muted,
        )),
        None => spans.push(Span::styled("loading…", theme.warn)),
    }
    let firing = view.firing();
    if !firing.is_empty() {
        spans.push(Span::styled(
            format!("  ⚠ ALARM {}", firing.join(", ")),
            theme.error,
        ));
    }
    let mut lines = vec![Line::from(spans)];
    if let Some(e) = &view.data_error {
        lines.push(error_line("metrics", e, theme));
    }
    if let Some(e) = &view.service_error {
        lines.push(error_line("service", e, theme));
    }
    if let Some(Err(e)) = &view.target_groups {
        lines.push(error_line("target groups (ALB charts need them)", e, theme));
    }
    lines
}

/// A "nice" axis top: 1, 2, 2.5 or 5 times a power of ten, at least `v`.
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * magnitude)
}

fn hhmm(ms: Millis, offset: i32) -> String {
    clock(ms, offset)[..5].to_owned()
}

/// Deployment starts and ends inside the window: (time, is_start).
fn markers(view: &MetricsView, start: Millis, end: Millis) -> Vec<(Millis, bool)> {
    let mut out = Vec::new();
    if let Some(s) = &view.service_data {
        for d in &s.deployments {
            if let Some(t) = d.created_at {
                out.push((t, true));
            }
            // An old (ACTIVE) deployment's last update is not an end: only the target's rollout ends.
            let finished = d.status == "PRIMARY"
                && matches!(d.rollout_state.as_deref(), Some("COMPLETED" | "FAILED"));
            if finished && let Some(t) = d.updated_at {
                out.push((t, false));
            }
        }
    }
    out.retain(|(t, _)| *t >= start && *t <= end);
    out.sort();
    out.dedup();
    out
}

fn render_chart(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: &MetricsView,
    spec: &ChartSpec,
    theme: &Theme,
) {
    let end = view
        .data
        .fetched_to
        .unwrap_or_else(|| state.now.div_euclid(60_000) * 60_000 + 60_000);
    let start = end - view.window.millis();
    let series: Vec<_> = spec
        .series
        .iter()
        .map(|s| view.data.values(s, start))
        .collect();
    let newest = spec
        .series
        .iter()
        .filter_map(|s| view.data.newest_of(s))
        .max();
    let mut title = vec![Span::styled(format!("{} ", spec.title), theme.title)];
    match newest {
        Some(t) => title.push(Span::styled(
            format!("· data {}", ago(state.now, t + view.data.period_ms)),
            theme.muted,
        )),
        None if view.fetched_at.is_some() => {
            title.push(Span::styled("· no datapoints in the window", theme.warn))
        }
        None => title.push(Span::styled("· loading…", theme.muted)),
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // The legend: one entry per series, then the deployment markers.
    let mut legend = Vec::new();
    for (i, (s, values)) in spec.series.iter().zip(&series).enumerate() {
        legend.push(Span::styled("━ ", series_style(theme, i)));
        legend.push(Span::styled(format!("{} ", s.label), theme.base));
        match summary(values) {
            Some((now, min, max)) => legend.push(Span::styled(
                format!(
                    "{} ({}–{})  ",
                    spec.unit.format(now),
                    spec.unit.format(min),
                    spec.unit.format(max)
                ),
                theme.muted,
            )),
            None => legend.push(Span::styled("-  ", theme.muted)),
        }
    }
    let marks = markers(view, start, end);
    if !marks.is_empty() {
        let text: Vec<String> = marks
            .iter()
            .map(|(t, s)| {
                format!(
                    "{}{}",
                    if *s { "▲" } else { "■" },
                    hhmm(*t, state.context.utc_offset_secs)
                )
            })
            .collect();
        legend.push(Span::styled(
            format!("┊ deploy {}", text.join(" ")),
            theme.chart_marker,
        ));
    }
    let legend_lines = if inner.width as usize >= legend.iter().map(|s| s.width()).sum::<usize>() {
        1
    } else {
        2
    };
    let [legend_area, plot] =
        Layout::vertical([Constraint::Length(legend_lines), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(legend)).wrap(Wrap { trim: true }),
        legend_area,
    );
    if plot.height < 3 {
        return;
    }

    let minutes = view.window.millis() as f64 / 60_000.0;
    let x = |t: Millis| (t - start) as f64 / 60_000.0;
    let max = series
        .iter()
        .flatten()
        .filter_map(|(_, v)| *v)
        .fold(0.0f64, f64::max);
    let top = match spec.unit {
        Unit::Percent if max > 50.0 => 100.0f64.max(nice_ceiling(max)),
        Unit::Hosts => nice_ceiling(max.max(1.0) + 1.0),
        _ => nice_ceiling(max * 1.15),
    };
    // A run of present values is one line; a gap (no datapoint) breaks it rather than bridging it.
    let mut runs: Vec<(usize, Vec<(f64, f64)>)> = Vec::new();
    for (i, values) in series.iter().enumerate() {
        let mut run = Vec::new();
        for (t, v) in values {
            match v {
                Some(v) => run.push((x(*t), *v)),
                None if !run.is_empty() => runs.push((i, std::mem::take(&mut run))),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push((i, run));
        }
    }
    // Braille has two dots per cell across: more points than that cannot show, so each dot's column keeps
    // its lowest and highest value (spikes survive), and drawing stays cheap at 1,440 points.
    let columns = plot.width as usize * 2;
    for (_, run) in &mut runs {
        *run = decimate(run, columns);
    }
    let mark_lines: Vec<Vec<(f64, f64)>> = marks
        .iter()
        .map(|(t, _)| vec![(x(*t), 0.0), (x(*t), top)])
        .collect();
    let mut datasets: Vec<Dataset> = mark_lines
        .iter()
        .map(|points| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.chart_marker)
                .data(points)
        })
        .collect();
    datasets.extend(runs.iter().map(|(i, points)| {
        Dataset::default()
            .marker(Marker::Braille)
            // A single point has no line to draw: a dot shows it.
            .graph_type(if points.len() == 1 {
                GraphType::Scatter
            } else {
                GraphType::Line
            })
            .style(series_style(theme, *i))
            .data(points)
    }));
    let offset = state.context.utc_offset_secs;
    let x_labels = vec![
        Span::styled(hhmm(start, offset), theme.muted),
        Span::styled(hhmm(start + (end - start) / 2, offset), theme.muted),
        Span::styled(hhmm(end, offset), theme.muted),
    ];
    let y_labels = vec![
        Span::styled(spec.unit.format(0.0), theme.muted),
        Span::styled(spec.unit.format(top / 2.0), theme.muted),
        Span::styled(spec.unit.format(top), theme.muted),
    ];
    let chart = Chart::new(datasets)
        .style(theme.base)
        .legend_position(None)
        .x_axis(
            Axis::default()
                .style(theme.chart_axis)
                .bounds([0.0, minutes])
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .style(theme.chart_axis)
                .bounds([0.0, top])
                .labels(y_labels),
        );
    frame.render_widget(chart, plot);
}

/// At most two points (the lowest and the highest, in time order) per `buckets`th of the run.
pub fn decimate(points: &[(f64, f64)], buckets: usize) -> Vec<(f64, f64)> {
    if buckets == 0 || points.len() <= buckets * 2 {
        return points.to_vec();
    }
    let size = points.len().div_ceil(buckets);
    let mut out = Vec::with_capacity(buckets * 2);
    for chunk in points.chunks(size) {
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        let (a, b) = (lo.min(hi), lo.max(hi));
        out.push(chunk[a]);
        if b != a {
            out.push(chunk[b]);
        }
    }
    out
}

/// Target health now, per target group, and the alarms watching the service.
fn render_side(frame: &mut Frame, area: Rect, state: &State, view: &MetricsView, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.border)
        .title(Span::styled("Target health now · alarms ", theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines: Vec<Line> = Vec::new();
    let groups = view.groups();
    if groups.is_empty() {
        let text = match &view.target_groups {
            None => "resolving target groups…",
            Some(_) => {
                "no load balancer: this service registers no targets, ALB charts do not apply"
            }
        };
        lines.push(Line::from(Span::styled(text, theme.muted)));
    }
    for g in groups {
        let mut spans = vec![Span::styled(
            format!("{} ", g.target_group_name),
            theme.label,
        )];
        match view.health.iter().find(|(a, _)| *a == g.target_group_arn) {
            None => spans.push(Span::styled("…", theme.muted)),
            Some((_, Err(e))) => spans.push(Span::styled(format!("✖ {e}"), theme.error)),
            Some((_, Ok(targets))) => {
                let count =
                    |f: &dyn Fn(&str) -> bool| targets.iter().filter(|t| f(&t.state)).count();
                let healthy = count(&|s| s == "healthy");
                let initial = count(&|s| s == "initial");
                let unhealthy = count(&|s| s.starts_with("unhealthy") || s == "unavailable");
                let draining = count(&|s| s == "draining");
                spans.push(Span::styled(format!("{healthy} healthy "), theme.ok));
                spans.push(Span::styled(
                    format!("{initial} initial "),
                    if initial > 0 { theme.warn } else { theme.muted },
                ));
                spans.push(Span::styled(
                    format!("{unhealthy} unhealthy "),
                    if unhealthy > 0 {
                        theme.error
                    } else {
                        theme.muted
                    },
                ));
                spans.push(Span::styled(
                    format!("{draining} draining"),
                    if draining > 0 {
                        theme.warn
                    } else {
                        theme.muted
                    },
                ));
                if targets.is_empty() {
                    spans.push(Span::styled("  (no targets registered)", theme.warn));
                }
                lines.push(Line::from(spans));
                spans = Vec::new();
                for t in targets
                    .iter()
                    .filter(|t| t.reason.is_some() && t.state != "healthy")
                {
                    lines.push(Line::from(vec![
                        Span::styled(
                            format!(
                                "  {}{} {} ",
                                t.id,
                                t.port.map(|p| format!(":{p}")).unwrap_or_default(),
                                t.state
                            ),
                            theme.warn,
                        ),
                        Span::styled(
                            format!(
                                "{}: {}",
                                t.reason.as_deref().unwrap_or(""),
                                t.description.as_deref().unwrap_or("")
                            ),
                            theme.muted,
                        ),
                    ]));
                }
            }
        }
        if !spans.is_empty() {
            lines.push(Line::from(spans));
        }
    }
    match &view.alarms {
        None => lines.push(Line::from(Span::styled("alarms: …", theme.muted))),
        Some(Err(e)) => lines.push(error_line("alarms", e, theme)),
        Some(Ok(alarms)) if alarms.is_empty() => lines.push(Line::from(Span::styled(
            "no CloudWatch alarm watches this service or its target groups",
            theme.muted,
        ))),
        Some(Ok(alarms)) => {
            let mut sorted: Vec<_> = alarms.iter().collect();
            sorted.sort_by_key(|a| (!a.in_alarm(), a.alarm_name.clone()));
            for a in sorted {
                let style = match a.state_value.as_str() {
                    "ALARM" => theme.error,
                    "OK" => theme.ok,
                    _ => theme.warn,
                };
                lines.push(Line::from(vec![
                    Span::styled(format!("● {:<5} ", short_state(&a.state_value)), style),
                    Span::styled(format!("{} ", a.alarm_name), theme.base),
                    Span::styled(
                        format!(
                            "{} {}",
                            a.metric_name.as_deref().unwrap_or("metric math"),
                            a.state_updated_at
                                .map(|t| format!("since {}", ago(state.now, t)))
                                .unwrap_or_default()
                        ),
                        theme.muted,
                    ),
                ]));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn short_state(s: &str) -> &str {
    match s {
        "INSUFFICIENT_DATA" => "DATA?",
        s => s,
    }
}

#[cfg(test)]
mod tests {
    use super::decimate;

    #[test]
    fn decimation_keeps_every_spike_and_the_order() {
        let mut points: Vec<(f64, f64)> = (0..1_440).map(|i| (i as f64, 1.0)).collect();
        points[700].1 = 99.0;
        points[701].1 = -5.0;
        let out = decimate(&points, 100);
        assert!(out.len() <= 200, "{}", out.len());
        assert!(out.contains(&(700.0, 99.0)) && out.contains(&(701.0, -5.0)));
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(decimate(&points[..50], 100).len(), 50);
    }
}
