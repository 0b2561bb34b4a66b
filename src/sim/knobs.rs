//! The simulator's knobs: fleet size, latency, limits, outage window, clock, log rate, Live Tail, pace.

use crate::aws::Millis;
use std::time::Duration;

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
    /// `--demo`: production gets `storefront-blue` and `storefront-green` behind one ALB listener (see
    /// `sim::alb`). Off by default so fleets that tests count keep their size.
    pub blue_green: bool,
}

/// Live Tail as AWS runs it: one push per second, sessions end after 3 hours, 15 sessions per account.
#[derive(Debug, Clone)]
pub struct LiveTailSim {
    pub push_interval: Duration,
    pub session_length: Duration,
    pub max_sessions: usize,
    /// A session's first push also carries what was ingested this long before it started, as moto's sessions
    /// replay stored events (AWS's never do): what an earlier session showed comes again.
    pub replay: Duration,
}

impl Default for LiveTailSim {
    fn default() -> Self {
        LiveTailSim {
            push_interval: Duration::from_secs(1),
            session_length: Duration::from_secs(3 * 3600),
            max_sessions: 15,
            replay: Duration::ZERO,
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
            blue_green: false,
        }
    }
}
