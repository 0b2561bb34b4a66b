//! What the reducer asks of the metrics worker, and what comes back.

use crate::aws::Alarm;
use crate::aws::ApiError;
use crate::aws::MetricResult;
use crate::aws::Millis;
use crate::aws::Service;
use crate::aws::TargetGroup;
use crate::aws::TargetHealth;
use crate::model::metrics::Window;
use std::collections::HashMap;
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricsRequest {
    /// The charts of one service: `compact` is the service detail pane.
    Service {
        cluster: String,
        service: String,
        window: Window,
        compact: bool,
    },
    /// A services list: which services are in ALARM, and (if `columns`) current CPU and 5XX in the window.
    Fleet {
        cluster: String,
        /// (service name, target group ARNs).
        services: Vec<(String, Vec<String>)>,
        columns: Option<Window>,
    },
}

/// The optional services-list columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetColumns {
    /// Service name -> CPU utilization (average of the newest minute).
    pub cpu: HashMap<String, f64>,
    /// Service name -> target 5XX in the window, over all its target groups.
    pub errors: HashMap<String, f64>,
    /// Metrics requested per refresh (what CloudWatch bills).
    pub metrics: usize,
    pub window: Window,
    pub at: Millis,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MetricsUpdate {
    Service(Box<Service>),
    ServiceFailed(ApiError),
    TargetGroups(Result<Vec<TargetGroup>, ApiError>),
    Data {
        window: Window,
        start: Millis,
        end: Millis,
        period_ms: Millis,
        results: Vec<MetricResult>,
        /// Metrics requested (billed) by this refresh, and the GetMetricData calls it took.
        queries: usize,
        calls: u32,
        at: Millis,
    },
    DataFailed(ApiError),
    Health {
        arn: String,
        result: Result<Vec<TargetHealth>, ApiError>,
    },
    /// Alarms watching this service or its target groups, any state.
    Alarms(Result<Vec<Alarm>, ApiError>),
    /// Every alarm of the account in ALARM (the reducer matches them to the list's services).
    FleetAlarms {
        result: Result<Vec<Alarm>, ApiError>,
        at: Millis,
    },
    Columns(Result<FleetColumns, ApiError>),
}

impl MetricsUpdate {
    /// The error this update carries, if any: the screen shows one sentence, the log file keeps the whole.
    pub fn error(&self) -> Option<(&'static str, &ApiError)> {
        match self {
            MetricsUpdate::ServiceFailed(e) => Some(("the service", e)),
            MetricsUpdate::TargetGroups(Err(e)) => Some(("its target groups", e)),
            MetricsUpdate::DataFailed(e) => Some(("its metrics", e)),
            MetricsUpdate::Health { result: Err(e), .. } => Some(("target health", e)),
            MetricsUpdate::Alarms(Err(e)) => Some(("its alarms", e)),
            MetricsUpdate::FleetAlarms { result: Err(e), .. } => Some(("alarms in ALARM", e)),
            MetricsUpdate::Columns(Err(e)) => Some(("the list's CPU/5XX columns", e)),
            _ => None,
        }
    }
}
