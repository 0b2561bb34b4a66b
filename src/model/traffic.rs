//! ALB traffic between two services, as pure logic: which listener or rule routes to a service's target
//! groups (with what weight and conditions), the blue/green pair it forms with another service of the
//! cluster, and the exact ModifyListener / ModifyRule request of a switch, a canary shift or a switch back —
//! or the reason it is refused. The executor in `workers::traffic` only gathers the facts read here.
//!
//! Naming: **green** is the side the test route reaches (or, without one, the side with the smaller live
//! weight); **blue** the other. A switch sends all live traffic to green, a shift gives green N %, a switch back
//! gives blue everything again.

use crate::aws::*;
use crate::model::actions::{ActionKind, Call, Plan};

/// Target health counts of one target group (DescribeTargetHealth).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupHealth {
    pub target_group_arn: String,
    pub healthy: usize,
    pub total: usize,
}

/// What AWS said, gathered for [`analyze`]: the service's target groups, the listeners and rules of their
/// load balancers, the other services of the cluster that own a target group those routes reach, and health.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrafficFacts {
    pub service: String,
    pub own_groups: Vec<String>,
    /// (service name, its target group ARNs).
    pub others: Vec<(String, Vec<String>)>,
    pub listeners: Vec<Listener>,
    pub rules: Vec<Rule>,
    pub health: Vec<GroupHealth>,
}

/// A listener's default actions, or one of its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub listener_arn: String,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    /// None: the listener's default actions (changed with ModifyListener).
    pub rule_arn: Option<String>,
    pub priority: Option<String>,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<RouteAction>,
}

impl Route {
    /// `HTTP:80 default`, `HTTP:80 rule 10`.
    pub fn label(&self) -> String {
        let listener = format!(
            "{}:{}",
            self.protocol.as_deref().unwrap_or("?"),
            self.port
                .map(|p| p.to_string())
                .unwrap_or_else(|| "?".into())
        );
        match &self.priority {
            None => format!("{listener} default"),
            Some(p) => format!("{listener} rule {p}"),
        }
    }

    /// `path /test/*`, `host a.example.com`, `header X-Canary: 1` — or `any request` for a default.
    pub fn conditions_text(&self) -> String {
        if self.conditions.is_empty() {
            return "any request".into();
        }
        self.conditions
            .iter()
            .map(|c| {
                let what = match (c.field.as_str(), &c.header_name) {
                    ("path-pattern", _) => "path".to_owned(),
                    ("host-header", _) => "host".to_owned(),
                    ("http-header", Some(h)) => format!("header {h}:"),
                    (f, _) => f.to_owned(),
                };
                format!("{what} {}", c.values.join(" | "))
            })
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// The groups this route forwards to, each with its share of the route's traffic in percent.
    pub fn shares(&self) -> Vec<(String, f64)> {
        let mut out = Vec::new();
        for a in &self.actions {
            if let RouteAction::Forward { target_groups, .. } = a {
                let weight = |g: &WeightedTargetGroup| f64::from(g.weight.unwrap_or(1).max(0));
                let total: f64 = target_groups.iter().map(weight).sum();
                for g in target_groups {
                    let share = if total > 0.0 {
                        weight(g) * 100.0 / total
                    } else {
                        0.0
                    };
                    out.push((g.target_group_arn.clone(), share));
                }
            }
        }
        out
    }

    pub fn forwards_to(&self, arn: &str) -> bool {
        self.shares().iter().any(|(a, _)| a == arn)
    }

    /// The action types ecsdeck does not rewrite (redirect, fixed-response, authenticate-…), by name.
    pub fn other_actions(&self) -> Vec<String> {
        self.actions
            .iter()
            .filter_map(|a| match a {
                RouteAction::Other { kind, .. } => Some(kind.clone()),
                RouteAction::Forward { .. } => None,
            })
            .collect()
    }
}

/// One side of a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    pub service: String,
    pub target_group_arn: String,
    /// Its share of the live route, in percent (rounded).
    pub share: i32,
}

/// Two services of one cluster that take turns on one live route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub blue: Side,
    pub green: Side,
    /// The production route: the listener default (or rule) whose forward action a shift rewrites.
    pub live: Route,
    /// A route that reaches green only (a rule, or another listener), if there is one.
    pub test: Option<Route>,
}

/// What the Traffic section and the traffic dialog show.
#[derive(Debug, Clone, PartialEq)]
pub struct Traffic {
    pub service: String,
    /// Every route that reaches the service's target groups or its partner's.
    pub routes: Vec<Route>,
    /// The pair, or why the service is in none (boxed: it is most of the size, and travels in messages).
    pub pair: Result<Box<Pair>, String>,
    pub health: Vec<GroupHealth>,
    /// The pair's numbers side by side (empty: not read, or CloudWatch failed — see `metrics_error`).
    pub metrics: Vec<GroupMetrics>,
    pub metrics_error: Option<String>,
    /// Each group's 5XX rate when it last took requests while this screen was open: after a switch blue
    /// takes none, and the verdict still compares green with what blue did.
    pub earlier_rates: Vec<(String, f64)>,
}

impl Traffic {
    pub fn health_of(&self, arn: &str) -> Option<&GroupHealth> {
        self.health.iter().find(|h| h.target_group_arn == arn)
    }
    pub fn metrics_of(&self, arn: &str) -> Option<&GroupMetrics> {
        self.metrics.iter().find(|m| m.target_group_arn == arn)
    }
    /// The target 5XX rate of each group whose requests were counted, for [`verdict`]; a group that took
    /// none in the window has its rate from when it last did (on this screen), if it did.
    pub fn five_xx_rates(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = self
            .metrics
            .iter()
            .filter_map(|m| m.five_xx_rate().map(|r| (m.target_group_arn.clone(), r)))
            .collect();
        for (arn, r) in &self.earlier_rates {
            if !out.iter().any(|(a, _)| a == arn) {
                out.push((arn.clone(), *r));
            }
        }
        out
    }
}

/// Every route of the listeners: each listener's default actions, then its rules (the default rule is the
/// listener's default actions again, so it is left out).
pub fn routes(listeners: &[Listener], rules: &[Rule]) -> Vec<Route> {
    let mut out = Vec::new();
    for l in listeners {
        out.push(Route {
            listener_arn: l.listener_arn.clone(),
            port: l.port,
            protocol: l.protocol.clone(),
            rule_arn: None,
            priority: None,
            conditions: vec![],
            actions: l.default_actions.clone(),
        });
        let mut own: Vec<&Rule> = rules
            .iter()
            .filter(|r| r.listener_arn == l.listener_arn && !r.is_default)
            .collect();
        own.sort_by_key(|r| r.priority.parse::<u32>().unwrap_or(u32::MAX));
        for r in own {
            out.push(Route {
                listener_arn: l.listener_arn.clone(),
                port: l.port,
                protocol: l.protocol.clone(),
                rule_arn: Some(r.rule_arn.clone()),
                priority: Some(r.priority.clone()),
                conditions: r.conditions.clone(),
                actions: r.actions.clone(),
            });
        }
    }
    out
}

/// How likely a listener default is the production one: 443, then 80, then the lowest port (a test listener
/// usually sits on 8080 or 9000).
fn live_rank(r: &Route) -> (u8, u8, i32) {
    let port = r.port.unwrap_or(i32::MAX);
    (
        u8::from(r.rule_arn.is_some()),
        match port {
            443 => 0,
            80 => 1,
            _ => 2,
        },
        port,
    )
}

/// Finds the routes and the pair of `facts.service`.
pub fn analyze(facts: &TrafficFacts) -> Traffic {
    let all = routes(&facts.listeners, &facts.rules);
    let owner = |arn: &str| -> Option<String> {
        if facts.own_groups.iter().any(|g| g == arn) {
            return Some(facts.service.clone());
        }
        facts
            .others
            .iter()
            .find(|(_, groups)| groups.iter().any(|g| g == arn))
            .map(|(name, _)| name.clone())
    };
    let touches = |r: &Route| r.shares().iter().any(|(a, _)| owner(a).is_some());
    let shown: Vec<Route> = all.iter().filter(|r| touches(r)).cloned().collect();
    Traffic {
        service: facts.service.clone(),
        pair: find_pair(facts, &all, &owner).map(Box::new),
        routes: shown,
        health: facts.health.clone(),
        metrics: vec![],
        metrics_error: None,
        earlier_rates: vec![],
    }
}

fn find_pair(
    facts: &TrafficFacts,
    all: &[Route],
    owner: &dyn Fn(&str) -> Option<String>,
) -> Result<Pair, String> {
    let name = &facts.service;
    if facts.own_groups.is_empty() {
        return Err(format!("{name} is registered in no target group"));
    }
    let own = |arn: &str| facts.own_groups.iter().any(|g| g == arn);
    let partner_of = |arn: &str| owner(arn).filter(|o| o != name);
    // 1. One route forwards by weight to one of ours and one of another service's.
    let mut weighted: Vec<&Route> = all
        .iter()
        .filter(|r| {
            let s = r.shares();
            s.iter().any(|(a, _)| own(a)) && s.iter().any(|(a, _)| partner_of(a).is_some())
        })
        .collect();
    weighted.sort_by_key(|r| live_rank(r));
    if let Some(live) = weighted.first() {
        let shares = live.shares();
        let mine = shares.iter().find(|(a, _)| own(a));
        let theirs = shares.iter().find(|(a, _)| partner_of(a).is_some());
        if let (Some(mine), Some(theirs)) = (mine, theirs) {
            let partner = partner_of(&theirs.0).unwrap_or_default();
            let test_of = |arn: &str| {
                all.iter()
                    .filter(|r| *r != *live)
                    .find(|r| {
                        let s = r.shares();
                        !s.is_empty() && s.iter().all(|(a, _)| a == arn)
                    })
                    .cloned()
            };
            let side = |svc: &str, g: &(String, f64)| Side {
                service: svc.to_owned(),
                target_group_arn: g.0.clone(),
                share: g.1.round() as i32,
            };
            let (mine_side, their_side) = (side(name, mine), side(&partner, theirs));
            // Green is the side the test route reaches; without one, the side with less live traffic
            // (on a tie: the partner, so the user's own service is blue).
            let mine_is_green = match (test_of(&mine.0), test_of(&theirs.0)) {
                (Some(_), None) => true,
                (None, Some(_)) => false,
                _ => mine.1 < theirs.1,
            };
            let (blue, green) = if mine_is_green {
                (their_side, mine_side)
            } else {
                (mine_side, their_side)
            };
            return Ok(Pair {
                test: test_of(&green.target_group_arn),
                live: (*live).clone(),
                blue,
                green,
            });
        }
    }
    // 2. One of the two is a listener's default (live); the other is reached by a rule or another listener.
    let alone = |r: &Route| {
        let s = r.shares();
        (s.len() == 1).then(|| s.into_iter().next()).flatten()
    };
    let mut lives: Vec<&Route> = all
        .iter()
        .filter(|r| r.rule_arn.is_none() && alone(r).is_some_and(|(a, _)| owner(&a).is_some()))
        .collect();
    lives.sort_by_key(|r| live_rank(r));
    for live in lives {
        let Some((live_arn, _)) = alone(live) else {
            continue;
        };
        let live_owner = owner(&live_arn).unwrap_or_default();
        let test = all.iter().filter(|r| *r != live).find(|r| {
            alone(r).is_some_and(|(a, _)| {
                owner(&a).is_some_and(|o| o != live_owner && (o == *name || live_owner == *name))
            })
        });
        if let Some(test) = test
            && let Some((test_arn, _)) = alone(test)
        {
            let test_owner = owner(&test_arn).unwrap_or_default();
            return Ok(Pair {
                blue: Side {
                    service: live_owner,
                    target_group_arn: live_arn,
                    share: 100,
                },
                green: Side {
                    service: test_owner,
                    target_group_arn: test_arn,
                    share: 0,
                },
                live: live.clone(),
                test: Some(test.clone()),
            });
        }
    }
    Err(format!(
        "{name} shares no listener with another service of the cluster: no weighted forward to both, and no \
         live route to one with a test route to the other"
    ))
}

/// The verdict of a pair on the watch screen: green carries all live traffic, has healthy targets, and its
/// 5XX rate is not above blue's. `five_xx` are the rates (per cent of requests) where the metrics exist.
pub fn verdict(traffic: &Traffic, five_xx: &[(String, f64)]) -> (bool, String) {
    let Ok(pair) = &traffic.pair else {
        return (false, "no blue/green pair".into());
    };
    let rate = |arn: &str| five_xx.iter().find(|(a, _)| a == arn).map(|(_, r)| *r);
    let healthy = traffic
        .health_of(&pair.green.target_group_arn)
        .map(|h| h.healthy)
        .unwrap_or(0);
    if pair.green.share < 100 {
        return (
            false,
            format!(
                "{} takes {} % of live traffic",
                pair.green.service, pair.green.share
            ),
        );
    }
    if healthy == 0 {
        return (
            false,
            format!("{} has no healthy target", pair.green.service),
        );
    }
    match (
        rate(&pair.green.target_group_arn),
        rate(&pair.blue.target_group_arn),
    ) {
        (Some(g), Some(b)) if g > b => (
            false,
            format!(
                "{} 5XX {g:.1} % is above {}'s {b:.1} %",
                pair.green.service, pair.blue.service
            ),
        ),
        (Some(g), Some(b)) => (
            true,
            format!(
                "{} takes 100 % with {healthy} healthy targets, 5XX {g:.1} % (blue {b:.1} %)",
                pair.green.service
            ),
        ),
        (Some(g), None) => (
            false,
            format!(
                "{} takes 100 % with {healthy} healthy targets, 5XX {g:.1} %; {}'s rate to compare is not known (no requests counted while watched)",
                pair.green.service, pair.blue.service
            ),
        ),
        (None, _) => (
            false,
            format!(
                "{} takes 100 % with {healthy} healthy targets; its 5XX rate is not known yet (no requests counted)",
                pair.green.service
            ),
        ),
    }
}

/// `storefront-blue 100 · storefront-green 0` of a route's forward actions as AWS reports them (the audit
/// log's before), or the other action types by name.
pub fn weights_text(actions: &[RouteAction]) -> String {
    let parts: Vec<String> = actions
        .iter()
        .flat_map(|a| match a {
            RouteAction::Forward { target_groups, .. } => target_groups
                .iter()
                .map(|g| {
                    format!(
                        "{} {}",
                        crate::model::deploy::target_group_name(&g.target_group_arn),
                        g.weight
                            .map(|w| w.to_string())
                            .unwrap_or_else(|| "(only)".into())
                    )
                })
                .collect::<Vec<_>>(),
            RouteAction::Other { kind, .. } => vec![kind.clone()],
        })
        .collect();
    parts.join(" · ")
}

/// The same for the actions of a request (the audit log's after).
pub fn request_weights_text(actions: &[ForwardActionRequest]) -> String {
    let parts: Vec<String> = actions
        .iter()
        .flat_map(|a| a.forward_config.target_groups.iter())
        .map(|g| {
            format!(
                "{} {}",
                crate::model::deploy::target_group_name(&g.target_group_arn),
                g.weight
            )
        })
        .collect();
    parts.join(" · ")
}

/// The listener of a rule: `…:listener-rule/app/lb/id/lid/rid` → `…:listener/app/lb/id/lid`.
pub fn listener_of_rule(rule_arn: &str) -> Option<String> {
    let (prefix, tail) = rule_arn.split_once(":listener-rule/")?;
    let (listener, _) = tail.rsplit_once('/')?;
    Some(format!("{prefix}:listener/{listener}"))
}

mod metrics;
mod plan;
pub use metrics::*;
pub use plan::*;

#[cfg(test)]
mod tests;
