//! The simulated CodeDeploy account: the demo's `gateway` service (cluster production, CODE_DEPLOY) has an
//! application and an ECS deployment group (production and test listeners, a blue/green target group pair,
//! two alarms), one finished deployment in its history, and its task sets — one PRIMARY while nothing is
//! under way, a green ACTIVE one beside it while a deployment is. CreateDeployment starts one (held before
//! traffic shifts, as a group with a ready wait does); ContinueDeployment shifts and finishes it;
//! StopDeployment rolls it back; the shifting itself (canary, linear, all at once), the termination wait and
//! the ready wait's timeout are in `shift.rs`.

mod shift;

use super::{ACCOUNT, REGION};
use crate::aws::*;

pub const APPLICATION: &str = "AppECS-production-gateway";
pub const GROUP: &str = "DgpECS-production-gateway";
const CLUSTER: &str = "production";
const SERVICE: &str = "gateway";

/// `arn:…:targetgroup/<name>/<id>` of the demo's blue/green pair.
pub fn target_group_arn(name: &str) -> String {
    let id = if name.ends_with("green") {
        "9d8c7b6a5f4e3d2c"
    } else {
        "1a2b3c4d5e6f7a8b"
    };
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{id}")
}

pub const BLUE_TG: &str = "gateway-tg-blue";
pub const GREEN_TG: &str = "gateway-tg-green";

/// One deployment with its ECS target.
#[derive(Debug, Clone)]
struct SimDeployment {
    info: CdDeployment,
    target: EcsDeploymentTarget,
    /// How CodeDeploy runs it (`sim/cd_run.rs`); None for the history the demo starts with.
    run: Option<super::cd_run::Run>,
    /// The replacement (green) task set it creates at Install.
    green: Option<TaskSet>,
    /// Green's share of production traffic now (0-100).
    green_weight: f64,
}

#[derive(Debug, Clone)]
pub struct CodeDeploySim {
    groups: Vec<DeploymentGroup>,
    /// Oldest first.
    deployments: Vec<SimDeployment>,
    /// The service's task sets now (PRIMARY first).
    task_sets: Vec<TaskSet>,
    next: u64,
    /// How long each lifecycle step takes (Install twice as long); tests make it short.
    pub step_ms: Millis,
    /// When a group alarm went into ALARM since each deployment under way began (the simulator's metrics
    /// say, see `Sim::codedeploy`).
    pub alarm_since: std::collections::HashMap<String, Millis>,
}

fn lifecycle(statuses: &[(&str, &str)], at: Millis) -> Vec<LifecycleEvent> {
    statuses
        .iter()
        .enumerate()
        .map(|(i, (name, status))| LifecycleEvent {
            name: (*name).into(),
            status: (*status).into(),
            start_time: (*status != "Pending").then_some(at + i as Millis * 20_000),
            end_time: matches!(*status, "Succeeded" | "Failed" | "Skipped")
                .then_some(at + i as Millis * 20_000 + 15_000),
            ..Default::default()
        })
        .collect()
}

const EVENTS: [&str; 8] = [
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
];

impl CodeDeploySim {
    /// The demo account: `gateway`'s group when the fleet has a CODE_DEPLOY `gateway` in production.
    pub fn from_service(gateway: Option<&Service>, epoch: Millis) -> CodeDeploySim {
        let mut sim = CodeDeploySim {
            groups: vec![],
            deployments: vec![],
            task_sets: vec![],
            next: 1,
            step_ms: 20_000,
            alarm_since: Default::default(),
        };
        let Some(svc) = gateway.filter(|s| s.deployment_controller == Controller::CodeDeploy)
        else {
            return sim;
        };
        let listener = |port: u32, id: &str| {
            format!(
                "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/production-alb/5f4e3d2c1b0a9f8e/{id}{port}"
            )
        };
        sim.groups.push(DeploymentGroup {
            application_name: APPLICATION.into(),
            deployment_group_name: GROUP.into(),
            deployment_group_id: Some("7e1f0c2a-5d3b-4a69-9c8e-0b1d2e3f4a5b".into()),
            deployment_config_name: Some("CodeDeployDefault.ECSCanary10Percent5Minutes".into()),
            compute_platform: Some("ECS".into()),
            ecs_services: vec![EcsServiceRef {
                service_name: SERVICE.into(),
                cluster_name: CLUSTER.into(),
            }],
            service_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/ecsCodeDeployRole")),
            alarms_enabled: true,
            alarm_names: vec![
                "production-gateway-target-5xx".into(),
                "production-gateway-cpu-high".into(),
            ],
            auto_rollback_enabled: true,
            auto_rollback_events: vec![
                "DEPLOYMENT_FAILURE".into(),
                "DEPLOYMENT_STOP_ON_ALARM".into(),
            ],
            target_group_pairs: vec![TargetGroupPair {
                target_groups: vec![BLUE_TG.into(), GREEN_TG.into()],
                prod_listener_arns: vec![listener(443, "0a1b2c3d4e5f")],
                test_listener_arns: vec![listener(8443, "6a7b8c9d0e1f")],
            }],
            ready_action: Some("STOP_DEPLOYMENT".into()),
            ready_wait_minutes: Some(60),
            termination_wait_minutes: Some(5),
        });
        let created = epoch - 2 * 86_400_000;
        let id = sim.new_id();
        let all_done: Vec<(&str, &str)> = EVENTS.iter().map(|e| (*e, "Succeeded")).collect();
        sim.task_sets.push(TaskSet {
            id: "ecs-svc/1234567890123456789".into(),
            task_set_arn: format!(
                "arn:aws:ecs:{REGION}:{ACCOUNT}:task-set/{CLUSTER}/{SERVICE}/ecs-svc/1234567890123456789"
            ),
            status: "PRIMARY".into(),
            task_definition: svc.task_definition.clone(),
            stability_status: Some("STEADY_STATE".into()),
            scale_value: Some(100.0),
            scale_unit: Some("PERCENT".into()),
            computed_desired_count: svc.desired_count,
            pending_count: 0,
            running_count: svc.running_count,
            started_by: Some(format!("codedeploy/{id}")),
            external_id: None,
            launch_type: svc.launch_type.clone(),
            target_group_arns: vec![target_group_arn(BLUE_TG)],
            created_at: Some(created),
            updated_at: Some(created + 600_000),
        });
        sim.deployments.push(SimDeployment {
            info: CdDeployment {
                deployment_id: id.clone(),
                application_name: APPLICATION.into(),
                deployment_group_name: GROUP.into(),
                deployment_config_name: Some("CodeDeployDefault.ECSCanary10Percent5Minutes".into()),
                status: "Succeeded".into(),
                creator: Some("user".into()),
                description: Some(format!("deploy {}", family_rev(&svc.task_definition))),
                create_time: Some(created),
                start_time: Some(created + 1_000),
                complete_time: Some(created + 900_000),
                ..Default::default()
            },
            target: EcsDeploymentTarget {
                deployment_id: id,
                target_id: format!("{CLUSTER}:{SERVICE}"),
                target_arn: Some(svc.service_arn.clone()),
                status: Some("Succeeded".into()),
                last_updated_at: Some(created + 900_000),
                lifecycle_events: lifecycle(&all_done, created),
                task_sets: vec![],
            },
            run: None,
            green: None,
            green_weight: 100.0,
        });
        sim
    }

    /// The deployments under way that watch alarms: (id, when it began, the group's alarms).
    pub fn watched_alarms(&self) -> Vec<(String, Millis, Vec<String>)> {
        self.deployments
            .iter()
            .filter(|d| d.run.is_some() && codedeploy_under_way(&d.info.status))
            .filter_map(|d| {
                let g = self
                    .groups
                    .iter()
                    .find(|g| g.deployment_group_name == d.info.deployment_group_name)?;
                let from = d.run.as_ref()?.started;
                g.alarms_enabled
                    .then(|| (d.info.deployment_id.clone(), from, g.alarm_names.clone()))
            })
            .collect()
    }

    /// When a deployment waiting to reroute began waiting (the end of its last hook).
    pub fn ready_since(&self, id: &str) -> Option<Millis> {
        let d = self.deployment(id).ok()?;
        (d.info.status == "Ready").then_some(())?;
        d.target
            .lifecycle_events
            .iter()
            .filter(|e| e.status == "Succeeded")
            .filter_map(|e| e.end_time)
            .max()
    }

    fn new_id(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        format!("d-{:09X}", 0x5A3F_0000_u64 + n * 7919)
    }

    pub fn applications(&self) -> Vec<String> {
        let mut apps: Vec<String> = self
            .groups
            .iter()
            .map(|g| g.application_name.clone())
            .collect();
        apps.dedup();
        apps
    }

    fn app_or_err(&self, application: &str) -> Result<(), ApiError> {
        if self
            .groups
            .iter()
            .any(|g| g.application_name == application)
        {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!(
                "ApplicationDoesNotExistException: no application named {application}"
            )))
        }
    }

    pub fn group_names(&self, application: &str) -> Result<Vec<String>, ApiError> {
        self.app_or_err(application)?;
        Ok(self
            .groups
            .iter()
            .filter(|g| g.application_name == application)
            .map(|g| g.deployment_group_name.clone())
            .collect())
    }

    pub fn groups(
        &self,
        application: &str,
        names: &[String],
    ) -> Result<Vec<DeploymentGroup>, ApiError> {
        self.app_or_err(application)?;
        Ok(self
            .groups
            .iter()
            .filter(|g| {
                g.application_name == application && names.contains(&g.deployment_group_name)
            })
            .cloned()
            .collect())
    }

    /// Newest first, as ListDeployments returns them.
    pub fn deployment_ids(
        &self,
        application: &str,
        group: &str,
        statuses: &[&str],
    ) -> Result<Vec<String>, ApiError> {
        self.app_or_err(application)?;
        if !self.groups.iter().any(|g| g.deployment_group_name == group) {
            return Err(ApiError::NotFound(format!(
                "DeploymentGroupDoesNotExistException: no deployment group named {group}"
            )));
        }
        Ok(self
            .deployments
            .iter()
            .rev()
            .filter(|d| {
                d.info.application_name == application && d.info.deployment_group_name == group
            })
            .filter(|d| statuses.is_empty() || statuses.contains(&d.info.status.as_str()))
            .map(|d| d.info.deployment_id.clone())
            .collect())
    }

    pub fn deployments(&self, ids: &[String]) -> Vec<CdDeployment> {
        ids.iter()
            .filter_map(|id| {
                self.deployments
                    .iter()
                    .find(|d| &d.info.deployment_id == id)
            })
            .map(|d| d.info.clone())
            .collect()
    }

    fn deployment(&self, id: &str) -> Result<&SimDeployment, ApiError> {
        self.deployments
            .iter()
            .find(|d| d.info.deployment_id == id)
            .ok_or_else(|| ApiError::NotFound(format!("DeploymentDoesNotExistException: {id}")))
    }

    fn deployment_mut(&mut self, id: &str) -> Result<&mut SimDeployment, ApiError> {
        self.deployments
            .iter_mut()
            .find(|d| d.info.deployment_id == id)
            .ok_or_else(|| ApiError::NotFound(format!("DeploymentDoesNotExistException: {id}")))
    }

    pub fn target_ids(&self, id: &str) -> Result<Vec<String>, ApiError> {
        Ok(vec![self.deployment(id)?.target.target_id.clone()])
    }

    /// The target with the task sets as they are now (for a deployment under way) and their traffic.
    pub fn targets(
        &self,
        id: &str,
        target_ids: &[String],
    ) -> Result<Vec<EcsDeploymentTarget>, ApiError> {
        let d = self.deployment(id)?;
        if !target_ids.contains(&d.target.target_id) {
            return Ok(vec![]);
        }
        let mut target = d.target.clone();
        if codedeploy_under_way(&d.info.status) {
            target.task_sets = self
                .task_sets
                .iter()
                .map(|s| {
                    let green = s.codedeploy_deployment() == Some(id);
                    CdTaskSet {
                        id: s.id.clone(),
                        status: Some(s.status.clone()),
                        label: Some(if green { "Green" } else { "Blue" }.into()),
                        desired_count: i64::from(s.computed_desired_count),
                        pending_count: i64::from(s.pending_count),
                        running_count: i64::from(s.running_count),
                        traffic_weight: if green {
                            d.green_weight
                        } else {
                            100.0 - d.green_weight
                        },
                        target_group: s
                            .target_group_arns
                            .first()
                            .map(|a| a.split('/').nth(1).unwrap_or(a).to_owned()),
                    }
                })
                .collect();
        }
        Ok(vec![target])
    }

    /// DescribeTaskSets of `service` in `cluster` (names or ARNs).
    pub fn task_sets(&self, cluster: &str, service: &str) -> Vec<TaskSet> {
        if arn_name(cluster) == CLUSTER && arn_name(service) == SERVICE {
            self.task_sets.clone()
        } else {
            vec![]
        }
    }

    fn under_way(&self) -> Option<&SimDeployment> {
        self.deployments
            .iter()
            .find(|d| codedeploy_under_way(&d.info.status))
    }

    /// Starts a deployment: the green task set is created at full scale with no production traffic, the
    /// test listener points at it, and the deployment waits for ContinueDeployment.
    pub fn create(
        &mut self,
        req: &CreateDeploymentRequest,
        service: &Service,
        now: Millis,
    ) -> Result<String, ApiError> {
        self.app_or_err(&req.application_name)?;
        let group = self
            .groups
            .iter()
            .find(|g| g.deployment_group_name == req.deployment_group_name)
            .cloned()
            .ok_or_else(|| {
                ApiError::NotFound(format!(
                    "DeploymentGroupDoesNotExistException: {}",
                    req.deployment_group_name
                ))
            })?;
        if let Some(d) = self.under_way() {
            return Err(ApiError::Other(format!(
                "codedeploy:CreateDeployment: DeploymentLimitExceededException: deployment {} is already in progress for {}",
                d.info.deployment_id, group.deployment_group_name
            )));
        }
        let task_definition = app_spec_task_definition(&req.app_spec)
            .unwrap_or_else(|| service.task_definition.clone());
        let primary_on_green = self.task_sets.iter().any(|s| {
            s.status == "PRIMARY" && s.target_group_arns.contains(&target_group_arn(GREEN_TG))
        });
        let id = self.new_id();
        let set_id = format!("ecs-svc/{:019}", 7_000_000_000_000_000_000_u64 + self.next);
        let green = TaskSet {
            id: set_id.clone(),
            task_set_arn: format!(
                "arn:aws:ecs:{REGION}:{ACCOUNT}:task-set/{CLUSTER}/{SERVICE}/{set_id}"
            ),
            status: "ACTIVE".into(),
            task_definition,
            stability_status: Some("STEADY_STATE".into()),
            scale_value: Some(100.0),
            scale_unit: Some("PERCENT".into()),
            computed_desired_count: service.desired_count,
            pending_count: 0,
            running_count: service.desired_count,
            started_by: Some(format!("codedeploy/{id}")),
            external_id: None,
            launch_type: service.launch_type.clone(),
            // The target group production does not use now (they alternate deployment by deployment).
            target_group_arns: vec![target_group_arn(if primary_on_green {
                BLUE_TG
            } else {
                GREEN_TG
            })],
            created_at: Some(now),
            updated_at: Some(now),
        };
        let config = req
            .deployment_config_name
            .clone()
            .or(group.deployment_config_name.clone());
        let minutes = |m: Option<i32>| Millis::from(m.unwrap_or(0)) * 60_000;
        let plan = super::cd_run::Plan {
            // A custom configuration is not known by its name: shifted all at once.
            shift: config
                .as_deref()
                .and_then(super::cd_run::Shift::predefined)
                .unwrap_or(super::cd_run::Shift::AllAtOnce),
            step: self.step_ms,
            ready_wait: (group.ready_action.as_deref() == Some("STOP_DEPLOYMENT"))
                .then(|| minutes(group.ready_wait_minutes)),
            termination_wait: minutes(group.termination_wait_minutes),
            failing_hook: None,
            auto_rollback: group.auto_rollback_enabled,
            alarms_enabled: group.alarms_enabled,
        };
        self.deployments.push(SimDeployment {
            info: CdDeployment {
                deployment_id: id.clone(),
                application_name: req.application_name.clone(),
                deployment_group_name: req.deployment_group_name.clone(),
                deployment_config_name: config,
                status: "InProgress".into(),
                creator: Some("user".into()),
                description: req.description.clone(),
                create_time: Some(now),
                start_time: Some(now),
                ..Default::default()
            },
            target: EcsDeploymentTarget {
                deployment_id: id.clone(),
                target_id: format!("{CLUSTER}:{SERVICE}"),
                target_arn: Some(service.service_arn.clone()),
                status: Some("InProgress".into()),
                last_updated_at: Some(now),
                lifecycle_events: vec![],
                task_sets: vec![],
            },
            run: Some(super::cd_run::Run::new(plan, now)),
            green: Some(green),
            green_weight: 0.0,
        });
        self.tick(now);
        Ok(id)
    }
}

/// The `TaskDefinition` of an AppSpec (YAML `TaskDefinition: arn` or JSON `"TaskDefinition": "arn"`).
fn app_spec_task_definition(app_spec: &str) -> Option<String> {
    let at = app_spec.find("TaskDefinition")?;
    let rest = app_spec.get(at + "TaskDefinition".len()..)?;
    let rest = rest.trim_start_matches(['"', ' ', ':', '\'']);
    let value: String = rest
        .chars()
        .take_while(|c| !matches!(c, '"' | '\'' | ',' | '\n' | '}' | ' '))
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests;
