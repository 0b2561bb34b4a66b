// The classes of bug that crash a terminal app at 3 a.m.: byte-slicing text, unchecked indexing, unwrap and
// panic. Denied in the program (not in tests); an `expect` on a real invariant says why in its message.
#![cfg_attr(
    not(test),
    deny(
        clippy::string_slice,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::panic
    )
)]

use anyhow::{Context as _, Result};
use clap::Parser;
use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ecsdeck::app::{Context, State, update};
use ecsdeck::aws::Api;
use ecsdeck::aws::sdk::{Connection, SdkApi};
use ecsdeck::cli::Cli;
use ecsdeck::config::{Config, project_dirs};
use ecsdeck::protocol::Worker;
use ecsdeck::runtime::Workers;
use ecsdeck::runtime::{Channels, run};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ecsdeck::workers::tail::TailConfig;
use ecsdeck::workers::{clock::now_ms, poll::PollConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

fn main() -> ExitCode {
    let _ = ecsdeck::runtime::PROCESS_START.set(std::time::Instant::now());
    let _ = UTC_OFFSET.set(
        time::UtcOffset::current_local_offset()
            .map(|o| o.whole_seconds())
            .unwrap_or(0),
    );
    let cli = Cli::parse();
    match prepare(&cli) {
        Ok(prepared) => match launch(cli, prepared) {
            Ok(Outcome::Quit) => ExitCode::SUCCESS,
            Ok(Outcome::Signal(number)) => ExitCode::from(128u8.saturating_add(number)),
            Ok(Outcome::Stopped(message)) => {
                // The terminal is restored by now: this is the only place the message can still be read.
                eprintln!("ecsdeck: {message}");
                ExitCode::FAILURE
            }
            Err(e) => {
                // The terminal is restored by now.
                eprintln!("ecsdeck: {e:#}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("ecsdeck: {e:#}");
            ExitCode::from(2)
        }
    }
}

struct Prepared {
    config: Config,
    theme: Theme,
    log_file: PathBuf,
}

/// How a session ended once the terminal was taken over.
enum Outcome {
    /// The user quit.
    Quit,
    /// SIGTERM, SIGHUP, SIGINT or SIGQUIT: the shell's convention is to exit with 128 + its number.
    Signal(u8),
    /// A part the app cannot go on without stopped (the keyboard reader): said after the terminal is back.
    Stopped(String),
}

/// Everything that can fail because of the user's files, before the terminal is taken over.
fn prepare(cli: &Cli) -> Result<Prepared> {
    let (config, _) = Config::load(cli.config.as_deref()).context("config error")?;
    let dirs = project_dirs();
    let theme_name = cli
        .theme
        .clone()
        .or(config.theme.clone())
        .unwrap_or_else(|| "dark".into());
    let mut theme =
        Theme::load(&theme_name, dirs.as_ref().map(|d| d.config_dir())).context("theme error")?;
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        theme = theme.without_colour();
    }
    let log_file = cli
        .log_file
        .clone()
        .or(config.log_file.clone())
        .or_else(|| {
            dirs.as_ref()
                .map(|d| d.data_local_dir().join("ecsdeck.log"))
        })
        .unwrap_or_else(|| PathBuf::from("ecsdeck.log"));
    init_logging(&log_file)?;
    Ok(Prepared {
        config,
        theme,
        log_file,
    })
}

fn init_logging(path: &std::path::Path) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create log directory {}", parent.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open log file {}", path.display()))?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("ECSDECK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .init();
    Ok(())
}

fn launch(cli: Cli, prepared: Prepared) -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcome = runtime.block_on(async_main(cli, prepared));
    // A worker stuck in a call must not hold the exit (or a signal's) up.
    runtime.shutdown_timeout(Duration::from_millis(200));
    outcome
}

async fn async_main(cli: Cli, prepared: Prepared) -> Result<Outcome> {
    let Prepared {
        config,
        theme,
        log_file,
    } = prepared;
    let log_file = log_file.display().to_string();
    let profile = cli
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".into());
    let (api, context): (Arc<dyn Api>, Context) = if cli.demo {
        let mut opts = SimOptions {
            services: cli.demo_services,
            tasks_per_service: cli.demo_tasks_per_service,
            epoch_ms: now_ms(),
            // The fleet moves: tasks start, pass health checks and stop over seconds; a deploy is under way.
            pace: Some(Duration::from_millis(1500)),
            demo_deploy: true,
            ..SimOptions::default()
        };
        if let Some(ms) = cli.demo_latency_ms {
            opts.latency = Duration::from_millis(ms);
        }
        opts.rate_limit = cli.demo_rate_limit.map(|r| (r, r * 2.0));
        opts.outage = cli.demo_outage;
        if let Some(rate) = cli.demo_log_rate {
            opts.log_rate = rate;
        }
        let context = Context {
            profile: "demo".into(),
            region: ecsdeck::sim::REGION.into(),
            endpoint: None,
            read_only: cli.read_only || config.read_only.unwrap_or(false),
            demo: true,
            log_file: Some(log_file.clone()),
            ..log_context(&cli, &config)
        };
        (Arc::new(Sim::new(opts)), context)
    } else {
        let sdk = SdkApi::connect(&Connection {
            profile: cli.profile.clone(),
            region: cli.region.clone(),
            endpoint_url: cli.endpoint_url.clone(),
        })
        .await;
        let Some(region) = sdk.region() else {
            anyhow::bail!(
                "no AWS region: pass --region, set AWS_REGION, or set `region` for profile {profile:?} in ~/.aws/config (or try --demo)"
            );
        };
        let context = Context {
            read_only: cli.read_only || config.read_only_for(&profile),
            profile,
            region,
            endpoint: cli.endpoint_url.clone(),
            demo: false,
            log_file: Some(log_file.clone()),
            ..log_context(&cli, &config)
        };
        (Arc::new(sdk), context)
    };
    tracing::info!(?context, "starting");

    let logs = &config.logs;
    let defaults = TailConfig::default();
    let workers = Workers {
        poll: PollConfig {
            refresh: Duration::from_secs(cli.refresh.or(config.refresh_seconds).unwrap_or(5)),
            ..PollConfig::default()
        },
        tail: TailConfig {
            live_tail: logs.live_tail.unwrap_or(true),
            poll_interval: logs
                .poll_seconds
                .map_or(defaults.poll_interval, Duration::from_secs_f64),
            lag: logs.lag_seconds.map_or(defaults.lag, Duration::from_secs),
            ..defaults
        },
        filter_rate: logs.filter_calls_per_second.unwrap_or(3.0),
        metrics: ecsdeck::workers::metrics::MetricsConfig {
            refresh: Duration::from_secs(config.metrics.refresh_seconds.unwrap_or(60)),
            ..Default::default()
        },
        actions: ecsdeck::workers::actions::ExecutorConfig {
            read_only: context.read_only,
            audit_log: cli
                .audit_log
                .clone()
                .or_else(|| project_dirs().map(|d| d.data_local_dir().join("audit.jsonl"))),
            profile: context.profile.clone(),
            region: context.region.clone(),
        },
        ..Workers::default()
    };

    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!("ecsdeck needs an interactive terminal (stdin and stdout must be a TTY)");
    }
    // Listening before the terminal is taken over: a signal at any point after it finds it restored.
    let signals = Signals::listen();
    // try_init enters raw mode and the alternate screen, and installs a panic hook that restores both.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            restore_terminal();
            return Err(e).context("cannot set up the terminal");
        }
    };
    // A paste arrives as one event (and its line breaks never act as Enter).
    if let Err(e) = crossterm::execute!(std::io::stdout(), EnableBracketedPaste) {
        tracing::warn!(error = %e, "cannot enable bracketed paste");
    }
    // ratatui's hook restores the terminal on every panic, on any thread. A worker's panic is caught by its
    // supervisor and said on screen, so only a panic on the main thread (the UI) restores the terminal, and
    // then says where the log is.
    let restore_and_print = std::panic::take_hook();
    let hook_log = log_file.clone();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        if thread.name() == Some("main") {
            tracing::error!(%info, "panic");
            let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, Show);
            restore_and_print(info);
            eprintln!("ecsdeck: the log file {hook_log} has the details");
        } else {
            tracing::error!(%info, thread = thread.name().unwrap_or("unnamed"), "panic off the UI thread");
        }
    }));
    // Proves the restore-on-panic path with the real binary (tests/e2e.rs).
    if std::env::var_os("ECSDECK_CRASH_TEST").is_some() {
        crash_test();
    }
    let size = terminal.size().unwrap_or_default();
    let mut state = State::new(context, now_ms(), size.width, size.height);
    state.keymap = std::sync::Arc::new(config.keymap.clone());
    update::open_at(&mut state, cli.cluster.as_deref(), cli.service.as_deref());

    let channels = Channels::new();
    if let Err(e) = ecsdeck::workers::input::spawn(&channels.tx) {
        restore_terminal();
        return Err(e).context("cannot start reading the keyboard");
    }
    let outcome = tokio::select! {
        result = run(&mut terminal, state, &theme, api, channels, workers) => match result {
            Ok(state) => match (state.fault_line(), &state.fault) {
                (Some(line), Some(fault)) if fault.worker == Worker::Input => Ok(Outcome::Stopped(line)),
                _ => Ok(Outcome::Quit),
            },
            Err(e) => Err(anyhow::Error::from(e).context("terminal error")),
        },
        (name, number) = signals.received() => {
            tracing::warn!(signal = name, "signal received: restoring the terminal and exiting");
            Ok(Outcome::Signal(number))
        }
    };
    restore_terminal();
    drop(terminal);
    outcome
}

/// Leaves the terminal as the shell had it: no raw mode, no alternate screen, no bracketed paste, a cursor.
fn restore_terminal() {
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, Show);
    // try_: after a hang-up the terminal is gone, and restore()'s report of that would panic writing to it.
    let _ = ratatui::try_restore();
}

/// The signals that end a session from outside: `kill`, a closed terminal window (HUP), Ctrl-\ (QUIT).
/// Ctrl-c in the app is a key (raw mode), but `kill -INT` still arrives as a signal.
struct Signals {
    listeners: Vec<(&'static str, u8, tokio::signal::unix::Signal)>,
}

impl Signals {
    fn listen() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let wanted = [
            ("SIGTERM", 15, SignalKind::terminate()),
            ("SIGHUP", 1, SignalKind::hangup()),
            ("SIGINT", 2, SignalKind::interrupt()),
            ("SIGQUIT", 3, SignalKind::quit()),
        ];
        let mut listeners = Vec::new();
        for (name, number, kind) in wanted {
            match signal(kind) {
                Ok(listener) => listeners.push((name, number, listener)),
                Err(e) => tracing::warn!(signal = name, error = %e, "cannot listen for a signal"),
            }
        }
        Signals { listeners }
    }

    /// The first of them to arrive (never, if none could be listened for).
    async fn received(mut self) -> (&'static str, u8) {
        let waits = self.listeners.iter_mut().map(|(name, number, listener)| {
            Box::pin(async move {
                listener.recv().await;
                (*name, *number)
            })
        });
        let waits: Vec<_> = waits.collect();
        if waits.is_empty() {
            return std::future::pending().await;
        }
        futures::future::select_all(waits).await.0
    }
}

/// Read before any thread starts: the time crate refuses to read the local offset once threads exist.
static UTC_OFFSET: std::sync::OnceLock<i32> = std::sync::OnceLock::new();

/// The log settings of the context: start window, buffer size, and the local UTC offset (read here, once:
/// the reducer never reads clocks or time zones).
fn log_context(cli: &Cli, config: &ecsdeck::config::Config) -> Context {
    Context {
        utc_offset_secs: UTC_OFFSET.get().copied().unwrap_or(0),
        log_since: cli
            .since
            .clone()
            .or(config.logs.since.clone())
            .unwrap_or_else(|| "5m".into()),
        log_capacity: config
            .logs
            .buffer_lines
            .unwrap_or(ecsdeck::app::logs::DEFAULT_CAPACITY),
        metrics_window: config
            .metrics
            .window
            .as_deref()
            .and_then(ecsdeck::model::metrics::Window::parse)
            .unwrap_or_default(),
        metrics_refresh_secs: config.metrics.refresh_seconds.unwrap_or(60),
        metrics_columns: config.metrics.list_columns.unwrap_or(false),
        ..Context::default()
    }
}

#[allow(
    clippy::panic,
    reason = "the one deliberate panic: tests/e2e.rs proves the terminal is restored after it"
)]
fn crash_test() {
    panic!("crash test requested by ECSDECK_CRASH_TEST");
}
