//! The simulated fleet behind the same [`Api`] trait as the SDK: `--demo`, screenshots, benchmarks, and the
//! paging / throttling / outage tests that moto cannot do (moto does not page).
//!
//! Pages and batches follow AWS's limits exactly; every call sleeps the configured latency and is counted.
//! Tasks are stored compactly and materialised on DescribeTasks, so a 20,000-task fleet costs little memory.

mod deploy;
mod fleet;
pub mod logs;
pub mod metrics;

use crate::aws::*;
use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A lock whose holder panicked still guards consistent simulator data (every update is one assignment or
/// push), so the demo goes on rather than dying with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
use std::time::{Duration, Instant};

pub use deploy::{Record, breaker_threshold};
pub use fleet::{Fleet, Phase, SimService, SimTask};
pub use logs::LogSim;
pub use metrics::MetricSim;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Services in the `production` cluster (None: the believable ~40-service demo fleet over 3 clusters).
    pub services: Option<usize>,
    /// Running tasks per generated service (None: 1 to 6, varied).
    pub tasks_per_service: Option<usize>,
    /// Time every call takes.
    pub latency: Duration,
    /// Time each FilterLogEvents page takes instead of `latency` (AWS can take seconds a page on big groups;
    /// events keep arriving meanwhile).
    pub filter_page_latency: Option<Duration>,
    /// A token bucket shared by all calls, like the account's ECS API limit: (calls per second, burst).
    pub rate_limit: Option<(f64, f64)>,
    /// Every call fails as if AWS were unreachable between these two offsets from the simulator's start.
    pub outage: Option<(Duration, Duration)>,
    /// Base time for every timestamp the fleet reports (epoch ms). Fixed in tests for stable snapshots.
    pub epoch_ms: Millis,
    pub seed: u64,
    /// Log lines per second written by each task's main container (sidecars write a quarter of that).
    pub log_rate: f64,
    /// How Live Tail behaves (push interval, session length, session limit).
    pub live_tail: LiveTailSim,
    /// The fleet moves: each `pace` a task advances one phase (PROVISIONING, PENDING, RUNNING, healthy,
    /// draining, stopped) and the scheduler acts. None: a still fleet (snapshots), changed only by calls.
    pub pace: Option<Duration>,
    /// `--demo`: a few seconds after start, a bad revision of `search` is deployed, fails its health checks,
    /// trips the circuit breaker and rolls back.
    pub demo_deploy: bool,
}

/// Live Tail as AWS runs it: one push per second, sessions end after 3 hours, 15 sessions per account.
#[derive(Debug, Clone)]
pub struct LiveTailSim {
    pub push_interval: Duration,
    pub session_length: Duration,
    pub max_sessions: usize,
}

impl Default for LiveTailSim {
    fn default() -> Self {
        LiveTailSim {
            push_interval: Duration::from_secs(1),
            session_length: Duration::from_secs(3 * 3600),
            max_sessions: 15,
        }
    }
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            services: None,
            tasks_per_service: None,
            latency: Duration::from_millis(40),
            filter_page_latency: None,
            rate_limit: None,
            outage: None,
            epoch_ms: 1_763_700_000_000,
            seed: 7,
            log_rate: 1.0,
            live_tail: LiveTailSim::default(),
            pace: None,
            demo_deploy: false,
        }
    }
}

/// One counter per API operation, readable by tests and benchmarks.
#[derive(Debug, Default)]
pub struct CallCounts {
    pub list_clusters: AtomicU64,
    pub describe_clusters: AtomicU64,
    pub list_services: AtomicU64,
    pub describe_services: AtomicU64,
    pub list_tasks: AtomicU64,
    pub describe_tasks: AtomicU64,
    pub describe_task_definition: AtomicU64,
    pub describe_log_groups: AtomicU64,
    pub describe_log_streams: AtomicU64,
    pub filter_log_events: AtomicU64,
    pub get_log_events: AtomicU64,
    pub start_live_tail: AtomicU64,
    pub get_metric_data: AtomicU64,
    pub describe_alarms: AtomicU64,
    pub describe_target_groups: AtomicU64,
    pub describe_target_health: AtomicU64,
    pub update_service: AtomicU64,
    pub list_task_definitions: AtomicU64,
    pub list_service_deployments: AtomicU64,
    pub describe_service_deployments: AtomicU64,
    pub describe_service_revisions: AtomicU64,
    pub stop_service_deployment: AtomicU64,
    pub describe_scalable_targets: AtomicU64,
    pub register_scalable_target: AtomicU64,
    pub throttled: AtomicU64,
}

impl CallCounts {
    /// Every API operation's counter (not `throttled`, which counts refusals, not calls).
    fn operations(&self) -> [&AtomicU64; 24] {
        [
            &self.list_clusters,
            &self.describe_clusters,
            &self.list_services,
            &self.describe_services,
            &self.list_tasks,
            &self.describe_tasks,
            &self.describe_task_definition,
            &self.describe_log_groups,
            &self.describe_log_streams,
            &self.filter_log_events,
            &self.get_log_events,
            &self.start_live_tail,
            &self.get_metric_data,
            &self.describe_alarms,
            &self.describe_target_groups,
            &self.describe_target_health,
            &self.update_service,
            &self.list_task_definitions,
            &self.list_service_deployments,
            &self.describe_service_deployments,
            &self.describe_service_revisions,
            &self.stop_service_deployment,
            &self.describe_scalable_targets,
            &self.register_scalable_target,
        ]
    }
    pub fn total(&self) -> u64 {
        self.operations()
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }
    pub fn reset(&self) {
        for c in self.operations().into_iter().chain([&self.throttled]) {
            c.store(0, Ordering::Relaxed);
        }
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub struct Sim {
    fleet: Mutex<Fleet>,
    pace: Option<Millis>,
    /// When the demo's bad deploy starts (sim time), until it has.
    demo_deploy: Mutex<Option<Millis>>,
    logs: Arc<LogSim>,
    metrics: MetricSim,
    live_tail: Mutex<LiveTailSim>,
    live_sessions: Arc<AtomicUsize>,
    /// FilterLogEvents has its own per-account limit (10 per second in most regions).
    logs_limit: Mutex<Option<(f64, f64)>>,
    logs_bucket: Mutex<Bucket>,
    latency_ms: AtomicU64,
    filter_page_latency: Option<Duration>,
    rate_limit: Mutex<Option<(f64, f64)>>,
    bucket: Mutex<Bucket>,
    outage: Arc<AtomicBool>,
    outage_window: Option<(Duration, Duration)>,
    started: Instant,
    epoch_ms: Millis,
    denied: Mutex<Vec<String>>,
    on_call: Mutex<Option<CallHook>>,
    pub calls: CallCounts,
}

/// Told the IAM action of each call as it arrives, before it is answered.
pub type CallHook = Arc<dyn Fn(&str) + Send + Sync>;

impl Sim {
    pub fn new(opts: SimOptions) -> Sim {
        let burst = opts.rate_limit.map(|(_, b)| b).unwrap_or(0.0);
        let fleet = Fleet::generate(&opts);
        Sim {
            logs: Arc::new(LogSim::from_fleet(&fleet, opts.log_rate)),
            metrics: MetricSim::from_fleet(&fleet),
            demo_deploy: Mutex::new(opts.demo_deploy.then_some(opts.epoch_ms + 6_000)),
            fleet: Mutex::new(fleet),
            pace: opts.pace.map(|p| p.as_millis() as Millis),
            live_tail: Mutex::new(opts.live_tail.clone()),
            live_sessions: Arc::new(AtomicUsize::new(0)),
            logs_limit: Mutex::new(Some((10.0, 10.0))),
            logs_bucket: Mutex::new(Bucket {
                tokens: 10.0,
                last: Instant::now(),
            }),
            latency_ms: AtomicU64::new(opts.latency.as_millis() as u64),
            filter_page_latency: opts.filter_page_latency,
            rate_limit: Mutex::new(opts.rate_limit),
            bucket: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
            outage: Arc::new(AtomicBool::new(false)),
            outage_window: opts.outage,
            started: Instant::now(),
            epoch_ms: opts.epoch_ms,
            denied: Mutex::new(Vec::new()),
            on_call: Mutex::new(None),
            calls: CallCounts::default(),
        }
    }

    /// The fleet as it is now (moved up to the simulator's clock).
    pub fn fleet(&self) -> MutexGuard<'_, Fleet> {
        let mut fleet = lock(&self.fleet);
        let now = self.now();
        if let Some(pace) = self.pace {
            let mut demo = lock(&self.demo_deploy);
            if let Some(at) = *demo
                && now >= at
            {
                *demo = None;
                fleet.advance(at, pace, &self.logs);
                if let Some(td) = fleet.register_revision("production", "search", true) {
                    let req = UpdateServiceRequest {
                        cluster: "production".into(),
                        service: "search".into(),
                        task_definition: Some(td),
                        ..Default::default()
                    };
                    let _ = fleet.update_service(&req, at);
                }
            }
            fleet.advance(now, pace, &self.logs);
        }
        fleet
    }

    /// The simulator's clock: its epoch plus the time since it started (every timestamp it reports).
    pub fn now(&self) -> Millis {
        self.epoch_ms + self.started.elapsed().as_millis() as Millis
    }

    /// Makes the next revision of a service's family a bad one (its tasks fail health checks); returns it.
    pub fn register_bad_revision(&self, cluster: &str, service: &str) -> Option<String> {
        self.fleet().register_revision(cluster, service, true)
    }

    /// Registers the next revision of a service's family (a good one); returns it.
    pub fn register_revision(&self, cluster: &str, service: &str) -> Option<String> {
        self.fleet().register_revision(cluster, service, false)
    }

    /// While on, every call fails as if the endpoint were unreachable.
    pub fn set_outage(&self, on: bool) {
        self.outage.store(on, Ordering::SeqCst);
    }

    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn set_rate_limit(&self, limit: Option<(f64, f64)>) {
        *lock(&self.rate_limit) = limit;
        let mut b = lock(&self.bucket);
        b.tokens = limit.map(|(_, burst)| burst).unwrap_or(0.0);
        b.last = Instant::now();
    }

    pub fn logs(&self) -> &LogSim {
        &self.logs
    }

    pub fn metrics(&self) -> &MetricSim {
        &self.metrics
    }

    pub fn set_live_tail(&self, live: LiveTailSim) {
        *lock(&self.live_tail) = live;
    }

    /// Live Tail sessions open right now.
    pub fn live_sessions(&self) -> usize {
        self.live_sessions.load(Ordering::SeqCst)
    }

    /// FilterLogEvents' own limit: (calls per second, burst); None removes it. AWS: 10 per second.
    pub fn set_logs_rate_limit(&self, limit: Option<(f64, f64)>) {
        *lock(&self.logs_limit) = limit;
        let mut b = lock(&self.logs_bucket);
        b.tokens = limit.map(|(_, burst)| burst).unwrap_or(0.0);
        b.last = Instant::now();
    }

    /// Makes every call of this IAM action (e.g. `ecs:DescribeServices`) fail with AccessDenied.
    pub fn deny(&self, action: &str) {
        lock(&self.denied).push(action.to_owned());
    }

    /// Undoes [`Sim::deny`].
    pub fn allow(&self, action: &str) {
        lock(&self.denied).retain(|a| a != action);
    }

    /// Runs `hook` with the IAM action (`ecs:UpdateService`) of every call as it arrives, before it is answered:
    /// a test can look at what was on disk when a call came, or make a call panic as a bug in a worker would.
    pub fn on_call(&self, hook: impl Fn(&str) + Send + Sync + 'static) {
        *lock(&self.on_call) = Some(Arc::new(hook));
    }

    /// The common prologue of every call: count, wait, then fail if an outage, denial or throttle applies.
    async fn call(&self, action: &str, counter: &AtomicU64) -> Result<(), ApiError> {
        counter.fetch_add(1, Ordering::Relaxed);
        let hook = lock(&self.on_call).clone();
        if let Some(hook) = hook {
            hook(action);
        }
        let latency = match self.filter_page_latency {
            Some(page) if action == "logs:FilterLogEvents" => page.as_millis() as u64,
            _ => self.latency_ms.load(Ordering::Relaxed),
        };
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        let elapsed = self.started.elapsed();
        let scheduled = self
            .outage_window
            .is_some_and(|(from, to)| elapsed >= from && elapsed < to);
        if scheduled || self.outage.load(Ordering::SeqCst) {
            return Err(ApiError::Network(format!(
                "{action}: connection refused (simulated outage)"
            )));
        }
        if lock(&self.denied).iter().any(|a| a == action) {
            return Err(ApiError::AccessDenied {
                action: action.into(),
                message: format!(
                    "User: arn:aws:sts::{ACCOUNT}:assumed-role/oncall/demo is not authorized to perform: {action}"
                ),
            });
        }
        let (limit, bucket) = if action == "logs:FilterLogEvents" {
            (*lock(&self.logs_limit), &self.logs_bucket)
        } else if action.starts_with("ecs:") {
            (*lock(&self.rate_limit), &self.bucket)
        } else {
            (None, &self.bucket)
        };
        if let Some((rate, burst)) = limit {
            let mut b = lock(bucket);
            let now = Instant::now();
            b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(burst);
            b.last = now;
            if b.tokens < 1.0 {
                self.calls.throttled.fetch_add(1, Ordering::Relaxed);
                return Err(ApiError::Throttled {
                    action: action.into(),
                    message: "Rate exceeded".into(),
                });
            }
            b.tokens -= 1.0;
        }
        Ok(())
    }
}

fn page_of(all: &[String], next_token: Option<String>) -> Result<Page, ApiError> {
    let start = match next_token {
        None => 0,
        Some(t) => t
            .strip_prefix("sim:")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n <= all.len())
            .ok_or_else(|| {
                ApiError::Other(format!("InvalidParameterException: bad nextToken {t}"))
            })?,
    };
    let end = (start + LIST_PAGE as usize).min(all.len());
    Ok(Page {
        arns: all.get(start..end).unwrap_or_default().to_vec(),
        next_token: (end < all.len()).then(|| format!("sim:{end}")),
    })
}

fn too_many(action: &str, n: usize, max: usize) -> Result<(), ApiError> {
    if n > max {
        Err(ApiError::Other(format!(
            "{action}: InvalidParameterException: at most {max} per call, got {n}"
        )))
    } else {
        Ok(())
    }
}

#[async_trait]
impl Ecs for Sim {
    async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError> {
        self.call("ecs:ListClusters", &self.calls.list_clusters)
            .await?;
        let arns: Vec<String> = self
            .fleet()
            .clusters
            .iter()
            .map(|c| c.cluster.cluster_arn.clone())
            .collect();
        page_of(&arns, next_token)
    }

    async fn describe_clusters(&self, clusters: &[String]) -> Result<Vec<Cluster>, ApiError> {
        self.call("ecs:DescribeClusters", &self.calls.describe_clusters)
            .await?;
        too_many(
            "ecs:DescribeClusters",
            clusters.len(),
            DESCRIBE_CLUSTERS_BATCH,
        )?;
        let fleet = self.fleet();
        Ok(clusters
            .iter()
            .filter_map(|c| fleet.cluster(c))
            .map(|c| fleet.cluster_summary(c))
            .collect())
    }

    async fn list_services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListServices", &self.calls.list_services)
            .await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        page_of(&c.service_arns, next_token)
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> Result<Vec<Service>, ApiError> {
        self.call("ecs:DescribeServices", &self.calls.describe_services)
            .await?;
        too_many(
            "ecs:DescribeServices",
            services.len(),
            DESCRIBE_SERVICES_BATCH,
        )?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let found: Vec<Service> = services
            .iter()
            .filter_map(|s| c.service(s))
            .map(|s| s.service.clone())
            .collect();
        if let (true, Some(first)) = (found.is_empty(), services.first()) {
            return Err(ApiError::NotFound(format!(
                "service {} not found",
                arn_name(first)
            )));
        }
        Ok(found)
    }

    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        desired: DesiredStatus,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListTasks", &self.calls.list_tasks).await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let service_index =
            match service {
                Some(s) => Some(c.service_index(s).ok_or_else(|| {
                    ApiError::NotFound(format!("service {} not found", arn_name(s)))
                })?),
                None => None,
            };
        let arns: Vec<String> = c
            .tasks
            .iter()
            .filter(|t| service_index.is_none_or(|i| t.service == i))
            .filter(|t| (desired == DesiredStatus::Stopped) == t.stopped)
            .map(|t| c.task_arn(t))
            .collect();
        page_of(&arns, next_token)
    }

    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> Result<Vec<Task>, ApiError> {
        self.call("ecs:DescribeTasks", &self.calls.describe_tasks)
            .await?;
        too_many("ecs:DescribeTasks", tasks.len(), DESCRIBE_TASKS_BATCH)?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        Ok(tasks
            .iter()
            .filter_map(|a| c.task_by_id(arn_name(a)))
            .map(|t| c.materialise(t))
            .collect())
    }

    async fn describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<TaskDefinition, ApiError> {
        self.call(
            "ecs:DescribeTaskDefinition",
            &self.calls.describe_task_definition,
        )
        .await?;
        self.fleet()
            .task_definition(task_definition)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "task definition {} not found",
                    family_rev(task_definition)
                ))
            })
    }

    async fn update_service(
        &self,
        req: &UpdateServiceRequest,
    ) -> Result<Mutated<Service>, ApiError> {
        self.call("ecs:UpdateService", &self.calls.update_service)
            .await?;
        let now = self.now();
        let service = self.fleet().update_service(req, now)?;
        Ok(Mutated {
            value: service,
            request_id: Some(request_id(now)),
        })
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListTaskDefinitions", &self.calls.list_task_definitions)
            .await?;
        let newest = {
            let fleet = self.fleet();
            fleet
                .clusters
                .iter()
                .flat_map(|c| c.services.iter())
                .find(|s| {
                    family_and_revision(&s.service.task_definition)
                        .is_some_and(|(f, _)| f == family)
                })
                .map(|s| s.newest_revision)
                .unwrap_or(0)
        };
        let arns: Vec<String> = (1..=newest)
            .rev()
            .map(|r| fleet::task_definition_arn(family, r))
            .collect();
        page_of(&arns, next_token)
    }

    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<ServiceDeploymentBrief>, ApiError> {
        self.call(
            "ecs:ListServiceDeployments",
            &self.calls.list_service_deployments,
        )
        .await?;
        let fleet = self.fleet();
        Ok(fleet
            .history(cluster, service)?
            .into_iter()
            .take(20)
            .map(Record::brief)
            .collect())
    }

    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceDeployment>, ApiError> {
        const ACTION: &str = "ecs:DescribeServiceDeployments";
        self.call(ACTION, &self.calls.describe_service_deployments)
            .await?;
        too_many(ACTION, arns.len(), SERVICE_DEPLOYMENTS_PER_CALL)?;
        let fleet = self.fleet();
        Ok(arns
            .iter()
            .filter_map(|a| fleet.record(a))
            .map(Record::detail)
            .collect())
    }

    async fn describe_service_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceRevision>, ApiError> {
        const ACTION: &str = "ecs:DescribeServiceRevisions";
        self.call(ACTION, &self.calls.describe_service_revisions)
            .await?;
        too_many(ACTION, arns.len(), SERVICE_DEPLOYMENTS_PER_CALL)?;
        let fleet = self.fleet();
        Ok(arns
            .iter()
            .filter_map(|a| {
                fleet.revision(a).map(|td| ServiceRevision {
                    service_revision_arn: a.clone(),
                    task_definition: td.clone(),
                })
            })
            .collect())
    }

    async fn stop_service_deployment(&self, arn: &str) -> Result<Mutated<String>, ApiError> {
        self.call(
            "ecs:StopServiceDeployment",
            &self.calls.stop_service_deployment,
        )
        .await?;
        let now = self.now();
        let arn = self.fleet().stop_deployment(arn, now)?;
        Ok(Mutated {
            value: arn,
            request_id: Some(request_id(now)),
        })
    }
}

#[async_trait]
impl Logs for Sim {
    async fn describe_log_groups(
        &self,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogGroupPage, ApiError> {
        self.call("logs:DescribeLogGroups", &self.calls.describe_log_groups)
            .await?;
        self.logs.describe_groups(prefix, next_token)
    }

    async fn describe_log_streams(
        &self,
        group: &str,
        prefix: Option<&str>,
        next_token: Option<String>,
    ) -> Result<LogStreamPage, ApiError> {
        self.call("logs:DescribeLogStreams", &self.calls.describe_log_streams)
            .await?;
        self.logs
            .describe_streams(group, prefix, next_token, wall_ms())
    }

    async fn filter_log_events(&self, req: &FilterRequest) -> Result<FilterPage, ApiError> {
        self.call("logs:FilterLogEvents", &self.calls.filter_log_events)
            .await?;
        self.logs.filter(req, wall_ms())
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
        self.logs
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
        if let Some(missing) = req.group_arns.iter().find(|a| !self.logs.has_group_arn(a)) {
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
            logs: self.logs.clone(),
            outage: self.outage.clone(),
            arns: req.group_arns.clone(),
            streams: req.streams.clone(),
            pattern,
            last: wall_ms(),
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

#[async_trait]
impl CloudWatch for Sim {
    async fn get_metric_data(&self, req: &MetricRequest) -> Result<MetricPage, ApiError> {
        const ACTION: &str = "cloudwatch:GetMetricData";
        self.call(ACTION, &self.calls.get_metric_data).await?;
        let invalid = |message: String| ApiError::Invalid {
            action: ACTION.into(),
            message,
        };
        too_many(ACTION, req.queries.len(), METRIC_QUERIES_PER_CALL)?;
        let mut ids = std::collections::HashSet::new();
        let mut points = 0usize;
        for q in &req.queries {
            if !ids.insert(q.id.as_str()) {
                return Err(invalid(format!("duplicate MetricDataQuery id {}", q.id)));
            }
            if q.period_secs < 60 || q.period_secs % 60 != 0 {
                return Err(invalid(format!(
                    "the period of {} must be a multiple of 60, got {}",
                    q.id, q.period_secs
                )));
            }
            points += ((req.end - req.start) / (q.period_secs as i64 * 1000)).max(1) as usize;
        }
        if points > METRIC_POINTS_PER_CALL {
            // AWS would page; ecsdeck plans its calls so that it never has to (the test asserts it).
            return Err(invalid(format!(
                "{points} datapoints asked for in one call (more than {METRIC_POINTS_PER_CALL})"
            )));
        }
        let now = wall_ms();
        Ok(MetricPage {
            results: req
                .queries
                .iter()
                .map(|q| self.metrics.query(q, req.start, req.end, now))
                .collect(),
            next_token: None,
        })
    }

    async fn describe_alarms(
        &self,
        state: Option<&str>,
        next_token: Option<String>,
    ) -> Result<AlarmPage, ApiError> {
        self.call("cloudwatch:DescribeAlarms", &self.calls.describe_alarms)
            .await?;
        let all = self.metrics.alarms(state, wall_ms());
        let start: usize = next_token
            .as_deref()
            .and_then(|t| t.strip_prefix("sim:"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
            .min(all.len());
        let end = (start + 100).min(all.len());
        Ok(AlarmPage {
            alarms: all.get(start..end).unwrap_or_default().to_vec(),
            next_token: (end < all.len()).then(|| format!("sim:{end}")),
        })
    }
}

#[async_trait]
impl Elbv2 for Sim {
    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
        const ACTION: &str = "elasticloadbalancing:DescribeTargetGroups";
        self.call(ACTION, &self.calls.describe_target_groups)
            .await?;
        too_many(ACTION, arns.len(), TARGET_GROUPS_PER_CALL)?;
        self.metrics.target_groups(arns)
    }

    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError> {
        self.call(
            "elasticloadbalancing:DescribeTargetHealth",
            &self.calls.describe_target_health,
        )
        .await?;
        self.metrics
            .target_health(&self.fleet(), target_group_arn, wall_ms())
    }
}

#[async_trait]
impl AutoScaling for Sim {
    async fn describe_scalable_target(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalableTarget>, ApiError> {
        self.call(
            "application-autoscaling:DescribeScalableTargets",
            &self.calls.describe_scalable_targets,
        )
        .await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let svc = c.service(service).ok_or_else(|| {
            ApiError::NotFound(format!("service {} not found", arn_name(service)))
        })?;
        Ok(svc.scalable.map(|(min, max)| ScalableTarget {
            resource_id: scalable_resource_id(cluster, service),
            min_capacity: min,
            max_capacity: max,
        }))
    }

    async fn register_scalable_target(
        &self,
        target: &ScalableTarget,
    ) -> Result<Mutated<()>, ApiError> {
        const ACTION: &str = "application-autoscaling:RegisterScalableTarget";
        self.call(ACTION, &self.calls.register_scalable_target)
            .await?;
        if target.min_capacity < 0 || target.max_capacity < target.min_capacity {
            return Err(ApiError::Invalid {
                action: ACTION.into(),
                message: format!(
                    "ValidationException: MinCapacity {} must be between 0 and MaxCapacity {}",
                    target.min_capacity, target.max_capacity
                ),
            });
        }
        let mut parts = target.resource_id.splitn(3, '/');
        let (Some("service"), Some(cluster), Some(service)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ApiError::Invalid {
                action: ACTION.into(),
                message: format!(
                    "ValidationException: bad resource id {}",
                    target.resource_id
                ),
            });
        };
        let mut fleet = self.fleet();
        let c = fleet
            .clusters
            .iter_mut()
            .find(|c| c.cluster.cluster_name == cluster)
            .ok_or_else(|| ApiError::NotFound(format!("cluster {cluster} not found")))?;
        let s = c
            .service_index(service)
            .and_then(|i| c.services.get_mut(i))
            .ok_or_else(|| ApiError::NotFound(format!("service {service} not found")))?;
        s.scalable = Some((target.min_capacity, target.max_capacity));
        Ok(Mutated {
            value: (),
            request_id: Some(request_id(self.now())),
        })
    }
}

/// A request id shaped like AWS's (a UUID), unique per call.
fn request_id(now: Millis) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!(
        "5e1d{:04x}-{:04x}-4000-8000-{:012x}",
        n & 0xffff,
        (now >> 16) & 0xffff,
        now
    )
}

/// Wall-clock epoch milliseconds: simulated logs are written in real time.
fn wall_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scheduled_outage_fails_calls_inside_its_window_only() {
        let sim = Sim::new(SimOptions {
            latency: Duration::ZERO,
            outage: Some((Duration::ZERO, Duration::from_millis(150))),
            ..SimOptions::default()
        });
        assert!(matches!(
            sim.list_clusters(None).await,
            Err(ApiError::Network(_))
        ));
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(sim.list_clusters(None).await.unwrap().arns.len(), 3);
    }

    #[tokio::test]
    async fn pages_hold_at_most_100_and_chain_by_token() {
        let sim = Sim::new(SimOptions {
            services: Some(250),
            latency: Duration::ZERO,
            ..SimOptions::default()
        });
        let first = sim.list_services("production", None).await.unwrap();
        assert_eq!(first.arns.len(), 100);
        let second = sim
            .list_services("production", first.next_token)
            .await
            .unwrap();
        let third = sim
            .list_services("production", second.next_token)
            .await
            .unwrap();
        assert_eq!((second.arns.len(), third.arns.len()), (100, 50));
        assert_eq!(third.next_token, None);
        let bad = sim
            .list_services("production", Some("garbage".into()))
            .await;
        assert!(bad.is_err());
    }
}
