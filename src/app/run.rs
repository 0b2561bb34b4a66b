//! The event loop: messages in, `update()`, effects out to the workers, draw when something changed.
//! It never awaits AWS: the poller runs on its own tasks and reports through the same channel as the keys.

use super::effect::Effect;
use super::msg::Msg;
use super::state::State;
use super::update::{start, update};
use crate::aws::Api;
use crate::theme::Theme;
use crate::workers::actions::{Executor, ExecutorConfig};
use crate::workers::metrics::{MetricsConfig, MetricsWorker};
use crate::workers::poll::{PollConfig, Poller, now_ms};
use crate::workers::tail::{Pacer, TailConfig, Tailer};
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// At most this often while data streams in; keys and resizes draw at once.
const FRAME: Duration = Duration::from_millis(33);
/// Messages handled before a draw at most, so a flood of results cannot starve the screen.
const MAX_BATCH: usize = 1024;

/// Set by `main` as its first act, so the first frame's latency can be logged (and benchmarked).
pub static PROCESS_START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

pub struct Channels {
    pub tx: mpsc::UnboundedSender<Msg>,
    pub rx: mpsc::UnboundedReceiver<Msg>,
}

impl Channels {
    pub fn new() -> Channels {
        let (tx, rx) = mpsc::unbounded_channel();
        Channels { tx, rx }
    }
}

impl Default for Channels {
    fn default() -> Self {
        Self::new()
    }
}

/// Spawns the clock: one `Tick` a second.
pub fn spawn_ticker(tx: mpsc::UnboundedSender<Msg>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if tx.send(Msg::Tick { now_ms: now_ms() }).is_err() {
                return;
            }
        }
    })
}

/// How the workers behave: refresh pacing, and the log tail with its FilterLogEvents budget.
#[derive(Clone)]
pub struct Workers {
    pub poll: PollConfig,
    pub tail: TailConfig,
    /// FilterLogEvents calls per second for the whole process (AWS allows 10 per account in most regions).
    pub filter_rate: f64,
    pub metrics: MetricsConfig,
    /// Read-only refusal, the audit log, and who is acting (for the audit log).
    pub actions: ExecutorConfig,
}

impl Default for Workers {
    fn default() -> Self {
        Workers {
            poll: PollConfig::default(),
            tail: TailConfig::default(),
            filter_rate: 3.0,
            metrics: MetricsConfig::default(),
            actions: ExecutorConfig::default(),
        }
    }
}

/// Copies to the terminal's clipboard with OSC 52 (works over SSH and in tmux with set-clipboard on).
fn copy_to_clipboard(text: &str) {
    use base64::Engine;
    use std::io::{IsTerminal, Write};
    let mut out = std::io::stdout();
    if out.is_terminal() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        let _ = write!(out, "\x1b]52;c;{encoded}\x07");
        let _ = out.flush();
    }
}

/// Writes a file away from the event loop and reports back.
fn save(path: String, text: String, tx: mpsc::UnboundedSender<Msg>) {
    tokio::task::spawn_blocking(move || {
        let lines = text.lines().count();
        let result = std::fs::write(&path, text)
            .map(|_| {
                let shown = std::fs::canonicalize(&path)
                    .map(|p| p.display().to_string())
                    .unwrap_or(path.clone());
                format!("saved {lines} lines to {shown}")
            })
            .map_err(|e| format!("cannot save to {path}: {e}"));
        let _ = tx.send(Msg::Saved(result));
    });
}

/// Runs until the user quits; returns the final state (tests inspect it).
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut state: State,
    theme: &Theme,
    api: Arc<dyn Api>,
    channels: Channels,
    workers: Workers,
) -> Result<State, B::Error> {
    let Channels { tx, mut rx } = channels;
    let poller = Poller::spawn(api.clone(), tx.clone(), workers.poll);
    let log_tx = tx.clone();
    let metrics_tx = tx.clone();
    let metrics = MetricsWorker::spawn(
        api.clone(),
        workers.metrics,
        Box::new(move |generation, update| {
            let _ = metrics_tx.send(Msg::Metrics { generation, update });
        }),
    );
    let executor = Executor::new(api.clone(), tx.clone(), workers.actions.clone());
    let tailer = Tailer::spawn(
        api,
        Arc::new(Pacer::new(workers.filter_rate)),
        workers.tail,
        Box::new(move |generation, update| {
            let _ = log_tx.send(Msg::Log { generation, update });
        }),
    );
    let save_tx = tx.clone();
    let ticker = spawn_ticker(tx);
    let draw = |terminal: &mut Terminal<B>, state: &State| {
        terminal
            .draw(|frame| crate::ui::render(frame, state, theme))
            .map(|_| ())
    };

    // Effects for the workers go to them; the rest come back for the loop to act on.
    let route = |effect: Effect| -> Option<Effect> {
        match effect {
            Effect::Watch { scope, generation } => poller.watch(scope, generation),
            Effect::Tail {
                request,
                generation,
            } => tailer.tail(request, generation),
            Effect::Metrics {
                request,
                generation,
            } => metrics.watch(request, generation),
            Effect::Fetch { id, fetch } => executor.fetch(id, fetch),
            Effect::Execute { id, plan } => executor.execute(id, plan),
            other => return Some(other),
        }
        None
    };
    for effect in start(&mut state) {
        route(effect);
    }
    draw(terminal, &state)?;
    if let Some(started) = PROCESS_START.get() {
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "first frame drawn"
        );
    }
    let mut last_draw = Instant::now();
    let mut dirty = false;

    loop {
        let next = if dirty {
            match tokio::time::timeout_at((last_draw + FRAME).into(), rx.recv()).await {
                Ok(msg) => msg,
                Err(_) => {
                    draw(terminal, &state)?;
                    last_draw = Instant::now();
                    dirty = false;
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(first) = next else { break };
        let mut urgent = false;
        let mut effects = Vec::new();
        let mut msg = Some(first);
        let mut handled = 0;
        while let Some(m) = msg.take() {
            urgent |= matches!(m, Msg::Key(_) | Msg::Resize { .. });
            effects.extend(update(&mut state, m));
            handled += 1;
            if handled < MAX_BATCH {
                msg = rx.try_recv().ok();
            }
        }
        for effect in effects.into_iter().filter_map(route) {
            match effect {
                Effect::Quit => {
                    ticker.abort();
                    return Ok(state);
                }
                Effect::Copy(text) => copy_to_clipboard(&text),
                Effect::Save { path, text } => save(path, text, save_tx.clone()),
                Effect::Watch { .. }
                | Effect::Tail { .. }
                | Effect::Metrics { .. }
                | Effect::Fetch { .. }
                | Effect::Execute { .. } => {}
            }
        }
        dirty = true;
        if urgent || last_draw.elapsed() >= FRAME {
            draw(terminal, &state)?;
            last_draw = Instant::now();
            dirty = false;
        }
    }
    ticker.abort();
    Ok(state)
}
