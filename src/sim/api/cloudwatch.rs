//! CloudWatch metric and alarm calls answered from the simulated metrics.

use super::too_many;
use crate::aws::*;
use crate::sim::Sim;
use async_trait::async_trait;

#[async_trait]
impl CloudWatch for Sim {
    async fn get_metric_data(&self, req: &MetricRequest) -> Result<MetricPage, ApiError> {
        const ACTION: &str = "cloudwatch:GetMetricData";
        self.call(ACTION, &self.calls.get_metric_data).await?;
        let invalid = |message: String| ApiError::Invalid {
            action: ACTION.into(),
            message,
        };
        too_many(ACTION, req.queries.len(), METRIC_QUERIES_PER_CALL)?;
        let mut ids = std::collections::HashSet::new();
        let mut points = 0usize;
        for q in &req.queries {
            if !ids.insert(q.id.as_str()) {
                return Err(invalid(format!("duplicate MetricDataQuery id {}", q.id)));
            }
            if q.period_secs < 60 || q.period_secs % 60 != 0 {
                return Err(invalid(format!(
                    "the period of {} must be a multiple of 60, got {}",
                    q.id, q.period_secs
                )));
            }
            points += ((req.end - req.start) / (q.period_secs as i64 * 1000)).max(1) as usize;
        }
        if points > METRIC_POINTS_PER_CALL {
            // AWS would page; ecsdeck plans its calls so that it never has to (the test asserts it).
            return Err(invalid(format!(
                "{points} datapoints asked for in one call (more than {METRIC_POINTS_PER_CALL})"
            )));
        }
        // The metrics follow the fleet: move it up to now first.
        drop(self.fleet());
        let now = self.metrics_now();
        Ok(MetricPage {
            results: req
                .queries
                .iter()
                .map(|q| self.metrics().query(q, req.start, req.end, now))
                .collect(),
            next_token: None,
        })
    }

    async fn describe_alarms(
        &self,
        state: Option<&str>,
        next_token: Option<String>,
    ) -> Result<AlarmPage, ApiError> {
        self.call("cloudwatch:DescribeAlarms", &self.calls.describe_alarms)
            .await?;
        drop(self.fleet());
        let all = self.metrics().alarms(state, self.metrics_now());
        let start: usize = next_token
            .as_deref()
            .and_then(|t| t.strip_prefix("sim:"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
            .min(all.len());
        let end = (start + 100).min(all.len());
        Ok(AlarmPage {
            alarms: all.get(start..end).unwrap_or_default().to_vec(),
            next_token: (end < all.len()).then(|| format!("sim:{end}")),
        })
    }
}
