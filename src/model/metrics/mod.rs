//! Charts as the app keeps them: which metrics a service's charts need (one GetMetricData call), how their
//! datapoints merge across refreshes, and how gaps are filled. Pure: the worker and the views share it.

use crate::aws::*;
use std::collections::{BTreeMap, HashMap};

const MINUTE: Millis = 60_000;

/// The time range the charts show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Window {
    M15,
    #[default]
    H1,
    H3,
    H12,
    H24,
}

impl Window {
    pub const ALL: [Window; 5] = [
        Window::M15,
        Window::H1,
        Window::H3,
        Window::H12,
        Window::H24,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Window::M15 => "15m",
            Window::H1 => "1h",
            Window::H3 => "3h",
            Window::H12 => "12h",
            Window::H24 => "24h",
        }
    }
    pub fn millis(self) -> Millis {
        match self {
            Window::M15 => 15 * MINUTE,
            Window::H1 => 60 * MINUTE,
            Window::H3 => 180 * MINUTE,
            Window::H12 => 720 * MINUTE,
            Window::H24 => 1_440 * MINUTE,
        }
    }
    pub fn parse(s: &str) -> Option<Window> {
        Window::ALL.into_iter().find(|w| w.label() == s.trim())
    }
    /// The next longer (`+1`) or shorter (`-1`) window, stopping at the ends.
    pub fn step(self, delta: i32) -> Window {
        let i = Window::ALL.iter().position(|w| *w == self).unwrap_or(1) as i32;
        let next = (i + delta).clamp(0, Window::ALL.len() as i32 - 1) as usize;
        Window::ALL.get(next).copied().unwrap_or(self)
    }
    /// The period for `queries` metrics over this window: one minute (ECS and ALB publish per minute, so
    /// 24 h is 1,440 points), doubled only if one call would otherwise return more datapoints than AWS sends
    /// in one response (100,800), so that a refresh is always exactly one call.
    pub fn period_secs(self, queries: usize) -> i32 {
        let mut period = 60i64;
        while queries as i64 * (self.millis() / (period * 1000)) > METRIC_POINTS_PER_CALL as i64 {
            period *= 2;
        }
        period as i32
    }
}

/// Midnight-aligned multiples of `period` (ms): the start of the bucket holding `t`.
pub fn align_down(t: Millis, period: Millis) -> Millis {
    t.div_euclid(period) * period
}

/// How a chart's numbers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Count,
    Seconds,
    Hosts,
}

impl Unit {
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Percent => format!("{v:.1}%"),
            Unit::Seconds if v < 1.0 => format!("{:.0}ms", v * 1000.0),
            Unit::Seconds => format!("{v:.2}s"),
            Unit::Count | Unit::Hosts if v >= 10_000.0 => format!("{:.1}k", v / 1000.0),
            Unit::Count | Unit::Hosts => {
                if v.fract().abs() < 1e-9 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            }
        }
    }
}

/// Where a series' values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Query(String),
    /// `errors / requests × 100` per bucket; no requests, no value.
    Rate {
        errors: String,
        requests: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSpec {
    pub label: String,
    pub source: Source,
    /// ALB publishes counts only for minutes that had some: a missing datapoint is a zero.
    pub missing_is_zero: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartId {
    Cpu,
    Memory,
    Requests,
    Errors,
    ErrorRate,
    Latency,
    Hosts,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartSpec {
    pub id: ChartId,
    pub title: &'static str,
    pub unit: Unit,
    pub series: Vec<SeriesSpec>,
}

/// What the charts of one service need: every query of the one GetMetricData call, and the charts that read
/// them. `compact` is the service detail pane (CPU, memory and 5XX only: fewer metrics billed).
pub fn plan(
    cluster: &str,
    service: &str,
    target_groups: &[TargetGroup],
    window: Window,
    compact: bool,
) -> (Vec<MetricQuery>, Vec<ChartSpec>) {
    let mut queries: Vec<MetricQuery> = Vec::new();
    let mut q = |id: String, namespace: &str, metric: &str, dims: Vec<(String, String)>, stat| {
        queries.push(MetricQuery {
            id: id.clone(),
            namespace: namespace.into(),
            metric: metric.into(),
            dimensions: dims,
            stat,
            period_secs: 60,
        });
        Source::Query(id)
    };
    let ecs_dims = || {
        vec![
            ("ClusterName".to_owned(), cluster.to_owned()),
            ("ServiceName".to_owned(), service.to_owned()),
        ]
    };
    let series = |label: &str, source: Source, zero: bool| SeriesSpec {
        label: label.into(),
        source,
        missing_is_zero: zero,
    };
    let mut charts = Vec::new();
    let mut cpu = vec![series(
        "avg",
        q(
            "cpu_avg".into(),
            "AWS/ECS",
            "CPUUtilization",
            ecs_dims(),
            Stat::Average,
        ),
        false,
    )];
    let mut mem = vec![series(
        "avg",
        q(
            "mem_avg".into(),
            "AWS/ECS",
            "MemoryUtilization",
            ecs_dims(),
            Stat::Average,
        ),
        false,
    )];
    if !compact {
        cpu.push(series(
            "max",
            q(
                "cpu_max".into(),
                "AWS/ECS",
                "CPUUtilization",
                ecs_dims(),
                Stat::Maximum,
            ),
            false,
        ));
        mem.push(series(
            "max",
            q(
                "mem_max".into(),
                "AWS/ECS",
                "MemoryUtilization",
                ecs_dims(),
                Stat::Maximum,
            ),
            false,
        ));
    }
    charts.push(ChartSpec {
        id: ChartId::Cpu,
        title: "CPU utilization",
        unit: Unit::Percent,
        series: cpu,
    });
    charts.push(ChartSpec {
        id: ChartId::Memory,
        title: "Memory utilization",
        unit: Unit::Percent,
        series: mem,
    });

    let (mut req, mut err, mut rate, mut lat, mut hosts) = (vec![], vec![], vec![], vec![], vec![]);
    let several = target_groups.len() > 1;
    for (i, tg) in target_groups.iter().enumerate() {
        let (Some(tg_dim), Some(lb_dim)) = (tg.dimension(), tg.load_balancer_dimension()) else {
            continue;
        };
        let dims = || {
            vec![
                ("LoadBalancer".to_owned(), lb_dim.to_owned()),
                ("TargetGroup".to_owned(), tg_dim.to_owned()),
            ]
        };
        let name = &tg.target_group_name;
        let label = |what: &str| {
            if several || what.is_empty() {
                format!("{name}{}{what}", if what.is_empty() { "" } else { " " })
            } else {
                what.to_owned()
            }
        };
        const ALB: &str = "AWS/ApplicationELB";
        let t5xx = q(
            format!("t{i}_t5xx"),
            ALB,
            "HTTPCode_Target_5XX_Count",
            dims(),
            Stat::Sum,
        );
        err.push(series(&label("target"), t5xx, true));
        if compact {
            continue;
        }
        err.push(series(
            &label("elb"),
            q(
                format!("t{i}_e5xx"),
                ALB,
                "HTTPCode_ELB_5XX_Count",
                dims(),
                Stat::Sum,
            ),
            true,
        ));
        req.push(series(
            &label(""),
            q(format!("t{i}_req"), ALB, "RequestCount", dims(), Stat::Sum),
            true,
        ));
        rate.push(series(
            &label(""),
            Source::Rate {
                errors: format!("t{i}_t5xx"),
                requests: format!("t{i}_req"),
            },
            false,
        ));
        lat.push(series(
            &label("avg"),
            q(
                format!("t{i}_rt"),
                ALB,
                "TargetResponseTime",
                dims(),
                Stat::Average,
            ),
            false,
        ));
        hosts.push(series(
            &label("healthy"),
            q(
                format!("t{i}_hh"),
                ALB,
                "HealthyHostCount",
                dims(),
                Stat::Minimum,
            ),
            false,
        ));
        hosts.push(series(
            &label("unhealthy"),
            q(
                format!("t{i}_uh"),
                ALB,
                "UnHealthyHostCount",
                dims(),
                Stat::Maximum,
            ),
            false,
        ));
    }
    if !err.is_empty() {
        let chart = |id, title, unit, series| ChartSpec {
            id,
            title,
            unit,
            series,
        };
        if compact {
            charts.push(chart(ChartId::Errors, "5XX", Unit::Count, err));
        } else {
            charts.push(chart(ChartId::Requests, "Requests", Unit::Count, req));
            charts.push(chart(
                ChartId::Errors,
                "5XX (target, elb)",
                Unit::Count,
                err,
            ));
            charts.push(chart(
                ChartId::ErrorRate,
                "Target 5XX rate",
                Unit::Percent,
                rate,
            ));
            charts.push(chart(ChartId::Latency, "Response time", Unit::Seconds, lat));
            charts.push(chart(
                ChartId::Hosts,
                "Hosts (min healthy, max unhealthy)",
                Unit::Hosts,
                hosts,
            ));
        }
    }
    let period = window.period_secs(queries.len());
    for q in &mut queries {
        q.period_secs = period;
    }
    (queries, charts)
}

/// The range a refresh asks for: the whole window the first time, then from a few minutes before the last
/// fetch's end so that late datapoints (CloudWatch publishes a minute after it ends, sometimes later)
/// replace the incomplete values fetched before.
pub fn fetch_range(
    now: Millis,
    window: Window,
    period_secs: i32,
    last_end: Option<Millis>,
    overlap: Millis,
) -> (Millis, Millis) {
    let period = period_secs as Millis * 1000;
    let end = align_down(now, period) + period;
    let window_start = end - window.millis();
    let start = match last_end {
        Some(last) => align_down((last - overlap).max(window_start), period),
        None => window_start,
    };
    (start, end)
}

/// Datapoints of every query, merged across refreshes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricsData {
    pub period_ms: Millis,
    pub series: HashMap<String, BTreeMap<Millis, f64>>,
    /// The end of the newest fetch: datapoints before it (and after the newest one) are missing, not late.
    pub fetched_to: Option<Millis>,
    /// The newest datapoint of any query: where "missing means zero" stops.
    pub newest: Option<Millis>,
}

impl MetricsData {
    /// Replaces everything in `[start, end)` of each returned query with what came back.
    pub fn merge(
        &mut self,
        start: Millis,
        end: Millis,
        period_ms: Millis,
        results: &[MetricResult],
    ) {
        if period_ms != self.period_ms {
            self.series.clear();
            self.newest = None;
            self.period_ms = period_ms;
        }
        for r in results {
            let points = self.series.entry(r.id.clone()).or_default();
            let stale: Vec<Millis> = points.range(start..end).map(|(t, _)| *t).collect();
            for t in stale {
                points.remove(&t);
            }
            for (t, v) in r.timestamps.iter().zip(&r.values) {
                if *t >= start && *t < end && v.is_finite() {
                    points.insert(*t, *v);
                    self.newest = Some(self.newest.map_or(*t, |n| n.max(*t)));
                }
            }
        }
        self.fetched_to = Some(self.fetched_to.map_or(end, |f| f.max(end)));
    }

    /// Drops datapoints before `start` (the window moved on).
    pub fn prune(&mut self, start: Millis) {
        for points in self.series.values_mut() {
            *points = points.split_off(&start);
        }
    }

    /// One value per bucket from `start` (aligned) up to the newest datapoint; None where there is no data.
    pub fn values(&self, spec: &SeriesSpec, start: Millis) -> Vec<(Millis, Option<f64>)> {
        let period = self.period_ms.max(MINUTE);
        let Some(newest) = self.newest else {
            return Vec::new();
        };
        let start = align_down(start, period);
        let get = |id: &str, t: Millis, zero: bool| {
            self.series
                .get(id)
                .and_then(|p| p.get(&t).copied())
                .or(zero.then_some(0.0))
        };
        (0..)
            .map(|i| start + i * period)
            .take_while(|t| *t <= newest)
            .map(|t| {
                let v = match &spec.source {
                    Source::Query(id) => get(id, t, spec.missing_is_zero),
                    Source::Rate { errors, requests } => match get(requests, t, false) {
                        Some(r) if r > 0.0 => Some(get(errors, t, true).unwrap_or(0.0) / r * 100.0),
                        _ => None,
                    },
                };
                (t, v)
            })
            .collect()
    }

    /// The newest datapoint of a series (for "data age").
    pub fn newest_of(&self, spec: &SeriesSpec) -> Option<Millis> {
        let id = match &spec.source {
            Source::Query(id) => id,
            Source::Rate { requests, .. } => requests,
        };
        self.series.get(id)?.keys().next_back().copied()
    }
}

/// current / min / max of a series' values.
pub fn summary(values: &[(Millis, Option<f64>)]) -> Option<(f64, f64, f64)> {
    let present = values.iter().filter_map(|(_, v)| *v);
    let current = values.iter().rev().find_map(|(_, v)| *v)?;
    let (min, max) = present.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Some((current, min, max))
}

/// Estimated CloudWatch cost of refreshing `metrics` metrics every `refresh_secs`: (metrics per hour, $ per hour).
pub fn cost_per_hour(metrics: usize, refresh_secs: u64) -> (u64, f64) {
    let per_hour = metrics as u64 * 3_600 / refresh_secs.max(1);
    (per_hour, per_hour as f64 * DOLLARS_PER_METRIC)
}

#[cfg(test)]
mod tests;
