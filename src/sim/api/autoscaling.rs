//! Application Auto Scaling calls answered from the simulated services.

use crate::aws::*;
use crate::sim::{Sim, request_id};
use async_trait::async_trait;

#[async_trait]
impl AutoScaling for Sim {
    async fn describe_scalable_target(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalableTarget>, ApiError> {
        self.call(
            "application-autoscaling:DescribeScalableTargets",
            &self.calls.describe_scalable_targets,
        )
        .await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let svc = c.service(service).ok_or_else(|| {
            ApiError::NotFound(format!("service {} not found", arn_name(service)))
        })?;
        Ok(svc.scalable.map(|(min, max)| ScalableTarget {
            resource_id: scalable_resource_id(cluster, service),
            min_capacity: min,
            max_capacity: max,
        }))
    }

    async fn register_scalable_target(
        &self,
        target: &ScalableTarget,
    ) -> Result<Mutated<()>, ApiError> {
        const ACTION: &str = "application-autoscaling:RegisterScalableTarget";
        self.call(ACTION, &self.calls.register_scalable_target)
            .await?;
        if target.min_capacity < 0 || target.max_capacity < target.min_capacity {
            return Err(ApiError::Invalid {
                action: ACTION.into(),
                message: format!(
                    "ValidationException: MinCapacity {} must be between 0 and MaxCapacity {}",
                    target.min_capacity, target.max_capacity
                ),
            });
        }
        let mut parts = target.resource_id.splitn(3, '/');
        let (Some("service"), Some(cluster), Some(service)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ApiError::Invalid {
                action: ACTION.into(),
                message: format!(
                    "ValidationException: bad resource id {}",
                    target.resource_id
                ),
            });
        };
        let mut fleet = self.fleet();
        let c = fleet
            .clusters
            .iter_mut()
            .find(|c| c.cluster.cluster_name == cluster)
            .ok_or_else(|| ApiError::NotFound(format!("cluster {cluster} not found")))?;
        let s = c
            .service_index(service)
            .and_then(|i| c.services.get_mut(i))
            .ok_or_else(|| ApiError::NotFound(format!("service {service} not found")))?;
        s.scalable = Some((target.min_capacity, target.max_capacity));
        Ok(Mutated {
            value: (),
            request_id: Some(request_id(self.now())),
        })
    }
}
