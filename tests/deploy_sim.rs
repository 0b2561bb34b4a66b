//! The moving simulator on its own: scaling, rolling deployments by minimum healthy / maximum percent, a bad
//! revision tripping the circuit breaker and rolling back, StopServiceDeployment, and the service deployments
//! API's records following along.

use ecsdeck::aws::*;
use ecsdeck::sim::{Sim, SimOptions, breaker_threshold};
use std::time::Duration;

const PACE: Duration = Duration::from_millis(15);

fn moving(tasks: usize) -> Sim {
    Sim::new(SimOptions {
        latency: Duration::ZERO,
        tasks_per_service: Some(tasks),
        pace: Some(PACE),
        ..SimOptions::default()
    })
}

async fn service(sim: &Sim, name: &str) -> Service {
    sim.describe_services("production", &[name.to_owned()])
        .await
        .unwrap()
        .remove(0)
}

/// Polls until `done` holds (at most 10 s), returning every service state seen on the way.
async fn until(sim: &Sim, name: &str, done: impl Fn(&Service) -> bool) -> Vec<Service> {
    let mut seen = Vec::new();
    for _ in 0..2000 {
        let s = service(sim, name).await;
        let finished = done(&s);
        seen.push(s);
        if finished {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!(
        "{name} never got there; last state: {:#?}",
        seen.last()
            .map(|s| (&s.deployments, &s.events[..5.min(s.events.len())]))
    );
}

fn messages(s: &Service) -> Vec<&str> {
    s.events.iter().map(|e| e.message.as_str()).collect()
}

fn update(service: &str) -> UpdateServiceRequest {
    UpdateServiceRequest {
        cluster: "production".into(),
        service: service.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn scaling_2_to_6_starts_tasks_through_provisioning_and_pending_and_converges() {
    let sim = moving(2);
    let before = service(&sim, "web").await;
    assert_eq!((before.desired_count, before.running_count), (2, 2));
    let out = sim
        .update_service(&UpdateServiceRequest {
            desired_count: Some(6),
            ..update("web")
        })
        .await
        .unwrap();
    assert_eq!(out.value.desired_count, 6);
    assert!(out.request_id.is_some());
    let seen = until(&sim, "web", |s| {
        s.running_count == 6 && s.pending_count == 0 && messages(s)[0].contains("steady state")
    })
    .await;
    assert!(
        seen.iter().any(|s| s.pending_count > 0),
        "new tasks were pending for a while"
    );
    let last = seen.last().unwrap();
    assert_eq!(last.deployments.len(), 1, "scaling is not a new deployment");
    assert!(
        messages(last)
            .iter()
            .any(|m| m.starts_with("(service web) has started 4 tasks: (task ")),
        "{:?}",
        messages(last)
    );
    // The tasks themselves went through the phases ECS reports.
    let arns = sim
        .list_tasks("production", Some("web"), DesiredStatus::Running, None)
        .await
        .unwrap()
        .arns;
    assert_eq!(arns.len(), 6);
    let tasks = sim.describe_tasks("production", &arns).await.unwrap();
    assert!(
        tasks
            .iter()
            .all(|t| t.last_status == "RUNNING" && t.health_status.as_deref() == Some("HEALTHY"))
    );

    // And back down: two drain and stop.
    sim.update_service(&UpdateServiceRequest {
        desired_count: Some(4),
        ..update("web")
    })
    .await
    .unwrap();
    let seen = until(&sim, "web", |s| {
        s.running_count == 4 && !s.events[0].message.contains("stopped")
    })
    .await;
    assert!(
        messages(seen.last().unwrap())
            .iter()
            .any(|m| m.starts_with("(service web) has stopped 2 running tasks:")),
    );
}

#[tokio::test]
async fn a_rolling_deployment_never_drops_below_minimum_healthy_nor_exceeds_maximum_percent() {
    let sim = moving(4);
    let next = sim.register_revision("production", "web").unwrap();
    sim.update_service(&UpdateServiceRequest {
        task_definition: Some(next.clone()),
        ..update("web")
    })
    .await
    .unwrap();
    let mut healthy_min = i32::MAX;
    let mut total_max = 0;
    for _ in 0..2000 {
        let counts = {
            let fleet = sim.fleet();
            let c = fleet.cluster("production").unwrap();
            let i = c.service_index("web").unwrap();
            let mine = c.tasks.iter().filter(|t| t.service == i);
            let healthy = mine
                .clone()
                .filter(|t| t.phase == ecsdeck::sim::Phase::Running)
                .count() as i32;
            let total = mine.filter(|t| t.phase.live()).count() as i32;
            (healthy, total)
        };
        healthy_min = healthy_min.min(counts.0);
        total_max = total_max.max(counts.1);
        let s = service(&sim, "web").await;
        if s.deployments.len() == 1
            && s.deployments[0].rollout_state.as_deref() == Some("COMPLETED")
        {
            assert_eq!(s.task_definition, next);
            assert_eq!(s.running_count, 4);
            assert!(
                messages(&s)
                    .iter()
                    .any(|m| m.contains("deployment completed."))
            );
            // minimumHealthyPercent 100 and maximumPercent 200 of 4 tasks.
            assert!(healthy_min >= 4, "healthy dropped to {healthy_min}");
            assert!(total_max <= 8, "ran {total_max} tasks at once");
            let history = sim
                .list_service_deployments("production", "web")
                .await
                .unwrap();
            assert_eq!(history[0].status, "SUCCESSFUL");
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the deployment never completed");
}

#[tokio::test]
async fn a_bad_revision_fails_health_checks_trips_the_breaker_and_rolls_back() {
    let sim = moving(4);
    let good = service(&sim, "web").await.task_definition;
    let bad = sim.register_bad_revision("production", "web").unwrap();
    sim.update_service(&UpdateServiceRequest {
        task_definition: Some(bad.clone()),
        ..update("web")
    })
    .await
    .unwrap();
    let seen = until(&sim, "web", |s| {
        s.deployments.len() == 1
            && s.deployments[0].rollout_state.as_deref() == Some("COMPLETED")
            && s.task_definition == good
    })
    .await;
    let failed = seen
        .iter()
        .flat_map(|s| &s.deployments)
        .find(|d| d.task_definition == bad && d.rollout_state.as_deref() == Some("FAILED"))
        .expect("the bad revision's deployment was seen FAILED");
    assert!(failed.failed_tasks >= breaker_threshold(4));
    assert_eq!(
        failed.rollout_state_reason.as_deref(),
        Some("ECS deployment circuit breaker: tasks failed to start.")
    );
    let last = seen.last().unwrap();
    let words = messages(last).join("\n");
    assert!(words.contains("is unhealthy in (target-group"), "{words}");
    assert!(
        words.contains("deployment failed: tasks failed to start."),
        "{words}"
    );
    assert!(words.contains("rolling back to deployment"), "{words}");
    // The old revision kept serving: never fewer than 4 healthy old tasks.
    assert_eq!(last.running_count, 4);

    // The service deployments API tells the whole story.
    let history = sim
        .list_service_deployments("production", "web")
        .await
        .unwrap();
    assert_eq!(history[0].status, "ROLLBACK_SUCCESSFUL");
    let detail = sim
        .describe_service_deployments(&[history[0].service_deployment_arn.clone()])
        .await
        .unwrap();
    let breaker = detail[0].circuit_breaker.clone().unwrap();
    assert_eq!(breaker.status, "TRIGGERED");
    assert!(breaker.failure_count >= breaker.threshold);
    let target = sim
        .describe_service_revisions(&[history[0].target_service_revision_arn.clone().unwrap()])
        .await
        .unwrap();
    assert_eq!(target[0].task_definition, bad);
    // Stopped tasks say why.
    let stopped = sim
        .list_tasks("production", Some("web"), DesiredStatus::Stopped, None)
        .await
        .unwrap()
        .arns;
    let stopped = sim.describe_tasks("production", &stopped).await.unwrap();
    assert!(stopped.iter().any(|t| {
        t.stopped_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Task failed ELB health checks"))
    }));
}

#[tokio::test]
async fn rolling_back_a_failed_rollout_to_the_previous_revision_succeeds() {
    let sim = moving(4);
    let payments = service(&sim, "payments").await;
    assert_eq!(
        payments.deployments[0].rollout_state.as_deref(),
        Some("FAILED")
    );
    let previous = payments.deployments[1].task_definition.clone();
    sim.update_service(&UpdateServiceRequest {
        task_definition: Some(previous.clone()),
        ..update("payments")
    })
    .await
    .unwrap();
    let seen = until(&sim, "payments", |s| {
        s.deployments.len() == 1 && s.deployments[0].rollout_state.as_deref() == Some("COMPLETED")
    })
    .await;
    assert_eq!(seen.last().unwrap().task_definition, previous);
}

#[tokio::test]
async fn stop_service_deployment_rolls_an_in_progress_deployment_back() {
    let sim = Sim::new(SimOptions {
        latency: Duration::ZERO,
        tasks_per_service: Some(4),
        pace: Some(Duration::from_millis(200)),
        ..SimOptions::default()
    });
    let good = service(&sim, "web").await.task_definition;
    let next = sim.register_revision("production", "web").unwrap();
    sim.update_service(&UpdateServiceRequest {
        task_definition: Some(next),
        ..update("web")
    })
    .await
    .unwrap();
    let history = sim
        .list_service_deployments("production", "web")
        .await
        .unwrap();
    assert_eq!(history[0].status, "IN_PROGRESS");
    sim.stop_service_deployment(&history[0].service_deployment_arn)
        .await
        .unwrap();
    let again = sim
        .stop_service_deployment(&history[0].service_deployment_arn)
        .await;
    assert!(matches!(again, Err(ApiError::Invalid { .. })), "{again:?}");
    let s = service(&sim, "web").await;
    assert_eq!(
        s.task_definition, good,
        "the service goes back to the old revision"
    );
    assert!(messages(&s)[0].contains("rolling back to deployment"));
}

#[tokio::test]
async fn code_deploy_services_refuse_a_new_task_definition_but_scale() {
    let sim = moving(2);
    let td = service(&sim, "gateway").await.task_definition;
    let refused = sim
        .update_service(&UpdateServiceRequest {
            task_definition: Some(td),
            ..update("gateway")
        })
        .await;
    assert!(
        matches!(&refused, Err(ApiError::Invalid { message, .. }) if message.contains("CODE_DEPLOY")),
        "{refused:?}"
    );
    let scaled = sim
        .update_service(&UpdateServiceRequest {
            desired_count: Some(3),
            ..update("gateway")
        })
        .await
        .unwrap();
    assert_eq!(scaled.value.desired_count, 3);
}

#[tokio::test]
async fn a_force_deploy_whose_tasks_fail_health_checks_never_drops_below_minimum_healthy() {
    // payments: minimum healthy 100 %, maximum 200 %, breaker on, rollback off; its revision fails health
    // checks. The old tasks must outlive the breaker: with no rollback, they are all that serves.
    let sim = moving(4);
    let before = service(&sim, "payments").await;
    let config = &before.deployment_configuration;
    assert_eq!(config.minimum_healthy_percent, Some(100));
    assert_ne!(config.circuit_breaker_rollback, Some(true));
    sim.update_service(&UpdateServiceRequest {
        force_new_deployment: true,
        ..update("payments")
    })
    .await
    .unwrap();
    let healthy_now = || {
        let fleet = sim.fleet();
        let c = fleet.cluster("production").unwrap();
        let i = c.service_index("payments").unwrap();
        c.tasks
            .iter()
            .filter(|t| t.service == i && t.phase == ecsdeck::sim::Phase::Running)
            .count() as i32
    };
    let mut healthy_min = i32::MAX;
    let mut failed_for = 0;
    for _ in 0..2000 {
        healthy_min = healthy_min.min(healthy_now());
        let s = service(&sim, "payments").await;
        if s.deployments[0].rollout_state.as_deref() == Some("FAILED") {
            // Keep watching a while after the breaker: nothing may stop the old tasks then either.
            failed_for += 1;
            if failed_for > 60 {
                assert!(healthy_min >= 4, "healthy dropped to {healthy_min}");
                assert_eq!(s.running_count, 4, "{:#?}", s.deployments);
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the breaker never tripped (healthy min {healthy_min})");
}
