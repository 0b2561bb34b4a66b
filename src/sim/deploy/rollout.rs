//! How time moves a deployment: each step tasks advance a phase, counts follow, and a deployment completes,
//! trips its circuit breaker or rolls back, told in service events as ECS words them.

use super::*;

impl Fleet {
    /// Steps every service with something under way up to `now`.
    pub(in crate::sim) fn advance(&mut self, now: Millis, pace: Millis, logs: &LogSim) {
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

    pub(super) fn new_event(&mut self, c: usize, s: usize, at: Millis, message: String) {
        let event = event(at, message, &mut self.rng);
        if let Some(svc) = self.sim_service_mut(c, s) {
            svc.service.events.insert(0, event);
            svc.service.events.truncate(100);
        }
    }

    /// One step of one service: tasks advance a phase, then the scheduler starts, stops and judges.
    pub(super) fn step(&mut self, c: usize, s: usize, t: Millis, pace: Millis, logs: &LogSim) {
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
    pub(super) fn refresh_counts(&mut self, c: usize, s: usize, t: Millis) {
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
        self.observe(c, s, t);
    }

    pub(super) fn complete(&mut self, c: usize, s: usize, t: Millis) {
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

    pub(super) fn trip_breaker(&mut self, c: usize, s: usize, t: Millis, rollback: bool) {
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
    pub(super) fn roll_back(
        &mut self,
        c: usize,
        s: usize,
        t: Millis,
        from: u64,
        to: &str,
        reason: &str,
    ) {
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
}
