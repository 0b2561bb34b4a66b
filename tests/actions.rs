//! Actions end to end below the terminal: the reducer, the real executor and poller, on the simulator.
//! Dialogs and the watch screen are snapshotted; read-only refuses each action; bad input never sends.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecsdeck::app::actions::{Body, Fetched, Stage};
use ecsdeck::app::{Mode, State, View, update};
use ecsdeck::aws::*;
use ecsdeck::model::deploy::Outcome;
use ecsdeck::protocol::{Effect, Msg, Rows, Scope};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::workers::actions::{Executor, ExecutorConfig};
use ecsdeck::workers::poll::{PollConfig, Poller};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use support::*;
use tokio::sync::mpsc;

struct Harness {
    state: State,
    sim: Arc<Sim>,
    rx: mpsc::UnboundedReceiver<Msg>,
    poller: Poller,
    executor: Executor,
    /// The watch screen's charts and alarms (a verdict is green only once the alarms were read).
    metrics: ecsdeck::workers::metrics::MetricsWorker,
    audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn moving_sim(pace_ms: u64) -> Arc<Sim> {
    Arc::new(Sim::new(SimOptions {
        latency: Duration::ZERO,
        epoch_ms: NOW,
        tasks_per_service: Some(2),
        pace: Some(Duration::from_millis(pace_ms)),
        ..SimOptions::default()
    }))
}

fn still_sim() -> Arc<Sim> {
    Arc::new(fleet())
}

impl Harness {
    /// On production's services list, `service` selected.
    fn new(sim: Arc<Sim>, service: &str, read_only: bool) -> Harness {
        let (tx, rx) = mpsc::unbounded_channel();
        let tx_for_metrics = tx.clone();
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("data").join("audit.jsonl");
        let poller = Poller::spawn(
            sim.clone(),
            tx.clone(),
            PollConfig {
                refresh: Duration::from_millis(50),
                busy_refresh: Duration::from_millis(20),
                pause_per_call: Duration::ZERO,
                ..PollConfig::default()
            },
        );
        let executor = Executor::new(
            sim.clone(),
            tx,
            ExecutorConfig {
                read_only,
                audit_log: Some(audit.clone()),
                profile: "prod".into(),
                region: "eu-west-1".into(),
            },
        );
        let mut state = new_state();
        state.context.read_only = read_only;
        ecsdeck::app::update::start(&mut state);
        deliver(&mut state, Rows::Clusters(clusters(&sim)));
        update(&mut state, ch('j'));
        update(&mut state, key(KeyCode::Enter));
        deliver(&mut state, Rows::Services(services(&sim, "production")));
        update(&mut state, ch('/'));
        type_text(&mut state, service);
        update(&mut state, key(KeyCode::Enter));
        let metrics_tx = tx_for_metrics;
        let metrics = ecsdeck::workers::metrics::MetricsWorker::spawn(
            sim.clone(),
            ecsdeck::workers::metrics::MetricsConfig::default(),
            Box::new(move |generation, update| {
                let _ = metrics_tx.send(Msg::Metrics { generation, update });
            }),
        );
        Harness {
            state,
            sim,
            rx,
            poller,
            executor,
            metrics,
            audit,
            _dir: dir,
        }
    }

    fn route(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Watch { scope, generation } => self.poller.watch(scope, generation),
                Effect::Metrics {
                    request,
                    generation,
                } => self.metrics.watch(request, generation),
                Effect::Fetch { id, fetch } => self.executor.fetch(id, fetch),
                Effect::Execute { id, plan } => self.executor.execute(id, plan),
                _ => {}
            }
        }
    }

    fn press(&mut self, msg: Msg) -> Vec<Effect> {
        let effects = update(&mut self.state, msg);
        self.route(effects.clone());
        effects
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.press(ch(c));
        }
    }

    /// Feeds workers' messages to the reducer until `done` holds (panics after 15 s).
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(&self.state) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}:\n{}", text(&self.state)))
                .expect("channel open");
            let effects = update(&mut self.state, msg);
            self.route(effects);
        }
    }

    fn dialog(&self) -> &ecsdeck::app::actions::Dialog {
        match &self.state.mode {
            Mode::Dialog(d) => d,
            other => panic!("no dialog open: {other:?}"),
        }
    }

    fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }
}

fn outcome(state: &State) -> Option<Outcome> {
    match state.view() {
        View::Deploy(v) if v.snapshot.is_some() => Some(v.outcome()),
        _ => None,
    }
}

fn succeeded(state: &State) -> bool {
    matches!(outcome(state), Some(Outcome::Succeeded(_)))
}

fn clear_input(h: &mut Harness) {
    for _ in 0..6 {
        h.press(key(KeyCode::Backspace));
    }
}

#[tokio::test]
async fn scale_2_to_6_beyond_autoscaling_max_moves_it_and_converges_on_the_watch_screen() {
    let mut h = Harness::new(moving_sim(15), "web", false);
    h.press(ch('S'));
    h.until("the scalable target", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Scale(sc) if sc.autoscaling != Fetched::Loading))
    })
    .await;
    clear_input(&mut h);
    h.typed("6");
    h.press(key(KeyCode::Enter));
    let d = h.dialog();
    let Stage::Confirm(plan) = &d.stage else {
        panic!("{:?}", d.stage)
    };
    assert_eq!(plan.changes, vec!["desired 2 → 6"]);
    assert!(
        d.warning.as_deref().unwrap().contains("between 1 and 4"),
        "{:?}",
        d.warning
    );
    // Move min/max with it, right in the confirmation: two calls now.
    h.press(key(KeyCode::Tab));
    let Stage::Confirm(plan) = &h.dialog().stage else {
        panic!()
    };
    assert_eq!(plan.calls.len(), 2);
    assert_eq!(plan.changes[1], "autoscaling min/max 1..4 → 1..6");
    let effects = h.press(ch('y'));
    assert!(matches!(effects[..], [Effect::Execute { .. }]));
    h.until("6 tasks running on the watch screen", succeeded)
        .await;
    let View::Deploy(v) = h.state.view() else {
        panic!()
    };
    let snap = v.snapshot.as_ref().unwrap();
    assert_eq!(
        (snap.service.desired_count, snap.service.running_count),
        (6, 6)
    );
    assert!(text(&h.state).contains("SUCCEEDED: 6 tasks running"));
    let target = h
        .sim
        .describe_scalable_target("production", "web")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((target.min_capacity, target.max_capacity), (1, 6));
    // Two audit lines per call sent: the intent before it leaves, the outcome after.
    let lines = h.audit_lines();
    let phases: Vec<&str> = lines.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["intent", "outcome", "intent", "outcome"]);
    let update = &lines[3];
    assert_eq!(update["action"], "scale");
    assert_eq!(update["before"], "desired 2");
    assert_eq!(update["after"], "desired 6");
    assert_eq!(update["profile"], "prod");
    assert_eq!(update["cluster"], "production");
    assert_eq!(update["outcome"], "ok");
    assert!(
        update["request"]
            .as_str()
            .unwrap()
            .starts_with("ecs:UpdateService")
    );
    assert!(update["request_id"].as_str().is_some());
    assert_eq!(lines[2]["request"], update["request"]);
    assert!(lines[2].get("outcome").is_none());
    // The autoscaling line records the bounds it moves, not the desired count.
    let register = &lines[1];
    assert!(
        register["request"]
            .as_str()
            .unwrap()
            .starts_with("application-autoscaling:RegisterScalableTarget")
    );
    assert_eq!(register["before"], "min 1 max 4", "{register}");
    assert_eq!(register["after"], "min 1 max 6");
    assert_eq!(register["outcome"], "ok");
}

#[tokio::test]
async fn a_bad_revision_fails_on_the_watch_screen_and_is_never_called_stable() {
    let mut h = Harness::new(moving_sim(15), "web", false);
    let bad = h.sim.register_bad_revision("production", "web").unwrap();
    h.sim
        .update_service(&UpdateServiceRequest {
            cluster: "production".into(),
            service: "web".into(),
            task_definition: Some(bad),
            ..Default::default()
        })
        .await
        .unwrap();
    let effects = h.press(ch('W'));
    assert!(matches!(
        watch_of(&effects),
        Some(Scope::Deploy { service, .. }) if service == "web"
    ));
    h.until("the rollout to fail", |s| {
        matches!(outcome(s), Some(Outcome::Failed(_)))
    })
    .await;
    // Wait for the rollback to settle: the service is stable again, the verdict stays a failure.
    h.until("the rollback to complete", |s| match s.view() {
        View::Deploy(v) => v.snapshot.as_ref().is_some_and(|snap| {
            snap.service.deployments.len() == 1
                && snap.service.deployments[0].rollout_state.as_deref() == Some("COMPLETED")
        }),
        _ => false,
    })
    .await;
    let Some(Outcome::Failed(why)) = outcome(&h.state) else {
        panic!("{:?}", outcome(&h.state))
    };
    assert!(
        why.contains("did not deploy: ECS deployment circuit breaker"),
        "{why}"
    );
    assert!(why.contains("rolled back to web:"), "{why}");
    let screen = text(&h.state);
    assert!(screen.contains("✖ FAILED"), "{screen}");
    let View::Deploy(v) = h.state.view() else {
        panic!()
    };
    let lines = ecsdeck::model::deploy::event_lines(&v.events);
    assert!(
        lines
            .iter()
            .any(|l| l.failure && l.message.contains("rolling back to deployment")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn rolling_back_a_failed_rollout_from_the_dialog_succeeds() {
    let mut h = Harness::new(moving_sim(15), "payments", false);
    let payments = services(&h.sim, "production")
        .into_iter()
        .find(|s| s.service_name == "payments")
        .unwrap();
    let previous = payments.deployments[1].task_definition.clone();
    h.press(ch('R'));
    h.until("the revisions", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { revisions: Fetched::Ready(_), .. }))
    })
    .await;
    let Body::Rollback {
        revisions: Fetched::Ready(r),
        selected,
        ..
    } = &h.dialog().body
    else {
        panic!()
    };
    // The :61 rollout failed: it is still the service's task definition, but every task runs :60.
    assert!(r.list[0].primary, "newest first, the primary one marked");
    assert_eq!(r.list[0].running, 0, "no task runs the failed revision");
    assert_eq!(
        r.list[*selected].running, payments.deployments[1].running_count,
        "the running tasks are counted on the revision they run"
    );
    assert!(r.list[*selected].running > 0);
    assert_eq!(
        r.list[*selected].task_definition, previous,
        "the last revision that deployed successfully is offered"
    );
    assert!(r.list[*selected].good);
    h.press(key(KeyCode::Enter));
    h.until("the diff", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { diff: Some(Fetched::Ready(_)), .. }))
    })
    .await;
    let Body::Rollback {
        diff: Some(Fetched::Ready(diff)),
        ..
    } = &h.dialog().body
    else {
        panic!()
    };
    assert!(diff.iter().any(|l| l.field == "payments image"), "{diff:?}");
    h.press(ch('y'));
    h.until("the rollback deployment to complete", succeeded)
        .await;
    let View::Deploy(v) = h.state.view() else {
        panic!()
    };
    assert_eq!(
        v.snapshot.as_ref().unwrap().service.task_definition,
        previous
    );
    assert_eq!(h.audit_lines()[0]["action"], "rollback");
}

#[tokio::test]
async fn stopping_a_deployment_in_progress_sends_stop_service_deployment_rollback() {
    let mut h = Harness::new(moving_sim(400), "web", false);
    let next = h.sim.register_revision("production", "web").unwrap();
    h.sim
        .update_service(&UpdateServiceRequest {
            cluster: "production".into(),
            service: "web".into(),
            task_definition: Some(next),
            ..Default::default()
        })
        .await
        .unwrap();
    h.press(ch('X'));
    h.until(
        "the deployment in progress",
        |s| matches!(&s.mode, Mode::Dialog(d) if matches!(d.stage, Stage::Confirm(_))),
    )
    .await;
    let Stage::Confirm(plan) = &h.dialog().stage else {
        panic!()
    };
    assert!(plan.calls[0].text().contains(r#""stopType":"ROLLBACK""#));
    h.press(ch('y'));
    h.until("the watch screen", |s| matches!(s.view(), View::Deploy(_)))
        .await;
    assert_eq!(
        h.sim.calls.stop_service_deployment.load(Ordering::Relaxed),
        1
    );
    assert_eq!(h.audit_lines()[0]["action"], "stop-deployment");
}

#[tokio::test]
async fn a_stopped_deployment_is_never_called_succeeded_after_its_rollback_completes() {
    let mut h = Harness::new(moving_sim(150), "web", false);
    let good = services(&h.sim, "production")
        .into_iter()
        .find(|s| s.service_name == "web")
        .unwrap()
        .task_definition;
    let next = h.sim.register_revision("production", "web").unwrap();
    h.sim
        .update_service(&UpdateServiceRequest {
            cluster: "production".into(),
            service: "web".into(),
            task_definition: Some(next.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    // Like the user: watch the deploy, then stop it from the watch screen.
    h.press(ch('W'));
    h.until("the deploy on the watch screen", |s| {
        matches!(outcome(s), Some(Outcome::InProgress(_)))
    })
    .await;
    h.press(ch('X'));
    h.until(
        "the deployment in progress",
        |s| matches!(&s.mode, Mode::Dialog(d) if matches!(d.stage, Stage::Confirm(_))),
    )
    .await;
    h.press(ch('y'));
    let succeeded_once = std::cell::Cell::new(None);
    h.until("the rollback to complete", |s| {
        if let Some(o @ Outcome::Succeeded(_)) = outcome(s) {
            succeeded_once.set(Some(o));
        }
        match s.view() {
            View::Deploy(v) => v.snapshot.as_ref().is_some_and(|snap| {
                snap.service.task_definition == good
                    && snap.service.deployments.len() == 1
                    && snap.service.deployments[0].rollout_state.as_deref() == Some("COMPLETED")
                    && snap.service.running_count == snap.service.desired_count
            }),
            _ => false,
        }
    })
    .await;
    assert_eq!(
        succeeded_once.take(),
        None,
        "a stopped deploy was called a success"
    );
    let Some(Outcome::Stopped(why)) = outcome(&h.state) else {
        panic!("{:?}", outcome(&h.state))
    };
    let (stopped, back) = (family_rev(&next), family_rev(&good));
    assert!(
        why.starts_with(&format!(
            "STOPPED: {stopped} was stopped (you asked); the service rolled back to {back}"
        )),
        "{why}"
    );
    let screen = text(&h.state);
    assert!(screen.contains("■ STOPPED"), "{screen}");
    assert!(!screen.contains("SUCCEEDED"), "{screen}");
}

#[tokio::test]
async fn force_new_deployment_confirms_then_replaces_every_task() {
    let mut h = Harness::new(moving_sim(15), "api", false);
    let effects = h.press(ch('F'));
    assert!(effects.is_empty(), "nothing is sent by the key itself");
    assert!(matches!(h.dialog().stage, Stage::Confirm(_)));
    // `n` declines like Esc.
    assert!(h.press(ch('n')).is_empty());
    assert!(matches!(h.state.mode, Mode::Normal));
    h.press(ch('F'));
    h.press(ch('y'));
    h.until("the forced deployment to complete", succeeded)
        .await;
    let View::Deploy(v) = h.state.view() else {
        panic!()
    };
    let snap = v.snapshot.as_ref().unwrap();
    assert!(
        snap.service
            .events
            .iter()
            .any(|e| e.message.contains("deployment completed.")),
    );
}

/// Presses an action key on a read-only state: nothing opens, nothing is sent, the toast says why; and the
/// executor itself refuses the plan without a single call.
async fn refused_in_read_only(key_char: char, label: &str) {
    let sim = still_sim();
    let mut h = Harness::new(sim.clone(), "web", true);
    let effects = h.press(ch(key_char));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(h.state.mode, Mode::Normal));
    let toast = h.state.toast.clone().expect("a message");
    assert!(
        toast.text.contains("read-only") && toast.text.contains(label),
        "{}",
        toast.text
    );
    // The executor refuses even if a plan reached it.
    let service = services(&sim, "production")
        .into_iter()
        .find(|s| s.service_name == "web")
        .unwrap();
    let plan = match key_char {
        'S' => ecsdeck::app::actions::scale_plan(
            "production",
            &service,
            9,
            &ecsdeck::app::actions::Scale {
                input: "9".into(),
                autoscaling: Fetched::Ready(None),
                move_bounds: false,
                typed_name: None,
            },
        ),
        'F' => ecsdeck::model::actions::force_plan("production", &service),
        'R' => ecsdeck::model::actions::rollback_plan("production", &service, "web:1"),
        _ => ecsdeck::model::actions::stop_plan(
            "production",
            &service,
            &ServiceDeploymentBrief {
                service_deployment_arn: "arn:sd".into(),
                status: "IN_PROGRESS".into(),
                ..Default::default()
            },
        ),
    };
    sim.calls.reset();
    h.executor.execute(99, plan);
    let msg = tokio::time::timeout(Duration::from_secs(5), h.rx.recv())
        .await
        .unwrap()
        .unwrap();
    let Msg::Executed { result, .. } = msg else {
        panic!("{msg:?}")
    };
    assert!(result.unwrap_err().contains("read-only"));
    assert_eq!(sim.calls.total(), 0, "not one call was made");
    assert!(h.audit_lines().is_empty());
}

#[tokio::test]
async fn read_only_refuses_scale() {
    refused_in_read_only('S', "scale").await;
}

#[tokio::test]
async fn read_only_refuses_force_new_deployment() {
    refused_in_read_only('F', "force new deployment").await;
}

#[tokio::test]
async fn read_only_refuses_roll_back() {
    refused_in_read_only('R', "roll back").await;
}

#[tokio::test]
async fn read_only_refuses_stop_deployment() {
    refused_in_read_only('X', "stop deployment").await;
}

#[tokio::test]
async fn bad_desired_counts_are_explained_and_nothing_is_sent() {
    let sim = still_sim();
    let mut h = Harness::new(sim.clone(), "web", false);
    h.press(ch('S'));
    let cases: &[(&str, &str)] = &[
        ("", "type the new desired count"),
        ("abc", "is not a number"),
        ("-2", "cannot be negative"),
        ("4.5", "is not a number"),
        ("99999", "above ECS's maximum of 5000"),
    ];
    for (input, message) in cases {
        clear_input(&mut h);
        h.typed(input);
        let effects = h.press(key(KeyCode::Enter));
        assert!(effects.is_empty());
        let d = h.dialog();
        assert_eq!(d.stage, Stage::Edit, "{input:?}");
        assert!(
            d.error.as_deref().is_some_and(|e| e.contains(message)),
            "{input:?}: {:?}",
            d.error
        );
    }
    // Huge pastes stop at the field's length; control characters are refused and said so.
    clear_input(&mut h);
    h.typed("1234567890123456789");
    assert!(h.dialog().error.as_deref().unwrap().contains("too long"));
    h.press(Msg::Key(KeyEvent::new(
        KeyCode::Char('v'),
        KeyModifiers::CONTROL,
    )));
    assert!(
        h.dialog()
            .error
            .as_deref()
            .unwrap()
            .contains("control character")
    );
    let Body::Scale(s) = &h.dialog().body else {
        panic!()
    };
    assert_eq!(s.input.len(), 12);
    assert_eq!(sim.calls.update_service.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn scaling_to_zero_needs_the_service_name_typed() {
    let mut h = Harness::new(still_sim(), "web", false);
    h.press(ch('S'));
    clear_input(&mut h);
    h.typed("0");
    h.press(key(KeyCode::Enter));
    // `y` alone does not send: it is typed into the name.
    assert!(h.press(ch('y')).is_empty());
    for _ in 0..3 {
        h.press(key(KeyCode::Backspace));
    }
    h.typed("wbe");
    assert!(h.press(key(KeyCode::Enter)).is_empty());
    assert!(
        h.dialog()
            .error
            .as_deref()
            .unwrap()
            .contains("type the service name web")
    );
    for _ in 0..3 {
        h.press(key(KeyCode::Backspace));
    }
    h.typed("web");
    let effects = h.press(key(KeyCode::Enter));
    assert!(
        matches!(effects[..], [Effect::Execute { .. }]),
        "{effects:?}"
    );
}

#[tokio::test]
async fn code_deploy_services_scale_but_refuse_deployments_with_the_reason() {
    let mut h = Harness::new(still_sim(), "gateway", false);
    assert!(h.press(ch('R')).is_empty());
    let toast = h.state.toast.clone().unwrap().text;
    assert!(
        toast.contains("CODE_DEPLOY") && toast.contains("Scaling (S) works"),
        "{toast}"
    );
    assert!(h.press(ch('F')).is_empty());
    let effects = h.press(ch('S'));
    assert!(matches!(effects[..], [Effect::Fetch { .. }]));
}

#[tokio::test]
async fn keys_are_answered_while_an_action_is_in_flight() {
    let sim = still_sim();
    sim.set_latency(Duration::from_millis(1500));
    let mut h = Harness::new(sim, "web", false);
    h.press(ch('F'));
    h.press(ch('y'));
    assert!(matches!(h.dialog().stage, Stage::Sending(_)));
    // The call takes 1.5 s; the reducer answers keys meanwhile.
    h.press(key(KeyCode::Esc));
    assert!(matches!(h.state.mode, Mode::Normal));
    assert!(
        h.state
            .toast
            .as_ref()
            .unwrap()
            .text
            .contains("already sent")
    );
    h.press(ch('j'));
    assert!(h.rx.try_recv().is_err(), "the answer has not come yet");
    h.until("the answer", |s| {
        s.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("action sent"))
    })
    .await;
}

#[tokio::test]
async fn one_watch_refresh_makes_a_bounded_number_of_calls() {
    let sim = Arc::new(Sim::new(SimOptions {
        latency: Duration::ZERO,
        epoch_ms: NOW,
        tasks_per_service: Some(250),
        ..SimOptions::default()
    }));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let poller = Poller::spawn(
        sim.clone(),
        tx,
        PollConfig {
            refresh: Duration::from_secs(60),
            ..PollConfig::default()
        },
    );
    sim.calls.reset();
    poller.watch(
        Scope::Deploy {
            cluster: "production".into(),
            service: "checkout".into(),
        },
        1,
    );
    let snapshot = loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let Msg::Data {
            update: ecsdeck::protocol::DataUpdate::Deploy(s),
            ..
        } = msg
        {
            break s;
        }
    };
    let tasks = snapshot.tasks.len();
    assert!(tasks > 250, "running plus stopped: {tasks}");
    let groups = snapshot.service.target_group_arns().len();
    assert_eq!(groups, 2, "blue/green: two target groups");
    let c = &sim.calls;
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    assert_eq!(n(&c.describe_services), 1);
    assert_eq!(n(&c.describe_tasks), tasks.div_ceil(100) as u64);
    assert_eq!(n(&c.describe_target_health), groups as u64);
    assert_eq!(n(&c.list_service_deployments), 1);
    assert_eq!(n(&c.describe_service_deployments), 1);
    // ListTasks: one page per 100 running ARNs, and one of stopped ones.
    assert_eq!(n(&c.list_tasks), 3 + 1);
    // The ALB traffic of the service: its target groups' load balancer, and that one's listeners (none
    // route to checkout in the simulator, so nothing more).
    assert_eq!(n(&c.describe_target_groups), 1);
    assert_eq!(n(&c.describe_listeners), 1);
    assert_eq!(
        c.total(),
        1 + 4 + tasks.div_ceil(100) as u64 + groups as u64 + 2 + 2,
        "nothing else"
    );
}

// Snapshots: the still fleet, answers from the real executor.

async fn settle(h: &mut Harness, what: &str, done: impl Fn(&State) -> bool) {
    h.until(what, done).await;
}

#[tokio::test]
async fn dialog_snapshots() {
    let mut h = Harness::new(still_sim(), "web", false);
    h.press(ch('S'));
    settle(&mut h, "autoscaling", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Scale(sc) if sc.autoscaling != Fetched::Loading))
    })
    .await;
    clear_input(&mut h);
    h.typed("12");
    insta::assert_snapshot!("scale_dialog_typing", text(&h.state));
    h.press(key(KeyCode::Enter));
    insta::assert_snapshot!("scale_confirm_outside_autoscaling", text(&h.state));
    h.press(key(KeyCode::Esc));
    h.press(key(KeyCode::Tab));
    h.press(key(KeyCode::Enter));
    insta::assert_snapshot!("scale_confirm_moving_min_max", text(&h.state));
    h.press(key(KeyCode::Esc));
    clear_input(&mut h);
    h.typed("x1");
    h.press(key(KeyCode::Enter));
    insta::assert_snapshot!("scale_bad_input", text(&h.state));
    clear_input(&mut h);
    h.typed("0");
    h.press(key(KeyCode::Enter));
    h.typed("we");
    insta::assert_snapshot!("scale_to_zero_confirm", text(&h.state));
    h.press(key(KeyCode::Esc));
    h.press(key(KeyCode::Esc));

    h.press(ch('F'));
    insta::assert_snapshot!("force_confirm", text(&h.state));
    h.press(key(KeyCode::Esc));

    h.press(ch('R'));
    settle(&mut h, "revisions", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { revisions: Fetched::Ready(_), .. }))
    })
    .await;
    insta::assert_snapshot!("rollback_revisions", text(&h.state));
    h.press(key(KeyCode::Enter));
    settle(&mut h, "diff", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { diff: Some(Fetched::Ready(_)), .. }))
    })
    .await;
    insta::assert_snapshot!("rollback_confirm_with_diff", text(&h.state));
}

#[tokio::test]
async fn stop_dialog_snapshot() {
    let mut h = Harness::new(still_sim(), "checkout", false);
    h.press(ch('X'));
    settle(
        &mut h,
        "the deployment in progress",
        |s| matches!(&s.mode, Mode::Dialog(d) if matches!(d.stage, Stage::Confirm(_))),
    )
    .await;
    insta::assert_snapshot!("stop_confirm", text(&h.state));
}

#[tokio::test]
async fn watch_screen_snapshots() {
    for service in ["checkout", "payments"] {
        let mut h = Harness::new(still_sim(), service, false);
        h.state.height = 44;
        h.press(ch('W'));
        settle(
            &mut h,
            "the first refresh",
            |s| matches!(s.view(), View::Deploy(v) if v.snapshot.is_some() && !v.load.loading),
        )
        .await;
        insta::assert_snapshot!(format!("watch_{service}"), text(&h.state));
    }
}

// Defects of issue 11: the scale dialog, the retries of dialog lookups, the audit log's intent lines and the
// amber verdict on the watch screen.

fn scale_input(h: &Harness) -> String {
    match &h.dialog().body {
        Body::Scale(s) => s.input.value().to_owned(),
        other => panic!("{other:?}"),
    }
}

async fn open_scale(h: &mut Harness) {
    h.press(ch('S'));
    h.until("the scalable target", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Scale(sc) if sc.autoscaling != Fetched::Loading))
    })
    .await;
}

#[tokio::test]
async fn typing_in_the_scale_dialog_replaces_the_prefilled_count() {
    // web runs 4 with autoscaling 2..8 in the still fleet.
    let mut h = Harness::new(still_sim(), "web", false);
    open_scale(&mut h).await;
    assert_eq!(scale_input(&h), "4");
    h.typed("12");
    assert_eq!(scale_input(&h), "12", "not 412");
    h.press(key(KeyCode::Enter));
    let Stage::Confirm(plan) = &h.dialog().stage else {
        panic!("{:?}", h.dialog().stage)
    };
    assert_eq!(plan.changes[0], "desired 4 → 12");
    // Backspace on the prefilled count clears it whole.
    h.press(key(KeyCode::Esc));
    h.press(key(KeyCode::Esc));
    open_scale(&mut h).await;
    h.press(key(KeyCode::Backspace));
    assert_eq!(scale_input(&h), "");
    // Once edited, typing appends as usual.
    h.typed("1");
    h.typed("0");
    assert_eq!(scale_input(&h), "10");
}

#[tokio::test]
async fn scaling_to_the_current_count_is_never_sent_nor_audited() {
    let mut h = Harness::new(still_sim(), "web", false);
    open_scale(&mut h).await;
    h.sim.calls.reset();
    // The prefilled count as is, and typed again.
    for typed in ["", "4"] {
        if !typed.is_empty() {
            clear_input(&mut h);
        }
        h.typed(typed);
        let effects = h.press(key(KeyCode::Enter));
        assert!(effects.is_empty(), "{effects:?}");
        let d = h.dialog();
        assert_eq!(d.stage, Stage::Edit);
        assert!(
            d.error
                .as_deref()
                .is_some_and(|e| e.contains("already has desired 4: nothing to send")),
            "{:?}",
            d.error
        );
        assert!(text(&h.state).contains("nothing to send"));
    }
    // The executor does not send it either, when the count it reads fresh already is the one asked for
    // (the dialog's snapshot may be older than ECS).
    let service = services(&h.sim, "production")
        .into_iter()
        .find(|s| s.service_name == "web")
        .unwrap();
    let mut stale = service.clone();
    stale.desired_count = 2;
    let plan = ecsdeck::app::actions::scale_plan(
        "production",
        &stale,
        4,
        &ecsdeck::app::actions::Scale {
            input: "4".into(),
            autoscaling: Fetched::Ready(None),
            move_bounds: false,
            typed_name: None,
        },
    );
    h.executor.execute(77, plan);
    let msg = tokio::time::timeout(Duration::from_secs(5), h.rx.recv())
        .await
        .unwrap()
        .unwrap();
    let Msg::Executed {
        result: Err(why), ..
    } = msg
    else {
        panic!("{msg:?}")
    };
    assert!(why.contains("nothing sent"), "{why}");
    assert_eq!(h.sim.calls.update_service.load(Ordering::SeqCst), 0);
    assert!(h.audit_lines().is_empty(), "{:?}", h.audit_lines());
}

#[tokio::test]
async fn the_autoscaling_warning_follows_the_current_input() {
    // web: autoscaling 2..8.
    let mut h = Harness::new(still_sim(), "web", false);
    open_scale(&mut h).await;
    h.typed("12");
    h.press(key(KeyCode::Enter));
    assert!(
        h.dialog()
            .warning
            .as_deref()
            .unwrap()
            .contains("desired 12")
    );
    // Back to editing, a count inside the bounds: the warning goes as it is typed.
    h.press(key(KeyCode::Esc));
    clear_input(&mut h);
    h.typed("6");
    assert_eq!(h.dialog().warning, None);
    h.press(key(KeyCode::Enter));
    assert_eq!(h.dialog().warning, None);
    assert!(!text(&h.state).contains("will undo"));
    // And another count outside them warns about that count, not the first one.
    h.press(key(KeyCode::Esc));
    clear_input(&mut h);
    h.typed("1");
    assert!(
        h.dialog()
            .warning
            .as_deref()
            .unwrap()
            .contains("undo desired 1."),
        "{:?}",
        h.dialog().warning
    );
}

#[tokio::test]
async fn a_dialog_lookup_retries_transient_failures_by_itself() {
    let mut h = Harness::new(moving_sim(400), "web", false);
    h.sim.set_outage(true);
    h.sim.calls.reset();
    h.press(ch('X'));
    // The first attempts fail; the lookup keeps trying with backoff until the network is back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while h.sim.calls.list_service_deployments.load(Ordering::SeqCst) < 2 {
        assert!(tokio::time::Instant::now() < deadline, "no retry was made");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    h.sim.set_outage(false);
    h.until("the lookup to answer", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Stop { deployment } if !matches!(deployment, Fetched::Loading)))
    })
    .await;
    let Body::Stop { deployment } = &h.dialog().body else {
        panic!()
    };
    assert!(matches!(deployment, Fetched::Ready(_)), "{deployment:?}");
}

#[tokio::test]
async fn a_failed_dialog_lookup_says_press_r_and_r_asks_again() {
    let mut h = Harness::new(still_sim(), "checkout", false);
    h.sim.deny("ecs:ListServiceDeployments");
    h.press(ch('X'));
    h.until("the lookup to fail", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Stop { deployment: Fetched::Failed(_) }))
    })
    .await;
    let screen = text(&h.state);
    assert!(screen.contains("press r to retry"), "{screen}");
    assert!(screen.contains("r retry · Esc cancel"), "{screen}");
    assert!(!screen.contains("— retrying"), "{screen}");
    // Access denied is not retried behind the user's back: one call.
    assert_eq!(
        h.sim.calls.list_service_deployments.load(Ordering::SeqCst),
        1
    );
    h.sim.allow("ecs:ListServiceDeployments");
    let effects = h.press(ch('r'));
    assert!(matches!(effects[..], [Effect::Fetch { .. }]), "{effects:?}");
    h.until(
        "the deployment in progress",
        |s| matches!(&s.mode, Mode::Dialog(d) if matches!(d.stage, Stage::Confirm(_))),
    )
    .await;
    // The rollback dialog: the same key.
    h.press(key(KeyCode::Esc));
    h.sim.deny("ecs:ListTaskDefinitions");
    h.press(ch('R'));
    h.until("the revisions to fail", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { revisions: Fetched::Failed(_), .. }))
    })
    .await;
    assert!(text(&h.state).contains("press r to retry"));
    h.sim.allow("ecs:ListTaskDefinitions");
    h.press(ch('r'));
    h.until("the revisions", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { revisions: Fetched::Ready(_), .. }))
    })
    .await;
}

/// The audit log's lines at the moment each mutating call reached the simulator.
fn audit_seen_by_each_mutation(
    sim: &Sim,
    audit: std::path::PathBuf,
) -> Arc<std::sync::Mutex<Vec<Vec<serde_json::Value>>>> {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    sim.on_call(move |action| {
        if matches!(
            action,
            "ecs:UpdateService"
                | "ecs:StopServiceDeployment"
                | "application-autoscaling:RegisterScalableTarget"
        ) {
            let lines = std::fs::read_to_string(&audit)
                .unwrap_or_default()
                .lines()
                .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
                .collect();
            record.lock().unwrap().push(lines);
        }
    });
    seen
}

/// An executor on the simulator alone (no reducer), answering on the returned channel.
fn bare_executor(
    sim: &Arc<Sim>,
    audit_log: Option<std::path::PathBuf>,
) -> (Executor, mpsc::UnboundedReceiver<Msg>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let executor = Executor::new(
        sim.clone(),
        tx,
        ExecutorConfig {
            read_only: false,
            audit_log,
            profile: "prod".into(),
            region: "eu-west-1".into(),
        },
    );
    (executor, rx)
}

/// web scaled to 12 with autoscaling's max moved along (RegisterScalableTarget, then UpdateService), as a
/// dialog that saw `seen` would plan it.
async fn web_to_12_moving_bounds(
    sim: &Sim,
    seen: &ecsdeck::aws::Service,
) -> ecsdeck::model::actions::Plan {
    let target = sim
        .describe_scalable_target("production", "web")
        .await
        .unwrap()
        .unwrap();
    let plan = ecsdeck::app::actions::scale_plan(
        "production",
        seen,
        12,
        &ecsdeck::app::actions::Scale {
            input: "12".into(),
            autoscaling: Fetched::Ready(Some(target)),
            move_bounds: true,
            typed_name: None,
        },
    );
    assert_eq!(plan.calls.len(), 2);
    plan
}

#[tokio::test]
async fn each_call_is_audited_before_it_is_sent_and_after_it_answers() {
    let sim = still_sim();
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let seen = audit_seen_by_each_mutation(&sim, audit.clone());
    let (executor, mut rx) = bare_executor(&sim, Some(audit.clone()));
    let web = services(&sim, "production")
        .into_iter()
        .find(|s| s.service_name == "web")
        .unwrap();
    // The dialog saw desired 3 and bounds 2..8; ECS says 4 by now: the audit records what ECS says.
    let mut seen_by_dialog = web.clone();
    seen_by_dialog.desired_count = 3;
    let target = sim
        .describe_scalable_target("production", "web")
        .await
        .unwrap()
        .unwrap();
    let plan = web_to_12_moving_bounds(&sim, &seen_by_dialog).await;
    // The UpdateService is refused: the second call fails after the first went through.
    sim.deny("ecs:UpdateService");
    executor.execute(1, plan);
    let msg = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(&msg, Msg::Executed { result: Err(e), .. } if e.contains("UpdateService")),
        "{msg:?}"
    );

    // When each call arrived, its intent line was already on disk (a kill right then leaves it).
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "two calls arrived");
    let last = |lines: &Vec<serde_json::Value>| lines.last().cloned().unwrap_or_default();
    assert_eq!(seen[0].len(), 1);
    assert_eq!(last(&seen[0])["phase"], "intent");
    assert!(
        last(&seen[0])["request"]
            .as_str()
            .unwrap()
            .starts_with("application-autoscaling:RegisterScalableTarget")
    );
    assert_eq!(seen[1].len(), 3);
    assert_eq!(last(&seen[1])["phase"], "intent");
    assert!(
        last(&seen[1])["request"]
            .as_str()
            .unwrap()
            .starts_with("ecs:UpdateService")
    );

    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let phases: Vec<&str> = lines.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["intent", "outcome", "intent", "outcome"]);
    // RegisterScalableTarget: min/max before (read fresh) and after, never "desired".
    let bounds = format!("min {} max {}", target.min_capacity, target.max_capacity);
    assert_eq!(lines[0]["before"], bounds.as_str());
    assert_eq!(lines[1]["before"], bounds.as_str());
    assert_eq!(
        lines[1]["after"],
        format!("min {} max 12", target.min_capacity)
    );
    assert_eq!(lines[1]["outcome"], "ok");
    // UpdateService: the desired count ECS had just before, not the dialog's 3; the failure recorded.
    assert_eq!(lines[2]["before"], "desired 4");
    assert_eq!(lines[3]["before"], "desired 4");
    assert_eq!(lines[3]["after"], "desired 12");
    let failure = lines[3]["outcome"].as_str().unwrap();
    assert!(failure != "ok" && !failure.is_empty(), "{failure}");
    assert!(lines[2].get("outcome").is_none());
}

#[tokio::test]
async fn watch_screen_is_amber_while_the_rolled_back_revision_is_unhealthy_and_green_after() {
    let mut h = Harness::new(still_sim(), "payments", false);
    h.state.height = 44;
    h.press(ch('W'));
    settle(
        &mut h,
        "the first refresh",
        |s| matches!(s.view(), View::Deploy(v) if v.snapshot.is_some() && !v.load.loading),
    )
    .await;
    let View::Deploy(v) = h.state.view_mut() else {
        panic!()
    };
    // As after `R` to :60 in the demo: the :60 deployment is PRIMARY and COMPLETED again, its tasks
    // running, but two of its targets still fail their checks and the 5XX alarm fires.
    let mut snap = v.snapshot.clone().unwrap();
    snap.service.deployments.retain(|d| d.status == "ACTIVE");
    let Some(d60) = snap.service.deployments.first_mut() else {
        panic!()
    };
    d60.status = "PRIMARY".into();
    snap.service.task_definition = d60.task_definition.clone();
    v.target = ecsdeck::model::deploy::Target::Deployment {
        id: d60.id.clone(),
        task_definition: d60.task_definition.clone(),
    };
    let healthy = snap.clone();
    for (_, targets) in snap.health.iter_mut() {
        for t in targets.as_mut().unwrap().iter_mut().take(2) {
            t.state = "unhealthy".into();
            t.reason = Some("Target.FailedHealthChecks".into());
        }
    }
    let alarm = |state: &str| Alarm {
        alarm_name: "production-payments-target-5xx".into(),
        state_value: state.into(),
        state_reason: None,
        state_updated_at: None,
        namespace: None,
        metric_name: None,
        dimensions: vec![],
    };
    v.apply(snap);
    v.metrics
        .apply(ecsdeck::protocol::MetricsUpdate::Alarms(Ok(vec![alarm(
            "ALARM",
        )])));
    let amber = text(&h.state);
    assert!(
        amber.contains("⚠ payments:60 deployed; 2 of 4 targets unhealthy; alarm production-payments-target-5xx in ALARM"),
        "{amber}"
    );
    assert!(!amber.contains("SUCCEEDED"));
    // The service deployment's alarm row says the alarm fires, not just that ECS monitors it.
    assert!(
        amber.contains("MONITORING: production-payments-target-5xx ALARM"),
        "{amber}"
    );
    insta::assert_snapshot!("watch_rolled_back_still_unhealthy", amber);
    // On small screens the verdict wraps instead of losing what is still wrong.
    for (width, height) in [(80u16, 24u16), (40, 10)] {
        h.state.width = width;
        h.state.height = height;
        let screen = text(&h.state);
        let joined = joined(&screen);
        assert!(
            joined.contains("⚠ payments:60 deployed; 2 of 4 targets unhealthy; alarm production-payments-target-5xx in ALARM"),
            "{width}x{height}:\n{screen}"
        );
    }
    // A failed refresh's STALE line wraps too: its remedy is at its end.
    let View::Deploy(v) = h.state.view_mut() else {
        panic!()
    };
    v.load.error = Some(ApiError::Network(
        "ecs:DescribeServices: dispatch failure: connection refused (simulated outage)".into(),
    ));
    for (width, height) in [(120u16, 44u16), (80, 24)] {
        h.state.width = width;
        h.state.height = height;
        let screen = text(&h.state);
        let joined = joined(&screen);
        assert!(joined.contains("STALE"), "{width}x{height}:\n{screen}");
        assert!(
            joined.contains("→ retrying; check the network, VPN or --endpoint-url"),
            "{width}x{height}:\n{screen}"
        );
    }
    let View::Deploy(v) = h.state.view_mut() else {
        panic!()
    };
    v.load.error = None;
    h.state.width = 120;
    h.state.height = 44;

    let View::Deploy(v) = h.state.view_mut() else {
        panic!()
    };
    v.apply(healthy);
    v.metrics
        .apply(ecsdeck::protocol::MetricsUpdate::Alarms(Ok(vec![alarm(
            "OK",
        )])));
    let green = text(&h.state);
    assert!(
        green.contains("✔ SUCCEEDED: payments:60 is deployed and steady"),
        "{green}"
    );
    insta::assert_snapshot!("watch_rolled_back_healthy", green);
}

#[tokio::test]
async fn the_rollback_picker_marks_the_revision_the_tasks_run_not_the_primary() {
    // payments: the :61 deployment is PRIMARY but FAILED (4/0/0/5); all 4 running tasks are on :60.
    let mut h = Harness::new(still_sim(), "payments", false);
    h.press(ch('R'));
    settle(&mut h, "revisions", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { revisions: Fetched::Ready(_), .. }))
    })
    .await;
    let screen = text(&h.state);
    let line = |rev: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!("{rev}—")))
            .unwrap_or_else(|| panic!("{rev} not listed:\n{screen}"))
            .to_owned()
    };
    let l61 = line("payments:61 ");
    let l60 = line("payments:60 ");
    assert!(!screen.contains("running now"), "{screen}");
    assert!(!l61.contains('▶'), "{l61}");
    assert!(l61.contains("PRIMARY"), "{l61}");
    assert!(
        l60.contains('▶') && l60.contains("4 tasks running"),
        "{l60}"
    );
    insta::assert_snapshot!("rollback_revisions_after_a_failed_rollout", screen);
}

#[tokio::test]
async fn a_call_already_in_place_after_another_went_out_is_skipped_not_reported_as_nothing_sent() {
    let sim = still_sim();
    let (executor, mut rx) = bare_executor(&sim, None);
    let web = services(&sim, "production")
        .into_iter()
        .find(|s| s.service_name == "web")
        .unwrap();
    let plan = web_to_12_moving_bounds(&sim, &web).await;
    // Someone else set desired 12 meanwhile: the UpdateService has nothing left to do.
    sim.update_service(&UpdateServiceRequest {
        cluster: "production".into(),
        service: "web".into(),
        desired_count: Some(12),
        ..Default::default()
    })
    .await
    .unwrap();
    sim.calls.reset();
    executor.execute(1, plan);
    let msg = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    // The bounds went out, so the action is not "nothing sent": it succeeded without the redundant call.
    assert!(
        matches!(&msg, Msg::Executed { result: Ok(_), .. }),
        "{msg:?}"
    );
    assert_eq!(sim.calls.register_scalable_target.load(Ordering::SeqCst), 1);
    assert_eq!(sim.calls.update_service.load(Ordering::SeqCst), 0);
}

/// `?` in a dialog explains it and lists its keys, in every stage, and is never typed into its field; a key
/// the dialog does not take says so (with the keys that work) instead of nothing; the next key clears it.
#[tokio::test]
async fn question_mark_and_unbound_keys_in_dialogs_answer_with_the_dialogs_keys() {
    let mut h = Harness::new(still_sim(), "web", false);
    open_scale(&mut h).await;
    h.press(ch('?'));
    assert_eq!(scale_input(&h), "4", "? is not typed into the count");
    let note = h.dialog().note.clone().expect("? answers");
    assert!(note.contains("desired count"), "{note}");
    assert!(note.contains("Enter review"), "{note}");
    assert!(h.dialog().error.is_none(), "{:?}", h.dialog().error);
    assert!(
        text(&h.state).contains("Enter review · Tab"),
        "{}",
        text(&h.state)
    );
    h.typed("6");
    assert!(h.dialog().note.is_none(), "the next key clears the note");
    h.press(key(KeyCode::Enter));
    assert!(matches!(h.dialog().stage, Stage::Confirm(_)));
    // The confirmation: ? explains, an unbound letter says it does nothing and names y.
    h.press(ch('?'));
    let note = h.dialog().note.clone().unwrap();
    assert!(
        note.contains("exact change") && note.contains("y send"),
        "{note}"
    );
    h.press(ch('x'));
    let note = h.dialog().note.clone().unwrap();
    assert!(note.starts_with("x: nothing here — y send"), "{note}");
    assert!(
        matches!(h.dialog().stage, Stage::Confirm(_)),
        "still asking"
    );
    // The note is on screen.
    let screen = text(&h.state);
    assert!(screen.contains("x: nothing here"), "{screen}");
    // Scaling to zero: `?` is not typed into the name either.
    h.press(key(KeyCode::Esc));
    clear_input(&mut h);
    h.typed("0");
    h.press(key(KeyCode::Enter));
    h.press(ch('?'));
    let Body::Scale(s) = &h.dialog().body else {
        panic!()
    };
    assert_eq!(s.typed_name.as_ref().map(|t| t.value()), Some(""));
    assert!(
        h.dialog()
            .note
            .as_deref()
            .unwrap()
            .contains("type the service name")
    );
    h.press(key(KeyCode::Esc));
    h.press(key(KeyCode::Esc));
    assert!(matches!(h.state.mode, Mode::Normal));
    // Force: the confirmation comes at once; ? and unbound keys answer there too.
    h.press(ch('F'));
    h.press(ch('?'));
    assert!(h.dialog().note.as_deref().unwrap().contains("y send"));
    h.press(ch('q'));
    assert!(
        h.dialog()
            .note
            .as_deref()
            .unwrap()
            .starts_with("q: nothing here"),
        "q does not quit from a dialog: {:?}",
        h.dialog().note
    );
    assert_eq!(h.sim.calls.update_service.load(Ordering::Relaxed), 0);
}

/// On a small terminal the dialog's body is cut, but what it says back (`?`, a refused input) stays above the
/// keys line: it is the reason nothing happened.
#[tokio::test]
async fn what_a_dialog_says_back_is_seen_on_a_small_terminal() {
    let mut h = Harness::new(still_sim(), "web", false);
    h.press(ch('R'));
    h.until("the revisions", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Rollback { revisions: Fetched::Ready(_), .. }))
    })
    .await;
    h.press(ch('?'));
    h.state.width = 60;
    h.state.height = 20;
    let screen = joined(&text(&h.state));
    assert!(
        screen.contains("choose the revision to roll back to"),
        "{screen}"
    );
    assert!(
        screen.contains("j/k choose"),
        "the keys line stays: {screen}"
    );
    // At the usual size the note follows the body as before.
    h.state.width = 100;
    h.state.height = 30;
    let screen = text(&h.state);
    assert!(screen.contains("ℹ choose the revision"), "{screen}");
}

/// The executor stopping (a panic in a call) while a dialog waits for it: the dialog does not say
/// "sending…" forever — it says the calls may or may not have gone through; a lookup becomes a failure that
/// `r` asks again.
#[tokio::test]
async fn a_dialog_waiting_on_an_executor_that_stopped_says_so() {
    let mut h = Harness::new(still_sim(), "web", false);
    open_scale(&mut h).await;
    h.typed("6");
    h.press(key(KeyCode::Enter));
    // y sends: the Execute effect is not routed, as if the executor died with it.
    let effects = update(&mut h.state, ch('y'));
    assert!(effects.iter().any(|e| matches!(e, Effect::Execute { .. })));
    assert!(matches!(h.dialog().stage, Stage::Sending(_)));
    update(
        &mut h.state,
        Msg::WorkerFailed {
            worker: ecsdeck::protocol::Worker::Executor,
            message: "panicked at src/workers/actions.rs:1".into(),
        },
    );
    let Stage::Failed { error, .. } = &h.dialog().stage else {
        panic!("{:?}", h.dialog().stage)
    };
    assert!(error.contains("may or may not have reached AWS"), "{error}");
    h.press(key(KeyCode::Esc));
    assert!(matches!(h.state.mode, Mode::Normal), "Esc closes it");
    // A lookup in flight: failed, and r asks again.
    let effects = update(&mut h.state, ch('R'));
    assert!(effects.iter().any(|e| matches!(e, Effect::Fetch { .. })));
    update(
        &mut h.state,
        Msg::WorkerFailed {
            worker: ecsdeck::protocol::Worker::Executor,
            message: "panicked".into(),
        },
    );
    assert!(matches!(
        h.dialog().body,
        Body::Rollback {
            revisions: Fetched::Failed(_),
            ..
        }
    ));
    let effects = update(&mut h.state, ch('r'));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Fetch { .. })),
        "r asks again: {effects:?}"
    );
}

/// A `?` inside a paste is text, not the dialog's question: before, it was dropped, so pasting `a?pi` into
/// the scale-to-0 name passed the check for `api` and sent desired 0; `1?2` became 12.
#[tokio::test]
async fn a_question_mark_inside_a_paste_is_text_and_refused() {
    let mut h = Harness::new(still_sim(), "web", false);
    open_scale(&mut h).await;
    h.press(Msg::Paste("1?2".into()));
    assert_eq!(scale_input(&h), "1?2");
    h.press(key(KeyCode::Enter));
    assert_eq!(h.dialog().stage, Stage::Edit);
    assert!(
        h.dialog()
            .error
            .as_deref()
            .unwrap()
            .contains("is not a number")
    );
    clear_input(&mut h);
    h.typed("0");
    h.press(key(KeyCode::Enter));
    h.press(Msg::Paste("w?eb".into()));
    let effects = h.press(key(KeyCode::Enter));
    assert!(effects.is_empty(), "nothing sent: {effects:?}");
    assert!(
        h.dialog()
            .error
            .as_deref()
            .unwrap()
            .contains("type the service name web exactly")
    );
    assert_eq!(h.sim.calls.update_service.load(Ordering::Relaxed), 0);
}

/// Enter before autoscaling's bounds arrive: when they do, the confirmation warns that autoscaling will undo
/// the count (and offers Tab), as when they came first. Before, `y` sent a scale autoscaling would undo,
/// without a word.
#[tokio::test]
async fn bounds_that_arrive_after_enter_still_warn_in_the_confirmation() {
    let mut h = Harness::new(still_sim(), "web", false);
    h.press(ch('S'));
    h.typed("12");
    h.press(key(KeyCode::Enter));
    assert!(matches!(h.dialog().stage, Stage::Confirm(_)));
    assert!(h.dialog().warning.is_none(), "bounds not known yet");
    h.until("the scalable target", |s| {
        matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Scale(sc) if sc.autoscaling != Fetched::Loading))
    })
    .await;
    assert!(matches!(h.dialog().stage, Stage::Confirm(_)));
    let warning = h
        .dialog()
        .warning
        .clone()
        .expect("the warning comes with the bounds");
    assert!(warning.contains("between 2 and 8"), "{warning}");
    // Tab now moves the bounds, as it would have.
    h.press(key(KeyCode::Tab));
    let Stage::Confirm(plan) = &h.dialog().stage else {
        panic!()
    };
    assert_eq!(plan.calls.len(), 2, "{plan:?}");
}

/// Below 60x20 a dialog cannot show its change: it says so, and `y` sends nothing (the walkthrough sent a
/// rollback from a 20x6 terminal that showed only the dialog's title).
#[tokio::test]
async fn a_terminal_too_small_for_the_change_sends_nothing() {
    let mut h = Harness::new(still_sim(), "web", false);
    h.press(ch('F'));
    assert!(matches!(h.dialog().stage, Stage::Confirm(_)));
    for (w, ht) in [(40u16, 12u16), (20, 6), (59, 30), (100, 19)] {
        h.state.width = w;
        h.state.height = ht;
        let effects = h.press(ch('y'));
        assert!(effects.is_empty(), "{w}x{ht}: {effects:?}");
        assert!(matches!(h.dialog().stage, Stage::Confirm(_)));
        if w >= 40 {
            let screen = joined(&text(&h.state));
            assert!(
                screen.contains("too small") || screen.contains("needs 60x20"),
                "{w}x{ht}: {screen}"
            );
        }
    }
    assert_eq!(h.sim.calls.update_service.load(Ordering::Relaxed), 0);
    h.state.width = 80;
    h.state.height = 24;
    let effects = h.press(ch('y'));
    assert!(effects.iter().any(|e| matches!(e, Effect::Execute { .. })));
}

/// Enter on a y/n confirmation is what people try: it says what works instead of nothing; the failed and
/// sending stages list every key that works there.
#[tokio::test]
async fn enter_on_a_confirmation_says_what_works() {
    let mut h = Harness::new(still_sim(), "web", false);
    h.press(ch('F'));
    h.press(key(KeyCode::Enter));
    assert_eq!(
        h.dialog().note.as_deref(),
        Some("Enter: nothing here — y send · Esc back (nothing is sent until y)")
    );
    assert!(
        matches!(h.dialog().stage, Stage::Confirm(_)),
        "Enter sends nothing"
    );
    assert_eq!(h.sim.calls.update_service.load(Ordering::Relaxed), 0);
}
