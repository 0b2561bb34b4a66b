//! The whole event loop on a TestBackend: keys are answered while every AWS call takes seconds.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::run::Workers;
use ecsdeck::app::run::{Channels, run};
use ecsdeck::app::state::Mode;
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::*;

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_answered_while_aws_calls_take_seconds() {
    let api = Arc::new(Sim::new(SimOptions {
        latency: Duration::from_secs(5),
        ..SimOptions::default()
    }));
    let channels = Channels::new();
    let keys = channels.tx.clone();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let theme = Theme::builtin("dark").unwrap();
    let started = Instant::now();
    let app = tokio::spawn(async move {
        let state = new_state();
        let state = run(
            &mut terminal,
            state,
            &theme,
            api,
            channels,
            Workers::default(),
        )
        .await
        .unwrap();
        (state, terminal)
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    keys.send(ch('/')).unwrap();
    keys.send(ch('x')).unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    keys.send(key(KeyCode::Enter)).unwrap();
    keys.send(ch('?')).unwrap();
    tokio::time::sleep(Duration::from_millis(150)).await;
    keys.send(ctrl('c')).unwrap();
    let (state, terminal) = tokio::time::timeout(Duration::from_secs(2), app)
        .await
        .expect("the app quits at once, whatever AWS is doing")
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(3),
        "took {elapsed:?}: the loop waited on AWS"
    );
    // The first ListClusters (5 s) had not returned: every key was handled during it.
    assert!(state.view().load().loaded_at.is_none());
    assert!(matches!(state.mode, Mode::Help { .. }));
    assert_eq!(state.view().filter(), Some("x"));
    let text = screen(&terminal);
    assert!(text.contains("Keys"), "the help overlay was drawn:\n{text}");
    assert!(
        text.contains("⟳ loading"),
        "the header says it is loading:\n{text}"
    );
}

/// The simulator, except that ListClusters panics the first `panics` times it is called: a bug in a worker.
struct PanickingApi {
    sim: Sim,
    panics: std::sync::atomic::AtomicUsize,
    answered: std::sync::atomic::AtomicUsize,
}

mod delegate {
    use super::PanickingApi;
    use ecsdeck::aws::*;
    use std::sync::atomic::Ordering;

    #[async_trait::async_trait]
    impl Api for PanickingApi {
        async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError> {
            if self
                .panics
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                panic!("injected: ListClusters blew up");
            }
            let page = self.sim.list_clusters(next_token).await;
            self.answered.fetch_add(1, Ordering::SeqCst);
            page
        }
        async fn describe_clusters(&self, c: &[String]) -> Result<Vec<Cluster>, ApiError> {
            self.sim.describe_clusters(c).await
        }
        async fn list_services(&self, c: &str, t: Option<String>) -> Result<Page, ApiError> {
            self.sim.list_services(c, t).await
        }
        async fn describe_services(&self, c: &str, s: &[String]) -> Result<Vec<Service>, ApiError> {
            self.sim.describe_services(c, s).await
        }
        async fn list_tasks(
            &self,
            c: &str,
            s: Option<&str>,
            d: DesiredStatus,
            t: Option<String>,
        ) -> Result<Page, ApiError> {
            self.sim.list_tasks(c, s, d, t).await
        }
        async fn describe_tasks(&self, c: &str, t: &[String]) -> Result<Vec<Task>, ApiError> {
            self.sim.describe_tasks(c, t).await
        }
        async fn describe_task_definition(&self, t: &str) -> Result<TaskDefinition, ApiError> {
            self.sim.describe_task_definition(t).await
        }
        async fn describe_log_groups(
            &self,
            p: Option<&str>,
            t: Option<String>,
        ) -> Result<LogGroupPage, ApiError> {
            self.sim.describe_log_groups(p, t).await
        }
        async fn describe_log_streams(
            &self,
            g: &str,
            p: Option<&str>,
            t: Option<String>,
        ) -> Result<LogStreamPage, ApiError> {
            self.sim.describe_log_streams(g, p, t).await
        }
        async fn filter_log_events(&self, r: &FilterRequest) -> Result<FilterPage, ApiError> {
            self.sim.filter_log_events(r).await
        }
        async fn get_log_events(
            &self,
            g: &str,
            s: &str,
            start: Option<Millis>,
            t: Option<String>,
        ) -> Result<StreamPage, ApiError> {
            self.sim.get_log_events(g, s, start, t).await
        }
        async fn start_live_tail(&self, r: &LiveTailRequest) -> Result<LiveTail, ApiError> {
            self.sim.start_live_tail(r).await
        }
        async fn get_metric_data(&self, r: &MetricRequest) -> Result<MetricPage, ApiError> {
            self.sim.get_metric_data(r).await
        }
        async fn describe_alarms(
            &self,
            s: Option<&str>,
            t: Option<String>,
        ) -> Result<AlarmPage, ApiError> {
            self.sim.describe_alarms(s, t).await
        }
        async fn describe_target_groups(&self, a: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
            self.sim.describe_target_groups(a).await
        }
        async fn describe_target_health(&self, a: &str) -> Result<Vec<TargetHealth>, ApiError> {
            self.sim.describe_target_health(a).await
        }
        async fn update_service(
            &self,
            r: &UpdateServiceRequest,
        ) -> Result<Mutated<Service>, ApiError> {
            self.sim.update_service(r).await
        }
        async fn list_task_definitions(
            &self,
            f: &str,
            t: Option<String>,
        ) -> Result<Page, ApiError> {
            self.sim.list_task_definitions(f, t).await
        }
        async fn list_service_deployments(
            &self,
            c: &str,
            s: &str,
        ) -> Result<Vec<ServiceDeploymentBrief>, ApiError> {
            self.sim.list_service_deployments(c, s).await
        }
        async fn describe_service_deployments(
            &self,
            a: &[String],
        ) -> Result<Vec<ServiceDeployment>, ApiError> {
            self.sim.describe_service_deployments(a).await
        }
        async fn describe_service_revisions(
            &self,
            a: &[String],
        ) -> Result<Vec<ServiceRevision>, ApiError> {
            self.sim.describe_service_revisions(a).await
        }
        async fn stop_service_deployment(&self, a: &str) -> Result<Mutated<String>, ApiError> {
            self.sim.stop_service_deployment(a).await
        }
        async fn describe_scalable_target(
            &self,
            c: &str,
            s: &str,
        ) -> Result<Option<ScalableTarget>, ApiError> {
            self.sim.describe_scalable_target(c, s).await
        }
        async fn register_scalable_target(
            &self,
            t: &ScalableTarget,
        ) -> Result<Mutated<()>, ApiError> {
            self.sim.register_scalable_target(t).await
        }
    }
}

/// Runs the whole loop on a TestBackend against `api`; returns the key sender and the running app.
fn start_app(
    api: Arc<dyn ecsdeck::aws::Api>,
) -> (
    tokio::sync::mpsc::UnboundedSender<ecsdeck::app::Msg>,
    tokio::task::JoinHandle<(ecsdeck::app::State, Terminal<TestBackend>)>,
) {
    let channels = Channels::new();
    let keys = channels.tx.clone();
    let app = tokio::spawn(async move {
        let mut terminal = Terminal::new(TestBackend::new(140, 30)).unwrap();
        let theme = Theme::builtin("dark").unwrap();
        let mut state = new_state();
        state.context.log_file = Some("/tmp/ecsdeck-test.log".into());
        let workers = Workers {
            restart_backoff: Duration::from_millis(20),
            ..Workers::default()
        };
        let state = run(&mut terminal, state, &theme, api, channels, workers)
            .await
            .unwrap();
        (state, terminal)
    });
    (keys, app)
}

async fn quit(
    keys: &tokio::sync::mpsc::UnboundedSender<ecsdeck::app::Msg>,
    app: tokio::task::JoinHandle<(ecsdeck::app::State, Terminal<TestBackend>)>,
) -> (ecsdeck::app::State, Terminal<TestBackend>) {
    keys.send(ctrl('c')).unwrap();
    tokio::time::timeout(Duration::from_secs(3), app)
        .await
        .expect("the app still quits")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_worker_is_said_on_screen_restarted_and_keys_still_work() {
    let api = Arc::new(PanickingApi {
        sim: Sim::new(SimOptions::default()),
        panics: 1.into(),
        answered: 0.into(),
    });
    let (keys, app) = start_app(api.clone());
    // The first ListClusters panics in the poller; the restarted poller loads the clusters. Keys are sent
    // all along: the loop answers them whatever the workers do.
    let deadline = Instant::now() + Duration::from_secs(10);
    while api.answered.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        keys.send(ch('?')).unwrap();
        keys.send(key(KeyCode::Esc)).unwrap();
        assert!(Instant::now() < deadline, "the worker was not restarted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (state, terminal) = quit(&keys, app).await;
    let fault = state.fault.as_ref().expect("the failure is kept on screen");
    assert_eq!(fault.worker, ecsdeck::workers::Worker::Poller);
    assert_eq!(fault.recovery, ecsdeck::app::state::Recovery::Restarted);
    let text = screen(&terminal);
    assert!(
        text.contains(
            "the refresh worker stopped: injected: ListClusters blew up — restarted — see /tmp/ecsdeck-test.log"
        ),
        "{text}"
    );
    // The restarted worker was asked again for the view on screen, and answered.
    assert!(state.view().load().loaded_at.is_some(), "{text}");
    assert!(text.contains("production"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_keeps_panicking_is_left_down_with_the_message_and_keys_still_work() {
    let api = Arc::new(PanickingApi {
        sim: Sim::new(SimOptions::default()),
        panics: 1_000.into(),
        answered: 0.into(),
    });
    let (keys, app) = start_app(api.clone());
    // 1 + 3 restarts (20, 40, 80 ms apart), then it stays down.
    let panicked = || 1_000 - api.panics.load(std::sync::atomic::Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(10);
    while panicked() < 4 {
        assert!(Instant::now() < deadline, "only {} panics", panicked());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(panicked(), 4, "restarted more than 3 times");
    keys.send(ch('?')).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (state, terminal) = quit(&keys, app).await;
    assert!(matches!(state.mode, Mode::Help { .. }), "keys still work");
    assert_eq!(
        state.fault.as_ref().map(|f| f.recovery),
        Some(ecsdeck::app::state::Recovery::GaveUp)
    );
    let _ = terminal;
}
