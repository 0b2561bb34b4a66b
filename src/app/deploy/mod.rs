//! The deploy watch screen's state: what was seen of the watched deployment refresh by refresh, its charts and
//! logs panes. The verdict itself is `model::deploy::Judge`, a function of what is kept here.

use crate::app::list::LoadState;
use crate::app::logs::LogView;
use crate::app::metrics::MetricsView;
use crate::aws::Millis;
use crate::aws::ServiceEvent;
use crate::model::deploy::{AlarmsRead, DeploySnapshot, Judge, Outcome, Target, merge_events};
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
    /// The service's ALB routes and blue/green pair, refreshed with the snapshot (None: not read yet).
    pub traffic: Option<Result<crate::model::traffic::Traffic, crate::aws::ApiError>>,
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
            traffic: None,
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
    /// target of its revision is healthy in every target group and no alarm of the service fires (see
    /// [`Judge::outcome`]).
    pub fn outcome(&self) -> Outcome {
        let Some(snap) = &self.snapshot else {
            return Outcome::Waiting;
        };
        Judge {
            target: &self.target,
            seen_failed: self.seen_failed.as_deref(),
            seen_completed: self.seen_completed,
            firing: self.metrics.firing(),
            alarms: match &self.metrics.alarms {
                None => AlarmsRead::NotYet,
                Some(Err(e)) => AlarmsRead::Failed(e),
                Some(Ok(_)) => AlarmsRead::Read,
            },
        }
        .outcome(snap)
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
