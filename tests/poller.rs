//! The poller against the simulator: paging, batching, concurrency, throttling, outages, denials, and
//! cancellation. moto does not page, so these paths are proven here.

mod support;

use ecsdeck::aws::{ApiError, Ecs};
use ecsdeck::protocol::{DataUpdate, Msg, Rows, Scope};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::workers::poll::{PollConfig, Poller};
use ecsdeck::workers::retry::Backoff;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::mpsc;

fn sim(services: usize, tasks_per_service: usize, latency_ms: u64) -> Arc<Sim> {
    Arc::new(Sim::new(SimOptions {
        services: Some(services),
        tasks_per_service: Some(tasks_per_service),
        latency: Duration::from_millis(latency_ms),
        ..SimOptions::default()
    }))
}

fn fast() -> PollConfig {
    PollConfig {
        refresh: Duration::from_millis(100),
        concurrency: 8,
        backoff: Backoff {
            base: Duration::from_millis(5),
            cap: Duration::from_millis(40),
            max_attempts: 4,
        },
        pause_per_call: Duration::ZERO,
        busy_refresh: Duration::from_millis(50),
    }
}

/// Collects the updates of one watch until its refresh completes or fails.
async fn one_refresh(rx: &mut mpsc::UnboundedReceiver<Msg>, generation: u64) -> Vec<DataUpdate> {
    let mut out = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the refresh finishes")
            .expect("channel open");
        if let Msg::Data {
            generation: g,
            update,
            ..
        } = msg
        {
            if g != generation {
                continue;
            }
            let end = matches!(update, DataUpdate::Done { .. } | DataUpdate::Failed { .. });
            out.push(update);
            if end {
                return out;
            }
        }
    }
}

fn service_rows(updates: &[DataUpdate]) -> usize {
    updates
        .iter()
        .map(|u| match u {
            DataUpdate::Batch {
                rows: Rows::Services(v),
                ..
            } => v.len(),
            DataUpdate::Batch {
                rows: Rows::Tasks(v),
                ..
            } => v.len(),
            _ => 0,
        })
        .sum()
}

fn watch(
    api: Arc<Sim>,
    config: PollConfig,
    scope: Scope,
) -> (Poller, mpsc::UnboundedReceiver<Msg>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(api, tx, config);
    poller.watch(scope, 1);
    (poller, rx)
}

fn production() -> Scope {
    Scope::Services {
        cluster: "production".into(),
    }
}

#[tokio::test]
async fn two_thousand_services_take_exactly_20_list_and_200_describe_calls() {
    let api = sim(2000, 1, 0);
    let (_poller, mut rx) = watch(api.clone(), fast(), production());
    let updates = one_refresh(&mut rx, 1).await;
    assert!(
        matches!(updates.last(), Some(DataUpdate::Done { .. })),
        "{:?}",
        updates.last()
    );
    assert_eq!(service_rows(&updates), 2000);
    assert_eq!(api.calls.list_services.load(Ordering::Relaxed), 20);
    assert_eq!(api.calls.describe_services.load(Ordering::Relaxed), 200);
    assert_eq!(api.calls.total(), 220, "no other calls");
    // Progress ends at the full count with the listing known to be complete.
    let last_progress = updates
        .iter()
        .rev()
        .find_map(|u| match u {
            DataUpdate::Batch { progress, .. } => Some(*progress),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        (last_progress.described, last_progress.listed),
        (2000, 2000)
    );
    assert!(last_progress.listing_done);
}

#[tokio::test]
async fn rows_arrive_while_the_listing_is_still_going() {
    // With 20 ms per call, 20 sequential pages take 400 ms; describes must not wait for the last page.
    let api = sim(2000, 1, 20);
    let (_poller, mut rx) = watch(api.clone(), fast(), production());
    let updates = one_refresh(&mut rx, 1).await;
    let first_batch = updates
        .iter()
        .find_map(|u| match u {
            DataUpdate::Batch { progress, .. } => Some(*progress),
            _ => None,
        })
        .unwrap();
    assert!(
        !first_batch.listing_done,
        "first rows came before the listing finished"
    );
}

#[tokio::test]
async fn tasks_of_a_service_list_running_and_stopped_then_describe_in_batches_of_100() {
    let api = sim(30, 250, 0);
    let scope = Scope::Tasks {
        cluster: "production".into(),
        service: Some("api".into()),
    };
    let (_poller, mut rx) = watch(api.clone(), fast(), scope);
    let updates = one_refresh(&mut rx, 1).await;
    assert!(matches!(updates.last(), Some(DataUpdate::Done { .. })));
    let stopped = api
        .fleet()
        .cluster("production")
        .unwrap()
        .tasks
        .iter()
        .filter(|t| t.stopped && t.service == 1)
        .count();
    assert_eq!(stopped, 1, "the demo's `api` service has one stopped task");
    assert_eq!(service_rows(&updates), 250 + stopped);
    // 3 pages of running tasks + 1 page of stopped ones; one DescribeTasks per page.
    assert_eq!(api.calls.list_tasks.load(Ordering::Relaxed), 4);
    assert_eq!(api.calls.describe_tasks.load(Ordering::Relaxed), 4);
}

#[tokio::test]
async fn throttling_backs_off_reports_it_and_still_converges() {
    let api = sim(300, 1, 0);
    api.set_rate_limit(Some((200.0, 5.0)));
    let config = PollConfig {
        backoff: Backoff {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(200),
            max_attempts: 30,
        },
        ..fast()
    };
    let (_poller, mut rx) = watch(api.clone(), config, production());
    let updates = one_refresh(&mut rx, 1).await;
    assert!(
        matches!(updates.last(), Some(DataUpdate::Done { .. })),
        "{:?}",
        updates.last()
    );
    assert_eq!(
        service_rows(&updates),
        300,
        "every service arrives despite throttling"
    );
    assert!(
        api.calls.throttled.load(Ordering::Relaxed) > 0,
        "the limit was hit"
    );
    assert!(
        updates.iter().any(|u| matches!(
            u,
            DataUpdate::Retrying {
                error: ApiError::Throttled { .. },
                ..
            }
        )),
        "throttling is reported to the UI"
    );
}

#[tokio::test]
async fn an_outage_fails_the_refresh_and_the_next_one_recovers() {
    let api = sim(40, 1, 0);
    api.set_outage(true);
    let (_poller, mut rx) = watch(api.clone(), fast(), production());
    let updates = one_refresh(&mut rx, 1).await;
    match updates.last() {
        Some(DataUpdate::Failed {
            error: ApiError::Network(msg),
            ..
        }) => assert!(msg.contains("ecs:ListServices"), "{msg}"),
        other => panic!("expected a network failure, got {other:?}"),
    }
    assert!(
        updates
            .iter()
            .any(|u| matches!(u, DataUpdate::Retrying { .. }))
    );
    api.set_outage(false);
    let updates = one_refresh(&mut rx, 1).await;
    assert!(matches!(updates.last(), Some(DataUpdate::Done { .. })));
    assert_eq!(service_rows(&updates), 40);
}

#[tokio::test]
async fn access_denied_names_the_action_and_is_not_retried() {
    let api = sim(40, 1, 0);
    api.deny("ecs:DescribeServices");
    let (_poller, mut rx) = watch(api.clone(), fast(), production());
    let updates = one_refresh(&mut rx, 1).await;
    match updates.last() {
        Some(DataUpdate::Failed { error, .. }) => {
            assert!(
                error.to_string().starts_with("ecs:DescribeServices denied"),
                "{error}"
            );
            assert!(
                error.hint().contains("grant ecs:DescribeServices"),
                "{}",
                error.hint()
            );
        }
        other => panic!("expected a denial, got {other:?}"),
    }
    assert!(
        !updates
            .iter()
            .any(|u| matches!(u, DataUpdate::Retrying { .. }))
    );
}

#[tokio::test]
async fn a_new_scope_cancels_the_refresh_in_flight() {
    let api = sim(2000, 1, 50);
    let (poller, mut rx) = watch(api.clone(), fast(), production());
    // Let the services refresh get going, then leave.
    loop {
        if let Some(Msg::Data {
            update: DataUpdate::Batch { .. },
            ..
        }) = rx.recv().await
        {
            break;
        }
    }
    poller.watch(Scope::Clusters, 2);
    let updates = one_refresh(&mut rx, 2).await;
    assert!(matches!(updates.last(), Some(DataUpdate::Done { .. })));
    let described = api.calls.describe_services.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        api.calls.describe_services.load(Ordering::Relaxed),
        described,
        "no more calls for the abandoned scope"
    );
    assert!(
        described < 200,
        "the old refresh stopped early ({described} describes)"
    );
}

#[tokio::test]
async fn task_definitions_are_fetched_once_per_process() {
    let api = sim(5, 2, 0);
    let arn = {
        let fleet = api.fleet();
        let c = fleet.cluster("production").unwrap();
        c.task_arn(&c.tasks[0])
    };
    let scope = Scope::Task {
        cluster: "production".into(),
        task_arn: arn,
    };
    let (_poller, mut rx) = watch(api.clone(), fast(), scope);
    for _ in 0..3 {
        let updates = one_refresh(&mut rx, 1).await;
        assert!(updates.iter().any(|u| matches!(
            u,
            DataUpdate::TaskDetail {
                definition: Ok(_),
                ..
            }
        )));
    }
    assert_eq!(api.calls.describe_tasks.load(Ordering::Relaxed), 3);
    assert_eq!(
        api.calls.describe_task_definition.load(Ordering::Relaxed),
        1
    );
}

#[tokio::test]
async fn the_simulator_refuses_batches_larger_than_aws_allows() {
    let api = sim(20, 1, 0);
    let names: Vec<String> = (0..11).map(|i| format!("svc-{i}")).collect();
    let err = api
        .describe_services("production", &names)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 10"), "{err}");
}
