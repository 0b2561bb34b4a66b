//! Elastic Load Balancing v2: the target groups a service registers in, the health of their targets, and the
//! listeners and rules that route to them — the domain types and the [`Elbv2`] trait (one method per AWS call).

use super::{ApiError, Mutated};
use async_trait::async_trait;
use serde::Serialize;

/// At most this many ARNs in one DescribeTargetGroups call (an AWS limit).
pub const TARGET_GROUPS_PER_CALL: usize = 20;

/// An ALB target group as DescribeTargetGroups reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroup {
    pub target_group_arn: String,
    pub target_group_name: String,
    pub load_balancer_arns: Vec<String>,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    pub target_type: Option<String>,
    pub health_check_path: Option<String>,
}

impl TargetGroup {
    /// The `TargetGroup` metric dimension: `targetgroup/name/id`.
    pub fn dimension(&self) -> Option<&str> {
        target_group_dimension(&self.target_group_arn)
    }
    /// The `LoadBalancer` metric dimension of the first load balancer: `app/name/id`.
    pub fn load_balancer_dimension(&self) -> Option<&str> {
        self.load_balancer_arns
            .iter()
            .find_map(|a| load_balancer_dimension(a))
    }
}

/// `targetgroup/name/id` from `arn:aws:elasticloadbalancing:r:acct:targetgroup/name/id`.
pub fn target_group_dimension(arn: &str) -> Option<&str> {
    let (_, tail) = arn.rsplit_once(':')?;
    (tail.starts_with("targetgroup/") && tail.split('/').count() == 3).then_some(tail)
}

/// `app/name/id` from `arn:aws:elasticloadbalancing:r:acct:loadbalancer/app/name/id`.
pub fn load_balancer_dimension(arn: &str) -> Option<&str> {
    let (_, tail) = arn.split_once(":loadbalancer/")?;
    (tail.split('/').count() == 3).then_some(tail)
}

/// One registered target and its health now (DescribeTargetHealth).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetHealth {
    /// IP address or instance id.
    pub id: String,
    pub port: Option<i32>,
    /// initial, healthy, unhealthy, unhealthy.draining, unused, draining, unavailable.
    pub state: String,
    /// e.g. `Target.FailedHealthChecks`.
    pub reason: Option<String>,
    pub description: Option<String>,
}

/// A listener of a load balancer (DescribeListeners) with its default actions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub listener_arn: String,
    pub load_balancer_arn: String,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    pub default_actions: Vec<RouteAction>,
}

/// A rule of a listener (DescribeRules). `listener_arn` is the listener it was asked for (AWS does not repeat
/// it in the answer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub rule_arn: String,
    pub listener_arn: String,
    /// `1`..`50000`, or `default`.
    pub priority: String,
    pub is_default: bool,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<RouteAction>,
}

/// One condition of a rule: `path-pattern`, `host-header`, `http-header` (with its header name),
/// `http-request-method`, `query-string`, `source-ip`, as AWS names the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCondition {
    pub field: String,
    /// The header of an `http-header` condition.
    pub header_name: Option<String>,
    pub values: Vec<String>,
}

/// One target group of a forward action and its weight (0–999; absent when the action names one group).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightedTargetGroup {
    pub target_group_arn: String,
    pub weight: Option<i32>,
}

/// An action of a listener or rule. Only `forward` is modelled; any other type (redirect, fixed-response,
/// authenticate-oidc/cognito) is kept by name and never rewritten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum RouteAction {
    Forward {
        order: Option<i32>,
        target_groups: Vec<WeightedTargetGroup>,
        /// Group stickiness duration in seconds when it is enabled (kept as is by a shift).
        stickiness_seconds: Option<i32>,
    },
    Other {
        order: Option<i32>,
        /// `redirect`, `fixed-response`, `authenticate-oidc`...
        kind: String,
    },
}

/// At most this many target groups in one forward action (an AWS limit).
pub const TARGET_GROUPS_PER_FORWARD: usize = 5;
/// The largest weight AWS takes for a target group of a forward action.
pub const MAX_WEIGHT: i32 = 999;

/// A forward action as a ModifyListener / ModifyRule request carries it (PascalCase, as the ELBv2 API and
/// the AWS CLI's JSON name the fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForwardActionRequest {
    /// Always `forward`.
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<i32>,
    pub forward_config: ForwardConfigRequest,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForwardConfigRequest {
    pub target_groups: Vec<TargetGroupWeightRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_stickiness_config: Option<StickinessRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupWeightRequest {
    pub target_group_arn: String,
    pub weight: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StickinessRequest {
    pub enabled: bool,
    pub duration_seconds: i32,
}

/// ModifyListener changing only the listener's default actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyListenerRequest {
    pub listener_arn: String,
    pub default_actions: Vec<ForwardActionRequest>,
}

/// ModifyRule changing only the rule's actions (its conditions stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModifyRuleRequest {
    pub rule_arn: String,
    pub actions: Vec<ForwardActionRequest>,
}

/// Elastic Load Balancing v2, one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait Elbv2: Send + Sync {
    /// At most [`TARGET_GROUPS_PER_CALL`] ARNs.
    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError>;
    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError>;
    /// Every listener of the load balancer (all pages).
    async fn describe_listeners(&self, load_balancer_arn: &str) -> Result<Vec<Listener>, ApiError>;
    /// Every rule of the listener, the default one included (all pages).
    async fn describe_rules(&self, listener_arn: &str) -> Result<Vec<Rule>, ApiError>;
    /// Returns the listener as ELB left it.
    async fn modify_listener(
        &self,
        req: &ModifyListenerRequest,
    ) -> Result<Mutated<Listener>, ApiError>;
    /// Returns the rule as ELB left it.
    async fn modify_rule(&self, req: &ModifyRuleRequest) -> Result<Mutated<Rule>, ApiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_come_from_the_arns() {
        assert_eq!(
            target_group_dimension(
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067"
            ),
            Some("targetgroup/web-blue/73e2d6bc24d8a067")
        );
        assert_eq!(
            load_balancer_dimension(
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188"
            ),
            Some("app/shop/50dc6c495c0c9188")
        );
        // Not a target group / not an ALB ARN: no dimension, rather than a wrong one.
        assert_eq!(target_group_dimension("web-blue"), None);
        assert_eq!(
            target_group_dimension("arn:aws:elasticloadbalancing:r:1:loadbalancer/app/x/1"),
            None
        );
        assert_eq!(load_balancer_dimension("app/shop/1"), None);
    }
}
