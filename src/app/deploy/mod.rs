//! The deploy watch screen's state; the verdict and everything it reads are in `model::deploy`.

use crate::app::logs::LogView;
use crate::app::metrics::MetricsView;
use crate::app::state::LoadState;
use crate::aws::Millis;
use crate::aws::ServiceEvent;
use crate::aws::family_rev;
use crate::model::deploy::DeploySnapshot;
use crate::model::deploy::Outcome;
use crate::model::deploy::Target;
use crate::model::deploy::merge_events;
use crate::model::deploy::outage;
use crate::model::deploy::still_under_way;
use crate::model::deploy::target_problems;
use crate::model::metrics::Window;
/// The watch screen's state.
#[derive(Debug, Clone)]
pub struct DeployView {
    pub cluster: String,
    pub service: String,
    pub target: Target,
    pub snapshot: Option<DeploySnapshot>,
    pub load: LoadState,
    /// Every service event seen since the screen opened (and the ones before), newest first, no repeats.
    pub events: Vec<ServiceEvent>,
    /// The watched deployment was seen failed (it may vanish from the list after a rollback).
    pub seen_failed: Option<String>,
    /// The watched deployment was seen completed.
    pub seen_completed: bool,
    /// The primary deployment of the last refresh (id, created): a newer one starting is adopted.
    pub last_primary: Option<(String, Option<Millis>)>,
    pub scroll: u16,
    /// The 5XX / CPU pane.
    pub metrics: Box<MetricsView>,
    /// The watched revision's log lines (started with the first refresh, when the revision is known).
    pub logs: Option<Box<LogView>>,
}

impl DeployView {
    pub fn new(cluster: &str, service: &str, target: Target) -> DeployView {
        DeployView {
            cluster: cluster.to_owned(),
            service: service.to_owned(),
            target,
            snapshot: None,
            load: LoadState::default(),
            events: Vec::new(),
            seen_failed: None,
            seen_completed: false,
            last_primary: None,
            scroll: 0,
            metrics: Box::new(MetricsView::new(cluster, service, Window::H1, true)),
            logs: None,
        }
    }

    pub fn apply(&mut self, snapshot: DeploySnapshot) {
        merge_events(&mut self.events, &snapshot.service.events);
        // Watching a service: a deploy under way (when the screen opened, or started since) is the one to
        // judge, whatever replaces it later. A rollback re-promotes an older deployment: never adopted.
        if let Some(p) = snapshot.service.primary_deployment() {
            let newer = match &self.last_primary {
                None => true,
                Some((id, created)) => *id != p.id && p.created_at > *created,
            };
            // A primary older than another deployment, or next to a FAILED one, is a rollback (ECS
            // re-promotes the old deployment or starts one for the old revision): not a deploy to judge.
            let rolls_back = snapshot.service.deployments.iter().any(|d| {
                d.id != p.id
                    && (d.created_at > p.created_at || d.rollout_state.as_deref() == Some("FAILED"))
            });
            if self.target == Target::Primary
                && newer
                && !rolls_back
                && p.rollout_state.as_deref() == Some("IN_PROGRESS")
            {
                self.target = Target::Deployment {
                    id: p.id.clone(),
                    task_definition: p.task_definition.clone(),
                };
            }
            self.last_primary = Some((p.id.clone(), p.created_at));
        }
        if let Target::Deployment { id, .. } | Target::Stopped { id, .. } = &self.target
            && let Some(d) = snapshot.service.deployments.iter().find(|d| &d.id == id)
        {
            match d.rollout_state.as_deref() {
                Some("FAILED") => {
                    self.seen_failed = Some(
                        d.rollout_state_reason
                            .clone()
                            .unwrap_or_else(|| "rollout failed".into()),
                    )
                }
                Some("COMPLETED") if d.status == "PRIMARY" => self.seen_completed = true,
                _ => {}
            }
        }
        self.snapshot = Some(snapshot);
    }

    /// The task definition whose tasks' lines the logs pane shows: the watched deployment's, else the
    /// primary's.
    pub fn log_revision(&self) -> Option<String> {
        match &self.target {
            Target::Deployment {
                task_definition, ..
            }
            | Target::Stopped {
                task_definition, ..
            } => Some(task_definition.clone()),
            _ => self
                .snapshot
                .as_ref()
                .and_then(|s| s.service.primary_deployment())
                .map(|p| p.task_definition.clone()),
        }
    }

    /// Success only when the watched deployment itself completes, nothing else is still deploying, every
    /// target of its revision is healthy in every target group and no alarm of the service fires; a
    /// circuit-breaker rollback is a failure of the new revision, however stable the service is afterwards.
    pub fn outcome(&self) -> Outcome {
        let Some(snap) = &self.snapshot else {
            return Outcome::Waiting;
        };
        let verdict = self.verdict(snap);
        // A scale under way states its counts itself; any other verdict says an outage outright.
        if matches!(
            (&self.target, &verdict),
            (Target::Desired(_), Outcome::InProgress(_))
        ) {
            return verdict;
        }
        match outage(&snap.service) {
            // A verdict that already gives the counts needs no second copy of them.
            Some(outage) if !verdict.text().contains("tasks running") => {
                verdict.with_suffix(&outage)
            }
            _ => verdict,
        }
    }

    fn verdict(&self, snap: &DeploySnapshot) -> Outcome {
        let s = &snap.service;
        let primary = s.primary_deployment();
        let settled =
            s.deployments.len() == 1 && s.running_count == s.desired_count && s.pending_count == 0;
        match &self.target {
            Target::Deployment {
                id,
                task_definition,
            } => {
                let td = family_rev(task_definition);
                if let Some(reason) = &self.seen_failed {
                    let now = primary
                        .map(|p| family_rev(&p.task_definition))
                        .unwrap_or("?");
                    let rolled = if now != td {
                        format!("; the service rolled back to {now}")
                    } else {
                        String::new()
                    };
                    let reason = reason.trim_end_matches('.');
                    return Outcome::Failed(format!(
                        "FAILED: {td} did not deploy: {reason}{rolled}"
                    ));
                }
                match primary {
                    Some(p) if &p.id == id => {
                        if self.seen_completed || p.rollout_state.as_deref() == Some("COMPLETED") {
                            self.judge_deployed(
                                snap,
                                Some(id),
                                &p.task_definition,
                                &format!("{td} deployed"),
                                format!("SUCCEEDED: {td} is deployed and steady"),
                            )
                        } else {
                            Outcome::InProgress(format!(
                                "deploying {td}: {} of {} running, {} pending, {} failed",
                                p.running_count, p.desired_count, p.pending_count, p.failed_tasks
                            ))
                        }
                    }
                    Some(p) if self.seen_completed => {
                        let now = family_rev(&p.task_definition);
                        self.judge_deployed(
                            snap,
                            None,
                            &p.task_definition,
                            &format!("{td} deployed, since replaced by {now}"),
                            format!("SUCCEEDED: {td} deployed; since replaced by {now}"),
                        )
                    }
                    Some(p) => Outcome::Failed(format!(
                        "FAILED: {td} is no longer the primary deployment; {} ({}) replaced it",
                        family_rev(&p.task_definition),
                        p.id
                    )),
                    None => Outcome::InProgress("waiting for the deployment to appear".into()),
                }
            }
            Target::Stopped {
                id,
                task_definition,
            } => {
                let td = family_rev(task_definition);
                match primary {
                    Some(p) if &p.id == id && self.seen_failed.is_none() => {
                        if self.seen_completed || p.rollout_state.as_deref() == Some("COMPLETED") {
                            // Not what was asked for, so never green: the user wanted it gone.
                            Outcome::Deployed(format!(
                                "{td} deployed although you asked to stop it: ECS did not roll back"
                            ))
                        } else {
                            Outcome::InProgress(format!(
                                "stopping {td}: waiting for ECS to roll back"
                            ))
                        }
                    }
                    Some(p) => {
                        let now = family_rev(&p.task_definition);
                        let busy = still_under_way(snap, None);
                        if !busy.is_empty() || !settled {
                            return Outcome::InProgress(format!(
                                "{td} stopped (you asked); rolling back to {now}: {} of {} running, {} pending",
                                s.running_count, s.desired_count, s.pending_count
                            ));
                        }
                        let mut problems = target_problems(snap, &p.task_definition);
                        problems.extend(self.alarm_problems(snap));
                        let state = if problems.is_empty() {
                            " — steady".to_owned()
                        } else {
                            format!("; {}", problems.join("; "))
                        };
                        Outcome::Stopped(format!(
                            "STOPPED: {td} was stopped (you asked); the service rolled back to {now}{state}"
                        ))
                    }
                    None => Outcome::InProgress("waiting for the deployment to appear".into()),
                }
            }
            Target::Desired(n) => {
                if s.desired_count != *n {
                    Outcome::Failed(format!(
                        "desired count is {} now, not {n}: something else (autoscaling?) changed it",
                        s.desired_count
                    ))
                } else if settled {
                    let revision = primary
                        .map(|p| p.task_definition.as_str())
                        .unwrap_or(s.task_definition.as_str());
                    self.judge_deployed(
                        snap,
                        None,
                        revision,
                        &format!("scaled to {n}"),
                        format!("SUCCEEDED: {n} tasks running"),
                    )
                } else {
                    Outcome::InProgress(format!(
                        "scaling to {n}: {} running, {} pending",
                        s.running_count, s.pending_count
                    ))
                }
            }
            Target::Primary => match primary.and_then(|p| p.rollout_state.as_deref()) {
                Some("FAILED") => Outcome::Failed(format!(
                    "FAILED: {}: {}",
                    primary
                        .map(|p| family_rev(&p.task_definition))
                        .unwrap_or("?"),
                    primary
                        .and_then(|p| p.rollout_state_reason.clone())
                        .unwrap_or_default()
                )),
                Some("IN_PROGRESS") => Outcome::InProgress(format!(
                    "deploying {}",
                    primary
                        .map(|p| family_rev(&p.task_definition))
                        .unwrap_or("?")
                )),
                _ if settled => {
                    let revision = primary
                        .map(|p| p.task_definition.as_str())
                        .unwrap_or(s.task_definition.as_str());
                    self.judge_deployed(
                        snap,
                        None,
                        revision,
                        &format!("{} running", family_rev(revision)),
                        format!("steady: {} of {} running", s.running_count, s.desired_count),
                    )
                }
                _ => Outcome::InProgress(format!(
                    "{} of {} running, {} pending",
                    s.running_count, s.desired_count, s.pending_count
                )),
            },
        }
    }

    /// The verdict once ECS calls the work done: still in progress while any deployment is under way,
    /// amber while `revision`'s targets or the service's alarms say it is not healthy, green only then.
    fn judge_deployed(
        &self,
        snap: &DeploySnapshot,
        watched: Option<&str>,
        revision: &str,
        done: &str,
        success: String,
    ) -> Outcome {
        let busy = still_under_way(snap, watched);
        if !busy.is_empty() {
            return Outcome::InProgress(format!("{done}; {}", busy.join("; ")));
        }
        let mut problems = Vec::new();
        // Completed once does not mean steady now: tasks that crash after the rollout leave it short.
        let s = &snap.service;
        if s.running_count < s.desired_count || s.pending_count > 0 {
            let pending = if s.pending_count > 0 {
                format!(", {} pending", s.pending_count)
            } else {
                String::new()
            };
            problems.push(format!(
                "{} of {} tasks running{pending}",
                s.running_count, s.desired_count
            ));
        }
        problems.extend(target_problems(snap, revision));
        problems.extend(self.alarm_problems(snap));
        if problems.is_empty() {
            Outcome::Succeeded(success)
        } else {
            Outcome::Deployed(format!("{done}; {}", problems.join("; ")))
        }
    }

    /// Alarms of the service in ALARM: CloudWatch's states (the metrics worker's scan) and the ones a service
    /// deployment reports triggered.
    fn alarm_problems(&self, snap: &DeploySnapshot) -> Vec<String> {
        let mut firing: Vec<String> = self
            .metrics
            .firing()
            .into_iter()
            .map(str::to_owned)
            .collect();
        // The newest service deployment is the one under way or just finished: older ones' triggers are
        // history, already acted on.
        if let Ok(list) = &snap.deployments {
            for name in list
                .first()
                .and_then(|d| d.alarms.as_ref())
                .into_iter()
                .flat_map(|a| a.triggered_alarm_names.iter())
            {
                if !firing.contains(name) {
                    firing.push(name.clone());
                }
            }
        }
        let mut problems = match firing.as_slice() {
            [] => vec![],
            [one] => vec![format!("alarm {one} in ALARM")],
            many => vec![format!("alarms {} in ALARM", many.join(", "))],
        };
        // Green means no alarm fires: alarms not read (yet, or not allowed) are not "none firing".
        match &self.metrics.alarms {
            None => problems.push("alarms not read yet".into()),
            Some(Err(e)) => problems.push(format!("alarms unknown: {e}")),
            Some(Ok(_)) => {}
        }
        problems
    }

    /// CloudWatch's state of an alarm the screen knows of (from the metrics worker's scan).
    pub fn alarm_state(&self, name: &str) -> Option<&str> {
        match &self.metrics.alarms {
            Some(Ok(alarms)) => alarms
                .iter()
                .find(|a| a.alarm_name == name)
                .map(|a| a.state_value.as_str()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
