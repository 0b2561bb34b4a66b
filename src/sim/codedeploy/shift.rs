//! Time in the simulated CodeDeploy account: production traffic shifting to green as the deployment
//! configuration says, the original task set's termination wait, the ready wait's timeout, and the steering
//! calls (ContinueDeployment, StopDeployment) that move a deployment on.

use super::CodeDeploySim;
use crate::aws::*;

/// How a deployment configuration shifts traffic: (first step %, step %, minutes between steps); all at
/// once is one step of 100 %. An unknown (custom) configuration shifts all at once.
fn shifting(config: &str) -> (f64, f64, i64) {
    let rest = config
        .strip_prefix("CodeDeployDefault.ECS")
        .unwrap_or_default();
    let number = |s: &str| -> Option<(i64, String)> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        Some((digits.parse().ok()?, s.get(digits.len()..)?.to_owned()))
    };
    let minutes = |s: &str| number(s).map(|(n, _)| n);
    if let Some(r) = rest.strip_prefix("Canary")
        && let Some((p, tail)) = number(r)
        && let Some(m) = tail.strip_prefix("Percent").and_then(minutes)
    {
        return (p as f64, 100.0, m);
    }
    if let Some(r) = rest.strip_prefix("Linear")
        && let Some((p, tail)) = number(r)
        && let Some(m) = tail.strip_prefix("PercentEvery").and_then(minutes)
    {
        return (p as f64, p as f64, m);
    }
    (100.0, 100.0, 0)
}

/// Green's share `elapsed` ms after the shift began.
pub(super) fn weight_after(config: &str, elapsed: Millis) -> f64 {
    let (first, step, minutes) = shifting(config);
    if minutes <= 0 {
        return 100.0;
    }
    let steps = elapsed.max(0) / (minutes * 60_000);
    (first + step * steps as f64).min(100.0)
}

impl CodeDeploySim {
    /// Moves time on: a deployment waiting to reroute past its group's ready wait (STOP_DEPLOYMENT) is
    /// stopped, as CodeDeploy does, and its green task set goes.
    pub fn tick(&mut self, now: Millis) {
        let expired: Vec<String> = self
            .deployments
            .iter()
            .filter(|d| d.info.status == "Ready")
            .filter_map(|d| {
                let g = self
                    .groups
                    .iter()
                    .find(|g| g.deployment_group_name == d.info.deployment_group_name)?;
                if g.ready_action.as_deref() != Some("STOP_DEPLOYMENT") {
                    return None;
                }
                let hooks_done = d
                    .target
                    .lifecycle_events
                    .iter()
                    .filter(|e| e.status == "Succeeded")
                    .filter_map(|e| e.end_time)
                    .max()
                    .or(d.info.start_time)?;
                let deadline = hooks_done + Millis::from(g.ready_wait_minutes?) * 60_000;
                (now >= deadline).then(|| d.info.deployment_id.clone())
            })
            .collect();
        self.shift(now);
        for id in expired {
            if self.stop(&id, true, now).is_ok()
                && let Ok(d) = self.deployment_mut(&id)
            {
                d.info.error_code = Some("TIMEOUT".into());
                d.info.error_message =
                    Some("The deployment was not continued within the ready wait".into());
            }
        }
    }

    /// Traffic of the deployments shifting: green's weight by the configuration and the time since the
    /// shift began; at 100 % green becomes PRIMARY and the original set waits out the termination wait.
    fn shift(&mut self, now: Millis) {
        let mut finished = Vec::new();
        let termination = self
            .groups
            .first()
            .and_then(|g| g.termination_wait_minutes)
            .map_or(0, |m| Millis::from(m) * 60_000);
        for d in self
            .deployments
            .iter_mut()
            .filter(|d| d.info.status == "InProgress")
        {
            let Some(from) = d.shift_from else { continue };
            let config = d.info.deployment_config_name.clone().unwrap_or_default();
            d.green_weight = weight_after(&config, now - from);
            if d.green_weight >= 100.0 && d.rerouted_at.is_none() {
                let (_, _, minutes) = shifting(&config);
                let (first, step, _) = shifting(&config);
                // The step at which green reached 100 %.
                let steps = if step > 0.0 {
                    ((100.0 - first) / step).ceil() as i64
                } else {
                    0
                };
                let at = from + steps.max(0) * minutes * 60_000;
                d.rerouted_at = Some(at);
                for e in &mut d.target.lifecycle_events {
                    if matches!(e.name.as_str(), "AllowTraffic" | "AfterAllowTraffic") {
                        e.status = "Succeeded".into();
                        e.start_time = e.start_time.or(Some(at));
                        e.end_time = Some(at + 15_000);
                    }
                }
                d.info.status_messages =
                    vec!["Waiting before terminating the original task set".into()];
                let id = d.info.deployment_id.clone();
                for s in &mut self.task_sets {
                    let green = s.codedeploy_deployment() == Some(id.as_str());
                    s.status = if green { "PRIMARY" } else { "ACTIVE" }.into();
                    s.updated_at = Some(at);
                }
            }
            if let Some(at) = d.rerouted_at
                && now >= at + termination
            {
                finished.push((d.info.deployment_id.clone(), at + termination));
            }
        }
        for (id, at) in finished {
            self.finish(&id, at);
        }
    }

    /// ContinueDeployment. READY_WAIT: production traffic starts shifting to green, as the deployment
    /// configuration says (canary, linear, all at once; see [`CodeDeploySim::tick`]). TERMINATION_WAIT, once
    /// traffic is all green's: the original task set goes now and the deployment succeeds.
    pub fn continue_(&mut self, id: &str, traffic_wait: bool, now: Millis) -> Result<(), ApiError> {
        let d = self.deployment_mut(id)?;
        if !codedeploy_under_way(&d.info.status) {
            return Err(ApiError::Other(format!(
                "codedeploy:ContinueDeployment: DeploymentAlreadyCompletedException: {id} is {}",
                d.info.status
            )));
        }
        match (traffic_wait, d.info.status.as_str(), d.rerouted_at) {
            (true, "Ready", _) => {
                d.info.status = "InProgress".into();
                d.info.status_messages.clear();
                d.target.status = Some("InProgress".into());
                d.shift_from = Some(now);
                for e in &mut d.target.lifecycle_events {
                    match e.name.as_str() {
                        "BeforeAllowTraffic" => {
                            e.status = "Succeeded".into();
                            e.start_time = Some(now);
                            e.end_time = Some(now);
                        }
                        "AllowTraffic" => {
                            e.status = "InProgress".into();
                            e.start_time = Some(now);
                        }
                        _ => {}
                    }
                }
                self.tick(now);
                Ok(())
            }
            (false, _, Some(_)) => {
                self.finish(id, now);
                Ok(())
            }
            (_, status, _) => Err(ApiError::Other(format!(
                "codedeploy:ContinueDeployment: DeploymentIsNotInReadyStateException: {id} is {status}, not waiting for that"
            ))),
        }
    }

    /// The deployment succeeds: green alone stays, PRIMARY.
    fn finish(&mut self, id: &str, now: Millis) {
        if let Ok(d) = self.deployment_mut(id) {
            d.info.status = "Succeeded".into();
            d.info.complete_time = Some(now);
            d.green_weight = 100.0;
            d.target.status = Some("Succeeded".into());
            d.target.last_updated_at = Some(now);
            for e in &mut d.target.lifecycle_events {
                e.status = "Succeeded".into();
                e.start_time = e.start_time.or(Some(now));
                e.end_time = e.end_time.or(Some(now));
            }
        }
        self.task_sets
            .retain(|s| s.codedeploy_deployment() == Some(id));
        for s in &mut self.task_sets {
            s.status = "PRIMARY".into();
            s.updated_at = Some(now);
        }
    }

    /// StopDeployment: the green task set goes; with a rollback the deployment's status says so.
    pub fn stop(&mut self, id: &str, auto_rollback: bool, now: Millis) -> Result<String, ApiError> {
        let d = self.deployment_mut(id)?;
        if !codedeploy_under_way(&d.info.status) {
            return Err(ApiError::Other(format!(
                "codedeploy:StopDeployment: DeploymentAlreadyCompletedException: {id} is {}",
                d.info.status
            )));
        }
        d.info.status = "Stopped".into();
        d.info.complete_time = Some(now);
        d.info.error_code = Some("DEPLOYMENT_STOPPED".into());
        d.info.error_message = Some("The deployment was stopped by a user".into());
        if auto_rollback {
            d.info.rollback_info = Some(RollbackInfo {
                rollback_message: Some("Rolled back to the original task set".into()),
                ..Default::default()
            });
        }
        d.target.status = Some("Failed".into());
        d.green_weight = 0.0;
        // Traffic goes back to the original task set, which is PRIMARY again; green goes.
        self.task_sets
            .retain(|s| s.codedeploy_deployment() != Some(id));
        for s in &mut self.task_sets {
            s.status = "PRIMARY".into();
        }
        Ok("Succeeded".into())
    }
}
