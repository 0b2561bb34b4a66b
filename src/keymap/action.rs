//! The actions keys trigger, with the names `[keys]` knows them by.

use super::{BINDINGS, Binding};

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
    ShiftTraffic,
    ContinueDeploy,
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
            Action::ShiftTraffic => "shift_traffic",
            Action::ContinueDeploy => "continue_deploy",
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
