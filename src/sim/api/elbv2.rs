//! Elastic Load Balancing v2 calls answered from the simulated target groups.

use super::too_many;
use crate::aws::*;
use crate::sim::{Sim, request_id};
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

    async fn describe_listeners(&self, load_balancer_arn: &str) -> Result<Vec<Listener>, ApiError> {
        self.call(
            "elasticloadbalancing:DescribeListeners",
            &self.calls.describe_listeners,
        )
        .await?;
        Ok(self.alb().listeners_of(load_balancer_arn))
    }

    async fn describe_rules(&self, listener_arn: &str) -> Result<Vec<Rule>, ApiError> {
        self.call(
            "elasticloadbalancing:DescribeRules",
            &self.calls.describe_rules,
        )
        .await?;
        self.alb().rules_of(listener_arn)
    }

    async fn modify_listener(
        &self,
        req: &ModifyListenerRequest,
    ) -> Result<Mutated<Listener>, ApiError> {
        self.call(
            "elasticloadbalancing:ModifyListener",
            &self.calls.modify_listener,
        )
        .await?;
        let listener = self.alb().modify_listener(req)?;
        self.listeners_changed();
        Ok(Mutated {
            value: listener,
            request_id: Some(request_id(self.now())),
        })
    }

    async fn modify_rule(&self, req: &ModifyRuleRequest) -> Result<Mutated<Rule>, ApiError> {
        self.call("elasticloadbalancing:ModifyRule", &self.calls.modify_rule)
            .await?;
        let rule = self.alb().modify_rule(req)?;
        self.listeners_changed();
        Ok(Mutated {
            value: rule,
            request_id: Some(request_id(self.now())),
        })
    }
}

impl Sim {
    /// The metrics follow a listener change from now on (the fleet's traffic is sampled again).
    fn listeners_changed(&self) {
        let routing = self.alb().clone();
        let fleet = self.fleet();
        crate::sim::alb::sync(&fleet, &routing, self.now());
    }
}
