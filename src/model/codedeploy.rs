//! CodeDeploy blue/green, the pure part: which deployment group deploys a service, which of its deployments
//! matter (the one under way first, then the newest), what a deployment configuration's name means, and
//! what the service details screen shows of it all (task sets and the CodeDeploy section, each failing on
//! its own). The calls are made by `workers::codedeploy`.

use crate::aws::{ApiError, CdDeployment, DeploymentGroup, EcsDeploymentTarget, TaskSet, arn_name};

/// What the details screen of a CODE_DEPLOY or EXTERNAL service shows beyond the service itself.
#[derive(Debug, Clone, PartialEq)]
pub struct BlueGreen {
    /// DescribeTaskSets.
    pub task_sets: Result<Vec<TaskSet>, ApiError>,
    /// CODE_DEPLOY only; None for EXTERNAL services (their deployments are someone else's).
    pub codedeploy: Option<CodeDeployState>,
}

/// The CodeDeploy section: found, not found (and how ecsdeck looked), or what failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CodeDeployState {
    Found(Box<Found>),
    /// No ECS deployment group lists the service.
    NoGroup(Looked),
    /// Finding the group failed (e.g. `codedeploy:ListApplications denied`).
    Failed(ApiError),
}

/// How the search for the group went: shown when none was found, so the user can tell a permission gap or a
/// wrong account from a service that really has no group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Looked {
    pub applications: usize,
    pub groups: usize,
    /// ECS groups among them (compute platform ECS).
    pub ecs_groups: usize,
}

impl Looked {
    pub fn describe(&self, cluster: &str, service: &str) -> String {
        format!(
            "no CodeDeploy deployment group lists {cluster}/{service}: looked in {} application(s), {} group(s), {} of them ECS (ListApplications, ListDeploymentGroups, BatchGetDeploymentGroups, matching ecsServices)",
            self.applications, self.groups, self.ecs_groups
        )
    }
}

/// The group of a service and what it is doing.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub group: DeploymentGroup,
    /// Under way first, then the newest (see [`order_deployments`]); at most a few.
    pub deployments: Result<Vec<CdDeployment>, ApiError>,
    /// The ECS target (task sets with traffic weights, lifecycle hooks) of the deployment under way.
    pub target: Option<Result<EcsDeploymentTarget, ApiError>>,
    /// Which of the group's alarms are in ALARM now (one DescribeAlarms page of alarms in ALARM).
    pub alarms_firing: Option<Result<Vec<String>, ApiError>>,
}

impl Found {
    /// The deployment under way, else the newest one.
    pub fn current(&self) -> Option<&CdDeployment> {
        self.deployments.as_ref().ok().and_then(|d| d.first())
    }
}

/// A CodeDeploy deployment status that is not final yet.
pub fn under_way(status: &str) -> bool {
    crate::aws::codedeploy_under_way(status)
}

/// Whether `cluster` (a name or an ARN) is the cluster `name`.
fn same_cluster(cluster: &str, name: &str) -> bool {
    cluster == name || arn_name(cluster) == name || arn_name(name) == cluster
}

/// The ECS deployment group whose `ecsServices` holds the cluster and service. A group of another compute
/// platform never matches, even if it carries ECS services (it cannot deploy them).
pub fn find_group<'a>(
    groups: &'a [DeploymentGroup],
    cluster: &str,
    service: &str,
) -> Option<&'a DeploymentGroup> {
    groups.iter().find(|g| {
        g.compute_platform.as_deref().is_none_or(|p| p == "ECS")
            && g.ecs_services.iter().any(|s| {
                (s.service_name == service || arn_name(&s.service_name) == service)
                    && same_cluster(cluster, &s.cluster_name)
            })
    })
}

/// Under way first (oldest of those first: CodeDeploy queues them), then the finished ones newest first.
pub fn order_deployments(deployments: &mut [CdDeployment]) {
    deployments.sort_by(|a, b| {
        let (ua, ub) = (under_way(&a.status), under_way(&b.status));
        ub.cmp(&ua).then_with(|| {
            let (ta, tb) = (a.create_time, b.create_time);
            if ua { ta.cmp(&tb) } else { tb.cmp(&ta) }
        })
    });
}

/// What a deployment configuration does, in words: `CodeDeployDefault.ECSCanary10Percent5Minutes` is
/// "canary: 10% then the rest after 5 min". A custom name is only known to be custom.
pub fn config_label(name: &str) -> String {
    let Some(rest) = name.strip_prefix("CodeDeployDefault.") else {
        return format!("custom ({name})");
    };
    let rest = rest.strip_prefix("ECS").unwrap_or(rest);
    if rest == "AllAtOnce" {
        return "all at once".into();
    }
    let number = |s: &str| -> Option<(u32, String)> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        let n = digits.parse().ok()?;
        Some((n, s.get(digits.len()..)?.to_owned()))
    };
    let minutes = |s: &str| -> Option<u32> {
        let (n, unit) = number(s)?;
        matches!(unit.as_str(), "Minutes" | "Minute").then_some(n)
    };
    if let Some(r) = rest.strip_prefix("Canary")
        && let Some((pct, tail)) = number(r)
        && let Some(min) = tail.strip_prefix("Percent").and_then(minutes)
    {
        return format!("canary: {pct}% then the rest after {min} min");
    }
    if let Some(r) = rest.strip_prefix("Linear")
        && let Some((pct, tail)) = number(r)
        && let Some(min) = tail.strip_prefix("PercentEvery").and_then(minutes)
    {
        return format!("linear: {pct}% every {min} min");
    }
    format!("predefined ({name})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::EcsServiceRef;

    fn group(name: &str, platform: Option<&str>, services: &[(&str, &str)]) -> DeploymentGroup {
        DeploymentGroup {
            application_name: "app".into(),
            deployment_group_name: name.into(),
            compute_platform: platform.map(str::to_owned),
            ecs_services: services
                .iter()
                .map(|(c, s)| EcsServiceRef {
                    cluster_name: (*c).into(),
                    service_name: (*s).into(),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_group_is_the_ecs_one_listing_cluster_and_service() {
        let groups = [
            group("server", Some("Server"), &[("production", "gateway")]),
            group("other-cluster", Some("ECS"), &[("staging", "gateway")]),
            group("other-service", Some("ECS"), &[("production", "web")]),
            group(
                "gw",
                Some("ECS"),
                &[("production", "web"), ("production", "gateway")],
            ),
        ];
        let found =
            find_group(&groups, "production", "gateway").map(|g| g.deployment_group_name.as_str());
        assert_eq!(found, Some("gw"));
        // The cluster may come as an ARN (the service's clusterArn).
        let by_arn = find_group(
            &groups,
            "arn:aws:ecs:us-east-1:123456789012:cluster/staging",
            "gateway",
        );
        assert_eq!(
            by_arn.map(|g| g.deployment_group_name.as_str()),
            Some("other-cluster")
        );
        assert_eq!(find_group(&groups, "production", "search"), None);
        assert_eq!(find_group(&groups, "batch", "gateway"), None);
    }

    fn dep(id: &str, status: &str, created: i64) -> CdDeployment {
        CdDeployment {
            deployment_id: id.into(),
            status: status.into(),
            create_time: Some(created),
            ..Default::default()
        }
    }

    #[test]
    fn under_way_first_then_newest() {
        let mut d = vec![
            dep("old-ok", "Succeeded", 100),
            dep("queued", "Queued", 400),
            dep("new-failed", "Failed", 300),
            dep("running", "InProgress", 200),
            dep("stopped", "Stopped", 250),
        ];
        order_deployments(&mut d);
        let ids: Vec<&str> = d.iter().map(|d| d.deployment_id.as_str()).collect();
        assert_eq!(
            ids,
            ["running", "queued", "new-failed", "stopped", "old-ok"]
        );
        assert!(under_way("Baking") && under_way("Ready") && !under_way("Succeeded"));
    }

    #[test]
    fn config_names_read_as_what_they_do() {
        assert_eq!(
            config_label("CodeDeployDefault.ECSCanary10Percent5Minutes"),
            "canary: 10% then the rest after 5 min"
        );
        assert_eq!(
            config_label("CodeDeployDefault.ECSLinear10PercentEvery1Minutes"),
            "linear: 10% every 1 min"
        );
        assert_eq!(
            config_label("CodeDeployDefault.ECSLinear10PercentEvery3Minutes"),
            "linear: 10% every 3 min"
        );
        assert_eq!(
            config_label("CodeDeployDefault.ECSAllAtOnce"),
            "all at once"
        );
        assert_eq!(
            config_label("gateway-canary-25"),
            "custom (gateway-canary-25)"
        );
        // A predefined name this version does not know is not guessed at.
        assert_eq!(
            config_label("CodeDeployDefault.OneAtATime"),
            "predefined (CodeDeployDefault.OneAtATime)"
        );
    }

    #[test]
    fn looking_says_where_it_looked() {
        let looked = Looked {
            applications: 2,
            groups: 3,
            ecs_groups: 1,
        };
        let text = looked.describe("production", "web");
        assert!(text.contains("production/web"), "{text}");
        assert!(
            text.contains("2 application(s), 3 group(s), 1 of them ECS"),
            "{text}"
        );
    }
}
