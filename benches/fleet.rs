//! Fleet-scale figures, printed (not asserted): `cargo bench --bench fleet`.
//!
//! 1. Loading 2,000 services (20,000 tasks) from the simulator at 30 ms per call: first rows, full table,
//!    and the exact calls made.
//! 2. Drawing a frame of a 10,000-row services table at 200x50.
//! 3. The release binary on that fleet with the services view open: first frame, idle CPU over 30 s,
//!    resident memory. (Needs tmux; set ECSDECK_BENCH_SKIP_PROCESS=1 to skip this part.)

use ecsdeck::protocol::{DataUpdate, Msg, Rows, Scope};

use ecsdeck::app::{State, update};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ecsdeck::workers::poll::{PollConfig, Poller};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn services_load() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut firsts = Vec::new();
        let mut fulls = Vec::new();
        let mut calls = (0, 0);
        for _ in 0..5 {
            let sim = Arc::new(Sim::new(SimOptions {
                services: Some(2000),
                tasks_per_service: Some(10),
                latency: Duration::from_millis(30),
                ..SimOptions::default()
            }));
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let poller = Poller::spawn(sim.clone(), tx, PollConfig::default());
            let start = Instant::now();
            poller.watch(
                Scope::Services {
                    cluster: "production".into(),
                },
                1,
            );
            let mut first = None;
            let mut rows = 0;
            while let Some(Msg::Data { update, .. }) = rx.recv().await {
                match update {
                    DataUpdate::Batch {
                        rows: Rows::Services(v),
                        ..
                    } => {
                        first.get_or_insert(start.elapsed());
                        rows += v.len();
                    }
                    DataUpdate::Done { .. } => break,
                    DataUpdate::Failed { error, .. } => panic!("{error}"),
                    _ => {}
                }
            }
            assert_eq!(rows, 2000);
            firsts.push(first.unwrap());
            fulls.push(start.elapsed());
            calls = (
                sim.calls.list_services.load(Ordering::Relaxed),
                sim.calls.describe_services.load(Ordering::Relaxed),
            );
        }
        firsts.sort();
        fulls.sort();
        println!("services load (2,000 services, 20,000 tasks, 30 ms per call, 5 runs, median):");
        println!(
            "  first rows delivered   {:>7.1} ms",
            firsts[2].as_secs_f64() * 1e3
        );
        println!(
            "  full table             {:>7.1} ms",
            fulls[2].as_secs_f64() * 1e3
        );
        println!(
            "  calls                  {} ListServices + {} DescribeServices",
            calls.0, calls.1
        );
    });
}

fn frame_render() {
    let sim = Sim::new(SimOptions {
        services: Some(10_000),
        tasks_per_service: Some(1),
        latency: Duration::ZERO,
        ..SimOptions::default()
    });
    let services: Vec<_> = sim.fleet().clusters[0]
        .services
        .iter()
        .map(|s| s.service.clone())
        .collect();
    let mut state = State::new(Default::default(), sim.fleet().epoch_ms, 200, 50);
    ecsdeck::app::update::open_at(&mut state, Some("production"), None);
    ecsdeck::app::update::start(&mut state);
    let scope = state.view().scope();
    let generation = state.generation;
    for u in [
        DataUpdate::Started,
        DataUpdate::Batch {
            rows: Rows::Services(services),
            progress: Default::default(),
        },
        DataUpdate::Done { at: 0 },
    ] {
        update(
            &mut state,
            Msg::Data {
                scope: scope.clone(),
                generation,
                update: u,
            },
        );
    }
    // Somewhere in the middle of the table.
    for _ in 0..5000 {
        update(
            &mut state,
            Msg::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Down,
            )),
        );
    }
    let theme = Theme::builtin("dark").unwrap();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    for _ in 0..50 {
        terminal
            .draw(|f| ecsdeck::ui::render(f, &state, &theme))
            .unwrap();
    }
    let mut times = Vec::new();
    for _ in 0..500 {
        let t = Instant::now();
        terminal
            .draw(|f| ecsdeck::ui::render(f, &state, &theme))
            .unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    println!("frame of a 10,000-row services table at 200x50 (500 frames):");
    println!(
        "  median                 {:>7.3} ms",
        times[250].as_secs_f64() * 1e3
    );
    println!(
        "  p99                    {:>7.3} ms",
        times[495].as_secs_f64() * 1e3
    );
}

fn process_figures() {
    if std::env::var_os("ECSDECK_BENCH_SKIP_PROCESS").is_some() {
        println!("process figures skipped (ECSDECK_BENCH_SKIP_PROCESS)");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet", "--bin", "ecsdeck"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let bin = format!("{root}/target/release/ecsdeck");
    let dir = std::env::temp_dir().join(format!("ecsdeck-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("ecsdeck.log");
    let socket = format!("ecsdeck-bench-{}", std::process::id());
    let cmd = format!(
        "ECSDECK_LOG=info exec {bin} --demo --demo-services 2000 --demo-tasks-per-service 10 --demo-latency-ms 30 --cluster production --log-file {}",
        log.display()
    );
    let ok = Command::new("tmux")
        .args([
            "-L",
            &socket,
            "new-session",
            "-d",
            "-x",
            "200",
            "-y",
            "50",
            "sh",
            "-c",
            &cmd,
        ])
        .status()
        .expect("tmux");
    assert!(ok.success());
    let pid = {
        let out = Command::new("tmux")
            .args(["-L", &socket, "list-panes", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let first_frame = (0..100)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            text.lines()
                .find(|l| l.contains("first frame drawn"))
                .and_then(|l| l.split("elapsed_ms=").nth(1))
                .and_then(|v| v.split_whitespace().next())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "?".into());
    // Let the first full load finish, then measure an idle 30 s.
    std::thread::sleep(Duration::from_secs(5));
    let ticks = |pid: &str| -> u64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
    };
    let hz = 100.0; // USER_HZ on Linux
    let before = ticks(&pid);
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(30));
    let cpu = (ticks(&pid) - before) as f64 / hz / t.elapsed().as_secs_f64() * 100.0;
    let rss_kb: u64 = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let _ = Command::new("tmux")
        .args(["-L", &socket, "kill-server"])
        .status();
    println!("release binary, --demo with 2,000 services / 20,000 tasks, services view open:");
    println!("  first frame            {first_frame:>7} ms after start");
    println!("  idle CPU (30 s)        {cpu:>7.2} % of one core");
    println!(
        "  resident memory        {:>7.1} MB",
        rss_kb as f64 / 1024.0
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent; only measure on `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    services_load();
    frame_render();
    process_figures();
}
