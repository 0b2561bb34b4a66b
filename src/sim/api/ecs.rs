//! Amazon ECS calls answered from the simulated fleet.

use super::{page_of, too_many};
use crate::aws::*;
use crate::sim::{Record, Sim, fleet, request_id};
use async_trait::async_trait;

#[async_trait]
impl Ecs for Sim {
    async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError> {
        self.call("ecs:ListClusters", &self.calls.list_clusters)
            .await?;
        let arns: Vec<String> = self
            .fleet()
            .clusters
            .iter()
            .map(|c| c.cluster.cluster_arn.clone())
            .collect();
        page_of(&arns, next_token)
    }

    async fn describe_clusters(&self, clusters: &[String]) -> Result<Vec<Cluster>, ApiError> {
        self.call("ecs:DescribeClusters", &self.calls.describe_clusters)
            .await?;
        too_many(
            "ecs:DescribeClusters",
            clusters.len(),
            DESCRIBE_CLUSTERS_BATCH,
        )?;
        let fleet = self.fleet();
        Ok(clusters
            .iter()
            .filter_map(|c| fleet.cluster(c))
            .map(|c| fleet.cluster_summary(c))
            .collect())
    }

    async fn list_services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListServices", &self.calls.list_services)
            .await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        page_of(&c.service_arns, next_token)
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> Result<Vec<Service>, ApiError> {
        self.call("ecs:DescribeServices", &self.calls.describe_services)
            .await?;
        too_many(
            "ecs:DescribeServices",
            services.len(),
            DESCRIBE_SERVICES_BATCH,
        )?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let found: Vec<Service> = services
            .iter()
            .filter_map(|s| c.service(s))
            .map(|s| s.service.clone())
            .collect();
        if let (true, Some(first)) = (found.is_empty(), services.first()) {
            return Err(ApiError::NotFound(format!(
                "service {} not found",
                arn_name(first)
            )));
        }
        Ok(found)
    }

    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        desired: DesiredStatus,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListTasks", &self.calls.list_tasks).await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let service_index =
            match service {
                Some(s) => Some(c.service_index(s).ok_or_else(|| {
                    ApiError::NotFound(format!("service {} not found", arn_name(s)))
                })?),
                None => None,
            };
        let arns: Vec<String> = c
            .tasks
            .iter()
            .filter(|t| service_index.is_none_or(|i| t.service == i))
            .filter(|t| (desired == DesiredStatus::Stopped) == t.stopped)
            .map(|t| c.task_arn(t))
            .collect();
        page_of(&arns, next_token)
    }

    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> Result<Vec<Task>, ApiError> {
        self.call("ecs:DescribeTasks", &self.calls.describe_tasks)
            .await?;
        too_many("ecs:DescribeTasks", tasks.len(), DESCRIBE_TASKS_BATCH)?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        Ok(tasks
            .iter()
            .filter_map(|a| c.task_by_id(arn_name(a)))
            .map(|t| c.materialise(t))
            .collect())
    }

    async fn describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<TaskDefinition, ApiError> {
        self.call(
            "ecs:DescribeTaskDefinition",
            &self.calls.describe_task_definition,
        )
        .await?;
        self.fleet()
            .task_definition(task_definition)
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "task definition {} not found",
                    family_rev(task_definition)
                ))
            })
    }

    async fn update_service(
        &self,
        req: &UpdateServiceRequest,
    ) -> Result<Mutated<Service>, ApiError> {
        self.call("ecs:UpdateService", &self.calls.update_service)
            .await?;
        let now = self.now();
        let service = self.fleet().update_service(req, now)?;
        Ok(Mutated {
            value: service,
            request_id: Some(request_id(now)),
        })
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        self.call("ecs:ListTaskDefinitions", &self.calls.list_task_definitions)
            .await?;
        let newest = {
            let fleet = self.fleet();
            fleet
                .clusters
                .iter()
                .flat_map(|c| c.services.iter())
                .find(|s| {
                    family_and_revision(&s.service.task_definition)
                        .is_some_and(|(f, _)| f == family)
                })
                .map(|s| s.newest_revision)
                .unwrap_or(0)
        };
        let arns: Vec<String> = (1..=newest)
            .rev()
            .map(|r| fleet::task_definition_arn(family, r))
            .collect();
        page_of(&arns, next_token)
    }

    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<ServiceDeploymentBrief>, ApiError> {
        self.call(
            "ecs:ListServiceDeployments",
            &self.calls.list_service_deployments,
        )
        .await?;
        let fleet = self.fleet();
        Ok(fleet
            .history(cluster, service)?
            .into_iter()
            .take(20)
            .map(Record::brief)
            .collect())
    }

    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceDeployment>, ApiError> {
        const ACTION: &str = "ecs:DescribeServiceDeployments";
        self.call(ACTION, &self.calls.describe_service_deployments)
            .await?;
        too_many(ACTION, arns.len(), SERVICE_DEPLOYMENTS_PER_CALL)?;
        let fleet = self.fleet();
        Ok(arns
            .iter()
            .filter_map(|a| fleet.record(a))
            .map(Record::detail)
            .collect())
    }

    async fn describe_service_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceRevision>, ApiError> {
        const ACTION: &str = "ecs:DescribeServiceRevisions";
        self.call(ACTION, &self.calls.describe_service_revisions)
            .await?;
        too_many(ACTION, arns.len(), SERVICE_DEPLOYMENTS_PER_CALL)?;
        let fleet = self.fleet();
        Ok(arns
            .iter()
            .filter_map(|a| {
                fleet.revision(a).map(|td| ServiceRevision {
                    service_revision_arn: a.clone(),
                    task_definition: td.clone(),
                })
            })
            .collect())
    }

    async fn stop_service_deployment(&self, arn: &str) -> Result<Mutated<String>, ApiError> {
        self.call(
            "ecs:StopServiceDeployment",
            &self.calls.stop_service_deployment,
        )
        .await?;
        let now = self.now();
        let arn = self.fleet().stop_deployment(arn, now)?;
        Ok(Mutated {
            value: arn,
            request_id: Some(request_id(now)),
        })
    }

    async fn describe_task_sets(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<TaskSet>, ApiError> {
        self.call("ecs:DescribeTaskSets", &self.calls.describe_task_sets)
            .await?;
        let fleet = self.fleet();
        let c = fleet.cluster_or_err(cluster)?;
        let svc = c
            .services
            .iter()
            .find(|s| s.service.service_name == arn_name(service))
            .ok_or_else(|| {
                ApiError::NotFound(format!("service {} not found", arn_name(service)))
            })?;
        if svc.service.deployment_controller == Controller::Ecs {
            // What ECS answers for a service it deploys itself.
            return Err(ApiError::Other(
                "ecs:DescribeTaskSets: InvalidParameterException: Amazon ECS only supports task sets on services configured to use the EXTERNAL or CODE_DEPLOY deployment controller".into(),
            ));
        }
        Ok(self.codedeploy().task_sets(cluster, service))
    }
}
