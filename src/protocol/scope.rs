//! What a view shows, and so what the poller refreshes: the key every result travels with.

/// What a view shows, and so what the poller refreshes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Clusters,
    Services {
        cluster: String,
    },
    /// Tasks of one service, or of the whole cluster.
    Tasks {
        cluster: String,
        service: Option<String>,
    },
    Task {
        cluster: String,
        task_arn: String,
    },
    Service {
        cluster: String,
        service: String,
    },
    /// CloudWatch log groups whose name starts with `prefix`.
    LogGroups {
        prefix: Option<String>,
    },
    /// A log view: the tail worker feeds it; the poller rests.
    Logs,
    /// A service's charts: the metrics worker feeds them; the poller rests.
    Metrics,
    /// The deploy watch screen of one service.
    Deploy {
        cluster: String,
        service: String,
    },
}
