//! Property tests of what users type or write: the config file, theme files, the scale dialog's count, the
//! charts window and `:` commands. Random input never panics and is either accepted or refused with a
//! message; valid input comes back as what was written.

mod support;

use crossterm::event::KeyCode;
use ecsdeck::app::state::Mode;
use ecsdeck::app::update;
use ecsdeck::model::actions::parse_desired;
use ecsdeck::model::metrics::Window;
use ecsdeck::settings::Config;
use ecsdeck::theme::Theme;
use proptest::prelude::*;
use std::path::Path;
use support::{ch, key};

const WINDOWS: [&str; 5] = ["15m", "1h", "3h", "12h", "24h"];

/// Text that looks like TOML often enough to reach the checks behind the parser.
fn tomlish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "\\PC{0,40}",
        "(theme|refresh_seconds|read_only|log_file) = (\"[a-z0-9/ ]{0,10}\"|[0-9]{1,6}|true|false|-1|0)",
        "\\[(logs|metrics|profiles\\.[a-z]{1,6}|styles|nope)\\]",
        "(since|buffer_lines|live_tail|filter_calls_per_second|poll_seconds|lag_seconds|window|list_columns) = (\"[0-9a-z]{0,5}\"|[0-9.]{1,8}|true|-3)",
    ];
    proptest::collection::vec(line, 0..8).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #[test]
    fn any_config_text_is_accepted_or_refused_with_where_and_why(text in tomlish()) {
        match Config::parse(&text, Path::new("config.toml")) {
            Ok(_) => {}
            Err(e) => {
                let said = e.to_string();
                prop_assert!(said.contains("config.toml"), "the error names the file: {said}");
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn a_valid_config_reads_back_what_was_written(
        refresh in 1u64..100_000,
        read_only: bool,
        since in 1u64..=30,
        unit in prop::sample::select(vec!["s", "m", "h", "d"]),
        buffer in 1_000usize..=10_000_000,
        lag in 0u64..=3_600,
        window in prop::sample::select(WINDOWS.to_vec()),
        metrics_refresh in 30u64..=3_600,
        profile in "[a-z][a-z0-9-]{0,12}",
        profile_read_only: bool,
    ) {
        let text = format!(
            "refresh_seconds = {refresh}\nread_only = {read_only}\n[logs]\nsince = \"{since}{unit}\"\n\
             buffer_lines = {buffer}\nlag_seconds = {lag}\n[metrics]\nwindow = \"{window}\"\n\
             refresh_seconds = {metrics_refresh}\n[profiles.{profile}]\nread_only = {profile_read_only}\n"
        );
        let config = Config::parse(&text, Path::new("c.toml"))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(config.refresh_seconds, Some(refresh));
        prop_assert_eq!(config.read_only, Some(read_only));
        prop_assert_eq!(config.logs.since.clone(), Some(format!("{since}{unit}")));
        prop_assert_eq!(config.logs.buffer_lines, Some(buffer));
        prop_assert_eq!(config.logs.lag_seconds, Some(lag));
        prop_assert_eq!(config.metrics.window.as_deref(), Some(window));
        prop_assert_eq!(config.metrics.refresh_seconds, Some(metrics_refresh));
        // The profile says it explicitly, so it wins over the global setting.
        prop_assert_eq!(config.read_only_for(&profile), profile_read_only);
        prop_assert_eq!(config.read_only_for("no-such-profile"), read_only);
    }

    #[test]
    fn any_theme_text_is_laid_over_or_refused_with_where_and_why(
        key in prop_oneof![
            prop::sample::select(Theme::KEYS.to_vec()).prop_map(str::to_owned),
            "[a-z_]{1,12}",
        ],
        colour in "\\PC{0,12}",
        text in "\\PC{0,60}",
    ) {
        let mut theme = Theme::builtin("dark").expect("dark");
        let file = format!("[styles]\n{key} = {{ fg = \"{}\" }}\n", colour.replace(['"', '\\'], ""));
        if let Err(e) = theme.overlay(&file, Path::new("t.toml")) {
            prop_assert!(e.to_string().contains("t.toml"));
        }
        let mut theme = Theme::builtin("light").expect("light");
        if let Err(e) = theme.overlay(&text, Path::new("t.toml")) {
            prop_assert!(e.to_string().contains("t.toml"));
        }
    }

    #[test]
    fn a_valid_theme_colour_is_what_the_style_gets(
        key in prop::sample::select(Theme::KEYS.to_vec()),
        (r, g, b) in (any::<u8>(), any::<u8>(), any::<u8>()),
    ) {
        let mut theme = Theme::builtin("dark").expect("dark");
        let file = format!("[styles]\n{key} = {{ fg = \"#{r:02x}{g:02x}{b:02x}\", bold = true }}\n");
        theme.overlay(&file, Path::new("t.toml")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut other = Theme::builtin("dark").expect("dark");
        prop_assert_ne!(&theme, &other, "the overlay changed something");
        other.overlay(&file, Path::new("t.toml")).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(theme, other);
    }

    #[test]
    fn any_scale_input_is_a_count_or_a_reason(input in "\\PC{0,16}") {
        match parse_desired(&input) {
            Ok(n) => {
                prop_assert!((0..=5_000).contains(&n), "{n} accepted from {input:?}");
                prop_assert_eq!(input.trim().parse::<i32>().ok(), Some(n));
            }
            Err(reason) => prop_assert!(!reason.is_empty()),
        }
    }

    #[test]
    fn every_count_from_0_to_5000_round_trips(n in 0i32..=5_000) {
        prop_assert_eq!(parse_desired(&n.to_string()), Ok(n));
    }

    #[test]
    fn counts_past_the_ecs_limit_are_refused(n in 5_001i64..100_000_000_000) {
        prop_assert!(parse_desired(&n.to_string()).is_err());
    }

    #[test]
    fn any_command_line_runs_or_says_why(command in "[a-z: ]{0,3}\\PC{0,30}") {
        let mut state = support::on_production_service("payments");
        update(&mut state, ch(':'));
        support::type_text(&mut state, &command);
        update(&mut state, key(KeyCode::Enter));
        prop_assert!(!state.stack.is_empty());
        // Either it ran (back to normal, maybe with a message) or the prompt stays with the reason.
        match &state.mode {
            Mode::Normal | Mode::Help { .. } | Mode::Prompt { .. } => {}
            other => prop_assert!(false, "after :{command} the mode is {other:?}"),
        }
        let _ = support::text(&state);
    }
}

#[test]
fn every_window_round_trips_through_its_label_and_the_window_command() {
    for label in WINDOWS {
        let window = Window::parse(label).unwrap_or_else(|| panic!("{label} is a window"));
        assert_eq!(window.label(), label);
        let mut state = support::on_production_service("payments");
        update(&mut state, ch('m'));
        update(&mut state, ch(':'));
        support::type_text(&mut state, &format!("window {label}"));
        update(&mut state, key(KeyCode::Enter));
        match state.view() {
            ecsdeck::app::View::Metrics(v) => assert_eq!(v.window, window),
            other => panic!("not on charts: {}", other.title()),
        }
    }
    for bad in ["", "0m", "2h", "1d", "15", "h", "１h", "-1h"] {
        assert_eq!(Window::parse(bad), None, "{bad:?} is not a window");
    }
}
