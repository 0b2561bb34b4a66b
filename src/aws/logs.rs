//! CloudWatch Logs: what the tail engine asks for and what comes back — the domain types and the [`Logs`]
//! trait (one method per AWS call).

use super::{ApiError, Millis};
use async_trait::async_trait;
use futures::stream::BoxStream;
use serde::Serialize;

/// A log group as DescribeLogGroups reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroup {
    pub log_group_name: String,
    /// The ARN without the trailing `:*` (`logGroupArn`): what StartLiveTail accepts.
    pub log_group_arn: Option<String>,
    pub creation_time: Option<Millis>,
    pub retention_in_days: Option<i32>,
    pub stored_bytes: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogGroupPage {
    pub groups: Vec<LogGroup>,
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogStream {
    pub log_stream_name: String,
    pub first_event_timestamp: Option<Millis>,
    pub last_event_timestamp: Option<Millis>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogStreamPage {
    pub streams: Vec<LogStream>,
    pub next_token: Option<String>,
}

/// One log event from either transport. Live Tail events carry no `event_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogEvent {
    pub event_id: Option<String>,
    /// The group's name or ARN as Live Tail reports it (`logGroupIdentifier`): one session covers up to 10
    /// groups whose stream names can overlap. Polling asks one group at a time and leaves it empty.
    pub log_group: Option<String>,
    pub log_stream_name: String,
    pub timestamp: Millis,
    pub ingestion_time: Option<Millis>,
    pub message: String,
}

/// Which streams of a group to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamSelector {
    All,
    /// At most 100 name prefixes (Live Tail's limit; FilterLogEvents takes one, see the tail engine).
    Prefixes(Vec<String>),
    /// At most 100 exact names.
    Names(Vec<String>),
}

impl StreamSelector {
    /// Whether a stream belongs to this selection (the engine re-checks what AWS or moto returned).
    pub fn matches(&self, stream: &str) -> bool {
        match self {
            StreamSelector::All => true,
            StreamSelector::Prefixes(p) => p.iter().any(|p| stream.starts_with(p.as_str())),
            StreamSelector::Names(n) => n.iter().any(|n| n == stream),
        }
    }
}

/// One FilterLogEvents call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterRequest {
    pub group: String,
    /// Exact stream names (at most 100).
    pub stream_names: Vec<String>,
    /// One stream name prefix (exclusive with `stream_names`, as in the API).
    pub stream_prefix: Option<String>,
    pub start: Millis,
    pub end: Option<Millis>,
    pub pattern: Option<String>,
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterPage {
    pub events: Vec<LogEvent>,
    /// Pages can be empty while a token still comes back: keep going until it is absent.
    pub next_token: Option<String>,
}

/// One StartLiveTail call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTailRequest {
    /// Log group ARNs without `:*` (at most 10).
    pub group_arns: Vec<String>,
    /// Only with exactly one group.
    pub streams: StreamSelector,
    pub pattern: Option<String>,
}

/// What a Live Tail session pushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveTailItem {
    Started {
        session_id: String,
    },
    /// At most 500 events; `sampled` when AWS dropped some because more than 500 arrived that second.
    Update {
        events: Vec<LogEvent>,
        sampled: bool,
    },
}

/// A running Live Tail session: ends (None) when AWS closes it, e.g. after 3 hours.
pub type LiveTail = BoxStream<'static, Result<LiveTailItem, ApiError>>;

/// GetLogEvents: one page of one stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamPage {
    pub events: Vec<LogEvent>,
    pub next_forward_token: Option<String>,
}

/// `prefix/container/task-id` (awslogs): the container and task id of a stream, if it has that shape.
pub fn awslogs_stream_parts(stream: &str) -> Option<(&str, &str)> {
    let (rest, task) = stream.rsplit_once('/')?;
    let container = rest.rsplit('/').next()?;
    (!task.is_empty() && !container.is_empty() && rest.contains('/')).then_some((container, task))
}

/// CloudWatch Logs, one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait Logs: Send + Sync {
    /// One page (at most 50) of groups whose name starts with `prefix`.
    async fn describe_log_groups(
        &self,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogGroupPage, ApiError>;
    /// One page of a group's streams, most recently written first.
    async fn describe_log_streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogStreamPage, ApiError>;
    /// One page of events of one group, interleaved across streams in timestamp order.
    async fn filter_log_events(&self, req: &FilterRequest) -> Result<FilterPage, ApiError>;
    /// One page of one stream, oldest first from `start`.
    async fn get_log_events(
        &self,
        group: &str,
        stream: &str,
        start: Option<Millis>,
        next_token: Option<String>,
    ) -> Result<StreamPage, ApiError>;
    /// Opens a Live Tail session; its first item is `Started`.
    async fn start_live_tail(&self, req: &LiveTailRequest) -> Result<LiveTail, ApiError>;
}

mod pattern;
pub use pattern::FilterPattern;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_patterns_parse_and_match_like_cloudwatch() {
        let p = FilterPattern::parse(Some(r#"ERROR "timed out" -health"#)).unwrap();
        assert!(p.matches("ERROR upstream timed out after 5 s"));
        assert!(!p.matches("ERROR health timed out"));
        assert!(!p.matches("WARN timed out"));
        let any = FilterPattern::parse(Some("?WARN ?ERROR")).unwrap();
        assert!(any.matches("a WARN b") && any.matches("ERROR") && !any.matches("INFO"));
        let json = FilterPattern::parse(Some(r#"{ $.level = "error" }"#)).unwrap();
        assert!(json.matches(r#"{"level":"error","msg":"x"}"#));
        assert!(!json.matches(r#"{"level":"info"}"#));
        assert!(FilterPattern::parse(Some(r#"ERROR "oops"#)).is_err());
        assert!(FilterPattern::parse(Some("{ level = 1 }")).is_err());
        assert_eq!(
            FilterPattern::parse(Some("  ")).unwrap(),
            FilterPattern::All
        );
    }

    #[test]
    fn awslogs_stream_names_split_into_container_and_task() {
        assert_eq!(
            awslogs_stream_parts("ecs/web/0123456789abcdef"),
            Some(("web", "0123456789abcdef"))
        );
        assert_eq!(
            awslogs_stream_parts("my/pre/fix/web/abc"),
            Some(("web", "abc"))
        );
        assert_eq!(awslogs_stream_parts("i-0abc"), None);
        assert_eq!(awslogs_stream_parts("web/abc"), None);
    }

    #[test]
    fn selectors_match_prefixes_and_names() {
        let p = StreamSelector::Prefixes(vec!["ecs/web/".into()]);
        assert!(p.matches("ecs/web/123"));
        assert!(!p.matches("ecs/sidecar/123"));
        let n = StreamSelector::Names(vec!["a".into()]);
        assert!(n.matches("a") && !n.matches("ab"));
    }
}
