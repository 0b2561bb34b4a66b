//! Log tail figures: `cargo bench --bench logs` prints them; `-- --check` also exits 1 when one misses its
//! target in benches/support/targets.rs.
//!
//! 1. Ingest: 1,000,000 events of ~100 bytes through dedupe → parse → tag → buffer (100,000 lines) → an
//!    include filter, single-threaded, as the engine and the reducer do it.
//! 2. Frames: drawing the log view (200x50) holding 100,000 lines, following and paused with a search.
//! 3. Search across 100,000 buffered lines (worst case: no line matches, every line is tested).
//! 4. Memory held by 100,000 buffered lines of ~100 bytes (counted by a global allocator).
//! 5. Latency from "stored" to "delivered to the screen": polling (1 s interval) and Live Tail (1 s pushes),
//!    against the simulator with 20 ms per call.
//! 6. CPU while tailing 500 ev/s: the real event loop (update + render on a 200x50 in-memory terminal) with
//!    a log view following a 500 ev/s stream of the simulator (20 ms per call), the process's CPU time over
//!    20 s of wall time. The simulator runs in the process and counts too; writing to a real terminal does
//!    not.

#[path = "support/app.rs"]
mod app;
#[path = "support/targets.rs"]
mod targets;

use ecsdeck::model::logs::LogLine;

use ecsdeck::protocol::{LogRequest, LogTarget};

use ecsdeck::app::logs::{LogView, TextFilter};
use ecsdeck::app::{State, View};
use ecsdeck::aws::{LogEvent, StreamSelector};
use ecsdeck::protocol::TailUpdate;
use ecsdeck::sim::{LiveTailSim, Sim, SimOptions};
use ecsdeck::theme::Theme;
use ecsdeck::workers::clock::now_ms;
use ecsdeck::workers::tail::{Interner, LogSource, Pacer, Seen, TailConfig, TailSpec, Tailer};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use targets::{Figures, quantile};

/// Counts bytes currently allocated, to measure what the buffer holds.
struct Counting;
static ALLOCATED: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATED.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const T0: i64 = 1_763_700_000_000;

fn event(i: u64) -> LogEvent {
    let task = i % 40;
    let message = match i % 10 {
        0 => format!(
            "ERROR upstream payments-api timed out after 5000 ms (pool exhausted) trace={i:016x} seq={i}"
        ),
        1..=3 => format!(
            r#"{{"level":"info","msg":"request completed","path":"/api/v1/cart","status":200,"duration_ms":{},"seq":{i}}}"#,
            i % 300
        ),
        _ => format!(
            "INFO GET /api/v1/orders/{} 200 {}ms user-agent=okhttp/4.12 trace={i:016x} seq={i}",
            i % 977,
            i % 300
        ),
    };
    LogEvent {
        event_id: Some(format!("{:056}", i)),
        log_group: None,
        log_stream_name: format!("ecs/web/{task:032x}"),
        timestamp: T0 + (i / 4) as i64,
        ingestion_time: None,
        message,
    }
}

fn view(capacity: usize) -> LogView {
    LogView::new(
        LogRequest {
            target: LogTarget::Group {
                name: "/ecs/production/web".into(),
            },
            since: T0,
            pattern: None,
        },
        "5m".into(),
        capacity,
    )
}

fn ingest(figures: &mut Figures) {
    let n = 1_000_000u64;
    let events: Vec<LogEvent> = (0..n).map(event).collect();
    let bytes: usize = events.iter().map(|e| e.message.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let mut seen = Seen::default();
        let mut names = Interner::default();
        let mut view = view(100_000);
        view.include = Some(TextFilter::new("orders|timed out").unwrap());
        view.refilter();
        let start = Instant::now();
        let mut batch = Vec::with_capacity(1000);
        for (i, e) in events.iter().enumerate() {
            if seen.admit_polled(e) {
                batch.push(LogLine::new(
                    e.timestamp,
                    names.get(&e.log_stream_name),
                    e.message.clone(),
                ));
            }
            if batch.len() == 1000 {
                view.add(std::mem::take(&mut batch));
            }
            if i % 100_000 == 0 {
                seen.prune(e.timestamp - 30_000);
            }
        }
        view.add(batch);
        best = best.min(start.elapsed().as_secs_f64());
        assert_eq!(view.buffer.len(), 100_000);
    }
    println!(
        "ingest: {} events ({} bytes of messages on average) through dedupe, parse, tag, buffer, filter: {:.0} lines/s (best of 3)",
        n,
        bytes / n as usize,
        n as f64 / best
    );
    figures.record("logs.ingest", n as f64 / best);
}

fn full_state() -> State {
    let mut state = State::new(Default::default(), T0, 200, 50);
    state.context.log_capacity = 100_000;
    let mut v = view(100_000);
    let mut names = Interner::default();
    v.add(
        (0..100_000)
            .map(event)
            .map(|e| LogLine::new(e.timestamp, names.get(&e.log_stream_name), e.message))
            .collect(),
    );
    state.stack.push(View::Logs(Box::new(v)));
    state
}

fn frames(figures: &mut Figures) {
    let theme = Theme::builtin("dark").unwrap();
    let mut state = full_state();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut time = |state: &State, label: &str, id: &'static str| {
        let mut samples = Vec::new();
        for _ in 0..200 {
            let start = Instant::now();
            terminal
                .draw(|f| ecsdeck::ui::render(f, state, &theme))
                .unwrap();
            samples.push(start.elapsed());
        }
        samples.sort();
        println!(
            "frame, log view with 100,000 lines, {label}: median {:.2} ms, p99 {:.2} ms",
            samples[100].as_secs_f64() * 1e3,
            samples[198].as_secs_f64() * 1e3
        );
        figures.record(id, samples[198].as_secs_f64() * 1e3);
    };
    time(&state, "following", "logs.frame_following_p99");
    if let Some(View::Logs(v)) = state.stack.last_mut() {
        v.search = Some(TextFilter::new("timed out").unwrap());
        v.wrap = true;
        v.pretty = true;
        v.select(50_000, 45);
    }
    time(
        &state,
        "paused mid-buffer, search highlighted, wrap + pretty JSON",
        "logs.frame_paused_p99",
    );
}

fn search(figures: &mut Figures) {
    let mut state = full_state();
    let View::Logs(v) = state.stack.last_mut().unwrap() else {
        unreachable!()
    };
    v.search = Some(TextFilter::new("no such words anywhere").unwrap());
    let mut samples = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        assert_eq!(v.find(false), None);
        samples.push(start.elapsed());
    }
    samples.sort();
    println!(
        "search across 100,000 lines, no match (every line tested): median {:.1} ms, max {:.1} ms",
        samples[10].as_secs_f64() * 1e3,
        samples[19].as_secs_f64() * 1e3
    );
    figures.record("logs.search", samples[10].as_secs_f64() * 1e3);
    v.search = Some(TextFilter::new("seq=99999$").unwrap());
    let start = Instant::now();
    let found = v.find(false);
    println!(
        "search for one line near the start (backwards from the newest): {:.1} ms (found: {})",
        start.elapsed().as_secs_f64() * 1e3,
        found.is_some()
    );
}

fn memory(figures: &mut Figures) {
    let events: Vec<LogEvent> = (0..100_000).map(event).collect();
    let avg = events.iter().map(|e| e.message.len()).sum::<usize>() / events.len();
    let before = ALLOCATED.load(Ordering::SeqCst);
    let mut names = Interner::default();
    let mut v = view(100_000);
    for chunk in events.chunks(1_000) {
        v.add(
            chunk
                .iter()
                .map(|e| {
                    LogLine::new(
                        e.timestamp,
                        names.get(&e.log_stream_name),
                        e.message.clone(),
                    )
                })
                .collect(),
        );
    }
    let held = ALLOCATED.load(Ordering::SeqCst) - before;
    println!(
        "memory: 100,000 buffered lines of {avg} bytes on average: {:.1} MB allocated by the view and its stream names",
        held as f64 / 1e6
    );
    figures.record("logs.memory", held as f64 / 1e6);
    drop(v);
}

fn latency(figures: &mut Figures) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for live in [false, true] {
            let sim = Arc::new(Sim::new(SimOptions {
                latency: Duration::from_millis(20),
                live_tail: LiveTailSim::default(),
                ..SimOptions::default()
            }));
            let group = "/bench/latency";
            sim.logs().add_stream(group, "ecs/app/bench", now_ms(), Some(50.0));
            let arrivals = Arc::new(Mutex::new(Vec::<(i64, String, i64)>::new()));
            let sink = arrivals.clone();
            let tailer = Tailer::spawn(
                sim.clone(),
                Arc::new(Pacer::new(3.0)),
                TailConfig {
                    live_tail: live,
                    ..TailConfig::default()
                },
                Box::new(move |_, u| {
                    if let TailUpdate::Lines(lines) = u {
                        let now = now_ms();
                        let mut a = sink.lock().unwrap();
                        a.extend(lines.into_iter().map(|l| (l.timestamp, l.message, now)));
                    }
                }),
            );
            let start = now_ms();
            tailer.tail_spec(
                Some(TailSpec {
                    sources: vec![LogSource {
                        group: group.into(),
                        streams: StreamSelector::All,
                    }],
                    since: start,
                    pattern: None,
                    service: None,
                }),
                1,
            );
            tokio::time::sleep(Duration::from_secs(12)).await;
            drop(tailer);
            let end = now_ms();
            // When each event became readable (its ingestion time), from the simulator's ground truth.
            let ingested: HashMap<(i64, String), i64> = sim
                .logs()
                .truth(group, &StreamSelector::All, start - 30_000, end, end)
                .into_iter()
                // Lines hold the text without colour codes.
                .map(|e| {
                    (
                        (e.timestamp, ecsdeck::model::logs::strip_escapes(&e.message)),
                        e.ingestion_time.unwrap(),
                    )
                })
                .collect();
            let mut d: Vec<i64> = arrivals
                .lock()
                .unwrap()
                .iter()
                // Skip the first 2 s (the backfill reads what was stored before the tail began).
                .filter(|(_, _, at)| *at > start + 2_000)
                .filter_map(|(ts, msg, at)| ingested.get(&(*ts, msg.clone())).map(|i| at - i))
                .collect();
            d.sort();
            if d.is_empty() {
                println!("latency ({live}): no lines");
                continue;
            }
            println!(
                "latency from stored to delivered ({}): median {} ms, p99 {} ms, max {} ms over {} lines",
                if live {
                    "Live Tail, AWS pushes once a second"
                } else {
                    "polling every 1 s, 20 ms per call"
                },
                d[d.len() / 2],
                d[d.len() * 99 / 100],
                d[d.len() - 1],
                d.len()
            );
            if !live {
                let ms: Vec<f64> = d.iter().map(|&v| v as f64).collect();
                figures.record("logs.polling_latency_p99", quantile(&ms, 0.99));
            }
        }
    });
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test` runs benches as tests; these figures are for `cargo bench`.
    }
    let mut figures = Figures::default();
    if targets::wanted("ingest") {
        ingest(&mut figures);
    }
    if targets::wanted("frames") {
        frames(&mut figures);
    }
    if targets::wanted("search") {
        search(&mut figures);
    }
    if targets::wanted("memory") {
        memory(&mut figures);
    }
    if targets::wanted("latency") {
        latency(&mut figures);
    }
    if targets::wanted("tail_cpu") {
        tail_cpu(&mut figures);
    }
    figures.finish("logs.");
}

/// Process CPU while the real event loop follows a 500 ev/s stream in a log view.
fn tail_cpu(figures: &mut Figures) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = Arc::new(Sim::new(SimOptions {
            latency: Duration::from_millis(20),
            ..SimOptions::default()
        }));
        let group = "/bench/tail";
        sim.logs()
            .add_stream(group, "ecs/app/0123456789abcdef", now_ms(), Some(500.0));
        let (width, height) = (200, 50);
        let state = app::on_log_groups(now_ms(), group, width, height);
        let app = app::spawn(sim.clone(), state, width, height);
        app.wait_for(&format!("│{group} ")).await;
        app.tx
            .send(ecsdeck::protocol::Msg::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Enter,
            )))
            .unwrap();
        app.wait_for("ev/s").await;
        // The backfill and the first pushes are a burst, not the steady state.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let frames = app.probe.lock().unwrap().frames;
        let before = targets::process_cpu_seconds();
        let start = Instant::now();
        tokio::time::sleep(Duration::from_secs(20)).await;
        let cpu = (targets::process_cpu_seconds() - before) / start.elapsed().as_secs_f64() * 100.0;
        let drawn = app.probe.lock().unwrap().frames - frames;
        let rate = app
            .probe
            .lock()
            .unwrap()
            .last
            .lines()
            .find_map(|l| l.split_once(" ev/s")?.0.rsplit(' ').next().map(str::to_owned))
            .unwrap_or_default();
        app.stop();
        println!(
            "CPU while tailing 500 ev/s (event loop + tail + simulator, 20 s): {cpu:.2} % of one core, {:.1} frames/s, status line said {rate} ev/s",
            drawn as f64 / 20.0
        );
        figures.record("logs.tail_cpu", cpu);
    });
}
