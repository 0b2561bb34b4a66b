//! Charts: the reducer (m, window keys, fleet alarms, billed columns) and snapshots of the charts screen,
//! fed with the simulator's metrics (a pure function of time, so the pictures are stable).

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::metrics::ChartPage;
use ecsdeck::app::{State, View, update};
use ecsdeck::aws::{Alarm, ApiError, MetricRequest, Millis, Service};
use ecsdeck::model::metrics::{Window, fetch_range, plan};
use ecsdeck::protocol::{Effect, Msg};
use ecsdeck::protocol::{FleetColumns, MetricsRequest, MetricsUpdate};
use ecsdeck::sim::Sim;
use ecsdeck::workers::metrics::{MetricsConfig, MetricsWorker};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::*;

fn service(sim: &Sim, name: &str) -> Service {
    services(sim, "production")
        .into_iter()
        .find(|s| s.service_name == name)
        .unwrap()
}

fn metrics(state: &mut State, update: MetricsUpdate) {
    let generation = state.generation;
    update_state(state, Msg::Metrics { generation, update });
}

fn update_state(state: &mut State, msg: Msg) -> Vec<Effect> {
    update(state, msg)
}

fn metrics_request(effects: &[Effect]) -> Option<Option<MetricsRequest>> {
    effects.iter().find_map(|e| match e {
        Effect::Metrics { request, .. } => Some(request.clone()),
        _ => None,
    })
}

/// Everything the worker would report for `name` at NOW, computed by the simulator.
fn feed(state: &mut State, sim: &Sim, name: &str, window: Window, now: Millis) {
    let svc = service(sim, name);
    let groups = sim
        .metrics()
        .target_groups(&svc.target_group_arns())
        .unwrap();
    metrics(state, MetricsUpdate::Service(Box::new(svc.clone())));
    metrics(state, MetricsUpdate::TargetGroups(Ok(groups.clone())));
    let (queries, _) = plan("production", name, &groups, window, false);
    let period = queries[0].period_secs;
    let (start, end) = fetch_range(now, window, period, None, 300_000);
    let request = MetricRequest {
        queries: queries.clone(),
        start,
        end,
        next_token: None,
    };
    let results = request
        .queries
        .iter()
        .map(|q| sim.metrics().query(q, start, end, now))
        .collect();
    metrics(
        state,
        MetricsUpdate::Data {
            window,
            start,
            end,
            period_ms: period as i64 * 1000,
            results,
            queries: queries.len(),
            calls: 1,
            at: now,
        },
    );
    for g in &groups {
        metrics(
            state,
            MetricsUpdate::Health {
                arn: g.target_group_arn.clone(),
                result: sim
                    .metrics()
                    .target_health(&sim.fleet(), &g.target_group_arn, now),
            },
        );
    }
    let dims: Vec<&str> = groups.iter().filter_map(|g| g.dimension()).collect();
    let alarms: Vec<Alarm> = sim
        .metrics()
        .alarms(None, now)
        .into_iter()
        .filter(|a| a.watches("production", name, &dims))
        .collect();
    metrics(state, MetricsUpdate::Alarms(Ok(alarms)));
}

fn charts_of(name: &str) -> State {
    let sim = fleet();
    let mut state = on_production_service(name);
    let effects = update(&mut state, ch('m'));
    assert!(matches!(state.view(), View::Metrics(_)));
    assert_eq!(
        metrics_request(&effects),
        Some(Some(MetricsRequest::Service {
            cluster: "production".into(),
            service: service(&sim, name).service_arn,
            window: Window::H1,
            compact: false,
        }))
    );
    feed(&mut state, &sim, name, Window::H1, NOW);
    state
}

#[test]
fn charts_loading() {
    let mut state = on_production_service("api");
    update(&mut state, ch('m'));
    insta::assert_snapshot!(text(&state));
}

#[test]
fn charts_of_a_steady_service() {
    insta::assert_snapshot!(text(&charts_of("api")));
}

#[test]
fn charts_of_a_failed_rollout_spike_in_alarm() {
    let state = charts_of("payments");
    let screen = text(&state);
    assert!(
        screen.contains("ALARM production-payments-target-5xx"),
        "{screen}"
    );
    assert!(screen.contains("unhealthy"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn charts_of_blue_green_target_groups() {
    let state = charts_of("checkout");
    let screen = text(&state);
    // One series per target group, old and new side by side, and the deployment marked.
    assert!(screen.contains("checkout-tg-green"), "{screen}");
    assert!(screen.contains("deploy ▲"), "{screen}");
    assert!(
        !screen.contains("deploy ■"),
        "the rollout has not finished: {screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn dark_theme_charts() {
    insta::assert_snapshot!(styled(&charts_of("payments"), "dark"));
}

#[test]
fn light_theme_charts() {
    insta::assert_snapshot!(styled(&charts_of("payments"), "light"));
}

#[test]
fn service_detail_pane_charts() {
    let sim = fleet();
    let mut state = on_production_service("payments");
    let effects = update(&mut state, ch('d'));
    assert!(matches!(
        metrics_request(&effects),
        Some(Some(MetricsRequest::Service { compact: true, .. }))
    ));
    let svc = service(&sim, "payments");
    send(
        &mut state,
        ecsdeck::protocol::DataUpdate::ServiceDetail(Box::new(svc.clone())),
    );
    send(&mut state, ecsdeck::protocol::DataUpdate::Done { at: NOW });
    let groups = sim
        .metrics()
        .target_groups(&svc.target_group_arns())
        .unwrap();
    metrics(&mut state, MetricsUpdate::TargetGroups(Ok(groups.clone())));
    let (queries, _) = plan("production", "payments", &groups, Window::H1, true);
    let (start, end) = fetch_range(NOW, Window::H1, 60, None, 0);
    let results = queries
        .iter()
        .map(|q| sim.metrics().query(q, start, end, NOW))
        .collect();
    metrics(
        &mut state,
        MetricsUpdate::Data {
            window: Window::H1,
            start,
            end,
            period_ms: 60_000,
            results,
            queries: queries.len(),
            calls: 1,
            at: NOW,
        },
    );
    let screen = text(&state);
    assert!(screen.contains("5XX"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn window_keys_refetch_and_drop_the_old_windows_late_data() {
    let sim = fleet();
    let mut state = charts_of("api");
    let effects = update(&mut state, ch(']'));
    match metrics_request(&effects) {
        Some(Some(MetricsRequest::Service { window, .. })) => assert_eq!(window, Window::H3),
        other => panic!("{other:?}"),
    }
    let View::Metrics(view) = state.view() else {
        panic!()
    };
    assert_eq!(view.window, Window::H3);
    assert!(view.data.series.is_empty(), "the 1h data went");
    // A late answer for 1h is not drawn as 3h.
    feed(&mut state, &sim, "api", Window::H1, NOW);
    let View::Metrics(view) = state.view() else {
        panic!()
    };
    assert!(view.data.series.is_empty());
    // Shorter twice: 15m, and no further.
    update(&mut state, ch('['));
    update(&mut state, ch('['));
    assert!(update(&mut state, ch('[')).is_empty());
    assert!(matches!(state.view(), View::Metrics(v) if v.window == Window::M15));
    // :window sets it; nonsense says what is accepted.
    update(&mut state, ch(':'));
    type_text(&mut state, "window 2h");
    update(&mut state, key(KeyCode::Enter));
    let toast = state.toast.clone().unwrap().text;
    assert!(toast.contains("15m, 1h, 3h, 12h, 24h"), "{toast}");
    update(&mut state, ch(':'));
    type_text(&mut state, "window 24h");
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.view(), View::Metrics(v) if v.window == Window::H24));
}

#[test]
fn leaving_the_charts_stops_their_refresh_and_stale_results_are_dropped() {
    let sim = fleet();
    let mut state = charts_of("api");
    let old = state.generation;
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.view(), View::Services { .. }));
    assert!(matches!(
        metrics_request(&effects),
        Some(Some(MetricsRequest::Fleet { .. }))
    ));
    // An answer for the charts that arrives after leaving them changes nothing.
    let before = format!("{:?}", state.view().title());
    update(
        &mut state,
        Msg::Metrics {
            generation: old,
            update: MetricsUpdate::Service(Box::new(service(&sim, "api"))),
        },
    );
    assert_eq!(before, format!("{:?}", state.view().title()));
    // Task views have no charts: the worker is told to stop.
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(metrics_request(&effects), Some(None));
}

#[test]
fn a_service_in_alarm_stands_out_in_the_list_and_its_header() {
    let sim = fleet();
    let mut state = on_production_service("");
    let generation = state.generation;
    let firing = sim.metrics().alarms(Some("ALARM"), NOW);
    assert!(!firing.is_empty());
    update(
        &mut state,
        Msg::Metrics {
            generation,
            update: MetricsUpdate::FleetAlarms {
                result: Ok(firing),
                at: NOW,
            },
        },
    );
    let screen = text(&state);
    assert!(screen.contains("payments IN ALARM"), "{screen}");
    let row = screen.lines().find(|l| l.contains("│payments")).unwrap();
    assert!(row.contains("⚠ production-paym"), "{row}");
    // Its tasks say so in the header too.
    type_text(&mut state, "/payments");
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, key(KeyCode::Enter));
    let screen = text(&state);
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("ALARM production-payments-target-5xx"),
        "{screen}"
    );
}

#[test]
fn billed_columns_are_off_by_default_and_show_their_cost_when_on() {
    let mut state = on_production_service("");
    assert!(!text(&state).contains("CPU/5XX"));
    let effects = update(&mut state, ch('M'));
    match metrics_request(&effects) {
        Some(Some(MetricsRequest::Fleet {
            columns, services, ..
        })) => {
            assert_eq!(columns, Some(Window::H1));
            assert_eq!(services.len(), 22);
        }
        other => panic!("{other:?}"),
    }
    metrics(
        &mut state,
        MetricsUpdate::Columns(Ok(FleetColumns {
            cpu: [("api".to_owned(), 42.4)].into(),
            errors: [("api".to_owned(), 17.0)].into(),
            metrics: 40,
            window: Window::H1,
            at: NOW,
        })),
    );
    let screen = text(&state);
    // 40 metrics a minute = 2,400 an hour = $0.024 an hour.
    assert!(screen.contains("2400 metrics/h ≈ $0.024/h"), "{screen}");
    let row = screen.lines().find(|l| l.contains("│api ")).unwrap();
    assert!(row.contains("42%") && row.contains("17"), "{row}");
    assert!(screen.contains("5XX/1h"), "{screen}");
    update(&mut state, ch('M'));
    assert!(!text(&state).contains("5XX/1h"));
}

#[tokio::test]
async fn exactly_one_get_metric_data_per_refresh_and_fleet_columns_from_the_simulator() {
    let sim = Arc::new(ecsdeck::sim::Sim::new(ecsdeck::sim::SimOptions {
        latency: Duration::ZERO,
        // Alarms are evaluated at the wall clock: the fleet's failed rollout must be recent.
        epoch_ms: ecsdeck::workers::clock::now_ms(),
        ..Default::default()
    }));
    let updates: Arc<Mutex<Vec<MetricsUpdate>>> = Arc::default();
    let sink = updates.clone();
    let worker = MetricsWorker::spawn(
        sim.clone(),
        MetricsConfig {
            refresh: Duration::from_millis(100),
            ..Default::default()
        },
        Box::new(move |_, u| sink.lock().unwrap().push(u)),
    );
    let checkout = service(&sim, "checkout");
    worker.watch(
        Some(MetricsRequest::Service {
            cluster: "production".into(),
            service: checkout.service_arn.clone(),
            window: Window::H24,
            compact: false,
        }),
        1,
    );
    let count = |u: &Mutex<Vec<MetricsUpdate>>| {
        u.lock()
            .unwrap()
            .iter()
            .filter(|u| matches!(u, MetricsUpdate::Data { .. }))
            .count()
    };
    while count(&updates) < 3 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    worker.watch(None, 2);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let data = count(&updates);
    let calls = sim
        .calls
        .get_metric_data
        .load(std::sync::atomic::Ordering::SeqCst) as usize;
    // One per refresh (a call cut off by the stop may not have reported).
    assert!(
        calls == data || calls == data + 1,
        "{calls} calls for {data} refreshes"
    );
    let refreshes = sim
        .calls
        .describe_services
        .load(std::sync::atomic::Ordering::SeqCst) as usize;
    assert!(calls <= refreshes, "never more than one per refresh");
    assert_eq!(
        sim.calls
            .describe_target_groups
            .load(std::sync::atomic::Ordering::SeqCst),
        1,
        "target groups are resolved once"
    );
    // Two target groups (blue/green): 4 ECS + 2 x 6 ALB metrics, 1,440 one-minute points each for 24 h.
    let first = updates
        .lock()
        .unwrap()
        .iter()
        .find_map(|u| match u {
            MetricsUpdate::Data {
                queries, period_ms, ..
            } => Some((*queries, *period_ms)),
            _ => None,
        })
        .unwrap();
    assert_eq!(first, (16, 60_000));

    // The services list: alarms in ALARM, then the billed columns for every service.
    let services = services(&sim, "production");
    let with_groups: usize = services.iter().map(|s| s.target_group_arns().len()).sum();
    updates.lock().unwrap().clear();
    worker.watch(
        Some(ecsdeck::app::metrics::fleet_request(
            "production",
            &services,
            Some(Window::H1),
        )),
        3,
    );
    let columns = loop {
        let found = updates.lock().unwrap().iter().find_map(|u| match u {
            MetricsUpdate::Columns(c) => Some(c.clone()),
            _ => None,
        });
        if let Some(c) = found {
            break c.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(updates.lock().unwrap().iter().any(|u| matches!(u,
        MetricsUpdate::FleetAlarms { result: Ok(a), .. }
            if a.iter().any(|a| a.alarm_name == "production-payments-target-5xx"))));
    assert_eq!(columns.metrics, services.len() + with_groups);
    assert_eq!(columns.cpu.len(), services.len());
    assert!(columns.errors["payments"] > 100.0, "{:?}", columns.errors);
    assert!(
        services
            .iter()
            .filter(|s| s.target_group_arns().is_empty())
            .all(|s| !columns.errors.contains_key(&s.service_name))
    );
}

#[test]
fn an_alarm_scan_that_fails_says_so_instead_of_showing_no_alarm() {
    let mut state = on_production_service("");
    metrics(
        &mut state,
        MetricsUpdate::FleetAlarms {
            result: Err(ecsdeck::aws::ApiError::AccessDenied {
                action: "cloudwatch:DescribeAlarms".into(),
                message: "not authorized".into(),
            }),
            at: NOW,
        },
    );
    let screen = text(&state);
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("alarms unknown: cloudwatch:DescribeAlarms denied"),
        "{screen}"
    );
    // Once alarms were read, a failed scan says how old the badge's alarms are, not "unknown".
    metrics(
        &mut state,
        MetricsUpdate::FleetAlarms {
            result: Ok(vec![]),
            at: NOW - 90_000,
        },
    );
    metrics(
        &mut state,
        MetricsUpdate::FleetAlarms {
            result: Err(ecsdeck::aws::ApiError::Network("connection refused".into())),
            at: NOW,
        },
    );
    let screen = text(&state);
    let header = screen.lines().next().unwrap();
    assert!(header.contains("alarms as of 1m ago:"), "{header}");
    assert!(!header.contains("unknown"), "{header}");
}

#[tokio::test]
async fn columns_turned_on_before_the_list_loaded_are_fetched_when_it_arrives() {
    let sim = Arc::new(ecsdeck::sim::Sim::new(ecsdeck::sim::SimOptions {
        latency: Duration::ZERO,
        ..Default::default()
    }));
    let updates: Arc<Mutex<Vec<MetricsUpdate>>> = Arc::default();
    let sink = updates.clone();
    // A refresh a minute apart: only the list's arrival can trigger the second fetch in this test.
    let worker = MetricsWorker::spawn(
        sim.clone(),
        MetricsConfig::default(),
        Box::new(move |_, u| sink.lock().unwrap().push(u)),
    );
    let columns = |u: &Mutex<Vec<MetricsUpdate>>| {
        u.lock()
            .unwrap()
            .iter()
            .filter_map(|u| match u {
                MetricsUpdate::Columns(Ok(c)) => Some(c.cpu.len()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let empty = ecsdeck::app::metrics::fleet_request("production", &[], Some(Window::H1));
    worker.watch(Some(empty), 7);
    while columns(&updates).is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let listed = services(&sim, "production");
    worker.watch(
        Some(ecsdeck::app::metrics::fleet_request(
            "production",
            &listed,
            Some(Window::H1),
        )),
        7,
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while columns(&updates).len() < 2 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(columns(&updates), vec![0, 22]);
    // The same services again (a list refresh) fetch nothing new.
    worker.watch(
        Some(ecsdeck::app::metrics::fleet_request(
            "production",
            &listed,
            Some(Window::H1),
        )),
        7,
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(columns(&updates).len(), 2);
}

fn resize(state: &mut State, width: u16, height: u16) {
    update(state, Msg::Resize { width, height });
}

/// The scroll of the charts on screen, and the most it may be at this size.
fn chart_scroll(state: &State) -> (usize, usize) {
    let View::Metrics(view) = state.view() else {
        panic!("not on the charts");
    };
    let grid = state.height.saturating_sub(4);
    let page = ChartPage::fit(view.panels(), state.width, grid, view.scroll);
    (view.scroll, page.max_scroll())
}

/// Every key that moves a list or scrolls a page.
fn movement_keys() -> Vec<(&'static str, Msg)> {
    vec![
        ("j", ch('j')),
        ("k", ch('k')),
        ("g", ch('g')),
        ("G", ch('G')),
        ("Down", key(KeyCode::Down)),
        ("Up", key(KeyCode::Up)),
        ("PgDn", key(KeyCode::PageDown)),
        ("PgUp", key(KeyCode::PageUp)),
        ("Home", key(KeyCode::Home)),
        ("End", key(KeyCode::End)),
        ("Ctrl-f", ctrl('f')),
        ("Ctrl-b", ctrl('b')),
    ]
}

#[test]
fn every_movement_key_in_charts_from_every_way_in_scrolls_within_range() {
    let sim = fleet();
    type Opener = fn(&mut State);
    let ways: [(&str, Opener); 4] = [
        ("m on the services list", |s| {
            update(s, ch('m'));
        }),
        ("m on the service's tasks", |s| {
            update(s, key(KeyCode::Enter));
            update(s, ch('m'));
        }),
        ("m on the service's details", |s| {
            update(s, ch('d'));
            update(s, ch('m'));
        }),
        (":metrics", |s| {
            update(s, ch(':'));
            type_text(s, "metrics");
            update(s, key(KeyCode::Enter));
        }),
    ];
    for (way, open) in ways {
        for (width, height) in [(80, 24), (120, 40), (200, 50), (40, 10), (20, 6), (1, 1)] {
            let mut state = on_production_service("payments");
            open(&mut state);
            assert!(matches!(state.view(), View::Metrics(_)), "{way}");
            feed(&mut state, &sim, "payments", Window::H1, NOW);
            resize(&mut state, width, height);
            // The sequence goes down, past the end, back up and past the top.
            let keys = movement_keys();
            for (name, msg) in keys.iter().chain(keys.iter().rev()).cloned() {
                update(&mut state, msg);
                let (scroll, max) = chart_scroll(&state);
                assert!(
                    scroll <= max,
                    "{way} at {width}x{height}, after {name}: scroll {scroll} > {max}"
                );
                assert!(matches!(state.view(), View::Metrics(_)), "{way}: {name}");
                text(&state);
            }
        }
    }
}

#[test]
fn charts_that_do_not_fit_scroll_by_whole_charts_with_an_indicator() {
    let mut state = charts_of("payments");
    resize(&mut state, 80, 24);
    let first = text(&state);
    assert!(first.contains("charts 1–2 of 7 ↓"), "{first}");
    update(&mut state, ch('j'));
    let screen = text(&state);
    assert!(screen.contains("charts 2–3 of 7 ↑↓"), "{screen}");
    assert!(screen.contains("Memory utilization") && screen.contains("Requests"));
    assert!(!screen.contains("CPU utilization"), "{screen}");
    insta::assert_snapshot!(screen);
    // The bottom shows the last chart with target health and alarms; further down stays there.
    update(&mut state, ch('G'));
    update(&mut state, ch('j'));
    let bottom = text(&state);
    assert!(
        bottom.contains("charts 7–7 of 7 · target health & alarms ↑"),
        "{bottom}"
    );
    assert!(bottom.contains("Target health now"), "{bottom}");
    update(&mut state, ch('g'));
    assert_eq!(text(&state), first);
}

#[test]
fn charts_on_a_tiny_terminal_say_what_they_need() {
    let mut state = charts_of("payments");
    resize(&mut state, 40, 10);
    // The sentence may wrap on so narrow a screen.
    let screen = text(&state).replace('\n', " ");
    assert!(
        screen.contains("terminal too small for charts (needs"),
        "{screen}"
    );
    let needs = screen
        .split("needs ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap()
        .to_owned();
    let (w, h) = needs.split_once('×').unwrap();
    let (w, h): (u16, u16) = (w.parse().unwrap(), h.parse().unwrap());
    assert!(w >= 40 && h > 10, "{needs}");
    // At the size it asks for, a chart is drawn.
    resize(&mut state, w, h);
    let screen = text(&state);
    assert!(screen.contains("CPU utilization"), "{screen}");
    assert!(!screen.contains("too small"), "{screen}");
}

fn throttled() -> ApiError {
    ApiError::Throttled {
        action: "cloudwatch:GetMetricData".into(),
        message: "Rate exceeded".into(),
    }
}

#[test]
fn failed_charts_say_failed_with_the_age_of_what_they_show() {
    // Never loaded: failed, not "loading…".
    let mut state = on_production_service("payments");
    update(&mut state, ch('m'));
    metrics(&mut state, MetricsUpdate::DataFailed(throttled()));
    let screen = text(&state);
    assert!(!screen.contains("loading"), "{screen}");
    assert!(screen.contains("FAILED — no data yet: "), "{screen}");
    assert!(screen.contains("· failed, no data"), "{screen}");
    // Loaded, then a refresh fails two minutes later: the charts stay, marked stale with their age.
    let mut state = charts_of("payments");
    update(
        &mut state,
        Msg::Tick {
            now_ms: NOW + 120_000,
        },
    );
    metrics(&mut state, MetricsUpdate::DataFailed(throttled()));
    let screen = text(&state);
    assert!(!screen.contains("loading"), "{screen}");
    assert!(
        screen.contains("STALE — last refreshed 2m ago: cloudwatch:GetMetricData throttled"),
        "{screen}"
    );
    assert!(
        screen.contains("refresh failed, showing data fetched 2m ago"),
        "{screen}"
    );
    assert!(
        screen.contains("CPU utilization · STALE: data 3m ago"),
        "{screen}"
    );
    // A long error wraps instead of running off the screen.
    resize(&mut state, 80, 24);
    let screen = text(&state);
    let at = screen.lines().position(|l| l.contains("STALE —")).unwrap();
    let next = screen.lines().nth(at + 1).unwrap();
    assert!(!next.contains("window 1h"), "the reason goes on: {screen}");
}

#[test]
fn services_at_80_columns_keep_the_alarm_and_the_whole_revision() {
    let sim = fleet();
    let mut state = on_production_service("");
    resize(&mut state, 80, 24);
    let generation = state.generation;
    update(
        &mut state,
        Msg::Metrics {
            generation,
            update: MetricsUpdate::FleetAlarms {
                result: Ok(sim.metrics().alarms(Some("ALARM"), NOW)),
                at: NOW,
            },
        },
    );
    let screen = text(&state);
    let header = screen.lines().find(|l| l.contains("NAME")).unwrap();
    assert!(header.contains("ALARM"), "{screen}");
    assert!(header.contains("TASK DEF"), "{screen}");
    // The least important columns went first.
    for gone in ["AGE", "LAUNCH", "CONTROLLER"] {
        assert!(!header.contains(gone), "{gone} should go first: {header}");
    }
    let row = screen.lines().find(|l| l.contains("│payments")).unwrap();
    assert!(row.contains("payments:61"), "{row}");
    // The alarm's name is cut to the room left, but its column and its warning stay.
    assert!(row.contains("⚠ production-p"), "{row}");
    // Every revision is whole, not only the alarm's row.
    for s in services(&sim, "production") {
        let rev = ecsdeck::aws::family_rev(&s.task_definition);
        let name = format!("│{} ", s.service_name);
        if let Some(row) = screen.lines().find(|l| l.starts_with(&name)) {
            assert!(row.contains(&format!(" {rev} ")), "{rev} cut: {row}");
        }
    }
}

#[test]
fn deployment_markers_in_a_legend_stay_whole() {
    let screen = text(&charts_of("payments"));
    for line in screen.lines() {
        let legend = line.trim_start_matches(['━', ' ']);
        assert!(
            !legend.starts_with("deploy") && !legend.starts_with('■'),
            "a marker split from its legend: {line}\n{screen}"
        );
    }
    assert!(screen.contains("┊ deploy ▲04:15 ■04:35"), "{screen}");
}

#[test]
fn without_colour_avg_and_max_are_told_apart_by_glyph() {
    let state = charts_of("api");
    let theme = ecsdeck::theme::Theme::builtin("dark")
        .unwrap()
        .without_colour();
    let terminal = draw(&state, &theme);
    let buffer = terminal.backend().buffer();
    let lines: Vec<String> = (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect()
        })
        .collect();
    let legend = lines.iter().find(|l| l.contains(" avg ")).unwrap();
    assert!(
        legend.contains("━ avg") && legend.contains("• max"),
        "{legend}"
    );
    // The plot has both glyphs too.
    let plot: String = lines.join("\n");
    assert!(plot.contains('•'), "{plot}");
    // In colour the series keep braille and the line glyph.
    let coloured = text(&state);
    assert!(coloured.contains("━ max"), "{coloured}");
}

/// A narrow header during an outage keeps the ALARM badge: the least important parts go first, whole (the
/// walkthrough saw the badge vanish at 80 columns, and "alarms as of 1m ago:" cut to a dangling colon).
#[test]
fn a_narrow_header_in_an_outage_keeps_the_alarm_badge() {
    let mut state = on_production_service("");
    metrics(
        &mut state,
        MetricsUpdate::FleetAlarms {
            result: Ok(vec![ecsdeck::aws::Alarm {
                alarm_name: "production-payments-cpu-high".into(),
                state_value: "ALARM".into(),
                state_reason: None,
                state_updated_at: Some(NOW),
                namespace: Some("AWS/ECS".into()),
                metric_name: Some("CPUUtilization".into()),
                dimensions: vec![
                    ("ClusterName".into(), "production".into()),
                    ("ServiceName".into(), "payments".into()),
                ],
            }]),
            at: NOW - 60_000,
        },
    );
    metrics(
        &mut state,
        MetricsUpdate::FleetAlarms {
            result: Err(ecsdeck::aws::ApiError::Network(
                "cloudwatch:DescribeAlarms: connection refused".into(),
            )),
            at: NOW,
        },
    );
    let View::Services { list, .. } = state.view_mut() else {
        panic!()
    };
    list.load.retrying = Some((
        ecsdeck::aws::ApiError::Network("ecs:ListServices: connection refused".into()),
        5,
    ));
    for width in [200u16, 120, 80, 60, 40] {
        state.width = width;
        let screen = text(&state);
        let header = screen.lines().next().unwrap().to_owned();
        assert!(header.contains("payments IN ALARM"), "{width}: {header}");
        if width >= 200 {
            assert!(header.contains("alarms as of 1m ago: "), "{header}");
        } else {
            assert!(
                !header.trim_end().ends_with(':') && !header.contains("ago:  "),
                "never cut after the colon, {width}: {header}"
            );
        }
    }
}
