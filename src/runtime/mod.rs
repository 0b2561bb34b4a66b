//! The runtime: the impure edge, and the only module that knows both the reducer and the workers. The event
//! loop (messages in, `update()`, effects out to the workers, draw when something changed), starting and
//! restarting the workers, the clipboard and files, and the terminal with its signals ([`terminal`]).
//! It never awaits AWS: the poller runs on its own tasks and reports through the same channel as the keys.

pub mod terminal;

use crate::app::State;
use crate::app::update::{start, update};
use crate::aws::Api;
use crate::protocol::Effect;
use crate::protocol::Msg;
use crate::protocol::Worker;
use crate::theme::Theme;
use crate::workers::actions::{Executor, ExecutorConfig};
use crate::workers::metrics::{MetricsConfig, MetricsWorker};
use crate::workers::poll::{PollConfig, Poller};
use crate::workers::supervised;
use crate::workers::tail::{Pacer, TailConfig, Tailer};
use crate::workers::ticker::spawn_ticker;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// At most this often while data streams in; keys and resizes draw at once.
const FRAME: Duration = Duration::from_millis(33);
/// Messages handled before a draw at most, so a flood of results cannot starve the screen.
const MAX_BATCH: usize = 1024;
/// A worker that panics this many times is left down (with the message on screen) rather than restarted
/// into the same panic forever.
const MAX_RESTARTS: u32 = 3;

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
    /// The pause before a panicked worker is started again; it doubles with each restart.
    pub restart_backoff: Duration,
}

impl Default for Workers {
    fn default() -> Self {
        Workers {
            poll: PollConfig::default(),
            tail: TailConfig::default(),
            filter_rate: 3.0,
            metrics: MetricsConfig::default(),
            actions: ExecutorConfig::default(),
            restart_backoff: Duration::from_secs(1),
        }
    }
}

/// Whether the view shows what it was opened for (rows, a loaded detail, log lines), or an answer that there
/// is none, rather than its empty skeleton.
fn shows_data(view: &crate::app::View) -> bool {
    use crate::app::View;
    match view {
        View::Clusters(l) => !l.visible.is_empty() || l.load.loaded_at.is_some(),
        View::Services { list, .. } => !list.visible.is_empty() || list.load.loaded_at.is_some(),
        View::Tasks { list, .. } => !list.visible.is_empty() || list.load.loaded_at.is_some(),
        View::LogGroups { list, .. } => !list.visible.is_empty() || list.load.loaded_at.is_some(),
        View::Logs(v) => !v.is_empty() || v.status.backfilled,
        other => other.load().loaded_at.is_some(),
    }
}

/// Copies to the terminal's clipboard with OSC 52 (works over SSH and in tmux with set-clipboard on), when
/// stdout is a terminal.
fn copy_to_clipboard(text: &str) {
    use std::io::IsTerminal;
    let mut out = std::io::stdout();
    if out.is_terminal() {
        let _ = write_clipboard(&mut out, text);
    }
}

/// crossterm's `osc52` command encodes and frames the text; a hand-written escape sequence did the same.
fn write_clipboard(out: &mut impl std::io::Write, text: &str) -> std::io::Result<()> {
    crossterm::execute!(
        out,
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )
}

/// Writes a file away from the event loop and reports back.
fn save(path: String, text: String, tx: mpsc::UnboundedSender<Msg>) {
    tokio::task::spawn_blocking(move || {
        let lines = text.lines().count();
        let write = std::panic::AssertUnwindSafe(|| {
            std::fs::write(&path, text)
                .map(|_| {
                    let shown = std::fs::canonicalize(&path)
                        .map(|p| p.display().to_string())
                        .unwrap_or(path.clone());
                    format!("saved {lines} lines to {shown}")
                })
                .map_err(|e| format!("cannot save to {path}: {e}"))
        });
        // The user waits for an answer: a panic here is one too.
        let result = std::panic::catch_unwind(write).unwrap_or_else(|payload| {
            let message = crate::workers::panic_message(payload.as_ref());
            tracing::error!(%message, "saving panicked");
            Err(format!("saving failed: {message}"))
        });
        let _ = tx.send(Msg::Saved(result));
    });
}

/// The workers the loop talks to; each can be started again after a panic.
struct Running {
    poller: Poller,
    metrics: MetricsWorker,
    tailer: Tailer,
    executor: Executor,
    ticker: tokio::task::JoinHandle<()>,
    tx: mpsc::UnboundedSender<Msg>,
}

impl Running {
    fn start(api: &Arc<dyn Api>, tx: &mpsc::UnboundedSender<Msg>, workers: &Workers) -> Running {
        let pacer = Arc::new(Pacer::new(workers.filter_rate));
        Running {
            poller: start_poller(api, tx, workers),
            metrics: start_metrics(api, tx, workers),
            tailer: start_tailer(api, tx, workers, pacer),
            executor: Executor::new(api.clone(), tx.clone(), workers.actions.clone()),
            ticker: supervised(tx, Worker::Ticker, || spawn_ticker(tx.clone())),
            tx: tx.clone(),
        }
    }

    fn restart(
        &mut self,
        worker: Worker,
        api: &Arc<dyn Api>,
        tx: &mpsc::UnboundedSender<Msg>,
        workers: &Workers,
    ) {
        match worker {
            Worker::Poller => self.poller = start_poller(api, tx, workers),
            Worker::Metrics => self.metrics = start_metrics(api, tx, workers),
            Worker::Tail => {
                self.tailer =
                    start_tailer(api, tx, workers, Arc::new(Pacer::new(workers.filter_rate)))
            }
            Worker::Ticker => {
                self.ticker.abort();
                self.ticker = supervised(tx, Worker::Ticker, || spawn_ticker(tx.clone()));
            }
            Worker::Executor | Worker::Input => {}
        }
    }

    /// Effects for the workers go to them; the rest come back for the loop to act on.
    fn route(&self, effect: Effect) -> Option<Effect> {
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
            // The executor spawns a task per call: each is supervised as the executor's.
            Effect::Fetch { id, fetch } => supervised(&self.tx, Worker::Executor, || {
                self.executor.fetch(id, fetch)
            }),
            Effect::Execute { id, plan } => supervised(&self.tx, Worker::Executor, || {
                self.executor.execute(id, plan)
            }),
            other => return Some(other),
        }
        None
    }
}

fn start_poller(api: &Arc<dyn Api>, tx: &mpsc::UnboundedSender<Msg>, workers: &Workers) -> Poller {
    supervised(tx, Worker::Poller, || {
        Poller::spawn(api.clone(), tx.clone(), workers.poll)
    })
}

fn start_metrics(
    api: &Arc<dyn Api>,
    tx: &mpsc::UnboundedSender<Msg>,
    workers: &Workers,
) -> MetricsWorker {
    let metrics_tx = tx.clone();
    supervised(tx, Worker::Metrics, || {
        MetricsWorker::spawn(
            api.clone(),
            workers.metrics.clone(),
            Box::new(move |generation, update| {
                let _ = metrics_tx.send(Msg::Metrics { generation, update });
            }),
        )
    })
}

fn start_tailer(
    api: &Arc<dyn Api>,
    tx: &mpsc::UnboundedSender<Msg>,
    workers: &Workers,
    pacer: Arc<Pacer>,
) -> Tailer {
    let log_tx = tx.clone();
    supervised(tx, Worker::Tail, || {
        Tailer::spawn(
            api.clone(),
            pacer,
            workers.tail,
            Box::new(move |generation, update| {
                let _ = log_tx.send(Msg::Log { generation, update });
            }),
        )
    })
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
    let mut running = Running::start(&api, &tx, &workers);
    // Restarts so far per worker: each waits twice as long as the last, and after MAX_RESTARTS it stays down.
    let mut restarts: HashMap<Worker, u32> = HashMap::new();
    let save_tx = tx.clone();
    let draw = |terminal: &mut Terminal<B>, state: &State| {
        terminal
            .draw(|frame| crate::ui::render(frame, state, theme))
            .map(|_| ())
    };

    for effect in start(&mut state) {
        running.route(effect);
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
    // The skeleton above says little of how fast the app is useful: the frame with data on it does.
    let mut data_drawn = false;
    let mut note_data = |state: &State| {
        if !data_drawn
            && shows_data(state.view())
            && let Some(started) = PROCESS_START.get()
        {
            data_drawn = true;
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "first rows drawn"
            );
        }
    };

    loop {
        let next = if dirty {
            match tokio::time::timeout_at((last_draw + FRAME).into(), rx.recv()).await {
                Ok(msg) => msg,
                Err(_) => {
                    draw(terminal, &state)?;
                    note_data(&state);
                    last_draw = Instant::now();
                    dirty = false;
                    continue;
                }
            }
        } else {
            rx.recv().await
        };
        let Some(first) = next else { break };
        // Keys, pastes and resizes are drawn at once; so is the answer that puts the first rows on a view that
        // had none (an engineer waits for it), the rest is drawn at most once a FRAME.
        let empty_before = !shows_data(state.view());
        let mut urgent = false;
        let mut effects = Vec::new();
        let mut msg = Some(first);
        let mut handled = 0;
        while let Some(m) = msg.take() {
            urgent |= matches!(
                m,
                Msg::Key(_) | Msg::Paste(_) | Msg::Resize { .. } | Msg::WorkerFailed { .. }
            );
            match &m {
                Msg::WorkerFailed { worker, .. } if worker.restartable() => {
                    let count = restarts.entry(*worker).or_insert(0);
                    effects.extend(update(&mut state, m.clone()));
                    if *count < MAX_RESTARTS {
                        let pause = workers.restart_backoff * 2u32.saturating_pow(*count);
                        *count += 1;
                        let tx = tx.clone();
                        let worker = *worker;
                        tokio::spawn(async move {
                            tokio::time::sleep(pause).await;
                            let _ = tx.send(Msg::WorkerRestarted(worker));
                        });
                    } else {
                        tracing::error!(worker = worker.label(), "not restarted again");
                        crate::app::update::worker_gave_up(&mut state);
                    }
                }
                Msg::WorkerRestarted(worker) => {
                    tracing::info!(worker = worker.label(), "restarting");
                    running.restart(*worker, &api, &tx, &workers);
                    effects.extend(update(&mut state, m));
                }
                _ => effects.extend(update(&mut state, m)),
            }
            handled += 1;
            if handled < MAX_BATCH {
                msg = rx.try_recv().ok();
            }
        }
        for effect in effects.into_iter().filter_map(|e| running.route(e)) {
            match effect {
                Effect::Quit => {
                    running.ticker.abort();
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
        urgent |= empty_before && shows_data(state.view());
        if urgent || last_draw.elapsed() >= FRAME {
            draw(terminal, &state)?;
            note_data(&state);
            last_draw = Instant::now();
            dirty = false;
        }
    }
    running.ticker.abort();
    Ok(state)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_copy_is_one_osc_52_sequence_of_the_text_in_base64() {
        let mut out = Vec::new();
        super::write_clipboard(&mut out, "arn:aws:ecs:é").expect("writing to memory");
        assert_eq!(
            String::from_utf8(out).expect("ascii"),
            "\x1b]52;c;YXJuOmF3czplY3M6w6k=\x1b\\"
        );
    }
}
