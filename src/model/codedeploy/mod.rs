//! CodeDeploy blue/green, the pure part: which deployment group deploys a service, which of its deployments
//! matter (the one under way first, then the newest), what a deployment configuration's name means, and
//! what the service details screen shows of it all (task sets and the CodeDeploy section, each failing on
//! its own). The calls are made by `workers::codedeploy`.

use crate::aws::{ApiError, CdDeployment, DeploymentGroup, EcsDeploymentTarget, TaskSet, arn_name};
use crate::model::deploy::Outcome;

/// What the details screen of a CODE_DEPLOY or EXTERNAL service shows beyond the service itself.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueGreen {
    /// DescribeTaskSets.
    pub task_sets: Result<Vec<TaskSet>, ApiError>,
    /// CODE_DEPLOY only; None for EXTERNAL services (their deployments are someone else's).
    pub codedeploy: Option<CodeDeployState>,
}

impl BlueGreen {
    /// A CodeDeploy deployment is under way (the watch screen refreshes faster).
    pub fn under_way(&self) -> bool {
        matches!(&self.codedeploy, Some(CodeDeployState::Found(f))
            if f.current().is_some_and(|d| under_way(&d.status)))
    }
}

/// The CodeDeploy section: found, not found (and how ecsdeck looked), or what failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeDeployState {
    Found(Box<Found>),
    /// No ECS deployment group lists the service.
    NoGroup(Looked),
    /// Finding the group failed (e.g. `codedeploy:ListApplications denied`).
    Failed(ApiError),
}

/// How the search for the group went: shown when none was found, so the user can tell a permission gap or a
/// wrong account from a service that really has no group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Looked {
    pub applications: usize,
    pub groups: usize,
    /// ECS groups among them (compute platform ECS).
    pub ecs_groups: usize,
}

impl Looked {
    pub fn describe(&self, cluster: &str, service: &str) -> String {
        format!(
            "no CodeDeploy deployment group lists {cluster}/{service}: looked in {} application(s), {} group(s), {} of them ECS (ListApplications, ListDeploymentGroups, BatchGetDeploymentGroups, matching ecsServices)",
            self.applications, self.groups, self.ecs_groups
        )
    }
}

/// The group of a service and what it is doing.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub group: DeploymentGroup,
    /// Under way first, then the newest (see [`order_deployments`]); at most a few.
    pub deployments: Result<Vec<CdDeployment>, ApiError>,
    /// The ECS target (task sets with traffic weights, lifecycle hooks) of the deployment under way.
    pub target: Option<Result<EcsDeploymentTarget, ApiError>>,
    /// Which of the group's alarms are in ALARM now (one DescribeAlarms page of alarms in ALARM).
    pub alarms_firing: Option<Result<Vec<String>, ApiError>>,
}

impl Found {
    /// The deployment under way, else the newest one.
    pub fn current(&self) -> Option<&CdDeployment> {
        self.deployments.as_ref().ok().and_then(|d| d.first())
    }
}

/// The watch screen's verdict for a CODE_DEPLOY service, from CodeDeploy's own view; None when there is no
/// CodeDeploy deployment to judge (the ECS verdict stands). `firing`: the service's alarms in ALARM per
/// CloudWatch. Success only when the deployment SUCCEEDED, one task set is left and it is PRIMARY with all its
/// tasks running, and none of the group's alarms fires; a rollback (automatic or a stop) is a failure of the
/// new revision.
/// When a deployment waiting to reroute is stopped by CodeDeploy if nobody continues it: the group waits
/// `ready_wait_minutes` with STOP_DEPLOYMENT, counted from the end of the last hook that ran (else the
/// deployment's start).
pub fn ready_deadline(found: &Found) -> Option<crate::aws::Millis> {
    let d = found.current()?;
    let g = &found.group;
    if d.status != "Ready" || g.ready_action.as_deref() != Some("STOP_DEPLOYMENT") {
        return None;
    }
    let hooks_done = found
        .target
        .as_ref()
        .and_then(|t| t.as_ref().ok())
        .and_then(|t| {
            t.lifecycle_events
                .iter()
                .filter(|e| e.status == "Succeeded")
                .filter_map(|e| e.end_time)
                .max()
        });
    let from = hooks_done.or(d.start_time).or(d.create_time)?;
    Some(from + crate::aws::Millis::from(g.ready_wait_minutes?) * 60_000)
}

/// `at`: when the snapshot was read (the remaining wait is counted from it).
pub fn outcome(bg: &BlueGreen, firing: &[&str], at: crate::aws::Millis) -> Option<Outcome> {
    let found = match bg.codedeploy.as_ref()? {
        CodeDeployState::Found(f) => f,
        CodeDeployState::NoGroup(_) => {
            return Some(Outcome::Deployed(
                "cannot judge: no CodeDeploy deployment group lists this service (see details)"
                    .into(),
            ));
        }
        CodeDeployState::Failed(e) => {
            return Some(Outcome::Deployed(format!(
                "cannot judge: finding its CodeDeploy group failed: {e}"
            )));
        }
    };
    let d = match &found.deployments {
        Err(e) => {
            return Some(Outcome::Deployed(format!(
                "cannot judge: reading its CodeDeploy deployments failed: {e}"
            )));
        }
        Ok(list) => list.first()?,
    };
    let id = &d.deployment_id;
    let config = d
        .deployment_config_name
        .as_deref()
        .or(found.group.deployment_config_name.as_deref())
        .map(config_label)
        .unwrap_or_else(|| "configuration unknown".into());
    let group_firing: Vec<&str> = found
        .group
        .alarm_names
        .iter()
        .map(String::as_str)
        .filter(|n| firing.contains(n) || fired(found, n))
        .collect();
    if under_way(&d.status) {
        let mut text = match d.status.as_str() {
            "Ready" => format!(
                "{id} ready to reroute: production traffic shifts to green on ContinueDeployment ({config})"
            ),
            status => format!("{id} {status} ({config})"),
        };
        if let Some(Ok(t)) = &found.target {
            let green: Option<f64> = t
                .task_sets
                .iter()
                .find(|s| s.label.as_deref() == Some("Green"))
                .map(|s| s.traffic_weight);
            if let Some(w) = green {
                text.push_str(&format!("; green takes {w:.0}% of production traffic"));
            }
            if let Some(next) = next_shift(found, at) {
                let secs = (next - at).max(0) / 1000;
                text.push_str(&format!("; next shift in {}m{:02}s", secs / 60, secs % 60));
            }
            if let Some(e) = t.lifecycle_events.iter().find(|e| e.status == "Failed") {
                text.push_str(&format!("; hook {} FAILED", e.name));
            }
        }
        if let Some(deadline) = ready_deadline(found) {
            let left = (deadline - at).max(0) / 60_000;
            text.push_str(&format!(
                "; CodeDeploy stops it in {left} min if it is not continued"
            ));
        }
        if !group_firing.is_empty() {
            text.push_str(&format!(
                "; alarm {} in ALARM: CodeDeploy stops and rolls back",
                group_firing.join(", ")
            ));
        }
        return Some(Outcome::InProgress(format!("deploying: {text}")));
    }
    let why = [d.error_code.as_deref(), d.error_message.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
    let rollback = d
        .rollback_info
        .as_ref()
        .and_then(|r| r.rollback_message.clone())
        .map(|m| format!("; {m}"))
        .unwrap_or_default();
    match d.status.as_str() {
        "Failed" | "Stopped" => Some(Outcome::Failed(format!(
            "FAILED: CodeDeploy deployment {id} {}: {why}{rollback}",
            d.status.to_lowercase()
        ))),
        "Succeeded" => {
            let sets = bg.task_sets.as_ref().ok();
            let mut problems = Vec::new();
            match sets.map(Vec::as_slice) {
                None => problems.push("task sets unknown".to_owned()),
                Some([one]) if one.status == "PRIMARY" => {
                    if one.running_count < one.computed_desired_count {
                        problems.push(format!(
                            "{} of {} tasks running",
                            one.running_count, one.computed_desired_count
                        ));
                    }
                }
                Some(more) => problems.push(format!(
                    "{} task sets still there (the original one waits to be terminated)",
                    more.len()
                )),
            }
            if !group_firing.is_empty() {
                problems.push(format!("alarm {} in ALARM", group_firing.join(", ")));
            }
            if let Some(Err(e)) = &found.alarms_firing {
                problems.push(format!("its alarms' state unknown ({e})"));
            }
            Some(if problems.is_empty() {
                Outcome::Succeeded(format!(
                    "SUCCEEDED: CodeDeploy deployment {id} succeeded; all production traffic on its task set"
                ))
            } else {
                Outcome::Deployed(format!(
                    "CodeDeploy deployment {id} succeeded, but {}",
                    problems.join("; ")
                ))
            })
        }
        other => Some(Outcome::Deployed(format!(
            "CodeDeploy deployment {id} is {other}"
        ))),
    }
}

/// The group's alarm is in ALARM per the one DescribeAlarms page the poller read.
fn fired(found: &Found, name: &str) -> bool {
    matches!(&found.alarms_firing, Some(Ok(f)) if f.iter().any(|a| a == name))
}

/// A CodeDeploy deployment status that is not final yet.
pub fn under_way(status: &str) -> bool {
    crate::aws::codedeploy_under_way(status)
}

/// Whether `cluster` (a name or an ARN) is the cluster `name`.
fn same_cluster(cluster: &str, name: &str) -> bool {
    cluster == name || arn_name(cluster) == name || arn_name(name) == cluster
}

/// The ECS deployment group whose `ecsServices` holds the cluster and service. A group of another compute
/// platform never matches, even if it carries ECS services (it cannot deploy them).
pub fn find_group<'a>(
    groups: &'a [DeploymentGroup],
    cluster: &str,
    service: &str,
) -> Option<&'a DeploymentGroup> {
    groups.iter().find(|g| {
        g.compute_platform.as_deref().is_none_or(|p| p == "ECS")
            && g.ecs_services.iter().any(|s| {
                (s.service_name == service || arn_name(&s.service_name) == service)
                    && same_cluster(cluster, &s.cluster_name)
            })
    })
}

/// Under way first (oldest of those first: CodeDeploy queues them), then the finished ones newest first.
pub fn order_deployments(deployments: &mut [CdDeployment]) {
    deployments.sort_by(|a, b| {
        let (ua, ub) = (under_way(&a.status), under_way(&b.status));
        ub.cmp(&ua).then_with(|| {
            let (ta, tb) = (a.create_time, b.create_time);
            if ua { ta.cmp(&tb) } else { tb.cmp(&ta) }
        })
    });
}

/// The shift of a predefined ECS configuration: (percent first, percent per later step, minutes between
/// steps); all at once is (100, 100, 0). None for a custom configuration (its steps are not in its name).
pub fn shift_steps(name: &str) -> Option<(u32, u32, u32)> {
    let rest = name.strip_prefix("CodeDeployDefault.ECS")?;
    if rest == "AllAtOnce" {
        return Some((100, 100, 0));
    }
    let number = |s: &str| -> Option<(u32, String)> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse().ok()?, s.get(digits.len()..)?.to_owned()))
    };
    let minutes = |s: &str| -> Option<u32> {
        let (n, unit) = number(s)?;
        matches!(unit.as_str(), "Minutes" | "Minute").then_some(n)
    };
    if let Some(r) = rest.strip_prefix("Canary")
        && let Some((pct, tail)) = number(r)
        && let Some(min) = tail.strip_prefix("Percent").and_then(minutes)
    {
        return Some((pct, 100 - pct, min));
    }
    let r = rest.strip_prefix("Linear")?;
    let (pct, tail) = number(r)?;
    let min = tail.strip_prefix("PercentEvery").and_then(minutes)?;
    Some((pct, pct, min))
}

/// When production traffic next moves, while it is shifting: from the start of the AllowTraffic step and the
/// configuration's steps. None before the shift, once it is all green, or for a custom configuration.
pub fn next_shift(found: &Found, at: crate::aws::Millis) -> Option<crate::aws::Millis> {
    let d = found.current()?;
    let config = d
        .deployment_config_name
        .as_deref()
        .or(found.group.deployment_config_name.as_deref())?;
    let (first, step, minutes) = shift_steps(config)?;
    let target = found.target.as_ref()?.as_ref().ok()?;
    let allow = target
        .lifecycle_events
        .iter()
        .find(|e| e.name == "AllowTraffic" && e.status == "InProgress")?;
    let start = allow.start_time?;
    let interval = crate::aws::Millis::from(minutes) * 60_000;
    if interval == 0 || step == 0 {
        return None;
    }
    // Steps after the first until green has it all.
    let steps = crate::aws::Millis::from((100 - first.min(100)).div_ceil(step));
    let elapsed = (at - start).max(0);
    let next = start + (elapsed / interval + 1) * interval;
    (next <= start + steps * interval).then_some(next)
}

/// What a deployment configuration does, in words: `CodeDeployDefault.ECSCanary10Percent5Minutes` is
/// "canary: 10% then the rest after 5 min". A custom name is only known to be custom.
pub fn config_label(name: &str) -> String {
    let Some(rest) = name.strip_prefix("CodeDeployDefault.") else {
        return format!("custom ({name})");
    };
    let rest = rest.strip_prefix("ECS").unwrap_or(rest);
    if rest == "AllAtOnce" {
        return "all at once".into();
    }
    let number = |s: &str| -> Option<(u32, String)> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        let n = digits.parse().ok()?;
        Some((n, s.get(digits.len()..)?.to_owned()))
    };
    let minutes = |s: &str| -> Option<u32> {
        let (n, unit) = number(s)?;
        matches!(unit.as_str(), "Minutes" | "Minute").then_some(n)
    };
    if let Some(r) = rest.strip_prefix("Canary")
        && let Some((pct, tail)) = number(r)
        && let Some(min) = tail.strip_prefix("Percent").and_then(minutes)
    {
        return format!("canary: {pct}% then the rest after {min} min");
    }
    if let Some(r) = rest.strip_prefix("Linear")
        && let Some((pct, tail)) = number(r)
        && let Some(min) = tail.strip_prefix("PercentEvery").and_then(minutes)
    {
        return format!("linear: {pct}% every {min} min");
    }
    format!("predefined ({name})")
}

#[cfg(test)]
mod tests;
