//! Actions on a service, as plain data: the dialogs, input validation, the exact calls an action will make
//! (shown in its confirmation before anything is sent), the task definition diff of a rollback, and the
//! audit log line of each executed call. The executor in `workers::actions` only runs what is planned here.

use super::state::TextInput;
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
}

impl ActionKind {
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Scale => "scale",
            ActionKind::ForceDeployment => "force new deployment",
            ActionKind::Rollback => "roll back",
            ActionKind::StopDeployment => "stop deployment and roll back",
        }
    }
}

/// Something the dialog waits for from AWS.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

impl<T> From<Result<T, ApiError>> for Fetched<T> {
    fn from(r: Result<T, ApiError>) -> Self {
        match r {
            Ok(v) => Fetched::Ready(v),
            Err(e) => Fetched::Failed(e),
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

/// The scale dialog's own state.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// Opens with the current count selected: typing replaces it, ←/→ edit it.
    pub input: TextInput,
    pub autoscaling: Fetched<Option<ScalableTarget>>,
    /// Move min/max along with the desired count (offered when it falls outside them).
    pub move_bounds: bool,
    /// Scaling to zero: the service name typed to confirm.
    pub typed_name: Option<TextInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Scale(Scale),
    Force,
    Rollback {
        revisions: Fetched<Revisions>,
        selected: usize,
        /// The diff of the chosen revision against the current one (in the confirmation).
        diff: Option<Fetched<Vec<DiffLine>>>,
    },
    Stop {
        deployment: Fetched<Option<ServiceDeploymentBrief>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Choosing (typing a count, picking a revision).
    Edit,
    /// Showing the plan; `y` sends it.
    Confirm(Plan),
    Sending(Plan),
    Failed {
        plan: Plan,
        error: String,
    },
}

/// An action's dialog, from choosing through confirming to the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    /// Answers from AWS for this dialog carry its id.
    pub id: u64,
    pub kind: ActionKind,
    pub cluster: String,
    pub service: Service,
    pub body: Body,
    pub stage: Stage,
    /// What was wrong with the last input; nothing was sent.
    pub error: Option<String>,
    /// A caution shown above the plan (autoscaling will undo it, CODE_DEPLOY...).
    pub warning: Option<String>,
}

/// Why an action cannot be offered on this service at all, if it cannot.
pub fn refusal(kind: ActionKind, service: &Service, read_only: bool) -> Option<String> {
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
        (Controller::CodeDeploy, ActionKind::Scale) => None,
        (Controller::CodeDeploy, _) => Some(format!(
            "{name} uses the CODE_DEPLOY controller: UpdateService cannot change its task definition or start a deployment; \
             deploy or roll back with AWS CodeDeploy (aws deploy create-deployment / stop-deployment). Scaling (S) works"
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

/// The autoscaling warning for what the scale dialog holds now (none while the input is not a count, or
/// when min/max move along).
pub fn scale_warning(scale: &Scale) -> Option<String> {
    match (&scale.autoscaling, parse_desired(&scale.input)) {
        (Fetched::Ready(Some(t)), Ok(n)) if !scale.move_bounds => bounds_warning(t, n),
        _ => None,
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

/// The plan of a scale to `desired`.
pub fn scale_plan(cluster: &str, service: &Service, desired: i32, scale: &Scale) -> Plan {
    let mut changes = vec![format!("desired {} → {desired}", service.desired_count)];
    let mut calls = Vec::new();
    if scale.move_bounds
        && let Fetched::Ready(Some(t)) = &scale.autoscaling
        && (desired < t.min_capacity || desired > t.max_capacity)
    {
        let moved = ScalableTarget {
            resource_id: t.resource_id.clone(),
            min_capacity: t.min_capacity.min(desired),
            max_capacity: t.max_capacity.max(desired),
        };
        changes.push(format!(
            "autoscaling min/max {}..{} → {}..{}",
            t.min_capacity, t.max_capacity, moved.min_capacity, moved.max_capacity
        ));
        calls.push(Call::register(moved));
    }
    calls.push(Call::UpdateService(UpdateServiceRequest {
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        desired_count: Some(desired),
        ..Default::default()
    }));
    Plan {
        kind: ActionKind::Scale,
        cluster: cluster.to_owned(),
        service: service.service_name.clone(),
        before: format!("desired {}", service.desired_count),
        after: format!("desired {desired}"),
        changes,
        calls,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn desired_counts_are_validated_with_a_reason() {
        assert_eq!(parse_desired(" 8 "), Ok(8));
        assert_eq!(parse_desired("0"), Ok(0));
        assert!(
            parse_desired("")
                .unwrap_err()
                .contains("type the new desired count")
        );
        assert!(
            parse_desired("-3")
                .unwrap_err()
                .contains("cannot be negative")
        );
        assert!(parse_desired("abc").unwrap_err().contains("not a number"));
        assert!(parse_desired("4.5").unwrap_err().contains("not a number"));
        assert!(
            parse_desired("5001")
                .unwrap_err()
                .contains("maximum of 5000")
        );
        assert!(
            parse_desired("99999999999999999999999")
                .unwrap_err()
                .contains("maximum")
        );
    }

    fn service() -> Service {
        Service {
            service_name: "web".into(),
            desired_count: 4,
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/web:42".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_scale_outside_autoscaling_bounds_moves_them_only_when_asked() {
        let target = ScalableTarget {
            resource_id: "service/prod/web".into(),
            min_capacity: 2,
            max_capacity: 6,
        };
        assert!(
            bounds_warning(&target, 8)
                .unwrap()
                .contains("between 2 and 6")
        );
        assert_eq!(bounds_warning(&target, 5), None);
        let mut scale = Scale {
            input: "8".into(),
            autoscaling: Fetched::Ready(Some(target)),
            move_bounds: false,
            typed_name: None,
        };
        let plan = scale_plan("prod", &service(), 8, &scale);
        assert_eq!(plan.changes, vec!["desired 4 → 8"]);
        assert_eq!(plan.calls.len(), 1);
        assert_eq!(
            plan.calls[0].text(),
            r#"ecs:UpdateService {"cluster":"prod","service":"web","desiredCount":8}"#
        );
        scale.move_bounds = true;
        let plan = scale_plan("prod", &service(), 8, &scale);
        assert_eq!(plan.changes[1], "autoscaling min/max 2..6 → 2..8");
        assert_eq!(
            plan.calls[0].text(),
            r#"application-autoscaling:RegisterScalableTarget {"serviceNamespace":"ecs","resourceId":"service/prod/web","scalableDimension":"ecs:service:DesiredCount","minCapacity":2,"maxCapacity":8}"#
        );
    }

    #[test]
    fn rollback_plans_name_both_revisions_and_the_exact_request() {
        let plan = rollback_plan(
            "prod",
            &service(),
            "arn:aws:ecs:us-east-1:1:task-definition/web:41",
        );
        assert_eq!(plan.changes, vec!["web:42 → web:41"]);
        assert!(
            plan.calls[0]
                .text()
                .contains(r#""taskDefinition":"arn:aws:ecs:us-east-1:1:task-definition/web:41""#)
        );
        let stop = stop_plan(
            "prod",
            &service(),
            &ServiceDeploymentBrief {
                service_deployment_arn: "arn:sd".into(),
                status: "IN_PROGRESS".into(),
                ..Default::default()
            },
        );
        assert_eq!(
            stop.calls[0].text(),
            r#"ecs:StopServiceDeployment {"serviceDeploymentArn":"arn:sd","stopType":"ROLLBACK"}"#
        );
    }

    #[test]
    fn code_deploy_and_external_services_are_refused_with_the_reason() {
        let mut s = service();
        s.deployment_controller = Controller::CodeDeploy;
        assert_eq!(refusal(ActionKind::Scale, &s, false), None);
        assert!(
            refusal(ActionKind::Rollback, &s, false)
                .unwrap()
                .contains("CodeDeploy")
        );
        s.deployment_controller = Controller::External;
        assert!(
            refusal(ActionKind::Scale, &s, false)
                .unwrap()
                .contains("EXTERNAL")
        );
        s.deployment_controller = Controller::Ecs;
        assert!(
            refusal(ActionKind::Scale, &s, true)
                .unwrap()
                .contains("read-only")
        );
    }

    #[test]
    fn the_diff_shows_images_resources_ports_names_and_logs_never_values() {
        let container = |image: &str, env: &[&str], secrets: &[&str]| ContainerDefinition {
            name: "web".into(),
            image: image.into(),
            cpu: 256,
            memory: Some(512),
            environment_names: env.iter().map(|s| s.to_string()).collect(),
            secret_names: secrets.iter().map(|s| s.to_string()).collect(),
            port_mappings: vec!["8080/tcp".into()],
            ..Default::default()
        };
        let a = TaskDefinition {
            cpu: Some("512".into()),
            container_definitions: vec![container("web:v2", &["A", "B"], &["DB_PASSWORD"])],
            ..Default::default()
        };
        let mut b = TaskDefinition {
            cpu: Some("1024".into()),
            container_definitions: vec![container("web:v1", &["A"], &["DB_PASSWORD", "API_KEY"])],
            ..Default::default()
        };
        b.container_definitions[0].port_mappings = vec!["80/tcp".into()];
        let d = diff(&a, &b);
        let fields: Vec<&str> = d.iter().map(|l| l.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "task cpu",
                "web image",
                "web ports",
                "web environment",
                "web secrets"
            ]
        );
        assert_eq!(d[3].from, "A, B");
        assert_eq!(d[4].to, "API_KEY, DB_PASSWORD");
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn rollback_offers_the_newest_good_revision_that_is_not_running() {
        let arns: Vec<String> = (38..=42).rev().map(|r| format!("td/web:{r}")).collect();
        let r = mark_revisions(
            &arns,
            "td/web:42",
            &["td/web:42".into(), "td/web:40".into()],
            "service deployments".into(),
        );
        assert!(r.list[0].primary && r.list[0].good);
        assert_eq!(
            default_choice(&r.list),
            2,
            "web:40, the newest good one not running"
        );
        let none_good = mark_revisions(&arns, "td/web:42", &[], "guess".into());
        assert_eq!(
            default_choice(&none_good.list),
            1,
            "web:41, just before the current"
        );
    }
}
