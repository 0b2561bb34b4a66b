use crate::model::actions::Plan;
use crate::protocol::LogRequest;
use crate::protocol::MetricsRequest;
use crate::protocol::Scope;

/// What `update()` wants done; the runtime hands these to the workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Keep `scope` refreshed from now on, replacing whatever was watched before. A new generation number
    /// marks the results of this watch, so late results of older watches are recognised and dropped.
    Watch {
        scope: Scope,
        generation: u64,
    },
    /// Tail these logs (None: stop tailing), feeding the log view of this generation.
    Tail {
        request: Option<LogRequest>,
        generation: u64,
    },
    /// Keep these metrics fresh (None: stop), feeding the view of this generation.
    Metrics {
        request: Option<MetricsRequest>,
        generation: u64,
    },
    /// Copy text to the terminal's clipboard (OSC 52).
    Copy(String),
    /// Write text to a file; the result comes back as `Msg::Saved`.
    Save {
        path: String,
        text: String,
    },
    /// Ask AWS for what an action's dialog shows; the answer comes back as `Msg::Dialog`.
    Fetch {
        id: u64,
        fetch: Fetch,
    },
    /// Send an action's calls, exactly as confirmed; the result comes back as `Msg::Executed`.
    Execute {
        id: u64,
        plan: Plan,
    },
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// The service's ALB routes, its blue/green partner and the groups' health (the traffic dialog).
    Traffic {
        cluster: String,
        service: String,
        /// The service's target group ARNs (from its load balancers).
        target_groups: Vec<String>,
    },
    /// The Application Auto Scaling target of the service.
    Autoscaling { cluster: String, service: String },
    /// The family's revisions, and which ones deployed successfully.
    Revisions {
        cluster: String,
        service: String,
        family: String,
        current: String,
        /// The previous ACTIVE deployment's task definition: the fallback "good" one.
        previous: Option<String>,
    },
    /// Both task definitions, diffed.
    Diff { from: String, to: String },
    /// The service deployment in progress, if any.
    InProgress { cluster: String, service: String },
}
