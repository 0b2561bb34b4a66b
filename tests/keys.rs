//! `[keys]`: parsing and checking the user's keys, the reducer dispatching through them, and help per screen.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecsdeck::app::state::Mode;
use ecsdeck::app::{Effect, Msg, State, View, update};
use ecsdeck::aws::ApiError;
use ecsdeck::keymap::{Action, BINDINGS, Key, Keymap, Screen, help, parse_key};
use ecsdeck::model::logs::LogLine;
use ecsdeck::protocol::TailUpdate;
use ecsdeck::settings::file::{Config, ConfigError};
use std::path::Path;
use std::sync::Arc;
use support::*;

const PATH: &str = "/home/u/.config/ecsdeck/config.toml";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new(PATH))
}

fn error(text: &str) -> ConfigError {
    parse(text).expect_err("this [keys] must be refused")
}

fn keymap(text: &str) -> Keymap {
    parse(text).expect("a good [keys]").keymap
}

fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, modifiers)
}

fn action_on(keymap: &Keymap, screen: Screen, event: KeyEvent) -> Option<Action> {
    keymap.binding_on(&event, screen).map(|b| b.action)
}

#[test]
fn keys_parse_in_the_forms_people_write_them() {
    let char_key = |c| Key {
        code: KeyCode::Char(c),
        ctrl: false,
    };
    for (text, key) in [
        (
            "Ctrl-Q",
            Key {
                code: KeyCode::Char('q'),
                ctrl: true,
            },
        ),
        (
            "ctrl-q",
            Key {
                code: KeyCode::Char('q'),
                ctrl: true,
            },
        ),
        (
            "F5",
            Key {
                code: KeyCode::F(5),
                ctrl: false,
            },
        ),
        ("G", char_key('G')),
        ("shift-g", char_key('G')),
        (
            "shift-tab",
            Key {
                code: KeyCode::BackTab,
                ctrl: false,
            },
        ),
        (
            "esc",
            Key {
                code: KeyCode::Esc,
                ctrl: false,
            },
        ),
        ("space", char_key(' ')),
        ("?", char_key('?')),
        ("-", char_key('-')),
        (
            "PgDn",
            Key {
                code: KeyCode::PageDown,
                ctrl: false,
            },
        ),
    ] {
        assert_eq!(parse_key(text), Ok(key), "{text}");
    }
    for bad in [
        "", "F13", "ctrl-", "hyper-x", "shift-?", "alt-x", "Enterr", "ctrl-1", "ctrl-?",
    ] {
        assert!(parse_key(bad).is_err(), "{bad:?} must not parse");
    }
    // A terminal cannot tell Ctrl-Shift-A from Ctrl-A: refused with the key to write instead, not read as
    // ctrl-a behind the user's back.
    let err = parse_key("ctrl-shift-a").unwrap_err();
    assert!(err.contains("write \"ctrl-a\""), "{err}");
    let err = parse_key("ctrl-1").unwrap_err();
    assert!(err.contains("ctrl- goes with a letter"), "{err}");
    let err = parse_key("ctrl-shift-1").unwrap_err();
    assert!(err.contains("ctrl- goes with a letter"), "{err}");
    // Ctrl-i, Ctrl-m, Ctrl-h arrive as Tab, Enter, Backspace.
    for (k, same) in [
        ("ctrl-i", "Tab"),
        ("Ctrl-M", "Enter"),
        ("ctrl-h", "Backspace"),
    ] {
        let err = parse_key(k).unwrap_err();
        assert!(err.contains(&format!("as {same}")), "{err}");
    }
}

#[test]
fn a_good_keys_section_remaps_globally_and_per_screen() {
    let keys = keymap(
        "theme = \"dark\"\n\
         [keys]\n\
         refresh = \"F5\"\n\
         down = [\"j\", \"Down\", \"ctrl-n\"]\n\
         [keys.services]\n\
         scale = \"ctrl-s\"\n\
         [keys.logs]\n\
         pause = \"p\"\n",
    );
    let f5 = press(KeyCode::F(5), KeyModifiers::NONE);
    for screen in Screen::ALL {
        assert_eq!(
            action_on(&keys, screen, f5),
            Some(Action::Refresh),
            "{screen:?}"
        );
        let ctrl_n = press(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(action_on(&keys, screen, ctrl_n), Some(Action::Down));
    }
    let ctrl_s = press(KeyCode::Char('s'), KeyModifiers::CONTROL);
    assert_eq!(
        action_on(&keys, Screen::Services, ctrl_s),
        Some(Action::Scale)
    );
    // Only on the services list: a service's details keep S.
    let big_s = press(KeyCode::Char('S'), KeyModifiers::NONE);
    assert_eq!(action_on(&keys, Screen::Services, big_s), None);
    assert_eq!(
        action_on(&keys, Screen::Service, big_s),
        Some(Action::Scale)
    );
    let p = press(KeyCode::Char('p'), KeyModifiers::NONE);
    assert_eq!(action_on(&keys, Screen::Logs, p), Some(Action::Pause));
    let space = press(KeyCode::Char(' '), KeyModifiers::NONE);
    assert_eq!(action_on(&keys, Screen::Logs, space), None);
}

#[test]
fn an_unknown_action_names_the_file_line_and_the_name() {
    let err = error("[keys]\nrefresh = \"F5\"\n\n[keys.services]\nscael = \"S\"\n");
    assert_eq!(err.line, Some(5));
    assert_eq!(err.key.as_deref(), Some("keys.services.scael"));
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{PATH}, line 5, key `keys.services.scael`")),
        "{text}"
    );
    assert!(text.contains("\"scael\" is not an action"), "{text}");
}

#[test]
fn an_unknown_screen_names_the_file_line_and_the_screens_there_are() {
    let err = error("[keys.service_list]\nscale = \"S\"\n");
    assert_eq!(err.line, Some(1));
    assert_eq!(err.key.as_deref(), Some("keys.service_list"));
    let text = err.to_string();
    assert!(text.starts_with(&format!("{PATH}, line 1")), "{text}");
    assert!(
        text.contains("\"service_list\" is neither a screen nor an action"),
        "{text}"
    );
    assert!(text.contains("services, tasks"), "{text}");
}

#[test]
fn an_action_that_does_nothing_on_a_screen_is_refused_there() {
    let err = error("[keys.clusters]\npause = \"p\"\n");
    assert_eq!(err.line, Some(2));
    assert!(
        err.to_string()
            .contains("`pause` does nothing on the clusters screen (it works on a log view)"),
        "{err}"
    );
}

#[test]
fn a_key_that_does_not_parse_names_the_file_line_action_and_the_key() {
    let err = error("# my keys\n[keys]\nrefresh = \"Ctrl-F5-\"\n");
    assert_eq!(err.line, Some(3));
    assert_eq!(err.key.as_deref(), Some("keys.refresh"));
    let text = err.to_string();
    assert!(text.contains("\"Ctrl-F5-\" is not a key"), "{text}");
    let err = error("[keys]\nhelp = 5\n");
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().contains("a key"), "{err}");
    assert!(err.to_string().contains("found an integer"), "{err}");
}

#[test]
fn two_actions_on_one_key_on_one_screen_name_the_line_and_both_actions() {
    // `s` sorts the services list.
    let err = error("[keys]\n\n[keys.services]\nscale = \"s\"\n");
    assert_eq!(err.line, Some(4));
    assert_eq!(err.key.as_deref(), Some("keys.services.scale"));
    let text = err.to_string();
    assert!(text.starts_with(&format!("{PATH}, line 4")), "{text}");
    assert!(
        text.contains("s is bound to both `scale` and `sort_next` on the services screen"),
        "{text}"
    );
    // Moving the other action too is fine.
    let keys = keymap("[keys.services]\nscale = \"s\"\nsort_next = \"o\"\n");
    let s = press(KeyCode::Char('s'), KeyModifiers::NONE);
    assert_eq!(action_on(&keys, Screen::Services, s), Some(Action::Scale));
    // A global key is checked on every screen: `s` saves in a log view.
    let err = error("[keys]\nrefresh = \"s\"\n");
    assert_eq!(err.line, Some(2));
    assert!(err.to_string().contains("`refresh`"), "{err}");
    assert!(err.to_string().contains("`sort_next`"), "{err}");
    // Two user keys that collide.
    let err = error("[keys]\nraw = \"x\"\nhelp = \"x\"\n");
    assert!(
        err.to_string().contains("`help`") && err.to_string().contains("`raw`"),
        "{err}"
    );
    // Ctrl-c always quits.
    let err = error("[keys]\nquit = \"ctrl-c\"\n");
    assert!(err.to_string().contains("Ctrl-c always quits"), "{err}");
}

fn with_keys(mut state: State, text: &str) -> State {
    state.keymap = Arc::new(keymap(text));
    state
}

#[test]
fn the_reducer_honours_a_remapped_key_and_the_old_default_no_longer_acts() {
    let mut state = with_keys(
        on_production_service("checkout"),
        "[keys.services]\nscale = \"x\"\n",
    );
    update(&mut state, ch('x'));
    assert!(
        matches!(state.mode, Mode::Dialog(_)),
        "x opens the scale dialog"
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(matches!(state.mode, Mode::Normal));
    state.toast = None;
    assert!(update(&mut state, ch('S')).is_empty());
    assert!(
        matches!(state.mode, Mode::Normal),
        "S no longer scales here"
    );
    assert_eq!(
        state.toast.as_ref().map(|t| t.text.as_str()),
        Some("S (scale) is x on this screen")
    );
}

#[test]
fn a_global_remap_replaces_every_default_key_of_the_action() {
    let mut state = with_keys(
        on_production_service("checkout"),
        "[keys]\nrefresh = \"F5\"\n",
    );
    let effects = update(&mut state, key(KeyCode::F(5)));
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Watch { .. })),
        "F5 refreshes: {effects:?}"
    );
    for old in [ctrl('r'), ch('r')] {
        state.toast = None;
        assert!(update(&mut state, old).is_empty(), "the defaults are gone");
        let toast = state
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(toast.ends_with("nothing here — ? for help"), "{toast}");
    }
}

#[test]
fn r_refreshes_like_ctrl_r() {
    let mut state = on_production_service("checkout");
    for k in [ch('r'), ctrl('r')] {
        let effects = update(&mut state, k);
        assert!(
            effects.iter().any(|e| matches!(e, Effect::Watch { .. })),
            "{effects:?}"
        );
    }
}

#[test]
fn the_footer_and_help_show_the_users_keys() {
    let mut state = with_keys(
        on_production_service("checkout"),
        "[keys]\nhelp = \"F1\"\n[keys.services]\nscale = \"x\"\n",
    );
    state.width = 80;
    state.height = 24;
    let screen = text(&state);
    let footer = screen.lines().last().unwrap_or_default();
    assert!(footer.contains("F1 help"), "{footer}");
    assert!(footer.contains("x scale"), "{footer}");
    assert!(!footer.contains("S scale"), "{footer}");
    update(&mut state, key(KeyCode::F(1)));
    assert!(matches!(state.mode, Mode::Help { .. }));
    insta::assert_snapshot!("help_services_remapped_80x24", text(&state));
}

fn open_help(mut state: State, width: u16, height: u16) -> State {
    state.width = width;
    state.height = height;
    update(&mut state, Msg::Resize { width, height });
    update(&mut state, ch('?'));
    assert!(matches!(state.mode, Mode::Help { .. }));
    state
}

fn help_scroll(state: &State) -> u16 {
    match state.mode {
        Mode::Help { scroll } => scroll,
        _ => panic!("help is not open"),
    }
}

fn logs_state() -> State {
    let mut state = on_production_service("checkout");
    update(&mut state, ch('l'));
    assert!(matches!(state.view(), View::Logs(_)));
    state
}

#[test]
fn help_shows_this_screens_keys_first_at_80x24_and_40x10() {
    insta::assert_snapshot!(
        "help_services_80x24",
        text(&open_help(on_production_service("checkout"), 80, 24))
    );
    insta::assert_snapshot!(
        "help_services_40x10",
        text(&open_help(on_production_service("checkout"), 40, 10))
    );
    insta::assert_snapshot!("help_logs_80x24", text(&open_help(logs_state(), 80, 24)));
    let mut end = open_help(logs_state(), 40, 10);
    update(&mut end, ch('G'));
    insta::assert_snapshot!("help_logs_40x10_end", text(&end));
}

/// Every word of every description a screen's help lists, seen while scrolling it from top to bottom:
/// a cut description loses a word.
#[test]
fn scrolling_help_shows_every_description_whole_and_stops_at_the_end() {
    for (name, make) in [
        (
            "services",
            &(|| on_production_service("checkout")) as &dyn Fn() -> State,
        ),
        ("logs", &logs_state),
    ] {
        for (width, height) in [(80, 24), (40, 10)] {
            let mut state = open_help(make(), width, height);
            let screen = Screen::of(state.view());
            let mut seen = std::collections::HashSet::new();
            let mut last = None;
            for _ in 0..200 {
                for line in text(&state).lines() {
                    // Borders and the scrollbar touch the last word of a full row.
                    seen.extend(
                        line.split_whitespace()
                            .map(|w| w.trim_matches(|c| "│║█".contains(c)).to_owned()),
                    );
                }
                update(&mut state, ch('j'));
                let scroll = help_scroll(&state);
                if last == Some(scroll) {
                    break;
                }
                last = Some(scroll);
            }
            let end = help_scroll(&state);
            assert_eq!(
                end,
                help::max_scroll(&state.keymap, screen, width, height),
                "{name} {width}x{height}"
            );
            // The last row is on screen at the end, and one `k` moves back at once.
            let rows = help::rows(&state.keymap, screen, width - 2);
            let last_row = rows.last().map(|r| r.text.clone()).unwrap_or_default();
            assert!(
                text(&state).contains(last_row.trim()),
                "{name} {width}x{height}"
            );
            update(&mut state, ch('k'));
            assert_eq!(help_scroll(&state), end.saturating_sub(1));
            // Every word help has to say (descriptions with their notes, the commands, the filter help) was
            // on screen whole.
            for row in &rows {
                for word in row
                    .key
                    .split_whitespace()
                    .chain(row.text.split_whitespace())
                {
                    assert!(
                        seen.contains(word),
                        "{name} {width}x{height}: {word:?} of {:?} never shown whole",
                        row.text
                    );
                }
            }
            let keymap = Keymap::default();
            for b in BINDINGS.iter().filter(|b| b.place.allows_on(screen)) {
                for word in help::describe(b.action, b.desc, screen).split_whitespace() {
                    assert!(
                        seen.contains(word),
                        "{name} {width}x{height}: {word:?} of {:?} ({}) never shown whole",
                        b.desc,
                        keymap.keys_label(b, screen)
                    );
                }
            }
        }
    }
}

#[test]
fn a_key_bound_nowhere_says_so_in_the_footer() {
    let mut state = on_production_service("checkout");
    state.width = 80;
    state.height = 24;
    update(&mut state, ch('Z'));
    let screen = text(&state);
    let footer = screen.lines().last().unwrap_or_default();
    assert_eq!(footer.trim(), "Z: nothing here — ? for help");
}

/// KEYS.md is the keymap: the README's list of action names links here and cannot drift from the code.
#[test]
fn keys_md_lists_every_action_as_the_keymap_has_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("KEYS.md");
    let generated = ecsdeck::keymap::reference::markdown();
    if std::env::var_os("ECSDECK_WRITE_KEYS_MD").is_some() {
        std::fs::write(&path, &generated).expect("KEYS.md is writable");
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == generated,
        "KEYS.md differs from the keymap: run ECSDECK_WRITE_KEYS_MD=1 cargo test --test keys"
    );
    for b in BINDINGS {
        assert!(generated.contains(&format!("| `{}` |", b.action.name())));
    }
}

#[test]
fn a_message_that_names_a_key_names_the_users_key() {
    let mut state = with_keys(new_state(), "[keys]\nopen_metrics = \"Z\"\n");
    update(&mut state, ch(':'));
    type_text(&mut state, "window 3h");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.toast.as_ref().map(|t| t.text.as_str()),
        Some(":window works on a service's charts: press Z on a service")
    );
}

#[test]
fn a_rejected_filter_pattern_names_the_users_pattern_key() {
    for (keys, says) in [
        ("", "press F to change it"),
        ("[keys.logs]\npattern = \"P\"\n", "press P to change it"),
        (
            "[keys.logs]\npattern = []\n",
            ":filter PATTERN to change it",
        ),
    ] {
        let mut state = with_keys(logs_state(), keys);
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
        let toast = state
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(toast.ends_with(says), "with {keys:?}: {toast}");
    }
}

#[test]
fn the_paused_log_status_names_the_users_key_for_live() {
    let mut state = with_keys(logs_state(), "[keys]\nbottom = [\"E\", \"End\"]\n");
    let generation = state.generation;
    let line = |i: i64| {
        LogLine::new(
            1_000 + i,
            Arc::from("ecs/checkout/0a1b"),
            format!("INFO {i}"),
        )
    };
    update(
        &mut state,
        Msg::Log {
            generation,
            update: TailUpdate::Lines(vec![line(0)]),
        },
    );
    update(&mut state, ch(' '));
    update(
        &mut state,
        Msg::Log {
            generation,
            update: TailUpdate::Lines(vec![line(1)]),
        },
    );
    let screen = text(&state);
    assert!(screen.contains("E to jump to live"), "{screen}");
    assert!(!screen.contains("G to jump to live"), "{screen}");
}

#[test]
fn help_in_a_window_with_no_room_for_a_row_shows_no_position() {
    // 20x5: the help box's border takes all the room it has; "46–45 of 109" was drawn.
    let mut state = open_help(on_production_service("checkout"), 20, 5);
    for _ in 0..3 {
        update(&mut state, ch('j'));
    }
    let screen = text(&state);
    assert!(!screen.contains(" of "), "{screen}");
}

#[test]
fn help_in_the_log_view_says_what_the_global_keys_do_there() {
    let state = open_help(logs_state(), 120, 60);
    let screen = text(&state);
    for said in [
        "newest line: jump to live",
        "tail again from the start time",
        "the selected line as JSON",
    ] {
        assert!(screen.contains(said), "{said} not in:\n{screen}");
    }
}

#[test]
fn a_log_view_with_nothing_to_tail_names_the_users_key_for_back() {
    let mut state = with_keys(logs_state(), "[keys]\nback = [\"Backspace\", \"h\"]\n");
    let generation = state.generation;
    update(
        &mut state,
        Msg::Log {
            generation,
            update: TailUpdate::Status(ecsdeck::protocol::TailStatus {
                idle: Some("no container of this task logs with awslogs".into()),
                ..Default::default()
            }),
        },
    );
    let screen = text(&state);
    assert!(screen.contains("Backspace to go back"), "{screen}");
    assert!(!screen.contains("Esc to go back"), "{screen}");
}

#[test]
fn the_raw_json_view_stops_at_its_last_screenful() {
    let mut state = on_production_service("checkout");
    let (width, height) = (80, 24);
    update(&mut state, Msg::Resize { width, height });
    update(&mut state, ch('y'));
    let Mode::Raw { lines, .. } = &state.mode else {
        panic!("y did not open the JSON view")
    };
    let last_line = lines.last().cloned().unwrap_or_default();
    let total = lines.len();
    let scroll = |state: &State| match &state.mode {
        Mode::Raw { scroll, .. } => *scroll,
        _ => panic!("the JSON view closed"),
    };
    text(&state); // drawn once, as the app does before any key
    update(&mut state, ch('G'));
    let end = scroll(&state);
    assert!(
        (end as usize) < total - 1,
        "G went to line {end} of {total}: a box showing only the last line"
    );
    let screen = text(&state);
    assert!(screen.contains(last_line.trim()), "{screen}");
    update(&mut state, ch('k'));
    assert_eq!(scroll(&state), end - 1, "the first k after G moves at once");
    // Its keys are on the footer line, as the user has them.
    let screen = text(&state);
    assert!(
        screen.contains("Esc close  j/k scroll  g/G top/end"),
        "{screen}"
    );
}

/// Esc on the first screen has nothing to go back to: it says so and how to quit (with the user's key),
/// instead of nothing; it never quits.
#[test]
fn esc_on_the_first_screen_says_there_is_nothing_to_go_back_to() {
    let mut state = with_keys(new_state(), "[keys]\nquit = \"Q\"\n");
    ecsdeck::app::update::start(&mut state);
    assert_eq!(state.stack.len(), 1);
    assert!(update(&mut state, key(KeyCode::Esc)).is_empty());
    assert!(!state.quit);
    assert_eq!(
        state.toast.as_ref().map(|t| t.text.as_str()),
        Some("Esc: the first screen, nothing to go back to — Q quits")
    );
}
