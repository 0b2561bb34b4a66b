//! CloudWatch Logs calls answered from the simulated log store, and Live Tail sessions.

use crate::aws::*;
use crate::sim::{LogSim, Sim, lock, logs, wall_ms};
use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

#[async_trait]
impl Logs for Sim {
    async fn describe_log_groups(
        &self,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogGroupPage, ApiError> {
        self.call("logs:DescribeLogGroups", &self.calls.describe_log_groups)
            .await?;
        self.logs().describe_groups(prefix, next_token)
    }

    async fn describe_log_streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogStreamPage, ApiError> {
        self.call("logs:DescribeLogStreams", &self.calls.describe_log_streams)
            .await?;
        self.logs()
            .describe_streams(group, prefix, next_token, wall_ms())
    }

    async fn filter_log_events(&self, req: &FilterRequest) -> Result<FilterPage, ApiError> {
        self.call("logs:FilterLogEvents", &self.calls.filter_log_events)
            .await?;
        self.logs().filter(req, wall_ms())
    }

    async fn get_log_events(
        &self,
        group: &str,
        stream: &str,
        start: Option<Millis>,
        next_token: Option<String>,
    ) -> Result<StreamPage, ApiError> {
        self.call("logs:GetLogEvents", &self.calls.get_log_events)
            .await?;
        self.logs()
            .stream_page(group, stream, start, next_token, wall_ms())
    }

    async fn start_live_tail(&self, req: &LiveTailRequest) -> Result<LiveTail, ApiError> {
        const ACTION: &str = "logs:StartLiveTail";
        self.call(ACTION, &self.calls.start_live_tail).await?;
        let invalid = |m: &str| ApiError::Invalid {
            action: ACTION.into(),
            message: m.into(),
        };
        if req.group_arns.is_empty() || req.group_arns.len() > 10 {
            return Err(invalid("logGroupIdentifiers takes 1 to 10 log groups"));
        }
        if req.group_arns.len() > 1 && req.streams != StreamSelector::All {
            return Err(invalid(
                "logStreamNames and logStreamNamePrefixes need exactly one log group",
            ));
        }
        if let Some(bad) = req.group_arns.iter().find(|a| a.ends_with(":*")) {
            return Err(invalid(&format!(
                "{bad}: use the logGroupArn, without the trailing :*"
            )));
        }
        if let Some(missing) = req
            .group_arns
            .iter()
            .find(|a| !self.logs().has_group_arn(a))
        {
            return Err(ApiError::NotFound(format!(
                "The specified log group does not exist: {missing}"
            )));
        }
        let pattern = logs::Pattern::parse(req.pattern.as_deref()).map_err(|m| invalid(&m))?;
        let live = lock(&self.live_tail).clone();
        let open = self.live_sessions.fetch_add(1, Ordering::SeqCst);
        let guard = SessionGuard(self.live_sessions.clone());
        if open >= live.max_sessions {
            return Err(ApiError::Other(format!(
                "{ACTION}: LimitExceededException: the account already has {} Live Tail sessions open",
                live.max_sessions
            )));
        }
        let session = Session {
            logs: self.logs_shared(),
            outage: self.outage.clone(),
            arns: req.group_arns.clone(),
            streams: req.streams.clone(),
            pattern,
            last: wall_ms().saturating_sub(live.replay.as_millis() as Millis),
            deadline: Instant::now() + live.session_length,
            push: live.push_interval,
            started: false,
            _guard: guard,
        };
        Ok(Box::pin(futures::stream::unfold(
            Some(session),
            |session| async move {
                let mut s = session?;
                if !s.started {
                    s.started = true;
                    let id = format!("sim-{:x}", s.last);
                    return Some((Ok(LiveTailItem::Started { session_id: id }), Some(s)));
                }
                let wait = s
                    .push
                    .min(s.deadline.saturating_duration_since(Instant::now()));
                tokio::time::sleep(wait).await;
                if Instant::now() >= s.deadline {
                    return None; // SessionTimeout: AWS closes the stream.
                }
                if s.outage.load(Ordering::SeqCst) {
                    return Some((
                        Err(ApiError::Network(
                            "logs:StartLiveTail: stream reset (simulated outage)".into(),
                        )),
                        None,
                    ));
                }
                let now = wall_ms();
                let mut events = s
                    .logs
                    .ingested_between(&s.arns, &s.streams, &s.pattern, s.last, now);
                s.last = now;
                let sampled = events.len() > logs::LIVE_TAIL_MAX_EVENTS;
                if sampled {
                    let n = events.len();
                    events = (0..logs::LIVE_TAIL_MAX_EVENTS)
                        .filter_map(|i| events.get(i * n / logs::LIVE_TAIL_MAX_EVENTS).cloned())
                        .collect();
                }
                Some((Ok(LiveTailItem::Update { events, sampled }), Some(s)))
            },
        )))
    }
}

struct SessionGuard(Arc<AtomicUsize>);

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Session {
    logs: Arc<LogSim>,
    outage: Arc<AtomicBool>,
    arns: Vec<String>,
    streams: StreamSelector,
    pattern: logs::Pattern,
    last: Millis,
    deadline: Instant,
    push: Duration,
    started: bool,
    _guard: SessionGuard,
}
