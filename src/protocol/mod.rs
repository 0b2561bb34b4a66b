//! What travels between the reducer (`app`) and the workers: messages in, effects out, and each worker's
//! requests and updates. Plain data, no logic beyond small accessors: both sides depend on this module,
//! neither on the other.

pub mod effect;
pub mod metrics;
pub mod msg;
pub mod scope;
pub mod tail;
pub mod worker;

pub use effect::{Effect, Fetch};
pub use metrics::{FleetColumns, MetricsRequest, MetricsUpdate};
pub use msg::{DataUpdate, DialogAnswer, Msg, Progress, Rows};
pub use scope::Scope;
pub use tail::{LogRequest, LogTarget, TailStatus, TailUpdate, Transport};
pub use worker::Worker;
