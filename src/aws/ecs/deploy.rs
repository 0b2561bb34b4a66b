//! ECS types of the mutating calls (UpdateService, StopServiceDeployment) and of the service deployments API
//! the deploy watch screen reads.

use crate::aws::Millis;
use serde::Serialize;

/// The ECS limit on a service's desired count (tasks per service quota).
pub const MAX_DESIRED_COUNT: i32 = 5_000;
/// DescribeServiceDeployments / DescribeServiceRevisions take at most this many ARNs.
pub const SERVICE_DEPLOYMENTS_PER_CALL: usize = 20;

/// One UpdateService call: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceRequest {
    pub cluster: String,
    pub service: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desired_count: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_definition: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub force_new_deployment: bool,
}

/// A row of ListServiceDeployments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDeploymentBrief {
    pub service_deployment_arn: String,
    /// PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS,
    /// ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED.
    pub status: String,
    pub status_reason: Option<String>,
    pub target_service_revision_arn: Option<String>,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
}

/// A monitor that can roll a deployment back (circuit breaker, alarms): MONITORING, TRIGGERED, DISABLED.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CircuitBreakerState {
    pub status: String,
    pub failure_count: i32,
    pub threshold: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentAlarms {
    pub status: String,
    pub alarm_names: Vec<String>,
    pub triggered_alarm_names: Vec<String>,
}

/// DescribeServiceDeployments: one deployment in detail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceDeployment {
    pub service_deployment_arn: String,
    pub status: String,
    pub status_reason: Option<String>,
    /// ECS blue/green: RECONCILE_SERVICE, SCALE_UP, TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME,
    /// CLEAN_UP...
    pub lifecycle_stage: Option<String>,
    pub target_service_revision_arn: Option<String>,
    pub source_service_revision_arns: Vec<String>,
    pub circuit_breaker: Option<CircuitBreakerState>,
    pub alarms: Option<DeploymentAlarms>,
    /// Why and to which revision a rollback went.
    pub rollback_reason: Option<String>,
    pub rollback_revision_arn: Option<String>,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
}

/// A service deployment status that is not final yet.
pub fn deployment_under_way(status: &str) -> bool {
    matches!(
        status,
        "PENDING"
            | "IN_PROGRESS"
            | "ROLLBACK_REQUESTED"
            | "ROLLBACK_IN_PROGRESS"
            | "STOP_REQUESTED"
    )
}

/// DescribeServiceRevisions: which task definition a service revision ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceRevision {
    pub service_revision_arn: String,
    pub task_definition: String,
}
