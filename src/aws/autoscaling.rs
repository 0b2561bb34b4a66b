//! Application Auto Scaling: the scalable target on an ECS service's desired count — the domain type and
//! the [`AutoScaling`] trait (one method per AWS call).

use super::{ApiError, Mutated, arn_name};
use async_trait::async_trait;
use serde::Serialize;

/// An Application Auto Scaling target on a service's desired count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScalableTarget {
    pub resource_id: String,
    pub min_capacity: i32,
    pub max_capacity: i32,
}

/// `service/<cluster>/<service>`: how Application Auto Scaling names an ECS service.
pub fn scalable_resource_id(cluster: &str, service: &str) -> String {
    format!("service/{}/{}", arn_name(cluster), arn_name(service))
}

/// Application Auto Scaling, one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait AutoScaling: Send + Sync {
    /// The scalable target on the service's desired count, if one is registered.
    async fn describe_scalable_target(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Option<ScalableTarget>, ApiError>;
    /// RegisterScalableTarget on an existing target: new min and max capacity.
    async fn register_scalable_target(
        &self,
        target: &ScalableTarget,
    ) -> Result<Mutated<()>, ApiError>;
}
