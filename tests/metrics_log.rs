//! A chart that cannot be fetched says so on screen and writes the whole failure to the log file: the
//! charts screen's worker logged nothing, so "see the log file" pointed at a file without the failure.

#[path = "support/aws_stub.rs"]
mod aws_stub;

use aws_stub::LogCapture;
use ecsdeck::model::metrics::Window;
use ecsdeck::protocol::{MetricsRequest, MetricsUpdate};
use ecsdeck::sim::{Sim, SimOptions};
use ecsdeck::workers::metrics::{MetricsConfig, MetricsWorker};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

#[tokio::test]
async fn a_failed_chart_refresh_is_logged_at_warn_with_the_call_and_why() {
    let log = LogCapture::start();
    let sim = Arc::new(Sim::new(SimOptions {
        latency: Duration::ZERO,
        ..SimOptions::default()
    }));
    sim.set_outage(true);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = MetricsWorker::spawn(
        sim,
        MetricsConfig::default(),
        Box::new(move |_, update| {
            let _ = tx.send(update);
        }),
    );
    worker.watch(
        Some(MetricsRequest::Service {
            cluster: "production".into(),
            service: "payments".into(),
            window: Window::default(),
            compact: false,
        }),
        1,
    );
    let update = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the worker answers")
        .expect("open");
    let (what, error) = update.error().expect("the refresh failed");
    assert!(
        matches!(update, MetricsUpdate::ServiceFailed(_)),
        "{update:?}"
    );
    let lines = log.lines_with("charts: cannot read");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("WARN") && l.contains(what) && l.contains("ecs:DescribeServices")),
        "the failure ({error}) is in the log at WARN: {lines:?}"
    );
}
