//! Actions on a service, as plain data: the dialogs, input validation, the exact calls an action will make
//! (shown in its confirmation before anything is sent), the task definition diff of a rollback, and the
//! audit log line of each executed call. The executor in `workers::actions` only runs what is planned here.

use crate::aws::*;
use serde::Serialize;

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    Scale,
    ForceDeployment,
    Rollback,
    StopDeployment,
    /// Switch, shift or switch back live ALB traffic between a blue/green pair (`model::traffic`).
    ShiftTraffic,
    /// codedeploy:ContinueDeployment of a CODE_DEPLOY service's deployment that waits (to reroute, or to
    /// terminate the original task set).
    ContinueDeployment,
}

impl ActionKind {
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Scale => "scale",
            ActionKind::ForceDeployment => "force new deployment",
            ActionKind::Rollback => "roll back",
            ActionKind::StopDeployment => "stop deployment and roll back",
            ActionKind::ShiftTraffic => "shift traffic",
            ActionKind::ContinueDeployment => "continue deployment",
        }
    }
}

/// One revision of the family, as the rollback dialog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub task_definition: String,
    /// The service's task definition (its PRIMARY deployment's): rolling back to it changes nothing.
    pub primary: bool,
    /// Tasks running it now, per the service's deployments: after a failed rollout these are not the
    /// primary's.
    pub running: i32,
    /// A deployment of it completed successfully (per the service deployments API, or the previous ACTIVE
    /// revision when that API is not available).
    pub good: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Revisions {
    pub list: Vec<Revision>,
    /// Where "deployed successfully" came from, or why it is a guess.
    pub good_source: String,
}

/// A call the action will send, exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "call")]
pub enum Call {
    #[serde(rename = "ecs:UpdateService")]
    UpdateService(UpdateServiceRequest),
    #[serde(rename = "application-autoscaling:RegisterScalableTarget")]
    RegisterScalableTarget {
        #[serde(rename = "serviceNamespace")]
        namespace: &'static str,
        #[serde(rename = "scalableDimension")]
        dimension: &'static str,
        #[serde(flatten)]
        target: ScalableTarget,
    },
    #[serde(rename = "ecs:StopServiceDeployment")]
    StopServiceDeployment {
        #[serde(rename = "serviceDeploymentArn")]
        arn: String,
        #[serde(rename = "stopType")]
        stop_type: &'static str,
    },
    #[serde(rename = "elasticloadbalancing:ModifyListener")]
    ModifyListener(ModifyListenerRequest),
    #[serde(rename = "elasticloadbalancing:ModifyRule")]
    ModifyRule(ModifyRuleRequest),
    #[serde(rename = "codedeploy:ContinueDeployment")]
    ContinueDeployment {
        #[serde(rename = "deploymentId")]
        deployment_id: String,
        /// READY_WAIT (reroute production traffic now) or TERMINATION_WAIT (terminate the original task set now).
        #[serde(rename = "deploymentWaitType")]
        wait_type: &'static str,
    },
}

impl Call {
    pub fn register(target: ScalableTarget) -> Call {
        Call::RegisterScalableTarget {
            namespace: "ecs",
            dimension: "ecs:service:DesiredCount",
            target,
        }
    }
    pub fn stop(arn: String) -> Call {
        Call::StopServiceDeployment {
            arn,
            stop_type: "ROLLBACK",
        }
    }
    /// `ecs:UpdateService {"cluster":…}`: what the confirmation shows and the audit log records.
    pub fn text(&self) -> String {
        let (name, body) = match self {
            Call::UpdateService(req) => ("ecs:UpdateService", serde_json::to_string(req)),
            Call::RegisterScalableTarget {
                namespace,
                dimension,
                target,
            } => (
                "application-autoscaling:RegisterScalableTarget",
                serde_json::to_string(&serde_json::json!({
                    "serviceNamespace": namespace,
                    "resourceId": target.resource_id,
                    "scalableDimension": dimension,
                    "minCapacity": target.min_capacity,
                    "maxCapacity": target.max_capacity,
                })),
            ),
            Call::StopServiceDeployment { arn, stop_type } => (
                "ecs:StopServiceDeployment",
                serde_json::to_string(&serde_json::json!({
                    "serviceDeploymentArn": arn,
                    "stopType": stop_type,
                })),
            ),
            Call::ModifyListener(req) => (
                "elasticloadbalancing:ModifyListener",
                serde_json::to_string(req),
            ),
            Call::ContinueDeployment {
                deployment_id,
                wait_type,
            } => (
                "codedeploy:ContinueDeployment",
                serde_json::to_string(&serde_json::json!({
                    "deploymentId": deployment_id,
                    "deploymentWaitType": wait_type,
                })),
            ),
            Call::ModifyRule(req) => (
                "elasticloadbalancing:ModifyRule",
                serde_json::to_string(req),
            ),
        };
        format!("{name} {}", body.unwrap_or_default())
    }
}

/// Everything an action will do: the change in words and the calls, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub kind: ActionKind,
    pub cluster: String,
    pub service: String,
    /// `desired 4 → 8`, `web:42 → web:41`.
    pub changes: Vec<String>,
    pub before: String,
    pub after: String,
    pub calls: Vec<Call>,
}

/// Why an action cannot be offered on this service at all, if it cannot. `scale_key` is the user's key for
/// scaling (`S` unless remapped), which the refusal of a CODE_DEPLOY service's deployments points to.
pub fn refusal(
    kind: ActionKind,
    service: &Service,
    read_only: bool,
    scale_key: &str,
) -> Option<String> {
    if read_only {
        return Some(format!(
            "read-only mode: {} refused, nothing was sent (started with --read-only or read_only = true for this profile)",
            kind.label()
        ));
    }
    let name = &service.service_name;
    match (service.deployment_controller, kind) {
        (Controller::External, _) => Some(format!(
            "{name} uses the EXTERNAL deployment controller: its task sets are managed by another tool, so ecsdeck only shows it"
        )),
        (Controller::CodeDeploy, ActionKind::Scale | ActionKind::ContinueDeployment) => None,
        (_, ActionKind::ContinueDeployment) => Some(format!(
            "{name} is deployed by ECS, not CodeDeploy: there is no CodeDeploy wait to continue"
        )),
        (Controller::CodeDeploy, ActionKind::ShiftTraffic) => Some(format!(
            "{name} uses the CODE_DEPLOY controller: CodeDeploy moves its listeners' traffic, and a shift by hand \
             would fight it; use aws deploy create-deployment / continue-deployment"
        )),
        (Controller::CodeDeploy, _) => Some(format!(
            "{name} uses the CODE_DEPLOY controller: UpdateService cannot change its task definition or start a deployment; \
             deploy or roll back with AWS CodeDeploy (aws deploy create-deployment / stop-deployment). Scaling ({scale_key}) works"
        )),
        (Controller::Ecs, _) => None,
    }
}

/// The desired count typed, or what is wrong with it.
pub fn parse_desired(input: &str) -> Result<i32, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("type the new desired count (a whole number, 0 to 5000)".into());
    }
    if text.starts_with('-') {
        return Err(format!(
            "{text:?}: a desired count cannot be negative (0 to {MAX_DESIRED_COUNT})"
        ));
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a number: type digits only (0 to {MAX_DESIRED_COUNT})"
        ));
    }
    match text.parse::<i64>() {
        Ok(n) if n <= MAX_DESIRED_COUNT as i64 => Ok(n as i32),
        _ => Err(format!(
            "{text} is above ECS's maximum of {MAX_DESIRED_COUNT} tasks per service"
        )),
    }
}

/// Longest input a dialog keeps (a count has at most 4 digits; a service name 255 characters).
pub const MAX_INPUT: usize = 255;

/// The autoscaling warning for a desired count outside the scalable target's bounds, if it is.
pub fn bounds_warning(target: &ScalableTarget, desired: i32) -> Option<String> {
    if desired < target.min_capacity || desired > target.max_capacity {
        Some(format!(
            "Application Auto Scaling keeps this service between {} and {}: it will undo desired {desired}. \
             Press Tab to also move min/max to include {desired}",
            target.min_capacity, target.max_capacity
        ))
    } else {
        None
    }
}

/// Why a scale to `desired` has nothing to send, if it has not.
pub fn scale_no_op(service: &Service, desired: i32) -> Option<String> {
    (service.desired_count == desired).then(|| {
        format!(
            "{} already has desired {desired}: nothing to send — type another count, or Esc",
            service.service_name
        )
    })
}

/// What ContinueDeployment would end for a CodeDeploy deployment in `status` whose ECS target shows
/// `after_allow_traffic_done`: the wait before rerouting (`Ready`), the wait before the original task set is
/// terminated (all traffic shifted, still InProgress), or nothing (why).
pub fn continue_wait(status: &str, after_allow_traffic_done: bool) -> Result<&'static str, String> {
    match status {
        "Ready" => Ok("READY_WAIT"),
        "InProgress" if after_allow_traffic_done => Ok("TERMINATION_WAIT"),
        "Created" | "Queued" | "InProgress" | "Baking" => Err(format!(
            "the deployment is {status} and not waiting to reroute or to terminate the original task set: there is nothing to continue yet"
        )),
        other => Err(format!(
            "the deployment is {other}: there is nothing to continue"
        )),
    }
}

/// The plan of ContinueDeployment for `deployment_id`, ending `wait_type`.
pub fn continue_plan(
    cluster: &str,
    service: &Service,
    deployment_id: &str,
    wait_type: &'static str,
) -> Plan {
    let change = if wait_type == "READY_WAIT" {
        format!(
            "{deployment_id}: stop waiting and shift production traffic to the replacement task set now, by the deployment's configuration"
        )
    } else {
        format!(
            "{deployment_id}: terminate the original task set now instead of at the end of the wait"
        )
    };
    Plan {
        kind: ActionKind::ContinueDeployment,
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        changes: vec![change],
        before: format!("{deployment_id} waiting ({wait_type})"),
        after: format!("{deployment_id} continued"),
        calls: vec![Call::ContinueDeployment {
            deployment_id: deployment_id.to_owned(),
            wait_type,
        }],
    }
}

pub fn force_plan(cluster: &str, service: &Service) -> Plan {
    let td = family_rev(&service.task_definition).to_owned();
    Plan {
        kind: ActionKind::ForceDeployment,
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        changes: vec![format!(
            "new deployment of {td}: {} fresh tasks replace the running ones",
            service.desired_count
        )],
        before: td.clone(),
        after: format!("{td} (new deployment)"),
        calls: vec![Call::UpdateService(UpdateServiceRequest {
            cluster: cluster.to_owned(),
            service: service.service_name.clone(),
            force_new_deployment: true,
            ..Default::default()
        })],
    }
}

pub fn rollback_plan(cluster: &str, service: &Service, to: &str) -> Plan {
    let from = family_rev(&service.task_definition).to_owned();
    let to_short = family_rev(to).to_owned();
    Plan {
        kind: ActionKind::Rollback,
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        changes: vec![format!("{from} → {to_short}")],
        before: from,
        after: to_short,
        calls: vec![Call::UpdateService(UpdateServiceRequest {
            cluster: cluster.to_owned(),
            service: service.service_name.clone(),
            task_definition: Some(to.to_owned()),
            ..Default::default()
        })],
    }
}

pub fn stop_plan(cluster: &str, service: &Service, deployment: &ServiceDeploymentBrief) -> Plan {
    let current = family_rev(&service.task_definition).to_owned();
    Plan {
        kind: ActionKind::StopDeployment,
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        changes: vec![format!(
            "stop the {} deployment of {current} and roll back to the previous service revision",
            deployment.status.to_lowercase().replace('_', " ")
        )],
        before: format!("{current} ({})", deployment.status),
        after: "ROLLBACK_REQUESTED".into(),
        calls: vec![Call::stop(deployment.service_deployment_arn.clone())],
    }
}

/// One difference between two task definitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// `task cpu`, `web image`, `web secrets`...
    pub field: String,
    pub from: String,
    pub to: String,
}

/// What changes from `from` to `to`: images, cpu/memory, ports, environment and secret names (never values),
/// log configuration, containers added or removed.
pub fn diff(from: &TaskDefinition, to: &TaskDefinition) -> Vec<DiffLine> {
    let mut out = Vec::new();
    let mut push = |field: String, a: String, b: String| {
        if a != b {
            out.push(DiffLine {
                field,
                from: a,
                to: b,
            });
        }
    };
    let or_dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
    push("task cpu".into(), or_dash(&from.cpu), or_dash(&to.cpu));
    push(
        "task memory".into(),
        or_dash(&from.memory),
        or_dash(&to.memory),
    );
    let names = |l: &[String]| {
        let mut v = l.to_vec();
        v.sort();
        if v.is_empty() {
            "-".into()
        } else {
            v.join(", ")
        }
    };
    let log = |c: &ContainerDefinition| match &c.log_configuration {
        None => "-".to_owned(),
        Some(l) => {
            let mut s = l.log_driver.clone();
            for key in ["awslogs-group", "awslogs-stream-prefix", "awslogs-region"] {
                if let Some(v) = l.options.get(key) {
                    s.push_str(&format!(" {key}={v}"));
                }
            }
            s
        }
    };
    for a in &from.container_definitions {
        let Some(b) = to.container_definitions.iter().find(|b| b.name == a.name) else {
            push(
                format!("{} container", a.name),
                "present".into(),
                "removed".into(),
            );
            continue;
        };
        let n = &a.name;
        push(format!("{n} image"), a.image.clone(), b.image.clone());
        push(format!("{n} cpu"), a.cpu.to_string(), b.cpu.to_string());
        push(
            format!("{n} memory"),
            a.memory.map(|m| m.to_string()).unwrap_or("-".into()),
            b.memory.map(|m| m.to_string()).unwrap_or("-".into()),
        );
        push(
            format!("{n} ports"),
            names(&a.port_mappings),
            names(&b.port_mappings),
        );
        push(
            format!("{n} environment"),
            names(&a.environment_names),
            names(&b.environment_names),
        );
        push(
            format!("{n} secrets"),
            names(&a.secret_names),
            names(&b.secret_names),
        );
        push(format!("{n} logs"), log(a), log(b));
    }
    for b in &to.container_definitions {
        if !from.container_definitions.iter().any(|a| a.name == b.name) {
            push(format!("{} container", b.name), "-".into(), b.image.clone());
        }
    }
    out
}

/// Marks the revisions of a family for the rollback list: newest first, the current one, and the ones whose
/// deployments succeeded.
pub fn mark_revisions(
    arns: &[String],
    current: &str,
    good: &[String],
    good_source: String,
) -> Revisions {
    let current = family_rev(current);
    Revisions {
        list: arns
            .iter()
            .map(|a| Revision {
                task_definition: a.clone(),
                primary: family_rev(a) == current,
                running: 0,
                good: good.iter().any(|g| family_rev(g) == family_rev(a)),
            })
            .collect(),
        good_source,
    }
}

/// Counts each revision's running tasks from the service's deployments (one deployment per task
/// definition, its running count ECS's own).
pub fn count_running(revisions: &mut Revisions, service: &Service) {
    for r in &mut revisions.list {
        r.running = service
            .deployments
            .iter()
            .filter(|d| family_rev(&d.task_definition) == family_rev(&r.task_definition))
            .map(|d| d.running_count.max(0))
            .sum();
    }
}

/// The revision a rollback offers first: the newest good one that is not running now, else the one just
/// before the current.
pub fn default_choice(revisions: &[Revision]) -> usize {
    let current = revisions.iter().position(|r| r.primary);
    revisions
        .iter()
        .position(|r| r.good && !r.primary)
        .or_else(|| current.map(|c| (c + 1).min(revisions.len().saturating_sub(1))))
        .unwrap_or(0)
}

/// Which of a call's two audit lines this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditPhase {
    /// Written before the call leaves: a crash or kill before the answer still leaves this trace.
    Intent,
    /// Written when the answer came back.
    Outcome,
}

/// One line of the audit log: a call about to be sent (intent), or its answer (outcome).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditLine {
    pub phase: AuditPhase,
    /// RFC 3339, UTC.
    pub time: String,
    pub profile: String,
    pub region: String,
    pub cluster: String,
    pub service: String,
    pub action: ActionKind,
    pub before: String,
    pub after: String,
    pub request: String,
    pub request_id: Option<String>,
    /// `ok`, or the error; absent from an intent line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}
