//! Helpers shared by the integration tests. Each test binary uses the parts it needs.
#![allow(dead_code)]

pub mod cbor_proxy;
pub mod moto;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecsdeck::app::{Context, State, update};
use ecsdeck::aws::{Cluster, Service, Task};
use ecsdeck::protocol::{DataUpdate, Effect, Msg, Progress, Rows, Scope};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const NOW: i64 = 1_763_700_000_000;

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Types each character of `text` as a key press; returns all effects.
pub fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(state, ch(c))).collect()
}

pub fn context() -> Context {
    Context {
        profile: "prod".into(),
        region: "eu-west-1".into(),
        endpoint: None,
        read_only: false,
        demo: false,
        utc_offset_secs: 0,
        log_since: "5m".into(),
        log_capacity: 100_000,
        ..Context::default()
    }
}

pub fn new_state() -> State {
    State::new(context(), NOW, 120, 40)
}

/// The demo fleet with its clock fixed, so that ages and ids are stable in snapshots.
pub fn fleet() -> Sim {
    Sim::new(SimOptions {
        latency: std::time::Duration::ZERO,
        epoch_ms: NOW,
        ..SimOptions::default()
    })
}

pub fn clusters(sim: &Sim) -> Vec<Cluster> {
    let fleet = sim.fleet();
    fleet
        .clusters
        .iter()
        .map(|c| fleet.cluster_summary(c))
        .collect()
}

pub fn services(sim: &Sim, cluster: &str) -> Vec<Service> {
    sim.fleet()
        .cluster(cluster)
        .unwrap()
        .services
        .iter()
        .map(|s| s.service.clone())
        .collect()
}

pub fn tasks(sim: &Sim, cluster: &str, service: Option<&str>) -> Vec<Task> {
    let fleet = sim.fleet();
    let c = fleet.cluster(cluster).unwrap();
    let index = service.map(|s| c.service_index(s).unwrap());
    c.tasks
        .iter()
        .filter(|t| index.is_none_or(|i| t.service == i))
        .map(|t| c.materialise(t))
        .collect()
}

/// Delivers a whole refresh (started, one batch, done) for the view on screen, as the poller would.
pub fn deliver(state: &mut State, rows: Rows) {
    let scope = state.view().scope();
    let generation = state.generation;
    let n = match &rows {
        Rows::Clusters(v) => v.len(),
        Rows::Services(v) => v.len(),
        Rows::Tasks(v) => v.len(),
        Rows::LogGroups(v) => v.len(),
    };
    for update_msg in [
        DataUpdate::Started,
        DataUpdate::Batch {
            rows,
            progress: Progress {
                described: n,
                listed: n,
                listing_done: true,
            },
        },
        DataUpdate::Done { at: NOW },
    ] {
        update(
            state,
            Msg::Data {
                scope: scope.clone(),
                generation,
                update: update_msg,
            },
        );
    }
}

/// Delivers one result for the view on screen, as the poller would.
pub fn send(state: &mut State, data: DataUpdate) -> Vec<Effect> {
    let msg = Msg::Data {
        scope: state.view().scope(),
        generation: state.generation,
        update: data,
    };
    update(state, msg)
}

pub fn watch_of(effects: &[Effect]) -> Option<&Scope> {
    effects.iter().find_map(|e| match e {
        Effect::Watch { scope, .. } => Some(scope),
        _ => None,
    })
}

// Rendering helpers for snapshot tests.

pub fn draw(state: &State, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(state.width, state.height)).unwrap();
    terminal
        .draw(|f| ecsdeck::ui::render(f, state, theme))
        .unwrap();
    terminal
}

pub fn text(state: &State) -> String {
    let terminal = draw(state, &Theme::builtin("dark").unwrap());
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The screen's rows with borders and padding trimmed, joined by spaces: a sentence the view wrapped over
/// several rows reads as one again.
pub fn joined(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text plus every run of one style, per line: enough to see a theme's semantics without a screenshot.
pub fn styled(state: &State, theme_name: &str) -> String {
    let terminal = draw(state, &Theme::builtin(theme_name).unwrap());
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
        let mut x = 0;
        while x < buffer.area.width {
            let style = buffer[(x, y)].style();
            let start = x;
            while x < buffer.area.width && buffer[(x, y)].style() == style {
                x += 1;
            }
            let mods = if style.add_modifier.is_empty() {
                String::new()
            } else {
                format!(" {:?}", style.add_modifier)
            };
            out.push_str(&format!(
                "  {start}-{}: {} on {}{mods}\n",
                x - 1,
                style.fg.map(|c| c.to_string()).unwrap_or("-".into()),
                style.bg.map(|c| c.to_string()).unwrap_or("-".into()),
            ));
        }
    }
    out
}

/// Clusters and production's services loaded, the services filtered down to `service` (selected).
pub fn on_production_service(service: &str) -> State {
    let sim = fleet();
    let mut state = new_state();
    ecsdeck::app::update::start(&mut state);
    deliver(&mut state, Rows::Clusters(clusters(&sim)));
    update(&mut state, ch('j'));
    update(&mut state, key(crossterm::event::KeyCode::Enter));
    deliver(&mut state, Rows::Services(services(&sim, "production")));
    update(&mut state, ch('/'));
    type_text(&mut state, service);
    update(&mut state, key(crossterm::event::KeyCode::Enter));
    state
}
