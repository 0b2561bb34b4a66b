//! The terminal and the signals: taking the terminal over (raw mode, alternate screen, bracketed paste, a panic
//! hook that restores it), giving it back exactly as the shell had it, and the signals that end a session from
//! outside. Part of the runtime: the only code besides the event loop that touches the terminal.

use anyhow::{Context as _, Result, bail};
use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::DefaultTerminal;
use std::io::Write as _;

/// Takes the terminal over for the UI. On any failure the terminal is left as it was.
pub fn take_over(log_file: &str) -> Result<DefaultTerminal> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!("ecsdeck needs an interactive terminal (stdin and stdout must be a TTY)");
    }
    // try_init enters raw mode and the alternate screen, and installs a panic hook that restores both.
    let terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            restore();
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
    let hook_log = log_file.to_owned();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        if thread.name() == Some("main") {
            tracing::error!(%info, "panic");
            let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, Show);
            restore_and_print(info);
            // Not eprintln!: a panic while printing (stderr gone with the terminal) would abort.
            let _ = writeln!(
                std::io::stderr(),
                "ecsdeck: the log file {hook_log} has the details"
            );
        } else {
            tracing::error!(%info, thread = thread.name().unwrap_or("unnamed"), "panic off the UI thread");
        }
    }));
    Ok(terminal)
}

/// Leaves the terminal as the shell had it: no raw mode, no alternate screen, no bracketed paste, a cursor.
pub fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableBracketedPaste, Show);
    // try_: after a hang-up the terminal is gone, and restore()'s report of that would panic writing to it.
    let _ = ratatui::try_restore();
}

/// The signals that end a session from outside: `kill`, a closed terminal window (HUP), Ctrl-\ (QUIT).
/// Ctrl-c in the app is a key (raw mode), but `kill -INT` still arrives as a signal.
pub struct Signals {
    listeners: Vec<(&'static str, u8, tokio::signal::unix::Signal)>,
}

impl Signals {
    pub fn listen() -> Signals {
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
    pub async fn received(mut self) -> (&'static str, u8) {
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
