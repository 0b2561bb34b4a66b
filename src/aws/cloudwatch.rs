//! CloudWatch metrics, alarms and ELBv2 target groups: what the charts ask for and what comes back.

use super::Millis;
use serde::Serialize;

/// At most this many queries in one GetMetricData call (an AWS limit).
pub const METRIC_QUERIES_PER_CALL: usize = 500;
/// At most this many datapoints in one GetMetricData response before it pages (an AWS limit).
pub const METRIC_POINTS_PER_CALL: usize = 100_800;
/// At most this many ARNs in one DescribeTargetGroups call (an AWS limit).
pub const TARGET_GROUPS_PER_CALL: usize = 20;
/// What CloudWatch charts for GetMetricData: $0.01 per 1,000 metrics requested (us-east-1 list price).
pub const DOLLARS_PER_METRIC: f64 = 0.01 / 1000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Stat {
    Average,
    Maximum,
    Minimum,
    Sum,
}

impl Stat {
    pub fn as_str(self) -> &'static str {
        match self {
            Stat::Average => "Average",
            Stat::Maximum => "Maximum",
            Stat::Minimum => "Minimum",
            Stat::Sum => "Sum",
        }
    }
}

/// One metric of one GetMetricData call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricQuery {
    /// Unique within the call; `[a-z][a-zA-Z0-9_]*` as AWS requires.
    pub id: String,
    pub namespace: String,
    pub metric: String,
    pub dimensions: Vec<(String, String)>,
    pub stat: Stat,
    pub period_secs: i32,
}

/// One GetMetricData call (one page of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricRequest {
    pub queries: Vec<MetricQuery>,
    /// Inclusive, epoch ms, aligned to the period.
    pub start: Millis,
    /// Exclusive, epoch ms.
    pub end: Millis,
    pub next_token: Option<String>,
}

/// The datapoints of one query, in any order (AWS returns newest first by default).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricResult {
    pub id: String,
    pub timestamps: Vec<Millis>,
    pub values: Vec<f64>,
    /// `Complete`, `PartialData`, `InternalError` or `Forbidden`.
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricPage {
    pub results: Vec<MetricResult>,
    pub next_token: Option<String>,
}

/// An ALB target group as DescribeTargetGroups reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroup {
    pub target_group_arn: String,
    pub target_group_name: String,
    pub load_balancer_arns: Vec<String>,
    pub port: Option<i32>,
    pub protocol: Option<String>,
    pub target_type: Option<String>,
    pub health_check_path: Option<String>,
}

impl TargetGroup {
    /// The `TargetGroup` metric dimension: `targetgroup/name/id`.
    pub fn dimension(&self) -> Option<&str> {
        target_group_dimension(&self.target_group_arn)
    }
    /// The `LoadBalancer` metric dimension of the first load balancer: `app/name/id`.
    pub fn load_balancer_dimension(&self) -> Option<&str> {
        self.load_balancer_arns
            .iter()
            .find_map(|a| load_balancer_dimension(a))
    }
}

/// `targetgroup/name/id` from `arn:aws:elasticloadbalancing:r:acct:targetgroup/name/id`.
pub fn target_group_dimension(arn: &str) -> Option<&str> {
    let (_, tail) = arn.rsplit_once(':')?;
    (tail.starts_with("targetgroup/") && tail.split('/').count() == 3).then_some(tail)
}

/// `app/name/id` from `arn:aws:elasticloadbalancing:r:acct:loadbalancer/app/name/id`.
pub fn load_balancer_dimension(arn: &str) -> Option<&str> {
    let (_, tail) = arn.split_once(":loadbalancer/")?;
    (tail.split('/').count() == 3).then_some(tail)
}

/// One registered target and its health now (DescribeTargetHealth).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetHealth {
    /// IP address or instance id.
    pub id: String,
    pub port: Option<i32>,
    /// initial, healthy, unhealthy, unhealthy.draining, unused, draining, unavailable.
    pub state: String,
    /// e.g. `Target.FailedHealthChecks`.
    pub reason: Option<String>,
    pub description: Option<String>,
}

/// A CloudWatch metric alarm (DescribeAlarms).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarm {
    pub alarm_name: String,
    /// OK, ALARM or INSUFFICIENT_DATA.
    pub state_value: String,
    pub state_reason: Option<String>,
    pub state_updated_at: Option<Millis>,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    /// The alarm's own dimensions and, for metric-math alarms, those of every metric it reads.
    pub dimensions: Vec<(String, String)>,
}

impl Alarm {
    pub fn in_alarm(&self) -> bool {
        self.state_value == "ALARM"
    }
    fn has(&self, name: &str, value: &str) -> bool {
        self.dimensions.iter().any(|(n, v)| n == name && v == value)
    }
    /// Whether the alarm watches this service (ClusterName + ServiceName) or one of its target groups.
    pub fn watches(&self, cluster: &str, service: &str, target_groups: &[&str]) -> bool {
        (self.has("ClusterName", cluster) && self.has("ServiceName", service))
            || target_groups.iter().any(|tg| self.has("TargetGroup", tg))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlarmPage {
    pub alarms: Vec<Alarm>,
    pub next_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_come_from_the_arns() {
        assert_eq!(
            target_group_dimension(
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-blue/73e2d6bc24d8a067"
            ),
            Some("targetgroup/web-blue/73e2d6bc24d8a067")
        );
        assert_eq!(
            load_balancer_dimension(
                "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188"
            ),
            Some("app/shop/50dc6c495c0c9188")
        );
        // Not a target group / not an ALB ARN: no dimension, rather than a wrong one.
        assert_eq!(target_group_dimension("web-blue"), None);
        assert_eq!(
            target_group_dimension("arn:aws:elasticloadbalancing:r:1:loadbalancer/app/x/1"),
            None
        );
        assert_eq!(load_balancer_dimension("app/shop/1"), None);
    }

    #[test]
    fn an_alarm_watches_its_service_or_target_group() {
        let alarm = Alarm {
            dimensions: vec![
                ("ClusterName".into(), "prod".into()),
                ("ServiceName".into(), "web".into()),
            ],
            ..Default::default()
        };
        assert!(alarm.watches("prod", "web", &[]));
        assert!(!alarm.watches("prod", "api", &[]));
        assert!(!alarm.watches("staging", "web", &[]));
        let tg = Alarm {
            dimensions: vec![
                ("LoadBalancer".into(), "app/shop/1".into()),
                ("TargetGroup".into(), "targetgroup/web/2".into()),
            ],
            ..Default::default()
        };
        assert!(tg.watches("prod", "web", &["targetgroup/web/2"]));
        assert!(!tg.watches("prod", "web", &["targetgroup/api/3"]));
    }
}
