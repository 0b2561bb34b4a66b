//! The footer prompts (log search, time range, filter pattern) and what submitting them does.

use super::*;

pub(super) fn on_prompt_key(
    state: &mut State,
    key: KeyEvent,
    kind: Prompt,
    mut input: TextInput,
    error: Option<String>,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter => match submit_prompt(state, kind, input.trim()) {
            Ok(effects) => {
                state.mode = Mode::Normal;
                effects
            }
            Err(error) => {
                state.mode = Mode::Prompt {
                    kind,
                    input,
                    error: Some(error),
                };
                vec![]
            }
        },
        KeyCode::Esc => {
            state.mode = Mode::Normal;
            vec![]
        }
        _ => {
            // The error is about what was submitted: it stays until the text changes.
            let error = match input.key(&key) {
                InputKey::Edited => None,
                InputKey::Moved | InputKey::NotMine => error,
            };
            state.mode = Mode::Prompt { kind, input, error };
            vec![]
        }
    }
}

/// Applies what was typed into a log view prompt (or a `:` command); an error says what to fix.
pub(super) fn submit_prompt(
    state: &mut State,
    kind: Prompt,
    text: &str,
) -> Result<Vec<Effect>, String> {
    let page = log_page(state);
    let now = state.now;
    let View::Logs(view) = state.view_mut() else {
        return Ok(vec![]);
    };
    let regex = |text: &str| -> Result<Option<TextFilter>, String> {
        if text.is_empty() {
            Ok(None)
        } else {
            TextFilter::new(text).map(Some)
        }
    };
    match kind {
        Prompt::Search => {
            view.search = regex(text)?;
            if view.search.is_some() {
                match view.find(false).or_else(|| view.find(true)) {
                    Some(i) => view.select(i, page),
                    None => return Err(format!("no line matches /{text} (yet)")),
                }
            }
            Ok(vec![])
        }
        Prompt::Include => {
            view.include = regex(text)?;
            view.refilter();
            Ok(vec![])
        }
        Prompt::Exclude => {
            view.exclude = regex(text)?;
            view.refilter();
            Ok(vec![])
        }
        Prompt::Pattern | Prompt::Since => {
            let mut request = view.request.clone();
            if kind == Prompt::Pattern {
                FilterPattern::parse(Some(text))
                    .map_err(|e| format!("{e} — see CloudWatch filter pattern syntax"))?;
                request.pattern = (!text.is_empty()).then(|| text.to_owned());
            } else {
                request.since = now - parse_duration(text)?;
                view.since_label = text.to_owned();
            }
            // A new query: start over from the window's start.
            view.request = request.clone();
            view.buffer.clear();
            view.refilter();
            view.resume();
            state.generation += 1;
            Ok(vec![Effect::Tail {
                request: Some(request),
                generation: state.generation,
            }])
        }
        Prompt::Save => {
            if text.is_empty() {
                return Err("type a file name to save to".into());
            }
            if text.chars().any(char::is_control) {
                return Err("the file name has control characters".into());
            }
            Ok(vec![Effect::Save {
                path: text.to_owned(),
                text: view.export(),
            }])
        }
    }
}
