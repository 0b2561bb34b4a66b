//! The watch screen of the demo's bad deploy of `search`, end to end below the terminal (reducer, poller and
//! metrics worker on the simulator): the deploy fails and rolls back, then its 5XX rise and its alarm reach
//! the screen's metrics pane, the verdict and the alarm column; after the rollback the alarm clears there
//! too. The simulator's clock is skipped ahead so CloudWatch's minutes pass in a moment.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::{State, View, update};
use ecsdeck::model::deploy::Outcome;
use ecsdeck::protocol::{Effect, Msg, Rows};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::workers::metrics::{MetricsConfig, MetricsWorker};
use ecsdeck::workers::poll::{PollConfig, Poller};
use std::sync::Arc;
use std::time::Duration;
use support::*;
use tokio::sync::mpsc;

const ALARM: &str = "production-search-target-5xx";

struct Harness {
    state: State,
    rx: mpsc::UnboundedReceiver<Msg>,
    poller: Poller,
    metrics: MetricsWorker,
}

impl Harness {
    fn route(&mut self, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Watch { scope, generation } => self.poller.watch(scope, generation),
                Effect::Metrics {
                    request,
                    generation,
                } => self.metrics.watch(request, generation),
                _ => {}
            }
        }
    }

    fn press(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg);
        self.route(effects);
    }

    /// Feeds the workers' messages to the reducer until `done` holds (panics after 20 s).
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(&self.state) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {what}:\n{}", text(&self.state)))
                .expect("channel open");
            let effects = update(&mut self.state, msg);
            self.route(effects);
        }
    }
}

fn watched(state: &State) -> Option<&ecsdeck::app::deploy::DeployView> {
    match state.view() {
        View::Deploy(v) if v.snapshot.is_some() => Some(v),
        _ => None,
    }
}

/// The largest 5XX count of search's target group on the pane.
fn peak_5xx(state: &State) -> f64 {
    watched(state)
        .and_then(|v| v.metrics.data.series.get("t0_t5xx"))
        .map_or(0.0, |s| s.values().cloned().fold(0.0, f64::max))
}

#[tokio::test]
async fn the_demos_bad_deploy_of_search_shows_its_5xx_rise_and_alarm_on_the_watch_screen() {
    // The demo's simulator with its clock near the wall clock, as in `--demo` (the metrics worker asks by
    // the wall clock): started 5 s before this minute, so its deploy (6 s in) falls in this minute, which the
    // worker asks for; a faster pace so the rollout runs in a moment of real time.
    let minute = ecsdeck::model::metrics::align_down(ecsdeck::workers::clock::now_ms(), 60_000);
    let sim = Arc::new(Sim::new(SimOptions {
        epoch_ms: minute - 5_000,
        latency: Duration::ZERO,
        pace: Some(Duration::from_millis(150)),
        demo_deploy: true,
        ..SimOptions::default()
    }));
    let (tx, rx) = mpsc::unbounded_channel();
    let metrics_tx = tx.clone();
    let poller = Poller::spawn(
        sim.clone(),
        tx,
        PollConfig {
            refresh: Duration::from_millis(50),
            busy_refresh: Duration::from_millis(20),
            pause_per_call: Duration::ZERO,
            ..PollConfig::default()
        },
    );
    let metrics = MetricsWorker::spawn(
        sim.clone(),
        MetricsConfig {
            refresh: Duration::from_millis(100),
            ..MetricsConfig::default()
        },
        Box::new(move |generation, update| {
            let _ = metrics_tx.send(Msg::Metrics { generation, update });
        }),
    );
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    deliver(&mut state, Rows::Clusters(clusters(&sim)));
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    deliver(&mut state, Rows::Services(services(&sim, "production")));
    update(&mut state, ch('/'));
    type_text(&mut state, "search");
    update(&mut state, key(KeyCode::Enter));
    let mut h = Harness {
        state,
        rx,
        poller,
        metrics,
    };
    h.state.height = 56;
    h.state.width = 160;

    // Watching search when the demo deploys its bad revision (6 s in).
    h.press(ch('W'));
    h.until("the first refresh", |s| watched(s).is_some()).await;
    h.until("the alarms read, none firing", |s| {
        watched(s).is_some_and(|v| v.alarm_state(ALARM) == Some("OK"))
    })
    .await;
    sim.skip(Duration::from_secs(6));
    h.until("the deploy to fail", |s| {
        watched(s).is_some_and(|v| matches!(v.outcome(), Outcome::Failed(_)))
    })
    .await;
    h.until("the rollback to complete", |s| {
        watched(s)
            .and_then(|v| v.snapshot.as_ref())
            .is_some_and(|snap| {
                snap.service.deployments.len() == 1
                    && snap.service.deployments[0].rollout_state.as_deref() == Some("COMPLETED")
            })
    })
    .await;
    assert!(peak_5xx(&h.state) < 10.0, "nothing published yet");

    // Two minutes on, the deploy's minute is published: the 5XX rise on the pane, and the alarm.
    sim.skip(Duration::from_secs(120));
    h.until("the 5XX rise and the alarm on the pane", |s| {
        peak_5xx(s) > 50.0 && watched(s).is_some_and(|v| v.alarm_state(ALARM) == Some("ALARM"))
    })
    .await;
    let screen = text(&h.state);
    assert!(screen.contains(&format!("⚠ ALARM {ALARM}")), "{screen}");
    assert!(
        screen.contains(&format!("MONITORING: {ALARM} ALARM")),
        "{screen}"
    );
    assert!(
        screen.contains("✖ FAILED"),
        "the verdict stays a failure:\n{screen}"
    );
    if std::env::var_os("SHOW").is_some() {
        println!("{screen}");
    }

    // After the rollback the minutes are clean again: the alarm goes back to OK on the screen.
    sim.skip(Duration::from_secs(10 * 60));
    h.until("the alarm to clear", |s| {
        watched(s).is_some_and(|v| v.alarm_state(ALARM) == Some("OK"))
    })
    .await;
    let screen = text(&h.state);
    assert!(!screen.contains(&format!("⚠ ALARM {ALARM}")), "{screen}");
    assert!(screen.contains("✖ FAILED"), "{screen}");
}
