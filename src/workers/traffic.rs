//! Gathers what `model::traffic` reads about a service's ALB routing: its target groups, the listeners and
//! rules of their load balancers, the other services of the cluster that own a target group those routes
//! reach, and the health of the groups. Read-only; used by the traffic dialog (and any screen that shows it).

use crate::aws::*;
use crate::model::traffic::{GroupHealth, Traffic, TrafficFacts, analyze, routes};

/// Every call needed to tell the routes and the pair of `service`.
pub async fn load(
    api: &dyn Api,
    cluster: &str,
    service: &str,
    target_groups: &[String],
) -> Result<Traffic, ApiError> {
    load_with(api, cluster, service, target_groups, &mut Vec::new()).await
}

/// [`load`], with the owners of target groups already known (a refresh of the same screen): the cluster is
/// listed again only when a route reaches a group none of them owns. `known` is updated.
pub async fn load_with(
    api: &dyn Api,
    cluster: &str,
    service: &str,
    target_groups: &[String],
    known: &mut Vec<(String, Vec<String>)>,
) -> Result<Traffic, ApiError> {
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
        return Ok(analyze(&facts));
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
    Ok(analyze(&facts))
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
