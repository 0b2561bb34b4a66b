//! The simulator's metrics follow its moving fleet: the demo's bad deploy of `search` raises search's 5XX and
//! latency and fires its 5XX alarm, which goes back to OK after the rollback; CPU follows the running tasks;
//! the history before the fleet's start is unchanged by it. The clock is skipped ahead (`Sim::skip`), so
//! CloudWatch's minutes pass in a moment.

use ecsdeck::aws::*;
use ecsdeck::sim::{Sim, SimOptions};
use std::time::Duration;

/// The fleet's start, on a minute.
const START: Millis = 1_763_700_000_000;
const MINUTE: Millis = 60_000;
const ALARM: &str = "production-search-target-5xx";

/// The demo's simulator (`--demo` in main.rs), started at START.
fn demo() -> Sim {
    Sim::new(SimOptions {
        epoch_ms: START,
        latency: Duration::ZERO,
        pace: Some(Duration::from_millis(1500)),
        demo_deploy: true,
        ..SimOptions::default()
    })
}

fn search(sim: &Sim) -> Service {
    sim.fleet()
        .cluster("production")
        .unwrap()
        .service("search")
        .unwrap()
        .service
        .clone()
}

/// An ALB metric of search's target group, one value per minute of `[from, to)` as published at `now`.
fn alb(
    sim: &Sim,
    metric: &str,
    stat: Stat,
    from: Millis,
    to: Millis,
    now: Millis,
) -> Vec<(Millis, f64)> {
    let svc = search(sim);
    let groups = sim
        .metrics()
        .target_groups(&svc.target_group_arns())
        .unwrap();
    let g = &groups[0];
    let q = MetricQuery {
        id: "m".into(),
        namespace: "AWS/ApplicationELB".into(),
        metric: metric.into(),
        dimensions: vec![
            (
                "LoadBalancer".into(),
                g.load_balancer_dimension().unwrap().into(),
            ),
            ("TargetGroup".into(), g.dimension().unwrap().into()),
        ],
        stat,
        period_secs: 60,
    };
    let r = sim.metrics().query(&q, from, to, now);
    r.timestamps.into_iter().zip(r.values).collect()
}

fn ecs(
    sim: &Sim,
    service: &str,
    metric: &str,
    stat: Stat,
    from: Millis,
    to: Millis,
    now: Millis,
) -> Vec<f64> {
    let q = MetricQuery {
        id: "m".into(),
        namespace: "AWS/ECS".into(),
        metric: metric.into(),
        dimensions: vec![
            ("ClusterName".into(), "production".into()),
            ("ServiceName".into(), service.into()),
        ],
        stat,
        period_secs: 60,
    };
    sim.metrics().query(&q, from, to, now).values
}

fn value_at(series: &[(Millis, f64)], at: Millis) -> f64 {
    series
        .iter()
        .find(|(t, _)| *t == at)
        .map_or(0.0, |(_, v)| *v)
}

#[test]
fn the_demos_bad_deploy_of_search_raises_its_5xx_and_fires_its_alarm_until_after_the_rollback() {
    let sim = demo();
    let before = alb(
        &sim,
        "HTTPCode_Target_5XX_Count",
        Stat::Sum,
        START - 30 * MINUTE,
        START,
        START + MINUTE,
    );
    assert!(
        before.iter().all(|(_, v)| *v < 10.0),
        "search is quiet before its deploy: {before:?}"
    );
    assert_eq!(sim.metrics().alarm_state(ALARM, START), Some("OK"));

    // The deploy starts 6 s in; 90 s later the breaker has tripped and the rollback is done.
    sim.skip(Duration::from_secs(90));
    let svc = search(&sim);
    let states: Vec<_> = svc
        .deployments
        .iter()
        .map(|d| d.rollout_state.clone())
        .collect();
    assert_eq!(svc.deployments.len(), 1, "rolled back: {states:?}");
    assert!(
        svc.events
            .iter()
            .any(|e| e.message.contains("rolling back")),
        "{:?}",
        svc.events.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    // Minute 0 (the deploy's) is not published yet: the alarm cannot know.
    assert_eq!(sim.metrics().alarm_state(ALARM, sim.now()), Some("OK"));

    // Published a minute after it ends: the 5XX rise is there, with the latency, and the alarm fires.
    sim.skip(Duration::from_secs(60));
    let now = sim.now();
    let errors = alb(
        &sim,
        "HTTPCode_Target_5XX_Count",
        Stat::Sum,
        START - 5 * MINUTE,
        START + 2 * MINUTE,
        now,
    );
    let requests = alb(
        &sim,
        "RequestCount",
        Stat::Sum,
        START - 5 * MINUTE,
        START + 2 * MINUTE,
        now,
    );
    let spike = value_at(&errors, START);
    assert!(
        spike > 50.0 && spike > 10.0 * value_at(&errors, START - MINUTE).max(1.0),
        "the deploy's minute: {errors:?} of {requests:?}"
    );
    let latency = alb(
        &sim,
        "TargetResponseTime",
        Stat::Average,
        START - 2 * MINUTE,
        START + MINUTE,
        now,
    );
    assert!(
        value_at(&latency, START) > 3.0 * value_at(&latency, START - MINUTE),
        "{latency:?}"
    );
    assert_eq!(sim.metrics().alarm_state(ALARM, now), Some("ALARM"));
    // When it went into ALARM (what a CodeDeploy deployment watching it from the start would act on): as
    // the deploy's minute was published, two minutes after it began.
    assert_eq!(
        sim.metrics().alarm_since(ALARM, START, now),
        Some(START + 2 * MINUTE)
    );
    assert_eq!(
        sim.metrics().alarm_since(ALARM, START, START + 90_000),
        None
    );
    let firing = sim.metrics().alarms(Some("ALARM"), now);
    assert!(firing.iter().any(|a| a.alarm_name == ALARM), "{firing:?}");

    // The rollback's good tasks serve again: past the hold, the minutes are clean and the alarm clears.
    sim.skip(Duration::from_secs(10 * 60));
    let now = sim.now();
    let later = alb(
        &sim,
        "HTTPCode_Target_5XX_Count",
        Stat::Sum,
        START + 4 * MINUTE,
        now - 2 * MINUTE,
        now,
    );
    assert!(later.iter().all(|(_, v)| *v < 10.0), "{later:?}");
    assert_eq!(sim.metrics().alarm_state(ALARM, now), Some("OK"));
    // A deployment watching it only from now on sees no alarm.
    assert_eq!(sim.metrics().alarm_since(ALARM, now - MINUTE, now), None);
    assert!(
        sim.metrics()
            .alarm_since("no-such-alarm", START, now)
            .is_none()
    );
    // ... and the deploy's minute is still in the history, as CloudWatch keeps it.
    let kept = alb(
        &sim,
        "HTTPCode_Target_5XX_Count",
        Stat::Sum,
        START,
        START + MINUTE,
        now,
    );
    assert!(value_at(&kept, START) > 50.0, "{kept:?}");
}

#[tokio::test]
async fn cpu_follows_the_running_tasks_and_a_service_scaled_to_zero_has_none() {
    let sim = Sim::new(SimOptions {
        epoch_ms: START,
        latency: Duration::ZERO,
        tasks_per_service: Some(2),
        pace: Some(Duration::from_millis(1000)),
        ..SimOptions::default()
    });
    let scale = |n: i32| UpdateServiceRequest {
        cluster: "production".into(),
        service: "web".into(),
        desired_count: Some(n),
        ..Default::default()
    };
    let cpu = |stat, from, to| ecs(&sim, "web", "CPUUtilization", stat, from, to, sim.now());
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
    // Ten minutes on 2 tasks, then 6: the same requests' work over three times the tasks.
    sim.skip(Duration::from_secs(10 * 60));
    sim.update_service(&scale(6)).await.unwrap();
    let scaled = sim.now();
    sim.skip(Duration::from_secs(10 * 60));
    drop(sim.fleet());
    let on_two = mean(cpu(Stat::Average, START + MINUTE, START + 9 * MINUTE));
    let on_six = mean(cpu(Stat::Average, scaled + 2 * MINUTE, scaled + 9 * MINUTE));
    assert!(
        on_six < 0.6 * on_two && on_six > 4.0,
        "2 tasks: {on_two:.1} %, 6 tasks: {on_six:.1} %"
    );
    // The minute the four new tasks start, the busiest task is one starting up.
    let start_minute = scaled / MINUTE * MINUTE;
    let peak = cpu(Stat::Maximum, start_minute, start_minute + MINUTE);
    assert!(peak.first().is_some_and(|p| *p >= 55.0), "{peak:?}");

    // Scaled to zero: no task reports CPU, so there is no datapoint (as in CloudWatch).
    sim.update_service(&scale(0)).await.unwrap();
    let stopped = sim.now();
    sim.skip(Duration::from_secs(5 * 60));
    drop(sim.fleet());
    let none = cpu(Stat::Average, stopped + 2 * MINUTE, stopped + 4 * MINUTE);
    assert!(none.is_empty(), "{none:?}");
}

#[test]
fn the_history_before_the_fleets_start_is_the_same_with_or_without_its_deploys() {
    let still = Sim::new(SimOptions {
        epoch_ms: START,
        ..SimOptions::default()
    });
    let moving = demo();
    moving.skip(Duration::from_secs(5 * 60));
    drop(moving.fleet());
    for sim in [&still, &moving] {
        drop(sim.fleet());
    }
    let day = |sim: &Sim| {
        alb(
            sim,
            "RequestCount",
            Stat::Sum,
            START - 24 * 60 * MINUTE,
            START,
            START + 10 * MINUTE,
        )
    };
    assert_eq!(day(&still), day(&moving));
    assert_eq!(day(&still).len(), 24 * 60);
}

#[test]
fn checkouts_blue_green_traffic_moves_to_green_once_green_is_scaled_up() {
    let sim = demo();
    let svc = sim
        .fleet()
        .cluster("production")
        .unwrap()
        .service("checkout")
        .unwrap()
        .service
        .clone();
    let groups = sim
        .metrics()
        .target_groups(&svc.target_group_arns())
        .unwrap();
    let [blue, green] = groups.as_slice() else {
        panic!("checkout is blue/green: {groups:?}")
    };
    let requests = |g: &TargetGroup, at: Millis| {
        let q = MetricQuery {
            id: "m".into(),
            namespace: "AWS/ApplicationELB".into(),
            metric: "RequestCount".into(),
            dimensions: vec![
                (
                    "LoadBalancer".into(),
                    g.load_balancer_dimension().unwrap().into(),
                ),
                ("TargetGroup".into(), g.dimension().unwrap().into()),
            ],
            stat: Stat::Sum,
            period_secs: 60,
        };
        sim.metrics()
            .query(&q, at, at + MINUTE, sim.now())
            .values
            .first()
            .copied()
            .unwrap_or(0.0)
    };
    // Scaling up green when the fleet starts: blue takes it all.
    assert!(requests(blue, START - 2 * MINUTE) > 0.0);
    assert_eq!(requests(green, START - 2 * MINUTE), 0.0);
    // A few seconds in, green has its tasks and production traffic moves to it.
    sim.skip(Duration::from_secs(5 * 60));
    let checkout = sim
        .fleet()
        .cluster("production")
        .unwrap()
        .service("checkout")
        .unwrap()
        .service
        .clone();
    assert_eq!(
        checkout.deployments[0].rollout_state.as_deref(),
        Some("COMPLETED"),
        "{:?}",
        checkout.deployments
    );
    assert!(requests(green, START + 2 * MINUTE) > 0.0);
    assert_eq!(requests(blue, START + 2 * MINUTE), 0.0);
}
