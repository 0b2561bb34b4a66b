//! Command-line arguments (clap derive). Every demo knob has an environment equivalent for scripts.
//! The settings flags are global, so `ecsdeck config --profile prod` and `ecsdeck --profile prod config` agree.

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "ecsdeck",
    version,
    about = "A fast, keyboard-driven terminal console for AWS ECS"
)]
pub struct Cli {
    /// Without one, the console starts.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// AWS profile (default: AWS_PROFILE or the default profile).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: from the profile or AWS_REGION).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator, a VPC endpoint). Also read from AWS_ENDPOINT_URL.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Open on this cluster.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Open on this service's tasks (needs --cluster).
    #[arg(long, requires = "cluster")]
    pub service: Option<String>,
    /// Refuse every mutation.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Seconds between refreshes of what is on screen (default 5).
    #[arg(long, global = true, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub refresh: Option<u64>,
    /// Theme: dark, light, a user theme name, or a path to a .toml file.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Config file (default: config.toml in the config directory).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Log file (default: ecsdeck.log in the data directory).
    #[arg(long, global = true)]
    pub log_file: Option<PathBuf>,
    /// Audit log of executed actions, one JSON line each [default: audit.jsonl in the data directory]
    #[arg(long, global = true, env = "ECSDECK_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// How far back log views start: 30s, 5m, 1h, 2d (default 5m, or `[logs] since` in the config).
    #[arg(long, global = true, value_parser = parse_since)]
    pub since: Option<String>,
    /// Run on the built-in simulated fleet: no AWS account needed.
    #[arg(long)]
    pub demo: bool,
    /// Demo: services in the `production` cluster.
    #[arg(long, env = "ECSDECK_DEMO_SERVICES", requires = "demo")]
    pub demo_services: Option<usize>,
    /// Demo: running tasks per service (default 1 to 6).
    #[arg(long, env = "ECSDECK_DEMO_TASKS_PER_SERVICE", requires = "demo")]
    pub demo_tasks_per_service: Option<usize>,
    /// Demo: milliseconds every simulated API call takes (default 40).
    #[arg(long, env = "ECSDECK_DEMO_LATENCY_MS", requires = "demo")]
    pub demo_latency_ms: Option<u64>,
    /// Demo: throttle above this many calls per second (burst of twice as many).
    #[arg(long, env = "ECSDECK_DEMO_RATE_LIMIT", requires = "demo")]
    pub demo_rate_limit: Option<f64>,
    /// Demo: every call fails as if AWS were unreachable from START to END seconds after launch (e.g. 20-40).
    #[arg(long, env = "ECSDECK_DEMO_OUTAGE", requires = "demo", value_parser = parse_window)]
    pub demo_outage: Option<(Duration, Duration)>,
    /// Demo: log lines per second written by each task's main container (default 1).
    #[arg(long, env = "ECSDECK_DEMO_LOG_RATE", requires = "demo", value_parser = parse_rate)]
    pub demo_log_rate: Option<f64>,
    /// The ids of the arguments whose value came from an environment variable (for `ecsdeck config`).
    #[arg(skip)]
    pub from_env: Vec<String>,
}

/// What else ecsdeck does besides the console.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Print the resolved configuration: every setting with where it came from (default, file, profile, flag).
    Config,
    /// Print a shell completion script, e.g. `ecsdeck completions bash > ~/.local/share/bash-completion/completions/ecsdeck`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `ecsdeck man > ~/.local/share/man/man1/ecsdeck.1`.
    Man,
}

impl Cli {
    /// Parses the process's arguments, noting which values came from the environment rather than a flag.
    pub fn parse_args() -> Cli {
        Cli::parse_with_sources(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    pub fn parse_with_sources<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.from_env = matches
            .ids()
            .filter(|id| {
                matches.value_source(id.as_str()) == Some(clap::parser::ValueSource::EnvVariable)
            })
            .map(|id| id.as_str().to_owned())
            .collect();
        Ok(cli)
    }

    /// `ecsdeck completions SHELL`: the script for that shell, from the same definition as the flags.
    /// Generated in memory first: clap_complete panics when its writer fails, and a reader that closes the
    /// pipe early (`ecsdeck completions bash | head`) is not a crash.
    pub fn completions(
        shell: clap_complete::Shell,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "ecsdeck", &mut script);
        out.write_all(&script)
    }

    /// `ecsdeck man`: the man page in roff.
    pub fn man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
        clap_mangen::Man::new(Cli::command()).render(out)
    }
}

fn parse_since(text: &str) -> Result<String, String> {
    crate::model::time::parse_duration(text).map(|_| text.to_owned())
}

fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=100_000.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "{text:?} is not a rate: give lines per second, 0 to 100000"
        )),
    }
}

/// "20-40" -> (20 s, 40 s).
fn parse_window(text: &str) -> Result<(Duration, Duration), String> {
    let bad = || format!("{text:?} is not a window: write START-END in seconds, e.g. 20-40");
    let (from, to) = text.split_once('-').ok_or_else(bad)?;
    let from: u64 = from.trim().parse().map_err(|_| bad())?;
    let to: u64 = to.trim().parse().map_err(|_| bad())?;
    if to <= from {
        return Err(format!("{text:?}: END must be after START"));
    }
    Ok((Duration::from_secs(from), Duration::from_secs(to)))
}
