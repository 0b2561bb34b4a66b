//! The simulated fleet behind the same [`Api`] trait as the SDK: `--demo`, screenshots, benchmarks, and the
//! paging / throttling / outage tests that moto cannot do (moto does not page).
//!
//! Pages and batches follow AWS's limits exactly; every call sleeps the configured latency and is counted.
//! Tasks are stored compactly and materialised on DescribeTasks, so a 20,000-task fleet costs little memory.

mod fleet;

use crate::aws::*;
use async_trait::async_trait;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub use fleet::{Fleet, SimService, SimTask};

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
    /// A token bucket shared by all calls, like the account's ECS API limit: (calls per second, burst).
    pub rate_limit: Option<(f64, f64)>,
    /// Every call fails as if AWS were unreachable between these two offsets from the simulator's start.
    pub outage: Option<(Duration, Duration)>,
    /// Base time for every timestamp the fleet reports (epoch ms). Fixed in tests for stable snapshots.
    pub epoch_ms: Millis,
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            services: None,
            tasks_per_service: None,
            latency: Duration::from_millis(40),
            rate_limit: None,
            outage: None,
            epoch_ms: 1_763_700_000_000,
            seed: 7,
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
    pub throttled: AtomicU64,
}

impl CallCounts {
    pub fn total(&self) -> u64 {
        [
            &self.list_clusters,
            &self.describe_clusters,
            &self.list_services,
            &self.describe_services,
            &self.list_tasks,
            &self.describe_tasks,
            &self.describe_task_definition,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
    pub fn reset(&self) {
        for c in [
            &self.list_clusters,
            &self.describe_clusters,
            &self.list_services,
            &self.describe_services,
            &self.list_tasks,
            &self.describe_tasks,
            &self.describe_task_definition,
            &self.throttled,
        ] {
            c.store(0, Ordering::Relaxed);
        }
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub struct Sim {
    fleet: Fleet,
    latency_ms: AtomicU64,
    rate_limit: Mutex<Option<(f64, f64)>>,
    bucket: Mutex<Bucket>,
    outage: AtomicBool,
    outage_window: Option<(Duration, Duration)>,
    started: Instant,
    denied: Mutex<Vec<String>>,
    pub calls: CallCounts,
}

impl Sim {
    pub fn new(opts: SimOptions) -> Sim {
        let burst = opts.rate_limit.map(|(_, b)| b).unwrap_or(0.0);
        Sim {
            fleet: Fleet::generate(&opts),
            latency_ms: AtomicU64::new(opts.latency.as_millis() as u64),
            rate_limit: Mutex::new(opts.rate_limit),
            bucket: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
            outage: AtomicBool::new(false),
            outage_window: opts.outage,
            started: Instant::now(),
            denied: Mutex::new(Vec::new()),
            calls: CallCounts::default(),
        }
    }

    pub fn fleet(&self) -> &Fleet {
        &self.fleet
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
        *self.rate_limit.lock().unwrap() = limit;
        let mut b = self.bucket.lock().unwrap();
        b.tokens = limit.map(|(_, burst)| burst).unwrap_or(0.0);
        b.last = Instant::now();
    }

    /// Makes every call of this IAM action (e.g. `ecs:DescribeServices`) fail with AccessDenied.
    pub fn deny(&self, action: &str) {
        self.denied.lock().unwrap().push(action.to_owned());
    }

    /// The common prologue of every call: count, wait, then fail if an outage, denial or throttle applies.
    async fn call(&self, action: &str, counter: &AtomicU64) -> Result<(), ApiError> {
        counter.fetch_add(1, Ordering::Relaxed);
        let latency = self.latency_ms.load(Ordering::Relaxed);
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        let elapsed = self.started.elapsed();
        let scheduled = self
            .outage_window
            .is_some_and(|(from, to)| elapsed >= from && elapsed < to);
        if scheduled || self.outage.load(Ordering::SeqCst) {
            return Err(ApiError::Network(format!(
                "{action}: dispatch failure: connection refused (simulated outage)"
            )));
        }
        if self.denied.lock().unwrap().iter().any(|a| a == action) {
            return Err(ApiError::AccessDenied {
                action: action.into(),
                message: format!(
                    "User: arn:aws:sts::{ACCOUNT}:assumed-role/oncall/demo is not authorized to perform: {action}"
                ),
            });
        }
        if let Some((rate, burst)) = *self.rate_limit.lock().unwrap() {
            let mut b = self.bucket.lock().unwrap();
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
        arns: all[start..end].to_vec(),
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
impl Api for Sim {
    async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError> {
        self.call("ecs:ListClusters", &self.calls.list_clusters)
            .await?;
        let arns: Vec<String> = self
            .fleet
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
        Ok(clusters
            .iter()
            .filter_map(|c| self.fleet.cluster(c))
            .map(|c| self.fleet.cluster_summary(c))
            .collect())
    }

    async fn list_services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListServices", &self.calls.list_services)
            .await?;
        let c = self.fleet.cluster_or_err(cluster)?;
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
        let c = self.fleet.cluster_or_err(cluster)?;
        let found: Vec<Service> = services
            .iter()
            .filter_map(|s| c.service(s))
            .map(|s| s.service.clone())
            .collect();
        if found.is_empty() && !services.is_empty() {
            return Err(ApiError::NotFound(format!(
                "service {} not found",
                arn_name(&services[0])
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
        let c = self.fleet.cluster_or_err(cluster)?;
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
        let c = self.fleet.cluster_or_err(cluster)?;
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
        self.fleet.task_definition(task_definition).ok_or_else(|| {
            ApiError::NotFound(format!(
                "task definition {} not found",
                family_rev(task_definition)
            ))
        })
    }
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
