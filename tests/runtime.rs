//! The whole event loop on a TestBackend: keys are answered while every AWS call takes seconds.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::state::Mode;
use ecsdeck::runtime::Workers;
use ecsdeck::runtime::{Channels, run};
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
/// Returns the simulator and how many panics are left.
fn panicking_sim(panics: usize) -> (Arc<Sim>, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let sim = Arc::new(Sim::new(SimOptions::default()));
    let left = Arc::new(AtomicUsize::new(panics));
    let count = left.clone();
    sim.on_call(move |action| {
        if action == "ecs:ListClusters"
            && count
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            panic!("injected: ListClusters blew up");
        }
    });
    (sim, left)
}

/// Runs the whole loop on a TestBackend against `api`; returns the key sender and the running app.
fn start_app(
    api: Arc<dyn ecsdeck::aws::Api>,
) -> (
    tokio::sync::mpsc::UnboundedSender<ecsdeck::protocol::Msg>,
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
    keys: &tokio::sync::mpsc::UnboundedSender<ecsdeck::protocol::Msg>,
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
    let (api, left) = panicking_sim(1);
    let (keys, app) = start_app(api.clone());
    // ListClusters calls that got past the panic: answered.
    let answered = || {
        let calls = api
            .calls
            .list_clusters
            .load(std::sync::atomic::Ordering::SeqCst);
        calls - (1 - left.load(std::sync::atomic::Ordering::SeqCst)) as u64
    };
    // The first ListClusters panics in the poller; the restarted poller loads the clusters. Keys are sent
    // all along: the loop answers them whatever the workers do.
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered() == 0 {
        keys.send(ch('?')).unwrap();
        keys.send(key(KeyCode::Esc)).unwrap();
        assert!(Instant::now() < deadline, "the worker was not restarted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (state, terminal) = quit(&keys, app).await;
    let fault = state.fault.as_ref().expect("the failure is kept on screen");
    assert_eq!(fault.worker, ecsdeck::protocol::Worker::Poller);
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
    let (api, left) = panicking_sim(1_000);
    let (keys, app) = start_app(api);
    // 1 + 3 restarts (20, 40, 80 ms apart), then it stays down.
    let panicked = || 1_000 - left.load(std::sync::atomic::Ordering::SeqCst);
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
