//! AWS CodeDeploy calls answered from the simulated CodeDeploy account (`sim/codedeploy.rs`).

use super::too_many;
use crate::aws::*;
use crate::sim::{Sim, request_id};
use async_trait::async_trait;

/// The simulator has a handful of applications, groups and deployments: one page holds them all.
fn one_page(names: Vec<String>) -> NamePage {
    NamePage {
        names,
        next_token: None,
    }
}

#[async_trait]
impl CodeDeploy for Sim {
    async fn list_applications(&self, _next_token: Option<String>) -> Result<NamePage, ApiError> {
        self.call("codedeploy:ListApplications", &self.calls.list_applications)
            .await?;
        Ok(one_page(self.codedeploy().applications()))
    }

    async fn list_deployment_groups(
        &self,
        application: &str,
        _next_token: Option<String>,
    ) -> Result<NamePage, ApiError> {
        self.call(
            "codedeploy:ListDeploymentGroups",
            &self.calls.list_deployment_groups,
        )
        .await?;
        self.codedeploy().group_names(application).map(one_page)
    }

    async fn batch_get_deployment_groups(
        &self,
        application: &str,
        groups: &[String],
    ) -> Result<Vec<DeploymentGroup>, ApiError> {
        const ACTION: &str = "codedeploy:BatchGetDeploymentGroups";
        self.call(ACTION, &self.calls.batch_get_deployment_groups)
            .await?;
        too_many(ACTION, groups.len(), DEPLOYMENT_GROUPS_PER_CALL)?;
        self.codedeploy().groups(application, groups)
    }

    async fn list_deployments(
        &self,
        application: &str,
        group: &str,
        statuses: &[&str],
        _next_token: Option<String>,
    ) -> Result<NamePage, ApiError> {
        self.call("codedeploy:ListDeployments", &self.calls.list_deployments)
            .await?;
        self.codedeploy()
            .deployment_ids(application, group, statuses)
            .map(one_page)
    }

    async fn batch_get_deployments(&self, ids: &[String]) -> Result<Vec<CdDeployment>, ApiError> {
        const ACTION: &str = "codedeploy:BatchGetDeployments";
        self.call(ACTION, &self.calls.batch_get_deployments).await?;
        too_many(ACTION, ids.len(), DEPLOYMENTS_PER_CALL)?;
        Ok(self.codedeploy().deployments(ids))
    }

    async fn list_deployment_targets(
        &self,
        deployment_id: &str,
        _next_token: Option<String>,
    ) -> Result<NamePage, ApiError> {
        self.call(
            "codedeploy:ListDeploymentTargets",
            &self.calls.list_deployment_targets,
        )
        .await?;
        self.codedeploy().target_ids(deployment_id).map(one_page)
    }

    async fn batch_get_deployment_targets(
        &self,
        deployment_id: &str,
        target_ids: &[String],
    ) -> Result<Vec<EcsDeploymentTarget>, ApiError> {
        const ACTION: &str = "codedeploy:BatchGetDeploymentTargets";
        self.call(ACTION, &self.calls.batch_get_deployment_targets)
            .await?;
        too_many(ACTION, target_ids.len(), DEPLOYMENT_TARGETS_PER_CALL)?;
        self.codedeploy().targets(deployment_id, target_ids)
    }

    async fn continue_deployment(
        &self,
        deployment_id: &str,
        traffic_wait: bool,
    ) -> Result<Mutated<()>, ApiError> {
        self.call(
            "codedeploy:ContinueDeployment",
            &self.calls.continue_deployment,
        )
        .await?;
        let now = self.now();
        self.codedeploy()
            .continue_(deployment_id, traffic_wait, now)?;
        Ok(Mutated {
            value: (),
            request_id: Some(request_id(now)),
        })
    }

    async fn stop_deployment(
        &self,
        deployment_id: &str,
        auto_rollback: bool,
    ) -> Result<Mutated<String>, ApiError> {
        self.call("codedeploy:StopDeployment", &self.calls.stop_deployment)
            .await?;
        let now = self.now();
        let status = self.codedeploy().stop(deployment_id, auto_rollback, now)?;
        Ok(Mutated {
            value: status,
            request_id: Some(request_id(now)),
        })
    }

    async fn create_deployment(
        &self,
        req: &CreateDeploymentRequest,
    ) -> Result<Mutated<String>, ApiError> {
        self.call("codedeploy:CreateDeployment", &self.calls.create_deployment)
            .await?;
        let now = self.now();
        // The group's service as the fleet has it now (lock order: fleet, then CodeDeploy).
        let service = {
            let fleet = self.fleet();
            let group = self.codedeploy().groups(
                &req.application_name,
                std::slice::from_ref(&req.deployment_group_name),
            )?;
            let target = group
                .first()
                .and_then(|g| g.ecs_services.first())
                .cloned()
                .unwrap_or_default();
            fleet
                .cluster(&target.cluster_name)
                .and_then(|c| {
                    c.services
                        .iter()
                        .find(|s| s.service.service_name == target.service_name)
                })
                .map(|s| s.service.clone())
                .ok_or_else(|| {
                    ApiError::NotFound(format!(
                        "DeploymentGroupDoesNotExistException: {}",
                        req.deployment_group_name
                    ))
                })?
        };
        let id = self.codedeploy().create(req, &service, now)?;
        Ok(Mutated {
            value: id,
            request_id: Some(request_id(now)),
        })
    }
}
