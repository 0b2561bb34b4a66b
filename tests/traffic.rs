//! ALB blue/green end to end below the terminal, on the simulator: the T dialog finds the storefront pair,
//! shows the routes, and a shift, a switch and a switch back go out as the exact ModifyListener request,
//! change the simulated listener (its live shares) and write the audit log; refusals send nothing.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::actions::{Body, Fetched, Stage};
use ecsdeck::app::{Mode, State, View, update};
use ecsdeck::protocol::{Effect, Msg, Rows};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::workers::actions::{Executor, ExecutorConfig};
use ecsdeck::workers::poll::{PollConfig, Poller};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use support::*;
use tokio::sync::mpsc;

const BLUE: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/storefront-blue/0b1e0b1e0b1e0b1e";
const GREEN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/storefront-green/06ee406ee406ee40";

struct Harness {
    state: State,
    sim: Arc<Sim>,
    rx: mpsc::UnboundedReceiver<Msg>,
    executor: Executor,
    /// The watch screen opens after each send and polls the service.
    poller: Poller,
    audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new(service: &str, read_only: bool, width: u16, height: u16) -> Harness {
        let sim = Arc::new(Sim::new(SimOptions {
            latency: Duration::ZERO,
            epoch_ms: NOW,
            blue_green: true,
            ..SimOptions::default()
        }));
        let (tx, rx) = mpsc::unbounded_channel();
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.jsonl");
        let executor = Executor::new(
            sim.clone(),
            tx.clone(),
            ExecutorConfig {
                read_only,
                audit_log: Some(audit.clone()),
                profile: "prod".into(),
                region: "us-east-1".into(),
            },
        );
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
        // Clusters and production's services loaded, filtered down to `service` (selected).
        let mut state = new_state();
        ecsdeck::app::update::start(&mut state);
        deliver(&mut state, Rows::Clusters(clusters(&sim)));
        update(&mut state, ch('j'));
        update(&mut state, key(KeyCode::Enter));
        deliver(&mut state, Rows::Services(services(&sim, "production")));
        update(&mut state, ch('/'));
        type_text(&mut state, service);
        update(&mut state, key(KeyCode::Enter));
        state.context.read_only = read_only;
        state.width = width;
        state.height = height;
        Harness {
            state,
            sim,
            rx,
            executor,
            poller,
            audit,
            _dir: dir,
        }
    }

    fn press(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg);
        for e in effects {
            match e {
                Effect::Fetch { id, fetch } => self.executor.fetch(id, fetch),
                Effect::Execute { id, plan } => self.executor.execute(id, plan),
                Effect::Watch { scope, generation } => self.poller.watch(scope, generation),
                _ => {}
            }
        }
    }

    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(&self.state) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}:\n{}", text(&self.state)))
                .expect("channel open");
            self.press(msg);
        }
    }

    /// Opens the traffic dialog and waits for the routes.
    async fn open(&mut self) {
        // After a send: the watch screen, once it has the service.
        self.until("the service", |s| match s.view() {
            View::Deploy(v) => v.snapshot.is_some(),
            _ => true,
        })
        .await;
        self.press(ch('T'));
        self.until("the routes", |s| {
            matches!(&s.mode, Mode::Dialog(d) if matches!(&d.body, Body::Traffic { traffic, .. } if *traffic != Fetched::Loading))
        })
        .await;
    }

    fn stage(&self) -> &Stage {
        match &self.state.mode {
            Mode::Dialog(d) => &d.stage,
            other => panic!("no dialog: {other:?}"),
        }
    }

    async fn send(&mut self) {
        self.press(ch('y'));
        self.until("the answer", |s| !matches!(s.mode, Mode::Dialog(_)))
            .await;
    }

    fn shares(&self) -> (f64, f64) {
        let alb = self.sim.alb();
        (
            alb.live_share(BLUE).unwrap(),
            alb.live_share(GREEN).unwrap(),
        )
    }

    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

#[tokio::test]
async fn shift_10_then_switch_then_switch_back_move_the_live_listener() {
    let mut h = Harness::new("storefront-blue", false, 100, 30);
    assert_eq!(h.shares(), (1.0, 0.0));
    h.open().await;
    let screen = joined(&text(&h.state));
    assert!(
        screen.contains("blue storefront-blue ↔ green storefront-green"),
        "{screen}"
    );
    assert!(
        screen.contains("HTTP:80 rule 10 — path /test/* → storefront-green 100 %"),
        "{screen}"
    );
    // Shift 10 % (the row the dialog opens on).
    h.press(key(KeyCode::Enter));
    let Stage::Confirm(plan) = h.stage() else {
        panic!("{:?}", h.stage())
    };
    let request = plan.calls[0].text();
    assert!(request.starts_with(r#"elasticloadbalancing:ModifyListener {"ListenerArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/production-alb/"#), "{request}");
    assert!(request.ends_with(&format!(r#""TargetGroups":[{{"TargetGroupArn":"{BLUE}","Weight":90}},{{"TargetGroupArn":"{GREEN}","Weight":10}}]}}}}]}}"#)), "{request}");
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert!(
        squeeze(&joined(&text(&h.state))).contains(&squeeze(&request)),
        "the confirmation shows the exact request"
    );
    assert_eq!(
        h.sim.calls.modify_listener.load(Ordering::SeqCst),
        0,
        "nothing before y"
    );
    h.send().await;
    let (blue, green) = h.shares();
    assert!(
        (green - 0.1).abs() < 1e-9 && (blue - 0.9).abs() < 1e-9,
        "{blue} {green}"
    );
    let audit = h.audit();
    assert_eq!(audit.len(), 2, "intent and outcome: {audit:?}");
    assert_eq!(audit[0]["action"], "shift-traffic");
    assert_eq!(
        audit[0]["before"],
        "storefront-blue 100 · storefront-green 0"
    );
    assert_eq!(
        audit[0]["after"],
        "storefront-blue 90 · storefront-green 10"
    );
    assert_eq!(audit[1]["outcome"], "ok");
    assert_eq!(audit[1]["request"], request);

    // Switch: all to green (the first row).
    h.open().await;
    h.press(ch('k'));
    h.press(key(KeyCode::Enter));
    h.send().await;
    assert_eq!(h.shares(), (0.0, 1.0));

    // A typed share: 37 %.
    h.open().await;
    h.press(ch('3'));
    h.press(ch('7'));
    h.press(key(KeyCode::Enter));
    let Stage::Confirm(plan) = h.stage() else {
        panic!("{:?}", h.stage())
    };
    assert_eq!(plan.after, "storefront-blue 63 % · storefront-green 37 %");
    h.send().await;
    assert!((h.shares().1 - 0.37).abs() < 1e-9);

    // Switch back: the last row.
    h.open().await;
    for _ in 0..6 {
        h.press(ch('j'));
    }
    h.press(key(KeyCode::Enter));
    h.send().await;
    assert_eq!(h.shares(), (1.0, 0.0));
    assert_eq!(h.sim.calls.modify_listener.load(Ordering::SeqCst), 4);
    assert_eq!(h.audit().len(), 8);
}

#[tokio::test]
async fn the_pair_is_found_from_the_green_side_too_and_bad_input_sends_nothing() {
    let mut h = Harness::new("storefront-green", false, 100, 30);
    h.open().await;
    for c in "150".chars() {
        h.press(ch(c));
    }
    h.press(key(KeyCode::Enter));
    let screen = joined(&text(&h.state));
    assert!(
        screen.contains("150 %: the weights would not add up"),
        "{screen}"
    );
    assert!(matches!(h.stage(), Stage::Edit));
    // Switch back while blue already has everything: refused, nothing to send.
    for _ in 0..6 {
        h.press(ch('j'));
    }
    h.press(key(KeyCode::Enter));
    assert!(
        joined(&text(&h.state))
            .contains("live traffic is already storefront-blue 100 % · storefront-green 0 %")
    );
    assert_eq!(h.sim.calls.modify_listener.load(Ordering::SeqCst), 0);
    assert_eq!(h.sim.calls.modify_rule.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn read_only_refuses_the_traffic_dialog() {
    let mut h = Harness::new("storefront-blue", true, 100, 30);
    h.press(ch('T'));
    assert!(!matches!(h.state.mode, Mode::Dialog(_)));
    assert!(
        text(&h.state).contains("read-only mode: shift traffic refused"),
        "{}",
        text(&h.state)
    );
    assert_eq!(h.sim.calls.describe_listeners.load(Ordering::SeqCst), 0);
    assert_eq!(h.sim.calls.modify_listener.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn dialog_snapshots_at_100x30_and_80x24() {
    for (w, hgt) in [(100, 30), (80, 24)] {
        let mut h = Harness::new("storefront-blue", false, w, hgt);
        h.open().await;
        insta::assert_snapshot!(format!("traffic_dialog_{w}x{hgt}"), text(&h.state));
        h.press(key(KeyCode::Enter));
        insta::assert_snapshot!(format!("traffic_confirm_{w}x{hgt}"), text(&h.state));
    }
}

#[tokio::test]
async fn the_watch_screen_shows_the_shift_live_after_sending() {
    let mut h = Harness::new("storefront-blue", false, 100, 30);
    h.open().await;
    h.press(ch('k'));
    h.press(key(KeyCode::Enter));
    h.send().await;
    h.until("the switch on the watch screen", |s| {
        joined(&text(s)).contains("live 0 % / 100 %")
    })
    .await;
    let screen = joined(&text(&h.state));
    assert!(screen.contains("deploy: storefront-blue"), "{screen}");
    // Green has everything and healthy targets; its 5XX rate against blue's (from the simulator's
    // CloudWatch, which moves with the clock) decides between ✔ and what is wrong.
    assert!(
        screen.contains("traffic ✔ storefront-green takes 100 % with 3 healthy targets, 5XX")
            || screen.contains("traffic … storefront-green 5XX")
            || screen.contains("storefront-blue's rate to compare is not known"),
        "{screen}"
    );
    // The numbers side by side, per group.
    assert!(screen.contains("req/5m"), "{screen}");
}

/// The details of `service` with its routes read from the simulator, drawn at `w`x`hgt`.
async fn details(service: &str, w: u16, hgt: u16) -> String {
    let h = Harness::new(service, false, w, hgt);
    let mut state = h.state;
    update(&mut state, ch('d'));
    let svc = services(&h.sim, "production")
        .into_iter()
        .find(|s| s.service_name == service)
        .unwrap();
    let traffic = ecsdeck::workers::traffic::load(
        h.sim.as_ref(),
        "production",
        service,
        &svc.target_group_arns(),
    )
    .await;
    send(
        &mut state,
        ecsdeck::protocol::DataUpdate::ServiceDetail(Box::new(svc)),
    );
    // Fixed numbers: the simulator's CloudWatch moves with the clock.
    let traffic = traffic.map(|mut t| {
        t.metrics = vec![
            ecsdeck::model::traffic::GroupMetrics {
                target_group_arn: BLUE.into(),
                requests: Some(12_040.0),
                five_xx: Some(12.0),
                response_time: Some(0.035),
            },
            ecsdeck::model::traffic::GroupMetrics {
                target_group_arn: GREEN.into(),
                requests: None,
                five_xx: None,
                response_time: None,
            },
        ];
        t
    });
    send(
        &mut state,
        ecsdeck::protocol::DataUpdate::Traffic(Box::new(traffic)),
    );
    text(&state)
}

#[tokio::test]
async fn the_details_traffic_section_at_100x30_and_80x24() {
    let wide = details("storefront-green", 100, 30).await;
    assert!(
        joined(&wide).contains("blue storefront-blue ↔ green storefront-green   live 100 % / 0 %"),
        "{wide}"
    );
    insta::assert_snapshot!("traffic_details_100x30", wide);
    insta::assert_snapshot!(
        "traffic_details_80x24",
        details("storefront-green", 80, 24).await
    );
}

/// RequestCount of a storefront group, one value per minute of `[from, to)` as published at `now`.
fn requests(sim: &Sim, arn: &str, from: i64, to: i64, now: i64) -> f64 {
    let g = sim
        .metrics()
        .target_groups(&[arn.to_owned()])
        .unwrap()
        .remove(0);
    let q = ecsdeck::aws::MetricQuery {
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
        stat: ecsdeck::aws::Stat::Sum,
        period_secs: 60,
    };
    sim.metrics().query(&q, from, to, now).values.iter().sum()
}

#[tokio::test]
async fn the_simulators_requests_follow_the_listener() {
    use ecsdeck::aws::TargetGroupWeightRequest;
    use ecsdeck::aws::{Elbv2, ForwardActionRequest, ForwardConfigRequest, ModifyListenerRequest};
    const MINUTE: i64 = 60_000;
    let sim = Sim::new(SimOptions {
        latency: Duration::ZERO,
        epoch_ms: NOW,
        blue_green: true,
        ..SimOptions::default()
    });
    // Before: blue takes the live traffic, green none (the test route is not live traffic).
    let (from, to) = (NOW - 30 * MINUTE, NOW);
    assert!(requests(&sim, BLUE, from, to, NOW) > 0.0);
    assert_eq!(requests(&sim, GREEN, from, to, NOW), 0.0);
    let listener = sim.alb().listeners[0].listener_arn.clone();
    let weights = |b: i32, g: i32| ModifyListenerRequest {
        listener_arn: listener.clone(),
        default_actions: vec![ForwardActionRequest {
            kind: "forward".into(),
            order: Some(1),
            forward_config: ForwardConfigRequest {
                target_groups: vec![
                    TargetGroupWeightRequest {
                        target_group_arn: BLUE.into(),
                        weight: b,
                    },
                    TargetGroupWeightRequest {
                        target_group_arn: GREEN.into(),
                        weight: g,
                    },
                ],
                target_group_stickiness_config: None,
            },
        }],
    };
    sim.modify_listener(&weights(0, 100)).await.unwrap();
    // The minutes after the switch: green has the requests, blue none; the history before is unchanged.
    let at = sim.now() - sim.now().rem_euclid(MINUTE) + MINUTE;
    let later = at + 10 * MINUTE;
    assert!(requests(&sim, GREEN, at, at + 5 * MINUTE, later) > 0.0);
    assert_eq!(requests(&sim, BLUE, at, at + 5 * MINUTE, later), 0.0);
    assert_eq!(requests(&sim, GREEN, from, to, later), 0.0);
}
