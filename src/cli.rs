//! Command-line arguments (clap derive). Every demo knob has an environment equivalent for scripts.

use clap::Parser;
use std::path::PathBuf;

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
}
