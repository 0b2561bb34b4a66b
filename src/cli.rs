//! Command-line arguments (clap derive). Every demo knob has an environment equivalent for scripts.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "ecsdeck",
    version,
    about = "A fast, keyboard-driven terminal console for AWS ECS"
)]
pub struct Cli {
    /// AWS profile (default: AWS_PROFILE or the default profile).
    #[arg(long)]
    pub profile: Option<String>,
    /// AWS region (default: from the profile or AWS_REGION).
    #[arg(long)]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (an emulator, a VPC endpoint). Also read from AWS_ENDPOINT_URL.
    #[arg(long, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Open on this cluster.
    #[arg(long)]
    pub cluster: Option<String>,
    /// Open on this service's tasks (needs --cluster).
    #[arg(long, requires = "cluster")]
    pub service: Option<String>,
    /// Refuse every mutation.
    #[arg(long)]
    pub read_only: bool,
    /// Seconds between refreshes of what is on screen (default 5).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub refresh: Option<u64>,
    /// Theme: dark, light, a user theme name, or a path to a .toml file.
    #[arg(long)]
    pub theme: Option<String>,
    /// Config file (default: config.toml in the config directory).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Log file (default: ecsdeck.log in the data directory).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
    /// Audit log of executed actions, one JSON line each [default: audit.jsonl in the data directory]
    #[arg(long, env = "ECSDECK_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// How far back log views start: 30s, 5m, 1h, 2d (default 5m, or `[logs] since` in the config).
    #[arg(long, value_parser = parse_since)]
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
