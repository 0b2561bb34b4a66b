//! Tokio tasks that turn Effects into Api calls and send Msgs back. Nothing here draws; nothing in the UI waits.
//!
//! Every task is spawned through [`spawn`], inside the scope [`supervised`] sets up for its worker: a panic
//! in any of them (or in the tasks they spawn) is caught, logged at error level and sent to the event loop
//! as [`Msg::WorkerFailed`], so the screen says which part stopped instead of showing data that silently
//! stopped moving. The event loop decides whether to restart it.

pub mod actions;
pub mod clock;
pub mod input;
pub mod metrics;
pub mod poll;
pub mod retry;
pub mod tail;
pub mod ticker;
pub mod traffic;

use crate::protocol::Msg;
use crate::protocol::Worker;
use futures::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use tokio::sync::mpsc;

#[derive(Clone)]
struct Supervisor {
    tx: mpsc::UnboundedSender<Msg>,
    worker: Worker,
}

tokio::task_local! {
    static SUPERVISOR: Supervisor;
}

/// Runs `start` (which spawns a worker's tasks) so that every task spawned through [`spawn`] inside it, and
/// inside those tasks, reports a panic to `tx` as a failure of `worker`.
pub fn supervised<T>(
    tx: &mpsc::UnboundedSender<Msg>,
    worker: Worker,
    start: impl FnOnce() -> T,
) -> T {
    SUPERVISOR.sync_scope(
        Supervisor {
            tx: tx.clone(),
            worker,
        },
        start,
    )
}

/// `tokio::spawn` under the current worker's supervision (plain `tokio::spawn` outside any). The panic
/// still reaches a `JoinHandle` that is awaited, as it would without supervision.
pub fn spawn<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let Ok(supervisor) = SUPERVISOR.try_with(Supervisor::clone) else {
        return tokio::spawn(future);
    };
    let scope = supervisor.clone();
    tokio::spawn(SUPERVISOR.scope(scope, async move {
        match AssertUnwindSafe(future).catch_unwind().await {
            Ok(output) => output,
            Err(payload) => {
                report(&supervisor.tx, supervisor.worker, payload.as_ref());
                std::panic::resume_unwind(payload)
            }
        }
    }))
}

/// A plain thread (the keyboard reader blocks on the terminal) whose panic is reported like a task's.
pub fn spawn_thread(
    tx: &mpsc::UnboundedSender<Msg>,
    worker: Worker,
    name: &str,
    body: impl FnOnce() + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let tx = tx.clone();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            if let Err(payload) = std::panic::catch_unwind(AssertUnwindSafe(body)) {
                report(&tx, worker, payload.as_ref());
            }
        })
}

fn report(tx: &mpsc::UnboundedSender<Msg>, worker: Worker, payload: &(dyn Any + Send)) {
    let message = panic_message(payload);
    tracing::error!(worker = worker.label(), %message, "a worker panicked");
    let _ = tx.send(Msg::WorkerFailed { worker, message });
}

/// The text of a panic (`panic!("...")` carries a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
