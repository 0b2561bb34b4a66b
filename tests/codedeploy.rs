//! CodeDeploy blue/green on the service details screen, against the simulator: the poller finds the demo
//! `gateway`'s deployment group, reads its deployments and task sets, caches the group until a deploy
//! starts, turns a failure into a state of its section; and the sections render at 100x30 and 80x24.

mod support;

use ecsdeck::app::State;
use ecsdeck::aws::{
    ApiError, CodeDeploy, CreateDeploymentRequest, DeploymentGroup, EcsServiceRef, TargetGroupPair,
};
use ecsdeck::model::codedeploy::{BlueGreen, CodeDeployState, Found, Looked};
use ecsdeck::protocol::{DataUpdate, Msg, Scope};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::workers::poll::{PollConfig, Poller};
use ecsdeck::workers::retry::Backoff;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use support::*;
use tokio::sync::mpsc;

fn fast() -> PollConfig {
    PollConfig {
        refresh: Duration::from_millis(50),
        concurrency: 4,
        backoff: Backoff {
            base: Duration::from_millis(5),
            cap: Duration::from_millis(20),
            max_attempts: 2,
        },
        pause_per_call: Duration::ZERO,
        busy_refresh: Duration::from_millis(50),
    }
}

/// The updates of one refresh of the gateway's details (until Done or Failed).
async fn refresh(rx: &mut mpsc::UnboundedReceiver<Msg>) -> Vec<DataUpdate> {
    let mut out = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the refresh finishes")
            .expect("channel open");
        if let Msg::Data { update, .. } = msg {
            let end = matches!(update, DataUpdate::Done { .. } | DataUpdate::Failed { .. });
            out.push(update);
            if end {
                return out;
            }
        }
    }
}

fn blue_green(updates: &[DataUpdate]) -> BlueGreen {
    assert!(
        matches!(updates.last(), Some(DataUpdate::Done { .. })),
        "the refresh succeeds: {updates:?}"
    );
    updates
        .iter()
        .find_map(|u| match u {
            DataUpdate::BlueGreen(b) => Some((**b).clone()),
            _ => None,
        })
        .expect("a CODE_DEPLOY service gets its blue/green sections")
}

fn found(bg: &BlueGreen) -> &Found {
    match &bg.codedeploy {
        Some(CodeDeployState::Found(f)) => f,
        other => panic!("the group is found: {other:?}"),
    }
}

fn sim() -> Arc<Sim> {
    let sim = Sim::new(SimOptions {
        latency: Duration::ZERO,
        epoch_ms: NOW,
        ..SimOptions::default()
    });
    // CodeDeploy's lifecycle steps in a millisecond each: a new deployment waits to reroute within ~10 ms.
    sim.set_codedeploy_step(Duration::from_millis(1));
    Arc::new(sim)
}

/// A deployment of gateway:99, waiting to reroute once this returns.
async fn deploy(sim: &Sim) -> String {
    let id = sim
        .create_deployment(&CreateDeploymentRequest {
            application_name: "AppECS-production-gateway".into(),
            deployment_group_name: "DgpECS-production-gateway".into(),
            app_spec: "TaskDefinition: gateway:99".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .value;
    tokio::time::sleep(Duration::from_millis(30)).await;
    id
}

fn gateway() -> Scope {
    Scope::Service {
        cluster: "production".into(),
        service: "gateway".into(),
    }
}

#[tokio::test]
async fn the_gateways_group_is_found_once_and_looked_up_again_when_a_deploy_starts() {
    let sim = sim();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(sim.clone(), tx, fast());
    poller.watch(gateway(), 1);

    let bg = blue_green(&refresh(&mut rx).await);
    let sets = bg.task_sets.as_ref().expect("task sets");
    assert_eq!(sets.len(), 1, "one task set while nothing is under way");
    assert_eq!(sets[0].status, "PRIMARY");
    let f = found(&bg);
    assert_eq!(f.group.deployment_group_name, "DgpECS-production-gateway");
    assert_eq!(
        f.group.target_group_pairs[0].target_groups,
        ["gateway-tg-blue", "gateway-tg-green"]
    );
    let history = f.deployments.as_ref().expect("deployments");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, "Succeeded");
    assert_eq!(
        f.target, None,
        "no target is read for a finished deployment"
    );
    assert_eq!(f.alarms_firing, Some(Ok(vec![])));

    // The next refreshes use the cached group: no new ListApplications.
    let listed = sim.calls.list_applications.load(Ordering::Relaxed);
    assert_eq!(listed, 1);
    blue_green(&refresh(&mut rx).await);
    assert_eq!(sim.calls.list_applications.load(Ordering::Relaxed), 1);

    // A deploy starts: a green task set appears, the group is looked up again, the deployment under way
    // comes first, with its ECS target (both task sets, the traffic still on blue, the hooks so far).
    let id = deploy(&sim).await;
    let mut bg = blue_green(&refresh(&mut rx).await);
    // A refresh in flight when the deployment was created may have missed it; the next one has it.
    if bg.task_sets.as_ref().map(Vec::len) != Ok(2) {
        bg = blue_green(&refresh(&mut rx).await);
    }
    assert_eq!(bg.task_sets.as_ref().map(Vec::len), Ok(2));
    assert_eq!(sim.calls.list_applications.load(Ordering::Relaxed), 2);
    let f = found(&bg);
    let current = f.current().expect("a current deployment");
    assert_eq!(
        (current.deployment_id.as_str(), current.status.as_str()),
        (id.as_str(), "Ready")
    );
    let target = f
        .target
        .as_ref()
        .expect("the target is read")
        .as_ref()
        .unwrap();
    let weights: Vec<f64> = target.task_sets.iter().map(|s| s.traffic_weight).collect();
    assert_eq!(weights, [100.0, 0.0]);
    assert!(
        target
            .lifecycle_events
            .iter()
            .any(|e| e.name == "AfterAllowTestTraffic")
    );
}

#[tokio::test]
async fn a_denied_codedeploy_call_is_a_state_of_its_section_not_a_failed_refresh() {
    let sim = sim();
    sim.deny("codedeploy:ListApplications");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(sim.clone(), tx, fast());
    poller.watch(gateway(), 1);
    let bg = blue_green(&refresh(&mut rx).await);
    assert!(bg.task_sets.is_ok(), "task sets come on their own");
    match &bg.codedeploy {
        Some(CodeDeployState::Failed(ApiError::AccessDenied { action, .. })) => {
            assert_eq!(action, "codedeploy:ListApplications")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_service_ecs_deploys_itself_gets_no_blue_green_calls() {
    let sim = sim();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(sim.clone(), tx, fast());
    poller.watch(
        Scope::Service {
            cluster: "production".into(),
            service: "web".into(),
        },
        1,
    );
    let updates = refresh(&mut rx).await;
    assert!(
        !updates
            .iter()
            .any(|u| matches!(u, DataUpdate::BlueGreen(_)))
    );
    assert_eq!(sim.calls.describe_task_sets.load(Ordering::Relaxed), 0);
    assert_eq!(sim.calls.list_applications.load(Ordering::Relaxed), 0);
}

// Rendering: the gateway's details with the sections as the simulator answers them.

async fn gateway_sections(deploying: bool) -> BlueGreen {
    let sim = sim();
    if deploying {
        deploy(&sim).await;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(sim.clone(), tx, fast());
    poller.watch(gateway(), 1);
    blue_green(&refresh(&mut rx).await)
}

fn details(bg: BlueGreen, width: u16, height: u16) -> State {
    let mut state = on_production_service("gateway");
    state.width = width;
    state.height = height;
    update(&mut state, ch('d'));
    let svc = services(&fleet(), "production")
        .into_iter()
        .find(|s| s.service_name == "gateway")
        .unwrap();
    send(&mut state, DataUpdate::ServiceDetail(Box::new(svc)));
    send(&mut state, DataUpdate::BlueGreen(Box::new(bg)));
    send(&mut state, DataUpdate::Done { at: NOW });
    state
}

use ecsdeck::app::update;

#[tokio::test]
async fn details_of_a_blue_green_deployment_under_way_100x30() {
    let state = details(gateway_sections(true).await, 100, 30);
    let screen = text(&state);
    let all = joined(&screen);
    assert!(all.contains("Task sets"), "{screen}");
    assert!(
        all.contains("PRIMARY") && all.contains("ACTIVE"),
        "{screen}"
    );
    assert!(
        all.contains("gateway:99"),
        "the green set's revision: {screen}"
    );
    assert!(all.contains("CodeDeploy"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn details_of_a_blue_green_service_at_rest_80x24() {
    let state = details(gateway_sections(false).await, 80, 24);
    let screen = text(&state);
    let all = joined(&screen);
    let sets = screen.lines().filter(|l| l.contains("gateway-tg-")).count();
    assert!(all.contains("PRIMARY"), "{screen}");
    assert_eq!(sets, 2, "one task set row, and the group's pair: {screen}");
    assert!(all.contains("DgpECS-production-gateway"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn details_scrolled_to_the_codedeploy_section_80x24() {
    let mut state = details(gateway_sections(true).await, 80, 24);
    for _ in 0..12 {
        update(&mut state, ch('j'));
    }
    let screen = text(&state);
    let all = joined(&screen);
    assert!(
        all.contains("canary: 10% then the rest after 5 min"),
        "{screen}"
    );
    assert!(all.contains("in progress"), "{screen}");
    assert!(
        all.contains("Blue") && all.contains("100%"),
        "traffic: {screen}"
    );
    insta::assert_snapshot!(screen);
}

/// A service no group lists says so and how ecsdeck looked; a failed part says what failed and why.
#[test]
fn no_group_and_failures_are_states_100x30() {
    let bg = BlueGreen {
        task_sets: Err(ApiError::AccessDenied {
            action: "ecs:DescribeTaskSets".into(),
            message: "not authorized".into(),
        }),
        codedeploy: Some(CodeDeployState::NoGroup(Looked {
            applications: 2,
            groups: 5,
            ecs_groups: 3,
        })),
    };
    let state = details(bg, 100, 30);
    let screen = text(&state);
    let all = joined(&screen);
    assert!(
        all.contains("ecs:DescribeTaskSets failed: ecs:DescribeTaskSets denied"),
        "{screen}"
    );
    assert!(
        all.contains("no CodeDeploy deployment group lists production/gateway"),
        "{screen}"
    );
    assert!(
        all.contains("looked in 2 application(s), 5 group(s), 3 of them ECS"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

/// Deployments that cannot be read leave the group on screen; the alarm in ALARM is marked.
#[test]
fn a_found_group_with_unreadable_deployments_80x24() {
    let group = DeploymentGroup {
        application_name: "shop".into(),
        deployment_group_name: "gateway-bg".into(),
        deployment_config_name: Some("CodeDeployDefault.ECSLinear10PercentEvery1Minutes".into()),
        compute_platform: Some("ECS".into()),
        ecs_services: vec![EcsServiceRef {
            service_name: "gateway".into(),
            cluster_name: "production".into(),
        }],
        alarms_enabled: true,
        alarm_names: vec!["gw-5xx".into()],
        target_group_pairs: vec![TargetGroupPair {
            target_groups: vec!["blue".into(), "green".into()],
            prod_listener_arns: vec![
                "arn:aws:elasticloadbalancing:r:1:listener/app/a/b/prod".into(),
            ],
            test_listener_arns: vec![],
        }],
        ..Default::default()
    };
    let bg = BlueGreen {
        task_sets: Ok(vec![]),
        codedeploy: Some(CodeDeployState::Found(Box::new(Found {
            group,
            deployments: Err(ApiError::AccessDenied {
                action: "codedeploy:ListDeployments".into(),
                message: "not authorized".into(),
            }),
            target: None,
            alarms_firing: Some(Ok(vec!["gw-5xx".into()])),
        }))),
    };
    let state = details(bg, 80, 24);
    let all = joined(&text(&state));
    assert!(all.contains("linear: 10% every 1 min"), "{all}");
    assert!(all.contains("gw-5xx (ALARM)"), "{all}");
    assert!(
        all.contains("reading its deployments failed: codedeploy:ListDeployments denied"),
        "{all}"
    );
    insta::assert_snapshot!(text(&state));
}

// The watch screen (W) of a CODE_DEPLOY service: judged by its CodeDeploy deployment.

/// One refresh of the gateway's watch screen, as the poller sends it.
async fn watch_refresh(sim: &Arc<Sim>) -> ecsdeck::model::deploy::DeploySnapshot {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(sim.clone(), tx, fast());
    poller.watch(
        Scope::Deploy {
            cluster: "production".into(),
            service: "gateway".into(),
        },
        1,
    );
    refresh(&mut rx)
        .await
        .into_iter()
        .find_map(|u| match u {
            DataUpdate::Deploy(s) => Some(*s),
            _ => None,
        })
        .expect("a deploy snapshot")
}

fn watch_state(mut snap: ecsdeck::model::deploy::DeploySnapshot, width: u16, height: u16) -> State {
    // Read "now" by the simulator's clock (its epoch is NOW), as in the demo where both are the wall clock.
    snap.at = NOW;
    use ecsdeck::app::state::View;
    let mut state = new_state();
    state.width = width;
    state.height = height;
    let scope = Scope::Deploy {
        cluster: "production".into(),
        service: "gateway".into(),
    };
    state.stack.push(View::for_scope(&scope));
    send(&mut state, DataUpdate::Deploy(Box::new(snap)));
    send(&mut state, DataUpdate::Done { at: NOW });
    state
}

fn verdict(state: &State) -> ecsdeck::model::deploy::Outcome {
    match state.view() {
        ecsdeck::app::state::View::Deploy(v) => v.outcome(),
        _ => panic!("not the watch screen"),
    }
}

#[tokio::test]
async fn the_watch_verdict_follows_the_codedeploy_deployment_ready_then_shifting() {
    use ecsdeck::model::deploy::Outcome;
    let sim = sim();
    // At rest: the last deployment succeeded, one PRIMARY task set, no alarm of the group firing.
    let at_rest = watch_state(watch_refresh(&sim).await, 100, 30);
    assert!(
        matches!(verdict(&at_rest), Outcome::Succeeded(t) if t.contains("succeeded")),
        "{:?}",
        verdict(&at_rest)
    );

    let id = deploy(&sim).await;
    let snap = watch_refresh(&sim).await;
    assert!(
        snap.busy(),
        "a CodeDeploy deployment under way refreshes fast"
    );
    let ready = watch_state(snap, 100, 30);
    match verdict(&ready) {
        Outcome::InProgress(t) => {
            assert!(t.contains(&id) && t.contains("ready to reroute"), "{t}");
            assert!(t.contains("green takes 0% of production traffic"), "{t}");
            // The group waits 60 min with STOP_DEPLOYMENT, from the end of the last hook.
            assert!(
                t.contains("CodeDeploy stops it in 60 min if it is not continued"),
                "{t}"
            );
        }
        other => panic!("{other:?}"),
    }
    let screen = text(&ready);
    assert!(joined(&screen).contains("ready to reroute"), "{screen}");
    insta::assert_snapshot!("watch_ready_to_reroute_100x30", screen);
    insta::assert_snapshot!(
        "watch_ready_to_reroute_80x24",
        text(&watch_state(watch_refresh(&sim).await, 80, 24))
    );

    // Continued: the group's canary sends 10 % of production traffic to green (the rest 5 min later, see
    // the simulator's own tests for the steps).
    sim.continue_deployment(&id, true).await.unwrap();
    // BeforeAllowTraffic runs first (a 1 ms step here).
    tokio::time::sleep(Duration::from_millis(30)).await;
    let shifting = watch_state(watch_refresh(&sim).await, 100, 30);
    match verdict(&shifting) {
        Outcome::InProgress(t) => {
            assert!(t.contains("InProgress"), "{t}");
            assert!(t.contains("green takes 10% of production traffic"), "{t}")
        }
        other => panic!("{other:?}"),
    }
    // Not waiting to reroute any more: a second READY_WAIT continue is refused, as CodeDeploy does.
    assert!(sim.continue_deployment(&id, true).await.is_err());
}

#[tokio::test]
async fn a_stopped_codedeploy_deployment_is_a_failure_of_the_new_revision() {
    use ecsdeck::model::deploy::Outcome;
    let sim = sim();
    let id = deploy(&sim).await;
    sim.stop_deployment(&id, true).await.unwrap();
    let state = watch_state(watch_refresh(&sim).await, 100, 30);
    match verdict(&state) {
        Outcome::Failed(t) => assert!(t.contains(&id) && t.contains("rolled back"), "{t}"),
        other => panic!("{other:?}"),
    }
}

async fn under_way(sim: &Sim) -> Vec<String> {
    sim.list_deployments(
        "AppECS-production-gateway",
        "DgpECS-production-gateway",
        &ecsdeck::aws::UNDER_WAY_STATUSES,
        None,
    )
    .await
    .unwrap()
    .names
}

async fn status_of(sim: &Sim, id: &str) -> String {
    sim.batch_get_deployments(&[id.to_owned()]).await.unwrap()[0]
        .status
        .clone()
}

/// `--demo`: about 20 s in, a canary of gateway's next revision starts; half a minute after it is ready to
/// reroute the demo continues it, and 10 % of production traffic goes to green.
#[tokio::test]
async fn the_demo_starts_a_codedeploy_canary_of_gateway() {
    let sim = Sim::new(SimOptions {
        latency: Duration::ZERO,
        epoch_ms: NOW,
        demo_deploy: true,
        pace: Some(Duration::from_secs(1)),
        ..SimOptions::default()
    });
    drop(sim.fleet());
    assert!(under_way(&sim).await.is_empty(), "nothing before 20 s");
    sim.skip(Duration::from_secs(21));
    drop(sim.fleet());
    let ids = under_way(&sim).await;
    assert_eq!(ids.len(), 1, "the canary started");
    let id = ids[0].as_str();
    // Six steps of 20 s (Install takes two) to the wait before rerouting.
    sim.skip(Duration::from_secs(125));
    assert_eq!(status_of(&sim, id).await, "Ready");
    sim.skip(Duration::from_secs(31));
    assert_eq!(
        status_of(&sim, id).await,
        "InProgress",
        "continued by the demo"
    );
    sim.skip(Duration::from_secs(25));
    let targets = sim.list_deployment_targets(id, None).await.unwrap().names;
    let target = sim
        .batch_get_deployment_targets(id, &targets)
        .await
        .unwrap();
    let green = target[0]
        .task_sets
        .iter()
        .find(|s| s.label.as_deref() == Some("Green"))
        .map(|s| s.traffic_weight);
    assert_eq!(green, Some(10.0));
}

/// `C` on the watch screen of a deployment waiting to reroute: the confirmation shows the exact
/// ContinueDeployment request, `y` sends it through the executor (audited), and CodeDeploy goes on shifting;
/// `C` when nothing waits says why and opens nothing; read-only refuses.
#[tokio::test]
async fn c_continues_a_deployment_waiting_to_reroute() {
    use ecsdeck::app::actions::Stage;
    use ecsdeck::app::state::Mode;
    use ecsdeck::app::update;
    use ecsdeck::protocol::Effect;
    use ecsdeck::workers::actions::{Executor, ExecutorConfig};
    let sim = sim();
    // Nothing under way: C says so.
    let mut state = watch_state(watch_refresh(&sim).await, 100, 30);
    assert!(update(&mut state, ch('C')).is_empty());
    assert!(matches!(state.mode, Mode::Normal));
    let toast = state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(toast.contains("nothing to continue"), "{toast}");

    let id = deploy(&sim).await;
    let mut state = watch_state(watch_refresh(&sim).await, 100, 30);
    update(&mut state, ch('C'));
    let Mode::Dialog(d) = &state.mode else {
        panic!("no dialog: {:?}", state.toast)
    };
    let Stage::Confirm(plan) = &d.stage else {
        panic!("{:?}", d.stage)
    };
    assert_eq!(
        plan.calls[0].text(),
        format!(
            r#"codedeploy:ContinueDeployment {{"deploymentId":"{id}","deploymentWaitType":"READY_WAIT"}}"#
        )
    );
    assert!(text(&state).contains("codedeploy:ContinueDeployment"));
    // Read-only: refused at the key.
    let mut read_only = watch_state(watch_refresh(&sim).await, 100, 30);
    read_only.context.read_only = true;
    update(&mut read_only, ch('C'));
    assert!(matches!(read_only.mode, Mode::Normal));

    // y sends it through the real executor, which audits it.
    let effects = update(&mut state, ch('y'));
    let Some(Effect::Execute { id: dialog, plan }) = effects
        .into_iter()
        .find(|e| matches!(e, Effect::Execute { .. }))
    else {
        panic!("nothing sent")
    };
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let (tx, mut rx) = mpsc::unbounded_channel();
    let executor = Executor::new(
        sim.clone(),
        tx,
        ExecutorConfig {
            read_only: false,
            audit_log: Some(audit.clone()),
            profile: "prod".into(),
            region: "us-east-1".into(),
        },
    );
    executor.execute(dialog, plan);
    let msg = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(&msg, Msg::Executed { result: Ok(_), .. }),
        "{msg:?}"
    );
    assert_eq!(sim.calls.continue_deployment.load(Ordering::Relaxed), 1);
    let lines = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(lines.lines().count(), 2, "intent and outcome: {lines}");
    assert!(
        lines.contains("Ready"),
        "the status read just before: {lines}"
    );
    update(&mut state, msg);
    assert!(matches!(state.mode, Mode::Normal));
    tokio::time::sleep(Duration::from_millis(30)).await;
    let shifting = watch_state(watch_refresh(&sim).await, 100, 30);
    assert!(
        matches!(verdict(&shifting), ecsdeck::model::deploy::Outcome::InProgress(t) if t.contains("10% of production traffic")),
        "{:?}",
        verdict(&shifting)
    );
}
