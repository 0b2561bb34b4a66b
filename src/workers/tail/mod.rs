//! The log tail engine: Live Tail first, FilterLogEvents polling as the fallback, for backfill on open and to
//! fill the gap after every reconnect — so nothing between sessions is lost and nothing is shown twice.
//!
//! - Every FilterLogEvents query starts at (watermark − lag window), so late events are caught, and pages are
//!   followed while a nextToken comes back, even through empty pages.
//! - [`Seen`] admits each event once: by eventId within polling, and across transports (Live Tail events have
//!   no eventId) by counting occurrences of (stream, timestamp, message) per transport.
//! - All FilterLogEvents calls of the process share one [`Pacer`]; throttling backs off with jitter and the tail
//!   carries on. The engine never exits on its own and never spins.
//!
//! The parts: [`resolve`] (what to tail: groups and streams from task definitions), `dedupe` ([`Seen`], exactly
//! once), `pacing` ([`Pacer`], the shared token bucket), `engine` (the loop), and here the [`Tailer`] handle the
//! runtime starts and the reducer's requests reach.

mod dedupe;
mod engine;
mod pacing;
mod rate;
mod resolve;

use super::retry::Backoff;
use crate::aws::*;
use crate::protocol::LogRequest;
use crate::protocol::TailStatus;
use crate::protocol::TailUpdate;
use dedupe::*;
pub use dedupe::{Interner, Seen};
pub use engine::tail;
use engine::*;
pub use pacing::Pacer;
pub use resolve::{common_prefix, resolve};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// What to tail: up to 10 groups, each with its streams, from `since`, with an optional server-side pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailSpec {
    pub sources: Vec<LogSource>,
    pub since: Millis,
    pub pattern: Option<String>,
    /// For a service tail: where to look up which revision each task runs.
    pub service: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    pub group: String,
    pub streams: StreamSelector,
}

#[derive(Debug, Clone, Copy)]
pub struct TailConfig {
    /// Pause between polls when Live Tail is not available.
    pub poll_interval: Duration,
    /// How late an event may arrive and still be caught by polling.
    pub lag: Duration,
    pub live_tail: bool,
    /// After Live Tail was refused, poll this long before trying it again.
    pub live_retry: Duration,
    pub backoff: Backoff,
    /// How often task revisions of a service tail are refreshed.
    pub revisions_every: Duration,
}

impl Default for TailConfig {
    fn default() -> Self {
        TailConfig {
            poll_interval: Duration::from_secs(1),
            lag: Duration::from_secs(30),
            live_tail: true,
            live_retry: Duration::from_secs(300),
            backoff: Backoff {
                base: Duration::from_millis(250),
                cap: Duration::from_secs(8),
                max_attempts: u32::MAX,
            },
            revisions_every: Duration::from_secs(15),
        }
    }
}

pub type Sink = Box<dyn Fn(u64, TailUpdate) + Send + Sync>;

/// What the worker is asked to tail: a request from the app (resolved through the task definitions) or a
/// ready spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    Request(LogRequest),
    Spec(TailSpec),
}

/// The tail worker: one tail at a time; a new job (or None) replaces the running one.
pub struct Tailer {
    spec: watch::Sender<Option<(Job, u64)>>,
}

impl Tailer {
    /// `sink` receives every update with the generation of the spec it belongs to.
    pub fn spawn(api: Arc<dyn Api>, pacer: Arc<Pacer>, config: TailConfig, sink: Sink) -> Tailer {
        let (tx, mut rx) = watch::channel::<Option<(Job, u64)>>(None);
        let sink = Arc::new(sink);
        super::spawn(async move {
            loop {
                let current = rx.borrow_and_update().clone();
                let run = async {
                    match current {
                        Some((job, generation)) => {
                            let sink = sink.clone();
                            let emit = move |u: TailUpdate| sink(generation, u);
                            let spec = match job {
                                Job::Spec(spec) => spec,
                                Job::Request(request) => {
                                    resolve_until_done(api.as_ref(), &request, config, &emit).await
                                }
                            };
                            tail(api.clone(), pacer.clone(), config, spec, emit).await
                        }
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = run => {}
                    changed = rx.changed() => if changed.is_err() { return },
                }
            }
        });
        Tailer { spec: tx }
    }

    /// Tails what the app asked for (None: stop).
    pub fn tail(&self, request: Option<LogRequest>, generation: u64) {
        self.spec
            .send_replace(request.map(|r| (Job::Request(r), generation)));
    }

    /// Tails a ready spec (None: stop).
    pub fn tail_spec(&self, spec: Option<TailSpec>, generation: u64) {
        self.spec
            .send_replace(spec.map(|s| (Job::Spec(s), generation)));
    }
}

/// Resolves a request, retrying failures (a missing permission may be granted meanwhile) and saying so.
async fn resolve_until_done(
    api: &dyn Api,
    request: &LogRequest,
    config: TailConfig,
    emit: &impl Fn(TailUpdate),
) -> TailSpec {
    let mut attempt = 0;
    loop {
        match resolve(api, request).await {
            Ok((spec, sources, notes)) => {
                let nothing = spec.sources.is_empty();
                emit(TailUpdate::Resolved { sources, notes });
                if nothing {
                    emit(TailUpdate::Status(TailStatus {
                        idle: Some(
                            "nothing to tail: no container here logs to CloudWatch Logs (awslogs driver)"
                                .into(),
                        ),
                        backfilled: true,
                        ..TailStatus::default()
                    }));
                    std::future::pending::<()>().await;
                }
                return spec;
            }
            Err(e) => {
                attempt += 1;
                tracing::info!(error = %e, "resolving the log sources");
                let wait = if e.is_transient() {
                    config.backoff.pause(attempt)
                } else {
                    Duration::from_secs(10)
                };
                emit(TailUpdate::Status(TailStatus {
                    error: Some(e),
                    ..TailStatus::default()
                }));
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Runs one FilterLogEvents query per source from its start, following every page, into `tx`.
async fn fetch(
    api: Arc<dyn Api>,
    pacer: Arc<Pacer>,
    backoff: Backoff,
    sources: Vec<LogSource>,
    starts: Vec<Millis>,
    pattern: Option<String>,
    tx: mpsc::UnboundedSender<Fetched>,
) {
    for (i, (source, start)) in sources.iter().zip(starts).enumerate() {
        let (names, prefix) = match &source.streams {
            StreamSelector::All => (vec![], None),
            StreamSelector::Names(n) => (n.clone(), None),
            // FilterLogEvents takes one prefix: their common part, refined by the engine.
            StreamSelector::Prefixes(p) => (vec![], Some(common_prefix(p))),
        };
        let mut req = FilterRequest {
            group: source.group.clone(),
            stream_names: names,
            stream_prefix: prefix.filter(|p| !p.is_empty()),
            start,
            end: None,
            pattern: pattern.clone(),
            next_token: None,
        };
        loop {
            let mut attempt = 0;
            let page = loop {
                pacer.take().await;
                match api.filter_log_events(&req).await {
                    Ok(page) => break page,
                    Err(e) if e.is_transient() => {
                        attempt += 1;
                        let _ = tx.send(Fetched::Throttled(e));
                        tokio::time::sleep(backoff.pause(attempt)).await;
                    }
                    Err(e) => {
                        let _ = tx.send(Fetched::Failed(e));
                        return;
                    }
                }
            };
            if tx.send(Fetched::Page(i, page.events)).is_err() {
                return;
            }
            match page.next_token {
                // AWS repeats the token it was given at the end of some ranges: that is the end too.
                Some(t) if Some(&t) != req.next_token.as_ref() => req.next_token = Some(t),
                _ => break,
            }
        }
    }
    let _ = tx.send(Fetched::Done);
}

/// Finds the ARN of each group (Live Tail wants ARNs).
async fn group_arns(api: &dyn Api, sources: &[LogSource]) -> Result<Vec<String>, ApiError> {
    let mut arns = Vec::new();
    for s in sources {
        let page = api.describe_log_groups(Some(&s.group), None).await?;
        let arn = page
            .groups
            .into_iter()
            .find(|g| g.log_group_name == s.group)
            .and_then(|g| g.log_group_arn)
            .ok_or_else(|| ApiError::NotFound(format!("log group {} not found", s.group)))?;
        arns.push(arn);
    }
    Ok(arns)
}

async fn revisions(api: &dyn Api, cluster: &str, service: &str) -> Result<TailUpdate, ApiError> {
    let mut tasks = Vec::new();
    for desired in [DesiredStatus::Running, DesiredStatus::Stopped] {
        let mut token = None;
        loop {
            let page = api
                .list_tasks(cluster, Some(service), desired, token)
                .await?;
            for chunk in page.arns.chunks(DESCRIBE_TASKS_BATCH) {
                for t in api.describe_tasks(cluster, chunk).await? {
                    tasks.push((
                        t.id().to_owned(),
                        family_rev(&t.task_definition_arn).to_owned(),
                    ));
                }
            }
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    let primary = api
        .describe_services(cluster, &[service.to_owned()])
        .await?
        .into_iter()
        .next()
        .and_then(|s| {
            s.deployments
                .iter()
                .find(|d| d.status == "PRIMARY")
                .map(|d| family_rev(&d.task_definition).to_owned())
        });
    Ok(TailUpdate::Revisions { tasks, primary })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(id: Option<&str>, ts: Millis, msg: &str) -> LogEvent {
        LogEvent {
            event_id: id.map(str::to_owned),
            log_group: None,
            log_stream_name: "ecs/web/1".into(),
            timestamp: ts,
            ingestion_time: None,
            message: msg.into(),
        }
    }

    #[test]
    fn each_event_is_admitted_once_across_transports() {
        let mut seen = Seen::default();
        assert!(seen.admit_live(&ev(None, 5, "a")));
        // The same event polled later: already shown.
        assert!(!seen.admit_polled(&ev(Some("1"), 5, "a")));
        assert!(!seen.admit_polled(&ev(Some("1"), 5, "a")));
        // Two genuine events with the same content: the second one is new.
        assert!(seen.admit_polled(&ev(Some("2"), 5, "a")));
        // Live Tail now delivers the second one (already polled), then a third, new one.
        assert!(!seen.admit_live(&ev(None, 5, "a")));
        assert!(seen.admit_live(&ev(None, 5, "a")));
        seen.prune(6);
        assert!(seen.is_empty());
    }

    /// A Live Tail session that replays what an earlier one delivered (moto's do) shows nothing twice; a copy
    /// the earlier session never had is still shown, and so is one polling finds later.
    #[test]
    fn a_new_live_session_replaying_earlier_events_adds_nothing() {
        let mut seen = Seen::default();
        assert!(seen.admit_live(&ev(None, 5, "a")));
        assert!(seen.admit_live(&ev(None, 6, "b")));
        seen.new_live_session();
        assert!(!seen.admit_live(&ev(None, 5, "a")), "replayed");
        assert!(!seen.admit_live(&ev(None, 6, "b")), "replayed");
        assert!(seen.admit_live(&ev(None, 7, "c")), "new in this session");
        // The replaying session then delivers a second, identical line: it is a real one.
        assert!(seen.admit_live(&ev(None, 5, "a")));
        // Polling finds three copies of `a` in the end: the third is new, the first two were shown.
        assert!(!seen.admit_polled(&ev(Some("1"), 5, "a")));
        assert!(!seen.admit_polled(&ev(Some("2"), 5, "a")));
        assert!(seen.admit_polled(&ev(Some("3"), 5, "a")));
    }

    #[test]
    fn the_common_prefix_of_container_prefixes() {
        assert_eq!(
            common_prefix(&["ecs/web/".into(), "ecs/worker/".into()]),
            "ecs/w"
        );
        assert_eq!(common_prefix(&["ecs/web/".into()]), "ecs/web/");
        assert_eq!(common_prefix(&[]), "");
    }
}
