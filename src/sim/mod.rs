//! The simulated fleet behind the same AWS service traits as the SDK: `--demo`, screenshots, benchmarks, and
//! the paging / throttling / outage tests that moto cannot do (moto does not page).
//!
//! Pages and batches follow AWS's limits exactly; every call sleeps the configured latency and is counted.
//! Tasks are stored compactly and materialised on DescribeTasks, so a 20,000-task fleet costs little memory.
//!
//! Where things are: the model (`fleet`, `deploy`, `logs`, `metrics`) is what the simulated account
//! holds and how it moves; `api/` answers the AWS calls from it, one file per service trait; `knobs` holds
//! [`SimOptions`]; `faults` the prologue every call goes through (counting, latency, outage, denial,
//! throttling) and the switches tests turn. This file keeps only the [`Sim`] handle.

pub mod alb;
mod api;
pub mod cd_run;
mod codedeploy;
mod deploy;
mod faults;
mod fleet;
mod knobs;
pub mod logs;
pub mod metrics;
mod traffic;

use crate::aws::*;
use faults::Bucket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

/// A lock whose holder panicked still guards consistent simulator data (every update is one assignment or
/// push), so the demo goes on rather than dying with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
use std::time::{Duration, Instant};

pub use deploy::{Record, breaker_threshold};
pub use faults::{CallCounts, CallHook};
pub use fleet::{Fleet, Phase, SimService, SimTask};
pub use knobs::{LiveTailSim, SimOptions};
pub use logs::LogSim;
pub use metrics::MetricSim;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

/// What the simulated account holds, built from the options on a thread of its own (see [`Sim::new`]).
struct World {
    fleet: Mutex<Fleet>,
    logs: Arc<LogSim>,
    metrics: MetricSim,
    alb: Mutex<alb::AlbSim>,
    codedeploy: Mutex<codedeploy::CodeDeploySim>,
}

pub struct Sim {
    world: Arc<OnceLock<World>>,
    pace: Option<Millis>,
    /// When the demo's bad deploy starts (sim time), until it has.
    demo_deploy: Mutex<Option<Millis>>,
    /// The demo's CodeDeploy canary of `gateway`: when it starts, then its id (continued by the demo's
    /// "operator" half a minute after it is ready to reroute, so the shift is seen moving).
    demo_canary: Mutex<(Option<Millis>, Option<String>)>,
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
    /// How far [`Sim::skip`] moved the clock ahead.
    skipped: AtomicI64,
    denied: Mutex<Vec<String>>,
    on_call: Mutex<Option<CallHook>>,
    pub calls: CallCounts,
}

impl Sim {
    /// Returns at once: the fleet (2,000 services and 20,000 tasks take ~30 ms) is generated on a thread of its
    /// own, so the demo draws its first frame meanwhile and the first call's latency overlaps it. Every call
    /// waits for it after its latency ([`Sim::call`](faults)); the accessors ([`Sim::fleet`], [`Sim::logs`],
    /// [`Sim::metrics`]) block until it is there.
    pub fn new(opts: SimOptions) -> Sim {
        let burst = opts.rate_limit.map(|(_, b)| b).unwrap_or(0.0);
        let world = Arc::new(OnceLock::new());
        {
            let world = world.clone();
            let opts = opts.clone();
            std::thread::Builder::new()
                .name("sim-generate".into())
                .spawn(move || {
                    let started = Instant::now();
                    let fleet = Fleet::generate(&opts);
                    let metrics = MetricSim::from_fleet(&fleet);
                    let routing = alb::from_fleet(&fleet, &metrics);
                    // The listeners decide the storefront pair's shares from the start.
                    alb::sync(&fleet, &routing, fleet.epoch_ms);
                    let gateway = fleet.cluster("production").and_then(|c| {
                        c.services
                            .iter()
                            .find(|s| s.service.service_name == "gateway")
                    });
                    let codedeploy = codedeploy::CodeDeploySim::from_service(
                        gateway.map(|s| &s.service),
                        opts.epoch_ms,
                    );
                    let _ = world.set(World {
                        codedeploy: Mutex::new(codedeploy),
                        logs: Arc::new(LogSim::from_fleet(&fleet, opts.log_rate)),
                        alb: Mutex::new(routing),
                        metrics,
                        fleet: Mutex::new(fleet),
                    });
                    tracing::info!(
                        services = opts.services,
                        tasks_per_service = opts.tasks_per_service,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "simulated fleet generated"
                    );
                })
                .expect("cannot start the simulator's generating thread");
        }
        Sim {
            world,
            demo_deploy: Mutex::new(opts.demo_deploy.then_some(opts.epoch_ms + 6_000)),
            demo_canary: Mutex::new((opts.demo_deploy.then_some(opts.epoch_ms + 20_000), None)),
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
            skipped: AtomicI64::new(0),
            denied: Mutex::new(Vec::new()),
            on_call: Mutex::new(None),
            calls: CallCounts::default(),
        }
    }

    /// The fleet as it is now (moved up to the simulator's clock).
    pub fn fleet(&self) -> MutexGuard<'_, Fleet> {
        let world = self.world();
        let mut fleet = lock(&world.fleet);
        let now = self.now();
        if let Some(pace) = self.pace {
            let mut demo = lock(&self.demo_deploy);
            if let Some(at) = *demo
                && now >= at
            {
                *demo = None;
                fleet.advance(at, pace, &world.logs);
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
            fleet.advance(now, pace, &world.logs);
            self.start_demo_canary(&mut fleet, now);
        }
        fleet
    }

    /// `--demo`: about 20 s in, a canary deploy of gateway's next revision through CodeDeploy.
    fn start_demo_canary(&self, fleet: &mut Fleet, now: Millis) {
        let due = {
            let mut canary = lock(&self.demo_canary);
            let due = canary.0.filter(|at| now >= *at);
            if due.is_some() {
                canary.0 = None;
            }
            due
        };
        let Some(at) = due else { return };
        let Some(td) = fleet.register_revision("production", "gateway", false) else {
            return;
        };
        let Some(svc) = fleet.cluster("production").and_then(|c| {
            c.services
                .iter()
                .find(|s| s.service.service_name == "gateway")
                .map(|s| s.service.clone())
        }) else {
            return;
        };
        let req = CreateDeploymentRequest {
            application_name: codedeploy::APPLICATION.into(),
            deployment_group_name: codedeploy::GROUP.into(),
            description: Some(format!("canary of {}", family_rev(&td))),
            app_spec: format!("TaskDefinition: {td}"),
            ..Default::default()
        };
        // Lock order: fleet (held by the caller), then CodeDeploy; the canary's own lock is never held
        // across either.
        let created = lock(&self.world().codedeploy).create(&req, &svc, at);
        match created {
            Ok(id) => lock(&self.demo_canary).1 = Some(id),
            Err(e) => tracing::warn!(error = %e, "the demo's CodeDeploy canary did not start"),
        }
    }

    /// The simulator's clock: its epoch plus the time since it started (every timestamp it reports).
    pub fn now(&self) -> Millis {
        self.epoch_ms
            + self.started.elapsed().as_millis() as Millis
            + self.skipped.load(Ordering::SeqCst)
    }

    /// Moves the simulator's clock ahead by `by` at once: tests see CloudWatch's minutes pass in a moment
    /// (the moving fleet catches up at its next call, at most 2,000 steps of `pace`).
    pub fn skip(&self, by: Duration) {
        self.skipped
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    /// The clock CloudWatch and the load balancer answer at: the wall clock, as the metrics worker asks by it
    /// (tests with a fixed past epoch read the fleet's history there), or the simulator's when a test has
    /// skipped it ahead. In the demo the two are the same.
    fn metrics_now(&self) -> Millis {
        wall_ms().max(self.now())
    }

    /// Makes the next revision of a service's family a bad one (its tasks fail health checks); returns it.
    pub fn register_bad_revision(&self, cluster: &str, service: &str) -> Option<String> {
        self.fleet().register_revision(cluster, service, true)
    }

    /// Registers the next revision of a service's family (a good one); returns it.
    /// How long each step of a simulated CodeDeploy deployment takes (20 s unless a test shortens it).
    pub fn set_codedeploy_step(&self, step: Duration) {
        lock(&self.world().codedeploy).step_ms = step.as_millis() as Millis;
    }

    pub fn register_revision(&self, cluster: &str, service: &str) -> Option<String> {
        self.fleet().register_revision(cluster, service, false)
    }

    /// The simulated account, once generated (blocks until then).
    fn world(&self) -> &World {
        self.world.wait()
    }

    /// Whether the fleet has been generated yet.
    fn ready(&self) -> bool {
        self.world.get().is_some()
    }

    pub fn logs(&self) -> &LogSim {
        &self.world().logs
    }

    /// The same, shared (Live Tail sessions keep it).
    fn logs_shared(&self) -> Arc<LogSim> {
        self.world().logs.clone()
    }

    /// The CodeDeploy account (lock it after [`Sim::fleet`] when both are needed, never before).
    fn codedeploy(&self) -> MutexGuard<'_, codedeploy::CodeDeploySim> {
        // The canary's lock is never held together with the CodeDeploy lock (see `start_demo_canary`).
        let demo = lock(&self.demo_canary).1.clone();
        let mut cd = lock(&self.world().codedeploy);
        let now = self.now();
        // A group alarm in ALARM stops (and rolls back) a deployment: when, per the simulated metrics.
        for (id, from, alarms) in cd.watched_alarms() {
            let since = alarms
                .iter()
                .filter_map(|a| self.metrics().alarm_since(a, from, now))
                .min();
            if let Some(at) = since {
                cd.alarm_since.insert(id, at);
            }
        }
        cd.tick(now);
        if let Some(id) = demo
            && cd.ready_since(&id).is_some_and(|at| now >= at + 30_000)
        {
            let _ = cd.continue_(&id, true, now);
        }
        cd
    }

    pub fn metrics(&self) -> &MetricSim {
        &self.world().metrics
    }

    /// The simulated load balancers' listeners and rules (see [`alb`]); `live_share` tells the live
    /// traffic share of a target group.
    pub fn alb(&self) -> MutexGuard<'_, alb::AlbSim> {
        lock(&self.world().alb)
    }

    pub fn set_live_tail(&self, live: LiveTailSim) {
        *lock(&self.live_tail) = live;
    }

    /// Live Tail sessions open right now.
    pub fn live_sessions(&self) -> usize {
        self.live_sessions.load(Ordering::SeqCst)
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
