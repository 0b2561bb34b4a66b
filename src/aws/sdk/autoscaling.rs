//! Application Auto Scaling over the SDK: the [`AutoScaling`] calls of [`SdkApi`].

use super::SdkApi;
use crate::aws::*;
use async_trait::async_trait;
use aws_sdk_applicationautoscaling as aas;
use aws_types::request_id::RequestId;

#[async_trait]
impl AutoScaling for SdkApi {
    async fn describe_scalable_target(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalableTarget>, ApiError> {
        let id = scalable_resource_id(cluster, service);
        let out = self
            .aas
            .describe_scalable_targets()
            .service_namespace(aas::types::ServiceNamespace::Ecs)
            .scalable_dimension(aas::types::ScalableDimension::EcsServiceDesiredCount)
            .resource_ids(&id)
            .send()
            .await
            .map_err(|e| self.map_err("application-autoscaling:DescribeScalableTargets", e))?;
        Ok(out
            .scalable_targets()
            .iter()
            .find(|t| t.resource_id() == id)
            .map(|t| ScalableTarget {
                resource_id: t.resource_id().to_owned(),
                min_capacity: t.min_capacity(),
                max_capacity: t.max_capacity(),
            }))
    }

    async fn register_scalable_target(
        &self,
        target: &ScalableTarget,
    ) -> Result<Mutated<()>, ApiError> {
        let out = self
            .aas
            .register_scalable_target()
            .service_namespace(aas::types::ServiceNamespace::Ecs)
            .scalable_dimension(aas::types::ScalableDimension::EcsServiceDesiredCount)
            .resource_id(&target.resource_id)
            .min_capacity(target.min_capacity)
            .max_capacity(target.max_capacity)
            .send()
            .await
            .map_err(|e| self.map_err("application-autoscaling:RegisterScalableTarget", e))?;
        Ok(Mutated {
            value: (),
            request_id: out.request_id().map(str::to_owned),
        })
    }
}
