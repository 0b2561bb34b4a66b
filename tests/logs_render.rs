//! Snapshots of the log view's states: waiting, following, paused with a search, wrapped and pretty JSON,
//! polling with throttles and sampling, nothing to tail, and a prompt's error.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::{State, update};
use ecsdeck::aws::ApiError;
use ecsdeck::model::logs::LogLine;
use ecsdeck::protocol::Msg;
use ecsdeck::protocol::{TailStatus, TailUpdate, Transport};
use std::sync::Arc;
use support::*;

fn send_log(state: &mut State, update_msg: TailUpdate) {
    let generation = state.generation;
    update(
        state,
        Msg::Log {
            generation,
            update: update_msg,
        },
    );
}

/// The `checkout` service's log view, 100 x 20.
fn opened() -> State {
    let mut state = on_production_service("checkout");
    state.width = 100;
    state.height = 20;
    update(&mut state, ch('l'));
    send_log(
        &mut state,
        TailUpdate::Resolved {
            sources: vec!["/ecs/production/checkout: ecs/checkout/*, ecs/log-router/*".into()],
            notes: vec![],
        },
    );
    state
}

const T0: i64 = NOW - 60_000;

fn sample_lines() -> Vec<LogLine> {
    let stream = |c: &str, t: &str| -> Arc<str> { Arc::from(format!("ecs/{c}/{t}")) };
    let old = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    let new = "f9e8d7c6b5a4938271605f4e3d2c1b0a";
    vec![
        LogLine::new(T0, stream("checkout", old), "INFO GET /api/v1/cart 200 12ms".into()),
        LogLine::new(T0 + 150, stream("checkout", new), r#"{"level":"info","msg":"request completed","path":"/api/v1/checkout","status":200,"duration_ms":31}"#.into()),
        LogLine::new(T0 + 150, stream("log-router", new), "[ info] [output:cloudwatch_logs] flushed 12 records".into()),
        LogLine::new(T0 + 900, stream("checkout", old), "WARN slow query on orders: 1830 ms".into()),
        LogLine::new(T0 + 1_200, stream("checkout", new), "ERROR upstream payments-api timed out after 5000 ms".into()),
        LogLine::new(T0 + 1_800, stream("checkout", new), "DEBUG cache hit ratio 0.93".into()),
        LogLine::new(T0 + 2_400, stream("checkout", old), "INFO GET /health 200 3ms".into()),
    ]
}

fn with_lines() -> State {
    let mut state = opened();
    send_log(
        &mut state,
        TailUpdate::Revisions {
            tasks: vec![
                (
                    "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
                    "checkout:41".into(),
                ),
                (
                    "f9e8d7c6b5a4938271605f4e3d2c1b0a".into(),
                    "checkout:42".into(),
                ),
            ],
            primary: Some("checkout:42".into()),
        },
    );
    send_log(&mut state, TailUpdate::Lines(sample_lines()));
    send_log(
        &mut state,
        TailUpdate::Status(TailStatus {
            transport: Transport::LiveTail,
            events_per_second: 3.5,
            sessions: 1,
            backfilled: true,
            ..TailStatus::default()
        }),
    );
    state
}

#[test]
fn log_view_waiting_for_the_first_lines() {
    insta::assert_snapshot!(text(&opened()));
}

#[test]
fn log_view_following() {
    insta::assert_snapshot!(text(&with_lines()));
}

#[test]
fn log_view_styles_dark() {
    insta::assert_snapshot!(styled(&with_lines(), "dark"));
}

#[test]
fn log_view_styles_light() {
    insta::assert_snapshot!(styled(&with_lines(), "light"));
}

#[test]
fn log_view_paused_on_a_search_match_while_lines_arrive() {
    let mut state = with_lines();
    update(&mut state, ch('/'));
    type_text(&mut state, "timed out");
    update(&mut state, key(KeyCode::Enter));
    let more = (0..3)
        .map(|i| {
            LogLine::new(
                T0 + 5_000 + i,
                Arc::from("ecs/checkout/0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
                format!("INFO later {i}"),
            )
        })
        .collect();
    send_log(&mut state, TailUpdate::Lines(more));
    let text = text(&state);
    assert!(
        text.contains("PAUSED · 3 new lines — G to jump to live"),
        "{text}"
    );
    insta::assert_snapshot!(text);
    insta::assert_snapshot!("paused_styles", styled(&state, "dark"));
}

#[test]
fn log_view_wrapped_with_pretty_json_and_filters_in_the_title() {
    let mut state = with_lines();
    update(&mut state, ch('w'));
    update(&mut state, ch('J'));
    update(&mut state, ch('i'));
    type_text(&mut state, "checkout|timed");
    update(&mut state, key(KeyCode::Enter));
    insta::assert_snapshot!(text(&state));
}

#[test]
fn log_view_polling_with_throttles_sampling_and_an_error() {
    let mut state = with_lines();
    send_log(
        &mut state,
        TailUpdate::Status(TailStatus {
            transport: Transport::Polling,
            fallback: Some(
                "Live Tail unavailable: logs:StartLiveTail denied: not authorized".into(),
            ),
            events_per_second: 812.0,
            throttles: 17,
            sampled_updates: 4,
            backfilled: true,
            error: Some(ApiError::Throttled {
                action: "logs:FilterLogEvents".into(),
                message: "Rate exceeded".into(),
            }),
            ..TailStatus::default()
        }),
    );
    state.width = 220;
    insta::assert_snapshot!(text(&state));
}

#[test]
fn log_view_with_nothing_to_tail_says_why() {
    let mut state = opened();
    send_log(
        &mut state,
        TailUpdate::Resolved {
            sources: vec![],
            notes: vec![
                "container checkout (checkout:42) logs with the splunk driver, not awslogs: not shown here".into(),
            ],
        },
    );
    send_log(
        &mut state,
        TailUpdate::Status(TailStatus {
            idle: Some(
                "nothing to tail: no container here logs to CloudWatch Logs (awslogs driver)"
                    .into(),
            ),
            backfilled: true,
            ..TailStatus::default()
        }),
    );
    insta::assert_snapshot!(text(&state));
}

#[test]
fn log_view_prompt_with_an_invalid_regex() {
    let mut state = with_lines();
    update(&mut state, ch('v'));
    type_text(&mut state, "a[b");
    update(&mut state, key(KeyCode::Enter));
    insta::assert_snapshot!(text(&state));
}

#[test]
fn when_filters_hide_every_held_line_the_view_says_so_and_esc_clears_them() {
    let mut state = with_lines();
    update(&mut state, ch('i'));
    type_text(&mut state, "zzzqqq");
    update(&mut state, key(KeyCode::Enter));
    let shown = text(&state);
    assert!(
        shown.contains("7 lines held, none match `i zzzqqq` — Esc clears"),
        "{shown}"
    );
    assert!(!shown.contains("no log lines"), "{shown}");
    insta::assert_snapshot!(shown);
    // Two filters at once are both named.
    update(&mut state, ch('v'));
    type_text(&mut state, "GET");
    update(&mut state, key(KeyCode::Enter));
    let shown = text(&state);
    assert!(
        shown.contains("none match `i zzzqqq` and `v GET` — Esc clears"),
        "{shown}"
    );
    // Esc clears the filters (the tail keeps running), a second Esc goes back.
    update(&mut state, key(KeyCode::Esc));
    let shown = text(&state);
    assert!(shown.contains("ERROR upstream payments-api"), "{shown}");
    assert!(!shown.contains("lines held"), "{shown}");
    update(&mut state, key(KeyCode::Esc));
    assert!(!text(&state).contains("logs: service checkout"));
}

#[test]
fn a_deployment_filter_with_no_lines_says_which_deployment() {
    let mut state = with_lines();
    // checkout:42 first, then checkout:41, then all: pick a revision with no lines by forgetting its tasks.
    update(&mut state, ch('D'));
    send_log(
        &mut state,
        TailUpdate::Revisions {
            tasks: vec![
                (
                    "0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
                    "checkout:41".into(),
                ),
                (
                    "f9e8d7c6b5a4938271605f4e3d2c1b0a".into(),
                    "checkout:41".into(),
                ),
            ],
            primary: Some("checkout:42".into()),
        },
    );
    let shown = text(&state);
    assert!(
        shown.contains("7 lines held, none match `D` deployment checkout:42 — Esc clears"),
        "{shown}"
    );
}

/// Stream names and messages that are not ASCII: CJK (3 bytes, 2 cells a character), emoji (4 bytes),
/// combining marks (0 cells), right-to-left text, at every size down to 1x1, in every display mode.
#[test]
fn non_ascii_stream_names_and_messages_render_at_every_size() {
    let names = [
        "app/web/日本語のタスク名前です",
        "app/日本語/abc",
        "ecs/web/🦀🦀🦀🦀🦀🦀",
        "ecs/e\u{301}\u{301}\u{301}/a\u{301}b\u{301}c\u{301}d\u{301}e\u{301}",
        "ecs/ווב/שלוםעולםשלום",
        "ecs/web/ab",
        "日本語",
        "/",
        "",
    ];
    let messages = [
        "ERROR 接続がタイムアウトしました 🦀 after 5000 ms",
        r#"{"level":"warn","msg":"مرحبا بالعالم","emoji":"👩‍👩‍👧‍👦"}"#,
        "INFO e\u{301}\u{302}\u{303} combining ok",
        "\u{202e}reversed\u{202c} tab\there",
        "",
    ];
    let mut state = with_lines();
    let batch: Vec<LogLine> = names
        .iter()
        .enumerate()
        .flat_map(|(i, name)| {
            messages.iter().enumerate().map(move |(j, m)| {
                LogLine::new(
                    T0 + 3_000 + (i * 10 + j) as i64,
                    Arc::from(*name),
                    (*m).into(),
                )
            })
        })
        .collect();
    send_log(&mut state, TailUpdate::Lines(batch));
    update(&mut state, ch('/'));
    type_text(&mut state, "タイム|🦀|ok");
    update(&mut state, key(KeyCode::Enter));
    for toggles in ["", "w", "J", "t", "wJ", "k"] {
        for c in toggles.chars() {
            update(&mut state, ch(c));
        }
        for (w, h) in [(200, 50), (80, 24), (40, 10), (20, 6), (1, 1)] {
            state.width = w;
            state.height = h;
            let _ = text(&state);
        }
    }
    update(&mut state, ch('G'));
    state.width = 120;
    state.height = 80;
    let shown = text(&state);
    // The task column holds the first 8 cells of the task id, never half a character (the test backend
    // shows a wide character's second cell as a space).
    assert!(shown.contains("│日 本 語 の  web "), "{shown}");
    assert!(shown.contains("│🦀 🦀 🦀 🦀  web "), "{shown}");
    assert!(shown.contains("│ab       web "), "{shown}");
}

#[test]
fn a_paused_view_fills_a_terminal_that_grew() {
    let mut state = with_lines();
    state.width = 60;
    state.height = 8;
    update(&mut state, ch('k'));
    state.width = 100;
    state.height = 20;
    let shown = text(&state);
    // All seven lines fit now: the first is on screen, not a blank screen below the last three.
    assert!(shown.contains("INFO GET /api/v1/cart 200 12ms"), "{shown}");
    assert!(shown.contains("INFO GET /health 200 3ms"), "{shown}");
}

#[test]
fn a_long_include_filter_is_shortened_so_esc_clears_stays_on_screen() {
    for (width, height) in [(120u16, 40u16), (80, 24), (40, 10)] {
        let mut state = with_lines();
        state.width = width;
        state.height = height;
        update(&mut state, ch('i'));
        let long: String = "abcdefghij".repeat(100);
        update(&mut state, ecsdeck::protocol::Msg::Paste(long.clone()));
        update(&mut state, key(KeyCode::Enter));
        let shown = text(&state);
        let joined = joined(&shown);
        assert!(
            joined.contains("7 lines held, none match `i abcdefg"),
            "{width}x{height}:\n{shown}"
        );
        assert!(
            joined.contains("…` — Esc clears"),
            "{width}x{height}:\n{shown}"
        );
        assert!(
            !joined.contains(&long),
            "{width}x{height}: the filter is shortened"
        );
    }
}
