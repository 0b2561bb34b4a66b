//! Task and service detail views: sections of labelled lines, scrollable.

use super::{placeholder, stale_banner, wrapped_height};
use crate::app::rows::{status_tone, stop_summary};
use crate::app::state::{Detail, State, TaskDetail};
use crate::aws::{Service, family_rev};
use crate::model::time::age;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState,
};

pub(super) fn section(title: &str, theme: &Theme) -> Line<'static> {
    Line::from(Span::styled(title.to_owned(), theme.section))
}

/// "  label  value" pairs on one line.
pub(super) fn fields(pairs: &[(&str, String, Style)], theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::raw("  ")];
    for (label, value, style) in pairs {
        spans.push(Span::styled(format!("{label} "), theme.label));
        spans.push(Span::styled(format!("{value}   "), *style));
    }
    Line::from(spans)
}

/// A small text table: header plus rows, columns padded to their widest cell.
pub(super) fn text_table(
    header: &[&str],
    rows: Vec<Vec<(String, Style)>>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, (cell, _)) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count().min(60));
        }
    }
    let mut lines = vec![Line::from(
        std::iter::once(Span::raw("  "))
            .chain(
                header
                    .iter()
                    .zip(&widths)
                    .map(|(h, w)| Span::styled(format!("{h:<w$}  "), theme.table_header)),
            )
            .collect::<Vec<_>>(),
    )];
    for row in rows {
        let last = row.len().saturating_sub(1);
        lines.push(Line::from(
            std::iter::once(Span::raw("  "))
                .chain(
                    row.into_iter()
                        .zip(&widths)
                        .enumerate()
                        .map(|(i, ((cell, style), w))| {
                            // The last column (reasons, messages) is never padded or cut.
                            let text = if i == last {
                                cell
                            } else {
                                format!("{cell:<w$}  ")
                            };
                            Span::styled(text, style)
                        }),
                )
                .collect::<Vec<_>>(),
        ));
    }
    lines
}

fn frame_detail<T>(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    detail: &Detail<T>,
    title: String,
    body: Option<Vec<Line<'static>>>,
    theme: &Theme,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Span::styled(format!(" {title} "), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match body {
        None => placeholder(frame, inner, &detail.load, "Nothing here.", theme),
        Some(mut lines) => {
            if let Some(banner) = stale_banner(&detail.load, state.now, theme) {
                // Stale details must not look live: plain text goes muted, coloured states keep their colour.
                for span in lines.iter_mut().flat_map(|l| l.spans.iter_mut()) {
                    if span.style == theme.base || span.style == Style::default() {
                        span.style = theme.muted;
                    }
                }
                lines.insert(0, banner);
            }
            // Scrolling stops at the last screenful; the reducer learns where that is from this frame.
            let total = wrapped_height(&lines, inner.width);
            let max = total.saturating_sub(inner.height);
            detail.scroll_max.set(max);
            let scroll = detail.scroll.min(max);
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(ratatui::widgets::Wrap { trim: false })
                    .scroll((scroll, 0)),
                inner,
            );
            if max > 0 {
                // On the right border, where the position costs no column of text.
                let mut position =
                    ScrollbarState::new(usize::from(max) + 1).position(usize::from(scroll));
                frame.render_stateful_widget(
                    Scrollbar::new(ScrollbarOrientation::VerticalRight)
                        .begin_symbol(None)
                        .end_symbol(None)
                        .track_symbol(Some("│"))
                        .style(theme.border),
                    area.inner(Margin {
                        vertical: 1,
                        horizontal: 0,
                    }),
                    &mut position,
                );
            }
        }
    }
}

pub fn render_task(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    detail: &Detail<TaskDetail>,
    task_arn: &str,
    theme: &Theme,
) {
    let id = crate::aws::arn_name(task_arn).to_owned();
    let body = detail
        .data
        .as_ref()
        .map(|d| task_lines(d, state.now, theme));
    frame_detail(
        frame,
        area,
        state,
        detail,
        format!("task {id}"),
        body,
        theme,
    );
}

fn task_lines(d: &TaskDetail, now: i64, theme: &Theme) -> Vec<Line<'static>> {
    let t = &d.task;
    let tone = |s: &str| theme.tone(status_tone(s));
    let plain = theme.base;
    let mut lines = vec![
        section("Task", theme),
        fields(
            &[
                ("id", t.id().to_owned(), plain),
                ("service", t.service_name().unwrap_or("-").to_owned(), plain),
            ],
            theme,
        ),
        fields(
            &[
                ("status", t.last_status.clone(), tone(&t.last_status)),
                ("desired", t.desired_status.clone(), tone(&t.desired_status)),
                (
                    "health",
                    t.health_status.clone().unwrap_or("-".into()),
                    tone(t.health_status.as_deref().unwrap_or("")),
                ),
            ],
            theme,
        ),
        fields(
            &[
                (
                    "task def",
                    family_rev(&t.task_definition_arn).to_owned(),
                    plain,
                ),
                ("launch", t.launch_type.clone().unwrap_or("-".into()), plain),
                (
                    "cpu/mem",
                    format!(
                        "{}/{}",
                        t.cpu.as_deref().unwrap_or("-"),
                        t.memory.as_deref().unwrap_or("-")
                    ),
                    plain,
                ),
            ],
            theme,
        ),
        fields(
            &[
                ("started", age(now, t.started_at), plain),
                (
                    "az",
                    t.availability_zone.clone().unwrap_or("-".into()),
                    plain,
                ),
                ("ip", t.private_ip.clone().unwrap_or("-".into()), plain),
            ],
            theme,
        ),
    ];
    if t.last_status == "STOPPED" || t.stopped_reason.is_some() {
        lines.push(fields(
            &[
                ("stopped", age(now, t.stopped_at), plain),
                ("code", t.stop_code.clone().unwrap_or("-".into()), plain),
                ("reason", stop_summary(t), theme.error),
            ],
            theme,
        ));
    }
    lines.push(Line::default());
    lines.push(section("Containers", theme));
    lines.extend(text_table(
        &["NAME", "STATUS", "HEALTH", "EXIT", "IMAGE", "REASON"],
        t.containers
            .iter()
            .map(|c| {
                let exit_style = match c.exit_code {
                    Some(0) | None => plain,
                    Some(_) => theme.error,
                };
                vec![
                    (c.name.clone(), plain),
                    (c.last_status.clone(), tone(&c.last_status)),
                    (
                        c.health_status.clone().unwrap_or("-".into()),
                        tone(c.health_status.as_deref().unwrap_or("")),
                    ),
                    (
                        c.exit_code.map(|e| e.to_string()).unwrap_or("-".into()),
                        exit_style,
                    ),
                    (c.image.clone(), plain),
                    (c.reason.clone().unwrap_or_default(), theme.warn),
                ]
            })
            .collect(),
        theme,
    ));
    lines.push(Line::default());
    lines.push(section("Logs", theme));
    match &d.definition {
        Err(error) => {
            lines.push(Line::from(Span::styled(
                format!("  task definition unavailable: {error}"),
                theme.error,
            )));
            lines.push(Line::from(Span::styled(
                format!("  → {}", error.hint()),
                theme.warn,
            )));
        }
        Ok(def) => {
            let rows = def
                .container_definitions
                .iter()
                .map(|c| match &c.log_configuration {
                    Some(l) if l.awslogs_group().is_some() => {
                        let prefix = l.awslogs_stream_prefix().unwrap_or("");
                        let stream = if prefix.is_empty() {
                            "(no stream prefix: names are not predictable)".to_string()
                        } else {
                            format!("{prefix}/{}/{}", c.name, t.id())
                        };
                        vec![
                            (c.name.clone(), plain),
                            ("awslogs".into(), theme.ok),
                            (l.awslogs_group().unwrap_or("").to_owned(), plain),
                            (prefix.to_owned(), plain),
                            (stream, theme.muted),
                        ]
                    }
                    Some(l) => vec![
                        (c.name.clone(), plain),
                        (l.log_driver.clone(), theme.warn),
                        ("-".into(), plain),
                        ("-".into(), plain),
                        (
                            "not CloudWatch Logs (awslogs): ecsdeck cannot read it".into(),
                            theme.warn,
                        ),
                    ],
                    None => vec![
                        (c.name.clone(), plain),
                        ("none".into(), theme.warn),
                        ("-".into(), plain),
                        ("-".into(), plain),
                        ("no log configuration".into(), theme.warn),
                    ],
                })
                .collect();
            lines.extend(text_table(
                &["CONTAINER", "DRIVER", "GROUP", "PREFIX", "STREAM"],
                rows,
                theme,
            ));
            lines.push(Line::default());
            lines.push(section("Environment (names only)", theme));
            for c in &def.container_definitions {
                let env = if c.environment_names.is_empty() {
                    "-".to_string()
                } else {
                    c.environment_names.join(", ")
                };
                let secrets = if c.secret_names.is_empty() {
                    "-".to_string()
                } else {
                    c.secret_names.join(", ")
                };
                lines.push(fields(
                    &[
                        ("container", c.name.clone(), plain),
                        ("env", env, plain),
                        ("secrets", secrets, theme.muted),
                    ],
                    theme,
                ));
            }
        }
    }
    lines
}

/// A service's details and its ALB traffic, as the details screen draws them.
pub struct ServiceDetail<'a> {
    pub detail: &'a Detail<Service>,
    pub traffic: Option<&'a Result<crate::model::traffic::Traffic, crate::aws::ApiError>>,
}

pub fn render_service(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    detail: &ServiceDetail,
    service: &str,
    blue_green: Option<&crate::model::codedeploy::BlueGreen>,
    theme: &Theme,
) {
    let ServiceDetail { detail, traffic } = *detail;
    let body = detail.data.as_ref().map(|s| {
        let extra = super::bluegreen::lines(blue_green, &s.cluster_arn, service, state.now, theme);
        let mut lines = service_lines(s, state.now, extra, theme);
        // Traffic right after the load balancers, before Network.
        let at = lines
            .iter()
            .position(|l| l.spans.first().is_some_and(|sp| sp.content == "Network"))
            .map(|i| i.saturating_sub(1))
            .unwrap_or(lines.len());
        let traffic =
            super::traffic::section_lines(traffic, !s.target_group_arns().is_empty(), theme);
        lines.splice(at..at, traffic);
        lines
    });
    frame_detail(
        frame,
        area,
        state,
        detail,
        format!("service {service}"),
        body,
        theme,
    );
}

fn onoff(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "-",
    }
}

/// `extra`: the task sets and CodeDeploy sections (empty for a service ECS deploys itself).
fn service_lines(
    s: &Service,
    now: i64,
    extra: Vec<Line<'static>>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let plain = theme.base;
    let tone = |v: &str| theme.tone(status_tone(v));
    let dc = &s.deployment_configuration;
    let mut lines = vec![
        section("Service", theme),
        fields(
            &[
                ("name", s.service_name.clone(), plain),
                ("status", s.status.clone(), tone(&s.status)),
                (
                    "controller",
                    s.deployment_controller.as_str().to_owned(),
                    plain,
                ),
                ("launch", s.launch_label(), plain),
            ],
            theme,
        ),
        fields(
            &[
                ("desired", s.desired_count.to_string(), plain),
                (
                    "running",
                    s.running_count.to_string(),
                    if s.running_count < s.desired_count {
                        theme.warn
                    } else {
                        plain
                    },
                ),
                ("pending", s.pending_count.to_string(), plain),
                ("task def", family_rev(&s.task_definition).to_owned(), plain),
                ("age", age(now, s.created_at), plain),
            ],
            theme,
        ),
        Line::default(),
    ];
    // Right under the service: for a CODE_DEPLOY service this is what is going on.
    lines.extend(extra);
    lines.extend([
        section("Deployment configuration", theme),
        fields(
            &[
                (
                    "min healthy",
                    dc.minimum_healthy_percent
                        .map(|p| format!("{p}%"))
                        .unwrap_or("-".into()),
                    plain,
                ),
                (
                    "max",
                    dc.maximum_percent
                        .map(|p| format!("{p}%"))
                        .unwrap_or("-".into()),
                    plain,
                ),
                (
                    "circuit breaker",
                    onoff(dc.circuit_breaker_enable).to_owned(),
                    plain,
                ),
                (
                    "rollback",
                    onoff(dc.circuit_breaker_rollback).to_owned(),
                    plain,
                ),
            ],
            theme,
        ),
        Line::default(),
        section("Load balancers", theme),
    ]);
    if s.load_balancers.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.muted)));
    }
    for lb in &s.load_balancers {
        let target = lb
            .target_group_arn
            .as_deref()
            .map(|a| a.rsplit_once(':').map(|(_, tg)| tg).unwrap_or(a).to_owned())
            .or_else(|| lb.load_balancer_name.clone())
            .unwrap_or("-".into());
        lines.push(fields(
            &[
                ("target group", target, plain),
                (
                    "container",
                    format!(
                        "{}:{}",
                        lb.container_name.as_deref().unwrap_or("-"),
                        lb.container_port
                            .map(|p| p.to_string())
                            .unwrap_or("-".into())
                    ),
                    plain,
                ),
            ],
            theme,
        ));
    }
    lines.push(Line::default());
    lines.push(section("Network", theme));
    match &s.network_configuration {
        None => lines.push(Line::from(Span::styled("  not awsvpc", theme.muted))),
        Some(n) => {
            lines.push(fields(&[("subnets", n.subnets.join(", "), plain)], theme));
            lines.push(fields(
                &[
                    ("security groups", n.security_groups.join(", "), plain),
                    (
                        "public ip",
                        n.assign_public_ip.clone().unwrap_or("-".into()),
                        plain,
                    ),
                ],
                theme,
            ));
        }
    }
    lines.push(Line::default());
    lines.push(section("Deployments", theme));
    lines.extend(text_table(
        &[
            "STATUS", "TASK DEF", "DESIRED", "PENDING", "RUNNING", "FAILED", "ROLLOUT", "CREATED",
            "REASON",
        ],
        s.deployments
            .iter()
            .map(|d| {
                let rollout = d.rollout_state.clone().unwrap_or("-".into());
                vec![
                    (d.status.clone(), tone(&d.status)),
                    (family_rev(&d.task_definition).to_owned(), plain),
                    (d.desired_count.to_string(), plain),
                    (d.pending_count.to_string(), plain),
                    (d.running_count.to_string(), plain),
                    (
                        d.failed_tasks.to_string(),
                        if d.failed_tasks > 0 {
                            theme.error
                        } else {
                            plain
                        },
                    ),
                    (rollout.clone(), tone(&rollout)),
                    (age(now, d.created_at), plain),
                    (
                        d.rollout_state_reason.clone().unwrap_or_default(),
                        theme.muted,
                    ),
                ]
            })
            .collect(),
        theme,
    ));
    lines.push(Line::default());
    lines.push(section("Events (newest first)", theme));
    if s.events.is_empty() {
        lines.push(Line::from(Span::styled("  none", theme.muted)));
    }
    for e in &s.events {
        let lower = e.message.to_lowercase();
        let style = if ["unhealthy", "unable", "failed", "error", "rolling back"]
            .iter()
            .any(|w| lower.contains(w))
        {
            theme.error
        } else if lower.contains("steady state") || lower.contains("completed") {
            theme.ok
        } else {
            plain
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:>5}  ", age(now, e.created_at)), theme.muted),
            Span::styled(e.message.clone(), style),
        ]));
    }
    lines
}
