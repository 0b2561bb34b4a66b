//! Keys -> actions. The help screen and the footer hints are generated from [`BINDINGS`] through the
//! user's [`Keymap`] (the `[keys]` section of the config), so what the screen says is always what the keys do.

mod config;
pub mod help;
pub mod reference;

pub use config::{KeyError, parse_key};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does. Each has a stable snake_case [`Action::name`], the name `[keys]` uses.
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

impl Action {
    /// The name `[keys]` knows it by. These are a public interface (users' config files): never rename one.
    pub fn name(self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Open => "open",
            Action::Back => "back",
            Action::Quit => "quit",
            Action::Filter => "filter",
            Action::Command => "command",
            Action::Help => "help",
            Action::Describe => "describe",
            Action::Raw => "raw",
            Action::Refresh => "refresh",
            Action::SortNext => "sort_next",
            Action::SortReverse => "sort_reverse",
            Action::ForceQuit => "force_quit",
            Action::Logs => "open_logs",
            Action::Metrics => "open_metrics",
            Action::LongerWindow => "longer_window",
            Action::ShorterWindow => "shorter_window",
            Action::Columns => "columns",
            Action::Scale => "scale",
            Action::ForceDeploy => "force_deploy",
            Action::Rollback => "rollback",
            Action::StopDeploy => "stop_deploy",
            Action::Watch => "watch",
            Action::Pause => "pause",
            Action::Follow => "follow",
            Action::Search => "search",
            Action::NextMatch => "next_match",
            Action::PrevMatch => "prev_match",
            Action::Wrap => "wrap",
            Action::Timestamps => "timestamps",
            Action::Utc => "utc",
            Action::Pretty => "pretty",
            Action::Pattern => "pattern",
            Action::Include => "include",
            Action::Exclude => "exclude",
            Action::Deployment => "deployment",
            Action::Since => "since",
            Action::Save => "save",
            Action::Copy => "copy",
        }
    }

    /// The binding of this action (each action has exactly one; a test holds it so).
    pub fn binding(self) -> Option<&'static Binding> {
        BINDINGS.iter().find(|b| b.action == self)
    }

    pub fn from_name(name: &str) -> Option<Action> {
        BINDINGS.iter().map(|b| b.action).find(|a| a.name() == name)
    }
}

/// The kinds of screen, as `[keys.<screen>]` names them. A service's tasks and all tasks of a cluster are
/// one name (`tasks`) but differ in what works there (`m` opens the service's charts only from the former).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Clusters,
    Services,
    Tasks,
    ServiceTasks,
    Task,
    Service,
    LogGroups,
    Logs,
    Metrics,
    Deploy,
}

impl Screen {
    pub const ALL: [Screen; 10] = [
        Screen::Clusters,
        Screen::Services,
        Screen::Tasks,
        Screen::ServiceTasks,
        Screen::Task,
        Screen::Service,
        Screen::LogGroups,
        Screen::Logs,
        Screen::Metrics,
        Screen::Deploy,
    ];

    /// The `[keys.<name>]` table of this screen.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Clusters => "clusters",
            Screen::Services => "services",
            Screen::Tasks | Screen::ServiceTasks => "tasks",
            Screen::Task => "task",
            Screen::Service => "service",
            Screen::LogGroups => "log_groups",
            Screen::Logs => "logs",
            Screen::Metrics => "metrics",
            Screen::Deploy => "deploy",
        }
    }

    /// In words, for help's header and messages.
    pub fn describe(self) -> &'static str {
        match self {
            Screen::Clusters => "clusters list",
            Screen::Services => "services list",
            Screen::Tasks => "tasks list",
            Screen::ServiceTasks => "service's tasks",
            Screen::Task => "task's details",
            Screen::Service => "service's details",
            Screen::LogGroups => "log groups list",
            Screen::Logs => "log view",
            Screen::Metrics => "charts",
            Screen::Deploy => "deploy screen",
        }
    }

    pub fn of(view: &crate::app::View) -> Screen {
        use crate::app::View;
        match view {
            View::Clusters(_) => Screen::Clusters,
            View::Services { .. } => Screen::Services,
            View::Tasks {
                service: Some(_), ..
            } => Screen::ServiceTasks,
            View::Tasks { .. } => Screen::Tasks,
            View::Task { .. } => Screen::Task,
            View::Service { .. } => Screen::Service,
            View::LogGroups { .. } => Screen::LogGroups,
            View::Logs(_) => Screen::Logs,
            View::Metrics(_) => Screen::Metrics,
            View::Deploy(_) => Screen::Deploy,
        }
    }
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
        self.allows_on(Screen::of(view))
    }

    pub fn allows_on(self, screen: Screen) -> bool {
        use Screen as S;
        match self {
            Where::Everywhere => true,
            Where::Tables => matches!(
                screen,
                S::Clusters | S::Services | S::Tasks | S::ServiceTasks | S::LogGroups
            ),
            Where::Describable => matches!(
                screen,
                S::Services | S::Tasks | S::ServiceTasks | S::Metrics | S::Deploy
            ),
            Where::Loggable => matches!(
                screen,
                S::Services
                    | S::Tasks
                    | S::ServiceTasks
                    | S::Task
                    | S::Service
                    | S::LogGroups
                    | S::Deploy
                    | S::Metrics
            ),
            Where::Logs => screen == S::Logs,
            Where::Chartable => matches!(
                screen,
                S::Services | S::Service | S::Deploy | S::ServiceTasks
            ),
            Where::Charts => matches!(screen, S::Metrics | S::Service),
            Where::ServicesList => screen == S::Services,
            Where::Actionable => {
                matches!(screen, S::Services | S::Service | S::Deploy | S::Metrics)
            }
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
        // `r` as well: what e1s and k9s users press. No screen gives `r` another meaning.
        &[ctrl('r'), k('r')],
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

/// A key of `[keys]` in place of an action's default keys: on every screen (`view` None) or on the screens
/// of one `[keys.<view>]` name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Remap {
    view: Option<&'static str>,
    action: Action,
    keys: Vec<Key>,
}

/// The keys in force: [`BINDINGS`] with the user's `[keys]` laid over them. A user key replaces the default
/// keys of its action (on every screen from `[keys]`, on one kind of screen from `[keys.<view>]`, which wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    remaps: Vec<Remap>,
}

impl Keymap {
    /// The keys of `binding` on `screen`.
    pub fn keys(&self, binding: &'static Binding, screen: Screen) -> &[Key] {
        let remap = |view: Option<&str>| {
            self.remaps
                .iter()
                .find(|r| r.action == binding.action && r.view == view)
        };
        remap(Some(screen.name()))
            .or_else(|| remap(None))
            .map_or(binding.keys, |r| r.keys.as_slice())
    }

    /// The binding of this key on this view (a key may mean different things on different views).
    pub fn binding_for(
        &self,
        event: &KeyEvent,
        view: &crate::app::View,
    ) -> Option<&'static Binding> {
        self.binding_on(event, Screen::of(view))
    }

    pub fn binding_on(&self, event: &KeyEvent, screen: Screen) -> Option<&'static Binding> {
        BINDINGS.iter().find(|b| {
            b.place.allows_on(screen) && self.keys(b, screen).iter().any(|k| matches(k, event))
        })
    }

    /// The binding of this key that works on every view (scrolling in overlays).
    pub fn global_binding(
        &self,
        event: &KeyEvent,
        view: &crate::app::View,
    ) -> Option<&'static Binding> {
        self.binding_for(event, view)
            .filter(|b| b.place == Where::Everywhere)
    }

    /// A binding of this key on some screen: for saying where a key that does nothing here would work.
    pub fn binding_anywhere(&self, event: &KeyEvent) -> Option<&'static Binding> {
        Screen::ALL
            .iter()
            .find_map(|screen| self.binding_on(event, *screen))
    }

    /// "j/↓": every key of a binding on this screen.
    pub fn keys_label(&self, binding: &'static Binding, screen: Screen) -> String {
        self.keys(binding, screen)
            .iter()
            .map(key_label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The first key of an action on this screen, for hints ("? for help"); None if the user left it none.
    pub fn first_key(&self, action: Action, screen: Screen) -> Option<String> {
        let binding = action.binding()?;
        self.keys(binding, screen).first().map(key_label)
    }

    /// Footer hints for the view on screen: (first key, description).
    pub fn hints(&self, view: &crate::app::View) -> Vec<(String, &'static str)> {
        let screen = Screen::of(view);
        BINDINGS
            .iter()
            .filter(|b| b.in_footer(view))
            .filter_map(|b| Some((key_label(self.keys(b, screen).first()?), b.desc)))
            .collect()
    }
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
        KeyCode::F(n) => format!("F{n}"),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Delete".into(),
        KeyCode::Insert => "Insert".into(),
        other => format!("{other:?}"),
    };
    if key.ctrl {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_means_two_things_on_one_screen() {
        let keymap = Keymap::default();
        for screen in Screen::ALL {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.place.allows_on(screen)) {
                for k in keymap.keys(b, screen) {
                    assert!(!seen.contains(k), "{k:?} is bound twice on {screen:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn every_action_has_one_binding_and_a_snake_case_name_of_its_own() {
        let mut names = Vec::new();
        for b in BINDINGS {
            let name = b.action.name();
            assert_eq!(
                BINDINGS.iter().filter(|o| o.action == b.action).count(),
                1,
                "{name} has one binding"
            );
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
            assert_eq!(Action::from_name(name), Some(b.action));
            assert!(!names.contains(&name), "{name} twice");
            names.push(name);
        }
    }

    #[test]
    fn shifted_letters_match_without_caring_about_the_shift_flag() {
        let event = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            Keymap::default()
                .binding_on(&event, Screen::Clusters)
                .map(|b| b.action),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn slash_filters_tables_and_searches_logs() {
        let event = KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE);
        let keymap = Keymap::default();
        assert_eq!(
            keymap
                .binding_on(&event, Screen::Clusters)
                .map(|b| b.action),
            Some(Action::Filter)
        );
        assert_eq!(
            keymap.binding_on(&event, Screen::Logs).map(|b| b.action),
            Some(Action::Search)
        );
    }

    #[test]
    fn r_refreshes_on_every_screen_like_ctrl_r() {
        let keymap = Keymap::default();
        for screen in Screen::ALL {
            for event in [
                KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE),
                KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL),
            ] {
                assert_eq!(
                    keymap.binding_on(&event, screen).map(|b| b.action),
                    Some(Action::Refresh),
                    "{screen:?}"
                );
            }
        }
    }
}
