//! The charts view's state (window, page of charts, scroll) and the fleet metric columns of a services list; planning the queries and merging the answers are in `model::metrics`.

use crate::aws::Alarm;
use crate::aws::ApiError;
use crate::aws::Millis;
use crate::aws::Service;
use crate::aws::TargetGroup;
use crate::aws::TargetHealth;
use crate::aws::arn_name;
use crate::aws::target_group_dimension;
use crate::model::metrics::ChartSpec;
use crate::model::metrics::MetricsData;
use crate::model::metrics::Window;
use crate::model::metrics::plan;
use crate::protocol::FleetColumns;
use crate::protocol::MetricsRequest;
use crate::protocol::MetricsUpdate;
use std::collections::BTreeMap;
/// Rows a chart needs to say something useful (title, legend, three plot rows, axis, labels).
pub const MIN_CHART_ROWS: u16 = 7;

/// Columns a chart needs: y labels, the axis, and a plot worth reading.
pub const MIN_CHART_WIDTH: u16 = 30;

/// The charts go side by side from this width.
const TWO_COLUMNS_WIDTH: u16 = 100;

/// Which part of the charts' grid is on screen: charts scroll by whole rows of charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartPage {
    /// Charts side by side.
    pub cols: usize,
    /// Rows of charts on screen at once.
    pub rows: usize,
    /// Rows of charts in all.
    pub total_rows: usize,
    /// The first row on screen (clamped to what fits).
    pub first_row: usize,
}

impl ChartPage {
    /// What of `items` panels fits a grid of `width`×`height` cells scrolled to panel `scroll`. The grid
    /// keeps a line for the scroll indicator when not everything fits.
    pub fn fit(items: usize, width: u16, height: u16, scroll: usize) -> ChartPage {
        let cols = if width >= TWO_COLUMNS_WIDTH { 2 } else { 1 };
        let total_rows = items.div_ceil(cols).max(1);
        let fits = usize::from(height / MIN_CHART_ROWS);
        let rows = if fits >= total_rows {
            total_rows
        } else {
            usize::from(height.saturating_sub(1) / MIN_CHART_ROWS).max(1)
        };
        let first_row = (scroll / cols).min(total_rows - rows.min(total_rows));
        ChartPage {
            cols,
            rows,
            total_rows,
            first_row,
        }
    }

    pub fn scrolls(&self) -> bool {
        self.rows < self.total_rows
    }

    /// The panels on screen, as a range of indices.
    pub fn visible(&self, items: usize) -> std::ops::Range<usize> {
        let start = (self.first_row * self.cols).min(items);
        let end = ((self.first_row + self.rows) * self.cols).min(items);
        start..end
    }

    /// The highest first panel: the last row of charts at the bottom of the screen.
    pub fn max_scroll(&self) -> usize {
        self.total_rows.saturating_sub(self.rows) * self.cols
    }
}

/// The charts of one service, with what the worker reported: a full-screen view (`m`) or the service
/// detail's pane (`compact`).
#[derive(Debug, Clone)]
pub struct MetricsView {
    pub cluster: String,
    pub service: String,
    pub window: Window,
    pub compact: bool,
    /// The service as the worker last described it (deployments for the markers).
    pub service_data: Option<Service>,
    pub service_error: Option<ApiError>,
    pub target_groups: Option<Result<Vec<TargetGroup>, ApiError>>,
    pub charts: Vec<ChartSpec>,
    pub data: MetricsData,
    pub data_error: Option<ApiError>,
    /// When the last GetMetricData answered.
    pub fetched_at: Option<Millis>,
    /// Metrics requested per refresh (billed), and GetMetricData calls made since the view opened.
    pub queries: usize,
    pub calls: u64,
    /// Per target group ARN, in the service's order.
    pub health: Vec<(String, Result<Vec<TargetHealth>, ApiError>)>,
    pub alarms: Option<Result<Vec<Alarm>, ApiError>>,
    /// The first panel on screen (charts, then target health and alarms) when they do not all fit.
    pub scroll: usize,
}

impl MetricsView {
    pub fn new(cluster: &str, service: &str, window: Window, compact: bool) -> Self {
        let mut view = MetricsView {
            cluster: cluster.to_owned(),
            service: service.to_owned(),
            window,
            compact,
            service_data: None,
            service_error: None,
            target_groups: None,
            charts: Vec::new(),
            data: MetricsData::default(),
            data_error: None,
            fetched_at: None,
            queries: 0,
            calls: 0,
            health: Vec::new(),
            alarms: None,
            scroll: 0,
        };
        view.replan();
        view
    }

    pub fn request(&self) -> MetricsRequest {
        MetricsRequest::Service {
            cluster: self.cluster.clone(),
            service: self.service.clone(),
            window: self.window,
            compact: self.compact,
        }
    }

    /// Panels of the full-screen view: every chart, then target health and alarms.
    pub fn panels(&self) -> usize {
        self.charts.len() + 1
    }

    /// Moves by `rows` rows of charts (negative: up), within what a `width`×`height` grid can show.
    /// `isize::MIN` / `isize::MAX` go to the top / bottom.
    pub fn scroll_rows(&mut self, rows: isize, width: u16, height: u16) {
        let page = ChartPage::fit(self.panels(), width, height, self.scroll);
        let row = page.first_row.saturating_add_signed(rows);
        self.scroll = row.saturating_mul(page.cols).min(page.max_scroll());
    }

    pub fn groups(&self) -> &[TargetGroup] {
        match &self.target_groups {
            Some(Ok(g)) => g,
            _ => &[],
        }
    }

    fn replan(&mut self) {
        let (queries, charts) = plan(
            arn_name(&self.cluster),
            arn_name(&self.service),
            self.groups(),
            self.window,
            self.compact,
        );
        self.queries = queries.len();
        self.charts = charts;
    }

    /// A new window: the data of the old one goes (the worker fetches the new one whole).
    pub fn set_window(&mut self, window: Window) {
        self.window = window;
        self.data = MetricsData::default();
        self.fetched_at = None;
        self.replan();
    }

    /// The alarms of this service in ALARM now.
    pub fn firing(&self) -> Vec<&str> {
        match &self.alarms {
            Some(Ok(a)) => a
                .iter()
                .filter(|a| a.in_alarm())
                .map(|a| a.alarm_name.as_str())
                .collect(),
            _ => vec![],
        }
    }

    pub fn apply(&mut self, update: MetricsUpdate) {
        match update {
            MetricsUpdate::Service(s) => {
                self.service_data = Some(*s);
                self.service_error = None;
            }
            MetricsUpdate::ServiceFailed(e) => self.service_error = Some(e),
            MetricsUpdate::TargetGroups(result) => {
                // A failed re-resolution keeps the groups known (their charts stay).
                if result.is_ok() || !matches!(self.target_groups, Some(Ok(_))) {
                    self.target_groups = Some(result);
                    self.replan();
                    let arns: Vec<String> = self
                        .groups()
                        .iter()
                        .map(|g| g.target_group_arn.clone())
                        .collect();
                    self.health.retain(|(a, _)| arns.contains(a));
                }
            }
            MetricsUpdate::Data {
                window,
                start,
                end,
                period_ms,
                results,
                queries,
                calls,
                at,
            } => {
                if window != self.window {
                    return;
                }
                self.data.merge(start, end, period_ms, &results);
                self.data.prune(end - window.millis());
                self.fetched_at = Some(at);
                self.data_error = None;
                self.queries = queries;
                self.calls += calls as u64;
            }
            MetricsUpdate::DataFailed(e) => self.data_error = Some(e),
            MetricsUpdate::Health { arn, result } => {
                match self.health.iter_mut().find(|(a, _)| *a == arn) {
                    Some(entry) => entry.1 = result,
                    None => self.health.push((arn, result)),
                }
            }
            MetricsUpdate::Alarms(result) => self.alarms = Some(result),
            MetricsUpdate::FleetAlarms { .. } | MetricsUpdate::Columns(_) => {}
        }
    }
}

/// What a services list knows from CloudWatch: which services are in ALARM, and the optional columns.
#[derive(Debug, Clone, Default)]
pub struct FleetMetrics {
    /// Every alarm of the account in ALARM (the last scan).
    pub alarms: Vec<Alarm>,
    pub alarms_at: Option<Millis>,
    pub alarms_error: Option<ApiError>,
    /// Service name -> names of its alarms in ALARM.
    pub in_alarm: BTreeMap<String, Vec<String>>,
    /// The CPU / 5XX columns are on (they cost money: off by default).
    pub columns_on: bool,
    pub columns: Option<FleetColumns>,
    pub columns_error: Option<ApiError>,
}

impl FleetMetrics {
    /// Matches the alarms to the services of the list (by ClusterName + ServiceName or TargetGroup).
    pub fn match_services(&mut self, cluster: &str, services: &[Service]) {
        let cluster = arn_name(cluster);
        self.in_alarm.clear();
        for s in services {
            let arns = s.target_group_arns();
            let dims: Vec<&str> = arns
                .iter()
                .filter_map(|a| target_group_dimension(a))
                .collect();
            let names: Vec<String> = self
                .alarms
                .iter()
                .filter(|a| a.in_alarm() && a.watches(cluster, &s.service_name, &dims))
                .map(|a| a.alarm_name.clone())
                .collect();
            if !names.is_empty() {
                self.in_alarm.insert(s.service_name.clone(), names);
            }
        }
    }
}

/// What a services list asks the metrics worker for.
pub fn fleet_request(
    cluster: &str,
    services: &[Service],
    columns: Option<Window>,
) -> MetricsRequest {
    MetricsRequest::Fleet {
        cluster: cluster.to_owned(),
        services: services
            .iter()
            .map(|s| (s.service_name.clone(), s.target_group_arns()))
            .collect(),
        columns,
    }
}
