//! Keys -> actions. The help screen and the footer hints are generated from [`BINDINGS`], so what the
//! screen says is always what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Open,
    Back,
    Quit,
    Filter,
    Command,
    Help,
    Describe,
    Raw,
    Refresh,
    SortNext,
    SortReverse,
    ForceQuit,
    Logs,
    Metrics,
    LongerWindow,
    ShorterWindow,
    Columns,
    Scale,
    ForceDeploy,
    Rollback,
    StopDeploy,
    Watch,
    // In a log view
    Pause,
    Follow,
    Search,
    NextMatch,
    PrevMatch,
    Wrap,
    Timestamps,
    Utc,
    Pretty,
    Pattern,
    Include,
    Exclude,
    Deployment,
    Since,
    Save,
    Copy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}
const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

/// Which screens a binding works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Everywhere,
    /// Resource tables (clusters, services, tasks).
    Tables,
    /// Services and tasks tables, and a service's charts or deploy screen (its details).
    Describable,
    /// Where `l` tails logs: services, tasks, a task, a service's details, charts or deploy screen, log groups.
    Loggable,
    /// A log view.
    Logs,
    /// Where `m` opens a service's charts: services, a service's tasks or details.
    Chartable,
    /// Charts on screen: the metrics view and a service's details.
    Charts,
    /// A services list.
    ServicesList,
    /// Where a service can be acted on: a services list, a service's details, charts or deploy screen.
    Actionable,
}

impl Where {
    /// Where this is, in words, for "this key works on …".
    pub fn describe(self) -> &'static str {
        match self {
            Where::Everywhere => "every screen",
            Where::Tables => "a table (clusters, services, tasks, log groups)",
            Where::Describable => {
                "a services or tasks list, or a service's charts or deploy screen"
            }
            Where::Loggable => "a service, a task or a log group",
            Where::Logs => "a log view",
            Where::Chartable => "a service (its row, its tasks, details or deploy screen)",
            Where::Charts => "a service's charts or details",
            Where::ServicesList => "a services list",
            Where::Actionable => "a services list, or a service's details, charts or deploy screen",
        }
    }

    /// Whether a binding for this place works on `view`. The reducer and the footer both ask this.
    pub fn allows(self, view: &crate::app::View) -> bool {
        use crate::app::View;
        match self {
            Where::Everywhere => true,
            Where::Tables => matches!(
                view,
                View::Clusters(_)
                    | View::Services { .. }
                    | View::Tasks { .. }
                    | View::LogGroups { .. }
            ),
            Where::Describable => matches!(
                view,
                View::Services { .. } | View::Tasks { .. } | View::Metrics(_) | View::Deploy(_)
            ),
            Where::Loggable => matches!(
                view,
                View::Services { .. }
                    | View::Tasks { .. }
                    | View::Task { .. }
                    | View::Service { .. }
                    | View::LogGroups { .. }
                    | View::Deploy(_)
                    | View::Metrics(_)
            ),
            Where::Logs => matches!(view, View::Logs(_)),
            Where::Chartable => matches!(
                view,
                View::Services { .. }
                    | View::Service { .. }
                    | View::Deploy(_)
                    | View::Tasks {
                        service: Some(_),
                        ..
                    }
            ),
            Where::Charts => matches!(view, View::Metrics(_) | View::Service { .. }),
            Where::ServicesList => matches!(view, View::Services { .. }),
            Where::Actionable => matches!(
                view,
                View::Services { .. } | View::Service { .. } | View::Deploy(_) | View::Metrics(_)
            ),
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub desc: &'static str,
    pub place: Where,
    /// Shown in the footer (the rest only in help).
    pub footer: bool,
    /// Left out of the footer of tables, whose own keys (filter, sort) need the room; shown on a single
    /// resource's screens (a service's details, charts, deploy screen).
    pub footer_off_tables: bool,
}

impl Binding {
    /// Whether the footer of `view` lists this binding.
    pub fn in_footer(&self, view: &crate::app::View) -> bool {
        self.footer
            && self.place.allows(view)
            && !(self.footer_off_tables && Where::Tables.allows(view))
    }

    const fn off_tables(mut self) -> Binding {
        self.footer_off_tables = true;
        self
    }
}

const fn b(
    keys: &'static [Key],
    action: Action,
    desc: &'static str,
    place: Where,
    footer: bool,
) -> Binding {
    Binding {
        keys,
        action,
        desc,
        place,
        footer,
        footer_off_tables: false,
    }
}

pub const BINDINGS: &[Binding] = &[
    b(
        &[k('j'), code(KeyCode::Down)],
        Action::Down,
        "down",
        Where::Everywhere,
        false,
    ),
    b(
        &[k('k'), code(KeyCode::Up)],
        Action::Up,
        "up",
        Where::Everywhere,
        false,
    ),
    b(
        &[k('g'), code(KeyCode::Home)],
        Action::Top,
        "top",
        Where::Everywhere,
        false,
    ),
    b(
        &[k('G'), code(KeyCode::End)],
        Action::Bottom,
        "bottom",
        Where::Everywhere,
        false,
    ),
    b(
        &[ctrl('b'), code(KeyCode::PageUp)],
        Action::PageUp,
        "page up",
        Where::Everywhere,
        false,
    ),
    b(
        &[ctrl('f'), code(KeyCode::PageDown)],
        Action::PageDown,
        "page down",
        Where::Everywhere,
        false,
    ),
    // First of the footer hints, so a narrow terminal still shows where help is.
    b(&[k('?')], Action::Help, "help", Where::Everywhere, true),
    b(
        &[code(KeyCode::Enter), code(KeyCode::Right)],
        Action::Open,
        "open",
        Where::Tables,
        true,
    ),
    b(&[k('l')], Action::Logs, "logs", Where::Loggable, true),
    b(
        &[k('m')],
        Action::Metrics,
        "metrics",
        Where::Chartable,
        true,
    ),
    b(
        &[k(']')],
        Action::LongerWindow,
        "longer window",
        Where::Charts,
        true,
    ),
    b(
        &[k('[')],
        Action::ShorterWindow,
        "shorter window",
        Where::Charts,
        true,
    ),
    b(&[k('W')], Action::Watch, "deploy", Where::Actionable, true),
    b(&[k('S')], Action::Scale, "scale", Where::Actionable, true),
    b(
        &[k('F')],
        Action::ForceDeploy,
        "force deploy",
        Where::Actionable,
        true,
    )
    .off_tables(),
    b(
        &[k('R')],
        Action::Rollback,
        "roll back",
        Where::Actionable,
        true,
    )
    .off_tables(),
    b(
        &[k('X')],
        Action::StopDeploy,
        "stop deploy + roll back",
        Where::Actionable,
        true,
    )
    .off_tables(),
    b(
        &[k('M')],
        Action::Columns,
        "CPU / 5XX columns (billed)",
        Where::ServicesList,
        false,
    ),
    b(
        &[k(' ')],
        Action::Pause,
        "pause / resume",
        Where::Logs,
        true,
    ),
    b(
        &[k('f')],
        Action::Follow,
        "follow on/off",
        Where::Logs,
        false,
    ),
    b(&[k('/')], Action::Search, "search", Where::Logs, true),
    b(
        &[k('n')],
        Action::NextMatch,
        "next match",
        Where::Logs,
        false,
    ),
    b(
        &[k('N')],
        Action::PrevMatch,
        "previous match",
        Where::Logs,
        false,
    ),
    b(&[k('w')], Action::Wrap, "wrap", Where::Logs, true),
    b(
        &[k('t')],
        Action::Timestamps,
        "timestamps",
        Where::Logs,
        false,
    ),
    b(
        &[k('T')],
        Action::Utc,
        "local time / UTC",
        Where::Logs,
        false,
    ),
    b(&[k('J')], Action::Pretty, "pretty JSON", Where::Logs, true),
    b(
        &[k('F')],
        Action::Pattern,
        "CloudWatch filter pattern",
        Where::Logs,
        false,
    ),
    b(
        &[k('i')],
        Action::Include,
        "only lines matching",
        Where::Logs,
        true,
    ),
    b(
        &[k('v')],
        Action::Exclude,
        "hide lines matching",
        Where::Logs,
        false,
    ),
    b(
        &[k('D')],
        Action::Deployment,
        "one deployment's tasks",
        Where::Logs,
        true,
    ),
    b(
        &[k('@')],
        Action::Since,
        "start time (since)",
        Where::Logs,
        false,
    ),
    b(&[k('s')], Action::Save, "save to file", Where::Logs, false),
    b(&[k('c')], Action::Copy, "copy line", Where::Logs, false),
    b(
        &[k('d')],
        Action::Describe,
        "details",
        Where::Describable,
        true,
    ),
    b(&[k('y')], Action::Raw, "raw JSON", Where::Everywhere, true),
    b(&[k('/')], Action::Filter, "filter", Where::Tables, true),
    b(
        &[k('s')],
        Action::SortNext,
        "sort column",
        Where::Tables,
        true,
    ),
    b(
        &[k('O')],
        Action::SortReverse,
        "reverse sort",
        Where::Tables,
        false,
    ),
    b(
        &[ctrl('r')],
        Action::Refresh,
        "refresh now",
        Where::Everywhere,
        false,
    ),
    b(
        &[k(':')],
        Action::Command,
        "command",
        Where::Everywhere,
        true,
    ),
    b(
        &[code(KeyCode::Esc), k('h'), code(KeyCode::Left)],
        Action::Back,
        "back / clear filter",
        Where::Everywhere,
        true,
    ),
    b(
        &[k('q')],
        Action::Quit,
        "back, quit at top",
        Where::Everywhere,
        false,
    ),
    b(
        &[ctrl('c')],
        Action::ForceQuit,
        "quit",
        Where::Everywhere,
        false,
    ),
];

/// The `:` commands, for help and for the "unknown command" message.
pub const COMMANDS: &[(&str, &str)] = &[
    (":clusters", "all clusters"),
    (
        ":services [cluster]",
        "services of the current (or named) cluster",
    ),
    (
        ":tasks [cluster]",
        "all tasks of the current (or named) cluster",
    ),
    (
        ":loggroups [prefix]",
        "CloudWatch log groups (by name prefix)",
    ),
    (
        ":logs [container]",
        "tail logs here (one container of a task)",
    ),
    (":metrics", "charts of the selected service (m)"),
    (":window 3h", "charts over 15m, 1h, 3h, 12h or 24h"),
    (
        ":since 1h",
        "in a log view: start 1 hour back (30s, 5m, 2d)",
    ),
    (
        ":filter PATTERN",
        "in a log view: CloudWatch filter pattern",
    ),
    (":save [file]", "in a log view: save the lines shown"),
    (":help", "this screen"),
    (":q", "quit"),
];

fn matches(key: &Key, event: &KeyEvent) -> bool {
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    key.code == event.code && key.ctrl == ctrl
}

/// The binding of this key that works on every view (scrolling in overlays).
pub fn global_binding(event: &KeyEvent) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.place == Where::Everywhere && b.keys.iter().any(|k| matches(k, event)))
}

/// A binding of this key on any view: for saying where a key that does nothing here would work.
pub fn binding_anywhere(event: &KeyEvent) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|k| matches(k, event)))
}

/// The binding of this key on this view (a key may mean different things on different views).
pub fn binding_for(event: &KeyEvent, view: &crate::app::View) -> Option<&'static Binding> {
    BINDINGS
        .iter()
        .find(|b| b.place.allows(view) && b.keys.iter().any(|k| matches(k, event)))
}

pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// "j/↓" — every key of a binding.
pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(key_label)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::app::logs::LogView;
    use crate::app::{Scope, View};
    use crate::protocol::{LogRequest, LogTarget};

    fn views() -> Vec<View> {
        let mut v: Vec<View> = [
            Scope::Clusters,
            Scope::Services {
                cluster: "c".into(),
            },
            Scope::Tasks {
                cluster: "c".into(),
                service: None,
            },
            Scope::Task {
                cluster: "c".into(),
                task_arn: "t".into(),
            },
            Scope::Service {
                cluster: "c".into(),
                service: "s".into(),
            },
            Scope::LogGroups { prefix: None },
        ]
        .iter()
        .map(View::for_scope)
        .collect();
        v.push(View::Logs(Box::new(LogView::new(
            LogRequest {
                target: LogTarget::Group { name: "g".into() },
                since: 0,
                pattern: None,
            },
            "5m".into(),
            10,
        ))));
        v
    }

    #[test]
    fn no_key_means_two_things_on_one_view() {
        for view in views() {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.place.allows(&view)) {
                for k in b.keys {
                    assert!(
                        !seen.contains(k),
                        "{k:?} is bound twice on {}",
                        view.title()
                    );
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn shifted_letters_match_without_caring_about_the_shift_flag() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        let view = &views()[0];
        assert_eq!(
            binding_for(&event, view).map(|b| b.action),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn slash_filters_tables_and_searches_logs() {
        let event = KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE);
        let views = views();
        assert_eq!(
            binding_for(&event, &views[0]).map(|b| b.action),
            Some(Action::Filter)
        );
        assert_eq!(
            binding_for(&event, views.last().unwrap()).map(|b| b.action),
            Some(Action::Search)
        );
    }
}
