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
use ecsdeck::app::{Context, State, update};
use ecsdeck::aws::Api;
use ecsdeck::aws::sdk::{Connection, SdkApi};
use ecsdeck::cli::{Cli, Command};
use ecsdeck::protocol::Worker;
use ecsdeck::runtime::Workers;
use ecsdeck::runtime::terminal::{self, Signals};
use ecsdeck::runtime::{Channels, run};
use ecsdeck::settings::{Origin, Settings, Sources, project_dirs};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ecsdeck::workers::tail::TailConfig;
use ecsdeck::workers::{clock::now_ms, poll::PollConfig};
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// `eprintln!` that cannot panic: when the terminal went away (a closed window, a dropped SSH session),
/// stderr answers EIO and `eprintln!` would panic on the way out.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let _ = ecsdeck::runtime::PROCESS_START.set(std::time::Instant::now());
    let _ = UTC_OFFSET.set(
        time::UtcOffset::current_local_offset()
            .map(|o| o.whole_seconds())
            .unwrap_or(0),
    );
    let cli = Cli::parse_args();
    if let Some(command) = &cli.command {
        return print(command, &cli);
    }
    match prepare(&cli) {
        Ok(prepared) => {
            // Held to the end of main, whichever way the session ends (a panic unwinds through here too):
            // dropping it flushes the log lines still queued.
            let (prepared, _log_guard) = prepared.split_guard();
            match launch(cli, prepared) {
                Ok(Outcome::Quit) => ExitCode::SUCCESS,
                Ok(Outcome::Signal(number)) => ExitCode::from(128u8.saturating_add(number)),
                Ok(Outcome::Stopped(message)) => {
                    // The terminal is restored by now: this is the only place the message can still be read.
                    say!("ecsdeck: {message}");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    // The terminal is restored by now.
                    say!("ecsdeck: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            say!("ecsdeck: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// `ecsdeck config`, `completions`, `man`: printed to stdout, no terminal taken over, no log file.
fn print(command: &Command, cli: &Cli) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let written = match command {
        Command::Config => match Sources::load(cli) {
            Ok(sources) => out.write_all(Settings::resolve(&sources).show().as_bytes()),
            Err(e) => {
                say!("ecsdeck: config error: {e}");
                return ExitCode::from(2);
            }
        },
        Command::Completions { shell } => Cli::completions(*shell, &mut out),
        Command::Man => Cli::man(&mut out),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`ecsdeck man | head`) is the reader's choice, not a failure worth a message.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            say!("ecsdeck: cannot write: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Prepared {
    settings: Settings,
    theme: Theme,
    logging: ecsdeck::logging::Logging,
}

struct Ready {
    settings: Settings,
    theme: Theme,
    /// The log file messages point to.
    log_file: String,
}

impl Prepared {
    fn split_guard(self) -> (Ready, tracing_appender::non_blocking::WorkerGuard) {
        let ready = Ready {
            settings: self.settings,
            theme: self.theme,
            log_file: self.logging.shown.display().to_string(),
        };
        (ready, self.logging.guard)
    }
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
    let sources = Sources::load(cli).context("config error")?;
    let settings = Settings::resolve(&sources);
    let dirs = project_dirs();
    let mut theme = Theme::load(&settings.theme.value, dirs.as_ref().map(|d| d.config_dir()))
        .context("theme error")?;
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        theme = theme.without_colour();
    }
    let logging = ecsdeck::logging::init(&settings.log_file.value, settings.log_files_kept.value)?;
    Ok(Prepared {
        settings,
        theme,
        logging,
    })
}

fn launch(cli: Cli, prepared: Ready) -> Result<Outcome> {
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

async fn async_main(cli: Cli, prepared: Ready) -> Result<Outcome> {
    let Ready {
        settings,
        theme,
        log_file,
    } = prepared;
    let (api, context): (Arc<dyn Api>, Context) = if cli.demo {
        let mut opts = SimOptions {
            services: cli.demo_services,
            tasks_per_service: cli.demo_tasks_per_service,
            epoch_ms: now_ms(),
            // The fleet moves: tasks start, pass health checks and stop over seconds; a deploy is under way.
            pace: Some(Duration::from_millis(1500)),
            demo_deploy: true,
            blue_green: true,
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
            region: ecsdeck::sim::REGION.into(),
            endpoint: None,
            demo: true,
            ..context_of(&settings, &log_file)
        };
        (Arc::new(Sim::new(opts)), context)
    } else {
        let profile = &settings.profile;
        let sdk = SdkApi::connect(&Connection {
            // Unnamed, the SDK finds the default profile itself (and its region and credentials with it).
            profile: (profile.origin != Origin::Default).then(|| profile.value.clone()),
            region: settings.region.as_ref().map(|r| r.value.clone()),
            endpoint_url: settings.endpoint_url.as_ref().map(|e| e.value.clone()),
        })
        .await;
        let Some(region) = sdk.region() else {
            anyhow::bail!(
                "no AWS region: pass --region, set AWS_REGION, or set `region` for profile {:?} in ~/.aws/config (or try --demo)",
                profile.value
            );
        };
        let context = Context {
            region,
            demo: false,
            ..context_of(&settings, &log_file)
        };
        (Arc::new(sdk), context)
    };
    tracing::info!(?context, "starting");
    let workers = workers_of(&settings, &context);

    // Listening before the terminal is taken over: a signal at any point after it finds it restored.
    let signals = Signals::listen();
    let mut terminal = terminal::take_over(&log_file)?;
    // Proves the restore-on-panic path with the real binary (tests/e2e.rs).
    if std::env::var_os("ECSDECK_CRASH_TEST").is_some() {
        crash_test();
    }
    let size = terminal.size().unwrap_or_default();
    let mut state = State::new(context, now_ms(), size.width, size.height);
    state.keymap = std::sync::Arc::new(settings.keymap.clone());
    update::open_at(&mut state, cli.cluster.as_deref(), cli.service.as_deref());

    let channels = Channels::new();
    if let Err(e) = ecsdeck::workers::input::spawn(&channels.tx) {
        terminal::restore();
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
    terminal::restore();
    drop(terminal);
    outcome
}

/// Read before any thread starts: the time crate refuses to read the local offset once threads exist.
static UTC_OFFSET: std::sync::OnceLock<i32> = std::sync::OnceLock::new();

/// What the reducer is told of the settings, and the local UTC offset (read here, once: the reducer never
/// reads clocks or time zones).
fn context_of(settings: &Settings, log_file: &str) -> Context {
    Context {
        profile: settings.profile.value.clone(),
        endpoint: settings.endpoint_url.as_ref().map(|e| e.value.clone()),
        read_only: settings.read_only.value,
        log_file: Some(log_file.to_owned()),
        utc_offset_secs: UTC_OFFSET.get().copied().unwrap_or(0),
        log_since: settings.logs.since.value.clone(),
        log_capacity: settings.logs.buffer_lines.value,
        metrics_window: settings.metrics.window.value,
        metrics_refresh_secs: settings.metrics.refresh_seconds.value,
        metrics_columns: settings.metrics.list_columns.value,
        ..Context::default()
    }
}

/// How the workers run: what the settings say, and their own tuning for the rest.
fn workers_of(settings: &Settings, context: &Context) -> Workers {
    let logs = &settings.logs;
    Workers {
        poll: PollConfig {
            refresh: Duration::from_secs(settings.refresh_seconds.value),
            ..PollConfig::default()
        },
        tail: TailConfig {
            live_tail: logs.live_tail.value,
            poll_interval: Duration::from_secs_f64(logs.poll_seconds.value),
            lag: Duration::from_secs(logs.lag_seconds.value),
            ..TailConfig::default()
        },
        filter_rate: logs.filter_calls_per_second.value,
        metrics: ecsdeck::workers::metrics::MetricsConfig {
            refresh: Duration::from_secs(settings.metrics.refresh_seconds.value),
            ..Default::default()
        },
        actions: ecsdeck::workers::actions::ExecutorConfig {
            read_only: context.read_only,
            audit_log: settings.audit_log.as_ref().map(|a| a.value.clone()),
            profile: context.profile.clone(),
            region: context.region.clone(),
        },
        ..Workers::default()
    }
}

#[allow(
    clippy::panic,
    reason = "the one deliberate panic: tests/e2e.rs proves the terminal is restored after it"
)]
fn crash_test() {
    panic!("crash test requested by ECSDECK_CRASH_TEST");
}
