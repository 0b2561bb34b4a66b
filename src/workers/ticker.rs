//! The clock: one `Msg::Tick` a second, so the reducer never reads the time itself.

use super::clock::now_ms;
use crate::protocol::Msg;
use std::time::Duration;
use tokio::sync::mpsc;

/// Spawns the clock: one `Tick` a second.
pub fn spawn_ticker(tx: mpsc::UnboundedSender<Msg>) -> tokio::task::JoinHandle<()> {
    crate::workers::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            if tx.send(Msg::Tick { now_ms: now_ms() }).is_err() {
                return;
            }
        }
    })
}
