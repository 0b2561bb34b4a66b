//! CloudWatch metrics and alarms: what the charts ask for and what comes back — the domain types and the
//! [`CloudWatch`] trait (one method per AWS call).

use super::{ApiError, Millis};
use async_trait::async_trait;
use serde::Serialize;

/// At most this many queries in one GetMetricData call (an AWS limit).
pub const METRIC_QUERIES_PER_CALL: usize = 500;
/// At most this many datapoints in one GetMetricData response before it pages (an AWS limit).
pub const METRIC_POINTS_PER_CALL: usize = 100_800;
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

/// CloudWatch (metrics and alarms), one AWS call per method (see [`crate::aws`]).
#[async_trait]
pub trait CloudWatch: Send + Sync {
    /// One page of one GetMetricData call (at most [`METRIC_QUERIES_PER_CALL`] queries).
    async fn get_metric_data(&self, req: &MetricRequest) -> Result<MetricPage, ApiError>;
    /// One page of metric alarms, optionally only those in `state` (OK, ALARM, INSUFFICIENT_DATA).
    async fn describe_alarms(
        &self,
        state: Option<&str>,
        next_token: Option<String>,
    ) -> Result<AlarmPage, ApiError>;
}

#[cfg(test)]
mod tests {
    use super::*;

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
