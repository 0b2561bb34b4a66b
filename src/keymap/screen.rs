//! The kinds of screen `[keys.<screen>]` names, and where each binding works.

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
