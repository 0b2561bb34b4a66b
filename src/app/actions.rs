//! The action dialogs' own state (choosing, confirming, sending) and the scale plan built from it; the plans, diffs and audit lines themselves are in `model::actions`.

use crate::app::input::TextInput;
use crate::aws::ApiError;
use crate::aws::ScalableTarget;
use crate::aws::Service;
use crate::aws::ServiceDeploymentBrief;
use crate::aws::UpdateServiceRequest;
use crate::model::actions::ActionKind;
use crate::model::actions::Call;
use crate::model::actions::DiffLine;
use crate::model::actions::Plan;
use crate::model::actions::Revisions;
use crate::model::actions::bounds_warning;
use crate::model::actions::parse_desired;
use crate::model::traffic::{Move, Traffic, parse_percent};
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
    /// The traffic dialog: the pair and its routes, the move chosen ([`TRAFFIC_CHOICES`]) and the typed %.
    Traffic {
        traffic: Fetched<Traffic>,
        selected: usize,
        percent: TextInput,
    },
}

/// The traffic dialog's rows, in order; the typed one takes the percentage field.
pub const TRAFFIC_CHOICES: [TrafficChoice; 6] = [
    TrafficChoice::Fixed(Move::Switch),
    TrafficChoice::Fixed(Move::Shift(10)),
    TrafficChoice::Fixed(Move::Shift(50)),
    TrafficChoice::Fixed(Move::Shift(100)),
    TrafficChoice::Typed,
    TrafficChoice::Fixed(Move::SwitchBack),
];
/// The row typing digits selects.
pub const TYPED_CHOICE: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrafficChoice {
    Fixed(Move),
    /// Shift to the percentage typed.
    Typed,
}

/// The move of the chosen row, or what is wrong with the typed percentage.
pub fn traffic_move(selected: usize, percent: &str) -> Result<Move, String> {
    match TRAFFIC_CHOICES.get(selected) {
        Some(TrafficChoice::Fixed(m)) => Ok(*m),
        _ => parse_percent(percent).map(Move::Shift),
    }
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
    /// What `?` or a key that does nothing here answered (the dialog's keys); cleared by the next key.
    pub note: Option<String>,
}

/// The smallest terminal a dialog is drawn in. Below it the exact change and the dialog's field cannot be
/// shown, so the dialog says so instead, and nothing can be sent from it (a `y` the user cannot see the
/// meaning of is not a confirmation).
pub const DIALOG_MIN: (u16, u16) = (60, 20);

pub fn dialog_fits(width: u16, height: u16) -> bool {
    width >= DIALOG_MIN.0 && height >= DIALOG_MIN.1
}

impl Dialog {
    /// The keys that work in this dialog now, as its last line shows them.
    pub fn keys(&self) -> &'static str {
        match &self.stage {
            Stage::Edit => match &self.body {
                Body::Scale(s) if matches!(s.autoscaling, Fetched::Failed(_)) => {
                    "Enter review · Ctrl-r ask autoscaling again · Esc cancel"
                }
                Body::Scale(s) if matches!(s.autoscaling, Fetched::Ready(Some(_))) => {
                    "Enter review · Tab move autoscaling min/max · Esc cancel"
                }
                // Tab does something only once there are bounds to move.
                Body::Scale(_) => "Enter review · Esc cancel",
                Body::Rollback {
                    revisions: Fetched::Failed(_),
                    ..
                }
                | Body::Stop {
                    deployment: Fetched::Failed(_),
                } => "r retry · Esc cancel",
                Body::Rollback {
                    revisions: Fetched::Ready(_),
                    ..
                } => "j/k choose · Enter review · Esc cancel",
                Body::Traffic {
                    traffic: Fetched::Failed(_),
                    ..
                } => "r retry · Esc cancel",
                Body::Traffic {
                    traffic: Fetched::Ready(_),
                    ..
                } => "j/k choose · 0-9 type a % · Enter review · Esc cancel",
                _ => "Esc cancel",
            },
            Stage::Confirm(p) if p.kind == ActionKind::Scale && p.after == "desired 0" => {
                "type the name · Enter send · Esc back"
            }
            Stage::Confirm(_) if matches!(&self.body, Body::Scale(s) if matches!(s.autoscaling, Fetched::Ready(Some(_)))) => {
                "y send · Tab move autoscaling min/max · Esc back (nothing is sent until y)"
            }
            Stage::Confirm(_) => "y send · Esc back (nothing is sent until y)",
            Stage::Sending(_) => "sending… (the result shows here) · Esc close",
            Stage::Failed { .. } => "Esc or Enter close",
        }
    }

    /// What `?` says in this dialog: what it is doing and the keys, in a sentence (the dialog has no help
    /// screen of its own: it stays open with this under it).
    pub fn help(&self) -> String {
        let what = match (&self.stage, &self.body) {
            (Stage::Edit, Body::Scale(_)) => {
                "type the new desired count (digits; Backspace, ←/→ edit); Enter shows the exact change, nothing is sent yet"
            }
            (
                Stage::Edit,
                Body::Rollback {
                    revisions: Fetched::Loading,
                    ..
                },
            ) => "listing the family's revisions; the list shows here when it comes",
            (Stage::Edit, Body::Rollback { .. }) => {
                "choose the revision to roll back to; Enter shows the exact change and the task definition diff, nothing is sent yet"
            }
            (
                Stage::Edit,
                Body::Stop {
                    deployment: Fetched::Ready(None),
                },
            ) => "no deployment is in progress, so there is nothing to stop",
            (Stage::Edit, Body::Stop { .. }) => {
                "looking for the deployment in progress; the change shows when it is found"
            }
            (Stage::Edit, Body::Force) => "the change shows here before anything is sent",
            (Stage::Edit, Body::Traffic { .. }) => {
                "choose switch, a canary shift or switch back (digits type any % for green); Enter shows the exact request, nothing is sent yet"
            }
            (Stage::Confirm(p), _) if p.kind == ActionKind::Scale && p.after == "desired 0" => {
                "scaling to 0 stops every task: type the service name exactly, then Enter sends"
            }
            (Stage::Confirm(_), _) => {
                "this is the exact change and the calls it makes; y sends them, Esc goes back without sending"
            }
            (Stage::Sending(_), _) => "the calls are on their way; the result shows here",
            (Stage::Failed { .. }, _) => {
                "the calls failed (the reason is above); nothing more is sent"
            }
        };
        format!("{what} — keys: {}", self.keys())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::*;
    use crate::model::actions::*;

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
        assert_eq!(refusal(ActionKind::Scale, &s, false, "S"), None);
        assert!(
            refusal(ActionKind::Rollback, &s, false, "S")
                .unwrap()
                .contains("CodeDeploy")
        );
        // The user's key for scaling, not the default.
        assert!(
            refusal(ActionKind::Rollback, &s, false, "F2")
                .unwrap()
                .ends_with("Scaling (F2) works")
        );
        s.deployment_controller = Controller::External;
        assert!(
            refusal(ActionKind::Scale, &s, false, "S")
                .unwrap()
                .contains("EXTERNAL")
        );
        s.deployment_controller = Controller::Ecs;
        assert!(
            refusal(ActionKind::Scale, &s, true, "S")
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
