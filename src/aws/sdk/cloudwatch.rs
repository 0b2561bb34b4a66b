//! CloudWatch metrics and alarms over the SDK: the [`CloudWatch`] calls of [`SdkApi`].

use super::{SdkApi, millis, opt, owned};
use crate::aws::*;
use async_trait::async_trait;
use aws_sdk_cloudwatch as cw;

#[async_trait]
impl CloudWatch for SdkApi {
    async fn get_metric_data(&self, req: &MetricRequest) -> Result<MetricPage, ApiError> {
        let queries = req.queries.iter().map(|q| {
            let metric = cw::types::Metric::builder()
                .namespace(&q.namespace)
                .metric_name(&q.metric)
                .set_dimensions(Some(
                    q.dimensions
                        .iter()
                        .map(|(n, v)| cw::types::Dimension::builder().name(n).value(v).build())
                        .collect(),
                ))
                .build();
            cw::types::MetricDataQuery::builder()
                .id(&q.id)
                .metric_stat(
                    cw::types::MetricStat::builder()
                        .metric(metric)
                        .period(q.period_secs)
                        .stat(q.stat.as_str())
                        .build(),
                )
                .return_data(true)
                .build()
        });
        let out = self
            .cw
            .get_metric_data()
            .set_metric_data_queries(Some(queries.collect()))
            .start_time(aws_smithy_types::DateTime::from_millis(req.start))
            .end_time(aws_smithy_types::DateTime::from_millis(req.end))
            .scan_by(cw::types::ScanBy::TimestampAscending)
            .set_next_token(req.next_token.clone())
            .send()
            .await
            .map_err(|e| self.map_err("cloudwatch:GetMetricData", e))?;
        Ok(MetricPage {
            results: out
                .metric_data_results()
                .iter()
                .map(|r| MetricResult {
                    id: owned(r.id()),
                    timestamps: r
                        .timestamps()
                        .iter()
                        .filter_map(|t| t.to_millis().ok())
                        .collect(),
                    values: r.values().to_vec(),
                    status: r
                        .status_code()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_else(|| "Complete".into()),
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }

    async fn describe_alarms(
        &self,
        state: Option<&str>,
        next_token: Option<String>,
    ) -> Result<AlarmPage, ApiError> {
        let out = self
            .cw
            .describe_alarms()
            .set_state_value(state.map(cw::types::StateValue::from))
            .alarm_types(cw::types::AlarmType::MetricAlarm)
            .max_records(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.map_err("cloudwatch:DescribeAlarms", e))?;
        let dims = |d: &[cw::types::Dimension]| -> Vec<(String, String)> {
            d.iter()
                .map(|d| (owned(d.name()), owned(d.value())))
                .collect()
        };
        Ok(AlarmPage {
            alarms: out
                .metric_alarms()
                .iter()
                .map(|a| {
                    let mut dimensions = dims(a.dimensions());
                    for m in a.metrics() {
                        if let Some(metric) = m.metric_stat().and_then(|s| s.metric()) {
                            dimensions.extend(dims(metric.dimensions()));
                        }
                    }
                    Alarm {
                        alarm_name: owned(a.alarm_name()),
                        state_value: a
                            .state_value()
                            .map(|s| s.as_str().to_owned())
                            .unwrap_or_default(),
                        state_reason: opt(a.state_reason()),
                        state_updated_at: millis(a.state_updated_timestamp()),
                        namespace: opt(a.namespace()),
                        metric_name: opt(a.metric_name()),
                        dimensions,
                    }
                })
                .collect(),
            next_token: opt(out.next_token()),
        })
    }
}
