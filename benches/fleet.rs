//! Fleet-scale figures: `cargo bench --bench fleet` prints them; `-- --check` also exits 1 when one misses
//! its target in benches/support/targets.rs.
//!
//! 1. Loading 2,000 services (20,000 tasks) from the simulator at 30 ms per call: first rows, full table,
//!    and the exact calls made.
//! 2. Drawing a frame of a 10,000-row services table at 200x50.
//! 3. Key to frame: the real event loop (update + render + workers) on an in-memory terminal while 2,000
//!    services load again and again and a 500 ev/s tail runs; from a key sent into the loop to the flush
//!    of the first frame that shows its effect. Two screens: typing a filter into the services table
//!    (the tail's lines reach the loop and are dropped as another view's), and pausing/resuming a log view
//!    following the 500 ev/s tail (the services' batches reach the loop and are dropped).
//! 4. The release binary on that fleet with the services view open: first frame that shows rows, idle CPU
//!    over 30 s, resident memory. (Needs tmux; set ECSDECK_BENCH_SKIP_PROCESS=1 to skip this part.)

#[path = "support/app.rs"]
mod app;
#[path = "support/targets.rs"]
mod targets;

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
use targets::{Figures, quantile};

fn services_load(figures: &mut Figures) {
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
        figures.record("fleet.first_rows", firsts[2].as_secs_f64() * 1e3);
        figures.record("fleet.full_table", fulls[2].as_secs_f64() * 1e3);
        figures.record("fleet.list_calls", calls.0 as f64);
        figures.record("fleet.describe_calls", calls.1 as f64);
    });
}

fn frame_render(figures: &mut Figures) {
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
    figures.record("fleet.frame_10k", times[250].as_secs_f64() * 1e3);
}

fn process_figures(figures: &mut Figures) {
    if std::env::var_os("ECSDECK_BENCH_SKIP_PROCESS").is_some() {
        println!("process figures skipped (ECSDECK_BENCH_SKIP_PROCESS)");
        for id in [
            "fleet.process_first_rows",
            "fleet.process_idle_cpu",
            "fleet.process_rss",
        ] {
            figures.skip(id, "ECSDECK_BENCH_SKIP_PROCESS");
        }
        return;
    }
    // The binary `cargo bench` built with this bench (same profile and features); a `cargo build --release`
    // from here resolved the features without the dev-dependencies and rebuilt the AWS SDK for 15 minutes.
    let bin = env!("CARGO_BIN_EXE_ecsdeck");
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
    // The skeleton is drawn first; what counts is the first frame with rows on it.
    let logged = |what: &str| -> Option<f64> {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.lines()
            .find(|l| l.contains(what))
            .and_then(|l| l.split("elapsed_ms=").nth(1))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    let first_rows = (0..100).find_map(|_| {
        std::thread::sleep(Duration::from_millis(50));
        logged("first rows drawn")
    });
    let skeleton = logged("first frame drawn");
    // Let the first full load finish, then measure an idle 30 s.
    std::thread::sleep(Duration::from_secs(5));
    let before = targets::proc_cpu_seconds(&pid);
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(30));
    let cpu = (targets::proc_cpu_seconds(&pid) - before) / t.elapsed().as_secs_f64() * 100.0;
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
    let ms = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.0}"));
    println!(
        "  first frame with rows  {:>7} ms after start (the empty skeleton: {} ms)",
        ms(first_rows),
        ms(skeleton)
    );
    println!("  idle CPU (30 s)        {cpu:>7.2} % of one core");
    println!(
        "  resident memory        {:>7.1} MB",
        rss_kb as f64 / 1024.0
    );
    match first_rows {
        Some(v) => figures.record("fleet.process_first_rows", v),
        None => {
            println!("  (no 'first rows drawn' in the log: the check counts it as not measured)")
        }
    }
    figures.record("fleet.process_idle_cpu", cpu);
    figures.record("fleet.process_rss", rss_kb as f64 / 1024.0);
}

/// Key to frame, on the services table (typing a filter) and on a log view (pause / resume), each while
/// 2,000 services load and a 500 ev/s tail runs.
fn key_to_frame(figures: &mut Figures) {
    println!(
        "key to frame (real event loop on a 200x50 in-memory terminal; 2,000 services at 30 ms per call loading without pause, a 500 ev/s tail):"
    );
    use crossterm::event::{KeyCode, KeyEvent};
    use ecsdeck::aws::StreamSelector;
    use ecsdeck::workers::clock::now_ms;
    use ecsdeck::workers::tail::{LogSource, Pacer, TailConfig, TailSpec, Tailer};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut all = Vec::new();
    runtime.block_on(async {
        let sim = Arc::new(Sim::new(SimOptions {
            services: Some(2000),
            tasks_per_service: Some(10),
            latency: Duration::from_millis(30),
            ..SimOptions::default()
        }));
        let group = "/bench/tail";
        sim.logs()
            .add_stream(group, "ecs/app/0123456789abcdef", now_ms(), Some(500.0));
        let (width, height) = (200, 50);
        let pause = |i: u64| Duration::from_millis(20 + (i * 7919) % 40);

        // 1. The services table, its own poller loading 2,000 services without a pause; a tail of the
        // 500 ev/s stream sends its lines into the same loop.
        let mut state = State::new(Default::default(), now_ms(), width, height);
        ecsdeck::app::update::open_at(&mut state, Some("production"), None);
        let app = app::spawn(sim.clone(), state, width, height);
        let loop_tx = app.tx.clone();
        let tailer = Tailer::spawn(
            sim.clone(),
            Arc::new(Pacer::new(3.0)),
            TailConfig::default(),
            Box::new(move |generation, update| {
                let _ = loop_tx.send(Msg::Log { generation, update });
            }),
        );
        tailer.tail_spec(
            Some(TailSpec {
                sources: vec![LogSource {
                    group: group.into(),
                    streams: StreamSelector::All,
                }],
                since: now_ms(),
                pattern: None,
                service: None,
            }),
            1,
        );
        app.wait_for("2000").await;
        let mut services = Vec::new();
        let word = "payments";
        for round in 0..10u64 {
            app.tx.send(Msg::Key(app::key('/'))).unwrap();
            tokio::time::sleep(pause(round)).await;
            for n in 1..=word.len() {
                let c = word.chars().nth(n - 1).unwrap();
                let shown = format!("/{} ", &word[..n]);
                services.push(app.press(app::key(c), &shown, true).await);
                tokio::time::sleep(pause(round * 10 + n as u64)).await;
            }
            for n in (0..word.len()).rev() {
                let key = KeyEvent::from(KeyCode::Backspace);
                let d = if n == 0 {
                    app.press(key, &format!("/{} ", &word[..1]), false).await
                } else {
                    app.press(key, &format!("/{} ", &word[..n]), true).await
                };
                services.push(d);
                tokio::time::sleep(pause(round * 20 + n as u64)).await;
            }
            app.tx.send(Msg::Key(KeyEvent::from(KeyCode::Esc))).unwrap();
            tokio::time::sleep(pause(round)).await;
        }
        drop(tailer);
        app.stop();

        // 2. A log view following the 500 ev/s tail (opened from the log groups list, as a user would);
        // a poller loads 2,000 services without a pause into the same loop.
        let state = app::on_log_groups(now_ms(), group, width, height);
        let app = app::spawn(sim.clone(), state, width, height);
        app.wait_for(&format!("│{group} ")).await;
        app.tx
            .send(Msg::Key(KeyEvent::from(KeyCode::Enter)))
            .unwrap();
        app.wait_for("ev/s").await;
        let loop_tx = app.tx.clone();
        let (poll_tx, mut poll_rx) = tokio::sync::mpsc::unbounded_channel();
        let poller = Poller::spawn(
            sim.clone(),
            poll_tx,
            PollConfig {
                refresh: Duration::ZERO,
                pause_per_call: Duration::ZERO,
                ..PollConfig::default()
            },
        );
        poller.watch(
            Scope::Services {
                cluster: "production".into(),
            },
            1,
        );
        let forward = tokio::spawn(async move {
            while let Some(m) = poll_rx.recv().await {
                let _ = loop_tx.send(m);
            }
        });
        // Let the tail reach its steady rate first.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut logs = Vec::new();
        for round in 0..60u64 {
            logs.push(app.press(app::key(' '), "PAUSED", true).await);
            tokio::time::sleep(pause(round)).await;
            logs.push(app.press(app::key(' '), "PAUSED", false).await);
            tokio::time::sleep(pause(round + 1)).await;
        }
        forward.abort();
        drop(poller);
        app.stop();

        for (label, samples) in [
            ("services table, typing a filter", &services),
            ("log view following 500 ev/s, pause/resume", &logs),
        ] {
            let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
            ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
            println!(
                "  {label:<44} p50 {:>6.2} ms, p99 {:>6.2} ms, max {:>6.2} ms ({} keys)",
                quantile(&ms, 0.5),
                quantile(&ms, 0.99),
                ms.last().unwrap(),
                ms.len()
            );
            all.extend(ms);
        }
    });
    all.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "  all keys                                     p50 {:>6.2} ms, p99 {:>6.2} ms",
        quantile(&all, 0.5),
        quantile(&all, 0.99)
    );
    figures.record("fleet.key_to_frame_p99", quantile(&all, 0.99));
}

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent; only measure on `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mut figures = Figures::default();
    if targets::wanted("services_load") {
        services_load(&mut figures);
    }
    if targets::wanted("frame_render") {
        frame_render(&mut figures);
    }
    if targets::wanted("key_to_frame") {
        key_to_frame(&mut figures);
    }
    if targets::wanted("process_figures") {
        process_figures(&mut figures);
    }
    figures.finish("fleet.");
}
