//! What the mutating calls start in the model: UpdateService (a new deployment or a new desired count),
//! StopServiceDeployment (a rollback) and registering a revision.

use super::*;

impl Fleet {
    /// A new PRIMARY deployment of `task_definition`; the others become ACTIVE. Returns its number.
    pub(super) fn new_deployment(
        &mut self,
        c: usize,
        s: usize,
        t: Millis,
        task_definition: &str,
    ) -> u64 {
        let number = 1_000_000_000_000_000_000u64 + self.rng.below(8_000_000_000_000_000_000);
        let Some((cname, sname)) = self.names(c, s) else {
            return number;
        };
        let target = self.revision_arn(&cname, &sname, task_definition);
        let Some(svc) = self.sim_service_mut(c, s) else {
            return number;
        };
        let sources: Vec<String> = svc
            .history
            .iter()
            .find(|r| r.status == "SUCCESSFUL" || r.status == "IN_PROGRESS")
            .map(|r| vec![r.target_revision_arn.clone()])
            .unwrap_or_default();
        for d in svc.service.deployments.iter_mut() {
            d.status = "ACTIVE".into();
        }
        let desired = svc.service.desired_count;
        svc.service.deployments.insert(
            0,
            Deployment {
                id: format!("ecs-svc/{number}"),
                status: "PRIMARY".into(),
                task_definition: task_definition.to_owned(),
                desired_count: desired,
                pending_count: 0,
                running_count: 0,
                failed_tasks: 0,
                rollout_state: Some("IN_PROGRESS".into()),
                rollout_state_reason: Some(format!("ECS deployment ecs-svc/{number} in progress.")),
                created_at: Some(t),
                updated_at: Some(t),
            },
        );
        svc.service.task_definition = task_definition.to_owned();
        svc.moving = true;
        let alarms = alarm_names(&svc.service);
        svc.history.insert(
            0,
            Record {
                arn: deployment_arn(&cname, &sname, number),
                deployment: number,
                status: "IN_PROGRESS".into(),
                status_reason: None,
                target_revision_arn: target,
                source_revision_arns: sources,
                started_at: t,
                finished_at: None,
                lifecycle_stage: None,
                failures: 0,
                threshold: breaker_threshold(desired),
                breaker: "MONITORING".into(),
                rollback: None,
                alarms,
            },
        );
        number
    }

    /// UpdateService, as ECS applies it.
    pub(in crate::sim) fn update_service(
        &mut self,
        req: &UpdateServiceRequest,
        t: Millis,
    ) -> Result<Service, ApiError> {
        let invalid = |m: String| ApiError::Invalid {
            action: "ecs:UpdateService".into(),
            message: m,
        };
        let c = self
            .clusters
            .iter()
            .position(|x| x.cluster.cluster_name == arn_name(&req.cluster))
            .ok_or_else(|| ApiError::NotFound(format!("cluster {} not found", req.cluster)))?;
        let service_not_found = || ApiError::NotFound(format!("service {} not found", req.service));
        let s = self
            .clusters
            .get(c)
            .and_then(|x| x.service_index(&req.service))
            .ok_or_else(service_not_found)?;
        let controller = self
            .sim_service(c, s)
            .ok_or_else(service_not_found)?
            .service
            .deployment_controller;
        if let Some(n) = req.desired_count
            && !(0..=MAX_DESIRED_COUNT).contains(&n)
        {
            return Err(invalid(format!(
                "InvalidParameterException: desiredCount must be between 0 and {MAX_DESIRED_COUNT}"
            )));
        }
        if controller != Controller::Ecs
            && (req.task_definition.is_some() || req.force_new_deployment)
        {
            return Err(invalid(format!(
                "InvalidParameterException: Unable to update task definition on services with a {} deployment controller. Use AWS CodeDeploy to trigger a new deployment.",
                controller.as_str()
            )));
        }
        let task_definition = match &req.task_definition {
            Some(td) => {
                let def = self.task_definition(td).ok_or_else(|| {
                    invalid(format!(
                        "ClientException: TaskDefinition not found: {}",
                        family_rev(td)
                    ))
                })?;
                Some(def.task_definition_arn)
            }
            None => None,
        };
        if let Some(n) = req.desired_count
            && let Some(svc) = self.sim_service_mut(c, s)
        {
            svc.service.desired_count = n;
            if let Some(d) = svc.service.deployments.first_mut() {
                d.desired_count = n;
            }
            svc.moving = true;
        }
        let current = self
            .sim_service(c, s)
            .ok_or_else(service_not_found)?
            .service
            .task_definition
            .clone();
        match task_definition {
            Some(td) if td != current || req.force_new_deployment => {
                self.new_deployment(c, s, t, &td);
            }
            Some(_) => {}
            None if req.force_new_deployment => {
                self.new_deployment(c, s, t, &current);
            }
            None => {}
        }
        self.sim_service(c, s)
            .map(|x| x.service.clone())
            .ok_or_else(service_not_found)
    }

    /// StopServiceDeployment with stopType ROLLBACK.
    pub(in crate::sim) fn stop_deployment(
        &mut self,
        arn: &str,
        t: Millis,
    ) -> Result<String, ApiError> {
        let found = self.clusters.iter().enumerate().find_map(|(c, cl)| {
            cl.services.iter().enumerate().find_map(|(s, svc)| {
                svc.history
                    .iter()
                    .find(|r| r.arn == arn)
                    .map(|r| (c, s, r.clone()))
            })
        });
        let Some((c, s, record)) = found else {
            return Err(ApiError::NotFound(format!(
                "service deployment {arn} not found"
            )));
        };
        if !matches!(record.status.as_str(), "PENDING" | "IN_PROGRESS") {
            return Err(ApiError::Invalid {
                action: "ecs:StopServiceDeployment".into(),
                message: format!(
                    "ConflictException: the service deployment is {}, only an in-progress deployment can be stopped",
                    record.status
                ),
            });
        }
        let to = record
            .source_revision_arns
            .first()
            .and_then(|r| self.revisions.get(r).cloned())
            .or_else(|| {
                self.sim_service(c, s)?
                    .service
                    .deployments
                    .get(1)
                    .map(|d| d.task_definition.clone())
            })
            .ok_or_else(|| ApiError::Invalid {
                action: "ecs:StopServiceDeployment".into(),
                message: "ConflictException: there is no earlier service revision to roll back to"
                    .into(),
            })?;
        if let Some(primary) = self
            .sim_service_mut(c, s)
            .and_then(|x| x.service.deployments.first_mut())
        {
            primary.rollout_state = Some("FAILED".into());
            primary.rollout_state_reason = Some("Stopped by user: rolling back.".into());
        }
        self.roll_back(
            c,
            s,
            t,
            record.deployment,
            &to,
            "stopped by user (ROLLBACK)",
        );
        Ok(arn.to_owned())
    }

    /// Registers the next revision of the service's family (`bad`: its tasks fail health checks).
    pub fn register_revision(&mut self, cluster: &str, service: &str, bad: bool) -> Option<String> {
        let cluster = self
            .clusters
            .iter_mut()
            .find(|x| x.cluster.cluster_name == cluster)?;
        let s = cluster.service_index(service)?;
        let svc = cluster.services.get_mut(s)?;
        svc.newest_revision += 1;
        if bad {
            svc.bad_revisions.push(svc.newest_revision);
        }
        let (family, _) = family_and_revision(&svc.service.task_definition)?;
        Some(task_definition_arn(family, svc.newest_revision))
    }
}
