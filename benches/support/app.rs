//! The real event loop (`runtime::run`: update + render + the workers) on an in-memory terminal, driven
//! by keys sent into its channel, against the simulator. The terminal notes when each frame is flushed and
//! whether it shows a text the bench waits for, so a key's latency ends at the frame that shows its effect.
#![allow(dead_code)]

use ecsdeck::app::{State, View};
use ecsdeck::protocol::{Msg, Scope};
use ecsdeck::runtime::{Channels, Workers, run};
use ecsdeck::sim::Sim;
use ecsdeck::theme::Theme;
use ecsdeck::workers::poll::PollConfig;
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// What the bench waits for: `text` present (or absent) on a frame, and when that frame was flushed.
#[derive(Default)]
pub struct Probe {
    want: Option<(String, bool)>,
    hit: Option<Instant>,
    pub frames: u64,
    /// The last frame, as text, for a bench that has to say what it saw.
    pub last: String,
}

pub struct Recording {
    inner: TestBackend,
    probe: Arc<Mutex<Probe>>,
}

fn screen(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let mut out = String::with_capacity(buffer.content.len() + buffer.area.height as usize);
    for (i, cell) in buffer.content.iter().enumerate() {
        if i > 0 && i % width == 0 {
            out.push('\n');
        }
        out.push_str(cell.symbol());
    }
    out
}

impl Backend for Recording {
    type Error = std::convert::Infallible;
    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        // The frame is complete here: what follows is the bench's looking, not the app's drawing.
        let at = Instant::now();
        self.inner.flush()?;
        let mut probe = self.probe.lock().unwrap();
        probe.frames += 1;
        let text = screen(self.inner.buffer());
        if let Some((want, present)) = &probe.want
            && text.contains(want.as_str()) == *present
        {
            probe.hit = Some(at);
            probe.want = None;
        }
        probe.last = text;
        Ok(())
    }
}

pub struct App {
    pub tx: UnboundedSender<Msg>,
    pub probe: Arc<Mutex<Probe>>,
    task: tokio::task::JoinHandle<()>,
}

/// Starts the event loop on `sim` with `state` (its stack already holding the views to open), refreshing
/// continuously (no pause between refreshes) so that loading never stops while the bench measures.
pub fn spawn(sim: Arc<Sim>, state: State, width: u16, height: u16) -> App {
    let probe = Arc::new(Mutex::new(Probe::default()));
    let backend = Recording {
        inner: TestBackend::new(width, height),
        probe: probe.clone(),
    };
    let channels = Channels::new();
    let tx = channels.tx.clone();
    let workers = Workers {
        poll: PollConfig {
            refresh: Duration::ZERO,
            pause_per_call: Duration::ZERO,
            ..PollConfig::default()
        },
        ..Workers::default()
    };
    let task = tokio::spawn(async move {
        let theme = Theme::builtin("dark").unwrap();
        let mut terminal = Terminal::new(backend).unwrap();
        run(&mut terminal, state, &theme, sim, channels, workers)
            .await
            .unwrap();
    });
    App { tx, probe, task }
}

impl App {
    /// Sends `key` and waits for the first frame on which `text` is present (or absent): the latency from
    /// the key to the flush of that frame.
    pub async fn press(
        &self,
        key: crossterm::event::KeyEvent,
        text: &str,
        present: bool,
    ) -> Duration {
        {
            let mut p = self.probe.lock().unwrap();
            p.want = Some((text.to_owned(), present));
            p.hit = None;
        }
        let sent = Instant::now();
        self.tx.send(Msg::Key(key)).unwrap();
        loop {
            tokio::time::sleep(Duration::from_micros(500)).await;
            let mut p = self.probe.lock().unwrap();
            if let Some(at) = p.hit.take() {
                return at.saturating_duration_since(sent);
            }
            if sent.elapsed() > Duration::from_secs(10) {
                panic!(
                    "no frame with {text:?} {} within 10 s of the key; last frame:\n{}",
                    if present { "present" } else { "absent" },
                    p.last
                );
            }
        }
    }

    /// Waits until a frame shows `text` (a view loaded, say).
    pub async fn wait_for(&self, text: &str) {
        let start = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let p = self.probe.lock().unwrap();
            if p.last.contains(text) {
                return;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!(
                    "no frame with {text:?} within 20 s; last frame:\n{}",
                    p.last
                );
            }
        }
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

pub fn key(c: char) -> crossterm::event::KeyEvent {
    crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c))
}

/// The app opened on the log groups under `prefix`.
pub fn on_log_groups(now: i64, prefix: &str, width: u16, height: u16) -> State {
    let mut state = State::new(Default::default(), now, width, height);
    state.stack.push(View::for_scope(&Scope::LogGroups {
        prefix: Some(prefix.to_owned()),
    }));
    state
}
