//! Elastic Load Balancing v2: the target groups a service registers in and the health of their targets —
//! the domain types and the [`Elbv2`] trait (one method per AWS call).

use super::ApiError;
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

/// Elastic Load Balancing v2, one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait Elbv2: Send + Sync {
    /// At most [`TARGET_GROUPS_PER_CALL`] ARNs.
    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError>;
    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError>;
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
