//! The moving simulator: deployments roll by minimum healthy / maximum percent, tasks go PROVISIONING →
//! PENDING → RUNNING and pass (or fail) their health checks, old tasks drain and stop, scaling starts and
//! stops tasks, a bad revision trips the circuit breaker and rolls back, and every step is told in service
//! events worded as ECS words them. The service deployments API's records follow along.
//!
//! Time moves in steps of `pace`: each step a task advances at most one phase, so a rollout of 4 tasks takes a
//! dozen steps. Only services with something under way are stepped.

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

    /// Steps every service with something under way up to `now`.
    pub(super) fn advance(&mut self, now: Millis, pace: Millis, logs: &LogSim) {
        let pace = pace.max(1);
        if now - self.stepped > 2_000 * pace {
            self.stepped = now - 2_000 * pace; // after a long sleep, do not replay hours of steps
        }
        while self.stepped + pace <= now {
            self.stepped += pace;
            let t = self.stepped;
            for c in 0..self.clusters.len() {
                let mut s = 0;
                while let Some(moving) = self.sim_service(c, s).map(|x| x.moving) {
                    if moving {
                        self.step(c, s, t, pace, logs);
                    }
                    s += 1;
                }
            }
        }
    }

    fn new_event(&mut self, c: usize, s: usize, at: Millis, message: String) {
        let event = event(at, message, &mut self.rng);
        if let Some(svc) = self.sim_service_mut(c, s) {
            svc.service.events.insert(0, event);
            svc.service.events.truncate(100);
        }
    }

    /// One step of one service: tasks advance a phase, then the scheduler starts, stops and judges.
    fn step(&mut self, c: usize, s: usize, t: Millis, pace: Millis, logs: &LogSim) {
        let Some(cluster) = self.clusters.get(c) else {
            return;
        };
        let Some(svc) = cluster.services.get(s) else {
            return;
        };
        let cname = cluster.cluster.cluster_name.clone();
        let lb = svc.service.load_balancers.first();
        let (sname, containers, bad, tg, alt_tg) = (
            svc.service.service_name.clone(),
            svc.containers.clone(),
            svc.bad_revisions.clone(),
            lb.and_then(|l| l.target_group_arn.clone()),
            lb.and_then(|l| l.alternate_target_group_arn.clone()),
        );
        let group = format!("/ecs/{cname}/{sname}");
        let primary_number = svc
            .service
            .deployments
            .first()
            .map(|d| deployment_number(&d.id))
            .unwrap_or(0);
        let primary_id = format!("ecs-svc/{primary_number}");
        // Blue/green: the primary's tasks register in the alternate (green) group.
        let group_of = |deployment: u64| match (&alt_tg, deployment == primary_number) {
            (Some(green), true) => Some(green.clone()),
            _ => tg.clone(),
        };

        // 1. Tasks advance.
        let mut registered: Vec<String> = Vec::new();
        let mut unhealthy = 0;
        let mut failed: Vec<u64> = Vec::new();
        for task in self.cluster_tasks_mut(c).iter_mut() {
            if task.service != s || task.phase == Phase::Stopped || t - task.phase_at < pace {
                continue;
            }
            let is_bad = bad.contains(&task.revision);
            let next = match task.phase {
                Phase::Provisioning => Phase::Pending,
                Phase::Pending => {
                    task.started_at = t;
                    for stream in stream_names(&containers, &task.id) {
                        logs.add_task_stream(&group, &stream, t, is_bad);
                    }
                    if let Some(g) = group_of(task.deployment) {
                        registered.push(g);
                    }
                    Phase::Activating
                }
                Phase::Activating if is_bad && tg.is_some() => {
                    unhealthy += 1;
                    Phase::Unhealthy
                }
                Phase::Activating if is_bad => {
                    task.stopped_note = Some(Box::new((
                        "EssentialContainerExited".into(),
                        "Essential container in task exited".into(),
                        1,
                    )));
                    failed.push(task.deployment);
                    Phase::Stopped
                }
                Phase::Activating => Phase::Running,
                Phase::Unhealthy => {
                    task.stopped_note = Some(Box::new((
                        "ServiceSchedulerInitiated".into(),
                        format!(
                            "Task failed ELB health checks in (target-group {})",
                            group_of(task.deployment).unwrap_or_default()
                        ),
                        143,
                    )));
                    failed.push(task.deployment);
                    Phase::Stopped
                }
                Phase::Draining => Phase::Stopped,
                other => other,
            };
            if next != task.phase {
                task.phase = next;
                task.phase_at = t;
                if next == Phase::Stopped {
                    task.stopped = true;
                    for stream in stream_names(&containers, &task.id) {
                        logs.end_stream(&group, &stream, t);
                    }
                }
            }
        }
        let mut by_group: Vec<(String, usize)> = Vec::new();
        for g in registered {
            match by_group.iter_mut().find(|(x, _)| *x == g) {
                Some((_, n)) => *n += 1,
                None => by_group.push((g, 1)),
            }
        }
        for (g, n) in by_group {
            self.new_event(
                c,
                s,
                t,
                format!("(service {sname}) registered {n} targets in (target-group {g})"),
            );
        }
        if unhealthy > 0 {
            let g = tg.clone().unwrap_or_default();
            self.new_event(c, s, t, format!("(service {sname}) (port 8080) is unhealthy in (target-group {g}) due to (reason Health checks failed with these codes: [502])."));
        }
        if let Some(svc) = self.sim_service_mut(c, s) {
            for d in failed {
                if let Some(dep) = svc
                    .service
                    .deployments
                    .iter_mut()
                    .find(|x| deployment_number(&x.id) == d)
                {
                    dep.failed_tasks += 1;
                }
            }
        }

        // 2. The scheduler.
        let Some(svc) = self.sim_service(c, s).map(|x| &x.service) else {
            return;
        };
        let desired = svc.desired_count;
        let config = svc.deployment_configuration.clone();
        let max_total = (desired * config.maximum_percent.unwrap_or(200) / 100).max(desired);
        let min_healthy = (desired * config.minimum_healthy_percent.unwrap_or(100) + 99) / 100;
        let primary = svc.deployments.first().cloned();
        let Some(primary) = primary else {
            if let Some(svc) = self.sim_service_mut(c, s) {
                svc.moving = false;
            }
            return;
        };
        let rollout_failed = primary.rollout_state.as_deref() == Some("FAILED");
        let count = |fleet: &Fleet, pred: &dyn Fn(&SimTask) -> bool| {
            fleet
                .cluster_tasks(c)
                .iter()
                .filter(|x| x.service == s && pred(x))
                .count() as i32
        };
        let primary_live = count(self, &|x| {
            x.deployment == primary_number && x.phase.live() && x.phase != Phase::Unhealthy
        });
        let primary_healthy = count(self, &|x| {
            x.deployment == primary_number && x.phase == Phase::Running
        });
        let others_live = count(self, &|x| x.deployment != primary_number && x.phase.live());

        // Circuit breaker: enough failed tasks and none healthy.
        let threshold = breaker_threshold(desired);
        if !rollout_failed
            && config.circuit_breaker_enable == Some(true)
            && primary.failed_tasks >= threshold
            && primary_healthy == 0
        {
            self.trip_breaker(c, s, t, config.circuit_breaker_rollback == Some(true));
            self.refresh_counts(c, s, t);
            return;
        }

        let mut started = Vec::new();
        if !rollout_failed {
            let room = (max_total - primary_live - others_live).max(0);
            let wanted = (desired - primary_live).max(0).min(room);
            let revision = revision_of(&primary.task_definition);
            for _ in 0..wanted {
                let id = self.rng.hex(32);
                let task = SimTask {
                    id: id.clone(),
                    service: s,
                    revision,
                    stopped: false,
                    started_at: t,
                    az: self.rng.below(3) as u8,
                    ip: self.rng.below(65_536) as u32,
                    stop_reason: 0,
                    deployment: primary_number,
                    phase: Phase::Provisioning,
                    phase_at: t,
                    stopped_note: None,
                };
                if let Some(cluster) = self.clusters.get_mut(c) {
                    cluster.push_task(task);
                    started.push(id);
                }
            }
        }
        if !started.is_empty() {
            let list: Vec<String> = started.iter().map(|id| format!("(task {id})")).collect();
            self.new_event(
                c,
                s,
                t,
                format!(
                    "(service {sname}) has started {} tasks: {}.",
                    started.len(),
                    list.join(" ")
                ),
            );
        }

        // Stop: the primary's surplus (scale in), then old tasks while enough stay healthy.
        let mut to_stop: Vec<usize> = Vec::new();
        let mut surplus = primary_live - desired;
        let mut old = others_live;
        let mut healthy_total = primary_healthy
            + count(self, &|x| {
                x.deployment != primary_number && x.phase == Phase::Running
            });
        for (i, task) in self.cluster_tasks(c).iter().enumerate() {
            if task.service != s || !task.phase.live() {
                continue;
            }
            if task.deployment == primary_number {
                if surplus > 0 && task.phase != Phase::Unhealthy {
                    to_stop.push(i);
                    surplus -= 1;
                    if task.phase == Phase::Running {
                        healthy_total -= 1;
                    }
                }
            } else if old > 0 {
                let healthy = task.phase == Phase::Running;
                // Rolling back stops the bad revision's tasks at once. A primary whose rollout FAILED
                // (breaker without rollback) replaces nothing: the old tasks are all that serves, so they
                // stay like any other healthy task, counted against minimum healthy.
                let failed_revision = bad.contains(&task.revision);
                if failed_revision || !healthy || healthy_total > min_healthy {
                    to_stop.push(i);
                    old -= 1;
                    if healthy {
                        healthy_total -= 1;
                    }
                }
            }
        }
        if !to_stop.is_empty() {
            let mut ids = Vec::new();
            let mut deregistered = 0;
            for i in to_stop {
                let Some(task) = self.cluster_tasks_mut(c).get_mut(i) else {
                    continue;
                };
                if matches!(task.phase, Phase::Activating | Phase::Running) && tg.is_some() {
                    deregistered += 1;
                }
                task.phase = Phase::Draining;
                task.phase_at = t;
                task.stopped_note = Some(Box::new((
                    "ServiceSchedulerInitiated".into(),
                    format!("Scaling activity initiated by (deployment {primary_id})"),
                    0,
                )));
                ids.push(format!("(task {})", task.id));
            }
            if deregistered > 0 {
                let g = tg.clone().unwrap_or_default();
                self.new_event(
                    c,
                    s,
                    t,
                    format!(
                        "(service {sname}) deregistered {deregistered} targets in (target-group {g})"
                    ),
                );
            }
            self.new_event(
                c,
                s,
                t,
                format!(
                    "(service {sname}) has stopped {} running tasks: {}.",
                    ids.len(),
                    ids.join(" ")
                ),
            );
        }
        self.refresh_counts(c, s, t);

        // Done when the primary runs `desired` healthy tasks and nothing else is left.
        let tasks = self.cluster_tasks(c);
        let anything_else = tasks
            .iter()
            .any(|x| x.service == s && x.phase != Phase::Stopped && x.phase != Phase::Running);
        let others_left = tasks
            .iter()
            .any(|x| x.service == s && x.deployment != primary_number && x.phase != Phase::Stopped);
        let healthy_now = tasks
            .iter()
            .filter(|x| {
                x.service == s && x.deployment == primary_number && x.phase == Phase::Running
            })
            .count() as i32;
        let blue_green = alt_tg.is_some();
        let in_progress = self
            .sim_service(c, s)
            .and_then(|x| x.service.deployments.first())
            .is_some_and(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"));
        if blue_green && in_progress {
            let stage = if healthy_now < desired {
                "SCALE_UP"
            } else if others_left {
                "BAKE_TIME"
            } else {
                "CLEAN_UP"
            };
            if let Some(r) = self.sim_service_mut(c, s).and_then(|x| {
                x.history
                    .iter_mut()
                    .find(|r| r.deployment == primary_number)
            }) {
                r.lifecycle_stage = Some(stage.into());
            }
        }
        if !rollout_failed && !anything_else && !others_left && healthy_now == desired {
            self.complete(c, s, t);
        } else if rollout_failed
            && !anything_else
            && let Some(svc) = self.sim_service_mut(c, s)
        {
            svc.moving = false;
        }
    }

    /// Pending / running counts of the service and each deployment, from its tasks.
    fn refresh_counts(&mut self, c: usize, s: usize, t: Millis) {
        let mut per: Vec<(u64, i32, i32)> = Vec::new();
        for task in self.cluster_tasks(c).iter().filter(|x| x.service == s) {
            let (p, r) = match task.phase {
                Phase::Provisioning | Phase::Pending => (1, 0),
                Phase::Activating | Phase::Running | Phase::Unhealthy => (0, 1),
                _ => (0, 0),
            };
            match per.iter_mut().find(|(d, _, _)| *d == task.deployment) {
                Some(e) => {
                    e.1 += p;
                    e.2 += r;
                }
                None => per.push((task.deployment, p, r)),
            }
        }
        let Some(svc) = self.sim_service_mut(c, s).map(|x| &mut x.service) else {
            return;
        };
        for d in svc.deployments.iter_mut() {
            let n = deployment_number(&d.id);
            let (p, r) = per
                .iter()
                .find(|(x, _, _)| *x == n)
                .map(|e| (e.1, e.2))
                .unwrap_or((0, 0));
            if (d.pending_count, d.running_count) != (p, r) {
                d.updated_at = Some(t);
            }
            d.pending_count = p;
            d.running_count = r;
        }
        svc.pending_count = per.iter().map(|e| e.1).sum();
        svc.running_count = per.iter().map(|e| e.2).sum();
    }

    fn complete(&mut self, c: usize, s: usize, t: Millis) {
        let Some(svc) = self.sim_service_mut(c, s) else {
            return;
        };
        svc.moving = false;
        let Some(primary) = svc.service.deployments.first_mut() else {
            return;
        };
        let finished_rollout = primary.rollout_state.as_deref() == Some("IN_PROGRESS");
        let id = primary.id.clone();
        let number = deployment_number(&id);
        primary.rollout_state = Some("COMPLETED".into());
        primary.rollout_state_reason = Some(format!("ECS deployment {id} completed."));
        primary.updated_at = Some(t);
        svc.service.deployments.truncate(1);
        let sname = svc.service.service_name.clone();
        for r in svc.history.iter_mut().filter(|r| !r.done()) {
            if r.status == "ROLLBACK_IN_PROGRESS" {
                r.status = "ROLLBACK_SUCCESSFUL".into();
                r.status_reason = Some(format!("rolled back by deployment {id}"));
            } else if r.deployment == number {
                r.status = "SUCCESSFUL".into();
                r.lifecycle_stage = None;
            } else {
                r.status = "STOPPED".into();
                r.status_reason = Some(format!("superseded by deployment {id}"));
            }
            r.finished_at = Some(t);
        }
        if finished_rollout {
            self.new_event(
                c,
                s,
                t,
                format!("(service {sname}) (deployment {id}) deployment completed."),
            );
        }
        self.new_event(
            c,
            s,
            t,
            format!("(service {sname}) has reached a steady state."),
        );
    }

    fn trip_breaker(&mut self, c: usize, s: usize, t: Millis, rollback: bool) {
        let Some(svc) = self.sim_service_mut(c, s) else {
            return;
        };
        let sname = svc.service.service_name.clone();
        let Some(primary) = svc.service.deployments.first_mut() else {
            return;
        };
        let id = primary.id.clone();
        let number = deployment_number(&id);
        primary.rollout_state = Some("FAILED".into());
        primary.rollout_state_reason =
            Some("ECS deployment circuit breaker: tasks failed to start.".into());
        primary.updated_at = Some(t);
        let failed_tasks = primary.failed_tasks;
        let previous = svc
            .service
            .deployments
            .get(1)
            .map(|d| d.task_definition.clone());
        if let Some(r) = svc.history.iter_mut().find(|r| r.deployment == number) {
            r.breaker = "TRIGGERED".into();
            r.failures = failed_tasks;
            if !rollback || previous.is_none() {
                r.status = "STOPPED".into();
                r.status_reason =
                    Some("ECS deployment circuit breaker: tasks failed to start.".into());
                r.finished_at = Some(t);
            }
        }
        self.new_event(
            c,
            s,
            t,
            format!(
                "(service {sname}) (deployment {id}) deployment failed: tasks failed to start."
            ),
        );
        if let (true, Some(previous)) = (rollback, previous) {
            self.roll_back(
                c,
                s,
                t,
                number,
                &previous,
                "circuit breaker: tasks failed to start",
            );
        }
    }

    /// Starts a deployment of `to`, marking the record of deployment `from` as rolling back.
    fn roll_back(&mut self, c: usize, s: usize, t: Millis, from: u64, to: &str, reason: &str) {
        // Like ECS: the last deployment of that revision becomes PRIMARY again and keeps its tasks.
        let Some(svc) = self.sim_service_mut(c, s) else {
            return;
        };
        let existing = svc
            .service
            .deployments
            .iter()
            .position(|d| d.status == "ACTIVE" && d.task_definition == to);
        let new_number = match existing {
            Some(i) => {
                let mut d = svc.service.deployments.remove(i);
                for other in svc.service.deployments.iter_mut() {
                    other.status = "ACTIVE".into();
                }
                d.status = "PRIMARY".into();
                d.rollout_state = Some("IN_PROGRESS".into());
                d.rollout_state_reason = Some(format!("ECS deployment {} in progress.", d.id));
                d.desired_count = svc.service.desired_count;
                d.updated_at = Some(t);
                let number = deployment_number(&d.id);
                svc.service.deployments.insert(0, d);
                svc.service.task_definition = to.to_owned();
                svc.moving = true;
                number
            }
            None => self.new_deployment(c, s, t, to),
        };
        let Some((cname, sname)) = self.names(c, s) else {
            return;
        };
        let revision_arn = self.revision_arn(&cname, &sname, to);
        let Some(svc) = self.sim_service_mut(c, s) else {
            return;
        };
        // The rollback is part of the failed deployment's record, not a deployment of its own.
        svc.history.retain(|r| r.deployment != new_number);
        if let Some(r) = svc.history.iter_mut().find(|r| r.deployment == from) {
            r.status = "ROLLBACK_IN_PROGRESS".into();
            r.status_reason = Some(format!("rolling back: {reason}"));
            r.rollback = Some((reason.to_owned(), revision_arn));
            r.deployment = new_number; // it completes when the rollback's deployment does
        }
        self.new_event(
            c,
            s,
            t,
            format!("(service {sname}) rolling back to deployment ecs-svc/{new_number}."),
        );
    }

    /// A new PRIMARY deployment of `task_definition`; the others become ACTIVE. Returns its number.
    fn new_deployment(&mut self, c: usize, s: usize, t: Millis, task_definition: &str) -> u64 {
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
    pub(super) fn update_service(
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
    pub(super) fn stop_deployment(&mut self, arn: &str, t: Millis) -> Result<String, ApiError> {
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
