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
