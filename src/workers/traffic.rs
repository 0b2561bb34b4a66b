//! Gathers what `model::traffic` reads about a service's ALB routing: its target groups, the listeners and
//! rules of their load balancers, the other services of the cluster that own a target group those routes
//! reach, and the health of the groups. Read-only; used by the traffic dialog (and any screen that shows it).

use crate::aws::*;
use crate::model::traffic::{
    GroupHealth, GroupMetrics, METRICS_SPAN_MS, Traffic, TrafficFacts, analyze, group_metrics,
    metric_queries, routes,
};

/// What a screen that refreshes its traffic keeps between refreshes.
#[derive(Debug, Clone, Default)]
pub struct TrafficCache {
    /// Each service owning a target group the routes reach, with its groups.
    pub owners: Vec<(String, Vec<String>)>,
    /// The pair's numbers and when they were read (CloudWatch is billed per metric: at most once a minute).
    pub metrics: Option<(Millis, Vec<GroupMetrics>)>,
    /// Each group's 5XX rate when it last took requests (see `Traffic::earlier_rates`).
    pub rates: Vec<(String, f64)>,
}

/// How often a refreshing screen asks CloudWatch for the pair's numbers again.
const METRICS_EVERY_MS: Millis = 60_000;

/// Every call needed to tell the routes and the pair of `service` (the traffic dialog's lookup: target health
/// decides what it refuses; CloudWatch's numbers are the screens' business, not read here).
pub async fn load(
    api: &dyn Api,
    cluster: &str,
    service: &str,
    target_groups: &[String],
) -> Result<Traffic, ApiError> {
    let mut cache = TrafficCache::default();
    routes_and_pair(api, cluster, service, target_groups, &mut cache.owners)
        .await
        .map(|(_, traffic)| traffic)
}

/// [`load`] for a refreshing screen, with the pair's CloudWatch numbers: the owners of target groups already
/// known are reused (the cluster is listed again only when a route reaches a group none of them owns) and
/// the numbers are read at most once a minute. `cache` is updated.
pub async fn load_with(
    api: &dyn Api,
    cluster: &str,
    service: &str,
    target_groups: &[String],
    cache: &mut TrafficCache,
) -> Result<Traffic, ApiError> {
    let (facts, mut traffic) =
        routes_and_pair(api, cluster, service, target_groups, &mut cache.owners).await?;
    pair_metrics(api, &facts, &mut traffic, &mut cache.metrics).await;
    for m in &traffic.metrics {
        if let Some(r) = m.five_xx_rate() {
            cache.rates.retain(|(a, _)| *a != m.target_group_arn);
            cache.rates.push((m.target_group_arn.clone(), r));
        }
    }
    traffic.earlier_rates = cache.rates.clone();
    Ok(traffic)
}

async fn routes_and_pair(
    api: &dyn Api,
    cluster: &str,
    service: &str,
    target_groups: &[String],
    known: &mut Vec<(String, Vec<String>)>,
) -> Result<(TrafficFacts, Traffic), ApiError> {
    let own = target_groups.to_vec();
    let mut facts = TrafficFacts {
        service: service.to_owned(),
        own_groups: own.clone(),
        ..Default::default()
    };
    let mut balancers: Vec<String> = Vec::new();
    for chunk in own.chunks(TARGET_GROUPS_PER_CALL) {
        for g in api.describe_target_groups(chunk).await? {
            for lb in g.load_balancer_arns {
                if !balancers.contains(&lb) {
                    balancers.push(lb);
                }
            }
        }
    }
    for lb in &balancers {
        for l in api.describe_listeners(lb).await? {
            facts
                .rules
                .extend(api.describe_rules(&l.listener_arn).await?);
            facts.listeners.push(l);
        }
    }
    let all = routes(&facts.listeners, &facts.rules);
    // No listener routes to the service: nothing more to learn (no partner, no weights to show).
    if !all.iter().any(|r| own.iter().any(|g| r.forwards_to(g))) {
        let traffic = analyze(&facts);
        return Ok((facts, traffic));
    }
    // The groups these listeners reach that are not the service's own: whose are they?
    let mut wanted: Vec<String> = Vec::new();
    for r in all {
        for (arn, _) in r.shares() {
            if !own.contains(&arn) && !wanted.contains(&arn) {
                wanted.push(arn);
            }
        }
    }
    let covered = wanted
        .iter()
        .all(|w| known.iter().any(|(_, g)| g.contains(w)));
    if !covered {
        *known = owners(api, cluster, service, &wanted).await?;
    }
    facts.others = known.clone();
    let mut groups = own.clone();
    for (_, g) in &facts.others {
        groups.extend(g.iter().filter(|a| wanted.contains(a)).cloned());
    }
    for arn in groups {
        let targets = api.describe_target_health(&arn).await?;
        facts.health.push(GroupHealth {
            healthy: targets.iter().filter(|t| t.state == "healthy").count(),
            total: targets.len(),
            target_group_arn: arn,
        });
    }
    let traffic = analyze(&facts);
    Ok((facts, traffic))
}

/// The pair's numbers side by side, from `cached` when read within the last minute. A failure is said in
/// the Traffic section; it does not fail the routes.
async fn pair_metrics(
    api: &dyn Api,
    facts: &TrafficFacts,
    traffic: &mut Traffic,
    cached: &mut Option<(Millis, Vec<GroupMetrics>)>,
) {
    let Ok(pair) = &traffic.pair else {
        return;
    };
    let now = super::clock::now_ms();
    if let Some((at, m)) = cached.as_ref()
        && now - at < METRICS_EVERY_MS
    {
        traffic.metrics = m.clone();
        return;
    }
    let lb = facts
        .listeners
        .iter()
        .find(|l| l.listener_arn == pair.live.listener_arn)
        .and_then(|l| load_balancer_dimension(&l.load_balancer_arn));
    let Some(queries) = lb.and_then(|lb| metric_queries(pair, lb)) else {
        return;
    };
    // One whole period ending at the last full minute.
    let end = now - now.rem_euclid(60_000);
    let req = MetricRequest {
        queries,
        start: end - METRICS_SPAN_MS,
        end,
        next_token: None,
    };
    match api.get_metric_data(&req).await {
        Ok(page) => {
            traffic.metrics = group_metrics(pair, &page.results);
            *cached = Some((now, traffic.metrics.clone()));
        }
        Err(e) => traffic.metrics_error = Some(e.to_string()),
    }
}

/// The services of the cluster (other than `except`) registered in any of `wanted`, with their groups; stops
/// listing once every group has its owner.
async fn owners(
    api: &dyn Api,
    cluster: &str,
    except: &str,
    wanted: &[String],
) -> Result<Vec<(String, Vec<String>)>, ApiError> {
    let mut found: Vec<(String, Vec<String>)> = Vec::new();
    let mut token = None;
    loop {
        let page = api.list_services(cluster, token).await?;
        for chunk in page.arns.chunks(DESCRIBE_SERVICES_BATCH) {
            for s in api.describe_services(cluster, chunk).await? {
                let groups = s.target_group_arns();
                if s.service_name != except && groups.iter().any(|g| wanted.contains(g)) {
                    found.push((s.service_name, groups));
                }
            }
            let all_owned = wanted
                .iter()
                .all(|w| found.iter().any(|(_, g)| g.contains(w)));
            if all_owned {
                return Ok(found);
            }
        }
        match page.next_token {
            Some(t) => token = Some(t),
            None => return Ok(found),
        }
    }
}
