//! The metrics worker: keeps the charts of the service on screen (or the alarm states and optional columns
//! of a services list) fresh, about once a minute, as CloudWatch publishes per minute.
//!
//! A refresh of a service's charts is one DescribeServices (deployments for the chart markers, and the
//! target groups), DescribeTargetGroups only when the target groups changed, exactly ONE GetMetricData for
//! every chart on screen (the plan keeps it under 500 queries and 100,800 datapoints), one
//! DescribeTargetHealth per target group and DescribeAlarms. After the first fetch of a window, a refresh asks
//! only from a few minutes before the last fetch's end, so late datapoints are corrected.

use crate::aws::*;
use crate::model::metrics::{Window, align_down, fetch_range, plan};
use crate::protocol::FleetColumns;
use crate::protocol::MetricsRequest;
use crate::protocol::MetricsUpdate;
use crate::workers::clock::now_ms;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug, Clone)]
pub struct MetricsConfig {
    /// Metrics are per minute: refreshing more often costs money and shows nothing new.
    pub refresh: Duration,
    /// After a failure.
    pub retry: Duration,
    /// How far back before the last fetch's end a refresh asks again (late datapoints).
    pub overlap: Duration,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            refresh: Duration::from_secs(60),
            retry: Duration::from_secs(15),
            overlap: Duration::from_secs(300),
        }
    }
}

pub type Sink = Box<dyn Fn(u64, MetricsUpdate) + Send + Sync>;

pub struct MetricsWorker {
    request: watch::Sender<Option<(MetricsRequest, u64)>>,
}

impl MetricsWorker {
    pub fn spawn(api: Arc<dyn Api>, config: MetricsConfig, sink: Sink) -> MetricsWorker {
        let (tx, mut rx) = watch::channel::<Option<(MetricsRequest, u64)>>(None);
        let sink = Arc::new(sink);
        super::spawn(async move {
            loop {
                let current = rx.borrow_and_update().clone();
                let Some((request, generation)) = current else {
                    if rx.changed().await.is_err() {
                        return;
                    }
                    continue;
                };
                let send = {
                    let sink = sink.clone();
                    move |u: MetricsUpdate| {
                        log_failure(&u);
                        sink(generation, u)
                    }
                };
                match request {
                    MetricsRequest::Service {
                        cluster,
                        service,
                        window,
                        compact,
                    } => {
                        let run =
                            run_service(&*api, &config, &cluster, &service, window, compact, &send);
                        tokio::select! {
                            _ = run => {}
                            changed = rx.changed() => if changed.is_err() { return },
                        }
                    }
                    MetricsRequest::Fleet { .. } => {
                        if run_fleet(&*api, &config, &mut rx, &send).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        MetricsWorker { request: tx }
    }

    /// Watch this (None: stop), feeding the view of this generation.
    pub fn watch(&self, request: Option<MetricsRequest>, generation: u64) {
        self.request.send_replace(request.map(|r| (r, generation)));
    }
}

/// Every page of DescribeAlarms.
async fn scan_alarms(api: &dyn Api, state: Option<&str>) -> Result<Vec<Alarm>, ApiError> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let page = api.describe_alarms(state, token).await?;
        all.extend(page.alarms);
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(all),
        }
    }
}

/// DescribeTargetGroups in batches of 20.
async fn describe_groups(api: &dyn Api, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
    let mut out = Vec::new();
    for chunk in arns.chunks(TARGET_GROUPS_PER_CALL) {
        out.extend(api.describe_target_groups(chunk).await?);
    }
    Ok(out)
}

/// One GetMetricData request, following NextToken (the plan makes that never happen; counted if it does).
async fn fetch(
    api: &dyn Api,
    queries: Vec<MetricQuery>,
    start: Millis,
    end: Millis,
) -> Result<(Vec<MetricResult>, u32), ApiError> {
    let mut req = MetricRequest {
        queries,
        start,
        end,
        next_token: None,
    };
    let mut by_id: HashMap<String, MetricResult> = HashMap::new();
    let mut calls = 0;
    loop {
        let page = api.get_metric_data(&req).await?;
        calls += 1;
        for r in page.results {
            let entry = by_id.entry(r.id.clone()).or_insert_with(|| MetricResult {
                id: r.id.clone(),
                status: r.status.clone(),
                ..Default::default()
            });
            entry.timestamps.extend(r.timestamps);
            entry.values.extend(r.values);
            entry.status = r.status;
        }
        match page.next_token {
            Some(t) => req.next_token = Some(t),
            None => break,
        }
    }
    let results = req
        .queries
        .iter()
        .filter_map(|q| by_id.remove(&q.id))
        .collect();
    Ok((results, calls))
}

async fn run_service(
    api: &dyn Api,
    config: &MetricsConfig,
    cluster: &str,
    service: &str,
    window: Window,
    compact: bool,
    send: &(dyn Fn(MetricsUpdate) + Send + Sync),
) {
    let cluster_name = arn_name(cluster).to_owned();
    let service_name = arn_name(service).to_owned();
    let mut resolved: Option<(Vec<String>, Vec<TargetGroup>)> = None;
    let mut last_end: Option<Millis> = None;
    loop {
        let mut ok = true;
        let arns = match api.describe_services(cluster, &[service.to_owned()]).await {
            Ok(mut found) if !found.is_empty() => {
                let s = found.remove(0);
                let arns = s.target_group_arns();
                send(MetricsUpdate::Service(Box::new(s)));
                Some(arns)
            }
            Ok(_) => {
                send(MetricsUpdate::ServiceFailed(ApiError::NotFound(format!(
                    "service {service_name} not found"
                ))));
                None
            }
            Err(e) => {
                ok = false;
                send(MetricsUpdate::ServiceFailed(e));
                None
            }
        };
        if let Some(arns) = arns
            && resolved.as_ref().map(|r| &r.0) != Some(&arns)
        {
            match describe_groups(api, &arns).await {
                Ok(groups) => {
                    send(MetricsUpdate::TargetGroups(Ok(groups.clone())));
                    resolved = Some((arns, groups));
                    last_end = None;
                }
                Err(e) => {
                    ok = false;
                    send(MetricsUpdate::TargetGroups(Err(e)));
                }
            }
        }
        let groups = resolved.as_ref().map(|r| r.1.clone()).unwrap_or_default();
        let (queries, _) = plan(&cluster_name, &service_name, &groups, window, compact);
        let period = queries.first().map_or(60, |q| q.period_secs);
        let (start, end) = fetch_range(
            now_ms(),
            window,
            period,
            last_end,
            config.overlap.as_millis() as Millis,
        );
        let count = queries.len();
        match fetch(api, queries, start, end).await {
            Ok((results, calls)) => {
                last_end = Some(end);
                send(MetricsUpdate::Data {
                    window,
                    start,
                    end,
                    period_ms: period as Millis * 1000,
                    results,
                    queries: count,
                    calls,
                    at: now_ms(),
                });
            }
            Err(e) => {
                ok = false;
                send(MetricsUpdate::DataFailed(e));
            }
        }
        for g in &groups {
            let result = api.describe_target_health(&g.target_group_arn).await;
            ok &= result.is_ok();
            send(MetricsUpdate::Health {
                arn: g.target_group_arn.clone(),
                result,
            });
        }
        let dims: Vec<&str> = groups.iter().filter_map(|g| g.dimension()).collect();
        let alarms = scan_alarms(api, None).await.map(|all| {
            all.into_iter()
                .filter(|a| a.watches(&cluster_name, &service_name, &dims))
                .collect()
        });
        ok &= alarms.is_ok();
        send(MetricsUpdate::Alarms(alarms));
        tokio::time::sleep(if ok { config.refresh } else { config.retry }).await;
    }
}

/// Runs a services list's refreshes until the request changes to something else; a new list of services
/// for the same cluster and columns (the list refreshed) is taken in without refetching.
async fn run_fleet(
    api: &dyn Api,
    config: &MetricsConfig,
    rx: &mut watch::Receiver<Option<(MetricsRequest, u64)>>,
    send: &(dyn Fn(MetricsUpdate) + Send + Sync),
) -> Result<(), watch::error::RecvError> {
    let Some((
        MetricsRequest::Fleet {
            cluster, columns, ..
        },
        generation,
    )) = rx.borrow_and_update().clone()
    else {
        return Ok(());
    };
    let mut groups: HashMap<String, TargetGroup> = HashMap::new();
    let mut services = match &*rx.borrow() {
        Some((MetricsRequest::Fleet { services, .. }, _)) => services.clone(),
        _ => vec![],
    };
    let mut due = tokio::time::Instant::now();
    let mut fetched: Vec<(String, Vec<String>)> = Vec::new();
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(due) => {}
            changed = rx.changed() => {
                changed?;
                match &*rx.borrow_and_update() {
                    Some((MetricsRequest::Fleet { cluster: c, columns: k, services: s }, g))
                        if *g == generation && *c == cluster && *k == columns =>
                    {
                        // The columns were fetched for other services (the list was still loading):
                        // fetch for these now rather than a minute later.
                        let names = |v: &[(String, Vec<String>)]| {
                            v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
                        };
                        if columns.is_some() && names(s) != names(&fetched) {
                            due = tokio::time::Instant::now();
                        }
                        services = s.clone();
                        continue;
                    }
                    _ => {}
                }
                // Something else is wanted: let the caller start it (mark it unseen again).
                rx.mark_changed();
                return Ok(());
            }
        }
        let mut ok = true;
        let result = scan_alarms(api, Some("ALARM")).await;
        ok &= result.is_ok();
        send(MetricsUpdate::FleetAlarms {
            result,
            at: now_ms(),
        });
        if let Some(window) = columns {
            fetched = services.clone();
            let result = fleet_columns(api, &cluster, &services, window, &mut groups).await;
            ok &= result.is_ok();
            send(MetricsUpdate::Columns(result));
        }
        due = tokio::time::Instant::now() + if ok { config.refresh } else { config.retry };
    }
}

/// Current CPU and 5XX in the window of every service of a list: two sets of GetMetricData calls (CPU over
/// the last few minutes, 5XX as one datapoint for the whole window), 500 queries per call.
async fn fleet_columns(
    api: &dyn Api,
    cluster: &str,
    services: &[(String, Vec<String>)],
    window: Window,
    groups: &mut HashMap<String, TargetGroup>,
) -> Result<FleetColumns, ApiError> {
    let cluster_name = arn_name(cluster);
    let missing: Vec<String> = services
        .iter()
        .flat_map(|(_, arns)| arns.iter())
        .filter(|a| !groups.contains_key(*a))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for g in describe_groups(api, &missing).await? {
        groups.insert(g.target_group_arn.clone(), g);
    }
    let mut cpu_queries = Vec::new();
    let mut error_queries = Vec::new();
    let mut owner: HashMap<String, String> = HashMap::new();
    for (i, (name, arns)) in services.iter().enumerate() {
        let id = format!("c{i}");
        owner.insert(id.clone(), name.clone());
        cpu_queries.push(MetricQuery {
            id,
            namespace: "AWS/ECS".into(),
            metric: "CPUUtilization".into(),
            dimensions: vec![
                ("ClusterName".into(), cluster_name.into()),
                ("ServiceName".into(), name.clone()),
            ],
            stat: Stat::Average,
            period_secs: 60,
        });
        for (j, arn) in arns.iter().enumerate() {
            let Some(g) = groups.get(arn) else { continue };
            let (Some(tg), Some(lb)) = (g.dimension(), g.load_balancer_dimension()) else {
                continue;
            };
            let id = format!("e{i}_{j}");
            owner.insert(id.clone(), name.clone());
            error_queries.push(MetricQuery {
                id,
                namespace: "AWS/ApplicationELB".into(),
                metric: "HTTPCode_Target_5XX_Count".into(),
                dimensions: vec![
                    ("LoadBalancer".into(), lb.into()),
                    ("TargetGroup".into(), tg.into()),
                ],
                stat: Stat::Sum,
                period_secs: (window.millis() / 1000) as i32,
            });
        }
    }
    let now = now_ms();
    let end = align_down(now, 60_000) + 60_000;
    let mut columns = FleetColumns {
        metrics: cpu_queries.len() + error_queries.len(),
        window,
        at: now,
        ..Default::default()
    };
    for chunk in cpu_queries.chunks(METRIC_QUERIES_PER_CALL) {
        let (results, _) = fetch(api, chunk.to_vec(), end - 10 * 60_000, end).await?;
        for r in results {
            let newest = r
                .timestamps
                .iter()
                .zip(&r.values)
                .max_by_key(|(t, _)| **t)
                .map(|(_, v)| *v);
            if let (Some(v), Some(name)) = (newest, owner.get(&r.id)) {
                columns.cpu.insert(name.clone(), v);
            }
        }
    }
    for chunk in error_queries.chunks(METRIC_QUERIES_PER_CALL) {
        let (results, _) = fetch(api, chunk.to_vec(), end - window.millis(), end).await?;
        for r in results {
            if let Some(name) = owner.get(&r.id) {
                *columns.errors.entry(name.clone()).or_default() += r.values.iter().sum::<f64>();
            }
        }
    }
    // A service with target groups and no 5XX datapoint had none.
    for (name, arns) in services {
        if !arns.is_empty() {
            columns.errors.entry(name.clone()).or_default();
        }
    }
    Ok(columns)
}

/// The screen shows one sentence; the log file keeps the whole error.
fn log_failure(update: &MetricsUpdate) {
    if let Some((what, error)) = update.error() {
        tracing::warn!(what, %error, detail = ?error, "charts: cannot read {what}");
    }
}
