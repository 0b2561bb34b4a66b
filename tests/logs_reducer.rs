//! The log view in the pure reducer: opening tails, what each key does, bad input, and the tail's updates.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::state::{Mode, Prompt, ToastLevel};
use ecsdeck::app::{State, View, update};
use ecsdeck::aws::ApiError;
use ecsdeck::model::logs::LogLine;
use ecsdeck::protocol::LogTarget;
use ecsdeck::protocol::TailUpdate;
use ecsdeck::protocol::{Effect, Msg, Rows, Scope};
use std::sync::Arc;
use support::*;

fn on_checkout() -> State {
    on_production_service("checkout")
}

fn tail_of(effects: &[Effect]) -> Option<&Option<ecsdeck::protocol::LogRequest>> {
    effects.iter().find_map(|e| match e {
        Effect::Tail { request, .. } => Some(request),
        _ => None,
    })
}

fn line(ts: i64, task: &str, msg: &str) -> LogLine {
    LogLine::new(ts, Arc::from(format!("ecs/checkout/{task}")), msg.into())
}

fn lines(state: &mut State, batch: Vec<LogLine>) {
    let generation = state.generation;
    update(
        state,
        Msg::Log {
            generation,
            update: TailUpdate::Lines(batch),
        },
    );
}

fn view(state: &State) -> &ecsdeck::app::logs::LogView {
    match state.view() {
        View::Logs(v) => v,
        other => panic!("not a log view: {}", other.title()),
    }
}

fn opened() -> State {
    let mut state = on_checkout();
    update(&mut state, ch('l'));
    state
}

fn messages(state: &State) -> Vec<String> {
    let v = view(state);
    (0..v.len())
        .map(|i| v.line(i).unwrap().message.clone())
        .collect()
}

#[test]
fn l_on_a_service_tails_all_its_deployments_from_5_minutes_ago_and_q_stops_it() {
    let mut state = on_checkout();
    let effects = update(&mut state, ch('l'));
    let request = tail_of(&effects).unwrap().clone().unwrap();
    match &request.target {
        LogTarget::Service {
            cluster,
            service,
            task_definitions,
        } => {
            assert_eq!(
                (cluster.as_str(), service.as_str()),
                ("production", "checkout")
            );
            // checkout is mid-rollout: both deployments' revisions are tailed.
            assert_eq!(task_definitions.len(), 2, "{task_definitions:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(request.since, NOW - 300_000);
    assert_eq!(watch_of(&effects), Some(&Scope::Logs));
    let generation = state.generation;
    let effects = update(&mut state, ch('q'));
    assert!(matches!(state.view(), View::Services { .. }));
    assert_eq!(
        tail_of(&effects),
        Some(&None),
        "leaving the view stops the tail"
    );
    // Lines of the closed tail are dropped.
    update(
        &mut state,
        Msg::Log {
            generation,
            update: TailUpdate::Lines(vec![line(1, "a", "late")]),
        },
    );
    assert!(matches!(state.view(), View::Services { .. }));
}

#[test]
fn l_on_a_task_and_logs_container_on_its_detail() {
    let sim = fleet();
    let mut state = on_checkout();
    update(&mut state, key(KeyCode::Enter));
    deliver(
        &mut state,
        Rows::Tasks(tasks(&sim, "production", Some("checkout"))),
    );
    let effects = update(&mut state, ch('l'));
    assert!(matches!(
        tail_of(&effects),
        Some(Some(r)) if matches!(&r.target, LogTarget::Task { container: None, .. })
    ));
    update(&mut state, ch('q'));
    // The task detail, then :logs CONTAINER.
    update(&mut state, key(KeyCode::Enter));
    let task = tasks(&sim, "production", Some("checkout")).remove(0);
    send(
        &mut state,
        ecsdeck::protocol::DataUpdate::TaskDetail {
            task: Box::new(task.clone()),
            definition: Err(ApiError::Other("not needed".into())),
        },
    );
    update(&mut state, ch(':'));
    type_text(&mut state, "logs nope");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(tail_of(&effects).is_none());
    let toast = state.toast.clone().unwrap();
    assert!(
        toast.text.contains("no container \"nope\""),
        "{}",
        toast.text
    );
    let container = task.containers[0].name.clone();
    update(&mut state, ch(':'));
    type_text(&mut state, &format!("logs {container}"));
    let effects = update(&mut state, key(KeyCode::Enter));
    match tail_of(&effects) {
        Some(Some(r)) => assert!(
            matches!(&r.target, LogTarget::Task { container: Some(c), .. } if *c == container)
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn late_lines_go_in_order_and_pausing_counts_what_arrives() {
    let mut state = opened();
    lines(
        &mut state,
        vec![line(10, "a", "one"), line(30, "a", "three")],
    );
    lines(&mut state, vec![line(20, "b", "two")]);
    assert_eq!(messages(&state), ["one", "two", "three"]);
    update(&mut state, ch(' '));
    assert!(!view(&state).follow);
    lines(
        &mut state,
        vec![line(40, "a", "four"), line(50, "a", "five")],
    );
    assert_eq!(view(&state).unseen, 2);
    // The selection stays on the line it was on.
    let v = view(&state);
    assert_eq!(
        v.line(v.index_of(v.cursor.unwrap())).unwrap().message,
        "three"
    );
    update(&mut state, ch('k'));
    let v = view(&state);
    assert_eq!(
        v.line(v.index_of(v.cursor.unwrap())).unwrap().message,
        "two"
    );
    update(&mut state, ch('G'));
    assert!(view(&state).follow);
    assert_eq!(view(&state).unseen, 0);
}

#[test]
fn search_selects_the_newest_match_and_n_walks_the_others() {
    let mut state = opened();
    lines(
        &mut state,
        vec![
            line(1, "a", "ERROR db timed out"),
            line(2, "a", "INFO fine"),
            line(3, "a", "ERROR cache timed out"),
            line(4, "a", "INFO fine again"),
        ],
    );
    update(&mut state, ch('/'));
    type_text(&mut state, "timed out");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.mode, Mode::Normal);
    let selected = |s: &State| {
        let v = view(s);
        v.line(v.index_of(v.cursor.unwrap()))
            .unwrap()
            .message
            .clone()
    };
    assert_eq!(selected(&state), "ERROR cache timed out");
    update(&mut state, ch('n'));
    assert_eq!(selected(&state), "ERROR db timed out", "wraps around");
    update(&mut state, ch('N'));
    assert_eq!(selected(&state), "ERROR cache timed out");
    // Esc clears the search first, then leaves.
    update(&mut state, key(KeyCode::Esc));
    assert!(view(&state).search.is_none());
}

#[test]
fn a_bad_regex_says_what_is_wrong_and_the_tail_keeps_running() {
    let mut state = opened();
    update(&mut state, ch('i'));
    type_text(&mut state, "(unclosed");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(effects.is_empty());
    match &state.mode {
        Mode::Prompt {
            kind: Prompt::Include,
            error: Some(e),
            ..
        } => assert!(e.contains("invalid regex \"(unclosed\""), "{e}"),
        other => panic!("{other:?}"),
    }
    // Lines still arrive while the prompt is open.
    lines(&mut state, vec![line(1, "a", "still here")]);
    assert_eq!(messages(&state), ["still here"]);
    update(&mut state, key(KeyCode::Esc));
    assert!(view(&state).include.is_none());
}

#[test]
fn include_and_exclude_regexes_filter_what_is_shown_live() {
    let mut state = opened();
    lines(
        &mut state,
        vec![
            line(1, "a", "ERROR x"),
            line(2, "a", "INFO y"),
            line(3, "a", "WARN z"),
        ],
    );
    update(&mut state, ch('i'));
    type_text(&mut state, "error|warn");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        messages(&state),
        ["ERROR x", "WARN z"],
        "smart case: lower case ignores case"
    );
    update(&mut state, ch('v'));
    type_text(&mut state, "WARN");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(messages(&state), ["ERROR x"]);
    lines(
        &mut state,
        vec![line(4, "a", "ERROR new"), line(5, "a", "INFO no")],
    );
    assert_eq!(messages(&state), ["ERROR x", "ERROR new"]);
    assert_eq!(
        view(&state).buffer.len(),
        5,
        "filters hide, they do not drop"
    );
}

#[test]
fn a_filter_pattern_is_checked_before_it_is_sent_and_a_new_one_restarts_the_tail() {
    let mut state = opened();
    lines(&mut state, vec![line(1, "a", "old")]);
    update(&mut state, ch('F'));
    type_text(&mut state, "ERROR \"unclosed");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(tail_of(&effects).is_none(), "nothing sent");
    assert!(
        matches!(&state.mode, Mode::Prompt { error: Some(e), .. } if e.contains("unbalanced quote"))
    );
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('F'));
    type_text(&mut state, "ERROR");
    let effects = update(&mut state, key(KeyCode::Enter));
    let request = tail_of(&effects).unwrap().clone().unwrap();
    assert_eq!(request.pattern.as_deref(), Some("ERROR"));
    assert!(view(&state).buffer.is_empty(), "a new query starts over");
    // AWS may still reject what the local check let through: the tail goes on without it.
    let generation = state.generation;
    update(
        &mut state,
        Msg::Log {
            generation,
            update: TailUpdate::PatternRejected(ApiError::Invalid {
                action: "logs:FilterLogEvents".into(),
                message: "Invalid filter pattern".into(),
            }),
        },
    );
    assert_eq!(view(&state).request.pattern, None);
    let toast = state.toast.clone().unwrap();
    assert_eq!(toast.level, ToastLevel::Error);
    assert!(toast.text.contains("showing all lines"), "{}", toast.text);
}

#[test]
fn since_restarts_further_back_and_rejects_nonsense() {
    let mut state = opened();
    update(&mut state, ch(':'));
    type_text(&mut state, "since 1h");
    let effects = update(&mut state, key(KeyCode::Enter));
    let request = tail_of(&effects).unwrap().clone().unwrap();
    assert_eq!(request.since, NOW - 3_600_000);
    assert_eq!(view(&state).since_label, "1h");
    for bad in ["since 5x", "since -1m", "since 99d", "since"] {
        update(&mut state, ch(':'));
        type_text(&mut state, bad);
        let effects = update(&mut state, key(KeyCode::Enter));
        assert!(tail_of(&effects).is_none(), "{bad}");
        let toast = state.toast.clone().unwrap();
        assert_eq!(toast.level, ToastLevel::Error, "{bad}");
        assert!(
            toast.text.contains("duration") || toast.text.contains("too far back"),
            "{bad}: {}",
            toast.text
        );
    }
}

#[test]
fn d_cycles_through_deployments_using_the_task_revisions() {
    let mut state = opened();
    let generation = state.generation;
    update(
        &mut state,
        Msg::Log {
            generation,
            update: TailUpdate::Revisions {
                tasks: vec![
                    ("a".into(), "checkout:7".into()),
                    ("b".into(), "checkout:8".into()),
                ],
                primary: Some("checkout:8".into()),
            },
        },
    );
    lines(
        &mut state,
        vec![line(1, "a", "old"), line(2, "b", "new"), line(3, "c", "?")],
    );
    update(&mut state, ch('D'));
    assert_eq!(messages(&state), ["new"]);
    update(&mut state, ch('D'));
    assert_eq!(messages(&state), ["old"]);
    update(&mut state, ch('D'));
    assert_eq!(messages(&state), ["old", "new", "?"]);
}

#[test]
fn copy_and_save_hand_the_text_to_the_runtime() {
    let mut state = opened();
    lines(&mut state, vec![line(1_763_700_000_000, "abc", "hello")]);
    let effects = update(&mut state, ch('c'));
    assert_eq!(effects, vec![Effect::Copy("hello".into())]);
    update(&mut state, ch('s'));
    match &state.mode {
        Mode::Prompt {
            kind: Prompt::Save,
            input,
            ..
        } => assert!(input.starts_with("ecsdeck-checkout-"), "{input}"),
        other => panic!("{other:?}"),
    }
    // Replace the suggested name.
    for _ in 0..60 {
        update(&mut state, key(KeyCode::Backspace));
    }
    type_text(&mut state, "out.log");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        effects,
        vec![Effect::Save {
            path: "out.log".into(),
            text: "2025-11-21T04:40:00.000Z\tabc\tcheckout\thello\n".into()
        }]
    );
}

#[test]
fn the_buffer_is_bounded_and_counts_what_it_dropped() {
    let mut state = on_checkout();
    state.context.log_capacity = 3;
    update(&mut state, ch('l'));
    lines(
        &mut state,
        (0..5).map(|i| line(i, "a", &format!("{i}"))).collect(),
    );
    assert_eq!(messages(&state), ["2", "3", "4"]);
    assert_eq!(view(&state).buffer.dropped, 2);
}

#[test]
fn loggroups_lists_groups_and_enter_tails_one() {
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    update(&mut state, ch(':'));
    type_text(&mut state, "loggroups /ecs/");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        watch_of(&effects),
        Some(&Scope::LogGroups {
            prefix: Some("/ecs/".into())
        })
    );
    deliver(
        &mut state,
        Rows::LogGroups(vec![ecsdeck::aws::LogGroup {
            log_group_name: "/ecs/production/web".into(),
            ..Default::default()
        }]),
    );
    let effects = update(&mut state, key(KeyCode::Enter));
    match tail_of(&effects) {
        Some(Some(r)) => assert_eq!(
            r.target,
            LogTarget::Group {
                name: "/ecs/production/web".into()
            }
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_way_out_of_a_log_view_stops_its_tail_and_only_those() {
    for command in [
        "services",
        "clusters",
        "tasks production",
        "loggroups /ecs/",
    ] {
        let mut state = opened();
        update(&mut state, ch(':'));
        type_text(&mut state, command);
        let effects = update(&mut state, key(KeyCode::Enter));
        assert!(!matches!(state.view(), View::Logs(_)), ":{command}");
        assert_eq!(tail_of(&effects), Some(&None), ":{command} stops the tail");
        assert!(
            watch_of(&effects).is_some(),
            ":{command} watches the new view"
        );
    }
    // Moving between tables has no tail to stop.
    let mut state = on_checkout();
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(watch_of(&effects).is_some());
    assert_eq!(tail_of(&effects), None);
}

#[test]
fn valid_cloudwatch_patterns_of_every_form_are_sent_to_aws_as_typed() {
    for pattern in [
        "{ $.latency > 100 }",
        "{ ($.a = 1) }",
        "[ip, user, ...]",
        r#"{ ($.user.id = 2 && $.users[0].lastName = "Doe") || $.users[0].name = "John" }"#,
        "{ $.SomeObject NOT EXISTS }",
        "{ $.x IS NULL }",
        "%ERROR|WARN% -health",
        "[..., status_code = 4* || status_code = 5*, bytes > 1000]",
        // A form ecsdeck does not evaluate itself: AWS judges it.
        "{ $.a > abc }",
    ] {
        let mut state = opened();
        update(&mut state, ch('F'));
        type_text(&mut state, pattern);
        let effects = update(&mut state, key(KeyCode::Enter));
        assert!(
            matches!(state.mode, Mode::Normal),
            "{pattern}: {:?}",
            state.mode
        );
        let request = tail_of(&effects)
            .and_then(|r| r.clone())
            .unwrap_or_else(|| panic!("{pattern} not sent"));
        assert_eq!(request.pattern.as_deref(), Some(pattern));
    }
}

#[test]
fn escape_clears_the_include_exclude_and_deployment_filters_before_leaving() {
    let mut state = opened();
    lines(
        &mut state,
        vec![line(1, "a", "alpha"), line(2, "b", "beta")],
    );
    update(&mut state, ch('i'));
    type_text(&mut state, "zzz");
    update(&mut state, key(KeyCode::Enter));
    assert!(view(&state).is_empty());
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(tail_of(&effects).is_none(), "the tail keeps running");
    assert_eq!(messages(&state), ["alpha", "beta"]);
    assert!(view(&state).include.is_none());
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(
        matches!(tail_of(&effects), Some(None)),
        "leaving stops the tail"
    );
}
