//! `:` commands.

use super::*;
use crate::protocol::Scope;

pub(super) fn run_command(state: &mut State, command: &str) -> Vec<Effect> {
    let mut words = command.split_whitespace();
    let name = words.next().unwrap_or("");
    let arg = words.next().map(str::to_owned);
    match (name, words.next()) {
        ("", _) => vec![],
        ("q" | "q!" | "quit" | "qa", None) => {
            state.quit = true;
            vec![Effect::Quit]
        }
        ("clusters" | "cluster" | "cl", None) if arg.is_none() => jump(state, None, false),
        ("services" | "service" | "svc", None) | ("tasks" | "task", None) => {
            let tasks = name.starts_with("task");
            match arg.or_else(|| current_cluster(state)) {
                Some(cluster) => jump(state, Some(cluster), tasks),
                None => {
                    toast(
                        state,
                        ToastLevel::Error,
                        format!(
                            ":{name} needs a cluster: select one and press Enter, or type :{name} CLUSTER"
                        ),
                    );
                    vec![]
                }
            }
        }
        ("help" | "h", None) => {
            state.mode = Mode::Help { scroll: 0 };
            vec![]
        }
        ("loggroups" | "lg", None) => navigate(state, |s| {
            s.stack.truncate(1);
            s.stack
                .push(View::for_scope(&Scope::LogGroups { prefix: arg }));
        }),
        ("logs" | "log", None) => open_logs(state, arg),
        ("metrics" | "m", None) if arg.is_none() => open_metrics(state),
        ("window" | "w", None) => match arg.as_deref().map(Window::parse) {
            Some(Some(w)) if matches!(state.view(), View::Metrics(_) | View::Service { .. }) => {
                set_window(state, w)
            }
            Some(Some(_)) => {
                // In the user's key for charts, which [keys] may have moved.
                let charts = state
                    .keymap
                    .first_key(Action::Metrics, keymap::Screen::Services)
                    .map_or_else(|| ":metrics".to_owned(), |k| format!("press {k}"));
                toast(
                    state,
                    ToastLevel::Error,
                    format!(":window works on a service's charts: {charts} on a service"),
                );
                vec![]
            }
            _ => {
                toast(
                    state,
                    ToastLevel::Error,
                    format!(
                        ":window takes one of {}",
                        Window::ALL.map(|w| w.label()).join(", ")
                    ),
                );
                vec![]
            }
        },
        ("since" | "filter" | "save" | "grep", _) if matches!(state.view(), View::Logs(_)) => {
            let rest = command
                .get(name.len()..)
                .unwrap_or_default()
                .trim()
                .to_owned();
            let kind = match name {
                "since" => Prompt::Since,
                "filter" => Prompt::Pattern,
                "grep" => Prompt::Include,
                _ => Prompt::Save,
            };
            match submit_prompt(state, kind, &rest) {
                Ok(effects) => effects,
                Err(error) => {
                    toast(state, ToastLevel::Error, error);
                    vec![]
                }
            }
        }
        ("since" | "filter" | "save" | "grep", _) => {
            toast(
                state,
                ToastLevel::Error,
                format!(":{name} works in a log view: open one with l on a service or task"),
            );
            vec![]
        }
        _ => {
            let known: Vec<&str> = keymap::COMMANDS.iter().map(|(c, _)| *c).collect();
            toast(
                state,
                ToastLevel::Error,
                format!("unknown command :{command} (try {})", known.join(", ")),
            );
            vec![]
        }
    }
}
