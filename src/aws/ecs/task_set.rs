//! ECS task sets (DescribeTaskSets): what a CODE_DEPLOY or EXTERNAL service runs instead of deployments —
//! one PRIMARY set taking production traffic and, during a blue/green deployment, an ACTIVE one beside it.

use crate::aws::Millis;
use serde::Serialize;

/// One task set of a service.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSet {
    pub id: String,
    pub task_set_arn: String,
    /// PRIMARY, ACTIVE or DRAINING.
    pub status: String,
    pub task_definition: String,
    /// STEADY_STATE or STABILIZING.
    pub stability_status: Option<String>,
    /// The share of the service's desired count this set runs, in `scale_unit` (PERCENT).
    pub scale_value: Option<f64>,
    pub scale_unit: Option<String>,
    pub computed_desired_count: i32,
    pub pending_count: i32,
    pub running_count: i32,
    /// `codedeploy/<deployment id>` for sets CodeDeploy made.
    pub started_by: Option<String>,
    pub external_id: Option<String>,
    pub launch_type: Option<String>,
    pub target_group_arns: Vec<String>,
    pub created_at: Option<Millis>,
    pub updated_at: Option<Millis>,
}

impl TaskSet {
    /// The CodeDeploy deployment that created this set (`startedBy: codedeploy/d-XXXX`… or the external id).
    pub fn codedeploy_deployment(&self) -> Option<&str> {
        self.started_by
            .as_deref()
            .and_then(|s| s.strip_prefix("codedeploy/"))
            .or_else(|| self.external_id.as_deref().filter(|e| e.starts_with("d-")))
    }
}
