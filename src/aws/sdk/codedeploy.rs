//! AWS CodeDeploy over the SDK: the [`CodeDeploy`] calls of [`SdkApi`].

use super::{SdkApi, millis, opt, owned};
use crate::aws::*;
use async_trait::async_trait;
use aws_sdk_codedeploy as cd;
use aws_types::request_id::RequestId;

/// The next page's token; an empty one is the end (moto echoes an empty `nextToken` back forever).
fn token(t: Option<&str>) -> Option<String> {
    t.filter(|t| !t.is_empty()).map(str::to_owned)
}

fn convert_group(g: &cd::types::DeploymentGroupInfo) -> DeploymentGroup {
    let alarms = g.alarm_configuration();
    let rollback = g.auto_rollback_configuration();
    let blue_green = g.blue_green_deployment_configuration();
    let ready = blue_green.and_then(|b| b.deployment_ready_option());
    DeploymentGroup {
        application_name: owned(g.application_name()),
        deployment_group_name: owned(g.deployment_group_name()),
        deployment_group_id: opt(g.deployment_group_id()),
        deployment_config_name: opt(g.deployment_config_name()),
        compute_platform: g.compute_platform().map(|p| p.as_str().to_owned()),
        ecs_services: g
            .ecs_services()
            .iter()
            .map(|s| EcsServiceRef {
                service_name: owned(s.service_name()),
                cluster_name: owned(s.cluster_name()),
            })
            .collect(),
        service_role_arn: opt(g.service_role_arn()),
        alarms_enabled: alarms.is_some_and(|a| a.enabled()),
        alarm_names: alarms
            .map(|a| a.alarms().iter().filter_map(|a| opt(a.name())).collect())
            .unwrap_or_default(),
        auto_rollback_enabled: rollback.is_some_and(|r| r.enabled()),
        auto_rollback_events: rollback
            .map(|r| r.events().iter().map(|e| e.as_str().to_owned()).collect())
            .unwrap_or_default(),
        target_group_pairs: g
            .load_balancer_info()
            .map(|l| l.target_group_pair_info_list())
            .unwrap_or_default()
            .iter()
            .map(|p| TargetGroupPair {
                target_groups: p
                    .target_groups()
                    .iter()
                    .filter_map(|t| opt(t.name()))
                    .collect(),
                prod_listener_arns: p
                    .prod_traffic_route()
                    .map(|r| r.listener_arns().to_vec())
                    .unwrap_or_default(),
                test_listener_arns: p
                    .test_traffic_route()
                    .map(|r| r.listener_arns().to_vec())
                    .unwrap_or_default(),
            })
            .collect(),
        ready_action: ready
            .and_then(|r| r.action_on_timeout())
            .map(|a| a.as_str().to_owned()),
        ready_wait_minutes: ready.map(|r| r.wait_time_in_minutes()),
        termination_wait_minutes: blue_green
            .and_then(|b| b.terminate_blue_instances_on_deployment_success())
            .map(|t| t.termination_wait_time_in_minutes()),
    }
}

fn convert_deployment(d: &cd::types::DeploymentInfo) -> CdDeployment {
    let error = d.error_information();
    CdDeployment {
        deployment_id: owned(d.deployment_id()),
        application_name: owned(d.application_name()),
        deployment_group_name: owned(d.deployment_group_name()),
        deployment_config_name: opt(d.deployment_config_name()),
        status: d
            .status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        creator: d.creator().map(|c| c.as_str().to_owned()),
        description: opt(d.description()),
        error_code: error.and_then(|e| e.code()).map(|c| c.as_str().to_owned()),
        error_message: error.and_then(|e| opt(e.message())),
        create_time: millis(d.create_time()),
        start_time: millis(d.start_time()),
        complete_time: millis(d.complete_time()),
        rollback_info: d.rollback_info().map(|r| RollbackInfo {
            rollback_deployment_id: opt(r.rollback_deployment_id()),
            rollback_triggering_deployment_id: opt(r.rollback_triggering_deployment_id()),
            rollback_message: opt(r.rollback_message()),
        }),
        status_messages: d.deployment_status_messages().to_vec(),
    }
}

fn convert_target(t: &cd::types::EcsTarget) -> EcsDeploymentTarget {
    EcsDeploymentTarget {
        deployment_id: owned(t.deployment_id()),
        target_id: owned(t.target_id()),
        target_arn: opt(t.target_arn()),
        status: t.status().map(|s| s.as_str().to_owned()),
        last_updated_at: millis(t.last_updated_at()),
        lifecycle_events: t
            .lifecycle_events()
            .iter()
            .map(|e| {
                let diagnostics = e.diagnostics();
                LifecycleEvent {
                    name: owned(e.lifecycle_event_name()),
                    status: e
                        .status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    start_time: millis(e.start_time()),
                    end_time: millis(e.end_time()),
                    error_code: diagnostics
                        .and_then(|d| d.error_code())
                        .map(|c| c.as_str().to_owned()),
                    message: diagnostics.and_then(|d| opt(d.message())),
                    log_tail: diagnostics.and_then(|d| opt(d.log_tail())),
                }
            })
            .collect(),
        task_sets: t
            .task_sets_info()
            .iter()
            .map(|s| CdTaskSet {
                // Spelled `identifer` in the CodeDeploy model (and on the wire).
                id: owned(s.identifer()),
                status: opt(s.status()),
                label: s.task_set_label().map(|l| l.as_str().to_owned()),
                desired_count: s.desired_count(),
                pending_count: s.pending_count(),
                running_count: s.running_count(),
                traffic_weight: s.traffic_weight(),
                target_group: s.target_group().and_then(|g| opt(g.name())),
            })
            .collect(),
    }
}

#[async_trait]
impl CodeDeploy for SdkApi {
    async fn list_applications(&self, next_token: Option<String>) -> Result<NamePage, ApiError> {
        let out = self
            .cd
            .list_applications()
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:ListApplications", e))?;
        Ok(NamePage {
            names: out.applications().to_vec(),
            next_token: token(out.next_token()),
        })
    }

    async fn list_deployment_groups(
        &self,
        application: &str,
        next_token: Option<String>,
    ) -> Result<NamePage, ApiError> {
        let out = self
            .cd
            .list_deployment_groups()
            .application_name(application)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:ListDeploymentGroups", e))?;
        Ok(NamePage {
            names: out.deployment_groups().to_vec(),
            next_token: token(out.next_token()),
        })
    }

    async fn batch_get_deployment_groups(
        &self,
        application: &str,
        groups: &[String],
    ) -> Result<Vec<DeploymentGroup>, ApiError> {
        let out = self
            .cd
            .batch_get_deployment_groups()
            .application_name(application)
            .set_deployment_group_names(Some(groups.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:BatchGetDeploymentGroups", e))?;
        Ok(out
            .deployment_groups_info()
            .iter()
            .map(convert_group)
            .collect())
    }

    async fn list_deployments(
        &self,
        application: &str,
        group: &str,
        statuses: &[&str],
        next_token: Option<String>,
    ) -> Result<NamePage, ApiError> {
        let statuses: Vec<cd::types::DeploymentStatus> = statuses
            .iter()
            .map(|s| cd::types::DeploymentStatus::from(*s))
            .collect();
        let out = self
            .cd
            .list_deployments()
            .application_name(application)
            .deployment_group_name(group)
            .set_include_only_statuses((!statuses.is_empty()).then_some(statuses))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:ListDeployments", e))?;
        Ok(NamePage {
            names: out.deployments().to_vec(),
            next_token: token(out.next_token()),
        })
    }

    async fn batch_get_deployments(&self, ids: &[String]) -> Result<Vec<CdDeployment>, ApiError> {
        let out = self
            .cd
            .batch_get_deployments()
            .set_deployment_ids(Some(ids.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:BatchGetDeployments", e))?;
        Ok(out
            .deployments_info()
            .iter()
            .map(convert_deployment)
            .collect())
    }

    async fn list_deployment_targets(
        &self,
        deployment_id: &str,
        next_token: Option<String>,
    ) -> Result<NamePage, ApiError> {
        let out = self
            .cd
            .list_deployment_targets()
            .deployment_id(deployment_id)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:ListDeploymentTargets", e))?;
        Ok(NamePage {
            names: out.target_ids().to_vec(),
            next_token: token(out.next_token()),
        })
    }

    async fn batch_get_deployment_targets(
        &self,
        deployment_id: &str,
        target_ids: &[String],
    ) -> Result<Vec<EcsDeploymentTarget>, ApiError> {
        let out = self
            .cd
            .batch_get_deployment_targets()
            .deployment_id(deployment_id)
            .set_target_ids(Some(target_ids.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:BatchGetDeploymentTargets", e))?;
        Ok(out
            .deployment_targets()
            .iter()
            .filter_map(|t| t.ecs_target())
            .map(convert_target)
            .collect())
    }

    async fn continue_deployment(
        &self,
        deployment_id: &str,
        traffic_wait: bool,
    ) -> Result<Mutated<()>, ApiError> {
        let wait = if traffic_wait {
            cd::types::DeploymentWaitType::ReadyWait
        } else {
            cd::types::DeploymentWaitType::TerminationWait
        };
        let out = self
            .cd
            .continue_deployment()
            .deployment_id(deployment_id)
            .deployment_wait_type(wait)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:ContinueDeployment", e))?;
        Ok(Mutated {
            value: (),
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn stop_deployment(
        &self,
        deployment_id: &str,
        auto_rollback: bool,
    ) -> Result<Mutated<String>, ApiError> {
        let out = self
            .cd
            .stop_deployment()
            .deployment_id(deployment_id)
            .auto_rollback_enabled(auto_rollback)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:StopDeployment", e))?;
        Ok(Mutated {
            value: out
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn create_deployment(
        &self,
        req: &CreateDeploymentRequest,
    ) -> Result<Mutated<String>, ApiError> {
        let revision = cd::types::RevisionLocation::builder()
            .revision_type(cd::types::RevisionLocationType::AppSpecContent)
            .app_spec_content(
                cd::types::AppSpecContent::builder()
                    .content(&req.app_spec)
                    .build(),
            )
            .build();
        let out = self
            .cd
            .create_deployment()
            .application_name(&req.application_name)
            .deployment_group_name(&req.deployment_group_name)
            .set_deployment_config_name(req.deployment_config_name.clone())
            .set_description(req.description.clone())
            .revision(revision)
            .send()
            .await
            .map_err(|e| self.map_err("codedeploy:CreateDeployment", e))?;
        Ok(Mutated {
            value: owned(out.deployment_id()),
            request_id: out.request_id().map(str::to_owned),
        })
    }
}
