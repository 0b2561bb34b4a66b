//! The moving simulator: deployments roll by minimum healthy / maximum percent, tasks go PROVISIONING →
//! PENDING → RUNNING and pass (or fail) their health checks, old tasks drain and stop, scaling starts and
//! stops tasks, a bad revision trips the circuit breaker and rolls back, and every step is told in service
//! events worded as ECS words them. The service deployments API's records follow along.
//!
//! Time moves in steps of `pace`: each step a task advances at most one phase, so a rollout of 4 tasks takes a
//! dozen steps. Only services with something under way are stepped.
//!
//! This file holds the service deployments API's records and the fleet lookups the rest share; `rollout`
//! moves time (tasks through their phases, counts, completion, circuit breaker, rollback); `calls` is what
//! UpdateService, StopServiceDeployment and a new revision start.

mod calls;
mod rollout;

use std::collections::HashMap;

use super::fleet::{
    Fleet, Phase, Rng, SimService, SimTask, deployment_number, event, revision_of,
    task_definition_arn,
};
use super::logs::LogSim;
use super::{ACCOUNT, REGION};
use crate::aws::*;

/// One record of the service deployments API.
#[derive(Debug, Clone)]
pub struct Record {
    pub arn: String,
    /// The ECS deployment (`ecs-svc/<n>`) it follows.
    pub deployment: u64,
    pub status: String,
    pub status_reason: Option<String>,
    pub target_revision_arn: String,
    pub source_revision_arns: Vec<String>,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub lifecycle_stage: Option<String>,
    pub failures: i32,
    pub threshold: i32,
    pub breaker: String,
    pub rollback: Option<(String, String)>,
    pub alarms: Vec<String>,
}

impl Record {
    pub fn brief(&self) -> ServiceDeploymentBrief {
        ServiceDeploymentBrief {
            service_deployment_arn: self.arn.clone(),
            status: self.status.clone(),
            status_reason: self.status_reason.clone(),
            target_service_revision_arn: Some(self.target_revision_arn.clone()),
            started_at: Some(self.started_at),
            finished_at: self.finished_at,
        }
    }

    pub fn detail(&self) -> ServiceDeployment {
        ServiceDeployment {
            service_deployment_arn: self.arn.clone(),
            status: self.status.clone(),
            status_reason: self.status_reason.clone(),
            lifecycle_stage: self.lifecycle_stage.clone(),
            target_service_revision_arn: Some(self.target_revision_arn.clone()),
            source_service_revision_arns: self.source_revision_arns.clone(),
            circuit_breaker: Some(CircuitBreakerState {
                status: self.breaker.clone(),
                failure_count: self.failures,
                threshold: self.threshold,
            }),
            alarms: (!self.alarms.is_empty()).then(|| DeploymentAlarms {
                status: "MONITORING".into(),
                alarm_names: self.alarms.clone(),
                triggered_alarm_names: vec![],
            }),
            rollback_reason: self.rollback.as_ref().map(|r| r.0.clone()),
            rollback_revision_arn: self.rollback.as_ref().map(|r| r.1.clone()),
            started_at: Some(self.started_at),
            finished_at: self.finished_at,
        }
    }

    fn done(&self) -> bool {
        !deployment_under_way(&self.status)
    }
}

/// ECS's circuit breaker threshold: half the desired count, at least 3, at most 200.
pub fn breaker_threshold(desired: i32) -> i32 {
    ((desired + 1) / 2).clamp(3, 200)
}

/// What a task's lines look like in its log group.
fn stream_names(containers: &[String], id: &str) -> Vec<String> {
    containers.iter().map(|c| format!("ecs/{c}/{id}")).collect()
}

/// A new service revision of `task_definition`, remembered for DescribeServiceRevisions.
fn new_revision_arn(
    rng: &mut Rng,
    revisions: &mut HashMap<String, String>,
    cluster: &str,
    service: &str,
    task_definition: &str,
) -> String {
    let arn = format!(
        "arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/{cluster}/{service}/{}",
        1_000_000_000_000_000 + rng.below(8_000_000_000_000_000)
    );
    revisions.insert(arn.clone(), task_definition.to_owned());
    arn
}

impl Fleet {
    fn revision_arn(&mut self, cluster: &str, service: &str, task_definition: &str) -> String {
        new_revision_arn(
            &mut self.rng,
            &mut self.revisions,
            cluster,
            service,
            task_definition,
        )
    }

    // The moving simulator addresses a service by (cluster, service) position. Services and tasks are never
    // removed, so these always find it; if one ever did vanish, the step for it is skipped rather than
    // taking the demo down.
    fn sim_service(&self, c: usize, s: usize) -> Option<&SimService> {
        self.clusters.get(c)?.services.get(s)
    }

    fn sim_service_mut(&mut self, c: usize, s: usize) -> Option<&mut SimService> {
        self.clusters.get_mut(c)?.services.get_mut(s)
    }

    fn cluster_tasks(&self, c: usize) -> &[SimTask] {
        match self.clusters.get(c) {
            Some(cluster) => cluster.tasks.as_slice(),
            None => &[],
        }
    }

    fn cluster_tasks_mut(&mut self, c: usize) -> &mut [SimTask] {
        match self.clusters.get_mut(c) {
            Some(cluster) => cluster.tasks.as_mut_slice(),
            None => &mut [],
        }
    }

    /// (cluster name, service name)
    fn names(&self, c: usize, s: usize) -> Option<(String, String)> {
        let cluster = self.clusters.get(c)?;
        let svc = cluster.services.get(s)?;
        Some((
            cluster.cluster.cluster_name.clone(),
            svc.service.service_name.clone(),
        ))
    }

    /// The service deployments API's history of the generated fleet: every deployment on record, plus the
    /// successful one before it (so a rollback has more than one good revision to offer).
    pub(super) fn record_history(&mut self) {
        let Fleet {
            clusters,
            rng,
            revisions,
            epoch_ms,
            ..
        } = self;
        for cluster in clusters.iter_mut() {
            let cname = cluster.cluster.cluster_name.clone();
            for sim in cluster.services.iter_mut() {
                let svc = &sim.service;
                let sname = svc.service_name.clone();
                let mut records = Vec::new();
                let Some(primary) = svc.deployments.first() else {
                    continue;
                };
                let Some((family, rev)) = family_and_revision(&primary.task_definition) else {
                    continue;
                };
                let previous = task_definition_arn(family, (rev - 1).max(1));
                let prev_arn = new_revision_arn(rng, revisions, &cname, &sname, &previous);
                let started = primary.created_at.unwrap_or(*epoch_ms);
                records.push(Record {
                    arn: deployment_arn(&cname, &sname, rng.below(u64::MAX / 2)),
                    deployment: 0,
                    status: "SUCCESSFUL".into(),
                    status_reason: None,
                    target_revision_arn: prev_arn.clone(),
                    source_revision_arns: vec![],
                    started_at: started - 3 * 86_400_000,
                    finished_at: Some(started - 3 * 86_400_000 + 300_000),
                    lifecycle_stage: None,
                    failures: 0,
                    threshold: breaker_threshold(svc.desired_count),
                    breaker: "MONITORING".into(),
                    rollback: None,
                    alarms: vec![],
                });
                let target =
                    new_revision_arn(rng, revisions, &cname, &sname, &primary.task_definition);
                let (status, reason, finished) = match primary.rollout_state.as_deref() {
                    Some("IN_PROGRESS") => ("IN_PROGRESS", None, None),
                    Some("FAILED") => (
                        "STOPPED",
                        Some("ECS deployment circuit breaker: tasks failed to start.".to_owned()),
                        primary.updated_at,
                    ),
                    _ => ("SUCCESSFUL", None, primary.updated_at),
                };
                records.insert(
                    0,
                    Record {
                        arn: deployment_arn(&cname, &sname, deployment_number(&primary.id)),
                        deployment: deployment_number(&primary.id),
                        status: status.into(),
                        status_reason: reason,
                        target_revision_arn: target,
                        source_revision_arns: vec![prev_arn],
                        started_at: started,
                        finished_at: finished,
                        // ECS blue/green: a rollout under way is scaling up the green revision.
                        lifecycle_stage: (status == "IN_PROGRESS"
                            && svc
                                .load_balancers
                                .iter()
                                .any(|l| l.alternate_target_group_arn.is_some()))
                        .then(|| "SCALE_UP".to_owned()),
                        failures: primary.failed_tasks,
                        threshold: breaker_threshold(svc.desired_count),
                        breaker: if status == "STOPPED" {
                            "TRIGGERED"
                        } else {
                            "MONITORING"
                        }
                        .into(),
                        rollback: None,
                        alarms: alarm_names(svc),
                    },
                );
                sim.history = records;
            }
        }
    }

    /// Service deployments of a service (newest first).
    pub(super) fn history(&self, cluster: &str, service: &str) -> Result<Vec<&Record>, ApiError> {
        let c = self.cluster_or_err(cluster)?;
        let svc = c.service(service).ok_or_else(|| {
            ApiError::NotFound(format!("service {} not found", arn_name(service)))
        })?;
        Ok(svc.history.iter().collect())
    }

    pub(super) fn record(&self, arn: &str) -> Option<&Record> {
        self.clusters
            .iter()
            .flat_map(|c| c.services.iter())
            .flat_map(|s| s.history.iter())
            .find(|r| r.arn == arn)
    }

    pub(super) fn revision(&self, arn: &str) -> Option<&String> {
        self.revisions.get(arn)
    }
}

fn deployment_arn(cluster: &str, service: &str, n: u64) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/{cluster}/{service}/{n:x}")
}

/// The CloudWatch alarms a deployment watches (the simulator's alarms of services behind a load balancer).
fn alarm_names(svc: &Service) -> Vec<String> {
    if svc.load_balancers.is_empty() {
        vec![]
    } else {
        vec![format!("production-{}-target-5xx", svc.service_name)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimOptions;

    #[test]
    fn steps_for_a_service_that_is_not_there_do_nothing_instead_of_panicking() {
        let mut fleet = Fleet::generate(&SimOptions::default());
        let logs = LogSim::from_fleet(&fleet, 1.0);
        let summary = |fleet: &Fleet| -> Vec<(String, usize, usize, usize, bool)> {
            fleet
                .clusters
                .iter()
                .flat_map(|c| c.services.iter())
                .map(|s| {
                    (
                        s.service.service_name.clone(),
                        s.service.events.len(),
                        s.service.deployments.len(),
                        s.history.len(),
                        s.moving,
                    )
                })
                .collect()
        };
        let before = summary(&fleet);
        let t = fleet.epoch_ms + 1_000;
        for (c, s) in [(0, usize::MAX), (usize::MAX, 0)] {
            fleet.step(c, s, t, 1_000, &logs);
            fleet.new_event(c, s, t, "nothing to tell".into());
            fleet.refresh_counts(c, s, t);
            fleet.complete(c, s, t);
            fleet.trip_breaker(c, s, t, true);
            fleet.roll_back(c, s, t, 1, "web:1", "test");
            fleet.new_deployment(c, s, t, "web:1");
        }
        assert_eq!(summary(&fleet), before);
    }
}
