//! Time in the simulated CodeDeploy account: every deployment under way is what `sim/cd_run.rs` says it is at
//! the simulator's clock (lifecycle steps, the wait before rerouting, production traffic shifting by the
//! deployment configuration, the termination wait, a rollback on a group alarm), and the steering calls
//! (ContinueDeployment, StopDeployment) are recorded on its run.

use super::CodeDeploySim;
use crate::aws::*;
use crate::sim::cd_run::{End, Now, Wait};

impl CodeDeploySim {
    /// Brings every deployment under way to `now`: its status, hooks, traffic and the task sets.
    pub fn tick(&mut self, now: Millis) {
        let mut sets_changed = None;
        for d in self
            .deployments
            .iter_mut()
            .filter(|d| codedeploy_under_way(&d.info.status))
        {
            let Some(run) = &d.run else { continue };
            let id = d.info.deployment_id.clone();
            let n = run.at(now, self.alarm_since.get(&id).copied());
            apply(d, &n, now);
            sets_changed = Some((id, n));
        }
        // One deployment at a time: the last one under way decides the task sets.
        if let Some((id, n)) = sets_changed {
            let green = self
                .deployments
                .iter()
                .find(|d| d.info.deployment_id == id)
                .and_then(|d| d.green.clone());
            let all_green = n.green_weight >= 100;
            self.task_sets
                .retain(|s| s.codedeploy_deployment() != Some(id.as_str()) && n.blue_exists);
            for s in &mut self.task_sets {
                s.status = if all_green && n.green_exists {
                    "ACTIVE"
                } else {
                    "PRIMARY"
                }
                .into();
            }
            if let (true, Some(mut g)) = (n.green_exists, green) {
                g.status = if all_green { "PRIMARY" } else { "ACTIVE" }.into();
                self.task_sets.push(g);
            }
        }
    }

    fn run_mut(&mut self, id: &str) -> Result<&mut crate::sim::cd_run::Run, ApiError> {
        let d = self.deployment_mut(id)?;
        d.run.as_mut().ok_or_else(|| {
            ApiError::Other(format!(
                "DeploymentAlreadyCompletedException: deployment {id} is already completed"
            ))
        })
    }

    /// ContinueDeployment: ends the wait before rerouting, or the termination wait.
    pub fn continue_(
        &mut self,
        id: &str,
        _traffic_wait: bool,
        now: Millis,
    ) -> Result<(), ApiError> {
        self.tick(now);
        let alarm = self.alarm_since.get(id).copied();
        self.run_mut(id)?.continue_(now, alarm).map_err(|e| {
            ApiError::Other(format!(
                "codedeploy:ContinueDeployment: DeploymentIsNotInReadyStateException: {e}"
            ))
        })?;
        self.tick(now);
        Ok(())
    }

    /// StopDeployment, rolling back to the original task set when asked.
    pub fn stop(&mut self, id: &str, auto_rollback: bool, now: Millis) -> Result<String, ApiError> {
        self.tick(now);
        let alarm = self.alarm_since.get(id).copied();
        self.run_mut(id)?
            .stop(now, auto_rollback, alarm)
            .map_err(|e| {
                ApiError::Other(format!(
                    "codedeploy:StopDeployment: DeploymentAlreadyCompletedException: {e}"
                ))
            })?;
        self.tick(now);
        Ok("Succeeded".into())
    }
}

/// The deployment as its run says it is at `now`.
fn apply(d: &mut super::SimDeployment, n: &Now, now: Millis) {
    d.info.status = n.status.into();
    d.info.complete_time = n.completed;
    d.green_weight = f64::from(n.green_weight);
    d.target.status = Some(n.status.into());
    d.target.last_updated_at = Some(now);
    d.target.lifecycle_events = n
        .steps
        .iter()
        .map(|s| LifecycleEvent {
            name: s.name.into(),
            status: s.status.into(),
            start_time: s.start,
            end_time: s.end,
            error_code: s.message.as_ref().map(|_| "ScriptFailed".into()),
            message: s.message.clone(),
            log_tail: None,
        })
        .collect();
    d.info.status_messages = match n.wait {
        Some(Wait::Reroute { .. }) => {
            vec!["Waiting for ContinueDeployment before shifting production traffic".into()]
        }
        Some(Wait::Termination { .. }) => {
            vec!["Waiting before terminating the original task set".into()]
        }
        None => vec![],
    };
    match &n.end {
        Some(End::Failed { why, .. }) => {
            d.info.error_code = Some("HOOK_EXECUTION_FAILURE".into());
            d.info.error_message = Some(why.clone());
        }
        Some(End::Stopped { why, .. }) => {
            d.info.error_code = Some(
                if why.contains("alarm") {
                    "ALARM_ACTIVE"
                } else if why.contains("ran out") {
                    "TIMEOUT"
                } else {
                    "DEPLOYMENT_STOPPED"
                }
                .into(),
            );
            d.info.error_message = Some(why.clone());
        }
        None => {}
    }
    d.info.rollback_info = n.rolled_back.as_ref().map(|why| RollbackInfo {
        rollback_message: Some(format!(
            "traffic rolled back to the original task set: {why}"
        )),
        ..Default::default()
    });
}
