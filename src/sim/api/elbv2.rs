//! Elastic Load Balancing v2 calls answered from the simulated target groups.

use super::too_many;
use crate::aws::*;
use crate::sim::Sim;
use async_trait::async_trait;

#[async_trait]
impl Elbv2 for Sim {
    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
        const ACTION: &str = "elasticloadbalancing:DescribeTargetGroups";
        self.call(ACTION, &self.calls.describe_target_groups)
            .await?;
        too_many(ACTION, arns.len(), TARGET_GROUPS_PER_CALL)?;
        self.metrics().target_groups(arns)
    }

    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError> {
        self.call(
            "elasticloadbalancing:DescribeTargetHealth",
            &self.calls.describe_target_health,
        )
        .await?;
        self.metrics()
            .target_health(&self.fleet(), target_group_arn, self.metrics_now())
    }
}
