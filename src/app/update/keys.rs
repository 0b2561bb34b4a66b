//! Key dispatch: which mode and view a key reaches, and the filter and command line inputs.

use super::*;

pub(super) fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        state.quit = true;
        return vec![Effect::Quit];
    }
    match state.mode.clone() {
        Mode::Normal => on_normal_key(state, key),
        Mode::Filter { input } => on_filter_key(state, key, input),
        Mode::Command { input } => on_command_key(state, key, input),
        Mode::Prompt { kind, input, error } => on_prompt_key(state, key, kind, input, error),
        Mode::Dialog(dialog) => super::dialogs::on_key(state, key, *dialog),
        Mode::Help { scroll } => {
            let screen = keymap::Screen::of(state.view());
            // Stops at the last row that still fills the overlay, so `k` answers at once after a long `j`.
            let max = keymap::help::max_scroll(&state.keymap, screen, state.width, state.height);
            state.mode = match scroll_key(state, &key, scroll.min(max), max) {
                Some(scroll) => Mode::Help { scroll },
                None if closes_overlay(state, &key, Action::Help) => Mode::Normal,
                None => Mode::Help {
                    scroll: scroll.min(max),
                },
            };
            vec![]
        }
        Mode::Raw {
            title,
            lines,
            scroll,
        } => {
            let last = u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX);
            let max = last.min(state.raw_max.get());
            state.mode = match scroll_key(state, &key, scroll.min(max), max) {
                Some(scroll) => Mode::Raw {
                    title,
                    lines,
                    scroll,
                },
                None if closes_overlay(state, &key, Action::Raw) => Mode::Normal,
                // The overlay's footer lists its keys; the rest do nothing here.
                None => Mode::Raw {
                    title,
                    lines,
                    scroll,
                },
            };
            vec![]
        }
    }
}

/// Keys that can be said in a message; others (media keys, lone modifiers) stay quiet.
fn sayable(key: &KeyEvent) -> bool {
    matches!(
        key.code,
        KeyCode::Char(_)
            | KeyCode::F(_)
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Insert
            | KeyCode::Enter
    )
}

pub(super) fn on_normal_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(binding) = state.keymap.binding_for(&key, state.view()) else {
        // A key that does nothing here says so (and where it would work, if anywhere), rather than nothing.
        let label = keymap::key_label(&keymap::Key {
            code: key.code,
            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
        });
        let screen = keymap::Screen::of(state.view());
        let text = if let Some(other) = state.keymap.binding_anywhere(&key) {
            if other.place.allows(state.view()) {
                // The user's [keys] moved this action to another key on this screen.
                let keys = state.keymap.keys_label(other, screen);
                let keys = if keys.is_empty() {
                    "no key".into()
                } else {
                    keys
                };
                format!("{label} ({}) is {keys} on this screen", other.desc)
            } else {
                format!(
                    "{label} ({}) works on {}, not here",
                    other.desc,
                    other.place.describe()
                )
            }
        } else if sayable(&key) {
            match state.keymap.first_key(Action::Help, screen) {
                Some(help) => format!("{label}: nothing here — {help} for help"),
                None => format!("{label}: nothing here"),
            }
        } else {
            return vec![];
        };
        toast(state, ToastLevel::Info, text);
        return vec![];
    };
    if matches!(state.view(), View::Logs(_)) {
        return on_log_action(state, binding.action);
    }
    let page = state.page_rows() as isize;
    let now = state.now;
    match binding.action {
        Action::Up
        | Action::Down
        | Action::Top
        | Action::Bottom
        | Action::PageUp
        | Action::PageDown => {
            let action = binding.action;
            let (width, height) = (state.width, state.height);
            if let View::Metrics(view) = state.view_mut() {
                // Whole rows of charts; the grid is the screen less header, breadcrumb, footer and status.
                let grid = height.saturating_sub(4);
                let page =
                    crate::app::metrics::ChartPage::fit(view.panels(), width, grid, view.scroll);
                let rows = match action {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -(page.rows as isize),
                    Action::PageDown => page.rows as isize,
                    Action::Top => isize::MIN,
                    _ => isize::MAX,
                };
                view.scroll_rows(rows, width, grid);
                return vec![];
            }
            let mut handled = false;
            with_list(state, |l, h| {
                handled = true;
                match action {
                    Action::Up => l.move_by(-1, h),
                    Action::Down => l.move_by(1, h),
                    Action::PageUp => l.move_by(-page, h),
                    Action::PageDown => l.move_by(page, h),
                    Action::Top => l.to_end(false, h),
                    _ => l.to_end(true, h),
                }
            });
            if !handled {
                let current = detail_scroll(state).map(|(s, max)| (*s, max));
                if let Some(next) = current.and_then(|(s, max)| scroll_key(state, &key, s, max))
                    && let Some((scroll, _)) = detail_scroll(state)
                {
                    *scroll = next;
                }
            }
            vec![]
        }
        Action::Open => open_selected(state),
        Action::Describe => describe_selected(state),
        Action::Raw => {
            show_raw(state);
            vec![]
        }
        Action::Filter => {
            let input = TextInput::preselected(state.view().filter().unwrap_or_default());
            state.mode = Mode::Filter { input };
            vec![]
        }
        Action::Command => {
            state.mode = Mode::Command {
                input: TextInput::default(),
            };
            vec![]
        }
        Action::Help => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        Action::SortNext => {
            with_list(state, |l, _| l.sort_next(now));
            vec![]
        }
        Action::SortReverse => {
            with_list(state, |l, _| l.sort_reverse(now));
            vec![]
        }
        Action::Refresh => watch_top(state),
        Action::Back => {
            if state.view().filter().is_some_and(|f| !f.is_empty()) {
                with_list(state, |l, _| l.set_filter(String::new(), now));
                vec![]
            } else if state.stack.len() > 1 {
                pop(state)
            } else {
                // The first screen: nothing to go back to; say so rather than nothing (and how to leave).
                let quit = state
                    .keymap
                    .first_key(Action::Quit, keymap::Screen::of(state.view()))
                    .map(|k| format!(" — {k} quits"))
                    .unwrap_or_default();
                toast(
                    state,
                    ToastLevel::Info,
                    format!(
                        "{}: the first screen, nothing to go back to{quit}",
                        keymap::key_label(&keymap::Key {
                            code: key.code,
                            ctrl: key.modifiers.contains(KeyModifiers::CONTROL),
                        })
                    ),
                );
                vec![]
            }
        }
        Action::Quit => {
            if state.stack.len() > 1 {
                pop(state)
            } else {
                state.quit = true;
                vec![Effect::Quit]
            }
        }
        Action::ForceQuit => {
            state.quit = true;
            vec![Effect::Quit]
        }
        Action::Logs => open_logs(state, None),
        Action::Metrics => open_metrics(state),
        Action::LongerWindow => step_window(state, 1),
        Action::ShorterWindow => step_window(state, -1),
        Action::Columns => toggle_columns(state),
        Action::Scale => super::dialogs::open(state, ActionKind::Scale),
        Action::ForceDeploy => super::dialogs::open(state, ActionKind::ForceDeployment),
        Action::Rollback => super::dialogs::open(state, ActionKind::Rollback),
        Action::StopDeploy => super::dialogs::open(state, ActionKind::StopDeployment),
        Action::ShiftTraffic => super::dialogs::open(state, ActionKind::ShiftTraffic),
        Action::ContinueDeploy => super::dialogs::open(state, ActionKind::ContinueDeployment),
        Action::Watch => open_watch(state),
        // Log view actions are handled by `on_log_action`.
        _ => vec![],
    }
}

pub(super) fn is_text_input(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && !c.is_control() =>
        {
            Some(c)
        }
        _ => None,
    }
}

pub(super) fn on_filter_key(state: &mut State, key: KeyEvent, mut input: TextInput) -> Vec<Effect> {
    let now = state.now;
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            return vec![];
        }
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            with_list(state, |l, _| l.set_filter(String::new(), now));
            return vec![];
        }
        _ => {}
    }
    if input.key(&key) == InputKey::Edited {
        let filter = input.value().to_owned();
        with_list(state, |l, _| l.set_filter(filter, now));
    }
    state.mode = Mode::Filter { input };
    vec![]
}

pub(super) fn on_command_key(
    state: &mut State,
    key: KeyEvent,
    mut input: TextInput,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => {
            state.mode = Mode::Normal;
            run_command(state, input.trim())
        }
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            vec![]
        }
        // Backspace on an empty command line closes it, as in vim.
        KeyCode::Backspace if input.is_empty() => {
            state.mode = Mode::Normal;
            vec![]
        }
        _ => {
            input.key(&key);
            state.mode = Mode::Command { input };
            vec![]
        }
    }
}
