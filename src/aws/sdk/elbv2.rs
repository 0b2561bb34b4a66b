//! Elastic Load Balancing v2 over the SDK: the [`Elbv2`] calls of [`SdkApi`].

use super::{SdkApi, opt, owned};
use crate::aws::*;
use async_trait::async_trait;

#[async_trait]
impl Elbv2 for SdkApi {
    async fn describe_target_groups(&self, arns: &[String]) -> Result<Vec<TargetGroup>, ApiError> {
        let out = self
            .elb
            .describe_target_groups()
            .set_target_group_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:DescribeTargetGroups", e))?;
        Ok(out
            .target_groups()
            .iter()
            .map(|t| TargetGroup {
                target_group_arn: owned(t.target_group_arn()),
                target_group_name: owned(t.target_group_name()),
                load_balancer_arns: t.load_balancer_arns().to_vec(),
                port: t.port(),
                protocol: t.protocol().map(|p| p.as_str().to_owned()),
                target_type: t.target_type().map(|p| p.as_str().to_owned()),
                health_check_path: opt(t.health_check_path()),
            })
            .collect())
    }

    async fn describe_target_health(
        &self,
        target_group_arn: &str,
    ) -> Result<Vec<TargetHealth>, ApiError> {
        let out = self
            .elb
            .describe_target_health()
            .target_group_arn(target_group_arn)
            .send()
            .await
            .map_err(|e| self.map_err("elasticloadbalancing:DescribeTargetHealth", e))?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let health = d.target_health();
                TargetHealth {
                    id: owned(d.target().and_then(|t| t.id())),
                    port: d.target().and_then(|t| t.port()),
                    state: health
                        .and_then(|h| h.state())
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: health
                        .and_then(|h| h.reason())
                        .map(|r| r.as_str().to_owned()),
                    description: health.and_then(|h| opt(h.description())),
                }
            })
            .collect())
    }
}
