//! The deploy watch screen as plain data: one refresh's snapshot (service, tasks, target health, service
//! deployments), the events seen so far, and the verdict on the deployment being watched.
//!
//! Over ~600 lines on purpose: the verdict ([`Judge`]) and the snapshot readings it rests on (targets, events,
//! deployments under way) belong together; the verdict's tests are in `app/deploy/tests.rs`.

use crate::aws::*;

/// One refresh of the watch screen.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploySnapshot {
    pub service: Service,
    /// Running and recently stopped tasks of the service.
    pub tasks: Vec<Task>,
    /// Per target group of the service.
    pub health: Vec<(String, Result<Vec<TargetHealth>, ApiError>)>,
    /// The service deployments API (newest first), or why it is not available.
    pub deployments: Result<Vec<ServiceDeployment>, ApiError>,
    /// CODE_DEPLOY and EXTERNAL services: task sets and CodeDeploy (None for the others).
    pub codedeploy: Option<crate::model::codedeploy::BlueGreen>,
    pub at: Millis,
}

impl DeploySnapshot {
    /// A deployment is rolling: an ECS rollout IN_PROGRESS, a service deployment not final yet, or a
    /// CodeDeploy deployment under way.
    pub fn rolling(&self) -> bool {
        !still_under_way(self, None).is_empty()
            || self
                .codedeploy
                .as_ref()
                .is_some_and(crate::model::codedeploy::BlueGreen::under_way)
    }

    /// Something is moving: the watch refreshes faster. A FAILED rollout whose breaker did not roll back
    /// launches nothing more, so it is not waited on.
    pub fn busy(&self) -> bool {
        let s = &self.service;
        let failed = s
            .primary_deployment()
            .is_some_and(|p| p.rollout_state.as_deref() == Some("FAILED"));
        self.rolling()
            || (!failed
                && (s.deployments.len() > 1
                    || s.running_count != s.desired_count
                    || s.pending_count > 0))
    }
}

/// What the watch is judging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A deployment ecsdeck started (`ecs-svc/…`) of this task definition.
    Deployment { id: String, task_definition: String },
    /// A scale to this desired count.
    Desired(i32),
    /// Opened with `W`: whatever the primary deployment is doing.
    Primary,
    /// A deployment the user stopped (`X`, StopServiceDeployment ROLLBACK): ECS rolls it back, and the
    /// rollback finishing is not this deployment's success.
    Stopped { id: String, task_definition: String },
}

/// The verdict shown at the top of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Waiting,
    InProgress(String),
    /// ECS calls it done, but targets of the revision are not healthy or an alarm fires (amber).
    Deployed(String),
    Succeeded(String),
    Failed(String),
    /// The watched deployment was stopped on purpose and rolled back: neither a success nor a failure.
    Stopped(String),
}

impl Outcome {
    pub fn text(&self) -> &str {
        match self {
            Outcome::Waiting => "waiting for the first refresh",
            Outcome::InProgress(t)
            | Outcome::Deployed(t)
            | Outcome::Succeeded(t)
            | Outcome::Failed(t)
            | Outcome::Stopped(t) => t,
        }
    }
}

/// Most events kept.
const MAX_EVENTS: usize = 500;

/// Fewer tasks running than minimum healthy allows, said outright: `service has 0 of 4 tasks running`.
fn outage(s: &Service) -> Option<String> {
    let percent = s
        .deployment_configuration
        .minimum_healthy_percent
        .unwrap_or(100)
        .clamp(0, 100);
    // ECS rounds the minimum up; at least one task counts when any is desired.
    let floor = (i64::from(s.desired_count) * i64::from(percent) + 99) / 100;
    let floor = floor.max(i64::from(s.desired_count > 0));
    (i64::from(s.running_count) < floor).then(|| {
        format!(
            "service has {} of {} tasks running",
            s.running_count, s.desired_count
        )
    })
}

impl Outcome {
    fn with_suffix(self, suffix: &str) -> Outcome {
        let add = |t: String| format!("{t} — {suffix}");
        match self {
            Outcome::Waiting => Outcome::Waiting,
            Outcome::InProgress(t) => Outcome::InProgress(add(t)),
            Outcome::Deployed(t) => Outcome::Deployed(add(t)),
            // Tasks missing is never a success, whatever ECS says of the deployment.
            Outcome::Succeeded(t) => {
                Outcome::Deployed(add(t.trim_start_matches("SUCCEEDED: ").to_owned()))
            }
            Outcome::Failed(t) => Outcome::Failed(add(t)),
            Outcome::Stopped(t) => Outcome::Stopped(add(t)),
        }
    }
}

/// Deployments still under way, described: ECS rollouts IN_PROGRESS other than `except` (the watched one,
/// already judged complete) and the service deployments API's records not final yet.
fn still_under_way(snap: &DeploySnapshot, except: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = snap
        .service
        .deployments
        .iter()
        .filter(|d| Some(d.id.as_str()) != except)
        .filter(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"))
        .map(|d| {
            format!(
                "deployment {} of {} still IN_PROGRESS",
                d.id,
                family_rev(&d.task_definition)
            )
        })
        .collect();
    if let Ok(list) = &snap.deployments {
        out.extend(
            list.iter()
                .filter(|d| deployment_under_way(&d.status))
                .map(|d| format!("service deployment {}", d.status)),
        );
    }
    out
}

/// What says `revision` is not healthy behind its load balancers: its targets (or targets no known task
/// explains) not healthy in any target group, and target groups whose health is unknown.
fn target_problems(snap: &DeploySnapshot, revision: &str) -> Vec<String> {
    let revision = family_rev(revision);
    let mut total = 0usize;
    let mut bad: std::collections::BTreeMap<String, usize> = Default::default();
    let mut unknown = Vec::new();
    for (arn, rows) in target_rows(snap) {
        match rows {
            Err(e) => unknown.push(format!(
                "health of {} unknown ({e})",
                target_group_name(&arn)
            )),
            Ok(rows) => {
                for r in rows {
                    let ours = r.revision.as_deref() == Some(revision);
                    let healthy = r.state == "healthy";
                    if ours {
                        total += 1;
                    }
                    // A target no task explains may well be ours: counted when it is not healthy.
                    if !healthy && (ours || r.revision.is_none()) {
                        if !ours {
                            total += 1;
                        }
                        *bad.entry(r.state).or_default() += 1;
                    }
                }
            }
        }
    }
    let bad_count: usize = bad.values().sum();
    let mut out = Vec::new();
    if bad_count > 0 {
        let states: Vec<String> = bad.iter().map(|(s, n)| format!("{n} {s}")).collect();
        out.push(match states.as_slice() {
            [_] => format!(
                "{bad_count} of {total} targets {}",
                bad.keys()
                    .next()
                    .map(String::as_str)
                    .unwrap_or("not healthy")
            ),
            _ => format!(
                "{bad_count} of {total} targets not healthy ({})",
                states.join(", ")
            ),
        });
    }
    out.extend(unknown);
    out
}

/// `…:targetgroup/<name>/<id>` -> the name.
pub fn target_group_name(arn: &str) -> &str {
    arn.split(":targetgroup/")
        .nth(1)
        .and_then(|n| n.split('/').next())
        .unwrap_or(arn)
}

/// Adds events not seen before (by id), keeping newest first.
pub fn merge_events(seen: &mut Vec<ServiceEvent>, incoming: &[ServiceEvent]) {
    let mut fresh: Vec<ServiceEvent> = incoming
        .iter()
        .filter(|e| !seen.iter().any(|s| s.id == e.id))
        .cloned()
        .collect();
    if fresh.is_empty() {
        return;
    }
    fresh.append(seen);
    fresh.sort_by_key(|e| std::cmp::Reverse(e.created_at));
    fresh.truncate(MAX_EVENTS);
    *seen = fresh;
}

/// An event line as shown: repeated "reached a steady state" lines collapse into one with a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventLine {
    pub at: Option<Millis>,
    pub message: String,
    pub repeats: usize,
    pub failure: bool,
}

/// Words that mark an event as bad news.
pub const FAILURE_WORDS: &[&str] = &[
    "unhealthy",
    "unable",
    "failed",
    "rolling back",
    "error",
    "insufficient",
];

pub fn is_failure(message: &str) -> bool {
    let m = message.to_lowercase();
    FAILURE_WORDS.iter().any(|w| m.contains(w))
}

pub fn event_lines(events: &[ServiceEvent]) -> Vec<EventLine> {
    let mut out: Vec<EventLine> = Vec::new();
    for e in events {
        let steady = e.message.contains("has reached a steady state");
        if steady
            && let Some(last) = out.last_mut()
            && last.message == e.message
        {
            last.repeats += 1;
            continue;
        }
        out.push(EventLine {
            at: e.created_at,
            message: e.message.clone(),
            repeats: 1,
            failure: is_failure(&e.message),
        });
    }
    out
}

/// Stopped tasks grouped by (stop reason, exit code), largest group first.
pub fn stopped_groups(tasks: &[Task]) -> Vec<(String, Option<i32>, usize)> {
    let mut groups: Vec<(String, Option<i32>, usize)> = Vec::new();
    for t in tasks.iter().filter(|t| t.last_status == "STOPPED") {
        let reason = t
            .stopped_reason
            .clone()
            .unwrap_or_else(|| t.stop_code.clone().unwrap_or_else(|| "-".into()));
        let code = t.exit_code();
        match groups
            .iter_mut()
            .find(|(r, c, _)| *r == reason && *c == code)
        {
            Some(g) => g.2 += 1,
            None => groups.push((reason, code, 1)),
        }
    }
    groups.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    groups
}

/// A target of a target group, with the task and revision behind its IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub ip: String,
    pub state: String,
    pub reason: Option<String>,
    pub task: Option<String>,
    /// `family:rev` of the task's task definition.
    pub revision: Option<String>,
}

/// Each target group's targets, mapped to tasks and revisions and sorted by revision (newest first) so the
/// deployments' targets read as groups.
pub fn target_rows(snapshot: &DeploySnapshot) -> Vec<(String, Result<Vec<TargetRow>, ApiError>)> {
    snapshot
        .health
        .iter()
        .map(|(arn, h)| {
            let rows = h.as_ref().map_err(Clone::clone).map(|targets| {
                let mut rows: Vec<TargetRow> = targets
                    .iter()
                    .map(|t| {
                        let task = snapshot
                            .tasks
                            .iter()
                            .find(|k| k.private_ip.as_deref() == Some(t.id.as_str()));
                        TargetRow {
                            ip: t.id.clone(),
                            state: t.state.clone(),
                            reason: t.reason.clone(),
                            task: task.map(|k| k.short_id().to_owned()),
                            revision: task.map(|k| family_rev(&k.task_definition_arn).to_owned()),
                        }
                    })
                    .collect();
                rows.sort_by(|a, b| {
                    revision_number(&b.revision)
                        .cmp(&revision_number(&a.revision))
                        .then_with(|| a.ip.cmp(&b.ip))
                });
                rows
            });
            (arn.clone(), rows)
        })
        .collect()
}

fn revision_number(r: &Option<String>) -> i32 {
    r.as_deref()
        .and_then(family_and_revision)
        .map_or(-1, |(_, n)| n)
}

/// Whether the service's CloudWatch alarms were read: green needs them read with none firing.
#[derive(Debug, Clone, Copy)]
pub enum AlarmsRead<'a> {
    NotYet,
    Failed(&'a ApiError),
    Read,
}

/// What the deploy verdict reads besides the snapshot: which deployment is watched, what was seen of it on
/// earlier refreshes (a failed deployment may vanish after the rollback), and the alarms.
#[derive(Debug, Clone)]
pub struct Judge<'a> {
    pub target: &'a Target,
    /// The watched deployment was seen FAILED, with ECS's reason.
    pub seen_failed: Option<&'a str>,
    /// The watched deployment was seen COMPLETED.
    pub seen_completed: bool,
    /// Alarms of the service in ALARM, per CloudWatch.
    pub firing: Vec<&'a str>,
    pub alarms: AlarmsRead<'a>,
}

impl Judge<'_> {
    /// Success only when the watched deployment itself completes, nothing else is still deploying, every
    /// target of its revision is healthy in every target group and no alarm of the service fires; a
    /// circuit-breaker rollback is a failure of the new revision, however stable the service is afterwards.
    pub fn outcome(&self, snap: &DeploySnapshot) -> Outcome {
        // Watching a CODE_DEPLOY service (W): judged by its CodeDeploy deployment when there is one. A scale
        // watched after the action keeps its own verdict.
        let verdict = snap
            .codedeploy
            .as_ref()
            .filter(|_| *self.target == Target::Primary)
            .and_then(|bg| crate::model::codedeploy::outcome(bg, &self.firing, snap.at))
            .unwrap_or_else(|| self.verdict(snap));
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
        let mut firing: Vec<String> = self.firing.iter().map(|name| (*name).to_owned()).collect();
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
        match &self.alarms {
            AlarmsRead::NotYet => problems.push("alarms not read yet".into()),
            AlarmsRead::Failed(e) => problems.push(format!("alarms unknown: {e}")),
            AlarmsRead::Read => {}
        }
        problems
    }
}
