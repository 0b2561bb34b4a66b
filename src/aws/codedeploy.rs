//! AWS CodeDeploy, as far as ECS blue/green needs it: applications, deployment groups (which ECS service,
//! which listeners and target groups, which alarms), deployments and their ECS deployment target (task sets,
//! lifecycle hooks) — the domain types and the [`CodeDeploy`] trait (one method per AWS call).

use super::{ApiError, Millis, Mutated};
use async_trait::async_trait;
use serde::Serialize;

/// BatchGetDeploymentGroups takes at most this many names per call (an AWS limit).
pub const DEPLOYMENT_GROUPS_PER_CALL: usize = 100;
/// BatchGetDeployments takes at most this many ids per call (an AWS limit).
pub const DEPLOYMENTS_PER_CALL: usize = 25;
/// BatchGetDeploymentTargets takes at most this many target ids per call (an AWS limit).
pub const DEPLOYMENT_TARGETS_PER_CALL: usize = 25;

/// Deployment statuses of a deployment that has not finished (ListDeployments' `includeOnlyStatuses`).
pub const UNDER_WAY_STATUSES: [&str; 5] = ["Created", "Queued", "InProgress", "Baking", "Ready"];

/// A CodeDeploy deployment status that is not final yet.
pub fn codedeploy_under_way(status: &str) -> bool {
    UNDER_WAY_STATUSES.contains(&status)
}

/// One page of names or ids, as every CodeDeploy List call returns them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamePage {
    pub names: Vec<String>,
    pub next_token: Option<String>,
}

/// An ECS service a deployment group deploys (`ecsServices`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsServiceRef {
    pub service_name: String,
    pub cluster_name: String,
}

/// A blue/green target group pair and the listeners that route to it (`loadBalancerInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupPair {
    /// Names, blue first as configured.
    pub target_groups: Vec<String>,
    pub prod_listener_arns: Vec<String>,
    pub test_listener_arns: Vec<String>,
}

/// BatchGetDeploymentGroups: one deployment group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentGroup {
    pub application_name: String,
    pub deployment_group_name: String,
    pub deployment_group_id: Option<String>,
    /// `CodeDeployDefault.ECSCanary10Percent5Minutes`, `CodeDeployDefault.ECSAllAtOnce`, or a custom name.
    pub deployment_config_name: Option<String>,
    /// Server, Lambda or ECS.
    pub compute_platform: Option<String>,
    pub ecs_services: Vec<EcsServiceRef>,
    pub service_role_arn: Option<String>,
    pub alarms_enabled: bool,
    pub alarm_names: Vec<String>,
    pub auto_rollback_enabled: bool,
    /// DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST.
    pub auto_rollback_events: Vec<String>,
    pub target_group_pairs: Vec<TargetGroupPair>,
    /// Blue/green: CONTINUE_DEPLOYMENT (shift at once) or STOP_DEPLOYMENT (wait for ContinueDeployment),
    /// and the minutes it waits in the latter case.
    pub ready_action: Option<String>,
    pub ready_wait_minutes: Option<i32>,
    /// Minutes the original (blue) task set is kept after a successful shift.
    pub termination_wait_minutes: Option<i32>,
}

/// What caused a rollback and which deployment it became.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackInfo {
    pub rollback_deployment_id: Option<String>,
    pub rollback_triggering_deployment_id: Option<String>,
    pub rollback_message: Option<String>,
}

/// BatchGetDeployments: one deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdDeployment {
    pub deployment_id: String,
    pub application_name: String,
    pub deployment_group_name: String,
    pub deployment_config_name: Option<String>,
    /// Created, Queued, InProgress, Baking, Ready, Succeeded, Failed, Stopped.
    pub status: String,
    /// user, autoscaling, codeDeployRollback, CodeDeploy, CodeDeployAutoUpdate, CloudFormation, ...
    pub creator: Option<String>,
    pub description: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub create_time: Option<Millis>,
    pub start_time: Option<Millis>,
    pub complete_time: Option<Millis>,
    pub rollback_info: Option<RollbackInfo>,
    pub status_messages: Vec<String>,
}

/// One lifecycle event (hook) of a deployment target: BeforeInstall, AfterAllowTestTraffic, ...
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleEvent {
    pub name: String,
    /// Pending, InProgress, Succeeded, Failed, Skipped, Unknown.
    pub status: String,
    pub start_time: Option<Millis>,
    pub end_time: Option<Millis>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    pub log_tail: Option<String>,
}

/// A task set as CodeDeploy sees it in a deployment (`ecsTarget.taskSetsInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CdTaskSet {
    pub id: String,
    /// PRIMARY, ACTIVE, DRAINING.
    pub status: Option<String>,
    /// Blue or Green.
    pub label: Option<String>,
    pub desired_count: i64,
    pub pending_count: i64,
    pub running_count: i64,
    /// Percentage of production traffic (0-100).
    pub traffic_weight: f64,
    pub target_group: Option<String>,
}

/// BatchGetDeploymentTargets of an ECS deployment: the service being deployed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsDeploymentTarget {
    pub deployment_id: String,
    /// `cluster:service`.
    pub target_id: String,
    pub target_arn: Option<String>,
    /// Pending, InProgress, Succeeded, Failed, Skipped, Unknown, Ready.
    pub status: Option<String>,
    pub last_updated_at: Option<Millis>,
    pub lifecycle_events: Vec<LifecycleEvent>,
    pub task_sets: Vec<CdTaskSet>,
}

/// CreateDeployment of an ECS service: the AppSpec is sent as text (YAML or JSON), exactly as shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDeploymentRequest {
    pub application_name: String,
    pub deployment_group_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_config_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The AppSpec content (`revisionType: AppSpecContent`).
    pub app_spec: String,
}

/// AWS CodeDeploy, one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait CodeDeploy: Send + Sync {
    async fn list_applications(&self, next_token: Option<String>) -> Result<NamePage, ApiError>;
    async fn list_deployment_groups(
        &self,
        application: &str,
        next_token: Option<String>,
    ) -> Result<NamePage, ApiError>;
    /// At most [`DEPLOYMENT_GROUPS_PER_CALL`] names.
    async fn batch_get_deployment_groups(
        &self,
        application: &str,
        groups: &[String],
    ) -> Result<Vec<DeploymentGroup>, ApiError>;
    /// One page of deployment ids of a group, only those in `statuses` when it is not empty.
    async fn list_deployments(
        &self,
        application: &str,
        group: &str,
        statuses: &[&str],
        next_token: Option<String>,
    ) -> Result<NamePage, ApiError>;
    /// At most [`DEPLOYMENTS_PER_CALL`] ids.
    async fn batch_get_deployments(&self, ids: &[String]) -> Result<Vec<CdDeployment>, ApiError>;
    async fn list_deployment_targets(
        &self,
        deployment_id: &str,
        next_token: Option<String>,
    ) -> Result<NamePage, ApiError>;
    /// At most [`DEPLOYMENT_TARGETS_PER_CALL`] target ids; only ECS targets are returned.
    async fn batch_get_deployment_targets(
        &self,
        deployment_id: &str,
        target_ids: &[String],
    ) -> Result<Vec<EcsDeploymentTarget>, ApiError>;

    // Steering (used by the actions; defined here so the SDK and the simulator grow together).
    /// ContinueDeployment: `traffic_wait` true ends a blue/green deployment's wait before traffic shifts
    /// (READY_WAIT); false ends the wait before the original task set is terminated (TERMINATION_WAIT).
    async fn continue_deployment(
        &self,
        deployment_id: &str,
        traffic_wait: bool,
    ) -> Result<Mutated<()>, ApiError>;
    /// StopDeployment, with `auto_rollback` asking CodeDeploy to roll back to the original task set.
    async fn stop_deployment(
        &self,
        deployment_id: &str,
        auto_rollback: bool,
    ) -> Result<Mutated<String>, ApiError>;
    /// CreateDeployment; returns the new deployment's id.
    async fn create_deployment(
        &self,
        req: &CreateDeploymentRequest,
    ) -> Result<Mutated<String>, ApiError>;
}
