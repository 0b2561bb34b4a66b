//! Amazon ECS: clusters, services, tasks, task definitions and service deployments — the domain types and
//! the [`Ecs`] trait (one method per AWS call).

mod deploy;
mod task_set;

use super::{ApiError, Millis, Mutated};
use async_trait::async_trait;
use serde::Serialize;
use std::collections::BTreeMap;

pub use deploy::*;
pub use task_set::*;

/// At most this many services per DescribeServices call (an AWS limit).
pub const DESCRIBE_SERVICES_BATCH: usize = 10;
/// At most this many tasks per DescribeTasks call (an AWS limit).
pub const DESCRIBE_TASKS_BATCH: usize = 100;
/// At most this many clusters per DescribeClusters call (an AWS limit).
pub const DESCRIBE_CLUSTERS_BATCH: usize = 100;
/// Largest page ListServices / ListTasks / ListClusters return.
pub const LIST_PAGE: i32 = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub arns: Vec<String>,
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub cluster_arn: String,
    pub cluster_name: String,
    pub status: String,
    pub running_tasks_count: i32,
    pub pending_tasks_count: i32,
    pub active_services_count: i32,
    pub registered_container_instances_count: i32,
    pub capacity_providers: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Controller {
    #[default]
    Ecs,
    CodeDeploy,
    External,
}

impl Controller {
    pub fn as_str(self) -> &'static str {
        match self {
            Controller::Ecs => "ECS",
            Controller::CodeDeploy => "CODE_DEPLOY",
            Controller::External => "EXTERNAL",
        }
    }
    pub fn parse(s: &str) -> Controller {
        match s {
            "CODE_DEPLOY" => Controller::CodeDeploy,
            "EXTERNAL" => Controller::External,
            _ => Controller::Ecs,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: String,
    /// PRIMARY, ACTIVE or INACTIVE.
    pub status: String,
    pub task_definition: String,
    pub desired_count: i32,
    pub pending_count: i32,
    pub running_count: i32,
    pub failed_tasks: i32,
    /// COMPLETED, IN_PROGRESS or FAILED (absent for CODE_DEPLOY / EXTERNAL).
    pub rollout_state: Option<String>,
    pub rollout_state_reason: Option<String>,
    pub created_at: Option<Millis>,
    pub updated_at: Option<Millis>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceEvent {
    pub id: String,
    pub created_at: Option<Millis>,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    pub target_group_arn: Option<String>,
    /// ECS blue/green: the target group the new revision is tested on before traffic shifts to it.
    pub alternate_target_group_arn: Option<String>,
    pub load_balancer_name: Option<String>,
    pub container_name: Option<String>,
    pub container_port: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfiguration {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentConfiguration {
    pub minimum_healthy_percent: Option<i32>,
    pub maximum_percent: Option<i32>,
    pub circuit_breaker_enable: Option<bool>,
    pub circuit_breaker_rollback: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub service_arn: String,
    pub service_name: String,
    pub cluster_arn: String,
    pub status: String,
    pub desired_count: i32,
    pub running_count: i32,
    pub pending_count: i32,
    pub task_definition: String,
    pub launch_type: Option<String>,
    pub capacity_provider_strategy: Vec<String>,
    pub deployment_controller: Controller,
    pub deployment_configuration: DeploymentConfiguration,
    pub deployments: Vec<Deployment>,
    /// Newest first, as ECS returns them.
    pub events: Vec<ServiceEvent>,
    pub load_balancers: Vec<LoadBalancer>,
    pub network_configuration: Option<NetworkConfiguration>,
    pub created_at: Option<Millis>,
}

impl Service {
    pub fn primary_deployment(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.status == "PRIMARY")
    }
    /// Every target group the service registers tasks in (blue/green: both), without repeats.
    pub fn target_group_arns(&self) -> Vec<String> {
        let mut arns: Vec<String> = Vec::new();
        for lb in &self.load_balancers {
            for arn in [&lb.target_group_arn, &lb.alternate_target_group_arn]
                .into_iter()
                .flatten()
            {
                if !arns.contains(arn) {
                    arns.push(arn.clone());
                }
            }
        }
        arns
    }
    /// "Fargate", "EC2", or the capacity providers in use.
    pub fn launch_label(&self) -> String {
        match &self.launch_type {
            Some(l) => l.clone(),
            None if !self.capacity_provider_strategy.is_empty() => {
                self.capacity_provider_strategy.join("+")
            }
            None => "-".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub image: String,
    pub last_status: String,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    pub health_status: Option<String>,
    pub runtime_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub task_arn: String,
    pub cluster_arn: String,
    pub task_definition_arn: String,
    pub last_status: String,
    pub desired_status: String,
    pub health_status: Option<String>,
    pub launch_type: Option<String>,
    pub availability_zone: Option<String>,
    pub private_ip: Option<String>,
    /// `service:<name>` for tasks a service started.
    pub group: Option<String>,
    pub started_by: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub created_at: Option<Millis>,
    pub started_at: Option<Millis>,
    pub stopped_at: Option<Millis>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<Container>,
}

impl Task {
    /// The last ARN segment: the id people paste into the console.
    pub fn id(&self) -> &str {
        self.task_arn.rsplit('/').next().unwrap_or(&self.task_arn)
    }
    pub fn short_id(&self) -> &str {
        let id = self.id();
        let end = id.char_indices().nth(8).map_or(id.len(), |(at, _)| at);
        id.get(..end).unwrap_or(id)
    }
    pub fn service_name(&self) -> Option<&str> {
        self.group
            .as_deref()
            .and_then(|g| g.strip_prefix("service:"))
    }
    /// The exit code of the essential container that stopped the task, if any container exited non-zero,
    /// else the first exit code present.
    pub fn exit_code(&self) -> Option<i32> {
        let codes = || self.containers.iter().filter_map(|c| c.exit_code);
        codes().find(|c| *c != 0).or_else(|| codes().next())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogConfiguration {
    pub log_driver: String,
    pub options: BTreeMap<String, String>,
}

impl LogConfiguration {
    pub fn awslogs_group(&self) -> Option<&str> {
        (self.log_driver == "awslogs")
            .then(|| self.options.get("awslogs-group").map(String::as_str))
            .flatten()
    }
    pub fn awslogs_stream_prefix(&self) -> Option<&str> {
        self.options
            .get("awslogs-stream-prefix")
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    pub cpu: i32,
    pub memory: Option<i32>,
    pub essential: Option<bool>,
    pub log_configuration: Option<LogConfiguration>,
    /// Names only: values may be secrets and are never kept.
    pub environment_names: Vec<String>,
    /// Names only: `secrets` values are ARNs of secrets and are never shown.
    pub secret_names: Vec<String>,
    /// `8080/tcp` (container port and protocol; `->80` when a host port is fixed).
    pub port_mappings: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskDefinition {
    pub task_definition_arn: String,
    pub family: String,
    pub revision: i32,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub container_definitions: Vec<ContainerDefinition>,
}

/// `family:rev` from a task definition ARN (or from the `family:rev` string moto sometimes returns).
pub fn family_rev(task_definition: &str) -> &str {
    task_definition
        .rsplit_once("task-definition/")
        .map(|(_, fr)| fr)
        .unwrap_or(task_definition)
}

/// `(family, revision)` of a task definition ARN or `family:rev`; None without a numeric revision.
pub fn family_and_revision(task_definition: &str) -> Option<(&str, i32)> {
    let (family, revision) = family_rev(task_definition).rsplit_once(':')?;
    Some((family, revision.parse().ok()?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesiredStatus {
    Running,
    Stopped,
}

/// Amazon ECS, one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait Ecs: Send + Sync {
    async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError>;
    /// At most [`DESCRIBE_CLUSTERS_BATCH`] names or ARNs.
    async fn describe_clusters(&self, clusters: &[String]) -> Result<Vec<Cluster>, ApiError>;
    async fn list_services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError>;
    /// At most [`DESCRIBE_SERVICES_BATCH`] names or ARNs.
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> Result<Vec<Service>, ApiError>;
    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        desired: DesiredStatus,
        next_token: Option<String>,
    ) -> Result<Page, ApiError>;
    /// At most [`DESCRIBE_TASKS_BATCH`] ARNs.
    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> Result<Vec<Task>, ApiError>;
    async fn describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<TaskDefinition, ApiError>;

    // Actions and the deploy watch screen
    /// UpdateService; returns the service as ECS left it.
    async fn update_service(
        &self,
        req: &UpdateServiceRequest,
    ) -> Result<Mutated<Service>, ApiError>;
    /// One page of ListTaskDefinitions of `family` (ACTIVE, newest first). Never deregisters anything.
    async fn list_task_definitions(
        &self,
        family: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError>;
    /// The newest page of ListServiceDeployments (newest first).
    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<ServiceDeploymentBrief>, ApiError>;
    /// At most [`SERVICE_DEPLOYMENTS_PER_CALL`] ARNs.
    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceDeployment>, ApiError>;
    /// At most [`SERVICE_DEPLOYMENTS_PER_CALL`] ARNs.
    async fn describe_service_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceRevision>, ApiError>;
    /// StopServiceDeployment with stopType ROLLBACK; returns the deployment's ARN.
    async fn stop_service_deployment(&self, arn: &str) -> Result<Mutated<String>, ApiError>;
    /// DescribeTaskSets: every task set of a CODE_DEPLOY or EXTERNAL service (an ECS-controlled one has none).
    async fn describe_task_sets(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<TaskSet>, ApiError>;
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_rev_from_arn_and_from_plain_string() {
        assert_eq!(
            family_rev("arn:aws:ecs:us-east-1:123456789012:task-definition/web:42"),
            "web:42"
        );
        assert_eq!(family_rev("web:1"), "web:1");
        assert_eq!(
            family_and_revision("arn:aws:ecs:us-east-1:1:task-definition/web-api:42"),
            Some(("web-api", 42))
        );
        assert_eq!(family_and_revision("web"), None);
        assert_eq!(family_and_revision("web:latest"), None);
    }

    #[test]
    fn exit_code_prefers_a_failing_container() {
        let task = Task {
            containers: vec![
                Container {
                    exit_code: Some(0),
                    ..Default::default()
                },
                Container {
                    exit_code: Some(137),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(task.exit_code(), Some(137));
    }
}
