//! The long-lived parts of the app that run off the UI thread, as the reducer and the screen name them.

/// The long-lived parts of the app that run off the UI thread; named in what the user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Worker {
    Poller,
    Metrics,
    Tail,
    Executor,
    Ticker,
    Input,
}

impl Worker {
    /// What the user reads: "the log tail worker stopped: …".
    pub fn label(self) -> &'static str {
        match self {
            Worker::Poller => "the refresh worker",
            Worker::Metrics => "the metrics worker",
            Worker::Tail => "the log tail worker",
            Worker::Executor => "the action executor",
            Worker::Ticker => "the clock",
            Worker::Input => "the keyboard reader",
        }
    }

    /// Whether starting it again is sane. The executor has no task of its own to restart (each action
    /// spawns one); without the keyboard reader nothing can be done, so the app exits instead.
    pub fn restartable(self) -> bool {
        matches!(
            self,
            Worker::Poller | Worker::Metrics | Worker::Tail | Worker::Ticker
        )
    }
}
