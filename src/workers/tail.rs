//! The log tail engine: Live Tail first, FilterLogEvents polling as the fallback, for backfill on open and to
//! fill the gap after every reconnect — so nothing between sessions is lost and nothing is shown twice.
//!
//! - Every FilterLogEvents query starts at (watermark − lag window), so late events are caught, and pages are
//!   followed while a nextToken comes back, even through empty pages.
//! - [`Seen`] admits each event once: by eventId within polling, and across transports (Live Tail events have
//!   no eventId) by counting occurrences of (stream, timestamp, message) per transport.
//! - All FilterLogEvents calls of the process share one [`Pacer`]; throttling backs off with jitter and the tail
//!   carries on. The engine never exits on its own and never spins.

use super::retry::Backoff;
use crate::aws::*;
use crate::model::logs::LogLine;
use crate::protocol::TailStatus;
use crate::protocol::TailUpdate;
use crate::protocol::Transport;
use crate::protocol::{LogRequest, LogTarget};
use futures::StreamExt;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc, watch};

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

/// One token bucket for every FilterLogEvents call of the process: AWS allows 10 per second per account
/// (5 in some regions) and other tools share it, so ecsdeck takes a small share.
pub struct Pacer {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Pacer {
    pub fn new(per_second: f64) -> Pacer {
        let burst = per_second.max(1.0);
        Pacer {
            rate: per_second.max(0.01),
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits for a token.
    pub async fn take(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                s.0 = (s.0 + now.duration_since(s.1).as_secs_f64() * self.rate).min(self.burst);
                s.1 = now;
                if s.0 >= 1.0 {
                    s.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - s.0) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Poll,
    Live,
}

/// Admits every event once. Entries older than the horizon are forgotten (polls never reach back that far).
#[derive(Default)]
pub struct Seen {
    ids: HashSet<u64>,
    /// content hash → (seen by polling, seen by Live Tail)
    content: HashMap<u64, (u32, u32)>,
    by_time: BTreeMap<Millis, Vec<(u64, Option<u64>)>>,
}

fn hash_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

impl Seen {
    /// Polled events (with eventId): new unless the id was seen, or Live Tail already showed this content.
    pub fn admit_polled(&mut self, e: &LogEvent) -> bool {
        self.admit(e, Via::Poll)
    }

    /// Live Tail events (no eventId): new unless polling already showed this content as often.
    pub fn admit_live(&mut self, e: &LogEvent) -> bool {
        self.admit(e, Via::Live)
    }

    fn admit(&mut self, e: &LogEvent, via: Via) -> bool {
        let id = match (&e.event_id, via) {
            (Some(id), Via::Poll) => {
                let id = hash_of(id);
                if !self.ids.insert(id) {
                    return false;
                }
                Some(id)
            }
            _ => None,
        };
        let content = hash_of((&e.log_stream_name, e.timestamp, &e.message));
        let entry = self.content.entry(content).or_insert((0, 0));
        let new = match via {
            Via::Poll => {
                entry.0 += 1;
                entry.0 > entry.1
            }
            Via::Live => {
                entry.1 += 1;
                entry.1 > entry.0
            }
        };
        self.by_time
            .entry(e.timestamp)
            .or_default()
            .push((content, id));
        new
    }

    /// Forgets what is older than `horizon`.
    pub fn prune(&mut self, horizon: Millis) {
        let keep = self.by_time.split_off(&horizon);
        for (_, entries) in std::mem::replace(&mut self.by_time, keep) {
            for (content, id) in entries {
                self.content.remove(&content);
                if let Some(id) = id {
                    self.ids.remove(&id);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }
}

/// Shares one `Arc<str>` per stream name among all its lines.
#[derive(Default)]
pub struct Interner(HashMap<String, Arc<str>>);

impl Interner {
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.0.insert(s.to_owned(), a.clone());
        a
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

/// The groups and streams of a request, from the awslogs options of its task definitions' containers
/// (stream name = `prefix/container/task-id`), with notes on containers that cannot be tailed.
pub async fn resolve(
    api: &dyn Api,
    request: &LogRequest,
) -> Result<(TailSpec, Vec<String>, Vec<String>), ApiError> {
    let mut groups: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut add = |group: &str, stream: Option<String>| {
        let entry = groups.entry(group.to_owned()).or_insert(Some(vec![]));
        match (entry.as_mut(), stream) {
            (Some(list), Some(s)) => {
                if !list.contains(&s) {
                    list.push(s);
                }
            }
            _ => *entry = None, // the whole group
        }
    };
    let (service, by_name) = match &request.target {
        LogTarget::Group { name } => {
            add(name, None);
            (None, false)
        }
        LogTarget::Service {
            cluster,
            service,
            task_definitions,
        } => {
            for td in task_definitions {
                let def = api.describe_task_definition(td).await?;
                for c in &def.container_definitions {
                    if let Some((group, prefix)) = container_source(c, &def, None, &mut notes) {
                        add(&group, prefix);
                    }
                }
            }
            (Some((cluster.clone(), service.clone())), false)
        }
        LogTarget::Task {
            task_arn,
            task_definition,
            container,
            ..
        } => {
            let def = api.describe_task_definition(task_definition).await?;
            let id = arn_name(task_arn);
            for c in def
                .container_definitions
                .iter()
                .filter(|c| container.as_ref().is_none_or(|n| &c.name == n))
            {
                if let Some((group, prefix)) = container_source(c, &def, Some(id), &mut notes) {
                    add(&group, prefix);
                }
            }
            (None, true)
        }
    };
    let mut sources = Vec::new();
    let mut described = Vec::new();
    for (group, streams) in groups {
        if sources.len() == 10 {
            notes.push(format!(
                "more than 10 log groups: {group} and later ones are not tailed (Live Tail's limit)"
            ));
            break;
        }
        let (streams, text) = match streams {
            None => (StreamSelector::All, "all streams".to_owned()),
            Some(list) => {
                let text = list
                    .iter()
                    .map(|s| if by_name { s.clone() } else { format!("{s}*") })
                    .collect::<Vec<_>>()
                    .join(", ");
                if by_name {
                    (StreamSelector::Names(list), text)
                } else {
                    (StreamSelector::Prefixes(list), text)
                }
            }
        };
        described.push(format!("{group}: {text}"));
        sources.push(LogSource { group, streams });
    }
    Ok((
        TailSpec {
            sources,
            since: request.since,
            pattern: request.pattern.clone(),
            service,
        },
        described,
        notes,
    ))
}

/// (group, stream prefix or name) of one container, or a note saying why it cannot be tailed.
fn container_source(
    c: &ContainerDefinition,
    def: &TaskDefinition,
    task_id: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<(String, Option<String>)> {
    let rev = format!("{}:{}", def.family, def.revision);
    let Some(log) = &c.log_configuration else {
        notes.push(format!(
            "container {} ({rev}) has no log configuration: its output is not in CloudWatch Logs",
            c.name
        ));
        return None;
    };
    let Some(group) = log.awslogs_group() else {
        notes.push(format!(
            "container {} ({rev}) logs with the {} driver, not awslogs: not shown here",
            c.name, log.log_driver
        ));
        return None;
    };
    match log.awslogs_stream_prefix() {
        Some(prefix) => Some((
            group.to_owned(),
            Some(match task_id {
                Some(id) => format!("{prefix}/{}/{id}", c.name),
                None => format!("{prefix}/{}/", c.name),
            }),
        )),
        None => {
            notes.push(format!(
                "container {} ({rev}) sets no awslogs-stream-prefix: its streams are named by container id, so the whole group {group} is tailed",
                c.name
            ));
            Some((group.to_owned(), None))
        }
    }
}

enum Fetched {
    Page(usize, Vec<LogEvent>),
    Throttled(ApiError),
    Done,
    Failed(ApiError),
}

/// Everything one tail keeps between events.
struct Engine<E: Fn(TailUpdate)> {
    spec: TailSpec,
    config: TailConfig,
    emit: E,
    seen: Seen,
    names: Interner,
    /// Newest timestamp seen per source.
    high: Vec<Option<Millis>>,
    status: TailStatus,
    window: (Instant, u64),
    last_status: Option<TailStatus>,
    /// Per source, where the last completed poll stood when it started (see [`Engine::marks_now`]): the
    /// next poll reaches back to it minus the lag, however far the watermark moved while that poll paged.
    floor: Option<Vec<Millis>>,
    /// The same marks for the query in flight, taken when it started.
    marks: Option<Vec<Millis>>,
}

impl<E: Fn(TailUpdate)> Engine<E> {
    fn ingest(&mut self, source: usize, events: Vec<LogEvent>, via: Via) {
        let Some(selector) = self.spec.sources.get(source).map(|s| &s.streams) else {
            return;
        };
        let mut lines = Vec::new();
        for e in events {
            if !selector.matches(&e.log_stream_name) {
                continue; // moto ignores stream prefixes; prefixes of other containers share a group
            }
            let fresh = match via {
                Via::Poll => self.seen.admit_polled(&e),
                Via::Live => self.seen.admit_live(&e),
            };
            if let Some(high) = self.high.get_mut(source) {
                *high = Some(high.map_or(e.timestamp, |h| h.max(e.timestamp)));
            }
            if fresh {
                lines.push(LogLine::new(
                    e.timestamp,
                    self.names.get(&e.log_stream_name),
                    e.message,
                ));
            }
        }
        self.window.1 += lines.len() as u64;
        if !lines.is_empty() {
            (self.emit)(TailUpdate::Lines(lines));
        }
    }

    /// Where the next query of each source starts: the watermark minus the lag window, and no later than
    /// the previous poll's start minus the lag — an event written late while a slow poll walked its pages
    /// has a timestamp after that, but its page may already have been read. Never before `since`.
    fn starts(&self) -> Vec<Millis> {
        let lag = self.config.lag.as_millis() as Millis;
        self.high
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let floor = self.floor.as_ref().and_then(|f| f.get(i)).map(|f| f - lag);
                match (h.map(|h| h - lag), floor) {
                    (Some(h), Some(f)) => h.min(f).max(self.spec.since),
                    (Some(h), None) => h.max(self.spec.since),
                    (None, _) => self.spec.since,
                }
            })
            .collect()
    }

    /// "Now" for each source as a query starts: the clock, or the watermark if that is older. The
    /// watermark guards against a local clock that runs ahead of AWS's; the clock against events stamped
    /// in the future.
    fn marks_now(&self) -> Vec<Millis> {
        let now = crate::workers::clock::now_ms();
        self.high
            .iter()
            .map(|h| h.map_or(now, |h| h.min(now)))
            .collect()
    }

    fn prune(&mut self) {
        let lag = self.config.lag.as_millis() as Millis;
        if let Some(oldest) = self.starts().into_iter().min() {
            // Keep a margin: a fill may still start from an older watermark.
            self.seen.prune(oldest - lag - 60_000);
        }
    }

    fn publish(&mut self, force: bool) {
        let elapsed = self.window.0.elapsed();
        if elapsed >= Duration::from_secs(1) {
            self.status.events_per_second = self.window.1 as f64 / elapsed.as_secs_f64();
            self.window = (Instant::now(), 0);
        }
        if force || self.last_status.as_ref() != Some(&self.status) {
            self.last_status = Some(self.status.clone());
            (self.emit)(TailUpdate::Status(self.status.clone()));
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

pub fn common_prefix(prefixes: &[String]) -> String {
    let Some(first) = prefixes.first() else {
        return String::new();
    };
    let mut len = first.len();
    for p in prefixes.iter().skip(1) {
        len = len.min(
            first
                .bytes()
                .zip(p.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first
        .get(..first.floor_char_boundary(len))
        .unwrap_or_default()
        .to_owned()
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

/// One tail, until it is replaced (the caller drops this future).
pub async fn tail(
    api: Arc<dyn Api>,
    pacer: Arc<Pacer>,
    config: TailConfig,
    spec: TailSpec,
    emit: impl Fn(TailUpdate),
) {
    let mut engine = Engine {
        high: vec![None; spec.sources.len()],
        spec,
        config,
        emit,
        seen: Seen::default(),
        names: Interner::default(),
        status: TailStatus::default(),
        window: (Instant::now(), 0),
        last_status: None,
        floor: None,
        marks: None,
    };
    engine.publish(true);
    let (tx, mut rx) = mpsc::unbounded_channel::<Fetched>();
    let mut fetching: Option<tokio::task::JoinHandle<()>> = None;
    // Sources to (re)fill from, set on open and after every Live Tail session ends.
    let mut fill: Option<Vec<Millis>> = Some(vec![engine.spec.since; engine.spec.sources.len()]);
    let mut live: Option<LiveTail> = None;
    // A session delivers what is ingested after it started: fills wait for that moment.
    let mut live_started = false;
    let mut live_at = if config.live_tail {
        Some(Instant::now())
    } else {
        engine.status.transport = Transport::Polling;
        engine.status.fallback = Some("Live Tail is off".into());
        None
    };
    let mut live_failures = 0u32;
    let mut arns: Option<Vec<String>> = None;
    let mut next_poll = Instant::now();
    // After a failed query, the next fill waits a little (the status tick wakes the loop for it).
    let mut fill_after = Instant::now();
    // Where the query in flight started, to fill it again if it fails.
    let mut running_from: Option<Vec<Millis>> = None;
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut revisions_at = Instant::now();
    let (rev_tx, mut rev_rx) = mpsc::unbounded_channel::<Result<TailUpdate, ApiError>>();
    let mut revisions_running = false;

    loop {
        // Open a Live Tail session when it is time to (first thing, and after a session ends).
        if live.is_none() && live_at.is_some_and(|at| Instant::now() >= at) {
            if arns.is_none() {
                match group_arns(api.as_ref(), &engine.spec.sources).await {
                    Ok(a) => arns = Some(a),
                    Err(e) => {
                        engine.status.fallback =
                            Some(format!("Live Tail needs the group ARN: {e}"));
                    }
                }
            }
            let opened = match &arns {
                Some(arns) if arns.len() <= 10 => {
                    let streams = match engine.spec.sources.as_slice() {
                        [one] => one.streams.clone(),
                        _ => StreamSelector::All,
                    };
                    let req = LiveTailRequest {
                        group_arns: arns.clone(),
                        streams,
                        pattern: engine.spec.pattern.clone(),
                    };
                    Some(api.start_live_tail(&req).await)
                }
                Some(_) => {
                    engine.status.fallback = Some("Live Tail takes at most 10 log groups".into());
                    None
                }
                None => None,
            };
            match opened {
                Some(Ok(stream)) => {
                    live = Some(stream);
                    live_started = false;
                    live_at = None;
                }
                Some(Err(ApiError::Invalid { action, message }))
                    if engine.spec.pattern.is_some()
                        && message.to_lowercase().contains("pattern") =>
                {
                    engine.spec.pattern = None;
                    (engine.emit)(TailUpdate::PatternRejected(ApiError::Invalid {
                        action,
                        message,
                    }));
                    live_at = Some(Instant::now());
                    continue;
                }
                Some(Err(e)) => {
                    live_failures += 1;
                    // A refusal (access, limit, endpoint) means polling for a good while; a network blip,
                    // a quick retry.
                    let wait = if e.is_transient() && live_failures < 3 {
                        config.backoff.pause(live_failures)
                    } else {
                        config.live_retry
                    };
                    tracing::warn!(error = %e, detail = ?e, "StartLiveTail failed; polling");
                    engine.status.fallback = Some(format!("Live Tail unavailable: {e}"));
                    engine.status.transport = Transport::Polling;
                    live_at = Some(Instant::now() + wait);
                }
                None => {
                    engine.status.transport = Transport::Polling;
                    live_at = Some(Instant::now() + config.live_retry);
                }
            }
            engine.publish(false);
        }

        // Start a query when one is due and none is running.
        let polling = live.is_none();
        if fetching.is_none() {
            let due = if fill.is_some() && (polling || live_started) && Instant::now() >= fill_after
            {
                fill.take()
            } else if polling && Instant::now() >= next_poll {
                Some(engine.starts())
            } else {
                None
            };
            if let Some(starts) = due {
                running_from = Some(starts.clone());
                engine.marks = Some(engine.marks_now());
                fetching = Some(super::spawn(fetch(
                    api.clone(),
                    pacer.clone(),
                    config.backoff,
                    engine.spec.sources.clone(),
                    starts,
                    engine.spec.pattern.clone(),
                    tx.clone(),
                )));
            }
        }

        // Task revisions of a service tail, now and then, in the background.
        if let Some((cluster, service)) = engine.spec.service.clone()
            && !revisions_running
            && Instant::now() >= revisions_at
        {
            revisions_running = true;
            let api = api.clone();
            let rev_tx = rev_tx.clone();
            super::spawn(async move {
                let _ = rev_tx.send(revisions(api.as_ref(), &cluster, &service).await);
            });
        }

        let poll_wait = polling && fetching.is_none() && Instant::now() < next_poll;
        let retry_wait = polling && live_at.is_some_and(|at| Instant::now() < at);
        let next_live = async {
            match live.as_mut() {
                Some(s) => s.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            item = next_live => match item {
                Some(Ok(LiveTailItem::Started { .. })) => {
                    // The session delivers whatever arrives late from now on: polls no longer need to
                    // reach back to their predecessor's start.
                    engine.floor = None;
                    engine.status.transport = Transport::LiveTail;
                    engine.status.sessions += 1;
                    engine.status.error = None;
                    live_failures = 0;
                    live_started = true;
                    // Fill what happened before this session: the first window, or the gap since the last
                    // session or poll.
                    fill = Some(merge(fill.take(), engine.starts()));
                    engine.publish(false);
                }
                Some(Ok(LiveTailItem::Update { events, sampled })) => {
                    if sampled {
                        // AWS dropped some of this second's events: poll the window to get them back.
                        engine.status.sampled_updates += 1;
                        if fill.is_none() && fetching.is_none() {
                            fill = Some(engine.starts());
                        }
                    }
                    let mut by_source: Vec<Vec<LogEvent>> = vec![vec![]; engine.spec.sources.len()];
                    for e in events {
                        let i = source_of(&engine.spec.sources, arns.as_deref(), &e);
                        if let Some(bucket) = by_source.get_mut(i) {
                            bucket.push(e);
                        }
                    }
                    for (i, events) in by_source.into_iter().enumerate() {
                        if !events.is_empty() {
                            engine.ingest(i, events, Via::Live);
                        }
                    }
                }
                Some(Err(e)) => {
                    tracing::info!(error = %e, "Live Tail session failed; reconnecting");
                    engine.status.error = Some(e);
                    live = None;
                    live_failures += 1;
                    live_at = Some(Instant::now() + config.backoff.pause(live_failures));
                    fill = Some(merge(fill.take(), engine.starts()));
                    engine.status.transport = Transport::Connecting;
                }
                None => {
                    tracing::info!("Live Tail session ended; reconnecting");
                    live = None;
                    live_at = Some(Instant::now());
                    fill = Some(merge(fill.take(), engine.starts()));
                    engine.status.transport = Transport::Connecting;
                }
            },
            Some(f) = rx.recv() => match f {
                Fetched::Page(i, events) => {
                    engine.status.error = None;
                    engine.ingest(i, events, Via::Poll);
                }
                Fetched::Throttled(e) => {
                    if matches!(e, ApiError::Throttled { .. }) {
                        engine.status.throttles += 1;
                    }
                    engine.status.error = Some(e);
                }
                Fetched::Done => {
                    fetching = None;
                    let marks = engine.marks.take();
                    if live.is_none() {
                        engine.floor = marks;
                    }
                    engine.status.backfilled = true;
                    next_poll = Instant::now() + config.poll_interval;
                    engine.prune();
                    engine.publish(false);
                }
                Fetched::Failed(e) => {
                    // The screen says it in one line; the log file keeps the whole error.
                    tracing::warn!(error = %e, detail = ?e, "FilterLogEvents failed");
                    fetching = None;
                    engine.marks = None;
                    if let (ApiError::Invalid { .. }, Some(_)) = (&e, &engine.spec.pattern) {
                        engine.spec.pattern = None;
                        (engine.emit)(TailUpdate::PatternRejected(e));
                        fill = Some(merge(fill.take(), engine.starts()));
                        // Live Tail was opened with the pattern: reopen without it.
                        live = None;
                        live_at = live_at.or(Some(Instant::now())).filter(|_| config.live_tail);
                    } else {
                        // Keep the range it was filling (nothing is given up), and try again in a while.
                        let from = running_from.take().unwrap_or_else(|| engine.starts());
                        fill = Some(merge(fill.take(), from));
                        engine.status.error = Some(e);
                        next_poll = Instant::now() + config.poll_interval.max(Duration::from_secs(5));
                        fill_after = next_poll;
                    }
                    engine.publish(false);
                }
            },
            Some(r) = rev_rx.recv() => {
                revisions_running = false;
                revisions_at = Instant::now() + config.revisions_every;
                match r {
                    Ok(u) => (engine.emit)(u),
                    Err(e) => tracing::warn!(error = %e, detail = ?e, "task revisions for the tail failed"),
                }
            }
            // Poll on time, not on the next status tick.
            _ = tokio::time::sleep_until(next_poll.into()), if poll_wait => {}
            // A Live Tail retry that is due while polling.
            _ = tokio::time::sleep_until(live_at.unwrap_or(next_poll).into()), if retry_wait => {}
            _ = ticker.tick() => engine.publish(false),
        }
    }
}

/// The source a Live Tail event belongs to: the one of its group (Live Tail names it by ARN or name), so
/// that groups whose stream names overlap keep their own watermarks. An event that names no group falls
/// back to the first source whose streams take its stream name.
fn source_of(sources: &[LogSource], arns: Option<&[String]>, e: &LogEvent) -> usize {
    let bare = |g: &str| g.strip_suffix(":*").unwrap_or(g).to_owned();
    let by_group = e.log_group.as_deref().map(bare).and_then(|group| {
        arns.and_then(|arns| arns.iter().position(|a| bare(a) == group))
            .or_else(|| sources.iter().position(|s| s.group == group))
    });
    by_group
        .or_else(|| {
            sources
                .iter()
                .position(|s| s.streams.matches(&e.log_stream_name))
        })
        .unwrap_or(0)
}

fn merge(a: Option<Vec<Millis>>, b: Vec<Millis>) -> Vec<Millis> {
    match a {
        Some(a) => a.into_iter().zip(b).map(|(x, y)| x.min(y)).collect(),
        None => b,
    }
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
