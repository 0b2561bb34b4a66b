//! A service's charts: braille line charts with axes, a legend with current / min / max, deployment markers
//! and data age; target health and alarms beside them. Pure: reads a [`MetricsView`], draws.
//!
//! Over ~600 lines on purpose: the chart grid, axes, legend and markers share one layout
//! computation; split, each part would re-derive it.

use super::wrapped_height;
use crate::app::metrics::{ChartPage, MIN_CHART_ROWS, MIN_CHART_WIDTH, MetricsView};
use crate::app::state::State;
use crate::aws::{ApiError, Millis};
use crate::model::metrics::{ChartSpec, Unit, cost_per_hour, summary};
use crate::model::time::ago;
use crate::model::time::clock;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType, Paragraph, Wrap};

/// A series' colour, and the glyph that tells it apart where colours cannot (`NO_COLOR`, or every series
/// muted on stale data): the second series of a chart is drawn in dots, not braille.
fn series_style(theme: &Theme, i: usize, stale: bool) -> Style {
    if stale {
        return theme.muted;
    }
    match i % 4 {
        0 => theme.chart_1,
        1 => theme.chart_2,
        2 => theme.chart_3,
        _ => theme.chart_4,
    }
}

/// Braille for every series while their styles differ; where two look alike, the later one is drawn
/// in another glyph (dots, then blocks).
fn series_marker(styles: &[Style], i: usize) -> (Marker, &'static str) {
    let style = styles.get(i).copied().unwrap_or_default();
    let alike = styles.iter().take(i).filter(|s| **s == style).count();
    match alike {
        0 => (Marker::Braille, "━"),
        1 => (Marker::Dot, "•"),
        _ => (Marker::Block, "█"),
    }
}

fn error_line(what: &str, e: &ApiError, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("✖ {what}: {e}"), theme.error),
        Span::styled(format!(" — {}", e.hint()), theme.warn),
    ])
}

/// The full-screen charts of one service (`m`).
pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &MetricsView, theme: &Theme) {
    let status = status_lines(state, view, theme);
    // Errors wrap rather than run off the edge, but leave the charts at least half the screen.
    let status_rows = wrapped_height(&status, area.width);
    let status_height = status_rows.min(area.height / 2);
    let [top, grid] =
        Layout::vertical([Constraint::Length(status_height), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(status).wrap(Wrap { trim: false }), top);

    if grid.width < MIN_CHART_WIDTH || grid.height < MIN_CHART_ROWS {
        let screen = frame.area();
        // The status lines whole (they only wrap less on a wider screen) and one chart under them.
        let needs_width = screen
            .width
            .saturating_sub(grid.width)
            .saturating_add(MIN_CHART_WIDTH);
        let needs_height = screen
            .height
            .saturating_sub(area.height)
            .saturating_add(status_rows)
            .saturating_add(MIN_CHART_ROWS);
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(
                    format!(
                        "terminal too small for charts (needs {}×{})",
                        needs_width.max(screen.width),
                        needs_height.max(screen.height)
                    ),
                    theme.warn,
                )),
                Line::from(Span::styled("y: the data as JSON", theme.base)),
            ])
            .wrap(Wrap { trim: true }),
            grid,
        );
        return;
    }

    let panels = view.panels();
    let page = ChartPage::fit(panels, grid.width, grid.height, view.scroll);
    let [grid, indicator] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(page.scrolls())),
    ])
    .areas(grid);
    let rows = u16::try_from(page.rows).unwrap_or(1).max(1);
    let row_height = grid.height / rows;
    let mut cells = Vec::new();
    for r in 0..rows {
        let y = grid.y + r * row_height;
        // The last row takes what division left over.
        let height = if r + 1 == rows {
            grid.bottom().saturating_sub(y)
        } else {
            row_height
        };
        let row = Rect { y, height, ..grid };
        let cols = u32::try_from(page.cols).unwrap_or(1);
        let parts = Layout::horizontal(vec![Constraint::Ratio(1, cols); page.cols])
            .spacing(1)
            .split(row);
        cells.extend(parts.iter().copied());
    }
    let shown = page.visible(panels);
    for (index, cell) in shown.clone().zip(cells) {
        match view.charts.get(index) {
            Some(spec) => render_chart(frame, cell, state, view, spec, theme),
            None => render_side(frame, cell, state, view, theme),
        }
    }
    if page.scrolls() {
        let charts = view.charts.len();
        let last_chart = shown.end.min(charts);
        let mut text = if shown.start < charts {
            format!("charts {}–{last_chart} of {charts}", shown.start + 1)
        } else {
            format!("after {charts} charts")
        };
        if shown.end > charts {
            text.push_str(" · target health & alarms");
        }
        let more_above = page.first_row > 0;
        let more_below = page.first_row + page.rows < page.total_rows;
        let arrows = match (more_above, more_below) {
            (true, true) => " ↑↓",
            (true, false) => " ↑",
            (false, true) => " ↓",
            (false, false) => "",
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!(" {text}{arrows}"), theme.label),
                Span::styled("  j/k PgDn/PgUp g/G scroll", theme.key_desc),
            ])),
            indicator,
        );
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
    let mut lines = Vec::new();
    // A failed refresh is the first thing said: the charts below are old, or there are none.
    match (&view.data_error, view.fetched_at) {
        (Some(e), Some(at)) => lines.push(Line::from(vec![
            Span::styled(" STALE ", theme.badge_alert),
            Span::styled(
                format!(
                    "— last refreshed {}: {e} → {}",
                    ago(state.now, at),
                    e.hint()
                ),
                theme.warn,
            ),
        ])),
        (Some(e), None) => lines.push(Line::from(vec![
            Span::styled(" FAILED ", theme.badge_alert),
            Span::styled(format!("— no data yet: {e} → {}", e.hint()), theme.warn),
        ])),
        (None, _) => {}
    }
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
    match (view.fetched_at, &view.data_error) {
        (Some(at), None) => spans.push(Span::styled(
            format!("fetched {}", ago(state.now, at)),
            theme.muted,
        )),
        (Some(at), Some(_)) => spans.push(Span::styled(
            format!(
                "refresh failed, showing data fetched {}",
                ago(state.now, at)
            ),
            theme.warn,
        )),
        (None, Some(_)) => spans.push(Span::styled("failed", theme.error)),
        (None, None) => spans.push(Span::styled("loading…", theme.warn)),
    }
    let firing = view.firing();
    if !firing.is_empty() {
        spans.push(Span::styled(
            format!("  ⚠ ALARM {}", firing.join(", ")),
            theme.error,
        ));
    }
    lines.push(Line::from(spans));
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
    clock(ms, offset).chars().take(5).collect()
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
    let stale = view.data_error.is_some();
    let styles: Vec<Style> = (0..spec.series.len())
        .map(|i| series_style(theme, i, stale))
        .collect();
    let mut title = vec![Span::styled(format!("{} ", spec.title), theme.title)];
    match (newest, &view.data_error) {
        (Some(t), None) => title.push(Span::styled(
            format!("· data {}", ago(state.now, t + view.data.period_ms)),
            theme.muted,
        )),
        (Some(t), Some(_)) => title.push(Span::styled(
            format!(
                "· STALE: data {}, refresh failed",
                ago(state.now, t + view.data.period_ms)
            ),
            theme.warn,
        )),
        (None, Some(_)) => title.push(Span::styled("· failed, no data", theme.error)),
        (None, None) if view.fetched_at.is_some() => {
            title.push(Span::styled("· no datapoints in the window", theme.warn))
        }
        (None, None) => title.push(Span::styled("· loading…", theme.muted)),
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
        let style = styles.get(i).copied().unwrap_or_default();
        let (_, glyph) = series_marker(&styles, i);
        legend.push(Span::styled(format!("{glyph} "), style));
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
    let mut legend_lines = vec![Line::from(legend)];
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
        let deploys = Span::styled(format!("┊ deploy {}", text.join(" ")), theme.chart_marker);
        // The markers stay whole: on the series' line if they fit there, else on a line of their own.
        let fits = legend_lines
            .first()
            .is_some_and(|l| l.width() + deploys.width() <= usize::from(inner.width));
        match legend_lines.first_mut() {
            Some(line) if fits => line.spans.push(deploys),
            _ => legend_lines.push(Line::from(deploys)),
        }
    }
    let legend_height = wrapped_height(&legend_lines, inner.width).min(inner.height / 2);
    let [legend_area, plot] =
        Layout::vertical([Constraint::Length(legend_height), Constraint::Min(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(legend_lines).wrap(Wrap { trim: true }),
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
        let (marker, _) = series_marker(&styles, *i);
        Dataset::default()
            .marker(marker)
            // A single point has no line to draw: a dot shows it.
            .graph_type(if points.len() == 1 {
                GraphType::Scatter
            } else {
                GraphType::Line
            })
            .style(styles.get(*i).copied().unwrap_or_default())
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
        let by_value = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1.1.total_cmp(&b.1.1);
        // The first of equal values, as a scan with strict comparisons would keep.
        let lo = chunk.iter().enumerate().min_by(by_value);
        let hi = chunk.iter().enumerate().rev().max_by(by_value);
        let (Some(lo), Some(hi)) = (lo, hi) else {
            continue;
        };
        let (first, second) = if lo.0 <= hi.0 { (lo, hi) } else { (hi, lo) };
        out.push(*first.1);
        if second.0 != first.0 {
            out.push(*second.1);
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
