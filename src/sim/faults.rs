//! What every simulated call goes through before it is answered — counted, delayed by the latency, refused
//! during an outage, when denied or when throttled — and the switches tests and the demo turn.

use super::{ACCOUNT, Sim, lock};
use crate::aws::ApiError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
    pub describe_listeners: AtomicU64,
    pub describe_rules: AtomicU64,
    pub modify_listener: AtomicU64,
    pub modify_rule: AtomicU64,
    pub describe_task_sets: AtomicU64,
    pub list_applications: AtomicU64,
    pub list_deployment_groups: AtomicU64,
    pub batch_get_deployment_groups: AtomicU64,
    pub list_deployments: AtomicU64,
    pub batch_get_deployments: AtomicU64,
    pub list_deployment_targets: AtomicU64,
    pub batch_get_deployment_targets: AtomicU64,
    pub continue_deployment: AtomicU64,
    pub stop_deployment: AtomicU64,
    pub create_deployment: AtomicU64,
    pub throttled: AtomicU64,
}

impl CallCounts {
    /// Every API operation's counter (not `throttled`, which counts refusals, not calls).
    fn operations(&self) -> [&AtomicU64; 39] {
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
            &self.describe_listeners,
            &self.describe_rules,
            &self.modify_listener,
            &self.modify_rule,
            &self.describe_task_sets,
            &self.list_applications,
            &self.list_deployment_groups,
            &self.batch_get_deployment_groups,
            &self.list_deployments,
            &self.batch_get_deployments,
            &self.list_deployment_targets,
            &self.batch_get_deployment_targets,
            &self.continue_deployment,
            &self.stop_deployment,
            &self.create_deployment,
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

/// A token bucket (tokens refill at the limit's rate up to its burst).
pub(super) struct Bucket {
    pub(super) tokens: f64,
    pub(super) last: Instant,
}

/// Told the IAM action of each call as it arrives, before it is answered.
pub type CallHook = Arc<dyn Fn(&str) + Send + Sync>;

impl Sim {
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
    pub(super) async fn call(&self, action: &str, counter: &AtomicU64) -> Result<(), ApiError> {
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
        // The fleet is generated while the first calls wait out their latency; a call that arrives before it
        // is there waits for it without holding a runtime thread.
        while !self.ready() {
            tokio::time::sleep(Duration::from_millis(1)).await;
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

#[cfg(test)]
mod tests {
    use super::super::SimOptions;
    use super::*;
    use crate::aws::Ecs;

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
}
