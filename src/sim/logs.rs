//! Simulated CloudWatch Logs: every task of the fleet writes to `/ecs/<cluster>/<service>` in streams named
//! `ecs/<container>/<task-id>` at a steady rate, with plain and JSON lines, bursts that share a millisecond,
//! events that arrive late, and errors from the failing revision of a bad rollout.
//!
//! Nothing is stored: event `k` of a stream is a pure function of the stream and `k`, so any time range can be
//! produced on demand and tests can compute exactly what a tail should have shown ([`LogSim::truth`]).
//! An event exists for readers once the clock passes its ingestion time, like in CloudWatch.
//!
//! Why one file of ~700 lines: the store and the pure event function it pages through are one idea — every
//! reader (groups, streams, filter, stream pages, Live Tail's `ingested_between`, the tests' `truth`) walks
//! the same private stream type and cursor.

pub use crate::aws::FilterPattern as Pattern;
use crate::aws::*;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// How long after its timestamp an event can become visible at most (late events).
pub const MAX_DELAY_MS: Millis = 20_000;
/// FilterLogEvents returns at most this many events per page (an AWS limit).
pub const FILTER_PAGE: usize = 10_000;
/// Live Tail pushes at most this many events per update; above that it samples (an AWS limit).
pub const LIVE_TAIL_MAX_EVENTS: usize = 500;
/// FilterLogEvents scans the time range in slices; a slice with nothing in it is an empty page with a token.
const SLICE_MS: Millis = 60_000;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    App { failing: bool },
    Sidecar,
    Flow,
}

#[derive(Debug, Clone)]
struct SimStream {
    name: String,
    start: Millis,
    end: Option<Millis>,
    seed: u64,
    period_ms: f64,
    kind: Kind,
    /// Every event arrives this long after its timestamp (a writer that sends late); None: varied.
    delay: Option<Millis>,
}

#[derive(Debug, Clone)]
struct SimGroup {
    name: String,
    arn: String,
    created: Millis,
    retention: Option<i32>,
    streams: Vec<SimStream>,
}

pub struct LogSim {
    groups: RwLock<Vec<SimGroup>>,
    by_name: RwLock<HashMap<String, usize>>,
    rate: f64,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn seed_of(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

pub fn group_arn(name: &str) -> String {
    format!(
        "arn:aws:logs:{}:{}:log-group:{name}",
        super::REGION,
        super::ACCOUNT
    )
}

const PATHS: &[&str] = &[
    "/api/v1/orders",
    "/api/v1/cart",
    "/api/v1/users/me",
    "/api/v1/catalog/items",
    "/health",
    "/api/v1/checkout",
];

impl SimStream {
    fn base(&self, k: u64) -> Millis {
        self.start + (k as f64 * self.period_ms) as Millis
    }

    /// Event `k`: (timestamp, ingestion time, message). One in eight shares its predecessor's millisecond.
    fn event(&self, k: u64) -> (Millis, Millis, String) {
        let h = mix(self.seed ^ k.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let ts = if k > 0 && h.is_multiple_of(8) {
            self.base(k - 1)
        } else {
            self.base(k)
        };
        let delay = if let Some(fixed) = self.delay {
            fixed
        } else if h.is_multiple_of(33) {
            5_000 + (h >> 8) as Millis % (MAX_DELAY_MS - 5_000)
        } else {
            200 + (h >> 8) as Millis % 1_200
        };
        (ts, ts + delay, self.message(k, h, ts))
    }

    fn message(&self, k: u64, h: u64, ts: Millis) -> String {
        let roll = (h >> 16) % 100;
        let path = PATHS
            .get(((h >> 24) % PATHS.len() as u64) as usize)
            .copied()
            .unwrap_or("/");
        let ms = 3 + (h >> 32) % 240;
        let trace = (h >> 12) & 0xffff_ffff;
        match self.kind {
            Kind::App { failing: true } if roll < 35 => {
                if roll.is_multiple_of(2) {
                    format!(
                        "ERROR health check failed: GET /health returned 503 (database connection refused) seq={k}"
                    )
                } else {
                    format!(
                        r#"{{"level":"error","msg":"unhandled exception","error":"NullPointerException at CheckoutController.java:88","path":"{path}","trace_id":"{trace:08x}","seq":{k}}}"#
                    )
                }
            }
            Kind::App { .. } => match roll {
                0..=1 => format!(
                    "ERROR upstream payments-api timed out after 5000 ms trace={trace:08x} seq={k}"
                ),
                2..=6 => format!("WARN slow query on orders: {} ms seq={k}", 800 + ms * 7),
                7..=30 => format!(
                    r#"{{"level":"info","msg":"request completed","method":"GET","path":"{path}","status":200,"duration_ms":{ms},"trace_id":"{trace:08x}","seq":{k}}}"#
                ),
                31..=35 => format!("DEBUG cache hit ratio 0.{} seq={k}", 60 + roll),
                // Many frameworks colour their console output, and awslogs keeps the escape codes.
                36..=39 => format!(
                    "\x1b[32mINFO\x1b[0m \x1b[2m[worker]\x1b[0m job \x1b[1morders.sync\x1b[0m finished in {ms} ms seq={k}"
                ),
                _ => format!("INFO GET {path} 200 {ms}ms trace={trace:08x} seq={k}"),
            },
            Kind::Sidecar => format!(
                "[{}] [ info] [output:cloudwatch_logs:cloudwatch_logs.0] flushed {} records seq={k}",
                ts / 1000,
                1 + roll
            ),
            Kind::Flow => format!(
                "2 123456789012 eni-0a1b2c3d 10.0.{}.{} 10.0.9.{} 443 {} 6 {} {} {} {} ACCEPT OK seq={k}",
                (h >> 8) & 0xff,
                (h >> 16) & 0xff,
                (h >> 24) & 0xff,
                1024 + (h >> 32) % 60000,
                1 + roll,
                roll * 1500,
                ts / 1000,
                ts / 1000 + 60,
            ),
        }
    }

    /// Event `k` as the API returns it.
    fn log_event(&self, k: u64, timestamp: Millis, ingested: Millis, message: String) -> LogEvent {
        LogEvent {
            event_id: Some(self.event_id(k)),
            log_group: None,
            log_stream_name: self.name.clone(),
            timestamp,
            ingestion_time: Some(ingested),
            message,
        }
    }

    fn event_id(&self, k: u64) -> String {
        // AWS's ids are long digit strings; ours are unique per (stream, k).
        format!("{:020}{:016}", self.seed, k)
    }

    /// Events with timestamp in `[from, to]` that are visible at `now`, in `k` order.
    fn events_in(
        &self,
        from: Millis,
        to: Millis,
        now: Millis,
        out: &mut Vec<(Millis, u64, Millis, String)>,
    ) {
        let to = match self.end {
            Some(end) => to.min(end),
            None => to,
        };
        if to < self.start || to < from {
            return;
        }
        let k_lo = (((from - self.start) as f64 / self.period_ms).floor() as i64 - 1).max(0) as u64;
        let k_hi = ((to - self.start) as f64 / self.period_ms).floor() as i64 + 1;
        for k in k_lo..=(k_hi.max(0) as u64) {
            let (ts, ingested, msg) = self.event(k);
            if ts >= from && ts <= to && ingested <= now {
                out.push((ts, k, ingested, msg));
            }
        }
    }
}

/// (timestamp, stream index, sequence): the order of events in FilterLogEvents pages.
type Cursor = (Millis, usize, u64);

fn decode_token(t: &str) -> Option<(Millis, Option<Cursor>)> {
    let mut parts = t.strip_prefix("simlogs:")?.split(':');
    let slice: Millis = parts.next()?.parse().ok()?;
    match parts.next()? {
        "-" => Some((slice, None)),
        ts => Some((
            slice,
            Some((
                ts.parse().ok()?,
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
            )),
        )),
    }
}

impl LogSim {
    // A poisoned lock only means a thread panicked while holding it; the groups are plain data, still usable.
    fn groups(&self) -> RwLockReadGuard<'_, Vec<SimGroup>> {
        self.groups.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn groups_mut(&self) -> RwLockWriteGuard<'_, Vec<SimGroup>> {
        self.groups.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn from_fleet(fleet: &super::Fleet, rate: f64) -> LogSim {
        let mut groups = Vec::new();
        for c in &fleet.clusters {
            // Tasks by service, in one pass: filtering all tasks once per service was quadratic (2,000
            // services x 20,000 tasks held the demo's first frame back by ~60 ms).
            let mut tasks_of: Vec<Vec<&super::fleet::SimTask>> = vec![Vec::new(); c.services.len()];
            for t in &c.tasks {
                if let Some(list) = tasks_of.get_mut(t.service) {
                    list.push(t);
                }
            }
            for (si, s) in c.services.iter().enumerate() {
                let name = format!("/ecs/{}/{}", c.cluster.cluster_name, s.service.service_name);
                let newest = super::fleet::revision_of(&s.service.task_definition);
                let failing_rollout = s
                    .service
                    .deployments
                    .iter()
                    .any(|d| d.rollout_state.as_deref() == Some("FAILED"));
                let mut streams = Vec::new();
                for t in tasks_of.get(si).into_iter().flatten() {
                    for (i, container) in s.containers.iter().enumerate() {
                        let kind = if i == 0 {
                            Kind::App {
                                failing: failing_rollout && t.revision == newest,
                            }
                        } else {
                            Kind::Sidecar
                        };
                        streams.push(Self::stream(
                            format!("ecs/{container}/{}", t.id),
                            t.started_at,
                            t.stopped.then_some(t.started_at + 600_000),
                            kind,
                            rate,
                        ));
                    }
                }
                groups.push(SimGroup {
                    arn: group_arn(&name),
                    name,
                    created: fleet.epoch_ms - 90 * 86_400_000,
                    retention: Some(30),
                    streams,
                });
            }
        }
        for (name, n) in [
            ("/aws/vpc/flow-logs/prod", 3),
            ("/aws/lambda/rotate-secrets", 1),
        ] {
            let streams = (0..n)
                .map(|i| {
                    Self::stream(
                        format!("eni-0a1b2c3d{i}-all"),
                        fleet.epoch_ms - 86_400_000,
                        None,
                        Kind::Flow,
                        rate,
                    )
                })
                .collect();
            groups.push(SimGroup {
                arn: group_arn(name),
                name: name.into(),
                created: fleet.epoch_ms - 400 * 86_400_000,
                retention: None,
                streams,
            });
        }
        groups.sort_by(|a, b| a.name.cmp(&b.name));
        let by_name = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (g.name.clone(), i))
            .collect();
        LogSim {
            groups: RwLock::new(groups),
            by_name: RwLock::new(by_name),
            rate,
        }
    }

    fn stream(
        name: String,
        start: Millis,
        end: Option<Millis>,
        kind: Kind,
        rate: f64,
    ) -> SimStream {
        let rate = match kind {
            Kind::Sidecar => rate / 4.0,
            _ => rate,
        }
        .max(0.001);
        SimStream {
            seed: seed_of(&name),
            name,
            start,
            end,
            period_ms: 1000.0 / rate,
            kind,
            delay: None,
        }
    }

    /// Starts a new stream in `group` (creating the group if needed), as a task starting would.
    /// `rate` overrides the simulator's lines per second for this stream.
    pub fn add_stream(&self, group: &str, stream: &str, start: Millis, rate: Option<f64>) {
        self.add_stream_delayed(group, stream, start, rate, None);
    }

    /// Like [`LogSim::add_stream`], but every event of the stream arrives `delay` ms (at most
    /// [`MAX_DELAY_MS`]) after its timestamp (None: varied, like `add_stream`).
    pub fn add_stream_delayed(
        &self,
        group: &str,
        stream: &str,
        start: Millis,
        rate: Option<f64>,
        delay: Option<Millis>,
    ) {
        let mut s = Self::stream(
            stream.into(),
            start,
            None,
            Kind::App { failing: false },
            rate.unwrap_or(self.rate),
        );
        s.delay = delay.map(|d| d.clamp(0, MAX_DELAY_MS));
        let mut groups = self.groups_mut();
        let mut by_name = self.by_name.write().unwrap_or_else(PoisonError::into_inner);
        match by_name.get(group) {
            Some(&i) => {
                if let Some(g) = groups.get_mut(i) {
                    g.streams.push(s);
                }
            }
            None => {
                by_name.insert(group.into(), groups.len());
                groups.push(SimGroup {
                    name: group.into(),
                    arn: group_arn(group),
                    created: start,
                    retention: None,
                    streams: vec![s],
                });
            }
        }
    }

    /// A task's stream starting (the moving simulator); `failing`: its lines are a bad revision's errors.
    pub fn add_task_stream(&self, group: &str, stream: &str, start: Millis, failing: bool) {
        let s = Self::stream(
            stream.into(),
            start,
            None,
            if stream.starts_with("ecs/log-router/") {
                Kind::Sidecar
            } else {
                Kind::App { failing }
            },
            self.rate,
        );
        let mut groups = self.groups_mut();
        if let Some(&i) = self
            .by_name
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(group)
            && let Some(g) = groups.get_mut(i)
        {
            g.streams.push(s);
        }
    }

    /// Stops a stream at `end` (a task stopping).
    pub fn end_stream(&self, group: &str, stream: &str, end: Millis) {
        let Some(&i) = self
            .by_name
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(group)
        else {
            return;
        };
        if let Some(s) = self
            .groups_mut()
            .get_mut(i)
            .and_then(|g| g.streams.iter_mut().find(|s| s.name == stream))
        {
            s.end = Some(end);
        }
    }

    pub fn describe_groups(
        &self,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogGroupPage, ApiError> {
        let groups = self.groups();
        let matching: Vec<&SimGroup> = groups
            .iter()
            .filter(|g| prefix.is_none_or(|p| g.name.starts_with(p)))
            .collect();
        let start = match next_token {
            None => 0,
            Some(t) => t
                .strip_prefix("simgroups:")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    invalid(
                        "logs:DescribeLogGroups",
                        "The specified nextToken is invalid.",
                    )
                })?,
        };
        let end = (start + 50).min(matching.len());
        Ok(LogGroupPage {
            groups: matching
                .get(start.min(end)..end)
                .unwrap_or_default()
                .iter()
                .map(|g| LogGroup {
                    log_group_name: g.name.clone(),
                    log_group_arn: Some(g.arn.clone()),
                    creation_time: Some(g.created),
                    retention_in_days: g.retention,
                    stored_bytes: Some(g.streams.len() as i64 * 48_213_771),
                })
                .collect(),
            next_token: (end < matching.len()).then(|| format!("simgroups:{end}")),
        })
    }

    pub fn describe_streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        next_token: Option<String>,
        now: Millis,
    ) -> Result<LogStreamPage, ApiError> {
        let groups = self.groups();
        let g = self.group(&groups, group)?;
        let mut streams: Vec<LogStream> = g
            .streams
            .iter()
            .filter(|s| prefix.is_none_or(|p| s.name.starts_with(p)))
            .map(|s| LogStream {
                log_stream_name: s.name.clone(),
                first_event_timestamp: Some(s.start),
                last_event_timestamp: Some(s.end.unwrap_or(now).min(now)),
            })
            .collect();
        if prefix.is_some() {
            streams.sort_by(|a, b| a.log_stream_name.cmp(&b.log_stream_name));
        } else {
            streams.sort_by_key(|s| std::cmp::Reverse(s.last_event_timestamp));
        }
        let start: usize = match next_token {
            None => 0,
            Some(t) => t
                .strip_prefix("simstreams:")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    invalid(
                        "logs:DescribeLogStreams",
                        "The specified nextToken is invalid.",
                    )
                })?,
        };
        let end = (start + 50).min(streams.len());
        Ok(LogStreamPage {
            streams: streams
                .get(start.min(end)..end)
                .unwrap_or_default()
                .to_vec(),
            next_token: (end < streams.len()).then(|| format!("simstreams:{end}")),
        })
    }

    fn group<'a>(&self, groups: &'a [SimGroup], name: &str) -> Result<&'a SimGroup, ApiError> {
        let i = self
            .by_name
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .copied();
        i.and_then(|i| groups.get(i)).ok_or_else(|| {
            ApiError::NotFound(format!("The specified log group does not exist: {name}"))
        })
    }

    /// One FilterLogEvents page at `now`: events interleaved in (timestamp, stream, sequence) order; the range
    /// is scanned one slice at a time, so a quiet slice is an empty page that still carries a token.
    pub fn filter(&self, req: &FilterRequest, now: Millis) -> Result<FilterPage, ApiError> {
        const ACTION: &str = "logs:FilterLogEvents";
        if !req.stream_names.is_empty() && req.stream_prefix.is_some() {
            return Err(invalid(
                ACTION,
                "you cannot specify both logStreamNames and logStreamNamePrefix",
            ));
        }
        if req.stream_names.len() > 100 {
            return Err(invalid(ACTION, "at most 100 logStreamNames"));
        }
        let pattern = Pattern::parse(req.pattern.as_deref()).map_err(|m| invalid(ACTION, &m))?;
        let groups = self.groups();
        let g = self.group(&groups, &req.group)?;
        let end = req.end.unwrap_or(now).min(now);
        let (slice, after) = match &req.next_token {
            None => (req.start, None),
            Some(t) => decode_token(t)
                .ok_or_else(|| invalid(ACTION, "The specified nextToken is invalid."))?,
        };
        let slice_end = (slice + SLICE_MS - 1).min(end);
        let mut found: Vec<(Millis, usize, u64, Millis, String)> = Vec::new();
        let mut buf = Vec::new();
        for (si, s) in g.streams.iter().enumerate() {
            let wanted = if !req.stream_names.is_empty() {
                req.stream_names.contains(&s.name)
            } else {
                req.stream_prefix
                    .as_ref()
                    .is_none_or(|p| s.name.starts_with(p.as_str()))
            };
            if !wanted {
                continue;
            }
            buf.clear();
            s.events_in(slice, slice_end, now, &mut buf);
            for (ts, k, ingested, msg) in buf.drain(..) {
                if after.is_none_or(|a| (ts, si, k) > a) && pattern.matches(&msg) {
                    found.push((ts, si, k, ingested, msg));
                }
            }
        }
        found.sort_by_key(|e| (e.0, e.1, e.2));
        let more_in_slice = found.len() > FILTER_PAGE;
        found.truncate(FILTER_PAGE);
        let next_token = if more_in_slice && let Some((ts, si, k, ..)) = found.last() {
            Some(format!("simlogs:{slice}:{ts}:{si}:{k}"))
        } else if slice_end < end {
            Some(format!("simlogs:{}:-", slice_end + 1))
        } else {
            None
        };
        Ok(FilterPage {
            events: found
                .into_iter()
                .filter_map(|(ts, si, k, ingested, message)| {
                    Some(g.streams.get(si)?.log_event(k, ts, ingested, message))
                })
                .collect(),
            next_token,
        })
    }

    /// GetLogEvents: one stream, oldest first, 1,000 per page.
    pub fn stream_page(
        &self,
        group: &str,
        stream: &str,
        start: Option<Millis>,
        next_token: Option<String>,
        now: Millis,
    ) -> Result<StreamPage, ApiError> {
        let groups = self.groups();
        let g = self.group(&groups, group)?;
        let s = g.streams.iter().find(|s| s.name == stream).ok_or_else(|| {
            ApiError::NotFound(format!("The specified log stream does not exist: {stream}"))
        })?;
        let from: Millis = match next_token {
            Some(t) => t
                .strip_prefix("f/")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    invalid("logs:GetLogEvents", "The specified nextToken is invalid.")
                })?,
            None => start.unwrap_or(now - 3_600_000).max(s.start),
        };
        let mut buf = Vec::new();
        s.events_in(from, now, now, &mut buf);
        buf.sort_by_key(|e| (e.0, e.1));
        buf.truncate(1_000);
        let next = buf.last().map(|e| e.0 + 1).unwrap_or(from);
        Ok(StreamPage {
            events: buf
                .into_iter()
                .map(|(ts, k, ingested, message)| s.log_event(k, ts, ingested, message))
                .collect(),
            next_forward_token: Some(format!("f/{next}")),
        })
    }

    /// Events ingested in `(after, upto]` of the streams selected, for a Live Tail update.
    pub fn ingested_between(
        &self,
        arns: &[String],
        streams: &StreamSelector,
        pattern: &Pattern,
        after: Millis,
        upto: Millis,
    ) -> Vec<LogEvent> {
        let groups = self.groups();
        let mut out = Vec::new();
        let mut buf = Vec::new();
        for g in groups.iter().filter(|g| arns.contains(&g.arn)) {
            for s in g.streams.iter().filter(|s| streams.matches(&s.name)) {
                buf.clear();
                s.events_in(after - MAX_DELAY_MS - 1, upto, upto, &mut buf);
                for (ts, _, ingested, message) in buf.drain(..) {
                    if ingested > after && pattern.matches(&message) {
                        out.push(LogEvent {
                            event_id: None,
                            log_group: Some(g.arn.clone()),
                            log_stream_name: s.name.clone(),
                            timestamp: ts,
                            ingestion_time: Some(ingested),
                            message,
                        });
                    }
                }
            }
        }
        out.sort_by_key(|e| e.ingestion_time);
        out
    }

    /// Ground truth for tests: every event of the selected streams with timestamp in `[from, to]` that is
    /// visible at `now`, in (timestamp, stream, sequence) order.
    pub fn truth(
        &self,
        group: &str,
        streams: &StreamSelector,
        from: Millis,
        to: Millis,
        now: Millis,
    ) -> Vec<LogEvent> {
        let groups = self.groups();
        let Ok(g) = self.group(&groups, group) else {
            return vec![];
        };
        let mut all = Vec::new();
        let mut buf = Vec::new();
        for (si, s) in g
            .streams
            .iter()
            .enumerate()
            .filter(|(_, s)| streams.matches(&s.name))
        {
            buf.clear();
            s.events_in(from, to, now, &mut buf);
            for (ts, k, ingested, message) in buf.drain(..) {
                all.push(((ts, si, k), s.log_event(k, ts, ingested, message)));
            }
        }
        all.sort_by_key(|e| e.0);
        all.into_iter().map(|(_, e)| e).collect()
    }

    pub fn has_group_arn(&self, arn: &str) -> bool {
        self.groups().iter().any(|g| g.arn == arn)
    }
}

fn invalid(action: &str, message: &str) -> ApiError {
    ApiError::Invalid {
        action: action.into(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_a_pure_function_of_stream_and_sequence() {
        let s = LogSim::stream(
            "ecs/web/abc".into(),
            1_000_000,
            None,
            Kind::App { failing: false },
            10.0,
        );
        assert_eq!(s.event(42), s.event(42));
        let mut a = Vec::new();
        s.events_in(1_000_000, 1_010_000, 2_000_000, &mut a);
        assert!((95..=101).contains(&a.len()), "{}", a.len());
        // Nothing is visible before it is ingested.
        let mut b = Vec::new();
        s.events_in(1_000_000, 1_010_000, 1_000_000, &mut b);
        assert!(b.is_empty());
    }
}
