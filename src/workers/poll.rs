//! The poller: keeps the scope on screen fresh. A watch channel holds the current scope; a new scope cancels
//! the refresh in flight ("newest job wins"). Lists are paged, describes are batched at AWS's limits and
//! issued concurrently (bounded) as pages arrive, so rows appear while the listing goes on.

mod codedeploy;

use super::clock::now_ms;
use super::retry::{Backoff, with_retry};
use crate::aws::*;
use crate::protocol::{DataUpdate, Msg, Progress, Rows, Scope};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

#[derive(Debug, Clone, Copy)]
pub struct PollConfig {
    /// Pause between the end of one refresh and the start of the next.
    pub refresh: Duration,
    /// Describe calls in flight at once.
    pub concurrency: usize,
    pub backoff: Backoff,
    /// Lower bound on the pause per call of the last refresh, so a large fleet does not drain the account's
    /// shared API rate limit (e.g. 220 calls x 100 ms = 22 s between refreshes of 2,000 services).
    pub pause_per_call: Duration,
    /// Pause of the deploy watch screen while a deployment is under way.
    pub busy_refresh: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig {
            refresh: Duration::from_secs(5),
            // One List page yields 10 DescribeServices batches: 10 in flight keeps up with paging.
            concurrency: 10,
            backoff: Backoff::default(),
            pause_per_call: Duration::from_millis(100),
            busy_refresh: Duration::from_secs(2),
        }
    }
}

pub struct Poller {
    scope: watch::Sender<Option<(Scope, u64)>>,
}

impl Poller {
    pub fn spawn(api: Arc<dyn Api>, out: mpsc::UnboundedSender<Msg>, config: PollConfig) -> Poller {
        let (tx, rx) = watch::channel(None);
        super::spawn(run(api, out, config, rx));
        Poller { scope: tx }
    }

    /// Starts refreshing `scope` now, abandoning whatever was in flight.
    pub fn watch(&self, scope: Scope, generation: u64) {
        self.scope.send_replace(Some((scope, generation)));
    }
}

async fn run(
    api: Arc<dyn Api>,
    out: mpsc::UnboundedSender<Msg>,
    config: PollConfig,
    mut rx: watch::Receiver<Option<(Scope, u64)>>,
) {
    // Task definitions never change once registered: fetch each once per process.
    let definitions: Mutex<HashMap<String, TaskDefinition>> = Mutex::new(HashMap::new());
    // The services owning the target groups a screen's ALB routes reach, learned on its first refresh.
    let owners: Mutex<Owners> = Mutex::new(Default::default());
    let groups = codedeploy::GroupCache::default();
    loop {
        let current = rx.borrow_and_update().clone();
        let Some((scope, generation)) = current else {
            if rx.changed().await.is_err() {
                return;
            }
            continue;
        };
        let cycle = Cycle {
            api: api.as_ref(),
            out: &out,
            scope: scope.clone(),
            generation,
            config,
            calls: AtomicU32::new(0),
            definitions: &definitions,
            owners: &owners,
            groups: &groups,
            busy: AtomicBool::new(false),
        };
        tokio::select! {
            _ = cycle.run() => {}
            changed = rx.changed() => {
                if changed.is_err() { return; }
                continue;
            }
        }
        let pause = if cycle.busy.load(Ordering::Relaxed) {
            config.busy_refresh
        } else {
            config
                .refresh
                .max(config.pause_per_call * cycle.calls.load(Ordering::Relaxed))
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            changed = rx.changed() => {
                if changed.is_err() { return; }
            }
        }
    }
}

/// The service (`cluster/service`) it was learned for, and what its traffic refreshes keep.
type Owners = (String, super::traffic::TrafficCache);

/// One refresh of one scope.
struct Cycle<'a> {
    api: &'a dyn Api,
    out: &'a mpsc::UnboundedSender<Msg>,
    scope: Scope,
    generation: u64,
    config: PollConfig,
    calls: AtomicU32,
    definitions: &'a Mutex<HashMap<String, TaskDefinition>>,
    owners: &'a Mutex<Owners>,
    /// Each CODE_DEPLOY service's deployment group, once found.
    groups: &'a codedeploy::GroupCache,
    /// The deploy watch saw a deployment under way: refresh sooner.
    busy: AtomicBool,
}

type Lister<'f> = dyn Fn(Option<String>) -> BoxFuture<'f, Result<Page, ApiError>> + Sync + 'f;
type Describer<'f, T> = dyn Fn(Vec<String>) -> BoxFuture<'f, Result<Vec<T>, ApiError>> + Sync + 'f;

impl Cycle<'_> {
    fn send(&self, update: DataUpdate) {
        // The receiver is gone only when the app is quitting.
        let _ = self.out.send(Msg::Data {
            scope: self.scope.clone(),
            generation: self.generation,
            update,
        });
    }

    /// One API call with retries of transient failures, each reported to the UI.
    async fn call<T, F, Fut>(&self, mut f: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        with_retry(
            self.config.backoff,
            || {
                self.calls.fetch_add(1, Ordering::Relaxed);
                f()
            },
            |error, attempt| {
                tracing::info!(%error, attempt, "retrying");
                self.send(DataUpdate::Retrying {
                    error: error.clone(),
                    attempt,
                })
            },
        )
        .await
    }

    async fn run(&self) {
        if matches!(self.scope, Scope::Logs | Scope::Metrics) {
            return; // the tail worker feeds log views
        }
        self.send(DataUpdate::Started);
        let api = self.api;
        let result = match &self.scope {
            Scope::Clusters => {
                let list = |token| api.list_clusters(token);
                let describe =
                    |arns: Vec<String>| async move { api.describe_clusters(&arns).await }.boxed();
                self.list_and_describe(&[&list], DESCRIBE_CLUSTERS_BATCH, &describe, Rows::Clusters)
                    .await
            }
            Scope::Services { cluster } => {
                let c = cluster.as_str();
                let list = |token| api.list_services(c, token);
                let describe = |arns: Vec<String>| {
                    async move { api.describe_services(c, &arns).await }.boxed()
                };
                self.list_and_describe(&[&list], DESCRIBE_SERVICES_BATCH, &describe, Rows::Services)
                    .await
            }
            Scope::Tasks { cluster, service } => {
                let (c, s) = (cluster.as_str(), service.as_deref());
                let running = |token| api.list_tasks(c, s, DesiredStatus::Running, token);
                let stopped = |token| api.list_tasks(c, s, DesiredStatus::Stopped, token);
                let describe =
                    |arns: Vec<String>| async move { api.describe_tasks(c, &arns).await }.boxed();
                self.list_and_describe(
                    &[&running, &stopped],
                    DESCRIBE_TASKS_BATCH,
                    &describe,
                    Rows::Tasks,
                )
                .await
            }
            Scope::Task { cluster, task_arn } => self.task(cluster, task_arn).await,
            Scope::Service { cluster, service } => {
                let names = [service.clone()];
                let found = self
                    .call(|| api.describe_services(cluster, &names))
                    .await
                    .and_then(|found| {
                        found
                            .into_iter()
                            .next()
                            .ok_or_else(|| ApiError::NotFound(format!("service {service}")))
                    });
                match found {
                    Ok(s) => {
                        // The service shows at once; its ALB traffic, task sets and CodeDeploy follow (their
                        // own calls).
                        let groups = s.target_group_arns();
                        let bg = s.deployment_controller != Controller::Ecs;
                        self.send(DataUpdate::ServiceDetail(Box::new(s.clone())));
                        if let Some(traffic) = self.traffic(cluster, service, &groups).await {
                            self.send(traffic);
                        }
                        if bg && let Some(b) = self.blue_green(cluster, &s).await {
                            self.send(DataUpdate::BlueGreen(Box::new(b)));
                        }
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Scope::LogGroups { prefix } => self.log_groups(prefix.as_deref()).await,
            Scope::Deploy { cluster, service } => self.deploy(cluster, service).await,
            Scope::Logs | Scope::Metrics => Ok(()),
        };
        match result {
            Ok(()) => self.send(DataUpdate::Done { at: now_ms() }),
            Err(error) => {
                tracing::warn!(scope = ?self.scope, %error, "refresh failed");
                self.send(DataUpdate::Failed {
                    error,
                    at: now_ms(),
                })
            }
        }
    }

    /// DescribeLogGroups pages, each shown as it arrives (there is nothing to describe).
    async fn log_groups(&self, prefix: Option<&str>) -> Result<(), ApiError> {
        let mut token = None;
        let mut listed = 0;
        loop {
            let page = self
                .call(|| self.api.describe_log_groups(prefix, token.clone()))
                .await?;
            listed += page.groups.len();
            let done = page.next_token.is_none();
            self.send(DataUpdate::Batch {
                rows: Rows::LogGroups(page.groups),
                progress: Progress {
                    described: listed,
                    listed,
                    listing_done: done,
                },
            });
            match page.next_token {
                Some(t) => token = Some(t),
                None => return Ok(()),
            }
        }
    }

    /// Pages through every lister, describing each page's ARNs in batches of `batch` while the next page
    /// is being listed, at most `concurrency` describes at once. Each batch is sent as soon as it arrives.
    async fn list_and_describe<'f, T>(
        &'f self,
        listers: &[&Lister<'f>],
        batch: usize,
        describe: &Describer<'f, T>,
        wrap: fn(Vec<T>) -> Rows,
    ) -> Result<(), ApiError> {
        let listed = AtomicUsize::new(0);
        let described = AtomicUsize::new(0);
        let listing_done = AtomicBool::new(false);
        let progress = || Progress {
            described: described.load(Ordering::Relaxed),
            listed: listed.load(Ordering::Relaxed),
            listing_done: listing_done.load(Ordering::Relaxed),
        };
        let (chunks_tx, chunks_rx) = futures::channel::mpsc::unbounded::<Vec<String>>();
        let lister = async {
            // Owned here: dropping it when listing ends is what ends the describe stream.
            let chunks_tx = chunks_tx;
            for list in listers {
                let mut token = None;
                loop {
                    let page = self.call(|| list(token.clone())).await?;
                    listed.fetch_add(page.arns.len(), Ordering::Relaxed);
                    for chunk in page.arns.chunks(batch) {
                        let _ = chunks_tx.unbounded_send(chunk.to_vec());
                    }
                    token = page.next_token;
                    if token.is_none() {
                        break;
                    }
                }
            }
            listing_done.store(true, Ordering::Relaxed);
            Ok::<(), ApiError>(())
        };
        let describer = chunks_rx
            .map(|chunk| self.call(move || describe(chunk.clone())))
            .buffer_unordered(self.config.concurrency.max(1))
            .try_for_each(|items| {
                described.fetch_add(items.len(), Ordering::Relaxed);
                self.send(DataUpdate::Batch {
                    rows: wrap(items),
                    progress: progress(),
                });
                futures::future::ready(Ok(()))
            });
        futures::try_join!(lister, describer)?;
        Ok(())
    }

    /// One refresh of the deploy watch screen: one DescribeServices, the service's running and stopped task
    /// ARNs (one ListTasks page each per 100), ceil(tasks / 100) DescribeTasks, one DescribeTargetHealth per
    /// target group, one ListServiceDeployments and one DescribeServiceDeployments (the newest few).
    async fn deploy(&self, cluster: &str, service: &str) -> Result<(), ApiError> {
        let api = self.api;
        let names = [service.to_owned()];
        let svc = self
            .call(|| api.describe_services(cluster, &names))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::NotFound(format!("service {service}")))?;
        let mut arns = Vec::new();
        for desired in [DesiredStatus::Running, DesiredStatus::Stopped] {
            let mut token = None;
            loop {
                let page = self
                    .call(|| api.list_tasks(cluster, Some(service), desired, token.clone()))
                    .await?;
                arns.extend(page.arns);
                token = page.next_token;
                if token.is_none() {
                    break;
                }
            }
        }
        let describes = arns
            .chunks(DESCRIBE_TASKS_BATCH)
            .map(|chunk| self.call(move || api.describe_tasks(cluster, chunk)));
        let tasks: Vec<Task> = futures::future::try_join_all(describes)
            .await?
            .into_iter()
            .flatten()
            .collect();
        let groups = svc.target_group_arns();
        let health = futures::future::join_all(groups.iter().map(|arn| async move {
            (
                arn.clone(),
                self.call(|| api.describe_target_health(arn)).await,
            )
        }))
        .await;
        let deployments = match self
            .call(|| api.list_service_deployments(cluster, service))
            .await
        {
            Ok(briefs) if briefs.is_empty() => Ok(vec![]),
            Ok(briefs) => {
                // In detail: the ones under way and the newest finished one.
                let wanted: Vec<String> = briefs
                    .iter()
                    .enumerate()
                    .filter(|(i, b)| *i == 0 || deployment_under_way(&b.status))
                    .map(|(_, b)| b.service_deployment_arn.clone())
                    .take(SERVICE_DEPLOYMENTS_PER_CALL)
                    .collect();
                self.call(|| api.describe_service_deployments(&wanted))
                    .await
                    .map(|mut detailed| {
                        detailed.sort_by_key(|d| std::cmp::Reverse(d.started_at));
                        detailed
                    })
            }
            Err(e) => Err(e),
        };
        // CODE_DEPLOY / EXTERNAL: task sets and CodeDeploy (no calls for a service ECS deploys itself).
        let codedeploy = self.blue_green(cluster, &svc).await;
        let snapshot = crate::model::deploy::DeploySnapshot {
            service: svc,
            tasks,
            health,
            deployments,
            codedeploy,
            at: now_ms(),
        };
        self.busy.store(snapshot.busy(), Ordering::Relaxed);
        let groups = snapshot.service.target_group_arns();
        // Read before the snapshot is sent, so a refresh's calls are all made when its snapshot arrives.
        let traffic = self.traffic(cluster, service, &groups).await;
        self.send(DataUpdate::Deploy(Box::new(snapshot)));
        if let Some(traffic) = traffic {
            self.send(traffic);
        }
        Ok(())
    }

    /// The service's ALB routes and pair, to send with its other data (a failure here is shown in the
    /// Traffic section and does not fail the refresh). Nothing is read for a service without target groups.
    async fn traffic(&self, cluster: &str, service: &str, groups: &[String]) -> Option<DataUpdate> {
        if groups.is_empty() {
            return None;
        }
        // Kept per service, not per screen: the watch screen that opens after a shift still knows blue's
        // 5XX rate from the details or watch screen the shift was made from.
        let key = format!("{cluster}/{service}");
        let mut known = {
            let owners = self.owners.lock().unwrap_or_else(PoisonError::into_inner);
            if owners.0 == key {
                owners.1.clone()
            } else {
                Default::default()
            }
        };
        let result =
            super::traffic::load_with(self.api, cluster, service, groups, &mut known).await;
        *self.owners.lock().unwrap_or_else(PoisonError::into_inner) = (key, known);
        Some(DataUpdate::Traffic(Box::new(result)))
    }

    async fn task(&self, cluster: &str, task_arn: &str) -> Result<(), ApiError> {
        let api = self.api;
        let arns = [task_arn.to_owned()];
        let task = self
            .call(|| api.describe_tasks(cluster, &arns))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "task {} (ECS forgets stopped tasks about an hour after they stop)",
                    arn_name(task_arn)
                ))
            })?;
        let arn = task.task_definition_arn.clone();
        // The cache holds only complete definitions, so a panic elsewhere cannot leave it half-written.
        let cached = self
            .definitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&arn)
            .cloned();
        let definition = match cached {
            Some(d) => Ok(d),
            None => {
                let fetched = self.call(|| api.describe_task_definition(&arn)).await;
                if let Ok(d) = &fetched {
                    self.definitions
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(arn.clone(), d.clone());
                }
                fetched
            }
        };
        self.send(DataUpdate::TaskDetail {
            task: Box::new(task),
            definition: definition.map(Box::new),
        });
        Ok(())
    }
}
