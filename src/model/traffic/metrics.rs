//! The per-target-group numbers of a pair, side by side: requests, target 5XX rate and response time over
//! the last few minutes, from one small GetMetricData call (6 metrics) — and what they are when CloudWatch
//! has nothing (unknown, never zero).

use super::*;

/// The span the numbers cover.
pub const METRICS_SPAN_MS: Millis = 5 * 60_000;

/// One target group's numbers over the last [`METRICS_SPAN_MS`]; None: CloudWatch had no datapoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupMetrics {
    pub target_group_arn: String,
    pub requests: Option<f64>,
    pub five_xx: Option<f64>,
    /// Average TargetResponseTime, seconds.
    pub response_time: Option<f64>,
}

impl GroupMetrics {
    /// Target 5XX per request, in per cent, when requests were counted. ALB publishes 5XX only for periods
    /// that had some: with requests and no 5XX datapoint the rate is 0.
    pub fn five_xx_rate(&self) -> Option<f64> {
        let requests = self.requests.filter(|r| *r > 0.0)?;
        Some(self.five_xx.unwrap_or(0.0) * 100.0 / requests)
    }
}

/// The six queries for the pair's two groups (`g0_*` blue, `g1_*` green), or None when a group's ARN has
/// no metric dimension (not an ALB target group).
pub fn metric_queries(pair: &Pair, load_balancer_dimension: &str) -> Option<Vec<MetricQuery>> {
    let mut out = Vec::new();
    for (i, side) in [&pair.blue, &pair.green].into_iter().enumerate() {
        let tg = target_group_dimension(&side.target_group_arn)?;
        let dims = vec![
            (
                "LoadBalancer".to_owned(),
                load_balancer_dimension.to_owned(),
            ),
            ("TargetGroup".to_owned(), tg.to_owned()),
        ];
        for (what, metric, stat) in [
            ("req", "RequestCount", Stat::Sum),
            ("t5xx", "HTTPCode_Target_5XX_Count", Stat::Sum),
            ("rt", "TargetResponseTime", Stat::Average),
        ] {
            out.push(MetricQuery {
                id: format!("g{i}_{what}"),
                namespace: "AWS/ApplicationELB".into(),
                metric: metric.into(),
                dimensions: dims.clone(),
                stat,
                period_secs: (METRICS_SPAN_MS / 1000) as i32,
            });
        }
    }
    Some(out)
}

/// The numbers of both groups from the call's results (one period each: the span).
pub fn group_metrics(pair: &Pair, results: &[MetricResult]) -> Vec<GroupMetrics> {
    let value = |id: String| {
        results
            .iter()
            .find(|r| r.id == id)
            .and_then(|r| r.values.first().copied())
    };
    [&pair.blue, &pair.green]
        .into_iter()
        .enumerate()
        .map(|(i, side)| GroupMetrics {
            target_group_arn: side.target_group_arn.clone(),
            requests: value(format!("g{i}_req")),
            five_xx: value(format!("g{i}_t5xx")),
            response_time: value(format!("g{i}_rt")),
        })
        .collect()
}
