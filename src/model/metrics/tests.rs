//! Planning GetMetricData for the charts on screen, and merging what comes back.

use super::*;

fn tg(name: &str, id: &str) -> TargetGroup {
    TargetGroup {
        target_group_arn: format!(
            "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{name}/{id}"
        ),
        target_group_name: name.into(),
        load_balancer_arns: vec![
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/shop/9".into(),
        ],
        ..Default::default()
    }
}

#[test]
fn one_minute_periods_up_to_a_day_unless_one_call_would_page() {
    for w in Window::ALL {
        assert_eq!(w.period_secs(16), 60, "{w:?}");
    }
    // 24 h = 1,440 points a query: 70 queries fit in 100,800 points, 71 do not.
    assert_eq!(Window::H24.period_secs(70), 60);
    assert_eq!(Window::H24.period_secs(71), 120);
    assert_eq!(Window::H24.period_secs(500), 480);
    assert_eq!(Window::parse("3h"), Some(Window::H3));
    assert_eq!(Window::parse("2h"), None);
    assert_eq!(Window::M15.step(-1), Window::M15);
    assert_eq!(Window::H1.step(1), Window::H3);
}

#[test]
fn plan_uses_the_dimensions_from_the_arns_and_one_id_each() {
    let (queries, charts) = plan(
        "prod",
        "web",
        &[tg("web-blue", "1"), tg("web-green", "2")],
        Window::H1,
        false,
    );
    assert_eq!(queries.len(), 4 + 2 * 6);
    let ids: std::collections::HashSet<_> = queries.iter().map(|q| &q.id).collect();
    assert_eq!(ids.len(), queries.len(), "ids must be unique in one call");
    let t5xx = queries.iter().find(|q| q.id == "t1_t5xx").unwrap();
    assert_eq!(t5xx.namespace, "AWS/ApplicationELB");
    assert_eq!(t5xx.metric, "HTTPCode_Target_5XX_Count");
    assert_eq!(t5xx.stat, Stat::Sum);
    assert_eq!(
        t5xx.dimensions,
        vec![
            ("LoadBalancer".to_owned(), "app/shop/9".to_owned()),
            (
                "TargetGroup".to_owned(),
                "targetgroup/web-green/2".to_owned()
            )
        ]
    );
    let cpu = queries.iter().find(|q| q.id == "cpu_max").unwrap();
    assert_eq!(
        cpu.dimensions[1],
        ("ServiceName".to_owned(), "web".to_owned())
    );
    assert_eq!(charts.len(), 7);
    // Blue/green: one series per target group, named.
    let requests = charts.iter().find(|c| c.id == ChartId::Requests).unwrap();
    assert_eq!(requests.series.len(), 2);
    assert_eq!(requests.series[0].label, "web-blue");
    // The pane asks for less.
    let (compact, charts) = plan("prod", "web", &[tg("web", "1")], Window::H1, true);
    assert_eq!(compact.len(), 3);
    assert_eq!(charts.len(), 3);
    // No load balancer: CPU and memory only.
    assert_eq!(plan("prod", "worker", &[], Window::H1, false).1.len(), 2);
}

#[test]
fn first_fetch_is_the_window_then_an_overlap() {
    let now = 1_000 * MINUTE + 30_000;
    let (start, end) = fetch_range(now, Window::M15, 60, None, 5 * MINUTE);
    assert_eq!(end, 1_001 * MINUTE);
    assert_eq!(start, end - 15 * MINUTE);
    let (start, _) = fetch_range(now + MINUTE, Window::M15, 60, Some(end), 5 * MINUTE);
    assert_eq!(start, end - 5 * MINUTE);
}

#[test]
fn a_late_datapoint_replaces_the_early_one_and_gaps_fill_by_kind() {
    let mut data = MetricsData::default();
    let r = |id: &str, pts: &[(i64, f64)]| MetricResult {
        id: id.into(),
        timestamps: pts.iter().map(|p| p.0 * MINUTE).collect(),
        values: pts.iter().map(|p| p.1).collect(),
        status: "Complete".into(),
    };
    data.merge(
        0,
        5 * MINUTE,
        MINUTE,
        &[
            r("req", &[(0, 100.0), (1, 100.0), (3, 40.0)]),
            r("err", &[(1, 5.0)]),
            r("cpu", &[(0, 10.0), (3, 30.0)]),
        ],
    );
    // The refetch of minutes 3.. brings minute 3 complete and minute 4.
    data.merge(
        3 * MINUTE,
        6 * MINUTE,
        MINUTE,
        &[
            r("req", &[(3, 100.0), (4, 100.0)]),
            r("err", &[]),
            r("cpu", &[(3, 35.0), (4, 36.0)]),
        ],
    );
    let count = SeriesSpec {
        label: "req".into(),
        source: Source::Query("req".into()),
        missing_is_zero: true,
    };
    let gauge = SeriesSpec {
        label: "cpu".into(),
        source: Source::Query("cpu".into()),
        missing_is_zero: false,
    };
    let rate = SeriesSpec {
        label: "rate".into(),
        source: Source::Rate {
            errors: "err".into(),
            requests: "req".into(),
        },
        missing_is_zero: false,
    };
    let v = |data: &MetricsData, s: &SeriesSpec| {
        data.values(s, 0)
            .into_iter()
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        v(&data, &count),
        vec![
            Some(100.0),
            Some(100.0),
            Some(0.0),
            Some(100.0),
            Some(100.0)
        ]
    );
    assert_eq!(
        v(&data, &gauge),
        vec![Some(10.0), None, None, Some(35.0), Some(36.0)]
    );
    assert_eq!(
        v(&data, &rate),
        vec![Some(0.0), Some(5.0), None, Some(0.0), Some(0.0)]
    );
    assert_eq!(summary(&data.values(&gauge, 0)), Some((36.0, 10.0, 36.0)));
    data.prune(3 * MINUTE);
    assert_eq!(v(&data, &gauge).len(), 5, "values still start where asked");
    assert_eq!(data.values(&gauge, 0)[0].1, None);
}

#[test]
fn cost_is_metrics_requested_per_hour() {
    // 16 metrics a minute: 960 an hour, at $0.01 per 1,000.
    let (n, dollars) = cost_per_hour(16, 60);
    assert_eq!(n, 960);
    assert!((dollars - 0.0096).abs() < 1e-12);
}
