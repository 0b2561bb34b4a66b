//! ALB traffic as lines: the blue/green pair, the live route with each target group's weight and health, the
//! test route, and any other route that reaches the service — shared by the traffic dialog and the service
//! details' Traffic section.

use super::detail::section;
use crate::app::actions::{TRAFFIC_CHOICES, TrafficChoice};
use crate::aws::{ApiError, RouteAction};
use crate::model::deploy::target_group_name;
use crate::model::traffic::{Move, Route, Side, Traffic, verdict};
use crate::theme::Theme;
use ratatui::text::{Line, Span};

/// One route: `HTTP:80 default — any request → storefront-blue 100 % (3/3 healthy) · …`.
fn route_line(prefix: &str, r: &Route, t: &Traffic, theme: &Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled(format!("  {prefix:<6}"), theme.label),
        Span::styled(
            format!("{} — {} → ", r.label(), r.conditions_text()),
            theme.base,
        ),
    ];
    let mut first = true;
    for a in &r.actions {
        match a {
            RouteAction::Forward { target_groups, .. } => {
                let shares = r.shares();
                for g in target_groups {
                    if !first {
                        spans.push(Span::styled(" · ", theme.muted));
                    }
                    first = false;
                    let share = shares
                        .iter()
                        .find(|(a, _)| *a == g.target_group_arn)
                        .map(|(_, s)| *s)
                        .unwrap_or(0.0);
                    let style = if share > 0.0 { theme.ok } else { theme.muted };
                    spans.push(Span::styled(
                        format!("{} {share:.0} %", target_group_name(&g.target_group_arn)),
                        style,
                    ));
                    if let Some(h) = t.health_of(&g.target_group_arn) {
                        let style = if h.healthy == 0 {
                            theme.error
                        } else {
                            theme.muted
                        };
                        spans.push(Span::styled(
                            format!(" ({}/{} healthy)", h.healthy, h.total),
                            style,
                        ));
                    }
                }
            }
            RouteAction::Other { kind, .. } => {
                if !first {
                    spans.push(Span::styled(" · ", theme.muted));
                }
                first = false;
                spans.push(Span::styled(
                    format!("{kind} (not changed by ecsdeck)"),
                    theme.warn,
                ));
            }
        }
    }
    Line::from(spans)
}

/// One side of the pair: its live share, healthy targets and, where CloudWatch has them, requests, target
/// 5XX rate and average response time over the last 5 minutes.
fn side_line(colour: &str, side: &Side, t: &Traffic, theme: &Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled(format!("  {colour:<6}"), theme.label),
        Span::styled(
            format!("{:<18}{:>4} %", side.service, side.share),
            theme.base,
        ),
    ];
    if let Some(h) = t.health_of(&side.target_group_arn) {
        spans.push(Span::styled(
            format!("  {}/{} healthy", h.healthy, h.total),
            if h.healthy == 0 {
                theme.error
            } else {
                theme.base
            },
        ));
    }
    if let Some(m) = t.metrics_of(&side.target_group_arn) {
        let text = match (m.requests, m.five_xx_rate(), m.response_time) {
            (None, _, _) => "  no requests in 5m".to_owned(),
            (Some(r), rate, rt) => format!(
                "  {r:.0} req/5m  5XX {}  {}",
                rate.map(|x| format!("{x:.1} %"))
                    .unwrap_or_else(|| "-".into()),
                rt.map(|s| format!("{:.0} ms", s * 1000.0))
                    .unwrap_or_else(|| "- ms".into())
            ),
        };
        spans.push(Span::styled(text, theme.muted));
    }
    Line::from(spans)
}

/// The Traffic section's lines (without a title).
pub(super) fn traffic_lines(t: &Traffic, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match &t.pair {
        Ok(p) => {
            lines.push(Line::from(vec![
                Span::styled("  pair  ", theme.label),
                Span::styled(format!("blue {}", p.blue.service), theme.base),
                Span::styled(" ↔ ", theme.muted),
                Span::styled(format!("green {}", p.green.service), theme.base),
                Span::styled(
                    format!("   live {} % / {} %", p.blue.share, p.green.share),
                    theme.key,
                ),
            ]));
            for (colour, side) in [("blue", &p.blue), ("green", &p.green)] {
                lines.push(side_line(colour, side, t, theme));
            }
            if let Some(e) = &t.metrics_error {
                lines.push(Line::from(Span::styled(
                    format!("  CloudWatch numbers unavailable: {e}"),
                    theme.muted,
                )));
            }
            lines.push(route_line("live", &p.live, t, theme));
            if let Some(test) = &p.test {
                lines.push(route_line("test", test, t, theme));
            }
            for r in t
                .routes
                .iter()
                .filter(|r| **r != p.live && Some(*r) != p.test.as_ref())
            {
                lines.push(route_line("route", r, t, theme));
            }
        }
        Err(why) => {
            lines.push(Line::from(Span::styled(format!("  {why}"), theme.muted)));
            for r in &t.routes {
                lines.push(route_line("route", r, t, theme));
            }
        }
    }
    lines
}

/// The traffic dialog's body: the routes, then (while choosing) the moves.
pub(super) fn dialog_lines(
    t: &Traffic,
    choosing: bool,
    selected: usize,
    typed: &str,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![section("Traffic", theme)];
    let all = traffic_lines(t, theme);
    let Ok(p) = &t.pair else {
        lines.extend(all);
        return lines;
    };
    if !choosing {
        // The confirmation needs its room for the exact request: the pair line says what moves.
        lines.extend(all.into_iter().take(1));
        return lines;
    }
    lines.extend(all);
    lines.push(section("Move live traffic", theme));
    for (i, c) in TRAFFIC_CHOICES.iter().enumerate() {
        let text = match c {
            TrafficChoice::Fixed(Move::Switch) => {
                format!("switch: all live traffic to {}", p.green.service)
            }
            TrafficChoice::Fixed(Move::Shift(n)) => {
                format!("shift {n} % to {} (canary)", p.green.service)
            }
            TrafficChoice::Fixed(Move::SwitchBack) => {
                format!("switch back: all live traffic to {}", p.blue.service)
            }
            TrafficChoice::Typed => format!(
                "shift [{}] % to {} (type 0-100)",
                if typed.is_empty() { "__" } else { typed },
                p.green.service
            ),
        };
        let (pointer, style) = if i == selected {
            ("›", theme.selected)
        } else {
            (" ", theme.base)
        };
        lines.push(Line::from(Span::styled(
            format!(" {pointer} {text}"),
            style,
        )));
    }
    lines
}

/// The details screen's Traffic section: the routes and the pair, or what failed. Nothing for a service
/// without target groups, none that a listener routes to, or until it has been read (the Load balancers
/// section above already names its groups).
pub(super) fn section_lines(
    traffic: Option<&Result<Traffic, ApiError>>,
    has_groups: bool,
    theme: &Theme,
) -> Vec<Line<'static>> {
    if !has_groups {
        return vec![];
    }
    let mut lines = vec![Line::default(), section("Traffic", theme)];
    match traffic {
        None => return vec![],
        Some(Ok(t)) if t.routes.is_empty() => return vec![],
        Some(Err(e)) => lines.push(Line::from(Span::styled(
            format!("  cannot read the listeners: {e} — {}", e.hint()),
            theme.error,
        ))),
        Some(Ok(t)) => lines.extend(traffic_lines(t, theme)),
    }
    lines
}

/// The watch screen's traffic verdict, for a service in a blue/green pair: ✔ when green carries all live
/// traffic with healthy targets and a 5XX rate not above blue's; otherwise what is still missing.
pub(super) fn verdict_line(
    traffic: Option<&Result<Traffic, ApiError>>,
    theme: &Theme,
) -> Option<Line<'static>> {
    let Some(Ok(t)) = traffic else {
        return None;
    };
    t.pair.as_ref().ok()?;
    // The 5XX rates are those CloudWatch gave for both groups; without them the verdict says so.
    let (ok, why) = verdict(t, &t.five_xx_rates());
    Some(Line::from(vec![
        Span::styled("traffic ", theme.label),
        if ok {
            Span::styled(format!("✔ {why}"), theme.ok)
        } else {
            Span::styled(format!("… {why}"), theme.warn)
        },
    ]))
}
