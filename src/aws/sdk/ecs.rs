//! Amazon ECS over the SDK: the [`Ecs`] calls of [`SdkApi`].

use super::{SdkApi, millis, opt, owned};
use crate::aws::*;
use async_trait::async_trait;
use aws_sdk_ecs as ecs;
use aws_types::request_id::RequestId;

/// DescribeServices/Clusters report unknown names as `failures`, not errors.
fn failures_to_error(action: &str, failures: &[ecs::types::Failure]) -> Option<ApiError> {
    let f = failures.first()?;
    let reason = f.reason().unwrap_or("unknown failure");
    let what = f.arn().unwrap_or("resource");
    if reason == "MISSING" {
        Some(ApiError::NotFound(format!("{} not found", arn_name(what))))
    } else {
        Some(ApiError::Other(format!("{action}: {what}: {reason}")))
    }
}

fn convert_cluster(c: &ecs::types::Cluster) -> Cluster {
    Cluster {
        cluster_arn: owned(c.cluster_arn()),
        cluster_name: owned(c.cluster_name()),
        status: owned(c.status()),
        running_tasks_count: c.running_tasks_count(),
        pending_tasks_count: c.pending_tasks_count(),
        active_services_count: c.active_services_count(),
        registered_container_instances_count: c.registered_container_instances_count(),
        capacity_providers: c.capacity_providers().to_vec(),
    }
}

fn convert_service(s: &ecs::types::Service) -> Service {
    let dc = s.deployment_configuration();
    let cb = dc.and_then(|d| d.deployment_circuit_breaker());
    Service {
        service_arn: owned(s.service_arn()),
        service_name: owned(s.service_name()),
        cluster_arn: owned(s.cluster_arn()),
        status: owned(s.status()),
        desired_count: s.desired_count(),
        running_count: s.running_count(),
        pending_count: s.pending_count(),
        task_definition: owned(s.task_definition()),
        launch_type: s.launch_type().map(|l| l.as_str().to_owned()),
        capacity_provider_strategy: s
            .capacity_provider_strategy()
            .iter()
            .map(|c| c.capacity_provider().to_owned())
            .collect(),
        deployment_controller: s
            .deployment_controller()
            .map(|d| Controller::parse(d.r#type().as_str()))
            .unwrap_or_default(),
        deployment_configuration: DeploymentConfiguration {
            minimum_healthy_percent: dc.and_then(|d| d.minimum_healthy_percent()),
            maximum_percent: dc.and_then(|d| d.maximum_percent()),
            circuit_breaker_enable: cb.map(|c| c.enable()),
            circuit_breaker_rollback: cb.map(|c| c.rollback()),
        },
        deployments: s
            .deployments()
            .iter()
            .map(|d| Deployment {
                id: owned(d.id()),
                status: owned(d.status()),
                task_definition: owned(d.task_definition()),
                desired_count: d.desired_count(),
                pending_count: d.pending_count(),
                running_count: d.running_count(),
                failed_tasks: d.failed_tasks(),
                rollout_state: d.rollout_state().map(|r| r.as_str().to_owned()),
                rollout_state_reason: opt(d.rollout_state_reason()),
                created_at: millis(d.created_at()),
                updated_at: millis(d.updated_at()),
            })
            .collect(),
        events: s
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: owned(e.id()),
                created_at: millis(e.created_at()),
                message: owned(e.message()),
            })
            .collect(),
        load_balancers: s
            .load_balancers()
            .iter()
            .map(|l| LoadBalancer {
                target_group_arn: opt(l.target_group_arn()),
                alternate_target_group_arn: l
                    .advanced_configuration()
                    .and_then(|a| opt(a.alternate_target_group_arn())),
                load_balancer_name: opt(l.load_balancer_name()),
                container_name: opt(l.container_name()),
                container_port: l.container_port(),
            })
            .collect(),
        network_configuration: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|a| NetworkConfiguration {
                subnets: a.subnets().to_vec(),
                security_groups: a.security_groups().to_vec(),
                assign_public_ip: a.assign_public_ip().map(|p| p.as_str().to_owned()),
            }),
        created_at: millis(s.created_at()),
    }
}

fn convert_task(t: &ecs::types::Task) -> Task {
    let private_ip = t
        .attachments()
        .iter()
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| opt(d.value()))
        .or_else(|| {
            t.containers()
                .iter()
                .flat_map(|c| c.network_interfaces())
                .find_map(|n| opt(n.private_ipv4_address()))
        });
    Task {
        task_arn: owned(t.task_arn()),
        cluster_arn: owned(t.cluster_arn()),
        task_definition_arn: owned(t.task_definition_arn()),
        last_status: owned(t.last_status()),
        desired_status: owned(t.desired_status()),
        health_status: t.health_status().map(|h| h.as_str().to_owned()),
        launch_type: t.launch_type().map(|l| l.as_str().to_owned()),
        availability_zone: opt(t.availability_zone()),
        private_ip,
        group: opt(t.group()),
        started_by: opt(t.started_by()),
        cpu: opt(t.cpu()),
        memory: opt(t.memory()),
        created_at: millis(t.created_at()),
        started_at: millis(t.started_at()),
        stopped_at: millis(t.stopped_at()),
        stop_code: t.stop_code().map(|s| s.as_str().to_owned()),
        stopped_reason: opt(t.stopped_reason()),
        containers: t
            .containers()
            .iter()
            .map(|c| Container {
                name: owned(c.name()),
                image: owned(c.image()),
                last_status: owned(c.last_status()),
                exit_code: c.exit_code(),
                reason: opt(c.reason()),
                health_status: c.health_status().map(|h| h.as_str().to_owned()),
                runtime_id: opt(c.runtime_id()),
            })
            .collect(),
    }
}

fn convert_task_definition(td: &ecs::types::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        task_definition_arn: owned(td.task_definition_arn()),
        family: owned(td.family()),
        revision: td.revision(),
        cpu: opt(td.cpu()),
        memory: opt(td.memory()),
        container_definitions: td
            .container_definitions()
            .iter()
            .map(|c| ContainerDefinition {
                name: owned(c.name()),
                image: owned(c.image()),
                cpu: c.cpu(),
                memory: c.memory(),
                essential: c.essential(),
                log_configuration: c.log_configuration().map(|l| LogConfiguration {
                    log_driver: l.log_driver().as_str().to_owned(),
                    options: l
                        .options()
                        .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        .unwrap_or_default(),
                }),
                environment_names: c
                    .environment()
                    .iter()
                    .filter_map(|kv| opt(kv.name()))
                    .collect(),
                secret_names: c.secrets().iter().map(|s| s.name().to_owned()).collect(),
                port_mappings: c
                    .port_mappings()
                    .iter()
                    .map(|p| {
                        let proto = p.protocol().map(|p| p.as_str()).unwrap_or("tcp");
                        match (p.container_port(), p.host_port()) {
                            (Some(c), Some(h)) if h != c && h != 0 => format!("{c}/{proto}->{h}"),
                            (Some(c), _) => format!("{c}/{proto}"),
                            (None, _) => format!("?/{proto}"),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[async_trait]
impl Ecs for SdkApi {
    async fn list_clusters(&self, next_token: Option<String>) -> Result<Page, ApiError> {
        let out = self
            .ecs
            .list_clusters()
            .max_results(LIST_PAGE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListClusters", e))?;
        Ok(Page {
            arns: out.cluster_arns().to_vec(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_clusters(&self, clusters: &[String]) -> Result<Vec<Cluster>, ApiError> {
        let out = self
            .ecs
            .describe_clusters()
            .set_clusters(Some(clusters.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeClusters", e))?;
        Ok(out.clusters().iter().map(convert_cluster).collect())
    }

    async fn list_services(
        &self,
        cluster: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        let out = self
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(LIST_PAGE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListServices", e))?;
        Ok(Page {
            arns: out.service_arns().to_vec(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> Result<Vec<Service>, ApiError> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .set_services(Some(services.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeServices", e))?;
        if out.services().is_empty()
            && let Some(err) = failures_to_error("ecs:DescribeServices", out.failures())
        {
            return Err(err);
        }
        Ok(out.services().iter().map(convert_service).collect())
    }

    async fn list_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        desired: DesiredStatus,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        let status = match desired {
            DesiredStatus::Running => ecs::types::DesiredStatus::Running,
            DesiredStatus::Stopped => ecs::types::DesiredStatus::Stopped,
        };
        let out = self
            .ecs
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_owned))
            .desired_status(status)
            .max_results(LIST_PAGE)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListTasks", e))?;
        Ok(Page {
            arns: out.task_arns().to_vec(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> Result<Vec<Task>, ApiError> {
        let out = self
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(tasks.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeTasks", e))?;
        Ok(out.tasks().iter().map(convert_task).collect())
    }

    async fn describe_task_definition(
        &self,
        task_definition: &str,
    ) -> Result<TaskDefinition, ApiError> {
        let out = self
            .ecs
            .describe_task_definition()
            .task_definition(task_definition)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeTaskDefinition", e))?;
        out.task_definition()
            .map(convert_task_definition)
            .ok_or_else(|| ApiError::NotFound(format!("task definition {task_definition}")))
    }

    async fn update_service(
        &self,
        req: &UpdateServiceRequest,
    ) -> Result<Mutated<Service>, ApiError> {
        let out = self
            .ecs
            .update_service()
            .cluster(&req.cluster)
            .service(&req.service)
            .set_desired_count(req.desired_count)
            .set_task_definition(req.task_definition.clone())
            .set_force_new_deployment(req.force_new_deployment.then_some(true))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:UpdateService", e))?;
        let service = out
            .service()
            .map(convert_service)
            .ok_or_else(|| ApiError::NotFound(format!("service {}", req.service)))?;
        Ok(Mutated {
            value: service,
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next_token: Option<String>,
    ) -> Result<Page, ApiError> {
        let out = self
            .ecs
            .list_task_definitions()
            .family_prefix(family)
            .status(ecs::types::TaskDefinitionStatus::Active)
            .sort(ecs::types::SortOrder::Desc)
            .set_next_token(next_token)
            .max_results(LIST_PAGE)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListTaskDefinitions", e))?;
        // familyPrefix is a prefix: `web` also lists `web-worker`. Newest first even where sort is ignored.
        let mut arns: Vec<(i32, String)> = out
            .task_definition_arns()
            .iter()
            .filter_map(|a| match family_and_revision(a) {
                Some((f, r)) if f == family => Some((r, a.clone())),
                _ => None,
            })
            .collect();
        arns.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
        let arns = arns.into_iter().map(|(_, a)| a).collect();
        Ok(Page {
            arns,
            next_token: opt(out.next_token()),
        })
    }

    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<ServiceDeploymentBrief>, ApiError> {
        let out = self
            .ecs
            .list_service_deployments()
            .cluster(cluster)
            .service(service)
            .max_results(20)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:ListServiceDeployments", e))?;
        Ok(out
            .service_deployments()
            .iter()
            .map(|d| ServiceDeploymentBrief {
                service_deployment_arn: owned(d.service_deployment_arn()),
                status: d
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_reason: opt(d.status_reason()),
                target_service_revision_arn: opt(d.target_service_revision_arn()),
                started_at: millis(d.started_at()).or(millis(d.created_at())),
                finished_at: millis(d.finished_at()),
            })
            .collect())
    }

    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceDeployment>, ApiError> {
        const ACTION: &str = "ecs:DescribeServiceDeployments";
        let out = self
            .ecs
            .describe_service_deployments()
            .set_service_deployment_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err(ACTION, e))?;
        if out.service_deployments().is_empty()
            && let Some(e) = failures_to_error(ACTION, out.failures())
        {
            return Err(e);
        }
        let monitor = |s: Option<&ecs::types::ServiceDeploymentRollbackMonitorsStatus>| {
            s.map(|s| s.as_str().to_owned()).unwrap_or_default()
        };
        Ok(out
            .service_deployments()
            .iter()
            .map(|d| ServiceDeployment {
                service_deployment_arn: owned(d.service_deployment_arn()),
                status: d
                    .status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                status_reason: opt(d.status_reason()),
                lifecycle_stage: d.lifecycle_stage().map(|s| s.as_str().to_owned()),
                target_service_revision_arn: d.target_service_revision().and_then(|r| opt(r.arn())),
                source_service_revision_arns: d
                    .source_service_revisions()
                    .iter()
                    .filter_map(|r| opt(r.arn()))
                    .collect(),
                circuit_breaker: d.deployment_circuit_breaker().map(|c| CircuitBreakerState {
                    status: monitor(c.status()),
                    failure_count: c.failure_count(),
                    threshold: c.threshold(),
                }),
                alarms: d.alarms().map(|a| DeploymentAlarms {
                    status: monitor(a.status()),
                    alarm_names: a.alarm_names().to_vec(),
                    triggered_alarm_names: a.triggered_alarm_names().to_vec(),
                }),
                rollback_reason: d.rollback().and_then(|r| opt(r.reason())),
                rollback_revision_arn: d.rollback().and_then(|r| opt(r.service_revision_arn())),
                started_at: millis(d.started_at()).or(millis(d.created_at())),
                finished_at: millis(d.finished_at()),
            })
            .collect())
    }

    async fn describe_service_revisions(
        &self,
        arns: &[String],
    ) -> Result<Vec<ServiceRevision>, ApiError> {
        let out = self
            .ecs
            .describe_service_revisions()
            .set_service_revision_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeServiceRevisions", e))?;
        Ok(out
            .service_revisions()
            .iter()
            .map(|r| ServiceRevision {
                service_revision_arn: owned(r.service_revision_arn()),
                task_definition: owned(r.task_definition()),
            })
            .collect())
    }

    async fn stop_service_deployment(&self, arn: &str) -> Result<Mutated<String>, ApiError> {
        let out = self
            .ecs
            .stop_service_deployment()
            .service_deployment_arn(arn)
            .stop_type(ecs::types::StopServiceDeploymentStopType::Rollback)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:StopServiceDeployment", e))?;
        Ok(Mutated {
            value: out
                .service_deployment_arn()
                .map(str::to_owned)
                .unwrap_or_else(|| arn.to_owned()),
            request_id: out.request_id().map(str::to_owned),
        })
    }

    async fn describe_task_sets(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Vec<TaskSet>, ApiError> {
        let out = self
            .ecs
            .describe_task_sets()
            .cluster(cluster)
            .service(service)
            .send()
            .await
            .map_err(|e| self.map_err("ecs:DescribeTaskSets", e))?;
        if out.task_sets().is_empty()
            && let Some(e) = failures_to_error("ecs:DescribeTaskSets", out.failures())
        {
            return Err(e);
        }
        Ok(out
            .task_sets()
            .iter()
            .map(|t| TaskSet {
                id: owned(t.id()),
                task_set_arn: owned(t.task_set_arn()),
                status: owned(t.status()),
                task_definition: owned(t.task_definition()),
                stability_status: t.stability_status().map(|s| s.as_str().to_owned()),
                scale_value: t.scale().map(|s| s.value()),
                scale_unit: t
                    .scale()
                    .and_then(|s| s.unit())
                    .map(|u| u.as_str().to_owned()),
                computed_desired_count: t.computed_desired_count(),
                pending_count: t.pending_count(),
                running_count: t.running_count(),
                started_by: opt(t.started_by()),
                external_id: opt(t.external_id()),
                launch_type: t.launch_type().map(|l| l.as_str().to_owned()),
                target_group_arns: t
                    .load_balancers()
                    .iter()
                    .filter_map(|l| opt(l.target_group_arn()))
                    .collect(),
                created_at: millis(t.created_at()),
                updated_at: millis(t.updated_at()),
            })
            .collect())
    }
}
