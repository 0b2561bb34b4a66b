//! Every key in every view: each view is built in the states that matter (loading, loaded, empty, failed,
//! with an overlay, a prompt or a dialog open) by the real workers against the still simulator; then every key
//! of the keymap, and every other key a hand or a paste can produce, is sent to a copy of it and the result is
//! drawn at 200x50, 80x24, 40x10, 20x6 and 1x1. Nothing may panic and the state's invariants must hold.
//! A property test then runs random key sequences (with resizes, ticks and pastes) from random views.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecsdeck::app::state::Mode;
use ecsdeck::app::{State, View, update};
use ecsdeck::aws::ApiError;
use ecsdeck::keymap::BINDINGS;
use ecsdeck::model::logs::LogLine;
use ecsdeck::protocol::TailUpdate;
use ecsdeck::protocol::{DataUpdate, Effect, Msg};
use ecsdeck::runtime::Workers;
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ecsdeck::workers::actions::{Executor, ExecutorConfig};
use ecsdeck::workers::clock::now_ms;
use ecsdeck::workers::metrics::MetricsWorker;
use ecsdeck::workers::poll::{PollConfig, Poller};
use ecsdeck::workers::tail::{Pacer, Tailer};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use support::{ch, ctrl, key};
use tokio::sync::mpsc;

const SIZES: [(u16, u16); 5] = [(200, 50), (80, 24), (40, 10), (20, 6), (1, 1)];

/// Text that has broken terminal apps: CJK (two cells wide), emoji with a joiner, right-to-left with an
/// override, combining marks, a zero-width space, and control characters.
const HOSTILE: &str =
    "日本語テキスト 👩‍💻🔥 עברית\u{202E}abc\u{202C} e\u{301}\u{302} \u{200B}x\u{7}\u{1b}[31m\t";

/// Every key a user can send: the keymap's, and the rest of the keyboard.
fn every_key() -> Vec<Msg> {
    let mut keys: Vec<Msg> = Vec::new();
    for binding in BINDINGS {
        for k in binding.keys {
            let modifiers = if k.ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            };
            keys.push(Msg::Key(KeyEvent::new(k.code, modifiers)));
        }
    }
    for code in [
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::F(1),
        KeyCode::F(5),
    ] {
        keys.push(key(code));
    }
    for c in ('0'..='9').chain('a'..='z').chain('A'..='Z') {
        keys.push(ch(c));
    }
    for c in " `~!@#$%^&*()-_=+[]{};:'\",.<>/?\\|".chars() {
        keys.push(ch(c));
    }
    for c in HOSTILE.chars() {
        keys.push(ch(c));
    }
    for c in "aeuwkdhlrbfnpyz".chars() {
        keys.push(ctrl(c));
    }
    keys.push(Msg::Key(KeyEvent::new(
        KeyCode::Char('x'),
        KeyModifiers::ALT,
    )));
    keys.push(Msg::Key(KeyEvent::new(KeyCode::Left, KeyModifiers::ALT)));
    keys.push(Msg::Paste(HOSTILE.into()));
    keys.push(Msg::Paste(paste_text()));
    keys.push(ctrl('c'));
    keys
}

/// 10 KB of text with line breaks and the hostile characters.
fn paste_text() -> String {
    let mut text = String::new();
    while text.len() < 10 * 1024 {
        text.push_str("payments web:42 ");
        text.push_str(HOSTILE);
        text.push('\n');
    }
    text
}

/// A 10 KB paste two ways: bracketed (one `Paste` message), and as a terminal without bracketed paste
/// delivers it, one key per character (its line breaks arrive as Enter).
fn pastes() -> Vec<(&'static str, Vec<Msg>)> {
    let text = paste_text();
    let keys = text
        .chars()
        .map(|c| match c {
            '\n' => key(KeyCode::Enter),
            c => ch(c),
        })
        .collect();
    vec![("bracketed", vec![Msg::Paste(text)]), ("plain", keys)]
}

/// What must hold after any key.
fn check_invariants(state: &State, what: &str) {
    assert!(
        !state.stack.is_empty(),
        "{what}: the navigation stack is empty"
    );
    let in_range = |len: usize, selected: usize, offset: usize| {
        assert!(
            (len == 0 && selected == 0) || selected < len,
            "{what}: selection {selected} out of {len} rows"
        );
        assert!(
            offset <= len,
            "{what}: first row drawn {offset} past {len} rows"
        );
    };
    for view in &state.stack {
        match view {
            View::Clusters(l) => in_range(l.visible.len(), l.selected, l.offset),
            View::Services { list, .. } => in_range(list.visible.len(), list.selected, list.offset),
            View::Tasks { list, .. } => in_range(list.visible.len(), list.selected, list.offset),
            View::LogGroups { list, .. } => {
                in_range(list.visible.len(), list.selected, list.offset)
            }
            _ => {}
        }
    }
    if let Mode::Dialog(_) = &state.mode {
        // One dialog at a time is the type's promise; a dialog must belong to a view that can act.
        assert!(
            state.dialog_seq > 0,
            "{what}: a dialog is open without an id"
        );
    }
}

fn draw_at(state: &State, theme: &Theme, width: u16, height: u16, what: &str) {
    let mut sized = state.clone();
    update(&mut sized, Msg::Resize { width, height });
    check_invariants(&sized, what);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ecsdeck::ui::render(frame, &sized, theme))
        .unwrap_or_else(|e| panic!("{what}: drawing at {width}x{height} failed: {e}"));
}

/// The real workers against a still simulator, fed back into the reducer until a view is ready.
struct Harness {
    state: State,
    rx: mpsc::UnboundedReceiver<Msg>,
    poller: Poller,
    executor: Executor,
    metrics: MetricsWorker,
    tailer: Tailer,
}

impl Harness {
    fn new(sim: Arc<Sim>) -> Harness {
        let (tx, rx) = mpsc::unbounded_channel();
        let workers = Workers::default();
        let poller = Poller::spawn(
            sim.clone(),
            tx.clone(),
            PollConfig {
                refresh: Duration::from_secs(3600),
                pause_per_call: Duration::ZERO,
                ..PollConfig::default()
            },
        );
        let metrics_tx = tx.clone();
        let metrics = MetricsWorker::spawn(
            sim.clone(),
            workers.metrics,
            Box::new(move |generation, update| {
                let _ = metrics_tx.send(Msg::Metrics { generation, update });
            }),
        );
        let log_tx = tx.clone();
        let tailer = Tailer::spawn(
            sim.clone(),
            Arc::new(Pacer::new(100.0)),
            workers.tail,
            Box::new(move |generation, update| {
                let _ = log_tx.send(Msg::Log { generation, update });
            }),
        );
        let executor = Executor::new(
            sim,
            tx,
            ExecutorConfig {
                read_only: false,
                audit_log: None,
                profile: "prod".into(),
                region: "eu-west-1".into(),
            },
        );
        let mut state = State::new(support::context(), now_ms(), 120, 40);
        let effects = ecsdeck::app::update::start(&mut state);
        let mut h = Harness {
            state,
            rx,
            poller,
            executor,
            metrics,
            tailer,
        };
        h.route(effects);
        h
    }

    fn route(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Watch { scope, generation } => self.poller.watch(scope, generation),
                Effect::Tail {
                    request,
                    generation,
                } => self.tailer.tail(request, generation),
                Effect::Metrics {
                    request,
                    generation,
                } => self.metrics.watch(request, generation),
                Effect::Fetch { id, fetch } => self.executor.fetch(id, fetch),
                Effect::Execute { .. } => panic!("fixtures never execute an action"),
                _ => {}
            }
        }
    }

    fn press(&mut self, msg: Msg) {
        let effects = update(&mut self.state, msg);
        self.route(effects);
    }

    fn typed(&mut self, text: &str) {
        for c in text.chars() {
            self.press(ch(c));
        }
    }

    /// Feeds the workers' messages to the reducer until `done` holds.
    async fn until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !done(&self.state) {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out building the fixture: {what}"))
                .expect("workers alive");
            let effects = update(&mut self.state, msg);
            self.route(effects);
        }
    }

    /// Lets whatever is in flight land for a moment (no condition to wait for).
    async fn settle(&mut self, time: Duration) {
        let deadline = tokio::time::Instant::now() + time;
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            let effects = update(&mut self.state, msg);
            self.route(effects);
        }
    }
}

fn loaded(state: &State) -> bool {
    state.view().load().loaded_at.is_some() && !state.view().load().loading
}

fn failed(state: &State) -> State {
    let mut state = state.clone();
    let at = state.now;
    support::send(
        &mut state,
        DataUpdate::Failed {
            error: ApiError::AccessDenied {
                action: "ecs:ListServices".into(),
                message: "User: arn:aws:iam::123456789012:user/oncall is not authorized".into(),
            },
            at,
        },
    );
    state
}

/// On production's services, `service` selected by filtering, then the filter cleared.
async fn on_service(h: &mut Harness, service: &str) {
    h.press(ch('/'));
    h.typed(service);
    h.press(key(KeyCode::Enter));
}

/// Every view in the states that matter, built by the real workers.
async fn build_fixtures() -> Vec<(String, State)> {
    let sim = Arc::new(Sim::new(SimOptions {
        latency: Duration::ZERO,
        epoch_ms: now_ms(),
        ..SimOptions::default()
    }));
    let mut out: Vec<(String, State)> = Vec::new();
    let mut h = Harness::new(sim.clone());
    out.push(("clusters loading".into(), h.state.clone()));
    h.until("clusters", loaded).await;
    out.push(("clusters".into(), h.state.clone()));
    out.push(("clusters failed".into(), failed(&h.state)));
    {
        let mut empty = h.state.clone();
        support::deliver(&mut empty, ecsdeck::protocol::Rows::Clusters(vec![]));
        out.push(("clusters empty".into(), empty));
    }
    let mut help = h.state.clone();
    update(&mut help, ch('?'));
    out.push(("help".into(), help));

    // production (sorted by name: batch-ec2, production, staging).
    h.press(ch('j'));
    h.press(key(KeyCode::Enter));
    out.push(("services loading".into(), h.state.clone()));
    h.until("services", loaded).await;
    out.push(("services".into(), h.state.clone()));
    out.push(("services stale".into(), failed(&h.state)));
    let mut filtering = h.state.clone();
    update(&mut filtering, ch('/'));
    support::type_text(&mut filtering, "pay");
    out.push(("filter prompt".into(), filtering.clone()));
    support::type_text(&mut filtering, "zzz");
    update(&mut filtering, key(KeyCode::Enter));
    out.push(("services filtered to nothing".into(), filtering));
    let mut command = h.state.clone();
    update(&mut command, ch(':'));
    support::type_text(&mut command, "serv");
    out.push(("command prompt".into(), command));
    let mut raw = h.state.clone();
    update(&mut raw, ch('y'));
    out.push(("raw JSON".into(), raw));

    on_service(&mut h, "payments").await;
    let services = h.state.clone();

    // Dialogs on payments: scale (autoscaling looked up), force, roll back (revisions looked up), stop.
    h.press(ch('S'));
    h.settle(Duration::from_millis(300)).await;
    out.push(("scale dialog".into(), h.state.clone()));
    h.press(key(KeyCode::Esc));
    h.press(ch('F'));
    out.push(("force dialog".into(), h.state.clone()));
    h.press(key(KeyCode::Esc));
    h.press(ch('R'));
    h.settle(Duration::from_millis(300)).await;
    out.push(("rollback dialog".into(), h.state.clone()));
    h.press(key(KeyCode::Esc));
    h.press(ch('X'));
    h.settle(Duration::from_millis(300)).await;
    out.push(("stop deployment dialog".into(), h.state.clone()));
    h.press(key(KeyCode::Esc));

    // Charts of payments.
    h.press(ch('m'));
    out.push(("charts loading".into(), h.state.clone()));
    h.until("charts", |s| match s.view() {
        View::Metrics(v) => v.fetched_at.is_some(),
        _ => false,
    })
    .await;
    out.push(("charts".into(), h.state.clone()));
    {
        let mut broken = h.state.clone();
        if let View::Metrics(v) = broken.stack.last_mut().expect("a view") {
            v.data_error = Some(ApiError::Throttled {
                action: "cloudwatch:GetMetricData".into(),
                message: "Rate exceeded".into(),
            });
        }
        out.push(("charts failed".into(), broken));
    }
    h.press(key(KeyCode::Esc));

    // Details of payments (with its charts pane).
    h.state = services.clone();
    h.press(ch('d'));
    h.until("service details", loaded).await;
    h.settle(Duration::from_millis(200)).await;
    out.push(("service details".into(), h.state.clone()));

    // The deploy watch screen.
    h.press(ch('W'));
    h.until("watch screen", |s| match s.view() {
        View::Deploy(v) => v.snapshot.is_some(),
        _ => false,
    })
    .await;
    out.push(("watch screen".into(), h.state.clone()));

    // Logs of payments: lines, and a prompt open.
    h.press(ch('l'));
    h.settle(Duration::from_millis(1500)).await;
    out.push(("logs".into(), h.state.clone()));
    {
        // Stream names and messages are any UTF-8: CJK task ids, emoji, RTL, long JSON, empty lines.
        let mut hostile = h.state.clone();
        let generation = hostile.generation;
        let at = hostile.now;
        let lines = [
            ("app/web/日本語タスク", HOSTILE.to_string()),
            (
                "app/👩‍💻/é\u{301}",
                format!("{{\"msg\":\"{HOSTILE}\",\"n\":1}}"),
            ),
            ("x", String::new()),
            ("app/web/ab", "ERROR ".repeat(500)),
            (
                "a/b/\u{202E}123456789",
                "\u{1b}[2J\u{7}bell and clear".into(),
            ),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, (stream, message))| {
            LogLine::new(at - 1000 + i as i64, Arc::from(stream), message)
        })
        .collect();
        update(
            &mut hostile,
            Msg::Log {
                generation,
                update: TailUpdate::Lines(lines),
            },
        );
        out.push(("logs with hostile text".into(), hostile));
    }
    let mut include = h.state.clone();
    update(&mut include, ch('i'));
    support::type_text(&mut include, "error|timeout");
    out.push(("logs include prompt".into(), include));
    let mut searching = h.state.clone();
    update(&mut searching, ch('/'));
    support::type_text(&mut searching, "GET");
    out.push(("logs search prompt".into(), searching));
    h.press(key(KeyCode::Esc));

    // Tasks of payments, a task's details.
    h.state = services;
    h.press(key(KeyCode::Enter));
    h.until("tasks", loaded).await;
    out.push(("tasks of a service".into(), h.state.clone()));
    h.press(key(KeyCode::Enter));
    h.until("task details", loaded).await;
    out.push(("task details".into(), h.state.clone()));

    // All tasks of the cluster, and the log groups.
    h.press(ch(':'));
    h.typed("tasks");
    h.press(key(KeyCode::Enter));
    h.until("cluster tasks", loaded).await;
    out.push(("tasks of a cluster".into(), h.state.clone()));
    h.press(ch(':'));
    h.typed("loggroups");
    h.press(key(KeyCode::Enter));
    h.until("log groups", loaded).await;
    out.push(("log groups".into(), h.state.clone()));
    out.push(("log groups failed".into(), failed(&h.state)));
    out
}

fn fixtures() -> &'static [(String, State)] {
    static FIXTURES: OnceLock<Vec<(String, State)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(build_fixtures())
    })
}

#[test]
fn the_fixtures_reach_every_view_and_state() {
    let names: Vec<&str> = fixtures().iter().map(|(n, _)| n.as_str()).collect();
    let is = |name: &str, pred: &dyn Fn(&State) -> bool| {
        let (_, state) = fixtures()
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no fixture {name}: {names:?}"));
        assert!(pred(state), "fixture {name} is not what it says");
    };
    is(
        "clusters",
        &|s| matches!(s.view(), View::Clusters(l) if !l.rows.is_empty()),
    );
    is(
        "services",
        &|s| matches!(s.view(), View::Services { list, .. } if list.rows.len() > 10),
    );
    is("services stale", &|s| s.view().load().is_stale());
    is("help", &|s| matches!(s.mode, Mode::Help { .. }));
    is("raw JSON", &|s| matches!(s.mode, Mode::Raw { .. }));
    is("filter prompt", &|s| matches!(s.mode, Mode::Filter { .. }));
    is("command prompt", &|s| {
        matches!(s.mode, Mode::Command { .. })
    });
    for dialog in ["scale dialog", "force dialog", "rollback dialog"] {
        is(dialog, &|s| matches!(s.mode, Mode::Dialog(_)));
    }
    is(
        "charts",
        &|s| matches!(s.view(), View::Metrics(v) if !v.charts.is_empty()),
    );
    is(
        "service details",
        &|s| matches!(s.view(), View::Service { detail, .. } if detail.data.is_some()),
    );
    is(
        "task details",
        &|s| matches!(s.view(), View::Task { detail, .. } if detail.data.is_some()),
    );
    is(
        "watch screen",
        &|s| matches!(s.view(), View::Deploy(v) if v.snapshot.is_some()),
    );
    is("logs", &|s| matches!(s.view(), View::Logs(_)));
    is("logs include prompt", &|s| {
        matches!(s.mode, Mode::Prompt { .. })
    });
    is(
        "tasks of a service",
        &|s| matches!(s.view(), View::Tasks { list, .. } if !list.rows.is_empty()),
    );
    is(
        "log groups",
        &|s| matches!(s.view(), View::LogGroups { list, .. } if !list.rows.is_empty()),
    );
}

/// Every key on a copy of each fixture, drawn at every size. Split in two tests so both cores work.
fn every_key_on(fixtures: &[(String, State)]) {
    let theme = Theme::builtin("dark").expect("dark theme");
    let keys = every_key();
    for (name, fixture) in fixtures {
        for (width, height) in SIZES {
            draw_at(fixture, &theme, width, height, &format!("{name} as built"));
        }
        for msg in &keys {
            let mut state = fixture.clone();
            let what = format!("{name}, after {msg:?}");
            update(&mut state, msg.clone());
            check_invariants(&state, &what);
            for (width, height) in SIZES {
                draw_at(&state, &theme, width, height, &what);
            }
        }
    }
}

#[test]
fn every_key_in_every_view_at_every_size_first_half() {
    let all = fixtures();
    every_key_on(&all[..all.len() / 2]);
}

#[test]
fn every_key_in_every_view_at_every_size_second_half() {
    let all = fixtures();
    every_key_on(&all[all.len() / 2..]);
}

#[test]
fn all_keys_in_a_row_then_a_10kb_paste_in_every_view() {
    let theme = Theme::builtin("light").expect("light theme");
    let keys = every_key();
    let pastes = pastes();
    for (name, fixture) in fixtures() {
        let mut state = fixture.clone();
        for (i, msg) in keys.iter().enumerate() {
            update(&mut state, msg.clone());
            let what = format!("{name}, key {i} of the run ({msg:?})");
            check_invariants(&state, &what);
            let (width, height) = SIZES[i % SIZES.len()];
            draw_at(&state, &theme, width, height, &what);
        }
        // Into whatever is open now, and into the view's own text input.
        for (opener, (how, paste)) in [None, Some(ch('/')), Some(ch(':'))]
            .into_iter()
            .flat_map(|o| pastes.iter().map(move |p| (o.clone(), p)))
        {
            let mut state = fixture.clone();
            if let Some(open) = opener.clone() {
                update(&mut state, open);
            }
            for msg in paste {
                update(&mut state, msg.clone());
            }
            let what = format!("{name}, a 10 KB {how} paste after {opener:?}");
            check_invariants(&state, &what);
            for (width, height) in SIZES {
                draw_at(&state, &theme, width, height, &what);
            }
            // Keys after a paste are acted on at once: Esc closes whatever the paste left open.
            for _ in 0..3 {
                update(&mut state, key(KeyCode::Esc));
            }
            assert!(
                matches!(state.mode, Mode::Normal),
                "{what}: Esc did not close {:?}",
                std::mem::discriminant(&state.mode)
            );
        }
    }
}

/// One step of a random session.
#[derive(Debug, Clone)]
enum Step {
    Key(usize),
    Resize(u16, u16),
    Tick(i64),
    Paste(String),
}

fn step() -> impl Strategy<Value = Step> {
    let n = every_key().len();
    prop_oneof![
        8 => (0..n).prop_map(Step::Key),
        1 => (0u16..260, 0u16..80).prop_map(|(w, h)| Step::Resize(w, h)),
        1 => (0i64..120_000).prop_map(Step::Tick),
        1 => "\\PC{0,300}".prop_map(Step::Paste),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn random_key_sequences_never_panic_and_keep_the_invariants(
        start in 0usize..64,
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let theme = Theme::builtin("dark").expect("dark theme");
        let keys = every_key();
        let all = fixtures();
        let (name, fixture) = &all[start % all.len()];
        let mut state = fixture.clone();
        let (mut width, mut height) = (80u16, 24u16);
        for (i, step) in steps.iter().enumerate() {
            match step {
                Step::Key(k) => {
                    update(&mut state, keys[*k].clone());
                }
                Step::Resize(w, h) => {
                    (width, height) = (*w, *h);
                    update(&mut state, Msg::Resize { width, height });
                }
                Step::Tick(ms) => {
                    let now_ms = state.now + ms;
                    update(&mut state, Msg::Tick { now_ms });
                }
                Step::Paste(text) => {
                    update(&mut state, Msg::Paste(text.clone()));
                }
            }
            let what = format!("{name}, step {i}: {step:?}");
            check_invariants(&state, &what);
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            terminal
                .draw(|frame| ecsdeck::ui::render(frame, &state, &theme))
                .unwrap_or_else(|e| panic!("{what}: {e}"));
        }
    }
}
