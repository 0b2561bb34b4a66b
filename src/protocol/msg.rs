use crate::aws::{ApiError, Cluster, LogGroup, Millis, Service, Task, TaskDefinition};
use crate::aws::{ScalableTarget, ServiceDeploymentBrief};
use crate::model::actions::{DiffLine, Revisions};
use crate::model::deploy::DeploySnapshot;
use crate::protocol::MetricsUpdate;
use crate::protocol::Scope;
use crate::protocol::TailUpdate;
use crate::protocol::Worker;
use crossterm::event::KeyEvent;

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): inserted into the open input in one step.
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock, once a second (the reducer never reads it).
    Tick {
        now_ms: Millis,
    },
    /// A result from a worker, for the watch identified by `scope` and `generation`.
    Data {
        scope: Scope,
        generation: u64,
        update: DataUpdate,
    },
    /// From the tail worker, for the log view opened with `generation`.
    Log {
        generation: u64,
        update: TailUpdate,
    },
    /// From the metrics worker, for the view watched with `generation`.
    Metrics {
        generation: u64,
        update: MetricsUpdate,
    },
    /// A worker's task panicked (see `workers::spawn`); the event loop may restart it.
    WorkerFailed {
        worker: Worker,
        message: String,
    },
    /// A failed worker was started again: what it fed must be asked for again.
    WorkerRestarted(Worker),
    /// A file the user asked for was written (or not).
    Saved(Result<String, String>),
    /// Something an action's dialog asked AWS for.
    Dialog {
        id: u64,
        answer: DialogAnswer,
    },
    /// An action's calls were sent: the service as ECS left it, or what failed.
    Executed {
        id: u64,
        result: Result<Option<Box<Service>>, String>,
        /// The audit log could not be written (the action itself went through).
        audit_error: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum DialogAnswer {
    Autoscaling(Result<Option<ScalableTarget>, ApiError>),
    Revisions(Result<Revisions, ApiError>),
    Diff(Result<Vec<DiffLine>, ApiError>),
    InProgress(Result<Option<ServiceDeploymentBrief>, ApiError>),
    Traffic(Result<crate::model::traffic::Traffic, ApiError>),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Resources described so far in this refresh.
    pub described: usize,
    /// ARNs listed so far.
    pub listed: usize,
    /// All List pages have arrived, so `listed` is the total.
    pub listing_done: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Clusters(Vec<Cluster>),
    Services(Vec<Service>),
    Tasks(Vec<Task>),
    LogGroups(Vec<LogGroup>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum DataUpdate {
    /// A refresh cycle began.
    Started,
    /// Rows as they arrive (a page or a batch at a time).
    Batch {
        rows: Rows,
        progress: Progress,
    },
    TaskDetail {
        task: Box<Task>,
        definition: Result<Box<TaskDefinition>, ApiError>,
    },
    ServiceDetail(Box<Service>),
    /// Task sets and CodeDeploy of a CODE_DEPLOY or EXTERNAL service on its details screen.
    BlueGreen(Box<crate::model::codedeploy::BlueGreen>),
    /// One refresh of the deploy watch screen.
    Deploy(Box<DeploySnapshot>),
    /// The service's ALB routes and blue/green pair (details and watch screen), after its other data.
    Traffic(Box<Result<crate::model::traffic::Traffic, ApiError>>),
    /// A transient failure (throttling, network): the worker waits and tries again.
    Retrying {
        error: ApiError,
        attempt: u32,
    },
    /// The refresh cycle completed at `at`.
    Done {
        at: Millis,
    },
    /// The refresh cycle failed; the last good data stays on screen, marked stale.
    Failed {
        error: ApiError,
        at: Millis,
    },
}
