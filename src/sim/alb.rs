//! The simulated Application Load Balancer's listeners and rules: the one place the demo's routing lives.
//!
//! Production's ALB has a listener on HTTP 80 whose default action forwards by weight to
//! `storefront-blue` (100) and `storefront-green` (0), and a rule on path `/test/*` that sends test traffic
//! to green. ModifyListener / ModifyRule change it with the checks AWS makes; [`AlbSim::live_share`] tells the
//! share of live traffic a target group gets now (the simulated metrics follow it).

use crate::aws::*;
use crate::sim::fleet::{Fleet, storefront_target_group};
use crate::sim::metrics::MetricSim;

/// Hands the listeners' live shares to the fleet's traffic (the metrics follow them) and samples again, at
/// `at`, every service registered in a group they route to. Sampling at the fleet's epoch replaces what
/// generation recorded for that instant.
pub fn sync(fleet: &Fleet, alb: &AlbSim, at: Millis) {
    let shares = alb.live_shares();
    if shares.is_empty() {
        return;
    }
    fleet.traffic.set_live(shares.clone());
    for (c, cluster) in fleet.clusters.iter().enumerate() {
        for (s, svc) in cluster.services.iter().enumerate() {
            if svc
                .service
                .target_group_arns()
                .iter()
                .any(|g| shares.contains_key(g))
            {
                fleet.observe(c, s, at);
            }
        }
    }
}

/// The demo's routing when the fleet has the storefront pair; no listeners otherwise.
pub fn from_fleet(fleet: &Fleet, metrics: &MetricSim) -> AlbSim {
    let known: Vec<String> = fleet
        .clusters
        .iter()
        .flat_map(|c| c.services.iter())
        .flat_map(|s| s.service.target_group_arns())
        .collect();
    let (blue, green) = (
        storefront_target_group("blue"),
        storefront_target_group("green"),
    );
    if !known.contains(&blue) || !known.contains(&green) {
        return AlbSim {
            known_groups: known,
            ..AlbSim::default()
        };
    }
    let lb = metrics
        .target_groups(std::slice::from_ref(&blue))
        .ok()
        .and_then(|g| g.into_iter().next())
        .and_then(|g| g.load_balancer_arns.into_iter().next())
        .unwrap_or_default();
    AlbSim::storefront(&lb, &blue, &green, known)
}

/// The listeners and rules of the simulated load balancers.
#[derive(Debug, Clone, Default)]
pub struct AlbSim {
    pub listeners: Vec<Listener>,
    pub rules: Vec<Rule>,
    /// Every target group that exists (a forward to any other is refused, as AWS does).
    pub known_groups: Vec<String>,
}

impl AlbSim {
    /// The demo's routing between `blue` and `green` on `load_balancer_arn` (`app/name/id` at its end).
    pub fn storefront(
        load_balancer_arn: &str,
        blue: &str,
        green: &str,
        known: Vec<String>,
    ) -> Self {
        // listener/app/name/id/<listener id>, listener-rule/app/name/id/<listener id>/<rule id>
        let lb_tail = load_balancer_dimension(load_balancer_arn).unwrap_or("app/production-alb/0");
        let prefix = load_balancer_arn
            .split_once(":loadbalancer/")
            .map(|(p, _)| p)
            .unwrap_or(load_balancer_arn);
        let listener_arn = format!("{prefix}:listener/{lb_tail}/5f0c1a8e9d2b4c70");
        let forward = |groups: Vec<(&str, Option<i32>)>| RouteAction::Forward {
            order: Some(1),
            target_groups: groups
                .into_iter()
                .map(|(arn, weight)| WeightedTargetGroup {
                    target_group_arn: arn.to_owned(),
                    weight,
                })
                .collect(),
            stickiness_seconds: None,
        };
        AlbSim {
            listeners: vec![Listener {
                listener_arn: listener_arn.clone(),
                load_balancer_arn: load_balancer_arn.to_owned(),
                port: Some(80),
                protocol: Some("HTTP".into()),
                default_actions: vec![forward(vec![(blue, Some(100)), (green, Some(0))])],
            }],
            rules: vec![
                Rule {
                    rule_arn: format!(
                        "{prefix}:listener-rule/{lb_tail}/5f0c1a8e9d2b4c70/7e57a11c0de5e7e5"
                    ),
                    listener_arn: listener_arn.clone(),
                    priority: "10".into(),
                    is_default: false,
                    conditions: vec![RuleCondition {
                        field: "path-pattern".into(),
                        header_name: None,
                        values: vec!["/test/*".into()],
                    }],
                    actions: vec![forward(vec![(green, None)])],
                },
                Rule {
                    rule_arn: format!(
                        "{prefix}:listener-rule/{lb_tail}/5f0c1a8e9d2b4c70/defa017defa017de"
                    ),
                    listener_arn,
                    priority: "default".into(),
                    is_default: true,
                    conditions: vec![],
                    actions: vec![forward(vec![(blue, Some(100)), (green, Some(0))])],
                },
            ],
            known_groups: known,
        }
    }

    /// DescribeListeners of one load balancer (none: a load balancer without listeners).
    pub fn listeners_of(&self, load_balancer_arn: &str) -> Vec<Listener> {
        self.listeners
            .iter()
            .filter(|l| l.load_balancer_arn == load_balancer_arn)
            .cloned()
            .collect()
    }

    /// DescribeRules of one listener.
    pub fn rules_of(&self, listener_arn: &str) -> Result<Vec<Rule>, ApiError> {
        if !self
            .listeners
            .iter()
            .any(|l| l.listener_arn == listener_arn)
        {
            return Err(ApiError::NotFound(format!(
                "listener {listener_arn} not found (ListenerNotFound)"
            )));
        }
        Ok(self
            .rules
            .iter()
            .filter(|r| r.listener_arn == listener_arn)
            .cloned()
            .collect())
    }

    pub fn modify_listener(&mut self, req: &ModifyListenerRequest) -> Result<Listener, ApiError> {
        const ACTION: &str = "elasticloadbalancing:ModifyListener";
        let actions = self.check(ACTION, &req.default_actions)?;
        let listener = self
            .listeners
            .iter_mut()
            .find(|l| l.listener_arn == req.listener_arn)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "listener {} not found (ListenerNotFound)",
                    req.listener_arn
                ))
            })?;
        listener.default_actions = actions.clone();
        let listener = listener.clone();
        // The default rule is the listener's default actions seen through DescribeRules.
        for r in self
            .rules
            .iter_mut()
            .filter(|r| r.is_default && r.listener_arn == req.listener_arn)
        {
            r.actions = actions.clone();
        }
        Ok(listener)
    }

    pub fn modify_rule(&mut self, req: &ModifyRuleRequest) -> Result<Rule, ApiError> {
        const ACTION: &str = "elasticloadbalancing:ModifyRule";
        let actions = self.check(ACTION, &req.actions)?;
        let rule = self
            .rules
            .iter_mut()
            .find(|r| r.rule_arn == req.rule_arn)
            .ok_or_else(|| {
                ApiError::NotFound(format!("rule {} not found (RuleNotFound)", req.rule_arn))
            })?;
        if rule.is_default {
            return Err(ApiError::Other(format!(
                "{ACTION}: OperationNotPermitted: the default rule cannot be modified; use ModifyListener"
            )));
        }
        rule.actions = actions;
        Ok(rule.clone())
    }

    /// AWS's checks on forward actions: at least one and at most 5 target groups, weights 0–999, groups
    /// that exist, and no group twice.
    fn check(
        &self,
        action: &str,
        requested: &[ForwardActionRequest],
    ) -> Result<Vec<RouteAction>, ApiError> {
        let invalid = |why: String| ApiError::Other(format!("{action}: ValidationError: {why}"));
        if requested.is_empty() {
            return Err(invalid("at least one action is required".into()));
        }
        let mut out = Vec::new();
        for a in requested {
            let groups = &a.forward_config.target_groups;
            if groups.is_empty() {
                return Err(invalid("a forward action needs a target group".into()));
            }
            if groups.len() > TARGET_GROUPS_PER_FORWARD {
                return Err(ApiError::Other(format!(
                    "{action}: TooManyTargetGroups: at most {TARGET_GROUPS_PER_FORWARD} target groups per forward action, got {}",
                    groups.len()
                )));
            }
            for (i, g) in groups.iter().enumerate() {
                if !(0..=MAX_WEIGHT).contains(&g.weight) {
                    return Err(invalid(format!(
                        "weight {} of {} is outside 0–{MAX_WEIGHT}",
                        g.weight, g.target_group_arn
                    )));
                }
                if !self.known_groups.contains(&g.target_group_arn) {
                    return Err(ApiError::NotFound(format!(
                        "target group {} not found (TargetGroupNotFound)",
                        g.target_group_arn
                    )));
                }
                if groups
                    .iter()
                    .skip(i + 1)
                    .any(|o| o.target_group_arn == g.target_group_arn)
                {
                    return Err(invalid(format!(
                        "target group {} is given twice",
                        g.target_group_arn
                    )));
                }
            }
            out.push(RouteAction::Forward {
                order: a.order,
                target_groups: groups
                    .iter()
                    .map(|g| WeightedTargetGroup {
                        target_group_arn: g.target_group_arn.clone(),
                        weight: Some(g.weight),
                    })
                    .collect(),
                stickiness_seconds: a
                    .forward_config
                    .target_group_stickiness_config
                    .as_ref()
                    .filter(|s| s.enabled)
                    .map(|s| s.duration_seconds),
            });
        }
        Ok(out)
    }

    /// [`AlbSim::live_share`] of every target group behind a listener.
    pub fn live_shares(&self) -> std::collections::HashMap<String, f64> {
        self.known_groups
            .iter()
            .filter_map(|g| self.live_share(g).map(|s| (g.clone(), s)))
            .collect()
    }

    /// The share (0.0..=1.0) of live traffic — the listeners' default actions — that `target_group_arn`
    /// gets now; None when the group is behind no listener at all. A group reached only by a rule (the test
    /// route) gets 0.0 of the live traffic.
    pub fn live_share(&self, target_group_arn: &str) -> Option<f64> {
        let mut behind = false;
        let mut share: Option<f64> = None;
        for l in &self.listeners {
            for a in &l.default_actions {
                if let Some(s) = forward_share(a, target_group_arn) {
                    behind = true;
                    share = Some(share.map_or(s, |m: f64| m.max(s)));
                }
            }
        }
        for r in self.rules.iter().filter(|r| !r.is_default) {
            if r.actions
                .iter()
                .any(|a| forward_share(a, target_group_arn).is_some())
            {
                behind = true;
            }
        }
        behind.then(|| share.unwrap_or(0.0))
    }
}

/// The share of a forward action's traffic that goes to `arn`, if the action names it.
fn forward_share(action: &RouteAction, arn: &str) -> Option<f64> {
    let RouteAction::Forward { target_groups, .. } = action else {
        return None;
    };
    let own = target_groups.iter().find(|g| g.target_group_arn == arn)?;
    // One group without a weight takes everything.
    let weight = |g: &WeightedTargetGroup| f64::from(g.weight.unwrap_or(1).max(0));
    let total: f64 = target_groups.iter().map(weight).sum();
    Some(if total > 0.0 {
        weight(own) / total
    } else {
        0.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LB: &str = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/production-alb/abc";
    const BLUE: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/storefront-blue/1";
    const GREEN: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/storefront-green/2";

    fn alb() -> AlbSim {
        AlbSim::storefront(LB, BLUE, GREEN, vec![BLUE.into(), GREEN.into()])
    }

    fn weights(pairs: &[(&str, i32)]) -> Vec<ForwardActionRequest> {
        vec![ForwardActionRequest {
            kind: "forward".into(),
            order: None,
            forward_config: ForwardConfigRequest {
                target_groups: pairs
                    .iter()
                    .map(|(a, w)| TargetGroupWeightRequest {
                        target_group_arn: (*a).into(),
                        weight: *w,
                    })
                    .collect(),
                target_group_stickiness_config: None,
            },
        }]
    }

    #[test]
    fn live_shares_follow_the_listener_and_validation_is_awss() {
        let mut alb = alb();
        assert_eq!(alb.live_share(BLUE), Some(1.0));
        assert_eq!(alb.live_share(GREEN), Some(0.0));
        assert_eq!(alb.live_share("arn:other"), None);
        let listener = alb.listeners_of(LB).remove(0).listener_arn;
        alb.modify_listener(&ModifyListenerRequest {
            listener_arn: listener.clone(),
            default_actions: weights(&[(BLUE, 90), (GREEN, 10)]),
        })
        .unwrap();
        assert!((alb.live_share(GREEN).unwrap() - 0.1).abs() < 1e-9);
        assert!((alb.live_share(BLUE).unwrap() - 0.9).abs() < 1e-9);
        // The default rule shows the same.
        let rules = alb.rules_of(&listener).unwrap();
        assert!(
            rules
                .iter()
                .any(|r| r.is_default && r.actions == alb.listeners_of(LB)[0].default_actions)
        );
        let err = alb
            .modify_listener(&ModifyListenerRequest {
                listener_arn: listener.clone(),
                default_actions: weights(&[(BLUE, 1000), (GREEN, 0)]),
            })
            .unwrap_err();
        assert!(err.to_string().contains("outside 0–999"), "{err}");
        let six: Vec<(&str, i32)> = vec![(BLUE, 1); 6];
        assert!(
            alb.modify_listener(&ModifyListenerRequest {
                listener_arn: listener.clone(),
                default_actions: weights(&six),
            })
            .unwrap_err()
            .to_string()
            .contains("TooManyTargetGroups")
        );
        assert!(matches!(
            alb.modify_listener(&ModifyListenerRequest {
                listener_arn: listener,
                default_actions: weights(&[("arn:nope", 1)]),
            }),
            Err(ApiError::NotFound(_))
        ));
        // Refused requests changed nothing.
        assert!((alb.live_share(GREEN).unwrap() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn the_test_rule_can_be_modified_the_default_rule_cannot() {
        let mut alb = alb();
        let listener = alb.listeners_of(LB).remove(0).listener_arn;
        let rules = alb.rules_of(&listener).unwrap();
        let test = rules.iter().find(|r| !r.is_default).unwrap();
        let default = rules.iter().find(|r| r.is_default).unwrap();
        // The test route sends to blue now: green is still behind the listener, with no live share.
        alb.modify_rule(&ModifyRuleRequest {
            rule_arn: test.rule_arn.clone(),
            actions: weights(&[(BLUE, 1)]),
        })
        .unwrap();
        assert_eq!(alb.live_share(GREEN), Some(0.0));
        assert!(
            alb.modify_rule(&ModifyRuleRequest {
                rule_arn: default.rule_arn.clone(),
                actions: weights(&[(GREEN, 1)]),
            })
            .unwrap_err()
            .to_string()
            .contains("ModifyListener")
        );
        assert!(matches!(
            alb.rules_of("arn:nope"),
            Err(ApiError::NotFound(_))
        ));
    }
}
