//! The action executor: answers the dialogs' questions (autoscaling bounds, revisions, diffs, the deployment in
//! progress) and sends confirmed plans, one call after another, writing one audit log line per call sent.
//! Everything runs on its own task: the event loop never waits for AWS, so keys stay answered.
//!
//! In read-only mode it refuses every plan without sending anything, whatever the reducer let through.

use crate::app::actions::{AuditLine, Call, Plan, diff, mark_revisions};
use crate::app::effect::Fetch;
use crate::app::msg::{DialogAnswer, Msg};
use crate::aws::*;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
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

async fn answer(api: &dyn Api, fetch: Fetch) -> DialogAnswer {
    match fetch {
        Fetch::Autoscaling { cluster, service } => {
            DialogAnswer::Autoscaling(api.describe_scalable_target(&cluster, &service).await)
        }
        Fetch::Diff { from, to } => DialogAnswer::Diff(
            match futures::try_join!(
                api.describe_task_definition(&from),
                api.describe_task_definition(&to)
            ) {
                Ok((a, b)) => Ok(diff(&a, &b)),
                Err(e) => Err(e),
            },
        ),
        Fetch::InProgress { cluster, service } => {
            DialogAnswer::InProgress(api.list_service_deployments(&cluster, &service).await.map(
                |list| {
                    list.into_iter()
                        .find(|d| matches!(d.status.as_str(), "PENDING" | "IN_PROGRESS"))
                },
            ))
        }
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
) -> Result<crate::app::actions::Revisions, ApiError> {
    let page = api.list_task_definitions(family, None).await?;
    let good = match api.list_service_deployments(cluster, service).await {
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
                api.describe_service_revisions(&arns)
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

/// Sends the plan's calls in order, stopping at the first failure; one audit line per call sent.
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
    for call in &plan.calls {
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
        };
        let line = AuditLine {
            time: crate::app::rows::iso_utc(crate::workers::poll::now_ms()),
            profile: config.profile.clone(),
            region: config.region.clone(),
            cluster: plan.cluster.clone(),
            service: plan.service.clone(),
            action: plan.kind,
            before: plan.before.clone(),
            after: plan.after.clone(),
            request: call.text(),
            request_id,
            outcome: match &outcome {
                Ok(()) => "ok".into(),
                Err(e) => e.to_string(),
            },
        };
        if let Err(e) = append_audit(config.audit_log.as_ref(), &line) {
            tracing::warn!(%e, "audit log not written");
            audit_error = Some(e);
        }
        if let Err(e) = outcome {
            return (Err(format!("{e} — {}", e.hint())), audit_error);
        }
    }
    (Ok(service), audit_error)
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
    writeln!(file, "{json}").map_err(|e| format!("{}: {e}", path.display()))
}
