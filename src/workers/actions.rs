//! The action executor: answers the dialogs' questions (autoscaling bounds, revisions, diffs, the deployment in
//! progress) and sends confirmed plans, one call after another, writing one audit log line per call sent.
//! Everything runs on its own task: the event loop never waits for AWS, so keys stay answered.
//!
//! In read-only mode it refuses every plan without sending anything, whatever the reducer let through.

use crate::aws::*;
use crate::model::actions::{AuditLine, AuditPhase, Call, Plan, diff, mark_revisions};
use crate::model::traffic::{listener_of_rule, request_weights_text, weights_text};
use crate::protocol::Fetch;
use crate::protocol::{DialogAnswer, Msg};
use crate::workers::retry::{Backoff, with_retry};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

#[derive(Debug, Clone, Default)]
pub struct ExecutorConfig {
    pub read_only: bool,
    /// Where the audit log goes (one JSON line per executed call); None: nowhere (said on screen).
    pub audit_log: Option<PathBuf>,
    pub profile: String,
    pub region: String,
}

#[derive(Clone)]
pub struct Executor {
    api: Arc<dyn Api>,
    tx: mpsc::UnboundedSender<Msg>,
    config: Arc<ExecutorConfig>,
}

impl Executor {
    pub fn new(api: Arc<dyn Api>, tx: mpsc::UnboundedSender<Msg>, config: ExecutorConfig) -> Self {
        Executor {
            api,
            tx,
            config: Arc::new(config),
        }
    }

    pub fn fetch(&self, id: u64, fetch: Fetch) {
        let api = self.api.clone();
        let tx = self.tx.clone();
        super::spawn(async move {
            let answer = answer(api.as_ref(), fetch).await;
            let _ = tx.send(Msg::Dialog { id, answer });
        });
    }

    pub fn execute(&self, id: u64, plan: Plan) {
        let api = self.api.clone();
        let tx = self.tx.clone();
        let config = self.config.clone();
        super::spawn(async move {
            let (result, audit_error) = execute(api.as_ref(), &config, &plan).await;
            let _ = tx.send(Msg::Executed {
                id,
                result,
                audit_error,
            });
        });
    }
}

/// A dialog's lookup with the shared backoff: a throttle or a network blip is retried, not shown as final.
/// Someone is waiting in the dialog, so it gives up within about three seconds and lets them press r (the
/// revisions lookup then falls back to the previous revision), where a refresh would keep trying for longer.
const DIALOG_BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(200),
    cap: Duration::from_secs(2),
    max_attempts: 4,
};

async fn retried<T, F, Fut>(call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    with_retry(
        DIALOG_BACKOFF,
        call,
        |error, attempt| tracing::info!(%error, attempt, "dialog lookup failed; retrying"),
    )
    .await
}

async fn answer(api: &dyn Api, fetch: Fetch) -> DialogAnswer {
    match fetch {
        Fetch::Autoscaling { cluster, service } => DialogAnswer::Autoscaling(
            retried(|| api.describe_scalable_target(&cluster, &service)).await,
        ),
        Fetch::Diff { from, to } => DialogAnswer::Diff(
            match futures::try_join!(
                retried(|| api.describe_task_definition(&from)),
                retried(|| api.describe_task_definition(&to))
            ) {
                Ok((a, b)) => Ok(diff(&a, &b)),
                Err(e) => Err(e),
            },
        ),
        Fetch::Traffic {
            cluster,
            service,
            target_groups,
        } => DialogAnswer::Traffic(
            retried(|| super::traffic::load(api, &cluster, &service, &target_groups)).await,
        ),
        Fetch::InProgress { cluster, service } => DialogAnswer::InProgress(
            retried(|| api.list_service_deployments(&cluster, &service))
                .await
                .map(|list| {
                    list.into_iter()
                        .find(|d| matches!(d.status.as_str(), "PENDING" | "IN_PROGRESS"))
                }),
        ),
        Fetch::Revisions {
            cluster,
            service,
            family,
            current,
            previous,
        } => DialogAnswer::Revisions(
            revisions(api, &cluster, &service, &family, &current, previous).await,
        ),
    }
}

/// The newest page of the family's ACTIVE revisions, marked with the ones that deployed successfully.
async fn revisions(
    api: &dyn Api,
    cluster: &str,
    service: &str,
    family: &str,
    current: &str,
    previous: Option<String>,
) -> Result<crate::model::actions::Revisions, ApiError> {
    let page = retried(|| api.list_task_definitions(family, None)).await?;
    let good = match retried(|| api.list_service_deployments(cluster, service)).await {
        Ok(list) => {
            let arns: Vec<String> = list
                .iter()
                .filter(|d| d.status == "SUCCESSFUL")
                .filter_map(|d| d.target_service_revision_arn.clone())
                .take(SERVICE_DEPLOYMENTS_PER_CALL)
                .collect();
            if arns.is_empty() {
                Err("no successful deployment on record".to_owned())
            } else {
                retried(|| api.describe_service_revisions(&arns))
                    .await
                    .map(|r| r.into_iter().map(|r| r.task_definition).collect::<Vec<_>>())
                    .map_err(|e| e.to_string())
            }
        }
        Err(e) => Err(e.to_string()),
    };
    Ok(match good {
        Ok(good) => mark_revisions(
            &page.arns,
            current,
            &good,
            "✓ = a deployment of it completed (service deployments API)".into(),
        ),
        Err(why) => mark_revisions(
            &page.arns,
            current,
            &previous.into_iter().collect::<Vec<_>>(),
            format!("✓ = the previous ACTIVE revision (service deployments unavailable: {why})"),
        ),
    })
}

/// Sends the plan's calls in order, stopping at the first failure. Each call gets an intent line in the audit
/// log before it leaves and an outcome line when it answers; its "before" is read from AWS just before.
async fn execute(
    api: &dyn Api,
    config: &ExecutorConfig,
    plan: &Plan,
) -> (Result<Option<Box<Service>>, String>, Option<String>) {
    if config.read_only {
        return (
            Err(format!(
                "read-only mode: {} refused, nothing was sent",
                plan.kind.label()
            )),
            None,
        );
    }
    let mut service = None;
    let mut audit_error = None;
    let mut write = |line: &AuditLine| {
        if let Err(e) = append_audit(config.audit_log.as_ref(), line) {
            tracing::warn!(%e, "audit log not written");
            audit_error = Some(e);
        }
    };
    let mut sent = 0;
    for call in &plan.calls {
        let (before, after) = match before_and_after(api, plan, call).await {
            Ok(pair) => pair,
            // The change is already the state: sending it would only add noise to the audit log. Before any
            // call went out that is the whole answer; after one did, the rest of the plan just skips it.
            Err(NoOp(why)) if sent == 0 => return (Err(why), audit_error),
            Err(NoOp(why)) => {
                tracing::info!(%why, "skipped a call whose change is already in place");
                continue;
            }
        };
        sent += 1;
        let mut line = AuditLine {
            phase: AuditPhase::Intent,
            time: crate::model::time::iso_utc(crate::workers::clock::now_ms()),
            profile: config.profile.clone(),
            region: config.region.clone(),
            cluster: plan.cluster.clone(),
            service: plan.service.clone(),
            action: plan.kind,
            before,
            after,
            request: call.text(),
            request_id: None,
            outcome: None,
        };
        write(&line);
        let (request_id, outcome) = match call {
            Call::UpdateService(req) => match api.update_service(req).await {
                Ok(m) => {
                    service = Some(Box::new(m.value));
                    (m.request_id, Ok(()))
                }
                Err(e) => (None, Err(e)),
            },
            Call::RegisterScalableTarget { target, .. } => {
                match api.register_scalable_target(target).await {
                    Ok(m) => (m.request_id, Ok(())),
                    Err(e) => (None, Err(e)),
                }
            }
            Call::StopServiceDeployment { arn, .. } => match api.stop_service_deployment(arn).await
            {
                Ok(m) => (m.request_id, Ok(())),
                Err(e) => (None, Err(e)),
            },
            Call::ModifyListener(req) => match api.modify_listener(req).await {
                Ok(m) => (m.request_id, Ok(())),
                Err(e) => (None, Err(e)),
            },
            Call::ModifyRule(req) => match api.modify_rule(req).await {
                Ok(m) => (m.request_id, Ok(())),
                Err(e) => (None, Err(e)),
            },
            Call::ContinueDeployment {
                deployment_id,
                wait_type,
            } => match api
                .continue_deployment(deployment_id, *wait_type == "READY_WAIT")
                .await
            {
                Ok(m) => (m.request_id, Ok(())),
                Err(e) => (None, Err(e)),
            },
        };
        line.phase = AuditPhase::Outcome;
        line.time = crate::model::time::iso_utc(crate::workers::clock::now_ms());
        line.request_id = request_id;
        line.outcome = Some(match &outcome {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        });
        write(&line);
        if let Err(e) = outcome {
            return (Err(format!("{e} — {}", e.action_hint())), audit_error);
        }
    }
    (Ok(service), audit_error)
}

/// A call whose change is already in place: not sent, with the reason.
struct NoOp(String);

/// What a call changes, as it is on AWS right now (read fresh, not the dialog's snapshot) and as it will be.
/// A read that fails leaves "unknown" in the audit line rather than stopping a change the user confirmed.
async fn before_and_after(
    api: &dyn Api,
    plan: &Plan,
    call: &Call,
) -> Result<(String, String), NoOp> {
    let unknown = |e: ApiError| format!("unknown ({e})");
    match call {
        // Read fresh: the deployment's status just before it is continued.
        Call::ContinueDeployment { deployment_id, .. } => {
            let before = api
                .batch_get_deployments(std::slice::from_ref(deployment_id))
                .await
                .and_then(|found| {
                    found
                        .into_iter()
                        .next()
                        .map(|d| format!("{deployment_id} {}", d.status))
                        .ok_or_else(|| ApiError::NotFound(format!("deployment {deployment_id}")))
                });
            Ok((before.unwrap_or_else(unknown), plan.after.clone()))
        }
        Call::UpdateService(req) => {
            let names = [req.service.clone()];
            let fresh = api
                .describe_services(&req.cluster, &names)
                .await
                .and_then(|found| {
                    found
                        .into_iter()
                        .next()
                        .ok_or_else(|| ApiError::NotFound(format!("service {}", req.service)))
                });
            if let (Some(n), Ok(s)) = (req.desired_count, &fresh)
                && s.desired_count == n
                && req.task_definition.is_none()
                && !req.force_new_deployment
            {
                return Err(NoOp(format!(
                    "nothing sent: {} already has desired {n} (read from ECS just now)",
                    req.service
                )));
            }
            let (before, after) = if let Some(n) = req.desired_count {
                (
                    fresh.map(|s| format!("desired {}", s.desired_count)),
                    format!("desired {n}"),
                )
            } else if let Some(td) = &req.task_definition {
                (
                    fresh.map(|s| family_rev(&s.task_definition).to_owned()),
                    family_rev(td).to_owned(),
                )
            } else {
                let current = fresh.map(|s| family_rev(&s.task_definition).to_owned());
                let after = match &current {
                    Ok(td) => format!("{td} (new deployment)"),
                    Err(_) => plan.after.clone(),
                };
                (current, after)
            };
            Ok((before.unwrap_or_else(unknown), after))
        }
        Call::RegisterScalableTarget { target, .. } => {
            let before = api
                .describe_scalable_target(&plan.cluster, &plan.service)
                .await
                .map(|t| match t {
                    Some(t) => format!("min {} max {}", t.min_capacity, t.max_capacity),
                    None => "no scalable target".to_owned(),
                });
            Ok((
                before.unwrap_or_else(unknown),
                format!("min {} max {}", target.min_capacity, target.max_capacity),
            ))
        }
        Call::StopServiceDeployment { arn, .. } => {
            let before = api
                .describe_service_deployments(std::slice::from_ref(arn))
                .await
                .and_then(|found| {
                    found
                        .into_iter()
                        .next()
                        .map(|d| d.status)
                        .ok_or_else(|| ApiError::NotFound(format!("service deployment {arn}")))
                });
            Ok((before.unwrap_or_else(unknown), plan.after.clone()))
        }
        Call::ModifyListener(req) => {
            // The listener's default rule carries its default actions: read through DescribeRules, which
            // takes the listener's ARN (DescribeListeners would need its load balancer's).
            let after = request_weights_text(&req.default_actions);
            let before = api.describe_rules(&req.listener_arn).await.map(|rules| {
                rules
                    .iter()
                    .find(|r| r.is_default)
                    .map(|r| weights_text(&r.actions))
                    .unwrap_or_else(|| "no default rule".into())
            });
            traffic_before_after(before, after, unknown)
        }
        Call::ModifyRule(req) => {
            let after = request_weights_text(&req.actions);
            let before = match listener_of_rule(&req.rule_arn) {
                Some(listener) => api.describe_rules(&listener).await.and_then(|rules| {
                    rules
                        .iter()
                        .find(|r| r.rule_arn == req.rule_arn)
                        .map(|r| weights_text(&r.actions))
                        .ok_or_else(|| ApiError::NotFound(format!("rule {}", req.rule_arn)))
                }),
                None => Err(ApiError::NotFound(format!(
                    "the listener of rule {}",
                    req.rule_arn
                ))),
            };
            traffic_before_after(before, after, unknown)
        }
    }
}

/// A traffic call's before and after, or NoOp when the weights read just now already are the request's.
fn traffic_before_after(
    before: Result<String, ApiError>,
    after: String,
    unknown: impl Fn(ApiError) -> String,
) -> Result<(String, String), NoOp> {
    match before {
        Ok(b) if b == after => Err(NoOp(format!(
            "nothing sent: the weights are already {after} (read from ELB just now)"
        ))),
        Ok(b) => Ok((b, after)),
        Err(e) => Ok((unknown(e), after)),
    }
}

fn append_audit(path: Option<&PathBuf>, line: &AuditLine) -> Result<(), String> {
    let Some(path) = path else {
        return Err("no data directory for the audit log".into());
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let json = serde_json::to_string(line).map_err(|e| e.to_string())?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(file, "{json}").map_err(|e| format!("{}: {e}", path.display()))?;
    // An intent line must survive the machine going down mid-call, not only the process: actions are rare,
    // one sync each costs nothing noticeable.
    file.sync_data()
        .map_err(|e| format!("{}: {e}", path.display()))
}
