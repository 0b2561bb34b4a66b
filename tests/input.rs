//! Text inputs and keyboard input: the editing keys, the 1,000-character cap and its message, a window that
//! keeps the cursor on screen by display width, pastes handled in one step in every input, and the reader
//! that turns terminal bytes into keys and pastes without holding any back.

mod support;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ecsdeck::app::actions::{Body, Stage};
use ecsdeck::app::input::{InputKey, MAX_INPUT_CHARS, TextInput};
use ecsdeck::app::state::Mode;
use ecsdeck::app::{View, update};
use ecsdeck::protocol::{Effect, Msg};
use ecsdeck::workers::input::{Parser, read_loop};
use support::*;
use unicode_width::UnicodeWidthStr;

fn press(input: &mut TextInput, code: KeyCode, modifiers: KeyModifiers) -> InputKey {
    input.key(&KeyEvent::new(code, modifiers))
}

fn plain(input: &mut TextInput, code: KeyCode) -> InputKey {
    press(input, code, KeyModifiers::NONE)
}

fn control(input: &mut TextInput, c: char) -> InputKey {
    press(input, KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(input: &mut TextInput, text: &str) {
    for c in text.chars() {
        plain(input, KeyCode::Char(c));
    }
}

#[test]
fn the_cursor_moves_and_typing_inserts_where_it_is() {
    let mut input = TextInput::from("svc");
    assert_eq!(input.cursor(), 3);
    assert_eq!(plain(&mut input, KeyCode::Left), InputKey::Moved);
    assert_eq!(plain(&mut input, KeyCode::Left), InputKey::Moved);
    assert_eq!(input.cursor(), 1);
    assert_eq!(plain(&mut input, KeyCode::Char('X')), InputKey::Edited);
    assert_eq!(input.value(), "sXvc");
    plain(&mut input, KeyCode::Right);
    assert_eq!(input.cursor(), 3);
    plain(&mut input, KeyCode::Home);
    assert_eq!(input.cursor(), 0);
    plain(&mut input, KeyCode::End);
    assert_eq!(input.cursor(), 4);
    control(&mut input, 'a');
    assert_eq!(input.cursor(), 0);
    control(&mut input, 'e');
    assert_eq!(input.cursor(), 4);
    // Not editing keys: the handler of the prompt decides.
    assert_eq!(plain(&mut input, KeyCode::Enter), InputKey::NotMine);
    assert_eq!(plain(&mut input, KeyCode::Esc), InputKey::NotMine);
    assert_eq!(plain(&mut input, KeyCode::Tab), InputKey::NotMine);
}

#[test]
fn backspace_delete_and_the_word_and_line_keys() {
    let mut input = TextInput::from("level=ERROR service=web");
    plain(&mut input, KeyCode::Backspace);
    assert_eq!(input.value(), "level=ERROR service=we");
    // Words end at punctuation too, as in readline's Alt-Backspace.
    control(&mut input, 'w');
    assert_eq!(input.value(), "level=ERROR service=");
    control(&mut input, 'w');
    assert_eq!(input.value(), "level=ERROR ");
    plain(&mut input, KeyCode::Home);
    plain(&mut input, KeyCode::Delete);
    assert_eq!(input.value(), "evel=ERROR ");
    assert_eq!(input.cursor(), 0);
    // Backspace at the start deletes nothing.
    plain(&mut input, KeyCode::Backspace);
    assert_eq!(input.value(), "evel=ERROR ");
    plain(&mut input, KeyCode::End);
    control(&mut input, 'u');
    assert_eq!(input.value(), "");
    // Delete at the end and on an empty input are harmless.
    plain(&mut input, KeyCode::Delete);
    plain(&mut input, KeyCode::Backspace);
    assert_eq!(input.value(), "");
}

#[test]
fn editing_by_character_never_by_byte() {
    let mut input = TextInput::from("ab日本🙂é");
    plain(&mut input, KeyCode::Backspace);
    assert_eq!(input.value(), "ab日本🙂");
    plain(&mut input, KeyCode::Left);
    plain(&mut input, KeyCode::Backspace);
    assert_eq!(input.value(), "ab日🙂");
    plain(&mut input, KeyCode::Home);
    plain(&mut input, KeyCode::Right);
    plain(&mut input, KeyCode::Right);
    plain(&mut input, KeyCode::Delete);
    assert_eq!(input.value(), "ab🙂");
}

#[test]
fn typing_stops_at_1000_characters_and_says_so() {
    let mut input = TextInput::default();
    typed(&mut input, &"x".repeat(MAX_INPUT_CHARS));
    assert_eq!(input.notice, None);
    typed(&mut input, "yz");
    assert_eq!(input.value().chars().count(), MAX_INPUT_CHARS);
    assert!(!input.value().contains('y'));
    assert_eq!(
        input.notice.as_deref(),
        Some("full: inputs hold 1000 characters")
    );
    // Making room clears the message.
    plain(&mut input, KeyCode::Backspace);
    assert_eq!(input.notice, None);
}

#[test]
fn a_paste_goes_in_at_the_cursor_in_one_step_cut_at_the_cap_with_a_message() {
    let mut input = TextInput::from("ab");
    plain(&mut input, KeyCode::Left);
    assert!(input.paste("XY"));
    assert_eq!(input.value(), "aXYb");
    assert_eq!(input.cursor(), 3);
    assert_eq!(input.notice, None);

    let mut input = TextInput::from("ab");
    assert!(input.paste(&"0123456789".repeat(1_024)));
    assert_eq!(input.value().chars().count(), MAX_INPUT_CHARS);
    assert!(input.value().starts_with("ab0123"));
    assert_eq!(
        input.notice.as_deref(),
        Some("kept 998 of 10240 pasted characters (inputs hold 1000)")
    );
    // Full: nothing more goes in, and that is said too.
    assert!(!input.paste("more"));
    assert!(input.notice.as_deref().unwrap().contains("kept 0 of 4"));
}

#[test]
fn line_breaks_in_a_paste_become_spaces_and_control_characters_are_left_out_with_a_message() {
    let mut input = TextInput::default();
    input.paste("first\r\nsecond\nthird\tend\n");
    assert_eq!(input.value(), "first second third end");
    assert_eq!(input.notice.as_deref(), Some("line breaks became spaces"));

    let mut input = TextInput::default();
    input.paste("a\u{7}b\u{1b}[31mc");
    assert_eq!(input.value(), "ab[31mc");
    assert_eq!(
        input.notice.as_deref(),
        Some("control characters were left out")
    );

    // One copied line with its line break: taken as is, nothing to say.
    let mut input = TextInput::default();
    input.paste("payments\n");
    assert_eq!(input.value(), "payments");
    assert_eq!(input.notice, None);
}

#[test]
fn the_window_keeps_the_cursor_visible_by_display_width_at_any_width() {
    let texts = [
        "plain ascii text that is long enough to scroll",
        "日本語のログストリーム名前がとても長い",
        "🙂🚀 emoji 🙂🚀 and more 🎉🎉🎉",
        "e\u{301}cole cafe\u{301} combining marks",
        "שלום עולם mixed with ascii",
    ];
    for text in texts {
        let chars = text.chars().count();
        for width in 1..=14 {
            for cursor in 0..=chars {
                let input = TextInput::from(text);
                let mut input = input;
                plain(&mut input, KeyCode::Home);
                for _ in 0..cursor {
                    plain(&mut input, KeyCode::Right);
                }
                let (before, after) = input.window(width);
                let shown = before.width() + 1 + after.width();
                assert!(
                    shown <= width.max(1),
                    "{text:?} width {width} cursor {cursor}: {before:?}|{after:?} takes {shown}"
                );
                // The text right before the cursor is shown whenever a character fits at all.
                let left: String = text.chars().take(input.cursor()).collect();
                assert!(left.ends_with(&before), "{text:?}: {before:?}");
                let right: String = text.chars().skip(input.cursor()).collect();
                assert!(right.starts_with(&after), "{text:?}: {after:?}");
                if width >= 3 && input.cursor() > 0 {
                    assert!(
                        !before.is_empty(),
                        "{text:?} width {width}: nothing left of the cursor"
                    );
                }
            }
        }
    }
}

#[test]
fn a_long_filter_scrolls_on_a_narrow_screen_and_the_cursor_stays_in_view() {
    let mut state = new_state();
    state.width = 30;
    state.height = 10;
    update(&mut state, ch('/'));
    update(
        &mut state,
        Msg::Paste("日本語-service-with-a-very-long-name-END".into()),
    );
    let screen = text(&state);
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("-END▏"), "{footer:?}");
    assert!(footer.width() <= 30, "{footer:?}");
    // Home shows the start.
    update(&mut state, key(KeyCode::Home));
    let screen = text(&state);
    let footer = screen.lines().last().unwrap();
    // (A wide character's second cell reads as a space here.)
    assert!(footer.starts_with(" /▏日 本 語 -service"), "{footer:?}");
}

#[test]
fn a_10kb_paste_into_the_filter_is_one_update_and_esc_then_acts() {
    let mut state = on_production_service("");
    update(&mut state, ch('/'));
    let effects = update(&mut state, Msg::Paste("payments".into()));
    assert!(effects.is_empty());
    assert_eq!(state.view().filter(), Some("payments"));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
    assert_eq!(state.view().filter(), Some(""));

    update(&mut state, ch('/'));
    update(&mut state, Msg::Paste("x".repeat(10 * 1024)));
    match &state.mode {
        Mode::Filter { input } => {
            assert_eq!(input.value().len(), MAX_INPUT_CHARS);
            assert!(
                input
                    .notice
                    .as_deref()
                    .unwrap()
                    .contains("kept 1000 of 10240")
            );
        }
        other => panic!("{other:?}"),
    }
    let screen = text(&state);
    assert!(screen.contains("kept 1000 of 10240"), "{screen}");
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.mode, Mode::Normal);
}

#[test]
fn a_pasted_command_runs_on_enter_and_its_line_break_does_not_act_as_enter() {
    let mut state = on_production_service("");
    update(&mut state, ch(':'));
    update(&mut state, Msg::Paste("clusters\n".into()));
    assert!(matches!(&state.mode, Mode::Command { input } if input.value() == "clusters"));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.mode, Mode::Normal);
    assert!(matches!(state.view(), View::Clusters(_)), "{effects:?}");
}

#[test]
fn a_paste_with_no_input_open_is_not_taken_as_keys() {
    let mut state = on_production_service("");
    let before = state.stack.len();
    // `q` would go back, `:` would open the command line: as a paste, neither happens.
    let effects = update(&mut state, Msg::Paste("q:q\n".into()));
    assert!(effects.is_empty());
    assert_eq!(state.mode, Mode::Normal);
    assert_eq!(state.stack.len(), before);
    assert!(
        state
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("open one first")),
        "{:?}",
        state.toast
    );
}

#[test]
fn a_paste_into_a_log_prompt_edits_it_and_clears_the_last_error() {
    let mut state = on_production_service("payments");
    update(&mut state, ch('l'));
    assert!(matches!(state.view(), View::Logs(_)));
    update(&mut state, ch('i'));
    update(&mut state, Msg::Paste("(unclosed".into()));
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(&state.mode, Mode::Prompt { error: Some(_), .. }));
    // Moving the cursor keeps the error; changing the text clears it.
    update(&mut state, key(KeyCode::Home));
    assert!(matches!(&state.mode, Mode::Prompt { error: Some(_), .. }));
    update(&mut state, Msg::Paste("x".into()));
    match &state.mode {
        Mode::Prompt { input, error, .. } => {
            assert_eq!(input.value(), "x(unclosed");
            assert_eq!(*error, None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_paste_into_the_scale_dialog_types_the_count_and_never_answers_a_confirmation() {
    let mut state = on_production_service("web");
    update(&mut state, ch('S'));
    for _ in 0..6 {
        update(&mut state, key(KeyCode::Backspace));
    }
    update(&mut state, Msg::Paste(" 7\n".into()));
    let Mode::Dialog(d) = &state.mode else {
        panic!("{:?}", state.mode)
    };
    let Body::Scale(s) = &d.body else { panic!() };
    assert_eq!(s.input.value(), "7");
    update(&mut state, key(KeyCode::Enter));
    let Mode::Dialog(d) = &state.mode else {
        panic!()
    };
    assert!(matches!(d.stage, Stage::Confirm(_)), "{:?}", d.stage);
    // `y` confirms when typed; pasted, it is ignored and nothing is sent.
    let effects = update(&mut state, Msg::Paste("y".into()));
    assert!(effects.is_empty(), "{effects:?}");
    let Mode::Dialog(d) = &state.mode else {
        panic!()
    };
    assert!(matches!(d.stage, Stage::Confirm(_)));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Execute { .. })),
        "{effects:?}"
    );
    // A paste with line breaks inside is refused whole, said in the dialog.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, Msg::Paste("1\n2".into()));
    let Mode::Dialog(d) = &state.mode else {
        panic!()
    };
    assert!(
        d.error.as_deref().unwrap().contains("line breaks"),
        "{:?}",
        d.error
    );
}

// The keyboard reader.

fn keys(events: &[Event]) -> Vec<(KeyCode, KeyModifiers)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Key(k) => Some((k.code, k.modifiers)),
            _ => None,
        })
        .collect()
}

#[test]
fn bytes_become_keys_as_xterm_sends_them() {
    let mut parser = Parser::default();
    let none = KeyModifiers::NONE;
    let events = parser.advance(
        b"aZ\r\t\x7f\x03\x1b[A\x1bOB\x1b[1;5C\x1b[3~\x1b[5~\x1b[6~\x1b[H\x1b[4~\x1b[Zx\x1bj\xe6\x97\xa5",
        false,
    );
    assert_eq!(
        keys(&events),
        vec![
            (KeyCode::Char('a'), none),
            (KeyCode::Char('Z'), KeyModifiers::SHIFT),
            (KeyCode::Enter, none),
            (KeyCode::Tab, none),
            (KeyCode::Backspace, none),
            (KeyCode::Char('c'), KeyModifiers::CONTROL),
            (KeyCode::Up, none),
            (KeyCode::Down, none),
            (KeyCode::Right, KeyModifiers::CONTROL),
            (KeyCode::Delete, none),
            (KeyCode::PageUp, none),
            (KeyCode::PageDown, none),
            (KeyCode::Home, none),
            (KeyCode::End, none),
            (KeyCode::BackTab, KeyModifiers::SHIFT),
            (KeyCode::Char('x'), none),
            (KeyCode::Char('j'), KeyModifiers::ALT),
            (KeyCode::Char('日'), none),
        ]
    );
}

#[test]
fn esc_alone_is_the_esc_key_unless_more_bytes_are_waiting() {
    let mut parser = Parser::default();
    assert_eq!(
        keys(&parser.advance(b"\x1b", false)),
        vec![(KeyCode::Esc, KeyModifiers::NONE)]
    );
    // The read filled its buffer: the Esc may start a sequence finished by the next read.
    assert!(parser.advance(b"\x1b", true).is_empty());
    assert_eq!(
        keys(&parser.advance(b"[B", false)),
        vec![(KeyCode::Down, KeyModifiers::NONE)]
    );
}

#[test]
fn a_character_or_a_sequence_cut_between_reads_is_finished_by_the_next() {
    let mut parser = Parser::default();
    let bytes = "日".as_bytes();
    assert!(parser.advance(&bytes[..1], true).is_empty());
    assert_eq!(
        keys(&parser.advance(&bytes[1..], false)),
        vec![(KeyCode::Char('日'), KeyModifiers::NONE)]
    );
    assert!(parser.advance(b"\x1b[1;", true).is_empty());
    assert_eq!(
        keys(&parser.advance(b"2D", false)),
        vec![(KeyCode::Left, KeyModifiers::SHIFT)]
    );
}

#[test]
fn a_bracketed_paste_is_one_event_even_when_its_markers_are_cut_between_reads() {
    let mut parser = Parser::default();
    let mut events = parser.advance(b"/\x1b[20", true);
    events.extend(parser.advance(b"0~line one\r\nline \x1b[A two\x1b[2", true));
    events.extend(parser.advance(b"01~\x1b", false));
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(matches!(&events[0], Event::Key(k) if k.code == KeyCode::Char('/')));
    // Inside a paste nothing is a key, not even an escape sequence.
    assert_eq!(
        events[1],
        Event::Paste("line one\r\nline \x1b[A two".into())
    );
    assert!(matches!(&events[2], Event::Key(k) if k.code == KeyCode::Esc));
}

#[test]
fn the_reader_hands_over_everything_one_read_returns() {
    // 10 KB typed at once (a plain paste), then Esc, all in one read.
    let mut bytes = "pasted ".repeat(1_500).into_bytes();
    bytes.push(0x1b);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    read_loop(&mut std::io::Cursor::new(bytes), &tx);
    let mut msgs = Vec::new();
    while let Ok(m) = rx.try_recv() {
        msgs.push(m);
    }
    assert_eq!(msgs.len(), 10_500 + 2, "every key, Esc, then the end");
    assert!(
        matches!(&msgs[10_500], Msg::Key(k) if k.code == KeyCode::Esc),
        "{:?}",
        msgs[10_500]
    );
    // The terminal closing its input is the end of the app, said as such.
    assert!(matches!(
        &msgs[10_501],
        Msg::WorkerFailed {
            worker: ecsdeck::protocol::Worker::Input,
            ..
        }
    ));
}

fn prompt_value(state: &ecsdeck::app::state::State) -> String {
    match &state.mode {
        Mode::Prompt { input, .. } => input.value().to_owned(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_prefilled_input_opens_selected_so_typing_replaces_it() {
    let mut input = TextInput::preselected("5m");
    assert!(input.is_selected());
    typed(&mut input, "1h");
    assert_eq!(input.value(), "1h");
    assert!(!input.is_selected());
    // A cursor key keeps the prefill to edit it.
    let mut input = TextInput::preselected("5m");
    assert_eq!(plain(&mut input, KeyCode::Left), InputKey::Moved);
    typed(&mut input, "0");
    assert_eq!(input.value(), "50m");
    let mut input = TextInput::preselected("5m");
    plain(&mut input, KeyCode::Home);
    typed(&mut input, "1");
    assert_eq!(input.value(), "15m");
    // Backspace clears the selection, as in any text field.
    let mut input = TextInput::preselected("5m");
    assert_eq!(plain(&mut input, KeyCode::Backspace), InputKey::Edited);
    assert_eq!(input.value(), "");
    // A paste replaces it too.
    let mut input = TextInput::preselected("old");
    assert!(input.paste("new"));
    assert_eq!(input.value(), "new");
    // Nothing to select in an empty input.
    assert!(!TextInput::preselected("").is_selected());
}

#[test]
fn log_prompts_that_open_prefilled_are_replaced_by_what_is_typed() {
    let mut state = on_production_service("payments");
    update(&mut state, ch('l'));
    assert!(matches!(state.view(), View::Logs(_)));
    // `@` opens with the current start (5m): typing 1h asks for 1h, not 5m1h.
    update(&mut state, ch('@'));
    assert_eq!(prompt_value(&state), "5m");
    type_text(&mut state, "1h");
    assert_eq!(prompt_value(&state), "1h");
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.mode, Mode::Normal);
    let View::Logs(view) = state.view() else {
        panic!()
    };
    assert_eq!(view.since_label, "1h");
    // `s` opens with a suggested file name: a typed path replaces it.
    update(&mut state, ch('s'));
    assert!(
        prompt_value(&state).starts_with("ecsdeck-"),
        "{}",
        prompt_value(&state)
    );
    type_text(&mut state, "/tmp/x.txt");
    assert_eq!(prompt_value(&state), "/tmp/x.txt");
    update(&mut state, key(KeyCode::Esc));
    // `/` after a search reopens with it: typing again searches for what is typed.
    update(&mut state, ch('/'));
    type_text(&mut state, "qqq");
    update(&mut state, key(KeyCode::Enter));
    // No line matches yet: the prompt says so and stays; the search is kept.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('/'));
    assert_eq!(prompt_value(&state), "qqq");
    type_text(&mut state, "qqq");
    assert_eq!(prompt_value(&state), "qqq");
    // End keeps it and edits at its end.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('/'));
    update(&mut state, key(KeyCode::End));
    type_text(&mut state, "x");
    assert_eq!(prompt_value(&state), "qqqx");
}

#[test]
fn the_list_filter_reopens_selected_and_typing_replaces_it() {
    let mut state = on_production_service("");
    update(&mut state, ch('/'));
    type_text(&mut state, "pay");
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('/'));
    type_text(&mut state, "web");
    match &state.mode {
        Mode::Filter { input } => assert_eq!(input.value(), "web"),
        other => panic!("{other:?}"),
    }
    assert_eq!(state.view().filter(), Some("web"));
}

#[test]
fn each_prompt_says_what_enter_does_and_the_save_prompt_does_not_say_empty_clears() {
    let mut state = on_production_service("payments");
    state.width = 120;
    state.height = 35;
    update(&mut state, ch('l'));
    update(&mut state, ch('s'));
    let screen = text(&state);
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("Enter save · Esc cancel"), "{footer:?}");
    assert!(!footer.contains("empty clears"), "{footer:?}");
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('i'));
    let screen = text(&state);
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("empty clears"), "{footer:?}");
}

#[test]
fn a_selected_prefill_is_drawn_highlighted() {
    let theme = ecsdeck::theme::Theme::builtin("dark").unwrap();
    let mut state = on_production_service("payments");
    state.width = 120;
    state.height = 35;
    update(&mut state, ch('l'));
    update(&mut state, ch('@'));
    let terminal = draw(&state, &theme);
    let buffer = terminal.backend().buffer();
    let row = buffer.area.height - 1;
    let x = (0..buffer.area.width)
        .find(|&x| buffer[(x, row)].symbol() == "▏")
        .unwrap();
    // The cell before the cursor bar is the prefill's last character, in the selection style.
    assert_eq!(buffer[(x - 1, row)].symbol(), "m");
    assert_eq!(
        buffer[(x - 1, row)].style().add_modifier,
        theme.selected.add_modifier
    );
    type_text(&mut state, "1");
    let terminal = draw(&state, &theme);
    let buffer = terminal.backend().buffer();
    let x = (0..buffer.area.width)
        .find(|&x| buffer[(x, row)].symbol() == "▏")
        .unwrap();
    assert_eq!(buffer[(x - 1, row)].symbol(), "1");
    assert_ne!(
        buffer[(x - 1, row)].style().add_modifier,
        theme.selected.add_modifier
    );
}

/// The screen's bottom rows joined, for text that may wrap over them.
fn bottom(screen: &str, rows: usize) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    lines[lines.len().saturating_sub(rows)..]
        .iter()
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_prompt_error_always_shows_even_when_it_does_not_fit_beside_the_text() {
    for (width, height) in [(120u16, 35u16), (80, 24), (40, 10), (250, 35)] {
        let mut state = on_production_service("payments");
        state.width = width;
        state.height = height;
        update(&mut state, ch('l'));
        update(&mut state, ch('F'));
        type_text(&mut state, "[a, b");
        update(&mut state, key(KeyCode::Enter));
        assert!(matches!(&state.mode, Mode::Prompt { error: Some(_), .. }));
        let screen = text(&state);
        let said = bottom(&screen, 4);
        assert!(
            said.contains("missing closing ]"),
            "{width}x{height}: the error is on screen:\n{screen}"
        );
        assert!(
            said.contains("syntax"),
            "{width}x{height}: the whole error:\n{screen}"
        );
        // The text typed is still on the input's line.
        let footer = screen.lines().last().unwrap();
        assert!(footer.contains("▏"), "{width}x{height}: {footer:?}");
        assert!(footer.width() <= usize::from(width));
    }
}

#[test]
fn the_scale_dialogs_fields_are_text_inputs_with_the_same_editing_keys() {
    fn count(state: &ecsdeck::app::State) -> (String, bool) {
        let Mode::Dialog(d) = &state.mode else {
            panic!("{:?}", state.mode)
        };
        let Body::Scale(s) = &d.body else { panic!() };
        (s.input.value().to_owned(), s.input.is_selected())
    }
    let mut state = on_production_service("web");
    update(&mut state, ch('S'));
    let (prefilled, selected) = count(&state);
    assert!(selected, "the current count {prefilled} opens selected");
    // → ends the selection and edits the count rather than replacing it.
    update(&mut state, key(KeyCode::End));
    update(&mut state, ch('0'));
    assert_eq!(count(&state), (format!("{prefilled}0"), false));
    update(&mut state, ctrl('u'));
    assert_eq!(count(&state).0, "");
    for c in "12".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Left));
    update(&mut state, ch('3'));
    assert_eq!(count(&state).0, "132");
    update(&mut state, key(KeyCode::Home));
    update(&mut state, key(KeyCode::Delete));
    assert_eq!(count(&state).0, "32");
    update(&mut state, ctrl('a'));
    update(&mut state, ch('1'));
    assert_eq!(count(&state).0, "132");
    // Scaling to 0: the service name is typed into a text input too (Ctrl-w deletes a word).
    update(&mut state, ctrl('u'));
    update(&mut state, ch('0'));
    update(&mut state, key(KeyCode::Enter));
    for c in "web oops".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, ctrl('w'));
    update(&mut state, key(KeyCode::Backspace));
    let Mode::Dialog(d) = &state.mode else {
        panic!()
    };
    let Body::Scale(s) = &d.body else { panic!() };
    assert_eq!(s.typed_name.as_ref().map(|t| t.value()), Some("web"));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, ecsdeck::protocol::Effect::Execute { .. })),
        "the name typed, Enter sends: {effects:?}"
    );
}

/// A terminal left non-blocking by another program answers "would block" until a key comes.
struct NonBlocking {
    waits: usize,
    then: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for NonBlocking {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.waits > 0 {
            self.waits -= 1;
            return Err(std::io::ErrorKind::WouldBlock.into());
        }
        self.then.read(buf)
    }
}

#[test]
fn a_non_blocking_terminal_is_waited_on_not_taken_for_a_failure() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut input = NonBlocking {
        waits: 3,
        then: std::io::Cursor::new(b"q".to_vec()),
    };
    read_loop(&mut input, &tx);
    let first = rx.try_recv().expect("a message");
    assert!(
        matches!(&first, Msg::Key(k) if k.code == KeyCode::Char('q')),
        "the key after the waits, not a failure: {first:?}"
    );
}
