//! What the reducer asks of the log tail worker, and what comes back.

use crate::aws::ApiError;
use crate::aws::Millis;
use crate::model::logs::LogLine;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    #[default]
    Connecting,
    LiveTail,
    Polling,
}

impl Transport {
    pub fn label(self) -> &'static str {
        match self {
            Transport::Connecting => "connecting",
            Transport::LiveTail => "Live Tail",
            Transport::Polling => "polling",
        }
    }
}

/// What the status line shows about the tail.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TailStatus {
    pub transport: Transport,
    /// Why polling is used instead of Live Tail.
    pub fallback: Option<String>,
    pub events_per_second: f64,
    pub throttles: u64,
    /// Live Tail updates that AWS sampled (more than 500 events in a second).
    pub sampled_updates: u64,
    /// Live Tail sessions opened (more than one means reconnects, each followed by a gap fill).
    pub sessions: u64,
    /// The backfill of the first window has completed.
    pub backfilled: bool,
    /// The last failure, while it lasts.
    pub error: Option<ApiError>,
    /// Why there is nothing to tail at all (no container logs to CloudWatch Logs).
    pub idle: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TailUpdate {
    /// New lines, each seen for the first time, in no particular order.
    Lines(Vec<LogLine>),
    Status(TailStatus),
    /// Task id → `family:rev`, and the revision of the primary deployment (service tails).
    Revisions {
        tasks: Vec<(String, String)>,
        primary: Option<String>,
    },
    /// AWS refused the filter pattern; the tail goes on without it.
    PatternRejected(ApiError),
    /// What the request resolved to ("group: streams"), and containers that cannot be tailed, with why.
    Resolved {
        sources: Vec<String>,
        notes: Vec<String>,
    },
}

/// What the user asked to tail; the tail worker finds the groups and streams from the task definitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// Every container of every task of the service (the task definitions of all its deployments).
    Service {
        cluster: String,
        service: String,
        task_definitions: Vec<String>,
    },
    /// One task's containers, or one container's stream.
    Task {
        cluster: String,
        task_arn: String,
        task_definition: String,
        container: Option<String>,
    },
    /// A whole log group (from the log group browser).
    Group { name: String },
}

impl LogTarget {
    pub fn title(&self) -> String {
        match self {
            LogTarget::Service { service, .. } => {
                format!("service {}", crate::aws::arn_name(service))
            }
            LogTarget::Task {
                task_arn,
                container,
                ..
            } => {
                let id = crate::aws::arn_name(task_arn);
                let short: String = id.chars().take(8).collect();
                match container {
                    Some(c) => format!("container {c} of task {short}"),
                    None => format!("task {short}"),
                }
            }
            LogTarget::Group { name } => format!("group {name}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRequest {
    pub target: LogTarget,
    pub since: Millis,
    /// CloudWatch filter pattern, applied by AWS.
    pub pattern: Option<String>,
}
