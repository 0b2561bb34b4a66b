//! The default keys: one row per action, with its description (help and the footer read it) and where it
//! works. Adding a key is a row here.

use super::{Action, Key, Where};
use crossterm::event::KeyCode;

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
        &[k('T')],
        Action::ShiftTraffic,
        "ALB traffic: switch / shift / back",
        Where::Actionable,
        true,
    )
    .off_tables(),
    b(
        &[k('C')],
        Action::ContinueDeploy,
        "CodeDeploy: continue a waiting deployment",
        Where::Actionable,
        false,
    ),
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
    (":metrics", "charts of the selected service"),
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
