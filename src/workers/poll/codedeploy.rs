//! The blue/green part of a service details refresh: the task sets of a CODE_DEPLOY or EXTERNAL service and,
//! for CODE_DEPLOY, its CodeDeploy application, deployment group and deployments. Each part fails on its
//! own and becomes a state of its section; the service itself is already on screen.
//!
//! Finding the group walks every application's groups (ListApplications, ListDeploymentGroups,
//! BatchGetDeploymentGroups), so it is cached per service for as long as the poller lives (one per AWS
//! context), and looked up again when a deploy starts (a task set appears or goes) or the group is gone.

use super::Cycle;
use crate::aws::*;
use crate::model::codedeploy::{
    BlueGreen, CodeDeployState, Found, Looked, find_group, order_deployments, under_way,
};
use crate::workers::clock::now_ms;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Deployments read in detail: the ones under way and the newest few finished.
const NEWEST: usize = 3;
/// A service without a group is looked for again after this long (someone may be creating it).
const NOT_FOUND_TTL_MS: Millis = 60_000;

/// The group each service was found in, with what the search was keyed on.
#[derive(Default)]
pub(super) struct GroupCache(Mutex<HashMap<(String, String), Cached>>);

#[derive(Clone)]
struct Cached {
    found: Result<DeploymentGroup, Looked>,
    /// The service's task set ids when it was found: a new set means a deploy started.
    stamp: String,
    at: Millis,
}

impl GroupCache {
    fn get(&self, key: &(String, String), stamp: &str, now: Millis) -> Option<Cached> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key)
            .filter(|c| c.stamp == stamp)
            .filter(|c| c.found.is_ok() || now - c.at < NOT_FOUND_TTL_MS)
            .cloned()
    }
    fn put(&self, key: (String, String), cached: Cached) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, cached);
    }
    fn forget(&self, key: &(String, String)) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

impl Cycle<'_> {
    /// Task sets and (CODE_DEPLOY) the CodeDeploy section of `svc`; None for an ECS-controlled service.
    pub(super) async fn blue_green(&self, cluster: &str, svc: &Service) -> Option<BlueGreen> {
        if svc.deployment_controller == Controller::Ecs {
            return None;
        }
        let api = self.api;
        let name = svc.service_name.as_str();
        let task_sets = self.call(|| api.describe_task_sets(cluster, name)).await;
        let codedeploy = if svc.deployment_controller == Controller::CodeDeploy {
            let mut ids: Vec<&str> = task_sets
                .as_ref()
                .map(|s| s.iter().map(|t| t.id.as_str()).collect())
                .unwrap_or_default();
            ids.sort_unstable();
            Some(self.codedeploy(cluster, name, &ids.join(",")).await)
        } else {
            None
        };
        Some(BlueGreen {
            task_sets,
            codedeploy,
        })
    }

    async fn codedeploy(&self, cluster: &str, service: &str, stamp: &str) -> CodeDeployState {
        let key = (arn_name(cluster).to_owned(), service.to_owned());
        let now = now_ms();
        let cached = match self.groups.get(&key, stamp, now) {
            Some(c) => c,
            None => match self.find(cluster, service).await {
                Ok(found) => {
                    let c = Cached {
                        found,
                        stamp: stamp.to_owned(),
                        at: now,
                    };
                    self.groups.put(key.clone(), c.clone());
                    c
                }
                Err(e) => return CodeDeployState::Failed(e),
            },
        };
        let group = match cached.found {
            Ok(g) => g,
            Err(looked) => return CodeDeployState::NoGroup(looked),
        };
        let deployments = self.deployments(&group).await;
        if let Err(ApiError::NotFound(_)) = &deployments {
            // The group (or its application) was deleted or renamed: look again next time.
            self.groups.forget(&key);
        }
        let api = self.api;
        let current = deployments.as_ref().ok().and_then(|d| d.first());
        let target = match current {
            Some(d) if under_way(&d.status) => Some(self.target(&d.deployment_id).await),
            _ => None,
        };
        let alarms_firing = (group.alarms_enabled && !group.alarm_names.is_empty()).then_some(());
        let alarms_firing = match alarms_firing {
            None => None,
            // One page of the alarms in ALARM: cheap, and an alarm of the group in it stops the deployment.
            Some(()) => Some(
                self.call(|| api.describe_alarms(Some("ALARM"), None))
                    .await
                    .map(|page| {
                        page.alarms
                            .into_iter()
                            .map(|a| a.alarm_name)
                            .filter(|n| group.alarm_names.contains(n))
                            .collect()
                    }),
            ),
        };
        CodeDeployState::Found(Box::new(Found {
            group,
            deployments,
            target,
            alarms_firing,
        }))
    }

    /// Walks applications and their groups until one lists the service.
    async fn find(
        &self,
        cluster: &str,
        service: &str,
    ) -> Result<Result<DeploymentGroup, Looked>, ApiError> {
        let api = self.api;
        let mut looked = Looked::default();
        let mut app_token = None;
        loop {
            let apps = self
                .call(|| api.list_applications(app_token.clone()))
                .await?;
            for app in &apps.names {
                looked.applications += 1;
                let mut token = None;
                loop {
                    let page = self
                        .call(|| api.list_deployment_groups(app, token.clone()))
                        .await?;
                    looked.groups += page.names.len();
                    for chunk in page.names.chunks(DEPLOYMENT_GROUPS_PER_CALL) {
                        let groups = self
                            .call(|| api.batch_get_deployment_groups(app, chunk))
                            .await?;
                        looked.ecs_groups += groups
                            .iter()
                            .filter(|g| g.compute_platform.as_deref() == Some("ECS"))
                            .count();
                        if let Some(g) = find_group(&groups, cluster, service) {
                            return Ok(Ok(g.clone()));
                        }
                    }
                    // A token that comes back again would page in a circle.
                    if page.next_token.is_none() || page.next_token == token {
                        break;
                    }
                    token = page.next_token;
                }
            }
            if apps.next_token.is_none() || apps.next_token == app_token {
                return Ok(Err(looked));
            }
            app_token = apps.next_token;
        }
    }

    /// The deployments under way and the newest few, in detail, under way first.
    async fn deployments(&self, g: &DeploymentGroup) -> Result<Vec<CdDeployment>, ApiError> {
        let api = self.api;
        let (app, name) = (&g.application_name, &g.deployment_group_name);
        let going = self
            .call(|| api.list_deployments(app, name, &UNDER_WAY_STATUSES, None))
            .await?;
        let all = self
            .call(|| api.list_deployments(app, name, &[], None))
            .await?;
        let mut ids: Vec<String> = Vec::new();
        for id in going
            .names
            .into_iter()
            .chain(all.names.into_iter().take(NEWEST))
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids.truncate(DEPLOYMENTS_PER_CALL);
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut detailed = self.call(|| api.batch_get_deployments(&ids)).await?;
        order_deployments(&mut detailed);
        Ok(detailed)
    }

    /// The ECS target of a deployment: its task sets (traffic weights) and lifecycle hooks.
    async fn target(&self, deployment_id: &str) -> Result<EcsDeploymentTarget, ApiError> {
        let api = self.api;
        let ids = self
            .call(|| api.list_deployment_targets(deployment_id, None))
            .await?;
        let first: Vec<String> = ids
            .names
            .into_iter()
            .take(DEPLOYMENT_TARGETS_PER_CALL)
            .collect();
        if first.is_empty() {
            return Err(ApiError::NotFound(format!(
                "deployment {deployment_id} has no targets yet"
            )));
        }
        self.call(|| api.batch_get_deployment_targets(deployment_id, &first))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::NotFound(format!("deployment {deployment_id} has no ECS target"))
            })
    }
}
