//! The deploy watch verdicts, refresh by refresh: what each sequence of snapshots must be called. One file of
//! tables of cases (over ~600 lines on purpose: each verdict rule beside the cases that pin it).

/// A watch screen whose alarm scan answered with no alarm (the metrics worker's first answer).
fn watching(cluster: &str, service: &str, target: Target) -> DeployView {
    let mut view = DeployView::new(cluster, service, target);
    view.metrics
        .apply(crate::protocol::MetricsUpdate::Alarms(Ok(vec![])));
    view
}

use super::*;
use crate::aws::*;
use crate::model::deploy::*;
use crate::protocol::MetricsUpdate;

fn event(id: &str, at: Millis, message: &str) -> ServiceEvent {
    ServiceEvent {
        id: id.into(),
        created_at: Some(at),
        message: message.into(),
    }
}

#[test]
fn events_merge_without_repeats_and_steady_states_collapse() {
    let mut seen = Vec::new();
    merge_events(
        &mut seen,
        &[
            event("b", 2, "(service web) has reached a steady state."),
            event("a", 1, "(service web) has reached a steady state."),
        ],
    );
    merge_events(
        &mut seen,
        &[
            event(
                "c",
                3,
                "(service web) (port 8080) is unhealthy in (target-group x)",
            ),
            event("b", 2, "(service web) has reached a steady state."),
        ],
    );
    assert_eq!(seen.len(), 3);
    let lines = event_lines(&seen);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].failure);
    assert_eq!(lines[1].repeats, 2);
    assert!(!lines[1].failure);
}

fn deployment(id: &str, status: &str, td: &str, rollout: &str) -> Deployment {
    Deployment {
        id: id.into(),
        status: status.into(),
        task_definition: td.into(),
        desired_count: 4,
        running_count: 4,
        rollout_state: Some(rollout.into()),
        rollout_state_reason: Some(format!("{rollout} reason")),
        ..Default::default()
    }
}

fn snapshot(deployments: Vec<Deployment>) -> DeploySnapshot {
    DeploySnapshot {
        service: Service {
            desired_count: 4,
            running_count: 4,
            deployments,
            ..Default::default()
        },
        tasks: vec![],
        health: vec![],
        deployments: Ok(vec![]),
        codedeploy: None,
        at: 0,
    }
}

#[test]
fn a_circuit_breaker_rollback_is_a_failure_even_when_the_service_is_stable_again() {
    let mut view = watching(
        "prod",
        "web",
        Target::Deployment {
            id: "ecs-svc/2".into(),
            task_definition: "td/web:42".into(),
        },
    );
    view.apply(snapshot(vec![
        deployment("ecs-svc/2", "PRIMARY", "td/web:42", "IN_PROGRESS"),
        deployment("ecs-svc/1", "ACTIVE", "td/web:41", "COMPLETED"),
    ]));
    assert!(matches!(view.outcome(), Outcome::InProgress(_)));
    view.apply(snapshot(vec![
        deployment("ecs-svc/3", "PRIMARY", "td/web:41", "IN_PROGRESS"),
        deployment("ecs-svc/2", "ACTIVE", "td/web:42", "FAILED"),
    ]));
    // ECS forgets the failed deployment once the rollback completes; the screen does not.
    view.apply(snapshot(vec![deployment(
        "ecs-svc/3",
        "PRIMARY",
        "td/web:41",
        "COMPLETED",
    )]));
    let outcome = view.outcome();
    assert!(
        matches!(&outcome, Outcome::Failed(t) if t.contains("td/web:42 did not deploy: FAILED reason") && t.contains("rolled back to td/web:41")),
        "{outcome:?}"
    );
}

#[test]
fn a_deploy_that_starts_while_watching_is_judged_and_its_rollback_is_not_adopted() {
    let at = |mut d: Deployment, created: Millis| {
        d.created_at = Some(created);
        d
    };
    let mut view = watching("prod", "web", Target::Primary);
    view.apply(snapshot(vec![at(
        deployment("ecs-svc/1", "PRIMARY", "td/web:41", "COMPLETED"),
        1,
    )]));
    assert!(matches!(view.outcome(), Outcome::Succeeded(_)));
    view.apply(snapshot(vec![
        at(
            deployment("ecs-svc/2", "PRIMARY", "td/web:42", "IN_PROGRESS"),
            5,
        ),
        at(
            deployment("ecs-svc/1", "ACTIVE", "td/web:41", "COMPLETED"),
            1,
        ),
    ]));
    view.apply(snapshot(vec![
        at(
            deployment("ecs-svc/1", "PRIMARY", "td/web:41", "IN_PROGRESS"),
            1,
        ),
        at(deployment("ecs-svc/2", "ACTIVE", "td/web:42", "FAILED"), 5),
    ]));
    assert_eq!(
        view.target,
        Target::Deployment {
            id: "ecs-svc/2".into(),
            task_definition: "td/web:42".into()
        }
    );
    assert!(matches!(view.outcome(), Outcome::Failed(_)));
}

#[test]
fn a_deployment_the_user_stopped_is_never_called_succeeded_once_its_rollback_completes() {
    let at = |mut d: Deployment, created: Millis| {
        d.created_at = Some(created);
        d
    };
    let mut view = watching(
        "prod",
        "search",
        Target::Stopped {
            id: "ecs-svc/39".into(),
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/search:39".into(),
        },
    );
    // The stop is not in effect yet.
    view.apply(snapshot(vec![
        at(
            deployment(
                "ecs-svc/39",
                "PRIMARY",
                "arn:aws:ecs:us-east-1:1:task-definition/search:39",
                "IN_PROGRESS",
            ),
            5,
        ),
        at(
            deployment(
                "ecs-svc/38",
                "ACTIVE",
                "arn:aws:ecs:us-east-1:1:task-definition/search:38",
                "COMPLETED",
            ),
            1,
        ),
    ]));
    assert!(
        matches!(view.outcome(), Outcome::InProgress(_)),
        "{:?}",
        view.outcome()
    );
    // ECS re-promotes the old deployment and rolls back.
    let mut stopped = deployment(
        "ecs-svc/39",
        "ACTIVE",
        "arn:aws:ecs:us-east-1:1:task-definition/search:39",
        "FAILED",
    );
    stopped.rollout_state_reason = Some("Stopped by user: rolling back.".into());
    view.apply(snapshot(vec![
        at(
            deployment(
                "ecs-svc/38",
                "PRIMARY",
                "arn:aws:ecs:us-east-1:1:task-definition/search:38",
                "IN_PROGRESS",
            ),
            1,
        ),
        at(stopped, 5),
    ]));
    let outcome = view.outcome();
    assert!(
        matches!(&outcome, Outcome::InProgress(t) if t.contains("search:39 stopped (you asked); rolling back to search:38")),
        "{outcome:?}"
    );
    // The rollback completes and ECS forgets the stopped deployment: stopped, not SUCCEEDED.
    view.apply(snapshot(vec![at(
        deployment(
            "ecs-svc/38",
            "PRIMARY",
            "arn:aws:ecs:us-east-1:1:task-definition/search:38",
            "COMPLETED",
        ),
        1,
    )]));
    assert_eq!(
        view.outcome(),
        Outcome::Stopped(
            "STOPPED: search:39 was stopped (you asked); the service rolled back to search:38 — steady"
                .into()
        )
    );
    // The screen opened with `W` after the stop does not judge the rollback as a deploy of search:38.
    let mut watch = watching("prod", "search", Target::Primary);
    let mut stopped = deployment(
        "ecs-svc/39",
        "ACTIVE",
        "arn:aws:ecs:us-east-1:1:task-definition/search:39",
        "FAILED",
    );
    stopped.created_at = Some(5);
    watch.apply(snapshot(vec![
        at(
            deployment(
                "ecs-svc/38",
                "PRIMARY",
                "arn:aws:ecs:us-east-1:1:task-definition/search:38",
                "IN_PROGRESS",
            ),
            1,
        ),
        stopped,
    ]));
    assert_eq!(watch.target, Target::Primary);
    watch.apply(snapshot(vec![at(
        deployment(
            "ecs-svc/38",
            "PRIMARY",
            "arn:aws:ecs:us-east-1:1:task-definition/search:38",
            "COMPLETED",
        ),
        1,
    )]));
    assert!(
        !matches!(&watch.outcome(), Outcome::Succeeded(t) if t.contains("deployed")),
        "{:?}",
        watch.outcome()
    );
}

#[test]
fn a_verdict_says_an_outage_outright() {
    // payments after a force deploy whose tasks failed health checks, breaker without rollback.
    let mut view = watching_payments_60();
    let mut snap = snapshot(vec![deployment(
        "ecs-svc/60",
        "PRIMARY",
        "arn:aws:ecs:us-east-1:1:task-definition/payments:60",
        "FAILED",
    )]);
    snap.service.running_count = 0;
    snap.service
        .deployment_configuration
        .minimum_healthy_percent = Some(100);
    view.apply(snap.clone());
    let outcome = view.outcome();
    assert!(
        matches!(&outcome, Outcome::Failed(t) if t.ends_with("did not deploy: FAILED reason — service has 0 of 4 tasks running")),
        "{outcome:?}"
    );
    // ECS calling the deployment COMPLETED does not make missing tasks a success.
    let mut view = watching_payments_60();
    snap.service.deployments = vec![deployment(
        "ecs-svc/60",
        "PRIMARY",
        "arn:aws:ecs:us-east-1:1:task-definition/payments:60",
        "COMPLETED",
    )];
    snap.service.running_count = 3;
    view.apply(snap.clone());
    assert_eq!(
        view.outcome(),
        Outcome::Deployed("payments:60 deployed; 3 of 4 tasks running".into())
    );
    // Minimum healthy 50 % of 4: 2 running is within what the service allows, so no outage is said,
    // but a deployment with tasks missing is still not steady.
    let mut view = watching_payments_60();
    snap.service
        .deployment_configuration
        .minimum_healthy_percent = Some(50);
    snap.service.running_count = 2;
    view.apply(snap);
    assert_eq!(
        view.outcome(),
        Outcome::Deployed("payments:60 deployed; 2 of 4 tasks running".into())
    );
}

#[test]
fn a_completed_deployment_whose_tasks_fall_short_is_not_steady() {
    let mut view = watching(
        "prod",
        "web",
        Target::Deployment {
            id: "ecs-svc/2".into(),
            task_definition: "td/web:42".into(),
        },
    );
    let mut short = snapshot(vec![deployment(
        "ecs-svc/2",
        "PRIMARY",
        "td/web:42",
        "COMPLETED",
    )]);
    short.service.running_count = 3;
    short.service.pending_count = 1;
    view.apply(short);
    assert!(
        matches!(view.outcome(), Outcome::Deployed(ref t) if t.contains("3 of 4 tasks running, 1 pending")),
        "{:?}",
        view.outcome()
    );
}

#[test]
fn unread_or_unreadable_alarms_keep_a_completed_deployment_amber() {
    let target = || Target::Deployment {
        id: "ecs-svc/2".into(),
        task_definition: "td/web:42".into(),
    };
    let done = || {
        snapshot(vec![deployment(
            "ecs-svc/2",
            "PRIMARY",
            "td/web:42",
            "COMPLETED",
        )])
    };
    let mut unread = DeployView::new("prod", "web", target());
    unread.apply(done());
    assert!(
        matches!(unread.outcome(), Outcome::Deployed(ref t) if t.contains("alarms not read yet")),
        "{:?}",
        unread.outcome()
    );
    let mut denied = DeployView::new("prod", "web", target());
    denied
        .metrics
        .apply(crate::protocol::MetricsUpdate::Alarms(Err(
            ApiError::AccessDenied {
                action: "cloudwatch:DescribeAlarms".into(),
                message: "no".into(),
            },
        )));
    denied.apply(done());
    assert!(
        matches!(denied.outcome(), Outcome::Deployed(ref t) if t.contains("cloudwatch:DescribeAlarms denied")),
        "{:?}",
        denied.outcome()
    );
    // Once the scan answers with nothing firing, it is green.
    denied
        .metrics
        .apply(crate::protocol::MetricsUpdate::Alarms(Ok(vec![])));
    assert!(matches!(denied.outcome(), Outcome::Succeeded(_)));
}

#[test]
fn success_only_when_the_watched_deployment_completes() {
    let target = Target::Deployment {
        id: "ecs-svc/2".into(),
        task_definition: "td/web:42".into(),
    };
    let mut view = watching("prod", "web", target);
    view.apply(snapshot(vec![deployment(
        "ecs-svc/2",
        "PRIMARY",
        "td/web:42",
        "COMPLETED",
    )]));
    assert!(matches!(view.outcome(), Outcome::Succeeded(_)));
    // Someone else's deployment replacing ours before it completed is not our success.
    let mut other = watching(
        "prod",
        "web",
        Target::Deployment {
            id: "ecs-svc/9".into(),
            task_definition: "td/web:43".into(),
        },
    );
    other.apply(snapshot(vec![deployment(
        "ecs-svc/2",
        "PRIMARY",
        "td/web:42",
        "COMPLETED",
    )]));
    assert!(matches!(other.outcome(), Outcome::Failed(_)));
}

fn task_at(ip: &str, td: &str) -> Task {
    Task {
        task_arn: format!("arn:aws:ecs:us-east-1:1:task/prod/{ip}"),
        task_definition_arn: td.into(),
        last_status: "RUNNING".into(),
        private_ip: Some(ip.into()),
        ..Default::default()
    }
}

fn target(ip: &str, state: &str) -> TargetHealth {
    TargetHealth {
        id: ip.into(),
        port: Some(8080),
        state: state.into(),
        reason: None,
        description: None,
    }
}

fn alarm(name: &str, state: &str) -> Alarm {
    Alarm {
        alarm_name: name.into(),
        state_value: state.into(),
        state_reason: None,
        state_updated_at: None,
        namespace: None,
        metric_name: None,
        dimensions: vec![],
    }
}

/// payments after a rollback to :60: its deployment COMPLETED, 4 tasks on :60 behind two target groups.
fn rolled_back(blue: [&str; 2], green: [&str; 2]) -> DeploySnapshot {
    let mut snap = snapshot(vec![deployment(
        "ecs-svc/60",
        "PRIMARY",
        "arn:aws:ecs:us-east-1:1:task-definition/payments:60",
        "COMPLETED",
    )]);
    snap.tasks = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
        .iter()
        .map(|ip| task_at(ip, "arn:aws:ecs:us-east-1:1:task-definition/payments:60"))
        .collect();
    snap.health = vec![
        (
            "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/blue/1".into(),
            Ok(vec![
                target("10.0.0.1", blue[0]),
                target("10.0.0.2", blue[1]),
            ]),
        ),
        (
            "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/green/2".into(),
            Ok(vec![
                target("10.0.0.3", green[0]),
                target("10.0.0.4", green[1]),
            ]),
        ),
    ];
    snap
}

fn watching_payments_60() -> DeployView {
    watching(
        "prod",
        "payments",
        Target::Deployment {
            id: "ecs-svc/60".into(),
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/payments:60".into(),
        },
    )
}

#[test]
fn deployed_with_unhealthy_targets_and_a_firing_alarm_is_amber_and_turns_green_when_they_clear() {
    let mut view = watching_payments_60();
    // Unhealthy targets only in the second target group: still not a success.
    view.apply(rolled_back(
        ["healthy", "healthy"],
        ["unhealthy", "unhealthy"],
    ));
    view.metrics.apply(MetricsUpdate::Alarms(Ok(vec![alarm(
        "production-payments-target-5xx",
        "ALARM",
    )])));
    let outcome = view.outcome();
    assert_eq!(
        outcome,
        Outcome::Deployed(
            "payments:60 deployed; 2 of 4 targets unhealthy; alarm production-payments-target-5xx in ALARM"
                .into()
        )
    );
    // The alarm clears first: still amber for the targets.
    view.metrics.apply(MetricsUpdate::Alarms(Ok(vec![alarm(
        "production-payments-target-5xx",
        "OK",
    )])));
    view.apply(rolled_back(["healthy", "healthy"], ["healthy", "initial"]));
    assert_eq!(
        view.outcome(),
        Outcome::Deployed("payments:60 deployed; 1 of 4 targets initial".into())
    );
    view.apply(rolled_back(["healthy", "healthy"], ["healthy", "healthy"]));
    assert_eq!(
        view.outcome(),
        Outcome::Succeeded("SUCCEEDED: payments:60 is deployed and steady".into())
    );
}

#[test]
fn targets_of_other_revisions_do_not_count_but_unknown_health_does() {
    let mut view = watching_payments_60();
    let mut snap = rolled_back(["healthy", "healthy"], ["healthy", "healthy"]);
    // A draining target of the old revision is not the watched revision's problem.
    snap.tasks.push(task_at(
        "10.0.0.9",
        "arn:aws:ecs:us-east-1:1:task-definition/payments:61",
    ));
    if let Some((_, Ok(targets))) = snap.health.first_mut() {
        targets.push(target("10.0.0.9", "draining"));
    }
    view.apply(snap.clone());
    assert!(matches!(view.outcome(), Outcome::Succeeded(_)));
    snap.health.push((
        "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/canary/3".into(),
        Err(ApiError::Network("connection refused".into())),
    ));
    view.apply(snap);
    let outcome = view.outcome();
    assert!(
        matches!(&outcome, Outcome::Deployed(t) if t.contains("health of canary unknown")),
        "{outcome:?}"
    );
}

#[test]
fn a_deployment_still_in_progress_is_never_called_succeeded() {
    // The watched deployment completed, but another one is still rolling (an emulator that never
    // finishes, or someone else's deploy): in progress, not SUCCEEDED.
    let mut view = watching_payments_60();
    let mut snap = rolled_back(["healthy", "healthy"], ["healthy", "healthy"]);
    snap.service.deployments.push(deployment(
        "ecs-svc/62",
        "ACTIVE",
        "arn:aws:ecs:us-east-1:1:task-definition/payments:62",
        "IN_PROGRESS",
    ));
    view.apply(snap);
    let outcome = view.outcome();
    assert!(
        matches!(&outcome, Outcome::InProgress(t) if t.contains("ecs-svc/62 of payments:62 still IN_PROGRESS")),
        "{outcome:?}"
    );
    // A scale whose counts settled while the primary's rollout stays IN_PROGRESS (moto) is not done.
    let mut scale = watching("prod", "web", Target::Desired(4));
    scale.apply(snapshot(vec![deployment(
        "ecs-svc/1",
        "PRIMARY",
        "td/web:1",
        "IN_PROGRESS",
    )]));
    assert!(
        matches!(scale.outcome(), Outcome::InProgress(_)),
        "{:?}",
        scale.outcome()
    );
    assert!(scale.snapshot.as_ref().is_some_and(|s| s.rolling()));
    // A service deployment the API still reports under way counts too.
    let mut api = watching_payments_60();
    let mut snap = rolled_back(["healthy", "healthy"], ["healthy", "healthy"]);
    snap.deployments = Ok(vec![ServiceDeployment {
        status: "ROLLBACK_IN_PROGRESS".into(),
        ..Default::default()
    }]);
    api.apply(snap);
    assert!(matches!(api.outcome(), Outcome::InProgress(_)));
}

#[test]
fn a_failed_rollout_that_launches_nothing_more_is_not_refreshed_as_deploying() {
    let failed = snapshot(vec![
        deployment(
            "ecs-svc/61",
            "PRIMARY",
            "arn:aws:ecs:us-east-1:1:task-definition/payments:61",
            "FAILED",
        ),
        deployment(
            "ecs-svc/60",
            "ACTIVE",
            "arn:aws:ecs:us-east-1:1:task-definition/payments:60",
            "COMPLETED",
        ),
    ]);
    assert!(!failed.rolling());
    assert!(!failed.busy());
    let rolling = snapshot(vec![
        deployment(
            "ecs-svc/62",
            "PRIMARY",
            "arn:aws:ecs:us-east-1:1:task-definition/payments:62",
            "IN_PROGRESS",
        ),
        deployment(
            "ecs-svc/60",
            "ACTIVE",
            "arn:aws:ecs:us-east-1:1:task-definition/payments:60",
            "COMPLETED",
        ),
    ]);
    assert!(rolling.rolling() && rolling.busy());
}

#[test]
fn stopped_tasks_group_by_reason_and_exit_code() {
    let stopped = |reason: &str, code: i32| Task {
        last_status: "STOPPED".into(),
        stopped_reason: Some(reason.into()),
        containers: vec![Container {
            exit_code: Some(code),
            ..Default::default()
        }],
        ..Default::default()
    };
    let groups = stopped_groups(&[
        stopped("Task failed ELB health checks", 143),
        stopped("Essential container in task exited", 1),
        stopped("Task failed ELB health checks", 143),
    ]);
    assert_eq!(
        groups[0],
        ("Task failed ELB health checks".into(), Some(143), 2)
    );
    assert_eq!(groups.len(), 2);
}
