//! The benchmarks' targets: ONE table, the numbers README's "Benchmarks" section quotes. Each bench prints
//! its figures as it goes, then a summary against this table; with `-- --check` it exits 1 when a figure
//! misses its target (`cargo bench --bench fleet -- --check`).
//!
//! Included by every bench with `#[path]` (a file straight under benches/ would be taken for a bench).
//! Not every helper is used by every bench.
#![allow(dead_code)]

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy)]
pub enum Bound {
    AtMost(f64),
    AtLeast(f64),
    Exactly(f64),
}

pub struct Target {
    pub id: &'static str,
    pub what: &'static str,
    pub bound: Bound,
    pub unit: &'static str,
}

const fn t(id: &'static str, what: &'static str, bound: Bound, unit: &'static str) -> Target {
    Target {
        id,
        what,
        bound,
        unit,
    }
}

use Bound::{AtLeast, AtMost, Exactly};

pub const TARGETS: &[Target] = &[
    // fleet
    t(
        "fleet.first_rows",
        "2,000 services / 20,000 tasks at 30 ms per call: first rows delivered (median of 5)",
        AtMost(150.0),
        "ms",
    ),
    t(
        "fleet.full_table",
        "… full services table (median of 5)",
        AtMost(1000.0),
        "ms",
    ),
    t(
        "fleet.list_calls",
        "… ListServices calls",
        Exactly(20.0),
        "",
    ),
    t(
        "fleet.describe_calls",
        "… DescribeServices calls",
        Exactly(200.0),
        "",
    ),
    t(
        "fleet.frame_10k",
        "one frame of a 10,000-row table at 200x50 (median)",
        AtMost(1.0),
        "ms",
    ),
    t(
        "fleet.key_to_frame_p99",
        "key to the frame showing it, 2,000 services loading + 500 ev/s tail (p99)",
        AtMost(16.0),
        "ms",
    ),
    t(
        "fleet.process_first_rows",
        "release binary: first frame showing rows, after start",
        AtMost(100.0),
        "ms",
    ),
    t(
        "fleet.process_idle_cpu",
        "release binary: idle CPU over 30 s",
        AtMost(1.0),
        "% of one core",
    ),
    t(
        "fleet.process_rss",
        "release binary: resident memory",
        AtMost(80.0),
        "MB",
    ),
    // logs
    t(
        "logs.ingest",
        "ingest: dedupe, parse, tag, buffer, filter (best of 3)",
        AtLeast(100_000.0),
        "lines/s",
    ),
    t(
        "logs.frame_following_p99",
        "frame of the log view with 100,000 lines, following (p99)",
        AtMost(16.0),
        "ms",
    ),
    t(
        "logs.frame_paused_p99",
        "… paused, search, wrap + pretty JSON (p99)",
        AtMost(16.0),
        "ms",
    ),
    t(
        "logs.search",
        "search across 100,000 lines, no match (median)",
        AtMost(50.0),
        "ms",
    ),
    t(
        "logs.memory",
        "memory held by 100,000 buffered lines",
        AtMost(40.0),
        "MB",
    ),
    t(
        "logs.polling_latency_p99",
        "stored → delivered, polling every 1 s at 20 ms per call (p99; 1 s + one call)",
        AtMost(1020.0),
        "ms",
    ),
    t(
        "logs.tail_cpu",
        "CPU of the event loop + tail + simulator while tailing 500 ev/s",
        AtMost(5.0),
        "% of one core",
    ),
    // metrics
    t(
        "metrics.six_charts",
        "frame of six 1,440-point charts at 120x40 (median)",
        AtMost(2.0),
        "ms",
    ),
    t(
        "metrics.calls_per_refresh",
        "GetMetricData calls per refresh",
        Exactly(1.0),
        "",
    ),
];

pub fn target(id: &str) -> &'static Target {
    TARGETS
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("no target {id} in benches/support/targets.rs"))
}

impl Bound {
    pub fn met(self, value: f64) -> bool {
        match self {
            AtMost(b) => value <= b,
            AtLeast(b) => value >= b,
            Exactly(b) => (value - b).abs() < 1e-9,
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AtMost(b) => write!(f, "≤ {b}"),
            AtLeast(b) => write!(f, "≥ {b}"),
            Exactly(b) => write!(f, "= {b}"),
        }
    }
}

/// Section filters given after `--` (`cargo bench --bench logs -- tail_cpu`): none runs every section.
fn filters() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect()
}

/// Whether section `name` runs in this invocation.
pub fn wanted(name: &str) -> bool {
    let filters = filters();
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

/// The figures of one bench run, checked against [`TARGETS`] at the end.
#[derive(Default)]
pub struct Figures {
    measured: BTreeMap<&'static str, f64>,
    /// Figures left out on purpose (say, the process figures without tmux), with why.
    skipped: Vec<(&'static str, String)>,
}

impl Figures {
    pub fn record(&mut self, id: &'static str, value: f64) {
        let _ = target(id);
        self.measured.insert(id, value);
    }

    pub fn skip(&mut self, id: &'static str, why: &str) {
        let _ = target(id);
        self.skipped.push((id, why.to_owned()));
    }

    /// Prints the summary; under `--check` exits 1 if a figure missed its target or one this bench owns
    /// (ids starting with `prefix`) was never measured nor skipped on purpose.
    pub fn finish(self, prefix: &str) {
        let check = std::env::args().any(|a| a == "--check");
        let mut missed = 0;
        println!();
        println!("targets (benches/support/targets.rs):");
        for t in TARGETS.iter().filter(|t| t.id.starts_with(prefix)) {
            let (mark, value) = match self.measured.get(t.id) {
                Some(&v) if t.bound.met(v) => ("ok    ", format!("{v:.2}")),
                Some(&v) => {
                    missed += 1;
                    ("MISSED", format!("{v:.2}"))
                }
                None => match self.skipped.iter().find(|(id, _)| *id == t.id) {
                    Some((_, why)) => ("skip  ", format!("({why})")),
                    None if !filters().is_empty() => ("skip  ", "(not selected)".to_owned()),
                    None => {
                        missed += 1;
                        ("MISSED", "(not measured)".to_owned())
                    }
                },
            };
            println!(
                "  {mark} {:<26} {:>12} {:<14} target {} {}  {}",
                t.id, value, t.unit, t.bound, t.unit, t.what
            );
        }
        if check && missed > 0 {
            println!("{missed} figure(s) missed their target");
            std::process::exit(1);
        }
    }
}

/// CPU time this process has used, user + system (from /proc/self/stat, in 10 ms ticks).
pub fn process_cpu_seconds() -> f64 {
    proc_cpu_seconds("self")
}

/// CPU time of process `pid` (or "self"), user + system.
pub fn proc_cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc/<pid>/stat");
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .expect("stat has a command in parentheses")
        .1
        .split_whitespace()
        .collect();
    let ticks =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0 // USER_HZ on Linux
}

/// The value at quantile `q` (0..=1) of sorted samples.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
