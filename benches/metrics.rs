//! Chart figures: `cargo bench --bench metrics` prints them; `-- --check` also exits 1 when one misses its
//! target in benches/support/targets.rs.
//!
//! 1. Frames: drawing a service's charts over 24 h at 1-minute periods (1,440 points per series): the full
//!    screen (7 charts, 11 series, target health and alarms) at 120x40 and 200x60, and six single-series
//!    charts of 1,440 points.
//! 2. Merging one 24 h GetMetricData answer (16 queries x 1,440 points) into the view, as each refresh does.
//! 3. GetMetricData calls per refresh, counted by the simulator over 10 refreshes.
//! 4. The simulator answering one 24 h GetMetricData of a service's charts (16 queries x 1,440 minutes): at
//!    the fleet's start (its generated history) and a day later (every minute read from the fleet's traffic).

use ecsdeck::app::metrics::MetricsView;

use ecsdeck::app::{Context, State, View};
use ecsdeck::model::metrics::{Window, fetch_range, plan};
use ecsdeck::protocol::{MetricsRequest, MetricsUpdate};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ecsdeck::workers::metrics::{MetricsConfig, MetricsWorker};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use targets::Figures;

#[path = "support/targets.rs"]
mod targets;

const NOW: i64 = 1_763_700_000_000;

/// The charts of `service` over 24 h, filled from the simulator.
fn view(sim: &Sim, service: &str, six_single: bool) -> MetricsView {
    let svc = sim
        .fleet()
        .cluster("production")
        .unwrap()
        .service(service)
        .unwrap()
        .service
        .clone();
    let groups = sim
        .metrics()
        .target_groups(&svc.target_group_arns())
        .unwrap();
    let mut view = MetricsView::new("production", &svc.service_arn, Window::H24, false);
    view.apply(MetricsUpdate::Service(Box::new(svc)));
    view.apply(MetricsUpdate::TargetGroups(Ok(groups.clone())));
    let (queries, _) = plan("production", service, &groups, Window::H24, false);
    let (start, end) = fetch_range(NOW, Window::H24, 60, None, 0);
    let results = queries
        .iter()
        .map(|q| sim.metrics().query(q, start, end, NOW + 120_000))
        .collect();
    view.apply(MetricsUpdate::Data {
        window: Window::H24,
        start,
        end,
        period_ms: 60_000,
        results,
        queries: queries.len(),
        calls: 1,
        at: NOW,
    });
    if six_single {
        view.charts.retain(|c| c.series.len() <= 2);
        for c in &mut view.charts {
            c.series.truncate(1);
        }
        view.charts.truncate(6);
    }
    view
}

fn frame_times(view: MetricsView, width: u16, height: u16) -> (usize, usize, f64, f64, f64) {
    let theme = Theme::builtin("dark").unwrap();
    let mut state = State::new(Context::default(), NOW, width, height);
    let points: usize = view.charts.iter().map(|c| c.series.len()).sum::<usize>();
    let charts = view.charts.len();
    state.stack.push(View::Metrics(Box::new(view)));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut times = Vec::new();
    for _ in 0..300 {
        let t = Instant::now();
        terminal
            .draw(|f| ecsdeck::ui::render(f, &state, &theme))
            .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (
        charts,
        points,
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times[times.len() - 1],
    )
}

fn frames(figures: &mut Figures) {
    let sim = Sim::new(SimOptions {
        epoch_ms: NOW,
        ..Default::default()
    });
    for (label, service, single, w, h) in [
        (
            "six charts, one 1,440-point series each",
            "payments",
            true,
            120,
            40,
        ),
        ("full screen (payments)", "payments", false, 120, 40),
        ("full screen (payments)", "payments", false, 200, 60),
        (
            "full screen, blue/green (checkout)",
            "checkout",
            false,
            200,
            60,
        ),
    ] {
        let v = view(&sim, service, single);
        let (charts, series, median, p95, max) = frame_times(v, w, h);
        if single {
            figures.record("metrics.six_charts", median);
        }
        println!(
            "frame {label} {w}x{h}: {charts} charts, {series} series x 1,440 points: median {median:.2} ms, p95 {p95:.2} ms, max {max:.2} ms"
        );
    }
}

/// The target groups of the simulated `checkout` (blue/green: two), as its charts ask for them.
fn checkout_groups(sim: &Sim) -> Vec<ecsdeck::aws::TargetGroup> {
    let svc = sim
        .fleet()
        .cluster("production")
        .unwrap()
        .service("checkout")
        .unwrap()
        .service
        .clone();
    sim.metrics()
        .target_groups(&svc.target_group_arns())
        .unwrap()
}

fn merge() {
    let sim = Sim::new(SimOptions {
        epoch_ms: NOW,
        ..Default::default()
    });
    let groups = checkout_groups(&sim);
    let (queries, _) = plan("production", "checkout", &groups, Window::H24, false);
    let (start, end) = fetch_range(NOW, Window::H24, 60, None, 0);
    let results: Vec<_> = queries
        .iter()
        .map(|q| sim.metrics().query(q, start, end, NOW + 120_000))
        .collect();
    let points: usize = results.iter().map(|r| r.values.len()).sum();
    let mut times = Vec::new();
    for _ in 0..50 {
        let mut view = MetricsView::new("production", "checkout", Window::H24, false);
        view.apply(MetricsUpdate::TargetGroups(Ok(groups.clone())));
        let update = MetricsUpdate::Data {
            window: Window::H24,
            start,
            end,
            period_ms: 60_000,
            results: results.clone(),
            queries: queries.len(),
            calls: 1,
            at: NOW,
        };
        let t = Instant::now();
        view.apply(update);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "merge a 24 h answer ({} queries, {points} datapoints): median {:.2} ms, max {:.2} ms",
        queries.len(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

fn sim_answer() {
    for (label, after) in [("at the fleet's start", 0), ("a day after it", 86_400_000)] {
        let sim = Sim::new(SimOptions {
            epoch_ms: NOW,
            ..Default::default()
        });
        let groups = checkout_groups(&sim);
        let (queries, _) = plan("production", "checkout", &groups, Window::H24, false);
        let now = NOW + after;
        let (start, end) = fetch_range(now, Window::H24, 60, None, 0);
        let mut times = Vec::new();
        let mut points = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let results: Vec<_> = queries
                .iter()
                .map(|q| sim.metrics().query(q, start, end, now))
                .collect();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            points = results.iter().map(|r| r.values.len()).sum::<usize>();
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "simulator's GetMetricData, checkout 24 h {label} ({} queries, {points} datapoints): median {:.2} ms, max {:.2} ms",
            queries.len(),
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
}

fn calls_per_refresh(figures: &mut Figures) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = Arc::new(Sim::new(SimOptions {
            latency: Duration::from_millis(20),
            ..Default::default()
        }));
        let data = Arc::new(Mutex::new(0usize));
        let seen = data.clone();
        let worker = MetricsWorker::spawn(
            sim.clone(),
            MetricsConfig {
                refresh: Duration::from_millis(50),
                ..Default::default()
            },
            Box::new(move |_, u| {
                if matches!(u, MetricsUpdate::Data { .. }) {
                    *seen.lock().unwrap() += 1;
                }
            }),
        );
        let arn = sim.fleet().cluster("production").unwrap().service("checkout").unwrap().service.service_arn.clone();
        worker.watch(
            Some(MetricsRequest::Service {
                cluster: "production".into(),
                service: arn,
                window: Window::H24,
                compact: false,
            }),
            1,
        );
        while *data.lock().unwrap() < 10 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        worker.watch(None, 2);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let refreshes = *data.lock().unwrap();
        let c = &sim.calls;
        println!(
            "{refreshes} refreshes of checkout's charts (2 target groups, 24 h): GetMetricData {}, DescribeServices {}, DescribeTargetGroups {}, DescribeTargetHealth {}, DescribeAlarms {}",
            c.get_metric_data.load(Ordering::SeqCst),
            c.describe_services.load(Ordering::SeqCst),
            c.describe_target_groups.load(Ordering::SeqCst),
            c.describe_target_health.load(Ordering::SeqCst),
            c.describe_alarms.load(Ordering::SeqCst),
        );
        figures.record(
            "metrics.calls_per_refresh",
            c.get_metric_data.load(Ordering::SeqCst) as f64 / refreshes as f64,
        );
    });
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test` runs benches as tests; these figures are for `cargo bench`.
    }
    let mut figures = Figures::default();
    if targets::wanted("frames") {
        frames(&mut figures);
    }
    if targets::wanted("merge") {
        merge();
    }
    if targets::wanted("sim_answer") {
        sim_answer();
    }
    if targets::wanted("calls_per_refresh") {
        calls_per_refresh(&mut figures);
    }
    figures.finish("metrics.");
}
