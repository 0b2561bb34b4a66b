//! Tokio tasks that turn Effects into Api calls and send Msgs back. Nothing here draws; nothing in the UI waits.

pub mod actions;
pub mod metrics;
pub mod poll;
pub mod retry;
pub mod tail;
