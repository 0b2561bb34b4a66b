//! Everything the app knows, as plain data. Views read it; only `update()` changes it.

use super::actions::Dialog;
use super::deploy::DeployView;
use super::input::TextInput;
use super::list::{ListView, LoadState};
use super::logs::LogView;
use super::metrics::{FleetMetrics, MetricsView};
use crate::aws::{ApiError, Cluster, LogGroup, Millis, Service, Task, TaskDefinition, arn_name};
use crate::model::metrics::Window;
use crate::protocol::Progress;
use crate::protocol::Scope;

/// Who and where we are talking to, for the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub profile: String,
    pub region: String,
    pub endpoint: Option<String>,
    pub read_only: bool,
    pub demo: bool,
    /// The local time zone's offset from UTC in seconds, read once at start-up (log timestamps).
    pub utc_offset_secs: i32,
    /// How far back a log view starts, e.g. `5m`.
    pub log_since: String,
    /// Lines a log view holds before dropping the oldest.
    pub log_capacity: usize,
    /// The charts' window when they open.
    pub metrics_window: Window,
    /// How often charts refresh (seconds): metrics are per minute, and every refresh is billed.
    pub metrics_refresh_secs: u64,
    /// Services lists show CPU and 5XX columns (billed per metric requested).
    pub metrics_columns: bool,
    /// Where the log file is, for messages that point to it.
    pub log_file: Option<String>,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            profile: String::new(),
            region: String::new(),
            endpoint: None,
            read_only: false,
            demo: false,
            utc_offset_secs: 0,
            log_since: "5m".into(),
            log_capacity: super::logs::DEFAULT_CAPACITY,
            metrics_window: Window::default(),
            metrics_refresh_secs: 60,
            metrics_columns: false,
            log_file: None,
        }
    }
}

/// A single resource's detail, loaded like a list but replaced whole on every refresh.
#[derive(Debug, Clone)]
pub struct Detail<T> {
    pub data: Option<T>,
    pub load: LoadState,
    pub scroll: u16,
    /// The greatest scroll of the last frame drawn (how far the text outgrows the screen depends on the
    /// width it wraps at, which only the renderer knows). The renderer writes it, as ratatui's own
    /// `ScrollbarState` is written while rendering, so that G/End and the keys after it stop at the last
    /// screenful instead of at 65535. Unknown before the first frame: no limit.
    pub scroll_max: DrawnMax,
}

/// A bound the renderer learns while drawing; atomic so that `State` stays `Sync`.
#[derive(Debug)]
pub struct DrawnMax(std::sync::atomic::AtomicU16);

impl DrawnMax {
    pub fn new(value: u16) -> DrawnMax {
        DrawnMax(std::sync::atomic::AtomicU16::new(value))
    }
    pub fn get(&self) -> u16 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
    pub fn set(&self, value: u16) {
        self.0.store(value, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Clone for DrawnMax {
    fn clone(&self) -> Self {
        DrawnMax::new(self.get())
    }
}

impl<T> Default for Detail<T> {
    fn default() -> Self {
        Detail {
            data: None,
            load: LoadState::default(),
            scroll: 0,
            scroll_max: DrawnMax::new(u16::MAX),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskDetail {
    pub task: Task,
    /// DescribeTaskDefinition can fail on its own (say, a missing permission); the task still shows.
    pub definition: Result<TaskDefinition, ApiError>,
}

#[derive(Debug, Clone)]
pub enum View {
    Clusters(ListView<Cluster>),
    Services {
        cluster: String,
        list: ListView<Service>,
        fleet: FleetMetrics,
    },
    Tasks {
        cluster: String,
        service: Option<String>,
        list: ListView<Task>,
    },
    Task {
        cluster: String,
        task_arn: String,
        detail: Detail<TaskDetail>,
    },
    Service {
        cluster: String,
        service: String,
        detail: Detail<Service>,
        /// Task sets and CodeDeploy (CODE_DEPLOY and EXTERNAL services), replaced on every refresh.
        blue_green: Option<Box<crate::model::codedeploy::BlueGreen>>,
        /// The pane of charts under the details.
        metrics: Box<MetricsView>,
        /// Its ALB routes and blue/green pair (None until read; the service has no target group).
        traffic: Option<Result<crate::model::traffic::Traffic, ApiError>>,
    },
    LogGroups {
        prefix: Option<String>,
        list: ListView<LogGroup>,
    },
    Logs(Box<LogView>),
    Metrics(Box<MetricsView>),
    Deploy(Box<DeployView>),
}

impl View {
    pub fn for_scope(scope: &Scope) -> View {
        match scope.clone() {
            Scope::Clusters => View::Clusters(ListView::new()),
            Scope::Services { cluster } => View::Services {
                cluster,
                list: ListView::new(),
                fleet: FleetMetrics::default(),
            },
            Scope::Tasks { cluster, service } => {
                let list = ListView::new();
                // The service column says nothing when every task belongs to the same service.
                let list = if service.is_some() {
                    list.without_column(1)
                } else {
                    list
                };
                View::Tasks {
                    cluster,
                    service,
                    list,
                }
            }
            Scope::Task { cluster, task_arn } => View::Task {
                cluster,
                task_arn,
                detail: Detail::default(),
            },
            Scope::Service { cluster, service } => View::Service {
                metrics: Box::new(MetricsView::new(&cluster, &service, Window::H1, true)),
                cluster,
                service,
                detail: Detail::default(),
                traffic: None,
                blue_green: None,
            },
            Scope::LogGroups { prefix } => View::LogGroups {
                prefix,
                list: ListView::new(),
            },
            Scope::Logs => unreachable!("log views are built with their request"),
            Scope::Metrics => unreachable!("metrics views are built with their service"),
            Scope::Deploy { cluster, service } => View::Deploy(Box::new(DeployView::new(
                &cluster,
                &service,
                crate::model::deploy::Target::Primary,
            ))),
        }
    }

    pub fn scope(&self) -> Scope {
        match self {
            View::Clusters(_) => Scope::Clusters,
            View::Services { cluster, .. } => Scope::Services {
                cluster: cluster.clone(),
            },
            View::Tasks {
                cluster, service, ..
            } => Scope::Tasks {
                cluster: cluster.clone(),
                service: service.clone(),
            },
            View::Task {
                cluster, task_arn, ..
            } => Scope::Task {
                cluster: cluster.clone(),
                task_arn: task_arn.clone(),
            },
            View::Service {
                cluster, service, ..
            } => Scope::Service {
                cluster: cluster.clone(),
                service: service.clone(),
            },
            View::LogGroups { prefix, .. } => Scope::LogGroups {
                prefix: prefix.clone(),
            },
            View::Logs(_) => Scope::Logs,
            View::Metrics(_) => Scope::Metrics,
            View::Deploy(v) => Scope::Deploy {
                cluster: v.cluster.clone(),
                service: v.service.clone(),
            },
        }
    }

    pub fn load(&self) -> &LoadState {
        match self {
            View::Clusters(l) => &l.load,
            View::Services { list, .. } => &list.load,
            View::Tasks { list, .. } => &list.load,
            View::Task { detail, .. } => &detail.load,
            View::Service { detail, .. } => &detail.load,
            View::LogGroups { list, .. } => &list.load,
            View::Deploy(v) => &v.load,
            View::Logs(_) | View::Metrics(_) => &NO_LOAD,
        }
    }

    /// The name shown in the breadcrumb and title.
    pub fn title(&self) -> String {
        match self {
            View::Clusters(_) => "clusters".into(),
            View::Services { cluster, .. } => arn_name(cluster).into(),
            View::Tasks {
                service: Some(s), ..
            } => arn_name(s).into(),
            View::Tasks { service: None, .. } => "tasks".into(),
            View::Task { task_arn, .. } => {
                let id = arn_name(task_arn);
                id.chars().take(8).collect()
            }
            View::Service { service, .. } => format!("{} (details)", arn_name(service)),
            View::LogGroups { prefix: None, .. } => "log groups".into(),
            View::LogGroups {
                prefix: Some(p), ..
            } => format!("log groups {p}*"),
            View::Logs(v) => format!("logs: {}", v.request.target.title()),
            View::Metrics(v) => format!("{} (metrics)", arn_name(&v.service)),
            View::Deploy(v) => format!("{} (deploy)", arn_name(&v.service)),
        }
    }

    pub fn filter(&self) -> Option<&str> {
        match self {
            View::Clusters(l) => Some(&l.filter),
            View::Services { list, .. } => Some(&list.filter),
            View::Tasks { list, .. } => Some(&list.filter),
            View::LogGroups { list, .. } => Some(&list.filter),
            _ => None,
        }
    }
}

/// A log view's state is its own (it is not refreshed by the poller).
static NO_LOAD: LoadState = LoadState {
    loading: false,
    progress: Progress {
        described: 0,
        listed: 0,
        listing_done: false,
    },
    loaded_at: None,
    error: None,
    retrying: None,
};

/// What a one-line prompt in a log view is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Search,
    Include,
    Exclude,
    Pattern,
    Since,
    Save,
}

impl Prompt {
    pub fn label(self) -> &'static str {
        match self {
            Prompt::Search => "search (regex)",
            Prompt::Include => "show only lines matching (regex)",
            Prompt::Exclude => "hide lines matching (regex)",
            Prompt::Pattern => "CloudWatch filter pattern (applied by AWS)",
            Prompt::Since => "start how far back (30s, 5m, 1h, 2d)",
            Prompt::Save => "save the lines shown to file",
        }
    }

    /// A word for the prompt when its full label leaves no room (an error is showing).
    pub fn short(self) -> &'static str {
        match self {
            Prompt::Search => "search",
            Prompt::Include => "include",
            Prompt::Exclude => "exclude",
            Prompt::Pattern => "pattern",
            Prompt::Since => "since",
            Prompt::Save => "save to",
        }
    }

    /// The keys that apply to this prompt, as the footer says them: only the search and filters clear
    /// when left empty; a duration or a file name must be typed.
    pub fn hint(self) -> &'static str {
        match self {
            Prompt::Search | Prompt::Include | Prompt::Exclude | Prompt::Pattern => {
                "Enter apply · empty clears · Esc cancel"
            }
            Prompt::Since => "Enter restart from there · Esc cancel",
            Prompt::Save => "Enter save · Esc cancel",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    Normal,
    /// Typing a filter: it applies live as it is typed.
    Filter {
        input: TextInput,
    },
    /// Typing a `:` command.
    Command {
        input: TextInput,
    },
    /// Typing into a log view's prompt; `error` says what was wrong with the last Enter.
    Prompt {
        kind: Prompt,
        input: TextInput,
        error: Option<String>,
    },
    Help {
        scroll: u16,
    },
    /// Raw JSON of one resource.
    Raw {
        title: String,
        lines: Vec<String>,
        scroll: u16,
    },
    /// An action's dialog: choose, confirm, send.
    Dialog(Box<Dialog>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastLevel {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub level: ToastLevel,
    pub until: Millis,
}

#[derive(Debug, Clone)]
pub struct State {
    pub context: Context,
    /// Navigation stack; the last view is on screen. Never empty.
    pub stack: Vec<View>,
    /// Generation of the watch feeding the view on screen; results of other generations are dropped.
    pub generation: u64,
    pub mode: Mode,
    pub toast: Option<Toast>,
    pub now: Millis,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    /// The last dialog id handed out (answers from AWS carry it).
    pub dialog_seq: u64,
    /// A worker that panicked: said on screen until it is back (and after, so it is not missed).
    pub fault: Option<Fault>,
    /// The keys in force (defaults with the user's `[keys]` over them): the reducer dispatches through it,
    /// help and the footer show it. Shared, as it never changes while the app runs.
    pub keymap: std::sync::Arc<crate::keymap::Keymap>,
    /// The raw JSON overlay's last scroll that still fills it, as last drawn (G stops there).
    pub raw_max: DrawnMax,
}

/// What became of a worker that panicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// It will be started again after a pause.
    Restarting,
    Restarted,
    /// It failed too often: what it fed no longer updates.
    GaveUp,
    /// There is nothing to restart (the executor) or no way on (the keyboard reader).
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub worker: crate::protocol::Worker,
    pub message: String,
    pub recovery: Recovery,
}

/// Rows of chrome around a table: header, breadcrumb, footer, borders and the table's own header.
pub const CHROME_ROWS: u16 = 6;

impl State {
    pub fn new(context: Context, now: Millis, width: u16, height: u16) -> State {
        State {
            context,
            stack: vec![View::Clusters(ListView::new())],
            generation: 0,
            mode: Mode::Normal,
            toast: None,
            now,
            width,
            height,
            quit: false,
            dialog_seq: 0,
            fault: None,
            keymap: Default::default(),
            raw_max: DrawnMax::new(u16::MAX),
        }
    }

    pub fn view(&self) -> &View {
        self.stack
            .last()
            .expect("the navigation stack is never empty")
    }

    pub fn view_mut(&mut self) -> &mut View {
        self.stack
            .last_mut()
            .expect("the navigation stack is never empty")
    }

    /// The red line about a worker that stopped: which one, why, what happens now, where the details are.
    pub fn fault_line(&self) -> Option<String> {
        use crate::protocol::Worker;
        let fault = self.fault.as_ref()?;
        let now = match (fault.recovery, fault.worker) {
            (Recovery::Restarting, _) => " — restarting it",
            (Recovery::Restarted, _) => " — restarted",
            (Recovery::GaveUp, _) => {
                " — not restarted after repeated failures: its data no longer updates"
            }
            (Recovery::None, Worker::Executor) => {
                " — an action being sent may or may not have gone through: check the service"
            }
            (Recovery::None, Worker::Input) => " — cannot read keys, so ecsdeck stopped",
            (Recovery::None, _) => "",
        };
        let log = self.context.log_file.as_deref().unwrap_or("the log file");
        Some(format!(
            "{} stopped: {}{now} — see {log}",
            fault.worker.label(),
            fault.message
        ))
    }

    /// Table rows that fit on screen.
    pub fn page_rows(&self) -> usize {
        self.height.saturating_sub(CHROME_ROWS).max(1) as usize
    }
}
