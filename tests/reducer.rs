//! The pure reducer: keys -> state + effects; stale results dropped; error states kept on screen.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::state::{Mode, ToastLevel};
use ecsdeck::app::{View, update};
use ecsdeck::aws::ApiError;
use ecsdeck::protocol::{DataUpdate, Effect, Msg, Rows, Scope};
use support::*;

fn selected_service(state: &ecsdeck::app::State) -> String {
    match state.view() {
        View::Services { list, .. } => list.selected_row().unwrap().service_name.clone(),
        other => panic!("not on services: {other:?}"),
    }
}

/// Clusters loaded, production opened, its services loaded.
fn on_production_services() -> ecsdeck::app::State {
    let sim = fleet();
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    deliver(&mut state, Rows::Clusters(clusters(&sim)));
    update(&mut state, ch('j')); // batch-ec2 -> production (sorted by name)
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Services {
            cluster: "production".into()
        })
    );
    deliver(&mut state, Rows::Services(services(&sim, "production")));
    state
}

#[test]
fn enter_drills_down_and_esc_walks_back_up_rewatching_each_level() {
    let mut state = on_production_services();
    assert_eq!(selected_service(&state), "analytics-ingest");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Tasks {
            cluster: "production".into(),
            service: Some("analytics-ingest".into())
        })
    );
    let effects = update(&mut state, key(KeyCode::Esc));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Services {
            cluster: "production".into()
        })
    );
    // The services are still there while they refresh: going back is instant.
    assert_eq!(selected_service(&state), "analytics-ingest");
    let effects = update(&mut state, ch('q'));
    assert_eq!(watch_of(&effects), Some(&Scope::Clusters));
    // q at the top quits.
    assert_eq!(update(&mut state, ch('q')), vec![Effect::Quit]);
}

#[test]
fn movement_keys_clamp_and_page() {
    let mut state = on_production_services();
    update(&mut state, ch('k'));
    assert_eq!(
        selected_service(&state),
        "analytics-ingest",
        "k at the top stays"
    );
    update(&mut state, ch('G'));
    assert_eq!(selected_service(&state), "web");
    update(&mut state, ch('j'));
    assert_eq!(selected_service(&state), "web", "j at the bottom stays");
    update(&mut state, ch('g'));
    update(&mut state, key(KeyCode::PageDown));
    let page = state.page_rows();
    match state.view() {
        View::Services { list, .. } => assert_eq!(list.selected, page.min(list.visible.len() - 1)),
        _ => unreachable!(),
    }
    update(&mut state, ctrl('b'));
    assert_eq!(selected_service(&state), "analytics-ingest");
}

fn visible_services(state: &ecsdeck::app::State) -> Vec<String> {
    match state.view() {
        View::Services { list, .. } => list
            .visible
            .iter()
            .map(|&i| list.rows[i].service_name.clone())
            .collect(),
        other => panic!("not on services: {other:?}"),
    }
}

fn filter_services(state: &mut ecsdeck::app::State, text: &str) {
    update(state, ch('/'));
    for _ in 0..40 {
        update(state, key(KeyCode::Backspace));
    }
    type_text(state, text);
    update(state, key(KeyCode::Enter));
}

#[test]
fn filter_is_live_case_insensitive_on_the_name_and_esc_clears_it() {
    let mut state = on_production_services();
    update(&mut state, ch('/'));
    type_text(&mut state, "PAY");
    assert_eq!(
        state.mode,
        Mode::Filter {
            input: "PAY".into()
        }
    );
    assert_eq!(selected_service(&state), "payments");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.mode, Mode::Normal);
    assert_eq!(visible_services(&state), ["payments"]);
    // Only the name: every service runs on FARGATE or EC2, yet /gate finds the gateway alone.
    filter_services(&mut state, "gate");
    assert_eq!(visible_services(&state), ["gateway"]);
    // Esc clears the filter before it navigates.
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(effects.is_empty());
    assert_eq!(visible_services(&state).len(), 22);
}

#[test]
fn column_value_filters_another_column_and_an_unknown_column_says_which_there_are() {
    let mut state = on_production_services();
    let sim = fleet();
    let all = services(&sim, "production");
    // The services whose rollout failed, found without the filter.
    let mut failed: Vec<String> = all
        .iter()
        .filter(|s| ecsdeck::app::rows::rollout(s).eq_ignore_ascii_case("failed"))
        .map(|s| s.service_name.clone())
        .collect();
    failed.sort();
    assert!(
        !failed.is_empty() && failed.len() < all.len(),
        "the demo fleet has a failed rollout among others"
    );
    filter_services(&mut state, "rollout:FAILED");
    let mut shown = visible_services(&state);
    shown.sort();
    assert_eq!(shown, failed);
    filter_services(&mut state, "launch:ec2");
    assert!(
        visible_services(&state).is_empty(),
        "production runs on FARGATE"
    );
    filter_services(&mut state, "launch:fargate");
    assert_eq!(visible_services(&state).len(), 22);
    // A column's title without spaces, or the start of one; case does not matter.
    filter_services(&mut state, "Controller:code_deploy");
    assert_eq!(visible_services(&state), ["gateway"]);
    filter_services(&mut state, "taskdef:payments:");
    assert!(visible_services(&state).contains(&"payments".to_string()));
    // A column that is not there matches nothing, and the table says what to type instead.
    filter_services(&mut state, "colour:red");
    assert!(visible_services(&state).is_empty());
    let screen = text(&state);
    assert!(
        screen.contains("no column `colour` here"),
        "the problem is said where the rows would be:\n{screen}"
    );
    assert!(screen.contains("launch"), "{screen}");
    // An ambiguous start names the candidates.
    filter_services(&mut state, "de:1");
    let screen = text(&state);
    assert!(screen.contains("could be des or depl"), "{screen}");
}

#[test]
fn sort_keys_change_column_and_direction_and_keep_the_selection() {
    let mut state = on_production_services();
    update(&mut state, ch('/'));
    type_text(&mut state, "checkout");
    update(&mut state, key(KeyCode::Esc)); // clears, selection stays on checkout
    assert_eq!(selected_service(&state), "checkout");
    update(&mut state, ch('s')); // STATUS
    update(&mut state, ch('s')); // DESIRED
    update(&mut state, ch('O')); // descending
    match state.view() {
        View::Services { list, .. } => {
            assert_eq!(list.sort.column, 2);
            assert!(list.sort.descending);
            let desired: Vec<i32> = list
                .visible
                .iter()
                .map(|&i| list.rows[i].desired_count)
                .collect();
            assert!(desired.windows(2).all(|w| w[0] >= w[1]), "{desired:?}");
        }
        _ => unreachable!(),
    }
    assert_eq!(
        selected_service(&state),
        "checkout",
        "the selection follows the resource"
    );
}

#[test]
fn commands_jump_and_unknown_commands_say_what_exists() {
    let mut state = on_production_services();
    update(&mut state, ch(':'));
    type_text(&mut state, "tasks");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Tasks {
            cluster: "production".into(),
            service: None
        })
    );
    assert_eq!(state.stack.len(), 3, "clusters › production › tasks");

    update(&mut state, ch(':'));
    type_text(&mut state, "clusters");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(watch_of(&effects), Some(&Scope::Clusters));
    assert_eq!(state.stack.len(), 1);

    update(&mut state, ch(':'));
    type_text(&mut state, "services");
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let toast = state.toast.clone().expect("a message");
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(toast.text.contains(":services CLUSTER"), "{}", toast.text);

    update(&mut state, ch(':'));
    type_text(&mut state, "services staging");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Services {
            cluster: "staging".into()
        })
    );

    update(&mut state, ch(':'));
    type_text(&mut state, "frobnicate");
    update(&mut state, key(KeyCode::Enter));
    let text = state.toast.clone().unwrap().text;
    assert!(
        text.contains("unknown command :frobnicate") && text.contains(":clusters"),
        "{text}"
    );

    update(&mut state, ch(':'));
    type_text(&mut state, "q");
    assert_eq!(update(&mut state, key(KeyCode::Enter)), vec![Effect::Quit]);
}

#[test]
fn results_of_a_scope_the_user_left_are_dropped() {
    let sim = fleet();
    let mut state = on_production_services();
    let old_generation = state.generation;
    update(&mut state, key(KeyCode::Esc)); // back to clusters: a new watch
    let late = Msg::Data {
        scope: Scope::Services {
            cluster: "production".into(),
        },
        generation: old_generation,
        update: DataUpdate::Failed {
            error: ApiError::Other("late".into()),
            at: NOW,
        },
    };
    update(&mut state, late);
    assert!(
        state.view().load().error.is_none(),
        "a late failure of another view must not show here"
    );
    // Same scope but an older generation (e.g. before Ctrl-r) is dropped too.
    let gen_before = state.generation;
    update(&mut state, ctrl('r'));
    assert_eq!(state.generation, gen_before + 1);
    update(
        &mut state,
        Msg::Data {
            scope: Scope::Clusters,
            generation: gen_before,
            update: DataUpdate::Batch {
                rows: Rows::Clusters(clusters(&sim)),
                progress: Default::default(),
            },
        },
    );
    match state.view() {
        View::Clusters(list) => assert_eq!(list.rows.len(), 3, "only the original load's rows"),
        _ => unreachable!(),
    }
}

#[test]
fn a_failed_refresh_keeps_the_last_good_rows_marked_stale() {
    let mut state = on_production_services();
    send(&mut state, DataUpdate::Started);
    let denied = ApiError::AccessDenied {
        action: "ecs:DescribeServices".into(),
        message: "not authorized".into(),
    };
    send(
        &mut state,
        DataUpdate::Failed {
            error: denied.clone(),
            at: NOW,
        },
    );
    let load = state.view().load();
    assert_eq!(load.error, Some(denied));
    assert!(load.is_stale());
    match state.view() {
        View::Services { list, .. } => assert_eq!(list.rows.len(), 22),
        _ => unreachable!(),
    }
    // The next successful refresh clears the error.
    deliver(&mut state, Rows::Services(services(&fleet(), "production")));
    assert!(state.view().load().error.is_none());
}

#[test]
fn rows_of_a_refresh_replace_the_old_ones_only_when_it_completes() {
    let sim = fleet();
    let mut state = on_production_services();
    let some: Vec<_> = services(&sim, "production").into_iter().take(3).collect();
    send(&mut state, DataUpdate::Started);
    send(
        &mut state,
        DataUpdate::Batch {
            rows: Rows::Services(some),
            progress: Default::default(),
        },
    );
    match state.view() {
        View::Services { list, .. } => assert_eq!(list.rows.len(), 22, "no flicker mid-refresh"),
        _ => unreachable!(),
    }
    send(&mut state, DataUpdate::Done { at: NOW });
    match state.view() {
        View::Services { list, .. } => {
            assert_eq!(list.rows.len(), 3, "a deleted service disappears")
        }
        _ => unreachable!(),
    }
}

#[test]
fn the_first_load_shows_rows_as_batches_arrive() {
    let sim = fleet();
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    send(&mut state, DataUpdate::Started);
    let first: Vec<_> = clusters(&sim).into_iter().take(1).collect();
    send(
        &mut state,
        DataUpdate::Batch {
            rows: Rows::Clusters(first),
            progress: Default::default(),
        },
    );
    match state.view() {
        View::Clusters(list) => assert_eq!(list.visible.len(), 1),
        _ => unreachable!(),
    }
}

#[test]
fn open_at_cluster_and_service_puts_the_parents_on_the_stack() {
    let mut state = new_state();
    ecsdeck::app::update::open_at(&mut state, Some("production"), Some("web"));
    let effects = ecsdeck::app::update::start(&mut state);
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Tasks {
            cluster: "production".into(),
            service: Some("web".into())
        })
    );
    assert_eq!(state.stack.len(), 3);
    // An unknown name becomes a "not found" state on screen, and Esc goes back to the list.
    send(
        &mut state,
        DataUpdate::Failed {
            error: ApiError::NotFound("service web not found".into()),
            at: NOW,
        },
    );
    assert!(matches!(
        state.view().load().error,
        Some(ApiError::NotFound(_))
    ));
    let effects = update(&mut state, key(KeyCode::Esc));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Services {
            cluster: "production".into()
        })
    );
}

#[test]
fn d_opens_service_details_and_y_shows_raw_json() {
    let mut state = on_production_services();
    let effects = update(&mut state, ch('d'));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::Service {
            cluster: "production".into(),
            service: "analytics-ingest".into()
        })
    );
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('y'));
    match &state.mode {
        Mode::Raw { title, lines, .. } => {
            assert_eq!(title, "analytics-ingest");
            assert!(
                lines
                    .iter()
                    .any(|l| l.contains("\"serviceName\": \"analytics-ingest\""))
            );
        }
        other => panic!("expected raw JSON, got {other:?}"),
    }
    update(&mut state, ch('j'));
    assert!(matches!(state.mode, Mode::Raw { scroll: 1, .. }));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn help_lists_every_binding_and_closes() {
    let mut state = on_production_services();
    update(&mut state, ch('?'));
    assert!(matches!(state.mode, Mode::Help { .. }));
    update(&mut state, ch('?'));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn ctrl_c_quits_from_any_mode() {
    let mut state = on_production_services();
    update(&mut state, ch('/'));
    assert_eq!(update(&mut state, ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn toasts_expire_with_the_clock() {
    let mut state = on_production_services();
    update(&mut state, ch(':'));
    type_text(&mut state, "nope");
    update(&mut state, key(KeyCode::Enter));
    assert!(state.toast.is_some());
    update(
        &mut state,
        Msg::Tick {
            now_ms: NOW + 10_000,
        },
    );
    assert!(state.toast.is_none());
}

#[test]
fn during_the_first_load_an_untouched_selection_stays_on_the_top_row() {
    let sim = fleet();
    let mut state = new_state();
    ecsdeck::app::update::open_at(&mut state, Some("production"), None);
    ecsdeck::app::update::start(&mut state);
    send(&mut state, DataUpdate::Started);
    let all = services(&sim, "production");
    // The batch holding "web" arrives before the one holding "analytics-ingest".
    for batch in [all[20..].to_vec(), all[..20].to_vec()] {
        send(
            &mut state,
            DataUpdate::Batch {
                rows: Rows::Services(batch),
                progress: Default::default(),
            },
        );
    }
    assert_eq!(selected_service(&state), "analytics-ingest");
    // Once the user has moved, the selection follows its resource as more rows arrive.
    let mut state = new_state();
    ecsdeck::app::update::open_at(&mut state, Some("production"), None);
    ecsdeck::app::update::start(&mut state);
    send(
        &mut state,
        DataUpdate::Batch {
            rows: Rows::Services(all[10..].to_vec()),
            progress: Default::default(),
        },
    );
    update(&mut state, ch('j'));
    let chosen = selected_service(&state);
    send(
        &mut state,
        DataUpdate::Batch {
            rows: Rows::Services(all[..10].to_vec()),
            progress: Default::default(),
        },
    );
    assert_eq!(selected_service(&state), chosen);
}

/// payments' charts, the service described by the metrics worker.
fn on_payments_charts() -> ecsdeck::app::State {
    let sim = fleet();
    let mut state = on_production_service("payments");
    update(&mut state, ch('m'));
    assert!(matches!(state.view(), View::Metrics(_)));
    let payments = services(&sim, "production")
        .into_iter()
        .find(|s| s.service_name == "payments")
        .unwrap();
    let generation = state.generation;
    update(
        &mut state,
        Msg::Metrics {
            generation,
            update: ecsdeck::protocol::MetricsUpdate::Service(Box::new(payments)),
        },
    );
    state
}

#[test]
fn the_service_on_its_charts_can_be_logged_described_watched_and_acted_on() {
    // l tails the service's logs.
    let mut state = on_payments_charts();
    let effects = update(&mut state, ch('l'));
    assert!(matches!(state.view(), View::Logs(_)), "l opens the logs");
    assert!(effects.iter().any(|e| matches!(e, Effect::Tail { .. })));
    // d opens its details, W its deploy screen.
    let mut state = on_payments_charts();
    update(&mut state, ch('d'));
    match state.view() {
        View::Service { service, .. } => assert_eq!(service, "payments"),
        other => panic!("d opens the details, not {}", other.title()),
    }
    let mut state = on_payments_charts();
    update(&mut state, ch('W'));
    assert!(matches!(state.view(), View::Deploy(v) if v.service == "payments"));
    // S, F and R open their dialogs for payments; X too, or says why it cannot.
    for k in ['S', 'F', 'R'] {
        let mut state = on_payments_charts();
        update(&mut state, ch(k));
        assert!(
            matches!(state.mode, Mode::Dialog(_)),
            "{k} opens its dialog from the charts"
        );
    }
    let mut state = on_payments_charts();
    update(&mut state, ch('X'));
    assert!(
        matches!(state.mode, Mode::Dialog(_)) || state.toast.is_some(),
        "X answers"
    );
    // Before the worker has described the service, an action says what to wait for.
    let mut state = on_production_service("payments");
    update(&mut state, ch('m'));
    update(&mut state, ch('S'));
    assert!(matches!(state.mode, Mode::Normal));
    assert!(state.toast.is_some(), "S says why nothing opened");
}

#[test]
fn the_footer_of_a_service_shows_its_actions() {
    for (name, mut state) in [
        ("charts", on_payments_charts()),
        ("details", {
            let mut s = on_production_service("payments");
            update(&mut s, ch('d'));
            s
        }),
    ] {
        update(
            &mut state,
            Msg::Resize {
                width: 200,
                height: 40,
            },
        );
        let screen = text(&state);
        let footer = screen.lines().last().unwrap_or_default().to_string();
        for hint in [
            "S scale",
            "F force deploy",
            "R roll back",
            "X stop deploy",
            "W deploy",
        ] {
            assert!(
                footer.contains(hint),
                "{name}: footer lacks {hint:?}: {footer}"
            );
        }
        for hint in ["l logs", "d details"] {
            if name == "charts" {
                assert!(
                    footer.contains(hint),
                    "{name}: footer lacks {hint:?}: {footer}"
                );
            }
        }
    }
}

#[test]
fn a_key_that_does_nothing_here_says_where_it_works() {
    let sim = fleet();
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    deliver(&mut state, Rows::Clusters(clusters(&sim)));
    for (k, says) in [
        ('S', "S (scale) works on a services list"),
        ('R', "R (roll back) works on a services list"),
        ('m', "m (metrics) works on a service"),
        ('i', "i (only lines matching) works on a log view"),
    ] {
        state.toast = None;
        let effects = update(&mut state, ch(k));
        assert!(effects.is_empty(), "{k} sends nothing on the clusters list");
        let toast = state
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(toast.starts_with(says), "{k}: {toast:?}");
        assert!(toast.ends_with("not here"), "{k}: {toast:?}");
    }
    // A key that is bound nowhere says so briefly, and where help is.
    state.toast = None;
    assert!(update(&mut state, ch('Z')).is_empty());
    assert_eq!(
        state.toast.as_ref().map(|t| t.text.as_str()),
        Some("Z: nothing here — ? for help")
    );
}

#[test]
fn the_deploy_screen_scrolls_its_events_to_the_last_one_not_past_it() {
    let mut state = new_state();
    let scope = Scope::Deploy {
        cluster: "production".into(),
        service: "payments".into(),
    };
    state.stack.push(View::for_scope(&scope));
    let View::Deploy(view) = state.view_mut() else {
        panic!("not the deploy screen")
    };
    view.events = (0..5)
        .map(|i| ecsdeck::aws::ServiceEvent {
            id: format!("e{i}"),
            created_at: Some(1_000 * i),
            message: format!("(service payments) event {i}"),
        })
        .collect();
    let scroll = |state: &ecsdeck::app::State| match state.view() {
        View::Deploy(v) => v.scroll,
        _ => panic!("left the deploy screen"),
    };
    update(&mut state, ch('G'));
    assert_eq!(
        scroll(&state),
        4,
        "G shows the last event, not an empty column"
    );
    update(&mut state, ch('k'));
    assert_eq!(scroll(&state), 3, "the first k after G moves at once");
    update(&mut state, ch('g'));
    assert_eq!(scroll(&state), 0);
}
