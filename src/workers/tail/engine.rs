//! The tail loop: Live Tail first, FilterLogEvents polling as the fallback and to backfill and fill gaps after reconnects.

use super::rate::Rate;
use super::*;
use crate::aws::*;
use crate::model::logs::LogLine;
use crate::protocol::TailStatus;
use crate::protocol::TailUpdate;
use crate::protocol::Transport;
use futures::StreamExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A Live Tail session that ends on its own this soon after starting counts as a failed one (see the loop):
/// AWS's sessions last up to three hours and push once a second; an endpoint that closes every stream (moto)
/// ends them within milliseconds.
const SHORT_SESSION: Duration = Duration::from_millis(250);

pub(super) enum Fetched {
    Page(usize, Vec<LogEvent>),
    Throttled(ApiError),
    Done,
    Failed(ApiError),
}

/// Everything one tail keeps between events.
pub(super) struct Engine<E: Fn(TailUpdate)> {
    spec: TailSpec,
    config: TailConfig,
    emit: E,
    seen: Seen,
    names: Interner,
    /// Newest timestamp seen per source.
    high: Vec<Option<Millis>>,
    status: TailStatus,
    rate: Rate,
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
        self.rate
            .add(Instant::now(), lines.iter().map(|l| l.timestamp));
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
        self.status.events_per_second = self.rate.per_second(Instant::now());
        if force || self.last_status.as_ref() != Some(&self.status) {
            self.last_status = Some(self.status.clone());
            (self.emit)(TailUpdate::Status(self.status.clone()));
        }
    }
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
        rate: Rate::new(Instant::now(), crate::workers::clock::now_ms()),
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
    // When the current Live Tail session started, and how many sessions in a row ended soon after starting.
    let mut live_since: Option<Instant> = None;
    let mut short_sessions = 0u32;
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
                fetching = Some(crate::workers::spawn(fetch(
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
            crate::workers::spawn(async move {
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
                    engine.seen.new_live_session();
                    engine.status.error = None;
                    live_failures = 0;
                    live_started = true;
                    live_since = Some(Instant::now());
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
                    // AWS ends a session after hours: reconnect at once. Sessions that keep ending soon after
                    // they start (an endpoint that closes every stream) are retried with backoff, never in a
                    // tight loop — each StartLiveTail is billed and limited per account.
                    let short = live_since
                        .take()
                        .is_none_or(|since| since.elapsed() < SHORT_SESSION);
                    short_sessions = if short { short_sessions + 1 } else { 0 };
                    // The first short one reconnects at once too (its gap is filled as usual).
                    let wait = if short_sessions > 1 {
                        config.backoff.pause(short_sessions - 1)
                    } else {
                        Duration::ZERO
                    };
                    tracing::info!(
                        short_sessions,
                        wait_ms = wait.as_millis() as u64,
                        "Live Tail session ended; reconnecting"
                    );
                    live = None;
                    live_at = Some(Instant::now() + wait);
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
pub(super) fn source_of(sources: &[LogSource], arns: Option<&[String]>, e: &LogEvent) -> usize {
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

pub(super) fn merge(a: Option<Vec<Millis>>, b: Vec<Millis>) -> Vec<Millis> {
    match a {
        Some(a) => a.into_iter().zip(b).map(|(x, y)| x.min(y)).collect(),
        None => b,
    }
}
