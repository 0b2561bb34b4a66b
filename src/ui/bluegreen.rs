//! The "Task sets" and "CodeDeploy" sections of the service details screen (CODE_DEPLOY and EXTERNAL
//! services). Each section says what failed and why in its own place; the rest of the screen stays.

use super::detail::{fields, section, text_table};
use crate::aws::{ApiError, CdDeployment, TaskSet, arn_name, family_rev};
use crate::model::codedeploy::{BlueGreen, CodeDeployState, Found, config_label, under_way};
use crate::model::time::age;
use crate::theme::Theme;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The watch screen's compact form: the task sets, then the CodeDeploy deployment, its traffic, hooks and
/// the group's alarms (what each section failed on, in its place).
pub(super) fn watch_lines(bg: &BlueGreen, now: i64, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![section("Task sets", theme)];
    match &bg.task_sets {
        Err(e) => lines.extend(failed("ecs:DescribeTaskSets", e, theme)),
        Ok(sets) => lines.extend(task_sets(sets, theme)),
    }
    match &bg.codedeploy {
        None => {}
        Some(CodeDeployState::Failed(e)) => {
            lines.extend(failed("finding the CodeDeploy group", e, theme))
        }
        Some(CodeDeployState::NoGroup(_)) => lines.push(Line::from(Span::styled(
            "  no CodeDeploy deployment group lists this service (see its details)",
            theme.warn,
        ))),
        Some(CodeDeployState::Found(found)) => {
            let g = &found.group;
            let config = g
                .deployment_config_name
                .as_deref()
                .map(config_label)
                .unwrap_or_else(|| "-".into());
            lines.push(section(
                &format!(
                    "CodeDeploy {} / {} · {config}",
                    g.application_name, g.deployment_group_name
                ),
                theme,
            ));
            match &found.deployments {
                Err(e) => lines.extend(failed("reading its deployments", e, theme)),
                Ok(d) => match d.first() {
                    None => lines.push(Line::from(Span::styled(
                        "  no deployments yet",
                        theme.muted,
                    ))),
                    Some(current) => lines.extend(deployment(current, now, theme)),
                },
            }
            lines.extend(target_lines(found, theme));
            lines.push(alarms(found, theme));
        }
    }
    lines
}

/// Both sections, ending with an empty line; nothing while the first answer has not come.
pub(super) fn lines(
    bg: Option<&BlueGreen>,
    cluster: &str,
    service: &str,
    now: i64,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(bg) = bg else {
        return vec![];
    };
    let mut lines = vec![section("Task sets", theme)];
    match &bg.task_sets {
        Err(e) => lines.extend(failed("ecs:DescribeTaskSets", e, theme)),
        Ok(sets) if sets.is_empty() => lines.push(Line::from(Span::styled(
            "  none (no deployment has created one yet)",
            theme.muted,
        ))),
        Ok(sets) => lines.extend(task_sets(sets, theme)),
    }
    lines.push(Line::default());
    if let Some(cd) = &bg.codedeploy {
        lines.push(section("CodeDeploy", theme));
        match cd {
            CodeDeployState::Failed(e) => {
                lines.extend(failed("finding the deployment group", e, theme))
            }
            CodeDeployState::NoGroup(looked) => lines.push(Line::from(Span::styled(
                format!("  {}", looked.describe(arn_name(cluster), service)),
                theme.warn,
            ))),
            CodeDeployState::Found(found) => lines.extend(codedeploy(found, now, theme)),
        }
        lines.push(Line::default());
    }
    lines
}

/// What failed, why, and what to do.
fn failed(what: &str, e: &ApiError, theme: &Theme) -> Vec<Line<'static>> {
    vec![
        Line::from(vec![
            Span::styled(format!("  {what} failed: "), theme.error),
            Span::styled(e.to_string(), theme.error),
        ]),
        Line::from(Span::styled(format!("  {}", e.hint()), theme.muted)),
    ]
}

/// `ecs-svc/1234567890123456789` reads as `…456789`: the end is what tells sets apart.
fn short_id(id: &str) -> String {
    let digits = id.rsplit('/').next().unwrap_or(id);
    let n = digits.chars().count();
    if n > 8 {
        format!("…{}", digits.chars().skip(n - 6).collect::<String>())
    } else {
        digits.to_owned()
    }
}

fn task_sets(sets: &[TaskSet], theme: &Theme) -> Vec<Line<'static>> {
    let plain = theme.base;
    // Narrow enough for 80 columns: the target group (last, never cut) must not wrap.
    text_table(
        &[
            "ID",
            "STATUS",
            "TASK DEF",
            "STABLE",
            "SCALE",
            "TASKS",
            "TARGET GROUP",
        ],
        sets.iter()
            .map(|s| {
                let status_style = match s.status.as_str() {
                    "PRIMARY" => theme.ok,
                    "ACTIVE" => theme.warn,
                    _ => theme.muted,
                };
                let (stable, stable_style) = match s.stability_status.as_deref() {
                    Some("STEADY_STATE") => ("yes".to_owned(), plain),
                    Some("STABILIZING") => ("no".to_owned(), theme.warn),
                    other => (other.unwrap_or("-").to_owned(), plain),
                };
                let scale = match (s.scale_value, s.scale_unit.as_deref()) {
                    (Some(v), Some("PERCENT") | None) => format!("{v:.0}%"),
                    (Some(v), Some(u)) => format!("{v:.0} {u}"),
                    (None, _) => "-".into(),
                };
                // Running of the computed desired count, and pending ones when there are any.
                let mut tasks = format!("{}/{}", s.running_count, s.computed_desired_count);
                if s.pending_count > 0 {
                    tasks.push_str(&format!(" +{}", s.pending_count));
                }
                let tg = s
                    .target_group_arns
                    .iter()
                    .map(|a| a.split('/').nth(1).unwrap_or(a).to_owned())
                    .collect::<Vec<_>>()
                    .join(", ");
                vec![
                    (short_id(&s.id), plain),
                    (s.status.clone(), status_style),
                    (family_rev(&s.task_definition).to_owned(), plain),
                    (stable, stable_style),
                    (scale, plain),
                    (
                        tasks,
                        if s.running_count < s.computed_desired_count {
                            theme.warn
                        } else {
                            plain
                        },
                    ),
                    (if tg.is_empty() { "-".into() } else { tg }, plain),
                ]
            })
            .collect(),
        theme,
    )
}

fn status_style(status: &str, theme: &Theme) -> Style {
    match status {
        "Succeeded" => theme.ok,
        "Failed" | "Stopped" => theme.error,
        s if under_way(s) => theme.warn,
        _ => theme.base,
    }
}

fn codedeploy(found: &Found, now: i64, theme: &Theme) -> Vec<Line<'static>> {
    let plain = theme.base;
    let g = &found.group;
    let mut lines = vec![fields(
        &[
            ("application", g.application_name.clone(), plain),
            ("group", g.deployment_group_name.clone(), plain),
        ],
        theme,
    )];
    if let Some(config) = &g.deployment_config_name {
        lines.push(fields(
            &[(
                "config",
                format!("{config} — {}", config_label(config)),
                plain,
            )],
            theme,
        ));
    }
    for pair in &g.target_group_pairs {
        lines.push(fields(
            &[
                ("target groups", pair.target_groups.join(" ⇄ "), plain),
                ("prod listener", names(&pair.prod_listener_arns), plain),
                ("test listener", names(&pair.test_listener_arns), plain),
            ],
            theme,
        ));
    }
    let rollback = if g.auto_rollback_enabled {
        format!("on ({})", g.auto_rollback_events.join(", ").to_lowercase())
    } else {
        "off".into()
    };
    let mut row = vec![("auto rollback", rollback, plain)];
    if let (Some(action), Some(wait)) = (&g.ready_action, g.ready_wait_minutes) {
        let ready = if action == "STOP_DEPLOYMENT" {
            format!("wait up to {wait} min for continue")
        } else {
            "shift at once".into()
        };
        row.push(("before traffic", ready, plain));
    }
    lines.push(fields(&row, theme));
    lines.push(alarms(found, theme));
    match &found.deployments {
        Err(e) => lines.extend(failed("reading its deployments", e, theme)),
        Ok(d) if d.is_empty() => lines.push(Line::from(Span::styled(
            "  no deployments yet",
            theme.muted,
        ))),
        Ok(d) => {
            if let Some(current) = d.first() {
                lines.extend(deployment(current, now, theme));
            }
            let rest: Vec<String> = d
                .iter()
                .skip(1)
                .map(|d| {
                    format!(
                        "{} {} {}",
                        d.deployment_id,
                        d.status,
                        age(now, d.create_time)
                    )
                })
                .collect();
            if !rest.is_empty() {
                lines.push(fields(&[("earlier", rest.join(" · "), theme.muted)], theme));
            }
        }
    }
    lines.extend(target_lines(found, theme));
    lines
}

/// The ECS target of the deployment under way: traffic per task set and the lifecycle hooks.
fn target_lines(found: &Found, theme: &Theme) -> Vec<Line<'static>> {
    let plain = theme.base;
    let mut lines = Vec::new();
    match &found.target {
        None => {}
        Some(Err(e)) => lines.extend(failed("reading the deployment's ECS target", e, theme)),
        Some(Ok(t)) => {
            let traffic: Vec<String> = t
                .task_sets
                .iter()
                .map(|s| {
                    format!(
                        "{} {} {:.0}%",
                        s.label.as_deref().unwrap_or("?"),
                        short_id(&s.id),
                        s.traffic_weight
                    )
                })
                .collect();
            if !traffic.is_empty() {
                lines.push(fields(&[("traffic", traffic.join(" · "), plain)], theme));
            }
            let hooks: Vec<Span<'static>> = t
                .lifecycle_events
                .iter()
                .map(|e| {
                    let (mark, style) = match e.status.as_str() {
                        "Succeeded" => ("✓", theme.ok),
                        "Failed" => ("✗", theme.error),
                        "InProgress" => ("…", theme.warn),
                        "Skipped" => ("-", theme.muted),
                        _ => ("·", theme.muted),
                    };
                    Span::styled(format!("{}{mark} ", e.name), style)
                })
                .collect();
            if !hooks.is_empty() {
                let mut spans = vec![Span::raw("  "), Span::styled("hooks ", theme.label)];
                spans.extend(hooks);
                lines.push(Line::from(spans));
            }
            for e in t.lifecycle_events.iter().filter(|e| e.status == "Failed") {
                let why = [e.error_code.as_deref(), e.message.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": ");
                lines.push(Line::from(Span::styled(
                    format!("  {} failed: {why}", e.name),
                    theme.error,
                )));
            }
        }
    }
    lines
}

/// The listeners' ends (`…/443`-like ids), not their long ARNs.
fn names(arns: &[String]) -> String {
    if arns.is_empty() {
        return "-".into();
    }
    arns.iter()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

fn alarms(found: &Found, theme: &Theme) -> Line<'static> {
    let g = &found.group;
    if !g.alarms_enabled || g.alarm_names.is_empty() {
        return fields(&[("alarms", "none".into(), theme.muted)], theme);
    }
    let mut spans = vec![Span::raw("  "), Span::styled("alarms ", theme.label)];
    for name in &g.alarm_names {
        let (state, style) = match &found.alarms_firing {
            Some(Ok(firing)) if firing.contains(name) => ("ALARM", theme.error),
            Some(Ok(_)) => ("not in alarm", theme.ok),
            _ => ("state unknown", theme.muted),
        };
        spans.push(Span::styled(format!("{name} "), theme.base));
        spans.push(Span::styled(format!("({state})  "), style));
    }
    if let Some(Err(e)) = &found.alarms_firing {
        spans.push(Span::styled(format!("[{e}]"), theme.muted));
    }
    Line::from(spans)
}

fn deployment(d: &CdDeployment, now: i64, theme: &Theme) -> Vec<Line<'static>> {
    let plain = theme.base;
    let which = if under_way(&d.status) {
        "in progress"
    } else {
        "last"
    };
    let mut lines = vec![fields(
        &[
            (which, d.deployment_id.clone(), theme.label),
            ("status", d.status.clone(), status_style(&d.status, theme)),
            ("by", d.creator.clone().unwrap_or("-".into()), plain),
            ("created", age(now, d.create_time), plain),
            (
                "finished",
                d.complete_time
                    .map(|t| age(now, Some(t)))
                    .unwrap_or("-".into()),
                plain,
            ),
        ],
        theme,
    )];
    if let Some(config) = &d.deployment_config_name {
        lines.push(fields(
            &[("its config", config_label(config), plain)],
            theme,
        ));
    }
    if d.error_code.is_some() || d.error_message.is_some() {
        lines.push(Line::from(Span::styled(
            format!(
                "  {}: {}",
                d.error_code.as_deref().unwrap_or("error"),
                d.error_message.as_deref().unwrap_or("")
            ),
            theme.error,
        )));
    }
    if let Some(r) = &d.rollback_info {
        let text = [
            r.rollback_message.clone(),
            r.rollback_deployment_id
                .as_ref()
                .map(|id| format!("rolled back by {id}")),
            r.rollback_triggering_deployment_id
                .as_ref()
                .map(|id| format!("rolls back {id}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        if !text.is_empty() {
            lines.push(fields(&[("rollback", text, theme.warn)], theme));
        }
    }
    for m in &d.status_messages {
        lines.push(Line::from(Span::styled(format!("  {m}"), theme.muted)));
    }
    lines
}
