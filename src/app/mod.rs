//! The heart of ecsdeck: plain data ([`state`]) and one pure function ([`update::update`]) that turns a
//! [`Msg`] into state changes plus [`Effect`]s (both in `protocol`, shared with the workers). No I/O and no clock
//! reads happen here, and nothing here imports the workers or the runtime (tests/architecture.rs).

pub mod actions;
pub mod deploy;
pub mod input;
pub mod list;
pub mod logs;
pub mod metrics;
pub mod rows;
pub mod state;
pub mod update;

pub use crate::protocol::{DataUpdate, Effect, Msg, Progress, Rows, Scope};
pub use list::{ListView, LoadState};
pub use state::{Context, Mode, State, View};
pub use update::update;
