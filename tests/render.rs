//! Rendering snapshots: every view in its important states (text), and styled buffers in both themes.
//! Review changes with `cargo insta review` (or accept with INSTA_UPDATE=always).

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::{State, update};
use ecsdeck::aws::ApiError;
use ecsdeck::protocol::{DataUpdate, Progress, Rows};
use ecsdeck::theme::Theme;
use support::*;

fn clusters_loaded() -> State {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    deliver(&mut state, Rows::Clusters(clusters(&fleet())));
    state
}

fn services_loaded() -> State {
    let mut state = clusters_loaded();
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    deliver(&mut state, Rows::Services(services(&fleet(), "production")));
    state
}

fn select_service(state: &mut State, name: &str) {
    update(state, ch('/'));
    type_text(state, name);
    update(state, key(KeyCode::Enter));
}

fn denied() -> ApiError {
    ApiError::AccessDenied {
        action: "ecs:ListClusters".into(),
        message: "User: arn:aws:sts::123456789012:assumed-role/readonly/alice is not authorized to perform: ecs:ListClusters".into(),
    }
}

#[test]
fn clusters_loaded_view() {
    insta::assert_snapshot!(text(&clusters_loaded()));
}

#[test]
fn clusters_loading_view() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    send(&mut state, DataUpdate::Started);
    insta::assert_snapshot!(text(&state));
}

#[test]
fn clusters_empty_view() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    deliver(&mut state, Rows::Clusters(vec![]));
    insta::assert_snapshot!(text(&state));
}

#[test]
fn clusters_error_view() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    send(&mut state, DataUpdate::Started);
    send(
        &mut state,
        DataUpdate::Failed {
            error: denied(),
            at: NOW,
        },
    );
    insta::assert_snapshot!(text(&state));
}

#[test]
fn expired_sso_view_says_how_to_log_in() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    send(
        &mut state,
        DataUpdate::Failed {
            error: ApiError::ExpiredCredentials {
                profile: Some("prod".into()),
                message: "the SSO session has expired".into(),
            },
            at: NOW,
        },
    );
    let screen = text(&state);
    assert!(screen.contains("aws sso login --profile prod"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn services_loaded_view() {
    insta::assert_snapshot!(text(&services_loaded()));
}

#[test]
fn services_first_load_in_progress_view() {
    let mut state = clusters_loaded();
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    send(&mut state, DataUpdate::Started);
    let first: Vec<_> = services(&fleet(), "production")
        .into_iter()
        .take(10)
        .collect();
    send(
        &mut state,
        DataUpdate::Batch {
            rows: Rows::Services(first),
            progress: Progress {
                described: 10,
                listed: 300,
                listing_done: false,
            },
        },
    );
    insta::assert_snapshot!(text(&state));
}

#[test]
fn services_stale_view_keeps_rows_and_says_why() {
    let mut state = services_loaded();
    send(&mut state, DataUpdate::Started);
    send(
        &mut state,
        DataUpdate::Retrying {
            error: ApiError::Throttled {
                action: "ecs:DescribeServices".into(),
                message: "Rate exceeded".into(),
            },
            attempt: 3,
        },
    );
    let retrying = text(&state);
    assert!(retrying.contains("throttled, retry 3"), "{retrying}");
    send(
        &mut state,
        DataUpdate::Failed {
            error: ApiError::Network(
                "ecs:ListServices: dispatch failure: connection refused".into(),
            ),
            at: NOW + 30_000,
        },
    );
    update(
        &mut state,
        ecsdeck::protocol::Msg::Tick {
            now_ms: NOW + 30_000,
        },
    );
    insta::assert_snapshot!(text(&state));
}

#[test]
fn services_filter_without_match_view() {
    let mut state = services_loaded();
    select_service(&mut state, "zzz");
    insta::assert_snapshot!(text(&state));
}

#[test]
fn tasks_of_a_service_view() {
    let mut state = services_loaded();
    select_service(&mut state, "payments");
    update(&mut state, key(KeyCode::Enter));
    deliver(
        &mut state,
        Rows::Tasks(tasks(&fleet(), "production", Some("payments"))),
    );
    insta::assert_snapshot!(text(&state));
}

#[test]
fn all_tasks_of_a_cluster_view() {
    let mut state = services_loaded();
    update(&mut state, ch(':'));
    type_text(&mut state, "tasks");
    update(&mut state, key(KeyCode::Enter));
    deliver(&mut state, Rows::Tasks(tasks(&fleet(), "production", None)));
    insta::assert_snapshot!(text(&state));
}

fn task_detail(definition_ok: bool) -> State {
    let sim = fleet();
    let mut state = services_loaded();
    select_service(&mut state, "checkout");
    update(&mut state, key(KeyCode::Enter));
    let all = tasks(&sim, "production", Some("checkout"));
    deliver(&mut state, Rows::Tasks(all.clone()));
    update(&mut state, key(KeyCode::Enter));
    let task = match state.view() {
        ecsdeck::app::View::Task { task_arn, .. } => {
            all.into_iter().find(|t| &t.task_arn == task_arn).unwrap()
        }
        other => panic!("{other:?}"),
    };
    let definition = if definition_ok {
        Ok(Box::new(
            sim.fleet()
                .task_definition(&task.task_definition_arn)
                .unwrap(),
        ))
    } else {
        Err(ApiError::AccessDenied {
            action: "ecs:DescribeTaskDefinition".into(),
            message: "not authorized".into(),
        })
    };
    send(
        &mut state,
        DataUpdate::TaskDetail {
            task: Box::new(task),
            definition,
        },
    );
    send(&mut state, DataUpdate::Done { at: NOW });
    state
}

#[test]
fn task_detail_view() {
    let screen = text(&task_detail(true));
    assert!(screen.contains("DB_PASSWORD"), "secret names are shown");
    insta::assert_snapshot!(screen);
}

#[test]
fn task_detail_without_its_definition_view() {
    insta::assert_snapshot!(text(&task_detail(false)));
}

/// The task detail's scroll as the reducer holds it.
fn detail_scroll(state: &State) -> u16 {
    match state.view() {
        ecsdeck::app::View::Task { detail, .. } => detail.scroll,
        other => panic!("{other:?}"),
    }
}

#[test]
fn detail_end_stops_at_the_last_screenful_so_the_next_key_up_moves() {
    let mut state = task_detail(true);
    state.height = 16;
    let top = text(&state);
    update(&mut state, ch('G'));
    let bottom = text(&state);
    assert_ne!(
        bottom, top,
        "G shows the end of a detail taller than the screen"
    );
    let end = detail_scroll(&state);
    assert!(end < 200, "G scrolls to the last screenful, not to {end}");
    update(&mut state, ch('k'));
    assert_eq!(detail_scroll(&state), end - 1);
    assert_ne!(
        text(&state),
        bottom,
        "the first k after G scrolls up a line"
    );
    update(&mut state, ch('G'));
    update(&mut state, ch('j'));
    assert_eq!(detail_scroll(&state), end, "j at the end stays at the end");
}

#[test]
fn detail_taller_than_the_screen_shows_its_position_on_the_right_border() {
    let mut state = task_detail(true);
    state.height = 16;
    let column = |screen: &str| -> String {
        screen
            .lines()
            .skip(3)
            .take(8)
            .map(|l| l.chars().last().unwrap_or(' '))
            .collect()
    };
    let top = column(&text(&state));
    assert!(top.starts_with('█'), "thumb at the top: {top:?}");
    update(&mut state, ch('G'));
    let bottom = column(&text(&state));
    assert!(bottom.ends_with('█'), "thumb at the bottom: {bottom:?}");
}

fn service_detail() -> State {
    let mut state = services_loaded();
    select_service(&mut state, "payments");
    update(&mut state, ch('d'));
    let payments = services(&fleet(), "production")
        .into_iter()
        .find(|s| s.service_name == "payments")
        .unwrap();
    send(&mut state, DataUpdate::ServiceDetail(Box::new(payments)));
    send(&mut state, DataUpdate::Done { at: NOW });
    state
}

#[test]
fn service_detail_view() {
    insta::assert_snapshot!(text(&service_detail()));
}

#[test]
fn service_detail_not_found_view() {
    let mut state = services_loaded();
    update(&mut state, ch('d'));
    send(
        &mut state,
        DataUpdate::Failed {
            error: ApiError::NotFound("service analytics-ingest not found".into()),
            at: NOW,
        },
    );
    insta::assert_snapshot!(text(&state));
}

#[test]
fn help_overlay() {
    let mut state = services_loaded();
    update(&mut state, ch('?'));
    insta::assert_snapshot!(text(&state));
}

#[test]
fn raw_json_overlay() {
    let mut state = clusters_loaded();
    update(&mut state, ch('y'));
    insta::assert_snapshot!(text(&state));
}

#[test]
fn command_line_and_read_only_badge() {
    let mut state = services_loaded();
    state.context.read_only = true;
    state.context.endpoint = Some("http://127.0.0.1:4566".into());
    update(&mut state, ch(':'));
    type_text(&mut state, "tas");
    insta::assert_snapshot!(text(&state));
}

#[test]
fn dark_theme_services() {
    insta::assert_snapshot!(styled(&services_loaded(), "dark"));
}

#[test]
fn light_theme_services() {
    insta::assert_snapshot!(styled(&services_loaded(), "light"));
}

#[test]
fn dark_theme_service_detail() {
    insta::assert_snapshot!(styled(&service_detail(), "dark"));
}

#[test]
fn light_theme_service_detail() {
    insta::assert_snapshot!(styled(&service_detail(), "light"));
}

#[test]
fn dark_theme_error_state() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    send(
        &mut state,
        DataUpdate::Failed {
            error: denied(),
            at: NOW,
        },
    );
    insta::assert_snapshot!(styled(&state, "dark"));
}

#[test]
fn light_theme_error_state() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    send(
        &mut state,
        DataUpdate::Failed {
            error: denied(),
            at: NOW,
        },
    );
    insta::assert_snapshot!(styled(&state, "light"));
}

#[test]
fn the_theme_changes_the_colours_not_the_text() {
    let state = services_loaded();
    let dark = styled(&state, "dark");
    let light = styled(&state, "light");
    assert_ne!(dark, light);
    // The same characters in every cell, whichever theme drew them.
    let symbols = |name: &str| -> String {
        let terminal = draw(&state, &Theme::builtin(name).unwrap());
        let buffer = terminal.backend().buffer();
        buffer.content().iter().map(|cell| cell.symbol()).collect()
    };
    let dark_text = symbols("dark");
    assert!(dark_text.contains("payments"), "the services are drawn");
    assert_eq!(dark_text, symbols("light"));
}

#[test]
fn a_failed_rollout_row_is_drawn_in_the_error_style() {
    let state = services_loaded();
    let theme = Theme::builtin("dark").unwrap();
    let terminal = draw(&state, &theme);
    let buffer = terminal.backend().buffer();
    let y = (0..buffer.area.height)
        .find(|&y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line.contains("payments")
        })
        .expect("payments is on screen");
    let x = (0..buffer.area.width)
        .find(|&x| buffer[(x, y)].symbol() == "p")
        .unwrap();
    assert_eq!(
        buffer[(x, y)].style().fg,
        theme.error.fg,
        "the name of a FAILED service stands out"
    );
}

/// The first cell of the row holding `needle`, and that row's text.
fn row_style(state: &State, needle: &str) -> (ratatui::style::Style, String) {
    let theme = Theme::builtin("dark").unwrap();
    let terminal = draw(state, &theme);
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .find_map(|y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            let x = line.find(needle)?;
            let column = line[..x].chars().count() as u16;
            Some((buffer[(column, y)].style(), line))
        })
        .expect("the row is on screen")
}

#[test]
fn a_list_is_stale_at_its_first_failed_refresh_and_live_again_after_the_next() {
    let theme = Theme::builtin("dark").unwrap();
    let mut state = services_loaded();
    let (live, _) = row_style(&state, "auth:15");
    update(
        &mut state,
        ecsdeck::protocol::Msg::Tick {
            now_ms: NOW + 42_000,
        },
    );
    send(&mut state, DataUpdate::Started);
    // The first attempt fails; the worker retries, and the rows on screen are 42 s old already.
    send(
        &mut state,
        DataUpdate::Retrying {
            error: ApiError::Network(
                "ecs:ListServices: dispatch failure: connection refused".into(),
            ),
            attempt: 1,
        },
    );
    let screen = text(&state);
    assert!(
        screen.contains("STALE — last refreshed 42s ago: cannot reach AWS"),
        "{screen}"
    );
    assert!(screen.contains("→ retrying"), "{screen}");
    let (stale, row) = row_style(&state, "auth:15");
    assert_eq!(stale.fg, theme.muted.fg, "stale rows are muted: {row}");
    assert_ne!(live.fg, stale.fg);
    // The failed rollout still stands out on stale data.
    let (failed, _) = row_style(&state, "payments");
    assert_eq!(failed.fg, theme.error.fg);
    // The next success clears it.
    deliver(&mut state, Rows::Services(services(&fleet(), "production")));
    let screen = text(&state);
    assert!(!screen.contains("STALE"), "{screen}");
    assert_eq!(row_style(&state, "auth:15").0, live);
}

#[test]
fn a_detail_is_stale_at_its_first_failed_refresh() {
    let mut state = service_detail();
    update(
        &mut state,
        ecsdeck::protocol::Msg::Tick {
            now_ms: NOW + 90_000,
        },
    );
    send(
        &mut state,
        DataUpdate::Retrying {
            error: ApiError::Throttled {
                action: "ecs:DescribeServices".into(),
                message: "Rate exceeded".into(),
            },
            attempt: 1,
        },
    );
    let screen = text(&state);
    assert!(
        screen.contains("STALE — last refreshed 1m ago: ecs:DescribeServices throttled"),
        "{screen}"
    );
}

#[test]
fn a_long_stale_line_over_the_services_wraps_and_keeps_its_remedy() {
    let mut state = services_loaded();
    state.width = 120;
    state.height = 35;
    update(
        &mut state,
        ecsdeck::protocol::Msg::Tick {
            now_ms: NOW + 6_000,
        },
    );
    send(
        &mut state,
        DataUpdate::Failed {
            error: ApiError::Network(
                "ecs:ListServices: dispatch failure: connection refused (simulated outage)".into(),
            ),
            at: NOW + 6_000,
        },
    );
    let screen = text(&state);
    let joined = joined(&screen);
    assert!(joined.contains("STALE — last refreshed 6s ago"), "{screen}");
    assert!(
        joined.contains("→ retrying; check the network, VPN or --endpoint-url"),
        "{screen}"
    );
}
